//! `cargo xtask`: project automation.
//!
//! * `cargo xtask golden [--check] [--only GROUP]...`: builds the pinned oracle environment
//!   (a Python virtualenv under `target/golden-venv` with `xtask/golden/requirements.txt`),
//!   runs every generator `xtask/golden/gen_<group>.py`, and writes the fixtures into
//!   `fixtures/golden/`. With `--check` it writes into a temporary folder instead and fails
//!   if anything differs from the committed fixtures.
//! * `cargo xtask bench [--sizes ...] [--knn-sizes ...] [--knn-only] [--audit-sizes ...] [--audit-only] [--quick]`:
//!   side-by-side timings against cleanlab 2.9.0 (see `bench.rs`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod bench;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("golden") => golden(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask golden [--check] [--only GROUP]... [--python PYTHON]\n\
                 \x20      cargo xtask bench [--sizes NxK,...] [--knn-sizes NxD,...] [--knn-only] [--audit-sizes NxD,...] [--shapley-sizes NxD,...] [--audit-only] [--quick] [--python PYTHON] [--oracle-python PY]\n\n\
                 golden    regenerate the golden fixtures from cleanlab 2.9.0 (--check: compare only)\n\
                 bench     time cleanlab-rs against cleanlab 2.9.0 on the same data (markdown table)"
            );
            bail!("unknown or missing task")
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

struct GoldenArgs {
    check: bool,
    only: Vec<String>,
    python: String,
}

fn parse_golden_args(args: &[String]) -> Result<GoldenArgs> {
    let mut out = GoldenArgs {
        check: false,
        only: Vec::new(),
        python: std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => out.check = true,
            "--only" => out
                .only
                .push(it.next().context("--only needs a group")?.clone()),
            "--python" => out
                .python
                .clone_from(it.next().context("--python needs a path")?),
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(out)
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Creates (or reuses) the pinned virtualenv and returns its python.
fn oracle_env(root: &Path, python: &str) -> Result<PathBuf> {
    let venv = root.join("target/golden-venv");
    let req_path = root.join("xtask/golden/requirements.txt");
    let req = std::fs::read_to_string(&req_path)
        .with_context(|| format!("reading {}", req_path.display()))?;
    let stamp = venv.join("requirements.stamp");
    let py = venv.join("bin/python");
    if py.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(req.as_str()) {
        return Ok(py);
    }
    eprintln!(
        "xtask: building the oracle environment in {}",
        venv.display()
    );
    if venv.exists() {
        std::fs::remove_dir_all(&venv)?;
    }
    run(Command::new(python).args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&req_path))?;
    std::fs::write(&stamp, req)?;
    Ok(py)
}

fn generators(root: &Path, only: &[String]) -> Result<Vec<(String, PathBuf)>> {
    let dir = root.join("xtask/golden");
    let mut gens = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(group) = name
            .strip_prefix("gen_")
            .and_then(|n| n.strip_suffix(".py"))
            && (only.is_empty() || only.iter().any(|o| o == group))
        {
            gens.push((group.to_owned(), path.clone()));
        }
    }
    gens.sort();
    for o in only {
        if !gens.iter().any(|(g, _)| g == o) {
            bail!("no generator xtask/golden/gen_{o}.py");
        }
    }
    Ok(gens)
}

fn golden(args: &[String]) -> Result<()> {
    let args = parse_golden_args(args)?;
    let root = workspace_root();
    let py = oracle_env(&root, &args.python)?;
    let gens = generators(&root, &args.only)?;
    let committed = root.join("fixtures/golden");
    let scratch = std::env::temp_dir().join(format!("cl-golden-{}", std::process::id()));
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)?;
    }
    std::fs::create_dir_all(&scratch)?;
    for (group, script) in &gens {
        eprintln!("xtask: generating {group}");
        run(Command::new(&py)
            .arg(script)
            .arg(&scratch)
            .current_dir(root.join("xtask/golden"))
            .env("PYTHONHASHSEED", "0")
            .env("OMP_NUM_THREADS", "1")
            .env("OPENBLAS_NUM_THREADS", "1")
            .env("MKL_NUM_THREADS", "1"))?;
    }
    let result = if args.check {
        let mut diffs = Vec::new();
        for (group, _) in &gens {
            compare_dirs(
                &committed.join(group),
                &scratch.join(group),
                group,
                &mut diffs,
            )?;
        }
        if diffs.is_empty() {
            eprintln!(
                "xtask: golden fixtures are up to date ({} groups)",
                gens.len()
            );
            Ok(())
        } else {
            for d in &diffs {
                eprintln!("  {d}");
            }
            Err(anyhow::anyhow!(
                "{} fixture files differ from what cleanlab 2.9.0 generates now",
                diffs.len()
            ))
        }
    } else {
        for (group, _) in &gens {
            let dst = committed.join(group);
            if dst.exists() {
                std::fs::remove_dir_all(&dst)?;
            }
            copy_dir(&scratch.join(group), &dst)?;
        }
        eprintln!(
            "xtask: wrote {} groups into {}",
            gens.len(),
            committed.display()
        );
        Ok(())
    };
    std::fs::remove_dir_all(&scratch)?;
    result
}

fn files(dir: &Path) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    if dir.exists() {
        for e in std::fs::read_dir(dir)? {
            let e = e?;
            if e.file_type()?.is_file() {
                out.insert(e.file_name().to_string_lossy().into_owned());
            }
        }
    }
    Ok(out)
}

fn compare_dirs(
    committed: &Path,
    fresh: &Path,
    group: &str,
    diffs: &mut Vec<String>,
) -> Result<()> {
    let a = files(committed)?;
    let b = files(fresh)?;
    for f in a.difference(&b) {
        diffs.push(format!("{group}/{f}: committed but no longer generated"));
    }
    for f in b.difference(&a) {
        diffs.push(format!("{group}/{f}: generated but not committed"));
    }
    for f in a.intersection(&b) {
        if std::fs::read(committed.join(f))? != std::fs::read(fresh.join(f))? {
            diffs.push(format!("{group}/{f}: contents differ"));
        }
    }
    Ok(())
}

fn copy_dir(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst)?;
    for e in std::fs::read_dir(src)? {
        let e = e?;
        std::fs::copy(e.path(), dst.join(e.file_name()))?;
    }
    Ok(())
}
