//! Who may hold ground: the data's vocabulary of holders (`data/holders.toml`, or a data folder's
//! `holders.toml`), with how each is named in legends and tables and coloured on the maps.
//!
//! A [`Holder`] is a small `Copy` value: an id and its position in the table, so that holders
//! sort in table order (the order of every table and legend) and [`Holder::NONE`], ground no
//! zone covers, sorts last. `none` is built in; every other holder is the data's.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Mutex;

use serde::Deserialize;
use toml::Spanned;

use crate::units::{quoted as shown, toml_message};

/// `data/holders.toml`.
pub const HOLDERS_TOML: &str = include_str!("../../data/holders.toml");

/// The most holders a table may define: each takes a line of the map legend.
pub const MAX_HOLDERS: usize = 64;

/// Who held a piece of ground: one of the data's holders, or [`Holder::NONE`].
///
/// Holders compare and sort by their place in the table they were read from, then by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Holder {
    rank: u16,
    id: &'static str,
}

impl Holder {
    /// No zone covers the point: no-man's land, or ground the data does not claim to know.
    pub const NONE: Holder = Holder {
        rank: u16::MAX,
        id: "none",
    };

    /// The name used in files and tables (`islamic_state`).
    pub fn as_str(self) -> &'static str {
        self.id
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

impl serde::Serialize for Holder {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

/// A holder read back from a file the program wrote (an ensemble shard), by id alone: it is not
/// one of a table's until [`Holders::resolve`] makes it so, and sorts after every table's holders
/// but before `none`.
impl<'de> Deserialize<'de> for Holder {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        Ok(match id == Holder::NONE.id {
            true => Holder::NONE,
            false => Holder {
                rank: u16::MAX - 1,
                id: intern(&id),
            },
        })
    }
}

/// An id as a `&'static str`, each distinct id stored once for the life of the process.
///
/// A `Holder` is copied into every agent state, event and count; a borrowed name would tie all of
/// them to the data's lifetime. Ids are short and few (at most [`MAX_HOLDERS`] per table), so
/// keeping each distinct one costs bytes, however many data folders a process loads.
fn intern(id: &str) -> &'static str {
    static IDS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut ids = IDS.lock().unwrap_or_else(|e| e.into_inner());
    match ids.get(id) {
        Some(known) => known,
        None => {
            let leaked: &'static str = Box::leak(id.to_string().into_boxed_str());
            ids.insert(leaked);
            leaked
        }
    }
}

/// An sRGB colour, 0–255 per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// One holder as the table defines it.
#[derive(Clone, Debug, PartialEq)]
pub struct HolderInfo {
    pub holder: Holder,
    /// As the map legend, the report and QGIS name it ("Islamic State").
    pub label: String,
    /// As the compare table abbreviates it ("IS").
    pub short: String,
    /// The zone's colour on the maps (filled lighter, outlined as is).
    pub colour: Rgb,
    /// Whether `sensitivity` reports the share of buses ending in this holder's ground.
    pub end_share: bool,
}

/// The data's holders, in table order, and the built-in `none`.
#[derive(Clone, Debug, PartialEq)]
pub struct Holders {
    list: Vec<HolderInfo>,
    none: HolderInfo,
}

/// A holders table that does not load: the file, the entry's line, what is wrong, a hint.
#[derive(Debug, thiserror::Error)]
pub enum HoldersError {
    #[error("{origin}: not a holders table: {message}")]
    Syntax { origin: String, message: String },
    #[error(
        "{origin}: defines no holder (hint: add [[holder]] entries with id, label, short and colour)"
    )]
    Empty { origin: String },
    #[error("{origin}: defines {count} holders; at most {MAX_HOLDERS} fit a legend")]
    TooMany { origin: String, count: usize },
    #[error("{origin}, line {line}, holder {id}: {problem} (hint: {hint})")]
    Entry {
        origin: String,
        line: usize,
        /// The entry's id, quoted and escaped.
        id: String,
        problem: String,
        hint: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHolders {
    #[serde(default)]
    holder: Vec<Spanned<RawHolder>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHolder {
    id: String,
    label: String,
    short: String,
    colour: String,
    #[serde(default = "yes")]
    end_share: bool,
}

fn yes() -> bool {
    true
}

/// Longest label: a legend line.
const MAX_LABEL_CHARS: usize = 40;
/// Longest short label: a compare-table cell.
const MAX_SHORT_CHARS: usize = 12;

impl Holders {
    /// The table compiled into the binary: the parties of 2017.
    pub fn embedded() -> Self {
        Self::from_toml(HOLDERS_TOML, "data/holders.toml")
            .expect("the embedded holders table loads (a test checks it)")
    }

    /// Reads and checks a holders table; `origin` names it in errors. Each id is lower-case
    /// letters, digits and `_`, given once, and not `none`; each label and short label is
    /// non-empty, printable and short; each colour is `#rrggbb`.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, HoldersError> {
        let raw: RawHolders = toml::from_str(text).map_err(|e| HoldersError::Syntax {
            origin: origin.to_string(),
            message: toml_message(&e),
        })?;
        if raw.holder.is_empty() {
            return Err(HoldersError::Empty {
                origin: origin.to_string(),
            });
        }
        if raw.holder.len() > MAX_HOLDERS {
            return Err(HoldersError::TooMany {
                origin: origin.to_string(),
                count: raw.holder.len(),
            });
        }
        let mut list: Vec<HolderInfo> = Vec::with_capacity(raw.holder.len());
        for (rank, entry) in raw.holder.iter().enumerate() {
            let line = text[..entry.span().start.min(text.len())].lines().count() + 1;
            let h = entry.get_ref();
            let fail = |problem: String, hint: &str| HoldersError::Entry {
                origin: origin.to_string(),
                line,
                id: shown(&h.id),
                problem,
                hint: hint.to_string(),
            };
            let id_ok = !h.id.is_empty()
                && h.id.len() <= 40
                && (h.id.bytes())
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !id_ok {
                return Err(fail(
                    "id: not a holder id".into(),
                    "use 1 to 40 lower-case letters, digits and _, e.g. \"river_authority\"",
                ));
            }
            if h.id == Holder::NONE.id {
                return Err(fail(
                    "id: \"none\" is built in (ground no zone covers)".into(),
                    "choose another id",
                ));
            }
            if list.iter().any(|i| i.holder.id == h.id) {
                return Err(fail(
                    "id: defined twice".into(),
                    "give each holder one entry",
                ));
            }
            for (key, value, max) in [
                ("label", &h.label, MAX_LABEL_CHARS),
                ("short", &h.short, MAX_SHORT_CHARS),
            ] {
                let count = value.chars().count();
                if value.trim().is_empty() || count > max || value.chars().any(char::is_control) {
                    return Err(fail(
                        format!("{key}: {} is not a label", shown(value)),
                        &format!("give 1 to {max} printable characters"),
                    ));
                }
            }
            let Some(colour) = parse_colour(&h.colour) else {
                return Err(fail(
                    format!("colour: {} is not a colour", shown(&h.colour)),
                    "write #rrggbb, e.g. \"#d64040\"",
                ));
            };
            list.push(HolderInfo {
                holder: Holder {
                    rank: rank as u16,
                    id: intern(&h.id),
                },
                label: h.label.clone(),
                short: h.short.clone(),
                colour,
                end_share: h.end_share,
            });
        }
        Ok(Holders {
            list,
            none: HolderInfo {
                holder: Holder::NONE,
                label: "no holder in the data".into(),
                short: "none".into(),
                colour: Rgb(255, 255, 255),
                end_share: true,
            },
        })
    }

    /// The data's holders in table order, then `none`.
    pub fn all(&self) -> impl Iterator<Item = &HolderInfo> {
        self.list.iter().chain(std::iter::once(&self.none))
    }

    /// The data's holders in table order, without `none`.
    pub fn defined(&self) -> impl Iterator<Item = &HolderInfo> {
        self.list.iter()
    }

    /// The holder with this id, `none` included.
    pub fn get(&self, id: &str) -> Option<Holder> {
        self.all().find(|i| i.holder.id == id).map(|i| i.holder)
    }

    /// `h` as this table's holder (one read back from a file, or of another table), if the table
    /// has its id.
    pub fn resolve(&self, h: Holder) -> Option<Holder> {
        self.get(h.id)
    }

    /// What the table says of `h`; a holder from another table is described as `none` is.
    pub fn info(&self, h: Holder) -> &HolderInfo {
        self.list
            .get(h.rank as usize)
            .filter(|i| i.holder == h)
            .unwrap_or(&self.none)
    }

    /// The holders whose ground `sensitivity` reports the end share of, in table order, then
    /// `none`.
    pub fn end_shares(&self) -> impl Iterator<Item = Holder> + '_ {
        self.all().filter(|i| i.end_share).map(|i| i.holder)
    }

    /// The id (not `none`) closest to an unknown `name`, if any is close.
    pub fn closest(&self, name: &str) -> Option<&'static str> {
        (self.list.iter())
            .map(|i| (strsim::jaro_winkler(name, i.holder.id), i.holder.id))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }

    /// "did you mean islamic_state? The holders are …": the hint for an unknown `name`.
    pub fn hint(&self, name: &str) -> String {
        let ids: Vec<&str> = self.list.iter().map(|i| i.holder.id).collect();
        let all = format!("the holders are {} (holders.toml)", ids.join(", "));
        match self.closest(name) {
            Some(c) => format!(
                "did you mean {c}? {}{}",
                &all[..1].to_uppercase(),
                &all[1..]
            ),
            None => all,
        }
    }
}

/// `#rrggbb` as a colour.
fn parse_colour(s: &str) -> Option<Rgb> {
    let hex = s.strip_prefix('#').filter(|h| h.len() == 6)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "[[holder]]\nid = \"river_authority\"\nlabel = \"River Authority\"\nshort = \"RA\"\ncolour = \"#1f77b4\"\n\n[[holder]]\nid = \"hill_militia\"\nlabel = \"Hill militia\"\nshort = \"hills\"\ncolour = \"#AA3300\"\nend_share = false\n";

    #[test]
    fn embedded_table_keeps_the_2017_parties_in_order_with_none_last() {
        let h = Holders::embedded();
        let ids: Vec<&str> = h.all().map(|i| i.holder.as_str()).collect();
        assert_eq!(
            ids,
            [
                "syrian_government",
                "islamic_state",
                "iraqi_government",
                "sdf",
                "coalition",
                "lebanese_government",
                "kurdistan_region",
                "none"
            ]
        );
        let mut sorted: Vec<Holder> = h.all().map(|i| i.holder).collect();
        sorted.reverse();
        sorted.sort();
        assert_eq!(sorted, h.all().map(|i| i.holder).collect::<Vec<_>>());
        let is = h.info(h.get("islamic_state").unwrap());
        assert_eq!(
            (is.label.as_str(), is.short.as_str()),
            ("Islamic State", "IS")
        );
        assert_eq!(is.colour, Rgb(40, 40, 40));
        let shares: Vec<&str> = h.end_shares().map(Holder::as_str).collect();
        assert_eq!(
            shares,
            [
                "syrian_government",
                "islamic_state",
                "iraqi_government",
                "none"
            ]
        );
    }

    #[test]
    fn a_table_defines_its_own_parties() {
        let h = Holders::from_toml(TWO, "holders.toml").unwrap();
        let ra = h.get("river_authority").unwrap();
        assert_eq!(h.info(ra).colour, Rgb(0x1f, 0x77, 0xb4));
        assert_eq!(
            h.info(h.get("hill_militia").unwrap()).colour.hex(),
            "#aa3300"
        );
        assert!(h.get("islamic_state").is_none());
        assert_eq!(h.get("none"), Some(Holder::NONE));
        assert_eq!(h.info(Holder::NONE).label, "no holder in the data");
        assert!(ra < Holder::NONE);
        let shares: Vec<&str> = h.end_shares().map(Holder::as_str).collect();
        assert_eq!(shares, ["river_authority", "none"]);
        // A holder of another table is not one of this table's.
        let other = Holders::embedded().get("syrian_government").unwrap();
        assert_eq!(h.info(other).holder, Holder::NONE);
    }

    #[test]
    fn unknown_names_get_the_closest_id_and_the_list() {
        let h = Holders::from_toml(TWO, "holders.toml").unwrap();
        let hint = h.hint("river_autority");
        assert!(
            hint.starts_with(
                "did you mean river_authority? The holders are river_authority, hill_militia"
            ),
            "{hint}"
        );
        assert_eq!(
            h.hint("xyz"),
            "the holders are river_authority, hill_militia (holders.toml)"
        );
    }

    #[test]
    fn bad_entries_are_refused_with_file_line_id_and_hint() {
        let err = |text: &str| {
            Holders::from_toml(text, "my/holders.toml")
                .unwrap_err()
                .to_string()
        };
        let bad_colour = TWO.replace("#AA3300", "red");
        let e = err(&bad_colour);
        assert!(
            e.starts_with(
                "my/holders.toml, line 7, holder \"hill_militia\": colour: \"red\" is not a colour"
            ),
            "{e}"
        );
        assert!(e.contains("#rrggbb"), "{e}");
        let e = err(&TWO.replace("hill_militia", "river_authority"));
        assert!(e.contains("line 7") && e.contains("defined twice"), "{e}");
        let e = err(&TWO.replace("hill_militia", "none"));
        assert!(e.contains("built in"), "{e}");
        let e = err(&TWO.replace("hill_militia", "Hill Militia"));
        assert!(e.contains("not a holder id"), "{e}");
        let e = err(&TWO.replace("Hill militia", "Hill\\u001b[31m"));
        assert!(
            e.contains("label: \"Hill\\u{1b}[31m\"") && !e.contains('\u{1b}'),
            "{e}"
        );
        let e = err(&TWO.replace("\"RA\"", "\"a very long short label\""));
        assert!(e.contains("short:") && e.contains("1 to 12"), "{e}");
        let e = err(&TWO.replace("colour = \"#1f77b4\"", "color = \"#1f77b4\""));
        assert!(
            e.starts_with("my/holders.toml: not a holders table:") && e.contains("color"),
            "{e}"
        );
        let e = err(&TWO.replace("Hill militia", "Hill\u{1b}[31m"));
        assert!(
            e.contains("not a holders table") && !e.contains('\u{1b}'),
            "{e}"
        );
        let e = err("# nothing\n");
        assert!(e.contains("defines no holder"), "{e}");
    }
}
