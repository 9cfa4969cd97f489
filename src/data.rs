//! The embedded default data, and [`Geography`]: the gazetteer, road network and control zones
//! together, with the queries that need more than one of them (route between place names, close
//! the road between two places).
//!
//! The sources registry (`data/sources.toml`, see [`crate::sources`]) travels with the geography
//! because scenarios are validated against both.
//!
//! The files under `data/` are compiled into the binary, so `convoy-sim` works from any directory.

use std::collections::BTreeSet;

use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::credibility::{CredibilityError, Ratings};
use crate::gazetteer::{Gazetteer, GazetteerError, Match, PlaceId};
use crate::network::{
    ClassLabels, ClassLabelsError, Closed, Metric, NetworkError, ROAD_CLASSES_TOML, RoadNetwork,
    Route,
};
use crate::sources::{Registry, SourcesError};
use crate::units::Metres;
use crate::zones::{ControlMap, Holders, HoldersError, ZoneError};

/// `data/places.geojson`.
pub const PLACES_GEOJSON: &str = include_str!("../data/places.geojson");
/// `data/roads.geojson`.
pub const ROADS_GEOJSON: &str = include_str!("../data/roads.geojson");
/// `data/zones.geojson`.
pub const ZONES_GEOJSON: &str = include_str!("../data/zones.geojson");

/// `data/basemap/countries.geojson`.
pub const COUNTRIES_GEOJSON: &str = include_str!("../data/basemap/countries.geojson");
/// `data/basemap/rivers.geojson`.
pub const RIVERS_GEOJSON: &str = include_str!("../data/basemap/rivers.geojson");

/// Borders and rivers for the maps: what a reader needs to find the places, nothing more.
#[derive(Clone, Debug)]
pub struct Basemap {
    pub countries: Vec<Country>,
    pub rivers: Vec<River>,
}

/// One country of the basemap.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Country {
    #[serde(deserialize_with = "geojson::de::deserialize_geometry")]
    pub geometry: geo::MultiPolygon<f64>,
    pub name: String,
    #[serde(default)]
    pub licence: Option<String>,
}

/// One river of the basemap.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct River {
    #[serde(deserialize_with = "geojson::de::deserialize_geometry")]
    pub geometry: geo::MultiLineString<f64>,
    pub name: String,
    #[serde(default)]
    pub licence: Option<String>,
}

impl Basemap {
    /// The basemap compiled into the binary.
    pub fn embedded() -> Result<Self, DataError> {
        let files = DataFiles::embedded();
        Self::from_texts(&files.countries, &files.rivers)
    }

    /// Builds from the countries' and the rivers' GeoJSON.
    pub fn from_texts(countries: &Text, rivers: &Text) -> Result<Self, DataError> {
        fn parse<T: serde::de::DeserializeOwned>(t: &Text) -> Result<Vec<T>, DataError> {
            crate::read::features(&t.text).map_err(|source| DataError::Basemap {
                origin: t.origin.clone(),
                source,
            })
        }
        Ok(Self {
            countries: parse(countries)?,
            rivers: parse(rivers)?,
        })
    }
}

/// The text of one data file and the name errors give it (its path, or `data/…` for the
/// embedded file).
#[derive(Clone, Debug)]
pub struct Text {
    pub text: std::borrow::Cow<'static, str>,
    pub origin: String,
}

impl Text {
    /// An embedded file.
    pub fn embedded(text: &'static str, origin: &str) -> Self {
        Text {
            text: std::borrow::Cow::Borrowed(text),
            origin: origin.to_string(),
        }
    }
}

/// The data files a run stands on: the embedded ones, or a user's (`--data DIR`, written first by
/// `convoy-sim data export`), each falling back to the embedded file when the user gives none.
#[derive(Clone, Debug)]
pub struct DataFiles {
    pub places: Text,
    pub roads: Text,
    pub zones: Text,
    pub holders: Text,
    pub road_classes: Text,
    pub sources: Text,
    pub credibility: Text,
    pub countries: Text,
    pub rivers: Text,
}

impl DataFiles {
    /// Each file's name in a data folder, as `data export` writes it, with the embedded text.
    pub const NAMES: [&'static str; 9] = [
        "places.geojson",
        "roads.geojson",
        "zones.geojson",
        "holders.toml",
        "road_classes.toml",
        "sources.toml",
        "credibility.toml",
        "countries.geojson",
        "rivers.geojson",
    ];

    /// The files compiled into the binary.
    pub fn embedded() -> Self {
        DataFiles {
            places: Text::embedded(PLACES_GEOJSON, "data/places.geojson"),
            roads: Text::embedded(ROADS_GEOJSON, "data/roads.geojson"),
            zones: Text::embedded(ZONES_GEOJSON, "data/zones.geojson"),
            holders: Text::embedded(crate::zones::HOLDERS_TOML, "data/holders.toml"),
            road_classes: Text::embedded(ROAD_CLASSES_TOML, "data/road_classes.toml"),
            sources: Text::embedded(crate::sources::SOURCES_TOML, "data/sources.toml"),
            credibility: Text::embedded(
                crate::credibility::CREDIBILITY_TOML,
                "data/credibility.toml",
            ),
            countries: Text::embedded(COUNTRIES_GEOJSON, "data/basemap/countries.geojson"),
            rivers: Text::embedded(RIVERS_GEOJSON, "data/basemap/rivers.geojson"),
        }
    }

    /// Names a data folder may use in place of one of [`DataFiles::NAMES`], with that name:
    /// the same data in another format.
    pub const ALTERNATIVES: [(&'static str, &'static str); 1] = [("places.csv", "places.geojson")];

    /// The file named `name` (one of [`DataFiles::NAMES`] or [`DataFiles::ALTERNATIVES`]).
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Text> {
        Some(match name {
            "places.geojson" | "places.csv" => &mut self.places,
            "roads.geojson" => &mut self.roads,
            "zones.geojson" => &mut self.zones,
            "holders.toml" => &mut self.holders,
            "road_classes.toml" => &mut self.road_classes,
            "sources.toml" => &mut self.sources,
            "credibility.toml" => &mut self.credibility,
            "countries.geojson" => &mut self.countries,
            "rivers.geojson" => &mut self.rivers,
            _ => return None,
        })
    }

    /// Every file with its name in a data folder, in [`DataFiles::NAMES`] order: places read
    /// from a table keep the table's name, so that an export writes them as they were read.
    pub fn named(&self) -> [(&'static str, &Text); 9] {
        let n = Self::NAMES;
        let places = match self.places.origin.ends_with(".csv") {
            true => Self::ALTERNATIVES[0].0,
            false => n[0],
        };
        [
            (places, &self.places),
            (n[1], &self.roads),
            (n[2], &self.zones),
            (n[3], &self.holders),
            (n[4], &self.road_classes),
            (n[5], &self.sources),
            (n[6], &self.credibility),
            (n[7], &self.countries),
            (n[8], &self.rivers),
        ]
    }
}

/// The SHA-256 of each data file a [`Geography`] was built from, so that every output can say
/// which data it stands on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataHashes {
    pub places: String,
    pub roads: String,
    pub zones: String,
    /// `None` when the holders table is the embedded one: outputs on the embedded data (or an
    /// unedited export) keep the bytes they had before the table was a file.
    pub holders: Option<String>,
    /// `None` when the road-class names are the embedded ones, for the same reason.
    pub road_classes: Option<String>,
    pub sources: String,
    pub credibility: String,
}

impl DataHashes {
    /// The hashes an output states only when the file is not the embedded one: (key, hash).
    pub fn optional(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("holders_sha256", &self.holders),
            ("road_classes_sha256", &self.road_classes),
        ]
        .into_iter()
        .filter_map(|(key, h)| Some((key, h.as_deref()?)))
    }
}

/// Lower-case hex SHA-256 of `text`.
pub fn sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Data that does not load. With the embedded data this is a bug, not bad input.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Gazetteer(#[from] GazetteerError),
    #[error(transparent)]
    Network(#[from] NetworkError),
    #[error(transparent)]
    Zones(#[from] ZoneError),
    #[error(transparent)]
    Holders(#[from] HoldersError),
    #[error(transparent)]
    RoadClasses(#[from] ClassLabelsError),
    #[error(transparent)]
    Sources(#[from] SourcesError),
    #[error(transparent)]
    Credibility(#[from] CredibilityError),
    #[error("{origin}: holds no features")]
    Empty { origin: String },
    #[error("{origin}: not a GeoJSON FeatureCollection for the basemap")]
    Basemap {
        origin: String,
        #[source]
        source: geojson::Error,
    },
    #[error("{origin}: road '{road}' ends at '{place}', which is not in the gazetteer")]
    UnknownRoadEnd {
        origin: String,
        road: String,
        place: String,
    },
}

/// The credit line for the embedded data, as every map has drawn it.
pub const EMBEDDED_ATTRIBUTION: &str = "Data: GeoNames (CC BY 4.0), OurAirports, Natural Earth, GSHHG; roads and zones: convoy-sim contributors (CC BY 4.0), approximate.";

/// Whom a map or report must credit for the data it shows: the embedded data's line when every
/// drawn file is the embedded one (an unedited `data export` folder included), else one part per
/// file, the embedded file's credit or the `licence` values the user's features state. Roads
/// imported from OpenStreetMap get the attribution the ODbL requires.
pub fn attribution(
    files: &DataFiles,
    gazetteer: &Gazetteer,
    network: &RoadNetwork,
    basemap: &Basemap,
) -> String {
    let embedded = DataFiles::embedded();
    let same = |a: &Text, b: &Text| a.text == b.text;
    let (places, roads, zones) = (
        same(&files.places, &embedded.places),
        same(&files.roads, &embedded.roads),
        same(&files.zones, &embedded.zones),
    );
    let base = same(&files.countries, &embedded.countries) && same(&files.rivers, &embedded.rivers);
    if places && roads && zones && base {
        return EMBEDDED_ATTRIBUTION.to_string();
    }
    const OURS: &str = "convoy-sim contributors (CC BY 4.0), approximate";
    let stated = |licences: &mut dyn Iterator<Item = Option<&str>>| {
        let mut set = BTreeSet::new();
        let mut unstated = false;
        for l in licences {
            match l.map(str::trim).filter(|l| !l.is_empty()) {
                Some(l) if l == crate::network::osm::LICENCE || l.contains("OpenStreetMap") => {
                    set.insert(crate::network::osm::ATTRIBUTION.to_string());
                }
                // A licence is the user's text: no control character reaches the image.
                Some(l) => {
                    let clean: String = l
                        .chars()
                        .map(|c| if c.is_control() { ' ' } else { c })
                        .collect();
                    set.insert(crate::units::cut(&clean, 80).into_owned());
                }
                None => unstated = true,
            }
        }
        let mut parts: Vec<String> = set.into_iter().collect();
        if parts.len() > 3 {
            let more = parts.len() - 3;
            parts.truncate(3);
            parts.push(format!("{more} more licences"));
        }
        if unstated {
            parts.push("some features state no licence".into());
        }
        parts.join(", ")
    };
    let zone_licences = || {
        #[derive(serde::Deserialize)]
        struct Licensed {
            #[serde(default)]
            licence: Option<String>,
        }
        crate::read::features::<Licensed>(&files.zones.text)
            .map(|z| z.into_iter().map(|z| z.licence).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let parts = [
        (
            "places",
            match places {
                true => "GeoNames (CC BY 4.0), OurAirports".to_string(),
                false => stated(&mut gazetteer.places().map(|(_, p)| Some(p.licence.as_str()))),
            },
        ),
        (
            "roads",
            match roads {
                true => OURS.to_string(),
                false => stated(&mut network.roads().map(|(_, r)| r.licence.as_deref())),
            },
        ),
        (
            "zones",
            match zones {
                true => OURS.to_string(),
                false => stated(&mut zone_licences().iter().map(|l| l.as_deref())),
            },
        ),
        (
            "basemap",
            match base {
                true => "Natural Earth, GSHHG".to_string(),
                false => stated(
                    &mut (basemap.countries.iter().map(|c| c.licence.as_deref()))
                        .chain(basemap.rivers.iter().map(|r| r.licence.as_deref())),
                ),
            },
        ),
    ];
    let parts: Vec<String> = parts
        .iter()
        .filter(|(_, credit)| !credit.is_empty())
        .map(|(what, credit)| format!("{what}: {credit}"))
        .collect();
    format!("Data: {}.", parts.join("; "))
}

/// A question about places and roads that has no answer: the user's input is at fault.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Place(#[from] GazetteerError),
    #[error(transparent)]
    Network(#[from] NetworkError),
    #[error("{a} and {b} are the same point on the road network: there is no route between them")]
    SamePoint { a: String, b: String },
    #[error(
        "'{spec}' is not a stretch of road: write two place names joined by a hyphen or dash, e.g. \"Hamaymah-Al Bukamal\"{}",
        .detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
    )]
    BadStretch {
        spec: String,
        detail: Option<String>,
    },
}

/// The longest "A-B" stretch accepted: two long place names and a dash.
const MAX_STRETCH_CHARS: usize = 200;

/// Everything geographic the engine and the maps stand on.
#[derive(Clone, Debug)]
pub struct Geography {
    pub gazetteer: Gazetteer,
    pub network: RoadNetwork,
    /// What the maps, the report and the QGIS style call each class of road.
    pub road_classes: ClassLabels,
    pub zones: ControlMap,
    /// The reports scenarios cite by id (`data/sources.toml`).
    pub sources: Registry,
    /// How credible each of them is (`data/credibility.toml`), for the ACH matrix.
    pub credibility: Ratings,
    /// Borders and rivers, for the maps.
    pub basemap: Basemap,
    /// What the data files were built from.
    pub hashes: DataHashes,
    /// Whom the maps and reports credit for the data, and under what licence
    /// ([`attribution`]).
    pub attribution: String,
}

/// A place resolved by name and snapped to the road network.
#[derive(Clone, Copy, Debug)]
pub struct RoutedPlace<'a> {
    pub found: Match<'a>,
    pub node: NodeIndex,
    /// How far the place is from the road vertex it snaps to.
    pub snap: Metres,
}

impl Geography {
    /// The data compiled into the binary.
    pub fn embedded() -> Result<Self, DataError> {
        Self::from_files(&DataFiles::embedded())
    }

    /// Builds from the data files.
    pub fn from_files(files: &DataFiles) -> Result<Self, DataError> {
        let (places, roads, zones) = (&files.places, &files.roads, &files.zones);
        let gazetteer = Gazetteer::from_text(&places.text, &places.origin)?;
        let network = RoadNetwork::from_geojson(&roads.text, &roads.origin)?;
        // The engine names every position by its nearest place and snaps to the nearest road:
        // both must exist.
        if gazetteer.is_empty() || network.graph().node_count() == 0 {
            return Err(DataError::Empty {
                origin: if gazetteer.is_empty() { places } else { roads }
                    .origin
                    .clone(),
            });
        }
        // A road end that names a place must name one the gazetteer knows; a section that ends at
        // a junction (imported from OpenStreetMap) names none.
        for (_, road) in network.roads() {
            for end in [&road.from, &road.to].into_iter().flatten() {
                if gazetteer.lookup(end).is_err() {
                    return Err(DataError::UnknownRoadEnd {
                        origin: roads.origin.clone(),
                        road: road.id.clone(),
                        place: end.clone(),
                    });
                }
            }
        }
        let sources = Registry::from_toml(&files.sources.text, &files.sources.origin)?;
        let holders = Holders::from_toml(&files.holders.text, &files.holders.origin)?;
        let r = &files.road_classes;
        let road_classes = ClassLabels::from_toml(&r.text, &r.origin)?;
        let c = &files.credibility;
        let basemap = Basemap::from_texts(&files.countries, &files.rivers)?;
        let attribution = attribution(files, &gazetteer, &network, &basemap);
        Ok(Self {
            attribution,
            gazetteer,
            network,
            road_classes,
            zones: ControlMap::from_geojson(&zones.text, &zones.origin, holders)?,
            credibility: Ratings::from_toml(&c.text, &c.origin, &sources)?,
            sources,
            basemap,
            hashes: DataHashes {
                places: sha256(&places.text),
                roads: sha256(&roads.text),
                zones: sha256(&zones.text),
                holders: (files.holders.text != crate::zones::HOLDERS_TOML)
                    .then(|| sha256(&files.holders.text)),
                road_classes: (r.text != ROAD_CLASSES_TOML).then(|| sha256(&r.text)),
                sources: sha256(&files.sources.text),
                credibility: sha256(&c.text),
            },
        })
    }

    /// Builds from GeoJSON texts, each paired with the name errors should give it, with the
    /// embedded sources, credibility ratings and basemap.
    pub fn from_geojson(
        places: (&str, &str),
        roads: (&str, &str),
        zones: (&str, &str),
    ) -> Result<Self, DataError> {
        let text = |(text, origin): (&str, &str)| Text {
            text: std::borrow::Cow::Owned(text.to_string()),
            origin: origin.to_string(),
        };
        Self::from_files(&DataFiles {
            places: text(places),
            roads: text(roads),
            zones: text(zones),
            ..DataFiles::embedded()
        })
    }

    /// Looks a place up by name and snaps it to the road network.
    pub fn routed_place(&self, name: &str) -> Result<RoutedPlace<'_>, QueryError> {
        let found = self.gazetteer.lookup(name)?;
        let node = self
            .network
            .snap_place(&found.place.name, found.place.location())?;
        let snap = self.network.node(node).distance(found.place.location());
        Ok(RoutedPlace { found, node, snap })
    }

    /// The node a gazetteer place snaps to.
    pub fn place_node(&self, id: PlaceId) -> Result<NodeIndex, NetworkError> {
        let p = self.gazetteer.get(id);
        self.network.snap_place(&p.name, p.location())
    }

    /// The best route between two named places, with `closed` segments impassable.
    pub fn route(
        &self,
        from: &RoutedPlace<'_>,
        to: &RoutedPlace<'_>,
        metric: Metric,
        closed: &Closed,
    ) -> Result<Route, QueryError> {
        if from.node == to.node {
            return Err(QueryError::SamePoint {
                a: from.found.place.name.clone(),
                b: to.found.place.name.clone(),
            });
        }
        self.network
            .route(from.node, to.node, metric, closed)
            .ok_or_else(|| {
                QueryError::Network(NetworkError::NoRoute {
                    from: from.found.place.name.clone(),
                    to: to.found.place.name.clone(),
                    closed: closed.len(),
                })
            })
    }

    /// Resolves "A-B" (two place names joined by a hyphen, en or em dash) to the segments of the
    /// road between them.
    ///
    /// Place names contain hyphens themselves ("Deir ez-Zor-Mayadin"), so every split point is
    /// tried and the one where both halves name a place wins; more than one is an error.
    ///
    /// # Examples
    /// ```
    /// let world = convoy_sim::Geography::embedded().unwrap();
    /// let (a, b, segments) = world.stretch("Hamaymah-Al Bukamal").unwrap();
    /// assert_eq!((a.found.place.name.as_str(), b.found.place.name.as_str()), ("Hamaymah", "Al Bukamal"));
    /// assert!(!segments.is_empty());
    /// ```
    pub fn stretch(
        &self,
        spec: &str,
    ) -> Result<(RoutedPlace<'_>, RoutedPlace<'_>, BTreeSet<EdgeIndex>), QueryError> {
        let bad = |detail: Option<String>| QueryError::BadStretch {
            // Echo a long input only in part.
            spec: match spec.char_indices().nth(60) {
                Some((i, _)) => format!("{}…", &spec[..i]),
                None => spec.to_string(),
            },
            detail,
        };
        if spec.chars().count() > MAX_STRETCH_CHARS {
            return Err(bad(Some(format!(
                "longer than {MAX_STRETCH_CHARS} characters"
            ))));
        }
        let mut candidates = Vec::new();
        // A split where one half names a place explains what is wrong with the other.
        let mut half_unknown = None;
        for (i, c) in spec.char_indices() {
            if matches!(c, '-' | '–' | '—') {
                let (a, b) = (spec[..i].trim(), spec[i + c.len_utf8()..].trim());
                match (self.gazetteer.find(a), self.gazetteer.find(b)) {
                    (Some(pa), Some(pb)) => candidates.push((a, b, pa.id, pb.id)),
                    (Some(_), None) => {
                        half_unknown.get_or_insert(b);
                    }
                    (None, Some(_)) => {
                        half_unknown.get_or_insert(a);
                    }
                    (None, None) => {}
                }
            }
        }
        let half_known = half_unknown
            .and_then(|h| self.gazetteer.lookup(h).err())
            .map(|e| e.to_string());
        candidates.dedup_by_key(|c| (c.2, c.3));
        let (a, b) = match candidates.as_slice() {
            [(a, b, ..)] => (*a, *b),
            [] => return Err(bad(half_known)),
            many => {
                let readings: Vec<String> = many
                    .iter()
                    .map(|(a, b, ..)| format!("'{a}' to '{b}'"))
                    .collect();
                return Err(bad(Some(format!(
                    "it reads as {}; use an en dash (–) between the names",
                    readings.join(" or ")
                ))));
            }
        };
        let from = self.routed_place(a)?;
        let to = self.routed_place(b)?;
        if from.node == to.node {
            return Err(bad(Some(format!(
                "{} and {} are the same point on the road network, so it closes no road",
                from.found.place.name, to.found.place.name
            ))));
        }
        let segments = self
            .network
            .stretch_between(from.node, to.node)
            .ok_or_else(|| NetworkError::NoRoute {
                from: from.found.place.name.clone(),
                to: to.found.place.name.clone(),
                closed: 0,
            })?;
        Ok((from, to, segments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_credit_the_data_they_draw_and_imported_roads_carry_the_odbl_line() {
        assert_eq!(
            Geography::embedded().unwrap().attribution,
            EMBEDDED_ATTRIBUTION
        );
        // Roads from an OpenStreetMap import, and one road whose licence is a user's text with
        // a control character in it; everything else embedded.
        let road = |id: &str, lat: f64, licence: &str| {
            format!(
                r#"{{"type":"Feature","geometry":{{"type":"LineString","coordinates":[[38.0,{lat}],[38.5,{lat}]]}},
                "properties":{{"id":"{id}","name":"r","class":"main","speed_kmh":60,"source":"s","licence":"{licence}"}}}}"#
            )
        };
        let roads = format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            road("a", 34.0, crate::network::osm::LICENCE),
            road("b", 34.1, "CC0 \\u001b[31m mine"),
        );
        let files = DataFiles {
            roads: Text {
                text: roads.into(),
                origin: "d/roads.geojson".into(),
            },
            ..DataFiles::embedded()
        };
        let a = Geography::from_files(&files).unwrap().attribution;
        assert_eq!(
            a,
            format!(
                "Data: places: GeoNames (CC BY 4.0), OurAirports; roads: CC0  [31m mine, {}; zones: convoy-sim contributors (CC BY 4.0), approximate; basemap: Natural Earth, GSHHG.",
                crate::network::osm::ATTRIBUTION
            )
        );
    }
}
