//! `cl-bench-runner`: the Rust side of `cargo xtask bench`.
//!
//! * `cl-bench-runner gen --n N --k K --dtype f32|f64 [--seed S] --out DIR` writes
//!   `DIR/pred_probs.npy` and `DIR/labels.npy` (int64) from [`cl_benches::generate`].
//! * `cl-bench-runner run --op OP --data DIR --dtype f32|f64 [--reps R]` loads them, runs
//!   the operation `R` times in this process and prints one JSON line with the wall times
//!   (seconds), a checksum of the result and the peak RSS of the process (`VmHWM`, kB).
//!   Run one process per measurement so that the peak RSS belongs to that operation.
//! * `cl-bench-runner gen-features --n N --d D --dtype f32|f64 [--seed S] --out DIR` writes
//!   `DIR/features.npy` from [`cl_benches::generate_features`].
//! * `cl-bench-runner knn --data DIR --dtype f32|f64 --k K [--reps R] [--tile QxR] [--save OUT]` builds the kNN graph
//!   of `DIR/features.npy` (default metric) `R` times and prints the same JSON line (checksum:
//!   sum of the neighbour distances); `--save OUT` also writes the graph to
//!   `OUT/indices.npy` (int64) and `OUT/distances.npy`.
//! * `cl-bench-runner gen-audit --n N --d D --k K --dtype f32|f64 [--seed S] --out DIR` writes
//!   `DIR/{features,pred_probs,labels}.npy` from [`cl_benches::generate_audit`].
//! * `cl-bench-runner audit --op OP --data DIR --dtype f32|f64 [--reps R]` runs one
//!   [`cl_benches::AuditOp`] (`ood_features`, `ood_pred_probs`, `data_shapley_knn`,
//!   `datalab_find_issues`) on those files and prints the same JSON line.
//! * `cl-bench-runner ivf --data DIR --dtype f32|f64 --k K [--nlist L] [--nprobe P]
//!   [--exact-sample S]` (cargo feature `ivf`): the same for the inverted-file index.
//! * `cl-bench-runner ann --data DIR --dtype f32|f64 --k K [--m M] [--ef-add E] [--ef-search E]
//!   [--parallel-build 1] [--exact-sample S]` (cargo feature `ann`): builds the approximate
//!   index (usearch HNSW; default options and a sequential build unless told otherwise) and
//!   its graph, then the exact graph (or, with `--exact-sample S`, the exact neighbours of S
//!   evenly spaced rows only), and prints the times and the recall@k of the approximate
//!   graph.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use cl_benches::{
    AuditOp, DEFAULT_SEED, Op, generate, generate_audit, generate_features, knn_graph_checksum,
};
use cl_core::Real;
use ndarray::{Array1, Array2};
use ndarray_npy::{ReadableElement, WritableElement, read_npy, write_npy};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        bail!("usage: cl-bench-runner gen|run|ooc ...");
    };
    if cmd == "ooc" {
        return ooc_cmd(&args[1..]);
    }
    let mut flags = HashMap::new();
    let mut it = args[1..].iter();
    while let Some(k) = it.next() {
        let key = k
            .strip_prefix("--")
            .with_context(|| format!("unexpected {k}"))?;
        let v = it.next().with_context(|| format!("{k} needs a value"))?;
        flags.insert(key.to_owned(), v.clone());
    }
    let get = |k: &str| flags.get(k).with_context(|| format!("missing --{k}"));
    let dtype = get("dtype")?.as_str();
    match (cmd.as_str(), dtype) {
        ("gen", "f64") => gen_cmd::<f64>(&flags),
        ("gen", "f32") => gen_cmd::<f32>(&flags),
        ("run", "f64") => run_cmd::<f64>(&flags),
        ("run", "f32") => run_cmd::<f32>(&flags),
        ("gen-features", "f64") => gen_features_cmd::<f64>(&flags),
        ("gen-features", "f32") => gen_features_cmd::<f32>(&flags),
        ("gen-audit", "f64") => gen_audit_cmd::<f64>(&flags),
        ("gen-audit", "f32") => gen_audit_cmd::<f32>(&flags),
        ("audit", "f64") => audit_cmd::<f64>(&flags),
        ("audit", "f32") => audit_cmd::<f32>(&flags),
        ("knn", "f64") => knn_cmd::<f64>(&flags),
        ("knn", "f32") => knn_cmd::<f32>(&flags),
        #[cfg(feature = "ivf")]
        ("ivf", "f64") => ivf_cmd::<f64>(&flags),
        #[cfg(feature = "ivf")]
        ("ivf", "f32") => ivf_cmd::<f32>(&flags),
        #[cfg(feature = "ann")]
        ("ann", "f64") => ann_cmd::<f64>(&flags),
        #[cfg(feature = "ann")]
        ("ann", "f32") => ann_cmd::<f32>(&flags),
        _ => bail!("unknown command {cmd} or dtype {dtype}"),
    }
}

fn gen_cmd<T: Real + WritableElement>(flags: &HashMap<String, String>) -> Result<()> {
    let n: usize = flags.get("n").context("missing --n")?.parse()?;
    let k: usize = flags.get("k").context("missing --k")?.parse()?;
    let seed: u64 = flags.get("seed").map_or(Ok(DEFAULT_SEED), |s| s.parse())?;
    let out = PathBuf::from(flags.get("out").context("missing --out")?);
    std::fs::create_dir_all(&out)?;
    let data = generate::<T>(n, k, seed)?;
    write_npy(out.join("pred_probs.npy"), &data.pred_probs)?;
    write_npy(out.join("labels.npy"), &Array1::from(data.labels))?;
    Ok(())
}

fn gen_features_cmd<T: Real + WritableElement>(flags: &HashMap<String, String>) -> Result<()> {
    let n: usize = flags.get("n").context("missing --n")?.parse()?;
    let d: usize = flags.get("d").context("missing --d")?.parse()?;
    let seed: u64 = flags.get("seed").map_or(Ok(DEFAULT_SEED), |s| s.parse())?;
    let out = PathBuf::from(flags.get("out").context("missing --out")?);
    std::fs::create_dir_all(&out)?;
    write_npy(
        out.join("features.npy"),
        &generate_features::<T>(n, d, seed)?,
    )?;
    Ok(())
}

fn gen_audit_cmd<T: Real + WritableElement>(flags: &HashMap<String, String>) -> Result<()> {
    let n: usize = flags.get("n").context("missing --n")?.parse()?;
    let d: usize = flags.get("d").context("missing --d")?.parse()?;
    let k: usize = flags.get("k").context("missing --k")?.parse()?;
    let seed: u64 = flags.get("seed").map_or(Ok(DEFAULT_SEED), |s| s.parse())?;
    let out = PathBuf::from(flags.get("out").context("missing --out")?);
    std::fs::create_dir_all(&out)?;
    let data = generate_audit::<T>(n, d, k, seed)?;
    write_npy(out.join("features.npy"), &data.features)?;
    write_npy(out.join("pred_probs.npy"), &data.pred_probs)?;
    write_npy(out.join("labels.npy"), &Array1::from(data.labels))?;
    Ok(())
}

fn audit_cmd<T: Real + ReadableElement>(flags: &HashMap<String, String>) -> Result<()>
where
    for<'a> cl_datalab::Matrix<'a>: From<ndarray::ArrayView2<'a, T>>,
{
    let op = AuditOp::parse(flags.get("op").context("missing --op")?)?;
    let dir = Path::new(flags.get("data").context("missing --data")?);
    let reps: usize = flags.get("reps").map_or(Ok(1), |s| s.parse())?;
    let features: Array2<T> = read_npy(dir.join("features.npy"))
        .with_context(|| format!("reading {}", dir.join("features.npy").display()))?;
    let probs: Array2<T> = read_npy(dir.join("pred_probs.npy"))?;
    let labels: Array1<i64> = read_npy(dir.join("labels.npy"))?;
    let labels = labels.to_vec();
    let (times, checksum) = time_reps(reps, || op.run(features.view(), &labels, probs.view()))?;
    print_line(op.name(), &times, checksum);
    Ok(())
}

fn knn_cmd<T: Real + ReadableElement>(flags: &HashMap<String, String>) -> Result<()> {
    let dir = Path::new(flags.get("data").context("missing --data")?);
    let k: usize = flags.get("k").context("missing --k")?.parse()?;
    let reps: usize = flags.get("reps").map_or(Ok(1), |s| s.parse())?;
    let tiling = match flags.get("tile") {
        Some(t) => {
            let (q, r) = t.split_once('x').context("--tile looks like 256x4096")?;
            cl_core::neighbors::Tiling::new(q.parse()?, r.parse()?)?
        }
        None => cl_core::neighbors::Tiling::default(),
    };
    let x: Array2<T> = read_npy(dir.join("features.npy"))
        .with_context(|| format!("reading {}", dir.join("features.npy").display()))?;
    let (times, checksum) = time_reps(reps, || knn_graph_checksum(x.view(), k, tiling))?;
    if let Some(out) = flags.get("save") {
        // The graph itself, for comparisons with cleanlab's (indices as int64).
        let out = PathBuf::from(out);
        std::fs::create_dir_all(&out)?;
        let index =
            cl_core::neighbors::features_to_knn(x.view(), Some(k), None)?.with_tiling(tiling);
        let g = index.knn_graph()?;
        write_npy(out.join("indices.npy"), &g.indices().mapv(|v| v as i64))?;
        write_npy(out.join("distances.npy"), g.distances())?;
    }
    print_line(&format!("knn_graph:{k}"), &times, checksum);
    Ok(())
}

/// An optional unsigned flag.
#[cfg(any(feature = "ann", feature = "ivf"))]
fn opt_usize(flags: &HashMap<String, String>, key: &str) -> Result<Option<usize>> {
    flags
        .get(key)
        .map(|v| v.parse::<usize>())
        .transpose()
        .map_err(Into::into)
}

/// Times `build(features, k)` (the index) and `search(index, k)` (its graph), then reports
/// the recall (see [`report_recall`]).
#[cfg(any(feature = "ann", feature = "ivf"))]
fn approx_cmd<'x, T: Real + ReadableElement, I>(
    flags: &HashMap<String, String>,
    x: &'x Array2<T>,
    name: &str,
    build: impl FnOnce(ndarray::ArrayView2<'x, T>, usize) -> Result<I>,
    search: impl FnOnce(&I, usize) -> Result<cl_core::neighbors::KnnGraph>,
) -> Result<()> {
    let k: usize = flags.get("k").context("missing --k")?.parse()?;
    let t = Instant::now();
    let index = build(x.view(), k)?;
    let build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let approx = search(&index, k)?;
    let query_s = t.elapsed().as_secs_f64();
    drop(index);
    let sample = opt_usize(flags, "exact-sample")?;
    report_recall(x.view(), &approx, k, sample, name, build_s, query_s)
}

#[cfg(any(feature = "ann", feature = "ivf"))]
fn read_features<T: ReadableElement>(flags: &HashMap<String, String>) -> Result<Array2<T>> {
    let dir = Path::new(flags.get("data").context("missing --data")?);
    Ok(read_npy(dir.join("features.npy"))?)
}

#[cfg(feature = "ann")]
fn ann_cmd<T: Real + ReadableElement>(flags: &HashMap<String, String>) -> Result<()> {
    use cl_core::neighbors::ann::{AnnOptions, ApproxKnn};
    use cl_core::traits::NeighborIndex;
    let mut opts = AnnOptions::default();
    if let Some(m) = opt_usize(flags, "m")? {
        opts = opts.connectivity(m);
    }
    if let Some(ef) = opt_usize(flags, "ef-add")? {
        opts = opts.expansion_add(ef);
    }
    if let Some(ef) = opt_usize(flags, "ef-search")? {
        opts = opts.expansion_search(ef);
    }
    if opt_usize(flags, "parallel-build")?.unwrap_or(0) > 0 {
        opts = opts.parallel_build(true);
    }
    let x = read_features::<T>(flags)?;
    approx_cmd(
        flags,
        &x,
        "ann",
        |v, k| Ok(ApproxKnn::new(v, Some(k), None, &opts)?),
        |index, k| Ok(index.self_neighbors(k)?),
    )
}

#[cfg(feature = "ivf")]
fn ivf_cmd<T: Real + ReadableElement>(flags: &HashMap<String, String>) -> Result<()> {
    use cl_core::neighbors::ivf::{IvfKnn, IvfOptions};
    use cl_core::traits::NeighborIndex;
    let mut opts = IvfOptions::default();
    if let Some(v) = opt_usize(flags, "nlist")? {
        opts = opts.nlist(v);
    }
    if let Some(v) = opt_usize(flags, "nprobe")? {
        opts = opts.nprobe(v);
    }
    let x = read_features::<T>(flags)?;
    approx_cmd(
        flags,
        &x,
        "ivf",
        |v, k| Ok(IvfKnn::new(v, Some(k), None, &opts)?),
        |index, k| Ok(index.self_neighbors(k)?),
    )
}

/// Recall@k of an approximate graph against the exact graph: of every row, or (`sample =
/// Some(S)`) of S evenly spaced rows searched exactly by brute force (k + 1 neighbours, the
/// row itself dropped); prints the JSON line of the `ann` / `ivf` commands.
#[cfg(any(feature = "ann", feature = "ivf"))]
fn report_recall<T: Real>(
    x: ndarray::ArrayView2<'_, T>,
    approx: &cl_core::neighbors::KnnGraph,
    k: usize,
    sample: Option<usize>,
    name: &str,
    build_s: f64,
    query_s: f64,
) -> Result<()> {
    let n = x.nrows();
    let t = Instant::now();
    let (rows, exact): (Vec<usize>, Vec<Vec<usize>>) = match sample {
        None => {
            let g = cl_core::neighbors::features_to_knn(x, Some(k), None)?.knn_graph()?;
            (
                (0..n).collect(),
                g.indices().rows().into_iter().map(|r| r.to_vec()).collect(),
            )
        }
        Some(s) => {
            let s = s.clamp(1, n);
            let rows: Vec<usize> = (0..s).map(|j| j * n / s).collect();
            let queries = x.select(ndarray::Axis(0), &rows);
            let index = cl_core::neighbors::ExactKnn::new(x, Some(k), None)?;
            let (idx, _) = index.kneighbors(queries.view(), k + 1)?;
            let exact = rows
                .iter()
                .zip(idx.rows())
                .map(|(&i, r)| {
                    let mut v: Vec<usize> = r.iter().copied().filter(|&j| j != i).collect();
                    v.truncate(k);
                    v
                })
                .collect();
            (rows, exact)
        }
    };
    let exact_s = t.elapsed().as_secs_f64();
    let mut hit = 0_usize;
    for (&i, e) in rows.iter().zip(&exact) {
        hit += approx
            .indices()
            .row(i)
            .iter()
            .filter(|j| e.contains(j))
            .count();
    }
    println!(
        "{{\"op\": \"{name}:{k}\", \"build_s\": {build_s:.3}, \"query_s\": {query_s:.3}, \"exact_s\": {exact_s:.3}, \"recall_rows\": {}, \"recall\": {:.5}, \"peak_rss_kb\": {}}}",
        rows.len(),
        hit as f64 / (rows.len() * k) as f64,
        peak_rss_kb().unwrap_or(0)
    );
    Ok(())
}

/// Runs `f` `reps` times (at least once); returns the wall times (s) and the last result.
fn time_reps(reps: usize, mut f: impl FnMut() -> Result<f64>) -> Result<(Vec<f64>, f64)> {
    let mut times = Vec::with_capacity(reps.max(1));
    let mut checksum = 0.0;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        checksum = std::hint::black_box(f()?);
        times.push(t.elapsed().as_secs_f64());
    }
    Ok((times, checksum))
}

/// The one JSON line `cargo xtask bench` reads.
fn print_line(op: &str, times: &[f64], checksum: f64) {
    let times: Vec<String> = times.iter().map(|t| format!("{t:.6}")).collect();
    println!(
        "{{\"op\": \"{op}\", \"times_s\": [{}], \"checksum\": {checksum}, \"peak_rss_kb\": {}, \"threads\": {}}}",
        times.join(", "),
        peak_rss_kb().unwrap_or(0),
        rayon::current_num_threads()
    );
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn run_cmd<T: Real + ReadableElement>(flags: &HashMap<String, String>) -> Result<()> {
    let op = Op::parse(flags.get("op").context("missing --op")?)?;
    let dir = Path::new(flags.get("data").context("missing --data")?);
    let reps: usize = flags.get("reps").map_or(Ok(3), |s| s.parse())?;
    let probs: Array2<T> = read_npy(dir.join("pred_probs.npy"))
        .with_context(|| format!("reading {}", dir.join("pred_probs.npy").display()))?;
    let labels: Array1<i64> = read_npy(dir.join("labels.npy"))?;
    let labels = labels.to_vec();
    let (times, checksum) = time_reps(reps, || op.run(&labels, probs.view()))?;
    print_line(&op.name(), &times, checksum);
    Ok(())
}

/// `ooc DATA_DIR [CHUNK_ROWS]`: exact out-of-core `find_label_issues` (default filter) over the
/// memory-mapped `.npy` pair; prints time, flagged count and peak RSS.
fn ooc_cmd(args: &[String]) -> Result<()> {
    use cl_filter::out_of_core::{AnyNpySource, find_label_issues_out_of_core, open_npy};
    let dir = Path::new(args.first().context("usage: ooc DATA_DIR [CHUNK_ROWS]")?);
    let chunk: usize = args.get(1).map_or(Ok(65_536), |s| s.parse())?;
    let t = Instant::now();
    let source = open_npy(dir.join("labels.npy"), dir.join("pred_probs.npy"), chunk)?;
    let opts = cl_filter::FilterOptions::default();
    let flagged = match &source {
        AnyNpySource::F64(s) => find_label_issues_out_of_core(s, &opts)?,
        AnyNpySource::F32(s) => find_label_issues_out_of_core(s, &opts)?,
        _ => bail!("unsupported source"),
    };
    println!(
        "{{\"op\": \"out_of_core\", \"time_s\": {:.6}, \"flagged\": {}, \"peak_rss_kb\": {}}}",
        t.elapsed().as_secs_f64(),
        flagged.len(),
        peak_rss_kb().unwrap_or(0)
    );
    Ok(())
}
