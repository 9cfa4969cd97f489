//! How soon anyone could be anywhere under one account: a time-dependent earliest-arrival search
//! over the roads, with the account's closures in force from their times, its fastest bus, its
//! fastest walkers and, if the account has vehicles carrying people, its fastest carriers.
//!
//! This is a bound, not a plan: it lets every agent move as fast as the account allows, by any
//! open road, without waits. What it cannot reach in time, the account rules out.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use jiff::{SignedDuration, Timestamp};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::Geography;
use crate::network::{Closures, Cost, RoadClass, Traveller};
use crate::scenario::{DEFAULT_WALK_KMH, Scenario, Step};
use crate::units::{KmPerHour, LonLat, Metres};

/// How fast things move under one account: its own top speeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Means {
    pub bus: KmPerHour,
    pub walk: KmPerHour,
    /// `None` when the account has no vehicles carrying people.
    pub carry: Option<KmPerHour>,
}

impl Means {
    /// The fastest speeds the account gives anywhere: its road vehicles (buses, ambulances, cars),
    /// walking (the default pace if it has no walk) and carrying (pick-ups and trucks of its own,
    /// or any group carried).
    pub fn of(scenario: &Scenario) -> Means {
        let mut bus = 0.0_f64;
        let mut carry = None::<f64>;
        let faster = |c: Option<f64>, v: f64| Some(c.map_or(v, |c| c.max(v)));
        for g in &scenario.vehicle_groups {
            match g.kind.traveller() {
                Traveller::Road => bus = bus.max(g.speed.high),
                Traveller::Track => carry = faster(carry, g.speed.high),
            }
        }
        let mut walk = None::<f64>;
        for s in scenario.people_groups.iter().flat_map(|g| &g.plan) {
            match s {
                Step::WalkTo { speed, .. } => walk = faster(walk, speed.high),
                Step::CarriedTo { speed, .. } => carry = faster(carry, speed.high),
                _ => {}
            }
        }
        Means {
            bus: KmPerHour(bus),
            walk: KmPerHour(walk.unwrap_or(DEFAULT_WALK_KMH.high)),
            carry: carry.map(KmPerHour),
        }
    }

    /// "by bus at up to 60 km/h on open roads, on foot at up to 2.5 km/h, …".
    pub fn describe(&self) -> String {
        let carry = match self.carry {
            Some(c) => format!("carried by other vehicles at up to {:.0} km/h", c.0),
            None => "no vehicles meet the convoy in this account".into(),
        };
        format!(
            "by bus at up to {:.0} km/h on open roads, on foot at up to {} km/h, {carry}",
            self.bus.0,
            trim(self.walk.0)
        )
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// How an agent is moving in the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Mode {
    Bus,
    Carried,
    Foot,
}

impl Mode {
    /// Whether an agent moving so may use a road of `class`; on foot, roads are not used.
    fn may_use(self, class: RoadClass) -> bool {
        match self {
            Mode::Bus => Traveller::Road.may_use(class),
            Mode::Carried => Traveller::Track.may_use(class),
            Mode::Foot => true,
        }
    }
}

const MODES: usize = 3;

/// Where an agent starts the search from: the road nodes it can reach first, and when.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Start {
    pub seeds: Vec<(NodeIndex, Timestamp)>,
    /// Still aboard its bus (or a bus itself); otherwise it is on foot.
    pub aboard: bool,
}

impl Start {
    fn at(&self) -> Timestamp {
        self.seeds.iter().map(|s| s.1).min().unwrap_or_default()
    }
}

/// Ground barred to the convoy from a time: no one outside it may enter after.
#[derive(Clone, Copy, Debug)]
pub struct Walled<'a> {
    pub from: Timestamp,
    pub holder: crate::zones::Holder,
    /// The road nodes inside it.
    pub inside: &'a std::collections::BTreeSet<NodeIndex>,
}

/// Earliest arrival at every node, by how the agent arrives.
#[derive(Clone, Debug)]
pub struct Field {
    /// `arrival[mode][node]`, seconds after the start; infinite where unreachable.
    arrival: [Vec<f64>; MODES],
    start: Timestamp,
}

impl Field {
    /// The earliest time a bus could be at `node`.
    pub fn bus(&self, node: NodeIndex) -> Option<Timestamp> {
        self.time(self.arrival[Mode::Bus as usize][node.index()])
    }

    /// The earliest time people could have nothing `remaining` (metres per node still to walk,
    /// straight, after leaving the roads at that node). Into `walled` ground, a walk from outside
    /// it must end before the bar.
    pub fn people(
        &self,
        walk: KmPerHour,
        remaining: &[Metres],
        walled: Option<&Walled>,
    ) -> Option<Timestamp> {
        let deadline = walled.map(|w| self.start.duration_until(w.from).as_secs_f64());
        let best = (0..remaining.len())
            .map(|i| {
                let by_road = (0..MODES)
                    .map(|m| self.arrival[m][i])
                    .fold(f64::INFINITY, f64::min);
                let there = by_road + remaining[i].0 / walk.metres_per_second();
                let outside = walled.is_some_and(|w| !w.inside.contains(&NodeIndex::new(i)));
                match deadline {
                    Some(d) if outside && remaining[i].0 > 0.0 && there > d => f64::INFINITY,
                    _ => there,
                }
            })
            .fold(f64::INFINITY, f64::min);
        self.time(best)
    }

    /// The earliest time a bus could be at any node with nothing `remaining`.
    pub fn buses(&self, remaining: &[Metres]) -> Option<Timestamp> {
        let best = remaining
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0 == 0.0)
            .map(|(i, _)| self.arrival[Mode::Bus as usize][i])
            .fold(f64::INFINITY, f64::min);
        self.time(best)
    }

    fn time(&self, secs: f64) -> Option<Timestamp> {
        secs.is_finite()
            .then(|| {
                self.start
                    .checked_add(SignedDuration::from_secs_f64(secs))
                    .ok()
            })
            .flatten()
    }
}

/// Earliest arrivals from one start under one account. Buses and carriers keep to open roads
/// (buses off the desert tracks) and never pass a cut; people may leave a vehicle at any node,
/// walk straight from there to any named place and, if the account has carriers, be picked up
/// there.
pub fn field(
    geo: &Geography,
    means: &Means,
    timetable: &Closures,
    place_nodes: &[NodeIndex],
    start: &Start,
) -> Field {
    let net = &geo.network;
    let graph = net.graph();
    let n = graph.node_count();
    let mut arrival = [
        vec![f64::INFINITY; n],
        vec![f64::INFINITY; n],
        vec![f64::INFINITY; n],
    ];
    let mut heap = BinaryHeap::new();
    let push = |arrival: &mut [Vec<f64>; MODES],
                heap: &mut BinaryHeap<_>,
                mode: Mode,
                node: NodeIndex,
                secs: f64| {
        let slot = &mut arrival[mode as usize][node.index()];
        if secs < *slot {
            *slot = secs;
            heap.push(Reverse((Cost(secs), mode, node)));
        }
    };
    let first = if start.aboard { Mode::Bus } else { Mode::Foot };
    let t0 = start.at();
    for &(node, t) in &start.seeds {
        let secs = t0.duration_until(t).as_secs_f64();
        push(&mut arrival, &mut heap, first, node, secs);
    }
    let at = |secs: f64| t0 + SignedDuration::from_secs_f64(secs);
    while let Some(Reverse((Cost(secs), mode, node))) = heap.pop() {
        if secs > arrival[mode as usize][node.index()] {
            continue;
        }
        let now = at(secs);
        match mode {
            Mode::Bus | Mode::Carried => {
                // Out of the vehicle, anywhere.
                push(&mut arrival, &mut heap, Mode::Foot, node, secs);
                let passable =
                    start.seeds.iter().any(|s| s.0 == node) || !timetable.node_closed(node, now);
                let top = match mode {
                    Mode::Bus => means.bus,
                    _ => means.carry.unwrap_or(KmPerHour(0.0)),
                };
                if !passable || top.0 <= 0.0 {
                    continue;
                }
                for e in graph.edges(node) {
                    let road = net.road(e.weight().road);
                    if !mode.may_use(road.class) || timetable.segment_closed(e.id(), now) {
                        continue;
                    }
                    let v = if road.speed().0 < top.0 {
                        road.speed()
                    } else {
                        top
                    };
                    let next = secs + e.weight().length.0 / v.metres_per_second();
                    // Barred ground is entered on arrival: a bar that comes meanwhile counts.
                    if !timetable.enters(node, e.target(), at(next)) {
                        push(&mut arrival, &mut heap, mode, e.target(), next);
                    }
                }
            }
            Mode::Foot => {
                let here = net.node(node);
                for &p in place_nodes {
                    let next = secs + here.distance(net.node(p)).0 / means.walk.metres_per_second();
                    if timetable.enters(node, p, at(next)) {
                        continue;
                    }
                    push(&mut arrival, &mut heap, Mode::Foot, p, next);
                    if means.carry.is_some() {
                        push(&mut arrival, &mut heap, Mode::Carried, p, next);
                    }
                }
                if means.carry.is_some() {
                    push(&mut arrival, &mut heap, Mode::Carried, node, secs);
                }
            }
        }
    }
    Field { arrival, start: t0 }
}

/// Fields computed once per start and shared by every claim.
#[derive(Debug)]
pub struct Fields<'a> {
    geo: &'a Geography,
    means: Means,
    timetable: Closures,
    place_nodes: Vec<NodeIndex>,
    cache: BTreeMap<Start, Field>,
}

impl<'a> Fields<'a> {
    pub fn new(geo: &'a Geography, scenario: &Scenario) -> Self {
        let mut place_nodes: Vec<NodeIndex> = geo
            .gazetteer
            .places()
            .filter_map(|(id, _)| geo.place_node(id).ok())
            .collect();
        place_nodes.sort();
        place_nodes.dedup();
        Fields {
            geo,
            means: Means::of(scenario),
            timetable: scenario.closures(),
            place_nodes,
            cache: BTreeMap::new(),
        }
    }

    pub fn means(&self) -> &Means {
        &self.means
    }

    /// The start of an agent found at `at` at time `t`: the two ends of the road segment it is
    /// on (a bus road for those aboard), reached along it at the vehicle's top speed, or on foot
    /// for people not aboard.
    pub fn start_at(&self, at: LonLat, t: Timestamp, aboard: bool) -> Option<Start> {
        let net = &self.geo.network;
        let (e, f, _) =
            net.nearest_on_segment(at, |e| !aboard || net.open_to(Traveller::Road, e))?;
        let (a, b) = net.graph().edge_endpoints(e)?;
        let seg = net.segment(e);
        let speed = if aboard {
            let road = net.road(seg.road).speed();
            if road.0 < self.means.bus.0 {
                road
            } else {
                self.means.bus
            }
        } else {
            self.means.walk
        };
        let seeds = [(a, f), (b, 1.0 - f)]
            .into_iter()
            .map(|(n, share)| {
                let d = if aboard {
                    Metres(seg.length.0 * share)
                } else {
                    at.distance(net.node(n))
                };
                t.checked_add(d.time_at(speed)).ok().map(|t| (n, t))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Start { seeds, aboard })
    }

    pub fn get(&mut self, start: Start) -> &Field {
        let (geo, means, timetable, places) =
            (self.geo, &self.means, &self.timetable, &self.place_nodes);
        self.cache
            .entry(start)
            .or_insert_with_key(|start| field(geo, means, timetable, places, start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::parse_utc;

    const ACCOUNT: &str = include_str!("../../tests/scenarios/impossible_claim.toml");

    fn setup(text: &str) -> (Geography, Scenario) {
        let geo = Geography::embedded().unwrap();
        let s = Scenario::from_toml(text, "test", "test", &geo).unwrap();
        (geo, s)
    }

    fn node(geo: &Geography, name: &str) -> NodeIndex {
        geo.routed_place(name).unwrap().node
    }

    /// The soonest a bus (or people) starting at `from` at `t` is at `to`, hours after `t`.
    fn hours(geo: &Geography, s: &Scenario, from: &str, to: &str, t: &str, aboard: bool) -> f64 {
        let mut fields = Fields::new(geo, s);
        let t = parse_utc(t).unwrap();
        let start = Start {
            seeds: vec![(node(geo, from), t)],
            aboard,
        };
        let target = geo.network.node(node(geo, to));
        let remaining: Vec<Metres> = geo
            .network
            .graph()
            .node_indices()
            .map(|n| geo.network.node(n).distance(target))
            .collect();
        let walk = fields.means().walk;
        let f = fields.get(start);
        let at = if aboard {
            let zero: Vec<Metres> = remaining
                .iter()
                .map(|r| if r.0 < 1.0 { Metres::ZERO } else { *r })
                .collect();
            f.buses(&zero)
        } else {
            f.people(walk, &remaining, None)
        };
        at.map_or(f64::INFINITY, |a| {
            t.duration_until(a).as_secs_f64() / 3600.0
        })
    }

    #[test]
    fn a_bus_takes_the_direct_road_before_the_cut_and_the_long_way_round_after() {
        let (geo, s) = setup(ACCOUNT);
        let before = hours(
            &geo,
            &s,
            "Hamaymah",
            "Al Bukamal",
            "2017-08-30T00:00:00Z",
            true,
        );
        let after = hours(
            &geo,
            &s,
            "Hamaymah",
            "Al Bukamal",
            "2017-08-30T06:00:00Z",
            true,
        );
        assert!(before < 3.0, "{before} h on the direct road");
        // Round by Palmyra, As-Sukhnah, Deir ez-Zor and the valley: over 400 km.
        assert!(after > 7.0 && after < 12.0, "{after} h round the cut");
    }

    #[test]
    fn people_walk_past_a_cut_and_are_carried_only_where_the_account_has_carriers() {
        let (geo, s) = setup(ACCOUNT);
        let means = Means::of(&s);
        assert_eq!(means.walk, KmPerHour(DEFAULT_WALK_KMH.high));
        assert_eq!(means.carry, None);
        // On foot from the cut to T2 (about 33 km: the cut is 3 km east of Hamaymah), the crater
        // is no obstacle.
        let on_foot = hours(
            &geo,
            &s,
            "Hamaymah road cut",
            "T2 pumping station",
            "2017-08-31T00:00:00Z",
            false,
        );
        assert!(on_foot > 10.0 && on_foot < 16.0, "{on_foot} h on foot");

        let carried = ACCOUNT.replace(
            "aboard = \"convoy\"\n",
            "aboard = \"convoy\"\nplan = [{ ride_until = 2017-08-30T12:00:00Z }, { carried_to = \"Rawa\", speed_kmh = 70 }]\n",
        );
        let (geo, c) = setup(&carried);
        assert_eq!(Means::of(&c).carry, Some(KmPerHour(70.0)));
        let walk_only = hours(
            &geo,
            &s,
            "Hamaymah road cut",
            "Rawa",
            "2017-08-31T00:00:00Z",
            false,
        );
        let with_carriers = hours(
            &geo,
            &c,
            "Hamaymah road cut",
            "Rawa",
            "2017-08-31T00:00:00Z",
            false,
        );
        assert!(with_carriers < 6.0, "{with_carriers} h carried");
        assert!(walk_only > 60.0, "{walk_only} h walking about 180 km");
    }
}
