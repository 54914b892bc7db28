//! Invariants of the folds, the models and cross-validation on random inputs.

#![allow(clippy::unwrap_used)]

use cl_core::traits::{FittedClassifier, ProbabilisticClassifier};
use cl_learn::cv::{CvOptions, estimate_cv_predicted_probabilities};
use cl_learn::models::{GaussianNB, LogisticRegression};
use cl_learn::{LearnError, StratifiedKFold};
use ndarray::Array2;
use proptest::prelude::*;

fn labels_strategy() -> impl Strategy<Value = Vec<usize>> {
    (2usize..6).prop_flat_map(|k| prop::collection::vec(0..k, 10..150))
}

/// Features that depend on the label plus a deterministic pseudo-random part.
fn features(labels: &[usize], seed: u64) -> Array2<f64> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    Array2::from_shape_fn((labels.len(), 3), |(i, j)| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        labels[i] as f64 * (j as f64 + 0.5) + 2.0 * u
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn folds_partition_and_stratify(labels in labels_strategy(), n_splits in 2usize..7, seed in any::<u32>()) {
        let skf = StratifiedKFold::new(n_splits).unwrap().seed(Some(seed));
        let k = labels.iter().copied().max().unwrap() + 1;
        let mut counts = vec![0usize; k];
        for &y in &labels {
            counts[y] += 1;
        }
        match skf.test_folds(&labels) {
            Err(LearnError::TooFewMembers { .. }) => {
                prop_assert!(counts.iter().all(|&c| c < n_splits));
            }
            Err(LearnError::MoreSplitsThanSamples { .. }) => prop_assert!(labels.len() < n_splits),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
            Ok(folds) => {
                prop_assert_eq!(folds.test_fold.len(), labels.len());
                prop_assert!(folds.test_fold.iter().all(|&f| f < n_splits));
                // Each example is in exactly one test set and in every other training set.
                for f in 0..n_splits {
                    let (train, test) = folds.split(f);
                    prop_assert_eq!(train.len() + test.len(), labels.len());
                    prop_assert!(test.iter().all(|i| train.binary_search(i).is_err()));
                }
                // Per class, fold counts differ by at most one.
                for (c, &count) in counts.iter().enumerate() {
                    if count == 0 {
                        continue;
                    }
                    let per_fold: Vec<usize> = (0..n_splits)
                        .map(|f| (0..labels.len()).filter(|&i| labels[i] == c && folds.test_fold[i] == f).count())
                        .collect();
                    let (lo, hi) = (per_fold.iter().min().unwrap(), per_fold.iter().max().unwrap());
                    prop_assert!(hi - lo <= 1, "class {c}: {per_fold:?}");
                }
                // Deterministic for a seed.
                prop_assert_eq!(skf.test_folds(&labels).unwrap(), folds);
            }
        }
    }

    #[test]
    fn model_probabilities_are_distributions(labels in labels_strategy(), seed in any::<u64>()) {
        let x = features(&labels, seed);
        let k = labels.iter().copied().max().unwrap() + 2; // one class never seen
        let nb = GaussianNB::default().fit(x.view(), &labels, k, None).unwrap();
        let p = nb.predict_proba(x.view()).unwrap();
        prop_assert_eq!(p.dim(), (labels.len(), k));
        for row in p.rows() {
            prop_assert!((row.sum() - 1.0).abs() < 1e-9);
            prop_assert!(row.iter().all(|&v| (0.0..=1.0).contains(&v)));
            prop_assert_eq!(row[k - 1], 0.0);
        }
        let present = labels.iter().collect::<std::collections::BTreeSet<_>>().len();
        let lr = LogisticRegression::default().fit(x.view(), &labels, k, None);
        if present < 2 {
            prop_assert!(lr.is_err());
        } else {
            let p = lr.unwrap().predict_proba(x.view()).unwrap();
            for row in p.rows() {
                prop_assert!((row.sum() - 1.0).abs() < 1e-9);
                prop_assert_eq!(row[k - 1], 0.0);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn cross_validation_is_identical_for_1_and_3_threads(labels in labels_strategy(), seed in any::<u32>()) {
        let k = labels.iter().copied().max().unwrap() + 1;
        let mut present = vec![false; k];
        for &y in &labels {
            present[y] = true;
        }
        prop_assume!(present.iter().all(|&p| p));
        let x = features(&labels, u64::from(seed));
        let opts = CvOptions::default().cv_n_folds(3).seed(Some(seed));
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let nb = GaussianNB::default();
        let lr = LogisticRegression::default();
        let run_nb = || estimate_cv_predicted_probabilities(x.view(), &labels, &nb, &opts);
        let run_lr = || estimate_cv_predicted_probabilities(x.view(), &labels, &lr, &opts);
        let (a, b) = (one.install(run_nb), three.install(run_nb));
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a, &b);
                for row in a.pred_probs.rows() {
                    prop_assert!((row.sum() - 1.0).abs() < 1e-9);
                }
                prop_assert_eq!(one.install(run_lr).unwrap(), three.install(run_lr).unwrap());
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }
}
