//! Text from a scenario or an argument is untrusted: printed raw, an escape sequence in a title
//! could clear the screen or fake a result, and a bidirectional override could reorder what is
//! shown. Everything convoy-sim prints goes through [`printable`], which shows such characters as
//! `\uXXXX` escapes. That is also how JSON writes them, so JSON on stdout keeps its meaning; the
//! files convoy-sim writes keep the text as it is. A message on stderr is also kept readable
//! whatever it echoes ([`message`]).

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw: C0 controls but tab and newline, DEL, C1 controls,
/// and the Unicode bidirectional controls (marks, embeddings, overrides and isolates).
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character replaced by its `\uXXXX` escape.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Longest run of non-space characters a message shows whole.
const MAX_WORD_CHARS: usize = 120;

/// A message for stderr: [`printable`], with any word longer than [`MAX_WORD_CHARS`] (a name or
/// value echoed from a huge input) cut in the middle and its length said.
pub fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    for (k, word) in text.split(' ').enumerate() {
        if k > 0 {
            out.push(' ');
        }
        let n = word.chars().count();
        if n <= MAX_WORD_CHARS {
            out.push_str(word);
        } else {
            let head: String = word.chars().take(MAX_WORD_CHARS / 2).collect();
            let tail: String = word.chars().skip(n - 20).collect();
            out.push_str(&format!("{head}…[{n} characters]…{tail}"));
        }
    }
    printable(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{message, printable};

    #[test]
    fn a_huge_echoed_value_is_cut_and_its_length_said() {
        let m = message(&format!("unknown place '{}' (hint)", "x".repeat(10_000)));
        assert!(m.len() < 300, "{m}");
        assert!(
            m.contains("[10002 characters]") && m.ends_with("' (hint)"),
            "{m}"
        );
        assert_eq!(message("short words stay"), "short words stay");
    }

    #[test]
    fn escape_sequences_and_overrides_are_shown_not_obeyed() {
        assert_eq!(printable("\u{1b}[2Jok\r"), "\\u001b[2Jok\\u000d");
        assert_eq!(printable("a\u{202E}b\u{9b}"), "a\\u202eb\\u009b");
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for s in ["Al Bukamal\tالبوكمال\n", "Deir ez-Zor — 17 buses", ""] {
            assert!(matches!(printable(s), std::borrow::Cow::Borrowed(_)));
        }
    }
}
