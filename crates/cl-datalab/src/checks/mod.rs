//! The built-in issue types, each an [`IssueCheck`](crate::IssueCheck).

mod class_imbalance;
mod data_valuation;
mod label;
mod near_duplicate;
mod non_iid;
mod null;
mod outlier;
mod underperforming_group;

pub use class_imbalance::ClassImbalance;
pub use data_valuation::DataValuation;
pub use label::Label;
pub use near_duplicate::NearDuplicate;
pub use non_iid::NonIid;
pub use null::Null;
pub use outlier::{DEFAULT_FEATURES_THRESHOLD, DEFAULT_PRED_PROBS_THRESHOLD, Outlier};
pub use underperforming_group::{UnderperformingGroup, dbscan_knn};
