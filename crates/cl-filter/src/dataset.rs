//! Dataset-level label health (cleanlab's `cleanlab.dataset`): which classes are the
//! noisiest, which pairs of classes overlap, and one overall health score.
//!
//! Every function works from a [`DatasetJoint`]: the estimated joint distribution of
//! (given label, true label) and the number of examples, built from labels and
//! `pred_probs`, from a joint, or from a confident joint.
//!
//! ```
//! use cl_core::input::validate;
//! use cl_filter::dataset::{DatasetJoint, health_summary};
//! use ndarray::array;
//!
//! let p = array![[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.7, 0.3]];
//! let (labels, probs) = validate(&[0_i64, 0, 1, 1, 1], p.view())?;
//! let joint = DatasetJoint::from_data(&labels, &probs)?;
//! let summary = health_summary(&joint, None, false)?;
//! assert!((0.0..=1.0).contains(&summary.overall_label_health_score));
//! println!("{summary}");
//! # Ok::<(), cl_filter::FilterError>(())
//! ```
//!
//! # Differences from cleanlab
//!
//! * With only a confident joint, cleanlab's `rank_classes_by_label_quality` and
//!   `health_summary` raise ("num_examples" unknown) although the count is the joint's
//!   total; here the number of examples is taken from the confident joint's total.
//! * Rows with equal probabilities keep their original (class-index) order.

use std::fmt;

use cl_core::constants::EPSILON;
use cl_core::{CoreError, Labels, PredProbs, Real};
use ndarray::{Array2, ArrayView2};

use crate::Result;

/// The joint distribution of (given label, true label) of a dataset, with its size.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetJoint {
    /// K×K joint, rows = given label, columns = true label; sums to 1.
    pub joint: Array2<f64>,
    /// Number of examples N.
    pub num_examples: usize,
    /// `num_label_issues` (off-diagonal method) when built from labels and `pred_probs`.
    pub num_label_issues: Option<usize>,
}

impl DatasetJoint {
    /// Estimates the joint from labels and out-of-sample `pred_probs` (calibrated confident
    /// joint normalised to sum 1) and counts the label issues.
    pub fn from_data<T: Real>(labels: &Labels<'_>, pred_probs: &PredProbs<'_, T>) -> Result<Self> {
        let joint = cl_core::count::estimate_joint(labels, pred_probs, None)?;
        let num = cl_core::count::num_label_issues(
            labels,
            pred_probs,
            &cl_core::count::EstimationMethod::OffDiagonal,
        )?;
        Ok(Self {
            joint,
            num_examples: labels.len(),
            num_label_issues: Some(num),
        })
    }

    /// Uses a given joint (K×K, non-negative) for a dataset of `num_examples` examples.
    pub fn from_joint(joint: ArrayView2<'_, f64>, num_examples: usize) -> Result<Self> {
        check_square(joint.dim(), "joint")?;
        if let Some(((r, c), &v)) = joint
            .indexed_iter()
            .find(|(_, v)| !v.is_finite() || **v < 0.0)
        {
            return Err(CoreError::OutOfRange {
                what: "joint",
                row: r,
                col: c,
                value: v,
                low: 0.0,
                high: 1.0,
            }
            .into());
        }
        Ok(Self {
            joint: joint.to_owned(),
            num_examples,
            num_label_issues: None,
        })
    }

    /// Uses a confident joint (counts, not re-calibrated) normalised to sum 1; the number of
    /// examples is its total.
    pub fn from_confident_joint(confident_joint: ArrayView2<'_, i64>) -> Result<Self> {
        check_square(confident_joint.dim(), "confident_joint")?;
        if let Some(((r, c), &v)) = confident_joint.indexed_iter().find(|(_, v)| **v < 0) {
            return Err(CoreError::OutOfRange {
                what: "confident_joint",
                row: r,
                col: c,
                value: v as f64,
                low: 0.0,
                high: f64::INFINITY,
            }
            .into());
        }
        let total: i64 = confident_joint.sum();
        let joint =
            confident_joint.mapv(|v| v as f64 / (total as f64).max(cl_core::constants::TINY_VALUE));
        Ok(Self {
            joint,
            num_examples: usize::try_from(total).unwrap_or(0),
            num_label_issues: None,
        })
    }

    fn num_classes(&self) -> usize {
        self.joint.nrows()
    }
}

fn check_square(dim: (usize, usize), what: &'static str) -> Result<()> {
    if dim.0 == 0 || dim.0 != dim.1 {
        return Err(CoreError::Shape {
            what,
            expected: "a non-empty K×K matrix".into(),
            found: format!("{}×{}", dim.0, dim.1),
        }
        .into());
    }
    Ok(())
}

/// One row of [`rank_classes_by_label_quality`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClassLabelQuality {
    /// Class index.
    pub class_index: usize,
    /// Estimated number of examples labeled this class that belong to another class.
    pub label_issues: i64,
    /// Estimated number of examples of this class labeled as another class.
    pub inverse_label_issues: i64,
    /// Fraction of examples labeled this class that are mislabeled.
    pub label_noise: f64,
    /// Fraction of examples truly of this class that carry another label.
    pub inverse_label_noise: f64,
    /// `1 - label_noise`.
    pub label_quality_score: f64,
}

/// Classes ordered from the lowest label quality to the highest (cleanlab's
/// `rank_classes_by_label_quality`; ties keep class order).
pub fn rank_classes_by_label_quality(joint: &DatasetJoint) -> Vec<ClassLabelQuality> {
    let j = &joint.joint;
    let n = joint.num_examples as f64;
    let mut rows: Vec<ClassLabelQuality> = (0..joint.num_classes())
        .map(|k| {
            let row_sum: f64 = j.row(k).sum();
            let col_sum: f64 = j.column(k).sum();
            let a = row_sum - j[[k, k]];
            let b = col_sum - j[[k, k]];
            let label_noise = a / row_sum.max(EPSILON);
            ClassLabelQuality {
                class_index: k,
                label_issues: (a * n).round_ties_even() as i64,
                inverse_label_issues: (b * n).round_ties_even() as i64,
                label_noise,
                inverse_label_noise: b / col_sum.max(EPSILON),
                label_quality_score: 1.0 - label_noise,
            }
        })
        .collect();
    rows.sort_by(|x, y| x.label_quality_score.total_cmp(&y.label_quality_score));
    rows
}

/// One row of [`find_overlapping_classes`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClassOverlap {
    /// First class.
    pub class_a: usize,
    /// Second class.
    pub class_b: usize,
    /// Estimated number of examples in the overlap, `round(joint_probability · N)`.
    pub num_overlapping_examples: i64,
    /// Joint probability of the pair (`J[a,b] + J[b,a]` when symmetric, else `J[a,b]`).
    pub joint_probability: f64,
}

/// Pairs of classes ordered by how much they overlap, most first (cleanlab's
/// `find_overlapping_classes`). Symmetric: pairs `a < b` with `J[a,b] + J[b,a]`;
/// asymmetric: every ordered pair `a != b` with `J[a,b]` (a = given label, b = true label).
/// Ties keep row-major pair order.
pub fn find_overlapping_classes(joint: &DatasetJoint, asymmetric: bool) -> Vec<ClassOverlap> {
    let j = &joint.joint;
    let k = joint.num_classes();
    let n = joint.num_examples as f64;
    let mut rows = Vec::new();
    for a in 0..k {
        for b in 0..k {
            let prob = if asymmetric {
                if a == b {
                    continue;
                }
                j[[a, b]]
            } else {
                if a >= b {
                    continue;
                }
                j[[a, b]] + j[[b, a]]
            };
            rows.push(ClassOverlap {
                class_a: a,
                class_b: b,
                num_overlapping_examples: (prob * n).round_ties_even() as i64,
                joint_probability: prob,
            });
        }
    }
    rows.sort_by(|x, y| y.joint_probability.total_cmp(&x.joint_probability));
    rows
}

/// The fraction of labels estimated correct (cleanlab's `overall_label_health_score`):
/// `1 - num_label_issues / N` when built from data, else the joint's trace.
pub fn overall_label_health_score(joint: &DatasetJoint) -> f64 {
    match joint.num_label_issues {
        Some(num) => 1.0 - num as f64 / joint.num_examples as f64,
        None => joint.joint.diag().sum(),
    }
}

/// Everything cleanlab's `health_summary` returns; `Display` prints its report.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthSummary {
    /// See [`overall_label_health_score`].
    pub overall_label_health_score: f64,
    /// The joint distribution used.
    pub joint: Array2<f64>,
    /// See [`rank_classes_by_label_quality`].
    pub classes_by_label_quality: Vec<ClassLabelQuality>,
    /// See [`find_overlapping_classes`].
    pub overlapping_classes: Vec<ClassOverlap>,
    /// Number of examples.
    pub num_examples: usize,
    /// Optional class names, by class index.
    pub class_names: Option<Vec<String>>,
}

/// Runs the three dataset-level analyses (cleanlab's `health_summary`).
pub fn health_summary(
    joint: &DatasetJoint,
    class_names: Option<Vec<String>>,
    asymmetric: bool,
) -> Result<HealthSummary> {
    if let Some(names) = &class_names
        && names.len() != joint.num_classes()
    {
        return Err(CoreError::Shape {
            what: "class_names",
            expected: format!("{} names", joint.num_classes()),
            found: format!("{} names", names.len()),
        }
        .into());
    }
    Ok(HealthSummary {
        overall_label_health_score: overall_label_health_score(joint),
        joint: joint.joint.clone(),
        classes_by_label_quality: rank_classes_by_label_quality(joint),
        overlapping_classes: find_overlapping_classes(joint, asymmetric),
        num_examples: joint.num_examples,
        class_names,
    })
}

fn with_thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl fmt::Display for HealthSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.joint.nrows();
        let name = |c: usize| {
            self.class_names
                .as_ref()
                .and_then(|n| n.get(c).cloned())
                .unwrap_or_else(|| c.to_string())
        };
        let l1 = "  Generating a Cleanlab Dataset Health Summary";
        let l2 = format!(
            "   for your dataset with {} examples and {k} classes.",
            with_thousands(self.num_examples as i64)
        );
        let l3 = "  Note, Cleanlab is not a medical doctor... yet.";
        let width = l1.len().max(l2.len()).max(l3.len()) + 2;
        writeln!(f, "{}", "-".repeat(width + 2))?;
        for l in [l1, l2.as_str(), l3] {
            writeln!(f, "|{l:<width$}|")?;
        }
        writeln!(f, "{}\n", "-".repeat(width + 2))?;
        let title = "Overall Class Quality and Noise across your dataset (below)";
        writeln!(f, "{title}\n{}\n", "-".repeat(title.len()))?;
        writeln!(
            f,
            "{:>12} {:>12} {:>13} {:>21} {:>12} {:>20} {:>20}",
            "Class Name",
            "Class Index",
            "Label Issues",
            "Inverse Label Issues",
            "Label Noise",
            "Inverse Label Noise",
            "Label Quality Score"
        )?;
        for r in &self.classes_by_label_quality {
            writeln!(
                f,
                "{:>12} {:>12} {:>13} {:>21} {:>12.6} {:>20.6} {:>20.6}",
                name(r.class_index),
                r.class_index,
                r.label_issues,
                r.inverse_label_issues,
                r.label_noise,
                r.inverse_label_noise,
                r.label_quality_score
            )?;
        }
        let title =
            "Class Overlap. In some cases, you may want to merge classes in the top rows (below)";
        writeln!(f, "\n{title}\n{}\n", "-".repeat(title.len()))?;
        writeln!(
            f,
            "{:>14} {:>14} {:>14} {:>14} {:>25} {:>18}",
            "Class Name A",
            "Class Name B",
            "Class Index A",
            "Class Index B",
            "Num Overlapping Examples",
            "Joint Probability"
        )?;
        for r in &self.overlapping_classes {
            writeln!(
                f,
                "{:>14} {:>14} {:>14} {:>14} {:>25} {:>18.6}",
                name(r.class_a),
                name(r.class_b),
                r.class_a,
                r.class_b,
                r.num_overlapping_examples,
                r.joint_probability
            )?;
        }
        let n = self.num_examples as f64;
        let issues = (n * (1.0 - self.overall_label_health_score)).round_ties_even() as i64;
        writeln!(
            f,
            "\n * Overall, about {:.0}% ({} of the {}) labels in your dataset have potential issues.",
            100.0 * (1.0 - self.overall_label_health_score),
            with_thousands(issues),
            with_thousands(self.num_examples as i64)
        )?;
        writeln!(
            f,
            " ** The overall label health score for this dataset is: {:.2}.",
            self.overall_label_health_score
        )?;
        writeln!(f, "\nGenerated with <3 from Cleanlab.")
    }
}
