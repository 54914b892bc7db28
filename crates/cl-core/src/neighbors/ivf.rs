//! Approximate nearest neighbours by an inverted-file partition (cargo feature `ivf`, pure
//! Rust, no extra dependency): the points are split into `nlist` cells by k-means, and the
//! neighbours of a point are searched exactly among the points of its cell's `nprobe`
//! nearest cells (its own included), with the same tiled GEMM engine as the exact index.
//!
//! Not part of cleanlab's semantics and never used by parity tests: the neighbour *sets*
//! are approximate (a true neighbour is missed when it lies in a cell that is not among
//! the probed ones). What is kept exact: the reported distances (the exact index's keys),
//! the order within a row (distance, then index) and self-exclusion. The k-means is
//! deterministic (evenly spaced training rows and initial centroids, sums in index order),
//! and every step is a pure function of its inputs, so the graph does not depend on the
//! thread count.
//!
//! Cost: about `N · nprobe · (N / nlist) · d` for the search (the exact index costs
//! `N² · d`), plus `N · nlist · d` for assigning points to cells. With the defaults
//! (`nlist = ⌈√N⌉`, `nprobe = 16`) that is roughly `16 / √N` of the exact work, e.g. 1/64
//! at N = 1M.
//!
//! ```
//! use cl_core::neighbors::ivf::{IvfKnn, IvfOptions};
//! use cl_core::traits::NeighborIndex;
//! use ndarray::Array2;
//!
//! let x = Array2::from_shape_fn((500, 8), |(i, j)| ((i * 7 + j * 3) % 11) as f32 + 0.01 * i as f32);
//! let index = IvfKnn::new(x.view(), Some(5), None, &IvfOptions::default())?;
//! let graph = index.self_neighbors(5)?;
//! assert_eq!((graph.n(), graph.k()), (500, 5));
//! # Ok::<(), cl_core::CoreError>(())
//! ```

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use super::graph::KnnGraph;
use super::search::{Entry, Tiling, dot_fixed, search_prefix};
use super::{Metric, resolve_n_neighbors, validate_features};
use crate::error::{CoreError, Result};
use crate::float::Real;
use crate::traits::NeighborIndex;

/// Parameters of the inverted-file index. `Default`: `nlist = ⌈√N⌉` cells, 16 probed
/// cells, k-means trained on up to 64 points per cell for 10 iterations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IvfOptions {
    nlist: Option<usize>,
    nprobe: Option<usize>,
    train_per_cell: Option<usize>,
    iterations: Option<usize>,
}

impl IvfOptions {
    /// Number of cells (default `⌈√N⌉`, capped at N).
    #[must_use]
    pub fn nlist(mut self, nlist: usize) -> Self {
        self.nlist = Some(nlist);
        self
    }

    /// Number of cells searched per point, its own included (default 16, capped at
    /// `nlist`). More probes: higher recall, proportionally more work.
    #[must_use]
    pub fn nprobe(mut self, nprobe: usize) -> Self {
        self.nprobe = Some(nprobe);
        self
    }

    /// Training points per cell for k-means (default 64).
    #[must_use]
    pub fn train_per_cell(mut self, m: usize) -> Self {
        self.train_per_cell = Some(m);
        self
    }

    /// k-means iterations (default 10).
    #[must_use]
    pub fn iterations(mut self, iterations: usize) -> Self {
        self.iterations = Some(iterations);
        self
    }
}

/// An approximate kNN index: k-means cells searched exactly within the nearest cells.
#[derive(Clone)]
pub struct IvfKnn<'a, T: Real> {
    features: ArrayView2<'a, T>,
    metric: Metric,
    n_neighbors: usize,
    nprobe: usize,
    /// Point indices of each cell, ascending.
    cells: Vec<Vec<usize>>,
    /// Centroids, nlist × d (unit length for cosine).
    centroids: Array2<f64>,
}

impl<T: Real> std::fmt::Debug for IvfKnn<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IvfKnn")
            .field("n", &self.features.nrows())
            .field("d", &self.features.ncols())
            .field("metric", &self.metric)
            .field("n_neighbors", &self.n_neighbors)
            .field("nlist", &self.cells.len())
            .field("nprobe", &self.nprobe)
            .finish_non_exhaustive()
    }
}

/// Row `i` of `x` as f64, normalised for cosine (rows of norm ~0 left as they are).
fn unit_row<T: Real>(x: ArrayView2<'_, T>, i: usize, cosine: bool, out: &mut [f64]) {
    for (o, v) in out.iter_mut().zip(x.row(i).iter()) {
        *o = v.to_f64x();
    }
    if cosine {
        let nrm = dot_fixed(out, out).sqrt();
        if nrm > 10.0 * T::EPS.to_f64x() {
            for o in out.iter_mut() {
                *o /= nrm;
            }
        }
    }
}

/// For each of `rows` (indices into `x`), the `m` best centroids by score
/// `x·c − ½‖c‖²` (Euclidean) or `x̂·c` (cosine), best first, ties to the lower index.
/// An f32 GEMM per block of rows; exact enough to choose cells (an approximate choice
/// only changes which points are searched, never a reported distance).
fn best_centroids<T: Real>(
    x: ArrayView2<'_, T>,
    rows: &[usize],
    centroids: &Array2<f64>,
    cosine: bool,
    m: usize,
) -> Vec<Vec<usize>> {
    const B: usize = 1024;
    let (nc, d) = centroids.dim();
    let c32: Vec<f32> = centroids.iter().map(|&v| v as f32).collect();
    let half_norm: Vec<f32> = centroids
        .rows()
        .into_iter()
        .map(|c| {
            if cosine {
                0.0
            } else {
                (0.5 * c.dot(&c)) as f32
            }
        })
        .collect();
    rows.par_chunks(B)
        .flat_map_iter(|chunk| {
            let b = chunk.len();
            let mut q = vec![0.0_f32; b * d];
            let mut buf = vec![0.0_f64; d];
            for (a, &i) in chunk.iter().enumerate() {
                unit_row(x, i, cosine, &mut buf);
                for (o, &v) in q[a * d..(a + 1) * d].iter_mut().zip(&buf) {
                    *o = v as f32;
                }
            }
            let mut s = vec![0.0_f32; b * nc];
            matmul(
                MatMut::from_row_major_slice_mut(&mut s, b, nc),
                Accum::Replace,
                MatRef::from_row_major_slice(&q, b, d),
                MatRef::from_row_major_slice(&c32, nc, d).transpose(),
                1.0_f32,
                Par::Seq,
            );
            (0..b)
                .map(|a| {
                    let row = &s[a * nc..(a + 1) * nc];
                    let key = |j: usize| row[j] - half_norm[j];
                    let m = m.min(nc);
                    if m == 1 {
                        // The best cell (first on ties) without a scratch vector per row.
                        let best = (1..nc).fold(0, |b, j| if key(j) > key(b) { j } else { b });
                        return vec![best];
                    }
                    let mut order: Vec<usize> = (0..nc).collect();
                    if m < nc {
                        order.select_nth_unstable_by(m - 1, |&u, &v| {
                            key(v).total_cmp(&key(u)).then(u.cmp(&v))
                        });
                        order.truncate(m);
                        order.shrink_to_fit();
                    }
                    order.sort_by(|&u, &v| key(v).total_cmp(&key(u)).then(u.cmp(&v)));
                    order
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Deterministic k-means: `nlist` centroids from evenly spaced training rows.
fn kmeans<T: Real>(
    x: ArrayView2<'_, T>,
    nlist: usize,
    train: usize,
    iterations: usize,
    cosine: bool,
) -> Array2<f64> {
    let (n, d) = x.dim();
    let train = train.clamp(nlist, n);
    let rows: Vec<usize> = (0..train).map(|j| j * n / train).collect();
    let mut centroids = Array2::<f64>::zeros((nlist, d));
    let mut buf = vec![0.0_f64; d];
    for (c, mut row) in centroids.axis_iter_mut(Axis(0)).enumerate() {
        unit_row(x, rows[c * train / nlist], cosine, &mut buf);
        row.iter_mut().zip(&buf).for_each(|(o, &v)| *o = v);
    }
    for _ in 0..iterations {
        let assign = best_centroids(x, &rows, &centroids, cosine, 1);
        let mut sums = Array2::<f64>::zeros((nlist, d));
        let mut counts = vec![0_usize; nlist];
        for (&i, a) in rows.iter().zip(&assign) {
            let c = a[0];
            unit_row(x, i, cosine, &mut buf);
            sums.row_mut(c)
                .iter_mut()
                .zip(&buf)
                .for_each(|(s, &v)| *s += v);
            counts[c] += 1;
        }
        for (c, &cnt) in counts.iter().enumerate() {
            if cnt == 0 {
                continue; // an empty cell keeps its centroid
            }
            let mut row = centroids.row_mut(c);
            row.assign(&sums.row(c));
            row.mapv_inplace(|v| v / cnt as f64);
            if cosine {
                let nrm = row.dot(&row).sqrt();
                if nrm > 0.0 {
                    row.mapv_inplace(|v| v / nrm);
                }
            }
        }
    }
    centroids
}

impl<'a, T: Real> IvfKnn<'a, T> {
    /// Validates the features, resolves k and the metric as [`super::features_to_knn`]
    /// does, trains the cells and assigns every point to one.
    ///
    /// Errors: the feature errors of the exact index; `nlist`, `nprobe`,
    /// `train_per_cell` or `iterations` of 0.
    pub fn new(
        features: ArrayView2<'a, T>,
        n_neighbors: Option<usize>,
        metric: Option<Metric>,
        options: &IvfOptions,
    ) -> Result<Self> {
        validate_features(features)?;
        let (n, d) = features.dim();
        let n_neighbors = resolve_n_neighbors(n_neighbors, n)?;
        let metric = metric.unwrap_or_else(|| Metric::decide_default(n, d));
        let positive = |name: &'static str, v: Option<usize>, default: usize| match v {
            Some(0) => Err(CoreError::InvalidParameter {
                name,
                reason: "must be at least 1".into(),
            }),
            Some(v) => Ok(v),
            None => Ok(default),
        };
        let nlist = positive("nlist", options.nlist, (n as f64).sqrt().ceil() as usize)?.min(n);
        let nprobe = positive("nprobe", options.nprobe, 16)?.min(nlist);
        let per_cell = positive("train_per_cell", options.train_per_cell, 64)?;
        let iterations = positive("iterations", options.iterations, 10)?;
        let cosine = metric == Metric::Cosine;
        let centroids = kmeans(
            features,
            nlist,
            per_cell.saturating_mul(nlist),
            iterations,
            cosine,
        );
        let all: Vec<usize> = (0..n).collect();
        let assign = best_centroids(features, &all, &centroids, cosine, 1);
        let mut cells = vec![Vec::new(); nlist];
        for (i, a) in assign.iter().enumerate() {
            cells[a[0]].push(i);
        }
        Ok(Self {
            features,
            metric,
            n_neighbors,
            nprobe,
            cells,
            centroids,
        })
    }

    /// The metric in use.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Number of cells.
    pub fn nlist(&self) -> usize {
        self.cells.len()
    }

    /// Cells searched per point.
    pub fn nprobe(&self) -> usize {
        self.nprobe
    }

    /// The probed cells of every cell: its `nprobe` nearest centroids (itself first), then
    /// further cells until they hold at least `need` points.
    fn probes(&self, need: usize) -> Vec<Vec<usize>> {
        let nl = self.cells.len();
        let cosine = self.metric == Metric::Cosine;
        let cview = self.centroids.view();
        let ids: Vec<usize> = (0..nl).collect();
        let ranked = best_centroids(cview, &ids, &self.centroids, cosine, nl);
        ranked
            .into_iter()
            .enumerate()
            .map(|(c, order)| {
                let mut out = vec![c];
                let mut total = self.cells[c].len();
                for j in order.into_iter().filter(|&j| j != c) {
                    if out.len() >= self.nprobe && total >= need {
                        break;
                    }
                    total += self.cells[j].len();
                    out.push(j);
                }
                out
            })
            .collect()
    }
}

impl<T: Real> NeighborIndex for IvfKnn<'_, T> {
    fn len(&self) -> usize {
        self.features.nrows()
    }

    fn n_neighbors(&self) -> usize {
        self.n_neighbors
    }

    /// Per cell: the cell's points (queries) followed by those of its other probed cells,
    /// searched with the exact engine; each row drops the point itself and is sorted by
    /// (distance, index).
    fn self_neighbors(&self, k: usize) -> Result<KnnGraph> {
        let (n, d) = self.features.dim();
        super::check_self_k(k, n)?;
        let kernel = self.metric.kernel(d);
        let ks = k + 1;
        let probes = self.probes(ks);
        // Cells in parallel, each searched on one thread (so only one cell per thread is
        // in flight); per cell: (its points, their neighbour indices and distances, flat).
        let found: Vec<(usize, Vec<usize>, Vec<f64>)> = probes
            .par_iter()
            .enumerate()
            .map(|(c, probe)| {
                let nq = self.cells[c].len();
                if nq == 0 {
                    return (c, Vec::new(), Vec::new());
                }
                let members: Vec<usize> = probe
                    .iter()
                    .flat_map(|&j| self.cells[j].iter().copied())
                    .collect();
                let sub = self.features.select(Axis(0), &members);
                let entries: Vec<Entry> =
                    search_prefix(sub.view(), kernel, ks, Tiling::default(), nq, false);
                let mut idx = Vec::with_capacity(nq * k);
                let mut dist = Vec::with_capacity(nq * k);
                let mut kept: Vec<(usize, f64)> = Vec::with_capacity(ks);
                for a in 0..nq {
                    let row = &entries[a * ks..(a + 1) * ks];
                    let drop = row.iter().position(|e| e.idx == a).unwrap_or(0);
                    kept.clear();
                    kept.extend(
                        row.iter()
                            .enumerate()
                            .filter(|&(p, e)| p != drop && e.idx != usize::MAX)
                            .map(|(_, e)| (members[e.idx], kernel.distance(e.key))),
                    );
                    kept.sort_by(|u, v| u.1.total_cmp(&v.1).then(u.0.cmp(&v.0)));
                    kept.resize(k, (usize::MAX, f64::NAN));
                    idx.extend(kept.iter().map(|e| e.0));
                    dist.extend(kept.iter().map(|e| e.1));
                }
                (c, idx, dist)
            })
            .collect();
        let mut indices = Array2::<usize>::zeros((n, k));
        let mut distances = Array2::<f64>::zeros((n, k));
        for (c, idx, dist) in found {
            for (a, &i) in self.cells[c].iter().enumerate() {
                for slot in 0..k {
                    let j = idx[a * k + slot];
                    if j == usize::MAX {
                        return Err(CoreError::InvalidParameter {
                            name: "ivf",
                            reason: format!("found fewer than {k} neighbours of row {i}"),
                        });
                    }
                    indices[[i, slot]] = j;
                    distances[[i, slot]] = dist[a * k + slot];
                }
            }
        }
        Ok(KnnGraph::new_unchecked(indices, distances))
    }
}
