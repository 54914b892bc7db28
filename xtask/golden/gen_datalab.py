"""Golden cases for cl-datalab: cleanlab 2.9.0's `Datalab(...).find_issues(...)`.

Each case builds a Datalab from a label column (integers or strings), runs `find_issues` with
some of `features`, `pred_probs`, `knn_graph` and an `issue_types` dict, and records: the
column names of `get_issues()` in order, every column (`is_<type>_issue`, `<type>_score`),
the summary (`issue_type`, `score`, `num_issues`), the health score, the issue types whose
check raised (Datalab catches and prints "Error in <name>: ..."), the shared kNN graph when
one was stored, and selected `get_info` values (near-duplicate sets, non-IID p-value,
underperforming-group clusters, null statistics, label statistics, rarest class).

Data are seeded and (apart from deliberate exact duplicates) tie-free. numpy's argsort is
forced stable (see golden_common.force_stable_argsort).
"""

import contextlib
import copy
import io
import re
import warnings

import numpy as np
from cleanlab import Datalab

from golden_common import Writer, force_stable_argsort

warnings.filterwarnings("ignore")
force_stable_argsort()
w = Writer("datalab")


def jsonable_params(issue_types):
    if issue_types is None:
        return None
    out = {}
    for name, params in issue_types.items():
        out[name] = {k: (np.asarray(v) if isinstance(v, (list, np.ndarray)) else v) for k, v in params.items()}
    return out


def run_case(name, labels, features=None, pred_probs=None, knn_graph=None, issue_types=None, note=""):
    lab = Datalab({"y": labels}, label_name="y", verbosity=0)
    kwargs = {}
    if features is not None:
        kwargs["features"] = features
    if pred_probs is not None:
        kwargs["pred_probs"] = pred_probs
    if knn_graph is not None:
        kwargs["knn_graph"] = knn_graph
    if issue_types is not None:
        kwargs["issue_types"] = copy.deepcopy(issue_types)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        lab.find_issues(**kwargs)
    failed = re.findall(r"^Error in (\w+):", buf.getvalue(), flags=re.M)
    issues = lab.get_issues()
    summary = lab.get_issue_summary()
    info = lab.get_info()
    stats = info["statistics"]
    outputs = {
        "columns": list(issues.columns),
        "summary_types": list(summary["issue_type"]),
        "summary_scores": summary["score"].to_numpy(dtype=np.float64),
        "summary_num_issues": summary["num_issues"].to_numpy(dtype=np.int64),
        "health_score": float(stats["health_score"]),
        "failed": failed,
        "class_names": [str(c) for c in lab.class_names],
        "labels_mapped": np.asarray(lab.labels, dtype=np.int64),
    }
    for col in issues.columns:
        if col.startswith("is_") and col.endswith("_issue"):
            outputs["col." + col] = issues[col].to_numpy(dtype=bool)
        elif col.endswith("_score"):
            outputs["col." + col] = issues[col].to_numpy(dtype=np.float64)
    g = stats.get("weighted_knn_graph")
    if g is not None:
        n = g.shape[0]
        kk = g.nnz // n
        outputs["graph_indices"] = g.indices.reshape(n, kk).astype(np.int64)
        outputs["graph_distances"] = g.data.reshape(n, kk).astype(np.float64)
        m = stats.get("knn_metric")
        outputs["graph_metric"] = m if isinstance(m, str) else "scipy_euclidean"
    types = set(summary["issue_type"])
    if "near_duplicate" in types:
        sets = info["near_duplicate"]["near_duplicate_sets"]
        outputs["near_duplicate_sets"] = [sorted(int(j) for j in s) for s in sets]
        outputs["near_duplicate_median"] = float(info["near_duplicate"]["median_distance_to_nearest_neighbor"])
    if "non_iid" in types:
        outputs["non_iid_p_value"] = float(info["non_iid"]["p-value"])
    if "underperforming_group" in types:
        st = info["underperforming_group"]["clustering"]["stats"]
        outputs["upg_cluster_ids"] = np.asarray(st["cluster_ids"], dtype=np.int64)
        outputs["upg_n_clusters"] = int(st["n_clusters"])
        outputs["upg_cluster_id"] = int(st["underperforming_cluster_id"])
    if "null" in types:
        ni = info["null"]
        outputs["null_average"] = float(ni["average_null_score"])
        mc = ni["most_common_issue"]
        outputs["null_pattern"] = str(mc["pattern"])
        outputs["null_rows_affected"] = [int(r) for r in mc["rows_affected"]]
        outputs["null_count"] = int(mc["count"])
        outputs["null_column_impact"] = np.asarray(ni["column_impact"], dtype=np.float64)
    if "label" in types:
        li = lab.get_info("label")
        outputs["label_num_issues"] = int(li["num_label_issues"])
        outputs["label_average_quality"] = float(li["average_label_quality"])
        outputs["label_predicted"] = [str(c) for c in li["predicted_label"]]
    if "class_imbalance" in types:
        outputs["rarest_class"] = str(info["class_imbalance"]["Rarest Class"])
    if "outlier" in types:
        oi = info["outlier"]
        outputs["outlier_average"] = float(oi["average_ood_score"])
    if "data_valuation" in types:
        outputs["data_valuation_average"] = float(info["data_valuation"]["average_data_valuation"])
    inputs = {"labels": np.asarray(labels) if not isinstance(labels[0], str) else list(labels)}
    if features is not None:
        inputs["features"] = features
    if pred_probs is not None:
        inputs["pred_probs"] = pred_probs
    if knn_graph is not None:
        n = knn_graph.shape[0]
        kk = knn_graph.nnz // n
        inputs["knn_indices"] = knn_graph.indices.reshape(n, kk).astype(np.int64)
        inputs["knn_distances"] = knn_graph.data.reshape(n, kk).astype(np.float64)
    w.case(name, inputs=inputs, params={
        "issue_types": jsonable_params(issue_types),
        "issue_type_order": None if issue_types is None else list(issue_types),
        "note": note,
    }, outputs=outputs)


def clustered(seed, n, d, k, spread=0.6, noise=0.15, dup=0, alpha_scale=4.0):
    """Features from k Gaussian blobs (class = blob), labels with a `noise` fraction flipped,
    pred_probs = softmax of negative distances to the blob centres plus noise; `dup` rows are
    exact copies of earlier rows."""
    rng = np.random.RandomState(seed)
    centres = rng.randn(k, d) * 2.5
    true = rng.randint(0, k, n)
    X = centres[true] + spread * rng.randn(n, d)
    for j in range(dup):
        X[n - 1 - j] = X[j]
    y = true.copy()
    flip = rng.rand(n) < noise
    y[flip] = rng.randint(0, k, flip.sum())
    logits = -alpha_scale * np.linalg.norm(X[:, None, :] - centres[None], axis=2) / np.sqrt(d)
    logits += 0.5 * rng.randn(n, k)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return X, y.astype(np.int64), p


ALL = {
    "null": {}, "label": {}, "outlier": {}, "near_duplicate": {}, "non_iid": {},
    "class_imbalance": {}, "underperforming_group": {}, "data_valuation": {},
}

# 1. Defaults with features (cosine, 6 columns) and pred_probs, exact duplicates.
X, y, p = clustered(1, 240, 6, 3, dup=4)
run_case("default_cosine", y, features=X, pred_probs=p, note="default issue types")
run_case("all_types_cosine", y, features=X, pred_probs=p, issue_types=ALL, note="all eight types")

# 2. String labels, a rare class, 2-D features (sklearn euclidean, N > 100).
X, y, p = clustered(2, 300, 2, 4, spread=0.8)
rare = np.where(y == 3)[0]
y[rare[4:]] = 0
names = np.array(["cat", "dog", "emu", "yak"])
run_case("strings_rare_euclidean", list(names[y]), features=X, pred_probs=p, issue_types=ALL,
         note="string labels, rare class yak")

# 3. NaN features: null flags; kNN-based checks fail inside cleanlab.
X, y, p = clustered(3, 150, 4, 3)
X[[3, 17, 40], :] = np.nan
X[[5, 9], 1] = np.nan
X[[11], 2:] = np.nan
run_case("null_nan_features", y, features=X, pred_probs=p, note="NaN rows make kNN checks fail")

# 4. Features only: label via the kNN classifier path.
X, y, _ = clustered(4, 180, 3, 3, noise=0.2, dup=3)
run_case("features_only_euclidean", y, features=X, note="label from KNeighborsClassifier")

# 5. Small N (scipy euclidean, N <= 100), features + pred_probs, all types.
X, y, p = clustered(5, 90, 3, 2, dup=2)
run_case("small_scipy_euclidean", y, features=X, pred_probs=p, issue_types=ALL)

# 6. pred_probs only: outlier via OOD entropy, non_iid on a graph of pred_probs.
X, y, p = clustered(6, 200, 5, 4, alpha_scale=0.8)
run_case("pred_probs_only", y, pred_probs=p)
# cleanlab forwards the manager's `k` to OutOfDistribution.fit_score, which rejects it, so the
# outlier check fails here (spec quirk 16); cl-datalab ignores k on the pred_probs path and
# its scores equal the "pred_probs_only" case's (a documented difference).
run_case("pred_probs_only_outlier_k", y, pred_probs=p,
         issue_types={"outlier": {"k": 5}, "class_imbalance": {}},
         note="outlier fails in cleanlab (k forwarded to fit_score); succeeds in cl-datalab")

# 7. knn_graph given (from cleanlab's own builder on other features) plus pred_probs.
from cleanlab.internal.neighbor.knn_graph import create_knn_graph_and_index
X, y, p = clustered(7, 160, 8, 3, dup=2)
g, _ = create_knn_graph_and_index(X, n_neighbors=12)
run_case("knn_graph_input", y, pred_probs=p, knn_graph=g, issue_types=ALL)
# A graph with fewer neighbours than data_valuation's k (it fails), outlier threshold 0
# (infinite IQR multiplier: nothing flagged) and a fixed scaling factor.
run_case("knn_graph_small_k", y, knn_graph=g, issue_types={
    "outlier": {"threshold": 0, "scaling_factor": 0.5, "t": 2},
    "data_valuation": {"k": 15},
    "near_duplicate": {},
})

# 8. Non-IID data: a drifting feature order, flagged by the permutation test.
rng = np.random.RandomState(8)
n = 200
t = np.linspace(0, 6, n)
X = np.c_[np.cos(t), np.sin(t), 0.05 * rng.randn(n)] + 0.02 * rng.randn(n, 3)
y = (t > 3).astype(np.int64)
y[rng.rand(n) < 0.1] ^= 1
p = np.c_[1 / (1 + np.exp(2 * (t - 3))), 1 - 1 / (1 + np.exp(2 * (t - 3)))]
p = np.clip(p + 0.1 * rng.rand(n, 2), 0, None)
p /= p.sum(axis=1, keepdims=True)
run_case("non_iid_drift", y, features=X, pred_probs=p)

# 9. Underperforming group: one blob of 2-D points with poor pred_probs, DBSCAN eps 0.5.
rng = np.random.RandomState(9)
centres = np.array([[0, 0], [6, 0], [0, 6], [6, 6]], dtype=float)
g_id = rng.randint(0, 4, 220)
X = centres[g_id] + 0.35 * rng.randn(220, 2)
y = (g_id % 2).astype(np.int64)
p = np.full((220, 2), 0.0)
conf = np.where(g_id == 3, 0.01 + 0.04 * rng.rand(220), 0.85 + 0.1 * rng.rand(220))
p[np.arange(220), y] = conf
p[np.arange(220), 1 - y] = 1 - conf
run_case("underperforming_dbscan", y, features=X, pred_probs=p,
         issue_types={"underperforming_group": {}, "label": {}, "class_imbalance": {}})
run_case("underperforming_cluster_ids", y, features=X, pred_probs=p,
         issue_types={"underperforming_group": {"cluster_ids": g_id.astype(np.int64)}})

# 10. Custom parameters, in the user's key order.
X, y, p = clustered(10, 200, 5, 3, dup=3)
run_case("custom_params", y, features=X, pred_probs=p, issue_types={
    "near_duplicate": {"threshold": 0.3},
    "class_imbalance": {"threshold": 0.9},
    "non_iid": {"num_permutations": 10, "significance_threshold": 0.5},
    "outlier": {"threshold": 0.2},
    "label": {"k": 5},
    "data_valuation": {"k": 5, "threshold": 0.45},
    "underperforming_group": {"threshold": 0.5, "min_cluster_samples": 3},
})

w.done()
