//! `run.gpkg`: the four layers of a run in one OGC GeoPackage 1.3 file, each with its QGIS style,
//! for users who would rather hand over one file than nine.
//!
//! SQLite (bundled, compiled in) holds the tables; the geometry blobs — the GeoPackage header
//! (`GP`, version 0, little-endian, an xy envelope, srs_id 4326) followed by ISO WKB — are written
//! here. SQLite writes the file where the CLI stages it, row by row, so a layer of millions of
//! points is never whole in memory; the same layers always give the same bytes: the statements
//! run in a fixed order and no clock is read (`last_change` and the styles' `update_time` are the
//! run's end time). Each layer has its R-tree spatial index (`rtree_<layer>_geom`, registered in
//! `gpkg_extensions`, with the triggers GDAL writes), filled as the rows go in.
//!
//! Field types are those GDAL gives the same features read from GeoJSON: Integer, Real, String,
//! and DateTime for ISO 8601 UTC text, stored as the spec's `YYYY-MM-DDTHH:MM:SS.SSSZ`. The
//! `layer_styles` table is the one QGIS writes, with each layer's `.qml` as its default style.

use std::path::Path;

use jiff::Timestamp;
use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::Value;

use super::geojson::{bounds, vertices};
use super::run::{Layer, LayerGeometry};

/// `PRAGMA application_id`: "GPKG" in ASCII.
const APPLICATION_ID: u32 = 0x4750_4B47;
/// `PRAGMA user_version` of GeoPackage 1.3.0.
const USER_VERSION: u32 = 10300;
const WGS84: i32 = 4326;

/// The tables every GeoPackage has, as the spec (annex C) defines them, and its three required
/// spatial reference systems; the extensions table, for the spatial indexes; then QGIS's
/// `layer_styles`.
const SCHEMA: &str = r#"
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326,
   'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]',
   'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
CREATE TABLE layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME);
"#;

/// A field's type, as GDAL would type it from the GeoJSON values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Fits in 32 bits: GDAL's Integer.
    Integer,
    /// GDAL's Integer64.
    Integer64,
    Real,
    Boolean,
    DateTime,
    Text,
}

impl Field {
    fn sql(self) -> &'static str {
        match self {
            // The GeoPackage's 32-bit and 64-bit integers.
            Field::Integer => "MEDIUMINT",
            Field::Integer64 => "INTEGER",
            Field::Real => "REAL",
            Field::Boolean => "BOOLEAN",
            Field::DateTime => "DATETIME",
            Field::Text => "TEXT",
        }
    }

    /// The type of one value; `None` for null, which fits any.
    pub fn of(v: &Value) -> Option<Field> {
        match v {
            Value::Null => None,
            Value::Bool(_) => Some(Field::Boolean),
            Value::Number(n) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() => Some(Field::Integer),
                Some(_) => Some(Field::Integer64),
                // Fractions, and whole numbers past i64 as GDAL reads them too.
                None => Some(Field::Real),
            },
            Value::String(s) if datetime(s).is_some() => Some(Field::DateTime),
            _ => Some(Field::Text),
        }
    }

    /// The type that holds values of both.
    pub fn join(self, other: Field) -> Field {
        match (self, other) {
            (a, b) if a == b => a,
            (Field::Integer | Field::Integer64, Field::Integer | Field::Integer64) => {
                Field::Integer64
            }
            (
                Field::Integer | Field::Integer64 | Field::Real,
                Field::Integer | Field::Integer64 | Field::Real,
            ) => Field::Real,
            _ => Field::Text,
        }
    }
}

/// ISO 8601 UTC text as the GeoJSON writes it ("2017-08-30T12:00:00Z"), in the GeoPackage form.
fn datetime(s: &str) -> Option<String> {
    let t: Timestamp = s.parse().ok().filter(|_| s.ends_with('Z'))?;
    Some(spec_time(t))
}

/// `YYYY-MM-DDTHH:MM:SS.SSSZ`, the spec's DATETIME.
fn spec_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Every property of a layer with the type that holds all its values, in key order.
fn fields<'l>(layer: &'l Layer<'_>) -> Vec<(&'l str, Field)> {
    // A field that is null everywhere is text, as GDAL reads it.
    layer
        .schema()
        .fields
        .iter()
        .map(|(k, f)| (k.as_str(), f.unwrap_or(Field::Text)))
        .collect()
}

fn sql_value(v: Option<&Value>, field: Field) -> Sql {
    match (v, field) {
        (None | Some(Value::Null), _) => Sql::Null,
        (Some(Value::Bool(b)), _) => Sql::Integer(i64::from(*b)),
        (Some(Value::Number(n)), Field::Integer | Field::Integer64) => {
            n.as_i64().map_or(Sql::Null, Sql::Integer)
        }
        (Some(Value::Number(n)), Field::Real) => n.as_f64().map_or(Sql::Null, Sql::Real),
        (Some(Value::String(s)), Field::DateTime) => {
            datetime(s).map_or_else(|| Sql::Text(s.clone()), Sql::Text)
        }
        (Some(Value::String(s)), _) => Sql::Text(s.clone()),
        (Some(v), _) => Sql::Text(v.to_string()),
    }
}

/// A GeoPackage geometry blob (spec 2.1.3): header with an xy envelope, then ISO WKB, all
/// little-endian. `None` for a feature without vertices: a NULL geometry.
fn geometry(xy: &[[f64; 2]], kind: LayerGeometry) -> Option<Vec<u8>> {
    let [min_x, min_y, max_x, max_y] = bounds(xy.iter().copied())?;
    let mut b = Vec::with_capacity(8 + 32 + 9 + 16 * xy.len());
    b.extend_from_slice(b"GP");
    b.push(0); // version 1
    b.push(0b0000_0011); // envelope [min_x, max_x, min_y, max_y]; little-endian
    b.extend_from_slice(&WGS84.to_le_bytes());
    for v in [min_x, max_x, min_y, max_y] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.push(1); // WKB little-endian
    match kind {
        LayerGeometry::Point => b.extend_from_slice(&1u32.to_le_bytes()),
        LayerGeometry::LineString => {
            b.extend_from_slice(&2u32.to_le_bytes());
            b.extend_from_slice(&(xy.len() as u32).to_le_bytes());
        }
        // One ring: the layers' polygons (ensemble cells) have no holes.
        LayerGeometry::Polygon => {
            b.extend_from_slice(&3u32.to_le_bytes());
            b.extend_from_slice(&1u32.to_le_bytes());
            b.extend_from_slice(&(xy.len() as u32).to_le_bytes());
        }
    }
    let points = if kind == LayerGeometry::Point {
        &xy[..1]
    } else {
        xy
    };
    for [x, y] in points {
        b.extend_from_slice(&x.to_le_bytes());
        b.extend_from_slice(&y.to_le_bytes());
    }
    Some(b)
}

/// `"name"`, quoted as an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn write_layer(db: &Connection, layer: &Layer<'_>, last_change: &str) -> rusqlite::Result<()> {
    let fields = fields(layer);
    let type_name = match layer.geometry {
        LayerGeometry::Point => "POINT",
        LayerGeometry::LineString => "LINESTRING",
        LayerGeometry::Polygon => "POLYGON",
    };
    let columns: String = fields
        .iter()
        .map(|(k, f)| format!(", {} {}", ident(k), f.sql()))
        .collect();
    let table = ident(layer.name);
    db.execute_batch(&format!(
        "CREATE TABLE {table} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {type_name}{columns});"
    ))?;
    let extent = layer.schema().extent;
    db.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id) \
         VALUES (?1, 'features', ?1, '', ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            layer.name,
            last_change,
            extent.map(|e| e[0]),
            extent.map(|e| e[1]),
            extent.map(|e| e[2]),
            extent.map(|e| e[3]),
            WGS84
        ],
    )?;
    db.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        rusqlite::params![layer.name, type_name, WGS84],
    )?;
    let names: String = fields
        .iter()
        .map(|(k, _)| format!(", {}", ident(k)))
        .collect();
    let slots: String = (0..fields.len()).map(|i| format!(", ?{}", i + 2)).collect();
    let rtree = ident(&format!("rtree_{}_geom", layer.name));
    db.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {rtree} USING rtree(id, minx, maxx, miny, maxy);"
    ))?;
    let mut insert = db.prepare(&format!(
        "INSERT INTO {table} (geom{names}) VALUES (?1{slots})"
    ))?;
    let mut index = db.prepare(&format!("INSERT INTO {rtree} VALUES (?1, ?2, ?3, ?4, ?5)"))?;
    for f in layer.features() {
        let props = f.properties.as_ref();
        let xy = vertices(&f);
        let mut row = vec![geometry(&xy, layer.geometry).map_or(Sql::Null, Sql::Blob)];
        row.extend(
            fields
                .iter()
                .map(|(k, field)| sql_value(props.and_then(|p| p.get(*k)), *field)),
        );
        insert.execute(rusqlite::params_from_iter(row))?;
        if let Some([x0, y0, x1, y1]) = bounds(xy.iter().copied()) {
            index.execute(rusqlite::params![db.last_insert_rowid(), x0, x1, y0, y1])?;
        }
    }
    // The index is filled as the rows went in; from here on, these keep it in step with edits in
    // GDAL or QGIS, which provide the ST_ functions (as GDAL writes them, GeoPackage 1.3 F.3).
    db.execute_batch(&rtree_triggers(layer.name))?;
    db.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        [layer.name],
    )?;
    db.execute(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) \
         VALUES ('', '', ?1, 'geom', ?1, ?2, '', 1, 'convoy-sim', '', NULL, ?3)",
        rusqlite::params![layer.name, layer.style.qml(), last_change],
    )?;
    Ok(())
}

/// The triggers that keep table `t`'s R-tree `rtree_t_geom` in step with its geometries, as GDAL
/// writes them.
fn rtree_triggers(t: &str) -> String {
    let (table, rtree) = (ident(t), ident(&format!("rtree_{t}_geom")));
    let trigger = |suffix: &str| ident(&format!("rtree_{t}_geom_{suffix}"));
    let insert = format!(
        "INSERT OR REPLACE INTO {rtree} VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));"
    );
    let present = "NEW.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom)";
    let absent = "NEW.geom ISNULL OR ST_IsEmpty(NEW.geom)";
    [
        format!("CREATE TRIGGER {} AFTER INSERT ON {table} WHEN ({present}) BEGIN {insert} END;", trigger("insert")),
        format!("CREATE TRIGGER {} AFTER UPDATE OF geom ON {table} WHEN OLD.fid = NEW.fid AND ({present}) BEGIN {insert} END;", trigger("update1")),
        format!("CREATE TRIGGER {} AFTER UPDATE OF geom ON {table} WHEN OLD.fid = NEW.fid AND ({absent}) BEGIN DELETE FROM {rtree} WHERE id = OLD.fid; END;", trigger("update2")),
        format!("CREATE TRIGGER {} AFTER UPDATE ON {table} WHEN OLD.fid != NEW.fid AND ({present}) BEGIN DELETE FROM {rtree} WHERE id = OLD.fid; {insert} END;", trigger("update3")),
        format!("CREATE TRIGGER {} AFTER UPDATE ON {table} WHEN OLD.fid != NEW.fid AND ({absent}) BEGIN DELETE FROM {rtree} WHERE id IN (OLD.fid, NEW.fid); END;", trigger("update4")),
        format!("CREATE TRIGGER {} AFTER DELETE ON {table} WHEN OLD.geom NOT NULL BEGIN DELETE FROM {rtree} WHERE id = OLD.fid; END;", trigger("delete")),
    ]
    .join("\n")
}

/// `run.gpkg`: `layers` as a GeoPackage written at `path` (which must not exist yet), stamped
/// `last_change` (the run's end, not the clock). SQLite writes the file page by page as the rows
/// go in, so a layer of millions of points needs no more memory than its page cache.
pub fn write_geopackage(
    path: &Path,
    layers: &[Layer<'_>],
    last_change: Timestamp,
) -> rusqlite::Result<()> {
    let db = Connection::open(path)?;
    // No journal: the file is new and only staged, and a write that fails is thrown away whole.
    db.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
         PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};"
    ))?;
    let stamp = spec_time(last_change);
    let tx = db.unchecked_transaction()?;
    tx.execute_batch(SCHEMA)?;
    for layer in layers {
        write_layer(&tx, layer, &stamp)?;
    }
    // QGIS registers its style table as attributes; GDAL then lists it as a table, not a stray.
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) \
         VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS styles', ?1)",
        [&stamp],
    )?;
    tx.commit()?;
    db.close().map_err(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_blob_is_header_envelope_then_wkb() {
        let b = geometry(&[[40.9, 34.45]], LayerGeometry::Point).unwrap();
        assert_eq!(&b[..4], b"GP\0\x03");
        assert_eq!(i32::from_le_bytes(b[4..8].try_into().unwrap()), 4326);
        assert_eq!(b.len(), 8 + 32 + 21);
        assert_eq!(b[40], 1);
        assert_eq!(u32::from_le_bytes(b[41..45].try_into().unwrap()), 1);
        assert_eq!(f64::from_le_bytes(b[45..53].try_into().unwrap()), 40.9);
    }

    #[test]
    fn field_types_widen_as_gdal_reads_geojson() {
        let of = |v: Value| Field::of(&v);
        assert_eq!(
            of(serde_json::json!("2017-08-30T12:00:00Z")),
            Some(Field::DateTime)
        );
        assert_eq!(of(serde_json::json!("Rawa")), Some(Field::Text));
        assert_eq!(
            of(serde_json::json!(3_000_000_000u64)),
            Some(Field::Integer64)
        );
        assert_eq!(Field::Integer.join(Field::Integer64), Field::Integer64);
        assert_eq!(Field::Integer.join(Field::Real), Field::Real);
        assert_eq!(Field::DateTime.join(Field::Text), Field::Text);
        assert_eq!(
            datetime("2017-08-30T12:00:00Z").unwrap(),
            "2017-08-30T12:00:00.000Z"
        );
    }
}
