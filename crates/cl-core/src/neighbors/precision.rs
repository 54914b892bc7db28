//! cleanlab's precision correction of kNN-based scores (`internal/outlier.py`,
//! `correct_precision_errors`): examples whose average neighbour distance is below the
//! metric's floating-point tolerance are exact duplicates in disguise and get score 1.

use crate::error::{CoreError, Result};

/// cleanlab's default multiplier `C` of the machine epsilon.
pub const PRECISION_C: f64 = 100.0;

/// The tolerance below which an average kNN distance counts as zero, by metric name:
/// `"cosine"` → `C·epsneg(f64)` (`C·2⁻⁵³`), `"euclidean"` → `sqrt(C·eps(f64))`,
/// `"minkowski"` → `(C·eps(f64))^(1/p)` (an error without `p`, as in cleanlab); any other
/// name → `None` (no correction). The scipy Euclidean callable reports the name
/// `"euclidean"` ([`Metric::name`](super::Metric::name)).
pub fn precision_tolerance(metric: &str, c: f64, p: Option<f64>) -> Result<Option<f64>> {
    Ok(match metric {
        "cosine" => Some(c * f64::EPSILON / 2.0),
        "euclidean" => Some((c * f64::EPSILON).sqrt()),
        "minkowski" => {
            let p = p.ok_or_else(|| CoreError::InvalidParameter {
                name: "p",
                reason: "When metric is 'minkowski' you must specify the 'p' parameter".into(),
            })?;
            Some((c * f64::EPSILON).powf(1.0 / p))
        }
        _ => None,
    })
}

/// Sets `scores[i] = 1` wherever `avg_distances[i] < tolerance` (strictly), with the
/// tolerance of [`precision_tolerance`] for `C = 100`. Errors on a length mismatch or on
/// `"minkowski"` without `p`.
pub fn correct_precision_errors(
    scores: &mut [f64],
    avg_distances: &[f64],
    metric: &str,
    p: Option<f64>,
) -> Result<()> {
    if scores.len() != avg_distances.len() {
        return Err(CoreError::Shape {
            what: "scores and avg_distances",
            expected: format!("{} values", scores.len()),
            found: format!("{} values", avg_distances.len()),
        });
    }
    if let Some(tol) = precision_tolerance(metric, PRECISION_C, p)? {
        for (s, &a) in scores.iter_mut().zip(avg_distances) {
            if a < tol {
                *s = 1.0;
            }
        }
    }
    Ok(())
}
