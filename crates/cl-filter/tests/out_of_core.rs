//! The out-of-core mode flags exactly what the in-memory `find_label_issues` flags: on the
//! golden filter datasets for many chunk sizes, on random data (proptest) and through a
//! memory-mapped `.npy` pair.

#![allow(clippy::unwrap_used)]

use cl_core::Real;
use cl_core::count::get_confident_thresholds;
use cl_core::input::{Labels, PredProbs};
use cl_filter::out_of_core::{InMemorySource, PairwiseStream, confident_thresholds_exact};
use cl_filter::{FilterBy, FilterOptions, find_label_issues, find_label_issues_out_of_core};
use ndarray::{Array2, ArrayView2};
use proptest::prelude::*;

fn flagged(mask: &[bool]) -> Vec<usize> {
    mask.iter()
        .enumerate()
        .filter_map(|(i, &m)| m.then_some(i))
        .collect()
}

fn option_sets(k: usize, with_cj: Option<Array2<i64>>) -> Vec<(String, FilterOptions)> {
    let mut v = Vec::new();
    for f in FilterBy::ALL {
        v.push((f.as_str().to_owned(), FilterOptions::default().filter_by(f)));
    }
    for f in [
        FilterBy::PruneByNoiseRate,
        FilterBy::PruneByClass,
        FilterBy::Both,
    ] {
        v.push((
            format!("{}_frac0.5_min3", f.as_str()),
            FilterOptions::default()
                .filter_by(f)
                .frac_noise(0.5)
                .min_examples_per_class(3),
        ));
        v.push((
            format!("{}_remove", f.as_str()),
            FilterOptions::default()
                .filter_by(f)
                .num_to_remove_per_class((0..k).map(|c| c % 3 + 1).collect()),
        ));
        if let Some(cj) = &with_cj {
            v.push((
                format!("{}_cj", f.as_str()),
                FilterOptions::default()
                    .filter_by(f)
                    .confident_joint(cj.clone()),
            ));
        }
    }
    v
}

fn check_all<T: Real>(name: &str, y: &[usize], p: ArrayView2<'_, T>, chunks: &[usize]) -> usize {
    let labels = Labels::from_usize(y, p.ncols()).unwrap();
    let probs = PredProbs::new(p).unwrap();
    let k = p.ncols();
    // A confident joint to supply: the argmax confusion matrix.
    let mut cj = Array2::<i64>::zeros((k, k));
    for (i, &yy) in y.iter().enumerate() {
        let a = cl_core::numerics::argmax(p.row(i).iter().copied()).unwrap();
        cj[[yy, a]] += 1;
    }
    // Exact thresholds, bit for bit.
    let t_mem = get_confident_thresholds(&labels, &probs).unwrap();
    let mut checked = 0;
    for (opt_name, opts) in option_sets(k, Some(cj)) {
        let expected = find_label_issues(&labels, &probs, &opts).map(|m| flagged(&m));
        for &c in chunks {
            let src = InMemorySource::new(y, p, c).unwrap();
            if opt_name == "prune_by_noise_rate" {
                let t = confident_thresholds_exact(&src).unwrap();
                let bits: Vec<u64> = t.iter().map(|v| v.to_bits()).collect();
                let mem_bits: Vec<u64> = t_mem.iter().map(|v| v.to_bits()).collect();
                assert_eq!(bits, mem_bits, "{name} chunk {c}: thresholds differ");
            }
            let got = find_label_issues_out_of_core(&src, &opts);
            match (&expected, got) {
                (Ok(e), Ok(g)) => assert_eq!(&g, e, "{name} {opt_name} chunk {c}"),
                (Err(_), Err(_)) => {}
                (e, g) => panic!("{name} {opt_name} chunk {c}: {e:?} vs {g:?}"),
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn equals_in_memory_on_golden_filter_datasets() {
    let mut checked = 0;
    for case in cl_golden::cases_with_prefix("filter", "issues_") {
        let p64 = case.input("pred_probs").array2_f64();
        let y = case.input("labels").vec_usize();
        let n = y.len();
        let mut chunks = vec![7, 100, n];
        if n <= 2000 {
            chunks.push(1);
        }
        checked += if case.input("dtype").str() == "float32" {
            let p32 = case.input("pred_probs").array2_f32();
            check_all(&case.name, &y, p32.view(), &chunks)
        } else {
            check_all(&case.name, &y, p64.view(), &chunks)
        };
    }
    assert!(checked > 400, "only {checked} comparisons");
}

#[test]
fn pairwise_stream_is_numpy_pairwise_sum() {
    let mut state = 12345u64;
    for n in [
        0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 257, 1000, 1031, 4096, 10_007,
    ] {
        let vals: Vec<f64> = (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                (state >> 11) as f64 / (1u64 << 53) as f64 - 0.3
            })
            .collect();
        let mut s = PairwiseStream::new(n);
        for &v in &vals {
            s.push(v).unwrap();
        }
        let expected = cl_core::numerics::pairwise_sum(&vals);
        assert_eq!(s.sum().unwrap().to_bits(), expected.to_bits(), "n = {n}");
    }
    let mut s = PairwiseStream::new(1);
    s.push(1.0).unwrap();
    assert!(s.push(2.0).is_err());
}

#[test]
fn bad_sources_are_errors() {
    let p = ndarray::array![[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]];
    assert!(InMemorySource::new(&[0, 1], p.view(), 2).is_err());
    assert!(InMemorySource::new(&[0, 1, 1], p.view(), 0).is_err());
    let src = InMemorySource::new(&[0, 2, 1], p.view(), 2).unwrap();
    assert!(find_label_issues_out_of_core(&src, &FilterOptions::default()).is_err());
    let bad = ndarray::array![[0.9, 0.1], [0.2, f64::NAN], [0.3, 0.7]];
    let src = InMemorySource::new(&[0, 1, 1], bad.view(), 2).unwrap();
    assert!(find_label_issues_out_of_core(&src, &FilterOptions::default()).is_err());
    let src = InMemorySource::new(&[1, 1, 1], p.view(), 2).unwrap();
    assert!(find_label_issues_out_of_core(&src, &FilterOptions::default()).is_err());
}

#[cfg(feature = "mmap")]
#[test]
fn npy_pair_equals_in_memory() {
    use cl_filter::out_of_core::{AnyNpySource, ChunkSource, NpySource, open_npy};
    let case = cl_golden::cases_with_prefix("filter", "issues_s3_n1000_k10")
        .pop()
        .unwrap();
    let p = case.input("pred_probs").array2_f64();
    let y = case.input("labels").vec_i64();
    let dir = std::env::temp_dir().join(format!("cl_filter_ooc_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pf = dir.join("p.npy");
    let pf32 = dir.join("p32.npy");
    let lf = dir.join("y.npy");
    let lf32 = dir.join("y32.npy");
    ndarray_npy::write_npy(&pf, &p).unwrap();
    ndarray_npy::write_npy(&pf32, &p.mapv(|v| v as f32)).unwrap();
    ndarray_npy::write_npy(&lf, &ndarray::Array1::from(y.clone())).unwrap();
    ndarray_npy::write_npy(
        &lf32,
        &ndarray::Array1::from(y.iter().map(|&v| v as i32).collect::<Vec<_>>()),
    )
    .unwrap();
    let yu: Vec<usize> = y.iter().map(|&v| v as usize).collect();
    for f in FilterBy::ALL {
        let opts = FilterOptions::default().filter_by(f);
        let labels = Labels::from_usize(&yu, p.ncols()).unwrap();
        let expected = flagged(
            &find_label_issues(&labels, &PredProbs::new(p.view()).unwrap(), &opts).unwrap(),
        );
        let src = NpySource::<f64>::open(&lf, &pf, 333).unwrap();
        assert_eq!(src.num_rows(), 1000);
        assert_eq!(
            find_label_issues_out_of_core(&src, &opts).unwrap(),
            expected
        );
        let src = NpySource::<f64>::open(&lf32, &pf, 64).unwrap();
        assert_eq!(
            find_label_issues_out_of_core(&src, &opts).unwrap(),
            expected
        );
        let p32 = p.mapv(|v| v as f32);
        let expected32 = flagged(
            &find_label_issues(&labels, &PredProbs::new(p32.view()).unwrap(), &opts).unwrap(),
        );
        match open_npy(&lf, &pf32, 100).unwrap() {
            AnyNpySource::F32(s) => {
                assert_eq!(
                    find_label_issues_out_of_core(&s, &opts).unwrap(),
                    expected32
                );
            }
            other => panic!("expected f32, got {other:?}"),
        }
    }
    assert!(NpySource::<f32>::open(&lf, &pf, 10).is_err());
    assert!(NpySource::<f64>::open(&pf, &pf, 10).is_err());
    assert!(NpySource::<f64>::open(dir.join("missing.npy"), &pf, 10).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn random_data(seed: u64, n: usize, k: usize, alpha_small: bool) -> (Vec<usize>, Array2<f64>) {
    let mut rng = cl_core::rng::NumpyRng::new(seed as u32);
    let alpha = vec![if alpha_small { 0.3 } else { 1.0 }; k];
    let mut p = Array2::<f64>::zeros((n, k));
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let row = rng.dirichlet(&alpha).unwrap();
        for (j, v) in row.iter().enumerate() {
            p[[i, j]] = *v;
        }
        let a = cl_core::numerics::argmax(row.iter().copied()).unwrap();
        let flip = rng.random_sample() < 0.25;
        y.push(if flip {
            rng.randint(0, k as i64).unwrap() as usize
        } else {
            a
        });
    }
    (y, p)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn proptest_equals_in_memory(
        seed in 0u64..10_000,
        n in 2usize..300,
        k in 2usize..7,
        chunk in 1usize..80,
        small in any::<bool>(),
        ties in any::<bool>(),
    ) {
        let (y, mut p) = random_data(seed, n, k, small);
        if ties {
            // Coarse values create many exact ties in margins and thresholds.
            p.mapv_inplace(|v| (v * 8.0).round() / 8.0);
        }
        let labels = Labels::from_usize(&y, k).unwrap();
        let probs = PredProbs::new(p.view()).unwrap();
        for f in FilterBy::ALL {
            let opts = FilterOptions::default().filter_by(f);
            let expected = find_label_issues(&labels, &probs, &opts).map(|m| flagged(&m));
            let src = InMemorySource::new(&y, p.view(), chunk).unwrap();
            let got = find_label_issues_out_of_core(&src, &opts);
            match (expected, got) {
                (Ok(e), Ok(g)) => prop_assert_eq!(g, e),
                (Err(_), Err(_)) => {}
                (e, g) => prop_assert!(false, "{:?} vs {:?}", e, g),
            }
        }
    }
}
