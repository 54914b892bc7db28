//! Helpers shared by the approximate-index tests (`ann.rs`, `ivf.rs`).

use cl_core::neighbors::KnnGraph;
use ndarray::Array2;

/// Seeded clustered data (20 centres), like embeddings.
pub fn clustered(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1_u64 << 53) as f64 - 0.5
    };
    let centres: Vec<f64> = (0..20 * d).map(|_| 4.0 * next()).collect();
    Array2::from_shape_fn((n, d), |(i, j)| centres[(i % 20) * d + j] + next())
}

/// Fraction of the exact graph's neighbours that the approximate graph found.
pub fn recall(approx: &KnnGraph, exact: &KnnGraph) -> f64 {
    let mut hit = 0;
    for (a, e) in approx
        .indices()
        .rows()
        .into_iter()
        .zip(exact.indices().rows())
    {
        hit += a.iter().filter(|j| e.iter().any(|x| x == *j)).count();
    }
    hit as f64 / exact.indices().len() as f64
}

/// Every row excludes the point itself and is sorted by distance, and a neighbour found by
/// both graphs has the same (exact) distance in both.
pub fn assert_exact_distances(approx: &KnnGraph, exact: &KnnGraph, what: &str) {
    for i in 0..approx.n() {
        assert!(approx.indices().row(i).iter().all(|&j| j != i));
        for (p, &j) in approx.indices().row(i).iter().enumerate() {
            if let Some(q) = exact.indices().row(i).iter().position(|&e| e == j) {
                let (a, b) = (approx.distances()[[i, p]], exact.distances()[[i, q]]);
                assert!(
                    (a - b).abs() <= 1e-12 * a.max(1.0),
                    "{what} {i}->{j}: {a} {b}"
                );
            }
        }
        let d = approx.distances().row(i).to_vec();
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "row {i} not sorted");
    }
}
