//! # cleanlab (command line)
//!
//! The `cleanlab` command runs cleanlab-rs on files: given labels and out-of-sample
//! predicted probabilities, it finds label issues, scores label quality and summarises
//! dataset health, with the same results as cleanlab 2.9.0; given a table of features, it
//! runs CleanLearning with a built-in classifier; `demo` shows the whole job on embedded
//! data with known label errors.
//!
//! ```text
//! cleanlab demo
//! cleanlab learn --data table.csv --label-column label --model gnb --format json
//! cleanlab find-label-issues --labels labels.npy --pred-probs pred_probs.npy --rank-by self_confidence
//! cleanlab label-quality --labels labels.csv --pred-probs pred_probs.csv --format csv -o scores.csv
//! cleanlab health --labels data.parquet --label-column y --pred-probs probs.parquet --class-names names.txt
//! cleanlab audit --labels labels.csv --features emb.npy --pred-probs probs.npy --output issues.csv --html report.html
//! ```
//!
//! Modules: [`cli`] (arguments), [`input`] (`.npy` / `.csv` / `.parquet` readers),
//! [`commands`] (one module per subcommand), [`output`] (table / JSON / CSV), [`error`]
//! (one-line messages and exit codes), [`progress`] (progress bars).
//!
//! All I/O dependencies (npy, csv, parquet, clap, terminal output) live in this crate; the
//! task crates it calls (cl-core, cl-rank, cl-filter, cl-learn) never see a file.

mod cli;
mod commands;
mod error;
mod input;
mod npz;
mod output;
mod progress;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::error::CliError;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error{at}: {msg} (please report this)"
        );
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if e.use_stderr() => {
            // One line: the message and any hint (possible values), without the usage block.
            let text = e.render().to_string();
            let line = text
                .lines()
                .map(str::trim)
                .filter(|l| {
                    !l.is_empty()
                        && !l.starts_with("Usage:")
                        && !l.starts_with("For more information")
                })
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(std::io::stderr(), "{line} (see --help)");
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
        Err(e) => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    if cli.quiet {
        progress::disable();
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: &Cli) -> Result<(), CliError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    match cli.threads {
        Some(0) => return Err(CliError::Usage("--threads must be at least 1".into())),
        Some(n) => pool = pool.num_threads(n),
        None => {}
    }
    let pool = pool
        .build()
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot start the thread pool: {e}")))?;
    pool.install(|| commands::run(&cli.command))
}
