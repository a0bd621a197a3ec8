//! Proxy handling (代办): a mandate lets an agent (a relative, a station, a consultant) act for a
//! principal on some items of the catalogue for a period. It counts only once the principal has
//! confirmed it, from her own account or by the code she was sent, and until it expires or is
//! revoked. [`permits`] is the one check every act done for a principal goes through.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;

use crate::cases::{MediaType, Relation};
use crate::catalog::ItemCode;
use crate::failure::Reason;

/// The longest a mandate may run: two years, after which the principal confirms a new one.
pub const MAX_YEARS: i16 = 2;
/// The most items one mandate may name (the reference catalogue has 45).
pub const MAX_ITEMS: usize = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MandateState {
    /// Asked for by the agent; the principal has not confirmed it yet.
    Pending,
    Confirmed,
    Revoked,
}

impl MandateState {
    pub const ALL: [MandateState; 3] = [
        MandateState::Pending,
        MandateState::Confirmed,
        MandateState::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MandateState::Pending => "pending",
            MandateState::Confirmed => "confirmed",
            MandateState::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<MandateState> {
        MandateState::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What a mandate allows, as the checks need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub state: MandateState,
    pub valid_from: Date,
    pub valid_to: Date,
    pub items: Vec<ItemCode>,
}

/// A document behind a mandate (a notarised power of attorney …), as its pages list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MandateDocument {
    pub id: String,
    pub mandate_id: String,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// Why a mandate does not allow an act. Shown to the agent, so each names what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The one acting is not the mandate's agent.
    NotAgent,
    NotConfirmed,
    Revoked,
    NotYetValid(Date),
    Expired(Date),
    /// The item is not among those the mandate names.
    OutOfScope(ItemCode),
    /// The mandate's principal is not the person the case or payment is for.
    OtherPrincipal,
}

impl Refusal {
    /// A stable name for the API's problem JSON and the pages' messages.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotAgent => "not-agent",
            Refusal::NotConfirmed => "not-confirmed",
            Refusal::Revoked => "revoked",
            Refusal::NotYetValid(_) => "not-yet-valid",
            Refusal::Expired(_) => "expired",
            Refusal::OutOfScope(_) => "out-of-scope",
            Refusal::OtherPrincipal => "other-principal",
        }
    }

    /// The date a refusal names, if any.
    pub fn date(&self) -> Option<Date> {
        match self {
            Refusal::NotYetValid(d) | Refusal::Expired(d) => Some(*d),
            _ => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotAgent => f.write_str("this mandate names another agent"),
            Refusal::NotConfirmed => f.write_str(
                "the principal has not confirmed this mandate yet; ask her to confirm it on her account page or to give you the code she was sent",
            ),
            Refusal::Revoked => {
                f.write_str("this mandate was revoked; the principal must grant a new one")
            }
            Refusal::NotYetValid(d) => write!(f, "this mandate is valid only from {d}"),
            Refusal::Expired(d) => write!(
                f,
                "this mandate expired on {d}; the principal must grant a new one"
            ),
            Refusal::OutOfScope(item) => write!(
                f,
                "this mandate does not cover {item}; the principal must grant one that does"
            ),
            Refusal::OtherPrincipal => {
                f.write_str("this mandate was granted by someone else than this case's applicant")
            }
        }
    }
}

/// Whether the mandate allows acting on `item` on `today` (Beijing): in force and naming the item.
pub fn permits(terms: &Terms, item: &ItemCode, today: Date) -> Result<(), Refusal> {
    in_force(terms, today)?;
    if !terms.items.contains(item) {
        return Err(Refusal::OutOfScope(item.clone()));
    }
    Ok(())
}

/// Whether the mandate is in force on `today`: confirmed, not revoked, within its period (both
/// days included), whatever the item.
pub fn in_force(terms: &Terms, today: Date) -> Result<(), Refusal> {
    match terms.state {
        MandateState::Pending => return Err(Refusal::NotConfirmed),
        MandateState::Revoked => return Err(Refusal::Revoked),
        MandateState::Confirmed => {}
    }
    if today < terms.valid_from {
        return Err(Refusal::NotYetValid(terms.valid_from));
    }
    if today > terms.valid_to {
        return Err(Refusal::Expired(terms.valid_to));
    }
    Ok(())
}

/// Wrong confirmation codes one code survives before a new one is sent.
pub const WRONG_CODES_PER_CODE: i64 = crate::cases::handover::MAX_ATTEMPTS;
/// Codes sent for one request, the first included. After the last one's wrong tries the request
/// lapses: guessing cannot go on, and the principal is not sent code after code.
pub const MAX_CODES: i64 = 3;

/// What a wrong confirmation code leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrongCode {
    /// Counted; the same code stands.
    Counted,
    /// The code is replaced and the principal is sent the new one.
    Replaced,
    /// The request is cancelled and the principal told; the agent must ask again.
    Lapsed,
}

/// What the wrong code that brought the count to `wrong_codes` (counted before the code was
/// compared, so that parallel guesses each use up a try) leads to, when `codes_sent` codes have
/// been sent for the request so far.
pub fn after_wrong_code(wrong_codes: i64, codes_sent: i64) -> WrongCode {
    if wrong_codes < WRONG_CODES_PER_CODE {
        WrongCode::Counted
    } else if codes_sent < MAX_CODES {
        WrongCode::Replaced
    } else {
        WrongCode::Lapsed
    }
}

/// A field of a new mandate that does not hold, with what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermsError {
    pub field: &'static str,
    pub reason: Reason,
    pub message: &'static str,
}

fn error(field: &'static str, message: &'static str) -> TermsError {
    refused(field, Reason::Malformed, message)
}

fn refused(field: &'static str, reason: Reason, message: &'static str) -> TermsError {
    TermsError {
        field,
        reason,
        message,
    }
}

/// Checks what an agent asks for: a relation (not "self"), items from the catalogue (at least
/// one, duplicates dropped, in the catalogue's order of codes), and a period that starts today or
/// later, ends on or after its start and lasts at most [`MAX_YEARS`].
pub fn check_terms(
    relation: &str,
    items: &[String],
    known: &[ItemCode],
    valid_from: &str,
    valid_to: &str,
    today: Date,
) -> Result<(Relation, Vec<ItemCode>, Date, Date), TermsError> {
    let relation = Relation::parse(relation.trim())
        .filter(|r| *r != Relation::Myself)
        .ok_or_else(|| {
            error(
                "relation",
                "say what the principal is to the agent: parent, spouse, child, grandparent, grandchild, sibling or other",
            )
        })?;
    let mut codes = Vec::new();
    for text in items.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let code = text
            .parse::<ItemCode>()
            .ok()
            .filter(|c| known.contains(c))
            .ok_or_else(|| error("items", "choose the services from the catalogue"))?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.is_empty() {
        return Err(error("items", "choose at least one service"));
    }
    if codes.len() > MAX_ITEMS {
        return Err(refused(
            "items",
            Reason::TooLarge,
            "a mandate names at most 60 services",
        ));
    }
    codes.sort();
    let date = |field, text: &str| {
        text.trim()
            .parse::<Date>()
            .map_err(|_| error(field, "enter a real date as YYYY-MM-DD"))
    };
    let from = date("valid_from", valid_from)?;
    let to = date("valid_to", valid_to)?;
    if from < today {
        return Err(refused(
            "valid_from",
            Reason::InPast,
            "a mandate cannot start in the past",
        ));
    }
    if to < from {
        return Err(refused(
            "valid_to",
            Reason::EndBeforeStart,
            "the last day cannot be before the first",
        ));
    }
    let longest = from
        .checked_add(i64::from(MAX_YEARS).years())
        .unwrap_or(Date::MAX);
    if to >= longest {
        return Err(refused(
            "valid_to",
            Reason::PeriodTooLong,
            "a mandate lasts at most two years",
        ));
    }
    Ok((relation, codes, from, to))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    fn code(s: &str) -> ItemCode {
        s.parse().expect("code")
    }

    fn terms(state: MandateState) -> Terms {
        Terms {
            state,
            valid_from: date(2026, 3, 1),
            valid_to: date(2026, 9, 30),
            items: vec![code("EE-01"), code("EC-02")],
        }
    }

    #[test]
    fn a_confirmed_mandate_permits_its_items_within_its_period() {
        let t = terms(MandateState::Confirmed);
        assert_eq!(permits(&t, &code("EE-01"), date(2026, 3, 1)), Ok(()));
        assert_eq!(permits(&t, &code("EC-02"), date(2026, 9, 30)), Ok(()));
        assert_eq!(
            in_force(&t, date(2026, 5, 1)),
            Ok(()),
            "in force, whatever the item"
        );
        assert_eq!(
            permits(&t, &code("EE-03"), date(2026, 5, 1)),
            Err(Refusal::OutOfScope(code("EE-03")))
        );
        assert_eq!(
            permits(&t, &code("EE-01"), date(2026, 10, 1)),
            Err(Refusal::Expired(date(2026, 9, 30)))
        );
        assert_eq!(
            permits(&t, &code("EE-01"), date(2026, 2, 28)),
            Err(Refusal::NotYetValid(date(2026, 3, 1)))
        );
    }

    #[test]
    fn pending_and_revoked_mandates_permit_nothing() {
        let day = date(2026, 5, 1);
        assert_eq!(
            permits(&terms(MandateState::Pending), &code("EE-01"), day),
            Err(Refusal::NotConfirmed)
        );
        assert_eq!(
            permits(&terms(MandateState::Revoked), &code("EE-01"), day),
            Err(Refusal::Revoked)
        );
        assert!(Refusal::Expired(day).to_string().contains("2026-05-01"));
    }

    #[test]
    fn new_terms_are_checked_field_by_field() {
        let known = [code("EE-01"), code("EC-02")];
        let today = date(2026, 11, 26);
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = check_terms(
            "parent",
            &items(&["EE-01", "EC-02", "EE-01", " "]),
            &known,
            "2026-11-26",
            "2027-11-25",
            today,
        )
        .expect("valid");
        assert_eq!(ok.1, vec![code("EC-02"), code("EE-01")]);
        let field = |r: Result<_, TermsError>| r.map(|_| ()).expect_err("refused").field;
        let good = items(&["EE-01"]);
        let cases = [
            ("self", &good, "2026-11-26", "2027-01-01", "relation"),
            ("boss", &good, "2026-11-26", "2027-01-01", "relation"),
            ("parent", &items(&[]), "2026-11-26", "2027-01-01", "items"),
            (
                "parent",
                &items(&["EE-09"]),
                "2026-11-26",
                "2027-01-01",
                "items",
            ),
            (
                "parent",
                &items(&["<b>"]),
                "2026-11-26",
                "2027-01-01",
                "items",
            ),
            ("parent", &good, "2026-11-25", "2027-01-01", "valid_from"),
            ("parent", &good, "26/11/2026", "2027-01-01", "valid_from"),
            ("parent", &good, "2026-12-01", "2026-11-30", "valid_to"),
            ("parent", &good, "2026-11-26", "2028-11-26", "valid_to"),
            ("parent", &good, "2026-11-26", "9999-99-99", "valid_to"),
        ];
        for (relation, items, from, to, expected) in cases {
            assert_eq!(
                field(check_terms(relation, items, &known, from, to, today)),
                expected,
                "{relation} {items:?} {from} {to}"
            );
        }
        let longest = check_terms("other", &good, &known, "2026-11-26", "2028-11-25", today);
        assert!(longest.is_ok());
    }

    #[test]
    fn a_request_lapses_after_its_last_codes_wrong_tries() {
        let mut codes_sent = 1;
        let mut outcomes = Vec::new();
        'guessing: loop {
            for wrong in 1..=WRONG_CODES_PER_CODE {
                let outcome = after_wrong_code(wrong, codes_sent);
                outcomes.push(outcome);
                match outcome {
                    WrongCode::Counted => {}
                    WrongCode::Replaced => {
                        codes_sent += 1;
                        continue 'guessing;
                    }
                    WrongCode::Lapsed => break 'guessing,
                }
            }
            panic!("five wrong codes left the code standing");
        }
        // 5 wrong tries for each of the 3 codes, then the end: 15 guesses in all, 2 new codes sent.
        assert_eq!(outcomes.len() as i64, WRONG_CODES_PER_CODE * MAX_CODES);
        let replaced = outcomes
            .iter()
            .filter(|o| **o == WrongCode::Replaced)
            .count();
        assert_eq!(replaced as i64, MAX_CODES - 1);
        assert_eq!(outcomes.last(), Some(&WrongCode::Lapsed));
    }

    proptest! {
        /// A wrong code only ever counts, replaces or ends; never more codes than `MAX_CODES`.
        #[test]
        fn no_code_is_sent_past_the_cap(wrong in 1i64..20, sent in 1i64..6) {
            let outcome = after_wrong_code(wrong, sent);
            if wrong < WRONG_CODES_PER_CODE {
                prop_assert_eq!(outcome, WrongCode::Counted);
            } else {
                prop_assert_eq!(outcome == WrongCode::Replaced, sent < MAX_CODES);
                prop_assert_eq!(outcome == WrongCode::Lapsed, sent >= MAX_CODES);
            }
        }

        /// `permits` allows exactly the confirmed mandates, on the days of their period, for their
        /// items; every refusal names the first rule that failed.
        #[test]
        fn permits_is_exactly_the_rules(
            state in 0usize..3,
            from in 0i32..400,
            len in 0i32..400,
            day in 0i32..900,
            item in 0usize..4,
            scope in proptest::collection::vec(0usize..4, 0..4),
        ) {
            let all = ["EE-01", "EE-02", "EC-01", "GR-05"].map(code);
            let base = date(2026, 1, 1);
            let t = Terms {
                state: MandateState::ALL[state],
                valid_from: base.checked_add(from.days()).expect("date"),
                valid_to: base.checked_add((from + len).days()).expect("date"),
                items: scope.iter().map(|i| all[*i].clone()).collect(),
            };
            let today = base.checked_add(day.days()).expect("date");
            let expected = t.state == MandateState::Confirmed
                && t.valid_from <= today
                && today <= t.valid_to
                && t.items.contains(&all[item]);
            prop_assert_eq!(permits(&t, &all[item], today).is_ok(), expected);
        }
    }
}
