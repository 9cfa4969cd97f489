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

/// A LineString feature: its (lon, lat) vertices, and its properties.
pub(crate) type LineFeature<P> = (Vec<(f64, f64)>, P);

/// The LineString features of a FeatureCollection, each as its (lon, lat) vertices and its
/// properties as `P`, read in one pass.
///
/// [`features`] reads each feature into a JSON value and then again into geometry and
/// properties; on a national road network (10^5 features, 10^6 vertices) that is a third of
/// loading it. This reads the text straight into the vertices and `P`, and says which line and
/// column are wrong when something is.
pub(crate) fn line_features<P: DeserializeOwned>(
    text: &str,
) -> Result<Vec<LineFeature<P>>, geojson::Error> {
    #[derive(serde::Deserialize)]
    struct Collection<P> {
        features: Vec<Feature<P>>,
    }
    #[derive(serde::Deserialize)]
    struct Feature<P> {
        geometry: Line,
        properties: P,
    }
    #[derive(serde::Deserialize)]
    struct Line {
        #[serde(rename = "type")]
        kind: String,
        coordinates: Vec<Position>,
    }
    let c: Collection<P> = serde_json::from_str(text)?;
    c.features
        .into_iter()
        .map(|f| match f.geometry.kind.as_str() {
            "LineString" => Ok((
                f.geometry
                    .coordinates
                    .into_iter()
                    .map(|p| (p.0, p.1))
                    .collect(),
                f.properties,
            )),
            other => Err(geojson::Error::ExpectedType {
                expected: "LineString".into(),
                actual: format!("{:?}", crate::units::cut(other, 40)),
            }),
        })
        .collect()
}

/// A GeoJSON position: longitude, latitude, and an altitude (or more) that is read and dropped.
struct Position(f64, f64);

impl<'de> serde::Deserialize<'de> for Position {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Position;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a LineString vertex, [longitude, latitude]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Position, A::Error> {
                let missing = || serde::de::Error::invalid_length(1, &self);
                let lon = seq.next_element()?.ok_or_else(missing)?;
                let lat = seq.next_element()?.ok_or_else(missing)?;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Position(lon, lat))
            }
        }
        d.deserialize_seq(Visit)
    }
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
    fn line_features_read_vertices_and_properties_and_say_where_they_fail() {
        #[derive(Debug, serde::Deserialize)]
        struct P {
            id: String,
        }
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"id":"a"},"geometry":{"coordinates":[[1,2,99],[3.5,4]],"type":"LineString"}}]}"#;
        let read = line_features::<P>(text).unwrap();
        assert_eq!(read[0].0, [(1.0, 2.0), (3.5, 4.0)]);
        assert_eq!(read[0].1.id, "a");
        let empty = r#"{"type":"FeatureCollection","features":[]}"#;
        assert!(line_features::<P>(empty).unwrap().is_empty());
        let point = text.replace("\"LineString\"", "\"Point\"");
        let err = line_features::<P>(&point).unwrap_err().to_string();
        assert!(err.contains("`LineString`, found `\"Point\"`"), "{err}");
        let short = text.replace("[3.5,4]", "[3.5]");
        let err = line_features::<P>(&short).unwrap_err().to_string();
        assert!(err.contains("at line 2 column"), "{err}");
    }

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
