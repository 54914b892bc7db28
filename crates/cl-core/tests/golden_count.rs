//! Golden tests of `cl_core::count` against cleanlab 2.9.0 (`xtask/golden/gen_count.py`).
//!
//! * Integers (confident joints, indices, counts, masks) exactly.
//! * Thresholds and estimated joints bit-exactly (numpy's pairwise mean is reproduced).
//! * Latent estimates bit-exactly for py_method "cnt" and "marginal" (with and without
//!   convergence); "eqn" and "marginal_ps" to `REL_F64` (1e-9 relative; observed ≤ 2e-15).
//! * float32 scenarios: expected values are cleanlab's on the widened float64 input (our
//!   semantics: statistics in f64); cleanlab's own float32 thresholds are compared at 1e-6
//!   relative (it averages in float32). The generator checked that every integer output of
//!   cleanlab is identical for the float32 and the widened input.
//! * Calibrated joints follow cleanlab run with a stable argsort (see `cl_core::count`).

// Test helpers panic with context on any mismatch; that is their job.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use cl_core::count::{
    self, ConfidentJointAccumulator, ConfidentJointOptions, EstimateOptions, EstimationMethod,
    ThresholdAccumulator,
};
use cl_core::input::{Labels, PredProbs};
use cl_core::latent::PyMethod;
use cl_core::{CoreError, Real};
use cl_golden::{Case, REL_F64, assert_all_close, assert_array2_close, assert_close, cases};
use ndarray::{Array2, ArrayView2, s};

/// cleanlab float32 thresholds vs ours (f64 accumulation of widened values).
const REL_F32_THRESHOLDS: f64 = 1e-6;

fn labels_of(c: &Case, k: usize) -> Labels<'static> {
    Labels::new(&c.input("labels").vec_i64(), k).unwrap()
}

fn output_keys(c: &Case) -> Vec<String> {
    c.json()["outputs"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// "cnt" and "marginal" (with or without convergence) reproduce numpy's operation and
/// summation order and are bit-identical; "eqn" (faer LU vs LAPACK inverse) and
/// "marginal_ps" (matrix–vector product vs BLAS, which may fuse multiply-adds) differ in
/// the last bits (observed ≤ 2e-15 relative), so they are checked at `REL_F64`.
fn tolerance(method: PyMethod) -> f64 {
    match method {
        PyMethod::Eqn | PyMethod::MarginalPs => REL_F64,
        _ => 0.0,
    }
}

fn check_latent_outputs(c: &Case, cj: ArrayView2<'_, i64>, labels: &Labels<'_>) {
    let mut seen = 0;
    for key in output_keys(c) {
        let Some(rest) = key.strip_prefix("latent_") else {
            continue;
        };
        let Some(stem) = rest
            .strip_suffix("_py")
            .or_else(|| rest.strip_suffix("_error"))
        else {
            continue;
        };
        let (method, conv) = stem.rsplit_once('_').unwrap();
        let method: PyMethod = method.parse().unwrap();
        let converge = conv == "1";
        let rel = tolerance(method);
        let got = count::estimate_latent(cj, labels, method, converge);
        let ctx = format!("{} {key}", c.name);
        if key.ends_with("_error") {
            assert!(
                matches!(got, Err(CoreError::Singular { .. })),
                "{ctx}: {got:?}"
            );
        } else {
            let est = got.unwrap_or_else(|e| panic!("{ctx}: {e}"));
            let prefix = format!("latent_{stem}");
            assert_all_close(
                est.py.as_slice().unwrap(),
                &c.output(&format!("{prefix}_py")).vec_f64(),
                rel,
                &ctx,
            );
            assert_array2_close(
                &est.noise_matrix,
                &c.output(&format!("{prefix}_nm")).array2_f64(),
                rel,
                &ctx,
            );
            assert_array2_close(
                &est.inverse_noise_matrix,
                &c.output(&format!("{prefix}_inv")).array2_f64(),
                rel,
                &ctx,
            );
        }
        seen += 1;
    }
    assert!(seen >= 2, "{}: no latent outputs", c.name);
}

fn check_num_issues<T: Real>(
    c: &Case,
    key: &str,
    labels: &Labels<'_>,
    probs: &PredProbs<'_, T>,
    method: &EstimationMethod,
) {
    let got = count::num_label_issues(labels, probs, method);
    if c.has("outputs", &format!("{key}_error")) {
        assert!(
            matches!(
                got,
                Err(CoreError::TooFewClasses {
                    found: 1,
                    required: 2
                })
            ),
            "{} {key}: {got:?}",
            c.name
        );
    } else {
        assert_eq!(got.unwrap(), c.output(key).usize(), "{} {key}", c.name);
    }
}

fn scenario<T: Real>(c: &Case, p: ArrayView2<'_, T>) {
    let name = c.name.as_str();
    let probs = PredProbs::new(p).unwrap();
    let k = probs.num_classes();
    let labels = labels_of(c, k);

    let t = count::get_confident_thresholds(&labels, &probs).unwrap();
    let want_t = c.output("thresholds").vec_f64();
    assert_eq!(t, want_t, "{name}: thresholds (bit-exact)");
    if c.has("outputs", "thresholds_f32") {
        assert_all_close(
            &t,
            &c.output("thresholds_f32").vec_f64(),
            REL_F32_THRESHOLDS,
            name,
        );
    }

    let raw = count::compute_confident_joint(
        &labels,
        &probs,
        &ConfidentJointOptions::default()
            .calibrate(false)
            .return_indices_of_off_diagonals(true),
    )
    .unwrap();
    assert_eq!(raw.joint, c.output("cj_raw").array2_i64(), "{name}: cj_raw");
    let want_off = c.output("off_diagonal").vec_usize();
    assert_eq!(
        raw.off_diagonal_indices.as_deref(),
        Some(&want_off[..]),
        "{name}: off"
    );

    let cj =
        count::compute_confident_joint(&labels, &probs, &ConfidentJointOptions::default()).unwrap();
    let want_cj = c.output("cj").array2_i64();
    assert_eq!(cj.joint, want_cj, "{name}: calibrated cj");
    assert_eq!(cj.off_diagonal_indices, None);

    let joint = count::estimate_joint(&labels, &probs, None).unwrap();
    assert_eq!(joint, c.output("joint").array2_f64(), "{name}: joint");

    check_num_issues(
        c,
        "nli_off_diagonal",
        &labels,
        &probs,
        &EstimationMethod::OffDiagonal,
    );
    check_num_issues(
        c,
        "nli_calibrated",
        &labels,
        &probs,
        &EstimationMethod::OffDiagonalCalibrated,
    );
    check_num_issues(
        c,
        "nli_custom_raw",
        &labels,
        &probs,
        &EstimationMethod::OffDiagonalCustom(raw.joint.clone()),
    );

    let mask = count::reduce_issues_mask(&labels, &probs).unwrap();
    assert_eq!(
        mask,
        c.output("reduce_mask").vec_bool(),
        "{name}: reduce mask"
    );

    check_latent_outputs(c, cj.joint.view(), &labels);

    let pyn = count::estimate_py_and_noise_matrices_from_probabilities(
        &labels,
        &probs,
        &EstimateOptions::default(),
    )
    .unwrap();
    // Defaults ("cnt", converge): bit-identical.
    assert_eq!(
        pyn.confident_joint,
        c.output("pyn_cj").array2_i64(),
        "{name}"
    );
    assert_eq!(pyn.py.to_vec(), c.output("pyn_py").vec_f64(), "{name}");
    assert_eq!(pyn.noise_matrix, c.output("pyn_nm").array2_f64(), "{name}");
    assert_eq!(
        pyn.inverse_noise_matrix,
        c.output("pyn_inv").array2_f64(),
        "{name}"
    );

    check_accumulators(name, &labels, p, &want_t, &raw.joint, &want_off, &want_cj);
}

/// Streaming path: odd chunk sizes, merged out of order, must reproduce the in-memory
/// results (thresholds to 1e-12, joints and indices exactly).
fn check_accumulators<T: Real>(
    name: &str,
    labels: &Labels<'_>,
    p: ArrayView2<'_, T>,
    want_t: &[f64],
    want_raw: &Array2<i64>,
    want_off: &[usize],
    want_cj: &Array2<i64>,
) {
    let n = labels.len();
    let k = p.ncols();
    let y = labels.as_slice();
    let chunk = (n / 3).max(1) + 1;
    let mut tparts = Vec::new();
    let mut jparts = Vec::new();
    for lo in (0..n).step_by(chunk) {
        let hi = (lo + chunk).min(n);
        let ly = Labels::from_usize(&y[lo..hi], k).unwrap();
        let lp = PredProbs::new(p.slice(s![lo..hi, ..])).unwrap();
        let mut ta = ThresholdAccumulator::new(k);
        ta.update(&ly, &lp).unwrap();
        tparts.push(ta);
        let mut ja = ConfidentJointAccumulator::new(want_t, true)
            .unwrap()
            .starting_at(lo);
        ja.update(&ly, &lp).unwrap();
        jparts.push(ja);
    }
    // Merge in reverse order: the result must not depend on it.
    let mut ta = ThresholdAccumulator::new(k);
    for part in tparts.into_iter().rev() {
        ta = ta.merge(part).unwrap();
    }
    assert_all_close(&ta.finish(), want_t, 1e-12, name);
    let mut ja = ConfidentJointAccumulator::new(want_t, true).unwrap();
    for part in jparts.into_iter().rev() {
        ja = ja.merge(part).unwrap();
    }
    let both = ja.clone().finish(false).unwrap();
    assert_eq!(&both.joint, want_raw, "{name}: accumulated raw cj");
    assert_eq!(
        both.off_diagonal_indices.as_deref(),
        Some(want_off),
        "{name}"
    );
    assert_eq!(
        &ja.finish(true).unwrap().joint,
        want_cj,
        "{name}: accumulated cj"
    );
}

fn run_scenario(c: &Case) {
    if c.param("dtype").str() == "f32" {
        let p = c.input("pred_probs").array2_f32();
        scenario(c, p.view());
    } else {
        let p = c.input("pred_probs").array2_f64();
        scenario(c, p.view());
    }
}

fn run_confident_joint(c: &Case) {
    let name = c.name.as_str();
    let p = c.input("pred_probs").array2_f64();
    let probs = PredProbs::new(p.view()).unwrap();
    let labels = labels_of(c, probs.num_classes());
    let opts = ConfidentJointOptions::default()
        .thresholds(c.input("thresholds").vec_f64())
        .calibrate(c.param("calibrate").bool())
        .return_indices_of_off_diagonals(c.param("return_indices").bool());
    let got = count::compute_confident_joint(&labels, &probs, &opts);
    if c.expected_error().is_some() {
        assert!(
            matches!(got, Err(CoreError::Shape { .. })),
            "{name}: {got:?}"
        );
        return;
    }
    let got = got.unwrap();
    assert_eq!(got.joint, c.output("cj").array2_i64(), "{name}");
    if c.param("return_indices").bool() {
        assert_eq!(
            got.off_diagonal_indices,
            Some(c.output("off_diagonal").vec_usize()),
            "{name}"
        );
    }
}

fn run_calibrate(c: &Case) {
    let name = c.name.as_str();
    let cj = c.input("confident_joint").array2_i64();
    let k = cj.nrows();
    let labels = Labels::new(&c.input("labels").vec_i64(), k);
    if c.expected_error().is_some() {
        // cleanlab: "Required: num_classes > max(x)"; here labels are validated against K.
        assert!(
            matches!(labels, Err(CoreError::LabelOutOfRange { .. })),
            "{name}"
        );
        return;
    }
    let labels = labels.unwrap();
    let want = c.output("cj").array2_i64();
    assert_eq!(
        count::calibrate_confident_joint(cj.view(), &labels).unwrap(),
        want,
        "{name}"
    );
    assert_eq!(
        count::calibrate_confident_joint_from_counts(cj.view(), labels.class_counts()).unwrap(),
        want,
        "{name}"
    );
}

fn run_latent(c: &Case) {
    let cj = c.input("confident_joint").array2_i64();
    let labels = labels_of(c, cj.nrows());
    check_latent_outputs(c, cj.view(), &labels);
}

fn run_py_noise(c: &Case) {
    let name = c.name.as_str();
    let p = c.input("pred_probs").array2_f64();
    let probs = PredProbs::new(p.view()).unwrap();
    let labels = labels_of(c, probs.num_classes());
    let mut opts = EstimateOptions::default();
    if c.has("params", "calibrate") {
        opts = opts.calibrate(c.param("calibrate").bool());
    }
    if c.has("params", "converge_latent_estimates") {
        opts = opts.converge_latent_estimates(c.param("converge_latent_estimates").bool());
    }
    if c.has("params", "py_method") {
        opts = opts.py_method(c.param("py_method").str().parse().unwrap());
    }
    if c.has("inputs", "thresholds") {
        opts = opts.thresholds(c.input("thresholds").vec_f64());
    }
    let got =
        count::estimate_py_and_noise_matrices_from_probabilities(&labels, &probs, &opts).unwrap();
    let rel = tolerance(opts.py_method);
    assert_eq!(got.confident_joint, c.output("cj").array2_i64(), "{name}");
    assert_all_close(
        got.py.as_slice().unwrap(),
        &c.output("py").vec_f64(),
        rel,
        name,
    );
    assert_array2_close(&got.noise_matrix, &c.output("nm").array2_f64(), rel, name);
    assert_array2_close(
        &got.inverse_noise_matrix,
        &c.output("inv").array2_f64(),
        rel,
        name,
    );
}

fn run_case(c: &Case) {
    let name = c.name.as_str();
    match c.param("kind").str() {
        "scenario" => run_scenario(c),
        "confident_joint" => run_confident_joint(c),
        "calibrate" => run_calibrate(c),
        "latent" => run_latent(c),
        "py_noise" => run_py_noise(c),
        "estimate_joint" => {
            let p = c.input("pred_probs").array2_f64();
            let probs = PredProbs::new(p.view()).unwrap();
            let labels = labels_of(c, probs.num_classes());
            let cj = c.input("confident_joint").array2_i64();
            let got = count::estimate_joint(&labels, &probs, Some(cj.view())).unwrap();
            assert_eq!(got, c.output("joint").array2_f64(), "{name}");
        }
        "joint_from_cj" => {
            let cj = c.input("confident_joint").array2_i64();
            let got = count::joint_from_confident_joint(cj.view());
            assert_eq!(got, c.output("joint").array2_f64(), "{name}");
        }
        "num_issues_custom" => {
            let p = c.input("pred_probs").array2_f64();
            let probs = PredProbs::new(p.view()).unwrap();
            let labels = labels_of(c, probs.num_classes());
            let cj = c.input("confident_joint").array2_i64();
            let got =
                count::num_label_issues(&labels, &probs, &EstimationMethod::OffDiagonalCustom(cj));
            if c.expected_error().is_some() {
                assert!(
                    matches!(got, Err(CoreError::Shape { .. })),
                    "{name}: {got:?}"
                );
            } else {
                assert_eq!(got.unwrap(), c.output("num_issues").usize(), "{name}");
            }
        }
        other => panic!("{name}: unknown kind {other}"),
    }
}

#[test]
fn golden_count_cases() {
    let all = cases("count");
    assert!(all.len() >= 70, "expected the full count fixture set");
    for c in &all {
        run_case(c);
    }
}

#[test]
fn spec_appendix_a1_values() {
    let c = cl_golden::cases_with_prefix("count", "scenario_spec_a1").remove(0);
    let t = c.output("thresholds").vec_f64();
    assert_close(t[1], 0.685_714_285_7, 1e-9, "A.1 threshold of class 1");
    assert_eq!(c.output("off_diagonal").vec_usize(), vec![2]);
    run_case(&c);
}

/// Every in-memory result is identical with 1, 2 and 3 threads (the largest fixture spans
/// three 8192-row chunks).
#[test]
fn results_do_not_depend_on_thread_count() {
    let c = cl_golden::cases_with_prefix("count", "scenario_random_n20000").remove(0);
    let p = c.input("pred_probs").array2_f64();
    let probs = PredProbs::new(p.view()).unwrap();
    let labels = labels_of(&c, probs.num_classes());
    let compute = || {
        let t = count::get_confident_thresholds(&labels, &probs).unwrap();
        let cj = count::compute_confident_joint(
            &labels,
            &probs,
            &ConfidentJointOptions::default().return_indices_of_off_diagonals(true),
        )
        .unwrap();
        let n = count::num_label_issues(&labels, &probs, &EstimationMethod::OffDiagonal).unwrap();
        let mask = count::reduce_issues_mask(&labels, &probs).unwrap();
        (t, cj, n, mask)
    };
    let results: Vec<_> = [1, 2, 3]
        .into_iter()
        .map(|threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(compute)
        })
        .collect();
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
    assert_eq!(results[0].0, c.output("thresholds").vec_f64());
    assert_eq!(results[0].1.joint, c.output("cj").array2_i64());
    assert_eq!(results[0].2, c.output("nli_off_diagonal").usize());
}

/// PyMethod names used in the fixtures parse, and an unknown one is cleanlab's error.
#[test]
fn py_method_parse_error_message() {
    let err = "foo".parse::<PyMethod>().unwrap_err();
    assert!(
        err.to_string()
            .contains("should be in [cnt, eqn, marginal, marginal_ps]")
    );
}
