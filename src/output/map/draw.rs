//! Drawing helpers every map shares: the embedded font in its sizes, text measured, fitted,
//! wrapped and placed, and labels drawn where [`super::labels`] put them.

use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::RenderError;
use super::labels::Placement;
use super::style;

pub(super) type Area<DB> = DrawingArea<DB, Shift>;

pub(super) fn font(size: f64) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&style::TEXT)
}

pub(super) fn bold(size: f64) -> TextStyle<'static> {
    ("sans-serif", size, FontStyle::Bold)
        .into_font()
        .color(&style::TEXT)
}

pub(super) fn draw<DB: DrawingBackend, E>(area: &Area<DB>, element: E) -> Result<(), RenderError>
where
    for<'b> &'b E: PointCollection<'b, (i32, i32)>,
    E: Drawable<DB>,
{
    area.draw(&element).map_err(RenderError::from)
}

pub(super) fn text_width<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
) -> i32 {
    area.estimate_text_size(text, style)
        .map_or(text.len() as i32 * 8, |(w, _)| w as i32)
}

/// `text`, cut with an ellipsis to fit `max_w` pixels.
pub(super) fn fit_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
    max_w: i32,
) -> String {
    if text_width(area, text, style) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if text_width(area, &candidate, style) <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo].iter().collect::<String>() + "…"
}

pub(super) fn put_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    at: (i32, i32),
    style: &TextStyle<'_>,
    h: HPos,
    v: VPos,
) -> Result<(), RenderError> {
    let style = style.pos(Pos::new(h, v));
    area.draw(&Text::new(text.to_string(), at, style))
        .map_err(RenderError::from)
}

/// The largest of `sizes` at which `text` fits `width`, else the smallest.
pub(super) fn fitting_size<DB: DrawingBackend>(
    root: &Area<DB>,
    text: &str,
    sizes: &[f64],
    style: impl Fn(f64) -> TextStyle<'static>,
    width: i32,
) -> f64 {
    sizes
        .iter()
        .copied()
        .find(|&s| text_width(root, text, &style(s)) <= width)
        .unwrap_or(sizes[sizes.len() - 1])
}

/// Greedy word wrap to `max_w` pixels.
pub(super) fn wrap<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
    max_w: i32,
) -> Vec<String> {
    wrap_by(text, max_w, |t| text_width(area, t, style))
}

/// Greedy word wrap to `max_w` as `width` measures it. Every word is kept, in order; a word wider
/// than `max_w` has a line of its own.
pub(super) fn wrap_by(text: &str, max_w: i32, width: impl Fn(&str) -> i32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate) > max_w && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A label at its placement: on a pale halo that keeps it readable over tracks and zones, with a
/// line back to `point` when it stands away from it.
pub(super) fn label<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    point: (i32, i32),
    placed: Placement,
    style: &TextStyle<'_>,
) -> Result<(), RenderError> {
    let b = placed.bounds;
    if placed.leader {
        // In the label's own colour, so it is plain which label the line belongs to.
        let to = (point.0.clamp(b.0, b.2), point.1.clamp(b.1, b.3));
        let c = style.color.rgb;
        let ink = RGBColor(c.0, c.1, c.2).stroke_width(1);
        draw(area, PathElement::new(vec![point, to], ink))?;
    }
    draw(
        area,
        Rectangle::new([(b.0, b.1), (b.2, b.3)], WHITE.mix(0.6).filled()),
    )?;
    put_text(area, text, placed.text_at, style, HPos::Left, VPos::Top)
}

/// The size a text takes in pixels.
pub(super) fn text_size<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
) -> (i32, i32) {
    area.estimate_text_size(text, style)
        .map(|(w, h)| (w as i32, h as i32))
        .unwrap_or((text.len() as i32 * 7, 14))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_in_order_and_each_line_fits() {
        let text = "Hundreds of Islamic State fighters from Syria showed up in Rawa on Friday, \
                    some 150 km inside Iraq, and took up positions in   the town";
        let width = |t: &str| 7 * t.chars().count() as i32;
        let lines = wrap_by(text, 140, width);
        assert!(lines.len() > 3, "{lines:?}");
        assert!(lines.iter().all(|l| width(l) <= 140), "{lines:?}");
        let words: Vec<&str> = text.split_whitespace().collect();
        let rejoined: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(rejoined, words);
    }

    #[test]
    fn a_word_wider_than_the_line_is_kept_whole() {
        let lines = wrap_by("a Rawa-Aana-Al-Qaim-Al-Bukamal b", 50, |t| {
            7 * t.len() as i32
        });
        assert_eq!(lines, ["a", "Rawa-Aana-Al-Qaim-Al-Bukamal", "b"]);
    }
}
