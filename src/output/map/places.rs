//! Place dots and names. Every place the account names — where the convoy sets out, where its plans
//! go, where its events happen, where its claims put people — is labelled whatever the crowding;
//! places in the reports come next; other towns only where their names fit.

use std::collections::BTreeSet;

use plotters::prelude::*;

use super::draw::{Area, bold, draw, font, label, text_size};
use super::labels::{Occupied, place};
use super::projection::Projection;
use super::style;
use super::{RenderError, Scene};
use crate::gazetteer::PlaceId;
use crate::scenario::{EventKind, Region, Scenario, Site};

/// Every place the scenario names: origin, plan destinations, event sites and claim places.
pub(super) fn used_places(s: &Scenario) -> BTreeSet<PlaceId> {
    let sites = |sites: &[Site]| sites.iter().map(|s| s.place).collect::<Vec<_>>();
    let steps = s.destinations().map(|site| vec![site.place]);
    let events = s.events.iter().map(|e| match &e.kind {
        EventKind::CloseRoadAt { site, .. } | EventKind::StrikeNear { site } => vec![site.place],
        EventKind::CloseRoad { from, to, .. } => vec![from.place, to.place],
        EventKind::BarZone { .. } => vec![],
    });
    let claims = s.claims.iter().map(|c| match &c.region {
        Region::Near { sites: near, .. } => sites(near),
        Region::Zone(_) => vec![],
    });
    steps
        .chain(events)
        .chain(claims)
        .flatten()
        .chain([s.convoy.origin.place])
        .collect()
}

/// Which places a pass labels: those the account names and those in the reports, before the
/// events' labels; the rest after them, where room is left.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    Named,
    Rest,
}

/// Draws the places of one pass. Strike sites are left to the event drawn on them, which names
/// the event and its time.
pub(super) fn places<DB: DrawingBackend>(
    area: &Area<DB>,
    scene: &Scene<'_>,
    p: &Projection,
    occupied: &mut Occupied,
    (compact, pass): (bool, Pass),
) -> Result<(), RenderError> {
    let gaz = &scene.geo.gazetteer;
    let used = used_places(scene.scenario);
    let mut order: Vec<_> = gaz
        .places()
        .filter(|(_, pl)| pl.kind != "strike_site")
        .map(|(id, pl)| {
            let rank = if used.contains(&id) {
                0
            } else if !pl.in_reports.is_empty() {
                1
            } else if matches!(pl.kind.as_str(), "city" | "town") {
                2
            } else {
                3
            };
            (rank, id, pl)
        })
        .filter(|&(rank, ..)| (rank <= 1) == (pass == Pass::Named))
        .collect();
    order.sort_by_key(|&(rank, id, _)| (rank, id.0));
    let size = if compact { 11.0 } else { 13.0 };
    for (rank, _, pl) in order {
        let (x, y) = p.px(pl.location());
        let important = rank <= 1;
        if !p.frame.contains((x, y)) || (compact && !important) {
            continue;
        }
        let dot = (x - 3, y - 3, x + 3, y + 3);
        if !occupied.free(dot, p.frame) && !important {
            continue;
        }
        let label_style = if important {
            bold(size)
        } else {
            font(size - 1.0).color(&style::MUTED)
        };
        let name = if pl.uncertainty_km >= 10.0 && !compact {
            format!("{} (±{} km)", pl.name, pl.uncertainty_km)
        } else {
            pl.name.clone()
        };
        let text = text_size(area, &name, &label_style);
        let placed = place(occupied, p.frame, (x, y), text, 5, rank == 0);
        if let Some(placed) = placed {
            label(area, &name, (x, y), placed, &label_style)?;
        }
        if placed.is_some() || important {
            draw(area, Circle::new((x, y), 3, style::TEXT.filled()))?;
            occupied.take(dot);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_places_an_account_names_are_all_used() {
        let geo = crate::Geography::embedded().unwrap();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/coalition_townsend.toml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let s = Scenario::from_toml(&text, path, "coalition_townsend", &geo).unwrap();
        let names: Vec<&str> = used_places(&s)
            .into_iter()
            .map(|id| geo.gazetteer.get(id).name.as_str())
            .collect();
        // Origin, a plan's destination, a strike's site and the road cut's.
        for name in [
            "Qalamoun enclave",
            "Hamaymah",
            "T2 pumping station",
            "Hamaymah road cut",
        ] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
    }
}
