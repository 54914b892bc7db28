//! Per-class confident thresholds: in memory (numpy-exact) and as a mergeable accumulator.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::constants::{BIG_VALUE, CONFIDENT_THRESHOLDS_LOWER_BOUND};
use crate::error::{CoreError, Result};
use crate::float::Real;
use crate::input::{ClassRows, Labels, PredProbs};
use crate::util::pairwise_sum;

use super::check_pair;

/// Per-class confident thresholds (cleanlab's `get_confident_thresholds`): `t_k` is the
/// mean of `p[i, k]` over the examples labelled `k`; a class absent from the labels gets
/// 2 (never confident); every threshold is then clipped below at `2e-6`.
///
/// Each mean is numpy's: the pairwise sum of the gathered values (in index order) divided
/// by their count, so for `f64` input the thresholds are bit-identical to cleanlab's. `f32`
/// input is widened and averaged in `f64` (cleanlab averages in `f32`; the two differ by
/// about `1e-7` relative). Classes are processed in parallel; the result does not depend
/// on the thread count.
///
/// ```
/// use cl_core::count::get_confident_thresholds;
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let p = array![[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]];
/// let (labels, probs) = validate(&[0_i64, 0, 1], p.view())?;
/// let t = get_confident_thresholds(&labels, &probs)?;
/// assert_eq!(t, vec![0.7, 0.7]);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
pub fn get_confident_thresholds<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
) -> Result<Vec<f64>> {
    check_pair(labels, pred_probs)?;
    Ok(exact_thresholds(labels, pred_probs.view()))
}

/// numpy-exact thresholds: gather `p[labels == k, k]` in index order, pairwise mean.
pub(crate) fn exact_thresholds<T: Real>(labels: &Labels<'_>, view: ArrayView2<'_, T>) -> Vec<f64> {
    let given = given_label_probs(labels.as_slice(), view);
    confident_thresholds_from_given(&given, &labels.rows_by_class())
}

/// `p[i, labels[i]]` of every row, widened to `f64`, in index order (in parallel). Labels
/// must be valid column indices of `view` (validated labels of the same K); the values are
/// not checked.
pub fn given_label_probs<T: Real>(labels: &[usize], view: ArrayView2<'_, T>) -> Vec<f64> {
    const ROWS: usize = 8192;
    let k = view.ncols();
    let mut out = vec![0.0; labels.len()];
    if let Some(flat) = view.as_slice() {
        // Row-major and contiguous: plain offsets, so the loads of many rows overlap.
        out.par_chunks_mut(ROWS)
            .zip(labels.par_chunks(ROWS))
            .enumerate()
            .for_each(|(b, (out, labels))| {
                let base = b * ROWS * k;
                for (r, (o, &c)) in out.iter_mut().zip(labels).enumerate() {
                    *o = flat[base + r * k + c].to_f64x();
                }
            });
    } else {
        out.par_iter_mut()
            .zip(labels.par_iter())
            .enumerate()
            .with_min_len(ROWS)
            .for_each(|(i, (o, &c))| *o = view[[i, c]].to_f64x());
    }
    out
}

/// The confident thresholds from the given-label probabilities `given[i] = p[i, labels[i]]`
/// (as [`given_label_probs`] returns them) and the rows of each class: bit-identical to
/// [`get_confident_thresholds`] on the same data, for callers that already gathered the
/// values (one read of one value per row instead of a pass over `pred_probs`).
///
/// ```
/// use cl_core::count::{confident_thresholds_from_given, get_confident_thresholds, given_label_probs};
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let p = array![[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]];
/// let (labels, probs) = validate(&[0_i64, 0, 1], p.view())?;
/// let given = given_label_probs(labels.as_slice(), p.view());
/// let t = confident_thresholds_from_given(&given, &labels.rows_by_class());
/// assert_eq!(t, get_confident_thresholds(&labels, &probs)?);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
pub fn confident_thresholds_from_given(given: &[f64], by_class: &ClassRows) -> Vec<f64> {
    (0..by_class.num_classes())
        .into_par_iter()
        .map(|c| {
            let rows = by_class.rows(c);
            let mean = if rows.is_empty() {
                BIG_VALUE
            } else {
                let vals: Vec<f64> = rows.iter().map(|&i| given[i]).collect();
                pairwise_sum(&vals) / vals.len() as f64
            };
            mean.max(CONFIDENT_THRESHOLDS_LOWER_BOUND)
        })
        .collect()
}

/// Neumaier-compensated running sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct CompensatedSum {
    sum: f64,
    comp: f64,
}

impl CompensatedSum {
    #[inline]
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn merge(&mut self, other: CompensatedSum) {
        self.add(other.sum);
        self.comp += other.comp;
    }

    fn value(self) -> f64 {
        self.sum + self.comp
    }
}

/// Streaming, mergeable computation of the confident thresholds.
///
/// Feed chunks of rows with [`update`](Self::update) (in any order, on any thread), combine
/// partial accumulators with [`merge`](Self::merge), and read the thresholds with
/// [`finish`](Self::finish). Per class it keeps a count and a compensated (Neumaier) sum
/// of `p[i, k]` over the rows labelled `k`.
///
/// The result does not depend on how the rows were chunked beyond the last bit or two:
/// compensated sums are accurate to about one rounding of the exact mean, while numpy's
/// pairwise mean (used by [`get_confident_thresholds`]) can differ from the exact mean by
/// a few ulps. The two therefore agree to about `1e-15` relative (tests assert `1e-12`);
/// use [`get_confident_thresholds`] when bit parity with cleanlab is required and the data
/// fits in memory.
///
/// Unlike cleanlab's batched `LabelInspector` (which ends a never-seen class at 2e-6),
/// a class with no example gets 2, exactly as the in-memory function.
///
/// ```
/// use cl_core::count::ThresholdAccumulator;
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let a = array![[0.8, 0.2], [0.6, 0.4]];
/// let b = array![[0.3, 0.7]];
/// let (la, pa) = validate(&[0_i64, 0], a.view())?;
/// let (lb, pb) = validate(&[1_i64], b.view())?;
/// let mut left = ThresholdAccumulator::new(2);
/// left.update(&la, &pa)?;
/// let mut right = ThresholdAccumulator::new(2);
/// right.update(&lb, &pb)?;
/// let t = left.merge(right)?.finish();
/// assert!((t[0] - 0.7).abs() < 1e-15 && (t[1] - 0.7).abs() < 1e-15);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdAccumulator {
    sums: Vec<CompensatedSum>,
    counts: Vec<usize>,
}

impl ThresholdAccumulator {
    /// An empty accumulator for `num_classes` classes.
    pub fn new(num_classes: usize) -> Self {
        Self {
            sums: vec![CompensatedSum::default(); num_classes],
            counts: vec![0; num_classes],
        }
    }

    /// Number of classes K.
    pub fn num_classes(&self) -> usize {
        self.counts.len()
    }

    /// Number of rows seen per class.
    pub fn class_counts(&self) -> &[usize] {
        &self.counts
    }

    /// Adds a chunk of rows. Labels and `pred_probs` must have the same length and
    /// `num_classes` equal to the accumulator's ([`CoreError::Shape`]).
    pub fn update<T: Real>(
        &mut self,
        labels: &Labels<'_>,
        pred_probs: &PredProbs<'_, T>,
    ) -> Result<()> {
        check_pair(labels, pred_probs)?;
        check_classes(self.num_classes(), labels.num_classes())?;
        self.update_rows(labels.as_slice(), pred_probs.view());
        Ok(())
    }

    /// Adds validated rows (labels `< K`, equal lengths).
    pub(crate) fn update_rows<T: Real>(&mut self, labels: &[usize], view: ArrayView2<'_, T>) {
        for (&l, row) in labels.iter().zip(view.rows()) {
            self.sums[l].add(row[l].to_f64x());
            self.counts[l] += 1;
        }
    }

    /// Combines two accumulators (of disjoint rows). Order does not matter beyond the last
    /// bit of the sums.
    pub fn merge(mut self, other: ThresholdAccumulator) -> Result<Self> {
        check_classes(self.num_classes(), other.num_classes())?;
        for (a, b) in self.sums.iter_mut().zip(other.sums) {
            a.merge(b);
        }
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        Ok(self)
    }

    /// The thresholds: per-class mean, 2 for classes never seen, clipped below at 2e-6.
    pub fn finish(&self) -> Vec<f64> {
        self.sums
            .iter()
            .zip(&self.counts)
            .map(|(s, &c)| {
                let t = if c == 0 {
                    BIG_VALUE
                } else {
                    s.value() / c as f64
                };
                t.max(CONFIDENT_THRESHOLDS_LOWER_BOUND)
            })
            .collect()
    }
}

pub(crate) fn check_classes(expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(CoreError::Shape {
            what: "accumulator classes",
            expected: format!("{expected} classes"),
            found: format!("{found} classes"),
        })
    }
}
