//! What a check found: `check.json` (every claim against every account, with the reason in
//! numbers) and the competing-hypotheses matrix as `ach.csv` and `ach.json`, each claim with its
//! credibility, relevance, weight and diagnosticity (see [`crate::check::ach`]).

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

/// `ach.csv`: a row per claim (evidence) and account (hypothesis), with the claim's credibility,
/// relevance, weight and diagnosticity.
pub fn ach_csv(check: &Check) -> String {
    let ach = check.ach();
    let mut out = String::from(
        "claim,claim_source,says,hypothesis,verdict,probability,inconsistency,diagnostic,diagnosticity,credibility,relevance,weight,weighted_inconsistency,source_id,source_outlet,source_date\n",
    );
    for (c, sc) in check.claims.iter().enumerate() {
        for (a, acc) in check.accounts.iter().enumerate() {
            let j = check.judgement(c, a);
            let score = ach_weight(j.verdict);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{:.4},{},{},{},{},{},{},{},{},{},{}",
                sc.claim.id,
                check.accounts[sc.account].name,
                csv_field(&sc.claim.says),
                acc.name,
                j.verdict.as_str(),
                j.probability,
                score,
                ach.diagnostic[c],
                ach.diagnosticity[c],
                sc.credibility.level,
                sc.claim.relevance,
                round(ach.weights[c], 4),
                round(ach.weights[c] * score, 4),
                csv_field(sc.claim.cite.source.as_deref().unwrap_or("")),
                csv_field(&sc.claim.cite.outlet),
                sc.claim.cite.date
            );
        }
    }
    out
}

/// A claim's credibility as the ACH files and the report give it: the rating, the registry id it
/// rates, why, and where the rating comes from.
pub(crate) fn credibility_json(c: &crate::credibility::Credibility) -> serde_json::Value {
    json!({
        "rating": c.level,
        "source": c.source,
        "reason": c.reason,
        "rated_by": c.by.as_str(),
    })
}

/// How the weighted score is made, for ach.json and the report.
pub const WEIGHTS_NOTE: &str = "Weighted inconsistency score (after PARC ACH 2.0): each claim's score times its credibility and its relevance, each high = 1.414 (√2), medium = 1, low = 0.707 (1/√2), so a claim weighs from 0.5 (low, low) to 2 (high, high). Credibility is the cited report's (data/credibility.toml, each rating with its reason) unless the claim sets its own; relevance is the claim's (default medium). The ratings are analyst judgements to review; the unweighted score does not use them.";

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
                "weighted_score": round(ach.weighted[a], 4),
                "weighted_rank": 1 + ach.weighted_ranking.iter().position(|&w| w == a).unwrap_or(0),
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
                "credibility": credibility_json(&sc.credibility),
                "relevance": sc.claim.relevance,
                "weight": round(ach.weights[c], 4),
                "diagnostic": ach.diagnostic[c],
                "diagnosticity": ach.diagnosticity[c],
                "cells": check.accounts.iter().enumerate().map(|(a, acc)| {
                    let j = check.judgement(c, a);
                    (acc.name.clone(), json!({
                        "verdict": j.verdict,
                        "probability": round(j.probability, 4),
                        "interval_95": [round(j.interval.0, 4), round(j.interval.1, 4)],
                        "inconsistency": ach_weight(j.verdict),
                        "weighted_inconsistency": round(ach.weights[c] * ach_weight(j.verdict), 4),
                    }))
                }).collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    let value = json!({
        "method": "Analysis of Competing Hypotheses (Heuer): each account is a hypothesis about where the convoy ended up; each claim of every source is evidence. A cell scores 0 if the claim is consistent with the hypothesis or not ruled out by it, 1 if inconsistent, 2 if impossible; the hypothesis with the lowest total is the least contradicted. A claim's diagnosticity is its highest score across the hypotheses minus its lowest (0 to 2): 0 means it does not tell the hypotheses apart. ranks_first_share: the share of realizations in which the hypothesis has the lowest unweighted score.",
        "weights": WEIGHTS_NOTE,
        "runs": check.runs,
        "hypotheses": hypotheses,
        "evidence": evidence,
    });
    super::provenance::stamped(value, inputs)
}
