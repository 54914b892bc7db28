//! numpy-compatible numerics.
//!
//! cleanlab's results depend on numpy details that a naive port gets subtly wrong: the order
//! in which `np.sum` adds numbers, how `np.percentile` interpolates, how ties and NaN are
//! ordered by a sort, and how `np.round` breaks ties. The functions here reproduce those
//! details, bit for bit where the golden tests say so:
//!
//! * **Extremes and sorting**: [`argmax`], [`argmin`], [`argmax_rows`], [`argmin_rows`]
//!   (first index, NaN wins like numpy); stable [`argsort`], [`argsort_desc`],
//!   [`argsort_by_key`], [`argsort_by`]; [`searchsorted_left`], [`searchsorted_right`]. All
//!   orderings follow numpy's: NaN sorts last, `-0.0 == 0.0`.
//! * **Rounding**: [`round_half_even`] (`np.round`/`np.rint`), [`round_decimals`]
//!   (`np.round(x, decimals)`), [`trunc_to_i64`] (`.astype(int)`), [`clip`] (`np.clip`).
//! * **Summation**: [`pairwise_sum`], [`pairwise_sum_view`], [`mean`], [`column_sums`],
//!   [`row_sums`], [`column_means`], [`row_means`], [`cumsum`]: the exact addition order of
//!   numpy's reductions (pairwise summation over a contiguous axis, row-by-row accumulation
//!   across rows), in the element type as numpy does (an `f32` array is summed in `f32`).
//! * **Order statistics**: [`percentile`], [`quantile`], [`percentiles`], [`quantiles`]
//!   (numpy's default `"linear"` method, bit for bit), [`median`] (`np.median`), [`iqr`]
//!   (`scipy.stats.iqr`).
//! * **Special functions**: [`softmax`], [`softmax_1d`] (cleanlab's
//!   `internal.numerics.softmax`), [`xlogy`] (`scipy.special.xlogy`), [`normal_cdf`]
//!   (`scipy.special.ndtr`).
//!
//! # Example
//!
//! ```
//! use cl_core::numerics::{argsort_desc, median, pairwise_sum, percentile, round_half_even};
//!
//! let x = [0.25, 1.5, 0.25, 3.0];
//! assert_eq!(argsort_desc(&x), vec![3, 1, 0, 2]); // ties keep ascending index order
//! assert_eq!(pairwise_sum(&x), 5.0);
//! assert_eq!(median(&x), 0.875);
//! assert_eq!(percentile(&x, 75.0)?, 1.875);
//! assert_eq!(round_half_even(2.5), 2.0);
//! # Ok::<(), cl_core::CoreError>(())
//! ```

// Array views are cheap handles, taken by value as is the ndarray convention.
#![allow(clippy::needless_pass_by_value)]

use std::cmp::Ordering;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::constants::EPSILON;
use crate::error::{CoreError, Result};
use crate::float::Real;

// ---------------------------------------------------------------------------------------
// Ordering helpers
// ---------------------------------------------------------------------------------------

/// Whether `v` is unordered with itself (a float NaN).
#[inline]
#[allow(clippy::eq_op)]
fn is_nan_like<T: PartialOrd>(v: &T) -> bool {
    v != v
}

/// numpy's sort comparison `a < b`, with NaN greater than every number.
#[inline]
fn lt_nan_last<T: PartialOrd>(a: &T, b: &T) -> bool {
    a < b || (is_nan_like(b) && !is_nan_like(a))
}

/// Total order used by numpy's sorts: ascending, NaN after every number, all NaN equal,
/// `-0.0 == 0.0`.
///
/// Use it with a stable sort to reproduce `np.sort(..., kind="stable")`.
pub fn cmp_nan_last<T: PartialOrd>(a: &T, b: &T) -> Ordering {
    if lt_nan_last(a, b) {
        Ordering::Less
    } else if lt_nan_last(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// Descending order with NaN after every number (the order of a numpy sort of `-x`):
/// all NaN equal, `-0.0 == 0.0`.
pub fn cmp_desc_nan_last<T: PartialOrd>(a: &T, b: &T) -> Ordering {
    match (is_nan_like(a), is_nan_like(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => b.partial_cmp(a).unwrap_or(Ordering::Equal),
    }
}

// ---------------------------------------------------------------------------------------
// argmax / argmin
// ---------------------------------------------------------------------------------------

/// Index of the first maximum, like `np.argmax` (NaN is treated as the maximum, as numpy
/// does). `None` for an empty input.
pub fn argmax<T: PartialOrd + Copy, I: IntoIterator<Item = T>>(values: I) -> Option<usize> {
    let mut best: Option<(usize, T)> = None;
    for (i, v) in values.into_iter().enumerate() {
        #[allow(clippy::eq_op)]
        let is_nan = v != v;
        match best {
            None => best = Some((i, v)),
            Some((_, b)) => {
                #[allow(clippy::eq_op)]
                let best_nan = b != b;
                if best_nan {
                    break;
                }
                if is_nan || v > b {
                    best = Some((i, v));
                    if is_nan {
                        break;
                    }
                }
            }
        }
    }
    best.map(|(i, _)| i)
}

/// Index of the first minimum, like `np.argmin` (the first NaN wins, as numpy does).
/// `None` for an empty input.
pub fn argmin<T: PartialOrd + Copy, I: IntoIterator<Item = T>>(values: I) -> Option<usize> {
    let mut best: Option<(usize, T)> = None;
    for (i, v) in values.into_iter().enumerate() {
        match best {
            None => best = Some((i, v)),
            Some((_, b)) => {
                if is_nan_like(&b) {
                    break;
                }
                let v_nan = is_nan_like(&v);
                if v_nan || v < b {
                    best = Some((i, v));
                    if v_nan {
                        break;
                    }
                }
            }
        }
    }
    best.map(|(i, _)| i)
}

fn extreme_rows<T: PartialOrd + Copy>(
    x: ArrayView2<'_, T>,
    pick: fn(ndarray::iter::Iter<'_, T, ndarray::Ix1>) -> Option<usize>,
) -> Result<Vec<usize>> {
    if x.ncols() == 0 && x.nrows() > 0 {
        return Err(CoreError::Empty { what: "row" });
    }
    Ok(x.rows()
        .into_iter()
        .map(|row| pick(row.iter()).unwrap_or(0))
        .collect())
}

/// Per-row [`argmax`], like `np.argmax(x, axis=1)`.
///
/// Errors with [`CoreError::Empty`] when the rows have no column.
pub fn argmax_rows<T: PartialOrd + Copy>(x: ArrayView2<'_, T>) -> Result<Vec<usize>> {
    extreme_rows(x, |it| argmax(it.copied()))
}

/// Per-row [`argmin`], like `np.argmin(x, axis=1)`.
///
/// Errors with [`CoreError::Empty`] when the rows have no column.
pub fn argmin_rows<T: PartialOrd + Copy>(x: ArrayView2<'_, T>) -> Result<Vec<usize>> {
    extreme_rows(x, |it| argmin(it.copied()))
}

// ---------------------------------------------------------------------------------------
// Stable argsort, searchsorted
// ---------------------------------------------------------------------------------------

/// Indices that sort `values` with the comparison `cmp`, keeping equal elements in
/// ascending index order (a stable sort).
pub fn argsort_by<T, F: FnMut(&T, &T) -> Ordering>(values: &[T], mut cmp: F) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&i, &j| cmp(&values[i], &values[j]));
    idx
}

/// Stable ascending argsort, like `np.argsort(values, kind="stable")`: NaN last, ties
/// (including `-0.0` and `0.0`) in ascending index order.
///
/// cleanlab itself mostly uses numpy's default (unstable) quicksort, whose tie order is
/// CPU-dependent; this stable order is the documented substitute.
pub fn argsort<T: PartialOrd>(values: &[T]) -> Vec<usize> {
    argsort_by(values, cmp_nan_last)
}

/// Stable descending argsort: the order of `np.argsort(-values, kind="stable")`, i.e.
/// largest first, NaN last, ties in ascending index order.
pub fn argsort_desc<T: PartialOrd>(values: &[T]) -> Vec<usize> {
    argsort_by(values, cmp_desc_nan_last)
}

/// Stable ascending argsort by a key computed once per element (NaN keys last, ties in
/// ascending index order).
pub fn argsort_by_key<T, K: PartialOrd, F: FnMut(&T) -> K>(values: &[T], key: F) -> Vec<usize> {
    let keys: Vec<K> = values.iter().map(key).collect();
    argsort(&keys)
}

/// `np.searchsorted(sorted, value, side="left")`: the first index `i` with
/// `sorted[i] >= value` (NaN counts as the largest value). `sorted` must be ascending in
/// numpy's order (NaN last); otherwise the result is unspecified.
pub fn searchsorted_left<T: PartialOrd>(sorted: &[T], value: &T) -> usize {
    sorted.partition_point(|a| lt_nan_last(a, value))
}

/// `np.searchsorted(sorted, value, side="right")`: the first index `i` with
/// `sorted[i] > value` (NaN counts as the largest value). `sorted` must be ascending in
/// numpy's order (NaN last); otherwise the result is unspecified.
pub fn searchsorted_right<T: PartialOrd>(sorted: &[T], value: &T) -> usize {
    sorted.partition_point(|a| !lt_nan_last(value, a))
}

// ---------------------------------------------------------------------------------------
// Rounding, truncation, clipping
// ---------------------------------------------------------------------------------------

/// Round half to even, like `np.round(x)`, `np.rint(x)` and Python's `round(x)`.
#[inline]
pub fn round_half_even(x: f64) -> f64 {
    x.round_ties_even()
}

/// numpy's `10.0 ** n` as used by `np.round`.
fn numpy_power_of_ten(n: u32) -> f64 {
    const P10: [f64; 9] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
    if let Some(&p) = P10.get(n as usize) {
        p
    } else {
        let mut ret = 1e9;
        for _ in 9..n {
            ret *= 10.0;
        }
        ret
    }
}

/// `np.round(x, decimals)`: scale by `10^decimals`, round half to even, scale back. Like
/// numpy (and unlike Python's correctly rounded `round`), `round_decimals(2.675, 2)` is
/// `2.68` because `2.675 * 100` rounds to `267.5`; a huge `x` may overflow to infinity as
/// numpy's does.
pub fn round_decimals(x: f64, decimals: i32) -> f64 {
    let f = numpy_power_of_ten(decimals.unsigned_abs());
    if decimals >= 0 {
        (x * f).round_ties_even() / f
    } else {
        (x / f).round_ties_even() * f
    }
}

/// Truncation toward zero, like `.astype(int)` / `int(x)`.
///
/// Errors with [`CoreError::NonFinite`] for NaN or infinity and [`CoreError::OutOfRange`]
/// outside the `i64` range (where numpy silently returns an undefined value).
pub fn trunc_to_i64(x: f64) -> Result<i64> {
    // 2^63 as f64, exact.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !x.is_finite() {
        return Err(CoreError::NonFinite {
            what: "value converted to integer",
            row: 0,
            col: 0,
            value: x,
        });
    }
    let t = x.trunc();
    if !(-LIMIT..LIMIT).contains(&t) {
        return Err(CoreError::OutOfRange {
            what: "value converted to integer",
            row: 0,
            col: 0,
            value: x,
            low: -LIMIT,
            high: LIMIT,
        });
    }
    Ok(t as i64)
}

/// `np.clip(x, lo, hi)`: `min(max(x, lo), hi)` with NaN in any argument propagating, and
/// `hi` winning when `lo > hi` (never panics, unlike `f64::clamp`).
#[inline]
pub fn clip<T: Real>(x: T, lo: T, hi: T) -> T {
    let y = if x.is_nan() || x > lo { x } else { lo };
    if y.is_nan() || y < hi { y } else { hi }
}

// ---------------------------------------------------------------------------------------
// Summation
// ---------------------------------------------------------------------------------------

/// numpy's `PW_BLOCKSIZE`: above this length the pairwise summation recurses.
const PW_BLOCKSIZE: usize = 128;

/// numpy's pairwise summation of `n` elements read through `get`, starting at `start`.
fn pairwise_rec<T: Real, F: Fn(usize) -> T>(get: &F, start: usize, n: usize) -> T {
    if n < 8 {
        let mut res = T::zero();
        for i in start..start + n {
            res = res + get(i);
        }
        res
    } else if n <= PW_BLOCKSIZE {
        let mut r = [T::zero(); 8];
        for (j, rj) in r.iter_mut().enumerate() {
            *rj = get(start + j);
        }
        let unrolled = n - n % 8;
        let mut i = 8;
        while i < unrolled {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj = *rj + get(start + i + j);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for k in i..n {
            res = res + get(start + k);
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_rec(get, start, n2) + pairwise_rec(get, start + n2, n - n2)
    }
}

/// Sum exactly as `np.sum` does over a 1-D array: the reduction starts from `0` and adds
/// numpy's pairwise sum (8 interleaved partial sums, halving recursion above 128
/// elements), in the element type (`f32` sums accumulate in `f32`, as numpy's do).
///
/// The result is bit-identical to numpy's, including `-0.0` sums becoming `0.0`.
pub fn pairwise_sum<T: Real>(values: &[T]) -> T {
    T::zero() + pairwise_rec(&|i| values[i], 0, values.len())
}

/// [`pairwise_sum`] of a possibly strided 1-D view, in logical order (numpy sums a strided
/// 1-D view, e.g. one column of a matrix, the same way).
pub fn pairwise_sum_view<T: Real>(values: ArrayView1<'_, T>) -> T {
    if let Some(s) = values.as_slice() {
        return pairwise_sum(s);
    }
    T::zero() + pairwise_rec(&|i| values[i], 0, values.len())
}

/// `np.mean` of a 1-D array: [`pairwise_sum`] divided by the length in the element type.
/// NaN for an empty input (numpy warns and returns NaN).
pub fn mean<T: Real>(values: &[T]) -> T {
    pairwise_sum(values) / T::from_f64x(values.len() as f64)
}

/// Whether numpy reduces axis 0 of `x` as one contiguous 1-D reduction per column
/// (pairwise), rather than accumulating whole rows one after the other.
fn axis0_is_inner<T>(x: &ArrayView2<'_, T>) -> bool {
    let (n, k) = x.dim();
    if k <= 1 {
        return true;
    }
    if n <= 1 {
        return false;
    }
    let s = x.strides();
    s[0].unsigned_abs() < s[1].unsigned_abs()
}

/// `x.sum(axis=0)` with numpy's addition order.
///
/// For a C-ordered (row-major) matrix numpy adds the rows one after another
/// (`((0 + x[0]) + x[1]) + ...` per column); when axis 0 is the contiguous one (column-major
/// layout, or a single column) it sums each column pairwise. This function follows the
/// same rule from the view's strides.
pub fn column_sums<T: Real>(x: ArrayView2<'_, T>) -> Array1<T> {
    if axis0_is_inner(&x) {
        x.columns().into_iter().map(pairwise_sum_view).collect()
    } else {
        let mut acc = Array1::from_elem(x.ncols(), T::zero());
        for row in x.rows() {
            acc.zip_mut_with(&row, |a, &v| *a = *a + v);
        }
        acc
    }
}

/// `x.sum(axis=1)` with numpy's addition order: pairwise per row for a C-ordered matrix,
/// column-by-column accumulation for a column-major one.
pub fn row_sums<T: Real>(x: ArrayView2<'_, T>) -> Array1<T> {
    column_sums(x.reversed_axes())
}

/// `x.mean(axis=0)`: [`column_sums`] divided by the number of rows (NaN without rows).
pub fn column_means<T: Real>(x: ArrayView2<'_, T>) -> Array1<T> {
    let n = T::from_f64x(x.nrows() as f64);
    column_sums(x).mapv_into(|s| s / n)
}

/// `x.mean(axis=1)`: [`row_sums`] divided by the number of columns (NaN without columns).
pub fn row_means<T: Real>(x: ArrayView2<'_, T>) -> Array1<T> {
    let k = T::from_f64x(x.ncols() as f64);
    row_sums(x).mapv_into(|s| s / k)
}

/// `np.cumsum`: running sums, added sequentially (`out[i] = out[i-1] + x[i]`).
pub fn cumsum<T: Real>(values: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(values.len());
    let mut acc: Option<T> = None;
    for &v in values {
        let s = acc.map_or(v, |a| a + v);
        out.push(s);
        acc = Some(s);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Order statistics
// ---------------------------------------------------------------------------------------

/// A copy of `values` sorted ascending, or `None` if any value is NaN.
fn sorted_without_nan(values: &[f64]) -> Option<Vec<f64>> {
    if values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut s = values.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    Some(s)
}

/// numpy's `_lerp`: `a + (b - a) t`, or `b - (b - a)(1 - t)` when `t >= 0.5`.
#[inline]
fn numpy_lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// numpy's "linear" quantile of an ascending, NaN-free, non-empty slice at `q` in [0, 1].
fn linear_quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let last = n - 1;
    let virtual_index = last as f64 * q;
    // numpy marks positions at or past the end with index -1 (the last element), and
    // computes the weight against that -1.
    let (lo, hi, lo_index) = if virtual_index >= last as f64 {
        (last, last, -1.0)
    } else {
        let f = virtual_index.floor();
        let lo = f as usize;
        (lo, (lo + 1).min(last), f)
    };
    numpy_lerp(sorted[lo], sorted[hi], virtual_index - lo_index)
}

fn check_fraction(q: f64, name: &'static str, reason: &str) -> Result<()> {
    if (0.0..=1.0).contains(&q) {
        Ok(())
    } else {
        Err(CoreError::InvalidParameter {
            name,
            reason: reason.to_owned(),
        })
    }
}

/// `np.quantile(values, qs)` for several `qs` in [0, 1] at once (one sort), numpy's default
/// `"linear"` method, bit for bit. Any NaN in `values` makes every result NaN.
///
/// Errors: [`CoreError::Empty`] for no values (numpy raises `IndexError`),
/// [`CoreError::InvalidParameter`] for a `q` outside [0, 1] or NaN.
pub fn quantiles(values: &[f64], qs: &[f64]) -> Result<Vec<f64>> {
    for &q in qs {
        check_fraction(q, "q", "Quantiles must be in the range [0, 1]")?;
    }
    if values.is_empty() {
        return Err(CoreError::Empty { what: "values" });
    }
    Ok(match sorted_without_nan(values) {
        None => vec![f64::NAN; qs.len()],
        Some(s) => qs.iter().map(|&q| linear_quantile_sorted(&s, q)).collect(),
    })
}

/// `np.quantile(values, q)` for one `q` in [0, 1]; see [`quantiles`].
pub fn quantile(values: &[f64], q: f64) -> Result<f64> {
    Ok(quantiles(values, &[q])?[0])
}

/// `np.percentile(values, qs)` for several `qs` in [0, 100] at once (numpy divides each by
/// 100 first, then proceeds as [`quantiles`]).
///
/// Errors: [`CoreError::Empty`] for no values, [`CoreError::InvalidParameter`] for a `q`
/// outside [0, 100] or NaN.
pub fn percentiles(values: &[f64], qs: &[f64]) -> Result<Vec<f64>> {
    let fractions: Vec<f64> = qs.iter().map(|&q| q / 100.0).collect();
    for &q in &fractions {
        check_fraction(q, "q", "Percentiles must be in the range [0, 100]")?;
    }
    quantiles(values, &fractions)
}

/// `np.percentile(values, q)` for one `q` in [0, 100]; see [`percentiles`].
pub fn percentile(values: &[f64], q: f64) -> Result<f64> {
    Ok(percentiles(values, &[q])?[0])
}

/// `np.median(values)`: the middle order statistic, or the numpy mean
/// `((0 + a) + b) / 2` of the two middle ones for an even length (which can differ in the
/// last bit from `percentile(values, 50)`). NaN for an empty input or if any value is NaN.
pub fn median(values: &[f64]) -> f64 {
    let n = values.len();
    if n == 0 || values.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let mut s = values.to_vec();
    let h = n / 2;
    let (left, &mut mid, _) = s.select_nth_unstable_by(h, f64::total_cmp);
    if n % 2 == 1 {
        (0.0 + mid) / 1.0
    } else {
        let lower = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        ((0.0 + lower) + mid) / 2.0
    }
}

/// scipy's "linear" quantile (`scipy.stats.quantile`) of an ascending, NaN-free,
/// non-empty slice at `p` in [0, 1]: `(1 - g) y[j] + g y[j + 1]` with
/// `j + 1 + g = p n + 1 - p`.
fn scipy_linear_quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len() as f64;
    let jg = p * n + (1.0 - p);
    let jp1 = jg.floor();
    let j = jp1 - 1.0;
    let g = if j < 0.0 { 0.0 } else { jg % 1.0 };
    let last = n - 1.0;
    let at = |i: f64| sorted[i.clamp(0.0, last) as usize];
    (1.0 - g) * at(j) + g * at(jp1)
}

/// `scipy.stats.iqr(values)` with its defaults (`rng=(25, 75)`, linear interpolation,
/// `nan_policy="propagate"`): the 75th minus the 25th percentile, computed with scipy's own
/// quantile formula (which can differ in the last bits from numpy's). NaN for an empty
/// input or if any value is NaN, as scipy returns.
pub fn iqr(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    match sorted_without_nan(values) {
        None => f64::NAN,
        Some(s) => scipy_linear_quantile_sorted(&s, 0.75) - scipy_linear_quantile_sorted(&s, 0.25),
    }
}

// ---------------------------------------------------------------------------------------
// Softmax and special functions
// ---------------------------------------------------------------------------------------

/// The axis along which [`softmax`] normalises (numpy's `axis` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SoftmaxAxis {
    /// `axis=None`: one softmax over all entries (cleanlab's default).
    Flattened,
    /// `axis=0`: each column sums to 1.
    Axis0,
    /// `axis=1`: each row sums to 1.
    Axis1,
}

/// NaN-propagating maximum of a 1-D view (`np.max`); `-inf` for an empty view.
fn nan_max<'a, I: IntoIterator<Item = &'a f64>>(values: I) -> f64 {
    let mut m = f64::NEG_INFINITY;
    for &v in values {
        if v.is_nan() {
            return v;
        }
        if v > m {
            m = v;
        }
    }
    m
}

/// cleanlab's `internal.numerics.softmax(x, temperature, axis, shift)`:
/// `x / max(temperature, 1e-6)`, optionally minus its maximum along `axis` (`shift`, for
/// numerical stability), exponentiated, divided by its sum along `axis`.
///
/// Sums follow numpy's order (see [`column_sums`], [`row_sums`], [`pairwise_sum`]); the
/// exponential is the platform's `exp`, which may differ from numpy's vectorised one in
/// the last bit. An empty `x` gives an empty result.
pub fn softmax(
    x: ArrayView2<'_, f64>,
    temperature: f64,
    axis: SoftmaxAxis,
    shift: bool,
) -> Array2<f64> {
    // Python's `max(temperature, EPSILON)`: the first argument unless the second is larger.
    let t = if EPSILON > temperature {
        EPSILON
    } else {
        temperature
    };
    // `mapv` keeps a contiguous input's memory order, as numpy's element-wise ops do.
    let mut z = x.mapv(|v| v / t);
    if z.is_empty() {
        return z;
    }
    if shift {
        match axis {
            SoftmaxAxis::Flattened => {
                let m = nan_max(z.iter());
                z.mapv_inplace(|v| v - m);
            }
            SoftmaxAxis::Axis0 => {
                for mut col in z.columns_mut() {
                    let m = nan_max(col.iter());
                    col.mapv_inplace(|v| v - m);
                }
            }
            SoftmaxAxis::Axis1 => {
                for mut row in z.rows_mut() {
                    let m = nan_max(row.iter());
                    row.mapv_inplace(|v| v - m);
                }
            }
        }
    }
    z.mapv_inplace(f64::exp);
    match axis {
        SoftmaxAxis::Flattened => {
            let s = match z.as_slice_memory_order() {
                Some(flat) => pairwise_sum(flat),
                None => pairwise_sum(&z.iter().copied().collect::<Vec<_>>()),
            };
            z.mapv_inplace(|v| v / s);
        }
        SoftmaxAxis::Axis0 => {
            let sums = column_sums(z.view());
            for (mut col, s) in z.columns_mut().into_iter().zip(sums) {
                col.mapv_inplace(|v| v / s);
            }
        }
        SoftmaxAxis::Axis1 => {
            let sums = row_sums(z.view());
            for (mut row, s) in z.rows_mut().into_iter().zip(sums) {
                row.mapv_inplace(|v| v / s);
            }
        }
    }
    z
}

/// [`softmax`] of a 1-D array (any `axis`, all equivalent for 1-D input).
pub fn softmax_1d(x: &[f64], temperature: f64, shift: bool) -> Vec<f64> {
    let t = if EPSILON > temperature {
        EPSILON
    } else {
        temperature
    };
    let mut z: Vec<f64> = x.iter().map(|&v| v / t).collect();
    if shift && !z.is_empty() {
        let m = nan_max(z.iter());
        for v in &mut z {
            *v -= m;
        }
    }
    for v in &mut z {
        *v = v.exp();
    }
    let s = pairwise_sum(&z);
    for v in &mut z {
        *v /= s;
    }
    z
}

/// `scipy.special.xlogy(x, y)`: `x * ln(y)`, defined as `0` when `x == 0` and `y` is not
/// NaN (so `0 * ln 0 = 0`).
#[inline]
pub fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 && !y.is_nan() {
        0.0
    } else {
        x * y.ln()
    }
}

/// Coefficients of the Cephes rational approximations behind `scipy.special.ndtr`
/// (Cephes Math Library 2.2, S. L. Moshier): erfc on [1, 8) and [8, inf), erf on [0, 1].
/// Written with their published digits (more than an `f64` holds; the parsed values are
/// what matter).
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
mod cephes {
    pub(super) const ERFC_NUM_SMALL: [f64; 9] = [
        2.461_969_814_735_305_125_24e-10,
        5.641_895_648_310_688_219_77e-1,
        7.463_210_564_422_699_126_87e0,
        4.863_719_709_856_813_666_14e1,
        1.965_208_329_560_770_982_42e2,
        5.264_451_949_954_773_586_31e2,
        9.345_285_271_719_576_075_40e2,
        1.027_551_886_895_157_102_72e3,
        5.575_353_353_693_993_275_26e2,
    ];
    pub(super) const ERFC_DEN_SMALL: [f64; 8] = [
        1.322_819_511_547_449_925_08e1,
        8.670_721_408_859_897_423_29e1,
        3.549_377_788_878_198_910_62e2,
        9.757_085_017_432_054_897_53e2,
        1.823_909_166_879_097_362_89e3,
        2.246_337_608_187_109_817_92e3,
        1.656_663_091_941_613_501_82e3,
        5.575_353_408_177_276_755_46e2,
    ];
    pub(super) const ERFC_NUM_LARGE: [f64; 6] = [
        5.641_895_835_477_550_739_84e-1,
        1.275_366_707_599_781_044_16e0,
        5.019_050_422_511_804_774_14e0,
        6.160_210_979_930_535_851_95e0,
        7.409_742_699_504_489_391_60e0,
        2.978_866_653_721_002_406_70e0,
    ];
    pub(super) const ERFC_DEN_LARGE: [f64; 6] = [
        2.260_528_632_201_172_765_90e0,
        9.396_035_249_380_014_346_73e0,
        1.204_895_398_080_966_566_05e1,
        1.708_144_507_475_658_972_22e1,
        9.608_968_090_632_858_781_98e0,
        3.369_076_451_000_815_160_50e0,
    ];
    pub(super) const ERF_NUM: [f64; 5] = [
        9.604_973_739_870_516_387_49e0,
        9.002_601_972_038_426_892_17e1,
        2.232_005_345_946_843_192_26e3,
        7.003_325_141_128_050_754_73e3,
        5.559_230_130_103_949_627_68e4,
    ];
    pub(super) const ERF_DEN: [f64; 5] = [
        3.356_171_416_475_030_996_47e1,
        5.213_579_497_801_526_797_95e2,
        4.594_323_829_709_801_279_87e3,
        2.262_900_006_138_909_342_46e4,
        4.926_739_426_086_359_210_86e4,
    ];
    /// `ln(f64::MAX)`: below `-MAX_LOG` the exponential underflows.
    pub(super) const MAX_LOG: f64 = 7.097_827_128_933_839_968_43e2;
}

use cephes::{
    ERF_DEN, ERF_NUM, ERFC_DEN_LARGE, ERFC_DEN_SMALL, ERFC_NUM_LARGE, ERFC_NUM_SMALL, MAX_LOG,
};

/// Horner evaluation of `c[0] x^n + ... + c[n]`.
fn horner(x: f64, c: &[f64]) -> f64 {
    c.iter().skip(1).fold(c[0], |acc, &k| acc * x + k)
}

/// Horner evaluation of the monic `x^(n+1) + c[0] x^n + ... + c[n]`.
fn horner_monic(x: f64, c: &[f64]) -> f64 {
    c.iter().skip(1).fold(x + c[0], |acc, &k| acc * x + k)
}

/// The complementary error function as computed by scipy (Cephes): the same rational
/// approximations and the same operation order, so results are bit-identical.
fn cephes_erfc(a: f64) -> f64 {
    if a.is_nan() {
        return f64::NAN;
    }
    let x = a.abs();
    if x < 1.0 {
        return 1.0 - cephes_erf(a);
    }
    let underflow = if a < 0.0 { 2.0 } else { 0.0 };
    let z = -a * a;
    if z < -MAX_LOG {
        return underflow;
    }
    let e = z.exp();
    let (p, q) = if x < 8.0 {
        (horner(x, &ERFC_NUM_SMALL), horner_monic(x, &ERFC_DEN_SMALL))
    } else {
        (horner(x, &ERFC_NUM_LARGE), horner_monic(x, &ERFC_DEN_LARGE))
    };
    let mut y = (e * p) / q;
    if a < 0.0 {
        y = 2.0 - y;
    }
    if y == 0.0 { underflow } else { y }
}

/// The error function as computed by scipy (Cephes); see [`cephes_erfc`].
fn cephes_erf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return -cephes_erf(-x);
    }
    if x > 1.0 {
        return 1.0 - cephes_erfc(x);
    }
    let z = x * x;
    x * horner(z, &ERF_NUM) / horner_monic(z, &ERF_DEN)
}

/// The standard normal CDF, bit-identical to `scipy.special.ndtr(x)`: with `t = x/√2`,
/// `0.5 + 0.5 erf(t)` for `|t| < 1`, otherwise `0.5 erfc(|t|)` (or one minus it for
/// positive `t`), using scipy's own (Cephes) `erf`/`erfc` approximations. Exactly `0` below
/// about `-37.7`, where scipy's `erfc` underflows. NaN for NaN.
pub fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let t = x * std::f64::consts::FRAC_1_SQRT_2;
    let z = t.abs();
    if z < 1.0 {
        0.5 + 0.5 * cephes_erf(t)
    } else {
        let y = 0.5 * cephes_erfc(z);
        if t > 0.0 { 1.0 - y } else { y }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmin_first_and_nan() {
        assert_eq!(argmin([3.0, 1.0, 1.0, 2.0]), Some(1));
        assert_eq!(argmin([3.0, f64::NAN, 0.0, f64::NAN]), Some(1));
        assert_eq!(argmin(Vec::<f64>::new()), None);
        assert_eq!(argmax([1.0, 3.0, 3.0]), Some(1));
    }

    #[test]
    fn argsort_ties_nan_zero() {
        let x = [0.0, f64::NAN, -0.0, 1.0, -1.0, f64::NAN, 0.0];
        assert_eq!(argsort(&x), vec![4, 0, 2, 6, 3, 1, 5]);
        assert_eq!(argsort_desc(&x), vec![3, 0, 2, 6, 4, 1, 5]);
        assert_eq!(argsort_by_key(&[3_i32, 1, 2, 1], |v| -v), vec![0, 2, 1, 3]);
    }

    #[test]
    fn searchsorted_basic() {
        let s = [1.0, 2.0, 2.0, 3.0, f64::NAN];
        assert_eq!(searchsorted_left(&s, &2.0), 1);
        assert_eq!(searchsorted_right(&s, &2.0), 3);
        assert_eq!(searchsorted_left(&s, &f64::NAN), 4);
        assert_eq!(searchsorted_right(&s, &f64::NAN), 5);
        assert_eq!(searchsorted_right(&s, &0.0), 0);
    }

    #[test]
    fn rounding_and_trunc() {
        assert_eq!(round_half_even(0.5), 0.0);
        assert_eq!(round_half_even(1.5), 2.0);
        assert_eq!(round_half_even(-2.5), -2.0);
        assert_eq!(trunc_to_i64(-2.9), Ok(-2));
        assert_eq!(trunc_to_i64(28.999_999_999_999_996), Ok(28));
        assert!(trunc_to_i64(f64::NAN).is_err());
        assert!(trunc_to_i64(1e19).is_err());
        assert_eq!(trunc_to_i64(-9_223_372_036_854_775_808.0), Ok(i64::MIN));
        assert_eq!(round_decimals(2.675, 2), 2.68);
        assert_eq!(round_decimals(1250.0, -2), 1200.0);
    }

    #[test]
    fn clip_nan_and_inverted() {
        assert_eq!(clip(5.0, 0.0, 1.0), 1.0);
        assert_eq!(clip(-5.0, 0.0, 1.0), 0.0);
        assert!(clip(f64::NAN, 0.0, 1.0).is_nan());
        assert!(clip(0.5, f64::NAN, 1.0).is_nan());
        assert_eq!(clip(0.5, 2.0, 1.0), 1.0);
    }

    #[test]
    fn sums_small() {
        assert_eq!(pairwise_sum::<f64>(&[]), 0.0);
        assert!(pairwise_sum(&[-0.0_f64]).is_sign_positive());
        assert_eq!(cumsum(&[1.0, 2.0, 3.0]), vec![1.0, 3.0, 6.0]);
        assert!(cumsum(&[-0.0_f64])[0].is_sign_negative());
        assert!(mean::<f64>(&[]).is_nan());
    }

    #[test]
    fn quantile_edges() {
        assert!(percentile(&[], 50.0).is_err());
        assert!(percentile(&[1.0], 101.0).is_err());
        assert!(quantile(&[1.0], f64::NAN).is_err());
        assert_eq!(percentile(&[2.0], 30.0), Ok(2.0));
        assert!(percentile(&[1.0, f64::NAN], 10.0).is_ok_and(f64::is_nan));
        assert!(median(&[]).is_nan());
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert!(iqr(&[]).is_nan());
        assert_eq!(iqr(&[1.0, 2.0, 3.0, 4.0, 5.0]), 2.0);
    }

    #[test]
    fn argmax_rows_empty_cols() {
        let a = Array2::<f64>::zeros((2, 0));
        assert!(argmax_rows(a.view()).is_err());
        let b = Array2::<f64>::zeros((0, 0));
        assert_eq!(argmax_rows(b.view()), Ok(vec![]));
    }
}
