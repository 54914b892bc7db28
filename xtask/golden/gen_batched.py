"""Golden cases for cl-filter's batched module (cleanlab.experimental.label_issues_batched)."""

import warnings

import numpy as np
from cleanlab.experimental.label_issues_batched import LabelInspector, find_label_issues_batched

from golden_common import Writer, force_stable_argsort, make_classification as make

force_stable_argsort()
warnings.filterwarnings("ignore")
w = Writer("batched")


specs = [
    # name, seed, n, k, alpha, dtype, absent, batch sizes
    ("s0_n60_k3", 0, 60, 3, 1.0, np.float64, (), [1, 7, 60]),
    ("s1_n500_k5", 1, 500, 5, 0.5, np.float64, (), [13, 10000]),
    ("s2_n1200_k10", 2, 1200, 10, 0.3, np.float64, (), [1000]),
    ("absent_n200_k4", 3, 200, 4, 0.7, np.float64, (2,), [50]),
    ("f32_n400_k6", 4, 400, 6, 1.0, np.float32, (), [64]),
]
for name, seed, n, k, alpha, dtype, absent, batches in specs:
    p, y = make(seed, n, k, alpha, dtype=dtype, absent=absent)
    for bs in batches:
        for method in ["off_diagonal", "off_diagonal_calibrated"]:
            for qs in [{}, {"method": "normalized_margin"}, {"adjust_pred_probs": True}]:
                if method == "off_diagonal_calibrated" and qs.get("method"):
                    continue
                if bs in (1, 7) and qs:
                    continue
                li = LabelInspector(num_class=k, verbose=False, quality_score_kwargs=qs,
                                    num_issue_kwargs={"estimation_method": method}, n_jobs=1)
                for i in range(0, n, bs):
                    li.update_confident_thresholds(y[i:i + bs], p[i:i + bs])
                for i in range(0, n, bs):
                    li.score_label_quality(y[i:i + bs], p[i:i + bs])
                issues = find_label_issues_batched(y, p, batch_size=bs, verbose=False, n_jobs=1,
                                                   quality_score_kwargs=qs,
                                                   num_issue_kwargs={"estimation_method": method})
                qn = "_".join(f"{a}-{b}" for a, b in qs.items()) or "default"
                outputs = {
                    "thresholds": li.get_confident_thresholds(),
                    "num_issues": int(li.get_num_issues()),
                    "label_issues": li.get_label_issues(),
                    "batched": issues,
                }
                if n <= 500:
                    outputs["scores"] = li.get_quality_scores()
                w.case(f"{name}_b{bs}_{method}_{qn}",
                       inputs={"labels": y, "pred_probs": p, "dtype": np.dtype(dtype).name},
                       params={"batch_size": bs, "method": method,
                               "score_method": qs.get("method", "self_confidence"),
                               "adjust_pred_probs": bool(qs.get("adjust_pred_probs", False))},
                       outputs=outputs)
