//! # cl-learn
//!
//! Find label issues with **any classifier** and learn from the cleaned data: cleanlab
//! 2.9.0's `CleanLearning` and the cross-validation helpers of `cleanlab.count`, on top of
//! cl-core (counting, latent estimates), cl-rank (label quality) and cl-filter (the filter).
//!
//! * [`folds`]: [`StratifiedKFold`], fold for fold identical to scikit-learn 1.9's
//!   `StratifiedKFold(n_splits, shuffle=True, random_state=seed)`.
//! * [`cv`]: cross-validated `pred_probs`, confident joint and noise matrices
//!   (`estimate_cv_predicted_probabilities` and friends). Folds are fitted in parallel on
//!   rayon's current pool; the classifier is borrowed, never cloned.
//! * [`CleanLearning`]: `find_label_issues` (by cross-validation or from given `pred_probs`,
//!   a [`LabelIssues`] table), `fit` (drop the issues, weight classes by the noise matrix,
//!   retrain), `predict`, `predict_proba`, `score`.
//! * [`models`]: built-in [`LogisticRegression`](models::LogisticRegression) (scikit-learn's
//!   default objective and L-BFGS stopping rules) and [`GaussianNB`](models::GaussianNB).
//!   Any type implementing [`cl_core::traits::ProbabilisticClassifier`] works.
//! * [`demo`]: a deterministic synthetic dataset with known label errors and the whole
//!   CleanLearning run on it (`cleanlab demo`).
//!
//! Warnings that cleanlab or scikit-learn print are returned as [`LearnWarning`]s.
//! Results are identical for every rayon thread count.
//!
//! ```
//! use cl_learn::{CleanLearning, FindIssuesArgs};
//! use cl_learn::models::GaussianNB;
//! use cl_core::rng::NumpyRng;
//! use ndarray::Array2;
//!
//! // Three Gaussian clusters; every 25th label is replaced by the next class.
//! let mut rng = NumpyRng::new(0);
//! let n = 300;
//! let truth: Vec<usize> = (0..n).map(|i| i % 3).collect();
//! let x = Array2::from_shape_fn((n, 2), |(i, j)| {
//!     4.0 * (truth[i] as f64) * (j as f64 + 1.0) + rng.standard_normal()
//! });
//! let labels: Vec<usize> = truth
//!     .iter()
//!     .enumerate()
//!     .map(|(i, &y)| if i % 25 == 0 { (y + 1) % 3 } else { y })
//!     .collect();
//!
//! let mut cl = CleanLearning::builder(GaussianNB::default()).seed(Some(0)).build();
//! let issues = cl.find_label_issues(Some(x.view()), &labels, &FindIssuesArgs::default())?;
//! let found = issues.issue_indices();
//! assert!(found.iter().all(|i| i % 25 == 0)); // every flagged label was flipped
//! assert!(found.len() >= 10); // and most of the 12 flips are found
//! # Ok::<(), cl_learn::LearnError>(())
//! ```

pub mod clean_learning;
pub mod cv;
pub mod demo;
mod error;
pub mod folds;
pub mod models;

pub use clean_learning::{
    CleanLearning, CleanLearningBuilder, FindIssuesArgs, FitArgs, GivenLabelIssues, LabelIssues,
};
pub use cv::{
    CvOptions, CvPredictions, estimate_confident_joint_and_cv_pred_proba,
    estimate_cv_predicted_probabilities, estimate_noise_matrices,
    estimate_py_noise_matrices_and_cv_pred_proba,
};
pub use error::{LearnError, LearnWarning, Result};
pub use folds::{Folds, StratifiedKFold};
