//! Resident identity card numbers (GB 11643-1999): a 6-digit region code, the birth date as
//! YYYYMMDD, a 3-digit sequence whose parity gives the sex, and an ISO 7064 MOD 11-2 check character.
//! The same format numbers the residence permits of Hong Kong, Macao and Taiwan residents, whose
//! region codes are 810000, 820000 and 830000.

use std::fmt;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

/// Which part of the number is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResidentIdError {
    /// Not 18 characters of digits with a final digit or X.
    Shape,
    /// The first six digits are not a region code.
    Region,
    /// Characters 7 to 14 are not a real date, or one still to come.
    BirthDate,
    /// The last character does not match the others.
    CheckCharacter,
}

impl ResidentIdError {
    /// The part that failed, as the API's problems name it.
    pub fn code(self) -> &'static str {
        match self {
            ResidentIdError::Shape => "shape",
            ResidentIdError::Region => "region",
            ResidentIdError::BirthDate => "birth_date",
            ResidentIdError::CheckCharacter => "check_character",
        }
    }

    pub fn advice(self) -> &'static str {
        match self {
            ResidentIdError::Shape => {
                "a resident ID number has 18 characters: 17 digits and a final digit or X"
            }
            ResidentIdError::Region => {
                "the first six digits are not a region code; check them against the card"
            }
            ResidentIdError::BirthDate => {
                "digits 7 to 14 must be the birth date as YYYYMMDD, not a day still to come; check \
                 them against the card"
            }
            ResidentIdError::CheckCharacter => {
                "the last character does not match the others; one of the digits is probably mistyped"
            }
        }
    }
}

/// The provinces of GB/T 2260 (11 Beijing … 65 Xinjiang), 71 Taiwan, 81 Hong Kong, 82 Macao.
const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// Whether the first six digits name a region: a county of a province, or the whole of Hong
/// Kong (810000), Macao (820000) or Taiwan (830000) on a residents' residence permit.
fn is_region(code: &[u8]) -> bool {
    let province = u32::from(code[0] - b'0') * 10 + u32::from(code[1] - b'0');
    match &code[2..6] {
        b"0000" => matches!(province, 81..=83),
        _ => PROVINCES.contains(&province),
    }
}

/// The number as typed with a Chinese input method, in ASCII: full-width digits and X read as
/// their ASCII forms, and spaces (also the full-width U+3000) between groups dropped.
fn normalised(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            'Ｘ' | 'ｘ' | 'x' => 'X',
            c => c,
        })
        .collect()
}

/// The ISO 7064 MOD 11-2 check character of the first 17 digits.
fn check_character(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

impl ResidentId {
    /// Parses a number as typed (a lower-case or full-width x, full-width digits, spaces between
    /// groups); the birth date in it may not be after `today`.
    pub fn parse(input: &str, today: jiff::civil::Date) -> Result<ResidentId, ResidentIdError> {
        let s = normalised(input);
        let b = s.as_bytes();
        if b.len() != 18
            || !b[..17].iter().all(u8::is_ascii_digit)
            || !(b[17].is_ascii_digit() || b[17] == b'X')
        {
            return Err(ResidentIdError::Shape);
        }
        if !is_region(&b[..6]) {
            return Err(ResidentIdError::Region);
        }
        let number =
            |r: std::ops::Range<usize>| s[r].parse::<i16>().map_err(|_| ResidentIdError::BirthDate);
        let (year, month, day) = (number(6..10)?, number(10..12)?, number(12..14)?);
        let month = i8::try_from(month).map_err(|_| ResidentIdError::BirthDate)?;
        let day = i8::try_from(day).map_err(|_| ResidentIdError::BirthDate)?;
        match jiff::civil::Date::new(year, month, day) {
            Ok(born) if year >= 1900 && born <= today => {}
            _ => return Err(ResidentIdError::BirthDate),
        }
        if check_character(&b[..17]) != b[17] {
            return Err(ResidentIdError::CheckCharacter);
        }
        Ok(ResidentId(s))
    }

    pub fn birth_date(&self) -> jiff::civil::Date {
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<i16>().unwrap_or(1);
        jiff::civil::Date::new(n(6..10), n(10..12) as i8, n(12..14) as i8).unwrap_or_default()
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The full number: only for encryption and for the person it belongs to.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The number with all but the region's first two and the last two characters hidden.
    pub fn masked(&self) -> String {
        format!("{}**************{}", &self.0[..2], &self.0[16..])
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const TODAY: jiff::civil::Date = jiff::civil::date(2026, 6, 1);

    fn parse(input: &str) -> Result<ResidentId, ResidentIdError> {
        ResidentId::parse(input, TODAY)
    }

    /// A valid number made from 17 digits.
    fn complete(first17: &str) -> String {
        format!(
            "{first17}{}",
            char::from(check_character(first17.as_bytes()))
        )
    }

    #[test]
    fn a_valid_number_gives_birth_date_and_sex() {
        // 331121 is Qingtian county.
        let id = parse(&complete("33112119800315123")).expect("valid");
        assert_eq!(id.birth_date(), jiff::civil::date(1980, 3, 15));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.masked().len(), 18);
        assert!(!format!("{id:?}").contains("19800315"));
    }

    #[test]
    fn the_published_example_passes_and_x_is_normalised() {
        assert!(parse("11010519491231002X").is_ok());
        assert_eq!(
            parse(" 11010519491231002x ").map(|i| i.expose().to_owned()),
            Ok("11010519491231002X".into())
        );
    }

    #[test]
    fn each_part_is_named_when_wrong() {
        assert_eq!(parse("1101051949123100"), Err(ResidentIdError::Shape));
        assert_eq!(parse("11010519491231002Y"), Err(ResidentIdError::Shape));
        assert_eq!(
            parse(&complete("99010519491231002")),
            Err(ResidentIdError::Region)
        );
        assert_eq!(
            parse(&complete("33000019491231002")),
            Err(ResidentIdError::Region)
        );
        assert_eq!(
            parse(&complete("33112119490230002")),
            Err(ResidentIdError::BirthDate)
        );
        assert_eq!(
            parse(&complete("33112118000101002")),
            Err(ResidentIdError::BirthDate)
        );
        assert_eq!(
            parse("110105194912310021"),
            Err(ResidentIdError::CheckCharacter)
        );
    }

    #[test]
    fn residence_permits_of_hong_kong_macao_and_taiwan_residents_are_read() {
        for region in ["810000", "820000", "830000"] {
            let id = parse(&complete(&format!("{region}19900101123"))).expect(region);
            assert_eq!(id.birth_date(), jiff::civil::date(1990, 1, 1));
        }
        // Only those three stand for a whole region.
        assert_eq!(
            parse(&complete("11000019900101123")),
            Err(ResidentIdError::Region)
        );
        assert_eq!(
            parse(&complete("83012119900101123")),
            Err(ResidentIdError::Region)
        );
    }

    #[test]
    fn provinces_that_do_not_exist_are_refused() {
        for province in ["10", "20", "39", "77", "80", "84", "90"] {
            assert_eq!(
                parse(&complete(&format!("{province}112119800315123"))),
                Err(ResidentIdError::Region),
                "{province}"
            );
        }
        for province in ["11", "33", "46", "54", "65", "71", "81", "82"] {
            assert!(parse(&complete(&format!("{province}112119800315123"))).is_ok());
        }
    }

    #[test]
    fn a_birth_date_still_to_come_is_refused() {
        assert!(parse(&complete("33112120260601123")).is_ok(), "born today");
        assert_eq!(
            parse(&complete("33112120260602123")),
            Err(ResidentIdError::BirthDate)
        );
    }

    #[test]
    fn what_a_chinese_input_method_types_is_read() {
        let typed = "１１０１０５　１９４９１２３１　００２ｘ";
        assert_eq!(
            parse(typed).map(|i| i.expose().to_owned()),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            parse("110105 19491231 002X").map(|i| i.expose().to_owned()),
            Ok("11010519491231002X".into())
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,30}") {
            let _ = parse(&s);
        }

        #[test]
        fn one_changed_digit_is_always_caught(seq in 0u32..1000, position in 0usize..17, delta in 1u8..10) {
            let valid = complete(&format!("331121198003{:02}{:03}", 10, seq));
            prop_assert!(parse(&valid).is_ok());
            let mut bytes = valid.into_bytes();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).expect("ascii");
            prop_assert!(parse(&changed).is_err());
        }
    }
}
