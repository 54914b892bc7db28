//! The error type of `cl-outlier`.

use cl_core::CoreError;
use cl_rank::RankError;

/// Errors of `cl-outlier`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OutlierError {
    /// Invalid input detected by `cl-core` (shapes, ranges, labels, kNN parameters).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Score or fit called before the estimator it needs was fitted (cleanlab's
    /// `ValueError("OOD estimator needs to be fit on {what} first ...")`).
    #[error(
        "OOD estimator needs to be fit on {what} first. Call `fit()` or `fit_score()` before this function."
    )]
    NotFitted {
        /// `"features"` or `"pred_probs"`.
        what: &'static str,
    },
    /// `adjust_pred_probs` is on, no confident thresholds are stored and no labels were
    /// given (cleanlab's "Cannot calculate adjust_pred_probs without labels").
    #[error(
        "Cannot calculate adjust_pred_probs without labels. Either pass in labels or set adjust_pred_probs to false."
    )]
    MissingLabels,
    /// A (possibly adjusted) probability outside `[0, 1]` reached the entropy score
    /// (cleanlab's `get_normalized_entropy`, which allows no tolerance).
    #[error(
        "All probabilities are required to be in the interval [0, 1] (found {value} at row {row}, column {col})."
    )]
    ProbabilityOutOfRange {
        /// Row of the first offending value.
        row: usize,
        /// Column of the first offending value.
        col: usize,
        /// The value.
        value: f64,
    },
}

impl From<RankError> for OutlierError {
    fn from(e: RankError) -> Self {
        match e {
            RankError::Core(c) => OutlierError::Core(c),
            other => OutlierError::Core(CoreError::InvalidParameter {
                name: "pred_probs",
                reason: other.to_string(),
            }),
        }
    }
}

/// `Result` with [`OutlierError`].
pub type Result<T, E = OutlierError> = std::result::Result<T, E>;
