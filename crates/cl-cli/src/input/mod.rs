//! Reading labels, `pred_probs` and class names from `.npy`, `.csv` and `.parquet` files.
//!
//! The format is chosen by the file extension (case-insensitive): `.npy`, `.csv`,
//! `.parquet` / `.pq`. Every problem is reported against the file, with the row and column
//! where one is known.
//!
//! * **Labels** are class indices `0..K`: any integer dtype (`.npy`: int8/16/32/64,
//!   uint8/16/32/64; Parquet: any integer column; CSV: integer text). Floats are rejected
//!   even when integral (`1.0`), as cleanlab rejects float label arrays; booleans are
//!   rejected too. Negative values are reported at their row.
//! * **pred_probs** is an N×K matrix of `f32` or `f64`. A `.npy` file is memory-mapped and
//!   used as a borrowed view (never copied; `f32` stays `f32`, C or Fortran order). CSV is
//!   read as `f64`; Parquet as `f32` when every probability column is float32, else `f64`.
//! * **Class names**: one name per line, or a JSON array of strings.
//! * **Tables** (`learn`): a CSV with a header row or a Parquet file; one label column
//!   named by the user, every other column (except pandas' index) a numeric feature, read
//!   as `f64`. NaN, infinite, empty or null features are errors at their row and column.
//!   Integer labels are class indices `0..K`; string labels are classes numbered in sorted
//!   (byte-wise) order, as `np.unique` / scikit-learn's `LabelEncoder` number them.

pub mod csv;
pub mod npy;
#[cfg(feature = "parquet")]
pub mod parquet;

use std::path::Path;

use cl_core::Real;
use ndarray::{Array2, ArrayView2};
use ndarray_npy::ViewElement;

use crate::error::{CliError, Result};

/// A supported file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// numpy `.npy`.
    Npy,
    /// Comma-separated values.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// Checks that `path` is a readable file and returns its format (from the extension).
pub fn format_of(path: &Path) -> Result<Format> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => return Err(CliError::input(path, "is a directory, not a file")),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::input(path, "file not found"));
        }
        Err(e) => return Err(CliError::input(path, format!("cannot read: {e}"))),
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "npy" => Ok(Format::Npy),
        "csv" => Ok(Format::Csv),
        "parquet" | "pq" => {
            if cfg!(feature = "parquet") {
                Ok(Format::Parquet)
            } else {
                Err(CliError::input(
                    path,
                    "Parquet support is not compiled in (build cl-cli with the `parquet` feature)",
                ))
            }
        }
        "" => Err(CliError::input(
            path,
            "has no extension; use .npy, .csv or .parquet",
        )),
        other => Err(CliError::input(
            path,
            format!("unknown extension .{other}; use .npy, .csv or .parquet"),
        )),
    }
}

/// An N×K matrix of `T`, memory-mapped from a `.npy` file or owned.
#[derive(Debug)]
pub enum Matrix<T> {
    /// A memory-mapped `.npy` file; viewed in place.
    Mapped(npy::MappedNpy),
    /// Values read into memory (CSV, Parquet, or a misaligned `.npy`).
    Owned(Array2<T>),
}

impl<T: Real + ViewElement> Matrix<T> {
    /// The matrix as a borrowed view (no copy).
    pub fn view(&self) -> Result<ArrayView2<'_, T>> {
        match self {
            Matrix::Mapped(m) => m.view2::<T>(),
            Matrix::Owned(a) => Ok(a.view()),
        }
    }
}

/// `pred_probs` in its element type.
#[derive(Debug)]
pub enum Probs {
    /// float32 values.
    F32(Matrix<f32>),
    /// float64 values.
    F64(Matrix<f64>),
}

/// Reads `pred_probs` from `path`. `exclude` names a column to leave out (the label column,
/// when labels and `pred_probs` come from the same CSV or Parquet file).
pub fn read_pred_probs(path: &Path, exclude: Option<&str>) -> Result<Probs> {
    let probs = match format_of(path)? {
        Format::Npy => npy::read_pred_probs(path)?,
        Format::Csv => Probs::F64(Matrix::Owned(csv::read_pred_probs(path, exclude)?)),
        #[cfg(feature = "parquet")]
        Format::Parquet => parquet::read_pred_probs(path, exclude)?,
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => unreachable_format(path)?,
    };
    Ok(probs)
}

/// Reads an N×D feature matrix (embeddings) from `path`: the `pred_probs` readers, with
/// messages that speak of features.
pub fn read_features(path: &Path) -> Result<Probs> {
    read_pred_probs(path, None).map_err(|e| match e {
        CliError::Input { file, message } => CliError::Input {
            file,
            message: message
                .replace(
                    "pred_probs needs one column per class",
                    "features need at least one column",
                )
                .replace("probability columns", "feature columns")
                .replace("pred_probs must be 2-D (N×K)", "features must be 2-D (N×D)")
                .replace("pred_probs must be", "features must be"),
        },
        other => other,
    })
}

/// Reads labels (class indices, not yet checked against K) from `path`.
pub fn read_labels(path: &Path, label_column: Option<&str>) -> Result<Vec<usize>> {
    let format = format_of(path)?;
    if label_column.is_some() && format == Format::Npy {
        return Err(CliError::Usage(format!(
            "--label-column applies to CSV and Parquet files, not to {}",
            path.display()
        )));
    }
    match format {
        Format::Npy => npy::read_labels(path),
        Format::Csv => csv::read_labels(path, label_column),
        #[cfg(feature = "parquet")]
        Format::Parquet => parquet::read_labels(path, label_column),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => unreachable_format(path),
    }
}

#[cfg(not(feature = "parquet"))]
fn unreachable_format<T>(path: &Path) -> Result<T> {
    Err(CliError::input(path, "Parquet support is not compiled in"))
}

/// A table of numeric features and a label column (the input of `learn`).
#[derive(Debug)]
pub struct Table {
    /// Names of the feature columns, in file order.
    pub feature_names: Vec<String>,
    /// Features, N × D.
    pub features: Array2<f64>,
    /// Class index of every row.
    pub labels: Vec<usize>,
    /// Class names when the labels were strings (class k is the k-th in sorted order).
    pub class_names: Option<Vec<String>>,
}

/// The values of a table's label column, before they become class indices.
#[derive(Debug)]
pub(crate) enum RawLabels {
    /// An integer column.
    Ints(Vec<i128>),
    /// A string column.
    Strings(Vec<String>),
}

/// Reads a table of numeric features plus the label column `label_column` from a CSV (with
/// a header row) or Parquet file.
pub fn read_table(path: &Path, label_column: &str) -> Result<Table> {
    let (feature_names, features, raw) = match format_of(path)? {
        Format::Npy => {
            return Err(CliError::input(
                path,
                "is a .npy array, which has no named columns; learn needs a .csv (with a header row) or .parquet table",
            ));
        }
        Format::Csv => csv::read_table(path, label_column)?,
        #[cfg(feature = "parquet")]
        Format::Parquet => parquet::read_table(path, label_column)?,
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => unreachable_format(path)?,
    };
    if feature_names.is_empty() {
        return Err(CliError::input(
            path,
            format!("has no feature columns besides the label column {label_column:?}"),
        ));
    }
    if let Some(((row, col), v)) = features.indexed_iter().find(|(_, v)| !v.is_finite()) {
        let shown = if v.is_nan() {
            "NaN".to_string()
        } else {
            v.to_string()
        };
        return Err(CliError::input(
            path,
            format!("row {row} column {:?} is {shown}", feature_names[col]),
        ));
    }
    let (labels, class_names) = encode_labels(path, label_column, raw)?;
    Ok(Table {
        feature_names,
        features,
        labels,
        class_names,
    })
}

/// Class indices of a label column: integers as they are, strings numbered in sorted order.
fn encode_labels(
    path: &Path,
    column: &str,
    raw: RawLabels,
) -> Result<(Vec<usize>, Option<Vec<String>>)> {
    match raw {
        RawLabels::Ints(v) => {
            let labels = v
                .iter()
                .enumerate()
                .map(|(row, &x)| {
                    to_index(x).map_err(|m| {
                        CliError::input(path, format!("label column {column:?}: row {row} {m}"))
                    })
                })
                .collect::<Result<Vec<usize>>>()?;
            Ok((labels, None))
        }
        RawLabels::Strings(v) => {
            let names: Vec<String> = v
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .cloned()
                .collect();
            let labels = v
                .iter()
                .map(|x| names.binary_search(x).unwrap_or(0))
                .collect();
            Ok((labels, Some(names)))
        }
    }
}

/// Reads class names: a JSON array of strings, or one name per line.
pub fn read_class_names(path: &Path) -> Result<Vec<String>> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => return Err(CliError::input(path, "is a directory, not a file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::input(path, "file not found"));
        }
        _ => {}
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(path, format!("cannot read as UTF-8 text: {e}")))?;
    parse_class_names(&text).map_err(|m| CliError::input(path, m))
}

/// Parses the text of a class names file.
pub fn parse_class_names(text: &str) -> std::result::Result<Vec<String>, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err("is empty".into());
    }
    if trimmed.starts_with('[') {
        let v: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| format!("invalid JSON: {e}"))?;
        let items = v
            .as_array()
            .ok_or_else(|| "expected a JSON array of names".to_string())?;
        return items
            .iter()
            .enumerate()
            .map(|(i, x)| match x {
                serde_json::Value::String(s) => Ok(s.clone()),
                serde_json::Value::Number(n) => Ok(n.to_string()),
                other => Err(format!("entry {i} is not a string: {other}")),
            })
            .collect();
    }
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    // Trailing blank lines are ignored; a blank line inside the list is an error.
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    lines[..end]
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if l.trim().is_empty() {
                Err(format!("line {} is empty (one class name per line)", i + 1))
            } else {
                Ok(l.trim().to_string())
            }
        })
        .collect()
}

/// Converts a label value of any integer type to a class index, or says why it is not one.
pub(crate) fn to_index(v: i128) -> std::result::Result<usize, String> {
    usize::try_from(v).map_err(|_| {
        if v < 0 {
            format!("has label {v}, which is negative")
        } else {
            format!("has label {v}, which is too large")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_lines_and_json() {
        assert_eq!(
            parse_class_names("cat\ndog\r\nbird\n\n").unwrap(),
            vec!["cat", "dog", "bird"]
        );
        assert_eq!(
            parse_class_names(r#"["a b", "c", 3]"#).unwrap(),
            vec!["a b", "c", "3"]
        );
        assert!(parse_class_names("a\n\nb").unwrap_err().contains("line 2"));
        assert!(parse_class_names("").unwrap_err().contains("empty"));
        assert!(
            parse_class_names("[1, [2]]")
                .unwrap_err()
                .contains("entry 1")
        );
        assert!(
            parse_class_names("[1, 2")
                .unwrap_err()
                .contains("invalid JSON")
        );
    }

    #[test]
    fn format_by_extension() {
        let dir = std::env::temp_dir().join(format!("cl-cli-fmt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, want) in [
            ("a.npy", Some(Format::Npy)),
            ("a.CSV", Some(Format::Csv)),
            ("a.txt", None),
            ("noext", None),
        ] {
            let p = dir.join(name);
            std::fs::write(&p, b"x").unwrap();
            match want {
                Some(f) => assert_eq!(format_of(&p).unwrap(), f),
                None => assert!(format_of(&p).is_err()),
            }
        }
        let missing = format_of(&dir.join("missing.npy")).unwrap_err();
        assert!(missing.to_string().ends_with("missing.npy: file not found"));
        assert!(
            format_of(&dir)
                .unwrap_err()
                .to_string()
                .contains("directory")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
