//! What is wrong with a scenario file, where: every problem names the line, column and key.

use std::fmt;
use std::ops::Range;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line and column of the offending value (0 when the file as a whole is at fault).
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `bus_group[2].plan[1].drive_to`.
    pub key: String,
    pub message: String,
    pub hint: Option<String>,
}

/// Every problem found in one scenario file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    pub origin: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        if n > 1 {
            writeln!(f, "{}: {n} problems", self.origin)?;
        }
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.origin)?;
            if p.line > 0 {
                write!(f, ":{}:{}", p.line, p.column)?;
            }
            if !p.key.is_empty() {
                write!(f, ": {}", p.key)?;
            }
            write!(f, ": {}", p.message)?;
            if let Some(h) = &p.hint {
                write!(f, " (hint: {h})")?;
            }
        }
        Ok(())
    }
}

/// Turns byte offsets into 1-based line and column numbers of one text.
#[derive(Clone, Debug)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// 1-based (line, column) of byte `offset`.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text
            .get(start..offset.min(text.len()))
            .map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    pub fn problem(
        &self,
        text: &str,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        let (line, column) = self.position(text, span.start);
        Problem {
            line,
            column,
            key: key.into(),
            message: message.into(),
            hint: None,
        }
    }
}

/// The key written just before byte `offset` on its line (`speed_kmh` in `speed_kmh = -3`), for
/// errors the TOML parser reports by position only.
pub fn key_before(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let at_key = text[offset..]
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .next()
        .filter(|k| {
            !k.is_empty()
                && text[offset..]
                    .trim_start_matches(k)
                    .trim_start()
                    .starts_with('=')
        });
    if let Some(k) = at_key {
        return Some(k.to_string());
    }
    let eq = before.rfind('=')?;
    let key = before[..eq]
        .trim_end()
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .next()?;
    (!key.is_empty()).then(|| key.to_string())
}

/// The `[table]` or `[[array]]` header in force at byte `offset`, without brackets; an array
/// entry gets its 1-based position (`bus_group[2]`).
pub fn table_before(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let header = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))?;
    let name = header
        .trim_matches(|c| c == '[' || c == ']' || c == ' ')
        .to_string();
    if header.starts_with("[[") {
        let n = before.lines().filter(|l| l.trim() == header).count();
        Some(format!("{name}[{n}]"))
    } else {
        Some(name)
    }
}

/// `table.key` for errors the TOML parser reports by position only.
pub fn key_path_at(text: &str, offset: usize) -> String {
    match (table_before(text, offset), key_before(text, offset)) {
        (Some(t), Some(k)) if !t.is_empty() => format!("{t}.{k}"),
        (_, Some(k)) => k,
        (Some(t), None) => t,
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let text = "a = 1\nbb = 2\n";
        let lines = Lines::new(text);
        assert_eq!(lines.position(text, 0), (1, 1));
        assert_eq!(lines.position(text, 6), (2, 1));
        assert_eq!(lines.position(text, 11), (2, 6));
    }

    #[test]
    fn finds_the_key_of_a_value() {
        let text = "[run]\nspeed_kmh = -3\nplan = [{ drive_to = 4 }]\n";
        assert_eq!(
            key_before(text, text.find("-3").unwrap()).as_deref(),
            Some("speed_kmh")
        );
        assert_eq!(
            key_before(text, text.find('4').unwrap()).as_deref(),
            Some("drive_to")
        );
        assert_eq!(
            key_before(text, text.find("speed").unwrap()).as_deref(),
            Some("speed_kmh")
        );
    }

    #[test]
    fn key_paths_include_the_table() {
        let text = "[run]\nseed = 1\n\n[[bus_group]]\nbuses = \"x\"\n";
        assert_eq!(
            key_path_at(text, text.find("\"x\"").unwrap()),
            "bus_group[1].buses"
        );
        assert_eq!(key_path_at(text, text.find('1').unwrap()), "run.seed");
    }

    #[test]
    fn several_problems_print_one_per_line() {
        let e = ScenarioError {
            origin: "s.toml".into(),
            problems: vec![
                Problem {
                    line: 3,
                    column: 1,
                    key: "run.end".into(),
                    message: "before start".into(),
                    hint: None,
                },
                Problem {
                    line: 9,
                    column: 5,
                    key: "x".into(),
                    message: "m".into(),
                    hint: Some("h".into()),
                },
            ],
        };
        assert_eq!(
            e.to_string(),
            "s.toml: 2 problems\ns.toml:3:1: run.end: before start\ns.toml:9:5: x: m (hint: h)"
        );
    }
}
