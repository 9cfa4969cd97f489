//! Paths over the road graph: fastest or shortest, around closed segments.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use geo::LineString;
use jiff::SignedDuration;
use petgraph::graph::{EdgeIndex, NodeIndex};
use std::cmp::Reverse;

use petgraph::visit::EdgeRef;

use super::{Closed, RoadId, RoadNetwork, Segment};
use crate::units::{LonLat, Metres};

/// What a path minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Metric {
    /// Least travel time at each road's typical speed.
    #[default]
    Fastest,
    /// Least distance.
    Shortest,
}

/// A cost (seconds, metres), ordered by `total_cmp` so that it can go in a heap (costs are never
/// NaN); every search over the roads orders its queue by it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Cost(pub f64);

impl Eq for Cost {}

impl PartialOrd for Cost {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cost {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// What a search may use, under `closed`. A bar on a zone or the tracks barred to buses closes
/// a good part of a national network (10^5 segments or nodes): looked up in an ordered set on
/// every step, those cost more than the search, so large sets are first laid out as flags.
pub(super) struct Open<'a> {
    closed: &'a Closed,
    segments: Option<Vec<bool>>,
    no_entry: Option<Vec<bool>>,
}

/// Sets larger than this are laid out as flags (one pass over the graph, less than the search).
const FLAGS_FROM: usize = 16;

impl<'a> Open<'a> {
    pub(super) fn new(closed: &'a Closed, nodes: usize, edges: usize) -> Self {
        let flags = |ids: &mut dyn ExactSizeIterator<Item = usize>, n: usize| {
            (ids.len() > FLAGS_FROM).then(|| {
                let mut f = vec![false; n];
                for i in ids.filter(|&i| i < n) {
                    f[i] = true;
                }
                f
            })
        };
        Open {
            closed,
            segments: flags(&mut closed.segments.iter().map(|e| e.index()), edges),
            no_entry: flags(&mut closed.no_entry.iter().map(|v| v.index()), nodes),
        }
    }

    /// Whether segment `e` may be travelled: not closed, not cut.
    pub(super) fn segment(&self, e: EdgeIndex) -> bool {
        let closed = match &self.segments {
            Some(f) => f[e.index()],
            None => self.closed.segments.contains(&e),
        };
        !closed && self.closed.cuts_on(e).next().is_none()
    }

    /// Whether moving from `from` to its neighbour `to` enters barred ground.
    pub(super) fn enters(&self, from: NodeIndex, to: NodeIndex) -> bool {
        match &self.no_entry {
            Some(f) => f[to.index()] && !f[from.index()],
            None => self.closed.enters(from, to),
        }
    }
}

impl Metric {
    pub(super) fn cost(self, s: &Segment) -> f64 {
        match self {
            Metric::Fastest => s.time.as_secs_f64(),
            Metric::Shortest => s.length.0,
        }
    }
}

/// Routes already found over one network, to be found once and shared by every run (and every
/// thread) that asks again: a route is a pure function of its ends, its metric and exactly what
/// is closed, and those are the key, so a route from here is the route
/// [`RoadNetwork::route`] would find. Nothing is ever iterated, so the hash order reaches nothing.
///
/// A run asks for the routes [`under`](Routes::under) what it knows to be closed once, each time
/// that changes, and then for each route by its ends alone: a closed set can hold every node of
/// a holder's ground, and hashing and comparing it on every route asked for cost more than the
/// rest of planning the drive.
#[derive(Debug, Default)]
pub struct Routes {
    under: Mutex<HashMap<Closed, Arc<RoutesUnder>, Fnv>>,
}

/// The routes found under one closed set, by their ends and metric: part of a [`Routes`], shared
/// as it is.
#[derive(Debug)]
pub struct RoutesUnder {
    closed: Closed,
    found: Mutex<HashMap<Ends, Option<Arc<Route>>, Fnv>>,
}

/// Where a route starts and ends, and what it minimises.
pub(crate) type Ends = (NodeIndex, NodeIndex, Metric);

/// FNV-1a over the key's words: the keys are node and segment numbers, not an adversary's input,
/// and SipHash over every closed segment cost more than the lookup saved.
pub(crate) type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

#[derive(Debug)]
pub(crate) struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u32(&mut self, word: u32) {
        self.0 = (self.0 ^ word as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn write_usize(&mut self, word: usize) {
        self.0 = (self.0 ^ word as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A lock whose holder panicked left at worst a missing route, not a wrong one.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Routes {
    /// The routes under `closed`: those found so far, and a place for the rest.
    pub fn under(&self, closed: &Closed) -> Arc<RoutesUnder> {
        let mut under = lock(&self.under);
        if let Some(known) = under.get(closed) {
            return known.clone();
        }
        let new = Arc::new(RoutesUnder {
            closed: closed.clone(),
            found: Mutex::default(),
        });
        under.insert(closed.clone(), new.clone());
        new
    }
}

impl RoutesUnder {
    /// What the routes go round.
    pub fn closed(&self) -> &Closed {
        &self.closed
    }

    /// [`RoadNetwork::route`] over `net`, which must be the network of every earlier call, under
    /// [`RoutesUnder::closed`].
    pub fn route(
        &self,
        net: &RoadNetwork,
        from: NodeIndex,
        to: NodeIndex,
        metric: Metric,
    ) -> Option<Arc<Route>> {
        let key = (from, to, metric);
        if let Some(route) = lock(&self.found).get(&key) {
            return route.clone();
        }
        let route = net.route(from, to, metric, &self.closed).map(Arc::new);
        lock(&self.found).insert(key, route.clone());
        route
    }
}

/// A path over the network: the nodes it visits and the segments between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub nodes: Vec<NodeIndex>,
    pub segments: Vec<EdgeIndex>,
    pub distance: Metres,
    pub duration: SignedDuration,
}

/// A stretch of a route along one road.
#[derive(Clone, Debug, PartialEq)]
pub struct Leg {
    pub road: RoadId,
    /// Positions in [`Route::nodes`] of the leg's first and last node.
    pub first: usize,
    pub last: usize,
    pub from: LonLat,
    pub to: LonLat,
    pub distance: Metres,
    pub duration: SignedDuration,
}

impl Route {
    /// The path as a line, (lon, lat) vertices from start to end.
    pub fn geometry(&self, net: &RoadNetwork) -> LineString<f64> {
        self.nodes.iter().map(|&n| net.node(n).point()).collect()
    }

    /// The part of the path one leg covers.
    pub fn leg_geometry(&self, net: &RoadNetwork, leg: &Leg) -> LineString<f64> {
        self.nodes[leg.first..=leg.last]
            .iter()
            .map(|&n| net.node(n).point())
            .collect()
    }

    /// The route grouped into runs along the same road, in travel order.
    pub fn legs(&self, net: &RoadNetwork) -> Vec<Leg> {
        let mut legs: Vec<Leg> = Vec::new();
        for (i, &e) in self.segments.iter().enumerate() {
            let s = net.segment(e);
            let (a, b) = (net.node(self.nodes[i]), net.node(self.nodes[i + 1]));
            match legs.last_mut() {
                Some(leg) if leg.road == s.road => {
                    leg.last = i + 1;
                    leg.to = b;
                    leg.distance += s.length;
                    leg.duration += s.time;
                }
                _ => legs.push(Leg {
                    road: s.road,
                    first: i,
                    last: i + 1,
                    from: a,
                    to: b,
                    distance: s.length,
                    duration: s.time,
                }),
            }
        }
        legs
    }
}

/// The labels and queue of an A* search: what the node search and the contracted one share.
/// Labels are indexed by `slot`; the queue holds (cost + estimate, cost, node), so of equal
/// entries the lower node comes first.
pub(super) struct Frontier<E, S> {
    best: Vec<f64>,
    queue: std::collections::BinaryHeap<Reverse<(Cost, Cost, u32)>>,
    estimate: E,
    slot: S,
}

impl<E: Fn(NodeIndex) -> f64, S: Fn(NodeIndex) -> usize> Frontier<E, S> {
    /// Offers `v` at `cost`: whether that beats its label, which it then becomes.
    pub(super) fn relax(&mut self, v: NodeIndex, cost: f64) -> bool {
        let s = (self.slot)(v);
        if cost < self.best[s] {
            self.best[s] = cost;
            self.queue.push(Reverse((
                Cost(cost + (self.estimate)(v)),
                Cost(cost),
                v.index() as u32,
            )));
            true
        } else {
            false
        }
    }
}

/// A* from `from` until `to` is taken from the queue (whether it was), over `labels` labels:
/// `expand(u, g, frontier)` offers the neighbours of `u`, reached at cost `g`. A node taken with
/// a cost above its label is stale and skipped, so rounding in the estimate can never lose the
/// best path (a node may be expanded again, never wrongly closed). A closed node may be reached,
/// and left only where the route starts.
pub(super) fn search<E, S>(
    labels: usize,
    from: NodeIndex,
    to: NodeIndex,
    closed: &Closed,
    estimate: E,
    slot: S,
    mut expand: impl FnMut(NodeIndex, f64, &mut Frontier<E, S>),
) -> bool
where
    E: Fn(NodeIndex) -> f64,
    S: Fn(NodeIndex) -> usize,
{
    let mut frontier = Frontier {
        best: vec![f64::INFINITY; labels],
        queue: std::collections::BinaryHeap::new(),
        estimate,
        slot,
    };
    let start = (frontier.slot)(from);
    frontier.best[start] = 0.0;
    frontier.queue.push(Reverse((
        Cost((frontier.estimate)(from)),
        Cost(0.0),
        from.index() as u32,
    )));
    while let Some(Reverse((_, Cost(g), u))) = frontier.queue.pop() {
        let u = NodeIndex::new(u as usize);
        if g > frontier.best[(frontier.slot)(u)] {
            continue;
        }
        if u == to {
            return true;
        }
        if u != from && closed.nodes.contains(&u) {
            continue;
        }
        expand(u, g, &mut frontier);
    }
    false
}

impl RoadNetwork {
    /// The best path from `from` to `to` by `metric`, never along a closed segment nor through a
    /// closed node (it may start or end at one).
    ///
    /// Returns `None` when the closures (or the data) leave the two unconnected. A route from a node
    /// to itself is empty, with zero distance.
    ///
    /// Searched on the graph contracted to its junctions ([`super::Contracted`]), built on the first
    /// call: the route [`RoadNetwork::route_by_nodes`] finds, which the tests hold it to.
    pub fn route(
        &self,
        from: NodeIndex,
        to: NodeIndex,
        metric: Metric,
        closed: &Closed,
    ) -> Option<Route> {
        self.contracted
            .get_or_init(|| super::contract::Contracted::new(self))
            .route(self, from, to, metric, closed)
    }

    /// [`RoadNetwork::route`] by A* over every node: the reference the contracted search is held
    /// to, and the measure of what contraction saves (benches/routing.rs).
    pub fn route_by_nodes(
        &self,
        from: NodeIndex,
        to: NodeIndex,
        metric: Metric,
        closed: &Closed,
    ) -> Option<Route> {
        let n = self.graph.node_count();
        if from.index() >= n || to.index() >= n {
            return None;
        }
        let estimate = self.estimate_to(to, metric);
        let open = Open::new(closed, n, self.graph.edge_count());
        // A* with every per-node state in arrays indexed by node: on a national network (10^6
        // nodes) a hash map per search cost more than the search.
        let mut came_from = vec![u32::MAX; n];
        let reached = search(
            n,
            from,
            to,
            closed,
            estimate,
            NodeIndex::index,
            |u, g, frontier| {
                // In an undirected graph petgraph reports each edge leaving a node with that node
                // as source.
                for e in self.graph.edges(u) {
                    let v = e.target();
                    if !open.segment(e.id()) || open.enters(u, v) {
                        continue;
                    }
                    if frontier.relax(v, g + metric.cost(e.weight())) {
                        came_from[v.index()] = u.index() as u32;
                    }
                }
            },
        );
        if !reached {
            return None;
        }
        let mut nodes = vec![to];
        while let Some(&last) = nodes.last()
            && last != from
        {
            nodes.push(NodeIndex::new(came_from[last.index()] as usize));
        }
        nodes.reverse();
        self.along(nodes, metric, closed)
    }

    /// Admissible estimate of the cost from a node to `to`: straight-line distance, at the
    /// fastest speed for time.
    pub(super) fn estimate_to(&self, to: NodeIndex, metric: Metric) -> impl Fn(NodeIndex) -> f64 {
        let goal = self.node(to);
        move |v: NodeIndex| {
            let d = self.node(v).distance(goal);
            match (metric, self.top_speed) {
                (Metric::Shortest, _) | (_, None) => d.0,
                (Metric::Fastest, Some(top)) => d.0 / top.metres_per_second(),
            }
        }
    }

    /// The route through `nodes` (consecutive ones neighbours), its costs summed in travel order.
    pub(super) fn along(
        &self,
        nodes: Vec<NodeIndex>,
        metric: Metric,
        closed: &Closed,
    ) -> Option<Route> {
        let mut segments = Vec::with_capacity(nodes.len().saturating_sub(1));
        let mut distance = Metres::ZERO;
        let mut duration = SignedDuration::ZERO;
        for pair in nodes.windows(2) {
            // Parallel segments (two roads over the same vertices): take the cheapest open one.
            let e = self
                .graph
                .edges_connecting(pair[0], pair[1])
                .filter(|e| !closed.blocks(e.id()))
                .min_by(|a, b| {
                    metric
                        .cost(a.weight())
                        .total_cmp(&metric.cost(b.weight()))
                        .then(a.id().cmp(&b.id()))
                })?;
            segments.push(e.id());
            distance += e.weight().length;
            duration += e.weight().time;
        }
        Some(Route {
            nodes,
            segments,
            distance,
            duration,
        })
    }

    /// The segments of the stretch of road between two nodes: those of the fastest path, which is
    /// what a driver calls "the road" (a shorter desert track beside it is not). This is what
    /// "close the road between Hamaymah and Al Bukamal" closes.
    pub fn stretch_between(&self, a: NodeIndex, b: NodeIndex) -> Option<BTreeSet<EdgeIndex>> {
        let route = self.route(a, b, Metric::Fastest, &Closed::default())?;
        Some(route.segments.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::square;
    use super::*;

    fn node(net: &RoadNetwork, lon: f64, lat: f64) -> NodeIndex {
        net.snap(LonLat::new(lon, lat)).unwrap().0
    }

    #[test]
    fn a_remembered_route_is_the_one_the_network_finds_under_exactly_those_closures() {
        let net = square();
        let (a, c) = (node(&net, 0.0, 0.0), node(&net, 1.0, 1.0));
        let routes = Routes::default();
        let open = Closed::default();
        let first = routes
            .under(&open)
            .route(&net, a, c, Metric::Fastest)
            .unwrap();
        assert_eq!(*first, net.route(a, c, Metric::Fastest, &open).unwrap());
        // Cut the corner it went by: the same ends under other closures are another route.
        let cut = Closed::nodes([first.nodes[1]].into());
        let round = routes
            .under(&cut)
            .route(&net, a, c, Metric::Fastest)
            .unwrap();
        assert_eq!(*round, net.route(a, c, Metric::Fastest, &cut).unwrap());
        assert_ne!(round.nodes[1], first.nodes[1]);
        // Asked again, under closures equal to the first but made apart from them, each is the
        // one found first, shared.
        let under = routes.under(&Closed::default());
        assert!(Arc::ptr_eq(&under, &routes.under(&open)));
        let again = under.route(&net, a, c, Metric::Fastest).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let shortest = under.route(&net, a, c, Metric::Shortest).unwrap();
        assert_eq!(*shortest, net.route(a, c, Metric::Shortest, &open).unwrap());
    }

    #[test]
    fn fastest_avoids_the_slow_track_shortest_takes_it() {
        let net = square();
        let (a, c) = (node(&net, 0.0, 0.0), node(&net, 1.0, 1.0));
        let fast = net
            .route(a, c, Metric::Fastest, &Closed::default())
            .unwrap();
        let short = net
            .route(a, c, Metric::Shortest, &Closed::default())
            .unwrap();
        assert_eq!(fast.nodes.len(), 3, "two highway sides");
        assert!(short.distance < fast.distance);
        assert!(short.duration > fast.duration);
        assert_eq!(net.road(net.segment(short.segments[0]).road).id, "ac");
    }

    #[test]
    fn closures_reroute_and_can_disconnect() {
        let net = square();
        let (a, b, c) = (
            node(&net, 0.0, 0.0),
            node(&net, 1.0, 0.0),
            node(&net, 1.0, 1.0),
        );
        let closed = Closed::segments(net.stretch_between(a, b).unwrap());
        let around = net.route(a, c, Metric::Fastest, &closed).unwrap();
        assert!(!around.segments.iter().any(|e| closed.segments.contains(e)));
        assert!(
            around
                .legs(&net)
                .iter()
                .all(|l| net.road(l.road).id != "ab")
        );

        let everything = Closed::segments(net.graph().edge_indices().collect());
        assert!(net.route(a, c, Metric::Fastest, &everything).is_none());
    }

    #[test]
    fn a_cut_node_can_be_reached_and_left_but_not_passed() {
        let net = square();
        let (a, b, c) = (
            node(&net, 0.0, 0.0),
            node(&net, 1.0, 0.0),
            node(&net, 1.0, 1.0),
        );
        let cut = Closed::nodes([b].into());
        // A → C goes round the other way (D), or along the slow track, never through B.
        let r = net.route(a, c, Metric::Fastest, &cut).unwrap();
        assert!(!r.nodes[1..r.nodes.len() - 1].contains(&b));
        // B itself is reachable, and a route may start there (turning back).
        assert_eq!(
            net.route(a, b, Metric::Fastest, &cut).unwrap().nodes,
            [a, b]
        );
        assert_eq!(
            net.route(b, a, Metric::Fastest, &cut).unwrap().nodes,
            [b, a]
        );
    }

    #[test]
    fn legs_group_by_road_and_add_up() {
        let net = square();
        let (a, c) = (node(&net, 0.0, 0.0), node(&net, 1.0, 1.0));
        let short = net
            .route(a, c, Metric::Shortest, &Closed::default())
            .unwrap();
        let legs = short.legs(&net);
        assert_eq!(legs.len(), 1, "both track segments are one leg");
        let sum: Metres = legs.iter().map(|l| l.distance).sum();
        assert!((sum.0 - short.distance.0).abs() < 1e-6);
        assert_eq!(short.geometry(&net).0.len(), 3);
        assert_eq!(short.leg_geometry(&net, &legs[0]), short.geometry(&net));
    }

    #[test]
    fn every_route_costs_what_dijkstra_finds_on_the_embedded_roads_with_tracks_barred() {
        // The search with its flags and its estimate against petgraph's plain Dijkstra, between
        // every pair of vertices, with half the segments closed, for buses (tracks barred) and
        // for pick-ups.
        let net =
            RoadNetwork::from_geojson(crate::data::ROADS_GEOJSON, "data/roads.geojson").unwrap();
        let picks: Vec<NodeIndex> = net.graph().node_indices().collect();
        // Half the segments closed: a set laid out as flags.
        let half = Closed::segments(net.graph().edge_indices().step_by(2).collect());
        assert!(half.segments.len() > FLAGS_FROM);
        for (closed, metric) in [
            (half, Metric::Fastest),
            (
                net.barred_to(super::super::Traveller::Road),
                Metric::Fastest,
            ),
            (
                net.barred_to(super::super::Traveller::Road),
                Metric::Shortest,
            ),
            (Closed::default(), Metric::Fastest),
        ] {
            for &a in &picks {
                let open =
                    petgraph::visit::EdgeFiltered::from_fn(net.graph(), |e| !closed.blocks(e.id()));
                let costs = petgraph::algo::dijkstra(&open, a, None, |e| metric.cost(e.weight()));
                for &b in &picks {
                    let found = net.route(a, b, metric, &closed);
                    match (costs.get(&b), found) {
                        (None, None) => {}
                        (Some(&c), Some(r)) => {
                            let got = match metric {
                                Metric::Fastest => r.duration.as_secs_f64(),
                                Metric::Shortest => r.distance.0,
                            };
                            assert!(
                                (got - c).abs() <= 1e-6 * c.max(1.0),
                                "{a:?}→{b:?}: {got} vs {c}"
                            );
                            assert!(r.segments.iter().all(|&e| !closed.blocks(e)));
                        }
                        (c, r) => panic!("{a:?}→{b:?}: dijkstra {c:?}, route {r:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn a_route_to_itself_is_empty() {
        let net = square();
        let a = node(&net, 0.0, 0.0);
        let r = net
            .route(a, a, Metric::Fastest, &Closed::default())
            .unwrap();
        assert!(r.segments.is_empty());
        assert_eq!(r.distance, Metres::ZERO);
    }
}
