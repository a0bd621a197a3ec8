//! Public evaluation of every service (好差评): after a hall visit is served or a case closes, the
//! person rates it on five levels, with reasons she may tick and a comment. A rating of
//! "dissatisfied" or worse opens a follow-up for the station's or the bureau's leader, due in
//! [`FOLLOW_UP_WORKING_DAYS`] working days, closed only with a note of the call-back to her. The
//! figures are satisfaction rates: the share rated "fair" or better.

use crate::text;

/// The five levels, best first, as the national evaluation system names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 非常满意
    VerySatisfied,
    /// 满意
    Satisfied,
    /// 基本满意
    Fair,
    /// 不满意
    Dissatisfied,
    /// 非常不满意
    VeryDissatisfied,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::VerySatisfied,
        Level::Satisfied,
        Level::Fair,
        Level::Dissatisfied,
        Level::VeryDissatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::VerySatisfied => "very-satisfied",
            Level::Satisfied => "satisfied",
            Level::Fair => "fair",
            Level::Dissatisfied => "dissatisfied",
            Level::VeryDissatisfied => "very-dissatisfied",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == text)
    }

    /// 5 for very satisfied down to 1.
    pub fn score(self) -> u8 {
        match self {
            Level::VerySatisfied => 5,
            Level::Satisfied => 4,
            Level::Fair => 3,
            Level::Dissatisfied => 2,
            Level::VeryDissatisfied => 1,
        }
    }

    /// A poor rating ("差评"): followed up and called back.
    pub fn is_poor(self) -> bool {
        self.score() <= 2
    }
}

/// What she may tick to say why; any level takes any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Why {
    Fast,
    Friendly,
    Clear,
    WaitedLong,
    StaffAttitude,
    NotSolved,
    Unclear,
    RepeatedTrips,
}

impl Why {
    pub const ALL: [Why; 8] = [
        Why::Fast,
        Why::Friendly,
        Why::Clear,
        Why::WaitedLong,
        Why::StaffAttitude,
        Why::NotSolved,
        Why::Unclear,
        Why::RepeatedTrips,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Why::Fast => "fast",
            Why::Friendly => "friendly",
            Why::Clear => "clear",
            Why::WaitedLong => "waited-long",
            Why::StaffAttitude => "staff-attitude",
            Why::NotSolved => "not-solved",
            Why::Unclear => "unclear",
            Why::RepeatedTrips => "repeated-trips",
        }
    }

    pub fn parse(text: &str) -> Option<Why> {
        Why::ALL.into_iter().find(|w| w.as_str() == text)
    }
}

/// What was evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A number served in a station's hall.
    HallVisit,
    /// A case, once closed.
    Case,
}

impl Subject {
    pub const ALL: [Subject; 2] = [Subject::HallVisit, Subject::Case];

    pub fn as_str(self) -> &'static str {
        match self {
            Subject::HallVisit => "hall_visit",
            Subject::Case => "case",
        }
    }

    pub fn parse(text: &str) -> Option<Subject> {
        Subject::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A follow-up of a poor rating is due this many working days after it was given.
pub const FOLLOW_UP_WORKING_DAYS: u32 = 15;

/// The longest comment and call-back note.
pub const MAX_COMMENT: usize = 1_000;
/// The shortest note of a call-back: what was said, not a tick.
pub const MIN_CALLBACK_NOTE: usize = 10;

/// What is wrong with a rating or a call-back note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvaluationError {
    Level,
    Why,
    CommentTooLong,
    NoteTooShort,
    NoteTooLong,
}

impl EvaluationError {
    pub fn field(self) -> &'static str {
        match self {
            EvaluationError::Level => "level",
            EvaluationError::Why => "reasons",
            EvaluationError::CommentTooLong => "comment",
            EvaluationError::NoteTooShort | EvaluationError::NoteTooLong => "note",
        }
    }

    pub fn reason(self) -> crate::failure::Reason {
        use crate::failure::Reason;
        match self {
            EvaluationError::Level | EvaluationError::Why => Reason::Malformed,
            EvaluationError::CommentTooLong | EvaluationError::NoteTooLong => Reason::TooLong,
            EvaluationError::NoteTooShort => Reason::TooShort,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            EvaluationError::Level => {
                "choose very satisfied, satisfied, fair, dissatisfied or very dissatisfied"
            }
            EvaluationError::Why => "tick only the reasons offered, each once",
            EvaluationError::CommentTooLong => "write at most 1,000 characters",
            EvaluationError::NoteTooShort => "say in at least 10 characters what the call-back was",
            EvaluationError::NoteTooLong => "write at most 1,000 characters",
        }
    }
}

/// A rating as she gave it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rating {
    pub level: Level,
    pub reasons: Vec<Why>,
    pub comment: String,
}

/// Checks a rating as typed: a level by its name, reasons among those offered (each once, kept in
/// their order), a comment kept without invisible characters, at most [`MAX_COMMENT`].
pub fn check_rating(
    level: &str,
    reasons: &[String],
    comment: &str,
) -> Result<Rating, EvaluationError> {
    let level = Level::parse(level.trim()).ok_or(EvaluationError::Level)?;
    let mut picked = Vec::new();
    for r in reasons.iter().filter(|r| !r.trim().is_empty()) {
        let why = Why::parse(r.trim()).ok_or(EvaluationError::Why)?;
        if picked.contains(&why) {
            return Err(EvaluationError::Why);
        }
        picked.push(why);
    }
    picked.sort();
    let comment = text::without_invisible(comment.trim());
    if comment.chars().count() > MAX_COMMENT {
        return Err(EvaluationError::CommentTooLong);
    }
    Ok(Rating {
        level,
        reasons: picked,
        comment,
    })
}

/// Checks the note that closes a follow-up: what she was told when called back.
pub fn check_callback_note(note: &str) -> Result<String, EvaluationError> {
    let note = text::without_invisible(note.trim());
    let count = note.chars().count();
    if count < MIN_CALLBACK_NOTE {
        return Err(EvaluationError::NoteTooShort);
    }
    if count > MAX_COMMENT {
        return Err(EvaluationError::NoteTooLong);
    }
    Ok(note)
}

/// Ratings counted by level, best first (the order of [`Level::ALL`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts(pub [u64; 5]);

impl Counts {
    pub fn add(&mut self, level: Level, n: u64) {
        let i = Level::ALL.iter().position(|l| *l == level).unwrap_or(0);
        self.0[i] += n;
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    pub fn poor(&self) -> u64 {
        self.0[3] + self.0[4]
    }

    /// The satisfaction rate in tenths of a percent (fair or better over all), `None` without
    /// ratings.
    pub fn satisfaction_permille(&self) -> Option<u64> {
        let total = self.total();
        (total > 0).then(|| (self.0[0] + self.0[1] + self.0[2]) * 1000 / total)
    }
}

/// One evaluation as the leaders' board and the figures read it (no name: the board shows whom to
/// call back through the record it is about).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub id: String,
    pub subject: Subject,
    pub subject_id: String,
    /// The station it was given at, or none for the bureau's own cases.
    pub station: Option<crate::catalog::StationCode>,
    /// The service: a catalogue category's code.
    pub service: String,
    /// What the hall or the case shows: `A007`, `QT-2026-000123`.
    pub label: String,
    pub rating: Rating,
    pub rated_at: i64,
    /// Only for a poor rating.
    pub follow_up: Option<FollowUp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub due_on: jiff::civil::Date,
    /// The due day counts days of a year without its official calendar.
    pub provisional: bool,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_reasons_and_subjects_read_back() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
        for w in Why::ALL {
            assert_eq!(Why::parse(w.as_str()), Some(w));
        }
        for s in Subject::ALL {
            assert_eq!(Subject::parse(s.as_str()), Some(s));
        }
        assert!(Level::Dissatisfied.is_poor() && Level::VeryDissatisfied.is_poor());
        assert!(!Level::Fair.is_poor());
    }

    #[test]
    fn a_rating_is_checked_whole() {
        let r = check_rating(
            "dissatisfied",
            &["not-solved".into(), "waited-long".into(), "".into()],
            " 等了两个小时\u{202e} ",
        )
        .expect("fine");
        assert_eq!(r.level, Level::Dissatisfied);
        assert_eq!(r.reasons, [Why::WaitedLong, Why::NotSolved]);
        assert_eq!(r.comment, "等了两个小时");
        assert_eq!(check_rating("great", &[], ""), Err(EvaluationError::Level));
        assert_eq!(
            check_rating("fair", &["fast".into(), "fast".into()], ""),
            Err(EvaluationError::Why)
        );
        assert_eq!(
            check_rating("fair", &["bribe".into()], ""),
            Err(EvaluationError::Why)
        );
        assert_eq!(
            check_rating("fair", &[], &"字".repeat(1001)),
            Err(EvaluationError::CommentTooLong)
        );
        assert_eq!(
            check_callback_note("ok"),
            Err(EvaluationError::NoteTooShort)
        );
        assert!(check_callback_note("已电话回访，解释了补材料的原因。").is_ok());
    }

    #[test]
    fn the_satisfaction_rate_counts_fair_or_better() {
        let mut c = Counts::default();
        assert_eq!(c.satisfaction_permille(), None);
        c.add(Level::VerySatisfied, 6);
        c.add(Level::Fair, 1);
        c.add(Level::VeryDissatisfied, 1);
        assert_eq!((c.total(), c.poor()), (8, 1));
        assert_eq!(c.satisfaction_permille(), Some(875));
    }

    proptest! {
        #[test]
        fn the_rate_is_within_bounds_and_grows_with_good_ratings(counts in proptest::array::uniform5(0u64..1000)) {
            let c = Counts(counts);
            if let Some(rate) = c.satisfaction_permille() {
                prop_assert!(rate <= 1000);
                let mut better = c;
                better.add(Level::Satisfied, 1);
                prop_assert!(better.satisfaction_permille().unwrap_or(0) >= rate);
            } else {
                prop_assert_eq!(c.total(), 0);
            }
        }
    }
}
