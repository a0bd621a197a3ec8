//! Who must be seen in a video identity check, what the officer records of each of them, and the
//! rule that keeps "identity verified" back until every required person is confirmed.
//!
//! An adult is checked herself. For a minor on an item that asks for a guardian, each parent or
//! guardian is checked instead, wherever they are; the child may take part without being required.
//! A case filed at the bureau's window needs no video check: the officer saw the person there.
//!
//! Document numbers are never kept: a participant's number is kept as a digest bound to the case,
//! with its last three characters to tell documents apart, and the number the officer reads on
//! camera is matched against that digest.

use crate::access::audit::sha256_hex;
use crate::cases::Channel;
use crate::failure::Reason;

/// The room opens this long before the check starts, and the officer may record from then on.
pub const OPENS_BEFORE_MS: i64 = 30 * 60_000;
/// The room stays open this long after the check's time is over.
pub const STAYS_AFTER_MS: i64 = 60 * 60_000;
/// The most people in one check besides the officer.
pub const MAX_PARTICIPANTS: usize = 6;
pub const MAX_NAME: usize = 60;
pub const MAX_NOTE: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The person the case is about.
    Subject,
    Parent,
    Guardian,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Subject, Role::Parent, Role::Guardian];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Subject => "subject",
            Role::Parent => "parent",
            Role::Guardian => "guardian",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Document {
    Passport,
    IdCard,
    TravelPermit,
    ResidencePermit,
}

impl Document {
    pub const ALL: [Document; 4] = [
        Document::Passport,
        Document::IdCard,
        Document::TravelPermit,
        Document::ResidencePermit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Document::Passport => "passport",
            Document::IdCard => "id_card",
            Document::TravelPermit => "travel_permit",
            Document::ResidencePermit => "residence_permit",
        }
    }

    pub fn parse(s: &str) -> Option<Document> {
        Document::ALL.into_iter().find(|d| d.as_str() == s.trim())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Pending,
    Confirmed,
    NotConfirmed,
    Absent,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Pending,
        Verdict::Confirmed,
        Verdict::NotConfirmed,
        Verdict::Absent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pending => "pending",
            Verdict::Confirmed => "confirmed",
            Verdict::NotConfirmed => "not_confirmed",
            Verdict::Absent => "absent",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s.trim())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("choose who the participant is: the person on file, a parent or a guardian")]
    Role,
    #[error("parents and guardians take part only for a minor on an item that asks for them")]
    NotForAdult,
    #[error("give the participant's name, at most 60 characters")]
    Name,
    #[error("choose the document the participant will show")]
    DocumentType,
    #[error("give the document's number: 5 to 20 letters and digits")]
    DocumentNumber,
    #[error("a check takes at most 6 participants")]
    TooMany,
    #[error("record confirmed, not confirmed or absent")]
    Verdict,
    #[error("the note is at most 500 characters")]
    Note,
    #[error("the document shown does not match the one on file; record \"not confirmed\" instead")]
    Mismatch,
}

impl CheckError {
    pub fn reason(&self) -> Reason {
        match self {
            CheckError::Mismatch => Reason::Mismatch,
            CheckError::TooMany => Reason::TooLarge,
            CheckError::NotForAdult => Reason::WrongState,
            CheckError::Role
            | CheckError::Name
            | CheckError::DocumentType
            | CheckError::DocumentNumber
            | CheckError::Verdict
            | CheckError::Note => Reason::Malformed,
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            CheckError::Role | CheckError::NotForAdult => "role",
            CheckError::Name => "name",
            CheckError::DocumentType => "document_type",
            CheckError::DocumentNumber | CheckError::Mismatch => "document_number",
            CheckError::TooMany => "participants",
            CheckError::Verdict => "verdict",
            CheckError::Note => "note",
        }
    }
}

/// Whether a case's identity must be checked by video: its item asks for it and the person did
/// not come to the window.
pub fn needs_video_check(item_video_check: bool, channel: Channel) -> bool {
    item_video_check && channel != Channel::Window
}

/// Whether the parents or guardians are checked instead of the person: a minor on an item that
/// asks for a guardian.
pub fn guardians_needed(item_guardian_for_minors: bool, minor: bool) -> bool {
    item_guardian_for_minors && minor
}

/// Whether a participant in `role` must be confirmed.
pub fn is_required(role: Role, guardians: bool) -> bool {
    match role {
        Role::Subject => !guardians,
        Role::Parent | Role::Guardian => guardians,
    }
}

/// A document number as it is compared: upper-case letters and digits, spaces and hyphens
/// dropped.
pub fn normalize_number(number: &str) -> Result<String, CheckError> {
    let n: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if (5..=20).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(n)
    } else {
        Err(CheckError::DocumentNumber)
    }
}

/// How a normalized document number is kept: `digest(normalized)`, a keyed MAC the app computes
/// under its field key and bound to the case (`App::video_number_digest`). Without the key a digest
/// says nothing of the number, however few numbers a document type allows.
pub type NumberDigest<'a> = &'a dyn Fn(&str) -> String;

/// The unkeyed digest participants declared before digests were keyed were kept as. Only compared,
/// never written: a number of a known format is found from it by trying them all.
pub fn legacy_number_digest(case_id: &str, normalized: &str) -> String {
    sha256_hex(format!("video-check\n{case_id}\n{normalized}").as_bytes())
}

/// A participant as declared, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub role: Role,
    pub name: String,
    pub document: Document,
    pub digest: String,
}

/// Checks a participant declared for a case that has `already` participants.
pub fn participant(
    role: &str,
    name: &str,
    document: &str,
    number: &str,
    guardians: bool,
    already: usize,
    digest: NumberDigest,
) -> Result<Declared, CheckError> {
    let role = Role::parse(role).ok_or(CheckError::Role)?;
    if role != Role::Subject && !guardians {
        return Err(CheckError::NotForAdult);
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(CheckError::Name);
    }
    let document = Document::parse(document).ok_or(CheckError::DocumentType)?;
    let normalized = normalize_number(number)?;
    if already >= MAX_PARTICIPANTS {
        return Err(CheckError::TooMany);
    }
    Ok(Declared {
        role,
        name: name.to_owned(),
        document,
        digest: digest(&normalized),
    })
}

/// A participant of a case's video check as the case's pages show her: who she is, the document
/// on file (its type, and its number only as a keyed digest), and what the officer recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub id: String,
    pub case_id: String,
    pub role: Role,
    pub name: String,
    /// Her own account, when she takes part from her own device.
    pub user_id: Option<String>,
    pub document_type: Document,
    pub document_digest: String,
    pub verdict: Verdict,
    /// Whether the document shown matched the one on file; `None` until one was shown.
    pub document_matched: Option<bool>,
    pub note: String,
    /// The slot of the check the verdict was recorded in.
    pub slot_id: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<i64>,
    pub added_by: String,
    pub created_at: i64,
}

/// What the officer recorded of one participant, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: Verdict,
    /// Whether the document shown matched the one on file; `None` when none was shown.
    pub matched: Option<bool>,
    pub note: String,
}

/// Checks what the officer records against the participant's document on file, whose number was
/// kept as `digest` gives it. Confirming needs the document shown to match it.
pub fn judge(
    on_file: (Document, &str),
    verdict: &str,
    document: &str,
    number: &str,
    note: &str,
    digest: NumberDigest,
) -> Result<Judgement, CheckError> {
    let verdict = Verdict::parse(verdict)
        .filter(|v| *v != Verdict::Pending)
        .ok_or(CheckError::Verdict)?;
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(CheckError::Note);
    }
    let matched = if number.trim().is_empty() || verdict == Verdict::Absent {
        None
    } else {
        let shown = Document::parse(document).ok_or(CheckError::DocumentType)?;
        let normalized = normalize_number(number)?;
        Some(shown == on_file.0 && digest(&normalized) == on_file.1)
    };
    if verdict == Verdict::Confirmed && matched != Some(true) {
        return Err(match matched {
            None => CheckError::DocumentNumber,
            Some(_) => CheckError::Mismatch,
        });
    }
    Ok(Judgement {
        verdict,
        matched,
        note: note.to_owned(),
    })
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    #[error(
        "the person on file has not been added to the video check; add her, book a time and confirm her identity there"
    )]
    NoSubject,
    #[error(
        "this is a minor's case: add each parent or guardian to the video check and confirm them there"
    )]
    NoGuardian,
    #[error("the video check has not confirmed everyone it must: {0}")]
    NotConfirmed(String),
}

/// Whether "identity verified" may be recorded: every required participant confirmed, and at
/// least one required participant there. `participants` are (role, name, verdict).
pub fn gate(
    needs: bool,
    guardians: bool,
    participants: &[(Role, &str, Verdict)],
) -> Result<(), GateError> {
    if !needs {
        return Ok(());
    }
    let required: Vec<_> = participants
        .iter()
        .filter(|(role, _, _)| is_required(*role, guardians))
        .collect();
    if required.is_empty() {
        return Err(if guardians {
            GateError::NoGuardian
        } else {
            GateError::NoSubject
        });
    }
    let waiting: Vec<&str> = required
        .iter()
        .filter(|(_, _, v)| *v != Verdict::Confirmed)
        .map(|(_, name, _)| *name)
        .collect();
    if waiting.is_empty() {
        Ok(())
    } else {
        Err(GateError::NotConfirmed(waiting.join(", ")))
    }
}

/// Whether the room of a check starting at `starts_at` for `minutes` is open at `now`.
pub fn room_open(starts_at: i64, minutes: i64, now: i64) -> bool {
    now >= starts_at - OPENS_BEFORE_MS && now <= starts_at + minutes * 60_000 + STAYS_AFTER_MS
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A keyed digest as the app's would be, under a test key.
    fn keyed(normalized: &str) -> String {
        sha256_hex(format!("test key\n{normalized}").as_bytes())
    }

    #[test]
    fn who_must_be_confirmed_depends_on_the_item_and_age() {
        assert!(needs_video_check(true, Channel::Online));
        assert!(needs_video_check(true, Channel::Station));
        assert!(!needs_video_check(true, Channel::Window));
        assert!(!needs_video_check(false, Channel::Online));
        assert!(guardians_needed(true, true));
        assert!(!guardians_needed(false, true));
        assert!(!guardians_needed(true, false));
        assert!(is_required(Role::Subject, false));
        assert!(!is_required(Role::Subject, true));
        assert!(is_required(Role::Parent, true));
        assert!(is_required(Role::Guardian, true));
    }

    #[test]
    fn participants_are_checked() {
        let p = participant(
            "parent",
            " 季美华 ",
            "passport",
            "e 1234-5678",
            true,
            0,
            &keyed,
        )
        .expect("participant");
        assert_eq!(p.name, "季美华");
        // Kept as the digest of the normalized number, nothing of it in clear.
        assert_eq!(p.digest, keyed("E12345678"));
        assert!(!p.digest.contains("678"));
        let bad = |role: &str, name: &str, doc: &str, number: &str, guardians, already| {
            participant(role, name, doc, number, guardians, already, &keyed)
                .expect_err("refused")
                .field()
        };
        assert_eq!(bad("uncle", "A", "passport", "E1234567", true, 0), "role");
        assert_eq!(bad("parent", "A", "passport", "E1234567", false, 0), "role");
        assert_eq!(
            bad("subject", " ", "passport", "E1234567", false, 0),
            "name"
        );
        let long = "名".repeat(61);
        assert_eq!(
            bad("subject", &long, "passport", "E1234567", false, 0),
            "name"
        );
        assert_eq!(
            bad("subject", "A", "visa", "E1234567", false, 0),
            "document_type"
        );
        assert_eq!(
            bad("subject", "A", "passport", "E12", false, 0),
            "document_number"
        );
        assert_eq!(
            bad("subject", "A", "passport", "E1234567<<", false, 0),
            "document_number"
        );
        assert_eq!(
            bad("subject", "A", "passport", "E1234567", false, 6),
            "participants"
        );
    }

    #[test]
    fn confirming_needs_the_document_on_file() {
        let digest = keyed("E12345678");
        let on_file = (Document::Passport, digest.as_str());
        let ok = judge(
            on_file,
            "confirmed",
            "passport",
            "E12 345 678",
            "seen",
            &keyed,
        )
        .expect("confirmed");
        assert_eq!(ok.matched, Some(true));
        assert_eq!(
            judge(on_file, "confirmed", "passport", "E12345679", "", &keyed),
            Err(CheckError::Mismatch)
        );
        assert_eq!(
            judge(on_file, "confirmed", "id_card", "E12345678", "", &keyed),
            Err(CheckError::Mismatch)
        );
        assert_eq!(
            judge(on_file, "confirmed", "passport", "", "", &keyed),
            Err(CheckError::DocumentNumber)
        );
        let not = judge(
            on_file,
            "not_confirmed",
            "passport",
            "E12345679",
            "other face",
            &keyed,
        )
        .expect("recorded");
        assert_eq!(not.matched, Some(false));
        let absent = judge(on_file, "absent", "", "", "", &keyed).expect("absent");
        assert_eq!(absent.matched, None);
        assert_eq!(
            judge(on_file, "pending", "", "", "", &keyed),
            Err(CheckError::Verdict)
        );
        assert_eq!(
            judge(on_file, "absent", "", "", &"x".repeat(501), &keyed),
            Err(CheckError::Note)
        );
    }

    #[test]
    fn the_gate_waits_for_every_required_participant() {
        use Verdict::*;
        assert_eq!(gate(false, false, &[]), Ok(()));
        assert_eq!(gate(true, false, &[]), Err(GateError::NoSubject));
        assert_eq!(
            gate(true, true, &[(Role::Subject, "child", Confirmed)]),
            Err(GateError::NoGuardian)
        );
        assert_eq!(
            gate(
                true,
                true,
                &[
                    (Role::Subject, "child", Pending),
                    (Role::Parent, "mother", Confirmed),
                    (Role::Parent, "father", Absent),
                ]
            ),
            Err(GateError::NotConfirmed("father".into()))
        );
        assert_eq!(
            gate(
                true,
                true,
                &[
                    (Role::Subject, "child", Pending),
                    (Role::Parent, "mother", Confirmed),
                    (Role::Guardian, "aunt", Confirmed),
                ]
            ),
            Ok(())
        );
        assert_eq!(
            gate(true, false, &[(Role::Subject, "self", Confirmed)]),
            Ok(())
        );
    }

    #[test]
    fn the_room_opens_half_an_hour_before() {
        let start = 10_000_000_000;
        assert!(!room_open(start, 20, start - OPENS_BEFORE_MS - 1));
        assert!(room_open(start, 20, start - OPENS_BEFORE_MS));
        assert!(room_open(start, 20, start + 20 * 60_000 + STAYS_AFTER_MS));
        assert!(!room_open(
            start,
            20,
            start + 20 * 60_000 + STAYS_AFTER_MS + 1
        ));
    }

    proptest! {
        #[test]
        fn a_number_matches_itself_however_it_is_typed(
            digits in "[A-Z0-9]{5,20}", spaced in any::<bool>(), lower in any::<bool>()
        ) {
            let digest = keyed(&digits);
            let mut typed = if spaced {
                digits.chars().map(|c| format!("{c} ")).collect::<String>()
            } else {
                digits.clone()
            };
            if lower {
                typed = typed.to_lowercase();
            }
            let j = judge((Document::Passport, &digest), "confirmed", "passport", &typed, "", &keyed);
            prop_assert_eq!(j.map(|j| j.matched), Ok(Some(true)));
        }

        #[test]
        fn the_gate_opens_exactly_when_every_required_one_is_confirmed(
            verdicts in proptest::collection::vec((0usize..3, 0usize..4), 0..6), guardians in any::<bool>()
        ) {
            let list: Vec<(Role, &str, Verdict)> = verdicts
                .iter()
                .map(|(r, v)| (Role::ALL[*r], "p", Verdict::ALL[*v]))
                .collect();
            let required: Vec<_> = list.iter().filter(|(r, _, _)| is_required(*r, guardians)).collect();
            let open = !required.is_empty() && required.iter().all(|(_, _, v)| *v == Verdict::Confirmed);
            prop_assert_eq!(gate(true, guardians, &list).is_ok(), open);
        }
    }
}
