//! `underperforming_group`: a cluster of examples on which the model does much worse.

use cl_core::neighbors::{DEFAULT_K, KnnGraph, Metric};
use serde_json::json;

use crate::check::{
    CheckContext, CheckOutput, InputSet, IssueCheck, KnnRequest, np_mean, self_confidence,
    with_matrix,
};
use crate::error::{DatalabError, Result};

/// cleanlab's `UnderperformingGroupIssueManager(metric=None, threshold=0.1, k=10,
/// clustering_kwargs={}, min_cluster_samples=5)`.
///
/// Clusters come from `cluster_ids` when given, else from DBSCAN (`eps`, `min_samples`)
/// over the shared kNN graph (each point's neighbourhood: itself and its stored neighbours
/// within `eps`). Clusters with at least `min_cluster_samples` members are kept; a cluster
/// whose mean self-confidence `q` is below the mean over kept members scores
/// `q / mean` for its members. The worst cluster is flagged when its ratio is below
/// `threshold`; cleanlab's comparison that picks it (raw `q` against the running ratio) is
/// reproduced literally. Summary = the worst ratio.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UnderperformingGroup {
    /// Metric (default: cleanlab's choice).
    pub metric: Option<Metric>,
    /// Ratio below which the worst cluster is flagged (default 0.1; negative → 0).
    pub threshold: f64,
    /// Neighbours (default 10).
    pub k: usize,
    /// DBSCAN radius (default 0.5).
    pub eps: f64,
    /// DBSCAN core-point size, the point included (default 5).
    pub min_samples: usize,
    /// Smallest cluster considered (default 5).
    pub min_cluster_samples: usize,
    /// User-supplied cluster id per example (−1 = noise); replaces DBSCAN.
    pub cluster_ids: Option<Vec<i64>>,
}

impl Default for UnderperformingGroup {
    fn default() -> Self {
        Self {
            metric: None,
            threshold: 0.1,
            k: DEFAULT_K,
            eps: 0.5,
            min_samples: 5,
            min_cluster_samples: 5,
            cluster_ids: None,
        }
    }
}

impl UnderperformingGroup {
    /// Sets the threshold.
    #[must_use]
    pub fn threshold(mut self, t: f64) -> Self {
        self.threshold = t;
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
    /// Sets DBSCAN's `eps`.
    #[must_use]
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
    /// Sets DBSCAN's `min_samples`.
    #[must_use]
    pub fn min_samples(mut self, m: usize) -> Self {
        self.min_samples = m;
        self
    }
    /// Sets the smallest cluster considered.
    #[must_use]
    pub fn min_cluster_samples(mut self, m: usize) -> Self {
        self.min_cluster_samples = m;
        self
    }
    /// Uses these cluster ids instead of DBSCAN.
    #[must_use]
    pub fn cluster_ids(mut self, ids: Vec<i64>) -> Self {
        self.cluster_ids = Some(ids);
        self
    }
}

/// DBSCAN over a kNN graph (scikit-learn's with `metric="precomputed"` on the sparse graph):
/// clusters numbered by their lowest-index core point, −1 for noise.
pub fn dbscan_knn(graph: &KnnGraph, eps: f64, min_samples: usize) -> Vec<i64> {
    let n = graph.n();
    let hoods: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            std::iter::once(i)
                .chain(
                    graph
                        .indices()
                        .row(i)
                        .iter()
                        .zip(graph.distances().row(i))
                        .filter(|&(_, &d)| d <= eps)
                        .map(|(&j, _)| j),
                )
                .collect()
        })
        .collect();
    let core: Vec<bool> = hoods.iter().map(|h| h.len() >= min_samples).collect();
    let mut labels = vec![-1i64; n];
    let mut next = 0i64;
    let mut stack = Vec::new();
    for start in 0..n {
        if labels[start] != -1 || !core[start] {
            continue;
        }
        let mut i = start;
        loop {
            if labels[i] == -1 {
                labels[i] = next;
                if core[i] {
                    stack.extend(hoods[i].iter().copied().filter(|&v| labels[v] == -1));
                }
            }
            match stack.pop() {
                Some(v) => i = v,
                None => break,
            }
        }
        next += 1;
    }
    labels
}

impl IssueCheck for UnderperformingGroup {
    fn name(&self) -> &'static str {
        "underperforming_group"
    }

    fn accepts(&self) -> InputSet {
        InputSet {
            features: true,
            pred_probs: true,
            knn_graph: true,
        }
    }

    fn should_run(&self, available: &InputSet) -> bool {
        available.pred_probs
            && (available.features || available.knn_graph || self.cluster_ids.is_some())
    }

    fn knn_request(&self, _available: &InputSet) -> Option<KnnRequest> {
        self.cluster_ids.is_none().then_some(KnnRequest {
            k: self.k,
            metric: self.metric,
        })
    }

    fn description(&self) -> &'static str {
        "A cluster of similar examples on which the model's predictions are much less \
         confident than on the rest of the data: a slice where the model underperforms, \
         which may need more or better data."
    }

    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[(2, "threshold")]
    }

    #[allow(clippy::too_many_lines)] // one linear pass mirroring cleanlab's steps
    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let n = ctx.num_examples();
        let p = ctx
            .pred_probs
            .ok_or_else(|| DatalabError::check(self.name(), "pred_probs must be provided"))?;
        let conf = with_matrix!(p, |v| self_confidence(v, ctx.labels));
        let threshold = self.threshold.max(0.0);
        let mut info = serde_json::Map::new();
        #[allow(clippy::single_match_else)]
        let (ids, algorithm) = match &self.cluster_ids {
            Some(ids) => {
                if ids.len() != n {
                    return Err(cl_core::CoreError::Shape {
                        what: "cluster_ids",
                        expected: format!("{n} values"),
                        found: format!("{} values", ids.len()),
                    }
                    .into());
                }
                (ids.clone(), None)
            }
            None => {
                let req = KnnRequest {
                    k: self.k,
                    metric: self.metric,
                };
                let (graph, metric) = ctx.knn(&req)?.ok_or_else(|| {
                    DatalabError::check(self.name(), "needs features, a knn_graph or cluster_ids")
                })?;
                info.insert("metric".into(), json!(metric.map(Metric::name)));
                info.insert(
                    "nearest_neighbor".into(),
                    json!((0..n).map(|i| graph.indices()[[i, 0]]).collect::<Vec<_>>()),
                );
                info.insert(
                    "distance_to_nearest_neighbor".into(),
                    json!(
                        (0..n)
                            .map(|i| graph.distances()[[i, 0]])
                            .collect::<Vec<_>>()
                    ),
                );
                (
                    dbscan_knn(graph, self.eps, self.min_samples),
                    Some("DBSCAN"),
                )
            }
        };
        let mut kept: Vec<i64> = ids.iter().copied().filter(|&c| c != -1).collect();
        kept.sort_unstable();
        kept.dedup();
        kept.retain(|&c| ids.iter().filter(|&&x| x == c).count() >= self.min_cluster_samples);
        if kept.is_empty() {
            return Err(DatalabError::check(
                self.name(),
                "No meaningful clusters were generated for determining underperforming group.",
            ));
        }
        let member_conf: Vec<f64> = (0..n)
            .filter(|&i| kept.binary_search(&ids[i]).is_ok())
            .map(|i| conf[i])
            .collect();
        let mean = np_mean(&member_conf);
        let mut score = vec![1.0f64; n];
        let mut worst_ratio = 1.0f64;
        let mut worst_id = kept[0] - 1;
        for &c in &kept {
            let members: Vec<usize> = (0..n).filter(|&i| ids[i] == c).collect();
            let q = np_mean(&members.iter().map(|&i| conf[i]).collect::<Vec<_>>());
            if q < mean {
                let ratio = q / mean;
                for &i in &members {
                    score[i] = ratio;
                }
                // cleanlab compares the raw mean q with the running worst ratio.
                if q < worst_ratio {
                    worst_ratio = ratio;
                    worst_id = c;
                }
            }
        }
        let flagged_id = if worst_ratio < threshold {
            worst_id
        } else {
            -2
        };
        let is_issue: Vec<bool> = ids.iter().map(|&c| c == flagged_id).collect();
        info.insert("k".into(), json!(self.k));
        info.insert("threshold".into(), json!(threshold));
        info.insert(
            "clustering".into(),
            json!({
                "algorithm": algorithm,
                "params": if algorithm.is_some() { json!({"metric": "precomputed"}) } else { json!({}) },
                "stats": {
                    "n_clusters": kept.len(),
                    "cluster_ids": ids,
                    "underperforming_cluster_id": flagged_id,
                },
            }),
        );
        Ok(CheckOutput {
            is_issue,
            score,
            summary_score: worst_ratio,
            extra_columns: Vec::new(),
            info,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn dbscan_two_chains() {
        // Points 0-2 close together, 3-5 close together, far apart.
        let idx = array![[1, 2], [0, 2], [1, 0], [4, 5], [3, 5], [4, 3]];
        let d = array![
            [0.1, 0.2],
            [0.1, 0.1],
            [0.1, 0.2],
            [0.1, 0.2],
            [0.1, 0.1],
            [0.1, 0.2]
        ];
        let g = KnnGraph::from_parts(idx, d).unwrap();
        assert_eq!(dbscan_knn(&g, 0.5, 3), vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(dbscan_knn(&g, 0.5, 4), vec![-1; 6]);
    }
}
