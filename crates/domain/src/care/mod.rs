//! The care programme for children whose parents work abroad (留守儿童关爱): the rules for
//! recording a child (a minor, with a guardian's consent to the current consent text), home visits,
//! micro-wishes (微心愿) and their states, the 30-day visit alert, and pairing with proxy parents
//! (`pairing`).

pub mod pairing;

use jiff::civil::Date;

use crate::cases::is_minor;
use crate::failure::Reason;

/// The version of the consent text a guardian agrees to (the text itself is in each language's
/// messages, `care-consent-text`). A new text raises it; children recorded earlier keep theirs.
pub const CONSENT_VERSION: u32 = 1;

/// The languages and dialects a child or volunteer may speak; bit `i` of a mask is `LANGUAGES[i]`.
pub const LANGUAGES: [&str; 10] = [
    "qingtian",
    "wenzhou",
    "mandarin",
    "italian",
    "spanish",
    "french",
    "english",
    "german",
    "portuguese",
    "dutch",
];

/// The mask of the languages named; an unknown name is refused.
pub fn language_mask(names: &[&str]) -> Result<u64, CareError> {
    let mut mask = 0;
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let i = LANGUAGES
            .iter()
            .position(|l| *l == name)
            .ok_or(CareError::Languages)?;
        mask |= 1 << i;
    }
    if mask == 0 {
        return Err(CareError::Languages);
    }
    Ok(mask)
}

/// The names of the languages in a mask.
pub fn language_names(mask: u64) -> Vec<&'static str> {
    LANGUAGES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, l)| *l)
        .collect()
}

/// A township of the county and the position of its seat.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Township {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TownshipFile {
    township: Vec<Township>,
}

/// Reads the townships file (`catalog/care/townships.toml`): each name once, positions on Earth.
pub fn parse_townships(text: &str) -> Result<Vec<Township>, String> {
    let file: TownshipFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = std::collections::HashSet::new();
    for t in &file.township {
        if t.name.trim().is_empty() || !seen.insert(t.name.as_str()) {
            return Err(format!("township {:?} is empty or named twice", t.name));
        }
        if !(-90.0..=90.0).contains(&t.lat) || !(-180.0..=180.0).contains(&t.lon) {
            return Err(format!("township {} is not on Earth", t.name));
        }
    }
    Ok(file.township)
}

/// Kilometres between two townships' seats, as the crow flies (haversine), rounded.
pub fn km_between(a: &Township, b: &Township) -> u32 {
    let (la, lb) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lb - la;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlon / 2.0).sin().powi(2);
    let km = 2.0 * 6_371.0 * h.sqrt().asin();
    km.round() as u32
}

pub const MAX_NAME: usize = 40;
pub const MAX_PLACE: usize = 60;
pub const MAX_NOTES: usize = 2_000;
pub const MAX_WISH: usize = 200;
pub const MAX_MESSAGE: usize = 1_000;
/// The most messages a parent sends about one child in 24 hours: each one notifies the proxy
/// parent, who is a volunteer.
pub const MESSAGES_PER_DAY: i64 = 10;
/// The most children one volunteer takes at once.
pub const MAX_CAPACITY: u32 = 10;
/// A paired child without a visit for this many days is flagged, unless configured otherwise.
pub const DEFAULT_ALERT_DAYS: i32 = 30;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CareError {
    #[error("give the child's name, at most 40 characters")]
    Name,
    #[error("give the birth date as YYYY-MM-DD")]
    BirthDate,
    #[error("the programme is for children under 18; this birth date is 18 or more years ago")]
    NotAMinor,
    #[error("a birth date cannot be in the future")]
    BornLater,
    #[error("give the township, at most 60 characters")]
    Township,
    #[error("give the guardian at home, at most 40 characters")]
    Guardian,
    #[error("the village and the school are at most 60 characters each")]
    Place,
    #[error(
        "a child is recorded only with the consent of a parent or guardian, to the current consent text"
    )]
    Consent,
    #[error("give the day of the visit as YYYY-MM-DD")]
    VisitDate,
    #[error("a visit cannot be recorded before it happens")]
    VisitInFuture,
    #[error("a visit cannot be before the child was born")]
    VisitBeforeBirth,
    #[error("choose at least one topic: wellbeing, safety, study or health")]
    Topics,
    #[error("the notes are at most 2,000 characters")]
    Notes,
    #[error("write the wish, at most 200 characters")]
    Wish,
    #[error("choose at least one language or dialect from the list")]
    Languages,
    #[error("choose a township of the county from the list")]
    UnknownTownship,
    #[error("a volunteer takes from 1 to 10 children")]
    Capacity,
    #[error("say when you are available in at most 200 characters")]
    Availability,
    #[error("give the activity's theme, at most 60 characters")]
    Theme,
    #[error("give the activity's day as YYYY-MM-DD")]
    ActivityDate,
    #[error("give the place, at most 60 characters")]
    ActivityPlace,
    #[error("name the organisers, at most 200 characters")]
    Organisers,
    #[error("write the message, at most 1,000 characters")]
    Message,
    #[error("the note is at most 200 characters")]
    WishNote,
}

impl CareError {
    pub fn reason(&self) -> Reason {
        match self {
            CareError::NotAMinor => Reason::NotAMinor,
            CareError::BornLater | CareError::VisitInFuture => Reason::InFuture,
            CareError::VisitBeforeBirth => Reason::BeforeBirth,
            CareError::Name
            | CareError::BirthDate
            | CareError::Township
            | CareError::Guardian
            | CareError::Place
            | CareError::Consent
            | CareError::VisitDate
            | CareError::Topics
            | CareError::Notes
            | CareError::Wish
            | CareError::Languages
            | CareError::UnknownTownship
            | CareError::Capacity
            | CareError::Availability
            | CareError::Theme
            | CareError::ActivityDate
            | CareError::ActivityPlace
            | CareError::Organisers
            | CareError::Message
            | CareError::WishNote => Reason::Malformed,
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            CareError::Name => "name",
            CareError::BirthDate | CareError::NotAMinor | CareError::BornLater => "birth_date",
            CareError::Township => "township",
            CareError::Guardian => "guardian",
            CareError::Place => "village",
            CareError::Consent => "consent",
            CareError::VisitDate | CareError::VisitInFuture | CareError::VisitBeforeBirth => "date",
            CareError::Topics => "topics",
            CareError::Notes => "notes",
            CareError::Wish => "wish",
            CareError::Languages => "languages",
            CareError::UnknownTownship => "township",
            CareError::Capacity => "capacity",
            CareError::Availability => "availability",
            CareError::Theme => "theme",
            CareError::ActivityDate => "date",
            CareError::ActivityPlace => "place",
            CareError::Organisers => "organisers",
            CareError::Message => "message",
            CareError::WishNote => "note",
        }
    }
}

fn text(value: &str, max: usize, error: CareError) -> Result<String, CareError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        Err(error)
    } else {
        Ok(value.to_owned())
    }
}

/// Who consented, to which version of the consent text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    pub version: u32,
    pub by_name: String,
    /// `parent` or `guardian`.
    pub by_relation: String,
    /// Whether a photo of the child may be kept.
    pub photo: bool,
}

/// A child as entered, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildRecord {
    pub name: String,
    pub birth_date: Date,
    pub township: String,
    pub village: String,
    pub school: String,
    pub guardian: String,
}

/// A parent abroad of a child, by her account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentAbroad {
    pub child_id: String,
    pub user_id: String,
    pub display_name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// What a coordinator enters to record a child.
#[derive(Clone, Debug, Default)]
pub struct ChildInput<'a> {
    pub name: &'a str,
    pub birth_date: &'a str,
    pub township: &'a str,
    pub village: &'a str,
    pub school: &'a str,
    pub guardian: &'a str,
    pub consent_version: u32,
    pub consent_by: &'a str,
    pub consent_relation: &'a str,
}

/// The value of a checked field, or `None` with its error added to `errors` (once: the village
/// and the school share theirs).
fn kept<T>(errors: &mut Vec<CareError>, checked: Result<T, CareError>) -> Option<T> {
    match checked {
        Ok(value) => Some(value),
        Err(e) => {
            if !errors.contains(&e) {
                errors.push(e);
            }
            None
        }
    }
}

/// Checks a child's record against `today` and the consent text in force (`current_consent`).
/// Every field is checked: the refusal lists each mistake once, in the form's order.
pub fn check_child(
    input: &ChildInput<'_>,
    current_consent: u32,
    today: Date,
) -> Result<ChildRecord, Vec<CareError>> {
    let mut errors = Vec::new();
    let name = kept(&mut errors, text(input.name, MAX_NAME, CareError::Name));
    let birth_date = match input.birth_date.trim().parse::<Date>() {
        Err(_) => Err(CareError::BirthDate),
        Ok(born) if born > today => Err(CareError::BornLater),
        Ok(born) if !is_minor(born, today) => Err(CareError::NotAMinor),
        Ok(born) => Ok(born),
    };
    let birth_date = kept(&mut errors, birth_date);
    let township = kept(
        &mut errors,
        text(input.township, MAX_PLACE, CareError::Township),
    );
    let optional = |v: &str| {
        let v = v.trim();
        if v.chars().count() > MAX_PLACE || v.chars().any(char::is_control) {
            Err(CareError::Place)
        } else {
            Ok(v.to_owned())
        }
    };
    let village = kept(&mut errors, optional(input.village));
    let school = kept(&mut errors, optional(input.school));
    let guardian = kept(
        &mut errors,
        text(input.guardian, MAX_NAME, CareError::Guardian),
    );
    let consent = if input.consent_version != current_consent
        || input.consent_by.trim().is_empty()
        || input.consent_by.chars().count() > MAX_NAME
        || !matches!(input.consent_relation.trim(), "parent" | "guardian")
    {
        Err(CareError::Consent)
    } else {
        Ok(())
    };
    let consent = kept(&mut errors, consent);
    match (
        name, birth_date, township, village, school, guardian, consent,
    ) {
        (
            Some(name),
            Some(birth_date),
            Some(township),
            Some(village),
            Some(school),
            Some(guardian),
            Some(_),
        ) => Ok(ChildRecord {
            name,
            birth_date,
            township,
            village,
            school,
            guardian,
        }),
        _ => Err(errors),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    Wellbeing,
    Safety,
    Study,
    Health,
}

impl Topic {
    pub const ALL: [Topic; 4] = [Topic::Wellbeing, Topic::Safety, Topic::Study, Topic::Health];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Wellbeing => "wellbeing",
            Topic::Safety => "safety",
            Topic::Study => "study",
            Topic::Health => "health",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

/// A home visit, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    pub date: Date,
    pub topics: Vec<Topic>,
    pub notes: String,
    pub follow_up: bool,
}

/// Checks a visit to a child born on `birth_date`, recorded on `today`.
pub fn check_visit(
    date: &str,
    topics: &[&str],
    notes: &str,
    follow_up: bool,
    birth_date: Date,
    today: Date,
) -> Result<Visit, CareError> {
    let date: Date = date.trim().parse().map_err(|_| CareError::VisitDate)?;
    if date > today {
        return Err(CareError::VisitInFuture);
    }
    if date < birth_date {
        return Err(CareError::VisitBeforeBirth);
    }
    let mut parsed = Vec::new();
    for t in topics {
        let topic = Topic::parse(t).ok_or(CareError::Topics)?;
        if !parsed.contains(&topic) {
            parsed.push(topic);
        }
    }
    if parsed.is_empty() {
        return Err(CareError::Topics);
    }
    let notes = notes.trim();
    if notes.chars().count() > MAX_NOTES {
        return Err(CareError::Notes);
    }
    Ok(Visit {
        date,
        topics: parsed,
        notes: notes.to_owned(),
        follow_up,
    })
}

/// A micro-wish's states: collected at a visit, taken up by a volunteer or donor, fulfilled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WishState {
    Open,
    Taken,
    Fulfilled,
}

impl WishState {
    pub fn as_str(self) -> &'static str {
        match self {
            WishState::Open => "open",
            WishState::Taken => "taken",
            WishState::Fulfilled => "fulfilled",
        }
    }

    pub fn parse(s: &str) -> Option<WishState> {
        [WishState::Open, WishState::Taken, WishState::Fulfilled]
            .into_iter()
            .find(|w| w.as_str() == s)
    }

    /// The state a wish moves to next, if it can move.
    pub fn next(self) -> Option<WishState> {
        match self {
            WishState::Open => Some(WishState::Taken),
            WishState::Taken => Some(WishState::Fulfilled),
            WishState::Fulfilled => None,
        }
    }
}

/// A micro-wish (微心愿), with the child's township for the board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wish {
    pub id: String,
    pub child_id: String,
    pub township: String,
    pub wish: String,
    pub state: WishState,
    /// The volunteer who took it up, by account, and her name.
    pub taken_by: Option<String>,
    pub taken_by_name: String,
    /// A donor who took it up, by name, when it was not a volunteer.
    pub donor: String,
    pub note: String,
    pub recorded_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn check_wish(wish: &str) -> Result<String, CareError> {
    text(wish, MAX_WISH, CareError::Wish)
}

/// The day a paired child's wait for a visit is counted from: the later of her last visit and her
/// pairing. One overdue spell has one such day, so an alert keyed by it goes out once per spell.
pub fn visit_clock(last_visit: Option<Date>, paired_on: Date) -> Date {
    last_visit.map_or(paired_on, |v| v.max(paired_on))
}

/// Whether a paired child is overdue for a visit on `today`: no visit (or only visits before she
/// was paired) within `days` of today, counted from the later of her last visit and her pairing.
pub fn visit_overdue(last_visit: Option<Date>, paired_on: Date, today: Date, days: i32) -> bool {
    (today - visit_clock(last_visit, paired_on)).get_days() > days
}

/// Checks a volunteer's profile: how many children she takes (1 to [`MAX_CAPACITY`]) and when she
/// is available (free text, may be empty).
pub fn check_volunteer(capacity: &str, availability: &str) -> Result<(u32, String), CareError> {
    let capacity: u32 = capacity.trim().parse().map_err(|_| CareError::Capacity)?;
    if !(1..=MAX_CAPACITY).contains(&capacity) {
        return Err(CareError::Capacity);
    }
    let availability = availability.trim();
    if availability.chars().count() > MAX_WISH || availability.chars().any(char::is_control) {
        return Err(CareError::Availability);
    }
    Ok((capacity, availability.to_owned()))
}

/// An activity as entered, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub theme: String,
    pub date: Date,
    pub place: String,
    pub organisers: String,
}

/// An activity as recorded, with how many children and volunteers came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivitySummary {
    pub id: String,
    pub theme: String,
    pub date: Date,
    pub township: String,
    pub place: String,
    pub organisers: String,
    pub created_by: String,
    pub created_at: i64,
    pub children: i64,
    pub volunteers: i64,
}

/// Checks an activity: a theme, a day (past or planned), a place and who organises it.
pub fn check_activity(
    theme: &str,
    date: &str,
    place: &str,
    organisers: &str,
) -> Result<Activity, CareError> {
    Ok(Activity {
        theme: text(theme, MAX_PLACE, CareError::Theme)?,
        date: date.trim().parse().map_err(|_| CareError::ActivityDate)?,
        place: text(place, MAX_PLACE, CareError::ActivityPlace)?,
        organisers: text(organisers, MAX_WISH, CareError::Organisers)?,
    })
}

/// Checks a parent's message to the proxy parent. Line breaks are kept; other control characters
/// are refused.
pub fn check_message(body: &str) -> Result<String, CareError> {
    let body = body.trim();
    if body.is_empty()
        || body.chars().count() > MAX_MESSAGE
        || body
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(CareError::Message);
    }
    Ok(body.to_owned())
}

/// Checks the note a wish is fulfilled with (may be empty).
pub fn check_wish_note(note: &str) -> Result<String, CareError> {
    let note = note.trim();
    if note.chars().count() > MAX_WISH || note.chars().any(char::is_control) {
        return Err(CareError::WishNote);
    }
    Ok(note.to_owned())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn input<'a>() -> ChildInput<'a> {
        ChildInput {
            name: "季小雨",
            birth_date: "2016-09-01",
            township: "仁庄镇",
            village: "",
            school: "仁庄小学",
            guardian: "季奶奶（祖母）",
            consent_version: 1,
            consent_by: "季美华",
            consent_relation: "parent",
        }
    }

    #[test]
    fn every_mistake_in_a_childs_record_is_named_at_once_in_the_forms_order() {
        let today = date(2026, 11, 27);
        let errors = check_child(
            &ChildInput {
                name: "",
                birth_date: "2016-02-30",
                township: "",
                village: "村\u{7}",
                school: "校\u{7}",
                guardian: "",
                consent_by: "",
                ..input()
            },
            1,
            today,
        )
        .expect_err("refused");
        let fields: Vec<&str> = errors.iter().map(CareError::field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "birth_date",
                "township",
                "village",
                "guardian",
                "consent"
            ],
            "the village and the school share one error"
        );
    }

    #[test]
    fn a_child_is_a_minor_recorded_with_consent() {
        let today = date(2026, 11, 27);
        let child = check_child(&input(), 1, today).expect("recorded");
        assert_eq!(child.birth_date, date(2016, 9, 1));
        let refused =
            |i: ChildInput<'_>| check_child(&i, 1, today).expect_err("refused")[0].field();
        assert_eq!(
            refused(ChildInput {
                birth_date: "2008-11-27",
                ..input()
            }),
            "birth_date",
            "18 today is no longer a minor"
        );
        assert!(
            check_child(
                &ChildInput {
                    birth_date: "2008-11-28",
                    ..input()
                },
                1,
                today
            )
            .is_ok(),
            "17 until tomorrow"
        );
        assert_eq!(
            check_child(
                &ChildInput {
                    birth_date: "2027-01-01",
                    ..input()
                },
                1,
                today
            ),
            Err(vec![CareError::BornLater])
        );
        assert_eq!(
            refused(ChildInput {
                name: " ",
                ..input()
            }),
            "name"
        );
        assert_eq!(
            refused(ChildInput {
                birth_date: "1/9/2016",
                ..input()
            }),
            "birth_date"
        );
        assert_eq!(
            refused(ChildInput {
                township: "",
                ..input()
            }),
            "township"
        );
        assert_eq!(
            refused(ChildInput {
                guardian: "",
                ..input()
            }),
            "guardian"
        );
        assert_eq!(
            check_child(&input(), 2, today),
            Err(vec![CareError::Consent]),
            "consent to an older text"
        );
        assert_eq!(
            refused(ChildInput {
                consent_by: "",
                ..input()
            }),
            "consent"
        );
        assert_eq!(
            refused(ChildInput {
                consent_relation: "neighbour",
                ..input()
            }),
            "consent"
        );
    }

    #[test]
    fn visits_are_checked() {
        let today = date(2026, 11, 27);
        let birth = date(2016, 9, 1);
        let v = check_visit(
            "2026-11-20",
            &["study", "health", "study"],
            " 作业按时 ",
            true,
            birth,
            today,
        )
        .expect("visit");
        assert_eq!(v.topics, vec![Topic::Study, Topic::Health]);
        assert_eq!(v.notes, "作业按时");
        assert_eq!(
            check_visit("2026-11-28", &["study"], "", false, birth, today),
            Err(CareError::VisitInFuture)
        );
        assert_eq!(
            check_visit("2016-08-31", &["study"], "", false, birth, today),
            Err(CareError::VisitBeforeBirth)
        );
        assert_eq!(
            check_visit("2026-11-20", &[], "", false, birth, today),
            Err(CareError::Topics)
        );
        assert_eq!(
            check_visit("2026-11-20", &["fun"], "", false, birth, today),
            Err(CareError::Topics)
        );
        let long = "字".repeat(2_001);
        assert_eq!(
            check_visit("2026-11-20", &["safety"], &long, false, birth, today),
            Err(CareError::Notes)
        );
    }

    #[test]
    fn languages_and_townships_are_read() {
        assert_eq!(language_mask(&["qingtian", "italian"]), Ok(0b1001));
        assert_eq!(language_names(0b1001), vec!["qingtian", "italian"]);
        assert_eq!(language_mask(&["klingon"]), Err(CareError::Languages));
        assert_eq!(language_mask(&[" "]), Err(CareError::Languages));
        let towns = parse_townships(
            "[[township]]\nname = \"鹤城街道\"\nlat = 28.14\nlon = 120.29\n\
             [[township]]\nname = \"温溪镇\"\nlat = 28.28\nlon = 120.41\n",
        )
        .expect("townships");
        let km = km_between(&towns[0], &towns[1]);
        assert!((18..=20).contains(&km), "{km}");
        assert_eq!(km_between(&towns[0], &towns[0]), 0);
        assert!(parse_townships("[[township]]\nname = \"a\"\nlat = 95.0\nlon = 0.0\n").is_err());
        assert!(
            parse_townships("[[township]]\nname = \"a\"\nlat = 1.0\nlon = 0.0\n[[township]]\nname = \"a\"\nlat = 1.0\nlon = 0.0\n")
                .is_err()
        );
    }

    #[test]
    fn wishes_move_forward_only() {
        assert_eq!(WishState::Open.next(), Some(WishState::Taken));
        assert_eq!(WishState::Taken.next(), Some(WishState::Fulfilled));
        assert_eq!(WishState::Fulfilled.next(), None);
        assert_eq!(check_wish(" 一套绘本 "), Ok("一套绘本".into()));
        assert_eq!(check_wish(""), Err(CareError::Wish));
        assert_eq!(check_wish(&"书".repeat(201)), Err(CareError::Wish));
    }

    #[test]
    fn a_child_is_overdue_thirty_days_after_her_last_visit_or_pairing() {
        let paired = date(2026, 10, 1);
        assert!(!visit_overdue(None, paired, date(2026, 10, 31), 30));
        assert!(visit_overdue(None, paired, date(2026, 11, 1), 30));
        assert!(!visit_overdue(
            Some(date(2026, 10, 20)),
            paired,
            date(2026, 11, 19),
            30
        ));
        assert!(visit_overdue(
            Some(date(2026, 10, 20)),
            paired,
            date(2026, 11, 20),
            30
        ));
        // A visit before the pairing does not count for the new proxy parent.
        assert!(visit_overdue(
            Some(date(2026, 9, 1)),
            paired,
            date(2026, 11, 1),
            30
        ));
    }

    #[test]
    fn a_volunteer_takes_one_to_ten_children() {
        assert_eq!(check_volunteer(" 3 ", "周末"), Ok((3, "周末".into())));
        assert_eq!(check_volunteer("10", ""), Ok((10, String::new())));
        for bad in ["0", "11", "-1", "", "two"] {
            assert_eq!(check_volunteer(bad, ""), Err(CareError::Capacity), "{bad}");
        }
        assert_eq!(
            check_volunteer("2", &"闲".repeat(201)),
            Err(CareError::Availability)
        );
    }

    #[test]
    fn activities_messages_and_wish_notes_are_checked() {
        let a = check_activity("读书会", "2026-12-05", "仁庄镇文化礼堂", "仁庄派出所").expect("ok");
        assert_eq!(a.date, date(2026, 12, 5));
        assert_eq!(
            check_activity("", "2026-12-05", "x", "y"),
            Err(CareError::Theme)
        );
        assert_eq!(
            check_activity("读书会", "12/05", "x", "y"),
            Err(CareError::ActivityDate)
        );
        assert_eq!(
            check_activity("读书会", "2026-12-05", " ", "y"),
            Err(CareError::ActivityPlace)
        );
        assert_eq!(
            check_activity("读书会", "2026-12-05", "x", ""),
            Err(CareError::Organisers)
        );
        assert_eq!(
            check_message(" 谢谢您\n照顾小雨 "),
            Ok("谢谢您\n照顾小雨".into())
        );
        assert_eq!(check_message("  "), Err(CareError::Message));
        assert_eq!(check_message("a\u{7}b"), Err(CareError::Message));
        assert_eq!(check_message(&"字".repeat(1_001)), Err(CareError::Message));
        assert_eq!(check_wish_note(""), Ok(String::new()));
        assert_eq!(check_wish_note(&"字".repeat(201)), Err(CareError::WishNote));
    }

    #[test]
    fn one_overdue_spell_has_one_clock() {
        let paired = date(2026, 10, 1);
        assert_eq!(visit_clock(None, paired), paired);
        assert_eq!(visit_clock(Some(date(2026, 9, 1)), paired), paired);
        assert_eq!(
            visit_clock(Some(date(2026, 10, 9)), paired),
            date(2026, 10, 9)
        );
    }
}
