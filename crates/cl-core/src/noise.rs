//! Synthetic label noise: cleanlab's `benchmarking.noise_generation`.
//!
//! * [`generate_noise_matrix_from_trace`]: a random `K × K` column-stochastic noise matrix
//!   `P(noisy label = i | true label = j)` with a given trace, optionally *valid* (learnable:
//!   see [`noise_matrix_is_valid`]) for a prior `py`, with a fraction of exactly-zero noise
//!   rates.
//! * [`generate_noisy_labels`]: flips true labels according to a noise matrix.
//! * [`generate_n_rand_probabilities_that_sum_to_m`] and
//!   [`randomly_distribute_n_balls_into_k_bins`]: the two random helpers behind them.
//!
//! Randomness comes from a [`NumpyRng`], which reproduces numpy's global generator, so with
//! the same seeds the results equal cleanlab's exactly. cleanlab reseeds numpy's *global*
//! generator inside `generate_noise_matrix_from_trace` (default `seed=0`) and then draws the
//! label flips of `generate_noisy_labels` from the same global stream; reproduce that
//! pattern by passing one [`NumpyRng`] to [`generate_noise_matrix_from_trace_with_rng`] and
//! then to [`generate_noisy_labels`].
//!
//! ```
//! use cl_core::noise::{
//!     NoiseMatrixOptions, generate_noise_matrix_from_trace_with_rng, generate_noisy_labels,
//!     noise_matrix_is_valid,
//! };
//! use cl_core::rng::NumpyRng;
//!
//! let py = [0.2, 0.3, 0.5];
//! let opts = NoiseMatrixOptions::default().py(&py).seed(Some(1));
//! // Python: nm = generate_noise_matrix_from_trace(3, 2.0, py=py, seed=1)
//! let mut rng = NumpyRng::new(0);
//! let nm = generate_noise_matrix_from_trace_with_rng(3, 2.0, &opts, &mut rng)?
//!     .expect("a valid matrix is found well within max_iter");
//! assert!(noise_matrix_is_valid(nm.view(), &py));
//! assert!((nm.diag().sum() - 2.0).abs() < 1e-12);
//! // Python: s = generate_noisy_labels(true_labels, nm)   (same global stream)
//! let true_labels = [0, 1, 2, 2, 1, 2, 0, 2, 1, 2];
//! let noisy = generate_noisy_labels(&true_labels, nm.view(), &mut rng)?;
//! assert_eq!(noisy.len(), true_labels.len());
//! # Ok::<(), cl_core::CoreError>(())
//! ```

use ndarray::{Array2, ArrayView2};

use crate::constants::FLOATING_POINT_COMPARISON;
use crate::error::{CoreError, Result};
use crate::rng::NumpyRng;

/// Safety cap on the adjustment loop of [`generate_n_rand_probabilities_that_sum_to_m`]
/// (cleanlab has none; every reachable input converges in a handful of rounds).
const MAX_ADJUSTMENTS: usize = 10_000_000;

/// Options of [`generate_noise_matrix_from_trace`]; `Default` gives cleanlab's defaults.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NoiseMatrixOptions {
    /// Largest allowed diagonal entry (`max_trace_prob`, default 1.0).
    pub max_trace_prob: f64,
    /// Smallest allowed diagonal entry (`min_trace_prob`, default 1e-5).
    pub min_trace_prob: f64,
    /// Largest allowed off-diagonal entry (`max_noise_rate`, default 1 - 1e-5).
    pub max_noise_rate: f64,
    /// Smallest allowed non-zero off-diagonal entry (`min_noise_rate`, default 0.0).
    pub min_noise_rate: f64,
    /// Only return a matrix that passes [`noise_matrix_is_valid`] for `py`
    /// (`valid_noise_matrix`, default true).
    pub valid_noise_matrix: bool,
    /// Prior of the true labels, required when validating with `K > 2` (`py`, default none).
    pub py: Option<Vec<f64>>,
    /// Fraction of the `K (K - 1)` noise rates forced to zero (`frac_zero_noise_rates`,
    /// default 0.0).
    pub frac_zero_noise_rates: f64,
    /// Seed applied to the generator before drawing (`seed`, default `Some(0)`); `None`
    /// keeps the generator's current state, like cleanlab's `seed=None`.
    pub seed: Option<u32>,
    /// Number of attempts to find a valid matrix before giving up with `None`
    /// (`max_iter`, default 10000).
    pub max_iter: usize,
}

impl Default for NoiseMatrixOptions {
    fn default() -> Self {
        NoiseMatrixOptions {
            max_trace_prob: 1.0,
            min_trace_prob: 1e-5,
            max_noise_rate: 1.0 - 1e-5,
            min_noise_rate: 0.0,
            valid_noise_matrix: true,
            py: None,
            frac_zero_noise_rates: 0.0,
            seed: Some(0),
            max_iter: 10_000,
        }
    }
}

impl NoiseMatrixOptions {
    /// Sets `max_trace_prob`.
    #[must_use]
    pub fn max_trace_prob(mut self, v: f64) -> Self {
        self.max_trace_prob = v;
        self
    }
    /// Sets `min_trace_prob`.
    #[must_use]
    pub fn min_trace_prob(mut self, v: f64) -> Self {
        self.min_trace_prob = v;
        self
    }
    /// Sets `max_noise_rate`.
    #[must_use]
    pub fn max_noise_rate(mut self, v: f64) -> Self {
        self.max_noise_rate = v;
        self
    }
    /// Sets `min_noise_rate`.
    #[must_use]
    pub fn min_noise_rate(mut self, v: f64) -> Self {
        self.min_noise_rate = v;
        self
    }
    /// Sets `valid_noise_matrix`.
    #[must_use]
    pub fn valid_noise_matrix(mut self, v: bool) -> Self {
        self.valid_noise_matrix = v;
        self
    }
    /// Sets the prior `py`.
    #[must_use]
    pub fn py(mut self, py: &[f64]) -> Self {
        self.py = Some(py.to_vec());
        self
    }
    /// Sets `frac_zero_noise_rates`.
    #[must_use]
    pub fn frac_zero_noise_rates(mut self, v: f64) -> Self {
        self.frac_zero_noise_rates = v;
        self
    }
    /// Sets the seed (`None`: do not reseed).
    #[must_use]
    pub fn seed(mut self, seed: Option<u32>) -> Self {
        self.seed = seed;
        self
    }
    /// Sets `max_iter`.
    #[must_use]
    pub fn max_iter(mut self, v: usize) -> Self {
        self.max_iter = v;
        self
    }
}

/// The outcome of [`noise_matrix_check`]: why a noise matrix is or is not valid.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum NoiseMatrixCheck {
    /// The matrix is valid for the prior.
    Valid,
    /// The matrix is not square or does not match the length of `py`.
    ShapeMismatch,
    /// The joint `noise_matrix · diag(py)` does not sum to 1 within 1e-6.
    JointSum {
        /// The sum of the joint.
        sum: f64,
    },
    /// For this class, `P(noisy = k) · P(true = k) >= P(noisy = k, true = k)`: the class is
    /// not learnable from the noisy labels.
    NotDominant {
        /// The first class failing the test.
        class: usize,
    },
}

/// Checks a noise matrix against a prior, as cleanlab's `noise_matrix_is_valid`, returning
/// the reason when it is invalid.
///
/// With `joint = noise_matrix · diag(py)` and `ps = noise_matrix · py`, the matrix is valid
/// when `joint` sums to 1 within 1e-6 and `ps[k] · py[k] < joint[k, k]` for every class.
#[allow(clippy::needless_pass_by_value)] // array views are cheap handles, taken by value
pub fn noise_matrix_check(noise_matrix: ArrayView2<f64>, py: &[f64]) -> NoiseMatrixCheck {
    let k = py.len();
    if noise_matrix.dim() != (k, k) {
        return NoiseMatrixCheck::ShapeMismatch;
    }
    // Row-major joint, summed like numpy's pairwise `sum` over the contiguous array.
    let joint: Vec<f64> = noise_matrix
        .indexed_iter()
        .map(|((_, j), &v)| v * py[j])
        .collect();
    let sum = pairwise_sum(&joint);
    if (sum - 1.0).abs() > FLOATING_POINT_COMPARISON {
        return NoiseMatrixCheck::JointSum { sum };
    }
    for (c, row) in noise_matrix.rows().into_iter().enumerate() {
        let ps = row.iter().zip(py).fold(0.0, |s, (&a, &b)| s + a * b);
        let dominant = ps * py[c] < joint[c * k + c];
        if !dominant {
            return NoiseMatrixCheck::NotDominant { class: c };
        }
    }
    NoiseMatrixCheck::Valid
}

/// Whether a noise matrix is valid (learnable) for the prior `py`, as cleanlab's
/// `noise_matrix_is_valid`: see [`noise_matrix_check`]. A matrix whose shape does not match
/// `py` is reported invalid (cleanlab raises a broadcasting error).
#[allow(clippy::needless_pass_by_value)] // array views are cheap handles, taken by value
pub fn noise_matrix_is_valid(noise_matrix: ArrayView2<f64>, py: &[f64]) -> bool {
    noise_matrix_check(noise_matrix, py) == NoiseMatrixCheck::Valid
}

/// Flips `true_labels` according to `noise_matrix`, as cleanlab's `generate_noisy_labels`,
/// drawing from `rng` (cleanlab: numpy's global generator).
///
/// With `py` the label frequencies and `N` the number of labels, the number of examples of
/// true class `k` that get noisy label `j != k` is `trunc(noise_matrix[j, k] · py[k] · N)`.
/// For each class `k` in order, if that class needs flips and has at least that many
/// examples, `rng.choice(indices of class k, total, replace=false)` picks them and they get
/// the new labels in ascending order of `j`; a class with more flips than examples is left
/// unchanged.
///
/// Errors: `noise_matrix` not square or with negative/non-finite entries; a label outside
/// `0..K`; a class of `0..K` absent from `true_labels` (cleanlab fails with a broadcasting
/// error then, as its prior only covers the classes present).
#[allow(clippy::needless_pass_by_value)] // array views are cheap handles, taken by value
pub fn generate_noisy_labels(
    true_labels: &[usize],
    noise_matrix: ArrayView2<f64>,
    rng: &mut NumpyRng,
) -> Result<Vec<usize>> {
    let k = check_square(noise_matrix, "noise_matrix")?;
    if let Some((row, col, &value)) = noise_matrix
        .indexed_iter()
        .map(|((r, c), v)| (r, c, v))
        .find(|(_, _, v)| !v.is_finite() || **v < 0.0)
    {
        return Err(if value.is_finite() {
            CoreError::OutOfRange {
                what: "noise_matrix",
                row,
                col,
                value,
                low: 0.0,
                high: f64::INFINITY,
            }
        } else {
            CoreError::NonFinite {
                what: "noise_matrix",
                row,
                col,
                value,
            }
        });
    }
    let n = true_labels.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &y) in true_labels.iter().enumerate() {
        let Some(m) = members.get_mut(y) else {
            return Err(CoreError::LabelOutOfRange {
                row: i,
                label: y as i64,
                num_classes: k,
            });
        };
        m.push(i);
    }
    if let Some(missing) = members.iter().position(Vec::is_empty) {
        return Err(CoreError::Shape {
            what: "true_labels and noise_matrix",
            expected: format!("every class of 0..{k} present in true_labels"),
            found: format!("class {missing} absent"),
        });
    }
    let nf = n as f64;
    let mut noisy = true_labels.to_vec();
    for (class, idx) in members.iter().enumerate() {
        let py_k = idx.len() as f64 / nf;
        let mut new_labels = Vec::new();
        for j in (0..k).filter(|&j| j != class) {
            let count = (noise_matrix[[j, class]] * py_k * nf).trunc() as usize;
            new_labels.extend(std::iter::repeat_n(j, count));
        }
        if new_labels.is_empty() || new_labels.len() > idx.len() {
            continue;
        }
        let picked = rng.choice_from(idx, new_labels.len(), false, None)?;
        for (pos, label) in picked.into_iter().zip(new_labels) {
            noisy[pos] = label;
        }
    }
    Ok(noisy)
}

/// Generates a `K × K` noise matrix with the given trace, as cleanlab's
/// `generate_noise_matrix_from_trace(K, trace, ...)`, on a fresh generator seeded with
/// `opts.seed` (seed 0 when `None`).
///
/// See [`generate_noise_matrix_from_trace_with_rng`] for the algorithm, the errors and how
/// to continue drawing on the same stream afterwards.
pub fn generate_noise_matrix_from_trace(
    k: usize,
    trace: f64,
    opts: &NoiseMatrixOptions,
) -> Result<Option<Array2<f64>>> {
    let mut rng = NumpyRng::new(opts.seed.unwrap_or(0));
    generate_noise_matrix_from_trace_with_rng(k, trace, opts, &mut rng)
}

/// [`generate_noise_matrix_from_trace`] on a caller's generator: `rng` is reseeded with
/// `opts.seed` (unless `None`), exactly where cleanlab reseeds numpy's global generator, and
/// is left advanced past the draws, so following calls (e.g. [`generate_noisy_labels`])
/// continue the stream as cleanlab's global `np.random` would.
///
/// Returns `Ok(None)` when `max_iter == 0` (before any reseeding) or when no valid matrix is
/// found in `max_iter` attempts.
///
/// * `K == 2`: with `frac_zero_noise_rates >= 0.5`, the matrix `[[1, 2 - t], [0, t - 1]]`,
///   turned by 180° when a uniform draw is below 0.5; otherwise a diagonal from
///   [`generate_n_rand_probabilities_that_sum_to_m`]`(2, trace)` (default bounds) and its
///   complements off the diagonal. No validity check.
/// * `K > 2`: each attempt draws a diagonal summing to `trace` within
///   `[min_trace_prob, max_trace_prob]`, spreads `trunc(K (K - 1) · frac_zero_noise_rates)`
///   zero noise rates over the columns (at most `K - 2` per column, with
///   [`randomly_distribute_n_balls_into_k_bins`]), and fills each column `j` with random
///   noise rates summing to `1 - diag[j]` within `[min_noise_rate, max_noise_rate]`, placed
///   in rows drawn with `choice(other rows, replace=false)` (the last drawn row gets the first
///   rate). The attempt is accepted when not validating or when
///   [`noise_matrix_is_valid`]`(matrix, py)`.
///
/// Errors (checked in cleanlab's order): `trace <= 1` while validating; `py` missing while
/// validating with `K > 2`; `K <= 1`; `py` of the wrong length; and the errors of the
/// random helpers (e.g. `max_trace_prob · K < trace`).
pub fn generate_noise_matrix_from_trace_with_rng(
    k: usize,
    trace: f64,
    opts: &NoiseMatrixOptions,
    rng: &mut NumpyRng,
) -> Result<Option<Array2<f64>>> {
    if opts.valid_noise_matrix && trace <= 1.0 {
        return Err(CoreError::InvalidParameter {
            name: "trace",
            reason: format!(
                "trace = {trace}; trace > 1 is necessary for a valid noise matrix \
                 (valid_noise_matrix == true)"
            ),
        });
    }
    if opts.valid_noise_matrix && opts.py.is_none() && k > 2 {
        return Err(CoreError::InvalidParameter {
            name: "py",
            reason: "py is required when valid_noise_matrix == true and K > 2".into(),
        });
    }
    if k <= 1 {
        return Err(CoreError::InvalidParameter {
            name: "K",
            reason: format!("K must be >= 2, but K = {k}"),
        });
    }
    if !trace.is_finite() {
        return Err(CoreError::NonFinite {
            what: "trace",
            row: 0,
            col: 0,
            value: trace,
        });
    }
    let py = match (&opts.py, opts.valid_noise_matrix && k > 2) {
        (Some(py), true) if py.len() != k => {
            return Err(CoreError::Shape {
                what: "py",
                expected: format!("length {k}"),
                found: format!("length {}", py.len()),
            });
        }
        (Some(py), true) => Some(py.as_slice()),
        _ => None,
    };
    if opts.max_iter < 1 {
        return Ok(None);
    }
    if let Some(seed) = opts.seed {
        rng.seed(seed);
    }

    if k == 2 {
        return Ok(Some(two_class_matrix(
            trace,
            opts.frac_zero_noise_rates,
            rng,
        )?));
    }

    let num_zero = ((k * (k - 1)) as f64 * opts.frac_zero_noise_rates).trunc();
    // A negative or NaN fraction gives no zero (Python's int() would raise or go negative).
    let num_zero = if num_zero > 0.0 { num_zero as usize } else { 0 };
    let others: Vec<Vec<usize>> = (0..k)
        .map(|j| (0..k).filter(|&i| i != j).collect())
        .collect();
    for _ in 0..opts.max_iter {
        let diag = generate_n_rand_probabilities_that_sum_to_m(
            k,
            trace,
            opts.max_trace_prob,
            opts.min_trace_prob,
            rng,
        )?;
        let zeros_per_col =
            randomly_distribute_n_balls_into_k_bins(num_zero, k, Some(k - 2), Some(0), rng)?;
        let mut nm = Array2::<f64>::zeros((k, k));
        for (j, &d) in diag.iter().enumerate() {
            nm[[j, j]] = d;
        }
        for j in 0..k {
            let nonzero = k - 1 - zeros_per_col[j];
            let rates = generate_n_rand_probabilities_that_sum_to_m(
                nonzero,
                1.0 - diag[j],
                opts.max_noise_rate,
                opts.min_noise_rate,
                rng,
            )?;
            let rows = rng.choice_from(&others[j], nonzero, false, None)?;
            for (rate, &row) in rates.iter().zip(rows.iter().rev()) {
                nm[[row, j]] = *rate;
            }
        }
        match py {
            Some(py) if !noise_matrix_is_valid(nm.view(), py) => {}
            _ => return Ok(Some(nm)),
        }
    }
    Ok(None)
}

/// The `K == 2` branch of [`generate_noise_matrix_from_trace_with_rng`].
fn two_class_matrix(trace: f64, frac_zero: f64, rng: &mut NumpyRng) -> Result<Array2<f64>> {
    if frac_zero >= 0.5 {
        let (a, b) = (1.0 - (trace - 1.0), trace - 1.0);
        let turned = rng.random_sample() < 0.5;
        return Ok(if turned {
            ndarray::array![[b, 0.0], [a, 1.0]]
        } else {
            ndarray::array![[1.0, a], [0.0, b]]
        });
    }
    let d = generate_n_rand_probabilities_that_sum_to_m(2, trace, 1.0, 0.0, rng)?;
    Ok(ndarray::array![[d[0], 1.0 - d[1]], [1.0 - d[0], d[1]]])
}

/// `n` random non-negative numbers summing to `m`, each within `[min_prob, max_prob]`
/// (up to 1e-6), as cleanlab's `generate_n_rand_probabilities_that_sum_to_m(n, m,
/// max_prob=..., min_prob=...)` (cleanlab's defaults: `max_prob = 1.0`, `min_prob = 0.0`).
///
/// Draws `dirichlet(ones(n)) · m`, then while the largest entry exceeds
/// `max_prob + 1e-6` (or else the smallest is below `min_prob - 1e-6`): moves the excess
/// (deficit) from the largest to the smallest entry, then moves a uniform fraction (one
/// `random_sample`) of the gap between the two from the largest to the smallest. Ties pick
/// the first index. `n == 0` gives an empty vector without drawing.
///
/// Errors: `max_prob + 1e-6 < m / n`; `min_prob > (m + 1e-6) / n`; non-finite `m`; NaN
/// bounds.
pub fn generate_n_rand_probabilities_that_sum_to_m(
    n: usize,
    m: f64,
    max_prob: f64,
    min_prob: f64,
    rng: &mut NumpyRng,
) -> Result<Vec<f64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    for (what, v) in [("m", m), ("max_prob", max_prob), ("min_prob", min_prob)] {
        if v.is_nan() || (what == "m" && v.is_infinite()) {
            return Err(CoreError::NonFinite {
                what,
                row: 0,
                col: 0,
                value: v,
            });
        }
    }
    let nf = n as f64;
    if max_prob + FLOATING_POINT_COMPARISON < m / nf {
        return Err(CoreError::InvalidParameter {
            name: "max_prob",
            reason: format!(
                "max_prob must be >= m / n, but max_prob = {max_prob}, m = {m}, n = {n}"
            ),
        });
    }
    if min_prob > (m + FLOATING_POINT_COMPARISON) / nf {
        return Err(CoreError::InvalidParameter {
            name: "min_prob",
            reason: format!(
                "min_prob must be <= m / n, but min_prob = {min_prob}, m = {m}, n = {n}"
            ),
        });
    }
    let mut p = rng.dirichlet(&vec![1.0; n])?;
    for v in &mut p {
        *v *= m;
    }
    for _ in 0..MAX_ADJUSTMENTS {
        let lo = argmin(&p);
        let hi = argmax(&p);
        let (a, b) = (p[lo], p[hi]);
        let (a1, b1) = if b > max_prob + FLOATING_POINT_COMPARISON {
            (a + (b - max_prob), max_prob)
        } else if a < min_prob - FLOATING_POINT_COMPARISON {
            (min_prob, b - (min_prob - a))
        } else {
            return Ok(p);
        };
        let shift = rng.random_sample() * (b1 - a1);
        p[lo] = a1 + shift;
        p[hi] = b1 - shift;
    }
    Err(CoreError::InvalidParameter {
        name: "max_prob",
        reason: "the bounds could not be met (adjustment loop did not converge)".into(),
    })
}

/// Randomly distributes `n` balls into `k` bins with at most `max_balls_per_bin` and at
/// least `min_balls_per_bin` per bin, as cleanlab's `randomly_distribute_N_balls_into_K_bins`
/// (`None` = no bound).
///
/// `n == 0` gives `k` zeros. The bounds are clipped (`max` to `n`, `min` to `n / k`); if
/// `n / k > max`, only `max · k` balls are placed. Bin shares come from
/// [`generate_n_rand_probabilities_that_sum_to_m`]`(k, 1, max / n, min / n)`, are scaled by
/// `n`, rounded half to even, then the first fullest bin is decremented (or the first
/// emptiest incremented) until the total is exact.
///
/// Errors: `k == 0` or `max_balls_per_bin == Some(0)` with `n > 0` (cleanlab divides by
/// zero), and the errors of [`generate_n_rand_probabilities_that_sum_to_m`].
pub fn randomly_distribute_n_balls_into_k_bins(
    n: usize,
    k: usize,
    max_balls_per_bin: Option<usize>,
    min_balls_per_bin: Option<usize>,
    rng: &mut NumpyRng,
) -> Result<Vec<usize>> {
    if n == 0 {
        return Ok(vec![0; k]);
    }
    if k == 0 {
        return Err(CoreError::InvalidParameter {
            name: "K",
            reason: "cannot distribute balls into 0 bins".into(),
        });
    }
    let per_bin = n as f64 / k as f64;
    let max_b = max_balls_per_bin.map_or(n, |m| m.min(n));
    let min_b = min_balls_per_bin.map_or(0.0, |m| (m as f64).min(per_bin));
    let total = if per_bin > max_b as f64 { max_b * k } else { n };
    if total == 0 {
        return Err(CoreError::InvalidParameter {
            name: "max_balls_per_bin",
            reason: "max_balls_per_bin = 0 leaves no room for any ball".into(),
        });
    }
    let tf = total as f64;
    let probs =
        generate_n_rand_probabilities_that_sum_to_m(k, 1.0, max_b as f64 / tf, min_b / tf, rng)?;
    let mut bins: Vec<i64> = probs
        .iter()
        .map(|&p| (p * tf).round_ties_even() as i64)
        .collect();
    let target = total as i64;
    let mut sum: i64 = bins.iter().sum();
    while sum > target {
        let i = argmax_i64(&bins);
        bins[i] -= 1;
        sum -= 1;
    }
    while sum < target {
        let i = argmin_i64(&bins);
        bins[i] += 1;
        sum += 1;
    }
    Ok(bins.into_iter().map(|b| b.max(0) as usize).collect())
}

#[allow(clippy::needless_pass_by_value)] // array views are cheap handles, taken by value
fn check_square(m: ArrayView2<f64>, what: &'static str) -> Result<usize> {
    let (r, c) = m.dim();
    if r != c || r == 0 {
        return Err(CoreError::Shape {
            what,
            expected: "a non-empty square matrix".into(),
            found: format!("{r} x {c}"),
        });
    }
    Ok(r)
}

/// First index of the smallest value (numpy `argmin`, NaN-free input).
fn argmin(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate().skip(1) {
        if x < v[best] {
            best = i;
        }
    }
    best
}

/// First index of the largest value (numpy `argmax`, NaN-free input).
fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate().skip(1) {
        if x > v[best] {
            best = i;
        }
    }
    best
}

fn argmin_i64(v: &[i64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate().skip(1) {
        if x < v[best] {
            best = i;
        }
    }
    best
}

fn argmax_i64(v: &[i64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate().skip(1) {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// numpy's pairwise summation of a contiguous array (8 accumulators, blocks of 128).
fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        return a.iter().fold(0.0, |s, &x| s + x);
    }
    if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let full = n - n % 8;
        let mut i = 8;
        while i < full {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[full..] {
            res += x;
        }
        return res;
    }
    let mut n2 = n / 2;
    n2 -= n2 % 8;
    pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn prior(weights: &[f64]) -> Vec<f64> {
        let s: f64 = weights.iter().sum();
        weights.iter().map(|w| w / s).collect()
    }

    #[test]
    fn pairwise_sum_small_and_blocked() {
        assert_eq!(pairwise_sum(&[]), 0.0);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0]), 6.0);
        let v: Vec<f64> = (0..300).map(f64::from).collect();
        assert_eq!(pairwise_sum(&v), 44_850.0);
    }

    #[test]
    fn check_reports_reasons() {
        let eye = Array2::<f64>::eye(3);
        assert_eq!(
            noise_matrix_check(eye.view(), &[0.2, 0.3, 0.5]),
            NoiseMatrixCheck::Valid
        );
        assert_eq!(
            noise_matrix_check(eye.view(), &[0.5, 0.5]),
            NoiseMatrixCheck::ShapeMismatch
        );
        assert!(matches!(
            noise_matrix_check(eye.view(), &[0.2, 0.3, 0.6]),
            NoiseMatrixCheck::JointSum { .. }
        ));
        let flat = ndarray::array![[0.4, 0.5], [0.6, 0.5]];
        assert_eq!(
            noise_matrix_check(flat.view(), &[0.5, 0.5]),
            NoiseMatrixCheck::NotDominant { class: 0 }
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mut rng = NumpyRng::new(0);
        let nm = ndarray::array![[0.9, 0.2], [0.1, 0.8]];
        assert!(generate_noisy_labels(&[0, 1, 2], nm.view(), &mut rng).is_err());
        assert!(generate_noisy_labels(&[0, 0], nm.view(), &mut rng).is_err());
        let neg = ndarray::array![[1.1, 0.2], [-0.1, 0.8]];
        assert!(generate_noisy_labels(&[0, 1], neg.view(), &mut rng).is_err());
        let rect = Array2::<f64>::zeros((2, 3));
        assert!(generate_noisy_labels(&[0, 1], rect.view(), &mut rng).is_err());
        assert!(
            generate_n_rand_probabilities_that_sum_to_m(3, f64::NAN, 1.0, 0.0, &mut rng).is_err()
        );
        assert!(randomly_distribute_n_balls_into_k_bins(3, 0, None, None, &mut rng).is_err());
        assert!(randomly_distribute_n_balls_into_k_bins(3, 2, Some(0), None, &mut rng).is_err());
        let opts = NoiseMatrixOptions::default().py(&[0.5, 0.5]);
        assert!(generate_noise_matrix_from_trace(3, 2.0, &opts).is_err());
    }

    /// Found by the proptest below; cleanlab 2.9.0 returns the same matrix for these
    /// inputs (checked with the oracle), negative entries included: the last class's
    /// diagonal, the rest of the trace, is 1 + 9.1e-7, and its column's off-diagonal rates
    /// share the −9.1e-7.
    #[test]
    fn last_column_may_dip_below_zero_as_in_cleanlab() {
        let trace = 1.0 + 0.766_876_784_941_791_8 * 4.0;
        let py = [0.2; 5];
        let opts = NoiseMatrixOptions::default()
            .py(&py)
            .frac_zero_noise_rates(0.0)
            .seed(Some(2_060_666_409))
            .max_iter(200);
        let nm = generate_noise_matrix_from_trace(5, trace, &opts)
            .expect("valid input")
            .expect("a matrix");
        assert_eq!(nm[[4, 4]], 1.000_000_913_356_192_2);
        assert_eq!(nm[[0, 4]], -1.861_649_637_507_787_2e-7);
        assert!((nm.column(4).sum() - 1.0).abs() < 1e-15);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn matrices_are_stochastic_with_the_trace(
            k in 3usize..9,
            trace_frac in 0.55f64..0.95,
            w in proptest::collection::vec(0.5f64..2.0, 9),
            frac_zero in 0.0f64..0.8,
            seed in any::<u32>(),
        ) {
            let py = prior(&w[..k]);
            let trace = 1.0 + trace_frac * (k as f64 - 1.0);
            let opts = NoiseMatrixOptions::default()
                .py(&py)
                .frac_zero_noise_rates(frac_zero)
                .seed(Some(seed))
                .max_iter(200);
            if let Some(nm) = generate_noise_matrix_from_trace(k, trace, &opts).unwrap() {
                for col in nm.columns() {
                    prop_assert!((col.sum() - 1.0).abs() < 1e-9);
                    // Not [0, 1] exactly: like cleanlab, the last diagonal entry (the rest
                    // of the trace) may exceed 1 by rounding and its column then gets tiny
                    // negative rates (see `last_column_may_dip_below_zero_as_in_cleanlab`).
                    prop_assert!(col.iter().all(|&v| (-1e-5..=1.0 + 1e-5).contains(&v)));
                }
                prop_assert!((nm.diag().sum() - trace).abs() < 1e-9);
                prop_assert!(noise_matrix_is_valid(nm.view(), &py));
                let zeros = nm.iter().filter(|&&v| v == 0.0).count();
                prop_assert!(zeros <= ((k * (k - 1)) as f64 * frac_zero) as usize);
            }
        }

        #[test]
        fn noisy_labels_follow_the_truncated_count_joint(
            k in 2usize..6,
            n in 20usize..300,
            label_seed in any::<u32>(),
            seed in any::<u32>(),
        ) {
            let mut rng = NumpyRng::new(label_seed);
            let mut y: Vec<usize> = (0..k).collect();
            y.extend(rng.randint_vec(0, k as i64, n).unwrap().into_iter().map(|v| v as usize));
            let opts = NoiseMatrixOptions::default()
                .valid_noise_matrix(false)
                .seed(Some(seed));
            let nm = generate_noise_matrix_from_trace(k, 0.8 * k as f64, &opts)
                .unwrap()
                .unwrap();
            let noisy = generate_noisy_labels(&y, nm.view(), &mut rng).unwrap();
            let nf = y.len() as f64;
            for class in 0..k {
                let members: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
                let py_k = members.len() as f64 / nf;
                let expected: Vec<usize> = (0..k)
                    .map(|j| if j == class { 0 } else { (nm[[j, class]] * py_k * nf) as usize })
                    .collect();
                let flips: usize = expected.iter().sum();
                for j in (0..k).filter(|&j| j != class) {
                    let got = members.iter().filter(|&&i| noisy[i] == j).count();
                    let want = if flips <= members.len() { expected[j] } else { 0 };
                    prop_assert_eq!(got, want);
                }
            }
        }

        #[test]
        fn probabilities_sum_to_m_within_bounds(
            n in 1usize..15,
            m in 0.1f64..3.0,
            slack in 0.0f64..1.0,
            lo_frac in 0.0f64..1.0,
            seed in any::<u32>(),
        ) {
            let nf = n as f64;
            let max_prob = m / nf + slack * (m - m / nf);
            let min_prob = lo_frac * m / nf;
            let mut rng = NumpyRng::new(seed);
            let p = generate_n_rand_probabilities_that_sum_to_m(n, m, max_prob, min_prob, &mut rng)
                .unwrap();
            prop_assert!((p.iter().sum::<f64>() - m).abs() < 1e-9);
            prop_assert!(p.iter().all(|&v| v <= max_prob + 1e-6 && v >= min_prob - 1e-6));
        }

        #[test]
        fn balls_fill_the_bins(n in 0usize..500, k in 1usize..20, max in proptest::option::of(1usize..60), seed in any::<u32>()) {
            let mut rng = NumpyRng::new(seed);
            let bins = randomly_distribute_n_balls_into_k_bins(n, k, max, None, &mut rng).unwrap();
            prop_assert_eq!(bins.len(), k);
            let max_b = max.map_or(n, |m| m.min(n));
            let placed = if n > 0 && n as f64 / k as f64 > max_b as f64 { max_b * k } else { n };
            prop_assert_eq!(bins.iter().sum::<usize>(), placed);
        }
    }
}
