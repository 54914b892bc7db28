//! # cl-outlier
//!
//! Out-of-distribution scores and kNN data valuation with cleanlab 2.9.0's numbers:
//!
//! * [`OutOfDistribution`] (`cleanlab.outlier.OutOfDistribution`): `fit` / `score` /
//!   `fit_score` on features (mean distance to the k nearest neighbours, transformed by
//!   `exp(−t · d / scaling_factor)`, with cleanlab's k, metric, exact-duplicate and
//!   precision corrections, or a user-supplied [`KnnIndex`]) or on `pred_probs` (entropy or
//!   least confidence, optionally adjusted by confident thresholds learnt at fit). Options
//!   are the builder [`OodOptions`], whose `Default` is cleanlab's.
//! * [`knn_distance_scores`] / [`knn_graph_scores`]: the same feature score from a
//!   precomputed distance matrix or [`KnnGraph`](cl_core::neighbors::KnnGraph) (what
//!   Datalab's outlier check computes).
//! * [`data_shapley_knn`] (`cleanlab.data_valuation.data_shapley_knn`): kNN-Shapley values
//!   from labels plus features or a kNN graph.
//!
//! Inputs may be `f32` or `f64`; neighbour searches are exact (`cl_core::neighbors`) and all
//! work is parallel with rayon, with results identical for every thread count. Differences
//! from cleanlab are listed in `docs/parity.md`.
//!
//! ```
//! use cl_core::input::validate;
//! use cl_outlier::{OodData, OodOptions, OutOfDistribution, ShapleyInput, DataShapleyOptions,
//!     data_shapley_knn};
//! use ndarray::array;
//!
//! // Feature-based scores: the far-away point scores lowest.
//! let x = array![[0.0, 0.1], [0.1, 0.0], [0.0, 0.0], [0.1, 0.1], [5.0, 5.0]];
//! let mut ood = OutOfDistribution::new(OodOptions::default().k(2));
//! let scores = ood.fit_score(OodData::Features(x.view()))?;
//! let lowest = (0..5).min_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
//! assert_eq!(lowest, 4);
//! assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
//!
//! // pred_probs-based scores, thresholds learnt from labels at fit, reused at score.
//! let p = array![[0.9, 0.1], [0.8, 0.2], [0.2, 0.8], [0.1, 0.9]];
//! let (labels, probs) = validate(&[0_i64, 0, 1, 1], p.view())?;
//! let mut ood = OutOfDistribution::new(OodOptions::default());
//! ood.fit(OodData::PredProbs { pred_probs: &probs, labels: Some(&labels) })?;
//! let new = array![[0.5, 0.5]];
//! let (_, new_probs) = validate(&[0_i64], new.view())?;
//! let s = ood.score(OodData::PredProbs { pred_probs: &new_probs, labels: None })?;
//! assert!(s[0] < 1e-12); // maximal entropy: the least typical prediction
//!
//! // kNN data valuation.
//! let values = data_shapley_knn(&[0, 0, 0, 0, 1], ShapleyInput::Features(x.view()),
//!     &DataShapleyOptions::default().k(2))?;
//! assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod knn_scores;
mod ood;
mod valuation;

pub use error::{OutlierError, Result};
pub use knn_scores::{
    KnnDistanceScores, SCALING_FACTOR_FLOOR, TRANSFORM_FLOOR, default_scaling_factor,
    knn_distance_scores, knn_graph_scores, transform_distance,
};
pub use ood::{KnnIndex, OodData, OodMethod, OodOptions, OodWarning, OutOfDistribution};
pub use valuation::{
    DataShapleyOptions, ShapleyInput, data_shapley_knn, data_shapley_knn_from_features,
    data_shapley_knn_from_graph,
};
