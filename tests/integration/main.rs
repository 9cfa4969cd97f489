//! The integration suite: one binary, a small harness, a module per capability.

mod agents;
mod check;
mod chromium;
mod cli_errors;
mod deliverables;
mod ensemble;
mod fuzz;
mod gazetteer;
mod gdal;
mod golden_ensemble;
mod harness;
mod map_text;
mod maps;
mod network;
mod properties;
mod qgis_project;
mod readme;
mod report;
mod run_cli;
mod safety;
mod scenarios;
mod schema;
mod sensitivity;
mod sources;
mod uncertainty;
mod zones;
