//! Issue #12, drawn inputs: `convoy-sim inputs` names them, and `--fix` holds one at its nominal
//! value — or is refused, with the names there are.

use crate::harness::{convoy_bad_input, convoy_ok, repo_path, temp_file};
use convoy_sim::scenario::Scenario;

/// The one-bus test account with a fixed speed and a wait for a plan (a destination's position is
/// uncertain too): nothing in it is uncertain.
pub fn certain_account(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo_path("tests/scenarios/one_bus_one_hour.toml"))
        .unwrap()
        .replace("speed_kmh = [20, 60]", "speed_kmh = 40")
        .replace("{ drive_to = \"Palmyra\" },", "{ wait_h = 1 },");
    temp_file(dir, "certain.toml", &text)
}

/// A data folder (`--data`) whose zones give no margin: with it, the certain account draws
/// nothing at all, the zones' edges included. Its features are written as a user's file from
/// before `edge_in_km` and `base_id` would be: without them.
pub fn zones_without_margins(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let mut zones: serde_json::Value =
        serde_json::from_str(convoy_sim::data::ZONES_GEOJSON).unwrap();
    for f in zones["features"].as_array_mut().unwrap() {
        let props = f["properties"].as_object_mut().unwrap();
        props.insert("edge_km".into(), serde_json::json!(0.0));
        assert!(props.remove("edge_in_km").is_some() && props.remove("base_id").is_some());
    }
    let folder = dir.path().join("no-margins");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("zones.geojson"), zones.to_string()).unwrap();
    folder
}

#[test]
fn inputs_names_what_each_account_draws() {
    let us = repo_path("scenarios/us_military.toml");
    let dir = tempfile::tempdir().unwrap();
    let certain = certain_account(&dir);
    let out = convoy_ok(&["inputs", us.to_str().unwrap(), certain.to_str().unwrap()]);
    let line = |account: &str| {
        out.lines()
            .find(|l| l.starts_with(account))
            .unwrap_or_else(|| panic!("{out}"))
            .to_string()
    };
    let us_lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("us_military"))
        .collect();
    for input in [
        "bus_group[stuck].speed_kmh",
        "bus_group[toward_palmyra].depart",
        "hamaymah_road_cut.position",
        "hamaymah.position",
    ] {
        assert!(us_lines.iter().any(|l| l.contains(input)), "{out}");
    }
    assert!(out.contains("within 10 km"), "{out}");
    assert!(
        out.contains("where the drive there ends: along the road within 20 km of Hamaymah ("),
        "{out}"
    );
    // A place that is a point on the road reads as well as a town does.
    assert!(
        out.contains("where the road is cut: along the road within 10 km of Hamaymah road cut ("),
        "{out}"
    );
    assert!(!out.contains("through Hamaymah road cut"), "{out}");
    // With the embedded zones it draws only where their edges lie; with zones that give no
    // margin, nothing.
    assert!(line("certain").contains("zone:"), "{out}");
    let flat = zones_without_margins(&dir);
    let flat_out = convoy_ok(&[
        "--data",
        flat.to_str().unwrap(),
        "inputs",
        certain.to_str().unwrap(),
    ]);
    assert!(flat_out.contains("nothing drawn"), "{flat_out}");
}

#[test]
fn fixing_an_input_no_account_has_is_refused_with_the_names_they_have() {
    let us = repo_path("scenarios/us_military.toml");
    let out = tempfile::tempdir().unwrap();
    let e = convoy_bad_input(&[
        "check",
        us.to_str().unwrap(),
        "--runs",
        "2",
        "--out",
        out.path().to_str().unwrap(),
        "--fix",
        "rawa.position",
    ]);
    assert!(e.contains("--fix rawa.position"), "{e}");
    assert!(
        e.contains("they have al_bukamal.position, bus_group[stuck].depart"),
        "{e}"
    );
    assert!(e.contains("hamaymah_road_cut.position"), "{e}");
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

/// Accounts from scenarios/ with every uncertain input held at its nominal value (`--fix`)
/// except those `drawn` names.
fn accounts_drawing(
    world: &convoy_sim::Geography,
    names: &[&str],
    drawn: impl Fn(&str) -> bool,
) -> Vec<Scenario> {
    names
        .iter()
        .map(|name| {
            let text =
                std::fs::read_to_string(repo_path(&format!("scenarios/{name}.toml"))).unwrap();
            let mut s = Scenario::from_toml(&text, name, name, world).unwrap();
            let inputs = convoy_sim::uncertainty::Inputs::of(&s, world);
            s.fixed = (inputs.list.iter())
                .filter(|i| !drawn(&i.name))
                .map(|i| i.name.clone())
                .collect();
            s
        })
        .collect()
}

/// Issue #12: where a front line lies is uncertain too. With every zone's edge drawn within its
/// own margin (the government's desert band ±20 km) and everything else — the road cut included —
/// held at its nominal value, whether the US military's eleven are "stuck in the desert" (between
/// the lines) is a share strictly between 5% and 95%: the buses stop by the cut, 1 km past the
/// government's edge as drawn. With the edges held too, it is borne out every time.
#[test]
fn a_drawn_zone_edge_alone_makes_a_claim_a_share_between_none_and_all() {
    let world = crate::harness::world();
    let names = ["us_military"];
    let share = |drawn: &dyn Fn(&str) -> bool, runs| {
        let accounts = accounts_drawing(&world, &names, drawn);
        let check = convoy_sim::check::check(&accounts, &world, runs, Some(2), &|| true).unwrap();
        let claim = (check.claims.iter())
            .position(|c| c.claim.id == "eleven_stuck_in_desert")
            .unwrap();
        let j = check.judgement(claim, 0);
        (j.probability, j.verdict)
    };
    let edges = accounts_drawing(&world, &names, |n| n.starts_with("zone:"));
    let drawn: Vec<String> = convoy_sim::uncertainty::Inputs::of(&edges[0], &world)
        .list
        .into_iter()
        .filter(|i| !edges[0].fixed.contains(&i.name))
        .map(|i| i.name)
        .collect();
    assert!(
        drawn
            .iter()
            .any(|n| n == "zone:syrian_government_central_desert.edge"),
        "{drawn:?}"
    );
    assert!(
        !drawn.iter().any(|n| n == "hamaymah_road_cut.position"),
        "the cut is fixed"
    );
    let (p, _) = share(&|n: &str| n.starts_with("zone:"), 40);
    assert!(p > 0.05 && p < 0.95, "{p}");
    let (nominal, verdict) = share(&|_: &str| false, 8);
    assert_eq!(nominal, 1.0);
    assert_eq!(verdict, convoy_sim::check::Verdict::Consistent);
}
