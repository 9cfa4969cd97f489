//! The estimators against functions whose indices are known analytically, the screening against
//! functions whose effects are, and the contracts: determinism across threads and shards, and
//! every refusal with its figure.

use std::f64::consts::PI;

use proptest::prelude::*;

use super::*;

/// Ishigami and Homma's function, a = 7, b = 0.1, inputs uniform on [−π, π].
fn ishigami() -> FnModel<impl Fn(&[f64]) -> Vec<f64> + Sync> {
    FnModel::new(&["x1", "x2", "x3"], &["ishigami"], |u: &[f64]| {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        vec![x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()]
    })
}

/// Ishigami's analytic (S1, ST) per input.
fn ishigami_indices() -> [(f64, f64); 3] {
    let (a, b) = (7.0, 0.1);
    let pi4 = PI.powi(4);
    let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi4 * pi4 / 18.0 + 0.5;
    let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = 8.0 * b * b * pi4 * pi4 / 225.0;
    [(v1 / v, (v1 + v13) / v), (v2 / v, v2 / v), (0.0, v13 / v)]
}

const G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

/// Sobol's G function, Π (|4u − 2| + a_i) / (1 + a_i).
fn g_function() -> FnModel<impl Fn(&[f64]) -> Vec<f64> + Sync> {
    let names = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"];
    FnModel::new(&names, &["g"], |u: &[f64]| {
        vec![
            u.iter()
                .zip(G_A)
                .map(|(u, a)| ((4.0 * u - 2.0).abs() + a) / (1.0 + a))
                .product(),
        ]
    })
}

/// The G function's analytic (S1, ST) from the product formula: V_i = 1 / 3(1 + a_i)².
fn g_indices() -> Vec<(f64, f64)> {
    let vi: Vec<f64> = G_A
        .iter()
        .map(|a| 1.0 / (3.0 * (1.0 + a).powi(2)))
        .collect();
    let whole: f64 = vi.iter().map(|v| 1.0 + v).product();
    let v = whole - 1.0;
    vi.iter()
        .map(|&x| (x / v, x * whole / (1.0 + x) / v))
        .collect()
}

fn settings(samples: usize, seed: u64) -> SobolSettings {
    SobolSettings {
        resamples: 200,
        ..SobolSettings::new(samples, seed)
    }
}

/// Each analytic value inside its interval, and every interval narrower than `width`.
fn assert_covers(result: &SobolResult, analytic: &[(f64, f64)], width: f64) {
    let indices = result.outputs[0].indices.as_ref().unwrap();
    for (index, &(s1, st)) in indices.iter().zip(analytic) {
        for (name, e, truth) in [("S1", index.s1, s1), ("ST", index.st, st)] {
            assert!(
                e.low <= truth && truth <= e.high,
                "{name} of {}: {truth:.4} outside [{:.4}, {:.4}] (estimate {:.4})",
                index.input,
                e.low,
                e.high,
                e.value
            );
            assert!(
                e.high - e.low < width,
                "{name} of {}: {e:?} too wide",
                index.input
            );
            assert!(e.low <= e.value && e.value <= e.high);
        }
    }
}

#[test]
fn ishigami_indices_are_within_their_intervals_of_the_analytic_values() {
    let result = sobol::run(&ishigami(), &settings(1 << 13, 1), None).unwrap();
    let analytic = ishigami_indices();
    assert!((analytic[0].0 - 0.3139).abs() < 1e-3 && (analytic[2].1 - 0.2437).abs() < 1e-3);
    assert_covers(&result, &analytic, 0.1);
}

#[test]
fn g_function_indices_are_within_their_intervals_of_the_analytic_values() {
    let result = sobol::run(&g_function(), &settings(1 << 13, 2), None).unwrap();
    assert_covers(&result, &g_indices(), 0.1);
}

#[test]
fn random_sampling_also_finds_ishigami_indices() {
    let s = SobolSettings {
        sampling: Sampling::Random,
        ..settings(10_000, 3)
    };
    let result = sobol::run(&ishigami(), &s, None).unwrap();
    assert_covers(&result, &ishigami_indices(), 0.15);
}

#[test]
fn an_output_that_does_not_vary_has_no_indices() {
    let model = FnModel::new(&["x"], &["constant", "x"], |u: &[f64]| vec![0.1, u[0]]);
    let result = sobol::run(&model, &settings(64, 1), Some(1)).unwrap();
    assert_eq!(result.outputs[0].indices, None);
    assert_eq!(result.outputs[0].variance, 0.0);
    assert!(result.outputs[1].indices.is_some());
}

#[test]
fn shards_appended_in_order_give_the_whole_studys_result() {
    let model = ishigami();
    let s = settings(256, 9);
    let plan = SaltelliPlan::new(&model, &s).unwrap();
    let whole = plan.evaluate(&model, plan.rows(), Some(2)).unwrap();
    let mut shards = (0..4).map(|q| {
        plan.evaluate(&model, q * 64..(q + 1) * 64, Some(1))
            .unwrap()
    });
    let mut merged = shards.next().unwrap();
    shards.try_for_each(|s| merged.append(s)).unwrap();
    assert_eq!(merged, whole);
    assert_eq!(
        plan.estimate(&merged, Some(1)),
        plan.estimate(&whole, Some(2))
    );
    let mut gap = plan.evaluate(&model, 0..64, Some(1)).unwrap();
    let later = plan.evaluate(&model, 128..192, Some(1)).unwrap();
    assert!(matches!(
        gap.append(later),
        Err(SensitivityError::Discontiguous { have: 64, .. })
    ));
    assert!(matches!(
        plan.estimate(&gap, None),
        Err(SensitivityError::Incomplete { have: 64, n: 256 })
    ));
    // A shard read back from a file may be anything: refused, not indexed past its end.
    let mut short = plan.evaluate(&model, 0..64, Some(1)).unwrap();
    short.values.pop();
    let mut first = plan.evaluate(&model, 0..64, Some(1)).unwrap();
    assert!(matches!(
        first.append(short.clone()),
        Err(SensitivityError::Shape { values: 319, .. })
    ));
    short.rows = 0..256;
    assert!(matches!(
        plan.estimate(&short, None),
        Err(SensitivityError::Shape { .. })
    ));
}

#[test]
fn morris_finds_no_effect_a_linear_effect_and_a_nonlinear_one() {
    // y = 2·x1 + 0·x2 + 4·x3²: μ*(x2) = 0; x1's effects are all 2, so σ(x1) = 0; x3's are
    // 8(u + ¼), 3 or 5 on four levels.
    let model = FnModel::new(&["x1", "x2", "x3"], &["y"], |u: &[f64]| {
        vec![2.0 * u[0] + 4.0 * u[2] * u[2]]
    });
    let result = morris::run(&model, &MorrisSettings::new(40, 5), None).unwrap();
    let e = &result.outputs[0].effects;
    assert!((e[0].mu_star - 2.0).abs() < 1e-12 && (e[0].mu - 2.0).abs() < 1e-12);
    assert!(e[0].sigma < 1e-12);
    assert_eq!((e[1].mu_star, e[1].mu, e[1].sigma), (0.0, 0.0, 0.0));
    assert!(
        (3.0..=5.0).contains(&e[2].mu_star) && e[2].sigma > 0.5,
        "{:?}",
        e[2]
    );
    assert_eq!(result.evaluations, 40 * 4);
}

#[test]
fn morris_levels_are_slice_centres_and_steps_half_the_range() {
    // On p = 8 levels every point the model sees is (l + ½)/8, and every step is ±½.
    let seen = std::sync::Mutex::new(Vec::new());
    let model = FnModel::new(&["x1", "x2"], &["y"], |u: &[f64]| {
        seen.lock().unwrap().push(u.to_vec());
        vec![u[0]]
    });
    let s = MorrisSettings {
        levels: 8,
        ..MorrisSettings::new(20, 1)
    };
    let result = morris::run(&model, &s, Some(1)).unwrap();
    let seen = seen.into_inner().unwrap();
    assert!(
        seen.iter()
            .flatten()
            .all(|u| ((u * 8.0 - 0.5).fract()).abs() < 1e-12)
    );
    for t in seen.chunks(3) {
        let moved: f64 = t
            .windows(2)
            .map(|w| (w[1][0] - w[0][0]).abs() + (w[1][1] - w[0][1]).abs())
            .sum();
        assert_eq!(moved, 1.0, "two steps of ½: {t:?}");
    }
    assert_eq!(result.outputs[0].effects[0].mu, 1.0);
}

#[test]
fn bad_settings_are_refused_with_their_figures() {
    let model = ishigami();
    let refused = |s: SobolSettings| SaltelliPlan::new(&model, &s).err().unwrap();
    assert_eq!(
        refused(settings(1000, 1)),
        SensitivityError::NotPowerOfTwo {
            n: 1000,
            below: 512,
            above: 1024
        }
    );
    assert_eq!(
        refused(settings(8, 1)),
        SensitivityError::TooFewSamples { n: 8, min: 16 }
    );
    assert!(matches!(
        refused(settings(1 << 23, 1)),
        SensitivityError::TooMuchWork {
            evaluations: 41_943_040,
            limit: 16_777_216,
            ..
        }
    ));
    let few = SobolSettings {
        resamples: 10,
        ..settings(64, 1)
    };
    assert!(matches!(
        refused(few),
        SensitivityError::Resamples { resamples: 10, .. }
    ));
    let names: Vec<String> = (0..33).map(|i| format!("x{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let wide = FnModel::new(&refs, &["y"], |_: &[f64]| vec![0.0]);
    assert_eq!(
        SaltelliPlan::new(&wide, &settings(64, 1)).err(),
        Some(SensitivityError::TooManyDimensions {
            inputs: 33,
            needed: 66,
            available: 64
        })
    );
    let random = SobolSettings {
        sampling: Sampling::Random,
        ..settings(100, 1)
    };
    assert!(
        SaltelliPlan::new(&wide, &random).is_ok(),
        "random points take any N and k"
    );
    let memory = SobolSettings {
        limits: Limits {
            evaluations: 1 << 24,
            stored_values: 1000,
        },
        ..settings(1024, 1)
    };
    assert!(matches!(
        refused(memory),
        SensitivityError::TooMuchMemory { values: 5120, .. }
    ));
    let boot = SobolSettings {
        limits: Limits {
            evaluations: 1 << 24,
            stored_values: 10_000,
        },
        resamples: 2000,
        ..settings(64, 1)
    };
    assert!(matches!(
        refused(boot),
        SensitivityError::TooMuchMemory { values: 12_000, .. }
    ));
}

#[test]
fn bad_models_and_morris_settings_are_refused() {
    let none = FnModel::new(&[], &["y"], |_: &[f64]| vec![0.0]);
    assert_eq!(
        sobol::run(&none, &settings(64, 1), None).err(),
        Some(SensitivityError::NoInputs)
    );
    let twice = FnModel::new(&["x", "x"], &["y"], |_: &[f64]| vec![0.0]);
    assert!(matches!(
        morris::run(&twice, &MorrisSettings::new(4, 1), None),
        Err(SensitivityError::DuplicateName { what: "input", .. })
    ));
    let short = FnModel::new(&["x"], &["y", "z"], |_: &[f64]| vec![0.0]);
    assert!(matches!(
        sobol::run(&short, &settings(64, 1), Some(2)),
        Err(SensitivityError::OutputCount {
            index: 0,
            got: 1,
            expected: 2
        })
    ));
    let nan = FnModel::new(&["x"], &["y"], |u: &[f64]| {
        vec![if u[0] > 0.5 { f64::NAN } else { 0.0 }]
    });
    assert!(matches!(
        morris::run(&nan, &MorrisSettings::new(8, 1), None),
        Err(SensitivityError::NonFinite { .. })
    ));
    let ok = FnModel::new(&["x"], &["y"], |u: &[f64]| vec![u[0]]);
    let odd = MorrisSettings {
        levels: 5,
        ..MorrisSettings::new(8, 1)
    };
    assert!(matches!(
        morris::run(&ok, &odd, None),
        Err(SensitivityError::Levels { p: 5, .. })
    ));
    assert!(matches!(
        morris::run(&ok, &MorrisSettings::new(1, 1), None),
        Err(SensitivityError::TooFewTrajectories { r: 1, min: 2 })
    ));
    assert_eq!(
        sobol::run(&ok, &settings(64, 1), Some(0)).err(),
        Some(SensitivityError::NoThreads)
    );
    let plan = SaltelliPlan::new(&ok, &settings(64, 1)).unwrap();
    assert!(matches!(
        plan.evaluate(&ok, 60..70, None),
        Err(SensitivityError::Rows { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn results_are_the_same_bytes_on_any_number_of_threads(
        seed in any::<u64>(),
        log_n in 4usize..8,
        threads in 2usize..5,
        random in any::<bool>(),
    ) {
        let s = SobolSettings {
            sampling: if random { Sampling::Random } else { Sampling::Sobol },
            resamples: 100,
            ..SobolSettings::new(1 << log_n, seed)
        };
        let one = sobol::run(&g_function(), &s, Some(1)).unwrap();
        let many = sobol::run(&g_function(), &s, Some(threads)).unwrap();
        prop_assert_eq!(serde_json::to_string(&one).unwrap(), serde_json::to_string(&many).unwrap());
        let m = MorrisSettings::new(1 << log_n, seed);
        let one = morris::run(&ishigami(), &m, Some(1)).unwrap();
        let many = morris::run(&ishigami(), &m, Some(threads)).unwrap();
        prop_assert_eq!(format!("{one:?}"), format!("{many:?}"));
    }
}
