//! How credible each report in the sources registry is (`data/credibility.toml`), and the levels
//! that rate a claim's credibility and relevance in the competing-hypotheses matrix.
//!
//! Credibility belongs to the source, so it is rated here, once per report, with a reason; a report
//! that carries several parties' words (a newspaper story quoting the coalition, Hezbollah and
//! Iraqi officials) is rated quote by quote. Relevance belongs to the claim and is given in the
//! scenario. Every rating is an analyst's judgement, written down so it can be disputed.

use serde::Deserialize;

use crate::sources::Registry;

/// A rating of credibility or relevance, as PARC ACH 2.0 rates evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::High, Level::Medium, Level::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Medium => "medium",
            Level::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The factor this rating puts on a piece of evidence's inconsistency: √2, 1, 1/√2, so that
    /// credibility times relevance runs from ½ (low, low) through 1 (medium, medium) to 2 (high,
    /// high), the range PARC ACH's weighted inconsistency score gives evidence.
    pub fn weight(self) -> f64 {
        match self {
            Level::High => std::f64::consts::SQRT_2,
            Level::Medium => 1.0,
            Level::Low => std::f64::consts::FRAC_1_SQRT_2,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a claim's credibility comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatedBy {
    /// `data/credibility.toml`, for the quote the claim cites.
    Quote,
    /// `data/credibility.toml`, for the report as a whole.
    Source,
    /// The claim's own `credibility`, overriding the file.
    Claim,
    /// Nothing rates it: medium.
    Unrated,
}

impl RatedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            RatedBy::Quote => "data/credibility.toml (this quote)",
            RatedBy::Source => "data/credibility.toml (this report)",
            RatedBy::Claim => "the claim's own credibility",
            RatedBy::Unrated => "not rated (medium)",
        }
    }
}

/// A claim's credibility, with why.
#[derive(Clone, Debug, PartialEq)]
pub struct Credibility {
    pub level: Level,
    /// The registry id of the report the claim cites, if cited by id.
    pub source: Option<String>,
    pub reason: String,
    pub by: RatedBy,
}

/// One rating.
#[derive(Clone, Debug, PartialEq)]
pub struct Rating {
    pub source: String,
    /// The registry quote this rating is for, or `None` for the whole report.
    pub quote: Option<String>,
    pub level: Level,
    pub reason: String,
}

/// Every rating, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ratings {
    ratings: Vec<Rating>,
}

/// A ratings file that does not load. With the embedded file this is a bug.
#[derive(Debug, thiserror::Error)]
pub enum CredibilityError {
    #[error("{origin}: not a credibility file: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: rating {index} ('{source_id}'): {problem}")]
    Entry {
        origin: String,
        index: usize,
        source_id: String,
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRatings {
    #[serde(default)]
    rating: Vec<RawRating>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRating {
    source: String,
    #[serde(default)]
    quote: Option<String>,
    credibility: String,
    reason: String,
}

/// `data/credibility.toml`.
pub const CREDIBILITY_TOML: &str = include_str!("../data/credibility.toml");

impl Ratings {
    /// The ratings compiled into the binary, checked against `registry`.
    pub fn embedded(registry: &Registry) -> Result<Self, CredibilityError> {
        Self::from_toml(CREDIBILITY_TOML, "data/credibility.toml", registry)
    }

    /// Parses and checks ratings: each names a source in `registry` (and a quote of it, if any),
    /// a known level and a reason; no source or quote is rated twice.
    pub fn from_toml(
        text: &str,
        origin: &str,
        registry: &Registry,
    ) -> Result<Self, CredibilityError> {
        let raw: RawRatings = toml::from_str(text).map_err(|e| CredibilityError::Syntax {
            origin: origin.to_string(),
            message: crate::units::toml_message(&e),
        })?;
        let mut ratings: Vec<Rating> = Vec::with_capacity(raw.rating.len());
        for (i, r) in raw.rating.into_iter().enumerate() {
            let fail = |problem: String| CredibilityError::Entry {
                origin: origin.to_string(),
                index: i + 1,
                source_id: r.source.clone(),
                problem,
            };
            let Some(source) = registry.get(&r.source) else {
                return Err(fail(format!(
                    "no such source in data/sources.toml{}",
                    registry
                        .nearest(&r.source)
                        .map(|n| format!(" (did you mean '{n}'?)"))
                        .unwrap_or_default()
                )));
            };
            let level = Level::parse(&r.credibility).ok_or_else(|| {
                fail(format!(
                    "credibility '{}' is not one of high, medium, low",
                    r.credibility
                ))
            })?;
            if r.reason.trim().is_empty() {
                return Err(fail("every rating gives its reason".into()));
            }
            if let Some(q) = &r.quote
                && !source.quotes.iter().any(|sq| sq == q)
            {
                return Err(fail(
                    "the quote is not one of the source's quotes, word for word".into(),
                ));
            }
            if ratings
                .iter()
                .any(|o| o.source == r.source && o.quote == r.quote)
            {
                return Err(fail(match r.quote {
                    Some(_) => "this quote is rated twice".into(),
                    None => "the source is rated twice".into(),
                }));
            }
            ratings.push(Rating {
                source: r.source,
                quote: r.quote,
                level,
                reason: r.reason,
            });
        }
        Ok(Self { ratings })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Rating> {
        self.ratings.iter()
    }

    /// The credibility of a claim citing `source` (a registry id, if cited by id) with `quote`:
    /// the first rating whose quote holds the claim's, else the source's own rating, else medium,
    /// not rated.
    pub fn of(&self, source: Option<&str>, quote: &str) -> Credibility {
        let Some(id) = source else {
            return Credibility {
                level: Level::Medium,
                source: None,
                reason: "the claim cites no registry source, so nothing rates it".into(),
                by: RatedBy::Unrated,
            };
        };
        let of_source = || self.ratings.iter().filter(move |r| r.source == id);
        let by_quote = of_source().find(|r| {
            r.quote
                .as_deref()
                .is_some_and(|q| !quote.is_empty() && q.contains(quote))
        });
        let (rating, by) = match by_quote {
            Some(r) => (Some(r), RatedBy::Quote),
            None => (of_source().find(|r| r.quote.is_none()), RatedBy::Source),
        };
        match rating {
            Some(r) => Credibility {
                level: r.level,
                source: Some(id.to_string()),
                reason: r.reason.clone(),
                by,
            },
            None => Credibility {
                level: Level::Medium,
                source: Some(id.to_string()),
                reason: "data/credibility.toml does not rate this source yet".into(),
                by: RatedBy::Unrated,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTRY: &str = r#"
[[source]]
id = "scmp-2017-09-04"
party = "several"
outlet = "South China Morning Post"
date = 2017-09-04
quotes = ["the US military said six of the buses had crossed back", "Hezbollah said four of the buses reached"]

[[source]]
id = "rudaw-2017-08-31"
party = "several"
outlet = "Rudaw"
date = 2017-08-31
quotes = ["17 buses"]
"#;

    const RATINGS: &str = r#"
[[rating]]
source = "scmp-2017-09-04"
credibility = "medium"
reason = "a reprint"

[[rating]]
source = "scmp-2017-09-04"
quote = "Hezbollah said four of the buses reached"
credibility = "low"
reason = "a party to the deal"
"#;

    fn registry() -> Registry {
        Registry::from_toml(REGISTRY, "t").unwrap()
    }

    #[test]
    fn ratings_that_are_not_toml_are_refused_with_their_line_and_column() {
        let broken = format!("{RATINGS}\n[[rating]]\nsource = scmp\n");
        let e = Ratings::from_toml(&broken, "mine.toml", &registry())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("mine.toml: not a credibility file:"), "{e}");
        assert!(e.contains("line 14, column 10"), "{e}");
    }

    #[test]
    fn a_claim_takes_its_quotes_rating_else_its_sources_else_medium_unrated() {
        let r = Ratings::from_toml(RATINGS, "t", &registry()).unwrap();
        let hez = r.of(Some("scmp-2017-09-04"), "four of the buses");
        assert_eq!((hez.level, hez.by), (Level::Low, RatedBy::Quote));
        assert_eq!(hez.reason, "a party to the deal");
        let us = r.of(Some("scmp-2017-09-04"), "six of the buses");
        assert_eq!((us.level, us.by), (Level::Medium, RatedBy::Source));
        let rudaw = r.of(Some("rudaw-2017-08-31"), "17 buses");
        assert_eq!((rudaw.level, rudaw.by), (Level::Medium, RatedBy::Unrated));
        assert_eq!(rudaw.source.as_deref(), Some("rudaw-2017-08-31"));
        let written = r.of(None, "anything");
        assert_eq!(
            (written.level, written.by),
            (Level::Medium, RatedBy::Unrated)
        );
    }

    #[test]
    fn unknown_sources_quotes_levels_missing_reasons_and_repeats_are_refused() {
        let reg = registry();
        let bad = |text: &str| Ratings::from_toml(text, "t", &reg).unwrap_err().to_string();
        let e = bad(&RATINGS.replace(
            "scmp-2017-09-04\"\ncredibility",
            "scmp-2017-09-05\"\ncredibility",
        ));
        assert!(
            e.contains("no such source") && e.contains("did you mean"),
            "{e}"
        );
        let e = bad(&RATINGS.replace("four of the buses reached", "five of the buses reached"));
        assert!(e.contains("not one of the source's quotes"), "{e}");
        let e = bad(&RATINGS.replace("\"low\"", "\"certain\""));
        assert!(e.contains("not one of high, medium, low"), "{e}");
        let e = bad(&RATINGS.replace("\"a reprint\"", "\" \""));
        assert!(e.contains("reason"), "{e}");
        let e = bad(&format!("{RATINGS}{RATINGS}"));
        assert!(e.contains("rated twice"), "{e}");
    }

    #[test]
    fn the_weights_run_from_a_half_to_two_and_medium_is_neutral() {
        let w = |c: Level, r: Level| c.weight() * r.weight();
        assert!((w(Level::Low, Level::Low) - 0.5).abs() < 1e-12);
        assert_eq!(w(Level::Medium, Level::Medium), 1.0);
        assert!((w(Level::High, Level::High) - 2.0).abs() < 1e-12);
        assert!((w(Level::High, Level::Low) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_embedded_ratings_load_and_give_every_one_a_reason() {
        let reg = Registry::embedded().unwrap();
        let r = Ratings::embedded(&reg).unwrap();
        // Sources added to the registry later are shown as not rated until rated here.
        assert!(r.iter().count() > 0);
        assert!(r.iter().all(|x| x.reason.len() > 20));
    }

    #[test]
    fn data_readme_lists_every_rating_with_its_reason() {
        let readme = include_str!("../data/README.md");
        let r = Ratings::embedded(&Registry::embedded().unwrap()).unwrap();
        for x in r.iter() {
            let row = format!("| {} | {} |", x.level, x.reason);
            assert!(
                readme.contains(&format!("| `{}` |", x.source)) && readme.contains(&row),
                "data/README.md does not list {} {:?}: {row}",
                x.source,
                x.quote
            );
        }
    }
}
