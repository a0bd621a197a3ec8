//! Numbers of Chinese exit-entry permits: the electronic permit for travelling to and from Hong Kong
//! and Macao (往来港澳通行证), `C` and a letter or digit then 7 digits; the permit for travelling to and
//! from Taiwan (往来台湾通行证), `L` and 8 digits; and the Exit-Entry Permit of the PRC
//! (中华人民共和国出入境通行证), `T` and 8 digits.

use std::fmt;

/// Which permit a number belongs to, told by its first letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PermitKind {
    /// 往来港澳通行证: C12345678 or CA1234567.
    HongKongMacao,
    /// 往来台湾通行证: L12345678.
    Taiwan,
    /// 中华人民共和国出入境通行证: T12345678.
    ExitEntry,
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PermitNumber(String);

impl PermitNumber {
    pub fn parse(input: &str) -> Result<PermitNumber, &'static str> {
        let s: String = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let digits = |from: usize| b.len() == 9 && b[from..].iter().all(u8::is_ascii_digit);
        let (ok, advice) = match b.first() {
            Some(b'C') => (
                digits(2) && b[1].is_ascii_alphanumeric(),
                "a Hong Kong and Macao permit number is C followed by 8 characters, a letter or digit \
                 then 7 digits, e.g. C12345678 or CA1234567",
            ),
            Some(b'L') => (
                digits(1),
                "a Taiwan permit number is L followed by 8 digits, e.g. L12345678",
            ),
            Some(b'T') => (
                digits(1),
                "an exit-entry permit number is T followed by 8 digits, e.g. T12345678",
            ),
            _ => (
                false,
                "a permit number is C, L or T followed by 8 characters, e.g. C12345678, L12345678 \
                 or T12345678",
            ),
        };
        if ok { Ok(PermitNumber(s)) } else { Err(advice) }
    }

    pub fn kind(&self) -> PermitKind {
        match self.0.as_bytes().first() {
            Some(b'C') => PermitKind::HongKongMacao,
            Some(b'L') => PermitKind::Taiwan,
            _ => PermitKind::ExitEntry,
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        format!("{}******{}", &self.0[..1], &self.0[7..])
    }
}

impl fmt::Debug for PermitNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PermitNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        for (good, kind) in [
            ("C12345678", PermitKind::HongKongMacao),
            ("CA1234567", PermitKind::HongKongMacao),
            ("ca1234567", PermitKind::HongKongMacao),
            (" L12345678 ", PermitKind::Taiwan),
            ("T12345678", PermitKind::ExitEntry),
        ] {
            assert_eq!(
                PermitNumber::parse(good).map(|p| p.kind()),
                Ok(kind),
                "{good}"
            );
        }
        for bad in [
            "",
            "C1234567",
            "C123456789",
            "CAB123456",
            "C1234567A",
            "C-1234567",
            "LA1234567",
            "L1234567",
            "TA1234567",
            "T123456789",
            "W12345678",
            "E12345678",
            "通行证1234",
            "C1234567８",
        ] {
            assert!(PermitNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            PermitNumber::parse(" ca1234567").map(|p| p.expose().to_owned()),
            Ok("CA1234567".into())
        );
    }

    #[test]
    fn advice_names_the_permit() {
        assert!(PermitNumber::parse("C1234").is_err_and(|a| a.contains("Hong Kong")));
        assert!(PermitNumber::parse("L1234").is_err_and(|a| a.contains("Taiwan")));
        assert!(PermitNumber::parse("T1234").is_err_and(|a| a.contains("exit-entry")));
        assert!(PermitNumber::parse("X1234").is_err_and(|a| a.contains("C, L or T")));
    }

    #[test]
    fn masked_and_debug_hide_the_middle() {
        let p = PermitNumber::parse("CA1234567").expect("valid");
        assert_eq!(p.masked(), "C******67");
        assert_eq!(format!("{p:?}"), "PermitNumber(C******67)");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,20}") {
            if let Ok(p) = PermitNumber::parse(&s) {
                proptest::prop_assert_eq!(PermitNumber::parse(p.expose()), Ok(p.clone()));
                let _ = (p.kind(), p.masked());
            }
        }

        #[test]
        fn valid_numbers_parse(n in "[CLT][0-9]{8}|C[A-Z][0-9]{7}") {
            proptest::prop_assert!(PermitNumber::parse(&n).is_ok());
        }
    }
}
