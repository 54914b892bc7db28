//! The error type of cl-datalab.

use cl_core::CoreError;

/// Result alias of this crate.
pub type Result<T, E = DatalabError> = std::result::Result<T, E>;

/// Errors of cl-datalab. Errors raised *inside* one issue check during
/// [`Datalab::find_issues`](crate::Datalab::find_issues) do not surface here: they are recorded
/// per check (see [`Datalab::failures`](crate::Datalab::failures)) and the other checks run on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DatalabError {
    /// A problem with the inputs or parameters, from cl-core.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An error of the label filter (cl-filter).
    #[error(transparent)]
    Filter(#[from] cl_filter::FilterError),
    /// An error of the outlier scores or data valuation (cl-outlier).
    #[error(transparent)]
    Outlier(#[from] cl_outlier::OutlierError),
    /// An error of the label quality scores (cl-rank).
    #[error(transparent)]
    Rank(#[from] cl_rank::RankError),
    /// A missing (None/NaN) label; cleanlab raises `TypeError` while building its label map.
    #[error("label at row {row} is missing (NaN or null); every example needs a label")]
    MissingLabel {
        /// Row of the missing label.
        row: usize,
    },
    /// An issue type name that is not known (cleanlab: "Invalid issue type: ...").
    #[error("Invalid issue type: {0} for task classification")]
    InvalidIssueType(String),
    /// An accessor was called for an issue type that was not checked, or before any check ran.
    #[error("{0}")]
    NotAvailable(String),
    /// An issue check failed (the message of the underlying error).
    #[error("error in {issue_type}: {message}")]
    CheckFailed {
        /// The issue type whose check failed.
        issue_type: String,
        /// What went wrong.
        message: String,
    },
    /// A saved audit that cannot be read (bad JSON, unknown format or version).
    #[error("cannot load the saved audit: {0}")]
    Load(String),
    /// An I/O error while saving or loading (message only, so the error stays `Clone`).
    #[error("I/O error on {path}: {message}")]
    Io {
        /// The file concerned.
        path: String,
        /// The OS error message.
        message: String,
    },
}

impl DatalabError {
    /// A [`CoreError::InvalidParameter`] wrapped in this type.
    pub(crate) fn param(name: &'static str, reason: impl Into<String>) -> Self {
        DatalabError::Core(CoreError::InvalidParameter {
            name,
            reason: reason.into(),
        })
    }

    /// A [`DatalabError::CheckFailed`] for a check.
    pub(crate) fn check(issue_type: &str, message: impl Into<String>) -> Self {
        DatalabError::CheckFailed {
            issue_type: issue_type.to_owned(),
            message: message.into(),
        }
    }
}
