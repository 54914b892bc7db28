//! Built-in classifiers that need no other library, implementing
//! [`ProbabilisticClassifier`](cl_core::traits::ProbabilisticClassifier):
//!
//! * [`LogisticRegression`]: multinomial (binomial for two classes) logistic regression with
//!   an L2 penalty, scikit-learn 1.9's default objective and its L-BFGS stopping rules, so
//!   probabilities agree with `sklearn.linear_model.LogisticRegression()` to ~1e-6.
//! * [`GaussianNB`]: Gaussian naive Bayes as `sklearn.naive_bayes.GaussianNB()`
//!   (probabilities agree to ~1e-12 relative).
//!
//! Both learn only the classes present in the training labels (as scikit-learn's
//! `classes_`), and give probability 0 to the other classes of `0..num_classes`.

mod lbfgs;
mod logistic;
mod naive_bayes;

pub use logistic::{FittedLogisticRegression, LogisticRegression};
pub use naive_bayes::{FittedGaussianNB, GaussianNB};

use cl_core::CoreError;
use ndarray::{Array2, ArrayView2};

/// Checks the arguments of a `fit`: shapes, finite features, labels in `0..num_classes`,
/// finite non-negative weights. Returns the present classes, ascending.
pub(crate) fn check_fit_inputs(
    x: &ArrayView2<'_, f64>,
    y: &[usize],
    num_classes: usize,
    sample_weight: Option<&[f64]>,
) -> Result<Vec<usize>, CoreError> {
    let n = y.len();
    if n == 0 {
        return Err(CoreError::Empty { what: "y" });
    }
    if x.nrows() != n {
        return Err(CoreError::Shape {
            what: "x and y",
            expected: format!("{n} rows (one per label)"),
            found: format!("{} rows", x.nrows()),
        });
    }
    check_finite(x)?;
    let mut present = vec![false; num_classes];
    for (row, &c) in y.iter().enumerate() {
        if c >= num_classes {
            return Err(CoreError::LabelOutOfRange {
                row,
                label: i64::try_from(c).unwrap_or(i64::MAX),
                num_classes,
            });
        }
        present[c] = true;
    }
    if let Some(w) = sample_weight {
        if w.len() != n {
            return Err(CoreError::Shape {
                what: "sample_weight",
                expected: format!("{n} weights (one per example)"),
                found: format!("{} weights", w.len()),
            });
        }
        if let Some((row, &v)) = w
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite() || **v < 0.0)
        {
            return Err(if v.is_finite() {
                CoreError::OutOfRange {
                    what: "sample_weight",
                    row,
                    col: 0,
                    value: v,
                    low: 0.0,
                    high: f64::INFINITY,
                }
            } else {
                CoreError::NonFinite {
                    what: "sample_weight",
                    row,
                    col: 0,
                    value: v,
                }
            });
        }
    }
    Ok((0..num_classes).filter(|&k| present[k]).collect())
}

/// Rejects NaN or infinite features.
pub(crate) fn check_finite(x: &ArrayView2<'_, f64>) -> Result<(), CoreError> {
    if let Some(((row, col), &value)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(CoreError::NonFinite {
            what: "x",
            row,
            col,
            value,
        });
    }
    Ok(())
}

/// Checks the feature count of a `predict_proba` input.
pub(crate) fn check_predict_input(
    x: &ArrayView2<'_, f64>,
    num_features: usize,
) -> Result<(), CoreError> {
    if x.ncols() != num_features {
        return Err(CoreError::Shape {
            what: "x",
            expected: format!("{num_features} features (as in fit)"),
            found: format!("{} features", x.ncols()),
        });
    }
    check_finite(x)
}

/// Spreads per-present-class probabilities (N × P) into N × K columns, zeros elsewhere.
pub(crate) fn spread_columns(p: Array2<f64>, classes: &[usize], num_classes: usize) -> Array2<f64> {
    if classes.len() == num_classes {
        return p;
    }
    let mut out = Array2::<f64>::zeros((p.nrows(), num_classes));
    for (j, &c) in classes.iter().enumerate() {
        out.column_mut(c).assign(&p.column(j));
    }
    out
}
