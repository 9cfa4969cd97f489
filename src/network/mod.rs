//! Roads → a routable graph: road sections from `data/roads.geojson`, the graph built from them,
//! snapping places onto it, fastest and shortest paths, and closures that take effect at a time.
//!
//! Every vertex of every road is a graph node; consecutive vertices are joined by an edge that
//! remembers its road. Roads meet where they share a coordinate exactly (to 1e-6°), which is how the
//! data build script makes junctions: both roads go through the same gazetteer point.
//!
//! Every route is searched on the same graph contracted to its junctions ([`Contracted`], built on
//! the first route), for national networks; `contract.rs` says what it guarantees.

mod closure;
mod contract;
mod labels;
pub mod osm;
mod route;

use std::collections::BTreeMap;
use std::fmt;

use geo::LineString;
use jiff::SignedDuration;
use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};
use serde::Deserialize;

pub use closure::{Closed, Closure, Closures};
pub use contract::Contracted;
pub use labels::{ClassLabelProblem, ClassLabels, ClassLabelsError, ROAD_CLASSES_TOML};
pub(crate) use route::Cost;
pub(crate) use route::{Ends, Fnv};
pub use route::{Leg, Metric, Route, Routes, RoutesUnder};

use crate::units::{KmPerHour, LonLat, Metres};

/// Index of a road in its [`RoadNetwork`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoadId(pub u32);

/// What kind of road a section is; it sets nothing by itself (each road carries its speed) but
/// tells people on foot and in pick-ups from buses where that matters.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    Highway,
    Main,
    Secondary,
    DesertRoad,
    /// An unpaved desert track: plausible for pick-ups and people on foot, not a bus road.
    Track,
}

impl RoadClass {
    /// Every class, in declaration order (`ALL[c as usize] == c`).
    pub const ALL: [RoadClass; 5] = [
        RoadClass::Highway,
        RoadClass::Main,
        RoadClass::Secondary,
        RoadClass::DesertRoad,
        RoadClass::Track,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Highway => "highway",
            RoadClass::Main => "main",
            RoadClass::Secondary => "secondary",
            RoadClass::DesertRoad => "desert_road",
            RoadClass::Track => "track",
        }
    }
}

/// A point partway along a segment: `along` metres from the segment's source node (as the graph
/// stores it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoadPoint {
    pub edge: EdgeIndex,
    pub along: Metres,
}

impl RoadPoint {
    /// Where it is (lon, lat): on the straight line between the segment's ends, as agents move.
    pub fn location(&self, net: &RoadNetwork) -> LonLat {
        let Some((a, b)) = net.graph().edge_endpoints(self.edge) else {
            return LonLat::new(0.0, 0.0);
        };
        let len = net.segment(self.edge).length.0;
        let f = if len > 0.0 {
            (self.along.0 / len).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (a, b) = (net.node(a), net.node(b));
        LonLat::new(a.lon + (b.lon - a.lon) * f, a.lat + (b.lat - a.lat) * f)
    }
}

/// What travels the roads, as far as their class matters. People on foot go off-road and take
/// no part: walking is straight, not along roads.
///
/// The one rule for who may use a desert track: validation, the engine and the reach bound in
/// `check` all ask here, so they cannot disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Traveller {
    /// Buses, ambulances and cars: paved and desert roads, not the tracks.
    Road,
    /// Pick-ups and trucks, and whatever carries people who left the buses: tracks too.
    Track,
}

impl Traveller {
    /// Whether this traveller may use a road of `class`.
    pub fn may_use(self, class: RoadClass) -> bool {
        match self {
            Traveller::Road => class != RoadClass::Track,
            Traveller::Track => true,
        }
    }
}

impl fmt::Display for RoadClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One road section, as `data/roads.geojson` describes it.
#[derive(Clone, Debug, Deserialize)]
pub struct Road {
    /// The feature's geometry, read beside its properties ([`RoadNetwork::from_geojson`]).
    #[serde(skip, default = "no_vertices")]
    pub geometry: LineString<f64>,
    pub id: String,
    pub name: String,
    #[serde(rename = "ref", default)]
    pub reference: Option<String>,
    pub class: RoadClass,
    pub speed_kmh: f64,
    /// Gazetteer id of the first vertex, where the road starts at a place; absent for a section
    /// that starts at a junction (every section imported from OpenStreetMap).
    #[serde(default)]
    pub from: Option<String>,
    /// Gazetteer id of the last vertex, likewise.
    #[serde(default)]
    pub to: Option<String>,
    pub source: String,
    /// Under what licence the geometry may be used; every imported section says ODbL.
    #[serde(default)]
    pub licence: Option<String>,
}

fn no_vertices() -> LineString<f64> {
    LineString::new(Vec::new())
}

impl Road {
    pub fn speed(&self) -> KmPerHour {
        KmPerHour(self.speed_kmh)
    }
}

/// A graph node: one road vertex.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    pub at: LonLat,
}

/// A graph edge: the straight piece of one road between two consecutive vertices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub road: RoadId,
    pub length: Metres,
    pub time: SignedDuration,
}

/// What can be wrong when building or querying the network.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("{origin}: not a GeoJSON FeatureCollection of roads")]
    Parse {
        origin: String,
        #[source]
        source: geojson::Error,
    },
    #[error("{origin}: road '{id}': {problem}")]
    Invalid {
        origin: String,
        id: String,
        problem: String,
    },
    #[error(
        "{place} is not on the road network: the nearest road vertex is {km:.0} km away (limit {limit_km:.0} km)"
    )]
    NotOnNetwork {
        place: String,
        km: f64,
        limit_km: f64,
    },
    #[error("no route from {from} to {to}{}", if *.closed > 0 { " with the given roads closed" } else { ": they are not connected by road" })]
    NoRoute {
        from: String,
        to: String,
        closed: usize,
    },
}

/// How far a place may be from the nearest road vertex and still be routed from.
pub const SNAP_LIMIT: Metres = Metres(10_000.0);

/// Coordinates are matched at this many decimal places of a degree (≈ 0.1 m).
const KEY_SCALE: f64 = 1e6;

fn coord_key(at: LonLat) -> (i64, i64) {
    (
        (at.lon * KEY_SCALE).round() as i64,
        (at.lat * KEY_SCALE).round() as i64,
    )
}

/// A node of the graph, indexed by where it is (lon, lat degrees) for [`RoadNetwork::snap`].
type IndexedNode = rstar::primitives::GeomWithData<[f64; 2], u32>;
/// A segment of the graph, indexed by the box it runs in, for
/// [`RoadNetwork::nearest_on_segment`]. A box, not the line: building the index compares boxes
/// millions of times, and a line's would be worked out at each comparison (40% of loading a
/// national network); the search measures the segments themselves anyway.
type IndexedSegment = rstar::primitives::GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, u32>;

/// The box of (lon, lat) degrees that holds every point within great-circle distance `d` of `at`,
/// with a margin for rounding; `None` where it would wrap round a pole or the antimeridian.
fn degree_box(at: LonLat, d: Metres) -> Option<rstar::AABB<[f64; 2]>> {
    // The mean Earth radius geo's Haversine uses.
    const R: f64 = 6_371_008.8;
    let c = d.0 / R * (1.0 + 1e-9) + 1e-12;
    let dlat = c.to_degrees();
    let (lo, hi) = (at.lat - dlat, at.lat + dlat);
    if !(lo > -89.0 && hi < 89.0) {
        return None;
    }
    // sin²(Δλ/2)·cosφ₁·cosφ₂ ≤ sin²(c/2), and both cosines are at least that of the box's edge
    // furthest from the equator.
    let cos_min = lo.abs().max(hi.abs()).to_radians().cos();
    let s = (c / 2.0).sin() / cos_min;
    if s.is_nan() || s >= 1.0 {
        return None;
    }
    let dlon = (2.0 * s.asin()).to_degrees() * (1.0 + 1e-9) + 1e-12;
    let (west, east) = (at.lon - dlon, at.lon + dlon);
    if !(west > -180.0 && east < 180.0) {
        return None;
    }
    Some(rstar::AABB::from_corners([west, lo], [east, hi]))
}

/// The road graph.
#[derive(Clone, Debug)]
pub struct RoadNetwork {
    roads: Vec<Road>,
    graph: UnGraph<Node, Segment>,
    /// Every node by its position, built once with the graph: an imported network has 10^5–10^6
    /// nodes, and a scan of them all per snap would cost more than the route.
    index: rstar::RTree<IndexedNode>,
    /// Every segment by where it runs, likewise.
    segments: rstar::RTree<IndexedSegment>,
    /// The fastest road's speed, for the estimate of a fastest route's remaining time.
    top_speed: Option<KmPerHour>,
    /// The graph contracted to junctions, which every route is searched on: built on the first
    /// route (a tenth of a second for a national network), once.
    contracted: std::sync::OnceLock<contract::Contracted>,
}

impl RoadNetwork {
    /// Reads roads from GeoJSON text; `origin` names the text in errors.
    pub fn from_geojson(text: &str, origin: &str) -> Result<Self, NetworkError> {
        let roads: Vec<Road> = crate::read::line_features(text)
            .map_err(|source| NetworkError::Parse {
                origin: origin.to_string(),
                source,
            })?
            .into_iter()
            .map(|(vertices, road): (_, Road)| Road {
                geometry: vertices.into(),
                ..road
            })
            .collect();
        Self::new(roads, origin)
    }

    /// Builds the graph from road sections.
    pub fn new(roads: Vec<Road>, origin: &str) -> Result<Self, NetworkError> {
        let mut graph = UnGraph::<Node, Segment>::default();
        let mut nodes: BTreeMap<(i64, i64), NodeIndex> = BTreeMap::new();
        let mut ids = BTreeMap::new();
        for (i, road) in roads.iter().enumerate() {
            let invalid = |problem: String| NetworkError::Invalid {
                origin: origin.to_string(),
                id: road.id.clone(),
                problem,
            };
            if ids.insert(road.id.as_str(), i).is_some() {
                return Err(invalid("id is used twice".into()));
            }
            if !(road.speed_kmh.is_finite() && road.speed_kmh > 0.0) {
                return Err(invalid(format!(
                    "speed_kmh {} is not a positive speed",
                    road.speed_kmh
                )));
            }
            if road.geometry.0.len() < 2 {
                return Err(invalid("a road needs at least two vertices".into()));
            }
            let id = RoadId(i as u32);
            let mut previous: Option<(NodeIndex, LonLat)> = None;
            for &c in &road.geometry.0 {
                let at = LonLat::from(c);
                if !(at.lon.is_finite() && at.lat.is_finite()) {
                    return Err(invalid(format!("vertex {at:?} is not a coordinate")));
                }
                let node = *nodes
                    .entry(coord_key(at))
                    .or_insert_with(|| graph.add_node(Node { at }));
                if let Some((prev, prev_at)) = previous
                    && prev != node
                {
                    let length = prev_at.distance(at);
                    graph.add_edge(
                        prev,
                        node,
                        Segment {
                            road: id,
                            length,
                            time: length.time_at(road.speed()),
                        },
                    );
                }
                previous = Some((node, at));
            }
        }
        let index = rstar::RTree::bulk_load(
            graph
                .node_indices()
                .map(|n| IndexedNode::new([graph[n].at.lon, graph[n].at.lat], n.index() as u32))
                .collect(),
        );
        let segments = rstar::RTree::bulk_load(
            graph
                .edge_indices()
                .filter_map(|e| {
                    let (a, b) = graph.edge_endpoints(e)?;
                    let (a, b) = (graph[a].at, graph[b].at);
                    let bounds =
                        rstar::primitives::Rectangle::from_corners([a.lon, a.lat], [b.lon, b.lat]);
                    Some(IndexedSegment::new(bounds, e.index() as u32))
                })
                .collect(),
        );
        let top_speed = roads
            .iter()
            .map(Road::speed)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Self {
            roads,
            graph,
            index,
            segments,
            top_speed,
            contracted: std::sync::OnceLock::new(),
        })
    }

    pub fn roads(&self) -> impl ExactSizeIterator<Item = (RoadId, &Road)> {
        self.roads
            .iter()
            .enumerate()
            .map(|(i, r)| (RoadId(i as u32), r))
    }

    pub fn road(&self, id: RoadId) -> &Road {
        &self.roads[id.0 as usize]
    }

    pub fn graph(&self) -> &UnGraph<Node, Segment> {
        &self.graph
    }

    pub fn node(&self, n: NodeIndex) -> LonLat {
        self.graph[n].at
    }

    pub fn segment(&self, e: EdgeIndex) -> &Segment {
        &self.graph[e]
    }

    /// Whether `traveller` may use segment `e`, by its road's class.
    pub fn open_to(&self, traveller: Traveller, e: EdgeIndex) -> bool {
        traveller.may_use(self.road(self.segment(e).road).class)
    }

    /// Every segment `traveller` may never use, as a closure in force all the time.
    pub fn barred_to(&self, traveller: Traveller) -> Closed {
        Closed::segments(
            self.graph
                .edge_indices()
                .filter(|&e| !self.open_to(traveller, e))
                .collect(),
        )
    }

    /// The road vertex nearest to `at` (lon, lat), and how far it is; of vertices equally near,
    /// the first in the graph.
    ///
    /// # Units
    /// Degrees in; great-circle metres out, as [`LonLat::distance`] measures them.
    pub fn snap(&self, at: LonLat) -> Option<(NodeIndex, Metres)> {
        // The index finds the nearest vertex in plain degrees, which is near but not always the
        // nearest by great circle; every vertex that could be nearer lies within the box of
        // degrees that distance spans, so those are measured and the least taken — the answer
        // of a scan over every vertex, ties included.
        let seed = self.index.nearest_neighbor(&[at.lon, at.lat])?;
        let d = at.distance(self.node(NodeIndex::new(seed.data as usize)));
        let nearest = |nodes: &mut dyn Iterator<Item = NodeIndex>| {
            nodes
                .map(|n| (n, self.graph[n].at.distance(at)))
                .min_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.0.cmp(&b.0)))
        };
        match degree_box(at, d) {
            Some(envelope) => nearest(
                &mut self
                    .index
                    .locate_in_envelope(&envelope)
                    .map(|p| NodeIndex::new(p.data as usize)),
            ),
            // Near a pole or the antimeridian the box does not hold: measure every vertex.
            None => nearest(&mut self.graph.node_indices()),
        }
    }

    /// The point nearest to `at` on any segment `allow` accepts: the segment, how far along it
    /// from its first node (0 to 1), and how far `at` is from that point.
    pub fn nearest_on_segment(
        &self,
        at: LonLat,
        allow: impl Fn(EdgeIndex) -> bool,
    ) -> Option<(EdgeIndex, f64, Metres)> {
        let k = at.lat.to_radians().cos();
        let measure = |e: EdgeIndex| {
            let (a, b) = self.graph.edge_endpoints(e)?;
            let (a, b) = (self.graph[a].at, self.graph[b].at);
            let (dx, dy) = ((b.lon - a.lon) * k, b.lat - a.lat);
            let len2 = dx * dx + dy * dy;
            let f = if len2 > 0.0 {
                (((at.lon - a.lon) * k * dx + (at.lat - a.lat) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let p = LonLat::new(a.lon + f * (b.lon - a.lon), a.lat + f * (b.lat - a.lat));
            Some((e, f, at.distance(p)))
        };
        let best = |edges: &mut dyn Iterator<Item = EdgeIndex>| {
            edges
                .filter(|&e| allow(e))
                .filter_map(measure)
                .min_by(|x, y| x.2.0.total_cmp(&y.2.0).then(x.0.cmp(&y.0)))
        };
        // As in `snap`: the allowed segment whose box is nearest in plain degrees gives a
        // distance, and every segment that could be nearer by great circle has its point inside
        // the box of degrees that distance spans, so its own box meets it. The answer is the
        // scan's, ties included.
        let seed = self
            .segments
            .nearest_neighbor_iter(&[at.lon, at.lat])
            .map(|s| EdgeIndex::new(s.data as usize))
            .find(|&e| allow(e))?;
        let (_, _, d) = measure(seed)?;
        match degree_box(at, d) {
            Some(envelope) => best(
                &mut self
                    .segments
                    .locate_in_envelope_intersecting(&envelope)
                    .map(|s| EdgeIndex::new(s.data as usize)),
            ),
            None => best(&mut self.graph.edge_indices()),
        }
    }

    /// Snaps a named point to the network, refusing points further than [`SNAP_LIMIT`] from any road.
    pub fn snap_place(&self, name: &str, at: LonLat) -> Result<NodeIndex, NetworkError> {
        match self.snap(at) {
            Some((node, d)) if d <= SNAP_LIMIT => Ok(node),
            found => Err(NetworkError::NotOnNetwork {
                place: name.to_string(),
                km: found.map_or(f64::INFINITY, |(_, d)| d.km()),
                limit_km: SNAP_LIMIT.km(),
            }),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A square A(0,0)–B(1,0)–C(1,1)–D(0,1) of roads, plus a slow track A–C across it.
    pub(crate) fn square() -> RoadNetwork {
        let road = |id: &str, coords: &[(f64, f64)], class: RoadClass, speed: f64| Road {
            geometry: LineString::from(coords.to_vec()),
            id: id.into(),
            name: id.into(),
            reference: None,
            class,
            speed_kmh: speed,
            from: None,
            to: None,
            source: "test".into(),
            licence: None,
        };
        RoadNetwork::new(
            vec![
                road("ab", &[(0.0, 0.0), (1.0, 0.0)], RoadClass::Highway, 100.0),
                road("bc", &[(1.0, 0.0), (1.0, 1.0)], RoadClass::Highway, 100.0),
                road("cd", &[(1.0, 1.0), (0.0, 1.0)], RoadClass::Main, 100.0),
                road("da", &[(0.0, 1.0), (0.0, 0.0)], RoadClass::Main, 100.0),
                road(
                    "ac",
                    &[(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)],
                    RoadClass::Track,
                    20.0,
                ),
            ],
            "test",
        )
        .unwrap()
    }

    #[test]
    fn roads_join_at_shared_vertices() {
        let net = square();
        // A, B, C, D and the track's midpoint.
        assert_eq!(net.graph().node_count(), 5);
        assert_eq!(net.graph().edge_count(), 6);
    }

    #[test]
    fn snapping_refuses_far_points() {
        let net = square();
        assert!(net.snap_place("near", LonLat::new(0.01, 0.0)).is_ok());
        let err = net.snap_place("far", LonLat::new(3.0, 3.0)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("far is not on the road network"),
            "{err}"
        );
    }

    #[test]
    fn tracks_are_barred_to_buses_and_open_to_carriers() {
        let net = square();
        // The track A–C is two segments, through its midpoint.
        assert_eq!(net.barred_to(Traveller::Road).segments.len(), 2);
        assert!(net.barred_to(Traveller::Track).is_empty());
        assert!(!Traveller::Road.may_use(RoadClass::Track));
        assert!(Traveller::Road.may_use(RoadClass::DesertRoad));
    }

    /// The nearest vertex by measuring every one: what `snap` answered before it had an index.
    fn snap_by_scan(net: &RoadNetwork, at: LonLat) -> Option<(NodeIndex, Metres)> {
        net.graph()
            .node_indices()
            .map(|n| (n, net.node(n).distance(at)))
            .min_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.0.cmp(&b.0)))
    }

    #[test]
    fn the_index_snaps_to_the_vertex_a_scan_finds_on_the_embedded_roads() {
        let net =
            RoadNetwork::from_geojson(crate::data::ROADS_GEOJSON, "data/roads.geojson").unwrap();
        // A grid over the study area and beyond it, 0.05° apart: points on roads, between them
        // and far from any.
        for i in 0..=200 {
            for j in 0..=120 {
                let at = LonLat::new(33.0 + i as f64 * 0.05, 31.0 + j as f64 * 0.05);
                assert_eq!(net.snap(at), snap_by_scan(&net, at), "at {at:?}");
            }
        }
        // Every vertex snaps to itself.
        for n in net.graph().node_indices() {
            assert_eq!(net.snap(net.node(n)).map(|s| s.0), Some(n));
        }
    }

    /// The nearest point on a segment by measuring every one, as before the index.
    fn nearest_on_segment_by_scan(
        net: &RoadNetwork,
        at: LonLat,
        allow: impl Fn(EdgeIndex) -> bool,
    ) -> Option<(EdgeIndex, f64, Metres)> {
        let k = at.lat.to_radians().cos();
        net.graph()
            .edge_indices()
            .filter(|&e| allow(e))
            .filter_map(|e| {
                let (a, b) = net.graph().edge_endpoints(e)?;
                let (a, b) = (net.node(a), net.node(b));
                let (dx, dy) = ((b.lon - a.lon) * k, b.lat - a.lat);
                let len2 = dx * dx + dy * dy;
                let f = if len2 > 0.0 {
                    (((at.lon - a.lon) * k * dx + (at.lat - a.lat) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let p = LonLat::new(a.lon + f * (b.lon - a.lon), a.lat + f * (b.lat - a.lat));
                Some((e, f, at.distance(p)))
            })
            .min_by(|x, y| x.2.0.total_cmp(&y.2.0).then(x.0.cmp(&y.0)))
    }

    #[test]
    fn the_index_finds_the_segment_a_scan_finds_on_the_embedded_roads() {
        let net =
            RoadNetwork::from_geojson(crate::data::ROADS_GEOJSON, "data/roads.geojson").unwrap();
        let bus = |e| net.open_to(Traveller::Road, e);
        for i in 0..=100 {
            for j in 0..=60 {
                let at = LonLat::new(33.0 + i as f64 * 0.1, 31.0 + j as f64 * 0.1);
                assert_eq!(
                    net.nearest_on_segment(at, |_| true),
                    nearest_on_segment_by_scan(&net, at, |_| true),
                    "at {at:?}"
                );
                assert_eq!(
                    net.nearest_on_segment(at, bus),
                    nearest_on_segment_by_scan(&net, at, bus),
                    "aboard, at {at:?}"
                );
            }
        }
        assert_eq!(
            net.nearest_on_segment(LonLat::new(38.0, 34.0), |_| false),
            None
        );
    }

    #[test]
    fn equally_near_vertices_snap_to_the_first_and_far_latitudes_still_snap() {
        // A's four neighbours at the same distance: the first added wins, as a scan's would.
        let road = |id: &str, coords: &[(f64, f64)]| Road {
            geometry: LineString::from(coords.to_vec()),
            id: id.into(),
            name: id.into(),
            reference: None,
            class: RoadClass::Main,
            speed_kmh: 60.0,
            from: None,
            to: None,
            source: "test".into(),
            licence: None,
        };
        let net = RoadNetwork::new(
            vec![
                road("ns", &[(10.0, 1.0), (10.0, -1.0)]),
                road("ew", &[(11.0, 0.0), (9.0, 0.0)]),
                road("polar", &[(-179.9, 89.5), (179.9, 89.5)]),
                road("dateline", &[(179.95, 0.0), (179.99, 1.0)]),
            ],
            "t",
        )
        .unwrap();
        for at in [
            LonLat::new(10.0, 0.0),
            LonLat::new(0.0, 89.9),
            LonLat::new(-179.99, 0.5),
            LonLat::new(10.3, 0.2),
        ] {
            assert_eq!(net.snap(at), snap_by_scan(&net, at), "at {at:?}");
        }
        assert_eq!(
            net.snap(LonLat::new(10.0, 0.0)).unwrap().0,
            NodeIndex::new(0)
        );
    }

    #[test]
    fn bad_speeds_are_refused() {
        let mut r = square().roads[0].clone();
        r.speed_kmh = f64::NAN;
        assert!(RoadNetwork::new(vec![r], "t").is_err());
    }
}
