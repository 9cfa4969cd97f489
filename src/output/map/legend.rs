//! The map legend: who held the ground (at each panel's own date), roads and tracks, end markers
//! by status, the ensemble's spread, events and places. It sets itself in the largest type, and
//! in one or two columns, that fits the room it has, so nothing is cut on a small map or GIF.

use jiff::Timestamp;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{Area, bold, draw, fit_text, font, put_text, text_width};
use super::layers::{SPREAD_ALPHA, zone_time};
use super::projection::Projection;
use super::style::{self, holder_colour};
use super::{RenderError, Scene};
use crate::engine::{SimEventKind, Status};
use crate::network::{ClassLabels, RoadClass};
use crate::scenario::VehicleKind;
use crate::zones::{Holder, HolderInfo};

/// What a legend line shows beside its text.
#[derive(Clone, Copy)]
enum Key {
    Heading,
    /// A zone: its fill and its outline.
    Zone(RGBColor, RGBColor),
    Line(RGBColor, u32, bool),
    Cell(RGBColor),
    BusMarker(RGBColor),
    VehicleMarker(RGBColor),
    PeopleMarker(RGBColor),
    Cut,
    Strike,
    Place,
    Note,
}

/// The legend's heading for the zones: the date they are drawn for, or the span of dates when
/// panels differ (each panel then says its own, see [`zone_stamp`]).
pub(super) fn zone_heading(times: &[Timestamp]) -> String {
    let day = |t: &Timestamp| t.strftime("%-d %b %Y").to_string();
    let mut days: Vec<(Timestamp, String)> = times.iter().map(|t| (*t, day(t))).collect();
    days.sort();
    days.dedup_by(|a, b| a.1 == b.1);
    match days.as_slice() {
        [] => "Who held the ground".to_string(),
        [(_, only)] => format!("Who held the ground, {only}"),
        [(first, _), .., (_, last)] => format!(
            "Who held the ground, {}–{last}: each panel at its date",
            first.strftime("%-d %b")
        ),
    }
}

/// The date a compare panel's zones are drawn for, written in its corner.
pub(super) fn zone_stamp(scene: &Scene<'_>) -> String {
    format!("ground held {}", zone_time(scene).strftime("%-d %b %Y"))
}

/// How the end markers' heading reads: where they ended, or, on a frame of the animation, where
/// they are at that moment.
fn markers_heading(mid_run: bool) -> &'static str {
    if mid_run {
        "Where they are now (number = count)"
    } else {
        "Where they ended (number = count)"
    }
}

/// The zones in view at any panel's time, in legend order.
fn holders<'s>(scenes: &[Scene<'s>], p: &Projection) -> Vec<&'s HolderInfo> {
    let view = p.clip_polygon();
    let mut holders: Vec<Holder> = scenes
        .iter()
        .flat_map(|s| {
            let t = zone_time(s);
            s.geo
                .zones
                .zones()
                .iter()
                .filter(move |z| z.is_valid_at(t))
                .filter(|z| geo::Intersects::intersects(&z.geometry, &view))
                .map(|z| z.holder)
        })
        .collect();
    holders.sort();
    holders.dedup();
    // Every scene of one map stands on one geography: its table names them.
    let table = scenes.first().map(|s| s.geo.zones.holders());
    (table.iter())
        .flat_map(|t| holders.iter().map(|h| t.info(*h)))
        .collect()
}

/// The legend's lines, in order.
fn entries(scenes: &[Scene<'_>], p: &Projection, mid_run: bool) -> Vec<(Key, String)> {
    let times: Vec<Timestamp> = scenes.iter().map(zone_time).collect();
    let mut statuses: Vec<Status> = scenes
        .iter()
        .flat_map(|s| s.result.agents.iter().map(|a| a.end.status))
        .collect();
    statuses.sort();
    statuses.dedup();

    let mut entries: Vec<(Key, String)> = vec![(Key::Heading, zone_heading(&times))];
    entries.extend(holders(scenes, p).into_iter().map(|h| {
        let key = Key::Zone(style::zone_fill(h), holder_colour(h));
        (key, h.label.clone())
    }));
    entries.push((Key::Note, "blank: no holder in the data".into()));
    entries.push((Key::Heading, "Roads and tracks".into()));
    // Every scene of one map stands on one geography: its table names the classes.
    let geo = scenes.first().map(|s| s.geo);
    let embedded;
    let names = match geo {
        Some(g) => &g.road_classes,
        None => {
            embedded = ClassLabels::embedded();
            &embedded
        }
    };
    let drawn =
        |class: RoadClass| geo.is_some_and(|g| g.network.roads().any(|(_, r)| r.class == class));
    for class in [
        RoadClass::Highway,
        RoadClass::Main,
        RoadClass::DesertRoad,
        RoadClass::Track,
    ] {
        let (colour, width, dashed) = style::road_style(class);
        // Secondary roads are drawn as desert roads are: where the data has only the former, the
        // line is theirs and takes their name.
        let named = match class == RoadClass::DesertRoad
            && !drawn(RoadClass::DesertRoad)
            && drawn(RoadClass::Secondary)
        {
            true => RoadClass::Secondary,
            false => class,
        };
        entries.push((Key::Line(colour, width, dashed), names.label(named).into()));
    }
    entries.push((Key::Line(style::BUS_TRACK, 3, false), "bus track".into()));
    entries.push((
        Key::Line(style::PEOPLE_TRACK, 2, true),
        "people off the buses".into(),
    ));
    entries.push((Key::Heading, markers_heading(mid_run).into()));
    entries.push((Key::BusMarker(style::MUTED), "buses".into()));
    // Other vehicles, as what they are, where an account has them.
    for kind in VehicleKind::ALL.into_iter().filter(|&k| {
        k != VehicleKind::Bus
            && scenes
                .iter()
                .any(|s| s.result.vehicles().any(|a| a.kind.vehicle() == Some(k)))
    }) {
        entries.push((Key::VehicleMarker(style::MUTED), kind.plural().into()));
    }
    entries.push((
        Key::PeopleMarker(style::MUTED),
        "people off the buses".into(),
    ));
    for s in statuses {
        let note = match s {
            Status::Aboard => "people aboard (under their bus)",
            Status::Stalled => "stalled by a closed road",
            Status::Halted => "halted",
            Status::Unaccounted => "unaccounted for (last known point)",
            Status::Arrived => "arrived",
            Status::Moving => "still moving",
            Status::Waiting => "not yet set off",
        };
        entries.push((Key::BusMarker(style::status_colour(s)), note.into()));
    }
    if let Some(runs) = scenes.iter().find_map(|s| s.ensemble.map(|e| e.runs)) {
        entries.push((
            Key::Heading,
            format!("Where they end in {runs} realizations"),
        ));
        entries.push((
            Key::Cell(style::SPREAD_BUSES),
            "buses (stronger: more often)".into(),
        ));
        entries.push((
            Key::Cell(style::SPREAD_PEOPLE),
            "people off the buses".into(),
        ));
        entries.push((
            Key::Line(style::MARGIN, 1, true),
            "how far a front may lie (drawn)".into(),
        ));
    }
    entries.push((Key::Heading, "Events and places".into()));
    let happened = |k: SimEventKind| {
        scenes
            .iter()
            .any(|s| s.result.events.iter().any(|e| e.kind() == k))
    };
    if happened(SimEventKind::RoadClosed) {
        entries.push((Key::Cut, "road cut".into()));
    }
    if happened(SimEventKind::Strike) {
        entries.push((Key::Strike, "strike on vehicles nearing the convoy".into()));
    }
    entries.push((Key::Place, "place (±km: inferred position)".into()));
    entries
}

/// A way of setting the legend: columns, row height, heading and item type sizes.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Setting {
    columns: i32,
    row: i32,
    head: f64,
    item: f64,
}

/// Type sizes from the roomiest to the tightest: row height, heading and item sizes.
const TYPE: [(i32, f64, f64); 3] = [(24, 16.0, 14.0), (19, 14.0, 12.0), (16, 13.0, 11.0)];

/// The settings tried, type first, then one to four columns (three and four are for the wide
/// legend under a comparison's last row): the first that fits is used.
fn settings() -> impl Iterator<Item = Setting> {
    TYPE.into_iter().flat_map(|(row, head, item)| {
        (1..=4).map(move |columns| Setting {
            columns,
            row,
            head,
            item,
        })
    })
}

/// When no line fits whole: the tightest type in one column, lines cut with an ellipsis.
const TIGHTEST: Setting = Setting {
    columns: 1,
    row: TYPE[2].0,
    head: TYPE[2].1,
    item: TYPE[2].2,
};

/// Where each entry goes, as (column, y below the legend's top), and the height of the whole:
/// headings span the columns and start a new row.
fn layout(headings: &[bool], s: Setting) -> (Vec<(i32, i32)>, i32) {
    let (mut y, mut col) = (0, 0);
    let mut at = Vec::with_capacity(headings.len());
    for &heading in headings {
        if heading {
            if col > 0 {
                y += s.row;
                col = 0;
            }
            y += if y > 0 { 6 } else { 0 };
            at.push((0, y));
            y += s.row + 2;
            continue;
        }
        at.push((col, y));
        col += 1;
        if col == s.columns {
            col = 0;
            y += s.row;
        }
    }
    (at, if col > 0 { y + s.row } else { y })
}

/// The first setting in which every entry fits `w` across and `h` down, whole.
fn fitting<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[(Key, String)],
    (w, h): (i32, i32),
) -> Option<Setting> {
    settings().find(|s| height(entries, *s) <= h && wide_enough(area, entries, *s, w))
}

/// Whether every line of the legend is whole in setting `s`, `w` px across.
fn wide_enough<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[(Key, String)],
    s: Setting,
    w: i32,
) -> bool {
    let col_w = w / s.columns;
    entries.iter().all(|(k, text)| match k {
        Key::Heading => text_width(area, text, &bold(s.head)) <= w,
        _ => text_width(area, text, &font(s.item)) <= col_w - 36,
    })
}

fn height(entries: &[(Key, String)], s: Setting) -> i32 {
    let headings: Vec<bool> = entries
        .iter()
        .map(|(k, _)| matches!(k, Key::Heading))
        .collect();
    layout(&headings, s).1
}

/// The setting to draw in: the first that fits whole; else, with too little room for all of it,
/// the shortest whose lines are whole, cut at the bottom.
fn choose<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[(Key, String)],
    (w, h): (i32, i32),
) -> Setting {
    fitting(area, entries, (w, h))
        .or_else(|| {
            settings()
                .filter(|s| wide_enough(area, entries, *s, w))
                .min_by_key(|s| height(entries, *s))
        })
        .unwrap_or(TIGHTEST)
}

/// Whether the legend of `scenes` fits whole in `w`×`h` px.
pub(super) fn fits<DB: DrawingBackend>(
    area: &Area<DB>,
    scenes: &[Scene<'_>],
    p: &Projection,
    (w, h): (i32, i32),
) -> bool {
    fitting(area, &entries(scenes, p, false), (w, h)).is_some()
}

/// The symbol of a legend line, its top left corner at `(kx, ky)`.
fn draw_key<DB: DrawingBackend>(
    area: &Area<DB>,
    key: Key,
    (kx, ky): (i32, i32),
) -> Result<(), RenderError> {
    match key {
        Key::Heading => {}
        Key::Zone(fill, outline) => {
            draw(
                area,
                Rectangle::new([(kx, ky), (kx + 24, ky + 14)], fill.filled()),
            )?;
            draw(
                area,
                Rectangle::new([(kx, ky), (kx + 24, ky + 14)], outline.stroke_width(1)),
            )?;
        }
        Key::Line(colour, width, dashed) => {
            let pts = vec![(kx, ky + 7), (kx + 24, ky + 7)];
            if dashed {
                draw(
                    area,
                    DashedPathElement::new(pts, 5, 4, colour.stroke_width(width)),
                )?;
            } else {
                draw(area, PathElement::new(pts, colour.stroke_width(width)))?;
            }
        }
        Key::Cell(c) => {
            for (k, alpha) in [SPREAD_ALPHA.0, SPREAD_ALPHA.1].into_iter().enumerate() {
                let x = kx + k as i32 * 12;
                draw(
                    area,
                    Rectangle::new([(x, ky), (x + 12, ky + 14)], c.mix(alpha).filled()),
                )?;
            }
        }
        Key::BusMarker(c) => draw(
            area,
            Rectangle::new([(kx + 4, ky), (kx + 18, ky + 14)], c.filled()),
        )?,
        Key::VehicleMarker(c) => draw(
            area,
            plotters::element::Polygon::new(
                vec![
                    (kx + 11, ky - 1),
                    (kx + 19, ky + 7),
                    (kx + 11, ky + 15),
                    (kx + 3, ky + 7),
                ],
                c.filled(),
            ),
        )?,
        Key::PeopleMarker(c) => draw(area, Circle::new((kx + 11, ky + 7), 7, c.filled()))?,
        Key::Cut => {
            let st = style::ROAD_CUT.stroke_width(3);
            draw(
                area,
                PathElement::new(vec![(kx + 5, ky), (kx + 18, ky + 13)], st),
            )?;
            draw(
                area,
                PathElement::new(vec![(kx + 5, ky + 13), (kx + 18, ky)], st),
            )?;
        }
        Key::Strike => draw(
            area,
            plotters::element::Polygon::new(
                vec![(kx + 11, ky), (kx + 19, ky + 13), (kx + 3, ky + 13)],
                style::STRIKE.filled(),
            ),
        )?,
        Key::Place => draw(
            area,
            Circle::new((kx + 11, ky + 7), 3, style::TEXT.filled()),
        )?,
        Key::Note => {}
    }
    Ok(())
}

/// Draws the legend in `(x, y, w)` down to `bottom` for `scenes` (one, or every panel of a
/// comparison); `mid_run` for a frame of the animation. Returns the y below it.
pub(super) fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    scenes: &[Scene<'_>],
    p: &Projection,
    (x, y, w): (i32, i32, i32),
    bottom: i32,
    mid_run: bool,
) -> Result<i32, RenderError> {
    if scenes.is_empty() {
        return Ok(y);
    }
    let entries = entries(scenes, p, mid_run);
    let s = choose(area, &entries, (w, bottom - y));
    let headings: Vec<bool> = entries
        .iter()
        .map(|(k, _)| matches!(k, Key::Heading))
        .collect();
    let (at, height) = layout(&headings, s);
    let col_w = w / s.columns;
    for ((key, text), (col, dy)) in entries.iter().zip(at) {
        let (kx, ky) = (x + col * col_w, y + dy);
        // What does not fit above `bottom` is left out rather than drawn over the footer.
        if ky + s.row > bottom {
            break;
        }
        if let Key::Heading = key {
            let head = bold(s.head);
            put_text(
                area,
                &fit_text(area, text, &head, w),
                (kx, ky),
                &head,
                HPos::Left,
                VPos::Top,
            )?;
            continue;
        }
        draw_key(area, *key, (kx, ky))?;
        let style = match key {
            Key::Note => font(s.item - 2.0).color(&style::MUTED),
            _ => font(s.item),
        };
        let label = fit_text(area, text, &style, col_w - 36);
        put_text(
            area,
            &label,
            (kx + 32, ky + 7),
            &style,
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok((y + height).min(bottom))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn one_date_is_named_and_different_dates_are_a_span() {
        let one = [t("2017-09-03T12:00:00Z"), t("2017-09-03T18:00:00Z")];
        assert_eq!(zone_heading(&one), "Who held the ground, 3 Sep 2017");
        let many = [
            t("2017-08-31T00:00:00Z"),
            t("2017-09-03T12:00:00Z"),
            t("2017-08-31T18:00:00Z"),
        ];
        assert_eq!(
            zone_heading(&many),
            "Who held the ground, 31 Aug–3 Sep 2017: each panel at its date"
        );
    }

    #[test]
    fn headings_span_the_columns_and_items_fill_them() {
        let s = Setting {
            columns: 2,
            row: 20,
            head: 14.0,
            item: 12.0,
        };
        let (at, h) = layout(&[true, false, false, false, true, false], s);
        assert_eq!(
            at,
            vec![(0, 0), (0, 22), (1, 22), (0, 42), (0, 68), (0, 90)]
        );
        assert_eq!(h, 110);
    }
}
