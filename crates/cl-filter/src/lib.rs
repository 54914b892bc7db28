//! # cl-filter
//!
//! Find the examples whose given label is likely wrong, as cleanlab 2.9.0's
//! `cleanlab.filter.find_label_issues`: confident learning over `pred_probs` (out-of-sample
//! predicted probabilities) and the given labels.
//!
//! ```
//! use cl_core::input::validate;
//! use cl_filter::{FilterBy, FilterOptions, find_label_issues, find_label_issues_ranked};
//! use cl_rank::LabelQualityOptions;
//! use ndarray::array;
//!
//! // Spec appendix A.1: ten examples, three classes; example 2 is mislabeled.
//! let mut rows = vec![[0.9, 0.1, 0.0], [0.6, 0.2, 0.2], [0.1, 0.0, 0.9]];
//! rows.extend([[0.1, 0.8, 0.1]; 6]);
//! rows.push([0.1, 0.1, 0.8]);
//! let p = ndarray::Array2::from(rows);
//! let (labels, probs) = validate(&[0_i64, 0, 1, 1, 1, 1, 1, 1, 1, 2], p.view())?;
//!
//! let mask = find_label_issues(&labels, &probs, &FilterOptions::default())?;
//! assert_eq!(mask.iter().filter(|&&m| m).count(), 1);
//! assert!(mask[2]);
//!
//! let opts = FilterOptions::default().filter_by(FilterBy::Both);
//! let ranked = find_label_issues_ranked(&labels, &probs, &opts, &LabelQualityOptions::default())?;
//! assert_eq!(ranked, vec![2]);
//! # Ok::<(), cl_filter::FilterError>(())
//! ```
//!
//! # Performance
//!
//! The pruning filters (the default among them) read `pred_probs` twice in memory: one
//! value per row for the thresholds (which also checks the labels), then one parallel pass
//! that counts the confident joint and keeps a small summary of the rows the model
//! disagrees with, from which the selection is exact (module docs of `compact` and
//! ARCHITECTURE.md). [`find_label_issues_view`] also folds the validation of every value
//! into that pass, and uses 64-bit integer labels in place: prefer it to `validate` +
//! [`find_label_issues`] when the data are not validated yet. Data larger than memory:
//! [`find_label_issues_out_of_core`].
//!
//! # Differences from cleanlab
//!
//! * Ties: cleanlab selects and orders by numpy's quicksort, whose tie order depends on the
//!   CPU. Here selection and ordering are stable: among equal keys, lower indices come first.
//! * `num_to_remove_per_class` for a class whose estimated noise is zero: cleanlab divides
//!   by zero and carries NaN on; here that class's row of the prune-count matrix gets no
//!   off-diagonal counts (the flagged sets agreed with cleanlab's on every fixture).
//! * Calibration rounding ties (see `cl_core::util::round_preserving_sum`) are broken
//!   stably; the fixtures are generated with numpy's argsort forced stable.
//! * Warnings that cleanlab prints (ignored `frac_noise`, classes too small to prune) are
//!   not printed; the options they concern have no effect, as in cleanlab.
//! * `n_jobs`: work runs on rayon's current pool; results never depend on its size.

pub mod batched;
mod compact;
pub mod dataset;
pub mod out_of_core;
mod prune;
mod select;

pub use batched::{LabelInspector, NumIssuesMethod, find_label_issues_batched};
pub use out_of_core::{ChunkSource, InMemorySource, find_label_issues_out_of_core};
pub use prune::{keep_at_least_n_per_class, reduce_prune_counts};

use cl_core::count::GivenLabelProbs;
use cl_core::{CoreError, Labels, PredProbs, Real};
use cl_rank::{LabelQualityOptions, RankError, ScoreMethod};
use ndarray::Array2;
use rayon::prelude::*;

/// Errors of `cl-filter`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// Invalid input data (shape, range, labels).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An error from scoring (ranking of the flagged examples).
    #[error(transparent)]
    Rank(#[from] RankError),
    /// Options that cannot be combined.
    #[error("{0}")]
    IncompatibleOptions(String),
}

/// Result alias of `cl-filter`.
pub type Result<T, E = FilterError> = std::result::Result<T, E>;

/// Which examples `find_label_issues` flags (cleanlab's `filter_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FilterBy {
    /// For each pair (given k, true j), flag the `n(k→j)` class-k examples with the
    /// largest margin `p[j] - p[k]` (cleanlab's default).
    #[default]
    PruneByNoiseRate,
    /// For each class k, flag the examples with the lowest `p[k]`, as many as the estimated
    /// number of mislabeled class-k examples.
    PruneByClass,
    /// Flagged by both `PruneByNoiseRate` and `PruneByClass`.
    Both,
    /// The off-diagonal examples of the confident joint.
    ConfidentLearning,
    /// `argmax(p) != given label`.
    PredictedNeqGiven,
    /// The `num_label_issues` examples with the lowest normalized margin.
    LowNormalizedMargin,
    /// The `num_label_issues` examples with the lowest self-confidence.
    LowSelfConfidence,
}

impl FilterBy {
    /// All methods, in cleanlab's documentation order.
    pub const ALL: [FilterBy; 7] = [
        FilterBy::PruneByNoiseRate,
        FilterBy::PruneByClass,
        FilterBy::Both,
        FilterBy::ConfidentLearning,
        FilterBy::PredictedNeqGiven,
        FilterBy::LowNormalizedMargin,
        FilterBy::LowSelfConfidence,
    ];

    /// cleanlab's name of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterBy::PruneByNoiseRate => "prune_by_noise_rate",
            FilterBy::PruneByClass => "prune_by_class",
            FilterBy::Both => "both",
            FilterBy::ConfidentLearning => "confident_learning",
            FilterBy::PredictedNeqGiven => "predicted_neq_given",
            FilterBy::LowNormalizedMargin => "low_normalized_margin",
            FilterBy::LowSelfConfidence => "low_self_confidence",
        }
    }

    fn is_pruning(self) -> bool {
        matches!(
            self,
            FilterBy::PruneByNoiseRate | FilterBy::PruneByClass | FilterBy::Both
        )
    }
}

impl std::str::FromStr for FilterBy {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Self> {
        FilterBy::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                CoreError::InvalidParameter {
                    name: "filter_by",
                    reason: format!("{s:?} is not a known filter"),
                }
                .into()
            })
    }
}

/// Options of [`find_label_issues`]; `Default` is cleanlab's default.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FilterOptions {
    /// The filter (default `PruneByNoiseRate`).
    pub filter_by: FilterBy,
    /// Fraction of the estimated label issues to flag, in (0, 1] (default 1). Used by the
    /// three pruning filters only.
    pub frac_noise: f64,
    /// Exact number of issues to flag per class (pruning filters only; default none).
    pub num_to_remove_per_class: Option<Vec<usize>>,
    /// Classes with at most this many examples are never pruned (default 1).
    pub min_examples_per_class: usize,
    /// A confident joint (K×K, rows = given labels) to use instead of estimating one;
    /// ignored by `ConfidentLearning`, which always estimates it.
    pub confident_joint: Option<Array2<i64>>,
}

impl Default for FilterOptions {
    fn default() -> Self {
        Self {
            filter_by: FilterBy::default(),
            frac_noise: 1.0,
            num_to_remove_per_class: None,
            min_examples_per_class: 1,
            confident_joint: None,
        }
    }
}

impl FilterOptions {
    /// Sets the filter.
    #[must_use]
    pub fn filter_by(mut self, filter_by: FilterBy) -> Self {
        self.filter_by = filter_by;
        self
    }
    /// Sets `frac_noise`.
    #[must_use]
    pub fn frac_noise(mut self, frac_noise: f64) -> Self {
        self.frac_noise = frac_noise;
        self
    }
    /// Sets `num_to_remove_per_class` (one count per class).
    #[must_use]
    pub fn num_to_remove_per_class(mut self, counts: Vec<usize>) -> Self {
        self.num_to_remove_per_class = Some(counts);
        self
    }
    /// Sets `min_examples_per_class`.
    #[must_use]
    pub fn min_examples_per_class(mut self, n: usize) -> Self {
        self.min_examples_per_class = n;
        self
    }
    /// Supplies a confident joint.
    #[must_use]
    pub fn confident_joint(mut self, cj: Array2<i64>) -> Self {
        self.confident_joint = Some(cj);
        self
    }

    fn check(&self, k: usize) -> Result<()> {
        if !(self.frac_noise > 0.0 && self.frac_noise <= 1.0) {
            return Err(CoreError::InvalidParameter {
                name: "frac_noise",
                reason: format!("{} is not in (0, 1]", self.frac_noise),
            }
            .into());
        }
        if let Some(r) = &self.num_to_remove_per_class {
            if !self.filter_by.is_pruning() {
                return Err(FilterError::IncompatibleOptions(format!(
                    "num_to_remove_per_class works only with prune_by_noise_rate, prune_by_class or both, not {}",
                    self.filter_by.as_str()
                )));
            }
            if r.len() != k {
                return Err(CoreError::Shape {
                    what: "num_to_remove_per_class",
                    expected: format!("{k} values (one per class)"),
                    found: format!("{} values", r.len()),
                }
                .into());
            }
        }
        if let Some(cj) = &self.confident_joint
            && cj.dim() != (k, k)
        {
            return Err(CoreError::Shape {
                what: "confident_joint",
                expected: format!("{k}×{k}"),
                found: format!("{}×{}", cj.nrows(), cj.ncols()),
            }
            .into());
        }
        Ok(())
    }
}

/// Checks labels and pred_probs agree, and that there are two classes unless the only
/// class is 0 (cleanlab's rule for `find_label_issues`).
fn check_inputs<T: Real>(labels: &Labels<'_>, probs: &PredProbs<'_, T>) -> Result<()> {
    cl_core::input::check_pair(labels, probs)?;
    let only_zero = labels.class_counts().first() == Some(&labels.len());
    if !only_zero {
        labels.require_classes(2)?;
    }
    Ok(())
}

/// Predicted class (first argmax) of each row.
fn argmax_rows<T: Real>(probs: &PredProbs<'_, T>) -> Vec<usize> {
    let v = probs.view();
    (0..probs.num_rows())
        .into_par_iter()
        .map(|i| cl_core::numerics::argmax(v.row(i).iter().copied()).unwrap_or(0))
        .collect()
}

/// Boolean mask of likely label issues (cleanlab's `filter.find_label_issues` without
/// `return_indices_ranked_by`).
pub fn find_label_issues<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    options: &FilterOptions,
) -> Result<Vec<bool>> {
    check_inputs(labels, pred_probs)?;
    let k = pred_probs.num_classes();
    options.check(k)?;
    let n = labels.len();
    let filter_by = options.filter_by;

    if matches!(
        filter_by,
        FilterBy::LowSelfConfidence | FilterBy::LowNormalizedMargin
    ) {
        let method = if filter_by == FilterBy::LowSelfConfidence {
            ScoreMethod::SelfConfidence
        } else {
            ScoreMethod::NormalizedMargin
        };
        let scores = cl_rank::get_label_quality_scores(
            labels,
            pred_probs,
            &LabelQualityOptions::new(method),
        )?;
        let num = cl_core::count::num_label_issues(
            labels,
            pred_probs,
            &cl_core::count::EstimationMethod::OffDiagonal,
        )?;
        let mut mask = vec![false; n];
        for i in cl_rank::find_top_issues(&scores, Some(num)) {
            mask[i] = true;
        }
        return Ok(mask);
    }

    let mut mask = match filter_by {
        FilterBy::PredictedNeqGiven => argmax_rows(pred_probs)
            .into_iter()
            .zip(labels.as_slice())
            .map(|(p, &y)| p != y)
            .collect(),
        FilterBy::ConfidentLearning => {
            let (_, off_diagonal) = estimated_confident_joint(labels, pred_probs, true)?;
            let mut mask = vec![false; n];
            for i in off_diagonal {
                mask[i] = true;
            }
            mask
        }
        // The selection drops the rows the model agrees with itself.
        _ => {
            let given = GivenLabelProbs::new(labels, pred_probs.view())?;
            return prune_in_memory(
                labels,
                &given,
                pred_probs.view(),
                options,
                compact::Keep::Large,
            );
        }
    };
    let view = pred_probs.view();
    let y = labels.as_slice();
    mask.par_iter_mut().enumerate().for_each(|(i, m)| {
        if *m && cl_core::count::agrees_with_label(view.row(i), y[i]) {
            *m = false;
        }
    });
    Ok(mask)
}

/// [`find_label_issues`] on unvalidated input: validates `labels` and `pred_probs` as
/// [`cl_core::input::validate`] does (the same errors, in the same order) and runs the
/// filter. For the pruning filters (the default among them) the validation of every value
/// is fused into the counting pass, so `pred_probs` is read once less than with
/// `validate` followed by [`find_label_issues`]; the result is identical.
///
/// ```
/// use cl_filter::{FilterOptions, find_label_issues_view};
/// use ndarray::array;
///
/// let p = array![[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.2, 0.8], [0.1, 0.9], [0.9, 0.1]];
/// let mask = find_label_issues_view(&[0_i64, 0, 0, 1, 1, 1], p.view(), &FilterOptions::default())?;
/// assert_eq!(mask, vec![false, false, false, false, false, true]);
///
/// let bad = array![[0.9, 0.1], [f64::NAN, 0.2]];
/// assert!(find_label_issues_view(&[0_i64, 1], bad.view(), &FilterOptions::default()).is_err());
/// # Ok::<(), cl_filter::FilterError>(())
/// ```
pub fn find_label_issues_view<T: Real, L: cl_core::input::LabelValue>(
    labels: &[L],
    pred_probs: ndarray::ArrayView2<'_, T>,
    options: &FilterOptions,
) -> Result<Vec<bool>> {
    let (n, k) = pred_probs.dim();
    // Shape or label errors: `validate` names the first problem (values first).
    let validate_error = || -> FilterError {
        match cl_core::input::validate(labels, pred_probs) {
            Err(e) => e.into(),
            Ok(_) => CoreError::Empty { what: "labels" }.into(),
        }
    };
    if n == 0 || k == 0 || labels.len() != n {
        return Err(validate_error());
    }
    if !options.filter_by.is_pruning() {
        let checked = Labels::new(labels, k).map_err(|_| validate_error())?;
        let probs = PredProbs::new(pred_probs)?;
        return find_label_issues(&checked, &probs, options);
    }
    // The labels are checked and converted in the given-label pass.
    let (checked, given) =
        GivenLabelProbs::with_labels(labels, pred_probs).map_err(|_| validate_error())?;
    prune_in_memory(&checked, &given, pred_probs, options, compact::Keep::Large)
}

/// The pruning filters in memory: the given-label pass (`given`), the fused pass (which
/// also checks every value, so unvalidated views get `validate`'s error) and the selection
/// on its summary (`compact`).
fn prune_in_memory<T: Real>(
    labels: &Labels<'_>,
    given: &GivenLabelProbs,
    view: ndarray::ArrayView2<'_, T>,
    options: &FilterOptions,
    keep: compact::Keep,
) -> Result<Vec<bool>> {
    let y = labels.as_slice();
    let thresholds = if options.confident_joint.is_some() {
        None
    } else {
        let t = given.thresholds();
        if t.iter().any(|v| !v.is_finite()) {
            // Only unvalidated input gets here: name its first bad value.
            PredProbs::new(view)?;
        }
        Some(t)
    };
    let mut summary = compact::summarize(y, view, thresholds.as_deref(), keep)?;
    // Checked after the values, so that errors come in `validate`'s order.
    let only_zero = labels.class_counts().first() == Some(&labels.len());
    if !only_zero {
        labels.require_classes(2)?;
    }
    options.check(view.ncols())?;
    let cj = match (&options.confident_joint, summary.joint.take()) {
        (Some(cj), _) => cj.clone(),
        (None, Some(joint)) => joint.finish(true)?.joint,
        (None, None) => {
            return Err(CoreError::Empty {
                what: "confident joint",
            }
            .into());
        }
    };
    let mut counts =
        keep_at_least_n_per_class(cj.t(), options.min_examples_per_class, options.frac_noise);
    if let Some(r) = &options.num_to_remove_per_class {
        counts = prune::counts_from_targets(counts.view(), r, labels.class_counts())?;
    }
    let plan = select::Plan::new(
        counts.view(),
        labels.class_counts(),
        options.filter_by,
        options.min_examples_per_class,
    );
    let mut mask = vec![false; labels.len()];
    for i in compact::select(labels, view, given, &summary, &plan) {
        mask[i] = true;
    }
    Ok(mask)
}

/// The calibrated confident joint and (if `track`) the off-diagonal example indices.
fn estimated_confident_joint<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    track: bool,
) -> Result<(Array2<i64>, Vec<usize>)> {
    let opts =
        cl_core::count::ConfidentJointOptions::default().return_indices_of_off_diagonals(track);
    let cj = cl_core::count::compute_confident_joint(labels, pred_probs, &opts)?;
    Ok((cj.joint, cj.off_diagonal_indices.unwrap_or_default()))
}

/// Likely label issues, ranked from most to least likely an error by `rank_by` (cleanlab's
/// `find_label_issues` with `return_indices_ranked_by`).
pub fn find_label_issues_ranked<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    options: &FilterOptions,
    rank_by: &LabelQualityOptions,
) -> Result<Vec<usize>> {
    let mask = find_label_issues(labels, pred_probs, options)?;
    Ok(cl_rank::order_label_issues(
        &mask, labels, pred_probs, rank_by,
    )?)
}

/// `argmax(pred_probs[i]) != labels[i]` (cleanlab's `find_predicted_neq_given`).
pub fn find_predicted_neq_given<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
) -> Result<Vec<bool>> {
    check_inputs(labels, pred_probs)?;
    Ok(argmax_rows(pred_probs)
        .into_iter()
        .zip(labels.as_slice())
        .map(|(p, &y)| p != y)
        .collect())
}

/// Label issues from the confusion matrix of (given label, argmax prediction) used as the
/// confident joint, optionally calibrated (cleanlab's
/// `find_label_issues_using_argmax_confusion_matrix`). The matrix is always K×K.
pub fn find_label_issues_using_argmax_confusion_matrix<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    calibrate: bool,
    filter_by: FilterBy,
) -> Result<Vec<bool>> {
    check_inputs(labels, pred_probs)?;
    let k = pred_probs.num_classes();
    let mut cj = Array2::<i64>::zeros((k, k));
    for (&y, p) in labels.as_slice().iter().zip(argmax_rows(pred_probs)) {
        cj[[y, p]] += 1;
    }
    if calibrate {
        cj = cl_core::count::calibrate_confident_joint(cj.view(), labels)?;
    }
    let opts = FilterOptions::default()
        .filter_by(filter_by)
        .confident_joint(cj);
    find_label_issues(labels, pred_probs, &opts)
}
