//! The approximate index (cargo feature `ann`): recall against the exact index, exact
//! distances for the neighbours it finds, reproducible builds.
#![cfg(feature = "ann")]

use cl_core::neighbors::ann::{AnnOptions, ApproxKnn};
use cl_core::neighbors::{ExactKnn, Metric};
use cl_core::traits::NeighborIndex;
mod approx_common;

use approx_common::{assert_exact_distances, clustered, recall};

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
        assert_exact_distances(&approx, &exact, &format!("{metric:?}"));
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
