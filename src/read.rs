//! Reading typed features out of GeoJSON text, one function for every stage that loads data.

use serde::de::DeserializeOwned;

/// The features of a FeatureCollection as `T`s (geometry plus properties).
///
/// An empty collection is an empty list: the `geojson` crate reports it as a parse error
/// ("expected value"), which would send a reader looking for a syntax error that is not there.
pub(crate) fn features<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, geojson::Error> {
    geojson::de::deserialize_feature_collection_str_to_vec(text).or_else(|e| {
        match text.parse::<geojson::FeatureCollection>() {
            Ok(fc) if fc.features.is_empty() => Ok(Vec::new()),
            _ => Err(e),
        }
    })
}

/// One record of a CSV file: the 1-based line it starts on, and its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CsvRecord {
    pub line: usize,
    pub fields: Vec<String>,
}

/// CSV text that does not split into records: a quote left open.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "line {line}: a quoted field opened here is never closed (write a quote inside a quoted field as two quotes, \"\")"
)]
pub(crate) struct CsvError {
    pub line: usize,
}

/// The records of RFC 4180 CSV text, comma-separated, fields optionally in double quotes (which
/// may hold commas, line breaks and doubled quotes), lines ended by LF or CRLF, a leading UTF-8
/// byte-order mark ignored. Blank lines are skipped. Work and memory are linear in the text.
pub(crate) fn csv(text: &str) -> Result<Vec<CsvRecord>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let (mut fields, mut field) = (Vec::new(), String::new());
    let (mut line, mut start, mut quoted, mut in_quotes) = (1, 1, false, false);
    let mut chars = text.chars().peekable();
    let end_record = |fields: &mut Vec<String>, records: &mut Vec<CsvRecord>, start: usize| {
        let done = std::mem::take(fields);
        if !(done.len() == 1 && done[0].is_empty()) {
            records.push(CsvRecord {
                line: start,
                fields: done,
            });
        }
    };
    while let Some(c) = chars.next() {
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => in_quotes = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() && !quoted => (in_quotes, quoted) = (true, true),
            (false, ',') => {
                fields.push(std::mem::take(&mut field));
                quoted = false;
            }
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                quoted = false;
                end_record(&mut fields, &mut records, start);
                line += 1;
                start = line;
            }
            (false, c) => field.push(c),
        }
    }
    if in_quotes {
        return Err(CsvError { line: start });
    }
    fields.push(field);
    end_record(&mut fields, &mut records, start);
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_may_be_quoted_hold_commas_quotes_and_line_breaks() {
        let text =
            "\u{feff}id,name\r\na,\"Deir ez-Zor, city\"\n\nb,\"say \"\"hi\"\"\nthere\"\nc,\n";
        let r = csv(text).unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].fields, ["id", "name"]);
        assert_eq!(
            (r[1].line, r[1].fields[1].as_str()),
            (2, "Deir ez-Zor, city")
        );
        assert_eq!(
            (r[2].line, r[2].fields[1].as_str()),
            (4, "say \"hi\"\nthere")
        );
        assert_eq!(
            (r[3].line, r[3].fields.clone()),
            (6, vec!["c".into(), String::new()])
        );
        assert_eq!(csv("a,\"open\nb").unwrap_err(), CsvError { line: 1 });
    }
}
