//! The integration suite: one binary, a small harness, a module per capability.

mod check;
mod cli_errors;
mod deliverables;
mod ensemble;
mod fuzz;
mod gazetteer;
mod gdal;
mod harness;
mod map_text;
mod maps;
mod network;
mod properties;
mod qgis_project;
mod readme;
mod run_cli;
mod safety;
mod scenarios;
mod schema;
mod zones;
