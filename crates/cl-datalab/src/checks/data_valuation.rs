//! `data_valuation`: examples that contribute little (or harm) a kNN model of the labels.

use cl_core::neighbors::{DEFAULT_K, Metric};
use cl_outlier::data_shapley_knn_from_graph;
use serde_json::json;

use crate::check::{CheckContext, CheckOutput, InputSet, IssueCheck, KnnRequest, np_mean};
use crate::error::{DatalabError, Result};

/// cleanlab's `DataValuationIssueManager(metric=None, threshold=None, k=10)` (opt-in).
///
/// The score is the kNN-Shapley value of each example (`data_shapley_knn(labels,
/// knn_graph, k)`, mapped to [0, 1] with 0.5 = no influence) computed on the first `k`
/// neighbours of the shared graph; an example is flagged when its score is below
/// `threshold` (default 0.5). A user-supplied graph must store at least `k` neighbours per
/// row. Summary score: the mean score.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DataValuation {
    /// Metric of the graph (default: cleanlab's choice for the features).
    pub metric: Option<Metric>,
    /// Flag examples scoring below this (default 0.5).
    pub threshold: f64,
    /// Neighbours (default 10).
    pub k: usize,
}

impl Default for DataValuation {
    fn default() -> Self {
        Self {
            metric: None,
            threshold: 0.5,
            k: DEFAULT_K,
        }
    }
}

impl DataValuation {
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
    /// Sets the flag threshold.
    #[must_use]
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }
}

impl IssueCheck for DataValuation {
    fn name(&self) -> &'static str {
        "data_valuation"
    }

    fn accepts(&self) -> InputSet {
        InputSet {
            features: true,
            pred_probs: false,
            knn_graph: true,
        }
    }

    fn knn_request(&self, _available: &InputSet) -> Option<KnnRequest> {
        Some(KnnRequest {
            k: self.k,
            metric: self.metric,
        })
    }

    fn description(&self) -> &'static str {
        "Examples that contribute little to a model trained on this dataset, or work \
         against it: their approximate (k-nearest-neighbour) Data Shapley value, mapped to \
         [0, 1] so that 0.5 means no influence. Low values often mark mislabelled or \
         unhelpful examples."
    }

    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[(3, "average_data_valuation")]
    }

    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let req = KnnRequest {
            k: self.k,
            metric: self.metric,
        };
        let (graph, metric) = ctx
            .knn(&req)?
            .ok_or_else(|| DatalabError::check(self.name(), "needs features or a knn_graph"))?;
        if graph.k() < self.k {
            return Err(DatalabError::param(
                "knn_graph",
                format!(
                    "The provided knn graph has {} neighbors, which is less than the required {} neighbors. \
                     Please ensure that the knn graph you provide has at least as many neighbors as the required value of k.",
                    graph.k(),
                    self.k
                ),
            ));
        }
        let score = data_shapley_knn_from_graph(ctx.labels, graph, self.k)?;
        let is_issue: Vec<bool> = score.iter().map(|&s| s < self.threshold).collect();
        let mean = np_mean(&score);
        let mut info = serde_json::Map::new();
        info.insert(
            "num_low_valuation_issues".into(),
            json!(is_issue.iter().filter(|&&b| b).count()),
        );
        info.insert("average_data_valuation".into(), json!(mean));
        info.insert("metric".into(), json!(metric.map(Metric::name)));
        info.insert("k".into(), json!(self.k));
        info.insert("threshold".into(), json!(self.threshold));
        Ok(CheckOutput {
            is_issue,
            score,
            summary_score: mean,
            extra_columns: Vec::new(),
            info,
        })
    }
}
