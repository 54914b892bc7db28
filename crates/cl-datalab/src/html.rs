//! A self-contained HTML report: summary table, one score histogram per issue type (inline
//! SVG) and the most severe examples per type. No script, no external resource.

use std::fmt::Write as _;

use crate::datalab::Datalab;
use crate::error::Result;
use crate::report::worst_rows;
use crate::table::ColumnData;

/// Bins of the score histograms (over [0, 1]).
pub const HISTOGRAM_BINS: usize = 20;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Counts of `scores` in [`HISTOGRAM_BINS`] equal bins over [0, 1] (1.0 in the last bin;
/// values outside [0, 1] clamped, NaN skipped).
pub fn histogram(scores: &[f64]) -> Vec<usize> {
    let mut counts = vec![0usize; HISTOGRAM_BINS];
    for &s in scores {
        if s.is_nan() {
            continue;
        }
        let b = ((s.clamp(0.0, 1.0) * HISTOGRAM_BINS as f64) as usize).min(HISTOGRAM_BINS - 1);
        counts[b] += 1;
    }
    counts
}

fn svg_histogram(name: &str, scores: &[f64]) -> String {
    let counts = histogram(scores);
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, pad) = (400.0f64, 160.0f64, 24.0f64);
    let bw = (w - 2.0 * pad) / HISTOGRAM_BINS as f64;
    let mut svg = format!(
        "<svg class=\"histogram\" data-issue-type=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Histogram of {} scores\">",
        esc(name),
        esc(name)
    );
    let _ = write!(
        svg,
        "<line x1=\"{pad}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#444\"/>",
        y = h - pad,
        x2 = w - pad
    );
    for (b, &c) in counts.iter().enumerate() {
        let bh = (h - 2.0 * pad) * c as f64 / max as f64;
        let x = pad + b as f64 * bw;
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{x:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{bh:.2}\" fill=\"#3b6ea5\"><title>[{:.2}, {:.2}): {c}</title></rect>",
            h - pad - bh,
            bw - 1.0,
            b as f64 / HISTOGRAM_BINS as f64,
            (b + 1) as f64 / HISTOGRAM_BINS as f64
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{pad}\" y=\"{}\" font-size=\"10\">0</text><text x=\"{}\" y=\"{}\" font-size=\"10\">1</text><text x=\"{pad}\" y=\"12\" font-size=\"10\">max {max}</text></svg>",
        h - 8.0,
        w - pad - 4.0,
        h - 8.0
    );
    svg
}

impl Datalab {
    /// One self-contained HTML page: the summary table, a histogram of each type's scores
    /// (inline SVG) and the `num_examples` most severe examples of each type.
    pub fn to_html(&self, num_examples: usize) -> Result<String> {
        let mut out = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Datalab report</title><style>\
body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}\
th,td{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#eee}\
section{margin-bottom:2em}.issue{background:#fde2e2}</style></head><body>\n",
        );
        let _ = write!(
            out,
            "<h1>Datalab report</h1>\n<p id=\"dataset-info\">num_examples: {}, num_classes: {}",
            self.num_examples(),
            self.num_classes()
        );
        if let Some(h) = self.health_score() {
            let _ = write!(out, ", health_score: {h:.4}");
        }
        out.push_str("</p>\n<h2>Summary</h2>\n<table id=\"summary\"><thead><tr><th>issue_type</th><th>score</th><th>num_issues</th></tr></thead><tbody>\n");
        for r in &self.summary {
            let _ = writeln!(
                out,
                "<tr data-issue-type=\"{}\"><td>{}</td><td>{:.4}</td><td>{}</td></tr>",
                esc(&r.issue_type),
                esc(&r.issue_type),
                r.score,
                r.num_issues
            );
        }
        out.push_str("</tbody></table>\n");
        if !self.failures.is_empty() {
            out.push_str("<h2>Checks that failed</h2>\n<ul id=\"failures\">\n");
            for f in &self.failures {
                let _ = writeln!(
                    out,
                    "<li><b>{}</b>: {}</li>",
                    esc(&f.issue_type),
                    esc(&f.message)
                );
            }
            out.push_str("</ul>\n");
        }
        for r in &self.summary {
            let name = &r.issue_type;
            let table = self.get_issues(name)?;
            let scores = table
                .column(&format!("{name}_score"))
                .and_then(ColumnData::as_f64)
                .unwrap_or(&[]);
            let _ = write!(
                out,
                "<section class=\"issue-type\" id=\"type-{}\"><h2>{} issues</h2>\n<p>Number of examples with this issue: {}. Overall dataset quality in terms of this issue: {:.4}</p>\n",
                esc(name),
                esc(name),
                r.num_issues,
                r.score
            );
            if let Some(c) = self.checked.iter().find(|c| &c.name == name)
                && !c.description.is_empty()
            {
                let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(&c.description));
            }
            out.push_str(&svg_histogram(name, scores));
            let worst = worst_rows(&table, &format!("{name}_score"), num_examples);
            out.push_str("\n<table class=\"top-examples\"><thead><tr><th>index</th>");
            for c in &table.columns {
                let _ = write!(out, "<th>{}</th>", esc(&c.name));
            }
            out.push_str("</tr></thead><tbody>\n");
            let flags = table
                .column(&format!("is_{name}_issue"))
                .and_then(ColumnData::as_bool);
            for &i in &worst {
                let cls = if flags.is_some_and(|f| f[i]) {
                    " class=\"issue\""
                } else {
                    ""
                };
                let _ = write!(out, "<tr{cls}><td>{i}</td>");
                for c in &table.columns {
                    let _ = write!(out, "<td>{}</td>", esc(&c.data.cell(i)));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody></table></section>\n");
        }
        out.push_str("</body></html>\n");
        Ok(out)
    }
}
