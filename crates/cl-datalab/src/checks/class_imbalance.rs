//! `class_imbalance`: examples of a class much rarer than the others.

use serde_json::json;

use crate::check::{CheckContext, CheckOutput, InputSet, IssueCheck};
use crate::error::Result;
use crate::table::{Column, ColumnData};

/// cleanlab's `ClassImbalanceIssueManager(threshold=0.1)`.
///
/// With `f` the class frequencies and `r` the rarest class (first on ties): examples of `r`
/// score `f_r`, all others 1; they are flagged when `f_r < threshold / K`. Summary = `f_r`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClassImbalance {
    /// Default 0.1.
    pub threshold: f64,
}

impl Default for ClassImbalance {
    fn default() -> Self {
        Self { threshold: 0.1 }
    }
}

impl ClassImbalance {
    /// Sets the threshold.
    #[must_use]
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }
}

impl IssueCheck for ClassImbalance {
    fn name(&self) -> &'static str {
        "class_imbalance"
    }

    fn accepts(&self) -> InputSet {
        InputSet::default()
    }

    fn needs_no_input(&self) -> bool {
        true
    }

    fn description(&self) -> &'static str {
        "Examples of a class that is far rarer than the others. A model trained on such data \
         may neglect the rare class; consider collecting more of it or re-weighting."
    }

    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[(0, "Rarest Class")]
    }

    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let n = ctx.num_examples();
        let k = ctx.num_classes();
        let mut counts = vec![0usize; k];
        for &y in ctx.labels {
            counts[y] += 1;
        }
        let freq: Vec<f64> = counts.iter().map(|&c| c as f64 / n as f64).collect();
        let rarest = cl_core::numerics::argmin(freq.iter().copied()).unwrap_or(0);
        let fr = freq[rarest];
        let imbalanced = fr < self.threshold / k as f64;
        let score: Vec<f64> = ctx
            .labels
            .iter()
            .map(|&y| if y == rarest { fr } else { 1.0 })
            .collect();
        let is_issue: Vec<bool> = ctx
            .labels
            .iter()
            .map(|&y| imbalanced && y == rarest)
            .collect();
        let names: Vec<String> = ctx
            .labels
            .iter()
            .map(|&y| ctx.class_names[y].to_string())
            .collect();
        let mut info = serde_json::Map::new();
        info.insert("threshold".into(), json!(self.threshold));
        info.insert(
            "Rarest Class".into(),
            json!(if imbalanced {
                ctx.class_names[rarest].to_string()
            } else {
                "NA".to_owned()
            }),
        );
        info.insert("given_label".into(), json!(names));
        Ok(CheckOutput {
            is_issue,
            score,
            summary_score: fr,
            extra_columns: vec![Column::new("given_label", ColumnData::Text(names))],
            info,
        })
    }
}
