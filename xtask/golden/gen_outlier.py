"""Golden cases for cl-outlier (cleanlab.outlier.OutOfDistribution, cleanlab.data_valuation).

* `feat_*`: `OutOfDistribution(params).fit_score(features=X)` on seeded data (cosine for
  d > 3, scipy's Euclidean for d <= 3 and N <= 100, sklearn's Euclidean above), f64 and
  f32, default and explicit k, k = N - 1, several t, duplicate-heavy inputs (exact
  duplicates score exactly 1 through the precision correction). Outputs: scores and the
  scaling factor; `k_used` is the index's n_neighbors.
* `fitscore_*`: `fit(features=A)` then `score(features=B)` (B holds fresh points and exact
  copies of rows of A) and `score(features=A)` (each point finds itself at distance 0).
* `knn_*`: a user-supplied sklearn `NearestNeighbors` (fitted, or not fitted yet) with
  `k` None / smaller / larger than its n_neighbors (capped, with a warning).
* `pp_*`: `fit_score(pred_probs, labels)` / `fit` + `score` on another set, methods
  entropy and least_confidence, adjust_pred_probs on and off, given thresholds, f64 and
  f32 pred_probs.
* `shapley_*`: `data_shapley_knn(labels, features=X | knn_graph=G, k)`, including
  duplicate-heavy features and a given graph with more stored neighbours than k.
* `error_*`: cleanlab's exception.
"""

import os
import warnings

import scipy.sparse

import numpy as np
from cleanlab.data_valuation import data_shapley_knn
from cleanlab.internal.neighbor.knn_graph import create_knn_graph_and_index
from cleanlab.outlier import OutOfDistribution
from sklearn.neighbors import NearestNeighbors

from golden_common import Writer

warnings.filterwarnings("ignore")
w = Writer("outlier")


def gauss(seed, n, d, dtype=np.float64, scale=1.0):
    rng = np.random.RandomState(seed)
    return (rng.randn(n, d) * scale).astype(dtype)


def clustered(seed, n, d, centers=5, spread=0.3, dtype=np.float64):
    rng = np.random.RandomState(seed)
    c = rng.randn(centers, d) * 3
    lab = rng.randint(0, centers, n)
    return (c[lab] + spread * rng.randn(n, d)).astype(dtype), lab


def prototypes(seed, n, d, m):
    """Rows drawn from m prototypes: many exact duplicates (groups larger than k + 1 too)."""
    rng = np.random.RandomState(seed)
    p = rng.randn(m, d)
    lab = rng.randint(0, m, n)
    return p[lab].copy(), lab


def grid(seed, n, d, values=3):
    rng = np.random.RandomState(seed)
    return rng.randint(0, values, size=(n, d)).astype(np.float64)


def metric_name(knn):
    m = knn.metric
    return m if isinstance(m, str) else "scipy_euclidean"


def feat_case(name, X, **params):
    ood = OutOfDistribution(dict(params))
    scores = ood.fit_score(features=X, verbose=False)
    knn = ood.params["knn"]
    w.case(
        name,
        inputs={"features": X},
        params={"k": params.get("k"), "t": params.get("t", 1), "dtype": str(X.dtype)},
        outputs={
            "scores": scores,
            "scaling_factor": ood.params["scaling_factor"],
            "k_used": knn.n_neighbors,
            "metric": metric_name(knn),
        },
    )


# --- fit_score on features ---
feat_case("feat_cos_gauss_n200_d8_kdef_f64", gauss(1, 200, 8))
feat_case("feat_cos_gauss_n200_d8_kdef_f32", gauss(1, 200, 8, np.float32))
feat_case("feat_cos_clustered_n300_d16_k5_t2_f64", clustered(2, 300, 16)[0], k=5, t=2.5)
feat_case("feat_cos_clustered_n250_d32_k5_f32", clustered(3, 250, 32, dtype=np.float32)[0], k=5)
feat_case("feat_cos_small_n8_d4_kdef_f64", gauss(4, 8, 4))  # k = min(10, N - 1) = 7
feat_case("feat_cos_n30_d6_k29_f64", gauss(5, 30, 6), k=29)  # k = N - 1
feat_case("feat_scipy_euc_n80_d3_k5_f64", gauss(6, 80, 3), k=5)
feat_case("feat_scipy_euc_n80_d2_kdef_t05_f64", gauss(7, 80, 2), t=0.5)
feat_case("feat_scipy_euc_n80_d3_k5_f32", gauss(6, 80, 3, np.float32), k=5)
feat_case("feat_euc_n300_d3_k10_f64", gauss(8, 300, 3), k=10)
feat_case("feat_euc_n300_d2_kdef_f32", gauss(9, 300, 2, np.float32))
for k in (1, 5, 10):
    feat_case(f"feat_cos_dups_n150_d6_k{k}_f64", prototypes(10, 150, 6, 25)[0], k=k)
feat_case("feat_cos_dups_big_groups_n100_d4_k10_f64", prototypes(11, 100, 4, 4)[0], k=10)
feat_case("feat_cos_dups_n150_d6_k5_f32", prototypes(10, 150, 6, 25)[0].astype(np.float32), k=5)
feat_case("feat_euc_grid_n150_d2_k5_f64", grid(12, 150, 2, values=4), k=5)
feat_case("feat_scipy_euc_grid_n90_d3_k10_f64", grid(13, 90, 3), k=10)
feat_case("feat_scipy_euc_grid_n60_d2_k5_f64", grid(14, 60, 2, values=2), k=5)

# --- fit on one set, score on another ---
def fit_score_case(name, A, B, **params):
    ood = OutOfDistribution(dict(params))
    ood.fit(features=A, verbose=False)
    sf = ood.params["scaling_factor"]
    sb = ood.score(features=B)
    sa = ood.score(features=A)
    w.case(
        name,
        inputs={"train": A, "test": B},
        params={"k": params.get("k"), "t": params.get("t", 1), "dtype": str(A.dtype)},
        outputs={"scaling_factor": sf, "test_scores": sb, "train_scores": sa,
                 "k_used": ood.params["knn"].n_neighbors},
    )


def with_copies(seed, A, B, m):
    rng = np.random.RandomState(seed)
    B = B.copy()
    B[rng.choice(B.shape[0], m, replace=False)] = A[rng.choice(A.shape[0], m, replace=False)]
    return B


A = clustered(20, 200, 8)[0]
fit_score_case("fitscore_cos_n200_d8_kdef_f64", A, with_copies(21, A, clustered(22, 60, 8)[0] * 1.3, 6))
A = gauss(23, 150, 3)
fit_score_case("fitscore_euc_n150_d3_k7_t2_f64", A, with_copies(24, A, gauss(25, 40, 3) * 2, 4), k=7, t=2)
A = gauss(26, 70, 2)
fit_score_case("fitscore_scipy_euc_n70_d2_k5_f64", A, with_copies(27, A, gauss(28, 30, 2), 3), k=5)
A = clustered(29, 200, 8, dtype=np.float32)[0]
fit_score_case("fitscore_cos_n200_d8_kdef_f32", A, with_copies(30, A, clustered(31, 50, 8, dtype=np.float32)[0], 5))

# --- user-supplied neighbour index ---
def knn_case(name, X, n_neighbors, metric, fitted, k=None):
    nn = NearestNeighbors(n_neighbors=n_neighbors, metric=metric)
    if fitted:
        nn.fit(X)
    params = {"knn": nn}
    if k is not None:
        params["k"] = k
    ood = OutOfDistribution(params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = ood.fit_score(features=X, verbose=False)
    w.case(
        name,
        inputs={"features": X},
        params={"n_neighbors": n_neighbors, "metric": metric, "fitted": fitted, "k": k},
        outputs={"scores": scores, "scaling_factor": ood.params["scaling_factor"],
                 "warnings": [str(c.message) for c in caught]},
    )


Xk = prototypes(40, 120, 6, 50)[0] + 0.0
Xk[:60] += gauss(41, 60, 6) * 0.1  # half unique, half duplicated prototypes
knn_case("knn_fitted_cos_n6_kdef", Xk, 6, "cosine", True)
knn_case("knn_fitted_cos_n6_k4", Xk, 6, "cosine", True, k=4)
knn_case("knn_fitted_cos_n6_k9_capped", Xk, 6, "cosine", True, k=9)
knn_case("knn_unfitted_euclidean_n5", gauss(42, 90, 3), 5, "euclidean", False)

# --- pred_probs ---
def probs(seed, n, k, alpha=1.0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    p = rng.dirichlet(np.full(k, alpha), size=n)
    y = np.array([rng.choice(k, p=row) if rng.rand() < 0.8 else rng.randint(k) for row in p])
    y[:k] = np.arange(k)  # every class present
    return p.astype(dtype), y.astype(np.int64)


def pp_case(name, P, y, Q=None, labels_at_fit=True, **params):
    ood = OutOfDistribution(dict(params))
    if Q is None:
        scores = ood.fit_score(pred_probs=P, labels=y if labels_at_fit else None, verbose=False)
        out = {"scores": scores}
    else:
        ood.fit(pred_probs=P, labels=y if labels_at_fit else None, verbose=False)
        out = {"scores": ood.score(pred_probs=Q)}
    t = ood.params["confident_thresholds"]
    out["thresholds"] = None if t is None else np.asarray(t, dtype=np.float64)
    inputs = {"pred_probs": P, "labels": y}
    if Q is not None:
        inputs["test_pred_probs"] = Q
    ps = {k: v for k, v in params.items() if k != "confident_thresholds"}
    ps["labels_at_fit"] = labels_at_fit
    ps["dtype"] = str(P.dtype)
    if "confident_thresholds" in params:
        ps["confident_thresholds"] = np.asarray(params["confident_thresholds"])
    w.case(name, inputs=inputs, params=ps, outputs=out)


P, y = probs(50, 300, 4)
Q, _ = probs(51, 80, 4, alpha=0.5)
for method in ("entropy", "least_confidence"):
    for adjust in (True, False):
        pp_case(f"pp_{method}_adjust{int(adjust)}_n300_k4_f64", P, y, method=method,
                adjust_pred_probs=adjust, labels_at_fit=adjust)
        pp_case(f"pp_{method}_adjust{int(adjust)}_fit_score_other_f64", P, y, Q=Q, method=method,
                adjust_pred_probs=adjust, labels_at_fit=adjust)
P10, y10 = probs(52, 400, 10, alpha=0.3)
pp_case("pp_entropy_adjust1_n400_k10_f64", P10, y10)
pp_case("pp_least_confidence_adjust1_n400_k10_f64", P10, y10, method="least_confidence")
P32, y32 = probs(53, 200, 3, dtype=np.float32)
pp_case("pp_entropy_adjust1_n200_k3_f32", P32, y32)
pp_case("pp_least_confidence_adjust0_n200_k3_f32", P32, y32, method="least_confidence",
        adjust_pred_probs=False, labels_at_fit=False)
pp_case("pp_entropy_given_thresholds_f64", P, y, Q=Q, labels_at_fit=False,
        confident_thresholds=np.array([0.3, 0.5, 0.45, 0.6]))
Pz = P.copy()
Pz[:5] = np.eye(4)[[0, 1, 2, 3, 0]]  # one-hot rows: 0 log 0 = 0
pp_case("pp_entropy_adjust0_onehot_rows_f64", Pz, y, adjust_pred_probs=False, labels_at_fit=False)

# --- data valuation ---
def shapley_case(name, labels, X=None, G=None, k=10, metric=None, graph_k=None):
    kwargs = {"k": k}
    inputs = {"labels": labels}
    if X is not None:
        inputs["features"] = X
        kwargs["features"] = X
        if metric is not None:
            kwargs["metric"] = metric
    if G is not None:
        n = G.shape[0]
        gk = G.nnz // n
        inputs["graph_indices"] = G.indices.reshape(n, gk).astype(np.int64)
        inputs["graph_distances"] = G.data.reshape(n, gk)
        kwargs["knn_graph"] = G
    values = data_shapley_knn(labels, **kwargs)
    w.case(name, inputs=inputs, params={"k": k, "metric": metric,
                                        "dtype": None if X is None else str(X.dtype)},
           outputs={"values": values})


Xs, ys = clustered(60, 300, 8)
ys = ys.copy()
ys[np.random.RandomState(61).choice(300, 30, replace=False)] = 0  # some label noise
shapley_case("shapley_feat_cos_n300_d8_kdef_f64", ys, X=Xs)
shapley_case("shapley_feat_cos_n300_d8_k5_f32", ys, X=Xs.astype(np.float32), k=5)
Xe, ye = clustered(62, 90, 2, centers=3)
shapley_case("shapley_feat_scipy_euc_n90_d2_k5_f64", ye, X=Xe, k=5)
shapley_case("shapley_feat_euc_explicit_n300_d8_k7_f64", ys, X=Xs, k=7, metric="euclidean")
Xd, proto = prototypes(63, 200, 5, 12)
# Labels per prototype (3 of the 12 groups mislabelled): exact duplicates share a label, so
# the values do not depend on the order of tied neighbours, which sklearn leaves unspecified.
yd = proto % 3
yd[np.isin(proto, [2, 5, 7])] = (yd[np.isin(proto, [2, 5, 7])] + 1) % 3
for k in (3, 10, 25):
    shapley_case(f"shapley_feat_dups_n200_d5_k{k}_f64", yd, X=Xd, k=k)
G, _ = create_knn_graph_and_index(Xs, n_neighbors=12)
shapley_case("shapley_graph_k12_use5", ys, G=G, k=5)
shapley_case("shapley_graph_k12_use12", ys, G=G, k=12)
shapley_case("shapley_graph_n29_k28", ys[:29], G=create_knn_graph_and_index(Xs[:29], n_neighbors=28)[0], k=28)

# --- errors ---
def err_case(name, fn, inputs=None, params=None):
    w.case(name, inputs=inputs or {}, params=params or {}, outputs={"error": w.error_of(fn)})


Xe5 = gauss(70, 5, 4)
err_case("error_feat_k_equals_n", lambda: OutOfDistribution({"k": 5}).fit_score(features=Xe5, verbose=False),
         {"features": Xe5}, {"k": 5})
err_case("error_score_before_fit_features", lambda: OutOfDistribution().score(features=Xe5),
         {"features": Xe5})
err_case("error_pp_no_labels", lambda: OutOfDistribution().fit_score(pred_probs=P[:20], verbose=False),
         {"pred_probs": P[:20]})
err_case("error_pp_score_before_fit", lambda: OutOfDistribution().score(pred_probs=P[:20]),
         {"pred_probs": P[:20]})
Pbig = P[:10].copy()
Pbig[3, 1] = 1.0000005  # within cleanlab's validation tolerance, outside [0, 1]
err_case("error_pp_entropy_out_of_range",
         lambda: OutOfDistribution({"adjust_pred_probs": False}).fit_score(pred_probs=Pbig, verbose=False),
         {"pred_probs": Pbig})
err_case("error_shapley_k_equals_n", lambda: data_shapley_knn(ys[:10], features=Xs[:10], k=10),
         {"labels": ys[:10], "features": Xs[:10]}, {"k": 10})
err_case("error_shapley_graph_too_small", lambda: data_shapley_knn(ys, knn_graph=G, k=13),
         {"labels": ys, "graph_indices": G.indices.reshape(300, 12).astype(np.int64),
          "graph_distances": G.data.reshape(300, 12)}, {"k": 13})

# --- the CLI's knn-graph .npz next to scipy's own save_npz of cleanlab's graph ---
Xg = gauss(80, 40, 5)
Gg, _ = create_knn_graph_and_index(Xg, n_neighbors=4)
w.case("cli_knn_graph_n40_d5_k4", inputs={"features": Xg}, params={"k": 4},
       outputs={"indices": Gg.indices.reshape(40, 4).astype(np.int64), "distances": Gg.data.reshape(40, 4)})
scipy.sparse.save_npz(os.path.join(w.dir, "cli_knn_graph_n40_d5_k4.scipy.npz"), Gg, compressed=False)

w.done()
