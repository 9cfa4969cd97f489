//! `--max-memory`: the memory a command may use, and the check, before any work, that what it was
//! asked to do fits (see `convoy_sim::cost` for how the need is estimated).

use clap::Args;
use convoy_sim::cost::{BASE_BYTES, Cost};
use convoy_sim::scenario::Scenario;

use super::Error;

#[derive(Clone, Debug, Args)]
pub struct BudgetArgs {
    /// Refuse, before running, work estimated to need more memory than this (e.g. 512M, 8G;
    /// default: half of this machine's memory, or of its container's limit if lower).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<u64>,
}

/// Sizes as people write them: `123456` bytes, or with a K, M, G or T suffix (binary units,
/// with or without `iB`).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err("give a size such as 512M or 8G".into()),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| "give a size such as 512M or 8G".to_string())?;
    let bytes = n * (1u64 << shift) as f64;
    if !(1.0..=(1u64 << 50) as f64).contains(&bytes) {
        return Err("give a size from 1 byte to 1024T".into());
    }
    Ok(bytes as u64)
}

/// A byte count for people: 1.5 GiB, 300 MiB.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{:.1} GiB", b / (1u64 << 30) as f64)
    } else {
        format!("{:.0} MiB", (b / (1u64 << 20) as f64).ceil())
    }
}

/// Half the memory this process may have: the machine's (/proc/meminfo), or its control
/// group's limit if lower (a container's); a budget of 4 GiB where neither can be read.
fn default_budget() -> u64 {
    let machine = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
    });
    let limit = match (machine, group_limit()) {
        (Some(m), Some(g)) => m.min(g),
        (m, g) => m.or(g).unwrap_or(8 << 30),
    };
    limit / 2
}

/// The memory limit of this process's control group, cgroup v2 (`memory.max`) or v1
/// (`memory.limit_in_bytes`), at the group's own path and at the root a container sees; `None`
/// where there is none ("max", or v1's near-2^63 for unlimited).
fn group_limit() -> Option<u64> {
    let groups = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let path_of = |controller: &str| {
        groups.lines().find_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_, names, path) = (parts.next()?, parts.next()?, parts.next()?);
            names
                .split(',')
                .any(|n| n == controller)
                .then(|| path.to_string())
        })
    };
    let v2 = path_of("").unwrap_or_default();
    let v1 = path_of("memory").unwrap_or_default();
    [
        format!("/sys/fs/cgroup{v2}/memory.max"),
        "/sys/fs/cgroup/memory.max".to_string(),
        format!("/sys/fs/cgroup/memory{v1}/memory.limit_in_bytes"),
        "/sys/fs/cgroup/memory/memory.limit_in_bytes".to_string(),
    ]
    .iter()
    .filter_map(|f| std::fs::read_to_string(f).ok()?.trim().parse::<u64>().ok())
    .filter(|&b| b < 1 << 60)
    .min()
}

/// How each account's single run is held while the command works.
pub enum Singles {
    /// With its files and maps, until they are written (`run`, `compare`); `gpkg` if they
    /// include `run.gpkg`, built in memory.
    WithFiles { gpkg: bool },
    /// Its result alone, for the length of the command (`check` bounds claims by it).
    Kept,
}

/// The work a command was asked for: each account's single run and its ensemble, realizations on
/// `threads` threads at once.
pub struct Work<'a> {
    pub scenarios: Vec<&'a Scenario>,
    pub single_runs: Singles,
    /// The threads an ensemble runs on, if there is one (see [`threads`]).
    pub ensemble_threads: Option<usize>,
}

/// The threads an ensemble will run on: as asked, or one per core.
pub fn threads(asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

impl BudgetArgs {
    /// The memory a command may use, in bytes, and what set it, for a message refusing more.
    pub fn limit(&self) -> (u64, &'static str) {
        match self.max_memory {
            Some(m) => (m, "the --max-memory limit"),
            None => (
                default_budget(),
                "half of the memory this machine or container has; --max-memory allows more",
            ),
        }
    }

    /// Refuses `work` if it would need more memory than allowed, with the figures.
    pub fn check(&self, work: &Work<'_>) -> Result<(), Error> {
        let costs: Vec<Cost> = work.scenarios.iter().map(|s| Cost::of(s)).collect();
        let single = |c: &Cost| match work.single_runs {
            Singles::WithFiles { gpkg: false } => c.run_bytes(),
            Singles::WithFiles { gpkg: true } => c.run_bytes().saturating_add(c.gpkg_bytes()),
            Singles::Kept => c.result_bytes(),
        };
        let runs: u64 = costs.iter().map(single).fold(0, u64::saturating_add);
        // Accounts' ensembles run one after another: the biggest decides.
        let realizations = work.ensemble_threads.map_or(0, |t| {
            costs
                .iter()
                .map(|c| c.ensemble_bytes(t as u64))
                .max()
                .unwrap_or(0)
        });
        let need = BASE_BYTES.saturating_add(runs).saturating_add(realizations);
        let (limit, whose) = self.limit();
        if need <= limit {
            return Ok(());
        }
        let agents: u64 = costs.iter().map(|c| c.agents).sum();
        let samples = costs.iter().map(|c| c.samples).max().unwrap_or(0);
        Err(Error::input(format!(
            "this would need about {} of memory ({agents} agents, each recorded up to {samples} times), more than {} ({whose}); record less often (run.record_every_min), run fewer buses or accounts at once, or use fewer --threads",
            human(need),
            human(limit),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::{human, parse_size};

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("8GiB"), Ok(8 << 30));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("-1G").is_err());
    }

    #[test]
    fn byte_counts_read_as_people_say_them() {
        assert_eq!(human(3 << 29), "1.5 GiB");
        assert_eq!(human(300 << 20), "300 MiB");
    }
}
