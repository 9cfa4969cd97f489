//! Moving over the roads: where a road agent is, planning a drive from there around what is closed,
//! and advancing it in exact continuous time, stopping at a closed segment or a cut in the road.

use jiff::{SignedDuration, Timestamp};
use petgraph::graph::{EdgeIndex, NodeIndex};

use super::result::{Passage, TrackPoint};
use std::rc::Rc;

use super::memo::Under;
use crate::network::{Closed, Metric, RoadNetwork, RoadPoint, Route};
use crate::units::{KmPerHour, LonLat, Metres};

/// What an agent leaves behind as it moves: the points it passed, the segments it used, and the
/// distance covered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trail {
    pub track: Vec<TrackPoint>,
    pub passages: Vec<Passage>,
    pub travelled: Metres,
    /// `None`: keep every point and passage. Otherwise keep no passages, and of the points only
    /// those [`Probes`] needs.
    lean: Option<Lean>,
}

/// The times at which a lean run must still place its agents exactly ([`super::Record::Ends`]),
/// sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Probes(std::sync::Arc<[Timestamp]>);

impl Probes {
    pub fn new(times: impl IntoIterator<Item = Timestamp>) -> Self {
        let mut times: Vec<Timestamp> = times.into_iter().collect();
        times.sort();
        times.dedup();
        Self(times.into())
    }

    /// This run's own copy, for its agents' trails to share. The probes of an ensemble are shared
    /// by every thread: were each trail to hold them through the `Arc`, every agent made and
    /// dropped would write to one count on a cache line the other threads write too.
    pub(super) fn local(&self) -> LocalProbes {
        LocalProbes(std::rc::Rc::from(&self.0[..]))
    }
}

/// [`Probes`] as one run holds them: shared by its trails, with a count no other thread touches.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct LocalProbes(std::rc::Rc<[Timestamp]>);

impl LocalProbes {
    /// Whether a probe time falls in `[from, to)`: then a track point at `from` is the last at or
    /// before it, and the next point, at `to`, the first after it.
    fn between(&self, from: Timestamp, to: Timestamp) -> bool {
        let i = self.0.partition_point(|&p| p < from);
        self.0.get(i).is_some_and(|&p| p < to)
    }
}

/// A lean trail's state: its probe times, and whether the track's last point must stay when the
/// next comes (it is the first point, or brackets a probe time).
#[derive(Clone, Debug, PartialEq)]
struct Lean {
    probes: LocalProbes,
    keep_last: bool,
}

impl Trail {
    /// Makes this trail one that keeps, of its track, only its first and last points and the two
    /// either side of each probe time: the points [`super::AgentRun::position_at`] reads at those
    /// times (a subsequence of the whole track, so its answer there is the same to the bit). No
    /// passages. Of what it holds it keeps only its first point: it is for a trail not yet moved
    /// along.
    pub(super) fn make_lean(&mut self, probes: LocalProbes) {
        self.track.truncate(1);
        self.passages.clear();
        self.travelled = Metres::ZERO;
        self.lean = Some(Lean {
            probes,
            keep_last: true,
        });
    }

    pub fn is_lean(&self) -> bool {
        self.lean.is_some()
    }

    /// Records being at `at` at `t`, unless that is where the track already ends.
    pub fn point(&mut self, t: Timestamp, at: LonLat) {
        let Some(&last) = self.track.last() else {
            self.track.push(TrackPoint { t, at });
            return;
        };
        if last.at == at && last.t == t {
            return;
        }
        if let Some(lean) = &mut self.lean {
            let brackets = lean.probes.between(last.t, t);
            if !brackets && !lean.keep_last {
                self.track.pop();
            }
            lean.keep_last = brackets;
        }
        self.track.push(TrackPoint { t, at });
    }

    /// Records entering a segment (a lean trail keeps no passages).
    pub fn enter(&mut self, passage: Passage) {
        if self.lean.is_none() {
            self.passages.push(passage);
        }
    }
}

/// How a drive goes: the agent's speed, and where the step stops it early.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    pub speed: KmPerHour,
    pub until: Option<Timestamp>,
    pub budget: Option<Metres>,
}

/// Where a road agent is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pos {
    Node(NodeIndex),
    /// On segment `edge`, `offset` along it from `from` toward `to`.
    Edge {
        edge: EdgeIndex,
        from: NodeIndex,
        to: NodeIndex,
        offset: Metres,
    },
}

impl Pos {
    pub fn location(&self, net: &RoadNetwork) -> LonLat {
        match *self {
            Pos::Node(n) => net.node(n),
            Pos::Edge {
                edge,
                from,
                to,
                offset,
            } => {
                let len = net.segment(edge).length;
                let f = if len.0 > 0.0 {
                    (offset.0 / len.0).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (a, b) = (net.node(from), net.node(to));
                LonLat::new(a.lon + (b.lon - a.lon) * f, a.lat + (b.lat - a.lat) * f)
            }
        }
    }
}

/// One step along a segment, in the direction of travel.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hop {
    edge: EdgeIndex,
    from: NodeIndex,
    to: NodeIndex,
}

/// How a drive's advance ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// Still on its way at the sync time.
    Underway,
    Arrived,
    /// Reached the time or distance limit of its step.
    LimitReached,
    /// A closed segment or a cut in the road bars the way.
    Blocked,
    /// The next node is in ground barred to the convoy: the agent stops at its edge.
    KeptOut {
        into: NodeIndex,
    },
}

/// A drive in progress: the path, how far along it, and the limits of the step.
#[derive(Clone, Debug)]
pub struct Drive {
    /// Where the drive set off: its position while the path is empty (already there).
    start: Pos,
    /// The segment the agent reached `start` by: the only way out if a cut is there.
    arrived_via: Option<EdgeIndex>,
    /// The hops it takes, its route shared with the cache that found it: a drive across the
    /// country is hundreds of hops, and a thousand times the convoy would otherwise hold a copy
    /// of them for every vehicle in every realization.
    way: Way,
    next: usize,
    /// Progress along hop `next`.
    offset: Metres,
    speed: KmPerHour,
    until: Option<Timestamp>,
    budget: Option<Metres>,
}

/// How close to a cut partway along a segment counts as at it.
const CUT_EPS: f64 = 0.5;

/// How far short of a cut partway along a segment an agent stops: on its own side, so that it
/// can turn back and cannot go on.
const CUT_STANDOFF: f64 = 1.0;

/// The cuts on segment `edge`, in metres from its end `from` (which may be either end).
fn cuts_from<'c>(
    net: &'c RoadNetwork,
    closed: &'c Closed,
    edge: EdgeIndex,
    from: NodeIndex,
) -> impl Iterator<Item = Metres> + 'c {
    let len = net.segment(edge).length;
    let forward = net
        .graph()
        .edge_endpoints(edge)
        .is_none_or(|(source, _)| source == from);
    closed
        .cuts_on(edge)
        .map(move |c| if forward { c } else { len - c })
}

/// The time to cover `d` at the slower of the agent's speed and the road's.
fn travel_time(net: &RoadNetwork, edge: EdgeIndex, d: Metres, speed: KmPerHour) -> SignedDuration {
    let road = net.road(net.segment(edge).road).speed();
    let v = if road.0 < speed.0 { road } else { speed };
    d.time_at(v)
}

/// The way a drive takes: a hop out of where the agent is (along or back along its segment, or
/// back out of a cut), a route over the network, and a hop partway along the destination's
/// segment. The route is shared with the cache, never copied.
#[derive(Clone, Debug)]
struct Way {
    first: Option<Hop>,
    route: Rc<Route>,
    last: Option<Hop>,
    /// How far along the first hop the agent already is.
    offset: Metres,
    /// Where along the last hop the drive ends, if short of its end.
    end: Option<Metres>,
}

impl Way {
    fn len(&self) -> usize {
        usize::from(self.first.is_some())
            + self.route.segments.len()
            + usize::from(self.last.is_some())
    }

    /// Hop `k` of the way, counting from the first.
    fn hop(&self, k: usize) -> Option<Hop> {
        let k = match (self.first, k) {
            (Some(first), 0) => return Some(first),
            (Some(_), k) => k - 1,
            (None, k) => k,
        };
        let route = &*self.route;
        match route.segments.get(k) {
            Some(&edge) => Some(Hop {
                edge,
                from: route.nodes[k],
                to: route.nodes[k + 1],
            }),
            None if k == route.segments.len() => self.last,
            None => None,
        }
    }

    /// How many hops this way and `other` begin with alike. Two ways to the two ends of one
    /// segment may share all but their last hops: their routes are compared as slices, then hop
    /// by hop where a route ends.
    fn alike(&self, other: &Way) -> usize {
        let mut k = 0;
        if self.first.is_some() == other.first.is_some() {
            if self.first != other.first {
                return 0;
            }
            k = usize::from(self.first.is_some());
            let (a, b) = (&*self.route, &*other.route);
            if a.nodes.first() == b.nodes.first() {
                k += (a.segments.iter().zip(&b.segments))
                    .zip(a.nodes[1..].iter().zip(&b.nodes[1..]))
                    .take_while(|((x, y), (u, v))| x == y && u == v)
                    .count();
            }
        }
        while let (Some(a), Some(b)) = (self.hop(k), other.hop(k))
            && a == b
        {
            k += 1;
        }
        k
    }

    /// How long hop `k` (of `hop`) takes unhindered at `speed`: from the drive's offset on the
    /// first, to its end on the last.
    fn time(&self, net: &RoadNetwork, k: usize, hop: Hop, speed: KmPerHour) -> SignedDuration {
        let len = net.segment(hop.edge).length;
        let to = match self.end {
            Some(e) if k + 1 == self.len() => e,
            _ => len,
        };
        let from = if k == 0 { self.offset } else { Metres::ZERO };
        travel_time(net, hop.edge, to - from, speed)
    }

    /// Whether this way takes less time unhindered than `other`, at `speed`. Times are whole
    /// nanoseconds, so the sums of the hops' times compare as the sums of the hops where the two
    /// ways part: the hops both begin with cost the same in each (if neither ends there).
    fn sooner_than(&self, other: &Way, net: &RoadNetwork, speed: KmPerHour) -> bool {
        let (n, m) = (self.len(), other.len());
        // The first hop costs the same in each only from the same offset; no way's last hop is
        // shared, as it may end partway.
        let shared = if self.offset == other.offset {
            (self.alike(other))
                .min(n.saturating_sub(1))
                .min(m.saturating_sub(1))
        } else {
            0
        };
        let rest = |w: &Way| {
            (shared..w.len())
                .filter_map(|k| w.hop(k).map(|h| w.time(net, k, h, speed)))
                .fold(SignedDuration::ZERO, |a, b| a + b)
        };
        rest(self) < rest(other)
    }
}

impl Drive {
    /// Plans a drive from `pos` to `dest`, as [`Drive::plan_to`] does with no point.
    #[cfg(test)]
    fn plan(
        net: &RoadNetwork,
        routes: &Under,
        pos: Pos,
        arrived_via: Option<EdgeIndex>,
        dest: NodeIndex,
        pace: Pace,
    ) -> Option<Drive> {
        Self::plan_to(net, routes, pos, arrived_via, (dest, None), pace)
    }

    /// The way from `pos` to node `dest`, round what `routes` are found under. `arrived_via`
    /// is the segment the agent came in by, which is the only way out of a node that is cut.
    /// `None` if nothing is open.
    fn way(
        net: &RoadNetwork,
        routes: &Under,
        pos: Pos,
        arrived_via: Option<EdgeIndex>,
        dest: NodeIndex,
        speed: KmPerHour,
    ) -> Option<Way> {
        let closed = routes.closed();
        let routed = |start: NodeIndex| routes.route(net, (start, dest, Metric::Fastest));
        let way = |first: Option<Hop>, route: Rc<Route>, offset: Metres| Way {
            first,
            route,
            last: None,
            offset,
            end: None,
        };
        match pos {
            Pos::Node(n) if closed.nodes.contains(&n) && n != dest => {
                // Standing at a cut: the way out is back along the way in.
                let back = arrived_via?;
                if closed.blocks(back) {
                    return None;
                }
                let (a, b) = net.graph().edge_endpoints(back)?;
                let other = if a == n { b } else { a };
                let first = Hop {
                    edge: back,
                    from: n,
                    to: other,
                };
                Some(way(Some(first), routed(other)?, Metres::ZERO))
            }
            Pos::Node(n) => Some(way(None, routed(n)?, Metres::ZERO)),
            Pos::Edge {
                edge,
                from,
                to,
                offset,
            } => {
                if closed.segments.contains(&edge) {
                    return None;
                }
                let len = net.segment(edge).length;
                // A route may start at a cut, but one that reaches the cut along this segment
                // can go no further than it.
                // A cut partway along bars the way past it, not the way back.
                let cut_ahead =
                    cuts_from(net, closed, edge, from).any(|c| c.0 >= offset.0 - CUT_EPS);
                let cut_behind =
                    cuts_from(net, closed, edge, from).any(|c| c.0 < offset.0 - CUT_EPS);
                let via = |end: NodeIndex| {
                    let other = if end == to { from } else { to };
                    let cut = if end == to { cut_ahead } else { cut_behind };
                    if cut
                        || (closed.nodes.contains(&end) && end != dest)
                        || closed.enters(other, end)
                    {
                        None
                    } else {
                        routed(end)
                    }
                };
                let forward =
                    via(to).map(|r| (r.duration + travel_time(net, edge, len - offset, speed), r));
                let backward =
                    via(from).map(|r| (r.duration + travel_time(net, edge, offset, speed), r));
                let ahead = Hop { edge, from, to };
                let behind = Hop {
                    edge,
                    from: to,
                    to: from,
                };
                match (forward, backward) {
                    (Some((tf, rf)), Some((tb, _))) if tf <= tb => {
                        Some(way(Some(ahead), rf, offset))
                    }
                    (Some((_, rf)), None) => Some(way(Some(ahead), rf, offset)),
                    (_, Some((_, rb))) => Some(way(Some(behind), rb, len - offset)),
                    (None, None) => None,
                }
            }
        }
    }

    /// Plans a drive as [`Drive::plan`] does, to `dest`, or, given `point` on a segment that
    /// meets `dest` (a destination drawn on the road, [`crate::uncertainty`]), to that point:
    /// by whichever end of its segment is sooner, then partway along it. Nominal (`None`) is
    /// exactly [`Drive::plan`].
    pub fn plan_to(
        net: &RoadNetwork,
        routes: &Under,
        pos: Pos,
        arrived_via: Option<EdgeIndex>,
        (dest, point): (NodeIndex, Option<RoadPoint>),
        pace: Pace,
    ) -> Option<Drive> {
        let way = |to: NodeIndex| Drive::way(net, routes, pos, arrived_via, to, pace.speed);
        let point_on = |p: RoadPoint| {
            let ends = net.graph().edge_endpoints(p.edge)?;
            // The stretch the point is on is closed: the place's own vertex is as near as it gets.
            (!routes.closed().segments.contains(&p.edge)).then_some((p, ends))
        };
        let chosen = match point.and_then(point_on) {
            None => way(dest)?,
            Some((p, (a, b))) => {
                let len = net.segment(p.edge).length;
                let mut best: Option<Way> = None;
                for (end, other, along) in [(a, b, p.along), (b, a, len - p.along)] {
                    let Some(mut w) = way(end) else { continue };
                    if along.0 > 0.0 {
                        w.last = Some(Hop {
                            edge: p.edge,
                            from: end,
                            to: other,
                        });
                        w.end = Some(along);
                    }
                    if best
                        .as_ref()
                        .is_none_or(|b| w.sooner_than(b, net, pace.speed))
                    {
                        best = Some(w);
                    }
                }
                best?
            }
        };
        Some(Drive {
            start: pos,
            arrived_via,
            offset: chosen.offset,
            way: chosen,
            next: 0,
            speed: pace.speed,
            until: pace.until,
            budget: pace.budget,
        })
    }

    /// Where along `hop` (hop `k`) the drive leaves it: its end, or the drive's end short of it.
    fn hop_end(&self, net: &RoadNetwork, k: usize, hop: Hop) -> Metres {
        match self.way.end {
            Some(e) if k + 1 == self.way.len() => e,
            _ => net.segment(hop.edge).length,
        }
    }

    /// Every hop of the drive, in order.
    #[cfg(test)]
    fn hops(&self) -> Vec<Hop> {
        (0..self.way.len())
            .filter_map(|k| self.way.hop(k))
            .collect()
    }

    /// Where the drive has got to.
    pub fn pos(&self) -> Pos {
        match self.way.hop(self.next) {
            Some(h) if self.offset.0 > 0.0 => Pos::Edge {
                edge: h.edge,
                from: h.from,
                to: h.to,
                offset: self.offset,
            },
            Some(h) => Pos::Node(h.from),
            None => (self.way.len().checked_sub(1))
                .and_then(|k| self.way.hop(k))
                .map_or(self.start, |h| Pos::Node(h.to)),
        }
    }

    /// The segment the drive last entered.
    pub fn last_segment(&self) -> Option<EdgeIndex> {
        let i = if self.offset.0 > 0.0 {
            self.next
        } else {
            self.next.checked_sub(1)?
        };
        self.way.hop(i).map(|h| h.edge)
    }

    /// Advances from `*clock` toward `sync`, with `closed` in force. Updates the clock to when the
    /// agent stops (or `sync`), records vertices passed and segments entered.
    #[inline]
    pub fn advance(
        &mut self,
        net: &RoadNetwork,
        clock: &mut Timestamp,
        sync: Timestamp,
        closed: &Closed,
        trail: &mut Trail,
    ) -> Outcome {
        let stop_at = match self.until {
            Some(u) if u < sync => u,
            _ => sync,
        };
        loop {
            let Some(hop) = self.way.hop(self.next) else {
                return Outcome::Arrived;
            };
            if *clock >= stop_at {
                return if self.until.is_some_and(|u| u <= *clock) {
                    Outcome::LimitReached
                } else {
                    Outcome::Underway
                };
            }
            if self.offset.0 > 0.0 && closed.segments.contains(&hop.edge) {
                // The road closed under the agent: it stays where it is.
                return Outcome::Blocked;
            }
            if self.offset.0 == 0.0 {
                // At a node, about to enter the next segment. At a cut, the only way on is back
                // along the segment the agent came in by.
                let came_in_by = if self.next == 0 {
                    self.arrived_via
                } else {
                    self.way.hop(self.next - 1).map(|h| h.edge)
                };
                let through_cut = closed.nodes.contains(&hop.from) && came_in_by != Some(hop.edge);
                if through_cut || closed.segments.contains(&hop.edge) {
                    return Outcome::Blocked;
                }
            }
            if closed.enters(hop.from, hop.to) {
                // Heading into barred ground: stop here, at its edge or short of it. A cut or a
                // closed road in the way stops it first.
                return Outcome::KeptOut { into: hop.to };
            }
            // A cut partway along: drive up to it and stop there.
            let end = self.hop_end(net, self.next, hop);
            let ends_here = self.way.end.is_some() && self.next + 1 == self.way.len();
            let cut = cuts_from(net, closed, hop.edge, hop.from)
                .filter(|c| c.0 >= self.offset.0 - CUT_EPS)
                .filter(|c| !ends_here || c.0 - CUT_STANDOFF < end.0)
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if cut.is_some_and(|c| c.0 - self.offset.0 <= CUT_STANDOFF + CUT_EPS) {
                return Outcome::Blocked;
            }
            if self.offset.0 == 0.0 {
                trail.enter(Passage {
                    segment: hop.edge,
                    from: hop.from,
                    to: hop.to,
                    entered: *clock,
                    left: None,
                });
            }
            let mut remaining = end - self.offset;
            let mut cut_limited = false;
            if let Some(c) = cut {
                remaining = Metres(c.0 - CUT_STANDOFF) - self.offset;
                cut_limited = true;
            }
            let mut limited = false;
            if let Some(b) = self.budget
                && b.0 < remaining.0
            {
                remaining = b;
                limited = true;
            }
            let need = travel_time(net, hop.edge, remaining, self.speed);
            let available = stop_at.duration_since(*clock);
            if need <= available {
                *clock += need;
                self.offset += remaining;
                trail.travelled += remaining;
                if let Some(b) = &mut self.budget {
                    *b = *b - remaining;
                }
                if limited {
                    trail.point(*clock, self.pos().location(net));
                    return Outcome::LimitReached;
                }
                if cut_limited {
                    trail.point(*clock, self.pos().location(net));
                    return Outcome::Blocked;
                }
                if ends_here {
                    // At the destination partway along the segment: it stays on it.
                    trail.point(*clock, self.pos().location(net));
                    return Outcome::Arrived;
                }
                // Reached the end of the segment.
                self.next += 1;
                self.offset = Metres::ZERO;
                if let Some(p) = trail.passages.last_mut() {
                    p.left = Some(*clock);
                }
                trail.point(*clock, net.node(hop.to));
                if self.next == self.way.len() {
                    return Outcome::Arrived;
                }
                if self.budget.is_some_and(|b| b.0 <= 0.0) {
                    return Outcome::LimitReached;
                }
            } else {
                // Partway along: move for the time available.
                let frac = available.as_secs_f64() / need.as_secs_f64();
                let moved = Metres(remaining.0 * frac);
                self.offset += moved;
                trail.travelled += moved;
                if let Some(b) = &mut self.budget {
                    *b = *b - moved;
                }
                *clock = stop_at;
                if stop_at < sync {
                    trail.point(*clock, self.pos().location(net));
                    return Outcome::LimitReached;
                }
                return Outcome::Underway;
            }
        }
    }

    /// Whether the agent is on a segment now closed (the closure caught it mid-segment).
    pub fn on_closed_segment(&self, closed: &Closed) -> bool {
        self.offset.0 > 0.0
            && (self.way.hop(self.next)).is_some_and(|h| closed.segments.contains(&h.edge))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::memo::RouteMemo;
    use crate::network::Routes;
    use crate::network::tests::square;

    fn node(net: &RoadNetwork, lon: f64, lat: f64) -> NodeIndex {
        net.snap(LonLat::new(lon, lat)).unwrap().0
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn drives_at_the_slower_of_bus_and_road_speed_and_arrives_exactly() {
        let net = square();
        let (a, b) = (node(&net, 0.0, 0.0), node(&net, 1.0, 0.0));
        let mut d = Drive::plan(
            &net,
            &RouteMemo::default().under(&Routes::default(), &Closed::default()),
            Pos::Node(a),
            None,
            b,
            Pace {
                speed: KmPerHour(50.0),
                until: None,
                budget: None,
            },
        )
        .unwrap();
        let (mut clock, mut trail) = (t("2017-08-29T00:00:00Z"), Trail::default());
        let out = d.advance(
            &net,
            &mut clock,
            t("2017-08-30T00:00:00Z"),
            &Closed::default(),
            &mut trail,
        );
        assert_eq!(out, Outcome::Arrived);
        let expected = net
            .segment(trail.passages[0].segment)
            .length
            .time_at(KmPerHour(50.0));
        assert_eq!(clock.duration_since(t("2017-08-29T00:00:00Z")), expected);
        assert_eq!(trail.passages.len(), 1);
        assert_eq!(trail.passages[0].left, Some(clock));
        assert!(
            (trail.travelled.km() - 111.2).abs() < 0.5,
            "{}",
            trail.travelled.km()
        );
    }

    #[test]
    fn stops_partway_at_sync_and_carries_on() {
        let net = square();
        let (a, b) = (node(&net, 0.0, 0.0), node(&net, 1.0, 0.0));
        let mut d = Drive::plan(
            &net,
            &RouteMemo::default().under(&Routes::default(), &Closed::default()),
            Pos::Node(a),
            None,
            b,
            Pace {
                speed: KmPerHour(100.0),
                until: None,
                budget: None,
            },
        )
        .unwrap();
        let (mut clock, mut trail) = (t("2017-08-29T00:00:00Z"), Trail::default());
        let out = d.advance(
            &net,
            &mut clock,
            t("2017-08-29T00:30:00Z"),
            &Closed::default(),
            &mut trail,
        );
        assert_eq!(out, Outcome::Underway);
        assert!((trail.travelled.km() - 50.0).abs() < 1e-6);
        let Pos::Edge { offset, .. } = d.pos() else {
            panic!("mid-segment")
        };
        assert!((offset.km() - 50.0).abs() < 1e-6);
        let out = d.advance(
            &net,
            &mut clock,
            t("2017-08-29T05:00:00Z"),
            &Closed::default(),
            &mut trail,
        );
        assert_eq!(out, Outcome::Arrived);
        assert_eq!(trail.passages.len(), 1, "one segment, entered once");
    }

    #[test]
    fn a_cut_stops_the_drive_at_the_cut_and_the_way_back_is_open() {
        let net = square();
        let (a, c) = (node(&net, 0.0, 0.0), node(&net, 1.0, 1.0));
        // Planned A → (B or D) → C before the cut; the corner is cut while under way.
        let mut d = Drive::plan(
            &net,
            &RouteMemo::default().under(&Routes::default(), &Closed::default()),
            Pos::Node(a),
            None,
            c,
            Pace {
                speed: KmPerHour(100.0),
                until: None,
                budget: None,
            },
        )
        .unwrap();
        let b = d.hops()[0].to;
        let cut = Closed::nodes([b].into());
        let (mut clock, mut trail) = (t("2017-08-29T00:00:00Z"), Trail::default());
        let out = d.advance(
            &net,
            &mut clock,
            t("2017-08-30T00:00:00Z"),
            &cut,
            &mut trail,
        );
        assert_eq!(out, Outcome::Blocked);
        assert_eq!(d.pos(), Pos::Node(b));
        // Turning back goes out the way it came, not on through the cut.
        let back = Drive::plan(
            &net,
            &RouteMemo::default().under(&Routes::default(), &cut),
            Pos::Node(b),
            d.last_segment(),
            c,
            Pace {
                speed: KmPerHour(100.0),
                until: None,
                budget: None,
            },
        )
        .unwrap();
        assert_eq!(back.hops()[0].to, a);
    }
}

#[cfg(test)]
mod point_tests {
    use super::*;
    use crate::engine::memo::RouteMemo;
    use crate::network::Routes;
    use crate::network::tests::square;

    /// Every node of `net`, and a point `fraction` along every segment.
    fn starts(net: &RoadNetwork, fraction: f64) -> Vec<Pos> {
        let mut starts: Vec<Pos> = net.graph().node_indices().map(Pos::Node).collect();
        starts.extend(net.graph().edge_indices().map(|edge| {
            let (from, to) = net.graph().edge_endpoints(edge).unwrap();
            let offset = Metres(net.segment(edge).length.0 * fraction);
            Pos::Edge {
                edge,
                from,
                to,
                offset,
            }
        }));
        starts
    }

    #[test]
    fn ways_count_the_hops_they_begin_with_alike_as_a_hop_by_hop_walk_does() {
        let net = square();
        let routes = RouteMemo::default().under(&Routes::default(), &Closed::default());
        let starts = starts(&net, 0.4);
        let walk = |a: &Way, b: &Way| {
            (0..)
                .take_while(|&k| a.hop(k).is_some() && a.hop(k) == b.hop(k))
                .count()
        };
        let ends: Vec<NodeIndex> = net.graph().node_indices().collect();
        let (mut pairs, mut longest) = (0, 0);
        for &start in &starts {
            let ways: Vec<Way> = (ends.iter())
                .filter_map(|&to| Drive::way(&net, &routes, start, None, to, KmPerHour(60.0)))
                .collect();
            for a in &ways {
                // Every hop, in order, is the first, the route's, then the last.
                let hops: Vec<Hop> = (0..a.len()).map_while(|k| a.hop(k)).collect();
                assert_eq!(hops.len(), a.len());
                assert_eq!(a.hop(a.len()), None);
                for b in &ways {
                    let mut b = b.clone();
                    // And with a hop partway along a segment at the end of one of them.
                    for last in [None, hops.last().copied()] {
                        b.last = last;
                        let alike = a.alike(&b);
                        assert_eq!(alike, walk(a, &b), "{start:?}: {a:?} and {b:?}");
                        longest = longest.max(alike);
                        pairs += 1;
                    }
                }
            }
        }
        assert!(
            pairs > 100 && longest >= 2,
            "{pairs} pairs, longest {longest}"
        );
    }

    /// How long a drive takes unhindered, every hop summed.
    fn eta(net: &RoadNetwork, d: &Drive) -> SignedDuration {
        let hops = d.hops();
        let n = hops.len();
        (hops.iter().enumerate())
            .map(|(k, h)| {
                let len = net.segment(h.edge).length;
                let to = if k + 1 == n {
                    d.way.end.unwrap_or(len)
                } else {
                    len
                };
                let from = if k == 0 { d.offset } else { Metres::ZERO };
                travel_time(net, h.edge, to - from, d.speed)
            })
            .fold(SignedDuration::ZERO, |a, b| a + b)
    }

    #[test]
    fn a_point_on_the_road_is_reached_by_the_end_that_is_sooner_summing_every_hop() {
        let net = square();
        let routes = RouteMemo::default().under(&Routes::default(), &Closed::default());
        let starts = starts(&net, 0.3);
        let mut by_b = 0;
        for start in starts {
            for edge in net.graph().edge_indices() {
                let (a, b) = net.graph().edge_endpoints(edge).unwrap();
                let len = net.segment(edge).length;
                for (f, speed) in [
                    (0.0, 30.0),
                    (0.2, 100.0),
                    (0.5, 60.0),
                    (0.9, 150.0),
                    (1.0, 90.0),
                ] {
                    let pace = Pace {
                        speed: KmPerHour(speed),
                        until: None,
                        budget: None,
                    };
                    let point = RoadPoint {
                        edge,
                        along: Metres(len.0 * f),
                    };
                    let chosen =
                        Drive::plan_to(&net, &routes, start, None, (a, Some(point)), pace).unwrap();
                    // Each end's drive, then partway back along the point's segment.
                    let via = |end, other, along: Metres| {
                        let mut d = Drive::plan(&net, &routes, start, None, end, pace).unwrap();
                        if along.0 > 0.0 {
                            d.way.last = Some(Hop {
                                edge,
                                from: end,
                                to: other,
                            });
                            d.way.end = Some(along);
                        }
                        d
                    };
                    let (da, db) = (via(a, b, point.along), via(b, a, len - point.along));
                    let b_sooner = eta(&net, &db) < eta(&net, &da);
                    by_b += usize::from(b_sooner);
                    let best = if b_sooner { db } else { da };
                    assert_eq!(
                        (chosen.hops(), chosen.way.end, chosen.offset),
                        (best.hops(), best.way.end, best.offset),
                        "from {start:?} to {f} of {edge:?} at {speed} km/h"
                    );
                }
            }
        }
        assert!(
            by_b > 0,
            "some points are sooner reached from their far end"
        );
    }
}

#[cfg(test)]
mod cut_tests {
    use super::*;
    use crate::engine::memo::RouteMemo;
    use crate::network::Routes;
    use crate::network::tests::square;

    fn node(net: &RoadNetwork, lon: f64, lat: f64) -> NodeIndex {
        net.snap(LonLat::new(lon, lat)).unwrap().0
    }

    fn pace() -> Pace {
        Pace {
            speed: KmPerHour(100.0),
            until: None,
            budget: None,
        }
    }

    #[test]
    fn a_cut_partway_along_stops_the_drive_short_of_it_and_the_way_back_stays_open() {
        let net = square();
        let (a, b) = (node(&net, 0.0, 0.0), node(&net, 1.0, 0.0));
        let t0: Timestamp = "2017-08-29T00:00:00Z".parse().unwrap();
        let mut d = Drive::plan(
            &net,
            &RouteMemo::default().under(&Routes::default(), &Closed::default()),
            Pos::Node(a),
            None,
            b,
            pace(),
        )
        .unwrap();
        let edge = d.hops()[0].edge;
        let (source, _) = net.graph().edge_endpoints(edge).unwrap();
        // 40 km from A, whichever end the graph stores as the segment's source.
        let len = net.segment(edge).length;
        let along = if source == a {
            Metres(40_000.0)
        } else {
            len - Metres(40_000.0)
        };
        let cut = Closed::cut(edge, along);
        let (mut clock, mut trail) = (t0, Trail::default());
        let out = d.advance(
            &net,
            &mut clock,
            t0 + SignedDuration::from_hours(5),
            &cut,
            &mut trail,
        );
        assert_eq!(out, Outcome::Blocked);
        assert!(
            (trail.travelled.0 - 39_999.0).abs() < 1.0,
            "{}",
            trail.travelled.0
        );
        assert_eq!(
            trail.passages[0].left, None,
            "the segment was not driven through"
        );
        // Going on is barred, on this segment and round it by any route using it.
        let stopped = d.pos();
        let on = Drive::plan(
            &net,
            &RouteMemo::default().under(&Routes::default(), &cut),
            stopped,
            d.last_segment(),
            b,
            pace(),
        );
        assert!(on.is_none_or(|d| d.hops()[0].to != b || d.hops()[0].edge != edge));
        // Turning back is open, and gets back to A.
        let mut back = Drive::plan(
            &net,
            &RouteMemo::default().under(&Routes::default(), &cut),
            stopped,
            d.last_segment(),
            a,
            pace(),
        )
        .unwrap();
        let out = back.advance(
            &net,
            &mut clock,
            t0 + SignedDuration::from_hours(10),
            &cut,
            &mut trail,
        );
        assert_eq!(out, Outcome::Arrived);
        assert_eq!(back.pos(), Pos::Node(a));
    }

    #[test]
    fn a_route_never_uses_a_segment_cut_partway() {
        let net = square();
        let (a, b) = (node(&net, 0.0, 0.0), node(&net, 1.0, 0.0));
        let direct = net
            .route(a, b, Metric::Fastest, &Closed::default())
            .unwrap();
        let cut = Closed::cut(direct.segments[0], Metres(1_000.0));
        let round = net.route(a, b, Metric::Fastest, &cut).unwrap();
        assert!(!round.segments.contains(&direct.segments[0]));
    }
}
