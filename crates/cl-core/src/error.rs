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
    /// CSR arrays (cleanlab's `knn_graph`, a scipy `csr_matrix`) that do not describe an
    /// N×N sparse matrix: wrong lengths, a non-square shape, or `indptr` not starting at 0 and
    /// non-decreasing up to the number of stored entries.
    #[error("malformed CSR knn_graph: {reason}")]
    MalformedCsr {
        /// What is wrong, naming the array and position.
        reason: String,
    },
    /// A kNN graph row that stores a different number of neighbours than row 0 (cleanlab
    /// reshapes the stored entries to N×k, so every row must store the same number).
    #[error("knn_graph row {row} stores {found} neighbours, expected {expected} like row 0")]
    RaggedKnnGraph {
        /// The row concerned.
        row: usize,
        /// Entries stored in that row.
        found: usize,
        /// Entries stored in row 0.
        expected: usize,
    },
    /// A neighbour index outside `0..n`.
    #[error("knn_graph row {row}, position {position}: neighbour index {index} is outside 0..{n}")]
    NeighborIndexOutOfRange {
        /// The row concerned.
        row: usize,
        /// Position of the entry within the row.
        position: usize,
        /// The index as stored.
        index: i128,
        /// Number of points (rows of the graph).
        n: usize,
    },
    /// A kNN graph row whose distances are not sorted nearest first.
    #[error(
        "knn_graph row {row} is not sorted by distance: position {position} holds {distance} after {previous}"
    )]
    UnsortedKnnRow {
        /// The row concerned.
        row: usize,
        /// Position of the first entry smaller than its predecessor.
        position: usize,
        /// Its distance.
        distance: f64,
        /// The distance stored just before it.
        previous: f64,
    },
}
