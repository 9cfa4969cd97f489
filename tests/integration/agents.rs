//! Issue #10, one agent model: vehicles of other kinds move as themselves beside the buses, and a
//! bar on a holder's ground keeps every mover out of it — in the engine and in `check`'s bound.

use convoy_sim::engine::{self, AgentKind, Happening, SimEventKind, Status};
use convoy_sim::scenario::{Scenario, VehicleKind};
use serde_json::Value;

use crate::harness::{convoy_bad_input, convoy_ok, held, repo_path, temp_file, world};
use crate::scenarios::assert_invariants;

fn load(w: &convoy_sim::Geography, text: &str, name: &str) -> Scenario {
    Scenario::from_toml(text, name, name, w).unwrap_or_else(|e| panic!("{e}"))
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo_path(&format!("tests/scenarios/{name}.toml"))).expect("fixture")
}

fn json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file")).expect("JSON")
}

#[test]
fn ambulances_move_as_ambulances_carry_their_people_and_are_not_counted_as_buses() {
    let w = world();
    let s = load(&w, &fixture("ambulances"), "ambulances");
    let r = engine::run(&s, &w);
    assert_invariants("ambulances", &s, &r, &w);
    assert_eq!(r.buses().count(), 17);
    let ambulances: Vec<_> = r
        .vehicles()
        .filter(|a| a.kind.vehicle() == Some(VehicleKind::Ambulance))
        .collect();
    let ids: Vec<&str> = ambulances.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "ambulance-red_crescent-01",
            "ambulance-red_crescent-02",
            "ambulance-red_crescent-03"
        ]
    );
    // The ambulances went on to Homs; the buses stayed at Palmyra; each group with its people.
    let homs = crate::harness::at(&w, "Homs");
    for a in &ambulances {
        assert_eq!(a.end.status, Status::Arrived, "{}", a.id);
        assert!(
            a.end.at.distance(homs).km() < 5.0,
            "{} at {}",
            a.id,
            a.end.at
        );
    }
    for p in r.people() {
        let AgentKind::People { vehicle, kind, .. } = &p.kind else {
            unreachable!()
        };
        let rode = r.agents.iter().find(|a| &a.id == vehicle).expect("vehicle");
        assert_eq!(p.end.at, rode.end.at, "{} rides {}", p.id, rode.id);
        let wounded = *kind == convoy_sim::scenario::PeopleKind::Wounded;
        assert_eq!(rode.kind.vehicle() == Some(VehicleKind::Ambulance), wounded);
    }

    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().to_str().expect("UTF-8");
    let file = repo_path("tests/scenarios/ambulances.toml");
    convoy_ok(&["run", file.to_str().expect("UTF-8"), "--out", dir]);
    let summary = json(&out.path().join("ambulances/summary.json"));
    assert_eq!(summary["buses"].as_array().map(Vec::len), Some(17));
    let kinds: Vec<&str> = summary["vehicles"]
        .as_array()
        .expect("vehicles")
        .iter()
        .map(|v| v["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds.len(), 20);
    assert_eq!(kinds.iter().filter(|k| **k == "ambulance").count(), 3);
    assert_eq!(
        summary["counts"]["vehicles_by_kind"]["ambulance"]["total"],
        3
    );
    assert_eq!(summary["counts"]["vehicles_by_kind"]["bus"]["total"], 17);
    assert_eq!(summary["counts"]["buses"]["total"], 17);
    let ends = json(&out.path().join("ambulances/end_state.geojson"));
    let agents: Vec<&str> = ends["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["agent"].as_str().expect("agent"))
        .collect();
    assert_eq!(agents.iter().filter(|a| **a == "ambulance").count(), 3);

    // A claim of exactly 17 buses counts buses, not the ambulances beside them.
    convoy_ok(&[
        "check",
        file.to_str().expect("UTF-8"),
        "--out",
        dir,
        "--runs",
        "2",
    ]);
    let check = json(&out.path().join("check/check.json"));
    let text = check.to_string();
    assert!(text.contains("seventeen_buses_at_palmyra"), "{text}");
    assert!(!text.contains("\"impossible\""), "{text}");
}

#[test]
fn a_vehicle_group_names_a_kind_of_vehicle_other_than_bus() {
    let text = fixture("ambulances");
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = |from: &str, to: &str| {
        let f = temp_file(&dir, "k.toml", &text.replace(from, to));
        convoy_bad_input(&["run", f.to_str().expect("UTF-8")])
    };
    let e = bad("kind = \"ambulance\"", "kind = \"bus\"");
    assert!(
        e.contains("vehicle_group[red_crescent].kind") && e.contains("bus_group"),
        "{e}"
    );
    let e = bad("kind = \"ambulance\"", "kind = \"tank\"");
    assert!(
        e.contains("'tank' is not a kind of vehicle") && e.contains("pickup"),
        "{e}"
    );
    let e = bad("aboard = \"red_crescent\"", "aboard = \"red_cross\"");
    assert!(e.contains("no bus or vehicle group 'red_cross'"), "{e}");
}

#[test]
fn a_bar_stops_drivers_and_walkers_at_the_edge_of_the_ground_and_their_plans_go_on() {
    let w = world();
    let s = load(&w, &fixture("bar_zone"), "bar_zone");
    let r = engine::run(&s, &w);
    assert_invariants("bar_zone", &s, &r, &w);
    let kept_out = |id: &str| {
        r.events
            .iter()
            .filter(|e| e.agent.is_some_and(|i| r.agents[i].id == id))
            .any(|e| e.what == Happening::KeptOut(held("islamic_state")))
    };
    let bukamal = crate::harness::at(&w, "Al Bukamal");
    let hamaymah = crate::harness::at(&w, "Hamaymah");
    for b in r.buses() {
        assert!(kept_out(&b.id), "{}", b.id);
        // The plan went on: back to Hamaymah.
        assert_eq!(b.end.status, Status::Arrived, "{}", b.id);
        assert!(b.end.at.distance(hamaymah).km() < 1.0, "{}", b.id);
    }
    for p in r.people() {
        assert!(kept_out(&p.id), "{}", p.id);
        // Stopped at the edge: not in IS ground, and 2 km further on toward Al Bukamal is.
        assert_ne!(p.end.zone, held("islamic_state"), "{}", p.id);
        assert_eq!(p.end.status, Status::Halted, "{}", p.id);
        let d = p.end.at.distance(bukamal).0;
        let on = geo::InterpolatePoint::point_at_distance_between(
            &geo::Haversine,
            p.end.at.point(),
            bukamal.point(),
            2_000.0_f64.min(d),
        );
        let holder = w.zones.holder_at(on.into(), s.start).map(|c| c.holder);
        assert_eq!(holder.ok(), Some(held("islamic_state")), "{}", p.id);
    }
    assert!(
        r.events
            .iter()
            .any(|e| e.kind() == SimEventKind::ZoneBarred)
    );
}

#[test]
fn the_reach_bound_makes_a_claim_that_needs_barred_ground_impossible() {
    let barred = fixture("bar_zone");
    // The same account without the bar: the buses could drive round into IS ground.
    let start = barred.find("[[event]]").expect("event");
    let end = barred.find("[[claim]]").expect("claim");
    let open = format!("{}{}", &barred[..start], &barred[end..]);
    let verdict = |text: &str, name: &str| {
        let out = tempfile::tempdir().expect("temp dir");
        let f = out.path().join(format!("{name}.toml"));
        std::fs::write(&f, text).expect("write");
        let dir = out.path().join("out");
        convoy_ok(&[
            "check",
            f.to_str().expect("UTF-8"),
            "--out",
            dir.to_str().expect("UTF-8"),
            "--runs",
            "2",
        ]);
        let check = json(&dir.join("check/check.json"));
        check.to_string()
    };
    let with_bar = verdict(&barred, "barred");
    assert!(with_bar.contains("\"impossible\""), "{with_bar}");
    assert!(
        with_bar.contains("barred from islamic_state ground"),
        "{with_bar}"
    );
    let without = verdict(&open, "open");
    assert!(!without.contains("\"impossible\""), "{without}");
}

#[test]
fn the_schema_and_the_readme_document_vehicle_groups_and_bars() {
    let schema: Value = serde_json::from_str(&convoy_ok(&["schema"])).expect("JSON");
    let group = &schema["$defs"]["RawVehicleGroup"]["properties"];
    for key in [
        "id",
        "kind",
        "vehicles",
        "speed_kmh",
        "depart",
        "plan",
        "cite",
    ] {
        assert!(group.get(key).is_some(), "vehicle_group.{key}");
    }
    assert!(schema["properties"].get("vehicle_group").is_some());
    let bar = &schema["$defs"]["RawEvent"]["properties"]["bar_zone"]["description"];
    assert!(bar.as_str().is_some_and(|d| d.contains("edge")), "{bar}");
    let readme = std::fs::read_to_string(repo_path("scenarios/README.md")).expect("README");
    for word in ["[[vehicle_group]]", "bar_zone", "ambulance", "pickup"] {
        assert!(
            readme.contains(word),
            "scenarios/README.md says nothing of {word}"
        );
    }
}
