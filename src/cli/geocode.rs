//! `convoy-sim geocode NAME...`: names → places, forgiving of spelling conventions.

use clap::Args;
use convoy_sim::Geography;
use convoy_sim::gazetteer::Match;
use convoy_sim::output::geojson::{feature_collection, point_feature, properties};
use serde_json::json;

use super::table::Table;
use super::{Error, Format};

/// Resolve place names to coordinates.
///
/// Matching ignores case, accents, apostrophes, hyphens and a leading article, and knows every
/// alias and transliteration in the gazetteer (Bukamal, Abu Kamal, Albu Kamal…). An unknown name is
/// an error (exit 2) that suggests the closest known places; nothing is printed on stdout then.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim geocode \"Abu Kamal\" Tadmur \"Al Qa’im\"\n  convoy-sim geocode --format geojson Rawa Aana > towns.geojson"
)]
pub struct GeocodeArgs {
    /// Place names, in any common spelling.
    #[arg(required = true, value_name = "NAME")]
    names: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(world: &Geography, args: &GeocodeArgs) -> Result<String, Error> {
    let found = args
        .names
        .iter()
        .map(|n| world.gazetteer.lookup(n))
        .collect::<Result<Vec<Match<'_>>, _>>()?;
    Ok(match args.format {
        Format::Table => {
            let mut t = Table::new(&[
                "query", "name", "id", "country", "kind", ">lon", ">lat", ">±km", "position",
            ]);
            for (q, m) in args.names.iter().zip(&found) {
                let at = m.place.location();
                t.row(vec![
                    q.clone(),
                    m.place.name.clone(),
                    m.place.id.clone(),
                    m.place.country.clone(),
                    m.place.kind.clone(),
                    format!("{:.4}", at.lon),
                    format!("{:.4}", at.lat),
                    format!("{}", m.place.uncertainty_km),
                    m.place.position.to_string(),
                ]);
            }
            t.render()
        }
        Format::Geojson => {
            let features: Vec<_> = args
                .names
                .iter()
                .zip(&found)
                .map(|(q, m)| {
                    let p = m.place;
                    point_feature(
                        p.location(),
                        properties([
                            ("query", json!(q)),
                            ("matched", json!(m.matched_name)),
                            ("id", json!(p.id)),
                            ("name", json!(p.name)),
                            ("country", json!(p.country)),
                            ("kind", json!(p.kind)),
                            ("uncertainty_km", json!(p.uncertainty_km)),
                            ("position", json!(p.position)),
                            ("source", json!(p.source)),
                        ]),
                    )
                })
                .collect();
            feature_collection(&features)
        }
    })
}
