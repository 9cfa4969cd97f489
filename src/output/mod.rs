//! What the pipeline writes for people and for GIS: GeoJSON, a GeoPackage and KML that QGIS, GDAL
//! and Google Earth open as they are, QGIS styles and a QGIS project, the run summaries, and an
//! interactive report that opens offline in a browser. Bytes only; the CLI decides where they go.

pub mod assignment;
pub mod check;
pub mod compare;
pub mod csv;
pub mod ensemble;
pub mod geojson;
pub mod gpkg;
pub mod ground;
pub mod kml;
pub mod kml_icons;
pub mod map;
pub mod provenance;
pub mod qgis;
pub mod qgs;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod words;
pub mod xml;
