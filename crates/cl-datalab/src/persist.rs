//! Save and load a finished audit as versioned JSON.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::datalab::Datalab;
use crate::error::{DatalabError, Result};

/// The format tag written into every saved audit.
pub const FORMAT: &str = "cl-datalab-audit";
/// The current format version. Loading accepts exactly this version.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct SavedRef<'a> {
    format: &'static str,
    version: u32,
    cleanlab_version: &'static str,
    datalab: &'a Datalab,
}

#[derive(Deserialize)]
struct Saved {
    format: String,
    version: u32,
    datalab: Datalab,
}

impl Datalab {
    /// The finished audit as versioned JSON (`{"format": "cl-datalab-audit", "version": 1,
    /// "cleanlab_version": "2.9.0", "datalab": {...}}`): labels, class names, the issues
    /// table, the summary, per-type info and failures. Non-finite floats in columns are
    /// written as the strings `"NaN"`, `"inf"`, `"-inf"`.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&SavedRef {
            format: FORMAT,
            version: FORMAT_VERSION,
            cleanlab_version: "2.9.0",
            datalab: self,
        })
        .map_err(|e| DatalabError::Load(e.to_string()))
    }

    /// Reads an audit written by [`to_json`](Self::to_json); another format or version is
    /// an error.
    pub fn from_json(text: &str) -> Result<Self> {
        let head: serde_json::Value =
            serde_json::from_str(text).map_err(|e| DatalabError::Load(e.to_string()))?;
        match (
            head.get("format").and_then(|v| v.as_str()),
            head.get("version").and_then(serde_json::Value::as_u64),
        ) {
            (Some(FORMAT), Some(v)) if v == u64::from(FORMAT_VERSION) => {}
            (Some(FORMAT), Some(v)) => {
                return Err(DatalabError::Load(format!(
                    "saved with format version {v}, this build reads version {FORMAT_VERSION}"
                )));
            }
            _ => {
                return Err(DatalabError::Load(format!(
                    "not a saved audit (no \"format\": \"{FORMAT}\" with a version)"
                )));
            }
        }
        let saved: Saved =
            serde_json::from_value(head).map_err(|e| DatalabError::Load(e.to_string()))?;
        debug_assert_eq!(saved.format, FORMAT);
        debug_assert_eq!(saved.version, FORMAT_VERSION);
        let lab = saved.datalab;
        let n = lab.labels.len();
        if lab.issues.num_rows != n || lab.issues.columns.iter().any(|c| c.data.len() != n) {
            return Err(DatalabError::Load(format!(
                "issues table does not have one row per example ({n})"
            )));
        }
        if lab.labels.iter().any(|&c| c >= lab.class_names.len()) {
            return Err(DatalabError::Load("a label is not a class index".into()));
        }
        Ok(lab)
    }

    /// Writes [`to_json`](Self::to_json) to `path`; an existing file is an error unless
    /// `force` (cleanlab's `save(path, force)`).
    pub fn save(&self, path: impl AsRef<Path>, force: bool) -> Result<()> {
        let path = path.as_ref();
        let io = |e: std::io::Error| DatalabError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        if path.exists() && !force {
            return Err(DatalabError::Io {
                path: path.display().to_string(),
                message: "already exists (pass force to overwrite)".into(),
            });
        }
        std::fs::write(path, self.to_json()?).map_err(io)
    }

    /// Reads an audit saved by [`save`](Self::save).
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| DatalabError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_json(&text)
    }
}
