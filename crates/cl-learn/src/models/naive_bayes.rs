//! Gaussian naive Bayes (scikit-learn's `GaussianNB()`).

use cl_core::CoreError;
use cl_core::numerics::pairwise_sum;
use cl_core::traits::{FittedClassifier, ProbabilisticClassifier};
use ndarray::{Array1, Array2, ArrayView2};

use super::{check_fit_inputs, check_predict_input, spread_columns};

/// Gaussian naive Bayes as scikit-learn 1.9's `GaussianNB(var_smoothing=1e-9)`, with the
/// same operation order, so probabilities agree to ~1e-12 relative.
///
/// Per present class `c`: the (weighted) mean `θ_c` and (weighted, population) variance
/// `σ²_c` of each feature, plus `ε = var_smoothing · max_j Var(x_j)` (the variance of each
/// feature over **all** training rows, unweighted, as scikit-learn does); the prior
/// `π_c = n_c / Σ n` with `n_c` the class's (weighted) count. The joint log-likelihood of a
/// row is `ln π_c − ½ Σ_j ln(2π σ²_cj) − ½ Σ_j (x_j − θ_cj)² / σ²_cj` and probabilities are
/// its softmax over the classes. A class whose weights sum to ~0 keeps zero mean and
/// variance `ε` and prior 0 (as scikit-learn).
///
/// ```
/// use cl_core::traits::{FittedClassifier, ProbabilisticClassifier};
/// use cl_learn::models::GaussianNB;
/// use ndarray::array;
///
/// let x = array![[-2.0, 0.1], [-1.5, -0.2], [1.0, 0.3], [1.8, 0.0], [2.2, -0.1]];
/// let model = GaussianNB::default().fit(x.view(), &[0, 0, 1, 1, 1], 2, None)?;
/// assert_eq!(model.class_prior(), &[0.4, 0.6]);
/// assert_eq!(model.predict(array![[-1.8, 0.0], [1.9, 0.1]].view())?, vec![0, 1]);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianNB {
    var_smoothing: f64,
}

impl Default for GaussianNB {
    /// scikit-learn's default `var_smoothing = 1e-9`.
    fn default() -> Self {
        Self {
            var_smoothing: 1e-9,
        }
    }
}

impl GaussianNB {
    /// Sets `var_smoothing` (>= 0; default 1e-9).
    #[must_use]
    pub fn var_smoothing(mut self, v: f64) -> Self {
        self.var_smoothing = v;
        self
    }
}

/// numpy's `isclose(v, 0)`: `|v| <= 1e-8`.
fn is_close_to_zero(v: f64) -> bool {
    v.abs() <= 1e-8
}

impl ProbabilisticClassifier for GaussianNB {
    type Fitted = FittedGaussianNB;

    fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        num_classes: usize,
        sample_weight: Option<&[f64]>,
    ) -> Result<FittedGaussianNB, CoreError> {
        if !(self.var_smoothing >= 0.0 && self.var_smoothing.is_finite()) {
            return Err(CoreError::InvalidParameter {
                name: "var_smoothing",
                reason: format!("{} is not a non-negative finite number", self.var_smoothing),
            });
        }
        let classes = check_fit_inputs(&x, y, num_classes, sample_weight)?;
        let d = x.ncols();
        let all: Vec<usize> = (0..x.nrows()).collect();
        let (_, overall_var) = column_mean_var(&x, &all, None);
        let epsilon = self.var_smoothing * overall_var.iter().copied().fold(f64::NAN, f64::max);
        let epsilon = if epsilon.is_nan() { 0.0 } else { epsilon };
        let p = classes.len();
        let mut theta = Array2::<f64>::zeros((p, d));
        let mut var = Array2::<f64>::zeros((p, d));
        let mut class_count = Array1::<f64>::zeros(p);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); num_classes];
        for (i, &c) in y.iter().enumerate() {
            members[c].push(i);
        }
        for (j, &c) in classes.iter().enumerate() {
            let rows = &members[c];
            let (count, weights) = match sample_weight {
                Some(w) => {
                    let wc: Vec<f64> = rows.iter().map(|&i| w[i]).collect();
                    let total = pairwise_sum(&wc);
                    if is_close_to_zero(total) {
                        continue;
                    }
                    (total, Some(wc))
                }
                None => (rows.len() as f64, None),
            };
            let (mu, v) = column_mean_var(&x, rows, weights.as_deref());
            theta.row_mut(j).assign(&mu);
            var.row_mut(j).assign(&v);
            class_count[j] = count;
        }
        var += epsilon;
        let total = class_count.sum();
        let class_prior = class_count.mapv(|c| c / total);
        Ok(FittedGaussianNB {
            classes,
            num_classes,
            theta,
            var,
            class_prior,
            epsilon,
        })
    }
}

/// Per-column mean and population variance of the rows `rows` of `x` (weighted if
/// `weights` is given, one weight per listed row), accumulated row by row as numpy's
/// axis-0 reductions do.
fn column_mean_var(
    x: &ArrayView2<'_, f64>,
    rows: &[usize],
    weights: Option<&[f64]>,
) -> (Array1<f64>, Array1<f64>) {
    let d = x.ncols();
    let mut sum = Array1::<f64>::zeros(d);
    let mut scale = 0.0;
    for (r, &i) in rows.iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[r]);
        for (s, &v) in sum.iter_mut().zip(x.row(i)) {
            *s += match weights {
                Some(_) => v * w,
                None => v,
            };
        }
        scale += w;
    }
    let mean = sum.mapv(|s| s / scale);
    let mut ss = Array1::<f64>::zeros(d);
    for (r, &i) in rows.iter().enumerate() {
        for ((s, &v), &m) in ss.iter_mut().zip(x.row(i)).zip(mean.iter()) {
            let dev = v - m;
            *s += match weights {
                Some(w) => dev * dev * w[r],
                None => dev * dev,
            };
        }
    }
    let variance = ss.mapv(|s| s / scale);
    (mean, variance)
}

/// A fitted [`GaussianNB`].
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGaussianNB {
    classes: Vec<usize>,
    num_classes: usize,
    theta: Array2<f64>,
    var: Array2<f64>,
    class_prior: Array1<f64>,
    epsilon: f64,
}

impl FittedGaussianNB {
    /// The classes seen in training, ascending (scikit-learn's `classes_`).
    pub fn classes(&self) -> &[usize] {
        &self.classes
    }

    /// Per-class feature means (`theta_`), one row per present class.
    pub fn theta(&self) -> &Array2<f64> {
        &self.theta
    }

    /// Per-class feature variances including `epsilon` (`var_`).
    pub fn var(&self) -> &Array2<f64> {
        &self.var
    }

    /// Class priors of the present classes (`class_prior_`).
    pub fn class_prior(&self) -> &[f64] {
        self.class_prior.as_slice().unwrap_or(&[])
    }

    /// The variance added for stability (`epsilon_`).
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// Joint log-likelihood `ln P(c) + ln P(x | c)` per row and present class.
    fn joint_log_likelihood(&self, x: &ArrayView2<'_, f64>) -> Array2<f64> {
        let p = self.classes.len();
        let mut jll = Array2::<f64>::zeros((x.nrows(), p));
        let mut terms = vec![0.0; x.ncols()];
        for c in 0..p {
            let var = self.var.row(c);
            let theta = self.theta.row(c);
            let logs: Vec<f64> = var
                .iter()
                .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                .collect();
            let n_c = -0.5 * pairwise_sum(&logs);
            let prior = self.class_prior[c].ln();
            for (i, row) in x.rows().into_iter().enumerate() {
                for (((t, &xv), &m), &v) in terms.iter_mut().zip(row).zip(theta).zip(var) {
                    let dev = xv - m;
                    *t = dev * dev / v;
                }
                jll[[i, c]] = prior + (n_c - 0.5 * pairwise_sum(&terms));
            }
        }
        jll
    }
}

impl FittedClassifier for FittedGaussianNB {
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, CoreError> {
        check_predict_input(&x, self.theta.ncols())?;
        let mut jll = self.joint_log_likelihood(&x);
        for mut row in jll.rows_mut() {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_norm = if max.is_finite() {
                let s: f64 = row.iter().map(|v| (v - max).exp()).sum();
                s.ln() + max
            } else {
                max
            };
            row.mapv_inplace(|v| (v - log_norm).exp());
        }
        Ok(spread_columns(jll, &self.classes, self.num_classes))
    }
}
