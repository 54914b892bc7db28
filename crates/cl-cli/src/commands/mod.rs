//! One module per subcommand.
//!
//! Each module has `run(&Args) -> Result<()>`: read inputs through [`crate::input`],
//! compute with the task crates, write through [`crate::output`]. New subcommands
//! (`outliers`, `knn-graph`, `audit`) get a module here, a variant in
//! [`crate::cli::Command`] and a line in [`run`].

pub mod audit;
pub mod demo;
pub mod find_label_issues;
pub mod health;
pub mod knn_graph;
pub mod label_quality;
pub mod learn;
pub mod outliers;

use std::path::Path;

use cl_core::Real;
use cl_core::input::{Labels, PredProbs};
use ndarray::ArrayView2;

use crate::cli::{Command, InputArgs};
use crate::error::{CliError, Files, Result};
use crate::input::{self, Probs};

/// Runs a parsed command.
pub fn run(command: &Command) -> Result<()> {
    match command {
        Command::Demo(a) => demo::run(a),
        Command::Learn(a) => learn::run(a),
        Command::FindLabelIssues(a) => find_label_issues::run(a),
        Command::LabelQuality(a) => label_quality::run(a),
        Command::Health(a) => health::run(a),
        Command::Outliers(a) => outliers::run(a),
        Command::KnnGraph(a) => knn_graph::run(a),
        Command::Audit(a) => audit::run(a),
    }
}

/// Calls `$body` with `$view` bound to the `pred_probs` view in its element type.
macro_rules! with_view {
    ($probs:expr, |$view:ident| $body:expr) => {
        match $probs {
            $crate::input::Probs::F32(m) => {
                let $view = m.view()?;
                $body
            }
            $crate::input::Probs::F64(m) => {
                let $view = m.view()?;
                $body
            }
        }
    };
}
pub(crate) use with_view;

/// Labels and `pred_probs` read from their files (not yet validated together).
#[derive(Debug)]
pub struct Inputs {
    /// Labels as class indices.
    pub labels: Vec<usize>,
    /// `pred_probs` in its element type.
    pub probs: Probs,
}

/// Whether two paths name the same file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Reads both inputs.
pub fn read_inputs(args: &InputArgs) -> Result<Inputs> {
    let labels = input::read_labels(&args.labels, args.label_column.as_deref())?;
    let exclude = if same_file(&args.labels, &args.pred_probs) {
        args.label_column.as_deref()
    } else {
        None
    };
    let probs = input::read_pred_probs(&args.pred_probs, exclude)?;
    Ok(Inputs { labels, probs })
}

/// The files of `args`, for error messages.
pub fn files(args: &InputArgs) -> Files<'_> {
    Files {
        labels: &args.labels,
        pred_probs: &args.pred_probs,
    }
}

/// Checks the number of rows agree, then validates with cl-core.
pub fn validate<'a, T: Real>(
    files: Files<'_>,
    labels: &'a [usize],
    view: ArrayView2<'a, T>,
) -> Result<(Labels<'a>, PredProbs<'a, T>)> {
    check_rows(files, labels.len(), view.nrows())?;
    let bar = crate::progress::spinner("validating pred_probs");
    let out = cl_core::input::validate_usize(labels, view).map_err(|e| files.core(e));
    bar.finish_and_clear();
    out
}

/// One label per row of `pred_probs`.
pub fn check_rows(files: Files<'_>, n_labels: usize, n_rows: usize) -> Result<()> {
    if n_labels == n_rows {
        return Ok(());
    }
    Err(CliError::input(
        files.labels,
        format!(
            "has {n_labels} labels but {} has {n_rows} rows (one label per row needed)",
            crate::error::file_name(files.pred_probs)
        ),
    ))
}

/// The predicted class (first argmax) of row `i`.
pub fn suggested<T: Real>(view: ArrayView2<'_, T>, i: usize) -> usize {
    cl_core::numerics::argmax(view.row(i).iter().copied()).unwrap_or(0)
}
