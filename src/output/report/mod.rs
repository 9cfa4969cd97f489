//! `report.html`: one self-contained page that opens from disk with no network — Leaflet, the
//! page's script and style and all the data inlined — showing the accounts over the geography,
//! with a time slider, a switch per account, each account's end state and, for `check`, the claims
//! and the ACH matrix.
//!
//! The data ([`data::report_data`]) is one JSON value written into a
//! `<script type="application/json">` element, escaped by [`script_json`] so that no text from a
//! scenario can end that element or be read as markup; the page's script reads it with
//! `JSON.parse` and puts every text on the page as text, never as HTML.

mod data;
pub mod sensitivity;

pub use data::{Account, arabic_name, report_data};
pub use sensitivity::{AccountStudy, sensitivity_html};

use crate::Geography;
use crate::check::Check;
use crate::data::Basemap;

/// Leaflet 1.9.4, vendored unmodified; see `vendor/leaflet/README.md`.
const LEAFLET_JS: &str = include_str!("vendor/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("vendor/leaflet/leaflet.css");
const LEAFLET_LICENSE: &str = include_str!("vendor/leaflet/LICENSE");
/// The page: markup with a `{{NAME}}` slot for each piece below, its style and its script.
const PAGE: &str = include_str!("page.html");
const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// `value` as JSON that may stand inside a `<script>` element: `<`, `>` and `&` (so no `</script`,
/// `<!--` or `<script` can appear) and the line separators U+2028 and U+2029 are written as
/// `\uXXXX` escapes, which every JSON reader turns back into the same text. They occur only inside
/// strings, where such escapes are valid JSON.
pub fn script_json(value: &serde_json::Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Leaflet's script without its last line, which points browser tools at a source map the
/// report does not carry.
fn leaflet_js() -> &'static str {
    let js = LEAFLET_JS.trim_end();
    js.strip_suffix("//# sourceMappingURL=leaflet.js.map")
        .unwrap_or(js)
}

/// The page with its slots filled, in the order the slots appear. The template is split before
/// anything is put in, so a slot's name inside the data is never itself replaced.
fn fill(slots: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(slots.iter().map(|(_, v)| v.len()).sum::<usize>() + PAGE.len());
    let mut rest = PAGE;
    for (name, value) in slots {
        let marker = format!("{{{{{name}}}}}");
        match rest.split_once(&marker) {
            Some((before, after)) => {
                out.push_str(before);
                out.push_str(value);
                rest = after;
            }
            // A slot missing from the template is our bug; the test of the page catches it.
            None => debug_assert!(false, "page.html has no {marker}"),
        }
    }
    out.push_str(rest);
    out
}

/// `report.html` for `accounts` (one for `run`, several for `compare`), and the check's claims
/// and ACH matrix when there is one.
pub fn html(
    title: &str,
    accounts: &[Account<'_>],
    geo: &Geography,
    basemap: &Basemap,
    check: Option<&Check>,
) -> String {
    let data = script_json(&report_data(title, accounts, geo, basemap, check));
    // The licence is BSD text; it goes into a comment, where only "-->" could end it early.
    let licence = LEAFLET_LICENSE.replace("--", "- -");
    fill(&[
        ("LEAFLET_LICENSE", &licence),
        ("LEAFLET_CSS", LEAFLET_CSS),
        ("CSS", CSS),
        ("DATA", &data),
        ("LEAFLET_JS", leaflet_js()),
        ("JS", JS),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HOSTILE: &str = "</script><script>alert(1)</script><!-- \u{2028}\u{2029} </SCRIPT > <img src=x onerror=alert(2)> & \"quoted\" {{JS}}";

    #[test]
    fn hostile_text_cannot_close_the_script_element_or_open_markup() {
        let value = json!({ "title": HOSTILE, "nested": [{ "quote": HOSTILE }] });
        let text = script_json(&value);
        let lower = text.to_lowercase();
        for bad in [
            "</script", "<!--", "<script", "<img", "\u{2028}", "\u{2029}", "<", ">",
        ] {
            assert!(!lower.contains(bad), "{bad:?} survives in {text}");
        }
        // And it reads back as exactly what was written.
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        assert_eq!(back["nested"][0]["quote"], HOSTILE);
    }

    #[test]
    fn hostile_text_in_a_scenario_stays_inside_the_data_element() {
        let geo = Geography::embedded().unwrap();
        let basemap = Basemap::embedded().unwrap();
        let page = html(HOSTILE, &[], &geo, &basemap, None);
        // One data element, and it holds the whole text up to its own end tag.
        let open = "<script type=\"application/json\" id=\"report-data\">";
        assert_eq!(page.matches(open).count(), 1);
        let after = page.split_once(open).unwrap().1;
        let (blob, _) = after.split_once("</script>").unwrap();
        let back: serde_json::Value = serde_json::from_str(blob).unwrap();
        assert_eq!(back["title"], HOSTILE);
        // The page's own script elements are all there is: three (data, Leaflet, ours).
        assert_eq!(page.to_lowercase().matches("<script").count(), 3);
        // The template slot named inside the data was not filled with the script.
        assert!(blob.contains("{{JS}}"));
    }

    #[test]
    fn every_slot_of_the_page_is_filled() {
        let geo = Geography::embedded().unwrap();
        let basemap = Basemap::embedded().unwrap();
        let page = html("t", &[], &geo, &basemap, None);
        for slot in [
            "{{LEAFLET_LICENSE}}",
            "{{LEAFLET_CSS}}",
            "{{CSS}}",
            "{{DATA}}",
            "{{LEAFLET_JS}}",
            "{{JS}}",
        ] {
            assert!(!page.contains(slot), "{slot} left in the page");
        }
        assert!(!page.contains("sourceMappingURL"));
        assert!(page.contains("Leaflet 1.9.4"));
    }

    #[test]
    fn arabic_names_are_found_among_the_aliases() {
        let names = ["Tadmur".to_string(), "Tadmor".into(), "تدمر".into()];
        assert_eq!(arabic_name(&names), Some("تدمر"));
        assert_eq!(arabic_name(&names[..2]), None);
    }
}
