//! Golden tests of `cl_core::noise` against cleanlab 2.9's `benchmarking.noise_generation`.
//!
//! Every RNG-using case also checks the position of the stream afterwards
//! (`outputs.next_rand`, the next `np.random.rand()`), and every value is compared exactly.

use cl_core::noise::{
    NoiseMatrixOptions, generate_n_rand_probabilities_that_sum_to_m,
    generate_noise_matrix_from_trace_with_rng, generate_noisy_labels, noise_matrix_is_valid,
    randomly_distribute_n_balls_into_k_bins,
};
use cl_core::rng::NumpyRng;
use cl_golden::Case;
use ndarray::Array2;

fn seed_of(case: &Case) -> u32 {
    u32::try_from(case.param("seed").i64()).expect("seed fits in u32")
}

fn assert_bits(got: &[f64], expected: &[f64], ctx: &str) {
    assert_eq!(got.len(), expected.len(), "{ctx}: length");
    for (j, (a, b)) in got.iter().zip(expected).enumerate() {
        assert!(a.to_bits() == b.to_bits(), "{ctx}[{j}]: {a:e} != {b:e}");
    }
}

fn assert_matrix(got: &Array2<f64>, expected: &Array2<f64>, ctx: &str) {
    assert_eq!(got.dim(), expected.dim(), "{ctx}: shape");
    assert_bits(
        &got.iter().copied().collect::<Vec<_>>(),
        &expected.iter().copied().collect::<Vec<_>>(),
        ctx,
    );
}

fn assert_next(case: &Case, rng: &mut NumpyRng) {
    let next = rng.random_sample();
    let expected = case.output("next_rand").f64();
    assert!(
        next.to_bits() == expected.to_bits(),
        "case {}: stream position differs",
        case.name
    );
}

fn expect_error<T: std::fmt::Debug>(case: &Case, got: &cl_core::Result<T>) {
    assert!(
        got.is_err(),
        "case {}: expected error {:?}, got {got:?}",
        case.name,
        case.expected_error()
    );
}

fn opt_usize(case: &Case, key: &str) -> Option<usize> {
    case.has("params", key).then(|| case.param(key).usize())
}

#[test]
fn golden_probabilities() {
    for case in cl_golden::cases_with_prefix("noise", "probs_") {
        let mut rng = NumpyRng::new(seed_of(&case));
        let got = generate_n_rand_probabilities_that_sum_to_m(
            case.input("n").usize(),
            case.input("m").f64(),
            case.param("max_prob").f64(),
            case.param("min_prob").f64(),
            &mut rng,
        );
        if case.expected_error().is_some() {
            expect_error(&case, &got);
            continue;
        }
        assert_bits(&got.unwrap(), &case.output("probs").vec_f64(), &case.name);
        assert_next(&case, &mut rng);
    }
}

#[test]
fn golden_balls() {
    for case in cl_golden::cases_with_prefix("noise", "balls_") {
        let mut rng = NumpyRng::new(seed_of(&case));
        let got = randomly_distribute_n_balls_into_k_bins(
            case.input("n").usize(),
            case.input("k").usize(),
            opt_usize(&case, "max_balls_per_bin"),
            opt_usize(&case, "min_balls_per_bin"),
            &mut rng,
        );
        if case.expected_error().is_some() {
            expect_error(&case, &got);
            continue;
        }
        assert_eq!(
            got.unwrap(),
            case.output("bins").vec_usize(),
            "case {}",
            case.name
        );
        assert_next(&case, &mut rng);
    }
}

fn trace_options(case: &Case) -> NoiseMatrixOptions {
    let mut o = NoiseMatrixOptions::default();
    let f = |key: &str| case.has("params", key).then(|| case.param(key).f64());
    if let Some(v) = f("max_trace_prob") {
        o = o.max_trace_prob(v);
    }
    if let Some(v) = f("min_trace_prob") {
        o = o.min_trace_prob(v);
    }
    if let Some(v) = f("max_noise_rate") {
        o = o.max_noise_rate(v);
    }
    if let Some(v) = f("min_noise_rate") {
        o = o.min_noise_rate(v);
    }
    if let Some(v) = f("frac_zero_noise_rates") {
        o = o.frac_zero_noise_rates(v);
    }
    if case.has("params", "valid_noise_matrix") {
        o = o.valid_noise_matrix(case.param("valid_noise_matrix").bool());
    }
    if case.has("params", "seed") {
        o = o.seed(Some(seed_of(case)));
    }
    if let Some(v) = opt_usize(case, "max_iter") {
        o = o.max_iter(v);
    }
    if case.has("inputs", "py") {
        o = o.py(&case.input("py").vec_f64());
    }
    o
}

#[test]
fn golden_noise_matrix_from_trace() {
    let cases = cl_golden::cases_with_prefix("noise", "trace_");
    assert!(cases.len() >= 30);
    for case in &cases {
        let opts = trace_options(case);
        // The Python side seeds the global generator with 12345 first; cleanlab reseeds it
        // unless it returns early.
        let mut rng = NumpyRng::new(12345);
        let k = case.input("k").usize();
        let got = generate_noise_matrix_from_trace_with_rng(
            k,
            case.input("trace").f64(),
            &opts,
            &mut rng,
        );
        if case.expected_error().is_some() {
            expect_error(case, &got);
            continue;
        }
        let got = got.unwrap();
        assert_eq!(
            got.is_none(),
            case.output("is_none").bool(),
            "case {}",
            case.name
        );
        if let Some(nm) = &got {
            assert_matrix(nm, &case.output("noise_matrix").array2_f64(), &case.name);
            for col in nm.columns() {
                assert!(
                    (col.sum() - 1.0).abs() < 1e-9,
                    "case {}: column sum",
                    case.name
                );
            }
        }
        assert_next(case, &mut rng);
    }
}

#[test]
fn golden_noisy_labels() {
    for case in cl_golden::cases_with_prefix("noise", "noisy_") {
        let y = case.input("true_labels").vec_usize();
        let nm = case.input("noise_matrix").array2_f64();
        let mut rng = NumpyRng::new(seed_of(&case));
        let got = generate_noisy_labels(&y, nm.view(), &mut rng);
        if case.expected_error().is_some() {
            expect_error(&case, &got);
            continue;
        }
        assert_eq!(
            got.unwrap(),
            case.output("noisy_labels").vec_usize(),
            "case {}",
            case.name
        );
        assert_next(&case, &mut rng);
    }
}

#[test]
fn golden_pipeline_matrix_then_labels_on_one_stream() {
    for case in cl_golden::cases_with_prefix("noise", "pipeline_") {
        let py = case.input("py").vec_f64();
        let opts = NoiseMatrixOptions::default()
            .py(&py)
            .seed(Some(seed_of(&case)))
            .frac_zero_noise_rates(case.param("frac_zero_noise_rates").f64());
        let mut rng = NumpyRng::new(999);
        let nm = generate_noise_matrix_from_trace_with_rng(
            case.input("k").usize(),
            case.input("trace").f64(),
            &opts,
            &mut rng,
        )
        .unwrap()
        .expect("cleanlab found a matrix");
        assert_matrix(&nm, &case.output("noise_matrix").array2_f64(), &case.name);
        let y = case.input("true_labels").vec_usize();
        let noisy = generate_noisy_labels(&y, nm.view(), &mut rng).unwrap();
        assert_eq!(
            noisy,
            case.output("noisy_labels").vec_usize(),
            "case {}",
            case.name
        );
        assert_next(&case, &mut rng);
    }
}

#[test]
fn golden_noise_matrix_is_valid() {
    let cases = cl_golden::cases_with_prefix("noise", "valid_");
    assert!(cases.len() >= 10);
    for case in &cases {
        let nm = case.input("noise_matrix").array2_f64();
        let py = case.input("py").vec_f64();
        assert_eq!(
            noise_matrix_is_valid(nm.view(), &py),
            case.output("is_valid").bool(),
            "case {}",
            case.name
        );
    }
}

#[test]
fn own_rng_entry_point_matches_cleanlab_default_seed() {
    // generate_noise_matrix_from_trace(3, 2.0, py=[0.2, 0.3, 0.5]) with the default seed 0.
    let case = cl_golden::cases_with_prefix("noise", "trace_07").remove(0);
    let opts = NoiseMatrixOptions::default().py(&[0.2, 0.3, 0.5]);
    let nm = cl_core::noise::generate_noise_matrix_from_trace(3, 2.0, &opts)
        .unwrap()
        .unwrap();
    assert_matrix(&nm, &case.output("noise_matrix").array2_f64(), &case.name);
}
