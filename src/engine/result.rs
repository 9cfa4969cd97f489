//! What a run produces: a plain value that every output reads, and nothing else.

use jiff::Timestamp;
use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::gazetteer::PlaceId;
use crate::scenario::PeopleKind;
use crate::units::{LonLat, Metres};
use crate::zones::Holder;

/// What an agent is doing, or how it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
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
    /// People still aboard their bus.
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
    Bus {
        /// The bus group's id in the scenario.
        group: String,
    },
    People {
        group: String,
        kind: PeopleKind,
        count: u32,
        /// Id of the bus agent they started aboard.
        bus: String,
        /// When they left it, if they did.
        left_bus: Option<Timestamp>,
    },
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
    /// Stable id: `bus-<group>-<n>` or `people-<group>`.
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

/// What happened, in time order (same-time events in the order they happened).
#[derive(Clone, Debug, PartialEq)]
pub struct SimEvent {
    pub seq: u64,
    pub t: Timestamp,
    pub at: LonLat,
    pub kind: SimEventKind,
    /// The agent concerned, if any.
    pub agent: Option<String>,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SimEventKind {
    Departed,
    Arrived,
    Stalled,
    RoadClosed,
    Strike,
    LeftBuses,
    Unaccounted,
}

impl SimEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SimEventKind::Departed => "departed",
            SimEventKind::Arrived => "arrived",
            SimEventKind::Stalled => "stalled",
            SimEventKind::RoadClosed => "road_closed",
            SimEventKind::Strike => "strike",
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
    /// Buses first, in scenario order, then people groups.
    pub agents: Vec<AgentRun>,
    pub events: Vec<SimEvent>,
}

impl RunResult {
    pub fn buses(&self) -> impl Iterator<Item = &AgentRun> {
        self.agents
            .iter()
            .filter(|a| matches!(a.kind, AgentKind::Bus { .. }))
    }

    pub fn people(&self) -> impl Iterator<Item = &AgentRun> {
        self.agents
            .iter()
            .filter(|a| matches!(a.kind, AgentKind::People { .. }))
    }
}
