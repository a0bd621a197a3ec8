//! The statutory public holidays of any year, from the national holiday regulation
//! (全国年节及纪念日放假办法, as amended with effect from 1 January 2025), article 2:
//!
//! | holiday | days | rule |
//! | --- | --- | --- |
//! | 元旦 New Year's Day | 1 | 1 January |
//! | 春节 Spring Festival | 4 | lunar New Year's Eve (除夕) to the 3rd day of the first lunar month |
//! | 清明节 Qingming | 1 | the day of the Qingming solar term |
//! | 劳动节 Labour Day | 2 | 1 and 2 May |
//! | 端午节 Dragon Boat | 1 | the 5th day of the 5th lunar month |
//! | 中秋节 Mid-Autumn | 1 | the 15th day of the 8th lunar month |
//! | 国庆节 National Day | 3 | 1 to 3 October |
//!
//! The lunar dates and the solar term come from `tyme4rs` (the Chinese lunisolar calendar and the
//! 寿星 solar-term algorithm). What the regulation does not fix, the State Council's yearly notice
//! does: the bridging days and the weekends worked to make up for them (调休). A year without its
//! notice is therefore only *provisional*: these days plus weekends.

use jiff::ToSpan;
use jiff::civil::Date;
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

use crate::lang::Text;

/// The first year the amended regulation is in force.
pub const FIRST_YEAR: i16 = 2025;
/// The last year computed; later years are refused rather than trusted to an algorithm nobody
/// checked that far.
pub const LAST_YEAR: i16 = 2100;

/// A holiday of the regulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatutoryHoliday {
    NewYear,
    SpringFestival,
    Qingming,
    LabourDay,
    DragonBoat,
    MidAutumn,
    NationalDay,
}

impl StatutoryHoliday {
    pub const ALL: [StatutoryHoliday; 7] = [
        StatutoryHoliday::NewYear,
        StatutoryHoliday::SpringFestival,
        StatutoryHoliday::Qingming,
        StatutoryHoliday::LabourDay,
        StatutoryHoliday::DragonBoat,
        StatutoryHoliday::MidAutumn,
        StatutoryHoliday::NationalDay,
    ];

    /// Its name in every language, as the shipped calendar files write it.
    pub fn name(self) -> Text {
        let (zh, en, it, es) = match self {
            StatutoryHoliday::NewYear => ("元旦", "New Year's Day", "Capodanno", "Año Nuevo"),
            StatutoryHoliday::SpringFestival => (
                "春节",
                "Spring Festival",
                "Capodanno cinese",
                "Año Nuevo chino",
            ),
            StatutoryHoliday::Qingming => (
                "清明节",
                "Qingming Festival",
                "Festa di Qingming",
                "Festival de Qingming",
            ),
            StatutoryHoliday::LabourDay => (
                "劳动节",
                "Labour Day",
                "Festa dei lavoratori",
                "Día del Trabajo",
            ),
            StatutoryHoliday::DragonBoat => (
                "端午节",
                "Dragon Boat Festival",
                "Festa delle barche drago",
                "Festival del Barco del Dragón",
            ),
            StatutoryHoliday::MidAutumn => (
                "中秋节",
                "Mid-Autumn Festival",
                "Festa di metà autunno",
                "Festival del Medio Otoño",
            ),
            StatutoryHoliday::NationalDay => {
                ("国庆节", "National Day", "Festa nazionale", "Día Nacional")
            }
        };
        Text {
            zh: zh.into(),
            en: en.into(),
            it: it.into(),
            es: es.into(),
        }
    }
}

/// One statutory day off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatutoryDay {
    pub date: Date,
    pub holiday: StatutoryHoliday,
}

/// A year the regulation's days are not computed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the statutory holidays are computed for {FIRST_YEAR} to {LAST_YEAR} only, not {year}; import calendar/{year}.toml from the State Council's notice"
)]
pub struct OutOfRange {
    pub year: i16,
}

/// The 13 statutory days off of `year`, in date order (Mid-Autumn may fall on a day of National
/// Day; the day is then listed once, as National Day's).
pub fn statutory_days(year: i16) -> Result<Vec<StatutoryDay>, OutOfRange> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(OutOfRange { year });
    }
    let fixed = |month: i8, day: i8| Date::new(year, month, day).map_err(|_| OutOfRange { year });
    let new_year_day = lunar(year, 1, 1)?;
    let eve = new_year_day
        .checked_sub(1.day())
        .map_err(|_| OutOfRange { year })?;
    let mut days = vec![StatutoryDay {
        date: fixed(1, 1)?,
        holiday: StatutoryHoliday::NewYear,
    }];
    for offset in 0..4 {
        days.push(StatutoryDay {
            date: eve
                .checked_add(offset.days())
                .map_err(|_| OutOfRange { year })?,
            holiday: StatutoryHoliday::SpringFestival,
        });
    }
    days.push(StatutoryDay {
        date: qingming(year)?,
        holiday: StatutoryHoliday::Qingming,
    });
    for day in [1, 2] {
        days.push(StatutoryDay {
            date: fixed(5, day)?,
            holiday: StatutoryHoliday::LabourDay,
        });
    }
    days.push(StatutoryDay {
        date: lunar(year, 5, 5)?,
        holiday: StatutoryHoliday::DragonBoat,
    });
    for day in [1, 2, 3] {
        days.push(StatutoryDay {
            date: fixed(10, day)?,
            holiday: StatutoryHoliday::NationalDay,
        });
    }
    let mid_autumn = lunar(year, 8, 15)?;
    if !days.iter().any(|d| d.date == mid_autumn) {
        days.push(StatutoryDay {
            date: mid_autumn,
            holiday: StatutoryHoliday::MidAutumn,
        });
    }
    days.sort();
    Ok(days)
}

/// The Gregorian date of a day of the lunar year that begins in Gregorian `year` (never a leap
/// month: the festivals are in the ordinary months).
fn lunar(year: i16, month: i8, day: i8) -> Result<Date, OutOfRange> {
    let day = LunarDay::new(
        isize::from(year),
        isize::from(month),
        usize::try_from(day).map_err(|_| OutOfRange { year })?,
    )
    .map_err(|_| OutOfRange { year })?;
    gregorian(&day.get_solar_day(), year)
}

/// The day of the Qingming solar term (the sun at 15° ecliptic longitude), in Beijing time.
fn qingming(year: i16) -> Result<Date, OutOfRange> {
    let term = SolarTerm::new(isize::from(year), "清明").map_err(|_| OutOfRange { year })?;
    gregorian(&term.get_solar_day(), year)
}

fn gregorian(day: &SolarDay, year: i16) -> Result<Date, OutOfRange> {
    let y = i16::try_from(day.get_year()).map_err(|_| OutOfRange { year })?;
    let m = i8::try_from(day.get_month()).map_err(|_| OutOfRange { year })?;
    let d = i8::try_from(day.get_day()).map_err(|_| OutOfRange { year })?;
    Date::new(y, m, d).map_err(|_| OutOfRange { year })
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn on(year: i16, holiday: StatutoryHoliday) -> Vec<Date> {
        statutory_days(year)
            .expect("in range")
            .into_iter()
            .filter(|d| d.holiday == holiday)
            .map(|d| d.date)
            .collect()
    }

    /// 正月初一 as published in the almanacs, 2025–2050.
    #[rustfmt::skip]
    const SPRING_FESTIVAL: &[(i16, Date)] = &[
        (2025, date(2025, 1, 29)), (2026, date(2026, 2, 17)), (2027, date(2027, 2, 6)),
        (2028, date(2028, 1, 26)), (2029, date(2029, 2, 13)), (2030, date(2030, 2, 3)),
        (2031, date(2031, 1, 23)), (2032, date(2032, 2, 11)), (2033, date(2033, 1, 31)),
        (2034, date(2034, 2, 19)), (2035, date(2035, 2, 8)), (2036, date(2036, 1, 28)),
        (2037, date(2037, 2, 15)), (2038, date(2038, 2, 4)), (2039, date(2039, 1, 24)),
        (2040, date(2040, 2, 12)), (2041, date(2041, 2, 1)), (2042, date(2042, 1, 22)),
        (2043, date(2043, 2, 10)), (2044, date(2044, 1, 30)), (2045, date(2045, 2, 17)),
        (2046, date(2046, 2, 6)), (2047, date(2047, 1, 26)), (2048, date(2048, 2, 14)),
        (2049, date(2049, 2, 2)), (2050, date(2050, 1, 23)),
    ];

    #[test]
    fn spring_festival_is_new_years_eve_to_the_third_day() {
        for &(year, first_day) in SPRING_FESTIVAL {
            let eve = first_day.yesterday().expect("a day");
            let want: Vec<Date> = eve.series(1.day()).take(4).collect();
            assert_eq!(on(year, StatutoryHoliday::SpringFestival), want, "{year}");
        }
    }

    /// (year, 清明, 端午 (五月初五), 中秋 (八月十五)) as published in the almanacs, 2025–2050.
    #[rustfmt::skip]
    const FESTIVALS: &[(i16, Date, Date, Date)] = &[
        (2025, date(2025, 4, 4), date(2025, 5, 31), date(2025, 10, 6)),
        (2026, date(2026, 4, 5), date(2026, 6, 19), date(2026, 9, 25)),
        (2027, date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)),
        (2028, date(2028, 4, 4), date(2028, 5, 28), date(2028, 10, 3)),
        (2029, date(2029, 4, 4), date(2029, 6, 16), date(2029, 9, 22)),
        (2030, date(2030, 4, 5), date(2030, 6, 5), date(2030, 9, 12)),
        (2031, date(2031, 4, 5), date(2031, 6, 24), date(2031, 10, 1)),
        (2032, date(2032, 4, 4), date(2032, 6, 12), date(2032, 9, 19)),
        (2033, date(2033, 4, 4), date(2033, 6, 1), date(2033, 9, 8)),
        (2034, date(2034, 4, 5), date(2034, 6, 20), date(2034, 9, 27)),
        (2035, date(2035, 4, 5), date(2035, 6, 10), date(2035, 9, 16)),
        (2036, date(2036, 4, 4), date(2036, 5, 30), date(2036, 10, 4)),
        (2037, date(2037, 4, 4), date(2037, 6, 18), date(2037, 9, 24)),
        (2038, date(2038, 4, 5), date(2038, 6, 7), date(2038, 9, 13)),
        (2039, date(2039, 4, 5), date(2039, 5, 27), date(2039, 10, 2)),
        (2040, date(2040, 4, 4), date(2040, 6, 14), date(2040, 9, 20)),
        (2041, date(2041, 4, 4), date(2041, 6, 3), date(2041, 9, 10)),
        (2042, date(2042, 4, 4), date(2042, 6, 22), date(2042, 9, 28)),
        (2043, date(2043, 4, 5), date(2043, 6, 11), date(2043, 9, 17)),
        (2044, date(2044, 4, 4), date(2044, 5, 31), date(2044, 10, 5)),
        (2045, date(2045, 4, 4), date(2045, 6, 19), date(2045, 9, 25)),
        (2046, date(2046, 4, 4), date(2046, 6, 8), date(2046, 9, 15)),
        (2047, date(2047, 4, 5), date(2047, 5, 29), date(2047, 10, 4)),
        (2048, date(2048, 4, 4), date(2048, 6, 15), date(2048, 9, 22)),
        (2049, date(2049, 4, 4), date(2049, 6, 4), date(2049, 9, 11)),
        (2050, date(2050, 4, 4), date(2050, 6, 23), date(2050, 9, 30)),
    ];

    #[test]
    fn qingming_dragon_boat_and_mid_autumn_match_the_almanac() {
        for &(year, qingming, dragon_boat, mid_autumn) in FESTIVALS {
            assert_eq!(
                on(year, StatutoryHoliday::Qingming),
                vec![qingming],
                "{year}"
            );
            assert_eq!(
                on(year, StatutoryHoliday::DragonBoat),
                vec![dragon_boat],
                "{year}"
            );
            let national: Vec<Date> = (1..=3).map(|d| date(year, 10, d)).collect();
            assert_eq!(on(year, StatutoryHoliday::NationalDay), national, "{year}");
            if national.contains(&mid_autumn) {
                // 2028, 2031, 2039: the day is off once, as National Day.
                assert!(on(year, StatutoryHoliday::MidAutumn).is_empty(), "{year}");
                assert_eq!(statutory_days(year).map(|d| d.len()), Ok(12), "{year}");
            } else {
                assert_eq!(
                    on(year, StatutoryHoliday::MidAutumn),
                    vec![mid_autumn],
                    "{year}"
                );
                assert_eq!(statutory_days(year).map(|d| d.len()), Ok(13), "{year}");
            }
        }
    }

    #[test]
    fn fixed_days_and_the_range_of_years() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let days = statutory_days(year).expect("in range");
            assert_eq!(on(year, StatutoryHoliday::NewYear), vec![date(year, 1, 1)]);
            assert_eq!(
                on(year, StatutoryHoliday::LabourDay),
                vec![date(year, 5, 1), date(year, 5, 2)]
            );
            assert_eq!(
                on(year, StatutoryHoliday::SpringFestival).len(),
                4,
                "{year}"
            );
            assert!(
                days.windows(2).all(|w| w[0].date < w[1].date),
                "{year}: sorted, once each"
            );
            assert!(days.iter().all(|d| d.date.year() == year), "{year}");
            let qingming = on(year, StatutoryHoliday::Qingming)[0];
            assert!(
                qingming == date(year, 4, 4)
                    || qingming == date(year, 4, 5)
                    || qingming == date(year, 4, 6),
                "{year}: {qingming}"
            );
        }
        assert_eq!(statutory_days(2024), Err(OutOfRange { year: 2024 }));
        assert_eq!(statutory_days(2101), Err(OutOfRange { year: 2101 }));
        assert!(
            OutOfRange { year: 2101 }
                .to_string()
                .contains("calendar/2101.toml")
        );
    }

    #[test]
    fn every_holiday_has_a_name_in_every_language() {
        for holiday in StatutoryHoliday::ALL {
            assert!(holiday.name().first_blank().is_none(), "{holiday:?}");
        }
    }
}
