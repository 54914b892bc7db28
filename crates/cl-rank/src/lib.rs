//! # cl-rank
//!
//! Label quality scores for classification, as cleanlab 2.9.0's `cleanlab.rank`: one score
//! per example in `[0, 1]`, lower meaning more likely mislabeled.
//!
//! * [`get_label_quality_scores`] with a [`ScoreMethod`] (self-confidence by default,
//!   normalized margin, confidence-weighted entropy) and optional `adjust_pred_probs`.
//! * [`order_label_issues`]: flagged indices ordered from most to least likely an error.
//! * [`find_top_issues`]: the `top` lowest-scoring examples.
//! * [`get_label_quality_ensemble_scores`]: scores from several models' `pred_probs`.
//!
//! Scores are computed row by row in parallel (rayon's current pool) and are identical for
//! every thread count. `pred_probs` may be `f32` or `f64`; it is never copied.
//!
//! ```
//! use cl_core::input::validate;
//! use cl_rank::{LabelQualityOptions, ScoreMethod, get_label_quality_scores};
//! use ndarray::array;
//!
//! let p = array![[0.9, 0.1], [0.3, 0.7], [0.2, 0.8]];
//! let (labels, probs) = validate(&[0_i64, 0, 1], p.view())?;
//! let scores = get_label_quality_scores(&labels, &probs, &LabelQualityOptions::default())?;
//! assert_eq!(scores, vec![0.9, 0.3, 0.8]);
//!
//! let opts = LabelQualityOptions::new(ScoreMethod::NormalizedMargin);
//! let margins = get_label_quality_scores(&labels, &probs, &opts)?;
//! assert!((margins[1] - 0.3).abs() < 1e-12); // (0.3 - 0.7 + 1) / 2
//! # Ok::<(), cl_rank::RankError>(())
//! ```
//!
//! # Ties
//!
//! cleanlab orders by numpy's quicksort `argsort`, whose tie order depends on the CPU. Here
//! every ordering is a stable sort: equal scores keep ascending index order.

mod ensemble;
mod scores;

pub use ensemble::{EnsembleOptions, EnsembleWeighting, get_label_quality_ensemble_scores};
pub use scores::{
    LabelQualityOptions, ScoreMethod, confidence_weighted_entropy, find_top_issues,
    get_label_quality_scores, normalized_margin, order_label_issues, self_confidence,
    subtract_confident_thresholds, subtract_thresholds,
};

use cl_core::CoreError;

/// Errors of `cl-rank`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RankError {
    /// Invalid input data (shape, range, labels).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An option that cannot be combined with another.
    #[error("{0}")]
    IncompatibleOptions(String),
    /// A mask whose length differs from the number of examples.
    #[error("label_issues_mask has length {found}, expected {expected}")]
    MaskLength {
        /// Expected length (number of examples).
        expected: usize,
        /// Length found.
        found: usize,
    },
}

/// Result alias of `cl-rank`.
pub type Result<T, E = RankError> = std::result::Result<T, E>;
