//! Briefing maps: one per account (`map.png`) and all accounts side by side (`compare.png`), drawn
//! from [`RunResult`]s alone with an embedded font, so they render the same on a machine with no
//! fonts installed. Every geometry is clipped to the view before it is drawn.

mod ach;
mod compare;
mod draw;
mod events;
mod gif;
mod labels;
mod layers;
mod legend;
mod page;
mod places;
mod projection;
pub mod style;
mod timeline;
mod tornado;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use gif::{FRAME_EVERY, run_gif};
pub use projection::{Frame, Projection, View};
pub use tornado::{MAX_BARS, Tornado, TornadoBar, tornado_png};

use crate::Geography;
use crate::data::Basemap;
use crate::engine::RunResult;
use crate::scenario::Scenario;
use crate::units::LonLat;

/// Map size in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub const RUN_DEFAULT: Size = Size {
        width: 1600,
        height: 1000,
    };
    pub const COMPARE_DEFAULT: Size = Size {
        width: 2400,
        height: 1350,
    };
    /// Animations are smaller: every frame is quantised to 256 colours.
    pub const GIF_DEFAULT: Size = Size {
        width: 960,
        height: 600,
    };
    /// The competing-hypotheses heat map, up to 16 claims; see [`Size::ach`].
    pub const ACH_DEFAULT: Size = Size {
        width: 1800,
        height: 1100,
    };
    /// Smaller than this, the title, legend and footer no longer fit.
    pub const MIN: Size = Size {
        width: 640,
        height: 400,
    };
    /// Larger than this is a mistake (and a lot of memory).
    pub const MAX: Size = Size {
        width: 10_000,
        height: 10_000,
    };
}

impl Size {
    /// The heat map's size for `claims` rows: taller than the default when rows would get thin,
    /// and never taller than the most rows the heat map draws (120).
    pub fn ach(claims: usize) -> Size {
        let rows = claims.min(ach::MAX_ROWS) as u32 + 2;
        Size {
            height: Size::ACH_DEFAULT.height.max(320 + 50 * rows),
            ..Size::ACH_DEFAULT
        }
    }
}

impl Size {
    /// The comparison's default size for `accounts` panels: the default up to seven, then taller
    /// by as much again for every eight panels, so a dozen accounts keep panels of a readable size.
    pub fn compare(accounts: usize) -> Size {
        let cells = accounts as u32 + 1;
        let d = Size::COMPARE_DEFAULT;
        Size {
            height: (d.height * cells / 8).clamp(d.height, Size::MAX.height),
            ..d
        }
    }
}

/// Drawing failed: a bug, or no memory.
#[derive(Debug, thiserror::Error)]
#[error("drawing the map failed: {0}")]
pub struct RenderError(String);

impl RenderError {
    fn from<E: std::fmt::Display>(e: E) -> Self {
        RenderError(e.to_string())
    }
}

/// One account's run, with what the map needs to name and place it.
#[derive(Clone, Copy)]
pub struct Scene<'a> {
    pub geo: &'a Geography,
    pub basemap: &'a Basemap,
    pub scenario: &'a Scenario,
    pub result: &'a RunResult,
    /// The account run many times: where its buses and people end is drawn as a spread.
    pub ensemble: Option<&'a crate::ensemble::Ensemble>,
}

impl Scene<'_> {
    /// Everywhere the account goes: origin, every track point, every event, every end position.
    pub fn extent(&self) -> Option<View> {
        let r = self.result;
        let points = r
            .agents
            .iter()
            .flat_map(|a| {
                a.track
                    .iter()
                    .map(|p| p.at)
                    .chain(std::iter::once(a.end.at))
            })
            // A bar covers a holder's whole ground; its point is only where to list it.
            .chain(
                r.events
                    .iter()
                    .filter(|e| e.kind() != crate::engine::SimEventKind::ZoneBarred)
                    .map(|e| e.at),
            );
        View::around(points)
    }
}

/// The view of a map: everything the accounts involve, with a margin.
pub fn fit_view(scenes: &[Scene<'_>]) -> View {
    scenes
        .iter()
        .filter_map(Scene::extent)
        .reduce(View::union)
        .unwrap_or(View {
            west: 36.0,
            south: 33.0,
            east: 42.5,
            north: 36.0,
        })
        .padded(0.08, 1.5)
}

static FONTS: OnceLock<()> = OnceLock::new();

/// Registers the embedded DejaVu Sans (Bitstream Vera licence) as "sans-serif", once.
fn fonts() {
    FONTS.get_or_init(|| {
        // The bytes are DejaVu's own TTFs: registration cannot fail on them.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

fn png(
    size: Size,
    paint: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), RenderError>,
) -> Result<Vec<u8>, RenderError> {
    fonts();
    let mut rgb = vec![0u8; size.width as usize * size.height as usize * 3];
    {
        let root =
            BitMapBackend::with_buffer(&mut rgb, (size.width, size.height)).into_drawing_area();
        paint(&root)?;
        root.present().map_err(RenderError::from)?;
    }
    let mut out = Vec::new();
    {
        let mut encoder = ::png::Encoder::new(&mut out, size.width, size.height);
        encoder.set_color(::png::ColorType::Rgb);
        encoder.set_depth(::png::BitDepth::Eight);
        // Fast deflate with the Paeth filter: 3.4× faster than the default level (map.png of
        // us_military 41.6 → 12.1 ms, the whole run 117 → 56 ms), for files 1.8× (map, 286 KB)
        // and 2.1× (timeline, 213 KB) larger; the pixels are the same.
        encoder.set_compression(::png::Compression::Fast);
        encoder.set_filter(::png::FilterType::Paeth);
        let mut writer = encoder.write_header().map_err(RenderError::from)?;
        writer.write_image_data(&rgb).map_err(RenderError::from)?;
    }
    Ok(out)
}

fn svg(
    size: Size,
    paint: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), RenderError>,
) -> Result<Vec<u8>, RenderError> {
    fonts();
    let mut text = String::new();
    {
        let root =
            SVGBackend::with_string(&mut text, (size.width, size.height)).into_drawing_area();
        paint(&root)?;
        root.present().map_err(RenderError::from)?;
    }
    Ok(text.into_bytes())
}

/// `map.png`: one account's map, as PNG bytes.
pub fn run_map_png(scene: &Scene<'_>, size: Size) -> Result<Vec<u8>, RenderError> {
    let view = fit_view(std::slice::from_ref(scene));
    png(size, |root| page::run_map(root, scene, view, size, false))
}

/// `map.svg`: the same map as SVG.
pub fn run_map_svg(scene: &Scene<'_>, size: Size) -> Result<Vec<u8>, RenderError> {
    let view = fit_view(std::slice::from_ref(scene));
    svg(size, |root| page::run_map(root, scene, view, size, false))
}

/// `timeline.png`: distance covered against time, a line per bus, events on the time axis.
pub fn timeline_png(scene: &Scene<'_>, size: Size) -> Result<Vec<u8>, RenderError> {
    png(size, |root| timeline::timeline(root, scene, size))
}

/// `compare.png`: every account in one frame each, same extent and scale, one legend.
pub fn compare_png(scenes: &[Scene<'_>], size: Size) -> Result<Vec<u8>, RenderError> {
    let view = fit_view(scenes);
    png(size, |root| compare::compare(root, scenes, view, size))
}

/// `compare.svg`.
pub fn compare_svg(scenes: &[Scene<'_>], size: Size) -> Result<Vec<u8>, RenderError> {
    let view = fit_view(scenes);
    svg(size, |root| compare::compare(root, scenes, view, size))
}

/// `ach.png`: the competing-hypotheses matrix as a heat map.
pub fn ach_png(check: &crate::check::Check, size: Size) -> Result<Vec<u8>, RenderError> {
    png(size, |root| ach::ach(root, check, size))
}

/// The middle of a list of positions, for placing a cluster's marker.
pub(crate) fn centroid(points: &[LonLat]) -> LonLat {
    let n = points.len().max(1) as f64;
    LonLat::new(
        points.iter().map(|p| p.lon).sum::<f64>() / n,
        points.iter().map(|p| p.lat).sum::<f64>() / n,
    )
}
