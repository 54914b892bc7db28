//! Parity with cleanlab 2.9.0's `cleanlab.rank` on the golden fixtures (`fixtures/golden/rank`).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use cl_core::input::{Labels, PredProbs};
use cl_golden::{Case, REL_F64, assert_all_close, cases_with_prefix};
use cl_rank::{
    EnsembleOptions, EnsembleWeighting, LabelQualityOptions, RankError, ScoreMethod,
    find_top_issues, get_label_quality_ensemble_scores, get_label_quality_scores,
    order_label_issues,
};

const METHODS: [ScoreMethod; 3] = [
    ScoreMethod::SelfConfidence,
    ScoreMethod::NormalizedMargin,
    ScoreMethod::ConfidenceWeightedEntropy,
];

fn key(method: ScoreMethod, adjust: bool) -> String {
    format!("{}_{}", method.as_str(), if adjust { "adj" } else { "raw" })
}

fn labels_of(case: &Case, k: usize) -> Labels<'static> {
    Labels::new(&case.input("labels").vec_i64(), k).unwrap()
}

#[test]
fn quality_scores_match_cleanlab() {
    let mut checked = 0;
    for case in cases_with_prefix("rank", "scores_") {
        let is_f32 = case.input("dtype").str() == "float32";
        let p64 = case.input("pred_probs").array2_f64();
        let p32 = case.input("pred_probs").array2_f32();
        let labels = labels_of(&case, p64.ncols());
        for method in METHODS {
            for adjust in [false, true] {
                let k = key(method, adjust);
                if !case.has("outputs", &k) {
                    continue;
                }
                let opts = LabelQualityOptions::new(method).adjust_pred_probs(adjust);
                let got = if is_f32 {
                    get_label_quality_scores(&labels, &PredProbs::new(p32.view()).unwrap(), &opts)
                } else {
                    get_label_quality_scores(&labels, &PredProbs::new(p64.view()).unwrap(), &opts)
                };
                let expected = case.output(&k);
                if let Some(err) = expected.raw().as_str().filter(|s| s.contains("Error")) {
                    assert!(
                        matches!(got, Err(RankError::IncompatibleOptions(_))),
                        "{}: {k}: expected {err}, got {got:?}",
                        case.name
                    );
                    continue;
                }
                let got = got.unwrap_or_else(|e| panic!("{} {k}: {e}", case.name));
                // cleanlab computes float32 inputs in float32; we accumulate in f64.
                let tol = if is_f32 { 2e-6 } else { REL_F64 };
                assert_all_close(
                    &got,
                    &expected.vec_f64(),
                    tol,
                    &format!("{} {k}", case.name),
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 45, "only {checked} score vectors checked");
}

#[test]
fn order_label_issues_matches_cleanlab() {
    for case in cases_with_prefix("rank", "order_") {
        let p = case.input("pred_probs").array2_f64();
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = labels_of(&case, p.ncols());
        let mask = case.input("mask").vec_bool();
        for method in METHODS {
            for adjust in [false, true] {
                let k = key(method, adjust);
                if !case.has("outputs", &k) {
                    continue;
                }
                let opts = LabelQualityOptions::new(method).adjust_pred_probs(adjust);
                let got = order_label_issues(&mask, &labels, &probs, &opts).unwrap();
                assert_eq!(got, case.output(&k).vec_usize(), "{} {k}", case.name);
            }
        }
    }
}

#[test]
fn find_top_issues_matches_cleanlab() {
    for case in cases_with_prefix("rank", "top_") {
        let scores = case.input("scores").vec_f64();
        for top in case.param("tops").vec_usize() {
            let got = find_top_issues(&scores, Some(top));
            assert_eq!(
                got,
                case.output(&format!("top_{top}")).vec_usize(),
                "{} top={top}",
                case.name
            );
        }
        assert_eq!(find_top_issues(&scores, None).len(), scores.len());
    }
}

#[test]
fn ensemble_scores_match_cleanlab() {
    for case in cases_with_prefix("rank", "ensemble_") {
        let m = case.param("num_members").usize();
        let arrays: Vec<_> = (0..m)
            .map(|j| case.input(&format!("pred_probs_{j}")).array2_f64())
            .collect();
        let members: Vec<_> = arrays
            .iter()
            .map(|a| PredProbs::new(a.view()).unwrap())
            .collect();
        let labels = labels_of(&case, arrays[0].ncols());
        let custom = case.param("custom_weights").vec_f64();
        for method in METHODS {
            for (scheme, weighting) in [
                ("uniform", EnsembleWeighting::Uniform),
                ("accuracy", EnsembleWeighting::Accuracy),
                ("log_loss_search", EnsembleWeighting::log_loss_search()),
                ("custom", EnsembleWeighting::Custom(custom.clone())),
            ] {
                let opts = EnsembleOptions::new(LabelQualityOptions::new(method), weighting);
                let got = get_label_quality_ensemble_scores(&labels, &members, &opts).unwrap();
                let k = format!("{}_{scheme}", method.as_str());
                assert_all_close(
                    &got,
                    &case.output(&k).vec_f64(),
                    REL_F64,
                    &format!("{} {k}", case.name),
                );
            }
        }
        let opts = EnsembleOptions::new(
            LabelQualityOptions::default().adjust_pred_probs(true),
            EnsembleWeighting::Accuracy,
        );
        let got = get_label_quality_ensemble_scores(&labels, &members, &opts).unwrap();
        assert_all_close(
            &got,
            &case.output("self_confidence_accuracy_adj").vec_f64(),
            REL_F64,
            &case.name,
        );
    }
}
