//! Handing the finished document over: what dispatch records for each delivery method, and the
//! one-time code the applicant shows so that only she can receive it. A code is six digits and
//! survives [`MAX_ATTEMPTS`] wrong tries; then a new one replaces it.

use jiff::civil::Date;

use crate::catalog::Delivery;

/// Wrong codes accepted before the code is replaced.
pub const MAX_ATTEMPTS: i64 = 5;

/// What dispatch records: the carrier and tracking number of a courier parcel, the day of a home
/// visit, nothing for collection at the window or a station.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Dispatch {
    pub carrier: String,
    pub tracking: String,
    pub visit_date: Option<Date>,
}

/// A dispatch field that does not pass, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispatchError {
    pub field: &'static str,
    pub message: &'static str,
}

fn refuse(field: &'static str, message: &'static str) -> DispatchError {
    DispatchError { field, message }
}

/// Checks what dispatch records for `delivery`; fields that do not apply are ignored.
pub fn dispatch(
    delivery: Delivery,
    carrier: &str,
    tracking: &str,
    visit_date: &str,
    today: Date,
) -> Result<Dispatch, DispatchError> {
    match delivery {
        Delivery::Window | Delivery::Station => Ok(Dispatch::default()),
        Delivery::Courier => {
            let carrier = carrier.trim();
            if carrier.is_empty()
                || carrier.chars().count() > 50
                || carrier.chars().any(char::is_control)
            {
                return Err(refuse(
                    "carrier",
                    "name the courier company (at most 50 characters)",
                ));
            }
            let tracking = tracking.trim();
            if !(4..=40).contains(&tracking.len())
                || !tracking
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err(refuse(
                    "tracking",
                    "the tracking number is 4 to 40 letters, digits or hyphens",
                ));
            }
            Ok(Dispatch {
                carrier: carrier.to_owned(),
                tracking: tracking.to_ascii_uppercase(),
                visit_date: None,
            })
        }
        Delivery::Home => {
            let day: Date = visit_date.trim().parse().map_err(|_| {
                refuse("visit_date", "give the day of the home visit as YYYY-MM-DD")
            })?;
            if day < today {
                return Err(refuse("visit_date", "the home visit cannot be in the past"));
            }
            Ok(Dispatch {
                visit_date: Some(day),
                ..Dispatch::default()
            })
        }
    }
}

/// Six digits from a random number.
pub fn new_code(random: u32) -> String {
    format!("{:06}", random % 1_000_000)
}

/// Whether the code shown matches, ignoring spaces people put between digits; compared in
/// constant time.
pub fn code_matches(expected: &str, shown: &str) -> bool {
    let shown: Vec<u8> = shown.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let expected = expected.as_bytes();
    if shown.len() != expected.len() {
        return false;
    }
    shown
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> Date {
        s.parse().expect("date")
    }

    #[test]
    fn each_method_records_what_it_needs() {
        let today = day("2026-11-26");
        assert_eq!(
            dispatch(Delivery::Window, "", "", "", today),
            Ok(Dispatch::default())
        );
        let parcel = dispatch(Delivery::Courier, " EMS ", "ee123456789cn", "", today).expect("ok");
        assert_eq!(
            (parcel.carrier.as_str(), parcel.tracking.as_str()),
            ("EMS", "EE123456789CN")
        );
        assert_eq!(
            dispatch(Delivery::Courier, "", "EE1", "", today).map_err(|e| e.field),
            Err("carrier")
        );
        for bad in ["", "abc", "EE 123", "EE123;DROP", &"9".repeat(41)] {
            assert_eq!(
                dispatch(Delivery::Courier, "EMS", bad, "", today).map_err(|e| e.field),
                Err("tracking"),
                "{bad}"
            );
        }
        assert_eq!(
            dispatch(Delivery::Home, "", "", "2026-11-30", today).map(|d| d.visit_date),
            Ok(Some(day("2026-11-30")))
        );
        for bad in ["", "2026-11-25", "30/11/2026", "2026-02-30"] {
            assert_eq!(
                dispatch(Delivery::Home, "", "", bad, today).map_err(|e| e.field),
                Err("visit_date"),
                "{bad}"
            );
        }
    }

    #[test]
    fn codes_are_six_digits_and_compared_whole() {
        assert_eq!(new_code(7), "000007");
        assert_eq!(new_code(u32::MAX), "967295");
        assert!(code_matches("123456", "123 456"));
        assert!(!code_matches("123456", "12345"));
        assert!(!code_matches("123456", "1234567"));
        assert!(!code_matches("123456", "123457"));
        assert!(!code_matches("123456", ""));
    }

    proptest! {
        #[test]
        fn only_the_code_itself_matches(random in any::<u32>(), shown in "[0-9 ]{0,8}") {
            let code = new_code(random);
            prop_assert_eq!(code.len(), 6);
            let same = shown.replace(' ', "") == code;
            prop_assert_eq!(code_matches(&code, &shown), same);
        }
    }
}
