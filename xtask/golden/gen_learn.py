"""Golden cases for cl-learn: scikit-learn's StratifiedKFold, GaussianNB and
LogisticRegression, cleanlab's cross-validation helpers and CleanLearning."""

import contextlib
import io
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import GaussianNB

from cleanlab import count
from cleanlab.classification import CleanLearning

from golden_common import Writer, force_stable_argsort, make_classification

# Tie order of calibration rounding: stable, as documented in the Rust port.
force_stable_argsort()

w = Writer("learn")


def warn_messages(fn):
    """Run fn() and return (result, [warning messages])."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = fn()
    msgs = [str(r.message) for r in rec if issubclass(r.category, UserWarning)]
    return out, msgs


def clusters(seed, n, k, d, sep, noise=0.0, weights=None):
    """Gaussian clusters (features) with labels, a fraction `noise` of labels replaced."""
    rng = np.random.RandomState(seed)
    p = None if weights is None else np.asarray(weights) / np.sum(weights)
    y = rng.choice(k, size=n, p=p)
    centres = rng.randn(k, d) * sep
    x = centres[y] + rng.randn(n, d)
    flip = rng.rand(n) < noise
    y = y.copy()
    y[flip] = rng.randint(0, k, flip.sum())
    return x, y.astype(np.int64)


# ---------------------------------------------------------------------------------------
# 1. StratifiedKFold fold assignments.
def skf_folds(y, n_splits, seed, shuffle=True):
    skf = StratifiedKFold(n_splits, shuffle=shuffle, random_state=seed if shuffle else None)
    folds = np.full(len(y), -1, dtype=np.int64)

    def run():
        for f, (_, te) in enumerate(skf.split(np.zeros((len(y), 1)), y)):
            folds[te] = f
        return folds

    return warn_messages(run)


rng = np.random.RandomState(100)
label_sets = {
    "balanced_n60_k3": np.repeat(np.arange(3), 20)[rng.permutation(60)],
    "imbalanced_n500_k5": rng.choice(5, size=500, p=[0.5, 0.25, 0.15, 0.07, 0.03]),
    "rare_n40": np.array([0] * 18 + [1] * 17 + [2] * 3 + [3] * 1 + [4] * 1)[rng.permutation(40)],
    "values_unsorted_n30": np.array([7, 3, 3, 9, 7, 9, 3, 7, 9, 7] * 3)[rng.permutation(30)],
    "big_n600_k10": rng.randint(0, 10, 600),
    "twoclass_n11": np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1]),
    "pairs_n12_k6": np.repeat(np.arange(6), 2)[rng.permutation(12)],
}
for name, y in label_sets.items():
    for n_splits in [2, 3, 5, 10]:
        for seed in [0, 1, 42, 123456, 4294967295, None]:
            shuffle = seed is not None
            try:
                folds, msgs = skf_folds(y, n_splits, seed, shuffle)
                out = {"test_fold": folds, "warnings": msgs}
            except ValueError as e:
                out = {"error": f"ValueError: {e}"}
            tag = "noshuffle" if seed is None else f"seed{seed}"
            w.case(f"skf_{name}_k{n_splits}_{tag}", {"labels": y},
                   {"n_splits": n_splits, "seed": seed, "shuffle": shuffle}, out)

# ---------------------------------------------------------------------------------------
# 2. GaussianNB and 3. LogisticRegression probabilities.
def scaled(seed):
    x, y = clusters(seed, 200, 3, 3, 1.0)
    return x * np.array([1.0, 50.0, 0.02]), y


LR_CONFIGS = [(1.0, True), (0.1, True), (10.0, False)]
model_sets = [
    ("bin_n80_d2", *clusters(1, 80, 2, 2, 1.5)),
    ("k3_n150_d3", *clusters(2, 150, 3, 3, 1.0)),
    ("k5_n400_d6", *clusters(3, 400, 5, 6, 1.2, noise=0.1)),
    ("k4_n300_d4_imb", *clusters(4, 300, 4, 4, 2.0, weights=[0.55, 0.25, 0.15, 0.05])),
    ("k3_n60_d8", *clusters(5, 60, 3, 8, 0.7)),
    ("k6_n500_d5", *clusters(6, 500, 6, 5, 1.5, noise=0.2)),
    # Badly scaled features: many iterations (seed 8: 96), the iteration limit (seed 10).
    ("k3_n200_scaled_s8", *scaled(8)),
    ("k3_n200_scaled_s10", *scaled(10)),
]
for name, x, y in model_sets:
    k = int(y.max()) + 1
    sw = np.random.RandomState(len(y)).rand(len(y)) * 2 + 0.1
    x_test = x[::3] + 0.25
    out = {}
    for weighted in [False, True]:
        kw = {"sample_weight": sw} if weighted else {}
        tag = "w_" if weighted else ""
        nb = GaussianNB().fit(x, y, **kw)
        out.update({f"{tag}gnb_proba": nb.predict_proba(x_test), f"{tag}gnb_theta": nb.theta_,
                    f"{tag}gnb_var": nb.var_, f"{tag}gnb_class_prior": nb.class_prior_,
                    f"{tag}gnb_epsilon": nb.epsilon_})
        for c, fit_intercept in LR_CONFIGS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lr = LogisticRegression(C=c, fit_intercept=fit_intercept).fit(x, y, **kw)
            key = f"{tag}lr_C{c}_{'b' if fit_intercept else 'nob'}"
            out[f"{key}_proba"] = lr.predict_proba(x_test)
            out[f"{key}_n_iter"] = int(lr.n_iter_[0])
            out[f"{key}_coef"] = lr.coef_
            out[f"{key}_intercept"] = lr.intercept_
    w.case(f"models_{name}", {"x": x, "y": y, "sample_weight": sw, "x_test": x_test},
           {"num_classes": k}, out)
# A class absent from the training labels (num_classes = 4): its column is 0.
x, y = clusters(7, 90, 3, 2, 1.0)
y = np.where(y == 2, 3, y)
nb = GaussianNB().fit(x, y)
lr = LogisticRegression().fit(x, y)
proba, proba_lr = np.zeros((len(x), 4)), np.zeros((len(x), 4))
proba[:, nb.classes_] = nb.predict_proba(x)
proba_lr[:, lr.classes_] = lr.predict_proba(x)
w.case("models_absent_class", {"x": x, "y": y, "x_test": x}, {"num_classes": 4},
       {"gnb_proba": proba, "gnb_theta": nb.theta_, "gnb_var": nb.var_, "gnb_class_prior": nb.class_prior_,
        "gnb_epsilon": nb.epsilon_, "lr_C1.0_b_proba": proba_lr, "lr_C1.0_b_n_iter": int(lr.n_iter_[0]),
        "lr_C1.0_b_coef": lr.coef_, "lr_C1.0_b_intercept": lr.intercept_})

# ---------------------------------------------------------------------------------------
# 4. Cross-validation helpers with GaussianNB.
CV_RUNS = [(0, 5), (3, 3), (42, 10)]


def cv_weights(n):
    """The per-example weights of the weighted cross-validation cases."""
    return 0.5 + (np.arange(n) % 7) / 7.0


cv_sets = [
    ("k3_n150", *clusters(11, 150, 3, 3, 1.0, noise=0.15)),
    ("k5_n500", *clusters(12, 500, 5, 4, 1.5, noise=0.2)),
    ("k4_n300_imb", *clusters(13, 300, 4, 3, 1.2, noise=0.1, weights=[0.5, 0.3, 0.15, 0.05])),
]
# A singleton class (duplicated into its training fold) and a class with two members.
x, y = clusters(14, 120, 3, 2, 1.5, noise=0.1)
x = np.vstack([x, [[4.0, 4.0]], [[-4.0, 4.0], [-4.2, 3.8]]])
y = np.concatenate([y, [3], [4, 4]]).astype(np.int64)
cv_sets.append(("rare_n123", x, y))
for name, x, y in cv_sets:
    cv_out = {}
    thr = np.linspace(0.3, 0.6, int(y.max()) + 1)
    for seed, folds in CV_RUNS:
        pp, msgs = warn_messages(lambda: count.estimate_cv_predicted_probabilities(
            x, y, clf=GaussianNB(), cv_n_folds=folds, seed=seed))
        cj, _ = count.estimate_confident_joint_and_cv_pred_proba(
            x, y, clf=GaussianNB(), cv_n_folds=folds, seed=seed)
        cj_raw, _ = count.estimate_confident_joint_and_cv_pred_proba(
            x, y, clf=GaussianNB(), cv_n_folds=folds, seed=seed, calibrate=False)
        py, nm, inv, cj2, _ = count.estimate_py_noise_matrices_and_cv_pred_proba(
            x, y, clf=GaussianNB(), cv_n_folds=folds, seed=seed)
        py_c, nm_c, inv_c, _, _ = count.estimate_py_noise_matrices_and_cv_pred_proba(
            x, y, clf=GaussianNB(), cv_n_folds=folds, seed=seed, converge_latent_estimates=True,
            py_method="marginal")
        nm_e, inv_e = count.estimate_noise_matrices(x, y, clf=GaussianNB(), cv_n_folds=folds, seed=seed)
        cj_t, _ = count.estimate_confident_joint_and_cv_pred_proba(
            x, y, clf=GaussianNB(), cv_n_folds=folds, seed=seed, thresholds=thr)
        # Sample weights indexed per fold, as cl-learn's CvOptions::sample_weight does.
        skf = StratifiedKFold(folds, shuffle=True, random_state=seed)
        pp_w = np.zeros_like(pp)
        for tr, te in skf.split(x, y):
            if len(np.unique(y[tr])) < len(np.unique(y)):
                pp_w = None  # a class missing from a training fold: not compared
                break
            pp_w[te] = GaussianNB().fit(x[tr], y[tr], sample_weight=cv_weights(len(y))[tr]).predict_proba(x[te])
        res = {"pred_probs": pp, "warnings": msgs, "confident_joint": cj, "confident_joint_raw": cj_raw,
               "py": py, "noise_matrix": nm, "inverse_noise_matrix": inv, "confident_joint_2": cj2,
               "py_conv_marginal": py_c, "noise_matrix_conv_marginal": nm_c,
               "inverse_noise_matrix_conv_marginal": inv_c,
               "noise_matrix_e": nm_e, "inverse_noise_matrix_e": inv_e, "confident_joint_thr": cj_t,
               "pred_probs_weighted": pp_w}
        for key, v in res.items():
            cv_out[f"seed{seed}_f{folds}__{key}"] = v
    w.case(f"cv_{name}", {"x": x, "labels": y, "thresholds": thr}, {}, cv_out)

# ---------------------------------------------------------------------------------------
# 5. CleanLearning.find_label_issues from given pred_probs.
issue_sets = [
    ("k3_n300", *make_classification(21, 300, 3, 1.0, 0.25)),
    ("k5_n600", *make_classification(22, 600, 5, 0.7, 0.2)),
    ("k2_n400", *make_classification(23, 400, 2, 1.0, 0.2)),
    ("k4_n200_absent", *make_classification(24, 200, 4, 0.8, 0.2, absent=(2,))),
    ("k10_n800", *make_classification(25, 800, 10, 0.5, 0.15)),
]


def nm_for(k, seed):
    r = np.random.RandomState(seed)
    m = r.rand(k, k) * 0.1
    np.fill_diagonal(m, 0.0)
    m /= np.maximum(m.sum(axis=0, keepdims=True), 1e-12)
    m *= 0.2
    m += np.eye(k) * 0.8
    return m


OPTION_SETS = {
    "default": ({}, {}),
    "both": ({"find_label_issues_kwargs": {"filter_by": "both"}}, {}),
    "by_class_min3": ({"find_label_issues_kwargs": {"filter_by": "prune_by_class", "min_examples_per_class": 3}}, {}),
    "cl": ({"find_label_issues_kwargs": {"filter_by": "confident_learning"}}, {}),
    "pnq": ({"find_label_issues_kwargs": {"filter_by": "predicted_neq_given"}}, {}),
    "low_margin": ({"find_label_issues_kwargs": {"filter_by": "low_normalized_margin"}}, {}),
    "frac05": ({"find_label_issues_kwargs": {"frac_noise": 0.5}}, {}),
    "converge": ({"converge_latent_estimates": True}, {}),
    "thresholds": ({}, {"thresholds": "t"}),
    "nm": ({}, {"noise_matrix": "nm"}),
    "inv": ({}, {"inverse_noise_matrix": "nm"}),
    "nm_inv": ({}, {"noise_matrix": "nm", "inverse_noise_matrix": "nmT"}),
    "user_cj": ({"find_label_issues_kwargs": {"confident_joint": "cj"}}, {}),
    "lq_margin": ({"label_quality_scores_kwargs": {"method": "normalized_margin"}}, {}),
    "lq_entropy": ({"label_quality_scores_kwargs": {"method": "confidence_weighted_entropy"}}, {}),
    "lq_adjust": ({"label_quality_scores_kwargs": {"adjust_pred_probs": True}}, {}),
    "low_memory": ({"low_memory": True}, {}),
    "pu0": ({"pulearning": 0}, {}),
    "pu1": ({"pulearning": 1}, {}),
    "pu1_nm": ({"pulearning": 1}, {"noise_matrix": "nm"}),
    "pu0_user_cj": ({"pulearning": 0, "find_label_issues_kwargs": {"confident_joint": "cj"}}, {}),
}


def arr(v):
    return None if v is None else np.asarray(v)


for name, p, y in issue_sets:
    k = p.shape[1]
    t = np.linspace(0.25, 0.55, k)
    nm = nm_for(k, k)
    user_cj = count.compute_confident_joint(y, p, calibrate=False)
    subst = {"t": t, "nm": nm, "nmT": (nm.T / nm.T.sum(axis=0, keepdims=True)) * 0.999 + np.eye(k) * 0.001,
             "cj": user_cj}
    outputs = {}
    for opt, (ctor, call) in OPTION_SETS.items():
        if opt.startswith("pu") and k != 2:
            continue
        ctor = {a: ({b: subst.get(c, c) if isinstance(c, str) else c for b, c in v.items()} if isinstance(v, dict) else v)
                for a, v in ctor.items()}
        ctor = {a: ({b: (c.copy() if isinstance(c, np.ndarray) else c) for b, c in v.items()} if isinstance(v, dict) else v)
                for a, v in ctor.items()}
        kwargs = {a: subst[v].copy() for a, v in call.items()}
        cl = CleanLearning(GaussianNB(), verbose=False, **ctor)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                try:
                    df = cl.find_label_issues(None, y, pred_probs=p, **kwargs)
                except Exception as e:  # noqa: BLE001 - the oracle's exception is the output
                    outputs[f"{opt}__error"] = f"{type(e).__name__}: {e}"
                    continue
        res = {"is_label_issue": df["is_label_issue"].values, "label_quality": df["label_quality"].values,
               "given_label": df["given_label"].values.astype(np.int64),
               "predicted_label": df["predicted_label"].values.astype(np.int64),
               "noise_matrix": arr(cl.noise_matrix), "inverse_noise_matrix": arr(cl.inverse_noise_matrix),
               "py": arr(cl.py), "confident_joint": arr(cl.confident_joint)}
        for key, v in res.items():
            # The table columns that the option cannot change are stored once.
            if key in ("given_label", "predicted_label") and opt != "default":
                continue
            if key == "label_quality" and opt not in ("default", "lq_margin", "lq_entropy", "lq_adjust"):
                continue
            outputs[f"{opt}__{key}"] = v
    w.case(f"issues_{name}", {"labels": y, "pred_probs": p, "thresholds": t, "noise_matrix": nm,
                              "inverse_noise_matrix": subst["nmT"], "user_confident_joint": user_cj},
           {}, outputs)

# ---------------------------------------------------------------------------------------
# 6. CleanLearning.fit with GaussianNB: sample weights and the final model.
for name, x, y in cv_sets[:3]:
    k = int(y.max()) + 1
    pp = count.estimate_cv_predicted_probabilities(x, y, clf=GaussianNB(), seed=1)
    # (a) from pred_probs: finds issues, weights by the noise matrix.
    cl = CleanLearning(GaussianNB())
    cl.fit(x, y, pred_probs=pp)
    out_a = {"sample_weight": cl.label_issues_df["sample_weight"].values,
             "is_label_issue": cl.label_issues_df["is_label_issue"].values,
             "proba": cl.predict_proba(x[::5]), "score": cl.score(x, y)}
    # (b) find_label_issues first, then fit with the table (weights from the stored matrix).
    cl = CleanLearning(GaussianNB(), find_label_issues_kwargs={"filter_by": "both"})
    df = cl.find_label_issues(x, y, pred_probs=pp)
    cl.fit(x, y, label_issues=df)
    out_b = {"sample_weight": cl.label_issues_df["sample_weight"].values, "proba": cl.predict_proba(x[::5])}
    # (c) a fresh instance with a mask: no weights.
    cl = CleanLearning(GaussianNB())
    cl.fit(x, y, label_issues=df["is_label_issue"].values)
    out_c = {"has_sample_weight": "sample_weight" in cl.label_issues_df.columns, "proba": cl.predict_proba(x[::5])}
    # (d) user weights.
    uw = np.linspace(0.5, 1.5, len(y))
    cl = CleanLearning(GaussianNB())
    cl.fit(x, y, pred_probs=pp, sample_weight=uw)
    out_d = {"has_sample_weight": "sample_weight" in cl.label_issues_df.columns, "proba": cl.predict_proba(x[::5])}
    # (e) features only: cross-validation inside CleanLearning (seeded).
    cl = CleanLearning(GaussianNB(), seed=5, cv_n_folds=4)
    df_e = cl.find_label_issues(x, y)
    cl.fit(x, y)
    out_e = {"is_label_issue": df_e["is_label_issue"].values, "label_quality": df_e["label_quality"].values,
             "predicted_label": df_e["predicted_label"].values.astype(np.int64),
             "sample_weight": cl.label_issues_df["sample_weight"].values, "proba": cl.predict_proba(x[::5]),
             "noise_matrix": cl.noise_matrix}
    outputs = {}
    for tag, o in [("a", out_a), ("b", out_b), ("c", out_c), ("d", out_d), ("e", out_e)]:
        for key, v in o.items():
            outputs[f"{tag}_{key}"] = v
    w.case(f"fit_{name}", {"x": x, "labels": y, "pred_probs": pp, "user_weight": uw}, {"num_classes": k}, outputs)

# ---------------------------------------------------------------------------------------
# 7. Errors.
x, y = clusters(31, 100, 3, 2, 1.0)
pp = np.full((100, 3), 1 / 3)
errs = {
    "need_more_data": lambda: CleanLearning(GaussianNB(), cv_n_folds=40).find_label_issues(x, y),
    "one_fold": lambda: CleanLearning(GaussianNB(), cv_n_folds=1).find_label_issues(x, y),
    "trace_nm": lambda: CleanLearning(GaussianNB()).find_label_issues(x, y, pred_probs=pp, noise_matrix=np.eye(3) * 0.3),
    "trace_inv": lambda: CleanLearning(GaussianNB()).find_label_issues(
        x, y, pred_probs=pp, inverse_noise_matrix=np.eye(3) * 0.3),
    "issues_length": lambda: CleanLearning(GaussianNB()).fit(x, y, label_issues=np.zeros(50, dtype=bool)),
    "issues_duplicate": lambda: CleanLearning(GaussianNB()).fit(x, y, label_issues=np.array([1, 1, 2])),
    "skf_all_rare": lambda: count.estimate_cv_predicted_probabilities(
        np.arange(8.0).reshape(-1, 1), np.array([0, 1, 2, 3] * 2), clf=GaussianNB(), seed=1),
}
for name, fn in errs.items():
    w.case(f"error_{name}", {"x": x, "labels": y}, {}, {"error": w.error_of(fn)})


# ---------------------------------------------------------------------------------------
# 8. The demo dataset (cl_learn::demo) drawn with numpy, and cleanlab's CleanLearning on it
#    with scikit-learn's LogisticRegression.
from cleanlab.benchmarking.noise_generation import generate_noise_matrix_from_trace, generate_noisy_labels  # noqa: E402


def demo_data(seed=0, n=3000, n_test=1000, k=5, d=6, sep=2.0, noise_rate=0.2):
    rng = np.random.RandomState(seed)
    raw = 1.0 - 0.5 * np.arange(k) / (k - 1.0)
    prior = raw / raw.sum()
    centres = rng.normal(0.0, sep, (k, d))
    y = rng.choice(k, n, p=prior)
    x = centres[y] + rng.standard_normal((n, d))
    yt = rng.choice(k, n_test, p=prior)
    xt = centres[yt] + rng.standard_normal((n_test, d))
    py = np.bincount(y, minlength=k) / n
    nm = generate_noise_matrix_from_trace(k, k * (1 - noise_rate), py=py, valid_noise_matrix=True, seed=seed + 1)
    noisy = generate_noisy_labels(y, nm)
    return x, y, noisy, xt, yt, nm


x, y, noisy, xt, yt, nm = demo_data()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    cl = CleanLearning(LogisticRegression(), seed=0, cv_n_folds=5)
    df = cl.find_label_issues(x, noisy)
w.case("demo_default", {}, {"seed": 0},
       {"true_labels": y, "labels": noisy, "test_labels": yt, "noise_matrix": nm,
        "features_head": x[:20], "features_colsum": x.sum(axis=0), "test_features_head": xt[:20],
        "is_label_issue": df["is_label_issue"].values, "label_quality": df["label_quality"].values})
w.done()
