//! The person a case is for. Minors and people over 60 are derived from the birth date on the day
//! asked about, never stored as flags that go stale.

use jiff::civil::Date;

/// Who the person a case is for is to the account that files it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relation {
    /// The applicant themselves.
    Myself,
    Child,
    Parent,
    Spouse,
    Grandparent,
    Grandchild,
    Sibling,
    /// Someone the filer acts for under a mandate, e.g. a station's walk-in visitor.
    Other,
}

impl Relation {
    pub const ALL: [Relation; 8] = [
        Relation::Myself,
        Relation::Child,
        Relation::Parent,
        Relation::Spouse,
        Relation::Grandparent,
        Relation::Grandchild,
        Relation::Sibling,
        Relation::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Myself => "self",
            Relation::Child => "child",
            Relation::Parent => "parent",
            Relation::Spouse => "spouse",
            Relation::Grandparent => "grandparent",
            Relation::Grandchild => "grandchild",
            Relation::Sibling => "sibling",
            Relation::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Full years of age on `today`; 0 for a birth date in the future.
pub fn age_on(birth: Date, today: Date) -> i16 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0)
}

pub fn is_minor(birth: Date, today: Date) -> bool {
    age_on(birth, today) < 18
}

/// Over 60: offered home delivery and the elder-friendly defaults.
pub fn is_senior(birth: Date, today: Date) -> bool {
    age_on(birth, today) >= 60
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ages_turn_on_the_birthday() {
        let birth = date(2008, 2, 29);
        assert_eq!(age_on(birth, date(2026, 2, 28)), 17);
        assert!(is_minor(birth, date(2026, 2, 28)));
        assert_eq!(age_on(birth, date(2026, 3, 1)), 18);
        assert!(!is_minor(birth, date(2026, 3, 1)));
        assert!(is_senior(date(1966, 11, 25), date(2026, 11, 25)));
        assert!(!is_senior(date(1966, 11, 26), date(2026, 11, 25)));
        assert_eq!(age_on(date(2030, 1, 1), date(2026, 1, 1)), 0);
    }

    #[test]
    fn relations_read_back() {
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(r));
        }
        assert_eq!(Relation::parse("cousin"), None);
    }

    proptest! {
        #[test]
        fn age_never_decreases(days in 0i32..40_000, later in 0i32..400) {
            let birth = date(1940, 1, 1);
            let a = birth.checked_add(jiff::Span::new().days(days)).expect("in range");
            let b = a.checked_add(jiff::Span::new().days(later)).expect("in range");
            prop_assert!(age_on(birth, a) <= age_on(birth, b));
        }
    }
}
