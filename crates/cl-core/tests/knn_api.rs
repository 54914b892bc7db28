//! Validation and API behaviour of `cl_core::neighbors`: malformed CSR graphs, bad
//! features and parameters, the `NeighborIndex` trait.

use cl_core::CoreError;
use cl_core::neighbors::{
    ExactKnn, KnnGraph, KnnOptions, Metric, RowOrder, construct_knn_graph_from_index,
    correct_knn_graph, create_knn_graph_and_index, features_to_knn, resolve_n_neighbors,
};
use cl_core::traits::NeighborIndex;
use ndarray::{Array2, array};

fn csr(
    data: &[f64],
    indices: &[i64],
    indptr: &[i64],
    shape: (usize, usize),
) -> Result<KnnGraph, CoreError> {
    KnnGraph::from_csr(data, indices, indptr, shape)
}

#[test]
fn malformed_csr_is_rejected_with_typed_errors() {
    let ok = csr(&[1.0, 2.0, 1.0, 3.0], &[1, 2, 0, 2], &[0, 2, 4], (2, 3));
    assert!(matches!(ok, Err(CoreError::MalformedCsr { .. })), "{ok:?}");
    let ok = csr(&[1.0, 1.0], &[1, 0], &[0, 1, 2], (2, 2)).expect("valid");
    assert_eq!(ok.indices(), &array![[1], [0]]);

    for (data, indices, indptr, what) in [
        (vec![1.0, 1.0], vec![1, 0], vec![0, 1], "short indptr"),
        (
            vec![1.0, 1.0],
            vec![1],
            vec![0, 1, 2],
            "data/indices lengths",
        ),
        (vec![1.0, 1.0], vec![1, 0], vec![1, 1, 2], "indptr[0] != 0"),
        (
            vec![1.0, 1.0],
            vec![1, 0],
            vec![0, 2, 1],
            "decreasing indptr",
        ),
        (
            vec![1.0, 1.0],
            vec![1, 0],
            vec![0, 1, 3],
            "indptr[N] != nnz",
        ),
        (
            vec![1.0, 1.0],
            vec![1, 0],
            vec![0, -1, 2],
            "negative indptr",
        ),
    ] {
        let r = csr(&data, &indices, &indptr, (2, 2));
        assert!(
            matches!(r, Err(CoreError::MalformedCsr { .. })),
            "{what}: {r:?}"
        );
    }
    assert_eq!(
        csr(&[1.0, 2.0, 1.0], &[1, 2, 0], &[0, 2, 3, 3], (3, 3)),
        Err(CoreError::RaggedKnnGraph {
            row: 1,
            found: 1,
            expected: 2
        })
    );
    assert_eq!(
        csr(&[1.0, 1.0], &[1, 2], &[0, 1, 2], (2, 2)),
        Err(CoreError::NeighborIndexOutOfRange {
            row: 1,
            position: 0,
            index: 2,
            n: 2
        })
    );
    assert!(matches!(
        csr(&[1.0, 1.0], &[-1, 0], &[0, 1, 2], (2, 2)),
        Err(CoreError::NeighborIndexOutOfRange { index: -1, .. })
    ));
    assert!(matches!(
        csr(&[f64::NAN, 1.0], &[1, 0], &[0, 1, 2], (2, 2)),
        Err(CoreError::NonFinite { row: 0, .. })
    ));
    assert!(matches!(
        csr(&[1.0, -0.5], &[1, 0], &[0, 1, 2], (2, 2)),
        Err(CoreError::OutOfRange { row: 1, .. })
    ));
    assert!(matches!(
        csr(&[], &[], &[0, 0, 0], (2, 2)),
        Err(CoreError::Empty { .. })
    ));
    assert!(matches!(
        csr(&[], &[], &[0], (0, 0)),
        Err(CoreError::Empty { .. })
    ));
}

#[test]
fn unsorted_rows_are_rejected_or_sorted_stably() {
    let data = [0.5, 0.2, 0.2, 0.1, 0.3, 0.3];
    let indices = [1_usize, 2, 0, 2, 0, 1];
    let indptr = [0_usize, 2, 4, 6];
    assert_eq!(
        KnnGraph::from_csr(&data, &indices, &indptr, (3, 3)),
        Err(CoreError::UnsortedKnnRow {
            row: 0,
            position: 1,
            distance: 0.2,
            previous: 0.5
        })
    );
    let g =
        KnnGraph::from_csr_with(&data, &indices, &indptr, (3, 3), RowOrder::Sort).expect("sorted");
    assert_eq!(g.indices(), &array![[2, 1], [2, 0], [0, 1]]);
    assert_eq!(g.distances(), &array![[0.2, 0.5], [0.1, 0.2], [0.3, 0.3]]);
    let f32_data: Vec<f32> = vec![0.25, 0.5, 0.25, 0.5];
    let g =
        KnnGraph::from_csr(&f32_data, &[1_i32, 0, 0, 1], &[0_i32, 2, 4], (2, 2)).expect("f32 data");
    assert_eq!(g.distances(), &array![[0.25, 0.5], [0.25, 0.5]]);
}

#[test]
fn from_parts_checks_invariants() {
    assert!(KnnGraph::from_parts(array![[1], [0]], array![[1.0], [1.0]]).is_ok());
    assert!(matches!(
        KnnGraph::from_parts(array![[1], [0]], array![[1.0, 2.0], [1.0, 2.0]]),
        Err(CoreError::Shape { .. })
    ));
    assert!(matches!(
        KnnGraph::from_parts(array![[1], [5]], array![[1.0], [1.0]]),
        Err(CoreError::NeighborIndexOutOfRange {
            row: 1,
            index: 5,
            ..
        })
    ));
    assert!(matches!(
        KnnGraph::from_parts(Array2::zeros((2, 0)), Array2::zeros((2, 0))),
        Err(CoreError::Empty { .. })
    ));
    assert!(matches!(
        KnnGraph::from_parts(array![[1], [0]], array![[f64::INFINITY], [1.0]]),
        Err(CoreError::NonFinite { .. })
    ));
}

#[test]
fn features_and_parameters_are_validated() {
    let x = array![[0.0, 1.0], [f64::NAN, 2.0], [3.0, 4.0]];
    match features_to_knn(x.view(), None, None) {
        Err(CoreError::NonFinite {
            what: "features",
            row: 1,
            col: 0,
            value,
        }) => assert!(value.is_nan()),
        other => panic!("expected NonFinite, got {other:?}"),
    }
    let empty = Array2::<f64>::zeros((0, 3));
    assert!(matches!(
        features_to_knn(empty.view(), None, None),
        Err(CoreError::Empty { .. })
    ));
    let no_cols = Array2::<f64>::zeros((3, 0));
    assert!(matches!(
        features_to_knn(no_cols.view(), None, None),
        Err(CoreError::Shape { .. })
    ));
    assert_eq!(resolve_n_neighbors(None, 5), Ok(4));
    assert_eq!(resolve_n_neighbors(Some(0), 50), Ok(10));
    assert_eq!(resolve_n_neighbors(Some(3), 50), Ok(3));
    assert!(resolve_n_neighbors(Some(5), 5).is_err());
    assert!(resolve_n_neighbors(None, 1).is_err());
    let x = array![[0.0], [1.0], [3.0]];
    let index = features_to_knn(x.view(), None, None).expect("index");
    assert!(index.neighbors(0).is_err());
    assert!(index.neighbors(3).is_err());
    assert!("manhattan".parse::<Metric>().is_err());
    for m in [Metric::Cosine, Metric::Euclidean, Metric::ScipyEuclidean] {
        assert_eq!(m.to_string().parse::<Metric>(), Ok(m));
    }
    assert_eq!(Metric::ScipyEuclidean.name(), "euclidean");
    assert_eq!(Metric::decide_default(101, 3), Metric::Euclidean);
    assert_eq!(Metric::decide_default(100, 3), Metric::ScipyEuclidean);
    assert_eq!(Metric::decide_default(5, 4), Metric::Cosine);
}

#[test]
fn index_works_through_the_trait() {
    let x = array![[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [5.0, 5.0]];
    let index = ExactKnn::new(x.view(), Some(2), None).expect("index");
    let dynamic: &dyn NeighborIndex = &index;
    assert_eq!(dynamic.len(), 5);
    assert!(!dynamic.is_empty());
    assert_eq!(dynamic.n_neighbors(), 2);
    let raw =
        construct_knn_graph_from_index::<dyn NeighborIndex, f64>(dynamic, None).expect("raw graph");
    assert_eq!(raw, index.knn_graph().expect("graph"));
    let corrected = construct_knn_graph_from_index(&index, Some(x.view())).expect("corrected");
    assert_eq!(
        corrected,
        correct_knn_graph(x.view(), &raw).expect("corrected")
    );
    let (created, _) =
        create_knn_graph_and_index(x.view(), &KnnOptions::default().n_neighbors(2)).expect("g");
    assert_eq!(created, corrected);
    let (uncorrected, _) = create_knn_graph_and_index(
        x.view(),
        &KnnOptions::default()
            .n_neighbors(2)
            .correct_exact_duplicates(false),
    )
    .expect("g");
    assert_eq!(uncorrected, raw);
    assert_eq!(corrected.indices().row(4).to_vec(), vec![3, 0]);
    let wrong_rows = Array2::<f64>::zeros((4, 2));
    assert!(matches!(
        correct_knn_graph(wrong_rows.view(), &raw),
        Err(CoreError::Shape { .. })
    ));
}

#[test]
fn kneighbors_queries_include_the_point_itself() {
    let mut rng = cl_core::rng::NumpyRng::new(7);
    let x = Array2::from_shape_fn((60, 5), |_| rng.standard_normal());
    for metric in [Metric::Cosine, Metric::Euclidean, Metric::ScipyEuclidean] {
        let index = ExactKnn::new(x.view(), Some(4), Some(metric)).expect("index");
        let graph = index.knn_graph().expect("graph");
        let (idx, dist) = index.kneighbors(x.view(), 5).expect("query");
        for i in 0..60 {
            assert_eq!(idx[[i, 0]], i, "{metric}: row {i} finds itself first");
            assert!(
                dist[[i, 0]] < 1e-12,
                "{metric}: self distance {}",
                dist[[i, 0]]
            );
            for j in 0..4 {
                assert_eq!(
                    idx[[i, j + 1]],
                    graph.indices()[[i, j]],
                    "{metric} ({i}, {j})"
                );
                assert_eq!(
                    dist[[i, j + 1]],
                    graph.distances()[[i, j]],
                    "{metric} ({i}, {j})"
                );
            }
        }
        // New points: every returned distance is the exact distance, nearest first, and f32
        // queries give the result of their f64 widening.
        let q32 = Array2::from_shape_fn((7, 5), |_| rng.standard_normal() as f32);
        let q64 = q32.mapv(f64::from);
        let (i32_, d32) = index.kneighbors(q32.view(), 6).expect("f32 query");
        let (i64_, d64) = index.kneighbors(q64.view(), 6).expect("f64 query");
        assert_eq!((i32_.clone(), d32), (i64_, d64.clone()));
        for r in 0..7 {
            assert!(d64.row(r).windows(2).into_iter().all(|w| w[0] <= w[1]));
        }
    }
    let index = ExactKnn::new(x.view(), Some(4), None).expect("index");
    let wrong = Array2::<f64>::zeros((2, 3));
    assert!(matches!(
        index.kneighbors(wrong.view(), 2),
        Err(CoreError::Shape { .. })
    ));
    assert!(index.kneighbors(x.view(), 0).is_err());
    assert!(index.kneighbors(x.view(), 61).is_err());
    assert!(index.kneighbors(x.view(), 60).is_ok());
    let nan = Array2::from_elem((1, 5), f64::NAN);
    assert!(matches!(
        index.kneighbors(nan.view(), 1),
        Err(CoreError::NonFinite { .. })
    ));
}
