//! Invariants under random accounts: whatever the seed, speeds, departure and cut times, and plans,
//! every bus and person is accounted for, time moves forward, buses stay on roads, and nothing
//! crosses a closure after it closes.

use convoy_sim::engine;
use convoy_sim::scenario::{Event, EventKind, Scenario, Site, Span, Step};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use crate::harness::world;
use crate::scenarios::{assert_invariants, load};

const PLACES: [&str; 8] = [
    "Palmyra",
    "Al Bukamal",
    "Hamaymah",
    "As-Sukhnah",
    "Deir ez-Zor",
    "T2",
    "Rawa",
    "Homs",
];

/// A step to generate.
#[derive(Clone, Debug)]
enum Gen {
    Drive(Vec<usize>, bool),
    WaitHours(f64),
    Walk(Vec<usize>),
    Carried(Vec<usize>),
}

/// One to three destinations to draw from.
fn places() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(0..PLACES.len(), 1..=3)
}

fn step() -> impl Strategy<Value = Gen> {
    prop_oneof![
        (places(), any::<bool>()).prop_map(|(p, d)| Gen::Drive(p, d)),
        (0.0..48.0f64).prop_map(Gen::WaitHours),
        places().prop_map(Gen::Walk),
        places().prop_map(Gen::Carried),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_accounts_keep_the_invariants(
        seed in any::<u64>(),
        speed in (10.0..90.0f64, 0.0..30.0f64),
        depart_h in 0.0..36.0f64,
        cut_h in 0.0..120.0f64,
        cut_at in 0..PLACES.len(),
        steps in proptest::collection::vec(step(), 0..6),
    ) {
        let w = world();
        let mut s: Scenario = load(&w, "us_military");
        let at = |h: f64| s.start + SignedDuration::from_secs_f64(h * 3600.0);
        let depart: Timestamp = at(depart_h);
        let site = |i: usize| Site::resolve(&w, PLACES[i]).unwrap();
        let sites = |is: &[usize]| is.iter().map(|&i| site(i)).collect::<Vec<_>>();
        let mut bus_plan = Vec::new();
        let mut people_plan = vec![Step::RideUntil(at(depart_h + 10.0))];
        for st in &steps {
            match st {
                Gen::Drive(p, detour) => bus_plan.push(Step::DriveTo { to: sites(p), until: None, stop_after_km: None, detour: *detour }),
                Gen::WaitHours(h) => bus_plan.push(Step::WaitHours(Span { low: h / 2.0, high: *h })),
                Gen::Walk(p) => people_plan.push(Step::WalkTo { to: sites(p), speed: Span { low: 1.0, high: 4.0 } }),
                Gen::Carried(p) => people_plan.push(Step::CarriedTo { to: sites(p), speed: Span { low: 30.0, high: 70.0 }, by: None, detour: true }),
            }
        }
        for g in &mut s.vehicle_groups {
            g.speed = Span { low: speed.0, high: speed.0 + speed.1 };
            g.depart = Span { low: depart, high: depart + SignedDuration::from_hours(2) };
            g.plan = bus_plan.clone();
        }
        s.people_groups[0].plan = people_plan;
        let cut_time = at(cut_h).min(s.end);
        s.events = vec![Event {
            at: cut_time,
            window: Span::fixed(cut_time),
            kind: EventKind::CloseRoadAt { site: site(cut_at), point: None },
            cite: s.account.cite.clone(),
            note: None,
            assumed: None,
        }];
        let r = engine::run_with_seed(&s, &w, seed);
        assert_invariants("random", &s, &r, &w);
    }
}
