//! # cl-benches
//!
//! Shared pieces of the cleanlab-rs benchmarks:
//!
//! * [`generate`]: seeded, deterministic synthetic classification data (given labels with
//!   20 % label noise and softmax `pred_probs`), identical for every thread count. The
//!   criterion benches use it in memory; `cargo xtask bench` writes it to `.npy` files
//!   (via the `cl-bench-runner` binary) so that Python cleanlab reads the same bytes.
//! * [`Op`]: the measured operations and [`Op::run`], which validates the inputs and runs
//!   the operation exactly as a user would call it.
//! * [`generate_features`] and [`knn_graph_checksum`]: seeded clustered features and the kNN
//!   graph construction (cleanlab's `features_to_knn` + `construct_knn_graph_from_index`).
//! * [`generate_audit`] and [`AuditOp`]: the same features with labels and `pred_probs`
//!   that follow the clusters, and the operations that need features (out-of-distribution
//!   scores, kNN data valuation, the Datalab audit).

use anyhow::{Result, bail};
use cl_core::Real;
use cl_filter::{FilterBy, FilterOptions};
use cl_rank::{LabelQualityOptions, ScoreMethod};
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// Seed used by the benches and `cargo xtask bench` unless told otherwise.
pub const DEFAULT_SEED: u64 = 20_261_128;

/// Fraction of examples whose given label is flipped to another class.
pub const LABEL_NOISE: f64 = 0.2;

/// A synthetic data set: given labels and predicted probabilities (N×K, row-major).
#[derive(Debug, Clone)]
pub struct Dataset<T> {
    /// Given labels in `0..K`.
    pub labels: Vec<i64>,
    /// Predicted probabilities; every row sums to 1 (up to rounding in `T`).
    pub pred_probs: Array2<T>,
}

/// splitmix64: a tiny, well-mixed generator; one stream per row keeps generation parallel
/// and deterministic.
#[derive(Debug, Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)` with 53 random bits.
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
    }
    /// Uniform integer in `0..m` (`m ≥ 1`; the modulo bias is irrelevant here).
    fn below(&mut self, m: usize) -> usize {
        (self.next_u64() % m as u64) as usize
    }
}

/// Generates `n` examples over `k ≥ 2` classes from `seed`.
///
/// Row `i` draws a true class `t`, logits `3u_j` plus a boost `ln K + 4u` on `t` (so the
/// model's confidence in `t` ranges from about 0.13 to 0.9), and a given label equal to
/// `t` with probability 0.8, otherwise a uniformly drawn other class. The result depends
/// only on `(n, k, seed)`, never on the thread count; `f32` data are the `f64` values
/// rounded to nearest.
pub fn generate<T: Real>(n: usize, k: usize, seed: u64) -> Result<Dataset<T>> {
    if n == 0 || k < 2 {
        bail!("need n >= 1 and k >= 2 (got n = {n}, k = {k})");
    }
    Ok(labelled_rows(n, k, |i| {
        let mut rng = SplitMix(seed ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let truth = rng.below(k);
        (truth, rng)
    }))
}

/// `n` rows of softmax `pred_probs` and given labels: `row(i)` gives the true class and the
/// generator that draws the row's logits (`3u_j`, plus `ln K + 4u` on the true class) and
/// its label noise ([`LABEL_NOISE`], a uniformly drawn other class). Rows in parallel, each
/// from its own stream, so the result does not depend on the thread count.
fn labelled_rows<T: Real>(
    n: usize,
    k: usize,
    row: impl Fn(usize) -> (usize, SplitMix) + Sync,
) -> Dataset<T> {
    let mut pred_probs = Array2::<T>::zeros((n, k));
    let ln_k = (k as f64).ln();
    let labels: Vec<i64> = pred_probs
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .map_init(
            || vec![0.0_f64; k],
            |logits, (i, mut out)| {
                let (truth, mut rng) = row(i);
                for z in logits.iter_mut() {
                    *z = 3.0 * rng.uniform();
                }
                logits[truth] += ln_k + 4.0 * rng.uniform();
                let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut total = 0.0;
                for z in logits.iter_mut() {
                    *z = (*z - max).exp();
                    total += *z;
                }
                for (dst, &z) in out.iter_mut().zip(logits.iter()) {
                    *dst = T::from_f64x(z / total);
                }
                let given = if rng.uniform() < LABEL_NOISE {
                    (truth + 1 + rng.below(k - 1)) % k
                } else {
                    truth
                };
                given as i64
            },
        )
        .collect();
    Dataset { labels, pred_probs }
}

/// Number of cluster centres of [`generate_features`].
pub const FEATURE_CLUSTERS: usize = 100;

/// Seeded, clustered feature vectors (an embedding-like data set) for the kNN benches:
/// `n` rows of dimension `d`, row `i` drawn around one of [`FEATURE_CLUSTERS`] centres
/// (centre coordinates standard normal, noise normal with standard deviation 0.5). Depends
/// only on `(n, d, seed)`; `f32` data are the `f64` values rounded to nearest.
pub fn generate_features<T: Real>(n: usize, d: usize, seed: u64) -> Result<Array2<T>> {
    if n == 0 || d == 0 {
        bail!("need n >= 1 and d >= 1 (got n = {n}, d = {d})");
    }
    let normal = |rng: &mut SplitMix| {
        // Box-Muller; `1 - u` keeps the logarithm finite.
        let u = 1.0 - rng.uniform();
        let v = rng.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let centres: Vec<f64> = (0..FEATURE_CLUSTERS * d)
        .map(|t| {
            let mut rng =
                SplitMix(seed ^ 0xC3A5_C85C_97CB_3127 ^ (t as u64).wrapping_mul(0x9E37_79B9));
            normal(&mut rng)
        })
        .collect();
    let mut x = Array2::<T>::zeros((n, d));
    x.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(i, mut row)| {
            let mut rng = SplitMix(seed ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
            let c = rng.below(FEATURE_CLUSTERS);
            for (j, v) in row.iter_mut().enumerate() {
                *v = T::from_f64x(centres[c * d + j] + 0.5 * normal(&mut rng));
            }
        });
    Ok(x)
}

/// The cluster of row `i` of [`generate_features`] (the first draw of the row's stream).
fn feature_cluster(i: usize, seed: u64) -> usize {
    SplitMix(seed ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03)).below(FEATURE_CLUSTERS)
}

/// A labelled data set with features, for the audit benches.
#[derive(Debug, Clone)]
pub struct AuditData<T> {
    /// [`generate_features`]`(n, d, seed)`.
    pub features: Array2<T>,
    /// Given labels in `0..K` (true class = cluster mod K, [`LABEL_NOISE`] flipped).
    pub labels: Vec<i64>,
    /// Softmax `pred_probs` favouring the true class, as in [`generate`].
    pub pred_probs: Array2<T>,
}

/// [`generate_features`] plus labels and `pred_probs` over `k ≥ 2` classes: the true class
/// of row `i` is its cluster modulo `k`; logits and label noise are drawn as in
/// [`generate`] from a separate per-row stream. Independent of the thread count.
pub fn generate_audit<T: Real>(n: usize, d: usize, k: usize, seed: u64) -> Result<AuditData<T>> {
    if k < 2 {
        bail!("need k >= 2 (got {k})");
    }
    let features = generate_features::<T>(n, d, seed)?;
    let data = labelled_rows(n, k, |i| {
        let rng =
            SplitMix(seed ^ 0x6A09_E667_F3BC_C909 ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (feature_cluster(i, seed) % k, rng)
    });
    Ok(AuditData {
        features,
        labels: data.labels,
        pred_probs: data.pred_probs,
    })
}

/// An operation on [`AuditData`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditOp {
    /// `OutOfDistribution().fit_score(features=X)` (k = 10, default metric).
    OodFeatures,
    /// `OutOfDistribution().fit_score(pred_probs=P, labels=y)` (entropy, adjusted).
    OodPredProbs,
    /// `data_shapley_knn(labels, features=X, k=10)`.
    DataShapley,
    /// `Datalab(labels).find_issues(features=X, pred_probs=P)` with the default types.
    Datalab,
}

impl AuditOp {
    /// Every operation.
    pub const ALL: [AuditOp; 4] = [
        AuditOp::OodFeatures,
        AuditOp::OodPredProbs,
        AuditOp::DataShapley,
        AuditOp::Datalab,
    ];

    /// Name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            AuditOp::OodFeatures => "ood_features",
            AuditOp::OodPredProbs => "ood_pred_probs",
            AuditOp::DataShapley => "data_shapley_knn",
            AuditOp::Datalab => "datalab_find_issues",
        }
    }

    /// Parses [`AuditOp::name`].
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.name() == s)
            .ok_or_else(|| anyhow::anyhow!("unknown audit operation {s:?}"))
    }

    /// Runs the operation as a user would call it; returns a checksum: the sum of the
    /// scores, or for the audit `Σ_t Σ_{i flagged for type t} (i + 1)(t + 1)` over
    /// Datalab's possible issue types in their listed order (an exact integer, equal on
    /// both sides iff the flags agree, barring coincidences).
    pub fn run<T: Real>(
        self,
        features: ArrayView2<'_, T>,
        labels: &[i64],
        pred_probs: ArrayView2<'_, T>,
    ) -> Result<f64>
    where
        for<'a> cl_datalab::Matrix<'a>: From<ArrayView2<'a, T>>,
    {
        match self {
            AuditOp::OodFeatures => {
                let mut ood = cl_outlier::OutOfDistribution::new(cl_outlier::OodOptions::default());
                Ok(ood.fit_score_features(features)?.iter().sum())
            }
            AuditOp::OodPredProbs => {
                let (labels, probs) = cl_core::input::validate(labels, pred_probs)?;
                let mut ood = cl_outlier::OutOfDistribution::new(cl_outlier::OodOptions::default());
                Ok(ood
                    .fit_score_pred_probs(&probs, Some(&labels))?
                    .iter()
                    .sum())
            }
            AuditOp::DataShapley => Ok(cl_outlier::data_shapley_knn_from_features(
                labels,
                features,
                &cl_outlier::DataShapleyOptions::default(),
            )?
            .iter()
            .sum()),
            AuditOp::Datalab => {
                let mut lab = cl_datalab::Datalab::new(labels.to_vec())?;
                lab.find_issues(
                    &cl_datalab::FindIssuesInputs::new()
                        .features(features)
                        .pred_probs(pred_probs),
                    None,
                )?;
                for f in lab.failures() {
                    eprintln!("Error in {}: {}", f.issue_type, f.message);
                }
                let mut sum = 0.0;
                for (t, name) in cl_datalab::Datalab::list_possible_issue_types()
                    .iter()
                    .enumerate()
                {
                    if let Some(flags) = lab
                        .issues()
                        .column(&format!("is_{name}_issue"))
                        .and_then(|c| c.as_bool())
                    {
                        for (i, _) in flags.iter().enumerate().filter(|(_, f)| **f) {
                            sum += ((i + 1) * (t + 1)) as f64;
                        }
                    }
                }
                Ok(sum)
            }
        }
    }
}

/// cleanlab's kNN graph construction as a user calls it (`features_to_knn` with `k` and
/// the default metric, then `construct_knn_graph_from_index`, no correction); returns the
/// sum of all neighbour distances as a checksum.
pub fn knn_graph_checksum<T: Real>(
    features: ArrayView2<'_, T>,
    k: usize,
    tiling: cl_core::neighbors::Tiling,
) -> Result<f64> {
    let index = cl_core::neighbors::features_to_knn(features, Some(k), None)?.with_tiling(tiling);
    let graph = cl_core::neighbors::construct_knn_graph_from_index::<_, T>(&index, None)?;
    Ok(graph.distances().iter().sum())
}

/// One measured operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `find_label_issues` with the given filter (other options default).
    FindLabelIssues(FilterBy),
    /// `get_label_quality_scores` with the given method (no adjustment).
    LabelQuality(ScoreMethod),
    /// Baseline: one parallel read pass over `pred_probs` computing row sums.
    RowSums,
}

/// The score methods, in cleanlab's documentation order.
pub const SCORE_METHODS: [ScoreMethod; 3] = [
    ScoreMethod::SelfConfidence,
    ScoreMethod::NormalizedMargin,
    ScoreMethod::ConfidenceWeightedEntropy,
];

impl Op {
    /// Name used on the command line and in tables: `find_label_issues:<filter_by>`,
    /// `label_quality:<method>` or `row_sums`.
    pub fn name(self) -> String {
        match self {
            Op::FindLabelIssues(f) => format!("find_label_issues:{}", f.as_str()),
            Op::LabelQuality(m) => format!("label_quality:{}", m.as_str()),
            Op::RowSums => "row_sums".into(),
        }
    }

    /// Parses [`Op::name`]'s format.
    pub fn parse(s: &str) -> Result<Self> {
        if s == "row_sums" {
            return Ok(Op::RowSums);
        }
        if let Some(f) = s.strip_prefix("find_label_issues:") {
            return Ok(Op::FindLabelIssues(
                f.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
            ));
        }
        if let Some(m) = s.strip_prefix("label_quality:") {
            return Ok(Op::LabelQuality(
                m.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
            ));
        }
        bail!("unknown operation {s:?}")
    }

    /// Validates the inputs and runs the operation; returns a small checksum (number of
    /// flagged examples, sum of scores or sum of row sums) so the work cannot be optimised
    /// away and results can be compared across runs.
    pub fn run<T: Real>(self, labels: &[i64], pred_probs: ArrayView2<'_, T>) -> Result<f64> {
        if self == Op::RowSums {
            let sums: Vec<f64> = pred_probs
                .axis_iter(Axis(0))
                .into_par_iter()
                .map(|row| match row.as_slice() {
                    Some(row) => lane_sum(row),
                    None => row.iter().map(|v| v.to_f64x()).sum::<f64>(),
                })
                .collect();
            return Ok(sums.iter().sum());
        }
        if let Op::FindLabelIssues(filter_by) = self {
            // Validation included, fused into the counting pass where the filter allows.
            let opts = FilterOptions::default().filter_by(filter_by);
            let mask = cl_filter::find_label_issues_view(labels, pred_probs, &opts)?;
            return Ok(mask.iter().filter(|&&m| m).count() as f64);
        }
        let (labels, probs) = cl_core::input::validate(labels, pred_probs)?;
        match self {
            Op::LabelQuality(method) => {
                let scores = cl_rank::get_label_quality_scores(
                    &labels,
                    &probs,
                    &LabelQualityOptions::new(method),
                )?;
                Ok(scores.iter().sum())
            }
            Op::RowSums | Op::FindLabelIssues(_) => unreachable!("handled above"),
        }
    }
}

/// The sum of a row in eight independent lanes (so that it vectorises and the pass is
/// bound by memory, not by the latency of one chain of additions).
fn lane_sum<T: Real>(row: &[T]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let mut blocks = row.chunks_exact(8);
    for b in &mut blocks {
        for (l, &v) in lanes.iter_mut().zip(b) {
            *l += v.to_f64x();
        }
    }
    let tail: f64 = blocks.remainder().iter().map(|v| v.to_f64x()).sum();
    lanes.iter().sum::<f64>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_is_seeded_and_valid() -> Result<()> {
        let a = generate::<f64>(2000, 7, 1)?;
        let b = generate::<f64>(2000, 7, 1)?;
        let c = generate::<f64>(2000, 7, 2)?;
        assert_eq!(a.labels, b.labels);
        assert_eq!(a.pred_probs, b.pred_probs);
        assert_ne!(a.pred_probs, c.pred_probs);
        assert!(a.labels.iter().all(|&l| (0..7).contains(&l)));
        for row in a.pred_probs.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-12);
        }
        let f = generate::<f32>(2000, 7, 1)?;
        assert_eq!(f.labels, a.labels);
        let flagged =
            Op::FindLabelIssues(FilterBy::PruneByNoiseRate).run(&a.labels, a.pred_probs.view())?;
        assert!(flagged > 100.0 && flagged < 800.0, "{flagged}");
        Ok(())
    }

    #[test]
    fn features_are_seeded_and_knn_runs() -> Result<()> {
        let a = generate_features::<f64>(500, 16, 3)?;
        assert_eq!(a, generate_features::<f64>(500, 16, 3)?);
        assert_ne!(a, generate_features::<f64>(500, 16, 4)?);
        let f = generate_features::<f32>(500, 16, 3)?;
        assert_eq!(f, a.mapv(|v| v as f32));
        let s = knn_graph_checksum(a.view(), 10, cl_core::neighbors::Tiling::default())?;
        assert!(s > 0.0 && s < 500.0 * 10.0 * 2.0, "{s}");
        Ok(())
    }

    #[test]
    fn audit_data_is_seeded_and_ops_run() -> Result<()> {
        let a = generate_audit::<f64>(400, 8, 4, 5)?;
        let b = generate_audit::<f64>(400, 8, 4, 5)?;
        assert_eq!(a.labels, b.labels);
        assert_eq!(a.pred_probs, b.pred_probs);
        assert_eq!(a.features, generate_features::<f64>(400, 8, 5)?);
        assert!(a.labels.iter().all(|&l| (0..4).contains(&l)));
        // Labels follow the clusters up to the noise.
        let agree = (0..400)
            .filter(|&i| a.labels[i] as usize == feature_cluster(i, 5) % 4)
            .count();
        assert!(agree > 280 && agree < 360, "{agree}");
        for op in AuditOp::ALL {
            assert_eq!(AuditOp::parse(op.name())?, op);
            let s = op.run(a.features.view(), &a.labels, a.pred_probs.view())?;
            assert!(s.is_finite() && s > 0.0, "{}: {s}", op.name());
        }
        Ok(())
    }

    #[test]
    fn op_names_round_trip() -> Result<()> {
        for op in [Op::RowSums, Op::FindLabelIssues(FilterBy::Both)]
            .into_iter()
            .chain(SCORE_METHODS.into_iter().map(Op::LabelQuality))
        {
            assert_eq!(Op::parse(&op.name())?, op);
        }
        Ok(())
    }
}
