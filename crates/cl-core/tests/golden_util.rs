//! Golden tests of `cl_core::util` against cleanlab 2.9.0 (`xtask/golden/gen_util.py`).
//!
//! Integers exactly; floats to `REL_F64` (most are bit-identical). Rounding cases compare
//! against cleanlab run with a stable argsort (our documented tie order).

// Test helpers panic with context on any mismatch; that is their job.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use cl_core::util;
use cl_golden::{Case, REL_F64, assert_all_close, assert_array2_close, assert_close, cases};
use ndarray::Array2;

fn usize_vec(c: &Case, key: &str) -> Vec<usize> {
    c.input(key).vec_usize()
}

fn run(c: &Case) {
    let name = c.name.as_str();
    match c.param("fn").str() {
        "value_counts" => {
            let x = usize_vec(c, "x");
            let k = c.param("num_classes");
            let k = (!k.is_null()).then(|| k.usize());
            let got = util::value_counts(&x, k);
            if let Some(err) = c.expected_error() {
                assert!(got.is_err(), "{name}: expected error {err}, got {got:?}");
            } else {
                let want: Vec<usize> = c.output("counts").vec_usize();
                assert_eq!(got.unwrap(), want, "{name}");
            }
        }
        "get_missing_classes" => {
            let x = usize_vec(c, "x");
            let want = c.output("missing").vec_usize();
            assert_eq!(
                util::get_missing_classes(&x, c.param("num_classes").usize()),
                want,
                "{name}"
            );
        }
        "round_preserving_sum" => {
            let x = c.input("x").vec_f64();
            let want = c.output("rounded").vec_i64();
            assert_eq!(util::round_preserving_sum(&x).unwrap(), want, "{name}");
        }
        "round_preserving_row_totals" => {
            let m = c.input("m").array2_f64();
            let want = c.output("rounded").array2_i64();
            assert_eq!(
                util::round_preserving_row_totals(m.view()).unwrap(),
                want,
                "{name}"
            );
        }
        "clip_values" => {
            let x = c.input("x").vec_f64();
            let ns = c.param("new_sum");
            let ns = (!ns.is_null()).then(|| ns.f64());
            let got = util::clip_values(&x, c.param("low").f64(), c.param("high").f64(), ns);
            let want = c.output("clipped").vec_f64();
            // Bit-identical: same operation order as numpy.
            assert_eq!(got, want, "{name}");
        }
        "clip_noise_rates" => {
            let m = c.input("m").array2_f64();
            let got = util::clip_noise_rates(m.view()).unwrap();
            assert_eq!(got, c.output("clipped").array2_f64(), "{name}");
        }
        "remove_noise_from_class" => {
            let m = c.input("m").array2_f64();
            let got =
                util::remove_noise_from_class(m.view(), c.param("class_without_noise").usize())
                    .unwrap();
            assert_array2_close(&got, &c.output("result").array2_f64(), REL_F64, name);
        }
        "estimate_pu_f1" => {
            let s: Vec<bool> = c.input("s").vec_i64().iter().map(|&v| v == 1).collect();
            let p = c.input("prob").vec_f64();
            let got = util::estimate_pu_f1(&s, &p).unwrap();
            assert_close(got, c.output("f1").f64(), REL_F64, name);
        }
        "confusion_matrix" => {
            let t = usize_vec(c, "true");
            let p = usize_vec(c, "pred");
            let got = util::confusion_matrix(&t, &p);
            if c.expected_error().is_some() {
                assert!(got.is_err(), "{name}");
            } else {
                let want: Array2<i64> = c.output("matrix").array2_i64();
                assert_eq!(got.unwrap(), want, "{name}");
            }
        }
        other => panic!("{name}: unknown fn {other}"),
    }
}

#[test]
fn golden_util_cases() {
    let all = cases("util");
    assert!(all.len() >= 60, "expected the full util fixture set");
    for c in &all {
        run(c);
    }
}

#[test]
fn confusion_matrix_k_matches_dense_cleanlab_case() {
    // When every value 0..K occurs in both inputs, cleanlab's matrix is the K×K one.
    let c = cl_golden::cases_with_prefix("util", "confusion_matrix_dense").remove(0);
    let t = usize_vec(&c, "true");
    let p = usize_vec(&c, "pred");
    let want = c.output("matrix").array2_i64();
    assert_eq!(util::confusion_matrix_k(&t, &p, 4).unwrap(), want);
}

#[test]
fn clip_values_long_is_pairwise() {
    // 500 values: the rescaling uses numpy's pairwise sum; a naive sum would differ.
    let c = cl_golden::cases_with_prefix("util", "clip_values_long").remove(0);
    let x = c.input("x").vec_f64();
    let got = util::clip_values(&x, 0.0, 1.0, None);
    assert_all_close(
        &got,
        &c.output("clipped").vec_f64(),
        0.0,
        "clip_values_long",
    );
}
