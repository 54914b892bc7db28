//! `.npy` files, memory-mapped.
//!
//! The header is parsed first so that a wrong dtype or shape is reported in numpy's terms
//! (`float64`, `(100, 3)`); the data are then viewed in place with `ndarray-npy`.

use std::path::{Path, PathBuf};

use memmap2::Mmap;
use ndarray::{Array2, ArrayView1, ArrayView2};
use ndarray_npy::{ReadNpyExt, ViewElement, ViewNpyError, ViewNpyExt};

use super::{Matrix, Probs, to_index};
use crate::error::{CliError, Result};

/// The element type of an `.npy` file, from its `descr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dtype {
    /// Signed integer of the given byte size.
    Int(u8),
    /// Unsigned integer of the given byte size.
    UInt(u8),
    /// Floating point of the given byte size.
    Float(u8),
    /// Boolean.
    Bool,
    /// Anything else (strings, structured, complex, ...): the `descr` as written.
    Other(String),
}

impl Dtype {
    fn parse(descr: &str) -> (Dtype, bool) {
        let mut chars = descr.chars();
        let (order, rest) = match chars.next() {
            Some(c @ ('<' | '>' | '|' | '=')) => (c, chars.as_str()),
            _ => ('=', descr),
        };
        let big_endian = order == '>' || (order == '=' && cfg!(target_endian = "big"));
        let mut it = rest.chars();
        let kind = it.next();
        let size: Option<u8> = it.as_str().parse().ok();
        let dt = match (kind, size) {
            (Some('i'), Some(s @ (1 | 2 | 4 | 8))) => Dtype::Int(s),
            (Some('u'), Some(s @ (1 | 2 | 4 | 8))) => Dtype::UInt(s),
            (Some('f'), Some(s @ (2 | 4 | 8 | 16))) => Dtype::Float(s),
            (Some('b'), Some(1)) | (Some('?'), _) => Dtype::Bool,
            _ => Dtype::Other(descr.to_string()),
        };
        let multi_byte = matches!(dt, Dtype::Int(s) | Dtype::UInt(s) | Dtype::Float(s) if s > 1);
        (dt, big_endian && multi_byte)
    }

    /// numpy's name of the dtype.
    pub fn name(&self) -> String {
        match self {
            Dtype::Int(s) => format!("int{}", u32::from(*s) * 8),
            Dtype::UInt(s) => format!("uint{}", u32::from(*s) * 8),
            Dtype::Float(s) => format!("float{}", u32::from(*s) * 8),
            Dtype::Bool => "bool".into(),
            Dtype::Other(d) => format!("dtype {d}"),
        }
    }
}

/// A memory-mapped `.npy` file with its parsed header.
#[derive(Debug)]
pub struct MappedNpy {
    path: PathBuf,
    map: Mmap,
    dtype: Dtype,
    shape: Vec<usize>,
}

/// Formats a shape as numpy prints it: `(100,)`, `(100, 3)`.
pub fn shape_str(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl MappedNpy {
    /// Maps `path` read-only and parses its header.
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::input(path, format!("cannot open: {e}")))?;
        let map = map_file(&file).map_err(|e| CliError::input(path, format!("cannot map: {e}")))?;
        let header = ndarray_npy::npy::header::Header::from_reader(&mut &map[..])
            .map_err(|e| CliError::input(path, format!("not a valid .npy file ({e})")))?;
        let descr = header
            .type_descriptor
            .as_string()
            .cloned()
            .unwrap_or_else(|| header.type_descriptor.to_string());
        let (dtype, big_endian) = Dtype::parse(&descr);
        if big_endian {
            return Err(CliError::input(
                path,
                format!(
                    "big-endian {} is not supported; save it little-endian (arr.astype(arr.dtype.newbyteorder('<')))",
                    dtype.name()
                ),
            ));
        }
        Ok(Self {
            path: path.to_path_buf(),
            map,
            dtype,
            shape: header.shape,
        })
    }

    /// The element type.
    pub fn dtype(&self) -> &Dtype {
        &self.dtype
    }

    fn err(&self, message: impl std::fmt::Display) -> CliError {
        CliError::input(&self.path, message)
    }

    fn view_error(&self, e: &ViewNpyError) -> CliError {
        match e {
            ViewNpyError::MissingBytes(n) => {
                self.err(format!("file is truncated ({n} bytes of data missing)"))
            }
            ViewNpyError::ExtraBytes(n) => self.err(format!(
                "file has {n} unexpected bytes after the data described by its header"
            )),
            other => self.err(format!("cannot read the data ({other})")),
        }
    }

    /// A 2-D view of the data as `T` (header checked to be `T` and 2-D beforehand).
    pub fn view2<T: ViewElement>(&self) -> Result<ArrayView2<'_, T>> {
        ArrayView2::<T>::view_npy(&self.map).map_err(|e| self.view_error(&e))
    }

    fn view1<T: ViewElement>(&self) -> Result<ArrayView1<'_, T>> {
        ArrayView1::<T>::view_npy(&self.map).map_err(|e| self.view_error(&e))
    }

    /// The labels at `rows` (all rows when `None`) as class indices (negative values are
    /// an error naming the row). The file must be a 1-D integer array.
    pub fn labels_at(&self, rows: Option<&[usize]>) -> Result<Vec<usize>> {
        macro_rules! collect {
            ($t:ty) => {{
                let v = self.view1::<$t>()?;
                let one = |i: usize| -> Result<usize> {
                    let x = i128::from(v[i]);
                    to_index(x).map_err(|m| self.err(format!("row {i} {m}")))
                };
                match rows {
                    None => (0..v.len()).map(one).collect(),
                    Some(r) => r.iter().map(|&i| one(i)).collect(),
                }
            }};
        }
        match self.dtype {
            Dtype::Int(1) => collect!(i8),
            Dtype::Int(2) => collect!(i16),
            Dtype::Int(4) => collect!(i32),
            Dtype::Int(8) => collect!(i64),
            Dtype::UInt(1) => collect!(u8),
            Dtype::UInt(2) => collect!(u16),
            Dtype::UInt(4) => collect!(u32),
            Dtype::UInt(8) => collect!(u64),
            _ => Err(self.err(format!(
                "labels must be integers, found {}",
                self.dtype.name()
            ))),
        }
    }

    /// Checks that the file holds labels: a non-empty 1-D integer array.
    pub fn check_labels(&self) -> Result<usize> {
        match &self.dtype {
            Dtype::Int(_) | Dtype::UInt(_) => {}
            Dtype::Float(_) => {
                return Err(self.err(format!(
                    "labels must be integers, found {} (cleanlab rejects float labels too; convert with labels.astype(int))",
                    self.dtype.name()
                )));
            }
            other => {
                return Err(self.err(format!("labels must be integers, found {}", other.name())));
            }
        }
        match self.shape.as_slice() {
            [0] => Err(self.err("is empty (shape (0,))")),
            [n] => Ok(*n),
            s => Err(self.err(format!(
                "labels must be 1-D (one label per example), found shape {}",
                shape_str(s)
            ))),
        }
    }

    /// Checks that the file holds `pred_probs`: a non-empty 2-D float32/float64 array.
    pub fn check_pred_probs(&self) -> Result<(usize, usize)> {
        match &self.dtype {
            Dtype::Float(4 | 8) => {}
            other => {
                return Err(self.err(format!(
                    "pred_probs must be float32 or float64, found {}",
                    other.name()
                )));
            }
        }
        match self.shape.as_slice() {
            [0, _] => Err(self.err(format!("is empty (shape {})", shape_str(&self.shape)))),
            [_, 0] => Err(self.err(format!(
                "has no columns (shape {}); pred_probs needs one column per class",
                shape_str(&self.shape)
            ))),
            [n, k] => Ok((*n, *k)),
            s => Err(self.err(format!(
                "pred_probs must be 2-D (N×K), found shape {}",
                shape_str(s)
            ))),
        }
    }
}

/// Memory-maps a file read-only.
#[allow(unsafe_code)]
fn map_file(file: &std::fs::File) -> std::io::Result<Mmap> {
    // SAFETY: the map is read-only and private to this process. `Mmap::map` is unsafe
    // because another process could truncate or modify the file while it is mapped, which
    // would be undefined behaviour for the `&[u8]` view. Like numpy's `mmap_mode="r"`, the
    // command requires (README, `--help`) that input files are not modified while it runs.
    unsafe { Mmap::map(file) }
}

/// Reads labels from a `.npy` file.
pub fn read_labels(path: &Path) -> Result<Vec<usize>> {
    let m = MappedNpy::open(path)?;
    m.check_labels()?;
    m.labels_at(None)
}

/// Maps `pred_probs` from a `.npy` file (copied only if the data are misaligned).
pub fn read_pred_probs(path: &Path) -> Result<Probs> {
    let m = MappedNpy::open(path)?;
    m.check_pred_probs()?;
    Ok(match m.dtype {
        Dtype::Float(4) => Probs::F32(matrix::<f32>(m)?),
        _ => Probs::F64(matrix::<f64>(m)?),
    })
}

fn matrix<T: ViewElement + ndarray_npy::ReadableElement>(m: MappedNpy) -> Result<Matrix<T>> {
    match ArrayView2::<T>::view_npy(&m.map) {
        Ok(_) => Ok(Matrix::Mapped(m)),
        // numpy aligns the data to 64 bytes; a file written otherwise is read (copied).
        Err(ViewNpyError::MisalignedData) => Array2::<T>::read_npy(&m.map[..])
            .map(Matrix::Owned)
            .map_err(|e| m.err(format!("cannot read the data ({e})"))),
        Err(e) => Err(m.view_error(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};
    use ndarray_npy::write_npy;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cl-cli-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn dtype_parse() {
        assert_eq!(Dtype::parse("<f8"), (Dtype::Float(8), false));
        assert_eq!(Dtype::parse(">f4"), (Dtype::Float(4), true));
        assert_eq!(Dtype::parse("|i1"), (Dtype::Int(1), false));
        assert_eq!(Dtype::parse(">u1"), (Dtype::UInt(1), false));
        assert_eq!(Dtype::parse("|b1"), (Dtype::Bool, false));
        assert_eq!(Dtype::parse("<U5").0, Dtype::Other("<U5".into()));
        assert_eq!(Dtype::Float(4).name(), "float32");
        assert_eq!(Dtype::UInt(2).name(), "uint16");
    }

    #[test]
    fn labels_every_integer_dtype() {
        macro_rules! check {
            ($t:ty) => {{
                let p = tmp(concat!("labels_", stringify!($t), ".npy"));
                write_npy(&p, &Array1::<$t>::from(vec![0, 2, 1, 2])).unwrap();
                assert_eq!(read_labels(&p).unwrap(), vec![0, 2, 1, 2], stringify!($t));
            }};
        }
        check!(i8);
        check!(i16);
        check!(i32);
        check!(i64);
        check!(u8);
        check!(u16);
        check!(u32);
        check!(u64);
    }

    #[test]
    fn labels_rejected() {
        let p = tmp("neg.npy");
        write_npy(&p, &array![0_i32, -1, 1]).unwrap();
        assert!(
            read_labels(&p)
                .unwrap_err()
                .to_string()
                .ends_with("neg.npy: row 1 has label -1, which is negative")
        );
        let p = tmp("float_labels.npy");
        write_npy(&p, &array![0.0_f64, 1.0]).unwrap();
        assert!(
            read_labels(&p)
                .unwrap_err()
                .to_string()
                .contains("labels must be integers, found float64")
        );
        let p = tmp("bool_labels.npy");
        write_npy(&p, &array![true, false]).unwrap();
        assert!(
            read_labels(&p)
                .unwrap_err()
                .to_string()
                .contains("found bool")
        );
        let p = tmp("labels2d.npy");
        write_npy(&p, &array![[0_i64], [1]]).unwrap();
        assert!(
            read_labels(&p)
                .unwrap_err()
                .to_string()
                .contains("must be 1-D (one label per example), found shape (2, 1)")
        );
        let p = tmp("labels_empty.npy");
        write_npy(&p, &Array1::<i64>::zeros(0)).unwrap();
        assert!(
            read_labels(&p)
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
        let p = tmp("garbage.npy");
        std::fs::write(&p, b"hello").unwrap();
        assert!(
            read_labels(&p)
                .unwrap_err()
                .to_string()
                .contains("not a valid .npy file")
        );
    }

    #[test]
    fn pred_probs_f32_mapped_f64_fortran() {
        let p = tmp("p32.npy");
        let a = array![[0.25_f32, 0.75], [0.5, 0.5]];
        write_npy(&p, &a).unwrap();
        match read_pred_probs(&p).unwrap() {
            Probs::F32(m) => {
                assert!(matches!(m, Matrix::Mapped(_)));
                assert_eq!(m.view().unwrap(), a.view());
            }
            Probs::F64(_) => panic!("f32 must stay f32"),
        }
        let p = tmp("p64f.npy");
        let a = array![[0.25_f64, 0.75], [0.5, 0.5], [1.0, 0.0]];
        write_npy(&p, &a.t().as_standard_layout().t()).unwrap();
        match read_pred_probs(&p).unwrap() {
            Probs::F64(m) => assert_eq!(m.view().unwrap(), a.view()),
            Probs::F32(_) => panic!("f64 must stay f64"),
        }
    }

    #[test]
    fn pred_probs_rejected() {
        type Writer = Box<dyn Fn(&Path)>;
        let cases: Vec<(&str, Writer, &str)> = vec![
            (
                "p_int.npy",
                Box::new(|p| write_npy(p, &array![[1_i64, 0]]).unwrap()),
                "pred_probs must be float32 or float64, found int64",
            ),
            (
                "p_1d.npy",
                Box::new(|p| write_npy(p, &array![0.5_f64, 0.5]).unwrap()),
                "pred_probs must be 2-D (N×K), found shape (2,)",
            ),
            (
                "p_empty.npy",
                Box::new(|p| write_npy(p, &Array2::<f64>::zeros((0, 3))).unwrap()),
                "is empty (shape (0, 3))",
            ),
            (
                "p_nocol.npy",
                Box::new(|p| write_npy(p, &Array2::<f64>::zeros((4, 0))).unwrap()),
                "has no columns",
            ),
        ];
        for (name, write, want) in cases {
            let p = tmp(name);
            write(&p);
            let e = read_pred_probs(&p).unwrap_err().to_string();
            assert!(e.contains(want), "{name}: {e}");
        }
        // Big-endian data (header patched from '<f8' to '>f8').
        let p = tmp("p_be.npy");
        write_npy(&p, &array![[0.5_f64, 0.5]]).unwrap();
        let mut bytes = std::fs::read(&p).unwrap();
        let at = bytes.windows(4).position(|w| w == b"'<f8").unwrap();
        bytes[at + 1] = b'>';
        std::fs::write(&p, &bytes).unwrap();
        let e = read_pred_probs(&p).unwrap_err().to_string();
        assert!(e.contains("big-endian float64 is not supported"), "{e}");
        // A truncated file: header says 2×2 f64, data has 3 values.
        let p = tmp("p_trunc.npy");
        write_npy(&p, &array![[0.5_f64, 0.5], [0.5, 0.5]]).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 8]).unwrap();
        let e = read_pred_probs(&p).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }
}
