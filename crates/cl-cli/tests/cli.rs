//! Integration tests of the `cleanlab` binary: every subcommand, input format and output
//! format, the bad-input errors (exit code and the one stderr line), the
//! `--fail-if-issues-above` gate, thread-count invariance and out-of-core equality.
//! Expected values come from the library crates called directly on the same arrays.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float64Builder};
use arrow_array::{ArrayRef, Int32Array, UInt16Array};
use cl_core::input::validate;
use cl_filter::{FilterBy, FilterOptions};
use cl_rank::{LabelQualityOptions, ScoreMethod};
use common::{
    TempDir, dataset, flagged, floats, parquet_columns, run, s, usizes, write_csv_labels,
    write_csv_matrix, write_parquet,
};
use ndarray::{Array1, Array2};
use ndarray_npy::write_npy;

const N: usize = 140;
const K: usize = 4;

/// The standard dataset written as `labels.npy` (int64) and `pred_probs.npy` (f64).
fn npy_pair(dir: &TempDir) -> (Vec<i64>, Array2<f64>) {
    let (labels, p) = dataset(N, K, 7);
    write_npy(dir.path("labels.npy"), &Array1::from(labels.clone())).unwrap();
    write_npy(dir.path("pred_probs.npy"), &p).unwrap();
    (labels, p)
}

fn expected_flagged(labels: &[i64], p: &Array2<f64>, opts: &FilterOptions) -> Vec<usize> {
    let (l, pp) = validate(labels, p.view()).unwrap();
    flagged(&cl_filter::find_label_issues(&l, &pp, opts).unwrap())
}

fn find_json(dir: &TempDir, labels: &str, probs: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "find-label-issues",
        "--labels",
        labels,
        "--pred-probs",
        probs,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let _ = dir;
    run(&args).json()
}

#[test]
fn find_label_issues_npy_label_dtypes_agree_with_the_library() {
    let dir = TempDir::new("dtypes");
    let (labels, p) = npy_pair(&dir);
    let want = expected_flagged(&labels, &p, &FilterOptions::default());
    assert!(want.len() >= 5, "the dataset has planted errors");
    let l32: Vec<i32> = labels.iter().map(|&v| v as i32).collect();
    let l16: Vec<u16> = labels.iter().map(|&v| v as u16).collect();
    write_npy(dir.path("l32.npy"), &Array1::from(l32)).unwrap();
    write_npy(dir.path("l16.npy"), &Array1::from(l16)).unwrap();
    let probs = dir.path("pred_probs.npy");
    let base = find_json(&dir, s(&dir.path("labels.npy")), s(&probs), &[]);
    assert_eq!(usizes(&base["indices"]), want);
    assert_eq!(base["num_examples"], N);
    assert_eq!(base["num_classes"], K);
    assert_eq!(base["num_issues"], want.len());
    assert_eq!(base["options"]["filter_by"], "prune_by_noise_rate");
    assert_eq!(base["score_method"], "self_confidence");
    // Self-confidence of each flagged row, its given label and its argmax.
    let scores = floats(&base["scores"]);
    let given = usizes(&base["given_labels"]);
    let suggested = usizes(&base["suggested_labels"]);
    for (r, &i) in want.iter().enumerate() {
        assert_eq!(given[r], labels[i] as usize);
        assert_eq!(scores[r], p[[i, given[r]]]);
        let argmax = cl_core::numerics::argmax(p.row(i).iter().copied()).unwrap();
        assert_eq!(suggested[r], argmax);
    }
    for name in ["l32.npy", "l16.npy"] {
        let other = find_json(&dir, s(&dir.path(name)), s(&probs), &[]);
        assert_eq!(other, base, "{name}");
    }
}

#[test]
fn find_label_issues_f32_stays_f32() {
    let dir = TempDir::new("f32");
    let (labels, p) = npy_pair(&dir);
    let p32 = p.mapv(|v| v as f32);
    write_npy(dir.path("p32.npy"), &p32).unwrap();
    let rank = LabelQualityOptions::new(ScoreMethod::NormalizedMargin);
    let opts = FilterOptions::default().filter_by(FilterBy::Both);
    let (l, pp) = validate(&labels, p32.view()).unwrap();
    let want = cl_filter::find_label_issues_ranked(&l, &pp, &opts, &rank).unwrap();
    let scores = cl_rank::get_label_quality_scores(&l, &pp, &rank).unwrap();
    let got = find_json(
        &dir,
        s(&dir.path("labels.npy")),
        s(&dir.path("p32.npy")),
        &["--filter-by", "both", "--rank-by", "normalized_margin"],
    );
    assert_eq!(usizes(&got["indices"]), want);
    let got_scores = floats(&got["scores"]);
    for (r, &i) in want.iter().enumerate() {
        // Computed from f32 values: equal to the f32 library scores, bit for bit.
        assert_eq!(got_scores[r], scores[i]);
    }
    assert_eq!(got["options"]["rank_by"], "normalized_margin");
}

#[test]
fn every_filter_and_option_matches_the_library() {
    let dir = TempDir::new("filters");
    let (labels, p) = npy_pair(&dir);
    let (lp, pp) = (dir.path("labels.npy"), dir.path("pred_probs.npy"));
    for f in FilterBy::ALL {
        let got = find_json(&dir, s(&lp), s(&pp), &["--filter-by", f.as_str()]);
        let opts = FilterOptions::default().filter_by(f);
        assert_eq!(
            usizes(&got["indices"]),
            expected_flagged(&labels, &p, &opts),
            "{f:?}"
        );
    }
    let got = find_json(
        &dir,
        s(&lp),
        s(&pp),
        &[
            "--filter-by",
            "prune_by_class",
            "--frac-noise",
            "0.5",
            "--min-examples-per-class",
            "3",
        ],
    );
    let opts = FilterOptions::default()
        .filter_by(FilterBy::PruneByClass)
        .frac_noise(0.5)
        .min_examples_per_class(3);
    assert_eq!(
        usizes(&got["indices"]),
        expected_flagged(&labels, &p, &opts)
    );
    assert_eq!(got["options"]["frac_noise"], 0.5);
    let got = find_json(
        &dir,
        s(&lp),
        s(&pp),
        &["--num-to-remove-per-class", "2,0,1,3"],
    );
    let opts = FilterOptions::default().num_to_remove_per_class(vec![2, 0, 1, 3]);
    assert_eq!(
        usizes(&got["indices"]),
        expected_flagged(&labels, &p, &opts)
    );
    assert_eq!(
        usizes(&got["options"]["num_to_remove_per_class"]),
        vec![2, 0, 1, 3]
    );
    // Ranked with adjusted pred_probs, as cleanlab's rank_by_kwargs.
    let got = find_json(
        &dir,
        s(&lp),
        s(&pp),
        &["--rank-by", "self_confidence", "--adjust-pred-probs"],
    );
    let (l, pr) = validate(&labels, p.view()).unwrap();
    let rank = LabelQualityOptions::default().adjust_pred_probs(true);
    let want =
        cl_filter::find_label_issues_ranked(&l, &pr, &FilterOptions::default(), &rank).unwrap();
    assert_eq!(usizes(&got["indices"]), want);
    let scores = floats(&got["scores"]);
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "ranked by score");
}

#[test]
fn csv_with_and_without_header_equals_npy() {
    let dir = TempDir::new("csv");
    let (labels, p) = npy_pair(&dir);
    write_csv_matrix(&dir.path("p_h.csv"), &p, true);
    write_csv_matrix(&dir.path("p.csv"), &p, false);
    write_csv_labels(&dir.path("l_h.csv"), &labels, true);
    write_csv_labels(&dir.path("l.csv"), &labels, false);
    let base = find_json(
        &dir,
        s(&dir.path("labels.npy")),
        s(&dir.path("pred_probs.npy")),
        &["--rank-by", "confidence_weighted_entropy"],
    );
    for (l, pr) in [
        ("l_h.csv", "p_h.csv"),
        ("l.csv", "p.csv"),
        ("l_h.csv", "p.csv"),
    ] {
        let got = find_json(
            &dir,
            s(&dir.path(l)),
            s(&dir.path(pr)),
            &["--rank-by", "confidence_weighted_entropy"],
        );
        assert_eq!(got, base, "{l} {pr}");
    }
    // One CSV with labels and probabilities: --label-column picks the labels and is left
    // out of pred_probs.
    let mut text = String::from("p0,p1,label,p2,p3\n");
    for (i, row) in p.rows().into_iter().enumerate() {
        writeln!(
            text,
            "{:?},{:?},{},{:?},{:?}",
            row[0], row[1], labels[i], row[2], row[3]
        )
        .unwrap();
    }
    std::fs::write(dir.path("both.csv"), text).unwrap();
    let both = s(&dir.path("both.csv")).to_string();
    let got = find_json(
        &dir,
        &both,
        &both,
        &[
            "--label-column",
            "label",
            "--rank-by",
            "confidence_weighted_entropy",
        ],
    );
    assert_eq!(got, base);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_inputs_equal_npy() {
    let dir = TempDir::new("parquet");
    let (labels, p) = npy_pair(&dir);
    let base = find_json(
        &dir,
        s(&dir.path("labels.npy")),
        s(&dir.path("pred_probs.npy")),
        &["--rank-by", "self_confidence"],
    );
    // Labels and probabilities in one file (one column per class).
    let data = dir.path("data.parquet");
    write_parquet(&data, parquet_columns(&p, Some(&labels), false));
    let got = find_json(
        &dir,
        s(&data),
        s(&data),
        &["--label-column", "label", "--rank-by", "self_confidence"],
    );
    assert_eq!(got, base);
    // Separate files: int32 labels, pred_probs as a fixed-size list column.
    let lp = dir.path("labels.parquet");
    let l32: Vec<i32> = labels.iter().map(|&v| v as i32).collect();
    write_parquet(
        &lp,
        vec![("y".into(), Arc::new(Int32Array::from(l32)) as ArrayRef)],
    );
    let mut b = FixedSizeListBuilder::new(Float64Builder::new(), K as i32);
    for row in p.rows() {
        b.values().append_slice(row.as_slice().unwrap());
        b.append(true);
    }
    let pp = dir.path("probs.parquet");
    write_parquet(
        &pp,
        vec![("pred_probs".into(), Arc::new(b.finish()) as ArrayRef)],
    );
    let got = find_json(&dir, s(&lp), s(&pp), &["--rank-by", "self_confidence"]);
    assert_eq!(got, base);
    // float32 columns are read as f32: same as an f32 .npy.
    let p32 = dir.path("p32.parquet");
    write_parquet(&p32, parquet_columns(&p, None, true));
    write_npy(dir.path("p32.npy"), &p.mapv(|v| v as f32)).unwrap();
    let a = find_json(&dir, s(&lp), s(&p32), &["--rank-by", "normalized_margin"]);
    let b = find_json(
        &dir,
        s(&dir.path("labels.npy")),
        s(&dir.path("p32.npy")),
        &["--rank-by", "normalized_margin"],
    );
    assert_eq!(a, b);
    // uint16 labels.
    let l16: Vec<u16> = labels.iter().map(|&v| v as u16).collect();
    let lp16 = dir.path("l16.parquet");
    write_parquet(
        &lp16,
        vec![("y".into(), Arc::new(UInt16Array::from(l16)) as ArrayRef)],
    );
    let got = find_json(&dir, s(&lp16), s(&pp), &["--rank-by", "self_confidence"]);
    assert_eq!(got, base);
}

#[test]
fn table_csv_and_output_file() {
    let dir = TempDir::new("formats");
    let (labels, p) = npy_pair(&dir);
    let (lp, pp) = (dir.path("labels.npy"), dir.path("pred_probs.npy"));
    let want = expected_flagged(&labels, &p, &FilterOptions::default());

    let t = run(&[
        "find-label-issues",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
    ]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(
        t.stdout
            .starts_with(&format!("{} label issues among {N} examples", want.len()))
    );
    assert!(t.stdout.contains("given label"));
    assert!(t.stdout.contains("suggested label"));
    assert!(t.stdout.contains("label quality (self_confidence)"));
    assert!(!t.stdout.contains("rank"), "not ranked");
    let row = format!("│ {:>5} ┆", want[0]);
    assert!(t.stdout.contains(&row), "{}", t.stdout);

    let t = run(&[
        "find-label-issues",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--rank-by",
        "self_confidence",
    ]);
    assert!(t.stdout.contains("ranked by self_confidence"));
    assert!(t.stdout.contains("│ rank ┆ index ┆"));

    let c = run(&[
        "find-label-issues",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--format",
        "csv",
    ]);
    assert_eq!(c.code, 0);
    let lines: Vec<&str> = c.stdout.lines().collect();
    assert_eq!(lines[0], "index,given_label,suggested_label,label_quality");
    assert_eq!(lines.len(), want.len() + 1);
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(first[0], want[0].to_string());
    assert_eq!(
        first[3].parse::<f64>().unwrap(),
        p[[want[0], labels[want[0]] as usize]]
    );

    // --output: the file gets exactly what stdout would have had; stdout stays empty.
    let out = dir.path("result.json");
    let r = run(&[
        "find-label-issues",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--format",
        "json",
        "--output",
        s(&out),
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.is_empty());
    let stdout = run(&[
        "find-label-issues",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--format",
        "json",
    ]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout.stdout);
}

#[test]
fn no_issues_table_says_so() {
    let dir = TempDir::new("clean");
    let labels: Vec<i64> = (0..20).map(|i| i % 2).collect();
    let p = Array2::from_shape_fn((20, 2), |(i, j)| if j == (i % 2) { 0.9 } else { 0.1 });
    write_npy(dir.path("l.npy"), &Array1::from(labels)).unwrap();
    write_npy(dir.path("p.npy"), &p).unwrap();
    let (l, pp) = (dir.path("l.npy"), dir.path("p.npy"));
    let t = run(&[
        "find-label-issues",
        "--labels",
        s(&l),
        "--pred-probs",
        s(&pp),
    ]);
    assert_eq!(t.code, 0);
    assert!(
        t.stdout
            .starts_with("No label issues found among 20 examples")
    );
    let j = find_json(&dir, s(&l), s(&pp), &[]);
    assert_eq!(usizes(&j["indices"]), Vec::<usize>::new());
    assert_eq!(j["fraction_issues"], 0.0);
}

#[test]
fn label_quality_scores_every_row() {
    let dir = TempDir::new("lq");
    let (labels, p) = npy_pair(&dir);
    let (lp, pp) = (dir.path("labels.npy"), dir.path("pred_probs.npy"));
    let (l, pr) = validate(&labels, p.view()).unwrap();
    for (method, adjust) in [
        ("self_confidence", false),
        ("self_confidence", true),
        ("normalized_margin", true),
        ("confidence_weighted_entropy", false),
    ] {
        let mut args = vec![
            "label-quality",
            "--labels",
            s(&lp),
            "--pred-probs",
            s(&pp),
            "--method",
            method,
            "--format",
            "json",
        ];
        if adjust {
            args.push("--adjust-pred-probs");
        }
        let got = run(&args).json();
        let opts = LabelQualityOptions::new(method.parse().unwrap()).adjust_pred_probs(adjust);
        let want = cl_rank::get_label_quality_scores(&l, &pr, &opts).unwrap();
        assert_eq!(floats(&got["scores"]), want, "{method} {adjust}");
        assert_eq!(got["method"], method);
        assert_eq!(got["adjust_pred_probs"], adjust);
        assert_eq!(usizes(&got["given_labels"]).len(), N);
        assert_eq!(usizes(&got["suggested_labels"]).len(), N);
    }
    let c = run(&[
        "label-quality",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--format",
        "csv",
    ]);
    let lines: Vec<&str> = c.stdout.lines().collect();
    assert_eq!(lines.len(), N + 1);
    assert_eq!(lines[0], "index,given_label,suggested_label,label_quality");
    let t = run(&["label-quality", "--labels", s(&lp), "--pred-probs", s(&pp)]);
    assert!(
        t.stdout
            .starts_with(&format!("Label quality (self_confidence) of {N} examples"))
    );
    assert_eq!(t.stdout.matches('┆').count(), (N + 1) * 3);
    let e = run(&[
        "label-quality",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--method",
        "confidence_weighted_entropy",
        "--adjust-pred-probs",
    ])
    .error_line(2);
    assert!(
        e.contains("--adjust-pred-probs cannot be used with --method confidence_weighted_entropy")
    );
}

#[test]
fn health_summary_with_class_names() {
    let dir = TempDir::new("health");
    let (labels, p) = npy_pair(&dir);
    let (lp, pp) = (dir.path("labels.npy"), dir.path("pred_probs.npy"));
    let (l, pr) = validate(&labels, p.view()).unwrap();
    let joint = cl_filter::dataset::DatasetJoint::from_data(&l, &pr).unwrap();
    let want = cl_filter::dataset::health_summary(&joint, None, false).unwrap();

    let got = run(&[
        "health",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--format",
        "json",
    ])
    .json();
    assert_eq!(
        got["overall_label_health_score"],
        want.overall_label_health_score
    );
    assert_eq!(got["num_examples"], N);
    assert_eq!(got["num_label_issues"], joint.num_label_issues.unwrap());
    let classes = got["classes_by_label_quality"].as_array().unwrap();
    assert_eq!(classes.len(), K);
    for (c, w) in classes.iter().zip(&want.classes_by_label_quality) {
        assert_eq!(c["class_index"], w.class_index);
        assert_eq!(c["label_issues"], w.label_issues);
        assert_eq!(c["label_quality_score"], w.label_quality_score);
        assert!(c["class_name"].is_null());
    }
    assert_eq!(
        got["overlapping_classes"].as_array().unwrap().len(),
        want.overlapping_classes.len()
    );
    assert_eq!(got["joint"][1][2], want.joint[[1, 2]]);

    std::fs::write(dir.path("names.txt"), "cat\ndog\nbird\nfish\n").unwrap();
    std::fs::write(dir.path("names.json"), r#"["cat", "dog", "bird", "fish"]"#).unwrap();
    let mut outputs = Vec::new();
    for names in ["names.txt", "names.json"] {
        let t = run(&[
            "health",
            "--labels",
            s(&lp),
            "--pred-probs",
            s(&pp),
            "--class-names",
            s(&dir.path(names)),
        ]);
        assert_eq!(t.code, 0, "{}", t.stderr);
        assert!(t.stdout.starts_with("Overall label health score: "));
        assert!(t.stdout.contains("3 (fish)"));
        assert!(t.stdout.contains("Overlapping classes"));
        outputs.push(t.stdout);
    }
    assert_eq!(outputs[0], outputs[1]);
    let c = run(&[
        "health",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--class-names",
        s(&dir.path("names.txt")),
        "--format",
        "csv",
    ]);
    let lines: Vec<&str> = c.stdout.lines().collect();
    assert_eq!(lines.len(), K + 1);
    assert!(lines[0].starts_with("class_index,class_name,label_issues"));

    std::fs::write(dir.path("three.txt"), "a\nb\nc\n").unwrap();
    let e = run(&[
        "health",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
        "--class-names",
        s(&dir.path("three.txt")),
    ])
    .error_line(2);
    assert!(
        e.ends_with("three.txt: has 3 class names but pred_probs.npy has 4 columns (classes)"),
        "{e}"
    );
}

/// Writes one bad input and checks the exit code and the whole stderr line.
#[test]
#[allow(clippy::too_many_lines)] // a table of cases
fn bad_inputs_exit_2_with_one_line() {
    let dir = TempDir::new("bad");
    let (labels, p) = npy_pair(&dir);
    let d = |n: &str| dir.path(n);
    let mut nan = p.clone();
    nan[[17, 3]] = f64::NAN;
    write_npy(d("nan.npy"), &nan).unwrap();
    let mut inf = p.clone();
    inf[[5, 1]] = f64::INFINITY;
    write_npy(d("inf.npy"), &inf).unwrap();
    let mut big = p.clone();
    big[[8, 0]] = 1.5;
    write_npy(d("big.npy"), &big).unwrap();
    let mut oor = labels.clone();
    oor[9] = 7;
    write_npy(d("oor.npy"), &Array1::from(oor)).unwrap();
    let mut neg = labels.clone();
    neg[4] = -1;
    write_npy(d("neg.npy"), &Array1::from(neg)).unwrap();
    write_npy(d("short.npy"), &Array1::from(labels[..N - 1].to_vec())).unwrap();
    write_npy(
        d("flabels.npy"),
        &Array1::from(labels.iter().map(|&v| v as f64).collect::<Vec<_>>()),
    )
    .unwrap();
    write_npy(
        d("blabels.npy"),
        &Array1::from(labels.iter().map(|&v| v > 1).collect::<Vec<_>>()),
    )
    .unwrap();
    write_npy(d("l2d.npy"), &Array2::<i64>::zeros((N, 2))).unwrap();
    write_npy(d("p1d.npy"), &Array1::<f64>::zeros(N)).unwrap();
    write_npy(d("pint.npy"), &Array2::<i64>::zeros((N, K))).unwrap();
    write_npy(d("lempty.npy"), &Array1::<i64>::zeros(0)).unwrap();
    write_npy(d("pempty.npy"), &Array2::<f64>::zeros((0, K))).unwrap();
    std::fs::write(d("labels.txt"), "0\n1\n").unwrap();
    std::fs::write(d("bad.csv"), "0.5,0.5\n0.5,x\n").unwrap();
    std::fs::write(d("empty.csv"), "").unwrap();
    write_csv_labels(&d("lshort.csv"), &labels[..3], true);

    let cases: &[(&str, &str, &str)] = &[
        (
            "missing.npy",
            "pred_probs.npy",
            "missing.npy: file not found",
        ),
        (
            "labels.txt",
            "pred_probs.npy",
            "labels.txt: unknown extension .txt; use .npy, .csv or .parquet",
        ),
        ("labels.npy", "nan.npy", "nan.npy: row 17 column 3 is NaN"),
        ("labels.npy", "inf.npy", "inf.npy: row 5 column 1 is inf"),
        (
            "labels.npy",
            "big.npy",
            "big.npy: row 8 column 0 has value 1.5, outside [0, 1]",
        ),
        (
            "oor.npy",
            "pred_probs.npy",
            "oor.npy: row 9 has label 7, not a class index in 0..4 (pred_probs.npy has 4 columns)",
        ),
        (
            "neg.npy",
            "pred_probs.npy",
            "neg.npy: row 4 has label -1, which is negative",
        ),
        (
            "short.npy",
            "pred_probs.npy",
            "short.npy: has 139 labels but pred_probs.npy has 140 rows (one label per row needed)",
        ),
        (
            "lshort.csv",
            "pred_probs.npy",
            "lshort.csv: has 3 labels but pred_probs.npy has 140 rows (one label per row needed)",
        ),
        (
            "flabels.npy",
            "pred_probs.npy",
            "flabels.npy: labels must be integers, found float64 (cleanlab rejects float labels too; convert with labels.astype(int))",
        ),
        (
            "blabels.npy",
            "pred_probs.npy",
            "blabels.npy: labels must be integers, found bool",
        ),
        (
            "l2d.npy",
            "pred_probs.npy",
            "l2d.npy: labels must be 1-D (one label per example), found shape (140, 2)",
        ),
        (
            "labels.npy",
            "p1d.npy",
            "p1d.npy: pred_probs must be 2-D (N×K), found shape (140,)",
        ),
        (
            "labels.npy",
            "pint.npy",
            "pint.npy: pred_probs must be float32 or float64, found int64",
        ),
        (
            "lempty.npy",
            "pred_probs.npy",
            "lempty.npy: is empty (shape (0,))",
        ),
        (
            "labels.npy",
            "pempty.npy",
            "pempty.npy: is empty (shape (0, 4))",
        ),
        (
            "empty.csv",
            "pred_probs.npy",
            "empty.csv: is empty (no rows)",
        ),
        (
            "labels.npy",
            "bad.csv",
            "bad.csv: row 1 (line 2) column 1 is not a number: \"x\"",
        ),
    ];
    for &(l, pr, want) in cases {
        for sub in ["find-label-issues", "label-quality", "health"] {
            let line = run(&[sub, "--labels", s(&d(l)), "--pred-probs", s(&d(pr))]).error_line(2);
            let dir_prefix = format!("error: {}/", dir.path("x").parent().unwrap().display());
            assert_eq!(
                line.replacen(&dir_prefix, "error: ", 1),
                format!("error: {want}"),
                "{sub} {l} {pr}"
            );
        }
    }
    // The out-of-core reader reports the same problems.
    for &(l, pr, want) in &cases[2..8] {
        let line = run(&[
            "find-label-issues",
            "--out-of-core",
            "--chunk-rows",
            "16",
            "--labels",
            s(&d(l)),
            "--pred-probs",
            s(&d(pr)),
        ])
        .error_line(2);
        assert!(line.ends_with(want), "out-of-core {l} {pr}: {line}");
    }
}

#[test]
fn bad_options_exit_2_with_one_line() {
    let dir = TempDir::new("opts");
    npy_pair(&dir);
    let (lp, pp) = (dir.path("labels.npy"), dir.path("pred_probs.npy"));
    let base = [
        "find-label-issues",
        "--labels",
        s(&lp),
        "--pred-probs",
        s(&pp),
    ];
    let cases: &[(&[&str], &str)] = &[
        (
            &["--frac-noise", "0"],
            "error: --frac-noise must be in (0, 1], got 0",
        ),
        (
            &["--fail-if-issues-above", "1.5"],
            "error: --fail-if-issues-above must be a fraction in [0, 1], got 1.5",
        ),
        (
            &["--num-to-remove-per-class", "1,2"],
            "error: --num-to-remove-per-class needs 4 values (one per class), got 2 values",
        ),
        (
            &[
                "--filter-by",
                "confident_learning",
                "--num-to-remove-per-class",
                "1,1,1,1",
            ],
            "error: num_to_remove_per_class works only with prune_by_noise_rate, prune_by_class or both, not confident_learning",
        ),
        (
            &[
                "--rank-by",
                "confidence_weighted_entropy",
                "--adjust-pred-probs",
            ],
            "error: --adjust-pred-probs cannot be used with --rank-by confidence_weighted_entropy (as in cleanlab)",
        ),
        (&["--threads", "0"], "error: --threads must be at least 1"),
        (
            &["--out-of-core", "--chunk-rows", "0"],
            "error: --chunk-rows must be at least 1",
        ),
    ];
    for &(extra, want) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        assert_eq!(run(&args).error_line(2), want, "{extra:?}");
    }
    // clap's own usage errors: also one line, exit 2.
    let mut args = base.to_vec();
    args.extend_from_slice(&["--filter-by", "nope"]);
    let line = run(&args).error_line(2);
    assert!(
        line.starts_with("error: invalid value 'nope' for '--filter-by"),
        "{line}"
    );
    assert!(line.contains("prune_by_noise_rate"), "{line}");
    let line = run(&["find-label-issues", "--labels", s(&lp)]).error_line(2);
    assert!(line.contains("--pred-probs"), "{line}");
    // The output cannot be written: exit 1.
    let mut args = base.to_vec();
    args.extend_from_slice(&["--output", "/nonexistent-dir/x.json"]);
    let line = run(&args).error_line(1);
    assert!(
        line.starts_with("error: cannot write /nonexistent-dir/x.json: "),
        "{line}"
    );
}

#[test]
fn fail_if_issues_above_gates_after_writing() {
    let dir = TempDir::new("gate");
    let (labels, p) = npy_pair(&dir);
    let (lp, pp) = (dir.path("labels.npy"), dir.path("pred_probs.npy"));
    let m = expected_flagged(&labels, &p, &FilterOptions::default()).len();
    let frac = m as f64 / N as f64;
    let gate = |limit: f64| {
        run(&[
            "find-label-issues",
            "--labels",
            s(&lp),
            "--pred-probs",
            s(&pp),
            "--format",
            "json",
            "--fail-if-issues-above",
            &limit.to_string(),
        ])
    };
    let over = gate(frac / 2.0);
    assert_eq!(over.code, 3, "{}", over.stderr);
    // The output is complete before the gate fails.
    let j: serde_json::Value = serde_json::from_str(&over.stdout).unwrap();
    assert_eq!(j["num_issues"], m);
    assert_eq!(
        over.stderr.trim_end(),
        format!(
            "error: {m} of {N} examples flagged ({:.2}%), above --fail-if-issues-above {}",
            100.0 * frac,
            frac / 2.0
        )
    );
    // At or below the limit: success.
    assert_eq!(gate(frac).code, 0);
    assert_eq!(gate(1.0).code, 0);
}

#[test]
fn results_identical_for_every_thread_count() {
    let dir = TempDir::new("threads");
    let (labels, p) = dataset(3000, 6, 11);
    write_npy(dir.path("l.npy"), &Array1::from(labels)).unwrap();
    write_npy(dir.path("p.npy"), &p).unwrap();
    let (lp, pp) = (dir.path("l.npy"), dir.path("p.npy"));
    let commands: Vec<Vec<&str>> = vec![
        vec![
            "find-label-issues",
            "--rank-by",
            "normalized_margin",
            "--adjust-pred-probs",
        ],
        vec!["find-label-issues", "--filter-by", "both"],
        vec!["find-label-issues", "--out-of-core", "--chunk-rows", "500"],
        vec!["label-quality", "--method", "confidence_weighted_entropy"],
        vec!["health"],
    ];
    for cmd in commands {
        let outputs: Vec<String> = ["1", "3"]
            .iter()
            .map(|t| {
                let mut args = vec!["--threads", t];
                args.extend_from_slice(&cmd);
                args.extend_from_slice(&[
                    "--labels",
                    s(&lp),
                    "--pred-probs",
                    s(&pp),
                    "--format",
                    "json",
                ]);
                let r = run(&args);
                assert_eq!(r.code, 0, "{}", r.stderr);
                r.stdout
            })
            .collect();
        assert_eq!(outputs[0], outputs[1], "{cmd:?}");
    }
}

#[test]
fn out_of_core_equals_in_memory() {
    let dir = TempDir::new("ooc");
    let (labels, p) = dataset(600, 5, 3);
    write_npy(dir.path("l64.npy"), &Array1::from(labels.clone())).unwrap();
    let l16: Vec<u16> = labels.iter().map(|&v| v as u16).collect();
    write_npy(dir.path("l16.npy"), &Array1::from(l16)).unwrap();
    write_npy(dir.path("p64.npy"), &p).unwrap();
    write_npy(dir.path("p32.npy"), &p.mapv(|v| v as f32)).unwrap();
    let option_sets: &[&[&str]] = &[
        &[],
        &["--rank-by", "self_confidence", "--adjust-pred-probs"],
        &[
            "--filter-by",
            "both",
            "--rank-by",
            "confidence_weighted_entropy",
        ],
        &[
            "--filter-by",
            "low_normalized_margin",
            "--rank-by",
            "normalized_margin",
            "--adjust-pred-probs",
        ],
        &["--filter-by", "confident_learning", "--frac-noise", "0.5"],
        &["--num-to-remove-per-class", "3,1,0,2,4"],
    ];
    for probs in ["p64.npy", "p32.npy"] {
        for opts in option_sets {
            let memory = find_json(&dir, s(&dir.path("l64.npy")), s(&dir.path(probs)), opts);
            for (labels, chunk) in [("l64.npy", "64"), ("l16.npy", "7")] {
                let mut extra = opts.to_vec();
                extra.extend_from_slice(&["--out-of-core", "--chunk-rows", chunk]);
                let mut ooc = find_json(&dir, s(&dir.path(labels)), s(&dir.path(probs)), &extra);
                assert_eq!(ooc["options"]["out_of_core"], true);
                ooc["options"]["out_of_core"] = false.into();
                assert_eq!(ooc, memory, "{probs} {labels} {opts:?}");
            }
        }
    }
    let line = run(&[
        "find-label-issues",
        "--out-of-core",
        "--labels",
        s(&dir.path("l64.npy")),
        "--pred-probs",
        s(&dir.path("p64.npy")),
        "--label-column",
        "y",
    ])
    .error_line(2);
    assert_eq!(
        line,
        "error: --label-column applies to CSV and Parquet files, not to .npy"
    );
    write_csv_labels(&dir.path("l.csv"), &labels, false);
    let line = run(&[
        "find-label-issues",
        "--out-of-core",
        "--labels",
        s(&dir.path("l.csv")),
        "--pred-probs",
        s(&dir.path("p64.npy")),
    ])
    .error_line(2);
    assert!(line.ends_with("l.csv: --out-of-core reads .npy files only (convert with numpy.save)"));
}

#[test]
fn help_and_version_succeed() {
    let h = run(&["--help"]);
    assert_eq!(h.code, 0);
    for sub in ["find-label-issues", "label-quality", "health", "Exit codes"] {
        assert!(h.stdout.contains(sub), "{sub}");
    }
    let h = run(&["find-label-issues", "--help"]);
    assert!(h.stdout.contains("prune_by_noise_rate"));
    assert!(h.stdout.contains("--fail-if-issues-above"));
    let v = run(&["--version"]);
    assert_eq!(v.code, 0);
    assert!(v.stdout.starts_with("cleanlab "));
}

/// Every pred_probs subcommand gives the same JSON from `.npy`, `.csv` (with and without a
/// header) and `.parquet` (separate files, and labels and probabilities in one file).
#[cfg(feature = "parquet")]
#[test]
fn every_subcommand_reads_every_format() {
    let dir = TempDir::new("formats");
    let (labels, p) = npy_pair(&dir);
    write_csv_matrix(&dir.path("p.csv"), &p, true);
    write_csv_labels(&dir.path("l.csv"), &labels, false);
    write_parquet(&dir.path("p.parquet"), parquet_columns(&p, None, false));
    write_parquet(
        &dir.path("l.parquet"),
        vec![(
            "y".into(),
            Arc::new(Int32Array::from(
                labels.iter().map(|&v| v as i32).collect::<Vec<_>>(),
            )) as ArrayRef,
        )],
    );
    write_parquet(
        &dir.path("both.parquet"),
        parquet_columns(&p, Some(&labels), false),
    );
    let both = s(&dir.path("both.parquet")).to_string();
    let inputs: Vec<(String, String, Vec<&str>)> = vec![
        (
            s(&dir.path("l.csv")).into(),
            s(&dir.path("p.csv")).into(),
            vec![],
        ),
        (
            s(&dir.path("l.parquet")).into(),
            s(&dir.path("p.parquet")).into(),
            vec![],
        ),
        (both.clone(), both, vec!["--label-column", "label"]),
    ];
    for sub in ["find-label-issues", "label-quality", "health"] {
        let json = |l: &str, pr: &str, extra: &[&str]| {
            let mut a = vec![sub, "--labels", l, "--pred-probs", pr, "--format", "json"];
            a.extend_from_slice(extra);
            run(&a).json()
        };
        let base = json(
            s(&dir.path("labels.npy")),
            s(&dir.path("pred_probs.npy")),
            &[],
        );
        for (l, pr, extra) in &inputs {
            assert_eq!(json(l, pr, extra), base, "{sub} {l} {pr}");
        }
    }
}

/// Bad CSV and Parquet inputs (NaN, labels out of range, float labels, text in pred_probs, a
/// missing label column): every subcommand exits 2 with one line naming the file.
#[cfg(feature = "parquet")]
#[test]
#[allow(clippy::too_many_lines)] // a table of cases
fn bad_csv_and_parquet_inputs_exit_2_with_one_line() {
    let dir = TempDir::new("bad-tab");
    let (labels, p) = npy_pair(&dir);
    let d = |n: &str| dir.path(n);
    let mut nan = p.clone();
    nan[[17, 3]] = f64::NAN;
    write_csv_matrix(&d("nan.csv"), &nan, true);
    write_parquet(&d("nan.parquet"), parquet_columns(&nan, None, false));
    let mut oor = labels.clone();
    oor[9] = 7;
    write_csv_labels(&d("oor.csv"), &oor, true);
    write_parquet(
        &d("oor.parquet"),
        vec![(
            "y".into(),
            Arc::new(Int32Array::from(
                oor.iter().map(|&v| v as i32).collect::<Vec<_>>(),
            )) as ArrayRef,
        )],
    );
    let mut text = String::from("label\n");
    for (i, l) in labels.iter().enumerate() {
        if i == 2 {
            text.push_str("1.5\n");
        } else {
            writeln!(text, "{l}").unwrap();
        }
    }
    std::fs::write(d("float.csv"), text).unwrap();
    write_parquet(
        &d("float.parquet"),
        vec![(
            "y".into(),
            Arc::new(arrow_array::Float64Array::from(
                labels.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            )) as ArrayRef,
        )],
    );
    let mut cols = parquet_columns(&p, None, false);
    cols[2].1 = Arc::new(arrow_array::StringArray::from(vec!["x"; N]));
    write_parquet(&d("text.parquet"), cols);
    write_parquet(
        &d("both.parquet"),
        parquet_columns(&p, Some(&labels), false),
    );
    write_csv_matrix(&d("p.csv"), &p, true);
    write_csv_labels(&d("l.csv"), &labels, true);

    let cases: &[(&str, &str, &[&str], &str)] = &[
        ("l.csv", "nan.csv", &[], "nan.csv: row 17 column 3 is NaN"),
        (
            "l.csv",
            "nan.parquet",
            &[],
            "nan.parquet: row 17 column 3 is NaN",
        ),
        (
            "oor.csv",
            "p.csv",
            &[],
            "oor.csv: row 9 has label 7, not a class index in 0..4 (p.csv has 4 columns)",
        ),
        (
            "oor.parquet",
            "p.csv",
            &[],
            "oor.parquet: row 9 has label 7, not a class index in 0..4 (p.csv has 4 columns)",
        ),
        (
            "float.csv",
            "p.csv",
            &[],
            "float.csv: row 2 (line 4): label \"1.5\" is not an integer",
        ),
        (
            "float.parquet",
            "p.csv",
            &[],
            "float.parquet: label column \"y\" has type Float64; labels must be integers (cleanlab rejects float labels too; store them as integers)",
        ),
        (
            "l.csv",
            "text.parquet",
            &[],
            "text.parquet: column \"p2\" has type Utf8; pred_probs needs numeric columns (one per class) or a single list column (if labels are in this file, pass --label-column NAME)",
        ),
        (
            "both.parquet",
            "both.parquet",
            &["--label-column", "target"],
            "both.parquet: no column named \"target\"; columns: p0 (Float64), p1 (Float64), p2 (Float64), p3 (Float64), label (Int64)",
        ),
        (
            "l.csv",
            "p.csv",
            &["--label-column", "target"],
            "l.csv: no column named \"target\"; columns: label",
        ),
    ];
    let prefix = format!("error: {}/", dir.path("x").parent().unwrap().display());
    for &(l, pr, extra, want) in cases {
        for sub in ["find-label-issues", "label-quality", "health"] {
            let (lp, pp) = (d(l), d(pr));
            let mut a = vec![sub, "--labels", s(&lp), "--pred-probs", s(&pp)];
            a.extend_from_slice(extra);
            let line = run(&a).error_line(2);
            assert_eq!(
                line.replacen(&prefix, "error: ", 1),
                format!("error: {want}"),
                "{sub} {l} {pr}"
            );
        }
    }
}
