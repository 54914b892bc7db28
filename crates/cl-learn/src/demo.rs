//! The `cleanlab demo` job: a deterministic synthetic dataset with known label errors,
//! and the whole CleanLearning run on it.
//!
//! **Data** ([`dataset`]). With numpy's legacy generator ([`NumpyRng`], so the same data can
//! be drawn in Python with `np.random.RandomState(seed)`): true labels from
//! `choice(K, N, p=prior)` with prior ∝ `1 − c / (2(K − 1))` for class `c` (from 1 down to ½), class centres
//! `normal(0, separation, (K, D))`, features `centre[y] + standard_normal((N, D))`, and a
//! clean test set drawn the same way after the training set. Label noise with cleanlab's
//! `generate_noise_matrix_from_trace(K, K·(1 − noise_rate), py=prior of the true labels,
//! valid_noise_matrix=True, seed=seed + 1)` followed by `generate_noisy_labels` on the same
//! stream ([`cl_core::noise`]), so every flipped label is known.
//!
//! **Job** ([`run`]). Cross-validated probabilities of the built-in
//! [`LogisticRegression`] (stratified K-fold, seeded), label issues through
//! [`CleanLearning`] (cleanlab's defaults), precision and recall against the known flips,
//! the dataset health summary, and the test accuracy of a model trained on the noisy labels
//! versus CleanLearning's retrained model. Everything except the timings is identical for
//! every rayon thread count.
//!
//! ```
//! use cl_learn::demo::{DemoConfig, run};
//!
//! let result = run(&DemoConfig::default().num_examples(600).num_test_examples(200))?;
//! assert!(result.precision > 0.7 && result.recall > 0.7);
//! println!("{result}");
//! # Ok::<(), cl_learn::LearnError>(())
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use cl_core::CoreError;
use cl_core::input::{Labels, PredProbs};
use cl_core::noise::{
    NoiseMatrixOptions, generate_noise_matrix_from_trace_with_rng, generate_noisy_labels,
};
use cl_core::rng::NumpyRng;
use cl_core::traits::{FittedClassifier, ProbabilisticClassifier};
use cl_filter::dataset::{DatasetJoint, HealthSummary, health_summary};
use ndarray::Array2;

use crate::clean_learning::{
    CleanLearning, FindIssuesArgs, FitArgs, GivenLabelIssues, LabelIssues,
};
use crate::cv::{CvOptions, estimate_cv_predicted_probabilities};
use crate::error::{LearnWarning, Result};
use crate::models::LogisticRegression;

/// Class names of the demo (classes beyond these are called `class_<k>`).
const CLASS_NAMES: [&str; 8] = [
    "apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "plum",
];

/// Settings of the demo; `Default` is the `cleanlab demo` dataset (3 000 examples, 6
/// features, 5 classes, 20 % noise, seed 0).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DemoConfig {
    /// Training examples N (default 3 000).
    pub num_examples: usize,
    /// Clean test examples (default 1 000).
    pub num_test_examples: usize,
    /// Classes K (default 5).
    pub num_classes: usize,
    /// Numeric features D (default 6).
    pub num_features: usize,
    /// Standard deviation of the class centres, in units of the within-class noise
    /// (default 2).
    pub separation: f64,
    /// Expected fraction of flipped labels: the noise matrix has trace `K·(1 − noise_rate)`
    /// (default 0.2).
    pub noise_rate: f64,
    /// Seed of the data (noise uses `seed + 1`) and of the folds (default 0).
    pub seed: u32,
    /// Cross-validation folds (default 5).
    pub cv_n_folds: usize,
    /// Number of issues listed in the report (default 10).
    pub top_k: usize,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            num_examples: 3000,
            num_test_examples: 1000,
            num_classes: 5,
            num_features: 6,
            separation: 2.0,
            noise_rate: 0.2,
            seed: 0,
            cv_n_folds: 5,
            top_k: 10,
        }
    }
}

macro_rules! setter {
    ($(#[$doc:meta] $name:ident: $t:ty),* $(,)?) => {$(
        #[$doc]
        #[must_use]
        pub fn $name(mut self, v: $t) -> Self {
            self.$name = v;
            self
        }
    )*};
}

impl DemoConfig {
    setter! {
        /// Sets the number of training examples.
        num_examples: usize,
        /// Sets the number of test examples.
        num_test_examples: usize,
        /// Sets the number of classes (2 or more).
        num_classes: usize,
        /// Sets the number of features.
        num_features: usize,
        /// Sets the separation of the class centres.
        separation: f64,
        /// Sets the noise rate (in (0, 1 − 1/K)).
        noise_rate: f64,
        /// Sets the seed.
        seed: u32,
        /// Sets the number of folds.
        cv_n_folds: usize,
        /// Sets the number of listed issues.
        top_k: usize,
    }

    fn check(&self) -> Result<()> {
        let invalid = |name: &'static str, reason: String| -> Result<()> {
            Err(CoreError::InvalidParameter { name, reason }.into())
        };
        if self.num_classes < 2 {
            return invalid("num_classes", "needs at least 2 classes".into());
        }
        if self.num_features == 0 {
            return invalid("num_features", "needs at least 1 feature".into());
        }
        if self.num_examples < self.num_classes * self.cv_n_folds.max(2) {
            return invalid(
                "num_examples",
                format!(
                    "{} examples are too few for {} classes and {} folds",
                    self.num_examples, self.num_classes, self.cv_n_folds
                ),
            );
        }
        let max_noise = 1.0 - 1.0 / self.num_classes as f64;
        if !(self.noise_rate > 0.0 && self.noise_rate < max_noise) {
            return invalid(
                "noise_rate",
                format!("{} is not in (0, {max_noise})", self.noise_rate),
            );
        }
        if !(self.separation > 0.0 && self.separation.is_finite()) {
            return invalid("separation", format!("{} is not positive", self.separation));
        }
        Ok(())
    }
}

/// The demo data: features, true and noisy labels.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoDataset {
    /// Training features, N × D.
    pub features: Array2<f64>,
    /// True labels of the training examples.
    pub true_labels: Vec<usize>,
    /// Given (noisy) labels of the training examples.
    pub labels: Vec<usize>,
    /// Test features.
    pub test_features: Array2<f64>,
    /// True labels of the test examples.
    pub test_labels: Vec<usize>,
    /// The noise matrix the labels were flipped with, `P(given = i | true = j)` at `[i, j]`.
    pub noise_matrix: Array2<f64>,
    /// Class names.
    pub class_names: Vec<String>,
}

impl DemoDataset {
    /// Indices whose given label differs from the true label, ascending.
    pub fn flipped(&self) -> Vec<usize> {
        (0..self.labels.len())
            .filter(|&i| self.labels[i] != self.true_labels[i])
            .collect()
    }
}

/// Draws `n` examples: labels from `prior`, features around `centres`.
fn draw(
    rng: &mut NumpyRng,
    n: usize,
    prior: &[f64],
    centres: &Array2<f64>,
) -> Result<(Array2<f64>, Vec<usize>)> {
    let y = rng.choice(prior.len(), n, true, Some(prior))?;
    let d = centres.ncols();
    let mut x = Array2::<f64>::zeros((n, d));
    for (i, &c) in y.iter().enumerate() {
        for j in 0..d {
            x[[i, j]] = centres[[c, j]] + rng.standard_normal();
        }
    }
    Ok((x, y))
}

/// Generates the demo data (see the module docs).
pub fn dataset(config: &DemoConfig) -> Result<DemoDataset> {
    config.check()?;
    let k = config.num_classes;
    let raw: Vec<f64> = (0..k)
        .map(|c| 1.0 - 0.5 * c as f64 / (k as f64 - 1.0))
        .collect();
    let total: f64 = raw.iter().sum();
    let prior: Vec<f64> = raw.iter().map(|v| v / total).collect();
    let mut rng = NumpyRng::new(config.seed);
    let mut centres = Array2::<f64>::zeros((k, config.num_features));
    for v in &mut centres {
        *v = rng.normal(0.0, config.separation)?;
    }
    let (features, true_labels) = draw(&mut rng, config.num_examples, &prior, &centres)?;
    let (test_features, test_labels) = draw(&mut rng, config.num_test_examples, &prior, &centres)?;
    let counts = Labels::from_usize(&true_labels, k)?.class_counts().to_vec();
    let py: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 / config.num_examples as f64)
        .collect();
    let opts = NoiseMatrixOptions::default()
        .py(&py)
        .valid_noise_matrix(true)
        .seed(Some(config.seed.wrapping_add(1)));
    let mut noise_rng = NumpyRng::new(config.seed.wrapping_add(1));
    let trace = k as f64 * (1.0 - config.noise_rate);
    let noise_matrix = generate_noise_matrix_from_trace_with_rng(k, trace, &opts, &mut noise_rng)?
        .ok_or_else(|| CoreError::InvalidParameter {
            name: "noise_rate",
            reason: "no valid noise matrix found for this noise rate and class prior".into(),
        })?;
    let labels = generate_noisy_labels(&true_labels, noise_matrix.view(), &mut noise_rng)?;
    let class_names = (0..k)
        .map(|c| {
            CLASS_NAMES
                .get(c)
                .map_or_else(|| format!("class_{c}"), |s| (*s).to_owned())
        })
        .collect();
    Ok(DemoDataset {
        features,
        true_labels,
        labels,
        test_features,
        test_labels,
        noise_matrix,
        class_names,
    })
}

/// One listed label issue.
#[derive(Debug, Clone, PartialEq)]
pub struct TopIssue {
    /// Example index.
    pub index: usize,
    /// The given (noisy) label.
    pub given_label: usize,
    /// The model's suggestion (argmax of the cross-validated probabilities).
    pub suggested_label: usize,
    /// Label quality (self-confidence).
    pub label_quality: f64,
    /// The true label (known in the demo).
    pub true_label: usize,
}

impl TopIssue {
    /// Whether the given label really was flipped.
    pub fn truly_mislabeled(&self) -> bool {
        self.given_label != self.true_label
    }
}

/// Wall-clock times of the demo's steps (not deterministic).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DemoTimings {
    /// Generating the data.
    pub data: Duration,
    /// Cross-validation (fitting the K fold models and predicting).
    pub cross_validation: Duration,
    /// Finding the label issues from the cross-validated probabilities.
    pub find_issues: Duration,
    /// The dataset health summary.
    pub health: Duration,
    /// Training the baseline and CleanLearning's final model.
    pub retraining: Duration,
    /// The whole job.
    pub total: Duration,
    /// rayon threads used.
    pub threads: usize,
}

/// Everything the demo found.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoResult {
    /// The settings.
    pub config: DemoConfig,
    /// Class names.
    pub class_names: Vec<String>,
    /// Number of labels flipped by the injected noise.
    pub num_flipped: usize,
    /// The noise matrix used to flip labels.
    pub true_noise_matrix: Array2<f64>,
    /// CleanLearning's estimated noise matrix.
    pub estimated_noise_matrix: Option<Array2<f64>>,
    /// Number of label issues found.
    pub num_issues: usize,
    /// Issues that really were flipped.
    pub true_positives: usize,
    /// `true_positives / num_issues`.
    pub precision: f64,
    /// `true_positives / num_flipped`.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Fraction of examples whose cross-validated prediction equals the given label.
    pub cv_accuracy_given: f64,
    /// Fraction of examples whose cross-validated prediction equals the true label.
    pub cv_accuracy_true: f64,
    /// The `top_k` issues with the lowest label quality.
    pub top_issues: Vec<TopIssue>,
    /// The whole per-example table of [`CleanLearning::find_label_issues`] (flags, label
    /// quality, given and predicted labels).
    pub label_issues: LabelIssues,
    /// Indices of the examples whose label the injected noise flipped, ascending.
    pub flipped: Vec<usize>,
    /// The dataset health summary (cleanlab's `health_summary`).
    pub health: HealthSummary,
    /// Test accuracy of logistic regression trained on all noisy labels.
    pub test_accuracy_noisy: f64,
    /// Test accuracy of CleanLearning's model (issues dropped, classes re-weighted).
    pub test_accuracy_clean: f64,
    /// Warnings of the run.
    pub warnings: Vec<LearnWarning>,
    /// Timings (the only field that varies between runs).
    pub timings: DemoTimings,
}

/// The default `cleanlab demo` job.
pub fn run_default() -> Result<DemoResult> {
    run(&DemoConfig::default())
}

fn accuracy(pred: &[usize], truth: &[usize]) -> f64 {
    let hits = pred.iter().zip(truth).filter(|(a, b)| a == b).count();
    hits as f64 / truth.len().max(1) as f64
}

/// Precision, recall and the top issues against the known flips.
struct IssueScore {
    num_flipped: usize,
    num_issues: usize,
    true_positives: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    top_issues: Vec<TopIssue>,
}

impl IssueScore {
    fn new(data: &DemoDataset, issues: &LabelIssues, top_k: usize) -> Self {
        let num_flipped = data.flipped().len();
        let num_issues = issues.num_issues();
        let true_positives = issues
            .issue_indices()
            .iter()
            .filter(|&&i| data.labels[i] != data.true_labels[i])
            .count();
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(true_positives, num_issues);
        let recall = ratio(true_positives, num_flipped);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        let top_issues = issues
            .ranked_issues()
            .into_iter()
            .take(top_k)
            .map(|i| TopIssue {
                index: i,
                given_label: data.labels[i],
                suggested_label: issues.predicted_label[i],
                label_quality: issues.label_quality[i],
                true_label: data.true_labels[i],
            })
            .collect();
        Self {
            num_flipped,
            num_issues,
            true_positives,
            precision,
            recall,
            f1,
            top_issues,
        }
    }
}

/// Runs the demo job (see the module docs).
pub fn run(config: &DemoConfig) -> Result<DemoResult> {
    let start = Instant::now();
    let data = dataset(config)?;
    let t_data = start.elapsed();

    let clf = LogisticRegression::default();
    let t = Instant::now();
    let cv = estimate_cv_predicted_probabilities(
        data.features.view(),
        &data.labels,
        &clf,
        &CvOptions::default()
            .cv_n_folds(config.cv_n_folds)
            .seed(Some(config.seed)),
    )?;
    let t_cv = t.elapsed();

    let t = Instant::now();
    let mut cl = CleanLearning::builder(clf)
        .seed(Some(config.seed))
        .cv_n_folds(config.cv_n_folds)
        .build();
    let issues = cl.find_label_issues(
        Some(data.features.view()),
        &data.labels,
        &FindIssuesArgs::default().pred_probs(cv.pred_probs.view()),
    )?;
    let t_find = t.elapsed();

    let t = Instant::now();
    let k = config.num_classes;
    let labels_k = Labels::from_usize(&data.labels, k)?;
    let probs = PredProbs::new(cv.pred_probs.view())?;
    let health = health_summary(
        &DatasetJoint::from_data(&labels_k, &probs)?,
        Some(data.class_names.clone()),
        false,
    )?;
    let t_health = t.elapsed();

    let t = Instant::now();
    let baseline = clf
        .fit(data.features.view(), &data.labels, k, None)
        .map_err(crate::LearnError::classifier(None))?;
    let test_accuracy_noisy = accuracy(
        &baseline
            .predict(data.test_features.view())
            .map_err(crate::LearnError::classifier(None))?,
        &data.test_labels,
    );
    cl.fit(
        data.features.view(),
        &data.labels,
        &FitArgs::default().label_issues(GivenLabelIssues::Table(issues.clone())),
    )?;
    let test_accuracy_clean = cl.score(data.test_features.view(), &data.test_labels, None)?;
    let t_fit = t.elapsed();

    let score = IssueScore::new(&data, &issues, config.top_k);
    let mut warnings = cv.warnings.clone();
    warnings.extend(cl.warnings().iter().cloned());
    Ok(DemoResult {
        config: config.clone(),
        class_names: data.class_names.clone(),
        num_flipped: score.num_flipped,
        true_noise_matrix: data.noise_matrix.clone(),
        estimated_noise_matrix: cl.noise_matrix().cloned(),
        num_issues: score.num_issues,
        true_positives: score.true_positives,
        precision: score.precision,
        recall: score.recall,
        f1: score.f1,
        cv_accuracy_given: accuracy(&issues.predicted_label, &data.labels),
        cv_accuracy_true: accuracy(&issues.predicted_label, &data.true_labels),
        top_issues: score.top_issues,
        flipped: data.flipped(),
        label_issues: issues,
        health,
        test_accuracy_noisy,
        test_accuracy_clean,
        warnings,
        timings: DemoTimings {
            data: t_data,
            cross_validation: t_cv,
            find_issues: t_find,
            health: t_health,
            retraining: t_fit,
            total: start.elapsed(),
            threads: rayon::current_num_threads(),
        },
    })
}

/// `1234567` → `1,234,567`.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v < 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.0} ms")
    }
}

impl DemoResult {
    fn class_name(&self, k: usize) -> &str {
        self.class_names.get(k).map_or("?", String::as_str)
    }

    fn write_top_issues(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.top_issues.is_empty() {
            return Ok(());
        }
        {
            writeln!(
                f,
                "Top {} label issues (lowest label quality first)",
                self.top_issues.len()
            )?;
            writeln!(
                f,
                "  {:>4}  {:>6}  {:<10} {:<10} {:>8}  flipped?",
                "rank", "index", "given", "suggested", "quality"
            )?;
            for (r, t) in self.top_issues.iter().enumerate() {
                let verdict = if t.truly_mislabeled() {
                    format!("yes (true: {})", self.class_name(t.true_label))
                } else {
                    "no".to_owned()
                };
                writeln!(
                    f,
                    "  {:>4}  {:>6}  {:<10} {:<10} {:>8.4}  {verdict}",
                    r + 1,
                    t.index,
                    self.class_name(t.given_label),
                    self.class_name(t.suggested_label),
                    t.label_quality
                )?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

impl fmt::Display for DemoResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        let title = "cleanlab demo: finding label errors with CleanLearning";
        writeln!(f, "{title}\n{}\n", "=".repeat(title.len()))?;
        writeln!(
            f,
            "Dataset   {} training examples ({} numeric features, {} classes: {})",
            thousands(c.num_examples),
            c.num_features,
            c.num_classes,
            self.class_names.join(", ")
        )?;
        writeln!(
            f,
            "          and {} clean test examples; synthetic Gaussian clusters, seed {}",
            thousands(c.num_test_examples),
            c.seed
        )?;
        writeln!(
            f,
            "Noise     {} of {} training labels ({:.1}%) flipped with a random noise matrix (trace {:.2})",
            thousands(self.num_flipped),
            thousands(c.num_examples),
            100.0 * self.num_flipped as f64 / c.num_examples as f64,
            self.true_noise_matrix.diag().sum()
        )?;
        writeln!(
            f,
            "Model     logistic regression (C = 1), {}-fold stratified cross-validation",
            c.cv_n_folds
        )?;
        writeln!(
            f,
            "          out-of-sample accuracy: {:.1}% against the given labels, {:.1}% against the true labels\n",
            100.0 * self.cv_accuracy_given,
            100.0 * self.cv_accuracy_true
        )?;
        writeln!(
            f,
            "Label issues found: {} ({:.1}% of the training labels)",
            thousands(self.num_issues),
            100.0 * self.num_issues as f64 / c.num_examples as f64
        )?;
        writeln!(
            f,
            "  precision  {:.3}  ({} of {} flagged labels really were flipped)",
            self.precision,
            thousands(self.true_positives),
            thousands(self.num_issues)
        )?;
        writeln!(
            f,
            "  recall     {:.3}  ({} of {} flipped labels were found)",
            self.recall,
            thousands(self.true_positives),
            thousands(self.num_flipped)
        )?;
        writeln!(f, "  F1         {:.3}\n", self.f1)?;
        self.write_top_issues(f)?;
        writeln!(
            f,
            "Test accuracy ({} clean examples)",
            thousands(c.num_test_examples)
        )?;
        writeln!(
            f,
            "  trained on the noisy labels          {:.1}%",
            100.0 * self.test_accuracy_noisy
        )?;
        writeln!(
            f,
            "  CleanLearning (issues removed)       {:.1}%\n",
            100.0 * self.test_accuracy_clean
        )?;
        write!(f, "{}", self.health)?;
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        let t = &self.timings;
        writeln!(
            f,
            "\nTimings: data {} · cross-validation {} · issue search {} · health {} · retraining {} · total {} ({} thread{})",
            ms(t.data),
            ms(t.cross_validation),
            ms(t.find_issues),
            ms(t.health),
            ms(t.retraining),
            ms(t.total),
            t.threads,
            if t.threads == 1 { "" } else { "s" }
        )
    }
}
