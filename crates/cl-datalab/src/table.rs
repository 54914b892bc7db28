//! The per-example issues table and the summary (cleanlab's `issues` and `issue_summary`
//! DataFrames).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Values of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "values", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ColumnData {
    /// Booleans (`is_<type>_issue`).
    Bool(Vec<bool>),
    /// Floats (`<type>_score`, distances). Non-finite values are saved as strings.
    Float(#[serde(with = "float_vec")] Vec<f64>),
    /// Integers.
    Int(Vec<i64>),
    /// Text (class names).
    Text(Vec<String>),
    /// A list of example indices per row (`near_duplicate_sets`).
    IndexSets(Vec<Vec<usize>>),
}

impl ColumnData {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Bool(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Int(v) => v.len(),
            ColumnData::Text(v) => v.len(),
            ColumnData::IndexSets(v) => v.len(),
        }
    }

    /// Whether the column has no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell of row `i` as text (CSV/report formatting: floats in Rust's shortest
    /// round-trip form, booleans `True`/`False` as pandas prints them, index sets `[1, 2]`).
    pub fn cell(&self, i: usize) -> String {
        match self {
            ColumnData::Bool(v) => if v[i] { "True" } else { "False" }.to_owned(),
            ColumnData::Float(v) => format_float(v[i]),
            ColumnData::Int(v) => v[i].to_string(),
            ColumnData::Text(v) => v[i].clone(),
            ColumnData::IndexSets(v) => format!(
                "[{}]",
                v[i].iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Row `i` as a JSON value.
    pub fn json(&self, i: usize) -> serde_json::Value {
        match self {
            ColumnData::Bool(v) => v[i].into(),
            ColumnData::Float(v) => float_json(v[i]),
            ColumnData::Int(v) => v[i].into(),
            ColumnData::Text(v) => v[i].clone().into(),
            ColumnData::IndexSets(v) => v[i].clone().into(),
        }
    }

    /// The float values, if this is a float column.
    pub fn as_f64(&self) -> Option<&[f64]> {
        match self {
            ColumnData::Float(v) => Some(v),
            _ => None,
        }
    }

    /// The booleans, if this is a boolean column.
    pub fn as_bool(&self) -> Option<&[bool]> {
        match self {
            ColumnData::Bool(v) => Some(v),
            _ => None,
        }
    }

    /// The rows `idx` of this column, in that order.
    #[must_use]
    pub fn take(&self, idx: &[usize]) -> ColumnData {
        match self {
            ColumnData::Bool(v) => ColumnData::Bool(idx.iter().map(|&i| v[i]).collect()),
            ColumnData::Float(v) => ColumnData::Float(idx.iter().map(|&i| v[i]).collect()),
            ColumnData::Int(v) => ColumnData::Int(idx.iter().map(|&i| v[i]).collect()),
            ColumnData::Text(v) => ColumnData::Text(idx.iter().map(|&i| v[i].clone()).collect()),
            ColumnData::IndexSets(v) => {
                ColumnData::IndexSets(idx.iter().map(|&i| v[i].clone()).collect())
            }
        }
    }
}

/// A float as JSON: finite values as numbers, others as the strings `"NaN"`, `"inf"`, `"-inf"`.
pub(crate) fn float_json(x: f64) -> serde_json::Value {
    if x.is_finite() {
        serde_json::Value::from(x)
    } else {
        serde_json::Value::from(format_float(x))
    }
}

/// Shortest round-trip text of a float (`NaN`, `inf`, `-inf` for non-finite values).
pub(crate) fn format_float(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:?}")
    }
}

mod float_vec {
    use super::{Deserialize, Deserializer, Serialize, Serializer, float_json};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let vals: Vec<serde_json::Value> = v.iter().map(|&x| float_json(x)).collect();
        vals.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let vals = Vec::<serde_json::Value>::deserialize(d)?;
        vals.into_iter()
            .map(|v| match v {
                serde_json::Value::Number(n) => n
                    .as_f64()
                    .ok_or_else(|| serde::de::Error::custom("float out of range")),
                serde_json::Value::String(s) => match s.as_str() {
                    "NaN" => Ok(f64::NAN),
                    "inf" => Ok(f64::INFINITY),
                    "-inf" => Ok(f64::NEG_INFINITY),
                    other => Err(serde::de::Error::custom(format!("not a float: {other}"))),
                },
                other => Err(serde::de::Error::custom(format!("not a float: {other}"))),
            })
            .collect()
    }
}

/// One named column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Column name, e.g. `is_label_issue`.
    pub name: String,
    /// Its values, one per example.
    pub data: ColumnData,
}

impl Column {
    /// A new column.
    pub fn new(name: impl Into<String>, data: ColumnData) -> Self {
        Self {
            name: name.into(),
            data,
        }
    }
}

/// A table of per-example columns (cleanlab's `get_issues()` DataFrame; the row index is
/// the example index).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IssuesTable {
    /// Number of rows (examples).
    pub num_rows: usize,
    /// The columns, in order.
    pub columns: Vec<Column>,
}

impl IssuesTable {
    /// An empty table for `num_rows` examples.
    pub fn new(num_rows: usize) -> Self {
        Self {
            num_rows,
            columns: Vec::new(),
        }
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.data)
    }

    /// Column names in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Adds a column, replacing one of the same name in place (cleanlab replaces columns of
    /// the same name when a check is re-run).
    pub fn upsert(&mut self, column: Column) {
        if let Some(c) = self.columns.iter_mut().find(|c| c.name == column.name) {
            *c = column;
        } else {
            self.columns.push(column);
        }
    }

    /// The table as CSV text: a header of column names, one row per example (no index
    /// column), cells as [`ColumnData::cell`], quoted where needed.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let names: Vec<String> = self.columns.iter().map(|c| csv_field(&c.name)).collect();
        out.push_str(&names.join(","));
        out.push('\n');
        for i in 0..self.num_rows {
            let row: Vec<String> = self
                .columns
                .iter()
                .map(|c| csv_field(&c.data.cell(i)))
                .collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One row of the issue summary (`get_issue_summary()`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// The issue type.
    pub issue_type: String,
    /// Dataset-level quality for this issue type, in [0, 1]; lower is worse.
    #[serde(with = "float_one")]
    pub score: f64,
    /// Number of examples flagged.
    pub num_issues: usize,
}

mod float_one {
    use super::{Deserialize, Deserializer, Serialize, Serializer, float_json};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        float_json(*v).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| serde::de::Error::custom("float out of range")),
            serde_json::Value::String(s) if s == "NaN" => Ok(f64::NAN),
            serde_json::Value::String(s) if s == "inf" => Ok(f64::INFINITY),
            serde_json::Value::String(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
            other => Err(serde::de::Error::custom(format!("not a float: {other}"))),
        }
    }
}
