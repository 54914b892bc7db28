//! Integration tests of `cleanlab outliers` and `cleanlab knn-graph`: results equal the
//! library's (and cleanlab's on a golden case), the `.npz` has scipy's layout, bad input
//! gives one stderr line and exit code 2.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::io::Read;

use cl_core::input::validate;
use cl_core::neighbors::{KnnOptions, create_knn_graph_and_index};
use cl_golden::{REL_F64, assert_all_close, cases_with_prefix, fixtures_root};
use cl_outlier::{OodData, OodMethod, OodOptions, OutOfDistribution};
use common::{TempDir, dataset, floats, run, s, usizes};
use ndarray::{Array1, Array2};
use ndarray_npy::write_npy;

fn features(n: usize, d: usize, seed: u32) -> Array2<f64> {
    let mut rng = cl_core::rng::NumpyRng::new(seed);
    Array2::from_shape_fn((n, d), |_| rng.standard_normal())
}

#[test]
fn outliers_from_features_match_the_library() {
    let dir = TempDir::new("ood-features");
    let x = features(120, 6, 1);
    let path = dir.path("x.npy");
    write_npy(&path, &x).unwrap();
    let want = OutOfDistribution::new(OodOptions::default().k(7).t(2.0))
        .fit_features_detailed(x.view())
        .unwrap();
    let out = run(&[
        "outliers",
        "--features",
        s(&path),
        "--k",
        "7",
        "--t",
        "2",
        "--top",
        "5",
        "--format",
        "json",
    ])
    .json();
    assert_eq!(out["command"], "outliers");
    assert_eq!(out["input"], "features");
    assert_eq!(out["k"], 7);
    assert_eq!(out["metric"], "cosine");
    assert_eq!(floats(&out["scores"]), want.scores);
    assert_eq!(out["scaling_factor"].as_f64().unwrap(), want.scaling_factor);
    assert_eq!(
        usizes(&out["indices"]),
        cl_rank::find_top_issues(&want.scores, Some(5))
    );
    // f32 features, CSV input and output, thread counts: same numbers as the library.
    let x32 = x.mapv(|v| v as f32);
    let p32 = dir.path("x32.npy");
    write_npy(&p32, &x32).unwrap();
    let want32 = OutOfDistribution::default()
        .fit_score(OodData::Features(x32.view()))
        .unwrap();
    for threads in ["1", "3"] {
        let r = run(&[
            "--threads",
            threads,
            "outliers",
            "--features",
            s(&p32),
            "--format",
            "csv",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let got: Vec<f64> = r
            .stdout
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(got, want32);
    }
    let table = run(&["outliers", "--features", s(&path), "--top", "3"]);
    assert_eq!(table.code, 0);
    assert!(table.stdout.contains("lower = more atypical"));
    assert_eq!(table.stdout.lines().count(), 1 + 3 + 4);
}

#[test]
fn outliers_from_pred_probs_match_the_library() {
    let dir = TempDir::new("ood-probs");
    let (labels, p) = dataset(150, 3, 5);
    write_npy(dir.path("labels.npy"), &Array1::from(labels.clone())).unwrap();
    write_npy(dir.path("p.npy"), &p).unwrap();
    let (l, probs) = validate(&labels, p.view()).unwrap();
    for (method, name) in [
        (OodMethod::Entropy, "entropy"),
        (OodMethod::LeastConfidence, "least_confidence"),
    ] {
        let mut ood = OutOfDistribution::new(OodOptions::default().method(method));
        let want = ood
            .fit_score(OodData::PredProbs {
                pred_probs: &probs,
                labels: Some(&l),
            })
            .unwrap();
        let out = run(&[
            "outliers",
            "--pred-probs",
            s(&dir.path("p.npy")),
            "--labels",
            s(&dir.path("labels.npy")),
            "--adjust-pred-probs",
            "--method",
            name,
            "--format",
            "json",
        ])
        .json();
        assert_eq!(out["input"], "pred_probs");
        assert_eq!(out["method"], name);
        assert_eq!(out["adjust_pred_probs"], true);
        assert_eq!(floats(&out["scores"]), want);
        assert_eq!(
            floats(&out["confident_thresholds"]),
            ood.confident_thresholds().unwrap()
        );
        let mut plain = OutOfDistribution::new(
            OodOptions::default()
                .method(method)
                .adjust_pred_probs(false),
        );
        let want = plain
            .fit_score(OodData::PredProbs {
                pred_probs: &probs,
                labels: None,
            })
            .unwrap();
        let out = run(&[
            "outliers",
            "--pred-probs",
            s(&dir.path("p.npy")),
            "--method",
            name,
            "--format",
            "json",
        ])
        .json();
        assert_eq!(out["adjust_pred_probs"], false);
        assert_eq!(floats(&out["scores"]), want);
    }
}

#[test]
fn outliers_reject_bad_input_with_one_line() {
    let dir = TempDir::new("ood-bad");
    let x = features(5, 4, 2);
    write_npy(dir.path("x.npy"), &x).unwrap();
    let mut nan = x.clone();
    nan[[2, 1]] = f64::NAN;
    write_npy(dir.path("nan.npy"), &nan).unwrap();
    write_npy(dir.path("ints.npy"), &Array2::<i64>::zeros((4, 2))).unwrap();
    let (labels, p) = dataset(30, 3, 1);
    write_npy(dir.path("p.npy"), &p).unwrap();
    write_npy(dir.path("short.npy"), &Array1::from(labels[..10].to_vec())).unwrap();
    let f = |n: &str| dir.path(n).to_str().unwrap().to_owned();
    let v = |a: &[&str]| a.iter().map(|x| (*x).to_owned()).collect::<Vec<String>>();
    let x = f("x.npy");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            v(&["outliers", "--features", &x, "--k", "5"]),
            "cannot exceed the number of examples N=5",
        ),
        (
            v(&["outliers", "--features", &f("nan.npy")]),
            "row 2 column 1 is NaN",
        ),
        (
            v(&["outliers", "--features", &f("ints.npy")]),
            "features must be float32 or float64",
        ),
        (
            v(&["outliers", "--features", &f("missing.npy")]),
            "file not found",
        ),
        (
            v(&[
                "outliers",
                "--pred-probs",
                &f("p.npy"),
                "--labels",
                &f("short.npy"),
                "--adjust-pred-probs",
            ]),
            "10 labels",
        ),
    ];
    for (args, needle) in cases {
        let line = run(&args).error_line(2);
        assert!(line.contains(needle), "{args:?}: {line}");
    }
    // Usage errors (clap): no source, both sources, labels without adjustment, a
    // pred_probs option with features.
    for args in [
        v(&["outliers"]),
        v(&["outliers", "--features", &x, "--pred-probs", &f("p.npy")]),
        v(&[
            "outliers",
            "--pred-probs",
            &f("p.npy"),
            "--labels",
            &f("short.npy"),
        ]),
        v(&["outliers", "--features", &x, "--method", "least_confidence"]),
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
}

/// One `.npy` entry of an `.npz`: (descr, shape, data bytes).
type NpyEntry = (String, String, Vec<u8>);

fn npy_entry(bytes: &[u8]) -> NpyEntry {
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let hl = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + hl]).unwrap();
    let field = |key: &str| {
        let start = header.find(key).unwrap() + key.len();
        let rest = &header[start..];
        let end = if key.contains("shape") {
            rest.find(')').unwrap() + 1
        } else {
            rest.find('\'').unwrap()
        };
        rest[..end].to_string()
    };
    (
        field("'descr': '"),
        field("'shape': "),
        bytes[10 + hl..].to_vec(),
    )
}

fn read_npz(path: &std::path::Path) -> Vec<(String, NpyEntry)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().to_string();
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            (name, npy_entry(&buf))
        })
        .collect()
}

#[test]
fn knn_graph_npz_has_scipys_layout_and_cleanlabs_graph() {
    let case = &cases_with_prefix("outlier", "cli_knn_graph")[0];
    let dir = TempDir::new("knn-graph");
    let x = case.input("features").array2_f64();
    write_npy(dir.path("x.npy"), &x).unwrap();
    let out = dir.path("g.npz");
    let summary = run(&[
        "knn-graph",
        "--features",
        s(&dir.path("x.npy")),
        "--k",
        "4",
        "--output",
        s(&out),
        "--format",
        "json",
    ])
    .json();
    assert_eq!(summary["k"], 4);
    assert_eq!(summary["nnz"], 160);
    assert_eq!(summary["metric"], "cosine");
    let ours = read_npz(&out);
    let scipy = read_npz(&fixtures_root().join("outlier/cli_knn_graph_n40_d5_k4.scipy.npz"));
    // Same entries, dtypes and shapes as scipy.sparse.save_npz; same integer arrays; the
    // distances to 1e-9 (cleanlab's come from sklearn's BLAS).
    assert_eq!(ours.len(), scipy.len());
    for ((name, (descr, shape, data)), (sname, (sdescr, sshape, sdata))) in ours.iter().zip(&scipy)
    {
        assert_eq!(name, sname);
        assert_eq!((descr, shape), (sdescr, sshape), "{name}");
        if name == "data.npy" {
            let f = |b: &[u8]| -> Vec<f64> {
                b.chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                    .collect()
            };
            assert_all_close(&f(data), &f(sdata), REL_F64, "data");
            assert_all_close(
                &f(data),
                &case
                    .output("distances")
                    .array2_f64()
                    .iter()
                    .copied()
                    .collect::<Vec<_>>(),
                REL_F64,
                "distances",
            );
        } else {
            assert_eq!(data, sdata, "{name}");
        }
    }
    // The table summary, and the library's graph for f32 input without the correction.
    let x32 = x.mapv(|v| v as f32);
    write_npy(dir.path("x32.npy"), &x32).unwrap();
    let out32 = dir.path("g32.npz");
    let r = run(&[
        "knn-graph",
        "--features",
        s(&dir.path("x32.npy")),
        "--metric",
        "euclidean",
        "--no-duplicate-correction",
        "-o",
        s(&out32),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("Wrote the 10-nearest-neighbour graph of 40 examples (euclidean metric)")
    );
    let (graph, _) = create_knn_graph_and_index(
        x32.view(),
        &KnnOptions::default()
            .metric(cl_core::neighbors::Metric::Euclidean)
            .correct_exact_duplicates(false),
    )
    .unwrap();
    let csr = graph.to_csr();
    let entries = read_npz(&out32);
    let idx: Vec<usize> = entries[0]
        .1
        .2
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()) as usize)
        .collect();
    assert_eq!(idx, csr.indices);
}

#[test]
fn knn_graph_approximate_equals_exact_when_every_cell_is_probed() {
    let case = &cases_with_prefix("outlier", "cli_knn_graph")[0];
    let dir = TempDir::new("knn-graph-approx");
    write_npy(dir.path("x.npy"), &case.input("features").array2_f64()).unwrap();
    let exact = dir.path("exact.npz");
    let r = run(&[
        "knn-graph",
        "--features",
        s(&dir.path("x.npy")),
        "--k",
        "4",
        "-o",
        s(&exact),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ours = read_npz(&exact);
    // The approximate search probes every cell of so small a data set (⌈√40⌉ = 7 cells,
    // 16 probes): the same graph, byte for byte.
    let approx = dir.path("approx.npz");
    let summary = run(&[
        "knn-graph",
        "--features",
        s(&dir.path("x.npy")),
        "--k",
        "4",
        "--approximate",
        "--output",
        s(&approx),
        "--format",
        "json",
    ])
    .json();
    assert_eq!(summary["approximate"], true);
    assert_eq!(read_npz(&approx), ours);
    let r = run(&[
        "knn-graph",
        "--features",
        s(&dir.path("x.npy")),
        "--nprobe",
        "2",
        "-o",
        s(&approx),
    ]);
    assert_eq!(r.code, 2, "--nprobe needs --approximate: {}", r.stderr);
}

#[test]
fn knn_graph_rejects_bad_input_with_one_line() {
    let dir = TempDir::new("knn-bad");
    write_npy(dir.path("x.npy"), &features(6, 3, 3)).unwrap();
    let f = |n: &str| dir.path(n).to_str().unwrap().to_owned();
    let v = |a: &[&str]| a.iter().map(|x| (*x).to_owned()).collect::<Vec<String>>();
    let x = f("x.npy");
    let npz = dir.path("g.npz");
    let g = f("g.npz");
    for (args, code, needle) in [
        (
            v(&["knn-graph", "--features", &x, "--k", "6", "-o", &g]),
            2,
            "cannot exceed the number of examples N=6",
        ),
        (
            v(&["knn-graph", "--features", &x, "-o", &f("g.txt")]),
            2,
            "must end in .npz",
        ),
        (
            v(&["knn-graph", "--features", &f("none.npy"), "-o", &g]),
            2,
            "file not found",
        ),
        (
            v(&["knn-graph", "--features", &x, "-o", &f("no/such/dir/g.npz")]),
            1,
            "cannot write",
        ),
    ] {
        let line = run(&args).error_line(code);
        assert!(line.contains(needle), "{args:?}: {line}");
    }
    assert!(!npz.exists());
}
