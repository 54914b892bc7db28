//! Cross-validated predicted probabilities and the noise estimates built on them
//! (cleanlab's `cleanlab.count` helpers that take features and a classifier).
//!
//! | cleanlab | here | returns |
//! |---|---|---|
//! | `estimate_cv_predicted_probabilities` | [`estimate_cv_predicted_probabilities`] | [`CvPredictions`] |
//! | `estimate_confident_joint_and_cv_pred_proba` | [`estimate_confident_joint_and_cv_pred_proba`] | [`CvConfidentJoint`] |
//! | `estimate_py_noise_matrices_and_cv_pred_proba` | [`estimate_py_noise_matrices_and_cv_pred_proba`] | [`CvNoiseEstimates`] |
//! | `estimate_noise_matrices` | [`estimate_noise_matrices`] | [`NoiseMatrices`] |
//!
//! # Algorithm (cleanlab 2.9.0)
//!
//! K is the number of distinct labels, which must be exactly the classes `0..K`. Folds come
//! from [`StratifiedKFold`]`(cv_n_folds, shuffle, seed)`. For each fold (in parallel, each
//! fold fitting the same borrowed classifier, never a clone): the classifier is fitted on the
//! training rows in ascending index order (with their sample weights, if any) and
//! `predict_proba` fills the held-out rows. If a class is absent from a fold's training rows
//! (only possible for a class with a single example), the first held-out example of that
//! class is appended to the training rows, and the held-out rows of that class get a one-hot
//! prediction at their label; [`LearnWarning::DuplicatedRareClasses`] reports it. The
//! confident joint is then [`compute_confident_joint`] of the labels and the
//! cross-validated probabilities, and the latent estimates [`estimate_latent`].
//!
//! Results are identical for every rayon thread count if the classifier is deterministic.
//!
//! # Differences from cleanlab
//!
//! * `clf_kwargs` is limited to per-example sample weights ([`CvOptions::sample_weight`]),
//!   which are indexed per fold (cleanlab would pass the full-length vector to every fold's
//!   `fit`, which scikit-learn rejects). `validation_func` is not supported.
//! * Labels missing a class of `0..K` are rejected ([`LearnError::MissingClasses`]); cleanlab
//!   fails with an `IndexError`.
//! * Warnings are returned, not printed.
//!
//! ```
//! use cl_learn::cv::{CvOptions, estimate_cv_predicted_probabilities};
//! use cl_learn::models::GaussianNB;
//! use ndarray::Array2;
//!
//! let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
//! let x = Array2::from_shape_fn((30, 2), |(i, j)| (labels[i] as f64) * 2.0 + ((i * 7 + j) % 5) as f64 * 0.1);
//! let cv = estimate_cv_predicted_probabilities(x.view(), &labels, &GaussianNB::default(), &CvOptions::default().seed(Some(0)))?;
//! assert_eq!(cv.pred_probs.dim(), (30, 3));
//! assert!(cv.warnings.is_empty());
//! # Ok::<(), cl_learn::LearnError>(())
//! ```

use cl_core::count::{
    ConfidentJointOptions, NoiseEstimates, compute_confident_joint, estimate_latent,
};
use cl_core::input::{Labels, PredProbs};
use cl_core::latent::PyMethod;
use cl_core::traits::{FittedClassifier, ProbabilisticClassifier};
use cl_core::{CoreError, numerics};
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::error::{LearnError, LearnWarning, Result};
use crate::folds::StratifiedKFold;

/// Options of the cross-validation helpers; `Default` is cleanlab's defaults.
///
/// ```
/// use cl_learn::cv::CvOptions;
///
/// let opts = CvOptions::default().cv_n_folds(3).seed(Some(7)).calibrate(false);
/// assert_eq!((opts.cv_n_folds, opts.seed, opts.calibrate), (3, Some(7), false));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CvOptions {
    /// Number of cross-validation folds (default 5).
    pub cv_n_folds: usize,
    /// Seed of the fold shuffling (scikit-learn's `random_state`); `None` (default) draws a
    /// fresh seed, as numpy's unseeded global generator would.
    pub seed: Option<u32>,
    /// Per-class thresholds for the confident joint instead of computed ones (default `None`).
    pub thresholds: Option<Vec<f64>>,
    /// Calibrate the confident joint (default `true`).
    pub calibrate: bool,
    /// Run the latent convergence iterations; `None` (default) takes each function's cleanlab
    /// default: `false` for [`estimate_py_noise_matrices_and_cv_pred_proba`], `true` for
    /// [`estimate_noise_matrices`].
    pub converge_latent_estimates: Option<bool>,
    /// How `py` is estimated (default `Cnt`).
    pub py_method: PyMethod,
    /// Per-example weights passed to every fold's `fit` (cleanlab's `clf_kwargs`), indexed
    /// per fold. Default `None`.
    pub sample_weight: Option<Vec<f64>>,
}

impl Default for CvOptions {
    fn default() -> Self {
        Self {
            cv_n_folds: 5,
            seed: None,
            thresholds: None,
            calibrate: true,
            converge_latent_estimates: None,
            py_method: PyMethod::Cnt,
            sample_weight: None,
        }
    }
}

impl CvOptions {
    /// Sets the number of folds.
    #[must_use]
    pub fn cv_n_folds(mut self, n: usize) -> Self {
        self.cv_n_folds = n;
        self
    }
    /// Sets the seed.
    #[must_use]
    pub fn seed(mut self, seed: Option<u32>) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the thresholds.
    #[must_use]
    pub fn thresholds(mut self, thresholds: Vec<f64>) -> Self {
        self.thresholds = Some(thresholds);
        self
    }
    /// Sets whether to calibrate the confident joint.
    #[must_use]
    pub fn calibrate(mut self, yes: bool) -> Self {
        self.calibrate = yes;
        self
    }
    /// Sets whether to converge the latent estimates.
    #[must_use]
    pub fn converge_latent_estimates(mut self, yes: bool) -> Self {
        self.converge_latent_estimates = Some(yes);
        self
    }
    /// Sets the `py` method.
    #[must_use]
    pub fn py_method(mut self, method: PyMethod) -> Self {
        self.py_method = method;
        self
    }
    /// Sets per-example sample weights for the fold fits.
    #[must_use]
    pub fn sample_weight(mut self, weights: Vec<f64>) -> Self {
        self.sample_weight = Some(weights);
        self
    }
}

/// Out-of-sample predicted probabilities from cross-validation.
#[derive(Debug, Clone, PartialEq)]
pub struct CvPredictions {
    /// N × K held-out predicted probabilities (column k = class k).
    pub pred_probs: Array2<f64>,
    /// The test fold of every example.
    pub test_folds: Vec<usize>,
    /// Warnings scikit-learn and cleanlab would emit.
    pub warnings: Vec<LearnWarning>,
}

/// [`estimate_confident_joint_and_cv_pred_proba`]'s result.
#[derive(Debug, Clone, PartialEq)]
pub struct CvConfidentJoint {
    /// K × K confident joint (calibrated unless `calibrate` is false).
    pub confident_joint: Array2<i64>,
    /// The cross-validated probabilities.
    pub cv: CvPredictions,
}

/// [`estimate_py_noise_matrices_and_cv_pred_proba`]'s result.
#[derive(Debug, Clone, PartialEq)]
pub struct CvNoiseEstimates {
    /// `py`, the noise matrices and the confident joint they come from (cl-core's type).
    pub estimates: NoiseEstimates,
    /// The cross-validated probabilities.
    pub cv: CvPredictions,
}

/// [`estimate_noise_matrices`]'s result.
#[derive(Debug, Clone, PartialEq)]
pub struct NoiseMatrices {
    /// `P(label = i | true = j)` at `[i, j]`.
    pub noise_matrix: Array2<f64>,
    /// `P(true = j | label = i)` at `[j, i]`.
    pub inverse_noise_matrix: Array2<f64>,
    /// Warnings of the cross-validation.
    pub warnings: Vec<LearnWarning>,
}

/// Checks that the labels are exactly the classes `0..K`; returns K.
pub(crate) fn num_classes_all_present(labels: &[usize]) -> Result<usize> {
    if labels.is_empty() {
        return Err(CoreError::Empty { what: "labels" }.into());
    }
    let k = labels.iter().copied().max().unwrap_or(0) + 1;
    let mut present = vec![false; k];
    for &y in labels {
        present[y] = true;
    }
    let missing: Vec<usize> = (0..k).filter(|&c| !present[c]).collect();
    if !missing.is_empty() {
        return Err(LearnError::MissingClasses {
            num_classes: k,
            missing,
        });
    }
    Ok(k)
}

/// One fold's held-out rows, their probabilities, and the classes duplicated into training.
struct FoldResult {
    test: Vec<usize>,
    probs: Array2<f64>,
    duplicated: Vec<usize>,
}

/// The cross-validation loop shared by every helper.
pub(crate) fn cross_validate<C: ProbabilisticClassifier>(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    num_classes: usize,
    clf: &C,
    cv_n_folds: usize,
    seed: Option<u32>,
    sample_weight: Option<&[f64]>,
) -> Result<CvPredictions> {
    let n = labels.len();
    if x.nrows() != n {
        return Err(CoreError::Shape {
            what: "x and labels",
            expected: format!("{n} rows (one per label)"),
            found: format!("{} rows", x.nrows()),
        }
        .into());
    }
    if let Some(w) = sample_weight
        && w.len() != n
    {
        return Err(CoreError::Shape {
            what: "sample_weight",
            expected: format!("{n} weights (one per example)"),
            found: format!("{} weights", w.len()),
        }
        .into());
    }
    let folds = StratifiedKFold::new(cv_n_folds)?
        .seed(seed)
        .test_folds(labels)?;
    let results: Vec<FoldResult> = (0..cv_n_folds)
        .into_par_iter()
        .map(|fold| -> Result<FoldResult> {
            let (mut train, test) = folds.split(fold);
            let mut in_train = vec![false; num_classes];
            for &i in &train {
                in_train[labels[i]] = true;
            }
            let duplicated: Vec<usize> = (0..num_classes).filter(|&c| !in_train[c]).collect();
            for &c in &duplicated {
                if let Some(&i) = test.iter().find(|&&i| labels[i] == c) {
                    train.push(i);
                }
            }
            let x_train = x.select(Axis(0), &train);
            let y_train: Vec<usize> = train.iter().map(|&i| labels[i]).collect();
            let w_train: Option<Vec<f64>> =
                sample_weight.map(|w| train.iter().map(|&i| w[i]).collect());
            let fitted = clf
                .fit(x_train.view(), &y_train, num_classes, w_train.as_deref())
                .map_err(LearnError::classifier(Some(fold)))?;
            let x_test = x.select(Axis(0), &test);
            let mut probs = fitted
                .predict_proba(x_test.view())
                .map_err(LearnError::classifier(Some(fold)))?;
            if probs.dim() != (test.len(), num_classes) {
                return Err(LearnError::Classifier {
                    fold: Some(fold),
                    source: CoreError::Shape {
                        what: "predict_proba output",
                        expected: format!("{}×{num_classes}", test.len()),
                        found: format!("{}×{}", probs.nrows(), probs.ncols()),
                    },
                });
            }
            for (r, &i) in test.iter().enumerate() {
                if duplicated.contains(&labels[i]) {
                    let mut row = probs.row_mut(r);
                    row.fill(0.0);
                    row[labels[i]] = 1.0;
                }
            }
            Ok(FoldResult {
                test,
                probs,
                duplicated,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut pred_probs = Array2::<f64>::zeros((n, num_classes));
    let mut duplicated: Vec<usize> = Vec::new();
    for r in results {
        for (row, &i) in r.test.iter().enumerate() {
            pred_probs.row_mut(i).assign(&r.probs.row(row));
        }
        duplicated.extend(r.duplicated);
    }
    duplicated.sort_unstable();
    duplicated.dedup();
    let mut warnings = folds.warnings.clone();
    if !duplicated.is_empty() {
        warnings.push(LearnWarning::DuplicatedRareClasses {
            classes: duplicated,
        });
    }
    Ok(CvPredictions {
        pred_probs,
        test_folds: folds.test_fold,
        warnings,
    })
}

/// Out-of-sample predicted probabilities by stratified K-fold cross-validation (cleanlab's
/// `estimate_cv_predicted_probabilities`).
pub fn estimate_cv_predicted_probabilities<C: ProbabilisticClassifier>(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    clf: &C,
    options: &CvOptions,
) -> Result<CvPredictions> {
    let k = num_classes_all_present(labels)?;
    cross_validate(
        x,
        labels,
        k,
        clf,
        options.cv_n_folds,
        options.seed,
        options.sample_weight.as_deref(),
    )
}

/// Cross-validated probabilities and their confident joint (cleanlab's
/// `estimate_confident_joint_and_cv_pred_proba`).
pub fn estimate_confident_joint_and_cv_pred_proba<C: ProbabilisticClassifier>(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    clf: &C,
    options: &CvOptions,
) -> Result<CvConfidentJoint> {
    let cv = estimate_cv_predicted_probabilities(x, labels, clf, options)?;
    let l = Labels::from_usize(labels, cv.pred_probs.ncols())?;
    let p = PredProbs::new(cv.pred_probs.view())?;
    let confident_joint =
        confident_joint_of(&l, &p, options.thresholds.clone(), options.calibrate)?;
    Ok(CvConfidentJoint {
        confident_joint,
        cv,
    })
}

/// [`compute_confident_joint`] with optional thresholds.
pub(crate) fn confident_joint_of(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, f64>,
    thresholds: Option<Vec<f64>>,
    calibrate: bool,
) -> Result<Array2<i64>> {
    let mut opts = ConfidentJointOptions::default().calibrate(calibrate);
    if let Some(t) = thresholds {
        check_thresholds(&t, pred_probs.num_classes())?;
        opts = opts.thresholds(t);
    }
    Ok(compute_confident_joint(labels, pred_probs, &opts)?.joint)
}

/// Thresholds must have one value per class.
pub(crate) fn check_thresholds(t: &[f64], k: usize) -> Result<()> {
    if t.len() != k {
        return Err(CoreError::Shape {
            what: "thresholds",
            expected: format!("{k} values (one per class)"),
            found: format!("{} values", t.len()),
        }
        .into());
    }
    if let Some((i, &v)) = t.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(CoreError::NonFinite {
            what: "thresholds",
            row: i,
            col: 0,
            value: v,
        }
        .into());
    }
    Ok(())
}

/// Cross-validated probabilities, confident joint, `py` and both noise matrices (cleanlab's
/// `estimate_py_noise_matrices_and_cv_pred_proba`; `converge_latent_estimates` defaults to
/// `false` here).
pub fn estimate_py_noise_matrices_and_cv_pred_proba<C: ProbabilisticClassifier>(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    clf: &C,
    options: &CvOptions,
) -> Result<CvNoiseEstimates> {
    noise_estimates(
        x,
        labels,
        clf,
        options,
        options.converge_latent_estimates.unwrap_or(false),
    )
}

fn noise_estimates<C: ProbabilisticClassifier>(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    clf: &C,
    options: &CvOptions,
    converge: bool,
) -> Result<CvNoiseEstimates> {
    let CvConfidentJoint {
        confident_joint,
        cv,
    } = estimate_confident_joint_and_cv_pred_proba(x, labels, clf, options)?;
    let l = Labels::from_usize(labels, cv.pred_probs.ncols())?;
    let est = estimate_latent(confident_joint.view(), &l, options.py_method, converge)?;
    Ok(CvNoiseEstimates {
        estimates: NoiseEstimates {
            py: est.py,
            noise_matrix: est.noise_matrix,
            inverse_noise_matrix: est.inverse_noise_matrix,
            confident_joint,
        },
        cv,
    })
}

/// The noise matrix and inverse noise matrix from cross-validation (cleanlab's
/// `estimate_noise_matrices`; `converge_latent_estimates` defaults to `true` here).
pub fn estimate_noise_matrices<C: ProbabilisticClassifier>(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    clf: &C,
    options: &CvOptions,
) -> Result<NoiseMatrices> {
    let est = noise_estimates(
        x,
        labels,
        clf,
        options,
        options.converge_latent_estimates.unwrap_or(true),
    )?;
    Ok(NoiseMatrices {
        noise_matrix: est.estimates.noise_matrix,
        inverse_noise_matrix: est.estimates.inverse_noise_matrix,
        warnings: est.cv.warnings,
    })
}

/// Row-wise first argmax (numpy's `argmax(axis=1)`).
pub(crate) fn argmax_rows(p: ArrayView2<'_, f64>) -> Vec<usize> {
    p.rows()
        .into_iter()
        .map(|r| numerics::argmax(r.iter().copied()).unwrap_or(0))
        .collect()
}
