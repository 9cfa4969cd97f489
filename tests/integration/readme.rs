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
    // Split the shell words: plain words and "double-quoted" ones.
    let mut words = Vec::new();
    let mut rest = args.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').expect("closing quote");
            words.push(quoted[..end].to_string());
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            words.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    // Exactly as written, but writing into a temporary folder rather than the work tree.
    let out_dir = tempfile::tempdir().unwrap();
    let mut words: Vec<&str> = words.iter().map(String::as_str).collect();
    words.extend(["--out", out_dir.path().to_str().unwrap()]);
    let out = crate::harness::convoy_ok(&words);
    assert!(
        out.contains("stalled") && out.contains("unaccounted"),
        "{out}"
    );
    assert!(out_dir.path().join("us_military/summary.json").exists());
}
