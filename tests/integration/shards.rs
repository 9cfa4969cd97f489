//! Issue #12, beyond one machine: `--shard K/N` runs a range of the realizations (or of a Sobol
//! study's rows) and `convoy-sim merge` makes of the shards exactly the files the unsharded command
//! writes — every file, byte for byte, whatever the order the shards are given in and the threads
//! each ran on — and refuses shards that are missing, doubled or of another run.

use std::path::Path;

use crate::harness::{convoy_bad_input, convoy_ok, repo_path};

use crate::harness::snapshot as files;

fn assert_same_files(whole: &Path, merged: &Path) {
    let (a, b) = (files(whole), files(merged));
    assert!(!a.is_empty(), "{} is empty", whole.display());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the merge wrote other files"
    );
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs after the merge");
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `args` whole into `out/whole`, then as shards `order` of `n` (shard k on `threads(k)`
/// threads) into `out/shards`, and merges them, given in that order, into `out/merged`. Returns
/// the shard folders in the order given.
fn whole_and_merged(
    out: &Path,
    args: &[&str],
    n: u32,
    order: &[u32],
    threads: impl Fn(u32) -> u32,
) -> Vec<String> {
    let with = |extra: &[&str]| -> Vec<String> {
        args.iter()
            .copied()
            .chain(extra.iter().copied())
            .map(String::from)
            .collect()
    };
    let whole = with(&["--out", path(&out.join("whole")), "--threads", "2"]);
    convoy_ok(&whole.iter().map(String::as_str).collect::<Vec<_>>());
    let mut dirs = Vec::new();
    for &k in order {
        let (shard, t) = (format!("{k}/{n}"), threads(k).to_string());
        let run = with(&[
            "--out",
            path(&out.join("shards")),
            "--shard",
            &shard,
            "--threads",
            &t,
        ]);
        let said = convoy_ok(&run.iter().map(String::as_str).collect::<Vec<_>>());
        let wrote = said.lines().find_map(|l| l.strip_prefix("wrote ")).unwrap();
        let dir = wrote.split(" (merge").next().unwrap().trim_end_matches('/');
        dirs.push(dir.to_string());
    }
    let mut merge = vec!["merge".to_string()];
    merge.extend(dirs.iter().cloned());
    merge.extend(["--out".to_string(), path(&out.join("merged")).to_string()]);
    convoy_ok(&merge.iter().map(String::as_str).collect::<Vec<_>>());
    dirs
}

#[test]
fn issue_12_four_shards_of_a_check_merge_to_the_bytes_of_one_check() {
    let out = tempfile::tempdir().unwrap();
    let (us, hz) = (
        repo_path("scenarios/us_military.toml"),
        repo_path("scenarios/hezbollah.toml"),
    );
    let args = ["check", path(&us), path(&hz), "--runs", "22", "--ach"];
    whole_and_merged(out.path(), &args, 4, &[3, 1, 4, 2], |k| 1 + k % 2);
    assert_same_files(
        &out.path().join("whole/check"),
        &out.path().join("merged/check"),
    );
    let names = files(&out.path().join("merged/check"));
    for f in [
        "check.json",
        "report.html",
        "ach.csv",
        "ach.json",
        "ach.png",
    ] {
        assert!(names.contains_key(f), "{f} not written");
    }
}

#[test]
fn issue_12_shards_of_a_run_across_a_chunk_and_threads_merge_to_the_bytes_of_one_run() {
    let out = tempfile::tempdir().unwrap();
    let s = repo_path("tests/scenarios/one_bus_one_hour.toml");
    // 2,100 realizations: the second and third shards share the chunk of realizations 1,024…
    let args = ["run", path(&s), "--runs", "2100"];
    whole_and_merged(out.path(), &args, 4, &[4, 3, 2, 1], |k| 1 + k % 2);
    let merged = out.path().join("merged/one_bus_one_hour");
    assert_same_files(&out.path().join("whole/one_bus_one_hour"), &merged);
    // Shards run on the other number of threads merge to the same bytes too.
    let again = tempfile::tempdir().unwrap();
    whole_and_merged(again.path(), &args, 4, &[1, 2, 3, 4], |k| 2 - k % 2);
    assert_same_files(&merged, &again.path().join("merged/one_bus_one_hour"));
    assert!(files(&merged).contains_key("ensemble.json"));
}

#[test]
fn issue_12_shards_of_a_sobol_study_and_of_a_compare_merge_to_the_bytes_of_one() {
    let out = tempfile::tempdir().unwrap();
    let us = repo_path("scenarios/us_military.toml");
    let args = ["sensitivity", path(&us), "--samples", "16"];
    whole_and_merged(out.path(), &args, 4, &[2, 4, 1, 3], |_| 1);
    assert_same_files(
        &out.path().join("whole/sensitivity"),
        &out.path().join("merged/sensitivity"),
    );

    let out = tempfile::tempdir().unwrap();
    let (a, b) = (
        repo_path("tests/scenarios/one_bus_one_hour.toml"),
        repo_path("tests/scenarios/bar_zone.toml"),
    );
    let args = ["compare", path(&a), path(&b), "--runs", "12"];
    whole_and_merged(out.path(), &args, 2, &[2, 1], |k| k);
    assert_same_files(&out.path().join("whole"), &out.path().join("merged"));
}

/// Four shards of a short check, and one more of another run.
fn shards(out: &Path, extra: &[&str]) -> Vec<String> {
    let s = repo_path("tests/scenarios/impossible_claim.toml");
    (1..=4)
        .map(|k| {
            let shard = format!("{k}/4");
            let o = out.join(format!("set{k}"));
            let mut args = vec![
                "check",
                path(&s),
                "--runs",
                "8",
                "--shard",
                &shard,
                "--out",
                path(&o),
            ];
            args.extend(extra);
            convoy_ok(&args);
            path(&o.join(format!("check-shard-{k}-of-4"))).to_string()
        })
        .collect()
}

#[test]
fn issue_12_a_missing_a_doubled_or_a_foreign_shard_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let dirs = shards(out.path(), &[]);
    let merged = out.path().join("merged");
    let merge = |given: &[&str]| {
        let mut args = vec!["merge"];
        args.extend(given);
        args.extend(["--out", path(&merged)]);
        convoy_bad_input(&args)
    };
    let d: Vec<&str> = dirs.iter().map(String::as_str).collect();
    let missing = merge(&[d[0], d[1], d[3]]);
    assert!(missing.contains("shard 3 of 4 is missing"), "{missing}");
    let twice = merge(&[d[0], d[1], d[1], d[2], d[3]]);
    assert!(twice.contains("shard 2 is given 2 times"), "{twice}");
    // A shard of the same claims with other arguments, or of another account.
    let other = tempfile::tempdir().unwrap();
    let more_runs = shards(other.path(), &["--ach"]);
    let err = merge(&[d[0], d[1], d[2], &more_runs[3]]);
    assert!(
        err.contains("not a shard of the same run") && err.contains("other arguments"),
        "{err}"
    );
    let another = tempfile::tempdir().unwrap();
    let s = repo_path("tests/scenarios/bar_zone.toml");
    let o = another.path().join("x");
    convoy_ok(&[
        "check",
        path(&s),
        "--runs",
        "8",
        "--shard",
        "4/4",
        "--out",
        path(&o),
    ]);
    let foreign = path(&o.join("check-shard-4-of-4")).to_string();
    let err = merge(&[d[0], d[1], d[2], &foreign]);
    assert!(err.contains("scenarios, seeds or data differ"), "{err}");
    assert!(!merged.join("check").exists(), "nothing is written");
    // A folder that is not a shard.
    let err = merge(&[d[0], path(out.path())]);
    assert!(err.contains("not a shard folder"), "{err}");
    // And the four, in any order, merge.
    convoy_ok(&["merge", d[2], d[0], d[3], d[1], "--out", path(&merged)]);
    assert!(merged.join("check/check.json").exists());
}

#[test]
fn issue_12_a_shard_of_another_seed_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let s = repo_path("tests/scenarios/one_bus_one_hour.toml");
    let shard = |k: u32, seed: &str| {
        let o = out.path().join(format!("{k}-{seed}"));
        convoy_ok(&[
            "run",
            path(&s),
            "--runs",
            "4",
            "--seed",
            seed,
            "--shard",
            &format!("{k}/2"),
            "--out",
            path(&o),
        ]);
        path(&o.join(format!("one_bus_one_hour-shard-{k}-of-2"))).to_string()
    };
    let (a, b) = (shard(1, "1"), shard(2, "2"));
    let err = convoy_bad_input(&["merge", &a, &b, "--out", path(&out.path().join("m"))]);
    assert!(err.contains("scenarios, seeds or data differ"), "{err}");
}

#[test]
fn issue_12_a_shard_that_is_not_k_of_n_is_refused() {
    let s = repo_path("tests/scenarios/one_bus_one_hour.toml");
    let out = tempfile::tempdir().unwrap();
    let run = |shard: &str, runs: &str| {
        convoy_bad_input(&[
            "run",
            path(&s),
            "--runs",
            runs,
            "--shard",
            shard,
            "--out",
            path(out.path()),
        ])
    };
    for (shard, says) in [
        ("0/4", "K must be between 1 and N"),
        ("5/4", "K must be between 1 and N"),
        ("a/b", "K and N are whole numbers"),
        ("3", "give it as K/N"),
        ("1/0", "N must be at least 1"),
    ] {
        let err = run(shard, "10");
        assert!(err.contains(says) && err.contains(shard), "{shard}: {err}");
    }
    let err = run("1/4", "3");
    assert!(err.contains("give N at most 3"), "{err}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn issue_12_shards_run_on_a_data_folder_are_merged_on_it_only() {
    let out = tempfile::tempdir().unwrap();
    let data = out.path().join("data");
    convoy_ok(&["data", "export", path(&data)]);
    let s = repo_path("tests/scenarios/one_bus_one_hour.toml");
    let dirs: Vec<String> = (1..=2)
        .map(|k| {
            let o = out.path().join(format!("s{k}"));
            convoy_ok(&[
                "--data",
                path(&data),
                "run",
                path(&s),
                "--runs",
                "4",
                "--shard",
                &format!("{k}/2"),
                "--out",
                path(&o),
            ]);
            path(&o.join(format!("one_bus_one_hour-shard-{k}-of-2"))).to_string()
        })
        .collect();
    let merged = out.path().join("merged");
    let err = convoy_bad_input(&["merge", &dirs[0], &dirs[1], "--out", path(&merged)]);
    assert!(err.contains("give merge the same --data"), "{err}");
    convoy_ok(&[
        "--data",
        path(&data),
        "merge",
        &dirs[1],
        &dirs[0],
        "--out",
        path(&merged),
    ]);
    assert!(merged.join("one_bus_one_hour/ensemble.json").exists());
}

#[test]
fn issue_12_shards_run_at_once_into_one_folder_all_land_and_merge() {
    let out = tempfile::tempdir().unwrap();
    let s = repo_path("tests/scenarios/impossible_claim.toml");
    let shards = out.path().join("shards");
    let running: Vec<std::process::Child> = (1..=4)
        .map(|k| {
            std::process::Command::new(env!("CARGO_BIN_EXE_convoy-sim"))
                .args(["check", path(&s), "--runs", "8", "--threads", "1"])
                .args(["--shard", &format!("{k}/4"), "--out", path(&shards)])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in running {
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert!(done.status.success(), "{stderr}");
    }
    let dirs: Vec<String> = (1..=4)
        .map(|k| path(&shards.join(format!("check-shard-{k}-of-4"))).to_string())
        .collect();
    let merged = out.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(String::as_str));
    args.extend(["--out", path(&merged)]);
    convoy_ok(&args);
    convoy_ok(&[
        "check",
        path(&s),
        "--runs",
        "8",
        "--out",
        path(&out.path().join("whole")),
    ]);
    assert_same_files(&out.path().join("whole/check"), &merged.join("check"));
}
