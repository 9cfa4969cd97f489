//! `timeline.png`: distance covered against time, a line per bus (and per group of people once off
//! the buses), with road cuts and strikes marked on the time axis. Time is ticked on whole days or
//! 12-hour marks (UTC); a road cut whose hour the scenario assumed is dashed and says so.

use jiff::Timestamp;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::events::{event_hour_assumed, when};
use super::style;
use super::{RenderError, Scene, Size};
use crate::engine::{AgentKind, AgentRun, SimEventKind};
use crate::scenario::Scenario;

/// The most time labels the axis carries.
const MAX_TICKS: usize = 12;

/// Tick times from `start` to `end`: every 12 hours (00:00 and 12:00 UTC) when no more than `max`
/// fall in the span, else every whole day (00:00 UTC), or every 2, 4, … days. A run too short to
/// hold two 12-hour marks is ticked on whole hours (every 6, 3, 2 or 1), so its axis is read too.
pub(super) fn time_ticks(start: Timestamp, end: Timestamp, max: usize) -> Vec<Timestamp> {
    const HOUR: i64 = 3600;
    let (from, to) = (start.as_second(), end.as_second());
    let marks = |step: i64| -> Vec<i64> {
        let first = from.div_euclid(step) * step + if from % step == 0 { 0 } else { step };
        (0..)
            .map(|k| first + k * step)
            .take_while(|&t| t <= to)
            .take(max.max(1) + 1)
            .collect()
    };
    let long = std::iter::successors(Some(12 * HOUR), |s| {
        (*s < 4096 * 24 * HOUR).then_some(*s * 2)
    })
    .map(marks)
    .find(|m| m.len() <= max.max(1))
    .unwrap_or_default();
    let ticks = if long.len() >= 2 {
        long
    } else {
        [6 * HOUR, 3 * HOUR, 2 * HOUR, HOUR]
            .into_iter()
            .map(marks)
            .find(|m| m.len() >= 2 && m.len() <= max.max(1))
            .unwrap_or(long)
    };
    ticks
        .into_iter()
        .filter_map(|t| Timestamp::from_second(t).ok())
        .collect()
}

/// The row, from the top, of each label spanning `(left, right)` px: the first where it overlaps
/// no label already set, so labels of events close in time stack instead of overprinting.
fn label_rows(spans: &[(i32, i32)]) -> Vec<usize> {
    let mut rows: Vec<usize> = Vec::with_capacity(spans.len());
    for (i, &(l, r)) in spans.iter().enumerate() {
        let taken = |row: usize| {
            spans[..i]
                .iter()
                .zip(&rows)
                .any(|(&(pl, pr), &pr_row)| pr_row == row && l < pr + 6 && pl < r + 6)
        };
        rows.push((0..).find(|&row| !taken(row)).unwrap_or(0));
    }
    rows
}

/// A tick's label: the day, and the hour where it is noon.
fn tick_label(t: Timestamp) -> String {
    if t.as_second().rem_euclid(86_400) == 0 {
        t.strftime("%-d %b").to_string()
    } else {
        t.strftime("%-d %b %H:%M").to_string()
    }
}

/// A group's line in the legend: how many it is and its name in words, not its id.
fn group_label(scenario: &Scenario, group: &str, people: bool) -> String {
    let words = group.replace(['_', '-'], " ");
    if people {
        let found = scenario.people_groups.iter().find(|g| g.id == group);
        match found {
            Some(g) => format!("{} {}: {words} (off the buses)", g.count, g.kind.as_str()),
            None => format!("{words} (off the buses)"),
        }
    } else {
        match scenario.vehicle_groups.iter().find(|g| g.id == group) {
            Some(g) if g.vehicles == 1 => format!("1 {}: {words}", g.kind.as_str()),
            Some(g) => format!("{} {}: {words}", g.vehicles, g.kind.plural()),
            None => format!("{words} (vehicles)"),
        }
    }
}

/// Group colours for the lines: distinct, and readable on white.
/// Red is left out: it marks the road cut.
const PALETTE: [RGBColor; 7] = [
    RGBColor(35, 60, 120),
    RGBColor(26, 152, 80),
    RGBColor(240, 140, 50),
    RGBColor(118, 42, 131),
    RGBColor(60, 180, 190),
    RGBColor(120, 120, 120),
    RGBColor(180, 140, 40),
];

fn hours(t: Timestamp, start: Timestamp) -> f64 {
    t.duration_since(start).as_secs_f64() / 3600.0
}

/// (hours since start, km covered) at every track point, held level to the end of the run.
fn series(a: &AgentRun, start: Timestamp, end: Timestamp) -> Vec<(f64, f64)> {
    let mut km = 0.0;
    let mut out = Vec::with_capacity(a.track.len());
    for (i, p) in a.track.iter().enumerate() {
        if i > 0 {
            km += a.track[i - 1].at.distance(p.at).km();
        }
        out.push((hours(p.t, start), km));
    }
    if let Some(&(h, km)) = out.last() {
        let end_h = hours(end, start);
        if end_h > h {
            out.push((end_h, km));
        }
    }
    out
}

fn group_of(a: &AgentRun) -> &str {
    match &a.kind {
        AgentKind::Vehicle { group, .. } => group,
        AgentKind::People { group, .. } => group,
    }
}

/// The chart of distance (km) against hours since the run's start.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Time marks on the axis: a grid line, a tick and a label at each of `ticks`.
fn draw_ticks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Chart<'_, DB>,
    ticks: &[Timestamp],
    (start, max_km): (Timestamp, f64),
    size: Size,
) -> Result<(), RenderError> {
    for &t in ticks {
        let h = hours(t, start);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(h, 0.0), (h, max_km)],
                RGBColor(200, 200, 200).stroke_width(1),
            )))
            .map_err(RenderError::from)?;
        let (x, y) = chart.backend_coord(&(h, 0.0));
        let text = tick_label(t);
        let st = ("sans-serif", 14.0)
            .into_font()
            .color(&style::TEXT)
            .pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&PathElement::new(
            vec![(x, y), (x, y + 5)],
            style::TEXT.stroke_width(1),
        ))
        .map_err(RenderError::from)?;
        // The last mark may stand at the plot's right edge: its label is kept on the image.
        let half = root
            .estimate_text_size(&text, &st)
            .map_or(0, |(w, _)| w as i32 / 2);
        let cx = x.min(size.width as i32 - 4 - half);
        root.draw(&Text::new(text, (cx, y + 8), st))
            .map_err(RenderError::from)?;
    }

    Ok(())
}

/// Road cuts and strikes: a vertical line at each, dashed where the scenario assumed the hour,
/// labelled at the top.
fn draw_events<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Chart<'_, DB>,
    scene: &Scene<'_>,
    (start, max_km): (Timestamp, f64),
) -> Result<(), RenderError> {
    // Road cuts and strikes: vertical lines, each (kind, time) once, with a label at the top.
    let mut marks: Vec<(SimEventKind, Timestamp, bool)> = scene
        .result
        .events
        .iter()
        .filter(|e| matches!(e.kind(), SimEventKind::RoadClosed | SimEventKind::Strike))
        .map(|e| (e.kind(), e.t, event_hour_assumed(scene.scenario, e)))
        .collect();
    marks.dedup();
    let plot_right = chart.plotting_area().get_pixel_range().0.end;
    let mut spans: Vec<(i32, i32)> = Vec::new();
    let mut labels: Vec<(String, TextStyle<'_>)> = Vec::new();
    for &(kind, t, assumed) in &marks {
        let h = hours(t, start);
        let colour = if kind == SimEventKind::RoadClosed {
            style::ROAD_CUT
        } else {
            style::STRIKE
        };
        // An hour the scenario assumed is drawn dashed, and the label gives only the day.
        let line = vec![(h, 0.0), (h, max_km)];
        if assumed {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                line,
                8,
                6,
                colour.stroke_width(2),
            )))
        } else {
            chart.draw_series(std::iter::once(PathElement::new(
                line,
                colour.stroke_width(2),
            )))
        }
        .map_err(RenderError::from)?;
        let what = if kind == SimEventKind::RoadClosed {
            "road cut"
        } else {
            "strike"
        };
        let text = format!("{what} {}", when(t, assumed));
        let st = ("sans-serif", 13.0, FontStyle::Bold)
            .into_font()
            .color(&colour);
        let w = root
            .estimate_text_size(&text, &st)
            .map_or(100, |(w, _)| w as i32);
        // Right of its line, or left of it where it would run off the plot.
        let x = chart.backend_coord(&(h, max_km)).0;
        let x0 = if x + 4 + w <= plot_right {
            x + 4
        } else {
            x - 4 - w
        };
        spans.push((x0, x0 + w));
        labels.push((text, st));
    }
    let top = chart.backend_coord(&(0.0, max_km)).1;
    for (((text, st), (x0, x1)), row) in labels.into_iter().zip(&spans).zip(label_rows(&spans)) {
        let y = top + 2 + row as i32 * 16;
        root.draw(&Rectangle::new(
            [(*x0 - 2, y - 1), (*x1 + 2, y + 15)],
            WHITE.mix(0.8).filled(),
        ))
        .map_err(RenderError::from)?;
        root.draw(&Text::new(
            text,
            (*x0, y),
            st.pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(RenderError::from)?;
    }
    Ok(())
}

pub(super) fn timeline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scene: &Scene<'_>,
    size: Size,
) -> Result<(), RenderError> {
    root.fill(&WHITE).map_err(RenderError::from)?;
    let r = scene.result;
    let start = r.start;
    let span_h = hours(r.end, start).max(1.0);
    let all: Vec<(&AgentRun, Vec<(f64, f64)>)> = r
        .agents
        .iter()
        .map(|a| (a, series(a, start, r.end)))
        .collect();
    let max_km = all
        .iter()
        .flat_map(|(_, s)| s.iter().map(|p| p.1))
        .fold(10.0, f64::max)
        * 1.05;

    let title = format!(
        "{} — distance covered over time",
        scene.scenario.account.title
    );
    let ticks = time_ticks(start, r.end, MAX_TICKS);
    let title_style = ("sans-serif", 24.0, FontStyle::Bold)
        .into_font()
        .color(&style::TEXT);
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_style)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..span_h, 0.0..max_km)
        .map_err(RenderError::from)?;
    let label_font = ("sans-serif", 14.0).into_font().color(&style::TEXT);
    // Time ticks are drawn here, on the marks `time_ticks` chose, not where plotters would.
    chart
        .configure_mesh()
        .x_labels(0)
        .y_label_formatter(&|km| format!("{km:.0}"))
        .x_desc("time (UTC)")
        .y_desc("km covered since setting out")
        .label_style(label_font.clone())
        .axis_desc_style(label_font.clone())
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(RenderError::from)?;

    draw_ticks(root, &mut chart, &ticks, (start, max_km), size)?;
    draw_events(root, &mut chart, scene, (start, max_km))?;

    let mut groups: Vec<&str> = Vec::new();
    for (a, _) in &all {
        let g = group_of(a);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    for (gi, g) in groups.iter().enumerate() {
        let colour = PALETTE[gi % PALETTE.len()];
        let mut labelled = false;
        for (a, s) in all.iter().filter(|(a, _)| group_of(a) == *g) {
            let people = matches!(a.kind, AgentKind::People { .. });
            // People are drawn once off their bus; aboard, the bus's line is theirs.
            let from = match &a.kind {
                AgentKind::People {
                    left_vehicle: Some(t),
                    ..
                } => hours(*t, start),
                AgentKind::People {
                    left_vehicle: None, ..
                } => continue,
                AgentKind::Vehicle { .. } => 0.0,
            };
            let pts: Vec<(f64, f64)> = s.iter().copied().filter(|p| p.0 >= from).collect();
            if pts.len() < 2 {
                continue;
            }
            let series = if people {
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    pts,
                    6,
                    4,
                    colour.stroke_width(2),
                )))
            } else {
                chart.draw_series(std::iter::once(PathElement::new(
                    pts,
                    colour.mix(0.7).stroke_width(2),
                )))
            }
            .map_err(RenderError::from)?;
            if !labelled {
                let name = group_label(scene.scenario, g, people);
                series.label(name).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
                });
                labelled = true;
            }
        }
    }
    chart
        .configure_series_labels()
        .label_font(label_font)
        .background_style(WHITE.mix(0.85))
        .border_style(style::BORDER)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(RenderError::from)?;
    let foot = ("sans-serif", 12.0)
        .into_font()
        .color(&style::MUTED)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw(&Text::new(
        format!(
            "Scenario {} · seed {} · convoy-sim {}",
            scene.scenario.name,
            r.seed,
            env!("CARGO_PKG_VERSION")
        ),
        (20, size.height as i32 - 6),
        foot,
    ))
    .map_err(RenderError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_short_run_is_ticked_every_12_hours_on_00_and_12_utc() {
        let ticks = time_ticks(t("2017-08-29T03:30:00Z"), t("2017-09-01T10:00:00Z"), 12);
        let texts: Vec<String> = ticks.iter().map(|&x| tick_label(x)).collect();
        assert_eq!(
            texts,
            [
                "29 Aug 12:00",
                "30 Aug",
                "30 Aug 12:00",
                "31 Aug",
                "31 Aug 12:00",
                "1 Sep"
            ]
        );
    }

    #[test]
    fn a_longer_run_is_ticked_on_whole_days() {
        // 5.5 days: 11 marks of 12 hours would fit 12, so 12 hours; with room for 6, whole days.
        let (start, end) = (t("2017-08-29T00:00:00Z"), t("2017-09-03T12:00:00Z"));
        let ticks = time_ticks(start, end, 6);
        assert_eq!(ticks.len(), 6);
        assert!(ticks.iter().all(|x| x.as_second() % 86_400 == 0));
        assert_eq!((ticks[0], ticks[5]), (start, t("2017-09-03T00:00:00Z")));
        let half_days = time_ticks(start, end, 12);
        assert_eq!(half_days.len(), 12);
        assert!(half_days.iter().all(|x| x.as_second() % 43_200 == 0));
    }

    #[test]
    fn a_run_of_a_few_hours_is_ticked_on_whole_hours() {
        let ticks = time_ticks(t("2017-08-29T03:00:00Z"), t("2017-08-29T04:00:00Z"), 12);
        assert_eq!(
            ticks,
            [t("2017-08-29T03:00:00Z"), t("2017-08-29T04:00:00Z")]
        );
        let ticks = time_ticks(t("2017-08-29T01:30:00Z"), t("2017-08-29T13:00:00Z"), 12);
        let texts: Vec<String> = ticks.iter().map(|&x| tick_label(x)).collect();
        assert_eq!(texts, ["29 Aug 06:00", "29 Aug 12:00"]);
    }

    #[test]
    fn labels_of_events_close_in_time_stack_and_others_share_the_top_row() {
        let spans = [(100, 300), (120, 260), (400, 500), (250, 420)];
        assert_eq!(label_rows(&spans), [0, 1, 0, 2]);
    }

    #[test]
    fn ticks_never_exceed_the_most_asked_for() {
        let (start, end) = (t("2017-08-01T00:00:00Z"), t("2017-12-01T00:00:00Z"));
        let ticks = time_ticks(start, end, 12);
        assert!(!ticks.is_empty() && ticks.len() <= 12, "{}", ticks.len());
        assert!(ticks.iter().all(|x| x.as_second() % 86_400 == 0));
    }
}
