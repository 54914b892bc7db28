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
//! | `core` (always) | [`cl_core`] | validated inputs, confident-joint counting, latent algebra, numpy-compatible numerics and RNG, noise generation, exact kNN graphs (`core::neighbors`) |
//! | `ann` (off) | [`cl_core`] | the approximate kNN index `core::neighbors::ann` (usearch, needs a C++ compiler) |
//! | `rank` (default) | `cl_rank` | label quality scores, ordering, ensembles (`cleanlab.rank`) |
//! | `filter` (default) | `cl_filter` | `find_label_issues` and dataset health (`cleanlab.filter`, `cleanlab.dataset`) |
//! | `learn` (default) | `cl_learn` | `CleanLearning` with any classifier, cross-validation, built-in models, the demo (`cleanlab.classification`) |
//! | `outlier` (default) | `cl_outlier` | `OutOfDistribution` scores from features or `pred_probs`, kNN data valuation (`cleanlab.outlier`, `cleanlab.data_valuation`) |
//! | `datalab` (default) | `cl_datalab` | `Datalab`: the one-call dataset audit, report, save/load (`cleanlab.Datalab`) |
//!
//! ```
//! # #[cfg(feature = "filter")] {
//! use cleanlab::core::input::validate;
//! use cleanlab::filter::{FilterOptions, find_label_issues};
//! use ndarray::array;
//!
//! let p = array![[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.85, 0.15], [0.3, 0.7]];
//! let (labels, probs) = validate(&[0_i64, 0, 1, 1, 1, 1], p.view()).unwrap();
//! let mask = find_label_issues(&labels, &probs, &FilterOptions::default()).unwrap();
//! assert_eq!(mask, vec![false, false, false, false, true, false]);
//! # }
//! ```

/// The shared core: inputs, counting, latent algebra, numerics, RNG, noise generation,
/// nearest neighbours.
pub use cl_core as core;

pub use cl_core::{CoreError, Labels, PredProbs};

/// Label quality scores (`cleanlab.rank`).
#[cfg(feature = "rank")]
pub use cl_rank as rank;

/// Label issues and dataset health (`cleanlab.filter`, `cleanlab.dataset`).
#[cfg(feature = "filter")]
pub use cl_filter as filter;

/// CleanLearning, cross-validation and built-in models (`cleanlab.classification`).
#[cfg(feature = "learn")]
pub use cl_learn as learn;

/// Datalab, the one-call dataset audit (`cleanlab.Datalab`).
#[cfg(feature = "datalab")]
pub use cl_datalab as datalab;
/// Out-of-distribution scores and kNN data valuation (`cleanlab.outlier`,
/// `cleanlab.data_valuation`).
#[cfg(feature = "outlier")]
pub use cl_outlier as outlier;

/// The README's examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "learn"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
