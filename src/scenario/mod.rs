//! One source's account as a scenario: TOML text → [`raw`] serde mirror → validated and resolved
//! [`Scenario`], whose names are bound to gazetteer places and road-graph nodes.
//!
//! Validation reports every problem it finds at once, each with its line, column and key. The
//! format is documented field by field in `scenarios/README.md`; the plan steps' vocabulary is
//! one table, [`ACTIONS`], which validation, the JSON schema and that README follow.

pub mod limits;
mod problem;
pub mod raw;
mod steps;
mod validate;

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use petgraph::graph::{EdgeIndex, NodeIndex};

pub use problem::{Problem, ScenarioError};
pub use steps::{ACTIONS, Action, Mover, keys_for};

use crate::gazetteer::PlaceId;
use crate::network::{Closed, Closure, Closures, RoadPoint, Traveller};
use crate::units::Metres;
use crate::zones::Holder;

/// The seed used when a scenario names none: the date the convoy left.
pub const DEFAULT_SEED: u64 = 20_170_828;

/// Recording interval used when a scenario names none.
pub const DEFAULT_RECORD_EVERY: SignedDuration = SignedDuration::from_mins(30);

/// Walking pace averaged over day and night, including rests: 36–60 km a day.
pub const DEFAULT_WALK_KMH: Span<f64> = Span {
    low: 1.5,
    high: 2.5,
};

/// Speed of the pick-ups and trucks that carry people who left the buses.
pub const DEFAULT_CARRY_KMH: Span<f64> = Span {
    low: 40.0,
    high: 70.0,
};

/// A value drawn uniformly from `[low, high]` with the run's seeded generator; `low == high` is fixed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span<T> {
    pub low: T,
    pub high: T,
}

impl<T: Copy + PartialEq> Span<T> {
    pub fn fixed(v: T) -> Self {
        Self { low: v, high: v }
    }

    pub fn is_random(&self) -> bool {
        self.low != self.high
    }
}

impl Span<u32> {
    /// A head count's nominal value, what a single run uses: the midpoint, rounded down.
    pub fn nominal(self) -> u32 {
        self.low + (self.high - self.low) / 2
    }
}

impl std::fmt::Display for Span<u32> {
    /// `300`, or `200–300` for a range.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_random() {
            write!(f, "{}–{}", self.low, self.high)
        } else {
            write!(f, "{}", self.low)
        }
    }
}

/// Where a number, group or event comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Citation {
    /// The id of the report in the sources registry (`data/sources.toml`), if cited by id; the
    /// outlet, date and url are then the registry's.
    pub source: Option<String>,
    pub outlet: String,
    pub date: jiff::civil::Date,
    pub quote: String,
    pub url: Option<String>,
}

/// Who gives the account, and when it speaks for.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub title: String,
    pub source: String,
    pub as_of: Timestamp,
    pub cite: Citation,
    pub summary: Option<String>,
}

/// A place named in a scenario, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// As the scenario wrote it.
    pub written: String,
    pub place: PlaceId,
    /// The road-graph node the place snaps to.
    pub node: NodeIndex,
    /// Where on the road a realization puts the place, drawn within its uncertainty
    /// ([`crate::uncertainty`]): `None` is `node`, as a single run has it. Drives to the site end
    /// there.
    pub point: Option<RoadPoint>,
}

impl Site {
    /// Resolves a place name to a site on the road network, for building scenarios in code.
    pub fn resolve(geo: &crate::Geography, name: &str) -> Result<Self, crate::data::QueryError> {
        let p = geo.routed_place(name)?;
        Ok(Site {
            written: name.to_string(),
            place: p.found.id,
            node: p.node,
            point: None,
        })
    }
}

/// Who was aboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeopleKind {
    Fighters,
    Families,
    Wounded,
}

impl PeopleKind {
    pub const ALL: [PeopleKind; 3] = [
        PeopleKind::Fighters,
        PeopleKind::Families,
        PeopleKind::Wounded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PeopleKind::Fighters => "fighters",
            PeopleKind::Families => "families",
            PeopleKind::Wounded => "wounded",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Headcount {
    pub kind: PeopleKind,
    /// How many, or the range the people groups of the kind add up to.
    pub count: Span<u32>,
    pub cite: Citation,
    pub assumed: Option<String>,
}

/// The convoy as it left.
#[derive(Clone, Debug, PartialEq)]
pub struct Convoy {
    pub origin: Site,
    pub buses: u32,
    pub people: Vec<Headcount>,
    pub cite: Citation,
}

/// What a vehicle is. Buses are the convoy's and `convoy.buses` counts them; the others (the
/// Red Crescent's ambulances, the pick-ups and trucks sent to fetch people, cars) come beside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VehicleKind {
    Bus,
    Ambulance,
    Pickup,
    Truck,
    Car,
}

impl VehicleKind {
    pub const ALL: [VehicleKind; 5] = [
        VehicleKind::Bus,
        VehicleKind::Ambulance,
        VehicleKind::Pickup,
        VehicleKind::Truck,
        VehicleKind::Car,
    ];

    /// The name used in files, ids and tables (`bus`, `pickup`).
    pub fn as_str(self) -> &'static str {
        match self {
            VehicleKind::Bus => "bus",
            VehicleKind::Ambulance => "ambulance",
            VehicleKind::Pickup => "pickup",
            VehicleKind::Truck => "truck",
            VehicleKind::Car => "car",
        }
    }

    /// The plural for legends and tables (`buses`, `pick-ups`).
    pub fn plural(self) -> &'static str {
        match self {
            VehicleKind::Bus => "buses",
            VehicleKind::Ambulance => "ambulances",
            VehicleKind::Pickup => "pick-ups",
            VehicleKind::Truck => "trucks",
            VehicleKind::Car => "cars",
        }
    }

    pub fn parse(name: &str) -> Option<VehicleKind> {
        VehicleKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Which roads it may use: pick-ups and trucks take the desert tracks too.
    pub fn traveller(self) -> Traveller {
        match self {
            VehicleKind::Bus | VehicleKind::Ambulance | VehicleKind::Car => Traveller::Road,
            VehicleKind::Pickup | VehicleKind::Truck => Traveller::Track,
        }
    }
}

/// One step of a plan, for whoever may take it ([`ACTIONS`] says who: vehicles drive, people
/// ride, walk and are carried, both wait and can be lost track of).
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Drive the fastest open road to `to`. Stops early at `until`, after `stop_after_km`, or where
    /// a closure bars the way. With `detour` the route avoids closures known when the vehicle sets
    /// off; without, it takes the road it meant to and finds the closure when it gets there.
    DriveTo {
        /// One is drawn per vehicle.
        to: Vec<Site>,
        until: Option<Timestamp>,
        stop_after_km: Option<Span<f64>>,
        detour: bool,
    },
    /// Stay aboard until this time (or the end of the run), then leave the vehicle where it is.
    /// Only as a people group's first step.
    RideUntil(Timestamp),
    /// Walk off-road, straight to `to`.
    WalkTo {
        /// One is drawn per agent.
        to: Vec<Site>,
        speed: Span<f64>,
    },
    /// Be met and carried by other vehicles over any road or track to `to`.
    CarriedTo {
        /// One is drawn per agent.
        to: Vec<Site>,
        speed: Span<f64>,
        by: Option<String>,
        detour: bool,
    },
    WaitUntil(Timestamp),
    WaitHours(Span<f64>),
    /// The account loses track of them here.
    Unaccounted,
}

impl Step {
    /// The places the step may send its mover to (one is drawn per agent).
    pub fn destinations(&self) -> &[Site] {
        match self {
            Step::DriveTo { to, .. } | Step::WalkTo { to, .. } | Step::CarriedTo { to, .. } => to,
            _ => &[],
        }
    }

    /// Whether the step draws anything at random (so another seed changes the run).
    pub fn is_random(&self) -> bool {
        match self {
            Step::DriveTo {
                to, stop_after_km, ..
            } => to.len() > 1 || stop_after_km.is_some_and(|s| s.is_random()),
            Step::WalkTo { to, speed } | Step::CarriedTo { to, speed, .. } => {
                to.len() > 1 || speed.is_random()
            }
            Step::WaitHours(h) => h.is_random(),
            Step::RideUntil(_) | Step::WaitUntil(_) | Step::Unaccounted => false,
        }
    }
}

/// Vehicles of one kind that do the same thing: a `[[bus_group]]` (buses) or a
/// `[[vehicle_group]]` (any other kind).
#[derive(Clone, Debug, PartialEq)]
pub struct VehicleGroup {
    pub id: String,
    pub kind: VehicleKind,
    pub vehicles: u32,
    pub speed: Span<f64>,
    pub depart: Span<Timestamp>,
    pub plan: Vec<Step>,
    pub cite: Citation,
    pub assumed: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PeopleGroup {
    pub id: String,
    pub kind: PeopleKind,
    /// How many, as the scenario gives it: a number, or a range drawn in each realization of an
    /// ensemble ([`crate::uncertainty`]).
    pub count: Span<u32>,
    /// How many this run has, within `count`: [`Span::nominal`] as read, drawn in a realization.
    pub people: u32,
    /// Index into [`Scenario::vehicle_groups`]: the vehicles they set off in.
    pub aboard: usize,
    pub plan: Vec<Step>,
    pub cite: Citation,
    pub assumed: Option<String>,
}

/// What happens at an event.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// The road is cut at a point: nothing passes through it from then on. The point is the
    /// place's road vertex, or, drawn within the place's uncertainty ([`crate::uncertainty`]), a
    /// point partway along its road.
    CloseRoadAt {
        site: Site,
        point: Option<RoadPoint>,
    },
    /// The stretch of road between two places closes.
    CloseRoad {
        from: Site,
        to: Site,
        segments: BTreeSet<EdgeIndex>,
    },
    /// Vehicles approaching the convoy are struck near a place; convoy agents are untouched.
    StrikeNear { site: Site },
    /// From then on no vehicle or person of the convoy enters ground this holder holds (as held
    /// at the event's time): routes go round it, and a mover heading in stops at its edge.
    BarZone {
        holder: Holder,
        /// The road nodes in that ground, which may not be entered from outside it.
        nodes: BTreeSet<NodeIndex>,
    },
}

impl EventKind {
    /// What the event closes from its time on, if anything: the one rule for it, which the engine
    /// and the reach bound in `check` both follow.
    pub fn closes(&self) -> Option<Closed> {
        match self {
            EventKind::CloseRoadAt { point: Some(p), .. } => Some(Closed::cut(p.edge, p.along)),
            EventKind::CloseRoadAt { site, .. } => Some(Closed::nodes([site.node].into())),
            EventKind::CloseRoad { segments, .. } => Some(Closed::segments(segments.clone())),
            EventKind::BarZone { nodes, .. } => Some(Closed::no_entry(nodes.clone())),
            EventKind::StrikeNear { .. } => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// When it happens in this run: the earliest of `window`, or a time drawn within it.
    pub at: Timestamp,
    /// When it may have happened, as the scenario gives it (`low == high` if it gives one time).
    pub window: Span<Timestamp>,
    pub kind: EventKind,
    pub cite: Citation,
    pub note: Option<String>,
    pub assumed: Option<String>,
}

/// Whom a claim counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Buses,
    /// People of one kind, or of every kind.
    People(Option<PeopleKind>),
}

impl Subject {
    /// The name used in files and reports (`buses`, `people`, `fighters`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Buses => "buses",
            Subject::People(None) => "people",
            Subject::People(Some(k)) => k.as_str(),
        }
    }
}

/// Where a claim puts its subject.
#[derive(Clone, Debug, PartialEq)]
pub enum Region {
    /// Ground this holder held at the claim's time.
    Zone(Holder),
    /// Within `within` of any of these places.
    Near { sites: Vec<Site>, within: Metres },
}

/// How many a claim counts: at least `low`, and at most `high` if it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountRange {
    pub low: u32,
    pub high: Option<u32>,
}

impl CountRange {
    pub fn contains(&self, n: f64) -> bool {
        n >= self.low as f64 && self.high.is_none_or(|h| n <= h as f64)
    }
}

impl std::fmt::Display for CountRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.high {
            None => write!(f, "at least {}", self.low),
            Some(h) if h == self.low => write!(f, "exactly {h}"),
            Some(h) => write!(f, "{}–{h}", self.low),
        }
    }
}

/// Something a source says about where buses or people were by a time.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub id: String,
    pub says: String,
    pub by: Timestamp,
    pub subject: Subject,
    pub count: CountRange,
    pub region: Region,
    pub cite: Citation,
    pub assumed: Option<String>,
    /// How much the claim bears on the question, for the ACH weights (default medium).
    pub relevance: crate::credibility::Level,
    /// The claim's own credibility, overriding `data/credibility.toml`'s rating of its report.
    pub credibility: Option<crate::credibility::Level>,
}

/// Radius of a claim's `near` when it gives none.
pub const DEFAULT_NEAR: Metres = Metres(20_000.0);

/// A validated, resolved account, ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Short name: the file stem (`us_military`).
    pub name: String,
    pub account: Account,
    pub start: Timestamp,
    pub end: Timestamp,
    pub seed: u64,
    pub record_every: SignedDuration,
    pub convoy: Convoy,
    /// Bus groups in file order, then the other vehicle groups in file order.
    pub vehicle_groups: Vec<VehicleGroup>,
    pub people_groups: Vec<PeopleGroup>,
    /// In time order; same-time events keep file order.
    pub events: Vec<Event>,
    /// What the source says, for `convoy-sim check`; in file order.
    pub claims: Vec<Claim>,
    /// Uncertain inputs ([`crate::uncertainty`]) held at their nominal value in ensembles (the
    /// command line's `--fix NAME`); empty as read from a file.
    pub fixed: BTreeSet<String>,
    /// Where the zones' edges lie in this realization ([`crate::uncertainty`] draws them within
    /// each zone's `edge_km`): where the data draws them as read from a file, and in a single run.
    pub edges: crate::zones::EdgeShifts,
    /// Where places lie in this realization, for walks to them and claims near them
    /// ([`crate::uncertainty`] draws them within each place's uncertainty): their gazetteer
    /// points as read from a file, and in a single run.
    pub places: crate::gazetteer::Drawn,
}

/// The JSON Schema of scenario files, for editors that validate TOML against one.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(raw::RawScenario);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

impl Scenario {
    /// Parses, validates and resolves a scenario against `geography`. `origin` names the text in
    /// errors (its path); `name` is the scenario's short name.
    pub fn from_toml(
        text: &str,
        origin: &str,
        name: &str,
        geography: &crate::Geography,
    ) -> Result<Self, ScenarioError> {
        validate::scenario(text, origin, name, geography)
    }

    /// The scenario with every head count at the high end of its range: the most people the
    /// account allows, which is what may rule a claim out (`check`).
    pub fn with_most_people(&self) -> Scenario {
        let mut s = self.clone();
        for g in &mut s.people_groups {
            g.people = g.count.high;
        }
        s
    }

    /// Whether any value is drawn at random (so another seed changes the run).
    pub fn has_random_elements(&self) -> bool {
        self.vehicle_groups.iter().any(|g| {
            g.speed.is_random() || g.depart.is_random() || g.plan.iter().any(Step::is_random)
        }) || self
            .people_groups
            .iter()
            .any(|g| g.plan.iter().any(Step::is_random))
    }

    /// The convoy's buses, group by group.
    pub fn bus_groups(&self) -> impl Iterator<Item = &VehicleGroup> {
        self.vehicle_groups
            .iter()
            .filter(|g| g.kind == VehicleKind::Bus)
    }

    /// Every place the plans send anyone to, in plan order (with repeats).
    pub fn destinations(&self) -> impl Iterator<Item = &Site> {
        let vehicles = self.vehicle_groups.iter().flat_map(|g| &g.plan);
        let people = self.people_groups.iter().flat_map(|g| &g.plan);
        vehicles.chain(people).flat_map(Step::destinations)
    }

    /// Every closure the account's events make, from their times.
    pub fn closures(&self) -> Closures {
        let mut all = Closures::new();
        for e in &self.events {
            if let Some(closed) = e.kind.closes() {
                all.add(Closure { closed, from: e.at });
            }
        }
        all
    }

    /// The holders whose ground the account bars the convoy from, and from when.
    pub fn bars(&self) -> impl Iterator<Item = (Timestamp, Holder, &BTreeSet<NodeIndex>)> {
        self.events.iter().filter_map(|e| match &e.kind {
            EventKind::BarZone { holder, nodes } => Some((e.at, *holder, nodes)),
            _ => None,
        })
    }
}
