//! The text report (cleanlab's `Datalab.report()`), laid out as cleanlab prints it.

use std::fmt::Write as _;

use serde_json::Value;

use crate::datalab::Datalab;
use crate::error::{DatalabError, Result};
use crate::table::{ColumnData, IssuesTable};

/// Where users learn about each issue type (cleanlab's report footer link).
pub const ISSUE_GUIDE_URL: &str =
    "https://docs.cleanlab.ai/stable/cleanlab/datalab/guide/issue_type_description.html";

/// Options of [`Datalab::report`]; `Default` is cleanlab's.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// Examples shown per issue type (default 5).
    pub num_examples: usize,
    /// Verbosity (default 1, Datalab's default): which info keys are printed.
    pub verbosity: u8,
    /// Print each type's description (default true).
    pub include_description: bool,
    /// Print the summary's `score` column (default false).
    pub show_summary_score: bool,
    /// Show types with no issue too (default false).
    pub show_all_issues: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            num_examples: 5,
            verbosity: 1,
            include_description: true,
            show_summary_score: false,
            show_all_issues: false,
        }
    }
}

impl ReportOptions {
    /// Sets the number of examples per type.
    #[must_use]
    pub fn num_examples(mut self, n: usize) -> Self {
        self.num_examples = n;
        self
    }
    /// Sets the verbosity.
    #[must_use]
    pub fn verbosity(mut self, v: u8) -> Self {
        self.verbosity = v;
        self
    }
    /// Sets whether descriptions are printed.
    #[must_use]
    pub fn include_description(mut self, yes: bool) -> Self {
        self.include_description = yes;
        self
    }
    /// Sets whether the summary shows scores.
    #[must_use]
    pub fn show_summary_score(mut self, yes: bool) -> Self {
        self.show_summary_score = yes;
        self
    }
    /// Sets whether types without issues are shown.
    #[must_use]
    pub fn show_all_issues(mut self, yes: bool) -> Self {
        self.show_all_issues = yes;
        self
    }
}

/// Formats a float column as pandas does by default: 6 decimals, or scientific notation
/// when a non-zero magnitude is below 1e-4 next to larger ones... simplified: scientific
/// when the smallest non-zero magnitude is below 1e-6 or the largest is at least 1e16.
fn float_cells(v: &[f64]) -> Vec<String> {
    let nonzero: Vec<f64> = v
        .iter()
        .map(|x| x.abs())
        .filter(|&x| x > 0.0 && x.is_finite())
        .collect();
    let min = nonzero.iter().copied().fold(f64::INFINITY, f64::min);
    let max = nonzero.iter().copied().fold(0.0, f64::max);
    let sci = !nonzero.is_empty() && (min < 1e-6 || max >= 1e16);
    v.iter()
        .map(|&x| {
            if x.is_nan() {
                "NaN".to_owned()
            } else if sci {
                let s = format!("{x:.6e}");
                // Rust writes e-7, pandas e-07.
                match s.split_once('e') {
                    Some((m, e)) => {
                        let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                        format!("{m}e{sign}{digits:0>2}")
                    }
                    None => s,
                }
            } else {
                format!("{x:.6}")
            }
        })
        .collect()
}

fn column_cells(data: &ColumnData) -> Vec<String> {
    match data {
        ColumnData::Float(v) => float_cells(v),
        other => (0..other.len()).map(|i| other.cell(i)).collect(),
    }
}

/// pandas `DataFrame.to_string()`: right-aligned columns separated by two spaces, with the
/// row index (`Some(labels)`) or without it.
pub(crate) fn to_string_table(
    headers: &[&str],
    columns: &[Vec<String>],
    index: Option<&[String]>,
) -> String {
    let nrows = columns.first().map_or(0, Vec::len);
    let mut widths: Vec<usize> = headers
        .iter()
        .zip(columns)
        .map(|(h, c)| c.iter().map(String::len).max().unwrap_or(0).max(h.len()))
        .collect();
    let index_width = index.map(|ix| ix.iter().map(String::len).max().unwrap_or(0));
    let mut out = String::new();
    let mut line = String::new();
    if let Some(w) = index_width {
        line.push_str(&" ".repeat(w));
    }
    for (j, h) in headers.iter().enumerate() {
        if j > 0 || index_width.is_some() {
            line.push_str("  ");
        }
        let _ = write!(line, "{h:>w$}", w = widths[j]);
    }
    out.push_str(&line);
    for i in 0..nrows {
        out.push('\n');
        let mut line = String::new();
        if let (Some(ix), Some(w)) = (index, index_width) {
            let _ = write!(line, "{:<w$}", ix[i]);
        }
        for (j, c) in columns.iter().enumerate() {
            if j > 0 || index_width.is_some() {
                line.push_str("  ");
            }
            let _ = write!(line, "{:>w$}", c[i], w = widths[j]);
        }
        out.push_str(&line);
    }
    widths.clear();
    out
}

fn truncate_value(v: &Value) -> String {
    match v {
        Value::Object(_) => serde_json::to_string_pretty(v).unwrap_or_default(),
        Value::Array(a) if a.len() > 4 => {
            let head: Vec<String> = a.iter().take(4).map(ToString::to_string).collect();
            format!("[{}, '...']", head.join(", "))
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of `table` with the lowest `score_col`, stable (ties in ascending index).
pub(crate) fn worst_rows(table: &IssuesTable, score_col: &str, num: usize) -> Vec<usize> {
    let Some(scores) = table.column(score_col).and_then(ColumnData::as_f64) else {
        return Vec::new();
    };
    let mut order = cl_core::numerics::argsort(scores);
    order.truncate(num);
    order
}

impl Datalab {
    /// The text report (cleanlab's `report()`): the dataset line, the summary table sorted
    /// by number of issues, the footer, then one block per issue type with its
    /// description, counts, the most severe examples and additional information.
    pub fn report(&self, options: &ReportOptions) -> Result<String> {
        let mut out = String::new();
        if self.summary.is_empty() {
            out.push_str(
                "Please specify some `issue_types` in datalab.find_issues() to see a report.\n\n",
            );
            return Ok(out);
        }
        let total: usize = self.summary.iter().map(|r| r.num_issues).sum();
        if !options.show_all_issues && total == 0 {
            out.push_str("No issues found in the data. Good job!\n");
            if !options.show_summary_score {
                out.push_str(
                    "\nTry re-running Datalab.report() with `show_summary_score = True` and `show_all_issues = True`.\n",
                );
            }
            return Ok(out);
        }
        let _ = write!(
            out,
            "Dataset Information: num_examples: {}, num_classes: {}\n\n",
            self.num_examples(),
            self.num_classes()
        );
        out.push_str("Here is a summary of various issues found in your data:\n\n");
        let mut rows: Vec<&crate::table::SummaryRow> = self
            .summary
            .iter()
            .filter(|r| options.show_all_issues || r.num_issues > 0)
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.num_issues));
        let mut headers = vec!["issue_type"];
        let mut cols = vec![
            rows.iter()
                .map(|r| r.issue_type.clone())
                .collect::<Vec<_>>(),
        ];
        if options.show_summary_score {
            headers.push("score");
            cols.push(float_cells(
                &rows.iter().map(|r| r.score).collect::<Vec<_>>(),
            ));
        }
        headers.push("num_issues");
        cols.push(rows.iter().map(|r| r.num_issues.to_string()).collect());
        out.push_str(&to_string_table(&headers, &cols, None));
        out.push('\n');
        if options.show_summary_score {
            out.push_str(
                "\n(Note: A lower score indicates a more severe issue across all examples in the dataset.)\n",
            );
        }
        let _ = write!(
            out,
            "\nLearn about each issue: {ISSUE_GUIDE_URL}\nSee which examples in your dataset exhibit each issue via: `datalab.get_issues(<ISSUE_NAME>)`\n\nData indices corresponding to top examples of each issue are shown below.\n\n\n"
        );
        let mut blocks = Vec::new();
        for r in &rows {
            blocks.push(self.report_block(&r.issue_type, r.num_issues, r.score, options)?);
        }
        out.push_str(&blocks.join("\n\n\n"));
        out.push('\n');
        Ok(out)
    }

    fn report_block(
        &self,
        name: &str,
        num_issues: usize,
        score: f64,
        options: &ReportOptions,
    ) -> Result<String> {
        let checked = self
            .checked
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| DatalabError::NotAvailable(format!("no info for {name}")))?;
        let mut out = String::new();
        let _ = write!(out, "{:-^60}\n\n", format!(" {name} issues "));
        if options.include_description && !checked.description.is_empty() {
            let text = if options.verbosity == 0 {
                checked.description.split("\n\n").next().unwrap_or_default()
            } else {
                checked.description.as_str()
            };
            let _ = write!(out, "About this issue:\n\t{text}\n\n");
        }
        let _ = write!(
            out,
            "Number of examples with this issue: {num_issues}\nOverall dataset quality in terms of this issue: {score:.4}\n\n"
        );
        let table = self.get_issues(name)?;
        let worst = worst_rows(&table, &format!("{name}_score"), options.num_examples);
        let headers: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let cols: Vec<Vec<String>> = table
            .columns
            .iter()
            .map(|c| column_cells(&c.data.take(&worst)))
            .collect();
        let index: Vec<String> = worst.iter().map(ToString::to_string).collect();
        out.push_str("Examples representing most severe instances of this issue:\n");
        out.push_str(&to_string_table(&headers, &cols, Some(&index)));
        let keys: Vec<&str> = checked
            .report_keys
            .iter()
            .filter(|(level, _)| *level <= options.verbosity)
            .map(|(_, k)| k.as_str())
            .filter(|k| !headers.contains(k))
            .collect();
        let extra: Vec<String> = keys
            .iter()
            .filter_map(|k| {
                checked
                    .info
                    .get(*k)
                    .map(|v| format!("{k}: {}", truncate_value(v)))
            })
            .collect();
        if !extra.is_empty() {
            out.push_str("\n\nAdditional Information: \n");
            out.push_str(&extra.join("\n"));
        }
        if name == "null" {
            let flags = table.column("is_null_issue").and_then(ColumnData::as_bool);
            let scores = table.column("null_score").and_then(ColumnData::as_f64);
            if let (Some(f), Some(s)) = (flags, scores) {
                let all = f.iter().filter(|&&b| b).count();
                let some = s.iter().zip(f).filter(|&(&x, &b)| !b && x < 1.0).count();
                if all > 0 {
                    let _ = write!(
                        out,
                        "\n\nFound {all} examples with null values in all features. These examples should be removed from the dataset before running other issue managers."
                    );
                }
                if some > 0 {
                    let _ = write!(
                        out,
                        "\n\nFound {some} examples with null values in some features. Please address these issues before running other issue managers."
                    );
                }
            }
        }
        Ok(out)
    }
}
