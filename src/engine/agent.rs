//! The one agent model: everything that moves — a vehicle of any kind, or a group of people — is
//! an [`Agent`] with a role, a place (on a road, off-road, aboard a vehicle) and a current
//! activity, following one plan of [`Step`](crate::scenario::Step)s with one step counter.

use jiff::Timestamp;
use petgraph::graph::EdgeIndex;

use super::movement::{Drive, Pos, Trail};
use super::result::{Sample, Status};
use crate::network::{RoadNetwork, Traveller};
use crate::scenario::VehicleKind;
use crate::units::{KmPerHour, LonLat};
use crate::zones::Holder;

/// Who an agent is.
#[derive(Clone, Copy, Debug)]
pub enum Role {
    Vehicle {
        /// Index into `Scenario::vehicle_groups`.
        group: usize,
        kind: VehicleKind,
        speed: KmPerHour,
    },
    People {
        /// Index into `Scenario::people_groups`.
        group: usize,
        /// This agent's share of the group.
        count: u32,
        /// Index of the vehicle agent they set off in.
        vehicle: usize,
    },
}

impl Role {
    /// The roads the agent may use when it moves on them: its own vehicle's, or, carried, any.
    pub fn traveller(self) -> Traveller {
        match self {
            Role::Vehicle { kind, .. } => kind.traveller(),
            Role::People { .. } => Traveller::Track,
        }
    }
}

/// Where an agent is.
#[derive(Clone, Copy, Debug)]
pub enum Where {
    Road(Pos),
    /// Off the roads, on foot.
    OffRoad(LonLat),
    /// Aboard vehicle agent `.0`.
    Aboard(usize),
}

/// When people riding a vehicle leave it.
#[derive(Clone, Copy, Debug)]
pub enum Leave {
    At(Timestamp),
    /// Once the vehicle's plan has run out.
    WhenVehicleDone,
    Never,
}

/// A walk in progress, straight along the great circle.
#[derive(Clone, Copy, Debug)]
pub struct Walk {
    pub from: LonLat,
    pub to: LonLat,
    pub set_off: Timestamp,
    pub speed: KmPerHour,
    /// Where the walk ends short of its destination at the edge of barred ground: whose.
    pub kept_out: Option<Holder>,
}

/// What an agent is doing.
#[derive(Clone, Debug)]
pub enum Doing {
    /// A vehicle that has not set off yet: it departs at this time.
    Departing(Timestamp),
    Riding(Leave),
    /// Ready for its next plan step.
    Idle,
    /// Driving, or carried, along the roads.
    Driving(Drive),
    Walking(Walk),
    WaitingUntil(Timestamp),
    Done,
}

#[derive(Clone, Debug)]
pub struct Agent {
    pub id: String,
    pub role: Role,
    /// How far the agent's own time has got (it may be ahead of no sync point).
    pub clock: Timestamp,
    pub place: Where,
    /// The segment it last arrived by: the only way out of a node that is cut.
    pub arrived_via: Option<EdgeIndex>,
    /// Index of the next plan step to start.
    pub step: usize,
    pub doing: Doing,
    pub status: Status,
    /// When it last moved or changed status.
    pub since: Timestamp,
    /// When its plan ran out (people riding until the vehicle stops leave then).
    pub done_at: Option<Timestamp>,
    /// People: when they left their vehicle.
    pub left_at: Option<Timestamp>,
    pub trail: Trail,
    pub samples: Vec<Sample>,
}

impl Agent {
    /// Where the agent is, or where its vehicle is (`vehicle_at`) when aboard.
    pub fn location(&self, net: &RoadNetwork, vehicle_at: impl Fn(usize) -> LonLat) -> LonLat {
        match self.place {
            Where::Road(pos) => pos.location(net),
            Where::OffRoad(at) => at,
            Where::Aboard(v) => vehicle_at(v),
        }
    }

    /// The agent's road position, if it is on a road.
    pub fn road(&self) -> Option<Pos> {
        match self.place {
            Where::Road(pos) => Some(pos),
            _ => None,
        }
    }

    /// Stops the agent where it is, ready for its next step, with `status` from now.
    pub fn stop(&mut self, status: Status) {
        if let Doing::Driving(d) = &self.doing {
            self.arrived_via = d.last_segment().or(self.arrived_via);
            self.place = Where::Road(d.pos());
        }
        self.doing = Doing::Idle;
        self.status = status;
        self.since = self.clock;
    }

    /// Starts an activity that moves it or holds it, with `status` from now.
    pub fn begin(&mut self, doing: Doing, status: Status) {
        self.doing = doing;
        self.status = status;
        self.since = self.clock;
    }
}
