//! Validated inputs, built once at the boundary of every public entry point.
//!
//! * [`PredProbs`] wraps a borrowed N×K view of predicted probabilities (`f32` or `f64`);
//!   it is never copied.
//! * [`Labels`] holds the given labels as class indices in `0..K`, with per-class counts.
//!
//! Inner code takes only these types, so it never re-checks shapes or ranges.
//!
//! # Differences from cleanlab
//!
//! cleanlab does not reject NaN in `pred_probs` (its range test is false for NaN, and NaN
//! then silently poisons a class threshold). Here NaN and ±inf are rejected with
//! [`CoreError::NonFinite`] naming the row and column.
//!
//! ```
//! use cl_core::input::validate;
//! use ndarray::array;
//!
//! let p = array![[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]];
//! let (labels, probs) = validate(&[0_i64, 1, 1], p.view())?;
//! assert_eq!(labels.class_counts(), &[1, 2]);
//! assert_eq!(probs.num_classes(), 2);
//!
//! let bad = array![[0.9, f64::NAN]];
//! assert!(validate(&[0_i64], bad.view()).is_err());
//! # Ok::<(), cl_core::CoreError>(())
//! ```

use std::borrow::Cow;

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::constants::FLOATING_POINT_COMPARISON;
use crate::error::{CoreError, Result};
use crate::float::Real;

/// A validated N×K matrix of predicted class probabilities (row `i`, column `k`: the model's
/// probability that example `i` belongs to class `k`).
///
/// Guarantees: N ≥ 1, K ≥ 1, every value finite and within `[-1e-6, 1 + 1e-6]` (cleanlab's
/// tolerance). Rows are not required to sum to 1, as in cleanlab.
#[derive(Debug, Clone, Copy)]
pub struct PredProbs<'a, T: Real> {
    view: ArrayView2<'a, T>,
}

impl<'a, T: Real> PredProbs<'a, T> {
    /// Validates a borrowed view (any memory layout).
    pub fn new(view: ArrayView2<'a, T>) -> Result<Self> {
        let (n, k) = view.dim();
        if n == 0 {
            return Err(CoreError::Empty { what: "pred_probs" });
        }
        if k == 0 {
            return Err(CoreError::Shape {
                what: "pred_probs",
                expected: "at least one column".into(),
                found: format!("{n}×0"),
            });
        }
        // Checked in parallel over fixed row blocks; the first bad value in row-major order
        // is reported, whatever the thread count.
        let first_bad = (0..n.div_ceil(VALIDATION_BLOCK_ROWS))
            .into_par_iter()
            .map(|b| {
                let lo = b * VALIDATION_BLOCK_ROWS;
                let hi = (lo + VALIDATION_BLOCK_ROWS).min(n);
                check_rows(view.slice(ndarray::s![lo..hi, ..]), lo).err()
            })
            .find_first(Option::is_some)
            .flatten();
        if let Some(err) = first_bad {
            return Err(err);
        }
        Ok(Self { view })
    }

    /// The underlying view.
    #[inline]
    pub fn view(&self) -> ArrayView2<'a, T> {
        self.view
    }

    /// Number of examples N.
    #[inline]
    pub fn num_rows(&self) -> usize {
        self.view.nrows()
    }

    /// Number of classes K.
    #[inline]
    pub fn num_classes(&self) -> usize {
        self.view.ncols()
    }

    /// Requires at least `min` classes (columns).
    pub fn require_num_classes(&self, min: usize) -> Result<()> {
        if self.num_classes() < min {
            return Err(CoreError::Shape {
                what: "pred_probs",
                expected: format!("at least {min} columns"),
                found: format!("{} columns", self.num_classes()),
            });
        }
        Ok(())
    }
}

/// Rows per parallel validation block.
const VALIDATION_BLOCK_ROWS: usize = 4096;

/// Checks the values of a block of `pred_probs` rows (finite, within `[-1e-6, 1 + 1e-6]`),
/// the element-wise part of [`PredProbs::new`], for callers that fuse validation into their
/// own pass over the data (validating each block just before using it, while it is in
/// cache). `first_row` is the block's first row in the whole matrix: the error names the
/// first bad value of the block in row-major order, with its global row. Checking every
/// block and keeping the error of the lowest block gives exactly [`PredProbs::new`]'s error.
///
/// ```
/// use cl_core::input::check_rows;
/// use cl_core::CoreError;
/// use ndarray::array;
///
/// let block = array![[0.5, 0.5], [f64::NAN, 1.0]];
/// let err = check_rows(block.view(), 100).unwrap_err();
/// assert!(matches!(err, CoreError::NonFinite { row: 101, col: 0, .. }));
/// ```
#[inline]
pub fn check_rows<T: Real>(block: ArrayView2<'_, T>, first_row: usize) -> Result<()> {
    match block
        .rows()
        .into_iter()
        .enumerate()
        .find_map(|(r, row)| check_row(row, first_row + r))
    {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// The error for the first non-finite or out-of-range value of a row, if any.
#[inline]
fn check_row<T: Real>(r: ndarray::ArrayView1<'_, T>, row: usize) -> Option<CoreError> {
    let low = -FLOATING_POINT_COMPARISON;
    let high = 1.0 + FLOATING_POINT_COMPARISON;
    // Fast vectorised test of the whole row; the element-wise scan below only runs to
    // locate a bad value.
    if let Some(s) = r.to_slice()
        && crate::kernels::all_within(s, low, high)
    {
        return None;
    }
    for (col, &v) in r.iter().enumerate() {
        let v = v.to_f64x();
        if !(v >= low && v <= high) {
            return Some(if v.is_finite() {
                CoreError::OutOfRange {
                    what: "pred_probs",
                    row,
                    col,
                    value: v,
                    low: 0.0,
                    high: 1.0,
                }
            } else {
                CoreError::NonFinite {
                    what: "pred_probs",
                    row,
                    col,
                    value: v,
                }
            });
        }
    }
    None
}

/// An integer type labels may be given in.
pub trait LabelValue: Copy + Send + Sync + bytemuck::Pod {
    /// The value as a signed 64-bit integer (`None` if it does not fit).
    fn to_i64(self) -> Option<i64>;

    /// The labels viewed as `usize` without a copy, where the type has `usize`'s size
    /// (so a valid label, in `0..K`, reads as itself and a negative one as a huge value);
    /// `None` otherwise.
    fn as_usize_slice(labels: &[Self]) -> Option<&[usize]> {
        if std::mem::size_of::<Self>() != std::mem::size_of::<usize>() {
            return None;
        }
        bytemuck::try_cast_slice(labels).ok()
    }
}

macro_rules! label_value {
    ($($t:ty),*) => {$(
        impl LabelValue for $t {
            #[inline]
            fn to_i64(self) -> Option<i64> {
                i64::try_from(self).ok()
            }
        }
    )*};
}
label_value!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

/// Validated class labels: each an index in `0..num_classes`, with per-class counts.
///
/// `num_classes` normally comes from `pred_probs` (its column count); classes may be absent
/// from the labels, as cleanlab allows.
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    values: Cow<'a, [usize]>,
    num_classes: usize,
    counts: Vec<usize>,
}

impl<'a> Labels<'a> {
    /// Validates labels of any integer type against `num_classes`.
    pub fn new<L: LabelValue>(labels: &[L], num_classes: usize) -> Result<Labels<'static>> {
        if labels.is_empty() {
            return Err(CoreError::Empty { what: "labels" });
        }
        let mut out = Vec::with_capacity(labels.len());
        let mut counts = vec![0usize; num_classes];
        for (row, &l) in labels.iter().enumerate() {
            let v = l.to_i64().unwrap_or(i64::MAX);
            match usize::try_from(v) {
                Ok(c) if c < num_classes => {
                    counts[c] += 1;
                    out.push(c);
                }
                _ => {
                    return Err(CoreError::LabelOutOfRange {
                        row,
                        label: v,
                        num_classes,
                    });
                }
            }
        }
        Ok(Labels {
            values: Cow::Owned(out),
            num_classes,
            counts,
        })
    }

    /// Labels already converted and checked (every value `< num_classes`, `counts` their
    /// class counts) by a pass elsewhere in this crate.
    pub(crate) fn from_checked(
        values: Cow<'a, [usize]>,
        num_classes: usize,
        counts: Vec<usize>,
    ) -> Labels<'a> {
        Labels {
            values,
            num_classes,
            counts,
        }
    }

    /// Validates `usize` labels without copying them.
    pub fn from_usize(labels: &'a [usize], num_classes: usize) -> Result<Labels<'a>> {
        if labels.is_empty() {
            return Err(CoreError::Empty { what: "labels" });
        }
        let mut counts = vec![0usize; num_classes];
        for (row, &c) in labels.iter().enumerate() {
            if c >= num_classes {
                return Err(CoreError::LabelOutOfRange {
                    row,
                    label: i64::try_from(c).unwrap_or(i64::MAX),
                    num_classes,
                });
            }
            counts[c] += 1;
        }
        Ok(Labels {
            values: Cow::Borrowed(labels),
            num_classes,
            counts,
        })
    }

    /// The labels as class indices.
    #[inline]
    pub fn as_slice(&self) -> &[usize] {
        &self.values
    }

    /// Number of labels N.
    #[inline]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: validated labels are never empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Number of classes K (classes may be absent from the labels).
    #[inline]
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// Count of each class `0..K` (zero for absent classes).
    #[inline]
    pub fn class_counts(&self) -> &[usize] {
        &self.counts
    }

    /// Number of distinct classes that occur in the labels.
    pub fn num_present_classes(&self) -> usize {
        self.counts.iter().filter(|&&c| c > 0).count()
    }

    /// Classes in `0..K` that do not occur in the labels, ascending.
    pub fn missing_classes(&self) -> Vec<usize> {
        (0..self.num_classes)
            .filter(|&k| self.counts[k] == 0)
            .collect()
    }

    /// The row indices of each class, ascending (a stable counting sort of the labels).
    pub fn rows_by_class(&self) -> ClassRows {
        let mut starts = Vec::with_capacity(self.num_classes + 1);
        let mut acc = 0usize;
        starts.push(0);
        for &c in &self.counts {
            acc += c;
            starts.push(acc);
        }
        let mut next = starts.clone();
        let mut order = vec![0usize; self.len()];
        for (i, &l) in self.values.iter().enumerate() {
            order[next[l]] = i;
            next[l] += 1;
        }
        ClassRows { order, starts }
    }

    /// Requires at least `min` distinct classes in the labels (cleanlab: "Labels must
    /// contain at least 2 classes.").
    pub fn require_classes(&self, min: usize) -> Result<()> {
        let found = self.num_present_classes();
        if found < min {
            return Err(CoreError::TooFewClasses {
                found,
                required: min,
            });
        }
        Ok(())
    }
}

/// The row indices of each class of some [`Labels`] ([`Labels::rows_by_class`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRows {
    order: Vec<usize>,
    starts: Vec<usize>,
}

impl ClassRows {
    /// Number of classes K.
    pub fn num_classes(&self) -> usize {
        self.starts.len() - 1
    }

    /// The rows labelled `class`, ascending (empty for an absent class; panics if
    /// `class >= K`).
    pub fn rows(&self, class: usize) -> &[usize] {
        &self.order[self.starts[class]..self.starts[class + 1]]
    }
}

/// Validates labels and `pred_probs` together: equal lengths, every label `< K`.
///
/// K is taken from `pred_probs`, as in cleanlab.
pub fn validate<'a, T: Real, L: LabelValue>(
    labels: &[L],
    pred_probs: ArrayView2<'a, T>,
) -> Result<(Labels<'static>, PredProbs<'a, T>)> {
    let probs = PredProbs::new(pred_probs)?;
    check_same_length(labels.len(), probs.num_rows())?;
    let labels = Labels::new(labels, probs.num_classes())?;
    Ok((labels, probs))
}

/// [`validate`] for `usize` labels, without copying them.
pub fn validate_usize<'a, 'b, T: Real>(
    labels: &'b [usize],
    pred_probs: ArrayView2<'a, T>,
) -> Result<(Labels<'b>, PredProbs<'a, T>)> {
    let probs = PredProbs::new(pred_probs)?;
    check_same_length(labels.len(), probs.num_rows())?;
    let labels = Labels::from_usize(labels, probs.num_classes())?;
    Ok((labels, probs))
}

fn check_same_length(n_labels: usize, n_rows: usize) -> Result<()> {
    if n_labels == n_rows {
        Ok(())
    } else if n_labels == 0 {
        Err(CoreError::Empty { what: "labels" })
    } else {
        Err(CoreError::Shape {
            what: "labels and pred_probs",
            expected: format!("{n_rows} labels (one per row of pred_probs)"),
            found: format!("{n_labels} labels"),
        })
    }
}

/// Checks that validated labels and `pred_probs` describe the same examples: one label per
/// row, and the same number of classes.
pub fn check_pair<T: Real>(labels: &Labels<'_>, pred_probs: &PredProbs<'_, T>) -> Result<()> {
    if labels.len() != pred_probs.num_rows() {
        return Err(CoreError::Shape {
            what: "labels and pred_probs",
            expected: format!(
                "{} labels (one per row of pred_probs)",
                pred_probs.num_rows()
            ),
            found: format!("{} labels", labels.len()),
        });
    }
    if labels.num_classes() != pred_probs.num_classes() {
        return Err(CoreError::Shape {
            what: "labels and pred_probs",
            expected: format!("labels over {} classes", pred_probs.num_classes()),
            found: format!("labels over {} classes", labels.num_classes()),
        });
    }
    Ok(())
}
