//! Small row kernels written so that the compiler vectorises them: fixed-width lanes of
//! independent accumulators, no early exit inside a block. They hold the hot loops of
//! validation and confident-joint counting; each has a scalar meaning stated in its docs
//! and a test against the plain loop.

use crate::float::Real;

/// Number of independent lanes per block.
pub(crate) const LANES: usize = 8;

/// Whether every value lies in `[low, high]` (false for NaN).
// Non-short-circuit `&` on purpose: no branch inside a block, so the loop vectorises.
#[allow(clippy::nonminimal_bool, clippy::needless_bitwise_bool)]
#[inline]
pub(crate) fn all_within<T: Real>(row: &[T], low: f64, high: f64) -> bool {
    let mut ok = [true; LANES];
    let mut blocks = row.chunks_exact(LANES);
    for b in &mut blocks {
        for (o, &v) in ok.iter_mut().zip(b) {
            let v = v.to_f64x();
            *o &= (v >= low) & (v <= high);
        }
    }
    let tail = blocks
        .remainder()
        .iter()
        .all(|&v| (v.to_f64x() >= low) & (v.to_f64x() <= high));
    tail && ok.iter().all(|&o| o)
}

/// The row maximum (values must not be NaN) and how many values reach their cut
/// (`row[k] >= cut[k]`, compared in f64). `cut` has the row's length.
// Always inlined: callers compiled for AVX2 (`target_feature`) must get their own copy.
#[allow(clippy::inline_always)]
#[inline(always)]
pub(crate) fn max_and_count_ge<T: Real>(row: &[T], cut: &[f64]) -> (f64, usize) {
    let mut max = [f64::NEG_INFINITY; LANES];
    let mut count = [0u64; LANES];
    let mut rb = row.chunks_exact(LANES);
    let mut cb = cut.chunks_exact(LANES);
    for (r, c) in (&mut rb).zip(&mut cb) {
        for l in 0..LANES {
            let v = r[l].to_f64x();
            max[l] = if v > max[l] { v } else { max[l] };
            count[l] += u64::from(v >= c[l]);
        }
    }
    let mut m = max
        .iter()
        .fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    let mut n: u64 = count.iter().sum();
    for (&v, &c) in rb.remainder().iter().zip(cb.remainder()) {
        let v = v.to_f64x();
        if v > m {
            m = v;
        }
        n += u64::from(v >= c);
    }
    (m, n as usize)
}

/// [`max_and_count_ge`] and [`all_within`] in one sweep, compared in the element type: the
/// row maximum (widened; ignoring NaN), how many values reach their cut, whether every
/// value lies in `[low, high]` (false if any is NaN), and the lane maxima: `lanes[l]` is
/// the maximum of the values at the columns `≡ l (mod LANES)` (widened; −∞ where there is
/// none; meaningful only without NaN). With cuts and `low` from [`Real::from_f64_up`] and
/// `high` from [`Real::from_f64_down`], the counts and the check equal those of the same
/// comparisons in f64, and `f32` rows take 8 values per AVX2 vector instead of 4.
#[allow(clippy::inline_always)]
#[inline(always)]
pub(crate) fn max_count_within<T: Real>(
    row: &[T],
    cut: &[T],
    low: T,
    high: T,
) -> (f64, usize, bool, [f64; LANES]) {
    let mut max = [T::neg_infinity(); LANES];
    let mut count = [0u32; LANES];
    // Counted as integers (not and-ed booleans), which vectorises like `count`.
    let mut bad = [0u32; LANES];
    let mut rb = row.chunks_exact(LANES);
    let mut cb = cut.chunks_exact(LANES);
    for (r, c) in (&mut rb).zip(&mut cb) {
        for l in 0..LANES {
            let v = r[l];
            max[l] = if v > max[l] { v } else { max[l] };
            count[l] += u32::from(v >= c[l]);
            bad[l] += u32::from(!(low..=high).contains(&v));
        }
    }
    let mut m = max
        .iter()
        .fold(T::neg_infinity(), |a, &b| if b > a { b } else { a });
    let mut n: usize = count.iter().map(|&c| c as usize).sum();
    let mut all = bad.iter().all(|&b| b == 0);
    for (l, (&v, &c)) in rb.remainder().iter().zip(cb.remainder()).enumerate() {
        if v > m {
            m = v;
        }
        if v > max[l] {
            max[l] = v;
        }
        n += usize::from(v >= c);
        all &= (low..=high).contains(&v);
    }
    (m.to_f64x(), n, all, max.map(Real::to_f64x))
}

/// The first index `k` with `row[k] >= cut[k]` (compared in f64), by blocks: a block of
/// lanes is tested at once and only the block holding the answer is scanned.
// Always inlined: callers compiled for AVX2 (`target_feature`) must get their own copy.
#[allow(clippy::inline_always)]
#[inline(always)]
pub(crate) fn first_reaching<T: Real>(row: &[T], cut: &[f64]) -> Option<usize> {
    let mut rb = row.chunks_exact(LANES);
    let mut cb = cut.chunks_exact(LANES);
    for (b, (r, c)) in (&mut rb).zip(&mut cb).enumerate() {
        let mut any = false;
        for l in 0..LANES {
            any |= r[l].to_f64x() >= c[l];
        }
        if any {
            return r
                .iter()
                .zip(c)
                .position(|(&p, &c)| p.to_f64x() >= c)
                .map(|o| b * LANES + o);
        }
    }
    let base = row.len() - rb.remainder().len();
    rb.remainder()
        .iter()
        .zip(cb.remainder())
        .position(|(&p, &c)| p.to_f64x() >= c)
        .map(|o| base + o)
}

/// The first index whose value (widened to f64) equals `value`, by blocks as
/// [`first_reaching`].
// Always inlined: callers compiled for AVX2 (`target_feature`) must get their own copy.
#[allow(clippy::inline_always)]
#[inline(always)]
pub(crate) fn first_equal<T: Real>(row: &[T], value: f64) -> Option<usize> {
    let mut rb = row.chunks_exact(LANES);
    for (b, r) in (&mut rb).enumerate() {
        let mut any = false;
        for &v in r {
            any |= v.to_f64x() == value;
        }
        if any {
            return r
                .iter()
                .position(|&p| p.to_f64x() == value)
                .map(|o| b * LANES + o);
        }
    }
    let base = row.len() - rb.remainder().len();
    rb.remainder()
        .iter()
        .position(|&p| p.to_f64x() == value)
        .map(|o| base + o)
}

/// The maximum of the values (−∞ for none; values must not be NaN).
#[inline]
pub(crate) fn max_of<T: Real>(row: &[T]) -> f64 {
    let mut max = [f64::NEG_INFINITY; LANES];
    let mut blocks = row.chunks_exact(LANES);
    for b in &mut blocks {
        for (m, &v) in max.iter_mut().zip(b) {
            let v = v.to_f64x();
            *m = if v > *m { v } else { *m };
        }
    }
    let m = max
        .iter()
        .fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    blocks
        .remainder()
        .iter()
        .fold(m, |a, &v| if v.to_f64x() > a { v.to_f64x() } else { a })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_plain_loops() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for len in [1, 3, 7, 8, 9, 16, 17, 100] {
            for _ in 0..50 {
                let row: Vec<f64> = (0..len).map(|_| next()).collect();
                let cut: Vec<f64> = (0..len).map(|_| next()).collect();
                let (m, n) = max_and_count_ge(&row, &cut);
                assert_eq!(max_of(&row), m);
                let pm = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let pn = row.iter().zip(&cut).filter(|(v, c)| v >= c).count();
                assert_eq!((m, n), (pm, pn));
                let low = next() * 0.2;
                let high = 1.0 - next() * 0.2;
                let plain = row.iter().all(|&v| v >= low && v <= high);
                assert_eq!(all_within(&row, low, high), plain);
                let row32: Vec<f32> = row.iter().map(|&v| v as f32).collect();
                let plain32 = row32
                    .iter()
                    .all(|&v| f64::from(v) >= low && f64::from(v) <= high);
                assert_eq!(all_within(&row32, low, high), plain32);
                let mut lanes = [f64::NEG_INFINITY; LANES];
                for (j, &v) in row.iter().enumerate() {
                    lanes[j % LANES] = lanes[j % LANES].max(v);
                }
                assert_eq!(
                    max_count_within(&row, &cut, low, high),
                    (pm, pn, plain, lanes)
                );
                // f32 rows compared in f32 against rounded cuts and bounds: as in f64.
                let cut32: Vec<f32> = cut.iter().map(|&c| f32::from_f64_up(c)).collect();
                let (low32, high32) = (f32::from_f64_up(low), f32::from_f64_down(high));
                let pn32 = row32
                    .iter()
                    .zip(&cut)
                    .filter(|&(&v, &c)| f64::from(v) >= c)
                    .count();
                let (m32, n32, ok32, _) = max_count_within(&row32, &cut32, low32, high32);
                let pm32 = row32.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                assert_eq!((m32, n32, ok32), (f64::from(pm32), pn32, plain32));
                // The rounding of cuts: the nearest f32 on the right side of each.
                for &c in &cut {
                    let (up, down) = (f32::from_f64_up(c), f32::from_f64_down(c));
                    assert!(f64::from(up) >= c && f64::from(up.next_down()) < c);
                    assert!(f64::from(down) <= c && f64::from(down.next_up()) > c);
                    let exact = c as f32;
                    assert_eq!(f32::from_f64_up(f64::from(exact)), exact);
                    assert_eq!(f32::from_f64_down(f64::from(exact)), exact);
                }
                // One bad value anywhere: NaN, ±∞, below or above the range.
                for bad in [
                    f64::NAN,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    low - 0.5,
                    high + 0.5,
                ] {
                    let mut with = row.clone();
                    let at = (next() * len as f64) as usize % len;
                    with[at] = bad;
                    assert!(
                        !max_count_within(&with, &cut, low, high).2,
                        "{bad} at {at} of {len}"
                    );
                }
                let first = row.iter().zip(&cut).position(|(v, c)| v >= c);
                assert_eq!(first_reaching(&row, &cut), first);
                assert_eq!(first_equal(&row, pm), row.iter().position(|&v| v == pm));
            }
        }
        assert!(!all_within(&[0.5, f64::NAN, 0.5], 0.0, 1.0));
        assert!(!all_within(
            &[0.5; 9]
                .iter()
                .copied()
                .chain([f64::NAN])
                .collect::<Vec<_>>(),
            0.0,
            1.0
        ));
    }
}
