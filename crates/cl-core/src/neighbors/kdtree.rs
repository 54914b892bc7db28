//! An exact k-d tree for Euclidean search in few dimensions (at most
//! [`DIRECT_MAX_DIM`](super::DIRECT_MAX_DIM) columns), where sklearn uses one too.
//!
//! The tree only decides which pairs are compared: keys are the same column-order sums of
//! squares as the brute-force path, and a subtree is skipped only when the floating-point
//! lower bound of its box is *strictly* above the row's current k+1-th key. That bound is
//! a sum, in the same column order, of terms that are each at most the corresponding term
//! of any point in the box (rounding is monotonic), so it never exceeds a real key and the
//! result equals the brute-force search bit for bit, ties included.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::search::{Entry, heap_push, sentinel_heap, sort_row, sq_dist_seq};
use crate::float::Real;

const LEAF: usize = 32;

struct Node {
    /// Range of `perm` covered by the node.
    start: usize,
    end: usize,
    /// Children (both `usize::MAX` for a leaf).
    left: usize,
    right: usize,
}

struct Tree {
    d: usize,
    /// Row-major widened points.
    pts: Vec<f64>,
    perm: Vec<usize>,
    nodes: Vec<Node>,
    /// Per node: bounding box minima then maxima (2·d values).
    boxes: Vec<f64>,
}

impl Tree {
    fn build<T: Real>(x: ArrayView2<'_, T>) -> Tree {
        let (n, d) = x.dim();
        let mut pts = vec![0.0; n * d];
        pts.par_chunks_mut(d).enumerate().for_each(|(i, out)| {
            for (o, v) in out.iter_mut().zip(x.row(i).iter()) {
                *o = v.to_f64x();
            }
        });
        let mut t = Tree {
            d,
            pts,
            perm: (0..n).collect(),
            nodes: Vec::new(),
            boxes: Vec::new(),
        };
        t.build_node(0, n);
        t
    }

    fn build_node(&mut self, start: usize, end: usize) -> usize {
        let d = self.d;
        let id = self.nodes.len();
        self.nodes.push(Node {
            start,
            end,
            left: usize::MAX,
            right: usize::MAX,
        });
        let mut lo = vec![f64::INFINITY; d];
        let mut hi = vec![f64::NEG_INFINITY; d];
        for &p in &self.perm[start..end] {
            for c in 0..d {
                let v = self.pts[p * d + c];
                lo[c] = lo[c].min(v);
                hi[c] = hi[c].max(v);
            }
        }
        self.boxes.extend_from_slice(&lo);
        self.boxes.extend_from_slice(&hi);
        if end - start <= LEAF {
            return id;
        }
        // Split the widest dimension at the median, under the total order (value, index).
        let dim = (0..d)
            .max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b])))
            .unwrap_or(0);
        if hi[dim] <= lo[dim] {
            return id; // all points identical: keep a (large) leaf
        }
        let mid = start + (end - start) / 2;
        let pts = &self.pts;
        self.perm[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            pts[a * d + dim]
                .total_cmp(&pts[b * d + dim])
                .then(a.cmp(&b))
        });
        let left = self.build_node(start, mid);
        let right = self.build_node(mid, end);
        self.nodes[id].left = left;
        self.nodes[id].right = right;
        id
    }

    /// Lower bound of the key from `q` to any point of node `id`'s box.
    fn box_bound(&self, id: usize, q: &[f64]) -> f64 {
        let d = self.d;
        let b = &self.boxes[id * 2 * d..(id + 1) * 2 * d];
        let mut s = 0.0;
        for c in 0..d {
            let (lo, hi) = (b[c], b[d + c]);
            let g = if q[c] < lo {
                lo - q[c]
            } else if q[c] > hi {
                q[c] - hi
            } else {
                0.0
            };
            s += g * g;
        }
        s
    }

    fn query(&self, i: usize, heap: &mut [Entry], stack: &mut Vec<usize>) {
        let d = self.d;
        let q = &self.pts[i * d..(i + 1) * d];
        stack.clear();
        stack.push(0);
        while let Some(id) = stack.pop() {
            if self.box_bound(id, q) > heap[0].key {
                continue;
            }
            let node = &self.nodes[id];
            if node.left == usize::MAX {
                for &j in &self.perm[node.start..node.end] {
                    if j == i {
                        continue;
                    }
                    let key = sq_dist_seq(q, &self.pts[j * d..(j + 1) * d]);
                    if key <= heap[0].key {
                        heap_push(heap, Entry { key, idx: j });
                    }
                }
            } else {
                // Nearer child last, so it is popped first.
                let (l, r) = (node.left, node.right);
                if self.box_bound(l, q) <= self.box_bound(r, q) {
                    stack.push(r);
                    stack.push(l);
                } else {
                    stack.push(l);
                    stack.push(r);
                }
            }
        }
    }
}

/// The `ks` smallest `(Σ (x_c − y_c)², index)` pairs of every row, sorted, flat `N·ks`;
/// the point itself takes part with key 0. Same contract and same output as the
/// brute-force `search` with the direct Euclidean kernel.
pub(crate) fn search_kdtree<T: Real>(x: ArrayView2<'_, T>, ks: usize) -> Vec<Entry> {
    let n = x.nrows();
    let tree = Tree::build(x);
    let mut out = sentinel_heap(n, ks);
    out.par_chunks_mut(ks)
        .enumerate()
        .for_each_init(Vec::new, |stack, (i, heap)| {
            heap_push(heap, Entry { key: 0.0, idx: i });
            tree.query(i, heap, stack);
            sort_row(heap);
        });
    out
}
