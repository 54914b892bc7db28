//! Parity of `cleanlab find-label-issues` with cleanlab 2.9.0: the inputs of committed
//! golden cases (`fixtures/golden/filter`, read with cl-golden) are written to `.npy` files,
//! the binary is run with the matching options, and its `indices` must equal cleanlab's
//! recorded output exactly (ascending, or ranked with `--rank-by`); and `cleanlab learn` on the
//! features of `fixtures/golden/learn` flags what cleanlab's `CleanLearning` flags.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use cl_golden::{Case, cases_with_prefix};
use common::{TempDir, run, s, usizes};
use ndarray::Array1;
use ndarray_npy::write_npy;

/// Writes a case's labels (int64) and pred_probs (in the case's dtype) as `.npy`.
fn write_case(dir: &TempDir, case: &Case) -> (String, String) {
    let l = dir.path(&format!("{}.labels.npy", case.name));
    let p = dir.path(&format!("{}.pred_probs.npy", case.name));
    write_npy(&l, &Array1::from(case.input("labels").vec_i64())).unwrap();
    if case.input("dtype").str() == "float32" {
        write_npy(&p, &case.input("pred_probs").array2_f32()).unwrap();
    } else {
        write_npy(&p, &case.input("pred_probs").array2_f64()).unwrap();
    }
    (s(&l).to_string(), s(&p).to_string())
}

/// The command-line options for an output key such as `both__frac_0.5__min_5` or
/// `prune_by_class__rank_normalized_margin`; `None` for keys the CLI has no option for
/// (a supplied confident joint, the argmax confusion-matrix variant).
fn options_for(key: &str) -> Option<Vec<String>> {
    let mut parts = key.split("__");
    let filter = parts.next()?;
    if filter == "argmax_cm" || filter == "predicted_neq_given_fn" {
        return None;
    }
    let mut args = Vec::new();
    if filter != "default" {
        args.extend(["--filter-by".to_string(), filter.to_string()]);
    }
    for part in parts {
        if let Some(v) = part.strip_prefix("frac_") {
            args.extend(["--frac-noise".into(), v.into()]);
        } else if let Some(v) = part.strip_prefix("min_") {
            args.extend(["--min-examples-per-class".into(), v.into()]);
        } else if part == "rank_self_confidence_adj" {
            args.extend([
                "--rank-by".into(),
                "self_confidence".into(),
                "--adjust-pred-probs".into(),
            ]);
        } else if let Some(v) = part.strip_prefix("rank_") {
            args.extend(["--rank-by".into(), v.into()]);
        } else {
            return None;
        }
    }
    Some(args)
}

fn indices(labels: &str, probs: &str, options: &[String]) -> Vec<usize> {
    let mut args = vec![
        "find-label-issues".to_string(),
        "--labels".into(),
        labels.into(),
        "--pred-probs".into(),
        probs.into(),
        "--format".into(),
        "json".into(),
    ];
    args.extend_from_slice(options);
    usizes(&run(&args).json()["indices"])
}

#[test]
fn find_label_issues_indices_match_cleanlab() {
    let dir = TempDir::new("golden");
    let mut checked = 0;
    // f64 (K=5), f32 (K=6) and a 10-class case.
    for name in [
        "issues_s2_n500_k5",
        "issues_f32_n800_k6",
        "issues_s3_n1000_k10",
    ] {
        let case = &cases_with_prefix("filter", name)[0];
        let (l, p) = write_case(&dir, case);
        let outputs = case.json()["outputs"].as_object().unwrap();
        for key in outputs.keys() {
            let Some(opts) = options_for(key) else {
                continue;
            };
            let expected = case.output(key).vec_usize();
            assert_eq!(indices(&l, &p, &opts), expected, "{name} {key}");
            checked += 1;
        }
    }
    assert!(checked >= 120, "only {checked} outputs checked");
}

#[test]
fn out_of_core_indices_match_cleanlab() {
    let dir = TempDir::new("golden-ooc");
    let case = &cases_with_prefix("filter", "issues_f32_n800_k6")[0];
    let (l, p) = write_case(&dir, case);
    let mut checked = 0;
    for key in [
        "prune_by_noise_rate",
        "prune_by_class__frac_0.5__min_5",
        "both__rank_normalized_margin",
        "confident_learning__rank_confidence_weighted_entropy",
        "low_self_confidence",
        "predicted_neq_given__rank_self_confidence",
        "default__rank_self_confidence_adj",
    ] {
        let mut opts = options_for(key).unwrap();
        opts.extend(["--out-of-core".into(), "--chunk-rows".into(), "97".into()]);
        assert_eq!(
            indices(&l, &p, &opts),
            case.output(key).vec_usize(),
            "{key}"
        );
        checked += 1;
    }
    assert_eq!(checked, 7);
}

#[test]
fn num_to_remove_per_class_matches_cleanlab() {
    let dir = TempDir::new("golden-numremove");
    let case = &cases_with_prefix("filter", "numremove_s2_n500_k5")[0];
    let (l, p) = write_case(&dir, case);
    let targets: Vec<String> = case
        .param("targets")
        .vec_usize()
        .iter()
        .map(ToString::to_string)
        .collect();
    for filter in ["prune_by_noise_rate", "prune_by_class", "both"] {
        let opts: Vec<String> = vec![
            "--filter-by".into(),
            filter.into(),
            "--num-to-remove-per-class".into(),
            targets.join(","),
        ];
        assert_eq!(
            indices(&l, &p, &opts),
            case.output(filter).vec_usize(),
            "{filter}"
        );
    }
}

/// `cleanlab learn --model gnb --seed 5 --folds 4` on the features of the `fit_` cases of
/// `fixtures/golden/learn` (as CSV and as Parquet) flags exactly the rows cleanlab's
/// `CleanLearning(GaussianNB(), seed=5, cv_n_folds=4).find_label_issues(x, y)` flags, with
/// the same label quality and predicted labels.
#[test]
fn learn_cross_validated_issues_match_cleanlab() {
    use std::fmt::Write as _;
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int64Array};

    let dir = TempDir::new("golden-learn");
    let cases = cases_with_prefix("learn", "fit_");
    assert_eq!(cases.len(), 3);
    for case in &cases {
        let x = case.input("x").array2_f64();
        let labels = case.input("labels").vec_i64();
        let csv = dir.path(&format!("{}.csv", case.name));
        let mut text = String::new();
        for j in 0..x.ncols() {
            write!(text, "f{j},").unwrap();
        }
        text.push_str("y\n");
        for (i, row) in x.rows().into_iter().enumerate() {
            for v in row {
                write!(text, "{v:?},").unwrap();
            }
            writeln!(text, "{}", labels[i]).unwrap();
        }
        std::fs::write(&csv, text).unwrap();
        let pq = dir.path(&format!("{}.parquet", case.name));
        let mut cols: Vec<(String, ArrayRef)> = (0..x.ncols())
            .map(|j| {
                (
                    format!("f{j}"),
                    Arc::new(Float64Array::from(x.column(j).to_vec())) as ArrayRef,
                )
            })
            .collect();
        cols.push(("y".into(), Arc::new(Int64Array::from(labels.clone()))));
        common::write_parquet(&pq, cols);

        let expected: Vec<usize> = case
            .output("e_is_label_issue")
            .vec_bool()
            .iter()
            .enumerate()
            .filter_map(|(i, &b)| b.then_some(i))
            .collect();
        for data in [&csv, &pq] {
            let j = run(&[
                "learn",
                "--data",
                s(data),
                "--label-column",
                "y",
                "--model",
                "gnb",
                "--seed",
                "5",
                "--folds",
                "4",
                "--format",
                "json",
            ])
            .json();
            let ctx = format!("{} {}", case.name, s(data));
            assert_eq!(usizes(&j["indices"]), expected, "{ctx}");
            cl_golden::assert_all_close(
                &common::floats(&j["scores"]),
                &case.output("e_label_quality").vec_f64(),
                cl_golden::REL_F64,
                &ctx,
            );
            assert_eq!(
                usizes(&j["predicted_labels"]),
                case.output("e_predicted_label").vec_usize(),
                "{ctx}"
            );
        }
    }
}
