//! China's official working-day calendar, and statutory time limits counted in working days.
//!
//! Every year the State Council General Office announces that year's public holidays (放假) and
//! the Saturdays and Sundays that become working days to make up for them (调休上班). Each notice is
//! kept as one file per year, `catalog/calendar/<year>.toml` (see `catalog/FORMAT.md`).
//! [`YearCalendar::parse`] validates one file; [`WorkCalendar`] puts several years together and
//! answers for dates: is it a working day, what is the deadline N working days after acceptance.
//!
//! A date in a year that has no file is a [`MissingYear`] error, never a guess from weekends alone:
//! the notice moves weekdays and weekends alike, so a guess would be wrong around every holiday.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::lang::{Lang, Text};

/// The longest break one holiday entry may span. Breaks have been at most about ten days (the
/// Spring Festival of 2026 has 9); a much longer range is a typo in `from` or `to`.
const LONGEST_BREAK_DAYS: usize = 15;

/// Why a calendar file (or a set of them) was refused: the file, where in it (`holiday[1].to`), and
/// what to change — the same shape as a refused catalogue file.
pub type CalendarError = crate::catalog::CatalogError;

/// A question about a date in a year for which no calendar file was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "there is no working-day calendar for {year}; add calendar/{year}.toml from the State Council's holiday notice for {year}"
)]
pub struct MissingYear {
    pub year: i16,
}

/// One holiday break of a year: every day from `from` to `to` (both included) is a day off,
/// weekend days inside the break included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub name: Text,
    pub from: Date,
    pub to: Date,
}

impl Holiday {
    /// Every day off of the break, in order.
    pub fn days(&self) -> impl Iterator<Item = Date> {
        let to = self.to;
        self.from.series(1.day()).take_while(move |d| *d <= to)
    }

    /// How many days off the break has (the notice's "共N天").
    pub fn day_count(&self) -> usize {
        self.days().count()
    }
}

/// A Saturday or Sunday that the notice makes a working day (调休上班).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjustedWorkingDay {
    pub date: Date,
    /// The Chinese name of the holiday it makes up for, as in that holiday's `name.zh`.
    pub for_holiday: String,
}

/// One year's notice, validated: every date is in the year, holidays do not overlap, adjusted working
/// days are Saturdays or Sundays outside the holidays, and each names a holiday of the file.
#[derive(Clone, Debug)]
pub struct YearCalendar {
    file: String,
    year: i16,
    source: String,
    holidays: Vec<Holiday>,
    adjusted_working_days: Vec<AdjustedWorkingDay>,
    /// Each day off, with the index of its holiday.
    days_off: BTreeMap<Date, usize>,
    working_weekend_days: BTreeSet<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i16,
    source: String,
    #[serde(default)]
    holiday: Vec<HolidayEntry>,
    #[serde(default)]
    adjusted_working_day: Vec<AdjustedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayEntry {
    name: Text,
    from: IsoDate,
    to: IsoDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdjustedEntry {
    date: IsoDate,
    #[serde(rename = "for")]
    for_holiday: String,
}

/// A date written as a quoted `"YYYY-MM-DD"` string.
struct IsoDate(Date);

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IsoDateVisitor;
        impl<'de> Visitor<'de> for IsoDateVisitor {
            type Value = IsoDate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date in quotes, written \"YYYY-MM-DD\" (e.g. \"2026-02-15\")")
            }

            fn visit_str<E: de::Error>(self, s: &str) -> Result<IsoDate, E> {
                parse_iso_date(s).map(IsoDate).ok_or_else(|| {
                    E::custom(format!(
                        "\"{s}\" is not a date; write it as \"YYYY-MM-DD\", e.g. \"2026-02-15\""
                    ))
                })
            }

            /// TOML's own date values arrive as a map; point at the quotes rather than at "map".
            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<IsoDate, A::Error> {
                Err(de::Error::custom(
                    "write the date in quotes, as \"YYYY-MM-DD\" (e.g. \"2026-02-15\")",
                ))
            }
        }
        deserializer.deserialize_str(IsoDateVisitor)
    }
}

/// Exactly `YYYY-MM-DD`, and a day that exists.
fn parse_iso_date(s: &str) -> Option<Date> {
    let digits = |range: std::ops::Range<usize>| {
        s.get(range)
            .filter(|part| part.bytes().all(|b| b.is_ascii_digit()))
    };
    if s.len() != 10 || s.get(4..5) != Some("-") || s.get(7..8) != Some("-") {
        return None;
    }
    let year = digits(0..4)?.parse().ok()?;
    let month = digits(5..7)?.parse().ok()?;
    let day = digits(8..10)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

impl YearCalendar {
    /// Parses and validates one year's file. `file_name` is used in errors, and when its last
    /// component is `<digits>.toml` those digits must be the file's `year`.
    pub fn parse(file_name: &str, text: &str) -> Result<YearCalendar, CalendarError> {
        let raw: YearFile = deserialize(file_name, text)?;
        let at = |field: String, message: String| CalendarError {
            file: file_name.to_owned(),
            line: None,
            field,
            message,
        };
        let year = raw.year;
        if let Some(named) = year_in_file_name(file_name)
            && named != year
        {
            return Err(at(
                "year".into(),
                format!(
                    "the file is named for {named} but says year = {year}; name each file after its year"
                ),
            ));
        }
        let source = raw.source.trim();
        if source.is_empty() {
            return Err(at(
                "source".into(),
                "is empty; name the notice the dates come from, e.g. \"国办发明电〔2025〕7号\""
                    .into(),
            ));
        }
        let in_year = |date: Date, field: String| {
            if date.year() == year {
                Ok(())
            } else {
                Err(at(
                    field,
                    format!(
                        "{date} is not in {year}; this file holds only {year}'s dates (a date of {} belongs in calendar/{}.toml)",
                        date.year(),
                        date.year()
                    ),
                ))
            }
        };

        if raw.holiday.is_empty() {
            return Err(at(
                "holiday".into(),
                format!(
                    "no holiday is listed; copy every holiday of the {year} notice as a [[holiday]] table"
                ),
            ));
        }
        let mut holidays: Vec<Holiday> = Vec::with_capacity(raw.holiday.len());
        let mut days_off = BTreeMap::new();
        for (i, entry) in raw.holiday.into_iter().enumerate() {
            let field = |name: &str| format!("holiday[{i}].{name}");
            if let Some(lang) = entry.name.first_blank() {
                return Err(at(
                    field(&format!("name.{}", lang_key(lang))),
                    "is empty; every name needs zh, en, it and es".into(),
                ));
            }
            let zh = entry.name.zh.trim();
            if let Some(j) = holidays.iter().position(|h| h.name.zh.trim() == zh) {
                return Err(at(
                    field("name.zh"),
                    format!(
                        "\"{zh}\" is also holiday[{j}]; list each holiday once, its whole break from `from` to `to`"
                    ),
                ));
            }
            let holiday = Holiday {
                name: entry.name,
                from: entry.from.0,
                to: entry.to.0,
            };
            in_year(holiday.from, field("from"))?;
            in_year(holiday.to, field("to"))?;
            if holiday.to < holiday.from {
                return Err(at(
                    field("to"),
                    format!(
                        "{} is before from = {}; `to` is the last day off of the break",
                        holiday.to, holiday.from
                    ),
                ));
            }
            let count = holiday.day_count();
            if count > LONGEST_BREAK_DAYS {
                return Err(at(
                    field("to"),
                    format!(
                        "the break from {} to {} would be {count} days, longer than any the State Council gives; check `from` and `to`",
                        holiday.from, holiday.to
                    ),
                ));
            }
            for day in holiday.days() {
                if let Some(&other) = days_off.get(&day) {
                    return Err(at(
                        field("from"),
                        format!(
                            "{day} is already a day off of holiday[{other}]; holidays must not overlap"
                        ),
                    ));
                }
                days_off.insert(day, i);
            }
            holidays.push(holiday);
        }

        let mut adjusted_working_days = Vec::with_capacity(raw.adjusted_working_day.len());
        let mut working_weekend_days = BTreeSet::new();
        for (j, entry) in raw.adjusted_working_day.into_iter().enumerate() {
            let field = |name: &str| format!("adjusted_working_day[{j}].{name}");
            let date = entry.date.0;
            in_year(date, field("date"))?;
            let weekday = date.weekday();
            if !matches!(weekday, Weekday::Saturday | Weekday::Sunday) {
                return Err(at(
                    field("date"),
                    format!(
                        "{date} is a {weekday:?}; an adjusted working day (调休上班) is a Saturday or Sunday made a working day; a weekday is one already"
                    ),
                ));
            }
            if let Some(&h) = days_off.get(&date) {
                return Err(at(
                    field("date"),
                    format!(
                        "{date} is also a day off of holiday[{h}] ({}); a date is a holiday or an adjusted working day, not both",
                        holidays.get(h).map_or("", |hol| hol.name.zh.as_str())
                    ),
                ));
            }
            if !working_weekend_days.insert(date) {
                return Err(at(field("date"), format!("{date} is listed twice")));
            }
            let for_holiday = entry.for_holiday.trim();
            if !holidays.iter().any(|h| h.name.zh.trim() == for_holiday) {
                let names: Vec<&str> = holidays.iter().map(|h| h.name.zh.trim()).collect();
                return Err(at(
                    field("for"),
                    format!(
                        "\"{for_holiday}\" is not a holiday of this file; write the zh name of one of: {}",
                        names.join(", ")
                    ),
                ));
            }
            adjusted_working_days.push(AdjustedWorkingDay {
                date,
                for_holiday: for_holiday.to_owned(),
            });
        }

        Ok(YearCalendar {
            file: file_name.to_owned(),
            year,
            source: source.to_owned(),
            holidays,
            adjusted_working_days,
            days_off,
            working_weekend_days,
        })
    }

    /// The file name it was parsed from.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn year(&self) -> i16 {
        self.year
    }

    /// The notice the dates come from, e.g. `国办发明电〔2025〕7号`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The holidays in file order.
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// The adjusted working days in file order.
    pub fn adjusted_working_days(&self) -> &[AdjustedWorkingDay] {
        &self.adjusted_working_days
    }

    /// For a date of this calendar's year.
    fn is_working_day(&self, date: Date) -> bool {
        if self.days_off.contains_key(&date) {
            return false;
        }
        match date.weekday() {
            Weekday::Saturday | Weekday::Sunday => self.working_weekend_days.contains(&date),
            _ => true,
        }
    }

    fn holiday_on(&self, date: Date) -> Option<&Holiday> {
        self.days_off.get(&date).and_then(|&i| self.holidays.get(i))
    }
}

/// The working-day calendar over every year loaded, at most one file per year.
#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    years: BTreeMap<i16, YearCalendar>,
}

impl WorkCalendar {
    /// Puts years together; two files for the same year are refused (the second one is named).
    pub fn new(years: Vec<YearCalendar>) -> Result<WorkCalendar, CalendarError> {
        let mut by_year: BTreeMap<i16, YearCalendar> = BTreeMap::new();
        for calendar in years {
            if let Some(first) = by_year.get(&calendar.year) {
                return Err(CalendarError {
                    file: calendar.file.clone(),
                    line: None,
                    field: "year".into(),
                    message: format!(
                        "{} is also the year of {}; keep one file per year",
                        calendar.year, first.file
                    ),
                });
            }
            by_year.insert(calendar.year, calendar);
        }
        Ok(WorkCalendar { years: by_year })
    }

    /// The years covered, ascending.
    pub fn years(&self) -> impl Iterator<Item = i16> {
        self.years.keys().copied()
    }

    /// One year's calendar, if loaded.
    pub fn year(&self, year: i16) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    /// Monday to Friday unless a holiday; Saturday and Sunday only when an adjusted working day.
    pub fn is_working_day(&self, date: Date) -> Result<bool, MissingYear> {
        let year = date.year();
        self.years
            .get(&year)
            .map(|calendar| calendar.is_working_day(date))
            .ok_or(MissingYear { year })
    }

    /// The name of the holiday `date` is a day off of; `None` on other days and in years not loaded.
    pub fn holiday_name(&self, date: Date) -> Option<&Text> {
        self.years
            .get(&date.year())
            .and_then(|calendar| calendar.holiday_on(date))
            .map(|holiday| &holiday.name)
    }

    /// The `working_days`-th working day after `accepted_on`. The day of acceptance never counts,
    /// whether or not it is a working day; with 0 it is returned as it is. Only the days counted are
    /// looked up, so every one of them must be in a loaded year: reaching a year without a file is a
    /// [`MissingYear`] error.
    pub fn deadline(&self, accepted_on: Date, working_days: u16) -> Result<Date, MissingYear> {
        let mut day = accepted_on;
        let mut remaining = working_days;
        while remaining > 0 {
            day = day.tomorrow().map_err(|_| MissingYear {
                year: day.year().saturating_add(1),
            })?;
            if self.is_working_day(day)? {
                remaining -= 1;
            }
        }
        Ok(day)
    }
}

fn year_in_file_name(file_name: &str) -> Option<i16> {
    let base = file_name.rsplit(['/', '\\']).next()?;
    let stem = base.strip_suffix(".toml")?;
    if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

fn lang_key(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        other => other.tag(),
    }
}

fn deserialize<T: serde::de::DeserializeOwned>(
    file_name: &str,
    text: &str,
) -> Result<T, CalendarError> {
    let line_of = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
    };
    let de = toml::Deserializer::parse(text).map_err(|e| CalendarError {
        file: file_name.to_owned(),
        line: line_of(e.span()),
        field: String::new(),
        message: format!("not valid TOML: {}", e.message()),
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        CalendarError {
            file: file_name.to_owned(),
            line: line_of(inner.span()),
            field: if field == "." { String::new() } else { field },
            message: inner.message().to_owned(),
        }
    })
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    const Y2025: &str = include_str!("../../../catalog/calendar/2025.toml");
    const Y2026: &str = include_str!("../../../catalog/calendar/2026.toml");

    fn year(file: &str, text: &str) -> YearCalendar {
        YearCalendar::parse(file, text).expect("the calendar file is valid")
    }

    fn both() -> WorkCalendar {
        WorkCalendar::new(vec![
            year("calendar/2025.toml", Y2025),
            year("calendar/2026.toml", Y2026),
        ])
        .expect("one file per year")
    }

    fn refused(file: &str, text: &str) -> CalendarError {
        YearCalendar::parse(file, text).expect_err("the file should be refused")
    }

    /// The 2026 file with one edit applied.
    fn edited_2026(from: &str, to: &str) -> String {
        assert!(Y2026.contains(from), "{from} is in the 2026 file");
        Y2026.replacen(from, to, 1)
    }

    // ---- The data against the notices, each date's weekday as the notice states it -------------

    use Weekday::{Friday, Monday, Saturday, Sunday, Thursday, Tuesday, Wednesday};

    /// (zh name, first day, its weekday, last day, its weekday, "共N天")
    type NoticeHoliday = (&'static str, Date, Weekday, Date, Weekday, usize);

    fn check_against_notice(
        calendar: &YearCalendar,
        source: &str,
        holidays: &[NoticeHoliday],
        adjusted: &[(Date, Weekday, &str)],
    ) {
        assert_eq!(calendar.source(), source);
        let got: Vec<_> = calendar
            .holidays()
            .iter()
            .map(|h| (h.name.zh.as_str(), h.from, h.to, h.day_count()))
            .collect();
        let want: Vec<_> = holidays
            .iter()
            .map(|&(name, from, _, to, _, count)| (name, from, to, count))
            .collect();
        assert_eq!(got, want);
        for &(name, from, from_weekday, to, to_weekday, _) in holidays {
            assert_eq!(from.weekday(), from_weekday, "{name} starts {from}");
            assert_eq!(to.weekday(), to_weekday, "{name} ends {to}");
            assert_eq!(from.year(), calendar.year());
            assert_eq!(to.year(), calendar.year());
        }
        let got: Vec<_> = calendar
            .adjusted_working_days()
            .iter()
            .map(|a| (a.date, a.for_holiday.as_str()))
            .collect();
        let want: Vec<_> = adjusted.iter().map(|&(d, _, name)| (d, name)).collect();
        assert_eq!(got, want);
        for &(day, weekday, _) in adjusted {
            assert_eq!(day.weekday(), weekday, "{day}");
            assert!(matches!(weekday, Saturday | Sunday), "{day}");
            assert_eq!(day.year(), calendar.year());
        }
    }

    #[rustfmt::skip]
    const NOTICE_2025: &[NoticeHoliday] = &[
        ("元旦", date(2025, 1, 1), Wednesday, date(2025, 1, 1), Wednesday, 1),
        ("春节", date(2025, 1, 28), Tuesday, date(2025, 2, 4), Tuesday, 8),
        ("清明节", date(2025, 4, 4), Friday, date(2025, 4, 6), Sunday, 3),
        ("劳动节", date(2025, 5, 1), Thursday, date(2025, 5, 5), Monday, 5),
        ("端午节", date(2025, 5, 31), Saturday, date(2025, 6, 2), Monday, 3),
        ("国庆节、中秋节", date(2025, 10, 1), Wednesday, date(2025, 10, 8), Wednesday, 8),
    ];

    #[rustfmt::skip]
    const NOTICE_2025_WORKING: &[(Date, Weekday, &str)] = &[
        (date(2025, 1, 26), Sunday, "春节"),
        (date(2025, 2, 8), Saturday, "春节"),
        (date(2025, 4, 27), Sunday, "劳动节"),
        (date(2025, 9, 28), Sunday, "国庆节、中秋节"),
        (date(2025, 10, 11), Saturday, "国庆节、中秋节"),
    ];

    #[rustfmt::skip]
    const NOTICE_2026: &[NoticeHoliday] = &[
        ("元旦", date(2026, 1, 1), Thursday, date(2026, 1, 3), Saturday, 3),
        ("春节", date(2026, 2, 15), Sunday, date(2026, 2, 23), Monday, 9),
        ("清明节", date(2026, 4, 4), Saturday, date(2026, 4, 6), Monday, 3),
        ("劳动节", date(2026, 5, 1), Friday, date(2026, 5, 5), Tuesday, 5),
        ("端午节", date(2026, 6, 19), Friday, date(2026, 6, 21), Sunday, 3),
        ("中秋节", date(2026, 9, 25), Friday, date(2026, 9, 27), Sunday, 3),
        ("国庆节", date(2026, 10, 1), Thursday, date(2026, 10, 7), Wednesday, 7),
    ];

    #[rustfmt::skip]
    const NOTICE_2026_WORKING: &[(Date, Weekday, &str)] = &[
        (date(2026, 1, 4), Sunday, "元旦"),
        (date(2026, 2, 14), Saturday, "春节"),
        (date(2026, 2, 28), Saturday, "春节"),
        (date(2026, 5, 9), Saturday, "劳动节"),
        (date(2026, 9, 20), Sunday, "国庆节"),
        (date(2026, 10, 10), Saturday, "国庆节"),
    ];

    #[test]
    fn file_2025_matches_the_notice() {
        let calendar = year("calendar/2025.toml", Y2025);
        assert_eq!(calendar.year(), 2025);
        check_against_notice(
            &calendar,
            "国办发明电〔2024〕12号",
            NOTICE_2025,
            NOTICE_2025_WORKING,
        );
    }

    #[test]
    fn file_2026_matches_the_notice() {
        let calendar = year("calendar/2026.toml", Y2026);
        assert_eq!(calendar.year(), 2026);
        check_against_notice(
            &calendar,
            "国办发明电〔2025〕7号",
            NOTICE_2026,
            NOTICE_2026_WORKING,
        );
    }

    #[test]
    fn working_days_in_2026() {
        let calendar = both();
        let working = |d: Date| calendar.is_working_day(d).expect("2026 is loaded");
        assert!(working(date(2026, 2, 13)), "Friday");
        assert!(working(date(2026, 2, 14)), "Saturday made a working day");
        assert!(!working(date(2026, 2, 15)), "Sunday inside the break");
        assert!(!working(date(2026, 2, 16)), "Monday inside the break");
        assert!(!working(date(2026, 2, 23)), "last day of the break");
        assert!(working(date(2026, 2, 24)), "Tuesday after the break");
        assert!(!working(date(2026, 3, 7)), "plain Saturday");
        assert!(!working(date(2026, 3, 8)), "plain Sunday");
        assert!(working(date(2026, 3, 9)), "plain Monday");
        assert!(working(date(2026, 1, 4)), "Sunday made a working day");
    }

    #[test]
    fn working_days_per_year() {
        let calendar = both();
        for (y, expected) in [(2025, 248), (2026, 248)] {
            let count = date(y, 1, 1)
                .series(1.day())
                .take_while(|d| d.year() == y)
                .filter(|&d| calendar.is_working_day(d).expect("loaded"))
                .count();
            assert_eq!(count, expected, "{y}");
        }
    }

    #[test]
    fn spring_festival_2026_deadline() {
        let calendar = both();
        // Thu 12 Feb: Fri 13 is 1, Sat 14 (调休) is 2, 15–23 off, Tue 24 is 3.
        let accepted = date(2026, 2, 12);
        assert_eq!(calendar.deadline(accepted, 1), Ok(date(2026, 2, 13)));
        assert_eq!(calendar.deadline(accepted, 2), Ok(date(2026, 2, 14)));
        assert_eq!(calendar.deadline(accepted, 3), Ok(date(2026, 2, 24)));
        // Accepted during the break: the first working day after it counts as 1.
        assert_eq!(
            calendar.deadline(date(2026, 2, 16), 1),
            Ok(date(2026, 2, 24))
        );
        // Sat 28 Feb is a working day too: Mon 23 (off) + 5 → Tue 24 … Sat 28.
        assert_eq!(
            calendar.deadline(date(2026, 2, 23), 5),
            Ok(date(2026, 2, 28))
        );
    }

    #[test]
    fn national_day_2026_deadline() {
        let calendar = both();
        // Fri 18 Sep: Sat 19 off, Sun 20 (调休) is 1.
        assert_eq!(
            calendar.deadline(date(2026, 9, 18), 1),
            Ok(date(2026, 9, 20))
        );
        // Wed 30 Sep: 1–7 Oct off, Thu 8 is 1, Fri 9 is 2, Sat 10 (调休) is 3, Mon 12 is 4.
        let accepted = date(2026, 9, 30);
        assert_eq!(calendar.deadline(accepted, 1), Ok(date(2026, 10, 8)));
        assert_eq!(calendar.deadline(accepted, 3), Ok(date(2026, 10, 10)));
        assert_eq!(calendar.deadline(accepted, 4), Ok(date(2026, 10, 12)));
        // Mid-Autumn just before: Thu 24 Sep + 1 → Fri 25–Sun 27 off → Mon 28.
        assert_eq!(
            calendar.deadline(date(2026, 9, 24), 1),
            Ok(date(2026, 9, 28))
        );
    }

    #[test]
    fn national_day_2025_deadline() {
        let calendar = both();
        // Fri 26 Sep: Sat 27 off, Sun 28 (调休) is 1.
        assert_eq!(
            calendar.deadline(date(2025, 9, 26), 1),
            Ok(date(2025, 9, 28))
        );
        // Tue 30 Sep: 1–8 Oct off, Thu 9, Fri 10, Sat 11 (调休), Mon 13.
        let accepted = date(2025, 9, 30);
        assert_eq!(calendar.deadline(accepted, 1), Ok(date(2025, 10, 9)));
        assert_eq!(calendar.deadline(accepted, 3), Ok(date(2025, 10, 11)));
        assert_eq!(calendar.deadline(accepted, 4), Ok(date(2025, 10, 13)));
    }

    #[test]
    fn deadline_crosses_into_the_next_year() {
        let calendar = both();
        // Tue 30 Dec 2025: Wed 31 is 1, 1–3 Jan off, Sun 4 Jan (调休) is 2, Mon 5 is 3.
        let accepted = date(2025, 12, 30);
        assert_eq!(calendar.deadline(accepted, 1), Ok(date(2025, 12, 31)));
        assert_eq!(calendar.deadline(accepted, 2), Ok(date(2026, 1, 4)));
        assert_eq!(calendar.deadline(accepted, 3), Ok(date(2026, 1, 5)));
        // Accepted on 31 Dec, counting starts in the new year only.
        assert_eq!(
            calendar.deadline(date(2025, 12, 31), 1),
            Ok(date(2026, 1, 4))
        );
    }

    #[test]
    fn zero_working_days_is_the_day_of_acceptance() {
        let calendar = both();
        for day in [date(2026, 2, 16), date(2026, 3, 7), date(2026, 3, 9)] {
            assert_eq!(calendar.deadline(day, 0), Ok(day));
        }
    }

    #[test]
    fn missing_year_is_an_error_never_a_guess() {
        let calendar = both();
        assert_eq!(
            calendar.is_working_day(date(2024, 5, 6)),
            Err(MissingYear { year: 2024 })
        );
        assert_eq!(
            calendar.is_working_day(date(2027, 1, 1)),
            Err(MissingYear { year: 2027 })
        );
        // Thu 31 Dec 2026 is the last day there is a calendar for.
        assert_eq!(
            calendar.deadline(date(2026, 12, 30), 1),
            Ok(date(2026, 12, 31))
        );
        assert_eq!(
            calendar.deadline(date(2026, 12, 30), 2),
            Err(MissingYear { year: 2027 })
        );
        assert_eq!(
            calendar.deadline(date(2024, 12, 30), 1),
            Err(MissingYear { year: 2024 })
        );
        // Only 2026 loaded: counting from the end of 2025 needs 2025.
        let only_2026 =
            WorkCalendar::new(vec![year("calendar/2026.toml", Y2026)]).expect("one year");
        assert_eq!(
            only_2026.deadline(date(2025, 12, 30), 1),
            Err(MissingYear { year: 2025 })
        );
        assert_eq!(
            only_2026.deadline(date(2025, 12, 31), 1),
            Ok(date(2026, 1, 4))
        );
        assert_eq!(only_2026.years().collect::<Vec<_>>(), vec![2026]);
        let message = MissingYear { year: 2027 }.to_string();
        assert!(message.contains("calendar/2027.toml"), "{message}");
        // An empty calendar knows no day at all.
        assert_eq!(
            WorkCalendar::default().deadline(date(2026, 3, 9), 1),
            Err(MissingYear { year: 2026 })
        );
    }

    #[test]
    fn holiday_names() {
        let calendar = both();
        let zh = |d: Date| calendar.holiday_name(d).map(|t| t.zh.as_str());
        assert_eq!(zh(date(2026, 2, 18)), Some("春节"));
        assert_eq!(
            calendar
                .holiday_name(date(2026, 2, 18))
                .map(|t| t.get(Lang::It)),
            Some("Capodanno cinese")
        );
        assert_eq!(zh(date(2025, 10, 6)), Some("国庆节、中秋节"));
        assert_eq!(zh(date(2026, 9, 26)), Some("中秋节"));
        assert_eq!(zh(date(2026, 2, 14)), None, "adjusted working day");
        assert_eq!(zh(date(2026, 3, 7)), None, "plain Saturday");
        assert_eq!(zh(date(2027, 1, 1)), None, "year not loaded");
    }

    #[test]
    fn years_are_listed_in_order_and_each_once() {
        let calendar = WorkCalendar::new(vec![
            year("calendar/2026.toml", Y2026),
            year("calendar/2025.toml", Y2025),
        ])
        .expect("two years");
        assert_eq!(calendar.years().collect::<Vec<_>>(), vec![2025, 2026]);
        assert_eq!(calendar.year(2025).map(YearCalendar::year), Some(2025));
        assert!(calendar.year(2024).is_none());

        let e = WorkCalendar::new(vec![
            year("calendar/2026.toml", Y2026),
            year("other/2026.toml", Y2026),
        ])
        .expect_err("two files for 2026");
        assert_eq!(e.file, "other/2026.toml");
        assert_eq!(e.field, "year");
        assert!(e.message.contains("calendar/2026.toml"), "{e}");
    }

    // ---- Refused files --------------------------------------------------------------------------

    #[test]
    fn date_outside_the_year_is_refused() {
        let e = refused(
            "calendar/2026.toml",
            &edited_2026("to = \"2026-02-23\"", "to = \"2027-02-23\""),
        );
        assert_eq!(e.field, "holiday[1].to");
        assert!(e.message.contains("not in 2026"), "{e}");
        let e = refused(
            "calendar/2026.toml",
            &edited_2026("date = \"2026-01-04\"", "date = \"2025-12-28\""),
        );
        assert_eq!(e.field, "adjusted_working_day[0].date");
        assert!(e.to_string().starts_with("calendar/2026.toml"), "{e}");
    }

    #[test]
    fn adjusted_working_day_on_a_weekday_is_refused() {
        let e = refused(
            "calendar/2026.toml",
            &edited_2026("date = \"2026-02-14\"", "date = \"2026-02-11\""),
        );
        assert_eq!(e.field, "adjusted_working_day[1].date");
        assert!(e.message.contains("Wednesday"), "{e}");
        assert!(e.message.contains("Saturday or Sunday"), "{e}");
    }

    #[test]
    fn a_day_both_off_and_working_is_refused() {
        let e = refused(
            "calendar/2026.toml",
            &edited_2026("date = \"2026-02-14\"", "date = \"2026-02-21\""),
        );
        assert_eq!(e.field, "adjusted_working_day[1].date");
        assert!(e.message.contains("春节"), "{e}");
    }

    #[test]
    fn duplicates_are_refused() {
        let e = refused(
            "calendar/2026.toml",
            &edited_2026("date = \"2026-02-28\"", "date = \"2026-02-14\""),
        );
        assert_eq!(e.field, "adjusted_working_day[2].date");
        assert!(e.message.contains("twice"), "{e}");

        // Overlapping holidays: Qingming moved onto the end of the Spring Festival.
        let text = edited_2026("from = \"2026-04-04\"", "from = \"2026-02-23\"");
        let text = text.replacen("to = \"2026-04-06\"", "to = \"2026-02-25\"", 1);
        let e = refused("calendar/2026.toml", &text);
        assert_eq!(e.field, "holiday[2].from");
        assert!(e.message.contains("2026-02-23"), "{e}");

        let text = edited_2026("zh = \"清明节\"", "zh = \"春节\"");
        let e = refused("calendar/2026.toml", &text);
        assert_eq!(e.field, "holiday[2].name.zh");
    }

    #[test]
    fn unknown_field_is_refused_with_its_line() {
        let text = edited_2026("for = \"元旦\"", "for = \"元旦\"\nnote = \"补班\"");
        let e = refused("calendar/2026.toml", &text);
        assert_eq!(e.field, "adjusted_working_day[0].note");
        assert!(e.message.contains("unknown field `note`"), "{e}");
        assert!(e.line.is_some(), "{e:?}");
    }

    #[test]
    fn badly_written_dates_are_refused() {
        for bad in [
            "\"2026-02-30\"",
            "\"2026-2-15\"",
            "\"20260215\"",
            "2026-02-15",
            "\"+026-02-15\"",
        ] {
            let text = edited_2026("from = \"2026-02-15\"", &format!("from = {bad}"));
            let e = refused("calendar/2026.toml", &text);
            assert_eq!(e.field, "holiday[1].from", "{bad}: {e}");
            assert!(e.message.contains("YYYY-MM-DD"), "{bad}: {e}");
        }
    }

    #[test]
    fn other_mistakes_are_refused() {
        let e = refused("calendar/2025.toml", Y2026);
        assert_eq!(e.field, "year");
        assert!(e.message.contains("named for 2025"), "{e}");

        let e = refused(
            "calendar/2026.toml",
            &edited_2026("source = \"国办发明电〔2025〕7号\"", "source = \" \""),
        );
        assert_eq!(e.field, "source");

        let e = refused("calendar/2026.toml", "year = 2026\nsource = \"x\"\n");
        assert_eq!(e.field, "holiday");

        let e = refused(
            "calendar/2026.toml",
            &edited_2026("for = \"元旦\"", "for = \"新年\""),
        );
        assert_eq!(e.field, "adjusted_working_day[0].for");
        assert!(e.message.contains("元旦, 春节"), "{e}");

        let e = refused(
            "calendar/2026.toml",
            &edited_2026("to = \"2026-02-23\"", "to = \"2026-02-13\""),
        );
        assert_eq!(e.field, "holiday[1].to");

        let e = refused(
            "calendar/2026.toml",
            &edited_2026("to = \"2026-02-23\"", "to = \"2026-03-23\""),
        );
        assert_eq!(e.field, "holiday[1].to");
        assert!(e.message.contains("longer"), "{e}");

        let e = refused(
            "calendar/2026.toml",
            &edited_2026("it = \"Capodanno cinese\"", "it = \"\""),
        );
        assert_eq!(e.field, "holiday[1].name.it");

        let e = refused("calendar/2026.toml", "year = 2026\n[[holiday]\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("not valid TOML"), "{e}");

        // Names that are not `<year>.toml` are not checked against the year.
        assert!(YearCalendar::parse("test", Y2026).is_ok());
    }

    // ---- Properties of deadlines over 2025–2026 -------------------------------------------------

    fn day_in_2025_2026(offset: i32) -> Date {
        date(2025, 1, 1)
            .checked_add(offset.days())
            .expect("inside 2025–2026")
    }

    proptest::proptest! {
        #[test]
        fn deadlines_count_working_days(offset in 0..730i32, n in 0u16..80) {
            let calendar = both();
            let accepted = day_in_2025_2026(offset);
            match calendar.deadline(accepted, n) {
                Err(missing) => proptest::prop_assert_eq!(missing, MissingYear { year: 2027 }),
                Ok(deadline) => {
                    if n == 0 {
                        proptest::prop_assert_eq!(deadline, accepted);
                    } else {
                        proptest::prop_assert!(deadline > accepted);
                        proptest::prop_assert_eq!(calendar.is_working_day(deadline), Ok(true));
                    }
                    let counted = accepted
                        .series(1.day())
                        .skip(1)
                        .take_while(|d| *d <= deadline)
                        .filter(|&d| calendar.is_working_day(d).expect("loaded"))
                        .count();
                    proptest::prop_assert_eq!(counted, usize::from(n));
                    if let Ok(next) = calendar.deadline(accepted, n + 1) {
                        proptest::prop_assert!(next > deadline);
                    }
                }
            }
        }

        #[test]
        fn deadlines_fail_only_past_the_last_year(offset in 0..730i32, n in 0u16..300) {
            let calendar = both();
            let accepted = day_in_2025_2026(offset);
            if calendar.deadline(accepted, n).is_err() {
                // Then the working days left in 2026 after the acceptance day are fewer than n.
                let left = accepted
                    .series(1.day())
                    .skip(1)
                    .take_while(|d| d.year() <= 2026)
                    .filter(|&d| calendar.is_working_day(d).expect("loaded"))
                    .count();
                proptest::prop_assert!(left < usize::from(n));
            }
        }
    }
}
