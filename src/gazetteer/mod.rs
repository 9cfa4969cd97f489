//! Names → points: every place the reports name, with its other spellings, and where it is.
//!
//! The gazetteer is read from a GeoJSON FeatureCollection of Points (`data/places.geojson`, embedded
//! in the binary). Lookups are by [`normalize`]d key, so case, accents, apostrophes, hyphens and a
//! leading article do not matter; an unknown name comes back with the closest known names.

pub mod csv;
mod normalize;

use std::collections::BTreeMap;
use std::fmt;

use geo::Point;
use serde::Deserialize;

pub use normalize::normalize;

use crate::units::{LonLat, Metres, echo};

/// Longest lookup key that gets "did you mean" suggestions. Comparing names costs time in
/// proportion to their lengths; no place name is half this long, so a longer query is not a
/// misspelling of one, and a 10 MB query is answered at once.
const MAX_SUGGEST_CHARS: usize = 100;

/// Longest query, in bytes, that is looked up at all. No place name or alias is a tenth of this
/// long, so a longer query is unknown without being normalised: the work a lookup does is bounded
/// by this, not by what a file or an argument holds.
const MAX_QUERY_BYTES: usize = 4096;

/// Index of a place in its [`Gazetteer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlaceId(pub u32);

/// How a coordinate was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Read from a gazetteer, encyclopedia or airport record.
    Sourced,
    /// Chosen here to fit published descriptions; no source labels the point.
    Inferred,
    /// Computed from other points (a mean, a midpoint).
    Derived,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Position::Sourced => "sourced",
            Position::Inferred => "inferred",
            Position::Derived => "derived",
        })
    }
}

/// One place, as `data/places.geojson` describes it.
#[derive(Clone, Debug, Deserialize)]
pub struct Place {
    #[serde(deserialize_with = "geojson::de::deserialize_geometry")]
    geometry: Point<f64>,
    /// Stable identifier, `snake_case` (`al_bukamal`).
    pub id: String,
    /// Canonical display name, spelt as the reports spell it where they name the place.
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub country: String,
    pub kind: String,
    pub uncertainty_km: f64,
    pub position: Position,
    pub source: String,
    #[serde(default)]
    pub source_url: Option<String>,
    pub licence: String,
    #[serde(default)]
    pub in_reports: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Place {
    pub fn location(&self) -> LonLat {
        self.geometry.into()
    }
}

/// Where one realization puts places whose position is drawn within their uncertainty
/// ([`crate::uncertainty`]): walk destinations and claims' `near` places. A place it does not
/// hold is at its gazetteer point, as a single run has it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drawn {
    at: std::collections::BTreeMap<PlaceId, LonLat>,
}

impl Drawn {
    /// Puts `place` at `at` (lon, lat).
    pub fn set(&mut self, place: PlaceId, at: LonLat) {
        self.at.insert(place, at);
    }

    /// Where `place` is (lon, lat): drawn, or its gazetteer point.
    pub fn location(&self, gazetteer: &Gazetteer, place: PlaceId) -> LonLat {
        (self.at.get(&place).copied()).unwrap_or_else(|| gazetteer.get(place).location())
    }
}

/// What can be wrong when building or querying a gazetteer.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("{origin}: not a GeoJSON FeatureCollection of places")]
    Parse {
        origin: String,
        #[source]
        source: geojson::Error,
    },
    /// Every problem found in the file's places.
    #[error("{origin}: {}", Problems(.problems))]
    Invalid {
        origin: String,
        problems: Vec<PlaceProblem>,
    },
    #[error("unknown place '{}'{}", echo(.query), Suggestions(.suggestions))]
    Unknown {
        query: String,
        suggestions: Vec<String>,
    },
}

/// One thing wrong with one place of a gazetteer file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceProblem {
    /// Where: "feature 3 (place \"palmyra\")", "line 4 (place \"rawa\")".
    pub at: String,
    /// The property or column at fault, if one is.
    pub key: String,
    pub message: String,
    pub hint: String,
}

impl PlaceProblem {
    pub fn new(at: String, key: &str, message: &str, hint: &str) -> Self {
        PlaceProblem {
            at,
            key: key.to_string(),
            message: message.to_string(),
            hint: hint.to_string(),
        }
    }
}

/// How many problems a message lists; the rest are counted.
const MAX_PROBLEMS_SHOWN: usize = 20;

struct Problems<'a>(&'a [PlaceProblem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.len() > 1 {
            write!(f, "{} problems: ", self.0.len())?;
        }
        for (i, p) in self.0.iter().take(MAX_PROBLEMS_SHOWN).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}", p.at)?;
            if !p.key.is_empty() {
                write!(f, ", {}", p.key)?;
            }
            write!(f, ": {}", p.message)?;
            if !p.hint.is_empty() {
                write!(f, " (hint: {})", p.hint)?;
            }
        }
        if self.0.len() > MAX_PROBLEMS_SHOWN {
            write!(f, "; and {} more", self.0.len() - MAX_PROBLEMS_SHOWN)?;
        }
        Ok(())
    }
}

struct Suggestions<'a>(&'a [String]);

impl fmt::Display for Suggestions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => Ok(()),
            [one] => write!(f, ": did you mean {one}?"),
            [init @ .., last] => write!(f, ": did you mean {} or {last}?", init.join(", ")),
        }
    }
}

/// The places, and an index from every normalised name and alias to its place.
#[derive(Clone, Debug)]
pub struct Gazetteer {
    places: Vec<Place>,
    by_key: BTreeMap<String, PlaceId>,
    nearby: Nearby,
}

/// The places as unit vectors from the Earth's centre, for [`Gazetteer::nearest`]: the straight
/// (chord) distance between two unit vectors grows with the great-circle distance between their
/// points, so the nearest by chord is the nearest on the sphere, found without a sine per place.
type Nearby = rstar::RTree<rstar::primitives::GeomWithData<[f64; 3], u32>>;

/// `at` (lon, lat) as a unit vector from the Earth's centre.
fn unit(at: LonLat) -> [f64; 3] {
    let (lon, lat) = (at.lon.to_radians(), at.lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// How much farther by squared chord than the nearest a place may be and still be measured on
/// the sphere: far more than the rounding of either measure (about 1e-16), so the place the
/// haversine distance puts nearest is always among those measured, whatever the rounding.
const CHORD2_SLACK: (f64, f64) = (1e-6, 1e-12);

/// How a query matched: the place, and which of its names matched.
#[derive(Clone, Copy, Debug)]
pub struct Match<'a> {
    pub id: PlaceId,
    pub place: &'a Place,
    pub matched_name: &'a str,
}

impl Gazetteer {
    /// Reads places from a data file: CSV when `origin` ends in `.csv` ([`csv`]), else GeoJSON.
    pub fn from_text(text: &str, origin: &str) -> Result<Self, GazetteerError> {
        match origin.ends_with(".csv") {
            true => Self::from_csv(text, origin),
            false => Self::from_geojson(text, origin),
        }
    }

    /// Reads places from GeoJSON text; `origin` names the text in errors (a path, or "embedded").
    ///
    /// Fails if a feature is not a Point, ids or names are not unique after normalisation, or a
    /// coordinate or uncertainty is out of range; every such problem is reported.
    pub fn from_geojson(text: &str, origin: &str) -> Result<Self, GazetteerError> {
        let places: Vec<Place> =
            crate::read::features(text).map_err(|source| GazetteerError::Parse {
                origin: origin.to_string(),
                source,
            })?;
        let at = places
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "feature {} (place {:?})",
                    i + 1,
                    crate::units::cut(&p.id, 40)
                )
            })
            .collect();
        Self::new(places, at, origin)
    }

    /// Reads places from a CSV table ([`csv`] names its columns).
    pub fn from_csv(text: &str, origin: &str) -> Result<Self, GazetteerError> {
        let invalid = |problems| GazetteerError::Invalid {
            origin: origin.to_string(),
            problems,
        };
        let (rows, mut problems) = csv::places(text).map_err(invalid)?;
        let (places, at): (Vec<Place>, Vec<String>) = rows.into_iter().unzip();
        // The rows that are places are checked together too, so that a name two rows share is
        // reported beside a bad number in a third.
        match Self::new(places, at, origin) {
            Ok(g) if problems.is_empty() => Ok(g),
            Ok(_) => Err(invalid(problems)),
            Err(GazetteerError::Invalid { problems: more, .. }) => {
                // An empty id or name is reported by its row already.
                let known =
                    |m: &PlaceProblem| problems.iter().any(|p| p.at == m.at && p.key == m.key);
                let more: Vec<PlaceProblem> = more.into_iter().filter(|m| !known(m)).collect();
                problems.extend(more);
                Err(invalid(problems))
            }
            Err(e) => Err(e),
        }
    }

    /// The gazetteer of `places`, `at[i]` saying where in its file place `i` is.
    fn new(places: Vec<Place>, at: Vec<String>, origin: &str) -> Result<Self, GazetteerError> {
        let mut problems = Vec::new();
        let mut by_key: BTreeMap<String, PlaceId> = BTreeMap::new();
        let mut ids = BTreeMap::new();
        for (i, place) in places.iter().enumerate() {
            let id = PlaceId(i as u32);
            let mut problem = |key: &str, message: String, hint: &str| {
                problems.push(PlaceProblem::new(at[i].clone(), key, &message, hint))
            };
            let LonLat { lon, lat } = place.location();
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                problem(
                    "geometry",
                    format!("({lon}, {lat}) is not a lon/lat"),
                    "WGS84 degrees, longitude first: [lon, lat]",
                );
            }
            if !(place.uncertainty_km.is_finite() && place.uncertainty_km >= 0.0) {
                problem(
                    "uncertainty_km",
                    format!("{} is not a distance", place.uncertainty_km),
                    "how far the true place may be from the point, in km, 0 or more",
                );
            }
            // A repeated id is reported once, not again as a name two places share.
            let repeated = ids.get(&place.id).copied();
            match repeated {
                Some(first) => problem(
                    "id",
                    format!("the id is also {}'s", at[first]),
                    "give every place its own id",
                ),
                None => {
                    ids.insert(place.id.clone(), i);
                }
            }
            let names = (repeated.is_none().then_some(("id", &place.id)).into_iter())
                .chain(std::iter::once(("name", &place.name)))
                .chain(place.aliases.iter().map(|a| ("aliases", a)));
            for (field, name) in names {
                let key = normalize(name);
                if key.is_empty() {
                    problem(
                        field,
                        format!("{:?} has no letters", crate::units::cut(name, 40)),
                        "a name or alias needs at least one letter or digit",
                    );
                    continue;
                }
                match by_key.get(&key) {
                    Some(&other) if other != id => problem(
                        field,
                        format!(
                            "{:?} also names {}",
                            crate::units::cut(name, 40),
                            at[other.0 as usize]
                        ),
                        "a name must find one place: drop it from one of them, or spell them apart",
                    ),
                    _ => {
                        by_key.insert(key, id);
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(GazetteerError::Invalid {
                origin: origin.to_string(),
                problems,
            });
        }
        let nearby = Nearby::bulk_load(
            places
                .iter()
                .enumerate()
                .map(|(i, p)| rstar::primitives::GeomWithData::new(unit(p.location()), i as u32))
                .collect(),
        );
        Ok(Self {
            places,
            by_key,
            nearby,
        })
    }

    pub fn places(&self) -> impl ExactSizeIterator<Item = (PlaceId, &Place)> {
        self.places
            .iter()
            .enumerate()
            .map(|(i, p)| (PlaceId(i as u32), p))
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    pub fn get(&self, id: PlaceId) -> &Place {
        &self.places[id.0 as usize]
    }

    /// Finds a place by id, name or alias, ignoring case, accents, apostrophes, hyphens and a
    /// leading article.
    ///
    /// # Examples
    /// ```
    /// let world = convoy_sim::Geography::embedded().unwrap();
    /// let hit = world.gazetteer.lookup("al-bukamal").unwrap();
    /// assert_eq!(hit.place.name, "Al Bukamal");
    /// let err = world.gazetteer.lookup("Palmyrra").unwrap_err();
    /// assert!(err.to_string().contains("did you mean Palmyra"), "{err}");
    /// ```
    pub fn lookup(&self, query: &str) -> Result<Match<'_>, GazetteerError> {
        let unknown = |suggestions| GazetteerError::Unknown {
            // Kept only as far as the message repeats it (and one more, for its "…").
            query: query.chars().take(crate::units::ECHO_CHARS + 1).collect(),
            suggestions,
        };
        if query.len() > MAX_QUERY_BYTES {
            return Err(unknown(Vec::new()));
        }
        let key = normalize(query);
        self.find_key(&key)
            .ok_or_else(|| unknown(self.suggest(&key, 3)))
    }

    /// Like [`Gazetteer::lookup`], without working out suggestions when nothing matches.
    pub fn find(&self, query: &str) -> Option<Match<'_>> {
        if query.len() > MAX_QUERY_BYTES {
            return None;
        }
        self.find_key(&normalize(query))
    }

    /// The place whose normalised name or alias is `key`.
    fn find_key(&self, key: &str) -> Option<Match<'_>> {
        let &id = self.by_key.get(key)?;
        let place = self.get(id);
        let matched_name = std::iter::once(&place.name)
            .chain(&place.aliases)
            .chain(std::iter::once(&place.id))
            .find(|n| normalize(n) == key)
            .map(String::as_str)
            .unwrap_or(&place.name);
        Some(Match {
            id,
            place,
            matched_name,
        })
    }

    /// The canonical names of up to `n` places whose names are closest to `key`, best first.
    fn suggest(&self, key: &str, n: usize) -> Vec<String> {
        if key.is_empty() || key.chars().nth(MAX_SUGGEST_CHARS).is_some() {
            return Vec::new();
        }
        // Best score per place over all its names; ties broken by gazetteer order.
        let mut best: Vec<(f64, PlaceId)> = Vec::new();
        for (name_key, &id) in &self.by_key {
            let mut score = strsim::jaro_winkler(key, name_key);
            // A query that is most of a name ("Bukamal" in "Al Bukamal Airport") is a good sign;
            // two or three letters inside a long name are not.
            let (short, long) = if key.len() < name_key.len() {
                (key, name_key.as_str())
            } else {
                (name_key.as_str(), key)
            };
            if short.chars().count() >= 4 && long.contains(short) && 2 * short.len() >= long.len() {
                score = score.max(0.9);
            }
            match best.iter_mut().find(|(_, p)| *p == id) {
                Some(entry) => entry.0 = entry.0.max(score),
                None => best.push((score, id)),
            }
        }
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let top = best.first().map_or(0.0, |b| b.0);
        best.into_iter()
            .take_while(|(score, _)| *score >= 0.8 && *score >= top - 0.08)
            .take(n)
            .map(|(_, id)| self.get(id).name.clone())
            .collect()
    }

    /// A name for a position: the place there (within 1 km), else the coordinate.
    pub fn label(&self, at: LonLat) -> String {
        match self.nearest(at) {
            Some((id, d)) if d.km() < 1.0 => self.get(id).name.clone(),
            _ => at.to_string(),
        }
    }

    /// The place nearest to `at` by great-circle distance (ties to the first place), and how
    /// far it is. The index narrows the places to those about as near as the nearest; the
    /// haversine distance decides among them, as it would among all.
    pub fn nearest(&self, at: LonLat) -> Option<(PlaceId, Metres)> {
        let mut best: Option<(PlaceId, Metres)> = None;
        let mut within = f64::INFINITY;
        for (near, chord2) in self.nearby.nearest_neighbor_iter_with_distance_2(&unit(at)) {
            if chord2 > within {
                break;
            }
            if within.is_infinite() {
                within = chord2 * (1.0 + CHORD2_SLACK.0) + CHORD2_SLACK.1;
            }
            let id = PlaceId(near.data);
            let d = self.get(id).location().distance(at);
            if best.is_none_or(|b| d.0.total_cmp(&b.1.0).then(id.cmp(&b.0)).is_lt()) {
                best = Some((id, d));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Gazetteer {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[38.284,34.5624]},
           "properties":{"id":"palmyra","name":"Palmyra","aliases":["Tadmur","Tadmor"],"country":"Syria",
           "kind":"city","uncertainty_km":1.5,"position":"sourced","source":"GeoNames 163808",
           "licence":"CC-BY-4.0","in_reports":["scmp-2017-09-04"],"note":null,"source_url":null}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[41.919,34.4823]},
           "properties":{"id":"rawa","name":"Rawa","aliases":["Rawah"],"country":"Iraq",
           "kind":"town","uncertainty_km":1.0,"position":"sourced","source":"GeoNames 92004",
           "licence":"CC-BY-4.0","in_reports":[],"note":null,"source_url":null}}]}"#;
        Gazetteer::from_geojson(text, "test").unwrap()
    }

    #[test]
    fn the_nearest_place_is_the_one_a_scan_of_every_place_finds() {
        let g = crate::Geography::embedded().unwrap().gazetteer;
        let scan = |at: LonLat| {
            g.places()
                .map(|(id, p)| (id, p.location().distance(at)))
                .min_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.0.cmp(&b.0)))
        };
        let on_places = g.places().map(|(_, p)| p.location());
        let grid = (0..=120).flat_map(|i| {
            (0..=80).map(move |j| LonLat::new(34.0 + i as f64 * 0.1, 31.0 + j as f64 * 0.1))
        });
        for at in on_places.chain(grid) {
            assert_eq!(g.nearest(at), scan(at), "{at:?}");
        }
    }

    #[test]
    fn finds_by_alias_and_reports_which_name_matched() {
        let g = tiny();
        let m = g.lookup("TADMOR").unwrap();
        assert_eq!(m.place.id, "palmyra");
        assert_eq!(m.matched_name, "Tadmor");
        assert_eq!(g.lookup("rawa").unwrap().place.name, "Rawa");
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let g = tiny();
        let err = g.lookup("Palmira").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown place 'Palmira': did you mean Palmyra?"
        );
        let GazetteerError::Unknown { suggestions, .. } = g.lookup("zzzzqqq").unwrap_err() else {
            panic!("expected Unknown");
        };
        assert!(suggestions.is_empty());
    }

    #[test]
    fn a_huge_unknown_name_is_echoed_in_part() {
        let g = tiny();
        let huge = "Palmyra".repeat(1_500_000);
        let err = g.lookup(&huge).unwrap_err().to_string();
        assert!(err.len() < 200 && err.contains('…'), "{err}");
    }

    #[test]
    fn a_query_past_the_bound_is_not_normalised_at_all() {
        // Normalised, this would be "palmyra": it is refused on its length alone, so a lookup's
        // work never grows with what a file or an argument holds.
        let g = tiny();
        let padded = format!("Palmyra{}", " ".repeat(MAX_QUERY_BYTES));
        assert!(g.find(&padded).is_none());
        let GazetteerError::Unknown { suggestions, .. } = g.lookup(&padded).unwrap_err() else {
            panic!("expected Unknown");
        };
        assert!(suggestions.is_empty());
        let within = format!("Palmyra{}", " ".repeat(MAX_QUERY_BYTES - 8));
        assert_eq!(g.find(&within).unwrap().place.id, "palmyra");
    }

    #[test]
    fn a_name_shared_by_two_places_is_refused() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},
           "properties":{"id":"a","name":"Qaim","country":"Iraq","kind":"town","uncertainty_km":1,
           "position":"sourced","source":"s","licence":"l"}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[1,3]},
           "properties":{"id":"b","name":"B","aliases":["Al-Qaim"],"country":"Iraq","kind":"town",
           "uncertainty_km":1,"position":"sourced","source":"s","licence":"l"}}]}"#;
        let err = Gazetteer::from_geojson(text, "bad.geojson").unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad.geojson: feature 2 (place \"b\"), aliases: \"Al-Qaim\" also names feature 1 (place \"a\") (hint: a name must find one place: drop it from one of them, or spell them apart)"
        );
    }

    #[test]
    fn nearest_place() {
        let g = tiny();
        let (id, d) = g.nearest(LonLat::new(41.9, 34.5)).unwrap();
        assert_eq!(g.get(id).id, "rawa");
        assert!(d.km() < 3.0);
    }
}
