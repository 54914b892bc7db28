//! `cleanlab label-quality`: cl_rank's `get_label_quality_scores` for every row.

use cl_core::Real;
use cl_rank::LabelQualityOptions;
use ndarray::ArrayView2;
use serde::Serialize;

use super::{files, read_inputs, suggested, validate};
use crate::cli::{LabelQualityArgs, MethodArg, OutputFormat};
use crate::error::{CliError, Files, Result};
use crate::output::{self, count};
use crate::progress;

/// The result of `label-quality` (the JSON object).
#[derive(Debug, Serialize)]
struct Report<'a> {
    command: &'static str,
    num_examples: usize,
    num_classes: usize,
    method: &'static str,
    adjust_pred_probs: bool,
    /// The given label of every row.
    given_labels: &'a [usize],
    /// The argmax of `pred_probs` of every row.
    suggested_labels: Vec<usize>,
    /// The label quality score of every row, in row order.
    scores: Vec<f64>,
}

/// Runs the subcommand.
pub fn run(args: &LabelQualityArgs) -> Result<()> {
    if args.adjust_pred_probs && args.method == MethodArg::ConfidenceWeightedEntropy {
        return Err(CliError::Usage(
            "--adjust-pred-probs cannot be used with --method confidence_weighted_entropy (as in cleanlab)"
                .into(),
        ));
    }
    let inputs = read_inputs(&args.input)?;
    let f = files(&args.input);
    super::with_view!(&inputs.probs, |view| score(args, f, &inputs.labels, view))
}

fn score<T: Real>(
    args: &LabelQualityArgs,
    files: Files<'_>,
    labels: &[usize],
    view: ArrayView2<'_, T>,
) -> Result<()> {
    let (labels, probs) = validate(files, labels, view)?;
    let opts =
        LabelQualityOptions::new(args.method.to_method()).adjust_pred_probs(args.adjust_pred_probs);
    let bar = progress::spinner("scoring");
    let scores =
        cl_rank::get_label_quality_scores(&labels, &probs, &opts).map_err(|e| files.rank(e))?;
    let suggested: Vec<usize> = (0..labels.len()).map(|i| suggested(view, i)).collect();
    bar.finish_and_clear();
    let method = opts.method.as_str();
    let given = labels.as_slice();
    output::write_to(&args.output, |w| match args.output.format {
        OutputFormat::Json => output::json(
            w,
            &Report {
                command: "label-quality",
                num_examples: labels.len(),
                num_classes: probs.num_classes(),
                method,
                adjust_pred_probs: args.adjust_pred_probs,
                given_labels: given,
                suggested_labels: suggested.clone(),
                scores: scores.clone(),
            },
        ),
        OutputFormat::Csv => {
            let mut c = output::csv_writer(w);
            c.write_record(["index", "given_label", "suggested_label", "label_quality"])
                .map_err(output::csv_err)?;
            for (i, s) in scores.iter().enumerate() {
                c.write_record([
                    i.to_string(),
                    given[i].to_string(),
                    suggested[i].to_string(),
                    s.to_string(),
                ])
                .map_err(output::csv_err)?;
            }
            c.flush()
        }
        OutputFormat::Table => {
            writeln!(
                w,
                "Label quality ({method}{}) of {}, {}; lower = more likely mislabeled.",
                if args.adjust_pred_probs {
                    ", adjusted"
                } else {
                    ""
                },
                count(labels.len(), "example", "examples"),
                count(probs.num_classes(), "class", "classes")
            )?;
            output::write_rows_table(
                w,
                &["index", "given label", "suggested label", "label quality"],
                0,
                scores.len(),
                |i| {
                    vec![
                        i.to_string(),
                        given[i].to_string(),
                        suggested[i].to_string(),
                        output::score(scores[i]),
                    ]
                },
            )
        }
    })
}
