//! Runs realizations of an account on one thread, for counting instructions under
//! `valgrind --tool=callgrind` where timings on a shared machine cannot be trusted (the criterion
//! benches in benches/engine.rs are the timings):
//!
//! ```text
//! cargo build --release --example realizations
//! valgrind --tool=callgrind target/release/examples/realizations ensemble 1 200
//! ```
//!
//! The cost of one realization is the difference between N = 201 and N = 1, over 200: both
//! load the geography, and the routes every realization shares are found in the first.
//!
//! `ensemble K N [T]`: N realizations of the US military's account with K times its buses and
//! people, on T threads (1 if not given).
//! `check N`: `check` of every account in scenarios/, N realizations each.

// As the binary allocates (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use convoy_sim::Geography;

#[path = "../benches/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let geo = Geography::embedded()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| -> Result<u32, Box<dyn std::error::Error>> {
        Ok(args.get(i).ok_or("missing a number")?.parse()?)
    };
    match args.first().map(String::as_str) {
        Some("ensemble") => {
            let s = common::us_military_times(&geo, number(1)?);
            let threads = if args.len() > 3 { number(3)? } else { 1 };
            let e =
                convoy_sim::ensemble::run(&s, &geo, number(2)?, Some(threads as usize), &|| true)?;
            println!("{} agents × {} realizations", e.agents.len(), e.runs);
        }
        Some("check") => {
            let all: Vec<_> = common::accounts(&geo).into_iter().map(|a| a.0).collect();
            let c = convoy_sim::check::check(&all, &geo, number(1)?, Some(1), &|| true)?;
            println!("{} judgements", c.judgements.len());
        }
        _ => return Err("usage: realizations ensemble K N [T] | check N".into()),
    }
    Ok(())
}
