//! Labels as given (integers, floats, strings, booleans) mapped to class indices the way
//! cleanlab's Datalab does: the sorted unique values become classes `0..K`.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{DatalabError, Result};

/// The original value of one class (cleanlab's `label_map` values, `class_names`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ClassName {
    /// A boolean label.
    Bool(bool),
    /// An integer label.
    Int(i64),
    /// A floating-point label.
    Float(f64),
    /// A string label.
    Str(String),
}

impl fmt::Display for ClassName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClassName::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            ClassName::Int(i) => write!(f, "{i}"),
            ClassName::Float(x) => {
                if x.fract() == 0.0 && x.abs() < 1e16 {
                    write!(f, "{x:.1}")
                } else {
                    write!(f, "{x}")
                }
            }
            ClassName::Str(s) => f.write_str(s),
        }
    }
}

/// Labels as supplied by the user, before mapping to classes. `None` (or NaN for floats)
/// marks a missing label, which cleanlab rejects.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RawLabels {
    /// Integer labels.
    Int(Vec<i64>),
    /// Floating-point labels (NaN = missing).
    Float(Vec<f64>),
    /// String labels (`None` = missing).
    Str(Vec<Option<String>>),
    /// Boolean labels.
    Bool(Vec<bool>),
}

impl RawLabels {
    /// Number of labels.
    pub fn len(&self) -> usize {
        match self {
            RawLabels::Int(v) => v.len(),
            RawLabels::Float(v) => v.len(),
            RawLabels::Str(v) => v.len(),
            RawLabels::Bool(v) => v.len(),
        }
    }

    /// Whether there is no label.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<i64>> for RawLabels {
    fn from(v: Vec<i64>) -> Self {
        RawLabels::Int(v)
    }
}
impl From<&[i64]> for RawLabels {
    fn from(v: &[i64]) -> Self {
        RawLabels::Int(v.to_vec())
    }
}
impl From<Vec<usize>> for RawLabels {
    fn from(v: Vec<usize>) -> Self {
        RawLabels::Int(v.into_iter().map(|x| x as i64).collect())
    }
}
impl From<&[usize]> for RawLabels {
    fn from(v: &[usize]) -> Self {
        RawLabels::Int(v.iter().map(|&x| x as i64).collect())
    }
}
impl From<Vec<f64>> for RawLabels {
    fn from(v: Vec<f64>) -> Self {
        RawLabels::Float(v)
    }
}
impl From<Vec<bool>> for RawLabels {
    fn from(v: Vec<bool>) -> Self {
        RawLabels::Bool(v)
    }
}
impl From<Vec<String>> for RawLabels {
    fn from(v: Vec<String>) -> Self {
        RawLabels::Str(v.into_iter().map(Some).collect())
    }
}
impl From<Vec<Option<String>>> for RawLabels {
    fn from(v: Vec<Option<String>>) -> Self {
        RawLabels::Str(v)
    }
}
impl From<&[&str]> for RawLabels {
    fn from(v: &[&str]) -> Self {
        RawLabels::Str(v.iter().map(|s| Some((*s).to_owned())).collect())
    }
}
impl From<Vec<&str>> for RawLabels {
    fn from(v: Vec<&str>) -> Self {
        RawLabels::from(v.as_slice())
    }
}

/// Sorted unique values and each value's class index (`np.unique` with `return_inverse`).
fn map_sorted<T: Clone, F: Fn(&T, &T) -> Ordering>(values: &[T], cmp: F) -> (Vec<T>, Vec<usize>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| cmp(&values[a], &values[b]));
    let mut uniques: Vec<T> = Vec::new();
    let mut idx = vec![0usize; values.len()];
    for &i in &order {
        let new = uniques
            .last()
            .is_none_or(|u| cmp(u, &values[i]) != Ordering::Equal);
        if new {
            uniques.push(values[i].clone());
        }
        idx[i] = uniques.len() - 1;
    }
    (uniques, idx)
}

/// Maps raw labels to `(class indices, class names)` as Datalab does: the sorted unique
/// values (numbers numerically, strings lexicographically by bytes, `false` before `true`)
/// become classes `0..K`. A missing label is an error naming its row.
pub fn map_labels(raw: &RawLabels) -> Result<(Vec<usize>, Vec<ClassName>)> {
    if raw.is_empty() {
        return Err(cl_core::CoreError::Empty { what: "labels" }.into());
    }
    Ok(match raw {
        RawLabels::Int(v) => {
            let (u, i) = map_sorted(v, Ord::cmp);
            (i, u.into_iter().map(ClassName::Int).collect())
        }
        RawLabels::Bool(v) => {
            let (u, i) = map_sorted(v, Ord::cmp);
            (i, u.into_iter().map(ClassName::Bool).collect())
        }
        RawLabels::Float(v) => {
            if let Some(row) = v.iter().position(|x| x.is_nan()) {
                return Err(DatalabError::MissingLabel { row });
            }
            let (u, i) = map_sorted(v, f64::total_cmp);
            (i, u.into_iter().map(ClassName::Float).collect())
        }
        RawLabels::Str(v) => {
            if let Some(row) = v.iter().position(Option::is_none) {
                return Err(DatalabError::MissingLabel { row });
            }
            let s: Vec<&String> = v.iter().flatten().collect();
            let (u, i) = map_sorted(&s, |a, b| a.as_bytes().cmp(b.as_bytes()));
            (
                i,
                u.into_iter().map(|s| ClassName::Str(s.clone())).collect(),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_map_sorted() {
        let (idx, names) = map_labels(&RawLabels::from(vec!["b", "a", "c", "a", "b"])).unwrap();
        assert_eq!(idx, vec![1, 0, 2, 0, 1]);
        assert_eq!(names[2], ClassName::Str("c".into()));
    }

    #[test]
    fn ints_map_sorted() {
        let (idx, names) = map_labels(&RawLabels::from(vec![3_i64, 1, 1, 3, 7])).unwrap();
        assert_eq!(idx, vec![1, 0, 0, 1, 2]);
        assert_eq!(
            names,
            vec![ClassName::Int(1), ClassName::Int(3), ClassName::Int(7)]
        );
    }

    #[test]
    fn missing_labels_are_errors() {
        let e = map_labels(&RawLabels::Float(vec![0.0, 1.0, f64::NAN])).unwrap_err();
        assert_eq!(e, DatalabError::MissingLabel { row: 2 });
        let e = map_labels(&RawLabels::Str(vec![Some("a".into()), None])).unwrap_err();
        assert_eq!(e, DatalabError::MissingLabel { row: 1 });
        assert!(map_labels(&RawLabels::Int(vec![])).is_err());
    }
}
