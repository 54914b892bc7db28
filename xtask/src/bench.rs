//! `cargo xtask bench [--sizes NxK,...] [--knn-sizes NxD,...] [--knn-only]
//! [--audit-sizes NxD,...] [--shapley-sizes NxD,...] [--audit-only] [--quick]
//! [--python PYTHON] [--oracle-python PY]`: side-by-side timings of cleanlab-rs and Python
//! cleanlab 2.9.0 on the same seeded data.
//!
//! 1. Builds the release `cl-bench-runner` (crate `cl-benches`).
//! 2. For each size and dtype, writes `target/bench-data/<N>x<K>-<dtype>/{pred_probs,labels}.npy`
//!    with `cl-bench-runner gen` (seeded; skipped if already there).
//! 3. Runs every measurement in its own process (so peak RSS is per operation): ours with
//!    `cl-bench-runner run`, cleanlab with `xtask/bench/run_cleanlab.py` in the pinned oracle
//!    venv (`target/golden-venv`, as `cargo xtask golden`; `--oracle-python` overrides it),
//!    with `OPENBLAS_CORETYPE`/`OPENBLAS_L2_SIZE` removed from the Python environment only.
//! 4. kNN graph rows (`--knn-sizes`, default `100000x64,100000x3`, f32 and f64; an empty
//!    list disables them): the seeded clustered features
//!    `target/bench-data/knn-<N>x<D>-<dtype>/features.npy` (`cl-bench-runner gen-features`),
//!    graph construction with k = 10 and the default metric (cosine for D > 3, Euclidean
//!    otherwise) by `cl-bench-runner knn` and by cleanlab's `features_to_knn` +
//!    `construct_knn_graph_from_index`. The K column holds D there.
//! 5. Audit rows (`--audit-sizes`, default `100000x64`, f32; `--shapley-sizes`, default
//!    `10000x64`, f64; empty lists disable them): seeded clustered features with labels and
//!    K = 10 `pred_probs` that follow the clusters (`cl-bench-runner gen-audit`, in
//!    `target/bench-data/audit-<N>x<D>-<dtype>/`), then `OutOfDistribution` on the features
//!    and on `pred_probs`, and the default `Datalab.find_issues(features, pred_probs)`
//!    (checksum: a weighted sum of the flagged rows per issue type, equal iff the flags
//!    agree), and `data_shapley_knn` (k = 10) at the shapley sizes (cleanlab's is dense
//!    N×N, hence the smaller N). `--audit-only` runs only these rows.
//! 6. Prints a markdown table (also written to `target/bench-results.md`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const FILTERS: [&str; 7] = [
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
];
const METHODS: [&str; 3] = [
    "self_confidence",
    "normalized_margin",
    "confidence_weighted_entropy",
];

struct Args {
    sizes: Vec<(usize, usize)>,
    knn_sizes: Vec<(usize, usize)>,
    knn_only: bool,
    audit_sizes: Vec<(usize, usize)>,
    shapley_sizes: Vec<(usize, usize)>,
    audit_only: bool,
    quick: bool,
    python: String,
    oracle_python: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<(usize, usize)> {
    let (n, k) = s.split_once('x').context("sizes look like 100000x10")?;
    Ok((n.parse()?, k.parse()?))
}

fn parse_args(args: &[String]) -> Result<Args> {
    let mut out = Args {
        sizes: vec![(100_000, 10), (1_000_000, 10), (1_000_000, 100)],
        knn_sizes: vec![(100_000, 64), (100_000, 3)],
        knn_only: false,
        audit_sizes: vec![(100_000, 64)],
        shapley_sizes: vec![(10_000, 64)],
        audit_only: false,
        quick: false,
        python: std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()),
        oracle_python: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => out.quick = true,
            "--knn-only" => out.knn_only = true,
            "--audit-only" => out.audit_only = true,
            "--audit-sizes" | "--shapley-sizes" => {
                let list = it
                    .next()
                    .with_context(|| format!("{a} needs NxD,..."))?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(parse_size)
                    .collect::<Result<_>>()?;
                if a == "--audit-sizes" {
                    out.audit_sizes = list;
                } else {
                    out.shapley_sizes = list;
                }
            }
            "--knn-sizes" => {
                out.knn_sizes = it
                    .next()
                    .context("--knn-sizes needs NxD,...")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(parse_size)
                    .collect::<Result<_>>()?;
            }
            "--sizes" => {
                out.sizes = it
                    .next()
                    .context("--sizes needs NxK,...")?
                    .split(',')
                    .map(parse_size)
                    .collect::<Result<_>>()?;
            }
            "--python" => out
                .python
                .clone_from(it.next().context("--python needs a path")?),
            "--oracle-python" => {
                out.oracle_python = Some(it.next().context("--oracle-python needs a path")?.into());
            }
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(out)
}

struct Measurement {
    median_s: f64,
    peak_rss_kb: u64,
    checksum: f64,
}

/// Reads the fields we need from the one-line JSON both runners print.
fn parse_line(stdout: &str) -> Result<Measurement> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .context("no JSON line in runner output")?;
    let field = |name: &str| -> Result<&str> {
        let key = format!("\"{name}\": ");
        let start = line
            .find(&key)
            .with_context(|| format!("no {name} in {line}"))?
            + key.len();
        let rest = &line[start..];
        let end = rest.find([',', '}']).unwrap_or(rest.len());
        Ok(if rest.starts_with('[') {
            &rest[1..rest.find(']').unwrap_or(rest.len())]
        } else {
            &rest[..end]
        })
    };
    let mut times: Vec<f64> = field("times_s")?
        .split(',')
        .map(|t| t.trim().parse::<f64>())
        .collect::<Result<_, _>>()?;
    times.sort_by(f64::total_cmp);
    Ok(Measurement {
        median_s: times[times.len() / 2],
        peak_rss_kb: field("peak_rss_kb")?.trim().parse()?,
        checksum: field("checksum")?.trim().parse()?,
    })
}

fn capture(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

struct Row {
    op: String,
    n: usize,
    k: usize,
    dtype: &'static str,
    ours: Measurement,
    theirs: Option<Measurement>,
}

fn fmt_time(s: f64) -> String {
    if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn fmt_mb(kb: u64) -> String {
    format!("{:.0} MB", kb as f64 / 1024.0)
}

pub fn bench(args: &[String]) -> Result<()> {
    let args = parse_args(args)?;
    let root = crate::workspace_root();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let py = match &args.oracle_python {
        Some(p) => p.clone(),
        None => crate::oracle_env(&root, &args.python)?,
    };
    let runner = build_runner(&root, &target)?;
    let data_root = root.join("target/bench-data");
    let script = root.join("xtask/bench/run_cleanlab.py");

    let sides = Sides {
        runner: &runner,
        py: &py,
        script: &script,
        data_root: &data_root,
    };
    let mut rows = if args.knn_only || args.audit_only {
        Vec::new()
    } else {
        classification_rows(&sides, make_plan(&args.sizes), args.quick)?
    };
    if !args.audit_only {
        for &(n, d) in &args.knn_sizes {
            for dtype in ["f32", "f64"] {
                rows.push(knn_row(&sides, n, d, dtype, args.quick)?);
            }
        }
    }
    if !args.knn_only {
        for &(n, d) in &args.audit_sizes {
            for op in ["ood_features", "ood_pred_probs", "datalab_find_issues"] {
                rows.push(audit_row(&sides, op, n, d, "f32", args.quick)?);
            }
        }
        for &(n, d) in &args.shapley_sizes {
            rows.push(audit_row(
                &sides,
                "data_shapley_knn",
                n,
                d,
                "f64",
                args.quick,
            )?);
        }
    }

    let table = render_table(&rows);
    print!("{table}");
    std::fs::write(target_results(&root), &table)?;
    Ok(())
}

/// The classification rows (`find_label_issues`, label quality, the row-sum baseline).
fn classification_rows(sides: &Sides<'_>, plan: Plan, quick: bool) -> Result<Vec<Row>> {
    let (runner, py, script, data_root) = (sides.runner, sides.py, sides.script, sides.data_root);
    let mut rows = Vec::new();
    for ((n, k), dtype, ops) in plan {
        let dir = data_root.join(format!("{n}x{k}-{dtype}"));
        if !dir.join("labels.npy").exists() {
            eprintln!("xtask: generating {}", dir.display());
            crate::run(
                Command::new(runner)
                    .args([
                        "gen",
                        "--n",
                        &n.to_string(),
                        "--k",
                        &k.to_string(),
                        "--dtype",
                        dtype,
                        "--out",
                    ])
                    .arg(&dir),
            )?;
        }
        let big = n * k >= 10_000_000;
        // Ours: enough repetitions that the median is a steady-state call, not one of the
        // first calls of the process (which also pay for fresh memory and thread start-up).
        let (ours_reps, their_reps) = match (quick, big) {
            (true, _) => (5, 1),
            (false, true) => (9, 2),
            (false, false) => (10, 3),
        };
        for op in ops {
            eprintln!("xtask: {op} {n}x{k} {dtype}");
            let ours = parse_line(&capture(
                Command::new(runner)
                    .args([
                        "run",
                        "--op",
                        &op,
                        "--dtype",
                        dtype,
                        "--reps",
                        &ours_reps.to_string(),
                        "--data",
                    ])
                    .arg(&dir),
            )?)?;
            let theirs = if op == "row_sums" {
                None
            } else {
                Some(parse_line(&capture(
                    Command::new(py)
                        .arg(script)
                        .arg(&op)
                        .arg(&dir)
                        .arg(their_reps.to_string())
                        .env_remove("OPENBLAS_CORETYPE")
                        .env_remove("OPENBLAS_L2_SIZE"),
                )?)?)
            };
            rows.push(Row {
                op,
                n,
                k,
                dtype,
                ours,
                theirs,
            });
        }
    }

    Ok(rows)
}

/// Builds the release `cl-bench-runner` and returns its path.
fn build_runner(root: &Path, target: &Path) -> Result<PathBuf> {
    crate::run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "build",
                "--release",
                "-p",
                "cl-benches",
                "--bin",
                "cl-bench-runner",
            ])
            .current_dir(root),
    )?;
    Ok(target.join("release/cl-bench-runner"))
}

/// One kNN graph measurement (k = 10, default metric) on both sides.
fn knn_row(sides: &Sides<'_>, n: usize, d: usize, dtype: &'static str, quick: bool) -> Result<Row> {
    let dir = sides.data_root.join(format!("knn-{n}x{d}-{dtype}"));
    let gen_args = vec![
        "gen-features".into(),
        "--n".into(),
        n.to_string(),
        "--d".into(),
        d.to_string(),
    ];
    let run_args = ["knn", "--k", "10"].map(String::from).to_vec();
    side_by_side(
        sides,
        &dir,
        "features.npy",
        &gen_args,
        &run_args,
        "knn_graph:10",
        (n, d, dtype),
        quick,
    )
}

/// The two programs and the data directory.
struct Sides<'a> {
    runner: &'a Path,
    py: &'a Path,
    script: &'a Path,
    data_root: &'a Path,
}

/// Number of classes of the audit data.
const AUDIT_K: usize = 10;

/// One audit measurement (`cl-bench-runner audit` against `run_cleanlab.py`).
fn audit_row(
    sides: &Sides<'_>,
    op: &str,
    n: usize,
    d: usize,
    dtype: &'static str,
    quick: bool,
) -> Result<Row> {
    let dir = sides.data_root.join(format!("audit-{n}x{d}-{dtype}"));
    let gen_args = vec![
        "gen-audit".into(),
        "--n".into(),
        n.to_string(),
        "--d".into(),
        d.to_string(),
        "--k".into(),
        AUDIT_K.to_string(),
    ];
    let run_args = vec!["audit".into(), "--op".into(), op.to_owned()];
    side_by_side(
        sides,
        &dir,
        "labels.npy",
        &gen_args,
        &run_args,
        op,
        (n, d, dtype),
        quick,
    )
}

/// Generates `dir` with `runner <gen_args> --dtype D --out DIR` unless `marker` exists, then
/// times `runner <run_args> --dtype D --reps R --data DIR` (3 repetitions, 1 with `--quick`)
/// against one run of `run_cleanlab.py OP DIR 1`.
#[allow(clippy::too_many_arguments)]
fn side_by_side(
    sides: &Sides<'_>,
    dir: &Path,
    marker: &str,
    gen_args: &[String],
    run_args: &[String],
    op: &str,
    (n, k, dtype): (usize, usize, &'static str),
    quick: bool,
) -> Result<Row> {
    if !dir.join(marker).exists() {
        eprintln!("xtask: generating {}", dir.display());
        crate::run(
            Command::new(sides.runner)
                .args(gen_args)
                .args(["--dtype", dtype, "--out"])
                .arg(dir),
        )?;
    }
    eprintln!("xtask: {op} {n}x{k} {dtype}");
    let ours = parse_line(&capture(
        Command::new(sides.runner)
            .args(run_args)
            .args(["--dtype", dtype, "--reps"])
            .arg(if quick { "1" } else { "3" })
            .arg("--data")
            .arg(dir),
    )?)?;
    let theirs = parse_line(&capture(
        Command::new(sides.py)
            .arg(sides.script)
            .arg(op)
            .arg(dir)
            .arg("1")
            .env_remove("OPENBLAS_CORETYPE")
            .env_remove("OPENBLAS_L2_SIZE"),
    )?)?;
    Ok(Row {
        op: op.into(),
        n,
        k,
        dtype,
        ours,
        theirs: Some(theirs),
    })
}

/// (size, dtype, operations) to measure.
type Plan = Vec<((usize, usize), &'static str, Vec<String>)>;

fn make_plan(sizes: &[(usize, usize)]) -> Plan {
    // (size, dtype, ops) plan.
    let mut plan: Plan = Vec::new();
    for &(n, k) in sizes {
        let mut ops = vec!["row_sums".to_owned()];
        if (n, k) == (100_000, 10) {
            ops.extend(FILTERS.iter().map(|f| format!("find_label_issues:{f}")));
            ops.extend(METHODS.iter().map(|m| format!("label_quality:{m}")));
        } else {
            ops.push("find_label_issues:prune_by_noise_rate".into());
            ops.push("label_quality:self_confidence".into());
        }
        plan.push(((n, k), "f64", ops));
        plan.push((
            (n, k),
            "f32",
            vec![
                "row_sums".into(),
                "find_label_issues:prune_by_noise_rate".into(),
            ],
        ));
    }

    plan
}

/// The markdown table of all measurements.
fn render_table(rows: &[Row]) -> String {
    let mut table = String::from(
        "| operation | N | K | dtype | cleanlab | ours | speedup | ours / row-sum pass | peak RSS cleanlab | peak RSS ours | flagged / score sum (cleanlab, ours) |\n\
         |---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let base = rows
            .iter()
            .find(|b| b.op == "row_sums" && b.n == r.n && b.k == r.k && b.dtype == r.dtype)
            .map(|b| b.ours.median_s);
        let (their_t, speedup, their_rss, checks) = match &r.theirs {
            Some(t) => (
                fmt_time(t.median_s),
                format!("{:.1}×", t.median_s / r.ours.median_s),
                fmt_mb(t.peak_rss_kb),
                format!("{}, {}", t.checksum, r.ours.checksum),
            ),
            None => ("–".into(), "–".into(), "–".into(), "–".into()),
        };
        let rel = base.map_or_else(|| "–".into(), |b| format!("{:.1}×", r.ours.median_s / b));
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.op,
            r.n,
            r.k,
            r.dtype,
            their_t,
            fmt_time(r.ours.median_s),
            speedup,
            rel,
            their_rss,
            fmt_mb(r.ours.peak_rss_kb),
            checks
        );
    }
    table
}

fn target_results(root: &Path) -> PathBuf {
    root.join("target/bench-results.md")
}
