//! Raw → validated → resolved: every check a scenario must pass, collecting all problems at once.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use jiff::{SignedDuration, Timestamp};
use petgraph::graph::NodeIndex;
use toml::Spanned;
use toml::value::Datetime;

use super::limits::*;
use super::problem::{Lines, Problem, ScenarioError, key_path_at};
use super::raw::{
    RawBusGroup, RawCite, RawCount, RawPlaces, RawRange, RawScenario, RawTimeRange, RawVehicleGroup,
};
use super::*;
use crate::Geography;
use crate::credibility::Level;
use crate::gazetteer::GazetteerError;
use crate::network::Metric;
use crate::units::{cut, echo};

/// Longest message repeated from the TOML parser, whose messages quote the file.
const MAX_PARSER_MESSAGE_CHARS: usize = 400;

/// Where a bound's message sends the user.
const LIMITS_HINT: &str = "scenarios/README.md lists the limits under \"Limits\"";

pub(super) fn scenario(
    text: &str,
    origin: &str,
    name: &str,
    geo: &Geography,
) -> Result<Scenario, ScenarioError> {
    let lines = Lines::new(text);
    let fail = |problems: Vec<Problem>| ScenarioError {
        origin: origin.to_string(),
        problems,
    };
    if text.trim().is_empty() {
        return Err(fail(vec![Problem {
            line: 0,
            column: 0,
            key: String::new(),
            message: "the file is empty".into(),
            hint: Some(
                "start from one of the files in scenarios/, documented in scenarios/README.md"
                    .into(),
            ),
        }]));
    }
    let raw: RawScenario = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let key = echo(&key_path_at(text, span.start)).into_owned();
            let mut p = lines.problem(text, span.clone(), key, plain_serde_message(e.message()));
            if p.message.contains("missing field") {
                p.hint = Some("scenarios/README.md lists the required keys".into());
            }
            p.hint = p
                .hint
                .or_else(|| super::steps::unknown_key_hint(text, span.start, e.message()));
            return Err(fail(vec![p]));
        }
    };
    let mut c = Checker {
        text,
        lines,
        geo,
        problems: Vec::new(),
        reach: BTreeMap::new(),
        suggestions_left: MAX_SUGGESTED_NAMES,
    };
    let scenario = c.scenario(&raw, name);
    match scenario {
        Some(s) if c.problems.is_empty() => Ok(s),
        _ => {
            let mut problems = c.problems;
            problems.sort_by_key(|p| (p.line, p.column));
            problems.dedup();
            Err(fail(problems))
        }
    }
}

pub(super) struct Checker<'a> {
    text: &'a str,
    lines: Lines,
    geo: &'a Geography,
    problems: Vec<Problem>,
    /// Whether a road open to a traveller joins two nodes, memoised: plans name the same few
    /// places many times.
    reach: BTreeMap<(Traveller, NodeIndex, NodeIndex), bool>,
    /// How many more unknown place names get "did you mean" suggestions, each a search of the
    /// whole gazetteer.
    suggestions_left: usize,
}

/// The fields of a `[[bus_group]]` or a `[[vehicle_group]]`, which differ only in how they name
/// the kind and the count.
struct GroupView<'r> {
    table: &'static str,
    id: &'r Spanned<String>,
    /// `None` for a bus group.
    kind: Option<&'r Spanned<String>>,
    count: &'r Spanned<i64>,
    count_key: &'static str,
    speed_kmh: &'r Spanned<RawRange>,
    depart: &'r Spanned<RawTimeRange>,
    cite: &'r Spanned<RawCite>,
    assumed: &'r Option<String>,
    plan: &'r [Spanned<super::raw::RawStep>],
}

impl<'r> GroupView<'r> {
    fn bus(g: &'r RawBusGroup) -> Self {
        GroupView {
            table: "bus_group",
            id: &g.id,
            kind: None,
            count: &g.buses,
            count_key: "buses",
            speed_kmh: &g.speed_kmh,
            depart: &g.depart,
            cite: &g.cite,
            assumed: &g.assumed,
            plan: &g.plan,
        }
    }

    fn other(g: &'r RawVehicleGroup) -> Self {
        GroupView {
            table: "vehicle_group",
            id: &g.id,
            kind: Some(&g.kind),
            count: &g.vehicles,
            count_key: "vehicles",
            speed_kmh: &g.speed_kmh,
            depart: &g.depart,
            cite: &g.cite,
            assumed: &g.assumed,
            plan: &g.plan,
        }
    }
}

/// The vehicle groups as read: those valid, every id with its place in file order (bus groups
/// first), and whether every entry was read at all (none is past the entry limit).
struct Groups {
    list: Vec<VehicleGroup>,
    index: BTreeMap<String, usize>,
    read: bool,
}

/// Where a plan step leaves its group, for checking the next step can be reached.
#[derive(Clone, Copy)]
pub(super) struct Cursor {
    pub(super) node: NodeIndex,
    pub(super) time_floor: Timestamp,
    /// The group's vehicles.
    pub(super) kind: VehicleKind,
}

impl Checker<'_> {
    pub(super) fn problem(
        &mut self,
        span: Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> &mut Problem {
        let p = self.lines.problem(self.text, span, key, message);
        self.problems.push(p);
        self.problems.last_mut().expect("just pushed")
    }

    /// `[low, high]` as a range, or the problem that it runs backwards: one rule for counts,
    /// numbers and times.
    fn ordered<T: PartialOrd + std::fmt::Display>(
        &mut self,
        low: T,
        high: T,
        span: Range<usize>,
        key: &str,
    ) -> Option<Span<T>> {
        if low > high {
            self.problem(
                span,
                key,
                format!("the range [{low}, {high}] runs backwards"),
            )
            .hint = Some(format!("write [{high}, {low}]"));
            return None;
        }
        Some(Span { low, high })
    }

    pub(super) fn time(&mut self, v: &Spanned<Datetime>, key: &str) -> Option<Timestamp> {
        let dt = v.get_ref();
        if dt.date.is_none() || dt.time.is_none() {
            self.problem(v.span(), key, format!("{dt} is not a date and time"))
                .hint = Some("write e.g. 2017-08-30T12:00:00Z".into());
            return None;
        }
        if dt.offset.is_none() {
            self.problem(v.span(), key, format!("{dt} has no UTC offset"))
                .hint = Some(format!(
                "times are instants: write {dt}Z for UTC, or give the local offset, e.g. {dt}+03:00"
            ));
            return None;
        }
        match dt.to_string().parse::<Timestamp>() {
            Ok(t) => Some(t),
            Err(e) => {
                self.problem(v.span(), key, format!("{dt} is not a valid time: {e}"));
                None
            }
        }
    }

    fn date(&mut self, v: &Spanned<Datetime>, key: &str) -> Option<jiff::civil::Date> {
        let dt = v.get_ref();
        match (dt.date, dt.time) {
            (Some(d), None) => {
                match jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8) {
                    Ok(date) => Some(date),
                    Err(e) => {
                        self.problem(v.span(), key, format!("{dt} is not a date: {e}"));
                        None
                    }
                }
            }
            _ => {
                self.problem(v.span(), key, format!("{dt} is not a plain date"))
                    .hint = Some("write the publication date, e.g. 2017-09-04".into());
                None
            }
        }
    }

    /// A non-empty text of at most `max` characters.
    fn text_value(&mut self, v: &Spanned<String>, key: &str, max: usize) -> Option<String> {
        let s = v.get_ref().trim();
        if s.is_empty() {
            self.problem(v.span(), key, "is empty");
            return None;
        }
        let n = s.chars().count();
        if n > max {
            self.problem(v.span(), key, format!("is {n} characters: at most {max}"));
            return None;
        }
        Some(s.to_string())
    }

    /// A citation by registry id (`{ source, quote }`) or written out (`{ outlet, date, quote }`).
    pub(super) fn cite(&mut self, c: &Spanned<RawCite>, key: &str) -> Option<Citation> {
        let raw = c.get_ref();
        // A citation carries a short quote, not the article.
        let quote = self.text_value(&raw.quote, &format!("{key}.quote"), MAX_QUOTE_CHARS);
        let Some(id) = &raw.source else {
            if raw.outlet.is_none() || raw.date.is_none() {
                self.problem(
                    c.span(),
                    key,
                    "needs `source` (an id in data/sources.toml), or `outlet` and `date`",
                )
                .hint = Some("e.g. cite = { source = \"rudaw-2017-08-31\", quote = \"…\" }".into());
            }
            let outlet = raw
                .outlet
                .as_ref()
                .and_then(|o| self.text_value(o, &format!("{key}.outlet"), MAX_TEXT_CHARS));
            let date = raw
                .date
                .as_ref()
                .and_then(|d| self.date(d, &format!("{key}.date")));
            return Some(Citation {
                source: None,
                outlet: outlet?,
                date: date?,
                quote: quote?,
                url: raw.url.clone(),
            });
        };
        // The outlet, date and address come from the registry: given here too, they could disagree.
        let given = [
            ("outlet", raw.outlet.as_ref().map(|o| o.span())),
            ("date", raw.date.as_ref().map(|d| d.span())),
            ("url", raw.url.as_ref().map(|_| c.span())),
        ];
        let given: Vec<_> = given
            .into_iter()
            .filter_map(|(f, s)| Some((f, s?)))
            .collect();
        for (field, span) in &given {
            self.problem(
                span.clone(),
                &format!("{key}.{field}"),
                "is not given with `source`: the registry entry gives it",
            )
            .hint = Some("write either { source, quote } or { outlet, date, quote, url }".into());
        }
        let registry = &self.geo.sources;
        let Some(entry) = registry.get(id.get_ref()) else {
            let hint = match registry.nearest(id.get_ref()) {
                Some(near) => format!(
                    "did you mean '{near}'? `convoy-sim sources` lists the registry (data/sources.toml)"
                ),
                None => "`convoy-sim sources` lists the registry (data/sources.toml)".into(),
            };
            self.problem(
                id.span(),
                &format!("{key}.source"),
                format!("'{}' is not in the sources registry", echo(id.get_ref())),
            )
            .hint = Some(hint);
            return None;
        };
        let quote = quote?;
        if !entry.holds(&quote) {
            let message = format!(
                "is not word for word in the quotes of source '{}'",
                entry.id
            );
            self.problem(raw.quote.span(), &format!("{key}.quote"), message)
                .hint = Some(
                "copy the words exactly from data/sources.toml (curly quotes and apostrophes as \
                 there), or add the quote to that entry"
                    .into(),
            );
            return None;
        }
        given.is_empty().then(|| Citation {
            source: Some(entry.id.clone()),
            outlet: entry.outlet.clone(),
            date: entry.date,
            quote,
            url: entry.url.clone(),
        })
    }

    /// A whole number in `[min, max]`.
    fn count(&mut self, v: &Spanned<i64>, key: &str, min: u32, max: u32) -> Option<u32> {
        let n = *v.get_ref();
        if n < i64::from(min) {
            self.problem(
                v.span(),
                key,
                format!("{n} is not a count of at least {min}"),
            );
            return None;
        }
        match u32::try_from(n) {
            Ok(n) if n <= max => Some(n),
            _ => {
                self.problem(v.span(), key, format!("{n} is too many: at most {max}"))
                    .hint = Some(LIMITS_HINT.into());
                None
            }
        }
    }

    /// A whole number in `[min, max]`, or a `[low, high]` range of them.
    fn count_span(
        &mut self,
        v: &Spanned<RawCount>,
        key: &str,
        min: u32,
        max: u32,
    ) -> Option<Span<u32>> {
        let one = |n: i64| Spanned::new(v.span(), n);
        let (low, high) = match v.get_ref() {
            RawCount::One(n) => {
                let n = self.count(&one(*n), key, min, max)?;
                (n, n)
            }
            RawCount::Range(ns) if ns.len() == 2 => {
                let low = self.count(&one(ns[0]), key, min, max);
                let high = self.count(&one(ns[1]), key, min, max);
                (low?, high?)
            }
            RawCount::Range(ns) => {
                self.problem(
                    v.span(),
                    key,
                    format!("a range has two counts [low, high], not {}", ns.len()),
                );
                return None;
            }
        };
        self.ordered(low, high, v.span(), key)
    }

    /// Whether a list holds at most `max` entries; `what` names one in the message.
    pub(super) fn at_most<T>(
        &mut self,
        list: &[T],
        span: Range<usize>,
        key: &str,
        max: usize,
        what: &str,
    ) -> bool {
        if list.len() <= max {
            return true;
        }
        self.problem(
            span,
            key,
            format!("{} {what} is too many: at most {max}", list.len()),
        )
        .hint = Some(LIMITS_HINT.into());
        false
    }

    /// A group or claim id: at most [`MAX_ID_CHARS`] characters. Returns the id as keys show it.
    fn id(&mut self, v: &Spanned<String>, key: &str) -> String {
        let id = v.get_ref();
        let shown = echo(id).into_owned();
        let chars = id.chars().count();
        if chars > MAX_ID_CHARS {
            self.problem(
                v.span(),
                &format!("{key}[{shown}].id"),
                format!("an id of {chars} characters is too long: at most {MAX_ID_CHARS}"),
            );
        }
        shown
    }

    /// A number in `[min, max]` (`unit` names it in messages). Negative zero reads as zero.
    fn bounded(
        &mut self,
        x: f64,
        span: Range<usize>,
        key: &str,
        (min, max): (f64, f64),
        unit: &str,
    ) -> Option<f64> {
        let problem = if !x.is_finite() {
            format!("{x} is not a number")
        } else if x < min {
            format!(
                "{} {unit} is below the least, {} {unit}",
                shown(x),
                shown(min)
            )
        } else if x > max {
            format!(
                "{} {unit} is above the most, {} {unit}",
                shown(x),
                shown(max)
            )
        } else {
            return Some(x + 0.0);
        };
        self.problem(span, key, problem).hint = Some(LIMITS_HINT.into());
        None
    }

    /// A number or `[low, high]` range within `[min, max]` (`unit` names it in messages).
    pub(super) fn span(
        &mut self,
        v: &Spanned<RawRange>,
        key: &str,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<Span<f64>> {
        let (low, high) = match v.get_ref() {
            RawRange::One(x) => (*x, *x),
            RawRange::Range(xs) if xs.len() == 2 => (xs[0], xs[1]),
            RawRange::Range(xs) => {
                self.problem(
                    v.span(),
                    key,
                    format!("a range has two numbers [low, high], not {}", xs.len()),
                );
                return None;
            }
        };
        let low = self.bounded(low, v.span(), key, (min, max), unit)?;
        let high = self.bounded(high, v.span(), key, (min, max), unit)?;
        self.ordered(low, high, v.span(), key)
    }

    /// A speed or range of speeds from [`MIN_KMH`] to `max`.
    pub(super) fn speed(
        &mut self,
        v: &Spanned<RawRange>,
        key: &str,
        max: f64,
    ) -> Option<Span<f64>> {
        self.span(v, key, MIN_KMH, max, "km/h")
    }

    fn time_span(&mut self, v: &Spanned<RawTimeRange>, key: &str) -> Option<Span<Timestamp>> {
        let (low, high) = match v.get_ref() {
            RawTimeRange::One(t) => {
                let t = self.time(&Spanned::new(v.span(), *t), key)?;
                (t, t)
            }
            RawTimeRange::Range(ts) if ts.len() == 2 => {
                let a = self.time(&Spanned::new(v.span(), ts[0]), key);
                let b = self.time(&Spanned::new(v.span(), ts[1]), key);
                (a?, b?)
            }
            RawTimeRange::Range(ts) => {
                self.problem(
                    v.span(),
                    key,
                    format!(
                        "a time range has two times [earliest, latest], not {}",
                        ts.len()
                    ),
                );
                return None;
            }
        };
        self.ordered(low, high, v.span(), key)
    }

    fn site(&mut self, v: &Spanned<String>, key: &str) -> Option<Site> {
        let written = v.get_ref();
        let found = match self.geo.gazetteer.find(written) {
            Some(m) => Ok(m),
            None if self.suggestions_left > 0 => {
                self.suggestions_left -= 1;
                self.geo.gazetteer.lookup(written)
            }
            None => Err(GazetteerError::Unknown {
                query: written.clone(),
                suggestions: Vec::new(),
            }),
        };
        match found {
            Ok(m) => match self.geo.place_node(m.id) {
                Ok(node) => Some(Site {
                    written: written.clone(),
                    place: m.id,
                    node,
                    point: None,
                }),
                Err(e) => {
                    self.problem(v.span(), key, e.to_string()).hint =
                        Some("`convoy-sim route` shows which places the roads reach".into());
                    None
                }
            },
            Err(GazetteerError::Unknown { suggestions, .. }) => {
                let p = self.problem(v.span(), key, format!("unknown place '{}'", echo(written)));
                p.hint = if suggestions.is_empty() {
                    Some("`convoy-sim places` lists every place and alias".into())
                } else {
                    Some(format!("did you mean {}?", suggestions.join(" or ")))
                };
                None
            }
            Err(e) => {
                self.problem(v.span(), key, e.to_string());
                None
            }
        }
    }

    /// A place or a list of places to draw from.
    pub(super) fn sites(&mut self, v: &Spanned<RawPlaces>, key: &str) -> Option<Vec<Site>> {
        let names: Vec<String> = match v.get_ref() {
            RawPlaces::One(n) => vec![n.clone()],
            RawPlaces::AnyOf(ns) => ns.clone(),
        };
        if !self.at_most(&names, v.span(), key, MAX_PLACES, "places") {
            return None;
        }
        if names.is_empty() {
            self.problem(v.span(), key, "an empty list of places").hint =
                Some("give a place, or a list of places to draw one from".into());
            return None;
        }
        let sites: Vec<Option<Site>> = names
            .into_iter()
            .map(|n| self.site(&Spanned::new(v.span(), n), key))
            .collect();
        sites.into_iter().collect()
    }

    pub(super) fn within_run(
        &mut self,
        t: Timestamp,
        span: Range<usize>,
        key: &str,
        run: (Timestamp, Timestamp),
    ) {
        if t < run.0 || t > run.1 {
            self.problem(
                span,
                key,
                format!("{t} is outside the run ({} to {})", run.0, run.1),
            );
        }
    }

    /// Checks that vehicles of `kind` can drive from `from` to `to` on the roads open to them.
    pub(super) fn reachable_by(
        &mut self,
        kind: VehicleKind,
        from: NodeIndex,
        to: &Site,
        span: Range<usize>,
        key: &str,
    ) {
        let net = &self.geo.network;
        let traveller = kind.traveller();
        let reached = *self
            .reach
            .entry((traveller, from, to.node))
            .or_insert_with(|| {
                let closed = net.barred_to(traveller);
                net.route(from, to.node, Metric::Fastest, &closed).is_some()
            });
        if !reached {
            let name = &self.geo.gazetteer.get(to.place).name;
            let road = match kind {
                VehicleKind::Bus => "a bus road".to_string(),
                k => format!("a road open to {}", k.plural()),
            };
            self.problem(
                span,
                key,
                format!("{name} cannot be reached by {road} from where the group is"),
            )
            .hint = Some("people can walk_to or be carried_to places off the bus roads".into());
        }
    }

    fn scenario(&mut self, raw: &RawScenario, name: &str) -> Option<Scenario> {
        let account = self.account(raw.account.get_ref());
        let (run, seed, record_every) = self.run_settings(raw.run.get_ref());
        let cv = raw.convoy.get_ref();
        let origin = self.site(&cv.origin, "convoy.origin");
        let buses = self.count(&cv.buses, "convoy.buses", 1, MAX_BUSES);
        let convoy_cite = self.cite(&cv.cite, "convoy.cite");
        let people = self.headcounts(cv);
        let groups = self.vehicle_groups(raw, origin.as_ref(), run, buses);
        let people_groups = self.people_groups(raw, &groups, run, &people);
        let events = self.events(&raw.event, run);
        let claims = self.claims(&raw.claim);
        let (start, end) = run?;
        Some(Scenario {
            name: name.to_string(),
            account: account?,
            start,
            end,
            seed: seed?,
            record_every: record_every?,
            convoy: Convoy {
                origin: origin?,
                buses: buses?,
                people,
                cite: convoy_cite?,
            },
            vehicle_groups: groups.list,
            people_groups,
            events,
            claims,
            fixed: BTreeSet::new(),
            edges: crate::zones::EdgeShifts::nominal(),
            places: crate::gazetteer::Drawn::default(),
        })
    }

    /// `[account]`.
    fn account(&mut self, a: &super::raw::RawAccount) -> Option<Account> {
        let title = self.text_value(&a.title, "account.title", MAX_TEXT_CHARS);
        let source = self.text_value(&a.source, "account.source", MAX_TEXT_CHARS);
        let as_of = self.time(&a.as_of, "account.as_of");
        let cite = self.cite(&a.cite, "account.cite");
        match (title, source, as_of, cite) {
            (Some(title), Some(source), Some(as_of), Some(cite)) => Some(Account {
                title,
                source,
                as_of,
                cite,
                summary: a.summary.clone(),
            }),
            _ => None,
        }
    }

    /// `[run]`: the period, the seed and the recording interval.
    fn run_settings(
        &mut self,
        r: &super::raw::RawRun,
    ) -> (
        Option<(Timestamp, Timestamp)>,
        Option<u64>,
        Option<SignedDuration>,
    ) {
        let start = self.time(&r.start, "run.start");
        let end = self.time(&r.end, "run.end");
        let run = match (start, end) {
            (Some(s), Some(e)) if s < e => {
                let (from, to) = self.geo.zones.coverage();
                if s < from || e > to {
                    self.problem(r.start.span().start..r.end.span().end, "run", format!(
                        "the run ({s} to {e}) must lie within the period the control zones cover ({from} to {to})"
                    ));
                }
                Some((s, e))
            }
            (Some(s), Some(e)) => {
                self.problem(
                    r.end.span(),
                    "run.end",
                    format!("must end after it starts: it ends at {e}, and starts at {s}"),
                );
                None
            }
            _ => None,
        };
        let seed = match &r.seed {
            None => Some(DEFAULT_SEED),
            Some(s) if *s.get_ref() >= 0 => Some(*s.get_ref() as u64),
            Some(s) => {
                self.problem(s.span(), "run.seed", "a seed is a whole number ≥ 0");
                None
            }
        };
        let record_every = match &r.record_every_min {
            None => Some(DEFAULT_RECORD_EVERY),
            Some(m) => self
                .bounded(
                    *m.get_ref(),
                    m.span(),
                    "run.record_every_min",
                    RECORD_EVERY_MIN,
                    "minutes",
                )
                .map(|m| SignedDuration::from_secs_f64(m * 60.0)),
        };
        (run, seed, record_every)
    }

    /// `[[convoy.people]]`: a head count per kind, each kind once.
    fn headcounts(&mut self, cv: &super::raw::RawConvoy) -> Vec<Headcount> {
        let mut people = Vec::new();
        let mut kinds_seen = BTreeMap::new();
        for (i, h) in cv.people.iter().enumerate() {
            let key = format!("convoy.people[{}]", i + 1);
            let hr = h.get_ref();
            let kind = self.kind(&hr.kind, &format!("{key}.kind"));
            let count = self.count_span(&hr.count, &format!("{key}.count"), 0, MAX_PEOPLE);
            let cite = self.cite(&hr.cite, &format!("{key}.cite"));
            if let Some(k) = kind
                && kinds_seen.insert(k, ()).is_some()
            {
                self.problem(
                    hr.kind.span(),
                    &format!("{key}.kind"),
                    format!("{} are counted twice", k.as_str()),
                );
            }
            if let (Some(kind), Some(count), Some(cite)) = (kind, count, cite) {
                people.push(Headcount {
                    kind,
                    count,
                    cite,
                    assumed: hr.assumed.clone(),
                });
            }
        }
        people
    }

    /// `[[bus_group]]`s then `[[vehicle_group]]`s, and the buses they hold against
    /// `convoy.buses`.
    fn vehicle_groups(
        &mut self,
        raw: &RawScenario,
        origin: Option<&Site>,
        run: Option<(Timestamp, Timestamp)>,
        buses: Option<u32>,
    ) -> Groups {
        let cv = raw.convoy.get_ref();
        let mut vehicle_groups = Vec::new();
        let mut group_index = BTreeMap::new();
        // Totals are checked only when every count in them is valid, so one bad count is one problem.
        let mut group_buses: Option<u64> = Some(0);
        let raw_bus_groups = self.entries(&raw.bus_group, "bus_group", "bus groups");
        let raw_vehicle_groups =
            self.entries(&raw.vehicle_group, "vehicle_group", "vehicle groups");
        let groups_read = raw_bus_groups.len() == raw.bus_group.len()
            && raw_vehicle_groups.len() == raw.vehicle_group.len();
        if raw_bus_groups.len() != raw.bus_group.len() {
            group_buses = None;
        }
        let views = raw_bus_groups
            .iter()
            .map(|g| GroupView::bus(g.get_ref()))
            .chain(
                raw_vehicle_groups
                    .iter()
                    .map(|g| GroupView::other(g.get_ref())),
            );
        for (i, view) in views.enumerate() {
            let id = view.id.get_ref();
            let key = format!("{}[{}]", view.table, self.id(view.id, view.table));
            if group_index.insert(id.clone(), i).is_some() {
                self.problem(
                    view.id.span(),
                    &format!("{key}.id"),
                    format!("vehicle group '{}' is defined twice", echo(id)),
                );
            }
            let count = self.count(
                view.count,
                &format!("{key}.{}", view.count_key),
                1,
                MAX_BUSES,
            );
            if view.kind.is_none() {
                group_buses = group_buses.zip(count).map(|(a, b)| a + u64::from(b));
            }
            if let Some(g) = self.vehicle_group(&view, &key, count, origin, run) {
                vehicle_groups.push(g);
            }
        }
        if raw.bus_group.is_empty() {
            self.problem(
                raw.convoy.span(),
                "bus_group",
                "no bus groups: the buses need a plan",
            )
            .hint = Some("add a [[bus_group]] with buses = 17 and a plan".into());
        }
        if let (Some(total), Some(planned)) = (buses, group_buses)
            && planned != total as u64
            && !raw.bus_group.is_empty()
        {
            self.problem(
                cv.buses.span(),
                "convoy.buses",
                format!("the convoy has {total} buses but the bus groups hold {planned}"),
            )
            .hint = Some("every bus must be in exactly one bus_group".into());
        }
        Groups {
            list: vehicle_groups,
            index: group_index,
            read: groups_read,
        }
    }

    /// `[[people_group]]`s, each aboard a vehicle group, and per kind against the convoy's head
    /// counts.
    fn people_groups(
        &mut self,
        raw: &RawScenario,
        groups: &Groups,
        run: Option<(Timestamp, Timestamp)>,
        people: &[Headcount],
    ) -> Vec<PeopleGroup> {
        let cv = raw.convoy.get_ref();
        let mut people_groups = Vec::new();
        let raw_people_groups = self.entries(&raw.people_group, "people_group", "people groups");
        let mut people_counts_valid = raw_people_groups.len() == raw.people_group.len();
        let mut people_ids = BTreeSet::new();
        // Per kind, the groups' lows and highs added up.
        let mut by_kind: BTreeMap<PeopleKind, (u64, u64)> = BTreeMap::new();
        for g in raw_people_groups {
            let gr = g.get_ref();
            let id = gr.id.get_ref().clone();
            let key = format!("people_group[{}]", self.id(&gr.id, "people_group"));
            if !people_ids.insert(id.clone()) {
                self.problem(
                    gr.id.span(),
                    &format!("{key}.id"),
                    format!("people group '{}' is defined twice", echo(&id)),
                );
            }
            let kind = self.kind(&gr.kind, &format!("{key}.kind"));
            let count = self.count_span(&gr.count, &format!("{key}.count"), 1, MAX_PEOPLE);
            match (kind, count) {
                (Some(k), Some(n)) => {
                    let sum = by_kind.entry(k).or_default();
                    *sum = (sum.0 + u64::from(n.low), sum.1 + u64::from(n.high));
                }
                _ => people_counts_valid = false,
            }
            let aboard = match groups.index.get(gr.aboard.get_ref()) {
                Some(&i) => Some(i),
                // Groups over the limit, or with a problem of their own, were not read: that is
                // the one problem to report.
                None if !groups.read => None,
                None => {
                    let known: Vec<&str> = groups.index.keys().map(String::as_str).collect();
                    self.problem(
                        gr.aboard.span(),
                        &format!("{key}.aboard"),
                        format!("no bus or vehicle group '{}'", echo(gr.aboard.get_ref())),
                    )
                    .hint = Some(format!("vehicle groups: {}", echo(&known.join(", "))));
                    None
                }
            };
            let cite = self.cite(&gr.cite, &format!("{key}.cite"));
            let plan = self.plan(&gr.plan, &key, Mover::People, None, run);
            if let (Some(kind), Some(count), Some(aboard), Some(cite), Some(plan)) =
                (kind, count, aboard, cite, plan)
            {
                people_groups.push(PeopleGroup {
                    id,
                    kind,
                    count,
                    people: count.nominal(),
                    aboard,
                    plan,
                    cite,
                    assumed: gr.assumed.clone(),
                });
            }
        }
        let convoy_counts_valid = people.len() == cv.people.len();
        if !(people_counts_valid && convoy_counts_valid) {
            by_kind.clear();
        }
        for (h, counted) in cv
            .people
            .iter()
            .zip(people)
            .filter(|_| people_counts_valid && convoy_counts_valid)
        {
            let (kind, n) = (counted.kind, counted.count);
            let (low, high) = by_kind.remove(&kind).unwrap_or((0, 0));
            if (low, high) != (u64::from(n.low), u64::from(n.high)) {
                let grouped = if low == high {
                    low.to_string()
                } else {
                    format!("{low}–{high}")
                };
                self.problem(
                    h.get_ref().count.span(),
                    "convoy.people.count",
                    format!(
                        "the convoy carries {n} {} but the people groups hold {grouped}",
                        kind.as_str()
                    ),
                )
                .hint = Some("every person must be in exactly one people_group".into());
            }
        }
        for (kind, (low, high)) in by_kind {
            let n = if low == high {
                low.to_string()
            } else {
                format!("{low}–{high}")
            };
            let span = raw.convoy.span();
            self.problem(
                span,
                "convoy.people",
                format!(
                    "people groups hold {n} {} but the convoy lists none",
                    kind.as_str()
                ),
            );
        }
        people_groups
    }

    /// `[[event]]`s, in time order (same-time events in file order).
    fn events(
        &mut self,
        raw_events: &[Spanned<super::raw::RawEvent>],
        run: Option<(Timestamp, Timestamp)>,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        for (i, e) in self
            .entries(raw_events, "event", "events")
            .iter()
            .enumerate()
        {
            let er = e.get_ref();
            let key = format!("event[{}]", i + 1);
            let window = self.time_span(&er.at, &format!("{key}.at"));
            if let (Some(w), Some(run)) = (window, run) {
                self.within_run(w.low, er.at.span(), &format!("{key}.at"), run);
                self.within_run(w.high, er.at.span(), &format!("{key}.at"), run);
            }
            let at = window.map(|w| w.low);
            let cite = self.cite(&er.cite, &format!("{key}.cite"));
            let kinds = [
                er.close_road_at.as_ref().map(|v| ("close_road_at", v)),
                er.close_road.as_ref().map(|v| ("close_road", v)),
                er.strike_near.as_ref().map(|v| ("strike_near", v)),
                er.bar_zone.as_ref().map(|v| ("bar_zone", v)),
            ];
            let given: Vec<_> = kinds.into_iter().flatten().collect();
            let kind = match given.as_slice() {
                [("close_road_at", v)] => self
                    .site(v, &format!("{key}.close_road_at"))
                    .map(|site| EventKind::CloseRoadAt { site, point: None }),
                [("strike_near", v)] => self
                    .site(v, &format!("{key}.strike_near"))
                    .map(|site| EventKind::StrikeNear { site }),
                [("bar_zone", v)] => at.and_then(|t| self.bar(v, t, &format!("{key}.bar_zone"))),
                [(_, v)] => self.stretch(v, &format!("{key}.close_road")),
                _ => {
                    self.problem(e.span(), &key, format!(
                        "an event does one thing: give exactly one of close_road_at, close_road, strike_near, bar_zone (found {})",
                        given.len()
                    ));
                    None
                }
            };
            if let (Some(window), Some(kind), Some(cite)) = (window, kind, cite) {
                events.push(Event {
                    at: window.low,
                    window,
                    kind,
                    cite,
                    note: er.note.clone(),
                    assumed: er.assumed.clone(),
                });
            }
        }
        events.sort_by_key(|e| e.at);
        events
    }

    /// `[[claim]]`s, each id once.
    fn claims(&mut self, raw_claims: &[Spanned<super::raw::RawClaim>]) -> Vec<Claim> {
        let mut claims = Vec::new();
        let mut claim_ids = BTreeSet::new();
        for c in self.entries(raw_claims, "claim", "claims") {
            let key = format!("claim[{}]", self.id(&c.get_ref().id, "claim"));
            if !claim_ids.insert(c.get_ref().id.get_ref().clone()) {
                self.problem(
                    c.get_ref().id.span(),
                    &format!("{key}.id"),
                    format!(
                        "claim '{}' is defined twice",
                        echo(c.get_ref().id.get_ref())
                    ),
                );
            }
            if let Some(claim) = self.claim(c, &key) {
                claims.push(claim);
            }
        }
        claims
    }

    /// One `[[bus_group]]` or `[[vehicle_group]]`, whose vehicle count is `count` when valid.
    fn vehicle_group(
        &mut self,
        g: &GroupView,
        key: &str,
        count: Option<u32>,
        origin: Option<&Site>,
        run: Option<(Timestamp, Timestamp)>,
    ) -> Option<VehicleGroup> {
        let kind = match g.kind {
            None => Some(VehicleKind::Bus),
            Some(k) => self.vehicle_kind(k, &format!("{key}.kind")),
        };
        let speed = self.speed(g.speed_kmh, &format!("{key}.speed_kmh"), MAX_BUS_KMH);
        let depart = self.time_span(g.depart, &format!("{key}.depart"));
        if let (Some(d), Some(run)) = (depart, run) {
            self.within_run(d.low, g.depart.span(), &format!("{key}.depart"), run);
            self.within_run(d.high, g.depart.span(), &format!("{key}.depart"), run);
        }
        let cite = self.cite(g.cite, &format!("{key}.cite"));
        let start = origin.zip(kind).map(|(o, kind)| Cursor {
            node: o.node,
            time_floor: depart.map_or(Timestamp::MIN, |d| d.low),
            kind,
        });
        let plan = self.plan(g.plan, key, Mover::Vehicles, start, run);
        Some(VehicleGroup {
            id: g.id.get_ref().clone(),
            kind: kind?,
            vehicles: count?,
            speed: speed?,
            depart: depart?,
            plan: plan?,
            cite: cite?,
            assumed: g.assumed.clone(),
        })
    }

    fn vehicle_kind(&mut self, v: &Spanned<String>, key: &str) -> Option<VehicleKind> {
        let others: Vec<&str> = VehicleKind::ALL[1..].iter().map(|k| k.as_str()).collect();
        match VehicleKind::parse(v.get_ref()) {
            Some(VehicleKind::Bus) => {
                self.problem(v.span(), key, "buses go in a [[bus_group]]")
                    .hint = Some(format!(
                    "convoy.buses counts the bus groups; a vehicle_group is one of {}",
                    others.join(", ")
                ));
                None
            }
            Some(k) => Some(k),
            None => {
                self.problem(
                    v.span(),
                    key,
                    format!("'{}' is not a kind of vehicle", echo(v.get_ref())),
                )
                .hint = Some(format!("one of {}", others.join(", ")));
                None
            }
        }
    }

    /// The entries of a repeated table, or none if there are more than [`MAX_ENTRIES`].
    fn entries<'r, T>(
        &mut self,
        list: &'r [Spanned<T>],
        key: &str,
        what: &str,
    ) -> &'r [Spanned<T>] {
        if self.at_most(list, list_span(list), key, MAX_ENTRIES, what) {
            list
        } else {
            &[]
        }
    }

    fn claim(&mut self, c: &Spanned<super::raw::RawClaim>, key: &str) -> Option<Claim> {
        let r = c.get_ref();
        let says = self.text_value(&r.says, &format!("{key}.says"), MAX_TEXT_CHARS);
        let by = self.time(&r.by, &format!("{key}.by"));
        if let Some(t) = by {
            let (from, to) = self.geo.zones.coverage();
            if t < from || t >= to {
                self.problem(
                    r.by.span(),
                    &format!("{key}.by"),
                    format!("{t} is outside the period the control zones cover ({from} to {to})"),
                );
            }
        }
        let subjects = [
            ("buses", Subject::Buses, &r.buses),
            ("people", Subject::People(None), &r.people),
            (
                "fighters",
                Subject::People(Some(PeopleKind::Fighters)),
                &r.fighters,
            ),
            (
                "families",
                Subject::People(Some(PeopleKind::Families)),
                &r.families,
            ),
            (
                "wounded",
                Subject::People(Some(PeopleKind::Wounded)),
                &r.wounded,
            ),
        ];
        let given: Vec<_> = subjects
            .iter()
            .filter_map(|(name, subject, v)| v.as_ref().map(|v| (*name, *subject, v)))
            .collect();
        let subject_count = match given.as_slice() {
            [(name, subject, v)] => self
                .claim_count(v, &format!("{key}.{name}"), name)
                .map(|n| (*subject, n)),
            _ => {
                self.problem(c.span(), key, format!(
                    "a claim counts one thing: give exactly one of buses, people, fighters, families, wounded (found {})",
                    given.len()
                ))
                .hint = Some("write e.g. buses = 6 (at least six) or people = [600, 800]".into());
                None
            }
        };
        let region = match (&r.in_zone, &r.near) {
            (Some(z), None) => match self.geo.zones.holders().get(z.get_ref()) {
                Some(h) => Some(Region::Zone(h)),
                None => {
                    let hint = self.geo.zones.holders().hint(z.get_ref());
                    self.problem(
                        z.span(),
                        &format!("{key}.in_zone"),
                        format!("'{}' is not a holder of ground", echo(z.get_ref())),
                    )
                    .hint = Some(format!("{hint}; or none, ground no zone covers"));
                    None
                }
            },
            (None, Some(near)) => {
                let sites = self.sites(near, &format!("{key}.near"));
                let within = match &r.within_km {
                    None => Some(DEFAULT_NEAR),
                    Some(w) => self
                        .bounded(
                            *w.get_ref(),
                            w.span(),
                            &format!("{key}.within_km"),
                            WITHIN_KM,
                            "km",
                        )
                        .map(Metres::from_km),
                };
                sites
                    .zip(within)
                    .map(|(sites, within)| Region::Near { sites, within })
            }
            _ => {
                self.problem(
                    c.span(),
                    key,
                    "a claim says where: give exactly one of in_zone, near",
                )
                .hint = Some(match self.geo.zones.holders().defined().next() {
                    Some(h) => format!("e.g. in_zone = \"{}\" or near = \"Rawa\"", h.holder),
                    None => "e.g. near = \"Rawa\"".into(),
                });
                None
            }
        };
        if r.within_km.is_some() && r.near.is_none() {
            self.problem(
                r.within_km.as_ref().map_or(c.span(), |w| w.span()),
                &format!("{key}.within_km"),
                "within_km is the radius of near, and this claim has no near",
            );
        }
        let cite = self.cite(&r.cite, &format!("{key}.cite"));
        let relevance = self.level(r.relevance.as_ref(), &format!("{key}.relevance"));
        let credibility = self.level(r.credibility.as_ref(), &format!("{key}.credibility"));
        let (subject, count) = subject_count?;
        Some(Claim {
            id: r.id.get_ref().clone(),
            says: says?,
            by: by?,
            subject,
            count,
            region: region?,
            cite: cite?,
            assumed: r.assumed.clone(),
            relevance: relevance?.unwrap_or(Level::Medium),
            credibility: credibility?,
        })
    }

    /// A claim's relevance or credibility: high, medium or low. `Some(None)` when not given.
    fn level(&mut self, v: Option<&Spanned<String>>, key: &str) -> Option<Option<Level>> {
        let Some(v) = v else {
            return Some(None);
        };
        match Level::parse(v.get_ref()) {
            Some(l) => Some(Some(l)),
            None => {
                self.problem(
                    v.span(),
                    key,
                    format!("'{}' is not a rating", echo(v.get_ref())),
                )
                .hint = Some("one of high, medium, low (see scenarios/README.md)".into());
                None
            }
        }
    }

    /// A claim's count: a whole number (at least that many) or a `[low, high]` range.
    fn claim_count(&mut self, v: &Spanned<RawRange>, key: &str, unit: &str) -> Option<CountRange> {
        let s = self.span(v, key, 0.0, f64::from(MAX_PEOPLE), unit)?;
        if s.low.fract() != 0.0 || s.high.fract() != 0.0 {
            self.problem(v.span(), key, "a count is a whole number");
            return None;
        }
        Some(match v.get_ref() {
            RawRange::One(_) => CountRange {
                low: s.low as u32,
                high: None,
            },
            RawRange::Range(_) => CountRange {
                low: s.low as u32,
                high: Some(s.high as u32),
            },
        })
    }

    fn kind(&mut self, v: &Spanned<String>, key: &str) -> Option<PeopleKind> {
        match parse_kind(v.get_ref()) {
            Ok(k) => Some(k),
            Err(()) => {
                self.problem(
                    v.span(),
                    key,
                    format!("'{}' is not a kind of people", echo(v.get_ref())),
                )
                .hint = Some("fighters, families or wounded".into());
                None
            }
        }
    }

    /// A bar on the ground `v` names at `t`: the holder, and the road nodes in its ground then.
    fn bar(&mut self, v: &Spanned<String>, t: Timestamp, key: &str) -> Option<EventKind> {
        let holders = self.geo.zones.holders();
        let holder = match holders.get(v.get_ref()) {
            Some(crate::zones::Holder::NONE) | None => {
                let hint = holders.hint(v.get_ref());
                self.problem(
                    v.span(),
                    key,
                    format!("'{}' is not a holder of ground", echo(v.get_ref())),
                )
                .hint = Some(hint);
                return None;
            }
            Some(h) => h,
        };
        let net = &self.geo.network;
        let zones = &self.geo.zones;
        let nodes = net
            .graph()
            .node_indices()
            .filter(|&n| {
                zones
                    .holder_at(net.node(n), t)
                    .is_ok_and(|c| c.holder == holder)
            })
            .collect();
        Some(EventKind::BarZone { holder, nodes })
    }

    fn stretch(&mut self, v: &Spanned<String>, key: &str) -> Option<EventKind> {
        match self.geo.stretch(v.get_ref()) {
            Ok((from, to, segments)) => Some(EventKind::CloseRoad {
                from: Site {
                    written: from.found.matched_name.to_string(),
                    place: from.found.id,
                    node: from.node,
                    point: None,
                },
                to: Site {
                    written: to.found.matched_name.to_string(),
                    place: to.found.id,
                    node: to.node,
                    point: None,
                },
                segments,
            }),
            Err(e) => {
                self.problem(v.span(), key, e.to_string());
                None
            }
        }
    }
}

/// serde's wording, in the scenario format's terms, with what it quotes of the file cut short.
fn plain_serde_message(message: &str) -> String {
    let plain = message
        .trim()
        .replace(
            "data did not match any variant of untagged enum RawRange",
            "expected a number or a [low, high] range",
        )
        .replace(
            "data did not match any variant of untagged enum RawTimeRange",
            "expected a date-time or an [earliest, latest] range",
        )
        .replace("expected i64", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false");
    cut(&cut_quoted(&plain), MAX_PARSER_MESSAGE_CHARS).into_owned()
}

/// `message` with each `quoted` or "quoted" part cut to [`ECHO_CHARS`](crate::units::ECHO_CHARS).
fn cut_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..=open];
        out.push_str(&rest[..=open]);
        let inside = &rest[open + 1..];
        let close = inside.find(quote).unwrap_or(inside.len());
        out.push_str(&echo(&inside[..close]));
        out.push_str(&inside[close..(close + 1).min(inside.len())]);
        rest = &inside[(close + 1).min(inside.len())..];
    }
    out.push_str(rest);
    out
}

/// From the start of a list's first entry to the end of its last.
pub(super) fn list_span<T>(list: &[Spanned<T>]) -> Range<usize> {
    match (list.first(), list.last()) {
        (Some(a), Some(b)) => a.span().start..b.span().end,
        _ => 0..0,
    }
}

/// A number as a message shows it: `0.5`, `150`, `1e-15`, `1e308` — never 300 digits.
fn shown(x: f64) -> String {
    if x == 0.0 || (1e-4..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

fn parse_kind(s: &str) -> Result<PeopleKind, ()> {
    match s.trim().to_lowercase().as_str() {
        "fighters" => Ok(PeopleKind::Fighters),
        "families" => Ok(PeopleKind::Families),
        "wounded" => Ok(PeopleKind::Wounded),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_messages_are_short() {
        assert_eq!(shown(0.5), "0.5");
        assert_eq!(shown(150.0), "150");
        assert_eq!(shown(0.0), "0");
        assert_eq!(shown(1e-15), "1e-15");
        assert_eq!(shown(1e308), "1e308");
        assert_eq!(shown(-4e20), "-4e20");
    }

    #[test]
    fn parser_quotes_are_cut_and_the_rest_kept() {
        let key = "k".repeat(10_000);
        let m = plain_serde_message(&format!(
            "unknown field `{key}`, expected one of `title`, `source`"
        ));
        assert!(
            m.len() < 200 && m.ends_with("…`, expected one of `title`, `source`"),
            "{m}"
        );
        assert!(cut_quoted(&format!("a \"{key}")).chars().count() < 100);
        let many = "`a`".repeat(100_000);
        assert!(plain_serde_message(&many).chars().count() <= MAX_PARSER_MESSAGE_CHARS + 1);
    }
}
