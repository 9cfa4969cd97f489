//! `run.kmz`: a run for Google Earth, the tool most readers of a briefing already have.
//!
//! One `doc.kml`, zipped. `compare.kmz` holds a Folder per account, each as below. The Document
//! holds a style per bus and people track and per end status,
//! in the colours of `map.png`, then five Folders: "End positions" (a Placemark per agent, its
//! end-state fields as ExtendedData), "Tracks" (a `gx:Track` per agent that moved), "Routes" (the
//! same tracks as LineStrings with a TimeSpan, hidden), "Events" (a Placemark per event with its
//! TimeStamp) and "Places" (the places named as nearest to an end).
//!
//! Tracks are `gx:Track`, a `<when>` and a `<gx:coord>` per track point: Google Earth's time slider
//! then moves each bus and group along its road as the run did, where a TimeSpan only shows or
//! hides a whole line. GDAL's LIBKML driver reads a `gx:Track` as a LineString of the vertices of
//! `tracks.geojson`, with its first and last time as `begin` and `end`; GDAL's older KML driver
//! does not read `gx:Track` at all, so "Routes" repeats each track as a LineString with a TimeSpan,
//! which both drivers read. It starts hidden in Google Earth, where it would cover the animation.
//!
//! The marker icons travel inside the KMZ (`files/*.png`, [`super::kml_icons`]), so Google Earth
//! draws them offline.
//!
//! Everything here reads the same [`Layer`]s as the GeoJSON, so the fields match; text from the
//! scenario goes through [`escape`]; coordinates are lon,lat as KML wants.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;

use plotters::style::RGBColor;
use serde_json::Value;

use super::geojson::vertices;
use super::kml_icons::{self as icons, Shape};
use super::map::style;
use super::run::{Layer, agent_type, time_text, tracked};
use super::xml::escape;
use crate::Geography;
use crate::engine::{RunResult, Status};
use crate::scenario::Scenario;

/// KML's colour order: alpha, blue, green, red.
fn abgr(c: RGBColor) -> String {
    format!("ff{:02x}{:02x}{:02x}", c.2, c.1, c.0)
}

fn coordinate(v: f64) -> String {
    // The GeoJSON writer's rounding, so a vertex reads the same in both.
    let r = (v * 1e6).round() / 1e6;
    format!("{r}")
}

/// The `ExtendedData` of a feature's properties, in key order; nulls left out.
fn extended_data(props: Option<&serde_json::Map<String, Value>>) -> String {
    let mut out = String::from("<ExtendedData>");
    for (k, v) in props.into_iter().flatten() {
        let text = match v {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let _ = write!(
            out,
            "<Data name=\"{}\"><value>{}</value></Data>",
            escape(k),
            escape(&text)
        );
    }
    out.push_str("</ExtendedData>");
    out
}

fn text<'a>(f: &'a geojson::Feature, key: &str) -> Option<&'a str> {
    f.properties.as_ref()?.get(key)?.as_str()
}

fn point(xy: &[[f64; 2]]) -> String {
    xy.first().map_or(String::new(), |[lon, lat]| {
        format!(
            "<Point><coordinates>{},{}</coordinates></Point>",
            coordinate(*lon),
            coordinate(*lat)
        )
    })
}

fn styles<'a>(results: impl Iterator<Item = &'a RunResult>) -> String {
    let mut out = String::new();
    let icon = |shape: Shape, colour: RGBColor, scale: f64| {
        format!(
            "<IconStyle><color>{}</color><scale>{scale}</scale><Icon><href>{}</href></Icon></IconStyle>",
            abgr(colour),
            shape.path()
        )
    };
    // The moving marker of a gx:Track takes the IconStyle; the line takes the LineStyle.
    for (id, colour, width, scale) in [
        ("bus", style::BUS_TRACK, 3, 1.0),
        ("people", style::PEOPLE_TRACK, 2, 0.8),
    ] {
        let _ = writeln!(
            out,
            "<Style id=\"track-{id}\">{}<LineStyle><color>{}</color><width>{width}</width></LineStyle></Style>",
            icon(Shape::Circle, colour, scale),
            abgr(colour)
        );
    }
    let statuses: BTreeSet<Status> = results
        .flat_map(|r| &r.agents)
        .map(|a| a.end.status)
        .collect();
    for s in statuses {
        let _ = writeln!(
            out,
            "<Style id=\"status-{}\">{}</Style>",
            s.as_str(),
            icon(Shape::Circle, style::status_colour(s), 1.1)
        );
    }
    let _ = writeln!(
        out,
        "<Style id=\"event\">{}</Style>",
        icon(Shape::Star, style::STRIKE, 0.9)
    );
    let _ = writeln!(
        out,
        "<Style id=\"place\">{}</Style>",
        icon(Shape::Square, style::TEXT, 0.7)
    );
    out
}

fn layer<'a>(layers: &'a [Layer], name: &str) -> &'a [geojson::Feature] {
    layers
        .iter()
        .find(|l| l.name == name)
        .map_or(&[], |l| l.features.as_slice())
}

/// One Placemark's parts, already KML; written in the order KML's schema wants them.
#[derive(Default)]
struct Placemark {
    name: String,
    hidden: bool,
    description: Option<String>,
    /// A `TimeStamp` or `TimeSpan`.
    time: Option<String>,
    style: String,
    data: String,
    geometry: String,
}

impl Placemark {
    fn kml(&self) -> String {
        format!(
            "<Placemark><name>{}</name>{}{}{}<styleUrl>#{}</styleUrl>{}{}</Placemark>\n",
            escape(&self.name),
            if self.hidden {
                "<visibility>0</visibility>"
            } else {
                ""
            },
            self.description
                .as_deref()
                .map(|d| format!("<description>{}</description>", escape(d)))
                .unwrap_or_default(),
            self.time.as_deref().unwrap_or_default(),
            escape(&self.style),
            self.data,
            self.geometry
        )
    }
}

/// A Folder's name, whether it starts hidden, and its Placemarks.
struct Section {
    name: &'static str,
    hidden: bool,
    placemarks: String,
}

fn section(
    name: &'static str,
    hidden: bool,
    placemarks: impl Iterator<Item = Placemark>,
) -> Section {
    Section {
        name,
        hidden,
        placemarks: placemarks.map(|p| p.kml()).collect(),
    }
}

impl Section {
    /// The Folder, its name followed by `label` if there is one.
    fn folder(&self, label: Option<&str>) -> String {
        format!(
            "<Folder><name>{}{}</name>{}\n{}</Folder>\n",
            self.name,
            label
                .map(|l| format!(": {}", escape(l)))
                .unwrap_or_default(),
            if self.hidden {
                "<visibility>0</visibility>"
            } else {
                ""
            },
            self.placemarks
        )
    }
}

/// A feature's text field, or "".
fn field(f: &geojson::Feature, key: &str) -> String {
    text(f, key).unwrap_or_default().to_string()
}

fn end_positions(layers: &[Layer]) -> Section {
    let placemarks = layer(layers, "end_state").iter().map(|f| Placemark {
        name: field(f, "id"),
        style: format!("status-{}", field(f, "status")),
        data: extended_data(f.properties.as_ref()),
        geometry: point(&vertices(f)),
        ..Placemark::default()
    });
    section("End positions", false, placemarks)
}

fn tracks(result: &RunResult, layers: &[Layer]) -> Section {
    // `tracks` holds a feature per tracked agent, in the same order.
    let placemarks = tracked(result).zip(layer(layers, "tracks")).map(|(a, f)| {
        let mut track = String::from("<gx:Track><altitudeMode>clampToGround</altitudeMode>");
        for p in &a.track {
            let _ = write!(track, "<when>{}</when>", time_text(p.t));
        }
        for p in &a.track {
            let _ = write!(
                track,
                "<gx:coord>{} {} 0</gx:coord>",
                coordinate(p.at.lon),
                coordinate(p.at.lat)
            );
        }
        track.push_str("</gx:Track>");
        Placemark {
            name: a.id.clone(),
            style: format!("track-{}", agent_type(a)),
            data: extended_data(f.properties.as_ref()),
            geometry: track,
            ..Placemark::default()
        }
    });
    section("Tracks", false, placemarks)
}

/// The same tracks as plain LineStrings with a TimeSpan, hidden until ticked: GDAL's KML driver
/// (and other readers without Google's extension) skips a `gx:Track`, and reads these.
fn routes(layers: &[Layer]) -> Section {
    let placemarks = layer(layers, "tracks").iter().map(|f| {
        let coordinates: Vec<String> = vertices(f)
            .iter()
            .map(|[lon, lat]| format!("{},{}", coordinate(*lon), coordinate(*lat)))
            .collect();
        Placemark {
            name: field(f, "id"),
            hidden: true,
            time: Some(format!(
                "<TimeSpan><begin>{}</begin><end>{}</end></TimeSpan>",
                escape(&field(f, "start_time")),
                escape(&field(f, "end_time"))
            )),
            style: format!("track-{}", field(f, "agent")),
            data: extended_data(f.properties.as_ref()),
            geometry: format!(
                "<LineString><tessellate>1</tessellate><coordinates>{}</coordinates></LineString>",
                coordinates.join(" ")
            ),
            ..Placemark::default()
        }
    });
    section("Routes", true, placemarks)
}

fn events(layers: &[Layer]) -> Section {
    let placemarks = layer(layers, "events").iter().map(|f| Placemark {
        name: field(f, "kind"),
        description: Some(field(f, "detail")),
        time: Some(format!(
            "<TimeStamp><when>{}</when></TimeStamp>",
            escape(&field(f, "event_time"))
        )),
        style: "event".into(),
        data: extended_data(f.properties.as_ref()),
        geometry: point(&vertices(f)),
        ..Placemark::default()
    });
    section("Events", false, placemarks)
}

fn places(result: &RunResult, geo: &Geography) -> Section {
    let used: BTreeSet<_> = result.agents.iter().map(|a| a.end.nearest_place).collect();
    let placemarks = used.into_iter().map(|id| {
        let p = geo.gazetteer.get(id);
        let at = p.location();
        let props: serde_json::Map<String, Value> = [
            ("id", Value::from(p.id.as_str())),
            ("kind", p.kind.as_str().into()),
            ("country", p.country.as_str().into()),
            ("uncertainty_km", p.uncertainty_km.into()),
            ("aliases", p.aliases.join("; ").into()),
            ("source", p.source.as_str().into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Placemark {
            name: p.name.clone(),
            style: "place".into(),
            data: extended_data(Some(&props)),
            geometry: point(&[[at.lon, at.lat]]),
            ..Placemark::default()
        }
    });
    section("Places", false, placemarks)
}

/// One account's run and the layers built from it, as the KML writers read them.
#[derive(Clone, Copy)]
pub struct Account<'a> {
    pub scenario: &'a Scenario,
    pub result: &'a RunResult,
    /// At least `end_state`, `tracks` and `events` (see [`super::run::kml_layers`]).
    pub layers: &'a [Layer],
}

impl Account<'_> {
    /// The account's title as a `<name>`, and where it comes from as a `<description>`.
    fn heading(&self) -> String {
        let a = &self.scenario.account;
        format!(
            "<name>{}</name>\n<description>{} — {}, {}. Simulated by convoy-sim {}, seed {}.</description>\n",
            escape(&a.title),
            escape(&a.source),
            escape(&a.cite.outlet),
            a.cite.date,
            env!("CARGO_PKG_VERSION"),
            self.result.seed
        )
    }

    /// The account's five folders; `label` after each name tells them apart in GDAL, which lists
    /// every folder as a layer.
    fn folders(&self, geo: &Geography, label: Option<&str>) -> String {
        [
            end_positions(self.layers),
            tracks(self.result, self.layers),
            routes(self.layers),
            events(self.layers),
            places(self.result, geo),
        ]
        .iter()
        .map(|s| s.folder(label))
        .collect()
    }
}

/// A KML 2.2 Document, with Google's `gx` extension for the tracks, around `body`.
fn document(heading: &str, styles: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\" xmlns:gx=\"http://www.google.com/kml/ext/2.2\">\n<Document>\n{heading}{styles}{body}</Document>\n</kml>\n"
    )
}

/// `doc.kml` of `run.kmz`: one account's run.
pub fn doc_kml(account: Account<'_>, geo: &Geography) -> String {
    document(
        &account.heading(),
        &styles(std::iter::once(account.result)),
        &account.folders(geo, None),
    )
}

/// `doc.kml` of `compare.kmz`: a Folder per account, each holding that account's five folders,
/// named after its scenario ("End positions: us_military").
pub fn compare_kml(accounts: &[Account<'_>], geo: &Geography) -> String {
    let body: String = accounts
        .iter()
        .map(|a| {
            let folders = a.folders(geo, Some(&a.scenario.name));
            format!("<Folder>{}{folders}</Folder>\n", a.heading())
        })
        .collect();
    document(
        "<name>Where the accounts put the convoy</name>\n",
        &styles(accounts.iter().map(|a| a.result)),
        &body,
    )
}

/// `run.kmz`: [`doc_kml`] zipped.
pub fn kmz(account: Account<'_>, geo: &Geography) -> zip::result::ZipResult<Vec<u8>> {
    zipped(&doc_kml(account, geo), account.result.end)
}

/// `compare.kmz`: [`compare_kml`] zipped.
pub fn compare_kmz(accounts: &[Account<'_>], geo: &Geography) -> zip::result::ZipResult<Vec<u8>> {
    let latest = accounts.iter().map(|a| a.result.end).max();
    zipped(
        &compare_kml(accounts, geo),
        latest.unwrap_or(jiff::Timestamp::UNIX_EPOCH),
    )
}

/// `kml` deflated into a KMZ with the marker icons it names, stamped `at` (a run's end) rather
/// than the clock so that the same runs give the same bytes.
fn zipped(kml: &str, at: jiff::Timestamp) -> zip::result::ZipResult<Vec<u8>> {
    let at = at.to_zoned(jiff::tz::TimeZone::UTC);
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(at.year()).unwrap_or(1980),
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    )
    .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644)
        .large_file(kml.len() >= u32::MAX as usize);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("doc.kml", options)?;
    zip.write_all(kml.as_bytes())?;
    for shape in Shape::ALL {
        zip.start_file(shape.path(), options)?;
        zip.write_all(&icons::png(shape))?;
    }
    Ok(zip.finish()?.into_inner())
}
