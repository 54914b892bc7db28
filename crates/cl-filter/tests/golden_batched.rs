//! Parity with cleanlab 2.9.0's `experimental.label_issues_batched` (`fixtures/golden/batched`):
//! `LabelInspector` thresholds, issue counts, scores and label issues, and
//! `find_label_issues_batched`, for several batch sizes, both issue-count methods,
//! self-confidence / normalized margin / adjusted scores, an absent class and f32 input.

#![allow(clippy::unwrap_used)]

use cl_core::Real;
use cl_filter::batched::{
    BatchedIssues, BatchedOptions, LabelInspector, NumIssuesMethod, find_label_issues_batched,
};
use cl_golden::{Case, REL_F64, assert_all_close, cases};
use cl_rank::{LabelQualityOptions, ScoreMethod};
use ndarray::{ArrayView2, s};

fn run<T: Real>(case: &Case, y: &[i64], p: ArrayView2<'_, T>, rel: f64) {
    let bs = case.param("batch_size").usize();
    let method = match case.param("method").str() {
        "off_diagonal" => NumIssuesMethod::OffDiagonal,
        _ => NumIssuesMethod::OffDiagonalCalibrated,
    };
    let quality = LabelQualityOptions::new(
        case.param("score_method")
            .str()
            .parse::<ScoreMethod>()
            .unwrap(),
    )
    .adjust_pred_probs(case.param("adjust_pred_probs").bool());
    let n = y.len();
    let mut li = LabelInspector::new(p.ncols())
        .quality_score_options(quality)
        .num_issues_method(method);
    assert!(li.get_confident_thresholds().is_err());
    assert!(li.get_num_issues().is_err());
    assert!(
        li.score_label_quality(&y[..1], p.slice(s![..1, ..]), true)
            .is_err()
    );
    for lo in (0..n).step_by(bs) {
        let hi = (lo + bs).min(n);
        li.update_confident_thresholds(&y[lo..hi], p.slice(s![lo..hi, ..]))
            .unwrap();
    }
    let ctx = &case.name;
    assert_all_close(
        li.get_confident_thresholds().unwrap(),
        &case.output("thresholds").vec_f64(),
        rel,
        ctx,
    );
    for lo in (0..n).step_by(bs) {
        let hi = (lo + bs).min(n);
        li.score_label_quality(&y[lo..hi], p.slice(s![lo..hi, ..]), true)
            .unwrap();
    }
    assert_eq!(
        li.get_num_issues().unwrap(),
        case.output("num_issues").usize(),
        "{ctx}"
    );
    if case.has("outputs", "scores") {
        assert_all_close(
            li.get_quality_scores().unwrap(),
            &case.output("scores").vec_f64(),
            rel,
            ctx,
        );
    }
    assert_eq!(
        li.get_label_issues().unwrap(),
        case.output("label_issues").vec_usize(),
        "{ctx}"
    );
    let opts = BatchedOptions::new(quality, method);
    let expected = case.output("batched").vec_usize();
    assert_eq!(
        find_label_issues_batched(y, p, bs, &opts, false).unwrap(),
        BatchedIssues::Indices(expected.clone()),
        "{ctx}"
    );
    let BatchedIssues::Mask(mask) = find_label_issues_batched(y, p, bs, &opts, true).unwrap()
    else {
        panic!("{ctx}: mask expected");
    };
    let from_mask: Vec<usize> = mask
        .iter()
        .enumerate()
        .filter_map(|(i, &m)| m.then_some(i))
        .collect();
    assert_eq!(from_mask, expected, "{ctx}");
}

#[test]
fn batched_matches_cleanlab() {
    let all = cases("batched");
    assert!(all.len() >= 20);
    for case in &all {
        let y = case.input("labels").vec_i64();
        if case.input("dtype").str() == "float32" {
            let p = case.input("pred_probs").array2_f32();
            run(case, &y, p.view(), 1e-6);
        } else {
            let p = case.input("pred_probs").array2_f64();
            run(case, &y, p.view(), REL_F64);
        }
    }
}

#[test]
fn store_results_false_and_shape_errors() {
    let p = ndarray::array![[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]];
    let y = [0_i64, 1, 1];
    let mut li = LabelInspector::new(2).store_results(false);
    li.update_confident_thresholds(&y, p.view()).unwrap();
    li.score_label_quality(&y, p.view(), true).unwrap();
    assert_eq!(li.get_num_issues().unwrap(), 0); // 0.6 < t_0 = 0.9
    assert!(li.get_quality_scores().is_err());
    assert!(li.get_label_issues().is_err());
    let mut li3 = LabelInspector::new(3);
    assert!(li3.update_confident_thresholds(&y, p.view()).is_err());
    // A class never seen ends at 2e-6 (cleanlab's quirk).
    let mut li = LabelInspector::new(2);
    li.update_confident_thresholds(&[0_i64], p.slice(s![..1, ..]))
        .unwrap();
    assert_eq!(li.get_confident_thresholds().unwrap()[1], 2e-6);
}

#[cfg(feature = "mmap")]
#[test]
fn npy_files_match_arrays() {
    use cl_filter::batched::find_label_issues_batched_npy;
    let case = cases("batched")
        .into_iter()
        .find(|c| c.name.starts_with("s2_"))
        .unwrap();
    let p = case.input("pred_probs").array2_f64();
    let y = case.input("labels").vec_i64();
    let dir = std::env::temp_dir().join(format!("cl_filter_batched_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (pf, lf) = (dir.join("p.npy"), dir.join("y.npy"));
    ndarray_npy::write_npy(&pf, &p).unwrap();
    ndarray_npy::write_npy(&lf, &ndarray::Array1::from(y.clone())).unwrap();
    let opts = BatchedOptions::default();
    let a = find_label_issues_batched(&y, p.view(), 300, &opts, false).unwrap();
    let b = find_label_issues_batched_npy(&lf, &pf, 300, &opts, false).unwrap();
    assert_eq!(a, b);
    std::fs::remove_dir_all(&dir).unwrap();
}
