//! The approximate index (cargo feature `ann`): recall against the exact index, exact
//! distances for the neighbours it finds, reproducible builds.
#![cfg(feature = "ann")]

use cl_core::neighbors::ann::{AnnOptions, ApproxKnn};
use cl_core::neighbors::{ExactKnn, KnnGraph, Metric};
use cl_core::traits::NeighborIndex;
use ndarray::Array2;

/// Seeded clustered data (20 centres), like embeddings.
fn clustered(n: usize, d: usize, seed: u64) -> Array2<f64> {
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

fn recall(approx: &KnnGraph, exact: &KnnGraph) -> f64 {
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

#[test]
fn approximate_graph_has_high_recall_and_exact_distances() {
    let x = clustered(3000, 32, 7);
    for metric in [Metric::Cosine, Metric::Euclidean] {
        let exact = ExactKnn::new(x.view(), Some(10), Some(metric))
            .and_then(|i| i.knn_graph())
            .expect("exact");
        let index =
            ApproxKnn::new(x.view(), Some(10), Some(metric), &AnnOptions::default()).expect("ann");
        let approx = index.self_neighbors(10).expect("graph");
        let r = recall(&approx, &exact);
        assert!(r >= 0.95, "{metric:?}: recall@10 {r}");
        // A neighbour found by both has the same (exact) distance.
        for i in 0..x.nrows() {
            assert!(approx.indices().row(i).iter().all(|&j| j != i));
            for (p, &j) in approx.indices().row(i).iter().enumerate() {
                if let Some(q) = exact.indices().row(i).iter().position(|&e| e == j) {
                    let (a, b) = (approx.distances()[[i, p]], exact.distances()[[i, q]]);
                    assert!(
                        (a - b).abs() <= 1e-12 * a.max(1.0),
                        "{metric:?} {i}->{j}: {a} {b}"
                    );
                }
            }
            let d = approx.distances().row(i).to_vec();
            assert!(d.windows(2).all(|w| w[0] <= w[1]), "row {i} not sorted");
        }
    }
}

#[test]
fn sequential_build_is_reproducible_across_thread_counts() {
    let x = clustered(1500, 16, 9).mapv(|v| v as f32);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .expect("pool");
    let run = |pool: &rayon::ThreadPool| {
        pool.install(|| {
            ApproxKnn::new(x.view(), None, None, &AnnOptions::default())
                .and_then(|i| i.self_neighbors(10))
                .expect("graph")
        })
    };
    assert_eq!(run(&one), run(&three));
    let idx = ApproxKnn::new(x.view(), Some(3), None, &AnnOptions::default()).expect("ann");
    assert_eq!(idx.n_neighbors(), 3);
    assert_eq!(idx.len(), 1500);
    assert!(idx.self_neighbors(1500).is_err());
}
