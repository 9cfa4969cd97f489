//! Text made safe to put in XML (the QGIS styles, the KML): titles, places and details come from
//! scenario files anyone can write, so nothing in them may end an element or make the document
//! invalid.

/// `s` escaped for XML 1.0 element text and attribute values (either quote).
///
/// The five markup characters become entities. Characters XML 1.0 cannot hold at all, even as a
/// character reference — control characters other than tab, newline and carriage return, and
/// U+FFFE/U+FFFF — become U+FFFD, so the document still parses and shows where they were.
/// Everything else, Arabic included, stays as written (UTF-8).
///
/// # Examples
/// ```
/// use convoy_sim::output::xml::escape;
/// assert_eq!(escape("Rawa & \"Aana\" <dam>\u{1}"), "Rawa &amp; &quot;Aana&quot; &lt;dam&gt;\u{fffd}");
/// assert_eq!(escape("البوكمال"), "البوكمال");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A literal CR would be read back as a newline; the reference keeps it.
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
