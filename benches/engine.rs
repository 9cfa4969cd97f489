//! One run of each account in scenarios/, engine only and with every output file built — the work
//! `convoy-sim run` does apart from reading and writing files.

// As the binary allocates (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use convoy_sim::Geography;
use convoy_sim::engine;
use convoy_sim::output::run::{Formats, Inputs, files};
use convoy_sim::scenario::Scenario;
use criterion::{Criterion, criterion_group, criterion_main};

mod common;

fn accounts(c: &mut Criterion) {
    let geo = Geography::embedded().unwrap();
    let mut group = c.benchmark_group("run");
    for (scenario, text) in common::accounts(&geo) {
        let name = scenario.name.clone();
        group.bench_function(format!("{name}: engine"), |b| {
            b.iter(|| black_box(engine::run(&scenario, &geo)))
        });
        // What each realization of an ensemble is: a lean run, routes shared with the others
        // through its thread's memo.
        let routes = convoy_sim::network::Routes::default();
        let memo = engine::RouteMemo::default();
        group.bench_function(format!("{name}: one realization"), |b| {
            b.iter(|| {
                let lean = engine::Record::Ends(engine::Probes::default());
                let sim = engine::Simulation::new(&scenario, &geo, scenario.seed);
                black_box(sim.recording(lean).sharing_routes(&routes, &memo).run())
            })
        });
        let inputs = Inputs {
            scenario_path: &name,
            scenario_text: &text,
        };
        group.bench_function(format!("{name}: engine + output files"), |b| {
            b.iter(|| {
                let result = engine::run(&scenario, &geo);
                black_box(bytes(&files(
                    &result,
                    &scenario,
                    &geo,
                    inputs,
                    Formats::default(),
                    None,
                )))
            })
        });
    }
    group.finish();
}

/// Issue #14: 10,000 realizations of one 17-bus account on one thread (realizations per second
/// per core), and the same on two threads (the speed-up from a second core).
fn ensemble(c: &mut Criterion) {
    let geo = Geography::embedded().unwrap();
    let scenario = common::us_military_times(&geo, 1);
    let mut group = c.benchmark_group("ensemble");
    // Each sample is a whole ensemble of a second or more: ten keep the group to a few minutes.
    group.sample_size(10);
    let runs = common::sized(RUNS);
    group.throughput(criterion::Throughput::Elements(runs.into()));
    for threads in [1, 2] {
        group.bench_function(format!("us_military × {runs}, {threads} thread(s)"), |b| {
            b.iter(|| {
                black_box(
                    convoy_sim::ensemble::run(&scenario, &geo, runs, Some(threads), &|| true)
                        .unwrap(),
                )
            })
        });
    }
    group.finish();
}

/// Realizations in the ensemble bench.
const RUNS: u32 = 10_000;

/// Issue #14: cost linear in agents. Realizations of the US military's account with 1, 10 and 100
/// times its buses and people, on one thread; criterion's throughput is realizations per second,
/// so the time per realization is comparable across the three.
///
/// Each ensemble is of the same number of agents × realizations (10,000 realizations of ×1, 1,000
/// of ×10, 100 of ×100): what an ensemble does once — start its thread, draw its inputs, find its
/// routes the first time, tally and merge — then weighs the same share at every scale, and each
/// figure is a realization's steady cost. With 100 realizations at every scale, as before, ×1
/// carried 3–4 ms of that once-off work (a quarter of its time) that ×100 spread over a hundred
/// times the work, flattering the ratio. `examples/scaling.rs agents` measures the same ratio in
/// interleaved pairs, for a machine whose speed drifts between benches.
fn scaled(c: &mut Criterion) {
    let geo = Geography::embedded().unwrap();
    let mut group = c.benchmark_group("scaled");
    group.sample_size(10);
    for k in [1u32, 10, 100] {
        let runs = u64::from(common::sized(SCALED_AGENT_RUNS / k));
        let scenario = common::us_military_times(&geo, k);
        group.throughput(criterion::Throughput::Elements(runs));
        group.bench_function(
            format!("us_military ×{k}, {runs} realizations, 1 thread"),
            |b| {
                b.iter(|| {
                    black_box(
                        convoy_sim::ensemble::run(&scenario, &geo, runs as u32, Some(1), &|| true)
                            .unwrap(),
                    )
                })
            },
        );
    }
    group.finish();
}

/// Realizations of ×1 in the scaled benches: ×k runs this over k.
const SCALED_AGENT_RUNS: u32 = 10_000;

/// `convoy-sim check scenarios/*.toml` without the files: every claim against every account, each
/// account an ensemble of 200 realizations, on one thread.
fn check(c: &mut Criterion) {
    let geo = Geography::embedded().unwrap();
    let scenarios: Vec<Scenario> = common::accounts(&geo).into_iter().map(|a| a.0).collect();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function(
        "every account in scenarios/ × all claims, 200 realizations each, 1 thread",
        |b| {
            b.iter(|| {
                black_box(
                    convoy_sim::check::check(&scenarios, &geo, 200, Some(1), &|| true).unwrap(),
                )
            })
        },
    );
    group.finish();
}

criterion_group!(benches, accounts, ensemble, scaled, check);
criterion_main!(benches);

/// What the files hold, made whole in memory (the CLI streams the large ones to disk instead).
fn bytes(files: &[convoy_sim::output::run::OutputFile<'_>]) -> usize {
    files.iter().map(|f| f.bytes().unwrap().len()).sum()
}
