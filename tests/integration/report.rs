//! `report.html` opened in a real browser: headless Chromium loads it from disk with no console
//! error, no exception and no network request; it draws a map; the time slider moves the markers;
//! switching an account off hides it; and a scenario's text cannot become markup or script.

use std::path::Path;

use serde_json::Value;

use crate::chromium::Browser;
use crate::harness::{convoy_ok, repo_path, temp_file};

/// Screenshots are saved here when the variable is set, to look at them.
const SHOTS_ENV: &str = "CONVOY_REPORT_SHOTS";

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

/// Everything that went wrong in the page: exceptions, console errors, log errors.
fn page_errors(b: &Browser) -> Vec<String> {
    let mut errors: Vec<String> = b
        .events_named("Runtime.exceptionThrown")
        .iter()
        .map(|e| format!("exception: {}", e["params"]["exceptionDetails"]))
        .collect();
    errors.extend(
        b.events_named("Runtime.consoleAPICalled")
            .iter()
            .filter(|e| e["params"]["type"] == "error")
            .map(|e| format!("console.error: {}", e["params"]["args"])),
    );
    errors.extend(
        b.events_named("Log.entryAdded")
            .iter()
            .filter(|e| e["params"]["entry"]["level"] == "error")
            .map(|e| format!("log: {}", e["params"]["entry"])),
    );
    errors
}

/// Every URL the page asked for other than itself and `data:` URIs.
fn foreign_requests(b: &Browser, page: &str) -> Vec<String> {
    b.events_named("Network.requestWillBeSent")
        .iter()
        .map(|e| {
            e["params"]["request"]["url"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .filter(|u| u != page && !u.starts_with("data:"))
        .collect()
}

/// The screenshot's pixels, RGB, and its size.
fn pixels(png_bytes: &[u8]) -> (Vec<[u8; 3]>, u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (px, info.width, info.height)
}

fn hex_colour(hex: &str) -> [u8; 3] {
    let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
    [v(1), v(3), v(5)]
}

fn save_shot(name: &str, png_bytes: &[u8]) {
    if let Some(dir) = std::env::var_os(SHOTS_ENV) {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(name), png_bytes).unwrap();
    }
}

/// Each shown account's markers: name → [[id, lat, lon], …].
fn positions(b: &mut Browser) -> serde_json::Map<String, Value> {
    b.eval("window.convoyReport.positions()")
        .as_object()
        .expect("the page exposes marker positions")
        .clone()
}

/// How many markers of account `i` are in the page's map.
fn marker_count(b: &mut Browser, i: usize) -> u64 {
    b.eval(&format!(
        "document.querySelectorAll('#map path.acct-{i}').length"
    ))
    .as_u64()
    .unwrap()
}

/// The largest distance, in degrees, any marker of any account moved between two readings.
fn largest_move(
    before: &serde_json::Map<String, Value>,
    after: &serde_json::Map<String, Value>,
) -> f64 {
    let mut most = 0.0f64;
    for (name, markers) in before {
        for (a, b) in markers
            .as_array()
            .unwrap()
            .iter()
            .zip(after[name].as_array().unwrap())
        {
            assert_eq!(a[0], b[0], "markers keep their order");
            let d = |i: usize| a[i].as_f64().unwrap() - b[i].as_f64().unwrap();
            most = most.max(d(1).abs().max(d(2).abs()));
        }
    }
    most
}

/// Runs `command` on three accounts whose buses and people go three ways, writing into `out`.
fn on_three_accounts(command: &[&str], out: &Path) {
    let scenarios = ["us_military", "hezbollah", "iraqi_officials"].map(|s| {
        repo_path(&format!("scenarios/{s}.toml"))
            .display()
            .to_string()
    });
    let mut args = command.to_vec();
    args.extend(scenarios.iter().map(String::as_str));
    args.extend(["--out", out.to_str().unwrap()]);
    convoy_ok(&args);
}

#[test]
fn the_compare_report_works_offline_in_chromium_slider_and_switches_included() {
    let out = tempfile::tempdir().unwrap();
    on_three_accounts(&["compare"], out.path());
    let report = out.path().join("compare/report.html");
    let manifest = std::fs::read_to_string(out.path().join("compare/convoy-sim.json")).unwrap();
    assert!(manifest.contains("\"report.html\""), "{manifest}");
    let url = file_url(&report);

    let mut b = Browser::start(1366, 768);
    b.open(&url);
    assert_eq!(page_errors(&b), Vec::<String>::new(), "errors on loading");
    let colours: Vec<String> = serde_json::from_value(b.eval(
        "JSON.parse(document.getElementById('report-data').textContent).accounts.map(a => a.colour)",
    ))
    .unwrap();
    assert_eq!(colours.len(), 3);

    // Drawn: many colours, most of the page not background, each account's colour on the map.
    let shot = b.screenshot();
    save_shot("compare-1366x768.png", &shot);
    let (px, w, h) = pixels(&shot);
    assert_eq!((w, h), (1366, 768));
    let distinct: std::collections::BTreeSet<_> = px.iter().collect();
    assert!(
        distinct.len() > 200,
        "only {} colours: a blank page?",
        distinct.len()
    );
    let white = px.iter().filter(|p| **p == [255, 255, 255]).count();
    assert!(white < px.len() / 2, "{white} of {} pixels white", px.len());
    let of_colour = |px: &[[u8; 3]], c: &str| px.iter().filter(|p| **p == hex_colour(c)).count();
    for c in &colours {
        assert!(
            of_colour(&px, c) > 30,
            "account colour {c} is not on the map"
        );
    }

    // The slider moves the markers.
    let at_end = positions(&mut b);
    assert_eq!(at_end.len(), 3, "every account shown: {at_end:?}");
    b.eval("(() => { const s = document.getElementById('time'); s.value = String(Math.round(s.max * 0.3)); s.dispatchEvent(new Event('input')); })()");
    let mid_run = positions(&mut b);
    assert!(
        largest_move(&at_end, &mid_run) > 0.2,
        "moving the slider from the end to 30% of the run moved no marker by 0.2°"
    );
    let label = b.eval("document.getElementById('time-label').textContent");
    assert!(label.as_str().unwrap().ends_with(" UTC"), "{label}");

    // Switching the first account off removes its markers and leaves the others.
    let shown = marker_count(&mut b, 0);
    assert!(shown > 0);
    b.eval("document.getElementById('account-0').click()");
    assert_eq!(
        marker_count(&mut b, 0),
        0,
        "account 0 switched off still drawn"
    );
    assert!(marker_count(&mut b, 1) > 0);
    let names = positions(&mut b);
    assert_eq!(names.len(), 2, "{names:?}");
    let off = b.screenshot();
    let (off_px, _, _) = pixels(&off);
    assert!(
        of_colour(&off_px, &colours[0]) * 3 < of_colour(&px, &colours[0]),
        "account 0's colour is still all over the map after switching it off"
    );
    b.eval("document.getElementById('account-0').click()");
    assert_eq!(marker_count(&mut b, 0), shown);

    // At projector size too.
    b.viewport(1920, 1080);
    // Leaflet redraws for a new size 200 ms after the resize (it waits for resizing to stop).
    b.eval("new Promise(r => setTimeout(r, 500))");
    let big = b.screenshot();
    save_shot("compare-1920x1080.png", &big);
    let (big_px, w, _) = pixels(&big);
    assert_eq!(w, 1920);
    assert!(of_colour(&big_px, &colours[1]) > 30);
    if std::env::var_os(SHOTS_ENV).is_some() {
        b.eval("document.querySelectorAll('#ends details').forEach(d => d.open = true)");
        b.eval("document.getElementById('ends').scrollIntoView()");
        let ends = b.screenshot();
        save_shot("compare-ends-1920x1080.png", &ends);
    }

    assert_eq!(
        page_errors(&b),
        Vec::<String>::new(),
        "the page reported errors"
    );
    assert_eq!(
        foreign_requests(&b, &url),
        Vec::<String>::new(),
        "the report asked the network for something"
    );
    // The listeners work: the page's own request was seen, and an error would be.
    assert!(
        b.events_named("Network.requestWillBeSent")
            .iter()
            .any(|e| e["params"]["request"]["url"] == url.as_str())
    );
    b.eval("console.error('probe')");
    assert_eq!(page_errors(&b).len(), 1);
}

#[test]
fn scenario_text_in_the_run_report_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = r#"</script><script>window.pwned = 1</script><img src="https://example.invalid/x.png" onerror="window.pwned = 2"><!--"#;
    let text = std::fs::read_to_string(repo_path("scenarios/us_military.toml")).unwrap();
    let original =
        "title = \"US military: six buses back toward Palmyra, eleven stuck in the desert\"";
    assert!(text.contains(original), "us_military.toml's title changed");
    let text = text.replacen(original, &format!("title = '{hostile}'"), 1);
    let path = temp_file(&dir, "hostile.toml", &text);
    let out = dir.path().join("out");
    convoy_ok(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let report = out.join("hostile/report.html");
    let manifest = std::fs::read_to_string(out.join("hostile/convoy-sim.json")).unwrap();
    assert!(manifest.contains("\"report.html\""), "{manifest}");
    let url = file_url(&report);

    let mut b = Browser::start(1366, 768);
    b.open(&url);
    assert_eq!(b.eval("typeof window.pwned"), "undefined");
    assert_eq!(b.eval("document.querySelectorAll('img').length"), 0);
    assert_eq!(
        b.eval("document.getElementById('title').textContent"),
        hostile
    );
    assert_eq!(b.eval("document.title"), hostile);
    let shot = b.screenshot();
    save_shot("run-1366x768.png", &shot);
    assert_eq!(page_errors(&b), Vec::<String>::new());
    assert_eq!(foreign_requests(&b, &url), Vec::<String>::new());
}

#[test]
fn the_check_report_shows_every_claim_with_its_source_and_verdicts_and_the_ach_matrix() {
    let out = tempfile::tempdir().unwrap();
    on_three_accounts(&["check", "--runs", "10", "--ach"], out.path());
    let check: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("check/check.json")).unwrap(),
    )
    .unwrap();
    let claims = check["claims"].as_array().unwrap();
    assert!(claims.len() >= 3);
    let url = file_url(&out.path().join("check/report.html"));

    let mut b = Browser::start(1366, 768);
    b.open(&url);
    assert_eq!(page_errors(&b), Vec::<String>::new());
    let shown =
        b.eval("[...document.querySelectorAll('#claims-list .claim')].map(c => c.textContent)");
    let shown = shown.as_array().unwrap();
    assert_eq!(shown.len(), claims.len());
    for (text, claim) in shown.iter().zip(claims) {
        let text = text.as_str().unwrap();
        for field in [
            &claim["says"],
            &claim["cite"]["quote"],
            &claim["cite"]["outlet"],
        ] {
            assert!(
                text.contains(field.as_str().unwrap()),
                "{field} missing from {text}"
            );
        }
        assert!(text.contains(claim["cite"]["date"].as_str().unwrap()));
    }
    // A verdict for every claim against every account, in the claims and in the ACH matrix.
    let cells = claims.len() * 3;
    assert_eq!(
        b.eval("document.querySelectorAll('#claims-list td[class^=verdict-]').length"),
        cells
    );
    assert_eq!(
        b.eval("document.querySelectorAll('#ach-table tbody td[class*=verdict-]').length"),
        cells
    );
    assert_eq!(b.eval("document.getElementById('ach').hidden"), false);

    // Issue #12/#13: the ACH section shows, for every hypothesis, the weighted score beside the
    // unweighted one and the share of realizations in which it ranks first, as ach.json has them;
    // and every claim its credibility (with the reason) and relevance.
    let ach: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("check/ach.json")).unwrap())
            .unwrap();
    let rows = b.eval(
        "[...document.querySelectorAll('#ach-summary tbody tr')].map(r => ({ account: r.dataset.account, score: r.querySelector('.score').textContent, weighted: r.querySelector('.weighted').textContent, first: r.querySelector('.first').textContent }))",
    );
    let rows = rows.as_array().unwrap();
    let hypotheses = ach["hypotheses"].as_array().unwrap();
    assert_eq!(rows.len(), hypotheses.len());
    for (row, h) in rows.iter().zip(hypotheses) {
        assert_eq!(row["account"], h["account"], "least contradicted first");
        let weighted = format!("{:.2} (#", h["weighted_score"].as_f64().unwrap());
        assert!(
            row["weighted"].as_str().unwrap().starts_with(&weighted),
            "{row} {h}"
        );
        let first = format!(
            "{}% of 10",
            (h["ranks_first_share"].as_f64().unwrap() * 100.0).round()
        );
        assert_eq!(row["first"], first.as_str(), "{row} {h}");
        assert_eq!(
            row["score"].as_str().unwrap().parse::<f64>().unwrap(),
            h["inconsistency"].as_f64().unwrap()
        );
    }
    let foot = b.eval("document.querySelector('#ach-table tfoot').textContent");
    let foot = foot.as_str().unwrap();
    assert!(
        foot.contains("weighted inconsistency") && foot.contains("ranks first in"),
        "{foot}"
    );
    let weights = b.eval("document.getElementById('ach-weights').textContent");
    assert!(
        weights.as_str().unwrap().contains("analyst judgements"),
        "{weights}"
    );
    for (text, e) in shown.iter().zip(ach["evidence"].as_array().unwrap()) {
        let text = text.as_str().unwrap();
        let cred = &e["credibility"];
        let rating = format!("credibility {}", cred["rating"].as_str().unwrap());
        assert!(text.contains(&rating), "{rating} missing from {text}");
        assert!(text.contains(cred["reason"].as_str().unwrap()), "{text}");
        assert!(text.contains(&format!("relevance {}", e["relevance"].as_str().unwrap())));
    }
    if std::env::var_os(SHOTS_ENV).is_some() {
        b.eval("document.getElementById('claims').scrollIntoView()");
        save_shot("check-claims-1366x768.png", &b.screenshot());
        b.eval("document.getElementById('ach').scrollIntoView()");
        save_shot("check-ach-1366x768.png", &b.screenshot());
        b.eval("document.querySelector('#ach-table tfoot').scrollIntoView({ block: 'end' })");
        save_shot("check-ach-foot-1366x768.png", &b.screenshot());
        b.call(
            "Emulation.setEmulatedMedia",
            serde_json::json!({ "media": "print" }),
        );
        b.eval("window.scrollTo(0, 0)");
        save_shot("check-print-1366x768.png", &b.screenshot());
    }
    assert_eq!(page_errors(&b), Vec::<String>::new());
    assert_eq!(foreign_requests(&b, &url), Vec::<String>::new());
}

#[test]
fn the_same_scenarios_and_seeds_give_a_byte_identical_report() {
    use convoy_sim::output::report::{Account, html};
    let w = crate::harness::world();
    let basemap = convoy_sim::data::Basemap::embedded().unwrap();
    let scenarios: Vec<_> = ["sohr", "us_military"]
        .iter()
        .map(|name| {
            let text =
                std::fs::read_to_string(repo_path(&format!("scenarios/{name}.toml"))).unwrap();
            convoy_sim::scenario::Scenario::from_toml(&text, name, name, &w).unwrap()
        })
        .collect();
    let page = || {
        let results: Vec<_> = scenarios
            .iter()
            .map(|s| convoy_sim::engine::run(s, &w))
            .collect();
        let accounts: Vec<_> = scenarios
            .iter()
            .zip(&results)
            .map(|(scenario, result)| Account { scenario, result })
            .collect();
        html("two accounts", &accounts, &w, &basemap, None)
    };
    let (a, b) = (page(), page());
    assert!(a == b, "two reports of the same runs differ");
    assert!(a.contains("\"name\":\"sohr\""));
}

/// Issue #13: `sensitivity` writes a report.html of its own — the table of what decides what and
/// every tornado chart inlined — that opens offline with no error, each chart drawn.
#[test]
fn the_sensitivity_report_shows_every_tornado_chart_offline() {
    let out = tempfile::tempdir().unwrap();
    let us = repo_path("scenarios/us_military.toml");
    convoy_ok(&[
        "sensitivity",
        us.to_str().unwrap(),
        "--samples",
        "32",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let dir = out.path().join("sensitivity");
    let charts = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert!(charts > 0);
    let manifest = std::fs::read_to_string(dir.join("convoy-sim.json")).unwrap();
    assert!(manifest.contains("\"report.html\""), "{manifest}");
    let url = file_url(&dir.join("report.html"));

    let mut b = Browser::start(1366, 768);
    b.open(&url);
    assert_eq!(
        b.eval("document.querySelectorAll('#account-us_military figure img').length"),
        charts
    );
    assert_eq!(
        b.eval("[...document.images].every(i => i.complete && i.naturalWidth > 400)"),
        true,
        "a tornado chart did not decode"
    );
    let table = b.eval("document.querySelector('#account-us_military table.decides').textContent");
    assert!(
        table
            .as_str()
            .unwrap()
            .contains("hamaymah_road_cut.position"),
        "{table}"
    );
    save_shot("sensitivity-1366x768.png", &b.screenshot());
    assert_eq!(page_errors(&b), Vec::<String>::new());
    assert_eq!(foreign_requests(&b, &url), Vec::<String>::new());
}
