//! The selection step of the pruning filters (`prune_by_noise_rate`, `prune_by_class`,
//! `both`), as one streaming, mergeable state: the out-of-core path's last pass, and the
//! reference the in-memory selection (`compact`, which reads rows again only where it must)
//! is tested against.
//!
//! For each given class `c` and target class `j` with a prune count `m = P[j, c] > 0`, the
//! selection keeps the `m` class-`c` rows with the smallest key `−(p[j] − p[c])` (largest
//! margins); for `prune_by_class` it keeps the `n_c − P[c, c]` rows with the smallest
//! `p[c]`. "Smallest" is under the strict total order (key by `f64::total_cmp`, then row
//! index), so the kept set is exactly the one a stable sort would put first, and it does
//! not depend on the order in which rows arrive or on how partial states are merged: the
//! parallel update folds chunks in parallel and merges the per-thread states, and the result
//! is identical for every thread count.
//!
//! Rows are read in index order (streaming through `pred_probs` once), not gathered class by
//! class: per row only the `K` keys of the row's own class are compared against a
//! contiguous array of per-cell bounds (the current worst kept key), in blocks that the
//! compiler vectorises; the bounded heaps are touched only when a key can enter.

use std::cmp::Ordering;

use cl_core::Real;
use cl_core::count::agrees_with_label;
#[cfg(test)]
use cl_core::{Labels, PredProbs};
use ndarray::{ArrayView1, ArrayView2, s};
use rayon::prelude::*;

use crate::FilterBy;

/// Fewest rows worth a parallel part of their own.
const CHUNK_ROWS: usize = 8192;

/// Width of the blocks in which keys are pre-tested against the bounds.
const BLOCK: usize = 8;

/// A kept row: its key, index, and whether the model agrees with its given label (then it
/// is dropped at the end, cleanlab's `_reduce_issues`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) key: f64,
    pub(crate) index: usize,
    pub(crate) agrees: bool,
}

impl PartialEq for Entry {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then(self.index.cmp(&other.index))
    }
}

/// The `cap` smallest entries offered: a buffer that is cut back to the `cap` smallest
/// (an O(len) selection) whenever it reaches twice that size, so an accepted offer costs a
/// push, amortised. After the first cut, [`bound`](Self::bound) is the largest kept key and
/// later offers above it are rejected by the callers' pre-test.
#[derive(Debug, Clone, Default)]
pub(crate) struct Smallest {
    cap: usize,
    buf: Vec<Entry>,
    bound: f64,
}

impl Smallest {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            buf: Vec::new(),
            bound: if cap == 0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            },
        }
    }

    /// Offers an entry; it is kept if it ends among the `cap` smallest of all offers.
    #[inline]
    pub(crate) fn offer(&mut self, e: Entry) {
        if self.cap == 0 || e.key > self.bound {
            return;
        }
        self.buf.push(e);
        if self.buf.len() >= 2 * self.cap.max(8) {
            self.cut();
        }
    }

    /// Keeps the `cap` smallest entries and tightens the bound.
    fn cut(&mut self) {
        if self.buf.len() > self.cap {
            self.buf.select_nth_unstable(self.cap - 1);
            self.buf.truncate(self.cap);
            self.bound = self.buf[self.cap - 1].key;
        }
    }

    /// The largest key a new entry may have and still enter (+∞ before the first cut).
    #[inline]
    fn bound(&self) -> f64 {
        self.bound
    }

    fn merge(&mut self, other: Smallest) {
        for e in other.buf {
            self.offer(e);
        }
    }

    pub(crate) fn into_entries(mut self) -> Vec<Entry> {
        self.cut();
        self.buf
    }
}

/// Which heaps exist: fixed by the prune counts, shared by all partial states.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) k: usize,
    pub(crate) filter_by: FilterBy,
    /// `rate_cap[c * K + j]`: how many class-`c` rows to keep for target `j` (0: none).
    pub(crate) rate_cap: Vec<usize>,
    /// `class_cap[c]`: how many class-`c` rows `prune_by_class` keeps (0: none).
    pub(crate) class_cap: Vec<usize>,
    /// Whether a class has any heap (rows of other classes are skipped).
    pub(crate) active: Vec<bool>,
}

impl Plan {
    /// `prune_counts` is K×K (rows: true class, columns: given class), `counts` the label
    /// count per class. Classes with at most `min_examples_per_class` examples (or one) are
    /// never pruned.
    pub(crate) fn new(
        prune_counts: ArrayView2<'_, i64>,
        counts: &[usize],
        filter_by: FilterBy,
        min_examples_per_class: usize,
    ) -> Self {
        let k = counts.len();
        let want_class = matches!(filter_by, FilterBy::PruneByClass | FilterBy::Both);
        let want_rate = matches!(filter_by, FilterBy::PruneByNoiseRate | FilterBy::Both);
        let eligible = |c: usize| counts[c] > min_examples_per_class && counts[c] > 1;
        let mut rate_cap = vec![0usize; k * k];
        let mut class_cap = vec![0usize; k];
        for c in 0..k {
            if !eligible(c) {
                continue;
            }
            if want_class {
                let num = counts[c] as i64 - prune_counts[[c, c]];
                class_cap[c] = usize::try_from(num).unwrap_or(0);
            }
            if want_rate {
                for j in (0..k).filter(|&j| j != c) {
                    rate_cap[c * k + j] = usize::try_from(prune_counts[[j, c]]).unwrap_or(0);
                }
            }
        }
        let active = (0..k)
            .map(|c| {
                let rate = rate_cap[c * k..(c + 1) * k].iter().any(|&m| m > 0);
                match filter_by {
                    FilterBy::PruneByClass => class_cap[c] > 0,
                    FilterBy::Both => class_cap[c] > 0 && rate,
                    _ => rate,
                }
            })
            .collect();
        Self {
            k,
            filter_by,
            rate_cap,
            class_cap,
            active,
        }
    }
}

/// A partial selection over some rows; see the module docs.
#[derive(Debug)]
pub(crate) struct Selection<'p> {
    plan: &'p Plan,
    /// Per-cell bound (`c * K + j`): −∞ for cells without a heap.
    rate_bound: Vec<f64>,
    /// Heap slot per cell, `u32::MAX` for none.
    slot: Vec<u32>,
    rate: Vec<Smallest>,
    class_bound: Vec<f64>,
    class: Vec<Smallest>,
}

impl<'p> Selection<'p> {
    pub(crate) fn new(plan: &'p Plan) -> Self {
        let k = plan.k;
        let mut slot = vec![u32::MAX; k * k];
        let mut rate = Vec::new();
        let mut rate_bound = vec![f64::NEG_INFINITY; k * k];
        for (cell, &cap) in plan.rate_cap.iter().enumerate() {
            if cap > 0 && plan.active[cell / k] {
                slot[cell] = rate.len() as u32;
                rate.push(Smallest::new(cap));
                rate_bound[cell] = f64::INFINITY;
            }
        }
        let class: Vec<Smallest> = (0..k)
            .map(|c| {
                if plan.active[c] {
                    Smallest::new(plan.class_cap[c])
                } else {
                    Smallest::new(0)
                }
            })
            .collect();
        let class_bound = class.iter().map(Smallest::bound).collect();
        Self {
            plan,
            rate_bound,
            slot,
            rate,
            class_bound,
            class,
        }
    }

    /// Streams rows `offset..offset + labels.len()` (validated, in index order) through the
    /// selection, sequentially.
    pub(crate) fn update<T: Real>(
        &mut self,
        offset: usize,
        labels: &[usize],
        view: ArrayView2<'_, T>,
    ) {
        let k = self.plan.k;
        let mut scratch: Vec<T> = Vec::new();
        for (r, (&c, row)) in labels.iter().zip(view.rows()).enumerate() {
            if !self.plan.active[c] {
                continue;
            }
            let slice: &[T] = if let Some(s) = row.to_slice() {
                s
            } else {
                scratch.clear();
                scratch.extend(row.iter().copied());
                &scratch
            };
            let index = offset + r;
            let mut agrees: Option<bool> = None;
            let mut agrees_of = |slice: &[T]| {
                *agrees.get_or_insert_with(|| agrees_with_label(ArrayView1::from(slice), c))
            };
            let pc = slice[c];
            // prune_by_class: smallest p[c].
            let key = pc.to_f64x();
            if key <= self.class_bound[c] {
                let h = &mut self.class[c];
                h.offer(Entry {
                    key,
                    index,
                    agrees: agrees_of(slice),
                });
                self.class_bound[c] = h.bound();
            }
            // prune_by_noise_rate: smallest −(p[j] − p[c]), the margin in the element type.
            let bounds = &mut self.rate_bound[c * k..(c + 1) * k];
            for (b, (vs, bs)) in slice
                .chunks(BLOCK)
                .zip(bounds.chunks_mut(BLOCK))
                .enumerate()
            {
                let mut any = false;
                for (&v, &bd) in vs.iter().zip(bs.iter()) {
                    any |= -(v - pc).to_f64x() <= bd;
                }
                if !any {
                    continue;
                }
                for (o, (&v, bd)) in vs.iter().zip(bs.iter_mut()).enumerate() {
                    let key = -(v - pc).to_f64x();
                    if key <= *bd {
                        let j = b * BLOCK + o;
                        let h = &mut self.rate[self.slot[c * k + j] as usize];
                        h.offer(Entry {
                            key,
                            index,
                            agrees: agrees_of(slice),
                        });
                        *bd = h.bound();
                    }
                }
            }
        }
    }

    /// Streams rows in parallel over fixed chunks of rows and merges the partial states
    /// into `self`; the result equals sequential [`update`](Self::update).
    pub(crate) fn update_parallel<T: Real>(
        &mut self,
        offset: usize,
        labels: &[usize],
        view: ArrayView2<'_, T>,
    ) {
        let n = labels.len();
        let plan = self.plan;
        // One contiguous range of rows per thread: every partial state fills its heaps once,
        // so heap traffic does not grow with the number of parts. The result does not depend
        // on the split (see the module docs).
        let parts = rayon::current_num_threads().clamp(1, n.div_ceil(CHUNK_ROWS).max(1));
        let per = n.div_ceil(parts);
        let merged = (0..parts)
            .into_par_iter()
            .map(|p| {
                let lo = (p * per).min(n);
                let hi = (lo + per).min(n);
                let mut sel = Selection::new(plan);
                sel.update(offset + lo, &labels[lo..hi], view.slice(s![lo..hi, ..]));
                sel
            })
            .reduce_with(Selection::merge);
        if let Some(m) = merged {
            *self = std::mem::replace(self, Selection::new(plan)).merge(m);
        }
    }

    /// Combines two partial states over disjoint rows.
    pub(crate) fn merge(mut self, other: Selection<'p>) -> Self {
        for (a, b) in self.rate.iter_mut().zip(other.rate) {
            a.merge(b);
        }
        for (a, b) in self.class.iter_mut().zip(other.class) {
            a.merge(b);
        }
        let k = self.plan.k;
        for cell in 0..k * k {
            let s = self.slot[cell];
            if s != u32::MAX {
                self.rate_bound[cell] = self.rate[s as usize].bound();
            }
        }
        for c in 0..k {
            self.class_bound[c] = self.class[c].bound();
        }
        self
    }

    /// The flagged rows (ascending). With `eager_agrees`, the rows the model agrees with
    /// are already dropped; otherwise the caller must drop them.
    pub(crate) fn finish(mut self) -> Vec<usize> {
        let k = self.plan.k;
        let mut rate_by_class: Vec<Vec<Entry>> = vec![Vec::new(); k];
        for (cell, &s) in self.slot.iter().enumerate() {
            if s != u32::MAX {
                rate_by_class[cell / k]
                    .extend(std::mem::take(&mut self.rate[s as usize]).into_entries());
            }
        }
        let mut out = Vec::new();
        for (c, (mut rate_set, class_heap)) in rate_by_class.into_iter().zip(self.class).enumerate()
        {
            if !self.plan.active[c] {
                continue;
            }
            rate_set.sort_unstable_by_key(|e| e.index);
            rate_set.dedup_by_key(|e| e.index);
            let chosen: Vec<Entry> = match self.plan.filter_by {
                FilterBy::PruneByNoiseRate => rate_set,
                FilterBy::PruneByClass => class_heap.into_entries(),
                _ => class_heap
                    .into_entries()
                    .into_iter()
                    .filter(|e| rate_set.binary_search_by_key(&e.index, |x| x.index).is_ok())
                    .collect(),
            };
            out.extend(chosen.into_iter().filter(|e| !e.agrees).map(|e| e.index));
        }
        out.sort_unstable();
        out
    }
}

/// In-memory selection: the boolean mask of flagged rows.
#[cfg(test)]
pub(crate) fn select_in_memory<T: Real>(
    labels: &Labels<'_>,
    probs: &PredProbs<'_, T>,
    prune_counts: ArrayView2<'_, i64>,
    filter_by: FilterBy,
    min_examples_per_class: usize,
) -> Vec<bool> {
    let plan = Plan::new(
        prune_counts,
        labels.class_counts(),
        filter_by,
        min_examples_per_class,
    );
    let y = labels.as_slice();
    let view = probs.view();
    let mut sel = Selection::new(&plan);
    sel.update_parallel(0, y, view);
    let mut mask = vec![false; labels.len()];
    for i in sel.finish() {
        mask[i] = true;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn top_m_by_sort(keys: &[f64], m: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..keys.len()).collect();
        idx.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]).then(a.cmp(&b)));
        idx.truncate(m);
        idx.sort_unstable();
        idx
    }

    proptest! {
        /// The kept set equals the first `m` of a stable sort, however the offers are split
        /// into parts and merged (keys drawn from a small set, so ties are common).
        #[test]
        fn smallest_equals_stable_sort_prefix_for_any_split(
            keys in prop::collection::vec((0u8..6).prop_map(|v| f64::from(v) / 4.0), 0..120),
            m in 0usize..40,
            split in 0usize..120,
        ) {
            let split = split.min(keys.len());
            let offer_all = |range: std::ops::Range<usize>| {
                let mut h = Smallest::new(m);
                for i in range {
                    h.offer(Entry { key: keys[i], index: i, agrees: false });
                }
                h
            };
            let mut a = offer_all(split..keys.len());
            a.merge(offer_all(0..split));
            let mut got: Vec<usize> = a.into_entries().iter().map(|e| e.index).collect();
            got.sort_unstable();
            prop_assert_eq!(got, top_m_by_sort(&keys, m));
        }
    }
}
