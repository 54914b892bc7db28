//! Invariants of `cl_core::neighbors`: row-permutation equivariance, thread-count and tiling
//! invariance, f32 inputs, the CSR round trip, and self-exclusion with many duplicates.

use cl_core::neighbors::{
    CsrGraph, ExactKnn, KnnGraph, KnnOptions, Metric, Tiling, create_knn_graph_and_index,
};
use ndarray::{Array2, ArrayView2};
use proptest::prelude::*;

const METRICS: [Metric; 3] = [Metric::Cosine, Metric::Euclidean, Metric::ScipyEuclidean];

fn graph<T: cl_core::Real>(
    x: ArrayView2<'_, T>,
    k: usize,
    metric: Metric,
    tiling: Tiling,
) -> KnnGraph {
    ExactKnn::new(x, Some(k), Some(metric))
        .expect("index")
        .with_tiling(tiling)
        .knn_graph()
        .expect("graph")
}

/// Data with ties and duplicates (small integers) or without (uniform floats); d up to 12
/// so both Euclidean paths (direct and GEMM filter) run.
fn data() -> impl Strategy<Value = (Array2<f64>, usize)> {
    (3_usize..60, 1_usize..13, any::<bool>()).prop_flat_map(|(n, d, grid)| {
        let cell = if grid {
            (-2_i32..3).prop_map(f64::from).boxed()
        } else {
            (-10.0_f64..10.0).boxed()
        };
        (
            proptest::collection::vec(cell, n * d)
                .prop_map(move |v| Array2::from_shape_vec((n, d), v).expect("shape")),
            1..n,
        )
    })
}

/// Runs of equal distances in a row: `(start, end)` half-open.
fn runs(d: &[f64]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    while s < d.len() {
        let mut e = s + 1;
        while e < d.len() && d[e] == d[s] {
            e += 1;
        }
        out.push((s, e));
        s = e;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Permuting the rows permutes the graph: same distances bit for bit, same neighbour
    /// sets within every run of equal distances except the one reaching the last column
    /// (where which members of a larger tie are kept depends on index order).
    #[test]
    fn graph_is_equivariant_under_row_permutation(
        (x, k) in data(),
        seed in any::<u64>(),
    ) {
        let n = x.nrows();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let mut inv = vec![0; n];
        for (r, &p) in perm.iter().enumerate() {
            inv[p] = r;
        }
        let xp = x.select(ndarray::Axis(0), &perm);
        for metric in METRICS {
            let g = graph(x.view(), k, metric, Tiling::default());
            let gp = graph(xp.view(), k, metric, Tiling::default());
            for (r, &i) in perm.iter().enumerate() {
                let d = g.distances().row(i).to_vec();
                let dp = gp.distances().row(r).to_vec();
                prop_assert_eq!(&d, &dp, "{:?} row {}", metric, i);
                let runs = runs(&d);
                for &(a, b) in &runs[..runs.len() - 1] {
                    let mut want: Vec<usize> = (a..b).map(|p| inv[g.indices()[[i, p]]]).collect();
                    let mut got: Vec<usize> = (a..b).map(|p| gp.indices()[[r, p]]).collect();
                    want.sort_unstable();
                    got.sort_unstable();
                    prop_assert_eq!(want, got, "{:?} row {} run {}..{}", metric, i, a, b);
                }
            }
        }
    }

    /// Identical graphs on 1 and 3 threads, and with tiny tiles against the default tiling.
    #[test]
    fn graph_is_invariant_to_threads_and_tiling(
        (x, k) in data(),
        bq in 1_usize..6,
        br in 1_usize..11,
    ) {
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
        let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().expect("pool");
        let tiny = Tiling::new(bq, br).expect("tiling");
        for metric in METRICS {
            let a = one.install(|| graph(x.view(), k, metric, Tiling::default()));
            let b = three.install(|| graph(x.view(), k, metric, Tiling::default()));
            let c = three.install(|| graph(x.view(), k, metric, tiny));
            let d = one.install(|| graph(x.view(), k, metric, tiny));
            prop_assert_eq!(&a, &b, "{:?}: 1 vs 3 threads", metric);
            prop_assert_eq!(&a, &c, "{:?}: default vs {}×{} tiles", metric, bq, br);
            prop_assert_eq!(&a, &d, "{:?}: tiny tiles, 1 thread", metric);
        }
    }

    /// f32 features give exactly the graph of their f64 widening, and stay close to the
    /// graph of the f64 data they were rounded from: the j-th neighbour distance moves by at
    /// most the largest pairwise change, at most 4·2⁻²⁴·(|x| + |y|)-ish; stated tolerance
    /// 1e-6 (cosine) and 2e-6·(1 + max row norm) (Euclidean).
    #[test]
    fn f32_inputs_match_f64(
        (x, k) in data(),
    ) {
        let x32 = x.mapv(|v| v as f32);
        let widened = x32.mapv(f64::from);
        let max_norm = x.rows().into_iter().map(|r| r.dot(&r).sqrt()).fold(0.0, f64::max);
        for metric in METRICS {
            let g32 = graph(x32.view(), k, metric, Tiling::default());
            let gw = graph(widened.view(), k, metric, Tiling::default());
            prop_assert_eq!(&g32, &gw, "{:?}: f32 vs widened f64", metric);
            let g64 = graph(x.view(), k, metric, Tiling::default());
            let tol = if metric == Metric::Cosine { 1e-6 } else { 2e-6 * (1.0 + max_norm) };
            for (a, b) in g32.distances().iter().zip(g64.distances().iter()) {
                prop_assert!((a - b).abs() <= tol, "{:?}: {} vs {} (tol {})", metric, a, b, tol);
            }
        }
    }

    /// Graph → CSR → graph is the identity, for usize, i64 and i32 index arrays.
    #[test]
    fn csr_round_trip((x, k) in data()) {
        let (g, _) = create_knn_graph_and_index(x.view(), &KnnOptions::default().n_neighbors(k))
            .expect("graph");
        let csr = g.to_csr();
        let n = g.n();
        prop_assert_eq!(csr.shape, (n, n));
        prop_assert_eq!(csr.data.len(), n * k);
        prop_assert_eq!(&KnnGraph::try_from(&csr).expect("back"), &g);
        let i64s: Vec<i64> = csr.indices.iter().map(|&v| v as i64).collect();
        let p64: Vec<i64> = csr.indptr.iter().map(|&v| v as i64).collect();
        prop_assert_eq!(&KnnGraph::from_csr(&csr.data, &i64s, &p64, csr.shape).expect("i64"), &g);
        let i32s: Vec<i32> = csr.indices.iter().map(|&v| v as i32).collect();
        let p32: Vec<i32> = csr.indptr.iter().map(|&v| v as i32).collect();
        prop_assert_eq!(&KnnGraph::from_csr(&csr.data, &i32s, &p32, csr.shape).expect("i32"), &g);
        prop_assert_eq!(CsrGraph::from(&g), csr);
    }
}

/// More than k + 1 identical points: sklearn's rule drops the first column when the point
/// itself is not among the k + 1 nearest (ties by index here), so no row lists itself and
/// every distance is 0.
#[test]
fn self_exclusion_with_many_duplicates() {
    // Rows (1, 0, 0): also exactly cosine distance 0 from each other (all-zero rows would be
    // at cosine distance 1, as in sklearn).
    let mut x = Array2::<f64>::zeros((8, 3));
    x.column_mut(0).fill(1.0);
    for metric in METRICS {
        let g = graph(x.view(), 3, metric, Tiling::default());
        let rows: Vec<Vec<usize>> = g.indices().rows().into_iter().map(|r| r.to_vec()).collect();
        assert_eq!(rows[0], vec![1, 2, 3], "{metric:?}");
        assert_eq!(rows[2], vec![0, 1, 3], "{metric:?}");
        assert_eq!(rows[3], vec![0, 1, 2], "{metric:?}");
        // Point 5 is not among the 4 nearest (0, 1, 2, 3): the first column goes.
        assert_eq!(rows[5], vec![1, 2, 3], "{metric:?}");
        assert!(g.distances().iter().all(|&d| d == 0.0));
    }
}
