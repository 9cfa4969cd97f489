//! Sensitivity analysis on the Ishigami function: a Sobol study (N = 4096, 20,480 evaluations,
//! 1000 bootstrap resamples) and a Morris screening (r = 50), so the figures measure the
//! library's own cost — sampling, gathering, estimating — not a model's.

use std::f64::consts::PI;
use std::hint::black_box;

use convoy_sim::sensitivity::{FnModel, MorrisSettings, SobolSettings, morris, sobol};
use criterion::{Criterion, criterion_group, criterion_main};

fn ishigami() -> FnModel<impl Fn(&[f64]) -> Vec<f64> + Sync> {
    FnModel::new(&["x1", "x2", "x3"], &["ishigami"], |u: &[f64]| {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        vec![x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()]
    })
}

fn sensitivity(c: &mut Criterion) {
    let model = ishigami();
    let settings = SobolSettings::new(4096, 1);
    c.bench_function("sobol ishigami N=4096, 1000 resamples", |b| {
        b.iter(|| black_box(sobol::run(&model, &settings, None).unwrap()))
    });
    let fewer = SobolSettings {
        resamples: SobolSettings::MIN_RESAMPLES,
        ..settings.clone()
    };
    c.bench_function("sobol ishigami N=4096, 100 resamples", |b| {
        b.iter(|| black_box(sobol::run(&model, &fewer, None).unwrap()))
    });
    let settings = MorrisSettings::new(50, 1);
    c.bench_function("morris ishigami r=50", |b| {
        b.iter(|| black_box(morris::run(&model, &settings, None).unwrap()))
    });
}

/// `convoy-sim sensitivity scenarios/us_military.toml` without the files: a Sobol study of the
/// account's uncertain inputs over its own claims and where its buses end, N = 64, one thread.
fn account(c: &mut Criterion) {
    let geo = convoy_sim::Geography::embedded().unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/us_military.toml");
    let scenario = convoy_sim::scenario::Scenario::from_toml(
        &std::fs::read_to_string(path).unwrap(),
        "us_military",
        "us_military",
        &geo,
    )
    .unwrap();
    let model = convoy_sim::check::model::AccountModel::new(
        &scenario,
        &geo,
        scenario.claims.iter().collect(),
    );
    let settings = SobolSettings::new(64, 1);
    let mut group = c.benchmark_group("sensitivity");
    group.sample_size(10);
    group.bench_function("us_military sobol N=64, 1 thread", |b| {
        b.iter(|| black_box(sobol::run(&model, &settings, Some(1)).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, sensitivity, account);
criterion_main!(benches);
