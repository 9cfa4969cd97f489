//! A tornado chart for briefings: one horizontal bar per input, largest first, an inner bar inside
//! each, 95% intervals as whiskers, the input's name beside its bar and the figures after it. It
//! draws a [`Tornado`], which says nothing of Sobol or Morris: `output::sensitivity` fills it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{bold, draw, fit_text, font, put_text, text_width, wrap};
use super::style::{MUTED, TEXT};
use super::{RenderError, Size};

/// The outer bar, pale so the inner bar and the whiskers read on it.
const OUTER: RGBColor = RGBColor(160, 190, 222);
const INNER: RGBColor = RGBColor(30, 78, 150);
const WHISKER: RGBColor = RGBColor(25, 25, 25);
/// The inner bar's whisker, light on the dark bar.
const INNER_WHISKER: RGBColor = RGBColor(245, 170, 40);
const GRID: RGBColor = RGBColor(215, 215, 215);

/// Bars drawn at most; the rest are counted in a line under the chart.
pub const MAX_BARS: usize = 40;
const WIDTH: u32 = 1400;
const ROW: i32 = 52;
/// Title (two lines), subtitle, axis, reading line and legend.
const HEADER_AND_FOOTER: u32 = 300;

/// What a tornado chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    pub title: String,
    pub subtitle: String,
    /// What the horizontal axis measures.
    pub axis: String,
    /// Top to bottom; the caller sorts them.
    pub bars: Vec<TornadoBar>,
    /// The axis's span; the bars and whiskers are clipped to it.
    pub range: (f64, f64),
    pub legend_outer: String,
    pub legend_inner: String,
    pub legend_whisker: Option<String>,
    /// Said instead of bars when there are none to draw (say, the output never varied).
    pub empty: String,
    /// How to read the chart, one line under the axis; empty for none.
    pub reading: String,
}

/// One input's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoBar {
    pub label: String,
    pub outer: f64,
    pub outer_interval: Option<(f64, f64)>,
    pub inner: f64,
    pub inner_interval: Option<(f64, f64)>,
    /// The figures written after the bar.
    pub figures: String,
}

impl Tornado {
    /// The chart's size: as tall as its bars need.
    pub fn size(&self) -> Size {
        let rows = self.bars.len().clamp(1, MAX_BARS) as u32;
        Size {
            width: WIDTH,
            height: HEADER_AND_FOOTER + ROW as u32 * rows,
        }
    }
}

/// The chart as PNG bytes.
pub fn tornado_png(t: &Tornado) -> Result<Vec<u8>, RenderError> {
    super::png(t.size(), |root| tornado(root, t))
}

/// Pixels of the chart's parts, worked out once.
struct Layout {
    left: i32,
    right: i32,
    top: i32,
    range: (f64, f64),
}

impl Layout {
    fn x(&self, v: f64) -> i32 {
        let (lo, hi) = self.range;
        let f = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        self.left + (f * (self.right - self.left) as f64).round() as i32
    }
    fn row_mid(&self, row: usize) -> i32 {
        self.top + ROW * row as i32 + ROW / 2
    }
}

fn tornado<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Tornado,
) -> Result<(), RenderError> {
    root.fill(&WHITE).map_err(RenderError::from)?;
    let (w, h) = (WIDTH as i32, t.size().height as i32);
    let top = heading(root, t, w)?;
    let shown = &t.bars[..t.bars.len().min(MAX_BARS)];
    let label_w = shown
        .iter()
        .map(|b| text_width(root, &b.label, &font(19.0)))
        .max()
        .unwrap_or(0)
        .clamp(120, w * 30 / 100);
    let layout = Layout {
        left: 40 + label_w + 16,
        right: w - 250,
        top: top + 16,
        range: t.range,
    };
    let bottom = layout.top + ROW * shown.len().max(1) as i32;
    grid(root, &layout, bottom, &t.axis)?;
    if shown.is_empty() {
        let text = fit_text(root, &t.empty, &font(20.0), layout.right - layout.left);
        put_text(
            root,
            &text,
            (layout.left + 12, layout.row_mid(0)),
            &font(20.0),
            HPos::Left,
            VPos::Center,
        )?;
    }
    for (row, bar) in shown.iter().enumerate() {
        draw_bar(root, &layout, row, bar, label_w)?;
    }
    let mut notes = vec![t.reading.clone()];
    if t.bars.len() > shown.len() {
        let more = t.bars.len() - shown.len();
        notes.push(format!(
            "… and {more} more inputs, smaller, in sensitivity.csv"
        ));
    }
    let mut y = bottom + 66;
    for note in notes.iter().filter(|n| !n.is_empty()) {
        let note = fit_text(root, note, &font(16.0), w - 80);
        let muted = font(16.0).color(&MUTED);
        put_text(root, &note, (40, y), &muted, HPos::Left, VPos::Top)?;
        y += 24;
    }
    legend(root, t, (y + 30).min(h - 30))
}

/// Title (bold, up to two lines) and subtitle; returns where the chart may start.
fn heading<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Tornado,
    w: i32,
) -> Result<i32, RenderError> {
    let mut y = 24;
    for line in wrap(root, &t.title, &bold(30.0), w - 80).iter().take(2) {
        put_text(root, line, (40, y), &bold(30.0), HPos::Left, VPos::Top)?;
        y += 38;
    }
    let sub = fit_text(root, &t.subtitle, &font(18.0), w - 80);
    put_text(
        root,
        &sub,
        (40, y + 4),
        &font(18.0).color(&MUTED),
        HPos::Left,
        VPos::Top,
    )?;
    Ok(y + 40)
}

/// Vertical grid lines at round values, their figures under the chart, and the axis's name.
fn grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Layout,
    bottom: i32,
    axis: &str,
) -> Result<(), RenderError> {
    let (lo, hi) = l.range;
    let step = tick_step(hi - lo);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    for i in first..=last {
        let v = i as f64 * step;
        let x = l.x(v);
        let colour = if i == 0 { MUTED } else { GRID };
        draw(
            root,
            PathElement::new(
                vec![(x, l.top - 6), (x, bottom + 4)],
                colour.stroke_width(if i == 0 { 2 } else { 1 }),
            ),
        )?;
        let figure = format!("{:.*}", decimals(step), v);
        put_text(
            root,
            &figure,
            (x, bottom + 10),
            &font(16.0),
            HPos::Center,
            VPos::Top,
        )?;
    }
    let mid = (l.left + l.right) / 2;
    put_text(
        root,
        axis,
        (mid, bottom + 34),
        &font(17.0).color(&MUTED),
        HPos::Center,
        VPos::Top,
    )
}

/// A round step (1, 2 or 5 times a power of ten) giving at most six intervals over `span`.
fn tick_step(span: f64) -> f64 {
    let raw = span.max(1e-12) / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * magnitude)
}

fn decimals(step: f64) -> usize {
    (-step.log10().floor()).max(0.0) as usize
}

/// One input: its name, the outer and inner bars, their whiskers and the figures.
fn draw_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Layout,
    row: usize,
    bar: &TornadoBar,
    label_w: i32,
) -> Result<(), RenderError> {
    let y = l.row_mid(row);
    let label = fit_text(root, &bar.label, &font(19.0), label_w);
    put_text(
        root,
        &label,
        (l.left - 16, y),
        &font(19.0),
        HPos::Right,
        VPos::Center,
    )?;
    let zero = l.x(0.0);
    let span = |v: f64| (zero.min(l.x(v)), zero.max(l.x(v)));
    let (a, b) = span(bar.outer);
    draw(
        root,
        Rectangle::new([(a, y - 17), (b.max(a + 1), y + 17)], OUTER.filled()),
    )?;
    let (a, b) = span(bar.inner);
    draw(
        root,
        Rectangle::new([(a, y - 7), (b.max(a + 1), y + 7)], INNER.filled()),
    )?;
    if let Some(i) = bar.outer_interval {
        whisker(root, l, i, y - 12, WHISKER)?;
    }
    if let Some(i) = bar.inner_interval {
        whisker(root, l, i, y, INNER_WHISKER)?;
    }
    let intervals = [bar.outer_interval, bar.inner_interval];
    let end = (intervals.iter().flatten()).fold(l.x(bar.outer), |e, i| e.max(l.x(i.1)));
    put_text(
        root,
        &bar.figures,
        (end.max(zero) + 10, y),
        &font(16.0).color(&TEXT),
        HPos::Left,
        VPos::Center,
    )
}

/// An interval as a line with end caps at height `y`.
fn whisker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Layout,
    (lo, hi): (f64, f64),
    y: i32,
    colour: RGBColor,
) -> Result<(), RenderError> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Ok(());
    }
    let (a, b) = (l.x(lo), l.x(hi));
    let ink = colour.stroke_width(2);
    draw(root, PathElement::new(vec![(a, y), (b, y)], ink))?;
    draw(root, PathElement::new(vec![(a, y - 5), (a, y + 5)], ink))?;
    draw(root, PathElement::new(vec![(b, y - 5), (b, y + 5)], ink))
}

/// The key under the chart: what the outer bar, the inner bar and the whiskers mean.
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Tornado,
    y: i32,
) -> Result<(), RenderError> {
    let style = font(17.0);
    let mut x = 40;
    for (half, colour, text) in [(12, OUTER, &t.legend_outer), (5, INNER, &t.legend_inner)] {
        let swatch = Rectangle::new([(x, y - half), (x + 44, y + half)], colour.filled());
        draw(root, swatch)?;
        put_text(root, text, (x + 54, y), &style, HPos::Left, VPos::Center)?;
        x += 54 + text_width(root, text, &style) + 36;
    }
    if let Some(text) = &t.legend_whisker {
        // Both whiskers, as the bars carry them: the outer bar's above, the inner bar's below.
        let key = Layout {
            left: x,
            right: x + 44,
            top: 0,
            range: (0.0, 1.0),
        };
        whisker(root, &key, (0.0, 1.0), y - 6, WHISKER)?;
        whisker(root, &key, (0.0, 1.0), y + 6, INNER_WHISKER)?;
        put_text(root, text, (x + 54, y), &style, HPos::Left, VPos::Center)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_at_most_six_to_the_span() {
        assert_eq!(tick_step(1.0), 0.2);
        assert_eq!(tick_step(1.1), 0.2);
        assert_eq!(tick_step(3.0), 0.5);
        assert_eq!(tick_step(40.0), 10.0);
        assert_eq!(decimals(0.2), 1);
        assert_eq!(decimals(10.0), 0);
    }
}
