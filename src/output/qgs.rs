//! `run.qgs`: a QGIS 3 project beside the layers of a run, so one double-click opens them drawn,
//! in order, and ready to play on the Temporal Controller — where opening the GeoJSON files one by
//! one leaves the user to stack them and set the time range by hand.
//!
//! Plain XML (`.qgs`, not the zipped `.qgz`), so the project diffs like the other text files and the
//! same run gives the same bytes: layer ids are derived from the scenario and layer names, and no
//! clock is read. Data sources are `./<layer>.geojson` (with the layer's geometry type), which QGIS
//! resolves against the project's own folder, so the folder can be moved or handed over whole. The
//! ground the run moved over — places, roads, and the zones of control with their periods
//! ([`super::ground`]) — and the basemap of the PNG maps — countries and rivers — are written into
//! the folder too, and lie under the run's layers, so the project opens on the ground the maps show.
//!
//! Each `<maplayer>` holds the same temporal settings and renderer as the layer's `.qml`
//! ([`crate::output::qgis::Style::elements`]); the project's time range is the run's start to
//! end, stepped by the scenario's recording interval, and its extent is that of the layers'
//! features.

use std::fmt::Write as _;

use super::geojson::bounds;
use super::qgis::QGIS_VERSION;
use super::run::{Layer, LayerGeometry, sha256, time_text};
use super::xml::escape;
use crate::Geography;
use crate::engine::RunResult;
use crate::scenario::Scenario;
use jiff::Timestamp;

/// The layers from the top of the layer tree (drawn last, over the others) to the bottom: events
/// and end positions over the recorded positions, those over the ensemble's grid (when the run has
/// one), all over the tracks they lie on — the order `map.png` draws them in. Under them lie the
/// ground's places, roads and zones ([`super::ground::LAYERS`]), then the [`BASEMAP`].
const DRAW_ORDER: [&str; 5] = ["events", "end_state", "track_points", "ensemble", "tracks"];

/// How far the project's extent reaches past the features, as a share of their span: markers on the
/// edge are drawn whole.
const MARGIN: f64 = 0.05;
/// The least margin, in degrees, so that a single point still opens at a readable scale.
const MIN_MARGIN_DEG: f64 = 0.01;

/// WGS 84 as QGIS writes a `<spatialrefsys>`: QGIS reads the `authid` (its `srsid` 3452 is the
/// built-in EPSG:4326), the rest is for people reading the file.
const WGS84: &str = "<spatialrefsys>\
<proj4>+proj=longlat +datum=WGS84 +no_defs</proj4>\
<srsid>3452</srsid><srid>4326</srid><authid>EPSG:4326</authid>\
<description>WGS 84</description><projectionacronym>longlat</projectionacronym>\
<ellipsoidacronym>EPSG:7030</ellipsoidacronym><geographicflag>true</geographicflag>\
</spatialrefsys>";

/// The basemap under the run's layers, bottom last: the project's own countries and rivers, as
/// `map.png` draws them, each written beside the project as `<name>.geojson` (the embedded
/// files, [`crate::data`]) with its `.qml`.
pub const BASEMAP: [(&str, &str); 2] = [("rivers", RIVERS), ("countries", COUNTRIES)];
const RIVERS: &str = crate::data::RIVERS_GEOJSON;
const COUNTRIES: &str = crate::data::COUNTRIES_GEOJSON;

/// The style of basemap layer `name`.
pub fn basemap_style(name: &str) -> super::qgis::Style {
    match name {
        "rivers" => super::qgis::rivers(),
        _ => super::qgis::countries(),
    }
}

/// One layer of the project, as the project writes it.
struct Entry<'l> {
    name: &'l str,
    file: String,
    geometry: &'static str,
    /// The geometry type as QGIS names it in `wkbType` and data sources.
    wkb: &'static str,
    extent: Option<[f64; 4]>,
    style: super::qgis::Style,
}

impl<'l> Entry<'l> {
    fn of(layer: &'l Layer<'_>) -> Self {
        Entry {
            name: layer.name,
            file: format!("./{}", layer.geojson_name()),
            geometry: match layer.geometry {
                LayerGeometry::Point => "Point",
                LayerGeometry::LineString => "Line",
                LayerGeometry::Polygon => "Polygon",
            },
            wkb: wkb_type(layer.geometry),
            extent: layer.schema().extent,
            style: layer.style.clone(),
        }
    }

    /// A layer of the ground ([`super::ground::LAYERS`]): the same for every run, so QGIS reads
    /// its extent from the file.
    fn ground(
        (name, geometry, wkb): (&'static str, &'static str, &'static str),
        geo: &Geography,
    ) -> Self {
        Entry {
            name,
            file: format!("./{name}.geojson"),
            geometry,
            wkb,
            extent: None,
            style: super::ground::style(name, geo),
        }
    }

    fn basemap(name: &'static str) -> Self {
        let lines = name == "rivers";
        Entry {
            name,
            file: format!("./{name}.geojson"),
            geometry: if lines { "Line" } else { "Polygon" },
            wkb: if lines {
                "MultiLineString"
            } else {
                "MultiPolygon"
            },
            // QGIS reads it from the file: the basemap reaches far past the run.
            extent: None,
            style: basemap_style(name),
        }
    }
}

/// The project of a run whose `layers` are written beside it as `<name>.geojson`, over the
/// ground ([`super::ground`]: places, roads, zones) and the [`BASEMAP`] written beside it too.
pub fn project(
    scenario: &Scenario,
    result: &RunResult,
    layers: &[Layer<'_>],
    geo: &Geography,
) -> String {
    let mut ordered: Vec<&Layer<'_>> = layers.iter().collect();
    ordered.sort_by_key(|l| DRAW_ORDER.iter().position(|&n| n == l.name));
    let entries: Vec<(Entry<'_>, String)> = ordered
        .into_iter()
        .map(Entry::of)
        .chain((super::ground::LAYERS.into_iter()).map(|l| Entry::ground(l, geo)))
        .chain(BASEMAP.iter().map(|(name, _)| Entry::basemap(name)))
        .map(|e| {
            let id = layer_id(&scenario.name, e.name);
            (e, id)
        })
        .collect();
    let title = format!("{} — {}", scenario.name, scenario.account.title);
    document(
        &title,
        extent_of(layers),
        &[Group {
            name: None,
            entries,
        }],
        (result.start, result.end, scenario.record_every.as_secs()),
    )
}

/// One account of `compare.qgs`: its scenario, run, and layers (its ensemble's grid included).
pub struct Account<'a> {
    pub scenario: &'a Scenario,
    pub result: &'a RunResult,
    pub layers: Vec<Layer<'a>>,
}

/// `compare.qgs`, written into `OUT/compare/`: one group per account, in the order given, holding
/// its layers from its own folder (`../<account>/<layer>.geojson`), in the run project's draw
/// order (events, end positions, track points, ensemble, tracks); under them the ground and the
/// basemap once, read from the first account's folder (every run folder holds
/// the same ground, so no copy is written into `compare/`). The Temporal Controller spans every
/// account's run: the earliest start to the latest end, stepped by the least recording interval.
pub fn compare_project(accounts: &[Account<'_>], geo: &Geography) -> String {
    let mut groups: Vec<Group<'_>> = accounts
        .iter()
        .map(|a| {
            let mut ordered: Vec<&Layer<'_>> = a.layers.iter().collect();
            ordered.sort_by_key(|l| DRAW_ORDER.iter().position(|&n| n == l.name));
            let entries = ordered
                .into_iter()
                .map(|l| {
                    let mut e = Entry::of(l);
                    e.file = format!("../{}/{}", a.scenario.name, l.geojson_name());
                    let id = layer_id(&a.scenario.name, l.name);
                    (e, id)
                })
                .collect();
            Group {
                name: Some(a.scenario.name.clone()),
                entries,
            }
        })
        .collect();
    if let Some(first) = accounts.first() {
        let shared = super::ground::LAYERS
            .into_iter()
            .map(|l| Entry::ground(l, geo))
            .chain(BASEMAP.iter().map(|(name, _)| Entry::basemap(name)))
            .map(|mut e| {
                e.file = format!("../{}/{}.geojson", first.scenario.name, e.name);
                let id = layer_id("compare", e.name);
                (e, id)
            })
            .collect();
        groups.push(Group {
            name: None,
            entries: shared,
        });
    }
    let all: Vec<Layer<'_>> = accounts.iter().flat_map(|a| a.layers.clone()).collect();
    let start = accounts.iter().map(|a| a.result.start).min();
    let end = accounts.iter().map(|a| a.result.end).max();
    let step = accounts
        .iter()
        .map(|a| a.scenario.record_every.as_secs())
        .min()
        .unwrap_or(60);
    let time = match (start, end) {
        (Some(s), Some(e)) => (s, e, step),
        _ => (Timestamp::UNIX_EPOCH, Timestamp::UNIX_EPOCH, step),
    };
    document(
        &super::words::compare_title(accounts.iter().map(|a| a.scenario)),
        extent_of(&all),
        &groups,
        time,
    )
}

/// Layers under one node of the layer tree: a named group, or the root itself.
struct Group<'l> {
    name: Option<String>,
    entries: Vec<(Entry<'l>, String)>,
}

/// The extent of `layers`' features, with its margin.
fn extent_of(layers: &[Layer<'_>]) -> Option<[f64; 4]> {
    bounds(
        layers
            .iter()
            .filter_map(|l| l.schema().extent)
            .flat_map(|[x0, y0, x1, y1]| [[x0, y0], [x1, y1]]),
    )
    .map(with_margin)
}

/// The project: `groups` top to bottom, on `extent`, over the time range `(start, end, step in s)`.
fn document(
    title: &str,
    extent: Option<[f64; 4]>,
    groups: &[Group<'_>],
    time: (Timestamp, Timestamp, i64),
) -> String {
    let title = escape(title);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n\
<qgis projectname=\"{title}\" version=\"{QGIS_VERSION}\">\n  <homePath path=\"\"/>\n  <title>{title}</title>\n  \
<projectCrs>{WGS84}</projectCrs>"
    );
    layer_tree(&mut out, groups);
    if let Some(e) = extent {
        let _ = writeln!(
            out,
            "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n    <units>degrees</units>\n    \
{}\n    <rotation>0</rotation>\n    <destinationsrs>{WGS84}</destinationsrs>\n  </mapcanvas>",
            extent_element(e)
        );
        let _ = writeln!(
            out,
            "  <ProjectViewSettings UseProjectScales=\"0\">\n    <Scales/>\n    {}\n    {}\n  </ProjectViewSettings>",
            rectangle("DefaultViewExtent", e),
            rectangle("PresetFullExtent", e)
        );
    }
    out.push_str("  <projectlayers>\n");
    let all = || groups.iter().flat_map(|g| &g.entries);
    for (layer, id) in all() {
        map_layer(&mut out, layer, id);
    }
    out.push_str("  </projectlayers>\n  <layerorder>\n");
    for (_, id) in all() {
        let _ = writeln!(out, "    <layer id=\"{id}\"/>");
    }
    out.push_str("  </layerorder>\n");
    time_settings(&mut out, time);
    // Saved again from QGIS, the project keeps its paths relative. QGIS reads `<projectCrs>` only
    // when the project says it has one.
    out.push_str(
        "  <properties>\n    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n    \
<SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n    </SpatialRefSys>\n  </properties>\n</qgis>\n",
    );
    out
}

/// The Temporal Controller's range, `start` to `end`, stepped by `step` seconds (the recording
/// interval).
fn time_settings(out: &mut String, (start, end, step): (Timestamp, Timestamp, i64)) {
    let _ = writeln!(
        out,
        "  <ProjectTimeSettings timeStepUnit=\"min\" timeStep=\"{}\" frameRate=\"1\" cumulativeTemporalRange=\"0\">\n    \
<TemporalRange>\n      <start>{}</start>\n      <end>{}</end>\n    </TemporalRange>\n  </ProjectTimeSettings>",
        (step / 60).max(1),
        time_text(start),
        time_text(end)
    );
}

/// A layer's id: its name, and a hash of the scenario's name with it, so that layers of two
/// accounts loaded into one project stay apart, and the same run always gives the same id.
fn layer_id(scenario: &str, name: &str) -> String {
    let hash = sha256(&format!("{scenario}\n{name}"));
    format!("{name}_{}", &hash[..16])
}

/// `[min_x, min_y, max_x, max_y]` widened by [`MARGIN`] on every side.
fn with_margin([x0, y0, x1, y1]: [f64; 4]) -> [f64; 4] {
    let dx = ((x1 - x0) * MARGIN).max(MIN_MARGIN_DEG);
    let dy = ((y1 - y0) * MARGIN).max(MIN_MARGIN_DEG);
    [x0 - dx, y0 - dy, x1 + dx, y1 + dy]
}

/// Degrees to 1e-6, as the GeoJSON coordinates are.
fn deg(v: f64) -> String {
    format!("{:.6}", v)
}

/// `<extent>` as map canvases and layers write it.
fn extent_element([x0, y0, x1, y1]: [f64; 4]) -> String {
    format!(
        "<extent><xmin>{}</xmin><ymin>{}</ymin><xmax>{}</xmax><ymax>{}</ymax></extent>",
        deg(x0),
        deg(y0),
        deg(x1),
        deg(y1)
    )
}

/// A rectangle with its CRS, as the project's view settings write it.
fn rectangle(tag: &str, [x0, y0, x1, y1]: [f64; 4]) -> String {
    format!(
        "<{tag} xmin=\"{}\" ymin=\"{}\" xmax=\"{}\" ymax=\"{}\">{WGS84}</{tag}>",
        deg(x0),
        deg(y0),
        deg(x1),
        deg(y1)
    )
}

/// The data source of a layer: its GeoJSON beside the project, with the geometry type its features
/// have. GDAL cannot tell a geometry type from an empty GeoJSON file, and QGIS would open one as a
/// table without its style; told the type, QGIS opens it as an empty layer of that type, styled.
fn source(layer: &Entry<'_>) -> String {
    escape(&format!("{}|geometrytype={}", layer.file, layer.wkb))
}

/// The geometry type as QGIS names it in `wkbType` and data sources.
fn wkb_type(geometry: LayerGeometry) -> &'static str {
    match geometry {
        LayerGeometry::Point => "Point",
        LayerGeometry::LineString => "LineString",
        LayerGeometry::Polygon => "Polygon",
    }
}

/// The layer tree: every layer shown, top to bottom in draw order; a named group's layers in a
/// `<layer-tree-group>` of its own.
fn layer_tree(out: &mut String, groups: &[Group<'_>]) {
    out.push_str("  <layer-tree-group>\n    <customproperties/>\n");
    for group in groups {
        let indent = if let Some(name) = &group.name {
            let _ = writeln!(
                out,
                "    <layer-tree-group name=\"{}\" checked=\"Qt::Checked\" expanded=\"1\">\n      <customproperties/>",
                escape(name)
            );
            "  "
        } else {
            ""
        };
        for (layer, id) in &group.entries {
            let _ = writeln!(
                out,
                "{indent}    <layer-tree-layer id=\"{id}\" name=\"{}\" source=\"{}\" providerKey=\"ogr\" checked=\"Qt::Checked\" expanded=\"1\">\n      \
{indent}<customproperties/>\n{indent}    </layer-tree-layer>",
                escape(layer.name),
                source(layer)
            );
        }
        if group.name.is_some() {
            out.push_str("    </layer-tree-group>\n");
        }
    }
    out.push_str("    <custom-order enabled=\"0\">\n");
    for (_, id) in groups.iter().flat_map(|g| &g.entries) {
        let _ = writeln!(out, "      <item>{id}</item>");
    }
    out.push_str("    </custom-order>\n  </layer-tree-group>\n");
}

/// One `<maplayer>`: where its data is, its CRS and extent, and its style.
fn map_layer(out: &mut String, layer: &Entry<'_>, id: &str) {
    let (geometry, wkb) = (layer.geometry, layer.wkb);
    let _ = writeln!(
        out,
        "    <maplayer type=\"vector\" geometry=\"{geometry}\" wkbType=\"{wkb}\" readOnly=\"0\" labelsEnabled=\"{}\" \
hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" maxScale=\"0\" styleCategories=\"AllStyleCategories\">",
        u8::from(layer.style.labelled())
    );
    if let Some(e) = layer.extent {
        let _ = writeln!(out, "      {}", extent_element(e));
    }
    let _ = writeln!(
        out,
        "      <id>{id}</id>\n      <datasource>{}</datasource>\n      <layername>{}</layername>\n      \
<srs>{WGS84}</srs>\n      <provider encoding=\"UTF-8\">ogr</provider>",
        source(layer),
        escape(layer.name)
    );
    // The style's elements are children of the .qml's root, two spaces in; here they sit six in.
    for line in layer.style.elements().lines() {
        let _ = writeln!(out, "    {line}");
    }
    out.push_str("    </maplayer>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_point_still_gets_an_extent_to_draw_in() {
        let e = with_margin([36.5, 34.0, 36.5, 34.0]).map(deg);
        assert_eq!(e, ["36.490000", "33.990000", "36.510000", "34.010000"]);
    }

    #[test]
    fn the_margin_grows_with_the_span() {
        let e = with_margin([36.0, 34.0, 38.0, 35.0]).map(deg);
        assert_eq!(e, ["35.900000", "33.950000", "38.100000", "35.050000"]);
    }
}
