//! What the pipeline writes for people and for GIS: GeoJSON that QGIS and GDAL open as it is, and
//! the run summaries. Text only; the CLI decides where it goes.

pub mod assignment;
pub mod check;
pub mod compare;
pub mod ensemble;
pub mod geojson;
pub mod map;
pub mod qgis;
pub mod run;
