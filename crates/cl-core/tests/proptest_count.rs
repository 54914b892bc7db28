//! Property tests of the counting core: invariants of calibration and latent estimates,
//! threshold bounds, streaming accumulators equal to the in-memory functions for any
//! chunking, and results independent of the thread count.

// Test helpers panic with context on any mismatch; that is their job.
#![allow(clippy::unwrap_used)]

use cl_core::count::{
    self, ConfidentJointAccumulator, ConfidentJointOptions, EstimationMethod, ThresholdAccumulator,
};
use cl_core::input::{Labels, PredProbs};
use cl_core::latent::PyMethod;
use cl_core::util::round_preserving_sum;
use ndarray::{Array2, s};
use proptest::prelude::*;

/// (pred_probs N×K with values in [0, 1], labels in 0..K).
fn data(max_n: usize, max_k: usize) -> impl Strategy<Value = (Array2<f64>, Vec<usize>)> {
    (1usize..max_n, 2usize..max_k).prop_flat_map(|(n, k)| {
        (
            prop::collection::vec(0.0f64..=1.0, n * k),
            prop::collection::vec(0usize..k, n),
        )
            .prop_map(move |(v, y)| (Array2::from_shape_vec((n, k), v).unwrap(), y))
    })
}

/// Same, with every class present (labels start with 0..K).
fn data_all_classes() -> impl Strategy<Value = (Array2<f64>, Vec<usize>)> {
    data(200, 7)
        .prop_filter("needs N >= K", |(p, _)| p.nrows() >= p.ncols())
        .prop_map(|(p, mut y)| {
            for (k, slot) in y.iter_mut().take(p.ncols()).enumerate() {
                *slot = k;
            }
            (p, y)
        })
}

fn column_sums(m: &Array2<f64>) -> Vec<f64> {
    m.columns().into_iter().map(|c| c.sum()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn calibrated_joint_matches_counts((p, y) in data(200, 7)) {
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, p.ncols()).unwrap();
        let cj = count::compute_confident_joint(&labels, &probs, &ConfidentJointOptions::default())
            .unwrap()
            .joint;
        prop_assert_eq!(cj.sum(), y.len() as i64);
        for (row, &n) in cj.rows().into_iter().zip(labels.class_counts()) {
            prop_assert_eq!(row.sum(), n as i64);
            prop_assert!(row.iter().all(|&v| v >= 0));
        }
        let raw = count::compute_confident_joint(
            &labels,
            &probs,
            &ConfidentJointOptions::default().calibrate(false),
        )
        .unwrap()
        .joint;
        prop_assert!(raw.diag().iter().all(|&d| d >= 1));
        prop_assert!(raw.sum() <= y.len() as i64 + p.ncols() as i64);
    }

    #[test]
    fn thresholds_are_bounded((p, y) in data(200, 7)) {
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, p.ncols()).unwrap();
        let t = count::get_confident_thresholds(&labels, &probs).unwrap();
        for (k, &tk) in t.iter().enumerate() {
            if labels.class_counts()[k] == 0 {
                prop_assert_eq!(tk, 2.0);
            } else {
                prop_assert!((2e-6..=1.0).contains(&tk), "t[{}] = {}", k, tk);
            }
        }
    }

    #[test]
    fn latent_estimates_are_stochastic(
        (p, y) in data_all_classes(),
        method in prop::sample::select(vec![PyMethod::Cnt, PyMethod::Marginal, PyMethod::MarginalPs]),
        converge in any::<bool>(),
    ) {
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, p.ncols()).unwrap();
        let cj = count::compute_confident_joint(&labels, &probs, &ConfidentJointOptions::default())
            .unwrap()
            .joint;
        let est = count::estimate_latent(cj.view(), &labels, method, converge).unwrap();
        prop_assert!((est.py.sum() - 1.0).abs() < 1e-12);
        prop_assert!(est.py.iter().all(|&v| v > 0.0));
        for s in column_sums(&est.inverse_noise_matrix) {
            prop_assert!((s - 1.0).abs() < 1e-12, "inverse noise column sum {}", s);
        }
        for (j, s) in column_sums(&est.noise_matrix).into_iter().enumerate() {
            // A class never guessed as true has an all-zero column.
            let guessed = cj.column(j).sum() > 0;
            prop_assert!(!guessed || (s - 1.0).abs() < 1e-12, "noise column {} sum {}", j, s);
        }
        prop_assert!(est.noise_matrix.iter().chain(&est.inverse_noise_matrix).all(|&v| v >= 0.0));
    }

    #[test]
    fn accumulators_equal_in_memory(
        (p, y) in data(300, 6),
        chunk in 1usize..64,
        reverse in any::<bool>(),
        single in any::<bool>(),
    ) {
        let k = p.ncols();
        let n = y.len();
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, k).unwrap();
        let t = count::get_confident_thresholds(&labels, &probs).unwrap();
        let want = count::compute_confident_joint(
            &labels,
            &probs,
            &ConfidentJointOptions::default().calibrate(false).return_indices_of_off_diagonals(true),
        )
        .unwrap();
        let want_cal = count::compute_confident_joint(&labels, &probs, &ConfidentJointOptions::default()).unwrap();

        let p32 = p.mapv(|v| v as f32);
        let mut tparts = Vec::new();
        let mut jparts = Vec::new();
        let mut single_t = ThresholdAccumulator::new(k);
        let mut single_j = ConfidentJointAccumulator::new(&t, true).unwrap();
        for lo in (0..n).step_by(chunk) {
            let hi = (lo + chunk).min(n);
            let ly = Labels::from_usize(&y[lo..hi], k).unwrap();
            let lp = PredProbs::new(p.slice(s![lo..hi, ..])).unwrap();
            if single {
                // One accumulator fed chunk after chunk.
                single_t.update(&ly, &lp).unwrap();
                single_j.update(&ly, &lp).unwrap();
            }
            let mut ta = ThresholdAccumulator::new(k);
            ta.update(&ly, &lp).unwrap();
            tparts.push(ta);
            let mut ja = ConfidentJointAccumulator::new(&t, true)
                .unwrap()
                .starting_at(lo);
            ja.update(&ly, &lp).unwrap();
            jparts.push(ja);
        }
        if reverse {
            tparts.reverse();
            jparts.reverse();
        }
        let mut ta = ThresholdAccumulator::new(k);
        for part in tparts {
            ta = ta.merge(part).unwrap();
        }
        let mut ja = ConfidentJointAccumulator::new(&t, true).unwrap();
        for part in jparts {
            ja = ja.merge(part).unwrap();
        }
        let streamed_t = if single { single_t.finish() } else { ta.finish() };
        for (a, b) in streamed_t.iter().zip(&t) {
            prop_assert!((a - b).abs() <= 1e-12 * b.abs(), "threshold {} vs {}", a, b);
        }
        let acc = if single { single_j } else { ja };
        prop_assert_eq!(acc.num_rows(), n);
        prop_assert_eq!(&acc.clone().finish(false).unwrap(), &want);
        prop_assert_eq!(acc.finish(true).unwrap().joint, want_cal.joint);

        // f32 input through the accumulator gives the same as f32 in memory.
        let probs32 = PredProbs::new(p32.view()).unwrap();
        let t32 = count::get_confident_thresholds(&labels, &probs32).unwrap();
        let mut ja32 = ConfidentJointAccumulator::new(&t32, false).unwrap();
        ja32.update(&labels, &probs32).unwrap();
        let mem32 = count::compute_confident_joint(&labels, &probs32, &ConfidentJointOptions::default()).unwrap();
        prop_assert_eq!(ja32.finish(true).unwrap().joint, mem32.joint);
    }

    #[test]
    fn issue_counts_are_bounded((p, y) in data(200, 6)) {
        let k = p.ncols();
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, k).unwrap();
        let res = count::num_label_issues(&labels, &probs, &EstimationMethod::OffDiagonal);
        if labels.num_present_classes() < 2 {
            prop_assert!(res.is_err());
        } else {
            let off = count::compute_confident_joint(
                &labels,
                &probs,
                &ConfidentJointOptions::default().calibrate(false).return_indices_of_off_diagonals(true),
            )
            .unwrap()
            .off_diagonal_indices
            .unwrap();
            prop_assert!(res.unwrap() <= off.len());
            let cal = count::num_label_issues(&labels, &probs, &EstimationMethod::OffDiagonalCalibrated)
                .unwrap();
            prop_assert!(cal <= y.len());
        }
    }

    #[test]
    fn rounding_preserves_the_rounded_sum(v in prop::collection::vec(-50.0f64..50.0, 0..40)) {
        let r = round_preserving_sum(&v).unwrap();
        let want = v.iter().sum::<f64>().round_ties_even();
        let got: i64 = r.iter().sum();
        // The pairwise and the naive sum can only disagree on which side of .5 they fall.
        prop_assert!((got as f64 - want).abs() <= 1.0);
        for (x, i) in v.iter().zip(&r) {
            prop_assert!((x - *i as f64).abs() < 1.5);
        }
    }
}

proptest! {
    // Multi-chunk inputs (more than one 8192-row chunk) are larger; fewer cases.
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn one_thread_equals_many(n in 8193usize..20000, k in 2usize..5, seed in any::<u64>()) {
        // A cheap deterministic generator keeps the strategy small for large N.
        let mut state = seed | 1;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let p = Array2::from_shape_fn((n, k), |_| next());
        let y: Vec<usize> = (0..n).map(|_| (next() * k as f64) as usize % k).collect();
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, k).unwrap();
        let run = || {
            let t = count::get_confident_thresholds(&labels, &probs).unwrap();
            let cj = count::compute_confident_joint(
                &labels,
                &probs,
                &ConfidentJointOptions::default().return_indices_of_off_diagonals(true),
            )
            .unwrap();
            let issues = count::num_label_issues(&labels, &probs, &EstimationMethod::OffDiagonal).unwrap();
            (t, cj, issues)
        };
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(run);
        let many = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap().install(run);
        prop_assert_eq!(one, many);
    }
}
