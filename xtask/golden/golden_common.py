"""Shared helpers for the golden-fixture generators (run by `cargo xtask golden`).

Every generator `gen_<group>.py` is called as `python gen_<group>.py OUT_ROOT` and writes
its cases into `OUT_ROOT/<group>/` through `Writer`. Output must be byte-for-byte
deterministic: `cargo xtask golden --check` regenerates into a temporary folder and
compares. Format (read by the `cl-golden` crate):

* `<case>.json`: {"inputs": {...}, "params": {...}, "outputs": {...}}; arrays as nested
  lists; floats written with `repr` (round-trip exact); NaN/inf as "NaN"/"Infinity"/
  "-Infinity"; an expected exception as outputs["error"] = "<Type>: <message>".
* arrays with more than `NPY_THRESHOLD` elements go to `<case>.<key>.npy` and appear in
  the JSON as {"npy": "<file name>"}.
"""

import contextlib
import json
import math
import os
import sys

import numpy as np

NPY_THRESHOLD = 4096


def _clean(x):
    """Convert numpy/python values into JSON-ready values (non-finite floats as strings)."""
    if isinstance(x, np.ndarray):
        return _clean(x.tolist())
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


class Writer:
    """Writes the cases of one group into OUT_ROOT/<group>/."""

    def __init__(self, group, out_root=None):
        out_root = out_root if out_root is not None else sys.argv[1]
        self.dir = os.path.join(out_root, group)
        os.makedirs(self.dir, exist_ok=True)
        self.count = 0

    def _section(self, name, section, values):
        out = {}
        for key, val in (values or {}).items():
            if isinstance(val, np.ndarray) and val.size > NPY_THRESHOLD:
                fname = f"{name}.{key}.npy"
                # Plain little-endian npy without pickles; deterministic bytes.
                np.save(os.path.join(self.dir, fname), np.ascontiguousarray(val), allow_pickle=False)
                out[key] = {"npy": fname}
            else:
                out[key] = _clean(val)
        return out

    def case(self, name, inputs=None, params=None, outputs=None):
        """Write one case. `name` must be unique in the group and file-name safe."""
        doc = {
            "inputs": self._section(name, "inputs", inputs),
            "params": self._section(name, "params", params),
            "outputs": self._section(name, "outputs", outputs),
        }
        with open(os.path.join(self.dir, f"{name}.json"), "w") as f:
            json.dump(doc, f, sort_keys=True, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        self.count += 1

    def error_of(self, fn):
        """Run fn(); return "<Type>: <message>" of the exception it raises, or None."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the oracle's exception is the output
            return f"{type(e).__name__}: {e}"
        return None

    def done(self):
        print(f"{os.path.basename(self.dir)}: {self.count} cases")


_ORIG_ARGSORT = np.argsort


def _stable(a, axis=-1, kind=None, order=None, **kw):
    return _ORIG_ARGSORT(a, axis=axis, kind="stable", order=order, **kw)


def force_stable_argsort():
    """Make `np.argsort` stable for the rest of the run.

    cleanlab uses numpy's default quicksort argsort, whose tie order depends on the CPU
    (SIMD sorting). The Rust port documents ascending-index tie order, i.e. a stable sort;
    generators whose outputs pass through ties (rounding of calibrated joints) call this so
    the fixtures hold that order.
    """
    np.argsort = _stable


@contextlib.contextmanager
def stable_argsort():
    """`force_stable_argsort` for the duration of a `with` block only."""
    previous = np.argsort
    np.argsort = _stable
    try:
        yield
    finally:
        np.argsort = previous


def make_classification(seed, n, k, alpha=1.0, noise=0.2, dtype=np.float64, absent=(), singleton=None):
    """Seeded tie-free classification data: Dirichlet(alpha) rows as pred_probs, labels =
    argmax with a `noise` fraction replaced by random classes; classes in `absent` are
    relabelled to the next class; `singleton` keeps exactly one example (row 0)."""
    rng = np.random.RandomState(seed)
    p = rng.dirichlet(np.full(k, alpha), size=n)
    y = p.argmax(axis=1)
    flip = rng.rand(n) < noise
    y[flip] = rng.randint(0, k, flip.sum())
    for a in absent:
        y[y == a] = (a + 1) % k
    if singleton is not None:
        y[y == singleton] = (singleton + 1) % k
        y[0] = singleton
    return p.astype(dtype), y.astype(np.int64)
