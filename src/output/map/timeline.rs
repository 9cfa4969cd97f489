//! `timeline.png`: distance covered against time, a line per bus (and per group of people once off
//! the buses), with road cuts and strikes marked on the time axis.

use jiff::{SignedDuration, Timestamp};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style;
use super::{RenderError, Scene, Size};
use crate::engine::{AgentKind, AgentRun, SimEventKind};

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
    let step = if span_h > 96.0 { 12.0 } else { 6.0 };
    chart
        .configure_mesh()
        .x_labels((span_h / step).ceil() as usize + 1)
        .x_label_formatter(&|h| {
            let t = start + SignedDuration::from_secs_f64(h * 3600.0);
            t.strftime("%-d %b %H:%M").to_string()
        })
        .y_label_formatter(&|km| format!("{km:.0}"))
        .x_desc("time (UTC)")
        .y_desc("km covered since setting out")
        .label_style(label_font.clone())
        .axis_desc_style(label_font.clone())
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(RenderError::from)?;

    // Road cuts and strikes: vertical lines with a label at the top.
    for e in r
        .events
        .iter()
        .filter(|e| matches!(e.kind(), SimEventKind::RoadClosed | SimEventKind::Strike))
    {
        let h = hours(e.t, start);
        let colour = if e.kind() == SimEventKind::RoadClosed {
            style::ROAD_CUT
        } else {
            style::STRIKE
        };
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(h, 0.0), (h, max_km)],
                colour.stroke_width(2),
            )))
            .map_err(RenderError::from)?;
        let label = if e.kind() == SimEventKind::RoadClosed {
            "road cut"
        } else {
            "strike"
        };
        let st = ("sans-serif", 13.0, FontStyle::Bold)
            .into_font()
            .color(&colour)
            .pos(Pos::new(HPos::Left, VPos::Top));
        chart
            .draw_series(std::iter::once(Text::new(
                format!(" {label}"),
                (h, max_km),
                st,
            )))
            .map_err(RenderError::from)?;
    }

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
                let name = if people {
                    format!("{g} (on foot / carried)")
                } else {
                    format!("{g} (buses)")
                };
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
