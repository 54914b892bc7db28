//! Exact out-of-core label issue detection: the same flagged set as the in-memory
//! [`find_label_issues`](crate::find_label_issues), computed from row chunks that are read
//! several times, with memory independent of N·K.
//!
//! # API
//!
//! * [`ChunkSource`]: a re-iterable source of row chunks `(labels, pred_probs)` in row order,
//!   with [`InMemorySource`] (a borrowed view) and, with the default `mmap` feature,
//!   [`NpySource`] (a memory-mapped pair of `.npy` files; [`open_npy`] picks the float type).
//! * [`find_label_issues_out_of_core`]: ascending indices of the flagged examples.
//!
//! # Passes
//!
//! Every pass reads the chunks once, in row order. Chunks are validated (labels in `0..K`,
//! `pred_probs` finite and within `[-1e-6, 1 + 1e-6]`) as they are read.
//!
//! 0. **Label counts** (labels only; `pred_probs` pages are not touched): N and the count
//!    `n_k` of every class; cleanlab's rule "at least two classes unless the only class
//!    is 0".
//! 1. **Thresholds, exactly.** numpy computes `t_k` as the pairwise sum of the gathered
//!    values `p[i, k]` (rows labelled `k`, in row order) divided by `n_k`. The pairwise
//!    recursion tree depends only on `n_k`, known from pass 0, so each class keeps a
//!    [`PairwiseStream`]: the values of the current leaf block (at most 128) and the
//!    path of pending left-subtree sums from the root (depth `log2(n_k/128)`); a completed
//!    leaf is summed exactly as numpy sums it and folded up the path. The sums, hence the
//!    thresholds, are **bit-identical** to the in-memory ones (no epsilon argument needed).
//!    Skipped when the options supply a confident joint for a pruning filter.
//! 2. **Confident joint** with [`ConfidentJointAccumulator`] (integer counts, so exact), then
//!    calibration, [`keep_at_least_n_per_class`] and, if
//!    given, `num_to_remove_per_class`: the prune-count matrix `P`, exactly as in memory.
//!    For `ConfidentLearning` the off-diagonal rows are checked against `_reduce_issues`
//!    chunk by chunk and kept (this filter then needs no further pass); for the `Low*`
//!    filters only their number is kept (cleanlab's `num_label_issues`).
//! 3. **Selection.** For each given class `k` that is pruned (more than
//!    `min_examples_per_class` and more than one example) and each `j ≠ k` with
//!    `m = P[j, k] > 0`, a bounded max-heap keeps the `m` smallest keys `−(p[j] − p[k])`
//!    (margin computed in the element type, widened to `f64`) under the total order
//!    (key by `f64::total_cmp`, then index) — the same order, hence the same set, as the
//!    in-memory selection. `PruneByClass` keeps, per class, the `n_k − P[k, k]` smallest
//!    `p[k]`; `Both` intersects the two per class. Each heap entry carries whether the row
//!    agrees with its label (`_reduce_issues`), so the union minus agreeing rows is final
//!    when the pass ends. `PredictedNeqGiven` is decided row by row; `LowSelfConfidence` /
//!    `LowNormalizedMargin` keep the `num_label_issues` lowest scores (no reduction, as in
//!    cleanlab).
//!
//! Four passes for the pruning and `Low*` filters; three for `ConfidentLearning`; two for
//! `PredictedNeqGiven` and for pruning with a supplied confident joint.
//!
//! # Memory
//!
//! O(K² + K·(128 + log N) + F + one chunk), where F is the number of heap entries: the sum
//! of the prune counts used (≥ the number flagged before `_reduce_issues`), the number of
//! off-diagonal examples for `ConfidentLearning`, or `num_label_issues` for the `Low*`
//! filters. Never O(N·K); the result itself is O(number flagged).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use cl_core::constants::{BIG_VALUE, CONFIDENT_THRESHOLDS_LOWER_BOUND};
use cl_core::count::{ConfidentJointAccumulator, agrees_with_label};
use cl_core::{CoreError, Labels, PredProbs, Real};
use cl_rank::{LabelQualityOptions, ScoreMethod};
use ndarray::{Array2, ArrayView2, s};

use crate::select::{Plan, Selection};
use crate::{FilterBy, FilterError, FilterOptions, Result, keep_at_least_n_per_class};

/// One chunk of consecutive rows handed out by a [`ChunkSource`].
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a, T> {
    /// Global index of the chunk's first row.
    pub offset: usize,
    /// Given labels of the rows (class indices; validated against K by the consumer).
    pub labels: &'a [usize],
    /// `pred_probs` of the rows (one row per label, K columns).
    pub pred_probs: ArrayView2<'a, T>,
}

/// A dataset that can be read as row chunks, in row order, as many times as needed.
///
/// Chunks must cover rows `0..num_rows()` in order without gaps (checked by the consumer).
pub trait ChunkSource {
    /// Element type of `pred_probs`.
    type Elem: Real;
    /// Number of examples N.
    fn num_rows(&self) -> usize;
    /// Number of classes K (columns of `pred_probs`).
    fn num_classes(&self) -> usize;
    /// Calls `visit` on every chunk in row order; stops at the first error.
    fn for_each_chunk(
        &self,
        visit: &mut dyn FnMut(Chunk<'_, Self::Elem>) -> Result<()>,
    ) -> Result<()>;
}

/// A [`ChunkSource`] over borrowed in-memory data, cut into chunks of `chunk_rows` rows.
#[derive(Debug, Clone, Copy)]
pub struct InMemorySource<'a, T> {
    labels: &'a [usize],
    pred_probs: ArrayView2<'a, T>,
    chunk_rows: usize,
}

impl<'a, T: Real> InMemorySource<'a, T> {
    /// A source over `labels` (class indices) and `pred_probs` (N×K, any layout) read
    /// `chunk_rows` rows at a time. Lengths must agree and `chunk_rows ≥ 1`.
    pub fn new(
        labels: &'a [usize],
        pred_probs: ArrayView2<'a, T>,
        chunk_rows: usize,
    ) -> Result<Self> {
        check_chunk_rows(chunk_rows)?;
        if labels.len() != pred_probs.nrows() {
            return Err(length_mismatch(pred_probs.nrows(), labels.len()));
        }
        Ok(Self {
            labels,
            pred_probs,
            chunk_rows,
        })
    }
}

impl<T: Real> ChunkSource for InMemorySource<'_, T> {
    type Elem = T;
    fn num_rows(&self) -> usize {
        self.labels.len()
    }
    fn num_classes(&self) -> usize {
        self.pred_probs.ncols()
    }
    fn for_each_chunk(&self, visit: &mut dyn FnMut(Chunk<'_, T>) -> Result<()>) -> Result<()> {
        let n = self.labels.len();
        let mut lo = 0;
        while lo < n {
            let hi = (lo + self.chunk_rows).min(n);
            visit(Chunk {
                offset: lo,
                labels: &self.labels[lo..hi],
                pred_probs: self.pred_probs.slice(s![lo..hi, ..]),
            })?;
            lo = hi;
        }
        Ok(())
    }
}

pub(crate) fn check_chunk_rows(chunk_rows: usize) -> Result<()> {
    if chunk_rows == 0 {
        return Err(CoreError::InvalidParameter {
            name: "chunk_rows",
            reason: "must be at least 1".into(),
        }
        .into());
    }
    Ok(())
}

pub(crate) fn length_mismatch(rows: usize, labels: usize) -> FilterError {
    CoreError::Shape {
        what: "labels and pred_probs",
        expected: format!("{rows} labels (one per row of pred_probs)"),
        found: format!("{labels} labels"),
    }
    .into()
}

#[cfg(feature = "mmap")]
pub use npy::{AnyNpySource, NpySource, open_npy};

#[cfg(feature = "mmap")]
mod npy {
    use std::path::Path;

    use cl_core::{CoreError, Real};
    use memmap2::Mmap;
    use ndarray::{ArrayView1, ArrayView2, Ix1, Ix2, s};
    use ndarray_npy::{ViewElement, ViewNpyExt};

    use super::{Chunk, ChunkSource, check_chunk_rows, length_mismatch};
    use crate::Result;

    /// Memory-maps a file read-only.
    #[allow(unsafe_code)]
    fn map_file(path: &Path, what: &'static str) -> Result<Mmap> {
        let file = std::fs::File::open(path).map_err(|e| io_error(what, path, &e))?;
        // SAFETY: the map is read-only and private to this process. `Mmap::map` is unsafe
        // because another process could truncate or modify the file while it is mapped,
        // which is undefined behaviour for the `&[u8]` view. Like numpy's `mmap_mode="r"`,
        // we require (and document on `NpySource`) that the files are not modified while a
        // source is alive.
        unsafe { Mmap::map(&file) }.map_err(|e| io_error(what, path, &e).into())
    }

    fn io_error(what: &'static str, path: &Path, e: &dyn std::fmt::Display) -> CoreError {
        CoreError::InvalidParameter {
            name: what,
            reason: format!("{}: {e}", path.display()),
        }
    }

    /// Parses a `.npy` file as a 2-D view of `T`.
    pub(crate) fn view2<T: ViewElement>(
        bytes: &[u8],
    ) -> std::result::Result<ArrayView2<'_, T>, ndarray_npy::ViewNpyError> {
        ArrayView2::<T>::view_npy(bytes)
    }

    /// Labels of a `.npy` file stored as `i64` or `i32`.
    #[derive(Debug)]
    pub(crate) enum LabelsView<'a> {
        I64(ArrayView1<'a, i64>),
        I32(ArrayView1<'a, i32>),
    }

    impl LabelsView<'_> {
        pub(crate) fn parse<'b>(bytes: &'b [u8], path: &Path) -> Result<LabelsView<'b>> {
            if let Ok(v) = ArrayView1::<i64>::view_npy(bytes) {
                return Ok(LabelsView::I64(v));
            }
            match ndarray::ArrayView::<i32, Ix1>::view_npy(bytes) {
                Ok(v) => Ok(LabelsView::I32(v)),
                Err(e) => Err(io_error(
                    "labels_file",
                    path,
                    &format!("not a 1-D little-endian i64 or i32 .npy array ({e})"),
                )
                .into()),
            }
        }

        pub(crate) fn len(&self) -> usize {
            match self {
                LabelsView::I64(v) => v.len(),
                LabelsView::I32(v) => v.len(),
            }
        }

        /// Rows `lo..hi` as class indices into `out`; a negative label is an error.
        pub(crate) fn fill(&self, lo: usize, hi: usize, out: &mut Vec<usize>) -> Result<()> {
            out.clear();
            let mut push = |row: usize, v: i64| -> Result<()> {
                let c = usize::try_from(v).map_err(|_| CoreError::LabelOutOfRange {
                    row,
                    label: v,
                    num_classes: 0,
                })?;
                out.push(c);
                Ok(())
            };
            match self {
                LabelsView::I64(a) => {
                    for (r, &v) in a.slice(s![lo..hi]).iter().enumerate() {
                        push(lo + r, v)?;
                    }
                }
                LabelsView::I32(a) => {
                    for (r, &v) in a.slice(s![lo..hi]).iter().enumerate() {
                        push(lo + r, i64::from(v))?;
                    }
                }
            }
            Ok(())
        }
    }

    /// Mapped `.npy` file pair.
    #[derive(Debug)]
    pub(crate) struct MappedPair {
        labels: Mmap,
        probs: Mmap,
        labels_path: std::path::PathBuf,
    }

    impl MappedPair {
        pub(crate) fn open(labels: &Path, probs: &Path) -> Result<Self> {
            Ok(Self {
                labels: map_file(labels, "labels_file")?,
                probs: map_file(probs, "pred_probs_file")?,
                labels_path: labels.to_path_buf(),
            })
        }
        pub(crate) fn labels(&self) -> Result<LabelsView<'_>> {
            LabelsView::parse(&self.labels, &self.labels_path)
        }
        pub(crate) fn probs_bytes(&self) -> &[u8] {
            &self.probs
        }

        /// Lets the kernel drop the resident pages of `rows` (a row block of the mapped
        /// `pred_probs`, `len` bytes from `start`), so a pass over a file larger than memory
        /// does not keep the whole file resident (peak RSS stays about one chunk).
        #[allow(unsafe_code)]
        pub(crate) fn release_probs(&self, start: *const u8, len: usize) {
            #[cfg(unix)]
            {
                let Some(offset) = (start as usize).checked_sub(self.probs.as_ptr() as usize)
                else {
                    return;
                };
                if offset + len > self.probs.len() {
                    return;
                }
                // SAFETY: the map is a read-only, private file mapping that this process never
                // writes, so MADV_DONTNEED only drops resident copies of unchanged file pages;
                // any later read (including through views that are still alive) faults the
                // same bytes back in from the file. Failure is harmless (pages stay resident).
                let _ = unsafe {
                    self.probs.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        offset,
                        len,
                    )
                };
            }
            #[cfg(not(unix))]
            let _ = (start, len);
        }
    }

    /// A [`ChunkSource`] over a memory-mapped pair of `.npy` files: labels (1-D, `i64` or
    /// `i32`) and `pred_probs` (2-D, element type `T`, C or Fortran order).
    ///
    /// Pages are read by the operating system as chunks touch them; nothing is copied
    /// except one chunk of labels at a time. The files must not be modified while the
    /// source is alive (as with numpy's `mmap_mode="r"`).
    #[derive(Debug)]
    pub struct NpySource<T> {
        files: MappedPair,
        n: usize,
        k: usize,
        chunk_rows: usize,
        _elem: std::marker::PhantomData<T>,
    }

    impl<T: Real + ViewElement> NpySource<T> {
        /// Maps the two files and checks their headers: `pred_probs` must be a 2-D array of
        /// `T`, labels a 1-D `i64`/`i32` array of the same length; `chunk_rows ≥ 1`.
        pub fn open(
            labels_file: impl AsRef<Path>,
            pred_probs_file: impl AsRef<Path>,
            chunk_rows: usize,
        ) -> Result<Self> {
            check_chunk_rows(chunk_rows)?;
            let files = MappedPair::open(labels_file.as_ref(), pred_probs_file.as_ref())?;
            let (n, k) = view2::<T>(files.probs_bytes())
                .map_err(|e| {
                    io_error(
                        "pred_probs_file",
                        pred_probs_file.as_ref(),
                        &format!(
                            "not a 2-D little-endian {} .npy array ({e})",
                            std::any::type_name::<T>()
                        ),
                    )
                })?
                .dim();
            let nl = files.labels()?.len();
            if nl != n {
                return Err(length_mismatch(n, nl));
            }
            Ok(Self {
                files,
                n,
                k,
                chunk_rows,
                _elem: std::marker::PhantomData,
            })
        }
    }

    impl<T: Real + ViewElement> ChunkSource for NpySource<T> {
        type Elem = T;
        fn num_rows(&self) -> usize {
            self.n
        }
        fn num_classes(&self) -> usize {
            self.k
        }
        fn for_each_chunk(&self, visit: &mut dyn FnMut(Chunk<'_, T>) -> Result<()>) -> Result<()> {
            let probs = ArrayView::<T, Ix2>::view_npy(self.files.probs_bytes()).map_err(|e| {
                CoreError::InvalidParameter {
                    name: "pred_probs_file",
                    reason: e.to_string(),
                }
            })?;
            let labels = self.files.labels()?;
            let mut buf = Vec::with_capacity(self.chunk_rows.min(self.n));
            let mut lo = 0;
            while lo < self.n {
                let hi = (lo + self.chunk_rows).min(self.n);
                labels.fill(lo, hi, &mut buf)?;
                let block = probs.slice(s![lo..hi, ..]);
                visit(Chunk {
                    offset: lo,
                    labels: &buf,
                    pred_probs: block,
                })?;
                if block.is_standard_layout() {
                    self.files.release_probs(
                        block.as_ptr().cast::<u8>(),
                        block.len() * std::mem::size_of::<T>(),
                    );
                }
                lo = hi;
            }
            Ok(())
        }
    }

    use ndarray::ArrayView;

    /// An [`NpySource`] whose float type was read from the file.
    #[derive(Debug)]
    #[non_exhaustive]
    pub enum AnyNpySource {
        /// `pred_probs` stored as `f64`.
        F64(NpySource<f64>),
        /// `pred_probs` stored as `f32`.
        F32(NpySource<f32>),
    }

    /// Opens a `.npy` pair, trying `f64` then `f32` `pred_probs`.
    pub fn open_npy(
        labels_file: impl AsRef<Path>,
        pred_probs_file: impl AsRef<Path>,
        chunk_rows: usize,
    ) -> Result<AnyNpySource> {
        let (l, p) = (labels_file.as_ref(), pred_probs_file.as_ref());
        match NpySource::<f64>::open(l, p, chunk_rows) {
            Ok(s) => Ok(AnyNpySource::F64(s)),
            Err(first) => match NpySource::<f32>::open(l, p, chunk_rows) {
                Ok(s) => Ok(AnyNpySource::F32(s)),
                Err(_) => Err(first),
            },
        }
    }
}

/// numpy's pairwise sum of a sequence whose length is known in advance, fed one value at a
/// time: bit-identical to `np.sum` of the whole sequence
/// ([`cl_core::numerics::pairwise_sum`]), with O(128 + log n) memory.
///
/// numpy splits a range of `n > 128` values at `n2 = n/2 − (n/2 mod 8)` and sums blocks of
/// at most 128 values with eight interleaved partial sums. The tree depends only on `n`:
/// the stream keeps the current leaf's values and, for each ancestor, whether its left
/// subtree is done (and its sum).
#[derive(Debug, Clone)]
pub struct PairwiseStream {
    buf: Vec<f64>,
    leaf_len: usize,
    stack: Vec<Frame>,
    result: Option<f64>,
    remaining: usize,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    start: usize,
    len: usize,
    n2: usize,
    left: Option<f64>,
}

const PW_BLOCKSIZE: usize = 128;

impl PairwiseStream {
    /// A stream that will receive exactly `n` values.
    pub fn new(n: usize) -> Self {
        let mut s = Self {
            buf: Vec::new(),
            leaf_len: 0,
            stack: Vec::new(),
            result: None,
            remaining: n,
        };
        if n == 0 {
            s.result = Some(0.0);
        } else {
            s.descend(0, n);
        }
        s
    }

    fn descend(&mut self, start: usize, mut len: usize) {
        while len > PW_BLOCKSIZE {
            let mut n2 = len / 2;
            n2 -= n2 % 8;
            self.stack.push(Frame {
                start,
                len,
                n2,
                left: None,
            });
            len = n2;
        }
        self.leaf_len = len;
        self.buf.clear();
    }

    /// Adds the next value. Values beyond the announced count are an error.
    pub fn push(&mut self, x: f64) -> Result<()> {
        if self.remaining == 0 {
            return Err(CoreError::InvalidParameter {
                name: "values",
                reason: "more values than announced to the pairwise stream".into(),
            }
            .into());
        }
        self.remaining -= 1;
        self.buf.push(x);
        if self.buf.len() < self.leaf_len {
            return Ok(());
        }
        // A leaf is complete: numpy sums it as one block (the leading `0 +` of
        // `pairwise_sum` only turns a -0.0 leaf into 0.0, which cannot change any sum
        // that involves a non-zero value, and the final result is `0 +` anyway).
        let mut v = cl_core::numerics::pairwise_sum(&self.buf);
        loop {
            match self.stack.last_mut() {
                None => {
                    self.result = Some(0.0 + v);
                    return Ok(());
                }
                Some(f) => {
                    if let Some(l) = f.left {
                        v += l; // IEEE addition is commutative: same bits as numpy's `left + right`
                        self.stack.pop();
                    } else {
                        f.left = Some(v);
                        let (start, len) = (f.start + f.n2, f.len - f.n2);
                        self.descend(start, len);
                        return Ok(());
                    }
                }
            }
        }
    }

    /// The sum, once all announced values were pushed.
    pub fn sum(&self) -> Option<f64> {
        self.result
    }
}

/// Validates one chunk and checks it continues the previous one.
fn validate_chunk<'a, 'b, T: Real>(
    chunk: &Chunk<'a, T>,
    labels: &'b [usize],
    k: usize,
    expected_offset: usize,
) -> Result<(Labels<'b>, PredProbs<'a, T>)> {
    if chunk.offset != expected_offset {
        return Err(CoreError::InvalidParameter {
            name: "source",
            reason: format!(
                "chunk starts at row {} but row {expected_offset} was expected",
                chunk.offset
            ),
        }
        .into());
    }
    if chunk.pred_probs.nrows() != labels.len() || chunk.pred_probs.ncols() != k {
        return Err(CoreError::Shape {
            what: "chunk",
            expected: format!("{} rows × {k} columns", labels.len()),
            found: format!(
                "{} rows × {} columns",
                chunk.pred_probs.nrows(),
                chunk.pred_probs.ncols()
            ),
        }
        .into());
    }
    let l = Labels::from_usize(labels, k).map_err(|e| shift_row(e, chunk.offset))?;
    let p = PredProbs::new(chunk.pred_probs).map_err(|e| shift_row(e, chunk.offset))?;
    Ok((l, p))
}

/// Makes the row of a chunk-local error global.
fn shift_row(e: CoreError, offset: usize) -> CoreError {
    match e {
        CoreError::LabelOutOfRange {
            row,
            label,
            num_classes,
        } => CoreError::LabelOutOfRange {
            row: row + offset,
            label,
            num_classes,
        },
        CoreError::NonFinite {
            what,
            row,
            col,
            value,
        } => CoreError::NonFinite {
            what,
            row: row + offset,
            col,
            value,
        },
        CoreError::OutOfRange {
            what,
            row,
            col,
            value,
            low,
            high,
        } => CoreError::OutOfRange {
            what,
            row: row + offset,
            col,
            value,
            low,
            high,
        },
        other => other,
    }
}

/// One validated pass over the source: `f(offset, labels, pred_probs)` per chunk.
fn pass<S: ChunkSource>(
    source: &S,
    mut f: impl FnMut(usize, &Labels<'_>, &PredProbs<'_, S::Elem>) -> Result<()>,
) -> Result<()> {
    let k = source.num_classes();
    let mut next = 0usize;
    source.for_each_chunk(&mut |chunk| {
        let (l, p) = validate_chunk(&chunk, chunk.labels, k, next)?;
        f(chunk.offset, &l, &p)?;
        next += l.len();
        Ok(())
    })?;
    if next != source.num_rows() {
        return Err(CoreError::InvalidParameter {
            name: "source",
            reason: format!(
                "chunks covered {next} rows, the source announced {}",
                source.num_rows()
            ),
        }
        .into());
    }
    Ok(())
}

/// Pass 0: class counts from the labels only.
fn class_counts<S: ChunkSource>(source: &S) -> Result<Vec<usize>> {
    let k = source.num_classes();
    let mut counts = vec![0usize; k];
    let mut next = 0usize;
    source.for_each_chunk(&mut |chunk| {
        if chunk.offset != next || chunk.pred_probs.nrows() != chunk.labels.len() {
            return Err(CoreError::InvalidParameter {
                name: "source",
                reason: format!("chunk at row {} is not contiguous or ragged", chunk.offset),
            }
            .into());
        }
        let l = Labels::from_usize(chunk.labels, k).map_err(|e| shift_row(e, chunk.offset))?;
        for (c, n) in counts.iter_mut().zip(l.class_counts()) {
            *c += n;
        }
        next += l.len();
        Ok(())
    })?;
    if next == 0 {
        return Err(CoreError::Empty { what: "labels" }.into());
    }
    if next != source.num_rows() {
        return Err(CoreError::InvalidParameter {
            name: "source",
            reason: format!(
                "chunks covered {next} rows, the source announced {}",
                source.num_rows()
            ),
        }
        .into());
    }
    Ok(counts)
}

/// Pass 1: the confident thresholds, bit-identical to
/// [`cl_core::count::get_confident_thresholds`] on the whole data.
pub fn confident_thresholds_exact<S: ChunkSource>(source: &S) -> Result<Vec<f64>> {
    let counts = class_counts(source)?;
    thresholds_with_counts(source, &counts)
}

fn thresholds_with_counts<S: ChunkSource>(source: &S, counts: &[usize]) -> Result<Vec<f64>> {
    let mut streams: Vec<PairwiseStream> = counts.iter().map(|&n| PairwiseStream::new(n)).collect();
    pass(source, |_, labels, probs| {
        let v = probs.view();
        for (&y, row) in labels.as_slice().iter().zip(v.rows()) {
            streams[y].push(row[y].to_f64x())?;
        }
        Ok(())
    })?;
    Ok(streams
        .iter()
        .zip(counts)
        .map(|(s, &n)| {
            let t = match (n, s.sum()) {
                (0, _) | (_, None) => BIG_VALUE,
                (n, Some(sum)) => sum / n as f64,
            };
            t.max(CONFIDENT_THRESHOLDS_LOWER_BOUND)
        })
        .collect())
}

/// Pass 2 for the pruning filters: the calibrated confident joint.
fn joint_counts<S: ChunkSource>(source: &S, thresholds: &[f64]) -> Result<Array2<i64>> {
    let mut total = ConfidentJointAccumulator::new(thresholds, false)?;
    pass(source, |_, labels, probs| Ok(total.update(labels, probs)?))?;
    Ok(total.finish(true)?.joint)
}

/// Pass 2 for `ConfidentLearning` and the `Low*` filters: the off-diagonal rows of the
/// confident joint that do not agree with their label (kept if `keep`) and their number.
fn off_diagonal_issues<S: ChunkSource>(
    source: &S,
    thresholds: &[f64],
    keep: bool,
) -> Result<(Vec<usize>, usize)> {
    let mut flagged = Vec::new();
    let mut num_issues = 0usize;
    pass(source, |offset, labels, probs| {
        let mut local = ConfidentJointAccumulator::new(thresholds, true)?.starting_at(offset);
        local.update(labels, probs)?;
        let off = local
            .finish(false)?
            .off_diagonal_indices
            .unwrap_or_default();
        let v = probs.view();
        let y = labels.as_slice();
        for i in off {
            if !agrees_with_label(v.row(i - offset), y[i - offset]) {
                num_issues += 1;
                if keep {
                    flagged.push(i);
                }
            }
        }
        Ok(())
    })?;
    Ok((flagged, num_issues))
}

/// Likely label issues of a chunked dataset: ascending indices of exactly the examples that
/// the in-memory [`find_label_issues`](crate::find_label_issues) flags with the same
/// options (see the [module docs](self) for the passes and the memory bound).
///
/// Supported filters: all of [`FilterBy`] (`PruneByNoiseRate`, `PruneByClass`, `Both`,
/// `ConfidentLearning`, `PredictedNeqGiven`, `LowSelfConfidence`, `LowNormalizedMargin`),
/// with every option of [`FilterOptions`].
///
/// ```
/// use cl_filter::FilterOptions;
/// use cl_filter::out_of_core::{InMemorySource, find_label_issues_out_of_core};
/// use ndarray::array;
///
/// let p = array![[0.9, 0.1], [0.8, 0.2], [0.2, 0.8], [0.3, 0.7], [0.95, 0.05], [0.1, 0.9]];
/// let labels = [0, 0, 1, 1, 1, 1];
/// let source = InMemorySource::new(&labels, p.view(), 2)?;
/// let flagged = find_label_issues_out_of_core(&source, &FilterOptions::default())?;
/// assert_eq!(flagged, vec![4]);
/// # Ok::<(), cl_filter::FilterError>(())
/// ```
pub fn find_label_issues_out_of_core<S: ChunkSource>(
    source: &S,
    options: &FilterOptions,
) -> Result<Vec<usize>> {
    let k = source.num_classes();
    let counts = class_counts(source)?;
    let only_zero = counts.first() == Some(&source.num_rows());
    let present = counts.iter().filter(|&&c| c > 0).count();
    let need_two = !only_zero
        || matches!(
            options.filter_by,
            FilterBy::LowSelfConfidence | FilterBy::LowNormalizedMargin
        );
    if need_two && present < 2 {
        return Err(CoreError::TooFewClasses {
            found: present,
            required: 2,
        }
        .into());
    }
    options.check(k)?;
    let filter_by = options.filter_by;

    match filter_by {
        FilterBy::PredictedNeqGiven => {
            let mut out = Vec::new();
            pass(source, |offset, labels, probs| {
                let v = probs.view();
                for (r, (&y, row)) in labels.as_slice().iter().zip(v.rows()).enumerate() {
                    let pred = cl_core::numerics::argmax(row.iter().copied()).unwrap_or(0);
                    if pred != y && !agrees_with_label(row, y) {
                        out.push(offset + r);
                    }
                }
                Ok(())
            })?;
            Ok(out)
        }
        FilterBy::ConfidentLearning => {
            let t = thresholds_with_counts(source, &counts)?;
            Ok(off_diagonal_issues(source, &t, true)?.0)
        }
        FilterBy::LowSelfConfidence | FilterBy::LowNormalizedMargin => {
            let t = thresholds_with_counts(source, &counts)?;
            let n = off_diagonal_issues(source, &t, false)?.1;
            let method = if filter_by == FilterBy::LowSelfConfidence {
                ScoreMethod::SelfConfidence
            } else {
                ScoreMethod::NormalizedMargin
            };
            lowest_scores(source, n, &LabelQualityOptions::new(method))
        }
        _ => {
            let cj = if let Some(cj) = &options.confident_joint {
                cj.clone()
            } else {
                let t = thresholds_with_counts(source, &counts)?;
                joint_counts(source, &t)?
            };
            let mut prune_counts = keep_at_least_n_per_class(
                cj.t(),
                options.min_examples_per_class,
                options.frac_noise,
            );
            if let Some(r) = &options.num_to_remove_per_class {
                prune_counts = crate::prune::counts_from_targets(prune_counts.view(), r, &counts)?;
            }
            select(
                source,
                prune_counts.view(),
                &counts,
                filter_by,
                options.min_examples_per_class,
            )
        }
    }
}

/// The `n` lowest label quality scores (ties: lower index first), ascending indices.
fn lowest_scores<S: ChunkSource>(
    source: &S,
    n: usize,
    opts: &LabelQualityOptions,
) -> Result<Vec<usize>> {
    // Scores of these methods are row-local, so chunked scoring equals whole-data scoring.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Sc(f64, usize);
    impl Eq for Sc {}
    impl PartialOrd for Sc {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Sc {
        fn cmp(&self, o: &Self) -> Ordering {
            // The stable argsort's order: NaN last, -0.0 == 0.0, ties by index.
            let a = match (self.0.is_nan(), o.0.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => self.0.partial_cmp(&o.0).unwrap_or(Ordering::Equal),
            };
            a.then(self.1.cmp(&o.1))
        }
    }
    let mut heap: BinaryHeap<Sc> = BinaryHeap::new();
    pass(source, |offset, labels, probs| {
        let scores = cl_rank::get_label_quality_scores(labels, probs, opts)?;
        for (r, s) in scores.into_iter().enumerate() {
            let e = Sc(s, offset + r);
            if heap.len() < n {
                heap.push(e);
            } else if let Some(mut top) = heap.peek_mut()
                && e < *top
            {
                *top = e;
            }
        }
        Ok(())
    })?;
    let mut out: Vec<usize> = heap.into_iter().map(|e| e.1).collect();
    out.sort_unstable();
    Ok(out)
}

/// Pass 3 of the pruning filters: the shared streaming selection (`crate::select`), each
/// chunk processed in parallel and merged.
fn select<S: ChunkSource>(
    source: &S,
    prune_counts: ArrayView2<'_, i64>,
    counts: &[usize],
    filter_by: FilterBy,
    min_examples_per_class: usize,
) -> Result<Vec<usize>> {
    let plan = Plan::new(prune_counts, counts, filter_by, min_examples_per_class);
    let mut selection = Selection::new(&plan);
    pass(source, |offset, labels, probs| {
        selection.update_parallel(offset, labels.as_slice(), probs.view());
        Ok(())
    })?;
    Ok(selection.finish())
}
