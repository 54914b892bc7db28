//! `CleanLearning`: find label issues with any classifier, then train on the clean data
//! (cleanlab's `cleanlab.classification.CleanLearning`).
//!
//! # `find_label_issues` (cleanlab 2.9.0's algorithm)
//!
//! 1. Validate; a given noise matrix or inverse noise matrix must have trace > 1
//!    ([`LearnError::NoiseMatrixTrace`]). K = columns of `pred_probs`, or (no
//!    `pred_probs`) the number of classes, which must then be exactly `0..K`, with at least
//!    `cv_n_folds` examples per class on average ([`LearnError::NeedMoreData`]).
//! 2. `low_memory`: `pred_probs` (given or cross-validated) go to cleanlab's
//!    `find_label_issues_batched` (batch size 10 000, its defaults); the filter options,
//!    thresholds and matrices are not used ([`LearnWarning::LowMemoryIgnoresOptions`]).
//! 3. Otherwise the noise estimates: with a confident joint in the filter options, `py` and
//!    the noise matrix from `estimate_latent` of it (no convergence; this noise matrix
//!    replaces a given one); then with no matrix, the confident joint and latent estimates
//!    of the `pred_probs` (`thresholds`, `converge_latent_estimates`); with a noise matrix
//!    only, `py` and the inverse by latent algebra; with an inverse noise matrix only, the
//!    noise matrix (and no `py`); a missing confident joint is computed (calibrated).
//! 4. PU learning (K = 2, `pulearning = Some(c)`): class `c` is made noise-free in the
//!    noise matrix, class `1 − c` in the inverse noise matrix, and the confident joint gets
//!    `cj[c][1−c] = 0`, `cj[1−c][1−c] = 1`.
//! 5. Flags from `cl_filter::find_label_issues` with the filter options (default
//!    `min_examples_per_class = 10`) and that confident joint; `label_quality` from
//!    `cl_rank::get_label_quality_scores`; `predicted_label` = row argmax.
//!
//! With `pred_probs` and default options the flags equal
//! `find_label_issues(labels, pred_probs, min_examples_per_class=10)`.
//!
//! # `fit`
//!
//! Finds the issues (or takes them as a table, mask or indices), drops the flagged
//! examples and fits the classifier on the rest. Without user sample weights, and when a
//! noise matrix is known (from `find_label_issues` on this instance), each kept example of
//! class k gets weight `1 / max(nm[k][k], 0.001)`; the weights are stored as the table's
//! `sample_weight` column (0 for dropped examples).
//!
//! # Differences from cleanlab
//!
//! * `verbose` printing, `validation_func` and arbitrary `clf_kwargs` are not supported;
//!   cross-validation sample weights ([`FindIssuesArgs::cv_sample_weight`]) are an addition
//!   (cleanlab passes full-length weights to every fold, which fails).
//! * Given inputs are never modified (cleanlab edits a given confident joint or noise matrix
//!   in place for PU learning).
//! * Thresholds of the wrong length and label-issue indices out of range are errors
//!   (cleanlab broadcasts, or raises `IndexError`; negative indices cannot occur).
//! * After `fit` with a mask or indices, [`CleanLearning::get_label_issues`] is `None`
//!   (cleanlab keeps a table with only `is_label_issue`); the mask is
//!   [`CleanLearning::label_issues_mask`].
//! * `seed = None` draws a fresh seed for the folds; cleanlab then uses numpy's global
//!   generator (and `seed = Some(s)` also reseeds that global generator in cleanlab, which
//!   has no counterpart here).
//! * The classes the final model knows are `0..K` (K from `pred_probs` or the largest label);
//!   classes absent after dropping issues get probability 0 (scikit-learn would return fewer
//!   columns).

use std::fmt;

use cl_core::CoreError;
use cl_core::count::{
    EstimateOptions, estimate_latent, estimate_py_and_noise_matrices_from_probabilities,
};
use cl_core::input::{Labels, PredProbs, validate_usize};
use cl_core::latent::{PyMethod, compute_noise_matrix_from_inverse, compute_py_inv_noise_matrix};
use cl_core::traits::{FittedClassifier, ProbabilisticClassifier};
use cl_core::util::remove_noise_from_class;
use cl_filter::batched::{BatchedIssues, BatchedOptions, find_label_issues_batched};
use cl_filter::{FilterBy, FilterOptions};
use cl_rank::LabelQualityOptions;
use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::cv::{
    argmax_rows, check_thresholds, confident_joint_of, cross_validate, num_classes_all_present,
};
use crate::error::{LearnError, LearnWarning, Result};
use crate::models::LogisticRegression;

/// Batch size of cleanlab's `find_label_issues_batched` (used with `low_memory`).
const LOW_MEMORY_BATCH_SIZE: usize = 10_000;
/// Floor of `nm[k][k]` in the per-class sample weights of `fit`.
const MIN_NOISE_MATRIX_DIAGONAL: f64 = 0.001;

/// The per-example table of [`CleanLearning::find_label_issues`] (cleanlab's
/// `label_issues_df`).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelIssues {
    /// Whether the example's label is likely wrong.
    pub is_label_issue: Vec<bool>,
    /// Label quality score (lower = more likely wrong), per the label quality options.
    pub label_quality: Vec<f64>,
    /// The given label.
    pub given_label: Vec<usize>,
    /// The model's predicted class (first argmax of `pred_probs`).
    pub predicted_label: Vec<usize>,
    /// The weight of each example in the final fit (0 for dropped examples); set by
    /// [`CleanLearning::fit`] when it weights classes by the noise matrix.
    pub sample_weight: Option<Vec<f64>>,
}

impl LabelIssues {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.is_label_issue.len()
    }

    /// Whether the table has no example.
    pub fn is_empty(&self) -> bool {
        self.is_label_issue.is_empty()
    }

    /// Number of flagged examples.
    pub fn num_issues(&self) -> usize {
        self.is_label_issue.iter().filter(|&&b| b).count()
    }

    /// Indices of the flagged examples, ascending.
    pub fn issue_indices(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.is_label_issue[i])
            .collect()
    }

    /// Indices of the flagged examples, lowest label quality first (ties by index).
    pub fn ranked_issues(&self) -> Vec<usize> {
        let mut idx = self.issue_indices();
        idx.sort_by(|&a, &b| {
            cl_core::numerics::cmp_nan_last(&self.label_quality[a], &self.label_quality[b])
        });
        idx
    }
}

/// Label issues given to [`CleanLearning::fit`] (cleanlab's `label_issues` argument).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GivenLabelIssues {
    /// A table from [`CleanLearning::find_label_issues`]; its `given_label` must equal the
    /// labels.
    Table(LabelIssues),
    /// One flag per example.
    Mask(Vec<bool>),
    /// Unique indices of the flagged examples.
    Indices(Vec<usize>),
}

/// Optional inputs of [`CleanLearning::find_label_issues`] (cleanlab's keyword arguments).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FindIssuesArgs<'a> {
    /// Out-of-sample predicted probabilities (N × K); cross-validated when absent.
    pub pred_probs: Option<ArrayView2<'a, f64>>,
    /// Per-class thresholds for the confident joint.
    pub thresholds: Option<Vec<f64>>,
    /// A known noise matrix `P(label = i | true = j)` (trace > 1).
    pub noise_matrix: Option<Array2<f64>>,
    /// A known inverse noise matrix `P(true = j | label = i)` (trace > 1).
    pub inverse_noise_matrix: Option<Array2<f64>>,
    /// Do not store the table in the instance.
    pub save_space: bool,
    /// Per-example weights for the cross-validation fits (indexed per fold).
    pub cv_sample_weight: Option<Vec<f64>>,
}

impl<'a> FindIssuesArgs<'a> {
    /// Sets `pred_probs`.
    #[must_use]
    pub fn pred_probs(mut self, pred_probs: ArrayView2<'a, f64>) -> Self {
        self.pred_probs = Some(pred_probs);
        self
    }
    /// Sets the thresholds.
    #[must_use]
    pub fn thresholds(mut self, thresholds: Vec<f64>) -> Self {
        self.thresholds = Some(thresholds);
        self
    }
    /// Sets the noise matrix.
    #[must_use]
    pub fn noise_matrix(mut self, nm: Array2<f64>) -> Self {
        self.noise_matrix = Some(nm);
        self
    }
    /// Sets the inverse noise matrix.
    #[must_use]
    pub fn inverse_noise_matrix(mut self, inv: Array2<f64>) -> Self {
        self.inverse_noise_matrix = Some(inv);
        self
    }
    /// Sets `save_space`.
    #[must_use]
    pub fn save_space(mut self, yes: bool) -> Self {
        self.save_space = yes;
        self
    }
    /// Sets the cross-validation sample weights.
    #[must_use]
    pub fn cv_sample_weight(mut self, w: Vec<f64>) -> Self {
        self.cv_sample_weight = Some(w);
        self
    }
}

/// Optional inputs of [`CleanLearning::fit`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FitArgs<'a> {
    /// How to find the label issues when they are not given.
    pub find: FindIssuesArgs<'a>,
    /// Label issues to use instead of finding them.
    pub label_issues: Option<GivenLabelIssues>,
    /// Weights of the final fit (one per example; the dropped ones are ignored).
    pub sample_weight: Option<Vec<f64>>,
}

impl<'a> FitArgs<'a> {
    /// Sets the arguments of the label-issue search.
    #[must_use]
    pub fn find(mut self, find: FindIssuesArgs<'a>) -> Self {
        self.find = find;
        self
    }
    /// Sets `pred_probs` (shortcut for the search arguments).
    #[must_use]
    pub fn pred_probs(mut self, pred_probs: ArrayView2<'a, f64>) -> Self {
        self.find.pred_probs = Some(pred_probs);
        self
    }
    /// Gives the label issues.
    #[must_use]
    pub fn label_issues(mut self, issues: GivenLabelIssues) -> Self {
        self.label_issues = Some(issues);
        self
    }
    /// Sets the final fit's sample weights.
    #[must_use]
    pub fn sample_weight(mut self, w: Vec<f64>) -> Self {
        self.sample_weight = Some(w);
        self
    }
}

/// Builder of [`CleanLearning`] (cleanlab's constructor arguments); defaults are cleanlab's.
///
/// ```
/// use cl_filter::FilterBy;
/// use cl_learn::{CleanLearning, models::GaussianNB};
///
/// let cl = CleanLearning::builder(GaussianNB::default())
///     .seed(Some(0))
///     .cv_n_folds(3)
///     .filter_by(FilterBy::Both)
///     .build();
/// assert_eq!(cl.cv_n_folds(), 3);
/// assert_eq!(cl.filter_options().min_examples_per_class, 10);
/// ```
#[derive(Debug, Clone)]
pub struct CleanLearningBuilder<C> {
    clf: C,
    seed: Option<u32>,
    cv_n_folds: usize,
    converge_latent_estimates: bool,
    pulearning: Option<usize>,
    filter_options: FilterOptions,
    label_quality_options: LabelQualityOptions,
    low_memory: bool,
}

impl<C: ProbabilisticClassifier> CleanLearningBuilder<C> {
    /// Seed of the cross-validation folds (default `None`).
    #[must_use]
    pub fn seed(mut self, seed: Option<u32>) -> Self {
        self.seed = seed;
        self
    }
    /// Number of cross-validation folds (default 5).
    #[must_use]
    pub fn cv_n_folds(mut self, n: usize) -> Self {
        self.cv_n_folds = n;
        self
    }
    /// Run the latent convergence iterations (default `false`).
    #[must_use]
    pub fn converge_latent_estimates(mut self, yes: bool) -> Self {
        self.converge_latent_estimates = yes;
        self
    }
    /// PU learning: the class (0 or 1) that has no label noise (default `None`; used only
    /// with two classes).
    #[must_use]
    pub fn pulearning(mut self, class: Option<usize>) -> Self {
        self.pulearning = class;
        self
    }
    /// Replaces the whole `find_label_issues` options (cleanlab's
    /// `find_label_issues_kwargs`). Note that `FilterOptions::default()` has
    /// `min_examples_per_class = 1`; start from [`CleanLearning::default_filter_options`] to
    /// keep cleanlab's 10.
    #[must_use]
    pub fn filter_options(mut self, options: FilterOptions) -> Self {
        self.filter_options = options;
        self
    }
    /// Sets `filter_by`.
    #[must_use]
    pub fn filter_by(mut self, filter_by: FilterBy) -> Self {
        self.filter_options.filter_by = filter_by;
        self
    }
    /// Sets `frac_noise`.
    #[must_use]
    pub fn frac_noise(mut self, frac_noise: f64) -> Self {
        self.filter_options.frac_noise = frac_noise;
        self
    }
    /// Sets `num_to_remove_per_class`.
    #[must_use]
    pub fn num_to_remove_per_class(mut self, counts: Vec<usize>) -> Self {
        self.filter_options.num_to_remove_per_class = Some(counts);
        self
    }
    /// Sets `min_examples_per_class` (default 10 here).
    #[must_use]
    pub fn min_examples_per_class(mut self, n: usize) -> Self {
        self.filter_options.min_examples_per_class = n;
        self
    }
    /// Supplies a confident joint (used for the latent estimates and the filter).
    #[must_use]
    pub fn confident_joint(mut self, cj: Array2<i64>) -> Self {
        self.filter_options.confident_joint = Some(cj);
        self
    }
    /// Label quality score options (cleanlab's `label_quality_scores_kwargs`).
    #[must_use]
    pub fn label_quality_options(mut self, options: LabelQualityOptions) -> Self {
        self.label_quality_options = options;
        self
    }
    /// Use the batched (low-memory) issue search (default `false`).
    #[must_use]
    pub fn low_memory(mut self, yes: bool) -> Self {
        self.low_memory = yes;
        self
    }
    /// Builds the (unfitted) instance.
    pub fn build(self) -> CleanLearning<C> {
        CleanLearning {
            clf: self.clf,
            seed: self.seed,
            cv_n_folds: self.cv_n_folds,
            converge_latent_estimates: self.converge_latent_estimates,
            pulearning: self.pulearning,
            filter_options: self.filter_options,
            label_quality_options: self.label_quality_options,
            low_memory: self.low_memory,
            state: State::default(),
            fitted: None,
        }
    }
}

/// What `find_label_issues` and `fit` computed.
#[derive(Debug, Clone, Default)]
struct State {
    num_classes: Option<usize>,
    label_issues: Option<LabelIssues>,
    label_issues_mask: Option<Vec<bool>>,
    sample_weight: Option<Vec<f64>>,
    noise_matrix: Option<Array2<f64>>,
    inverse_noise_matrix: Option<Array2<f64>>,
    py: Option<Array1<f64>>,
    confident_joint: Option<Array2<i64>>,
    warnings: Vec<LearnWarning>,
}

/// Find label issues with any classifier and train it on the cleaned data (cleanlab's
/// `CleanLearning`).
///
/// ```
/// use cl_learn::{CleanLearning, FindIssuesArgs, FitArgs};
/// use cl_learn::models::LogisticRegression;
/// use ndarray::Array2;
///
/// // Two well separated classes; example 3 carries the wrong label.
/// let mut labels: Vec<usize> = (0..40).map(|i| usize::from(i >= 20)).collect();
/// let x = Array2::from_shape_fn((40, 2), |(i, j)| {
///     let centre = if labels[i] == 1 { 3.0 } else { -3.0 };
///     centre + ((i * 13 + j * 7) % 10) as f64 / 10.0
/// });
/// labels[3] = 1;
/// let mut cl = CleanLearning::builder(LogisticRegression::default()).seed(Some(0)).build();
/// let issues = cl.find_label_issues(Some(x.view()), &labels, &FindIssuesArgs::default())?;
/// assert_eq!(issues.issue_indices(), vec![3]);
/// cl.fit(x.view(), &labels, &FitArgs::default())?;
/// assert_eq!(cl.predict(x.view())?[3], 0);
/// assert!(cl.score(x.view(), &labels, None)? > 0.95);
/// # Ok::<(), cl_learn::LearnError>(())
/// ```
pub struct CleanLearning<C: ProbabilisticClassifier = LogisticRegression> {
    clf: C,
    seed: Option<u32>,
    cv_n_folds: usize,
    converge_latent_estimates: bool,
    pulearning: Option<usize>,
    filter_options: FilterOptions,
    label_quality_options: LabelQualityOptions,
    low_memory: bool,
    state: State,
    fitted: Option<C::Fitted>,
}

impl<C: ProbabilisticClassifier + fmt::Debug> fmt::Debug for CleanLearning<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CleanLearning")
            .field("clf", &self.clf)
            .field("seed", &self.seed)
            .field("cv_n_folds", &self.cv_n_folds)
            .field("converge_latent_estimates", &self.converge_latent_estimates)
            .field("pulearning", &self.pulearning)
            .field("filter_options", &self.filter_options)
            .field("label_quality_options", &self.label_quality_options)
            .field("low_memory", &self.low_memory)
            .field("state", &self.state)
            .field("fitted", &self.fitted.is_some())
            .finish()
    }
}

impl Default for CleanLearning<LogisticRegression> {
    /// cleanlab's `CleanLearning()`: logistic regression, default options.
    fn default() -> Self {
        CleanLearning::new(LogisticRegression::default())
    }
}

impl<C: ProbabilisticClassifier> CleanLearning<C> {
    /// A builder around `clf` with cleanlab's defaults.
    pub fn builder(clf: C) -> CleanLearningBuilder<C> {
        CleanLearningBuilder {
            clf,
            seed: None,
            cv_n_folds: 5,
            converge_latent_estimates: false,
            pulearning: None,
            filter_options: Self::default_filter_options(),
            label_quality_options: LabelQualityOptions::default(),
            low_memory: false,
        }
    }

    /// `clf` with cleanlab's defaults.
    pub fn new(clf: C) -> Self {
        Self::builder(clf).build()
    }

    /// cleanlab's default `find_label_issues` options for `CleanLearning`:
    /// `FilterOptions::default()` with `min_examples_per_class = 10`.
    pub fn default_filter_options() -> FilterOptions {
        FilterOptions::default().min_examples_per_class(10)
    }

    /// The classifier.
    pub fn clf(&self) -> &C {
        &self.clf
    }
    /// The seed of the folds.
    pub fn seed(&self) -> Option<u32> {
        self.seed
    }
    /// The number of cross-validation folds.
    pub fn cv_n_folds(&self) -> usize {
        self.cv_n_folds
    }
    /// The `find_label_issues` options.
    pub fn filter_options(&self) -> &FilterOptions {
        &self.filter_options
    }
    /// The label quality options.
    pub fn label_quality_options(&self) -> &LabelQualityOptions {
        &self.label_quality_options
    }

    /// The last table of label issues (`None` before any search, after `save_space`, or
    /// after `fit` with issues given as a mask or indices).
    pub fn get_label_issues(&self) -> Option<&LabelIssues> {
        self.state.label_issues.as_ref()
    }
    /// The flags used by the last `fit`.
    pub fn label_issues_mask(&self) -> Option<&[bool]> {
        self.state.label_issues_mask.as_deref()
    }
    /// The weights of the last `fit` derived from the noise matrix (0 for dropped examples).
    pub fn sample_weight(&self) -> Option<&[f64]> {
        self.state.sample_weight.as_deref()
    }
    /// The noise matrix `P(label = i | true = j)` (estimated or given).
    pub fn noise_matrix(&self) -> Option<&Array2<f64>> {
        self.state.noise_matrix.as_ref()
    }
    /// The inverse noise matrix `P(true = j | label = i)`.
    pub fn inverse_noise_matrix(&self) -> Option<&Array2<f64>> {
        self.state.inverse_noise_matrix.as_ref()
    }
    /// The estimated prior of the true labels (`None` when only matrices were given).
    pub fn py(&self) -> Option<&Array1<f64>> {
        self.state.py.as_ref()
    }
    /// The confident joint used by the filter.
    pub fn confident_joint(&self) -> Option<&Array2<i64>> {
        self.state.confident_joint.as_ref()
    }
    /// The number of classes of the last call.
    pub fn num_classes(&self) -> Option<usize> {
        self.state.num_classes
    }
    /// Warnings of the last `find_label_issues` / `fit`.
    pub fn warnings(&self) -> &[LearnWarning] {
        &self.state.warnings
    }
    /// The final fitted model.
    pub fn fitted_model(&self) -> Option<&C::Fitted> {
        self.fitted.as_ref()
    }

    /// Clears the stored table and estimates (cleanlab's `save_space`), keeping the fitted
    /// model.
    pub fn save_space(&mut self) {
        self.state = State::default();
    }

    /// Finds label issues from features by cross-validation, or from `args.pred_probs`
    /// (then `x` may be `None` and is not used). See the module docs for the algorithm.
    pub fn find_label_issues(
        &mut self,
        x: Option<ArrayView2<'_, f64>>,
        labels: &[usize],
        args: &FindIssuesArgs<'_>,
    ) -> Result<LabelIssues> {
        self.state.warnings.clear();
        let k = self.check_find_inputs(x.as_ref(), labels, args)?;
        let labels_k = Labels::from_usize(labels, k)?;
        self.state.num_classes = Some(k);

        // Every path needs out-of-sample probabilities: cross-validate first if not given.
        let cv_probs: Array2<f64>;
        let p: ArrayView2<'_, f64> = if let Some(p) = args.pred_probs {
            p
        } else {
            {
                let Some(x) = x else {
                    return Err(CoreError::InvalidParameter {
                        name: "X",
                        reason: "features are needed when pred_probs is not given".into(),
                    }
                    .into());
                };
                let cv = cross_validate(
                    x,
                    labels,
                    k,
                    &self.clf,
                    self.cv_n_folds,
                    self.seed,
                    args.cv_sample_weight.as_deref(),
                )?;
                self.state.warnings.extend(cv.warnings);
                cv_probs = cv.pred_probs;
                cv_probs.view()
            }
        };
        let probs = PredProbs::new(p)?;

        let is_label_issue = if self.low_memory {
            self.low_memory_flags(labels, p, args)?
        } else {
            self.estimate_and_filter(&labels_k, &probs, args)?
        };
        let label_quality =
            cl_rank::get_label_quality_scores(&labels_k, &probs, &self.label_quality_options)?;
        let table = LabelIssues {
            is_label_issue,
            label_quality,
            given_label: labels.to_vec(),
            predicted_label: argmax_rows(p),
            sample_weight: None,
        };
        if !args.save_space {
            self.state.label_issues = Some(table.clone());
        }
        Ok(table)
    }

    /// Validates the inputs of `find_label_issues`; returns K.
    fn check_find_inputs(
        &self,
        x: Option<&ArrayView2<'_, f64>>,
        labels: &[usize],
        args: &FindIssuesArgs<'_>,
    ) -> Result<usize> {
        let n = labels.len();
        if n == 0 {
            return Err(CoreError::Empty { what: "labels" }.into());
        }
        let k = if let Some(p) = &args.pred_probs {
            let (l, _) = validate_usize(labels, *p)?;
            l.require_classes(2)?;
            p.ncols()
        } else {
            let Some(x) = x else {
                return Err(CoreError::InvalidParameter {
                    name: "X",
                    reason: "features are needed when pred_probs is not given".into(),
                }
                .into());
            };
            if x.nrows() != n {
                return Err(CoreError::Shape {
                    what: "X and labels",
                    expected: format!("{n} rows (one per label)"),
                    found: format!("{} rows", x.nrows()),
                }
                .into());
            }
            let k = num_classes_all_present(labels)?;
            if k < 2 {
                return Err(CoreError::TooFewClasses {
                    found: k,
                    required: 2,
                }
                .into());
            }
            k
        };
        check_matrix(args.noise_matrix.as_ref(), k, false)?;
        check_matrix(args.inverse_noise_matrix.as_ref(), k, true)?;
        if let Some(t) = &args.thresholds {
            check_thresholds(t, k)?;
        }
        if args.pred_probs.is_none() && (n as f64) / (k as f64) < self.cv_n_folds as f64 {
            return Err(LearnError::NeedMoreData {
                num_examples: n,
                num_classes: k,
                cv_n_folds: self.cv_n_folds,
            });
        }
        Ok(k)
    }

    /// The `low_memory` path: cleanlab's batched search with its defaults.
    fn low_memory_flags(
        &mut self,
        labels: &[usize],
        p: ArrayView2<'_, f64>,
        args: &FindIssuesArgs<'_>,
    ) -> Result<Vec<bool>> {
        let n = labels.len();
        if args.thresholds.is_some()
            || args.noise_matrix.is_some()
            || args.inverse_noise_matrix.is_some()
            || self.filter_options != Self::default_filter_options()
        {
            self.state
                .warnings
                .push(LearnWarning::LowMemoryIgnoresOptions);
        }
        Ok(
            match find_label_issues_batched(
                labels,
                p,
                LOW_MEMORY_BATCH_SIZE,
                &BatchedOptions::default(),
                true,
            )? {
                BatchedIssues::Mask(m) => m,
                BatchedIssues::Indices(idx) => {
                    let mut m = vec![false; n];
                    for i in idx {
                        m[i] = true;
                    }
                    m
                }
                _ => vec![false; n],
            },
        )
    }

    /// Finds label issues from `pred_probs` with default arguments (shortcut for
    /// [`find_label_issues`](Self::find_label_issues) without features).
    pub fn find_label_issues_from_pred_probs(
        &mut self,
        labels: &[usize],
        pred_probs: ArrayView2<'_, f64>,
    ) -> Result<LabelIssues> {
        self.find_label_issues(
            None,
            labels,
            &FindIssuesArgs::default().pred_probs(pred_probs),
        )
    }

    /// Finds the label issues (unless given), drops them and fits the classifier on the
    /// remaining examples (cleanlab's `fit`). See the module docs for the sample weights.
    pub fn fit(
        &mut self,
        x: ArrayView2<'_, f64>,
        labels: &[usize],
        args: &FitArgs<'_>,
    ) -> Result<()> {
        let n = labels.len();
        if n == 0 {
            return Err(CoreError::Empty { what: "labels" }.into());
        }
        if x.nrows() != n {
            return Err(CoreError::Shape {
                what: "X and labels",
                expected: format!("{n} rows (one per label)"),
                found: format!("{} rows", x.nrows()),
            }
            .into());
        }
        if let Some(w) = &args.sample_weight
            && w.len() != n
        {
            return Err(CoreError::Shape {
                what: "sample_weight",
                expected: format!("{n} weights (one per example)"),
                found: format!("{} weights", w.len()),
            }
            .into());
        }
        let mask = self.resolve_label_issues(x, labels, args)?;
        let k = match (
            &args.label_issues,
            &args.find.pred_probs,
            self.state.num_classes,
        ) {
            (None, _, Some(k)) => k,
            (_, Some(p), _) => p.ncols(),
            _ => labels.iter().copied().max().unwrap_or(0) + 1,
        };
        let keep: Vec<usize> = (0..n).filter(|&i| !mask[i]).collect();
        let x_clean = x.select(Axis(0), &keep);
        let y_clean: Vec<usize> = keep.iter().map(|&i| labels[i]).collect();
        let weights: Option<Vec<f64>> =
            match (&args.sample_weight, &self.state.noise_matrix) {
                (Some(w), _) => {
                    self.state.sample_weight = None;
                    Some(keep.iter().map(|&i| w[i]).collect())
                }
                (None, Some(nm)) => {
                    let per_class: Vec<f64> = (0..nm.nrows())
                        .map(|c| 1.0 / nm[[c, c]].max(MIN_NOISE_MATRIX_DIAGONAL))
                        .collect();
                    let mut column = vec![0.0; n];
                    let mut kept = Vec::with_capacity(keep.len());
                    for &i in &keep {
                        let w = per_class.get(labels[i]).copied().ok_or(
                            CoreError::LabelOutOfRange {
                                row: i,
                                label: i64::try_from(labels[i]).unwrap_or(i64::MAX),
                                num_classes: nm.nrows(),
                            },
                        )?;
                        column[i] = w;
                        kept.push(w);
                    }
                    if let Some(t) = self.state.label_issues.as_mut() {
                        t.sample_weight = Some(column.clone());
                    }
                    self.state.sample_weight = Some(column);
                    Some(kept)
                }
                (None, None) => {
                    self.state.sample_weight = None;
                    None
                }
            };
        self.state.label_issues_mask = Some(mask);
        self.state.num_classes = Some(k);
        let fitted = self
            .clf
            .fit(x_clean.view(), &y_clean, k, weights.as_deref())
            .map_err(LearnError::classifier(None))?;
        self.fitted = Some(fitted);
        Ok(())
    }

    /// The flags `fit` drops: found now, or given (checked and stored as cleanlab does).
    fn resolve_label_issues(
        &mut self,
        x: ArrayView2<'_, f64>,
        labels: &[usize],
        args: &FitArgs<'_>,
    ) -> Result<Vec<bool>> {
        let n = labels.len();
        Ok(match &args.label_issues {
            None => {
                self.find_label_issues(Some(x), labels, &args.find)?
                    .is_label_issue
            }
            Some(GivenLabelIssues::Table(t)) => {
                if t.len() != n {
                    return Err(LearnError::LabelIssuesLength {
                        expected: n,
                        found: t.len(),
                        mask: false,
                    });
                }
                if let Some(row) = (0..n).find(|&i| t.given_label.get(i) != Some(&labels[i])) {
                    return Err(LearnError::GivenLabelMismatch { row });
                }
                self.state.label_issues = Some(t.clone());
                t.is_label_issue.clone()
            }
            Some(GivenLabelIssues::Mask(m)) => {
                if m.len() != n {
                    return Err(LearnError::LabelIssuesLength {
                        expected: n,
                        found: m.len(),
                        mask: true,
                    });
                }
                self.state.label_issues = None;
                m.clone()
            }
            Some(GivenLabelIssues::Indices(idx)) => {
                let mut m = vec![false; n];
                for &i in idx {
                    if i >= n {
                        return Err(LearnError::LabelIssueIndexOutOfRange {
                            index: i,
                            num_examples: n,
                        });
                    }
                    if m[i] {
                        return Err(LearnError::DuplicateLabelIssueIndex { index: i });
                    }
                    m[i] = true;
                }
                self.state.label_issues = None;
                m
            }
        })
    }

    fn fitted(&self) -> Result<&C::Fitted> {
        self.fitted.as_ref().ok_or(LearnError::NotFitted)
    }

    /// Predicted probabilities of the final model (N × K).
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.fitted()?
            .predict_proba(x)
            .map_err(LearnError::classifier(None))
    }

    /// Predicted classes of the final model.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>> {
        self.fitted()?
            .predict(x)
            .map_err(LearnError::classifier(None))
    }

    /// Accuracy of [`predict`](Self::predict) against `labels`, optionally weighted
    /// (scikit-learn's `accuracy_score`, which cleanlab's `score` falls back to).
    pub fn score(
        &self,
        x: ArrayView2<'_, f64>,
        labels: &[usize],
        sample_weight: Option<&[f64]>,
    ) -> Result<f64> {
        let pred = self.predict(x)?;
        if pred.len() != labels.len() || labels.is_empty() {
            return Err(CoreError::Shape {
                what: "X and labels",
                expected: format!("{} labels (one per row of X)", pred.len()),
                found: format!("{} labels", labels.len()),
            }
            .into());
        }
        let w = |i: usize| sample_weight.map_or(1.0, |w| w.get(i).copied().unwrap_or(0.0));
        if let Some(w) = sample_weight
            && w.len() != labels.len()
        {
            return Err(CoreError::Shape {
                what: "sample_weight",
                expected: format!("{} weights", labels.len()),
                found: format!("{} weights", w.len()),
            }
            .into());
        }
        let (mut hit, mut total) = (0.0, 0.0);
        for (i, (&p, &y)) in pred.iter().zip(labels).enumerate() {
            total += w(i);
            if p == y {
                hit += w(i);
            }
        }
        Ok(hit / total)
    }

    /// Steps 3–5 of the module docs: noise estimates, PU learning, the filter.
    fn estimate_and_filter(
        &mut self,
        labels: &Labels<'_>,
        probs: &PredProbs<'_, f64>,
        args: &FindIssuesArgs<'_>,
    ) -> Result<Vec<bool>> {
        let k = probs.num_classes();
        let n = labels.len() as f64;
        let ps: Array1<f64> = labels
            .class_counts()
            .iter()
            .map(|&c| c as f64 / n)
            .collect();
        let user_cj = self.filter_options.confident_joint.clone();
        let mut py: Option<Array1<f64>> = None;
        let mut cj: Option<Array2<i64>> = user_cj.clone();
        let mut given_nm = args.noise_matrix.clone();
        if let Some(ucj) = &user_cj {
            // cleanlab: a given confident joint replaces any given noise matrix.
            let est = estimate_latent(ucj.view(), labels, PyMethod::Cnt, false)?;
            py = Some(est.py);
            given_nm = Some(est.noise_matrix);
        }
        let (mut nm, mut inv) = match (given_nm, &args.inverse_noise_matrix) {
            (None, None) => {
                let mut opts = EstimateOptions::default()
                    .converge_latent_estimates(self.converge_latent_estimates);
                if let Some(t) = &args.thresholds {
                    opts = opts.thresholds(t.clone());
                }
                let est = estimate_py_and_noise_matrices_from_probabilities(labels, probs, &opts)?;
                py = Some(est.py);
                cj = Some(est.confident_joint);
                (est.noise_matrix, est.inverse_noise_matrix)
            }
            (Some(nm), None) => {
                let (py_, inv) = compute_py_inv_noise_matrix(ps.view(), nm.view())?;
                py = Some(py_);
                (nm, inv)
            }
            (None, Some(inv)) => {
                let nm = compute_noise_matrix_from_inverse(ps.view(), inv.view(), None)?;
                (nm, inv.clone())
            }
            (Some(nm), Some(inv)) => (nm, inv.clone()),
        };
        let mut cj = match cj {
            Some(cj) => cj,
            None => confident_joint_of(labels, probs, args.thresholds.clone(), true)?,
        };
        if k == 2
            && let Some(pu) = self.pulearning
        {
            if pu > 1 {
                return Err(LearnError::InvalidPulearning(pu));
            }
            nm = remove_noise_from_class(nm.view(), pu)?;
            inv = remove_noise_from_class(inv.view(), 1 - pu)?;
            cj[[pu, 1 - pu]] = 0;
            cj[[1 - pu, 1 - pu]] = 1;
        }
        let mut opts = self.filter_options.clone();
        opts.confident_joint = Some(cj.clone());
        let mask = cl_filter::find_label_issues(labels, probs, &opts)?;
        self.state.noise_matrix = Some(nm);
        self.state.inverse_noise_matrix = Some(inv);
        self.state.py = py;
        self.state.confident_joint = Some(cj);
        Ok(mask)
    }
}

/// A given (inverse) noise matrix must be K × K with trace > 1.
fn check_matrix(m: Option<&Array2<f64>>, k: usize, inverse: bool) -> Result<()> {
    let Some(m) = m else { return Ok(()) };
    let what = if inverse {
        "inverse_noise_matrix"
    } else {
        "noise_matrix"
    };
    if m.dim() != (k, k) {
        return Err(CoreError::Shape {
            what,
            expected: format!("{k}×{k}"),
            found: format!("{}×{}", m.nrows(), m.ncols()),
        }
        .into());
    }
    let trace = m.diag().sum();
    if trace.is_nan() || trace <= 1.0 {
        return Err(LearnError::NoiseMatrixTrace { inverse, trace });
    }
    Ok(())
}
