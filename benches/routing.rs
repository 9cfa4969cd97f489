//! Hot paths of the geography the engine will lean on, on the real embedded data: loading it,
//! routing with and without a closure, name lookup, and the point-in-zone query; and a route
//! across a road network of a national OpenStreetMap extract's size (built in memory).

use std::hint::black_box;
use std::time::Instant;

use convoy_sim::Geography;
use convoy_sim::network::{Closed, Contracted, Metric, Road, RoadClass, RoadNetwork, Traveller};
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
    crossings(lines, inner, (38.2, 34.5, 39.0, 34.95), |_, _, _| 0.0)
}

/// What a national OpenStreetMap extract is mostly made of: junctions ~2.7 km apart over
/// Syria's 4° × 3°, and between each two a road of `inner` shape points that wanders off the
/// straight line (tens of metres apart, as OSM ways are drawn). 150 lines and 60 shape points:
/// 44,700 roads, 2,704,382 nodes (118 shape points fall on another road's), 2,726,700 segments;
/// 22,614 junctions and 44,932 chains once contracted.
fn osm_like(lines: usize, inner: usize) -> RoadNetwork {
    // A fixed, irregular offset, up to ±0.002° (~200 m): no two paths cost the same.
    let wander = |a: usize, b: usize, k: usize| {
        let h = (a * 7919 + b * 104_729 + k * 1_299_709) % 1999;
        (h as f64 - 999.0) * 2e-6
    };
    crossings(lines, inner, (36.0, 33.0, 40.0, 36.0), wander)
}

/// The roads of a grid of `lines` × `lines` crossings over `(west, south, east, north)`: one
/// road per interval between crossings, `inner` vertices inside each, moved
/// `offset(a, b, k)` degrees off the straight line (vertex `k` of the `b`th road along line
/// `a`); a class per line as OpenStreetMap's mix of primary, secondary, tertiary, unclassified
/// and track.
fn crossings(
    lines: usize,
    inner: usize,
    (west, south, east, north): (f64, f64, f64, f64),
    offset: impl Fn(usize, usize, usize) -> f64,
) -> RoadNetwork {
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
                        let off = match k {
                            0 => 0.0,
                            k if k == inner + 1 => 0.0,
                            k => offset(a, b, k),
                        };
                        (p.0 + (q.0 - p.0) * f + off, p.1 + (q.1 - p.1) * f - off)
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

/// A national-size network of shape points: loading it, contracting it, and one route across it
/// by the node search and by the contracted one.
fn national_osm_like(c: &mut Criterion) {
    let started = Instant::now();
    let net = osm_like(150, 60);
    let loaded = started.elapsed();
    let started = Instant::now();
    let contracted = Contracted::new(&net);
    let contraction = started.elapsed();
    // Measured once each (a criterion sample of either takes seconds): printed, not asserted.
    eprintln!(
        "OSM-like network: {} nodes, {} segments; load {loaded:.2?}; contraction {contraction:.2?} \
         to {} junctions, {} chains",
        net.graph().node_count(),
        net.graph().edge_count(),
        contracted.junctions(),
        contracted.chains(),
    );
    let corner = |lon, lat| net.snap(LonLat::new(lon, lat)).unwrap().0;
    let (a, b) = (corner(36.0, 33.0), corner(40.0, 36.0));
    let buses = net.barred_to(Traveller::Road);
    let mut group = c.benchmark_group("national OSM-like, 2.7 million nodes");
    group.sample_size(10);
    group.bench_function("contract", |bench| {
        bench.iter(|| black_box(Contracted::new(&net)))
    });
    for (name, metric, closed) in [
        ("fastest", Metric::Fastest, Closed::default()),
        ("fastest, tracks barred", Metric::Fastest, buses),
        ("shortest", Metric::Shortest, Closed::default()),
    ] {
        group.bench_function(
            format!("route corner to corner ({name}), node search"),
            |bench| bench.iter(|| black_box(net.route_by_nodes(a, b, metric, &closed).unwrap())),
        );
        group.bench_function(
            format!("route corner to corner ({name}), contracted"),
            |bench| {
                bench.iter(|| black_box(contracted.route(&net, a, b, metric, &closed).unwrap()))
            },
        );
        assert_eq!(
            net.route_by_nodes(a, b, metric, &closed),
            contracted.route(&net, a, b, metric, &closed)
        );
    }
    group.finish();
}

criterion_group!(benches, geography, national, national_osm_like);
criterion_main!(benches);
