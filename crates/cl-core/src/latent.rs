//! Latent algebra (cleanlab's `internal/latent_algebra.py`): conversions between the
//! prior of the given labels `ps = P(label = i)`, the prior of the true labels
//! `py = P(true = j)`, the noise matrix `P(label = i | true = j)` and the inverse noise
//! matrix `P(true = j | label = i)`.
//!
//! Both matrices are K×K and **column-stochastic**: the noise matrix is indexed
//! `[given, true]`, the inverse noise matrix `[true, given]`, and each column sums to one.
//!
//! # Parity
//!
//! Element-wise operations follow cleanlab's operation order, and sums follow the order
//! numpy uses for the memory layouts cleanlab's intermediates have, so most results are
//! bit-identical. Matrix inverses (used by [`PyMethod::Eqn`] and
//! [`compute_py_inv_noise_matrix`]) use faer's partially pivoted LU where numpy calls
//! LAPACK, and matrix–vector products are summed left to right where numpy calls BLAS:
//! those results agree with cleanlab to about `1e-12` relative (tests use `1e-9`).
//!
//! ```
//! use cl_core::latent::{compute_inv_noise_matrix, compute_noise_matrix_from_inverse};
//! use ndarray::array;
//!
//! let noise = array![[0.8, 0.1], [0.2, 0.9]];
//! let py = array![0.5, 0.5];
//! let inv = compute_inv_noise_matrix(py.view(), noise.view(), None)?;
//! // P(true = 0 | label = 0) = 0.8·0.5 / (0.8·0.5 + 0.1·0.5)
//! assert!((inv[[0, 0]] - 0.8 / 0.9).abs() < 1e-15);
//! let ps = array![0.45, 0.55];
//! let back = compute_noise_matrix_from_inverse(ps.view(), inv.view(), None)?;
//! assert!((back[[1, 1]] - 0.9).abs() < 1e-12);
//! # Ok::<(), cl_core::CoreError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use faer::linalg::solvers::DenseSolveCore;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::constants::{CLIPPING_LOWER_BOUND, TINY_VALUE};
use crate::error::{CoreError, Result};
use crate::float::Real;
use crate::input::{Labels, PredProbs};
use crate::util::{
    ColumnSums, clip_noise_rates_with, clip_values, pairwise_sum, pairwise_sum_iter, require_square,
};

/// How [`compute_py`] estimates the prior of the true labels (cleanlab's `py_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PyMethod {
    /// `"cnt"` (default): `py_j = inv[j,j] / nm[j,j] · ps_j`.
    #[default]
    Cnt,
    /// `"eqn"`: `py = nm⁻¹ · ps` (true matrix inverse).
    Eqn,
    /// `"marginal"`: the column sums of the confident joint, normalised.
    Marginal,
    /// `"marginal_ps"`: `py = inv · ps`.
    MarginalPs,
}

impl PyMethod {
    /// cleanlab's name of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            PyMethod::Cnt => "cnt",
            PyMethod::Eqn => "eqn",
            PyMethod::Marginal => "marginal",
            PyMethod::MarginalPs => "marginal_ps",
        }
    }
}

impl fmt::Display for PyMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PyMethod {
    type Err = CoreError;

    /// Parses cleanlab's names `"cnt"`, `"eqn"`, `"marginal"`, `"marginal_ps"`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "cnt" => Ok(PyMethod::Cnt),
            "eqn" => Ok(PyMethod::Eqn),
            "marginal" => Ok(PyMethod::Marginal),
            "marginal_ps" => Ok(PyMethod::MarginalPs),
            other => Err(CoreError::InvalidParameter {
                name: "py_method",
                reason: format!("py_method {other} should be in [cnt, eqn, marginal, marginal_ps]"),
            }),
        }
    }
}

fn require_len(v: &ArrayView1<'_, f64>, k: usize, what: &'static str) -> Result<()> {
    if v.len() == k {
        Ok(())
    } else {
        Err(CoreError::Shape {
            what,
            expected: format!("length {k}"),
            found: format!("length {}", v.len()),
        })
    }
}

/// Inverse of a square matrix via faer's partially pivoted LU. A zero pivot (exactly
/// singular, as LAPACK's `dgesv` reports it) or a non-finite result gives
/// [`CoreError::Singular`].
pub(crate) fn inverse(m: ArrayView2<'_, f64>, what: &'static str) -> Result<Array2<f64>> {
    let k = m.nrows();
    let fm = faer::Mat::<f64>::from_fn(k, k, |i, j| m[[i, j]]);
    let lu = fm.partial_piv_lu();
    let u = lu.U();
    if (0..k).any(|i| u[(i, i)] == 0.0 || !u[(i, i)].is_finite()) {
        return Err(CoreError::Singular { what });
    }
    let inv = lu.inverse();
    let out = Array2::from_shape_fn((k, k), |(i, j)| inv[(i, j)]);
    if out.iter().any(|v| !v.is_finite()) {
        return Err(CoreError::Singular { what });
    }
    Ok(out)
}

/// `m · v`, each entry summed left to right.
fn mat_vec(m: &ArrayView2<'_, f64>, v: &ArrayView1<'_, f64>) -> Array1<f64> {
    m.rows()
        .into_iter()
        .map(|r| r.iter().zip(v).fold(0.0, |acc, (a, b)| acc + a * b))
        .collect()
}

/// `ps = value_counts(labels) / N`, then [`compute_py_inv_noise_matrix`] (cleanlab's
/// `compute_ps_py_inv_noise_matrix`). Returns `(ps, py, inverse_noise_matrix)`.
///
/// As in cleanlab, every class must occur in the labels (otherwise `ps` would be shorter
/// than K): [`CoreError::Shape`].
pub fn compute_ps_py_inv_noise_matrix(
    labels: &Labels<'_>,
    noise_matrix: ArrayView2<'_, f64>,
) -> Result<(Array1<f64>, Array1<f64>, Array2<f64>)> {
    require_square(&noise_matrix, "noise_matrix")?;
    let counts: Vec<usize> = labels
        .class_counts()
        .iter()
        .copied()
        .filter(|&c| c > 0)
        .collect();
    if counts.len() != noise_matrix.nrows() {
        return Err(CoreError::Shape {
            what: "labels and noise_matrix",
            expected: format!("{} distinct classes in labels", noise_matrix.nrows()),
            found: format!("{}", counts.len()),
        });
    }
    let n = labels.len() as f64;
    let ps: Array1<f64> = counts.iter().map(|&c| c as f64 / n).collect();
    let (py, inv) = compute_py_inv_noise_matrix(ps.view(), noise_matrix)?;
    Ok((ps, py, inv))
}

/// `py = clip_values(nm⁻¹ · ps, 1e-6, 1, new_sum = 1)` and the inverse noise matrix from
/// [`compute_inv_noise_matrix`] with that `py` and the given `ps` (cleanlab's
/// `compute_py_inv_noise_matrix`). Returns `(py, inverse_noise_matrix)`.
///
/// A singular noise matrix gives [`CoreError::Singular`] (numpy: `LinAlgError`).
pub fn compute_py_inv_noise_matrix(
    ps: ArrayView1<'_, f64>,
    noise_matrix: ArrayView2<'_, f64>,
) -> Result<(Array1<f64>, Array2<f64>)> {
    require_square(&noise_matrix, "noise_matrix")?;
    require_len(&ps, noise_matrix.nrows(), "ps")?;
    let inv_nm = inverse(noise_matrix, "noise_matrix")?;
    let raw = mat_vec(&inv_nm.view(), &ps);
    let py = Array1::from(clip_values(
        &raw.to_vec(),
        CLIPPING_LOWER_BOUND,
        1.0,
        Some(1.0),
    ));
    let inv = compute_inv_noise_matrix(py.view(), noise_matrix, Some(ps))?;
    Ok((py, inv))
}

/// The inverse noise matrix from `py` and the noise matrix (cleanlab's
/// `compute_inv_noise_matrix`): `joint[i,j] = nm[i,j]·py_j`; `ps` defaults to the row sums
/// of the joint; `inv[j,i] = joint[i,j] / max(ps_i, 1e-100)`; then
/// [`clip_noise_rates`](crate::util::clip_noise_rates).
pub fn compute_inv_noise_matrix(
    py: ArrayView1<'_, f64>,
    noise_matrix: ArrayView2<'_, f64>,
    ps: Option<ArrayView1<'_, f64>>,
) -> Result<Array2<f64>> {
    require_square(&noise_matrix, "noise_matrix")?;
    let k = noise_matrix.nrows();
    require_len(&py, k, "py")?;
    if let Some(ps) = &ps {
        require_len(ps, k, "ps")?;
    }
    // numpy: a row-major noise matrix gives a row-major joint (pairwise row sums) and a
    // column-major `inv` (pairwise column sums in clip_noise_rates); column-major the
    // other way round.
    let row_major = ColumnSums::of_layout(&noise_matrix) == ColumnSums::Sequential;
    Ok(inv_noise_matrix_impl(py, noise_matrix, ps, row_major))
}

pub(crate) fn inv_noise_matrix_impl(
    py: ArrayView1<'_, f64>,
    noise_matrix: ArrayView2<'_, f64>,
    ps: Option<ArrayView1<'_, f64>>,
    nm_row_major: bool,
) -> Array2<f64> {
    let k = noise_matrix.nrows();
    let joint = Array2::from_shape_fn((k, k), |(i, j)| noise_matrix[[i, j]] * py[j]);
    let ps: Array1<f64> = match ps {
        Some(ps) => ps.to_owned(),
        None if nm_row_major => joint
            .rows()
            .into_iter()
            .map(|r| pairwise_sum_iter(r.iter().copied()))
            .collect(),
        None => joint
            .rows()
            .into_iter()
            .map(|r| r.iter().fold(0.0, |a, &b| a + b))
            .collect(),
    };
    let inv = Array2::from_shape_fn((k, k), |(a, b)| joint[[b, a]] / ps[b].max(TINY_VALUE));
    let sums = if nm_row_major {
        ColumnSums::Pairwise
    } else {
        ColumnSums::Sequential
    };
    clip_noise_rates_with(inv.view(), sums)
}

/// The noise matrix from `ps` and the inverse noise matrix (cleanlab's
/// `compute_noise_matrix_from_inverse`): `joint[i,j] = inv[j,i]·ps_i`; `py` defaults to the
/// column sums of the joint; `nm[i,j] = joint[i,j] / max(py_j, 1e-100)`; then
/// [`clip_noise_rates`](crate::util::clip_noise_rates).
pub fn compute_noise_matrix_from_inverse(
    ps: ArrayView1<'_, f64>,
    inverse_noise_matrix: ArrayView2<'_, f64>,
    py: Option<ArrayView1<'_, f64>>,
) -> Result<Array2<f64>> {
    require_square(&inverse_noise_matrix, "inverse_noise_matrix")?;
    let k = inverse_noise_matrix.nrows();
    require_len(&ps, k, "ps")?;
    if let Some(py) = &py {
        require_len(py, k, "py")?;
    }
    let row_major = ColumnSums::of_layout(&inverse_noise_matrix) == ColumnSums::Sequential;
    Ok(noise_matrix_from_inverse_impl(
        ps,
        inverse_noise_matrix,
        py,
        row_major,
    ))
}

pub(crate) fn noise_matrix_from_inverse_impl(
    ps: ArrayView1<'_, f64>,
    inv: ArrayView2<'_, f64>,
    py: Option<ArrayView1<'_, f64>>,
    inv_row_major: bool,
) -> Array2<f64> {
    let k = inv.nrows();
    // scaled[a,b] = inv[a,b]·ps_b; joint = scaled.T
    let scaled = Array2::from_shape_fn((k, k), |(a, b)| inv[[a, b]] * ps[b]);
    let py: Array1<f64> = match py {
        Some(py) => py.to_owned(),
        // joint.sum(axis=0) = row sums of `scaled`: contiguous (pairwise) when `inv` is
        // row-major, accumulated row by row of the joint otherwise.
        None if inv_row_major => scaled
            .rows()
            .into_iter()
            .map(|r| pairwise_sum_iter(r.iter().copied()))
            .collect(),
        None => scaled
            .rows()
            .into_iter()
            .map(|r| r.iter().fold(0.0, |a, &b| a + b))
            .collect(),
    };
    let nm = Array2::from_shape_fn((k, k), |(i, j)| scaled[[j, i]] / py[j].max(TINY_VALUE));
    let sums = if inv_row_major {
        ColumnSums::Pairwise
    } else {
        ColumnSums::Sequential
    };
    clip_noise_rates_with(nm.view(), sums)
}

/// The prior of the true labels (cleanlab's `compute_py`), by `py_method` (see
/// [`PyMethod`]), passed through `clip_values(·, 1e-6, 1, new_sum = 1)`.
///
/// [`PyMethod::Marginal`] needs `true_labels_class_counts` (the column sums of the
/// confident joint), otherwise [`CoreError::InvalidParameter`]; [`PyMethod::Eqn`] with a
/// singular noise matrix gives [`CoreError::Singular`].
pub fn compute_py(
    ps: ArrayView1<'_, f64>,
    noise_matrix: ArrayView2<'_, f64>,
    inverse_noise_matrix: ArrayView2<'_, f64>,
    py_method: PyMethod,
    true_labels_class_counts: Option<ArrayView1<'_, f64>>,
) -> Result<Array1<f64>> {
    require_square(&noise_matrix, "noise_matrix")?;
    require_square(&inverse_noise_matrix, "inverse_noise_matrix")?;
    let k = noise_matrix.nrows();
    if inverse_noise_matrix.nrows() != k {
        return Err(CoreError::Shape {
            what: "inverse_noise_matrix",
            expected: format!("{k}×{k}"),
            found: format!("{0}×{0}", inverse_noise_matrix.nrows()),
        });
    }
    require_len(&ps, k, "ps")?;
    let raw: Vec<f64> = match py_method {
        PyMethod::Cnt => (0..k)
            .map(|j| inverse_noise_matrix[[j, j]] / noise_matrix[[j, j]].max(TINY_VALUE) * ps[j])
            .collect(),
        PyMethod::Eqn => {
            let inv_nm = inverse(noise_matrix, "noise_matrix")?;
            mat_vec(&inv_nm.view(), &ps).to_vec()
        }
        PyMethod::Marginal => {
            let counts = true_labels_class_counts.ok_or_else(|| CoreError::InvalidParameter {
                name: "true_labels_class_counts",
                reason: "py_method == \"marginal\" requires true_labels_class_counts, but \
                         true_labels_class_counts is None.  Provide parameter \
                         true_labels_class_counts."
                    .into(),
            })?;
            require_len(&counts, k, "true_labels_class_counts")?;
            let v: Vec<f64> = counts.to_vec();
            let total = pairwise_sum(&v).max(TINY_VALUE);
            v.iter().map(|c| c / total).collect()
        }
        PyMethod::MarginalPs => mat_vec(&inverse_noise_matrix, &ps).to_vec(),
    };
    Ok(Array1::from(clip_values(
        &raw,
        CLIPPING_LOWER_BOUND,
        1.0,
        Some(1.0),
    )))
}

/// `P(true = j | x_i)` from `pred_probs` (cleanlab's `compute_pyx`):
/// `p[i,j] · inv[j,j] / max(nm[j,j], 1e-100)`, then each row clipped to `[0, 1]` and
/// rescaled to sum to one ([`clip_values`]). Computed in `f64` for either input type
/// (numpy promotes the `f32` product to `f64` too).
pub fn compute_pyx<T: Real>(
    pred_probs: &PredProbs<'_, T>,
    noise_matrix: ArrayView2<'_, f64>,
    inverse_noise_matrix: ArrayView2<'_, f64>,
) -> Result<Array2<f64>> {
    let k = pred_probs.num_classes();
    for (m, what) in [
        (&noise_matrix, "noise_matrix"),
        (&inverse_noise_matrix, "inverse_noise_matrix"),
    ] {
        if m.dim() != (k, k) {
            return Err(CoreError::Shape {
                what,
                expected: format!("{k}×{k}"),
                found: format!("{}×{}", m.nrows(), m.ncols()),
            });
        }
    }
    let view = pred_probs.view();
    let mut out = Array2::<f64>::zeros((pred_probs.num_rows(), k));
    let mut row_buf = vec![0.0; k];
    for (i, row) in view.rows().into_iter().enumerate() {
        for (j, (slot, &p)) in row_buf.iter_mut().zip(row).enumerate() {
            *slot =
                p.to_f64x() * inverse_noise_matrix[[j, j]] / noise_matrix[[j, j]].max(TINY_VALUE);
        }
        let clipped = clip_values(&row_buf, 0.0, 1.0, Some(1.0));
        for (o, v) in out.row_mut(i).iter_mut().zip(clipped) {
            *o = v;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn singular_is_an_error() {
        let m = array![[0.5, 0.5], [0.5, 0.5]];
        assert_eq!(
            inverse(m.view(), "noise_matrix"),
            Err(CoreError::Singular {
                what: "noise_matrix"
            })
        );
    }

    #[test]
    fn inverse_of_diagonal() {
        let m = array![[2.0, 0.0], [0.0, 4.0]];
        assert_eq!(
            inverse(m.view(), "m").unwrap(),
            array![[0.5, 0.0], [0.0, 0.25]]
        );
    }

    #[test]
    fn py_method_names_round_trip() {
        for m in [
            PyMethod::Cnt,
            PyMethod::Eqn,
            PyMethod::Marginal,
            PyMethod::MarginalPs,
        ] {
            assert_eq!(m.as_str().parse::<PyMethod>().unwrap(), m);
        }
        assert!("foo".parse::<PyMethod>().is_err());
    }
}
