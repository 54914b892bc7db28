//! `outlier`: examples that are atypical, far from the rest of the data.

use cl_core::Real;
use cl_core::input::{Labels, PredProbs};
use cl_core::neighbors::{DEFAULT_K, Metric};
use cl_core::numerics::{iqr, median, percentile};
use cl_outlier::{OodMethod, OodOptions, OutOfDistribution, knn_graph_scores};
use ndarray::ArrayView2;
use serde_json::{Map, Value, json};

use crate::check::{
    CheckContext, CheckOutput, InputSet, IssueCheck, KnnRequest, np_mean, with_matrix,
};
use crate::error::{DatalabError, Result};

/// cleanlab's default threshold of the kNN path (`OutlierIssueManager.DEFAULT_THRESHOLDS`).
pub const DEFAULT_FEATURES_THRESHOLD: f64 = 0.37037;
/// cleanlab's default threshold of the `pred_probs` path.
pub const DEFAULT_PRED_PROBS_THRESHOLD: f64 = 0.13;

/// cleanlab's `OutlierIssueManager(k=10, t=1, metric=None, scaling_factor=None,
/// threshold=None)` with the `OutOfDistribution` parameters `method`, `adjust_pred_probs`
/// and `confident_thresholds`.
///
/// **kNN path** (features or a kNN graph available): `avg_i` is the mean of all stored
/// neighbour distances of row `i` in the shared graph, the score
/// `exp(−t · avg_i / sf)` with `sf = scaling_factor` or `max(median(avg), 100·eps)` (exactly
/// 1 where `avg_i` is below the metric's precision tolerance); an example is flagged when
/// `avg_i > Q3(avg) + (1/threshold − 1) · IQR(avg)` (threshold default 0.37037, in
/// [0, 1]; 0 flags nothing).
///
/// **`pred_probs` path** (neither features nor a graph): the out-of-distribution score of
/// `pred_probs` (`OutOfDistribution.fit_score(pred_probs, labels)`: entropy of the
/// threshold-adjusted probabilities by default); flagged when the score is below
/// `threshold · median(score)` (threshold default 0.13, at least 0).
///
/// Summary score: the mean score.
///
/// # Difference from cleanlab
///
/// cleanlab also forwards the check's parameters (`k`, `t`, `metric`, `method`, ...) to
/// `OutOfDistribution.fit_score` on the `pred_probs` path, which rejects them, so e.g.
/// `{"outlier": {"k": 5}}` with only `pred_probs` fails there. Here parameters that do not
/// apply to the path taken are ignored, and `method`, `adjust_pred_probs` and
/// `confident_thresholds` configure the `pred_probs` score as documented.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Outlier {
    /// Neighbours (default 10).
    pub k: usize,
    /// Steepness of the distance-to-score transform (default 1).
    pub t: f64,
    /// Metric of the graph (default: cleanlab's choice for the features).
    pub metric: Option<Metric>,
    /// Fixed scaling factor of the kNN score (default: the median average distance).
    pub scaling_factor: Option<f64>,
    /// Flag threshold (default: 0.37037 on the kNN path, 0.13 on the `pred_probs` path).
    pub threshold: Option<f64>,
    /// `pred_probs` score (default entropy).
    pub method: OodMethod,
    /// Subtract per-class confident thresholds from `pred_probs` first (default true).
    pub adjust_pred_probs: bool,
    /// Given confident thresholds (default: estimated from the labels).
    pub confident_thresholds: Option<Vec<f64>>,
}

impl Default for Outlier {
    fn default() -> Self {
        Self {
            k: DEFAULT_K,
            t: 1.0,
            metric: None,
            scaling_factor: None,
            threshold: None,
            method: OodMethod::Entropy,
            adjust_pred_probs: true,
            confident_thresholds: None,
        }
    }
}

impl Outlier {
    /// Sets k.
    #[must_use]
    pub fn k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }
    /// Sets t.
    #[must_use]
    pub fn t(mut self, t: f64) -> Self {
        self.t = t;
        self
    }
    /// Sets the metric.
    #[must_use]
    pub fn metric(mut self, metric: Metric) -> Self {
        self.metric = Some(metric);
        self
    }
    /// Fixes the scaling factor.
    #[must_use]
    pub fn scaling_factor(mut self, scaling_factor: f64) -> Self {
        self.scaling_factor = Some(scaling_factor);
        self
    }
    /// Sets the flag threshold.
    #[must_use]
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = Some(threshold);
        self
    }
    /// Sets the `pred_probs` score.
    #[must_use]
    pub fn method(mut self, method: OodMethod) -> Self {
        self.method = method;
        self
    }
    /// Sets whether `pred_probs` are adjusted by confident thresholds.
    #[must_use]
    pub fn adjust_pred_probs(mut self, yes: bool) -> Self {
        self.adjust_pred_probs = yes;
        self
    }
    /// Gives the confident thresholds.
    #[must_use]
    pub fn confident_thresholds(mut self, thresholds: Vec<f64>) -> Self {
        self.confident_thresholds = Some(thresholds);
        self
    }

    fn base_info(
        &self,
        scores: &[f64],
        threshold: f64,
        issue_threshold: f64,
    ) -> Map<String, Value> {
        let mut info = Map::new();
        info.insert("average_ood_score".into(), json!(np_mean(scores)));
        info.insert("threshold".into(), json!(threshold));
        info.insert("issue_threshold".into(), json!(issue_threshold));
        info.insert("k".into(), json!(self.k));
        info.insert("t".into(), json!(self.t));
        info.insert("method".into(), json!(self.method.as_str()));
        info.insert("adjust_pred_probs".into(), json!(self.adjust_pred_probs));
        info.insert(
            "confident_thresholds".into(),
            json!(self.confident_thresholds),
        );
        info
    }

    fn run_knn(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let threshold = match self.threshold {
            Some(t) if t != 0.0 && !(0.0..=1.0).contains(&t) => {
                return Err(DatalabError::param(
                    "threshold",
                    format!("threshold must be a number between 0 and 1, got {t}"),
                ));
            }
            Some(t) => t,
            None => DEFAULT_FEATURES_THRESHOLD,
        };
        let req = KnnRequest {
            k: self.k,
            metric: self.metric,
        };
        let (graph, metric) = ctx
            .knn(&req)?
            .ok_or_else(|| DatalabError::check(self.name(), "needs features or a knn_graph"))?;
        let out = knn_graph_scores(graph, metric, self.t, self.scaling_factor)?;
        let avg = &out.avg_distances;
        let q3 = percentile(avg, 75.0)?;
        let scale = if threshold == 0.0 {
            f64::INFINITY
        } else {
            1.0 / threshold - 1.0
        };
        let issue_threshold = q3 + scale * iqr(avg);
        let is_issue: Vec<bool> = avg.iter().map(|&a| a > issue_threshold).collect();
        let mut info = self.base_info(&out.scores, threshold, issue_threshold);
        let n = graph.n();
        let (d, idx) = (graph.distances(), graph.indices());
        info.insert(
            "nearest_neighbor".into(),
            json!((0..n).map(|i| idx[[i, 0]]).collect::<Vec<_>>()),
        );
        info.insert(
            "distance_to_nearest_neighbor".into(),
            json!((0..n).map(|i| d[[i, 0]]).collect::<Vec<_>>()),
        );
        info.insert("metric".into(), json!(metric.map(Metric::name)));
        info.insert("scaling_factor".into(), json!(out.scaling_factor));
        let summary_score = np_mean(&out.scores);
        Ok(CheckOutput {
            is_issue,
            score: out.scores,
            summary_score,
            extra_columns: Vec::new(),
            info,
        })
    }

    fn run_pred_probs<T: Real>(
        &self,
        ctx: &CheckContext<'_>,
        p: ArrayView2<'_, T>,
    ) -> Result<CheckOutput> {
        let threshold = self.threshold.unwrap_or(DEFAULT_PRED_PROBS_THRESHOLD);
        if threshold.is_nan() || threshold < 0.0 {
            return Err(DatalabError::param(
                "threshold",
                format!("threshold must be non-negative, but got {threshold}."),
            ));
        }
        let probs = PredProbs::new(p)?;
        let labels = Labels::from_usize(ctx.labels, probs.num_classes())?;
        let mut ood = OutOfDistribution::new(
            OodOptions::default()
                .method(self.method)
                .adjust_pred_probs(self.adjust_pred_probs)
                .confident_thresholds(self.confident_thresholds.clone()),
        );
        let scores = ood.fit_score_pred_probs(&probs, Some(&labels))?;
        let issue_threshold = threshold * median(&scores);
        let is_issue: Vec<bool> = scores.iter().map(|&s| s < issue_threshold).collect();
        let mut info = self.base_info(&scores, threshold, issue_threshold);
        if let Some(t) = ood.confident_thresholds() {
            info.insert("confident_thresholds".into(), json!(t));
        }
        let summary_score = np_mean(&scores);
        Ok(CheckOutput {
            is_issue,
            score: scores,
            summary_score,
            extra_columns: Vec::new(),
            info,
        })
    }
}

impl IssueCheck for Outlier {
    fn name(&self) -> &'static str {
        "outlier"
    }

    fn accepts(&self) -> InputSet {
        InputSet {
            features: true,
            pred_probs: true,
            knn_graph: true,
        }
    }

    fn knn_request(&self, available: &InputSet) -> Option<KnnRequest> {
        (available.features || available.knn_graph).then_some(KnnRequest {
            k: self.k,
            metric: self.metric,
        })
    }

    fn description(&self) -> &'static str {
        "Examples that are very different from the rest of the dataset: far from their \
         nearest neighbours in feature space, or with unusually uncertain predictions. They \
         may be out-of-distribution, corrupted or rare cases worth a look."
    }

    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[(2, "threshold"), (3, "average_ood_score")]
    }

    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let (mut out, used) = if ctx.has_graph_source() {
            (
                self.run_knn(ctx)?,
                json!({"features": ctx.features.is_some(), "pred_probs": false, "knn_graph": true}),
            )
        } else if let Some(p) = ctx.pred_probs {
            (
                with_matrix!(p, |v| self.run_pred_probs(ctx, v))?,
                json!({"features": false, "pred_probs": true, "knn_graph": false}),
            )
        } else {
            return Err(DatalabError::check(
                self.name(),
                "Either features pred_probs must be provided.",
            ));
        };
        out.info.insert("find_issues_inputs".into(), used);
        Ok(out)
    }
}
