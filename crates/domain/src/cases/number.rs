//! Case numbers as people read them on the phone: a deployment prefix, the year and a sequence,
//! e.g. `QT-2026-000123`. The sequence restarts each year and is never reused.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CaseNumber(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaseNumberError {
    #[error("a case number prefix is 1 to 8 capital letters, e.g. QT")]
    Prefix,
    #[error("a case number looks like QT-2026-000123: prefix, year, and at least six digits")]
    Shape,
}

/// Checks a configured prefix.
pub fn valid_prefix(prefix: &str) -> Result<(), CaseNumberError> {
    if (1..=8).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(CaseNumberError::Prefix)
    }
}

impl CaseNumber {
    pub fn new(prefix: &str, year: i16, sequence: u64) -> Result<CaseNumber, CaseNumberError> {
        valid_prefix(prefix)?;
        if !(2000..=9999).contains(&year) || sequence == 0 {
            return Err(CaseNumberError::Shape);
        }
        Ok(CaseNumber(format!("{prefix}-{year}-{sequence:06}")))
    }

    /// Reads a number as typed: surrounding spaces and lower case are forgiven.
    pub fn parse(input: &str) -> Result<CaseNumber, CaseNumberError> {
        let s = input.trim().to_ascii_uppercase();
        let mut parts = s.split('-');
        let (Some(prefix), Some(year), Some(sequence), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CaseNumberError::Shape);
        };
        let digits = |t: &str, min: usize, max: usize| {
            (min..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(year, 4, 4) || !digits(sequence, 6, 12) {
            return Err(CaseNumberError::Shape);
        }
        let year: i16 = year.parse().map_err(|_| CaseNumberError::Shape)?;
        let sequence: u64 = sequence.parse().map_err(|_| CaseNumberError::Shape)?;
        let number = CaseNumber::new(prefix, year, sequence)?;
        // `QT-2026-0000123` would name the same case as `QT-2026-000123`: only one spelling is valid.
        if number.0 == s {
            Ok(number)
        } else {
            Err(CaseNumberError::Shape)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn numbers_are_formatted_and_read_back() {
        let n = CaseNumber::new("QT", 2026, 123).expect("valid");
        assert_eq!(n.as_str(), "QT-2026-000123");
        assert_eq!(CaseNumber::parse(" qt-2026-000123 "), Ok(n));
        assert_eq!(
            CaseNumber::new("QT", 2026, 1_234_567).map(|n| n.to_string()),
            Ok("QT-2026-1234567".into())
        );
    }

    #[test]
    fn bad_numbers_and_prefixes_are_refused() {
        for bad in [
            "",
            "QT-2026",
            "QT-2026-123",
            "QT-26-000123",
            "QT-2026-000000",
            "QT-2026-0000123",
            "Q1-2026-000123",
            "QT-2026-000123-1",
            "护照-2026-000123",
        ] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(valid_prefix("qt"), Err(CaseNumberError::Prefix));
        assert_eq!(valid_prefix("TOOLONGXX"), Err(CaseNumberError::Prefix));
        assert_eq!(valid_prefix(""), Err(CaseNumberError::Prefix));
    }

    proptest! {
        #[test]
        fn every_number_reads_back(prefix in "[A-Z]{1,8}", year in 2000i16..=9999, seq in 1u64..10_000_000_000) {
            let n = CaseNumber::new(&prefix, year, seq).expect("valid");
            prop_assert_eq!(CaseNumber::parse(n.as_str()), Ok(n));
        }

        #[test]
        fn never_panics(s in ".{0,30}") {
            let _ = CaseNumber::parse(&s);
        }
    }
}
