//! Invariants of `find_label_issues` and the quality scores on random data: scores in
//! [0, 1], permutation equivariance, ranking = a permutation of the flagged set, flag counts
//! consistent with the prune counts, and identical results for every thread count.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use cl_core::input::{Labels, PredProbs};
use cl_filter::{FilterBy, FilterOptions, find_label_issues, find_label_issues_ranked};
use cl_rank::{LabelQualityOptions, ScoreMethod, get_label_quality_scores};
use ndarray::Array2;
use proptest::prelude::*;

/// Random row-stochastic pred_probs and labels (label = argmax or a random class).
fn dataset() -> impl Strategy<Value = (Array2<f64>, Vec<usize>)> {
    (2usize..6, 4usize..120).prop_flat_map(|(k, n)| {
        (
            proptest::collection::vec(0.001f64..1.0, n * k),
            proptest::collection::vec(0usize..k, n),
            proptest::collection::vec(proptest::bool::weighted(0.25), n),
        )
            .prop_map(move |(raw, random_labels, flip)| {
                let mut p = Array2::from_shape_vec((n, k), raw).unwrap();
                for mut row in p.rows_mut() {
                    let s: f64 = row.sum();
                    row.mapv_inplace(|v| v / s);
                }
                let labels = (0..n)
                    .map(|i| {
                        if flip[i] {
                            random_labels[i]
                        } else {
                            cl_core::numerics::argmax(p.row(i).iter().copied()).unwrap()
                        }
                    })
                    .collect();
                (p, labels)
            })
    })
}

fn has_two_classes(labels: &[usize]) -> bool {
    labels.iter().any(|&l| l != labels[0])
}

const METHODS: [ScoreMethod; 3] = [
    ScoreMethod::SelfConfidence,
    ScoreMethod::NormalizedMargin,
    ScoreMethod::ConfidenceWeightedEntropy,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scores_are_in_unit_interval((p, y) in dataset()) {
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, p.ncols()).unwrap();
        for m in METHODS {
            for adjust in [false, true] {
                if adjust && m == ScoreMethod::ConfidenceWeightedEntropy {
                    continue;
                }
                let s = get_label_quality_scores(&labels, &probs, &LabelQualityOptions::new(m).adjust_pred_probs(adjust)).unwrap();
                prop_assert_eq!(s.len(), y.len());
                for v in s {
                    prop_assert!((-1e-12..=1.0 + 1e-12).contains(&v), "{m:?} adjust={adjust}: {v}");
                }
            }
        }
    }

    #[test]
    fn ranking_is_a_permutation_of_the_flagged_set((p, y) in dataset()) {
        prop_assume!(has_two_classes(&y));
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, p.ncols()).unwrap();
        for f in FilterBy::ALL {
            let opts = FilterOptions::default().filter_by(f);
            let mask = find_label_issues(&labels, &probs, &opts).unwrap();
            for m in METHODS {
                let ranked = find_label_issues_ranked(&labels, &probs, &opts, &LabelQualityOptions::new(m)).unwrap();
                let mut sorted = ranked.clone();
                sorted.sort_unstable();
                let flagged: Vec<usize> = (0..y.len()).filter(|&i| mask[i]).collect();
                prop_assert_eq!(sorted, flagged);
                // Ordered by non-decreasing score.
                let s = get_label_quality_scores(&labels, &probs, &LabelQualityOptions::new(m)).unwrap();
                prop_assert!(ranked.windows(2).all(|w| s[w[0]] <= s[w[1]]));
            }
        }
    }

    #[test]
    fn flags_are_bounded_by_prune_counts((p, y) in dataset()) {
        prop_assume!(has_two_classes(&y));
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, p.ncols()).unwrap();
        let cj = cl_core::count::compute_confident_joint(&labels, &probs, &cl_core::count::ConfidentJointOptions::default()).unwrap().joint;
        let counts = cl_filter::keep_at_least_n_per_class(cj.t(), 1, 1.0);
        let k = p.ncols();
        let by_class = |mask: &[bool], c: usize| (0..y.len()).filter(|&i| mask[i] && y[i] == c).count() as i64;
        let pbc = find_label_issues(&labels, &probs, &FilterOptions::default().filter_by(FilterBy::PruneByClass)).unwrap();
        let pbnr = find_label_issues(&labels, &probs, &FilterOptions::default()).unwrap();
        let both = find_label_issues(&labels, &probs, &FilterOptions::default().filter_by(FilterBy::Both)).unwrap();
        let cl = find_label_issues(&labels, &probs, &FilterOptions::default().filter_by(FilterBy::ConfidentLearning)).unwrap();
        for c in 0..k {
            let n_c = labels.class_counts()[c] as i64;
            prop_assert!(by_class(&pbc, c) <= (n_c - counts[[c, c]]).max(0));
            let off: i64 = (0..k).filter(|&j| j != c).map(|j| counts[[j, c]]).sum();
            prop_assert!(by_class(&pbnr, c) <= off);
        }
        // both = intersection of the two pruning filters (before reduction, which they share).
        for i in 0..y.len() {
            prop_assert_eq!(both[i], pbc[i] && pbnr[i]);
            // Nothing flagged where the model agrees with the label.
            if cl_core::count::agrees_with_label(p.row(i), y[i]) {
                prop_assert!(!pbnr[i] && !pbc[i] && !cl[i]);
            }
        }
    }

    #[test]
    fn permuting_rows_permutes_the_result((p, y) in dataset(), seed in any::<u32>()) {
        prop_assume!(has_two_classes(&y));
        let n = y.len();
        let perm = cl_core::rng::NumpyRng::new(seed).permutation(n);
        let p2 = Array2::from_shape_fn(p.dim(), |(i, k)| p[[perm[i], k]]);
        let y2: Vec<usize> = perm.iter().map(|&i| y[i]).collect();
        let run = |p: &Array2<f64>, y: &[usize], f: FilterBy| {
            let probs = PredProbs::new(p.view()).unwrap();
            let labels = Labels::from_usize(y, p.ncols()).unwrap();
            find_label_issues(&labels, &probs, &FilterOptions::default().filter_by(f)).unwrap()
        };
        // Filters whose selection has no cut inside ties on tie-free data.
        for f in [FilterBy::PruneByNoiseRate, FilterBy::PruneByClass, FilterBy::Both, FilterBy::ConfidentLearning, FilterBy::PredictedNeqGiven] {
            let a = run(&p, &y, f);
            let b = run(&p2, &y2, f);
            for i in 0..n {
                prop_assert_eq!(b[i], a[perm[i]], "{:?} row {}", f, i);
            }
        }
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, p.ncols()).unwrap();
        let probs2 = PredProbs::new(p2.view()).unwrap();
        let labels2 = Labels::from_usize(&y2, p.ncols()).unwrap();
        for m in METHODS {
            let s = get_label_quality_scores(&labels, &probs, &LabelQualityOptions::new(m)).unwrap();
            let s2 = get_label_quality_scores(&labels2, &probs2, &LabelQualityOptions::new(m)).unwrap();
            for i in 0..n {
                prop_assert_eq!(s2[i], s[perm[i]]);
            }
        }
    }
}

#[test]
fn results_are_identical_for_every_thread_count() {
    let mut rng = cl_core::rng::NumpyRng::new(7);
    let (n, k) = (30_000, 7);
    let mut p = Array2::from_shape_fn((n, k), |_| rng.random_sample() + 1e-3);
    for mut row in p.rows_mut() {
        let s: f64 = row.sum();
        row.mapv_inplace(|v| v / s);
    }
    let y: Vec<usize> = (0..n)
        .map(|i| {
            if rng.random_sample() < 0.2 {
                rng.randint(0, k as i64).unwrap() as usize
            } else {
                cl_core::numerics::argmax(p.row(i).iter().copied()).unwrap()
            }
        })
        .collect();
    let run = || {
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::from_usize(&y, k).unwrap();
        let masks: Vec<Vec<bool>> = FilterBy::ALL
            .iter()
            .map(|&f| {
                find_label_issues(&labels, &probs, &FilterOptions::default().filter_by(f)).unwrap()
            })
            .collect();
        let ranked = find_label_issues_ranked(
            &labels,
            &probs,
            &FilterOptions::default(),
            &LabelQualityOptions::default(),
        )
        .unwrap();
        let scores: Vec<Vec<f64>> = METHODS
            .iter()
            .map(|&m| {
                get_label_quality_scores(&labels, &probs, &LabelQualityOptions::new(m)).unwrap()
            })
            .collect();
        (masks, ranked, scores)
    };
    let reference = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(run);
    assert!(
        reference.0[0].iter().any(|&m| m),
        "nothing flagged: test data too clean"
    );
    for threads in [2, 3, 8] {
        let got = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(run);
        assert!(got == reference, "results differ with {threads} threads");
    }
}
