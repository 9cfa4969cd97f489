//! What a check found: `check.json` (every claim against every account, with the reason in
//! numbers) and the competing-hypotheses matrix as `ach.csv` and `ach.json`.

use std::fmt::Write as _;

use serde_json::json;

use crate::Geography;
use crate::check::{Check, ach_weight, region_words};
use crate::scenario::Claim;

fn round(v: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (v * k).round() / k
}

pub(crate) fn claim_json(geo: &Geography, source: &str, c: &Claim) -> serde_json::Value {
    json!({
        "id": c.id,
        "source_account": source,
        "says": c.says,
        "by": c.by.to_string(),
        "subject": c.subject.as_str(),
        "count_low": c.count.low,
        "count_high": c.count.high,
        "count": c.count.to_string(),
        "where": region_words(geo, &c.region),
        "cited": claim_source(c),
        "cite": {
            "source": c.cite.source,
            "outlet": c.cite.outlet,
            "date": c.cite.date.to_string(),
            "quote": c.cite.quote,
            "url": c.cite.url,
        },
        "assumed": c.assumed,
    })
}

/// `check.json`; `inputs` as [`super::provenance::inputs`] gives it.
pub fn json(check: &Check, geo: &Geography, inputs: &serde_json::Value) -> String {
    let accounts: Vec<_> = check
        .accounts
        .iter()
        .map(|a| {
            json!({
                "name": a.name,
                "title": a.title,
                "source": a.source,
                "seed": a.seed,
                "means": a.means.describe(),
            })
        })
        .collect();
    let claims: Vec<_> = check
        .claims
        .iter()
        .map(|c| claim_json(geo, &check.accounts[c.account].name, &c.claim))
        .collect();
    let judgements: Vec<_> = check
        .judgements
        .iter()
        .map(|j| {
            json!({
                "claim": check.claims[j.claim].claim.id,
                "claim_source": check.accounts[check.claims[j.claim].account].name,
                "against": check.accounts[j.account].name,
                "own_account": check.claims[j.claim].account == j.account,
                "verdict": j.verdict,
                "probability": round(j.probability, 4),
                "interval_95": [round(j.interval.0, 4), round(j.interval.1, 4)],
                "available": j.available,
                "could_be_there": j.reachable,
                "soonest": j.soonest.map(|t| t.to_string()),
                "counted_least": round(j.counted.0, 1),
                "counted_mean": round(j.counted.1, 1),
                "counted_most": round(j.counted.2, 1),
                "lost_track_could_be_there": j.unknown,
                "reason": j.reason,
            })
        })
        .collect();
    let value = json!({
        "runs": check.runs,
        "consistent_at": crate::check::CONSISTENT_AT,
        "accounts": accounts,
        "claims": claims,
        "judgements": judgements,
    });
    super::provenance::stamped(value, inputs)
}

/// The report a claim rests on: its registry id (null if written out), outlet and date.
fn claim_source(c: &Claim) -> serde_json::Value {
    json!({
        "id": c.cite.source,
        "outlet": c.cite.outlet,
        "date": c.cite.date.to_string(),
    })
}

/// A CSV field, quoted when it holds a comma, a quote or a newline.
pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `ach.csv`: a row per claim (evidence) and account (hypothesis).
pub fn ach_csv(check: &Check) -> String {
    let ach = check.ach();
    let mut out = String::from(
        "claim,claim_source,says,hypothesis,verdict,probability,inconsistency,diagnostic,source_id,source_outlet,source_date\n",
    );
    for (c, sc) in check.claims.iter().enumerate() {
        for (a, acc) in check.accounts.iter().enumerate() {
            let j = check.judgement(c, a);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{:.4},{},{},{},{},{}",
                sc.claim.id,
                check.accounts[sc.account].name,
                csv_field(&sc.claim.says),
                acc.name,
                j.verdict.as_str(),
                j.probability,
                ach_weight(j.verdict),
                ach.diagnostic[c],
                csv_field(sc.claim.cite.source.as_deref().unwrap_or("")),
                csv_field(&sc.claim.cite.outlet),
                sc.claim.cite.date
            );
        }
    }
    out
}

/// `ach.json`: hypotheses ranked by inconsistency, evidence, and the matrix.
pub fn ach_json(check: &Check, inputs: &serde_json::Value) -> String {
    let ach = check.ach();
    let hypotheses: Vec<_> = ach
        .ranking
        .iter()
        .enumerate()
        .map(|(rank, &a)| {
            json!({
                "rank": rank + 1,
                "account": check.accounts[a].name,
                "hypothesis": check.accounts[a].title,
                "inconsistency": ach.scores[a],
                "ranks_first_share": round(check.ranks_first[a], 4),
            })
        })
        .collect();
    let evidence: Vec<_> = check
        .claims
        .iter()
        .enumerate()
        .map(|(c, sc)| {
            json!({
                "claim": sc.claim.id,
                "source_account": check.accounts[sc.account].name,
                "says": sc.claim.says,
                "cited": claim_source(&sc.claim),
                "diagnostic": ach.diagnostic[c],
                "cells": check.accounts.iter().enumerate().map(|(a, acc)| {
                    let j = check.judgement(c, a);
                    (acc.name.clone(), json!({
                        "verdict": j.verdict,
                        "probability": round(j.probability, 4),
                        "interval_95": [round(j.interval.0, 4), round(j.interval.1, 4)],
                        "inconsistency": ach_weight(j.verdict),
                    }))
                }).collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    let value = json!({
        "method": "Analysis of Competing Hypotheses (Heuer): each account is a hypothesis about where the convoy ended up; each claim of every source is evidence. A cell scores 0 if the claim is consistent with the hypothesis or not ruled out by it, 1 if inconsistent, 2 if impossible; the hypothesis with the lowest total is the least contradicted.",
        "runs": check.runs,
        "hypotheses": hypotheses,
        "evidence": evidence,
    });
    super::provenance::stamped(value, inputs)
}
