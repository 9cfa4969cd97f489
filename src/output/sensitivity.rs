//! What a sensitivity study says, as files: `sensitivity.json` (the settings and every index or
//! effect), `sensitivity.csv` (a row per output and input) and a tornado chart per output
//! (`tornado/<output>.png`, see [`tornado_name`]). Bytes only; the CLI decides where they go.

use std::fmt::Write as _;

use serde_json::json;

use super::check::csv_field;
use super::map::{RenderError, Tornado, TornadoBar, tornado_png};
use crate::sensitivity::{MorrisOutput, MorrisResult, SobolOutput, SobolResult};

/// A finished study of either method.
#[derive(Clone, Debug, PartialEq)]
pub enum Study {
    Sobol(SobolResult),
    Morris(MorrisResult),
}

/// `sensitivity.json`: the settings, the uncertain inputs studied (`uncertain_inputs`) and every
/// output's indices; `inputs` is what was read, as [`super::provenance::inputs`] gives it.
pub fn json(study: &Study, inputs: &serde_json::Value) -> String {
    let value = match study {
        Study::Sobol(r) => json!({
            "method": "sobol",
            "sampling": r.sampling.name(),
            "samples": r.samples,
            "seed": r.seed,
            "resamples": r.resamples,
            "confidence": 0.95,
            "evaluations": r.evaluations,
            "estimators": "S1: Saltelli et al. (2010); ST: Jansen (1999); intervals: bootstrap percentiles",
            "uncertain_inputs": r.inputs,
            "outputs": r.outputs,
        }),
        Study::Morris(r) => json!({
            "method": "morris",
            "trajectories": r.trajectories,
            "levels": r.levels,
            "seed": r.seed,
            "evaluations": r.evaluations,
            "uncertain_inputs": r.inputs,
            "outputs": r.outputs,
        }),
    };
    super::provenance::stamped(value, inputs)
}

/// `sensitivity.csv`: a row per output and input. A Sobol output that never varied has its rows
/// with the index columns empty.
pub fn csv(study: &Study) -> String {
    match study {
        Study::Sobol(r) => sobol_csv(r),
        Study::Morris(r) => morris_csv(r),
    }
}

fn sobol_csv(r: &SobolResult) -> String {
    let mut out = String::from("output,input,s1,s1_low,s1_high,st,st_low,st_high\n");
    for o in &r.outputs {
        for (i, input) in r.inputs.iter().enumerate() {
            let figures = o.indices.as_ref().map_or(",,,,,".to_string(), |ix| {
                let (s1, st) = (ix[i].s1, ix[i].st);
                [s1.value, s1.low, s1.high, st.value, st.low, st.high]
                    .map(figure)
                    .join(",")
            });
            let _ = writeln!(out, "{},{},{figures}", csv_field(&o.name), csv_field(input));
        }
    }
    out
}

fn morris_csv(r: &MorrisResult) -> String {
    let mut out = String::from("output,input,mu_star,mu,sigma\n");
    for o in &r.outputs {
        for e in &o.effects {
            let figures = [e.mu_star, e.mu, e.sigma].map(figure).join(",");
            let _ = writeln!(
                out,
                "{},{},{figures}",
                csv_field(&o.name),
                csv_field(&e.input)
            );
        }
    }
    out
}

/// A figure to six significant decimals, empty if it is not a number.
fn figure(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.6}")
    } else {
        String::new()
    }
}

/// A figure as a reader writes it: at most four decimals, no trailing zeros.
fn short(v: f64) -> String {
    let text = format!("{v:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The tornado chart's file name for an output: its name with anything but letters, digits, `-`
/// and `_` made `_`, and `.png`.
pub fn tornado_name(output: &str) -> String {
    let stem: String = output
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.png")
}

/// A tornado chart per output, in output order, with its file name.
pub fn tornadoes(study: &Study) -> Result<Vec<(String, Vec<u8>)>, RenderError> {
    let charts: Vec<(String, Tornado)> = match study {
        Study::Sobol(r) => r
            .outputs
            .iter()
            .map(|o| (o.name.clone(), sobol_tornado(r, o)))
            .collect(),
        Study::Morris(r) => r
            .outputs
            .iter()
            .map(|o| (o.name.clone(), morris_tornado(r, o)))
            .collect(),
    };
    charts
        .iter()
        .map(|(name, t)| Ok((tornado_name(name), tornado_png(t)?)))
        .collect()
}

/// Bars of ST with S1 inside, largest ST first, on a 0–1 axis (wider if an interval is).
pub fn sobol_tornado(r: &SobolResult, o: &SobolOutput) -> Tornado {
    let mut bars: Vec<TornadoBar> = o
        .indices
        .iter()
        .flatten()
        .map(|ix| TornadoBar {
            label: ix.input.clone(),
            outer: ix.st.value,
            outer_interval: Some((ix.st.low, ix.st.high)),
            inner: ix.s1.value,
            inner_interval: Some((ix.s1.low, ix.s1.high)),
            figures: format!("ST {:.2} · S1 {:.2}", ix.st.value, ix.s1.value),
        })
        .collect();
    bars.sort_by(|a, b| b.outer.total_cmp(&a.outer));
    let ends = bars
        .iter()
        .flat_map(|b| [b.outer_interval, b.inner_interval])
        .flatten();
    let (lo, hi) = ends.fold((0.0f64, 1.0f64), |(lo, hi), (a, b)| (lo.min(a), hi.max(b)));
    Tornado {
        title: o.name.clone(),
        subtitle: format!(
            "Sobol indices: N = {} {} points, {} model runs, {} bootstrap resamples, seed {}",
            r.samples,
            r.sampling.name(),
            r.evaluations,
            r.resamples,
            r.seed
        ),
        axis: "share of the output's variance (0: none of it, 1: all of it)".into(),
        bars,
        range: ((lo * 10.0).floor() / 10.0, (hi * 10.0).ceil() / 10.0),
        legend_outer: "total effect ST: alone and with other inputs".into(),
        legend_inner: "first-order S1: alone".into(),
        legend_whisker: Some("95% bootstrap intervals (ST black, S1 orange)".into()),
        empty: format!(
            "The output was {} in every run: no input moves it.",
            short(o.mean)
        ),
        reading:
            "Inputs sorted by total effect. A pale bar much longer than its dark one: the input \
                  acts through its interactions with others."
                .into(),
    }
}

/// Bars of μ* with |μ| inside, largest μ* first: where |μ| falls short of μ*, effects of both
/// signs cancel.
pub fn morris_tornado(r: &MorrisResult, o: &MorrisOutput) -> Tornado {
    let mut bars: Vec<TornadoBar> = o
        .effects
        .iter()
        .map(|e| TornadoBar {
            label: e.input.clone(),
            outer: e.mu_star,
            outer_interval: None,
            inner: e.mu.abs(),
            inner_interval: None,
            figures: format!("μ* {:.3} · σ {:.3}", e.mu_star, e.sigma),
        })
        .collect();
    bars.sort_by(|a, b| b.outer.total_cmp(&a.outer));
    let hi = bars.first().map_or(0.0, |b| b.outer);
    Tornado {
        title: o.name.clone(),
        subtitle: format!(
            "Morris elementary effects: r = {} trajectories on {} levels, {} model runs, seed {}",
            r.trajectories, r.levels, r.evaluations, r.seed
        ),
        axis: "mean absolute change in the output per unit of the input's quantile".into(),
        bars: if hi > 0.0 { bars } else { Vec::new() },
        range: (0.0, if hi > 0.0 { hi * 1.1 } else { 1.0 }),
        legend_outer: "μ*: mean absolute effect".into(),
        legend_inner: "|μ|: mean effect (shorter: effects cancel)".into(),
        legend_whisker: None,
        empty: "No input moved the output in any trajectory.".into(),
        reading:
            "Inputs sorted by μ*. σ large next to μ*: the input's effect depends on where the \
                  others stand (nonlinear or interacting)."
                .into(),
    }
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;
    use crate::sensitivity::{FnModel, MorrisSettings, SobolSettings, morris, sobol};

    fn ishigami_study() -> Study {
        let model = FnModel::new(
            &["x1", "x2", "x3"],
            &["ishigami", "constant, quoted"],
            |u: &[f64]| {
                let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
                vec![
                    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin(),
                    2.0,
                ]
            },
        );
        let settings = SobolSettings {
            resamples: 100,
            ..SobolSettings::new(1024, 1)
        };
        Study::Sobol(sobol::run(&model, &settings, None).unwrap())
    }

    fn decode(png: &[u8]) -> (u32, u32) {
        let reader = ::png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        (reader.info().width, reader.info().height)
    }

    #[test]
    fn json_carries_the_settings_and_every_index_with_its_interval() {
        let study = ishigami_study();
        let v: serde_json::Value =
            serde_json::from_str(&json(&study, &serde_json::json!({}))).unwrap();
        assert_eq!(v["method"], "sobol");
        assert_eq!(
            (v["samples"].as_u64(), v["seed"].as_u64()),
            (Some(1024), Some(1))
        );
        assert_eq!(v["uncertain_inputs"], serde_json::json!(["x1", "x2", "x3"]));
        assert_eq!(v["tool_version"], env!("CARGO_PKG_VERSION"));
        let x2 = &v["outputs"][0]["indices"][1];
        assert_eq!(x2["input"], "x2");
        let (s1, low, high) = (
            x2["s1"]["value"].as_f64().unwrap(),
            x2["s1"]["low"].as_f64().unwrap(),
            x2["s1"]["high"].as_f64().unwrap(),
        );
        assert!(low <= s1 && s1 <= high && (s1 - 0.442).abs() < 0.05);
        assert!(
            v["outputs"][1]["indices"].is_null(),
            "a constant output has no indices"
        );
    }

    #[test]
    fn csv_has_a_row_per_output_and_input_and_quotes_names() {
        let text = csv(&ishigami_study());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "output,input,s1,s1_low,s1_high,st,st_low,st_high");
        assert_eq!(lines.len(), 1 + 2 * 3);
        let x1: Vec<f64> = lines[1]
            .split(',')
            .skip(2)
            .map(|f| f.parse().unwrap())
            .collect();
        assert!(lines[1].starts_with("ishigami,x1,") && (x1[3] - 0.558).abs() < 0.05);
        assert_eq!(lines[4], "\"constant, quoted\",x1,,,,,,");
    }

    #[test]
    fn morris_files_carry_mu_star_mu_and_sigma() {
        let model = FnModel::new(&["a", "b"], &["y"], |u: &[f64]| vec![2.0 * u[0]]);
        let study =
            Study::Morris(morris::run(&model, &MorrisSettings::new(8, 1), Some(1)).unwrap());
        let text = csv(&study);
        assert_eq!(
            text,
            "output,input,mu_star,mu,sigma\ny,a,2.000000,2.000000,0.000000\ny,b,0.000000,0.000000,0.000000\n"
        );
        let v: serde_json::Value =
            serde_json::from_str(&json(&study, &serde_json::json!({}))).unwrap();
        assert_eq!(
            (
                v["method"].as_str(),
                v["trajectories"].as_u64(),
                v["levels"].as_u64()
            ),
            (Some("morris"), Some(8), Some(4))
        );
        let Study::Morris(r) = &study else {
            unreachable!()
        };
        let t = morris_tornado(r, &r.outputs[0]);
        assert_eq!(
            t.bars.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(
            decode(&tornadoes(&study).unwrap()[0].1),
            (1400, 300 + 2 * 52)
        );
    }

    #[test]
    fn the_tornado_sorts_by_total_effect_and_draws_a_chart_per_output() {
        let study = ishigami_study();
        let Study::Sobol(r) = &study else {
            unreachable!()
        };
        let t = sobol_tornado(r, &r.outputs[0]);
        let order: Vec<&str> = t.bars.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(order, ["x1", "x2", "x3"], "ST 0.56, 0.44, 0.24");
        // The axis is 0–1, wider where an interval reaches past it (S1 of x3 is about 0 ± noise).
        let lows = t
            .bars
            .iter()
            .flat_map(|b| [b.outer_interval, b.inner_interval])
            .flatten();
        assert!(lows.clone().all(|(lo, _)| t.range.0 <= lo) && t.range.1 == 1.0);
        assert!(t.range.0 > -0.2, "{:?}", t.range);
        let constant = sobol_tornado(r, &r.outputs[1]);
        assert!(constant.bars.is_empty());
        assert_eq!(
            constant.empty,
            "The output was 2 in every run: no input moves it."
        );
        let charts = tornadoes(&study).unwrap();
        let names: Vec<&str> = charts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["ishigami.png", "constant__quoted.png"]);
        assert_eq!(decode(&charts[0].1), (1400, 300 + 3 * 52));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(&charts[0].0);
        std::fs::write(&path, &charts[0].1).unwrap();
        if let Ok(keep) = std::env::var("CONVOY_SIM_KEEP_TORNADO") {
            std::fs::copy(&path, keep).unwrap();
        }
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(
            tornado_name("claim[3]: buses reach Deir ez-Zor"),
            "claim_3___buses_reach_Deir_ez-Zor.png"
        );
        assert_eq!(tornado_name("zone_share"), "zone_share.png");
    }
}
