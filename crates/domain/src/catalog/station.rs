//! The rules a station must meet, whether it comes from `stations.toml` or an administrator's form,
//! and the one-line-per-period text form of opening hours that the form uses.

use super::model::{ClockTime, OpeningHours, Station, Weekday};
use crate::country::is_iso_alpha2;

/// Why a station was refused: the form field it concerns (`hours`), the precise path inside the
/// station (`hours[1].close`) and what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StationProblem {
    pub field: &'static str,
    pub path: String,
    pub message: String,
}

fn problem(field: &'static str, path: impl Into<String>, message: String) -> StationProblem {
    StationProblem {
        field,
        path: path.into(),
        message,
    }
}

/// Checks every rule of a station that does not depend on the rest of the catalogue.
pub fn check_station(station: &Station) -> Result<(), StationProblem> {
    for (field, text) in [("name", &station.name), ("city", &station.city)] {
        if let Some(lang) = text.first_blank() {
            return Err(problem(
                field,
                format!("{field}.{}", super::load::lang_key(lang)),
                "is empty; every text needs zh, en, it and es".into(),
            ));
        }
    }
    if !is_iso_alpha2(&station.country) {
        return Err(problem(
            "country",
            "country",
            format!(
                "\"{}\" is not an ISO 3166-1 alpha-2 code such as IT",
                station.country
            ),
        ));
    }
    if !station.code.as_str().starts_with(&station.country) {
        return Err(problem(
            "code",
            "code",
            format!(
                "{} must start with its country {}",
                station.code, station.country
            ),
        ));
    }
    if jiff::tz::TimeZone::get(&station.time_zone).is_err() {
        return Err(problem(
            "time_zone",
            "time_zone",
            format!(
                "\"{}\" is not an IANA time zone such as Europe/Rome",
                station.time_zone
            ),
        ));
    }
    if station.languages.is_empty() {
        return Err(problem(
            "languages",
            "languages",
            "name at least one language".into(),
        ));
    }
    for (l, lang) in station.languages.iter().enumerate() {
        if lang.len() != 2 || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(problem(
                "languages",
                format!("languages[{l}]"),
                format!("\"{lang}\" is not an ISO 639-1 code such as it"),
            ));
        }
    }
    if let Some(address) = &station.address
        && address.trim().is_empty()
    {
        return Err(problem(
            "address",
            "address",
            "is empty; write the text".into(),
        ));
    }
    for (h, hours) in station.hours.iter().enumerate() {
        if hours.days.is_empty() {
            return Err(problem(
                "hours",
                format!("hours[{h}].days"),
                "name at least one day".into(),
            ));
        }
        if hours.open >= hours.close {
            return Err(problem(
                "hours",
                format!("hours[{h}].close"),
                format!(
                    "{} is not after the opening time {}",
                    hours.close, hours.open
                ),
            ));
        }
    }
    Ok(())
}

/// Opening hours written one period per line, as `mon-fri 09:30-18:00` or `sat,sun 10:00-12:00`.
pub fn format_hours(hours: &[OpeningHours]) -> String {
    hours
        .iter()
        .map(|h| {
            let days: Vec<&str> = h.days.iter().map(|d| d.as_str()).collect();
            format!("{} {}-{}", compact_days(&days), h.open, h.close)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes consecutive days as a range (`mon-fri`) and anything else as a list (`mon,wed`).
fn compact_days(days: &[&str]) -> String {
    let numbers: Vec<usize> = days.iter().filter_map(|d| day_number(d)).collect();
    let consecutive = numbers.len() > 2 && numbers.windows(2).all(|w| w[1] == w[0] + 1);
    if consecutive {
        format!("{}-{}", days[0], days[days.len() - 1])
    } else {
        days.join(",")
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_number(day: &str) -> Option<usize> {
    DAYS.iter().position(|d| *d == day)
}

/// `mon` … `sun`, in any letter case.
pub fn parse_day(day: &str) -> Option<Weekday> {
    day_number(&day.trim().to_ascii_lowercase()).map(weekday)
}

fn weekday(n: usize) -> Weekday {
    use Weekday::*;
    [Mon, Tue, Wed, Thu, Fri, Sat, Sun][n % 7]
}

/// Which line of the hours text is wrong (counting from 1) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoursError {
    pub line: usize,
    pub message: String,
}

/// Reads the text of [`format_hours`]; blank lines are skipped. Days are `mon`…`sun`, joined by commas
/// or as a range `mon-fri`; times are `HH:MM`.
pub fn parse_hours(text: &str) -> Result<Vec<OpeningHours>, HoursError> {
    let mut hours = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fail = |message: String| HoursError {
            line: n + 1,
            message,
        };
        let (days, times) = line.split_once(char::is_whitespace).ok_or_else(|| {
            fail(format!(
                "\"{line}\" needs days and times, e.g. mon-fri 09:30-18:00"
            ))
        })?;
        let days = parse_days(days.trim()).map_err(fail)?;
        let (open, close) = times.trim().split_once('-').ok_or_else(|| {
            fail(format!(
                "\"{}\" is not a period; write it as 09:30-18:00",
                times.trim()
            ))
        })?;
        let open = ClockTime::try_from(open.trim().to_owned()).map_err(fail)?;
        let close = ClockTime::try_from(close.trim().to_owned()).map_err(fail)?;
        if open >= close {
            return Err(fail(format!(
                "{close} is not after the opening time {open}"
            )));
        }
        hours.push(OpeningHours { days, open, close });
    }
    Ok(hours)
}

fn parse_days(text: &str) -> Result<Vec<Weekday>, String> {
    let unknown =
        |d: &str| format!("\"{d}\" is not a day; use mon, tue, wed, thu, fri, sat or sun");
    let mut days = Vec::new();
    for part in text.split(',') {
        let part = part.trim().to_ascii_lowercase();
        let range = match part.split_once('-') {
            Some((from, to)) => {
                let from = day_number(from.trim()).ok_or_else(|| unknown(from))?;
                let to = day_number(to.trim()).ok_or_else(|| unknown(to))?;
                if to < from {
                    return Err(format!("\"{part}\" runs backwards; write it as mon-fri"));
                }
                from..=to
            }
            None => {
                let day = day_number(&part).ok_or_else(|| unknown(&part))?;
                day..=day
            }
        };
        for n in range {
            let day = weekday(n);
            if days.contains(&day) {
                return Err(format!("{} is named twice", day.as_str()));
            }
            days.push(day);
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> ClockTime {
        ClockTime::try_from(s.to_owned()).expect("time")
    }

    #[test]
    fn hours_read_ranges_lists_and_blank_lines() {
        let hours = parse_hours("mon-fri 09:30-18:00\n\n sat,sun  10:00-12:30 \n").expect("hours");
        assert_eq!(hours.len(), 2);
        assert_eq!(hours[0].days.len(), 5);
        assert_eq!(hours[0].open, t("09:30"));
        assert_eq!(hours[1].days, vec![Weekday::Sat, Weekday::Sun]);
        assert_eq!(
            format_hours(&hours),
            "mon-fri 09:30-18:00\nsat,sun 10:00-12:30"
        );
        assert_eq!(parse_hours(""), Ok(Vec::new()));
    }

    #[test]
    fn bad_hours_name_their_line() {
        for (text, line, says) in [
            ("mon-fri", 1, "needs days and times"),
            ("mon-fri 09:30-18:00\nfunday 09:00-10:00", 2, "not a day"),
            ("fri-mon 09:00-10:00", 1, "backwards"),
            ("mon,mon 09:00-10:00", 1, "twice"),
            ("mon 0930", 1, "not a period"),
            ("mon 9:30-10:00", 1, "HH:MM"),
            ("mon 18:00-09:00", 1, "not after"),
        ] {
            let error = parse_hours(text).expect_err(text);
            assert_eq!(error.line, line, "{text}");
            assert!(error.message.contains(says), "{text}: {}", error.message);
        }
    }

    proptest! {
        #[test]
        fn formatted_hours_read_back_the_same(
            periods in prop::collection::vec(
                (prop::collection::btree_set(0usize..7, 1..7), 0u16..1439, 1u16..600),
                0..5,
            )
        ) {
            let hours: Vec<OpeningHours> = periods
                .into_iter()
                .map(|(days, open, length)| {
                    let close = (open + length).min(1440);
                    let clock = |m: u16| t(&format!("{:02}:{:02}", m / 60, m % 60));
                    OpeningHours {
                        days: days.into_iter().map(weekday).collect(),
                        open: clock(open),
                        close: clock(close),
                    }
                })
                .collect();
            prop_assert_eq!(parse_hours(&format_hours(&hours)), Ok(hours));
        }

        #[test]
        fn any_text_gives_hours_or_an_error(text in "\\PC{0,80}") {
            let _ = parse_hours(&text);
        }
    }
}
