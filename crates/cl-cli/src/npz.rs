//! Writing a kNN graph as scipy's `save_npz` CSR file (`scipy.sparse.load_npz` reads it).
//!
//! An `.npz` is a zip archive of `.npy` files. scipy's CSR layout holds `indices`,
//! `indptr` (int32 when every value fits, else int64, as scipy chooses), `format`
//! (a 0-d `|S3` array `b"csr"`), `shape` (int64, 2 values) and `data` (float64). Entries
//! are stored uncompressed with a fixed timestamp, so the bytes depend only on the graph.

use std::io::{self, Seek, Write};

use cl_core::neighbors::CsrGraph;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One `.npy` payload: a dtype descriptor, a shape and the little-endian bytes.
struct Npy {
    descr: &'static str,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl Npy {
    /// The `.npy` v1.0 file: magic, header dict padded to a multiple of 64 bytes, data.
    fn encode(&self) -> Vec<u8> {
        let shape = match self.shape.as_slice() {
            [] => "()".to_string(),
            [n] => format!("({n},)"),
            dims => format!(
                "({})",
                dims.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut header = format!(
            "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
            self.descr
        );
        // magic (6) + version (2) + header length (2) + header + '\n' ≡ 0 (mod 64)
        let unpadded = 10 + header.len() + 1;
        header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
        header.push('\n');
        let mut out = Vec::with_capacity(10 + header.len() + self.bytes.len());
        out.extend_from_slice(b"\x93NUMPY\x01\x00");
        let len = u16::try_from(header.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(&self.bytes);
        out
    }
}

fn index_array(values: &[usize], wide: bool) -> Npy {
    let bytes = if wide {
        values
            .iter()
            .flat_map(|&v| (v as i64).to_le_bytes())
            .collect()
    } else {
        values
            .iter()
            .flat_map(|&v| (v as i32).to_le_bytes())
            .collect()
    };
    Npy {
        descr: if wide { "<i8" } else { "<i4" },
        shape: vec![values.len()],
        bytes,
    }
}

/// Writes `graph` to `w` in scipy's `save_npz` layout (uncompressed).
pub fn write_csr_npz<W: Write + Seek>(w: W, graph: &CsrGraph) -> io::Result<()> {
    // scipy keeps int32 indices while nnz and the dimensions fit.
    let max = graph
        .indptr
        .last()
        .copied()
        .unwrap_or(0)
        .max(graph.shape.0)
        .max(graph.shape.1);
    let wide = i32::try_from(max).is_err();
    let (n, m) = graph.shape;
    let arrays = [
        ("indices", index_array(&graph.indices, wide)),
        ("indptr", index_array(&graph.indptr, wide)),
        (
            "format",
            Npy {
                descr: "|S3",
                shape: Vec::new(),
                bytes: b"csr".to_vec(),
            },
        ),
        (
            "shape",
            Npy {
                descr: "<i8",
                shape: vec![2],
                bytes: [n as i64, m as i64]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            },
        ),
        (
            "data",
            Npy {
                descr: "<f8",
                shape: vec![graph.data.len()],
                bytes: graph.data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            },
        ),
    ];
    let mut zip = ZipWriter::new(w);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .large_file(graph.data.len() * 8 > u32::MAX as usize / 2);
    for (name, array) in &arrays {
        zip.start_file(format!("{name}.npy"), options)
            .map_err(io::Error::other)?;
        zip.write_all(&array.encode())?;
    }
    zip.finish().map_err(io::Error::other)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_headers_are_aligned_and_parseable() {
        for shape in [vec![], vec![3], vec![2, 5]] {
            let a = Npy {
                descr: "<f8",
                shape,
                bytes: Vec::new(),
            };
            let bytes = a.encode();
            assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
            let hl = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
            assert_eq!((10 + hl) % 64, 0);
            assert_eq!(bytes[10 + hl - 1], b'\n');
        }
    }
}
