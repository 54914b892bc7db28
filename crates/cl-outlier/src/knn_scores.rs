//! Outlier scores from neighbour distances (cleanlab's `_get_ood_features_scores` after the
//! search, and Datalab's outlier check on a `knn_graph`).

use cl_core::CoreError;
use cl_core::neighbors::{KnnGraph, Metric, correct_precision_errors};
use cl_core::numerics::{mean, median};
use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::error::Result;

/// cleanlab's floor of the automatic scaling factor: `100 · eps(f64)`.
pub const SCALING_FACTOR_FLOOR: f64 = 100.0 * f64::EPSILON;

/// cleanlab's floor of the scaling factor inside the score transform (`EPSILON = 1e-6`).
pub const TRANSFORM_FLOOR: f64 = 1e-6;

/// Scores computed from neighbour distances, with the statistics behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct KnnDistanceScores {
    /// Outlier score per example in `[0, 1]` for `t ≥ 0` (lower = more atypical).
    pub scores: Vec<f64>,
    /// Mean distance of each example to its neighbours.
    pub avg_distances: Vec<f64>,
    /// The scaling factor used (given, or `max(median(avg_distances), 100·eps)`).
    pub scaling_factor: f64,
}

/// The automatic scaling factor of a set of average distances:
/// `max(median(avg), 100·eps(f64))` (NaN-free input assumed).
pub fn default_scaling_factor(avg_distances: &[f64]) -> f64 {
    median(avg_distances).max(SCALING_FACTOR_FLOOR)
}

/// cleanlab's score transform of one average distance:
/// `exp(−t · avg / max(scaling_factor, 1e-6))`.
#[inline]
pub fn transform_distance(avg: f64, t: f64, scaling_factor: f64) -> f64 {
    (-avg * t / scaling_factor.max(TRANSFORM_FLOOR)).exp()
}

/// Outlier scores from an N×k matrix of neighbour distances (nearest first): `avg_i` is the
/// numpy mean of row `i`, the scaling factor is `scaling_factor` or, when `None`,
/// [`default_scaling_factor`], the score is [`transform_distance`], and examples whose
/// `avg_i` is below the metric's precision tolerance (cleanlab's
/// `correct_precision_errors`, by [`Metric::name`]) score exactly 1. With `metric = None`
/// (a graph of unknown metric, as cleanlab has for a user-supplied `knn_graph`) no
/// precision correction is made.
///
/// This is what `OutOfDistribution` computes after its neighbour search, and what
/// Datalab's outlier check computes from a `knn_graph` (all stored columns). Rows are
/// processed in parallel; the result does not depend on the thread count.
pub fn knn_distance_scores(
    distances: ArrayView2<'_, f64>,
    metric: impl Into<Option<Metric>>,
    t: f64,
    scaling_factor: Option<f64>,
) -> Result<KnnDistanceScores> {
    let (n, k) = distances.dim();
    if n == 0 {
        return Err(CoreError::Empty { what: "distances" }.into());
    }
    if k == 0 {
        return Err(CoreError::Empty {
            what: "neighbour distances",
        }
        .into());
    }
    let avg: Vec<f64> = (0..n)
        .into_par_iter()
        .map_init(Vec::new, |buf, i| {
            buf.clear();
            buf.extend(distances.row(i).iter().copied());
            mean(buf)
        })
        .collect();
    let sf = scaling_factor.unwrap_or_else(|| default_scaling_factor(&avg));
    let mut scores: Vec<f64> = avg
        .par_iter()
        .map(|&a| transform_distance(a, t, sf))
        .collect();
    if let Some(metric) = metric.into() {
        correct_precision_errors(&mut scores, &avg, metric.name(), None)?;
    }
    Ok(KnnDistanceScores {
        scores,
        avg_distances: avg,
        scaling_factor: sf,
    })
}

/// [`knn_distance_scores`] over every stored neighbour of a [`KnnGraph`] (Datalab's outlier
/// check, which averages all stored distances of a row, whatever its own `k`).
pub fn knn_graph_scores(
    graph: &KnnGraph,
    metric: impl Into<Option<Metric>>,
    t: f64,
    scaling_factor: Option<f64>,
) -> Result<KnnDistanceScores> {
    knn_distance_scores(graph.distances().view(), metric, t, scaling_factor)
}
