//! Chinese ordinary passport numbers: `E` and 8 digits, or `E`, a letter (not I or O) and 7 digits
//! (electronic passports since 2012); `G` and 8 digits on older passports still in use.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PassportNumber(String);

impl PassportNumber {
    pub fn parse(input: &str) -> Result<PassportNumber, &'static str> {
        let s: String = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = b.len() == 9
            && match b[0] {
                b'E' => {
                    b[2..].iter().all(u8::is_ascii_digit)
                        && (b[1].is_ascii_digit()
                            || (b[1].is_ascii_uppercase() && b[1] != b'I' && b[1] != b'O'))
                }
                b'G' => b[1..].iter().all(u8::is_ascii_digit),
                _ => false,
            };
        if ok {
            Ok(PassportNumber(s))
        } else {
            Err("a passport number is E or G followed by 8 characters, e.g. E12345678 or EA1234567")
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        format!("{}******{}", &self.0[..1], &self.0[7..])
    }
}

impl fmt::Debug for PassportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PassportNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        for good in ["E12345678", "EA1234567", "ej1234567", " G12345678 "] {
            assert!(PassportNumber::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "E1234567",
            "EI1234567",
            "EO1234567",
            "X12345678",
            "E123456789",
            "E1234567A",
            "护照12345",
        ] {
            assert!(PassportNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            PassportNumber::parse("E12345678").map(|p| p.masked()),
            Ok("E******78".into())
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,20}") {
            let _ = PassportNumber::parse(&s);
        }
    }
}
