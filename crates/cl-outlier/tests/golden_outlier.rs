//! Golden tests against cleanlab 2.9.0 (`xtask/golden/gen_outlier.py`).
//!
//! f64 scores and values to 1e-9 relative (plus 1e-12 absolute for scores that are a
//! cancellation `1 − x` near 0); f32 inputs to 1e-4 relative (cleanlab computes distances,
//! means and scores of f32 inputs in f32, about 1e-7 relative per operation; this crate
//! computes in f64 from the widened values).

use cl_core::Real;
use cl_core::input::validate;
use cl_core::neighbors::{KnnGraph, Metric};
use cl_golden::{Case, REL_F64, cases_with_prefix};
use cl_outlier::{
    DataShapleyOptions, KnnIndex, OodData, OodMethod, OodOptions, OodWarning, OutOfDistribution,
    OutlierError, ShapleyInput, data_shapley_knn,
};
use ndarray::{Array2, ArrayView2};

fn is_f32(case: &Case) -> bool {
    case.has("params", "dtype") && case.param("dtype").raw().as_str() == Some("float32")
}

fn tol(case: &Case) -> (f64, f64) {
    if is_f32(case) {
        (1e-4, 1e-6)
    } else {
        (REL_F64, 1e-12)
    }
}

#[track_caller]
fn check(actual: &[f64], expected: &[f64], (rel, abs): (f64, f64), ctx: &str) {
    assert_eq!(actual.len(), expected.len(), "{ctx}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let ok = a == e || (a - e).abs() <= rel * a.abs().max(e.abs()) + abs;
        assert!(ok, "{ctx}[{i}]: actual {a:e} vs expected {e:e}");
    }
}

fn opt_usize(case: &Case, key: &str) -> Option<usize> {
    let f = case.param(key);
    if f.is_null() { None } else { Some(f.usize()) }
}

/// Runs `f` on the features of `key` in their fixture dtype.
fn with_features<R>(
    case: &Case,
    key: &str,
    f: impl FnOnce(ArrayView2<'_, f32>) -> R,
    g: impl FnOnce(ArrayView2<'_, f64>) -> R,
) -> R {
    if is_f32(case) {
        f(case.input(key).array2_f32().view())
    } else {
        g(case.input(key).array2_f64().view())
    }
}

fn feat_fit_score<T: Real>(case: &Case, x: ArrayView2<'_, T>) {
    let opts = OodOptions::default()
        .k(opt_usize(case, "k"))
        .t(case.param("t").f64());
    let mut ood = OutOfDistribution::new(opts);
    let scores = ood.fit_score(OodData::Features(x)).expect("fit_score");
    let tol = tol(case);
    check(&scores, &case.output("scores").vec_f64(), tol, &case.name);
    check(
        &[ood.scaling_factor().expect("scaling factor")],
        &[case.output("scaling_factor").f64()],
        tol,
        &format!("{}: scaling_factor", case.name),
    );
    let knn = ood.knn().expect("index");
    assert_eq!(
        knn.n_neighbors(),
        case.output("k_used").usize(),
        "{}",
        case.name
    );
    assert_eq!(
        knn.metric().to_string(),
        case.output("metric").str(),
        "{}",
        case.name
    );
    assert!(ood.warnings().is_empty(), "{}", case.name);
}

#[test]
fn feature_scores_match_cleanlab() {
    let cases = cases_with_prefix("outlier", "feat_");
    assert!(cases.len() >= 15);
    let mut exact_ones = 0;
    for case in &cases {
        with_features(
            case,
            "features",
            |x| feat_fit_score(case, x),
            |x| feat_fit_score(case, x),
        );
        exact_ones += case
            .output("scores")
            .vec_f64()
            .iter()
            .filter(|&&s| s == 1.0)
            .count();
    }
    // The duplicate-heavy cases exercise the precision correction.
    assert!(exact_ones > 100, "{exact_ones}");
}

fn fit_then_score<T: Real>(case: &Case, a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) {
    let opts = OodOptions::default()
        .k(opt_usize(case, "k"))
        .t(case.param("t").f64());
    let mut ood = OutOfDistribution::new(opts);
    ood.fit(OodData::Features(a)).expect("fit");
    let tol = tol(case);
    check(
        &[ood.scaling_factor().expect("sf")],
        &[case.output("scaling_factor").f64()],
        tol,
        &format!("{}: scaling_factor", case.name),
    );
    let sb = ood.score(OodData::Features(b)).expect("score test");
    check(
        &sb,
        &case.output("test_scores").vec_f64(),
        tol,
        &format!("{}: test", case.name),
    );
    let sa = ood.score(OodData::Features(a)).expect("score train");
    check(
        &sa,
        &case.output("train_scores").vec_f64(),
        tol,
        &format!("{}: train", case.name),
    );
    assert_eq!(
        ood.knn().map(KnnIndex::n_neighbors),
        Some(case.output("k_used").usize())
    );
}

#[test]
fn fit_on_one_set_score_on_another_matches_cleanlab() {
    let cases = cases_with_prefix("outlier", "fitscore_");
    assert_eq!(cases.len(), 4);
    for case in &cases {
        if is_f32(case) {
            let (a, b) = (
                case.input("train").array2_f32(),
                case.input("test").array2_f32(),
            );
            fit_then_score(case, a.view(), b.view());
        } else {
            let (a, b) = (
                case.input("train").array2_f64(),
                case.input("test").array2_f64(),
            );
            fit_then_score(case, a.view(), b.view());
        }
    }
}

#[test]
fn user_supplied_index_matches_cleanlab() {
    let cases = cases_with_prefix("outlier", "knn_");
    assert_eq!(cases.len(), 4);
    for case in &cases {
        let x = case.input("features").array2_f64();
        let n_neighbors = case.param("n_neighbors").usize();
        let metric: Metric = case.param("metric").str().parse().expect("metric");
        let index = if case.param("fitted").bool() {
            KnnIndex::fitted(x.view(), n_neighbors, metric).expect("index")
        } else {
            KnnIndex::unfitted(n_neighbors, metric).expect("index")
        };
        let mut ood =
            OutOfDistribution::new(OodOptions::default().knn(index).k(opt_usize(case, "k")));
        let scores = ood
            .fit_score(OodData::Features(x.view()))
            .expect("fit_score");
        check(
            &scores,
            &case.output("scores").vec_f64(),
            tol(case),
            &case.name,
        );
        check(
            &[ood.scaling_factor().expect("sf")],
            &[case.output("scaling_factor").f64()],
            tol(case),
            &case.name,
        );
        let expected: Vec<String> = case
            .output("warnings")
            .raw()
            .as_array()
            .expect("warnings")
            .iter()
            .map(|v| v.as_str().expect("str").to_owned())
            .collect();
        // Same warnings as cleanlab, in order (our texts name the Rust options).
        let ours: Vec<&OodWarning> = ood.warnings().iter().collect();
        assert_eq!(ours.len(), expected.len(), "{}: {ours:?}", case.name);
        for (w, e) in ours.iter().zip(&expected) {
            let kind = match w {
                OodWarning::KnnAlreadyFitted => "previously already been fit",
                OodWarning::KCapped { .. } => "cannot be greater than n_neighbors",
                other => panic!("unexpected warning {other:?}"),
            };
            assert!(e.contains(kind), "{}: {e}", case.name);
            if let OodWarning::KCapped { requested, used } = w {
                assert!(e.contains(&format!("Chosen k={requested} ")), "{e}");
                assert!(e.contains(&format!("changed to k={used}.")), "{e}");
            }
        }
    }
}

fn pp_run<T: Real>(case: &Case, p: &Array2<T>, q: Option<&Array2<T>>) {
    let labels = case.input("labels").vec_i64();
    let (labels, probs) = validate(&labels, p.view()).expect("valid");
    let mut opts = OodOptions::default();
    if case.has("params", "method") {
        opts = opts.method(
            case.param("method")
                .str()
                .parse::<OodMethod>()
                .expect("method"),
        );
    }
    if case.has("params", "adjust_pred_probs") {
        opts = opts.adjust_pred_probs(case.param("adjust_pred_probs").bool());
    }
    if case.has("params", "confident_thresholds") {
        opts = opts.confident_thresholds(case.param("confident_thresholds").vec_f64());
    }
    let mut ood = OutOfDistribution::new(opts);
    let at_fit = case.param("labels_at_fit").bool().then_some(&labels);
    let data = OodData::PredProbs {
        pred_probs: &probs,
        labels: at_fit,
    };
    let scores = if let Some(q) = q {
        ood.fit(data).expect("fit");
        let (_, qp) = validate(&vec![0_i64; q.nrows()], q.view()).expect("valid test");
        ood.score(OodData::PredProbs {
            pred_probs: &qp,
            labels: None,
        })
        .expect("score")
    } else {
        ood.fit_score(data).expect("fit_score")
    };
    let tol = tol(case);
    check(&scores, &case.output("scores").vec_f64(), tol, &case.name);
    if case.output("thresholds").is_null() {
        assert!(ood.confident_thresholds().is_none(), "{}", case.name);
    } else {
        check(
            ood.confident_thresholds().expect("thresholds"),
            &case.output("thresholds").vec_f64(),
            tol,
            &format!("{}: thresholds", case.name),
        );
    }
}

#[test]
fn pred_probs_scores_match_cleanlab() {
    let cases = cases_with_prefix("outlier", "pp_");
    assert!(cases.len() >= 12);
    for case in &cases {
        let q = case.has("inputs", "test_pred_probs");
        if is_f32(case) {
            let p = case.input("pred_probs").array2_f32();
            let q = q.then(|| case.input("test_pred_probs").array2_f32());
            pp_run(case, &p, q.as_ref());
        } else {
            let p = case.input("pred_probs").array2_f64();
            let q = q.then(|| case.input("test_pred_probs").array2_f64());
            pp_run(case, &p, q.as_ref());
        }
    }
}

fn graph_of(case: &Case) -> KnnGraph {
    let idx = case
        .input("graph_indices")
        .array2_i64()
        .mapv(|v| v as usize);
    let dist = case.input("graph_distances").array2_f64();
    KnnGraph::from_parts(idx, dist).expect("graph")
}

#[test]
fn data_shapley_matches_cleanlab() {
    let cases = cases_with_prefix("outlier", "shapley_");
    assert_eq!(cases.len(), 10);
    for case in &cases {
        let labels = case.input("labels").vec_i64();
        let k = case.param("k").usize();
        let metric = if case.param("metric").is_null() {
            None
        } else {
            Some(
                case.param("metric")
                    .str()
                    .parse::<Metric>()
                    .expect("metric"),
            )
        };
        let opts = DataShapleyOptions::default().k(k).metric(metric);
        let values = if case.has("inputs", "graph_indices") {
            let g = graph_of(case);
            data_shapley_knn::<_, f64>(&labels, ShapleyInput::KnnGraph(&g), &opts)
        } else {
            with_features(
                case,
                "features",
                |x| data_shapley_knn(&labels, ShapleyInput::Features(x), &opts),
                |x| data_shapley_knn(&labels, ShapleyInput::Features(x), &opts),
            )
        }
        .expect("data_shapley_knn");
        // Values are exact rationals: f32 features give the same graph up to ties.
        check(
            &values,
            &case.output("values").vec_f64(),
            (REL_F64, 0.0),
            &case.name,
        );
    }
}

#[test]
fn errors_match_cleanlab() {
    let cases = cases_with_prefix("outlier", "error_");
    assert_eq!(cases.len(), 7);
    for case in &cases {
        let expected = case.expected_error().expect("error case");
        let err: OutlierError = match case.name.as_str() {
            "error_feat_k_equals_n" => {
                let x = case.input("features").array2_f64();
                OutOfDistribution::new(OodOptions::default().k(case.param("k").usize()))
                    .fit_score(OodData::Features(x.view()))
                    .expect_err("k = N")
            }
            "error_score_before_fit_features" => {
                let x = case.input("features").array2_f64();
                OutOfDistribution::default()
                    .score(OodData::Features(x.view()))
                    .expect_err("not fitted")
            }
            "error_pp_no_labels"
            | "error_pp_score_before_fit"
            | "error_pp_entropy_out_of_range" => {
                let p = case.input("pred_probs").array2_f64();
                let probs = cl_core::PredProbs::new(p.view()).expect("valid pred_probs");
                let data = OodData::PredProbs {
                    pred_probs: &probs,
                    labels: None,
                };
                match case.name.as_str() {
                    "error_pp_no_labels" => OutOfDistribution::default().fit_score(data),
                    "error_pp_score_before_fit" => OutOfDistribution::default().score(data),
                    _ => OutOfDistribution::new(OodOptions::default().adjust_pred_probs(false))
                        .fit_score(data),
                }
                .expect_err("pred_probs error")
            }
            "error_shapley_k_equals_n" => {
                let x = case.input("features").array2_f64();
                let labels = case.input("labels").vec_i64();
                data_shapley_knn(
                    &labels,
                    ShapleyInput::Features(x.view()),
                    &DataShapleyOptions::default().k(case.param("k").usize()),
                )
                .expect_err("k = N")
            }
            "error_shapley_graph_too_small" => {
                let labels = case.input("labels").vec_i64();
                let g = graph_of(case);
                data_shapley_knn::<_, f64>(
                    &labels,
                    ShapleyInput::KnnGraph(&g),
                    &DataShapleyOptions::default().k(case.param("k").usize()),
                )
                .expect_err("graph too small")
            }
            other => panic!("unhandled error case {other}"),
        };
        let msg = err.to_string();
        let ok = match case.name.as_str() {
            "error_feat_k_equals_n" | "error_shapley_k_equals_n" => {
                msg.contains(expected.trim_start_matches("ValueError: "))
            }
            "error_score_before_fit_features" => {
                matches!(err, OutlierError::NotFitted { what: "features" })
                    && expected.contains("fit on features first")
            }
            "error_pp_score_before_fit" => {
                matches!(err, OutlierError::NotFitted { what: "pred_probs" })
                    && expected.contains("fit on pred_probs first")
            }
            "error_pp_no_labels" => {
                matches!(err, OutlierError::MissingLabels)
                    && expected.contains("Cannot calculate adjust_pred_probs without labels")
            }
            "error_pp_entropy_out_of_range" => {
                matches!(
                    err,
                    OutlierError::ProbabilityOutOfRange { row: 3, col: 1, .. }
                ) && expected
                    .contains("All probabilities are required to be in the interval [0, 1]")
            }
            // cleanlab fails with an IndexError; we name the problem.
            "error_shapley_graph_too_small" => {
                msg.contains("k=13") && expected.starts_with("IndexError")
            }
            _ => false,
        };
        assert!(ok, "{}: ours {msg:?}, cleanlab {expected:?}", case.name);
    }
}
