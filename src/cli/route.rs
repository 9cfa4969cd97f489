//! `convoy-sim route FROM TO`: the best road path between two places, around closed stretches.

use clap::{Args, ValueEnum};
use convoy_sim::Geography;
use convoy_sim::network::{Closed, Metric};
use convoy_sim::output::geojson::{feature_collection, line_feature, properties};
use convoy_sim::units::{LonLat, hours};
use serde_json::json;

use super::table::Table;
use super::{Error, Format};

/// Find the fastest (or shortest) road route between two places.
///
/// Places are snapped to the nearest road vertex (at most 10 km away). Each --avoid closes the
/// stretch of road between two places — the segments of the fastest path between them — and the
/// route goes around it, or fails with exit 2 when nothing else connects. The GeoJSON form is a
/// FeatureCollection of LineStrings: the whole path first (distance_km, duration_h), then one feature
/// per road leg.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim route Qalamoun Palmyra\n  convoy-sim route Palmyra \"Al Bukamal\" --avoid \"Hamaymah-Al Bukamal\"\n  convoy-sim route Hamaymah Rawa --metric shortest --format geojson > path.geojson"
)]
pub struct RouteArgs {
    /// Where the route starts.
    from: String,
    /// Where the route ends.
    to: String,
    /// Close the road between two places, written "A-B" (repeatable).
    #[arg(long, value_name = "A-B")]
    avoid: Vec<String>,
    /// What the route minimises.
    #[arg(long, value_enum, default_value_t = MetricArg::Fastest)]
    metric: MetricArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MetricArg {
    /// Least time at each road's typical speed.
    Fastest,
    /// Least distance.
    Shortest,
}

impl From<MetricArg> for Metric {
    fn from(m: MetricArg) -> Self {
        match m {
            MetricArg::Fastest => Metric::Fastest,
            MetricArg::Shortest => Metric::Shortest,
        }
    }
}

impl MetricArg {
    fn as_str(self) -> &'static str {
        match self {
            MetricArg::Fastest => "fastest",
            MetricArg::Shortest => "shortest",
        }
    }
}

pub fn run(world: &Geography, args: &RouteArgs) -> Result<String, Error> {
    let from = world.routed_place(&args.from)?;
    let to = world.routed_place(&args.to)?;
    let mut closed = Closed::default();
    let mut avoided = Vec::new();
    for spec in &args.avoid {
        let (a, b, segments) = world.stretch(spec)?;
        avoided.push(format!("{}–{}", a.found.place.name, b.found.place.name));
        closed.segments.extend(segments);
    }
    let route = world.route(&from, &to, args.metric.into(), &closed)?;
    let legs = route.legs(&world.network);
    let (from_name, to_name) = (&from.found.place.name, &to.found.place.name);
    let label = |at: LonLat| world.gazetteer.label(at);
    Ok(match args.format {
        Format::Table => {
            let mut out = format!(
                "{from_name} → {to_name} ({}): {:.1} km, {:.1} h",
                args.metric.as_str(),
                route.distance.km(),
                hours(route.duration)
            );
            if !avoided.is_empty() {
                out.push_str(&format!(", avoiding {}", avoided.join(", ")));
            }
            out.push('\n');
            // Say when a place is off the road and the route starts or ends at a vertex away from it.
            for p in [&from, &to] {
                if p.snap.km() >= 0.5 {
                    out.push_str(&format!(
                        "({} is {:.1} km from the road; the route uses {})\n",
                        p.found.place.name,
                        p.snap.km(),
                        label(world.network.node(p.node))
                    ));
                }
            }
            out.push('\n');
            let mut t = Table::new(&["from", "to", "road", "class", ">km/h", ">km", ">h"]);
            for leg in &legs {
                let road = world.network.road(leg.road);
                t.row(vec![
                    label(leg.from),
                    label(leg.to),
                    road.name.clone(),
                    road.class.to_string(),
                    format!("{}", road.speed_kmh),
                    format!("{:.1}", leg.distance.km()),
                    format!("{:.1}", hours(leg.duration)),
                ]);
            }
            out.push_str(&t.render());
            out
        }
        Format::Geojson => {
            let mut features = vec![line_feature(
                &route.geometry(&world.network),
                properties([
                    ("kind", json!("route")),
                    ("from", json!(from_name)),
                    ("to", json!(to_name)),
                    ("metric", json!(args.metric.as_str())),
                    ("avoided", json!(avoided)),
                    ("from_off_road_km", json!(round1(from.snap.km()))),
                    ("to_off_road_km", json!(round1(to.snap.km()))),
                    ("distance_km", json!(round1(route.distance.km()))),
                    ("duration_h", json!(round2(hours(route.duration)))),
                ]),
            )];
            features.extend(legs.iter().enumerate().map(|(i, leg)| {
                let road = world.network.road(leg.road);
                line_feature(
                    &route.leg_geometry(&world.network, leg),
                    properties([
                        ("kind", json!("leg")),
                        ("leg", json!(i + 1)),
                        ("road_id", json!(road.id)),
                        ("road", json!(road.name)),
                        ("ref", json!(road.reference)),
                        ("class", json!(road.class)),
                        ("speed_kmh", json!(road.speed_kmh)),
                        ("distance_km", json!(round1(leg.distance.km()))),
                        ("duration_h", json!(round2(hours(leg.duration)))),
                    ]),
                )
            }));
            feature_collection(&features)
        }
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
