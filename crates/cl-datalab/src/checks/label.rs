//! `label`: examples whose given label is likely wrong.

use cl_core::count::{EstimateOptions, EstimationMethod};
use cl_core::input::{Labels, PredProbs};
use cl_core::neighbors::{DEFAULT_K, ExactKnn, Metric};
use cl_core::{CoreError, Real};
use cl_filter::FilterOptions;
use cl_filter::dataset::{DatasetJoint, find_overlapping_classes, rank_classes_by_label_quality};
use cl_rank::LabelQualityOptions;
use ndarray::{Array2, ArrayView2};
use serde_json::{Value, json};

use crate::check::{CheckContext, CheckOutput, InputSet, IssueCheck, np_mean, with_matrix};
use crate::error::{DatalabError, Result};
use crate::table::{Column, ColumnData};

/// cleanlab's `LabelIssueManager(k=10, clean_learning_kwargs=None)` for classification.
///
/// With `pred_probs`: `is_label_issue` is confident learning
/// (`find_label_issues(labels, pred_probs, filter)` with `min_examples_per_class = 10`, as
/// `CleanLearning` passes), `label_score` the self-confidence, the summary score
/// `1 − num_label_issues(labels, pred_probs) / N` (off-diagonal estimate). Without
/// `pred_probs`, the out-of-sample probabilities come from a k-nearest-neighbour vote on the
/// features (Euclidean, k + 1 neighbours including the example, whose own vote is removed:
/// `p' = (p − onehot(y)/(k+1)) · (k+1)/k`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Label {
    /// Neighbours of the features path (default 10).
    pub k: usize,
    /// The filter (default: cleanlab's with `min_examples_per_class = 10`).
    pub filter: FilterOptions,
}

impl Default for Label {
    fn default() -> Self {
        Self {
            k: DEFAULT_K,
            filter: FilterOptions::default().min_examples_per_class(10),
        }
    }
}

impl Label {
    /// Sets k (features path).
    #[must_use]
    pub fn k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }
    /// Sets the filter options.
    #[must_use]
    pub fn filter(mut self, filter: FilterOptions) -> Self {
        self.filter = filter;
        self
    }
}

/// Out-of-sample probabilities from a kNN vote: each example's k nearest others (Euclidean,
/// ties in ascending index) vote; the formula is cleanlab's own-vote removal.
fn knn_pred_probs<T: Real>(
    x: ArrayView2<'_, T>,
    labels: &[usize],
    k: usize,
    num_classes: usize,
) -> Result<Array2<f64>> {
    let index = ExactKnn::new(x, Some(k), Some(Metric::Euclidean))?;
    let graph = index.neighbors(k)?;
    let n = labels.len();
    let k1 = (k + 1) as f64;
    let scale = k1 / k as f64;
    let mut p = Array2::<f64>::zeros((n, num_classes));
    for i in 0..n {
        let mut counts = vec![0.0f64; num_classes];
        counts[labels[i]] += 1.0;
        for &j in graph.indices().row(i) {
            counts[labels[j]] += 1.0;
        }
        for c in 0..num_classes {
            let pc = counts[c] / k1;
            let own = if c == labels[i] { 1.0 / k1 } else { 0.0 };
            p[[i, c]] = (pc - own) * scale;
        }
    }
    Ok(p)
}

fn matrix_json<T: Into<f64> + Copy>(m: &Array2<T>) -> Value {
    json!(
        m.rows()
            .into_iter()
            .map(|r| r.iter().map(|&v| v.into()).collect::<Vec<f64>>())
            .collect::<Vec<_>>()
    )
}

impl Label {
    fn run_with_probs<T: Real>(
        &self,
        ctx: &CheckContext<'_>,
        p: ArrayView2<'_, T>,
    ) -> Result<CheckOutput> {
        let probs = PredProbs::new(p)?;
        let labels = Labels::from_usize(ctx.labels, probs.num_classes())?;
        let mask = cl_filter::find_label_issues(&labels, &probs, &self.filter)?;
        let score =
            cl_rank::get_label_quality_scores(&labels, &probs, &LabelQualityOptions::default())?;
        let num_issues =
            cl_core::count::num_label_issues(&labels, &probs, &EstimationMethod::OffDiagonal)?;
        let n = ctx.num_examples();
        let health = 1.0 - num_issues as f64 / n as f64;
        let predicted: Vec<usize> = (0..n)
            .map(|i| cl_core::numerics::argmax(p.row(i).iter().copied()).unwrap_or(0))
            .collect();
        let name = |c: usize| {
            ctx.class_names
                .get(c)
                .map_or_else(|| c.to_string(), ToString::to_string)
        };
        let given_names: Vec<String> = ctx.labels.iter().map(|&c| name(c)).collect();
        let pred_names: Vec<String> = predicted.iter().map(|&c| name(c)).collect();
        let mut info = serde_json::Map::new();
        info.insert(
            "num_label_issues".into(),
            json!(mask.iter().filter(|&&m| m).count()),
        );
        info.insert("average_label_quality".into(), json!(np_mean(&score)));
        info.insert("given_label".into(), json!(given_names));
        info.insert("predicted_label".into(), json!(pred_names));
        // The latent estimates CleanLearning stores (never needed for the flags).
        if let Ok(est) = cl_core::count::estimate_py_and_noise_matrices_from_probabilities(
            &labels,
            &probs,
            &EstimateOptions::default(),
        ) {
            info.insert(
                "confident_joint".into(),
                matrix_json(&est.confident_joint.mapv(|v| v as f64)),
            );
            info.insert("py".into(), json!(est.py.to_vec()));
            info.insert("noise_matrix".into(), matrix_json(&est.noise_matrix));
            info.insert(
                "inverse_noise_matrix".into(),
                matrix_json(&est.inverse_noise_matrix),
            );
        }
        if let Ok(t) = cl_core::count::get_confident_thresholds(&labels, &probs) {
            info.insert("confident_thresholds".into(), json!(t));
        }
        if let Ok(joint) = DatasetJoint::from_data(&labels, &probs) {
            let classes: Vec<Value> = rank_classes_by_label_quality(&joint)
                .iter()
                .map(|c| {
                    json!({
                        "Class Name": name(c.class_index),
                        "Class Index": c.class_index,
                        "Label Issues": c.label_issues,
                        "Inverse Label Issues": c.inverse_label_issues,
                        "Label Noise": c.label_noise,
                        "Inverse Label Noise": c.inverse_label_noise,
                        "Label Quality Score": c.label_quality_score,
                    })
                })
                .collect();
            info.insert("classes_by_label_quality".into(), Value::Array(classes));
            let overlaps: Vec<Value> = find_overlapping_classes(&joint, false)
                .iter()
                .map(|o| {
                    json!({
                        "Class Name A": name(o.class_a),
                        "Class Name B": name(o.class_b),
                        "Class Index A": o.class_a,
                        "Class Index B": o.class_b,
                        "Num Overlapping Examples": o.num_overlapping_examples,
                        "Joint Probability": o.joint_probability,
                    })
                })
                .collect();
            info.insert("overlapping_classes".into(), Value::Array(overlaps));
        }
        Ok(CheckOutput {
            is_issue: mask,
            score,
            summary_score: health,
            extra_columns: vec![
                Column::new("given_label", ColumnData::Text(given_names)),
                Column::new("predicted_label", ColumnData::Text(pred_names)),
            ],
            info,
        })
    }
}

impl IssueCheck for Label {
    fn name(&self) -> &'static str {
        "label"
    }

    fn accepts(&self) -> InputSet {
        InputSet {
            features: true,
            pred_probs: true,
            knn_graph: false,
        }
    }

    fn description(&self) -> &'static str {
        "Examples whose given label disagrees with what the model confidently predicts, \
         estimated by confident learning. These labels may be annotation mistakes and are \
         worth reviewing."
    }

    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[(3, "classes_by_label_quality"), (3, "overlapping_classes")]
    }

    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput> {
        let mut out = if let Some(p) = ctx.pred_probs {
            with_matrix!(p, |v| self.run_with_probs(ctx, v))?
        } else if let Some(f) = ctx.features {
            if self.k == 0 {
                return Err(CoreError::InvalidParameter {
                    name: "k",
                    reason: "must be at least 1".into(),
                }
                .into());
            }
            let p = with_matrix!(f, |v| knn_pred_probs(
                v,
                ctx.labels,
                self.k,
                ctx.num_classes()
            ))?;
            self.run_with_probs(ctx, p.view())?
        } else {
            return Err(DatalabError::check(
                self.name(),
                "Either pred_probs or features must be provided.",
            ));
        };
        out.info.insert(
            "find_issues_inputs".into(),
            json!({"features": ctx.features.is_some(), "pred_probs": ctx.pred_probs.is_some()}),
        );
        Ok(out)
    }
}
