//! Places from a CSV table (`places.csv` in a data folder): one row a place, columns named in
//! the header, in any order. Every problem in the file is found, not just the first.
//!
//! Required columns: `id`, `name`, `lon`, `lat` (WGS84 degrees), `uncertainty_km`, `source`,
//! `licence`. Optional: `aliases` (other names in any script, separated by `;`), `country`,
//! `kind`, `position` (`sourced`, the default, `inferred` or `derived`), `source_url`,
//! `in_reports` (source ids separated by `;`), `note`. Documented in data/README.md.

use geo::Point;

use super::{Place, PlaceProblem, Position};
use crate::read::CsvRecord;

/// Every column the table may have, the required ones first.
pub const COLUMNS: [&str; 13] = [
    "id",
    "name",
    "lon",
    "lat",
    "uncertainty_km",
    "source",
    "licence",
    "aliases",
    "country",
    "kind",
    "position",
    "source_url",
    "in_reports",
];
/// How many of [`COLUMNS`] a table must have.
const REQUIRED: usize = 7;
/// The note column, last: accepted, shown nowhere but the data.
const NOTE: &str = "note";

/// A table's places, each with where it is ("line 4 (place \"rawa\")"), and its rows' problems.
pub(super) type Rows = (Vec<(Place, String)>, Vec<PlaceProblem>);

/// The places of a CSV table with where each is ("line 4"), and what is wrong with its rows (a
/// row with a bad value is among the places, 0 standing for that value, so that the checks
/// across rows see its names); or, when the header is at fault, what is wrong with it.
pub(super) fn places(text: &str) -> Result<Rows, Vec<PlaceProblem>> {
    let records = crate::read::csv(text).map_err(|e| {
        vec![PlaceProblem::new(
            format!("line {}", e.line),
            "",
            "a quoted field is never closed",
            "write a quote inside a quoted field as two quotes, \"\"",
        )]
    })?;
    let Some((header, rows)) = records.split_first() else {
        return Err(vec![PlaceProblem::new(
            "line 1".into(),
            "",
            "the file is empty",
            &format!(
                "the first line names the columns: {}",
                COLUMNS[..REQUIRED].join(",")
            ),
        )]);
    };
    let mut problems = Vec::new();
    let mut column: Vec<Option<usize>> = vec![None; COLUMNS.len() + 1];
    for (i, name) in header.fields.iter().enumerate() {
        let name = name.trim();
        let key = name.to_lowercase();
        let slot = COLUMNS
            .iter()
            .chain(std::iter::once(&NOTE))
            .position(|c| *c == key);
        match slot {
            Some(k) if column[k].is_some() => problems.push(PlaceProblem::new(
                format!("line {}", header.line),
                name,
                "the column is named twice",
                "name each column once",
            )),
            Some(k) => column[k] = Some(i),
            None => problems.push(PlaceProblem::new(
                format!("line {}", header.line),
                "",
                &format!("{} is not a column of places.csv", shown(name)),
                &match closest(name) {
                    Some(c) => format!("did you mean {c}? The columns are {}", all_columns()),
                    None => format!("the columns are {}", all_columns()),
                },
            )),
        }
    }
    let missing: Vec<&str> = (0..REQUIRED)
        .filter(|&k| column[k].is_none())
        .map(|k| COLUMNS[k])
        .collect();
    if !missing.is_empty() {
        problems.push(PlaceProblem::new(
            format!("line {}", header.line),
            "",
            &format!("no column {}", missing.join(", ")),
            "every place needs an id, name, lon, lat, uncertainty_km, source and licence",
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut places = Vec::with_capacity(rows.len());
    for row in rows {
        match place(row, &column, header.fields.len()) {
            Ok((p, mut wrong)) => {
                places.push(p);
                problems.append(&mut wrong);
            }
            Err(p) => problems.push(p),
        }
    }
    Ok((places, problems))
}

/// One row as a place, or what is wrong with it.
fn place(
    row: &CsvRecord,
    column: &[Option<usize>],
    width: usize,
) -> Result<((Place, String), Vec<PlaceProblem>), PlaceProblem> {
    let get = |k: usize| column[k].and_then(|i| row.fields.get(i)).map(|s| s.trim());
    let at = match get(0).filter(|id| !id.is_empty()) {
        Some(id) => format!("line {} (place {})", row.line, shown(id)),
        None => format!("line {}", row.line),
    };
    if row.fields.len() != width {
        return Err(PlaceProblem::new(
            at,
            "",
            &format!(
                "{} fields, but the header names {width} columns",
                row.fields.len()
            ),
            "quote a field that holds a comma: \"Deir ez-Zor, city\"",
        ));
    }
    let mut problems = Vec::new();
    let mut text = |k: usize, required: bool| -> String {
        let v = get(k).unwrap_or_default();
        if required && v.is_empty() {
            problems.push(PlaceProblem::new(
                at.clone(),
                COLUMNS[k],
                "is empty",
                match COLUMNS[k] {
                    "source" => "say where the coordinate came from (a gazetteer and its record, a map, a report)",
                    "licence" => "say under what licence the coordinate may be used, e.g. CC-BY-4.0 (GeoNames)",
                    _ => "every place needs an id, a name, a source and a licence",
                },
            ));
        }
        v.to_string()
    };
    let (id, name, source, licence) = (text(0, true), text(1, true), text(5, true), text(6, true));
    let (country, kind, source_url) = (text(8, false), text(9, false), text(11, false));
    let note = get(COLUMNS.len()).unwrap_or_default().to_string();
    let mut number = |k: usize, range: std::ops::RangeInclusive<f64>, what: &str| {
        let v = get(k).unwrap_or_default();
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && range.contains(&x) => Some(x),
            _ => {
                problems.push(PlaceProblem::new(
                    at.clone(),
                    COLUMNS[k],
                    &format!("{} is not {what}", shown(v)),
                    match COLUMNS[k] {
                        "lon" | "lat" => "WGS84 decimal degrees, a point for the decimal mark: lon -180 to 180 (east positive), lat -90 to 90 (north positive)",
                        _ => "a distance in km, 0 or more, with a point for the decimal mark",
                    },
                ));
                None
            }
        }
    };
    let lon = number(2, -180.0..=180.0, "a longitude");
    let lat = number(3, -90.0..=90.0, "a latitude");
    let uncertainty = number(4, 0.0..=20_000.0, "a distance in km");
    let position = match get(10).unwrap_or_default() {
        "" | "sourced" => Some(Position::Sourced),
        "inferred" => Some(Position::Inferred),
        "derived" => Some(Position::Derived),
        other => {
            problems.push(PlaceProblem::new(
                at.clone(),
                "position",
                &format!("{} is not a kind of position", shown(other)),
                "sourced (read from the source), inferred (chosen to fit descriptions) or derived (computed from other points)",
            ));
            None
        }
    };
    let list = |k: usize| -> Vec<String> {
        get(k)
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    // A row with bad values is still a place for the checks across rows (a name two rows share),
    // with 0 for what did not parse: its problems are reported whatever those checks find.
    let place = Place {
        geometry: Point::new(lon.unwrap_or(0.0), lat.unwrap_or(0.0)),
        id,
        name,
        aliases: list(7),
        country,
        kind: if kind.is_empty() {
            "place".into()
        } else {
            kind
        },
        uncertainty_km: uncertainty.unwrap_or(0.0),
        position: position.unwrap_or(Position::Sourced),
        source,
        source_url: (!source_url.is_empty()).then_some(source_url),
        licence,
        in_reports: list(12),
        note: (!note.is_empty()).then_some(note),
    };
    Ok(((place, at), problems))
}

/// A value from the file as a message shows it: quoted, cut, control characters escaped.
fn shown(v: &str) -> String {
    format!("{:?}", crate::units::cut(v, 40))
}

fn all_columns() -> String {
    format!(
        "{} (required), {}, {NOTE}",
        COLUMNS[..REQUIRED].join(", "),
        COLUMNS[REQUIRED..].join(", ")
    )
}

/// The known column closest to an unknown one, if any is close.
fn closest(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    COLUMNS
        .iter()
        .chain(std::iter::once(&NOTE))
        .map(|c| (strsim::jaro_winkler(&lower, c), *c))
        .filter(|(s, _)| *s >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::super::{Gazetteer, GazetteerError};

    const HEAD: &str = "id,name,lon,lat,uncertainty_km,source,licence,aliases\n";

    #[test]
    fn a_table_in_any_column_order_gives_places_found_by_aliases_in_any_script() {
        let text = "Licence,lat,lon,id,name,uncertainty_km,source,aliases,position,note\n\
            CC-BY-4.0,34.45226,40.91854,al_bukamal,Al Bukamal,2,GeoNames 174448,\"Bukamal; البوكمال ;Абу-Камаль\",,\"on the Euphrates, at the border\"\n";
        let g = Gazetteer::from_text(text, "my/places.csv").unwrap();
        let hit = g.lookup("البوكمال").unwrap();
        assert_eq!(hit.place.id, "al_bukamal");
        assert_eq!(hit.place.aliases, ["Bukamal", "البوكمال", "Абу-Камаль"]);
        assert_eq!(g.lookup("абу-камаль").unwrap().place.name, "Al Bukamal");
        let p = hit.place;
        assert_eq!((p.location().lon, p.location().lat), (40.91854, 34.45226));
        assert_eq!((p.uncertainty_km, p.licence.as_str()), (2.0, "CC-BY-4.0"));
        assert_eq!(p.position, super::Position::Sourced);
        assert_eq!(p.note.as_deref(), Some("on the Euphrates, at the border"));
    }

    #[test]
    fn every_problem_in_the_table_is_reported_with_its_line_and_column() {
        let text = format!(
            "{HEAD}a,A,40,34,1,s,l,\n\
             b,B,200,95,-1,s,,\n\
             c,C,40.5,34,1,s,l,A\n\
             a,D,41,34,1,s,l,\n\
             e,E,41,34\n"
        );
        let GazetteerError::Invalid { origin, problems } =
            Gazetteer::from_text(&text, "p.csv").unwrap_err()
        else {
            panic!("expected Invalid");
        };
        assert_eq!(origin, "p.csv");
        let got: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.at.as_str(), p.key.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("line 3 (place \"b\")", "licence"),
                ("line 3 (place \"b\")", "lon"),
                ("line 3 (place \"b\")", "lat"),
                ("line 3 (place \"b\")", "uncertainty_km"),
                ("line 6 (place \"e\")", ""),
                ("line 4 (place \"c\")", "aliases"),
                ("line 5 (place \"a\")", "id"),
            ]
        );
        assert!(problems[1].message.contains("\"200\" is not a longitude"));
        assert!(
            problems[5]
                .message
                .contains("also names line 2 (place \"a\")")
        );
    }

    #[test]
    fn a_header_that_does_not_name_the_columns_is_refused_with_the_columns_it_lacks() {
        let err = Gazetteer::from_text("id,name,lon,latitude,license\n", "p.csv")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p.csv: 3 problems: "), "{err}");
        assert!(
            err.contains("\"latitude\" is not a column of places.csv (hint: did you mean lat?"),
            "{err}"
        );
        assert!(err.contains("did you mean licence?"), "{err}");
        assert!(
            err.contains("no column lat, uncertainty_km, source, licence"),
            "{err}"
        );
        let empty = Gazetteer::from_text("", "p.csv").unwrap_err().to_string();
        assert!(empty.contains("the file is empty"), "{empty}");
        let control = Gazetteer::from_text(&format!("{HEAD}x,X,\u{1b}[31m,0,1,s,l,\n"), "p.csv")
            .unwrap_err()
            .to_string();
        assert!(
            !control.contains('\u{1b}') && control.contains("\\u{1b}[31m"),
            "{control}"
        );
    }
}
