//! `near_duplicate`: examples that lie unusually close to another example.

use cl_core::constants::EPSILON;
use cl_core::neighbors::{DEFAULT_K, Metric};
use serde_json::json;

use crate::check::{CheckContext, CheckOutput, InputSet, IssueCheck, KnnRequest, np_mean};
use crate::error::{DatalabError, Result};
use crate::table::{Column, ColumnData};

/// cleanlab's `NearDuplicateIssueManager(metric=None, threshold=0.13, k=10)`.
///
/// With `d_i` the distance to the nearest neighbour and `m = max(median(d), 1e-6)`, the set
/// of `i` holds its stored neighbours closer than `threshold · m` (strictly), made
/// symmetric; an example is flagged when its set is not empty. Score `1 − exp(−d_i / m)`
/// (0 where `d_i` is within 1e-8 of 0); summary = mean score.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NearDuplicate {
    /// Relative radius (default 0.13; negative values count as 0, as cleanlab warns and does).
    pub threshold: f64,
    /// Neighbours (default 10).
    pub k: usize,
    /// Metric (default: cleanlab's choice for the features).
    pub metric: Option<Metric>,
}

impl Default for NearDuplicate {
    fn default() -> Self {
        Self {
            threshold: 0.13,
            k: DEFAULT_K,
            metric: None,
        }
    }
}

impl NearDuplicate {
    /// Sets the relative radius.
    #[must_use]
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }
    /// Sets k.
    #[must_use]
    pub fn k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }
    /// Sets the metric.
    #[must_use]
    pub fn metric(mut self, metric: Metric) -> Self {
        self.metric = Some(metric);
        self
    }
}

impl IssueCheck for NearDuplicate {
    fn name(&self) -> &'static str {
        "near_duplicate"
    }

    fn accepts(&self) -> InputSet {
        InputSet {
            features: true,
            knn_graph: true,
            pred_probs: false,
        }
    }

    fn knn_request(&self, _available: &InputSet) -> Option<KnnRequest> {
        Some(KnnRequest {
            k: self.k,
            metric: self.metric,
        })
    }

    fn description(&self) -> &'static str {
        "Groups of examples that are exact copies of each other, or that sit much closer \
         together than typical pairs of neighbours in this dataset. Such copies can leak \
         between training and test splits and over-weight some examples."
    }

    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[(2, "threshold")]
    }

    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let req = KnnRequest {
            k: self.k,
            metric: self.metric,
        };
        let (graph, metric) = ctx
            .knn(&req)?
            .ok_or_else(|| DatalabError::check(self.name(), "needs features or a knn_graph"))?;
        let n = graph.n();
        let threshold = self.threshold.max(0.0);
        let d = graph.distances();
        let idx = graph.indices();
        let nearest: Vec<f64> = (0..n).map(|i| d[[i, 0]]).collect();
        let nearest_idx: Vec<i64> = (0..n).map(|i| idx[[i, 0]] as i64).collect();
        let median = cl_core::numerics::median(&nearest);
        let m = median.max(EPSILON);
        let radius = threshold * m;
        let mut sets: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                d.row(i)
                    .iter()
                    .zip(idx.row(i))
                    .filter(|&(&dist, _)| dist < radius)
                    .map(|(_, &j)| j)
                    .collect()
            })
            .collect();
        for i in 0..n {
            for p in 0..sets[i].len() {
                let j = sets[i][p];
                if !sets[j].contains(&i) {
                    sets[j].push(i);
                }
            }
        }
        let is_issue: Vec<bool> = sets.iter().map(|s| !s.is_empty()).collect();
        let score: Vec<f64> = nearest
            .iter()
            .map(|&x| {
                if x.abs() <= 1e-8 {
                    0.0
                } else {
                    1.0 - (-x / m).exp()
                }
            })
            .collect();
        let mean = np_mean(&score);
        let mut info = serde_json::Map::new();
        info.insert("average_near_duplicate_score".into(), json!(mean));
        info.insert("near_duplicate_sets".into(), json!(sets));
        info.insert("metric".into(), json!(metric.map(Metric::name)));
        info.insert("k".into(), json!(self.k));
        info.insert("threshold".into(), json!(threshold));
        info.insert("nearest_neighbor".into(), json!(nearest_idx));
        info.insert("distance_to_nearest_neighbor".into(), json!(nearest));
        info.insert("median_distance_to_nearest_neighbor".into(), json!(median));
        Ok(CheckOutput {
            is_issue,
            score,
            summary_score: mean,
            extra_columns: vec![
                Column::new("near_duplicate_sets", ColumnData::IndexSets(sets)),
                Column::new("distance_to_nearest_neighbor", ColumnData::Float(nearest)),
            ],
            info,
        })
    }
}
