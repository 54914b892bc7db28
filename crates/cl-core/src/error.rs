//! The core error type. Every task crate's error enum has `From<CoreError>`.

/// Result alias used throughout `cl-core`.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// A typed error naming the problem with the input or the parameters.
///
/// Variants carry the row/column/value where one is known, so users can find the bad entry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// An input has no rows (or no columns) where at least one is needed.
    #[error("{what} is empty")]
    Empty {
        /// The input that was empty, e.g. "labels".
        what: &'static str,
    },
    /// Two inputs disagree in shape, or one has the wrong number of dimensions.
    #[error("shape mismatch in {what}: expected {expected}, found {found}")]
    Shape {
        /// The input(s) concerned.
        what: &'static str,
        /// The expected shape, in words.
        expected: String,
        /// The shape found.
        found: String,
    },
    /// A NaN or infinite value.
    #[error("{what} has a non-finite value {value} at row {row}, column {col}")]
    NonFinite {
        /// The input concerned.
        what: &'static str,
        /// Row of the value.
        row: usize,
        /// Column of the value (0 for one-dimensional inputs).
        col: usize,
        /// The offending value.
        value: f64,
    },
    /// A value outside the allowed range.
    #[error("{what} has value {value} at row {row}, column {col}, outside [{low}, {high}]")]
    OutOfRange {
        /// The input concerned.
        what: &'static str,
        /// Row of the value.
        row: usize,
        /// Column of the value (0 for one-dimensional inputs).
        col: usize,
        /// The offending value.
        value: f64,
        /// Lowest allowed value.
        low: f64,
        /// Highest allowed value.
        high: f64,
    },
    /// A label that is negative or not below the number of classes.
    #[error("label {label} at row {row} is not a class index in 0..{num_classes}")]
    LabelOutOfRange {
        /// Row of the label.
        row: usize,
        /// The label value as given.
        label: i64,
        /// Number of classes (columns of pred_probs).
        num_classes: usize,
    },
    /// Fewer distinct classes than the function needs (cleanlab: "Labels must contain at least 2 classes.").
    #[error("labels must contain at least {required} classes, found {found}")]
    TooFewClasses {
        /// Distinct classes found.
        found: usize,
        /// Distinct classes required.
        required: usize,
    },
    /// A parameter value that the function does not accept.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// Parameter name as in cleanlab.
        name: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// A matrix that must be inverted is singular.
    #[error("{what} is singular and cannot be inverted")]
    Singular {
        /// The matrix concerned.
        what: &'static str,
    },
}
