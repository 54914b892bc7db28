"""Golden cases for cl-rank (cleanlab.rank): quality scores, ordering, top issues, ensembles."""

import warnings

import numpy as np
from cleanlab import rank

from golden_common import Writer, make_classification as make

warnings.filterwarnings("ignore")
w = Writer("rank")


METHODS = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]

# Spec appendix A.1.
p_a1 = np.array([[0.9, 0.1, 0], [0.6, 0.2, 0.2], [0.1, 0, 0.9]] + [[0.1, 0.8, 0.1]] * 6 + [[0.1, 0.1, 0.8]])
y_a1 = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 2])

datasets = [("a1", p_a1, y_a1)]
for seed, n, k, alpha in [(0, 5, 2, 1.0), (1, 50, 3, 0.5), (2, 200, 5, 1.0), (3, 1000, 10, 0.3),
                          (4, 300, 50, 0.2), (5, 5000, 4, 1.0)]:
    p, y = make(seed, n, k, alpha)
    datasets.append((f"s{seed}_n{n}_k{k}", p, y))
p, y = make(6, 120, 4, 0.7, absent=(2,))
datasets.append(("absent_n120_k4", p, y))
p, y = make(7, 400, 6, 1.0, dtype=np.float32)
datasets.append(("f32_n400_k6", p, y))

for name, p, y in datasets:
    outputs = {}
    for method in METHODS:
        for adjust in [False, True]:
            key = f"{method}_{'adj' if adjust else 'raw'}"
            if adjust and method == "confidence_weighted_entropy":
                outputs[key] = w.error_of(
                    lambda: rank.get_label_quality_scores(y, p, method=method, adjust_pred_probs=adjust))
                continue
            outputs[key] = rank.get_label_quality_scores(y, p, method=method, adjust_pred_probs=adjust).astype(np.float64)
    w.case(f"scores_{name}", {"labels": y, "pred_probs": p, "dtype": str(p.dtype)}, {}, outputs)

# order_label_issues and find_top_issues on tie-free data.
for name, p, y in datasets[1:6]:
    rng = np.random.RandomState(len(y))
    mask = rng.rand(len(y)) < 0.3
    outputs = {}
    for method in METHODS:
        for adjust in ([False, True] if method != "confidence_weighted_entropy" else [False]):
            outputs[f"{method}_{'adj' if adjust else 'raw'}"] = rank.order_label_issues(
                mask, y, p, rank_by=method, rank_by_kwargs={"adjust_pred_probs": adjust})
    w.case(f"order_{name}", {"labels": y, "pred_probs": p, "mask": mask}, {}, outputs)
    s = rank.get_label_quality_scores(y, p)
    tops = [0, 1, 10, len(y), len(y) + 5]
    w.case(f"top_{name}", {"scores": s}, {"tops": tops},
           {f"top_{t}": rank.find_top_issues(s, top=t) for t in tops})

# Ensembles.
for seed, n, k, m in [(10, 100, 3, 2), (11, 500, 5, 3), (12, 60, 2, 4), (13, 2000, 10, 3)]:
    rng = np.random.RandomState(seed)
    base = rng.dirichlet(np.ones(k), size=n)
    y = base.argmax(axis=1)
    flip = rng.rand(n) < 0.25
    y[flip] = rng.randint(0, k, flip.sum())
    members = []
    for j in range(m):
        noise = rng.dirichlet(np.ones(k), size=n)
        mix = 0.3 + 0.5 * rng.rand()
        members.append(mix * base + (1 - mix) * noise)
    custom = list(rng.rand(m) + 0.1)
    outputs = {}
    for method in METHODS:
        for scheme in ["uniform", "accuracy", "log_loss_search", "custom"]:
            kwargs = {}
            if scheme == "custom":
                kwargs["custom_weights"] = np.array(custom)
            outputs[f"{method}_{scheme}"] = rank.get_label_quality_ensemble_scores(
                y, members, method=method, weight_ensemble_members_by=scheme, verbose=False, **kwargs)
    outputs["self_confidence_accuracy_adj"] = rank.get_label_quality_ensemble_scores(
        y, members, adjust_pred_probs=True, verbose=False)
    w.case(f"ensemble_s{seed}_m{m}",
           {"labels": y, **{f"pred_probs_{j}": members[j] for j in range(m)}},
           {"num_members": m, "custom_weights": custom}, outputs)

# Edge cases.
p1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
y1 = np.array([0, 0, 1])
w.case("scores_onehot", {"labels": y1, "pred_probs": p1, "dtype": "float64"}, {},
       {"confidence_weighted_entropy_raw": rank.get_label_quality_scores(y1, p1, method="confidence_weighted_entropy"),
        "self_confidence_raw": rank.get_label_quality_scores(y1, p1)})
p0 = np.array([[0.7, 0.3], [0.4, 0.6]])
y0 = np.array([0, 0])
w.case("scores_one_class", {"labels": y0, "pred_probs": p0, "dtype": "float64"}, {},
       {"self_confidence_raw": rank.get_label_quality_scores(y0, p0),
        "self_confidence_adj": rank.get_label_quality_scores(y0, p0, adjust_pred_probs=True)})
w.done()
