//! Per-class confident thresholds: in memory (numpy-exact) and as a mergeable accumulator.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::constants::{BIG_VALUE, CONFIDENT_THRESHOLDS_LOWER_BOUND};
use crate::error::{CoreError, Result};
use crate::float::Real;
use crate::input::{LabelValue, Labels, PredProbs};
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
    exact_thresholds(labels, pred_probs.view())
}

/// numpy-exact thresholds: gather `p[labels == k, k]` in index order, pairwise mean.
pub(crate) fn exact_thresholds<T: Real>(
    labels: &Labels<'_>,
    view: ArrayView2<'_, T>,
) -> Result<Vec<f64>> {
    Ok(GivenByClass::new(labels, view)?.thresholds())
}

/// One part of the given-label pass: per class, the rows (offsets from the part's first
/// row) and their values.
type PartGiven = (Vec<Vec<u32>>, Vec<Vec<f64>>);

/// Rows per block of the given-label pass.
const GIVEN_BLOCK: usize = 256;

/// Smallest number of rows per part of the given-label pass.
const GIVEN_PART_MIN_ROWS: usize = 1 << 14;

/// The given-label probabilities `p[i, labels[i]]` (widened to `f64`) grouped by class,
/// each class's rows in index order: the one value per row that the confident thresholds
/// and `prune_by_class` need, read in one parallel pass that touches one value per row.
///
/// [`thresholds`](Self::thresholds) are bit-identical to [`get_confident_thresholds`] on
/// the same data. [`with_labels`](Self::with_labels) also validates and converts raw
/// labels in the same pass. The grouping does not depend on the thread count.
///
/// ```
/// use cl_core::count::{GivenByClass, get_confident_thresholds};
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let p = array![[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]];
/// let (labels, probs) = validate(&[0_i64, 1, 0], p.view())?;
/// let given = GivenByClass::new(&labels, p.view())?;
/// assert_eq!(given.thresholds(), get_confident_thresholds(&labels, &probs)?);
/// assert_eq!(given.class(0).collect::<Vec<_>>(), vec![(0, 0.8), (2, 0.3)]);
/// assert_eq!(given.class_counts(), &[2, 1]);
///
/// // Raw labels are validated and converted in the same pass.
/// let (checked, again) = GivenByClass::with_labels(&[0_i64, 1, 0], p.view())?;
/// assert_eq!(checked.as_slice(), labels.as_slice());
/// assert_eq!(again.thresholds(), given.thresholds());
/// assert!(GivenByClass::with_labels(&[0_i64, 2, 0], p.view()).is_err());
/// # Ok::<(), cl_core::CoreError>(())
/// ```
#[derive(Debug, Clone)]
pub struct GivenByClass {
    /// First row of each part of the pass.
    part_lo: Vec<usize>,
    /// Per part, per class: the rows (offsets from the part's first row), ascending.
    rows: Vec<Vec<Vec<u32>>>,
    /// Per part, per class: the values of those rows.
    vals: Vec<Vec<Vec<f64>>>,
    counts: Vec<usize>,
}

impl GivenByClass {
    /// The pass over validated labels (of `view`'s K). [`CoreError::Shape`] if the labels
    /// and `view` disagree in length or K.
    pub fn new<T: Real>(labels: &Labels<'_>, view: ArrayView2<'_, T>) -> Result<Self> {
        let (n, k) = view.dim();
        if labels.len() != n || labels.num_classes() != k {
            return Err(CoreError::Shape {
                what: "labels and pred_probs",
                expected: format!("{n} labels of {k} classes"),
                found: format!(
                    "{} labels of {} classes",
                    labels.len(),
                    labels.num_classes()
                ),
            });
        }
        Self::gather(labels.as_slice(), view, k, None)
    }

    /// Validates and converts raw labels against `view`'s K in the same pass:
    /// [`CoreError::Empty`] for no labels, [`CoreError::Shape`] for a length that is not
    /// `view`'s row count, [`CoreError::LabelOutOfRange`] naming the first bad label (as
    /// [`Labels::new`] does).
    pub fn with_labels<T: Real, L: LabelValue>(
        labels: &[L],
        view: ArrayView2<'_, T>,
    ) -> Result<(Labels<'static>, Self)> {
        let (n, k) = view.dim();
        if labels.is_empty() {
            return Err(CoreError::Empty { what: "labels" });
        }
        if labels.len() != n {
            return Err(CoreError::Shape {
                what: "labels and pred_probs",
                expected: format!("{n} labels (one per row of pred_probs)"),
                found: format!("{} labels", labels.len()),
            });
        }
        let mut y = vec![0usize; n];
        let given = Self::gather(labels, view, k, Some(&mut y))?;
        let counts = given.counts.clone();
        Ok((Labels::from_checked(y, k, counts), given))
    }

    /// The pass: per part of rows (in parallel), convert and check each label (writing it
    /// to `y` if given) and file its row and value under its class.
    fn gather<T: Real, L: LabelValue>(
        labels: &[L],
        view: ArrayView2<'_, T>,
        k: usize,
        y: Option<&mut [usize]>,
    ) -> Result<Self> {
        let n = labels.len().min(view.nrows());
        let labels = &labels[..n];
        let parts = (rayon::current_num_threads() * 4)
            .min(n.div_ceil(GIVEN_PART_MIN_ROWS))
            .max(n.div_ceil(u32::MAX as usize))
            .max(1);
        let part_rows = n.div_ceil(parts).max(1);
        let outs: Vec<Option<&mut [usize]>> = match y {
            Some(y) => y[..n].chunks_mut(part_rows).map(Some).collect(),
            None => labels.chunks(part_rows).map(|_| None).collect(),
        };
        let flat = view.as_slice();
        let gathered: Vec<Result<PartGiven>> = labels
            .par_chunks(part_rows)
            .zip(outs.into_par_iter())
            .enumerate()
            .map(|(p, (labels, mut out))| {
                let lo = p * part_rows;
                let room = labels.len() / k.max(1) + 16;
                let mut rows: Vec<Vec<u32>> = (0..k).map(|_| Vec::with_capacity(room)).collect();
                let mut vals: Vec<Vec<f64>> = (0..k).map(|_| Vec::with_capacity(room)).collect();
                // By blocks: first the classes, then the values (independent loads that
                // overlap in the memory system), then the filing.
                let mut class = [0usize; GIVEN_BLOCK];
                let mut value = [0.0f64; GIVEN_BLOCK];
                for (b, labels) in labels.chunks(GIVEN_BLOCK).enumerate() {
                    let first = b * GIVEN_BLOCK;
                    for (r, (&l, slot)) in labels.iter().zip(&mut class).enumerate() {
                        let v = l.to_i64().unwrap_or(i64::MAX);
                        *slot = match usize::try_from(v) {
                            Ok(c) if c < k => c,
                            _ => {
                                return Err(CoreError::LabelOutOfRange {
                                    row: lo + first + r,
                                    label: v,
                                    num_classes: k,
                                });
                            }
                        };
                    }
                    let class = &class[..labels.len()];
                    if let Some(out) = out.as_deref_mut() {
                        out[first..first + class.len()].copy_from_slice(class);
                    }
                    let row0 = lo + first;
                    match flat {
                        Some(flat) => {
                            for (r, (&c, slot)) in class.iter().zip(&mut value).enumerate() {
                                *slot = flat[(row0 + r) * k + c].to_f64x();
                            }
                        }
                        None => {
                            for (r, (&c, slot)) in class.iter().zip(&mut value).enumerate() {
                                *slot = view[[row0 + r, c]].to_f64x();
                            }
                        }
                    }
                    for (r, (&c, &v)) in class.iter().zip(&value).enumerate() {
                        // Part offsets fit in u32: parts are at most u32::MAX rows.
                        rows[c].push((first + r) as u32);
                        vals[c].push(v);
                    }
                }
                Ok((rows, vals))
            })
            .collect();
        let mut counts = vec![0usize; k];
        let mut part_lo = Vec::with_capacity(gathered.len());
        let mut rows = Vec::with_capacity(gathered.len());
        let mut vals = Vec::with_capacity(gathered.len());
        // The first error in row order: parts are in row order.
        for (p, part) in gathered.into_iter().enumerate() {
            let (r, v) = part?;
            for (count, class) in counts.iter_mut().zip(&r) {
                *count += class.len();
            }
            part_lo.push(p * part_rows);
            rows.push(r);
            vals.push(v);
        }
        Ok(Self {
            part_lo,
            rows,
            vals,
            counts,
        })
    }

    /// Number of classes K.
    pub fn num_classes(&self) -> usize {
        self.counts.len()
    }

    /// Number of rows of each class.
    pub fn class_counts(&self) -> &[usize] {
        &self.counts
    }

    /// The rows labelled `class` with their given-label probabilities, in index order
    /// (empty for an absent class or `class >= K`).
    pub fn class(&self, class: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.part_lo
            .iter()
            .zip(self.rows.iter().zip(&self.vals))
            .filter_map(move |(&lo, (rows, vals))| Some((lo, rows.get(class)?, vals.get(class)?)))
            .flat_map(|(lo, rows, vals)| {
                rows.iter()
                    .zip(vals)
                    .map(move |(&r, &v)| (lo + r as usize, v))
            })
    }

    /// The confident thresholds, bit-identical to [`get_confident_thresholds`]: per class
    /// numpy's pairwise mean of its values in index order (2 for an absent class), clipped
    /// below at `2e-6`.
    pub fn thresholds(&self) -> Vec<f64> {
        (0..self.num_classes())
            .into_par_iter()
            .map(|c| {
                let mut parts = self.vals.iter().map(|v| &v[c]).filter(|v| !v.is_empty());
                let mean = match (parts.next(), parts.next()) {
                    (None, _) => BIG_VALUE,
                    (Some(one), None) => pairwise_sum(one) / one.len() as f64,
                    (Some(_), Some(_)) => {
                        let all: Vec<f64> = self.vals.iter().flat_map(|v| &v[c]).copied().collect();
                        pairwise_sum(&all) / all.len() as f64
                    }
                };
                mean.max(CONFIDENT_THRESHOLDS_LOWER_BOUND)
            })
            .collect()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::NumpyRng;
    use ndarray::{Array2, ShapeBuilder};

    /// Data large enough for several parts of the given-label pass.
    fn data(n: usize, k: usize) -> (Vec<i64>, Array2<f64>) {
        let mut rng = NumpyRng::new(5);
        let p = Array2::from_shape_fn((n, k), |_| rng.random_sample());
        // Class 3 absent; the others skewed.
        let labels = (0..n)
            .map(|i| {
                let c = (i * i + 7 * i) % k;
                if c == 3 { 0 } else { c as i64 }
            })
            .collect();
        (labels, p)
    }

    /// Plain reference: per class, the values in index order, numpy's pairwise mean.
    fn plain(labels: &[i64], p: &Array2<f64>) -> Vec<f64> {
        (0..p.ncols())
            .map(|c| {
                let v: Vec<f64> = (0..labels.len())
                    .filter(|&i| labels[i] as usize == c)
                    .map(|i| p[[i, c]])
                    .collect();
                let mean = if v.is_empty() {
                    BIG_VALUE
                } else {
                    pairwise_sum(&v) / v.len() as f64
                };
                mean.max(CONFIDENT_THRESHOLDS_LOWER_BOUND)
            })
            .collect()
    }

    #[test]
    fn given_by_class_over_many_parts_equals_the_plain_gather() -> Result<()> {
        let (labels, p) = data(3 * GIVEN_PART_MIN_ROWS + 123, 7);
        let want = plain(&labels, &p);
        let (checked, given) = GivenByClass::with_labels(&labels, p.view())?;
        assert!(given.part_lo.len() > 1 || rayon::current_num_threads() == 1);
        assert_eq!(given.thresholds(), want);
        let again = GivenByClass::new(&checked, p.view())?;
        assert_eq!(again.thresholds(), want);
        // Column-major input takes the strided path.
        let mut f = Array2::zeros(p.dim().f());
        f.assign(&p);
        assert_eq!(GivenByClass::new(&checked, f.view())?.thresholds(), want);
        // Converted labels, counts and the per-class rows.
        let y: Vec<usize> = labels.iter().map(|&l| l as usize).collect();
        assert_eq!(checked.as_slice(), y.as_slice());
        assert_eq!(given.class_counts(), checked.class_counts());
        for c in 0..7 {
            let rows: Vec<(usize, f64)> = (0..y.len())
                .filter(|&i| y[i] == c)
                .map(|i| (i, p[[i, c]]))
                .collect();
            assert_eq!(given.class(c).collect::<Vec<_>>(), rows);
        }
        assert_eq!(given.class(3).count(), 0);
        assert_eq!(given.class(99).count(), 0);
        Ok(())
    }

    #[test]
    fn given_by_class_names_the_first_bad_label() {
        let (mut labels, p) = data(3 * GIVEN_PART_MIN_ROWS, 7);
        let late = 3 * GIVEN_PART_MIN_ROWS - 5;
        let early = GIVEN_PART_MIN_ROWS + 17;
        labels[late] = -1;
        labels[early] = 7;
        match GivenByClass::with_labels(&labels, p.view()) {
            Err(CoreError::LabelOutOfRange { row, label, .. }) => {
                assert_eq!((row, label), (early, 7));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            GivenByClass::with_labels(&labels[..10], p.view()),
            Err(CoreError::Shape { .. })
        ));
        assert!(matches!(
            GivenByClass::with_labels::<f64, i64>(&[], p.view()),
            Err(CoreError::Empty { .. })
        ));
        let ok: Vec<usize> = vec![0; 5];
        let short = Labels::from_usize(&ok, 7).expect("labels");
        assert!(matches!(
            GivenByClass::new(&short, p.view()),
            Err(CoreError::Shape { .. })
        ));
    }
}
