//! Confident learning's counting core (cleanlab's `count.py`, single-label): confident
//! thresholds, the confident joint, its calibration, the estimated joint, latent estimates
//! of priors and noise matrices, and the estimated number of label issues.
//!
//! # Algorithm
//!
//! 1. **Thresholds** ([`get_confident_thresholds`]): `t_k` = mean of `p[i, k]` over the
//!    examples labelled `k`; 2 for a class absent from the labels; clipped below at 2e-6.
//! 2. **Confident joint** ([`compute_confident_joint`]): an example is *confident* for
//!    class `k` if `p[i, k] >= t_k − 1e-6`. With no confident class it is ignored; with one,
//!    that class is its guessed true label; with several, the argmax over **all** classes
//!    (first on ties). `cj[given, guess]` counts the examples; every diagonal entry is then
//!    raised to at least 1 (even for absent classes).
//! 3. **Calibration** ([`calibrate_confident_joint`]): rows scaled to the label counts, the
//!    whole matrix to N, rows rounded preserving their totals.
//! 4. **Joint / latent estimates** ([`estimate_joint`], [`estimate_latent`],
//!    [`estimate_py_and_noise_matrices_from_probabilities`]) and [`num_label_issues`].
//!
//! # Streaming and parallelism
//!
//! Counting is built on two mergeable accumulators, usable directly for data that does not
//! fit in memory (two passes: thresholds, then the joint):
//!
//! * [`ThresholdAccumulator`]: per-class count and compensated sum.
//! * [`ConfidentJointAccumulator`]: K×K integer counts, label counts and off-diagonal
//!   indices (global row numbers via [`ConfidentJointAccumulator::starting_at`]).
//!
//! The in-memory functions cut the rows into fixed chunks of [`CHUNK_ROWS`] in index order,
//! count each chunk on rayon's current pool and merge the partial counts in chunk order.
//! Counts are integers, so every result is identical for every thread count and every
//! chunking.
//!
//! **Threshold precision (a deliberate choice).** numpy computes each threshold as the
//! pairwise sum of the gathered column divided by the count; a chunked sum cannot
//! reproduce that order. So:
//!
//! * the in-memory [`get_confident_thresholds`] (and every in-memory function that needs
//!   thresholds) gathers `p[labels == k, k]` per class and sums it in numpy's pairwise
//!   order: **bit-identical to cleanlab** for `f64` input, so examples lying exactly on
//!   `t_k − 1e-6` are classified exactly as cleanlab classifies them;
//! * [`ThresholdAccumulator`] merges Neumaier-compensated sums: independent of chunking to
//!   the last bit or two, and within ~1e-15 relative of the in-memory thresholds (tests
//!   assert 1e-12). Given the same thresholds, the chunked confident joint equals the
//!   in-memory one exactly.
//!
//! # Differences from cleanlab
//!
//! * `f32` `pred_probs` are widened to `f64` and all statistics are computed in `f64`;
//!   cleanlab computes thresholds, the `t − 1e-6` cut and the `+1e-6` of
//!   [`reduce_issues_mask`] in `f32`. Results equal cleanlab's on the widened `f64` input;
//!   against cleanlab on the `f32` input, thresholds differ by ~1e-7 relative and counts
//!   differ only for values within ~1e-7 of a cut.
//! * Calibration rounds with [`round_preserving_sum`](crate::util::round_preserving_sum),
//!   whose ties are broken by a stable sort; cleanlab's tie order comes from numpy's
//!   unstable SIMD quicksort and depends on the CPU. Equal residuals are common in
//!   calibrated rows (equal counts in one row), so calibrated joints — and everything
//!   derived from them — can differ from a given cleanlab installation by one unit moved
//!   between equal-residual cells. Ours equals cleanlab run with a stable argsort.
//! * Multi-label variants are not part of this module.
//!
//! ```
//! use cl_core::count::{ConfidentJointOptions, compute_confident_joint, get_confident_thresholds};
//! use cl_core::input::validate;
//! use ndarray::array;
//!
//! // A class absent from the labels (class 1) gets threshold 2 and an all-zero calibrated row.
//! let p = array![[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.2, 0.1, 0.7], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]];
//! let (labels, probs) = validate(&[0_i64, 0, 2, 2, 2], p.view())?;
//! let t = get_confident_thresholds(&labels, &probs)?;
//! assert_eq!(t[1], 2.0);
//! let cj = compute_confident_joint(&labels, &probs, &ConfidentJointOptions::default())?;
//! assert_eq!(cj.joint, array![[2, 0, 0], [0, 0, 0], [0, 0, 3]]);
//! # Ok::<(), cl_core::CoreError>(())
//! ```

mod estimate;
mod issues;
mod joint;
mod thresholds;

pub use estimate::{
    EstimateOptions, LatentEstimates, NoiseEstimates, estimate_latent,
    estimate_py_and_noise_matrices_from_probabilities,
};
pub use issues::{EstimationMethod, agrees_with_label, num_label_issues, reduce_issues_mask};
pub use joint::{
    CheckedRow, ConfidentJoint, ConfidentJointAccumulator, ConfidentJointOptions, ROW_LANES,
    RowCuts, calibrate_confident_joint, calibrate_confident_joint_from_counts,
    compute_confident_joint, estimate_joint, guess_and_max, guess_and_max_checked,
    joint_from_confident_joint,
};
pub use thresholds::{GivenLabelProbs, ThresholdAccumulator, get_confident_thresholds};

/// Rows per chunk of the in-memory parallel counting (results do not depend on it).
pub const CHUNK_ROWS: usize = 8192;

pub(crate) use crate::input::check_pair;
