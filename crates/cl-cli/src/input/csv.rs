//! CSV files.
//!
//! A header row is optional: the first record is a header when none of its fields is a
//! number. Rows are numbered from 0 after the header, as examples are; messages also give
//! the line of the file.
//! pandas' index column (header `""` or `Unnamed: 0`, as `DataFrame.to_csv` writes it) is
//! not data.

use std::path::Path;

use ndarray::Array2;

use super::{RawLabels, to_index};
use crate::error::{CliError, Result};
use crate::progress;

fn reader(path: &Path) -> Result<(::csv::Reader<std::fs::File>, u64)> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::input(path, format!("cannot open: {e}")))?;
    let len = file.metadata().map_or(0, |m| m.len());
    let r = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(file);
    Ok((r, len))
}

fn is_number(s: &str) -> bool {
    s.parse::<f64>().is_ok()
}

/// Where a record is: its example row and its line in the file.
fn at(row: usize, rec: &::csv::StringRecord) -> String {
    match rec.position() {
        Some(p) => format!("row {row} (line {})", p.line()),
        None => format!("row {row}"),
    }
}

fn csv_error(path: &Path, e: &::csv::Error) -> CliError {
    match e.kind() {
        ::csv::ErrorKind::Utf8 { pos, .. } => CliError::input(
            path,
            format!(
                "line {} is not valid UTF-8",
                pos.as_ref().map_or(0, ::csv::Position::line)
            ),
        ),
        _ => CliError::input(path, format!("cannot read CSV: {e}")),
    }
}

/// The first record, and whether it is a header.
fn first_record(
    path: &Path,
    r: &mut ::csv::Reader<std::fs::File>,
) -> Result<Option<(::csv::StringRecord, bool)>> {
    let mut rec = ::csv::StringRecord::new();
    if !r.read_record(&mut rec).map_err(|e| csv_error(path, &e))? {
        return Ok(None);
    }
    let header = !rec.iter().any(is_number);
    Ok(Some((rec, header)))
}

/// Feeds every data record to `parse` (the first record too unless it is a header), moving
/// the progress bar every `every` records; errors if there is no data record.
fn for_each_record(
    path: &Path,
    r: &mut ::csv::Reader<std::fs::File>,
    first: &::csv::StringRecord,
    header: bool,
    every: u64,
    bar: &indicatif::ProgressBar,
    mut parse: impl FnMut(&::csv::StringRecord) -> Result<()>,
) -> Result<()> {
    let mut rows = 0usize;
    if !header {
        parse(first)?;
        rows += 1;
    }
    let mut rec = ::csv::StringRecord::new();
    while r.read_record(&mut rec).map_err(|e| csv_error(path, &e))? {
        parse(&rec)?;
        rows += 1;
        if rec.position().is_some_and(|p| p.record() % every == 0) {
            bar.set_position(rec.position().map_or(0, ::csv::Position::byte));
        }
    }
    bar.finish_and_clear();
    if rows == 0 {
        return Err(CliError::input(path, "is empty (a header but no rows)"));
    }
    Ok(())
}

/// pandas' index column, as `DataFrame.to_csv` writes it (an empty or "Unnamed: 0" name).
fn is_index_name(name: &str) -> bool {
    name.is_empty() || name.starts_with("Unnamed: ")
}

fn column_names(rec: &::csv::StringRecord) -> String {
    rec.iter().collect::<Vec<_>>().join(", ")
}

/// Reads labels: one integer column (header optional), or the column `label_column` of a
/// file with a header.
pub fn read_labels(path: &Path, label_column: Option<&str>) -> Result<Vec<usize>> {
    let (mut r, len) = reader(path)?;
    let Some((first, header)) = first_record(path, &mut r)? else {
        return Err(CliError::input(path, "is empty (no rows)"));
    };
    let col = if let Some(name) = label_column {
        if !header {
            return Err(CliError::input(
                path,
                format!("--label-column {name} needs a header row, and this file has none"),
            ));
        }
        first.iter().position(|f| f == name).ok_or_else(|| {
            CliError::input(
                path,
                format!(
                    "no column named {name:?}; columns: {}",
                    column_names(&first)
                ),
            )
        })?
    } else {
        let data: Vec<usize> = (0..first.len())
            .filter(|&j| !(header && is_index_name(&first[j])))
            .collect();
        match data.as_slice() {
            [c] => *c,
            _ => {
                return Err(CliError::input(
                    path,
                    format!(
                        "has {} columns; labels need one column (or --label-column NAME with a header row)",
                        data.len()
                    ),
                ));
            }
        }
    };
    let bar = progress::bytes("reading labels", len);
    let mut out = Vec::new();
    let parse = |rec: &::csv::StringRecord| -> Result<()> {
        let row = out.len();
        let field = rec.get(col).ok_or_else(|| {
            CliError::input(
                path,
                format!(
                    "{} has {} fields, expected at least {}",
                    at(row, rec),
                    rec.len(),
                    col + 1
                ),
            )
        })?;
        let v: usize = match field.parse::<i128>() {
            Ok(v) => {
                to_index(v).map_err(|m| CliError::input(path, format!("{} {m}", at(row, rec))))?
            }
            Err(_) if field.is_empty() => {
                return Err(CliError::input(
                    path,
                    format!("{}: label is empty", at(row, rec)),
                ));
            }
            Err(_) => {
                return Err(CliError::input(
                    path,
                    format!("{}: label {field:?} is not an integer", at(row, rec)),
                ));
            }
        };
        out.push(v);
        Ok(())
    };
    for_each_record(path, &mut r, &first, header, 65_536, &bar, parse)?;
    Ok(out)
}

/// Reads `pred_probs`: K numeric columns (header optional), all columns except `exclude`
/// (which needs a header).
pub fn read_pred_probs(path: &Path, exclude: Option<&str>) -> Result<Array2<f64>> {
    let (mut r, len) = reader(path)?;
    let Some((first, header)) = first_record(path, &mut r)? else {
        return Err(CliError::input(path, "is empty (no rows)"));
    };
    let width = first.len();
    // Columns left out: the label column (same file) and pandas' index column.
    let skip: Vec<bool> = first
        .iter()
        .map(|f| header && (is_index_name(f) || Some(f) == exclude))
        .collect();
    let k = skip.iter().filter(|&&x| !x).count();
    if k == 0 {
        return Err(CliError::input(
            path,
            "has no probability columns; pred_probs needs one column per class",
        ));
    }
    let bar = progress::bytes("reading pred_probs", len);
    let mut values: Vec<f64> = Vec::new();
    let mut rows = 0usize;
    let parse = |rec: &::csv::StringRecord| -> Result<()> {
        if rec.len() != width {
            return Err(CliError::input(
                path,
                format!(
                    "{} has {} fields, expected {width}",
                    at(rows, rec),
                    rec.len()
                ),
            ));
        }
        let mut c = 0;
        for (j, field) in rec.iter().enumerate() {
            if skip[j] {
                continue;
            }
            let v = field.parse::<f64>().map_err(|_| {
                let what = if field.is_empty() {
                    "is empty".to_string()
                } else {
                    format!("is not a number: {field:?}")
                };
                CliError::input(path, format!("{} column {c} {what}", at(rows, rec)))
            })?;
            values.push(v);
            c += 1;
        }
        rows += 1;
        Ok(())
    };
    for_each_record(path, &mut r, &first, header, 16_384, &bar, parse)?;
    Array2::from_shape_vec((rows, k), values)
        .map_err(|e| CliError::input(path, format!("cannot shape the values: {e}")))
}

/// Reads a table with a header row: the column `label_column` (integers or strings) and
/// every other column (except pandas' index column) as numeric features.
pub(crate) fn read_table(
    path: &Path,
    label_column: &str,
) -> Result<(Vec<String>, Array2<f64>, RawLabels)> {
    let (mut r, len) = reader(path)?;
    let Some((first, header)) = first_record(path, &mut r)? else {
        return Err(CliError::input(path, "is empty (no rows)"));
    };
    if !header {
        return Err(CliError::input(
            path,
            "needs a header row naming its columns (the first line holds numbers)",
        ));
    }
    let label = first
        .iter()
        .position(|f| f == label_column)
        .ok_or_else(|| {
            CliError::input(
                path,
                format!(
                    "no column named {label_column:?}; columns: {}",
                    column_names(&first)
                ),
            )
        })?;
    let width = first.len();
    let feature_cols: Vec<usize> = (0..width)
        .filter(|&j| j != label && !is_index_name(&first[j]))
        .collect();
    let names: Vec<String> = feature_cols.iter().map(|&j| first[j].to_string()).collect();
    let bar = progress::bytes("reading the table", len);
    let mut values: Vec<f64> = Vec::new();
    let mut raw_labels: Vec<String> = Vec::new();
    let parse = |rec: &::csv::StringRecord| -> Result<()> {
        let row = raw_labels.len();
        if rec.len() != width {
            return Err(CliError::input(
                path,
                format!(
                    "{} has {} fields, expected {width}",
                    at(row, rec),
                    rec.len()
                ),
            ));
        }
        for (c, &j) in feature_cols.iter().enumerate() {
            let field = &rec[j];
            let v = field.parse::<f64>().map_err(|_| {
                let what = if field.is_empty() {
                    "is empty".to_string()
                } else {
                    format!("is not a number: {field:?} (features must be numeric)")
                };
                CliError::input(
                    path,
                    format!("{} column {:?} {what}", at(row, rec), names[c]),
                )
            })?;
            values.push(v);
        }
        let l = &rec[label];
        if l.is_empty() {
            return Err(CliError::input(
                path,
                format!("{}: label is empty", at(row, rec)),
            ));
        }
        raw_labels.push(l.to_string());
        Ok(())
    };
    for_each_record(path, &mut r, &first, true, 16_384, &bar, parse)?;
    let n = raw_labels.len();
    let features = Array2::from_shape_vec((n, names.len()), values)
        .map_err(|e| CliError::input(path, format!("cannot shape the values: {e}")))?;
    Ok((
        names,
        features,
        label_values(path, label_column, raw_labels)?,
    ))
}

/// Integer labels when every value is an integer; non-integer numbers are an error (as
/// float labels are elsewhere); otherwise strings.
fn label_values(path: &Path, column: &str, raw: Vec<String>) -> Result<RawLabels> {
    let ints: Option<Vec<i128>> = raw.iter().map(|v| v.parse::<i128>().ok()).collect();
    if let Some(ints) = ints {
        return Ok(RawLabels::Ints(ints));
    }
    if raw.iter().all(|v| is_number(v))
        && let Some(row) = raw.iter().position(|v| v.parse::<i128>().is_err())
    {
        return Err(CliError::input(
            path,
            format!(
                "label column {column:?}: row {row} has label {:?}, which is not an integer \
                 (labels must be integers or strings)",
                raw[row]
            ),
        ));
    }
    Ok(RawLabels::Strings(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("cl-cli-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn err(r: Result<impl std::fmt::Debug>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn labels_with_and_without_header() {
        assert_eq!(
            read_labels(&tmp("a.csv", "0\n1\n2\n"), None).unwrap(),
            vec![0, 1, 2]
        );
        assert_eq!(
            read_labels(&tmp("b.csv", "label\n2\n1\n"), None).unwrap(),
            vec![2, 1]
        );
        assert_eq!(
            read_labels(&tmp("c.csv", "id,y\n7,1\n8,0\r\n"), Some("y")).unwrap(),
            vec![1, 0]
        );
    }

    #[test]
    fn labels_rejected() {
        assert!(
            err(read_labels(&tmp("d.csv", "0\n1.5\n"), None))
                .ends_with("d.csv: row 1 (line 2): label \"1.5\" is not an integer")
        );
        assert!(
            err(read_labels(&tmp("e.csv", "y\n0\n-3\n"), None))
                .contains("row 1 (line 3) has label -3, which is negative")
        );
        assert!(err(read_labels(&tmp("f.csv", "a,b\n0,1\n"), None)).contains("has 2 columns"));
        assert!(
            err(read_labels(&tmp("g.csv", "a,b\n0,1\n"), Some("y")))
                .contains("no column named \"y\"; columns: a, b")
        );
        assert!(err(read_labels(&tmp("h.csv", ""), None)).contains("is empty"));
        assert!(err(read_labels(&tmp("i.csv", "label\n"), None)).contains("is empty"));
        assert!(err(read_labels(&tmp("j.csv", "0\n\"\"\n"), None)).contains("label is empty"));
    }

    #[test]
    fn pred_probs_with_and_without_header() {
        let a = read_pred_probs(&tmp("p.csv", "0.1,0.9\n0.7,0.3\n"), None).unwrap();
        assert_eq!(a, ndarray::array![[0.1, 0.9], [0.7, 0.3]]);
        let b = read_pred_probs(&tmp("q.csv", "p0,p1\n0.1,0.9\n0.7,0.3\n"), None).unwrap();
        assert_eq!(a, b);
        let c = read_pred_probs(
            &tmp("r.csv", "p0,label,p1\n0.1,1,0.9\n0.7,0,0.3\n"),
            Some("label"),
        )
        .unwrap();
        assert_eq!(a, c);
        // pandas' index column (`to_csv` with its default index=True) is not a class.
        let e = read_pred_probs(&tmp("pi.csv", ",p0,p1\n0,0.1,0.9\n1,0.7,0.3\n"), None).unwrap();
        assert_eq!(a, e);
        assert_eq!(
            read_labels(&tmp("li.csv", "Unnamed: 0,label\n0,2\n1,1\n"), None).unwrap(),
            vec![2, 1]
        );
        // NaN is read as NaN and reported by validation, with its row and column.
        let d = read_pred_probs(&tmp("s.csv", "0.1,NaN\n"), None).unwrap();
        assert!(d[[0, 1]].is_nan());
    }

    #[test]
    fn pred_probs_rejected() {
        assert!(
            err(read_pred_probs(&tmp("t.csv", "0.1,0.9\n0.7\n"), None))
                .contains("row 1 (line 2) has 1 fields, expected 2")
        );
        assert!(
            err(read_pred_probs(&tmp("u.csv", "0.1,0.9\n0.7,x\n"), None))
                .contains("row 1 (line 2) column 1 is not a number: \"x\"")
        );
        assert!(
            err(read_pred_probs(&tmp("v.csv", "a,b\n0.5,\n"), None))
                .contains("row 0 (line 2) column 1 is empty")
        );
        assert!(err(read_pred_probs(&tmp("w.csv", "a,b\n"), None)).contains("is empty"));
        // A first row mixing numbers and text is data, not a header.
        assert!(
            err(read_pred_probs(&tmp("x.csv", "0.5,abc\n"), None))
                .contains("row 0 (line 1) column 1 is not a number")
        );
    }
}
