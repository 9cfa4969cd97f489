//! Claims judged against accounts: is what one source says possible under another's events, and
//! how often does that account's ensemble bear it out?
//!
//! For every claim and every account the check gives a [`Verdict`]:
//! - **impossible**: the account rules it out. Either it has too few buses or people of the kind
//!   in all, or, starting everyone from where the account's own run has them at its last event
//!   before the claim's time, not enough of them could be there in time even moving as fast as
//!   the account allows by any open road ([`reach`]) — and no realization bears it out. Head
//!   counts given as a range count at their high end here, so a loose count alone never rules a
//!   claim out; the reach bound measures to the zones' nominal edges, and a realization whose
//!   drawn edges bear the claim out keeps it possible.
//! - **consistent** (borne out): at least half the account's realizations bear the claim out by
//!   the buses and people it knows the whereabouts of.
//! - **not ruled out**: at least half bear it out only if buses or people the account has lost
//!   track of by then went there — which they could have, from where they were lost: an account
//!   that does not say where they went does not contradict a claim that they went there, but it
//!   does not bear it out either.
//! - **inconsistent** (contradicted): possible, but fewer than half the realizations bear it out
//!   even counting those lost track of.
//!
//! Every share comes with its 95% Wilson interval ([`wilson`]).

pub mod ach;
mod interval;
pub mod model;
pub mod reach;

pub use ach::{Ach, ach_weight};
pub use interval::wilson;

use jiff::Timestamp;

use crate::Geography;
use crate::credibility::Credibility;
use crate::engine::{self, AgentKind, AgentRun, RunResult, Status};
use crate::ensemble::{self, EnsembleError};
use crate::scenario::{Claim, EventKind, Region, Scenario, Subject};
use crate::units::{LonLat, Metres};
use crate::zones::{EdgeShifts, Holder};
use reach::{Fields, Walled};

/// Share of realizations at or above which a claim is consistent with an account.
pub const CONSISTENT_AT: f64 = 0.5;

/// How a claim stands against one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Consistent,
    NotRuledOut,
    Inconsistent,
    Impossible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::NotRuledOut => "not_ruled_out",
            Verdict::Inconsistent => "inconsistent",
            Verdict::Impossible => "impossible",
        }
    }
}

/// A claim, with the account whose source makes it.
#[derive(Clone, Debug, PartialEq)]
pub struct SourcedClaim {
    /// Index into [`Check::accounts`].
    pub account: usize,
    pub claim: Claim,
    /// How credible its report is, and why: the claim's own rating, else `data/credibility.toml`'s.
    pub credibility: Credibility,
}

/// One account as the check saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountInfo {
    pub name: String,
    pub title: String,
    pub source: String,
    pub seed: u64,
    pub means: reach::Means,
}

/// A claim against an account.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// Index into [`Check::claims`].
    pub claim: usize,
    /// Index into [`Check::accounts`].
    pub account: usize,
    pub verdict: Verdict,
    /// Share of realizations that bear the claim out.
    pub probability: f64,
    /// Its 95% Wilson interval over the realizations run.
    pub interval: (f64, f64),
    /// How many the account has of the claim's subject, in all.
    pub available: u32,
    /// How many of them could be there by the claim's time, at most.
    pub reachable: u32,
    /// Counted there across realizations (not counting those lost track of): least, mean, most.
    pub counted: (f64, f64, f64),
    /// Lost track of by then but could be there, at most (in the account's own run).
    pub unknown: u32,
    /// The soonest any of the subject could be there, if ever.
    pub soonest: Option<Timestamp>,
    pub reason: String,
}

/// Every claim against every account.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub accounts: Vec<AccountInfo>,
    pub claims: Vec<SourcedClaim>,
    pub runs: u32,
    /// Claim-major: the judgement of claim `c` against account `a` is at `c * accounts + a`.
    pub judgements: Vec<Judgement>,
    /// Per account: the share of realizations in which it is the least contradicted hypothesis
    /// (how robust the ranking is to what the realizations draw).
    pub ranks_first: Vec<f64>,
}

impl Check {
    pub fn judgement(&self, claim: usize, account: usize) -> &Judgement {
        &self.judgements[claim * self.accounts.len() + account]
    }
}

/// Checks every claim of every scenario against every scenario, each run as an ensemble of `runs`
/// realizations. `progress` is called after each realization, as for [`ensemble::run`].
pub fn check(
    scenarios: &[Scenario],
    geo: &Geography,
    runs: u32,
    threads: Option<usize>,
    progress: &(dyn Fn() -> bool + Sync),
) -> Result<Check, EnsembleError> {
    let plan = Plan::new(scenarios, geo);
    let whole = plan.tally(runs, 0..runs, threads, progress)?;
    // One partial of every realization, made just now: nothing to disagree with.
    plan.finish(vec![whole])
        .map_err(|e| EnsembleError::Internal(e.to_string()))
}

/// What a check knows before any realization: the claims, and what each account's own run allows
/// for each. Made the same way by every shard of a check and by the merge.
pub struct Plan<'a> {
    scenarios: &'a [Scenario],
    geo: &'a Geography,
    claims: Vec<SourcedClaim>,
    /// Per account.
    fields: Vec<Fields<'a>>,
    /// Per account, per claim.
    bounds: Vec<Vec<Bound>>,
}

/// The tally of realizations `range` of a check of `runs` per account (issue #12): what the
/// judgements and the ranking are made of, and nothing that grows with the realizations. Every
/// field merges exactly: counts add, least and most are minima and maxima, and the sums of counts
/// are of whole numbers (exact in f64 to 2^53), so the shards of a check give the bytes a whole run
/// gives.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CheckPartial {
    pub runs: u32,
    pub range: std::ops::Range<u32>,
    /// Per account, per claim.
    tallies: Vec<Vec<Tally>>,
    /// Each row of inconsistency scores (one per account) met in a realization, with how many
    /// realizations had it; rows in order. Bounded by the realizations and by the scores' range.
    scores: Vec<(Vec<u16>, u64)>,
}

/// Why partial checks do not make one.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckMergeError {
    #[error("realizations {0:?} are missing or given twice")]
    Coverage(std::ops::Range<u32>),
    #[error("the partial of realizations {0:?} is not of these accounts and claims")]
    Shape(std::ops::Range<u32>),
}

impl<'a> Plan<'a> {
    pub fn new(scenarios: &'a [Scenario], geo: &'a Geography) -> Self {
        let claims: Vec<SourcedClaim> = scenarios
            .iter()
            .enumerate()
            .flat_map(|(account, s)| {
                s.claims.iter().map(move |c| SourcedClaim {
                    account,
                    claim: c.clone(),
                    credibility: ach::credibility(&geo.credibility, c),
                })
            })
            .collect();
        let targets: Vec<Vec<Metres>> = claims.iter().map(|c| remaining(geo, &c.claim)).collect();
        let mut fields = Vec::new();
        let mut bounds = Vec::new();
        for scenario in scenarios {
            let mut f = Fields::new(geo, scenario);
            // The reach bound counts the most people the account allows: a loose head count
            // alone never rules another source's claim out.
            let base = engine::run(&scenario.with_most_people(), geo);
            bounds.push(
                claims
                    .iter()
                    .zip(&targets)
                    .map(|(c, rem)| bound(geo, scenario, &base, &mut f, &c.claim, rem))
                    .collect(),
            );
            fields.push(f);
        }
        Plan {
            scenarios,
            geo,
            claims,
            fields,
            bounds,
        }
    }

    /// Runs realizations `range` of every account (of `runs` each) and tallies them.
    pub fn tally(
        &self,
        runs: u32,
        range: std::ops::Range<u32>,
        threads: Option<usize>,
        progress: &(dyn Fn() -> bool + Sync),
    ) -> Result<CheckPartial, EnsembleError> {
        if range.is_empty() || range.end > runs {
            return Err(EnsembleError::NoRuns);
        }
        let (geo, claims) = (self.geo, &self.claims);
        let mut tallies = Vec::new();
        // Per account, each realization's inconsistency score, claims not borne out in it
        // counting one.
        let mut realization_scores: Vec<Vec<u16>> = Vec::new();
        for (scenario, bounds) in self.scenarios.iter().zip(&self.bounds) {
            let mut account = vec![Tally::default(); claims.len()];
            let mut scores: Vec<u16> = Vec::with_capacity(range.len());
            let keep = |_, r: &RunResult| -> Vec<(f64, f64)> {
                let mut grounds = Grounds::default();
                (claims.iter().zip(bounds))
                    .map(|(c, b)| count(geo, r, &c.claim, &b.unknown_could, &mut grounds))
                    .collect()
            };
            // A realization need only place its agents at the claims' times.
            let probes = claims
                .iter()
                .map(|c| c.claim.by.clamp(scenario.start, scenario.end));
            let record = engine::Record::Ends(engine::Probes::new(probes));
            ensemble::realize(
                scenario,
                geo,
                range.clone(),
                threads,
                progress,
                &record,
                keep,
                |counts| {
                    let mut score = 0u16;
                    for ((t, c), n) in account.iter_mut().zip(claims).zip(counts) {
                        t.add(&c.claim, n);
                        score = score.saturating_add(u16::from(!borne_out(&c.claim, n)));
                    }
                    scores.push(score);
                },
            )?;
            tallies.push(account);
            realization_scores.push(scores);
        }
        let mut rows: std::collections::BTreeMap<Vec<u16>, u64> = Default::default();
        for i in 0..range.len() {
            *rows
                .entry(realization_scores.iter().map(|s| s[i]).collect())
                .or_default() += 1;
        }
        Ok(CheckPartial {
            runs,
            range,
            tallies,
            scores: rows.into_iter().collect(),
        })
    }

    /// The check from the partials of every range, in any order.
    pub fn finish(&self, mut parts: Vec<CheckPartial>) -> Result<Check, CheckMergeError> {
        parts.sort_by_key(|p| p.range.start);
        let runs = parts.first().map_or(0, |p| p.runs);
        let mut next = 0;
        let (accounts, claims) = (self.scenarios.len(), self.claims.len());
        let mut tallies = vec![vec![Tally::default(); claims]; accounts];
        let mut rows: std::collections::BTreeMap<Vec<u16>, u64> = Default::default();
        for p in &parts {
            if p.range.start != next || p.runs != runs {
                return Err(CheckMergeError::Coverage(
                    next.min(p.range.start)..next.max(p.range.start),
                ));
            }
            next = p.range.end;
            let shaped = p.tallies.len() == accounts
                && p.tallies.iter().all(|t| t.len() == claims)
                && p.scores.iter().all(|(row, _)| row.len() == accounts);
            if !shaped {
                return Err(CheckMergeError::Shape(p.range.clone()));
            }
            for (to, from) in tallies.iter_mut().flatten().zip(p.tallies.iter().flatten()) {
                to.merge(from);
            }
            for (row, n) in &p.scores {
                *rows.entry(row.clone()).or_default() += n;
            }
        }
        if next != runs || runs == 0 {
            return Err(CheckMergeError::Coverage(next..runs));
        }
        let mut per_account: Vec<Vec<Judgement>> = Vec::new();
        let mut impossible = Vec::new();
        let mut infos = Vec::new();
        for (a, scenario) in self.scenarios.iter().enumerate() {
            let judgements: Vec<Judgement> = self
                .claims
                .iter()
                .zip(&tallies[a])
                .enumerate()
                .map(|(k, (c, tally))| {
                    judge(
                        k,
                        a,
                        scenario,
                        self.geo,
                        self.fields[a].means(),
                        &c.claim,
                        &self.bounds[a][k],
                        tally,
                    )
                })
                .collect();
            // An impossible claim is never borne out, so it counted one in every realization: it
            // weighs two.
            impossible.push(
                judgements
                    .iter()
                    .filter(|j| j.verdict == Verdict::Impossible)
                    .count() as u16,
            );
            per_account.push(judgements);
            infos.push(AccountInfo {
                name: scenario.name.clone(),
                title: scenario.account.title.clone(),
                source: scenario.account.source.clone(),
                seed: scenario.seed,
                means: *self.fields[a].means(),
            });
        }
        let judgements = (0..claims)
            .flat_map(|k| per_account.iter().map(move |js| js[k].clone()))
            .collect();
        Ok(Check {
            accounts: infos,
            claims: self.claims.clone(),
            runs,
            judgements,
            ranks_first: ranks_first(&rows, &impossible),
        })
    }
}

/// What the account's own run allows for one claim.
#[derive(Clone, Debug)]
struct Bound {
    available: u32,
    reachable: u32,
    soonest: Option<Timestamp>,
    /// The last event at or before the claim (its time and what it was), where the search starts.
    anchor: (Timestamp, String),
    /// Straight-line distance from the nearest agent's start to the claim's place.
    distance: Metres,
    /// Ids of agents lost track of in the account's run who could be there by the claim's time.
    unknown_could: std::collections::BTreeSet<String>,
    /// The bar that walls off the claim's region, if one does: from when, and whose ground.
    barred: Option<(Timestamp, crate::zones::Holder)>,
}

fn subject_count(a: &AgentRun, subject: Subject) -> Option<u32> {
    match (&a.kind, subject) {
        (k, Subject::Buses) if k.is_bus() => Some(1),
        (AgentKind::People { count, .. }, Subject::People(None)) => Some(*count),
        (AgentKind::People { count, kind, .. }, Subject::People(Some(k))) if *kind == k => {
            Some(*count)
        }
        _ => None,
    }
}

fn aboard_at(a: &AgentRun, t: Timestamp) -> bool {
    match &a.kind {
        AgentKind::Vehicle { .. } => true,
        AgentKind::People { left_vehicle, .. } => left_vehicle.is_none_or(|l| l > t),
    }
}

fn lost_by(a: &AgentRun, t: Timestamp) -> bool {
    a.end.status == Status::Unaccounted && a.end.since <= t
}

/// The ground barred to the convoy that holds the whole of the claim's region, from the earliest
/// bar by the claim's time: no one outside it then can be there after.
fn walled<'s>(scenario: &'s Scenario, claim: &Claim) -> Option<Walled<'s>> {
    scenario
        .bars()
        .filter(|(from, holder, nodes)| {
            *from <= claim.by
                && match &claim.region {
                    Region::Zone(h) => h == holder,
                    Region::Near { sites, .. } => sites.iter().all(|s| nodes.contains(&s.node)),
                }
        })
        .map(|(from, holder, inside)| Walled {
            from,
            holder,
            inside,
        })
        .next()
}

/// The soonest an agent found at `at` at time `t` could be where the claim puts it.
fn soonest(
    geo: &Geography,
    fields: &mut Fields,
    claim: &Claim,
    rem: &[Metres],
    walled: Option<&Walled>,
    (at, t, aboard): (LonLat, Timestamp, bool),
) -> Option<Timestamp> {
    let walk = fields.means().walk;
    // People can always walk straight there, unless the ground is barred before they arrive.
    let already_inside = walled.is_none_or(|w| {
        geo.network
            .snap(at)
            .is_some_and(|(n, _)| w.inside.contains(&n))
    });
    let on_foot = match claim.subject {
        Subject::Buses => None,
        Subject::People(_) => t
            .checked_add(distance_to(geo, claim, rem, at).time_at(walk))
            .ok()
            .filter(|&a| already_inside || walled.is_none_or(|w| a <= w.from)),
    };
    let start = fields.start_at(at, t, aboard)?;
    let f = fields.get(start);
    let by_road = match claim.subject {
        Subject::Buses => f.buses(rem),
        Subject::People(_) => f.people(walk, rem, walled),
    };
    match (by_road, on_foot) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn bound(
    geo: &Geography,
    scenario: &Scenario,
    base: &RunResult,
    fields: &mut Fields,
    claim: &Claim,
    rem: &[Metres],
) -> Bound {
    let anchor_event = scenario.events.iter().rev().find(|e| e.at <= claim.by);
    let anchor_at = anchor_event
        .map_or(scenario.start, |e| e.at)
        .max(scenario.start);
    let anchor_what = anchor_event.map_or_else(
        || "the start of the run".to_string(),
        |e| match &e.kind {
            EventKind::CloseRoadAt { site, .. } => format!("the road was cut at {}", site.written),
            EventKind::CloseRoad { from, to, .. } => {
                format!(
                    "the road closed between {} and {}",
                    from.written, to.written
                )
            }
            EventKind::StrikeNear { site } => format!("the strike near {}", site.written),
            EventKind::BarZone { holder, .. } => {
                format!("the convoy was barred from {holder} ground")
            }
        },
    );
    let walled = walled(scenario, claim);
    let mut available = 0;
    let mut reachable = 0;
    let mut best: Option<Timestamp> = None;
    let mut distance = Metres(f64::INFINITY);
    let mut unknown_could = std::collections::BTreeSet::new();
    for a in &base.agents {
        let Some(n) = subject_count(a, claim.subject) else {
            continue;
        };
        available += n;
        let at = a.position_at(anchor_at);
        distance = Metres(distance.0.min(distance_to(geo, claim, rem, at).0));
        let soon = soonest(
            geo,
            fields,
            claim,
            rem,
            walled.as_ref(),
            (at, anchor_at, aboard_at(a, anchor_at)),
        );
        if soon.is_some_and(|t| t <= claim.by) {
            reachable += n;
        }
        best = match (best, soon) {
            (Some(b), Some(s)) => Some(b.min(s)),
            (b, s) => b.or(s),
        };
        if lost_by(a, claim.by) {
            let lost = (a.end.at, a.end.since, aboard_at(a, a.end.since));
            let could = soonest(geo, fields, claim, rem, walled.as_ref(), lost)
                .is_some_and(|t| t <= claim.by);
            if could {
                unknown_could.insert(a.id.clone());
            }
        }
    }
    Bound {
        available,
        reachable,
        soonest: best,
        anchor: (anchor_at, anchor_what),
        barred: walled.map(|w| (w.from, w.holder)),
        distance,
        unknown_could,
    }
}

/// For every road node, how far people there would still have to walk, straight, to be where the
/// claim puts them: 0 inside the region.
fn remaining(geo: &Geography, claim: &Claim) -> Vec<Metres> {
    let net = &geo.network;
    let nodes: Vec<LonLat> = net.graph().node_indices().map(|n| net.node(n)).collect();
    match &claim.region {
        Region::Near { sites, within } => nodes
            .iter()
            .map(|&p| {
                let d = sites
                    .iter()
                    .map(|s| p.distance(geo.gazetteer.get(s.place).location()).0)
                    .fold(f64::INFINITY, f64::min);
                Metres((d - within.0).max(0.0))
            })
            .collect(),
        Region::Zone(holder) => {
            let inside: Vec<LonLat> = nodes
                .iter()
                .copied()
                .filter(|&p| in_zone(geo, p, claim.by, *holder, &EdgeShifts::nominal()))
                .collect();
            nodes
                .iter()
                .map(|&p| {
                    Metres(
                        inside
                            .iter()
                            .map(|&q| p.distance(q).0)
                            .fold(f64::INFINITY, f64::min),
                    )
                })
                .collect()
        }
    }
}

fn in_zone(
    geo: &Geography,
    p: LonLat,
    t: Timestamp,
    holder: crate::zones::Holder,
    edges: &EdgeShifts,
) -> bool {
    (geo.zones.holder_at_shifted(p, t, edges)).is_ok_and(|c| c.holder == holder)
}

/// Whether a point is where the claim puts its subject, with the zones' edges at `edges` (a
/// realization's, or nominal for the reach bound).
fn inside(geo: &Geography, claim: &Claim, p: LonLat, (edges, places): Drawing) -> bool {
    match &claim.region {
        Region::Near { sites, within } => sites
            .iter()
            .any(|s| p.distance(places.location(&geo.gazetteer, s.place)).0 <= within.0),
        Region::Zone(holder) => in_zone(geo, p, claim.by, *holder, edges),
    }
}

/// Where a realization put what it draws: zones' edges, and places.
type Drawing<'d> = (&'d EdgeShifts, &'d crate::gazetteer::Drawn);

/// Straight-line distance from a point to the claim's region (to its nearest road node for a zone).
fn distance_to(geo: &Geography, claim: &Claim, rem: &[Metres], p: LonLat) -> Metres {
    if inside(geo, claim, p, (&EdgeShifts::nominal(), &Default::default())) {
        return Metres::ZERO;
    }
    let net = &geo.network;
    match &claim.region {
        Region::Near { sites, within } => Metres(
            sites
                .iter()
                .map(|s| p.distance(geo.gazetteer.get(s.place).location()).0 - within.0)
                .fold(f64::INFINITY, f64::min)
                .max(0.0),
        ),
        Region::Zone(_) => Metres(
            net.graph()
                .node_indices()
                .filter(|n| rem[n.index()].0 == 0.0)
                .map(|n| p.distance(net.node(n)).0)
                .fold(f64::INFINITY, f64::min),
        ),
    }
}

/// Whose ground positions are in at times, in one realization (against its zone edges), by the
/// bits of (lon, lat) and the time: the claims of every account ask of the same positions at
/// the same few times, and each is looked up once.
#[derive(Default)]
struct Grounds(std::collections::BTreeMap<(u64, u64, Timestamp), Option<Holder>>);

impl Grounds {
    /// Whether `p` is where `claim` puts its subject, in realization `r`.
    fn inside(&mut self, geo: &Geography, r: &RunResult, claim: &Claim, p: LonLat) -> bool {
        let Region::Zone(holder) = claim.region else {
            return inside(geo, claim, p, (&r.edges, &r.places));
        };
        let key = (p.lon.to_bits(), p.lat.to_bits(), claim.by);
        let whose = self.0.entry(key).or_insert_with(|| {
            (geo.zones.holder_at_shifted(p, claim.by, &r.edges))
                .ok()
                .map(|c| c.holder)
        });
        *whose == Some(holder)
    }
}

/// In one realization: how many of the claim's subject are where it says at its time, and how
/// many more, lost track of by then, could be. `grounds` is the realization's.
fn count(
    geo: &Geography,
    r: &RunResult,
    claim: &Claim,
    unknown_could: &std::collections::BTreeSet<String>,
    grounds: &mut Grounds,
) -> (f64, f64) {
    let t = claim.by.clamp(r.start, r.end);
    let mut known = 0.0;
    let mut unknown = 0.0;
    // People aboard are where their vehicle is: each distinct position is judged once.
    let mut judged = std::collections::BTreeMap::new();
    let mut there = |at: LonLat| {
        *(judged.entry((at.lon.to_bits(), at.lat.to_bits())))
            .or_insert_with(|| grounds.inside(geo, r, claim, at))
    };
    for a in &r.agents {
        let Some(n) = subject_count(a, claim.subject) else {
            continue;
        };
        if lost_by(a, claim.by) {
            if unknown_could.contains(&a.id) {
                unknown += n as f64;
            }
        } else if there(a.position_at(t)) {
            known += n as f64;
        }
    }
    (known, unknown)
}

/// Whether run `r` bears `claim` out by the buses and people whose whereabouts it knows: what a
/// sensitivity study counts, realization by realization.
pub fn borne_out_in(geo: &Geography, r: &RunResult, claim: &Claim) -> bool {
    let (known, _) = count(geo, r, claim, &Default::default(), &mut Grounds::default());
    borne_out(claim, (known, 0.0))
}

/// One claim's counts across the realizations, as they come.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Tally {
    runs: u32,
    /// Realizations that bear the claim out, counting those lost track of who could be there.
    borne: u32,
    /// Realizations that bear it out without them.
    borne_known: u32,
    /// Least, sum and most of the counts there (not counting those lost track of).
    least: f64,
    sum: f64,
    most: f64,
    /// Most lost track of who could be there.
    unknown: f64,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            runs: 0,
            borne: 0,
            borne_known: 0,
            least: f64::INFINITY,
            sum: 0.0,
            most: f64::NEG_INFINITY,
            unknown: 0.0,
        }
    }
}

impl Tally {
    /// Adds a realization's count for `claim`: (known, unknown) as [`count`] gives it.
    fn add(&mut self, claim: &Claim, (known, unknown): (f64, f64)) {
        self.runs += 1;
        self.borne += borne_out(claim, (known, unknown)) as u32;
        self.borne_known += borne_out(claim, (known, 0.0)) as u32;
        self.least = self.least.min(known);
        self.sum += known;
        self.most = self.most.max(known);
        self.unknown = self.unknown.max(unknown);
    }

    /// Adds another range's tally: exact in any order (see [`CheckPartial`]).
    fn merge(&mut self, other: &Tally) {
        self.runs += other.runs;
        self.borne += other.borne;
        self.borne_known += other.borne_known;
        self.least = self.least.min(other.least);
        self.sum += other.sum;
        self.most = self.most.max(other.most);
        self.unknown = self.unknown.max(other.unknown);
    }
}

/// Per account, the share of realizations in which it is the least contradicted: realization `i`
/// of every account taken together (their seeds are independent), a tie shared among the tied.
/// `rows` counts the realizations with each row of scores (one per account), to which each
/// account's `impossible` claims are added. Shares of ties are summed by the size of the tie, so
/// the result does not depend on the order of the realizations.
fn ranks_first(rows: &std::collections::BTreeMap<Vec<u16>, u64>, impossible: &[u16]) -> Vec<f64> {
    let accounts = impossible.len();
    let runs: u64 = rows.values().sum();
    // wins[a][t - 1]: realizations in which account a ties first with t accounts in all.
    let mut wins = vec![vec![0u64; accounts]; accounts];
    for (row, &n) in rows {
        let scores: Vec<u16> = row
            .iter()
            .zip(impossible)
            .map(|(s, i)| s.saturating_add(*i))
            .collect();
        let best = scores.iter().copied().min().unwrap_or(0);
        let tied: Vec<usize> = (0..accounts).filter(|&a| scores[a] == best).collect();
        for &a in &tied {
            wins[a][tied.len() - 1] += n;
        }
    }
    wins.iter()
        .map(|w| {
            let first: f64 = w
                .iter()
                .enumerate()
                .map(|(t, &n)| n as f64 / (t + 1) as f64)
                .sum();
            first / runs.max(1) as f64
        })
        .collect()
}

/// Whether `[known, known + unknown]` meets the claim's count.
fn borne_out(claim: &Claim, (known, unknown): (f64, f64)) -> bool {
    let high = claim.count.high.map_or(f64::INFINITY, |h| h as f64);
    known <= high && known + unknown >= claim.count.low as f64
}

/// "4.2 days", "31 h", "45 min".
pub fn duration_words(d: jiff::SignedDuration) -> String {
    let h = d.as_secs_f64() / 3600.0;
    if h >= 48.0 {
        format!("{:.1} days", h / 24.0)
    } else if h >= 1.0 {
        format!("{h:.0} h")
    } else {
        format!("{:.0} min", h * 60.0)
    }
}

/// "in islamic_state ground", "within 20 km of Rawa or Aana".
pub fn region_words(geo: &Geography, region: &Region) -> String {
    match region {
        Region::Zone(crate::zones::Holder::NONE) => {
            "between the lines (ground no one held)".to_string()
        }
        Region::Zone(h) => format!("in {h} ground"),
        Region::Near { sites, within } => format!(
            "within {:.0} km of {}",
            within.km(),
            sites
                .iter()
                .map(|s| geo.gazetteer.get(s.place).name.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// Short UTC time for reports: `2017-09-01 12:00Z`.
pub fn time_words(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%MZ").to_string()
}

#[allow(clippy::too_many_arguments)]
fn judge(
    claim_index: usize,
    account: usize,
    scenario: &Scenario,
    geo: &Geography,
    means: &reach::Means,
    claim: &Claim,
    b: &Bound,
    tally: &Tally,
) -> Judgement {
    let runs = tally.runs.max(1) as f64;
    let borne = tally.borne;
    let probability = borne as f64 / runs;
    let counted = (tally.least, tally.sum / runs, tally.most);
    let unknown = tally.unknown as u32;
    let subject = claim.subject.as_str();
    let region = region_words(geo, &claim.region);
    let (anchor_at, anchor_what) = &b.anchor;
    let (verdict, reason) = if b.available < claim.count.low {
        (
            Verdict::Impossible,
            format!(
                "the account has {} {subject} in all; the claim needs {}",
                b.available, claim.count
            ),
        )
    } else if b.reachable < claim.count.low && borne == 0 {
        let when = match b.soonest {
            Some(s) => format!(
                "the soonest any could be there is {} ({} after {}), but the claim says by {} ({} after)",
                time_words(s),
                duration_words(anchor_at.duration_until(s)),
                anchor_what,
                time_words(claim.by),
                duration_words(anchor_at.duration_until(claim.by)),
            ),
            None => match b.barred {
                Some((from, holder)) => format!(
                    "no open road or walk gets them there, for the account bars the convoy from {holder} ground from {}",
                    time_words(from)
                ),
                None => "no open road or walk gets them there".to_string(),
            },
        };
        let only = if b.reachable > 0 {
            format!(
                "; only {} of the {} {subject} could be there in time",
                b.reachable, b.available
            )
        } else {
            String::new()
        };
        (
            Verdict::Impossible,
            format!(
                "when {anchor_what} ({}), the nearest of the {subject} were {:.0} km from being {region}; moving {}, {when}{only}; the claim needs {}",
                time_words(*anchor_at),
                b.distance.km(),
                means.describe(),
                claim.count,
            ),
        )
    } else {
        let verdict = if f64::from(tally.borne_known) / runs >= CONSISTENT_AT {
            Verdict::Consistent
        } else if probability >= CONSISTENT_AT {
            Verdict::NotRuledOut
        } else {
            Verdict::Inconsistent
        };
        let lost = if unknown > 0 {
            format!(", and up to {unknown} more the account has lost track of could be")
        } else {
            String::new()
        };
        (
            verdict,
            format!(
                "{borne} of {} realizations bear it out: {} {subject} {region} at {} (least {:.0}, most {:.0}){lost}; the claim needs {}",
                tally.runs,
                fmt_count(counted.1),
                time_words(claim.by.clamp(scenario.start, scenario.end)),
                counted.0,
                counted.2,
                claim.count,
            ),
        )
    };
    Judgement {
        claim: claim_index,
        account,
        verdict,
        probability,
        interval: wilson(probability, tally.runs),
        available: b.available,
        reachable: b.reachable,
        counted,
        unknown,
        soonest: b.soonest,
        reason,
    }
}

fn fmt_count(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{:.0}", v)
    } else {
        format!("{v:.1}")
    }
}
