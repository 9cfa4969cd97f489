//! Writes a synthetic OpenStreetMap extract of a country's size, to measure what `convoy-sim data
//! import-osm` and routing over its roads cost (data/README.md, "Measured at national size"):
//!
//!     cargo run --release --example synthetic_pbf -- /tmp/national.osm.pbf [LINES]
//!     /usr/bin/time -v target/release/convoy-sim data import-osm /tmp/national.osm.pbf --out /tmp/national
//!
//! LINES (default 400) is the grid's side: 400 makes a 92 MB file of 16.4 million nodes and 2.9
//! million ways, of which 2.9 million nodes and 257,600 ways are on roads. The writer and the generator are the test suite's
//! (tests/integration/pbf.rs), included here by path.

#[allow(
    dead_code,
    reason = "the suite's writer: this example uses only part of it"
)]
#[path = "../tests/integration/pbf.rs"]
mod pbf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("give the file to write, e.g. /tmp/national.osm.pbf, and optionally LINES")?;
    let lines: i64 = match args.next() {
        Some(n) => n
            .parse()
            .ok()
            .filter(|n| (2..=2000).contains(n))
            .ok_or("LINES is a whole number from 2 to 2000")?,
        None => 400,
    };
    let extract = pbf::national(lines);
    let bytes = pbf::write(&extract.nodes, &extract.ways, true);
    std::fs::write(&path, &bytes)?;
    println!("{path}: {}", extract.summary(bytes.len()));
    Ok(())
}
