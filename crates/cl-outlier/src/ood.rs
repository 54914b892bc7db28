//! `OutOfDistribution`: cleanlab's `cleanlab.outlier.OutOfDistribution`.

use std::fmt;

use cl_core::CoreError;
use cl_core::float::Real;
use cl_core::input::{Labels, PredProbs};
use cl_core::neighbors::{
    ExactKnn, KnnGraph, Metric, exact_duplicate_sets, resolve_n_neighbors, validate_features,
};
use cl_core::numerics::{pairwise_sum, xlogy};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::error::{OutlierError, Result};
use crate::knn_scores::{KnnDistanceScores, knn_distance_scores};

/// How `pred_probs` are turned into an out-of-distribution score (cleanlab's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum OodMethod {
    /// `1 − H(p)/ln K`, one minus the normalised entropy (cleanlab's default).
    #[default]
    Entropy,
    /// `max_k p_k`, the largest probability.
    LeastConfidence,
}

impl OodMethod {
    /// cleanlab's name of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            OodMethod::Entropy => "entropy",
            OodMethod::LeastConfidence => "least_confidence",
        }
    }
}

impl fmt::Display for OodMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for OodMethod {
    type Err = OutlierError;
    /// `"entropy"` or `"least_confidence"`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "entropy" => Ok(OodMethod::Entropy),
            "least_confidence" => Ok(OodMethod::LeastConfidence),
            other => Err(CoreError::InvalidParameter {
                name: "method",
                reason: format!(
                    "{other} is not a valid OOD scoring method! Please choose a valid scoring_method: entropy, least_confidence"
                ),
            }
            .into()),
        }
    }
}

/// Features owned by a fitted index, in their input element type.
#[derive(Debug, Clone, PartialEq)]
enum OwnedFeatures {
    F32(Array2<f32>),
    F64(Array2<f64>),
}

impl OwnedFeatures {
    fn from_view<T: Real>(x: ArrayView2<'_, T>) -> Self {
        // f32 stays f32 (cosine treats near-zero rows by the input type's epsilon).
        if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() {
            OwnedFeatures::F32(x.mapv(|v| v.to_f64x() as f32))
        } else {
            OwnedFeatures::F64(x.mapv(Real::to_f64x))
        }
    }

    fn nrows(&self) -> usize {
        match self {
            OwnedFeatures::F32(a) => a.nrows(),
            OwnedFeatures::F64(a) => a.nrows(),
        }
    }

    fn kneighbors<Q: Real>(
        &self,
        queries: ArrayView2<'_, Q>,
        metric: Metric,
        k: usize,
    ) -> Result<Array2<f64>> {
        fn run<T: Real, Q: Real>(
            x: ArrayView2<'_, T>,
            q: ArrayView2<'_, Q>,
            metric: Metric,
            k: usize,
        ) -> Result<Array2<f64>> {
            let index = ExactKnn::new(x, None, Some(metric))?;
            Ok(index.kneighbors(q, k)?.1)
        }
        match self {
            OwnedFeatures::F32(a) => run(a.view(), queries, metric, k),
            OwnedFeatures::F64(a) => run(a.view(), queries, metric, k),
        }
    }
}

/// A user-supplied neighbour index (cleanlab's `params["knn"]`, a scikit-learn
/// `NearestNeighbors`), fitted or not.
///
/// With such an index `OutOfDistribution` queries it with the features to score
/// (`kneighbors(features)`): a point that belongs to the index is its own nearest neighbour
/// at distance 0, and no exact-duplicate correction is applied — cleanlab's behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct KnnIndex {
    reference: Option<OwnedFeatures>,
    n_neighbors: usize,
    metric: Metric,
}

impl KnnIndex {
    /// An index not fitted yet (`NearestNeighbors(n_neighbors, metric)`): it is fitted on
    /// the features of the first `fit`/`fit_score`. scikit-learn's defaults are
    /// `n_neighbors = 5` and Minkowski with `p = 2`, i.e. [`Metric::Euclidean`].
    pub fn unfitted(n_neighbors: usize, metric: Metric) -> Result<Self> {
        check_n_neighbors(n_neighbors)?;
        Ok(Self {
            reference: None,
            n_neighbors,
            metric,
        })
    }

    /// An index fitted on `features` (copied, in their element type).
    pub fn fitted<T: Real>(
        features: ArrayView2<'_, T>,
        n_neighbors: usize,
        metric: Metric,
    ) -> Result<Self> {
        check_n_neighbors(n_neighbors)?;
        validate_features(features)?;
        Ok(Self {
            reference: Some(OwnedFeatures::from_view(features)),
            n_neighbors,
            metric,
        })
    }

    /// The same index as an [`ExactKnn`] (its features are copied).
    pub fn from_exact<T: Real>(index: &ExactKnn<'_, T>) -> Self {
        Self {
            reference: Some(OwnedFeatures::from_view(index.features())),
            n_neighbors: index.n_neighbors(),
            metric: index.metric(),
        }
    }

    /// The configured number of neighbours (`knn.n_neighbors`).
    pub fn n_neighbors(&self) -> usize {
        self.n_neighbors
    }

    /// The metric.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Whether the index holds points.
    pub fn is_fitted(&self) -> bool {
        self.reference.is_some()
    }

    /// Number of indexed points (0 when not fitted).
    pub fn len(&self) -> usize {
        self.reference.as_ref().map_or(0, OwnedFeatures::nrows)
    }

    /// Whether the index holds no point.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check_n_neighbors(k: usize) -> Result<()> {
    if k == 0 {
        return Err(CoreError::InvalidParameter {
            name: "n_neighbors",
            reason: "The 'n_neighbors' parameter of NearestNeighbors must be an int in the range [1, inf)".into(),
        }
        .into());
    }
    Ok(())
}

/// Options of [`OutOfDistribution`] (cleanlab's `params` dict); `Default` is cleanlab's
/// default: `k = None`, `t = 1`, no user index, `method = entropy`,
/// `adjust_pred_probs = true`, no confident thresholds, and (an addition) the metric
/// cleanlab would choose.
#[derive(Debug, Clone, PartialEq)]
pub struct OodOptions {
    k: Option<usize>,
    t: f64,
    knn: Option<KnnIndex>,
    metric: Option<Metric>,
    method: OodMethod,
    adjust_pred_probs: bool,
    confident_thresholds: Option<Vec<f64>>,
}

impl Default for OodOptions {
    fn default() -> Self {
        Self {
            k: None,
            t: 1.0,
            knn: None,
            metric: None,
            method: OodMethod::Entropy,
            adjust_pred_probs: true,
            confident_thresholds: None,
        }
    }
}

impl OodOptions {
    /// Number of neighbours `k` (`None` or 0: cleanlab's default, `min(10, N − 1)` for a
    /// built index, `knn.n_neighbors` for a user index; larger than a user index's
    /// `n_neighbors` → capped with [`OodWarning::KCapped`]; `k ≥ N` for a built index is an
    /// error).
    #[must_use]
    pub fn k(mut self, k: impl Into<Option<usize>>) -> Self {
        self.k = k.into().filter(|&k| k > 0);
        self
    }

    /// The transform parameter `t` of `exp(−t · avg_distance / scaling_factor)` (default 1;
    /// not validated, as in cleanlab: scores lie in `[0, 1]` for `t ≥ 0`).
    #[must_use]
    pub fn t(mut self, t: f64) -> Self {
        self.t = t;
        self
    }

    /// A user-supplied neighbour index (cleanlab's `knn`).
    #[must_use]
    pub fn knn(mut self, knn: impl Into<Option<KnnIndex>>) -> Self {
        self.knn = knn.into();
        self
    }

    /// The metric of the index built at `fit` (`None`: cleanlab's
    /// [`Metric::decide_default`]). Not a cleanlab `params` key (cleanlab's Datalab passes
    /// it to the index); ignored when a user index is given.
    #[must_use]
    pub fn metric(mut self, metric: impl Into<Option<Metric>>) -> Self {
        self.metric = metric.into();
        self
    }

    /// The `pred_probs` scoring method.
    #[must_use]
    pub fn method(mut self, method: OodMethod) -> Self {
        self.method = method;
        self
    }

    /// Whether `pred_probs` are adjusted by the per-class confident thresholds before
    /// scoring (default `true`; needs labels at fit, or given thresholds).
    #[must_use]
    pub fn adjust_pred_probs(mut self, yes: bool) -> Self {
        self.adjust_pred_probs = yes;
        self
    }

    /// Per-class confident thresholds to use instead of learning them at fit.
    #[must_use]
    pub fn confident_thresholds(mut self, thresholds: impl Into<Option<Vec<f64>>>) -> Self {
        self.confident_thresholds = thresholds.into();
        self
    }

    /// The configured `k` (`None`: default).
    pub fn get_k(&self) -> Option<usize> {
        self.k
    }

    /// The configured `t`.
    pub fn get_t(&self) -> f64 {
        self.t
    }

    /// The configured method.
    pub fn get_method(&self) -> OodMethod {
        self.method
    }

    /// Whether `pred_probs` are adjusted.
    pub fn get_adjust_pred_probs(&self) -> bool {
        self.adjust_pred_probs
    }
}

/// Warnings cleanlab would emit (`warnings.warn`), returned instead of printed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum OodWarning {
    /// `fit` found a neighbour index (user-supplied, or built by an earlier `fit`) and used
    /// it; cleanlab emits this even when it fits a user index that was not fitted yet.
    KnnAlreadyFitted,
    /// `k` was larger than the user index's `n_neighbors` and was capped to it.
    KCapped {
        /// The requested k.
        requested: usize,
        /// The index's `n_neighbors`, used instead.
        used: usize,
    },
    /// `fit` reused confident thresholds that were already set.
    ThresholdsAlreadyFitted,
    /// Labels or thresholds were given with `adjust_pred_probs = false`: they are unused.
    LabelsIgnored,
    /// `fit` on `pred_probs` without adjustment has nothing to fit.
    NothingToFit,
}

impl fmt::Display for OodWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OodWarning::KnnAlreadyFitted => f.write_str(
                "A KNN estimator has previously already been fit, call score() to apply it to data, or create a new OutOfDistribution object to fit a different estimator.",
            ),
            OodWarning::KCapped { requested, used } => write!(
                f,
                "Chosen k={requested} cannot be greater than n_neighbors={used} which was used when fitting NearestNeighbors object! Value of k changed to k={used}."
            ),
            OodWarning::ThresholdsAlreadyFitted => f.write_str(
                "Confident thresholds have previously already been fit, call score() to apply them to data, or create a new OutOfDistribution object to fit a different estimator.",
            ),
            OodWarning::LabelsIgnored => f.write_str(
                "OOD scores are not adjusted with confident thresholds. If scores need to be adjusted set adjust_pred_probs = true. Otherwise passing in confident_thresholds and/or labels does not change score calculation.",
            ),
            OodWarning::NothingToFit => f.write_str(
                "No estimates need to be be fit under the provided params, so you could directly call score() as an alternative.",
            ),
        }
    }
}

/// What [`OutOfDistribution`] fits on or scores: features, or `pred_probs` (with labels to
/// learn the confident thresholds). cleanlab's "exactly one of features / pred_probs".
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum OodData<'a, 'b, T: Real> {
    /// N×D feature vectors (embeddings).
    Features(ArrayView2<'a, T>),
    /// Validated `pred_probs`, and labels (used to learn confident thresholds at fit).
    PredProbs {
        /// Out-of-sample predicted probabilities.
        pred_probs: &'b PredProbs<'a, T>,
        /// Given labels (needed at fit when `adjust_pred_probs` and no thresholds are set).
        labels: Option<&'b Labels<'b>>,
    },
}

/// cleanlab's `OutOfDistribution`: out-of-distribution scores in `[0, 1]` (lower = more
/// atypical) from features (mean distance to the k nearest neighbours) or from `pred_probs`
/// (entropy or least confidence, optionally adjusted by per-class confident thresholds).
///
/// `fit` learns what `score` reuses: the neighbour index and the scaling factor of the
/// distances, or the confident thresholds. Warnings cleanlab would emit are collected in
/// [`OutOfDistribution::warnings`]; nothing is printed (cleanlab's `verbose` messages are
/// not reproduced).
///
/// **Features.** Without a user index, `fit` indexes the features (an exact kNN index with
/// cleanlab's k and metric) and scores each point by its k nearest *other* points, after
/// cleanlab's exact-duplicate correction; later `score` calls query that index with new
/// features (a query equal to a fitted point finds it at distance 0). With a
/// [`KnnIndex`] every call queries the index. The scaling factor is set by the first call
/// that computes distances: `max(median(avg distance), 100·eps)`. Examples whose average
/// distance is below the metric's precision tolerance score exactly 1.
///
/// The index keeps a copy of the fitted features (in their element type), so the estimator
/// owns its state like cleanlab's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutOfDistribution {
    options: OodOptions,
    knn: Option<KnnIndex>,
    /// k resolved when the index was built by `fit` (`knn.n_neighbors`).
    scaling_factor: Option<f64>,
    thresholds: Option<Vec<f64>>,
    warnings: Vec<OodWarning>,
}

impl OutOfDistribution {
    /// An estimator with the given options.
    pub fn new(options: OodOptions) -> Self {
        Self {
            knn: options.knn.clone(),
            thresholds: options.confident_thresholds.clone(),
            options,
            scaling_factor: None,
            warnings: Vec::new(),
        }
    }

    /// The options given at construction.
    pub fn options(&self) -> &OodOptions {
        &self.options
    }

    /// The neighbour index in use (built by `fit` or user-supplied).
    pub fn knn(&self) -> Option<&KnnIndex> {
        self.knn.as_ref()
    }

    /// The scaling factor of the distances, once set.
    pub fn scaling_factor(&self) -> Option<f64> {
        self.scaling_factor
    }

    /// The confident thresholds in use, once learnt or given.
    pub fn confident_thresholds(&self) -> Option<&[f64]> {
        self.thresholds.as_deref()
    }

    /// Warnings emitted so far, oldest first.
    pub fn warnings(&self) -> &[OodWarning] {
        &self.warnings
    }

    /// Fits on features or `pred_probs` (cleanlab's `fit`).
    pub fn fit<T: Real>(&mut self, data: OodData<'_, '_, T>) -> Result<()> {
        self.fit_score(data).map(|_| ())
    }

    /// Fits, then returns the scores of the same data (cleanlab's `fit_score`).
    pub fn fit_score<T: Real>(&mut self, data: OodData<'_, '_, T>) -> Result<Vec<f64>> {
        match data {
            OodData::Features(x) => self.fit_score_features(x),
            OodData::PredProbs { pred_probs, labels } => {
                self.fit_score_pred_probs(pred_probs, labels)
            }
        }
    }

    /// Scores new data with what `fit` learnt (cleanlab's `score`).
    ///
    /// Takes `&mut self` because, as in cleanlab, the first call that computes distances
    /// sets the scaling factor.
    pub fn score<T: Real>(&mut self, data: OodData<'_, '_, T>) -> Result<Vec<f64>> {
        match data {
            OodData::Features(x) => self.score_features(x),
            OodData::PredProbs { pred_probs, .. } => self.score_pred_probs(pred_probs),
        }
    }

    /// [`OutOfDistribution::fit_score`] on features.
    pub fn fit_score_features<T: Real>(&mut self, features: ArrayView2<'_, T>) -> Result<Vec<f64>> {
        Ok(self.fit_features_detailed(features)?.scores)
    }

    /// [`OutOfDistribution::fit_score_features`] with the average distances and the scaling
    /// factor.
    pub fn fit_features_detailed<T: Real>(
        &mut self,
        features: ArrayView2<'_, T>,
    ) -> Result<KnnDistanceScores> {
        validate_features(features)?;
        match &mut self.knn {
            None => {
                // No index yet: build one on the features and score each point by its k
                // nearest other points, corrected for exact duplicates.
                let (n, d) = features.dim();
                let k = resolve_n_neighbors(self.options.k, n)?;
                let metric = self
                    .options
                    .metric
                    .unwrap_or_else(|| Metric::decide_default(n, d));
                let index = ExactKnn::new(features, Some(k), Some(metric))?;
                let mut graph: KnnGraph = index.knn_graph()?;
                graph.correct_exact_duplicates(&exact_duplicate_sets(features))?;
                self.knn = Some(KnnIndex::from_exact(&index));
                return self.scores_from_distances(graph.distances().view(), metric);
            }
            Some(knn) => {
                // cleanlab warns whenever `fit` finds an index, even one it fits now.
                self.warnings.push(OodWarning::KnnAlreadyFitted);
                if !knn.is_fitted() {
                    knn.reference = Some(OwnedFeatures::from_view(features));
                }
            }
        }
        self.query_scores(features)
    }

    /// [`OutOfDistribution::score`] on features.
    pub fn score_features<T: Real>(&mut self, features: ArrayView2<'_, T>) -> Result<Vec<f64>> {
        Ok(self.score_features_detailed(features)?.scores)
    }

    /// [`OutOfDistribution::score_features`] with the average distances and the scaling
    /// factor.
    pub fn score_features_detailed<T: Real>(
        &mut self,
        features: ArrayView2<'_, T>,
    ) -> Result<KnnDistanceScores> {
        if !self.knn.as_ref().is_some_and(KnnIndex::is_fitted) {
            return Err(OutlierError::NotFitted { what: "features" });
        }
        validate_features(features)?;
        self.query_scores(features)
    }

    /// Scores every row of `features` by its k nearest points of the fitted index.
    fn query_scores<T: Real>(&mut self, features: ArrayView2<'_, T>) -> Result<KnnDistanceScores> {
        let Some(knn) = self.knn.as_ref() else {
            return Err(OutlierError::NotFitted { what: "features" });
        };
        let Some(reference) = knn.reference.as_ref() else {
            return Err(OutlierError::NotFitted { what: "features" });
        };
        let mut k = self.options.k.unwrap_or(knn.n_neighbors);
        if k > knn.n_neighbors {
            self.warnings.push(OodWarning::KCapped {
                requested: k,
                used: knn.n_neighbors,
            });
            k = knn.n_neighbors;
        }
        let metric = knn.metric;
        let distances = reference.kneighbors(features, metric, k)?;
        self.scores_from_distances(distances.view(), metric)
    }

    fn scores_from_distances(
        &mut self,
        distances: ArrayView2<'_, f64>,
        metric: Metric,
    ) -> Result<KnnDistanceScores> {
        let out = knn_distance_scores(distances, metric, self.options.t, self.scaling_factor)?;
        self.scaling_factor = Some(out.scaling_factor);
        Ok(out)
    }

    /// Scores a precomputed kNN graph (e.g. one Datalab already holds), using all its
    /// stored neighbours, and fixes the scaling factor if not yet set. `metric` decides the
    /// precision tolerance (only its [`Metric::name`] matters).
    pub fn fit_score_knn_graph(&mut self, graph: &KnnGraph, metric: Metric) -> Result<Vec<f64>> {
        Ok(self
            .scores_from_distances(graph.distances().view(), metric)?
            .scores)
    }

    /// [`OutOfDistribution::fit_score`] on `pred_probs`.
    pub fn fit_score_pred_probs<T: Real>(
        &mut self,
        pred_probs: &PredProbs<'_, T>,
        labels: Option<&Labels<'_>>,
    ) -> Result<Vec<f64>> {
        if self.options.adjust_pred_probs {
            if self.thresholds.is_some() {
                self.warnings.push(OodWarning::ThresholdsAlreadyFitted);
            } else {
                let labels = labels.ok_or(OutlierError::MissingLabels)?;
                self.thresholds = Some(cl_core::count::get_confident_thresholds(
                    labels, pred_probs,
                )?);
            }
        } else {
            if labels.is_some() || self.thresholds.is_some() {
                self.warnings.push(OodWarning::LabelsIgnored);
            }
            self.warnings.push(OodWarning::NothingToFit);
        }
        if let Some(labels) = labels {
            cl_core::input::check_pair(labels, pred_probs)?;
        }
        self.score_pred_probs(pred_probs)
    }

    /// [`OutOfDistribution::score`] on `pred_probs`. With `adjust_pred_probs` the stored
    /// (fitted or given) confident thresholds are required.
    pub fn score_pred_probs<T: Real>(&self, pred_probs: &PredProbs<'_, T>) -> Result<Vec<f64>> {
        if self.options.adjust_pred_probs {
            let t = self
                .thresholds
                .as_deref()
                .ok_or(OutlierError::NotFitted { what: "pred_probs" })?;
            let adjusted = cl_rank::subtract_thresholds(pred_probs, t)?;
            pred_probs_scores(adjusted.view(), self.options.method)
        } else {
            pred_probs_scores(pred_probs.view(), self.options.method)
        }
    }
}

/// The `pred_probs` score of every row: `1 − normalised entropy` or the largest
/// probability. Rows in parallel; a pure function of each row.
fn pred_probs_scores<T: Real>(p: ArrayView2<'_, T>, method: OodMethod) -> Result<Vec<f64>> {
    let k = p.ncols();
    match method {
        OodMethod::LeastConfidence => Ok((0..p.nrows())
            .into_par_iter()
            .map(|i| {
                p.row(i)
                    .iter()
                    .map(|v| v.to_f64x())
                    .fold(f64::NEG_INFINITY, |m, v| if v > m { v } else { m })
            })
            .collect()),
        OodMethod::Entropy => {
            if k < 2 {
                return Err(CoreError::Shape {
                    what: "pred_probs",
                    expected: "at least 2 columns for the entropy score (ln K > 0)".into(),
                    found: format!("{k} column"),
                }
                .into());
            }
            // cleanlab checks the whole array before scoring; report the first bad value
            // in row-major order.
            let bad = (0..p.nrows())
                .into_par_iter()
                .map(|i| {
                    p.row(i).iter().enumerate().find_map(|(j, v)| {
                        let v = v.to_f64x();
                        (!(0.0..=1.0).contains(&v)).then_some((i, j, v))
                    })
                })
                .find_first(Option::is_some)
                .flatten();
            if let Some((row, col, value)) = bad {
                return Err(OutlierError::ProbabilityOutOfRange { row, col, value });
            }
            let log_k = (k as f64).ln();
            Ok((0..p.nrows())
                .into_par_iter()
                .map_init(Vec::new, |buf, i| {
                    buf.clear();
                    buf.extend(p.row(i).iter().map(|v| {
                        let v = v.to_f64x();
                        -xlogy(v, v)
                    }));
                    1.0 - pairwise_sum(buf) / log_k
                })
                .collect())
        }
    }
}
