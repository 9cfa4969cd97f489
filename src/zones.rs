//! Who held the ground: control-zone polygons with validity periods, and the point-in-zone query.
//!
//! Zones come from `data/zones.geojson` (MultiPolygons with `holder`, `valid_from`, `valid_to`,
//! `edge_km`: how far the drawn edge may lie outward, and optionally `edge_in_km`: how far inward,
//! and `base_id`: the zone a feature is one period of). Zones valid at the same moment do not overlap (the
//! build script and a test check it), so the first zone containing a point is the only one. Ground
//! inside no zone is [`Holder::NONE`]: no-man's land, or ground the data does not claim to know.
//!
//! A realization may draw each zone's edge anywhere within its margin ([`EdgeShifts`]): a point is
//! in zone Z shifted by `d` (positive: Z grows outward) iff its signed distance to Z's boundary
//! (positive inside) is more than `−d`. Shifted zones may overlap; the point is then in the zone
//! with the greatest signed distance plus shift — the one it is deepest in, as drawn — the first
//! in file order on a tie. With no shift this is exactly the unshifted query.

use geo::{BoundingRect, Intersects, MultiPolygon, Rect};
use jiff::Timestamp;
use serde::Deserialize;

use crate::units::{LonLat, Metres};

mod holders;
pub use holders::{HOLDERS_TOML, Holder, HolderInfo, Holders, HoldersError, MAX_HOLDERS, Rgb};

/// Kilometres per degree of latitude on the mean-radius sphere (6371.0088 km), the metric
/// [`crate::units`] chooses.
pub(crate) const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;

/// One zone of control, valid over `[valid_from, valid_to)`.
#[derive(Clone, Debug, Deserialize)]
pub struct Zone {
    #[serde(deserialize_with = "geojson::de::deserialize_geometry")]
    pub geometry: MultiPolygon<f64>,
    pub id: String,
    /// The holder as the feature names it, resolved against the holders table into `holder`.
    #[serde(rename = "holder")]
    holder_name: String,
    #[serde(skip, default = "no_holder")]
    pub holder: Holder,
    pub label: String,
    pub valid_from: Timestamp,
    pub valid_to: Timestamp,
    pub source: String,
    /// How far the zone's true edge may lie outward of the line drawn, km (≥ 0); inward too,
    /// unless `edge_in_km` says otherwise. Every zone must say (data/README.md, "Control zones").
    pub edge_km: f64,
    /// How far the true edge may lie inward of the line drawn, km (≥ 0), where that differs from
    /// `edge_km`: short of the places the record says the holder held. [`Zone::edge_in_km`].
    #[serde(default, rename = "edge_in_km")]
    inward_km: Option<f64>,
    /// The zone this feature is one period of: features sharing it are one front, drawn as one
    /// input. [`Zone::base_id`]: the feature's own `id` when not given.
    #[serde(default)]
    base_id: Option<String>,
    /// The bounds of the whole zone, and of each of its polygons (`None` for one with no
    /// points), computed once: `geo` would otherwise compute each polygon's on every query.
    #[serde(skip)]
    bbox: Option<Rect<f64>>,
    #[serde(skip)]
    part_bboxes: Vec<Option<Rect<f64>>>,
}

fn no_holder() -> Holder {
    Holder::NONE
}

impl Zone {
    pub fn is_valid_at(&self, t: Timestamp) -> bool {
        self.valid_from <= t && t < self.valid_to
    }

    /// How far the true edge may lie inward of the line drawn, km: `edge_in_km`, or `edge_km`.
    pub fn edge_in_km(&self) -> f64 {
        self.inward_km.unwrap_or(self.edge_km)
    }

    /// The zone this feature is one period of (`base_id`, or the feature's `id`).
    pub fn base_id(&self) -> &str {
        self.base_id.as_deref().unwrap_or(&self.id)
    }

    /// The bounds of each of the zone's polygons as drawn (lon, lat degrees).
    pub fn part_bounds(&self) -> impl Iterator<Item = Rect<f64>> + '_ {
        self.part_bboxes.iter().flatten().copied()
    }

    fn contains(&self, at: LonLat) -> bool {
        let p = at.point();
        self.bbox.is_some_and(|b| b.intersects(&p))
            && (self.geometry.0.iter())
                .zip(&self.part_bboxes)
                .any(|(poly, b)| b.is_some_and(|b| b.intersects(&p)) && poly.intersects(&p))
    }

    /// How far `at` is from the zone's boundary (outer rings and holes), if less than `cap`;
    /// `None` if it is `cap` or more.
    ///
    /// # Units
    /// (lon, lat) degrees in, metres out. Distances are taken in a local equirectangular plane
    /// centred on `at` (x scaled by cos(lat)): over the tens of km of a zone's margin, within a
    /// few metres of the great circle.
    fn boundary_within(&self, at: LonLat, cap: Metres) -> Option<Metres> {
        let cap_km = cap.km();
        let kx = KM_PER_DEGREE * at.lat.to_radians().cos();
        let (dlon, dlat) = (cap_km / kx.max(1e-9), cap_km / KM_PER_DEGREE);
        let near = |b: &Rect<f64>| {
            at.lon >= b.min().x - dlon
                && at.lon <= b.max().x + dlon
                && at.lat >= b.min().y - dlat
                && at.lat <= b.max().y + dlat
        };
        if !self.bbox.is_some_and(|b| near(&b)) {
            return None;
        }
        let mut best = cap_km;
        for (poly, b) in self.geometry.0.iter().zip(&self.part_bboxes) {
            if !b.is_some_and(|b| near(&b)) {
                continue;
            }
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let local =
                    |c: &geo::Coord<f64>| ((c.x - at.lon) * kx, (c.y - at.lat) * KM_PER_DEGREE);
                for seg in ring.0.windows(2) {
                    let (a, b) = (local(&seg[0]), local(&seg[1]));
                    // Both ends beyond the best so far on one side: the segment cannot be nearer.
                    if (a.0 > best && b.0 > best)
                        || (a.0 < -best && b.0 < -best)
                        || (a.1 > best && b.1 > best)
                        || (a.1 < -best && b.1 < -best)
                    {
                        continue;
                    }
                    best = best.min(origin_to_segment(a, b));
                }
            }
        }
        (best < cap_km).then(|| Metres::from_km(best))
    }
}

/// Distance from (0, 0) to the segment `a`–`b` in the plane.
fn origin_to_segment(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a.0 + t * dx).hypot(a.1 + t * dy)
}

/// How far each zone's edge is moved in one realization, by zone (in [`ControlMap::zones`]
/// order): positive grows the zone outward, negative shrinks it. Nominal (every edge where the
/// data draws it) is the default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeShifts {
    by_zone: Vec<Metres>,
}

impl EdgeShifts {
    /// Every edge where the data draws it.
    pub fn nominal() -> Self {
        Self::default()
    }

    /// Whether every edge is where the data draws it.
    pub fn is_nominal(&self) -> bool {
        self.by_zone.iter().all(|d| d.0 == 0.0)
    }

    /// Moves zone `zone`'s edge by `shift`.
    pub fn set(&mut self, zone: usize, shift: Metres) {
        if self.by_zone.len() <= zone {
            self.by_zone.resize(zone + 1, Metres::ZERO);
        }
        self.by_zone[zone] = shift;
    }

    /// How far zone `zone`'s edge is moved.
    pub fn of(&self, zone: usize) -> Metres {
        self.by_zone.get(zone).copied().unwrap_or(Metres::ZERO)
    }
}

/// What can be wrong when building or querying the zones.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    #[error(
        "{origin}: feature {feature} (zone {id}): holder {name} is not in the holders table (hint: {hint})"
    )]
    UnknownHolder {
        origin: String,
        /// 1-based, in file order.
        feature: usize,
        id: String,
        name: String,
        hint: String,
    },
    #[error("{origin}: not a GeoJSON FeatureCollection of zones")]
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
    #[error("{origin}: zone '{id}' has {key} {value}; it must be a finite number of km, 0 or more")]
    BadEdge {
        origin: String,
        id: String,
        /// `edge_km` or `edge_in_km`.
        key: &'static str,
        value: f64,
    },
    #[error(
        "{origin}: zone '{id}' has base_id '{base_id}' but is held by {}, while '{other}' \
         with the same base_id is held by {}; periods of one zone have one holder \
         (give the other a base_id of its own)",
        .holders.0,
        .holders.1
    )]
    BaseHolder {
        origin: String,
        id: String,
        base_id: String,
        other: String,
        /// This zone's holder, and the other's (boxed: the error stays small to pass around).
        holders: Box<(Holder, Holder)>,
    },
    #[error("{origin}: zone '{id}' has an empty base_id; leave it out to use the id")]
    EmptyBase { origin: String, id: String },
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
    holders: Holders,
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
    /// Reads zones from GeoJSON text, each held by one of `holders`; `origin` names the text in
    /// errors.
    pub fn from_geojson(text: &str, origin: &str, holders: Holders) -> Result<Self, ZoneError> {
        let mut zones: Vec<Zone> =
            crate::read::features(text).map_err(|source| ZoneError::Parse {
                origin: origin.to_string(),
                source,
            })?;
        for (index, z) in zones.iter_mut().enumerate() {
            z.holder = match holders.get(&z.holder_name) {
                Some(h) if h != Holder::NONE => h,
                _ => {
                    return Err(ZoneError::UnknownHolder {
                        origin: origin.to_string(),
                        feature: index + 1,
                        id: format!("{:?}", crate::units::cut(&z.id, 40)),
                        name: format!("{:?}", crate::units::cut(&z.holder_name, 40)),
                        hint: holders.hint(&z.holder_name),
                    });
                }
            };
            let margins = [("edge_km", Some(z.edge_km)), ("edge_in_km", z.inward_km)];
            for (key, value) in margins {
                if let Some(value) = value
                    && !(value.is_finite() && value >= 0.0)
                {
                    return Err(ZoneError::BadEdge {
                        origin: origin.to_string(),
                        id: z.id.clone(),
                        key,
                        value,
                    });
                }
            }
            if z.base_id.as_deref() == Some("") {
                return Err(ZoneError::EmptyBase {
                    origin: origin.to_string(),
                    id: z.id.clone(),
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
        let mut first_of_base = std::collections::BTreeMap::new();
        for z in &zones {
            let other = *first_of_base.entry(z.base_id()).or_insert(z);
            if other.holder != z.holder {
                return Err(ZoneError::BaseHolder {
                    origin: origin.to_string(),
                    id: z.id.clone(),
                    base_id: z.base_id().to_string(),
                    other: other.id.clone(),
                    holders: Box::new((z.holder, other.holder)),
                });
            }
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
            holders,
            coverage: (from, to),
        })
    }

    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// Who may hold ground in this data, as its holders table defines them.
    pub fn holders(&self) -> &Holders {
        &self.holders
    }

    /// The period `[from, to)` the zones describe.
    pub fn coverage(&self) -> (Timestamp, Timestamp) {
        self.coverage
    }

    /// Who held `at` (lon, lat) at time `t`.
    ///
    /// # Examples
    /// ```
    /// use convoy_sim::{Geography, units::{LonLat, parse_utc}};
    /// let world = Geography::embedded().unwrap();
    /// let palmyra = LonLat::new(38.2840, 34.5624);
    /// let t = parse_utc("2017-08-30T12:00:00Z").unwrap();
    /// let held = world.zones.holder_at(palmyra, t).unwrap().holder;
    /// assert_eq!(held.as_str(), "syrian_government");
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
            holder: zone.map_or(Holder::NONE, |z| z.holder),
            zone,
        })
    }

    /// Who held `at` (lon, lat) at time `t`, with each zone's edge moved by `shifts` (see the
    /// module docs for the rule). Nominal shifts give exactly [`ControlMap::holder_at`].
    ///
    /// Only zones whose bounds, grown by their shift, hold the point are looked at, and the
    /// distance to a boundary is measured only where the shift could change the answer (within
    /// the shift of the edge), or where two shifted zones both claim the point.
    pub fn holder_at_shifted(
        &self,
        at: LonLat,
        t: Timestamp,
        shifts: &EdgeShifts,
    ) -> Result<Control<'_>, ZoneError> {
        if shifts.is_nominal() {
            return self.holder_at(at, t);
        }
        let (from, to) = self.coverage;
        if t < from || t >= to {
            return Err(ZoneError::OutsideCoverage { at: t, from, to });
        }
        // Zones claiming the point, with signed distance plus shift where measured (`None`: the
        // point is inside and the zone not shrunk, so at least the shift).
        let mut claims: Vec<(usize, Option<f64>)> = Vec::new();
        for (i, z) in self.zones.iter().enumerate() {
            if !z.is_valid_at(t) {
                continue;
            }
            let d = shifts.of(i).0;
            let inside = z.contains(at);
            match (inside, d >= 0.0) {
                (true, true) => claims.push((i, None)),
                (false, false) => {}
                (true, false) => match z.boundary_within(at, Metres(-d)) {
                    None => claims.push((i, None)),
                    Some(m) if m.0 + d > 0.0 => claims.push((i, Some(m.0 + d))),
                    Some(_) => {}
                },
                (false, true) => {
                    if let Some(m) = z.boundary_within(at, Metres(d))
                        && d - m.0 > 0.0
                    {
                        claims.push((i, Some(d - m.0)));
                    }
                }
            }
        }
        let zone = match claims.as_slice() {
            [] => None,
            [(i, _)] => Some(*i),
            _ => {
                // Depth inside is measured up to twice the widest shift and a bit: deeper than
                // that, a zone the point is inside beats any zone that reaches it from outside.
                let widest = (0..self.zones.len())
                    .map(|i| shifts.of(i).0.abs())
                    .fold(0.0, f64::max);
                let cap = Metres(2.0 * widest + 1.0);
                let score = |&(i, s): &(usize, Option<f64>)| {
                    s.unwrap_or_else(|| {
                        let depth = self.zones[i].boundary_within(at, cap).unwrap_or(cap);
                        depth.0 + shifts.of(i).0
                    })
                };
                let mut best = (claims[0].0, score(&claims[0]));
                for c in &claims[1..] {
                    let s = score(c);
                    if s > best.1 {
                        best = (c.0, s);
                    }
                }
                Some(best.0)
            }
        };
        let zone = zone.map(|i| &self.zones[i]);
        Ok(Control {
            holder: zone.map_or(Holder::NONE, |z| z.holder),
            zone,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::parse_utc;

    fn held(id: &str) -> Holder {
        Holders::embedded().get(id).unwrap()
    }

    fn map() -> ControlMap {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]},
           "properties":{"id":"west","holder":"islamic_state","label":"w","source":"s","edge_km":10,
             "valid_from":"2017-08-27T00:00:00Z","valid_to":"2017-08-28T15:00:00Z"}},
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]},
           "properties":{"id":"west_after","holder":"syrian_government","label":"w","source":"s","edge_km":2.5,
             "valid_from":"2017-08-28T15:00:00Z","valid_to":"2017-09-15T00:00:00Z"}}]}"#;
        ControlMap::from_geojson(text, "test", Holders::embedded()).unwrap()
    }

    #[test]
    fn holder_changes_at_the_boundary_instant() {
        let m = map();
        let p = LonLat::new(1.0, 1.0);
        let before = parse_utc("2017-08-28T14:59:59Z").unwrap();
        let at = parse_utc("2017-08-28T15:00:00Z").unwrap();
        assert_eq!(
            m.holder_at(p, before).unwrap().holder,
            held("islamic_state")
        );
        assert_eq!(
            m.holder_at(p, at).unwrap().holder,
            held("syrian_government")
        );
        assert_eq!(
            m.holder_at(LonLat::new(5.0, 5.0), at).unwrap().holder,
            Holder::NONE
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
        ControlMap::from_geojson(&text, "zones.geojson", Holders::embedded())
    }

    #[test]
    fn a_zone_held_by_a_party_the_table_does_not_define_is_refused_with_a_suggestion() {
        let text = |holder: &str| {
            format!(
                r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","geometry":{{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]}},
               "properties":{{"id":"east\u001b[2J","holder":"{holder}","label":"z","source":"s","edge_km":1,
                 "valid_from":"2017-08-27T00:00:00Z","valid_to":"2017-09-15T00:00:00Z"}}}}]}}"#
            )
        };
        let load = |holder: &str| {
            ControlMap::from_geojson(&text(holder), "d/zones.geojson", Holders::embedded())
        };
        let e = load("islamic_stat").unwrap_err().to_string();
        assert!(
            e.starts_with("d/zones.geojson: feature 1 (zone \"east\\u{1b}[2J\"): holder \"islamic_stat\" is not in the holders table (hint: did you mean islamic_state? The holders are syrian_government, islamic_state"),
            "{e}"
        );
        assert!(!e.contains('\u{1b}'), "no control character echoed: {e}");
        // `none` is ground no zone covers: no zone can be held by it.
        let e = load("none").unwrap_err().to_string();
        assert!(
            e.contains("holder \"none\" is not in the holders table"),
            "{e}"
        );
        // A table of one's own parties: the zone is theirs, and a 2017 party is unknown.
        let own = Holders::from_toml(
            "[[holder]]\nid = \"river_authority\"\nlabel = \"River Authority\"\nshort = \"RA\"\ncolour = \"#1f77b4\"\n",
            "d/holders.toml",
        )
        .unwrap();
        let m = ControlMap::from_geojson(&text("river_authority"), "d/zones.geojson", own.clone())
            .unwrap();
        assert_eq!(m.zones()[0].holder.as_str(), "river_authority");
        assert_eq!(
            m.holders().info(m.zones()[0].holder).label,
            "River Authority"
        );
        let e =
            ControlMap::from_geojson(&text("islamic_state"), "d/zones.geojson", own).unwrap_err();
        assert!(
            e.to_string()
                .contains("(hint: the holders are river_authority (holders.toml))"),
            "{e}"
        );
    }

    #[test]
    fn a_zone_without_a_sound_edge_km_is_refused_by_name() {
        assert!(one_zone(r#","edge_km":0"#).is_ok());
        let missing = one_zone("").unwrap_err();
        assert!(matches!(missing, ZoneError::Parse { .. }), "{missing}");
        // The parser's cause, which the message at the edge gives after it once.
        let cause = std::error::Error::source(&missing).map(ToString::to_string);
        assert!(cause.is_some_and(|c| c.contains("edge_km")), "{missing}");
        assert!(!missing.to_string().contains("edge_km"), "{missing}");
        let negative = one_zone(r#","edge_km":-1"#).unwrap_err();
        assert!(
            matches!(&negative, ZoneError::BadEdge { id, key: "edge_km", value, .. } if id == "z" && *value == -1.0),
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

    #[test]
    fn an_inward_margin_and_a_base_id_are_optional_and_refused_when_unsound() {
        let plain = one_zone(r#","edge_km":5"#).unwrap();
        let z = &plain.zones()[0];
        assert_eq!(
            (z.edge_in_km(), z.base_id()),
            (5.0, "z"),
            "default: as far inward as out"
        );
        let given = one_zone(r#","edge_km":5,"edge_in_km":1.5,"base_id":"front""#).unwrap();
        let z = &given.zones()[0];
        assert_eq!(
            (z.edge_km, z.edge_in_km(), z.base_id()),
            (5.0, 1.5, "front")
        );
        let negative = one_zone(r#","edge_km":5,"edge_in_km":-1"#).unwrap_err();
        assert!(
            matches!(
                &negative,
                ZoneError::BadEdge {
                    key: "edge_in_km",
                    ..
                }
            ),
            "{negative}"
        );
        assert!(
            negative
                .to_string()
                .contains("zones.geojson: zone 'z' has edge_in_km -1; it must be a finite number"),
            "{negative}"
        );
        let text = one_zone(r#","edge_km":5,"edge_in_km":"near""#).unwrap_err();
        assert!(matches!(text, ZoneError::Parse { .. }), "{text}");
        let empty = one_zone(r#","edge_km":5,"base_id":"""#).unwrap_err();
        assert!(empty.to_string().contains("empty base_id"), "{empty}");
    }

    #[test]
    fn periods_of_one_zone_must_share_a_holder() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]},
           "properties":{"id":"w_1","base_id":"w","holder":"islamic_state","label":"w","source":"s","edge_km":10,
             "valid_from":"2017-08-27T00:00:00Z","valid_to":"2017-08-28T15:00:00Z"}},
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]},
           "properties":{"id":"w_2","base_id":"w","holder":"sdf","label":"w","source":"s","edge_km":10,
             "valid_from":"2017-08-28T15:00:00Z","valid_to":"2017-09-15T00:00:00Z"}}]}"#;
        let err = ControlMap::from_geojson(text, "z.geojson", Holders::embedded()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("zone 'w_2' has base_id 'w' but is held by sdf, while 'w_1'"),
            "{msg}"
        );
        let fixed = text.replace(r#""base_id":"w","holder":"sdf""#, r#""holder":"sdf""#);
        assert!(ControlMap::from_geojson(&fixed, "z.geojson", Holders::embedded()).is_ok());
    }

    /// Two zones side by side at 38°–39°E and 39°–40°E, 34°–35°N, each with a 10 km margin.
    fn neighbours() -> ControlMap {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[38,34],[39,34],[39,35],[38,35],[38,34]]]]},
           "properties":{"id":"west","holder":"islamic_state","label":"w","source":"s","edge_km":10,
             "valid_from":"2017-08-27T00:00:00Z","valid_to":"2017-09-05T00:00:00Z"}},
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[39,34],[40,34],[40,35],[39,35],[39,34]]]]},
           "properties":{"id":"east","holder":"syrian_government","label":"e","source":"s","edge_km":10,
             "valid_from":"2017-08-27T00:00:00Z","valid_to":"2017-09-05T00:00:00Z"}}]}"#;
        ControlMap::from_geojson(text, "test", Holders::embedded()).unwrap()
    }

    /// The point `km` east of 38°E (inside the west zone when positive) at 34.5°N.
    fn east_of_west_edge(km: f64) -> LonLat {
        LonLat::new(
            38.0 + km / (KM_PER_DEGREE * 34.5f64.to_radians().cos()),
            34.5,
        )
    }

    fn shifted(west: f64, east: f64) -> EdgeShifts {
        let mut s = EdgeShifts::nominal();
        s.set(0, Metres::from_km(west));
        s.set(1, Metres::from_km(east));
        s
    }

    #[test]
    fn distance_to_an_edge_is_in_km_either_side() {
        let m = neighbours();
        for km in [3.0, -3.0, 9.5] {
            let d = m.zones[0].boundary_within(east_of_west_edge(km), Metres::from_km(10.0));
            let d = d.expect("within 10 km").km();
            assert!((d - km.abs()).abs() < 0.01, "{km}: {d}");
        }
        let far = east_of_west_edge(-12.0);
        assert_eq!(m.zones[0].boundary_within(far, Metres::from_km(10.0)), None);
    }

    #[test]
    fn a_point_3_km_inside_an_edge_drawn_10_km_either_way_is_inside_only_sometimes() {
        let m = neighbours();
        let t = parse_utc("2017-08-30T00:00:00Z").unwrap();
        let share = |p: LonLat| {
            let draws = 1000;
            let inside = (0..draws)
                .filter(|k| {
                    let u = (*k as f64 + 0.5) / draws as f64;
                    let s = shifted((2.0 * u - 1.0) * 10.0, 0.0);
                    m.holder_at_shifted(p, t, &s).unwrap().holder == held("islamic_state")
                })
                .count();
            inside as f64 / draws as f64
        };
        let near = share(east_of_west_edge(3.0));
        assert!(near > 0.0 && near < 1.0, "{near}");
        // Inside iff 3 km + shift > 0: shifts above −3 km, 65% of them.
        assert!((near - 0.65).abs() < 0.01, "{near}");
        assert_eq!(share(east_of_west_edge(30.0)), 1.0);
        assert_eq!(share(east_of_west_edge(-12.0)), 0.0);
    }

    #[test]
    fn nominal_shifts_are_the_unshifted_query() {
        let m = neighbours();
        let t = parse_utc("2017-08-30T00:00:00Z").unwrap();
        for km in [-20.0, -3.0, 0.5, 3.0, 30.0] {
            let p = east_of_west_edge(km);
            let plain = m.holder_at(p, t).unwrap().holder;
            let nominal = m.holder_at_shifted(p, t, &EdgeShifts::nominal()).unwrap();
            let zeros = m.holder_at_shifted(p, t, &shifted(0.0, 0.0)).unwrap();
            assert_eq!((plain, plain), (nominal.holder, zeros.holder));
        }
    }

    #[test]
    fn where_shifted_zones_overlap_the_point_is_in_the_one_it_is_deepest_in() {
        let m = neighbours();
        let t = parse_utc("2017-08-30T00:00:00Z").unwrap();
        // 2 km west of the shared edge at 39°E: inside west by 2 km.
        let p = LonLat::new(
            39.0 - 2.0 / (KM_PER_DEGREE * 34.5f64.to_radians().cos()),
            34.5,
        );
        let holder = |w, e| m.holder_at_shifted(p, t, &shifted(w, e)).unwrap().holder;
        // West shrinks 5 km, east grows 5: only east reaches it.
        assert_eq!(holder(-5.0, 5.0), held("syrian_government"));
        // Both grow 5 km: west 2 + 5 = 7 beats east −2 + 5 = 3.
        assert_eq!(holder(5.0, 5.0), held("islamic_state"));
        // West shrinks 1 km, east grows 8: west 1 loses to east 6.
        assert_eq!(holder(-1.0, 8.0), held("syrian_government"));
        // West shrinks 3 km, east stays: no one's.
        assert_eq!(holder(-3.0, 0.0), Holder::NONE);
    }

    #[test]
    fn a_negative_or_unreadable_margin_is_refused() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]]]},
           "properties":{"id":"west","holder":"islamic_state","label":"w","source":"s","edge_km":-1,
             "valid_from":"2017-08-27T00:00:00Z","valid_to":"2017-09-05T00:00:00Z"}}]}"#;
        let err = ControlMap::from_geojson(text, "z.geojson", Holders::embedded()).unwrap_err();
        assert!(err.to_string().contains("edge_km -1"), "{err}");
    }
}
