"""Golden fixtures for `cl_core::count` (cleanlab.count, single-label).

Run: python gen_count.py OUT_ROOT   (writes OUT_ROOT/count/)

Case kinds (params.kind):

* `scenario`: labels + pred_probs; outputs every count result cleanlab computes from them
  (thresholds, raw/calibrated confident joint, off-diagonal indices, estimate_joint,
  num_label_issues for the three methods, the _reduce_issues mask, estimate_latent for
  py_method x converge, estimate_py_and_noise_matrices_from_probabilities defaults).
  Data: seeded pred_probs rows from a Dirichlet concentrated on a hidden true class; labels
  are the argmax with a fraction replaced by random classes (continuous values, so no sort
  ties); variants with imbalanced, absent and single-example classes, values placed exactly
  on the confident cut `t_k - 1e-6` (and one ulp either side), exact argmax ties, and the
  spec's appendix A.1/A.2.
* `confident_joint`, `calibrate`, `estimate_joint`, `joint_from_cj`, `latent`, `py_noise`,
  `num_issues_custom`: one function with explicit options.

Tie order: cleanlab rounds calibrated joints with numpy's default (unstable, CPU-dependent)
argsort. Every case is computed with np.argsort forced to kind="stable" (the Rust port's
documented tie order); `native_tie_order_differs` records whether the installed numpy chose
differently.

float32 scenarios: cleanlab computes in float32, the port in float64 on widened values. The
expected outputs are cleanlab's on the widened float64 input; the generator checks that
every integer output (joints, indices, counts, masks) is the same for the float32 input, and
stores cleanlab's float32 thresholds as `thresholds_f32`.
"""

import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import Writer, stable_argsort  # noqa: E402

import cleanlab.count as cc  # noqa: E402

warnings.simplefilter("ignore")

PY_METHODS = ["cnt", "eqn", "marginal", "marginal_ps"]


def err_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e}"
    return None


def guarded(out, key, fn):
    """out[key] = fn(), or out[key + '_error'] = the exception text."""
    try:
        out[key] = fn()
    except Exception as e:  # noqa: BLE001
        out[key + "_error"] = f"{type(e).__name__}: {e}"


def compute_all(labels, p, full_latent):
    out = {}
    out["thresholds"] = cc.get_confident_thresholds(labels, p)
    cj_raw, off = cc.compute_confident_joint(labels, p, calibrate=False, return_indices_of_off_diagonals=True)
    out["cj_raw"] = cj_raw
    out["off_diagonal"] = np.asarray(off, dtype=np.int64)
    cj = cc.compute_confident_joint(labels, p)
    out["cj"] = cj
    out["joint"] = cc.estimate_joint(labels, p)
    guarded(out, "nli_off_diagonal", lambda: cc.num_label_issues(labels, p))
    guarded(out, "nli_calibrated", lambda: cc.num_label_issues(labels, p, estimation_method="off_diagonal_calibrated"))
    guarded(
        out,
        "nli_custom_raw",
        lambda: cc.num_label_issues(labels, p, estimation_method="off_diagonal_custom", confident_joint=cj_raw),
    )
    out["reduce_mask"] = np.asarray(cc._reduce_issues(p, labels), dtype=bool)
    combos = [(m, c) for m in PY_METHODS for c in (False, True)] if full_latent else [("cnt", False), ("cnt", True)]
    for m, c in combos:
        key = f"latent_{m}_{int(c)}"
        try:
            py, nm, inv = cc.estimate_latent(cj, labels, py_method=m, converge_latent_estimates=c)
            out[key + "_py"], out[key + "_nm"], out[key + "_inv"] = py, nm, inv
        except Exception as e:  # noqa: BLE001
            out[key + "_error"] = f"{type(e).__name__}: {e}"
    py, nm, inv, cj2 = cc.estimate_py_and_noise_matrices_from_probabilities(labels, p)
    out["pyn_py"], out["pyn_nm"], out["pyn_inv"], out["pyn_cj"] = py, nm, inv, cj2
    return out


INT_KEYS = ("cj_raw", "off_diagonal", "cj", "reduce_mask", "pyn_cj", "nli_off_diagonal", "nli_calibrated", "nli_custom_raw")


def same(a, b):
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, str) or isinstance(y, str):
            if x != y:
                return False
        elif not np.array_equal(np.asarray(x), np.asarray(y)):
            return False
    return True


def outputs_for(labels, p, full_latent):
    with stable_argsort():
        out = compute_all(labels, p, full_latent)
    native = compute_all(labels, p, full_latent)
    out["native_tie_order_differs"] = not same(out, native)
    return out


def make_data(rng, n, k, *, alpha=1.0, conc=3.0, noise=0.2, prior=None, absent=(), singleton=None):
    true = rng.choice(k, n, p=prior)
    conc_vec = np.full((n, k), alpha)
    conc_vec[np.arange(n), true] += conc
    p = np.vstack([rng.dirichlet(c) for c in conc_vec])
    labels = p.argmax(axis=1)
    flip = rng.random(n) < noise
    labels[flip] = rng.integers(0, k, int(flip.sum()))
    present = [c for c in range(k) if c not in absent]
    for a in absent:
        idx = np.where(labels == a)[0]
        labels[idx] = rng.choice(present, len(idx))
    if singleton is not None:
        idx = np.where(labels == singleton)[0]
        if len(idx) == 0:
            labels[0] = singleton
        else:
            others = [c for c in present if c != singleton]
            labels[idx[1:]] = rng.choice(others, len(idx) - 1)
    return labels.astype(np.int64), p


def place_on_cuts(rng, labels, p, rows):
    """Put p[r, k] exactly on (or one ulp around) the confident cut t_k - 1e-6 for some
    classes k != labels[r]; thresholds do not change (only rows labelled k enter t_k)."""
    t = cc.get_confident_thresholds(labels, p)
    k = p.shape[1]
    for j, r in enumerate(rows):
        choices = [c for c in range(k) if c != labels[r] and t[c] < 2]
        c = choices[j % len(choices)]
        cut = t[c] - 1e-6
        p[r, c] = [cut, np.nextafter(cut, -np.inf), np.nextafter(cut, np.inf), t[c]][j % 4]
    assert np.array_equal(t, cc.get_confident_thresholds(labels, p))
    return p


def reduce_boundary(labels, p, rows):
    """Make the given label lose/tie/win the +1e-6 argmax test by tiny margins."""
    for j, r in enumerate(rows):
        y = labels[r]
        m = max(p[r, c] for c in range(p.shape[1]) if c != y)
        p[r, y] = m - [5e-7, 2e-6, 1e-6][j % 3]
        p[r, y] = max(p[r, y], 0.0)
    return p


def main():
    w = Writer("count")
    rng = np.random.default_rng(31337)

    def scenario(name, labels, p, full_latent=None, note=""):
        k = p.shape[1]
        full = k <= 10 if full_latent is None else full_latent
        if p.dtype == np.float32:
            wide = p.astype(np.float64)
            out = outputs_for(labels, wide, full)
            native32 = outputs_for(labels, p, full)
            for key in INT_KEYS:
                if key in out or key in native32:
                    assert np.array_equal(np.asarray(out.get(key)), np.asarray(native32.get(key))), (name, key)
            out["thresholds_f32"] = native32["thresholds"]
        else:
            out = outputs_for(labels, p, full)
        w.case(
            f"scenario_{name}",
            {"labels": labels.astype(np.int32) if len(labels) > 4096 else labels, "pred_probs": p},
            {"kind": "scenario", "dtype": "f32" if p.dtype == np.float32 else "f64", "note": note},
            out,
        )

    # ---- spec appendix A --------------------------------------------------------------------
    a1_p = np.array([[0.9, 0.1, 0], [0.6, 0.2, 0.2], [0.1, 0, 0.9]] + [[0.1, 0.8, 0.1]] * 6 + [[0.1, 0.1, 0.8]])
    a1_y = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 2])
    scenario("spec_a1", a1_y, a1_p, note="spec appendix A.1")
    a2_y = np.array([0, 0, 2, 2, 2])
    a2_p = np.array([[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.2, 0.1, 0.7], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    scenario("spec_a2", a2_y, a2_p, note="spec appendix A.2 (absent class)")

    # ---- random -----------------------------------------------------------------------------
    sizes = [(5, 2), (6, 3), (10, 2), (12, 4), (20, 3), (30, 5), (50, 2), (100, 5), (150, 8), (200, 10), (300, 3), (400, 7), (800, 15)]
    for n, k in sizes:
        labels, p = make_data(rng, n, k)
        while len(np.unique(labels)) < 2:
            labels, p = make_data(rng, n, k)
        scenario(f"random_n{n:05d}_k{k:02d}", labels, p)
    labels, p = make_data(rng, 2000, 50, alpha=0.3, conc=4.0)
    scenario("random_n02000_k50", labels, p)
    labels, p = make_data(rng, 20000, 5, noise=0.15)
    scenario("random_n20000_k05", labels, p)

    # ---- shapes of the label distribution ----------------------------------------------------
    labels, p = make_data(rng, 400, 4, prior=[0.85, 0.1, 0.04, 0.01])
    scenario("imbalanced_n400_k4", labels, p, note="prior 0.85/0.10/0.04/0.01")
    labels, p = make_data(rng, 700, 6, prior=[0.5, 0.3, 0.1, 0.05, 0.04, 0.01], noise=0.3)
    scenario("imbalanced_n700_k6", labels, p)
    labels, p = make_data(rng, 200, 5, absent=(3,))
    scenario("absent_one_n200_k5", labels, p)
    labels, p = make_data(rng, 100, 6, absent=(0, 4))
    scenario("absent_two_n100_k6", labels, p)
    labels, p = make_data(rng, 50, 3, absent=(2,))
    scenario("absent_last_n50_k3", labels, p)
    labels, p = make_data(rng, 100, 4, singleton=2)
    scenario("singleton_n100_k4", labels, p)
    labels, p = make_data(rng, 60, 5, singleton=0, absent=(3,))
    scenario("singleton_absent_n60_k5", labels, p)
    labels, p = make_data(rng, 40, 3)
    labels[:] = 1
    scenario("single_class_n40_k3", labels, p, note="num_label_issues rejects one class; the rest accept it")
    labels, p = make_data(rng, 300, 4, noise=0.8)
    scenario("high_noise_n300_k4", labels, p)
    labels, p = make_data(rng, 300, 4, noise=0.0)
    scenario("no_noise_n300_k4", labels, p)
    labels, p = make_data(rng, 300, 6, alpha=0.1, conc=1.0)
    scenario("sharp_n300_k6", labels, p)
    labels, p = make_data(rng, 300, 6, alpha=5.0, conc=2.0)
    scenario("flat_n300_k6", labels, p)

    # ---- exact boundaries ---------------------------------------------------------------------
    for n, k in [(200, 4), (300, 6)]:
        labels, p = make_data(rng, n, k)
        p = reduce_boundary(labels, p, list(range(0, 30)))
        p = place_on_cuts(rng, labels, p, list(range(30, 30 + 40)))
        scenario(f"cut_boundaries_n{n}_k{k}", labels, p, note="values on t-1e-6, one ulp around it, on t; +1e-6 argmax boundary")
    labels, p = make_data(rng, 100, 3)
    for r in range(0, 100, 4):
        a, b = sorted(rng.choice(3, 2, replace=False))
        p[r] = 0.1
        p[r, a] = p[r, b] = 0.45
    scenario("argmax_ties_n100_k3", labels, p, note="rows with exact ties for the maximum")

    # ---- float32 ---------------------------------------------------------------------------------
    f32_sizes = [(50, 2), (300, 5), (600, 3), (1000, 20), (2000, 10)]
    for n, k in f32_sizes:
        labels, p = make_data(rng, n, k)
        scenario(f"f32_n{n:05d}_k{k:02d}", labels, p.astype(np.float32))

    # ---- compute_confident_joint with options -------------------------------------------------
    labels, p = make_data(rng, 120, 4)
    t_rand = rng.uniform(0.2, 0.7, 4)
    t_data = cc.get_confident_thresholds(labels, p)
    t_cut = np.array([p[3, 0], p[7, 1], p[11, 2], p[13, 3]]) + 1e-6  # rows exactly on the cut
    for name, t, cal, idx in [
        ("random_thresholds", t_rand, True, True),
        ("random_thresholds_raw", t_rand, False, True),
        ("data_thresholds", t_data, True, False),
        ("exact_cut", t_cut, False, True),
        ("none_confident", np.full(4, 0.999), True, True),
    ]:
        with stable_argsort():
            res = cc.compute_confident_joint(labels, p, thresholds=t, calibrate=cal, return_indices_of_off_diagonals=idx)
        out = {"cj": res[0], "off_diagonal": np.asarray(res[1], dtype=np.int64)} if idx else {"cj": res}
        w.case(
            f"confident_joint_{name}",
            {"labels": labels, "pred_probs": p, "thresholds": t},
            {"kind": "confident_joint", "calibrate": cal, "return_indices": idx},
            out,
        )
    w.case(
        "confident_joint_error_thresholds_length",
        {"labels": labels, "pred_probs": p, "thresholds": t_rand[:3]},
        {"kind": "confident_joint", "calibrate": True, "return_indices": False},
        {"error": err_of(lambda: cc.compute_confident_joint(labels, p, thresholds=t_rand[:3]))},
    )
    # Spec 1.10: no confident example at all, counts [1, 2] -> identity -> [[1,0],[0,2]].
    y2 = np.array([0, 1, 1])
    p2 = np.array([[0.5, 0.5], [0.5, 0.5], [0.6, 0.4]])
    with stable_argsort():
        res = cc.compute_confident_joint(y2, p2, thresholds=[0.9, 0.9])
    w.case(
        "confident_joint_spec_no_confident",
        {"labels": y2, "pred_probs": p2, "thresholds": np.array([0.9, 0.9])},
        {"kind": "confident_joint", "calibrate": True, "return_indices": False},
        {"cj": res},
    )

    # ---- calibrate_confident_joint ------------------------------------------------------------------
    for i, (k, n, hi) in enumerate([(2, 10, 5), (3, 25, 6), (4, 60, 10), (5, 100, 20), (8, 300, 15), (12, 500, 30)]):
        cj = rng.integers(0, hi, (k, k))
        np.fill_diagonal(cj, np.maximum(np.diagonal(cj), 1))
        labels = rng.integers(0, k, n)
        if i == 2:
            labels[labels == 1] = 0  # an absent class
        with stable_argsort():
            out = cc.calibrate_confident_joint(cj, labels)
        native = cc.calibrate_confident_joint(cj, labels)
        w.case(
            f"calibrate_k{k:02d}",
            {"confident_joint": cj, "labels": labels},
            {"kind": "calibrate"},
            {"cj": out, "native_tie_order_differs": not np.array_equal(out, native)},
        )
    cj = np.array([[2, 1], [0, 3]])
    w.case(
        "calibrate_error_label_beyond_k",
        {"confident_joint": cj, "labels": np.array([0, 1, 2])},
        {"kind": "calibrate"},
        {"error": err_of(lambda: cc.calibrate_confident_joint(cj, np.array([0, 1, 2])))},
    )

    # ---- estimate_joint with a given confident joint, and with labels=None -------------------------
    for i, k in enumerate([3, 6]):
        labels, p = make_data(rng, 40 * k, k)
        cj = rng.integers(0, 20, (k, k))
        np.fill_diagonal(cj, np.diagonal(cj) + 10)
        with stable_argsort():
            out = cc.estimate_joint(labels, p, confident_joint=cj)
        w.case(
            f"estimate_joint_given_cj_k{k}",
            {"labels": labels, "pred_probs": p, "confident_joint": cj},
            {"kind": "estimate_joint"},
            {"joint": out},
        )
        w.case(
            f"joint_from_cj_k{k}",
            {"confident_joint": cj},
            {"kind": "joint_from_cj"},
            {"joint": cc.estimate_joint(None, p, confident_joint=cj)},
        )

    # ---- estimate_latent from a given confident joint --------------------------------------------------
    for k, n in [(3, 60), (6, 300), (12, 1000)]:
        cj = rng.integers(0, 15, (k, k))
        np.fill_diagonal(cj, np.diagonal(cj) + 20)
        labels = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
        out = {}
        for m in PY_METHODS:
            for c in (False, True):
                py, nm, inv = cc.estimate_latent(cj, labels, py_method=m, converge_latent_estimates=c)
                key = f"latent_{m}_{int(c)}"
                out[key + "_py"], out[key + "_nm"], out[key + "_inv"] = py, nm, inv
        w.case(f"latent_k{k:02d}", {"confident_joint": cj, "labels": labels}, {"kind": "latent"}, out)
    # Extreme rates: an off-diagonal count dwarfing the diagonal (noise rate > 0.9999 clipped).
    # (Labels only give ps; their counts need not match the joint's row sums.)
    cj = np.array([[1, 0, 0], [20000, 1, 0], [0, 2, 50]])
    labels = np.array([0] * 5 + [1] * 11 + [2] * 7)
    out = {}
    for m in PY_METHODS:
        for c in (False, True):
            key = f"latent_{m}_{int(c)}"
            try:
                py, nm, inv = cc.estimate_latent(cj, labels, py_method=m, converge_latent_estimates=c)
                out[key + "_py"], out[key + "_nm"], out[key + "_inv"] = py, nm, inv
            except Exception as e:  # noqa: BLE001
                out[key + "_error"] = f"{type(e).__name__}: {e}"
    w.case("latent_extreme_rates", {"confident_joint": cj, "labels": labels}, {"kind": "latent"}, out)
    # Absent class: eqn meets a singular noise matrix.
    cj = np.array([[5, 0, 1], [0, 0, 0], [2, 0, 7]])
    labels = np.array([0] * 6 + [2] * 9)
    out = {}
    for m in PY_METHODS:
        key = f"latent_{m}_0"
        try:
            py, nm, inv = cc.estimate_latent(cj, labels, py_method=m)
            out[key + "_py"], out[key + "_nm"], out[key + "_inv"] = py, nm, inv
        except Exception as e:  # noqa: BLE001
            out[key + "_error"] = f"{type(e).__name__}: {e}"
    w.case("latent_absent_class", {"confident_joint": cj, "labels": labels}, {"kind": "latent"}, out)

    # ---- estimate_py_and_noise_matrices_from_probabilities options ----------------------------------
    labels, p = make_data(rng, 150, 5)
    t_given = rng.uniform(0.3, 0.6, 5)
    for name, kw in [
        ("calibrate_false", {"calibrate": False}),
        ("converge_false", {"converge_latent_estimates": False}),
        ("eqn", {"py_method": "eqn"}),
        ("marginal", {"py_method": "marginal"}),
        ("marginal_ps", {"py_method": "marginal_ps"}),
        ("thresholds", {"thresholds": t_given}),
        ("marginal_no_converge_raw", {"py_method": "marginal", "converge_latent_estimates": False, "calibrate": False}),
    ]:
        with stable_argsort():
            py, nm, inv, cj = cc.estimate_py_and_noise_matrices_from_probabilities(labels, p, **kw)
        params = {"kind": "py_noise", **{k: v for k, v in kw.items() if k != "thresholds"}}
        inputs = {"labels": labels, "pred_probs": p}
        if "thresholds" in kw:
            inputs["thresholds"] = kw["thresholds"]
        w.case(f"py_noise_{name}", inputs, params, {"py": py, "nm": nm, "inv": inv, "cj": cj})

    # ---- num_label_issues with a custom confident joint, and errors -----------------------------------
    for k in [2, 4, 7]:
        labels, p = make_data(rng, 30 * k, k)
        cj = rng.integers(0, 10, (k, k))
        np.fill_diagonal(cj, np.diagonal(cj) + 15)
        with stable_argsort():
            out = cc.num_label_issues(labels, p, estimation_method="off_diagonal_custom", confident_joint=cj)
        w.case(
            f"num_issues_custom_k{k}",
            {"labels": labels, "pred_probs": p, "confident_joint": cj},
            {"kind": "num_issues_custom"},
            {"num_issues": out},
        )
    labels, p = make_data(rng, 30, 3)
    bad = np.ones((2, 2), dtype=np.int64)
    w.case(
        "num_issues_custom_error_shape",
        {"labels": labels, "pred_probs": p, "confident_joint": bad},
        {"kind": "num_issues_custom"},
        {"error": err_of(lambda: cc.num_label_issues(labels, p, estimation_method="off_diagonal_custom", confident_joint=bad))},
    )
    w.done()


if __name__ == "__main__":
    main()
