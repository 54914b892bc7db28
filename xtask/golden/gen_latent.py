"""Golden fixtures for `cl_core::latent` (cleanlab.internal.latent_algebra).

Run: python gen_latent.py OUT_ROOT   (writes OUT_ROOT/latent/)

Inputs are seeded random column-stochastic noise matrices (diagonally dominant, so they are
invertible), priors from a Dirichlet, and pred_probs rows from a Dirichlet. params.fn names
the function; expected exceptions are stored as outputs.error.
"""

import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import Writer  # noqa: E402

from cleanlab.internal import latent_algebra as la  # noqa: E402

warnings.simplefilter("ignore")


def noise_matrix(rng, k, strength):
    m = rng.random((k, k)) + np.eye(k) * strength * k
    return m / m.sum(axis=0)


def main():
    w = Writer("latent")
    rng = np.random.default_rng(777)
    ks = [2, 3, 5, 10, 20, 50]
    for k in ks:
        nm = noise_matrix(rng, k, float(rng.uniform(0.3, 2.0)))
        py = rng.dirichlet(np.ones(k))
        ps = rng.dirichlet(np.ones(k))
        inv = la.compute_inv_noise_matrix(py, nm, ps=ps)
        inv_c = np.ascontiguousarray(inv)

        w.case(
            f"inv_noise_matrix_k{k:02d}",
            {"py": py, "noise_matrix": nm, "ps": ps},
            {"fn": "compute_inv_noise_matrix"},
            {
                "with_ps": la.compute_inv_noise_matrix(py, nm, ps=ps),
                "without_ps": la.compute_inv_noise_matrix(py, nm),
            },
        )
        w.case(
            f"noise_matrix_from_inverse_k{k:02d}",
            {"ps": ps, "inverse_noise_matrix": inv_c, "py": py},
            {"fn": "compute_noise_matrix_from_inverse"},
            {
                "with_py": la.compute_noise_matrix_from_inverse(ps, inv_c, py=py),
                "without_py": la.compute_noise_matrix_from_inverse(ps, inv_c),
            },
        )
        counts = rng.integers(0, 200, k).astype(np.float64)
        # K = 50 only for "eqn" (a 50x50 inverse) to keep fixtures small.
        for method in ["cnt", "eqn", "marginal", "marginal_ps"] if k < 50 else ["eqn"]:
            w.case(
                f"py_{method}_k{k:02d}",
                {"ps": ps, "noise_matrix": nm, "inverse_noise_matrix": inv_c, "counts": counts},
                {"fn": "compute_py", "py_method": method},
                {"py": la.compute_py(ps, nm, inv_c, py_method=method, true_labels_class_counts=counts)},
            )
        if k <= 20:
            n = int(rng.integers(5, 60))
            p = rng.dirichlet(np.ones(k) * 0.7, size=n)
            w.case(
                f"pyx_k{k:02d}",
                {"pred_probs": p, "noise_matrix": nm, "inverse_noise_matrix": inv_c},
                {"fn": "compute_pyx", "dtype": "f64"},
                {"pyx": la.compute_pyx(p, nm, inv_c)},
            )
            py2, inv2 = la.compute_py_inv_noise_matrix(ps, nm)
            w.case(
                f"py_inv_noise_matrix_k{k:02d}",
                {"ps": ps, "noise_matrix": nm},
                {"fn": "compute_py_inv_noise_matrix"},
                {"py": py2, "inv": inv2},
            )
            labels = np.concatenate([np.arange(k), rng.integers(0, k, int(rng.integers(1, 80)))])
            ps3, py3, inv3 = la.compute_ps_py_inv_noise_matrix(labels, nm)
            w.case(
                f"ps_py_inv_noise_matrix_k{k:02d}",
                {"labels": labels, "noise_matrix": nm},
                {"fn": "compute_ps_py_inv_noise_matrix"},
                {"ps": ps3, "py": py3, "inv": inv3},
            )

    # pyx with float32 pred_probs: numpy promotes the product to float64.
    k = 4
    nm = noise_matrix(rng, k, 1.0)
    inv = np.ascontiguousarray(la.compute_inv_noise_matrix(rng.dirichlet(np.ones(k)), nm))
    p32 = rng.dirichlet(np.ones(k), size=30).astype(np.float32)
    w.case(
        "pyx_f32_k04",
        {"pred_probs": p32, "noise_matrix": nm, "inverse_noise_matrix": inv},
        {"fn": "compute_pyx", "dtype": "f32"},
        {"pyx": la.compute_pyx(p32, nm, inv)},
    )

    # Edge values: a zero diagonal (1e-100 floor), "eqn" producing negative entries (clipped
    # to 1e-6 and renormalised), noise rates above 0.9999 (clip_noise_rates).
    nm = np.array([[0.0, 0.3, 0.2], [0.6, 0.5, 0.1], [0.4, 0.2, 0.7]])
    inv = np.array([[0.2, 0.1, 0.3], [0.5, 0.8, 0.1], [0.3, 0.1, 0.6]])
    ps = np.array([0.2, 0.5, 0.3])
    for method in ["cnt", "eqn", "marginal_ps"]:
        w.case(
            f"py_{method}_zero_diagonal",
            {"ps": ps, "noise_matrix": nm, "inverse_noise_matrix": inv, "counts": np.array([3.0, 4.0, 5.0])},
            {"fn": "compute_py", "py_method": method},
            {"py": la.compute_py(ps, nm, inv, py_method=method, true_labels_class_counts=np.array([3.0, 4.0, 5.0]))},
        )
    nm = np.array([[0.9, 0.05, 0.3], [0.05, 0.9, 0.3], [0.05, 0.05, 0.4]])
    ps = np.array([0.05, 0.05, 0.9])
    w.case(
        "py_eqn_negative",
        {"ps": ps, "noise_matrix": nm, "inverse_noise_matrix": np.eye(3), "counts": np.ones(3)},
        {"fn": "compute_py", "py_method": "eqn"},
        {"py": la.compute_py(ps, nm, np.eye(3), py_method="eqn", true_labels_class_counts=np.ones(3))},
    )
    nm = np.array([[1e-5, 0.2], [0.99999, 0.8]])
    py = np.array([0.5, 0.5])
    w.case(
        "inv_noise_matrix_extreme_rates",
        {"py": py, "noise_matrix": nm, "ps": np.array([0.3, 0.7])},
        {"fn": "compute_inv_noise_matrix"},
        {
            "with_ps": la.compute_inv_noise_matrix(py, nm, ps=np.array([0.3, 0.7])),
            "without_ps": la.compute_inv_noise_matrix(py, nm),
        },
    )

    # Errors.
    singular = np.array([[0.5, 0.5], [0.5, 0.5]])
    half = np.array([0.5, 0.5])
    w.case(
        "error_py_inv_singular",
        {"ps": half, "noise_matrix": singular},
        {"fn": "compute_py_inv_noise_matrix"},
        {"error": w.error_of(lambda: la.compute_py_inv_noise_matrix(half, singular))},
    )
    w.case(
        "error_py_eqn_singular",
        {"ps": half, "noise_matrix": singular, "inverse_noise_matrix": np.eye(2), "counts": half},
        {"fn": "compute_py", "py_method": "eqn"},
        {"error": w.error_of(lambda: la.compute_py(half, singular, np.eye(2), py_method="eqn"))},
    )
    w.case(
        "error_py_marginal_without_counts",
        {"ps": half, "noise_matrix": np.eye(2), "inverse_noise_matrix": np.eye(2), "counts": None},
        {"fn": "compute_py", "py_method": "marginal"},
        {"error": w.error_of(lambda: la.compute_py(half, np.eye(2), np.eye(2), py_method="marginal"))},
    )
    w.case(
        "error_py_unknown_method",
        {"ps": half, "noise_matrix": np.eye(2), "inverse_noise_matrix": np.eye(2), "counts": half},
        {"fn": "compute_py", "py_method": "foo"},
        {"error": w.error_of(lambda: la.compute_py(half, np.eye(2), np.eye(2), py_method="foo"))},
    )
    nm3 = noise_matrix(rng, 3, 1.0)
    w.case(
        "error_ps_py_inv_missing_class",
        {"labels": np.array([0, 0, 2]), "noise_matrix": nm3},
        {"fn": "compute_ps_py_inv_noise_matrix"},
        {"error": w.error_of(lambda: la.compute_ps_py_inv_noise_matrix(np.array([0, 0, 2]), nm3))},
    )
    w.case(
        "error_pyx_shape",
        {"pred_probs": np.full((4, 2), 0.5), "noise_matrix": nm3, "inverse_noise_matrix": nm3},
        {"fn": "compute_pyx", "dtype": "f64"},
        {"error": w.error_of(lambda: la.compute_pyx(np.full((4, 2), 0.5), nm3, nm3))},
    )
    w.done()


if __name__ == "__main__":
    main()
