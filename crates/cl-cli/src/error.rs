//! The command's error type and its exit codes.
//!
//! Every failure becomes one line on stderr, `error: <file>: <problem>` when a file is to
//! blame, and an exit code that tells scripts what happened:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the command could not finish for a reason other than its input (e.g. the output file cannot be written) |
//! | 2 | bad input or bad usage: missing file, unknown extension, wrong dtype or shape, NaN/inf, labels out of range, empty input, invalid option |
//! | 3 | `--fail-if-issues-above`: the fraction of flagged examples exceeds the limit (the output was written) |

use std::fmt;
use std::path::Path;

use cl_core::CoreError;
use cl_filter::FilterError;
use cl_learn::LearnError;
use cl_rank::RankError;

/// Exit code for bad input or bad usage (also clap's code for a usage error).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for failures not caused by the input (I/O on the output, thread pool).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code when `--fail-if-issues-above` is exceeded.
pub const EXIT_GATE: u8 = 3;

/// A failure of the command, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A problem with one input file (its path and what is wrong with it).
    #[error("{}: {message}", file.display())]
    Input {
        /// The file as the user named it.
        file: std::path::PathBuf,
        /// What is wrong, e.g. "row 17 column 3 is NaN".
        message: String,
    },
    /// Inputs that disagree with each other, or options that cannot be used.
    #[error("{0}")]
    Usage(String),
    /// The output could not be written.
    #[error("cannot write {target}: {source}")]
    Output {
        /// Where the output was going ("standard output" or a path).
        target: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Any other failure (not caused by the input).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
    /// The fraction of flagged examples is above `--fail-if-issues-above`.
    #[error(
        "{} of {} examples flagged ({}), above --fail-if-issues-above {limit}",
        crate::output::thousands(*flagged),
        crate::output::thousands(*total),
        percent(*flagged, *total)
    )]
    Gate {
        /// Number of flagged examples.
        flagged: usize,
        /// Number of examples.
        total: usize,
        /// The limit given.
        limit: f64,
    },
}

fn percent(a: usize, b: usize) -> String {
    if b == 0 {
        return "0%".into();
    }
    format!("{:.2}%", 100.0 * a as f64 / b as f64)
}

impl CliError {
    /// A problem with `file`.
    pub fn input(file: &Path, message: impl fmt::Display) -> Self {
        CliError::Input {
            file: file.to_path_buf(),
            message: message.to_string(),
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input { .. } | CliError::Usage(_) => EXIT_BAD_INPUT,
            CliError::Output { .. } | CliError::Other(_) => EXIT_FAILURE,
            CliError::Gate { .. } => EXIT_GATE,
        }
    }
}

/// Result alias of the command.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// Which input a library error concerns, so it can be reported against the right file.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    /// The labels file.
    pub labels: &'a Path,
    /// The pred_probs file.
    pub pred_probs: &'a Path,
}

impl Files<'_> {
    /// Turns a `cl-core` error into a message naming the file at fault.
    pub fn core(&self, e: CoreError) -> CliError {
        match e {
            CoreError::NonFinite {
                what,
                row,
                col,
                value,
            } => {
                let shown = if value.is_nan() {
                    "NaN".to_string()
                } else {
                    value.to_string()
                };
                CliError::input(
                    self.for_what(what),
                    format!("row {row} column {col} is {shown}"),
                )
            }
            CoreError::OutOfRange {
                what,
                row,
                col,
                value,
                low,
                high,
            } => CliError::input(
                self.for_what(what),
                format!(
                    "row {row} column {col} has value {value}, outside [{low}, {high}]{}",
                    if what.contains("entropy") {
                        " (confidence_weighted_entropy needs values in [0, 1])"
                    } else {
                        ""
                    }
                ),
            ),
            CoreError::LabelOutOfRange { row, label, .. } if label < 0 => CliError::input(
                self.labels,
                format!("row {row} has label {label}, which is negative"),
            ),
            CoreError::LabelOutOfRange {
                row,
                label,
                num_classes,
            } => CliError::input(
                self.labels,
                format!(
                    "row {row} has label {label}, not a class index in 0..{num_classes} \
                     ({} has {num_classes} columns)",
                    file_name(self.pred_probs)
                ),
            ),
            CoreError::TooFewClasses { found, required } => CliError::input(
                self.labels,
                format!("labels must contain at least {required} classes, found {found}"),
            ),
            CoreError::Empty { what } => CliError::input(self.for_what(what), "is empty"),
            CoreError::Shape {
                what: "labels and pred_probs",
                expected,
                found,
            } => CliError::Usage(format!(
                "{} and {} disagree: expected {expected}, found {found}",
                self.labels.display(),
                self.pred_probs.display()
            )),
            CoreError::Shape {
                what: "num_to_remove_per_class",
                expected,
                found,
            } => CliError::Usage(format!(
                "--num-to-remove-per-class needs {expected}, got {found}"
            )),
            CoreError::Shape {
                what: "pred_probs",
                expected,
                found,
            } => CliError::input(self.pred_probs, format!("needs {expected}, found {found}")),
            other => CliError::Usage(other.to_string()),
        }
    }

    /// Turns a `cl-rank` error into a message naming the file or option at fault.
    pub fn rank(&self, e: RankError) -> CliError {
        match e {
            RankError::Core(c) => self.core(c),
            other => CliError::Usage(other.to_string()),
        }
    }

    /// Turns a `cl-filter` error into a message naming the file or option at fault.
    pub fn filter(&self, e: FilterError) -> CliError {
        match e {
            FilterError::Core(c) => self.core(c),
            FilterError::Rank(r) => self.rank(r),
            other => CliError::Usage(other.to_string()),
        }
    }

    fn for_what(&self, what: &str) -> &Path {
        if what.starts_with("labels") {
            self.labels
        } else {
            self.pred_probs
        }
    }
}

/// Turns a `cl-learn` error of `learn` into a message naming the table (`file`), its label
/// column or the option at fault.
pub fn learn(file: &Path, column: &str, e: LearnError) -> CliError {
    // Input errors of the task crates, wherever they were raised.
    let e = match e {
        LearnError::Filter(FilterError::Core(c) | FilterError::Rank(RankError::Core(c)))
        | LearnError::Rank(RankError::Core(c)) => LearnError::Core(c),
        other => other,
    };
    match e {
        LearnError::Core(CoreError::TooFewClasses { found, required }) => CliError::input(
            file,
            format!(
                "label column {column:?} has {found} class{}; CleanLearning needs at least {required}",
                if found == 1 { "" } else { "es" }
            ),
        ),
        LearnError::MissingClasses {
            num_classes,
            missing,
        } => CliError::input(
            file,
            format!(
                "label column {column:?}: integer labels are class indices 0..{num_classes} and every \
                 class must occur, but {} missing: {missing:?} (renumber the classes, or store \
                 the labels as strings)",
                if missing.len() == 1 {
                    "one is"
                } else {
                    "some are"
                }
            ),
        ),
        LearnError::NeedMoreData {
            num_examples,
            num_classes,
            cv_n_folds,
        } => CliError::input(
            file,
            format!(
                "has {} in {num_classes} classes, too few for {cv_n_folds}-fold cross-validation \
                 (at least {cv_n_folds} examples per class on average); try --folds 2 or 3",
                crate::output::count(num_examples, "example", "examples")
            ),
        ),
        LearnError::Core(CoreError::Shape {
            what: "num_to_remove_per_class",
            expected,
            found,
        }) => CliError::Usage(format!(
            "--num-to-remove-per-class needs {expected}, got {found}"
        )),
        LearnError::TooFewSplits { .. } => CliError::Usage("--folds must be at least 2".into()),
        LearnError::MoreSplitsThanSamples {
            n_splits,
            n_samples,
        } => CliError::input(
            file,
            format!("has {n_samples} rows, fewer than --folds {n_splits}"),
        ),
        LearnError::TooFewMembers { n_splits } => CliError::input(
            file,
            format!(
                "every class of label column {column:?} has fewer than --folds {n_splits} examples"
            ),
        ),
        other => CliError::input(file, other),
    }
}

/// The last component of a path, for messages that mention a second file.
pub fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
