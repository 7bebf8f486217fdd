//! hx's own stand-ins for the allowed Python callables: each checks its
//! arguments and builds data, and nothing else.

use core::fmt::Write as _;

/// A `datetime.timedelta`, normalized as Python keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeDelta {
    pub(crate) days: i64,
    pub(crate) seconds: i64,
    pub(crate) micros: i64,
}

impl TimeDelta {
    pub(crate) fn new(days: i64, seconds: i64, micros: i64) -> Option<Self> {
        let normal = (-999_999_999..=999_999_999).contains(&days)
            && (0..86_400).contains(&seconds)
            && (0..1_000_000).contains(&micros);
        normal.then_some(Self {
            days,
            seconds,
            micros,
        })
    }

    /// Python's `str(timedelta)`: `[D day[s], ]H:MM:SS[.ffffff]`.
    pub(crate) fn to_python_str(self) -> String {
        let mut out = String::new();
        if self.days != 0 {
            let plural = if self.days.abs() == 1 { "" } else { "s" };
            let _ = write!(out, "{} day{plural}, ", self.days);
        }
        let (hh, rest) = (self.seconds / 3600, self.seconds % 3600);
        let _ = write!(out, "{hh}:{:02}:{:02}", rest / 60, rest % 60);
        if self.micros != 0 {
            let _ = write!(out, ".{:06}", self.micros);
        }
        out
    }

    fn total_micros(self) -> i128 {
        (i128::from(self.days) * 86_400 + i128::from(self.seconds)) * 1_000_000
            + i128::from(self.micros)
    }
}

/// A `datetime.timezone`: a fixed offset, maybe named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TimeZone {
    pub(crate) offset: TimeDelta,
    pub(crate) name: Option<String>,
}

impl TimeZone {
    pub(crate) fn new(offset: TimeDelta, name: Option<String>) -> Option<Self> {
        // Python requires -24h < offset < 24h.
        let limit = 86_400_000_000i128;
        let micros = offset.total_micros();
        (micros > -limit && micros < limit).then_some(Self { offset, name })
    }

    /// Python's `str(timezone)`.
    pub(crate) fn to_python_str(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        if self.offset.total_micros() == 0 {
            return "UTC".to_owned();
        }
        format!("UTC{}", self.offset_text())
    }

    /// `+HH:MM[:SS[.ffffff]]`, as `isoformat()` writes a UTC offset.
    pub(crate) fn offset_text(&self) -> String {
        let micros = self.offset.total_micros();
        let sign = if micros < 0 { '-' } else { '+' };
        let micros = micros.unsigned_abs();
        let (secs, us) = (micros / 1_000_000, micros % 1_000_000);
        let mut out = format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60);
        if secs % 60 != 0 || us != 0 {
            let _ = write!(out, ":{:02}", secs % 60);
        }
        if us != 0 {
            let _ = write!(out, ".{us:06}");
        }
        out
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

fn micros_of(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0, |acc, &b| (acc << 8) | u32::from(b))
}

/// `datetime.date` state (4 bytes) as ISO 8601.
pub(crate) fn date_text(state: &[u8]) -> Option<String> {
    let [hi, lo, month, day] = *state else {
        return None;
    };
    let year = u32::from(hi) * 256 + u32::from(lo);
    let (month, day) = (u32::from(month), u32::from(day));
    let valid = (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month);
    valid.then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// `datetime.time` state (6 bytes; the fold flag in the hour's top bit) as
/// ISO 8601, with the zone's offset if any.
pub(crate) fn time_text(state: &[u8], zone: Option<&TimeZone>) -> Option<String> {
    let [hour, minute, second, ref us @ ..] = *state else {
        return None;
    };
    let (hour, minute, second, micros) = (
        u32::from(hour & 0x7f),
        u32::from(minute),
        u32::from(second),
        micros_of(us),
    );
    if us.len() != 3 || hour > 23 || minute > 59 || second > 59 || micros > 999_999 {
        return None;
    }
    let mut out = format!("{hour:02}:{minute:02}:{second:02}");
    if micros != 0 {
        let _ = write!(out, ".{micros:06}");
    }
    if let Some(zone) = zone {
        out.push_str(&zone.offset_text());
    }
    Some(out)
}

/// `datetime.datetime` state (10 bytes; the fold flag in the month's top
/// bit) as ISO 8601, with the zone's offset if any.
pub(crate) fn datetime_text(state: &[u8], zone: Option<&TimeZone>) -> Option<String> {
    if state.len() != 10 {
        return None;
    }
    let date = date_text(&[state[0], state[1], state[2] & 0x7f, state[3]])?;
    let time = time_text(&state[4..], zone)?;
    Some(format!("{date}T{time}"))
}

/// Whether `encoding` names Latin-1 as `_codecs.encode` would accept it from
/// a pickle.
pub(crate) fn is_latin1(encoding: &str) -> bool {
    matches!(
        encoding.to_ascii_lowercase().replace('_', "-").as_str(),
        "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "l1"
    )
}

/// `text` encoded as Latin-1, `None` if a character is beyond U+00FF.
pub(crate) fn latin1_bytes(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_text_forms() {
        let td = TimeDelta::new(1, 5, 0).map(TimeDelta::to_python_str);
        assert_eq!(td.as_deref(), Some("1 day, 0:00:05"));
        let td = TimeDelta::new(-2, 3600, 12).map(TimeDelta::to_python_str);
        assert_eq!(td.as_deref(), Some("-2 days, 1:00:00.000012"));
        let plus_one = TimeZone::new(
            TimeDelta {
                days: 0,
                seconds: 3600,
                micros: 0,
            },
            None,
        );
        assert_eq!(
            plus_one.as_ref().map(TimeZone::to_python_str).as_deref(),
            Some("UTC+01:00")
        );
        let minus = TimeZone::new(
            TimeDelta {
                days: -1,
                seconds: 86_400 - 5400,
                micros: 0,
            },
            None,
        );
        assert_eq!(
            minus.as_ref().map(TimeZone::offset_text).as_deref(),
            Some("-01:30")
        );
        let state = [7, 234, 11, 30, 9, 18, 43, 1, 226, 64];
        assert_eq!(
            datetime_text(&state, None).as_deref(),
            Some("2026-11-30T09:18:43.123456")
        );
        assert_eq!(date_text(&[7, 234, 2, 30]), None);
        assert_eq!(latin1_bytes("ÿa"), Some(vec![0xff, b'a']));
        assert_eq!(latin1_bytes("€"), None);
    }
}
