//! `cleanlab health`: cl_filter's dataset `health_summary`.

use cl_core::Real;
use cl_filter::dataset::{DatasetJoint, HealthSummary, health_summary};
use ndarray::ArrayView2;
use serde::Serialize;

use super::{files, read_inputs, validate};
use crate::cli::{HealthArgs, OutputFormat};
use crate::error::{CliError, Files, Result};
use crate::input;
use crate::output::{self, count};
use crate::progress;

#[derive(Debug, Serialize)]
pub(crate) struct ClassRow {
    class_index: usize,
    class_name: Option<String>,
    label_issues: i64,
    inverse_label_issues: i64,
    label_noise: f64,
    inverse_label_noise: f64,
    label_quality_score: f64,
}

#[derive(Debug, Serialize)]
pub(crate) struct OverlapRow {
    class_a: usize,
    class_b: usize,
    class_name_a: Option<String>,
    class_name_b: Option<String>,
    num_overlapping_examples: i64,
    joint_probability: f64,
}

/// The result of `health` (the JSON object; also the `health` field of `demo`).
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// "health" (left out when nested in another command's report).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub(crate) command: &'static str,
    num_examples: usize,
    num_classes: usize,
    num_label_issues: Option<usize>,
    overall_label_health_score: f64,
    classes_by_label_quality: Vec<ClassRow>,
    overlapping_classes: Vec<OverlapRow>,
    /// Estimated joint distribution of (given label, true label), K×K.
    joint: Vec<Vec<f64>>,
}

/// Runs the subcommand.
pub fn run(args: &HealthArgs) -> Result<()> {
    let names = args
        .class_names
        .as_deref()
        .map(input::read_class_names)
        .transpose()?;
    let inputs = read_inputs(&args.input)?;
    let f = files(&args.input);
    let (summary, num_issues) = super::with_view!(&inputs.probs, |view| summarize(
        args,
        f,
        &inputs.labels,
        view,
        names
    )?);
    write(args, &summary, num_issues)
}

fn summarize<T: Real>(
    args: &HealthArgs,
    files: Files<'_>,
    labels: &[usize],
    view: ArrayView2<'_, T>,
    names: Option<Vec<String>>,
) -> Result<(HealthSummary, Option<usize>)> {
    let (labels, probs) = validate(files, labels, view)?;
    if let (Some(n), Some(path)) = (&names, &args.class_names)
        && n.len() != probs.num_classes()
    {
        return Err(CliError::input(
            path,
            format!(
                "has {} class names but {} has {} columns (classes)",
                n.len(),
                crate::error::file_name(files.pred_probs),
                probs.num_classes()
            ),
        ));
    }
    let bar = progress::spinner("estimating the joint");
    let joint = DatasetJoint::from_data(&labels, &probs).map_err(|e| files.filter(e))?;
    let summary = health_summary(&joint, names, args.asymmetric).map_err(|e| files.filter(e))?;
    bar.finish_and_clear();
    Ok((summary, joint.num_label_issues))
}

/// The JSON form of a health summary.
pub(crate) fn report(s: &HealthSummary, num_issues: Option<usize>) -> Report {
    let name = |c: usize| s.class_names.as_ref().and_then(|n| n.get(c).cloned());
    let classes: Vec<ClassRow> = s
        .classes_by_label_quality
        .iter()
        .map(|c| ClassRow {
            class_index: c.class_index,
            class_name: name(c.class_index),
            label_issues: c.label_issues,
            inverse_label_issues: c.inverse_label_issues,
            label_noise: c.label_noise,
            inverse_label_noise: c.inverse_label_noise,
            label_quality_score: c.label_quality_score,
        })
        .collect();
    let overlaps: Vec<OverlapRow> = s
        .overlapping_classes
        .iter()
        .map(|o| OverlapRow {
            class_a: o.class_a,
            class_b: o.class_b,
            class_name_a: name(o.class_a),
            class_name_b: name(o.class_b),
            num_overlapping_examples: o.num_overlapping_examples,
            joint_probability: o.joint_probability,
        })
        .collect();
    Report {
        command: "health",
        num_examples: s.num_examples,
        num_classes: s.joint.nrows(),
        num_label_issues: num_issues,
        overall_label_health_score: s.overall_label_health_score,
        classes_by_label_quality: classes,
        overlapping_classes: overlaps,
        joint: s.joint.rows().into_iter().map(|r| r.to_vec()).collect(),
    }
}

fn write(args: &HealthArgs, s: &HealthSummary, num_issues: Option<usize>) -> Result<()> {
    let r = report(s, num_issues);
    output::write_to(&args.output, |w| match args.output.format {
        OutputFormat::Json => output::json(w, &r),
        OutputFormat::Csv => write_csv(w, &r.classes_by_label_quality),
        OutputFormat::Table => write_table(
            w,
            s,
            &r.classes_by_label_quality,
            &r.overlapping_classes,
            num_issues,
        ),
    })
}

fn write_csv(w: &mut dyn std::io::Write, classes: &[ClassRow]) -> std::io::Result<()> {
    let mut c = output::csv_writer(w);
    c.write_record([
        "class_index",
        "class_name",
        "label_issues",
        "inverse_label_issues",
        "label_noise",
        "inverse_label_noise",
        "label_quality_score",
    ])
    .map_err(output::csv_err)?;
    for r in classes {
        c.write_record([
            r.class_index.to_string(),
            r.class_name.clone().unwrap_or_default(),
            r.label_issues.to_string(),
            r.inverse_label_issues.to_string(),
            r.label_noise.to_string(),
            r.inverse_label_noise.to_string(),
            r.label_quality_score.to_string(),
        ])
        .map_err(output::csv_err)?;
    }
    c.flush()
}

fn write_table(
    w: &mut dyn std::io::Write,
    s: &HealthSummary,
    classes: &[ClassRow],
    overlaps: &[OverlapRow],
    num_issues: Option<usize>,
) -> std::io::Result<()> {
    let k = s.joint.nrows();
    let label = |c: usize, n: &Option<String>| match n {
        Some(n) => format!("{c} ({n})"),
        None => c.to_string(),
    };
    writeln!(
        w,
        "Overall label health score: {:.4} ({}, {}{}).",
        s.overall_label_health_score,
        count(s.num_examples, "example", "examples"),
        count(k, "class", "classes"),
        num_issues.map_or(String::new(), |n| format!(
            ", {} estimated",
            count(n, "label issue", "label issues")
        ))
    )?;
    writeln!(w, "\nClasses by label quality (noisiest first):")?;
    let mut t = output::table(
        &[
            "class",
            "label issues",
            "inverse label issues",
            "label noise",
            "inverse label noise",
            "label quality",
        ],
        1,
    );
    for r in classes {
        t.add_row(vec![
            label(r.class_index, &r.class_name),
            r.label_issues.to_string(),
            r.inverse_label_issues.to_string(),
            output::score(r.label_noise),
            output::score(r.inverse_label_noise),
            output::score(r.label_quality_score),
        ]);
    }
    writeln!(w, "{t}")?;
    if overlaps.is_empty() {
        return writeln!(w, "\nNo overlapping classes.");
    }
    writeln!(w, "\nOverlapping classes (most overlap first):")?;
    let mut t = output::table(
        &[
            "class a",
            "class b",
            "overlapping examples",
            "joint probability",
        ],
        2,
    );
    for o in overlaps {
        t.add_row(vec![
            label(o.class_a, &o.class_name_a),
            label(o.class_b, &o.class_name_b),
            o.num_overlapping_examples.to_string(),
            output::score(o.joint_probability),
        ]);
    }
    writeln!(w, "{t}")
}
