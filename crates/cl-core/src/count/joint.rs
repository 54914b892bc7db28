//! The confident joint: mergeable accumulator, in-memory computation, calibration and the
//! estimated joint distribution.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};
use rayon::prelude::*;

use crate::constants::{CONFIDENT_JOINT_OFFSET, TINY_VALUE};
use crate::error::{CoreError, Result};
use crate::float::Real;
use crate::input::{Labels, PredProbs};
use crate::util::{pairwise_sum, round_preserving_sum};

use super::thresholds::{check_classes, exact_thresholds};
use super::{CHUNK_ROWS, check_pair};

/// Options of [`compute_confident_joint`] (cleanlab's keyword arguments).
///
/// ```
/// use cl_core::count::ConfidentJointOptions;
///
/// let opts = ConfidentJointOptions::default()
///     .calibrate(false)
///     .return_indices_of_off_diagonals(true);
/// assert!(!opts.calibrate && opts.return_indices_of_off_diagonals && opts.thresholds.is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConfidentJointOptions {
    /// Per-class thresholds to use instead of [`get_confident_thresholds`](super::get_confident_thresholds)
    /// (length K). Default `None`.
    pub thresholds: Option<Vec<f64>>,
    /// Calibrate the joint so row `i` sums to the count of label `i` and the total is N.
    /// Default `true`.
    pub calibrate: bool,
    /// Also return the indices of the off-diagonal examples. Default `false`.
    pub return_indices_of_off_diagonals: bool,
}

impl Default for ConfidentJointOptions {
    fn default() -> Self {
        Self {
            thresholds: None,
            calibrate: true,
            return_indices_of_off_diagonals: false,
        }
    }
}

impl ConfidentJointOptions {
    /// Sets the per-class thresholds.
    #[must_use]
    pub fn thresholds(mut self, thresholds: Vec<f64>) -> Self {
        self.thresholds = Some(thresholds);
        self
    }

    /// Sets whether to calibrate.
    #[must_use]
    pub fn calibrate(mut self, calibrate: bool) -> Self {
        self.calibrate = calibrate;
        self
    }

    /// Sets whether to return the off-diagonal indices.
    #[must_use]
    pub fn return_indices_of_off_diagonals(mut self, yes: bool) -> Self {
        self.return_indices_of_off_diagonals = yes;
        self
    }
}

/// A confident joint and, if requested, the indices of its off-diagonal examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfidentJoint {
    /// K×K counts, rows = given label, columns = guessed true label.
    pub joint: Array2<i64>,
    /// Ascending indices of the examples counted off the diagonal (guess ≠ given label),
    /// independent of calibration. `None` unless requested.
    pub off_diagonal_indices: Option<Vec<usize>>,
}

/// Streaming, mergeable computation of the confident joint for given thresholds.
///
/// Every row `i` with given label `y` is tested against every class: `p[i,k] >= t_k - 1e-6`.
/// No confident class: the row is skipped. One: that class is the guess. Several: the
/// guess is the row's argmax over **all** classes (first on ties), as cleanlab does. The
/// accumulator counts `[y, guess]`, the label counts, and (optionally) the global indices of
/// rows with `guess != y`.
///
/// Rows are numbered from the accumulator's starting row ([`starting_at`](Self::starting_at))
/// in update order. Counts are integers, so merging accumulators of any chunking gives
/// exactly the single-pass result; off-diagonal indices are kept sorted.
///
/// ```
/// use cl_core::count::ConfidentJointAccumulator;
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// let t = [0.5, 0.5];
/// let a = array![[0.9, 0.1], [0.2, 0.8]];
/// let b = array![[0.7, 0.3]];
/// let (la, pa) = validate(&[0_i64, 0], a.view())?;
/// let (lb, pb) = validate(&[1_i64], b.view())?;
/// let mut first = ConfidentJointAccumulator::new(&t, true)?;
/// first.update(&la, &pa)?;
/// let mut second = ConfidentJointAccumulator::new(&t, true)?.starting_at(2);
/// second.update(&lb, &pb)?;
/// let cj = first.merge(second)?.finish(false)?;
/// assert_eq!(cj.joint, array![[1, 1], [1, 1]]); // diagonal floored at 1
/// assert_eq!(cj.off_diagonal_indices, Some(vec![1, 2]));
/// # Ok::<(), cl_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConfidentJointAccumulator {
    thresholds: Vec<f64>,
    cut: Vec<f64>,
    counts: Vec<i64>,
    class_counts: Vec<usize>,
    rows: usize,
    next_row: usize,
    off_diagonal: Option<Vec<usize>>,
}

impl ConfidentJointAccumulator {
    /// An empty accumulator for the given per-class thresholds (length K ≥ 1, finite),
    /// tracking off-diagonal indices if `track_off_diagonal_indices`.
    pub fn new(thresholds: &[f64], track_off_diagonal_indices: bool) -> Result<Self> {
        if thresholds.is_empty() {
            return Err(CoreError::Empty { what: "thresholds" });
        }
        if let Some(row) = thresholds.iter().position(|t| !t.is_finite()) {
            return Err(CoreError::NonFinite {
                what: "thresholds",
                row,
                col: 0,
                value: thresholds[row],
            });
        }
        let k = thresholds.len();
        Ok(Self {
            thresholds: thresholds.to_vec(),
            cut: thresholds
                .iter()
                .map(|t| t - CONFIDENT_JOINT_OFFSET)
                .collect(),
            counts: vec![0; k * k],
            class_counts: vec![0; k],
            rows: 0,
            next_row: 0,
            off_diagonal: track_off_diagonal_indices.then(Vec::new),
        })
    }

    /// Sets the global index of the next row fed to [`update`](Self::update) (default 0).
    #[must_use]
    pub fn starting_at(mut self, first_row: usize) -> Self {
        self.next_row = first_row;
        self
    }

    /// Number of classes K.
    pub fn num_classes(&self) -> usize {
        self.thresholds.len()
    }

    /// The thresholds in use.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// The per-class cuts `t_k − 1e-6` a value must reach to be confident.
    pub fn cuts(&self) -> &[f64] {
        &self.cut
    }

    /// Counts one row from its given label and its guessed true label (as
    /// [`guess_and_max`] returns it), numbered from the current row position: for callers
    /// that guess in their own pass over the data.
    // Always inlined: called per row from kernels compiled for AVX2 (`target_feature`).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub fn add_guess(&mut self, label: usize, guess: Option<usize>) -> Result<()> {
        let k = self.num_classes();
        if label >= k || guess.is_some_and(|g| g >= k) {
            return Err(CoreError::LabelOutOfRange {
                row: self.next_row,
                label: i64::try_from(label.max(guess.unwrap_or(0))).unwrap_or(i64::MAX),
                num_classes: k,
            });
        }
        self.class_counts[label] += 1;
        if let Some(g) = guess {
            self.counts[label * k + g] += 1;
            if g != label
                && let Some(off) = &mut self.off_diagonal
            {
                off.push(self.next_row);
            }
        }
        self.rows += 1;
        self.next_row += 1;
        Ok(())
    }

    /// Number of rows seen.
    pub fn num_rows(&self) -> usize {
        self.rows
    }

    /// Number of rows seen per given label.
    pub fn class_counts(&self) -> &[usize] {
        &self.class_counts
    }

    /// Adds a chunk of rows, numbered from the current row position.
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

    /// Adds validated rows (labels `< K`, K columns, equal lengths).
    pub(crate) fn update_rows<T: Real>(&mut self, labels: &[usize], view: ArrayView2<'_, T>) {
        let k = self.num_classes();
        for (offset, (&y, row)) in labels.iter().zip(view.rows()).enumerate() {
            self.class_counts[y] += 1;
            if let Some(guess) = guess_true_label(row, &self.cut) {
                self.counts[y * k + guess] += 1;
                if guess != y
                    && let Some(off) = &mut self.off_diagonal
                {
                    off.push(self.next_row + offset);
                }
            }
        }
        self.rows += labels.len();
        self.next_row += labels.len();
    }

    /// Combines two accumulators of disjoint rows (same thresholds, bit for bit, and same
    /// index tracking; otherwise [`CoreError::InvalidParameter`]).
    pub fn merge(mut self, other: ConfidentJointAccumulator) -> Result<Self> {
        check_classes(self.num_classes(), other.num_classes())?;
        let same_t = self
            .thresholds
            .iter()
            .zip(&other.thresholds)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        if !same_t || self.off_diagonal.is_some() != other.off_diagonal.is_some() {
            return Err(CoreError::InvalidParameter {
                name: "other",
                reason: "accumulators with different thresholds or index tracking cannot be merged"
                    .into(),
            });
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for (a, b) in self.class_counts.iter_mut().zip(&other.class_counts) {
            *a += b;
        }
        self.rows += other.rows;
        self.next_row = self.next_row.max(other.next_row);
        if let (Some(a), Some(b)) = (&mut self.off_diagonal, other.off_diagonal) {
            let in_order = match (a.last(), b.first()) {
                (Some(x), Some(y)) => x < y,
                _ => true,
            };
            a.extend(b);
            if !in_order {
                a.sort_unstable();
            }
        }
        Ok(self)
    }

    /// The confident joint: counts with each diagonal entry raised to at least 1 (also for
    /// classes never seen), calibrated to the label counts if `calibrate`.
    pub fn finish(self, calibrate: bool) -> Result<ConfidentJoint> {
        let k = self.num_classes();
        let mut m = Array2::from_shape_vec((k, k), self.counts).map_err(|e| CoreError::Shape {
            what: "confident joint",
            expected: format!("{k}×{k}"),
            found: e.to_string(),
        })?;
        for i in 0..k {
            if m[[i, i]] < 1 {
                m[[i, i]] = 1;
            }
        }
        if calibrate {
            m = calibrate_with_counts(m.view(), &self.class_counts)?;
        }
        Ok(ConfidentJoint {
            joint: m,
            off_diagonal_indices: self.off_diagonal,
        })
    }
}

/// cleanlab's guess of the true label of one row, or `None` if no class is confident: the
/// only confident class if there is one, else the first argmax of the row.
#[inline]
fn guess_true_label<T: Real>(row: ArrayView1<'_, T>, cut: &[f64]) -> Option<usize> {
    if let Some(s) = row.to_slice() {
        return guess_and_max(s, cut).0;
    }
    let mut confident = 0usize;
    let mut first_confident = 0usize;
    let mut argmax = 0usize;
    let mut best = f64::NEG_INFINITY;
    for (k, (&p, &c)) in row.iter().zip(cut).enumerate() {
        let v = p.to_f64x();
        if v >= c {
            if confident == 0 {
                first_confident = k;
            }
            confident += 1;
        }
        if v > best {
            best = v;
            argmax = k;
        }
    }
    match confident {
        0 => None,
        1 => Some(first_confident),
        _ => Some(argmax),
    }
}

/// cleanlab's guess of the true label of a contiguous row (as counted by the confident
/// joint: `None` if no class reaches its cut, the only confident class if there is one,
/// else the row's first argmax) and the row maximum (widened to `f64`), from one
/// vectorised sweep. `cut[k]` is `t_k − 1e-6` ([`ConfidentJointAccumulator::cuts`]);
/// `row` and `cut` have the same length and `row` holds no NaN.
///
/// ```
/// use cl_core::count::guess_and_max;
///
/// let cut = [0.5, 0.5, 0.5];
/// assert_eq!(guess_and_max(&[0.2, 0.7, 0.1], &cut), (Some(1), 0.7));
/// assert_eq!(guess_and_max(&[0.4, 0.3, 0.3], &cut), (None, 0.4));
/// assert_eq!(guess_and_max(&[0.6, 0.9, 0.0], &cut), (Some(1), 0.9)); // both confident: argmax
/// ```
// Always inlined: callers compiled for AVX2 (`target_feature`) must get their own copy.
#[allow(clippy::inline_always)]
#[inline(always)]
pub fn guess_and_max<T: Real>(row: &[T], cut: &[f64]) -> (Option<usize>, f64) {
    // The maximum and the number of confident classes in one pass, then a short scan for
    // the position.
    let (max, confident) = crate::kernels::max_and_count_ge(row, cut);
    (position_of_guess(row, cut, max, confident), max)
}

/// Number of lanes of [`CheckedRow::lanes`].
pub const ROW_LANES: usize = crate::kernels::LANES;

/// The cuts of [`guess_and_max_checked`], prepared once per pass: the `f64` cuts
/// ([`ConfidentJointAccumulator::cuts`]), the same cuts and the range `[-1e-6, 1 + 1e-6]`
/// rounded outwards to the element type, so that a row is compared in its own type (8
/// `f32` values per AVX2 vector) with exactly the results of comparing it in `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct RowCuts<T> {
    wide: Vec<f64>,
    narrow: Vec<T>,
    low: T,
    high: T,
}

impl<T: Real> RowCuts<T> {
    /// Prepares `cut` (one per column).
    pub fn new(cut: &[f64]) -> Self {
        use crate::constants::FLOATING_POINT_COMPARISON as TOL;
        Self {
            wide: cut.to_vec(),
            narrow: cut.iter().map(|&c| T::from_f64_up(c)).collect(),
            low: T::from_f64_up(-TOL),
            high: T::from_f64_down(1.0 + TOL),
        }
    }

    /// The `f64` cuts.
    pub fn wide(&self) -> &[f64] {
        &self.wide
    }
}

/// What [`guess_and_max_checked`] reads off a valid row in its one sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct CheckedRow {
    /// The confident-joint guess (as [`guess_and_max`]).
    pub guess: Option<usize>,
    /// The row maximum, widened to `f64`.
    pub max: f64,
    /// `lanes[l]`: the maximum of the values in the columns `≡ l (mod ROW_LANES)`, widened
    /// to `f64` (−∞ for a lane without a column).
    pub lanes: [f64; ROW_LANES],
}

/// [`guess_and_max`] on a row not validated yet, with the check fused into the same sweep:
/// `None` if some value is NaN, infinite or outside `[-1e-6, 1 + 1e-6]` (then
/// [`check_rows`](crate::input::check_rows) names it), else the guess, the maximum and the
/// lane maxima ([`CheckedRow`]). `likely` is a column the caller expects to be the guess
/// (the given label): when it is, the search for the guess's position is skipped or
/// shortened. The result does not depend on it.
///
/// ```
/// use cl_core::count::{RowCuts, guess_and_max_checked};
///
/// let cuts = RowCuts::<f64>::new(&[0.5, 0.5]);
/// let row = guess_and_max_checked(&[0.2, 0.8], &cuts, 1).expect("valid row");
/// assert_eq!((row.guess, row.max), (Some(1), 0.8));
/// assert_eq!(&row.lanes[..3], &[0.2, 0.8, f64::NEG_INFINITY]);
/// let row = guess_and_max_checked(&[0.2, 0.8], &cuts, 0).expect("valid row");
/// assert_eq!((row.guess, row.max), (Some(1), 0.8));
/// assert_eq!(guess_and_max_checked(&[f64::NAN, 0.8], &cuts, 1), None);
/// assert_eq!(guess_and_max_checked(&[1.5, 0.8], &cuts, 1), None);
/// // f32 rows are compared in f32, with the results of f64 comparisons.
/// let cuts = RowCuts::<f32>::new(&[0.1, 0.1]);
/// let row = guess_and_max_checked(&[0.1_f32, 0.9], &cuts, 1).expect("valid row");
/// assert_eq!(row.guess, Some(1)); // 0.1_f32 (0.10000000149…) ≥ 0.1: both confident
/// ```
// Always inlined: callers compiled for AVX2 (`target_feature`) must get their own copy.
#[allow(clippy::inline_always)]
#[inline(always)]
pub fn guess_and_max_checked<T: Real>(
    row: &[T],
    cuts: &RowCuts<T>,
    likely: usize,
) -> Option<CheckedRow> {
    let (max, confident, ok, lanes) =
        crate::kernels::max_count_within(row, &cuts.narrow, cuts.low, cuts.high);
    if !ok {
        return None;
    }
    let cut = cuts.wide();
    let at_likely = row.get(likely).map(|&v| v.to_f64x());
    let guess = match (confident, at_likely) {
        // The only confident class, if `likely` is confident, is `likely`.
        (1, Some(v)) if v >= cut[likely] => Some(likely),
        // The first maximum: `likely` unless an earlier column holds the maximum too.
        (2.., Some(v)) if v == max => {
            Some(crate::kernels::first_equal(&row[..likely], max).unwrap_or(likely))
        }
        _ => position_of_guess(row, cut, max, confident),
    };
    Some(CheckedRow { guess, max, lanes })
}

/// The guess from a row's maximum and number of confident classes.
#[allow(clippy::inline_always)]
#[inline(always)]
fn position_of_guess<T: Real>(row: &[T], cut: &[f64], max: f64, confident: usize) -> Option<usize> {
    match confident {
        0 => None,
        1 => crate::kernels::first_reaching(row, cut),
        _ => crate::kernels::first_equal(row, max),
    }
}

/// The confident joint in memory, built on [`ConfidentJointAccumulator`]: the rows are cut
/// into chunks of `CHUNK_ROWS` in index order, chunks are counted in parallel and merged
/// in chunk order, so the result is identical for every thread count.
pub(crate) fn confident_joint_in_memory<T: Real>(
    labels: &Labels<'_>,
    view: ArrayView2<'_, T>,
    thresholds: &[f64],
    track_indices: bool,
) -> Result<ConfidentJointAccumulator> {
    let n = labels.len();
    let y = labels.as_slice();
    let parts: Vec<Result<ConfidentJointAccumulator>> = (0..n.div_ceil(CHUNK_ROWS))
        .into_par_iter()
        .map(|c| {
            let lo = c * CHUNK_ROWS;
            let hi = (lo + CHUNK_ROWS).min(n);
            let mut acc =
                ConfidentJointAccumulator::new(thresholds, track_indices)?.starting_at(lo);
            acc.update_rows(&y[lo..hi], view.slice(s![lo..hi, ..]));
            Ok(acc)
        })
        .collect();
    let mut total = ConfidentJointAccumulator::new(thresholds, track_indices)?;
    for p in parts {
        total = total.merge(p?)?;
    }
    Ok(total)
}

/// Resolves user thresholds (length K, finite) or computes them.
pub(crate) fn resolve_thresholds<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    given: Option<&[f64]>,
) -> Result<Vec<f64>> {
    match given {
        Some(t) => {
            if t.len() != pred_probs.num_classes() {
                return Err(CoreError::Shape {
                    what: "thresholds",
                    expected: format!("length {}", pred_probs.num_classes()),
                    found: format!("length {}", t.len()),
                });
            }
            Ok(t.to_vec())
        }
        None => exact_thresholds(labels, pred_probs.view()),
    }
}

/// The confident joint (cleanlab's `compute_confident_joint`, single-label).
///
/// Thresholds come from [`get_confident_thresholds`](super::get_confident_thresholds)
/// unless given. Each example is counted at `[given label, guessed true label]` as
/// described on [`ConfidentJointAccumulator`]; the diagonal is floored at 1 (also for
/// classes absent from the labels); if `calibrate`, [`calibrate_confident_joint`] follows
/// (an absent class then gets an all-zero row). Off-diagonal indices, if requested, are
/// ascending and independent of calibration.
///
/// Single-class labels are accepted, as in cleanlab.
///
/// ```
/// use cl_core::count::{ConfidentJointOptions, compute_confident_joint};
/// use cl_core::input::validate;
/// use ndarray::array;
///
/// // cleanlab's ten-example test case.
/// let p = array![
///     [0.9, 0.1, 0.0], [0.6, 0.2, 0.2], [0.1, 0.0, 0.9],
///     [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1],
///     [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8],
/// ];
/// let (labels, probs) = validate(&[0_i64, 0, 1, 1, 1, 1, 1, 1, 1, 2], p.view())?;
/// let raw = compute_confident_joint(
///     &labels,
///     &probs,
///     &ConfidentJointOptions::default().calibrate(false).return_indices_of_off_diagonals(true),
/// )?;
/// assert_eq!(raw.joint, array![[1, 0, 0], [0, 6, 1], [0, 0, 1]]);
/// assert_eq!(raw.off_diagonal_indices, Some(vec![2]));
/// let calibrated = compute_confident_joint(&labels, &probs, &Default::default())?;
/// assert_eq!(calibrated.joint, array![[2, 0, 0], [0, 6, 1], [0, 0, 1]]);
/// # Ok::<(), cl_core::CoreError>(())
/// ```
pub fn compute_confident_joint<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    options: &ConfidentJointOptions,
) -> Result<ConfidentJoint> {
    check_pair(labels, pred_probs)?;
    let t = resolve_thresholds(labels, pred_probs, options.thresholds.as_deref())?;
    confident_joint_in_memory(
        labels,
        pred_probs.view(),
        &t,
        options.return_indices_of_off_diagonals,
    )?
    .finish(options.calibrate)
}

/// Calibrates a confident joint (cleanlab's `calibrate_confident_joint`, single-label):
/// row `i` is scaled to the number of examples labelled `i`, the whole matrix to N, and
/// each row is rounded with [`round_preserving_sum`](crate::util::round_preserving_sum).
///
/// Exact operation order (bit parity): `x[i,j] = cj[i,j] / max(rowsum_i, 1e-100) · n_i`,
/// then `x / max(Σx, 1e-100) · N` with `Σx` numpy's pairwise sum over the entries in
/// column-major order (the memory order of cleanlab's intermediate).
///
/// `confident_joint` must be K×K with K = `labels.num_classes()` ([`CoreError::Shape`]).
pub fn calibrate_confident_joint(
    confident_joint: ArrayView2<'_, i64>,
    labels: &Labels<'_>,
) -> Result<Array2<i64>> {
    calibrate_with_counts(confident_joint, labels.class_counts())
}

/// [`calibrate_confident_joint`] from per-class label counts (length K) instead of labels,
/// for streaming use.
pub fn calibrate_confident_joint_from_counts(
    confident_joint: ArrayView2<'_, i64>,
    class_counts: &[usize],
) -> Result<Array2<i64>> {
    calibrate_with_counts(confident_joint, class_counts)
}

pub(crate) fn require_joint_shape(cj: &ArrayView2<'_, i64>, k: usize) -> Result<()> {
    if cj.dim() == (k, k) {
        Ok(())
    } else {
        Err(CoreError::Shape {
            what: "confident_joint",
            expected: format!("{k}×{k}"),
            found: format!("{}×{}", cj.nrows(), cj.ncols()),
        })
    }
}

fn calibrate_with_counts(cj: ArrayView2<'_, i64>, counts: &[usize]) -> Result<Array2<i64>> {
    let k = counts.len();
    require_joint_shape(&cj, k)?;
    let n: usize = counts.iter().sum();
    let mut x = Array2::<f64>::zeros((k, k));
    for i in 0..k {
        let rowsum: i64 = cj.row(i).sum();
        let denom = (rowsum as f64).max(TINY_VALUE);
        let ni = counts[i] as f64;
        for j in 0..k {
            x[[i, j]] = cj[[i, j]] as f64 / denom * ni;
        }
    }
    let column_major: Vec<f64> = x.t().iter().copied().collect();
    let total = pairwise_sum(&column_major).max(TINY_VALUE);
    let n = n as f64;
    x.mapv_inplace(|v| v / total * n);
    let mut out = Array2::<i64>::zeros((k, k));
    for i in 0..k {
        let row: Vec<f64> = x.row(i).to_vec();
        let r = round_preserving_sum(&row)?;
        for (o, v) in out.row_mut(i).iter_mut().zip(r) {
            *o = v;
        }
    }
    Ok(out)
}

/// The estimated joint distribution `P(label, true label)` (cleanlab's `estimate_joint`,
/// single-label): the calibrated confident joint divided by its total (floored 1e-100).
///
/// With `confident_joint = Some(cj)`, `cj` is re-calibrated against the labels; otherwise
/// it is computed with [`compute_confident_joint`] (calibrated). For cleanlab's
/// `labels=None` path (use a joint as is) see [`joint_from_confident_joint`].
pub fn estimate_joint<T: Real>(
    labels: &Labels<'_>,
    pred_probs: &PredProbs<'_, T>,
    confident_joint: Option<ArrayView2<'_, i64>>,
) -> Result<Array2<f64>> {
    check_pair(labels, pred_probs)?;
    let cj = match confident_joint {
        Some(cj) => calibrate_confident_joint(cj, labels)?,
        None => {
            compute_confident_joint(labels, pred_probs, &ConfidentJointOptions::default())?.joint
        }
    };
    Ok(joint_from_confident_joint(cj.view()))
}

/// `cj / max(Σcj, 1e-100)` without calibration (cleanlab's `estimate_joint` with
/// `labels=None` and a given confident joint).
pub fn joint_from_confident_joint(confident_joint: ArrayView2<'_, i64>) -> Array2<f64> {
    let total = (confident_joint.sum() as f64).max(TINY_VALUE);
    confident_joint.mapv(|v| v as f64 / total)
}

/// Column sums of an integer matrix as floats (exact for realistic counts).
pub(crate) fn int_col_sums(cj: &ArrayView2<'_, i64>) -> Array1<f64> {
    cj.columns().into_iter().map(|c| c.sum() as f64).collect()
}

/// Row sums of an integer matrix as floats.
pub(crate) fn int_row_sums(cj: &ArrayView2<'_, i64>) -> Array1<f64> {
    cj.rows().into_iter().map(|r| r.sum() as f64).collect()
}
