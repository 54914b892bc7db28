//! The built-in issue types, each an [`IssueCheck`](crate::IssueCheck).

mod class_imbalance;
mod label;
mod near_duplicate;
mod non_iid;
mod null;
mod underperforming_group;

pub use class_imbalance::ClassImbalance;
pub use label::Label;
pub use near_duplicate::NearDuplicate;
pub use non_iid::NonIid;
pub use null::Null;
pub use underperforming_group::{UnderperformingGroup, dbscan_knn};
