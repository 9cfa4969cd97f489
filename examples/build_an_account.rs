//! Build an account in code, run it, and read the result — the library API without a TOML file.
//!
//! The account: the convoy reaches the cratered road on 30 August, and half the buses turn back to
//! Palmyra while the rest wait at the cut. Run with `cargo run --example build_an_account`.

use convoy_sim::Geography;
use convoy_sim::engine::{self, AgentKind};
use convoy_sim::scenario::{
    Account, Citation, Convoy, Event, EventKind, Headcount, PeopleGroup, PeopleKind, Scenario,
    Site, Span, Step, VehicleGroup, VehicleKind,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let geo = Geography::embedded()?;
    let t = |s: &str| s.parse::<jiff::Timestamp>();
    let cite = Citation {
        source: None,
        outlet: "Rudaw".into(),
        date: jiff::civil::date(2017, 8, 31),
        quote: "the buses have started moving back into the interior of Syria".into(),
        url: None,
    };
    let to_the_cut = vec![
        Step::DriveTo {
            to: vec![Site::resolve(&geo, "Hamaymah")?],
            until: None,
            stop_after_km: None,
            detour: true,
        },
        Step::WaitUntil(t("2017-08-30T08:00:00Z")?),
        // detour = false: the buses take the road they meant to and find the crater there.
        Step::DriveTo {
            to: vec![Site::resolve(&geo, "Al Bukamal")?],
            until: None,
            stop_after_km: None,
            detour: false,
        },
    ];
    let mut turn_back = to_the_cut.clone();
    turn_back.push(Step::WaitHours(Span {
        low: 12.0,
        high: 24.0,
    }));
    turn_back.push(Step::DriveTo {
        to: vec![Site::resolve(&geo, "Palmyra")?],
        until: None,
        stop_after_km: None,
        detour: true,
    });

    let group = |id: &str, buses: u32, plan: Vec<Step>| VehicleGroup {
        id: id.into(),
        kind: VehicleKind::Bus,
        vehicles: buses,
        speed: Span {
            low: 40.0,
            high: 60.0,
        },
        depart: Span::fixed(t("2017-08-29T04:00:00Z").unwrap()),
        plan,
        cite: cite.clone(),
        assumed: None,
    };
    let scenario = Scenario {
        name: "half_turn_back".into(),
        account: Account {
            title: "Half the buses turn back".into(),
            source: "example".into(),
            as_of: t("2017-09-01T12:00:00Z")?,
            cite: cite.clone(),
            summary: None,
        },
        start: t("2017-08-29T00:00:00Z")?,
        end: t("2017-09-01T12:00:00Z")?,
        seed: 7,
        record_every: jiff::SignedDuration::from_mins(60),
        convoy: Convoy {
            origin: Site::resolve(&geo, "Qalamoun")?,
            buses: 17,
            people: vec![Headcount {
                kind: PeopleKind::Fighters,
                count: Span::fixed(300),
                cite: cite.clone(),
                assumed: None,
            }],
            cite: cite.clone(),
        },
        vehicle_groups: vec![group("wait", 9, to_the_cut), group("back", 8, turn_back)],
        people_groups: vec![PeopleGroup {
            id: "fighters".into(),
            kind: PeopleKind::Fighters,
            count: Span::fixed(300),
            people: 300,
            aboard: 0,
            plan: Vec::new(),
            cite: cite.clone(),
            assumed: None,
        }],
        events: vec![Event {
            at: t("2017-08-30T06:00:00Z")?,
            window: Span::fixed(t("2017-08-30T06:00:00Z")?),
            kind: EventKind::CloseRoadAt {
                site: Site::resolve(&geo, "Hamaymah road cut")?,
                point: None,
            },
            cite,
            note: None,
            assumed: None,
        }],
        claims: Vec::new(),
        fixed: Default::default(),
        edges: Default::default(),
        places: Default::default(),
    };

    let result = engine::run(&scenario, &geo);
    for agent in &result.agents {
        let what = match &agent.kind {
            AgentKind::Vehicle { group, kind } => format!("{} ({group})", kind.as_str()),
            AgentKind::People { count, kind, .. } => format!("{count} {}", kind.as_str()),
        };
        let place = &geo.gazetteer.get(agent.end.nearest_place).name;
        println!(
            "{:<22} {:<12} {:<12} in {:<18} {:>5.1} km from {place}, {:.0} km travelled",
            agent.id,
            what,
            agent.end.status.as_str(),
            agent.end.zone.as_str(),
            agent.end.to_nearest_place.km(),
            agent.travelled.km(),
        );
    }
    Ok(())
}
