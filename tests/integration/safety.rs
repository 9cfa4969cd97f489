//! Nothing is lost, nothing hangs, nothing blows up (issue #9): a test per family of hostile
//! input and fault.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{convoy, convoy_bad_input, convoy_ok, repo_path, snapshot};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn scenario(name: &str) -> PathBuf {
    repo_path(&format!("scenarios/{name}.toml"))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_folder_convoy_sim_did_not_write_is_never_replaced() {
    for (args, folder) in [
        (vec!["run", s(&scenario("sohr"))], "sohr"),
        (
            vec!["compare", s(&scenario("sohr")), s(&scenario("hezbollah"))],
            "compare",
        ),
        (
            vec!["compare", s(&scenario("sohr")), s(&scenario("hezbollah"))],
            "hezbollah",
        ),
        (vec!["check", s(&scenario("sohr")), "--runs", "2"], "check"),
    ] {
        let out = tempfile::tempdir().unwrap();
        let mine = out.path().join(folder);
        std::fs::create_dir(&mine).unwrap();
        std::fs::write(mine.join("notes.md"), "my notes").unwrap();
        let mut all = args.clone();
        all.extend(["--out", s(out.path())]);
        let err = convoy_bad_input(&all);
        assert!(
            err.contains(folder) && err.contains("convoy-sim did not write it"),
            "{err}"
        );
        // Nothing else of the set was written either.
        assert_eq!(names_in(out.path()), vec![folder.to_string()], "{args:?}");
        assert_eq!(names_in(&mine), vec!["notes.md".to_string()]);
    }
}

#[test]
fn a_file_put_into_a_result_folder_keeps_it_from_being_replaced() {
    let out = tempfile::tempdir().unwrap();
    let sohr = scenario("sohr");
    let run = || convoy(&["run", s(&sohr), "--out", s(out.path())]);
    assert!(run().status.success());
    // Rerunning replaces convoy-sim's own folder, byte for byte the same.
    let first = snapshot(out.path());
    assert!(run().status.success());
    assert_eq!(snapshot(out.path()), first);
    assert!(first.contains_key("sohr/convoy-sim.json"));
    std::fs::write(out.path().join("sohr/my-notes.txt"), "keep me").unwrap();
    let err = convoy_bad_input(&["run", s(&scenario("sohr")), "--out", s(out.path())]);
    assert!(err.contains("my-notes.txt"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.path().join("sohr/my-notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn one_command_does_not_replace_another_commands_folder() {
    let out = tempfile::tempdir().unwrap();
    convoy_ok(&[
        "check",
        s(&scenario("sohr")),
        "--runs",
        "2",
        "--out",
        s(out.path()),
    ]);
    // A compare folder where check's was: refused by the folder's own mark, whatever its name.
    std::fs::rename(out.path().join("check"), out.path().join("compare")).unwrap();
    let err = convoy_bad_input(&["compare", s(&scenario("sohr")), "--out", s(out.path())]);
    assert!(err.contains("convoy-sim check"), "{err}");
}

#[test]
fn scenarios_named_like_a_commands_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["check", "compare"] {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::copy(scenario("sohr"), &path).unwrap();
        for cmd in ["run", "compare", "check"] {
            let out = dir.path().join("out");
            let err = convoy_bad_input(&[cmd, s(&path), "--out", s(&out)]);
            assert!(err.contains("rename the file"), "{cmd} {name}: {err}");
            assert!(!out.exists());
        }
    }
}

/// Runs convoy-sim with files limited to `max_file_bytes`, as a full disk would cut them off.
fn convoy_with_file_limit(args: &[&str], max_file_bytes: u64) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_convoy-sim"));
    cmd.args(args);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: max_file_bytes,
                rlim_max: max_file_bytes,
            };
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().unwrap()
}

#[test]
fn a_write_the_system_refuses_leaves_every_previous_result() {
    let out = tempfile::tempdir().unwrap();
    let args = |width: &'static str| {
        vec![
            "compare".to_string(),
            s(&scenario("deal_as_agreed")).to_string(),
            s(&scenario("us_military")).to_string(),
            s(&scenario("hezbollah")).to_string(),
            "--out".to_string(),
            s(out.path()).to_string(),
            "--width".to_string(),
            width.to_string(),
        ]
    };
    let first: Vec<String> = args("1600");
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    convoy_ok(&first);
    let before = snapshot(out.path());
    // Other maps, so any replaced file would differ; and files cut off at 1 MB, which the
    // track points of every account but the first outgrow.
    let second: Vec<String> = args("1200");
    let second: Vec<&str> = second.iter().map(String::as_str).collect();
    let result = convoy_with_file_limit(&second, 1 << 20);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(74), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("as they were"),
        "{stderr}"
    );
    assert!(result.stdout.is_empty());
    assert_eq!(
        snapshot(out.path()),
        before,
        "every folder of the set is the old one"
    );
    assert_eq!(
        names_in(out.path()),
        [
            ".convoy-sim",
            "compare",
            "deal_as_agreed",
            "hezbollah",
            "us_military"
        ]
    );
    let staged = names_in(&out.path().join(".convoy-sim/new"));
    assert!(staged.is_empty(), "nothing left staged: {staged:?}");
}

/// A marked result folder, as convoy-sim writes it, holding `content` in summary.json.
fn marked_folder(path: &Path, content: &str) {
    std::fs::create_dir_all(path).unwrap();
    std::fs::write(path.join("summary.json"), content).unwrap();
    std::fs::write(
        path.join("convoy-sim.json"),
        r#"{"tool":"convoy-sim","version":"0.1.0","command":"run","kind":"run","files":["summary.json"]}"#,
    )
    .unwrap();
}

#[test]
fn what_a_killed_write_left_is_put_right_and_said() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    // A first write makes the output folder's staging place.
    convoy_ok(&["run", s(&scenario("sohr")), "--out", s(o)]);
    let staging = o.join(".convoy-sim");
    // As a write of the set {sohr, us_military} killed half-way leaves things: sohr swapped (its
    // previous folder in old/), us_military not yet (its new folder still in new/).
    std::fs::remove_dir_all(o.join("sohr")).unwrap();
    marked_folder(&o.join("sohr"), "new sohr");
    marked_folder(&staging.join("old/sohr"), "previous sohr");
    marked_folder(&o.join("us_military"), "previous us_military");
    marked_folder(&staging.join("new/us_military"), "new us_military");
    std::fs::write(
        staging.join("journal.json"),
        r#"[{"name":"sohr","had_old":true},{"name":"us_military","had_old":true}]"#,
    )
    .unwrap();
    let result = convoy(&["run", s(&scenario("hezbollah")), "--out", s(o)]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(stderr.contains("sohr: put back"), "{stderr}");
    assert!(
        stderr.contains("removed what a convoy-sim write that was killed had left"),
        "{stderr}"
    );
    assert_eq!(
        names_in(o),
        [".convoy-sim", "hezbollah", "sohr", "us_military"]
    );
    for (name, content) in [
        ("sohr", "previous sohr"),
        ("us_military", "previous us_military"),
    ] {
        assert_eq!(
            std::fs::read_to_string(o.join(name).join("summary.json")).unwrap(),
            content
        );
    }
    assert_eq!(names_in(&staging.join("new")), Vec::<String>::new());
    assert_eq!(names_in(&staging.join("old")), Vec::<String>::new());
    assert!(!staging.join("journal.json").exists());
}

#[test]
fn folders_that_only_look_like_leftovers_are_left_alone() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    // Names the previous build used for its temporary folders, but the user's.
    for name in [".notes.tmp-4999999", ".keep.old-4999999", ".photos.old-1"] {
        marked_folder(&o.join(name), "mine");
    }
    convoy_ok(&["run", s(&scenario("sohr")), "--out", s(o)]);
    assert_eq!(
        names_in(o),
        [
            ".convoy-sim",
            ".keep.old-4999999",
            ".notes.tmp-4999999",
            ".photos.old-1",
            "sohr"
        ]
    );
}

#[test]
fn writers_into_one_folder_take_turns() {
    let out = tempfile::tempdir().unwrap();
    let names = ["sohr", "hezbollah", "us_military", "deal_as_agreed"];
    let children: Vec<_> = names
        .iter()
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_convoy-sim"))
                .args(["run", s(&scenario(n)), "--out", s(out.path())])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let done = child.wait_with_output().unwrap();
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
    }
    let mut expected: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    expected.push(".convoy-sim".into());
    expected.sort();
    assert_eq!(names_in(out.path()), expected);
    for n in names {
        assert!(out.path().join(n).join("summary.json").exists());
    }
}

/// Runs convoy-sim, killing it if it has not finished within `limit`.
fn convoy_within(args: &[&str], limit: Duration) -> Option<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_convoy-sim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn only_a_regular_file_of_bounded_size_is_read_as_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.toml");
    let c = std::ffi::CString::new(s(&fifo)).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let big = dir.path().join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(2 << 20).unwrap();
    let out = dir.path().join("out");
    for (path, says) in [
        (fifo.as_path(), "FIFO"),
        (Path::new("/dev/zero"), "device"),
        (Path::new("/dev/urandom"), "device"),
        (dir.path(), "directory"),
        (big.as_path(), "at most 1024 KiB"),
    ] {
        let result = convoy_within(&["run", s(path), "--out", s(&out)], Duration::from_secs(20))
            .unwrap_or_else(|| panic!("{path:?} hung"));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{path:?}: {stderr}");
        assert!(stderr.contains(says), "{path:?}: {stderr}");
        assert!(!out.exists());
    }
}

#[test]
fn thread_counts_are_bounded() {
    let sohr = scenario("sohr");
    for cmd in [
        vec!["run", s(&sohr), "--runs", "2"],
        vec!["compare", s(&sohr), "--runs", "2"],
        vec!["check", s(&sohr), "--runs", "2"],
    ] {
        let mut args = cmd.clone();
        args.extend(["--threads", "1000000"]);
        let err = convoy_bad_input(&args);
        assert!(err.contains("more than 256"), "{err}");
    }
}

/// Agents cost memory however seldom they are recorded: 100,000 ambulances recorded once a day
/// peaked at 1.84 GB (`/usr/bin/time -v`, release), which the samples alone put at 80 MB and let
/// past a 1 GiB limit.
#[test]
fn many_agents_recorded_seldom_are_refused_by_their_number_too() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(scenario("coalition_townsend"))
        .unwrap()
        .replacen("vehicles = 12\n", "vehicles = 100000\n", 1)
        .replacen("record_every_min = 30\n", "record_every_min = 1440\n", 1);
    assert!(text.contains("vehicles = 100000\n") && text.contains("= 1440\n"));
    let path = dir.path().join("ambulances.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let err = convoy_bad_input(&["run", s(&path), "--out", s(&out), "--max-memory", "1G"]);
    assert!(
        err.contains("would need about") && err.contains("more than 1.0 GiB"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn work_too_big_for_the_memory_is_refused_up_front_with_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    // The validator's own maximum: 100,000 buses, in the US military's two groups, recorded every
    // minute (the files are streamed, so recorded every half hour they fit a large machine).
    let text = std::fs::read_to_string(scenario("us_military"))
        .unwrap()
        .replacen("buses = 17\n", "buses = 100000\n", 1)
        .replacen("buses = 11\n", "buses = 60000\n", 1)
        .replacen("buses = 6\n", "buses = 40000\n", 1)
        .replacen("record_every_min = 30\n", "record_every_min = 1\n", 1);
    let path = dir.path().join("huge.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let err = convoy_bad_input(&["run", s(&path), "--out", s(&out)]);
    assert!(
        err.contains("would need about")
            // 100,000 buses and 12 ambulances; a people agent per fighter and family member
            // (fewer than the buses), one per ambulance for the 26 wounded.
            && err.contains("100663 agents")
            && err.contains("half of the memory this machine or container has"),
        "{err}"
    );
    assert!(!out.exists());
    // A budget of one's own, either way.
    let sohr = scenario("sohr");
    let err = convoy_bad_input(&["run", s(&sohr), "--out", s(&out), "--max-memory", "10M"]);
    assert!(
        err.contains("more than 10 MiB (the --max-memory limit)"),
        "{err}"
    );
    convoy_ok(&["run", s(&sohr), "--out", s(&out), "--max-memory", "2G"]);
    let err = convoy_bad_input(&["run", s(&sohr), "--max-memory", "lots"]);
    assert!(err.contains("512M"), "{err}");
}

#[test]
fn the_heat_map_of_thousands_of_claims_stays_a_picture_one_can_open() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(scenario("sohr")).unwrap();
    let start = base.find("[[claim]]").expect("sohr makes claims");
    let end = base[start + 1..]
        .find("[[claim]]")
        .map_or(base.len(), |e| start + 1 + e);
    let claim = &base[start..end];
    let id_line = claim.lines().find(|l| l.starts_with("id = ")).unwrap();
    // 2,000 claims: twenty accounts of a hundred claims each, the most one scenario may make.
    let mut args = vec!["check".to_string()];
    for f in 0..20 {
        let mut text = base[..start].to_string();
        for k in 0..100 {
            text.push_str(&claim.replacen(id_line, &format!("id = \"claim_{f}_{k}\""), 1));
            text.push('\n');
        }
        let path = dir.path().join(format!("account_{f}.toml"));
        std::fs::write(&path, text).unwrap();
        args.push(s(&path).to_string());
    }
    let out = dir.path().join("out");
    args.extend(["--runs", "1", "--ach", "--out", s(&out)].map(String::from));
    convoy_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let png = std::fs::read(out.join("check/ach.png")).unwrap();
    let (w, h) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert!(w <= 10_000 && h <= 10_000, "ach.png is {w}×{h} px");
    let csv = std::fs::read_to_string(out.join("check/ach.csv")).unwrap();
    assert!(
        csv.contains("claim_19_99"),
        "every claim stays in the table"
    );
}

#[test]
fn untrusted_text_reaches_the_terminal_escaped_and_the_files_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let title = "\u{1b}[2J\u{1b}[31mALL CLEAR\u{202e}";
    let text = std::fs::read_to_string(scenario("sohr")).unwrap();
    let first_title = text.lines().find(|l| l.starts_with("title = ")).unwrap();
    let text = text.replacen(
        first_title,
        "title = \"\\u001b[2J\\u001b[31mALL CLEAR\\u202e\"",
        1,
    );
    let path = dir.path().join("loud.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let printed = convoy_ok(&["run", s(&path), "--out", s(&out)]);
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\u{202e}'),
        "{printed:?}"
    );
    assert!(
        printed.contains("\\u001b[2J\\u001b[31mALL CLEAR\\u202e"),
        "{printed}"
    );
    let summary = std::fs::read_to_string(out.join("loud/summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["account"], title);
    // Errors too: an unknown place named with an escape sequence.
    let err = convoy_bad_input(&["geocode", "\u{1b}]0;pwned\u{7}Palmyra"]);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
}

#[test]
fn a_huge_value_is_echoed_cut_to_a_readable_length() {
    let long = "x".repeat(100_000);
    let dashes = "-".repeat(100_000);
    for args in [
        vec!["geocode", long.as_str()],
        vec!["route", "Palmyra", "Al Bukamal", "--avoid", dashes.as_str()],
        vec!["places", "--at", long.as_str()],
    ] {
        let err = convoy_bad_input(&args);
        assert!(err.len() < 1_000, "{} bytes: {}", err.len(), &err[..200]);
        assert!(err.contains("…"), "the cut is marked: {err}");
    }
}
