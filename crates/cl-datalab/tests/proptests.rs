//! Invariants over random data.

use cl_datalab::{Datalab, FindIssuesInputs};
use ndarray::Array2;
use proptest::prelude::*;

fn data() -> impl Strategy<Value = (Vec<i64>, Vec<f64>, Vec<f64>)> {
    (30usize..60).prop_flat_map(|n| {
        (
            proptest::collection::vec(0i64..3, n),
            proptest::collection::vec(-3.0f64..3.0, n * 2),
            proptest::collection::vec(0.01f64..1.0, n * 3),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn audit_invariants((labels, x, p) in data()) {
        let n = labels.len();
        prop_assume!((0..3).filter(|c| labels.contains(c)).count() == 3);
        let x = Array2::from_shape_vec((n, 2), x).unwrap();
        let mut p = Array2::from_shape_vec((n, 3), p).unwrap();
        for mut row in p.rows_mut() {
            let s: f64 = row.sum();
            row.mapv_inplace(|v| v / s);
        }
        let mut lab = Datalab::new(labels.clone()).unwrap();
        lab.find_issues(&FindIssuesInputs::new().features(&x).pred_probs(&p), None).unwrap();
        // Every column has one row per example; scores in [0, 1]; counts match flags.
        for row in lab.issue_summary() {
            prop_assert!((0.0..=1.0).contains(&row.score));
            let flags = lab.issues().column(&format!("is_{}_issue", row.issue_type)).unwrap();
            let flags = flags.as_bool().unwrap();
            prop_assert_eq!(flags.len(), n);
            prop_assert_eq!(flags.iter().filter(|&&b| b).count(), row.num_issues);
            let scores = lab.issues().column(&format!("{}_score", row.issue_type)).unwrap();
            for &s in scores.as_f64().unwrap() {
                prop_assert!((0.0..=1.0).contains(&s), "{} score {}", row.issue_type, s);
            }
        }
        // Near-duplicate sets are symmetric and exactly the flagged examples.
        if let Ok(info) = lab.get_info("near_duplicate") {
            let sets: Vec<Vec<usize>> = serde_json::from_value(info["near_duplicate_sets"].clone()).unwrap();
            for (i, s) in sets.iter().enumerate() {
                for &j in s {
                    prop_assert!(sets[j].contains(&i));
                }
            }
        }
        // non_iid flags at most one example.
        prop_assert!(lab.get_issue_summary("non_iid").map_or(0, |r| r.num_issues) <= 1);
        // Save/load is lossless.
        let back = Datalab::from_json(&lab.to_json().unwrap()).unwrap();
        prop_assert_eq!(back, lab);
    }
}
