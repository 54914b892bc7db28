//! Exact brute-force k-nearest-neighbour search of a point set against itself, tiled in
//! both dimensions.
//!
//! # Algorithm
//!
//! The N×N distance matrix is never formed. The reference points are cut into tiles of
//! [`Tiling::reference_rows`] rows, processed one after the other; for each tile the query
//! points are cut into blocks of [`Tiling::query_rows`] rows, processed in parallel (rayon).
//! Every query row keeps a bounded max-heap of its `k + 1` best `(key, index)` pairs under
//! the total order "key, then index", so the result is a function of the data alone: tile
//! shapes, processing order and the thread count cannot change it.
//!
//! * **Cosine** (and Euclidean with more than [`DIRECT_MAX_DIM`] columns) runs one GEMM per
//!   (query block × reference tile) with faer (`Par::Seq` inside each rayon task) as a
//!   *filter*: an entry whose approximate value cannot beat the row's current k+1-th key,
//!   even after a rigorous rounding-error margin, is skipped (chunks of 64 at a time).
//!   Entries that pass are recomputed exactly in f64 from the input in a fixed summation
//!   order, and only exact keys enter the heap. Cosine filters in f32 (rows normalised in
//!   f64, then rounded), Euclidean in f64 (sklearn also computes Euclidean GEMMs in f64).
//! * **Euclidean, few columns** (at most [`DIRECT_MAX_DIM`]) computes squared distances
//!   directly, `Σ_c (x_c − y_c)²` summed in column order — exactly what sklearn's k-d tree
//!   computes — and, like sklearn, searches a k-d tree (`kdtree.rs`; tiling does not apply),
//!   whose pruning is exact, so the result equals the brute-force one bit for bit.
//! * **scipy's Euclidean** (cleanlab's choice for N ≤ 100, d ≤ 3) computes the distance
//!   with a correctly rounded `sqrt(Σ (x_c − y_c)²)` (a double-double sum of squares),
//!   which is what scipy's BLAS `nrm2` path returned on every case checked.
//!
//! Memory: O(N·(k+1)) for the heaps, O(reference_rows·d) for the shared tile, and per
//! running task O(query_rows·reference_rows) for the GEMM block plus O(query_rows·d):
//! with the default tiling 4 MB per thread, whatever N is.

use std::sync::Mutex;

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::error::{CoreError, Result};
use crate::float::Real;

/// Euclidean searches with at most this many feature columns compute distances directly
/// and search a k-d tree; wider ones use the tiled GEMM filter.
pub const DIRECT_MAX_DIM: usize = 8;

/// Values checked against the row's bound at once; only chunks that may hold a candidate
/// are scanned element by element.
const CHUNK: usize = 64;
const LANES: usize = 16;
const U32: f64 = 5.960_464_477_539_063e-8; // 2^-24, unit roundoff of f32
const U64: f64 = 1.110_223_024_625_156_5e-16; // 2^-53, unit roundoff of f64

/// Tile shape of the exact search: query rows per parallel task × reference rows per tile.
///
/// Results never depend on the tiling (keys are recomputed exactly, and ties are broken by
/// index); it only trades memory for speed. Per running task the GEMM block holds
/// `query_rows × reference_rows` f32 (cosine) or f64 (wide Euclidean) values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiling {
    query_rows: usize,
    reference_rows: usize,
}

impl Default for Tiling {
    /// 256 query rows × 4096 reference rows (4 MB f32 GEMM block per thread).
    fn default() -> Self {
        Self {
            query_rows: 256,
            reference_rows: 4096,
        }
    }
}

impl Tiling {
    /// A tiling of `query_rows × reference_rows` (both at least 1).
    pub fn new(query_rows: usize, reference_rows: usize) -> Result<Self> {
        if query_rows == 0 || reference_rows == 0 {
            return Err(CoreError::InvalidParameter {
                name: "tiling",
                reason: format!("tile sizes must be at least 1, got {query_rows}×{reference_rows}"),
            });
        }
        Ok(Self {
            query_rows,
            reference_rows,
        })
    }

    /// Query rows per parallel task.
    pub fn query_rows(&self) -> usize {
        self.query_rows
    }

    /// Reference rows per tile.
    pub fn reference_rows(&self) -> usize {
        self.reference_rows
    }
}

/// How keys are computed (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// Key = `clip(1 − x̂·ŷ, 0, 2)`, rows normalised in f64; f32 GEMM filter.
    Cosine,
    /// Key = `Σ (x_c − y_c)²` in column order; f64 GEMM filter on centred rows.
    EuclideanGemm,
    /// Key = `Σ (x_c − y_c)²` in column order, computed for every pair.
    EuclideanDirect,
    /// Key = correctly rounded `sqrt(Σ (x_c − y_c)²)`.
    EuclideanAccurate,
}

impl Kernel {
    /// Converts a key into the reported distance.
    pub(crate) fn distance(self, key: f64) -> f64 {
        match self {
            Kernel::EuclideanGemm | Kernel::EuclideanDirect => key.sqrt(),
            Kernel::Cosine | Kernel::EuclideanAccurate => key,
        }
    }
}

/// One heap entry: `(key, index)`, ordered by key then index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: f64,
    pub(crate) idx: usize,
}

const SENTINEL: Entry = Entry {
    key: f64::INFINITY,
    idx: usize::MAX,
};

/// `n` empty heaps of `ks` entries each, flat.
pub(crate) fn sentinel_heap(n: usize, ks: usize) -> Vec<Entry> {
    vec![SENTINEL; n * ks]
}

/// Sorts one row of entries by (key, index).
pub(crate) fn sort_row(row: &mut [Entry]) {
    row.sort_unstable_by(|a, b| a.key.total_cmp(&b.key).then(a.idx.cmp(&b.idx)));
}

#[inline]
fn less(a: Entry, b: Entry) -> bool {
    a.key < b.key || (a.key == b.key && a.idx < b.idx)
}

/// Offers `e` to the fixed-size max-heap `h` (root = worst kept entry). Returns whether it
/// was kept.
#[inline]
pub(crate) fn heap_push(h: &mut [Entry], e: Entry) -> bool {
    if !less(e, h[0]) {
        return false;
    }
    let n = h.len();
    let mut pos = 0;
    loop {
        let l = 2 * pos + 1;
        if l >= n {
            break;
        }
        let r = l + 1;
        let c = if r < n && less(h[l], h[r]) { r } else { l };
        if less(e, h[c]) {
            h[pos] = h[c];
            pos = c;
        } else {
            break;
        }
    }
    h[pos] = e;
    true
}

/// `n·u/(1 − n·u)`, the classic bound on the relative error of an n-term dot product, or
/// infinity when it is meaningless.
fn gamma(n: usize, u: f64) -> f64 {
    let nu = n as f64 * u;
    if nu >= 0.5 {
        f64::INFINITY
    } else {
        nu / (1.0 - nu)
    }
}

/// The largest f32 not above `b` (−∞ for −∞ or NaN).
fn f32_at_most(b: f64) -> f32 {
    if b.is_nan() {
        return f32::NEG_INFINITY;
    }
    let f = b as f32;
    if f64::from(f) > b { f.next_down() } else { f }
}

/// Dot product in a fixed order (four interleaved partial sums).
#[inline]
pub(crate) fn dot_fixed(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 4];
    let ca = a.chunks_exact(4);
    let cb = b.chunks_exact(4);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    for (l, (x, y)) in ra.iter().zip(rb).enumerate() {
        acc[l] += x * y;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// `Σ (a_c − b_c)²` summed in column order (sklearn's tree `rdist`).
#[inline]
pub(crate) fn sq_dist_seq(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        let t = x - y;
        s += t * t;
    }
    s
}

/// Correctly rounded (in practice) `sqrt(Σ (a_c − b_c)²)`: the differences are scaled by a
/// power of two, their squares summed in double-double, and the square root corrected once.
pub(crate) fn euclidean_accurate(a: &[f64], b: &[f64]) -> f64 {
    let mut max = 0.0_f64;
    for (x, y) in a.iter().zip(b) {
        max = max.max((x - y).abs());
    }
    if max == 0.0 || !max.is_finite() {
        return max;
    }
    // Power of two near 1/max: scaling by it is exact (except for subnormal parts, which
    // cannot matter next to `max`).
    let exp = max.log2().floor().clamp(-1000.0, 1000.0);
    let scale = (-exp).exp2();
    let (mut hi, mut lo) = (0.0_f64, 0.0_f64);
    for (x, y) in a.iter().zip(b) {
        let t = (x - y) * scale;
        let p = t * t;
        let pe = t.mul_add(t, -p);
        let s = hi + p;
        let bb = s - hi;
        let e = (hi - (s - bb)) + (p - bb);
        hi = s;
        lo += e + pe;
    }
    let s = hi + lo;
    let lo = lo - (s - hi);
    let hi = s;
    let r = hi.sqrt();
    let resid = (-r).mul_add(r, hi) + lo;
    (r + resid / (2.0 * r)) / scale
}

fn widen_into<T: Real>(row: ArrayView1<'_, T>, out: &mut [f64]) {
    for (o, v) in out.iter_mut().zip(row.iter()) {
        *o = v.to_f64x();
    }
}

/// Global per-run data (O(N) or O(d)).
struct Prepared {
    /// Cosine: the row norms used for normalising (1 for near-zero rows, like sklearn).
    norms: Vec<f64>,
    /// Wide Euclidean: column means, subtracted before the GEMM filter.
    mean: Vec<f64>,
}

fn prepare<T: Real>(x: ArrayView2<'_, T>, kernel: Kernel) -> Prepared {
    let (n, d) = x.dim();
    let mut p = Prepared {
        norms: Vec::new(),
        mean: Vec::new(),
    };
    match kernel {
        Kernel::Cosine => {
            // sklearn's `normalize` leaves rows whose norm is below 10·eps of the input
            // dtype unscaled.
            let tiny = 10.0 * T::EPS.to_f64x();
            p.norms = (0..n)
                .into_par_iter()
                .map_init(
                    || vec![0.0; d],
                    |buf, i| {
                        widen_into(x.row(i), buf);
                        let nrm = dot_fixed(buf, buf).sqrt();
                        if nrm < tiny { 1.0 } else { nrm }
                    },
                )
                .collect();
        }
        Kernel::EuclideanGemm => {
            // Fixed-size row blocks summed in parallel, merged in block order: the same
            // mean for every thread count.
            const B: usize = 4096;
            let partial: Vec<Vec<f64>> = (0..n.div_ceil(B))
                .into_par_iter()
                .map(|b| {
                    let mut s = vec![0.0; d];
                    for i in b * B..((b + 1) * B).min(n) {
                        for (acc, v) in s.iter_mut().zip(x.row(i).iter()) {
                            *acc += v.to_f64x();
                        }
                    }
                    s
                })
                .collect();
            let mut mean = vec![0.0; d];
            for s in &partial {
                for (m, v) in mean.iter_mut().zip(s) {
                    *m += v;
                }
            }
            for m in &mut mean {
                *m /= n as f64;
            }
            p.mean = mean;
        }
        Kernel::EuclideanDirect | Kernel::EuclideanAccurate => {}
    }
    p
}

/// One reference tile, shared by the query blocks that scan it.
struct RefTile {
    r0: usize,
    len: usize,
    /// Cosine: normalised rows (len×d); wide Euclidean: raw rows (len×d); direct kernels:
    /// raw values transposed (d×len).
    a64: Vec<f64>,
    /// Cosine: `a64` rounded to f32 (GEMM operand).
    g32: Vec<f32>,
    /// Wide Euclidean: centred rows augmented with `−½‖y − μ‖²` (len×(d+1), GEMM operand).
    g64: Vec<f64>,
    /// Wide Euclidean: largest centred row norm of the tile.
    ymax: f64,
}

fn build_tile<T: Real>(
    x: ArrayView2<'_, T>,
    prep: &Prepared,
    kernel: Kernel,
    r0: usize,
    r1: usize,
) -> RefTile {
    let d = x.ncols();
    let len = r1 - r0;
    let mut t = RefTile {
        r0,
        len,
        a64: vec![0.0; len * d],
        g32: Vec::new(),
        g64: Vec::new(),
        ymax: 0.0,
    };
    match kernel {
        Kernel::Cosine => {
            t.a64.par_chunks_mut(d).enumerate().for_each(|(j, out)| {
                let nrm = prep.norms[r0 + j];
                for (o, v) in out.iter_mut().zip(x.row(r0 + j).iter()) {
                    *o = v.to_f64x() / nrm;
                }
            });
            t.g32 = t.a64.par_iter().map(|&v| v as f32).collect();
        }
        Kernel::EuclideanGemm => {
            let dp = d + 1;
            t.g64 = vec![0.0; len * dp];
            t.a64
                .par_chunks_mut(d)
                .zip(t.g64.par_chunks_mut(dp))
                .enumerate()
                .for_each(|(j, (raw, aug))| {
                    widen_into(x.row(r0 + j), raw);
                    let mut s = 0.0;
                    for c in 0..d {
                        let v = raw[c] - prep.mean[c];
                        aug[c] = v;
                        s += v * v;
                    }
                    aug[d] = -0.5 * s;
                });
            t.ymax = t
                .g64
                .chunks(dp)
                .map(|aug| (-2.0 * aug[d]).sqrt())
                .fold(0.0, f64::max);
        }
        Kernel::EuclideanDirect | Kernel::EuclideanAccurate => {
            for j in 0..len {
                for (c, v) in x.row(r0 + j).iter().enumerate() {
                    t.a64[c * len + j] = v.to_f64x();
                }
            }
        }
    }
    t
}

/// Per-task buffers, reused through a small pool.
#[derive(Default)]
struct Scratch {
    q64: Vec<f64>,
    q32: Vec<f32>,
    qa: Vec<f64>,
    qn2: Vec<f64>,
    s32: Vec<f32>,
    s64: Vec<f64>,
    acc: Vec<f64>,
    max32: Vec<f32>,
    max64: Vec<f64>,
    done: Vec<bool>,
}

fn resize<V: Copy + Default>(v: &mut Vec<V>, n: usize) {
    if v.len() < n {
        v.resize(n, V::default());
    }
}

/// Largest value of a chunk (`init` if empty), over 16 independent lanes so that the loop
/// vectorises. NaN values are ignored, which is safe because the values scanned are never
/// NaN while the bound is finite (see the callers).
#[inline]
fn chunk_max<V: PartialOrd + Copy>(chunk: &[V], init: V) -> V {
    let mut m = [init; LANES];
    let lanes = chunk.chunks_exact(LANES);
    let rest = lanes.remainder();
    for c in lanes {
        for l in 0..LANES {
            m[l] = if c[l] > m[l] { c[l] } else { m[l] };
        }
    }
    let mut w = LANES / 2;
    while w > 0 {
        for l in 0..w {
            m[l] = if m[l + w] > m[l] { m[l + w] } else { m[l] };
        }
        w /= 2;
    }
    let mut r = m[0];
    for &v in rest {
        r = if v > r { v } else { r };
    }
    r
}

/// Visits the values of one row of a tile that can still enter the heap ("larger is
/// better": a value below `bound` cannot), best chunk first.
///
/// The chunk maxima are computed in one vectorised pass; chunks are then taken in
/// descending order of their maximum, and stop as soon as the best remaining chunk is below
/// the current bound. So the first chunks visited fill the heap with the tile's best
/// candidates, the bound tightens at once, and most chunks are never scanned element by
/// element. `visit(j, v)` gets the local index and value of each candidate and returns the
/// new bound when the heap changed. A bound of −∞ (heap not full, or filter disabled)
/// visits everything, NaN included.
fn scan_best_first<V: PartialOrd + Copy>(
    vals: &[V],
    maxima: &mut Vec<V>,
    done: &mut Vec<bool>,
    floor: V,
    mut bound: V,
    mut visit: impl FnMut(usize, V) -> Option<V>,
) {
    maxima.clear();
    maxima.extend(vals.chunks(CHUNK).map(|c| chunk_max(c, floor)));
    done.clear();
    done.resize(maxima.len(), false);
    loop {
        let mut best: Option<usize> = None;
        for (c, &m) in maxima.iter().enumerate() {
            if !done[c] && best.is_none_or(|b| m > maxima[b]) {
                best = Some(c);
            }
        }
        let Some(c) = best else { break };
        if maxima[c] < bound {
            break;
        }
        done[c] = true;
        let base = c * CHUNK;
        for (t, &v) in vals[base..(base + CHUNK).min(vals.len())]
            .iter()
            .enumerate()
        {
            if v.partial_cmp(&bound) == Some(std::cmp::Ordering::Less) {
                continue;
            }
            if let Some(nb) = visit(base + t, v) {
                bound = nb;
            }
        }
    }
}

/// Squared distances from `xrow` to every row of the (transposed) tile, summed column by
/// column in column order, stored negated ("larger is better"; negation is exact).
fn direct_neg_sq_dists(xrow: &[f64], tile: &RefTile, acc: &mut [f64]) {
    let len = tile.len;
    let acc = &mut acc[..len];
    for (c, &xc) in xrow.iter().enumerate() {
        let col = &tile.a64[c * len..(c + 1) * len];
        if c == 0 {
            for (a, &yv) in acc.iter_mut().zip(col) {
                let t = xc - yv;
                *a = t * t;
            }
        } else {
            for (a, &yv) in acc.iter_mut().zip(col) {
                let t = xc - yv;
                *a += t * t;
            }
        }
    }
    for a in acc.iter_mut() {
        *a = -*a;
    }
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn process_block<T: Real>(
    x: ArrayView2<'_, T>,
    prep: &Prepared,
    kernel: Kernel,
    tile: &RefTile,
    q0: usize,
    heaps: &mut [Entry],
    ks: usize,
    sc: &mut Scratch,
) {
    let d = x.ncols();
    let bq = heaps.len() / ks;
    let len = tile.len;
    let r0 = tile.r0;
    match kernel {
        Kernel::Cosine => {
            resize(&mut sc.q64, bq * d);
            resize(&mut sc.q32, bq * d);
            resize(&mut sc.s32, bq * len);
            for a in 0..bq {
                let nrm = prep.norms[q0 + a];
                let out = &mut sc.q64[a * d..(a + 1) * d];
                for (o, v) in out.iter_mut().zip(x.row(q0 + a).iter()) {
                    *o = v.to_f64x() / nrm;
                }
            }
            for (o, &v) in sc.q32[..bq * d].iter_mut().zip(&sc.q64[..bq * d]) {
                *o = v as f32;
            }
            matmul(
                MatMut::from_row_major_slice_mut(&mut sc.s32[..bq * len], bq, len),
                Accum::Replace,
                MatRef::from_row_major_slice(&sc.q32[..bq * d], bq, d),
                MatRef::from_row_major_slice(&tile.g32, len, d).transpose(),
                1.0_f32,
                Par::Seq,
            );
            // |f32 GEMM similarity − exact similarity| ≤ margin / 2 (rounding of the
            // normalised rows to f32, the f32 dot product, and the f64 one).
            let margin = 2.0 * (gamma(d + 2, U32) + gamma(d + 2, U64)) + 1e-36 * d as f64;
            let bound_of = |thr: f64| {
                if thr.is_finite() {
                    f32_at_most(1.0 - thr - margin)
                } else {
                    f32::NEG_INFINITY
                }
            };
            for (a, heap) in heaps.chunks_mut(ks).enumerate() {
                let i = q0 + a;
                let qrow = &sc.q64[a * d..(a + 1) * d];
                scan_best_first(
                    &sc.s32[a * len..(a + 1) * len],
                    &mut sc.max32,
                    &mut sc.done,
                    f32::NEG_INFINITY,
                    bound_of(heap[0].key),
                    |jl, _| {
                        let j = r0 + jl;
                        if j == i {
                            return None;
                        }
                        let dot = dot_fixed(qrow, &tile.a64[jl * d..(jl + 1) * d]);
                        let key = (1.0 - dot).clamp(0.0, 2.0);
                        heap_push(heap, Entry { key, idx: j }).then(|| bound_of(heap[0].key))
                    },
                );
            }
        }
        Kernel::EuclideanGemm => {
            let dp = d + 1;
            resize(&mut sc.q64, bq * d);
            resize(&mut sc.qa, bq * dp);
            resize(&mut sc.qn2, bq);
            resize(&mut sc.s64, bq * len);
            for a in 0..bq {
                let raw = &mut sc.q64[a * d..(a + 1) * d];
                widen_into(x.row(q0 + a), raw);
                let aug = &mut sc.qa[a * dp..(a + 1) * dp];
                let mut s = 0.0;
                for c in 0..d {
                    let v = raw[c] - prep.mean[c];
                    aug[c] = v;
                    s += v * v;
                }
                aug[d] = 1.0;
                sc.qn2[a] = s;
            }
            // s = (x − μ)·(y − μ) − ½‖y − μ‖², so ‖x − y‖² ≈ ‖x − μ‖² − 2s.
            matmul(
                MatMut::from_row_major_slice_mut(&mut sc.s64[..bq * len], bq, len),
                Accum::Replace,
                MatRef::from_row_major_slice(&sc.qa[..bq * dp], bq, dp),
                MatRef::from_row_major_slice(&tile.g64, len, dp).transpose(),
                1.0_f64,
                Par::Seq,
            );
            for (a, heap) in heaps.chunks_mut(ks).enumerate() {
                let i = q0 + a;
                let xrow = &sc.q64[a * d..(a + 1) * d];
                let xn2 = sc.qn2[a];
                let xc = xn2.sqrt();
                let y = tile.ymax;
                // |approximate − exact squared distance| ≤ err (rounding of the centring,
                // the GEMM, the norms and the exact sum), with a factor 2 to spare.
                let err = 2.0
                    * (2.0 * gamma(d + 3, U64) * (xc * y + 0.5 * y * y)
                        + gamma(d + 1, U64) * xn2
                        + 4.0 * U64 * (xc + y) * (xc + y));
                let rel = 1.0 + 2.0 * gamma(d + 2, U64);
                // Skip iff xn2 − 2s > thr·rel + 2·err. A non-finite err (overflowing data)
                // disables the filter, so NaN values never meet a finite bound.
                let bound_of = |thr: f64| {
                    if thr.is_finite() && err.is_finite() {
                        (xn2 - thr * rel - 2.0 * err) * 0.5
                    } else {
                        f64::NEG_INFINITY
                    }
                };
                scan_best_first(
                    &sc.s64[a * len..(a + 1) * len],
                    &mut sc.max64,
                    &mut sc.done,
                    f64::NEG_INFINITY,
                    bound_of(heap[0].key),
                    |jl, _| {
                        let j = r0 + jl;
                        if j == i {
                            return None;
                        }
                        let key = sq_dist_seq(xrow, &tile.a64[jl * d..(jl + 1) * d]);
                        heap_push(heap, Entry { key, idx: j }).then(|| bound_of(heap[0].key))
                    },
                );
            }
        }
        Kernel::EuclideanDirect | Kernel::EuclideanAccurate => {
            resize(&mut sc.q64, 2 * d);
            resize(&mut sc.acc, len);
            // Accurate: the plain sum of squares is within a relative γ of the exact one,
            // the accurate distance within one ulp of its square root.
            let rel = (1.0 + 4.0 * gamma(d + 2, U64) + 4.0 * U64).powi(2);
            for (a, heap) in heaps.chunks_mut(ks).enumerate() {
                let i = q0 + a;
                let (xrow, yrow) = sc.q64[..2 * d].split_at_mut(d);
                widen_into(x.row(q0 + a), xrow);
                direct_neg_sq_dists(xrow, tile, &mut sc.acc);
                let vals = &sc.acc[..len];
                if kernel == Kernel::EuclideanDirect {
                    // The value is the exact key, negated: visit iff −key ≥ −thr.
                    scan_best_first(
                        vals,
                        &mut sc.max64,
                        &mut sc.done,
                        f64::NEG_INFINITY,
                        -heap[0].key,
                        |jl, v| {
                            let j = r0 + jl;
                            if j == i {
                                return None;
                            }
                            heap_push(heap, Entry { key: -v, idx: j }).then(|| -heap[0].key)
                        },
                    );
                } else {
                    let bound_of = |thr: f64| {
                        if thr.is_finite() {
                            -(thr * thr * rel)
                        } else {
                            f64::NEG_INFINITY
                        }
                    };
                    scan_best_first(
                        vals,
                        &mut sc.max64,
                        &mut sc.done,
                        f64::NEG_INFINITY,
                        bound_of(heap[0].key),
                        |jl, _| {
                            let j = r0 + jl;
                            if j == i {
                                return None;
                            }
                            for (cc, yv) in yrow.iter_mut().enumerate() {
                                *yv = tile.a64[cc * len + jl];
                            }
                            let key = euclidean_accurate(xrow, yrow);
                            heap_push(heap, Entry { key, idx: j }).then(|| bound_of(heap[0].key))
                        },
                    );
                }
            }
        }
    }
}

/// The `ks` smallest `(key, index)` pairs of every row of `x` against all rows of `x`,
/// sorted ascending, as one flat `N·ks` vector. The point itself takes part with key 0.
///
/// Requires `1 ≤ ks ≤ N` and finite `x` with at least one column (checked by the caller).
pub(crate) fn search<T: Real>(
    x: ArrayView2<'_, T>,
    kernel: Kernel,
    ks: usize,
    tiling: Tiling,
) -> Vec<Entry> {
    if kernel == Kernel::EuclideanDirect {
        return super::kdtree::search_kdtree(x, ks);
    }
    search_tiled(x, kernel, ks, tiling)
}

/// The tiled brute-force engine behind [`search`], for any kernel.
fn search_tiled<T: Real>(
    x: ArrayView2<'_, T>,
    kernel: Kernel,
    ks: usize,
    tiling: Tiling,
) -> Vec<Entry> {
    search_prefix(x, kernel, ks, tiling, x.nrows(), true)
}

/// [`search`]'s tiled engine for the first `nq` rows of `x` only (queries) against all rows
/// of `x` (references): `nq · ks` entries, each row sorted ascending, the query itself
/// taking part with key 0. Used by the IVF index on the rows of one cell followed by those
/// of its neighbouring cells. Requires `1 ≤ ks ≤ N`, `nq ≤ N`. With `parallel = false` the
/// query blocks run one after the other on the calling thread (for callers that are
/// themselves parallel: nested rayon work would let many calls be in flight at once).
pub(crate) fn search_prefix<T: Real>(
    x: ArrayView2<'_, T>,
    kernel: Kernel,
    ks: usize,
    tiling: Tiling,
    nq: usize,
    parallel: bool,
) -> Vec<Entry> {
    let n = x.nrows();
    let prep = prepare(x, kernel);
    let mut heaps = sentinel_heap(nq, ks);
    heaps.par_chunks_mut(ks).enumerate().for_each(|(i, h)| {
        heap_push(h, Entry { key: 0.0, idx: i });
    });
    let bq = tiling.query_rows.min(nq.max(1));
    let br = tiling.reference_rows.min(n);
    let pool: Mutex<Vec<Scratch>> = Mutex::new(Vec::new());
    let mut r0 = 0;
    while r0 < n {
        let r1 = (r0 + br).min(n);
        let tile = build_tile(x, &prep, kernel, r0, r1);
        let block = |(b, hs): (usize, &mut [Entry])| {
            let mut sc = pool
                .lock()
                .map(|mut p| p.pop().unwrap_or_default())
                .unwrap_or_default();
            process_block(x, &prep, kernel, &tile, b * bq, hs, ks, &mut sc);
            if let Ok(mut p) = pool.lock() {
                p.push(sc);
            }
        };
        if parallel {
            heaps.par_chunks_mut(bq * ks).enumerate().for_each(block);
        } else {
            heaps.chunks_mut(bq * ks).enumerate().for_each(block);
        }
        r0 = r1;
    }
    if parallel {
        heaps.par_chunks_mut(ks).for_each(sort_row);
    } else {
        heaps.chunks_mut(ks).for_each(sort_row);
    }
    heaps
}

/// The `k` smallest `(key, index)` pairs of every row of `queries` among all rows of
/// `reference`, sorted ascending, as one flat `Nq·k` vector. Nothing is excluded: a query
/// equal to a reference point finds it at key 0 (sklearn's `kneighbors(X)`).
///
/// Keys are the exact keys of [`search`] (same normalisation, summation order and rounding),
/// computed pair by pair, in parallel over query rows. Requires `1 ≤ k ≤ N_ref`, finite
/// inputs with the same (non-zero) number of columns (checked by the caller).
pub(crate) fn query<T: Real, Q: Real>(
    reference: ArrayView2<'_, T>,
    queries: ArrayView2<'_, Q>,
    kernel: Kernel,
    k: usize,
) -> Vec<Entry> {
    let (nr, d) = reference.dim();
    let nq = queries.nrows();
    // Reference rows widened to f64 (normalised for cosine), row-major.
    let widen_rows = |rows: usize, get: &(dyn Fn(usize, &mut [f64]) + Sync), tiny: f64| {
        let mut out = vec![0.0; rows * d];
        out.par_chunks_mut(d).enumerate().for_each(|(i, buf)| {
            get(i, buf);
            if kernel == Kernel::Cosine {
                let nrm = dot_fixed(buf, buf).sqrt();
                let nrm = if nrm < tiny { 1.0 } else { nrm };
                for v in buf.iter_mut() {
                    *v /= nrm;
                }
            }
        });
        out
    };
    let refs = widen_rows(
        nr,
        &|i, buf| widen_into(reference.row(i), buf),
        10.0 * T::EPS.to_f64x(),
    );
    let qs = widen_rows(
        nq,
        &|i, buf| widen_into(queries.row(i), buf),
        10.0 * Q::EPS.to_f64x(),
    );
    let mut heaps = sentinel_heap(nq, k);
    heaps.par_chunks_mut(k).enumerate().for_each(|(i, h)| {
        let q = &qs[i * d..(i + 1) * d];
        for (j, y) in refs.chunks_exact(d).enumerate() {
            let key = match kernel {
                Kernel::Cosine => (1.0 - dot_fixed(q, y)).clamp(0.0, 2.0),
                Kernel::EuclideanGemm | Kernel::EuclideanDirect => sq_dist_seq(q, y),
                Kernel::EuclideanAccurate => euclidean_accurate(q, y),
            };
            heap_push(h, Entry { key, idx: j });
        }
        sort_row(h);
    });
    heaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use proptest::prelude::*;

    /// The exact keys computed pair by pair, then fully sorted: what the tiled search must
    /// return bit for bit.
    fn naive<T: Real>(x: ArrayView2<'_, T>, kernel: Kernel, ks: usize) -> Vec<Entry> {
        let n = x.nrows();
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| x.row(i).iter().map(|v| v.to_f64x()).collect())
            .collect();
        let tiny = 10.0 * T::EPS.to_f64x();
        let unit: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| {
                let nrm = dot_fixed(r, r).sqrt();
                let nrm = if nrm < tiny { 1.0 } else { nrm };
                r.iter().map(|v| v / nrm).collect()
            })
            .collect();
        let mut out = Vec::with_capacity(n * ks);
        for i in 0..n {
            let mut all: Vec<Entry> = (0..n)
                .map(|j| {
                    let key = if i == j {
                        0.0
                    } else {
                        match kernel {
                            Kernel::Cosine => (1.0 - dot_fixed(&unit[i], &unit[j])).clamp(0.0, 2.0),
                            Kernel::EuclideanGemm | Kernel::EuclideanDirect => {
                                sq_dist_seq(&rows[i], &rows[j])
                            }
                            Kernel::EuclideanAccurate => euclidean_accurate(&rows[i], &rows[j]),
                        }
                    };
                    Entry { key, idx: j }
                })
                .collect();
            all.sort_by(|a, b| a.key.total_cmp(&b.key).then(a.idx.cmp(&b.idx)));
            out.extend_from_slice(&all[..ks]);
        }
        out
    }

    /// Random data in three flavours: uniform values, small integers (exact duplicates and
    /// exactly tied distances), and near-duplicates of one base row (distances far below
    /// the f32 filter's resolution, so the margin must let them through).
    fn data() -> impl Strategy<Value = (Array2<f64>, usize)> {
        (2_usize..40, 1_usize..12, 0_u8..3, 0_usize..3).prop_flat_map(|(n, d, mode, e)| {
            let cells = match mode {
                0 => proptest::collection::vec((-10.0_f64..10.0).boxed(), n * d).boxed(),
                1 => proptest::collection::vec((-2_i32..3).prop_map(f64::from).boxed(), n * d)
                    .boxed(),
                _ => {
                    let eps = [1e-9, 1e-6, 1e-4][e];
                    (
                        proptest::collection::vec(1.0_f64..2.0, d),
                        proptest::collection::vec(-1.0_f64..1.0, n * d),
                    )
                        .prop_map(move |(base, noise)| {
                            noise
                                .iter()
                                .enumerate()
                                .map(|(t, z)| base[t % d] + eps * z)
                                .collect::<Vec<f64>>()
                        })
                        .boxed()
                }
            };
            (
                cells.prop_map(move |v| Array2::from_shape_vec((n, d), v).expect("shape")),
                1..=n,
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The k-d tree (several levels deep here) against the naive search: ties, exact
        /// duplicates and near-duplicates included.
        #[test]
        fn kd_tree_equals_naive_exact_keys(
            n in 2_usize..400,
            d in 1_usize..5,
            mode in 0_u8..3,
            seed in any::<u64>(),
            kfrac in 0.0_f64..1.0,
        ) {
            let mut s = seed | 1;
            let mut next = move || {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1_u64 << 53) as f64
            };
            let x = Array2::from_shape_fn((n, d), |_| match mode {
                0 => 20.0 * next() - 10.0,
                1 => (5.0 * next()).floor(),
                _ => 1.0 + 1e-9 * next(),
            });
            let ks = 1 + ((n - 1) as f64 * kfrac) as usize;
            prop_assert_eq!(
                search(x.view(), Kernel::EuclideanDirect, ks, Tiling::default()),
                naive(x.view(), Kernel::EuclideanDirect, ks)
            );
        }

        #[test]
        fn tiled_search_equals_naive_exact_keys(
            (x, ks) in data(),
            bq in 1_usize..9,
            br in 1_usize..17,
        ) {
            let tiling = Tiling::new(bq, br).expect("tiling");
            for kernel in [Kernel::Cosine, Kernel::EuclideanGemm, Kernel::EuclideanDirect, Kernel::EuclideanAccurate] {
                let got = search(x.view(), kernel, ks, tiling);
                let want = naive(x.view(), kernel, ks);
                prop_assert_eq!(&got, &want, "kernel {:?}", kernel);
                let brute = search_tiled(x.view(), kernel, ks, tiling);
                prop_assert_eq!(&brute, &want, "kernel {:?}, tiled brute force", kernel);
                let got_default = search(x.view(), kernel, ks, Tiling::default());
                prop_assert_eq!(&got_default, &want, "kernel {:?}, default tiling", kernel);
            }
            let x32 = x.mapv(|v| v as f32);
            prop_assert_eq!(
                search(x32.view(), Kernel::EuclideanDirect, ks, tiling),
                naive(x32.view(), Kernel::EuclideanDirect, ks)
            );
            for kernel in [Kernel::Cosine, Kernel::EuclideanGemm] {
                prop_assert_eq!(search(x32.view(), kernel, ks, tiling), naive(x32.view(), kernel, ks));
            }
        }
    }

    #[test]
    fn heap_keeps_smallest_by_key_then_index() {
        let mut h = vec![SENTINEL; 3];
        for (k, i) in [(0.5, 4), (0.1, 9), (0.5, 2), (0.3, 1), (0.5, 0), (0.9, 3)] {
            heap_push(&mut h, Entry { key: k, idx: i });
        }
        h.sort_by(|a, b| a.key.total_cmp(&b.key).then(a.idx.cmp(&b.idx)));
        let got: Vec<(f64, usize)> = h.iter().map(|e| (e.key, e.idx)).collect();
        assert_eq!(got, vec![(0.1, 9), (0.3, 1), (0.5, 0)]);
    }

    #[test]
    fn accurate_euclidean_matches_hypot_on_simple_values() {
        assert_eq!(euclidean_accurate(&[3.0, 0.0], &[0.0, 4.0]), 5.0);
        assert_eq!(euclidean_accurate(&[1.0, 1.0], &[0.0, 0.0]), 2.0_f64.sqrt());
        assert_eq!(euclidean_accurate(&[1e300, 0.0], &[-1e300, 0.0]), 2e300);
        assert_eq!(euclidean_accurate(&[2.0], &[2.0]), 0.0);
    }

    #[test]
    fn f32_rounding_down() {
        let b = 0.1_f64;
        let f = f32_at_most(b);
        assert!(f64::from(f) <= b);
        assert!(f64::from(f.next_up()) > b);
        assert_eq!(f32_at_most(f64::NAN), f32::NEG_INFINITY);
    }
}
