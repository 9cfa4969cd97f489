//! Draws map.png for every account and compare.png for all of them into a folder, with the library
//! API. Run with `cargo run --release --example draw_maps -- out/maps`.

use convoy_sim::Geography;
use convoy_sim::data::Basemap;
use convoy_sim::engine;
use convoy_sim::output::map::{self, Scene, Size};
use convoy_sim::scenario::Scenario;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out =
        std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "out/maps".into()));
    std::fs::create_dir_all(&out)?;
    let geo = Geography::embedded()?;
    let basemap = Basemap::embedded()?;
    let mut paths: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    paths.sort();
    let mut runs = Vec::new();
    for path in paths {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let scenario = Scenario::from_toml(&std::fs::read_to_string(&path)?, &name, &name, &geo)?;
        let result = engine::run(&scenario, &geo);
        runs.push((scenario, result));
    }
    let scenes: Vec<Scene<'_>> = runs
        .iter()
        .map(|(scenario, result)| Scene {
            geo: &geo,
            basemap: &basemap,
            scenario,
            result,
            ensemble: None,
        })
        .collect();
    for s in &scenes {
        std::fs::write(
            out.join(format!("{}.png", s.scenario.name)),
            map::run_map_png(s, Size::RUN_DEFAULT)?,
        )?;
    }
    std::fs::write(
        out.join("compare.png"),
        map::compare_png(&scenes, Size::COMPARE_DEFAULT)?,
    )?;
    println!("wrote {}", out.display());
    Ok(())
}
