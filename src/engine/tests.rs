//! The engine's own rules, each on a small account: one plan for every mover with one step
//! counter, people leaving their vehicle when its plan runs out, events as facts, and where a
//! walk meets barred ground.

use super::*;
use crate::scenario::Scenario;

const ONE_BUS: &str = include_str!("../../tests/scenarios/one_bus_one_hour.toml");

fn account(plan: &str, people: &str, end: &str) -> (Geography, Scenario) {
    let mut text = ONE_BUS
        .replace("end = 2017-08-29T04:00:00Z", &format!("end = {end}"))
        .replace(
            "plan = [\n  { drive_to = \"Palmyra\" },\n]",
            &format!("plan = [{plan}]"),
        )
        .replace("speed_kmh = [20, 60]", "speed_kmh = 50");
    if !people.is_empty() {
        text = text.replace(
            "buses = 1\ncite = { outlet = \"South China Morning Post\", date = 2017-09-04, quote = \"The buses set out in a convoy from western Syria on Tuesday\" }\n\n[[bus_group]]",
            &format!(
                "buses = 1\ncite = {{ outlet = \"South China Morning Post\", date = 2017-09-04, quote = \"The buses set out in a convoy from western Syria on Tuesday\" }}\n\n[[convoy.people]]\nkind = \"fighters\"\ncount = 10\ncite = {{ outlet = \"South China Morning Post\", date = 2017-09-04, quote = \"the 300 Islamic State fighters in the convoy\" }}\n\n[[people_group]]\nid = \"f\"\nkind = \"fighters\"\ncount = 10\naboard = \"convoy\"\ncite = {{ outlet = \"South China Morning Post\", date = 2017-09-04, quote = \"the 300 Islamic State fighters in the convoy\" }}\nplan = [{people}]\n\n[[bus_group]]"
            ),
        );
    }
    let geo = Geography::embedded().unwrap();
    let s = Scenario::from_toml(&text, "t", "t", &geo).unwrap_or_else(|e| panic!("{e}"));
    (geo, s)
}

fn happenings(r: &RunResult, agent: usize) -> Vec<Happening> {
    r.events
        .iter()
        .filter(|e| e.agent == Some(agent))
        .map(|e| e.what)
        .collect()
}

#[test]
fn a_plan_runs_step_by_step_whoever_follows_it_and_ends_where_its_last_step_leaves_it() {
    let (geo, s) = account(
        "{ wait_h = 1 }, { drive_to = \"Qara\" }, { unaccounted = true }",
        "",
        "2017-08-29T12:00:00Z",
    );
    let r = run(&s, &geo);
    let bus = &r.agents[0];
    assert_eq!(
        happenings(&r, 0),
        [
            Happening::Departed,
            Happening::Arrived(Travel::Drove),
            Happening::Unaccounted
        ]
    );
    // The wait came first: it set off an hour after departing, at 04:00.
    let set_off = bus.passages[0].entered;
    assert_eq!(
        set_off,
        "2017-08-29T04:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(bus.end.status, Status::Unaccounted);
    assert_eq!(geo.gazetteer.get(bus.end.nearest_place).name, "Qara");
}

#[test]
fn people_with_a_plan_leave_when_their_vehicles_plan_runs_out_and_walk_on() {
    let (geo, s) = account(
        "{ drive_to = \"Qara\" }",
        "{ walk_to = \"Deir Atiyah\" }",
        "2017-08-30T12:00:00Z",
    );
    let r = run(&s, &geo);
    let arrived = r
        .events
        .iter()
        .find(|e| e.agent == Some(0) && e.what == Happening::Arrived(Travel::Drove))
        .unwrap();
    let left = r
        .events
        .iter()
        .find(|e| e.agent == Some(1) && matches!(e.what, Happening::LeftVehicle(_)))
        .unwrap();
    assert_eq!(left.t, arrived.t, "they leave as the bus's plan runs out");
    assert_eq!(
        happenings(&r, 1),
        [
            Happening::LeftVehicle(crate::scenario::VehicleKind::Bus),
            Happening::Arrived(Travel::Walked)
        ]
    );
    let p = &r.agents[1];
    assert_eq!(p.kind.left_vehicle(), Some(left.t));
    assert_eq!(geo.gazetteer.get(p.end.nearest_place).name, "Deir Atiyah");
    // Their distance is the ride plus the walk.
    assert!(p.travelled.0 > r.agents[0].travelled.0);
}

#[test]
fn people_without_a_plan_stay_aboard_and_end_where_their_vehicle_does() {
    let (geo, mut aboard) = account(
        "{ drive_to = \"Qara\" }",
        "{ wait_h = 0 }",
        "2017-08-30T12:00:00Z",
    );
    aboard.people_groups[0].plan.clear();
    let r = run(&aboard, &geo);
    let p = &r.agents[1];
    assert_eq!(p.end.status, Status::Aboard);
    assert_eq!(p.end.at, r.agents[0].end.at);
    assert!(happenings(&r, 1).is_empty());
}

#[test]
fn a_walk_is_cut_at_the_first_crossing_to_within_ten_metres() {
    // A 50 km walk whose ground turns barred at 37% of the way.
    let length = Metres::from_km(50.0);
    let r = first_crossing(length, |f| f >= 0.37).unwrap();
    assert!(r < 0.37 && (0.37 - r) * length.0 <= 10.0, "{r}");
    assert_eq!(first_crossing(length, |_| false), None, "never barred");
    assert_eq!(
        first_crossing(length, |_| true),
        None,
        "barred from the start: no crossing"
    );
}
