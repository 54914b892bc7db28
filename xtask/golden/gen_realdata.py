"""cleanlab 2.9.0's flagged sets on the four real test sets of ../shared/data/label-errors.

Only outputs are stored (the inputs live in ../shared). IMDB's fastText probabilities carry
a +1e-5 smoothing term, so its rows are divided by their sums first (as its README says).

Real pred_probs contain exact ties, where cleanlab's choice follows numpy's unstable,
CPU-dependent quicksort. Each output is stored twice: `<key>` computed with np.argsort forced
stable (the Rust port's documented tie order, compared exactly) and `native__<key>` with the
installed numpy's default sort (compared up to the tied elements).
"""

import os
import warnings

import numpy as np
from cleanlab import filter as clf

import golden_common
from golden_common import Writer

warnings.filterwarnings("ignore")
here = os.path.dirname(os.path.abspath(__file__))
data = os.environ.get("CL_SHARED_DATA", os.path.join(here, "..", "..", "..", "shared", "data"))
root = os.path.join(data, "label-errors")
if not os.path.isdir(root):
    raise SystemExit(f"gen_realdata: {root} not found (set CL_SHARED_DATA)")



def run(y, p):
    return {
        "prune_by_noise_rate": np.flatnonzero(clf.find_label_issues(y, p, n_jobs=1)),
        "both": np.flatnonzero(clf.find_label_issues(y, p, filter_by="both", n_jobs=1)),
        "confident_learning": np.flatnonzero(clf.find_label_issues(y, p, filter_by="confident_learning", n_jobs=1)),
        "ranked_self_confidence": clf.find_label_issues(y, p, return_indices_ranked_by="self_confidence", n_jobs=1),
    }


def load(name):
    p = np.load(os.path.join(root, name, "pred_probs.npy"))
    y = np.load(os.path.join(root, name, "labels.npy"))
    if name == "imdb":
        p = p / p.sum(axis=1, keepdims=True)
    return y, p


NAMES = ["mnist", "cifar10", "20news", "imdb"]
native = {name: run(*load(name)) for name in NAMES}
golden_common.force_stable_argsort()
w = Writer("realdata")
for name in NAMES:
    y, p = load(name)
    outputs = {
        "input_sum": float(p.sum()),
        **{f"native__{k}": v for k, v in native[name].items()},
        **run(y, p),
    }
    w.case(name, {"n": len(y), "k": p.shape[1]}, {"renormalise_rows": name == "imdb"}, outputs)
w.done()
