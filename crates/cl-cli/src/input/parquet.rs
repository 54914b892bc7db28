//! Parquet files (as pandas, pyarrow or polars write them).
//!
//! * Labels: the one integer column of the file, or `--label-column NAME`.
//! * `pred_probs`: every numeric column (one per class, in file order), or one list column
//!   (fixed-size list, list or large list of floats: one array per row).
//!
//! pandas' stored index (`__index_level_0__`, ...) is never taken as data. Row groups are
//! read in batches; nulls are reported at their row.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field};
use ndarray::Array2;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{Matrix, Probs, RawLabels, to_index};
use crate::error::{CliError, Result};
use crate::progress;

const BATCH_ROWS: usize = 65_536;

type Builder = ParquetRecordBatchReaderBuilder<std::fs::File>;

fn open(path: &Path) -> Result<Builder> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::input(path, format!("cannot open: {e}")))?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| CliError::input(path, format!("not a readable Parquet file ({e})")))
}

fn is_pandas_index(f: &Field) -> bool {
    f.name().starts_with("__index_level_")
}

fn describe_columns(fields: &[&Field]) -> String {
    fields
        .iter()
        .map(|f| format!("{} ({})", f.name(), f.data_type()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads batches of the given root columns, calling `visit(row_offset, columns)`.
fn for_each_batch(
    path: &Path,
    builder: Builder,
    columns: &[usize],
    message: &str,
    mut visit: impl FnMut(usize, &[ArrayRef]) -> Result<()>,
) -> Result<usize> {
    let total = builder.metadata().file_metadata().num_rows();
    let mask = ProjectionMask::roots(builder.parquet_schema(), columns.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| CliError::input(path, format!("cannot read: {e}")))?;
    let bar = progress::rows(message, u64::try_from(total).unwrap_or(0));
    let mut offset = 0;
    for batch in reader {
        let batch = batch.map_err(|e| read_error(path, &e))?;
        visit(offset, batch.columns())?;
        offset += batch.num_rows();
        bar.set_position(offset as u64);
    }
    bar.finish_and_clear();
    Ok(offset)
}

fn read_error(path: &Path, e: &dyn std::fmt::Display) -> CliError {
    let text = e.to_string();
    match text.split("Disabled feature at compile time: ").nth(1) {
        Some(codec) => CliError::input(
            path,
            format!(
                "uses {} compression, which this build cannot read (supported: none, snappy, zstd); \
                 rewrite it with compression=\"snappy\"",
                match codec.trim() {
                    "flate2" => "gzip",
                    "lz4" => "LZ4",
                    "brotli" => "Brotli",
                    other => other,
                }
            ),
        ),
        None => CliError::input(path, format!("cannot read: {text}")),
    }
}

fn first_null(a: &dyn Array) -> Option<usize> {
    if a.null_count() == 0 {
        return None;
    }
    (0..a.len()).find(|&i| a.is_null(i))
}

/// Reads labels from a Parquet file.
pub fn read_labels(path: &Path, label_column: Option<&str>) -> Result<Vec<usize>> {
    let builder = open(path)?;
    let schema = builder.schema().clone();
    let fields: Vec<&Field> = schema.fields().iter().map(AsRef::as_ref).collect();
    let col = if let Some(name) = label_column {
        fields
            .iter()
            .position(|f| f.name() == name)
            .ok_or_else(|| {
                CliError::input(
                    path,
                    format!(
                        "no column named {name:?}; columns: {}",
                        describe_columns(&fields)
                    ),
                )
            })?
    } else {
        let data: Vec<usize> = (0..fields.len())
            .filter(|&i| !is_pandas_index(fields[i]))
            .collect();
        match data.as_slice() {
            [c] => *c,
            [] => return Err(CliError::input(path, "has no columns")),
            _ => {
                return Err(CliError::input(
                    path,
                    format!(
                        "has {} columns ({}); name the label column with --label-column NAME",
                        data.len(),
                        describe_columns(&fields)
                    ),
                ));
            }
        }
    };
    let field = fields[col];
    let name = field.name().clone();
    let dt = field.data_type().clone();
    if !dt.is_integer() {
        let hint = if dt.is_floating() {
            " (cleanlab rejects float labels too; store them as integers)"
        } else {
            ""
        };
        return Err(CliError::input(
            path,
            format!("label column {name:?} has type {dt}; labels must be integers{hint}"),
        ));
    }
    let mut out = Vec::new();
    let mut buf: Vec<i128> = Vec::new();
    let n = for_each_batch(path, builder, &[col], "reading labels", |offset, cols| {
        let a = cols[0].as_ref();
        if let Some(i) = first_null(a) {
            return Err(CliError::input(
                path,
                format!("row {}: label is null", offset + i),
            ));
        }
        buf.clear();
        if !extend_integers(&mut buf, a) {
            return Err(CliError::input(
                path,
                format!(
                    "label column {name:?} has type {}; labels must be integers",
                    a.data_type()
                ),
            ));
        }
        for (i, &v) in buf.iter().enumerate() {
            let idx = to_index(v)
                .map_err(|m| CliError::input(path, format!("row {} {m}", offset + i)))?;
            out.push(idx);
        }
        Ok(())
    })?;
    if n == 0 {
        return Err(CliError::input(path, "is empty (no rows)"));
    }
    Ok(out)
}

/// The float element type a column (or a list column's items) holds, if numeric.
fn numeric_kind(dt: &DataType) -> Option<bool> {
    // Some(true): float32 (stays f32 if every column is float32); Some(false): other numeric.
    match dt {
        DataType::Float32 => Some(true),
        dt if dt.is_integer() || matches!(dt, DataType::Float64) => Some(false),
        _ => None,
    }
}

fn list_item(dt: &DataType) -> Option<&DataType> {
    match dt {
        DataType::FixedSizeList(f, _) | DataType::List(f) | DataType::LargeList(f) => {
            Some(f.data_type())
        }
        _ => None,
    }
}

/// Values of a numeric array as `T`, in order (nulls checked by the caller).
trait FromArrow: Copy + Default {
    fn extend(out: &mut Vec<Self>, a: &dyn Array) -> bool;
}

impl FromArrow for f32 {
    fn extend(out: &mut Vec<f32>, a: &dyn Array) -> bool {
        match a.data_type() {
            DataType::Float32 => out.extend_from_slice(a.as_primitive::<Float32Type>().values()),
            _ => return false,
        }
        true
    }
}

impl FromArrow for f64 {
    #[allow(clippy::cast_lossless)] // one macro for all integer types; i64/u64 have no From
    fn extend(out: &mut Vec<f64>, a: &dyn Array) -> bool {
        macro_rules! ext {
            ($t:ty) => {
                out.extend(a.as_primitive::<$t>().values().iter().map(|&v| v as f64))
            };
        }
        match a.data_type() {
            DataType::Float32 => out.extend(
                a.as_primitive::<Float32Type>()
                    .values()
                    .iter()
                    .map(|&v| f64::from(v)),
            ),
            DataType::Float64 => out.extend_from_slice(a.as_primitive::<Float64Type>().values()),
            DataType::Int8 => ext!(Int8Type),
            DataType::Int16 => ext!(Int16Type),
            DataType::Int32 => ext!(Int32Type),
            DataType::Int64 => ext!(Int64Type),
            DataType::UInt8 => ext!(UInt8Type),
            DataType::UInt16 => ext!(UInt16Type),
            DataType::UInt32 => ext!(UInt32Type),
            DataType::UInt64 => ext!(UInt64Type),
            _ => return false,
        }
        true
    }
}

/// Reads `pred_probs` from a Parquet file.
pub fn read_pred_probs(path: &Path, exclude: Option<&str>) -> Result<Probs> {
    let builder = open(path)?;
    let schema = builder.schema().clone();
    let all: Vec<&Field> = schema.fields().iter().map(AsRef::as_ref).collect();
    let cols: Vec<usize> = (0..all.len())
        .filter(|&i| !is_pandas_index(all[i]) && Some(all[i].name().as_str()) != exclude)
        .collect();
    let fields: Vec<&Field> = cols.iter().map(|&i| all[i]).collect();
    if fields.is_empty() {
        return Err(CliError::input(
            path,
            "has no probability columns; pred_probs needs one numeric column per class or one list column",
        ));
    }
    if let [f] = fields.as_slice()
        && let Some(item) = list_item(f.data_type())
    {
        return match numeric_kind(item) {
            Some(true) => Ok(Probs::F32(Matrix::Owned(read_list::<f32>(
                path, builder, cols[0],
            )?))),
            Some(false) => Ok(Probs::F64(Matrix::Owned(read_list::<f64>(
                path, builder, cols[0],
            )?))),
            None => Err(CliError::input(
                path,
                format!(
                    "list column {:?} holds {item}; pred_probs must be numbers",
                    f.name()
                ),
            )),
        };
    }
    let kinds: Vec<Option<bool>> = fields.iter().map(|f| numeric_kind(f.data_type())).collect();
    if let Some(bad) = kinds.iter().position(Option::is_none) {
        return Err(CliError::input(
            path,
            format!(
                "column {:?} has type {}; pred_probs needs numeric columns (one per class) or a single list column{}",
                fields[bad].name(),
                fields[bad].data_type(),
                if exclude.is_none() && fields.len() > 1 {
                    " (if labels are in this file, pass --label-column NAME)"
                } else {
                    ""
                }
            ),
        ));
    }
    if kinds.iter().all(|&k| k == Some(true)) {
        Ok(Probs::F32(Matrix::Owned(read_columns::<f32>(
            path,
            builder,
            &cols,
            "reading pred_probs",
        )?)))
    } else {
        Ok(Probs::F64(Matrix::Owned(read_columns::<f64>(
            path,
            builder,
            &cols,
            "reading pred_probs",
        )?)))
    }
}

fn read_columns<T: FromArrow>(
    path: &Path,
    builder: Builder,
    cols: &[usize],
    message: &str,
) -> Result<Array2<T>> {
    let names: Vec<String> = {
        let s = builder.schema();
        cols.iter().map(|&c| s.field(c).name().clone()).collect()
    };
    let k = cols.len();
    let total = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let mut values: Vec<T> = Vec::with_capacity(total.saturating_mul(k));
    let mut column = Vec::new();
    let n = for_each_batch(path, builder, cols, message, |offset, arrays| {
        let rows = arrays.first().map_or(0, Array::len);
        values.resize(values.len() + rows * k, T::default());
        let base = offset * k;
        for (c, a) in arrays.iter().enumerate() {
            if let Some(i) = first_null(a.as_ref()) {
                return Err(CliError::input(
                    path,
                    format!("row {} column {c} ({:?}) is null", offset + i, names[c]),
                ));
            }
            column.clear();
            if !T::extend(&mut column, a.as_ref()) {
                return Err(CliError::input(
                    path,
                    format!("column {:?} has type {}", names[c], a.data_type()),
                ));
            }
            for (i, &v) in column.iter().enumerate() {
                values[base + i * k + c] = v;
            }
        }
        Ok(())
    })?;
    if n == 0 {
        return Err(CliError::input(path, "is empty (no rows)"));
    }
    Array2::from_shape_vec((n, k), values)
        .map_err(|e| CliError::input(path, format!("cannot shape the values: {e}")))
}

/// Reads a table: the column `label_column` (integers or strings) and every other column
/// (except pandas' stored index) as numeric features.
pub(crate) fn read_table(
    path: &Path,
    label_column: &str,
) -> Result<(Vec<String>, Array2<f64>, RawLabels)> {
    let builder = open(path)?;
    let schema = builder.schema().clone();
    let all: Vec<&Field> = schema.fields().iter().map(AsRef::as_ref).collect();
    let label = all
        .iter()
        .position(|f| f.name() == label_column)
        .ok_or_else(|| {
            CliError::input(
                path,
                format!(
                    "no column named {label_column:?}; columns: {}",
                    describe_columns(&all)
                ),
            )
        })?;
    let cols: Vec<usize> = (0..all.len())
        .filter(|&i| i != label && !is_pandas_index(all[i]))
        .collect();
    if let Some(&bad) = cols
        .iter()
        .find(|&&i| numeric_kind(all[i].data_type()).is_none())
    {
        return Err(CliError::input(
            path,
            format!(
                "column {:?} has type {}; features must be numeric (every column except the label column {label_column:?} is a feature)",
                all[bad].name(),
                all[bad].data_type()
            ),
        ));
    }
    let names: Vec<String> = cols.iter().map(|&i| all[i].name().clone()).collect();
    let labels = read_label_values(path, open(path)?, label)?;
    let features = if cols.is_empty() {
        Array2::zeros((labels_len(&labels), 0))
    } else {
        read_columns::<f64>(path, builder, &cols, "reading the features")?
    };
    Ok((names, features, labels))
}

fn labels_len(l: &RawLabels) -> usize {
    match l {
        RawLabels::Ints(v) => v.len(),
        RawLabels::Strings(v) => v.len(),
    }
}

/// The values of a label column: integers, or strings (plain, large, view or
/// dictionary-encoded, as pandas writes a `category` column).
fn read_label_values(path: &Path, builder: Builder, col: usize) -> Result<RawLabels> {
    let field = builder.schema().field(col).clone();
    let name = field.name().clone();
    let dt = field.data_type().clone();
    let is_string = |dt: &DataType| {
        matches!(
            dt,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        )
    };
    let strings = match &dt {
        dt if dt.is_integer() => false,
        dt if is_string(dt) => true,
        DataType::Dictionary(_, v) if is_string(v) => true,
        other => {
            let hint = if other.is_floating() {
                " (cleanlab rejects float labels too; store them as integers)"
            } else {
                ""
            };
            return Err(CliError::input(
                path,
                format!(
                    "label column {name:?} has type {other}; labels must be integers or strings{hint}"
                ),
            ));
        }
    };
    let mut ints: Vec<i128> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let n = for_each_batch(path, builder, &[col], "reading labels", |offset, cols| {
        let a = cols[0].as_ref();
        if let Some(i) = first_null(a) {
            return Err(CliError::input(
                path,
                format!("row {}: label is null", offset + i),
            ));
        }
        if !extend_integers(&mut ints, a) {
            match strings_of(a) {
                Some(v) => texts.extend(v),
                None => {
                    return Err(CliError::input(
                        path,
                        format!(
                            "label column {name:?} has type {}; labels must be integers or strings",
                            a.data_type()
                        ),
                    ));
                }
            }
        }
        Ok(())
    })?;
    if n == 0 {
        return Err(CliError::input(path, "is empty (no rows)"));
    }
    Ok(if strings {
        RawLabels::Strings(texts)
    } else {
        RawLabels::Ints(ints)
    })
}

/// Appends the values of an integer array (any width, signed or not) widened to `i128`;
/// `false`, appending nothing, for any other type.
fn extend_integers(out: &mut Vec<i128>, a: &dyn Array) -> bool {
    macro_rules! ext {
        ($t:ty) => {
            out.extend(
                a.as_primitive::<$t>()
                    .values()
                    .iter()
                    .map(|&v| i128::from(v)),
            )
        };
    }
    match a.data_type() {
        DataType::Int8 => ext!(Int8Type),
        DataType::Int16 => ext!(Int16Type),
        DataType::Int32 => ext!(Int32Type),
        DataType::Int64 => ext!(Int64Type),
        DataType::UInt8 => ext!(UInt8Type),
        DataType::UInt16 => ext!(UInt16Type),
        DataType::UInt32 => ext!(UInt32Type),
        DataType::UInt64 => ext!(UInt64Type),
        _ => return false,
    }
    true
}

/// The values of a string column (plain, large, view or dictionary-encoded), or `None`
/// for any other type.
fn strings_of(a: &dyn Array) -> Option<Vec<String>> {
    let own = |s: Option<&str>| s.unwrap_or_default().to_owned();
    match a.data_type() {
        DataType::Utf8 => Some(a.as_string::<i32>().iter().map(own).collect()),
        DataType::LargeUtf8 => Some(a.as_string::<i64>().iter().map(own).collect()),
        DataType::Utf8View => Some(a.as_string_view().iter().map(own).collect()),
        DataType::Dictionary(_, _) => {
            let d = a.as_any_dictionary();
            let names = strings_of(d.values().as_ref())?;
            Some(
                d.normalized_keys()
                    .into_iter()
                    .map(|k| names.get(k).cloned().unwrap_or_default())
                    .collect(),
            )
        }
        _ => None,
    }
}

/// The items of a list column (sliced to the batch) and the row offsets into them.
fn list_parts(path: &Path, name: &str, a: &dyn Array) -> Result<(ArrayRef, Vec<usize>)> {
    Ok(match a.data_type() {
        DataType::FixedSizeList(_, w) => {
            let l = a.as_fixed_size_list();
            let w = usize::try_from(*w).unwrap_or(0);
            // The child of a sliced fixed-size list starts at the list's offset.
            let child = l.values().slice(l.offset() * w, l.len() * w);
            (child, (0..=l.len()).map(|i| i * w).collect())
        }
        DataType::List(_) => {
            let l = a.as_list::<i32>();
            let o = l.value_offsets();
            let first = usize::try_from(o[0]).unwrap_or(0);
            let last = usize::try_from(o[o.len() - 1]).unwrap_or(0);
            (
                l.values().slice(first, last - first),
                o.iter()
                    .map(|&x| usize::try_from(x).unwrap_or(0) - first)
                    .collect(),
            )
        }
        DataType::LargeList(_) => {
            let l = a.as_list::<i64>();
            let o = l.value_offsets();
            let first = usize::try_from(o[0]).unwrap_or(0);
            let last = usize::try_from(o[o.len() - 1]).unwrap_or(0);
            (
                l.values().slice(first, last - first),
                o.iter()
                    .map(|&x| usize::try_from(x).unwrap_or(0) - first)
                    .collect(),
            )
        }
        other => {
            return Err(CliError::input(
                path,
                format!("column {name:?} has type {other}, not a list"),
            ));
        }
    })
}

fn read_list<T: FromArrow>(path: &Path, builder: Builder, col: usize) -> Result<Array2<T>> {
    let name = builder.schema().field(col).name().clone();
    let mut values: Vec<T> = Vec::new();
    let mut k: Option<usize> = None;
    let mut check_len = |row: usize, len: usize| -> Result<()> {
        match k {
            None if len == 0 => Err(CliError::input(
                path,
                format!(
                    "row {row} of column {name:?} is an empty list; pred_probs needs one value per class"
                ),
            )),
            None => {
                k = Some(len);
                Ok(())
            }
            Some(k) if k != len => Err(CliError::input(
                path,
                format!(
                    "row {row} of column {name:?} has {len} values, expected {k} (as in row 0)"
                ),
            )),
            Some(_) => Ok(()),
        }
    };
    let n = for_each_batch(
        path,
        builder,
        &[col],
        "reading pred_probs",
        |offset, arrays| {
            let a = arrays[0].as_ref();
            if let Some(i) = first_null(a) {
                return Err(CliError::input(
                    path,
                    format!("row {} of column {name:?} is null", offset + i),
                ));
            }
            let (child, offsets) = list_parts(path, &name, a)?;
            for (i, w) in offsets.windows(2).enumerate() {
                check_len(offset + i, w[1] - w[0])?;
            }
            if let Some(j) = first_null(child.as_ref()) {
                let row = offsets.partition_point(|&o| o <= j) - 1;
                return Err(CliError::input(
                    path,
                    format!(
                        "row {} column {} of {name:?} is null",
                        offset + row,
                        j - offsets[row]
                    ),
                ));
            }
            if !T::extend(&mut values, child.as_ref()) {
                return Err(CliError::input(
                    path,
                    format!("list column {name:?} holds {}", child.data_type()),
                ));
            }
            Ok(())
        },
    )?;
    let k = k.unwrap_or(0);
    if n == 0 {
        return Err(CliError::input(path, "is empty (no rows)"));
    }
    Array2::from_shape_vec((n, k), values)
        .map_err(|e| CliError::input(path, format!("cannot shape the values: {e}")))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{FixedSizeListBuilder, Float32Builder, Float64Builder, ListBuilder};
    use arrow_array::{Float32Array, Float64Array, Int64Array, RecordBatch, UInt16Array};
    use arrow_schema::Schema;
    use parquet::arrow::ArrowWriter;

    use super::*;

    fn write(name: &str, columns: Vec<(&str, ArrayRef)>) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("cl-cli-pq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        let fields: Vec<Field> = columns
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect();
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            columns.into_iter().map(|(_, a)| a).collect(),
        )
        .unwrap();
        let mut w =
            ArrowWriter::try_new(std::fs::File::create(&p).unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        p
    }

    fn f64s(v: &[f64]) -> ArrayRef {
        Arc::new(Float64Array::from(v.to_vec()))
    }

    #[test]
    fn labels_single_and_named_column() {
        let p = write(
            "l.parquet",
            vec![("y", Arc::new(UInt16Array::from(vec![0, 2, 1])))],
        );
        assert_eq!(read_labels(&p, None).unwrap(), vec![0, 2, 1]);
        let p = write(
            "l2.parquet",
            vec![
                ("p0", f64s(&[0.5, 0.5])),
                ("label", Arc::new(Int64Array::from(vec![1, 0]))),
            ],
        );
        assert_eq!(read_labels(&p, Some("label")).unwrap(), vec![1, 0]);
        let e = read_labels(&p, None).unwrap_err().to_string();
        assert!(
            e.contains("has 2 columns") && e.contains("--label-column"),
            "{e}"
        );
        let e = read_labels(&p, Some("p0")).unwrap_err().to_string();
        assert!(
            e.contains("has type Float64; labels must be integers"),
            "{e}"
        );
        let p = write(
            "l3.parquet",
            vec![("y", Arc::new(Int64Array::from(vec![Some(1), None])))],
        );
        assert!(
            read_labels(&p, None)
                .unwrap_err()
                .to_string()
                .contains("row 1: label is null")
        );
        let p = write(
            "l4.parquet",
            vec![("y", Arc::new(Int64Array::from(vec![0, -2])))],
        );
        assert!(
            read_labels(&p, None)
                .unwrap_err()
                .to_string()
                .contains("row 1 has label -2, which is negative")
        );
    }

    #[test]
    fn pred_probs_columns() {
        let p = write(
            "p.parquet",
            vec![("a", f64s(&[0.1, 0.7])), ("b", f64s(&[0.9, 0.3]))],
        );
        let Probs::F64(m) = read_pred_probs(&p, None).unwrap() else {
            panic!("f64 columns give f64")
        };
        assert_eq!(m.view().unwrap(), ndarray::array![[0.1, 0.9], [0.7, 0.3]]);
        let p = write(
            "p32.parquet",
            vec![
                ("a", Arc::new(Float32Array::from(vec![0.25_f32, 1.0]))),
                ("label", Arc::new(Int64Array::from(vec![0, 1]))),
                ("b", Arc::new(Float32Array::from(vec![0.75_f32, 0.0]))),
            ],
        );
        let Probs::F32(m) = read_pred_probs(&p, Some("label")).unwrap() else {
            panic!("f32 columns stay f32")
        };
        assert_eq!(
            m.view().unwrap(),
            ndarray::array![[0.25_f32, 0.75], [1.0, 0.0]]
        );
        let p = write(
            "pnull.parquet",
            vec![
                ("a", f64s(&[0.1, 0.7])),
                ("b", Arc::new(Float64Array::from(vec![Some(0.9), None]))),
            ],
        );
        assert!(
            read_pred_probs(&p, None)
                .unwrap_err()
                .to_string()
                .contains("row 1 column 1 (\"b\") is null")
        );
    }

    #[test]
    fn pred_probs_lists() {
        let mut b = FixedSizeListBuilder::new(Float32Builder::new(), 2);
        for row in [[0.25_f32, 0.75], [0.5, 0.5], [1.0, 0.0]] {
            b.values().append_slice(&row);
            b.append(true);
        }
        let p = write("fsl.parquet", vec![("probs", Arc::new(b.finish()))]);
        let Probs::F32(m) = read_pred_probs(&p, None).unwrap() else {
            panic!("list of f32 stays f32")
        };
        assert_eq!(
            m.view().unwrap(),
            ndarray::array![[0.25_f32, 0.75], [0.5, 0.5], [1.0, 0.0]]
        );

        let mut b = ListBuilder::new(Float64Builder::new());
        for row in [vec![0.25, 0.75], vec![0.5, 0.5]] {
            b.values().append_slice(&row);
            b.append(true);
        }
        let p = write("list.parquet", vec![("probs", Arc::new(b.finish()))]);
        let Probs::F64(m) = read_pred_probs(&p, None).unwrap() else {
            panic!("list of f64 gives f64")
        };
        assert_eq!(m.view().unwrap(), ndarray::array![[0.25, 0.75], [0.5, 0.5]]);

        let mut b = ListBuilder::new(Float64Builder::new());
        for row in [vec![0.25, 0.75], vec![0.5, 0.25, 0.25]] {
            b.values().append_slice(&row);
            b.append(true);
        }
        let p = write("ragged.parquet", vec![("probs", Arc::new(b.finish()))]);
        assert!(
            read_pred_probs(&p, None)
                .unwrap_err()
                .to_string()
                .contains("row 1 of column \"probs\" has 3 values, expected 2")
        );
    }
}
