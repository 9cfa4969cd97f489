//! Colours, line weights and names: one palette for every map, legend and QGIS style, so a colour
//! means the same thing everywhere.

use plotters::style::RGBColor;

use crate::engine::Status;
use crate::network::RoadClass;
use crate::zones::HolderInfo;

pub const BACKGROUND: RGBColor = RGBColor(220, 230, 238);
pub const LAND: RGBColor = RGBColor(246, 243, 236);
pub const BORDER: RGBColor = RGBColor(130, 130, 130);
pub const RIVER: RGBColor = RGBColor(90, 150, 210);
pub const TEXT: RGBColor = RGBColor(25, 25, 25);
pub const MUTED: RGBColor = RGBColor(100, 100, 100);
pub const BUS_TRACK: RGBColor = RGBColor(35, 60, 120);
pub const PEOPLE_TRACK: RGBColor = RGBColor(140, 45, 140);
pub const ROAD_CUT: RGBColor = RGBColor(200, 0, 0);
/// Where an ensemble's buses end: bright, so it stands out on the dark bus tracks it lies along.
pub const SPREAD_BUSES: RGBColor = RGBColor(0, 190, 230);
/// Where an ensemble's people off the buses end.
pub const SPREAD_PEOPLE: RGBColor = RGBColor(220, 50, 170);
pub const STRIKE: RGBColor = RGBColor(235, 120, 0);

/// A holder's colour, as its table gives it: a zone's outline, and its fill before blending.
pub fn holder_colour(h: &HolderInfo) -> RGBColor {
    let c = h.colour;
    RGBColor(c.0, c.1, c.2)
}

pub const ZONE_ALPHA: f64 = 0.22;

/// A zone's colour laid over the land colour at [`ZONE_ALPHA`].
/// The legend's sample of the dashed lines that bound where a front may lie (each map draws them
/// in their holder's colour).
pub const MARGIN: RGBColor = RGBColor(120, 120, 120);

pub fn zone_fill(h: &HolderInfo) -> RGBColor {
    let (c, l) = (holder_colour(h), LAND);
    let mix = |a: u8, b: u8| (a as f64 * ZONE_ALPHA + b as f64 * (1.0 - ZONE_ALPHA)).round() as u8;
    RGBColor(mix(c.0, l.0), mix(c.1, l.1), mix(c.2, l.2))
}

/// Marker colour of an agent's status.
pub fn status_colour(s: Status) -> RGBColor {
    match s {
        Status::Waiting => RGBColor(150, 150, 150),
        Status::Moving => RGBColor(44, 123, 182),
        Status::Halted => RGBColor(250, 150, 50),
        Status::Stalled => RGBColor(215, 48, 31),
        Status::Arrived => RGBColor(26, 152, 80),
        Status::Aboard => RGBColor(118, 42, 131),
        Status::Unaccounted => RGBColor(120, 120, 120),
    }
}

/// (colour, width in px, dashed) of a road class.
pub fn road_style(c: RoadClass) -> (RGBColor, u32, bool) {
    match c {
        RoadClass::Highway => (RGBColor(150, 110, 60), 3, false),
        RoadClass::Main => (RGBColor(165, 125, 75), 2, false),
        RoadClass::Secondary => (RGBColor(175, 140, 95), 2, false),
        RoadClass::DesertRoad => (RGBColor(175, 140, 95), 2, false),
        RoadClass::Track => (RGBColor(175, 140, 95), 1, true),
    }
}
