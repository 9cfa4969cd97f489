//! Measures the two ratios issue #14 sets targets for — a second thread's speed-up, and the cost
//! per realization at a hundred times the convoy over its own — in interleaved pairs. On a shared
//! machine whose speed drifts by ±15 % over minutes, two criterion benches run a minute apart
//! (benches/engine.rs, which give the times) can make a ratio of anything in that band; the two
//! runs of a pair here are seconds apart, in alternating order, so the drift falls on both alike
//! and the median of the pairs is the figure.
//!
//! ```text
//! cargo run --release --example scaling -- threads 9
//! cargo run --release --example scaling -- agents 9
//! ```
//!
//! `threads P`: P pairs of an ensemble of 10,000 realizations of the US military's account, on one
//! thread and on two: the speed-up of each pair. Beside each pair, the machine's own limit: two
//! ensembles of 5,000 on one thread each, side by side, as two processes would run — what two
//! cores give work that shares nothing.
//! `agents P`: P pairs of the same account with 1 and with 100 times its buses and people, one
//! thread, at the same number of agents × realizations (10,000 and 100 realizations), so that the
//! work an ensemble does once weighs the same in each: the cost per realization at ×100 over ×1.

// As the binary allocates (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use convoy_sim::Geography;
use convoy_sim::scenario::Scenario;

#[path = "../benches/common/mod.rs"]
mod common;

/// How long an ensemble of `runs` realizations of `scenario` takes on `threads` threads.
fn timed(scenario: &Scenario, geo: &Geography, runs: u32, threads: usize) -> Duration {
    let start = Instant::now();
    let e = convoy_sim::ensemble::run(scenario, geo, runs, Some(threads), &|| true)
        .expect("the account runs");
    std::hint::black_box(e);
    start.elapsed()
}

/// How long two ensembles of `runs / 2` realizations take side by side, each on a thread of its
/// own: what the machine gives two pieces of work that share nothing.
fn side_by_side(scenario: &Scenario, geo: &Geography, runs: u32) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        let one = || timed(scenario, geo, runs / 2, 1);
        let other = s.spawn(one);
        one();
        other.join().expect("the other ensemble runs");
    });
    start.elapsed()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let geo = Geography::embedded()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pairs: usize = args.get(1).ok_or("missing a number of pairs")?.parse()?;
    if pairs == 0 {
        return Err("at least one pair".into());
    }
    // Each side of a pair: (scenario, realizations, threads).
    let (a, b, what) = match args.first().map(String::as_str) {
        Some("threads") => {
            let s = common::us_military_times(&geo, 1);
            (
                (s.clone(), 10_000, 1),
                (s, 10_000, 2),
                "1 thread / 2 threads",
            )
        }
        Some("agents") => (
            (common::us_military_times(&geo, 1), 10_000, 1),
            (common::us_military_times(&geo, 100), 100, 1),
            "×100 / ×1 per realization",
        ),
        _ => return Err("usage: scaling threads PAIRS | agents PAIRS".into()),
    };
    // Warm up both: the first ensemble in a process pays for pages and caches the others reuse.
    timed(&a.0, &geo, a.1 / 10, a.2);
    timed(&b.0, &geo, b.1 / 10, b.2);
    let threads = a.1 == b.1;
    let (mut ratios, mut limits) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
    for p in 0..pairs {
        // Alternate which side goes first, so a drift during a pair favours neither.
        let (ta, tb) = if p % 2 == 0 {
            let ta = timed(&a.0, &geo, a.1, a.2);
            (ta, timed(&b.0, &geo, b.1, b.2))
        } else {
            let tb = timed(&b.0, &geo, b.1, b.2);
            (timed(&a.0, &geo, a.1, a.2), tb)
        };
        let (per_a, per_b) = (
            ta.as_secs_f64() / f64::from(a.1),
            tb.as_secs_f64() / f64::from(b.1),
        );
        let ratio = if threads {
            per_a / per_b
        } else {
            per_b / per_a
        };
        print!(
            "pair {:>2}: {:>8.1} µs and {:>9.1} µs a realization; {what}: {ratio:.2}",
            p + 1,
            per_a * 1e6,
            per_b * 1e6,
        );
        ratios.push(ratio);
        if threads {
            let apart = side_by_side(&a.0, &geo, a.1).as_secs_f64() / f64::from(a.1);
            let limit = per_a / apart;
            print!("; side by side {:.1} µs, {limit:.2}", apart * 1e6);
            limits.push(limit);
        }
        println!();
    }
    let summary = |xs: Vec<f64>| {
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(0.0, f64::max);
        format!("{:.2} (range {lo:.2}–{hi:.2})", median(xs))
    };
    println!("median of {pairs} pairs, {what}: {}", summary(ratios));
    if threads {
        println!(
            "median of {pairs} pairs, 1 thread / two side by side: {}",
            summary(limits)
        );
    }
    Ok(())
}
