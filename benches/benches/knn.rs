//! Criterion bench of the exact kNN graph (cleanlab's `features_to_knn` +
//! `construct_knn_graph_from_index`, default metric, k = 10) on seeded clustered features.
//!
//! Default: 20k × 64 (cosine) and 20k × 3 (Euclidean), f32 and f64. `CL_BENCH_FULL=1` adds
//! 100k × 64 cosine (the size of the cleanlab comparison in `cargo xtask bench`).

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use cl_benches::{DEFAULT_SEED, generate_features, knn_graph_checksum};
use cl_core::Real;
use cl_core::neighbors::Tiling;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn sizes() -> Vec<(usize, usize)> {
    let full = std::env::var("CL_BENCH_FULL").is_ok_and(|v| v == "1");
    let mut out = vec![(20_000, 64), (20_000, 3)];
    if full {
        out.push((100_000, 64));
    }
    out
}

fn bench_dtype<T: Real>(c: &mut Criterion, dtype: &str) {
    for (n, d) in sizes() {
        let Ok(x) = generate_features::<T>(n, d, DEFAULT_SEED) else {
            continue;
        };
        let mut group = c.benchmark_group(format!("knn_graph/{dtype}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if n >= 100_000 { 60 } else { 10 }));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{n}x{d}_k10")),
            &x,
            |b, x| b.iter(|| black_box(knn_graph_checksum(x.view(), 10, Tiling::default()))),
        );
        group.finish();
    }
}

fn benches(c: &mut Criterion) {
    bench_dtype::<f32>(c, "f32");
    bench_dtype::<f64>(c, "f64");
}

criterion_group!(knn, benches);
criterion_main!(knn);
