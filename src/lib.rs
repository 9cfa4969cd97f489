//! convoy-sim: executable scenarios of the conflicting accounts of the August 2017 Qalamoun convoy,
//! and where they diverge.
//!
//! The crate reads as its pipeline, with the type at each arrow:
//!
//! ```text
//!  scenarios/*.toml ──► scenario::Scenario        TOML → raw mirror → validated, names resolved
//!                            │   (needs ↓)
//!  data/*.geojson ──► Geography                   embedded in the binary
//!    (embedded)       ├─ gazetteer::Gazetteer     names → points (aliases, uncertainty, provenance)
//!                     ├─ network::RoadNetwork     roads → graph; snapping, routing, closures
//!                     ├─ zones::ControlMap        (point, time) → Holder, one of the data's
//!                     │                           zones::Holders (data/holders.toml)
//!                     ├─ sources::Registry        citation id → report (data/sources.toml)
//!                     └─ credibility::Ratings     report (or quote) → high/medium/low, with why
//!                                                 (data/credibility.toml)
//!                            │
//!                            ▼
//!                     uncertainty::Inputs       named uncertain inputs (group speeds, event
//!                            │                  windows, the cut along its road) → a drawn
//!                            │                  Scenario per realization
//!                     engine::Simulation ──► engine::RunResult     plain value, no IO, seeded;
//!                            │                  one agent model (vehicles of any kind, people)
//!                            │                  under one plan vocabulary (scenario::ACTIONS);
//!                            │                  events are facts, worded by output::words
//!                     ensemble::run             N realizations in parallel, seed-ordered;
//!                            │                  ensemble::shard, check::Plan: a range of them
//!                            │                  → a partial that merges to the same bits
//!                     check::check              claims × accounts → impossible / consistent / not
//!                            │                  ruled out / inconsistent, with Wilson intervals
//!                            │                  (check::reach bounds what is possible)
//!                     check::Ach                the ACH matrix scored: unweighted, weighted by
//!                            │                  credibility × relevance, diagnosticity per claim
//!                     sensitivity::{sobol,morris}  quantiles of named inputs → which input drives
//!                            │                  which output (Sobol indices, Morris effects)
//!                            ▼
//!                     output::run               RunResult → summary.json, GeoJSON, MF-JSON text;
//!                     output::{kml,gpkg}        the same layers as run.kmz and run.gpkg bytes,
//!                     output::{qgis,qgs}        and their QGIS styles (.qml) and project (run.qgs)
//!                     output::{ensemble,check}  ensemble and check files; output::map draws PNG/SVG
//!                     output::report            report.html: one offline page, Leaflet inlined
//!                     output::{csv,provenance}  point layers as CSV; what every JSON file read
//!                            │
//!                            ▼
//!                     src/cli/ (binary only)    one file per subcommand; writes files atomically
//! ```
//!
//! Conventions: positions are [`units::LonLat`] (longitude first, WGS84 degrees); distances are
//! [`units::Metres`]; speeds [`units::KmPerHour`]; instants are [`jiff::Timestamp`] in UTC. Each
//! stage has its own error type; only the binary turns them into a message and an exit code.

pub mod check;
pub mod cost;
pub mod credibility;
pub mod data;
pub mod engine;
pub mod ensemble;
pub mod gazetteer;
pub mod network;
pub mod output;
mod read;
pub mod scenario;
pub mod sensitivity;
pub mod sources;
pub mod uncertainty;
pub mod units;
pub mod zones;

pub use data::{DataError, Geography};
