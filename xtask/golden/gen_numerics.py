"""Golden fixtures for `cl_core::numerics` (numpy/scipy-compatible numerics).

Run from the workspace root:
    target/golden-venv/bin/python xtask/golden/gen_numerics.py fixtures/golden

Oracles: numpy (sum, mean, cumsum, percentile, quantile, median, argsort(kind="stable"),
argmax/argmin, round, astype(int), clip, searchsorted), scipy (stats.iqr, special.xlogy,
special.ndtr) and cleanlab 2.9.0 (`cleanlab.internal.numerics.softmax`).
"""

import os
import sys
import warnings

import numpy as np
from scipy import special, stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import Writer  # noqa: E402

from cleanlab.internal.numerics import softmax  # noqa: E402

warnings.simplefilter("ignore")

w = Writer("numerics")


def wide(rng, n, dtype=np.float64):
    """Random values spanning many magnitudes, so the summation order matters."""
    return (rng.standard_normal(n) * 10.0 ** rng.integers(-3, 7, n)).astype(dtype)


def wide2(rng, shape, dtype=np.float64):
    return (rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 7, shape)).astype(dtype)


# --- pairwise sums: every prefix length 0..300, f64 and f32 --------------------------------
rng = np.random.default_rng(1)
for dt, name in ((np.float64, "f64"), (np.float32, "f32")):
    x = wide(rng, 300, dt)
    sums = np.array([x[:n].sum() for n in range(301)], dtype=dt)
    means = np.array([x[:n].mean() for n in range(1, 301)], dtype=dt)
    w.case(f"sum_prefixes_{name}", inputs={"x": x}, params={"dtype": name},
           outputs={"sums": sums, "means": means})

# Big sums (inputs go to .npy).
for dt, name, n in ((np.float64, "f64", 1000), (np.float64, "f64", 12345),
                    (np.float64, "f64", 100000), (np.float32, "f32", 12345),
                    (np.float32, "f32", 50000)):
    x = wide(rng, n, dt)
    w.case(f"sum_big_{name}_n{n}", inputs={"x": x}, params={"dtype": name},
           outputs={"sum": x.sum(), "mean": x.mean()})

# Probabilities (the typical cleanlab case) and special values.
x = rng.dirichlet(np.ones(10), 5000)[:, 0]
w.case("sum_probs_f64_n5000", inputs={"x": x}, params={"dtype": "f64"},
       outputs={"sum": x.sum(), "mean": x.mean()})
for cname, vals in (("negzero", [-0.0]), ("negzeros9", [-0.0] * 9), ("inf", [1.0, np.inf, 2.0]),
                    ("infs", [np.inf, -np.inf]), ("nan", [1.0, np.nan] + [0.5] * 10)):
    x = np.array(vals)
    w.case(f"sum_special_{cname}", inputs={"x": x}, params={"dtype": "f64"},
           outputs={"sum": x.sum(), "sum_is_negative_zero": bool(np.signbit(x.sum()))})

# --- axis sums / means of matrices -------------------------------------------------------
F_SHAPES = ((200, 10), (500, 3), (17, 200))
for dt, name in ((np.float64, "f64"), (np.float32, "f32")):
    for (n, k) in ((7, 3), (50, 4), (200, 10), (500, 3), (17, 200), (3, 600), (600, 1),
                   (1, 9), (2000, 7)):
        a = wide2(rng, (n, k), dt)
        outputs = {}
        # The same values laid out column-major ("F") are reduced in another order.
        for order in ("C", "F") if (n, k) in F_SHAPES else ("C",):
            af = np.asarray(a, order=order)
            outputs.update({f"sum0_{order}": af.sum(axis=0), f"sum1_{order}": af.sum(axis=1),
                            f"mean0_{order}": af.mean(axis=0),
                            f"mean1_{order}": af.mean(axis=1),
                            f"sum_all_{order}": af.sum(), f"mean_all_{order}": af.mean()})
        w.case(f"axis_sums_{name}_{n}x{k}", inputs={"x": a}, params={"dtype": name},
               outputs=outputs)

# --- cumsum --------------------------------------------------------------------------------
for dt, name, n in ((np.float64, "f64", 0), (np.float64, "f64", 1), (np.float64, "f64", 300),
                    (np.float32, "f32", 300)):
    x = wide(rng, n, dt)
    w.case(f"cumsum_{name}_n{n}", inputs={"x": x}, params={"dtype": name},
           outputs={"cumsum": np.cumsum(x)})

# --- percentiles / quantiles / median / iqr ------------------------------------------------
QS = [0.0, 1.0, 5.0, 10.0, 12.5, 20.0, 25.0, 30.0, 33.0, 100.0 / 3.0, 40.0, 50.0, 60.0,
      66.7, 70.0, 75.0, 80.0, 90.0, 95.0, 97.5, 99.0, 99.9, 100.0]
QS += [float(q) for q in np.round(rng.uniform(0, 100, 17), 6)]
FRACS = [0.0, 0.001, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 0.95, 0.999, 1.0]
FRACS += [float(q) for q in rng.uniform(0, 1, 8)]


def order_stat_case(cname, x):
    x = np.asarray(x, dtype=np.float64)
    w.case(f"order_stats_{cname}", inputs={"x": x}, params={"q": QS, "fractions": FRACS},
           outputs={"percentile": [np.percentile(x, q) for q in QS],
                    "quantile": [np.quantile(x, q) for q in FRACS],
                    "percentile_vec": np.percentile(x, np.array(QS)),
                    "median": np.median(x), "iqr": stats.iqr(x)})


for n in (1, 2, 3, 4, 5, 6, 7, 10, 11, 100, 101, 1000, 1001):
    order_stat_case(f"random_n{n}", rng.standard_normal(n) * 3.0 + 1.0)
for n in (4, 9, 50, 51, 500):
    order_stat_case(f"ties_n{n}", rng.integers(0, 4, n).astype(np.float64) * 0.25)
order_stat_case("probs_n777", rng.uniform(0, 1, 777) ** 3)
order_stat_case("wide_n257", wide(rng, 257))
order_stat_case("with_inf", [1.0, 2.0, np.inf, 0.5, -3.0])
order_stat_case("with_neg_inf", [-np.inf, 2.0, 3.0, 0.5])
order_stat_case("single_inf", [np.inf])
order_stat_case("with_nan", [1.0, np.nan, 3.0, 0.5])
order_stat_case("neg_zero", [-0.0, -0.0, 1.0])
order_stat_case("constant", [0.1] * 8)
w.case("order_stats_empty", inputs={"x": np.array([], dtype=np.float64)},
       outputs={"median": np.median(np.array([])), "iqr": stats.iqr(np.array([])),
                "percentile_error": w.error_of(lambda: np.percentile(np.array([]), 50.0))})
w.case("order_stats_bad_q", inputs={"x": np.array([1.0, 2.0])},
       outputs={"percentile_101_error": w.error_of(lambda: np.percentile(np.array([1.0]), 101.0)),
                "percentile_neg_error": w.error_of(lambda: np.percentile(np.array([1.0]), -1.0)),
                "quantile_error": w.error_of(lambda: np.quantile(np.array([1.0]), 1.5))})

# --- stable argsort ------------------------------------------------------------------------


def argsort_case(cname, x):
    x = np.asarray(x, dtype=np.float64)
    w.case(f"argsort_{cname}", inputs={"x": x},
           outputs={"asc": np.argsort(x, kind="stable"),
                    "desc": np.argsort(-x, kind="stable")})


argsort_case("empty", [])
argsort_case("one", [0.5])
argsort_case("ties_small", [0.5] * 5 + [0.1] * 5 + [0.5] * 5 + [0.3] * 5)
argsort_case("nan_zero", [0.0, np.nan, -0.0, 1.0, -1.0, np.nan, 0.0, -np.inf, np.inf, -0.0])
argsort_case("ties_n200", rng.integers(0, 7, 200) / 7.0)
argsort_case("ties_n5000", rng.integers(0, 50, 5000) / 50.0)
argsort_case("random_n1000", rng.uniform(0, 1, 1000))

# --- argmax / argmin along rows ------------------------------------------------------------
a = rng.integers(0, 3, (40, 5)).astype(np.float64)
a[3, 2] = np.nan
a[7, 0] = np.nan
a[7, 4] = np.nan
a[11, :] = np.nan
w.case("argextreme_rows_ties_nan", inputs={"x": a},
       outputs={"argmax": np.argmax(a, axis=1), "argmin": np.argmin(a, axis=1),
                "argmax_flat": int(np.argmax(a[0])), "argmin_flat": int(np.argmin(a[0]))})

# --- rounding, truncation, clip ------------------------------------------------------------
halves = np.arange(-10.5, 10.51, 0.5)
x = np.concatenate([halves, [-0.5, 0.5, 1.5, 2.5, -1.5, -2.5, 0.49999999999999994,
                             4503599627370495.5, -4503599627370497.0, 1e300, -0.0],
                    rng.uniform(-100, 100, 40)])
w.case("round_half_even", inputs={"x": x}, outputs={"round": np.round(x), "rint": np.rint(x)})
dec_x = np.concatenate([[2.675, 1.005, 0.125, 0.375, -0.125, 1234.5678, 1250.0, 1350.0, 1e300],
                        rng.uniform(-1000, 1000, 20)])
decs = [-3, -2, -1, 0, 1, 2, 3, 6, 10]
w.case("round_decimals", inputs={"x": dec_x}, params={"decimals": decs},
       outputs={"round": [np.round(dec_x, d) for d in decs]})
tx = np.concatenate([[0.0, -0.0, 0.9999999, -0.9999999, 28.999999999999996, 29.0 / 100 * 100,
                      -2.5, 2.5, 1e15 + 0.5, -1e18, 9.2e18],
                     rng.uniform(-1e6, 1e6, 30)])
w.case("trunc_to_int", inputs={"x": tx}, outputs={"int": tx.astype(np.int64)})
cx = np.concatenate([[np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, 1e-7, 1 - 1e-12],
                     rng.uniform(-0.5, 1.5, 30)])
w.case("clip", inputs={"x": cx}, params={"lo": 1e-6, "hi": 1.0},
       outputs={"clip": np.clip(cx, 1e-6, 1.0), "clip_inverted": np.clip(cx, 0.7, 0.2)})

# --- cumsum / searchsorted -----------------------------------------------------------------
s = np.sort(np.concatenate([rng.integers(0, 10, 40) / 4.0, [np.nan, np.nan]]))
v = np.concatenate([np.arange(-1.0, 3.01, 0.125), [np.nan, np.inf, -np.inf, -0.0]])
w.case("searchsorted_dups_nan", inputs={"sorted": s, "v": v},
       outputs={"left": np.searchsorted(s, v, side="left"),
                "right": np.searchsorted(s, v, side="right")})
s = np.sort(rng.uniform(0, 1, 300))
v = np.concatenate([s[::7], rng.uniform(-0.1, 1.1, 50)])
w.case("searchsorted_random", inputs={"sorted": s, "v": v},
       outputs={"left": np.searchsorted(s, v, side="left"),
                "right": np.searchsorted(s, v, side="right")})
w.case("searchsorted_empty", inputs={"sorted": np.array([]), "v": np.array([0.0, np.nan])},
       outputs={"left": np.searchsorted(np.array([]), np.array([0.0, np.nan]), side="left"),
                "right": np.searchsorted(np.array([]), np.array([0.0, np.nan]), side="right")})

# --- softmax (oracle: cleanlab.internal.numerics.softmax) ----------------------------------
xm = rng.standard_normal((30, 6)) * 4.0
xp = rng.dirichlet(np.ones(4), 25)
for mname, m in (("logits", xm), ("probs", xp)):
    for ti, temp in enumerate((1.0, 0.5, 2.0, 0.1, 1e-9, 0.0)):
        for axis in (None, 0, 1):
            for shift in (False, True):
                if temp < 0.1 and not shift:
                    continue  # overflows to inf/inf = NaN in both implementations
                aname = "none" if axis is None else str(axis)
                w.case(f"softmax_{mname}_t{ti}_ax{aname}_s{int(shift)}", inputs={"x": m},
                       params={"temperature": temp, "axis": aname, "shift": shift},
                       outputs={"softmax": softmax(m, temperature=temp, axis=axis, shift=shift)})
x1 = rng.standard_normal(300)
for shift in (False, True):
    w.case(f"softmax_1d_s{int(shift)}", inputs={"x": x1},
           params={"temperature": 0.7, "axis": "none", "shift": shift},
           outputs={"softmax": softmax(x1, temperature=0.7, shift=shift)})

# --- xlogy, ndtr ---------------------------------------------------------------------------
xs = [0.0, -0.0, 1.0, 0.5, 2.0, -1.0, 1e-300, np.nan, np.inf]
ys = [0.0, 1e-320, 1e-10, 0.3, 1.0, 2.5, 1e300, np.inf, -1.0, np.nan]
gx = np.array([a for a in xs for _ in ys])
gy = np.array([b for _ in xs for b in ys])
rx = rng.uniform(0, 1, 60)
ry = rng.uniform(0, 1, 60)
gx = np.concatenate([gx, rx])
gy = np.concatenate([gy, ry])
w.case("xlogy", inputs={"x": gx, "y": gy}, outputs={"xlogy": special.xlogy(gx, gy)})
nx = np.concatenate([np.linspace(-40.0, 40.0, 801), [-37.5, -38.5, -1.0, 1.0, -0.9999999,
                     0.9999999, 1e-300, -1e-300, 0.0, -0.0, np.nan, np.inf, -np.inf,
                     -8.2, 8.2, 5e-8, -5e-8, 1.4142135623730951, -1.4142135623730951,
                     1.414213562373095, -1.414213562373095, 11.313708498984761, -11.31370849898476],
                     rng.standard_normal(200) * 3.0, rng.uniform(-38.5, -5.0, 100)])
w.case("ndtr", inputs={"x": nx}, outputs={"ndtr": special.ndtr(nx)})

w.done()
