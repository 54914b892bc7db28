//! Exact k-nearest neighbours with cleanlab 2.9.0's semantics (`cleanlab.internal.neighbor`).
//!
//! cleanlab builds a kNN graph of the features with scikit-learn's `NearestNeighbors` and
//! stores it as a scipy CSR matrix; the outlier, near-duplicate, non-IID, underperforming-group
//! and data-valuation checks read it. This module is that engine:
//!
//! * [`Metric`] and [`Metric::decide_default`]: cleanlab's metric choice (cosine for more than
//!   3 columns; otherwise Euclidean, computed by scipy's exact callable for N ≤ 100).
//! * [`features_to_knn`] → [`ExactKnn`], an exact index over borrowed f32/f64 features;
//!   [`construct_knn_graph_from_index`], [`create_knn_graph_and_index`]: the graph, i.e.
//!   sklearn's `kneighbors()` of the training set with each point excluded from its own list.
//! * [`KnnGraph`]: N×k indices and f64 distances, nearest first, convertible to and from
//!   cleanlab's CSR `knn_graph` ([`CsrGraph`]).
//! * [`exact_duplicate_sets`], [`correct_knn_graph`], [`KnnGraph::correct_exact_duplicates`]:
//!   cleanlab's exact-duplicate correction; [`correct_precision_errors`]: its precision
//!   correction of kNN scores.
//! * `ann` (cargo feature `ann`, off by default): an approximate HNSW index (usearch) behind
//!   the same [`NeighborIndex`] trait, for data sets where exact O(N²·d) search is too slow;
//!   never used for parity.
//!
//! # Semantics
//!
//! * **k.** `n_neighbors` `None` (or 0, which cleanlab treats as unset) means
//!   `min(10, N − 1)`; `k ≥ N` is an error with cleanlab's message, and so is N = 1.
//! * **Distances.** Cosine: `clip(1 − x̂·ŷ, 0, 2)` with rows L2-normalised (rows whose norm is
//!   below 10·eps of the input type are left unscaled, as sklearn's `normalize` does).
//!   Euclidean: `sqrt(Σ (x_c − y_c)²)` summed in column order, the value sklearn's k-d tree
//!   computes. scipy's Euclidean: the same distance correctly rounded, which is what scipy's
//!   `euclidean` returned on the fixtures. All in f64 whatever the input type; f32 inputs
//!   give exactly the graph of their f64 widening.
//! * **Self-exclusion.** As sklearn's `kneighbors(X=None)`: the k + 1 nearest are found (the
//!   point itself at distance 0), then the point itself is dropped, or the first column if the
//!   point is not among them (more than k + 1 points at distance 0 before it).
//! * **Ties.** Equal distances are ordered by ascending index. sklearn's tie order is
//!   unspecified (argpartition, tree traversal), so fixtures compare tied neighbours as sets.
//!   Where sklearn's brute force would compute Euclidean distances with the
//!   `‖x‖² − 2x·y + ‖y‖²` expansion (an explicit `Metric::Euclidean` with more than 15
//!   columns or k ≥ N/2), we still return the exact distance.
//!
//! # Performance and memory
//!
//! The search is exact. Cosine (and Euclidean with more than [`DIRECT_MAX_DIM`] columns) is
//! brute force, tiled in both dimensions (query block × reference tile) and parallel over
//! query blocks with rayon; see [`Tiling`]. It uses a faer GEMM per tile (f32 for cosine) as
//! a filter and recomputes every candidate exactly in f64, so results do not depend on the
//! tiling, the GEMM precision or the thread count. Euclidean with few columns searches an
//! exact k-d tree (as sklearn does), bit-identical to the brute force. Working memory beyond
//! the input and the N×k output is O(N·(k+1)) heap entries plus a few MB per thread
//! (and, for the k-d tree, an f64 copy of the at most 8 columns), whatever N is.
//!
//! ```
//! use cl_core::neighbors::{KnnOptions, Metric, create_knn_graph_and_index};
//! use ndarray::array;
//!
//! // Four 2-D points: cleanlab picks scipy's Euclidean (d ≤ 3, N ≤ 100).
//! let x = array![[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0]];
//! let (graph, index) = create_knn_graph_and_index(x.view(), &KnnOptions::default().n_neighbors(3))?;
//! assert_eq!(index.metric(), Metric::ScipyEuclidean);
//! assert_eq!(graph.indices().row(0).to_vec(), vec![1, 2, 3]);
//! assert_eq!(graph.distances().row(3).to_vec(), vec![2f64.sqrt(); 3]);
//!
//! // The same graph as cleanlab's CSR knn_graph, and back.
//! let csr = graph.to_csr();
//! assert_eq!(csr.indptr, vec![0, 3, 6, 9, 12]);
//! assert_eq!(csr.to_knn_graph()?, graph);
//! # Ok::<(), cl_core::CoreError>(())
//! ```

#[cfg(feature = "ann")]
pub mod ann;
mod duplicates;
mod graph;
#[cfg(feature = "ivf")]
pub mod ivf;
mod kdtree;
mod precision;
mod search;

use std::fmt;
use std::str::FromStr;

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

pub use duplicates::exact_duplicate_sets;
pub use graph::{CsrGraph, KnnGraph, RowOrder};
pub use precision::{PRECISION_C, correct_precision_errors, precision_tolerance};
pub use search::{DIRECT_MAX_DIM, Tiling};

use crate::error::{CoreError, Result};
use crate::float::Real;
use crate::traits::NeighborIndex;
use search::Kernel;

/// cleanlab's default number of neighbours.
pub const DEFAULT_K: usize = 10;
/// More feature columns than this → cosine by default.
pub const HIGH_DIMENSION_CUTOFF: usize = 3;
/// More rows than this → sklearn's Euclidean instead of scipy's callable.
pub const ROW_COUNT_CUTOFF: usize = 100;

/// A distance metric as cleanlab passes it to sklearn's `NearestNeighbors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Metric {
    /// `"cosine"`: `1 − cos(x, y)`, clipped to [0, 2].
    Cosine,
    /// `"euclidean"` (sklearn's string metric).
    Euclidean,
    /// `scipy.spatial.distance.euclidean` (the callable cleanlab uses for small data sets:
    /// "numerically more precise").
    ScipyEuclidean,
}

impl Metric {
    /// cleanlab's `decide_default_metric`: `Cosine` for more than 3 columns, else
    /// [`Metric::decide_euclidean`].
    pub fn decide_default(n_rows: usize, n_cols: usize) -> Metric {
        if n_cols > HIGH_DIMENSION_CUTOFF {
            Metric::Cosine
        } else {
            Metric::decide_euclidean(n_rows)
        }
    }

    /// cleanlab's `decide_euclidean_metric`: `Euclidean` for more than 100 rows, else
    /// `ScipyEuclidean`.
    pub fn decide_euclidean(n_rows: usize) -> Metric {
        if n_rows > ROW_COUNT_CUTOFF {
            Metric::Euclidean
        } else {
            Metric::ScipyEuclidean
        }
    }

    /// The name cleanlab reports (`knn.metric` or the callable's `__name__`): `"cosine"` or
    /// `"euclidean"` (for both Euclidean variants).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Cosine => "cosine",
            Metric::Euclidean | Metric::ScipyEuclidean => "euclidean",
        }
    }

    fn kernel(self, n_cols: usize) -> Kernel {
        match self {
            Metric::Cosine => Kernel::Cosine,
            Metric::Euclidean if n_cols <= DIRECT_MAX_DIM => Kernel::EuclideanDirect,
            Metric::Euclidean => Kernel::EuclideanGemm,
            Metric::ScipyEuclidean => Kernel::EuclideanAccurate,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Metric::Cosine => "cosine",
            Metric::Euclidean => "euclidean",
            Metric::ScipyEuclidean => "scipy_euclidean",
        })
    }
}

impl FromStr for Metric {
    type Err = CoreError;
    /// `"cosine"`, `"euclidean"` or `"scipy_euclidean"`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "cosine" => Ok(Metric::Cosine),
            "euclidean" => Ok(Metric::Euclidean),
            "scipy_euclidean" => Ok(Metric::ScipyEuclidean),
            other => Err(CoreError::InvalidParameter {
                name: "metric",
                reason: format!(
                    "unknown metric {other:?} (expected cosine, euclidean or scipy_euclidean)"
                ),
            }),
        }
    }
}

/// Options of [`create_knn_graph_and_index`]; `Default` is cleanlab's default.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct KnnOptions {
    n_neighbors: Option<usize>,
    metric: Option<Metric>,
    keep_exact_duplicates_uncorrected: bool,
    tiling: Tiling,
}

impl KnnOptions {
    /// Number of neighbours k (`None` or 0: `min(10, N − 1)`, cleanlab's default).
    #[must_use]
    pub fn n_neighbors(mut self, k: impl Into<Option<usize>>) -> Self {
        self.n_neighbors = k.into();
        self
    }

    /// The metric (`None`: [`Metric::decide_default`]).
    #[must_use]
    pub fn metric(mut self, metric: impl Into<Option<Metric>>) -> Self {
        self.metric = metric.into();
        self
    }

    /// Whether to apply the exact-duplicate correction (cleanlab's
    /// `correct_exact_duplicates`, default `true`).
    #[must_use]
    pub fn correct_exact_duplicates(mut self, yes: bool) -> Self {
        self.keep_exact_duplicates_uncorrected = !yes;
        self
    }

    /// The tile shape of the search (results do not depend on it).
    #[must_use]
    pub fn tiling(mut self, tiling: Tiling) -> Self {
        self.tiling = tiling;
        self
    }
}

/// Checks that features are N×D with N ≥ 1, D ≥ 1 and every value finite (sklearn raises
/// "Input X contains NaN/infinity"). The first bad value in row-major order is reported,
/// whatever the thread count.
pub fn validate_features<T: Real>(features: ArrayView2<'_, T>) -> Result<()> {
    const BLOCK: usize = 4096;
    let (n, d) = features.dim();
    if n == 0 {
        return Err(CoreError::Empty { what: "features" });
    }
    if d == 0 {
        return Err(CoreError::Shape {
            what: "features",
            expected: "at least one column".into(),
            found: format!("{n}×0"),
        });
    }
    let bad = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            (b * BLOCK..((b + 1) * BLOCK).min(n)).find_map(|row| {
                features
                    .row(row)
                    .iter()
                    .position(|v| !v.is_finite())
                    .map(|col| CoreError::NonFinite {
                        what: "features",
                        row,
                        col,
                        value: features[[row, col]].to_f64x(),
                    })
            })
        })
        .find_first(Option::is_some)
        .flatten();
    bad.map_or(Ok(()), Err)
}

/// cleanlab's `_configure_num_neighbors` plus sklearn's parameter check: the k to use for N
/// points.
pub fn resolve_n_neighbors(n_neighbors: Option<usize>, n: usize) -> Result<usize> {
    let k = match n_neighbors {
        Some(k) if k > 0 => k,
        _ => DEFAULT_K.min(n.saturating_sub(1)),
    };
    if k >= n {
        return Err(CoreError::InvalidParameter {
            name: "n_neighbors",
            reason: format!(
                "Number of nearest neighbors k={k} cannot exceed the number of examples N={n} passed into the estimator (knn)."
            ),
        });
    }
    if k == 0 {
        return Err(CoreError::InvalidParameter {
            name: "n_neighbors",
            reason: "must be at least 1 (a single example has no neighbour)".into(),
        });
    }
    Ok(k)
}

/// The k of a self-search (every point's k nearest *other* points): `1 ≤ k < N`.
pub(crate) fn check_self_k(k: usize, n: usize) -> Result<()> {
    if k == 0 || k >= n {
        return Err(CoreError::InvalidParameter {
            name: "k",
            reason: format!("need 1 <= k < N = {n}, got {k}"),
        });
    }
    Ok(())
}

/// An exact kNN index over borrowed features (cleanlab's fitted `NearestNeighbors`).
#[derive(Debug, Clone, Copy)]
pub struct ExactKnn<'a, T: Real> {
    features: ArrayView2<'a, T>,
    metric: Metric,
    n_neighbors: usize,
    tiling: Tiling,
}

impl<'a, T: Real> ExactKnn<'a, T> {
    /// Validates the features and resolves k and the metric (cleanlab's `features_to_knn`).
    pub fn new(
        features: ArrayView2<'a, T>,
        n_neighbors: Option<usize>,
        metric: Option<Metric>,
    ) -> Result<Self> {
        validate_features(features)?;
        let (n, d) = features.dim();
        let n_neighbors = resolve_n_neighbors(n_neighbors, n)?;
        let metric = metric.unwrap_or_else(|| Metric::decide_default(n, d));
        Ok(Self {
            features,
            metric,
            n_neighbors,
            tiling: Tiling::default(),
        })
    }

    /// The same index with another tile shape (results do not depend on it).
    #[must_use]
    pub fn with_tiling(mut self, tiling: Tiling) -> Self {
        self.tiling = tiling;
        self
    }

    /// The indexed features.
    pub fn features(&self) -> ArrayView2<'a, T> {
        self.features
    }

    /// The metric in use.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// The configured k (`knn.n_neighbors`).
    pub fn n_neighbors(&self) -> usize {
        self.n_neighbors
    }

    /// The tile shape in use.
    pub fn tiling(&self) -> Tiling {
        self.tiling
    }

    /// The `k` nearest other points of every indexed point (sklearn's `kneighbors()` with no
    /// query, see the module docs for self-exclusion), without the duplicate correction.
    pub fn neighbors(&self, k: usize) -> Result<KnnGraph> {
        let n = self.features.nrows();
        check_self_k(k, n)?;
        let kernel = self.metric.kernel(self.features.ncols());
        let ks = k + 1;
        let entries = search::search(self.features, kernel, ks, self.tiling);
        let mut indices = Array2::<usize>::zeros((n, k));
        let mut distances = Array2::<f64>::zeros((n, k));
        indices
            .outer_iter_mut()
            .into_par_iter()
            .zip(distances.outer_iter_mut())
            .enumerate()
            .for_each(|(i, (mut ir, mut dr))| {
                // sklearn's rule: drop the point itself, or the first column when the point
                // is not among its k + 1 nearest.
                let row = &entries[i * ks..(i + 1) * ks];
                let drop = row.iter().position(|e| e.idx == i).unwrap_or(0);
                let kept = row
                    .iter()
                    .enumerate()
                    .filter(|&(p, _)| p != drop)
                    .map(|(_, e)| e);
                for (slot, e) in kept.enumerate() {
                    ir[slot] = e.idx;
                    dr[slot] = kernel.distance(e.key);
                }
            });
        Ok(KnnGraph::new_unchecked(indices, distances))
    }

    /// [`ExactKnn::neighbors`] with the configured k (cleanlab's
    /// `construct_knn_graph_from_index(knn)` without correction features).
    pub fn knn_graph(&self) -> Result<KnnGraph> {
        self.neighbors(self.n_neighbors)
    }

    /// The `k` nearest indexed points of every row of `queries` (sklearn's
    /// `kneighbors(queries, n_neighbors=k)`): `(indices, distances)`, both `Nq × k`,
    /// nearest first, ties in ascending index order. Unlike [`ExactKnn::neighbors`] nothing
    /// is excluded, so a query equal to an indexed point lists it at distance 0.
    ///
    /// Distances are exactly those of the self-search (same metric, normalisation and
    /// summation order). The search is brute force over every (query, indexed point) pair,
    /// in parallel over query rows, so results do not depend on the thread count; it costs
    /// `O(Nq · N · d)` with no GEMM filter, so it is meant for scoring new data against a
    /// fitted index, not for building the graph of the index itself.
    ///
    /// Errors: queries that are empty, non-finite or of another width than the indexed
    /// features; `k = 0` or `k > N`.
    pub fn kneighbors<Q: Real>(
        &self,
        queries: ArrayView2<'_, Q>,
        k: usize,
    ) -> Result<(Array2<usize>, Array2<f64>)> {
        validate_features(queries)?;
        let (n, d) = self.features.dim();
        if queries.ncols() != d {
            return Err(CoreError::Shape {
                what: "query features",
                expected: format!("{d} columns (as the indexed features)"),
                found: format!("{} columns", queries.ncols()),
            });
        }
        if k == 0 || k > n {
            return Err(CoreError::InvalidParameter {
                name: "n_neighbors",
                reason: format!(
                    "Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, n_samples_fit = {n} (need 1 <= k <= {n})"
                ),
            });
        }
        let kernel = self.metric.kernel(d);
        let nq = queries.nrows();
        let entries = search::query(self.features, queries, kernel, k);
        let mut indices = Array2::<usize>::zeros((nq, k));
        let mut distances = Array2::<f64>::zeros((nq, k));
        for (i, e) in entries.iter().enumerate() {
            indices[[i / k, i % k]] = e.idx;
            distances[[i / k, i % k]] = kernel.distance(e.key);
        }
        Ok((indices, distances))
    }
}

impl<T: Real> NeighborIndex for ExactKnn<'_, T> {
    fn len(&self) -> usize {
        self.features.nrows()
    }

    fn n_neighbors(&self) -> usize {
        self.n_neighbors
    }

    fn self_neighbors(&self, k: usize) -> Result<KnnGraph> {
        self.neighbors(k)
    }
}

/// cleanlab's `features_to_knn`: validates the features, resolves k (`None` or 0 →
/// `min(10, N − 1)`) and the metric (`None` → [`Metric::decide_default`]).
pub fn features_to_knn<T: Real>(
    features: ArrayView2<'_, T>,
    n_neighbors: Option<usize>,
    metric: Option<Metric>,
) -> Result<ExactKnn<'_, T>> {
    ExactKnn::new(features, n_neighbors, metric)
}

/// cleanlab's `construct_knn_graph_from_index`: the graph of the index's k neighbours,
/// corrected for exact duplicates of `correction_features` when given.
pub fn construct_knn_graph_from_index<I: NeighborIndex + ?Sized, T: Real>(
    index: &I,
    correction_features: Option<ArrayView2<'_, T>>,
) -> Result<KnnGraph> {
    let mut graph = index.self_neighbors(index.n_neighbors())?;
    if let Some(f) = correction_features {
        check_rows(f, graph.n())?;
        graph.correct_exact_duplicates(&exact_duplicate_sets(f))?;
    }
    Ok(graph)
}

/// cleanlab's `create_knn_graph_and_index`: builds the index and its graph, corrected for
/// exact duplicates unless turned off.
pub fn create_knn_graph_and_index<'a, T: Real>(
    features: ArrayView2<'a, T>,
    options: &KnnOptions,
) -> Result<(KnnGraph, ExactKnn<'a, T>)> {
    let index =
        ExactKnn::new(features, options.n_neighbors, options.metric)?.with_tiling(options.tiling);
    let mut graph = index.knn_graph()?;
    if !options.keep_exact_duplicates_uncorrected {
        graph.correct_exact_duplicates(&exact_duplicate_sets(features))?;
    }
    Ok((graph, index))
}

/// cleanlab's `correct_knn_graph`: a copy of `graph` with the exact-duplicate correction
/// for `features` applied.
pub fn correct_knn_graph<T: Real>(
    features: ArrayView2<'_, T>,
    graph: &KnnGraph,
) -> Result<KnnGraph> {
    check_rows(features, graph.n())?;
    let mut out = graph.clone();
    out.correct_exact_duplicates(&exact_duplicate_sets(features))?;
    Ok(out)
}

fn check_rows<T: Real>(features: ArrayView2<'_, T>, n: usize) -> Result<()> {
    if features.nrows() == n {
        Ok(())
    } else {
        Err(CoreError::Shape {
            what: "features and knn_graph",
            expected: format!("{n} rows"),
            found: format!("{} rows", features.nrows()),
        })
    }
}
