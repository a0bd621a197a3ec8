//! China's official working-day calendar, and statutory time limits counted in working days.
//!
//! Every year the State Council General Office announces that year's public holidays (放假) and
//! the Saturdays and Sundays that become working days to make up for them (调休上班). Each notice is
//! kept as one file per year, `catalog/calendar/<year>.toml` (see `catalog/FORMAT.md`).
//! [`YearCalendar::parse`] validates one file; [`WorkCalendar`] puts several years together and
//! answers for dates: is it a working day, what is the deadline N working days after acceptance.
//!
//! A year without a file (usually the next one, whose notice comes out in November at the
//! earliest) is *provisional*: its statutory holidays are computed from the national regulation
//! ([`statutory`]), and without the notice its bridging days and weekends worked (调休) are unknown,
//! so it is those holidays plus weekends. A deadline that counts a day of such a year says so
//! ([`Deadline::provisional`]); importing the year's file makes it official and the deadlines are
//! counted again. Only years the regulation is not computed for (before 2025, after 2100) and that
//! have no file are a [`MissingYear`] error.
//!
//! A file for a year the regulation covers must give every statutory day off (a notice moves
//! other days, never those): a file without one of them is refused, naming the day.

pub mod statutory;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::catalog::load::{deserialize_toml, lang_key};
use crate::lang::Text;
use statutory::{StatutoryHoliday, statutory_days};

/// The longest break one holiday entry may span. Breaks have been at most about ten days (the
/// Spring Festival of 2026 has 9); a much longer range is a typo in `from` or `to`.
const LONGEST_BREAK_DAYS: usize = 15;

/// Why a calendar file (or a set of them) was refused: the file, where in it (`holiday[1].to`), and
/// what to change — the same shape as a refused catalogue file.
pub type CalendarError = crate::catalog::CatalogError;

/// A question about a date in a year for which no calendar file was loaded and whose statutory
/// holidays are not computed ([`statutory::FIRST_YEAR`] to [`statutory::LAST_YEAR`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "there is no working-day calendar for {year}; add calendar/{year}.toml from the State Council's holiday notice for {year}"
)]
pub struct MissingYear {
    pub year: i16,
}

/// The last day of a statutory time limit, and whether it rests on a provisional year: then the
/// State Council's notice for that year may still move it by a few days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub date: Date,
    pub provisional: bool,
}

/// The source a provisional year names.
pub const PROVISIONAL_SOURCE: &str = "全国年节及纪念日放假办法（2025年1月1日起施行）";

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
    /// Computed from the regulation, not read from the State Council's notice.
    provisional: bool,
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
        let raw: YearFile = deserialize_toml(file_name, text)?;
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

        let calendar = YearCalendar {
            file: file_name.to_owned(),
            year,
            source: source.to_owned(),
            provisional: false,
            holidays,
            adjusted_working_days,
            days_off,
            working_weekend_days,
        };
        calendar.check_regulation()?;
        Ok(calendar)
    }

    /// The provisional calendar of `year`: the regulation's statutory holidays and weekends, no
    /// adjusted working days. `None` outside the years the regulation is computed for.
    pub fn provisional(year: i16) -> Option<YearCalendar> {
        let days = statutory_days(year).ok()?;
        // Consecutive days of one holiday make one break, as a notice writes them.
        let mut holidays: Vec<Holiday> = Vec::new();
        let mut kinds: Vec<StatutoryHoliday> = Vec::new();
        let mut days_off = BTreeMap::new();
        for day in days {
            let extends = kinds.last() == Some(&day.holiday)
                && holidays
                    .last()
                    .is_some_and(|h| h.to.tomorrow().ok() == Some(day.date));
            match holidays.last_mut() {
                Some(last) if extends => last.to = day.date,
                _ => {
                    holidays.push(Holiday {
                        name: day.holiday.name(),
                        from: day.date,
                        to: day.date,
                    });
                    kinds.push(day.holiday);
                }
            }
            days_off.insert(day.date, holidays.len() - 1);
        }
        Some(YearCalendar {
            file: format!("provisional {year}"),
            year,
            source: PROVISIONAL_SOURCE.to_owned(),
            provisional: true,
            holidays,
            adjusted_working_days: Vec::new(),
            days_off,
            working_weekend_days: BTreeSet::new(),
        })
    }

    /// Every statutory day off of the regulation is a day off of the file (years it covers only).
    fn check_regulation(&self) -> Result<(), CalendarError> {
        let Ok(required) = statutory_days(self.year) else {
            return Ok(());
        };
        match required
            .iter()
            .find(|day| !self.days_off.contains_key(&day.date))
        {
            None => Ok(()),
            Some(day) => {
                let name = day.holiday.name();
                Err(CalendarError {
                    file: self.file.clone(),
                    line: None,
                    field: "holiday".into(),
                    message: format!(
                        "{} ({}, {}) is a statutory day off under the national holiday regulation, but no holiday of this file includes it; copy the notice's breaks again, every one of them covers its statutory days",
                        day.date, name.zh, name.en
                    ),
                })
            }
        }
    }

    /// Whether this year was computed from the regulation rather than read from a notice.
    pub fn is_provisional(&self) -> bool {
        self.provisional
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

    /// Whether `year` has its official file.
    pub fn is_official(&self, year: i16) -> bool {
        self.years.contains_key(&year)
    }

    /// Monday to Friday unless a holiday; Saturday and Sunday only when an adjusted working day.
    /// In a year without a file, from the provisional year ([`YearCalendar::provisional`]).
    pub fn is_working_day(&self, date: Date) -> Result<bool, MissingYear> {
        Ok(self.day(date, &mut BTreeMap::new())?.0)
    }

    /// Whether `date` is a working day, and whether that is provisional; provisional years are
    /// computed once per `cache`.
    fn day(
        &self,
        date: Date,
        cache: &mut BTreeMap<i16, YearCalendar>,
    ) -> Result<(bool, bool), MissingYear> {
        let year = date.year();
        if let Some(official) = self.years.get(&year) {
            return Ok((official.is_working_day(date), false));
        }
        let provisional = match cache.entry(year) {
            std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::btree_map::Entry::Vacant(new) => {
                new.insert(YearCalendar::provisional(year).ok_or(MissingYear { year })?)
            }
        };
        Ok((provisional.is_working_day(date), true))
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
    /// looked up: when one of them is in a year without a file the deadline is provisional, and
    /// beyond the years the regulation is computed for it is a [`MissingYear`] error.
    pub fn deadline(&self, accepted_on: Date, working_days: u16) -> Result<Deadline, MissingYear> {
        let mut cache = BTreeMap::new();
        let mut day = accepted_on;
        let mut remaining = working_days;
        let mut provisional = false;
        while remaining > 0 {
            day = day.tomorrow().map_err(|_| MissingYear {
                year: day.year().saturating_add(1),
            })?;
            let (working, guessed) = self.day(day, &mut cache)?;
            provisional |= guessed;
            if working {
                remaining -= 1;
            }
        }
        Ok(Deadline {
            date: day,
            provisional,
        })
    }
}

/// The month from which the next year's missing file is worth a warning: the State Council
/// publishes its notice in the autumn (late October to mid-November).
pub const WARN_FROM_MONTH: i8 = 11;

/// The next year, when `today` is in November or December and that year is not among the
/// `official` ones (those with a file): deadlines reaching into it are provisional until it is
/// imported.
pub fn next_year_missing(today: Date, official: &[i16]) -> Option<i16> {
    let next = today.year().checked_add(1)?;
    (today.month() >= WARN_FROM_MONTH && !official.contains(&next)).then_some(next)
}

fn year_in_file_name(file_name: &str) -> Option<i16> {
    let base = file_name.rsplit(['/', '\\']).next()?;
    let stem = base.strip_suffix(".toml")?;
    if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::lang::Lang;

    const Y2025: &str = include_str!("../../../../catalog/calendar/2025.toml");
    const Y2026: &str = include_str!("../../../../catalog/calendar/2026.toml");

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
        assert_eq!(
            calendar.deadline(accepted, 1).map(|d| d.date),
            Ok(date(2026, 2, 13))
        );
        assert_eq!(
            calendar.deadline(accepted, 2).map(|d| d.date),
            Ok(date(2026, 2, 14))
        );
        assert_eq!(
            calendar.deadline(accepted, 3).map(|d| d.date),
            Ok(date(2026, 2, 24))
        );
        // Accepted during the break: the first working day after it counts as 1.
        assert_eq!(
            calendar.deadline(date(2026, 2, 16), 1).map(|d| d.date),
            Ok(date(2026, 2, 24))
        );
        // Sat 28 Feb is a working day too: Mon 23 (off) + 5 → Tue 24 … Sat 28.
        assert_eq!(
            calendar.deadline(date(2026, 2, 23), 5).map(|d| d.date),
            Ok(date(2026, 2, 28))
        );
    }

    #[test]
    fn national_day_2026_deadline() {
        let calendar = both();
        // Fri 18 Sep: Sat 19 off, Sun 20 (调休) is 1.
        assert_eq!(
            calendar.deadline(date(2026, 9, 18), 1).map(|d| d.date),
            Ok(date(2026, 9, 20))
        );
        // Wed 30 Sep: 1–7 Oct off, Thu 8 is 1, Fri 9 is 2, Sat 10 (调休) is 3, Mon 12 is 4.
        let accepted = date(2026, 9, 30);
        assert_eq!(
            calendar.deadline(accepted, 1).map(|d| d.date),
            Ok(date(2026, 10, 8))
        );
        assert_eq!(
            calendar.deadline(accepted, 3).map(|d| d.date),
            Ok(date(2026, 10, 10))
        );
        assert_eq!(
            calendar.deadline(accepted, 4).map(|d| d.date),
            Ok(date(2026, 10, 12))
        );
        // Mid-Autumn just before: Thu 24 Sep + 1 → Fri 25–Sun 27 off → Mon 28.
        assert_eq!(
            calendar.deadline(date(2026, 9, 24), 1).map(|d| d.date),
            Ok(date(2026, 9, 28))
        );
    }

    #[test]
    fn national_day_2025_deadline() {
        let calendar = both();
        // Fri 26 Sep: Sat 27 off, Sun 28 (调休) is 1.
        assert_eq!(
            calendar.deadline(date(2025, 9, 26), 1).map(|d| d.date),
            Ok(date(2025, 9, 28))
        );
        // Tue 30 Sep: 1–8 Oct off, Thu 9, Fri 10, Sat 11 (调休), Mon 13.
        let accepted = date(2025, 9, 30);
        assert_eq!(
            calendar.deadline(accepted, 1).map(|d| d.date),
            Ok(date(2025, 10, 9))
        );
        assert_eq!(
            calendar.deadline(accepted, 3).map(|d| d.date),
            Ok(date(2025, 10, 11))
        );
        assert_eq!(
            calendar.deadline(accepted, 4).map(|d| d.date),
            Ok(date(2025, 10, 13))
        );
    }

    #[test]
    fn deadline_crosses_into_the_next_year() {
        let calendar = both();
        // Tue 30 Dec 2025: Wed 31 is 1, 1–3 Jan off, Sun 4 Jan (调休) is 2, Mon 5 is 3.
        let accepted = date(2025, 12, 30);
        assert_eq!(
            calendar.deadline(accepted, 1).map(|d| d.date),
            Ok(date(2025, 12, 31))
        );
        assert_eq!(
            calendar.deadline(accepted, 2).map(|d| d.date),
            Ok(date(2026, 1, 4))
        );
        assert_eq!(
            calendar.deadline(accepted, 3).map(|d| d.date),
            Ok(date(2026, 1, 5))
        );
        // Accepted on 31 Dec, counting starts in the new year only.
        assert_eq!(
            calendar.deadline(date(2025, 12, 31), 1).map(|d| d.date),
            Ok(date(2026, 1, 4))
        );
    }

    #[test]
    fn zero_working_days_is_the_day_of_acceptance() {
        let calendar = both();
        for day in [date(2026, 2, 16), date(2026, 3, 7), date(2026, 3, 9)] {
            assert_eq!(calendar.deadline(day, 0).map(|d| d.date), Ok(day));
        }
    }

    fn official(date: Date) -> Result<Deadline, MissingYear> {
        Ok(Deadline {
            date,
            provisional: false,
        })
    }

    fn provisional(date: Date) -> Result<Deadline, MissingYear> {
        Ok(Deadline {
            date,
            provisional: true,
        })
    }

    #[test]
    fn a_year_without_its_file_is_provisional() {
        let calendar = both();
        assert!(calendar.is_official(2026));
        assert!(!calendar.is_official(2027));
        // Thu 31 Dec 2026 is the last official day.
        assert_eq!(
            calendar.deadline(date(2026, 12, 30), 1),
            official(date(2026, 12, 31))
        );
        // Fri 1 Jan 2027 is New Year's Day; Mon 4 Jan is the first working day of 2027.
        assert_eq!(
            calendar.deadline(date(2026, 12, 30), 2),
            provisional(date(2027, 1, 4))
        );
        // A passport renewal (7 working days) accepted on Mon 28 Dec 2026.
        assert_eq!(
            calendar.deadline(date(2026, 12, 28), 7),
            provisional(date(2027, 1, 7))
        );
        // Acceptance on a day of a provisional year counts nothing of it: still provisional only
        // when a counted day is.
        assert_eq!(
            calendar.deadline(date(2027, 3, 1), 0),
            official(date(2027, 3, 1))
        );
        assert_eq!(calendar.is_working_day(date(2027, 1, 1)), Ok(false));
        assert_eq!(calendar.is_working_day(date(2027, 1, 4)), Ok(true));
        assert_eq!(calendar.is_working_day(date(2027, 1, 9)), Ok(false));
    }

    #[test]
    fn outside_the_regulation_a_missing_year_is_an_error_never_a_guess() {
        let calendar = both();
        assert_eq!(
            calendar.is_working_day(date(2024, 5, 6)),
            Err(MissingYear { year: 2024 })
        );
        assert_eq!(
            calendar.deadline(date(2024, 12, 30), 1),
            Err(MissingYear { year: 2024 })
        );
        assert_eq!(
            calendar.deadline(date(2100, 12, 30), 5),
            Err(MissingYear { year: 2101 })
        );
        // Only 2026 loaded: the end of 2025 is provisional.
        let only_2026 =
            WorkCalendar::new(vec![year("calendar/2026.toml", Y2026)]).expect("one year");
        assert_eq!(
            only_2026.deadline(date(2025, 12, 30), 1),
            provisional(date(2025, 12, 31))
        );
        assert_eq!(
            only_2026.deadline(date(2025, 12, 31), 1),
            official(date(2026, 1, 4))
        );
        assert_eq!(only_2026.years().collect::<Vec<_>>(), vec![2026]);
        let message = MissingYear { year: 2101 }.to_string();
        assert!(message.contains("calendar/2101.toml"), "{message}");
        // An empty calendar knows the regulation's years provisionally.
        assert_eq!(
            WorkCalendar::default().deadline(date(2026, 3, 9), 1),
            provisional(date(2026, 3, 10))
        );
    }

    /// The days on which the provisional year and the State Council's notice disagree are exactly
    /// the notice's bridging days off and its weekends worked (调休).
    #[test]
    fn provisional_2025_and_2026_differ_from_the_notices_only_on_the_adjusted_days() {
        use statutory::FIRST_YEAR;
        assert_eq!(FIRST_YEAR, 2025);
        #[rustfmt::skip]
        let cases: [(i16, &str, &[Date]); 2] = [
            (2025, Y2025, &[
                // 春节: 除夕 Tue 28 Jan to 初三 Fri 31 Jan are statutory; Mon 3 and Tue 4 Feb are
                // bridging days, Sun 26 Jan and Sat 8 Feb are worked.
                date(2025, 1, 26), date(2025, 2, 3), date(2025, 2, 4), date(2025, 2, 8),
                // 劳动节: 1–2 May statutory; Mon 5 May bridging, Sun 27 Apr worked.
                date(2025, 4, 27), date(2025, 5, 5),
                // 端午节 on Sat 31 May: Mon 2 Jun is given for it.
                date(2025, 6, 2),
                // 国庆节、中秋节: 1–3 and 6 Oct statutory; Tue 7 and Wed 8 Oct bridging,
                // Sun 28 Sep and Sat 11 Oct worked.
                date(2025, 9, 28), date(2025, 10, 7), date(2025, 10, 8), date(2025, 10, 11),
            ]),
            (2026, Y2026, &[
                // 元旦: Fri 2 Jan bridging, Sun 4 Jan worked.
                date(2026, 1, 2), date(2026, 1, 4),
                // 春节: 除夕 Mon 16 Feb to 初三 Thu 19 Feb statutory; Fri 20 and Mon 23 Feb
                // bridging, Sat 14 and Sat 28 Feb worked.
                date(2026, 2, 14), date(2026, 2, 20), date(2026, 2, 23), date(2026, 2, 28),
                // 清明节 on Sun 5 Apr: Mon 6 Apr is given for it.
                date(2026, 4, 6),
                // 劳动节: Mon 4 and Tue 5 May bridging, Sat 9 May worked.
                date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 9),
                // 国庆节: 1–3 Oct (Thu to Sat) statutory; Mon 5 to Wed 7 Oct bridging, Sun 20 Sep
                // and Sat 10 Oct worked.
                date(2026, 9, 20), date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7),
                date(2026, 10, 10),
            ]),
        ];
        for (y, text, want) in cases {
            let notice = WorkCalendar::new(vec![year(&format!("calendar/{y}.toml"), text)])
                .expect("one year");
            let guess = WorkCalendar::default();
            let differ: Vec<Date> = date(y, 1, 1)
                .series(1.day())
                .take_while(|d| d.year() == y)
                .filter(|&d| notice.is_working_day(d) != guess.is_working_day(d))
                .collect();
            assert_eq!(differ, want, "{y}");
        }
    }

    #[test]
    fn a_file_without_a_statutory_day_is_refused_naming_it() {
        // The 2026 Spring Festival break cut to start on 初一 (Tue 17 Feb): 除夕 is missing.
        let e = refused(
            "calendar/2026.toml",
            &edited_2026("from = \"2026-02-15\"", "from = \"2026-02-17\""),
        );
        assert_eq!(e.field, "holiday");
        assert!(e.message.contains("2026-02-16"), "{e}");
        assert!(e.message.contains("春节"), "{e}");
        // A made-up year with only New Year's Day off is refused too.
        let e = refused(
            "calendar/2027.toml",
            "year = 2027\nsource = \"x\"\n[[holiday]]\n\
             name = { zh = \"元旦\", en = \"New Year's Day\", it = \"Capodanno\", es = \"Año Nuevo\" }\n\
             from = \"2027-01-01\"\nto = \"2027-01-01\"\n",
        );
        assert!(e.message.contains("2027-02-05"), "{e}");
    }

    #[test]
    fn the_next_years_file_is_missed_from_november() {
        let calendar: Vec<i16> = both().years().collect();
        assert_eq!(next_year_missing(date(2026, 10, 31), &calendar), None);
        assert_eq!(next_year_missing(date(2026, 11, 1), &calendar), Some(2027));
        assert_eq!(next_year_missing(date(2026, 12, 31), &calendar), Some(2027));
        assert_eq!(
            next_year_missing(date(2025, 11, 1), &calendar),
            None,
            "2026 is there"
        );
        assert_eq!(next_year_missing(date(2027, 3, 1), &calendar), None);
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

    // ---- Properties of deadlines over the regulation's years --------------------------------------

    /// A day from 2025 to the end of 2099 (beyond that a count may run out of the years computed).
    fn day_from_2025(offset: i32) -> Date {
        date(2025, 1, 1)
            .checked_add(offset.days())
            .expect("inside 2025–2099")
    }

    proptest::proptest! {
        #[test]
        fn deadlines_count_working_days(offset in 0..27_390i32, n in 0u16..80) {
            let calendar = both();
            let accepted = day_from_2025(offset);
            let deadline = calendar.deadline(accepted, n).expect("inside the regulation's years");
            let due = deadline.date;
            if n == 0 {
                proptest::prop_assert_eq!(due, accepted);
            } else {
                proptest::prop_assert!(due > accepted);
                proptest::prop_assert_eq!(calendar.is_working_day(due), Ok(true));
            }
            let counted = accepted
                .series(1.day())
                .skip(1)
                .take_while(|d| *d <= due)
                .filter(|&d| calendar.is_working_day(d).expect("computed"))
                .count();
            proptest::prop_assert_eq!(counted, usize::from(n));
            let next = calendar.deadline(accepted, n + 1).expect("inside");
            proptest::prop_assert!(next.date > due);
            proptest::prop_assert!(next.provisional >= deadline.provisional);
        }

        #[test]
        fn provisional_exactly_when_a_counted_day_has_no_file(offset in 0..1_100i32, n in 1u16..300) {
            let calendar = both();
            let accepted = day_from_2025(offset);
            let deadline = calendar.deadline(accepted, n).expect("inside");
            // 2025 and 2026 are loaded: the count is provisional once it reaches 2027.
            proptest::prop_assert_eq!(deadline.provisional, deadline.date.year() >= 2027);
        }
    }
}
