//! `cleanlab outliers`: cl_outlier's `OutOfDistribution::fit_score` on features or
//! `pred_probs`.

use std::path::Path;

use cl_core::Real;
use cl_outlier::{OodData, OodOptions, OutOfDistribution, OutlierError};
use ndarray::ArrayView2;
use serde::Serialize;

use crate::cli::{OutliersArgs, OutputFormat};
use crate::error::{CliError, Files, Result};
use crate::input;
use crate::output::{self, count};
use crate::progress;

/// The result of `outliers` (the JSON object).
#[derive(Debug, Serialize)]
struct Report<'a> {
    command: &'static str,
    /// `"features"` or `"pred_probs"`.
    input: &'static str,
    num_examples: usize,
    /// Neighbours per example (features).
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metric: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scaling_factor: Option<f64>,
    /// pred_probs scoring method.
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adjust_pred_probs: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confident_thresholds: Option<&'a [f64]>,
    /// The score of every row, in row order (lower = more atypical).
    scores: &'a [f64],
    /// With `--top N`: the N lowest-scoring rows, lowest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    indices: Option<Vec<usize>>,
}

/// Runs the subcommand.
pub fn run(args: &OutliersArgs) -> Result<()> {
    if let Some(path) = &args.features {
        let features = input::read_features(path)?;
        super::with_view!(&features, |view| from_features(args, path, view))
    } else if let Some(path) = &args.pred_probs {
        let probs = input::read_pred_probs(path, None)?;
        let labels = match &args.labels {
            Some(l) => Some(input::read_labels(l, args.label_column.as_deref())?),
            None => None,
        };
        super::with_view!(&probs, |view| from_pred_probs(
            args,
            path,
            labels.as_deref(),
            view
        ))
    } else {
        Err(CliError::Usage("give --features or --pred-probs".into()))
    }
}

/// Maps a cl-outlier error to the file or option at fault.
fn outlier_err(files: Files<'_>, e: OutlierError) -> CliError {
    match e {
        OutlierError::Core(c) => files.core(c),
        OutlierError::ProbabilityOutOfRange { row, col, value } => CliError::input(
            files.pred_probs,
            format!(
                "row {row} column {col} has value {value}, outside [0, 1] (the entropy score needs probabilities)"
            ),
        ),
        other => CliError::Usage(other.to_string()),
    }
}

fn from_features<T: Real>(args: &OutliersArgs, path: &Path, view: ArrayView2<'_, T>) -> Result<()> {
    let files = Files {
        labels: path,
        pred_probs: path,
    };
    let opts = OodOptions::default()
        .k(args.k)
        .t(args.t)
        .metric(args.metric.map(crate::cli::MetricArg::to_metric));
    let mut ood = OutOfDistribution::new(opts);
    let bar = progress::spinner("searching nearest neighbours");
    let res = ood
        .fit_features_detailed(view)
        .map_err(|e| outlier_err(files, e));
    bar.finish_and_clear();
    let res = res?;
    let knn = ood.knn();
    let report = Report {
        command: "outliers",
        input: "features",
        num_examples: view.nrows(),
        k: knn.map(cl_outlier::KnnIndex::n_neighbors),
        t: Some(args.t),
        metric: knn.map(|k| k.metric().to_string()),
        scaling_factor: Some(res.scaling_factor),
        method: None,
        adjust_pred_probs: None,
        confident_thresholds: None,
        scores: &res.scores,
        indices: args
            .top
            .map(|n| cl_rank::find_top_issues(&res.scores, Some(n))),
    };
    let desc = format!(
        "k={}, metric={}, t={}",
        report.k.unwrap_or(0),
        report.metric.as_deref().unwrap_or(""),
        args.t
    );
    write(args, &report, &desc)
}

fn from_pred_probs<T: Real>(
    args: &OutliersArgs,
    path: &Path,
    labels: Option<&[usize]>,
    view: ArrayView2<'_, T>,
) -> Result<()> {
    let labels_path = args.labels.as_deref().unwrap_or(path);
    let files = Files {
        labels: labels_path,
        pred_probs: path,
    };
    let opts = OodOptions::default()
        .method(args.method.to_method())
        .adjust_pred_probs(args.adjust_pred_probs);
    let mut ood = OutOfDistribution::new(opts);
    let scores = if let Some(labels) = labels {
        let (labels, probs) = super::validate(files, labels, view)?;
        ood.fit_score(OodData::PredProbs {
            pred_probs: &probs,
            labels: Some(&labels),
        })
    } else {
        let probs = cl_core::PredProbs::new(view).map_err(|e| files.core(e))?;
        ood.fit_score(OodData::PredProbs {
            pred_probs: &probs,
            labels: None,
        })
    }
    .map_err(|e| outlier_err(files, e))?;
    let report = Report {
        command: "outliers",
        input: "pred_probs",
        num_examples: view.nrows(),
        k: None,
        t: None,
        metric: None,
        scaling_factor: None,
        method: Some(args.method.to_method().as_str()),
        adjust_pred_probs: Some(args.adjust_pred_probs),
        confident_thresholds: ood.confident_thresholds(),
        scores: &scores,
        indices: args.top.map(|n| cl_rank::find_top_issues(&scores, Some(n))),
    };
    let desc = format!(
        "method={}{}",
        args.method.to_method().as_str(),
        if args.adjust_pred_probs {
            ", adjusted"
        } else {
            ""
        }
    );
    write(args, &report, &desc)
}

fn write(args: &OutliersArgs, report: &Report<'_>, desc: &str) -> Result<()> {
    let scores = report.scores;
    output::write_to(&args.output, |w| match args.output.format {
        OutputFormat::Json => output::json(w, report),
        OutputFormat::Csv => {
            let mut c = output::csv_writer(w);
            c.write_record(["index", "outlier_score"])
                .map_err(output::csv_err)?;
            let rows: Vec<usize> = report
                .indices
                .clone()
                .unwrap_or_else(|| (0..scores.len()).collect());
            for i in rows {
                c.write_record([i.to_string(), scores[i].to_string()])
                    .map_err(output::csv_err)?;
            }
            c.flush()
        }
        OutputFormat::Table => {
            writeln!(
                w,
                "Out-of-distribution scores of {} from {} ({desc}); lower = more atypical.",
                count(report.num_examples, "example", "examples"),
                report.input
            )?;
            match &report.indices {
                Some(top) => output::write_rows_table(
                    w,
                    &["rank", "index", "outlier score"],
                    0,
                    top.len(),
                    |r| {
                        vec![
                            (r + 1).to_string(),
                            top[r].to_string(),
                            output::score(scores[top[r]]),
                        ]
                    },
                ),
                None => {
                    output::write_rows_table(w, &["index", "outlier score"], 0, scores.len(), |i| {
                        vec![i.to_string(), output::score(scores[i])]
                    })
                }
            }
        }
    })
}
