//! The README's fresh-machine commands are the ones CI runs.

use crate::harness::repo_path;

/// The shell commands in the README's "On a fresh machine" section, in order.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let section = readme
        .split("## On a fresh machine")
        .nth(1)
        .expect("README has an 'On a fresh machine' section");
    let section = section.split("\n## ").next().unwrap();
    section
        .split("```sh\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn ci_runs_the_readme_test_command() {
    let commands = readme_commands();
    assert_eq!(commands.len(), 2, "main job and test suite: {commands:?}");
    let ci = std::fs::read_to_string(repo_path(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == commands[1]),
        "`.ci/run` must run the README's test command `{}`",
        commands[1]
    );
}

#[test]
fn the_readme_main_job_runs_on_the_embedded_data() {
    let commands = readme_commands();
    let args = commands[0]
        .strip_prefix("cargo run --release -- ")
        .expect("the main job runs the binary through cargo");
    // The shell's work: split words, expand a `dir/*.ext` glob.
    let mut words: Vec<String> = Vec::new();
    for word in args.split_whitespace() {
        match word.split_once("/*.") {
            Some((dir, ext)) => {
                let mut files: Vec<String> = std::fs::read_dir(repo_path(dir))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == ext))
                    .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
                    .collect();
                files.sort();
                words.extend(files);
            }
            None => words.push(word.to_string()),
        }
    }
    // Exactly as written, but writing into a temporary folder rather than the work tree.
    let out_dir = tempfile::tempdir().unwrap();
    let mut words: Vec<&str> = words.iter().map(String::as_str).collect();
    words.extend(["--out", out_dir.path().to_str().unwrap()]);
    let out = crate::harness::convoy_ok(&words);
    assert!(
        out.contains("us_military") && out.contains("deal_as_agreed"),
        "{out}"
    );
    for f in ["compare.png", "compare.csv", "compare.json"] {
        assert!(out_dir.path().join("compare").join(f).exists(), "{f}");
    }
    assert!(out_dir.path().join("us_military/map.png").exists());
}

/// The README's limits table: `what` → `limit`, as written.
fn readme_limits() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let table = readme
        .split("### Limits")
        .nth(1)
        .expect("README has a Limits section");
    table
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split_once(" | "))
        .map(|(what, limit)| (what.to_string(), limit.trim_end_matches(" |").to_string()))
        .collect()
}

/// The largest number in a README cell ("1 to 1,000,000" → 1000000).
fn largest(cell: &str) -> u64 {
    cell.split(|c: char| !c.is_ascii_digit() && c != ',')
        .filter_map(|n| n.replace(',', "").parse().ok())
        .max()
        .unwrap_or_else(|| panic!("no number in {cell:?}"))
}

#[test]
fn the_readme_limits_are_the_ones_enforced() {
    let limits = readme_limits();
    let cell = |what: &str| {
        limits
            .iter()
            .find(|(w, _)| w == what)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| panic!("README Limits lists {what}: {limits:?}"))
    };
    let sohr = repo_path("scenarios/sohr.toml");
    let sohr = sohr.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let runs = largest(&cell("`--runs`"));
    let err = crate::harness::convoy_bad_input(&[
        "run",
        sohr,
        "--out",
        o,
        "--runs",
        &(runs + 1).to_string(),
    ]);
    assert!(err.contains(&runs.to_string()), "{err}");
    let threads = largest(&cell("`--threads`"));
    let err = crate::harness::convoy_bad_input(&[
        "run",
        sohr,
        "--out",
        o,
        "--runs",
        "1",
        "--threads",
        &(threads + 1).to_string(),
    ]);
    assert!(err.contains(&format!("more than {threads}")), "{err}");
    crate::harness::convoy_ok(&[
        "run",
        sohr,
        "--out",
        o,
        "--runs",
        "1",
        "--threads",
        &threads.to_string(),
    ]);
    // "at most 1 MiB": one byte more is refused, and the message says the limit.
    let file = cell("a scenario file");
    assert!(file.contains("at most 1 MiB"), "{file}");
    let big = out.path().join("big.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((1 << 20) + 1)
        .unwrap();
    let err = crate::harness::convoy_bad_input(&["run", big.to_str().unwrap(), "--out", o]);
    assert!(err.contains("at most 1024 KiB"), "{err}");
    // A data folder's file: "at most 256 MiB", refused unread one byte past it.
    let data = cell("a file of a `--data` folder");
    assert!(data.contains("at most 256 MiB"), "{data}");
    let folder = out.path().join("data");
    std::fs::create_dir(&folder).unwrap();
    std::fs::File::create(folder.join("zones.geojson"))
        .unwrap()
        .set_len((256 << 20) + 1)
        .unwrap();
    let err = crate::harness::convoy_bad_input(&["--data", folder.to_str().unwrap(), "places"]);
    assert!(err.contains("at most 262144 KiB"), "{err}");
}
