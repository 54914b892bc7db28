//! Per-example label quality scores and orderings.

use cl_core::constants::CLIPPING_LOWER_BOUND;
use cl_core::{CoreError, Labels, PredProbs, Real};
use ndarray::ArrayView1;
use rayon::prelude::*;

use crate::{RankError, Result};

/// How a label quality score is computed from `pred_probs` (cleanlab's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ScoreMethod {
    /// `p[i, y_i]`, the probability of the given label (cleanlab's default).
    #[default]
    SelfConfidence,
    /// `(p[i, y_i] - max_{k != y_i} p[i, k] + 1) / 2`.
    NormalizedMargin,
    /// `ln(s + 1) / max(s, 1e-6)` with `s = H_norm(p_i) / max(p[i, y_i], 1e-6)`, where
    /// `H_norm` is the entropy divided by `ln K`. As in cleanlab, a one-hot prediction
    /// scores 0 whether or not it agrees with the label.
    ConfidenceWeightedEntropy,
}

impl ScoreMethod {
    /// cleanlab's name of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreMethod::SelfConfidence => "self_confidence",
            ScoreMethod::NormalizedMargin => "normalized_margin",
            ScoreMethod::ConfidenceWeightedEntropy => "confidence_weighted_entropy",
        }
    }
}

impl std::str::FromStr for ScoreMethod {
    type Err = RankError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "self_confidence" => Ok(ScoreMethod::SelfConfidence),
            "normalized_margin" => Ok(ScoreMethod::NormalizedMargin),
            "confidence_weighted_entropy" => Ok(ScoreMethod::ConfidenceWeightedEntropy),
            other => Err(CoreError::InvalidParameter {
                name: "method",
                reason: format!(
                    "{other:?} is not one of self_confidence, normalized_margin, confidence_weighted_entropy"
                ),
            }
            .into()),
        }
    }
}

/// Options of [`get_label_quality_scores`]; `Default` is cleanlab's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LabelQualityOptions {
    /// The scoring method (default self-confidence).
    pub method: ScoreMethod,
    /// Subtract each class's confident threshold from `pred_probs` and renormalise before
    /// scoring (default false). Not allowed with confidence-weighted entropy.
    pub adjust_pred_probs: bool,
}

impl LabelQualityOptions {
    /// Options with the given method and no adjustment.
    pub fn new(method: ScoreMethod) -> Self {
        Self {
            method,
            adjust_pred_probs: false,
        }
    }

    /// Sets `adjust_pred_probs`.
    #[must_use]
    pub fn adjust_pred_probs(mut self, adjust: bool) -> Self {
        self.adjust_pred_probs = adjust;
        self
    }
}

/// Score of one row given its label; `row` already adjusted if requested.
fn score_row(method: ScoreMethod, row: &[f64], label: usize) -> f64 {
    match method {
        ScoreMethod::SelfConfidence => row[label],
        ScoreMethod::NormalizedMargin => {
            let other = row
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != label)
                .map(|(_, &v)| v)
                .fold(f64::NEG_INFINITY, f64::max);
            // Same operation order as cleanlab (not `f64::midpoint`, which may round differently).
            #[allow(clippy::manual_midpoint)]
            let margin = (row[label] - other + 1.0) / 2.0;
            margin
        }
        ScoreMethod::ConfidenceWeightedEntropy => {
            let k = row.len() as f64;
            let mut h = 0.0;
            for &v in row {
                h += cl_core::numerics::xlogy(v, v);
            }
            let entropy = -h / k.ln();
            let s = entropy / row[label].max(CLIPPING_LOWER_BOUND);
            (s + 1.0).ln() / s.max(CLIPPING_LOWER_BOUND)
        }
    }
}

/// Checks the method's requirements on `pred_probs` and the options.
fn check_method<T: Real>(probs: &PredProbs<'_, T>, opts: &LabelQualityOptions) -> Result<()> {
    match opts.method {
        ScoreMethod::SelfConfidence => {}
        ScoreMethod::NormalizedMargin => probs.require_num_classes(2)?,
        ScoreMethod::ConfidenceWeightedEntropy => {
            if opts.adjust_pred_probs {
                return Err(RankError::IncompatibleOptions(
                    "adjust_pred_probs is not supported with confidence_weighted_entropy".into(),
                ));
            }
            probs.require_num_classes(2)?;
            // cleanlab requires entropy inputs strictly within [0, 1] (no tolerance).
            for (row, r) in probs.view().rows().into_iter().enumerate() {
                for (col, &v) in r.iter().enumerate() {
                    let v = v.to_f64x();
                    if !(0.0..=1.0).contains(&v) {
                        return Err(CoreError::OutOfRange {
                            what: "pred_probs (entropy needs values in [0, 1])",
                            row,
                            col,
                            value: v,
                            low: 0.0,
                            high: 1.0,
                        }
                        .into());
                    }
                }
            }
        }
    }
    Ok(())
}

/// The adjustment of one row: `(p - t + max(t)) / sum(p - t + max(t))`.
fn adjust_row(row: &mut [f64], thresholds: &[f64], max_t: f64) {
    let mut sum = 0.0;
    for (v, &t) in row.iter_mut().zip(thresholds) {
        *v = *v - t + max_t;
        sum += *v;
    }
    for v in row.iter_mut() {
        *v /= sum;
    }
}

fn widen<T: Real>(row: ArrayView1<'_, T>, buf: &mut Vec<f64>) {
    buf.clear();
    buf.extend(row.iter().map(|v| v.to_f64x()));
}

/// Scores the given rows (all rows when `rows` is `None`), in parallel, in row order.
fn score_rows<T: Real>(
    labels: &Labels<'_>,
    probs: &PredProbs<'_, T>,
    opts: &LabelQualityOptions,
    rows: Option<&[usize]>,
) -> Result<Vec<f64>> {
    check_label_count(labels, probs)?;
    check_method(probs, opts)?;
    let thresholds = if opts.adjust_pred_probs {
        Some(cl_core::count::get_confident_thresholds(labels, probs)?)
    } else {
        None
    };
    let max_t = thresholds
        .as_ref()
        .map_or(0.0, |t| t.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let view = probs.view();
    let y = labels.as_slice();
    let method = opts.method;
    let one = |i: usize, buf: &mut Vec<f64>| {
        // Self-confidence needs one value of the row: skip widening the whole row.
        if thresholds.is_none() && method == ScoreMethod::SelfConfidence {
            return view[[i, y[i]]].to_f64x();
        }
        widen(view.row(i), buf);
        if let Some(t) = &thresholds {
            adjust_row(buf, t, max_t);
        }
        score_row(method, buf, y[i])
    };
    let out = match rows {
        None => (0..labels.len())
            .into_par_iter()
            .map_init(Vec::new, |buf, i| one(i, buf))
            .collect(),
        Some(rows) => rows
            .par_iter()
            .map_init(Vec::new, |buf, &i| one(i, buf))
            .collect(),
    };
    Ok(out)
}

fn check_label_count<T: Real>(labels: &Labels<'_>, probs: &PredProbs<'_, T>) -> Result<()> {
    Ok(cl_core::input::check_pair(labels, probs)?)
}

/// Label quality score of every example (cleanlab's `rank.get_label_quality_scores`).
///
/// Scores lie in `[0, 1]`; lower means the given label is more likely wrong. One class is
/// allowed, as in cleanlab (except for the methods that need two columns).
pub fn get_label_quality_scores<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    options: &LabelQualityOptions,
) -> Result<Vec<f64>> {
    score_rows(labels, pred_probs, options, None)
}

/// `p[i, y_i]` for every example (cleanlab's `get_self_confidence_for_each_label`).
pub fn self_confidence<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
) -> Result<Vec<f64>> {
    get_label_quality_scores(labels, pred_probs, &LabelQualityOptions::default())
}

/// Normalized margin of every example (cleanlab's `get_normalized_margin_for_each_label`).
pub fn normalized_margin<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
) -> Result<Vec<f64>> {
    get_label_quality_scores(
        labels,
        pred_probs,
        &LabelQualityOptions::new(ScoreMethod::NormalizedMargin),
    )
}

/// Confidence-weighted entropy of every example (cleanlab's
/// `get_confidence_weighted_entropy_for_each_label`).
pub fn confidence_weighted_entropy<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
) -> Result<Vec<f64>> {
    get_label_quality_scores(
        labels,
        pred_probs,
        &LabelQualityOptions::new(ScoreMethod::ConfidenceWeightedEntropy),
    )
}

/// `pred_probs` with each class's confident threshold subtracted, shifted by the largest
/// threshold and renormalised per row (cleanlab's `_subtract_confident_thresholds`),
/// as a new N×K `f64` matrix. Thresholds are computed from the labels unless given.
pub fn subtract_confident_thresholds<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    thresholds: Option<&[f64]>,
) -> Result<ndarray::Array2<f64>> {
    check_label_count(labels, pred_probs)?;
    let owned;
    let t = if let Some(t) = thresholds {
        if t.len() != pred_probs.num_classes() {
            return Err(CoreError::Shape {
                what: "confident_thresholds",
                expected: format!("{} values", pred_probs.num_classes()),
                found: format!("{} values", t.len()),
            }
            .into());
        }
        t
    } else {
        owned = cl_core::count::get_confident_thresholds(labels, pred_probs)?;
        &owned[..]
    };
    subtract_thresholds(pred_probs, t)
}

/// [`subtract_confident_thresholds`] with given per-class thresholds and no labels (what
/// cleanlab does when `confident_thresholds` are passed in, e.g. by a fitted
/// `OutOfDistribution`): `(p − t + max(t))` divided by its row sum, as a new N×K `f64`
/// matrix. Errors when the number of thresholds differs from the number of classes.
pub fn subtract_thresholds<T: Real>(
    pred_probs: &PredProbs<'_, T>,
    thresholds: &[f64],
) -> Result<ndarray::Array2<f64>> {
    if thresholds.len() != pred_probs.num_classes() {
        return Err(CoreError::Shape {
            what: "confident_thresholds",
            expected: format!("{} values", pred_probs.num_classes()),
            found: format!("{} values", thresholds.len()),
        }
        .into());
    }
    let max_t = thresholds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut out = pred_probs.view().mapv(Real::to_f64x);
    for mut row in out.rows_mut() {
        if let Some(slice) = row.as_slice_mut() {
            adjust_row(slice, thresholds, max_t);
        }
    }
    Ok(out)
}

/// Indices of `scores` from lowest to highest, the first `top` of them (all when `top` is
/// `None` or larger than N). Ties keep ascending index order.
pub fn find_top_issues(scores: &[f64], top: Option<usize>) -> Vec<usize> {
    let mut order = cl_core::numerics::argsort(scores);
    if let Some(top) = top {
        order.truncate(top);
    }
    order
}

/// The flagged examples of `label_issues_mask`, ordered by increasing label quality score
/// (most likely error first), as cleanlab's `rank.order_label_issues`.
///
/// Scores (and, with `adjust_pred_probs`, the confident thresholds) are computed over the
/// whole dataset, then only the flagged rows are ordered. Ties keep ascending index order.
pub fn order_label_issues<T: Real>(
    label_issues_mask: &[bool],
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    rank_by: &LabelQualityOptions,
) -> Result<Vec<usize>> {
    if label_issues_mask.len() != labels.len() {
        return Err(RankError::MaskLength {
            expected: labels.len(),
            found: label_issues_mask.len(),
        });
    }
    let flagged: Vec<usize> = label_issues_mask
        .iter()
        .enumerate()
        .filter_map(|(i, &m)| m.then_some(i))
        .collect();
    let scores = score_rows(labels, pred_probs, rank_by, Some(&flagged))?;
    Ok(cl_core::numerics::argsort(&scores)
        .into_iter()
        .map(|j| flagged[j])
        .collect())
}
