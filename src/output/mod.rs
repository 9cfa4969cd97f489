//! What the pipeline writes for people and for GIS: GeoJSON that QGIS and GDAL open as it is.

pub mod geojson;
