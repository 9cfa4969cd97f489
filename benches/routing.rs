//! Hot paths of the geography the engine will lean on, on the real embedded data: loading it,
//! routing with and without a closure, name lookup, and the point-in-zone query; and a route
//! across a road network of a national OpenStreetMap extract's size (built in memory).

use std::hint::black_box;

use convoy_sim::Geography;
use convoy_sim::network::{Closed, Metric, Road, RoadClass, RoadNetwork, Traveller};
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

/// A grid of `lines` × `lines` crossing roads over 0.8° × 0.45° (as the suite's synthetic OSM
/// extract, `osm_import::grid`): one road per interval between crossings, `inner` vertices inside
/// each, a class per line as OpenStreetMap's mix of primary, secondary, tertiary, unclassified
/// and track. 300 lines and 5 inner vertices: 179,400 roads, 987,000 nodes, 1,076,400 segments.
fn grid(lines: usize, inner: usize) -> RoadNetwork {
    let (west, south, east, north) = (38.2, 34.5, 39.0, 34.95);
    let at = |i: usize, j: usize| {
        (
            west + (east - west) * i as f64 / (lines - 1) as f64,
            south + (north - south) * j as f64 / (lines - 1) as f64,
        )
    };
    let classes = [
        (RoadClass::Secondary, 50.0),
        (RoadClass::Secondary, 40.0),
        (RoadClass::Track, 20.0),
        (RoadClass::Secondary, 60.0),
        (RoadClass::Secondary, 50.0),
    ];
    let mut roads = Vec::new();
    for vertical in [false, true] {
        for a in 0..lines {
            let (class, speed) = match a % 10 {
                0 => (RoadClass::Main, 70.0),
                _ => classes[a % 5],
            };
            for b in 0..lines - 1 {
                let (p, q) = match vertical {
                    false => (at(b, a), at(b + 1, a)),
                    true => (at(a, b), at(a, b + 1)),
                };
                let coords: Vec<(f64, f64)> = (0..=inner + 1)
                    .map(|k| {
                        let f = k as f64 / (inner + 1) as f64;
                        (p.0 + (q.0 - p.0) * f, p.1 + (q.1 - p.1) * f)
                    })
                    .collect();
                roads.push(Road {
                    geometry: coords.into(),
                    id: format!("r{vertical}_{a}_{b}"),
                    name: String::new(),
                    reference: None,
                    class,
                    speed_kmh: speed,
                    from: None,
                    to: None,
                    source: "synthetic grid".into(),
                    licence: None,
                });
            }
        }
    }
    RoadNetwork::new(roads, "synthetic grid").unwrap()
}

fn national(c: &mut Criterion) {
    let net = grid(300, 5);
    let corner = |lon, lat| net.snap(LonLat::new(lon, lat)).unwrap().0;
    let (a, b) = (corner(38.2, 34.5), corner(39.0, 34.95));
    let mut group = c.benchmark_group("national grid, 987,000 nodes");
    group.sample_size(10);
    group.bench_function("route corner to corner (fastest)", |bench| {
        bench.iter(|| {
            black_box(
                net.route(a, b, Metric::Fastest, &Closed::default())
                    .unwrap(),
            )
        })
    });
    let buses = net.barred_to(Traveller::Road);
    group.bench_function("route corner to corner (fastest, tracks barred)", |bench| {
        bench.iter(|| black_box(net.route(a, b, Metric::Fastest, &buses).unwrap()))
    });
    group.bench_function("route corner to corner (shortest)", |bench| {
        bench.iter(|| {
            black_box(
                net.route(a, b, Metric::Shortest, &Closed::default())
                    .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, geography, national);
criterion_main!(benches);
