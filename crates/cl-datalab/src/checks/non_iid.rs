//! `non_iid`: whether the order of the examples carries information (drift, sorting).

use cl_core::neighbors::{DEFAULT_K, KnnGraph, KnnOptions, Metric, create_knn_graph_and_index};
use cl_core::numerics::{normal_cdf, pairwise_sum};
use cl_core::rng::NumpyRng;
use rayon::prelude::*;
use serde_json::json;

use crate::check::{CheckContext, CheckOutput, InputSet, IssueCheck, KnnRequest, with_matrix};
use crate::error::{DatalabError, Result};

/// cleanlab's `NonIIDIssueManager(metric=None, k=10, num_permutations=25, seed=0,
/// significance_threshold=0.05)`.
///
/// The statistic is the Kolmogorov–Smirnov distance between the distribution of index gaps
/// `|i − n_ij|` over the kNN graph and that of two random positions. Its p-value comes from
/// `num_permutations` random relabellings of positions (numpy's legacy `RandomState` seeded
/// with `seed`, reproduced bit for bit) smoothed by a Gaussian KDE (Scott's bandwidth,
/// integrated exactly). Only the example with the lowest per-example score is flagged, and
/// only when `p < significance_threshold`. Summary = the p-value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NonIid {
    /// Metric (default: cleanlab's choice).
    pub metric: Option<Metric>,
    /// Neighbours (default 10).
    pub k: usize,
    /// Permutations (default 25).
    pub num_permutations: usize,
    /// Seed of numpy's legacy RNG (default `Some(0)`; `None` is not supported for
    /// reproducibility and means seed 0 too).
    pub seed: u32,
    /// Flag when the p-value is below this (default 0.05).
    pub significance_threshold: f64,
}

impl Default for NonIid {
    fn default() -> Self {
        Self {
            metric: None,
            k: DEFAULT_K,
            num_permutations: 25,
            seed: 0,
            significance_threshold: 0.05,
        }
    }
}

impl NonIid {
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
    /// Sets the number of permutations.
    #[must_use]
    pub fn num_permutations(mut self, n: usize) -> Self {
        self.num_permutations = n;
        self
    }
    /// Sets the seed.
    #[must_use]
    pub fn seed(mut self, seed: u32) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the significance threshold.
    #[must_use]
    pub fn significance_threshold(mut self, t: f64) -> Self {
        self.significance_threshold = t;
        self
    }
}

/// Cumulative background distribution of the gap between two random positions among N:
/// `P(d) = (N − d) / (N(N−1)/2)`, summed sequentially (`np.cumsum`).
fn background_cdf(n: usize) -> Vec<f64> {
    let nf = n as f64;
    let denom = nf * (nf - 1.0) / 2.0;
    let pmf: Vec<f64> = (1..n).map(|d| (nf - d as f64) / denom).collect();
    cl_core::numerics::cumsum(&pmf)
}

/// KS distance between the gap histogram (`counts[g]` = number of gaps equal to g, with the
/// extra N − 1 cleanlab appends already counted) and the background CDF.
fn ks_from_counts(counts: &[usize], bg: &[f64]) -> f64 {
    let total: usize = counts.iter().sum();
    let denom = (total - 1) as f64;
    let bg_at = |g: usize| {
        // numpy's bg[g - 1]; g = 0 wraps to the last element.
        if g == 0 { bg[bg.len() - 1] } else { bg[g - 1] }
    };
    let mut pos = 0usize;
    let mut best = 0.0f64;
    for (g, &c) in counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let b = bg_at(g);
        // |j/(L−1) − b| is convex in j: its maximum over a run is at one of the ends.
        for j in [pos, pos + c - 1] {
            let v = (j as f64 / denom - b).abs();
            if v > best || v.is_nan() {
                best = v;
            }
        }
        pos += c;
    }
    best
}

fn gap_counts(graph: &KnnGraph, position: &[usize]) -> Vec<usize> {
    let n = graph.n();
    let mut counts = graph
        .indices()
        .outer_iter()
        .into_par_iter()
        .enumerate()
        .fold(
            || vec![0usize; n],
            |mut acc, (i, row)| {
                let pi = position[i];
                for &j in row {
                    acc[pi.abs_diff(position[j])] += 1;
                }
                acc
            },
        )
        .reduce(
            || vec![0usize; n],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    counts[n - 1] += 1;
    counts
}

/// scipy's `gaussian_kde(stats).integrate_box_1d(low, high)` with Scott's bandwidth.
fn kde_integral(stats: &[f64], low: f64, high: f64) -> Result<f64> {
    let p = stats.len();
    let w = vec![1.0 / p as f64; p];
    let w2: Vec<f64> = w.iter().map(|x| x * x).collect();
    let neff = 1.0 / pairwise_sum(&w2);
    let factor = neff.powf(-1.0 / 5.0);
    // np.cov(stats, aweights=w): weighted mean, centred, / (sum(w) − sum(w²)/sum(w)).
    let v1 = pairwise_sum(&w);
    let wx: Vec<f64> = stats.iter().zip(&w).map(|(x, w)| x * w).collect();
    let avg = pairwise_sum(&wx) / v1;
    let fact = v1 - pairwise_sum(&w2) / v1;
    let c: f64 = stats
        .iter()
        .zip(&w)
        .map(|(x, w)| (x - avg) * ((x - avg) * w))
        .sum::<f64>()
        / fact;
    let cov = c * factor * factor;
    if cov.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(DatalabError::check(
            "non_iid",
            "the permutation statistics have zero variance (singular KDE covariance)",
        ));
    }
    let sd = cov.sqrt();
    let terms: Vec<f64> = stats
        .iter()
        .zip(&w)
        .map(|(s, w)| w * (normal_cdf((high - s) / sd) - normal_cdf((low - s) / sd)))
        .collect();
    Ok(pairwise_sum(&terms))
}

/// cleanlab's per-example non-IID score of row `i` (sorted gaps vs the background area).
fn example_score(i: usize, n: usize, gaps: &mut [usize]) -> f64 {
    gaps.sort_unstable();
    let k = gaps.len() as f64;
    let nm1 = (n - 1) as f64;
    let d = i.min(n - 1 - i) as f64;
    let area = |x: f64| {
        if x <= d {
            x * x / nm1
        } else if x <= nm1 - d {
            d * d / nm1 + 0.5 * (x + 3.0 * d) * (x - d) / nm1
        } else {
            d * d / nm1 + 0.5 * (2.0 * d / nm1 + 1.0) * (nm1 - 2.0 * d) + (x - (nm1 - d))
        }
    };
    let mut stat = 0.0;
    let mut prev = 0.0f64;
    for (j, g) in gaps
        .iter()
        .map(|&g| g as f64)
        .chain(std::iter::once(nm1))
        .enumerate()
    {
        stat += ((j as f64 / k) * (g - prev) - (area(g) - area(prev))).abs();
        prev = g;
    }
    (-stat / i.max(n - i) as f64).tanh() + 1.0
}

impl IssueCheck for NonIid {
    fn name(&self) -> &'static str {
        "non_iid"
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
        "Whether the dataset looks independent and identically distributed: if examples \
         that are similar tend to sit next to each other in the data order (drift, sorting, \
         batches), splits and estimates can be biased. This is a dataset-level test."
    }

    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[(0, "p-value")]
    }

    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let req = KnnRequest {
            k: self.k,
            metric: self.metric,
        };
        let own;
        let (graph, metric) = if let Some((g, m)) = ctx.knn(&req)? {
            (g, m)
        } else if let Some(p) = ctx.pred_probs {
            let opts = KnnOptions::default()
                .n_neighbors(self.k)
                .metric(self.metric);
            let (g, metric) = with_matrix!(p, |v| {
                let (g, idx) = create_knn_graph_and_index(v, &opts)?;
                (g, idx.metric())
            });
            own = g;
            (&own, Some(metric))
        } else {
            return Err(DatalabError::check(
                self.name(),
                "needs features, pred_probs or a knn_graph",
            ));
        };
        let n = graph.n();
        if n < 2 {
            return Err(cl_core::CoreError::Empty { what: "knn_graph" }.into());
        }
        let bg = background_cdf(n);
        let identity: Vec<usize> = (0..n).collect();
        let ks = ks_from_counts(&gap_counts(graph, &identity), &bg);
        let mut rng = NumpyRng::new(self.seed);
        let perms: Vec<Vec<usize>> = (0..self.num_permutations)
            .map(|_| rng.permutation(n))
            .collect();
        let stats: Vec<f64> = perms
            .iter()
            .map(|perm| ks_from_counts(&gap_counts(graph, perm), &bg))
            .collect();
        let p_value = kde_integral(&stats, ks, 100.0)?;
        let score: Vec<f64> = graph
            .indices()
            .outer_iter()
            .into_par_iter()
            .enumerate()
            .map(|(i, row)| {
                let mut gaps: Vec<usize> = row.iter().map(|&j| i.abs_diff(j)).collect();
                example_score(i, n, &mut gaps)
            })
            .collect();
        let mut is_issue = vec![false; n];
        if p_value < self.significance_threshold
            && let Some(worst) = cl_core::numerics::argmin(score.iter().copied())
        {
            is_issue[worst] = true;
        }
        let mut info = serde_json::Map::new();
        info.insert("p-value".into(), json!(p_value));
        info.insert("metric".into(), json!(metric.map(Metric::name)));
        info.insert("k".into(), json!(self.k));
        Ok(CheckOutput {
            is_issue,
            score,
            summary_score: p_value,
            extra_columns: Vec::new(),
            info,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ks_of_counts_matches_sorted_definition() {
        let n = 7;
        let vals = [1usize, 1, 2, 3, 3, 3, 5, 6, 2, 1];
        let bg = background_cdf(n);
        let mut counts = vec![0usize; n];
        for &v in &vals {
            counts[v] += 1;
        }
        counts[n - 1] += 1;
        let mut sorted = vals.to_vec();
        sorted.push(n - 1);
        sorted.sort_unstable();
        let l = sorted.len();
        let direct = sorted
            .iter()
            .enumerate()
            .map(|(j, &g)| (j as f64 / (l - 1) as f64 - bg[g - 1]).abs())
            .fold(0.0, f64::max);
        assert_eq!(ks_from_counts(&counts, &bg), direct);
    }
}
