//! The engine's events in words: the engine reports facts (which agent, which scenario event,
//! why it stopped), and this is the one place they become the sentences of `events.geojson`,
//! the KML and the maps.

use crate::Geography;
use crate::engine::{AgentKind, Happening, RunResult, SimEvent, Stop, Travel};
use crate::scenario::{EventKind, Scenario, VehicleKind};

/// The title of a comparison of `scenarios`: the convoy named by where it set out, when every
/// account has it set out from the same place (nothing here knows which convoy it is).
pub fn compare_title<'a>(scenarios: impl IntoIterator<Item = &'a Scenario>) -> String {
    let all: Vec<&Scenario> = scenarios.into_iter().collect();
    let origin = all.first().map(|s| &s.convoy.origin);
    match origin {
        Some(o) if all.iter().all(|s| s.convoy.origin.place == o.place) => format!(
            "{} accounts of the convoy from {}, compared",
            all.len(),
            o.written
        ),
        _ => format!("{} accounts, compared", all.len()),
    }
}

/// What event `e` of `result` says, as one line.
pub fn detail(e: &SimEvent, result: &RunResult, scenario: &Scenario, geo: &Geography) -> String {
    let gaz = &geo.gazetteer;
    let agent = e.agent.map(|i| &result.agents[i].kind);
    // Vehicles are "it", groups of people "them".
    let pronoun = match agent {
        Some(AgentKind::People { .. }) => "them",
        _ => "it",
    };
    let vehicle = agent.and_then(AgentKind::vehicle);
    match e.what {
        Happening::Departed => format!("from {}", gaz.label(e.at)),
        Happening::Arrived(Travel::Drove) => gaz.label(e.at),
        Happening::Arrived(Travel::Carried) => format!("carried to {}", gaz.label(e.at)),
        Happening::Arrived(Travel::Walked) => format!("on foot at {}", gaz.label(e.at)),
        Happening::Stalled(Stop::NoRoute { place, .. }) => {
            let name = &gaz.get(place).name;
            match vehicle {
                Some(VehicleKind::Bus) => format!("no open bus road to {name}"),
                Some(k) => format!("no road open to {} to {name}", k.plural()),
                None => format!("no open road to {name}"),
            }
        }
        Happening::Stalled(Stop::ClosedAhead) => format!("road closed at {}", gaz.label(e.at)),
        Happening::Stalled(Stop::ClosedUnder) => format!("the road closed under {pronoun}"),
        Happening::KeptOut(holder) => {
            format!("kept out of {holder} ground, at {}", gaz.label(e.at))
        }
        Happening::RoadClosed { event }
        | Happening::Strike { event }
        | Happening::ZoneBarred { event } => scenario_event(scenario, geo, event),
        Happening::LeftVehicle(from) => match agent {
            Some(AgentKind::People { count, kind, .. }) => {
                format!("{count} {} left the {}", kind.as_str(), from.plural())
            }
            _ => format!("left the {}", from.plural()),
        },
        Happening::Unaccounted => format!("the account loses track of {pronoun} here"),
    }
}

/// What scenario event `index` did, with its note.
fn scenario_event(scenario: &Scenario, geo: &Geography, index: usize) -> String {
    let gaz = &geo.gazetteer;
    let e = &scenario.events[index];
    let label = match &e.kind {
        EventKind::CloseRoadAt { site, .. } => format!("road cut at {}", gaz.get(site.place).name),
        EventKind::CloseRoad { from, to, .. } => format!(
            "road closed between {} and {}",
            gaz.get(from.place).name,
            gaz.get(to.place).name
        ),
        EventKind::StrikeNear { site } => format!("strike near {}", gaz.get(site.place).name),
        EventKind::BarZone { holder, .. } => {
            format!("the convoy is barred from {holder} ground")
        }
    };
    match &e.note {
        Some(n) => format!("{label}: {n}"),
        None => label,
    }
}
