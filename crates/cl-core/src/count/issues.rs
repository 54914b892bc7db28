//! `num_label_issues` and the "reduce issues" mask.

use ndarray::{Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::constants::FLOATING_POINT_COMPARISON;
use crate::error::Result;
use crate::float::Real;
use crate::input::{Labels, PredProbs};
use crate::util::pairwise_sum;

use super::joint::{
    calibrate_confident_joint, confident_joint_in_memory, joint_from_confident_joint,
    require_joint_shape, resolve_thresholds,
};
use super::{CHUNK_ROWS, check_pair};

/// How [`num_label_issues`] estimates the number of label issues (cleanlab's
/// `estimation_method`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EstimationMethod {
    /// `"off_diagonal"` (default): the off-diagonal examples of the confident joint, minus
    /// those where the model agrees with the given label ([`reduce_issues_mask`]).
    #[default]
    OffDiagonal,
    /// `"off_diagonal_calibrated"`: `rint((1 − trace(joint)) · N)` with the joint estimated
    /// from the calibrated confident joint.
    OffDiagonalCalibrated,
    /// `"off_diagonal_custom"`: the same formula with a user-supplied K×K confident joint
    /// (re-calibrated against the labels first).
    OffDiagonalCustom(Array2<i64>),
}

impl EstimationMethod {
    /// cleanlab's name of the method.
    pub fn as_str(&self) -> &'static str {
        match self {
            EstimationMethod::OffDiagonal => "off_diagonal",
            EstimationMethod::OffDiagonalCalibrated => "off_diagonal_calibrated",
            EstimationMethod::OffDiagonalCustom(_) => "off_diagonal_custom",
        }
    }
}

/// Whether the model "agrees" with the given label `y`: the argmax (first on ties) of the
/// row with `1e-6` added to `p[y]` is `y`.
#[inline]
pub fn agrees_with_label<T: Real>(row: ArrayView1<'_, T>, y: usize) -> bool {
    let offset = T::from_f64x(FLOATING_POINT_COMPARISON);
    if let Some(s) = row.to_slice()
        && y < s.len()
    {
        // Vectorised form of the first-index argmax test: every earlier entry must be
        // strictly below p[y] + 1e-6, every later one at most equal to it.
        let target = (s[y] + offset).to_f64x();
        return crate::kernels::max_of(&s[..y]) < target
            && crate::kernels::max_of(&s[y + 1..]) <= target;
    }
    let mut best = f64::NEG_INFINITY;
    let mut arg = 0usize;
    for (k, &p) in row.iter().enumerate() {
        // The offset is added in the element type, as numpy does for float32 arrays.
        let v = if k == y { p + offset } else { p }.to_f64x();
        if v > best {
            best = v;
            arg = k;
        }
    }
    arg == y
}

/// cleanlab's `_reduce_issues`: `true` where the model agrees with the given label (argmax
/// of `p` with 1e-6 added to the given label's entry, first on ties, equals the label), i.e.
/// where an example must **not** be flagged. The offset is added in the element type
/// (`f32` input: in `f32`, as numpy does).
///
/// ```
/// use cl_core::count::reduce_issues_mask;
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let p = array![[0.5, 0.5], [0.6, 0.4], [0.5, 0.5]];
/// let (labels, probs) = validate(&[1_i64, 1, 0], p.view())?;
/// assert_eq!(reduce_issues_mask(&labels, &probs)?, vec![true, false, true]);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
pub fn reduce_issues_mask<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
) -> Result<Vec<bool>> {
    check_pair(labels, pred_probs)?;
    let view = pred_probs.view();
    let y = labels.as_slice();
    let n = y.len();
    let chunks: Vec<Vec<bool>> = (0..n.div_ceil(CHUNK_ROWS))
        .into_par_iter()
        .map(|c| {
            let lo = c * CHUNK_ROWS;
            let hi = (lo + CHUNK_ROWS).min(n);
            (lo..hi)
                .map(|i| agrees_with_label(view.row(i), y[i]))
                .collect()
        })
        .collect();
    Ok(chunks.concat())
}

/// Estimated number of label issues (cleanlab's `num_label_issues`, single-label).
///
/// Labels must contain at least two distinct classes
/// ([`CoreError::TooFewClasses`](crate::CoreError::TooFewClasses)), as cleanlab validates
/// with `allow_one_class=False`. A custom confident joint must be K×K.
///
/// ```
/// use cl_core::count::{EstimationMethod, num_label_issues};
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let p = array![
///     [0.9, 0.1, 0.0], [0.6, 0.2, 0.2], [0.1, 0.0, 0.9],
///     [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1],
///     [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8],
/// ];
/// let (labels, probs) = validate(&[0_i64, 0, 1, 1, 1, 1, 1, 1, 1, 2], p.view())?;
/// assert_eq!(num_label_issues(&labels, &probs, &EstimationMethod::OffDiagonal)?, 1);
/// assert_eq!(num_label_issues(&labels, &probs, &EstimationMethod::OffDiagonalCalibrated)?, 1);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
pub fn num_label_issues<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    method: &EstimationMethod,
) -> Result<usize> {
    check_pair(labels, pred_probs)?;
    labels.require_classes(2)?;
    match method {
        EstimationMethod::OffDiagonal => {
            let t = resolve_thresholds(labels, pred_probs, None)?;
            let acc = confident_joint_in_memory(labels, pred_probs.view(), &t, true)?;
            let off = acc.finish(false)?.off_diagonal_indices.unwrap_or_default();
            let view = pred_probs.view();
            let y = labels.as_slice();
            Ok(off
                .par_iter()
                .filter(|&&i| !agrees_with_label(view.row(i), y[i]))
                .count())
        }
        EstimationMethod::OffDiagonalCalibrated => {
            let t = resolve_thresholds(labels, pred_probs, None)?;
            let cj = confident_joint_in_memory(labels, pred_probs.view(), &t, false)?
                .finish(true)?
                .joint;
            issues_from_confident_joint(cj.view(), labels)
        }
        EstimationMethod::OffDiagonalCustom(cj) => {
            require_joint_shape(&cj.view(), labels.num_classes())?;
            issues_from_confident_joint(cj.view(), labels)
        }
    }
}

/// `rint((1 − trace(joint)) · N)` with `joint` estimated from the re-calibrated `cj`.
fn issues_from_confident_joint(cj: ArrayView2<'_, i64>, labels: &Labels<'_>) -> Result<usize> {
    let calibrated = calibrate_confident_joint(cj, labels)?;
    let joint = joint_from_confident_joint(calibrated.view());
    let diag: Vec<f64> = joint.diag().to_vec();
    let trace = pairwise_sum(&diag);
    let n = labels.len() as f64;
    let v = ((1.0 - trace) * n).round_ties_even();
    // (1 − trace) can be a hair below 0 (rint gives -0.0, i.e. 0). Only a custom joint
    // with negative entries could give a negative count; it is reported as 0.
    Ok(if v > 0.0 { v as usize } else { 0 })
}
