//! Golden tests of `cl_core::numerics` against numpy / scipy / cleanlab
//! (fixtures from `xtask/golden/gen_numerics.py`), plus property tests.

use cl_core::numerics::{
    SoftmaxAxis, argmax, argmax_rows, argmin, argmin_rows, argsort, argsort_desc, clip,
    column_means, column_sums, cumsum, iqr, mean, median, normal_cdf, pairwise_sum,
    pairwise_sum_view, percentile, percentiles, quantile, round_decimals, round_half_even,
    row_means, row_sums, searchsorted_left, searchsorted_right, softmax, softmax_1d, trunc_to_i64,
    xlogy,
};
use cl_golden::{Case, cases_with_prefix};
use ndarray::{Array2, ShapeBuilder};
use proptest::prelude::*;

/// Bit-identical, or both NaN.
#[track_caller]
fn assert_bits(actual: f64, expected: f64, ctx: &str) {
    assert!(
        (actual.is_nan() && expected.is_nan()) || actual.to_bits() == expected.to_bits(),
        "{ctx}: actual {actual:e} ({:#x}) vs expected {expected:e} ({:#x})",
        actual.to_bits(),
        expected.to_bits()
    );
}

/// Equal as numbers (`-0.0 == 0.0`), or both NaN.
#[track_caller]
fn assert_same(actual: f64, expected: f64, ctx: &str) {
    assert!(
        (actual.is_nan() && expected.is_nan()) || actual == expected,
        "{ctx}: actual {actual:e} vs expected {expected:e}"
    );
}

fn to_f32(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

fn is_f32(case: &Case) -> bool {
    case.param("dtype").str() == "f32"
}

#[test]
fn sum_prefixes_every_length_bit_exact() {
    for case in cases_with_prefix("numerics", "sum_prefixes_") {
        let x = case.input("x").vec_f64();
        let sums = case.output("sums").vec_f64();
        let means = case.output("means").vec_f64();
        assert_eq!(sums.len(), x.len() + 1);
        if is_f32(&case) {
            let x = to_f32(&x);
            for n in 0..=x.len() {
                let ctx = format!("{} n={n}", case.name);
                assert_bits(f64::from(pairwise_sum(&x[..n])), sums[n], &ctx);
                if n > 0 {
                    assert_bits(f64::from(mean(&x[..n])), means[n - 1], &ctx);
                }
            }
        } else {
            for n in 0..=x.len() {
                let ctx = format!("{} n={n}", case.name);
                assert_bits(pairwise_sum(&x[..n]), sums[n], &ctx);
                if n > 0 {
                    assert_bits(mean(&x[..n]), means[n - 1], &ctx);
                }
            }
        }
    }
}

#[test]
fn big_and_special_sums_bit_exact() {
    let mut seen = 0;
    for prefix in ["sum_big_", "sum_probs_", "sum_special_"] {
        for case in cases_with_prefix("numerics", prefix) {
            let x = case.input("x").vec_f64();
            let ctx = case.name.as_str();
            if is_f32(&case) {
                let x = to_f32(&x);
                assert_bits(f64::from(pairwise_sum(&x)), case.output("sum").f64(), ctx);
                assert_bits(f64::from(mean(&x)), case.output("mean").f64(), ctx);
            } else {
                assert_bits(pairwise_sum(&x), case.output("sum").f64(), ctx);
                if case.has("outputs", "mean") {
                    assert_bits(mean(&x), case.output("mean").f64(), ctx);
                }
                // A strided view sums in the same order as the slice.
                let doubled: Vec<f64> = x.iter().flat_map(|&v| [v, f64::NAN]).collect();
                let view = ndarray::ArrayView1::from(&doubled[..]);
                let strided = view.slice(ndarray::s![..;2]);
                assert_bits(pairwise_sum_view(strided), case.output("sum").f64(), ctx);
            }
            seen += 1;
        }
    }
    assert!(seen >= 10);
}

fn check_axis_sums<T: cl_core::Real>(case: &Case, a: &Array2<T>, order: &str) {
    let view = if order == "F" {
        let mut f = Array2::<T>::zeros(a.dim().f());
        f.assign(a);
        f
    } else {
        a.clone()
    };
    let v = view.view();
    let ctx = |what: &str| format!("{} {what}_{order}", case.name);
    let check_vec = |actual: Vec<T>, key: &str| {
        let expected = case.output(&format!("{key}_{order}")).vec_f64();
        assert_eq!(actual.len(), expected.len(), "{}", ctx(key));
        for (i, (&x, &e)) in actual.iter().zip(&expected).enumerate() {
            assert_bits(x.to_f64x(), e, &format!("{}[{i}]", ctx(key)));
        }
    };
    check_vec(column_sums(v).to_vec(), "sum0");
    check_vec(row_sums(v).to_vec(), "sum1");
    check_vec(column_means(v).to_vec(), "mean0");
    check_vec(row_means(v).to_vec(), "mean1");
    let flat: Vec<T> = v
        .as_slice_memory_order()
        .map(<[T]>::to_vec)
        .unwrap_or_default();
    assert_bits(
        pairwise_sum(&flat).to_f64x(),
        case.output(&format!("sum_all_{order}")).f64(),
        &ctx("sum_all"),
    );
    assert_bits(
        mean(&flat).to_f64x(),
        case.output(&format!("mean_all_{order}")).f64(),
        &ctx("mean_all"),
    );
}

#[test]
fn axis_sums_and_means_bit_exact() {
    for case in cases_with_prefix("numerics", "axis_sums_") {
        for order in ["C", "F"] {
            if !case.has("outputs", &format!("sum0_{order}")) {
                continue;
            }
            if is_f32(&case) {
                let a = case.input("x").array2_f32();
                check_axis_sums(&case, &a, order);
            } else {
                let a = case.input("x").array2_f64();
                check_axis_sums(&case, &a, order);
            }
        }
    }
}

#[test]
fn cumsum_bit_exact() {
    for case in cases_with_prefix("numerics", "cumsum_") {
        let x = case.input("x").vec_f64();
        let expected = case.output("cumsum").vec_f64();
        let actual: Vec<f64> = if is_f32(&case) {
            cumsum(&to_f32(&x)).into_iter().map(f64::from).collect()
        } else {
            cumsum(&x)
        };
        assert_eq!(actual.len(), expected.len());
        for (i, (&a, &e)) in actual.iter().zip(&expected).enumerate() {
            assert_bits(a, e, &format!("{}[{i}]", case.name));
        }
    }
}

#[test]
fn order_statistics_bit_exact() {
    let mut seen = 0;
    for case in cases_with_prefix("numerics", "order_stats_") {
        let x = case.input("x").vec_f64();
        let name = case.name.as_str();
        if case.has("outputs", "percentile_error") {
            assert!(percentile(&x, 50.0).is_err(), "{name}");
        }
        if case.has("outputs", "percentile_101_error") {
            assert!(percentile(&[1.0], 101.0).is_err());
            assert!(percentile(&[1.0], -1.0).is_err());
            assert!(quantile(&[1.0], 1.5).is_err());
            continue;
        }
        assert_same(
            median(&x),
            case.output("median").f64(),
            &format!("{name} median"),
        );
        assert_same(iqr(&x), case.output("iqr").f64(), &format!("{name} iqr"));
        if x.is_empty() {
            continue;
        }
        let qs = case.param("q").vec_f64();
        let expected = case.output("percentile").vec_f64();
        let expected_vec = case.output("percentile_vec").vec_f64();
        let batch = percentiles(&x, &qs).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (i, &q) in qs.iter().enumerate() {
            let one = percentile(&x, q).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_same(one, expected[i], &format!("{name} percentile({q})"));
            assert_same(
                batch[i],
                expected_vec[i],
                &format!("{name} percentiles[{q}]"),
            );
        }
        let fr = case.param("fractions").vec_f64();
        let expected = case.output("quantile").vec_f64();
        for (&q, &e) in fr.iter().zip(&expected) {
            let got = quantile(&x, q).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_same(got, e, &format!("{name} quantile({q})"));
        }
        seen += 1;
    }
    assert!(seen >= 20);
}

#[test]
fn stable_argsort_matches_numpy() {
    for case in cases_with_prefix("numerics", "argsort_") {
        let x = case.input("x").vec_f64();
        assert_eq!(
            argsort(&x),
            case.output("asc").vec_usize(),
            "{} asc",
            case.name
        );
        assert_eq!(
            argsort_desc(&x),
            case.output("desc").vec_usize(),
            "{} desc",
            case.name
        );
    }
}

#[test]
fn argextreme_rows_match_numpy() {
    for case in cases_with_prefix("numerics", "argextreme_rows_") {
        let a = case.input("x").array2_f64();
        assert_eq!(argmax_rows(a.view()), Ok(case.output("argmax").vec_usize()));
        assert_eq!(argmin_rows(a.view()), Ok(case.output("argmin").vec_usize()));
        let row0: Vec<f64> = a.row(0).to_vec();
        assert_eq!(
            argmax(row0.iter().copied()),
            Some(case.output("argmax_flat").usize())
        );
        assert_eq!(
            argmin(row0.iter().copied()),
            Some(case.output("argmin_flat").usize())
        );
    }
}

#[test]
fn rounding_matches_numpy() {
    for case in cases_with_prefix("numerics", "round_half_even") {
        let x = case.input("x").vec_f64();
        for (key, exp) in [
            ("round", case.output("round")),
            ("rint", case.output("rint")),
        ] {
            for (i, (&v, &e)) in x.iter().zip(&exp.vec_f64()).enumerate() {
                assert_bits(round_half_even(v), e, &format!("{key}[{i}] of {v}"));
            }
        }
    }
    for case in cases_with_prefix("numerics", "round_decimals") {
        let x = case.input("x").vec_f64();
        let decs = case.param("decimals").vec_i64();
        let expected = case.output("round").array2_f64();
        for (di, &d) in decs.iter().enumerate() {
            for (i, &v) in x.iter().enumerate() {
                let d = i32::try_from(d).unwrap_or_default();
                assert_bits(
                    round_decimals(v, d),
                    expected[[di, i]],
                    &format!("round({v}, {d})"),
                );
            }
        }
    }
    for case in cases_with_prefix("numerics", "trunc_to_int") {
        let x = case.input("x").vec_f64();
        let expected = case.output("int").vec_i64();
        for (&v, &e) in x.iter().zip(&expected) {
            assert_eq!(trunc_to_i64(v), Ok(e), "int({v})");
        }
    }
    for case in cases_with_prefix("numerics", "clip") {
        let x = case.input("x").vec_f64();
        let lo = case.param("lo").f64();
        let hi = case.param("hi").f64();
        let expected = case.output("clip").vec_f64();
        let inverted = case.output("clip_inverted").vec_f64();
        for (i, &v) in x.iter().enumerate() {
            assert_bits(clip(v, lo, hi), expected[i], &format!("clip({v})"));
            assert_bits(
                clip(v, 0.7, 0.2),
                inverted[i],
                &format!("clip inverted({v})"),
            );
        }
    }
}

#[test]
fn searchsorted_matches_numpy() {
    for case in cases_with_prefix("numerics", "searchsorted_") {
        let s = case.input("sorted").vec_f64();
        let v = case.input("v").vec_f64();
        let left = case.output("left").vec_usize();
        let right = case.output("right").vec_usize();
        for (i, q) in v.iter().enumerate() {
            assert_eq!(searchsorted_left(&s, q), left[i], "{} left {q}", case.name);
            assert_eq!(
                searchsorted_right(&s, q),
                right[i],
                "{} right {q}",
                case.name
            );
        }
    }
}

/// Softmax uses the platform `exp`, which may differ from numpy's SIMD `exp` in the last bit.
const SOFTMAX_REL: f64 = 1e-14;

#[test]
fn softmax_matches_cleanlab() {
    let mut seen = 0;
    for case in cases_with_prefix("numerics", "softmax_") {
        let t = case.param("temperature").f64();
        let shift = case.param("shift").bool();
        if case.name.starts_with("softmax_1d") {
            let x = case.input("x").vec_f64();
            let expected = case.output("softmax").vec_f64();
            let got = softmax_1d(&x, t, shift);
            cl_golden::assert_all_close(&got, &expected, SOFTMAX_REL, &case.name);
            continue;
        }
        let axis = match case.param("axis").str() {
            "none" => SoftmaxAxis::Flattened,
            "0" => SoftmaxAxis::Axis0,
            _ => SoftmaxAxis::Axis1,
        };
        let x = case.input("x").array2_f64();
        let expected = case.output("softmax").array2_f64();
        let got = softmax(x.view(), t, axis, shift);
        cl_golden::assert_array2_close(&got, &expected, SOFTMAX_REL, &case.name);
        seen += 1;
    }
    assert!(seen >= 40);
}

#[test]
fn xlogy_matches_scipy() {
    for case in cases_with_prefix("numerics", "xlogy") {
        let x = case.input("x").vec_f64();
        let y = case.input("y").vec_f64();
        let expected = case.output("xlogy").vec_f64();
        for i in 0..x.len() {
            assert_bits(
                xlogy(x[i], y[i]),
                expected[i],
                &format!("xlogy({}, {})", x[i], y[i]),
            );
        }
    }
}

#[test]
fn normal_cdf_matches_scipy_ndtr() {
    for case in cases_with_prefix("numerics", "ndtr") {
        let x = case.input("x").vec_f64();
        let expected = case.output("ndtr").vec_f64();
        for (&v, &e) in x.iter().zip(&expected) {
            assert_bits(normal_cdf(v), e, &format!("ndtr({v})"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------

fn finite_vec(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1e6..1e6_f64, 0..max_len)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn argsort_is_a_sorting_permutation(
        x in prop::collection::vec(prop_oneof![(-5..5_i32).prop_map(f64::from), Just(f64::NAN)], 0..300)
    ) {
        for (idx, desc) in [(argsort(&x), false), (argsort_desc(&x), true)] {
            let mut seen = vec![false; x.len()];
            for &i in &idx {
                prop_assert!(!seen[i]);
                seen[i] = true;
            }
            prop_assert_eq!(idx.len(), x.len());
            for w in idx.windows(2) {
                let (a, b) = (x[w[0]], x[w[1]]);
                if a.is_nan() {
                    prop_assert!(b.is_nan() && w[0] < w[1]);
                } else if !b.is_nan() {
                    let in_order = if desc { a >= b } else { a <= b };
                    prop_assert!(in_order);
                    if a == b {
                        prop_assert!(w[0] < w[1]);
                    }
                }
            }
        }
    }

    #[test]
    fn pairwise_sum_close_to_exact(x in finite_vec(2000)) {
        let naive: f64 = x.iter().sum();
        let abs_sum: f64 = x.iter().map(|v| v.abs()).sum();
        let s = pairwise_sum(&x);
        // Pairwise error bound: O(eps log n) * sum |x|; naive: O(eps n) * sum |x|.
        let bound = f64::EPSILON * (x.len() as f64 + 2.0) * abs_sum;
        prop_assert!((s - naive).abs() <= bound);
    }

    #[test]
    fn percentile_monotone_in_q(x in prop::collection::vec(-1e3..1e3_f64, 1..200), mut qs in prop::collection::vec(0.0..=100.0_f64, 2..20)) {
        qs.sort_by(f64::total_cmp);
        let p = percentiles(&x, &qs).unwrap_or_default();
        prop_assert_eq!(p.len(), qs.len());
        for w in p.windows(2) {
            prop_assert!(w[0] <= w[1]);
        }
        let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        prop_assert!(p.iter().all(|&v| v >= lo && v <= hi));
        prop_assert_eq!(percentile(&x, 0.0).ok(), Some(lo));
        prop_assert_eq!(percentile(&x, 100.0).ok(), Some(hi));
    }

    #[test]
    fn softmax_rows_sum_to_one(rows in 1..20_usize, cols in 1..12_usize, seed in prop::collection::vec(-30.0..30.0_f64, 240)) {
        let x = Array2::from_shape_fn((rows, cols), |(i, j)| seed[i * cols + j]);
        let p = softmax(x.view(), 1.0, SoftmaxAxis::Axis1, true);
        for s in row_sums(p.view()) {
            prop_assert!((s - 1.0).abs() < 1e-12);
        }
    }
}
