"""Golden fixtures for `cl_core::util` (cleanlab.internal.util helpers).

Run: python gen_util.py OUT_ROOT   (writes OUT_ROOT/util/)

Every case has params.fn naming the function. Rounding cases are generated twice: with
numpy's default argsort (cleanlab as installed) and with a stable argsort (the documented
tie order of the Rust port). The stable result is the expected output; `native_differs`
records whether this machine's unstable sort chose differently among equal residuals.
"""

import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import Writer, stable_argsort  # noqa: E402

from cleanlab.internal import util as cu  # noqa: E402

warnings.simplefilter("ignore")

def both(fn):
    native = fn()
    with stable_argsort():
        stable = fn()
    return stable, not np.array_equal(native, stable)


def main():
    w = Writer("util")
    rng = np.random.default_rng(20240901)

    # ---- value_counts -------------------------------------------------------------
    vc_cases = [
        ("dense", rng.integers(0, 5, 60), 5),
        ("missing", np.array([0, 2, 2, 4, 4, 4]), 6),
        ("packed_quirk", np.array([0, 2]), 2),
        ("no_num_classes", np.array([2, 0, 2, 7]), None),
        ("single", np.array([1, 1]), 1),
        ("too_small", np.array([0, 2, 3]), 2),
        ("too_small_single", np.array([3]), 2),
        ("large", rng.integers(0, 50, 3000), 50),
    ]
    for name, x, k in vc_cases:
        err = w.error_of(lambda: cu.value_counts(x, num_classes=k))
        out = {"error": err} if err else {"counts": cu.value_counts(x, num_classes=k)}
        w.case(f"value_counts_{name}", {"x": x.astype(np.int64)}, {"fn": "value_counts", "num_classes": k}, out)

    for name, x, k in [("some", np.array([0, 2, 2]), 4), ("none", np.array([1, 0, 2]), 3), ("all_but_one", np.array([3, 3]), 4)]:
        w.case(
            f"missing_classes_{name}",
            {"x": x},
            {"fn": "get_missing_classes", "num_classes": k},
            {"missing": cu.get_missing_classes(x, num_classes=k)},
        )

    # ---- round_preserving_sum ---------------------------------------------------------
    rps = []
    for i in range(10):
        n = int(rng.integers(1, 40))
        scale = [1.0, 7.0, 100.0, 0.3][i % 4]
        rps.append((f"random{i}", rng.random(n) * scale))
    for i in range(6):
        n = int(rng.integers(2, 20))
        rps.append((f"halves{i}", np.round(rng.random(n) * 8) / 2))
    rps.append(("spec_a4", np.array([0.5, 1.5, 2.5, 0.5])))
    rps.append(("many_units_up", np.full(10, 0.4)))
    rps.append(("many_units_down", np.full(7, 0.6) + np.arange(7)))
    rps.append(("three_units", np.array([0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45])))
    rps.append(("negative", np.array([-1.5, 2.25, -0.75, 3.6])))
    rps.append(("integers", np.array([1.0, 2.0, 3.0])))
    rps.append(("long_pairwise", rng.random(300) * 3))
    for name, x in rps:
        out, differs = both(lambda: cu.round_preserving_sum(x.copy()))
        w.case(
            f"round_preserving_sum_{name}",
            {"x": x},
            {"fn": "round_preserving_sum"},
            {"rounded": out.astype(np.int64), "native_differs": differs},
        )

    for i, (r, c) in enumerate([(3, 4), (5, 5), (10, 12)]):
        m = rng.random((r, c)) * [1, 10, 30][i]
        if i == 1:
            m = np.round(m * 4) / 4
        out, differs = both(lambda: cu.round_preserving_row_totals(m.copy()))
        w.case(
            f"round_preserving_row_totals_{i}",
            {"m": m},
            {"fn": "round_preserving_row_totals"},
            {"rounded": out.astype(np.int64), "native_differs": differs},
        )

    # ---- clip_values ------------------------------------------------------------------------
    clip_cases = [
        ("unit_no_sum", rng.random(8) * 1.5 - 0.2, 0.0, 1.0, None),
        ("unit_sum1", rng.random(12) * 1.5 - 0.2, 0.0, 1.0, 1.0),
        ("prior_clip", np.array([0.5, -0.1, 0.6, 1e-9]), 1e-6, 1.0, 1.0),
        ("narrow", rng.random(20), 0.2, 0.7, 3.0),
        ("all_below", np.array([-0.5, -0.2]), 0.0, 1.0, None),
        ("long", rng.random(500) * 2 - 0.5, 0.0, 1.0, None),
        ("single", np.array([3.0]), 0.0, 1.0, 1.0),
        ("py_like", rng.dirichlet(np.ones(9)) - 0.02, 1e-5, 1.0, 1.0),
    ]
    for name, x, lo, hi, ns in clip_cases:
        w.case(
            f"clip_values_{name}",
            {"x": x},
            {"fn": "clip_values", "low": lo, "high": hi, "new_sum": ns},
            {"clipped": cu.clip_values(x.copy(), lo, hi, ns)},
        )

    # ---- clip_noise_rates -----------------------------------------------------------------
    for i, k in enumerate([2, 3, 7, 12, 30]):
        m = rng.random((k, k)) * (1.3 if i % 2 else 1.0)
        m = m / m.sum(axis=0) * (1.0 if i % 2 else 1.1)
        m[0, k - 1] = 0.99995
        m[k - 1, 0] = -0.01
        w.case(f"clip_noise_rates_k{k}", {"m": m}, {"fn": "clip_noise_rates"}, {"clipped": cu.clip_noise_rates(m.copy())})

    # ---- remove_noise_from_class --------------------------------------------------------------
    for i, k in enumerate([2, 3, 6, 10]):
        m = rng.random((k, k)) + np.eye(k) * k
        m = m / m.sum(axis=0)
        c = int(rng.integers(0, k))
        w.case(
            f"remove_noise_from_class_k{k}",
            {"m": m},
            {"fn": "remove_noise_from_class", "class_without_noise": c},
            {"result": cu.remove_noise_from_class(m.copy(), c)},
        )

    # ---- estimate_pu_f1 ------------------------------------------------------------------------
    pu = [
        ("random", rng.integers(0, 2, 40), rng.random(40)),
        ("random_big", rng.integers(0, 2, 500), rng.random(500)),
        ("no_positive", np.zeros(5, dtype=np.int64), rng.random(5)),
        ("none_predicted", np.array([1, 0, 1]), np.array([0.1, 0.2, 0.49])),
        ("at_half", np.array([1, 0, 1, 1]), np.array([0.5, 0.5, 0.2, 0.7])),
    ]
    for name, s, p in pu:
        w.case(f"estimate_pu_f1_{name}", {"s": s, "prob": p}, {"fn": "estimate_pu_f1"}, {"f1": cu.estimate_pu_f1(s, p)})

    # ---- confusion_matrix ----------------------------------------------------------------------
    cm = [
        ("dense", rng.integers(0, 4, 50), rng.integers(0, 4, 50)),
        ("sparse_values", np.array([0, 2, 2, 5]), np.array([1, 1, 3, 1])),
        ("different_sets", rng.integers(0, 3, 30), rng.integers(2, 6, 30)),
        ("length_mismatch", np.array([0, 1, 2]), np.array([0, 1])),
    ]
    for name, t, p in cm:
        err = w.error_of(lambda: cu.confusion_matrix(t, p))
        out = {"error": err} if err else {"matrix": cu.confusion_matrix(t, p).astype(np.int64)}
        w.case(f"confusion_matrix_{name}", {"true": t, "pred": p}, {"fn": "confusion_matrix"}, out)

    w.done()


if __name__ == "__main__":
    main()
