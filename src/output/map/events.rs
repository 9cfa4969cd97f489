//! Road cuts and strikes on a map: their symbols, and a label that says when — with only the date
//! where the scenario says the hour was assumed, so the map shows no precision the sources lack.

use jiff::Timestamp;
use plotters::prelude::*;

use super::draw::{Area, bold, draw, label, text_size};
use super::labels::{Occupied, PxBox, place};
use super::projection::Projection;
use super::style;
use super::{RenderError, Scene};
use crate::engine::{SimEvent, SimEventKind};
use crate::scenario::{Event, Scenario};

/// A road cut or strike to draw: where, when, and the half-size of its symbol.
pub(super) struct EventMark {
    kind: SimEventKind,
    at: (i32, i32),
    t: Timestamp,
    hour_assumed: bool,
    half: i32,
}

impl EventMark {
    pub(super) fn bounds(&self) -> PxBox {
        let (x, y, s) = (self.at.0, self.at.1, self.half);
        (x - s, y - s, x + s, y + s)
    }
}

/// The scenario entry an engine event comes from, for the events a scenario entry causes.
pub(super) fn scenario_entry<'s>(scenario: &'s Scenario, e: &SimEvent) -> Option<&'s Event> {
    e.scenario_event().and_then(|i| scenario.events.get(i))
}

/// Whether a scenario entry's `assumed` note says its hour (or time) is not reported: then `at`
/// is a placeholder hour and the map must not show it.
pub(super) fn hour_assumed(entry: &Event) -> bool {
    entry.assumed.as_deref().is_some_and(|note| {
        note.to_lowercase()
            .split(|c: char| !c.is_alphabetic())
            .any(|w| matches!(w, "hour" | "hours" | "time" | "when"))
    })
}

/// When an event happened, as far as the scenario knows: "30 Aug 06:00", or "30 Aug (hour
/// assumed)".
pub(super) fn when(t: Timestamp, hour_assumed: bool) -> String {
    if hour_assumed {
        format!("{} (hour assumed)", t.strftime("%-d %b"))
    } else {
        t.strftime("%-d %b %H:%M").to_string()
    }
}

/// Whether the scenario says the hour of this engine event is assumed.
pub(super) fn event_hour_assumed(scenario: &Scenario, e: &SimEvent) -> bool {
    scenario_entry(scenario, e).is_some_and(hour_assumed)
}

/// Road cuts and strikes in the frame, each once per place.
pub(super) fn event_marks(scene: &Scene<'_>, p: &Projection, compact: bool) -> Vec<EventMark> {
    let mut marks: Vec<EventMark> = Vec::new();
    for e in &scene.result.events {
        if !matches!(e.kind(), SimEventKind::RoadClosed | SimEventKind::Strike) {
            continue;
        }
        let at = p.px(e.at);
        if p.frame.contains(at) && !marks.iter().any(|m| m.kind == e.kind() && m.at == at) {
            marks.push(EventMark {
                kind: e.kind(),
                at,
                t: e.t,
                hour_assumed: event_hour_assumed(scene.scenario, e),
                half: if compact { 7 } else { 9 },
            });
        }
    }
    marks
}

/// The symbols: a red cross for a road cut, an orange triangle for a strike.
pub(super) fn draw_symbols<DB: DrawingBackend>(
    area: &Area<DB>,
    marks: &[EventMark],
) -> Result<(), RenderError> {
    for m in marks {
        let ((x, y), s) = (m.at, m.half);
        if m.kind == SimEventKind::RoadClosed {
            let st = style::ROAD_CUT.stroke_width(4);
            draw(
                area,
                PathElement::new(vec![(x - s, y - s), (x + s, y + s)], st),
            )?;
            draw(
                area,
                PathElement::new(vec![(x - s, y + s), (x + s, y - s)], st),
            )?;
        } else {
            let pts = vec![(x, y - s), (x + s, y + s / 2), (x - s, y + s / 2)];
            draw(
                area,
                plotters::element::Polygon::new(pts, style::STRIKE.filled()),
            )?;
        }
    }
    Ok(())
}

/// The road cuts' labels: after the names of the places the account uses, before the others.
pub(super) fn draw_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    marks: &[EventMark],
    p: &Projection,
    occupied: &mut Occupied,
) -> Result<(), RenderError> {
    for m in marks.iter().filter(|m| m.kind == SimEventKind::RoadClosed) {
        let text = format!("road cut {}", when(m.t, m.hour_assumed));
        let st = bold(13.0).color(&style::ROAD_CUT);
        let size = text_size(area, &text, &st);
        if let Some(placed) = place(occupied, p.frame, m.at, size, m.half + 3, true) {
            label(area, &text, m.at, placed, &st)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Citation, EventKind};

    fn entry(at: &str, assumed: Option<&str>) -> Event {
        let at: jiff::Timestamp = at.parse().unwrap();
        Event {
            at,
            window: crate::scenario::Span::fixed(at),
            kind: EventKind::StrikeNear {
                site: crate::scenario::Site {
                    written: "Hamaymah".into(),
                    place: crate::gazetteer::PlaceId(0),
                    node: petgraph::graph::NodeIndex::new(0),
                    point: None,
                },
            },
            cite: Citation {
                outlet: "Rudaw".into(),
                date: jiff::civil::date(2017, 8, 31),
                quote: "q".into(),
                url: None,
                source: None,
            },
            note: None,
            assumed: assumed.map(str::to_string),
        }
    }

    #[test]
    fn an_hour_the_scenario_calls_unreported_is_not_shown() {
        let t: Timestamp = "2017-08-30T06:00:00Z".parse().unwrap();
        for note in [
            "Wednesday 30 August; the hour is not reported.",
            "Time and place are not reported: placed at the cut.",
            "Where and when is not reported: an hour after the cut.",
        ] {
            let e = entry("2017-08-30T06:00:00Z", Some(note));
            assert!(hour_assumed(&e), "{note}");
            assert_eq!(when(t, hour_assumed(&e)), "30 Aug (hour assumed)");
        }
    }

    #[test]
    fn a_reported_hour_is_shown() {
        let t: Timestamp = "2017-08-30T06:00:00Z".parse().unwrap();
        let placed_only = entry("2017-08-30T06:00:00Z", Some("Placed midway, ±25 km."));
        assert!(!hour_assumed(&placed_only));
        assert!(!hour_assumed(&entry("2017-08-30T06:00:00Z", None)));
        assert_eq!(when(t, false), "30 Aug 06:00");
    }
}
