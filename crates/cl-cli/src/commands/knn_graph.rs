//! `cleanlab knn-graph`: cl_core's `create_knn_graph_and_index`, saved as a scipy CSR
//! `.npz`.

use std::path::Path;

use cl_core::Real;
use cl_core::neighbors::ivf::{IvfKnn, IvfOptions};
use cl_core::neighbors::{KnnOptions, correct_knn_graph, create_knn_graph_and_index};
use cl_core::traits::NeighborIndex;
use ndarray::ArrayView2;
use serde::Serialize;

use crate::cli::{KnnGraphArgs, OutputArgs, OutputFormat};
use crate::error::{CliError, Files, Result};
use crate::input;
use crate::output::{self, count};
use crate::progress;

/// The summary printed on standard output (the JSON object).
#[derive(Debug, Serialize)]
struct Summary {
    command: &'static str,
    num_examples: usize,
    k: usize,
    metric: String,
    duplicate_correction: bool,
    /// Whether the inverted-file approximate search was used.
    approximate: bool,
    /// Stored entries (N·k).
    nnz: usize,
    /// The `.npz` written.
    output: String,
}

/// Runs the subcommand.
pub fn run(args: &KnnGraphArgs) -> Result<()> {
    if args.output.extension().and_then(|e| e.to_str()) != Some("npz") {
        return Err(CliError::Usage(format!(
            "--output {} must end in .npz (scipy.sparse.save_npz format)",
            args.output.display()
        )));
    }
    let features = input::read_features(&args.features)?;
    super::with_view!(&features, |view| build(args, &args.features, view))
}

/// The inverted-file graph with the configured k and metric, duplicate-corrected unless
/// told otherwise.
fn approximate<T: Real>(
    args: &KnnGraphArgs,
    view: ArrayView2<'_, T>,
) -> cl_core::Result<(cl_core::neighbors::KnnGraph, cl_core::neighbors::Metric)> {
    let mut opts = IvfOptions::default();
    if let Some(p) = args.nprobe {
        opts = opts.nprobe(p);
    }
    let index = IvfKnn::new(
        view,
        args.k,
        args.metric.map(crate::cli::MetricArg::to_metric),
        &opts,
    )?;
    let graph = index.self_neighbors(index.n_neighbors())?;
    let graph = if args.no_duplicate_correction {
        graph
    } else {
        correct_knn_graph(view, &graph)?
    };
    Ok((graph, index.metric()))
}

fn build<T: Real>(args: &KnnGraphArgs, path: &Path, view: ArrayView2<'_, T>) -> Result<()> {
    let files = Files {
        labels: path,
        pred_probs: path,
    };
    let opts = KnnOptions::default()
        .n_neighbors(args.k)
        .metric(args.metric.map(crate::cli::MetricArg::to_metric))
        .correct_exact_duplicates(!args.no_duplicate_correction);
    let bar = progress::spinner("searching nearest neighbours");
    let res = if args.approximate {
        approximate(args, view)
    } else {
        create_knn_graph_and_index(view, &opts).map(|(g, index)| (g, index.metric()))
    }
    .map_err(|e| files.core(e));
    bar.finish_and_clear();
    let (graph, metric) = res?;
    let csr = graph.to_csr();
    let target = args.output.display().to_string();
    let wrap = |source| CliError::Output {
        target: target.clone(),
        source,
    };
    let file = std::fs::File::create(&args.output).map_err(wrap)?;
    let mut w = std::io::BufWriter::new(file);
    crate::npz::write_csr_npz(&mut w, &csr).map_err(wrap)?;
    std::io::Write::flush(&mut w).map_err(wrap)?;
    let summary = Summary {
        command: "knn-graph",
        num_examples: graph.n(),
        k: graph.k(),
        metric: metric.to_string(),
        duplicate_correction: !args.no_duplicate_correction,
        approximate: args.approximate,
        nnz: csr.data.len(),
        output: target.clone(),
    };
    let stdout = OutputArgs {
        format: args.format,
        output: None,
    };
    output::write_to(&stdout, |w| match args.format {
        OutputFormat::Json => output::json(w, &summary),
        OutputFormat::Csv => {
            let mut c = output::csv_writer(w);
            c.write_record([
                "num_examples",
                "k",
                "metric",
                "duplicate_correction",
                "approximate",
                "nnz",
                "output",
            ])
            .map_err(output::csv_err)?;
            c.write_record([
                summary.num_examples.to_string(),
                summary.k.to_string(),
                summary.metric.clone(),
                summary.duplicate_correction.to_string(),
                summary.approximate.to_string(),
                summary.nnz.to_string(),
                summary.output.clone(),
            ])
            .map_err(output::csv_err)?;
            c.flush()
        }
        OutputFormat::Table => writeln!(
            w,
            "Wrote the {}{}-nearest-neighbour graph of {} ({} metric{}) to {} ({} stored entries).",
            if summary.approximate {
                "approximate "
            } else {
                ""
            },
            summary.k,
            count(summary.num_examples, "example", "examples"),
            summary.metric,
            if summary.duplicate_correction {
                ", exact duplicates corrected"
            } else {
                ""
            },
            summary.output,
            output::thousands(summary.nnz)
        ),
    })
}
