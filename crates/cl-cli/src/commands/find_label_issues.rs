//! `cleanlab find-label-issues`: cl_filter's `find_label_issues`, ranked by cl_rank when
//! `--rank-by` is given, in memory or out of core.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use cl_core::input::{Labels, PredProbs};
use cl_core::{CoreError, Real};
use cl_filter::FilterOptions;
use cl_filter::out_of_core::{
    Chunk, ChunkSource, InMemorySource, NpySource, confident_thresholds_exact,
    find_label_issues_out_of_core,
};
use cl_rank::{LabelQualityOptions, ScoreMethod};
use indicatif::ProgressBar;
use ndarray::{ArrayView2, Axis};
use ndarray_npy::ViewElement;
use serde::Serialize;

use super::{files, read_inputs, suggested, validate};
use crate::cli::{FindLabelIssuesArgs, OutputFormat};
use crate::error::{CliError, Files, Result};
use crate::input::npy::{Dtype, MappedNpy};
use crate::input::{self, Format};
use crate::output::{self, count};
use crate::progress;

/// The options as reported in JSON.
#[derive(Debug, Serialize)]
struct OptionsReport {
    filter_by: &'static str,
    frac_noise: f64,
    num_to_remove_per_class: Option<Vec<usize>>,
    min_examples_per_class: usize,
    rank_by: Option<&'static str>,
    adjust_pred_probs: bool,
    out_of_core: bool,
}

/// The result of `find-label-issues` (the JSON object).
#[derive(Debug, Serialize)]
struct Report {
    command: &'static str,
    num_examples: usize,
    num_classes: usize,
    num_issues: usize,
    fraction_issues: f64,
    options: OptionsReport,
    /// The method of `scores`.
    score_method: &'static str,
    /// Flagged rows: ranked (most likely error first) with `--rank-by`, else ascending.
    indices: Vec<usize>,
    /// `given_labels[i]` is the label of row `indices[i]`.
    given_labels: Vec<usize>,
    /// `suggested_labels[i]` is the argmax of `pred_probs` at row `indices[i]`.
    suggested_labels: Vec<usize>,
    /// `scores[i]` is the label quality score of row `indices[i]`.
    scores: Vec<f64>,
}

/// The flagged rows with their labels, suggestions and scores.
struct Found {
    n: usize,
    k: usize,
    indices: Vec<usize>,
    given: Vec<usize>,
    suggested: Vec<usize>,
    scores: Vec<f64>,
}

fn filter_options(args: &FindLabelIssuesArgs) -> FilterOptions {
    let mut o = FilterOptions::default()
        .filter_by(args.filter_by.to_filter())
        .frac_noise(args.frac_noise)
        .min_examples_per_class(args.min_examples_per_class);
    if let Some(r) = &args.num_to_remove_per_class {
        o = o.num_to_remove_per_class(r.clone());
    }
    o
}

fn score_options(args: &FindLabelIssuesArgs) -> LabelQualityOptions {
    let method = args.rank_by.map_or(
        ScoreMethod::SelfConfidence,
        crate::cli::MethodArg::to_method,
    );
    LabelQualityOptions::new(method).adjust_pred_probs(args.adjust_pred_probs)
}

/// Checks options that do not depend on the data, before anything is read.
fn check_args(args: &FindLabelIssuesArgs) -> Result<()> {
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
    if args.chunk_rows == 0 {
        return Err(CliError::Usage("--chunk-rows must be at least 1".into()));
    }
    if args.adjust_pred_probs
        && score_options(args).method == ScoreMethod::ConfidenceWeightedEntropy
    {
        return Err(CliError::Usage(
            "--adjust-pred-probs cannot be used with --rank-by confidence_weighted_entropy (as in cleanlab)"
                .into(),
        ));
    }
    Ok(())
}

/// Runs the subcommand.
pub fn run(args: &FindLabelIssuesArgs) -> Result<()> {
    check_args(args)?;
    let found = if args.out_of_core {
        run_out_of_core(args)?
    } else {
        let inputs = read_inputs(&args.input)?;
        let f = files(&args.input);
        super::with_view!(&inputs.probs, |view| find_in_memory(
            args,
            f,
            &inputs.labels,
            view
        )?)
    };
    write_report(args, &found)?;
    if let Some(limit) = args.fail_if_issues_above
        // flagged / N, as the user reads it (not flagged > limit·N, which rounds differently).
        && found.indices.len() as f64 / found.n as f64 > limit
    {
        return Err(CliError::Gate {
            flagged: found.indices.len(),
            total: found.n,
            limit,
        });
    }
    Ok(())
}

fn find_in_memory<T: Real>(
    args: &FindLabelIssuesArgs,
    files: Files<'_>,
    labels: &[usize],
    view: ArrayView2<'_, T>,
) -> Result<Found> {
    let (labels, probs) = validate(files, labels, view)?;
    let bar = progress::spinner("finding label issues");
    let mask = cl_filter::find_label_issues(&labels, &probs, &filter_options(args))
        .map_err(|e| files.filter(e))?;
    let opts = score_options(args);
    bar.set_message("scoring");
    let all_scores =
        cl_rank::get_label_quality_scores(&labels, &probs, &opts).map_err(|e| files.rank(e))?;
    let indices = if args.rank_by.is_some() {
        cl_rank::order_label_issues(&mask, &labels, &probs, &opts).map_err(|e| files.rank(e))?
    } else {
        mask.iter()
            .enumerate()
            .filter_map(|(i, &m)| m.then_some(i))
            .collect()
    };
    bar.finish_and_clear();
    let y = labels.as_slice();
    Ok(Found {
        n: labels.len(),
        k: probs.num_classes(),
        given: indices.iter().map(|&i| y[i]).collect(),
        suggested: indices.iter().map(|&i| suggested(view, i)).collect(),
        scores: indices.iter().map(|&i| all_scores[i]).collect(),
        indices,
    })
}

/// A [`ChunkSource`] that advances a progress bar (one pass after another).
struct Tracked<'a, S> {
    inner: &'a S,
    bar: ProgressBar,
    pass: AtomicUsize,
}

impl<'a, S: ChunkSource> Tracked<'a, S> {
    fn new(inner: &'a S) -> Self {
        Self {
            inner,
            bar: progress::rows("out-of-core", inner.num_rows() as u64),
            pass: AtomicUsize::new(0),
        }
    }
}

impl<S: ChunkSource> ChunkSource for Tracked<'_, S> {
    type Elem = S::Elem;
    fn num_rows(&self) -> usize {
        self.inner.num_rows()
    }
    fn num_classes(&self) -> usize {
        self.inner.num_classes()
    }
    fn for_each_chunk(
        &self,
        visit: &mut dyn FnMut(Chunk<'_, Self::Elem>) -> cl_filter::Result<()>,
    ) -> cl_filter::Result<()> {
        let pass = self.pass.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.set_message(format!("out-of-core pass {pass}"));
        self.bar.set_position(0);
        self.inner.for_each_chunk(&mut |c| {
            let rows = c.labels.len() as u64;
            visit(c)?;
            self.bar.inc(rows);
            Ok(())
        })
    }
}

fn run_out_of_core(args: &FindLabelIssuesArgs) -> Result<Found> {
    let inp = &args.input;
    for p in [&inp.labels, &inp.pred_probs] {
        if input::format_of(p)? != Format::Npy {
            return Err(CliError::input(
                p,
                "--out-of-core reads .npy files only (convert with numpy.save)",
            ));
        }
    }
    if inp.label_column.is_some() {
        return Err(CliError::Usage(
            "--label-column applies to CSV and Parquet files, not to .npy".into(),
        ));
    }
    let lm = MappedNpy::open(&inp.labels)?;
    let n = lm.check_labels()?;
    let pm = MappedNpy::open(&inp.pred_probs)?;
    let (rows, _) = pm.check_pred_probs()?;
    let f = files(inp);
    super::check_rows(f, n, rows)?;
    match pm.dtype() {
        Dtype::Float(4) => out_of_core_typed::<f32>(args, f, &lm, &pm),
        _ => out_of_core_typed::<f64>(args, f, &lm, &pm),
    }
}

fn out_of_core_typed<T: Real + ViewElement>(
    args: &FindLabelIssuesArgs,
    files: Files<'_>,
    lm: &MappedNpy,
    pm: &MappedNpy,
) -> Result<Found> {
    let view = pm.view2::<T>()?;
    let opts = filter_options(args);
    let chunk = args.chunk_rows;
    // int64/int32 labels stream from the mapped file (cl-filter's NpySource, which also
    // releases pred_probs pages after each chunk); other integer dtypes are converted to
    // class indices once (8 bytes per example) and streamed with the mapped pred_probs.
    if matches!(lm.dtype(), Dtype::Int(4 | 8)) {
        let source = NpySource::<T>::open(files.labels, files.pred_probs, chunk)
            .map_err(|e| files.filter(e))?;
        finish_out_of_core(args, files, lm, view, &Tracked::new(&source), &opts)
    } else {
        let labels = lm.labels_at(None)?;
        let source = InMemorySource::new(&labels, view, chunk).map_err(|e| files.filter(e))?;
        finish_out_of_core(args, files, lm, view, &Tracked::new(&source), &opts)
    }
}

fn finish_out_of_core<T: Real, S: ChunkSource<Elem = T>>(
    args: &FindLabelIssuesArgs,
    files: Files<'_>,
    lm: &MappedNpy,
    view: ArrayView2<'_, T>,
    source: &Tracked<'_, S>,
    opts: &FilterOptions,
) -> Result<Found> {
    let k = view.ncols();
    let mut flagged = find_label_issues_out_of_core(source, opts).map_err(|e| files.filter(e))?;
    let score_opts = score_options(args);
    let method = score_opts.method;
    if method != ScoreMethod::SelfConfidence && k < 2 {
        return Err(files.core(CoreError::Shape {
            what: "pred_probs",
            expected: "at least 2 columns".into(),
            found: format!("{k} columns"),
        }));
    }
    if method == ScoreMethod::ConfidenceWeightedEntropy {
        // In memory, this method rejects values outside [0, 1] anywhere in pred_probs.
        check_unit_interval(source).map_err(|e| files.filter(e))?;
    }
    // Scores of the flagged rows only: gather them (F×K), adjusting with the exact
    // whole-data thresholds when asked. Identical to scoring all rows in memory.
    let given = lm.labels_at(Some(&flagged))?;
    let mut scores = Vec::new();
    if !flagged.is_empty() {
        let sub = view.select(Axis(0), &flagged);
        let sub_labels = Labels::from_usize(&given, k).map_err(|e| files.core(e))?;
        let sub_probs = PredProbs::new(sub.view()).map_err(|e| files.core(e))?;
        scores = if score_opts.adjust_pred_probs {
            let t = confident_thresholds_exact(source).map_err(|e| files.filter(e))?;
            let adjusted =
                cl_rank::subtract_confident_thresholds(&sub_labels, &sub_probs, Some(&t))
                    .map_err(|e| files.rank(e))?;
            let adjusted = PredProbs::new(adjusted.view()).map_err(|e| files.core(e))?;
            cl_rank::get_label_quality_scores(
                &sub_labels,
                &adjusted,
                &LabelQualityOptions::new(method),
            )
        } else {
            cl_rank::get_label_quality_scores(&sub_labels, &sub_probs, &score_opts)
        }
        .map_err(|e| files.rank(e))?;
    }
    source.bar.finish_and_clear();
    let mut given = given;
    if args.rank_by.is_some() {
        let order = cl_core::numerics::argsort(&scores);
        flagged = order.iter().map(|&j| flagged[j]).collect();
        given = order.iter().map(|&j| given[j]).collect();
        scores = order.iter().map(|&j| scores[j]).collect();
    }
    Ok(Found {
        n: source.num_rows(),
        k,
        suggested: flagged.iter().map(|&i| suggested(view, i)).collect(),
        given,
        scores,
        indices: flagged,
    })
}

/// The first value outside [0, 1], in row order, as the in-memory entropy check reports it.
fn check_unit_interval<S: ChunkSource>(source: &S) -> cl_filter::Result<()> {
    source.for_each_chunk(&mut |c| {
        for (r, row) in c.pred_probs.rows().into_iter().enumerate() {
            for (col, &v) in row.iter().enumerate() {
                let v = v.to_f64x();
                if !(0.0..=1.0).contains(&v) {
                    return Err(CoreError::OutOfRange {
                        what: "pred_probs (entropy needs values in [0, 1])",
                        row: c.offset + r,
                        col,
                        value: v,
                        low: 0.0,
                        high: 1.0,
                    }
                    .into());
                }
            }
        }
        Ok(())
    })
}

fn write_report(args: &FindLabelIssuesArgs, found: &Found) -> Result<()> {
    let opts = score_options(args);
    let method = opts.method.as_str();
    output::write_to(&args.output, |w| match args.output.format {
        OutputFormat::Json => {
            let report = Report {
                command: "find-label-issues",
                num_examples: found.n,
                num_classes: found.k,
                num_issues: found.indices.len(),
                fraction_issues: found.indices.len() as f64 / found.n as f64,
                options: OptionsReport {
                    filter_by: args.filter_by.to_filter().as_str(),
                    frac_noise: args.frac_noise,
                    num_to_remove_per_class: args.num_to_remove_per_class.clone(),
                    min_examples_per_class: args.min_examples_per_class,
                    rank_by: args.rank_by.map(|m| m.to_method().as_str()),
                    adjust_pred_probs: args.adjust_pred_probs,
                    out_of_core: args.out_of_core,
                },
                score_method: method,
                indices: found.indices.clone(),
                given_labels: found.given.clone(),
                suggested_labels: found.suggested.clone(),
                scores: found.scores.clone(),
            };
            output::json(w, &report)
        }
        OutputFormat::Csv => {
            let mut c = output::csv_writer(w);
            let mut header = vec!["index", "given_label", "suggested_label", "label_quality"];
            if args.rank_by.is_some() {
                header.insert(0, "rank");
            }
            c.write_record(&header).map_err(output::csv_err)?;
            for (r, &i) in found.indices.iter().enumerate() {
                let mut rec = vec![
                    i.to_string(),
                    found.given[r].to_string(),
                    found.suggested[r].to_string(),
                    found.scores[r].to_string(),
                ];
                if args.rank_by.is_some() {
                    rec.insert(0, (r + 1).to_string());
                }
                c.write_record(&rec).map_err(output::csv_err)?;
            }
            c.flush()
        }
        OutputFormat::Table => write_table(w, args, found, method),
    })
}

fn write_table(
    w: &mut dyn Write,
    args: &FindLabelIssuesArgs,
    found: &Found,
    method: &str,
) -> std::io::Result<()> {
    let m = found.indices.len();
    let ranked = args.rank_by.is_some();
    let filter = args.filter_by.to_filter().as_str();
    if m == 0 {
        return writeln!(
            w,
            "No label issues found among {} ({}, filter_by={filter}).",
            count(found.n, "example", "examples"),
            count(found.k, "class", "classes")
        );
    }
    writeln!(
        w,
        "{} among {} ({:.2}%), {}, filter_by={filter}{}.",
        count(m, "label issue", "label issues"),
        count(found.n, "example", "examples"),
        100.0 * m as f64 / found.n as f64,
        count(found.k, "class", "classes"),
        if ranked {
            format!(", ranked by {method} (most likely error first)")
        } else {
            String::new()
        }
    )?;
    let quality = format!(
        "label quality ({method}{})",
        if args.adjust_pred_probs {
            ", adjusted"
        } else {
            ""
        }
    );
    let mut header = vec!["index", "given label", "suggested label", quality.as_str()];
    if ranked {
        header.insert(0, "rank");
    }
    output::write_rows_table(w, &header, 0, m, |r| {
        let mut row = vec![
            found.indices[r].to_string(),
            found.given[r].to_string(),
            found.suggested[r].to_string(),
            output::score(found.scores[r]),
        ];
        if ranked {
            row.insert(0, (r + 1).to_string());
        }
        row
    })
}
