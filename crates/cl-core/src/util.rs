//! Small helpers shared by the counting code and the task crates (cleanlab's
//! `internal/util.py`): value counts, rounding that preserves sums, clipping, noise-rate
//! clipping, confusion matrices, one-hot encoding and the PU-learning helpers.
//!
//! # Parity notes
//!
//! * Sums follow numpy's order: contiguous reductions use numpy's pairwise summation
//!   ([`numerics::pairwise_sum`](crate::numerics::pairwise_sum)), reductions down the rows
//!   of a row-major matrix accumulate row by row.
//!   Where numpy's order depends on the memory layout of its intermediate arrays, the
//!   functions here follow the layout numpy would see (documented per function).
//! * Rounding is half-to-even (`np.round`), integer conversion truncates.
//! * [`round_preserving_sum`] breaks ties between equal residuals with a **stable** sort. In
//!   cleanlab the tie order comes from numpy's default (unstable, SIMD) quicksort and
//!   depends on the CPU, so cleanlab itself gives different answers on different machines
//!   whenever the adjustment has to choose among equal residuals. Our order equals
//!   cleanlab's with `np.argsort(..., kind="stable")`.
//!
//! ```
//! use cl_core::util::{round_preserving_sum, value_counts};
//!
//! assert_eq!(value_counts(&[0, 2, 2], Some(4))?, vec![1, 0, 2, 0]);
//! // 0.5 + 1.5 + 2.5 + 0.5 = 5, but half-even rounding gives 0 + 2 + 2 + 0 = 4;
//! // the +1 goes to the largest residual (the last of the tied 0.5 residuals).
//! assert_eq!(round_preserving_sum(&[0.5, 1.5, 2.5, 0.5])?, vec![0, 2, 2, 1]);
//! # Ok::<(), cl_core::CoreError>(())
//! ```

use ndarray::{Array2, ArrayView2, Axis};

use crate::constants::{FLOATING_POINT_COMPARISON, TINY_VALUE};
use crate::error::{CoreError, Result};

/// Sum of `values` in numpy's pairwise order (bit-identical to `np.sum` of a contiguous
/// `float64` array); see [`numerics::pairwise_sum`](crate::numerics::pairwise_sum).
#[inline]
pub(crate) fn pairwise_sum(values: &[f64]) -> f64 {
    crate::numerics::pairwise_sum(values)
}

/// Asks the CPU to start loading the cache line of `values[index]` into the second-level
/// cache (nothing if `index` is out of bounds or the target has no prefetch instruction
/// here). A hint only: results never depend on it. Used before scattered reads whose
/// addresses are known early, so that more of their cache misses overlap.
///
/// ```
/// let v = vec![1.0_f64; 1000];
/// cl_core::util::prefetch(&v, 500);
/// cl_core::util::prefetch(&v, 5000); // out of bounds: nothing happens
/// ```
#[inline(always)]
#[allow(clippy::inline_always)]
pub fn prefetch<T>(values: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(v) = values.get(index) {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        #[allow(unsafe_code)]
        // SAFETY: `_mm_prefetch` only needs SSE, which is part of the x86_64 baseline (every
        // x86_64 CPU has it); a prefetch reads nothing into the program, writes nothing and
        // never faults, and the address is that of a live element.
        unsafe {
            _mm_prefetch::<_MM_HINT_T1>(std::ptr::from_ref(v).cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, index);
}

/// Pairwise sum of an iterator (collects first; numpy's order needs random access).
pub(crate) fn pairwise_sum_iter<I: IntoIterator<Item = f64>>(values: I) -> f64 {
    let v: Vec<f64> = values.into_iter().collect();
    pairwise_sum(&v)
}

/// How numpy sums the columns of a matrix: row by row (row-major matrix, the reduced axis
/// is not contiguous) or pairwise per column (column-major matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnSums {
    /// `s_j = ((m[0,j] + m[1,j]) + m[2,j]) + ...`
    Sequential,
    /// `s_j = pairwise_sum(m[:, j])`
    Pairwise,
}

impl ColumnSums {
    /// The order numpy would use for a matrix with the memory layout of `m`.
    pub(crate) fn of_layout(m: &ArrayView2<'_, f64>) -> Self {
        if !m.is_standard_layout() && m.t().is_standard_layout() {
            ColumnSums::Pairwise
        } else {
            ColumnSums::Sequential
        }
    }

    pub(crate) fn sums(self, m: &ArrayView2<'_, f64>) -> Vec<f64> {
        match self {
            ColumnSums::Sequential => {
                let mut s = vec![0.0; m.ncols()];
                for row in m.rows() {
                    for (acc, &v) in s.iter_mut().zip(row) {
                        *acc += v;
                    }
                }
                s
            }
            ColumnSums::Pairwise => m
                .columns()
                .into_iter()
                .map(|c| pairwise_sum_iter(c.iter().copied()))
                .collect(),
        }
    }
}

/// Per-class counts of `labels` (cleanlab's `value_counts`).
///
/// * `num_classes = None`: counts of the distinct values in ascending order (absent values
///   are skipped, so the result can be shorter than `max + 1`).
/// * `num_classes = Some(k)`: if the number of distinct values equals `k`, the counts of the
///   distinct values in ascending order (cleanlab's quirk: `value_counts([0, 2], 2)` is
///   `[1, 1]`); otherwise every label must be `< k` ([`CoreError::InvalidParameter`], as
///   cleanlab's "Required: num_classes > max(x)") and the result has length `k` with zeros
///   for absent classes. For labels in `0..k` this is always the plain per-class count.
pub fn value_counts(labels: &[usize], num_classes: Option<usize>) -> Result<Vec<usize>> {
    let max = labels.iter().copied().max();
    let dense_len = max.map_or(0, |m| m + 1);
    let mut dense = vec![0usize; dense_len];
    for &l in labels {
        dense[l] += 1;
    }
    let distinct: Vec<usize> = dense.iter().copied().filter(|&c| c > 0).collect();
    match num_classes {
        None => Ok(distinct),
        Some(k) if distinct.len() == k => Ok(distinct),
        Some(k) => {
            if let Some(m) = max
                && m >= k
            {
                return Err(CoreError::InvalidParameter {
                    name: "num_classes",
                    reason: format!("Required: num_classes > max(x), but {k} <= {m}."),
                });
            }
            dense.resize(k, 0);
            Ok(dense)
        }
    }
}

/// Counts of each class `0..num_classes`, zero for absent classes (cleanlab's
/// `value_counts_fill_missing_classes`). Same errors and quirk as [`value_counts`].
pub fn value_counts_fill_missing_classes(
    labels: &[usize],
    num_classes: usize,
) -> Result<Vec<usize>> {
    value_counts(labels, Some(num_classes))
}

/// Classes in `0..num_classes` that never occur in `labels`, ascending (cleanlab's
/// `get_missing_classes`).
pub fn get_missing_classes(labels: &[usize], num_classes: usize) -> Vec<usize> {
    let mut seen = vec![false; num_classes];
    for &l in labels {
        if l < num_classes {
            seen[l] = true;
        }
    }
    (0..num_classes).filter(|&k| !seen[k]).collect()
}

fn check_finite(values: &[f64], what: &'static str) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(CoreError::NonFinite {
            what,
            row,
            col: 0,
            value: values[row],
        }),
        None => Ok(()),
    }
}

/// Largest magnitude a value may have to be rounded to an `i64` exactly.
const MAX_EXACT_INT: f64 = 9.007_199_254_740_992e15;

/// Rounds every value half-to-even while keeping the (rounded) total (cleanlab's
/// `round_preserving_sum`).
///
/// The target is `round(sum(values))` (pairwise sum). While the rounded values miss it,
/// `diff = round(target - current)` units are moved: one unit each to the `min(|diff|, n)`
/// values with the **largest** residual `value - rounded` when adding (ties: later index
/// first, i.e. a stable ascending argsort read backwards), or with the **smallest** residual
/// when subtracting (ties: earlier index first).
///
/// cleanlab's tie order is that of numpy's unstable quicksort and differs between CPUs
/// (see the module docs); ours is deterministic.
///
/// Errors: a non-finite value ([`CoreError::NonFinite`]) or one too large to round to an
/// exact integer ([`CoreError::OutOfRange`]).
pub fn round_preserving_sum(values: &[f64]) -> Result<Vec<i64>> {
    check_finite(values, "values")?;
    if let Some(row) = values.iter().position(|v| v.abs() > MAX_EXACT_INT) {
        return Err(CoreError::OutOfRange {
            what: "values",
            row,
            col: 0,
            value: values[row],
            low: -MAX_EXACT_INT,
            high: MAX_EXACT_INT,
        });
    }
    let n = values.len();
    let mut ints: Vec<f64> = values.iter().map(|v| v.round_ties_even()).collect();
    let target = pairwise_sum(values).round_ties_even();
    let mut current = pairwise_sum(&ints).round_ties_even();
    while (current - target).abs() > FLOATING_POINT_COMPARISON {
        let diff = (target - current).round_ties_even();
        let step = if diff < 0.0 { -1.0 } else { 1.0 };
        let changes = (diff.abs() as usize).min(n);
        let residuals: Vec<f64> = values.iter().zip(&ints).map(|(v, i)| v - i).collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| residuals[a].total_cmp(&residuals[b]));
        if step > 0.0 {
            for &i in order.iter().rev().take(changes) {
                ints[i] += step;
            }
        } else {
            for &i in order.iter().take(changes) {
                ints[i] += step;
            }
        }
        current = pairwise_sum(&ints).round_ties_even();
    }
    Ok(ints.into_iter().map(|v| v as i64).collect())
}

/// [`round_preserving_sum`] applied to every row (cleanlab's `round_preserving_row_totals`).
pub fn round_preserving_row_totals(matrix: ArrayView2<'_, f64>) -> Result<Array2<i64>> {
    let (r, c) = matrix.dim();
    let mut out = Array2::<i64>::zeros((r, c));
    for (i, row) in matrix.rows().into_iter().enumerate() {
        let v: Vec<f64> = row.iter().copied().collect();
        let rounded = round_preserving_sum(&v)?;
        for (o, x) in out.row_mut(i).iter_mut().zip(rounded) {
            *o = x;
        }
    }
    Ok(out)
}

/// Clips `x` to `[low, high]`, then rescales it so its sum is `new_sum` (or, if `None`, the
/// sum before clipping) (cleanlab's `clip_values`).
///
/// Element `i` becomes `clip(x_i) * target / max(sum(clip(x)), 1e-100)` (pairwise sums, in
/// that operation order). A single pass: values may leave `[low, high]` after rescaling.
pub fn clip_values(x: &[f64], low: f64, high: f64, new_sum: Option<f64>) -> Vec<f64> {
    let target = new_sum.unwrap_or_else(|| pairwise_sum(x));
    let clipped: Vec<f64> = x.iter().map(|&v| clip(v, low, high)).collect();
    let denom = pairwise_sum(&clipped).max(TINY_VALUE);
    clipped.into_iter().map(|v| v * target / denom).collect()
}

/// `np.clip(v, low, high)`: `min(max(v, low), high)`.
#[inline]
pub(crate) fn clip(v: f64, low: f64, high: f64) -> f64 {
    let v = if v < low { low } else { v };
    if v > high { high } else { v }
}

/// Clips every entry of a K×K noise matrix to `[0, 0.9999]`, restores the original
/// diagonal, and divides each column by its sum (floored at 1e-100) (cleanlab's
/// `clip_noise_rates`).
///
/// Column sums follow numpy: row by row for a row-major input, pairwise for a
/// column-major input (so results are bit-identical to cleanlab given the same layout).
pub fn clip_noise_rates(noise_matrix: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    require_square(&noise_matrix, "noise_matrix")?;
    Ok(clip_noise_rates_with(
        noise_matrix,
        ColumnSums::of_layout(&noise_matrix),
    ))
}

pub(crate) fn clip_noise_rates_with(m: ArrayView2<'_, f64>, sums: ColumnSums) -> Array2<f64> {
    let mut c = m.mapv(|v| clip(v, 0.0, 0.9999));
    for (i, d) in m.diag().iter().enumerate() {
        c[[i, i]] = *d;
    }
    let s = sums.sums(&c.view());
    for mut row in c.rows_mut() {
        for (v, &sj) in row.iter_mut().zip(&s) {
            *v /= sj.max(TINY_VALUE);
        }
    }
    c
}

pub(crate) fn require_square(m: &ArrayView2<'_, f64>, what: &'static str) -> Result<()> {
    let (r, c) = m.dim();
    if r == c && r > 0 {
        Ok(())
    } else {
        Err(CoreError::Shape {
            what,
            expected: "a non-empty square matrix".into(),
            found: format!("{r}×{c}"),
        })
    }
}

/// Makes `class_without_noise` noise-free (PU learning; cleanlab's
/// `remove_noise_from_class`): zeroes the off-diagonal entries of its row, then sets every
/// diagonal entry to `1 - (column sum - diagonal)` so columns sum to one.
pub fn remove_noise_from_class(
    noise_matrix: ArrayView2<'_, f64>,
    class_without_noise: usize,
) -> Result<Array2<f64>> {
    require_square(&noise_matrix, "noise_matrix")?;
    let k = noise_matrix.nrows();
    if class_without_noise >= k {
        return Err(CoreError::InvalidParameter {
            name: "class_without_noise",
            reason: format!("{class_without_noise} is not a class index in 0..{k}"),
        });
    }
    let mut x = noise_matrix.to_owned();
    for j in 0..k {
        if j != class_without_noise {
            x[[class_without_noise, j]] = 0.0;
        }
    }
    let s = ColumnSums::Sequential.sums(&x.view());
    for j in 0..k {
        x[[j, j]] = 1.0 - (s[j] - x[[j, j]]);
    }
    Ok(x)
}

/// F1 estimate for PU learning from noisy labels only (cleanlab's `estimate_pu_f1`):
/// `recall² / (2 · fraction predicted positive)`, predicting positive where
/// `prob_s_eq_1 >= 0.5`, recall measured against `s == 1`. NaN when no example is positive
/// in `s` or none is predicted positive (cleanlab's 0/0).
pub fn estimate_pu_f1(s: &[bool], prob_s_eq_1: &[f64]) -> Result<f64> {
    if s.len() != prob_s_eq_1.len() {
        return Err(CoreError::Shape {
            what: "s and prob_s_eq_1",
            expected: format!("{} probabilities", s.len()),
            found: format!("{}", prob_s_eq_1.len()),
        });
    }
    let n = s.len();
    let mut positives = 0usize;
    let mut predicted = 0usize;
    let mut true_pos = 0usize;
    for (&si, &p) in s.iter().zip(prob_s_eq_1) {
        let pred = p >= 0.5;
        positives += usize::from(si);
        predicted += usize::from(pred);
        true_pos += usize::from(si && pred);
    }
    if positives == 0 || predicted == 0 {
        return Ok(f64::NAN);
    }
    let recall = true_pos as f64 / positives as f64;
    let frac_pred = predicted as f64 / n as f64;
    Ok(recall * recall / (2.0 * frac_pred))
}

fn check_same_len(a: usize, b: usize, what: &'static str) -> Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(CoreError::Shape {
            what,
            expected: format!("equal lengths ({a})"),
            found: format!("{b}"),
        })
    }
}

/// Confusion matrix with cleanlab's semantics (`internal.util.confusion_matrix`): rows are
/// the distinct values of `true_labels` in ascending order, columns the distinct values of
/// `pred`; entry `[r, c]` counts positions with the r-th true value and the c-th predicted
/// value. Counts are returned as integers (cleanlab returns them as floats).
///
/// Not the usual K×K matrix unless every class occurs in both inputs; see
/// [`confusion_matrix_k`].
pub fn confusion_matrix(true_labels: &[usize], pred: &[usize]) -> Result<Array2<i64>> {
    check_same_len(true_labels.len(), pred.len(), "true and pred")?;
    let rank = |v: &[usize]| -> (Vec<usize>, Vec<usize>) {
        let mut u = v.to_vec();
        u.sort_unstable();
        u.dedup();
        let idx = v
            .iter()
            .map(|x| u.binary_search(x).unwrap_or_default())
            .collect();
        (u, idx)
    };
    let (ut, it) = rank(true_labels);
    let (up, ip) = rank(pred);
    let mut m = Array2::<i64>::zeros((ut.len(), up.len()));
    for (&r, &c) in it.iter().zip(&ip) {
        m[[r, c]] += 1;
    }
    Ok(m)
}

/// K×K confusion matrix: `[t, p]` counts positions with true class `t` and predicted class
/// `p`, for classes `0..num_classes` (zero rows/columns for absent classes).
pub fn confusion_matrix_k(
    true_labels: &[usize],
    pred: &[usize],
    num_classes: usize,
) -> Result<Array2<i64>> {
    check_same_len(true_labels.len(), pred.len(), "true and pred")?;
    let mut m = Array2::<i64>::zeros((num_classes, num_classes));
    for (row, (&t, &p)) in true_labels.iter().zip(pred).enumerate() {
        let bad = if t >= num_classes {
            Some(t)
        } else if p >= num_classes {
            Some(p)
        } else {
            None
        };
        if let Some(label) = bad {
            return Err(CoreError::LabelOutOfRange {
                row,
                label: i64::try_from(label).unwrap_or(i64::MAX),
                num_classes,
            });
        }
        m[[t, p]] += 1;
    }
    Ok(m)
}

/// One-hot encoding: an N×K matrix of 0/1 with a 1 at `[i, labels[i]]`.
pub fn one_hot(labels: &[usize], num_classes: usize) -> Result<Array2<f64>> {
    let mut m = Array2::<f64>::zeros((labels.len(), num_classes));
    for (row, (&l, mut r)) in labels.iter().zip(m.axis_iter_mut(Axis(0))).enumerate() {
        if l >= num_classes {
            return Err(CoreError::LabelOutOfRange {
                row,
                label: i64::try_from(l).unwrap_or(i64::MAX),
                num_classes,
            });
        }
        r[l] = 1.0;
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn pairwise_sum_simple_cases() {
        assert_eq!(pairwise_sum(&[]), 0.0);
        assert_eq!(pairwise_sum(&[-0.0]).to_bits(), 0.0f64.to_bits());
        let v: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.5).collect();
        assert_eq!(pairwise_sum(&v), 249_750.0);
    }

    #[test]
    fn value_counts_semantics() {
        assert_eq!(value_counts(&[2, 0, 2], None).unwrap(), vec![1, 2]);
        assert_eq!(value_counts(&[0, 2], Some(2)).unwrap(), vec![1, 1]);
        assert_eq!(
            value_counts(&[0, 2, 2], Some(5)).unwrap(),
            vec![1, 0, 2, 0, 0]
        );
        assert!(value_counts(&[0, 2, 3], Some(2)).is_err());
        assert_eq!(value_counts(&[], Some(2)).unwrap(), vec![0, 0]);
    }

    #[test]
    fn rounding_examples() {
        assert_eq!(
            round_preserving_sum(&[0.5, 1.5, 2.5, 0.5]).unwrap(),
            vec![0, 2, 2, 1]
        );
        assert_eq!(round_preserving_sum(&[1.5, 1.5]).unwrap(), vec![1, 2]);
        assert_eq!(round_preserving_sum(&[]).unwrap(), Vec::<i64>::new());
        assert!(round_preserving_sum(&[f64::NAN]).is_err());
        assert!(round_preserving_sum(&[1e300]).is_err());
    }

    #[test]
    fn one_hot_and_confusion() {
        assert_eq!(
            one_hot(&[1, 0], 3).unwrap(),
            array![[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
        );
        assert!(one_hot(&[3], 3).is_err());
        assert_eq!(
            confusion_matrix_k(&[0, 1, 1], &[1, 1, 0], 2).unwrap(),
            array![[0, 1], [1, 1]]
        );
        assert!(confusion_matrix_k(&[0, 2], &[0, 0], 2).is_err());
        assert!(confusion_matrix(&[0], &[0, 1]).is_err());
        assert_eq!(confusion_matrix(&[], &[]).unwrap().dim(), (0, 0));
    }

    #[test]
    fn pu_f1_degenerate_is_nan() {
        assert!(
            estimate_pu_f1(&[false, false], &[0.9, 0.1])
                .unwrap()
                .is_nan()
        );
        assert!(estimate_pu_f1(&[true], &[0.1]).unwrap().is_nan());
    }
}
