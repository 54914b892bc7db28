//! Progress bars on stderr, shown only when stderr is a terminal and `--quiet` is off.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns all progress bars off (`--quiet`).
pub fn disable() {
    ENABLED.store(false, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn is_quiet() -> bool {
    !ENABLED.load(Ordering::Relaxed)
}

/// A bar drawn on stderr when enabled; it clears itself when finished or dropped (so an
/// error line is never left behind a half-drawn bar).
fn bar(len: Option<u64>) -> ProgressBar {
    ProgressBar::with_draw_target(len, target()).with_finish(ProgressFinish::AndClear)
}

fn target() -> ProgressDrawTarget {
    if ENABLED.load(Ordering::Relaxed) && std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}

/// A spinner with a message, for work of unknown length.
pub fn spinner(message: &str) -> ProgressBar {
    let pb = bar(None);
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(message.to_string());
    if !pb.is_hidden() {
        pb.enable_steady_tick(Duration::from_millis(120));
    }
    pb
}

/// A bar over `len` bytes of a file being read.
pub fn bytes(message: &str, len: u64) -> ProgressBar {
    let pb = bar(Some(len));
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(message.to_string());
    pb
}

/// A bar over `len` rows.
pub fn rows(message: &str, len: u64) -> ProgressBar {
    let pb = bar(Some(len));
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} rows ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(message.to_string());
    pb
}
