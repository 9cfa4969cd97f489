//! The sensitivity study's `report.html`: one self-contained page, no script and no network, with
//! what decides each output (the table `sensitivity` prints) and every tornado chart inlined as a
//! `data:` PNG.
//!
//! A page of its own rather than a section of `check`'s report: the two commands run on scenarios
//! and settings of their own, and a check that picked up whatever `OUT/sensitivity/` held could
//! show a study of other scenarios, or a stale one, without saying so. This page always matches
//! the study beside it. Every text from the scenarios is escaped ([`escape`]).

use std::fmt::Write as _;

use crate::output::sensitivity::{Study, tornado_name};

/// One account's study with its charts, as `tornadoes` gives them: (file name, PNG bytes).
pub struct AccountStudy<'a> {
    pub account: &'a str,
    pub title: &'a str,
    pub study: &'a Study,
    pub charts: &'a [(String, Vec<u8>)],
}

/// Text made safe as HTML content or a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), for `data:` URIs.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (k, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if k <= chunk.len() {
                out.push(ABC[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const STYLE: &str = "body{font-family:\"DejaVu Sans\",\"Noto Sans\",Arial,sans-serif;color:#191919;margin:0 auto;padding:1rem;max-width:1400px;line-height:1.4}\
.muted{color:#5a5a5a}table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid #c8c8c8;padding:.15rem .45rem;text-align:left;vertical-align:top}\
td.num{text-align:right;font-variant-numeric:tabular-nums}figure{margin:.6rem 0;break-inside:avoid}img{max-width:100%;height:auto;border:1px solid #c8c8c8}\
section{border-top:4px solid #c8c8c8;margin-top:1.2rem}@media print{@page{size:A4 landscape;margin:12mm}}";

/// The rows of what decides what: Sobol inputs with a total index of at least 0.05, Morris inputs
/// with any effect, as `sensitivity` prints them.
fn decides(study: &Study) -> (String, Vec<[String; 4]>) {
    match study {
        Study::Sobol(r) => (
            "total index ST (95% interval) · first-order S1".into(),
            r.outputs
                .iter()
                .flat_map(|o| {
                    o.indices
                        .iter()
                        .flatten()
                        .filter(|i| i.st.value >= 0.05)
                        .map(|i| {
                            [
                                o.name.clone(),
                                i.input.clone(),
                                format!("{:.2} ({:.2}–{:.2})", i.st.value, i.st.low, i.st.high),
                                format!("{:.2}", i.s1.value),
                            ]
                        })
                })
                .collect(),
        ),
        Study::Morris(r) => (
            "μ* (how much it matters) · σ (non-linearity, interaction)".into(),
            r.outputs
                .iter()
                .flat_map(|o| {
                    o.effects.iter().filter(|e| e.mu_star > 0.0).map(|e| {
                        [
                            o.name.clone(),
                            e.input.clone(),
                            format!("{:.2}", e.mu_star),
                            format!("{:.2}", e.sigma),
                        ]
                    })
                })
                .collect(),
        ),
    }
}

fn settings(study: &Study) -> String {
    match study {
        Study::Sobol(r) => format!(
            "Sobol indices, {} samples ({} evaluations, seed {}), {} bootstrap resamples for the 95% intervals.",
            r.samples, r.evaluations, r.seed, r.resamples
        ),
        Study::Morris(r) => format!(
            "Morris screening, {} trajectories on {} levels ({} evaluations, seed {}).",
            r.trajectories, r.levels, r.evaluations, r.seed
        ),
    }
}

fn output_names(study: &Study) -> Vec<&str> {
    match study {
        Study::Sobol(r) => r.outputs.iter().map(|o| o.name.as_str()).collect(),
        Study::Morris(r) => r.outputs.iter().map(|o| o.name.as_str()).collect(),
    }
}

/// `report.html` of `sensitivity`: every account's study.
pub fn sensitivity_html(accounts: &[AccountStudy<'_>]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>convoy-sim sensitivity</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Which uncertain input decides what</h1>\n\
         <p class=\"muted\">convoy-sim {}: every claim of the scenarios given, and the share of each account's buses in each holder's ground, as outputs of the account's uncertain inputs (see <code>convoy-sim inputs</code>). A tornado chart per output; the files beside this page (<code>&lt;account&gt;.sensitivity.json</code>, <code>.csv</code>) hold every number. This page works offline.</p>\n",
        env!("CARGO_PKG_VERSION")
    );
    for a in accounts {
        let (what, rows) = decides(a.study);
        let _ = write!(
            out,
            "<section id=\"account-{name}\">\n<h2>{title}</h2>\n<p class=\"muted\">{name} — {settings}</p>\n",
            name = escape(a.account),
            title = escape(a.title),
            settings = escape(&settings(a.study)),
        );
        if rows.is_empty() {
            out.push_str(
                "<p>No input moves any output enough to show (total index under 0.05).</p>\n",
            );
        } else {
            let _ = writeln!(
                out,
                "<table class=\"decides\"><thead><tr><th>output</th><th>input that decides it</th><th colspan=\"2\">{}</th></tr></thead><tbody>",
                escape(&what)
            );
            for r in rows {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    escape(&r[0]),
                    escape(&r[1]),
                    escape(&r[2]),
                    escape(&r[3])
                );
            }
            out.push_str("</tbody></table>\n");
        }
        let names = output_names(a.study);
        for (file, png) in a.charts {
            let output = names
                .iter()
                .find(|n| tornado_name(n) == *file)
                .copied()
                .unwrap_or(file.as_str());
            let _ = writeln!(
                out,
                "<figure><img src=\"data:image/png;base64,{}\" alt=\"tornado chart: {}\"><figcaption class=\"muted\">{} — {}.{}</figcaption></figure>",
                base64(png),
                escape(output),
                escape(output),
                escape(a.account),
                escape(file),
            );
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648s_test_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn escaped_text_cannot_open_markup_or_leave_an_attribute() {
        let e = escape("<script>alert('x')</script> \"a\" & b");
        assert!(!e.contains('<') && !e.contains('>') && !e.contains('"') && !e.contains('\''));
        assert_eq!(
            e,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;a&quot; &amp; b"
        );
    }
}
