"""Python side of `cargo xtask bench`: time one cleanlab 2.9.0 operation.

usage: run_cleanlab.py OP DATA_DIR REPS
OP is find_label_issues:<filter_by> or label_quality:<method> (loads DATA_DIR/pred_probs.npy
and labels.npy), or knn_graph:<k> (loads DATA_DIR/features.npy; cleanlab's features_to_knn
with the default metric + construct_knn_graph_from_index; checksum = sum of the distances),
or one of the audit operations on DATA_DIR/{features,pred_probs,labels}.npy:
ood_features (OutOfDistribution().fit_score(features=X)), ood_pred_probs
(OutOfDistribution().fit_score(pred_probs=P, labels=y)), data_shapley_knn
(data_shapley_knn(y, features=X, k=10)) — checksum = sum of the scores — and
datalab_find_issues (Datalab(...).find_issues(features=X, pred_probs=P); checksum = sum over
the issue types t in AUDIT_TYPES order and flagged rows i of (i + 1)(t + 1)).
Runs the operation REPS times in this process (cleanlab's default n_jobs)
and prints one JSON line: wall times (s), a checksum, peak RSS of this process (VmHWM, kB)
and the largest peak RSS of any finished child process (multiprocessing workers, kB).
"""
import json
import resource
import sys
import time

import numpy as np
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores


def vm_hwm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def emit(op, times, checksum):
    """Prints the one JSON line `cargo xtask bench` reads."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"op": op, "times_s": times, "checksum": checksum,
                      "peak_rss_kb": vm_hwm_kb(), "children_peak_rss_kb": children}))


def knn_graph(data, k, reps):
    from cleanlab.internal.neighbor.knn_graph import (
        construct_knn_graph_from_index,
        features_to_knn,
    )

    features = np.load(f"{data}/features.npy")
    times = []
    checksum = 0.0
    for _ in range(max(reps, 1)):
        t = time.perf_counter()
        graph = construct_knn_graph_from_index(features_to_knn(features, n_neighbors=k))
        times.append(time.perf_counter() - t)
        checksum = float(np.sum(graph.data, dtype=np.float64))
    return times, checksum


# The order of cl_datalab's POSSIBLE_ISSUE_TYPES (the Rust side's checksum weights).
AUDIT_TYPES = ["null", "label", "outlier", "near_duplicate", "non_iid", "class_imbalance",
               "underperforming_group", "data_valuation"]


def audit(op, data, reps):
    import contextlib

    features = np.load(f"{data}/features.npy")
    pred_probs = np.load(f"{data}/pred_probs.npy")
    labels = np.load(f"{data}/labels.npy")
    times = []
    checksum = 0.0
    for _ in range(max(reps, 1)):
        t = time.perf_counter()
        if op == "ood_features":
            from cleanlab.outlier import OutOfDistribution
            with contextlib.redirect_stdout(sys.stderr):
                checksum = float(np.sum(OutOfDistribution().fit_score(features=features)))
        elif op == "ood_pred_probs":
            from cleanlab.outlier import OutOfDistribution
            with contextlib.redirect_stdout(sys.stderr):
                scores = OutOfDistribution().fit_score(pred_probs=pred_probs, labels=labels)
            checksum = float(np.sum(scores))
        elif op == "data_shapley_knn":
            from cleanlab.data_valuation import data_shapley_knn
            checksum = float(np.sum(data_shapley_knn(labels, features=features, k=10)))
        elif op == "datalab_find_issues":
            from cleanlab import Datalab
            with contextlib.redirect_stdout(sys.stderr):
                lab = Datalab({"y": labels}, label_name="y", verbosity=0)
                lab.find_issues(features=features, pred_probs=pred_probs)
            issues = lab.get_issues()
            checksum = 0.0
            for ti, name in enumerate(AUDIT_TYPES):
                col = f"is_{name}_issue"
                if col in issues.columns:
                    rows = np.flatnonzero(issues[col].to_numpy(dtype=bool))
                    checksum += float(np.sum((rows + 1) * (ti + 1)))
        else:
            raise SystemExit(f"unknown op {op}")
        times.append(time.perf_counter() - t)
    return times, checksum


def main():
    op, data, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    kind, _, arg = op.partition(":")
    if kind in ("ood_features", "ood_pred_probs", "data_shapley_knn", "datalab_find_issues"):
        times, checksum = audit(kind, data, reps)
        emit(op, times, checksum)
        return
    if kind == "knn_graph":
        times, checksum = knn_graph(data, int(arg), reps)
        emit(op, times, checksum)
        return
    pred_probs = np.load(f"{data}/pred_probs.npy")
    labels = np.load(f"{data}/labels.npy")
    times = []
    checksum = 0.0
    for _ in range(max(reps, 1)):
        t = time.perf_counter()
        if kind == "find_label_issues":
            mask = find_label_issues(labels, pred_probs, filter_by=arg)
            checksum = float(np.sum(mask))
        elif kind == "label_quality":
            scores = get_label_quality_scores(labels, pred_probs, method=arg)
            checksum = float(np.sum(scores))
        else:
            raise SystemExit(f"unknown op {op}")
        times.append(time.perf_counter() - t)
    emit(op, times, checksum)


if __name__ == "__main__":
    main()
