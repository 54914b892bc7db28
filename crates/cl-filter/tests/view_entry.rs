//! `find_label_issues_view` (validation fused into the counting pass) against
//! `validate` + `find_label_issues`: the same masks for every filter, element type, memory
//! layout and thread count, and the same errors in the same order.

use cl_core::CoreError;
use cl_core::input::validate;
use cl_filter::{FilterBy, FilterError, FilterOptions, find_label_issues, find_label_issues_view};
use ndarray::{Array2, ShapeBuilder};

/// Softmax-like rows over `k` classes with 20% of the labels flipped (seeded).
fn noisy(n: usize, k: usize, seed: u32) -> (Vec<i64>, Array2<f64>) {
    let mut rng = cl_core::rng::NumpyRng::new(seed);
    let mut p = Array2::from_shape_fn((n, k), |_| (3.0 * rng.random_sample()).exp());
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let truth = rng.randint(0, k as i64).expect("range") as usize;
        p[[i, truth]] *= 4.0 * k as f64 * rng.random_sample();
        let s: f64 = p.row(i).sum();
        p.row_mut(i).mapv_inplace(|v| v / s);
        let flip = rng.random_sample() < 0.2;
        labels.push(if flip {
            rng.randint(0, k as i64).expect("range")
        } else {
            truth as i64
        });
    }
    (labels, p)
}

fn reference(labels: &[i64], p: &Array2<f64>, opts: &FilterOptions) -> Vec<bool> {
    let (l, probs) = validate(labels, p.view()).expect("valid");
    find_label_issues(&l, &probs, opts).expect("filter")
}

#[test]
fn view_entry_equals_validate_then_filter_for_every_filter_layout_and_thread_count() {
    for (n, k) in [(6000, 40), (3000, 7), (2000, 130)] {
        let (labels, p) = noisy(n, k, k as u32);
        let fortran = {
            let mut f = Array2::zeros((n, k).f());
            f.assign(&p);
            f
        };
        let p32 = p.mapv(|v| v as f32);
        for filter in FilterBy::ALL {
            let opts = FilterOptions::default().filter_by(filter);
            let want = reference(&labels, &p, &opts);
            assert!(
                want.iter().any(|&m| m),
                "{filter:?} flags something at {n}x{k}"
            );
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let got = pool.install(|| find_label_issues_view(&labels, p.view(), &opts));
                assert_eq!(
                    got.expect("view"),
                    want,
                    "{filter:?} {n}x{k} {threads} threads"
                );
            }
            let got = find_label_issues_view(&labels, fortran.view(), &opts).expect("fortran");
            assert_eq!(got, want, "{filter:?} column-major");
            let (l32, probs32) = validate(&labels, p32.view()).expect("valid f32");
            let want32 = find_label_issues(&l32, &probs32, &opts).expect("f32");
            let got32 = find_label_issues_view(&labels, p32.view(), &opts).expect("view f32");
            assert_eq!(got32, want32, "{filter:?} f32");
        }
    }
}

/// The error `validate` gives, or `None` if it accepts the input.
fn validate_error(labels: &[i64], p: &Array2<f64>) -> Option<CoreError> {
    validate(labels, p.view()).err()
}

#[test]
fn view_entry_reports_the_errors_validate_reports_in_the_same_order() {
    let (labels, p) = noisy(5000, 12, 3);
    let opts = FilterOptions::default();
    let check = |labels: &[i64], p: &Array2<f64>, what: &str| {
        let want = validate_error(labels, p).expect("an invalid input");
        match find_label_issues_view(labels, p.view(), &opts) {
            // Compared as text: a NaN in the error is not equal to itself.
            Err(FilterError::Core(got)) => {
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "{what}");
            }
            other => panic!("{what}: expected {want:?}, got {other:?}"),
        }
    };
    // One bad value, early or late, of each kind.
    for (row, col, value) in [
        (4321, 7, f64::NAN),
        (12, 0, f64::INFINITY),
        (4999, 11, 1.5),
        (2500, 3, -0.1),
    ] {
        let mut bad = p.clone();
        bad[[row, col]] = value;
        check(&labels, &bad, &format!("{value} at ({row}, {col})"));
    }
    // Two bad values: the first in row-major order is named.
    let mut two = p.clone();
    two[[3000, 2]] = f64::NAN;
    two[[3000, 1]] = 2.0;
    two[[4000, 0]] = f64::NAN;
    check(&labels, &two, "two bad values");
    // Bad labels, alone and together with a bad value (the value is reported first).
    let mut bad_labels = labels.clone();
    bad_labels[17] = 12;
    check(&bad_labels, &p, "label out of range");
    bad_labels[18] = -1;
    check(&bad_labels, &p, "two bad labels");
    let mut nan = p.clone();
    nan[[4999, 0]] = f64::NAN;
    check(&bad_labels, &nan, "bad label and bad value");
    // Shapes.
    check(&labels[..4999], &p, "one label short");
    check(&[], &Array2::zeros((0, 3)), "empty");
    // A single present class (not class 0) is an error after the values are checked.
    let ones = vec![1_i64; 5000];
    let err = find_label_issues_view(&ones, p.view(), &opts).expect_err("one class");
    assert!(
        matches!(err, FilterError::Core(CoreError::TooFewClasses { .. })),
        "{err:?}"
    );
    let err = find_label_issues_view(&ones, nan.view(), &opts).expect_err("nan first");
    assert!(
        matches!(
            err,
            FilterError::Core(CoreError::NonFinite {
                row: 4999,
                col: 0,
                ..
            })
        ),
        "{err:?}"
    );
}
