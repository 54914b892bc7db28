//! Golden tests of `cl_core::latent` against cleanlab 2.9.0 (`xtask/golden/gen_latent.py`).
//!
//! Tolerance: `REL_F64` (1e-9 relative). Element-wise steps and sums follow numpy's order
//! and are usually bit-identical; matrix inverses (faer LU vs LAPACK) and matrix–vector
//! products (left-to-right vs BLAS) agree to ~1e-12 relative.

// Test helpers panic with context on any mismatch; that is their job.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use cl_core::CoreError;
use cl_core::input::{Labels, PredProbs};
use cl_core::latent::{self, PyMethod};
use cl_golden::{Case, REL_F64, assert_all_close, assert_array2_close, cases};
use ndarray::Array1;

fn a1(c: &Case, key: &str) -> Array1<f64> {
    c.input(key).array1_f64()
}

fn run(c: &Case) {
    let name = c.name.as_str();
    let err = c.expected_error();
    match c.param("fn").str() {
        "compute_inv_noise_matrix" => {
            let (py, nm, ps) = (
                a1(c, "py"),
                c.input("noise_matrix").array2_f64(),
                a1(c, "ps"),
            );
            let with =
                latent::compute_inv_noise_matrix(py.view(), nm.view(), Some(ps.view())).unwrap();
            assert_array2_close(&with, &c.output("with_ps").array2_f64(), REL_F64, name);
            let without = latent::compute_inv_noise_matrix(py.view(), nm.view(), None).unwrap();
            assert_array2_close(
                &without,
                &c.output("without_ps").array2_f64(),
                REL_F64,
                name,
            );
        }
        "compute_noise_matrix_from_inverse" => {
            let (ps, inv, py) = (
                a1(c, "ps"),
                c.input("inverse_noise_matrix").array2_f64(),
                a1(c, "py"),
            );
            let with =
                latent::compute_noise_matrix_from_inverse(ps.view(), inv.view(), Some(py.view()))
                    .unwrap();
            assert_array2_close(&with, &c.output("with_py").array2_f64(), REL_F64, name);
            let without =
                latent::compute_noise_matrix_from_inverse(ps.view(), inv.view(), None).unwrap();
            assert_array2_close(
                &without,
                &c.output("without_py").array2_f64(),
                REL_F64,
                name,
            );
        }
        "compute_py" => {
            let method = c.param("py_method").str().parse::<PyMethod>();
            let Ok(method) = method else {
                assert!(
                    err.is_some(),
                    "{name}: unknown method must be an expected error"
                );
                return;
            };
            let ps = a1(c, "ps");
            let nm = c.input("noise_matrix").array2_f64();
            let inv = c.input("inverse_noise_matrix").array2_f64();
            let counts = c.has("inputs", "counts").then(|| a1(c, "counts"));
            let got = latent::compute_py(
                ps.view(),
                nm.view(),
                inv.view(),
                method,
                counts.as_ref().map(|a| a.view()),
            );
            match err {
                Some(e) if e.starts_with("LinAlgError") => {
                    assert_eq!(
                        got,
                        Err(CoreError::Singular {
                            what: "noise_matrix"
                        }),
                        "{name}"
                    );
                }
                Some(_) => assert!(
                    matches!(got, Err(CoreError::InvalidParameter { .. })),
                    "{name}: {got:?}"
                ),
                None => assert_all_close(
                    got.unwrap().as_slice().unwrap(),
                    &c.output("py").vec_f64(),
                    REL_F64,
                    name,
                ),
            }
        }
        "compute_pyx" => {
            let nm = c.input("noise_matrix").array2_f64();
            let inv = c.input("inverse_noise_matrix").array2_f64();
            let got = if c.param("dtype").str() == "f32" {
                let p = c.input("pred_probs").array2_f32();
                latent::compute_pyx(&PredProbs::new(p.view()).unwrap(), nm.view(), inv.view())
            } else {
                let p = c.input("pred_probs").array2_f64();
                latent::compute_pyx(&PredProbs::new(p.view()).unwrap(), nm.view(), inv.view())
            };
            if err.is_some() {
                assert!(
                    matches!(got, Err(CoreError::Shape { .. })),
                    "{name}: {got:?}"
                );
            } else {
                assert_array2_close(&got.unwrap(), &c.output("pyx").array2_f64(), REL_F64, name);
            }
        }
        "compute_py_inv_noise_matrix" => {
            let ps = a1(c, "ps");
            let nm = c.input("noise_matrix").array2_f64();
            let got = latent::compute_py_inv_noise_matrix(ps.view(), nm.view());
            if err.is_some() {
                assert_eq!(
                    got,
                    Err(CoreError::Singular {
                        what: "noise_matrix"
                    }),
                    "{name}"
                );
            } else {
                let (py, inv) = got.unwrap();
                assert_all_close(
                    py.as_slice().unwrap(),
                    &c.output("py").vec_f64(),
                    REL_F64,
                    name,
                );
                assert_array2_close(&inv, &c.output("inv").array2_f64(), REL_F64, name);
            }
        }
        "compute_ps_py_inv_noise_matrix" => {
            let nm = c.input("noise_matrix").array2_f64();
            let labels = Labels::new(&c.input("labels").vec_i64(), nm.nrows()).unwrap();
            let got = latent::compute_ps_py_inv_noise_matrix(&labels, nm.view());
            if err.is_some() {
                assert!(
                    matches!(got, Err(CoreError::Shape { .. })),
                    "{name}: {got:?}"
                );
            } else {
                let (ps, py, inv) = got.unwrap();
                assert_all_close(
                    ps.as_slice().unwrap(),
                    &c.output("ps").vec_f64(),
                    REL_F64,
                    name,
                );
                assert_all_close(
                    py.as_slice().unwrap(),
                    &c.output("py").vec_f64(),
                    REL_F64,
                    name,
                );
                assert_array2_close(&inv, &c.output("inv").array2_f64(), REL_F64, name);
            }
        }
        other => panic!("{name}: unknown fn {other}"),
    }
}

#[test]
fn golden_latent_cases() {
    let all = cases("latent");
    assert!(all.len() >= 60, "expected the full latent fixture set");
    for c in &all {
        run(c);
    }
}

/// Where no inverse or matrix product is involved the results are bit-identical.
#[test]
fn elementwise_latent_algebra_is_bit_identical() {
    for c in cases("latent") {
        match c.param("fn").str() {
            "compute_inv_noise_matrix" => {
                let (py, nm, ps) = (
                    a1(&c, "py"),
                    c.input("noise_matrix").array2_f64(),
                    a1(&c, "ps"),
                );
                let with = latent::compute_inv_noise_matrix(py.view(), nm.view(), Some(ps.view()))
                    .unwrap();
                assert_eq!(with, c.output("with_ps").array2_f64(), "{}", c.name);
                let without = latent::compute_inv_noise_matrix(py.view(), nm.view(), None).unwrap();
                assert_eq!(without, c.output("without_ps").array2_f64(), "{}", c.name);
            }
            "compute_noise_matrix_from_inverse" => {
                let (ps, inv) = (a1(&c, "ps"), c.input("inverse_noise_matrix").array2_f64());
                let without =
                    latent::compute_noise_matrix_from_inverse(ps.view(), inv.view(), None).unwrap();
                assert_eq!(without, c.output("without_py").array2_f64(), "{}", c.name);
            }
            "compute_py"
                if c.expected_error().is_none()
                    && matches!(c.param("py_method").str(), "cnt" | "marginal") =>
            {
                let method = c.param("py_method").str().parse::<PyMethod>().unwrap();
                let (ps, counts) = (a1(&c, "ps"), a1(&c, "counts"));
                let nm = c.input("noise_matrix").array2_f64();
                let inv = c.input("inverse_noise_matrix").array2_f64();
                let got = latent::compute_py(
                    ps.view(),
                    nm.view(),
                    inv.view(),
                    method,
                    Some(counts.view()),
                )
                .unwrap();
                assert_eq!(got.to_vec(), c.output("py").vec_f64(), "{}", c.name);
            }
            _ => {}
        }
    }
}
