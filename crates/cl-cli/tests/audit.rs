//! `cleanlab audit`: the CLI against cl-datalab (and so against cleanlab's Datalab, via the
//! golden inputs).

mod common;

use cl_datalab::{Datalab, FindIssuesInputs, IssueTypes, RawLabels};
use common::{TempDir, run, s, write_csv_matrix};
use ndarray::Array2;

struct Golden {
    labels: Vec<String>,
    features: Array2<f64>,
    pred_probs: Array2<f64>,
}

fn golden(name: &str) -> Golden {
    let case = cl_golden::cases("datalab")
        .into_iter()
        .find(|c| c.name == name)
        .expect("case");
    let labels = case
        .input("labels")
        .raw()
        .as_array()
        .expect("labels")
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect();
    Golden {
        labels,
        features: case.input("features").array2_f64(),
        pred_probs: case.input("pred_probs").array2_f64(),
    }
}

fn write_labels(path: &std::path::Path, labels: &[String]) {
    let mut text = String::from("label\n");
    for l in labels {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(path, text).expect("write labels");
}

/// Writes `labels.csv`, `features.csv` (with a header row if `feature_header`) and
/// `probs.csv` (with a header row) into `dir`; returns their paths.
fn write_csv_inputs(
    dir: &TempDir,
    g: &Golden,
    feature_header: bool,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let (labels, feats, probs) = (
        dir.path("labels.csv"),
        dir.path("features.csv"),
        dir.path("probs.csv"),
    );
    write_labels(&labels, &g.labels);
    write_csv_matrix(&feats, &g.features, feature_header);
    write_csv_matrix(&probs, &g.pred_probs, true);
    (labels, feats, probs)
}

fn library(g: &Golden, types: Option<IssueTypes>) -> Datalab {
    let raw = if g.labels.iter().all(|l| l.parse::<i64>().is_ok()) {
        RawLabels::Int(g.labels.iter().map(|l| l.parse().expect("int")).collect())
    } else {
        RawLabels::from(g.labels.clone())
    };
    let mut lab = Datalab::new(raw).expect("labels");
    lab.find_issues(
        &FindIssuesInputs::new()
            .features(&g.features)
            .pred_probs(&g.pred_probs),
        types,
    )
    .expect("find_issues");
    lab
}

#[test]
fn audit_csv_and_json_match_the_library_with_string_labels() {
    let g = golden("strings_rare_euclidean");
    let dir = TempDir::new("audit");
    let (labels, feats, probs) = write_csv_inputs(&dir, &g, false);
    let out = dir.path("issues.csv");
    let r = run(&[
        "audit",
        "--labels",
        s(&labels),
        "--features",
        s(&feats),
        "--pred-probs",
        s(&probs),
        "--output",
        s(&out),
        "--format",
        "json",
    ]);
    let v = r.json();
    let lab = library(&g, None);
    assert_eq!(v["num_examples"], 300);
    let rows = v["issue_summary"].as_array().expect("summary");
    assert_eq!(rows.len(), lab.issue_summary().len());
    for (row, ours) in rows.iter().zip(lab.issue_summary()) {
        assert_eq!(row["issue_type"], ours.issue_type.as_str());
        assert_eq!(row["num_issues"], ours.num_issues);
        assert_eq!(row["score"].as_f64(), Some(ours.score));
    }
    let csv = std::fs::read_to_string(&out).expect("csv");
    assert_eq!(csv, lab.issues().to_csv());
    let header = csv.lines().next().expect("header");
    assert!(header.starts_with("is_null_issue,null_score,is_label_issue,label_score,"));
    assert_eq!(csv.lines().count(), 301);
}

#[test]
fn audit_approximate_probing_every_cell_equals_the_exact_audit() {
    let g = golden("strings_rare_euclidean");
    let dir = TempDir::new("audit-approx");
    let (labels, feats, probs) = write_csv_inputs(&dir, &g, false);
    let out = dir.path("issues.csv");
    // 300 rows: ⌈√300⌉ = 18 cells, all probed.
    let r = run(&[
        "audit",
        "--labels",
        s(&labels),
        "--features",
        s(&feats),
        "--pred-probs",
        s(&probs),
        "--approximate",
        "--nprobe",
        "18",
        "--output",
        s(&out),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let csv = std::fs::read_to_string(&out).expect("csv");
    assert_eq!(csv, library(&g, None).issues().to_csv());
    let r = run(&[
        "audit",
        "--labels",
        s(&labels),
        "--pred-probs",
        s(&probs),
        "--approximate",
    ]);
    assert_eq!(r.code, 2, "--approximate needs --features: {}", r.stderr);
}

#[test]
fn audit_table_report_html_and_save() {
    let g = golden("small_scipy_euclidean");
    let dir = TempDir::new("audit-report");
    let (labels, feats, probs) = write_csv_inputs(&dir, &g, true);
    let (html, saved) = (dir.path("report.html"), dir.path("audit.json"));
    let r = run(&[
        "audit",
        "--labels",
        s(&labels),
        "--features",
        s(&feats),
        "--pred-probs",
        s(&probs),
        "--html",
        s(&html),
        "--save",
        s(&saved),
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let lab = library(&g, None);
    assert_eq!(
        r.stdout,
        lab.report(&cl_datalab::ReportOptions::default())
            .expect("report")
    );
    let page = std::fs::read_to_string(&html).expect("html");
    assert_eq!(page, lab.to_html(5).expect("html"));
    assert_eq!(Datalab::load(&saved).expect("load"), lab);
}

#[test]
fn audit_issue_types_and_knn_graph() {
    let g = golden("default_cosine");
    let dir = TempDir::new("audit-types");
    let (labels, probs, graph) = (
        dir.path("labels.csv"),
        dir.path("probs.csv"),
        dir.path("graph.json"),
    );
    write_labels(&labels, &g.labels);
    write_csv_matrix(&probs, &g.pred_probs, false);
    let (kg, _) = cl_core::neighbors::create_knn_graph_and_index(
        g.features.view(),
        &cl_core::neighbors::KnnOptions::default(),
    )
    .expect("graph");
    let json = serde_json::json!({
        "indices": kg.indices().rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        "distances": kg.distances().rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
    });
    std::fs::write(&graph, json.to_string()).expect("graph");
    let types = r#"{"near_duplicate": {"threshold": 0.2}, "label": {}, "non_iid": {},
        "outlier": {"threshold": 0.3}, "data_valuation": {"k": 5}}"#;
    let r = run(&[
        "audit",
        "--labels",
        s(&labels),
        "--pred-probs",
        s(&probs),
        "--knn-graph",
        s(&graph),
        "--issue-types",
        types,
        "--format",
        "json",
    ]);
    let v = r.json();
    let got: Vec<&str> = v["issue_summary"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["issue_type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        got,
        [
            "near_duplicate",
            "label",
            "non_iid",
            "outlier",
            "data_valuation"
        ]
    );
    let mut lab = Datalab::new(RawLabels::Int(
        g.labels.iter().map(|l| l.parse().expect("int")).collect(),
    ))
    .expect("labels");
    lab.find_issues(
        &FindIssuesInputs::new()
            .pred_probs(&g.pred_probs)
            .knn_graph(&kg),
        Some(IssueTypes::from_json_str(types).expect("types")),
    )
    .expect("find");
    for (row, ours) in v["issue_summary"]
        .as_array()
        .expect("rows")
        .iter()
        .zip(lab.issue_summary())
    {
        assert_eq!(row["score"].as_f64(), Some(ours.score));
        assert_eq!(row["num_issues"], ours.num_issues);
    }
}

#[test]
fn audit_nan_features_report_failures_and_succeed() {
    let c = cl_golden::cases("datalab")
        .into_iter()
        .find(|c| c.name == "null_nan_features")
        .expect("case");
    let dir = TempDir::new("audit-nan");
    let (labels, feats) = (dir.path("labels.csv"), dir.path("features.csv"));
    let l: Vec<String> = c
        .input("labels")
        .vec_i64()
        .iter()
        .map(ToString::to_string)
        .collect();
    write_labels(&labels, &l);
    write_csv_matrix(&feats, &c.input("features").array2_f64(), false);
    let r = run(&[
        "audit",
        "--labels",
        s(&labels),
        "--features",
        s(&feats),
        "--format",
        "json",
    ]);
    let v = r.json();
    assert!(
        r.stderr.contains("Error in near_duplicate:"),
        "{}",
        r.stderr
    );
    let failed: Vec<&str> = v["failed"]
        .as_array()
        .expect("failed")
        .iter()
        .map(|f| f["issue_type"].as_str().expect("type"))
        .collect();
    assert!(failed.contains(&"near_duplicate"));
    assert_eq!(v["issue_summary"][0]["issue_type"], "null");
    assert_eq!(v["issue_summary"][0]["num_issues"], 3);
}

#[test]
fn audit_bad_inputs_exit_2() {
    let dir = TempDir::new("audit-bad");
    let labels = dir.path("labels.csv");
    std::fs::write(&labels, "label\na\nb\n\n").expect("write");
    let probs = dir.path("p.csv");
    std::fs::write(&probs, "0.5,0.5\n0.5,0.5\n0.5,0.5\n").expect("write");
    // Row count mismatch (2 labels, 3 rows).
    let r = run(&["audit", "--labels", s(&labels), "--pred-probs", s(&probs)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Unknown issue type.
    let r = run(&[
        "audit",
        "--labels",
        s(&labels),
        "--issue-types",
        "{\"bogus\": {}}",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("Invalid issue type"), "{}", r.stderr);
    // Missing label.
    std::fs::write(&labels, "label\na\nNaN\nb\n").expect("write");
    let r = run(&["audit", "--labels", s(&labels)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("missing"), "{}", r.stderr);
}
