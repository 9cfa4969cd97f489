//! `convoy-sim places`: the whole gazetteer, optionally with who held each place at a time.

use clap::Args;
use convoy_sim::Geography;
use convoy_sim::output::geojson::{feature_collection, point_feature, properties};
use convoy_sim::units::parse_utc;
use convoy_sim::zones::Control;
use serde_json::json;

use super::table::Table;
use super::{Error, Format};

/// List every place in the gazetteer.
///
/// With --at, each place also carries `zone`: who held it at that time (syrian_government,
/// islamic_state, iraqi_government, sdf, coalition, lebanese_government, kurdistan_region, or none).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim places\n  convoy-sim places --at 2017-08-30T12:00:00Z\n  convoy-sim places --format geojson --at 2017-08-30 > places_30aug.geojson"
)]
pub struct PlacesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// A time in UTC (2017-08-30T12:00:00Z, 2017-08-30T12:00, or 2017-08-30 for 00:00 UTC).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
}

pub fn run(world: &Geography, args: &PlacesArgs) -> Result<String, Error> {
    let at = args
        .at
        .as_deref()
        .map(parse_utc)
        .transpose()
        .map_err(Error::input)?;
    let mut rows = Vec::with_capacity(world.gazetteer.len());
    for (_, place) in world.gazetteer.places() {
        let control: Option<Control<'_>> = at
            .map(|t| world.zones.holder_at(place.location(), t))
            .transpose()
            .map_err(Error::input)?;
        rows.push((place, control));
    }
    Ok(match args.format {
        Format::Table => {
            let mut header = vec![
                "id", "name", "country", "kind", ">lon", ">lat", ">±km", "position", "aliases",
            ];
            if at.is_some() {
                header.insert(4, "zone");
            }
            let mut t = Table::new(&header);
            for (p, control) in rows {
                let at = p.location();
                let mut cells = vec![
                    p.id.clone(),
                    p.name.clone(),
                    p.country.clone(),
                    p.kind.clone(),
                    format!("{:.4}", at.lon),
                    format!("{:.4}", at.lat),
                    format!("{}", p.uncertainty_km),
                    p.position.to_string(),
                    p.aliases.join(", "),
                ];
                if let Some(c) = control {
                    cells.insert(4, c.holder.to_string());
                }
                t.row(cells);
            }
            t.render()
        }
        Format::Geojson => {
            let features: Vec<_> = rows
                .into_iter()
                .map(|(p, control)| {
                    let mut props = properties([
                        ("id", json!(p.id)),
                        ("name", json!(p.name)),
                        ("aliases", json!(p.aliases)),
                        ("country", json!(p.country)),
                        ("kind", json!(p.kind)),
                        ("uncertainty_km", json!(p.uncertainty_km)),
                        ("position", json!(p.position)),
                        ("source", json!(p.source)),
                        ("in_reports", json!(p.in_reports)),
                    ]);
                    if let (Some(c), Some(t)) = (control, at) {
                        props.insert("zone".into(), json!(c.holder));
                        props.insert("zone_id".into(), json!(c.zone.map(|z| &z.id)));
                        props.insert("at".into(), json!(t.to_string()));
                    }
                    point_feature(p.location(), props)
                })
                .collect();
            feature_collection(&features)
        }
    })
}
