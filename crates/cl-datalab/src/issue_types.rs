//! Which issue types to check, in which order, with which parameters (cleanlab's
//! `issue_types` dict).

use std::fmt;

use cl_core::neighbors::Metric;
use cl_filter::{FilterBy, FilterOptions};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::check::IssueCheck;
use crate::checks::{
    ClassImbalance, DataValuation, Label, NearDuplicate, NonIid, Null, Outlier,
    UnderperformingGroup,
};
use crate::error::{DatalabError, Result};

/// The issue types Datalab runs by default for classification, in order.
pub const DEFAULT_ISSUE_TYPES: [&str; 7] = [
    "null",
    "label",
    "outlier",
    "near_duplicate",
    "non_iid",
    "class_imbalance",
    "underperforming_group",
];

/// Every built-in issue type (`list_possible_issue_types()`): the defaults plus the opt-in
/// `data_valuation`.
pub const POSSIBLE_ISSUE_TYPES: [&str; 8] = [
    "null",
    "label",
    "outlier",
    "near_duplicate",
    "non_iid",
    "class_imbalance",
    "underperforming_group",
    "data_valuation",
];

/// An ordered list of issue checks (cleanlab's `issue_types` dict, in key order).
#[derive(Debug, Default)]
pub struct IssueTypes {
    pub(crate) checks: Vec<Box<dyn IssueCheck>>,
}

impl IssueTypes {
    /// An empty list (`issue_types={}`: nothing is checked).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a check (replacing an earlier one of the same name, keeping its position).
    #[must_use]
    pub fn with(mut self, check: impl IssueCheck + 'static) -> Self {
        self.push(Box::new(check));
        self
    }

    /// Appends a boxed check (replacing an earlier one of the same name in place).
    pub fn push(&mut self, check: Box<dyn IssueCheck>) {
        if let Some(slot) = self.checks.iter_mut().find(|c| c.name() == check.name()) {
            *slot = check;
        } else {
            self.checks.push(check);
        }
    }

    /// The built-in check called `name` with cleanlab's default parameters.
    pub fn builtin(name: &str) -> Result<Box<dyn IssueCheck>> {
        Self::builtin_with(name, &Map::new())
    }

    /// cleanlab's default list, each with default parameters (only those whose inputs are
    /// available run).
    pub fn defaults() -> Self {
        let mut out = Self::new();
        for name in DEFAULT_ISSUE_TYPES {
            if let Ok(c) = Self::builtin(name) {
                out.push(c);
            }
        }
        out
    }

    /// Number of checks.
    pub fn len(&self) -> usize {
        self.checks.len()
    }

    /// Whether no check is listed.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    /// Names in order.
    pub fn names(&self) -> Vec<&str> {
        self.checks.iter().map(|c| c.name()).collect()
    }

    /// Parses cleanlab's `issue_types` JSON (`{"label": {"k": 5}, "near_duplicate": {}}`),
    /// keeping the key order. Parameter names are cleanlab's; an unknown issue type or
    /// parameter is an error.
    pub fn from_json_str(text: &str) -> Result<Self> {
        let mut de = serde_json::Deserializer::from_str(text);
        let ordered = de
            .deserialize_map(OrderedVisitor)
            .map_err(|e| DatalabError::param("issue_types", e.to_string()))?;
        de.end()
            .map_err(|e| DatalabError::param("issue_types", e.to_string()))?;
        let mut out = Self::new();
        for (name, params) in ordered {
            let params = match params {
                Value::Object(m) => m,
                Value::Null => Map::new(),
                other => {
                    return Err(DatalabError::param(
                        "issue_types",
                        format!("parameters of {name} must be an object, got {other}"),
                    ));
                }
            };
            out.push(Self::builtin_with(&name, &params)?);
        }
        Ok(out)
    }

    /// The built-in check `name` with parameters from a JSON object (cleanlab's names).
    #[allow(clippy::too_many_lines)] // one arm per issue type
    pub fn builtin_with(name: &str, params: &Map<String, Value>) -> Result<Box<dyn IssueCheck>> {
        let p = Params { name, params };
        let check: Box<dyn IssueCheck> = match name {
            "null" => {
                p.only(&[])?;
                Box::new(Null)
            }
            "label" => {
                p.only(&["k", "filter_by", "frac_noise", "min_examples_per_class"])?;
                let mut c = Label::default();
                c.k = p.usize("k")?.unwrap_or(c.k);
                let mut f: FilterOptions = c.filter.clone();
                if let Some(s) = p.str("filter_by")? {
                    f = f.filter_by(
                        s.parse::<FilterBy>()
                            .map_err(|e| DatalabError::param("filter_by", e.to_string()))?,
                    );
                }
                if let Some(x) = p.f64("frac_noise")? {
                    f = f.frac_noise(x);
                }
                if let Some(m) = p.usize("min_examples_per_class")? {
                    f = f.min_examples_per_class(m);
                }
                Box::new(c.filter(f))
            }
            "outlier" => {
                p.only(&[
                    "k",
                    "t",
                    "metric",
                    "scaling_factor",
                    "threshold",
                    "method",
                    "adjust_pred_probs",
                    "confident_thresholds",
                ])?;
                let mut c = Outlier::default();
                c.k = p.usize("k")?.unwrap_or(c.k);
                c.t = p.f64("t")?.unwrap_or(c.t);
                c.metric = p.metric()?.or(c.metric);
                c.scaling_factor = p.f64("scaling_factor")?.or(c.scaling_factor);
                c.threshold = p.f64("threshold")?.or(c.threshold);
                if let Some(m) = p.str("method")? {
                    c.method = m.parse().map_err(DatalabError::from)?;
                }
                c.adjust_pred_probs = p.bool("adjust_pred_probs")?.unwrap_or(c.adjust_pred_probs);
                c.confident_thresholds = p
                    .vec_f64("confident_thresholds")?
                    .or(c.confident_thresholds);
                Box::new(c)
            }
            "data_valuation" => {
                p.only(&["k", "threshold", "metric"])?;
                let mut c = DataValuation::default();
                c.k = p.usize("k")?.unwrap_or(c.k);
                c.threshold = p.f64("threshold")?.unwrap_or(c.threshold);
                c.metric = p.metric()?.or(c.metric);
                Box::new(c)
            }
            "near_duplicate" => {
                p.only(&["k", "threshold", "metric"])?;
                let mut c = NearDuplicate::default();
                c.k = p.usize("k")?.unwrap_or(c.k);
                c.threshold = p.f64("threshold")?.unwrap_or(c.threshold);
                c.metric = p.metric()?.or(c.metric);
                Box::new(c)
            }
            "non_iid" => {
                p.only(&[
                    "k",
                    "metric",
                    "num_permutations",
                    "seed",
                    "significance_threshold",
                ])?;
                let mut c = NonIid::default();
                c.k = p.usize("k")?.unwrap_or(c.k);
                c.metric = p.metric()?.or(c.metric);
                c.num_permutations = p.usize("num_permutations")?.unwrap_or(c.num_permutations);
                if let Some(s) = p.usize("seed")? {
                    c.seed = u32::try_from(s)
                        .map_err(|_| DatalabError::param("seed", "must fit in 32 bits"))?;
                }
                c.significance_threshold = p
                    .f64("significance_threshold")?
                    .unwrap_or(c.significance_threshold);
                Box::new(c)
            }
            "class_imbalance" => {
                p.only(&["threshold"])?;
                let mut c = ClassImbalance::default();
                c.threshold = p.f64("threshold")?.unwrap_or(c.threshold);
                Box::new(c)
            }
            "underperforming_group" => {
                p.only(&[
                    "k",
                    "metric",
                    "threshold",
                    "min_cluster_samples",
                    "cluster_ids",
                    "clustering_kwargs",
                ])?;
                let mut c = UnderperformingGroup::default();
                c.k = p.usize("k")?.unwrap_or(c.k);
                c.metric = p.metric()?.or(c.metric);
                c.threshold = p.f64("threshold")?.unwrap_or(c.threshold);
                c.min_cluster_samples = p
                    .usize("min_cluster_samples")?
                    .unwrap_or(c.min_cluster_samples);
                if let Some(v) = params.get("cluster_ids") {
                    let ids = v
                        .as_array()
                        .and_then(|a| a.iter().map(Value::as_i64).collect::<Option<Vec<_>>>())
                        .ok_or_else(|| {
                            DatalabError::param("cluster_ids", "must be a list of integers")
                        })?;
                    c.cluster_ids = Some(ids);
                }
                if let Some(Value::Object(kw)) = params.get("clustering_kwargs") {
                    let q = Params { name, params: kw };
                    q.only(&["eps", "min_samples"])?;
                    c.eps = q.f64("eps")?.unwrap_or(c.eps);
                    c.min_samples = q.usize("min_samples")?.unwrap_or(c.min_samples);
                }
                Box::new(c)
            }
            other => return Err(DatalabError::InvalidIssueType(other.to_owned())),
        };
        Ok(check)
    }
}

struct Params<'a> {
    name: &'a str,
    params: &'a Map<String, Value>,
}

impl Params<'_> {
    fn only(&self, allowed: &[&str]) -> Result<()> {
        for key in self.params.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(DatalabError::param(
                    "issue_types",
                    format!(
                        "unknown parameter {key:?} for {} (known: {})",
                        self.name,
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn f64(&self, key: &str) -> Result<Option<f64>> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| {
                DatalabError::param(
                    "issue_types",
                    format!("{}.{key} must be a number", self.name),
                )
            }),
        }
    }

    fn usize(&self, key: &str) -> Result<Option<usize>> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|x| usize::try_from(x).ok())
                .map(Some)
                .ok_or_else(|| {
                    DatalabError::param(
                        "issue_types",
                        format!("{}.{key} must be a non-negative integer", self.name),
                    )
                }),
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| {
                DatalabError::param(
                    "issue_types",
                    format!("{}.{key} must be true or false", self.name),
                )
            }),
        }
    }

    fn vec_f64(&self, key: &str) -> Result<Option<Vec<f64>>> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_array()
                .and_then(|a| a.iter().map(Value::as_f64).collect::<Option<Vec<_>>>())
                .map(Some)
                .ok_or_else(|| {
                    DatalabError::param(
                        "issue_types",
                        format!("{}.{key} must be a list of numbers", self.name),
                    )
                }),
        }
    }

    fn str(&self, key: &str) -> Result<Option<&str>> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_str().map(Some).ok_or_else(|| {
                DatalabError::param(
                    "issue_types",
                    format!("{}.{key} must be a string", self.name),
                )
            }),
        }
    }

    fn metric(&self) -> Result<Option<Metric>> {
        self.str("metric")?
            .map(|s| s.parse::<Metric>().map_err(DatalabError::from))
            .transpose()
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Vec<(String, Value)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object mapping issue types to parameter objects")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut out: Vec<(String, Value)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            if let Some(slot) = out.iter_mut().find(|(name, _)| *name == k) {
                slot.1 = v;
            } else {
                out.push((k, v));
            }
        }
        Ok(out)
    }
}
