//! Writing results: a comfy-table table, one JSON object, or CSV, to stdout or a file.

use std::io::{self, BufWriter, Write};

use comfy_table::{CellAlignment, Table, presets};

use crate::cli::OutputArgs;
use crate::error::{CliError, Result};

/// Runs `render` on the chosen destination. A closed standard output (`| head`) is not an
/// error.
pub fn write_to(
    args: &OutputArgs,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    if let Some(path) = &args.output {
        let target = path.display().to_string();
        let wrap = |source| CliError::Output {
            target: target.clone(),
            source,
        };
        let file = std::fs::File::create(path).map_err(wrap)?;
        let mut w = BufWriter::new(file);
        render(&mut w).map_err(wrap)?;
        w.flush().map_err(wrap)
    } else {
        let mut w = BufWriter::new(io::stdout().lock());
        match render(&mut w).and_then(|()| w.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(source) => Err(CliError::Output {
                target: "standard output".into(),
                source,
            }),
            Ok(()) => Ok(()),
        }
    }
}

/// Writes one JSON object followed by a newline.
pub fn json<T: serde::Serialize>(w: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *w, value).map_err(io::Error::other)?;
    writeln!(w)
}

/// A CSV writer over `w`.
pub fn csv_writer(w: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::Writer::from_writer(w)
}

/// Converts a CSV error to an I/O error.
pub fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A table with the project's style; columns from `right` on are right-aligned numbers.
pub fn table(header: &[&str], numeric_from: usize) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_header(header.iter().copied());
    for (i, col) in t.column_iter_mut().enumerate() {
        if i >= numeric_from {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

/// A number with thousands separators: 1234567 → "1,234,567".
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A score for a table cell (4 decimals; JSON and CSV keep full precision).
pub fn score(v: f64) -> String {
    format!("{v:.4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
