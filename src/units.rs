//! Units and coordinates, so that the types say what a number means.
//!
//! Positions are always [`LonLat`] — longitude first, as in GeoJSON and `geo` — in WGS84 degrees.
//! Distances are [`Metres`], speeds [`KmPerHour`], instants [`jiff::Timestamp`] (UTC). The metric is
//! chosen here once: great-circle distance on the mean-radius sphere ([`geo::Haversine`]), which is
//! within 0.5% of the ellipsoid at these latitudes — far inside the uncertainty of the places.

use std::borrow::Cow;
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

use geo::{Distance, Haversine, Point};
use jiff::{SignedDuration, Timestamp};

/// A position in WGS84 degrees, longitude first.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    pub const fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// Great-circle distance to `other`.
    ///
    /// # Units
    /// Degrees in, metres out.
    ///
    /// # Examples
    /// ```
    /// use convoy_sim::units::LonLat;
    /// let palmyra = LonLat::new(38.2840, 34.5624);
    /// let al_bukamal = LonLat::new(40.9185, 34.4523);
    /// let km = palmyra.distance(al_bukamal).km();
    /// assert!((km - 242.0).abs() < 2.0, "{km}");
    /// ```
    pub fn distance(self, other: LonLat) -> Metres {
        Metres(Haversine.distance(self.point(), other.point()))
    }

    pub fn point(self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }

    /// The coordinate as GeoJSON writes it: `[lon, lat]`.
    pub fn position(self) -> Vec<f64> {
        vec![self.lon, self.lat]
    }
}

impl From<Point<f64>> for LonLat {
    fn from(p: Point<f64>) -> Self {
        Self::new(p.x(), p.y())
    }
}

impl From<geo::Coord<f64>> for LonLat {
    fn from(c: geo::Coord<f64>) -> Self {
        Self::new(c.x, c.y)
    }
}

impl fmt::Display for LonLat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = if self.lat >= 0.0 { 'N' } else { 'S' };
        let ew = if self.lon >= 0.0 { 'E' } else { 'W' };
        write!(f, "{:.4}°{ns} {:.4}°{ew}", self.lat.abs(), self.lon.abs())
    }
}

/// A distance in metres.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, serde::Serialize)]
pub struct Metres(pub f64);

impl Metres {
    pub const ZERO: Metres = Metres(0.0);

    pub fn from_km(km: f64) -> Self {
        Metres(km * 1000.0)
    }

    pub fn km(self) -> f64 {
        self.0 / 1000.0
    }

    /// How long covering this distance takes at `speed`.
    ///
    /// # Panics
    /// If the time is not finite or beyond jiff's ±292 billion years: a zero speed, or one like
    /// 1e-15 km/h. Scenario validation holds speeds to at least 0.5 km/h
    /// ([`crate::scenario::limits::MIN_KMH`]).
    pub fn time_at(self, speed: KmPerHour) -> SignedDuration {
        secs_f64(self.0 / speed.metres_per_second())
    }
}

/// [`SignedDuration::from_secs_f64`] to the nanosecond, without its calls to `trunc`, `fract`
/// and `round`, which x86-64 without SSE4.1 makes in software: every hop of every drive asks
/// for a time. Whole seconds toward zero, the rest rounded to the nearest nanosecond, halves
/// away from zero, as jiff does.
fn secs_f64(secs: f64) -> SignedDuration {
    // Beyond this jiff panics (not finite, or out of i64 seconds): let it say so.
    if secs.is_nan() || secs.abs() >= 9.0e18 {
        return SignedDuration::from_secs_f64(secs);
    }
    let whole = secs as i64;
    // Exact: the difference of a float and its integer part.
    let nanos = (secs - whole as f64) * 1e9;
    let below = nanos as i64;
    let rest = nanos - below as f64;
    let rounded = below + i64::from(rest >= 0.5) - i64::from(rest <= -0.5);
    // ±1e9 nanoseconds carry into the seconds, as jiff's do; both have the sign of `secs`.
    SignedDuration::new(whole, rounded as i32)
}

impl Add for Metres {
    type Output = Metres;
    fn add(self, rhs: Metres) -> Metres {
        Metres(self.0 + rhs.0)
    }
}

impl AddAssign for Metres {
    fn add_assign(&mut self, rhs: Metres) {
        self.0 += rhs.0;
    }
}

impl Sub for Metres {
    type Output = Metres;
    fn sub(self, rhs: Metres) -> Metres {
        Metres(self.0 - rhs.0)
    }
}

impl std::iter::Sum for Metres {
    fn sum<I: Iterator<Item = Metres>>(iter: I) -> Metres {
        iter.fold(Metres::ZERO, Add::add)
    }
}

/// A speed in kilometres per hour, the unit road speeds are quoted in.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, serde::Serialize, serde::Deserialize)]
pub struct KmPerHour(pub f64);

impl KmPerHour {
    pub fn metres_per_second(self) -> f64 {
        self.0 / 3.6
    }
}

/// Hours in a duration, as tables and GeoJSON properties quote it.
pub fn hours(d: SignedDuration) -> f64 {
    d.as_secs_f64() / 3600.0
}

/// Most characters of a user's text that a message repeats back.
pub const ECHO_CHARS: usize = 80;

/// `text` as an error message repeats it: cut after [`ECHO_CHARS`] characters with "…", so that a
/// 10 MB name or key makes a readable message, not a 10 MB one.
///
/// # Examples
/// ```
/// use convoy_sim::units::echo;
/// assert_eq!(echo("Palmyra"), "Palmyra");
/// let long = "ب".repeat(1000);
/// assert_eq!(echo(&long).chars().count(), 81);
/// assert!(echo(&long).ends_with("ب…"));
/// ```
pub fn echo(text: &str) -> Cow<'_, str> {
    cut(text, ECHO_CHARS)
}

/// A user's short text as an error message quotes it: in quotes, cut after 40 characters, with
/// control characters escaped.
pub fn quoted(text: &str) -> String {
    format!("{:?}", cut(text, 40))
}

/// A TOML parse error as one line of a message: toml quotes the offending line, and a control
/// character in it is the file's, so each is escaped.
pub fn toml_message(e: &toml::de::Error) -> String {
    (e.to_string().trim().replace('\n', " ").chars())
        .map(|c| match c.is_control() {
            true => c.escape_unicode().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// `text` cut after `max_chars` characters with "…"; between characters, never inside one.
pub fn cut(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
        None => Cow::Borrowed(text),
    }
}

/// A malformed time given by a user.
#[derive(Debug, thiserror::Error)]
#[error(
    "'{}' is not a time: use ISO 8601 in UTC, e.g. 2017-08-30T12:00:00Z, 2017-08-30T12:00 or 2017-08-30",
    echo(.input)
)]
pub struct TimeError {
    pub input: String,
}

/// Parses a user-supplied instant as UTC.
///
/// Accepts an RFC 3339 timestamp with any offset (`2017-08-30T15:00:00+03:00`), a date-time without
/// an offset, taken as UTC (`2017-08-30T12:00`, `2017-08-30 12:00:00`), or a bare date, taken as
/// 00:00 UTC of that day (`2017-08-30`).
///
/// # Examples
/// ```
/// use convoy_sim::units::parse_utc;
/// let t = parse_utc("2017-08-30").unwrap();
/// assert_eq!(t.to_string(), "2017-08-30T00:00:00Z");
/// assert_eq!(parse_utc("2017-08-30T15:00:00+03:00").unwrap().to_string(), "2017-08-30T12:00:00Z");
/// assert!(parse_utc("30/08/2017").is_err());
/// ```
pub fn parse_utc(input: &str) -> Result<Timestamp, TimeError> {
    let s = input.trim();
    let err = || TimeError {
        input: input.to_string(),
    };
    // An instant, not a civil time in a named zone: `[Asia/Damascus]` annotations would be
    // ignored by the parser, silently shifting the time. Offsets beyond ±23:59 are not RFC 3339.
    if s.contains('[') || offset_hours(s).is_some_and(|h| h > 23) {
        return Err(err());
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let utc = jiff::tz::TimeZone::UTC;
    if s.len() > 10 {
        if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
            return dt.to_zoned(utc).map(|z| z.timestamp()).map_err(|_| err());
        }
        return Err(err());
    }
    let date = s.parse::<jiff::civil::Date>().map_err(|_| err())?;
    date.to_zoned(utc).map(|z| z.timestamp()).map_err(|_| err())
}

/// The hours of a trailing `±HH:MM` offset, if the text ends in one after a time.
fn offset_hours(s: &str) -> Option<u32> {
    let tail = s.get(s.len().checked_sub(6)?..)?;
    let (sign, rest) = tail.split_at(1);
    if !matches!(sign, "+" | "-") || !s.contains('T') {
        return None;
    }
    let (h, m) = rest.split_once(':')?;
    (m.len() == 2 && h.len() == 2).then(|| h.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_published_great_circle_figures() {
        // geography-2017.md: T2 -> Abu Kamal 70.6 km, Humaymah -> T2 36.2 km.
        let t2 = LonLat::new(40.1524, 34.3905);
        let bukamal = LonLat::new(40.9185, 34.4523);
        let humaymah = LonLat::new(39.7604, 34.4299);
        assert!((t2.distance(bukamal).km() - 70.6).abs() < 0.3);
        assert!((humaymah.distance(t2).km() - 36.2).abs() < 0.3);
    }

    proptest::proptest! {
        #[test]
        fn seconds_become_a_duration_to_the_nanosecond_as_jiff_makes_them(
            secs in proptest::prop_oneof![
                -1.0e12..1.0e12f64,
                -10.0..10.0f64,
                proptest::strategy::Strategy::prop_map(0i64..2_000_000, |n| n as f64 / 2e9),
                proptest::strategy::Strategy::prop_filter(
                    proptest::num::f64::NORMAL,
                    "in range",
                    |s| s.abs() < 9.0e18
                ),
            ]
        ) {
            proptest::prop_assert_eq!(secs_f64(secs), SignedDuration::from_secs_f64(secs));
        }
    }

    #[test]
    fn halves_of_a_nanosecond_round_away_from_zero_as_jiff_rounds_them() {
        for secs in [
            0.5e-9,
            1.5e-9,
            -0.5e-9,
            -2.5e-9,
            0.999_999_999_5,
            -0.999_999_999_5,
            7.0,
            0.0,
            -0.0,
        ] {
            assert_eq!(
                secs_f64(secs),
                SignedDuration::from_secs_f64(secs),
                "{secs}"
            );
        }
    }

    #[test]
    fn time_at_speed() {
        let d = Metres::from_km(120.0).time_at(KmPerHour(60.0));
        assert_eq!(d, SignedDuration::from_hours(2));
        assert!((hours(d) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn times_without_offset_are_utc_and_garbage_is_rejected() {
        assert_eq!(
            parse_utc("2017-08-30T12:00").unwrap().to_string(),
            "2017-08-30T12:00:00Z"
        );
        assert_eq!(
            parse_utc(" 2017-08-30 12:00:00 ").unwrap().to_string(),
            "2017-08-30T12:00:00Z"
        );
        for bad in [
            "",
            "yesterday",
            "2017-13-01",
            "2017-08-30T25:00",
            "30 Aug 2017",
        ] {
            assert!(parse_utc(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn lonlat_displays_hemispheres() {
        assert_eq!(
            LonLat::new(38.284, 34.5624).to_string(),
            "34.5624°N 38.2840°E"
        );
    }
}
