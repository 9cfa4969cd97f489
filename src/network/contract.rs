//! The road graph contracted to its junctions, for searching a national network: every run of
//! degree-2 shape points between two junctions becomes one chain, and A* keeps labels and heap
//! entries for junctions only, walking a chain's segments in one go when it leaves a junction.
//!
//! A route found here is the route [`RoadNetwork::route`] finds, byte for byte, wherever the best
//! path is unique: a chain is walked segment by segment from the junction's cost, adding each
//! segment's cost in travel order exactly as the node-by-node search does, so every junction gets
//! the same `f64` label; closures are read on each segment as it is walked (closed and cut
//! segments, cut nodes, barred ground), so one contraction serves every closed set; and the path
//! found is expanded back to its nodes and summed by the same code. Between two paths of exactly
//! equal cost the two searches may choose differently (they relax junctions in another order);
//! every route is searched here ([`RoadNetwork::route`]), and the node search
//! ([`RoadNetwork::route_by_nodes`]) is the reference the tests and the golden outputs hold it to.
//!
//! A route may start or end inside a chain (a place's vertex on a long road): the search enters
//! and leaves the chain at its two junctions, and a walk that meets the goal stops there.

use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use super::route::{Open, search};
use super::{Closed, Metric, RoadNetwork, Route};

const NONE: u32 = u32::MAX;

/// The junctions of a [`RoadNetwork`] and the chains of segments between them.
#[derive(Clone, Debug)]
pub struct Contracted {
    /// Per node: its junction number, or [`NONE`] for a shape point inside a chain.
    junction: Vec<u32>,
    /// Per node inside a chain: the chain and the node's position in it (1 to its length − 1).
    inside: Vec<(u32, u32)>,
    /// Per junction, where its links start in `links`; one more entry than junctions.
    first_link: Vec<u32>,
    /// A junction's chains, in the order the graph lists the junction's segments (the order the
    /// node-by-node search relaxes them): the chain, and whether it leaves from its first node.
    links: Vec<(u32, bool)>,
    /// Per chain: its first node.
    start: Vec<u32>,
    /// Where each chain's steps start in `steps`; one more entry than chains.
    first_step: Vec<u32>,
    /// Step `i` of a chain: its `i`th segment, and the node that segment leads to going forward.
    steps: Vec<(u32, u32)>,
}

/// How the search reached a junction (or the route's end): along `chain` from position `from`,
/// forward or back, from the node labelled `prev`.
#[derive(Clone, Copy)]
struct Came {
    prev: u32,
    chain: u32,
    from: u32,
    forward: bool,
}

impl Contracted {
    /// Contracts `net`: junctions are nodes with other than two segments, or with both going to
    /// the same neighbour, and one node of every ring that has no junction.
    ///
    /// Time and memory are linear in the network (12 bytes a node, 8 a segment, 8 a junction).
    pub fn new(net: &RoadNetwork) -> Self {
        let g = net.graph();
        let n = g.node_count();
        let mut junction = vec![NONE; n];
        let mut count = 0u32;
        let is_junction = |v: NodeIndex| {
            let mut ends = g.edges(v).map(|e| e.target());
            match (ends.next(), ends.next(), ends.next()) {
                (Some(a), Some(b), None) => a == b,
                _ => true,
            }
        };
        for v in g.node_indices() {
            if is_junction(v) {
                junction[v.index()] = count;
                count += 1;
            }
        }
        let mut inside = vec![(NONE, NONE); n];
        let mut used = vec![false; g.edge_count()];
        let mut start = Vec::new();
        let mut first_step = vec![0u32];
        let mut steps: Vec<(u32, u32)> = Vec::new();
        let mut chain_from = |u: NodeIndex,
                              junction: &mut Vec<u32>,
                              inside: &mut Vec<(u32, u32)>,
                              used: &mut Vec<bool>| {
            for e in g.edges(u) {
                if used[e.id().index()] {
                    continue;
                }
                let c = start.len() as u32;
                start.push(u.index() as u32);
                let (mut edge, mut at) = (e.id(), e.target());
                let mut position = 0u32;
                loop {
                    used[edge.index()] = true;
                    steps.push((edge.index() as u32, at.index() as u32));
                    position += 1;
                    if junction[at.index()] != NONE || at == u {
                        break;
                    }
                    inside[at.index()] = (c, position);
                    match g.edges(at).find(|x| x.id() != edge) {
                        Some(next) => (edge, at) = (next.id(), next.target()),
                        None => break,
                    }
                }
                first_step.push(steps.len() as u32);
            }
        };
        for v in g.node_indices() {
            if junction[v.index()] != NONE {
                chain_from(v, &mut junction, &mut inside, &mut used);
            }
        }
        // Rings with no junction: the first node of each becomes one.
        for v in g.node_indices() {
            if junction[v.index()] == NONE && inside[v.index()].0 == NONE {
                junction[v.index()] = count;
                count += 1;
                chain_from(v, &mut junction, &mut inside, &mut used);
            }
        }
        let mut contracted = Contracted {
            junction,
            inside,
            first_link: vec![0],
            links: Vec::new(),
            start,
            first_step,
            steps,
        };
        let mut order: Vec<u32> = vec![NONE; count as usize];
        for v in g.node_indices() {
            if contracted.junction[v.index()] != NONE {
                order[contracted.junction[v.index()] as usize] = v.index() as u32;
            }
        }
        // Which chain each segment is the first or last step of.
        let mut ends = vec![(NONE, NONE); g.edge_count()];
        for c in 0..contracted.start.len() {
            let (a, b) = contracted.span(c as u32);
            ends[contracted.steps[a].0 as usize].0 = c as u32;
            ends[contracted.steps[b - 1].0 as usize].1 = c as u32;
        }
        for &v in &order {
            let v = NodeIndex::new(v as usize);
            for e in g.edges(v) {
                let (head, tail) = ends[e.id().index()];
                if head != NONE && contracted.start[head as usize] == v.index() as u32 {
                    contracted.links.push((head, true));
                } else if tail != NONE && contracted.end(tail) == v.index() as u32 {
                    contracted.links.push((tail, false));
                }
            }
            contracted.first_link.push(contracted.links.len() as u32);
        }
        contracted
    }

    /// How many junctions the search labels.
    pub fn junctions(&self) -> usize {
        self.first_link.len() - 1
    }

    /// How many chains join them.
    pub fn chains(&self) -> usize {
        self.start.len()
    }

    fn span(&self, c: u32) -> (usize, usize) {
        (
            self.first_step[c as usize] as usize,
            self.first_step[c as usize + 1] as usize,
        )
    }

    fn end(&self, c: u32) -> u32 {
        self.steps[self.span(c).1 - 1].1
    }

    /// Node `i` of chain `c` (0 its start, its length its end).
    fn node(&self, c: u32, i: u32) -> NodeIndex {
        let (a, _) = self.span(c);
        NodeIndex::new(match i {
            0 => self.start[c as usize],
            i => self.steps[a + i as usize - 1].1,
        } as usize)
    }

    /// The segments of chain `c` walked from position `from`, forward or back, with the node
    /// each leads to.
    fn walk(
        &self,
        c: u32,
        from: u32,
        forward: bool,
    ) -> impl Iterator<Item = (EdgeIndex, NodeIndex)> {
        let (a, b) = self.span(c);
        let len = (b - a) as u32;
        let positions: Box<dyn Iterator<Item = u32>> = match forward {
            true => Box::new(from..len),
            false => Box::new((0..from).rev()),
        };
        positions.map(move |i| {
            let e = EdgeIndex::new(self.steps[a + i as usize].0 as usize);
            let to = if forward { i + 1 } else { i };
            (e, self.node(c, to))
        })
    }

    /// [`RoadNetwork::route`] over the contracted graph; `net` must be the network this was built
    /// from. The same route wherever the best path is unique (module docs).
    pub fn route(
        &self,
        net: &RoadNetwork,
        from: NodeIndex,
        to: NodeIndex,
        metric: Metric,
        closed: &Closed,
    ) -> Option<Route> {
        let n = self.junction.len();
        // Another network than the one contracted: no route rather than a wrong one or a panic.
        if from.index() >= n
            || to.index() >= n
            || net.graph().node_count() != n
            || net.graph().edge_count() != self.steps.len()
        {
            return None;
        }
        let estimate = net.estimate_to(to, metric);
        let open = Open::new(closed, n, net.graph().edge_count());
        // Nothing closed: no segment of a chain needs looking up (a third of the walk).
        let plain = closed.is_empty();
        // Labels: one per junction, then the route's ends where they lie inside chains.
        let junctions = self.junctions();
        let slot = |v: NodeIndex| match self.junction[v.index()] {
            NONE if v == from => junctions,
            NONE => junctions + 1,
            j => j as usize,
        };
        let mut came: Vec<Option<Came>> = vec![None; junctions + 2];
        let reached = search(
            junctions + 2,
            from,
            to,
            closed,
            estimate,
            slot,
            |u, g, frontier| {
                // The chains leaving `u`, in the order the graph lists its segments.
                let leaving: Vec<(u32, u32, bool)> = match self.junction[u.index()] {
                    NONE => {
                        let (c, i) = self.inside[u.index()];
                        let (a, _) = self.span(c);
                        net.graph()
                            .edges(u)
                            .map(|e| {
                                let forward =
                                    self.steps[a + i as usize].0 as usize == e.id().index();
                                (c, i, forward)
                            })
                            .collect()
                    }
                    j => {
                        let (a, b) = (self.first_link[j as usize], self.first_link[j as usize + 1]);
                        self.links[a as usize..b as usize]
                            .iter()
                            .map(|&(c, forward)| {
                                let len = self.span(c).1 - self.span(c).0;
                                (c, if forward { 0 } else { len as u32 }, forward)
                            })
                            .collect()
                    }
                };
                for (c, i, forward) in leaving {
                    // Walk the chain, adding each segment's cost as the node-by-node search does,
                    // until a junction, the goal, or something closed.
                    let mut cost = g;
                    let mut x = u;
                    for (e, y) in self.walk(c, i, forward) {
                        if !plain && (!open.segment(e) || open.enters(x, y)) {
                            break;
                        }
                        cost += metric.cost(net.segment(e));
                        let stop = y == to || self.junction[y.index()] != NONE;
                        if stop {
                            if frontier.relax(y, cost) {
                                came[slot(y)] = Some(Came {
                                    prev: u.index() as u32,
                                    chain: c,
                                    from: i,
                                    forward,
                                });
                            }
                            break;
                        }
                        // A shape point is passed only if open, and never back through the start.
                        if y == from || (!plain && closed.nodes.contains(&y)) {
                            break;
                        }
                        x = y;
                    }
                }
            },
        );
        if !reached {
            return None;
        }
        // Expand the labels' chains back to nodes, end first.
        let mut nodes = vec![to];
        let mut at = to;
        while at != from {
            let c = came[slot(at)]?;
            let mut stretch = vec![NodeIndex::new(c.prev as usize)];
            for (_, y) in self.walk(c.chain, c.from, c.forward) {
                stretch.push(y);
                if y == at {
                    break;
                }
            }
            nodes.extend(stretch.iter().rev().skip(1));
            at = NodeIndex::new(c.prev as usize);
        }
        nodes.reverse();
        net.along(nodes, metric, closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Road, RoadClass, Traveller};
    use crate::units::LonLat;
    use std::collections::BTreeSet;

    /// Closed sets of every kind over `net`, to route under.
    fn closures(net: &RoadNetwork, picks: &[NodeIndex]) -> Vec<(Closed, Metric)> {
        let g = net.graph();
        let half = Closed::segments(g.edge_indices().step_by(2).collect());
        let few = Closed::segments(g.edge_indices().step_by(7).take(5).collect());
        let cut_nodes = Closed::nodes(picks.iter().step_by(5).copied().collect());
        let barred: BTreeSet<NodeIndex> = picks.iter().step_by(3).copied().collect();
        let mut cut = Closed::cut(EdgeIndex::new(1), crate::units::Metres(10.0));
        cut.extend(&Closed::no_entry(barred));
        vec![
            (Closed::default(), Metric::Fastest),
            (Closed::default(), Metric::Shortest),
            (half, Metric::Fastest),
            (few, Metric::Shortest),
            (net.barred_to(Traveller::Road), Metric::Fastest),
            (net.barred_to(Traveller::Road), Metric::Shortest),
            (cut_nodes, Metric::Fastest),
            (cut, Metric::Fastest),
        ]
    }

    fn same_routes(net: &RoadNetwork, picks: &[NodeIndex]) -> usize {
        let contracted = Contracted::new(net);
        let mut found = 0;
        for (closed, metric) in closures(net, picks) {
            for &a in picks {
                for &b in picks {
                    let want = net.route_by_nodes(a, b, metric, &closed);
                    let got = contracted.route(net, a, b, metric, &closed);
                    assert_eq!(got, want, "{a:?}→{b:?} by {metric:?} under {closed:?}");
                    found += want.is_some() as usize;
                }
            }
        }
        found
    }

    #[test]
    fn every_route_between_embedded_vertices_is_the_one_the_node_search_finds() {
        let net =
            RoadNetwork::from_geojson(crate::data::ROADS_GEOJSON, "data/roads.geojson").unwrap();
        let c = Contracted::new(&net);
        assert!(c.junctions() < net.graph().node_count());
        let picks: Vec<NodeIndex> = net.graph().node_indices().collect();
        let found = same_routes(&net, &picks);
        assert!(found > picks.len() * picks.len(), "{found} routes found");
    }

    /// A jittered grid of junctions `lines` × `lines`, each interval a road of `inner` shape
    /// points bent off the straight line, every fourth a track; and a ring with no junction.
    pub(crate) fn osm_like(lines: usize, inner: usize) -> RoadNetwork {
        let jitter = |i: usize, j: usize, k: usize| {
            // A fixed, irregular offset: no two paths cost exactly the same.
            let h = (i * 7919 + j * 104_729 + k * 1_299_709) % 1000;
            (h as f64 - 500.0) * 1e-6
        };
        let at = |i: usize, j: usize| {
            (
                38.0 + 0.02 * i as f64 + jitter(i, j, 1),
                34.0 + 0.02 * j as f64 + jitter(i, j, 2),
            )
        };
        let road = |id: String, coords: Vec<(f64, f64)>, class, speed_kmh| Road {
            geometry: coords.into(),
            id,
            name: String::new(),
            reference: None,
            class,
            speed_kmh,
            from: None,
            to: None,
            source: "synthetic".into(),
            licence: None,
        };
        let mut roads = Vec::new();
        for vertical in [false, true] {
            for a in 0..lines {
                for b in 0..lines - 1 {
                    let (p, q) = match vertical {
                        false => (at(b, a), at(b + 1, a)),
                        true => (at(a, b), at(a, b + 1)),
                    };
                    let coords = (0..=inner + 1)
                        .map(|k| {
                            let f = k as f64 / (inner + 1) as f64;
                            let bend = if k == 0 || k == inner + 1 {
                                0.0
                            } else {
                                jitter(a, b, k + 3)
                            };
                            (p.0 + (q.0 - p.0) * f + bend, p.1 + (q.1 - p.1) * f - bend)
                        })
                        .collect();
                    let (class, speed) = match (a + b) % 4 {
                        0 => (RoadClass::Track, 25.0),
                        1 => (RoadClass::Main, 80.0),
                        _ => (RoadClass::Secondary, 50.0 + (a % 3) as f64 * 10.0),
                    };
                    roads.push(road(format!("{vertical}_{a}_{b}"), coords, class, speed));
                }
            }
        }
        let ring: Vec<(f64, f64)> = (0..=12)
            .map(|k| {
                let t = (k % 12) as f64 * std::f64::consts::TAU / 12.0;
                (37.5 + 0.01 * t.cos(), 34.0 + 0.01 * t.sin())
            })
            .collect();
        roads.push(road("ring".into(), ring, RoadClass::Main, 60.0));
        RoadNetwork::new(roads, "synthetic").unwrap()
    }

    #[test]
    fn routes_on_an_osm_like_network_start_and_end_inside_chains_and_match() {
        let net = osm_like(6, 4);
        let c = Contracted::new(&net);
        // 32 junctions (the grid's corners have two roads), the ring's one; 4 shape points on
        // each of 60 roads and 12 on the ring.
        assert_eq!(c.junctions(), 33);
        assert_eq!(net.graph().node_count(), 36 + 60 * 4 + 12);
        let picks: Vec<NodeIndex> = net.graph().node_indices().step_by(4).collect();
        assert!(picks.iter().any(|&p| c.junction[p.index()] == NONE));
        same_routes(&net, &picks);
        // A ring point routes to another the shorter way round, and not to the grid.
        let ring = |k: usize| {
            net.snap(LonLat::new(
                37.5 + 0.01 * (k as f64 * std::f64::consts::FRAC_PI_6).cos(),
                34.0 + 0.01 * (k as f64 * std::f64::consts::FRAC_PI_6).sin(),
            ))
            .unwrap()
            .0
        };
        let r = c
            .route(&net, ring(1), ring(3), Metric::Shortest, &Closed::default())
            .unwrap();
        assert_eq!(r.nodes.len(), 3);
        assert!(
            c.route(
                &net,
                ring(1),
                NodeIndex::new(0),
                Metric::Shortest,
                &Closed::default()
            )
            .is_none()
        );
    }
}
