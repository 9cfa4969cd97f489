//! What each class of road is called: the data's words for the fixed [`RoadClass`]es
//! (`data/road_classes.toml`, or a data folder's `road_classes.toml`), read by every map legend,
//! `report.html` and the QGIS road style, so that a region without deserts need not draw
//! "desert tracks".

use std::collections::BTreeMap;

use toml::Spanned;

use super::RoadClass;
use crate::units::{quoted as shown, toml_message};

/// `data/road_classes.toml`.
pub const ROAD_CLASSES_TOML: &str = include_str!("../../data/road_classes.toml");

/// Longest name of a class: a legend line.
const MAX_LABEL_CHARS: usize = 40;

/// The name of each road class, as the maps and the report show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassLabels {
    /// In [`RoadClass::ALL`] order.
    labels: [String; RoadClass::ALL.len()],
}

/// A road-class table that does not load. Every bad entry is reported at once.
#[derive(Debug, thiserror::Error)]
pub enum ClassLabelsError {
    #[error("{origin}: not a road-class table: {message}")]
    Syntax { origin: String, message: String },
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Entries(Vec<ClassLabelProblem>),
}

/// One bad entry of a road-class table: the file, the entry's line, its key, what is wrong, and
/// a hint.
#[derive(Debug, thiserror::Error)]
#[error("{origin}, line {line}, key {key}: {problem} (hint: {hint})")]
pub struct ClassLabelProblem {
    pub origin: String,
    pub line: usize,
    /// The key, quoted and escaped.
    pub key: String,
    pub problem: String,
    pub hint: String,
}

impl ClassLabels {
    /// The names compiled into the binary: the 2017 data's.
    pub fn embedded() -> Self {
        // It names every class itself (a test checks it).
        Self::read(
            ROAD_CLASSES_TOML,
            "data/road_classes.toml",
            Default::default(),
        )
        .expect("the embedded road-class table loads (a test checks it)")
    }

    /// Reads and checks a road-class table; `origin` names it in errors. Each key is a class
    /// ([`RoadClass::as_str`]), each value 1 to 40 printable characters; a class the table does
    /// not name keeps the embedded name.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ClassLabelsError> {
        Self::read(text, origin, Self::embedded().labels)
    }

    /// `text` read over `labels`: each class it names takes the name it gives.
    fn read(
        text: &str,
        origin: &str,
        mut labels: [String; RoadClass::ALL.len()],
    ) -> Result<Self, ClassLabelsError> {
        let raw: BTreeMap<String, Spanned<toml::Value>> =
            toml::from_str(text).map_err(|e| ClassLabelsError::Syntax {
                origin: origin.to_string(),
                message: toml_message(&e),
            })?;
        let mut problems = Vec::new();
        let mut entries: Vec<_> = raw.iter().collect();
        entries.sort_by_key(|(_, v)| v.span().start);
        for (key, value) in entries {
            let line = text[..value.span().start.min(text.len())]
                .lines()
                .count()
                .max(1);
            let mut fail = |problem: String, hint: String| {
                problems.push(ClassLabelProblem {
                    origin: origin.to_string(),
                    line,
                    key: shown(key),
                    problem,
                    hint,
                })
            };
            let Some(i) = RoadClass::ALL.iter().position(|c| c.as_str() == key) else {
                fail("not a class of road".into(), Self::hint(key));
                continue;
            };
            let label = match value.get_ref() {
                toml::Value::String(s) => s,
                other => {
                    let kind = other.type_str();
                    let article = match kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        true => "an",
                        false => "a",
                    };
                    fail(
                        format!("{article} {kind} is not a name"),
                        "write the name in quotes, e.g. track = \"track\"".into(),
                    );
                    continue;
                }
            };
            let count = label.chars().count();
            if label.trim().is_empty()
                || count > MAX_LABEL_CHARS
                || label.chars().any(char::is_control)
            {
                fail(
                    format!("{} is not a name", shown(label)),
                    format!("give 1 to {MAX_LABEL_CHARS} printable characters"),
                );
                continue;
            }
            labels[i] = label.clone();
        }
        match problems.is_empty() {
            true => Ok(ClassLabels { labels }),
            false => Err(ClassLabelsError::Entries(problems)),
        }
    }

    /// What the maps and the report call `class`.
    pub fn label(&self, class: RoadClass) -> &str {
        &self.labels[class as usize]
    }

    /// "did you mean track? The classes are …": the hint for an unknown key.
    fn hint(key: &str) -> String {
        let keys: Vec<&str> = RoadClass::ALL.iter().map(|c| c.as_str()).collect();
        let list = format!(
            "classes are {}; what a class is called is the value",
            keys.join(", ")
        );
        let closest = (keys.iter())
            .map(|k| (strsim::jaro_winkler(key, k), k))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match closest {
            Some((_, k)) => format!("did you mean {k}? The {list}"),
            None => format!("the {list}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_keeps_the_2017_words() {
        let l = ClassLabels::embedded();
        let words: Vec<&str> = RoadClass::ALL.iter().map(|&c| l.label(c)).collect();
        assert!(words.iter().all(|w| !w.is_empty()));
        assert_eq!(
            words,
            [
                "highway",
                "main road",
                "secondary road",
                "desert road",
                "desert track"
            ]
        );
    }

    #[test]
    fn all_lists_the_classes_in_declaration_order() {
        for (i, c) in RoadClass::ALL.into_iter().enumerate() {
            assert_eq!(c as usize, i, "{c:?}");
        }
    }

    #[test]
    fn a_table_names_some_classes_and_the_rest_keep_the_embedded_words() {
        let l = ClassLabels::from_toml("track = \"footpath\"\n", "t.toml").unwrap();
        assert_eq!(l.label(RoadClass::Track), "footpath");
        assert_eq!(l.label(RoadClass::Highway), "highway");
    }

    #[test]
    fn every_bad_entry_is_reported_at_once_with_file_line_key_and_hint() {
        let text = "highway = \"motorway\"\ntrak = \"path\"\nmain = 3\nsecondary = \"a\\u001b[31m\"\ndesert_road = \"\"\n";
        let e = ClassLabels::from_toml(text, "my/road_classes.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("my/road_classes.toml, line 2, key \"trak\": not a class of road (hint: did you mean track? The classes are highway, main, secondary, desert_road, track;"),
            "{e}"
        );
        assert!(
            e.contains("my/road_classes.toml, line 3, key \"main\": an integer is not a name"),
            "{e}"
        );
        assert!(
            e.contains("line 4, key \"secondary\": \"a\\u{1b}[31m\" is not a name (hint: give 1 to 40 printable characters)"),
            "{e}"
        );
        assert!(!e.contains('\u{1b}'), "{e}");
        assert!(e.contains("line 5, key \"desert_road\""), "{e}");
        let e = ClassLabels::from_toml("track = \n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.toml: not a road-class table:"), "{e}");
    }
}
