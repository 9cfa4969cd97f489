//! The scenario engine: the convoy's vehicles (its 17 buses, and any ambulances or pick-ups an
//! account adds) and the people in them, moving over the roads in calendar time under one
//! account's plans and events. One agent model (`engine::agent`) for everything that moves, one plan
//! vocabulary ([`Step`]). A plain value: no IO, no globals, no clock but the simulated one; the
//! same scenario and seed always give the same [`RunResult`], whose events are facts, not words.
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

mod agent;
mod memo;
mod movement;
mod result;
pub mod rng;

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use petgraph::graph::NodeIndex;

pub use result::{
    AgentKind, AgentRun, EndState, Happening, Passage, RunResult, Sample, SimEvent, SimEventKind,
    Status, Stop, TrackPoint, Travel,
};

use agent::{Agent, Doing, Leave, Role, Walk, Where};
pub use movement::Probes;
use movement::{Drive, Outcome, Pace, Pos, Trail};
use rng::Stream;

use crate::Geography;
use crate::gazetteer::PlaceId;
use crate::network::{Closed, Closure, Closures, Routes, Traveller};
use crate::scenario::{EventKind, Scenario, Step};
use crate::units::{KmPerHour, LonLat, Metres};
use crate::zones::Holder;
pub use memo::RouteMemo;

/// What a run keeps of what happened. Both run the same movement with the same random draws.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Record {
    /// Everything the output files read: a sample at every recording time, whole tracks,
    /// passages, events.
    #[default]
    All,
    /// Only what an ensemble or a check reads, for a fraction of the work: each agent's id, kind
    /// and end state, and [`AgentRun::position_at`] exact at the probe times. Of the track only
    /// the points that needs (see `Trail::make_lean`); one sample, at the end (and one sample time);
    /// no passages, no events; people's `travelled` counts only what they did after leaving
    /// their vehicle.
    Ends(Probes),
}

/// One run of one scenario.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    geo: &'a Geography,
    seed: u64,
    closures: Closures,
    /// What each traveller may never use (desert tracks, for road vehicles).
    road_barred: Closed,
    /// The bars in force: whose ground, and its road nodes.
    bars: Vec<(Holder, &'a BTreeSet<NodeIndex>, Timestamp)>,
    /// Vehicles first, in group order, then people.
    agents: Vec<Agent>,
    /// Each agent's random stream, beside the agents rather than in them: a stream is 300 bytes
    /// drawn from only when a plan step starts, and the agents a sync point visits should stay
    /// small enough to stay in cache at a thousand times the convoy. `None` until first drawn
    /// from (people who never leave their vehicle never draw); made then, it is the same stream.
    streams: Vec<Option<Stream>>,
    events: Vec<SimEvent>,
    /// Whether the run keeps only what [`Record::Ends`] says.
    lean: bool,
    /// Routes found so far: this run's own, or shared with other runs over the same network
    /// through the memo of the thread that runs it.
    routes: (Routes, RouteMemo),
    shared_routes: Option<(&'a Routes, &'a RouteMemo)>,
}

impl<'a> Simulation<'a> {
    /// Prepares a run of `scenario` over `geo` with `seed` (usually `scenario.seed`).
    pub fn new(scenario: &'a Scenario, geo: &'a Geography, seed: u64) -> Self {
        let origin = scenario.convoy.origin.node;
        // Room for every agent at once: at a thousand times the convoy, growing the list would
        // copy megabytes in every realization.
        let vehicles_in =
            |group: usize| (scenario.vehicle_groups.get(group)).map_or(0, |g| g.vehicles as usize);
        let most = (0..scenario.vehicle_groups.len())
            .map(vehicles_in)
            .sum::<usize>()
            + (scenario.people_groups.iter())
                .map(|g| vehicles_in(g.aboard))
                .sum::<usize>();
        let mut agents = Vec::with_capacity(most);
        let mut streams = Vec::with_capacity(most);
        for (gi, g) in scenario.vehicle_groups.iter().enumerate() {
            for n in 1..=g.vehicles {
                let id = agent_id(g.kind.as_str(), &g.id, n as usize);
                let mut rng = Stream::new(seed, &id);
                let speed = KmPerHour(rng.draw(g.speed));
                let depart = rng.draw_time(g.depart);
                let role = Role::Vehicle {
                    group: gi,
                    kind: g.kind,
                    speed,
                };
                let mut a = Self::agent(scenario, id, role, Where::Road(Pos::Node(origin)));
                a.doing = Doing::Departing(depart);
                a.trail.point(scenario.start, geo.network.node(origin));
                agents.push(a);
                streams.push(Some(rng));
            }
        }
        // A people group is spread over its vehicle group's vehicles as evenly as whole people
        // allow, one agent per vehicle with anyone aboard, so each share goes where it goes.
        let vehicles = agents.len();
        for (gi, g) in scenario.people_groups.iter().enumerate() {
            let rides: Vec<usize> = (0..vehicles)
                .filter(
                    |&v| matches!(agents[v].role, Role::Vehicle { group, .. } if group == g.aboard),
                )
                .collect();
            let n = rides.len().max(1) as u32;
            let (leave, first) = match g.plan.first() {
                Some(Step::RideUntil(t)) => (Leave::At(*t), 1),
                Some(_) => (Leave::WhenVehicleDone, 0),
                None => (Leave::Never, 0),
            };
            // Whoever could carry someone has an agent, at the most people the group may have: the
            // same agents in every realization of an ensemble, whatever head count it draws.
            let share = |people: u32, k: usize| people / n + u32::from((k as u32) < people % n);
            for (k, &vehicle) in rides.iter().enumerate() {
                if share(g.count.high, k) == 0 {
                    continue;
                }
                let count = share(g.people, k);
                let id = agent_id("people", &g.id, k + 1);
                let role = Role::People {
                    group: gi,
                    count,
                    vehicle,
                };
                let mut a = Self::agent(scenario, id, role, Where::Aboard(vehicle));
                a.doing = Doing::Riding(leave);
                a.status = Status::Aboard;
                a.step = first;
                agents.push(a);
                streams.push(None);
            }
        }
        Self {
            scenario,
            geo,
            seed,
            closures: Closures::new(),
            road_barred: geo.network.barred_to(Traveller::Road),
            bars: Vec::new(),
            agents,
            streams,
            events: Vec::new(),
            lean: false,
            routes: Default::default(),
            shared_routes: None,
        }
    }

    /// Finds routes in `routes`, shared with other runs over the same geography (the realizations
    /// of an ensemble): each is found once. The routes are the same as the run would find itself.
    /// They are looked up through `memo`, which only runs on the same thread may share.
    pub fn sharing_routes(mut self, routes: &'a Routes, memo: &'a RouteMemo) -> Self {
        self.shared_routes = Some((routes, memo));
        self
    }

    /// Keeps what `record` says; the default is [`Record::All`].
    pub fn recording(mut self, record: Record) -> Self {
        if let Record::Ends(probes) = record {
            self.lean = true;
            let probes = probes.local();
            for a in &mut self.agents {
                a.trail.make_lean(probes.clone());
            }
        }
        self
    }

    fn agent(scenario: &Scenario, id: String, role: Role, place: Where) -> Agent {
        Agent {
            id,
            role,
            clock: scenario.start,
            place,
            arrived_via: None,
            step: 0,
            doing: Doing::Idle,
            status: Status::Waiting,
            since: scenario.start,
            done_at: None,
            left_at: None,
            trail: Trail::default(),
            samples: Vec::new(),
        }
    }

    fn emit(&mut self, t: Timestamp, at: LonLat, agent: Option<usize>, what: Happening) {
        if self.lean {
            return;
        }
        let seq = self.events.len() as u64;
        self.events.push(SimEvent {
            seq,
            t,
            at,
            agent,
            what,
        });
    }

    /// Agent `i`'s random stream, made the first time it is drawn from.
    fn stream(&mut self, i: usize) -> &mut Stream {
        let (seed, id) = (self.seed, &self.agents[i].id);
        self.streams[i].get_or_insert_with(|| Stream::new(seed, id))
    }

    /// Where agent `i` is now.
    fn location(&self, i: usize) -> LonLat {
        let net = &self.geo.network;
        self.agents[i].location(net, |v| self.location(v))
    }

    /// The plan agent `i` follows.
    fn plan(&self, i: usize) -> &'a [Step] {
        let s = self.scenario;
        match self.agents[i].role {
            Role::Vehicle { group, .. } => &s.vehicle_groups[group].plan,
            Role::People { group, .. } => &s.people_groups[group].plan,
        }
    }

    /// The times at which agents are recorded: start, every `record_every`, end.
    fn sample_times(&self) -> Vec<Timestamp> {
        let s = self.scenario;
        let every = s.record_every.as_nanos().max(1);
        let n = s.end.duration_since(s.start).as_nanos() / every;
        let mut times = Vec::with_capacity(usize::try_from(n).unwrap_or(0).saturating_add(2));
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
        let mut others: Vec<Timestamp> = s.events.iter().map(|e| e.at).collect();
        others.extend(s.people_groups.iter().filter_map(|g| match g.plan.first() {
            Some(Step::RideUntil(t)) => Some(*t),
            _ => None,
        }));
        others.sort_unstable();
        let mut sync = merged(&samples, &others);
        sync.retain(|&t| t >= s.start && t <= s.end);
        let mut next_sample = 0;
        let mut next_event = 0;
        let mut force: Option<InForce> = None;
        // Only agents that may yet act are visited, and of those only the ones awake.
        let mut wakes: Vec<Timestamp> = (0..self.agents.len()).map(|i| self.wake(i)).collect();
        let mut live: Vec<usize> = (0..self.agents.len())
            .filter(|&i| wakes[i] < Timestamp::MAX)
            .collect();
        for t in sync {
            // In force: what closed before `t` (a closure at `t` applies once agents reach it).
            let count = self.closures.iter().filter(|c| c.from < t).count();
            if force.as_ref().is_none_or(|f| f.count != count) {
                let all = self.closures.closed_at(t - SignedDuration::from_nanos(1));
                force = Some(InForce::new(count, all, &self.road_barred));
            }
            let Some(force) = &force else { break };
            let mut retired = false;
            for &i in &live {
                if wakes[i] <= t {
                    self.advance(i, t, force);
                    wakes[i] = self.wake(i);
                    retired |= wakes[i] == Timestamp::MAX;
                }
            }
            let first_event = next_event;
            while next_event < s.events.len() && s.events[next_event].at <= t {
                self.apply_event(next_event);
                next_event += 1;
            }
            if next_event > first_event {
                for &i in &live {
                    wakes[i] = self.wake(i);
                    retired |= wakes[i] == Timestamp::MAX;
                }
            }
            if retired {
                live.retain(|&i| wakes[i] < Timestamp::MAX);
            }
            while samples.get(next_sample).is_some_and(|&x| x < t) {
                next_sample += 1;
            }
            if samples.get(next_sample) == Some(&t) && (!self.lean || t == s.end) {
                self.sample(t);
            }
        }
        self.finish()
    }

    fn apply_event(&mut self, index: usize) {
        let geo = self.geo;
        let net = &geo.network;
        let e = &self.scenario.events[index];
        let t = e.at;
        let (at, what) = match &e.kind {
            EventKind::CloseRoadAt { site, point } => {
                let at = point.map_or(net.node(site.node), |p| p.location(net));
                (at, Happening::RoadClosed { event: index })
            }
            EventKind::CloseRoad { from, to, .. } => {
                let (a, b) = (net.node(from.node), net.node(to.node));
                let mid = LonLat::new((a.lon + b.lon) / 2.0, (a.lat + b.lat) / 2.0);
                (mid, Happening::RoadClosed { event: index })
            }
            EventKind::StrikeNear { site } => {
                (net.node(site.node), Happening::Strike { event: index })
            }
            EventKind::BarZone { holder, nodes } => {
                self.bars.push((*holder, nodes, t));
                (
                    centre(net, nodes).unwrap_or(net.node(self.scenario.convoy.origin.node)),
                    Happening::ZoneBarred { event: index },
                )
            }
        };
        self.emit(t, at, None, what);
        let Some(closed) = e.kind.closes() else {
            return;
        };
        // Anyone on a segment that closes under them stops where they are.
        for i in 0..self.agents.len() {
            if let Doing::Driving(d) = &self.agents[i].doing
                && d.on_closed_segment(&closed)
            {
                self.agents[i].stop(Status::Stalled);
                let at = self.location(i);
                self.agents[i].trail.point(t, at);
                self.emit(t, at, Some(i), Happening::Stalled(Stop::ClosedUnder));
            }
        }
        // Anyone walking into newly barred ground stops at its edge.
        if let EventKind::BarZone { .. } = &e.kind {
            for i in 0..self.agents.len() {
                if let Doing::Walking(w) = self.agents[i].doing
                    && w.kept_out.is_none()
                {
                    let from = self.location(i);
                    let walk = Walk {
                        from,
                        set_off: t,
                        ..w
                    };
                    self.agents[i].doing = Doing::Walking(self.fenced(walk));
                }
            }
        }
        self.closures.add(Closure { closed, from: t });
    }

    /// When agent `i` next has something to do: until then advancing it would only move its clock
    /// on, which nothing reads before it next acts, and then it sets the clock to when that is.
    /// [`Timestamp::MIN`] if it has something to do now, [`Timestamp::MAX`] if it never will.
    fn wake(&self, i: usize) -> Timestamp {
        match &self.agents[i].doing {
            Doing::Done | Doing::Riding(Leave::Never) => Timestamp::MAX,
            Doing::Departing(t) | Doing::WaitingUntil(t) | Doing::Riding(Leave::At(t)) => *t,
            _ => Timestamp::MIN,
        }
    }

    /// Advances agent `i` to `sync`, starting plan steps as earlier ones end.
    fn advance(&mut self, i: usize, sync: Timestamp, force: &InForce) {
        loop {
            let a = &mut self.agents[i];
            match &mut a.doing {
                Doing::Done => break,
                Doing::Departing(depart) => {
                    if *depart > sync {
                        break;
                    }
                    a.clock = a.clock.max(*depart);
                    a.begin(Doing::Idle, Status::Halted);
                    let (t, at) = (a.clock, self.location(i));
                    self.emit(t, at, Some(i), Happening::Departed);
                }
                Doing::Riding(leave) => {
                    let leave = match (*leave, a.role) {
                        (Leave::At(t), _) => Some(t),
                        (Leave::WhenVehicleDone, Role::People { vehicle, .. }) => {
                            self.agents[vehicle].done_at
                        }
                        _ => None,
                    };
                    let Some(leave) = leave.filter(|&l| l <= sync) else {
                        break;
                    };
                    self.leave_vehicle(i, leave);
                }
                Doing::WaitingUntil(until) => {
                    if *until > sync {
                        break;
                    }
                    a.clock = a.clock.max(*until);
                    a.doing = Doing::Idle;
                }
                Doing::Idle => {
                    let step = a.step;
                    let Some(step) = self.plan(i).get(step) else {
                        let a = &mut self.agents[i];
                        a.doing = Doing::Done;
                        a.done_at = Some(a.clock);
                        break;
                    };
                    self.agents[i].step += 1;
                    self.start(i, step, force);
                }
                Doing::Driving(_) => {
                    let barred = force.barred(self.agents[i].role.traveller());
                    if self.drive(i, sync, barred) {
                        break;
                    }
                }
                Doing::Walking(_) => {
                    if self.walk(i, sync) {
                        break;
                    }
                }
            }
        }
        let a = &mut self.agents[i];
        a.clock = a.clock.max(sync);
    }

    /// People `i` leave their vehicle at `t`, where it is.
    fn leave_vehicle(&mut self, i: usize, t: Timestamp) {
        let Role::People { vehicle, .. } = self.agents[i].role else {
            return;
        };
        let (pos, via, kind) = {
            let v = &self.agents[vehicle];
            let kind = match v.role {
                Role::Vehicle { kind, .. } => kind,
                Role::People { .. } => crate::scenario::VehicleKind::Bus,
            };
            (
                v.road()
                    .unwrap_or(Pos::Node(self.scenario.convoy.origin.node)),
                v.arrived_via,
                kind,
            )
        };
        let at = pos.location(&self.geo.network);
        let a = &mut self.agents[i];
        a.clock = t;
        a.left_at = Some(t);
        a.place = Where::Road(pos);
        a.arrived_via = via;
        a.begin(Doing::Idle, Status::Halted);
        a.trail.point(t, at);
        self.emit(t, at, Some(i), Happening::LeftVehicle(kind));
    }

    /// Starts plan step `step` for agent `i`.
    fn start(&mut self, i: usize, step: &Step, force: &InForce) {
        match step {
            Step::DriveTo {
                to,
                until,
                stop_after_km,
                detour,
            } => {
                let rng = self.stream(i);
                let to = &to[rng.pick(to.len())];
                let budget = stop_after_km.map(|s| Metres::from_km(rng.draw(s)));
                let Role::Vehicle { speed, .. } = self.agents[i].role else {
                    return;
                };
                let pace = Pace {
                    speed,
                    until: *until,
                    budget,
                };
                self.set_off(i, to, pace, *detour, force);
            }
            Step::CarriedTo {
                to, speed, detour, ..
            } => {
                let rng = self.stream(i);
                let to = &to[rng.pick(to.len())];
                let speed = KmPerHour(rng.draw(*speed));
                let a = &mut self.agents[i];
                // Vehicles meet them at the nearest road vertex if they are off-road.
                if let Where::OffRoad(at) = a.place {
                    let (n, d) = self
                        .geo
                        .network
                        .snap(at)
                        .expect("Geography refuses a network without roads");
                    a.clock += d.time_at(speed);
                    a.trail.travelled += d;
                    a.place = Where::Road(Pos::Node(n));
                    a.trail.point(a.clock, self.geo.network.node(n));
                }
                let pace = Pace {
                    speed,
                    until: None,
                    budget: None,
                };
                self.set_off(i, to, pace, *detour, force);
            }
            Step::WalkTo { to, speed } => {
                let rng = self.stream(i);
                let to = &to[rng.pick(to.len())];
                let speed = KmPerHour(rng.draw(*speed));
                let dest = (self.scenario.places).location(&self.geo.gazetteer, to.place);
                let from = self.location(i);
                let a = &mut self.agents[i];
                a.trail.point(a.clock, from);
                let walk = Walk {
                    from,
                    to: dest,
                    set_off: a.clock,
                    speed,
                    kept_out: None,
                };
                let walk = self.fenced(walk);
                let a = &mut self.agents[i];
                a.place = Where::OffRoad(from);
                a.begin(Doing::Walking(walk), Status::Moving);
            }
            Step::WaitUntil(t) => self.agents[i].begin(Doing::WaitingUntil(*t), Status::Halted),
            Step::WaitHours(h) => {
                let hours = self.stream(i).draw(*h);
                let a = &mut self.agents[i];
                let until = a.clock + SignedDuration::from_secs_f64(hours * 3600.0);
                a.begin(Doing::WaitingUntil(until), Status::Halted);
            }
            Step::Unaccounted => {
                let a = &mut self.agents[i];
                a.begin(Doing::Done, Status::Unaccounted);
                a.done_at = Some(a.clock);
                let (t, at) = (a.clock, self.location(i));
                self.emit(t, at, Some(i), Happening::Unaccounted);
            }
            // Only ever a first step, taken before the agent is idle.
            Step::RideUntil(_) => {}
        }
    }

    /// Agent `i` sets off along the roads to `to`: round the closures it knows of with `detour`,
    /// always round barred ground if there is a way, else toward it, to stop at its edge.
    fn set_off(
        &mut self,
        i: usize,
        to: &crate::scenario::Site,
        pace: Pace,
        detour: bool,
        force: &InForce,
    ) {
        let net = &self.geo.network;
        let traveller = self.agents[i].role.traveller();
        let a = &self.agents[i];
        let pos = a.road().expect("a mover setting off by road is on a road");
        let routes = self
            .shared_routes
            .unwrap_or((&self.routes.0, &self.routes.1));
        let dest = (to.node, to.point);
        let plan = |unbarred: bool| {
            let under = force.routes(routes, detour, traveller, unbarred);
            Drive::plan_to(net, under, pos, a.arrived_via, dest, pace)
        };
        let drive = plan(false).or_else(|| {
            (!force.known(detour, traveller).no_entry.is_empty())
                .then(|| plan(true))
                .flatten()
        });
        let at = pos.location(net);
        let a = &mut self.agents[i];
        match drive {
            Some(d) => {
                // Mark where and when it set off, so tracks do not draw the wait before as slow
                // movement.
                a.trail.point(a.clock, at);
                a.begin(Doing::Driving(d), Status::Moving);
            }
            None => {
                a.stop(Status::Stalled);
                a.trail.point(a.clock, at);
                let t = a.clock;
                let why = Stop::NoRoute {
                    to: to.node,
                    place: to.place,
                };
                self.emit(t, at, Some(i), Happening::Stalled(why));
            }
        }
    }

    /// Drives agent `i` toward `sync`, kept off `barred`; true if it is still under way there.
    fn drive(&mut self, i: usize, sync: Timestamp, barred: &Closed) -> bool {
        let net = &self.geo.network;
        let a = &mut self.agents[i];
        let Doing::Driving(d) = &mut a.doing else {
            return false;
        };
        let outcome = d.advance(net, &mut a.clock, sync, barred, &mut a.trail);
        a.place = Where::Road(d.pos());
        let travel = match a.role {
            Role::Vehicle { .. } => Travel::Drove,
            Role::People { .. } => Travel::Carried,
        };
        let (status, what) = match outcome {
            Outcome::Underway => return true,
            Outcome::Arrived => (Status::Arrived, Some(Happening::Arrived(travel))),
            Outcome::LimitReached => (Status::Halted, None),
            Outcome::Blocked => (Status::Stalled, Some(Happening::Stalled(Stop::ClosedAhead))),
            Outcome::KeptOut { into } => {
                let holder = self
                    .bars
                    .iter()
                    .find(|b| b.1.contains(&into))
                    .map_or(Holder::NONE, |b| b.0);
                (Status::Halted, Some(Happening::KeptOut(holder)))
            }
        };
        a.stop(status);
        if status != Status::Arrived {
            let (t, at) = (a.clock, a.place);
            if let Where::Road(p) = at {
                a.trail.point(t, p.location(net));
            }
        }
        if let Some(what) = what {
            let (t, at) = (self.agents[i].clock, self.location(i));
            self.emit(t, at, Some(i), what);
        }
        false
    }

    /// Walks agent `i` toward `sync`; true if it is still under way there.
    fn walk(&mut self, i: usize, sync: Timestamp) -> bool {
        let a = &mut self.agents[i];
        let (Doing::Walking(w), Where::OffRoad(here)) = (a.doing.clone(), a.place) else {
            return false;
        };
        let total = w.from.distance(w.to);
        let done_at = w.set_off + total.time_at(w.speed);
        if done_at > sync {
            let elapsed = sync.duration_since(w.set_off).as_secs_f64();
            let ratio = elapsed / done_at.duration_since(w.set_off).as_secs_f64();
            let now = great_circle_point(w.from, w.to, ratio);
            a.trail.travelled += here.distance(now);
            a.place = Where::OffRoad(now);
            a.clock = sync;
            return true;
        }
        a.trail.travelled += here.distance(w.to);
        a.clock = done_at.max(a.clock);
        a.place = Where::OffRoad(w.to);
        a.trail.point(a.clock, w.to);
        let (status, what) = match w.kept_out {
            Some(h) => (Status::Halted, Happening::KeptOut(h)),
            None => (Status::Arrived, Happening::Arrived(Travel::Walked)),
        };
        a.begin(Doing::Idle, status);
        let t = a.clock;
        self.emit(t, w.to, Some(i), what);
        false
    }

    /// The walk cut short where it would first enter ground barred to the convoy, if it would.
    fn fenced(&self, walk: Walk) -> Walk {
        // Bars stay at the zones' nominal edges: the bar's road nodes are fixed when the scenario
        // is read, and a walk must stop where the roads do.
        let zones = &self.geo.zones;
        let inside = |p: LonLat, holder: Holder, t: Timestamp| {
            zones.holder_at(p, t).is_ok_and(|c| c.holder == holder)
        };
        let mut best: Option<(f64, Holder)> = None;
        for &(holder, _, t) in &self.bars {
            if inside(walk.from, holder, t) {
                continue;
            }
            let is_in = |r: f64| inside(great_circle_point(walk.from, walk.to, r), holder, t);
            if let Some(r) = first_crossing(walk.from.distance(walk.to), is_in)
                && best.is_none_or(|b| r < b.0)
            {
                best = Some((r, holder));
            }
        }
        match best {
            Some((r, holder)) => Walk {
                to: great_circle_point(walk.from, walk.to, r),
                kept_out: Some(holder),
                ..walk
            },
            None => walk,
        }
    }

    fn sample(&mut self, t: Timestamp) {
        let net = &self.geo.network;
        for i in 0..self.agents.len() {
            let a = &self.agents[i];
            let sample = match (&a.doing, a.place) {
                (Doing::Driving(d), _) => Sample {
                    t,
                    at: d.pos().location(net),
                    status: a.status,
                },
                (_, Where::Aboard(v)) => Sample {
                    t,
                    at: self.agents[v]
                        .samples
                        .last()
                        .map_or(self.location(v), |s| s.at),
                    status: Status::Aboard,
                },
                _ => Sample {
                    t,
                    at: self.location(i),
                    status: a.status,
                },
            };
            self.agents[i].samples.push(sample);
        }
    }

    fn finish(mut self) -> RunResult {
        let s = self.scenario;
        let lasts: Vec<Sample> = (0..self.agents.len()).map(|i| self.last(i)).collect();
        // Each agent's trail and samples move into its run. People read their vehicle's trail,
        // so theirs are made first; vehicles come first among the agents, and in the runs.
        let mut all = std::mem::take(&mut self.agents);
        let first_people = (all.iter())
            .position(|a| matches!(a.role, Role::People { .. }))
            .unwrap_or(all.len());
        let (vehicles, people) = all.split_at_mut(first_people);
        // Most agents end where another does (people aboard their vehicle, buses at the same
        // cut): each distinct position is classified once.
        let mut seen = Classified::new();
        let people: Vec<AgentRun> = (people.iter_mut().zip(&lasts[first_people..]))
            .map(|(p, &last)| self.people_run(p, vehicles, last, &mut seen))
            .collect();
        let mut agents = Vec::with_capacity(lasts.len());
        agents.extend(
            (vehicles.iter_mut().zip(&lasts))
                .map(|(v, &last)| self.vehicle_run(v, last, &mut seen)),
        );
        agents.extend(people);
        let sample_times = if self.lean {
            vec![s.end]
        } else {
            self.sample_times()
        };
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
            edges: s.edges.clone(),
            places: s.places.clone(),
        }
    }

    /// Agent `i`'s last sample, or where it is at the end if it has none.
    fn last(&self, i: usize) -> Sample {
        let a = &self.agents[i];
        a.samples.last().copied().unwrap_or(Sample {
            t: self.scenario.end,
            at: self.location(i),
            status: a.status,
        })
    }

    /// What the run made of vehicle `v`, whose last sample is `last`.
    /// Takes what the run keeps of `v`'s, and leaves the rest.
    fn vehicle_run(&self, v: &mut Agent, last: Sample, seen: &mut Classified) -> AgentRun {
        let s = self.scenario;
        let Role::Vehicle { group, kind, .. } = v.role else {
            unreachable!("vehicle_run is given vehicles")
        };
        AgentRun {
            id: std::mem::take(&mut v.id),
            kind: AgentKind::Vehicle {
                group: s.vehicle_groups[group].id.clone(),
                kind,
            },
            track: closed_track(std::mem::take(&mut v.trail.track), last),
            samples: std::mem::take(&mut v.samples),
            passages: std::mem::take(&mut v.trail.passages),
            travelled: v.trail.travelled,
            end: self.classify(last.at, v.status, v.since, seen),
        }
    }

    /// People `p`'s run, whose last sample is `last`: their vehicle's track (of `vehicles`) up
    /// to when they left it, then their own. Takes what the run keeps of `p`'s.
    fn people_run(
        &self,
        p: &mut Agent,
        vehicles: &[Agent],
        last: Sample,
        seen: &mut Classified,
    ) -> AgentRun {
        let s = self.scenario;
        let Role::People {
            group,
            count,
            vehicle,
        } = p.role
        else {
            unreachable!("people_run is given people")
        };
        let v = &vehicles[vehicle];
        let g = &s.people_groups[group];
        let left = p.left_at.unwrap_or(s.end);
        // Room for the end point too (`closed_track`): one allocation.
        let mut track = Vec::with_capacity(v.trail.track.len() + p.trail.track.len() + 1);
        track.extend(v.trail.track.iter().filter(|tp| tp.t <= left));
        track.extend_from_slice(&p.trail.track);
        track.dedup_by(|a, b| a.t == b.t && a.at == b.at);
        // Aboard a vehicle the account has lost track of, they are lost track of too.
        let (status, since) = match p.left_at {
            None if v.status == Status::Unaccounted => (Status::Unaccounted, v.since),
            None => (Status::Aboard, s.start),
            Some(_) => (p.status, p.since),
        };
        let ridden: Metres = if p.trail.is_lean() && p.left_at.is_some() {
            Metres::ZERO
        } else if p.left_at.is_some() {
            let ridden: Vec<&TrackPoint> = v.trail.track.iter().filter(|tp| tp.t <= left).collect();
            let to_vertices: Metres = ridden.windows(2).map(|w| w[0].at.distance(w[1].at)).sum();
            // And from the vehicle's last vertex to where they got off, partway along a segment.
            let beyond = match (ridden.last(), p.trail.track.first()) {
                (Some(v), Some(off)) => v.at.distance(off.at),
                _ => Metres::ZERO,
            };
            to_vertices + beyond
        } else {
            v.trail.travelled
        };
        let passages = v
            .trail
            .passages
            .iter()
            .copied()
            .filter(|ps| ps.entered < left)
            .chain(std::mem::take(&mut p.trail.passages))
            .collect();
        AgentRun {
            id: std::mem::take(&mut p.id),
            kind: AgentKind::People {
                group: g.id.clone(),
                kind: g.kind,
                count,
                vehicle: v.id.clone(),
                left_vehicle: p.left_at,
            },
            track: closed_track(track, last),
            samples: std::mem::take(&mut p.samples),
            passages,
            travelled: ridden + p.trail.travelled,
            end: self.classify(last.at, status, since, seen),
        }
    }

    /// Where an agent ended: whose ground (against this realization's zone edges), and the
    /// nearest place. `seen` memoises by position within one run, whose edges are fixed.
    fn classify(
        &self,
        at: LonLat,
        status: Status,
        since: Timestamp,
        seen: &mut Classified,
    ) -> EndState {
        let key = (at.lon.to_bits(), at.lat.to_bits());
        let &mut (zone, nearest_place, to_nearest_place) =
            seen.entry(key).or_insert_with(|| self.where_is(at));
        EndState {
            at,
            status,
            since,
            zone,
            nearest_place,
            to_nearest_place,
        }
    }

    /// Whose ground `at` is at the end, the nearest place and how far it is.
    fn where_is(&self, at: LonLat) -> (Holder, PlaceId, Metres) {
        let geo = self.geo;
        let zone = geo
            .zones
            .holder_at_shifted(
                at,
                self.scenario
                    .end
                    .min(geo.zones.coverage().1 - SignedDuration::from_secs(1)),
                &self.scenario.edges,
            )
            .map_or(Holder::NONE, |c| c.holder);
        let (nearest_place, to_nearest_place) = geo
            .gazetteer
            .nearest(at)
            .expect("Geography refuses an empty gazetteer");
        (zone, nearest_place, to_nearest_place)
    }
}

/// End positions already classified, by the bits of (lon, lat).
type Classified = std::collections::BTreeMap<(u64, u64), (Holder, PlaceId, Metres)>;

/// What is closed between two sync points: to everyone, and to road vehicles (which also may not
/// use desert tracks); and of that, what a mover that does not detour knows of (only the bars).
/// Built once each time a closure comes into force, not for every agent at every sync point.
struct InForce {
    /// How many closures are in force.
    count: usize,
    all: Closed,
    road: Closed,
    /// Only the bars: to everyone, and to road vehicles.
    bars: Closed,
    road_bars: Closed,
    /// The routes round each set a mover may plan round ([`InForce::known`]), and round the same
    /// without its bars: each looked up in the route cache the first time a mover plans round
    /// it, then shared by every drive planned until the closures change.
    routes: [std::cell::OnceCell<std::rc::Rc<memo::Under>>; 8],
}

impl InForce {
    fn new(count: usize, all: Closed, road_barred: &Closed) -> Self {
        let with_roads = |mut c: Closed| {
            c.extend(road_barred);
            c
        };
        let bars = Closed::no_entry(all.no_entry.clone());
        Self {
            count,
            road: with_roads(all.clone()),
            road_bars: with_roads(bars.clone()),
            all,
            bars,
            routes: Default::default(),
        }
    }

    /// What a `traveller` may not use.
    fn barred(&self, traveller: Traveller) -> &Closed {
        match traveller {
            Traveller::Road => &self.road,
            Traveller::Track => &self.all,
        }
    }

    /// What a `traveller` plans round: everything closed with `detour`, else only the bars.
    fn known(&self, detour: bool, traveller: Traveller) -> &Closed {
        match (detour, traveller) {
            (true, _) => self.barred(traveller),
            (false, Traveller::Road) => &self.road_bars,
            (false, Traveller::Track) => &self.bars,
        }
    }

    /// The routes round what a `traveller` plans round ([`InForce::known`]), or round that
    /// without its bars (`unbarred`), from `routes`.
    fn routes(
        &self,
        (routes, memo): (&Routes, &RouteMemo),
        detour: bool,
        traveller: Traveller,
        unbarred: bool,
    ) -> &memo::Under {
        let index = usize::from(detour)
            | usize::from(traveller == Traveller::Track) << 1
            | usize::from(unbarred) << 2;
        self.routes[index].get_or_init(|| {
            let known = self.known(detour, traveller);
            if unbarred {
                memo.under(routes, &known.without_bars())
            } else {
                memo.under(routes, known)
            }
        })
    }
}

/// The times in two sorted lists, sorted, each once.
fn merged(a: &[Timestamp], b: &[Timestamp]) -> Vec<Timestamp> {
    let mut all = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let t = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if y < x => {
                j += 1;
                y
            }
            (Some(&x), _) => {
                i += 1;
                x
            }
            (None, Some(&y)) => {
                j += 1;
                y
            }
            (None, None) => break,
        };
        if all.last() != Some(&t) {
            all.push(t);
        }
    }
    all
}

/// A track that ends where its agent is at the end, even partway along a segment.
fn closed_track(mut track: Vec<TrackPoint>, last: Sample) -> Vec<TrackPoint> {
    if track.last().is_none_or(|p| p.at != last.at) {
        track.push(TrackPoint {
            t: last.t,
            at: last.at,
        });
    }
    track
}

/// `<kind>-<group>-<nn>`, as `format!("{kind}-{group}-{n:02}")` writes it, without the
/// formatting machinery: every realization names every agent again.
fn agent_id(kind: &str, group: &str, n: usize) -> String {
    // Written from the right: a usize has at most 20 digits.
    let mut digits = [0u8; 20];
    let mut first = digits.len();
    let mut rest = n;
    while rest > 0 || digits.len() - first < 2 {
        first -= 1;
        digits[first] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let digits = &digits[first..];
    let mut id = String::with_capacity(kind.len() + group.len() + digits.len() + 2);
    id.push_str(kind);
    id.push('-');
    id.push_str(group);
    id.push('-');
    id.extend(digits.iter().map(|&d| char::from(d)));
    id
}

/// The mean position of some road nodes, if there are any.
fn centre(net: &crate::network::RoadNetwork, nodes: &BTreeSet<NodeIndex>) -> Option<LonLat> {
    let n = nodes.len() as f64;
    (n > 0.0).then(|| {
        let (lon, lat) = nodes
            .iter()
            .map(|&v| net.node(v))
            .fold((0.0, 0.0), |(x, y), p| (x + p.lon, y + p.lat));
        LonLat::new(lon / n, lat / n)
    })
}

/// The first fraction of a straight walk `length` long at which `is_in` holds, to within about
/// 10 m: it looks every kilometre, then halves the last interval. `None` if it never holds (or
/// holds from the start, which is not a crossing).
fn first_crossing(length: Metres, is_in: impl Fn(f64) -> bool) -> Option<f64> {
    if is_in(0.0) {
        return None;
    }
    let steps = (length.km().ceil() as usize).clamp(1, 100_000);
    let mut before = 0.0;
    let after = (1..=steps).map(|k| k as f64 / steps as f64).find(|&r| {
        let hit = is_in(r);
        if !hit {
            before = r;
        }
        hit
    })?;
    let (mut lo, mut hi) = (before, after);
    while (hi - lo) * length.0 > 10.0 {
        let mid = (lo + hi) / 2.0;
        if is_in(mid) { hi = mid } else { lo = mid }
    }
    Some(lo)
}

#[cfg(test)]
#[test]
fn sync_times_are_both_lists_in_order_each_once() {
    let t = |h: i64| Timestamp::from_second(h * 3600).unwrap();
    let samples = [t(0), t(1), t(2), t(3)];
    let others = [t(-1), t(1), t(1), t(5)];
    let all = [t(-1), t(0), t(1), t(2), t(3), t(5)];
    assert_eq!(merged(&samples, &others), all);
    assert_eq!(merged(&others, &samples), all);
    assert_eq!(merged(&[], &others), [t(-1), t(1), t(5)]);
    assert_eq!(merged(&samples, &[]), samples);
}

#[cfg(test)]
#[test]
fn agent_ids_read_as_format_writes_them() {
    for n in [0, 1, 9, 10, 99, 100, 1234, 17_000, usize::MAX] {
        assert_eq!(agent_id("bus", "a_b", n), format!("bus-a_b-{n:02}"));
    }
}

/// The point a fraction `ratio` of the way from `a` to `b` along the great circle.
fn great_circle_point(a: LonLat, b: LonLat, ratio: f64) -> LonLat {
    use geo::{Haversine, InterpolatePoint};
    Haversine
        .point_at_ratio_between(a.point(), b.point(), ratio.clamp(0.0, 1.0))
        .into()
}

#[cfg(test)]
mod tests;

/// Runs `scenario` with its own seed.
pub fn run(scenario: &Scenario, geo: &Geography) -> RunResult {
    Simulation::new(scenario, geo, scenario.seed).run()
}

/// Runs `scenario` with another seed.
pub fn run_with_seed(scenario: &Scenario, geo: &Geography, seed: u64) -> RunResult {
    Simulation::new(scenario, geo, seed).run()
}

/// Runs `scenario` with another seed, keeping what `record` says.
pub fn run_recording(scenario: &Scenario, geo: &Geography, seed: u64, record: Record) -> RunResult {
    Simulation::new(scenario, geo, seed).recording(record).run()
}
