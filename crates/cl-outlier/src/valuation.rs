//! kNN data valuation: cleanlab's `data_valuation.data_shapley_knn`.

use cl_core::CoreError;
use cl_core::float::Real;
use cl_core::neighbors::{KnnGraph, KnnOptions, Metric, create_knn_graph_and_index};
use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::error::Result;

/// Options of [`data_shapley_knn_from_features`] and [`data_shapley_knn_from_graph`];
/// `Default` is cleanlab's: `k = 10`, the metric cleanlab would choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataShapleyOptions {
    k: usize,
    metric: Option<Metric>,
}

impl Default for DataShapleyOptions {
    fn default() -> Self {
        Self {
            k: cl_core::neighbors::DEFAULT_K,
            metric: None,
        }
    }
}

impl DataShapleyOptions {
    /// Number of neighbours k (default 10; must be at least 1 and, with features, below N;
    /// a given graph must store at least k neighbours per row).
    #[must_use]
    pub fn k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }

    /// The metric of the graph built from features (`None`: cleanlab's choice).
    #[must_use]
    pub fn metric(mut self, metric: impl Into<Option<Metric>>) -> Self {
        self.metric = metric.into();
        self
    }

    /// The configured k.
    pub fn get_k(&self) -> usize {
        self.k
    }

    /// The configured metric.
    pub fn get_metric(&self) -> Option<Metric> {
        self.metric
    }
}

/// What [`data_shapley_knn`] values the data from (cleanlab's `features` / `knn_graph`;
/// when both are given cleanlab uses the graph).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ShapleyInput<'a, T: Real> {
    /// Features: the kNN graph is built with cleanlab's `create_knn_graph_and_index`
    /// (exact-duplicate corrected).
    Features(ArrayView2<'a, T>),
    /// A kNN graph (its first k neighbours per row are used).
    KnnGraph(&'a KnnGraph),
}

/// cleanlab's `data_shapley_knn(labels, features=..., knn_graph=..., metric, k)`: a value in
/// `[0, 1]` per example, the kNN-Shapley value of the example for a k-nearest-neighbour
/// classifier of the labels, mapped by `0.5 · (v + 1)` (0.5 = no influence, lower = harms
/// the neighbours it is nearest to).
///
/// For each example α with neighbours `n_0 … n_{k−1}` (graph order) and match flags
/// `m_j = [y(n_j) = y(α)]`, `s_α(n_{k−1}) = 0` and, going backwards,
/// `s_α(n_j) = s_α(n_{j+1}) + m_j − m_{j+1}`; the value of x is `Σ_α s_α(x) / N / k`.
/// The sums are integers, accumulated exactly (cleanlab uses a dense N×N matrix; this uses
/// O(N·k) memory), so the result does not depend on the thread count.
pub fn data_shapley_knn<L: PartialEq + Sync, T: Real>(
    labels: &[L],
    input: ShapleyInput<'_, T>,
    options: &DataShapleyOptions,
) -> Result<Vec<f64>> {
    match input {
        ShapleyInput::Features(x) => data_shapley_knn_from_features(labels, x, options),
        ShapleyInput::KnnGraph(g) => data_shapley_knn_from_graph(labels, g, options.k),
    }
}

/// [`data_shapley_knn`] from features.
pub fn data_shapley_knn_from_features<L: PartialEq + Sync, T: Real>(
    labels: &[L],
    features: ArrayView2<'_, T>,
    options: &DataShapleyOptions,
) -> Result<Vec<f64>> {
    check_k(options.k)?;
    check_len(labels.len(), features.nrows())?;
    let (graph, _) = create_knn_graph_and_index(
        features,
        &KnnOptions::default()
            .n_neighbors(options.k)
            .metric(options.metric),
    )?;
    data_shapley_knn_from_graph(labels, &graph, options.k)
}

/// [`data_shapley_knn`] from a kNN graph, using its first `k` neighbours per row.
pub fn data_shapley_knn_from_graph<L: PartialEq + Sync>(
    labels: &[L],
    graph: &KnnGraph,
    k: usize,
) -> Result<Vec<f64>> {
    check_k(k)?;
    let n = graph.n();
    check_len(labels.len(), n)?;
    if graph.k() < k {
        return Err(CoreError::InvalidParameter {
            name: "k",
            reason: format!(
                "k={k} is larger than the number of neighbours stored per row of knn_graph ({})",
                graph.k()
            ),
        }
        .into());
    }
    let idx = graph.indices();
    // Per row α: the contribution to each of its first k neighbours (integers), flat N×k.
    let mut contrib = vec![0_i64; n * k];
    contrib.par_chunks_mut(k).enumerate().for_each(|(a, s)| {
        let row = idx.row(a);
        let m = |j: usize| i64::from(labels[row[j]] == labels[a]);
        for j in (0..k - 1).rev() {
            s[j] = s[j + 1] + m(j) - m(j + 1);
        }
    });
    let mut acc = vec![0_i64; n];
    for (a, s) in contrib.chunks_exact(k).enumerate() {
        for (j, &v) in s.iter().enumerate() {
            acc[idx[[a, j]]] += v;
        }
    }
    let (nf, kf) = (n as f64, k as f64);
    Ok(acc
        .into_iter()
        .map(|v| 0.5 * ((v as f64 / nf) / kf + 1.0))
        .collect())
}

fn check_k(k: usize) -> Result<()> {
    if k == 0 {
        return Err(CoreError::InvalidParameter {
            name: "k",
            reason: "must be at least 1".into(),
        }
        .into());
    }
    Ok(())
}

fn check_len(n_labels: usize, n: usize) -> Result<()> {
    if n_labels == n {
        Ok(())
    } else {
        Err(CoreError::Shape {
            what: "labels and data",
            expected: format!("{n} labels (one per example)"),
            found: format!("{n_labels} labels"),
        }
        .into())
    }
}
