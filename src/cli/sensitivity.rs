//! `convoy-sim sensitivity SCENARIO...`: which uncertain input decides each claim and where the
//! buses end, account by account — Sobol indices (first-order and total, with bootstrap
//! intervals) or Morris screening over the inputs `convoy-sim inputs` lists.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use convoy_sim::Geography;
use convoy_sim::check::model::AccountModel;
use convoy_sim::output::report;
use convoy_sim::output::run::OutputFile;
use convoy_sim::output::sensitivity::{Study, csv, json, tornadoes};
use convoy_sim::scenario::{Claim, Scenario};
use convoy_sim::sensitivity::{
    Evaluations, Model, MorrisSettings, SaltelliPlan, SensitivityError, SobolSettings, morris,
    sobol,
};

use super::budget::{self, BudgetArgs, Singles, Work};
use super::compare::{load_all, read_inputs};
use super::files::{Folder, Kind};
use super::merge::{Realizations, Shard, write_shard};
use super::run::ensemble_request;
use super::{Error, printable, write};

/// Which inputs decide each claim and where the buses end: a sensitivity study per account.
///
/// The inputs are the account's uncertain inputs (see `convoy-sim inputs`); every evaluation runs
/// the account with them set and everything else as in its own run (the same seed), and records,
/// for every claim of every scenario given, whether the run bears it out (by those whose
/// whereabouts it knows), and the share of buses in each holder's ground at the end. Writes
/// OUT/sensitivity/: <account>.sensitivity.json, <account>.sensitivity.csv and a tornado chart
/// PNG per output that varies. An account with no uncertain input has nothing to study.
#[derive(Clone, Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim sensitivity scenarios/us_military.toml scenarios/hezbollah.toml\n  convoy-sim sensitivity scenarios/*.toml --method morris --samples 40"
)]
pub struct SensitivityArgs {
    /// Scenario files (TOML, at most 1 MiB each); every claim in them is an output.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Folder to write into; the study goes in OUT/sensitivity/.
    #[arg(long, default_value = "out", value_name = "OUT")]
    pub(super) out: PathBuf,
    /// Sobol indices (Saltelli sampling, Jansen estimators) or Morris screening (μ*, σ).
    #[arg(long, value_enum, default_value_t)]
    method: Method,
    /// Sobol: base samples N, a power of two ≥ 16 (N·(k+2) runs for k inputs). Morris: the number
    /// of trajectories r (r·(k+1) runs).
    #[arg(long, value_name = "N", default_value_t = 256)]
    samples: usize,
    /// Seed of the sample (the runs keep each account's own seed).
    #[arg(long, default_value_t = 20_170_830)]
    seed: u64,
    /// Threads (default: all cores; at most 256). The results do not depend on it.
    #[arg(long, value_name = "T")]
    pub(super) threads: Option<usize>,
    /// Evaluate only shard K of N of the Sobol study's rows (of the base samples) and write its
    /// partial result into OUT/sensitivity-shard-K-of-N/, for `convoy-sim merge` (see README,
    /// "Beyond one machine"). Sobol only.
    #[arg(long, value_name = "K/N", value_parser = super::merge::parse_shard)]
    pub(super) shard: Option<Shard>,
    #[command(flatten)]
    budget: BudgetArgs,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum Method {
    #[default]
    Sobol,
    Morris,
}

pub fn run(world: &Geography, args: &SensitivityArgs) -> Result<String, Error> {
    execute(world, args, Realizations::of(args.shard))
}

/// `sensitivity`, its Sobol rows evaluated as `how` says.
pub fn execute(
    world: &Geography,
    args: &SensitivityArgs,
    how: Realizations,
) -> Result<String, Error> {
    ensemble_request(Some(1), args.threads)?;
    if how.shard().is_some() && args.method != Method::Sobol {
        return Err(Error::input(
            "--shard splits a Sobol study's rows; a Morris screening is small enough for one machine: leave out --shard",
        ));
    }
    let loaded = load_all(&args.scenarios, world)?;
    let scenarios: Vec<&Scenario> = loaded.iter().map(|(_, s, _)| s).collect();
    let claims: Vec<&Claim> = scenarios.iter().flat_map(|s| &s.claims).collect();
    let threads = budget::threads(args.threads);
    args.budget.check(&Work {
        scenarios: scenarios.clone(),
        single_runs: Singles::Kept,
        ensemble_threads: Some(threads),
    })?;
    let inputs = read_inputs(world, &loaded);
    how.check_inputs(&inputs)?;
    // A shard's partial: per account, its rows' evaluations (none for an account with no input).
    let mut partial: Vec<Option<Evaluations>> = Vec::new();
    let mut merged: Vec<Vec<Option<Evaluations>>> = match &how {
        Realizations::Merged { states, .. } => Realizations::states(states)?,
        _ => Vec::new(),
    };
    let rows = match how.shard() {
        Some(shard) => Some(shard.range(args.samples as u64, "base samples (--samples)")?),
        None => None,
    };
    let mut files = Vec::new();
    let mut summary = String::new();
    let mut studied = Vec::new();
    for (a, s) in scenarios.iter().enumerate() {
        let model = AccountModel::new(s, world, claims.clone());
        if model.inputs().is_empty() {
            summary.push_str(&format!(
                "{}: no uncertain input, nothing to study\n",
                s.name
            ));
            partial.push(None);
            continue;
        }
        let refused = |e: SensitivityError| Error::input(format!("{}: {e}", s.name));
        let study = match (&how, &rows) {
            (Realizations::Shard(_), Some(rows)) => {
                let settings = SobolSettings::new(args.samples, args.seed);
                let plan = SaltelliPlan::new(&model, &settings).map_err(refused)?;
                let rows = rows.start as usize..rows.end as usize;
                let ev = plan.evaluate(&model, rows, Some(threads));
                partial.push(Some(ev.map_err(refused)?));
                continue;
            }
            (Realizations::Merged { .. }, _) => {
                let settings = SobolSettings::new(args.samples, args.seed);
                let plan = SaltelliPlan::new(&model, &settings).map_err(refused)?;
                let mut shards = merged
                    .iter_mut()
                    .map(|m| m.get_mut(a).and_then(Option::take));
                let mut all = shards.next().flatten().ok_or_else(|| no_rows(&s.name))?;
                for next in shards {
                    all.append(next.ok_or_else(|| no_rows(&s.name))?)
                        .map_err(refused)?;
                }
                Study::Sobol(plan.estimate(&all, Some(threads)).map_err(refused)?)
            }
            _ => study(&model, &s.name, args, threads)?,
        };
        summary.push_str(&describe(&s.name, &study));
        files.push(OutputFile::new(
            &format!("{}.sensitivity.json", s.name),
            json(&study, &inputs),
        ));
        files.push(OutputFile::new(
            &format!("{}.sensitivity.csv", s.name),
            csv(&study),
        ));
        let charts = tornadoes(&study).map_err(|e| Error::Internal(Box::new(e)))?;
        for (name, png) in &charts {
            files.push(OutputFile::new(&format!("{}.{name}", s.name), png.clone()));
        }
        studied.push((*s, study, charts));
    }
    if !studied.is_empty() {
        let pages: Vec<_> = studied
            .iter()
            .map(|(s, study, charts)| report::AccountStudy {
                account: &s.name,
                title: &s.account.title,
                study,
                charts,
            })
            .collect();
        files.push(OutputFile::new(
            "report.html",
            report::sensitivity_html(&pages),
        ));
    }
    if let (Realizations::Shard(shard), Some(rows)) = (&how, rows) {
        if partial.iter().all(Option::is_none) {
            return Err(Error::input(
                "none of these accounts has an uncertain input to study (see convoy-sim inputs)",
            ));
        }
        let mut a = args.clone();
        (a.out, a.threads, a.shard) = (PathBuf::new(), None, None);
        return write_shard(
            &args.out,
            "sensitivity",
            "sensitivity",
            (*shard, rows),
            super::merge::arguments(&a),
            &inputs,
            &partial,
        );
    }
    if files.is_empty() {
        return Err(Error::input(
            "none of these accounts has an uncertain input to study (see convoy-sim inputs)",
        ));
    }
    write(
        &args.out,
        "sensitivity",
        &[Folder {
            name: "sensitivity".into(),
            kind: Kind::Sensitivity,
            files,
        }],
    )?;
    // Names and claim ids come from the files: shown printable.
    Ok(printable(&format!(
        "{summary}wrote {}/\n",
        args.out.join("sensitivity").display()
    ))
    .into_owned())
}

/// A merge whose shards lack an account's rows: they were not made by this command line.
fn no_rows(account: &str) -> Error {
    Error::input(format!(
        "{account}: a shard holds no evaluations of this account; run the shards again"
    ))
}

/// One account's study: its inputs in, every claim's verdict and the buses' end shares out.
fn study(
    model: &AccountModel<'_>,
    account: &str,
    args: &SensitivityArgs,
    threads: usize,
) -> Result<Study, Error> {
    let refused = |e: SensitivityError| Error::input(format!("{account}: {e}"));
    Ok(match args.method {
        Method::Sobol => {
            let settings = SobolSettings::new(args.samples, args.seed);
            Study::Sobol(sobol::run(model, &settings, Some(threads)).map_err(refused)?)
        }
        Method::Morris => {
            let settings = MorrisSettings::new(args.samples, args.seed);
            Study::Morris(morris::run(model, &settings, Some(threads)).map_err(refused)?)
        }
    })
}

/// A line per input that moves anything: the outputs it drives most.
fn describe(account: &str, study: &Study) -> String {
    let mut out = String::new();
    if let Study::Sobol(r) = study {
        for o in &r.outputs {
            if let Some(indices) = &o.indices {
                for i in indices.iter().filter(|i| i.st.value >= 0.05) {
                    out.push_str(&format!(
                        "{account}: {} — {} decides it (total index {:.2}, 95% {:.2}–{:.2})\n",
                        o.name, i.input, i.st.value, i.st.low, i.st.high
                    ));
                }
            }
        }
    }
    if let Study::Morris(r) = study {
        for o in &r.outputs {
            for e in o.effects.iter().filter(|e| e.mu_star > 0.0) {
                out.push_str(&format!(
                    "{account}: {} — {} moves it (μ* {:.2}, σ {:.2})\n",
                    o.name, e.input, e.mu_star, e.sigma
                ));
            }
        }
    }
    out
}
