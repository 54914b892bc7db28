//! Criterion benches: `find_label_issues` (every `FilterBy`) and `get_label_quality_scores`
//! (every method) at N = 10k / 100k / 1M, K = 10 / 100, f32 and f64, plus the row-sum
//! read-pass baseline.
//!
//! The default run skips 1M×100 (800 MB of f64 data); set `CL_BENCH_FULL=1` to include it.
//! Filter as usual: `cargo bench -p cl-benches -- 'find_label_issues:both/100000x10'`.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use cl_benches::{DEFAULT_SEED, Dataset, Op, SCORE_METHODS, generate};
use cl_core::Real;
use cl_filter::FilterBy;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn ops() -> Vec<Op> {
    let mut ops = vec![Op::RowSums];
    ops.extend(FilterBy::ALL.into_iter().map(Op::FindLabelIssues));
    ops.extend(SCORE_METHODS.into_iter().map(Op::LabelQuality));
    ops
}

fn sizes() -> Vec<(usize, usize)> {
    let full = std::env::var("CL_BENCH_FULL").is_ok_and(|v| v == "1");
    let mut out = Vec::new();
    for n in [10_000, 100_000, 1_000_000] {
        for k in [10, 100] {
            if n * k > 10_000_000 && !full {
                continue;
            }
            out.push((n, k));
        }
    }
    out
}

fn bench_dtype<T: Real>(c: &mut Criterion, dtype: &str) {
    for (n, k) in sizes() {
        let Ok(data): Result<Dataset<T>, _> = generate::<T>(n, k, DEFAULT_SEED) else {
            continue;
        };
        let cells = n * k;
        let mut group = c.benchmark_group(format!("{dtype}/{n}x{k}"));
        group.throughput(Throughput::Bytes((cells * std::mem::size_of::<T>()) as u64));
        // Small samples for the big sizes keep the default run affordable on 2 cores.
        if cells >= 10_000_000 {
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(4));
        } else if cells >= 1_000_000 {
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(2));
        } else {
            group
                .sample_size(20)
                .measurement_time(Duration::from_secs(1));
        }
        group.warm_up_time(Duration::from_millis(300));
        for op in ops() {
            group.bench_with_input(BenchmarkId::from_parameter(op.name()), &op, |b, &op| {
                b.iter(|| black_box(op.run(&data.labels, data.pred_probs.view())));
            });
        }
        group.finish();
    }
}

fn benches(c: &mut Criterion) {
    bench_dtype::<f64>(c, "f64");
    bench_dtype::<f32>(c, "f32");
}

criterion_group!(classification, benches);
criterion_main!(classification);
