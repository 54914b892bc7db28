//! Test-only loader for the golden fixtures under `fixtures/golden/` that
//! `cargo xtask golden` generates from cleanlab 2.9.0.
//!
//! # Fixture format
//!
//! Each generator script `xtask/golden/gen_<group>.py` writes `fixtures/golden/<group>/`:
//! one `<case>.json` per case, an object with the keys `"inputs"`, `"params"` and
//! `"outputs"` (each an object). Arrays are nested JSON lists; arrays too large for JSON
//! are stored beside the case as `<case>.<key>.npy` and referenced as `{"npy": "<file>"}`.
//! Non-finite floats are the strings `"NaN"`, `"Infinity"`, `"-Infinity"`. An expected
//! error is an output `"error"` holding cleanlab's exception as `"<Type>: <message>"`.
//!
//! Tests iterate [`cases`]; it panics when a group has no case, so a missing fixture
//! tree fails loudly instead of passing vacuously.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use serde_json::Value;

/// The committed fixture root (`<workspace>/fixtures/golden`).
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/golden")
}

/// One golden case.
#[derive(Debug, Clone)]
pub struct Case {
    /// File stem, e.g. `thresholds_n100_k5_f64`.
    pub name: String,
    dir: PathBuf,
    json: Value,
}

/// Every case of a group, sorted by name. Panics if the group is missing or empty.
pub fn cases(group: &str) -> Vec<Case> {
    let dir = fixtures_root().join(group);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("golden group {group} missing at {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "golden group {group} has no case");
    paths.into_iter().map(|p| Case::load(&p)).collect()
}

/// Cases of a group whose name starts with `prefix`. Panics if there is none.
pub fn cases_with_prefix(group: &str, prefix: &str) -> Vec<Case> {
    let v: Vec<Case> = cases(group)
        .into_iter()
        .filter(|c| c.name.starts_with(prefix))
        .collect();
    assert!(
        !v.is_empty(),
        "golden group {group} has no case starting with {prefix}"
    );
    v
}

impl Case {
    /// Loads one case file.
    pub fn load(path: &Path) -> Case {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()));
        Case {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            json,
        }
    }

    fn section(&self, section: &str, key: &str) -> Field<'_> {
        let v = self
            .json
            .get(section)
            .and_then(|s| s.get(key))
            .unwrap_or_else(|| panic!("case {}: no {section}.{key}", self.name));
        Field {
            case: self,
            key: key.to_owned(),
            value: v,
        }
    }

    /// `inputs.<key>`; panics if absent.
    pub fn input(&self, key: &str) -> Field<'_> {
        self.section("inputs", key)
    }
    /// `params.<key>`; panics if absent.
    pub fn param(&self, key: &str) -> Field<'_> {
        self.section("params", key)
    }
    /// `outputs.<key>`; panics if absent.
    pub fn output(&self, key: &str) -> Field<'_> {
        self.section("outputs", key)
    }
    /// Whether `<section>.<key>` exists (and is not null).
    pub fn has(&self, section: &str, key: &str) -> bool {
        self.json
            .get(section)
            .and_then(|s| s.get(key))
            .is_some_and(|v| !v.is_null())
    }
    /// The expected error (`outputs.error`), if the case expects one.
    pub fn expected_error(&self) -> Option<String> {
        self.json
            .get("outputs")
            .and_then(|o| o.get("error"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
    /// The raw JSON of the case.
    pub fn json(&self) -> &Value {
        &self.json
    }
}

/// One value of a case, with typed accessors that panic (naming case and key) on a type
/// mismatch.
#[derive(Debug, Clone)]
pub struct Field<'a> {
    case: &'a Case,
    key: String,
    value: &'a Value,
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::String(s) => match s.as_str() {
            "NaN" | "nan" => Some(f64::NAN),
            "Infinity" | "inf" => Some(f64::INFINITY),
            "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

impl<'a> Field<'a> {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "case {}: field {} is not {what}: {}",
            self.case.name,
            self.key,
            truncate(&self.value.to_string())
        )
    }

    fn npy_path(&self) -> Option<PathBuf> {
        self.value
            .get("npy")
            .and_then(Value::as_str)
            .map(|f| self.case.dir.join(f))
    }

    /// The raw JSON value.
    pub fn raw(&self) -> &'a Value {
        self.value
    }
    /// Whether the value is JSON null.
    pub fn is_null(&self) -> bool {
        self.value.is_null()
    }
    /// A float (numbers, booleans and the non-finite strings).
    pub fn f64(&self) -> f64 {
        num(self.value).unwrap_or_else(|| self.fail("a number"))
    }
    /// An integer.
    pub fn i64(&self) -> i64 {
        self.value
            .as_i64()
            .unwrap_or_else(|| self.fail("an integer"))
    }
    /// A non-negative integer.
    pub fn usize(&self) -> usize {
        self.value
            .as_u64()
            .map_or_else(|| self.fail("a non-negative integer"), |v| v as usize)
    }
    /// A boolean.
    pub fn bool(&self) -> bool {
        self.value
            .as_bool()
            .unwrap_or_else(|| self.fail("a boolean"))
    }
    /// A string.
    pub fn str(&self) -> &'a str {
        self.value.as_str().unwrap_or_else(|| self.fail("a string"))
    }
    /// A 1-D float array (JSON list or `.npy` of any float/int dtype).
    pub fn vec_f64(&self) -> Vec<f64> {
        if let Some(p) = self.npy_path() {
            return read_npy_1d_f64(&p);
        }
        self.value
            .as_array()
            .unwrap_or_else(|| self.fail("a list"))
            .iter()
            .map(|v| num(v).unwrap_or_else(|| self.fail("a list of numbers")))
            .collect()
    }
    /// A 1-D integer array.
    pub fn vec_i64(&self) -> Vec<i64> {
        if let Some(p) = self.npy_path() {
            return read_npy_1d_i64(&p);
        }
        self.value
            .as_array()
            .unwrap_or_else(|| self.fail("a list"))
            .iter()
            .map(|v| {
                v.as_i64()
                    .or_else(|| v.as_bool().map(i64::from))
                    .unwrap_or_else(|| self.fail("a list of integers"))
            })
            .collect()
    }
    /// A 1-D array of non-negative integers.
    pub fn vec_usize(&self) -> Vec<usize> {
        self.vec_i64()
            .into_iter()
            .map(|v| usize::try_from(v).unwrap_or_else(|_| self.fail("non-negative integers")))
            .collect()
    }
    /// A 1-D boolean array.
    pub fn vec_bool(&self) -> Vec<bool> {
        self.vec_i64().into_iter().map(|v| v != 0).collect()
    }
    /// A 1-D float array as an ndarray.
    pub fn array1_f64(&self) -> Array1<f64> {
        Array1::from(self.vec_f64())
    }
    /// A 2-D float array (JSON list of equal-length lists, or `.npy`).
    pub fn array2_f64(&self) -> Array2<f64> {
        if let Some(p) = self.npy_path() {
            return read_npy_2d_f64(&p);
        }
        let rows = self.value.as_array().unwrap_or_else(|| self.fail("a list"));
        let ncols = rows.first().and_then(Value::as_array).map_or(0, Vec::len);
        let mut flat = Vec::with_capacity(rows.len() * ncols);
        for r in rows {
            let r = r.as_array().unwrap_or_else(|| self.fail("a list of lists"));
            if r.len() != ncols {
                self.fail("rectangular");
            }
            flat.extend(
                r.iter()
                    .map(|v| num(v).unwrap_or_else(|| self.fail("numbers"))),
            );
        }
        Array2::from_shape_vec((rows.len(), ncols), flat).unwrap_or_else(|_| self.fail("2-D"))
    }
    /// A 2-D integer array.
    pub fn array2_i64(&self) -> Array2<i64> {
        self.array2_f64().mapv(|v| {
            assert!(
                v.fract() == 0.0,
                "case {}: {} holds a non-integer",
                self.case.name,
                self.key
            );
            v as i64
        })
    }
    /// A 2-D float array stored as `f32` in its `.npy` (or JSON) file, narrowed to `f32`.
    pub fn array2_f32(&self) -> Array2<f32> {
        if let Some(p) = self.npy_path()
            && let Ok(a) = read_npy::<f32, ndarray::Ix2>(&p)
        {
            return a;
        }
        self.array2_f64().mapv(|v| v as f32)
    }
}

fn truncate(s: &str) -> String {
    if s.len() > 200 {
        format!("{}...", &s[..200])
    } else {
        s.to_owned()
    }
}

fn read_npy<T: ndarray_npy::ReadableElement, D: ndarray::Dimension>(
    p: &Path,
) -> Result<ndarray::Array<T, D>, ndarray_npy::ReadNpyError> {
    ndarray_npy::read_npy(p)
}

fn read_npy_2d_f64(p: &Path) -> Array2<f64> {
    if let Ok(a) = read_npy::<f64, ndarray::Ix2>(p) {
        return a;
    }
    if let Ok(a) = read_npy::<f32, ndarray::Ix2>(p) {
        return a.mapv(f64::from);
    }
    if let Ok(a) = read_npy::<i64, ndarray::Ix2>(p) {
        return a.mapv(|v| v as f64);
    }
    panic!("cannot read {} as a 2-D float array", p.display())
}

fn read_npy_1d_f64(p: &Path) -> Vec<f64> {
    if let Ok(a) = read_npy::<f64, ndarray::Ix1>(p) {
        return a.to_vec();
    }
    if let Ok(a) = read_npy::<f32, ndarray::Ix1>(p) {
        return a.iter().map(|&v| f64::from(v)).collect();
    }
    read_npy_1d_i64(p).into_iter().map(|v| v as f64).collect()
}

fn read_npy_1d_i64(p: &Path) -> Vec<i64> {
    if let Ok(a) = read_npy::<i64, ndarray::Ix1>(p) {
        return a.to_vec();
    }
    if let Ok(a) = read_npy::<i32, ndarray::Ix1>(p) {
        return a.iter().map(|&v| i64::from(v)).collect();
    }
    if let Ok(a) = read_npy::<bool, ndarray::Ix1>(p) {
        return a.iter().map(|&v| i64::from(v)).collect();
    }
    if let Ok(a) = read_npy::<u64, ndarray::Ix1>(p) {
        return a.iter().map(|&v| v as i64).collect();
    }
    panic!("cannot read {} as a 1-D integer array", p.display())
}

/// Asserts `|actual - expected| <= rel * max(|actual|, |expected|)` (or both NaN, or an
/// absolute difference below `1e-300` for values that are both essentially zero).
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, rel: f64, ctx: &str) {
    if actual.is_nan() && expected.is_nan() {
        return;
    }
    if actual == expected {
        return;
    }
    let scale = actual.abs().max(expected.abs());
    let diff = (actual - expected).abs();
    assert!(
        diff <= rel * scale || diff < 1e-300,
        "{ctx}: actual {actual:e} vs expected {expected:e} (rel diff {:e} > {rel:e})",
        diff / scale
    );
}

/// [`assert_close`] element-wise over two slices of equal length.
#[track_caller]
pub fn assert_all_close(actual: &[f64], expected: &[f64], rel: f64, ctx: &str) {
    assert_eq!(actual.len(), expected.len(), "{ctx}: length differs");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert_close(a, e, rel, &format!("{ctx}[{i}]"));
    }
}

/// [`assert_close`] element-wise over two 2-D arrays of equal shape.
#[track_caller]
pub fn assert_array2_close(actual: &Array2<f64>, expected: &Array2<f64>, rel: f64, ctx: &str) {
    assert_eq!(actual.dim(), expected.dim(), "{ctx}: shape differs");
    for ((idx, &a), &e) in actual.indexed_iter().zip(expected.iter()) {
        assert_close(a, e, rel, &format!("{ctx}[{idx:?}]"));
    }
}

/// The relative tolerance of parity claims for `f64` results.
pub const REL_F64: f64 = 1e-9;
