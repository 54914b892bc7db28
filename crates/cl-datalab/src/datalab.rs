//! The [`Datalab`] audit: construction, `find_issues`, accessors.

use cl_core::CoreError;
use cl_core::neighbors::ivf::{IvfKnn, IvfOptions};
use cl_core::neighbors::{
    KnnGraph, KnnOptions, Metric, correct_knn_graph, create_knn_graph_and_index,
};
use cl_core::traits::NeighborIndex;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::check::{
    CheckContext, CheckOutput, InputSet, IssueCheck, KnnRequest, Matrix, SharedKnn, np_mean,
    with_matrix,
};
use crate::error::{DatalabError, Result};
use crate::issue_types::{DEFAULT_ISSUE_TYPES, IssueTypes, POSSIBLE_ISSUE_TYPES};
use crate::labels::{ClassName, RawLabels, map_labels};
use crate::table::{Column, ColumnData, IssuesTable, SummaryRow};

/// The inputs of [`Datalab::find_issues`]; any subset may be given.
#[derive(Debug, Clone, Copy, Default)]
pub struct FindIssuesInputs<'a> {
    /// N×D feature matrix (NaN allowed: the `null` check reports it, kNN checks fail).
    pub features: Option<Matrix<'a>>,
    /// N×K out-of-sample predicted probabilities.
    pub pred_probs: Option<Matrix<'a>>,
    /// A precomputed kNN graph of the examples, used as given by every check.
    pub knn_graph: Option<&'a KnnGraph>,
    /// Build the shared graph of the features with the approximate inverted-file index
    /// (`cl_core::neighbors::ivf`) instead of the exact search: for large N, not in
    /// cleanlab. Distances stay exact and exact duplicates are still found (they share a
    /// cell); a few true neighbours may be missed.
    pub approximate_knn: Option<IvfOptions>,
}

impl<'a> FindIssuesInputs<'a> {
    /// No input.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the features.
    #[must_use]
    pub fn features(mut self, features: impl Into<Matrix<'a>>) -> Self {
        self.features = Some(features.into());
        self
    }
    /// Sets `pred_probs`.
    #[must_use]
    pub fn pred_probs(mut self, pred_probs: impl Into<Matrix<'a>>) -> Self {
        self.pred_probs = Some(pred_probs.into());
        self
    }
    /// Sets the kNN graph.
    #[must_use]
    pub fn knn_graph(mut self, graph: &'a KnnGraph) -> Self {
        self.knn_graph = Some(graph);
        self
    }
    /// Builds the shared graph approximately (see [`FindIssuesInputs::approximate_knn`]).
    #[must_use]
    pub fn approximate_knn(mut self, options: IvfOptions) -> Self {
        self.approximate_knn = Some(options);
        self
    }

    fn available(&self) -> InputSet {
        InputSet {
            features: self.features.is_some(),
            pred_probs: self.pred_probs.is_some(),
            knn_graph: self.knn_graph.is_some(),
        }
    }
}

/// A check that raised: cleanlab prints `Error in <name>: <message>` and carries on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckFailure {
    /// The issue type.
    pub issue_type: String,
    /// The error message.
    pub message: String,
}

/// What the audit keeps of one checked issue type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedType {
    /// Issue type name.
    pub name: String,
    /// Description for the report.
    pub description: String,
    /// Info keys the report prints, by verbosity level.
    pub report_keys: Vec<(u8, String)>,
    /// Extra per-example columns for `get_issues(name)`.
    pub extra_columns: Vec<Column>,
    /// `get_info(name)`.
    pub info: Map<String, Value>,
}

/// A dataset audit (cleanlab's `Datalab` for classification).
///
/// Build it from the labels, call [`find_issues`](Self::find_issues) with whatever inputs
/// you have, then read the [`issues`](Self::issues) table, the
/// [`issue_summary`](Self::issue_summary), per-type [`get_info`](Self::get_info), or print
/// the [`report`](Self::report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Datalab {
    pub(crate) labels: Vec<usize>,
    pub(crate) class_names: Vec<ClassName>,
    pub(crate) issues: IssuesTable,
    pub(crate) summary: Vec<SummaryRow>,
    pub(crate) checked: Vec<CheckedType>,
    pub(crate) failures: Vec<CheckFailure>,
    pub(crate) statistics: Map<String, Value>,
}

impl Datalab {
    /// A new audit of a labelled classification dataset. Labels may be integers, floats,
    /// booleans or strings; the sorted unique values become classes `0..K` (cleanlab's
    /// label map). A missing label (NaN, `None`) is an error, as in cleanlab.
    pub fn new(labels: impl Into<RawLabels>) -> Result<Self> {
        let (labels, class_names) = map_labels(&labels.into())?;
        let n = labels.len();
        let mut statistics = Map::new();
        statistics.insert("num_examples".into(), json!(n));
        statistics.insert("multi_label".into(), json!(false));
        statistics.insert("health_score".into(), Value::Null);
        statistics.insert(
            "class_names".into(),
            json!(
                class_names
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ),
        );
        statistics.insert("num_classes".into(), json!(class_names.len()));
        Ok(Self {
            labels,
            class_names,
            issues: IssuesTable::new(n),
            summary: Vec::new(),
            checked: Vec::new(),
            failures: Vec::new(),
            statistics,
        })
    }

    /// Class index of each example.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The original value of each class (cleanlab's `class_names`).
    pub fn class_names(&self) -> &[ClassName] {
        &self.class_names
    }

    /// Number of examples.
    pub fn num_examples(&self) -> usize {
        self.labels.len()
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }

    /// cleanlab's `list_default_issue_types()`.
    pub fn list_default_issue_types() -> &'static [&'static str] {
        &DEFAULT_ISSUE_TYPES
    }

    /// cleanlab's `list_possible_issue_types()` (built-in types).
    pub fn list_possible_issue_types() -> &'static [&'static str] {
        &POSSIBLE_ISSUE_TYPES
    }

    fn check_inputs(&self, inputs: &FindIssuesInputs<'_>) -> Result<()> {
        let n = self.num_examples();
        let rows = |what: &'static str, found: usize| -> Result<()> {
            if found == n {
                Ok(())
            } else {
                Err(CoreError::Shape {
                    what,
                    expected: format!("{n} rows (one per label)"),
                    found: format!("{found} rows"),
                }
                .into())
            }
        };
        if let Some(f) = inputs.features {
            rows("features", f.nrows())?;
        }
        if let Some(p) = inputs.pred_probs {
            rows("pred_probs", p.nrows())?;
            let k = p.dim().1;
            if k < self.num_classes() {
                return Err(CoreError::Shape {
                    what: "pred_probs",
                    expected: format!(
                        "at least {} columns, based on the number of classes in the labels",
                        self.num_classes()
                    ),
                    found: format!("{k} columns"),
                }
                .into());
            }
        }
        if let Some(g) = inputs.knn_graph {
            rows("knn_graph", g.n())?;
        }
        Ok(())
    }

    /// The checks to run, in order (cleanlab's orchestration rules: defaults ∩ available
    /// inputs, or the user's list; then the drop rules).
    fn plan(issue_types: Option<IssueTypes>, available: &InputSet) -> Vec<Box<dyn IssueCheck>> {
        match issue_types {
            None => IssueTypes::defaults()
                .checks
                .into_iter()
                .filter(|c| {
                    (c.needs_no_input() || c.accepts().intersects(available))
                        && c.should_run(available)
                })
                .collect(),
            Some(t) => t
                .checks
                .into_iter()
                .filter(|c| c.should_run(available))
                .collect(),
        }
    }

    /// Builds the shared kNN graph(s) once: the user's graph, or one graph of the features
    /// per distinct metric with the largest k any check asked for.
    fn build_graphs(
        checks: &[Box<dyn IssueCheck>],
        inputs: &FindIssuesInputs<'_>,
        available: &InputSet,
    ) -> Vec<SharedKnn> {
        if let Some(g) = inputs.knn_graph {
            return vec![SharedKnn {
                graph: Ok(g.clone()),
                metric: None,
                from_user: true,
            }];
        }
        let Some(features) = inputs.features else {
            return Vec::new();
        };
        let (n, d) = features.dim();
        let mut wanted: Vec<(Metric, usize)> = Vec::new();
        for c in checks {
            if let Some(KnnRequest { k, metric }) = c.knn_request(available) {
                let m = metric.unwrap_or_else(|| Metric::decide_default(n, d));
                match wanted.iter_mut().find(|(wm, _)| *wm == m) {
                    Some(slot) => slot.1 = slot.1.max(k),
                    None => wanted.push((m, k)),
                }
            }
        }
        wanted
            .into_iter()
            .map(|(metric, k)| {
                let opts = KnnOptions::default().n_neighbors(k).metric(metric);
                let graph = match &inputs.approximate_knn {
                    None => with_matrix!(features, |v| create_knn_graph_and_index(v, &opts)
                        .map(|(g, _)| g)),
                    Some(ivf) => {
                        with_matrix!(features, |v| IvfKnn::new(v, Some(k), Some(metric), ivf)
                            .and_then(|index| index.self_neighbors(k))
                            .and_then(|g| correct_knn_graph(v, &g)))
                    }
                }
                .map_err(|e| e.to_string());
                SharedKnn {
                    graph,
                    metric: Some(metric),
                    from_user: false,
                }
            })
            .collect()
    }

    /// Runs the issue checks (cleanlab's `find_issues`).
    ///
    /// `issue_types = None` runs the default types whose inputs are available; otherwise the
    /// given checks run in the given order. The shared kNN graph is built once, before any
    /// check, with the largest k any check needs, and every check reads the same immutable
    /// context, so results never depend on the order of checks (they run in parallel on
    /// rayon's pool). A check that fails is recorded in [`failures`](Self::failures) and
    /// the others still run; inconsistent inputs (row counts, too few `pred_probs` columns)
    /// are an error before any check runs.
    pub fn find_issues(
        &mut self,
        inputs: &FindIssuesInputs<'_>,
        issue_types: Option<IssueTypes>,
    ) -> Result<()> {
        self.check_inputs(inputs)?;
        let available = inputs.available();
        let checks = Self::plan(issue_types, &available);
        if checks.is_empty() {
            return Ok(());
        }
        let graphs = Self::build_graphs(&checks, inputs, &available);
        let n = self.num_examples();
        let results: Vec<Result<CheckOutput>> = {
            let ctx = CheckContext {
                labels: &self.labels,
                class_names: &self.class_names,
                features: inputs.features.as_ref().map(Matrix::reborrow),
                pred_probs: inputs.pred_probs.as_ref().map(Matrix::reborrow),
                graphs: &graphs,
            };
            checks
                .par_iter()
                .map(|c| {
                    let out = c.run(&ctx)?;
                    validate_output(c.name(), &out, n)?;
                    Ok(out)
                })
                .collect()
        };
        for (check, result) in checks.iter().zip(results) {
            match result {
                Ok(out) => self.merge(check.as_ref(), out),
                Err(e) => {
                    self.failures.retain(|f| f.issue_type != check.name());
                    self.failures.push(CheckFailure {
                        issue_type: check.name().to_owned(),
                        message: e.to_string(),
                    });
                }
            }
        }
        let scores: Vec<f64> = self.summary.iter().map(|r| r.score).collect();
        let health = if scores.is_empty() {
            Value::Null
        } else {
            json!(np_mean(&scores))
        };
        self.statistics.insert("health_score".into(), health);
        if let Some(g) = graphs.iter().find(|g| g.graph.is_ok()) {
            self.statistics
                .insert("knn_metric".into(), json!(g.metric.map(Metric::name)));
        }
        Ok(())
    }

    fn merge(&mut self, check: &dyn IssueCheck, out: CheckOutput) {
        let name = check.name().to_owned();
        let num_issues = out.is_issue.iter().filter(|&&b| b).count();
        self.issues.upsert(Column::new(
            format!("is_{name}_issue"),
            ColumnData::Bool(out.is_issue),
        ));
        self.issues.upsert(Column::new(
            format!("{name}_score"),
            ColumnData::Float(out.score),
        ));
        self.summary.retain(|r| r.issue_type != name);
        self.summary.push(SummaryRow {
            issue_type: name.clone(),
            score: out.summary_score,
            num_issues,
        });
        self.failures.retain(|f| f.issue_type != name);
        let entry = CheckedType {
            name: name.clone(),
            description: check.description().to_owned(),
            report_keys: check
                .report_keys()
                .iter()
                .map(|&(l, k)| (l, k.to_owned()))
                .collect(),
            extra_columns: out.extra_columns,
            info: out.info,
        };
        if let Some(slot) = self.checked.iter_mut().find(|c| c.name == name) {
            *slot = entry;
        } else {
            self.checked.push(entry);
        }
    }

    /// The per-example issues table (`get_issues()`): `is_<type>_issue` and `<type>_score`
    /// for every type checked, in check order.
    pub fn issues(&self) -> &IssuesTable {
        &self.issues
    }

    /// `get_issues(name)`: the columns whose name contains `name`, then the type's extra
    /// columns (`given_label`, `predicted_label`, `near_duplicate_sets`, ...).
    pub fn get_issues(&self, name: &str) -> Result<IssuesTable> {
        if self.issues.columns.is_empty() {
            return Err(DatalabError::NotAvailable(
                "No issues available for retrieval. Please check the following before using `get_issues`: run find_issues first".into(),
            ));
        }
        let checked = self.checked.iter().find(|c| c.name == name);
        let mut table = IssuesTable::new(self.num_examples());
        for c in &self.issues.columns {
            if c.name.contains(name) {
                table.columns.push(c.clone());
            }
        }
        if let Some(c) = checked {
            for col in &c.extra_columns {
                table.upsert(col.clone());
            }
        }
        if table.columns.is_empty() {
            return Err(DatalabError::NotAvailable(format!(
                "No columns found in issues DataFrame for issue type '{name}'"
            )));
        }
        Ok(table)
    }

    /// The summary (`get_issue_summary()`): one row per checked type, in check order.
    pub fn issue_summary(&self) -> &[SummaryRow] {
        &self.summary
    }

    /// `get_issue_summary(name)`.
    pub fn get_issue_summary(&self, name: &str) -> Result<&SummaryRow> {
        self.summary
            .iter()
            .find(|r| r.issue_type == name)
            .ok_or_else(|| {
                DatalabError::NotAvailable(format!("Issue type {name} not found in the summary."))
            })
    }

    /// `get_info(name)`: the type's info, or `"statistics"`.
    pub fn get_info(&self, name: &str) -> Result<&Map<String, Value>> {
        if name == "statistics" {
            return Ok(&self.statistics);
        }
        self.checked
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.info)
            .ok_or_else(|| {
                DatalabError::NotAvailable(format!(
                    "issue_name {name} not found in self.info. These have not been computed yet."
                ))
            })
    }

    /// The checked types, in order.
    pub fn checked_types(&self) -> &[CheckedType] {
        &self.checked
    }

    /// Checks that failed (and were skipped), with their error messages.
    pub fn failures(&self) -> &[CheckFailure] {
        &self.failures
    }

    /// The mean summary score (`info["statistics"]["health_score"]`), once checks ran.
    pub fn health_score(&self) -> Option<f64> {
        self.statistics.get("health_score").and_then(Value::as_f64)
    }
}

/// cleanlab's `make_summary` check (score in [0, 1]) plus shape checks of a custom check's
/// output.
fn validate_output(name: &str, out: &CheckOutput, n: usize) -> Result<()> {
    if out.is_issue.len() != n || out.score.len() != n {
        return Err(DatalabError::check(
            name,
            format!(
                "returned {} flags and {} scores for {n} examples",
                out.is_issue.len(),
                out.score.len()
            ),
        ));
    }
    if let Some(c) = out.extra_columns.iter().find(|c| c.data.len() != n) {
        return Err(DatalabError::check(
            name,
            format!("extra column {} has {} rows, not {n}", c.name, c.data.len()),
        ));
    }
    if !(0.0..=1.0).contains(&out.summary_score) {
        return Err(DatalabError::check(
            name,
            format!("Score must be between 0 and 1. Got {}.", out.summary_score),
        ));
    }
    Ok(())
}
