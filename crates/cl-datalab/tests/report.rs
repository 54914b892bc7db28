//! Snapshot of `report()` for a fixed dataset (the golden `small_scipy_euclidean` inputs).

use cl_datalab::{Datalab, FindIssuesInputs, ReportOptions};

fn audit() -> Datalab {
    let case = cl_golden::cases("datalab")
        .into_iter()
        .find(|c| c.name == "small_scipy_euclidean")
        .expect("case");
    let x = case.input("features").array2_f64();
    let p = case.input("pred_probs").array2_f64();
    let mut lab = Datalab::new(case.input("labels").vec_i64()).expect("labels");
    lab.find_issues(&FindIssuesInputs::new().features(&x).pred_probs(&p), None)
        .expect("find_issues");
    lab
}

fn check_snapshot(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "snapshot {} missing ({e}); run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(actual, expected, "report differs from {}", path.display());
}

#[test]
fn report_snapshot_default() {
    let text = audit().report(&ReportOptions::default()).expect("report");
    check_snapshot("report_default.txt", &text);
}

#[test]
fn report_snapshot_all_issues_with_scores() {
    let opts = ReportOptions::default()
        .show_all_issues(true)
        .show_summary_score(true)
        .verbosity(3)
        .num_examples(3);
    let text = audit().report(&opts).expect("report");
    check_snapshot("report_all.txt", &text);
}

#[test]
fn report_sections_in_order() {
    let text = audit().report(&ReportOptions::default()).expect("report");
    let pos = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("missing {s:?} in\n{text}"))
    };
    assert!(
        pos("Dataset Information: num_examples: 90, num_classes: 2") < pos("Here is a summary")
    );
    assert!(pos("Here is a summary") < pos("Learn about each issue"));
    assert!(pos("Learn about each issue") < pos("------ label issues ------"));
    assert!(text.contains("Examples representing most severe instances of this issue:"));
}

#[test]
fn report_without_checks() {
    let lab = Datalab::new(vec![0_i64, 1]).expect("labels");
    let text = lab.report(&ReportOptions::default()).expect("report");
    assert!(text.starts_with("Please specify some `issue_types`"));
}
