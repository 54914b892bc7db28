//! The `cleanlab demo` job: quality of the found issues, and identical results for every
//! thread count.

#![allow(clippy::unwrap_used)]

use cl_learn::demo::{DemoConfig, DemoResult, DemoTimings, dataset, run, run_default};

fn without_timings(mut r: DemoResult) -> DemoResult {
    r.timings = DemoTimings::default();
    r
}

#[test]
fn default_demo_finds_the_flipped_labels_identically_on_1_and_3_threads() {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let a = one.install(run_default).unwrap();
    let b = three.install(run_default).unwrap();
    assert_eq!(a.timings.threads, 1);
    assert_eq!(b.timings.threads, 3);
    eprintln!("{a}");
    assert!(a.precision >= 0.8, "precision {}", a.precision);
    assert!(a.recall >= 0.8, "recall {}", a.recall);
    assert!(
        a.num_flipped > 400 && a.num_flipped < 800,
        "{} flips",
        a.num_flipped
    );
    assert!(a.test_accuracy_clean >= a.test_accuracy_noisy - 0.01);
    assert_eq!(a.top_issues.len(), 10);
    assert!(
        a.top_issues
            .windows(2)
            .all(|w| w[0].label_quality <= w[1].label_quality)
    );
    assert_eq!(without_timings(a.clone()), without_timings(b));
    let report = a.to_string();
    assert!(report.contains("precision") && report.contains("Cleanlab Dataset Health Summary"));
}

#[test]
fn dataset_is_deterministic_and_noise_is_known() {
    let cfg = DemoConfig::default()
        .num_examples(500)
        .num_test_examples(100)
        .seed(7);
    let d1 = dataset(&cfg).unwrap();
    let d2 = dataset(&cfg).unwrap();
    assert_eq!(d1, d2);
    assert_eq!(d1.features.dim(), (500, 6));
    assert_eq!(d1.test_features.dim(), (100, 6));
    let flips = d1.flipped();
    assert!(!flips.is_empty());
    assert!(flips.iter().all(|&i| d1.labels[i] != d1.true_labels[i]));
    assert!((d1.noise_matrix.diag().sum() - 4.0).abs() < 1e-9);
    assert_ne!(dataset(&cfg.clone().seed(8)).unwrap().labels, d1.labels);
}

#[test]
fn small_demo_and_bad_configs() {
    let r = run(&DemoConfig::default()
        .num_examples(400)
        .num_classes(3)
        .top_k(3))
    .unwrap();
    assert_eq!(r.top_issues.len(), 3);
    assert_eq!(r.class_names, vec!["apple", "banana", "cherry"]);
    assert!(run(&DemoConfig::default().num_classes(1)).is_err());
    assert!(run(&DemoConfig::default().noise_rate(0.9)).is_err());
    assert!(run(&DemoConfig::default().num_examples(10)).is_err());
}
