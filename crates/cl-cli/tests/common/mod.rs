//! Helpers shared by the CLI integration tests: a temporary directory, running the built
//! `cleanlab` binary, a seeded dataset, and writers for `.npy`, `.csv` and `.parquet`.

#![allow(dead_code)] // each test binary uses a different subset
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::{ArrayRef, Float32Array, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{Field, Schema};
use ndarray::Array2;
use parquet::arrow::ArrowWriter;

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("cl-cli-it-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and parses stdout as one JSON object.
    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        assert_eq!(
            self.stdout.trim_end().lines().count(),
            1,
            "JSON output is one line"
        );
        serde_json::from_str(&self.stdout).unwrap()
    }

    /// Asserts failure with `code` and exactly one stderr line, and returns that line.
    pub fn error_line(&self, code: i32) -> String {
        assert_eq!(
            self.code, code,
            "stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one stderr line, got {:?}", self.stderr);
        assert!(lines[0].starts_with("error: "), "{}", lines[0]);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        lines[0].to_string()
    }
}

/// Runs `cleanlab` with `args`.
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cleanlab"))
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Path as a `&str` argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A seeded dataset: `n` examples, `k` classes, every 7th label flipped to the next class.
pub fn dataset(n: usize, k: usize, seed: u64) -> (Vec<i64>, Array2<f64>) {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64) / ((1_u64 << 53) as f64)
    };
    let mut labels = Vec::with_capacity(n);
    let mut p = Array2::<f64>::zeros((n, k));
    for i in 0..n {
        let truth = i % k;
        let mut row: Vec<f64> = (0..k).map(|_| 0.05 + uniform()).collect();
        row[truth] += 1.0 + 3.0 * uniform();
        let sum: f64 = row.iter().sum();
        for (j, v) in row.iter().enumerate() {
            p[[i, j]] = v / sum;
        }
        labels.push(if i % 7 == 3 {
            ((truth + 1) % k) as i64
        } else {
            truth as i64
        });
    }
    (labels, p)
}

/// Writes `values` as CSV rows (full precision), with an optional header.
pub fn write_csv_matrix(path: &Path, p: &Array2<f64>, header: bool) {
    let mut text = String::new();
    if header {
        let names: Vec<String> = (0..p.ncols()).map(|j| format!("p{j}")).collect();
        text.push_str(&names.join(","));
        text.push('\n');
    }
    for row in p.rows() {
        let v: Vec<String> = row.iter().map(|x| format!("{x:?}")).collect();
        text.push_str(&v.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// Writes labels as a one-column CSV, with an optional header.
pub fn write_csv_labels(path: &Path, labels: &[i64], header: bool) {
    let mut text = String::new();
    if header {
        text.push_str("label\n");
    }
    for l in labels {
        text.push_str(&l.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// Writes a Parquet file with the given columns.
pub fn write_parquet(path: &Path, columns: Vec<(String, ArrayRef)>) {
    write_parquet_with(path, columns, false);
}

/// Writes a Parquet file with the given columns, all nullable.
pub fn write_parquet_nullable(path: &Path, columns: Vec<(String, ArrayRef)>) {
    write_parquet_with(path, columns, true);
}

fn write_parquet_with(path: &Path, columns: Vec<(String, ArrayRef)>, nullable: bool) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(n.as_str(), a.data_type().clone(), nullable))
        .collect();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// pred_probs as one Parquet column per class (`p0`, `p1`, ...), plus optional labels.
pub fn parquet_columns(
    p: &Array2<f64>,
    labels: Option<&[i64]>,
    f32: bool,
) -> Vec<(String, ArrayRef)> {
    let mut cols: Vec<(String, ArrayRef)> = (0..p.ncols())
        .map(|j| {
            let col = p.column(j);
            let a: ArrayRef = if f32 {
                Arc::new(Float32Array::from(
                    col.iter().map(|&v| v as f32).collect::<Vec<_>>(),
                ))
            } else {
                Arc::new(Float64Array::from(col.to_vec()))
            };
            (format!("p{j}"), a)
        })
        .collect();
    if let Some(l) = labels {
        cols.push(("label".into(), Arc::new(Int64Array::from(l.to_vec()))));
    }
    cols
}

/// Indices of the `true` entries.
pub fn flagged(mask: &[bool]) -> Vec<usize> {
    mask.iter()
        .enumerate()
        .filter_map(|(i, &m)| m.then_some(i))
        .collect()
}

/// A JSON array of unsigned integers as a vector.
pub fn usizes(v: &serde_json::Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// A JSON array of numbers as a vector.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}
