//! Issue #12, drawn inputs: `convoy-sim inputs` names them, and `--fix` holds one at its nominal
//! value — or is refused, with the names there are.

use crate::harness::{convoy_bad_input, convoy_ok, repo_path};

#[test]
fn inputs_names_what_each_account_draws() {
    let us = repo_path("scenarios/us_military.toml");
    let deal = repo_path("scenarios/deal_as_agreed.toml");
    let out = convoy_ok(&["inputs", us.to_str().unwrap(), deal.to_str().unwrap()]);
    let line = |account: &str| {
        out.lines()
            .find(|l| l.starts_with(account))
            .unwrap_or_else(|| panic!("{out}"))
            .to_string()
    };
    assert!(
        line("us_military").contains("hamaymah_road_cut.position"),
        "{out}"
    );
    assert!(line("us_military").contains("within 25 km"), "{out}");
    assert!(line("deal_as_agreed").contains("nothing drawn"), "{out}");
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
        "hamaymah.position",
    ]);
    assert!(e.contains("--fix hamaymah.position"), "{e}");
    assert!(e.contains("they have hamaymah_road_cut.position"), "{e}");
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "nothing written"
    );
}
