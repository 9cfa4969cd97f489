//! Who held the ground: control-zone polygons with validity periods, and the point-in-zone query.
//!
//! Zones come from `data/zones.geojson` (MultiPolygons with `holder`, `valid_from`, `valid_to`,
//! `edge_km`).
//! Zones valid at the same moment do not overlap (the build script and a test check it), so the first
//! zone containing a point is the only one. Ground inside no zone is [`Holder::None`]: no-man's land,
//! or ground the data does not claim to know.

use std::fmt;

use geo::{BoundingRect, Intersects, MultiPolygon, Rect};
use jiff::Timestamp;
use serde::Deserialize;

use crate::units::LonLat;

/// Who held a piece of ground.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    SyrianGovernment,
    IslamicState,
    IraqiGovernment,
    Sdf,
    /// The US-led coalition's al-Tanf garrison and its deconfliction zone.
    Coalition,
    LebaneseGovernment,
    KurdistanRegion,
    /// No zone covers the point.
    None,
}

impl Holder {
    pub const ALL: [Holder; 8] = [
        Holder::SyrianGovernment,
        Holder::IslamicState,
        Holder::IraqiGovernment,
        Holder::Sdf,
        Holder::Coalition,
        Holder::LebaneseGovernment,
        Holder::KurdistanRegion,
        Holder::None,
    ];

    /// The name used in files and tables (`islamic_state`).
    pub fn as_str(self) -> &'static str {
        match self {
            Holder::SyrianGovernment => "syrian_government",
            Holder::IslamicState => "islamic_state",
            Holder::IraqiGovernment => "iraqi_government",
            Holder::Sdf => "sdf",
            Holder::Coalition => "coalition",
            Holder::LebaneseGovernment => "lebanese_government",
            Holder::KurdistanRegion => "kurdistan_region",
            Holder::None => "none",
        }
    }

    /// The holder named `name`, as [`Holder::as_str`] writes it.
    pub fn parse(name: &str) -> Option<Holder> {
        Holder::ALL.into_iter().find(|h| h.as_str() == name)
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One zone of control, valid over `[valid_from, valid_to)`.
#[derive(Clone, Debug, Deserialize)]
pub struct Zone {
    #[serde(deserialize_with = "geojson::de::deserialize_geometry")]
    pub geometry: MultiPolygon<f64>,
    pub id: String,
    pub holder: Holder,
    pub label: String,
    pub valid_from: Timestamp,
    pub valid_to: Timestamp,
    pub source: String,
    /// How far the zone's edge may be off, km (finite, ≥ 0): the data's own judgement of its
    /// hand-drawn outline, per zone (data/README.md, "Control zones"). Read, not yet drawn from.
    pub edge_km: f64,
    /// The bounds of the whole zone, and of each of its polygons (`None` for one with no
    /// points), computed once: `geo` would otherwise compute each polygon's on every query.
    #[serde(skip)]
    bbox: Option<Rect<f64>>,
    #[serde(skip)]
    part_bboxes: Vec<Option<Rect<f64>>>,
}

impl Zone {
    pub fn is_valid_at(&self, t: Timestamp) -> bool {
        self.valid_from <= t && t < self.valid_to
    }

    fn contains(&self, at: LonLat) -> bool {
        let p = at.point();
        self.bbox.is_some_and(|b| b.intersects(&p))
            && (self.geometry.0.iter())
                .zip(&self.part_bboxes)
                .any(|(poly, b)| b.is_some_and(|b| b.intersects(&p)) && poly.intersects(&p))
    }
}

/// What can be wrong when building or querying the zones.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    #[error("{origin}: not a GeoJSON FeatureCollection of zones: {source}")]
    Parse {
        origin: String,
        #[source]
        source: geojson::Error,
    },
    #[error("{origin}: zone '{id}' ends ({valid_to}) before it starts ({valid_from})")]
    EmptyPeriod {
        origin: String,
        id: String,
        valid_from: Timestamp,
        valid_to: Timestamp,
    },
    #[error(
        "{origin}: zone '{id}' has edge_km {edge_km}; it must be a finite number of km, 0 or more"
    )]
    BadEdge {
        origin: String,
        id: String,
        edge_km: f64,
    },
    #[error("{origin}: no zones")]
    Empty { origin: String },
    #[error("{at} is outside the period the control zones cover ({from} to {to})")]
    OutsideCoverage {
        at: Timestamp,
        from: Timestamp,
        to: Timestamp,
    },
}

/// Who controlled what, over the period the data covers.
#[derive(Clone, Debug)]
pub struct ControlMap {
    zones: Vec<Zone>,
    coverage: (Timestamp, Timestamp),
}

/// The answer to "who held this point then?".
#[derive(Clone, Copy, Debug)]
pub struct Control<'a> {
    pub holder: Holder,
    /// The zone that holds the point, if any.
    pub zone: Option<&'a Zone>,
}

impl ControlMap {
    /// Reads zones from GeoJSON text; `origin` names the text in errors.
    pub fn from_geojson(text: &str, origin: &str) -> Result<Self, ZoneError> {
        let mut zones: Vec<Zone> =
            crate::read::features(text).map_err(|source| ZoneError::Parse {
                origin: origin.to_string(),
                source,
            })?;
        for z in &mut zones {
            if !(z.edge_km.is_finite() && z.edge_km >= 0.0) {
                return Err(ZoneError::BadEdge {
                    origin: origin.to_string(),
                    id: z.id.clone(),
                    edge_km: z.edge_km,
                });
            }
            if z.valid_to <= z.valid_from {
                return Err(ZoneError::EmptyPeriod {
                    origin: origin.to_string(),
                    id: z.id.clone(),
                    valid_from: z.valid_from,
                    valid_to: z.valid_to,
                });
            }
            z.bbox = z.geometry.bounding_rect();
            z.part_bboxes = z.geometry.0.iter().map(|p| p.bounding_rect()).collect();
        }
        let from = zones.iter().map(|z| z.valid_from).min();
        let to = zones.iter().map(|z| z.valid_to).max();
        let (Some(from), Some(to)) = (from, to) else {
            return Err(ZoneError::Empty {
                origin: origin.to_string(),
            });
        };
        Ok(Self {
            zones,
            coverage: (from, to),
        })
    }

    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// The period `[from, to)` the zones describe.
    pub fn coverage(&self) -> (Timestamp, Timestamp) {
        self.coverage
    }

    /// Who held `at` (lon, lat) at time `t`.
    ///
    /// # Examples
    /// ```
    /// use convoy_sim::{Geography, units::{LonLat, parse_utc}, zones::Holder};
    /// let world = Geography::embedded().unwrap();
    /// let palmyra = LonLat::new(38.2840, 34.5624);
    /// let t = parse_utc("2017-08-30T12:00:00Z").unwrap();
    /// assert_eq!(world.zones.holder_at(palmyra, t).unwrap().holder, Holder::SyrianGovernment);
    /// ```
    pub fn holder_at(&self, at: LonLat, t: Timestamp) -> Result<Control<'_>, ZoneError> {
        let (from, to) = self.coverage;
        if t < from || t >= to {
            return Err(ZoneError::OutsideCoverage { at: t, from, to });
        }
        let zone = self
            .zones
            .iter()
            .find(|z| z.is_valid_at(t) && z.contains(at));
        Ok(Control {
            holder: zone.map_or(Holder::None, |z| z.holder),
            zone,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::parse_utc;

    fn map() -> ControlMap {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]},
           "properties":{"id":"west","holder":"islamic_state","label":"w","source":"s","edge_km":10,
             "valid_from":"2017-08-27T00:00:00Z","valid_to":"2017-08-28T15:00:00Z"}},
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]},
           "properties":{"id":"west_after","holder":"syrian_government","label":"w","source":"s","edge_km":2.5,
             "valid_from":"2017-08-28T15:00:00Z","valid_to":"2017-09-15T00:00:00Z"}}]}"#;
        ControlMap::from_geojson(text, "test").unwrap()
    }

    #[test]
    fn holder_changes_at_the_boundary_instant() {
        let m = map();
        let p = LonLat::new(1.0, 1.0);
        let before = parse_utc("2017-08-28T14:59:59Z").unwrap();
        let at = parse_utc("2017-08-28T15:00:00Z").unwrap();
        assert_eq!(m.holder_at(p, before).unwrap().holder, Holder::IslamicState);
        assert_eq!(m.holder_at(p, at).unwrap().holder, Holder::SyrianGovernment);
        assert_eq!(
            m.holder_at(LonLat::new(5.0, 5.0), at).unwrap().holder,
            Holder::None
        );
    }

    #[test]
    fn times_outside_coverage_are_an_error_not_a_guess() {
        let m = map();
        let t = parse_utc("2017-09-15").unwrap();
        let err = m.holder_at(LonLat::new(1.0, 1.0), t).unwrap_err();
        assert!(err.to_string().contains("outside the period"), "{err}");
    }

    #[test]
    fn each_zone_carries_how_far_its_edge_may_be_off() {
        let m = map();
        let edges: Vec<f64> = m.zones().iter().map(|z| z.edge_km).collect();
        assert_eq!(edges, [10.0, 2.5]);
    }

    /// One zone with `props` (the keys after `id`, as JSON text).
    fn one_zone(props: &str) -> Result<ControlMap, ZoneError> {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","geometry":{{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]}},
               "properties":{{"id":"z","holder":"sdf","label":"z","source":"s",
                 "valid_from":"2017-08-27T00:00:00Z","valid_to":"2017-09-15T00:00:00Z"{props}}}}}]}}"#
        );
        ControlMap::from_geojson(&text, "zones.geojson")
    }

    #[test]
    fn a_zone_without_a_sound_edge_km_is_refused_by_name() {
        assert!(one_zone(r#","edge_km":0"#).is_ok());
        let missing = one_zone("").unwrap_err();
        assert!(matches!(missing, ZoneError::Parse { .. }), "{missing}");
        assert!(missing.to_string().contains("edge_km"), "{missing}");
        let negative = one_zone(r#","edge_km":-1"#).unwrap_err();
        assert!(
            matches!(&negative, ZoneError::BadEdge { id, edge_km, .. } if id == "z" && *edge_km == -1.0),
            "{negative}"
        );
        assert!(
            negative
                .to_string()
                .contains("zones.geojson: zone 'z' has edge_km -1"),
            "{negative}"
        );
        let text = one_zone(r#","edge_km":"far""#).unwrap_err();
        assert!(matches!(text, ZoneError::Parse { .. }), "{text}");
        // JSON has no NaN or infinity; a number too large for f64 is refused by the parser.
        assert!(one_zone(r#","edge_km":1e999"#).is_err());
    }
}
