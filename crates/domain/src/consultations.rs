//! The 24-hour consultation line: who is on shift (weekly hours in Beijing time, written as a
//! station's opening hours), which consultant a new conversation goes to (the least loaded on
//! shift), its deadlines, and what a message or a rating may hold.

use crate::cases::MediaType;
use crate::catalog::{OpeningHours, Weekday};
use crate::failure::Reason;
use crate::lang::Lang;

/// A first answer is due this long after a consultation opens while someone is on shift.
pub const FIRST_RESPONSE_MS: i64 = 30 * 60 * 1000;
/// A consultation should be resolved within a day of opening.
pub const RESOLUTION_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest message, in characters: a long letter, far below what a request body may carry.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// The longest subject line, in characters.
pub const MAX_SUBJECT_CHARS: usize = 120;
const MINUTES_PER_WEEK: u32 = 7 * 24 * 60;
const BEIJING_OFFSET_MS: i64 = 8 * 60 * 60 * 1000;

/// A minute of the week in Beijing time: Monday 00:00 is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WeekMinute(u32);

impl WeekMinute {
    /// China has kept UTC+8 without summer time since 1991, so the offset is a constant.
    pub fn of_instant(ms: i64) -> WeekMinute {
        // 1970-01-01 was a Thursday: day 3 of a week starting on Monday.
        let minutes = (ms + BEIJING_OFFSET_MS).div_euclid(60_000) + 3 * 24 * 60;
        WeekMinute(minutes.rem_euclid(i64::from(MINUTES_PER_WEEK)) as u32)
    }

    pub fn new(day: Weekday, minute_of_day: u16) -> WeekMinute {
        WeekMinute(day_index(day) * 24 * 60 + u32::from(minute_of_day.min(24 * 60 - 1)))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

fn day_index(day: Weekday) -> u32 {
    use Weekday::*;
    match day {
        Mon => 0,
        Tue => 1,
        Wed => 2,
        Thu => 3,
        Fri => 4,
        Sat => 5,
        Sun => 6,
    }
}

/// The week's minutes a schedule covers, as half-open ranges `[start, end)`.
fn ranges(hours: &[OpeningHours]) -> impl Iterator<Item = (u32, u32)> + '_ {
    hours.iter().flat_map(|h| {
        h.days.iter().map(move |d| {
            let base = day_index(*d) * 24 * 60;
            (
                base + u32::from(h.open.minutes()),
                base + u32::from(h.close.minutes()),
            )
        })
    })
}

/// Whether a consultant with these hours is on shift at `at`.
pub fn on_shift(hours: &[OpeningHours], at: WeekMinute) -> bool {
    ranges(hours).any(|(start, end)| start <= at.0 && at.0 < end)
}

/// Minutes from `at` until someone of `schedules` is on shift: 0 when someone is now, `None` when
/// nobody ever is.
pub fn minutes_until_cover(schedules: &[Vec<OpeningHours>], at: WeekMinute) -> Option<u32> {
    schedules
        .iter()
        .flat_map(|hours| ranges(hours))
        .map(|(start, end)| {
            if start <= at.0 && at.0 < end {
                0
            } else {
                (start + MINUTES_PER_WEEK - at.0) % MINUTES_PER_WEEK
            }
        })
        .min()
}

/// The stretches of the week nobody covers, as `(start, end)` week minutes, in order. Empty when
/// the shifts cover all 24 hours of every day.
pub fn gaps(schedules: &[Vec<OpeningHours>]) -> Vec<(WeekMinute, WeekMinute)> {
    let mut covered: Vec<(u32, u32)> = schedules.iter().flat_map(|h| ranges(h)).collect();
    covered.sort_unstable();
    let mut gaps = Vec::new();
    let mut reached = 0;
    for (start, end) in covered {
        if start > reached {
            gaps.push((WeekMinute(reached), WeekMinute(start)));
        }
        reached = reached.max(end);
    }
    if reached < MINUTES_PER_WEEK {
        gaps.push((WeekMinute(reached), WeekMinute(MINUTES_PER_WEEK)));
    }
    gaps
}

/// A consultant who could take a new consultation, with how many open ones she holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub on_shift: bool,
    pub open: u32,
}

/// The consultant a new consultation goes to: on shift, fewest open consultations, then the
/// smallest id so that the choice is the same on every node. `None` when nobody is on shift.
pub fn route(candidates: &[Candidate]) -> Option<&str> {
    candidates
        .iter()
        .filter(|c| c.on_shift)
        .min_by(|a, b| a.open.cmp(&b.open).then_with(|| a.id.cmp(&b.id)))
        .map(|c| c.id.as_str())
}

/// When the first answer is due: half an hour after opening, or after the next shift starts.
pub fn first_response_due(opened_at: i64, minutes_until_cover: Option<u32>) -> i64 {
    // With no shifts at all the deadline is the resolution deadline, so it still shows as late.
    match minutes_until_cover {
        Some(minutes) => opened_at + i64::from(minutes) * 60_000 + FIRST_RESPONSE_MS,
        None => opened_at + RESOLUTION_MS,
    }
}

/// The deadline that orders an inbox: the first answer's until one is given, then resolution.
pub fn due(first_response_due: i64, answered: bool, resolve_due: i64) -> i64 {
    if answered {
        resolve_due
    } else {
        first_response_due
    }
}

/// What is wrong with a message, subject or rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong(usize),
    Control,
}

impl TextProblem {
    pub fn reason(self) -> Reason {
        match self {
            TextProblem::TooLong(_) => Reason::TooLong,
            TextProblem::Empty | TextProblem::Control => Reason::Malformed,
        }
    }
}

impl std::fmt::Display for TextProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextProblem::Empty => f.write_str("write something first"),
            TextProblem::TooLong(max) => write!(
                f,
                "keep it to {max} characters; send a long text as several messages"
            ),
            TextProblem::Control => f.write_str("remove the control characters"),
        }
    }
}

/// A message as it will be kept: trimmed, line ends as `\n`, 1 to [`MAX_MESSAGE_CHARS`]
/// characters, no control characters other than new lines and tabs.
pub fn check_message(text: &str) -> Result<String, TextProblem> {
    check_text(&text.replace("\r\n", "\n"), MAX_MESSAGE_CHARS, true)
}

/// A subject line: 1 to [`MAX_SUBJECT_CHARS`] characters on one line.
pub fn check_subject(text: &str) -> Result<String, TextProblem> {
    check_text(text, MAX_SUBJECT_CHARS, false)
}

fn check_text(text: &str, max: usize, lines: bool) -> Result<String, TextProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TextProblem::Empty);
    }
    if text.chars().count() > max {
        return Err(TextProblem::TooLong(max));
    }
    let allowed = |c: char| lines && (c == '\n' || c == '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(TextProblem::Control);
    }
    Ok(text.to_owned())
}

/// A satisfaction rating: 1 (poor) to 5 (very good).
pub fn check_rating(rating: i64) -> Result<u8, String> {
    u8::try_from(rating)
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| format!("a rating is 1 to 5, not {rating}"))
}

/// Whether a consultation is still being answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConsultationState {
    Open,
    Closed,
}

impl ConsultationState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsultationState::Open => "open",
            ConsultationState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ConsultationState> {
        [ConsultationState::Open, ConsultationState::Closed]
            .into_iter()
            .find(|state| state.as_str() == s)
    }
}

/// Who wrote a message: the person who asked, a consultant, or the line itself (a transfer, a
/// closing, a linked case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Author {
    Person,
    Consultant,
    System,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Person => "person",
            Author::Consultant => "consultant",
            Author::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Author> {
        [Author::Person, Author::Consultant, Author::System]
            .into_iter()
            .find(|author| author.as_str() == s)
    }
}

/// A consultation as kept: who asked (an account, a guest by name and address, or a guest on
/// WeChat by her OpenID), in which
/// language, who holds it, its deadlines, what each side has read, and its rating once closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsultationRecord {
    pub id: String,
    pub person_id: Option<String>,
    pub guest_email: Option<String>,
    pub guest_name: String,
    /// The guest's key, sealed, so that later messages can carry her link.
    pub guest_key_sealed: Option<String>,
    pub lang: Lang,
    pub subject: String,
    pub consultant_id: Option<String>,
    pub state: ConsultationState,
    /// Milliseconds since 1970 (UTC), as every instant here.
    pub opened_at: i64,
    pub first_response_due: i64,
    pub resolve_due: i64,
    pub first_response_at: Option<i64>,
    pub last_message_at: i64,
    pub message_count: i64,
    /// The last message number each side has read.
    pub person_read: i64,
    pub consultant_read: i64,
    pub closed_at: Option<i64>,
    pub rating: Option<i64>,
    pub rating_comment: String,
    pub case_id: Option<String>,
    /// A guest who wrote to the bureau's WeChat Official Account: her OpenID there, which answers
    /// go back to.
    pub wechat_openid: Option<String>,
    /// The asking account's name and address (or the guest's), the consultant's name and the
    /// linked case's number; empty when written.
    pub person_name: String,
    pub person_email: String,
    pub consultant_name: String,
    pub case_number: Option<String>,
}

impl ConsultationRecord {
    /// How the asker came: `account`, `email` (a guest by her address) or `wechat` (a guest on
    /// the bureau's WeChat account).
    pub fn via(&self) -> &'static str {
        match (&self.person_id, &self.wechat_openid) {
            (Some(_), _) => "account",
            (None, Some(_)) => "wechat",
            (None, None) => "email",
        }
    }
}

/// A file attached to a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
}

/// A message of a consultation, numbered from 1. A system message's body says what happened,
/// for pages to word in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessage {
    pub consultation_id: String,
    pub seq: i64,
    pub author_id: Option<String>,
    pub side: Author,
    pub body: String,
    pub created_at: i64,
    /// The author's display name (the guest's for a guest).
    pub author_name: String,
    pub file: Option<Attachment>,
}

/// A consultant with the shift text she works (empty when none is set) and how many open
/// consultations she holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consultant {
    pub id: String,
    pub email: String,
    pub name: String,
    pub hours: String,
    pub open: i64,
}

/// A prepared answer consultants insert, in each interface language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannedAnswer {
    pub id: String,
    pub title: String,
    pub body_zh: String,
    pub body_en: String,
    pub body_it: String,
    pub body_es: String,
    pub updated_by: String,
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::station::parse_hours;
    use proptest::prelude::*;

    fn hours(text: &str) -> Vec<OpeningHours> {
        parse_hours(text).expect("hours")
    }

    #[test]
    fn states_and_authors_read_back_from_their_names() {
        for state in [ConsultationState::Open, ConsultationState::Closed] {
            assert_eq!(ConsultationState::parse(state.as_str()), Some(state));
        }
        for author in [Author::Person, Author::Consultant, Author::System] {
            assert_eq!(Author::parse(author.as_str()), Some(author));
        }
        assert_eq!(Author::parse("bot"), None);
    }

    // 2026-11-27 00:00 UTC, a Friday: 08:00 in Beijing.
    const FRIDAY_0800_BEIJING: i64 = 1_795_737_600_000;

    #[test]
    fn an_instant_is_read_in_beijing_time() {
        assert_eq!(
            WeekMinute::of_instant(FRIDAY_0800_BEIJING),
            WeekMinute::new(Weekday::Fri, 8 * 60)
        );
        // 16:30 UTC on Sunday is 00:30 on Monday in Beijing: the week wraps.
        let sunday_1630_utc = FRIDAY_0800_BEIJING + (2 * 24 * 60 + 16 * 60 + 30) * 60_000;
        assert_eq!(
            WeekMinute::of_instant(sunday_1630_utc),
            WeekMinute::new(Weekday::Mon, 30)
        );
    }

    #[test]
    fn shifts_are_half_open_and_a_night_is_two_lines() {
        let night = hours("mon-sun 22:00-24:00\nmon-sun 00:00-06:00");
        assert!(on_shift(&night, WeekMinute::new(Weekday::Tue, 23 * 60)));
        assert!(on_shift(&night, WeekMinute::new(Weekday::Wed, 5 * 60 + 59)));
        assert!(!on_shift(&night, WeekMinute::new(Weekday::Wed, 6 * 60)));
        let day = hours("mon-fri 09:00-18:00");
        assert!(!on_shift(&day, WeekMinute::new(Weekday::Sat, 10 * 60)));
    }

    #[test]
    fn gaps_show_what_nobody_covers() {
        let full = vec![
            hours("mon-sun 00:00-08:00"),
            hours("mon-sun 08:00-16:00"),
            hours("mon-sun 16:00-24:00"),
        ];
        assert!(gaps(&full).is_empty());
        let weekdays = vec![hours("mon-fri 00:00-24:00")];
        assert_eq!(
            gaps(&weekdays),
            vec![(
                WeekMinute::new(Weekday::Sat, 0),
                WeekMinute(MINUTES_PER_WEEK)
            )]
        );
        assert_eq!(gaps(&[]).len(), 1);
    }

    #[test]
    fn the_next_shift_is_found_across_the_week_end() {
        let weekdays = vec![hours("mon-fri 09:00-18:00")];
        assert_eq!(
            minutes_until_cover(&weekdays, WeekMinute::new(Weekday::Sat, 9 * 60)),
            Some(2 * 24 * 60)
        );
        assert_eq!(
            minutes_until_cover(&weekdays, WeekMinute::new(Weekday::Mon, 10 * 60)),
            Some(0)
        );
        assert_eq!(
            minutes_until_cover(&[], WeekMinute::new(Weekday::Mon, 0)),
            None
        );
    }

    #[test]
    fn routing_takes_the_least_loaded_on_shift() {
        let c = |id: &str, on_shift, open| Candidate {
            id: id.into(),
            on_shift,
            open,
        };
        let all = [c("b", true, 2), c("a", false, 0), c("c", true, 1)];
        assert_eq!(route(&all), Some("c"));
        let tie = [c("d", true, 1), c("c", true, 1)];
        assert_eq!(route(&tie), Some("c"));
        assert_eq!(route(&[c("a", false, 0)]), None);
    }

    #[test]
    fn deadlines_follow_the_shifts() {
        assert_eq!(first_response_due(0, Some(0)), FIRST_RESPONSE_MS);
        assert_eq!(
            first_response_due(0, Some(60)),
            3_600_000 + FIRST_RESPONSE_MS
        );
        assert_eq!(first_response_due(0, None), RESOLUTION_MS);
        assert_eq!(due(1, false, 9), 1);
        assert_eq!(due(1, true, 9), 9);
    }

    #[test]
    fn messages_are_checked() {
        assert_eq!(check_message("  你好\r\n谢谢 "), Ok("你好\n谢谢".into()));
        assert_eq!(check_message(" \n "), Err(TextProblem::Empty));
        assert_eq!(
            check_message(&"字".repeat(MAX_MESSAGE_CHARS + 1)),
            Err(TextProblem::TooLong(MAX_MESSAGE_CHARS))
        );
        assert_eq!(check_message("a\u{0}b"), Err(TextProblem::Control));
        assert_eq!(check_message("🙂 𠮷"), Ok("🙂 𠮷".into()));
        assert_eq!(check_subject("a\nb"), Err(TextProblem::Control));
        assert_eq!(check_rating(5), Ok(5));
        assert!(check_rating(0).is_err());
        assert!(check_rating(6).is_err());
    }

    proptest! {
        #[test]
        fn a_kept_message_is_within_its_limits(text in "\\PC{0,50}") {
            if let Ok(kept) = check_message(&text) {
                prop_assert!(!kept.is_empty());
                prop_assert!(kept.chars().count() <= MAX_MESSAGE_CHARS);
                prop_assert_eq!(kept.trim(), kept.as_str());
            }
        }

        #[test]
        fn routing_never_picks_someone_off_shift(
            loads in proptest::collection::vec((any::<bool>(), 0u32..5), 0..8)
        ) {
            let candidates: Vec<Candidate> = loads
                .iter()
                .enumerate()
                .map(|(i, (on, open))| Candidate { id: format!("c{i}"), on_shift: *on, open: *open })
                .collect();
            match route(&candidates) {
                Some(id) => {
                    let chosen = candidates.iter().find(|c| c.id == id).expect("chosen");
                    prop_assert!(chosen.on_shift);
                    prop_assert!(candidates.iter().filter(|c| c.on_shift).all(|c| c.open >= chosen.open));
                }
                None => prop_assert!(candidates.iter().all(|c| !c.on_shift)),
            }
        }

        #[test]
        fn the_week_minute_is_in_range(ms in -10_000_000_000_000i64..10_000_000_000_000) {
            prop_assert!(WeekMinute::of_instant(ms).get() < MINUTES_PER_WEEK);
        }
    }
}
