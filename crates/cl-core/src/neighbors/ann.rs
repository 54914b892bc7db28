//! Approximate nearest neighbours (cargo feature `ann`): an HNSW index from
//! [usearch](https://github.com/unum-cloud/usearch) behind the same
//! [`NeighborIndex`] trait as the exact index.
//!
//! Not part of cleanlab's semantics and never used by parity tests: the neighbour *sets*
//! are approximate (recall@10 ≈ 0.99+ on clustered data with the defaults, measured in
//! `benches/README.md`). What is kept exact: the reported distances (recomputed in f64 with
//! the exact index's formulas), the order within a row (distance, then index), and
//! self-exclusion. Built sequentially by default, so the index (and thus every result) is
//! reproducible and independent of the thread count; queries run in parallel.
//!
//! ```
//! use cl_core::neighbors::{Metric, ann::{AnnOptions, ApproxKnn}};
//! use cl_core::traits::NeighborIndex;
//! use ndarray::Array2;
//!
//! let x = Array2::from_shape_fn((200, 8), |(i, j)| ((i * 7 + j * 3) % 11) as f32 + 0.01 * i as f32);
//! let index = ApproxKnn::new(x.view(), Some(5), None, &AnnOptions::default())?;
//! assert_eq!(index.metric(), Metric::Cosine);
//! let graph = index.self_neighbors(5)?;
//! assert_eq!((graph.n(), graph.k()), (200, 5));
//! # Ok::<(), cl_core::CoreError>(())
//! ```

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

use super::graph::KnnGraph;
use super::search::{dot_fixed, euclidean_accurate};
use super::{Metric, resolve_n_neighbors, validate_features};
use crate::error::{CoreError, Result};
use crate::float::Real;
use crate::traits::NeighborIndex;

/// HNSW parameters. `Default`: connectivity 16, expansion 128 when adding, 64 when
/// searching (usearch's defaults), sequential build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnnOptions {
    connectivity: usize,
    expansion_add: usize,
    expansion_search: usize,
    parallel_build: bool,
}

impl Default for AnnOptions {
    fn default() -> Self {
        Self {
            connectivity: 16,
            expansion_add: 128,
            expansion_search: 64,
            parallel_build: false,
        }
    }
}

impl AnnOptions {
    /// Graph degree M (edges per node).
    #[must_use]
    pub fn connectivity(mut self, m: usize) -> Self {
        self.connectivity = m;
        self
    }

    /// Candidate list size while inserting (`efConstruction`).
    #[must_use]
    pub fn expansion_add(mut self, ef: usize) -> Self {
        self.expansion_add = ef;
        self
    }

    /// Candidate list size while searching (`ef`); raised to k + 1 when smaller.
    #[must_use]
    pub fn expansion_search(mut self, ef: usize) -> Self {
        self.expansion_search = ef;
        self
    }

    /// Insert points from rayon's threads: faster, but the graph (and so the neighbour
    /// sets) then depends on thread timing. Off by default.
    #[must_use]
    pub fn parallel_build(mut self, yes: bool) -> Self {
        self.parallel_build = yes;
        self
    }
}

fn ann_err(e: &impl std::fmt::Display) -> CoreError {
    CoreError::InvalidParameter {
        name: "ann",
        reason: format!("usearch: {e}"),
    }
}

/// An approximate kNN index (usearch HNSW, f32 storage) over borrowed features.
pub struct ApproxKnn<'a, T: Real> {
    features: ArrayView2<'a, T>,
    metric: Metric,
    n_neighbors: usize,
    options: AnnOptions,
    index: Index,
    /// Row norms (cosine) used for the exact distances.
    norms: Vec<f64>,
}

impl<T: Real> std::fmt::Debug for ApproxKnn<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApproxKnn")
            .field("n", &self.features.nrows())
            .field("d", &self.features.ncols())
            .field("metric", &self.metric)
            .field("n_neighbors", &self.n_neighbors)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn row_f32<T: Real>(x: ArrayView2<'_, T>, i: usize, out: &mut [f32]) {
    for (o, v) in out.iter_mut().zip(x.row(i).iter()) {
        *o = v.to_f64x() as f32;
    }
}

impl<'a, T: Real> ApproxKnn<'a, T> {
    /// Validates the features, resolves k and the metric as [`super::features_to_knn`]
    /// does, and builds the HNSW graph (cosine or squared L2, f32 vectors).
    pub fn new(
        features: ArrayView2<'a, T>,
        n_neighbors: Option<usize>,
        metric: Option<Metric>,
        options: &AnnOptions,
    ) -> Result<Self> {
        validate_features(features)?;
        let (n, d) = features.dim();
        let n_neighbors = resolve_n_neighbors(n_neighbors, n)?;
        let metric = metric.unwrap_or_else(|| Metric::decide_default(n, d));
        let opts = IndexOptions {
            dimensions: d,
            metric: if metric == Metric::Cosine {
                MetricKind::Cos
            } else {
                MetricKind::L2sq
            },
            quantization: ScalarKind::F32,
            connectivity: options.connectivity,
            expansion_add: options.expansion_add,
            expansion_search: options.expansion_search,
            multi: false,
        };
        let index = Index::new(&opts).map_err(|e| ann_err(&e))?;
        let threads = if options.parallel_build {
            rayon::current_num_threads()
        } else {
            1
        };
        index
            .reserve_capacity_and_threads(n, threads.max(rayon::current_num_threads()))
            .map_err(|e| ann_err(&e))?;
        if options.parallel_build {
            (0..n)
                .into_par_iter()
                .map_init(
                    || vec![0.0_f32; d],
                    |buf, i| {
                        row_f32(features, i, buf);
                        index.add(i as u64, buf).map_err(|e| ann_err(&e))
                    },
                )
                .collect::<Result<()>>()?;
        } else {
            let mut buf = vec![0.0_f32; d];
            for i in 0..n {
                row_f32(features, i, &mut buf);
                index.add(i as u64, &buf).map_err(|e| ann_err(&e))?;
            }
        }
        let tiny = 10.0 * T::EPS.to_f64x();
        let norms = if metric == Metric::Cosine {
            (0..n)
                .into_par_iter()
                .map(|i| {
                    let r: Vec<f64> = features.row(i).iter().map(|v| v.to_f64x()).collect();
                    let nrm = dot_fixed(&r, &r).sqrt();
                    if nrm < tiny { 1.0 } else { nrm }
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            features,
            metric,
            n_neighbors,
            options: *options,
            index,
            norms,
        })
    }

    /// The metric in use.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Row `i` widened to f64, normalised for cosine: the left operand of [`Self::distance`].
    fn query_row(&self, i: usize, a: &mut [f64]) {
        let nrm = if self.metric == Metric::Cosine {
            self.norms[i]
        } else {
            1.0
        };
        for (o, v) in a.iter_mut().zip(self.features.row(i).iter()) {
            *o = if self.metric == Metric::Cosine {
                v.to_f64x() / nrm
            } else {
                v.to_f64x()
            };
        }
    }

    /// The exact distance from a [`Self::query_row`] to point `j`, by the exact index's
    /// formulas.
    fn distance(&self, a: &[f64], j: usize, b: &mut [f64]) -> f64 {
        self.query_row(j, b);
        match self.metric {
            Metric::Cosine => (1.0 - dot_fixed(a, b)).clamp(0.0, 2.0),
            Metric::Euclidean => a
                .iter()
                .zip(b.iter())
                .fold(0.0, |s, (x, y)| s + (x - y) * (x - y))
                .sqrt(),
            Metric::ScipyEuclidean => euclidean_accurate(a, b),
        }
    }
}

impl<T: Real> NeighborIndex for ApproxKnn<'_, T> {
    fn len(&self) -> usize {
        self.features.nrows()
    }

    fn n_neighbors(&self) -> usize {
        self.n_neighbors
    }

    /// Searches k + 1 candidates per point (raising the search expansion to k + 1 when
    /// needed), drops the point itself (or, if absent, the farthest candidate), recomputes
    /// the distances exactly and sorts each row by (distance, index). Errors if the index
    /// returns fewer than k other points.
    fn self_neighbors(&self, k: usize) -> Result<KnnGraph> {
        let (n, d) = self.features.dim();
        super::check_self_k(k, n)?;
        if self.options.expansion_search < k + 1 {
            self.index.change_expansion_search(k + 1);
        }
        let rows: Vec<Vec<(f64, usize)>> = (0..n)
            .into_par_iter()
            .map_init(
                || (vec![0.0_f32; d], vec![0.0_f64; d], vec![0.0_f64; d]),
                |(q32, a, b), i| {
                    row_f32(self.features, i, q32);
                    self.query_row(i, a);
                    let m = self.index.search(q32, k + 1).map_err(|e| ann_err(&e))?;
                    let mut keys: Vec<usize> = m.keys.iter().map(|&key| key as usize).collect();
                    match keys.iter().position(|&j| j == i) {
                        Some(p) => {
                            keys.remove(p);
                        }
                        None => {
                            keys.truncate(k);
                        }
                    }
                    if keys.len() < k {
                        return Err(CoreError::InvalidParameter {
                            name: "ann",
                            reason: format!(
                                "the approximate index found only {} neighbours of point {i}",
                                keys.len()
                            ),
                        });
                    }
                    let mut row: Vec<(f64, usize)> =
                        keys.iter().map(|&j| (self.distance(a, j, b), j)).collect();
                    row.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                    Ok(row)
                },
            )
            .collect::<Result<_>>()?;
        let mut indices = Array2::<usize>::zeros((n, k));
        let mut distances = Array2::<f64>::zeros((n, k));
        for (i, row) in rows.iter().enumerate() {
            for (p, &(dist, j)) in row.iter().enumerate() {
                indices[[i, p]] = j;
                distances[[i, p]] = dist;
            }
        }
        Ok(KnnGraph::new_unchecked(indices, distances))
    }
}
