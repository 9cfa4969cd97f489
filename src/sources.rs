//! The sources registry: every report the scenarios rest on (`data/sources.toml`), each with an
//! id, the party whose words it reports, the outlet, its publication date, its address and the
//! short verbatim quotes the scenarios use.
//!
//! A scenario cites `{ source = "rudaw-2017-08-31", quote = "…" }`; validation takes the outlet,
//! date and address from here and refuses a quote that is not word for word in the entry, so a
//! number in a scenario can always be traced to a report.

use serde::Deserialize;
use toml::value::Datetime;

/// The longest quote an entry may hold: a scenario's quote limit
/// (`scenario::limits::MAX_QUOTE_CHARS`), so that any entry quote can be cited whole. Kept here so
/// that the registry, which the geography carries, does not depend on the scenario module.
pub const MAX_QUOTE_CHARS: usize = 400;

/// One report.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// `outlet-yyyy-mm-dd`, lower case: what scenarios cite.
    pub id: String,
    /// Whose words the report carries (the coalition, Hezbollah, SOHR…).
    pub party: String,
    /// The outlet the stored copy credits.
    pub outlet: String,
    /// Its publication date (or, where the copy shows none, the date its content implies: `note`
    /// says so).
    pub date: jiff::civil::Date,
    /// Where the copy quoted was read.
    pub url: Option<String>,
    /// What a reader should know about the copy: a reprint, a paraphrase, a date not shown.
    pub note: Option<String>,
    /// Short verbatim quotes; a scenario's quote must be part of one of them.
    pub quotes: Vec<String>,
}

impl Source {
    /// Whether `quote` is word for word part of one of this source's quotes.
    pub fn holds(&self, quote: &str) -> bool {
        !quote.is_empty() && self.quotes.iter().any(|q| q.contains(quote))
    }
}

/// Every source, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Registry {
    sources: Vec<Source>,
}

/// A registry file that does not load. With the embedded registry this is a bug.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    #[error("{origin}: not a sources registry: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: source '{id}': {problem}")]
    Entry {
        origin: String,
        id: String,
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    #[serde(default)]
    source: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    party: String,
    outlet: String,
    date: Datetime,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    note: Option<String>,
    quotes: Vec<String>,
}

/// `data/sources.toml`.
pub const SOURCES_TOML: &str = include_str!("../data/sources.toml");

impl Registry {
    /// The registry compiled into the binary.
    pub fn embedded() -> Result<Self, SourcesError> {
        Self::from_toml(SOURCES_TOML, "data/sources.toml")
    }

    /// Parses and checks a registry: ids unique and well formed, every entry with a date and at
    /// least one short quote.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, SourcesError> {
        let raw: RawRegistry = toml::from_str(text).map_err(|e| SourcesError::Syntax {
            origin: origin.to_string(),
            message: crate::units::toml_message(&e),
        })?;
        let mut sources: Vec<Source> = Vec::with_capacity(raw.source.len());
        for r in raw.source {
            let fail = |problem: String| SourcesError::Entry {
                origin: origin.to_string(),
                id: r.id.clone(),
                problem,
            };
            if let Some(problem) = entry_problem(&r, &sources) {
                return Err(fail(problem));
            }
            let date =
                plain_date(&r.date).ok_or_else(|| fail(format!("{} is not a date", r.date)))?;
            sources.push(Source {
                id: r.id,
                party: r.party,
                outlet: r.outlet,
                date,
                url: r.url,
                note: r.note,
                quotes: r.quotes,
            });
        }
        Ok(Self { sources })
    }

    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The id closest in spelling to `id`, for "did you mean".
    pub fn nearest(&self, id: &str) -> Option<&str> {
        self.sources
            .iter()
            .map(|s| (strsim::jaro_winkler(id, &s.id), s.id.as_str()))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Source> {
        self.sources.iter()
    }

    pub fn len(&self) -> usize {
        self.sources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }
}

/// What is wrong with an entry, given those before it.
fn entry_problem(r: &RawSource, before: &[Source]) -> Option<String> {
    let well_formed = !r.id.is_empty()
        && r.id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        return Some("an id is lower-case letters, digits and hyphens".into());
    }
    if before.iter().any(|s| s.id == r.id) {
        return Some("the id is used twice".into());
    }
    if [&r.party, &r.outlet].iter().any(|t| t.trim().is_empty()) {
        return Some("party and outlet must not be empty".into());
    }
    if r.quotes.is_empty() {
        return Some("lists no quotes".into());
    }
    r.quotes.iter().find_map(|q| {
        let n = q.chars().count();
        (q.trim().is_empty() || n > MAX_QUOTE_CHARS)
            .then(|| format!("a quote is {n} characters: a short quote has 1 to {MAX_QUOTE_CHARS}"))
    })
}

fn plain_date(d: &Datetime) -> Option<jiff::civil::Date> {
    match (d.date, d.time) {
        (Some(d), None) => jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[source]]
id = "rudaw-2017-08-31"
party = "several"
outlet = "Rudaw"
date = 2017-08-31
quotes = ["the convoy carrying ISIS militants and their families is comprised of 17 buses"]
"#;

    #[test]
    fn a_quote_is_held_when_it_is_part_of_a_registry_quote_word_for_word() {
        let r = Registry::from_toml(ONE, "t").unwrap();
        let s = r.get("rudaw-2017-08-31").unwrap();
        assert!(s.holds("comprised of 17 buses"));
        assert!(!s.holds("comprised of 16 buses"));
        assert!(!s.holds(""));
        assert_eq!(s.date.to_string(), "2017-08-31");
    }

    #[test]
    fn a_registry_that_is_not_toml_is_refused_with_its_line_and_column() {
        let broken = format!("{ONE}\n[[source]]\nid = \"x\u{1b}[31m\n");
        let e = Registry::from_toml(&broken, "my/sources.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("my/sources.toml: not a sources registry:"),
            "{e}"
        );
        assert!(e.contains("line 10, column"), "{e}");
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }

    #[test]
    fn the_nearest_id_is_offered_for_a_misspelt_one() {
        let r = Registry::from_toml(ONE, "t").unwrap();
        assert_eq!(r.nearest("rudaw-2017-08-30"), Some("rudaw-2017-08-31"));
    }

    #[test]
    fn duplicate_ids_bad_ids_and_long_quotes_are_refused() {
        let twice = format!("{ONE}{ONE}");
        let e = Registry::from_toml(&twice, "t").unwrap_err().to_string();
        assert!(e.contains("used twice"), "{e}");
        let upper = ONE.replace("rudaw-2017", "Rudaw 2017");
        let e = Registry::from_toml(&upper, "t").unwrap_err().to_string();
        assert!(e.contains("lower-case"), "{e}");
        let long = ONE.replace("17 buses", &"x".repeat(400));
        let e = Registry::from_toml(&long, "t").unwrap_err().to_string();
        assert!(e.contains("short quote"), "{e}");
        let no_date = ONE.replace("2017-08-31\n", "2017-08-31T00:00:00Z\n");
        assert!(Registry::from_toml(&no_date, "t").is_err());
    }

    #[test]
    fn an_entry_quote_can_be_cited_whole() {
        assert_eq!(MAX_QUOTE_CHARS, crate::scenario::limits::MAX_QUOTE_CHARS);
    }

    #[test]
    fn the_embedded_registry_loads() {
        let r = Registry::embedded().unwrap();
        assert!(r.get("rudaw-2017-08-31").is_some());
        assert!(r.get("scmp-2017-09-04").is_some());
    }
}
