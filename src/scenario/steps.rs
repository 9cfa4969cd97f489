//! The plan-step vocabulary, defined once: every action a plan step can take is one value in
//! [`ACTIONS`], with its key, who may take it, its options, its one-line doc and how it is read.
//!
//! Validation dispatches through the table and the JSON schema takes each action's description
//! from it, so the vocabulary cannot drift between them; the tests below hold
//! `scenarios/README.md` to it too. Adding a step is a row and a parse function here, a field in
//! [`RawStep`](super::raw::RawStep), a variant of [`Step`] and the engine code that runs it, and a
//! row in the README.

use std::ops::Range;

use jiff::Timestamp;
use toml::Spanned;
use toml::value::Datetime;

use super::limits::{MAX_CARRY_KMH, MAX_STEPS, MAX_STOP_AFTER_KM, MAX_WAIT_H, MAX_WALK_KMH};
use super::raw::RawStep;
use super::validate::{Checker, Cursor, list_span};
use super::{DEFAULT_CARRY_KMH, DEFAULT_WALK_KMH, Span, Step};

/// Who follows a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mover {
    /// A bus group or another vehicle group.
    Vehicles,
    /// A people group.
    People,
}

/// One action a plan step can take.
pub struct Action {
    /// The step's key in TOML, e.g. `drive_to`.
    pub key: &'static str,
    /// Who may take it.
    pub movers: &'static [Mover],
    /// The option keys that may go with it.
    pub options: &'static [&'static str],
    /// What it does, in one line: its description in the JSON schema.
    pub doc: &'static str,
    /// Where the step gives this action, if it does.
    given: fn(&RawStep) -> Option<Range<usize>>,
    /// Reads and checks the action's value and options.
    parse: fn(&mut Checker<'_>, &mut StepAt<'_>) -> Option<Step>,
}

/// Every plan action, in the order messages list them.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "drive_to",
        movers: &[Mover::Vehicles],
        options: &["until", "stop_after_km", "detour"],
        doc: "Action: drive the fastest road open to the group's vehicles to this place (or to one of a list, drawn per vehicle).",
        given: |s| s.drive_to.as_ref().map(Spanned::span),
        parse: drive_to,
    },
    Action {
        key: "ride_until",
        movers: &[Mover::People],
        options: &[],
        doc: "Action (first step only): stay aboard until this date-time, then leave the bus where it is.",
        given: |s| s.ride_until.as_ref().map(Spanned::span),
        parse: ride_until,
    },
    Action {
        key: "walk_to",
        movers: &[Mover::People],
        options: &["speed_kmh"],
        doc: "Action: walk off-road, straight to this place (or to one of a list, drawn per agent).",
        given: |s| s.walk_to.as_ref().map(Spanned::span),
        parse: walk_to,
    },
    Action {
        key: "carried_to",
        movers: &[Mover::People],
        options: &["speed_kmh", "detour", "by"],
        doc: "Action: be met and carried by other vehicles over any road or track to this place (or to one of a list, drawn per agent).",
        given: |s| s.carried_to.as_ref().map(Spanned::span),
        parse: carried_to,
    },
    Action {
        key: "wait_until",
        movers: &[Mover::Vehicles, Mover::People],
        options: &[],
        doc: "Action: hold position until this date-time.",
        given: |s| s.wait_until.as_ref().map(Spanned::span),
        parse: wait_until,
    },
    Action {
        key: "wait_h",
        movers: &[Mover::Vehicles, Mover::People],
        options: &[],
        doc: "Action: hold position for this many hours, 0–720 (a number or a [low, high] range).",
        given: |s| s.wait_h.as_ref().map(Spanned::span),
        parse: wait_h,
    },
    Action {
        key: "unaccounted",
        movers: &[Mover::Vehicles, Mover::People],
        options: &[],
        doc: "Action: the account loses track of them here (write `true`; last step).",
        given: |s| s.unaccounted.as_ref().map(Spanned::span),
        parse: unaccounted,
    },
];

/// Gives each action's property in the JSON schema its [`Action::doc`].
pub(super) fn describe_actions(schema: &mut schemars::Schema) {
    let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for a in ACTIONS {
        if let Some(p) = props.get_mut(a.key).and_then(|p| p.as_object_mut()) {
            p.insert("description".into(), a.doc.into());
        }
    }
}

/// Every option key, with where a step gives it (`by`, not spanned, points at the step).
const OPTIONS: &[(&str, OptionAt)] = &[
    ("until", |s| s.get_ref().until.as_ref().map(Spanned::span)),
    ("stop_after_km", |s| {
        s.get_ref().stop_after_km.as_ref().map(Spanned::span)
    }),
    ("speed_kmh", |s| {
        s.get_ref().speed_kmh.as_ref().map(Spanned::span)
    }),
    ("detour", |s| s.get_ref().detour.as_ref().map(Spanned::span)),
    ("by", |s| s.get_ref().by.as_ref().map(|_| s.span())),
];

type OptionAt = fn(&Spanned<RawStep>) -> Option<Range<usize>>;

/// The action keys `mover` may take, in table order.
pub fn keys_for(mover: Mover) -> Vec<&'static str> {
    ACTIONS
        .iter()
        .filter(|a| a.movers.contains(&mover))
        .map(|a| a.key)
        .collect()
}

/// Who follows the plan of the table that starts before `offset` in `text`, if it has a plan,
/// and what to call the group in a message.
fn mover_at(text: &str, offset: usize) -> Option<(Mover, &'static str)> {
    let table = super::problem::table_before(text, offset)?;
    [
        ("bus_group", Mover::Vehicles, "a bus group"),
        ("vehicle_group", Mover::Vehicles, "a vehicle group"),
        ("people_group", Mover::People, "a people group"),
    ]
    .into_iter()
    .find(|(t, ..)| table.starts_with(t))
    .map(|(_, m, noun)| (m, noun))
}

/// A hint for the parser's "unknown field" in a plan step at `offset`: the nearest key the
/// group's mover may give, and the actions it may take. `None` for other messages.
pub(super) fn unknown_key_hint(text: &str, offset: usize, message: &str) -> Option<String> {
    let written = message.strip_prefix("unknown field `")?.split('`').next()?;
    // The parser lists a step's keys in field order, actions first.
    if !message.contains("expected one of `drive_to`") {
        return None;
    }
    let (mover, noun) = mover_at(text, offset)?;
    let actions = keys_for(mover);
    let options = ACTIONS
        .iter()
        .filter(|a| a.movers.contains(&mover))
        .flat_map(|a| a.options);
    let nearest = actions
        .iter()
        .chain(options)
        .map(|k| (strsim::jaro_winkler(written, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let steps = format!("{noun} takes the steps {}", actions.join(", "));
    Some(match nearest {
        Some((_, k)) => format!("did you mean {k}? {steps}"),
        None => steps,
    })
}

/// A step being read: the step, its key, its place in the plan and where the plan stands.
pub(super) struct StepAt<'s> {
    step: &'s Spanned<RawStep>,
    key: &'s str,
    action: &'static Action,
    index: usize,
    /// Where the group is after the steps before, when it is known (buses only).
    at: &'s mut Option<Cursor>,
    run: Option<(Timestamp, Timestamp)>,
}

impl<'s> StepAt<'s> {
    fn raw(&self) -> &'s RawStep {
        self.step.get_ref()
    }

    fn key(&self, field: &str) -> String {
        format!("{}.{field}", self.key)
    }

    /// The key of the action's value, e.g. `bus_group[convoy].plan[1].drive_to`.
    fn action_key(&self) -> String {
        self.key(self.action.key)
    }
}

impl Checker<'_> {
    /// The steps of a plan: each with exactly one action its mover may take and only the
    /// options that go with it, none after `unaccounted`. `at` is where the group starts, when
    /// its places are checked for reach.
    pub(super) fn plan(
        &mut self,
        plan: &[Spanned<RawStep>],
        group_key: &str,
        mover: Mover,
        mut at: Option<Cursor>,
        run: Option<(Timestamp, Timestamp)>,
    ) -> Option<Vec<Step>> {
        let plan_key = format!("{group_key}.plan");
        if !self.at_most(plan, list_span(plan), &plan_key, MAX_STEPS, "steps") {
            return None;
        }
        let mut steps = Vec::new();
        let mut ok = true;
        for (index, step) in plan.iter().enumerate() {
            let key = format!("{plan_key}[{}]", index + 1);
            if steps.last() == Some(&Step::Unaccounted) {
                self.problem(
                    step.span(),
                    &key,
                    "a step after 'unaccounted' can never happen",
                );
                ok = false;
                continue;
            }
            let Some(action) = self.one_action(step, &key, mover) else {
                ok = false;
                continue;
            };
            if let Some(c) = &step.get_ref().cite {
                ok &= self.cite(c, &format!("{key}.cite")).is_some();
            }
            let mut cx = StepAt {
                step,
                key: &key,
                action,
                index,
                at: &mut at,
                run,
            };
            match (action.parse)(self, &mut cx) {
                Some(p) => steps.push(p),
                None => ok = false,
            }
        }
        ok.then_some(steps)
    }

    /// The one action a step gives, if `mover` may take it, after checking its options.
    fn one_action(
        &mut self,
        step: &Spanned<RawStep>,
        key: &str,
        mover: Mover,
    ) -> Option<&'static Action> {
        let given: Vec<(&'static Action, Range<usize>)> = ACTIONS
            .iter()
            .filter_map(|a| (a.given)(step.get_ref()).map(|s| (a, s)))
            .collect();
        let action = match given.as_slice() {
            [(a, _)] if a.movers.contains(&mover) => *a,
            [(a, span)] => {
                self.not_for(mover, a, span.clone(), key);
                return None;
            }
            [] => {
                self.problem(step.span(), key, "the step has no action")
                    .hint = Some(format!("give one of {}", keys_for(mover).join(", ")));
                return None;
            }
            many => {
                let names: Vec<&str> = many.iter().map(|(a, _)| a.key).collect();
                self.problem(
                    step.span(),
                    key,
                    format!(
                        "a step does one thing, this one gives {}",
                        names.join(" and ")
                    ),
                )
                .hint = Some("split it into consecutive steps".into());
                return None;
            }
        };
        for (o, at) in OPTIONS {
            if let Some(span) = at(step).filter(|_| !action.options.contains(o)) {
                self.problem(
                    span,
                    &format!("{key}.{o}"),
                    format!("'{o}' does not go with {}", action.key),
                );
            }
        }
        Some(action)
    }

    fn not_for(&mut self, mover: Mover, a: &Action, span: Range<usize>, key: &str) {
        self.problem(
            span,
            &format!("{key}.{}", a.key),
            format!("'{}' is not a step this group can take", a.key),
        )
        .hint = Some(format!("use one of {}", keys_for(mover).join(", ")));
    }

    /// A time in a plan: within the run, and not before an earlier time in the same plan.
    fn plan_time(
        &mut self,
        v: &Spanned<Datetime>,
        key: &str,
        cx: &mut StepAt,
    ) -> Option<Timestamp> {
        let t = self.time(v, key)?;
        if let Some(run) = cx.run {
            self.within_run(t, v.span(), key, run);
        }
        if let Some(c) = cx.at {
            if t < c.time_floor {
                self.problem(
                    v.span(),
                    key,
                    format!(
                        "{t} is before an earlier time in the same plan ({})",
                        c.time_floor
                    ),
                )
                .hint = Some("times in a plan only move forward".into());
                return None;
            }
            c.time_floor = t;
        }
        Some(t)
    }

    /// A step's `speed_kmh`, or `default` when it gives none.
    fn step_speed(&mut self, cx: &StepAt, default: Span<f64>, max: f64) -> Option<Span<f64>> {
        match &cx.raw().speed_kmh {
            Some(sp) => self.speed(sp, &cx.key("speed_kmh"), max),
            None => Some(default),
        }
    }
}

/// A step's `detour`: true unless it says false.
fn detour(s: &RawStep) -> bool {
    s.detour.as_ref().is_none_or(|d| *d.get_ref())
}

fn drive_to(c: &mut Checker<'_>, cx: &mut StepAt<'_>) -> Option<Step> {
    let s = cx.raw();
    let v = s.drive_to.as_ref()?;
    let key = cx.action_key();
    let to = c.sites(v, &key);
    if let (Some(to), Some(cur)) = (&to, *cx.at) {
        for site in to {
            c.reachable_by(cur.kind, cur.node, site, v.span(), &key);
        }
    }
    let until = s.until.as_ref().and_then(|u| c.time(u, &cx.key("until")));
    if let (Some(t), Some(u), Some(run)) = (until, &s.until, cx.run) {
        c.within_run(t, u.span(), &cx.key("until"), run);
    }
    let stop = s.stop_after_km.as_ref().map(|v| {
        let key = cx.key("stop_after_km");
        c.span(v, &key, 0.0, MAX_STOP_AFTER_KM, "km")
    });
    // After a drawn destination the next step's start is not known: check from the first.
    *cx.at = cx
        .at
        .zip(to.as_ref().and_then(|t| t.first()))
        .map(|(c, t)| Cursor { node: t.node, ..c });
    let stop_after_km = match stop {
        None => None,
        Some(s) => Some(s?),
    };
    Some(Step::DriveTo {
        to: to?,
        until,
        stop_after_km,
        detour: detour(s),
    })
}

fn ride_until(c: &mut Checker<'_>, cx: &mut StepAt<'_>) -> Option<Step> {
    let key = cx.action_key();
    if cx.index > 0 {
        c.problem(
            cx.step.span(),
            &key,
            "people ride only before their other steps",
        )
        .hint = Some("make ride_until the first step".into());
        return None;
    }
    let v = cx.raw().ride_until.as_ref()?;
    c.plan_time(v, &key, cx).map(Step::RideUntil)
}

fn walk_to(c: &mut Checker<'_>, cx: &mut StepAt<'_>) -> Option<Step> {
    let to = c.sites(cx.raw().walk_to.as_ref()?, &cx.action_key());
    let speed = c.step_speed(cx, DEFAULT_WALK_KMH, MAX_WALK_KMH);
    Some(Step::WalkTo {
        to: to?,
        speed: speed?,
    })
}

fn carried_to(c: &mut Checker<'_>, cx: &mut StepAt<'_>) -> Option<Step> {
    let s = cx.raw();
    let to = c.sites(s.carried_to.as_ref()?, &cx.action_key());
    let speed = c.step_speed(cx, DEFAULT_CARRY_KMH, MAX_CARRY_KMH);
    Some(Step::CarriedTo {
        to: to?,
        speed: speed?,
        by: s.by.clone(),
        detour: detour(s),
    })
}

fn wait_until(c: &mut Checker<'_>, cx: &mut StepAt<'_>) -> Option<Step> {
    let v = cx.raw().wait_until.as_ref()?;
    c.plan_time(v, &cx.action_key(), cx).map(Step::WaitUntil)
}

fn wait_h(c: &mut Checker<'_>, cx: &mut StepAt<'_>) -> Option<Step> {
    let v = cx.raw().wait_h.as_ref()?;
    c.span(v, &cx.action_key(), 0.0, MAX_WAIT_H, "h")
        .map(Step::WaitHours)
}

fn unaccounted(c: &mut Checker<'_>, cx: &mut StepAt<'_>) -> Option<Step> {
    let v = cx.raw().unaccounted.as_ref()?;
    if !*v.get_ref() {
        c.problem(
            v.span(),
            &cx.action_key(),
            "write `unaccounted = true`, or leave the step out",
        );
        return None;
    }
    Some(Step::Unaccounted)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The keys in the first cells of the README's action tables, one set per table.
    fn readme_tables() -> Vec<BTreeSet<String>> {
        let readme = include_str!("../../scenarios/README.md");
        let mut tables = Vec::new();
        let mut rows: Option<BTreeSet<String>> = None;
        for line in readme.lines() {
            if line.starts_with("| action |") {
                rows = Some(BTreeSet::new());
            } else if let Some(keys) = rows.as_mut().filter(|_| line.starts_with("| `")) {
                let cell = line.split('|').nth(1).unwrap_or_default();
                for token in cell.split('`').skip(1).step_by(2) {
                    keys.insert(token.split(" =").next().unwrap_or_default().to_string());
                }
            } else if !line.starts_with("|---") {
                tables.extend(rows.take());
            }
        }
        tables.extend(rows);
        tables
    }

    #[test]
    fn the_readme_documents_every_action_for_its_movers_and_no_other() {
        let tables = readme_tables();
        let want: Vec<BTreeSet<String>> = [Mover::Vehicles, Mover::People]
            .into_iter()
            .map(|m| keys_for(m).into_iter().map(String::from).collect())
            .collect();
        assert_eq!(
            tables, want,
            "scenarios/README.md: bus steps, then people steps"
        );
    }

    #[test]
    fn the_readme_lists_every_option_with_its_action() {
        let readme = include_str!("../../scenarios/README.md");
        for a in ACTIONS.iter().filter(|a| !a.options.is_empty()) {
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{} =", a.key)))
                .unwrap_or_else(|| panic!("no README row for {}", a.key));
            let options = row.split('|').nth(2).unwrap_or_default();
            for o in a.options {
                assert!(options.contains(&format!("`{o}`")), "{}: {o}", a.key);
            }
        }
    }

    #[test]
    fn the_schema_describes_every_action_and_option_and_no_other() {
        let schema: serde_json::Value =
            serde_json::from_str(&super::super::json_schema()).expect("JSON");
        let props = schema["$defs"]["RawStep"]["properties"]
            .as_object()
            .expect("RawStep has properties");
        let mut want: BTreeSet<&str> = ACTIONS.iter().map(|a| a.key).collect();
        want.extend(OPTIONS.iter().map(|(o, _)| *o));
        want.extend(["cite", "assumed"]);
        let got: BTreeSet<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(got, want);
        for a in ACTIONS {
            let description = props[a.key]["description"].as_str().unwrap_or_default();
            assert!(description == a.doc, "{}: {description}", a.key);
        }
    }

    #[test]
    fn every_action_takes_only_known_options_and_some_mover() {
        for a in ACTIONS {
            assert!(!a.movers.is_empty(), "{}", a.key);
            for o in a.options {
                assert!(OPTIONS.iter().any(|(k, _)| k == o), "{}: {o}", a.key);
            }
        }
    }

    const ACCOUNT: &str = include_str!("../../tests/scenarios/impossible_claim.toml");

    /// The problems of the test account with its bus plan's second step replaced by `bus_step`
    /// and a plan of `people_plan` for its people, as `key: message (hint)`.
    fn problems(bus_step: &str, people_plan: &str) -> Vec<String> {
        let text = ACCOUNT
            .replace("{ wait_until = 2017-08-30T08:00:00Z }", bus_step)
            .replace(
                "aboard = \"convoy\"\n",
                &format!("aboard = \"convoy\"\nplan = [{people_plan}]\n"),
            );
        let geo = crate::Geography::embedded().expect("embedded data");
        match super::super::Scenario::from_toml(&text, "t", "t", &geo) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .problems
                .iter()
                .map(|p| {
                    format!(
                        "{}: {} ({})",
                        p.key,
                        p.message,
                        p.hint.as_deref().unwrap_or("")
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn an_action_of_the_other_mover_is_one_problem_listing_this_movers_actions() {
        assert_eq!(
            problems("{ walk_to = \"Rawa\" }", "{ drive_to = \"Rawa\" }"),
            [
                "bus_group[convoy].plan[2].walk_to: 'walk_to' is not a step this group can take \
                 (use one of drive_to, wait_until, wait_h, unaccounted)",
                "people_group[fighters].plan[1].drive_to: 'drive_to' is not a step this group \
                 can take (use one of ride_until, walk_to, carried_to, wait_until, wait_h, \
                 unaccounted)",
            ]
        );
    }

    #[test]
    fn options_go_only_with_their_actions() {
        assert_eq!(
            problems(
                "{ wait_h = 2, speed_kmh = 3 }",
                "{ walk_to = \"Rawa\", detour = false, by = \"x\" }"
            ),
            [
                "bus_group[convoy].plan[2].speed_kmh: 'speed_kmh' does not go with wait_h ()",
                "people_group[fighters].plan[1].by: 'by' does not go with walk_to ()",
                "people_group[fighters].plan[1].detour: 'detour' does not go with walk_to ()",
            ]
        );
        assert!(problems("{ wait_h = 2 }", "{ carried_to = \"Rawa\", by = \"x\" }").is_empty());
    }

    #[test]
    fn an_unknown_action_gets_the_nearest_key_and_the_movers_actions() {
        let hint = |from: &str, to: &str| {
            let text = ACCOUNT.replace(from, to);
            let geo = crate::Geography::embedded().unwrap();
            let e = super::super::Scenario::from_toml(&text, "t", "t", &geo).unwrap_err();
            e.problems[0].hint.clone().unwrap_or_default()
        };
        assert_eq!(
            hint(
                "{ drive_to = \"Hamaymah\" }",
                "{ drive_too = \"Hamaymah\" }"
            ),
            "did you mean drive_to? a bus group takes the steps drive_to, wait_until, wait_h, \
             unaccounted"
        );
        assert_eq!(
            hint(
                "aboard = \"convoy\"\n",
                "aboard = \"convoy\"\nplan = [{ walk = \"Rawa\" }]\n"
            ),
            "did you mean walk_to? a people group takes the steps ride_until, walk_to, \
             carried_to, wait_until, wait_h, unaccounted"
        );
        assert_eq!(
            hint("detour = false", "detour = false, xyzzy = 1"),
            "a bus group takes the steps drive_to, wait_until, wait_h, unaccounted"
        );
    }

    #[test]
    fn each_mover_takes_the_steps_it_always_took() {
        assert_eq!(
            keys_for(Mover::Vehicles),
            ["drive_to", "wait_until", "wait_h", "unaccounted"]
        );
        assert_eq!(
            keys_for(Mover::People),
            [
                "ride_until",
                "walk_to",
                "carried_to",
                "wait_until",
                "wait_h",
                "unaccounted"
            ]
        );
    }
}
