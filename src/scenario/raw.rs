//! The scenario file as written: serde structs that mirror the TOML one to one, refuse unknown
//! keys, and keep the position of every value a later check may need to point at.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

/// A number, or a `[low, high]` range to draw from with the scenario's seed.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawRange {
    One(f64),
    Range(Vec<f64>),
}

/// A head count, or a `[low, high]` range ("a couple hundred") drawn in each realization of an
/// ensemble; a single run takes the midpoint, rounded down.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawCount {
    One(i64),
    Range(Vec<i64>),
}

/// A time, or a `[earliest, latest]` range to draw from.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawTimeRange {
    One(#[schemars(with = "String")] Datetime),
    Range(#[schemars(with = "Vec<String>")] Vec<Datetime>),
}

/// A place, or a list of at most 20 places one of which each agent draws with the seeded
/// generator.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawPlaces {
    One(String),
    AnyOf(Vec<String>),
}

/// Where a number, event or group comes from: a source in `data/sources.toml` and a quote from
/// it (`{ source, quote }`), or, for a report not in the registry, `{ outlet, date, quote, url? }`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCite {
    /// The id of a report in data/sources.toml, e.g. "rudaw-2017-08-31"; the outlet, date and
    /// address then come from there (`convoy-sim sources` lists them).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub source: Option<Spanned<String>>,
    /// The outlet that reported it, e.g. "Rudaw" (without `source`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub outlet: Option<Spanned<String>>,
    /// The outlet's publication date, a TOML date such as 2017-08-31 (without `source`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub date: Option<Spanned<Datetime>>,
    /// A short quote (at most 400 characters) that the value rests on; with `source`, word for
    /// word part of one of that source's quotes in the registry.
    #[schemars(with = "String")]
    pub quote: Spanned<String>,
    /// Where to read it (without `source`).
    #[serde(default)]
    pub url: Option<String>,
}

/// A convoy-sim scenario: one source's account of the August 2017 Qalamoun convoy. Documented in
/// scenarios/README.md.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "convoy-sim scenario")]
pub struct RawScenario {
    /// Who gives the account, and the moment it speaks for.
    #[schemars(with = "RawAccount")]
    pub account: Spanned<RawAccount>,
    /// The simulated period, the random seed and the recording interval.
    #[schemars(with = "RawRun")]
    pub run: Spanned<RawRun>,
    /// The convoy as it left.
    #[schemars(with = "RawConvoy")]
    pub convoy: Spanned<RawConvoy>,
    /// Groups of buses that do the same thing (at most 100); their buses add up to `convoy.buses`.
    #[serde(default)]
    #[schemars(with = "Vec<RawBusGroup>")]
    pub bus_group: Vec<Spanned<RawBusGroup>>,
    /// Vehicles other than the convoy's buses that do the same thing (at most 100): ambulances,
    /// pick-ups, trucks, cars.
    #[serde(default)]
    #[schemars(with = "Vec<RawVehicleGroup>")]
    pub vehicle_group: Vec<Spanned<RawVehicleGroup>>,
    /// Groups of people who do the same thing (at most 100); per kind they add up to
    /// `convoy.people`.
    #[serde(default)]
    #[schemars(with = "Vec<RawPeopleGroup>")]
    pub people_group: Vec<Spanned<RawPeopleGroup>>,
    /// Things that happen at a time (at most 100): road cuts and closures, strikes, bars on ground.
    #[serde(default)]
    #[schemars(with = "Vec<RawEvent>")]
    pub event: Vec<Spanned<RawEvent>>,
    /// What the source says about where buses or people were by a time (at most 100 claims);
    /// `convoy-sim check` judges each claim against this account and every other.
    #[serde(default)]
    #[schemars(with = "Vec<RawClaim>")]
    pub claim: Vec<Spanned<RawClaim>>,
}

/// Who gives the account, and when it speaks for.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    /// One line for titles and tables.
    #[schemars(with = "String")]
    pub title: Spanned<String>,
    /// Who gives the account.
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    /// The moment the account speaks for: a date-time with offset, e.g. 2017-09-03T12:00:00Z.
    #[schemars(with = "String")]
    pub as_of: Spanned<Datetime>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "RawCite")]
    pub cite: Spanned<RawCite>,
    /// The account in two sentences.
    #[serde(default)]
    pub summary: Option<String>,
}

/// The simulated period.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// Start of the simulated period: a date-time with offset, within the zones' coverage (27 Aug – 14 Sep 2017).
    #[schemars(with = "String")]
    pub start: Spanned<Datetime>,
    /// End of the simulated period: a date-time with offset, after `start`.
    #[schemars(with = "String")]
    pub end: Spanned<Datetime>,
    /// Seed of the random draws, a whole number ≥ 0 (default 20170828).
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    pub seed: Option<Spanned<i64>>,
    /// Minutes between recorded positions, 1–1440 (default 30).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub record_every_min: Option<Spanned<f64>>,
}

/// The convoy as it left.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConvoy {
    /// Gazetteer place where every bus starts, in any common spelling.
    #[schemars(with = "String")]
    pub origin: Spanned<String>,
    /// Number of buses in the convoy, 1–100000.
    #[schemars(with = "i64")]
    pub buses: Spanned<i64>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "RawCite")]
    pub cite: Spanned<RawCite>,
    /// Head counts of the people aboard, one entry per kind.
    #[serde(default)]
    #[schemars(with = "Vec<RawHeadcount>")]
    pub people: Vec<Spanned<RawHeadcount>>,
}

/// How many people of one kind were aboard.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHeadcount {
    /// `fighters`, `families` or `wounded`.
    #[schemars(with = "String")]
    pub kind: Spanned<String>,
    /// How many people, 0–100000: a number, or a [low, high] range (the people groups of the
    /// kind must add up to it, lows to low and highs to high).
    #[schemars(with = "RawCount")]
    pub count: Spanned<RawCount>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "RawCite")]
    pub cite: Spanned<RawCite>,
    /// What was assumed where the report is silent, and why.
    #[serde(default)]
    pub assumed: Option<String>,
}

/// Buses that do the same thing.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBusGroup {
    /// Unique id of at most 64 characters, used in agent names.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// How many buses in this group, 1–100000.
    #[schemars(with = "i64")]
    pub buses: Spanned<i64>,
    /// Speed in km/h, 0.5–150: a number, or a [low, high] range drawn per agent.
    #[schemars(with = "RawRange")]
    pub speed_kmh: Spanned<RawRange>,
    /// When each bus sets off: a date-time, or an [earliest, latest] range drawn per bus.
    #[schemars(with = "RawTimeRange")]
    pub depart: Spanned<RawTimeRange>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "RawCite")]
    pub cite: Spanned<RawCite>,
    /// What was assumed where the report is silent, and why.
    #[serde(default)]
    pub assumed: Option<String>,
    /// Steps in order (at most 100); each step gives exactly one action key.
    #[serde(default)]
    #[schemars(with = "Vec<RawStep>")]
    pub plan: Vec<Spanned<RawStep>>,
}

/// Vehicles of one kind other than buses that do the same thing.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVehicleGroup {
    /// Unique id of at most 64 characters (among bus and vehicle groups), used in agent names.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// `ambulance`, `pickup`, `truck` or `car` (buses go in a bus_group). Pick-ups and trucks
    /// may use the desert tracks.
    #[schemars(with = "String")]
    pub kind: Spanned<String>,
    /// How many vehicles in this group, 1–100000.
    #[schemars(with = "i64")]
    pub vehicles: Spanned<i64>,
    /// Speed in km/h, 0.5–150: a number, or a [low, high] range drawn per vehicle.
    #[schemars(with = "RawRange")]
    pub speed_kmh: Spanned<RawRange>,
    /// When each vehicle sets off: a date-time, or an [earliest, latest] range drawn per vehicle.
    #[schemars(with = "RawTimeRange")]
    pub depart: Spanned<RawTimeRange>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "RawCite")]
    pub cite: Spanned<RawCite>,
    /// What was assumed where the report is silent, and why.
    #[serde(default)]
    pub assumed: Option<String>,
    /// Steps in order (at most 100); each step gives exactly one action key.
    #[serde(default)]
    #[schemars(with = "Vec<RawStep>")]
    pub plan: Vec<Spanned<RawStep>>,
}

/// People who do the same thing.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPeopleGroup {
    /// Unique id of at most 64 characters, used in agent names.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// `fighters`, `families` or `wounded`.
    #[schemars(with = "String")]
    pub kind: Spanned<String>,
    /// How many people, 1–100000: a number, or a [low, high] range drawn in each realization of
    /// an ensemble (a single run takes the midpoint, rounded down).
    #[schemars(with = "RawCount")]
    pub count: Spanned<RawCount>,
    /// Id of the bus or vehicle group these people set off in.
    #[schemars(with = "String")]
    pub aboard: Spanned<String>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "RawCite")]
    pub cite: Spanned<RawCite>,
    /// What was assumed where the report is silent, and why.
    #[serde(default)]
    pub assumed: Option<String>,
    /// Steps in order (at most 100); each step gives exactly one action key.
    #[serde(default)]
    #[schemars(with = "Vec<RawStep>")]
    pub plan: Vec<Spanned<RawStep>>,
}

/// One step of a plan: exactly one action key, with the options that action takes.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = super::steps::describe_actions)]
pub struct RawStep {
    // Actions: each is a row of `steps::ACTIONS`, which describes it in the JSON schema.
    #[schemars(with = "Option<RawPlaces>")]
    pub drive_to: Option<Spanned<RawPlaces>>,
    #[schemars(with = "Option<String>")]
    pub ride_until: Option<Spanned<Datetime>>,
    #[schemars(with = "Option<RawPlaces>")]
    pub walk_to: Option<Spanned<RawPlaces>>,
    #[schemars(with = "Option<RawPlaces>")]
    pub carried_to: Option<Spanned<RawPlaces>>,
    #[schemars(with = "Option<String>")]
    pub wait_until: Option<Spanned<Datetime>>,
    #[schemars(with = "Option<RawRange>")]
    pub wait_h: Option<Spanned<RawRange>>,
    #[schemars(with = "Option<bool>")]
    pub unaccounted: Option<Spanned<bool>>,
    // Options.
    /// Option of drive_to: stop driving at this date-time, within the run.
    #[schemars(with = "Option<String>")]
    pub until: Option<Spanned<Datetime>>,
    /// Option of drive_to: stop after this many km, 0–5000 (a number or a [low, high] range).
    #[schemars(with = "Option<RawRange>")]
    pub stop_after_km: Option<Spanned<RawRange>>,
    /// Option of walk_to (0.5–8 km/h) and carried_to (0.5–150 km/h): a number, or a [low, high]
    /// range drawn per agent.
    #[schemars(with = "Option<RawRange>")]
    pub speed_kmh: Option<Spanned<RawRange>>,
    /// Option of drive_to and carried_to: avoid closures known when setting off (default true); false takes the intended road and stops at the closure.
    #[schemars(with = "Option<bool>")]
    pub detour: Option<Spanned<bool>>,
    /// Option of carried_to: who carried them.
    pub by: Option<String>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "Option<RawCite>")]
    pub cite: Option<Spanned<RawCite>>,
    /// What was assumed where the report is silent, and why.
    pub assumed: Option<String>,
}

/// Something that happens at a time; gives exactly one of close_road_at, close_road, strike_near,
/// bar_zone.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// When it happens: a date-time with offset within the run, or an [earliest, latest] window
    /// where the hour is not reported (ensembles draw it per realization; a single run takes the
    /// earliest).
    #[schemars(with = "RawTimeRange")]
    pub at: Spanned<RawTimeRange>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "RawCite")]
    pub cite: Spanned<RawCite>,
    /// What was assumed where the report is silent, and why.
    #[serde(default)]
    pub assumed: Option<String>,
    // Exactly one kind.
    /// Event: the road is cut at this place; nothing passes through it from then on.
    #[schemars(with = "Option<String>")]
    pub close_road_at: Option<Spanned<String>>,
    /// Event: the stretch of road between two places closes, written "A-B".
    #[schemars(with = "Option<String>")]
    pub close_road: Option<Spanned<String>>,
    /// Event: vehicles approaching the convoy are struck near this place (recorded; convoy agents untouched).
    #[schemars(with = "Option<String>")]
    pub strike_near: Option<Spanned<String>>,
    /// Event: from then on no vehicle or person of the convoy enters ground this holder holds
    /// (syrian_government, islamic_state, …, as held at the event's time): routes go round it, and
    /// a mover already heading in stops at its edge.
    #[schemars(with = "Option<String>")]
    pub bar_zone: Option<Spanned<String>>,
    /// Shown with the event in events.geojson.
    #[serde(default)]
    pub note: Option<String>,
}

/// A claim the source makes about where buses or people were by a time. Gives exactly one subject
/// (buses, people, fighters, families, wounded) and exactly one of in_zone, near.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawClaim {
    /// Unique id of at most 64 characters, used in check.json and the ACH matrix.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The claim in one line, as the source makes it.
    #[schemars(with = "String")]
    pub says: Spanned<String>,
    /// The time the claim speaks for: a date-time with offset within the zones' coverage.
    #[schemars(with = "String")]
    pub by: Spanned<Datetime>,
    /// Subject: how many buses — a number means at least that many; [low, high] means between.
    #[schemars(with = "Option<RawRange>")]
    pub buses: Option<Spanned<RawRange>>,
    /// Subject: how many people of every kind (at least a number, or [low, high]).
    #[schemars(with = "Option<RawRange>")]
    pub people: Option<Spanned<RawRange>>,
    /// Subject: how many fighters (at least a number, or [low, high]).
    #[schemars(with = "Option<RawRange>")]
    pub fighters: Option<Spanned<RawRange>>,
    /// Subject: how many family members (at least a number, or [low, high]).
    #[schemars(with = "Option<RawRange>")]
    pub families: Option<Spanned<RawRange>>,
    /// Subject: how many wounded (at least a number, or [low, high]).
    #[schemars(with = "Option<RawRange>")]
    pub wounded: Option<Spanned<RawRange>>,
    /// Where: ground held by this holder at `by` (syrian_government, islamic_state,
    /// iraqi_government, sdf, coalition, lebanese_government, kurdistan_region, or none for the
    /// ground between the lines).
    #[schemars(with = "Option<String>")]
    pub in_zone: Option<Spanned<String>>,
    /// Where: within `within_km` of this place, or of any place in a list.
    #[schemars(with = "Option<RawPlaces>")]
    pub near: Option<Spanned<RawPlaces>>,
    /// Radius for `near`, 0.1–500 km (default 20).
    #[schemars(with = "Option<f64>")]
    pub within_km: Option<Spanned<f64>>,
    /// Where this comes from: outlet, publication date and a short quote.
    #[schemars(with = "RawCite")]
    pub cite: Spanned<RawCite>,
    /// How the words were read as numbers, where the report is vague.
    #[serde(default)]
    pub assumed: Option<String>,
    /// How much the claim bears on where the convoy ended up, as evidence in the ACH matrix:
    /// high, medium or low (default medium). Weighs the claim's inconsistency score.
    #[schemars(with = "Option<String>")]
    pub relevance: Option<Spanned<String>>,
    /// Overrides the credibility data/credibility.toml gives the cited report, for this claim:
    /// high, medium or low. Say why in `assumed`.
    #[schemars(with = "Option<String>")]
    pub credibility: Option<Spanned<String>>,
}
