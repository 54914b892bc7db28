"""Golden cases for cl-filter (cleanlab.filter): every filter_by and option."""

import warnings

import numpy as np
from cleanlab import count, filter as clf

from golden_common import Writer, force_stable_argsort, make_classification as make

# Tie order of calibration rounding: stable, as documented in the Rust port.
force_stable_argsort()

warnings.filterwarnings("ignore")
w = Writer("filter")

FILTERS = ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
           "predicted_neq_given", "low_normalized_margin", "low_self_confidence"]
RANKS = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]


def flagged(mask):
    return np.flatnonzero(mask)


p_a1 = np.array([[0.9, 0.1, 0], [0.6, 0.2, 0.2], [0.1, 0, 0.9]] + [[0.1, 0.8, 0.1]] * 6 + [[0.1, 0.1, 0.8]])
y_a1 = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 2])
p_a2 = np.array([[.8, .1, .1], [.7, .2, .1], [.2, .1, .7], [.1, .2, .7], [.6, .3, .1]])
y_a2 = np.array([0, 0, 2, 2, 2])

datasets = [("a1", p_a1, y_a1), ("a2", p_a2, y_a2)]
specs = [(0, 20, 2, 1.0, 0.3), (1, 100, 3, 0.5, 0.2), (2, 500, 5, 1.0, 0.25), (3, 1000, 10, 0.3, 0.2),
         (4, 300, 50, 0.2, 0.3), (5, 5000, 4, 1.0, 0.15), (6, 2000, 20, 0.5, 0.1)]
for seed, n, k, alpha, noise in specs:
    p, y = make(seed, n, k, alpha, noise)
    datasets.append((f"s{seed}_n{n}_k{k}", p, y))
p, y = make(7, 150, 4, 0.7, absent=(1,))
datasets.append(("absent_n150_k4", p, y))
p, y = make(8, 200, 5, 0.7, singleton=3)
datasets.append(("singleton_n200_k5", p, y))
p, y = make(9, 800, 6, 1.0, dtype=np.float32)
datasets.append(("f32_n800_k6", p, y))
# Imbalanced classes.
rng = np.random.RandomState(10)
n, k = 1500, 5
y = rng.choice(k, size=n, p=[0.6, 0.25, 0.1, 0.04, 0.01])
p = rng.dirichlet(np.ones(k) * 0.5, size=n)
p[np.arange(n), y] += rng.rand(n) * 1.5
p /= p.sum(axis=1, keepdims=True)
flip = rng.rand(n) < 0.1
y[flip] = rng.randint(0, k, flip.sum())
datasets.append(("imbalanced_n1500_k5", p, y.astype(np.int64)))

for name, p, y in datasets:
    outputs = {}
    for f in FILTERS:
        outputs[f] = flagged(clf.find_label_issues(y, p, filter_by=f, n_jobs=1))
    big = len(y) >= 100
    for f in (FILTERS if big else FILTERS[:4]):
        for r in RANKS:
            outputs[f"{f}__rank_{r}"] = clf.find_label_issues(y, p, filter_by=f, return_indices_ranked_by=r, n_jobs=1)
    outputs["default__rank_self_confidence_adj"] = clf.find_label_issues(
        y, p, return_indices_ranked_by="self_confidence", rank_by_kwargs={"adjust_pred_probs": True}, n_jobs=1)
    for f in FILTERS[:3]:
        for frac in [0.5, 0.9]:
            outputs[f"{f}__frac_{frac}"] = flagged(clf.find_label_issues(y, p, filter_by=f, frac_noise=frac, n_jobs=1))
        for mn in [3, 30]:
            outputs[f"{f}__min_{mn}"] = flagged(clf.find_label_issues(y, p, filter_by=f, min_examples_per_class=mn, n_jobs=1))
        outputs[f"{f}__frac_0.5__min_5"] = flagged(clf.find_label_issues(
            y, p, filter_by=f, frac_noise=0.5, min_examples_per_class=5, n_jobs=1))
    cj = count.compute_confident_joint(y, p, calibrate=False)
    for f in FILTERS[:3]:
        outputs[f"{f}__cj_uncalibrated"] = flagged(clf.find_label_issues(y, p, filter_by=f, confident_joint=cj, n_jobs=1))
    outputs["predicted_neq_given_fn"] = flagged(clf.find_predicted_neq_given(y, p))
    for cal in [True, False]:
        for f in ["prune_by_noise_rate", "prune_by_class", "both"]:
            key = f"argmax_cm__{f}__{'cal' if cal else 'raw'}"
            # cleanlab crashes (IndexError) when some class is never predicted: its
            # confusion matrix then has fewer than K columns. Recorded as the error.
            err = w.error_of(lambda: clf.find_label_issues_using_argmax_confusion_matrix(
                y, p, calibrate=cal, filter_by=f))
            outputs[key] = err if err is not None else flagged(
                clf.find_label_issues_using_argmax_confusion_matrix(y, p, calibrate=cal, filter_by=f))
    w.case(f"issues_{name}", {"labels": y, "pred_probs": p, "dtype": str(p.dtype),
                              "confident_joint_uncalibrated": cj}, {}, outputs)

# num_to_remove_per_class (classes with noise, so the normalisation is defined).
for name, p, y in datasets[3:8]:
    k = p.shape[1]
    rng = np.random.RandomState(k)
    counts = np.bincount(y, minlength=k)
    targets = [int(min(c // 4, rng.randint(1, 6))) for c in counts]
    outputs = {}
    for f in ["prune_by_noise_rate", "prune_by_class", "both"]:
        err = w.error_of(lambda: clf.find_label_issues(y, p, filter_by=f, num_to_remove_per_class=targets, n_jobs=1))
        if err is None:
            outputs[f] = flagged(clf.find_label_issues(y, p, filter_by=f, num_to_remove_per_class=targets, n_jobs=1))
        else:
            outputs[f] = err
    w.case(f"numremove_{name}", {"labels": y, "pred_probs": p, "dtype": "float64"}, {"targets": targets}, outputs)

# Errors.
p3 = np.array([[0.7, 0.3], [0.4, 0.6], [0.5, 0.5]])
w.case("error_single_class_1", {"labels": np.array([1, 1, 1]), "pred_probs": p3, "dtype": "float64"}, {},
       {"error": w.error_of(lambda: clf.find_label_issues(np.array([1, 1, 1]), p3))})
w.case("single_class_0", {"labels": np.array([0, 0, 0]), "pred_probs": p3, "dtype": "float64"}, {},
       {"prune_by_noise_rate": flagged(clf.find_label_issues(np.array([0, 0, 0]), p3, n_jobs=1))})
w.case("error_numremove_with_cl", {"labels": y_a1, "pred_probs": p_a1, "dtype": "float64"}, {},
       {"error": w.error_of(lambda: clf.find_label_issues(y_a1, p_a1, filter_by="confident_learning",
                                                          num_to_remove_per_class=[1, 1, 1]))})
w.done()
