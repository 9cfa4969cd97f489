//! `convoy-sim check SCENARIO...`: judge every source's claims against every account.

use std::path::PathBuf;

use clap::Args;
use convoy_sim::Geography;
use convoy_sim::check::{self, Check, Verdict, region_words, time_words};
use convoy_sim::output::map::{self, Size};
use convoy_sim::output::report;
use convoy_sim::output::run::OutputFile;

use super::budget::{self, BudgetArgs, Singles, Work};
use super::compare::load_all;
use super::merge::{Realizations, Shard, write_shard};
use super::run::{ensemble_error, ensemble_request, progress_bar};
use super::table::Table;
use super::{Error, Folder, Kind, drawn, write};

/// Judge every claim of every scenario against every account.
///
/// Each account is run as an ensemble. A claim is impossible under an account if the account has
/// too few buses or people, or if none could be there in time moving as fast as the account allows
/// from where its own run has them at its last event; consistent if at least half the
/// realizations bear it out; inconsistent otherwise. Writes OUT/check/check.json, report.html (the
/// accounts on an interactive map with every claim, its verdicts and source, and the ACH matrix;
/// one file that works offline) and, with --ach,
/// the competing-hypotheses matrix (ach.csv, ach.json, ach.png). If any scenario is bad, every
/// problem is reported and nothing is written.
#[derive(Clone, Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim check scenarios/*.toml --ach\n  convoy-sim check scenarios/us_military.toml scenarios/hezbollah.toml --runs 1000 --out results"
)]
pub struct CheckArgs {
    /// Scenario files (TOML, at most 1 MiB each; see scenarios/README.md); their [[claim]]s are judged.
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Folder to write into; the check goes in OUT/check/.
    #[arg(long, default_value = "out", value_name = "OUT")]
    pub(super) out: PathBuf,
    /// Realizations per account, at most 1000000. The default, 400, makes every share's 95%
    /// interval narrower than ±5 points.
    #[arg(long, value_name = "N", default_value_t = 400)]
    runs: u64,
    /// Threads (default: all cores; at most 256). The results do not depend on it.
    #[arg(long, value_name = "T")]
    pub(super) threads: Option<usize>,
    /// Run only shard K of N of each account's realizations and write its partial result into
    /// OUT/check-shard-K-of-N/, for `convoy-sim merge` (see README, "Beyond one machine").
    #[arg(long, value_name = "K/N", value_parser = super::merge::parse_shard)]
    pub(super) shard: Option<Shard>,
    /// Also write the Analysis-of-Competing-Hypotheses matrix: ach.csv, ach.json and ach.png.
    #[arg(long)]
    ach: bool,
    #[command(flatten)]
    fix: super::inputs::FixArgs,
    #[command(flatten)]
    budget: BudgetArgs,
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Consistent => "yes",
        Verdict::NotRuledOut => "not ruled out",
        Verdict::Inconsistent => "no",
        Verdict::Impossible => "IMPOSSIBLE",
    }
}

pub fn run(world: &Geography, args: &CheckArgs) -> Result<String, Error> {
    execute(world, args, Realizations::of(args.shard))
}

/// `check`, its realizations got as `how` says.
pub fn execute(world: &Geography, args: &CheckArgs, how: Realizations) -> Result<String, Error> {
    let runs = ensemble_request(Some(args.runs), args.threads)?.unwrap_or(1);
    let mut loaded = load_all(&args.scenarios, world)?;
    super::inputs::apply(
        &mut loaded.iter_mut().map(|(_, s, _)| s).collect::<Vec<_>>(),
        &args.fix.fixed,
        world,
    )?;
    let inputs = super::compare::read_inputs(world, &loaded);
    let scenarios: Vec<_> = loaded.into_iter().map(|(_, s, _)| s).collect();
    if scenarios.iter().all(|s| s.claims.is_empty()) {
        return Err(Error::input(
            "none of these scenarios makes a claim to check: add [[claim]] entries (scenarios/README.md)",
        ));
    }
    let threads = budget::threads(args.threads);
    args.budget.check(&Work {
        scenarios: scenarios.iter().collect(),
        single_runs: Singles::Kept,
        ensemble_threads: Some(threads),
    })?;
    how.check_inputs(&inputs)?;
    let check = match how {
        Realizations::Here => {
            let bar = progress_bar(runs as u64 * scenarios.len() as u64);
            let result = check::check(&scenarios, world, runs, Some(threads), &|| bar.advance());
            bar.finish();
            result.map_err(ensemble_error)?
        }
        Realizations::Shard(shard) => {
            let range = shard.range(runs as u64, "realizations")?;
            let plan = check::Plan::new(&scenarios, world);
            let bar = progress_bar(range.len() as u64 * scenarios.len() as u64);
            let part = plan.tally(runs, range.clone(), Some(threads), &|| bar.advance());
            bar.finish();
            let part = part.map_err(ensemble_error)?;
            let mut a = args.clone();
            (a.out, a.threads, a.shard) = (PathBuf::new(), None, None);
            return write_shard(
                &args.out,
                "check",
                "check",
                (shard, range),
                super::merge::arguments(&a),
                &inputs,
                &part,
            );
        }
        Realizations::Merged { states, .. } => {
            let parts = Realizations::states(&states)?;
            check::Plan::new(&scenarios, world)
                .finish(parts)
                .map_err(Error::input)?
        }
    };

    let mut files = vec![
        OutputFile::new(
            "check.json",
            convoy_sim::output::check::json(&check, world, &inputs),
        ),
        OutputFile::new("report.html", report_html(&scenarios, &check, world)?),
    ];
    if args.ach {
        files.push(OutputFile::new(
            "ach.csv",
            convoy_sim::output::check::ach_csv(&check),
        ));
        files.push(OutputFile::new(
            "ach.json",
            convoy_sim::output::check::ach_json(&check, &inputs),
        ));
        files.push(OutputFile::new(
            "ach.png",
            drawn(map::ach_png(&check, Size::ach(check.claims.len())))?,
        ));
    }
    let folder = args.out.join("check");
    write(
        &args.out,
        "check",
        &[Folder {
            name: "check".into(),
            kind: Kind::Check,
            files,
        }],
    )?;
    Ok(format!(
        "{}\nwrote {}/\n",
        report(&check, world, args.ach),
        folder.display()
    ))
}

/// `report.html`: every account's single run on the map, with the claims and the ACH matrix.
fn report_html(
    scenarios: &[convoy_sim::scenario::Scenario],
    check: &Check,
    world: &Geography,
) -> Result<String, Error> {
    let results: Vec<_> = scenarios
        .iter()
        .map(|s| convoy_sim::engine::run(s, world))
        .collect();
    let accounts: Vec<_> = scenarios
        .iter()
        .zip(&results)
        .map(|(scenario, result)| report::Account { scenario, result })
        .collect();
    let title = format!(
        "{} claims checked against {} accounts",
        check.claims.len(),
        check.accounts.len()
    );
    Ok(report::html(
        &title,
        &accounts,
        world,
        &world.basemap,
        Some(check),
    ))
}

/// The readable report: each source's claims against its own account with the reason, every
/// claim against every account, and the reasons for every impossibility.
fn report(check: &Check, geo: &Geography, ach: bool) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut out = format!(
        "{} from {}, each account run {} times\n",
        plural(check.claims.len(), "claim", "claims"),
        plural(check.accounts.len(), "account", "accounts"),
        check.runs
    );
    for (a, account) in check.accounts.iter().enumerate() {
        let own: Vec<usize> = (0..check.claims.len())
            .filter(|&c| check.claims[c].account == a)
            .collect();
        if own.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} — {}\n", account.name, account.title));
        for c in own {
            let claim = &check.claims[c].claim;
            let j = check.judgement(c, a);
            out.push_str(&format!(
                "  {} \"{}\" — {} {} {} by {}\n    {} ({:.0}%, 95% interval {:.0}–{:.0}%): {}\n",
                claim.id,
                claim.says,
                claim.count,
                claim.subject.as_str(),
                region_words(geo, &claim.region),
                time_words(claim.by),
                j.verdict.as_str(),
                j.probability * 100.0,
                j.interval.0 * 100.0,
                j.interval.1 * 100.0,
                j.reason
            ));
        }
    }
    out.push_str("\nevery claim against every account (share of realizations that bear it out):\n");
    let header: Vec<String> = ["claim".to_string(), "source".to_string()]
        .into_iter()
        .chain(check.accounts.iter().map(|a| a.name.clone()))
        .collect();
    let mut t = Table::new(&header);
    for (c, sc) in check.claims.iter().enumerate() {
        let mut row = vec![sc.claim.id.clone(), check.accounts[sc.account].name.clone()];
        row.extend((0..check.accounts.len()).map(|a| {
            let j = check.judgement(c, a);
            match j.verdict {
                Verdict::Impossible => mark(j.verdict).to_string(),
                v => format!("{} {:.0}%", mark(v), j.probability * 100.0),
            }
        }));
        t.row(row);
    }
    out.push_str(&t.render());
    let impossible: Vec<_> = check
        .judgements
        .iter()
        .filter(|j| j.verdict == Verdict::Impossible && check.claims[j.claim].account != j.account)
        .collect();
    if !impossible.is_empty() {
        out.push_str("\nwhere one account rules out another's claim:\n");
        for j in impossible {
            out.push_str(&format!(
                "  {} ({}) under {}: {}\n",
                check.claims[j.claim].claim.id,
                check.accounts[check.claims[j.claim].account].name,
                check.accounts[j.account].name,
                j.reason
            ));
        }
    }
    if ach {
        let a = check.ach();
        out.push_str(
            "\ncompeting hypotheses, least contradicted first (inconsistent 1, impossible 2), the score \
             weighted by credibility and relevance (data/credibility.toml), and how often each is \
             the least contradicted in a single realization:\n",
        );
        let mut t = Table::new(&[
            "rank",
            "account",
            ">inconsistency",
            ">weighted (rank)",
            ">ranks first",
        ]);
        for &i in &a.ranking {
            let rank = |s: &[f64]| 1 + s.iter().filter(|&&o| o < s[i]).count();
            t.row(vec![
                rank(&a.scores).to_string(),
                check.accounts[i].name.clone(),
                format!("{}", a.scores[i]),
                format!("{:.2} (#{})", a.weighted[i], rank(&a.weighted)),
                format!("{:.0}%", check.ranks_first[i] * 100.0),
            ]);
        }
        out.push_str(&t.render());
        let flat = a.diagnostic.iter().filter(|d| !**d).count();
        if flat > 0 {
            out.push_str(&format!(
                "{flat} of {} claims score the same against every account (not diagnostic)\n",
                a.diagnostic.len()
            ));
        }
    }
    out
}
