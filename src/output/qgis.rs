//! QGIS layer styles (`.qml`), written next to each GeoJSON under the same name so QGIS applies
//! them when the layer is opened, and into `run.qgs` ([`super::qgs`]): the colours of the PNG maps,
//! and temporal settings on the time fields so the Temporal Controller can play a run.

use std::fmt::Write as _;

use plotters::style::RGBColor;

use super::map::style;
use super::xml::escape as xml_escape;
use crate::engine::{SimEventKind, Status};
use crate::network::{ClassLabels, RoadClass};
use crate::zones::Holders;

/// `r,g,b,255` as QGIS writes colours.
fn rgba(c: RGBColor) -> String {
    format!("{},{},{},255", c.0, c.1, c.2)
}

/// How a layer moves in time.
enum Temporal {
    None,
    /// Each feature is an instant in `field`, shown for `minutes`; `accumulate` keeps it shown after.
    Instant {
        field: &'static str,
        minutes: u32,
        accumulate: bool,
    },
    /// Each feature lasts from `start` to `end`.
    Range {
        start: &'static str,
        end: &'static str,
    },
}

fn temporal(t: &Temporal) -> String {
    let (enabled, mode, start, end, minutes, accumulate) = match *t {
        Temporal::None => (0, 0, "", "", 0, false),
        // QgsVectorLayerTemporalProperties modes: 1 instant from a field, 2 start and end fields.
        Temporal::Instant {
            field,
            minutes,
            accumulate,
        } => (1, 1, field, "", minutes, accumulate),
        Temporal::Range { start, end } => (1, 2, start, end, 0, false),
    };
    format!(
        "  <temporal enabled=\"{enabled}\" mode=\"{mode}\" startField=\"{start}\" endField=\"{end}\" durationField=\"\" \
durationUnit=\"min\" fixedDuration=\"{minutes}\" accumulate=\"{}\" startExpression=\"\" endExpression=\"\" limitMode=\"0\">\n\
    <fixedRange><start></start><end></end></fixedRange>\n  </temporal>\n",
        u8::from(accumulate)
    )
}

/// A symbol layer: a marker, or a line (dashed or not).
enum Symbol {
    Marker {
        shape: &'static str,
        colour: RGBColor,
        size: f64,
    },
    Line {
        colour: RGBColor,
        width: f64,
        dashed: bool,
    },
    /// A fill at `alpha`, no outline.
    Fill { colour: RGBColor, alpha: f64 },
}

fn symbol(name: usize, s: &Symbol) -> String {
    match s {
        Symbol::Marker {
            shape,
            colour,
            size,
        } => format!(
            "      <symbol type=\"marker\" name=\"{name}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n\
        <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n\
          <prop k=\"name\" v=\"{shape}\"/>\n          <prop k=\"color\" v=\"{}\"/>\n\
          <prop k=\"outline_color\" v=\"255,255,255,255\"/>\n          <prop k=\"outline_width\" v=\"0.4\"/>\n\
          <prop k=\"size\" v=\"{size}\"/>\n        </layer>\n      </symbol>\n",
            rgba(*colour)
        ),
        Symbol::Line {
            colour,
            width,
            dashed,
        } => format!(
            "      <symbol type=\"line\" name=\"{name}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n\
        <layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\">\n\
          <prop k=\"line_color\" v=\"{}\"/>\n          <prop k=\"line_width\" v=\"{width}\"/>\n\
          <prop k=\"line_style\" v=\"{}\"/>\n          <prop k=\"capstyle\" v=\"round\"/>\n        </layer>\n      </symbol>\n",
            rgba(*colour),
            if *dashed { "dash" } else { "solid" }
        ),
        Symbol::Fill { colour, alpha } => fill_symbol(name, *colour, *alpha),
    }
}

/// A layer's QGIS style: its temporal settings and renderer, the elements QGIS reads from a map
/// layer. A `.qml` file holds them under its root, which stands for the layer; a project
/// (`super::qgs`) puts the same elements in each of its `<maplayer>`s, so both draw alike.
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    /// `<temporal>` then `<renderer-v2>` (then `<labeling>`), indented as children of the root.
    elements: String,
    /// Whether its labels are shown: QGIS reads that from an attribute of the root.
    labelled: bool,
}

impl Style {
    /// The `.qml` file.
    pub fn qml(&self) -> String {
        let (categories, labels) = if self.labelled {
            ("Symbology|Labeling|Temporal", " labelsEnabled=\"1\"")
        } else {
            ("Symbology|Temporal", "")
        };
        format!(
            "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"{QGIS_VERSION}\" styleCategories=\"{categories}\"{labels}>\n{}</qgis>\n",
            self.elements
        )
    }

    /// Whether the layer's labels are shown.
    pub fn labelled(&self) -> bool {
        self.labelled
    }

    /// The elements a `<maplayer>` holds, as the `.qml` indents them under its root.
    pub fn elements(&self) -> &str {
        &self.elements
    }
}

/// The QGIS version the styles and the project say they were written by: Debian 12's, which reads
/// them (see `tests/qgis/`), as later versions do; an older number than the reader's is no warning.
pub const QGIS_VERSION: &str = "3.22.0";

/// A style that colours features by the value of `field`.
fn categorized(field: &str, categories: &[(&str, &str, Symbol)], t: Temporal) -> Style {
    let mut out = temporal(&t);
    let _ = writeln!(
        out,
        "  <renderer-v2 type=\"categorizedSymbol\" attr=\"{}\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">",
        xml_escape(field)
    );
    out.push_str("    <categories>\n");
    for (i, (value, label, _)) in categories.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <category value=\"{}\" label=\"{}\" symbol=\"{i}\" render=\"true\"/>",
            xml_escape(value),
            xml_escape(label)
        );
    }
    out.push_str("    </categories>\n    <symbols>\n");
    for (i, (_, _, s)) in categories.iter().enumerate() {
        out.push_str(&symbol(i, s));
    }
    out.push_str("    </symbols>\n  </renderer-v2>\n");
    Style {
        elements: out,
        labelled: false,
    }
}

fn status_categories(size: f64, shape: &'static str) -> Vec<(&'static str, &'static str, Symbol)> {
    [
        Status::Stalled,
        Status::Halted,
        Status::Arrived,
        Status::Moving,
        Status::Aboard,
        Status::Unaccounted,
        Status::Waiting,
    ]
    .into_iter()
    .map(|s| {
        (
            s.as_str(),
            s.as_str(),
            Symbol::Marker {
                shape,
                colour: style::status_colour(s),
                size,
            },
        )
    })
    .collect()
}

/// `end_state.qml`: buses as squares and people as circles would need two fields; one status
/// colour per marker matches the map's colours.
pub fn end_state() -> Style {
    categorized("status", &status_categories(4.0, "square"), Temporal::None)
}

/// `track_points.qml`: each recorded position shown for one recording interval.
pub fn track_points(record_every_min: u32) -> Style {
    categorized(
        "status",
        &status_categories(2.6, "circle"),
        Temporal::Instant {
            field: "event_time",
            minutes: record_every_min.max(1),
            accumulate: false,
        },
    )
}

/// `tracks.qml`: bus tracks solid, people's dashed, each from its start to its end time.
pub fn tracks() -> Style {
    categorized(
        "agent",
        &[
            (
                "bus",
                "bus",
                Symbol::Line {
                    colour: style::BUS_TRACK,
                    width: 0.8,
                    dashed: false,
                },
            ),
            (
                "people",
                "people",
                Symbol::Line {
                    colour: style::PEOPLE_TRACK,
                    width: 0.6,
                    dashed: true,
                },
            ),
        ],
        Temporal::Range {
            start: "start_time",
            end: "end_time",
        },
    )
}

/// `events.qml`: road cuts and strikes stay on the map once they have happened.
pub fn events() -> Style {
    let kinds = [
        (SimEventKind::RoadClosed, "cross2", style::ROAD_CUT, 5.0),
        (SimEventKind::Strike, "triangle", style::STRIKE, 4.0),
        (
            SimEventKind::Stalled,
            "square",
            style::status_colour(Status::Stalled),
            2.5,
        ),
        (
            SimEventKind::Arrived,
            "circle",
            style::status_colour(Status::Arrived),
            2.5,
        ),
        (
            SimEventKind::LeftBuses,
            "circle",
            style::status_colour(Status::Aboard),
            2.5,
        ),
        (
            SimEventKind::Unaccounted,
            "circle",
            style::status_colour(Status::Unaccounted),
            2.5,
        ),
        (SimEventKind::Departed, "circle", style::MUTED, 2.0),
    ];
    let cats: Vec<_> = kinds
        .into_iter()
        .map(|(k, shape, colour, size)| {
            (
                k.as_str(),
                k.as_str(),
                Symbol::Marker {
                    shape,
                    colour,
                    size,
                },
            )
        })
        .collect();
    categorized(
        "kind",
        &cats,
        Temporal::Instant {
            field: "event_time",
            minutes: 60,
            accumulate: true,
        },
    )
}

/// A fill symbol: `colour` at `alpha`, no outline, as `map.png` shades ensemble cells.
fn fill_symbol(name: usize, colour: RGBColor, alpha: f64) -> String {
    format!(
        "      <symbol type=\"fill\" name=\"{name}\" alpha=\"{alpha}\" clip_to_extent=\"1\" force_rhr=\"0\">\n\
        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n\
          <prop k=\"color\" v=\"{}\"/>\n          <prop k=\"style\" v=\"solid\"/>\n\
          <prop k=\"outline_style\" v=\"no\"/>\n          <prop k=\"outline_color\" v=\"{}\"/>\n        </layer>\n      </symbol>\n",
        rgba(colour),
        rgba(colour)
    )
}

/// `ensemble.qml`: the grid of where the ensemble's buses and people end, as `map.png` shades it —
/// cells where buses end in the bus colour, stronger the more end there on average; cells where
/// only people off the buses end in theirs. No time: the grid is where the run ends.
pub fn ensemble() -> Style {
    let rules: [(&str, &str, RGBColor, f64); 4] = [
        (
            "\"expected_buses\" >= 2",
            "2 buses or more on average",
            style::SPREAD_BUSES,
            0.85,
        ),
        (
            "\"expected_buses\" >= 0.5 AND \"expected_buses\" < 2",
            "0.5–2 buses",
            style::SPREAD_BUSES,
            0.6,
        ),
        (
            "\"expected_buses\" > 0 AND \"expected_buses\" < 0.5",
            "under 0.5 buses",
            style::SPREAD_BUSES,
            0.35,
        ),
        (
            "\"expected_buses\" = 0",
            "only people off the buses",
            style::SPREAD_PEOPLE,
            0.6,
        ),
    ];
    let mut out = temporal(&Temporal::None);
    out.push_str(
        "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <rules key=\"root\">\n",
    );
    for (i, (filter, label, _, _)) in rules.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <rule key=\"rule{i}\" symbol=\"{i}\" filter=\"{}\" label=\"{}\"/>",
            xml_escape(filter),
            xml_escape(label)
        );
    }
    out.push_str("    </rules>\n    <symbols>\n");
    for (i, (_, _, colour, alpha)) in rules.iter().enumerate() {
        out.push_str(&fill_symbol(i, *colour, *alpha));
    }
    out.push_str("    </symbols>\n  </renderer-v2>\n");
    Style {
        elements: out,
        labelled: false,
    }
}

/// A style that draws every feature with one symbol, and no time.
fn single(symbol: String) -> Style {
    let mut out = temporal(&Temporal::None);
    out.push_str(
        "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <symbols>\n",
    );
    out.push_str(&symbol);
    out.push_str("    </symbols>\n  </renderer-v2>\n");
    Style {
        elements: out,
        labelled: false,
    }
}

/// `countries.qml`: land and borders, as `map.png` draws them under everything.
pub fn countries() -> Style {
    single(format!(
        "      <symbol type=\"fill\" name=\"0\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n\
        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n\
          <prop k=\"color\" v=\"{}\"/>\n          <prop k=\"style\" v=\"solid\"/>\n\
          <prop k=\"outline_style\" v=\"solid\"/>\n          <prop k=\"outline_color\" v=\"{}\"/>\n\
          <prop k=\"outline_width\" v=\"0.3\"/>\n        </layer>\n      </symbol>\n",
        rgba(style::LAND),
        rgba(style::BORDER)
    ))
}

/// `rivers.qml`: rivers in the map's blue.
pub fn rivers() -> Style {
    single(symbol(
        0,
        &Symbol::Line {
            colour: style::RIVER,
            width: 0.5,
            dashed: false,
        },
    ))
}

/// `zones.qml`: each zone of control filled in its holder's colour, as `map.png` lays it over the
/// land, and shown from its `valid_from` to its `valid_to`: the Temporal Controller shows the ground
/// each side held at each moment.
pub fn zones(holders: &Holders) -> Style {
    let cats: Vec<_> = holders
        .defined()
        .map(|h| {
            (
                h.holder.as_str(),
                h.label.as_str(),
                Symbol::Fill {
                    colour: style::holder_colour(h),
                    alpha: style::ZONE_ALPHA,
                },
            )
        })
        .collect();
    categorized(
        "holder",
        &cats,
        Temporal::Range {
            start: "valid_from",
            end: "valid_to",
        },
    )
}

/// Millimetres per pixel of `map.png`'s line widths, at QGIS's 96 dpi.
const MM_PER_PX: f64 = 0.25;

/// `roads.qml`: each class of road in `map.png`'s colour and width, tracks dashed, named as
/// the data names it.
pub fn roads(labels: &ClassLabels) -> Style {
    let cats: Vec<_> = (RoadClass::ALL.into_iter())
        .map(|c| {
            let (colour, px, dashed) = style::road_style(c);
            (
                c.as_str(),
                labels.label(c),
                Symbol::Line {
                    colour,
                    width: f64::from(px) * MM_PER_PX,
                    dashed,
                },
            )
        })
        .collect();
    categorized("class", &cats, Temporal::None)
}

/// `places.qml`: the gazetteer's places as small dots labelled with their names.
pub fn places() -> Style {
    let mut style = single(symbol(
        0,
        &Symbol::Marker {
            shape: "circle",
            colour: style::TEXT,
            size: 1.6,
        },
    ));
    let _ = writeln!(
        style.elements,
        "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n      \
<text-style fieldName=\"name\" isExpression=\"0\" fontSize=\"8\" fontSizeUnit=\"Point\" textColor=\"{}\" textOpacity=\"1\" \
fontFamily=\"Sans Serif\" namedStyle=\"Regular\" fontWeight=\"50\" fontItalic=\"0\" multilineHeight=\"1\">\n        \
<text-buffer bufferDraw=\"1\" bufferSize=\"0.7\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"1\"/>\n      \
</text-style>\n      <placement placement=\"6\" dist=\"0.8\" distUnits=\"MM\"/>\n      \
<rendering scaleVisibility=\"0\" obstacle=\"1\" displayAll=\"0\"/>\n    </settings>\n  </labeling>",
        rgba(style::TEXT)
    );
    style.labelled = true;
    style
}
