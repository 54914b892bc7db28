//! Invariants over random data.

use cl_datalab::{Datalab, FindIssuesInputs, IssueTypes};
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

/// All eight built-in types (data_valuation is opt-in), default parameters.
fn all_types() -> IssueTypes {
    let json: serde_json::Map<String, serde_json::Value> = Datalab::list_possible_issue_types()
        .iter()
        .map(|t| ((*t).to_owned(), serde_json::json!({})))
        .collect();
    IssueTypes::from_json_str(&serde_json::Value::Object(json).to_string()).expect("all types")
}

fn scores(lab: &Datalab, t: &str) -> Vec<f64> {
    lab.issues()
        .column(&format!("{t}_score"))
        .and_then(|c| c.as_f64())
        .expect("score column")
        .to_vec()
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
        lab.find_issues(&FindIssuesInputs::new().features(&x).pred_probs(&p), Some(all_types())).unwrap();
        prop_assert!(lab.issue_summary().len() >= 6, "{:?}", lab.failures());
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
        // Outlier and data-valuation scores follow a permutation of the rows (reversal).
        let rev = |a: &Array2<f64>| a.slice(ndarray::s![..;-1, ..]).to_owned();
        let (xr, pr) = (rev(&x), rev(&p));
        let labels_r: Vec<i64> = labels.iter().rev().copied().collect();
        let mut lab_r = Datalab::new(labels_r).unwrap();
        lab_r.find_issues(&FindIssuesInputs::new().features(&xr).pred_probs(&pr), Some(all_types())).unwrap();
        for t in ["outlier", "data_valuation"] {
            let (a, b) = (scores(&lab, t), scores(&lab_r, t));
            for i in 0..n {
                prop_assert!((a[i] - b[n - 1 - i]).abs() <= 1e-12, "{} row {}: {} vs {}", t, i, a[i], b[n - 1 - i]);
            }
        }
        // Save/load is lossless.
        let back = Datalab::from_json(&lab.to_json().unwrap()).unwrap();
        prop_assert_eq!(back, lab);
    }
}
