//! The inverted-file approximate index (cargo feature `ivf`): recall against the exact
//! index, exact distances for the neighbours it finds, thread-count invariance, errors.
#![cfg(feature = "ivf")]

use cl_core::neighbors::ivf::{IvfKnn, IvfOptions};
use cl_core::neighbors::{ExactKnn, Metric};
use cl_core::traits::NeighborIndex;
mod approx_common;

use approx_common::{assert_exact_distances, clustered, recall};

#[test]
fn ivf_graph_has_high_recall_and_exact_distances() {
    let x = clustered(4000, 32, 7);
    for metric in [Metric::Cosine, Metric::Euclidean] {
        let exact = ExactKnn::new(x.view(), Some(10), Some(metric))
            .and_then(|i| i.knn_graph())
            .expect("exact");
        let index =
            IvfKnn::new(x.view(), Some(10), Some(metric), &IvfOptions::default()).expect("ivf");
        assert_eq!((index.nlist(), index.nprobe()), (64, 16));
        let approx = index.self_neighbors(10).expect("graph");
        let r = recall(&approx, &exact);
        assert!(r >= 0.95, "{metric:?}: recall@10 {r}");
        assert_exact_distances(&approx, &exact, &format!("{metric:?}"));
        // Probing every cell is the exact search.
        let all = IvfKnn::new(
            x.view(),
            Some(10),
            Some(metric),
            &IvfOptions::default().nlist(16).nprobe(16),
        )
        .and_then(|i| i.self_neighbors(10))
        .expect("all cells");
        assert_eq!(all, exact, "{metric:?}: nprobe = nlist");
    }
}

#[test]
fn ivf_is_the_same_for_every_thread_count() {
    let x = clustered(2500, 16, 9).mapv(|v| v as f32);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                IvfKnn::new(x.view(), None, None, &IvfOptions::default().nprobe(4))
                    .and_then(|i| i.self_neighbors(7))
                    .expect("graph")
            })
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn ivf_rejects_bad_parameters() {
    let x = clustered(100, 4, 1);
    for opts in [
        IvfOptions::default().nlist(0),
        IvfOptions::default().nprobe(0),
        IvfOptions::default().iterations(0),
        IvfOptions::default().train_per_cell(0),
    ] {
        assert!(
            IvfKnn::new(x.view(), None, None, &opts).is_err(),
            "{opts:?}"
        );
    }
    let index = IvfKnn::new(x.view(), None, None, &IvfOptions::default()).expect("index");
    assert!(index.self_neighbors(0).is_err());
    assert!(index.self_neighbors(100).is_err());
    let mut bad = x.clone();
    bad[[3, 1]] = f64::NAN;
    assert!(IvfKnn::new(bad.view(), None, None, &IvfOptions::default()).is_err());
    // Cells smaller than k + 1 borrow neighbouring cells until there are enough points.
    let g = IvfKnn::new(
        x.view(),
        None,
        None,
        &IvfOptions::default().nlist(50).nprobe(1),
    )
    .and_then(|i| i.self_neighbors(20))
    .expect("graph");
    assert_eq!(g.k(), 20);
}
