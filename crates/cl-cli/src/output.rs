//! Writing results: a comfy-table table, one JSON object, or CSV, to stdout or a file.

use std::io::{self, BufWriter, Write};

use comfy_table::{CellAlignment, ColumnConstraint, Table, Width, presets};

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

/// A table with the project's style; columns from `numeric_from` on are right-aligned.
pub fn table(header: &[&str], numeric_from: usize) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_header(header.iter().copied());
    align(&mut t, numeric_from);
    t
}

fn align(t: &mut Table, numeric_from: usize) {
    for (i, col) in t.column_iter_mut().enumerate() {
        if i >= numeric_from {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Rows per comfy-table block when a long table is streamed.
const TABLE_BLOCK_ROWS: usize = 4096;

/// Writes a table of `n` rows made by `row(i)`. Long tables are rendered in blocks of
/// fixed column widths and stitched, so the output equals one comfy-table rendering while
/// memory stays bounded by one block (a table of millions of rows never sits in memory).
pub fn write_rows_table(
    w: &mut dyn Write,
    header: &[&str],
    numeric_from: usize,
    n: usize,
    row: impl Fn(usize) -> Vec<String>,
) -> io::Result<()> {
    write_rows_table_in_blocks(w, header, numeric_from, n, row, TABLE_BLOCK_ROWS)
}

fn write_rows_table_in_blocks(
    w: &mut dyn Write,
    header: &[&str],
    numeric_from: usize,
    n: usize,
    row: impl Fn(usize) -> Vec<String>,
    block: usize,
) -> io::Result<()> {
    if n <= block {
        let mut t = table(header, numeric_from);
        for i in 0..n {
            t.add_row(row(i));
        }
        return writeln!(w, "{t}");
    }
    // Column widths over the whole table (cells of long tables are ASCII numbers).
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for i in 0..n {
        for (c, cell) in row(i).iter().enumerate() {
            if let Some(wc) = widths.get_mut(c) {
                *wc = (*wc).max(cell.chars().count());
            }
        }
    }
    let mut start = 0;
    while start < n {
        let end = (start + block).min(n);
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED);
        if start == 0 {
            t.set_header(header.iter().copied());
        }
        for i in start..end {
            t.add_row(row(i));
        }
        align(&mut t, numeric_from);
        t.set_constraints(widths.iter().map(|&wc| {
            ColumnConstraint::LowerBoundary(Width::Fixed(u16::try_from(wc + 2).unwrap_or(u16::MAX)))
        }));
        let lines: Vec<String> = t.lines().collect();
        // Drop the top border of every block but the first and the bottom border of every
        // block but the last.
        let from = usize::from(start > 0);
        let to = lines.len() - usize::from(end < n);
        for line in &lines[from..to] {
            writeln!(w, "{line}")?;
        }
        start = end;
    }
    Ok(())
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

/// `n` and the noun, singular or plural: "1 class", "5,000 examples".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A score for a table cell (4 decimals; JSON and CSV keep full precision).
pub fn score(v: f64) -> String {
    format!("{v:.4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tables_stream_in_blocks_identically() {
        let row = |i: usize| vec![i.to_string(), (i % 3).to_string(), score(i as f64 / 7.0)];
        let header = ["index", "label", "score"];
        for n in [1, 5, 9, 10, 11, 31] {
            let mut whole = Vec::new();
            write_rows_table_in_blocks(&mut whole, &header, 0, n, row, 100).unwrap();
            let mut blocks = Vec::new();
            write_rows_table_in_blocks(&mut blocks, &header, 0, n, row, 3).unwrap();
            assert_eq!(
                String::from_utf8(blocks).unwrap(),
                String::from_utf8(whole).unwrap(),
                "n = {n}"
            );
        }
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
