//! Parity with cleanlab 2.9.0's `cleanlab.filter` on the golden fixtures
//! (`fixtures/golden/filter`): every `filter_by`, ranking, `frac_noise`,
//! `min_examples_per_class`, a supplied confident joint, `num_to_remove_per_class`, the
//! argmax-confusion-matrix variant, and the error cases.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use cl_core::Real;
use cl_core::input::{Labels, PredProbs};
use cl_filter::{
    FilterBy, FilterError, FilterOptions, find_label_issues, find_label_issues_ranked,
    find_label_issues_using_argmax_confusion_matrix, find_predicted_neq_given,
};
use cl_golden::{Case, cases_with_prefix};
use cl_rank::{LabelQualityOptions, ScoreMethod};

fn flagged(mask: &[bool]) -> Vec<usize> {
    mask.iter()
        .enumerate()
        .filter_map(|(i, &m)| m.then_some(i))
        .collect()
}

static MISMATCHES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn run_case<T: Real>(case: &Case, probs: &PredProbs<'_, T>, labels: &Labels<'_>) -> usize {
    let outputs = case.json()["outputs"].as_object().unwrap();
    let mut checked = 0;
    for key in outputs.keys() {
        let expected = case.output(key);
        let parts: Vec<&str> = key.split("__").collect();
        if expected.raw().is_string() {
            // cleanlab raised here (its argmax confusion matrix loses never-predicted
            // classes); we use a K×K matrix and must return a full-length mask.
            assert!(
                parts[0] == "argmax_cm",
                "{}: unexpected error output {key}",
                case.name
            );
            let filter: FilterBy = parts[1].parse().unwrap();
            let mask = find_label_issues_using_argmax_confusion_matrix(
                labels,
                probs,
                parts[2] == "cal",
                filter,
            )
            .unwrap();
            assert_eq!(mask.len(), labels.len());
            continue;
        }
        let got: Vec<usize> = match parts.as_slice() {
            ["predicted_neq_given_fn"] => {
                flagged(&find_predicted_neq_given(labels, probs).unwrap())
            }
            ["argmax_cm", f, cal] => flagged(
                &find_label_issues_using_argmax_confusion_matrix(
                    labels,
                    probs,
                    *cal == "cal",
                    f.parse().unwrap(),
                )
                .unwrap(),
            ),
            ["default", "rank_self_confidence_adj"] => find_label_issues_ranked(
                labels,
                probs,
                &FilterOptions::default(),
                &LabelQualityOptions::default().adjust_pred_probs(true),
            )
            .unwrap(),
            [f, rest @ ..] => {
                let mut opts = FilterOptions::default().filter_by(f.parse().unwrap());
                let mut rank: Option<ScoreMethod> = None;
                for r in rest {
                    if let Some(v) = r.strip_prefix("frac_") {
                        opts = opts.frac_noise(v.parse().unwrap());
                    } else if let Some(v) = r.strip_prefix("min_") {
                        opts = opts.min_examples_per_class(v.parse().unwrap());
                    } else if let Some(v) = r.strip_prefix("rank_") {
                        rank = Some(v.parse().unwrap());
                    } else if *r == "cj_uncalibrated" {
                        opts = opts.confident_joint(
                            case.input("confident_joint_uncalibrated").array2_i64(),
                        );
                    } else {
                        panic!("{}: unknown key part {r}", case.name);
                    }
                }
                match rank {
                    Some(m) => {
                        find_label_issues_ranked(labels, probs, &opts, &LabelQualityOptions::new(m))
                            .unwrap()
                    }
                    None => flagged(&find_label_issues(labels, probs, &opts).unwrap()),
                }
            }
            [] => unreachable!(),
        };
        if got != expected.vec_usize() {
            let e = expected.vec_usize();
            let extra: Vec<_> = got.iter().filter(|i| !e.contains(i)).collect();
            let missing: Vec<_> = e.iter().filter(|i| !got.contains(i)).collect();
            eprintln!(
                "MISMATCH {} {key}: extra {extra:?} missing {missing:?}",
                case.name
            );
            MISMATCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        checked += 1;
    }
    checked
}

#[test]
fn find_label_issues_matches_cleanlab() {
    let mut checked = 0;
    for case in cases_with_prefix("filter", "issues_") {
        let p64 = case.input("pred_probs").array2_f64();
        let labels = Labels::new(&case.input("labels").vec_i64(), p64.ncols()).unwrap();
        checked += if case.input("dtype").str() == "float32" {
            let p32 = case.input("pred_probs").array2_f32();
            run_case(&case, &PredProbs::new(p32.view()).unwrap(), &labels)
        } else {
            run_case(&case, &PredProbs::new(p64.view()).unwrap(), &labels)
        };
    }
    assert!(checked > 500, "only {checked} outputs checked");
    assert_eq!(
        MISMATCHES.load(std::sync::atomic::Ordering::Relaxed),
        0,
        "see MISMATCH lines above"
    );
}

#[test]
fn num_to_remove_per_class_matches_cleanlab() {
    for case in cases_with_prefix("filter", "numremove_") {
        let p = case.input("pred_probs").array2_f64();
        let probs = PredProbs::new(p.view()).unwrap();
        let labels = Labels::new(&case.input("labels").vec_i64(), p.ncols()).unwrap();
        let targets = case.param("targets").vec_usize();
        for f in [
            FilterBy::PruneByNoiseRate,
            FilterBy::PruneByClass,
            FilterBy::Both,
        ] {
            let opts = FilterOptions::default()
                .filter_by(f)
                .num_to_remove_per_class(targets.clone());
            let expected = case.output(f.as_str());
            let got = find_label_issues(&labels, &probs, &opts);
            if expected.raw().is_string() {
                assert!(
                    got.is_err(),
                    "{} {}: cleanlab failed, we returned {got:?}",
                    case.name,
                    f.as_str()
                );
            } else {
                assert_eq!(
                    flagged(&got.unwrap()),
                    expected.vec_usize(),
                    "{} {}",
                    case.name,
                    f.as_str()
                );
            }
        }
    }
}

#[test]
fn single_class_rules_match_cleanlab() {
    let case = &cases_with_prefix("filter", "error_single_class_1")[0];
    let p = case.input("pred_probs").array2_f64();
    let probs = PredProbs::new(p.view()).unwrap();
    let labels = Labels::new(&case.input("labels").vec_i64(), 2).unwrap();
    assert!(
        case.expected_error()
            .unwrap()
            .contains("at least 2 classes")
    );
    assert!(matches!(
        find_label_issues(&labels, &probs, &FilterOptions::default()),
        Err(FilterError::Core(cl_core::CoreError::TooFewClasses {
            found: 1,
            required: 2
        }))
    ));

    let case = &cases_with_prefix("filter", "single_class_0")[0];
    let labels = Labels::new(&case.input("labels").vec_i64(), 2).unwrap();
    let got = find_label_issues(&labels, &probs, &FilterOptions::default()).unwrap();
    assert_eq!(
        flagged(&got),
        case.output("prune_by_noise_rate").vec_usize()
    );
}

#[test]
fn num_to_remove_with_confident_learning_is_rejected() {
    let case = &cases_with_prefix("filter", "error_numremove_with_cl")[0];
    assert!(case.expected_error().unwrap().starts_with("ValueError"));
    let p = case.input("pred_probs").array2_f64();
    let probs = PredProbs::new(p.view()).unwrap();
    let labels = Labels::new(&case.input("labels").vec_i64(), 3).unwrap();
    let opts = FilterOptions::default()
        .filter_by(FilterBy::ConfidentLearning)
        .num_to_remove_per_class(vec![1, 1, 1]);
    assert!(matches!(
        find_label_issues(&labels, &probs, &opts),
        Err(FilterError::IncompatibleOptions(_))
    ));
}
