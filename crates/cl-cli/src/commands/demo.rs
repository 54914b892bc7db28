//! `cleanlab demo`: cl_learn's demo job on its embedded synthetic dataset (known label
//! flips), reported as text, JSON or a per-example CSV.

use cl_core::CoreError;
use cl_learn::LearnError;
use cl_learn::demo::{DemoConfig, DemoResult};
use serde::Serialize;

use crate::cli::{DemoArgs, OutputFormat};
use crate::error::{CliError, Result};
use crate::output;
use crate::progress;

#[derive(Debug, Serialize)]
struct ConfigReport {
    num_examples: usize,
    num_test_examples: usize,
    num_classes: usize,
    num_features: usize,
    separation: f64,
    noise_rate: f64,
    seed: u32,
    folds: usize,
    top: usize,
}

#[derive(Debug, Serialize)]
struct TopIssueReport {
    rank: usize,
    index: usize,
    given_label: usize,
    suggested_label: usize,
    true_label: usize,
    label_quality: f64,
    truly_mislabeled: bool,
}

#[derive(Debug, Serialize)]
struct TimingsReport {
    data: f64,
    cross_validation: f64,
    find_issues: f64,
    health: f64,
    retraining: f64,
    total: f64,
    threads: usize,
}

/// The result of `demo` (the JSON object).
#[derive(Debug, Serialize)]
struct Report<'a> {
    command: &'static str,
    config: ConfigReport,
    class_names: &'a [String],
    num_examples: usize,
    num_classes: usize,
    /// Labels flipped by the injected noise.
    num_flipped: usize,
    num_issues: usize,
    true_positives: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    cv_accuracy_given: f64,
    cv_accuracy_true: f64,
    test_accuracy_noisy: f64,
    test_accuracy_clean: f64,
    /// Flagged rows, ascending.
    indices: Vec<usize>,
    /// Label quality (self-confidence) of every row, in row order.
    scores: &'a [f64],
    /// Rows whose label was flipped, ascending.
    flipped: &'a [usize],
    given_labels: &'a [usize],
    predicted_labels: &'a [usize],
    top_issues: Vec<TopIssueReport>,
    health: super::health::Report,
    /// The noise matrix used, `P(given = i | true = j)` at `[i][j]`.
    true_noise_matrix: Vec<Vec<f64>>,
    estimated_noise_matrix: Option<Vec<Vec<f64>>>,
    warnings: Vec<String>,
    /// Wall-clock milliseconds of each step (the only values that vary between runs).
    timings_ms: TimingsReport,
}

fn config(args: &DemoArgs) -> Result<DemoConfig> {
    if args.folds < 2 {
        return Err(CliError::Usage(format!(
            "--folds must be at least 2, got {}",
            args.folds
        )));
    }
    Ok(DemoConfig::default()
        .seed(args.seed)
        .num_examples(args.num_examples)
        .num_test_examples(args.num_test_examples)
        .num_classes(args.num_classes)
        .noise_rate(args.noise_rate)
        .cv_n_folds(args.folds)
        .top_k(args.top))
}

/// The demo's errors come from its settings: name the option.
fn demo_error(e: LearnError) -> CliError {
    match e {
        LearnError::Core(CoreError::InvalidParameter { name, reason }) => {
            let option = match name {
                "num_examples" => "--num-examples",
                "num_classes" => "--num-classes",
                "noise_rate" => "--noise-rate",
                "cv_n_folds" => "--folds",
                other => other,
            };
            CliError::Usage(format!("{option}: {reason}"))
        }
        LearnError::TooFewSplits { .. }
        | LearnError::MoreSplitsThanSamples { .. }
        | LearnError::TooFewMembers { .. }
        | LearnError::NeedMoreData { .. } => {
            CliError::Usage(format!("the demo settings do not fit: {e}"))
        }
        other => CliError::Other(anyhow::anyhow!("the demo failed: {other}")),
    }
}

fn matrix(m: &ndarray::Array2<f64>) -> Vec<Vec<f64>> {
    m.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// Runs the subcommand.
pub fn run(args: &DemoArgs) -> Result<()> {
    let cfg = config(args)?;
    if let Some(path) = &args.write_data
        && !path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        return Err(CliError::Usage(format!(
            "--write-data writes CSV: name the file .csv, not {}",
            path.display()
        )));
    }
    let bar = progress::spinner("running the demo");
    let result = cl_learn::demo::run(&cfg).map_err(demo_error)?;
    bar.finish_and_clear();
    if let Some(path) = &args.write_data {
        write_data(path, &cfg)?;
    }
    write(args, &result)
}

/// Writes the training table: features at full precision (read back bit for bit) and the
/// given label as its class name.
fn write_data(path: &std::path::Path, cfg: &DemoConfig) -> Result<()> {
    let data = cl_learn::demo::dataset(cfg).map_err(demo_error)?;
    let wrap = |source| CliError::Output {
        target: path.display().to_string(),
        source,
    };
    let file = std::fs::File::create(path).map_err(wrap)?;
    let mut w = std::io::BufWriter::new(file);
    let mut c = output::csv_writer(&mut w);
    let mut header: Vec<String> = (0..data.features.ncols())
        .map(|j| format!("x{j}"))
        .collect();
    header.push("label".into());
    c.write_record(&header)
        .map_err(|e| wrap(output::csv_err(e)))?;
    for (i, row) in data.features.rows().into_iter().enumerate() {
        let mut rec: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        rec.push(data.class_names[data.labels[i]].clone());
        c.write_record(&rec).map_err(|e| wrap(output::csv_err(e)))?;
    }
    c.flush().map_err(wrap)?;
    drop(c);
    std::io::Write::flush(&mut w).map_err(wrap)
}

fn write(args: &DemoArgs, r: &DemoResult) -> Result<()> {
    let t = &r.label_issues;
    output::write_to(&args.output, |w| match args.output.format {
        OutputFormat::Table => write!(w, "{r}"),
        OutputFormat::Json => {
            let c = &r.config;
            let mut health = super::health::report(&r.health, None);
            health.command = "";
            output::json(
                w,
                &Report {
                    command: "demo",
                    config: ConfigReport {
                        num_examples: c.num_examples,
                        num_test_examples: c.num_test_examples,
                        num_classes: c.num_classes,
                        num_features: c.num_features,
                        separation: c.separation,
                        noise_rate: c.noise_rate,
                        seed: c.seed,
                        folds: c.cv_n_folds,
                        top: c.top_k,
                    },
                    class_names: &r.class_names,
                    num_examples: t.len(),
                    num_classes: c.num_classes,
                    num_flipped: r.num_flipped,
                    num_issues: r.num_issues,
                    true_positives: r.true_positives,
                    precision: r.precision,
                    recall: r.recall,
                    f1: r.f1,
                    cv_accuracy_given: r.cv_accuracy_given,
                    cv_accuracy_true: r.cv_accuracy_true,
                    test_accuracy_noisy: r.test_accuracy_noisy,
                    test_accuracy_clean: r.test_accuracy_clean,
                    indices: t.issue_indices(),
                    scores: &t.label_quality,
                    flipped: &r.flipped,
                    given_labels: &t.given_label,
                    predicted_labels: &t.predicted_label,
                    top_issues: r
                        .top_issues
                        .iter()
                        .enumerate()
                        .map(|(i, x)| TopIssueReport {
                            rank: i + 1,
                            index: x.index,
                            given_label: x.given_label,
                            suggested_label: x.suggested_label,
                            true_label: x.true_label,
                            label_quality: x.label_quality,
                            truly_mislabeled: x.truly_mislabeled(),
                        })
                        .collect(),
                    health,
                    true_noise_matrix: matrix(&r.true_noise_matrix),
                    estimated_noise_matrix: r.estimated_noise_matrix.as_ref().map(matrix),
                    warnings: r.warnings.iter().map(ToString::to_string).collect(),
                    timings_ms: {
                        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
                        let tm = &r.timings;
                        TimingsReport {
                            data: ms(tm.data),
                            cross_validation: ms(tm.cross_validation),
                            find_issues: ms(tm.find_issues),
                            health: ms(tm.health),
                            retraining: ms(tm.retraining),
                            total: ms(tm.total),
                            threads: tm.threads,
                        }
                    },
                },
            )
        }
        OutputFormat::Csv => {
            let flipped: std::collections::HashSet<usize> = r.flipped.iter().copied().collect();
            let mut c = output::csv_writer(w);
            c.write_record([
                "index",
                "is_label_issue",
                "label_quality",
                "given_label",
                "predicted_label",
                "flipped",
            ])
            .map_err(output::csv_err)?;
            for i in 0..t.len() {
                c.write_record([
                    i.to_string(),
                    t.is_label_issue[i].to_string(),
                    t.label_quality[i].to_string(),
                    t.given_label[i].to_string(),
                    t.predicted_label[i].to_string(),
                    flipped.contains(&i).to_string(),
                ])
                .map_err(output::csv_err)?;
            }
            c.flush()
        }
    })
}
