//! Latent estimates (priors and noise matrices) from a confident joint.

use ndarray::{Array1, Array2, ArrayView2};

use crate::constants::TINY_VALUE;
use crate::error::Result;
use crate::float::Real;
use crate::input::{Labels, PredProbs};
use crate::latent::{PyMethod, compute_py, inv_noise_matrix_impl, noise_matrix_from_inverse_impl};
use crate::util::{ColumnSums, clip_noise_rates_with, clip_values};

use super::check_pair;
use super::joint::{
    ConfidentJointOptions, compute_confident_joint, int_col_sums, int_row_sums, require_joint_shape,
};

/// Lower clip of `py` after latent convergence (cleanlab uses 1e-5 here, not 1e-6).
const CONVERGED_PY_LOWER_BOUND: f64 = 1e-5;
/// Outer iterations of the convergence (noise matrix updates).
const NOISE_MATRIX_ITERATIONS: usize = 3;
/// Inner iterations of the convergence (inverse noise matrix and `py` updates).
const INV_NOISE_MATRIX_ITERATIONS: usize = 5;

/// The latent estimates of [`estimate_latent`].
#[derive(Debug, Clone, PartialEq)]
pub struct LatentEstimates {
    /// Prior of the true labels, `P(true = j)` (length K, sums to 1).
    pub py: Array1<f64>,
    /// `P(label = i | true = j)` at `[i, j]` (columns sum to 1).
    pub noise_matrix: Array2<f64>,
    /// `P(true = j | label = i)` at `[j, i]` (columns sum to 1).
    pub inverse_noise_matrix: Array2<f64>,
}

/// The result of [`estimate_py_and_noise_matrices_from_probabilities`].
#[derive(Debug, Clone, PartialEq)]
pub struct NoiseEstimates {
    /// Prior of the true labels.
    pub py: Array1<f64>,
    /// The noise matrix `P(label | true)`.
    pub noise_matrix: Array2<f64>,
    /// The inverse noise matrix `P(true | label)`.
    pub inverse_noise_matrix: Array2<f64>,
    /// The confident joint the estimates were computed from.
    pub confident_joint: Array2<i64>,
}

/// Estimates `py`, the noise matrix and the inverse noise matrix from a confident joint
/// (cleanlab's `estimate_latent`).
///
/// `ps = label counts / N`; `nm = cj / colsum(cj)`; `inv = cjᵀ / rowsum(cj)` (denominators
/// floored at 1e-100); `py` by [`compute_py`] with the confident joint's column sums as the
/// true-label counts; both matrices then pass through
/// [`clip_noise_rates`](crate::util::clip_noise_rates). With `converge_latent_estimates`,
/// 3 × 5 fixed-point iterations follow (inner: `inv` from `py` and `nm`, then `py` by
/// [`PyMethod::Cnt`]; outer: `nm` from `inv`), then `py` is clipped to `[1e-5, 1]` with sum
/// 1 and both matrices are clipped again.
///
/// `confident_joint` must be K×K with K = `labels.num_classes()`. [`PyMethod::Eqn`] with a
/// singular noise matrix (e.g. a class never guessed) gives
/// [`CoreError::Singular`](crate::CoreError::Singular), as cleanlab raises `LinAlgError`.
pub fn estimate_latent(
    confident_joint: ArrayView2<'_, i64>,
    labels: &Labels<'_>,
    py_method: PyMethod,
    converge_latent_estimates: bool,
) -> Result<LatentEstimates> {
    let k = labels.num_classes();
    require_joint_shape(&confident_joint, k)?;
    let n = labels.len() as f64;
    let ps: Array1<f64> = labels
        .class_counts()
        .iter()
        .map(|&c| c as f64 / n)
        .collect();
    let col = int_col_sums(&confident_joint);
    let row = int_row_sums(&confident_joint);
    let nm = Array2::from_shape_fn((k, k), |(i, j)| {
        confident_joint[[i, j]] as f64 / col[j].max(TINY_VALUE)
    });
    let inv = Array2::from_shape_fn((k, k), |(a, b)| {
        confident_joint[[b, a]] as f64 / row[b].max(TINY_VALUE)
    });
    let mut py = compute_py(
        ps.view(),
        nm.view(),
        inv.view(),
        py_method,
        Some(col.view()),
    )?;
    // cleanlab's `nm` is row-major (column sums accumulate row by row) and its `inv` is a
    // transposed, column-major array (pairwise column sums); the same holds after each
    // convergence step.
    let mut nm = clip_noise_rates_with(nm.view(), ColumnSums::Sequential);
    let mut inv = clip_noise_rates_with(inv.view(), ColumnSums::Pairwise);
    if converge_latent_estimates {
        for _ in 0..NOISE_MATRIX_ITERATIONS {
            for _ in 0..INV_NOISE_MATRIX_ITERATIONS {
                inv = inv_noise_matrix_impl(py.view(), nm.view(), Some(ps.view()), true);
                py = compute_py(ps.view(), nm.view(), inv.view(), PyMethod::Cnt, None)?;
            }
            nm = noise_matrix_from_inverse_impl(ps.view(), inv.view(), Some(py.view()), false);
        }
        py = Array1::from(clip_values(
            &py.to_vec(),
            CONVERGED_PY_LOWER_BOUND,
            1.0,
            Some(1.0),
        ));
        nm = clip_noise_rates_with(nm.view(), ColumnSums::Sequential);
        inv = clip_noise_rates_with(inv.view(), ColumnSums::Pairwise);
    }
    Ok(LatentEstimates {
        py,
        noise_matrix: nm,
        inverse_noise_matrix: inv,
    })
}

/// Options of [`estimate_py_and_noise_matrices_from_probabilities`].
///
/// ```
/// use cl_core::count::EstimateOptions;
/// use cl_core::latent::PyMethod;
///
/// let opts = EstimateOptions::default().py_method(PyMethod::Marginal).converge_latent_estimates(false);
/// assert!(opts.calibrate && !opts.converge_latent_estimates);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EstimateOptions {
    /// Per-class thresholds instead of computed ones. Default `None`.
    pub thresholds: Option<Vec<f64>>,
    /// Run the latent convergence iterations. Default **`true`** (as cleanlab here).
    pub converge_latent_estimates: bool,
    /// How to estimate `py`. Default [`PyMethod::Cnt`].
    pub py_method: PyMethod,
    /// Calibrate the confident joint. Default `true`.
    pub calibrate: bool,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        Self {
            thresholds: None,
            converge_latent_estimates: true,
            py_method: PyMethod::Cnt,
            calibrate: true,
        }
    }
}

impl EstimateOptions {
    /// Sets the thresholds.
    #[must_use]
    pub fn thresholds(mut self, thresholds: Vec<f64>) -> Self {
        self.thresholds = Some(thresholds);
        self
    }
    /// Sets whether to converge the latent estimates.
    #[must_use]
    pub fn converge_latent_estimates(mut self, yes: bool) -> Self {
        self.converge_latent_estimates = yes;
        self
    }
    /// Sets the `py` method.
    #[must_use]
    pub fn py_method(mut self, method: PyMethod) -> Self {
        self.py_method = method;
        self
    }
    /// Sets whether to calibrate the confident joint.
    #[must_use]
    pub fn calibrate(mut self, yes: bool) -> Self {
        self.calibrate = yes;
        self
    }
}

/// [`compute_confident_joint`] followed by [`estimate_latent`] (cleanlab's
/// `estimate_py_and_noise_matrices_from_probabilities`).
///
/// ```
/// use cl_core::count::{EstimateOptions, estimate_py_and_noise_matrices_from_probabilities};
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let p = array![
///     [0.9, 0.1, 0.0], [0.6, 0.2, 0.2], [0.1, 0.0, 0.9],
///     [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1],
///     [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8],
/// ];
/// let (labels, probs) = validate(&[0_i64, 0, 1, 1, 1, 1, 1, 1, 1, 2], p.view())?;
/// let est = estimate_py_and_noise_matrices_from_probabilities(&labels, &probs, &EstimateOptions::default())?;
/// for (a, b) in est.py.iter().zip([0.2, 0.6, 0.2]) {
///     assert!((a - b).abs() < 1e-12);
/// }
/// assert!((est.noise_matrix[[1, 2]] - 0.5).abs() < 1e-12);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
pub fn estimate_py_and_noise_matrices_from_probabilities<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    options: &EstimateOptions,
) -> Result<NoiseEstimates> {
    check_pair(labels, pred_probs)?;
    let mut cj_opts = ConfidentJointOptions::default().calibrate(options.calibrate);
    cj_opts.thresholds.clone_from(&options.thresholds);
    let cj = compute_confident_joint(labels, pred_probs, &cj_opts)?.joint;
    let est = estimate_latent(
        cj.view(),
        labels,
        options.py_method,
        options.converge_latent_estimates,
    )?;
    Ok(NoiseEstimates {
        py: est.py,
        noise_matrix: est.noise_matrix,
        inverse_noise_matrix: est.inverse_noise_matrix,
        confident_joint: cj,
    })
}
