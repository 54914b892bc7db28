//! # cl-datalab
//!
//! cleanlab 2.9.0's `Datalab` for classification: one call audits a dataset for label
//! issues, outliers, near-duplicates, non-IID ordering, class imbalance, missing values,
//! underperforming groups and (opt-in) low data valuation, with cleanlab's numbers.
//!
//! ```
//! use cl_datalab::{Datalab, FindIssuesInputs};
//! use ndarray::Array2;
//!
//! // 60 examples in two 2-D blobs; pred_probs from the blob; one label flipped.
//! let n = 60;
//! let mut x = Array2::<f64>::zeros((n, 2));
//! let mut p = Array2::<f64>::zeros((n, 2));
//! let mut y = Vec::new();
//! for i in 0..n {
//!     let c = i % 2;
//!     let t = i as f64 * 0.37;
//!     x[[i, 0]] = c as f64 * 5.0 + t.sin();
//!     x[[i, 1]] = t.cos();
//!     let conf = 0.8 + 0.15 * (t * 1.3).sin().abs();
//!     p[[i, c]] = conf;
//!     p[[i, 1 - c]] = 1.0 - conf;
//!     y.push(if i == 7 { "cat" } else if c == 0 { "cat" } else { "dog" });
//! }
//! let mut lab = Datalab::new(y)?;
//! lab.find_issues(&FindIssuesInputs::new().features(&x).pred_probs(&p), None)?;
//! assert!(lab.get_issues("label")?.column("is_label_issue").is_some());
//! assert_eq!(lab.issue_summary()[0].issue_type, "null");
//! println!("{}", lab.report(&Default::default())?);
//! # Ok::<(), cl_datalab::DatalabError>(())
//! ```
//!
//! ## Your own issue type
//!
//! Implement [`IssueCheck`] and add it to an [`IssueTypes`] list:
//!
//! ```
//! use cl_datalab::{CheckContext, CheckOutput, Datalab, FindIssuesInputs, InputSet, IssueCheck, IssueTypes};
//! use cl_datalab::checks::ClassImbalance;
//!
//! /// Flags examples whose first feature is negative.
//! #[derive(Debug)]
//! struct NegativeFirstFeature;
//!
//! impl IssueCheck for NegativeFirstFeature {
//!     fn name(&self) -> &str { "negative_first_feature" }
//!     fn accepts(&self) -> InputSet { InputSet { features: true, ..InputSet::default() } }
//!     fn run(&self, ctx: &CheckContext<'_>) -> cl_datalab::Result<CheckOutput> {
//!         let f = ctx.features.expect("accepts() asks for features");
//!         let score: Vec<f64> = (0..f.nrows()).map(|i| if f.get(i, 0) < 0.0 { 0.0 } else { 1.0 }).collect();
//!         let is_issue = score.iter().map(|&s| s == 0.0).collect();
//!         let summary_score = score.iter().sum::<f64>() / score.len() as f64;
//!         Ok(CheckOutput { is_issue, score, summary_score, ..CheckOutput::default() })
//!     }
//! }
//!
//! let x = ndarray::array![[1.0, 0.0], [-1.0, 2.0], [3.0, 1.0], [0.5, 0.5]];
//! let mut lab = Datalab::new(vec![0_i64, 1, 0, 1])?;
//! let types = IssueTypes::new().with(NegativeFirstFeature).with(ClassImbalance::default());
//! lab.find_issues(&FindIssuesInputs::new().features(&x), Some(types))?;
//! assert_eq!(lab.get_issue_summary("negative_first_feature")?.num_issues, 1);
//! assert_eq!(lab.issues().column_names(), ["is_negative_first_feature_issue", "negative_first_feature_score",
//!     "is_class_imbalance_issue", "class_imbalance_score"]);
//! # Ok::<(), cl_datalab::DatalabError>(())
//! ```
//!
//! # Differences from cleanlab
//!
//! * **One kNN graph.** cleanlab builds a graph in the first check that needs one (with
//!   that check's k) and later checks reuse it if it is large enough, so results can
//!   depend on check order. Here the graph is built once, before any check, with the
//!   largest k any check asks for (one graph per distinct metric), and every check uses all
//!   its stored neighbours, as cleanlab's checks do. With cleanlab's default k = 10 for all
//!   checks both agree exactly.
//! * Checks run in parallel and never see each other's results; output order is the check
//!   order.
//! * Failures are kept in [`Datalab::failures`] instead of being printed.
//! * Report descriptions are this crate's own wording; tie order among equal scores is
//!   ascending index (cleanlab's pandas quicksort order is unspecified).
//! * `non_iid`'s `seed=None` (use numpy's global RNG) is not supported: the seed is always
//!   explicit (default 0, as cleanlab's).
//! * `pred_probs` with fewer columns than there are classes is rejected before any check
//!   runs.
//! * `outlier` on the `pred_probs` path ignores parameters that only apply to the kNN path
//!   (`k`, `t`, `metric`, `scaling_factor`); cleanlab forwards them to
//!   `OutOfDistribution.fit_score`, which raises, so the check fails there (see
//!   [`checks::Outlier`]).

pub mod check;
pub mod checks;
mod datalab;
mod error;
pub mod html;
pub mod issue_types;
mod labels;
pub mod persist;
pub mod report;
mod table;

pub use check::{
    AsIssueFinder, CheckContext, CheckOutput, InputSet, IssueCheck, KnnRequest, Matrix, SharedKnn,
};
pub use datalab::{CheckFailure, CheckedType, Datalab, FindIssuesInputs};
pub use error::{DatalabError, Result};
pub use issue_types::IssueTypes;
pub use labels::{ClassName, RawLabels, map_labels};
pub use report::ReportOptions;
pub use table::{Column, ColumnData, IssuesTable, SummaryRow};
