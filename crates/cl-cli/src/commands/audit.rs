//! `cleanlab audit`: cl-datalab's `Datalab.find_issues` on files, with the text report,
//! the issues CSV (Datalab's column names), an HTML report and the summary as JSON.

use std::io::Write;
use std::path::Path;

use cl_core::neighbors::KnnGraph;
use cl_datalab::{Datalab, DatalabError, FindIssuesInputs, IssueTypes, RawLabels, ReportOptions};
use ndarray::Array2;
use serde::Serialize;
use serde_json::Value;

use crate::cli::{AuditArgs, AuditFormat, OutputArgs, OutputFormat};
use crate::error::{CliError, Result};
use crate::input::{self, Format, Probs};
use crate::output;

/// The JSON printed by `--format json`: the issue summary.
#[derive(Debug, Serialize)]
struct SummaryJson<'a> {
    command: &'static str,
    num_examples: usize,
    num_classes: usize,
    health_score: Option<f64>,
    issue_summary: &'a [cl_datalab::SummaryRow],
    failed: Vec<&'a cl_datalab::CheckFailure>,
}

/// Reads labels as Datalab takes them: integers from any format, strings from CSV.
fn read_raw_labels(path: &Path, column: Option<&str>) -> Result<RawLabels> {
    if input::format_of(path)? != Format::Csv {
        let v = input::read_labels(path, column)?;
        return Ok(RawLabels::from(v));
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .map_err(|e| CliError::input(path, e))?;
    let records: Vec<csv::StringRecord> = r
        .records()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| CliError::input(path, e))?;
    let Some(first) = records.first() else {
        return Err(CliError::input(path, "is empty (no rows)"));
    };
    let numeric = |s: &str| s.trim().parse::<i64>().is_ok();
    let all_numeric_after = records.iter().skip(1).all(|r| r.iter().all(numeric));
    // A header row: named column asked for, or a non-numeric first row over numeric data,
    // or string labels (pandas' to_csv always writes one).
    let header = column.is_some() || !first.iter().all(numeric);
    #[allow(clippy::single_match_else)]
    let col = match column {
        Some(name) => first
            .iter()
            .position(|f| f == name)
            .ok_or_else(|| CliError::input(path, format!("no column named {name:?}")))?,
        None => {
            let data: Vec<usize> = (0..first.len())
                .filter(|&j| {
                    !(header && (first[j].is_empty() || first[j].starts_with("Unnamed: ")))
                })
                .collect();
            match data.as_slice() {
                [c] => *c,
                _ => {
                    return Err(CliError::input(
                        path,
                        format!(
                            "has {} columns; labels need one column (or --label-column NAME with a header row)",
                            data.len()
                        ),
                    ));
                }
            }
        }
    };
    let rows = &records[usize::from(header)..];
    if rows.is_empty() {
        return Err(CliError::input(path, "is empty (a header but no rows)"));
    }
    let mut fields = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let f = r
            .get(col)
            .ok_or_else(|| CliError::input(path, format!("row {i} has no column {col}")))?;
        fields.push(f.trim().to_owned());
    }
    if header && all_numeric_after || fields.iter().all(|f| numeric(f)) {
        let v: Vec<i64> = fields.iter().filter_map(|f| f.parse().ok()).collect();
        return Ok(RawLabels::Int(v));
    }
    Ok(RawLabels::Str(
        fields
            .into_iter()
            .map(|f| (!f.is_empty() && f != "NaN" && f != "nan").then_some(f))
            .collect(),
    ))
}

fn as_usize_grid(v: &Value) -> Option<Vec<Vec<usize>>> {
    v.as_array()?
        .iter()
        .map(|r| {
            r.as_array()?
                .iter()
                .map(|x| x.as_u64().and_then(|u| usize::try_from(u).ok()))
                .collect()
        })
        .collect()
}

fn as_f64_grid(v: &Value) -> Option<Vec<Vec<f64>>> {
    v.as_array()?
        .iter()
        .map(|r| r.as_array()?.iter().map(Value::as_f64).collect())
        .collect()
}

/// Reads a kNN graph from JSON (N×k `indices` + `distances`, or scipy CSR arrays).
fn read_knn_graph(path: &Path) -> Result<KnnGraph> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::input(path, e))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| CliError::input(path, e))?;
    let bad = |m: &str| CliError::input(path, m);
    if let (Some(data), Some(indptr)) = (v.get("data"), v.get("indptr")) {
        let data: Vec<f64> = data
            .as_array()
            .and_then(|a| a.iter().map(Value::as_f64).collect())
            .ok_or_else(|| bad("\"data\" must be a list of numbers"))?;
        let indices: Vec<u64> = v
            .get("indices")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().map(Value::as_u64).collect())
            .ok_or_else(|| bad("\"indices\" must be a list of non-negative integers"))?;
        let indptr: Vec<u64> = indptr
            .as_array()
            .and_then(|a| a.iter().map(Value::as_u64).collect())
            .ok_or_else(|| bad("\"indptr\" must be a list of non-negative integers"))?;
        let n = indptr.len().saturating_sub(1);
        return KnnGraph::from_csr(&data, &indices, &indptr, (n, n))
            .map_err(|e| CliError::input(path, e));
    }
    let idx = v
        .get("indices")
        .and_then(as_usize_grid)
        .ok_or_else(|| bad("needs \"indices\" (N×k integers) and \"distances\" (N×k numbers), or CSR \"data\"/\"indices\"/\"indptr\""))?;
    let dist = v
        .get("distances")
        .and_then(as_f64_grid)
        .ok_or_else(|| bad("\"distances\" must be N×k numbers"))?;
    let n = idx.len();
    let k = idx.first().map_or(0, Vec::len);
    if dist.len() != n || idx.iter().any(|r| r.len() != k) || dist.iter().any(|r| r.len() != k) {
        return Err(bad("\"indices\" and \"distances\" must both be N×k"));
    }
    let idx = Array2::from_shape_vec((n, k), idx.into_iter().flatten().collect())
        .map_err(|e| CliError::input(path, e))?;
    let dist = Array2::from_shape_vec((n, k), dist.into_iter().flatten().collect())
        .map_err(|e| CliError::input(path, e))?;
    KnnGraph::from_parts(idx, dist).map_err(|e| CliError::input(path, e))
}

fn datalab_error(e: DatalabError) -> CliError {
    CliError::Usage(e.to_string())
}

fn probs_view(p: &Probs) -> Result<cl_datalab::Matrix<'_>> {
    Ok(match p {
        Probs::F32(m) => cl_datalab::Matrix::F32(m.view()?),
        Probs::F64(m) => cl_datalab::Matrix::F64(m.view()?),
    })
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| CliError::Output {
        target: path.display().to_string(),
        source,
    })
}

/// Runs the subcommand.
pub fn run(args: &AuditArgs) -> Result<()> {
    let labels = read_raw_labels(&args.labels, args.label_column.as_deref())?;
    let mut lab = Datalab::new(labels).map_err(|e| CliError::input(&args.labels, e))?;
    let types = match &args.issue_types {
        None => None,
        Some(s) => {
            let text = match s.strip_prefix('@') {
                Some(file) => std::fs::read_to_string(file)
                    .map_err(|e| CliError::input(Path::new(file), e))?,
                None => s.clone(),
            };
            Some(
                IssueTypes::from_json_str(&text)
                    .map_err(|e| CliError::Usage(format!("--issue-types: {e}")))?,
            )
        }
    };
    let features = args
        .features
        .as_deref()
        .map(|p| input::read_pred_probs(p, None))
        .transpose()?;
    let pred_probs = args
        .pred_probs
        .as_deref()
        .map(|p| input::read_pred_probs(p, None))
        .transpose()?;
    let graph = args.knn_graph.as_deref().map(read_knn_graph).transpose()?;
    let mut inputs = FindIssuesInputs::new();
    if let Some(f) = &features {
        inputs.features = Some(probs_view(f)?);
    }
    if let Some(p) = &pred_probs {
        inputs.pred_probs = Some(probs_view(p)?);
    }
    if let Some(g) = &graph {
        inputs = inputs.knn_graph(g);
    }
    if args.approximate {
        let mut o = cl_core::neighbors::ivf::IvfOptions::default();
        if let Some(p) = args.nprobe {
            o = o.nprobe(p);
        }
        inputs = inputs.approximate_knn(o);
    }
    let bar = crate::progress::spinner("auditing");
    let result = lab.find_issues(&inputs, types);
    bar.finish_and_clear();
    result.map_err(datalab_error)?;
    for f in lab.failures() {
        if !crate::progress::is_quiet() {
            eprintln!("Error in {}: {}", f.issue_type, f.message);
        }
    }
    if let Some(path) = &args.output {
        write_file(path, &lab.issues().to_csv())?;
    }
    if let Some(path) = &args.html {
        write_file(
            path,
            &lab.to_html(args.num_examples).map_err(datalab_error)?,
        )?;
    }
    if let Some(path) = &args.save {
        write_file(path, &lab.to_json().map_err(datalab_error)?)?;
    }
    let stdout = OutputArgs {
        format: OutputFormat::Table,
        output: None,
    };
    match args.format {
        AuditFormat::Table => {
            let text = lab
                .report(&ReportOptions::default().num_examples(args.num_examples))
                .map_err(datalab_error)?;
            output::write_to(&stdout, |w: &mut dyn Write| w.write_all(text.as_bytes()))
        }
        AuditFormat::Json => {
            let summary = SummaryJson {
                command: "audit",
                num_examples: lab.num_examples(),
                num_classes: lab.num_classes(),
                health_score: lab.health_score(),
                issue_summary: lab.issue_summary(),
                failed: lab.failures().iter().collect(),
            };
            output::write_to(&stdout, |w| output::json(w, &summary))
        }
    }
}
