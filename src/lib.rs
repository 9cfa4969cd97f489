//! convoy-sim: executable scenarios of the conflicting accounts of the August 2017 Qalamoun convoy,
//! and where they diverge.
//!
//! The crate reads as its pipeline:
//!
//! ```text
//!  data/*.geojson ──► gazetteer::Gazetteer     names → points (aliases, uncertainty, provenance)
//!   (embedded)   ├──► network::RoadNetwork     roads → graph; snapping, routing, closures
//!                └──► zones::ControlMap        (point, time) → Holder
//!                         │
//!                         ▼
//!                     Geography  ─────────────► the CLI (src/cli/: geocode, places, route)
//! ```
//!
//! Scenario files, the engine and map output build on [`Geography`] and come later; the engine
//! will be a plain value with no IO, as these are.
//!
//! Conventions: positions are [`units::LonLat`] (longitude first, WGS84 degrees); distances are
//! [`units::Metres`]; instants are [`jiff::Timestamp`] in UTC. Each stage has its own error type.

pub mod data;
pub mod engine;
pub mod gazetteer;
pub mod network;
pub mod output;
pub mod scenario;
pub mod units;
pub mod zones;

pub use data::{DataError, Geography};
