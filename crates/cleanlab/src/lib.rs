//! # cleanlab
//!
//! Find label errors, outliers, near-duplicates and other data issues from any model's
//! outputs: a Rust re-implementation of cleanlab 2.9.0 with the same numbers.
//!
//! This umbrella crate re-exports the task crates, one cargo feature each. Depend on a task
//! crate directly to embed a single algorithm.
//!
//! | feature | crate | contents |
//! |---|---|---|
//! | `core` (default) | [`cl_core`] | validated inputs, confident-joint counting, latent algebra, numpy-compatible RNG, noise generation |

/// The shared core: inputs, counting, latent algebra, numerics, RNG, noise generation.
#[cfg(feature = "core")]
pub use cl_core as core;

#[cfg(feature = "core")]
pub use cl_core::{CoreError, Labels, PredProbs};
