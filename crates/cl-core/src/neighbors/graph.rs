//! [`KnnGraph`]: the dense N×k neighbour lists, and their CSR interchange form.

use ndarray::Array2;
use num_traits::ToPrimitive;

use crate::error::{CoreError, Result};
use crate::float::Real;

/// The k nearest neighbours of each of N points: row `i` lists the neighbours of point `i`
/// and their distances, nearest first.
///
/// Invariants (checked by every constructor): `indices` and `distances` are both N×k with
/// N ≥ 1 and k ≥ 1, every index is in `0..N`, every distance is finite and ≥ 0.
///
/// Graphs built by [`search`](super::ExactKnn::knn_graph) are sorted by distance with ties in
/// ascending index order and never list a point as its own neighbour (see the
/// [module docs](super) for the exact-duplicate rule). [`KnnGraph::from_csr`] checks that
/// rows are sorted. The exact-duplicate correction keeps cleanlab's order, which is sorted
/// except in one degenerate case described in [`KnnGraph::correct_exact_duplicates`].
///
/// cleanlab passes the same information as a scipy `csr_matrix` (`knn_graph`, N×N, k stored
/// entries per row in neighbour order); [`KnnGraph::to_csr`] and [`KnnGraph::from_csr`]
/// convert.
#[derive(Debug, Clone, PartialEq)]
pub struct KnnGraph {
    indices: Array2<usize>,
    distances: Array2<f64>,
}

/// A kNN graph in CSR form (scipy's `csr_matrix(shape = (N, N))`): row `i`'s neighbours are
/// `indices[indptr[i]..indptr[i + 1]]`, their distances the same range of `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrGraph {
    /// Stored distances, row after row (explicit zeros included).
    pub data: Vec<f64>,
    /// Column (neighbour) index of each stored entry.
    pub indices: Vec<usize>,
    /// Row pointers, N + 1 entries: `0, k, 2k, …, Nk` for a kNN graph.
    pub indptr: Vec<usize>,
    /// `(N, N)`.
    pub shape: (usize, usize),
}

/// How [`KnnGraph::from_csr_with`] treats rows whose distances are not sorted ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RowOrder {
    /// Reject them with [`CoreError::UnsortedKnnRow`] (cleanlab reads the first stored entry
    /// of a row as the nearest neighbour, so an unsorted row would be misread).
    #[default]
    RequireSorted,
    /// Sort each row by distance, stably (equal distances keep their stored order).
    Sort,
}

fn check_distance(row: usize, col: usize, value: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(CoreError::NonFinite {
            what: "knn_graph distances",
            row,
            col,
            value,
        });
    }
    if value < 0.0 {
        return Err(CoreError::OutOfRange {
            what: "knn_graph distances",
            row,
            col,
            value,
            low: 0.0,
            high: f64::INFINITY,
        });
    }
    Ok(())
}

fn sort_rows(indices: &mut Array2<usize>, distances: &mut Array2<f64>) {
    let k = indices.ncols();
    let mut perm: Vec<usize> = Vec::with_capacity(k);
    let mut tmp_i = vec![0_usize; k];
    let mut tmp_d = vec![0.0_f64; k];
    for (mut ir, mut dr) in indices.rows_mut().into_iter().zip(distances.rows_mut()) {
        perm.clear();
        perm.extend(0..k);
        perm.sort_by(|&a, &b| dr[a].total_cmp(&dr[b]));
        for (slot, &p) in perm.iter().enumerate() {
            tmp_i[slot] = ir[p];
            tmp_d[slot] = dr[p];
        }
        for slot in 0..k {
            ir[slot] = tmp_i[slot];
            dr[slot] = tmp_d[slot];
        }
    }
}

fn first_unsorted(distances: &Array2<f64>) -> Option<CoreError> {
    for (row, d) in distances.rows().into_iter().enumerate() {
        for position in 1..d.len() {
            if d[position] < d[position - 1] {
                return Some(CoreError::UnsortedKnnRow {
                    row,
                    position,
                    distance: d[position],
                    previous: d[position - 1],
                });
            }
        }
    }
    None
}

fn parse_indptr<I: ToPrimitive + Copy + std::fmt::Display>(
    indptr: &[I],
    stored: usize,
) -> Result<Vec<usize>> {
    let n = indptr.len() - 1;
    let ptr: Vec<usize> = indptr
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.to_usize().ok_or_else(|| CoreError::MalformedCsr {
                reason: format!("indptr[{i}] = {v} is negative or too large"),
            })
        })
        .collect::<Result<_>>()?;
    if ptr[0] != 0 {
        return Err(CoreError::MalformedCsr {
            reason: format!("indptr[0] = {}, expected 0", ptr[0]),
        });
    }
    if let Some(i) = (1..ptr.len()).find(|&i| ptr[i] < ptr[i - 1]) {
        return Err(CoreError::MalformedCsr {
            reason: format!(
                "indptr decreases at position {i} ({} after {})",
                ptr[i],
                ptr[i - 1]
            ),
        });
    }
    if ptr[n] != stored {
        return Err(CoreError::MalformedCsr {
            reason: format!("indptr[N] = {} but {} entries are stored", ptr[n], stored),
        });
    }
    Ok(ptr)
}

impl KnnGraph {
    /// Builds a graph from N×k neighbour indices and distances, checking the invariants
    /// (equal shapes, N ≥ 1, k ≥ 1, indices in `0..N`, distances finite and ≥ 0). Rows are
    /// not required to be sorted.
    pub fn from_parts(indices: Array2<usize>, distances: Array2<f64>) -> Result<Self> {
        if indices.dim() != distances.dim() {
            return Err(CoreError::Shape {
                what: "knn_graph indices and distances",
                expected: format!("{}×{}", indices.nrows(), indices.ncols()),
                found: format!("{}×{}", distances.nrows(), distances.ncols()),
            });
        }
        let (n, k) = indices.dim();
        if n == 0 {
            return Err(CoreError::Empty { what: "knn_graph" });
        }
        if k == 0 {
            return Err(CoreError::Empty {
                what: "knn_graph neighbours",
            });
        }
        for ((row, position), &index) in indices.indexed_iter() {
            if index >= n {
                return Err(CoreError::NeighborIndexOutOfRange {
                    row,
                    position,
                    index: index as i128,
                    n,
                });
            }
        }
        for ((row, col), &d) in distances.indexed_iter() {
            check_distance(row, col, d)?;
        }
        Ok(Self { indices, distances })
    }

    /// Internal constructor for graphs whose invariants hold by construction.
    pub(crate) fn new_unchecked(indices: Array2<usize>, distances: Array2<f64>) -> Self {
        debug_assert_eq!(indices.dim(), distances.dim());
        Self { indices, distances }
    }

    /// Number of points N (rows).
    pub fn n(&self) -> usize {
        self.indices.nrows()
    }

    /// Neighbours per point k (columns).
    pub fn k(&self) -> usize {
        self.indices.ncols()
    }

    /// Neighbour indices, N×k, nearest first.
    pub fn indices(&self) -> &Array2<usize> {
        &self.indices
    }

    /// Distances to the neighbours, N×k, as f64.
    pub fn distances(&self) -> &Array2<f64> {
        &self.distances
    }

    /// The two arrays `(indices, distances)`.
    pub fn into_parts(self) -> (Array2<usize>, Array2<f64>) {
        (self.indices, self.distances)
    }

    /// The graph as cleanlab's CSR `knn_graph`: k entries per row in neighbour order,
    /// `indptr = 0, k, 2k, …`, explicit zero distances kept.
    pub fn to_csr(&self) -> CsrGraph {
        let (n, k) = self.indices.dim();
        CsrGraph {
            data: self.distances.iter().copied().collect(),
            indices: self.indices.iter().copied().collect(),
            indptr: (0..=n).map(|i| i * k).collect(),
            shape: (n, n),
        }
    }

    /// Reads cleanlab's CSR `knn_graph` (scipy `csr_matrix`: `data`, `indices`, `indptr`,
    /// `shape`), any integer index type (scipy uses int32 or int64) and f32/f64 data.
    ///
    /// Errors: [`CoreError::MalformedCsr`] (lengths, non-square shape, `indptr` not starting at
    /// 0 or decreasing), [`CoreError::RaggedKnnGraph`] (rows storing different numbers of
    /// entries), [`CoreError::NeighborIndexOutOfRange`], [`CoreError::NonFinite`] /
    /// [`CoreError::OutOfRange`] (a NaN, infinite or negative distance),
    /// [`CoreError::UnsortedKnnRow`] (use [`KnnGraph::from_csr_with`] to sort instead), and
    /// [`CoreError::Empty`] for N = 0 or rows with no entry.
    pub fn from_csr<T: Real, I: ToPrimitive + Copy + std::fmt::Display>(
        data: &[T],
        indices: &[I],
        indptr: &[I],
        shape: (usize, usize),
    ) -> Result<Self> {
        Self::from_csr_with(data, indices, indptr, shape, RowOrder::RequireSorted)
    }

    /// [`KnnGraph::from_csr`] with a choice of what to do with unsorted rows.
    pub fn from_csr_with<T: Real, I: ToPrimitive + Copy + std::fmt::Display>(
        data: &[T],
        indices: &[I],
        indptr: &[I],
        shape: (usize, usize),
        order: RowOrder,
    ) -> Result<Self> {
        let (n, cols) = shape;
        if n != cols {
            return Err(CoreError::MalformedCsr {
                reason: format!("shape {n}×{cols} is not square"),
            });
        }
        if n == 0 {
            return Err(CoreError::Empty { what: "knn_graph" });
        }
        if indptr.len() != n + 1 {
            return Err(CoreError::MalformedCsr {
                reason: format!(
                    "indptr has {} entries, expected N + 1 = {}",
                    indptr.len(),
                    n + 1
                ),
            });
        }
        if data.len() != indices.len() {
            return Err(CoreError::MalformedCsr {
                reason: format!(
                    "data has {} entries but indices has {}",
                    data.len(),
                    indices.len()
                ),
            });
        }
        let ptr = parse_indptr(indptr, data.len())?;
        let k = ptr[1] - ptr[0];
        if let Some(row) = (0..n).find(|&r| ptr[r + 1] - ptr[r] != k) {
            return Err(CoreError::RaggedKnnGraph {
                row,
                found: ptr[row + 1] - ptr[row],
                expected: k,
            });
        }
        if k == 0 {
            return Err(CoreError::Empty {
                what: "knn_graph neighbours",
            });
        }
        let mut idx = Vec::with_capacity(indices.len());
        for (e, v) in indices.iter().enumerate() {
            match v.to_usize() {
                Some(u) if u < n => idx.push(u),
                _ => {
                    return Err(CoreError::NeighborIndexOutOfRange {
                        row: e / k,
                        position: e % k,
                        index: v.to_i128().unwrap_or(i128::MAX),
                        n,
                    });
                }
            }
        }
        let mut dist = Vec::with_capacity(data.len());
        for (e, v) in data.iter().enumerate() {
            let d = v.to_f64x();
            check_distance(e / k, e % k, d)?;
            dist.push(d);
        }
        let shape_err = |_| CoreError::MalformedCsr {
            reason: "inconsistent lengths".into(),
        };
        let mut indices = Array2::from_shape_vec((n, k), idx).map_err(shape_err)?;
        let mut distances = Array2::from_shape_vec((n, k), dist).map_err(shape_err)?;
        match order {
            RowOrder::RequireSorted => {
                if let Some(e) = first_unsorted(&distances) {
                    return Err(e);
                }
            }
            RowOrder::Sort => sort_rows(&mut indices, &mut distances),
        }
        Ok(Self { indices, distances })
    }

    /// Mutable access to both arrays, for the duplicate correction (invariants preserved by
    /// the caller).
    pub(crate) fn parts_mut(&mut self) -> (&mut Array2<usize>, &mut Array2<f64>) {
        (&mut self.indices, &mut self.distances)
    }
}

impl CsrGraph {
    /// Converts to a [`KnnGraph`] with [`KnnGraph::from_csr`]'s checks.
    pub fn to_knn_graph(&self) -> Result<KnnGraph> {
        KnnGraph::from_csr(&self.data, &self.indices, &self.indptr, self.shape)
    }
}

impl From<&KnnGraph> for CsrGraph {
    fn from(g: &KnnGraph) -> Self {
        g.to_csr()
    }
}

impl TryFrom<&CsrGraph> for KnnGraph {
    type Error = CoreError;
    fn try_from(c: &CsrGraph) -> Result<Self> {
        c.to_knn_graph()
    }
}
