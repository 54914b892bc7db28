//! Exact duplicates: grouping identical feature rows, and cleanlab's correction that makes
//! their neighbourhoods canonical.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::graph::KnnGraph;
use crate::error::{CoreError, Result};
use crate::float::Real;

fn row_hash<T: Real>(row: ndarray::ArrayView1<'_, T>) -> u64 {
    // splitmix64-style mixing of the widened bit patterns (−0.0 hashed as +0.0, since the
    // two compare equal).
    let mut h: u64 = 0x243F_6A88_85A3_08D3;
    for v in row {
        let f = v.to_f64x();
        let bits = if f == 0.0 { 0 } else { f.to_bits() };
        h ^= bits;
        h = h.wrapping_add(0x9E37_79B9_7F4A_7C15);
        h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^= h >> 31;
    }
    h
}

fn rows_equal<T: Real>(x: ArrayView2<'_, T>, a: usize, b: usize) -> bool {
    x.row(a).iter().zip(x.row(b).iter()).all(|(u, v)| u == v)
}

/// Groups of identical feature rows (cleanlab's `_compute_exact_duplicate_sets`, which uses
/// `np.unique(features, axis=0)`): every group with at least two members, each sorted
/// ascending; groups ordered by their smallest member (cleanlab orders them by the
/// lexicographic order of the rows; the correction does not depend on the order).
///
/// Rows are equal when all their values compare equal (so `-0.0` equals `0.0`, and a row
/// holding NaN equals nothing).
pub fn exact_duplicate_sets<T: Real>(features: ArrayView2<'_, T>) -> Vec<Vec<usize>> {
    let n = features.nrows();
    let hashes: Vec<u64> = (0..n)
        .into_par_iter()
        .map(|i| row_hash(features.row(i)))
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.par_sort_unstable_by_key(|&i| (hashes[i], i));
    let mut sets = Vec::new();
    let mut start = 0;
    while start < n {
        let h = hashes[order[start]];
        let mut end = start + 1;
        while end < n && hashes[order[end]] == h {
            end += 1;
        }
        if end - start >= 2 {
            // Split a hash bucket (ascending indices) into classes of equal rows.
            let mut remaining: Vec<usize> = order[start..end].to_vec();
            while let Some(&rep) = remaining.first() {
                let (same, rest): (Vec<usize>, Vec<usize>) = remaining
                    .iter()
                    .partition(|&&j| rows_equal(features, rep, j));
                if same.len() >= 2 {
                    sets.push(same);
                }
                remaining = rest;
            }
        }
        start = end;
    }
    sets.sort_unstable_by_key(|s| s[0]);
    sets
}

impl KnnGraph {
    /// cleanlab's exact-duplicate correction
    /// (`correct_knn_distances_and_indices_with_exact_duplicate_sets_inplace`), in place.
    ///
    /// For each set D of identical points (sorted ascending, size m ≥ 2) and s = min(m − 1, k):
    ///
    /// * m ≥ k + 1: point `D[i]`, i ≤ k, gets the other k members of `D[0..=k]` (ascending),
    ///   every later member gets `D[0..k]`, all at distance 0;
    /// * m ≤ k: each member gets the other m − 1 members (ascending, distance 0) in its first
    ///   s slots, then the first k − s entries of its current row that are not in D, in their
    ///   current order and with their current distances. If the row holds fewer than k − s
    ///   such entries (only possible when it lists the point itself or repeats an index), the
    ///   remaining slots take its D members in their current order, with their current
    ///   distances, as cleanlab does; that is the one case where a corrected row may not be
    ///   sorted by distance.
    ///
    /// Sets of fewer than two members are ignored; each set is sorted before use. Errors if
    /// a set holds an index outside `0..N`.
    pub fn correct_exact_duplicates(&mut self, sets: &[Vec<usize>]) -> Result<()> {
        let n = self.n();
        let k = self.k();
        let (indices, distances) = self.parts_mut();
        let mut cur_i = vec![0_usize; k];
        let mut cur_d = vec![0.0_f64; k];
        let mut new_i = Vec::with_capacity(k);
        let mut new_d = Vec::with_capacity(k);
        for set in sets {
            if let Some(&bad) = set.iter().find(|&&v| v >= n) {
                return Err(CoreError::InvalidParameter {
                    name: "exact_duplicate_sets",
                    reason: format!("index {bad} is outside 0..{n}"),
                });
            }
            if set.len() < 2 {
                continue;
            }
            let mut d: Vec<usize> = set.clone();
            d.sort_unstable();
            let m = d.len();
            if m > k {
                for (pos, &r) in d.iter().enumerate() {
                    let head: &[usize] = if pos <= k { &d[..=k] } else { &d[..k] };
                    let mut slot = 0;
                    for &o in head {
                        if o != r && slot < k {
                            indices[[r, slot]] = o;
                            distances[[r, slot]] = 0.0;
                            slot += 1;
                        }
                    }
                }
                continue;
            }
            let s = m - 1;
            for &r in &d {
                for p in 0..k {
                    cur_i[p] = indices[[r, p]];
                    cur_d[p] = distances[[r, p]];
                }
                new_i.clear();
                new_d.clear();
                for &o in &d {
                    if o != r {
                        new_i.push(o);
                        new_d.push(0.0);
                    }
                }
                let in_d = |v: usize| d.binary_search(&v).is_ok();
                for want_member in [false, true] {
                    for p in 0..k {
                        if new_i.len() == k {
                            break;
                        }
                        if in_d(cur_i[p]) == want_member {
                            new_i.push(cur_i[p]);
                            new_d.push(cur_d[p]);
                        }
                    }
                }
                debug_assert_eq!(new_i.len(), k);
                debug_assert!(s <= k);
                for p in 0..k {
                    indices[[r, p]] = new_i[p];
                    distances[[r, p]] = new_d[p];
                }
            }
        }
        Ok(())
    }
}
