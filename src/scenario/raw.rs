//! The scenario file as written: serde structs that mirror the TOML one to one, refuse unknown
//! keys, and keep the position of every value a later check may need to point at.

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

/// A number, or a `[low, high]` range to draw from with the scenario's seed.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum RawRange {
    One(f64),
    Range(Vec<f64>),
}

/// A time, or a `[earliest, latest]` range to draw from.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum RawTimeRange {
    One(Datetime),
    Range(Vec<Datetime>),
}

/// Where a number, event or group comes from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCite {
    pub outlet: Spanned<String>,
    pub date: Spanned<Datetime>,
    pub quote: Spanned<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub account: Spanned<RawAccount>,
    pub run: Spanned<RawRun>,
    pub convoy: Spanned<RawConvoy>,
    #[serde(default)]
    pub bus_group: Vec<Spanned<RawBusGroup>>,
    #[serde(default)]
    pub people_group: Vec<Spanned<RawPeopleGroup>>,
    #[serde(default)]
    pub event: Vec<Spanned<RawEvent>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    pub title: Spanned<String>,
    pub source: Spanned<String>,
    pub as_of: Spanned<Datetime>,
    pub cite: Spanned<RawCite>,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    pub start: Spanned<Datetime>,
    pub end: Spanned<Datetime>,
    #[serde(default)]
    pub seed: Option<Spanned<i64>>,
    #[serde(default)]
    pub record_every_min: Option<Spanned<f64>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConvoy {
    pub origin: Spanned<String>,
    pub buses: Spanned<i64>,
    pub cite: Spanned<RawCite>,
    #[serde(default)]
    pub people: Vec<Spanned<RawHeadcount>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeadcount {
    pub kind: Spanned<String>,
    pub count: Spanned<i64>,
    pub cite: Spanned<RawCite>,
    #[serde(default)]
    pub assumed: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBusGroup {
    pub id: Spanned<String>,
    pub buses: Spanned<i64>,
    pub speed_kmh: Spanned<RawRange>,
    pub depart: Spanned<RawTimeRange>,
    pub cite: Spanned<RawCite>,
    #[serde(default)]
    pub assumed: Option<String>,
    #[serde(default)]
    pub plan: Vec<Spanned<RawStep>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeopleGroup {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    pub count: Spanned<i64>,
    pub aboard: Spanned<String>,
    pub cite: Spanned<RawCite>,
    #[serde(default)]
    pub assumed: Option<String>,
    #[serde(default)]
    pub plan: Vec<Spanned<RawStep>>,
}

/// One step of a plan: exactly one action key, with the options that action takes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    // Actions.
    pub drive_to: Option<Spanned<String>>,
    pub ride_until: Option<Spanned<Datetime>>,
    pub walk_to: Option<Spanned<String>>,
    pub carried_to: Option<Spanned<String>>,
    pub wait_until: Option<Spanned<Datetime>>,
    pub wait_h: Option<Spanned<RawRange>>,
    pub unaccounted: Option<Spanned<bool>>,
    // Options.
    pub until: Option<Spanned<Datetime>>,
    pub stop_after_km: Option<Spanned<RawRange>>,
    pub speed_kmh: Option<Spanned<RawRange>>,
    pub detour: Option<Spanned<bool>>,
    pub by: Option<String>,
    pub cite: Option<Spanned<RawCite>>,
    pub assumed: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub at: Spanned<Datetime>,
    pub cite: Spanned<RawCite>,
    #[serde(default)]
    pub assumed: Option<String>,
    // Exactly one kind.
    pub close_road_at: Option<Spanned<String>>,
    pub close_road: Option<Spanned<String>>,
    pub strike_near: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
}
