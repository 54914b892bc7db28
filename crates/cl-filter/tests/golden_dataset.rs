//! Parity with cleanlab 2.9.0's `cleanlab.dataset` (`fixtures/golden/dataset`).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::collections::BTreeSet;

use cl_core::input::{Labels, PredProbs};
use cl_filter::dataset::{
    ClassOverlap, DatasetJoint, find_overlapping_classes, health_summary,
    overall_label_health_score, rank_classes_by_label_quality,
};
use cl_golden::{Case, REL_F64, assert_all_close, assert_array2_close, assert_close, cases};

fn check_rank(case: &Case, prefix: &str, joint: &DatasetJoint) {
    let got = rank_classes_by_label_quality(joint);
    let col = |c: &str| case.output(&format!("{prefix}__{c}"));
    assert_eq!(
        got.iter().map(|r| r.class_index).collect::<Vec<_>>(),
        col("Class Index").vec_usize(),
        "{}",
        case.name
    );
    assert_eq!(
        got.iter().map(|r| r.label_issues).collect::<Vec<_>>(),
        col("Label Issues").vec_i64()
    );
    assert_eq!(
        got.iter()
            .map(|r| r.inverse_label_issues)
            .collect::<Vec<_>>(),
        col("Inverse Label Issues").vec_i64()
    );
    let f = |g: fn(&cl_filter::dataset::ClassLabelQuality) -> f64| {
        got.iter().map(g).collect::<Vec<_>>()
    };
    assert_all_close(
        &f(|r| r.label_noise),
        &col("Label Noise").vec_f64(),
        REL_F64,
        "label noise",
    );
    assert_all_close(
        &f(|r| r.inverse_label_noise),
        &col("Inverse Label Noise").vec_f64(),
        REL_F64,
        "inv noise",
    );
    assert_all_close(
        &f(|r| r.label_quality_score),
        &col("Label Quality Score").vec_f64(),
        REL_F64,
        "lqs",
    );
}

/// Compares the overlap tables; rows with equal probability are compared as sets, since
/// cleanlab's order among them depends on numpy's unstable sort.
fn check_overlap(case: &Case, prefix: &str, got: &[ClassOverlap]) {
    let col = |c: &str| case.output(&format!("{prefix}__{c}"));
    let a = col("Class Index A").vec_usize();
    let b = col("Class Index B").vec_usize();
    let num = col("Num Overlapping Examples").vec_i64();
    let prob = col("Joint Probability").vec_f64();
    assert_eq!(got.len(), a.len(), "{} {prefix}", case.name);
    assert_all_close(
        &got.iter().map(|r| r.joint_probability).collect::<Vec<_>>(),
        &prob,
        REL_F64,
        &format!("{} {prefix}", case.name),
    );
    let mut start = 0;
    while start < prob.len() {
        let mut end = start + 1;
        while end < prob.len() && (prob[end] - prob[start]).abs() <= 1e-12 {
            end += 1;
        }
        let exp: BTreeSet<_> = (start..end).map(|i| (a[i], b[i], num[i])).collect();
        let act: BTreeSet<_> = got[start..end]
            .iter()
            .map(|r| (r.class_a, r.class_b, r.num_overlapping_examples))
            .collect();
        assert_eq!(act, exp, "{} {prefix} rows {start}..{end}", case.name);
        start = end;
    }
}

#[test]
fn dataset_functions_match_cleanlab() {
    for case in cases("dataset") {
        let p = case.input("pred_probs").array2_f64();
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::new(&case.input("labels").vec_i64(), p.ncols()).unwrap();
        let n = labels.len();

        let from_data = DatasetJoint::from_data(&labels, &probs).unwrap();
        assert_array2_close(
            &from_data.joint,
            &case.output("joint").array2_f64(),
            REL_F64,
            "joint",
        );
        check_rank(&case, "rank", &from_data);
        check_overlap(
            &case,
            "overlap_sym",
            &find_overlapping_classes(&from_data, false),
        );
        check_overlap(
            &case,
            "overlap_asym",
            &find_overlapping_classes(&from_data, true),
        );
        assert_close(
            overall_label_health_score(&from_data),
            case.output("health_score").f64(),
            REL_F64,
            "health",
        );

        let from_joint =
            DatasetJoint::from_joint(case.output("joint").array2_f64().view(), n).unwrap();
        check_rank(&case, "rank_from_joint", &from_joint);
        assert_close(
            overall_label_health_score(&from_joint),
            case.output("health_score_from_joint").f64(),
            REL_F64,
            "health from joint",
        );

        let cj = case.output("confident_joint").array2_i64();
        let from_cj = DatasetJoint::from_confident_joint(cj.view()).unwrap();
        check_overlap(
            &case,
            "overlap_from_cj",
            &find_overlapping_classes(&from_cj, false),
        );
        assert_close(
            overall_label_health_score(&from_cj),
            case.output("health_score_from_cj").f64(),
            REL_F64,
            "health from cj",
        );
        // cleanlab cannot rank classes from a confident joint alone (quirk); we can, and
        // the result equals ranking from the same joint with N = the joint's total.
        assert!(
            case.output("rank_from_cj_error")
                .str()
                .starts_with("ValueError")
        );
        assert_eq!(from_cj.num_examples, n);
        let via_joint = DatasetJoint::from_joint(from_cj.joint.view(), n).unwrap();
        assert_eq!(
            rank_classes_by_label_quality(&from_cj),
            rank_classes_by_label_quality(&via_joint)
        );

        let summary = health_summary(&from_data, None, false).unwrap();
        assert_eq!(
            summary.classes_by_label_quality,
            rank_classes_by_label_quality(&from_data)
        );
        let text = summary.to_string();
        assert!(text.contains("Generating a Cleanlab Dataset Health Summary"));
        assert!(text.contains(&format!(
            "The overall label health score for this dataset is: {:.2}.",
            summary.overall_label_health_score
        )));
    }
}
