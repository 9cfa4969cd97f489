//! Hot paths of the geography the engine will lean on, on the real embedded data: loading it,
//! routing with and without a closure, name lookup, and the point-in-zone query.

use std::hint::black_box;

use convoy_sim::Geography;
use convoy_sim::network::{Closed, Metric};
use convoy_sim::units::{LonLat, parse_utc};
use criterion::{Criterion, criterion_group, criterion_main};

fn geography(c: &mut Criterion) {
    c.bench_function("load embedded geography", |b| {
        b.iter(|| black_box(Geography::embedded().unwrap()))
    });

    let w = Geography::embedded().unwrap();
    let from = w.routed_place("Qalamoun").unwrap();
    let to = w.routed_place("Al Bukamal").unwrap();
    c.bench_function("route Qalamoun → Al Bukamal (fastest)", |b| {
        b.iter(|| {
            black_box(
                w.route(&from, &to, Metric::Fastest, &Closed::default())
                    .unwrap(),
            )
        })
    });
    let cut = Closed::segments(w.stretch("Hamaymah-Al Bukamal").unwrap().2);
    c.bench_function("route Qalamoun → Al Bukamal around the road cut", |b| {
        b.iter(|| black_box(w.route(&from, &to, Metric::Fastest, &cut).unwrap()))
    });

    let names = [
        "al-bukamal",
        "Tadmur",
        "Al Qa’im",
        "Deir al-Zour",
        "Humaymah",
        "Rawah",
    ];
    c.bench_function("geocode 6 names", |b| {
        b.iter(|| {
            for n in names {
                black_box(w.gazetteer.lookup(n).unwrap());
            }
        })
    });

    let t = parse_utc("2017-08-30T12:00:00Z").unwrap();
    let points: Vec<LonLat> = w.gazetteer.places().map(|(_, p)| p.location()).collect();
    c.bench_function("holder_at for every gazetteer place", |b| {
        b.iter(|| {
            for &p in &points {
                black_box(w.zones.holder_at(p, t).unwrap());
            }
        })
    });
}

criterion_group!(benches, geography);
criterion_main!(benches);
