//! Label quality scores from an ensemble of models (cleanlab's
//! `rank.get_label_quality_ensemble_scores`).

use cl_core::constants::CLIPPING_LOWER_BOUND;
use cl_core::{CoreError, Labels, PredProbs, Real};

use crate::scores::{LabelQualityOptions, get_label_quality_scores};
use crate::{RankError, Result};

/// How the members' scores are combined.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum EnsembleWeighting {
    /// Plain mean of the members' scores.
    Uniform,
    /// Weights proportional to each member's accuracy (argmax = given label); cleanlab's
    /// default.
    #[default]
    Accuracy,
    /// For each temperature `T`, weights ∝ `exp(-T · log_loss_m)`; keeps the `T` whose
    /// weighted average of `pred_probs` has the lowest log loss (first wins on ties).
    LogLossSearch {
        /// Temperatures tried, in order (cleanlab: 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 200).
        temperatures: Vec<f64>,
    },
    /// User weights, one per member, applied as a weighted **sum** (not normalised, as in
    /// cleanlab).
    Custom(Vec<f64>),
}

impl EnsembleWeighting {
    /// cleanlab's default temperature grid of `log_loss_search`.
    pub fn log_loss_search() -> Self {
        EnsembleWeighting::LogLossSearch {
            temperatures: vec![1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 200.0],
        }
    }
}

/// Options of [`get_label_quality_ensemble_scores`]; `Default` is cleanlab's default.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct EnsembleOptions {
    /// Scoring method and adjustment used for every member.
    pub scores: LabelQualityOptions,
    /// How members are weighted (default: by accuracy).
    pub weighting: EnsembleWeighting,
}

impl EnsembleOptions {
    /// Options with the given member scoring and weighting.
    pub fn new(scores: LabelQualityOptions, weighting: EnsembleWeighting) -> Self {
        Self { scores, weighting }
    }
}

/// Mean of `-ln(clip(p[i, y_i], eps, 1 - eps))` (scikit-learn's `log_loss` without
/// renormalisation; eps = f64 machine epsilon).
fn log_loss(labels: &[usize], p: impl Fn(usize, usize) -> f64) -> f64 {
    let eps = f64::EPSILON;
    let n = labels.len() as f64;
    labels
        .iter()
        .enumerate()
        .map(|(i, &y)| -p(i, y).clamp(eps, 1.0 - eps).ln())
        .sum::<f64>()
        / n
}

/// Log loss of one member after clipping its probabilities below at 1e-6 and renormalising
/// each row.
fn member_log_loss<T: Real>(labels: &[usize], probs: &PredProbs<'_, T>) -> f64 {
    let v = probs.view();
    let row_sums: Vec<f64> = v
        .rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .map(|x| x.to_f64x().max(CLIPPING_LOWER_BOUND))
                .sum()
        })
        .collect();
    log_loss(labels, |i, k| {
        v[[i, k]].to_f64x().max(CLIPPING_LOWER_BOUND) / row_sums[i]
    })
}

/// Weights of the ensemble members (they sum to 1 except for custom weights).
fn member_weights<T: Real>(
    labels: &Labels<'_>,
    members: &[PredProbs<'_, T>],
    weighting: &EnsembleWeighting,
) -> Result<Vec<f64>> {
    let m = members.len();
    let y = labels.as_slice();
    match weighting {
        EnsembleWeighting::Uniform => Ok(vec![1.0 / m as f64; m]),
        EnsembleWeighting::Custom(w) => {
            if w.len() != m {
                return Err(CoreError::InvalidParameter {
                    name: "custom_weights",
                    reason: format!("{} weights for {m} ensemble members", w.len()),
                }
                .into());
            }
            Ok(w.clone())
        }
        EnsembleWeighting::Accuracy => {
            let acc: Vec<f64> = members
                .iter()
                .map(|p| {
                    let hits = p
                        .view()
                        .rows()
                        .into_iter()
                        .zip(y)
                        .filter(|(r, y)| cl_core::numerics::argmax(r.iter().copied()) == Some(**y))
                        .count();
                    hits as f64 / y.len() as f64
                })
                .collect();
            let total: f64 = acc.iter().sum();
            Ok(acc.iter().map(|a| a / total).collect())
        }
        EnsembleWeighting::LogLossSearch { temperatures } => {
            if temperatures.is_empty() {
                return Err(CoreError::InvalidParameter {
                    name: "log_loss_search_T_values",
                    reason: "no temperature given".into(),
                }
                .into());
            }
            let losses: Vec<f64> = members.iter().map(|p| member_log_loss(y, p)).collect();
            let mut best: Option<(f64, Vec<f64>)> = None;
            for &t in temperatures {
                let raw: Vec<f64> = losses.iter().map(|l| (-t * l).exp()).collect();
                let total: f64 = raw.iter().sum();
                let w: Vec<f64> = raw.iter().map(|r| r / total).collect();
                let loss = log_loss(y, |i, k| {
                    members
                        .iter()
                        .zip(&w)
                        .map(|(p, w)| w * p.view()[[i, k]].to_f64x())
                        .sum()
                });
                if best.as_ref().is_none_or(|(b, _)| loss < *b) {
                    best = Some((loss, w));
                }
            }
            Ok(best.map(|(_, w)| w).unwrap_or_default())
        }
    }
}

/// Label quality scores combining several models' `pred_probs` over the same examples.
///
/// Each member is scored with `options.scores`, then the scores are combined with
/// `options.weighting`. With a single member the result equals that member's scores under
/// uniform or accuracy weighting.
pub fn get_label_quality_ensemble_scores<T: Real>(
    labels: &Labels<'_>,
    pred_probs_list: &[PredProbs<'_, T>],
    options: &EnsembleOptions,
) -> Result<Vec<f64>> {
    let Some(first) = pred_probs_list.first() else {
        return Err(CoreError::Empty {
            what: "pred_probs_list",
        }
        .into());
    };
    for p in pred_probs_list {
        if p.view().dim() != first.view().dim() {
            return Err(RankError::Core(CoreError::Shape {
                what: "pred_probs_list",
                expected: format!("{:?} for every member", first.view().dim()),
                found: format!("{:?}", p.view().dim()),
            }));
        }
    }
    labels.require_classes(2)?;
    let weights = member_weights(labels, pred_probs_list, &options.weighting)?;
    let mut out = vec![0.0; labels.len()];
    for (p, w) in pred_probs_list.iter().zip(&weights) {
        let s = get_label_quality_scores(labels, p, &options.scores)?;
        for (o, s) in out.iter_mut().zip(s) {
            *o += w * s;
        }
    }
    Ok(out)
}
