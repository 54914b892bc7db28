//! The error type of `cl-learn` and the warnings its functions report.

use std::fmt;

use cl_core::CoreError;
use cl_filter::FilterError;
use cl_rank::RankError;

/// Result alias of `cl-learn`.
pub type Result<T, E = LearnError> = std::result::Result<T, E>;

/// Errors of `cl-learn`, each naming what cleanlab (or scikit-learn) raises in that case.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LearnError {
    /// Invalid input data or parameter (shape, range, labels).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An error from finding label issues.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// An error from label quality scoring.
    #[error(transparent)]
    Rank(#[from] RankError),
    /// The classifier failed to fit or predict (on a cross-validation fold, or the final fit).
    #[error("{}: {source}", match .fold { Some(f) => format!("the classifier failed on cross-validation fold {f}"), None => "the classifier failed".to_owned() })]
    Classifier {
        /// The cross-validation fold, if the failure happened inside cross-validation.
        fold: Option<usize>,
        /// The classifier's error.
        source: CoreError,
    },
    /// scikit-learn's `n_splits` check: fewer than two folds.
    #[error(
        "k-fold cross-validation requires at least one train/test split by setting n_splits=2 or more, got n_splits={n_splits}."
    )]
    TooFewSplits {
        /// The number of folds asked for.
        n_splits: usize,
    },
    /// scikit-learn: more folds than examples.
    #[error(
        "Cannot have number of splits n_splits={n_splits} greater than the number of samples: n_samples={n_samples}."
    )]
    MoreSplitsThanSamples {
        /// The number of folds asked for.
        n_splits: usize,
        /// The number of examples.
        n_samples: usize,
    },
    /// scikit-learn's `StratifiedKFold`: every class has fewer members than folds.
    #[error("n_splits={n_splits} cannot be greater than the number of members in each class.")]
    TooFewMembers {
        /// The number of folds asked for.
        n_splits: usize,
    },
    /// scikit-learn: a seed was given although the folds are not shuffled.
    #[error(
        "Setting a random_state has no effect since shuffle is False. You should leave random_state to its default (None), or set shuffle=True."
    )]
    SeedWithoutShuffle,
    /// cleanlab's `CleanLearning`: fewer examples per class (N / K) than folds.
    #[error(
        "Need more data from each class for cross-validation. Try decreasing cv_n_folds (eg. to 2 or 3) in CleanLearning()"
    )]
    NeedMoreData {
        /// Number of examples N.
        num_examples: usize,
        /// Number of classes K.
        num_classes: usize,
        /// Number of folds.
        cv_n_folds: usize,
    },
    /// Cross-validation needs every class `0..K` in the labels (K = largest label + 1);
    /// cleanlab fails with an `IndexError` here.
    #[error(
        "labels must contain every class 0..{num_classes} for cross-validation; missing: {missing:?}"
    )]
    MissingClasses {
        /// K, the largest label + 1.
        num_classes: usize,
        /// The classes absent from the labels.
        missing: Vec<usize>,
    },
    /// A given noise matrix (or inverse noise matrix) whose trace is at most 1.
    #[error("{}", if *.inverse { format!("Trace(inverse_noise_matrix) is {trace}. Must exceed 1.") } else { format!("Trace(noise_matrix) is {trace}, but must exceed 1.") })]
    NoiseMatrixTrace {
        /// Whether the inverse noise matrix was given.
        inverse: bool,
        /// Its trace.
        trace: f64,
    },
    /// Given label issues (table or mask) whose length differs from the labels.
    #[error("{}", if *.mask { "If label_issues is boolean numpy.array, must have same shape as labels" } else { "label_issues and labels must have same length" })]
    LabelIssuesLength {
        /// Number of labels.
        expected: usize,
        /// Length of the label issues.
        found: usize,
        /// Whether the issues were a mask (otherwise a table).
        mask: bool,
    },
    /// A given label issues table whose `given_label` column differs from the labels.
    #[error("labels must match label_issues['given_label']")]
    GivenLabelMismatch {
        /// First row where they differ.
        row: usize,
    },
    /// Given label issue indices that are not unique.
    #[error(
        "If label_issues.dtype is 'int', must contain unique integer indices corresponding to examples with label issues such as output by: filter.find_label_issues(..., return_indices_ranked_by=...)"
    )]
    DuplicateLabelIssueIndex {
        /// A repeated index.
        index: usize,
    },
    /// A given label issue index outside `0..N` (cleanlab: `IndexError`).
    #[error("label issue index {index} is out of bounds for {num_examples} examples")]
    LabelIssueIndexOutOfRange {
        /// The index.
        index: usize,
        /// Number of examples.
        num_examples: usize,
    },
    /// `pulearning` names a class other than 0 or 1 in a two-class problem.
    #[error("pulearning must be 0 or 1 (the class without label noise), got {0}")]
    InvalidPulearning(usize),
    /// `predict`, `predict_proba` or `score` before `fit`.
    #[error(
        "This CleanLearning instance is not fitted yet. Call 'fit' with appropriate arguments before using this estimator."
    )]
    NotFitted,
}

impl LearnError {
    /// Wraps a classifier error (fit or predict) with the fold it happened on.
    pub(crate) fn classifier(fold: Option<usize>) -> impl FnOnce(CoreError) -> LearnError {
        move |source| LearnError::Classifier { fold, source }
    }
}

/// A warning that cleanlab or scikit-learn would emit (`warnings.warn`); returned with the
/// results instead of printed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LearnWarning {
    /// scikit-learn's `StratifiedKFold`: some class has fewer members than folds (its
    /// examples then fall into fewer folds than `n_splits`).
    LeastPopulatedClass {
        /// Members of the rarest class.
        min_members: usize,
        /// The number of folds.
        n_splits: usize,
    },
    /// cleanlab's cross-validation: these classes were absent from some training fold, so one
    /// held-out example of each was also used for training there, and its held-out
    /// prediction was replaced by a one-hot vector at its label.
    DuplicatedRareClasses {
        /// The classes concerned, ascending.
        classes: Vec<usize>,
    },
    /// `CleanLearning` with `low_memory`: the filter options, thresholds and noise matrices
    /// are not used.
    LowMemoryIgnoresOptions,
}

impl fmt::Display for LearnWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LearnWarning::LeastPopulatedClass {
                min_members,
                n_splits,
            } => write!(
                f,
                "The least populated class in y has only {min_members} members, which is less than n_splits={n_splits}."
            ),
            LearnWarning::DuplicatedRareClasses { classes } => {
                let list: Vec<String> = classes.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "Duplicated some data across multiple folds to ensure training does not fail because these classes do not have enough data for proper cross-validation: {{{}}}.",
                    list.join(", ")
                )
            }
            LearnWarning::LowMemoryIgnoresOptions => write!(
                f,
                "find_label_issues_kwargs, thresholds, noise_matrix and inverse_noise_matrix are not used when low_memory=True."
            ),
        }
    }
}
