//! Where the accounts diverge, in numbers: for each account, buses and people by zone and by
//! nearest place; for each pair, how far apart they put the buses (bus for bus, best matched) and
//! the people (between their people-weighted centres).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use super::assignment::min_cost_matching;
use crate::Geography;
use crate::engine::{AgentRun, RunResult};
use crate::scenario::Scenario;
use crate::units::LonLat;
use crate::zones::Holder;

/// One account's end state, tallied.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountTally {
    pub scenario: String,
    pub source: String,
    pub outlet: String,
    pub published: String,
    pub as_of: String,
    pub buses_by_zone: BTreeMap<Holder, u64>,
    pub people_by_zone: BTreeMap<Holder, u64>,
    pub buses_by_place: BTreeMap<String, u64>,
    pub people_by_place: BTreeMap<String, u64>,
}

/// The comparison of several accounts.
#[derive(Clone, Debug, PartialEq)]
pub struct Divergence {
    pub accounts: Vec<AccountTally>,
    /// Every holder the data defines, in table order, then `none`: the CSV's zone columns.
    pub holders: Vec<Holder>,
    /// Mean km per bus between two accounts' bus positions, matched one to one at least cost;
    /// `None` where the accounts count different numbers of buses.
    pub bus_km: Vec<Vec<Option<f64>>>,
    /// km between the people-weighted centres of two accounts' people.
    pub people_km: Vec<Vec<Option<f64>>>,
}

fn people(a: &AgentRun) -> u64 {
    u64::from(a.kind.people())
}

fn centre(r: &RunResult) -> Option<LonLat> {
    let total: u64 = r.people().map(people).sum();
    (total > 0).then(|| {
        let w = |f: fn(LonLat) -> f64| {
            r.people()
                .map(|a| f(a.end.at) * people(a) as f64)
                .sum::<f64>()
                / total as f64
        };
        LonLat::new(w(|p| p.lon), w(|p| p.lat))
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Tallies and pairwise distances for `runs`, in the order given.
pub fn divergence(runs: &[(&Scenario, &RunResult)], geo: &Geography) -> Divergence {
    let place = |at: LonLat| {
        geo.gazetteer.nearest(at).map_or_else(
            || at.to_string(),
            |(id, _)| geo.gazetteer.get(id).name.clone(),
        )
    };
    let accounts = runs
        .iter()
        .map(|(s, r)| {
            let mut t = AccountTally {
                scenario: s.name.clone(),
                source: s.account.source.clone(),
                outlet: s.account.cite.outlet.clone(),
                published: s.account.cite.date.to_string(),
                as_of: s.account.as_of.to_string(),
                buses_by_zone: BTreeMap::new(),
                people_by_zone: BTreeMap::new(),
                buses_by_place: BTreeMap::new(),
                people_by_place: BTreeMap::new(),
            };
            for b in r.buses() {
                *t.buses_by_zone.entry(b.end.zone).or_default() += 1;
                *t.buses_by_place.entry(place(b.end.at)).or_default() += 1;
            }
            for p in r.people() {
                *t.people_by_zone.entry(p.end.zone).or_default() += people(p);
                *t.people_by_place.entry(place(p.end.at)).or_default() += people(p);
            }
            t
        })
        .collect();
    let n = runs.len();
    let mut bus_km = vec![vec![None; n]; n];
    let mut people_km = vec![vec![None; n]; n];
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (runs[i].1, runs[j].1);
            let pa: Vec<LonLat> = a.buses().map(|x| x.end.at).collect();
            let pb: Vec<LonLat> = b.buses().map(|x| x.end.at).collect();
            if pa.len() == pb.len() && !pa.is_empty() {
                let cost: Vec<Vec<f64>> = pa
                    .iter()
                    .map(|p| pb.iter().map(|q| p.distance(*q).km()).collect())
                    .collect();
                let (total, _) = min_cost_matching(&cost);
                bus_km[i][j] = Some(round1(total / pa.len() as f64));
            }
            people_km[i][j] = centre(a)
                .zip(centre(b))
                .map(|(p, q)| round1(p.distance(q).km()));
        }
    }
    Divergence {
        accounts,
        holders: geo.zones.holders().all().map(|h| h.holder).collect(),
        bus_km,
        people_km,
    }
}

impl Divergence {
    /// `compare.json`; `inputs` as [`super::provenance::inputs`] gives it.
    pub fn to_json(&self, inputs: &serde_json::Value) -> String {
        let names: Vec<&str> = self.accounts.iter().map(|a| a.scenario.as_str()).collect();
        let matrix = |m: &Vec<Vec<Option<f64>>>| -> serde_json::Value {
            names
                .iter()
                .zip(m)
                .map(|(a, row)| {
                    (
                        a.to_string(),
                        names
                            .iter()
                            .zip(row)
                            .map(|(b, v)| (b.to_string(), json!(v)))
                            .collect::<serde_json::Map<_, _>>()
                            .into(),
                    )
                })
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let by_holder = |m: &BTreeMap<Holder, u64>| {
            m.iter()
                .map(|(h, n)| (h.as_str().to_string(), json!(n)))
                .collect::<serde_json::Map<_, _>>()
        };
        let value = json!({
            "accounts": self.accounts.iter().map(|a| json!({
                "scenario": a.scenario,
                "source": a.source,
                "outlet": a.outlet,
                "published": a.published,
                "as_of": a.as_of,
                "buses_by_zone": by_holder(&a.buses_by_zone),
                "people_by_zone": by_holder(&a.people_by_zone),
                "buses_by_nearest_place": a.buses_by_place,
                "people_by_nearest_place": a.people_by_place,
            })).collect::<Vec<_>>(),
            "bus_distance_km": matrix(&self.bus_km),
            "people_centre_distance_km": matrix(&self.people_km),
            "notes": {
                "bus_distance_km": "mean distance per bus between two accounts' end positions, buses matched one to one at least total distance",
                "people_centre_distance_km": "distance between the people-weighted centres of the two accounts' people",
            },
        });
        super::provenance::stamped(value, inputs)
    }

    /// `compare.csv`: a row per account — buses and people by zone, then the distance to every
    /// account's buses and people.
    pub fn to_csv(&self) -> String {
        let holders = &self.holders;
        let mut out = String::from("scenario,source,outlet,published,as_of");
        for h in holders {
            let _ = write!(out, ",buses_{h}");
        }
        for h in holders {
            let _ = write!(out, ",people_{h}");
        }
        for a in &self.accounts {
            let _ = write!(out, ",bus_km_to_{}", a.scenario);
        }
        for a in &self.accounts {
            let _ = write!(out, ",people_km_to_{}", a.scenario);
        }
        out.push('\n');
        let field = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.1}"));
        for (i, a) in self.accounts.iter().enumerate() {
            out.push_str(
                &[&a.scenario, &a.source, &a.outlet, &a.published, &a.as_of]
                    .map(|s| field(s))
                    .join(","),
            );
            for h in holders {
                let _ = write!(out, ",{}", a.buses_by_zone.get(h).copied().unwrap_or(0));
            }
            for h in holders {
                let _ = write!(out, ",{}", a.people_by_zone.get(h).copied().unwrap_or(0));
            }
            for v in &self.bus_km[i] {
                let _ = write!(out, ",{}", num(*v));
            }
            for v in &self.people_km[i] {
                let _ = write!(out, ",{}", num(*v));
            }
            out.push('\n');
        }
        out
    }
}
