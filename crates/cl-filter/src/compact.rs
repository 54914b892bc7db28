//! The in-memory pruning filters (`prune_by_noise_rate`, `prune_by_class`, `both`) in two
//! reads of `pred_probs` instead of three.
//!
//! The streaming selection ([`crate::select`]) needs the prune counts, which need the
//! confident joint, which needs the thresholds: three dependent passes over every value.
//! Here the last two are fused and the third runs on a compact summary:
//!
//! 1. **Given-label pass** ([`GivenLabelProbs`]): `p[i, y_i]` for every row (one value
//!    per row), which gives the thresholds (bit-identical to
//!    [`cl_core::count::get_confident_thresholds`]) and every `prune_by_class` key.
//! 2. **Fused pass** over fixed blocks of rows, in parallel: the range check of each row,
//!    the confident-joint guess, the row maximum and the lane maxima, all from one
//!    vectorised sweep, and whether the model agrees with the given label. A row the
//!    model agrees with stores nothing more: every key of such a row is above
//!    [`AGREE_BOUND`]. Any other row keeps its values reaching a threshold `g` (see
//!    [`keep_large`]) as exact keys `−(p[j] − p[c])`, and a bound: every key it did not
//!    keep is at least `−(g − p[c])` (rounding is monotone, so the bound holds for the keys
//!    computed in the element type).
//! 3. **Selection** on the summary, per class `c` in parallel: for each cell `(c, j)` with a
//!    prune count `m`, the `m`-th smallest kept key `λ` (key, then row index). A row whose
//!    bound is above `λ` cannot reach the first `m` through a key it did not keep, so only
//!    rows with bound `≤ λ` are read again (their exact key for `j` joins the kept ones);
//!    a cell with fewer than `m` kept keys reads every row of its class. The first `m` of
//!    the completed list are then exactly the streaming selection's, under the same strict
//!    order, so the result equals it for every thread count. On typical data almost no row
//!    is read again, and rows the model agrees with only when some `λ ≥ AGREE_BOUND`.

use cl_core::constants::FLOATING_POINT_COMPARISON;
use cl_core::count::{
    ConfidentJointAccumulator, GivenLabelProbs, ROW_LANES, RowCuts, agrees_with_label,
    guess_and_max_checked,
};
use cl_core::input::check_rows;
use cl_core::{CoreError, Labels, Real};
use ndarray::{ArrayView1, ArrayView2, s};
use rayon::prelude::*;

use crate::FilterBy;
use crate::select::Plan;

/// Rows per block of the fused pass (about 100–200 KB of `f64` rows at K = 100: the block
/// is validated and then summarised while it is in cache).
const BLOCK_BYTES: usize = 128 * 1024;

/// Rows read again per batch of the selection.
const AGAIN_BATCH: usize = 32;

/// Rows per parallel part of the scan for rows to read again.
const SCAN_ROWS: usize = 1 << 16;

/// A kept key: row `row` of its part of the fused pass (parts are shorter than 2³² rows),
/// off-label class `class`, key `−(p[class] − p[label])`. Sixteen bytes.
#[derive(Debug, Clone, Copy)]
struct Kept {
    row: u32,
    class: u32,
    key: f64,
}

/// A candidate of one cell: `(key, index)`, ordered as the streaming selection orders.
#[derive(Debug, Clone, Copy)]
struct Item {
    key: f64,
    index: usize,
}

fn item_cmp(a: &Item, b: &Item) -> std::cmp::Ordering {
    a.key.total_cmp(&b.key).then(a.index.cmp(&b.index))
}

/// The bound of a row the model disagrees with: every key the row did not keep is `≥ key`
/// (`row` counted from its part's first row, as in [`Kept`]).
#[derive(Debug, Clone, Copy)]
struct Bound {
    row: u32,
    key: f64,
}

/// A bound on every key of a row the model agrees with, so that such rows need not store
/// one: agreeing means `max < p[c] + 1e-6` (or equal, with the tie resolved for `c`), so
/// every key `−(p[j] − p[c]) ≥ −(max − p[c])` lies above `−1.1e-6`, in `f32` as in `f64`.
const AGREE_BOUND: f64 = -2.0 * FLOATING_POINT_COMPARISON;

/// The result of the fused pass.
pub(crate) struct Summary {
    /// Per row: whether the model agrees with the given label (cleanlab's `_reduce_issues`).
    agrees: Vec<bool>,
    /// The kept keys: per part of the pass, per given class.
    kept: Vec<Vec<Vec<Kept>>>,
    /// The bounds of the rows the model disagrees with: per part, per given class (the
    /// other rows are bounded by [`AGREE_BOUND`]).
    bounds: Vec<Vec<Vec<Bound>>>,
    /// Rows per part of the pass (part `p` starts at row `p · part_rows`).
    part_rows: usize,
    /// The confident joint's accumulator (absent when no thresholds were given).
    pub(crate) joint: Option<ConfidentJointAccumulator>,
}

/// Partial state of the fused pass over some blocks.
struct Partial {
    /// Per given class.
    kept: Vec<Vec<Kept>>,
    /// Per given class.
    bounds: Vec<Vec<Bound>>,
    joint: Option<ConfidentJointAccumulator>,
    /// The first bad value of the lowest failing block seen.
    error: Option<(usize, CoreError)>,
}

impl Partial {
    fn merge(mut self, other: Partial) -> Partial {
        self.joint = match (self.joint, other.joint) {
            (Some(a), Some(b)) => a.merge(b).ok(),
            _ => None,
        };
        self.error = match (self.error, other.error) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        self
    }
}

/// How rows the model disagrees with are summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Keep the values reaching the row's lane threshold (the default; see [`keep_large`]).
    Large,
    /// Keep nothing (every row is summarised by its maximum alone): the selection then
    /// reads every candidate row again. For tests of that path.
    #[cfg(test)]
    Nothing,
}

/// Pass 2: the range check of every value (an error names the first bad value, as
/// `PredProbs::new` does; validated input always passes), the confident joint (if
/// `thresholds`), and the compact summary of every row.
pub(crate) fn summarize<T: Real>(
    y: &[usize],
    view: ArrayView2<'_, T>,
    thresholds: Option<&[f64]>,
    keep: Keep,
) -> Result<Summary, CoreError> {
    let (n, k) = view.dim();
    let block_rows = (BLOCK_BYTES / (k * std::mem::size_of::<T>()).max(1)).clamp(16, 4096);
    let probe = match thresholds {
        Some(t) => Some(ConfidentJointAccumulator::new(t, false)?),
        None => None,
    };
    // Without thresholds no class is confident: the sweep still gives the maximum.
    let cuts: RowCuts<T> = match &probe {
        Some(j) => RowCuts::new(j.cuts()),
        None => RowCuts::new(&vec![f64::INFINITY; k]),
    };
    let sweep = Sweep { cuts: &cuts, keep };
    let mut agrees = vec![false; n];
    // A few contiguous parts per thread, each a sequence of blocks with its own state;
    // partial states are merged in part order.
    let blocks = n.div_ceil(block_rows);
    let parts = (rayon::current_num_threads() * 4)
        .max(n.div_ceil(1 << 31))
        .clamp(1, blocks.max(1));
    let part_rows = blocks.div_ceil(parts).max(1) * block_rows;
    let partials: Vec<Partial> = agrees
        .par_chunks_mut(part_rows)
        .enumerate()
        .map(|(p, agrees)| {
            let mut st = Partial {
                // Room for about two kept keys per row of a class, so that the lists
                // rarely grow (unused capacity is never touched).
                kept: (0..k)
                    .map(|_| Vec::with_capacity(2 * part_rows / k))
                    .collect(),
                bounds: (0..k).map(|_| Vec::with_capacity(part_rows / k)).collect(),
                joint: probe.clone(),
                error: None,
            };
            let part_lo = p * part_rows;
            for (b, agrees) in agrees.chunks_mut(block_rows).enumerate() {
                let lo = part_lo + b * block_rows;
                let hi = lo + agrees.len();
                let out = BlockOut {
                    lo,
                    part_lo,
                    agrees,
                };
                let block = view.slice(s![lo..hi, ..]);
                if let Err(e) = dispatch_block(sweep, &mut st, &y[lo..hi], block, out) {
                    // Later blocks of the part cannot hold the first error.
                    st.error = Some(e);
                    break;
                }
            }
            st
        })
        .collect();
    let mut partials = partials;
    let kept: Vec<Vec<Vec<Kept>>> = partials
        .iter_mut()
        .map(|p| std::mem::take(&mut p.kept))
        .collect();
    let bounds: Vec<Vec<Vec<Bound>>> = partials
        .iter_mut()
        .map(|p| std::mem::take(&mut p.bounds))
        .collect();
    let Some(partial) = partials.into_iter().reduce(Partial::merge) else {
        return Err(CoreError::Empty { what: "pred_probs" });
    };
    if let Some((_, e)) = partial.error {
        return Err(e);
    }
    if thresholds.is_some() && partial.joint.is_none() {
        return Err(CoreError::InvalidParameter {
            name: "thresholds",
            reason: "partial confident joints could not be merged".into(),
        });
    }
    Ok(Summary {
        agrees,
        kept,
        bounds,
        part_rows,
        joint: partial.joint,
    })
}

/// What every block of the fused pass uses: the confident-joint cuts and the summary
/// policy.
struct Sweep<'c, T> {
    cuts: &'c RowCuts<T>,
    keep: Keep,
}

// Copy without requiring `T: Copy` bounds beyond the reference's.
impl<T> Clone for Sweep<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Sweep<'_, T> {}

/// Where one block's per-row results go.
struct BlockOut<'o> {
    /// The block's first row.
    lo: usize,
    /// The first row of the block's part (kept rows are counted from it).
    part_lo: usize,
    agrees: &'o mut [bool],
}

/// [`summarize_block`], compiled for AVX2 when the CPU has it (the results are identical:
/// the kernels only compare, take maxima and subtract, which round the same way in every
/// instruction set).
fn dispatch_block<T: Real>(
    sweep: Sweep<'_, T>,
    st: &mut Partial,
    y: &[usize],
    block: ArrayView2<'_, T>,
    out: BlockOut<'_>,
) -> Result<(), (usize, CoreError)> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            #[allow(unsafe_code)]
            // SAFETY: `summarize_block_avx2` only requires AVX2, detected just above.
            return unsafe { summarize_block_avx2(sweep, st, y, block, out) };
        }
    }
    summarize_block(sweep, st, y, block, out)
}

/// [`summarize_block`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn summarize_block_avx2<T: Real>(
    sweep: Sweep<'_, T>,
    st: &mut Partial,
    y: &[usize],
    block: ArrayView2<'_, T>,
    out: BlockOut<'_>,
) -> Result<(), (usize, CoreError)> {
    summarize_block(sweep, st, y, block, out)
}

/// Checks and summarises the rows of one block (see the module docs).
// Always inlined: compiled once for AVX2 and once for the baseline.
#[allow(clippy::inline_always)]
#[inline(always)]
fn summarize_block<T: Real>(
    sweep: Sweep<'_, T>,
    st: &mut Partial,
    y: &[usize],
    block: ArrayView2<'_, T>,
    out: BlockOut<'_>,
) -> Result<(), (usize, CoreError)> {
    let BlockOut {
        lo,
        part_lo,
        agrees,
    } = out;
    let Sweep { cuts, keep } = sweep;
    let offset = T::from_f64x(FLOATING_POINT_COMPARISON);
    let mut scratch: Vec<T> = Vec::new();
    for (r, (&c, row)) in y.iter().zip(block.rows()).enumerate() {
        let s: &[T] = if let Some(s) = row.to_slice() {
            s
        } else {
            scratch.clear();
            scratch.extend(row.iter().copied());
            &scratch
        };
        // The range check costs little; validated input always passes it.
        let Some(swept) = guess_and_max_checked(s, cuts, c) else {
            // Name the first bad value of the row (as `PredProbs::new` does).
            let one = block.slice(s![r..=r, ..]);
            let e = check_rows(one, lo + r)
                .err()
                .unwrap_or(CoreError::Empty { what: "pred_probs" });
            return Err((lo + r, e));
        };
        let max = swept.max;
        if let Some(joint) = &mut st.joint {
            joint.add_guess(c, swept.guess).map_err(|e| (lo + r, e))?;
        }
        let pc = s[c];
        // The model agrees with the label iff the first argmax of the row with 1e-6 added
        // to p[c] is c: decided by the maximum unless it equals p[c] + 1e-6 exactly.
        let target = (pc + offset).to_f64x();
        let agree = if max < target {
            true
        } else if max > target {
            false
        } else {
            agrees_with_label(ArrayView1::from(s), c)
        };
        agrees[r] = agree;
        if agree {
            continue;
        }
        // Offsets within the part fit in u32 (see `Kept`).
        let row = (lo - part_lo + r) as u32;
        if keep != Keep::Large {
            st.bounds[c].push(Bound {
                row,
                key: -(T::from_f64x(max) - pc).to_f64x(),
            });
            continue;
        }
        let list = &mut st.kept[c];
        let g = keep_large(s, c, &swept.lanes, |j, v| {
            list.push(Kept {
                row,
                class: j as u32,
                key: -(v - pc).to_f64x(),
            });
        });
        st.bounds[c].push(Bound {
            row,
            key: -(T::from_f64x(g) - pc).to_f64x(),
        });
    }
    Ok(())
}

/// Passes to `keep` (column, value) the values of `row` outside column `c` that reach a
/// threshold `g`, in column order, and returns `g`: with `M_l` the maximum of the columns
/// `≡ l (mod 4)` (from the sweep's lane maxima `lanes`, whose lanes are the columns
/// `≡ l (mod 8)`), `g` is the second smallest `M_l`, so at least two off-label values
/// reach it and, on typical rows, only a few more; every value left out is below `g`.
/// Any `g` keeps the selection exact (the row's bound is derived from it); this one keeps
/// the summary small and the bound tight enough that few rows are read again.
#[allow(clippy::inline_always)]
#[inline(always)]
fn keep_large<T: Real>(
    row: &[T],
    c: usize,
    lanes: &[f64; ROW_LANES],
    mut keep: impl FnMut(usize, T),
) -> f64 {
    const HALF: usize = ROW_LANES / 2;
    // Pairs of lanes: the maxima of four lanes of stride four; g is the second smallest.
    let (mut first, mut second) = (f64::INFINITY, f64::INFINITY);
    for l in 0..HALF {
        let m = if lanes[l + HALF] > lanes[l] {
            lanes[l + HALF]
        } else {
            lanes[l]
        };
        if m < first {
            second = first;
            first = m;
        } else if m < second {
            second = m;
        }
    }
    let g = second;
    // Per block of columns, whether any value reaches `g` (a vector compare and a test);
    // only the few blocks that hold one are scanned value by value.
    let mut emit = |base: usize, block: &[T]| {
        for (o, &v) in block.iter().enumerate() {
            if v.to_f64x() >= g && base + o != c {
                keep(base + o, v);
            }
        }
    };
    let mut blocks = row.chunks_exact(ROW_LANES);
    let mut base = 0;
    for b in &mut blocks {
        let mut any = false;
        for &v in b {
            any |= v.to_f64x() >= g;
        }
        if any {
            emit(base, b);
        }
        base += ROW_LANES;
    }
    emit(base, blocks.remainder());
    g
}

/// Pass 3: the flagged rows of the pruning filter `plan` describes (grouped by class, not
/// sorted, possibly repeated: the caller turns them into a mask).
pub(crate) fn select<T: Real>(
    labels: &Labels<'_>,
    view: ArrayView2<'_, T>,
    given: &GivenLabelProbs,
    summary: &Summary,
    plan: &Plan,
) -> Vec<usize> {
    let k = plan.k;
    let y = labels.as_slice();
    let rate_wanted = !matches!(plan.filter_by, FilterBy::PruneByClass);
    // The rows of each class, for the `prune_by_class` keys.
    let by_class = (plan.filter_by != FilterBy::PruneByNoiseRate).then(|| labels.rows_by_class());
    // Per class: its kept keys by cell and each cell's m-th kept key.
    let prepared: Vec<Option<ClassCells>> = (0..k)
        .into_par_iter()
        .map(|c| (plan.active[c] && rate_wanted).then(|| ClassCells::new(c, k, summary, plan)))
        .collect();
    let loosest: Vec<f64> = prepared
        .iter()
        .map(|p| p.as_ref().map_or(f64::NEG_INFINITY, |p| p.loosest))
        .collect();
    // Rows to read again, with their bounds (never NaN): per class, the disagreeing rows
    // whose bound does not exceed the loosest m-th key ...
    let mut again_by_class: Vec<Vec<(usize, f64)>> = (0..k)
        .into_par_iter()
        .map(|c| {
            let mut out = Vec::new();
            for (p, part) in summary.bounds.iter().enumerate() {
                let lo = p * summary.part_rows;
                for b in part[c].iter().filter(|b| b.key <= loosest[c]) {
                    out.push((lo + b.row as usize, b.key));
                }
            }
            out
        })
        .collect();
    // ... and, where even agreeing rows can reach the first m (unusual: a cell's m-th key
    // at or above `AGREE_BOUND`), every agreeing row of the class.
    if loosest.iter().any(|&l| l >= AGREE_BOUND) {
        let parts: Vec<Vec<usize>> = summary
            .agrees
            .par_chunks(SCAN_ROWS)
            .zip(y.par_chunks(SCAN_ROWS))
            .enumerate()
            .map(|(p, (agrees, y))| {
                let rows = agrees.iter().zip(y).enumerate();
                rows.filter(|&(_, (&a, &c))| a && loosest[c] >= AGREE_BOUND)
                    .map(|(r, _)| p * SCAN_ROWS + r)
                    .collect()
            })
            .collect();
        for i in parts.into_iter().flatten() {
            again_by_class[y[i]].push((i, AGREE_BOUND));
        }
    }
    prepared
        .into_par_iter()
        .zip(again_by_class)
        .enumerate()
        .filter(|(c, _)| plan.active[*c])
        .flat_map_iter(|(c, (cells, again))| {
            let rows = |c: usize| by_class.as_ref().map_or(&[][..], |b| b.rows(c));
            let rate = cells.map_or_else(Vec::new, |cells| cells.finish(c, view, &again));
            let chosen: Vec<usize> = match plan.filter_by {
                FilterBy::PruneByNoiseRate => rate,
                FilterBy::PruneByClass => {
                    smallest_given(rows(c), given.class_values(c), plan.class_cap[c])
                }
                _ => {
                    let mut rate = rate;
                    rate.sort_unstable();
                    smallest_given(rows(c), given.class_values(c), plan.class_cap[c])
                        .into_iter()
                        .filter(|i| rate.binary_search(i).is_ok())
                        .collect()
                }
            };
            chosen.into_iter().filter(|&i| !summary.agrees[i])
        })
        .collect()
}

/// The `prune_by_noise_rate` cells of one class: its kept keys grouped by target class,
/// and per cell with a prune count `m` the `m`-th kept key (`None` when fewer than `m` keys
/// were kept: every row of the class is then read again).
struct ClassCells {
    items: Vec<Item>,
    starts: Vec<usize>,
    /// (target class, m, m-th kept key), from the loosest m-th key to the tightest.
    cells: Vec<(usize, usize, Option<Item>)>,
    /// The loosest m-th key: rows with a larger bound are not read again.
    loosest: f64,
}

impl ClassCells {
    fn new(c: usize, k: usize, summary: &Summary, plan: &Plan) -> Self {
        let cap = &plan.rate_cap[c * k..(c + 1) * k];
        // A counting sort by target class, cells without a prune count left out.
        let mut starts = vec![0usize; k + 1];
        for part in &summary.kept {
            for e in &part[c] {
                if cap[e.class as usize] > 0 {
                    starts[e.class as usize + 1] += 1;
                }
            }
        }
        for j in 0..k {
            starts[j + 1] += starts[j];
        }
        let mut next = starts.clone();
        let mut items = vec![Item { key: 0.0, index: 0 }; starts[k]];
        for (p, part) in summary.kept.iter().enumerate() {
            let lo = p * summary.part_rows;
            for e in &part[c] {
                let j = e.class as usize;
                if cap[j] > 0 {
                    items[next[j]] = Item {
                        key: e.key,
                        index: lo + e.row as usize,
                    };
                    next[j] += 1;
                }
            }
        }
        // After the selection the first m kept keys of a cell are its m smallest.
        let mut cells: Vec<(usize, usize, Option<Item>)> = Vec::new();
        for j in (0..k).filter(|&j| cap[j] > 0) {
            let m = cap[j];
            let list = &mut items[starts[j]..starts[j + 1]];
            let lambda = (list.len() >= m).then(|| {
                let (_, nth, _) = list.select_nth_unstable_by(m - 1, item_cmp);
                *nth
            });
            cells.push((j, m, lambda));
        }
        let level = |cell: &(usize, usize, Option<Item>)| cell.2.map_or(f64::INFINITY, |l| l.key);
        cells.sort_unstable_by(|a, b| level(b).total_cmp(&level(a)));
        let loosest = cells.first().map_or(f64::NEG_INFINITY, level);
        Self {
            items,
            starts,
            cells,
            loosest,
        }
    }

    /// The selected rows of the class (in no particular order; a row selected by several
    /// cells appears once per cell), given the rows whose bound does not exceed `loosest`,
    /// with their bounds.
    fn finish<T: Real>(
        self,
        c: usize,
        view: ArrayView2<'_, T>,
        again: &[(usize, f64)],
    ) -> Vec<usize> {
        let Self {
            items,
            starts,
            cells,
            ..
        } = self;
        let k = view.ncols();
        let mut extra: Vec<Vec<Item>> = vec![Vec::new(); cells.len()];
        // By batches: the rows are first copied together, so that their cache misses
        // overlap, then examined; the next batch's rows are requested before.
        let mut rows: Vec<T> = Vec::with_capacity(AGAIN_BATCH * k);
        let flat = view.as_slice();
        let line = (64 / std::mem::size_of::<T>()).max(1);
        for (n, batch) in again.chunks(AGAIN_BATCH).enumerate() {
            if let Some(flat) = flat {
                let ahead = again.iter().skip((n + 1) * AGAIN_BATCH).take(AGAIN_BATCH);
                for &(i, _) in ahead {
                    for o in (0..k).step_by(line) {
                        cl_core::util::prefetch(flat, i * k + o);
                    }
                }
            }
            rows.clear();
            for &(i, _) in batch {
                let row = view.row(i);
                if let Some(r) = row.to_slice() {
                    rows.extend_from_slice(r);
                } else {
                    rows.extend(row.iter().copied());
                }
            }
            for (&(i, b), row) in batch.iter().zip(rows.chunks_exact(k)) {
                let pc = row[c];
                // Cells from the loosest m-th key: stop at the first the bound excludes.
                for (x, &(j, _, lambda)) in cells.iter().enumerate() {
                    if lambda.is_some_and(|l| b > l.key) {
                        break;
                    }
                    let key = -(row[j] - pc).to_f64x();
                    // A key below the bound was kept; one equal to it may have been.
                    let kept = &items[starts[j]..starts[j + 1]];
                    if key < b || (key == b && kept.iter().any(|e| e.index == i)) {
                        continue;
                    }
                    // Not before the m-th kept key: m kept keys already precede it.
                    let item = Item { key, index: i };
                    if lambda.is_some_and(|l| item_cmp(&item, &l).is_ge()) {
                        continue;
                    }
                    extra[x].push(item);
                }
            }
        }
        let mut out = Vec::new();
        for (&(j, m, _), mut more) in cells.iter().zip(extra) {
            let kept = &items[starts[j]..starts[j + 1]];
            if more.is_empty() {
                out.extend(kept.iter().take(m).map(|e| e.index));
            } else {
                more.extend_from_slice(kept);
                if more.len() > m {
                    more.select_nth_unstable_by(m - 1, item_cmp);
                    more.truncate(m);
                }
                out.extend(more.iter().map(|e| e.index));
            }
        }
        out
    }
}

/// The `cap` rows of `rows` with the smallest given-label probability `given` (aligned
/// with `rows`; then the smallest index), in no particular order.
fn smallest_given(rows: &[usize], given: &[f64], cap: usize) -> Vec<usize> {
    if cap == 0 {
        return Vec::new();
    }
    let mut list: Vec<Item> = rows
        .iter()
        .zip(given)
        .map(|(&index, &key)| Item { key, index })
        .collect();
    if list.len() > cap {
        list.select_nth_unstable_by(cap - 1, item_cmp);
        list.truncate(cap);
    }
    list.iter().map(|e| e.index).collect()
}

#[cfg(test)]
mod tests {
    use super::Keep;
    use crate::{FilterBy, FilterOptions, keep_at_least_n_per_class};
    use cl_core::input::validate;
    use ndarray::Array2;
    use proptest::prelude::*;

    /// The streaming selection over the estimated (or given) joint: the reference.
    fn streaming(labels: &[i64], p: &Array2<f64>, opts: &FilterOptions) -> Vec<bool> {
        let (l, probs) = validate(labels, p.view()).expect("valid");
        let cj = cl_core::count::compute_confident_joint(
            &l,
            &probs,
            &cl_core::count::ConfidentJointOptions::default(),
        )
        .expect("joint")
        .joint;
        let counts =
            keep_at_least_n_per_class(cj.t(), opts.min_examples_per_class, opts.frac_noise);
        crate::select::select_in_memory(
            &l,
            &probs,
            counts.view(),
            opts.filter_by,
            opts.min_examples_per_class,
        )
    }

    fn compact(labels: &[i64], p: &Array2<f64>, opts: &FilterOptions, keep: Keep) -> Vec<bool> {
        let (l, _) = validate(labels, p.view()).expect("valid");
        let given = cl_core::count::GivenLabelProbs::new(&l, p.view()).expect("given");
        crate::prune_in_memory(&l, &given, p.view(), opts, keep).expect("prune")
    }

    /// Rows on a coarse grid (ties everywhere, rows not normalised), K up to 20 so that the
    /// kept/unkept split and the re-reading of rows are both exercised.
    fn data() -> impl Strategy<Value = (Vec<i64>, Array2<f64>)> {
        (2usize..20, 4usize..90).prop_flat_map(|(k, n)| {
            (
                prop::collection::vec(0..k as i64, n),
                prop::collection::vec(0u8..=8, n * k),
            )
                .prop_map(move |(mut labels, v)| {
                    labels[0] = 0;
                    labels[1] = 1;
                    let p = Array2::from_shape_vec((n, k), v)
                        .expect("shape")
                        .mapv(|x| f64::from(x) / 8.0);
                    (labels, p)
                })
        })
    }

    /// Rows on a coarse grid moved by multiples of 4e-7: many rows the model agrees with
    /// although an off-label value exceeds the given one by less than 1e-6 (keys in
    /// `(−1e-6, 0)`), which the selection must still count in its first `m`.
    fn near_ties() -> impl Strategy<Value = (Vec<i64>, Array2<f64>)> {
        (2usize..6, 4usize..60).prop_flat_map(|(k, n)| {
            (
                prop::collection::vec(0..k as i64, n),
                prop::collection::vec((1u8..=3, -2i8..=2), n * k),
            )
                .prop_map(move |(mut labels, v)| {
                    labels[0] = 0;
                    labels[1] = 1;
                    let v = v
                        .into_iter()
                        .map(|(g, e)| f64::from(g) / 4.0 + f64::from(e) * 4e-7)
                        .collect();
                    let p = Array2::from_shape_vec((n, k), v).expect("shape");
                    (labels, p)
                })
        })
    }

    /// The block summary compiled for AVX2 (where the CPU has it) equals the baseline one.
    #[test]
    fn dispatched_block_equals_baseline_block() {
        use super::{BlockOut, Partial, dispatch_block, summarize_block};
        let (labels, p) = {
            let mut rng = cl_core::rng::NumpyRng::new(11);
            let p = Array2::from_shape_fn((300, 37), |_| rng.random_sample());
            let labels: Vec<usize> = (0..300).map(|i| (i * 7) % 37).collect();
            (labels, p)
        };
        let cuts = cl_core::count::RowCuts::new(&[0.6; 37]);
        let sweep = super::Sweep {
            cuts: &cuts,
            keep: Keep::Large,
        };
        let run = |dispatched: bool| {
            let mut st = Partial {
                kept: vec![Vec::new(); 37],
                bounds: vec![Vec::new(); 37],
                joint: Some(
                    cl_core::count::ConfidentJointAccumulator::new(&[0.6; 37], false)
                        .expect("joint"),
                ),
                error: None,
            };
            let mut agrees = vec![false; 300];
            let out = BlockOut {
                lo: 0,
                part_lo: 0,
                agrees: &mut agrees,
            };
            let r = if dispatched {
                dispatch_block(sweep, &mut st, &labels, p.view(), out)
            } else {
                summarize_block(sweep, &mut st, &labels, p.view(), out)
            };
            assert!(r.is_ok());
            let kept: Vec<(u32, u32, u64)> = st
                .kept
                .iter()
                .flatten()
                .map(|e| (e.row, e.class, e.key.to_bits()))
                .collect();
            let joint = st
                .joint
                .expect("joint")
                .finish(false)
                .expect("finish")
                .joint;
            let bounds: Vec<(u32, u64)> = st
                .bounds
                .iter()
                .flatten()
                .map(|b| (b.row, b.key.to_bits()))
                .collect();
            (bounds, agrees, kept, joint)
        };
        let baseline = run(false);
        assert!(!baseline.2.is_empty());
        assert_eq!(run(true), baseline);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The two-read selection equals the streaming one for every pruning filter, with
        /// the default summary and with an empty one (every candidate row read again).
        #[test]
        fn compact_selection_equals_streaming_selection(
            (labels, p) in data(),
            filter in prop::sample::select(vec![FilterBy::PruneByNoiseRate, FilterBy::PruneByClass, FilterBy::Both]),
            min_per_class in 0usize..4,
            frac in prop::sample::select(vec![1.0, 0.5]),
        ) {
            let opts = FilterOptions::default()
                .filter_by(filter)
                .min_examples_per_class(min_per_class)
                .frac_noise(frac);
            let want = streaming(&labels, &p, &opts);
            prop_assert_eq!(&compact(&labels, &p, &opts, Keep::Large), &want);
            prop_assert_eq!(&compact(&labels, &p, &opts, Keep::Nothing), &want);
        }

        /// The same near ties: rows the model agrees with are bounded by `AGREE_BOUND`
        /// without storing a bound, and read again when a cell's m-th key reaches it.
        #[test]
        fn compact_selection_handles_near_ties(
            (labels, p) in near_ties(),
            filter in prop::sample::select(vec![FilterBy::PruneByNoiseRate, FilterBy::Both]),
        ) {
            let opts = FilterOptions::default().filter_by(filter);
            let want = streaming(&labels, &p, &opts);
            prop_assert_eq!(&compact(&labels, &p, &opts, Keep::Large), &want);
            prop_assert_eq!(&compact(&labels, &p, &opts, Keep::Nothing), &want);
        }
    }
}
