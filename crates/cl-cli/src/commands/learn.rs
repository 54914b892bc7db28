//! `cleanlab learn`: cl_learn's `CleanLearning::find_label_issues` on a table of numeric
//! features plus a label column, with a built-in classifier cross-validated on the features.

use cl_core::traits::ProbabilisticClassifier;
use cl_learn::models::{GaussianNB, LogisticRegression};
use cl_learn::{CleanLearning, FindIssuesArgs, LabelIssues, LearnWarning};
use cl_rank::{LabelQualityOptions, ScoreMethod};
use serde::Serialize;

use crate::cli::{LearnArgs, ModelArg, OutputFormat};
use crate::error::{CliError, Result};
use crate::input::{self, Table};
use crate::output::{self, count};
use crate::progress;

/// The options as reported in JSON.
#[derive(Debug, Serialize)]
struct OptionsReport {
    model: &'static str,
    folds: usize,
    seed: u32,
    filter_by: &'static str,
    frac_noise: f64,
    num_to_remove_per_class: Option<Vec<usize>>,
    min_examples_per_class: usize,
    method: &'static str,
    adjust_pred_probs: bool,
    converge_latent_estimates: bool,
}

/// The result of `learn` (the JSON object).
#[derive(Debug, Serialize)]
struct Report<'a> {
    command: &'static str,
    data: String,
    label_column: &'a str,
    num_examples: usize,
    num_classes: usize,
    num_features: usize,
    feature_columns: &'a [String],
    /// Class names when the labels are strings (class k = k-th name), else null.
    class_names: Option<&'a [String]>,
    options: OptionsReport,
    num_issues: usize,
    fraction_issues: f64,
    /// Fraction of rows whose cross-validated prediction equals the given label.
    cv_accuracy: f64,
    /// Flagged rows, ascending.
    indices: Vec<usize>,
    /// Label quality score of every row, in row order (lower = more likely mislabeled).
    scores: &'a [f64],
    /// Whether each row is flagged, in row order.
    is_label_issue: &'a [bool],
    /// Given class index of every row.
    given_labels: &'a [usize],
    /// Predicted class index (argmax of the cross-validated probabilities) of every row.
    predicted_labels: &'a [usize],
    warnings: Vec<String>,
}

fn score_options(args: &LearnArgs) -> LabelQualityOptions {
    LabelQualityOptions::new(args.method.to_method()).adjust_pred_probs(args.adjust_pred_probs)
}

/// Checks options that do not depend on the data, before anything is read.
fn check_args(args: &LearnArgs) -> Result<()> {
    if args.folds < 2 {
        return Err(CliError::Usage(format!(
            "--folds must be at least 2, got {}",
            args.folds
        )));
    }
    if !(args.frac_noise > 0.0 && args.frac_noise <= 1.0) {
        return Err(CliError::Usage(format!(
            "--frac-noise must be in (0, 1], got {}",
            args.frac_noise
        )));
    }
    if let Some(f) = args.fail_if_issues_above
        && !(0.0..=1.0).contains(&f)
    {
        return Err(CliError::Usage(format!(
            "--fail-if-issues-above must be a fraction in [0, 1], got {f}"
        )));
    }
    if args.adjust_pred_probs
        && score_options(args).method == ScoreMethod::ConfidenceWeightedEntropy
    {
        return Err(CliError::Usage(
            "--adjust-pred-probs cannot be used with --method confidence_weighted_entropy (as in cleanlab)"
                .into(),
        ));
    }
    Ok(())
}

/// Runs the subcommand.
pub fn run(args: &LearnArgs) -> Result<()> {
    check_args(args)?;
    let table = input::read_table(&args.data, &args.label_column)?;
    let (issues, warnings) = match args.model {
        ModelArg::LogReg => find(args, LogisticRegression::default(), &table)?,
        ModelArg::Gnb => find(args, GaussianNB::default(), &table)?,
    };
    write_report(args, &table, &issues, &warnings)?;
    let flagged = issues.num_issues();
    if let Some(limit) = args.fail_if_issues_above
        && flagged as f64 / issues.len() as f64 > limit
    {
        return Err(CliError::Gate {
            flagged,
            total: issues.len(),
            limit,
        });
    }
    Ok(())
}

fn find<C: ProbabilisticClassifier>(
    args: &LearnArgs,
    clf: C,
    table: &Table,
) -> Result<(LabelIssues, Vec<LearnWarning>)> {
    let mut builder = CleanLearning::builder(clf)
        .seed(Some(args.seed))
        .cv_n_folds(args.folds)
        .converge_latent_estimates(args.converge_latent_estimates)
        .filter_by(args.filter_by.to_filter())
        .frac_noise(args.frac_noise)
        .min_examples_per_class(args.min_examples_per_class)
        .label_quality_options(score_options(args));
    if let Some(r) = &args.num_to_remove_per_class {
        builder = builder.num_to_remove_per_class(r.clone());
    }
    let mut cl = builder.build();
    let bar = progress::spinner(&format!(
        "cross-validating {} ({} folds) and finding label issues",
        args.model.as_str(),
        args.folds
    ));
    let issues = cl
        .find_label_issues(
            Some(table.features.view()),
            &table.labels,
            &FindIssuesArgs::default(),
        )
        .map_err(|e| crate::error::learn(&args.data, &args.label_column, e))?;
    bar.finish_and_clear();
    Ok((issues, cl.warnings().to_vec()))
}

/// A class as the user wrote it: its name for string labels, else its index.
fn class(table: &Table, k: usize) -> String {
    match &table.class_names {
        Some(names) => names.get(k).cloned().unwrap_or_else(|| k.to_string()),
        None => k.to_string(),
    }
}

fn json_report<'a>(
    args: &'a LearnArgs,
    table: &'a Table,
    t: &'a LabelIssues,
    k: usize,
    warnings: &[String],
) -> Report<'a> {
    let n = t.len();
    let indices = t.issue_indices();
    let hits = (0..n)
        .filter(|&i| t.predicted_label[i] == t.given_label[i])
        .count();
    Report {
        command: "learn",
        data: args.data.display().to_string(),
        label_column: &args.label_column,
        num_examples: n,
        num_classes: k,
        num_features: table.feature_names.len(),
        feature_columns: &table.feature_names,
        class_names: table.class_names.as_deref(),
        options: OptionsReport {
            model: args.model.as_str(),
            folds: args.folds,
            seed: args.seed,
            filter_by: args.filter_by.to_filter().as_str(),
            frac_noise: args.frac_noise,
            num_to_remove_per_class: args.num_to_remove_per_class.clone(),
            min_examples_per_class: args.min_examples_per_class,
            method: score_options(args).method.as_str(),
            adjust_pred_probs: args.adjust_pred_probs,
            converge_latent_estimates: args.converge_latent_estimates,
        },
        num_issues: indices.len(),
        fraction_issues: indices.len() as f64 / n as f64,
        cv_accuracy: hits as f64 / n as f64,
        indices,
        scores: &t.label_quality,
        is_label_issue: &t.is_label_issue,
        given_labels: &t.given_label,
        predicted_labels: &t.predicted_label,
        warnings: warnings.to_vec(),
    }
}

fn write_report(
    args: &LearnArgs,
    table: &Table,
    t: &LabelIssues,
    warnings: &[LearnWarning],
) -> Result<()> {
    let n = t.len();
    let k = table
        .class_names
        .as_ref()
        .map_or_else(|| table.labels.iter().max().map_or(0, |m| m + 1), Vec::len);
    let indices = t.issue_indices();
    let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    let opts = score_options(args);
    output::write_to(&args.output, |w| match args.output.format {
        OutputFormat::Json => output::json(w, &json_report(args, table, t, k, &warnings)),
        OutputFormat::Csv => {
            for warning in &warnings {
                eprintln!("warning: {warning}");
            }
            let mut c = output::csv_writer(w);
            c.write_record([
                "index",
                "is_label_issue",
                "label_quality",
                "given_label",
                "predicted_label",
            ])
            .map_err(output::csv_err)?;
            for i in 0..n {
                c.write_record([
                    i.to_string(),
                    t.is_label_issue[i].to_string(),
                    t.label_quality[i].to_string(),
                    class(table, t.given_label[i]),
                    class(table, t.predicted_label[i]),
                ])
                .map_err(output::csv_err)?;
            }
            c.flush()
        }
        OutputFormat::Table => {
            writeln!(
                w,
                "{} among {} ({:.2}%), {}, {}; {} with {}-fold cross-validation (seed {}), filter_by={}.",
                count(indices.len(), "label issue", "label issues"),
                count(n, "example", "examples"),
                100.0 * indices.len() as f64 / n as f64,
                count(k, "class", "classes"),
                count(table.feature_names.len(), "feature", "features"),
                args.model.as_str(),
                args.folds,
                args.seed,
                args.filter_by.to_filter().as_str()
            )?;
            for warning in &warnings {
                writeln!(w, "warning: {warning}")?;
            }
            let quality = format!("label quality ({})", opts.method.as_str());
            output::write_rows_table(
                w,
                &[
                    "index",
                    "label issue",
                    "given label",
                    "predicted label",
                    &quality,
                ],
                0,
                n,
                |i| {
                    vec![
                        i.to_string(),
                        if t.is_label_issue[i] { "yes" } else { "" }.to_string(),
                        class(table, t.given_label[i]),
                        class(table, t.predicted_label[i]),
                        output::score(t.label_quality[i]),
                    ]
                },
            )
        }
    })
}
