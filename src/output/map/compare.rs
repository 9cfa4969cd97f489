//! `compare.png`: a panel per account on one grid, same view and scale, and one legend. The grid
//! has the columns and rows that draw the panels largest, so a dozen accounts stay readable; each
//! panel's title is whole (wrapped, never cut) and its corner says the date of its front lines.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{Area, bold, fit_text, fitting_size, font, put_text, wrap};
use super::layers::panel;
use super::legend::{fits, legend};
use super::projection::{Frame, Projection, View};
use super::style;
use super::{RenderError, Scene, Size};

const MARGIN: i32 = 12;
const TITLE_H: i32 = 64;
/// Height of a line of a panel's title, and of its second line (outlet, date, time).
const HEAD_LINE: i32 = 20;
const SUB_LINE: i32 = 22;

/// The grid for `cells` cells (panels and the legend) on a `w`×`h` area: the columns and rows
/// whose cells give `view` the most pixels per km, less `head_h` over each panel.
pub(super) fn grid(cells: usize, (w, h): (i32, i32), head_h: i32, view: View) -> (i32, i32) {
    let cells = cells.max(1) as i32;
    let scale = |cols: i32| {
        let rows = (cells + cols - 1) / cols;
        let frame = Frame {
            x: 0,
            y: 0,
            w: (w / cols - MARGIN).max(1),
            h: (h / rows - head_h - 8).max(1),
        };
        Projection::fit(view, frame).px_per_deg_lat()
    };
    let cols = (1..=cells)
        .max_by(|&a, &b| scale(a).total_cmp(&scale(b)))
        .unwrap_or(1);
    (cols, (cells + cols - 1) / cols)
}

/// How many lines the longest panel title takes at `width` px: one, or two at most.
fn title_lines<DB: DrawingBackend>(area: &Area<DB>, scenes: &[Scene<'_>], width: i32) -> i32 {
    let most = scenes
        .iter()
        .map(|s| wrap(area, &s.scenario.account.source, &bold(16.0), width).len())
        .max()
        .unwrap_or(1);
    most.clamp(1, 2) as i32
}

/// A panel's title, whole: on one or two lines at 16 px, else two lines in smaller type.
fn panel_title<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    (x, y, w): (i32, i32, i32),
) -> Result<(), RenderError> {
    let size = [16.0, 14.0, 12.0, 11.0]
        .into_iter()
        .find(|&s| wrap(area, title, &bold(s), w).len() <= 2)
        .unwrap_or(11.0);
    let lines = wrap(area, title, &bold(size), w);
    let step = if lines.len() > 1 {
        HEAD_LINE.min(size as i32 + 4)
    } else {
        0
    };
    for (k, line) in lines.iter().enumerate() {
        // Past two lines (a title of hundreds of characters) the last one is cut.
        if k == 1 && lines.len() > 2 {
            let rest = lines[1..].join(" ");
            let cut = fit_text(area, &rest, &bold(size), w);
            return put_text(
                area,
                &cut,
                (x, y + step),
                &bold(size),
                HPos::Left,
                VPos::Top,
            );
        }
        put_text(
            area,
            line,
            (x, y + k as i32 * step),
            &bold(size),
            HPos::Left,
            VPos::Top,
        )?;
    }
    Ok(())
}

/// The legend's box — left, top, width, height — in the cells after panel `panels - 1`.
fn legend_box(
    panels: usize,
    (cols, rows): (i32, i32),
    (cell_w, cell_h): (i32, i32),
) -> (i32, i32, i32, i32) {
    let i = panels as i32;
    let (c, r) = (i % cols, i / cols);
    let (x, y) = (MARGIN + c * cell_w, TITLE_H + r * cell_h);
    (
        (x),
        y,
        (cols - c) * cell_w - 2 * MARGIN,
        (rows - r) * cell_h,
    )
}

/// The grid (columns, rows) and the panels' header height: the grid that draws the panels largest
/// leaving the legend one cell, or more cells (up to three) where it does not fit whole in one.
fn layout<DB: DrawingBackend>(
    root: &Area<DB>,
    scenes: &[Scene<'_>],
    area: (i32, i32),
    view: View,
) -> (i32, i32, i32) {
    let mut legend_cells = 1;
    loop {
        let cells = scenes.len() + legend_cells;
        // The titles' lines depend on the cell width, which depends on the header height: one
        // pass with a one-line header, then the grid for the lines that width needs.
        let (cols, _) = grid(cells, area, HEAD_LINE + SUB_LINE, view);
        let lines = title_lines(root, scenes, area.0 / cols - MARGIN);
        let head_h = lines * HEAD_LINE + SUB_LINE + 4;
        let (cols, rows) = grid(cells, area, head_h, view);
        let cell = (area.0 / cols, area.1 / rows);
        let (_, _, w, h) = legend_box(scenes.len(), (cols, rows), cell);
        let p = Projection::fit(
            view,
            Frame {
                x: 0,
                y: 0,
                w: cell.0 - MARGIN,
                h: cell.1 - head_h - 8,
            },
        );
        if legend_cells == 3 || scenes.is_empty() || fits(root, scenes, &p, (w - 8, h - 40)) {
            return (cols, rows, head_h);
        }
        legend_cells += 1;
    }
}

/// `compare.png`: title, the panels, and the legend in the cells after the last panel.
pub(super) fn compare<DB: DrawingBackend>(
    root: &Area<DB>,
    scenes: &[Scene<'_>],
    view: View,
    size: Size,
) -> Result<(), RenderError> {
    root.fill(&WHITE).map_err(RenderError::from)?;
    let (w, h) = (size.width as i32, size.height as i32);
    let title = format!(
        "Where did the convoy end up? {} accounts, one map each",
        scenes.len()
    );
    let size = fitting_size(
        root,
        &title,
        &[28.0, 24.0, 20.0, 17.0],
        bold,
        w - 2 * MARGIN,
    );
    let title = fit_text(root, &title, &bold(size), w - 2 * MARGIN);
    put_text(
        root,
        &title,
        (MARGIN, MARGIN),
        &bold(size),
        HPos::Left,
        VPos::Top,
    )?;
    let area = (w - MARGIN, h - TITLE_H - 8);
    let (cols, rows, head_h) = layout(root, scenes, area, view);
    let (cell_w, cell_h) = (area.0 / cols, area.1 / rows);

    let mut projection = None;
    for (i, scene) in scenes.iter().enumerate() {
        let (c, r) = (i as i32 % cols, i as i32 / cols);
        let (x, y) = (MARGIN + c * cell_w, TITLE_H + r * cell_h);
        let frame = Frame {
            x,
            y: y + head_h,
            w: cell_w - MARGIN,
            h: cell_h - head_h - 8,
        };
        let p = Projection::fit(view, frame);
        panel(root, scene, &p, true)?;
        let a = &scene.scenario.account;
        panel_title(root, &a.source, (x, y + 2, frame.w))?;
        let line2 = format!(
            "{}, {} · as of {}",
            a.cite.outlet,
            a.cite.date,
            a.as_of.strftime("%-d %b %H:%M UTC")
        );
        let line2 = fit_text(root, &line2, &font(13.0), frame.w);
        put_text(
            root,
            &line2,
            (x, y + head_h - SUB_LINE),
            &font(13.0).color(&style::MUTED),
            HPos::Left,
            VPos::Top,
        )?;
        projection.get_or_insert(p);
    }
    let Some(p) = projection else {
        return Ok(());
    };
    // The legend takes every cell after the last panel: the rest of its row and any rows below.
    let (x, y, legend_w, legend_h) = legend_box(scenes.len(), (cols, rows), (cell_w, cell_h));
    let foot_room = if legend_w > 1200 { 24 } else { 40 };
    let bottom = legend(
        root,
        scenes,
        &p,
        (x + 8, y, legend_w),
        y + legend_h - foot_room,
        false,
    )?;
    let foot = font(12.0).color(&style::MUTED);
    let meta = format!(
        "Same extent and scale in every panel. {} convoy-sim {}",
        scenes.first().map_or("", |s| s.geo.attribution.as_str()),
        env!("CARGO_PKG_VERSION")
    );
    let mut line_y = bottom + 6;
    for line in wrap(root, &meta, &foot, legend_w) {
        if line_y + 16 > y + legend_h {
            break;
        }
        put_text(root, &line, (x + 8, line_y), &foot, HPos::Left, VPos::Top)?;
        line_y += 16;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The view of the seven accounts: wider than high, as the convoy's road runs east.
    const VIEW: View = View {
        west: 35.6,
        south: 32.4,
        east: 42.6,
        north: 36.4,
    };

    /// A canvas too small for ten rows of panels: the grid never picks frames only a few pixels
    /// high, whose scale a distance on the sphere would misjudge.
    #[test]
    fn a_small_canvas_gets_panels_of_a_real_height() {
        let wide = View {
            west: 35.6,
            south: 33.4,
            east: 42.6,
            north: 35.0,
        };
        let (cols, rows) = grid(10, (1268, 728), 66, wide);
        assert!(728 / rows - 66 - 8 >= 60, "{cols}×{rows}");
    }

    #[test]
    fn eight_cells_of_a_squarish_view_make_two_rows_of_four() {
        assert_eq!(grid(8, (2388, 1278), 46, VIEW), (4, 2));
    }

    /// Thirteen cells (12 accounts and the legend) are not squeezed into two rows of seven: the
    /// grid keeps panels at least as large as a layout of two rows would make them.
    #[test]
    fn a_dozen_accounts_get_a_grid_that_keeps_panels_large() {
        let (w, h) = (2388, 2100);
        let (cols, rows) = grid(13, (w, h), 66, VIEW);
        assert!(cols * rows >= 13);
        let panel = |cols: i32, rows: i32| {
            let frame = Frame {
                x: 0,
                y: 0,
                w: w / cols - MARGIN,
                h: h / rows - 66 - 8,
            };
            Projection::fit(VIEW, frame).px_per_deg_lat()
        };
        assert!(panel(cols, rows) >= panel(7, 2), "{cols}×{rows}");
        assert!(rows >= 3, "{cols}×{rows}");
    }
}
