//! The report's data: one JSON value built from the runs, the scenarios and the geography, in
//! the shape `report.js` reads. Format-neutral — nothing here knows about HTML.
//!
//! Times are seconds from the report's start (integers), so that the page does no date parsing
//! for the thousands of track points; coordinates are `[lon, lat]` rounded to 1e-4° (about 10 m)
//! for tracks and 1e-3° for the basemap, which is drawn at country scale.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::Geography;
use crate::check::{Check, ach_weight};
use crate::data::Basemap;
use crate::engine::{AgentRun, RunResult};
use crate::output::map::style;
use crate::output::run::{agent_type, time_text};
use crate::scenario::{Citation, Scenario};
use crate::units::LonLat;
use crate::zones::Holders;

/// One account as the report shows it: the scenario and its run.
#[derive(Clone, Copy)]
pub struct Account<'a> {
    pub scenario: &'a Scenario,
    pub result: &'a RunResult,
}

/// Colours of the accounts, in their order: distinct on the map's pale land and in print.
const ACCOUNT_COLOURS: [&str; 10] = [
    "#1f5fbf", "#d9480f", "#2b8a3e", "#ae3ec9", "#c92a2a", "#0b7285", "#e67700", "#5c3d99",
    "#a61e4d", "#364fc7",
];

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn round(v: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (v * k).round() / k
}

fn lonlat(at: LonLat, places: i32) -> Value {
    json!([round(at.lon, places), round(at.lat, places)])
}

/// Seconds from `origin` to `t`, whole.
fn secs(origin: Timestamp, t: Timestamp) -> i64 {
    t.duration_since(origin).as_secs()
}

/// The geometry's rings as nested `[lon, lat]` arrays, GeoJSON's MultiPolygon coordinates.
fn polygons(mp: &geo::MultiPolygon<f64>, places: i32) -> Value {
    let ring = |r: &geo::LineString<f64>| -> Vec<Value> {
        r.coords()
            .map(|c| json!([round(c.x, places), round(c.y, places)]))
            .collect()
    };
    mp.iter()
        .map(|p| {
            std::iter::once(ring(p.exterior()))
                .chain(p.interiors().iter().map(ring))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn citation(c: &Citation) -> Value {
    json!({ "outlet": c.outlet, "date": c.date.to_string(), "quote": c.quote, "url": c.url })
}

/// The page's data for `accounts`, and for `check` if the report is a check's.
pub fn report_data(
    title: &str,
    accounts: &[Account<'_>],
    geo: &Geography,
    basemap: &Basemap,
    check: Option<&Check>,
) -> Value {
    let start = accounts.iter().map(|a| a.result.start).min();
    let end = accounts.iter().map(|a| a.result.end).max();
    let origin = start.unwrap_or_else(|| geo.zones.coverage().0);
    json!({
        "title": title,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "attribution": geo.attribution,
        "start": time_text(origin),
        "start_epoch_s": origin.as_second(),
        "duration_s": end.map_or(0, |e| secs(origin, e)),
        "holders": holders(geo.zones.holders()),
        "base": base(geo, basemap, origin),
        "accounts": accounts.iter().enumerate().map(|(i, a)| account(i, a, geo, origin)).collect::<Vec<_>>(),
        "check": check.map(|c| check_data(c, geo)),
    })
}

/// Every holder with its legend name and colour.
fn holders(table: &Holders) -> Value {
    table
        .all()
        .map(|h| {
            json!({
                "id": h.holder.as_str(),
                "label": h.label,
                "colour": hex(style::holder_colour(h)),
            })
        })
        .collect()
}

/// What every account is drawn over: land and rivers, the zones with their validity, the roads
/// and the places with their Arabic names.
fn base(geo: &Geography, basemap: &Basemap, origin: Timestamp) -> Value {
    let countries: Vec<Value> = basemap
        .countries
        .iter()
        .map(|c| json!({ "name": c.name, "polygons": polygons(&c.geometry, 3) }))
        .collect();
    let rivers: Vec<Value> = basemap
        .rivers
        .iter()
        .map(|r| {
            let lines: Vec<Value> = r
                .geometry
                .iter()
                .map(|l| {
                    l.coords()
                        .map(|c| json!([round(c.x, 3), round(c.y, 3)]))
                        .collect()
                })
                .collect();
            json!({ "name": r.name, "lines": lines })
        })
        .collect();
    json!({
        "countries": countries,
        "rivers": rivers,
        "zones": zones(geo, origin),
        "roads": roads(geo),
        "places": places(geo),
    })
}

fn zones(geo: &Geography, origin: Timestamp) -> Value {
    geo.zones
        .zones()
        .iter()
        .map(|z| {
            json!({
                "id": z.id,
                "holder": z.holder.as_str(),
                "label": z.label,
                "from_s": secs(origin, z.valid_from),
                "to_s": secs(origin, z.valid_to),
                "from": time_text(z.valid_from),
                "to": time_text(z.valid_to),
                "source": z.source,
                "polygons": polygons(&z.geometry, 4),
            })
        })
        .collect()
}

fn roads(geo: &Geography) -> Value {
    geo.network
        .roads()
        .map(|(_, r)| {
            let (colour, width, dashed) = style::road_style(r.class);
            json!({
                "name": r.name,
                "ref": r.reference,
                "class": geo.road_classes.label(r.class),
                "colour": hex(colour),
                "width": width,
                "dashed": dashed,
                "line": r.geometry.coords().map(|c| json!([round(c.x, 4), round(c.y, 4)])).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The first of a place's names written in Arabic script, if it has one.
pub fn arabic_name(names: &[String]) -> Option<&str> {
    names
        .iter()
        .find(|n| n.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)))
        .map(String::as_str)
}

fn places(geo: &Geography) -> Value {
    geo.gazetteer
        .places()
        .filter(|(_, p)| p.kind != "strike_site")
        .map(|(_, p)| {
            json!({
                "name": p.name,
                "arabic": arabic_name(&p.aliases),
                "kind": p.kind,
                "at": lonlat(p.location(), 4),
                "uncertainty_km": p.uncertainty_km,
                "in_reports": !p.in_reports.is_empty(),
            })
        })
        .collect()
}

/// One account: who says it, every agent's track and status changes, the events, the end state.
fn account(i: usize, a: &Account<'_>, geo: &Geography, origin: Timestamp) -> Value {
    let s = a.scenario;
    let r = a.result;
    json!({
        "name": s.name,
        "title": s.account.title,
        "source": s.account.source,
        "as_of": time_text(s.account.as_of),
        "summary": s.account.summary,
        "cite": citation(&s.account.cite),
        "colour": ACCOUNT_COLOURS[i % ACCOUNT_COLOURS.len()],
        "seed": r.seed,
        "start_s": secs(origin, r.start),
        "end_s": secs(origin, r.end),
        "agents": r.agents.iter().map(|g| agent(g, geo, origin)).collect::<Vec<_>>(),
        "events": r.events.iter().map(|e| json!({
            "t_s": secs(origin, e.t),
            "time": time_text(e.t),
            "at": lonlat(e.at, 4),
            "kind": e.kind().as_str(),
            "detail": crate::output::words::detail(e, r, s, geo),
        })).collect::<Vec<_>>(),
        "end_table": end_table(r),
    })
}

fn agent(a: &AgentRun, geo: &Geography, origin: Timestamp) -> Value {
    // The status only when it changes: agents hold one status for days.
    let mut statuses: Vec<Value> = Vec::new();
    let mut last = None;
    for s in &a.samples {
        if last != Some(s.status) {
            statuses.push(json!([secs(origin, s.t), s.status.as_str()]));
            last = Some(s.status);
        }
    }
    let track: Vec<Value> = a
        .track
        .iter()
        .map(|p| json!([secs(origin, p.t), round(p.at.lon, 4), round(p.at.lat, 4)]))
        .collect();
    json!({
        "id": a.id,
        "type": agent_type(a),
        "count": a.kind.people(),
        "track": track,
        "statuses": statuses,
        "end": {
            "at": lonlat(a.end.at, 4),
            "status": a.end.status.as_str(),
            "zone": a.end.zone.as_str(),
            "place": geo.gazetteer.get(a.end.nearest_place).name,
            "km_to_place": round(a.end.to_nearest_place.km(), 1),
        },
    })
}

/// Buses and people by zone and status, as `run` prints them and `summary.json` counts them.
fn end_table(r: &RunResult) -> Value {
    crate::output::run::end_table(r)
        .into_iter()
        .map(|(zone, status, buses, people)| {
            json!({ "zone": zone, "status": status, "buses": buses, "people": people })
        })
        .collect()
}

/// The claims with their verdicts against every account, and the ACH matrix.
fn check_data(check: &Check, geo: &Geography) -> Value {
    let ach = check.ach();
    let claims: Vec<Value> = check
        .claims
        .iter()
        .enumerate()
        .map(|(c, sc)| {
            let mut v =
                crate::output::check::claim_json(geo, &check.accounts[sc.account].name, &sc.claim);
            let verdicts: Vec<Value> = (0..check.accounts.len())
                .map(|a| {
                    let j = check.judgement(c, a);
                    let (low, high) = crate::check::wilson(j.probability, check.runs);
                    json!({
                        "verdict": j.verdict.as_str(),
                        "share": round(j.probability, 4),
                        "share_low": round(low, 4),
                        "share_high": round(high, 4),
                        "score": ach_weight(j.verdict),
                        "reason": j.reason,
                    })
                })
                .collect();
            v["verdicts"] = json!(verdicts);
            v["diagnostic"] = json!(ach.diagnostic[c]);
            v["diagnosticity"] = json!(ach.diagnosticity[c]);
            v["credibility"] = crate::output::check::credibility_json(&sc.credibility);
            v["relevance"] = json!(sc.claim.relevance);
            v["weight"] = json!(round(ach.weights[c], 4));
            v
        })
        .collect();
    json!({
        "runs": check.runs,
        "consistent_at": crate::check::CONSISTENT_AT,
        "accounts": check.accounts.iter().map(|a| json!({ "name": a.name, "title": a.title })).collect::<Vec<_>>(),
        "claims": claims,
        "ach_scores": ach.scores,
        "ach_ranking": ach.ranking,
        "ach_weighted": ach.weighted.iter().map(|w| round(*w, 4)).collect::<Vec<_>>(),
        "ach_weighted_ranking": ach.weighted_ranking,
        "ranks_first": check.ranks_first.iter().map(|f| round(*f, 4)).collect::<Vec<_>>(),
        "weights_note": crate::output::check::WEIGHTS_NOTE,
    })
}
