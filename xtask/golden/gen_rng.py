"""Golden fixtures for `cl_core::rng` (numpy 2.4 legacy `RandomState` streams).

Each case is a seed plus a program: a list of operations executed in order on ONE stream
(`np.random.RandomState(seed)`, or numpy's global generator after `np.random.seed(seed)` when
params.api == "global"). The program is flattened into per-operation keys (see `case`); a
result is a list (1 value for a `scalar` choice, rows for `dirichlet`) or an error
"<Type>: <message>".

Operations (JSON objects, key "op"):
  u32 n | u64 n | random_sample n | rand n | uniform low high n | randint low high n |
  permutation n | shuffle values | choice a size replace p(optional, null) scalar(bool) |
  standard_normal n | normal loc scale n | standard_exponential n | standard_gamma shape n |
  gamma shape scale n | dirichlet alpha n | seed s
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import Writer  # noqa: E402


def run_op(rs, op):
    kind = op["op"]
    if kind == "u32":
        return rs.randint(0, 2**32, size=op["n"], dtype=np.uint64)
    if kind == "u64":
        return [int(v) for v in rs.randint(0, 2**64, size=op["n"], dtype=np.uint64)]
    if kind == "random_sample":
        return rs.random_sample(op["n"])
    if kind == "rand":
        return rs.rand(op["n"])
    if kind == "uniform":
        return rs.uniform(op["low"], op["high"], size=op["n"])
    if kind == "randint":
        return rs.randint(op["low"], op["high"], size=op["n"])
    if kind == "permutation":
        return rs.permutation(op["n"])
    if kind == "shuffle":
        x = list(op["values"])
        rs.shuffle(x)
        return x
    if kind == "choice":
        p = None if op["p"] is None else np.array(op["p"], dtype=np.float64)
        if op["scalar"]:
            return int(rs.choice(op["a"], replace=op["replace"], p=p))
        return rs.choice(op["a"], size=op["size"], replace=op["replace"], p=p)
    if kind == "standard_normal":
        return rs.standard_normal(op["n"])
    if kind == "normal":
        return rs.normal(op["loc"], op["scale"], size=op["n"])
    if kind == "standard_exponential":
        return rs.standard_exponential(op["n"])
    if kind == "standard_gamma":
        return rs.standard_gamma(op["shape"], size=op["n"])
    if kind == "gamma":
        return rs.gamma(op["shape"], op["scale"], size=op["n"])
    if kind == "dirichlet":
        return rs.dirichlet(np.array(op["alpha"], dtype=np.float64), size=op["n"])
    if kind == "seed":
        rs.seed(op["s"])
        return []
    raise ValueError(kind)


def run_program(seed, ops, api):
    if api == "global":
        np.random.seed(seed)
        rs = np.random  # module-level functions share the global RandomState
    else:
        rs = np.random.RandomState(seed)
    results = []
    for op in ops:
        try:
            results.append(run_op(rs, op))
        except Exception as e:  # noqa: BLE001 - the oracle's exception is the output
            results.append({"error": f"{type(e).__name__}: {e}"})
    return results


def main():
    w = Writer("rng")

    def case(name, seed, ops, api="instance"):
        # Flattened so the typed accessors of `cl_golden` read everything: operation i is
        # inputs["op<i>"] (its name) plus params["op<i>_<arg>"]; its result is
        # outputs["r<i>"] or outputs["r<i>_error"]; u64 results are split into 32-bit halves
        # outputs["r<i>_hi"], outputs["r<i>_lo"].
        results = run_program(seed, ops, api)
        inputs = {"seed": seed, "num_ops": len(ops)}
        params = {"api": api}
        outputs = {}
        for i, (op, res) in enumerate(zip(ops, results)):
            inputs[f"op{i:03d}"] = op["op"]
            for k, v in op.items():
                if k != "op":
                    params[f"op{i:03d}_{k}"] = v
            if isinstance(res, dict):
                outputs[f"r{i:03d}_error"] = res["error"]
            elif op["op"] == "u64":
                outputs[f"r{i:03d}_hi"] = np.array([v >> 32 for v in res], dtype=np.int64)
                outputs[f"r{i:03d}_lo"] = np.array([v & 0xFFFFFFFF for v in res], dtype=np.int64)
            else:
                outputs[f"r{i:03d}"] = res if not np.isscalar(res) else [res]
        w.case(name, inputs=inputs, params=params, outputs=outputs)

    seeds = [0, 1, 2, 42, 123, 2024, 65535, 2**31 - 1, 2**31, 2**32 - 1]

    # Raw words and uniform doubles across seeds; long enough to cross the 624-word block.
    for s in seeds:
        case(f"raw_u32_seed{s}", s, [{"op": "u32", "n": 700}])
        case(f"random_sample_seed{s}", s, [{"op": "random_sample", "n": 400}])
    case("raw_u64_seed7", 7, [{"op": "u64", "n": 50}, {"op": "u32", "n": 3}, {"op": "u64", "n": 5}])
    case("rand_then_u32_seed9", 9, [{"op": "rand", "n": 11}, {"op": "u32", "n": 5}, {"op": "rand", "n": 3}])

    # Uniform.
    case("uniform_seed3", 3, [
        {"op": "uniform", "low": -2.5, "high": 7.25, "n": 20},
        {"op": "uniform", "low": 1.0, "high": 0.0, "n": 5},
        {"op": "uniform", "low": 0.0, "high": 1e300, "n": 5},
        {"op": "uniform", "low": 0.0, "high": float("inf"), "n": 1},
    ])

    # Bounded integers over many widths (the 32/64-bit boundary, powers of two, width 1).
    widths = [1, 2, 3, 4, 5, 7, 8, 9, 10, 17, 100, 255, 256, 257, 1000, 2**16, 2**16 + 1,
              2**31 - 1, 2**31, 2**31 + 1, 2**32 - 1, 2**32, 2**32 + 1, 2**33, 2**33 + 5,
              2**40 + 3, 2**52, 2**62, 2**62 + 1, 2**63 - 1]
    for i, wdt in enumerate(widths):
        low = [0, -5, 17, -(2**40), 3][i % 5]
        high = low + wdt
        if high > 2**63 - 1:
            low, high = -(2**62), -(2**62) + wdt
        case(f"randint_w{i:02d}", seeds[i % len(seeds)],
             [{"op": "randint", "low": low, "high": high, "n": 60}])
    case("randint_full_i64", 5, [{"op": "randint", "low": -(2**63), "high": 2**63 - 1, "n": 30}])
    case("randint_errors", 5, [
        {"op": "randint", "low": 3, "high": 3, "n": 1},
        {"op": "randint", "low": 4, "high": 3, "n": 1},
        {"op": "randint", "low": 0, "high": 3, "n": 4},
    ])
    case("randint_mixed_widths", 11, [
        {"op": "randint", "low": 0, "high": w_, "n": 3} for w_ in [2, 2**32 + 7, 5, 2**33, 1, 2**31]
    ])

    # Permutations and shuffles.
    for s, n in [(0, 0), (0, 1), (0, 2), (1, 10), (42, 100), (2**32 - 1, 1000), (7, 5000)]:
        case(f"permutation_seed{s}_n{n}", s, [{"op": "permutation", "n": n}])
    case("shuffle_values", 13, [
        {"op": "shuffle", "values": [10 * i + 3 for i in range(25)]},
        {"op": "shuffle", "values": [1]},
        {"op": "permutation", "n": 7},
    ])

    # choice in its four modes.
    p5 = [0.1, 0.2, 0.3, 0.15, 0.25]
    p7z = [0.0, 0.4, 0.0, 0.1, 0.2, 0.0, 0.3]
    rng_p = np.random.RandomState(99)
    p40 = rng_p.dirichlet(np.ones(40)).tolist()
    p12 = (np.arange(1, 13) / np.arange(1, 13).sum()).tolist()
    choice_specs = [
        ("rep_nop", 10, 25, True, None),
        ("rep_nop_big", 2**33, 10, True, None),
        ("rep_p5", 5, 30, True, p5),
        ("rep_p7zeros", 7, 30, True, p7z),
        ("rep_p40", 40, 50, True, p40),
        ("norep_nop", 10, 4, False, None),
        ("norep_nop_full", 12, 12, False, None),
        ("norep_nop_zero", 12, 0, False, None),
        ("norep_p5", 5, 3, False, p5),
        ("norep_p5_full", 5, 5, False, p5),
        ("norep_p7zeros", 7, 4, False, p7z),
        ("norep_p40", 40, 20, False, p40),
        ("norep_p12_11", 12, 11, False, p12),
    ]
    for i, (nm, a, size, rep, p) in enumerate(choice_specs):
        case(f"choice_{nm}", seeds[i % len(seeds)],
             [{"op": "choice", "a": a, "size": size, "replace": rep, "p": p, "scalar": False}])
    case("choice_scalars", 21, [
        {"op": "choice", "a": 6, "size": 1, "replace": True, "p": None, "scalar": True},
        {"op": "choice", "a": 6, "size": 1, "replace": True, "p": [0.5, 0.1, 0.1, 0.1, 0.1, 0.1], "scalar": True},
        {"op": "choice", "a": 6, "size": 1, "replace": False, "p": None, "scalar": True},
        {"op": "choice", "a": 5, "size": 1, "replace": False, "p": p5, "scalar": True},
        {"op": "choice", "a": 6, "size": 3, "replace": True, "p": None, "scalar": False},
    ])
    case("choice_errors", 0, [
        {"op": "choice", "a": 0, "size": 1, "replace": True, "p": None, "scalar": False},
        {"op": "choice", "a": 0, "size": 0, "replace": True, "p": None, "scalar": False},
        {"op": "choice", "a": 3, "size": 4, "replace": False, "p": None, "scalar": False},
        {"op": "choice", "a": 3, "size": 2, "replace": True, "p": [0.5, 0.5, 0.1], "scalar": False},
        {"op": "choice", "a": 3, "size": 2, "replace": True, "p": [1.5, -0.5, 0.0], "scalar": False},
        {"op": "choice", "a": 3, "size": 2, "replace": True, "p": [float("nan"), 0.5, 0.5], "scalar": False},
        {"op": "choice", "a": 3, "size": 2, "replace": True, "p": [0.5, 0.5], "scalar": False},
        {"op": "choice", "a": 3, "size": 3, "replace": False, "p": [0.5, 0.5, 0.0], "scalar": False},
        {"op": "choice", "a": 3, "size": 2, "replace": True, "p": [0.5, 0.5 + 1e-9, 0.0], "scalar": False},
        {"op": "rand", "n": 2},
    ])

    # Normals, with the cached second deviate.
    for s in [0, 1, 42, 2**32 - 1]:
        case(f"standard_normal_seed{s}", s, [{"op": "standard_normal", "n": 201}])
    case("normal_params", 8, [
        {"op": "normal", "loc": 3.0, "scale": 2.5, "n": 7},
        {"op": "normal", "loc": -1.0, "scale": 0.0, "n": 3},
        {"op": "normal", "loc": 0.0, "scale": -1.0, "n": 1},
        {"op": "normal", "loc": 1e6, "scale": 1e-3, "n": 4},
    ])
    case("normal_cache_across_rand", 4, [
        {"op": "standard_normal", "n": 1},
        {"op": "rand", "n": 3},
        {"op": "standard_normal", "n": 1},
        {"op": "standard_normal", "n": 1},
        {"op": "randint", "low": 0, "high": 10, "n": 2},
        {"op": "standard_normal", "n": 3},
    ])
    case("normal_cache_cleared_by_seed", 4, [
        {"op": "standard_normal", "n": 1},
        {"op": "seed", "s": 4},
        {"op": "standard_normal", "n": 2},
        {"op": "standard_normal", "n": 1},
        {"op": "seed", "s": 5},
        {"op": "rand", "n": 2},
    ])

    # Exponential and gamma across the shape branches.
    case("standard_exponential", 6, [{"op": "standard_exponential", "n": 100}])
    shapes = [0.0, 1e-3, 0.05, 0.1, 0.5, 0.9, 0.999, 1.0, 1.001, 1.5, 2.0, 3.7, 10.0, 100.0, 1e4]
    for i, sh in enumerate(shapes):
        case(f"standard_gamma_{i:02d}", seeds[i % len(seeds)],
             [{"op": "standard_gamma", "shape": sh, "n": 60}])
    case("gamma_params", 12, [
        {"op": "gamma", "shape": 2.0, "scale": 3.0, "n": 10},
        {"op": "gamma", "shape": 0.3, "scale": 0.5, "n": 10},
        {"op": "gamma", "shape": 1.0, "scale": 2.0, "n": 5},
        {"op": "gamma", "shape": 2.0, "scale": -1.0, "n": 1},
        {"op": "standard_gamma", "shape": -0.5, "n": 1},
        {"op": "gamma", "shape": 4.0, "scale": 0.0, "n": 2},
    ])

    # Dirichlet, including tiny alphas (legacy path has no stick-breaking branch).
    alphas = [
        [1.0, 1.0],
        [1.0] * 5,
        [1.0] * 20,
        [0.5, 0.5, 0.5],
        [0.1, 2.0, 7.5, 0.9],
        [10.0, 20.0, 30.0],
        [0.05, 0.05, 0.05, 0.05],
        [0.001, 0.001, 0.01],
        [1.0],
        [100.0, 0.01],
    ]
    for i, al in enumerate(alphas):
        case(f"dirichlet_{i:02d}", seeds[(i + 3) % len(seeds)],
             [{"op": "dirichlet", "alpha": al, "n": 15}])
    case("dirichlet_errors", 2, [
        {"op": "dirichlet", "alpha": [1.0, 0.0], "n": 1},
        {"op": "dirichlet", "alpha": [1.0, -1.0], "n": 1},
        {"op": "dirichlet", "alpha": [2.0, 3.0], "n": 2},
    ])

    # Interleavings on one stream, mirroring cleanlab's use of the global generator.
    case("interleave_a", 0, [
        {"op": "standard_normal", "n": 1},
        {"op": "rand", "n": 2},
        {"op": "dirichlet", "alpha": [1.0, 1.0, 1.0], "n": 2},
        {"op": "choice", "a": 10, "size": 3, "replace": False, "p": None, "scalar": False},
        {"op": "standard_normal", "n": 1},
        {"op": "choice", "a": 5, "size": 4, "replace": True, "p": p5, "scalar": False},
        {"op": "standard_normal", "n": 2},
        {"op": "permutation", "n": 9},
        {"op": "gamma", "shape": 2.5, "scale": 1.5, "n": 3},
        {"op": "randint", "low": -3, "high": 2**35, "n": 3},
    ])
    case("interleave_b", 2**32 - 1, [
        {"op": "dirichlet", "alpha": [0.7, 3.0], "n": 3},
        {"op": "standard_normal", "n": 3},
        {"op": "standard_gamma", "shape": 0.4, "n": 5},
        {"op": "choice", "a": 5, "size": 5, "replace": False, "p": p5, "scalar": False},
        {"op": "standard_normal", "n": 1},
        {"op": "uniform", "low": 2.0, "high": 3.0, "n": 2},
        {"op": "seed", "s": 77},
        {"op": "rand", "n": 2},
        {"op": "standard_exponential", "n": 2},
        {"op": "shuffle", "values": list(range(8))},
    ])
    case("interleave_global", 1, [
        {"op": "rand", "n": 5},
        {"op": "dirichlet", "alpha": [1.0, 1.0, 1.0, 1.0], "n": 1},
        {"op": "choice", "a": 8, "size": 3, "replace": False, "p": None, "scalar": False},
        {"op": "standard_normal", "n": 3},
        {"op": "choice", "a": 40, "size": 6, "replace": False, "p": p40, "scalar": False},
        {"op": "standard_normal", "n": 1},
    ], api="global")
    case("interleave_global_reseed", 0, [
        {"op": "rand", "n": 1},
        {"op": "seed", "s": 0},
        {"op": "rand", "n": 1},
        {"op": "standard_normal", "n": 1},
        {"op": "seed", "s": 2**32 - 1},
        {"op": "standard_normal", "n": 2},
    ], api="global")
    rs_prog = np.random.RandomState(314)
    kinds = ["rand", "standard_normal", "randint", "choice", "dirichlet", "standard_gamma"]
    for c in range(4):
        ops = []
        for _ in range(12):
            k = kinds[rs_prog.randint(len(kinds))]
            n = int(rs_prog.randint(1, 5))
            if k == "randint":
                ops.append({"op": k, "low": 0, "high": int(rs_prog.randint(2, 1000)), "n": n})
            elif k == "choice":
                a = int(rs_prog.randint(2, 12))
                ops.append({"op": k, "a": a, "size": int(rs_prog.randint(0, a + 1)),
                            "replace": bool(rs_prog.randint(2)),
                            "p": rs_prog.dirichlet(np.ones(a)).tolist() if rs_prog.randint(2) else None,
                            "scalar": False})
            elif k == "dirichlet":
                ops.append({"op": k, "alpha": (rs_prog.rand(int(rs_prog.randint(2, 6))) * 3 + 0.1).tolist(), "n": n})
            elif k == "standard_gamma":
                ops.append({"op": k, "shape": float(rs_prog.rand() * 4), "n": n})
            else:
                ops.append({"op": k, "n": n})
        case(f"interleave_random_{c}", int(rs_prog.randint(0, 2**32 - 1, dtype=np.int64)), ops)

    w.done()


if __name__ == "__main__":
    main()
