//! Ensembles: reproducible from the seed whatever the thread count, readable by GDAL, and refused
//! when the request makes no sense.

use crate::harness::{convoy_bad_input, convoy_ok, ogrinfo, repo_path};

fn ensemble_files(threads: &str) -> (tempfile::TempDir, Vec<(String, Vec<u8>)>) {
    ensemble_files_with(threads, &[])
}

fn ensemble_files_with(
    threads: &str,
    extra: &[&str],
) -> (tempfile::TempDir, Vec<(String, Vec<u8>)>) {
    let out = tempfile::tempdir().unwrap();
    let s = repo_path("scenarios/us_military.toml");
    let mut args = vec![
        "run",
        s.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--runs",
        "40",
        "--threads",
        threads,
    ];
    args.extend(extra);
    convoy_ok(&args);
    let files = ["ensemble.json", "ensemble.csv", "ensemble.geojson"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(out.path().join("us_military").join(f)).unwrap(),
            )
        })
        .collect();
    (out, files)
}

#[test]
fn the_same_seed_and_runs_give_the_same_files_on_one_thread_or_many() {
    let (_a, one) = ensemble_files("1");
    let (dir, many) = ensemble_files("4");
    assert_eq!(one, many);
    let json: serde_json::Value = serde_json::from_slice(&one[0].1).unwrap();
    assert_eq!(json["runs"], 40);
    // The six buses toward Palmyra spread out (stop_after_km is drawn); the stuck eleven spread
    // with the cut, drawn along its road (issue #12) — and not at all when it is held fixed.
    let agents = json["agents"].as_array().unwrap();
    let spread = |agents: &Vec<serde_json::Value>, id: &str| {
        agents.iter().find(|a| a["id"] == id).unwrap()["max_km_from_mean"]
            .as_f64()
            .unwrap()
    };
    assert!(spread(agents, "bus-toward_palmyra-01") > 10.0);
    assert!(spread(agents, "bus-stuck-01") > 1.0);
    let (_f, fixed) = ensemble_files_with("2", &["--fix", "hamaymah_road_cut.position"]);
    let fixed: serde_json::Value = serde_json::from_slice(&fixed[0].1).unwrap();
    let fixed_agents = fixed["agents"].as_array().unwrap();
    assert_eq!(spread(fixed_agents, "bus-stuck-01"), 0.0);
    assert!(spread(fixed_agents, "bus-toward_palmyra-01") > 10.0);
    for a in agents {
        let total: f64 = a["zone_probability"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!(
            (total - 1.0).abs() < 1e-3,
            "{}: zone probabilities add to {total}",
            a["id"]
        );
    }
    let grid = ogrinfo(&dir.path().join("us_military/ensemble.geojson"));
    assert_eq!(grid.geometry, "Polygon");
    assert!(grid.features > 1);
}

#[test]
fn absurd_ensembles_are_refused() {
    let s = repo_path("scenarios/sohr.toml");
    let s = s.to_str().unwrap();
    assert!(convoy_bad_input(&["run", s, "--runs", "0"]).contains("at least 1"));
    assert!(convoy_bad_input(&["run", s, "--runs", "5", "--threads", "0"]).contains("at least 1"));
    assert!(convoy_bad_input(&["run", s, "--runs", "99999999999"]).contains("more than"));
    convoy_bad_input(&["run", s, "--runs", "-3"]);
    convoy_bad_input(&["run", s, "--threads", "2"]);
}

#[test]
fn ctrl_c_during_an_ensemble_stops_it_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("us_military");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("earlier.txt"), "an earlier run").unwrap();
    let s = repo_path("scenarios/us_military.toml");
    // Far more realizations than can finish before the interrupt.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_convoy-sim"))
        .args(["run", s.to_str().unwrap(), "--runs", "900000", "--out"])
        .arg(out.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(done.stdout.is_empty());
    // The earlier results are untouched, and nothing half-written is left beside them.
    let left: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["us_military".to_string()]);
    let inside: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(inside, vec!["earlier.txt".to_string()]);
}

/// Issue #9: an ensemble keeps a tally, not its realizations, so fifty times the runs take no
/// more memory. Peak resident memory of the whole process, as the kernel counts it.
#[cfg(target_os = "linux")]
#[test]
fn issue_9_peak_memory_does_not_grow_with_runs() {
    let peak_kb = |runs: &str| {
        let out = tempfile::tempdir().unwrap();
        let s = repo_path("tests/scenarios/one_bus_one_hour.toml");
        let args = [
            s.to_str().unwrap(),
            "--runs",
            runs,
            "--width",
            "640",
            "--height",
            "400",
        ];
        #[expect(
            clippy::zombie_processes,
            reason = "wait4 reaps it, for its resource usage"
        )]
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_convoy-sim"))
            .arg("run")
            .args(args)
            .arg("--out")
            .arg(out.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id() as libc::pid_t;
        let mut status = 0;
        // SAFETY: an all-zero rusage is valid; wait4 fills it and reaps the child, whose handle
        // is not waited on again.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(reaped, pid);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "convoy-sim run {args:?} failed: {status}"
        );
        usage.ru_maxrss
    };
    let (few, many) = (peak_kb("2000"), peak_kb("100000"));
    // The first holds about 16 MB; keeping each realization's ends would add 7 MB or more.
    assert!(
        many <= few + few / 5 + 1024,
        "2000 runs peaked at {few} KB, 100000 runs at {many} KB"
    );
}
