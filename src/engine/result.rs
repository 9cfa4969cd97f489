//! What a run produces: a plain value that every output reads, and nothing else.

use jiff::Timestamp;
use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::gazetteer::PlaceId;
use crate::scenario::{PeopleKind, VehicleKind};
use crate::units::{LonLat, Metres};
use crate::zones::Holder;

/// What an agent is doing, or how it ended.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Has not set off yet.
    Waiting,
    /// Driving, walking or being carried.
    Moving,
    /// Holding position by plan (a wait, a time or distance limit reached).
    Halted,
    /// Stopped by a closed road.
    Stalled,
    /// Reached the last destination of its plan.
    Arrived,
    /// People still aboard their vehicle.
    Aboard,
    /// The account loses track of it here (its last known point).
    Unaccounted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Moving => "moving",
            Status::Halted => "halted",
            Status::Stalled => "stalled",
            Status::Arrived => "arrived",
            Status::Aboard => "aboard",
            Status::Unaccounted => "unaccounted",
        }
    }
}

/// Which agent.
#[derive(Clone, Debug, PartialEq)]
pub enum AgentKind {
    Vehicle {
        /// The bus or vehicle group's id in the scenario.
        group: String,
        kind: VehicleKind,
    },
    People {
        group: String,
        kind: PeopleKind,
        count: u32,
        /// Id of the vehicle agent they set off in.
        vehicle: String,
        /// When they left it, if they did.
        left_vehicle: Option<Timestamp>,
    },
}

impl AgentKind {
    /// One of the convoy's buses.
    pub fn is_bus(&self) -> bool {
        matches!(
            self,
            AgentKind::Vehicle {
                kind: VehicleKind::Bus,
                ..
            }
        )
    }

    /// The vehicle's kind, for vehicles.
    pub fn vehicle(&self) -> Option<VehicleKind> {
        match self {
            AgentKind::Vehicle { kind, .. } => Some(*kind),
            AgentKind::People { .. } => None,
        }
    }

    /// What the `agent` field of every layer calls it: the vehicle's kind (`bus`, `ambulance`…)
    /// or `people`.
    pub fn agent_type(&self) -> &'static str {
        match self {
            AgentKind::Vehicle { kind, .. } => kind.as_str(),
            AgentKind::People { .. } => "people",
        }
    }

    /// People who have left the vehicle they set off in: when.
    pub fn left_vehicle(&self) -> Option<Timestamp> {
        match self {
            AgentKind::People { left_vehicle, .. } => *left_vehicle,
            AgentKind::Vehicle { .. } => None,
        }
    }

    /// How many people the agent is: its head count for people, none for a vehicle.
    pub fn people(&self) -> u32 {
        match self {
            AgentKind::People { count, .. } => *count,
            AgentKind::Vehicle { .. } => 0,
        }
    }
}

/// A position at a time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackPoint {
    pub t: Timestamp,
    pub at: LonLat,
}

/// An agent's state at a recording time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub t: Timestamp,
    pub at: LonLat,
    pub status: Status,
}

/// One traversal of one road segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Passage {
    pub segment: EdgeIndex,
    /// The node the agent entered the segment from, and the node it was heading for.
    pub from: NodeIndex,
    pub to: NodeIndex,
    pub entered: Timestamp,
    /// When the agent left the segment, or `None` if it was still on it at the end (or stopped).
    pub left: Option<Timestamp>,
}

/// Where an agent ended, classified.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EndState {
    pub at: LonLat,
    pub status: Status,
    /// When the agent last moved or changed status.
    pub since: Timestamp,
    pub zone: Holder,
    pub nearest_place: PlaceId,
    pub to_nearest_place: Metres,
}

/// One agent's run.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentRun {
    /// Stable id: `bus-<group>-<nn>`, `<kind>-<group>-<nn>` for other vehicles, or
    /// `people-<group>-<nn>`.
    pub id: String,
    pub kind: AgentKind,
    /// Every vertex passed and every stop, in time order.
    pub track: Vec<TrackPoint>,
    /// State at each of [`RunResult::sample_times`].
    pub samples: Vec<Sample>,
    pub passages: Vec<Passage>,
    pub travelled: Metres,
    pub end: EndState,
}

/// What happened, in time order (same-time events in the order they happened). Facts only: the
/// words are written where the event is shown (`output::words`).
#[derive(Clone, Debug, PartialEq)]
pub struct SimEvent {
    pub seq: u64,
    pub t: Timestamp,
    pub at: LonLat,
    /// Index into [`RunResult::agents`] of the agent concerned, if any.
    pub agent: Option<usize>,
    pub what: Happening,
}

/// How a mover got where it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Travel {
    /// A vehicle, under its own power.
    Drove,
    /// People, carried by other vehicles.
    Carried,
    /// People, on foot.
    Walked,
}

/// Why a mover stopped short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// No open road to its destination: the road-graph node it was bound for.
    NoRoute { to: NodeIndex, place: PlaceId },
    /// A closed road or a cut ahead.
    ClosedAhead,
    /// The road closed under it, mid-segment.
    ClosedUnder,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Happening {
    /// A vehicle set off.
    Departed,
    Arrived(Travel),
    Stalled(Stop),
    /// A mover stopped at the edge of ground barred to the convoy.
    KeptOut(Holder),
    /// Scenario event `event` (an index into its events) closed a road.
    RoadClosed {
        event: usize,
    },
    /// Scenario event `event` recorded a strike.
    Strike {
        event: usize,
    },
    /// Scenario event `event` barred the convoy from a holder's ground.
    ZoneBarred {
        event: usize,
    },
    /// People left the vehicle they set off in, of this kind.
    LeftVehicle(VehicleKind),
    /// The account loses track of the agent here.
    Unaccounted,
}

impl Happening {
    pub fn kind(&self) -> SimEventKind {
        match self {
            Happening::Departed => SimEventKind::Departed,
            Happening::Arrived(_) => SimEventKind::Arrived,
            Happening::Stalled(_) => SimEventKind::Stalled,
            Happening::KeptOut(_) => SimEventKind::KeptOut,
            Happening::RoadClosed { .. } => SimEventKind::RoadClosed,
            Happening::Strike { .. } => SimEventKind::Strike,
            Happening::ZoneBarred { .. } => SimEventKind::ZoneBarred,
            Happening::LeftVehicle(_) => SimEventKind::LeftBuses,
            Happening::Unaccounted => SimEventKind::Unaccounted,
        }
    }
}

impl SimEvent {
    pub fn kind(&self) -> SimEventKind {
        self.what.kind()
    }

    /// The index of the scenario event this comes from, for the events a scenario entry causes.
    pub fn scenario_event(&self) -> Option<usize> {
        match self.what {
            Happening::RoadClosed { event }
            | Happening::Strike { event }
            | Happening::ZoneBarred { event } => Some(event),
            _ => None,
        }
    }
}

/// The kinds of event, as files name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SimEventKind {
    Departed,
    Arrived,
    Stalled,
    KeptOut,
    RoadClosed,
    Strike,
    ZoneBarred,
    LeftBuses,
    Unaccounted,
}

impl SimEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SimEventKind::Departed => "departed",
            SimEventKind::Arrived => "arrived",
            SimEventKind::Stalled => "stalled",
            SimEventKind::KeptOut => "kept_out",
            SimEventKind::RoadClosed => "road_closed",
            SimEventKind::Strike => "strike",
            SimEventKind::ZoneBarred => "zone_barred",
            SimEventKind::LeftBuses => "left_buses",
            SimEventKind::Unaccounted => "unaccounted",
        }
    }
}

impl AgentRun {
    /// Where the agent was at `t`: on the straight line between the track points either side,
    /// at the first point before the track starts and at the last after it ends.
    pub fn position_at(&self, t: Timestamp) -> LonLat {
        let after = self.track.partition_point(|p| p.t <= t);
        match (
            after.checked_sub(1).map(|i| self.track[i]),
            self.track.get(after),
        ) {
            (None, Some(first)) => first.at,
            (Some(last), None) => last.at,
            (Some(a), Some(b)) => {
                let span = b.t.duration_since(a.t).as_secs_f64();
                let f = if span > 0.0 {
                    t.duration_since(a.t).as_secs_f64() / span
                } else {
                    1.0
                };
                LonLat::new(
                    a.at.lon + f * (b.at.lon - a.at.lon),
                    a.at.lat + f * (b.at.lat - a.at.lat),
                )
            }
            (None, None) => self.end.at,
        }
    }
}

/// Everything a run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub scenario: String,
    pub seed: u64,
    pub start: Timestamp,
    pub end: Timestamp,
    pub sample_times: Vec<Timestamp>,
    /// Vehicles first, in scenario order (buses first), then people groups.
    pub agents: Vec<AgentRun>,
    pub events: Vec<SimEvent>,
    /// The zone edges the run classified positions against (the scenario's: nominal in a single
    /// run, drawn in a realization); whoever classifies this run's positions again uses them.
    pub edges: crate::zones::EdgeShifts,
    /// Where the run put places drawn within their uncertainty (the scenario's); whoever judges
    /// this run's positions against a place uses them.
    pub places: crate::gazetteer::Drawn,
}

impl RunResult {
    /// The convoy's buses.
    pub fn buses(&self) -> impl Iterator<Item = &AgentRun> {
        self.agents.iter().filter(|a| a.kind.is_bus())
    }

    /// Every vehicle: the buses and any others.
    pub fn vehicles(&self) -> impl Iterator<Item = &AgentRun> {
        self.agents
            .iter()
            .filter(|a| matches!(a.kind, AgentKind::Vehicle { .. }))
    }

    pub fn people(&self) -> impl Iterator<Item = &AgentRun> {
        self.agents
            .iter()
            .filter(|a| matches!(a.kind, AgentKind::People { .. }))
    }
}
