//! Video identity checks: the slots officers publish in Beijing time, kept as UTC instants and
//! shown in each person's own zone beside Beijing's, so that a slot after a daylight-saving change
//! reads right when it is booked before it.

use crate::failure::Reason;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// How long a check lasts, in minutes.
pub const MIN_MINUTES: u16 = 10;
pub const MAX_MINUTES: u16 = 60;
/// How far ahead slots may be published.
pub const MAX_DAYS_AHEAD: i64 = 90;
/// The most slots one publication makes.
pub const MAX_SLOTS: usize = 48;
/// A reminder goes out this long before the check.
pub const REMINDER_MS: i64 = 24 * 3_600_000;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VideoError {
    #[error("give the day as YYYY-MM-DD")]
    Date,
    #[error("give each start time as HH:MM in Beijing time, separated by spaces")]
    Times,
    #[error("a check lasts from 10 to 60 minutes")]
    Minutes,
    #[error("slots start in the future and at most 90 days ahead")]
    When,
    #[error("publish at most 48 slots at once")]
    TooMany,
    #[error("\"{0}\" is not a time zone; use a name such as Europe/Rome")]
    Zone(String),
}

impl VideoError {
    pub fn reason(&self) -> Reason {
        match self {
            VideoError::When => Reason::OutOfRange,
            VideoError::TooMany => Reason::TooLarge,
            VideoError::Date | VideoError::Times | VideoError::Minutes | VideoError::Zone(_) => {
                Reason::Malformed
            }
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            VideoError::Date | VideoError::When => "date",
            VideoError::Times | VideoError::TooMany => "times",
            VideoError::Minutes => "minutes",
            VideoError::Zone(_) => "time_zone",
        }
    }
}

/// Where a slot stands: open to book, booked for a case, closed by its officer, or booked and
/// nobody came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlotState {
    Open,
    Booked,
    Cancelled,
    NoShow,
}

impl SlotState {
    pub const ALL: [SlotState; 4] = [
        SlotState::Open,
        SlotState::Booked,
        SlotState::Cancelled,
        SlotState::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SlotState::Open => "open",
            SlotState::Booked => "booked",
            SlotState::Cancelled => "cancelled",
            SlotState::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<SlotState> {
        SlotState::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

/// A slot an officer published, with the case it is booked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub id: String,
    pub officer_id: String,
    pub officer_name: String,
    /// Milliseconds since 1970 (UTC).
    pub starts_at: i64,
    pub minutes: i64,
    pub state: SlotState,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    pub booked_by: Option<String>,
    pub booked_at: Option<i64>,
    /// The zone its booker reads times in; empty while open.
    pub booker_time_zone: String,
}

fn beijing() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::fixed(jiff::tz::offset(8)))
}

/// The instants (milliseconds) of slots starting on `date` at each of `times` in Beijing, checked
/// against `now`.
pub fn slots_from(
    date: &str,
    times: &str,
    minutes: u16,
    now_ms: i64,
) -> Result<Vec<i64>, VideoError> {
    let day: Date = date.trim().parse().map_err(|_| VideoError::Date)?;
    if !(MIN_MINUTES..=MAX_MINUTES).contains(&minutes) {
        return Err(VideoError::Minutes);
    }
    let mut starts = Vec::new();
    for text in times
        .split([' ', ',', '，', '\n'])
        .filter(|t| !t.trim().is_empty())
    {
        let time: Time = text.trim().parse().map_err(|_| VideoError::Times)?;
        let at = day
            .to_datetime(time)
            .to_zoned(beijing())
            .map_err(|_| VideoError::Times)?
            .timestamp()
            .as_millisecond();
        if at <= now_ms || at > now_ms + MAX_DAYS_AHEAD * 86_400_000 {
            return Err(VideoError::When);
        }
        if !starts.contains(&at) {
            starts.push(at);
        }
    }
    if starts.is_empty() {
        return Err(VideoError::Times);
    }
    if starts.len() > MAX_SLOTS {
        return Err(VideoError::TooMany);
    }
    starts.sort_unstable();
    Ok(starts)
}

/// A time zone from its IANA name.
pub fn zone(name: &str) -> Result<TimeZone, VideoError> {
    TimeZone::get(name.trim()).map_err(|_| VideoError::Zone(name.trim().chars().take(40).collect()))
}

/// An instant as a wall clock in `tz`: `2027-03-29 10:00 CEST`.
pub fn wall_clock(at_ms: i64, tz: &TimeZone) -> String {
    Timestamp::from_millisecond(at_ms)
        .map(|t| {
            t.to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_default()
}

/// The same instant in Beijing.
pub fn beijing_clock(at_ms: i64) -> String {
    wall_clock(at_ms, &beijing())
}

/// Whether the reminder for a check starting at `starts_at` is due at `now`: within the last day
/// before it.
pub fn reminder_due(starts_at: i64, now_ms: i64) -> bool {
    now_ms < starts_at && now_ms >= starts_at - REMINDER_MS
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ms(text: &str) -> i64 {
        text.parse::<Timestamp>().expect("instant").as_millisecond()
    }

    #[test]
    fn slot_states_read_back_from_their_names() {
        for state in SlotState::ALL {
            assert_eq!(SlotState::parse(state.as_str()), Some(state));
        }
        assert_eq!(SlotState::parse("held"), None);
    }

    #[test]
    fn a_slot_after_europes_change_reads_right_when_booked_before_it() {
        // Booked in Rome in February 2027: one slot before the change of 28 March, one after.
        let now = ms("2027-02-10T10:00:00Z");
        let slots = slots_from("2027-03-26", "16:00", 20, now).expect("slots");
        let rome = zone("Europe/Rome").expect("zone");
        assert_eq!(wall_clock(slots[0], &rome), "2027-03-26 09:00 CET");
        let after = slots_from("2027-03-29", "16:00", 20, now).expect("slots");
        assert_eq!(wall_clock(after[0], &rome), "2027-03-29 10:00 CEST");
        assert_eq!(beijing_clock(after[0]), "2027-03-29 16:00 CST");
        // New York changes two weeks earlier (14 March).
        let ny = zone("America/New_York").expect("zone");
        let before_us = slots_from("2027-03-12", "21:00", 20, now).expect("slots");
        assert_eq!(wall_clock(before_us[0], &ny), "2027-03-12 08:00 EST");
        let after_us = slots_from("2027-03-16", "21:00", 20, now).expect("slots");
        assert_eq!(wall_clock(after_us[0], &ny), "2027-03-16 09:00 EDT");
        // São Paulo has no daylight saving any more.
        let sp = zone("America/Sao_Paulo").expect("zone");
        assert_eq!(wall_clock(after_us[0], &sp), "2027-03-16 10:00 -03");
    }

    #[test]
    fn publications_are_checked() {
        let now = ms("2027-02-10T10:00:00Z");
        assert_eq!(
            slots_from("2027-02-30", "09:00", 20, now),
            Err(VideoError::Date)
        );
        assert_eq!(
            slots_from("2027-03-01", "9h", 20, now),
            Err(VideoError::Times)
        );
        assert_eq!(
            slots_from("2027-03-01", "", 20, now),
            Err(VideoError::Times)
        );
        assert_eq!(
            slots_from("2027-03-01", "09:00", 5, now),
            Err(VideoError::Minutes)
        );
        assert_eq!(
            slots_from("2027-02-01", "09:00", 20, now),
            Err(VideoError::When)
        );
        assert_eq!(
            slots_from("2027-08-01", "09:00", 20, now),
            Err(VideoError::When)
        );
        let many: Vec<String> = (0..49)
            .map(|i| format!("{:02}:{:02}", i / 4 + 8, i % 4 * 15))
            .collect();
        assert_eq!(
            slots_from("2027-03-01", &many.join(" "), 10, now),
            Err(VideoError::TooMany)
        );
        let two = slots_from("2027-03-01", "10:00, 09:00 09:00", 20, now).expect("two");
        assert_eq!(two.len(), 2, "repeats once, in order");
        assert!(two[0] < two[1]);
        assert!(zone("Mars/Olympus").is_err());
    }

    #[test]
    fn the_reminder_is_due_in_the_last_day() {
        let start = ms("2027-03-01T08:00:00Z");
        assert!(!reminder_due(start, start - REMINDER_MS - 1));
        assert!(reminder_due(start, start - REMINDER_MS));
        assert!(reminder_due(start, start - 1));
        assert!(!reminder_due(start, start));
    }

    proptest! {
        #[test]
        fn a_slot_is_the_same_instant_in_every_zone(hour in 0u8..24, minute in 0u8..60, day in 1u8..28) {
            let now = ms("2027-02-10T10:00:00Z");
            let date = format!("2027-04-{day:02}");
            let time = format!("{hour:02}:{minute:02}");
            let at = slots_from(&date, &time, 20, now).expect("slot")[0];
            prop_assert_eq!(beijing_clock(at), format!("{date} {time} CST"));
            for name in ["Europe/Rome", "America/New_York", "Asia/Dubai"] {
                let z = zone(name).expect("zone");
                let shown: jiff::civil::DateTime = wall_clock(at, &z)[..16].replace(' ', "T").parse().expect("shown");
                prop_assert_eq!(shown.to_zoned(z).expect("zoned").timestamp().as_millisecond(), at);
            }
        }
    }
}
