//! Command-line arguments (clap derive). Option names and values follow cleanlab's
//! parameter names (`--filter-by prune_by_noise_rate`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Inputs: .npy (pred_probs memory-mapped, float32 or float64; labels of any integer dtype), \
.csv (header optional) or .parquet. `learn` reads a .csv (with header) or .parquet table: \
numeric features plus a label column (integers = class indices, or strings numbered in \
sorted order). Input files must not be modified while the command runs.

Exit codes: 0 success; 1 failure not caused by the input (e.g. the output cannot be written); \
2 bad input or usage (missing file, unknown extension, wrong dtype or shape, NaN/inf, labels \
out of range, empty input, invalid option); 3 more issues than --fail-if-issues-above allows.";

/// Find label issues and score label quality from a model's predicted probabilities, or
/// from features with a built-in classifier (CleanLearning), with the same results as
/// cleanlab 2.9.0. Start with `cleanlab demo`.
#[derive(Debug, Parser)]
#[command(name = "cleanlab", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// Worker threads (default: one per core). Results are identical for every count.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Do not show progress bars (they are shown only when stderr is a terminal).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole job on an embedded synthetic dataset with known label errors:
    /// cross-validated logistic regression, CleanLearning's label issues, precision and
    /// recall against the known flips, the top issues and the health summary.
    Demo(DemoArgs),
    /// CleanLearning on a table of numeric features plus a label column (.csv or .parquet):
    /// cross-validated probabilities of a built-in model, then the label issues
    /// (cleanlab.classification.CleanLearning.find_label_issues).
    Learn(LearnArgs),
    /// Flag the examples whose given label is likely wrong (cleanlab.filter.find_label_issues).
    FindLabelIssues(FindLabelIssuesArgs),
    /// Label quality score of every example, lower = more likely mislabeled
    /// (cleanlab.rank.get_label_quality_scores).
    LabelQuality(LabelQualityArgs),
    /// Dataset-level label health: noisiest classes, overlapping classes, overall score
    /// (cleanlab.dataset.health_summary).
    Health(HealthArgs),
    /// Out-of-distribution score of every example, lower = more atypical, from features
    /// (mean distance to the k nearest neighbours) or from pred_probs (entropy or least
    /// confidence) (cleanlab.outlier.OutOfDistribution.fit_score).
    Outliers(OutliersArgs),
    /// Build the k-nearest-neighbour graph of features and save it as a scipy CSR .npz
    /// (cleanlab.internal.neighbor.create_knn_graph_and_index; scipy.sparse.load_npz reads it).
    KnnGraph(KnnGraphArgs),
    /// The one-call dataset audit (cleanlab's Datalab.find_issues): label issues,
    /// near-duplicates, non-IID order, class imbalance, nulls, underperforming groups.
    Audit(AuditArgs),
}

/// The two input files.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Given labels, one class index (0..K) per example: .npy, .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub labels: PathBuf,
    /// Out-of-sample predicted probabilities, N×K: .npy, .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub pred_probs: PathBuf,
    /// Column holding the labels in a CSV (with header) or Parquet labels file. When labels
    /// and pred_probs are the same file, this column is left out of pred_probs.
    #[arg(long, value_name = "NAME")]
    pub label_column: Option<String>,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable table.
    Table,
    /// One JSON object.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Where and how to write the result.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the result to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// cleanlab's `filter_by` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(clippy::enum_variant_names)]
pub enum FilterByArg {
    /// Per (given, true) class pair, the examples with the largest margin (default).
    #[value(name = "prune_by_noise_rate")]
    PruneByNoiseRate,
    /// Per class, the examples with the lowest self-confidence.
    #[value(name = "prune_by_class")]
    PruneByClass,
    /// Flagged by both prune_by_noise_rate and prune_by_class.
    #[value(name = "both")]
    Both,
    /// Off-diagonal examples of the confident joint.
    #[value(name = "confident_learning")]
    ConfidentLearning,
    /// argmax(pred_probs) differs from the given label.
    #[value(name = "predicted_neq_given")]
    PredictedNeqGiven,
    /// The estimated number of issues with the lowest normalized margin.
    #[value(name = "low_normalized_margin")]
    LowNormalizedMargin,
    /// The estimated number of issues with the lowest self-confidence.
    #[value(name = "low_self_confidence")]
    LowSelfConfidence,
}

impl FilterByArg {
    /// The cl-filter method.
    pub fn to_filter(self) -> cl_filter::FilterBy {
        use cl_filter::FilterBy as F;
        match self {
            FilterByArg::PruneByNoiseRate => F::PruneByNoiseRate,
            FilterByArg::PruneByClass => F::PruneByClass,
            FilterByArg::Both => F::Both,
            FilterByArg::ConfidentLearning => F::ConfidentLearning,
            FilterByArg::PredictedNeqGiven => F::PredictedNeqGiven,
            FilterByArg::LowNormalizedMargin => F::LowNormalizedMargin,
            FilterByArg::LowSelfConfidence => F::LowSelfConfidence,
        }
    }
}

/// cleanlab's label quality score methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// p[given label] (cleanlab's default).
    #[value(name = "self_confidence")]
    SelfConfidence,
    /// (p[given] - max other p + 1) / 2.
    #[value(name = "normalized_margin")]
    NormalizedMargin,
    /// Entropy-weighted self-confidence.
    #[value(name = "confidence_weighted_entropy")]
    ConfidenceWeightedEntropy,
}

impl MethodArg {
    /// The cl-rank method.
    pub fn to_method(self) -> cl_rank::ScoreMethod {
        use cl_rank::ScoreMethod as M;
        match self {
            MethodArg::SelfConfidence => M::SelfConfidence,
            MethodArg::NormalizedMargin => M::NormalizedMargin,
            MethodArg::ConfidenceWeightedEntropy => M::ConfidenceWeightedEntropy,
        }
    }
}

/// Arguments of `find-label-issues`.
#[derive(Debug, Clone, Args)]
pub struct FindLabelIssuesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Which examples to flag (cleanlab's filter_by).
    #[arg(long, value_enum, default_value_t = FilterByArg::PruneByNoiseRate)]
    pub filter_by: FilterByArg,
    /// Fraction of the estimated issues to flag, in (0, 1] (pruning filters only).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub frac_noise: f64,
    /// Exact number of issues to flag per class, comma-separated, one per class
    /// (pruning filters only), e.g. 5,0,3.
    #[arg(long, value_delimiter = ',', num_args = 1.., value_name = "N,N,...")]
    pub num_to_remove_per_class: Option<Vec<usize>>,
    /// Classes with at most this many examples are never pruned.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_examples_per_class: usize,
    /// Order the flagged examples by this label quality score, most likely error first
    /// (cleanlab's return_indices_ranked_by). Without it, indices are ascending.
    #[arg(long, value_enum, value_name = "METHOD")]
    pub rank_by: Option<MethodArg>,
    /// Adjust pred_probs by the per-class confident thresholds before scoring.
    #[arg(long)]
    pub adjust_pred_probs: bool,
    /// Stream .npy inputs in row chunks (exact same result, memory independent of N×K).
    #[arg(long)]
    pub out_of_core: bool,
    /// Rows per chunk with --out-of-core.
    #[arg(
        long,
        default_value_t = 65_536,
        value_name = "N",
        requires = "out_of_core"
    )]
    pub chunk_rows: usize,
    /// Exit with code 3 (after writing the output) when the fraction of flagged examples
    /// is above this value, e.g. 0.05 (for CI gates).
    #[arg(long, value_name = "FRACTION")]
    pub fail_if_issues_above: Option<f64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Seed of the data, the noise (seed + 1) and the folds.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u32,
    /// Training examples.
    #[arg(long, short = 'n', default_value_t = 3000, value_name = "N")]
    pub num_examples: usize,
    /// Clean test examples (for the accuracy of the retrained model).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub num_test_examples: usize,
    /// Classes (2 or more).
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub num_classes: usize,
    /// Expected fraction of flipped labels, in (0, 1 - 1/K).
    #[arg(long, default_value_t = 0.2, value_name = "F")]
    pub noise_rate: f64,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub folds: usize,
    /// Number of label issues listed.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Also write the demo's training table (features x0, x1, ... and the given label as a
    /// class name) to this .csv file, ready for `cleanlab learn --label-column label`.
    #[arg(long, value_name = "FILE")]
    pub write_data: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The built-in classifiers of `learn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Multinomial logistic regression (L2, C = 1, L-BFGS; scikit-learn's default objective).
    #[value(name = "logreg")]
    LogReg,
    /// Gaussian naive Bayes (scikit-learn's GaussianNB).
    #[value(name = "gnb")]
    Gnb,
}

impl ModelArg {
    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelArg::LogReg => "logreg",
            ModelArg::Gnb => "gnb",
        }
    }
}

/// Arguments of `learn`.
#[derive(Debug, Clone, Args)]
pub struct LearnArgs {
    /// The table: numeric feature columns plus the label column, .csv (with a header row)
    /// or .parquet.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The column holding the labels: integers are class indices 0..K (every class must
    /// occur); strings are classes numbered in sorted (byte-wise) order.
    #[arg(long, value_name = "NAME")]
    pub label_column: String,
    /// The classifier cross-validated on the features.
    #[arg(long, value_enum, default_value_t = ModelArg::LogReg)]
    pub model: ModelArg,
    /// Cross-validation folds (stratified, shuffled).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub folds: usize,
    /// Seed of the folds (scikit-learn's StratifiedKFold random_state). Fixed by default so
    /// runs are reproducible (cleanlab's default, None, draws random folds).
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u32,
    /// Which examples to flag (cleanlab's filter_by).
    #[arg(long, value_enum, default_value_t = FilterByArg::PruneByNoiseRate)]
    pub filter_by: FilterByArg,
    /// Fraction of the estimated issues to flag, in (0, 1] (pruning filters only).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub frac_noise: f64,
    /// Exact number of issues to flag per class, comma-separated, one per class
    /// (pruning filters only), e.g. 5,0,3.
    #[arg(long, value_delimiter = ',', num_args = 1.., value_name = "N,N,...")]
    pub num_to_remove_per_class: Option<Vec<usize>>,
    /// Classes with at most this many examples are never pruned (CleanLearning's default 10).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub min_examples_per_class: usize,
    /// Label quality score method.
    #[arg(long, value_enum, default_value_t = MethodArg::SelfConfidence)]
    pub method: MethodArg,
    /// Adjust pred_probs by the per-class confident thresholds before scoring.
    #[arg(long)]
    pub adjust_pred_probs: bool,
    /// Iterate the latent noise estimates to convergence (cleanlab's
    /// converge_latent_estimates).
    #[arg(long)]
    pub converge_latent_estimates: bool,
    /// Exit with code 3 (after writing the output) when the fraction of flagged examples
    /// is above this value, e.g. 0.05 (for CI gates).
    #[arg(long, value_name = "FRACTION")]
    pub fail_if_issues_above: Option<f64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `label-quality`.
#[derive(Debug, Clone, Args)]
pub struct LabelQualityArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Scoring method.
    #[arg(long, value_enum, default_value_t = MethodArg::SelfConfidence)]
    pub method: MethodArg,
    /// Adjust pred_probs by the per-class confident thresholds before scoring.
    #[arg(long)]
    pub adjust_pred_probs: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `health`.
#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Class names: one per line, or a JSON array of strings (K names).
    #[arg(long, value_name = "FILE")]
    pub class_names: Option<PathBuf>,
    /// Report overlaps of (a, b) and (b, a) separately (cleanlab's asymmetric).
    #[arg(long)]
    pub asymmetric: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// cleanlab's kNN metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    /// 1 − cosine similarity (cleanlab's choice for more than 3 columns).
    #[value(name = "cosine")]
    Cosine,
    /// Euclidean distance (sklearn's; cleanlab's choice for ≤ 3 columns and N > 100).
    #[value(name = "euclidean")]
    Euclidean,
    /// scipy's exact Euclidean (cleanlab's choice for ≤ 3 columns and N ≤ 100).
    #[value(name = "scipy_euclidean")]
    ScipyEuclidean,
}

impl MetricArg {
    /// The cl-core metric.
    pub fn to_metric(self) -> cl_core::neighbors::Metric {
        use cl_core::neighbors::Metric as M;
        match self {
            MetricArg::Cosine => M::Cosine,
            MetricArg::Euclidean => M::Euclidean,
            MetricArg::ScipyEuclidean => M::ScipyEuclidean,
        }
    }
}

/// cleanlab's `pred_probs` OOD scoring methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OodMethodArg {
    /// 1 − normalised entropy of pred_probs (cleanlab's default).
    #[value(name = "entropy")]
    Entropy,
    /// The largest probability.
    #[value(name = "least_confidence")]
    LeastConfidence,
}

impl OodMethodArg {
    /// The cl-outlier method.
    pub fn to_method(self) -> cl_outlier::OodMethod {
        match self {
            OodMethodArg::Entropy => cl_outlier::OodMethod::Entropy,
            OodMethodArg::LeastConfidence => cl_outlier::OodMethod::LeastConfidence,
        }
    }
}

/// Arguments of `outliers`.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["features", "pred_probs"])))]
pub struct OutliersArgs {
    /// Feature vectors (embeddings), N×D: .npy (float32 or float64), .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub features: Option<PathBuf>,
    /// Out-of-sample predicted probabilities, N×K: .npy, .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub pred_probs: Option<PathBuf>,
    /// Given labels (class indices), needed by --adjust-pred-probs to learn the per-class
    /// confident thresholds.
    #[arg(long, value_name = "FILE", requires = "adjust_pred_probs")]
    pub labels: Option<PathBuf>,
    /// Column holding the labels in a CSV (with header) or Parquet labels file.
    #[arg(long, value_name = "NAME", requires = "labels")]
    pub label_column: Option<String>,
    /// Number of neighbours (features only; default min(10, N − 1), as cleanlab).
    #[arg(long, value_name = "K", conflicts_with = "pred_probs")]
    pub k: Option<usize>,
    /// Transform parameter t of exp(−t · mean distance / median mean distance).
    #[arg(
        long,
        default_value_t = 1.0,
        value_name = "T",
        conflicts_with = "pred_probs"
    )]
    pub t: f64,
    /// Distance metric (features only; default: cleanlab's choice by dimension and N).
    #[arg(long, value_enum, conflicts_with = "pred_probs")]
    pub metric: Option<MetricArg>,
    /// pred_probs scoring method.
    #[arg(long, value_enum, default_value_t = OodMethodArg::Entropy, conflicts_with = "features")]
    pub method: OodMethodArg,
    /// Adjust pred_probs by the per-class confident thresholds learnt from --labels
    /// (cleanlab's adjust_pred_probs, its default when labels are available).
    #[arg(long, requires = "labels", conflicts_with = "features")]
    pub adjust_pred_probs: bool,
    /// Also report the indices of the N lowest-scoring (most atypical) examples, lowest
    /// first (ties in ascending index order); the table then shows only those rows.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `knn-graph`.
#[derive(Debug, Clone, Args)]
pub struct KnnGraphArgs {
    /// Feature vectors (embeddings), N×D: .npy (float32 or float64), .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub features: PathBuf,
    /// Number of neighbours per example (default min(10, N − 1), as cleanlab).
    #[arg(long, value_name = "K")]
    pub k: Option<usize>,
    /// Distance metric (default: cleanlab's choice by dimension and N).
    #[arg(long, value_enum)]
    pub metric: Option<MetricArg>,
    /// Keep sklearn's raw neighbours of exact duplicates (cleanlab corrects them by default).
    #[arg(long)]
    pub no_duplicate_correction: bool,
    /// Approximate search for large N (not in cleanlab): k-means cells, each searched
    /// exactly among its nearest cells. Distances stay exact; a few true neighbours may be
    /// missed (recall@10 ≈ 1 on clustered embeddings, 34× faster at 1M × 128).
    #[arg(long)]
    pub approximate: bool,
    /// With --approximate: cells searched per example (default 16; more = higher recall,
    /// proportionally slower).
    #[arg(long, value_name = "P", requires = "approximate")]
    pub nprobe: Option<usize>,
    /// The graph as a scipy CSR .npz file (scipy.sparse.load_npz).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Format of the summary printed on standard output.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// Output format of `audit` on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// cleanlab's text report.
    Table,
    /// The issue summary as one JSON object.
    Json,
}

/// Arguments of `audit`.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// Given labels, one per example: integers (.npy, .csv, .parquet) or strings (.csv with
    /// a header row). Sorted unique values become the classes, as in Datalab.
    #[arg(long, value_name = "FILE")]
    pub labels: PathBuf,
    /// Column holding the labels in a CSV (with header) or Parquet labels file.
    #[arg(long, value_name = "NAME")]
    pub label_column: Option<String>,
    /// Feature matrix, N×D: .npy, .csv or .parquet (NaN allowed: reported by `null`).
    #[arg(long, value_name = "FILE")]
    pub features: Option<PathBuf>,
    /// Out-of-sample predicted probabilities, N×K: .npy, .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub pred_probs: Option<PathBuf>,
    /// A kNN graph as JSON: {"indices": [[..]], "distances": [[..]]} (N×k, nearest first)
    /// or scipy CSR {"data": [..], "indices": [..], "indptr": [..]}.
    #[arg(long, value_name = "FILE")]
    pub knn_graph: Option<PathBuf>,
    /// Build the shared kNN graph of --features approximately, for large N (not in
    /// cleanlab): k-means cells searched exactly among their nearest cells; distances stay
    /// exact, a few true neighbours may be missed.
    #[arg(long, requires = "features", conflicts_with = "knn_graph")]
    pub approximate: bool,
    /// With --approximate: cells searched per example (default 16).
    #[arg(long, value_name = "P", requires = "approximate")]
    pub nprobe: Option<usize>,
    /// Issue types and parameters as JSON, e.g. '{"label": {}, "near_duplicate":
    /// {"threshold": 0.2}}' (cleanlab's names, run in this order), or @FILE. Default:
    /// null, label, outlier, near_duplicate, non_iid, class_imbalance, underperforming_group
    /// (those whose inputs are given); data_valuation is opt-in.
    #[arg(long, value_name = "JSON")]
    pub issue_types: Option<String>,
    /// Write the per-example issues table (Datalab's columns) as CSV here.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Save the finished audit as versioned JSON here (readable by Datalab::load).
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Examples shown per issue type in the report.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub num_examples: usize,
    /// What to print: the text report or the summary as JSON.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn value_names_are_cleanlabs() {
        for f in FilterByArg::value_variants() {
            let name = f.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(name, f.to_filter().as_str());
        }
        for m in MethodArg::value_variants() {
            let name = m.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(name, m.to_method().as_str());
        }
        for m in MetricArg::value_variants() {
            let name = m.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(name, m.to_metric().to_string());
        }
        for m in OodMethodArg::value_variants() {
            let name = m.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(name, m.to_method().as_str());
        }
    }
}
