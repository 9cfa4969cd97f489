//! `convoy-sim sources [SCENARIO...]`: the reports in the sources registry, and how much of the
//! given accounts rests on each.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use convoy_sim::Geography;
use convoy_sim::scenario::raw::{RawCite, RawScenario};
use serde_json::json;
use toml::Spanned;

use super::compare::load_all;
use super::table::Table;
use super::{Error, printable};

/// List the reports the scenarios cite (data/sources.toml).
///
/// Each source: its id (what a scenario's `cite = { source = "…", quote = "…" }` names), whose
/// words it reports, the outlet and its publication date. Given scenario files, also how many
/// claims (`[[claim]]`s, judged by `check`) and how many rules of the runs (head counts, groups,
/// plan steps, events) rest on each source across them; an account's own `[account]` citation is
/// counted apart. Citations written out with outlet and date are not in the registry and not counted.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim sources\n  convoy-sim sources scenarios/*.toml\n  convoy-sim sources scenarios/*.toml --format json > sources.json"
)]
pub struct SourcesArgs {
    /// Scenario files (TOML, at most 1 MiB each) whose citations are counted.
    #[arg(value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: SourcesFormat,
}

/// How `sources` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum SourcesFormat {
    /// Aligned columns for reading.
    #[default]
    Table,
    /// One JSON object: the sources with their counts and quotes.
    Json,
}

/// What a citation holds up in a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Use {
    /// The `[account]` itself.
    Account,
    /// A head count, group, plan step or event: something the run does.
    Rule,
    /// A `[[claim]]`, judged by `check`.
    Claim,
}

/// Per source id: accounts, rules and claims resting on it.
type Counts = BTreeMap<String, BTreeMap<Use, usize>>;

/// Adds every registry citation of a scenario to `counts`. Citations written out (outlet and
/// date, no `source`) are not in the registry and not counted. Read from the raw file because the
/// validated scenario keeps no citation for plan steps.
fn count_uses(raw: &RawScenario, counts: &mut Counts) {
    let rule = |c: &Spanned<RawCite>| (Use::Rule, c.get_ref().clone());
    let mut cites = vec![
        (Use::Account, raw.account.get_ref().cite.get_ref().clone()),
        rule(&raw.convoy.get_ref().cite),
    ];
    cites.extend(
        raw.convoy
            .get_ref()
            .people
            .iter()
            .map(|h| rule(&h.get_ref().cite)),
    );
    let groups = raw
        .bus_group
        .iter()
        .map(|g| (&g.get_ref().cite, &g.get_ref().plan))
        .chain(
            raw.vehicle_group
                .iter()
                .map(|g| (&g.get_ref().cite, &g.get_ref().plan)),
        )
        .chain(
            raw.people_group
                .iter()
                .map(|g| (&g.get_ref().cite, &g.get_ref().plan)),
        );
    for (cite, plan) in groups {
        cites.push(rule(cite));
        cites.extend(
            plan.iter()
                .filter_map(|s| s.get_ref().cite.as_ref().map(rule)),
        );
    }
    cites.extend(raw.event.iter().map(|e| rule(&e.get_ref().cite)));
    cites.extend(
        raw.claim
            .iter()
            .map(|c| (Use::Claim, c.get_ref().cite.get_ref().clone())),
    );
    for (u, c) in cites {
        if let Some(id) = c.source {
            *counts
                .entry(id.into_inner())
                .or_default()
                .entry(u)
                .or_default() += 1;
        }
    }
}

pub fn run(world: &Geography, args: &SourcesArgs) -> Result<String, Error> {
    let counted = !args.scenarios.is_empty();
    let mut counts = Counts::new();
    if counted {
        for (path, _, text) in load_all(&args.scenarios, world)? {
            // The file has just been validated, so its raw form parses.
            let raw: RawScenario = toml::from_str(&text).map_err(|e| {
                Error::Internal(format!("{}: {}", path.display(), e.message()).into())
            })?;
            count_uses(&raw, &mut counts);
        }
    }
    Ok(match args.format {
        SourcesFormat::Table => table(world, counted.then_some(&counts)),
        SourcesFormat::Json => json_text(world, counted.then_some(&counts)),
    })
}

fn count(counts: &Counts, id: &str, u: Use) -> usize {
    counts.get(id).and_then(|c| c.get(&u)).copied().unwrap_or(0)
}

fn table(world: &Geography, counts: Option<&Counts>) -> String {
    let mut header = vec!["id", "party", "outlet", "date", "credibility"];
    if counts.is_some() {
        header.extend([">accounts", ">rules", ">claims"]);
    }
    let mut t = Table::new(&header);
    for s in world.sources.iter() {
        let mut cells = vec![
            s.id.clone(),
            printable(&s.party).into_owned(),
            printable(&s.outlet).into_owned(),
            s.date.to_string(),
            credibility_cell(world, &s.id),
        ];
        if let Some(c) = counts {
            for u in [Use::Account, Use::Rule, Use::Claim] {
                cells.push(count(c, &s.id, u).to_string());
            }
        }
        t.row(cells);
    }
    t.render()
}

fn json_text(world: &Geography, counts: Option<&Counts>) -> String {
    let sources: Vec<_> = world
        .sources
        .iter()
        .map(|s| {
            let mut v = json!({
                "id": s.id,
                "party": s.party,
                "outlet": s.outlet,
                "date": s.date.to_string(),
                "url": s.url,
                "note": s.note,
                "quotes": s.quotes,
                "credibility": credibility_json(world, &s.id),
            });
            if let Some(c) = counts {
                v["accounts"] = json!(count(c, &s.id, Use::Account));
                v["rules"] = json!(count(c, &s.id, Use::Rule));
                v["claims"] = json!(count(c, &s.id, Use::Claim));
            }
            v
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({ "sources": sources })).unwrap_or_default();
    text.push('\n');
    text
}

/// The report's rating in `data/credibility.toml` ("not rated" if none), and how many of its
/// quotes are rated apart: "medium, 4 quotes rated apart".
fn credibility_cell(world: &Geography, id: &str) -> String {
    let ratings: Vec<_> = world
        .credibility
        .iter()
        .filter(|r| r.source == id)
        .collect();
    let whole = ratings
        .iter()
        .find(|r| r.quote.is_none())
        .map_or("not rated", |r| r.level.as_str());
    match ratings.iter().filter(|r| r.quote.is_some()).count() {
        0 => whole.to_string(),
        1 => format!("{whole}, 1 quote rated apart"),
        n => format!("{whole}, {n} quotes rated apart"),
    }
}

/// Every rating of the report in `data/credibility.toml`, with its reason: the report's, then its
/// quotes'.
fn credibility_json(world: &Geography, id: &str) -> serde_json::Value {
    let ratings: Vec<_> = world
        .credibility
        .iter()
        .filter(|r| r.source == id)
        .map(|r| json!({ "quote": r.quote, "rating": r.level, "reason": r.reason }))
        .collect();
    json!(ratings)
}
