//! The scenario engine: 17 bus agents and the people in them, moving over the roads in calendar
//! time under one account's plans and events. A plain value: no IO, no globals, no clock but the
//! simulated one; the same scenario and seed always give the same [`RunResult`].
//!
//! Time advances from sync point to sync point (recording times, event times, times people leave
//! the buses). Between two sync points nothing global changes, so each agent advances on its own
//! in exact continuous time: a bus reaches a junction at the instant its speed says, and stops
//! exactly at a cut in the road. Events at a sync point apply after the agents have reached it.
//!
//! The time arithmetic here is unchecked because validation bounds every input it depends on
//! ([`crate::scenario::limits`]): speeds are at least 0.5 km/h, so crossing a segment, or walking
//! half the globe, takes under five years; waits are at most 720 h; every time lies in the nine days
//! the control zones cover. Each `Timestamp + SignedDuration` thus stays within a few years of
//! 2017, far inside jiff's range. A run's work and memory grow with its agents times its recording
//! times; [`crate::cost`] estimates them, and the command line refuses a run over its memory
//! budget before it starts. A [`Scenario`] built in code must keep to the same limits.

mod movement;
mod result;
pub mod rng;

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use petgraph::graph::EdgeIndex;

pub use result::{
    AgentKind, AgentRun, EndState, Passage, RunResult, Sample, SimEvent, SimEventKind, Status,
    TrackPoint,
};

use movement::{Drive, Outcome, Pace, Pos, Trail};
use rng::Stream;

use crate::Geography;
use crate::network::{Closed, Closure, Closures, Traveller};
use crate::scenario::{BusStep, EventKind, PeopleStep, Scenario};
use crate::units::{KmPerHour, LonLat, Metres};

/// What a bus is doing.
#[derive(Clone, Debug)]
enum BusActivity {
    NotDeparted,
    /// Ready for its next plan step.
    Idle,
    Driving(Drive),
    WaitingUntil(Timestamp),
    Done,
}

#[derive(Clone, Debug)]
struct Bus {
    id: String,
    group: usize,
    speed: KmPerHour,
    depart: Timestamp,
    rng: Stream,
    clock: Timestamp,
    pos: Pos,
    arrived_via: Option<EdgeIndex>,
    step: usize,
    activity: BusActivity,
    status: Status,
    since: Timestamp,
    /// When the plan ran out (people riding "until the bus stops" leave then).
    done_at: Option<Timestamp>,
    trail: Trail,
    samples: Vec<Sample>,
}

/// What a people group is doing once off the buses.
#[derive(Clone, Debug)]
enum PeopleActivity {
    Aboard,
    Idle,
    Walking {
        from: LonLat,
        to: LonLat,
        set_off: Timestamp,
        speed: KmPerHour,
    },
    Carried(Drive),
    WaitingUntil(Timestamp),
    Done,
}

#[derive(Clone, Debug)]
struct People {
    id: String,
    group: usize,
    /// This agent's share of the group.
    count: u32,
    /// Index of the bus they ride.
    bus: usize,
    rng: Stream,
    clock: Timestamp,
    /// Off the buses: where they are. Road position when carried.
    at: LonLat,
    road: Option<Pos>,
    arrived_via: Option<EdgeIndex>,
    step: usize,
    activity: PeopleActivity,
    status: Status,
    since: Timestamp,
    left_bus_at: Option<Timestamp>,
    trail: Trail,
    samples: Vec<Sample>,
}

/// One run of one scenario.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    geo: &'a Geography,
    seed: u64,
    closures: Closures,
    /// Tracks and other roads buses cannot use.
    bus_barred: Closed,
    buses: Vec<Bus>,
    people: Vec<People>,
    events: Vec<SimEvent>,
}

impl<'a> Simulation<'a> {
    /// Prepares a run of `scenario` over `geo` with `seed` (usually `scenario.seed`).
    pub fn new(scenario: &'a Scenario, geo: &'a Geography, seed: u64) -> Self {
        let origin = scenario.convoy.origin.node;
        let mut buses = Vec::new();
        for (gi, g) in scenario.bus_groups.iter().enumerate() {
            for n in 1..=g.buses {
                let id = format!("bus-{}-{n:02}", g.id);
                let mut rng = Stream::new(seed, &id);
                let speed = KmPerHour(rng.draw(g.speed));
                let depart = rng.draw_time(g.depart);
                buses.push(Bus {
                    id,
                    group: gi,
                    speed,
                    depart,
                    rng,
                    clock: scenario.start,
                    pos: Pos::Node(origin),
                    arrived_via: None,
                    step: 0,
                    activity: BusActivity::NotDeparted,
                    status: Status::Waiting,
                    since: scenario.start,
                    done_at: None,
                    trail: Trail {
                        track: vec![TrackPoint {
                            t: scenario.start,
                            at: geo.network.node(origin),
                        }],
                        ..Trail::default()
                    },
                    samples: Vec::new(),
                });
            }
        }
        // A people group is spread over its bus group's buses as evenly as whole people allow,
        // one agent per bus with anyone aboard, so each share goes where its bus goes.
        let mut people = Vec::new();
        for (gi, g) in scenario.people_groups.iter().enumerate() {
            let rides: Vec<usize> = (0..buses.len())
                .filter(|&b| buses[b].group == g.aboard)
                .collect();
            let n = rides.len().max(1) as u32;
            for (k, &bus) in rides.iter().enumerate() {
                let count = g.count / n + u32::from((k as u32) < g.count % n);
                if count == 0 {
                    continue;
                }
                let id = format!("people-{}-{:02}", g.id, k + 1);
                people.push(People {
                    rng: Stream::new(seed, &id),
                    id,
                    group: gi,
                    count,
                    bus,
                    clock: scenario.start,
                    at: geo.network.node(origin),
                    road: None,
                    arrived_via: None,
                    step: 0,
                    activity: PeopleActivity::Aboard,
                    status: Status::Aboard,
                    since: scenario.start,
                    left_bus_at: None,
                    trail: Trail::default(),
                    samples: Vec::new(),
                });
            }
        }
        let bus_barred = geo.network.barred_to(Traveller::Bus);
        Self {
            scenario,
            geo,
            seed,
            closures: Closures::new(),
            bus_barred,
            buses,
            people,
            events: Vec::new(),
        }
    }

    fn emit(
        &mut self,
        t: Timestamp,
        at: LonLat,
        kind: SimEventKind,
        agent: Option<&str>,
        detail: String,
    ) {
        let seq = self.events.len() as u64;
        self.events.push(SimEvent {
            seq,
            t,
            at,
            kind,
            agent: agent.map(str::to_string),
            detail,
        });
    }

    /// A name for a road position: the place there, else the coordinate.
    fn place_name(&self, pos: Pos) -> String {
        self.geo.gazetteer.label(pos.location(&self.geo.network))
    }

    /// The times at which agents are recorded: start, every `record_every`, end.
    fn sample_times(&self) -> Vec<Timestamp> {
        let s = self.scenario;
        let mut times = Vec::new();
        let mut t = s.start;
        while t < s.end {
            times.push(t);
            t += s.record_every;
        }
        times.push(s.end);
        times
    }

    /// Runs to the scenario's end and returns what happened.
    pub fn run(mut self) -> RunResult {
        let s = self.scenario;
        let samples = self.sample_times();
        let mut sync: BTreeSet<Timestamp> = samples.iter().copied().collect();
        sync.extend(s.events.iter().map(|e| e.at));
        for g in &s.people_groups {
            if let Some(PeopleStep::RideUntil(t)) = g.plan.first() {
                sync.insert(*t);
            }
        }
        let sample_set: BTreeSet<Timestamp> = samples.iter().copied().collect();
        let mut next_event = 0;
        for t in sync.into_iter().filter(|&t| t >= s.start && t <= s.end) {
            let closed = self.closures.closed_at(t - SignedDuration::from_nanos(1));
            for i in 0..self.buses.len() {
                self.advance_bus(i, t, &closed);
            }
            for i in 0..self.people.len() {
                self.advance_people(i, t, &closed);
            }
            while next_event < s.events.len() && s.events[next_event].at <= t {
                self.apply_event(next_event);
                next_event += 1;
            }
            if sample_set.contains(&t) {
                self.sample(t);
            }
        }
        self.finish()
    }

    fn apply_event(&mut self, index: usize) {
        let scenario = self.scenario;
        let geo = self.geo;
        let e = &scenario.events[index];
        let net = &geo.network;
        let (closure, at, label) = match &e.kind {
            EventKind::CloseRoadAt { site } => (
                Some(Closed {
                    segments: BTreeSet::new(),
                    nodes: [site.node].into(),
                }),
                net.node(site.node),
                format!("road cut at {}", self.geo.gazetteer.get(site.place).name),
            ),
            EventKind::CloseRoad { from, to, segments } => {
                let (a, b) = (net.node(from.node), net.node(to.node));
                (
                    Some(Closed::segments(segments.clone())),
                    LonLat::new((a.lon + b.lon) / 2.0, (a.lat + b.lat) / 2.0),
                    format!(
                        "road closed between {} and {}",
                        self.geo.gazetteer.get(from.place).name,
                        self.geo.gazetteer.get(to.place).name
                    ),
                )
            }
            EventKind::StrikeNear { site } => (
                None,
                net.node(site.node),
                format!("strike near {}", self.geo.gazetteer.get(site.place).name),
            ),
        };
        let detail = match &e.note {
            Some(n) => format!("{label}: {n}"),
            None => label.clone(),
        };
        let t = e.at;
        match closure {
            Some(closed) => {
                self.emit(t, at, SimEventKind::RoadClosed, None, detail);
                // Anyone on a segment that closes under them stops where they are.
                for i in 0..self.buses.len() {
                    if let BusActivity::Driving(d) = &self.buses[i].activity
                        && d.on_closed_segment(&closed)
                    {
                        let pos = d.pos();
                        self.stall_bus(i, pos, t, "the road closed under it".into());
                    }
                }
                for i in 0..self.people.len() {
                    let p = &mut self.people[i];
                    if let PeopleActivity::Carried(d) = &p.activity
                        && d.on_closed_segment(&closed)
                    {
                        p.road = Some(d.pos());
                        p.arrived_via = d.last_segment().or(p.arrived_via);
                        p.activity = PeopleActivity::Idle;
                        p.status = Status::Stalled;
                        p.since = t;
                        let (at, id) = (p.at, p.id.clone());
                        self.emit(
                            t,
                            at,
                            SimEventKind::Stalled,
                            Some(&id),
                            "the road closed under them".into(),
                        );
                    }
                }
                self.closures.add(Closure {
                    label,
                    closed,
                    from: t,
                });
            }
            None => self.emit(t, at, SimEventKind::Strike, None, detail),
        }
    }

    fn stall_bus(&mut self, i: usize, pos: Pos, t: Timestamp, why: String) {
        let geo = self.geo;
        let at = pos.location(&geo.network);
        let b = &mut self.buses[i];
        if let BusActivity::Driving(d) = &b.activity {
            b.arrived_via = d.last_segment().or(b.arrived_via);
        }
        b.pos = pos;
        b.activity = BusActivity::Idle;
        b.status = Status::Stalled;
        b.since = t;
        b.step += 1;
        b.trail.point(t, at);
        let id = b.id.clone();
        self.emit(t, at, SimEventKind::Stalled, Some(&id), why);
    }

    fn advance_bus(&mut self, i: usize, sync: Timestamp, closed: &Closed) {
        let scenario = self.scenario;
        let geo = self.geo;
        let net = &geo.network;
        loop {
            let b = &mut self.buses[i];
            match &mut b.activity {
                BusActivity::Done => break,
                BusActivity::NotDeparted => {
                    if b.depart > sync {
                        break;
                    }
                    b.clock = b.clock.max(b.depart);
                    b.activity = BusActivity::Idle;
                    b.status = Status::Halted;
                    b.since = b.clock;
                    let (t, at, id, pos) = (b.clock, b.pos.location(net), b.id.clone(), b.pos);
                    let from = self.place_name(pos);
                    self.emit(
                        t,
                        at,
                        SimEventKind::Departed,
                        Some(&id),
                        format!("from {from}"),
                    );
                }
                BusActivity::WaitingUntil(until) => {
                    if *until > sync {
                        break;
                    }
                    b.clock = b.clock.max(*until);
                    b.activity = BusActivity::Idle;
                }
                BusActivity::Idle => {
                    let group = &scenario.bus_groups[b.group];
                    let Some(step) = group.plan.get(b.step) else {
                        b.activity = BusActivity::Done;
                        b.done_at = Some(b.clock);
                        break;
                    };
                    match step {
                        BusStep::DriveTo {
                            to,
                            until,
                            stop_after_km,
                            detour,
                        } => {
                            let to = &to[b.rng.pick(to.len())];
                            let budget = stop_after_km.map(|s| Metres::from_km(b.rng.draw(s)));
                            let mut barred = self.bus_barred.clone();
                            if *detour {
                                barred.extend(closed);
                            }
                            match Drive::plan(
                                net,
                                b.pos,
                                b.arrived_via,
                                to.node,
                                &barred,
                                Pace {
                                    speed: b.speed,
                                    until: *until,
                                    budget,
                                },
                            ) {
                                Some(d) => {
                                    // Mark where and when it set off, so tracks do not draw
                                    // the wait before as slow movement.
                                    b.trail.point(b.clock, b.pos.location(net));
                                    b.activity = BusActivity::Driving(d);
                                    b.status = Status::Moving;
                                    b.since = b.clock;
                                }
                                None => {
                                    let pos = b.pos;
                                    let (t, dest) = (b.clock, to.node);
                                    let why = format!(
                                        "no open bus road to {}",
                                        self.place_name(Pos::Node(dest))
                                    );
                                    self.stall_bus(i, pos, t, why);
                                }
                            }
                        }
                        BusStep::WaitUntil(t) => {
                            b.activity = BusActivity::WaitingUntil(*t);
                            b.step += 1;
                            b.status = Status::Halted;
                            b.since = b.clock;
                        }
                        BusStep::WaitHours(h) => {
                            let hours = b.rng.draw(*h);
                            b.activity = BusActivity::WaitingUntil(
                                b.clock + SignedDuration::from_secs_f64(hours * 3600.0),
                            );
                            b.step += 1;
                            b.status = Status::Halted;
                            b.since = b.clock;
                        }
                        BusStep::Unaccounted => {
                            b.status = Status::Unaccounted;
                            b.since = b.clock;
                            b.step += 1;
                            b.activity = BusActivity::Done;
                            b.done_at = Some(b.clock);
                            let (t, at, id) = (b.clock, b.pos.location(net), b.id.clone());
                            self.emit(
                                t,
                                at,
                                SimEventKind::Unaccounted,
                                Some(&id),
                                "the account loses track of it here".into(),
                            );
                            break;
                        }
                    }
                }
                BusActivity::Driving(d) => {
                    let mut barred = closed.clone();
                    barred.extend(&self.bus_barred);
                    let outcome = d.advance(net, &mut b.clock, sync, &barred, &mut b.trail);
                    let pos = d.pos();
                    match outcome {
                        Outcome::Underway => {
                            b.pos = pos;
                            break;
                        }
                        Outcome::Arrived | Outcome::LimitReached => {
                            b.arrived_via = d.last_segment().or(b.arrived_via);
                            b.pos = pos;
                            b.activity = BusActivity::Idle;
                            b.step += 1;
                            b.since = b.clock;
                            let arrived = outcome == Outcome::Arrived;
                            b.status = if arrived {
                                Status::Arrived
                            } else {
                                Status::Halted
                            };
                            if arrived {
                                let (t, id) = (b.clock, b.id.clone());
                                let name = self.place_name(pos);
                                self.emit(
                                    t,
                                    pos.location(net),
                                    SimEventKind::Arrived,
                                    Some(&id),
                                    name,
                                );
                            }
                        }
                        Outcome::Blocked => {
                            let t = self.buses[i].clock;
                            let why = format!("road closed at {}", self.place_name(pos));
                            self.stall_bus(i, pos, t, why);
                        }
                    }
                }
            }
        }
        let b = &mut self.buses[i];
        if b.clock < sync {
            b.clock = sync;
        }
    }

    fn advance_people(&mut self, i: usize, sync: Timestamp, closed: &Closed) {
        let scenario = self.scenario;
        let geo = self.geo;
        let net = &geo.network;
        loop {
            let bus_done = self.buses[self.people[i].bus].done_at;
            let bus_pos = self.buses[self.people[i].bus].pos;
            let bus_arrived_via = self.buses[self.people[i].bus].arrived_via;
            let p = &mut self.people[i];
            let group = &scenario.people_groups[p.group];
            match &mut p.activity {
                PeopleActivity::Done => break,
                PeopleActivity::Aboard => {
                    // Leave at ride_until, or once the bus's plan has run out if there is more to do.
                    let leave = match group.plan.first() {
                        Some(PeopleStep::RideUntil(t)) => Some(*t),
                        Some(_) => bus_done,
                        None => None,
                    };
                    let Some(leave) = leave.filter(|&l| l <= sync) else {
                        break;
                    };
                    if matches!(group.plan.first(), Some(PeopleStep::RideUntil(_))) {
                        p.step = 1;
                    }
                    p.clock = leave;
                    p.left_bus_at = Some(leave);
                    p.at = bus_pos.location(net);
                    p.road = Some(bus_pos);
                    p.arrived_via = bus_arrived_via;
                    p.activity = PeopleActivity::Idle;
                    p.status = Status::Halted;
                    p.since = leave;
                    p.trail.point(leave, p.at);
                    let (at, id) = (p.at, p.id.clone());
                    let count = p.count;
                    self.emit(
                        leave,
                        at,
                        SimEventKind::LeftBuses,
                        Some(&id),
                        format!("{count} {} left the buses", group.kind.as_str()),
                    );
                }
                PeopleActivity::WaitingUntil(until) => {
                    if *until > sync {
                        break;
                    }
                    p.clock = p.clock.max(*until);
                    p.activity = PeopleActivity::Idle;
                }
                PeopleActivity::Idle => {
                    let Some(step) = group.plan.get(p.step) else {
                        p.activity = PeopleActivity::Done;
                        break;
                    };
                    p.step += 1;
                    match step {
                        PeopleStep::RideUntil(_) => {}
                        PeopleStep::WalkTo { to, speed } => {
                            let to = &to[p.rng.pick(to.len())];
                            let v = KmPerHour(p.rng.draw(*speed));
                            let dest = geo.gazetteer.get(to.place).location();
                            p.trail.point(p.clock, p.at);
                            p.activity = PeopleActivity::Walking {
                                from: p.at,
                                to: dest,
                                set_off: p.clock,
                                speed: v,
                            };
                            p.road = None;
                            p.status = Status::Moving;
                            p.since = p.clock;
                        }
                        PeopleStep::CarriedTo {
                            to, speed, detour, ..
                        } => {
                            let to = &to[p.rng.pick(to.len())];
                            let v = KmPerHour(p.rng.draw(*speed));
                            // Vehicles meet them at the nearest road vertex if they are off-road.
                            let pos = match p.road {
                                Some(pos) => pos,
                                None => {
                                    let (n, d) = net
                                        .snap(p.at)
                                        .expect("Geography refuses a network without roads");
                                    p.clock += d.time_at(v);
                                    p.trail.travelled += d;
                                    p.at = net.node(n);
                                    p.trail.point(p.clock, p.at);
                                    Pos::Node(n)
                                }
                            };
                            let known = if *detour {
                                closed.clone()
                            } else {
                                Closed::default()
                            };
                            match Drive::plan(
                                net,
                                pos,
                                p.arrived_via,
                                to.node,
                                &known,
                                Pace {
                                    speed: v,
                                    until: None,
                                    budget: None,
                                },
                            ) {
                                Some(d) => {
                                    p.trail.point(p.clock, p.at);
                                    p.activity = PeopleActivity::Carried(d);
                                    p.status = Status::Moving;
                                    p.since = p.clock;
                                }
                                None => {
                                    p.status = Status::Stalled;
                                    p.since = p.clock;
                                    let (t, at, id) = (p.clock, p.at, p.id.clone());
                                    let dest = geo.gazetteer.get(to.place).name.clone();
                                    self.emit(
                                        t,
                                        at,
                                        SimEventKind::Stalled,
                                        Some(&id),
                                        format!("no open road to {dest}"),
                                    );
                                }
                            }
                        }
                        PeopleStep::WaitUntil(t) => {
                            p.activity = PeopleActivity::WaitingUntil(*t);
                            p.status = Status::Halted;
                            p.since = p.clock;
                        }
                        PeopleStep::WaitHours(h) => {
                            let hours = p.rng.draw(*h);
                            p.activity = PeopleActivity::WaitingUntil(
                                p.clock + SignedDuration::from_secs_f64(hours * 3600.0),
                            );
                            p.status = Status::Halted;
                            p.since = p.clock;
                        }
                        PeopleStep::Unaccounted => {
                            p.status = Status::Unaccounted;
                            p.since = p.clock;
                            p.activity = PeopleActivity::Done;
                            let (t, at, id) = (p.clock, p.at, p.id.clone());
                            self.emit(
                                t,
                                at,
                                SimEventKind::Unaccounted,
                                Some(&id),
                                "the account loses track of them here".into(),
                            );
                            break;
                        }
                    }
                }
                PeopleActivity::Walking {
                    from,
                    to,
                    set_off,
                    speed,
                } => {
                    let total = from.distance(*to);
                    let done_at = *set_off + total.time_at(*speed);
                    if done_at <= sync {
                        p.trail.travelled += p.at.distance(*to);
                        p.clock = done_at.max(p.clock);
                        p.at = *to;
                        p.trail.point(p.clock, p.at);
                        p.activity = PeopleActivity::Idle;
                        p.status = Status::Arrived;
                        p.since = p.clock;
                        let (t, at, id) = (p.clock, p.at, p.id.clone());
                        let name = geo.gazetteer.label(at);
                        self.emit(
                            t,
                            at,
                            SimEventKind::Arrived,
                            Some(&id),
                            format!("on foot at {name}"),
                        );
                    } else {
                        let elapsed = sync.duration_since(*set_off).as_secs_f64();
                        let ratio = elapsed / done_at.duration_since(*set_off).as_secs_f64();
                        let before = p.at;
                        p.at = great_circle_point(*from, *to, ratio);
                        p.trail.travelled += before.distance(p.at);
                        p.clock = sync;
                        break;
                    }
                }
                PeopleActivity::Carried(d) => {
                    let outcome = d.advance(net, &mut p.clock, sync, closed, &mut p.trail);
                    let pos = d.pos();
                    p.road = Some(pos);
                    p.at = pos.location(net);
                    match outcome {
                        Outcome::Underway => break,
                        Outcome::Arrived | Outcome::LimitReached => {
                            p.arrived_via = d.last_segment().or(p.arrived_via);
                            p.activity = PeopleActivity::Idle;
                            p.status = Status::Arrived;
                            p.since = p.clock;
                            let (t, at, id) = (p.clock, p.at, p.id.clone());
                            let name = self.place_name(pos);
                            self.emit(
                                t,
                                at,
                                SimEventKind::Arrived,
                                Some(&id),
                                format!("carried to {name}"),
                            );
                        }
                        Outcome::Blocked => {
                            p.arrived_via = d.last_segment().or(p.arrived_via);
                            p.activity = PeopleActivity::Idle;
                            p.status = Status::Stalled;
                            p.since = p.clock;
                            let (t, at, id) = (p.clock, p.at, p.id.clone());
                            self.emit(
                                t,
                                at,
                                SimEventKind::Stalled,
                                Some(&id),
                                "road closed".into(),
                            );
                        }
                    }
                }
            }
        }
        let p = &mut self.people[i];
        if p.clock < sync {
            p.clock = sync;
        }
    }

    fn sample(&mut self, t: Timestamp) {
        let geo = self.geo;
        let net = &geo.network;
        for b in &mut self.buses {
            let at = match &b.activity {
                BusActivity::Driving(d) => d.pos().location(net),
                _ => b.pos.location(net),
            };
            b.samples.push(Sample {
                t,
                at,
                status: b.status,
            });
        }
        for p in &mut self.people {
            let sample = match p.activity {
                PeopleActivity::Aboard => {
                    let bus = &self.buses[p.bus];
                    Sample {
                        t,
                        at: bus.samples.last().map_or(p.at, |s| s.at),
                        status: Status::Aboard,
                    }
                }
                _ => Sample {
                    t,
                    at: p.at,
                    status: p.status,
                },
            };
            p.samples.push(sample);
        }
    }

    fn finish(self) -> RunResult {
        let s = self.scenario;
        let geo = self.geo;
        let classify = |at: LonLat, status: Status, since: Timestamp| {
            let zone = geo
                .zones
                .holder_at(
                    at,
                    s.end
                        .min(geo.zones.coverage().1 - SignedDuration::from_secs(1)),
                )
                .map_or(crate::zones::Holder::None, |c| c.holder);
            let (nearest_place, to_nearest_place) = geo
                .gazetteer
                .nearest(at)
                .expect("Geography refuses an empty gazetteer");
            EndState {
                at,
                status,
                since,
                zone,
                nearest_place,
                to_nearest_place,
            }
        };
        // A track ends where its agent is at the end, even partway along a segment.
        let closed_track = |mut track: Vec<TrackPoint>, last: Sample| {
            if track.last().is_none_or(|p| p.at != last.at) {
                track.push(TrackPoint {
                    t: last.t,
                    at: last.at,
                });
            }
            track
        };
        let mut agents = Vec::new();
        for b in &self.buses {
            let last = b.samples.last().copied().unwrap_or(Sample {
                t: s.end,
                at: b.pos.location(&geo.network),
                status: b.status,
            });
            agents.push(AgentRun {
                id: b.id.clone(),
                kind: AgentKind::Bus {
                    group: s.bus_groups[b.group].id.clone(),
                },
                track: closed_track(b.trail.track.clone(), last),
                samples: b.samples.clone(),
                passages: b.trail.passages.clone(),
                travelled: b.trail.travelled,
                end: classify(last.at, b.status, b.since),
            });
        }
        for p in &self.people {
            let g = &s.people_groups[p.group];
            let bus = &self.buses[p.bus];
            // Aboard: the bus's track up to when they left, then their own.
            let left = p.left_bus_at.unwrap_or(s.end);
            let mut track: Vec<TrackPoint> = bus
                .trail
                .track
                .iter()
                .copied()
                .filter(|tp| tp.t <= left)
                .collect();
            track.extend(p.trail.track.iter().copied());
            track.dedup_by(|a, b| a.t == b.t && a.at == b.at);
            let passages = bus
                .trail
                .passages
                .iter()
                .copied()
                .filter(|ps| ps.entered < left)
                .chain(p.trail.passages.iter().copied())
                .collect();
            let last = p.samples.last().copied().unwrap_or(Sample {
                t: s.end,
                at: p.at,
                status: p.status,
            });
            // Aboard a bus the account has lost track of, they are lost track of too.
            let (status, since) = match p.left_bus_at {
                None if bus.status == Status::Unaccounted => (Status::Unaccounted, bus.since),
                None => (Status::Aboard, s.start),
                Some(_) => (p.status, p.since),
            };
            let bus_travelled: Metres = if p.left_bus_at.is_some() {
                let ridden: Vec<&TrackPoint> =
                    bus.trail.track.iter().filter(|tp| tp.t <= left).collect();
                let to_vertices: Metres =
                    ridden.windows(2).map(|w| w[0].at.distance(w[1].at)).sum();
                // And from the bus's last vertex to where they got off, partway along a segment.
                let beyond = match (ridden.last(), p.trail.track.first()) {
                    (Some(v), Some(off)) => v.at.distance(off.at),
                    _ => Metres::ZERO,
                };
                to_vertices + beyond
            } else {
                bus.trail.travelled
            };
            let track = closed_track(track, last);
            agents.push(AgentRun {
                id: p.id.clone(),
                kind: AgentKind::People {
                    group: g.id.clone(),
                    kind: g.kind,
                    count: p.count,
                    bus: bus.id.clone(),
                    left_bus: p.left_bus_at,
                },
                track,
                samples: p.samples.clone(),
                passages,
                travelled: bus_travelled + p.trail.travelled,
                end: classify(last.at, status, since),
            });
        }
        let sample_times = self.sample_times();
        let mut events = self.events;
        events.sort_by_key(|e| (e.t, e.seq));
        RunResult {
            scenario: s.name.clone(),
            seed: self.seed,
            start: s.start,
            end: s.end,
            sample_times,
            agents,
            events,
        }
    }
}

/// The point a fraction `ratio` of the way from `a` to `b` along the great circle.
fn great_circle_point(a: LonLat, b: LonLat, ratio: f64) -> LonLat {
    use geo::{Haversine, InterpolatePoint};
    Haversine
        .point_at_ratio_between(a.point(), b.point(), ratio.clamp(0.0, 1.0))
        .into()
}

/// Runs `scenario` with its own seed.
pub fn run(scenario: &Scenario, geo: &Geography) -> RunResult {
    Simulation::new(scenario, geo, scenario.seed).run()
}

/// Runs `scenario` with another seed.
pub fn run_with_seed(scenario: &Scenario, geo: &Geography, seed: u64) -> RunResult {
    Simulation::new(scenario, geo, seed).run()
}
