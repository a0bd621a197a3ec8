//! Statistics: what a closed case saved the person who did not travel home for it, by the cost
//! model in force when it closed, and the months the dashboard counts in.
//!
//! A case counts when it closes. Its figures are computed once, then, by [`figures`], and stored
//! with it; the dashboard only adds stored figures up, so a later change of the cost model never
//! changes what an earlier case saved.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::cases::Channel;
use crate::country::is_iso_alpha2;
use crate::failure::Reason;

/// Whole yuan per amount: a typical airfare is far below this.
pub const MAX_YUAN: u32 = 200_000;
/// Nights and working days per trip.
pub const MAX_DAYS: u16 = 120;
/// Months a period may span (ten years).
pub const MAX_MONTHS: usize = 120;

/// What one trip home from a country typically costs the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountryCost {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// A return airfare to the county, economy, in yuan.
    pub airfare_yuan: u32,
    /// Nights of stay the matter would take.
    pub nights: u16,
    /// Lodging and food per night, in yuan.
    pub night_yuan: u32,
    /// Working days lost, travel included.
    pub working_days: u16,
    /// Income lost per working day, in yuan.
    pub daily_income_yuan: u32,
}

impl CountryCost {
    /// The money one trip costs, in fen.
    pub fn trip_fen(&self) -> i64 {
        let yuan = i64::from(self.airfare_yuan)
            + i64::from(self.nights) * i64::from(self.night_yuan)
            + i64::from(self.working_days) * i64::from(self.daily_income_yuan);
        yuan * 100
    }

    /// Each field within its limits; the error names the field.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !is_iso_alpha2(&self.country) {
            return Err((
                "country",
                format!(
                    "\"{}\" is not an ISO 3166-1 country code such as IT",
                    self.country
                ),
            ));
        }
        for (field, value) in [
            ("airfare_yuan", self.airfare_yuan),
            ("night_yuan", self.night_yuan),
            ("daily_income_yuan", self.daily_income_yuan),
        ] {
            if value > MAX_YUAN {
                return Err((field, format!("at most {MAX_YUAN} yuan")));
            }
        }
        for (field, value) in [("nights", self.nights), ("working_days", self.working_days)] {
            if value > MAX_DAYS {
                return Err((field, format!("at most {MAX_DAYS} days")));
            }
        }
        Ok(())
    }
}

/// The costs of a trip home per country. A country it does not name leaves its cases unpriced:
/// counted as handled, never guessed at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostModel {
    /// Why this version was made, shown beside it.
    #[serde(default)]
    pub note: String,
    #[serde(default, rename = "country")]
    pub countries: Vec<CountryCost>,
}

impl CostModel {
    /// Reads `catalog/costs.toml`, refusing unknown fields, and checks it.
    pub fn parse(text: &str) -> Result<CostModel, String> {
        let de = toml::Deserializer::parse(text).map_err(|e| e.to_string())?;
        let model: CostModel =
            serde_path_to_error::deserialize(de).map_err(|e| format!("{}: {}", e.path(), e))?;
        model
            .checked()
            .map_err(|(i, field, _, message)| format!("country[{i}].{field}: {message}"))
    }

    /// The model with countries in code order, each within its limits and named once. The error
    /// gives the row, the field, why and what is wrong.
    pub fn checked(mut self) -> Result<CostModel, (usize, &'static str, Reason, String)> {
        if self.note.chars().count() > 200 || self.note.chars().any(char::is_control) {
            return Err((
                0,
                "note",
                Reason::Malformed,
                "one line of at most 200 characters".into(),
            ));
        }
        let mut seen = BTreeMap::new();
        for (i, c) in self.countries.iter().enumerate() {
            c.check()
                .map_err(|(field, message)| (i, field, Reason::Malformed, message))?;
            if seen.insert(c.country.clone(), i).is_some() {
                return Err((
                    i,
                    "country",
                    Reason::Duplicate,
                    format!("{} is named twice", c.country),
                ));
            }
        }
        self.countries.sort_by(|a, b| a.country.cmp(&b.country));
        Ok(self)
    }

    pub fn country(&self, code: &str) -> Option<&CountryCost> {
        self.countries.iter().find(|c| c.country == code)
    }
}

/// How a closed case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Approved and the document delivered.
    Delivered,
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Delivered, Outcome::Refused]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// What the dashboard needs to know of a case as it closes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosingCase<'a> {
    pub channel: Channel,
    /// Filed by an agent under a mandate (代办): the person stayed abroad.
    pub under_mandate: bool,
    pub outcome: Outcome,
    /// The last (re)submission: returned materials restart the clock.
    pub submitted_on: Date,
    /// The approval or refusal.
    pub decided_on: Option<Date>,
    /// The working day set at acceptance.
    pub deadline: Option<Date>,
    pub closed_on: Date,
    /// Where the person lives: the station's country, else the person's on file.
    pub country: Option<&'a str>,
}

/// A closed case's figures, stored with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figures {
    pub month: Month,
    /// Calendar days from submission to closing: what the person waited.
    pub processing_days: i64,
    /// `None` when the case had no deadline (refused before acceptance cannot happen, but a case
    /// accepted without a calendar year can).
    pub within_deadline: Option<bool>,
    /// Money and working days saved; `None` when the person travelled to the window, the case was
    /// refused, or the model has no costs for her country.
    pub saving: Option<Saving>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saving {
    pub money_fen: i64,
    pub days: i64,
}

/// Figures for a case that closes now. Only a delivered case saved a trip: a refusal is counted as
/// handled but claims no saving, which keeps the total a figure nobody can call inflated. A case
/// opened at the bureau's window by the person herself saved nothing either.
pub fn figures(case: &ClosingCase, model: &CostModel) -> Figures {
    let travelled = case.channel == Channel::Window && !case.under_mandate;
    let saving = match (case.outcome, travelled, case.country) {
        (Outcome::Delivered, false, Some(country)) => model.country(country).map(|c| Saving {
            money_fen: c.trip_fen(),
            days: i64::from(c.working_days),
        }),
        _ => None,
    };
    Figures {
        month: Month::of(case.closed_on),
        processing_days: i64::from((case.closed_on - case.submitted_on).get_days()).max(0),
        within_deadline: case
            .deadline
            .map(|deadline| case.decided_on.is_some_and(|d| d <= deadline)),
        saving,
    }
}

/// Whether a case handled without travel counts as saved only when it was delivered: used by the
/// direct counts that check the stored figures.
pub fn travelled(channel: Channel, under_mandate: bool) -> bool {
    channel == Channel::Window && !under_mandate
}

/// Upper bounds (inclusive, in days) of the processing-time groups; the last group is open.
pub const BUCKETS: [i64; 5] = [1, 3, 7, 15, 30];

/// The group a processing time falls in, `0..=BUCKETS.len()`.
pub fn bucket(days: i64) -> usize {
    BUCKETS
        .iter()
        .position(|limit| days <= *limit)
        .unwrap_or(BUCKETS.len())
}

/// The groups' ranges in days, as charts and tables label them: `≤1`, `2–3`, … `>30`.
pub fn bucket_labels() -> Vec<String> {
    let mut lower = 0;
    let mut labels: Vec<String> = BUCKETS
        .iter()
        .map(|upper| {
            let label = if lower == 0 {
                format!("≤{upper}")
            } else {
                format!("{}–{upper}", lower + 1)
            };
            lower = *upper;
            label
        })
        .collect();
    labels.push(format!(">{lower}"));
    labels
}

/// A closed case's figures as the close step stores them and lists and exports read them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseOutcome {
    pub case_id: String,
    pub month: Month,
    pub closed_on: Date,
    /// Empty for a case filed online or at the bureau.
    pub station: String,
    pub item_code: String,
    pub category: String,
    pub outcome: Outcome,
    pub processing_days: i64,
    pub within_deadline: Option<bool>,
    /// Empty when nobody knows where the person lives.
    pub country: String,
    /// The cost model a saving was priced with; `None` when none is claimed.
    pub model_version: Option<i64>,
    pub money_fen: i64,
    pub days_saved: i64,
}

/// A closed case in the lists and exports behind the figures: its number, channel and outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedCase {
    pub number: String,
    pub channel: Channel,
    pub outcome: CaseOutcome,
}

/// The dashboard's sums over one group: a month (`YYYY-MM`), a station (empty for cases filed
/// online or at the bureau), a category or an item, named by `key`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    pub key: String,
    pub handled: i64,
    pub delivered: i64,
    pub refused: i64,
    pub with_deadline: i64,
    pub within_deadline: i64,
    pub processing_days: i64,
    pub saved_cases: i64,
    pub money_fen: i64,
    pub days_saved: i64,
    /// Cases per processing-time group of [`BUCKETS`], the open-ended group last.
    pub buckets: [i64; BUCKETS.len() + 1],
}

impl Sums {
    /// Adds another group's sums into this one.
    pub fn add(&mut self, other: &Sums) {
        self.handled += other.handled;
        self.delivered += other.delivered;
        self.refused += other.refused;
        self.with_deadline += other.with_deadline;
        self.within_deadline += other.within_deadline;
        self.processing_days += other.processing_days;
        self.saved_cases += other.saved_cases;
        self.money_fen += other.money_fen;
        self.days_saved += other.days_saved;
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets) {
            *mine += theirs;
        }
    }
}

/// One version of the cost model, as its history lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostModelVersion {
    pub version: i64,
    pub model: CostModel,
    pub created_by: String,
    /// The account's display name; the id itself when it is not an account (`catalog`).
    pub created_by_name: String,
    /// Milliseconds since 1970 (UTC).
    pub created_at: i64,
}

/// A calendar month, `YYYY-MM`, in Beijing time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i16,
    month: i8,
}

impl Month {
    pub fn of(date: Date) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i16 {
        self.year
    }

    pub fn first_day(self) -> Date {
        Date::constant(self.year, self.month, 1)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Months from `self` to `to`, both included.
    pub fn through(self, to: Month) -> impl Iterator<Item = Month> {
        std::iter::successors(Some(self), move |m| (*m < to).then(|| m.next()))
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;

    /// `YYYY-MM`, or a day `YYYY-MM-DD` read as its month, as people type dates.
    fn from_str(s: &str) -> Result<Month, String> {
        let bad = || format!("\"{}\" is not a month; write it as 2026-03", s.trim());
        if s.trim().len() == 10 {
            let day: Date = s.trim().parse().map_err(|_| bad())?;
            return format!("{:04}-{:02}", day.year(), day.month()).parse();
        }
        let (year, month) = s.trim().split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year: i16 = year.parse().map_err(|_| bad())?;
        let month: i8 = month.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }
}

/// Why a period is refused; the field at fault is always its last month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period ends ({to}) before it starts ({from})")]
    EndsBeforeStart { from: Month, to: Month },
    #[error("a period spans at most {MAX_MONTHS} months")]
    TooLong,
}

impl PeriodError {
    pub fn reason(self) -> Reason {
        match self {
            PeriodError::EndsBeforeStart { .. } => Reason::EndBeforeStart,
            PeriodError::TooLong => Reason::PeriodTooLong,
        }
    }
}

/// The months a dashboard or export covers, both ends included. Future months are allowed and
/// simply count nothing yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: Month,
    pub to: Month,
}

impl Period {
    pub fn new(from: Month, to: Month) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::EndsBeforeStart { from, to });
        }
        if from.through(to).nth(MAX_MONTHS).is_some() {
            return Err(PeriodError::TooLong);
        }
        Ok(Period { from, to })
    }

    pub fn months(self) -> Vec<Month> {
        self.from.through(self.to).collect()
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    fn model() -> CostModel {
        CostModel {
            note: String::new(),
            countries: vec![CountryCost {
                country: "IT".into(),
                airfare_yuan: 8000,
                nights: 10,
                night_yuan: 300,
                working_days: 12,
                daily_income_yuan: 500,
            }],
        }
    }

    fn closing(channel: Channel, outcome: Outcome, country: Option<&str>) -> ClosingCase<'_> {
        ClosingCase {
            channel,
            under_mandate: false,
            outcome,
            submitted_on: date(2026, 3, 2),
            decided_on: Some(date(2026, 3, 9)),
            deadline: Some(date(2026, 3, 10)),
            closed_on: date(2026, 3, 20),
            country,
        }
    }

    #[test]
    fn a_delivered_case_saves_the_trip_of_its_country() {
        let f = figures(
            &closing(Channel::Station, Outcome::Delivered, Some("IT")),
            &model(),
        );
        assert_eq!(
            f.saving,
            Some(Saving {
                money_fen: (8000 + 10 * 300 + 12 * 500) * 100,
                days: 12
            })
        );
        assert_eq!(f.processing_days, 18);
        assert_eq!(f.within_deadline, Some(true));
        assert_eq!(f.month.to_string(), "2026-03");
    }

    #[test]
    fn no_saving_for_refusals_the_window_or_unknown_countries() {
        let m = model();
        let refused = closing(Channel::Online, Outcome::Refused, Some("IT"));
        assert_eq!(figures(&refused, &m).saving, None);
        let window = closing(Channel::Window, Outcome::Delivered, Some("IT"));
        assert_eq!(figures(&window, &m).saving, None);
        let proxy = ClosingCase {
            under_mandate: true,
            ..window.clone()
        };
        assert!(figures(&proxy, &m).saving.is_some());
        let elsewhere = closing(Channel::Online, Outcome::Delivered, Some("US"));
        assert_eq!(figures(&elsewhere, &m).saving, None);
        let unknown = closing(Channel::Online, Outcome::Delivered, None);
        assert_eq!(figures(&unknown, &m).saving, None);
    }

    #[test]
    fn deadlines_are_met_by_the_decision_not_the_delivery() {
        let mut case = closing(Channel::Online, Outcome::Delivered, None);
        case.decided_on = Some(date(2026, 3, 11));
        assert_eq!(figures(&case, &model()).within_deadline, Some(false));
        case.deadline = None;
        assert_eq!(figures(&case, &model()).within_deadline, None);
    }

    #[test]
    fn buckets_cover_every_processing_time() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(1), 0);
        assert_eq!(bucket(2), 1);
        assert_eq!(bucket(7), 2);
        assert_eq!(bucket(30), 4);
        assert_eq!(bucket(31), 5);
    }

    #[test]
    fn the_cost_file_is_read_and_checked() {
        let text = "note = \"2026\"\n[[country]]\ncountry = \"IT\"\nairfare_yuan = 8000\nnights = 10\nnight_yuan = 300\nworking_days = 12\ndaily_income_yuan = 500\n";
        let m = CostModel::parse(text).expect("valid");
        assert_eq!(m.country("IT").map(|c| c.working_days), Some(12));
        let unknown = text.replace("nights =", "nigths =");
        assert!(CostModel::parse(&unknown).is_err());
        let twice = format!("{text}{}", &text[13..]);
        assert!(
            CostModel::parse(&twice)
                .expect_err("twice")
                .contains("twice")
        );
        let bad = text.replace("\"IT\"", "\"XX\"");
        assert!(CostModel::parse(&bad).expect_err("XX").contains("country"));
        let dear = text.replace("8000", "900000");
        assert!(
            CostModel::parse(&dear)
                .expect_err("dear")
                .contains("airfare_yuan")
        );
    }

    #[test]
    fn months_and_periods() {
        let jan: Month = "2026-01".parse().expect("month");
        let dec: Month = "2025-12".parse().expect("month");
        assert_eq!(dec.next(), jan);
        assert_eq!(
            Period::new(dec, jan).expect("period").months(),
            vec![dec, jan]
        );
        assert!(Period::new(jan, dec).is_err());
        for bad in [
            "2026-13",
            "2026-1",
            "26-01",
            "",
            "2026/01",
            "1999-12",
            "2026-02-30",
            "1999-12-01",
            "2026-01-1x",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
        // A day, as people type dates, is read as its month.
        assert_eq!("2025-12-31".parse::<Month>(), Ok(dec));
        assert_eq!(" 2026-01-01 ".parse::<Month>(), Ok(jan));
        let far: Month = "2036-01".parse().expect("month");
        assert!(Period::new(dec, far).is_err());
        assert!(Period::new(jan, far).is_err(), "121 months");
        let last: Month = "2035-12".parse().expect("month");
        assert_eq!(
            Period::new(jan, last).expect("120 months").months().len(),
            120
        );
    }

    proptest! {
        #[test]
        fn months_print_as_they_parse(year in 2000i16..=2100, month in 1i8..=12) {
            let m = Month { year, month };
            prop_assert_eq!(m.to_string().parse::<Month>(), Ok(m));
            prop_assert!(m.next() > m);
            prop_assert_eq!(m.next().previous(), m);
        }

        #[test]
        fn saving_never_exceeds_the_trip(
            airfare in 0u32..=MAX_YUAN, nights in 0u16..=MAX_DAYS, days in 0u16..=MAX_DAYS,
            delivered: bool, window: bool, mandate: bool,
        ) {
            let m = CostModel { note: String::new(), countries: vec![CountryCost {
                country: "ES".into(), airfare_yuan: airfare, nights, night_yuan: 100,
                working_days: days, daily_income_yuan: 100,
            }]};
            let mut case = closing(
                if window { Channel::Window } else { Channel::Station },
                if delivered { Outcome::Delivered } else { Outcome::Refused },
                Some("ES"),
            );
            case.under_mandate = mandate;
            let f = figures(&case, &m);
            let expected = delivered && !travelled(case.channel, mandate);
            prop_assert_eq!(f.saving.is_some(), expected);
            if let Some(s) = f.saving {
                prop_assert!(s.money_fen >= 0 && s.money_fen == m.countries[0].trip_fen());
            }
        }
    }
}
