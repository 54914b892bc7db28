//! Golden tests of `cl_core::rng::NumpyRng` against numpy 2.4's legacy `RandomState`.
//!
//! Each case is a seed and a program of operations run on one stream (see
//! `xtask/golden/gen_rng.py` for the layout); every value is compared exactly (integers
//! equal, doubles bit-equal).

use cl_core::CoreError;
use cl_core::rng::NumpyRng;
use cl_golden::Case;

/// One operation's result, in a comparable form.
#[derive(Debug)]
enum Out {
    Ints(Vec<i64>),
    /// u64 results as (high, low) 32-bit halves.
    Halves(Vec<i64>, Vec<i64>),
    Floats(Vec<f64>),
    Error(CoreError),
}

fn floats(v: Result<Vec<f64>, CoreError>) -> Out {
    v.map_or_else(Out::Error, Out::Floats)
}

fn run(rng: &mut NumpyRng, case: &Case, i: usize) -> Out {
    let kind = case.input(&format!("op{i:03}")).str();
    let arg = |name: &str| case.param(&format!("op{i:03}_{name}"));
    let has = |name: &str| case.has("params", &format!("op{i:03}_{name}"));
    let n = || arg("n").usize();
    match kind {
        "u32" => Out::Ints((0..n()).map(|_| i64::from(rng.next_u32())).collect()),
        "u64" => {
            let v: Vec<u64> = (0..n()).map(|_| rng.next_u64()).collect();
            Out::Halves(
                v.iter().map(|&x| (x >> 32) as i64).collect(),
                v.iter().map(|&x| (x & 0xFFFF_FFFF) as i64).collect(),
            )
        }
        "random_sample" | "rand" => Out::Floats(rng.rand(n())),
        "uniform" => {
            let (lo, hi) = (arg("low").f64(), arg("high").f64());
            floats((0..n()).map(|_| rng.uniform(lo, hi)).collect())
        }
        "randint" => rng
            .randint_vec(arg("low").i64(), arg("high").i64(), n())
            .map_or_else(Out::Error, Out::Ints),
        "permutation" => Out::Ints(rng.permutation(n()).into_iter().map(|v| v as i64).collect()),
        "shuffle" => {
            let mut v = arg("values").vec_i64();
            rng.shuffle(&mut v);
            Out::Ints(v)
        }
        "choice" => {
            let p = has("p").then(|| arg("p").vec_f64());
            let size = if arg("scalar").bool() {
                1
            } else {
                arg("size").usize()
            };
            rng.choice(arg("a").usize(), size, arg("replace").bool(), p.as_deref())
                .map_or_else(Out::Error, |v| {
                    Out::Ints(v.into_iter().map(|x| x as i64).collect())
                })
        }
        "standard_normal" => Out::Floats((0..n()).map(|_| rng.standard_normal()).collect()),
        "normal" => {
            let (loc, scale) = (arg("loc").f64(), arg("scale").f64());
            floats((0..n()).map(|_| rng.normal(loc, scale)).collect())
        }
        "standard_exponential" => {
            Out::Floats((0..n()).map(|_| rng.standard_exponential()).collect())
        }
        "standard_gamma" => {
            let shape = arg("shape").f64();
            floats((0..n()).map(|_| rng.standard_gamma(shape)).collect())
        }
        "gamma" => {
            let (shape, scale) = (arg("shape").f64(), arg("scale").f64());
            floats((0..n()).map(|_| rng.gamma(shape, scale)).collect())
        }
        "dirichlet" => {
            let alpha = arg("alpha").vec_f64();
            let rows: Result<Vec<Vec<f64>>, _> = (0..n()).map(|_| rng.dirichlet(&alpha)).collect();
            floats(rows.map(|r| r.concat()))
        }
        "seed" => {
            rng.seed(u32::try_from(arg("s").i64()).expect("seed fits in u32"));
            Out::Ints(vec![])
        }
        other => panic!("unknown op {other}"),
    }
}

fn assert_bits(got: &[f64], expected: &[f64], ctx: &str) {
    assert_eq!(got.len(), expected.len(), "{ctx}: length");
    for (j, (a, b)) in got.iter().zip(expected).enumerate() {
        assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "{ctx}[{j}]: {a:e} != {b:e}"
        );
    }
}

fn check(case: &Case, i: usize, got: &Out) {
    let ctx = format!("case {} op {i}", case.name);
    let key = format!("r{i:03}");
    if case.has("outputs", &format!("{key}_error")) {
        let msg = case.output(&format!("{key}_error")).str();
        let numpy_msg = msg.split_once(": ").map_or(msg, |(_, m)| m);
        match got {
            Out::Error(e) => {
                let g = e.to_string();
                assert!(
                    g.contains(numpy_msg),
                    "{ctx}: error {g:?} lacks {numpy_msg:?}"
                );
            }
            other => panic!("{ctx}: expected error {msg}, got {other:?}"),
        }
        return;
    }
    match got {
        Out::Ints(g) => assert_eq!(g, &case.output(&key).vec_i64(), "{ctx}"),
        Out::Halves(hi, lo) => {
            assert_eq!(hi, &case.output(&format!("{key}_hi")).vec_i64(), "{ctx} hi");
            assert_eq!(lo, &case.output(&format!("{key}_lo")).vec_i64(), "{ctx} lo");
        }
        Out::Floats(g) => {
            let field = case.output(&key);
            let expected = if field.raw().pointer("/0/0").is_some() {
                field.array2_f64().iter().copied().collect()
            } else {
                field.vec_f64()
            };
            assert_bits(g, &expected, &ctx);
        }
        Out::Error(e) => panic!("{ctx}: unexpected error {e}"),
    }
}

#[test]
fn golden_rng_programs() {
    let cases = cl_golden::cases("rng");
    assert!(cases.len() >= 80, "only {} rng cases", cases.len());
    let mut checked = 0;
    for case in &cases {
        let seed = u32::try_from(case.input("seed").i64()).unwrap();
        let mut rng = NumpyRng::new(seed);
        for i in 0..case.input("num_ops").usize() {
            let got = run(&mut rng, case, i);
            check(case, i, &got);
            checked += 1;
        }
    }
    assert!(checked >= cases.len());
}

#[test]
fn scalar_and_vector_randint_share_a_stream() {
    for &(lo, hi) in &[(0_i64, 7_i64), (-3, 1 << 40), (5, 6), (0, 1 << 32)] {
        let mut a = NumpyRng::new(17);
        let mut b = NumpyRng::new(17);
        let v = a.randint_vec(lo, hi, 25).unwrap();
        let w: Vec<i64> = (0..25).map(|_| b.randint(lo, hi).unwrap()).collect();
        assert_eq!(v, w);
    }
}

#[test]
fn choice_from_indexes_the_population() {
    let mut a = NumpyRng::new(3);
    let mut b = NumpyRng::new(3);
    let names = ["a", "b", "c", "d", "e"];
    let got = a.choice_from(&names, 3, false, None).unwrap();
    let idx = b.choice(5, 3, false, None).unwrap();
    assert_eq!(got, idx.iter().map(|&i| names[i]).collect::<Vec<_>>());
    assert!(a.choice_from::<u8>(&[], 1, true, None).is_err());
}
