//! Drawing: one account's map.png and timeline.png, the whole of what `run` computes (engine,
//! data files, map, timeline), and compare.png for every account.

use std::hint::black_box;

use convoy_sim::Geography;
use convoy_sim::data::Basemap;
use convoy_sim::engine;
use convoy_sim::output::map::{self, Scene, Size};
use convoy_sim::output::run::{Formats, Inputs, files};
use criterion::{Criterion, criterion_group, criterion_main};

mod common;

fn maps(c: &mut Criterion) {
    let geo = Geography::embedded().unwrap();
    let basemap = Basemap::embedded().unwrap();
    let scenarios = common::accounts(&geo);
    let (us, us_text) = scenarios
        .iter()
        .find(|(s, _)| s.name == "us_military")
        .unwrap();
    let result = engine::run(us, &geo);
    let scene = Scene {
        geo: &geo,
        basemap: &basemap,
        scenario: us,
        result: &result,
        ensemble: None,
    };
    c.bench_function("map.png (us_military, 1600×1000)", |b| {
        b.iter(|| black_box(map::run_map_png(&scene, Size::RUN_DEFAULT).unwrap()))
    });
    c.bench_function("timeline.png (us_military)", |b| {
        b.iter(|| black_box(map::timeline_png(&scene, Size::RUN_DEFAULT).unwrap()))
    });
    c.bench_function("run us_military: engine, files, map, timeline", |b| {
        b.iter(|| {
            let result = engine::run(us, &geo);
            let inputs = Inputs {
                scenario_path: "us_military",
                scenario_text: us_text,
            };
            let scene = Scene {
                geo: &geo,
                basemap: &basemap,
                scenario: us,
                result: &result,
                ensemble: None,
            };
            black_box((
                bytes(&files(&result, us, &geo, inputs, Formats::default(), None)),
                map::run_map_png(&scene, Size::RUN_DEFAULT).unwrap(),
                map::timeline_png(&scene, Size::RUN_DEFAULT).unwrap(),
            ))
        })
    });
    let results: Vec<_> = scenarios
        .iter()
        .map(|(s, _)| engine::run(s, &geo))
        .collect();
    let scenes: Vec<Scene<'_>> = scenarios
        .iter()
        .zip(&results)
        .map(|((scenario, _), result)| Scene {
            geo: &geo,
            basemap: &basemap,
            scenario,
            result,
            ensemble: None,
        })
        .collect();
    let mut group = c.benchmark_group("compare");
    group.sample_size(10);
    group.bench_function(
        "compare.png (every account in scenarios/, 2400×1350)",
        |b| b.iter(|| black_box(map::compare_png(&scenes, Size::COMPARE_DEFAULT).unwrap())),
    );
    group.finish();
}

criterion_group!(benches, maps);
criterion_main!(benches);

/// What the files hold, made whole in memory (the CLI streams the large ones to disk instead).
fn bytes(files: &[convoy_sim::output::run::OutputFile<'_>]) -> usize {
    files.iter().map(|f| f.bytes().unwrap().len()).sum()
}
