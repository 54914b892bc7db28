//! `cleanlab demo` and `cleanlab learn` through the binary: the demo's precision and recall,
//! its JSON/CSV outputs and options; `learn` on CSV and Parquet tables (integer and string
//! labels) against the library, its outputs, the CI gate and every bad-input case.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int64Array, LargeStringArray,
    StringArray,
};
use cl_learn::demo::{DemoConfig, dataset};
use cl_learn::models::{GaussianNB, LogisticRegression};
use cl_learn::{CleanLearning, FindIssuesArgs, LabelIssues};
use common::{TempDir, flagged, floats, run, s, usizes, write_parquet};
use ndarray::Array2;

// ---------------------------------------------------------------- demo

#[test]
fn demo_default_reaches_precision_and_recall_of_0_8() {
    // The README's command: a readable report with precision, recall, top issues, health.
    let r = run(&["demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    for needle in [
        "precision  0.",
        "recall     0.",
        "Top 10 label issues",
        "Cleanlab Dataset Health Summary",
        "label health score",
    ] {
        assert!(r.stdout.contains(needle), "{needle} missing:\n{}", r.stdout);
    }
    // The same run as one JSON object.
    let j = run(&["demo", "--format", "json", "--quiet"]).json();
    assert_eq!(j["command"], "demo");
    let precision = j["precision"].as_f64().unwrap();
    let recall = j["recall"].as_f64().unwrap();
    assert!(precision >= 0.8, "precision {precision}");
    assert!(recall >= 0.8, "recall {recall}");
    assert_eq!(j["num_examples"], 3000);
    assert_eq!(j["config"]["seed"], 0);
    let indices = usizes(&j["indices"]);
    assert_eq!(indices.len(), j["num_issues"].as_u64().unwrap() as usize);
    assert!(indices.windows(2).all(|w| w[0] < w[1]), "ascending");
    let flipped = usizes(&j["flipped"]);
    assert_eq!(flipped.len(), j["num_flipped"].as_u64().unwrap() as usize);
    let tp = indices.iter().filter(|i| flipped.contains(i)).count();
    assert_eq!(tp, j["true_positives"].as_u64().unwrap() as usize);
    assert!((precision - tp as f64 / indices.len() as f64).abs() < 1e-12);
    assert!((recall - tp as f64 / flipped.len() as f64).abs() < 1e-12);
    assert_eq!(floats(&j["scores"]).len(), 3000);
    assert_eq!(j["top_issues"].as_array().unwrap().len(), 10);
    let score = j["health"]["overall_label_health_score"].as_f64().unwrap();
    assert!(score > 0.5 && score < 1.0, "{score}");
    assert!(j["health"].get("command").is_none());
    // The text report shows the same precision.
    assert!(
        r.stdout.contains(&format!("precision  {precision:.3}")),
        "{}",
        r.stdout
    );
}

/// Removes the only fields that vary between runs.
fn without_timings(mut j: serde_json::Value) -> serde_json::Value {
    j.as_object_mut().unwrap().remove("timings_ms");
    j
}

#[test]
fn demo_options_threads_and_outputs() {
    let dir = TempDir::new("demo");
    let small = [
        "demo",
        "-n",
        "400",
        "--num-test-examples",
        "100",
        "--num-classes",
        "3",
        "--seed",
        "4",
        "--top",
        "5",
    ];
    let json = |extra: &[&str]| {
        let mut a = small.to_vec();
        a.extend_from_slice(&["--format", "json"]);
        a.extend_from_slice(extra);
        run(&a).json()
    };
    let one = json(&["--threads", "1"]);
    let three = json(&["--threads", "3"]);
    assert_eq!(one["timings_ms"]["threads"], 1);
    assert_eq!(three["timings_ms"]["threads"], 3);
    assert_eq!(without_timings(one.clone()), without_timings(three));
    assert_eq!(one["num_examples"], 400);
    assert_eq!(one["num_classes"], 3);
    assert_eq!(one["top_issues"].as_array().unwrap().len(), 5);
    // The JSON equals the library's run of the same configuration.
    let cfg = DemoConfig::default()
        .num_examples(400)
        .num_test_examples(100)
        .num_classes(3)
        .seed(4)
        .top_k(5);
    let lib = cl_learn::demo::run(&cfg).unwrap();
    assert_eq!(usizes(&one["indices"]), lib.label_issues.issue_indices());
    assert_eq!(floats(&one["scores"]), lib.label_issues.label_quality);
    assert_eq!(usizes(&one["flipped"]), lib.flipped);
    assert_eq!(one["precision"].as_f64().unwrap(), lib.precision);

    // CSV: one row per example, to a file.
    let out = dir.path("demo.csv");
    let mut a = small.to_vec();
    a.extend_from_slice(&["--format", "csv", "--output", s(&out), "--quiet"]);
    let r = run(&a);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "index,is_label_issue,label_quality,given_label,predicted_label,flipped"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 400);
    let csv_flagged: Vec<usize> = rows
        .iter()
        .filter(|r| r[1] == "true")
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert_eq!(csv_flagged, lib.label_issues.issue_indices());
    let csv_flipped: Vec<usize> = rows
        .iter()
        .filter(|r| r[5] == "true")
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert_eq!(csv_flipped, lib.flipped);
}

/// `demo --write-data` writes the training table; `learn` on it (string labels, logistic
/// regression, 5 folds, the demo's seed) finds exactly the demo's issues.
#[test]
fn demo_data_round_trips_through_learn() {
    let dir = TempDir::new("demo-data");
    let data = dir.path("demo.csv");
    let demo = run(&[
        "demo",
        "-n",
        "500",
        "--num-test-examples",
        "50",
        "--seed",
        "9",
        "--write-data",
        s(&data),
        "--format",
        "json",
    ])
    .json();
    let text = std::fs::read_to_string(&data).unwrap();
    assert_eq!(text.lines().count(), 501);
    assert_eq!(text.lines().next().unwrap(), "x0,x1,x2,x3,x4,x5,label");
    let learn = learn_json(&data, &["--seed", "9"]);
    assert_eq!(learn["indices"], demo["indices"]);
    assert_eq!(learn["scores"], demo["scores"]);
    assert_eq!(learn["given_labels"], demo["given_labels"]);
    assert_eq!(learn["class_names"], demo["class_names"]);
    let line = run(&["demo", "--write-data", s(&dir.path("demo.parquet"))]).error_line(2);
    assert!(line.contains("--write-data writes CSV"), "{line}");
}

#[test]
fn demo_bad_options_exit_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--noise-rate", "0.9"],
            "error: --noise-rate: 0.9 is not in (0, 0.8)",
        ),
        (
            &["--folds", "1"],
            "error: --folds must be at least 2, got 1",
        ),
        (
            &["--num-classes", "1"],
            "error: --num-classes: needs at least 2 classes",
        ),
        (
            &["-n", "5"],
            "error: --num-examples: 5 examples are too few for 5 classes and 5 folds",
        ),
    ];
    for &(extra, want) in cases {
        let mut a = vec!["demo"];
        a.extend_from_slice(extra);
        assert_eq!(run(&a).error_line(2), want, "{extra:?}");
    }
    let line = run(&["demo", "--format", "yaml"]).error_line(2);
    assert!(line.contains("--format"), "{line}");
}

// ---------------------------------------------------------------- learn

const N: usize = 240;
const D: usize = 6;

/// Features and noisy labels (3 classes) from the demo generator.
fn table_data() -> (Array2<f64>, Vec<usize>) {
    let cfg = DemoConfig::default()
        .num_examples(N)
        .num_test_examples(10)
        .num_classes(3)
        .noise_rate(0.15)
        .seed(2);
    let d = dataset(&cfg).unwrap();
    (d.features, d.labels)
}

/// Class names whose sorted order differs from the class indices.
const NAMES: [&str; 3] = ["plum", "apple", "kiwi"];

/// The class index of `NAMES[k]` in sorted order.
fn sorted_index(k: usize) -> usize {
    let mut sorted = NAMES.to_vec();
    sorted.sort_unstable();
    sorted.iter().position(|n| *n == NAMES[k]).unwrap()
}

/// Writes `x0,x1,label,x2,...` (label column in the middle), optionally with pandas' index
/// column first and string labels.
fn write_csv_table(path: &std::path::Path, x: &Array2<f64>, labels: &[usize], strings: bool) {
    let mut text = String::from(",x0,x1,label");
    for j in 2..x.ncols() {
        write!(text, ",x{j}").unwrap();
    }
    text.push('\n');
    for (i, row) in x.rows().into_iter().enumerate() {
        let label = if strings {
            NAMES[labels[i]].to_string()
        } else {
            labels[i].to_string()
        };
        write!(text, "{i},{:?},{:?},{label}", row[0], row[1]).unwrap();
        for v in row.iter().skip(2) {
            write!(text, ",{v:?}").unwrap();
        }
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn feature_columns(x: &Array2<f64>) -> Vec<(String, ArrayRef)> {
    (0..x.ncols())
        .map(|j| {
            (
                format!("x{j}"),
                Arc::new(Float64Array::from(x.column(j).to_vec())) as ArrayRef,
            )
        })
        .collect()
}

fn write_parquet_table(path: &std::path::Path, x: &Array2<f64>, label: ArrayRef) {
    let mut cols = feature_columns(x);
    cols.insert(1, ("label".into(), label));
    write_parquet(path, cols);
}

fn library_issues(x: &Array2<f64>, labels: &[usize], gnb: bool, extra: bool) -> LabelIssues {
    let args = FindIssuesArgs::default();
    if gnb {
        let mut b = CleanLearning::builder(GaussianNB::default())
            .seed(Some(0))
            .cv_n_folds(5);
        if extra {
            b = b
                .seed(Some(7))
                .cv_n_folds(3)
                .filter_by(cl_filter::FilterBy::Both)
                .min_examples_per_class(1);
        }
        b.build()
            .find_label_issues(Some(x.view()), labels, &args)
            .unwrap()
    } else {
        CleanLearning::builder(LogisticRegression::default())
            .seed(Some(0))
            .build()
            .find_label_issues(Some(x.view()), labels, &args)
            .unwrap()
    }
}

fn learn_json(data: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut a = vec![
        "learn",
        "--data",
        s(data),
        "--label-column",
        "label",
        "--format",
        "json",
    ];
    a.extend_from_slice(extra);
    run(&a).json()
}

fn assert_matches(j: &serde_json::Value, t: &LabelIssues, ctx: &str) {
    assert_eq!(
        usizes(&j["indices"]),
        flagged(&t.is_label_issue),
        "{ctx} indices"
    );
    assert_eq!(floats(&j["scores"]), t.label_quality, "{ctx} scores");
    assert_eq!(
        usizes(&j["given_labels"]),
        t.given_label,
        "{ctx} given labels"
    );
    assert_eq!(
        usizes(&j["predicted_labels"]),
        t.predicted_label,
        "{ctx} predicted labels"
    );
    assert_eq!(j["num_issues"], t.num_issues(), "{ctx}");
}

#[test]
fn learn_csv_and_parquet_integer_and_string_labels_equal_the_library() {
    let dir = TempDir::new("learn");
    let (x, labels) = table_data();
    let expected = library_issues(&x, &labels, false, false);
    assert!(expected.num_issues() > 5, "{}", expected.num_issues());
    let renamed: Vec<usize> = labels.iter().map(|&k| sorted_index(k)).collect();
    let expected_named = library_issues(&x, &renamed, false, false);

    // Integer labels: CSV (pandas index column skipped) and Parquet (int64).
    let csv = dir.path("int.csv");
    write_csv_table(&csv, &x, &labels, false);
    let pq = dir.path("int.parquet");
    let ints: Vec<i64> = labels.iter().map(|&v| v as i64).collect();
    write_parquet_table(&pq, &x, Arc::new(Int64Array::from(ints)));
    for path in [&csv, &pq] {
        let j = learn_json(path, &[]);
        assert_matches(&j, &expected, s(path));
        assert_eq!(j["class_names"], serde_json::Value::Null);
        assert_eq!(j["num_features"], D);
        assert_eq!(j["feature_columns"][2], "x2");
        assert_eq!(j["options"]["min_examples_per_class"], 10);
        assert_eq!(j["options"]["model"], "logreg");
    }

    // String labels: classes numbered in sorted order, in CSV and every Parquet string type.
    let csv = dir.path("str.csv");
    write_csv_table(&csv, &x, &labels, true);
    let strings: Vec<&str> = labels.iter().map(|&k| NAMES[k]).collect();
    let utf8 = dir.path("utf8.parquet");
    write_parquet_table(&utf8, &x, Arc::new(StringArray::from(strings.clone())));
    let large = dir.path("large.parquet");
    write_parquet_table(
        &large,
        &x,
        Arc::new(LargeStringArray::from(strings.clone())),
    );
    let dict = dir.path("dict.parquet");
    write_parquet_table(
        &dict,
        &x,
        Arc::new(
            strings
                .iter()
                .copied()
                .collect::<DictionaryArray<Int32Type>>(),
        ),
    );
    for path in [&csv, &utf8, &large, &dict] {
        let j = learn_json(path, &[]);
        assert_matches(&j, &expected_named, s(path));
        assert_eq!(
            j["class_names"],
            serde_json::json!(["apple", "kiwi", "plum"])
        );
    }

    // The CSV output names the classes as the file does.
    let r = run(&[
        "learn",
        "--data",
        s(&csv),
        "--label-column",
        "label",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next().unwrap(),
        "index,is_label_issue,label_quality,given_label,predicted_label"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), N);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0], i.to_string());
        assert_eq!(row[1], expected_named.is_label_issue[i].to_string());
        assert_eq!(
            row[2].parse::<f64>().unwrap(),
            expected_named.label_quality[i]
        );
        assert_eq!(row[3], NAMES[labels[i]]);
    }
}

#[test]
fn learn_options_table_output_threads_and_gate() {
    let dir = TempDir::new("learn-opts");
    let (x, labels) = table_data();
    let csv = dir.path("data.csv");
    write_csv_table(&csv, &x, &labels, false);
    // GaussianNB with other folds, seed and filter.
    let expected = library_issues(&x, &labels, true, true);
    let opts = [
        "--model",
        "gnb",
        "--folds",
        "3",
        "--seed",
        "7",
        "--filter-by",
        "both",
        "--min-examples-per-class",
        "1",
    ];
    let j = learn_json(&csv, &opts);
    assert_matches(&j, &expected, "gnb");
    assert_eq!(j["options"]["filter_by"], "both");
    assert_eq!(j["options"]["folds"], 3);
    // Identical for every thread count.
    let mut t1 = opts.to_vec();
    t1.extend_from_slice(&["--threads", "1"]);
    let mut t3 = opts.to_vec();
    t3.extend_from_slice(&["--threads", "3"]);
    assert_eq!(learn_json(&csv, &t1), learn_json(&csv, &t3));
    // Label quality method.
    let j = learn_json(&csv, &["--method", "normalized_margin"]);
    assert_eq!(j["options"]["method"], "normalized_margin");
    let expected = library_issues(&x, &labels, false, false);
    assert_eq!(usizes(&j["indices"]), flagged(&expected.is_label_issue));

    // The readable table, to a file.
    let out = dir.path("table.txt");
    let r = run(&[
        "learn",
        "--data",
        s(&csv),
        "--label-column",
        "label",
        "-o",
        s(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "{} label issues among 240 examples",
            expected.num_issues()
        )),
        "{first}"
    );
    assert!(first.contains("logreg with 5-fold cross-validation (seed 0)"));
    assert_eq!(text.matches(" yes ┆").count(), expected.num_issues());

    // --fail-if-issues-above: the output is written, then exit 3.
    let r = run(&[
        "learn",
        "--data",
        s(&csv),
        "--label-column",
        "label",
        "--format",
        "json",
        "--fail-if-issues-above",
        "0.01",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.contains("\"indices\""));
    assert!(
        r.stderr.starts_with(&format!(
            "error: {} of 240 examples flagged",
            expected.num_issues()
        )),
        "{}",
        r.stderr
    );
    let r = run(&[
        "learn",
        "--data",
        s(&csv),
        "--label-column",
        "label",
        "--fail-if-issues-above",
        "0.5",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Runs `learn` on `file` (label column `label`) and returns the error line without the
/// directory.
fn learn_error(dir: &TempDir, file: &str, extra: &[&str]) -> String {
    let path = dir.path(file);
    let mut a = vec!["learn", "--data", s(&path), "--label-column", "label"];
    a.extend_from_slice(extra);
    let line = run(&a).error_line(2);
    let prefix = format!("error: {}/", dir.path("x").parent().unwrap().display());
    line.replacen(&prefix, "error: ", 1)
}

#[test]
#[allow(clippy::too_many_lines)] // a table of cases
fn learn_bad_inputs_exit_2_with_one_line() {
    let dir = TempDir::new("learn-bad");
    let (x, labels) = table_data();
    let d = |n: &str| dir.path(n);
    let w = |n: &str, text: &str| std::fs::write(d(n), text).unwrap();
    w("nonnum.csv", "x0,x1,label\n1,2,0\n3,abc,1\n");
    w("nan.csv", "x0,x1,label\n1,2,0\n3,4,1\nNaN,5,0\n");
    w("inf.csv", "x0,x1,label\n1,2,0\n3,inf,1\n");
    w("emptyfield.csv", "x0,x1,label\n1,,0\n");
    w("floatlabel.csv", "x0,x1,label\n1,2,0\n3,4,1.5\n");
    w("neg.csv", "x0,x1,label\n1,2,0\n3,4,1\n5,6,-1\n");
    w("gap.csv", "x0,x1,label\n1,2,0\n3,4,3\n5,6,0\n");
    w("ragged.csv", "x0,x1,label\n1,2,0\n3,4\n");
    w("noheader.csv", "1,2,0\n3,4,1\n");
    w("empty.csv", "");
    w("headeronly.csv", "x0,x1,label\n");
    w("emptylabel.csv", "x0,x1,label\n1,2,\n");
    w("oneclass.csv", "x0,x1,label\n1,2,0\n3,4,0\n");
    w("fewrows.csv", "x0,x1,label\n1,2,0\n3,4,1\n5,6,0\n");
    w("nofeatures.csv", "label\n0\n1\n");
    w("labels.txt", "x0,label\n1,0\n");
    w("garbage.parquet", "this is not parquet");
    ndarray_npy::write_npy(d("x.npy"), &x).unwrap();
    let n = x.nrows();
    let ints: ArrayRef = Arc::new(Int64Array::from(
        labels.iter().map(|&v| v as i64).collect::<Vec<_>>(),
    ));
    // Parquet: a string feature column, float labels, bool labels, a null and a NaN feature.
    let mut cols = feature_columns(&x);
    cols[1].1 = Arc::new(StringArray::from(vec!["a"; n]));
    cols.push(("label".into(), ints.clone()));
    write_parquet(&d("strfeature.parquet"), cols);
    write_parquet_table(
        &d("floatlabel.parquet"),
        &x,
        Arc::new(Float64Array::from(vec![1.0; n])),
    );
    write_parquet_table(
        &d("boollabel.parquet"),
        &x,
        Arc::new(BooleanArray::from(vec![true; n])),
    );
    let mut nan = x.clone();
    nan[[11, 4]] = f64::NAN;
    write_parquet_table(&d("nan.parquet"), &nan, ints.clone());
    let mut cols = feature_columns(&x);
    cols.push(("label".into(), ints.clone()));
    write_parquet(&d("nolabel.parquet"), {
        let mut c = cols.clone();
        c.last_mut().unwrap().0 = "y".into();
        c
    });
    let mut with_null: Vec<Option<f64>> = x.column(2).iter().copied().map(Some).collect();
    with_null[5] = None;
    cols[2].1 = Arc::new(Float64Array::from(with_null));
    common::write_parquet_nullable(&d("null.parquet"), cols);

    let cases: &[(&str, &str)] = &[
        ("missing.csv", "missing.csv: file not found"),
        (
            "labels.txt",
            "labels.txt: unknown extension .txt; use .npy, .csv or .parquet",
        ),
        (
            "x.npy",
            "x.npy: is a .npy array, which has no named columns; learn needs a .csv (with a header row) or .parquet table",
        ),
        (
            "nonnum.csv",
            "nonnum.csv: row 1 (line 3) column \"x1\" is not a number: \"abc\" (features must be numeric)",
        ),
        ("nan.csv", "nan.csv: row 2 column \"x0\" is NaN"),
        ("inf.csv", "inf.csv: row 1 column \"x1\" is inf"),
        (
            "emptyfield.csv",
            "emptyfield.csv: row 0 (line 2) column \"x1\" is empty",
        ),
        (
            "floatlabel.csv",
            "floatlabel.csv: label column \"label\": row 1 has label \"1.5\", which is not an integer (labels must be integers or strings)",
        ),
        (
            "neg.csv",
            "neg.csv: label column \"label\": row 2 has label -1, which is negative",
        ),
        (
            "gap.csv",
            "gap.csv: label column \"label\": integer labels are class indices 0..4 and every class must occur, but some are missing: [1, 2] (renumber the classes, or store the labels as strings)",
        ),
        (
            "ragged.csv",
            "ragged.csv: row 1 (line 3) has 2 fields, expected 3",
        ),
        (
            "noheader.csv",
            "noheader.csv: needs a header row naming its columns (the first line holds numbers)",
        ),
        ("empty.csv", "empty.csv: is empty (no rows)"),
        (
            "headeronly.csv",
            "headeronly.csv: is empty (a header but no rows)",
        ),
        (
            "emptylabel.csv",
            "emptylabel.csv: row 0 (line 2): label is empty",
        ),
        (
            "oneclass.csv",
            "oneclass.csv: label column \"label\" has 1 class; CleanLearning needs at least 2",
        ),
        (
            "fewrows.csv",
            "fewrows.csv: has 3 examples in 2 classes, too few for 5-fold cross-validation (at least 5 examples per class on average); try --folds 2 or 3",
        ),
        (
            "nofeatures.csv",
            "nofeatures.csv: has no feature columns besides the label column \"label\"",
        ),
        (
            "strfeature.parquet",
            "strfeature.parquet: column \"x1\" has type Utf8; features must be numeric (every column except the label column \"label\" is a feature)",
        ),
        (
            "floatlabel.parquet",
            "floatlabel.parquet: label column \"label\" has type Float64; labels must be integers or strings (cleanlab rejects float labels too; store them as integers)",
        ),
        (
            "boollabel.parquet",
            "boollabel.parquet: label column \"label\" has type Boolean; labels must be integers or strings",
        ),
        ("nan.parquet", "nan.parquet: row 11 column \"x4\" is NaN"),
        (
            "null.parquet",
            "null.parquet: row 5 column 2 (\"x2\") is null",
        ),
        (
            "nolabel.parquet",
            "nolabel.parquet: no column named \"label\"; columns: x0 (Float64), x1 (Float64), x2 (Float64), x3 (Float64), x4 (Float64), x5 (Float64), y (Int64)",
        ),
    ];
    for &(file, want) in cases {
        assert_eq!(
            learn_error(&dir, file, &[]),
            format!("error: {want}"),
            "{file}"
        );
    }
    // A missing label column in a CSV.
    write_csv_table(&d("ok.csv"), &x, &labels, false);
    assert_eq!(
        run(&["learn", "--data", s(&d("ok.csv")), "--label-column", "y"]).error_line(2),
        format!(
            "error: {}: no column named \"y\"; columns: , x0, x1, label, x2, x3, x4, x5",
            s(&d("ok.csv"))
        )
    );
    let line = learn_error(&dir, "garbage.parquet", &[]);
    assert!(
        line.starts_with("error: garbage.parquet: not a readable Parquet file"),
        "{line}"
    );
    // Bad options: exit 2, one line, before the data is read.
    for (extra, want) in [
        (
            &["--folds", "1"][..],
            "error: --folds must be at least 2, got 1",
        ),
        (
            &["--frac-noise", "1.5"][..],
            "error: --frac-noise must be in (0, 1], got 1.5",
        ),
        (
            &["--fail-if-issues-above", "2"][..],
            "error: --fail-if-issues-above must be a fraction in [0, 1], got 2",
        ),
        (
            &["--num-to-remove-per-class", "1,2"][..],
            "error: --num-to-remove-per-class needs 3 values (one per class), got 2 values",
        ),
    ] {
        assert_eq!(learn_error(&dir, "ok.csv", extra), want, "{extra:?}");
    }
    let line = learn_error(&dir, "ok.csv", &["--model", "svm"]);
    assert!(
        line.starts_with("error: invalid value 'svm' for '--model"),
        "{line}"
    );
    assert!(line.contains("logreg") && line.contains("gnb"), "{line}");
    let line = run(&["learn", "--data", s(&d("ok.csv"))]).error_line(2);
    assert!(line.contains("--label-column"), "{line}");
}
