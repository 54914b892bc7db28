//! Golden parity with cleanlab 2.9.0's `Datalab.find_issues` (fixtures/golden/datalab).

use std::collections::BTreeSet;

use cl_core::neighbors::KnnGraph;
use cl_datalab::{Datalab, FindIssuesInputs, IssueTypes, RawLabels};
use cl_golden::{Case, REL_F64, assert_close};
use ndarray::Array2;
use serde_json::Value;

/// Issue types implemented here (all of cleanlab's classification types; a fixture's
/// image or regression types would be skipped).
fn implemented(name: &str) -> bool {
    IssueTypes::builtin(name).is_ok()
}

/// Documented differences from cleanlab (case, issue type): cleanlab's check fails, ours runs
/// and gives the scores of the named case's check (see `Outlier`'s docs).
const FAILS_ONLY_IN_CLEANLAB: [(&str, &str, &str); 1] =
    [("pred_probs_only_outlier_k", "outlier", "pred_probs_only")];

fn labels_of(case: &Case) -> RawLabels {
    let raw = case
        .input("labels")
        .raw()
        .as_array()
        .expect("labels list")
        .clone();
    if raw.iter().all(Value::is_string) {
        RawLabels::from(
            raw.iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>(),
        )
    } else {
        RawLabels::from(case.input("labels").vec_i64())
    }
}

fn issue_types_of(case: &Case) -> Option<IssueTypes> {
    let p = case.param("issue_types");
    if p.is_null() {
        return None;
    }
    let mut out = IssueTypes::new();
    let all = p.raw().as_object().expect("issue_types object");
    // The JSON object's keys are sorted; the user's order is kept beside it.
    for name in case
        .param("issue_type_order")
        .raw()
        .as_array()
        .expect("order")
    {
        let name = name.as_str().expect("name");
        let params = &all[name];
        if implemented(name) {
            let params = params.as_object().cloned().unwrap_or_default();
            out.push(IssueTypes::builtin_with(name, &params).expect("known params"));
        }
    }
    Some(out)
}

struct Loaded {
    features: Option<Array2<f64>>,
    pred_probs: Option<Array2<f64>>,
    graph: Option<KnnGraph>,
}

fn load(case: &Case) -> Loaded {
    let graph = case.has("inputs", "knn_indices").then(|| {
        let idx = case.input("knn_indices").array2_i64().mapv(|v| v as usize);
        KnnGraph::from_parts(idx, case.input("knn_distances").array2_f64()).expect("graph")
    });
    Loaded {
        features: case
            .has("inputs", "features")
            .then(|| case.input("features").array2_f64()),
        pred_probs: case
            .has("inputs", "pred_probs")
            .then(|| case.input("pred_probs").array2_f64()),
        graph,
    }
}

/// Whether our kNN graph of the features equals cleanlab's, comparing each row as a set;
/// rows may differ only in neighbours tied at the k-th distance (exact duplicates of each
/// other: sklearn's tie order is unspecified), which is asserted.
fn same_graph_up_to_ties(case: &Case, ours: &KnnGraph) -> bool {
    let idx = case.output("graph_indices").array2_i64();
    let dist = case.output("graph_distances").array2_f64();
    assert_eq!(
        ours.indices().dim(),
        idx.dim(),
        "{}: graph shape",
        case.name
    );
    let mut same = true;
    for i in 0..idx.nrows() {
        let mut a: Vec<usize> = ours.indices().row(i).to_vec();
        let mut b: Vec<usize> = idx.row(i).iter().map(|&v| v as usize).collect();
        a.sort_unstable();
        b.sort_unstable();
        if a != b {
            same = false;
            let da = ours.distances().row(i);
            let db = dist.row(i);
            for (x, y) in da.iter().zip(db) {
                assert!(
                    (x - y).abs() <= 1e-9 * y.abs().max(1e-12),
                    "{}: row {i} distances",
                    case.name
                );
            }
        }
    }
    same
}

fn run(case: &Case, data: &Loaded) -> Datalab {
    let mut lab = Datalab::new(labels_of(case)).expect("labels");
    let mut inputs = FindIssuesInputs::new();
    if let Some(f) = &data.features {
        inputs = inputs.features(f);
    }
    if let Some(p) = &data.pred_probs {
        inputs = inputs.pred_probs(p);
    }
    if let Some(g) = &data.graph {
        inputs = inputs.knn_graph(g);
    }
    lab.find_issues(&inputs, issue_types_of(case))
        .expect("find_issues");
    lab
}

/// Scores equal to 1e-9 relative (absolute 1e-12 near 0).
fn assert_scores(actual: &[f64], expected: &[f64], ctx: &str) {
    assert_eq!(actual.len(), expected.len(), "{ctx}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        if e.abs() < 1e-12 {
            assert!(a.abs() < 1e-12, "{ctx}[{i}]: {a} vs {e}");
        } else {
            assert_close(a, e, REL_F64, &format!("{ctx}[{i}]"));
        }
    }
}

/// Our `is_<t>_issue` and `<t>_score` columns equal `expected`'s (cleanlab's) columns.
fn assert_columns(lab: &Datalab, expected: &Case, t: &str, ctx: &str) {
    let flags = lab
        .issues()
        .column(&format!("is_{t}_issue"))
        .and_then(|c| c.as_bool())
        .expect("flags");
    assert_eq!(
        flags,
        expected.output(&format!("col.is_{t}_issue")).vec_bool(),
        "{ctx}: flags {t}"
    );
    let scores = lab
        .issues()
        .column(&format!("{t}_score"))
        .and_then(|c| c.as_f64())
        .expect("scores");
    assert_scores(
        scores,
        &expected.output(&format!("col.{t}_score")).vec_f64(),
        &format!("{ctx}: scores {t}"),
    );
}

/// The other side of each documented difference: cleanlab fails (asserted in
/// `golden_datalab`), ours gives the same flags and scores as cleanlab's run of the check
/// without the parameter that breaks it.
#[test]
fn checks_that_fail_only_in_cleanlab_match_the_working_run() {
    let cases = cl_golden::cases("datalab");
    let by_name = |n: &str| cases.iter().find(|c| c.name == n).expect("case");
    for (case, t, reference) in FAILS_ONLY_IN_CLEANLAB {
        let lab = run(by_name(case), &load(by_name(case)));
        assert!(lab.failures().is_empty(), "{case}: {:?}", lab.failures());
        assert_columns(&lab, by_name(reference), t, case);
    }
}

#[test]
#[allow(clippy::too_many_lines)] // one assertion block per output family
fn golden_datalab() {
    let cases = cl_golden::cases("datalab");
    assert!(cases.len() >= 10);
    for case in &cases {
        let mut data = load(case);
        let mut lab = run(case, &data);
        let name = &case.name;
        if let (None, Some(x), true) = (
            &data.graph,
            data.features.clone(),
            case.has("outputs", "graph_indices"),
        ) {
            let (ours, _) = cl_core::neighbors::create_knn_graph_and_index(
                x.view(),
                &cl_core::neighbors::KnnOptions::default()
                    .n_neighbors(case.output("graph_indices").array2_i64().ncols()),
            )
            .expect("graph");
            if !same_graph_up_to_ties(case, &ours) {
                // Tied neighbours chosen differently: compare the checks on cleanlab's graph.
                let idx = case
                    .output("graph_indices")
                    .array2_i64()
                    .mapv(|v| v as usize);
                let g = KnnGraph::from_parts(idx, case.output("graph_distances").array2_f64())
                    .expect("graph");
                data.graph = Some(g);
                lab = run(case, &data);
            }
        }

        // Labels and class names.
        assert_eq!(
            lab.labels().iter().map(|&c| c as i64).collect::<Vec<_>>(),
            case.output("labels_mapped").vec_i64(),
            "{name}: labels"
        );
        let names: Vec<String> = lab.class_names().iter().map(ToString::to_string).collect();
        let exp_names: Vec<String> = case
            .output("class_names")
            .raw()
            .as_array()
            .expect("names")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(names, exp_names, "{name}: class names");

        // Summary and columns, for the implemented types, in cleanlab's order.
        let exp_types: Vec<String> = case
            .output("summary_types")
            .raw()
            .as_array()
            .expect("types")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect();
        let exp_scores = case.output("summary_scores").vec_f64();
        let exp_num = case.output("summary_num_issues").vec_i64();
        let differs: Vec<&str> = FAILS_ONLY_IN_CLEANLAB
            .iter()
            .filter(|d| d.0 == name.as_str())
            .map(|d| d.1)
            .collect();
        let ours: Vec<&str> = lab
            .issue_summary()
            .iter()
            .map(|r| r.issue_type.as_str())
            .filter(|t| !differs.contains(t))
            .collect();
        let exp_impl: Vec<&str> = exp_types
            .iter()
            .map(String::as_str)
            .filter(|t| implemented(t))
            .collect();
        assert_eq!(ours, exp_impl, "{name}: summary types");
        for (t, (&s, &num)) in exp_types.iter().zip(exp_scores.iter().zip(&exp_num)) {
            if !implemented(t) {
                continue;
            }
            let row = lab.get_issue_summary(t).expect("row");
            assert_scores(&[row.score], &[s], &format!("{name}: summary score {t}"));
            assert_eq!(row.num_issues as i64, num, "{name}: num_issues {t}");
            assert_columns(&lab, case, t, name);
        }
        if exp_types.iter().all(|t| implemented(t)) && differs.is_empty() {
            assert_scores(
                &[lab.health_score().expect("health")],
                &[case.output("health_score").f64()],
                &format!("{name}: health score"),
            );
            let cols: Vec<&str> = lab.issues().column_names();
            let exp_cols: Vec<String> = case
                .output("columns")
                .raw()
                .as_array()
                .expect("columns")
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect();
            assert_eq!(cols, exp_cols, "{name}: columns");
        }

        // Failed checks (implemented ones).
        let failed: BTreeSet<&str> = lab
            .failures()
            .iter()
            .map(|f| f.issue_type.as_str())
            .collect();
        let exp_failed: BTreeSet<String> = case
            .output("failed")
            .raw()
            .as_array()
            .expect("failed")
            .iter()
            .filter_map(|v| v.as_str())
            .filter(|t| implemented(t))
            .map(str::to_owned)
            .collect();
        for t in &differs {
            assert!(
                exp_failed.contains(*t),
                "{name}: cleanlab's {t} check was expected to fail"
            );
        }
        assert_eq!(
            failed,
            exp_failed
                .iter()
                .map(String::as_str)
                .filter(|t| !differs.contains(t))
                .collect(),
            "{name}: failed checks {:?}",
            lab.failures()
        );

        // Selected info.
        if case.has("outputs", "near_duplicate_sets") {
            let info = lab.get_info("near_duplicate").expect("info");
            let sets: Vec<Vec<usize>> =
                serde_json::from_value(info["near_duplicate_sets"].clone()).expect("sets");
            let sets: Vec<Vec<usize>> = sets
                .into_iter()
                .map(|mut s| {
                    s.sort_unstable();
                    s
                })
                .collect();
            let exp: Vec<Vec<usize>> =
                serde_json::from_value(case.output("near_duplicate_sets").raw().clone())
                    .expect("sets");
            assert_eq!(sets, exp, "{name}: near-duplicate sets");
            assert_scores(
                &[info["median_distance_to_nearest_neighbor"]
                    .as_f64()
                    .expect("median")],
                &[case.output("near_duplicate_median").f64()],
                &format!("{name}: median nn distance"),
            );
        }
        if case.has("outputs", "non_iid_p_value") {
            let p = lab.get_info("non_iid").expect("info")["p-value"]
                .as_f64()
                .expect("p");
            assert_scores(
                &[p],
                &[case.output("non_iid_p_value").f64()],
                &format!("{name}: p-value"),
            );
        }
        if case.has("outputs", "upg_cluster_ids") {
            let stats =
                &lab.get_info("underperforming_group").expect("info")["clustering"]["stats"];
            let ids: Vec<i64> = serde_json::from_value(stats["cluster_ids"].clone()).expect("ids");
            assert_eq!(
                ids,
                case.output("upg_cluster_ids").vec_i64(),
                "{name}: cluster ids"
            );
            assert_eq!(
                stats["n_clusters"].as_i64(),
                Some(case.output("upg_n_clusters").i64()),
                "{name}: n_clusters"
            );
            assert_eq!(
                stats["underperforming_cluster_id"].as_i64(),
                Some(case.output("upg_cluster_id").i64()),
                "{name}: worst cluster"
            );
        }
        if case.has("outputs", "null_average") {
            let info = lab.get_info("null").expect("info");
            assert_scores(
                &[info["average_null_score"].as_f64().expect("avg")],
                &[case.output("null_average").f64()],
                &format!("{name}: null average"),
            );
            let mc = &info["most_common_issue"];
            assert_eq!(
                mc["pattern"].as_str(),
                Some(case.output("null_pattern").str())
            );
            assert_eq!(
                serde_json::from_value::<Vec<usize>>(mc["rows_affected"].clone()).expect("rows"),
                case.output("null_rows_affected").vec_usize()
            );
            let impact: Vec<f64> =
                serde_json::from_value(info["column_impact"].clone()).expect("impact");
            assert_scores(
                &impact,
                &case.output("null_column_impact").vec_f64(),
                "column impact",
            );
        }
        if case.has("outputs", "label_num_issues") {
            let info = lab.get_info("label").expect("info");
            assert_eq!(
                info["num_label_issues"].as_i64(),
                Some(case.output("label_num_issues").i64()),
                "{name}: num_label_issues"
            );
            assert_scores(
                &[info["average_label_quality"].as_f64().expect("avg")],
                &[case.output("label_average_quality").f64()],
                &format!("{name}: average label quality"),
            );
            let pred: Vec<String> =
                serde_json::from_value(info["predicted_label"].clone()).expect("pred");
            let exp: Vec<String> =
                serde_json::from_value(case.output("label_predicted").raw().clone()).expect("pred");
            assert_eq!(pred, exp, "{name}: predicted labels");
        }
        if case.has("outputs", "outlier_average") {
            assert_scores(
                &[lab.get_info("outlier").expect("info")["average_ood_score"]
                    .as_f64()
                    .expect("avg")],
                &[case.output("outlier_average").f64()],
                &format!("{name}: average ood score"),
            );
        }
        if case.has("outputs", "data_valuation_average") {
            assert_scores(
                &[
                    lab.get_info("data_valuation").expect("info")["average_data_valuation"]
                        .as_f64()
                        .expect("avg"),
                ],
                &[case.output("data_valuation_average").f64()],
                &format!("{name}: average data valuation"),
            );
        }
        if case.has("outputs", "rarest_class") {
            assert_eq!(
                lab.get_info("class_imbalance").expect("info")["Rarest Class"].as_str(),
                Some(case.output("rarest_class").str()),
                "{name}: rarest class"
            );
        }
    }
}
