//! `--shard K/N` and `convoy-sim merge SHARD...`: an ensemble, a check or a Sobol study split by
//! realization range (or Saltelli row range) across processes or machines (issue #12).
//!
//! Shard K of N of R realizations runs `[⌊(K−1)·R/N⌋, ⌊K·R/N⌋)` and writes, instead of the
//! command's files, a folder `OUT/<what>-shard-K-of-N/` marked as convoy-sim's (kind `shard`)
//! holding `shard.json`: the command line, the arguments that must agree across shards, the
//! inputs read (scenario paths, seeds and SHA-256, the embedded data's SHA-256), K, N, the range,
//! and the partial fold state (`convoy_sim::ensemble::shard`, `convoy_sim::check::CheckPartial`,
//! `convoy_sim::sensitivity::Evaluations`) — accumulators, not files.
//!
//! `merge` checks that the shards are of one command, arguments, inputs and seed, and that shards
//! 1…N are there once each, then runs the command again from its own command line with the
//! merged state in place of the realizations: the single runs, maps and reports (which do not
//! depend on the realizations) are made again, as the unsharded command makes them, and
//! everything goes through the same writers and the same safe output ([`super::files`]). The
//! scenario files are read again from the paths the shards read, so `merge` runs from the folder
//! the shards ran from, and refuses scenarios that changed since.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use clap::{Args, Parser};
use convoy_sim::Geography;
use convoy_sim::output::run::OutputFile;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::files::{Folder, Kind, MANIFEST};
use super::{Command, Error, printable, write};

/// Merge the partial results of `--shard K/N` runs into the files the unsharded command writes.
///
/// Give the shard folders (OUT/<what>-shard-K-of-N/) of shards 1 to N, in any order. They must be
/// of one command with the same arguments, scenarios (by SHA-256) and seeds. The command's files
/// are written into OUT as the unsharded command writes them, byte for byte. Run merge from the
/// folder the shards ran from, with their --data if any: the scenarios are read again from the
/// same paths.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim check scenarios/*.toml --runs 100000 --shard 3/8 --out shards\n  convoy-sim merge shards/check-shard-*-of-8 --out results"
)]
pub struct MergeArgs {
    /// Shard folders, as `--shard K/N` wrote them.
    #[arg(required = true, value_name = "SHARD")]
    shards: Vec<PathBuf>,
    /// Folder to write into, as the command's own --out.
    #[arg(long, default_value = "out", value_name = "OUT")]
    out: PathBuf,
    /// Threads for what is left to compute (default: all cores). The results do not depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
}

/// Shard K of N, as `--shard K/N` gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

/// Parses `K/N` for clap.
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| "give it as K/N, e.g. 3/8 for the third of eight shards".to_string())?;
    let number = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| "K and N are whole numbers: give it as K/N, e.g. 3/8".to_string())
    };
    let (k, n) = (number(k)?, number(n)?);
    if n == 0 {
        return Err("N must be at least 1".into());
    }
    if k < 1 || k > n {
        return Err(format!("K must be between 1 and N (1 to {n})"));
    }
    Ok(Shard { k, n })
}

impl Shard {
    /// Its range of `0..total`, checking that there are at least N.
    pub fn range(&self, total: u64, what: &str) -> Result<Range<u32>, Error> {
        if self.n as u64 > total {
            return Err(Error::input(format!(
                "--shard {}/{}: {} shards of {total} {what}: give N at most {total}",
                self.k, self.n, self.n
            )));
        }
        let at = |k: u32| (k as u64 * total / self.n as u64) as u32;
        Ok(at(self.k - 1)..at(self.k))
    }
}

/// How a command gets its realizations (or a Sobol study its rows).
pub enum Realizations {
    /// All of them, here.
    Here,
    /// `--shard K/N`: only the shard's range, written as a partial state.
    Shard(Shard),
    /// From `merge`: the states of shards 1…N in order, and the inputs they were made from.
    Merged { states: Vec<Value>, inputs: Value },
}

impl Realizations {
    pub fn of(shard: Option<Shard>) -> Self {
        shard.map_or(Realizations::Here, Realizations::Shard)
    }

    /// The shard to run, if this is one.
    pub fn shard(&self) -> Option<Shard> {
        match self {
            Realizations::Shard(s) => Some(*s),
            _ => None,
        }
    }

    /// For a merge: refuses scenarios that are not the ones the shards read.
    pub fn check_inputs(&self, now: &Value) -> Result<(), Error> {
        let Realizations::Merged { inputs, .. } = self else {
            return Ok(());
        };
        if inputs == now {
            return Ok(());
        }
        if inputs["scenarios"] == now["scenarios"] {
            return Err(Error::input(
                "the data read now (places, roads, zones, sources) is not what the shards read: run merge with the --data the shards ran with, its files as they were",
            ));
        }
        let names = |v: &Value| -> Vec<String> {
            v["scenarios"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|s| format!("{} ({})", s["path"], s["sha256"]))
                        .collect()
                })
                .unwrap_or_default()
        };
        Err(Error::input(format!(
            "the scenarios read now are not those the shards ran: now {}, the shards {}; run merge from the folder the shards ran from, with the scenario files as they were",
            names(now).join(", "),
            names(inputs).join(", ")
        )))
    }

    /// The states of a merge, read back as `T`.
    pub fn states<T: for<'de> Deserialize<'de>>(states: &[Value]) -> Result<Vec<T>, Error> {
        states
            .iter()
            .enumerate()
            .map(|(k, v)| {
                T::deserialize(v).map_err(|e| {
                    Error::input(format!(
                        "shard {} of {}: its state is not one this convoy-sim reads ({e}); run the shards again",
                        k + 1,
                        states.len()
                    ))
                })
            })
            .collect()
    }
}

/// What `shard.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct ShardFile {
    format: String,
    tool_version: String,
    /// `run`, `compare`, `check` or `sensitivity`.
    command: String,
    /// The command line after the program's name, as given, for `merge` to run again.
    argv: Vec<String>,
    /// The arguments that must agree across shards: all but --shard, --out and --threads.
    arguments: String,
    /// The scenarios read and the embedded data (see `convoy_sim::output::provenance`).
    inputs: Value,
    shard: Shard,
    range: Range<u32>,
    state: Value,
}

const FORMAT: &str = "convoy-sim shard 1";
const FILE: &str = "shard.json";

/// The arguments that must agree across shards, from a command's arguments with --shard, --out
/// and --threads set aside.
pub fn arguments(args: &impl std::fmt::Debug) -> String {
    format!("{args:?}")
}

/// Writes shard `shard`'s partial `state` into `OUT/<what>-shard-K-of-N/` and says so.
pub fn write_shard(
    out: &Path,
    command: &str,
    what: &str,
    (shard, range): (Shard, Range<u32>),
    arguments: String,
    inputs: &Value,
    state: &impl Serialize,
) -> Result<String, Error> {
    let argv = std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string().map_err(|a| {
                Error::input(format!(
                    "{}: a shard records its command line for merge, which must be UTF-8 text",
                    a.to_string_lossy()
                ))
            })
        })
        .collect::<Result<Vec<String>, Error>>()?;
    let internal = |e: serde_json::Error| Error::Internal(Box::new(e));
    let file = ShardFile {
        format: FORMAT.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        command: command.into(),
        argv,
        arguments,
        inputs: inputs.clone(),
        shard,
        range: range.clone(),
        state: serde_json::to_value(state).map_err(internal)?,
    };
    let mut text = serde_json::to_vec(&file).map_err(internal)?;
    text.push(b'\n');
    let name = format!("{what}-shard-{}-of-{}", shard.k, shard.n);
    write(
        out,
        command,
        &[Folder {
            name: name.clone(),
            kind: Kind::Shard,
            files: vec![OutputFile::new(FILE, text)],
        }],
    )?;
    Ok(printable(&format!(
        "shard {} of {}: realizations {}..{} of {what}\nwrote {}/ (merge all {} with `convoy-sim merge`)\n",
        shard.k,
        shard.n,
        range.start,
        range.end,
        out.join(&name).display(),
        shard.n
    ))
    .into_owned())
}

/// A shard's command line for a message: its first words.
fn command_line(argv: &[String]) -> String {
    const WORDS: usize = 16;
    let mut shown = argv
        .iter()
        .take(WORDS)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    if argv.len() > WORDS {
        shown.push_str(" …");
    }
    shown
}

/// Reads one shard folder's `shard.json`, refusing what convoy-sim did not write as a shard.
fn read(dir: &Path) -> Result<ShardFile, Error> {
    let shown = dir.display();
    let marked = std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|t| serde_json::from_slice::<Value>(&t).ok())
        .is_some_and(|m| m["tool"] == "convoy-sim" && m["kind"] == "shard");
    if !marked {
        return Err(Error::input(format!(
            "{shown}: is not a shard folder convoy-sim wrote (no {MANIFEST} of kind shard); give the folders `--shard K/N` wrote"
        )));
    }
    let text = std::fs::read(dir.join(FILE))
        .map_err(|e| Error::input(format!("{shown}/{FILE}: cannot read: {e}")))?;
    let file: ShardFile = serde_json::from_slice(&text).map_err(|e| {
        Error::input(format!(
            "{shown}/{FILE}: is not a shard this convoy-sim reads ({e})"
        ))
    })?;
    if file.format != FORMAT || file.tool_version != env!("CARGO_PKG_VERSION") {
        return Err(Error::input(format!(
            "{shown}: was written by convoy-sim {} ({}); merge it with that version, or run the shards again with this one ({})",
            file.tool_version,
            file.format,
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(file)
}

/// Merges the shards in `args`; `data` is merge's own `--data`, which must be the shards'.
pub fn run(world: &Geography, args: &MergeArgs, data: Option<&Path>) -> Result<String, Error> {
    super::run::ensemble_request(None, args.threads)?;
    let mut shards = Vec::new();
    for dir in &args.shards {
        shards.push((dir, read(dir)?));
    }
    shards.sort_by_key(|(_, s)| s.shard.k);
    let (first_dir, first) = &shards[0];
    // Every shard against the first: which of what must agree does not.
    for (dir, s) in &shards[1..] {
        let differs = if s.command != first.command {
            Some(format!(
                "it is of `convoy-sim {}`, {} of `convoy-sim {}`",
                s.command,
                first_dir.display(),
                first.command
            ))
        } else if s.inputs != first.inputs {
            Some(format!(
                "its scenarios, seeds or data differ from those of {} (see inputs in {FILE})",
                first_dir.display()
            ))
        } else if s.arguments != first.arguments {
            Some(format!(
                "it was run with other arguments than {} (all but --shard, --out and --threads must be the same): `{}` against `{}`",
                first_dir.display(),
                command_line(&s.argv),
                command_line(&first.argv)
            ))
        } else if s.shard.n != first.shard.n {
            Some(format!(
                "it is one of {} shards, {} one of {}",
                s.shard.n,
                first_dir.display(),
                first.shard.n
            ))
        } else {
            None
        };
        if let Some(why) = differs {
            return Err(Error::input(format!(
                "{}: is not a shard of the same run as the others: {why}; merge the shards of one run",
                dir.display()
            )));
        }
    }
    let n = first.shard.n;
    let mut by_k: BTreeMap<u32, Vec<&PathBuf>> = BTreeMap::new();
    for (dir, s) in &shards {
        by_k.entry(s.shard.k).or_default().push(dir);
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !by_k.contains_key(k))
        .map(|k| k.to_string())
        .collect();
    let twice: Vec<String> = by_k
        .iter()
        .filter(|(_, dirs)| dirs.len() > 1)
        .map(|(k, dirs)| {
            let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            format!(
                "shard {k} is given {} times ({})",
                dirs.len(),
                dirs.join(", ")
            )
        })
        .collect();
    if !missing.is_empty() || !twice.is_empty() {
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!(
                "shard{} {} of {n} {} missing",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" }
            ));
        }
        problems.extend(twice);
        return Err(Error::input(format!(
            "{}; give each of shards 1 to {n} once",
            problems.join("; ")
        )));
    }
    let argv = std::iter::once("convoy-sim".to_string()).chain(first.argv.iter().cloned());
    let parsed = super::Args::try_parse_from(argv).map_err(|e| {
        Error::input(format!(
            "{}: its command line does not parse with this convoy-sim: {}",
            first_dir.display(),
            e.to_string().lines().next().unwrap_or_default()
        ))
    })?;
    if parsed.data.as_deref() != data {
        let given = |d: Option<&Path>| {
            d.map_or("the embedded data".to_string(), |d| {
                format!("--data {}", d.display())
            })
        };
        return Err(Error::input(format!(
            "the shards ran with {}, this merge with {}: give merge the same --data",
            given(parsed.data.as_deref()),
            given(data)
        )));
    }
    let inputs = first.inputs.clone();
    let first_dir = first_dir.to_path_buf();
    let states = shards.into_iter().map(|(_, s)| s.state).collect();
    let merged = Realizations::Merged { states, inputs };
    let (out, threads) = (args.out.clone(), args.threads);
    match parsed.command {
        Command::Run(mut a) => {
            (a.out, a.threads, a.shard) = (out, threads, None);
            super::run::execute(world, &a, merged)
        }
        Command::Compare(mut a) => {
            (a.out, a.threads, a.shard) = (out, threads, None);
            super::compare::execute(world, &a, merged)
        }
        Command::Check(mut a) => {
            (a.out, a.threads, a.shard) = (out, threads, None);
            super::check::execute(world, &a, merged)
        }
        Command::Sensitivity(mut a) => {
            (a.out, a.threads, a.shard) = (out, threads, None);
            super::sensitivity::execute(world, &a, merged)
        }
        _ => Err(Error::input(format!(
            "{}: records a command that is not sharded",
            first_dir.display()
        ))),
    }
}
