//! Issue #9: no scenario file makes convoy-sim panic, hang, answer with an unreadable message or
//! leave stray files. The shipped scenarios are mutated at random — values swapped for extremes
//! (0, -1, 1e-15, 1e308, nan, huge integers, far-off times), lines deleted, duplicated or swapped,
//! keys swapped, the text truncated, bytes and Unicode inserted — and each result must either fail
//! validation with a bounded message (or be too big for the memory budget, which the binary
//! refuses up front) or run to its end, and through `check`, within a time limit.
//! A few go through the binary, which must exit 0 or 2 and leave only its run folder. Arbitrary
//! bytes get the same treatment. `tests/fuzz-corpus/` keeps the inputs that once broke it; every
//! one runs every time.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use convoy_sim::Geography;
use convoy_sim::cost::{BASE_BYTES, Cost};
use convoy_sim::scenario::{Scenario, ScenarioError};
use convoy_sim::{check, engine};
use proptest::prelude::*;

use crate::harness::{convoy, toml_files};
use crate::scenarios::scenario_files;

/// The memory the binary may use here (`--max-memory`): a scenario estimated to need more is
/// refused before it runs, so the library cases skip running it. Keeps every case small on any
/// machine: at most about 4,000 agents, which the unoptimised test build runs in well under
/// [`CASE_LIMIT`] on a loaded machine (100,000 ambulances under a 1 GiB budget took 14 minutes).
const BUDGET: u64 = 128 << 20;
const BUDGET_ARG: &str = "128M";

/// The embedded data, loaded once for every case.
fn shared_world() -> &'static Geography {
    static WORLD: OnceLock<Geography> = OnceLock::new();
    WORLD.get_or_init(crate::harness::world)
}

/// The shipped scenarios' text, read once.
fn shipped() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        scenario_files()
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    })
}

/// Longest a single case may take, validation and run together, in the unoptimised test build.
/// The slowest shipped scenario takes about a second; a case over this is a hang.
const CASE_LIMIT: Duration = Duration::from_secs(60);

/// Longest key, message or hint a problem may carry: a name is echoed in at most 80 characters.
const MAX_PROBLEM_CHARS: usize = 700;

/// Numbers at the edges of the limits (so that some mutated files are still valid and run), and
/// numbers that have broken time arithmetic and parsers elsewhere.
const NUMBERS: &[&str] = &[
    "0.5",
    "0.5000001",
    "1",
    "8",
    "150",
    "[0.5, 150]",
    "[0.5, 0.5]",
    "720",
    "[0, 720]",
    "5000",
    "1000",
    "100000",
    "1440",
    "0.1",
    "500",
    "0",
    "-0",
    "-0.0",
    "-1",
    "1e-15",
    "-1e-15",
    "5e-324",
    "0.4999",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "4294967296",
    "4294967295",
    "100001",
    "1001",
    "[]",
    "[1]",
    "[1, 2, 3]",
    "[0, 0]",
    "[1e308, 1e308]",
    "[-1e308, 1e308]",
    "[1e-15, 1e-15]",
    "[1e-15, 100]",
    "[nan, 1]",
    "[60, 40]",
];

/// Times and dates: at the run's and the zones' edges, and far outside them.
const TIMES: &[&str] = &[
    "2017-09-04T23:59:59Z",
    "2017-08-28T00:00:01Z",
    "2017-08-27T00:00:00Z",
    "2017-09-05T00:00:00Z",
    "2017-08-29T00:00:00+03:00",
    "2017-08-29T00:00:00",
    "2017-08-29T00:00:00+23:59",
    "2017-08-29T00:00:00-23:59",
    "2016-12-31T23:59:60Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z",
    "[2017-08-29T00:00:00Z, 9999-12-31T00:00:00Z]",
    "[2017-08-29T00:00:00Z]",
    "[2017-08-30T00:00:00Z, 2017-08-29T00:00:00Z]",
    "07:32:00",
];

/// Plain dates, as citations give them.
const DATES: &[&str] = &[
    "2017-09-04",
    "1979-05-27",
    "0001-01-01",
    "9999-12-31",
    "2017-02-29",
];

/// Other kinds of value, to put where they do not belong.
const OTHERS: &[&str] = &[
    "\"\"",
    "\" \"",
    "\"Palmyra\"",
    "[\"Palmyra\", \"Rawa\", \"Homs\"]",
    "[\"Palmyra\", \"Nowhere\"]",
    "\"Palmyra-Rawa\"",
    "\"\\u0000\\u001b[31m\"",
    "\"تدمر\"",
    "true",
    "false",
    "{}",
];

/// One change to a scenario's text. Indices are taken modulo what the text holds.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace a bare value (a number, date or word) with an extreme: of the same kind (a number
    /// for a number, a time for a time) if `same_kind`, else of any kind.
    Value {
        token: usize,
        extreme: usize,
        same_kind: bool,
    },
    /// Replace the whole value of a numeric key (`speed_kmh = [40, 60]`) with an extreme number.
    Number {
        key: usize,
        extreme: usize,
    },
    /// Replace a value (a quoted string too) with a long string.
    LongValue {
        token: usize,
        chars: usize,
    },
    Delete {
        line: usize,
    },
    Duplicate {
        line: usize,
    },
    SwapLines {
        a: usize,
        b: usize,
    },
    /// Exchange the keys of two `key = value` lines.
    SwapKeys {
        a: usize,
        b: usize,
    },
    /// Keep the first `permille`/1000 of the text.
    Truncate {
        permille: usize,
    },
    Insert {
        at: usize,
        text: String,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let inserted = prop_oneof![
        any::<String>(),
        "[\\x00-\\x7f]{1,12}",
        Just("\n[[bus_group]]\n".to_string()),
    ];
    prop_oneof![
        12 => (any::<usize>(), any::<usize>(), prop::bool::weighted(0.8)).prop_map(
            |(token, extreme, same_kind)| Mutation::Value { token, extreme, same_kind }
        ),
        12 => (any::<usize>(), 0..NUMBERS.len())
            .prop_map(|(key, extreme)| Mutation::Number { key, extreme }),
        1 => (any::<usize>(), 100..20_000usize)
            .prop_map(|(token, chars)| Mutation::LongValue { token, chars }),
        1 => any::<usize>().prop_map(|line| Mutation::Delete { line }),
        1 => any::<usize>().prop_map(|line| Mutation::Duplicate { line }),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapKeys { a, b }),
        1 => (0..1000usize).prop_map(|permille| Mutation::Truncate { permille }),
        2 => (any::<usize>(), inserted).prop_map(|(at, text)| Mutation::Insert { at, text }),
    ]
}

/// Keys whose values are numbers or `[low, high]` ranges.
const NUMERIC_KEYS: &[&str] = &[
    "seed",
    "record_every_min",
    "buses",
    "count",
    "speed_kmh",
    "stop_after_km",
    "wait_h",
    "people",
    "fighters",
    "families",
    "wounded",
    "within_km",
];

/// Byte ranges of the values of [`NUMERIC_KEYS`] in `text`, arrays whole.
fn numeric_values(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for key in NUMERIC_KEYS {
        for (at, _) in text.match_indices(&format!("{key} = ")) {
            let start = at + key.len() + 3;
            let rest = &text[start..];
            let len = if rest.starts_with('[') {
                rest.find(']').map_or(rest.len(), |e| e + 1)
            } else {
                rest.find([',', '}', '\n', ' ']).unwrap_or(rest.len())
            };
            found.push((start, start + len));
        }
    }
    found.sort();
    found
}

/// Byte ranges of the values in `text`, and whether each is a quoted string; the others are runs
/// of number, date or word characters that start a value.
fn value_tokens(text: &str) -> Vec<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b':' | b'_');
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            let end = text[i + 1..]
                .find(['"', '\n'])
                .map_or(bytes.len(), |e| i + 2 + e);
            tokens.push((i, end.min(bytes.len()), true));
            i = end.max(i + 1);
        } else if (b.is_ascii_digit()
            || b == b'-'
            || b == b't'
            || b == b'f'
            || b == b'n'
            || b == b'i')
            && (i == 0 || !word(bytes[i - 1]))
            && text[..i].trim_end().ends_with(['=', '[', ','])
        {
            let end = (i..bytes.len())
                .find(|&j| !word(bytes[j]))
                .unwrap_or(bytes.len());
            tokens.push((i, end, false));
            i = end;
        } else {
            i += 1;
        }
    }
    tokens
}

fn apply(text: &str, m: &Mutation) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let line = |i: usize| i % lines.len().max(1);
    let replace_token = |token: usize, strings: bool, with: &dyn Fn(&str) -> String| {
        let tokens: Vec<_> = value_tokens(text)
            .into_iter()
            .filter(|t| strings || !t.2)
            .collect();
        match tokens.get(token % tokens.len().max(1)) {
            Some(&(a, b, _)) => format!("{}{}{}", &text[..a], with(&text[a..b]), &text[b..]),
            None => text.to_string(),
        }
    };
    match m {
        Mutation::Number { key, extreme } => {
            let values = numeric_values(text);
            match values.get(key % values.len().max(1)) {
                Some(&(a, b)) => format!("{}{}{}", &text[..a], NUMBERS[*extreme], &text[b..]),
                None => text.to_string(),
            }
        }
        Mutation::Value {
            token,
            extreme,
            same_kind,
        } => {
            let replaced = |t: &str| {
                let time = t.contains('-') && !t.starts_with('-');
                let kinds: &[&[&str]] = match (same_kind, time, t.contains(':')) {
                    (true, true, true) => &[TIMES],
                    (true, true, false) => &[DATES],
                    (true, false, _) => &[NUMBERS],
                    (false, ..) => &[NUMBERS, TIMES, DATES, OTHERS],
                };
                let all: Vec<&str> = kinds.iter().flat_map(|k| k.iter().copied()).collect();
                all[extreme % all.len()].to_string()
            };
            replace_token(*token, false, &replaced)
        }
        Mutation::LongValue { token, chars } => {
            replace_token(*token, true, &|_| format!("\"{}\"", "قx".repeat(chars / 2)))
        }
        Mutation::Delete { line: i } if !lines.is_empty() => {
            let mut l = lines.clone();
            l.remove(line(*i));
            l.concat()
        }
        Mutation::Duplicate { line: i } if !lines.is_empty() => {
            let mut l = lines.clone();
            l.insert(line(*i), lines[line(*i)]);
            l.concat()
        }
        Mutation::SwapLines { a, b } if !lines.is_empty() => {
            let mut l = lines.clone();
            l.swap(line(*a), line(*b));
            l.concat()
        }
        Mutation::SwapKeys { a, b } => {
            let keyed: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains(" = "))
                .collect();
            if keyed.is_empty() {
                return text.to_string();
            }
            let (a, b) = (keyed[a % keyed.len()], keyed[b % keyed.len()]);
            let split = |i: usize| lines[i].split_once(" = ").unwrap();
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            l[a] = format!("{} = {}", split(b).0, split(a).1);
            l[b] = format!("{} = {}", split(a).0, split(b).1);
            l.concat()
        }
        Mutation::Truncate { permille } => {
            let mut at = text.len() * permille / 1000;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_string()
        }
        Mutation::Insert { at, text: t } => {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            format!("{}{t}{}", &text[..at], &text[at..])
        }
        _ => text.to_string(),
    }
}

/// Validates `text` and, if it is valid, runs it, on another thread so that a hang is caught:
/// `Err` says what went wrong (a panic, a hang or an unbounded message).
fn parse_and_run(text: &str) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let owned = text.to_string();
    std::thread::spawn(move || {
        let world = shared_world();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            match Scenario::from_toml(&owned, "fuzz.toml", "fuzz", world) {
                // Too big for the budget: the binary refuses it before it runs.
                Ok(s) if BASE_BYTES + Cost::of(&s).run_bytes() > BUDGET => Ok(()),
                Ok(s) => check_run(&s, world),
                Err(e) => check_message(&e),
            }
        }));
        let _ = tx.send(outcome.unwrap_or_else(|p| Err(format!("panicked: {}", panic_text(&*p)))));
    });
    match rx.recv_timeout(CASE_LIMIT) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("still running after {CASE_LIMIT:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the thread died".into()),
    }
}

/// Runs a valid scenario to its end, and checks its claims against it (`convoy-sim check`), whose
/// reach search does its own time arithmetic on the scenario's speeds.
fn check_run(s: &Scenario, world: &Geography) -> Result<(), String> {
    let r = engine::run(s, world);
    if r.sample_times.last() != Some(&s.end) {
        return Err("the run did not reach its end".into());
    }
    check::check(std::slice::from_ref(s), world, 1, Some(1), &|| true)
        .map(|_| ())
        .map_err(|e| format!("check failed: {e}"))
}

/// Every problem names where it is and says what is wrong in a bounded number of characters.
fn check_message(e: &ScenarioError) -> Result<(), String> {
    if e.problems.is_empty() {
        return Err("a validation error without a problem".into());
    }
    for p in &e.problems {
        let hint = p.hint.as_deref().unwrap_or_default();
        for (what, text) in [
            ("key", &p.key[..]),
            ("message", &p.message[..]),
            ("hint", hint),
        ] {
            let n = text.chars().count();
            if n > MAX_PROBLEM_CHARS {
                return Err(format!(
                    "a {what} of {n} characters: {}…",
                    text.chars().take(200).collect::<String>()
                ));
            }
        }
        if p.message.trim().is_empty() {
            return Err(format!("an empty message at {}", p.key));
        }
    }
    Ok(())
}

/// The first 500 characters of a long text, for a failure message.
fn short(text: &str) -> String {
    text.chars().take(500).collect()
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// Keeps a failing input where a developer can rerun it, and says where.
fn keep(input: &str, why: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:016x}.toml", fnv(input.as_bytes())));
    std::fs::write(&path, input).unwrap();
    let head: String = input.chars().take(300).collect();
    format!(
        "{why}\ninput kept in {}; it begins:\n{head}",
        path.display()
    )
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn mutated() -> impl Strategy<Value = (usize, Vec<Mutation>)> {
    (
        0..shipped().len(),
        proptest::collection::vec(mutation(), 1..3),
    )
}

fn mutate(file: usize, mutations: &[Mutation]) -> String {
    mutations
        .iter()
        .fold(shipped()[file].clone(), |t, m| apply(&t, m))
}

/// Runs `convoy-sim run` on `text` as a file and checks it keeps the contract of [`run_binary`].
fn through_the_binary(text: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("fuzzed.toml");
    std::fs::write(&input, text).unwrap();
    run_binary(&input).map(|_| ())
}

/// Runs `convoy-sim run INPUT --out OUT` into a fresh OUT: its exit code and stderr, or how it broke
/// the contract — a panic, an exit other than 0 or 2, stray files (on exit 0 OUT must hold just
/// the run folder, on exit 2 nothing), or no or an unbounded message on exit 2.
fn run_binary(input: &Path) -> Result<(i32, String), String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let started = Instant::now();
    let run = convoy(&[
        "run",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--max-memory",
        BUDGET_ARG,
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    let entries: Vec<String> = std::fs::read_dir(&out)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let stem = input.file_stem().unwrap().to_string_lossy();
    let elapsed = started.elapsed();
    match run.status.code() {
        _ if stderr.contains("panicked") => Err(format!("panicked: {stderr}")),
        // Beside the run folder, only convoy-sim's own staging folder.
        Some(0) if entries.iter().filter(|e| *e != ".convoy-sim").eq([&*stem]) => Ok((0, stderr)),
        Some(2) if entries.is_empty() && !stderr.trim().is_empty() && stderr.len() < 100_000 => {
            Ok((2, stderr))
        }
        code => Err(format!(
            "exit {code:?} after {elapsed:?}, {} bytes of stderr, --out holds {entries:?}: {}",
            stderr.len(),
            short(&stderr)
        )),
    }
}

proptest! {
    // About 15 s in the test profile on one core.
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_fail_cleanly_or_run_to_the_end((file, mutations) in mutated()) {
        let text = mutate(file, &mutations);
        if let Err(why) = parse_and_run(&text) {
            prop_assert!(false, "{}", keep(&text, &why));
        }
    }

    #[test]
    fn arbitrary_bytes_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(why) = parse_and_run(&text) {
            prop_assert!(false, "{}", keep(&text, &why));
        }
    }
}

proptest! {
    // Each success writes maps; about 10 s in the test profile.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_binary_exits_0_or_2_and_leaves_no_stray_files((file, mutations) in mutated()) {
        let text = mutate(file, &mutations);
        if let Err(why) = through_the_binary(text.as_bytes()) {
            prop_assert!(false, "{}", keep(&text, &why));
        }
    }

    #[test]
    fn the_binary_refuses_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(why) = through_the_binary(&bytes) {
            prop_assert!(false, "{}", keep(&String::from_utf8_lossy(&bytes), &why));
        }
    }
}

/// Every input in `tests/fuzz-corpus/` once panicked or hung; its `# expect:` line says what the
/// binary must now answer (exit 2 with that text, or `ok` for exit 0).
#[test]
fn the_fuzz_corpus_is_answered_as_it_expects() {
    let files = toml_files("tests/fuzz-corpus");
    assert!(files.len() >= 5, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", path.display()));
        let (code, stderr) =
            run_binary(&path).unwrap_or_else(|why| panic!("{}: {why}", path.display()));
        if expect == "ok" {
            assert_eq!(code, 0, "{}: {stderr}", path.display());
        } else {
            assert_eq!(code, 2, "{}: {stderr}", path.display());
            assert!(
                stderr.contains(expect),
                "{}: expected {expect:?} in {stderr}",
                path.display()
            );
        }
        parse_and_run(&text).unwrap_or_else(|why| panic!("{}: {why}", path.display()));
    }
}

#[test]
fn huge_names_keys_and_ids_make_short_messages() {
    let good = &shipped()[0];
    // As long as a name can be in a file the CLI reads (at most 1 MiB); the work it costs is
    // bounded by that limit and by the gazetteer's own bound on a query, not by a timer here.
    let huge = "Palmyra".repeat(140_000);
    for text in [
        good.replacen("[run]", &format!("{huge} = 1\n[run]"), 1),
        good.replacen("\"Al Bukamal\"", &format!("\"{huge}\""), 1),
        good.replacen("id = \"", &format!("id = \"{huge}"), 1),
        good.replacen("kind = \"fighters\"", &format!("kind = \"{huge}\""), 1),
    ] {
        assert!(text.len() <= 1 << 20, "{} bytes", text.len());
        let err = Scenario::from_toml(&text, "huge.toml", "huge", shared_world()).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.len() < 2_000 && shown.contains('…'),
            "{} bytes: {}",
            shown.len(),
            short(&shown)
        );
    }
}

#[test]
fn numeric_values_are_found_whole() {
    let text = "buses = 17\nspeed_kmh = [40, 60]\nplan = [{ wait_h = 2 }]\n";
    let found: Vec<&str> = numeric_values(text)
        .iter()
        .map(|&(a, b)| &text[a..b])
        .collect();
    assert_eq!(found, ["17", "[40, 60]", "2"]);
}

#[test]
fn value_tokens_find_numbers_dates_and_strings() {
    let text = "a = 1\nb = [40, 60]\nc = 2017-08-29T00:00:00Z\nd = \"x y\"\ne = { f = -3 }\n";
    let found: Vec<&str> = value_tokens(text)
        .iter()
        .map(|&(a, b, _)| &text[a..b])
        .collect();
    assert_eq!(
        found,
        ["1", "40", "60", "2017-08-29T00:00:00Z", "\"x y\"", "-3"]
    );
}
