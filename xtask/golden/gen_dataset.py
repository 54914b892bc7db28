"""Golden cases for cl-filter's dataset module (cleanlab.dataset)."""

import warnings

import numpy as np
from cleanlab import count, dataset

from golden_common import Writer, force_stable_argsort, make_classification as make

# Tie order of calibration rounding: stable, as documented in the Rust port.
force_stable_argsort()

warnings.filterwarnings("ignore")
w = Writer("dataset")


def table(df, cols):
    return {c: df[c].to_numpy() for c in cols}


RANK_COLS = ["Class Index", "Label Issues", "Inverse Label Issues", "Label Noise", "Inverse Label Noise",
             "Label Quality Score"]
OVL_COLS = ["Class Index A", "Class Index B", "Num Overlapping Examples", "Joint Probability"]

for seed, n, k, alpha, noise, absent in [(0, 30, 3, 1.0, 0.2, ()), (1, 200, 4, 0.5, 0.3, ()),
                                          (2, 1000, 8, 0.4, 0.2, ()), (3, 3000, 12, 0.3, 0.1, ()),
                                          (4, 150, 5, 0.7, 0.25, (2,))]:
    p, y = make(seed, n, k, alpha, noise, absent=absent)
    outputs = {}
    r = dataset.rank_classes_by_label_quality(y, p)
    outputs.update({f"rank__{c}": v for c, v in table(r, RANK_COLS).items()})
    for asym in [False, True]:
        o = dataset.find_overlapping_classes(y, p, asymmetric=asym)
        outputs.update({f"overlap_{'asym' if asym else 'sym'}__{c}": v for c, v in table(o, OVL_COLS).items()})
    outputs["health_score"] = dataset.overall_label_health_score(y, p, verbose=False)
    joint = count.estimate_joint(y, p)
    outputs["joint"] = joint
    # From a given joint and N.
    outputs["health_score_from_joint"] = dataset.overall_label_health_score(joint=joint, num_examples=n, verbose=False)
    r = dataset.rank_classes_by_label_quality(joint=joint, num_examples=n)
    outputs.update({f"rank_from_joint__{c}": v for c, v in table(r, RANK_COLS).items()})
    # From a confident joint.
    cj = count.compute_confident_joint(y, p)
    outputs["confident_joint"] = cj
    o = dataset.find_overlapping_classes(confident_joint=cj)
    outputs.update({f"overlap_from_cj__{c}": v for c, v in table(o, OVL_COLS).items()})
    outputs["health_score_from_cj"] = dataset.overall_label_health_score(confident_joint=cj, verbose=False)
    outputs["rank_from_cj_error"] = w.error_of(lambda: dataset.rank_classes_by_label_quality(confident_joint=cj))
    w.case(f"dataset_s{seed}_n{n}_k{k}", {"labels": y, "pred_probs": p}, {}, outputs)
w.done()
