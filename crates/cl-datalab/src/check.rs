//! The issue-check trait every issue type implements, and what a check sees and returns.
//!
//! # Why not `cl_core::traits::IssueFinder`
//!
//! cl-core's `IssueFinder` returns only a flag and a score per example, with a `CoreError`.
//! A Datalab check also returns a dataset-level summary score, extra per-example columns
//! (near-duplicate sets, given/predicted labels) and a free-form info map, declares which
//! inputs it consumes and how many neighbours it needs from the shared kNN graph (so the
//! graph is built once, with the largest k, before any check runs), and fails with this
//! crate's error. [`IssueCheck`] is that richer contract; every [`IssueCheck`] can still be
//! used where an `IssueFinder` is expected through [`AsIssueFinder`].

use std::fmt;

use cl_core::neighbors::{KnnGraph, Metric};
use cl_core::traits::{ExampleIssues, IssueFinder};
use cl_core::{CoreError, Real};
use ndarray::ArrayView2;
use serde_json::{Map, Value};

use crate::error::{DatalabError, Result};
use crate::labels::ClassName;
use crate::table::Column;

/// A borrowed N×D matrix of `f32` or `f64` (features or `pred_probs`).
#[derive(Debug, Clone, Copy)]
pub enum Matrix<'a> {
    /// Single precision.
    F32(ArrayView2<'a, f32>),
    /// Double precision.
    F64(ArrayView2<'a, f64>),
}

impl Matrix<'_> {
    /// The same matrix borrowed for a shorter lifetime (ndarray views are invariant in
    /// their lifetime, so this is a re-view rather than a coercion).
    pub fn reborrow(&self) -> Matrix<'_> {
        match self {
            Matrix::F32(v) => Matrix::F32(v.view()),
            Matrix::F64(v) => Matrix::F64(v.view()),
        }
    }

    /// (rows, columns).
    pub fn dim(&self) -> (usize, usize) {
        match self {
            Matrix::F32(v) => v.dim(),
            Matrix::F64(v) => v.dim(),
        }
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.dim().0
    }

    /// Value at `[i, j]` widened to f64.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        match self {
            Matrix::F32(v) => f64::from(v[[i, j]]),
            Matrix::F64(v) => v[[i, j]],
        }
    }
}

impl<'a> From<ArrayView2<'a, f64>> for Matrix<'a> {
    fn from(v: ArrayView2<'a, f64>) -> Self {
        Matrix::F64(v)
    }
}
impl<'a> From<ArrayView2<'a, f32>> for Matrix<'a> {
    fn from(v: ArrayView2<'a, f32>) -> Self {
        Matrix::F32(v)
    }
}
impl<'a> From<&'a ndarray::Array2<f64>> for Matrix<'a> {
    fn from(v: &'a ndarray::Array2<f64>) -> Self {
        Matrix::F64(v.view())
    }
}
impl<'a> From<&'a ndarray::Array2<f32>> for Matrix<'a> {
    fn from(v: &'a ndarray::Array2<f32>) -> Self {
        Matrix::F32(v.view())
    }
}

/// Calls `$body` with `$v` bound to the matrix's view in its element type.
macro_rules! with_matrix {
    ($m:expr, |$v:ident| $body:expr) => {
        match $m {
            $crate::check::Matrix::F32($v) => $body,
            $crate::check::Matrix::F64($v) => $body,
        }
    };
}
pub(crate) use with_matrix;

/// Which of `find_issues`'s inputs are available (or which a check accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InputSet {
    /// Feature matrix.
    pub features: bool,
    /// Predicted probabilities.
    pub pred_probs: bool,
    /// A precomputed kNN graph.
    pub knn_graph: bool,
}

impl InputSet {
    /// Whether any input of `self` is also in `other`.
    pub fn intersects(&self, other: &InputSet) -> bool {
        (self.features && other.features)
            || (self.pred_probs && other.pred_probs)
            || (self.knn_graph && other.knn_graph)
    }
}

/// What a check asks of the shared kNN graph of the features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnnRequest {
    /// At least this many neighbours per row.
    pub k: usize,
    /// An explicit metric (`None`: cleanlab's default for the features).
    pub metric: Option<Metric>,
}

/// The kNN graph shared by all checks of one `find_issues` call: built once, before any
/// check runs, with the largest k any check asked for (or the user's graph as given).
#[derive(Debug, Clone)]
pub struct SharedKnn {
    /// The graph, or why it could not be built (e.g. NaN features), reported by every check
    /// that needs it.
    pub graph: std::result::Result<KnnGraph, String>,
    /// The metric it was built with (`None` for a user-supplied graph).
    pub metric: Option<Metric>,
    /// Whether the user passed it to `find_issues`.
    pub from_user: bool,
}

/// Everything a check may read: labels, inputs and the shared graph(s). Immutable: checks
/// never see each other's results, so their order cannot change them.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext<'a> {
    /// Class index per example.
    pub labels: &'a [usize],
    /// Class names (`label_map` values) by class index.
    pub class_names: &'a [ClassName],
    /// Features, if given.
    pub features: Option<Matrix<'a>>,
    /// `pred_probs`, if given.
    pub pred_probs: Option<Matrix<'a>>,
    pub(crate) graphs: &'a [SharedKnn],
}

impl<'a> CheckContext<'a> {
    /// Number of examples.
    pub fn num_examples(&self) -> usize {
        self.labels.len()
    }

    /// Number of classes (distinct labels).
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The shared graph for `request` (the one built for its metric, or the user's graph):
    /// `Ok(None)` when there are neither features nor a graph, an error when the graph
    /// could not be built.
    pub fn knn(&self, request: &KnnRequest) -> Result<Option<(&'a KnnGraph, Option<Metric>)>> {
        let want = self.features.map(|f| {
            request.metric.unwrap_or_else(|| {
                let (n, d) = f.dim();
                Metric::decide_default(n, d)
            })
        });
        let found = self.graphs.iter().find(|g| g.from_user).or_else(|| {
            self.graphs
                .iter()
                .find(|g| g.metric == want && want.is_some())
        });
        match found {
            None => Ok(None),
            Some(g) => match &g.graph {
                Ok(graph) => Ok(Some((graph, g.metric))),
                Err(msg) => Err(DatalabError::Core(CoreError::InvalidParameter {
                    name: "features",
                    reason: msg.clone(),
                })),
            },
        }
    }

    /// Whether a kNN graph is (or can be) available: features or a user graph.
    pub fn has_graph_source(&self) -> bool {
        self.features.is_some() || self.graphs.iter().any(|g| g.from_user)
    }
}

/// What one check returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckOutput {
    /// `is_<type>_issue` per example.
    pub is_issue: Vec<bool>,
    /// `<type>_score` per example (in [0, 1], lower = worse).
    pub score: Vec<f64>,
    /// The dataset-level score for the summary, in [0, 1].
    pub summary_score: f64,
    /// Extra per-example columns that `get_issues(<type>)` adds (not part of the main
    /// issues table).
    pub extra_columns: Vec<Column>,
    /// Per-type information (`get_info(<type>)`).
    pub info: Map<String, Value>,
}

/// One issue type of a Datalab audit. Implement it to add your own (see the crate docs).
pub trait IssueCheck: Send + Sync + fmt::Debug {
    /// The issue type's name, e.g. `"label"`; used in column names (`is_<name>_issue`,
    /// `<name>_score`).
    fn name(&self) -> &str;

    /// The inputs the check can consume. A check none of whose inputs are available is not
    /// run when it comes from the default list (cleanlab's rule), unless it needs none.
    fn accepts(&self) -> InputSet;

    /// Whether the check runs without any of the three inputs (labels only), like
    /// `class_imbalance`.
    fn needs_no_input(&self) -> bool {
        false
    }

    /// Whether the check runs at all given the available inputs (cleanlab's drop rules,
    /// e.g. `underperforming_group` needs `pred_probs`). Default: always.
    fn should_run(&self, available: &InputSet) -> bool {
        let _ = available;
        true
    }

    /// The neighbours the check needs from the shared graph of the features, if it would
    /// use it given the available inputs.
    fn knn_request(&self, available: &InputSet) -> Option<KnnRequest> {
        let _ = available;
        None
    }

    /// A one-paragraph description for the report.
    fn description(&self) -> &'static str {
        ""
    }

    /// Info keys the report prints under "Additional Information", by verbosity level.
    fn report_keys(&self) -> &[(u8, &'static str)] {
        &[]
    }

    /// Runs the check.
    fn run(&self, ctx: &CheckContext<'_>) -> Result<CheckOutput>;
}

/// Adapter exposing an [`IssueCheck`] as a `cl_core` [`IssueFinder`] over a
/// [`CheckContext`] (flags and scores only; the error becomes a `CoreError`).
#[derive(Debug)]
pub struct AsIssueFinder<'c>(pub &'c dyn IssueCheck);

impl<'a> IssueFinder<CheckContext<'a>> for AsIssueFinder<'_> {
    fn issue_type(&self) -> &str {
        self.0.name()
    }

    fn find_issues(&self, context: &CheckContext<'a>) -> Result<ExampleIssues, CoreError> {
        match self.0.run(context) {
            Ok(out) => Ok(ExampleIssues {
                is_issue: out.is_issue,
                score: out.score,
            }),
            Err(DatalabError::Core(e)) => Err(e),
            Err(e) => Err(CoreError::InvalidParameter {
                name: "issue check",
                reason: e.to_string(),
            }),
        }
    }
}

/// `np.mean` of a slice (numpy's pairwise summation).
pub(crate) fn np_mean(v: &[f64]) -> f64 {
    cl_core::numerics::mean(v)
}

/// Self-confidence `p[i, y_i]` widened to f64.
pub(crate) fn self_confidence<T: Real>(p: ArrayView2<'_, T>, labels: &[usize]) -> Vec<f64> {
    labels
        .iter()
        .enumerate()
        .map(|(i, &y)| p[[i, y]].to_f64x())
        .collect()
}
