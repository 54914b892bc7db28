"""Golden fixtures for `cl_core::noise` (cleanlab.benchmarking.noise_generation).

Every RNG-using case seeds numpy's global generator (explicitly with np.random.seed, or through
generate_noise_matrix_from_trace's `seed`), calls cleanlab, then records one more
np.random.rand() as outputs.next_rand so the Rust side also checks the stream position.

Case name prefixes: probs_, balls_, trace_, noisy_, pipeline_, valid_.
"""

import os
import sys

import numpy as np
from cleanlab.benchmarking import noise_generation as ng

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import Writer  # noqa: E402


def main():
    w = Writer("noise")

    # --- generate_n_rand_probabilities_that_sum_to_m --------------------------------------
    probs_specs = [
        (0, 1.0, 1.0, 0.0, 0),
        (1, 1.0, 1.0, 0.0, 1),
        (2, 1.0, 1.0, 0.0, 2),
        (5, 1.0, 1.0, 0.0, 3),
        (4, 1.0, 0.5, 0.1, 4),
        (5, 1.0, 0.3, 0.0, 5),
        (5, 1.0, 1.0, 0.15, 6),
        (3, 2.0, 0.9, 0.3, 7),
        (6, 1.0, 0.2, 0.1, 8),
        (10, 1.0, 0.11, 0.05, 9),
        (11, 0.5, 0.04552217166192823, 0.02044577489656546, 1326),
        (20, 3.0, 0.2, 0.1, 11),
        (4, 1.0, 0.2, 0.0, 12),   # error: max_prob too small
        (4, 1.0, 1.0, 0.3, 13),   # error: min_prob too large
        (3, 0.0, 1.0, 0.0, 14),
    ]
    for i, (n, m, mx, mn, seed) in enumerate(probs_specs):
        np.random.seed(seed)
        err = w.error_of(lambda: ng.generate_n_rand_probabilities_that_sum_to_m(n, m, max_prob=mx, min_prob=mn))
        np.random.seed(seed)
        out = {}
        if err is None:
            out["probs"] = np.asarray(
                ng.generate_n_rand_probabilities_that_sum_to_m(n, m, max_prob=mx, min_prob=mn), dtype=np.float64)
            out["next_rand"] = np.random.rand()
        else:
            out["error"] = err
        w.case(f"probs_{i:02d}", inputs={"n": n, "m": m}, params={"max_prob": mx, "min_prob": mn, "seed": seed},
               outputs=out)

    # --- randomly_distribute_N_balls_into_K_bins ------------------------------------------
    balls_specs = [
        (0, 3, None, None, 0),
        (10, 4, 4, 1, 1),
        (10, 4, None, None, 2),
        (100, 7, None, None, 3),
        (37, 5, 10, 5, 4),
        (21, 6, 4, 0, 5),
        (62, 10, 8, 0, 6),
        (1000, 13, 100, 20, 7),
        (5, 12, None, 3, 8),
        (100, 6, 5, 60, 9),   # error after reducing N
        (10, 3, 0, None, 10),  # error: division by zero in cleanlab
        (7, 1, None, None, 11),
        (3, 0, None, None, 12),  # error: K = 0
    ]
    for i, (n, k, mx, mn, seed) in enumerate(balls_specs):
        np.random.seed(seed)
        out = {}
        try:
            out["bins"] = np.asarray(ng.randomly_distribute_N_balls_into_K_bins(
                n, k, max_balls_per_bin=mx, min_balls_per_bin=mn), dtype=np.int64)
            out["next_rand"] = np.random.rand()
        except Exception as e:  # noqa: BLE001
            out["error"] = f"{type(e).__name__}: {e}"
        w.case(f"balls_{i:02d}", inputs={"n": n, "k": k},
               params={"max_balls_per_bin": mx, "min_balls_per_bin": mn, "seed": seed}, outputs=out)

    # --- generate_noise_matrix_from_trace --------------------------------------------------
    rs = np.random.RandomState(2024)

    def prior(k, conc):
        return rs.dirichlet(np.ones(k) * conc)

    trace_specs = [
        # (K, trace, kwargs)
        (2, 1.5, {}),
        (2, 1.9, {"seed": 1}),
        (2, 1.1, {"py": [0.95, 0.05], "seed": 3}),
        (2, 0.5, {"valid_noise_matrix": False}),
        (2, 1.5, {"frac_zero_noise_rates": 0.5, "seed": 0}),
        (2, 1.5, {"frac_zero_noise_rates": 0.5, "seed": 1}),
        (2, 1.25, {"frac_zero_noise_rates": 0.9, "seed": 7}),
        (3, 2.0, {"py": [0.2, 0.3, 0.5]}),
        (3, 2.0, {"py": [0.2, 0.3, 0.5], "seed": 1}),
        (3, 1.5, {"py": [0.1, 0.1, 0.8], "seed": 4}),
        (3, 2.0, {"valid_noise_matrix": False, "seed": 5}),
        (4, 2.5, {"valid_noise_matrix": False, "frac_zero_noise_rates": 0.4, "seed": 2}),
        (4, 3.0, {"py": prior(4, 1.0), "frac_zero_noise_rates": 0.3, "seed": 8}),
        (5, 3.0, {"valid_noise_matrix": False, "seed": 1}),
        (5, 4.0, {"py": prior(5, 0.5), "seed": 9}),
        (5, 2.5, {"py": prior(5, 5.0), "frac_zero_noise_rates": 0.6, "seed": 10}),
        (6, 3.5, {"py": prior(6, 1.0), "frac_zero_noise_rates": 0.7, "seed": 11}),
        (6, 4.2, {"py": prior(6, 1.0), "max_trace_prob": 0.9, "min_trace_prob": 0.3, "seed": 12}),
        (7, 5.0, {"py": prior(7, 2.0), "max_noise_rate": 0.3, "seed": 13}),
        (8, 6.0, {"py": prior(8, 1.0), "min_noise_rate": 0.01, "seed": 14}),
        (10, 7.0, {"py": prior(10, 1.0), "frac_zero_noise_rates": 0.2, "seed": 15}),
        (10, 7.0, {"valid_noise_matrix": False, "frac_zero_noise_rates": 1.0, "seed": 16}),
        (12, 9.0, {"py": prior(12, 3.0), "seed": 17}),
        (15, 11.0, {"py": prior(15, 1.0), "frac_zero_noise_rates": 0.5, "seed": 18}),
        (20, 15.0, {"py": prior(20, 1.0), "seed": 19}),
        (25, 20.0, {"py": prior(25, 2.0), "frac_zero_noise_rates": 0.3, "seed": 20}),
        (30, 24.0, {"valid_noise_matrix": False, "seed": 21}),
        (3, 1.2, {"py": [0.8, 0.1, 0.1], "max_iter": 3, "seed": 22}),   # likely None
        (4, 1.1, {"py": [0.7, 0.1, 0.1, 0.1], "max_iter": 5, "seed": 23}),
        (3, 2.0, {"py": [0.2, 0.3, 0.5], "max_iter": 0}),
        (3, 2.0, {"py": [0.2, 0.3, 0.5], "max_iter": 1, "seed": 24}),
        (2, 1.5, {"max_iter": 0}),
        # error cases
        (3, 1.0, {"py": [0.2, 0.3, 0.5]}),
        (3, 0.5, {"py": [0.2, 0.3, 0.5]}),
        (3, 2.0, {}),
        (1, 2.0, {}),
        (1, 0.5, {"valid_noise_matrix": False}),
        (0, 0.5, {"valid_noise_matrix": False}),
        (3, 2.0, {"py": [0.2, 0.3, 0.5], "max_trace_prob": 0.5}),
        (4, 2.0, {"valid_noise_matrix": False, "max_noise_rate": 0.1, "seed": 25}),
    ]
    for i, (k, trace, kw) in enumerate(trace_specs):
        kw = dict(kw)
        if "py" in kw:
            kw["py"] = np.asarray(kw["py"], dtype=np.float64)
        np.random.seed(12345)  # the state cleanlab's call may or may not overwrite
        out = {}
        try:
            nm = ng.generate_noise_matrix_from_trace(k, trace, **kw)
            out["is_none"] = nm is None
            if nm is not None:
                out["noise_matrix"] = nm
            out["next_rand"] = np.random.rand()
        except Exception as e:  # noqa: BLE001
            out["error"] = f"{type(e).__name__}: {e}"
        params = {key: val for key, val in kw.items() if key != "py"}
        inputs = {"k": k, "trace": trace}
        if "py" in kw:
            inputs["py"] = kw["py"]
        w.case(f"trace_{i:02d}", inputs=inputs, params=params, outputs=out)

    # --- generate_noisy_labels on seeded true labels ----------------------------------------
    noisy_specs = [
        # (K, N, label prior concentration, matrix seed, trace, frac_zero, label seed)
        (2, 20, 1.0, 0, 1.5, 0.0, 0),
        (2, 200, 1.0, 1, 1.2, 0.0, 1),
        (3, 30, 1.0, 1, 2.0, 0.0, 5),
        (3, 1000, 1.0, 2, 2.2, 0.0, 6),
        (4, 100, 0.5, 3, 3.0, 0.25, 7),
        (5, 500, 2.0, 4, 3.5, 0.0, 8),
        (7, 700, 1.0, 5, 4.0, 0.5, 9),
        (10, 2000, 1.0, 6, 7.0, 0.0, 10),
        (12, 5000, 3.0, 7, 8.0, 0.3, 11),
        (3, 12, 1.0, 8, 2.5, 0.0, 12),
    ]
    for i, (k, n, conc, mseed, trace, frac, lseed) in enumerate(noisy_specs):
        lrs = np.random.RandomState(1000 + i)
        while True:
            y = lrs.choice(k, size=n, p=lrs.dirichlet(np.ones(k) * conc))
            if len(np.unique(y)) == k:
                break
        py = np.bincount(y, minlength=k) / n
        nm = ng.generate_noise_matrix_from_trace(
            k, trace, py=py, valid_noise_matrix=k > 2, frac_zero_noise_rates=frac, seed=mseed)
        np.random.seed(lseed)
        s = ng.generate_noisy_labels(y, nm)
        w.case(f"noisy_{i:02d}", inputs={"true_labels": y.astype(np.int64), "noise_matrix": nm},
               params={"seed": lseed},
               outputs={"noisy_labels": np.asarray(s, dtype=np.int64), "next_rand": np.random.rand()})
    # A hand-made matrix whose class 3 needs more flips than it has examples (left unchanged).
    nm_bad = np.array([[0.73009121, 0.46862834, 0.45740492, 0.13766274],
                       [0.01088873, 0.75827826, 0.31995284, 0.98438345],
                       [0.22023423, 0.33870803, 0.52389614, 0.75489146],
                       [0.46385778, 0.12482254, 0.31250138, 0.50451917]])
    y = np.array([0] * 9 + [1] * 9 + [2] * 10 + [3] * 9)
    np.random.seed(0)
    s = ng.generate_noisy_labels(y, nm_bad)
    w.case("noisy_overfull_class", inputs={"true_labels": y, "noise_matrix": nm_bad}, params={"seed": 0},
           outputs={"noisy_labels": np.asarray(s, dtype=np.int64), "next_rand": np.random.rand()})
    # Errors: a class of the matrix is absent from the labels.
    nm3 = np.array([[0.8, 0.1, 0.2], [0.1, 0.8, 0.2], [0.1, 0.1, 0.6]])
    y = np.array([0, 2, 2, 0, 0, 2, 2, 2, 0, 0])
    w.case("noisy_missing_class", inputs={"true_labels": y, "noise_matrix": nm3}, params={"seed": 0},
           outputs={"error": w.error_of(lambda: ng.generate_noisy_labels(y, nm3))})

    # --- cleanlab's pipeline: matrix (reseeds the global RNG) then labels on the same stream --
    pipe_specs = [(3, 2.0, 0, 50), (4, 2.8, 3, 200), (5, 3.0, 42, 1000), (6, 4.5, 7, 300), (8, 5.0, 11, 4000)]
    for i, (k, trace, seed, n) in enumerate(pipe_specs):
        lrs = np.random.RandomState(77 + i)
        y = lrs.randint(0, k, size=n)
        py = np.bincount(y, minlength=k) / n
        nm = ng.generate_noise_matrix_from_trace(k, trace, py=py, frac_zero_noise_rates=0.2 * (i % 3), seed=seed)
        s = ng.generate_noisy_labels(y, nm)
        w.case(f"pipeline_{i:02d}", inputs={"k": k, "trace": trace, "py": py, "true_labels": y.astype(np.int64)},
               params={"seed": seed, "frac_zero_noise_rates": 0.2 * (i % 3)},
               outputs={"noise_matrix": nm, "noisy_labels": np.asarray(s, dtype=np.int64),
                        "next_rand": np.random.rand()})

    # --- noise_matrix_is_valid --------------------------------------------------------------
    vrs = np.random.RandomState(31)
    valid_specs = [
        (np.array([[0.8, 0.1, 0.2], [0.1, 0.8, 0.2], [0.1, 0.1, 0.6]]), np.array([0.2, 0.3, 0.5])),
        (np.array([[0.4, 0.5], [0.6, 0.5]]), np.array([0.5, 0.5])),
        (np.array([[0.6, 0.5], [0.4, 0.5]]), np.array([0.5, 0.5])),
        (np.array([[0.6, 0.5], [0.4, 0.5]]), np.array([0.1, 0.9])),
        (np.eye(4), np.array([0.25, 0.25, 0.25, 0.25])),
        (np.eye(3), np.array([0.2, 0.3, 0.6])),   # joint sums to 1.1
        (np.eye(3), np.array([0.2, 0.3, 0.5 + 5e-7])),  # within the 1e-6 tolerance
        (np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]), np.array([0.3, 0.3, 0.4])),
    ]
    for _ in range(12):
        k = int(vrs.randint(2, 8))
        nm = vrs.dirichlet(np.ones(k), size=k).T
        if vrs.rand() < 0.5:
            nm = nm + np.eye(k) * vrs.rand() * 3
            nm = nm / nm.sum(0)
        valid_specs.append((nm, vrs.dirichlet(np.ones(k))))
    for i, (nm, py) in enumerate(valid_specs):
        w.case(f"valid_{i:02d}", inputs={"noise_matrix": nm, "py": py},
               outputs={"is_valid": bool(ng.noise_matrix_is_valid(nm, py))})

    w.done()


if __name__ == "__main__":
    main()
