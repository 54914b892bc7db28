"""Golden cases for cl_core::neighbors (cleanlab.internal.neighbor): kNN graphs.

Each `graph_*` case runs cleanlab's `features_to_knn(features, n_neighbors=k, metric=m)`,
then `construct_knn_graph_from_index(knn)` (raw graph) and
`construct_knn_graph_from_index(knn, correction_features=features)` (exact-duplicate
correction), on seeded data: cosine (d > 3), scipy's Euclidean (d <= 3, N <= 100),
sklearn's Euclidean (d <= 3, N > 100; and an explicit metric), f64 and f32, k of 1, 5, 10,
duplicate-heavy inputs, N around the 100-row threshold. sklearn's tie order is unspecified,
so the Rust test compares tied neighbours as sets.

`correct_*` cases run `correct_knn_distances_and_indices` on hand-made graphs;
`precision_*` cases run `internal.outlier.correct_precision_errors`; `error_*` cases hold
cleanlab's exception.
"""

import warnings

import numpy as np
from cleanlab.internal.neighbor import knn_graph as kg
from cleanlab.internal.outlier import correct_precision_errors

from golden_common import Writer

warnings.filterwarnings("ignore")
w = Writer("knn")


def metric_name(knn):
    m = knn.metric
    return m if isinstance(m, str) else "scipy_euclidean"


def graph_case(name, X, k=None, metric=None):
    knn = kg.features_to_knn(X, n_neighbors=k, metric=metric)
    raw = kg.construct_knn_graph_from_index(knn)
    cor = kg.construct_knn_graph_from_index(knn, correction_features=X)
    n = X.shape[0]
    kk = knn.n_neighbors
    assert raw.shape == (n, n) and raw.nnz == n * kk
    assert np.array_equal(raw.indptr, np.arange(0, n * kk + 1, kk))
    sets = sorted(sorted(int(i) for i in s) for s in kg._compute_exact_duplicate_sets(X))
    w.case(
        name,
        inputs={"features": X},
        params={"n_neighbors": k, "metric": metric, "dtype": str(X.dtype)},
        outputs={
            "metric": metric_name(knn),
            "k": kk,
            "raw_indices": raw.indices.reshape(n, kk).astype(np.int64),
            "raw_distances": raw.data.reshape(n, kk),
            "corrected_indices": cor.indices.reshape(n, kk).astype(np.int64),
            "corrected_distances": cor.data.reshape(n, kk),
            "indptr": raw.indptr.astype(np.int64),
            "duplicate_sets": sets,
            "distance_dtype": str(raw.data.dtype),
        },
    )


def gauss(seed, n, d, dtype=np.float64, scale=1.0):
    rng = np.random.RandomState(seed)
    return (rng.randn(n, d) * scale).astype(dtype)


def clustered(seed, n, d, centers=5, spread=0.3, dtype=np.float64):
    rng = np.random.RandomState(seed)
    c = rng.randn(centers, d) * 3
    lab = rng.randint(0, centers, n)
    return (c[lab] + spread * rng.randn(n, d)).astype(dtype)


def grid(seed, n, d, values=3):
    """Integer points: many exact duplicates and many exactly tied distances."""
    rng = np.random.RandomState(seed)
    return rng.randint(0, values, size=(n, d)).astype(np.float64)


def prototypes(seed, n, d, m, scaled=0, zero_rows=0):
    """Rows drawn from m prototypes (exact duplicates), some scaled copies (cosine distance
    ~0 without being duplicates) and some all-zero rows (cosine distance 1 to everything)."""
    rng = np.random.RandomState(seed)
    p = rng.randn(m, d)
    X = p[rng.randint(0, m, n)].copy()
    for i in rng.choice(n, scaled, replace=False):
        X[i] *= 2.0
    if zero_rows:
        X[rng.choice(n, zero_rows, replace=False)] = 0.0
    return X


# --- cosine (d > 3) ---
for k in (1, 5, 10):
    graph_case(f"graph_cos_gauss_n200_d8_k{k}_f64", gauss(1, 200, 8), k)
graph_case("graph_cos_clustered_n300_d16_kdef_f64", clustered(2, 300, 16))
graph_case("graph_cos_gauss_n200_d8_k10_f32", gauss(1, 200, 8, np.float32), 10)
graph_case("graph_cos_clustered_n250_d32_k5_f32", clustered(3, 250, 32, dtype=np.float32), 5)
graph_case("graph_cos_gauss_n40_d5_k20_f64", gauss(4, 40, 5), 20)  # k >= N // 2
graph_case("graph_cos_small_n8_d4_kdef_f64", gauss(5, 8, 4))  # k = min(10, N - 1) = 7
graph_case("graph_cos_gauss_n30_d6_k29_f64", gauss(6, 30, 6), 29)  # k = N - 1
for k in (1, 5, 10):
    graph_case(f"graph_cos_dups_n150_d6_k{k}_f64", prototypes(7, 150, 6, 25, scaled=6), k)
graph_case("graph_cos_dups_zero_rows_n120_d5_k5_f64", prototypes(8, 120, 5, 40, zero_rows=4), 5)
graph_case("graph_cos_dups_big_groups_n100_d4_k10_f64", prototypes(9, 100, 4, 4), 10)
graph_case("graph_cos_dups_n150_d6_k5_f32", prototypes(7, 150, 6, 25).astype(np.float32), 5)

# --- Euclidean, d <= 3: scipy's callable for N <= 100, sklearn's "euclidean" above ---
for n in (99, 100, 101):
    graph_case(f"graph_euc_gauss_n{n}_d3_kdef_f64", gauss(10 + n, n, 3))
for k in (1, 5, 10):
    graph_case(f"graph_euc_gauss_n80_d2_k{k}_f64", gauss(11, 80, 2), k)
    graph_case(f"graph_euc_gauss_n300_d3_k{k}_f64", gauss(12, 300, 3), k)
graph_case("graph_euc_scales_n80_d3_k10_f64", gauss(13, 80, 3) * np.array([1000.0, 1.0, 0.001]), 10)
graph_case("graph_euc_gauss_n500_d1_k5_f64", gauss(14, 500, 1), 5)
graph_case("graph_euc_gauss_n20_d3_k10_f64", gauss(15, 20, 3), 10)  # brute callable
graph_case("graph_euc_gauss_n80_d3_k10_f32", gauss(16, 80, 3, np.float32), 10)
graph_case("graph_euc_gauss_n300_d2_k5_f32", gauss(17, 300, 2, np.float32), 5)
graph_case("graph_euc_gauss_n20_d3_k10_f32", gauss(18, 20, 3, np.float32), 10)  # f32 brute callable
for k in (1, 5, 10):
    graph_case(f"graph_euc_grid_n150_d2_k{k}_f64", grid(19, 150, 2, values=4), k)
graph_case("graph_euc_grid_n90_d3_k10_f64", grid(20, 90, 3), 10)
graph_case("graph_euc_grid_n60_d2_k5_f64", grid(21, 60, 2, values=2), 5)  # groups > k + 1

# --- explicit metrics ---
graph_case("graph_explicit_euclidean_n150_d5_k5_f64", gauss(22, 150, 5), 5, "euclidean")  # kd-tree
graph_case("graph_explicit_euclidean_n150_d20_k5_f64", clustered(23, 150, 20), 5, "euclidean")  # brute
graph_case("graph_explicit_cosine_n120_d2_k5_f64", gauss(24, 120, 2), 5, "cosine")

# --- errors ---
w.case("error_k_equals_n", inputs={"features": gauss(25, 5, 2)}, params={"n_neighbors": 5},
       outputs={"error": w.error_of(lambda: kg.features_to_knn(gauss(25, 5, 2), n_neighbors=5))})
w.case("error_single_row", inputs={"features": gauss(26, 1, 2)}, params={"n_neighbors": None},
       outputs={"error": w.error_of(lambda: kg.features_to_knn(gauss(26, 1, 2)))})

# --- the correction on hand-made graphs ---
Xc = np.array([[0, 0], [0, 0], [1, 1], [2, 2], [3, 3], [4, 4]], dtype=float)
hand = {
    # row 0 lists itself: fewer non-duplicate entries than slots
    "self_listed": (
        [[0.5, 0.7, 0.9], [0, 1, 2], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]],
        [[0, 1, 2], [0, 2, 3], [0, 1, 3], [0, 1, 2], [0, 1, 2], [0, 1, 2]],
    ),
    "self_listed_first": (
        [[0.5, 0.7, 0.9], [0, 1, 2], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]],
        [[1, 0, 2], [0, 2, 3], [0, 1, 3], [0, 1, 2], [0, 1, 2], [0, 1, 2]],
    ),
    "plain": (
        [[0, 1.4, 2.8], [0, 1.4, 2.8], [1.4, 1.4, 1.4], [1.4, 2.8, 2.8], [1.4, 2.8, 2.8], [1.4, 2.8, 4.2]],
        [[1, 2, 3], [0, 2, 3], [1, 3, 0], [2, 4, 1], [3, 5, 2], [4, 3, 2]],
    ),
}
for name, (D, I) in hand.items():
    D = np.array(D, dtype=float)
    I = np.array(I, dtype=np.int64)
    d2, i2 = kg.correct_knn_distances_and_indices(Xc, D.copy(), I.copy())
    w.case(f"correct_{name}", inputs={"features": Xc, "distances": D, "indices": I},
           outputs={"distances": d2, "indices": i2.astype(np.int64)})
Xk1 = Xc
D = np.array([[0.0], [0], [1], [1], [1], [1]])
I = np.array([[2], [0], [1], [2], [3], [4]], dtype=np.int64)
d2, i2 = kg.correct_knn_distances_and_indices(Xk1, D.copy(), I.copy())
w.case("correct_k1", inputs={"features": Xk1, "distances": D, "indices": I},
       outputs={"distances": d2, "indices": i2.astype(np.int64)})

# --- precision correction ---
eps = np.finfo(np.float64)
tol_c = 100 * eps.epsneg
tol_e = np.sqrt(100 * eps.eps)
avg = np.array([tol_c, np.nextafter(tol_c, 0), 0.0, 1.0, tol_e, np.nextafter(tol_e, 0), 1e-5, 3e-5])
for metric, p in (("cosine", None), ("euclidean", None), ("manhattan", None), ("minkowski", 3)):
    s = np.full(avg.shape, 0.25)
    out = correct_precision_errors(s.copy(), avg, metric, p=p)
    w.case(f"precision_{metric}", inputs={"scores": s, "avg_distances": avg},
           params={"metric": metric, "p": p}, outputs={"scores": out})
w.case("precision_minkowski_no_p", inputs={"scores": np.full(2, 0.5), "avg_distances": np.zeros(2)},
       params={"metric": "minkowski", "p": None},
       outputs={"error": w.error_of(lambda: correct_precision_errors(np.full(2, 0.5), np.zeros(2), "minkowski"))})

w.done()
