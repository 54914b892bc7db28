//! Invariants of cl-outlier: scores in [0, 1], row-permutation equivariance, f32 within a
//! stated tolerance of f64, identical results for every thread count.

use cl_core::input::validate;
use cl_core::neighbors::Metric;
use cl_outlier::{
    DataShapleyOptions, OodData, OodMethod, OodOptions, OutOfDistribution, ShapleyInput,
    data_shapley_knn,
};
use ndarray::{Array2, Axis};
use proptest::prelude::*;

/// f32 features are scored within this absolute difference of their f64 originals (the
/// distances differ by about 1e-7 relative; scores are `exp` of a ratio of distances).
const F32_FEATURE_TOL: f64 = 1e-4;
/// f32 `pred_probs` are scored within this absolute difference of their f64 originals.
const F32_PROBS_TOL: f64 = 1e-5;

/// Features with ties and exact duplicates (small integers) or without (uniform floats).
fn features() -> impl Strategy<Value = (Array2<f64>, usize, bool)> {
    (4_usize..40, 1_usize..10, any::<bool>()).prop_flat_map(|(n, d, grid)| {
        let cell = if grid {
            (-2_i32..3).prop_map(f64::from).boxed()
        } else {
            (-10.0_f64..10.0).boxed()
        };
        (
            proptest::collection::vec(cell, n * d)
                .prop_map(move |v| Array2::from_shape_vec((n, d), v).expect("shape")),
            1..n,
            Just(grid),
        )
    })
}

fn pred_probs() -> impl Strategy<Value = (Array2<f64>, Vec<usize>)> {
    (2_usize..6, 4_usize..50).prop_flat_map(|(k, n)| {
        (
            proptest::collection::vec(0.001_f64..1.0, n * k).prop_map(move |v| {
                let mut p = Array2::from_shape_vec((n, k), v).expect("shape");
                for mut row in p.rows_mut() {
                    let s: f64 = row.sum();
                    row.mapv_inplace(|x| x / s);
                }
                p
            }),
            proptest::collection::vec(0..k, n).prop_map(move |mut y| {
                for (c, v) in y.iter_mut().take(k).enumerate() {
                    *v = c;
                }
                y
            }),
        )
    })
}

fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = cl_core::rng::NumpyRng::new(seed as u32);
    rng.permutation(n)
}

fn ood_features(x: &Array2<f64>, k: usize, metric: Metric) -> Vec<f64> {
    OutOfDistribution::new(OodOptions::default().k(k).metric(metric))
        .fit_score(OodData::Features(x.view()))
        .expect("fit_score")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn feature_scores_are_in_unit_interval_and_permutation_equivariant(
        (x, k, _) in features(),
        seed in 0_u64..1000,
        t in 0.0_f64..5.0,
    ) {
        let n = x.nrows();
        let perm = permutation(n, seed);
        let xp = x.select(Axis(0), &perm);
        for metric in [Metric::Cosine, Metric::Euclidean, Metric::ScipyEuclidean] {
            let opts = OodOptions::default().k(k).t(t).metric(metric);
            let s = OutOfDistribution::new(opts.clone())
                .fit_score(OodData::Features(x.view()))
                .expect("fit_score");
            prop_assert!(s.iter().all(|v| (0.0..=1.0).contains(v)), "{s:?}");
            let sp = OutOfDistribution::new(opts)
                .fit_score(OodData::Features(xp.view()))
                .expect("fit_score");
            // The mean of the k smallest distances is a function of the point set.
            for (i, &p) in perm.iter().enumerate() {
                prop_assert_eq!(sp[i], s[p], "{} row {}", metric, i);
            }
        }
    }

    #[test]
    fn pred_probs_scores_are_in_unit_interval_and_permutation_equivariant(
        (p, y) in pred_probs(),
        seed in 0_u64..1000,
        least in any::<bool>(),
        adjust in any::<bool>(),
    ) {
        let method = if least { OodMethod::LeastConfidence } else { OodMethod::Entropy };
        let opts = OodOptions::default().method(method).adjust_pred_probs(adjust);
        let (labels, probs) = validate(&y, p.view()).expect("valid");
        let s = OutOfDistribution::new(opts.clone())
            .fit_score(OodData::PredProbs { pred_probs: &probs, labels: Some(&labels) })
            .expect("fit_score");
        prop_assert!(s.iter().all(|v| (-1e-12..=1.0 + 1e-12).contains(v)), "{s:?}");
        let perm = permutation(p.nrows(), seed);
        let pp = p.select(Axis(0), &perm);
        let yp: Vec<usize> = perm.iter().map(|&i| y[i]).collect();
        let (lp, probs_p) = validate(&yp, pp.view()).expect("valid");
        let sp = OutOfDistribution::new(opts)
            .fit_score(OodData::PredProbs { pred_probs: &probs_p, labels: Some(&lp) })
            .expect("fit_score");
        for (i, &j) in perm.iter().enumerate() {
            // Thresholds are per-class means, whose summation order follows row order.
            prop_assert!((sp[i] - s[j]).abs() <= 1e-12, "row {}: {} vs {}", i, sp[i], s[j]);
        }
    }

    #[test]
    fn f32_inputs_are_close_to_f64(
        (x, k, grid) in features(),
        (p, y) in pred_probs(),
    ) {
        prop_assume!(!grid); // well-separated points: no precision-correction boundary
        let x32 = x.mapv(|v| v as f32);
        for metric in [Metric::Cosine, Metric::Euclidean] {
            let s64 = ood_features(&x, k, metric);
            let s32 = OutOfDistribution::new(OodOptions::default().k(k).metric(metric))
                .fit_score(OodData::Features(x32.view()))
                .expect("fit_score");
            for (a, b) in s32.iter().zip(&s64) {
                prop_assert!((a - b).abs() <= F32_FEATURE_TOL, "{metric}: {a} vs {b}");
            }
        }
        let p32 = p.mapv(|v| v as f32);
        let (l64, pr64) = validate(&y, p.view()).expect("valid");
        let (l32, pr32) = validate(&y, p32.view()).expect("valid");
        let s64 = OutOfDistribution::default()
            .fit_score(OodData::PredProbs { pred_probs: &pr64, labels: Some(&l64) })
            .expect("f64");
        let s32 = OutOfDistribution::default()
            .fit_score(OodData::PredProbs { pred_probs: &pr32, labels: Some(&l32) })
            .expect("f32");
        for (a, b) in s32.iter().zip(&s64) {
            prop_assert!((a - b).abs() <= F32_PROBS_TOL, "{a} vs {b}");
        }
    }

    #[test]
    fn shapley_values_are_in_unit_interval_and_permutation_equivariant(
        (x, k, grid) in features(),
        labels in proptest::collection::vec(0_u8..3, 40),
        seed in 0_u64..1000,
    ) {
        let n = x.nrows();
        let y = &labels[..n];
        let opts = DataShapleyOptions::default().k(k);
        let v = data_shapley_knn(y, ShapleyInput::Features(x.view()), &opts).expect("values");
        prop_assert!(v.iter().all(|s| (0.0..=1.0).contains(s)), "{v:?}");
        if !grid {
            // Without tied distances the graph, hence the values, follow the rows.
            let perm = permutation(n, seed);
            let xp = x.select(Axis(0), &perm);
            let yp: Vec<u8> = perm.iter().map(|&i| y[i]).collect();
            let vp = data_shapley_knn(&yp, ShapleyInput::Features(xp.view()), &opts)
                .expect("values");
            for (i, &j) in perm.iter().enumerate() {
                prop_assert_eq!(vp[i], v[j]);
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut rng = cl_core::rng::NumpyRng::new(3);
    let x = Array2::from_shape_fn((700, 12), |_| rng.standard_normal());
    let mut x_dup = x.clone();
    for i in 0..100 {
        let src = x.row(i % 5).to_owned(); // five groups of 21 exact copies
        x_dup.row_mut(600 + i).assign(&src);
    }
    let test = Array2::from_shape_fn((90, 12), |_| rng.standard_normal());
    let y: Vec<usize> = (0..700).map(|i| (i * 7 + i / 13) % 4).collect();
    let p = Array2::from_shape_fn((700, 4), |(i, j)| 0.05 + ((i * 31 + j * 17) % 23) as f64);
    let p = &p / &p.sum_axis(Axis(1)).insert_axis(Axis(1));
    let run = || {
        let mut ood = OutOfDistribution::default();
        let fit = ood.fit_score(OodData::Features(x_dup.view())).expect("fit");
        let score = ood.score(OodData::Features(test.view())).expect("score");
        let euc = ood_features(
            &x_dup.slice(ndarray::s![.., ..3]).to_owned(),
            10,
            Metric::Euclidean,
        );
        let (labels, probs) = validate(&y, p.view()).expect("valid");
        let pp = OutOfDistribution::default()
            .fit_score(OodData::PredProbs {
                pred_probs: &probs,
                labels: Some(&labels),
            })
            .expect("pp");
        let v = data_shapley_knn(
            &y,
            ShapleyInput::Features(x_dup.view()),
            &DataShapleyOptions::default(),
        )
        .expect("shapley");
        (fit, score, euc, pp, v)
    };
    let pool = |t| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("pool")
    };
    let one = pool(1).install(run);
    let three = pool(3).install(run);
    assert_eq!(one, three);
    assert_eq!(one.0.iter().filter(|&&s| s == 1.0).count(), 105); // duplicates score 1
}
