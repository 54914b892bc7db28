//! Prune-count matrices: how many examples to flag per (true class, given class) cell.

use ndarray::{Array2, ArrayView2};

use crate::Result;

/// Raises each column's diagonal to at least `n` examples, taking the increase evenly from
/// the column's non-zero off-diagonal entries, then applies [`reduce_prune_counts`]
/// (cleanlab's `_keep_at_least_n_per_class`). `prune_count_matrix` is the transposed
/// confident joint (rows = true class, columns = given class).
pub fn keep_at_least_n_per_class(
    prune_count_matrix: ArrayView2<'_, i64>,
    n: usize,
    frac_noise: f64,
) -> Array2<i64> {
    let k = prune_count_matrix.nrows();
    let mut out = prune_count_matrix.mapv(|v| v as f64);
    for c in 0..k {
        let diag = out[[c, c]];
        let raised = diag.max(n as f64);
        let increase = raised - diag;
        let nonzero = prune_count_matrix
            .column(c)
            .iter()
            .filter(|&&v| v != 0)
            .count();
        let subtract = increase / (nonzero.saturating_sub(1).max(1)) as f64;
        for r in 0..k {
            let v = out[[r, c]] - subtract;
            out[[r, c]] = if v < 0.0 { 0.0 } else { v };
        }
        out[[c, c]] = raised;
    }
    reduce_prune_counts_f64(&out, frac_noise)
}

/// Multiplies the off-diagonal counts by `frac_noise`, moves the removed mass of each
/// column onto its diagonal, and truncates toward zero (cleanlab's `_reduce_prune_counts`).
pub fn reduce_prune_counts(
    prune_count_matrix: ArrayView2<'_, i64>,
    frac_noise: f64,
) -> Array2<i64> {
    reduce_prune_counts_f64(&prune_count_matrix.mapv(|v| v as f64), frac_noise)
}

fn reduce_prune_counts_f64(m: &Array2<f64>, frac_noise: f64) -> Array2<i64> {
    let k = m.nrows();
    let mut out = m * frac_noise;
    for c in 0..k {
        out[[c, c]] = m[[c, c]];
    }
    for c in 0..k {
        let removed: f64 = (0..k).map(|r| m[[r, c]] - out[[r, c]]).sum();
        out[[c, c]] += removed;
    }
    out.mapv(|v| v.trunc() as i64)
}

/// The prune-count matrix that removes `targets[i]` examples of each class (cleanlab's
/// handling of `num_to_remove_per_class`, including its normalisation, which divides column
/// j by the sum of row j).
pub(crate) fn counts_from_targets(
    prune_counts: ArrayView2<'_, i64>,
    targets: &[usize],
    class_counts: &[usize],
) -> Result<Array2<i64>> {
    let k = prune_counts.nrows();
    let row_sums: Vec<f64> = (0..k)
        .map(|r| prune_counts.row(r).iter().map(|&v| v as f64).sum())
        .collect();
    let mut t = Array2::<f64>::zeros((k, k));
    for i in 0..k {
        let s: Vec<f64> = (0..k)
            .map(|j| prune_counts[[i, j]] as f64 / row_sums[j].max(f64::MIN_POSITIVE))
            .collect();
        let noise: f64 = s.iter().sum::<f64>() - s[i];
        let r = targets[i] as f64;
        for j in 0..k {
            // cleanlab divides by a zero noise estimate here and carries NaN on; with no
            // estimated noise there is nothing to distribute, so the row stays zero.
            t[[i, j]] = if r == 0.0 || noise <= 0.0 {
                0.0
            } else {
                s[j] * r / noise
            };
        }
        t[[i, i]] = class_counts[i] as f64 - r;
    }
    Ok(cl_core::util::round_preserving_row_totals(t.view())?)
}
