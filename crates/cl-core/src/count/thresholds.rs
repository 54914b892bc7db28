//! Per-class confident thresholds: in memory (numpy-exact) and as a mergeable accumulator.

use std::borrow::Cow;

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::constants::{BIG_VALUE, CONFIDENT_THRESHOLDS_LOWER_BOUND};
use crate::error::{CoreError, Result};
use crate::float::Real;
use crate::input::{LabelValue, Labels, PredProbs};
use crate::util::pairwise_sum;

use super::check_pair;

/// Per-class confident thresholds (cleanlab's `get_confident_thresholds`): `t_k` is the
/// mean of `p[i, k]` over the examples labelled `k`; a class absent from the labels gets
/// 2 (never confident); every threshold is then clipped below at `2e-6`.
///
/// Each mean is numpy's: the pairwise sum of the gathered values (in index order) divided
/// by their count, so for `f64` input the thresholds are bit-identical to cleanlab's. `f32`
/// input is widened and averaged in `f64` (cleanlab averages in `f32`; the two differ by
/// about `1e-7` relative). Classes are processed in parallel; the result does not depend
/// on the thread count.
///
/// ```
/// use cl_core::count::get_confident_thresholds;
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let p = array![[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]];
/// let (labels, probs) = validate(&[0_i64, 0, 1], p.view())?;
/// let t = get_confident_thresholds(&labels, &probs)?;
/// assert_eq!(t, vec![0.7, 0.7]);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
pub fn get_confident_thresholds<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
) -> Result<Vec<f64>> {
    check_pair(labels, pred_probs)?;
    exact_thresholds(labels, pred_probs.view())
}

/// numpy-exact thresholds: the pairwise mean of `p[labels == k, k]` in index order.
pub(crate) fn exact_thresholds<T: Real>(
    labels: &Labels<'_>,
    view: ArrayView2<'_, T>,
) -> Result<Vec<f64>> {
    Ok(GivenLabelProbs::new(labels, view)?.thresholds())
}

/// Rows per block of the given-label pass.
const GIVEN_BLOCK: usize = 256;

/// Smallest number of rows per part of the given-label pass.
const GIVEN_PART_MIN_ROWS: usize = 1 << 14;

/// The given-label probabilities `p[i, labels[i]]` (widened to `f64`) grouped by class,
/// each class's values in index order: the one value per row that the confident
/// thresholds and `prune_by_class` need.
///
/// Built in parallel over fixed parts of rows: a pass over the labels (converting and
/// checking raw labels, [`with_labels`](Self::with_labels)) counts each part's classes,
/// which places every part's values of a class in the class's range (a stable counting
/// sort); a second pass loads the values (by blocks of independent loads, one value per
/// row of `pred_probs`) straight into place. [`thresholds`](Self::thresholds) are then
/// bit-identical to [`get_confident_thresholds`] on the same data. Nothing depends on the
/// thread count.
///
/// ```
/// use cl_core::count::{GivenLabelProbs, get_confident_thresholds};
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let p = array![[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]];
/// let (labels, probs) = validate(&[0_i64, 1, 0], p.view())?;
/// let given = GivenLabelProbs::new(&labels, p.view())?;
/// assert_eq!(given.class_values(0), &[0.8, 0.3]);
/// assert_eq!(given.class_values(1), &[0.4]);
/// assert_eq!(given.thresholds(), get_confident_thresholds(&labels, &probs)?);
///
/// // Raw labels are validated and converted in the same passes.
/// let (checked, again) = GivenLabelProbs::with_labels(&[0_i64, 1, 0], p.view())?;
/// assert_eq!(checked.as_slice(), labels.as_slice());
/// assert_eq!(again, given);
/// assert!(GivenLabelProbs::with_labels(&[0_i64, 2, 0], p.view()).is_err());
/// # Ok::<(), cl_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GivenLabelProbs {
    /// The values, class after class, each class in index order.
    values: Vec<f64>,
    /// Where each class starts in `values` (K + 1 entries).
    starts: Vec<usize>,
}

impl GivenLabelProbs {
    /// The passes over validated labels (of `view`'s K). [`CoreError::Shape`] if the labels
    /// and `view` disagree in length or K.
    pub fn new<T: Real>(labels: &Labels<'_>, view: ArrayView2<'_, T>) -> Result<Self> {
        let (n, k) = view.dim();
        if labels.len() != n || labels.num_classes() != k {
            return Err(CoreError::Shape {
                what: "labels and pred_probs",
                expected: format!("{n} labels of {k} classes"),
                found: format!(
                    "{} labels of {} classes",
                    labels.len(),
                    labels.num_classes()
                ),
            });
        }
        let y = labels.as_slice();
        let part_rows = given_part_rows(n);
        let counts = count_parts(y, k, part_rows, |row| CoreError::LabelOutOfRange {
            row,
            label: i64::try_from(y[row]).unwrap_or(i64::MAX),
            num_classes: k,
        })?;
        Ok(Self::gather(y, view, part_rows, &counts))
    }

    /// Validates and converts raw labels against `view`'s K in the same passes:
    /// [`CoreError::Empty`] for no labels, [`CoreError::Shape`] for a length that is not
    /// `view`'s row count, [`CoreError::LabelOutOfRange`] naming the first bad label (as
    /// [`Labels::new`] does).
    pub fn with_labels<'a, T: Real, L: LabelValue>(
        labels: &'a [L],
        view: ArrayView2<'_, T>,
    ) -> Result<(Labels<'a>, Self)> {
        let (n, k) = view.dim();
        if labels.is_empty() {
            return Err(CoreError::Empty { what: "labels" });
        }
        if labels.len() != n {
            return Err(CoreError::Shape {
                what: "labels and pred_probs",
                expected: format!("{n} labels (one per row of pred_probs)"),
                found: format!("{} labels", labels.len()),
            });
        }
        let part_rows = given_part_rows(n);
        let bad = |row: usize| CoreError::LabelOutOfRange {
            row,
            label: labels[row].to_i64().unwrap_or(i64::MAX),
            num_classes: k,
        };
        if let Some(y) = L::as_usize_slice(labels) {
            // Word-sized labels are checked and used in place (a negative one reads as a
            // huge value).
            let counts = count_parts(y, k, part_rows, bad)?;
            let given = Self::gather(y, view, part_rows, &counts);
            let total = given.class_counts();
            return Ok((Labels::from_checked(Cow::Borrowed(y), k, total), given));
        }
        let mut y = vec![0usize; n];
        let counts: Vec<Result<Vec<usize>>> = labels
            .par_chunks(part_rows)
            .zip(y.par_chunks_mut(part_rows))
            .enumerate()
            .map(|(p, (labels, y))| {
                let mut counts = vec![0usize; k];
                for (r, (&l, out)) in labels.iter().zip(y).enumerate() {
                    match l.to_i64().and_then(|v| usize::try_from(v).ok()) {
                        Some(c) if c < k => {
                            *out = c;
                            counts[c] += 1;
                        }
                        _ => return Err(bad(p * part_rows + r)),
                    }
                }
                Ok(counts)
            })
            .collect();
        let counts = counts.into_iter().collect::<Result<Vec<_>>>()?;
        let given = Self::gather(&y, view, part_rows, &counts);
        let total = given.class_counts();
        Ok((Labels::from_checked(Cow::Owned(y), k, total), given))
    }

    /// The value pass: each part (of `part_rows` rows, with class counts `counts`) loads
    /// its values by blocks and writes them into its share of each class's range.
    fn gather<T: Real>(
        y: &[usize],
        view: ArrayView2<'_, T>,
        part_rows: usize,
        counts: &[Vec<usize>],
    ) -> Self {
        let k = view.ncols();
        let n = y.len();
        let mut starts = vec![0usize; k + 1];
        for part in counts {
            for (c, &m) in part.iter().enumerate() {
                starts[c + 1] += m;
            }
        }
        for c in 0..k {
            starts[c + 1] += starts[c];
        }
        let mut values = vec![0.0f64; n];
        // Cut `values` into each part's share of each class, in class order, then part
        // order within a class: a stable counting sort with disjoint destinations.
        let mut shares: Vec<Vec<&mut [f64]>> = counts.iter().map(|_| Vec::new()).collect();
        let mut rest: &mut [f64] = &mut values;
        for c in 0..k {
            for (p, part) in counts.iter().enumerate() {
                let (share, tail) = std::mem::take(&mut rest).split_at_mut(part[c]);
                shares[p].push(share);
                rest = tail;
            }
        }
        let flat = view.as_slice();
        y.par_chunks(part_rows)
            .zip(shares.into_par_iter())
            .enumerate()
            .for_each(|(p, (ys, mut shares))| {
                let mut filled = vec![0usize; k];
                let mut value = [0.0f64; GIVEN_BLOCK];
                for (b, y) in ys.chunks(GIVEN_BLOCK).enumerate() {
                    let row0 = p * part_rows + b * GIVEN_BLOCK;
                    match flat {
                        Some(flat) => {
                            // The next block's values are requested (into L2) first: more
                            // misses in flight than the loads alone allow.
                            let ahead = ys.get((b + 1) * GIVEN_BLOCK..).unwrap_or(&[]);
                            let ahead = &ahead[..ahead.len().min(GIVEN_BLOCK)];
                            let next = row0 + GIVEN_BLOCK;
                            for (r, &c) in ahead.iter().enumerate() {
                                crate::util::prefetch(flat, (next + r) * k + c);
                            }
                            for (r, (&c, slot)) in y.iter().zip(&mut value).enumerate() {
                                *slot = flat[(row0 + r) * k + c].to_f64x();
                            }
                        }
                        None => {
                            for (r, (&c, slot)) in y.iter().zip(&mut value).enumerate() {
                                *slot = view[[row0 + r, c]].to_f64x();
                            }
                        }
                    }
                    for (&c, &v) in y.iter().zip(&value) {
                        shares[c][filled[c]] = v;
                        filled[c] += 1;
                    }
                }
            });
        Self { values, starts }
    }

    /// Number of classes K.
    pub fn num_classes(&self) -> usize {
        self.starts.len() - 1
    }

    /// Number of rows of each class.
    pub fn class_counts(&self) -> Vec<usize> {
        self.starts.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// `p[i, class]` of the rows `i` labelled `class`, in index order (empty for an absent
    /// class or `class >= K`).
    pub fn class_values(&self, class: usize) -> &[f64] {
        match (self.starts.get(class), self.starts.get(class + 1)) {
            (Some(&a), Some(&b)) => &self.values[a..b],
            _ => &[],
        }
    }

    /// The confident thresholds, bit-identical to [`get_confident_thresholds`]: per class
    /// numpy's pairwise mean of its values in index order (2 for an absent class), clipped
    /// below at `2e-6`. Classes in parallel.
    pub fn thresholds(&self) -> Vec<f64> {
        (0..self.num_classes())
            .into_par_iter()
            .map(|c| {
                let v = self.class_values(c);
                let mean = if v.is_empty() {
                    BIG_VALUE
                } else {
                    pairwise_sum(v) / v.len() as f64
                };
                mean.max(CONFIDENT_THRESHOLDS_LOWER_BOUND)
            })
            .collect()
    }
}

/// Per part of `part_rows` rows (in parallel), the count of each class; `bad(row)` for the
/// first label (in row order) that is not below `k`.
fn count_parts(
    y: &[usize],
    k: usize,
    part_rows: usize,
    bad: impl Fn(usize) -> CoreError + Sync,
) -> Result<Vec<Vec<usize>>> {
    let counts: Vec<Result<Vec<usize>>> = y
        .par_chunks(part_rows)
        .enumerate()
        .map(|(p, y)| {
            let mut counts = vec![0usize; k];
            for (r, &c) in y.iter().enumerate() {
                match counts.get_mut(c) {
                    Some(m) => *m += 1,
                    None => return Err(bad(p * part_rows + r)),
                }
            }
            Ok(counts)
        })
        .collect();
    // The first error in row order: parts are in row order.
    counts.into_iter().collect()
}

/// Rows per part of the given-label passes: a few parts per thread, at least
/// `GIVEN_PART_MIN_ROWS` rows each.
fn given_part_rows(n: usize) -> usize {
    let parts = (rayon::current_num_threads() * 4)
        .min(n.div_ceil(GIVEN_PART_MIN_ROWS))
        .max(1);
    n.div_ceil(parts).max(1)
}

/// Neumaier-compensated running sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct CompensatedSum {
    sum: f64,
    comp: f64,
}

impl CompensatedSum {
    #[inline]
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn merge(&mut self, other: CompensatedSum) {
        self.add(other.sum);
        self.comp += other.comp;
    }

    fn value(self) -> f64 {
        self.sum + self.comp
    }
}

/// Streaming, mergeable computation of the confident thresholds.
///
/// Feed chunks of rows with [`update`](Self::update) (in any order, on any thread), combine
/// partial accumulators with [`merge`](Self::merge), and read the thresholds with
/// [`finish`](Self::finish). Per class it keeps a count and a compensated (Neumaier) sum
/// of `p[i, k]` over the rows labelled `k`.
///
/// The result does not depend on how the rows were chunked beyond the last bit or two:
/// compensated sums are accurate to about one rounding of the exact mean, while numpy's
/// pairwise mean (used by [`get_confident_thresholds`]) can differ from the exact mean by
/// a few ulps. The two therefore agree to about `1e-15` relative (tests assert `1e-12`);
/// use [`get_confident_thresholds`] when bit parity with cleanlab is required and the data
/// fits in memory.
///
/// Unlike cleanlab's batched `LabelInspector` (which ends a never-seen class at 2e-6),
/// a class with no example gets 2, exactly as the in-memory function.
///
/// ```
/// use cl_core::count::ThresholdAccumulator;
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let a = array![[0.8, 0.2], [0.6, 0.4]];
/// let b = array![[0.3, 0.7]];
/// let (la, pa) = validate(&[0_i64, 0], a.view())?;
/// let (lb, pb) = validate(&[1_i64], b.view())?;
/// let mut left = ThresholdAccumulator::new(2);
/// left.update(&la, &pa)?;
/// let mut right = ThresholdAccumulator::new(2);
/// right.update(&lb, &pb)?;
/// let t = left.merge(right)?.finish();
/// assert!((t[0] - 0.7).abs() < 1e-15 && (t[1] - 0.7).abs() < 1e-15);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdAccumulator {
    sums: Vec<CompensatedSum>,
    counts: Vec<usize>,
}

impl ThresholdAccumulator {
    /// An empty accumulator for `num_classes` classes.
    pub fn new(num_classes: usize) -> Self {
        Self {
            sums: vec![CompensatedSum::default(); num_classes],
            counts: vec![0; num_classes],
        }
    }

    /// Number of classes K.
    pub fn num_classes(&self) -> usize {
        self.counts.len()
    }

    /// Number of rows seen per class.
    pub fn class_counts(&self) -> &[usize] {
        &self.counts
    }

    /// Adds a chunk of rows. Labels and `pred_probs` must have the same length and
    /// `num_classes` equal to the accumulator's ([`CoreError::Shape`]).
    pub fn update<T: Real>(
        &mut self,
        labels: &Labels<'_>,
        pred_probs: &PredProbs<'_, T>,
    ) -> Result<()> {
        check_pair(labels, pred_probs)?;
        check_classes(self.num_classes(), labels.num_classes())?;
        self.update_rows(labels.as_slice(), pred_probs.view());
        Ok(())
    }

    /// Adds validated rows (labels `< K`, equal lengths).
    pub(crate) fn update_rows<T: Real>(&mut self, labels: &[usize], view: ArrayView2<'_, T>) {
        for (&l, row) in labels.iter().zip(view.rows()) {
            self.sums[l].add(row[l].to_f64x());
            self.counts[l] += 1;
        }
    }

    /// Combines two accumulators (of disjoint rows). Order does not matter beyond the last
    /// bit of the sums.
    pub fn merge(mut self, other: ThresholdAccumulator) -> Result<Self> {
        check_classes(self.num_classes(), other.num_classes())?;
        for (a, b) in self.sums.iter_mut().zip(other.sums) {
            a.merge(b);
        }
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        Ok(self)
    }

    /// The thresholds: per-class mean, 2 for classes never seen, clipped below at 2e-6.
    pub fn finish(&self) -> Vec<f64> {
        self.sums
            .iter()
            .zip(&self.counts)
            .map(|(s, &c)| {
                let t = if c == 0 {
                    BIG_VALUE
                } else {
                    s.value() / c as f64
                };
                t.max(CONFIDENT_THRESHOLDS_LOWER_BOUND)
            })
            .collect()
    }
}

pub(crate) fn check_classes(expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(CoreError::Shape {
            what: "accumulator classes",
            expected: format!("{expected} classes"),
            found: format!("{found} classes"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::NumpyRng;
    use ndarray::{Array2, ShapeBuilder};

    /// Data large enough for several parts of the given-label pass.
    fn data(n: usize, k: usize) -> (Vec<i64>, Array2<f64>) {
        let mut rng = NumpyRng::new(5);
        let p = Array2::from_shape_fn((n, k), |_| rng.random_sample());
        // Class 3 absent; the others skewed.
        let labels = (0..n)
            .map(|i| {
                let c = (i * i + 7 * i) % k;
                if c == 3 { 0 } else { c as i64 }
            })
            .collect();
        (labels, p)
    }

    /// Plain reference: per class, the values in index order, numpy's pairwise mean.
    fn plain(labels: &[i64], p: &Array2<f64>) -> Vec<f64> {
        (0..p.ncols())
            .map(|c| {
                let v: Vec<f64> = (0..labels.len())
                    .filter(|&i| labels[i] as usize == c)
                    .map(|i| p[[i, c]])
                    .collect();
                let mean = if v.is_empty() {
                    BIG_VALUE
                } else {
                    pairwise_sum(&v) / v.len() as f64
                };
                mean.max(CONFIDENT_THRESHOLDS_LOWER_BOUND)
            })
            .collect()
    }

    #[test]
    fn given_label_probs_over_many_parts_equal_the_plain_gather() -> Result<()> {
        let (labels, p) = data(3 * GIVEN_PART_MIN_ROWS + 123, 7);
        let want = plain(&labels, &p);
        let (checked, given) = GivenLabelProbs::with_labels(&labels, p.view())?;
        assert_eq!(given.thresholds(), want);
        let again = GivenLabelProbs::new(&checked, p.view())?;
        assert_eq!(again, given);
        // Column-major input takes the strided path.
        let mut f = Array2::zeros(p.dim().f());
        f.assign(&p);
        assert_eq!(GivenLabelProbs::new(&checked, f.view())?, given);
        // Converted labels, counts and each class's values in index order.
        let y: Vec<usize> = labels.iter().map(|&l| l as usize).collect();
        assert_eq!(checked.as_slice(), y.as_slice());
        assert_eq!(given.class_counts(), checked.class_counts());
        for c in 0..7 {
            let values: Vec<f64> = (0..y.len())
                .filter(|&i| y[i] == c)
                .map(|i| p[[i, c]])
                .collect();
            assert_eq!(given.class_values(c), values.as_slice());
        }
        assert!(given.class_values(3).is_empty());
        assert!(given.class_values(99).is_empty());
        // Nothing depends on the number of threads.
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let (_, other) = pool.install(|| GivenLabelProbs::with_labels(&labels, p.view()))?;
            assert_eq!(other, given);
        }
        Ok(())
    }

    #[test]
    fn given_label_probs_name_the_first_bad_label() {
        let (mut labels, p) = data(3 * GIVEN_PART_MIN_ROWS, 7);
        let late = 3 * GIVEN_PART_MIN_ROWS - 5;
        let early = GIVEN_PART_MIN_ROWS + 17;
        labels[late] = -1;
        labels[early] = 7;
        let first_bad = |r: Result<(Labels<'_>, GivenLabelProbs)>| match r {
            Err(CoreError::LabelOutOfRange { row, label, .. }) => (row, label),
            other => panic!("{other:?}"),
        };
        // Word-sized labels (checked in place) and narrower ones (converted).
        assert_eq!(
            first_bad(GivenLabelProbs::with_labels(&labels, p.view())),
            (early, 7)
        );
        let narrow: Vec<i32> = labels.iter().map(|&l| l as i32).collect();
        assert_eq!(
            first_bad(GivenLabelProbs::with_labels(&narrow, p.view())),
            (early, 7)
        );
        labels[early] = 3;
        assert_eq!(
            first_bad(GivenLabelProbs::with_labels(&labels, p.view())),
            (late, -1)
        );
        let narrow: Vec<i32> = labels.iter().map(|&l| l as i32).collect();
        assert_eq!(
            first_bad(GivenLabelProbs::with_labels(&narrow, p.view())),
            (late, -1)
        );
        // Unsigned values beyond i64 are reported as i64::MAX, as `Labels::new` does.
        let mut wide: Vec<u64> = vec![0; labels.len()];
        wide[late] = u64::MAX;
        assert_eq!(
            first_bad(GivenLabelProbs::with_labels(&wide, p.view())),
            (late, i64::MAX)
        );
        // The in-place and the converting paths agree.
        let good: Vec<i64> = labels.iter().map(|&l| l.max(0)).collect();
        let narrow: Vec<u8> = good.iter().map(|&l| l as u8).collect();
        let (a, ga) = GivenLabelProbs::with_labels(&good, p.view()).expect("valid");
        let (b, gb) = GivenLabelProbs::with_labels(&narrow, p.view()).expect("valid");
        assert_eq!(
            (a.as_slice(), a.class_counts()),
            (b.as_slice(), b.class_counts())
        );
        assert_eq!(ga, gb);
        assert!(matches!(
            GivenLabelProbs::with_labels(&labels[..10], p.view()),
            Err(CoreError::Shape { .. })
        ));
        assert!(matches!(
            GivenLabelProbs::with_labels::<f64, i64>(&[], p.view()),
            Err(CoreError::Empty { .. })
        ));
        let ok: Vec<usize> = vec![0; 5];
        let short = Labels::from_usize(&ok, 7).expect("labels");
        assert!(matches!(
            GivenLabelProbs::new(&short, p.view()),
            Err(CoreError::Shape { .. })
        ));
    }
}
