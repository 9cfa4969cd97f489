//! `run.kmz`: a run for Google Earth, the tool most readers of a briefing already have.
//!
//! One `doc.kml`, zipped. `compare.kmz` holds a Folder per account, each as below. The Document
//! holds a style per bus and people track and per end status,
//! in the colours of `map.png`, then five folders: "End positions" (a Placemark per agent, its
//! end-state fields as ExtendedData, typed by the folder's `<Schema>`), "Tracks" (a `gx:Track` per agent that moved), "Routes" (the
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
//! Over a data folder, the Document's `<description>` credits the data as the maps' footers do
//! (an OpenStreetMap import: "© OpenStreetMap contributors, ODbL 1.0").
//!
//! Everything here reads the same [`Layer`]s as the GeoJSON, so the fields match; text from the
//! scenario goes through [`escape`]; coordinates are lon,lat as KML wants.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{self, Write};

use zip::result::ZipResult;

use plotters::style::RGBColor;
use serde_json::Value;

use super::geojson::vertices;
use super::gpkg::Field;
use super::kml_icons::{self as icons, Shape};
use super::map::style;
use super::run::{Layer, Sink, agent_type, time_text, tracked};
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

/// The `ExtendedData` of a feature's properties, in key order, as data of the `<Schema>` with id
/// `schema` (see [`schemas`]); nulls left out.
fn extended_data(props: Option<&serde_json::Map<String, Value>>, schema: &str) -> String {
    let mut out = format!("<ExtendedData><SchemaData schemaUrl=\"#{schema}\">");
    for (k, v) in props.into_iter().flatten() {
        let text = match v {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let _ = write!(
            out,
            "<SimpleData name=\"{}\">{}</SimpleData>",
            escape(k),
            escape(&text)
        );
    }
    out.push_str("</SchemaData></ExtendedData>");
    out
}

/// The fields of the places folder and their types.
const PLACE_FIELDS: [(&str, Field); 6] = [
    ("aliases", Field::Text),
    ("country", Field::Text),
    ("id", Field::Text),
    ("kind", Field::Text),
    ("source", Field::Text),
    ("uncertainty_km", Field::Real),
];

/// A field's type as a KML `<SimpleField>` names it: KML has no date type, and no integer wider
/// than 32 bits, so times are text (ISO 8601, as in the GeoJSON) and wider integers double.
fn simple_type(field: Option<Field>) -> &'static str {
    match field {
        Some(Field::Integer) => "int",
        Some(Field::Integer64 | Field::Real) => "double",
        Some(Field::Boolean) => "bool",
        Some(Field::DateTime | Field::Text) | None => "string",
    }
}

/// The fields of layer `name` of `layers` and their types, in key order.
fn layer_fields(layers: &[Layer<'_>], name: &str) -> Vec<(String, Option<Field>)> {
    layers
        .iter()
        .filter(|l| l.name == name)
        .flat_map(|l| l.schema().fields.iter().map(|(k, f)| (k.clone(), *f)))
        .collect()
}

/// A `<Schema>` with id `id` typing the `ExtendedData` of a folder's placemarks, so GDAL's KML
/// and LIBKML drivers read numbers as numbers.
fn schema<'f>(id: &str, fields: impl IntoIterator<Item = (&'f str, Option<Field>)>) -> String {
    let mut out = format!("<Schema name=\"{id}\" id=\"{id}\">");
    for (k, f) in fields {
        let _ = write!(
            out,
            "<SimpleField name=\"{}\" type=\"{}\"/>",
            escape(k),
            simple_type(f)
        );
    }
    out.push_str("</Schema>");
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

/// The features of the layer called `name`, made one at a time; none if there is no such layer.
fn layer<'a>(layers: &[Layer<'a>], name: &str) -> Box<dyn Iterator<Item = geojson::Feature> + 'a> {
    match layers.iter().find(|l| l.name == name) {
        Some(l) => l.features(),
        None => Box::new(std::iter::empty()),
    }
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

/// A folder's name, whether it starts hidden, the schema of its placemarks' data (its id and
/// fields), and its Placemarks, made as they are written.
struct Section<'a> {
    name: &'static str,
    hidden: bool,
    schema: (String, Vec<(String, Option<Field>)>),
    placemarks: Box<dyn Iterator<Item = Placemark> + 'a>,
}

impl Section<'_> {
    /// Writes the folder, its name followed by `label` if there is one. It is a `<Document>`, the
    /// KML container that may hold a `<Schema>`: GDAL's LIBKML driver reads a KMZ's schemas only
    /// from the container of the placemarks that use them (GDAL's KML driver and Google Earth
    /// show a Document as they show a Folder).
    fn write(self, w: &mut dyn Write, label: Option<&str>) -> io::Result<()> {
        writeln!(
            w,
            "<Document><name>{}{}</name>{}{}",
            self.name,
            label
                .map(|l| format!(": {}", escape(l)))
                .unwrap_or_default(),
            if self.hidden {
                "<visibility>0</visibility>"
            } else {
                ""
            },
            schema(
                &self.schema.0,
                self.schema.1.iter().map(|(k, f)| (k.as_str(), *f))
            ),
        )?;
        for p in self.placemarks {
            w.write_all(p.kml().as_bytes())?;
        }
        w.write_all(b"</Document>\n")
    }
}

fn section<'a>(
    name: &'static str,
    hidden: bool,
    schema: (String, Vec<(String, Option<Field>)>),
    placemarks: impl Iterator<Item = Placemark> + 'a,
) -> Section<'a> {
    Section {
        name,
        hidden,
        schema,
        placemarks: Box::new(placemarks),
    }
}

/// A feature's text field, or "".
fn field(f: &geojson::Feature, key: &str) -> String {
    text(f, key).unwrap_or_default().to_string()
}

fn end_positions<'a>(layers: &[Layer<'a>], id: String) -> Section<'a> {
    let fields = layer_fields(layers, "end_state");
    let data_id = id.clone();
    let placemarks = layer(layers, "end_state").map(move |f| Placemark {
        name: field(&f, "id"),
        style: format!("status-{}", field(&f, "status")),
        data: extended_data(f.properties.as_ref(), &data_id),
        geometry: point(&vertices(&f)),
        ..Placemark::default()
    });
    section("End positions", false, (id, fields), placemarks)
}

fn tracks<'a>(result: &'a RunResult, layers: &[Layer<'a>], id: String) -> Section<'a> {
    let fields = layer_fields(layers, "tracks");
    let data_id = id.clone();
    // `tracks` holds a feature per tracked agent, in the same order.
    let placemarks = tracked(result)
        .zip(layer(layers, "tracks"))
        .map(move |(a, f)| {
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
                data: extended_data(f.properties.as_ref(), &data_id),
                geometry: track,
                ..Placemark::default()
            }
        });
    section("Tracks", false, (id, fields), placemarks)
}

/// The same tracks as plain LineStrings with a TimeSpan, hidden until ticked: GDAL's KML driver
/// (and other readers without Google's extension) skips a `gx:Track`, and reads these.
fn routes<'a>(layers: &[Layer<'a>], id: String) -> Section<'a> {
    let fields = layer_fields(layers, "tracks");
    let data_id = id.clone();
    let placemarks = layer(layers, "tracks").map(move |f| {
        let coordinates: Vec<String> = vertices(&f)
            .iter()
            .map(|[lon, lat]| format!("{},{}", coordinate(*lon), coordinate(*lat)))
            .collect();
        Placemark {
            name: field(&f, "id"),
            hidden: true,
            time: Some(format!(
                "<TimeSpan><begin>{}</begin><end>{}</end></TimeSpan>",
                escape(&field(&f, "start_time")),
                escape(&field(&f, "end_time"))
            )),
            style: format!("track-{}", field(&f, "agent")),
            data: extended_data(f.properties.as_ref(), &data_id),
            geometry: format!(
                "<LineString><tessellate>1</tessellate><coordinates>{}</coordinates></LineString>",
                coordinates.join(" ")
            ),
            ..Placemark::default()
        }
    });
    section("Routes", true, (id, fields), placemarks)
}

fn events<'a>(layers: &[Layer<'a>], id: String) -> Section<'a> {
    let fields = layer_fields(layers, "events");
    let data_id = id.clone();
    let placemarks = layer(layers, "events").map(move |f| Placemark {
        name: field(&f, "kind"),
        description: Some(field(&f, "detail")),
        time: Some(format!(
            "<TimeStamp><when>{}</when></TimeStamp>",
            escape(&field(&f, "event_time"))
        )),
        style: "event".into(),
        data: extended_data(f.properties.as_ref(), &data_id),
        geometry: point(&vertices(&f)),
        ..Placemark::default()
    });
    section("Events", false, (id, fields), placemarks)
}

fn places<'a>(result: &RunResult, geo: &'a Geography, id: String) -> Section<'a> {
    let fields = PLACE_FIELDS
        .iter()
        .map(|(k, f)| (k.to_string(), Some(*f)))
        .collect();
    let data_id = id.clone();
    let used: BTreeSet<_> = result.agents.iter().map(|a| a.end.nearest_place).collect();
    let placemarks = used.into_iter().map(move |place| {
        let p = geo.gazetteer.get(place);
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
            data: extended_data(Some(&props), &data_id),
            geometry: point(&[[at.lon, at.lat]]),
            ..Placemark::default()
        }
    });
    section("Places", false, (id, fields), placemarks)
}

/// One account's run and the layers built from it, as the KML writers read them.
#[derive(Clone)]
pub struct Account<'a> {
    pub scenario: &'a Scenario,
    pub result: &'a RunResult,
    /// At least `end_state`, `tracks` and `events` (see [`super::run::kml_layers`]).
    pub layers: Vec<Layer<'a>>,
}

/// Whom the data drawn must be credited to, as the maps' footers credit it
/// ([`crate::data::attribution`]: "Data: …; roads: © OpenStreetMap contributors, ODbL 1.0, …"),
/// for a `<description>`. None over the embedded data (or an unedited export of it): its KML has
/// always been written without the line, and keeps its bytes.
fn credit(geo: &Geography) -> Option<&str> {
    (geo.attribution != crate::data::EMBEDDED_ATTRIBUTION).then_some(geo.attribution.as_str())
}

impl Account<'_> {
    /// The account's title as a `<name>`, and where it comes from as a `<description>`, with
    /// `credit` after it if there is one.
    fn heading(&self, credit: Option<&str>) -> String {
        let a = &self.scenario.account;
        format!(
            "<name>{}</name>\n<description>{} — {}, {}. Simulated by convoy-sim {}, seed {}.{}</description>\n",
            escape(&a.title),
            escape(&a.source),
            escape(&a.cite.outlet),
            a.cite.date,
            env!("CARGO_PKG_VERSION"),
            self.result.seed,
            credit
                .map(|c| format!(" {}", escape(c)))
                .unwrap_or_default()
        )
    }

    /// Writes the account's five folders; `label` after each name tells them apart in GDAL,
    /// which lists every folder as a layer.
    /// `prefix` starts the ids of its schemas, which must differ between accounts in one file.
    fn write_folders(
        &self,
        w: &mut dyn Write,
        geo: &Geography,
        label: Option<&str>,
        prefix: &str,
    ) -> io::Result<()> {
        let id = |name: &str| format!("{prefix}{name}");
        end_positions(&self.layers, id("end_state")).write(w, label)?;
        tracks(self.result, &self.layers, id("tracks")).write(w, label)?;
        routes(&self.layers, id("routes")).write(w, label)?;
        events(&self.layers, id("events")).write(w, label)?;
        places(self.result, geo, id("places")).write(w, label)
    }
}

/// Writes a KML 2.2 Document, with Google's `gx` extension for the tracks, around what `body`
/// writes.
fn write_document(
    w: &mut dyn Write,
    heading: &str,
    styles: &str,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    write!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\" xmlns:gx=\"http://www.google.com/kml/ext/2.2\">\n<Document>\n{heading}{styles}"
    )?;
    body(w)?;
    w.write_all(b"</Document>\n</kml>\n")
}

/// Writes `doc.kml` of `run.kmz`: one account's run.
pub fn write_doc_kml(w: &mut dyn Write, account: &Account<'_>, geo: &Geography) -> io::Result<()> {
    write_document(
        w,
        &account.heading(credit(geo)),
        &styles(std::iter::once(account.result)),
        |w| account.write_folders(w, geo, None, ""),
    )
}

/// Writes `doc.kml` of `compare.kmz`: a Folder per account, each holding that account's five
/// folders, named after its scenario ("End positions: us_military").
pub fn write_compare_kml(
    w: &mut dyn Write,
    accounts: &[Account<'_>],
    geo: &Geography,
) -> io::Result<()> {
    let mut heading = String::from("<name>Where the accounts put the convoy</name>\n");
    if let Some(c) = credit(geo) {
        let _ = writeln!(heading, "<description>{}</description>", escape(c));
    }
    write_document(
        w,
        &heading,
        &styles(accounts.iter().map(|a| a.result)),
        |w| {
            for (i, a) in accounts.iter().enumerate() {
                write!(w, "<Folder>{}", a.heading(None))?;
                a.write_folders(w, geo, Some(&a.scenario.name), &format!("a{}_", i + 1))?;
                w.write_all(b"</Folder>\n")?;
            }
            Ok(())
        },
    )
}

/// Writes `run.kmz`: [`write_doc_kml`] zipped.
pub fn write_kmz(w: &mut dyn Sink, account: &Account<'_>, geo: &Geography) -> ZipResult<()> {
    zipped(w, account.result.end, |w| write_doc_kml(w, account, geo))
}

/// Writes `compare.kmz`: [`write_compare_kml`] zipped.
pub fn write_compare_kmz(
    w: &mut dyn Sink,
    accounts: &[Account<'_>],
    geo: &Geography,
) -> ZipResult<()> {
    let latest = accounts.iter().map(|a| a.result.end).max();
    zipped(w, latest.unwrap_or(jiff::Timestamp::UNIX_EPOCH), |w| {
        write_compare_kml(w, accounts, geo)
    })
}

/// Counts the bytes written through it, and keeps none.
struct Counted(u64);

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The KML `kml` writes, deflated into a KMZ with the marker icons it names, stamped `at` (a
/// run's end) rather than the clock so that the same runs give the same bytes. The KML is made
/// twice, once only to count it: whether the archive needs ZIP64 is decided before it is written.
fn zipped(
    w: &mut dyn Sink,
    at: jiff::Timestamp,
    kml: impl Fn(&mut dyn Write) -> io::Result<()>,
) -> ZipResult<()> {
    let mut counted = Counted(0);
    kml(&mut counted)?;
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
        .large_file(counted.0 >= u64::from(u32::MAX));
    let mut zip = zip::ZipWriter::new(w);
    zip.start_file("doc.kml", options)?;
    kml(&mut zip)?;
    for shape in Shape::ALL {
        zip.start_file(shape.path(), options)?;
        zip.write_all(&icons::png(shape))?;
    }
    zip.finish()?;
    Ok(())
}
