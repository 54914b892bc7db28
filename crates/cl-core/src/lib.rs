//! # cl-core
//!
//! The shared base of cleanlab-rs, a Rust re-implementation of
//! [cleanlab](https://github.com/cleanlab/cleanlab) 2.9.0.
//!
//! * [`input`]: validated inputs ([`PredProbs`], [`Labels`]), built once at the boundary.
//! * [`error`]: [`CoreError`], the typed error every task crate converts from.
//! * [`traits`]: the small traits task crates implement (classifier, regressor, neighbour
//!   index, issue finder).
//! * [`numerics`]: numpy-compatible numerics (stable argsort, half-even rounding, pairwise
//!   summation, linear-interpolation quantiles, softmax, xlogy, normal CDF).
//! * [`rng`]: numpy's legacy `RandomState` (MT19937), bit-identical streams.
//! * [`count`]: confident thresholds, the confident joint (also as mergeable accumulators),
//!   calibration, joint and latent estimates, `num_label_issues`.
//! * [`latent`]: latent algebra between priors, noise matrices and inverse noise matrices.
//! * [`util`]: value counts, rounding that preserves sums, clipping, confusion matrices.
//! * [`noise`]: cleanlab's `benchmarking.noise_generation`.
//! * [`neighbors`]: exact k-nearest neighbours and kNN graphs with cleanlab's semantics
//!   (`internal.neighbor`): metric choice, self-exclusion, exact-duplicate correction, CSR
//!   interchange.
//!
//! Parallel code uses rayon's current thread pool; run inside `pool.install(..)` to control
//! the thread count. Every result is identical for every thread count.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod count;
pub mod error;
pub mod float;
pub mod input;
mod kernels;
pub mod latent;
pub mod neighbors;
pub mod noise;
pub mod numerics;
pub mod rng;
pub mod traits;
pub mod util;

pub use error::{CoreError, Result};
pub use float::Real;
pub use input::{Labels, PredProbs};

/// Constants shared by cleanlab's algorithms (cleanlab's `internal/constants.py`).
pub mod constants {
    /// Tolerance used for floating-point comparisons and the pred_probs range check.
    pub const FLOATING_POINT_COMPARISON: f64 = 1e-6;
    /// Lower clip of priors and several scores.
    pub const CLIPPING_LOWER_BOUND: f64 = 1e-6;
    /// Lower clip of every per-class confident threshold.
    pub const CONFIDENT_THRESHOLDS_LOWER_BOUND: f64 = 2e-6;
    /// Floor of denominators in latent algebra and calibration.
    pub const TINY_VALUE: f64 = 1e-100;
    /// Small constant used by softmax temperature floors and several denominators.
    pub const EPSILON: f64 = 1e-6;
    /// Threshold assigned to a class absent from the labels (never confident).
    pub const BIG_VALUE: f64 = 2.0;
    /// Offset of the confident-bin test `p[i, k] >= t_k - 1e-6`.
    pub const CONFIDENT_JOINT_OFFSET: f64 = 1e-6;
}
