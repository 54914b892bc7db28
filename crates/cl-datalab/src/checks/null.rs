//! `null`: examples with missing (NaN) feature values.

use serde_json::json;

use crate::check::{CheckContext, CheckOutput, InputSet, IssueCheck, np_mean, with_matrix};
use crate::error::{DatalabError, Result};

/// cleanlab's `NullIssueManager`.
///
/// Score = fraction of non-NaN values in the row; flagged when every value is NaN.
/// Summary = mean score. Info: the most common null pattern among rows with a NaN, and
/// the NaN fraction per column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Null;

impl IssueCheck for Null {
    fn name(&self) -> &'static str {
        "null"
    }

    fn accepts(&self) -> InputSet {
        InputSet {
            features: true,
            pred_probs: false,
            knn_graph: false,
        }
    }

    fn description(&self) -> &'static str {
        "Examples whose feature values are missing (NaN). Rows that are entirely missing \
         carry no information; partly missing rows should be imputed or removed before \
         other checks, which cannot use them."
    }

    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[(2, "most_common_issue")]
    }

    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let features = ctx
            .features
            .ok_or_else(|| DatalabError::check(self.name(), "features must be provided"))?;
        let (n, d) = features.dim();
        let nulls: Vec<Vec<bool>> = with_matrix!(features, |v| (0..n)
            .map(|i| v.row(i).iter().map(|x| x.is_nan()).collect())
            .collect());
        let score: Vec<f64> = nulls
            .iter()
            .map(|row| 1.0 - row.iter().filter(|&&b| b).count() as f64 / d as f64)
            .collect();
        let is_issue: Vec<bool> = nulls.iter().map(|r| r.iter().all(|&b| b)).collect();
        let mean = np_mean(&score);
        // Most common pattern among rows with at least one null; first seen wins ties.
        let mut patterns: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, row) in nulls.iter().enumerate() {
            if row.iter().any(|&b| b) {
                let p: String = row.iter().map(|&b| if b { '1' } else { '0' }).collect();
                match patterns.iter_mut().find(|(q, _)| *q == p) {
                    Some((_, rows)) => rows.push(i),
                    None => patterns.push((p, vec![i])),
                }
            }
        }
        let mut best: Option<&(String, Vec<usize>)> = None;
        for p in &patterns {
            if best.is_none_or(|b| p.1.len() > b.1.len()) {
                best = Some(p);
            }
        }
        let most_common = match best {
            Some((p, rows)) => json!({"pattern": p, "rows_affected": rows, "count": rows.len()}),
            None => json!({"pattern": "no_null", "rows_affected": [], "count": 0}),
        };
        let column_impact: Vec<f64> = (0..d)
            .map(|j| {
                let c: Vec<f64> = nulls.iter().map(|r| if r[j] { 1.0 } else { 0.0 }).collect();
                np_mean(&c)
            })
            .collect();
        let mut info = serde_json::Map::new();
        info.insert("average_null_score".into(), json!(mean));
        info.insert("most_common_issue".into(), most_common);
        info.insert("column_impact".into(), json!(column_impact));
        Ok(CheckOutput {
            is_issue,
            score,
            summary_score: mean,
            extra_columns: Vec::new(),
            info,
        })
    }
}
