//! numpy's legacy `RandomState` (MT19937), reproducing its streams bit for bit.
//!
//! [`NumpyRng`] is a Mersenne Twister seeded exactly like `np.random.RandomState(seed)` /
//! `np.random.seed(seed)` (numpy 2.4), with the legacy samplers cleanlab relies on:
//! uniform doubles (`random_sample`, `rand`, `uniform`), bounded integers (`randint`, masked
//! rejection sampling), `permutation` / `shuffle` (Fisher–Yates), `choice` (all four modes),
//! the polar-method normal with its cached second value, the exponential, the legacy
//! Marsaglia–Tsang gamma and `dirichlet`.
//!
//! The order in which every method consumes raw draws, and the state of the normal cache,
//! follow numpy, so any interleaving of calls on one [`NumpyRng`] yields the same numbers as
//! the same interleaving on one `RandomState` (or on numpy's global generator after
//! `np.random.seed`). Transcendental functions (`ln`, `powf`, `sqrt`) come from the
//! platform's libm, as in numpy, so gamma/normal draws are identical on the same platform.
//!
//! ```
//! use cl_core::rng::NumpyRng;
//!
//! // np.random.RandomState(0).random_sample()  ->  0.5488135039273248
//! let mut rng = NumpyRng::new(0);
//! assert_eq!(rng.random_sample(), 0.548_813_503_927_324_8);
//! // np.random.RandomState(42).randint(0, 10, size=3)  ->  [6, 3, 7]
//! let mut rng = NumpyRng::new(42);
//! assert_eq!(rng.randint_vec(0, 10, 3)?, vec![6, 3, 7]);
//! # Ok::<(), cl_core::CoreError>(())
//! ```

use crate::error::{CoreError, Result};

/// Number of 32-bit words in the MT19937 state.
const STATE_LEN: usize = 624;
/// Middle word offset of the MT19937 recurrence.
const SHIFT: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// numpy's legacy random generator: MT19937 plus the `RandomState` samplers.
///
/// Construct with [`NumpyRng::new`] (= `np.random.RandomState(seed)`); reseed in place with
/// [`NumpyRng::seed`] (= `np.random.seed(seed)`).
#[derive(Clone)]
pub struct NumpyRng {
    key: [u32; STATE_LEN],
    pos: usize,
    /// The cached second normal deviate of the polar method (`has_gauss` / `gauss`).
    gauss: Option<f64>,
}

impl std::fmt::Debug for NumpyRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumpyRng")
            .field("pos", &self.pos)
            .field("gauss", &self.gauss)
            .finish_non_exhaustive()
    }
}

impl NumpyRng {
    /// A generator in the state of `np.random.RandomState(seed)`.
    pub fn new(seed: u32) -> Self {
        let mut rng = NumpyRng {
            key: [0; STATE_LEN],
            pos: STATE_LEN,
            gauss: None,
        };
        rng.seed(seed);
        rng
    }

    /// Reseeds in place, as `np.random.seed(seed)` / `RandomState.seed(seed)` (Knuth's
    /// linear initialisation of MT19937; the normal cache is cleared).
    pub fn seed(&mut self, seed: u32) {
        let mut s = seed;
        for (i, k) in self.key.iter_mut().enumerate() {
            *k = s;
            s = 1_812_433_253_u32
                .wrapping_mul(s ^ (s >> 30))
                .wrapping_add(i as u32 + 1);
        }
        self.pos = STATE_LEN;
        self.gauss = None;
    }

    /// Regenerates the whole MT19937 state block.
    fn generate(&mut self) {
        let twist = |upper: u32, lower: u32| {
            let y = (upper & UPPER_MASK) | (lower & LOWER_MASK);
            (y >> 1) ^ (0_u32.wrapping_sub(y & 1) & MATRIX_A)
        };
        for i in 0..STATE_LEN {
            let next = self.key[(i + 1) % STATE_LEN];
            self.key[i] = self.key[(i + SHIFT) % STATE_LEN] ^ twist(self.key[i], next);
        }
        self.pos = 0;
    }

    /// One raw 32-bit draw (tempered MT19937 output), as numpy's `next_uint32`.
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= STATE_LEN {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// One raw 64-bit draw: two 32-bit draws, the first one in the high half (numpy's
    /// `next_uint64` for MT19937).
    pub fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    /// A double uniform on `[0, 1)` with 53 random bits, as `RandomState.random_sample()`:
    /// `((a >> 5) * 2^26 + (b >> 6)) / 2^53` from two 32-bit draws.
    pub fn random_sample(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `n` doubles uniform on `[0, 1)`, as `RandomState.rand(n)` / `random_sample(n)`.
    pub fn rand(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.random_sample()).collect()
    }

    /// A double uniform on `[low, high)`, as `RandomState.uniform(low, high)`:
    /// `low + (high - low) * random_sample()`. `high < low` is allowed, as in numpy.
    pub fn uniform(&mut self, low: f64, high: f64) -> Result<f64> {
        let range = high - low;
        if !range.is_finite() {
            return Err(CoreError::InvalidParameter {
                name: "high",
                reason: "Range exceeds valid bounds".into(),
            });
        }
        Ok(low + range * self.random_sample())
    }

    /// A value uniform on `0..=max` by masked rejection sampling, as numpy's
    /// `random_interval` (used by `shuffle` and `permutation`): 32-bit draws when `max`
    /// fits in 32 bits, 64-bit draws otherwise.
    pub fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = smallest_mask(max);
        if max <= 0xFFFF_FFFF {
            loop {
                let v = u64::from(self.next_u32()) & mask;
                if v <= max {
                    return v;
                }
            }
        } else {
            loop {
                let v = self.next_u64() & mask;
                if v <= max {
                    return v;
                }
            }
        }
    }

    /// A value uniform on `off ..= off + rng` (wrapping in 64 bits), as numpy's
    /// `random_bounded_uint64_fill` with the masked method for one value.
    fn bounded_u64(&mut self, off: u64, rng: u64) -> u64 {
        if rng == 0 {
            return off;
        }
        if rng <= 0xFFFF_FFFF {
            if rng == 0xFFFF_FFFF {
                return off.wrapping_add(u64::from(self.next_u32()));
            }
            let mask = smallest_mask(rng);
            loop {
                let v = u64::from(self.next_u32()) & mask;
                if v <= rng {
                    return off.wrapping_add(v);
                }
            }
        }
        if rng == u64::MAX {
            return off.wrapping_add(self.next_u64());
        }
        let mask = smallest_mask(rng);
        loop {
            let v = self.next_u64() & mask;
            if v <= rng {
                return off.wrapping_add(v);
            }
        }
    }

    /// An integer uniform on `low..high`, as `RandomState.randint(low, high)` with the
    /// default `int64` dtype (masked rejection; 32-bit draws when `high - low - 1` fits in
    /// 32 bits, 64-bit draws otherwise).
    ///
    /// Errors when `low >= high` (numpy: "low >= high"). numpy's `high = 2**63` (the full
    /// `int64` range) is not representable here.
    pub fn randint(&mut self, low: i64, high: i64) -> Result<i64> {
        let (off, rng) = randint_bounds(low, high)?;
        Ok(self.bounded_u64(off, rng) as i64)
    }

    /// `n` integers uniform on `low..high`, as `RandomState.randint(low, high, size=n)`
    /// (the same stream as `n` scalar calls).
    pub fn randint_vec(&mut self, low: i64, high: i64, n: usize) -> Result<Vec<i64>> {
        let (off, rng) = randint_bounds(low, high)?;
        Ok((0..n).map(|_| self.bounded_u64(off, rng) as i64).collect())
    }

    /// Shuffles `x` in place, as `RandomState.shuffle` on a 1-D array or list:
    /// Fisher–Yates from the last position down, `j = random_interval(i)`.
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        for i in (1..x.len()).rev() {
            let j = self.random_interval(i as u64) as usize;
            x.swap(i, j);
        }
    }

    /// A random permutation of `0..n`, as `RandomState.permutation(n)`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.shuffle(&mut v);
        v
    }

    /// `size` indices into a population of `pop_size`, as
    /// `RandomState.choice(pop_size, size, replace, p)` (and `choice(a, ...)` for an array
    /// `a` of length `pop_size`: index `a` with the result, see [`NumpyRng::choice_from`]).
    ///
    /// * `replace`, no `p`: `randint(0, pop_size, size)`.
    /// * `replace`, `p`: inverse CDF — `searchsorted(cumsum(p) / sum, random_sample(),
    ///   side="right")`.
    /// * no `replace`, no `p`: `permutation(pop_size)[..size]`.
    /// * no `replace`, `p`: numpy's iterative method: draw `size - found` uniforms, zero the
    ///   probabilities already found, invert the CDF, keep first occurrences of new values.
    ///
    /// A scalar `choice` (numpy `size=None`) draws exactly like `size == 1`.
    ///
    /// Errors (numpy's `ValueError`s): empty population with `size > 0`; `p` of the wrong
    /// length, containing NaN, negative, or not summing to 1 within `sqrt(eps)` (Kahan
    /// sum); `size > pop_size` without replacement; fewer non-zero entries in `p` than
    /// `size` without replacement.
    pub fn choice(
        &mut self,
        pop_size: usize,
        size: usize,
        replace: bool,
        p: Option<&[f64]>,
    ) -> Result<Vec<usize>> {
        if pop_size == 0 && size != 0 {
            return Err(CoreError::InvalidParameter {
                name: "a",
                reason: "a must be greater than 0 unless no samples are taken".into(),
            });
        }
        if let Some(p) = p {
            check_probabilities(p, pop_size)?;
        }
        if replace {
            return Ok(match p {
                None => {
                    let (off, rng) = randint_bounds(0, pop_size as i64).unwrap_or((0, 0));
                    (0..size)
                        .map(|_| self.bounded_u64(off, rng) as usize)
                        .collect()
                }
                Some(p) => {
                    let cdf = normalised_cdf(p);
                    (0..size)
                        .map(|_| {
                            let u = self.random_sample();
                            search_right(&cdf, u)
                        })
                        .collect()
                }
            });
        }
        if size > pop_size {
            return Err(CoreError::InvalidParameter {
                name: "size",
                reason: "Cannot take a larger sample than population when 'replace=False'".into(),
            });
        }
        let Some(p) = p else {
            let mut perm = self.permutation(pop_size);
            perm.truncate(size);
            return Ok(perm);
        };
        if p.iter().filter(|&&v| v > 0.0).count() < size {
            return Err(CoreError::InvalidParameter {
                name: "p",
                reason: "Fewer non-zero entries in p than size".into(),
            });
        }
        let mut p = p.to_vec();
        let mut found: Vec<usize> = Vec::with_capacity(size);
        let mut seen = vec![false; pop_size];
        while found.len() < size {
            let x = self.rand(size - found.len());
            for &f in &found {
                p[f] = 0.0;
            }
            let cdf = normalised_cdf(&p);
            let mut fresh = vec![false; pop_size];
            for u in x {
                let idx = search_right(&cdf, u);
                // np.unique(return_index=True) + sort keeps first occurrences in order;
                // an index found in an earlier round has probability 0 and cannot recur.
                if idx < pop_size && !fresh[idx] && !seen[idx] {
                    fresh[idx] = true;
                    seen[idx] = true;
                    found.push(idx);
                }
            }
        }
        Ok(found)
    }

    /// [`NumpyRng::choice`] over the elements of `a`, as `RandomState.choice(a, ...)` with a
    /// 1-D array `a`.
    pub fn choice_from<T: Clone>(
        &mut self,
        a: &[T],
        size: usize,
        replace: bool,
        p: Option<&[f64]>,
    ) -> Result<Vec<T>> {
        if a.is_empty() && size != 0 {
            return Err(CoreError::InvalidParameter {
                name: "a",
                reason: "'a' cannot be empty unless no samples are taken".into(),
            });
        }
        let idx = self.choice(a.len(), size, replace, p)?;
        Ok(idx.into_iter().map(|i| a[i].clone()).collect())
    }

    /// A standard normal deviate by the legacy polar (Marsaglia) method, as
    /// `RandomState.standard_normal()`: each accepted pair returns one value and caches the
    /// other for the next call.
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(g) = self.gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `loc + scale * standard_normal()`, as `RandomState.normal(loc, scale)`.
    ///
    /// Errors when `scale < 0` (numpy: "scale < 0"); a NaN scale gives NaN, as in numpy.
    pub fn normal(&mut self, loc: f64, scale: f64) -> Result<f64> {
        check_non_negative("scale", scale)?;
        Ok(loc + scale * self.standard_normal())
    }

    /// A standard exponential deviate by inversion, as `RandomState.standard_exponential()`:
    /// `-ln(1 - random_sample())`.
    pub fn standard_exponential(&mut self) -> f64 {
        -(1.0 - self.random_sample()).ln()
    }

    /// A standard gamma deviate, as `RandomState.standard_gamma(shape)` (legacy algorithm):
    /// `shape == 1` is an exponential, `shape == 0` gives 0, `shape < 1` a rejection method
    /// with a uniform and an exponential per round, `shape > 1` Marsaglia–Tsang with legacy
    /// normals.
    ///
    /// Errors when `shape < 0` (numpy: "shape < 0"); a NaN shape gives NaN, as in numpy.
    pub fn standard_gamma(&mut self, shape: f64) -> Result<f64> {
        check_non_negative("shape", shape)?;
        Ok(self.standard_gamma_unchecked(shape))
    }

    fn standard_gamma_unchecked(&mut self, shape: f64) -> f64 {
        if shape == 1.0 {
            return self.standard_exponential();
        }
        if shape == 0.0 {
            return 0.0;
        }
        if shape < 1.0 {
            loop {
                let u = self.random_sample();
                let v = self.standard_exponential();
                if u <= 1.0 - shape {
                    let x = u.powf(1.0 / shape);
                    if x <= v {
                        return x;
                    }
                } else {
                    let y = -((1.0 - u) / shape).ln();
                    let x = (1.0 - shape + shape * y).powf(1.0 / shape);
                    if x <= v + y {
                        return x;
                    }
                }
            }
        }
        let b = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * b).sqrt();
        loop {
            let (x, v) = loop {
                let x = self.standard_normal();
                let v = 1.0 + c * x;
                if v > 0.0 || v.is_nan() {
                    break (x, v);
                }
            };
            let v = v * v * v;
            let u = self.random_sample();
            if u < 1.0 - 0.0331 * (x * x) * (x * x) {
                return b * v;
            }
            if u.ln() < 0.5 * x * x + b * (1.0 - v + v.ln()) {
                return b * v;
            }
        }
    }

    /// `scale * standard_gamma(shape)`, as `RandomState.gamma(shape, scale)`.
    ///
    /// Errors when `shape < 0` or `scale < 0`.
    pub fn gamma(&mut self, shape: f64, scale: f64) -> Result<f64> {
        check_non_negative("shape", shape)?;
        check_non_negative("scale", scale)?;
        Ok(scale * self.standard_gamma_unchecked(shape))
    }

    /// One Dirichlet draw, as `RandomState.dirichlet(alpha)` (legacy: independent standard
    /// gammas, each multiplied by `1 / sum`; numpy 2.4's `RandomState` has no small-alpha
    /// stick-breaking branch, so tiny alphas can underflow exactly as in numpy).
    ///
    /// Errors when an alpha is `<= 0` (numpy: "alpha <= 0"); NaN alphas give NaN, as in
    /// numpy.
    pub fn dirichlet(&mut self, alpha: &[f64]) -> Result<Vec<f64>> {
        if let Some(i) = alpha.iter().position(|&a| a <= 0.0) {
            return Err(CoreError::InvalidParameter {
                name: "alpha",
                reason: format!("alpha <= 0 (alpha[{i}] = {})", alpha[i]),
            });
        }
        let mut out: Vec<f64> = alpha
            .iter()
            .map(|&a| self.standard_gamma_unchecked(a))
            .collect();
        let acc = out.iter().fold(0.0, |s, &v| s + v);
        let inv = 1.0 / acc;
        for v in &mut out {
            *v *= inv;
        }
        Ok(out)
    }
}

/// The smallest all-ones bit mask `>= max`.
fn smallest_mask(max: u64) -> u64 {
    if max == 0 {
        0
    } else {
        u64::MAX >> max.leading_zeros()
    }
}

/// `(offset, range)` of numpy's bounded fill for `randint(low, high)`; `range` is
/// `high - 1 - low` in 64-bit unsigned arithmetic.
fn randint_bounds(low: i64, high: i64) -> Result<(u64, u64)> {
    if low >= high {
        return Err(CoreError::InvalidParameter {
            name: "high",
            reason: "low >= high".into(),
        });
    }
    let rng = (high as u64).wrapping_sub(1).wrapping_sub(low as u64);
    Ok((low as u64, rng))
}

fn check_non_negative(name: &'static str, v: f64) -> Result<()> {
    if v < 0.0 {
        return Err(CoreError::InvalidParameter {
            name,
            reason: format!("{name} < 0"),
        });
    }
    Ok(())
}

/// numpy's `kahan_sum` (compensated, left to right).
fn kahan_sum(v: &[f64]) -> f64 {
    let Some((&first, rest)) = v.split_first() else {
        return 0.0;
    };
    let mut sum = first;
    let mut c = 0.0;
    for &x in rest {
        let y = x - c;
        let t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    sum
}

/// The probability checks of `RandomState.choice`.
fn check_probabilities(p: &[f64], pop_size: usize) -> Result<()> {
    let bad = |reason: &str| CoreError::InvalidParameter {
        name: "p",
        reason: reason.into(),
    };
    if p.len() != pop_size {
        return Err(bad("'a' and 'p' must have same size"));
    }
    let sum = kahan_sum(p);
    if sum.is_nan() {
        return Err(bad("probabilities contain NaN"));
    }
    if p.iter().any(|&v| v < 0.0) {
        return Err(bad("probabilities are not non-negative"));
    }
    let atol = f64::EPSILON.sqrt();
    if (sum - 1.0).abs() > atol {
        return Err(bad("probabilities do not sum to 1"));
    }
    Ok(())
}

/// `cumsum(p) / cumsum(p)[-1]` (sequential sum, element-wise division).
fn normalised_cdf(p: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = p
        .iter()
        .map(|&v| {
            acc += v;
            acc
        })
        .collect();
    if let Some(&last) = cdf.last() {
        for c in &mut cdf {
            *c /= last;
        }
    }
    cdf
}

/// `searchsorted(cdf, u, side="right")` for a non-decreasing `cdf`.
fn search_right(cdf: &[f64], u: f64) -> usize {
    cdf.partition_point(|&c| c <= u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_raw_draws_match_reference_mt19937() {
        // Reference MT19937 with init_genrand(5489): first output 3499211612.
        let mut rng = NumpyRng::new(5489);
        assert_eq!(rng.next_u32(), 3_499_211_612);
        // np.random.RandomState(0).randint(2**32, dtype=np.uint64) is the first raw word.
        let mut rng = NumpyRng::new(0);
        assert_eq!(rng.next_u32(), 2_357_136_044);
    }

    #[test]
    fn mask() {
        assert_eq!(smallest_mask(1), 1);
        assert_eq!(smallest_mask(2), 3);
        assert_eq!(smallest_mask(4), 7);
        assert_eq!(smallest_mask(7), 7);
        assert_eq!(smallest_mask(u64::MAX), u64::MAX);
    }

    #[test]
    fn errors() {
        let mut rng = NumpyRng::new(0);
        assert!(rng.randint(3, 3).is_err());
        assert!(rng.choice(0, 1, true, None).is_err());
        assert_eq!(rng.choice(0, 0, true, None), Ok(vec![]));
        assert!(rng.choice(3, 4, false, None).is_err());
        assert!(rng.choice(3, 1, true, Some(&[0.5, 0.5, 0.1])).is_err());
        assert!(
            rng.choice(3, 1, true, Some(&[f64::INFINITY, 0.5, 0.5]))
                .is_err()
        );
        assert!(rng.choice(3, 3, false, Some(&[0.5, 0.5, 0.0])).is_err());
        assert!(rng.dirichlet(&[1.0, 0.0]).is_err());
        assert!(rng.standard_gamma(-1.0).is_err());
        assert!(rng.normal(0.0, -1.0).is_err());
        assert!(rng.uniform(0.0, f64::INFINITY).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn permutation_is_a_permutation(seed in any::<u32>(), n in 0usize..200) {
            let mut rng = NumpyRng::new(seed);
            let mut p = rng.permutation(n);
            p.sort_unstable();
            prop_assert_eq!(p, (0..n).collect::<Vec<_>>());
        }

        #[test]
        fn randint_in_range(seed in any::<u32>(), low in -1000i64..1000, width in 1i64..5000) {
            let mut rng = NumpyRng::new(seed);
            for v in rng.randint_vec(low, low + width, 20).unwrap() {
                prop_assert!(v >= low && v < low + width);
            }
        }

        #[test]
        fn choice_without_replacement_is_distinct(
            seed in any::<u32>(),
            w in proptest::collection::vec(0.0f64..1.0, 1..30),
            frac in 0.0f64..1.0,
        ) {
            let s: f64 = w.iter().sum();
            prop_assume!(s > 0.0);
            let p: Vec<f64> = w.iter().map(|v| v / s).collect();
            let nonzero = p.iter().filter(|&&v| v > 0.0).count();
            let size = ((nonzero as f64) * frac) as usize;
            let mut rng = NumpyRng::new(seed);
            let mut got = rng.choice(p.len(), size, false, Some(&p)).unwrap();
            prop_assert_eq!(got.len(), size);
            prop_assert!(got.iter().all(|&i| p[i] > 0.0));
            got.sort_unstable();
            got.dedup();
            prop_assert_eq!(got.len(), size);
        }

        #[test]
        fn dirichlet_sums_to_one(seed in any::<u32>(), alpha in proptest::collection::vec(0.05f64..5.0, 1..10)) {
            let mut rng = NumpyRng::new(seed);
            let d = rng.dirichlet(&alpha).unwrap();
            let s: f64 = d.iter().sum();
            prop_assert!((s - 1.0).abs() < 1e-12);
            prop_assert!(d.iter().all(|&v| (0.0..=1.0).contains(&v)));
        }
    }
}
