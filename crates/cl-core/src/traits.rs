//! The small traits that task crates implement and that users implement to plug in their
//! own models, neighbour indices and issue checks.
//!
//! Each trait has one required method where possible. None of them spawns threads on its
//! own: parallel implementations use rayon's current pool, so a caller controls the thread
//! count with `rayon::ThreadPool::install`, and results must not depend on it.

use ndarray::{Array1, Array2, ArrayView2};

use crate::error::CoreError;

/// A probabilistic classifier's hyper-parameters: fitting borrows them (`&self`) and returns
/// a separate fitted model, so cross-validation folds can be fitted in parallel without
/// cloning the estimator (cleanlab's `sklearn.base.clone`).
pub trait ProbabilisticClassifier: Sync {
    /// The fitted model.
    type Fitted: FittedClassifier;

    /// Fits on features `x` (N×D) and labels `y` (each in `0..num_classes`), optionally
    /// weighting each example. The fitted model must know all `num_classes` classes, even
    /// those absent from `y`.
    fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        num_classes: usize,
        sample_weight: Option<&[f64]>,
    ) -> Result<Self::Fitted, CoreError>;
}

/// A fitted classifier.
pub trait FittedClassifier: Send + Sync {
    /// Predicted class probabilities, N×K with column `k` for class `k` (the class order is
    /// guaranteed, unlike scikit-learn's `classes_`). Rows sum to 1.
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, CoreError>;

    /// Predicted class per row: the first index of the row maximum of
    /// [`predict_proba`](Self::predict_proba) (numpy's `argmax`).
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>, CoreError> {
        let p = self.predict_proba(x)?;
        Ok(p.rows()
            .into_iter()
            .map(|row| crate::numerics::argmax(row.iter().copied()).unwrap_or(0))
            .collect())
    }
}

/// A regressor's hyper-parameters; fitting returns a separate fitted model.
pub trait Regressor: Sync {
    /// The fitted model.
    type Fitted: FittedRegressor;

    /// Fits on features `x` (N×D) and targets `y` (N), optionally weighting each example.
    fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        sample_weight: Option<&[f64]>,
    ) -> Result<Self::Fitted, CoreError>;
}

/// A fitted regressor.
pub trait FittedRegressor: Send + Sync {
    /// Predicted target per row.
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>, CoreError>;
}

/// The k nearest neighbours of a set of points: the [`KnnGraph`](crate::neighbors::KnnGraph)
/// (row `i` lists the neighbours of point `i`, nearest first, ties in ascending index order
/// for the exact index).
pub type Neighbors = crate::neighbors::KnnGraph;

/// An index over a fixed set of points that answers k-nearest-neighbour queries (cleanlab's
/// fitted `NearestNeighbors`). Implemented by the exact
/// [`ExactKnn`](crate::neighbors::ExactKnn); approximate indices implement it too, but
/// never feed parity tests.
pub trait NeighborIndex: Sync {
    /// Number of indexed points.
    fn len(&self) -> usize;

    /// Whether the index holds no point.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The k the index was configured with (`knn.n_neighbors`).
    fn n_neighbors(&self) -> usize;

    /// The `k` nearest indexed points of every indexed point, excluding the point itself
    /// (cleanlab's `NearestNeighbors.kneighbors()` with no query).
    fn self_neighbors(&self, k: usize) -> Result<Neighbors, CoreError>;
}

/// Per-example result of one issue check: a flag and a quality score per example
/// (score in [0, 1], lower means more likely an issue).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExampleIssues {
    /// `is_<type>_issue` column.
    pub is_issue: Vec<bool>,
    /// `<type>_score` column.
    pub score: Vec<f64>,
}

/// One kind of issue check (label, outlier, near-duplicate, ...), run over a context `C`
/// that holds the dataset and the model outputs (defined by the crate that runs checks).
pub trait IssueFinder<C: ?Sized>: Send + Sync {
    /// The issue type's name, e.g. `"label"`, used in column names.
    fn issue_type(&self) -> &str;

    /// Runs the check.
    fn find_issues(&self, context: &C) -> Result<ExampleIssues, CoreError>;
}
