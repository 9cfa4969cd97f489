//! `map.png` (and each frame of `run.gif`): the title, the map, the legend beside it and a footer
//! that cites the account's source. Type shrinks and the footer wraps on small maps, so every word
//! of the title and citation is on the page.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{Area, bold, fit_text, fitting_size, font, put_text, wrap};
use super::layers::panel;
use super::legend::legend;
use super::projection::{Frame, Projection, View};
use super::style;
use super::{RenderError, Scene, Size};

/// Where the map frame of `map.png` starts: below the title, in from the left edge.
pub(super) const TITLE_HEIGHT: i32 = 78;
pub(super) const MAP_LEFT: i32 = 12;

/// Lines of the citation at most; a quote longer than that is cut at the end of the last.
const CITATION_LINES: usize = 3;

fn citation(scene: &Scene<'_>) -> String {
    let c = &scene.scenario.account.cite;
    match &c.source {
        Some(id) => format!("Source: {}, {} ({id}): “{}”", c.outlet, c.date, c.quote),
        None => format!("Source: {}, {}: “{}”", c.outlet, c.date, c.quote),
    }
}

/// The footer's lines: the citation (up to [`CITATION_LINES`]), then the data and run.
fn footer_lines<DB: DrawingBackend>(
    root: &Area<DB>,
    scene: &Scene<'_>,
    style: &TextStyle<'_>,
    width: i32,
) -> Vec<String> {
    let mut cite = wrap(root, &citation(scene), style, width);
    if cite.len() > CITATION_LINES {
        let rest = cite[CITATION_LINES - 1..].join(" ");
        cite.truncate(CITATION_LINES - 1);
        cite.push(fit_text(root, &rest, style, width));
    }
    let meta = format!(
        "{} Scenario {} · seed {} · convoy-sim {}",
        scene.geo.attribution,
        scene.scenario.name,
        scene.result.seed,
        env!("CARGO_PKG_VERSION")
    );
    cite.extend(wrap(root, &meta, style, width));
    cite
}

/// `map.png`: title, map, legend, footer. `mid_run` for a frame of the animation, which shows
/// where everyone is at that moment rather than where they ended.
pub(super) fn run_map<DB: DrawingBackend>(
    root: &Area<DB>,
    scene: &Scene<'_>,
    view: View,
    size: Size,
    mid_run: bool,
) -> Result<(), RenderError> {
    root.fill(&WHITE).map_err(RenderError::from)?;
    let (w, h) = (size.width as i32, size.height as i32);
    let foot = font(if w < 1200 { 11.0 } else { 13.0 }).color(&style::MUTED);
    let line_h = if w < 1200 { 15 } else { 20 };
    let footer = footer_lines(root, scene, &foot, w - 24);
    let footer_h = 14 + footer.len() as i32 * line_h;
    let legend_w = (w / 5).clamp(250, 380);
    let frame = Frame {
        x: MAP_LEFT,
        y: TITLE_HEIGHT,
        w: w - legend_w - 24,
        h: h - TITLE_HEIGHT - footer_h,
    };
    let p = Projection::fit(view, frame);
    panel(root, scene, &p, false)?;

    let account = &scene.scenario.account;
    let size = fitting_size(
        root,
        &account.title,
        &[28.0, 24.0, 21.0, 18.0],
        bold,
        w - 24,
    );
    let title = fit_text(root, &account.title, &bold(size), w - 24);
    put_text(root, &title, (12, 12), &bold(size), HPos::Left, VPos::Top)?;
    let sub = format!(
        "{} — as of {} UTC",
        account.source,
        account.as_of.strftime("%-d %B %Y, %H:%M")
    );
    let size = fitting_size(root, &sub, &[17.0, 15.0, 13.0], font, w - 24);
    let sub = fit_text(root, &sub, &font(size), w - 24);
    let sub_style = font(size).color(&style::MUTED);
    put_text(root, &sub, (12, 48), &sub_style, HPos::Left, VPos::Top)?;

    legend(
        root,
        std::slice::from_ref(scene),
        &p,
        (frame.x + frame.w + 16, TITLE_HEIGHT, legend_w - 8),
        frame.y + frame.h,
        mid_run,
    )?;
    for (k, line) in footer.iter().enumerate() {
        let y = h - footer_h + 8 + k as i32 * line_h;
        put_text(root, line, (12, y), &foot, HPos::Left, VPos::Top)?;
    }
    Ok(())
}
