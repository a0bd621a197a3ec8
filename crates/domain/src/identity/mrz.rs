//! Machine-readable zones of travel documents (ICAO Doc 9303): TD3, two lines of 44 characters, on
//! passports (part 4), and TD1, three lines of 30, on identity cards and travel permits (part 5).
//! Every check digit is verified; the two-digit years of dates get their century from `today`,
//! which the caller passes in.

use std::fmt;

use jiff::civil::Date;

use super::resident_id::Sex;

/// The size of the zone, which fixes where each field is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MrzFormat {
    /// Three lines of 30 characters: identity cards and travel permits.
    Td1,
    /// Two lines of 44 characters: passports.
    Td3,
}

impl MrzFormat {
    pub fn line_length(self) -> usize {
        match self {
            MrzFormat::Td1 => 30,
            MrzFormat::Td3 => 44,
        }
    }
}

/// A field that carries a check digit, or a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MrzField {
    DocumentNumber,
    BirthDate,
    ExpiryDate,
    /// The personal number of a passport (TD3).
    OptionalData,
    /// The last check digit, over all the checked fields and the optional data.
    Composite,
}

impl MrzField {
    fn words(self) -> &'static str {
        match self {
            MrzField::DocumentNumber => "document number",
            MrzField::BirthDate => "birth date",
            MrzField::ExpiryDate => "expiry date",
            MrzField::OptionalData => "personal number",
            MrzField::Composite => "whole zone",
        }
    }
}

/// Which part of the zone is wrong. Lines and columns count from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    #[error("a zone is 2 lines of 44 characters or 3 lines of 30; found {found} lines")]
    LineCount { found: usize },
    #[error("line {line} has {found} characters instead of {expected}")]
    LineLength {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("line {line}, column {column}: only A to Z, 0 to 9 and < may appear")]
    Character { line: usize, column: usize },
    #[error("the document code is not that of a passport, identity card or travel permit")]
    DocumentCode,
    #[error("the issuing state is not a code ICAO gives a state or organisation")]
    IssuingState,
    #[error("the nationality is not a code ICAO gives a state or organisation")]
    Nationality,
    #[error("the document number is empty")]
    DocumentNumber,
    #[error("the name is not a surname of letters followed by << and the given names")]
    Name,
    #[error("the sex is not M, F, X or <")]
    Sex,
    #[error("the check digit of the {} does not match", .0.words())]
    CheckDigit(MrzField),
    #[error("the {} is not a real date", .0.words())]
    Date(MrzField),
}

impl MrzError {
    /// What to do about it, in plain English.
    pub fn advice(&self) -> &'static str {
        match self {
            MrzError::LineCount { .. } => {
                "copy the whole zone at the bottom of the photo page: two lines of 44 characters on a \
                 passport, three lines of 30 on an identity card or travel permit"
            }
            MrzError::LineLength { expected: 44, .. } => {
                "each line of a passport zone has 44 characters; count the < signs again, a run of \
                 them is easily shortened or lengthened"
            }
            MrzError::LineLength { .. } => {
                "each line of an identity card or travel permit zone has 30 characters; count the < \
                 signs again, a run of them is easily shortened or lengthened"
            }
            MrzError::Character { .. } => {
                "only capital letters, digits and < appear in the zone; a space or other sign is \
                 usually a misread <"
            }
            MrzError::DocumentCode => {
                "the zone must start with P (passport), I or A (identity card) or C (travel \
                 permit), its second character not V; visas, crew certificates (AC) and other \
                 documents are not accepted"
            }
            MrzError::IssuingState => {
                "characters 3 to 5 of the first line must be the issuing country's three-letter \
                 code, e.g. CHN, ITA or D<<; check them against the document"
            }
            MrzError::Nationality => {
                "the nationality must be a country's three-letter code, e.g. CHN, ITA or D<<; \
                 check it against the document"
            }
            MrzError::DocumentNumber => {
                "the document number is missing; check the start of its field against the document"
            }
            MrzError::Name => {
                "the name must be letters only: the surname, then << and the given names, then < \
                 to the end with nothing after them"
            }
            MrzError::Sex => "the sex must be M, F, X or <; check it against the document",
            MrzError::CheckDigit(MrzField::DocumentNumber) => {
                "the document number does not match its check digit; a character is probably \
                 mistyped (0 and O, 1 and I, 8 and B are easily confused)"
            }
            MrzError::CheckDigit(MrzField::BirthDate) => {
                "the birth date does not match its check digit; a digit is probably mistyped"
            }
            MrzError::CheckDigit(MrzField::ExpiryDate) => {
                "the expiry date does not match its check digit; a digit is probably mistyped"
            }
            MrzError::CheckDigit(MrzField::OptionalData) => {
                "the personal number does not match its check digit; a character is probably \
                 mistyped"
            }
            MrzError::CheckDigit(MrzField::Composite) => {
                "the last check digit does not match the zone; the optional data or that digit \
                 itself is probably mistyped"
            }
            MrzError::Date(MrzField::BirthDate) => {
                "the birth date must be a real date written YYMMDD; zones with an unknown birth \
                 date cannot be read here"
            }
            MrzError::Date(MrzField::ExpiryDate) => {
                "the expiry date must be a real date written YYMMDD; check it against the document"
            }
            MrzError::Date(_) => "a date must be a real date written YYMMDD",
        }
    }

    /// A stable code for APIs and translations.
    pub fn code(&self) -> &'static str {
        match self {
            MrzError::LineCount { .. } => "shape.line_count",
            MrzError::LineLength { .. } => "shape.line_length",
            MrzError::Character { .. } => "shape.character",
            MrzError::DocumentCode => "document_code",
            MrzError::IssuingState => "issuing_state",
            MrzError::Nationality => "nationality",
            MrzError::DocumentNumber => "document_number",
            MrzError::Name => "name",
            MrzError::Sex => "sex",
            MrzError::CheckDigit(MrzField::DocumentNumber) => "check_digit.document_number",
            MrzError::CheckDigit(MrzField::BirthDate) => "check_digit.birth_date",
            MrzError::CheckDigit(MrzField::ExpiryDate) => "check_digit.expiry_date",
            MrzError::CheckDigit(MrzField::OptionalData) => "check_digit.optional_data",
            MrzError::CheckDigit(MrzField::Composite) => "check_digit.composite",
            MrzError::Date(MrzField::DocumentNumber) => "date.document_number",
            MrzError::Date(MrzField::BirthDate) => "date.birth_date",
            MrzError::Date(MrzField::ExpiryDate) => "date.expiry_date",
            MrzError::Date(MrzField::OptionalData) => "date.optional_data",
            MrzError::Date(MrzField::Composite) => "date.composite",
        }
    }
}

/// A zone whose every check digit matched. `Debug` shows the document number masked and leaves out
/// the name, birth date, sex and optional data.
#[derive(Clone, PartialEq, Eq)]
pub struct Mrz {
    format: MrzFormat,
    lines: Vec<String>,
    document_code: String,
    issuing_state: String,
    surname: String,
    given_names: String,
    document_number: String,
    nationality: String,
    birth_date: Date,
    sex: Option<Sex>,
    expiry_date: Date,
    optional_data_1: String,
    optional_data_2: String,
}

/// The 7-3-1 check digit of ICAO 9303 part 3: digits count as themselves, A to Z as 10 to 35, < as
/// 0. Any other byte counts as 0; the parser has refused them before.
fn check_digit(field: &[u8]) -> u8 {
    let sum: u32 = field
        .iter()
        .zip([7, 3, 1].into_iter().cycle())
        .map(|(&c, w)| {
            let value = match c {
                b'0'..=b'9' => c - b'0',
                b'A'..=b'Z' => c - b'A' + 10,
                _ => 0,
            };
            u32::from(value) * w
        })
        .sum();
    b'0' + (sum % 10) as u8
}

fn check(field: &[u8], digit: u8, which: MrzField) -> Result<(), MrzError> {
    if check_digit(field) == digit {
        Ok(())
    } else {
        Err(MrzError::CheckDigit(which))
    }
}

/// The document code: its first letter one of `first`; on an identity card or travel permit
/// (`card`) its second not V (kept for visas) and not AC (a crew member certificate).
fn document_code(field: &str, first: &[u8], card: bool) -> Result<String, MrzError> {
    let b = field.as_bytes();
    let card_refused = card && (b[1] == b'V' || field == "AC");
    if first.contains(&b[0]) && (b[1].is_ascii_uppercase() || b[1] == b'<') && !card_refused {
        Ok(field.trim_end_matches('<').to_owned())
    } else {
        Err(MrzError::DocumentCode)
    }
}

/// A three-letter code, or a shorter one padded with < (D<< for Germany), of a state or
/// organisation ICAO knows.
fn state(field: &str, error: MrzError) -> Result<String, MrzError> {
    let code = field.trim_end_matches('<');
    if crate::country::is_icao_state(code) {
        Ok(code.to_owned())
    } else {
        Err(error)
    }
}

/// The surname and the given names, each with single < turned into spaces. The field is the
/// surname, then << and the given names (if any), then < fillers to its end: a letter after a run
/// of fillers, a second <<, or a part starting with < is not a name.
fn name(field: &str) -> Result<(String, String), MrzError> {
    if field.bytes().any(|b| b.is_ascii_digit()) {
        return Err(MrzError::Name);
    }
    let field = field.trim_end_matches('<');
    let (primary, secondary) = field.split_once("<<").unwrap_or((field, ""));
    if primary.starts_with('<') || secondary.starts_with('<') || secondary.contains("<<") {
        return Err(MrzError::Name);
    }
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let surname = words(primary);
    if surname.is_empty() {
        return Err(MrzError::Name);
    }
    Ok((surname, words(secondary)))
}

fn document_number(field: &str) -> Result<String, MrzError> {
    let number = field.trim_end_matches('<');
    if number.is_empty() {
        Err(MrzError::DocumentNumber)
    } else {
        Ok(number.to_owned())
    }
}

fn sex(c: u8) -> Result<Option<Sex>, MrzError> {
    match c {
        b'M' => Ok(Some(Sex::Male)),
        b'F' => Ok(Some(Sex::Female)),
        b'X' | b'<' => Ok(None),
        _ => Err(MrzError::Sex),
    }
}

fn yymmdd(field: &[u8], which: MrzField) -> Result<(i16, i8, i8), MrzError> {
    if field.len() != 6 || !field.iter().all(u8::is_ascii_digit) {
        return Err(MrzError::Date(which));
    }
    let pair = |i: usize| (field[i] - b'0') * 10 + (field[i + 1] - b'0');
    // Each pair is at most 99, so it fits an i8.
    Ok((i16::from(pair(0)), pair(2) as i8, pair(4) as i8))
}

/// The latest date with these digits that is not after `today`.
fn birth_date(field: &[u8], today: Date) -> Result<Date, MrzError> {
    let (yy, month, day) = yymmdd(field, MrzField::BirthDate)?;
    match Date::new(2000 + yy, month, day) {
        Ok(date) if date <= today => Ok(date),
        _ => Date::new(1900 + yy, month, day).map_err(|_| MrzError::Date(MrzField::BirthDate)),
    }
}

/// Documents valid now expire in this century.
fn expiry_date(field: &[u8]) -> Result<Date, MrzError> {
    let (yy, month, day) = yymmdd(field, MrzField::ExpiryDate)?;
    Date::new(2000 + yy, month, day).map_err(|_| MrzError::Date(MrzField::ExpiryDate))
}

/// All but the first and the last two characters hidden.
fn mask(s: &str) -> String {
    let n = s.chars().count();
    if n <= 4 {
        "*".repeat(n)
    } else {
        let first: String = s.chars().take(1).collect();
        let last: String = s.chars().skip(n - 2).collect();
        format!("{first}{}{last}", "*".repeat(n - 3))
    }
}

impl Mrz {
    /// Parses the lines of a zone. Surrounding whitespace and lower case are forgiven; `today` picks
    /// the century of the birth date.
    pub fn parse<S: AsRef<str>>(lines: &[S], today: Date) -> Result<Mrz, MrzError> {
        let lines: Vec<String> = lines
            .iter()
            .map(|l| l.as_ref().trim().to_ascii_uppercase())
            .collect();
        let format = match lines.len() {
            2 => MrzFormat::Td3,
            3 => MrzFormat::Td1,
            found => return Err(MrzError::LineCount { found }),
        };
        let expected = format.line_length();
        for (i, line) in lines.iter().enumerate() {
            let found = line.chars().count();
            if found != expected {
                return Err(MrzError::LineLength {
                    line: i + 1,
                    expected,
                    found,
                });
            }
        }
        for (i, line) in lines.iter().enumerate() {
            if let Some(column) = line
                .chars()
                .position(|c| !matches!(c, 'A'..='Z' | '0'..='9' | '<'))
            {
                return Err(MrzError::Character {
                    line: i + 1,
                    column: column + 1,
                });
            }
        }
        // From here every line is ASCII of the right length, so byte positions are safe.
        match format {
            MrzFormat::Td3 => Mrz::td3(lines, today),
            MrzFormat::Td1 => Mrz::td1(lines, today),
        }
    }

    /// Parses a zone given as one text, its lines separated by newlines; blank lines are skipped.
    pub fn parse_text(text: &str, today: Date) -> Result<Mrz, MrzError> {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        Mrz::parse(&lines, today)
    }

    /// ICAO 9303 part 4, section 4.2.2.
    fn td3(lines: Vec<String>, today: Date) -> Result<Mrz, MrzError> {
        let (s1, s2) = (lines[0].as_str(), lines[1].as_str());
        let l2 = s2.as_bytes();
        let document_code = document_code(&s1[0..2], b"P", false)?;
        check(&l2[0..9], l2[9], MrzField::DocumentNumber)?;
        check(&l2[13..19], l2[19], MrzField::BirthDate)?;
        check(&l2[21..27], l2[27], MrzField::ExpiryDate)?;
        // With no personal number, its check digit may be < as well as 0.
        if !(l2[42] == b'<' && l2[28..42].iter().all(|&c| c == b'<')) {
            check(&l2[28..42], l2[42], MrzField::OptionalData)?;
        }
        let composite = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
        check(&composite, l2[43], MrzField::Composite)?;

        let birth_date = birth_date(&l2[13..19], today)?;
        let expiry_date = expiry_date(&l2[21..27])?;
        let sex = sex(l2[20])?;
        let issuing_state = state(&s1[2..5], MrzError::IssuingState)?;
        let nationality = state(&s2[10..13], MrzError::Nationality)?;
        let document_number = document_number(&s2[0..9])?;
        let (surname, given_names) = name(&s1[5..44])?;
        let optional_data_1 = s2[28..42].trim_end_matches('<').to_owned();
        Ok(Mrz {
            format: MrzFormat::Td3,
            document_code,
            issuing_state,
            surname,
            given_names,
            document_number,
            nationality,
            birth_date,
            sex,
            expiry_date,
            optional_data_1,
            optional_data_2: String::new(),
            lines,
        })
    }

    /// ICAO 9303 part 5, section 4.2.2, with the long document number of note j.
    fn td1(lines: Vec<String>, today: Date) -> Result<Mrz, MrzError> {
        let (s1, s2, s3) = (lines[0].as_str(), lines[1].as_str(), lines[2].as_str());
        let (l1, l2) = (s1.as_bytes(), s2.as_bytes());
        let document_code = document_code(&s1[0..2], b"ACI", true)?;
        // A number longer than 9 characters: its first 9, then < where the check digit would be,
        // then the rest and the check digit of the whole at the start of the optional data.
        let long = l1[14] == b'<' && !l1[5..14].contains(&b'<');
        let (document_number, optional_data_1) = if long {
            let rest = &s1[15..30];
            let end = rest.find('<').unwrap_or(rest.len());
            if end < 2 {
                return Err(MrzError::CheckDigit(MrzField::DocumentNumber));
            }
            let number = format!("{}{}", &s1[5..14], &rest[..end - 1]);
            check(
                number.as_bytes(),
                rest.as_bytes()[end - 1],
                MrzField::DocumentNumber,
            )?;
            (number, rest.get(end + 1..).unwrap_or(""))
        } else {
            check(&l1[5..14], l1[14], MrzField::DocumentNumber)?;
            (document_number(&s1[5..14])?, &s1[15..30])
        };
        check(&l2[0..6], l2[6], MrzField::BirthDate)?;
        check(&l2[8..14], l2[14], MrzField::ExpiryDate)?;
        let composite = [&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]].concat();
        check(&composite, l2[29], MrzField::Composite)?;

        let birth_date = birth_date(&l2[0..6], today)?;
        let expiry_date = expiry_date(&l2[8..14])?;
        let sex = sex(l2[7])?;
        let issuing_state = state(&s1[2..5], MrzError::IssuingState)?;
        let nationality = state(&s2[15..18], MrzError::Nationality)?;
        let (surname, given_names) = name(s3)?;
        let optional_data_1 = optional_data_1.trim_end_matches('<').to_owned();
        let optional_data_2 = s2[18..29].trim_end_matches('<').to_owned();
        Ok(Mrz {
            format: MrzFormat::Td1,
            document_code,
            issuing_state,
            surname,
            given_names,
            document_number,
            nationality,
            birth_date,
            sex,
            expiry_date,
            optional_data_1,
            optional_data_2,
            lines,
        })
    }

    pub fn format(&self) -> MrzFormat {
        self.format
    }

    /// E.g. "P", "PO", "I", "ID", "CS", without trailing fillers.
    pub fn document_code(&self) -> &str {
        &self.document_code
    }

    /// The issuing state's code without fillers, e.g. "CHN" or "D".
    pub fn issuing_state(&self) -> &str {
        &self.issuing_state
    }

    pub fn surname(&self) -> &str {
        &self.surname
    }

    /// The given names separated by single spaces; empty when there are none.
    pub fn given_names(&self) -> &str {
        &self.given_names
    }

    /// The full document number, without fillers: only for encryption and for the person it
    /// belongs to.
    pub fn expose_document_number(&self) -> &str {
        &self.document_number
    }

    /// The document number with all but its first and last two characters hidden.
    pub fn masked_document_number(&self) -> String {
        mask(&self.document_number)
    }

    pub fn nationality(&self) -> &str {
        &self.nationality
    }

    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// `None` when the zone holds X or <.
    pub fn sex(&self) -> Option<Sex> {
        self.sex
    }

    pub fn expiry_date(&self) -> Date {
        self.expiry_date
    }

    /// TD3: the personal number; TD1: optional data 1 after any overflow of the document number.
    /// Trailing fillers removed.
    pub fn optional_data_1(&self) -> &str {
        &self.optional_data_1
    }

    /// TD1: optional data 2 of the second line; always empty for TD3.
    pub fn optional_data_2(&self) -> &str {
        &self.optional_data_2
    }

    /// The lines as parsed (trimmed, upper case): parsing them again gives the same value.
    pub fn expose_lines(&self) -> &[String] {
        &self.lines
    }
}

impl fmt::Debug for Mrz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mrz")
            .field("format", &self.format)
            .field("document_code", &self.document_code)
            .field("issuing_state", &self.issuing_state)
            .field(
                "document_number",
                &format_args!("{}", self.masked_document_number()),
            )
            .field("nationality", &self.nationality)
            .field("expiry_date", &self.expiry_date)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    const TODAY: Date = date(2026, 11, 25);

    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];

    const TD1: [&str; 3] = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ];

    fn cd(field: &str) -> char {
        char::from(check_digit(field.as_bytes()))
    }

    fn pad(s: &str, n: usize) -> String {
        format!("{s:<<n$}")
    }

    /// The fields of a zone, from which valid lines are built.
    #[derive(Clone, Debug)]
    struct Fields {
        code: String,
        state: String,
        surname: Vec<String>,
        given: Vec<String>,
        number: String,
        nationality: String,
        birth: Date,
        sex: char,
        expiry: Date,
        optional_1: String,
        optional_2: String,
    }

    fn yymmdd(d: Date) -> String {
        format!("{:02}{:02}{:02}", d.year() % 100, d.month(), d.day())
    }

    fn name_field(f: &Fields, n: usize) -> String {
        pad(
            &format!("{}<<{}", f.surname.join("<"), f.given.join("<")),
            n,
        )
    }

    fn td3_lines(f: &Fields) -> Vec<String> {
        let line1 = format!(
            "{}{}{}",
            pad(&f.code, 2),
            pad(&f.state, 3),
            name_field(f, 39)
        );
        let number = pad(&f.number, 9);
        let optional = pad(&f.optional_1, 14);
        let optional_cd = if f.optional_1.is_empty() {
            '<'
        } else {
            cd(&optional)
        };
        let (birth, expiry) = (yymmdd(f.birth), yymmdd(f.expiry));
        let mut line2 = format!(
            "{number}{}{}{birth}{}{}{expiry}{}{optional}{optional_cd}",
            cd(&number),
            pad(&f.nationality, 3),
            cd(&birth),
            f.sex,
            cd(&expiry),
        );
        let composite = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
        line2.push(cd(&composite));
        vec![line1, line2]
    }

    fn td1_lines(f: &Fields) -> Vec<String> {
        let head = if f.number.len() <= 9 {
            let number = pad(&f.number, 9);
            format!("{number}{}{}", cd(&number), pad(&f.optional_1, 15))
        } else {
            let rest = format!("{}{}<{}", &f.number[9..], cd(&f.number), f.optional_1);
            format!("{}<{}", &f.number[..9], pad(&rest, 15))
        };
        let line1 = format!("{}{}{head}", pad(&f.code, 2), pad(&f.state, 3));
        let (birth, expiry) = (yymmdd(f.birth), yymmdd(f.expiry));
        let mut line2 = format!(
            "{birth}{}{}{expiry}{}{}{}",
            cd(&birth),
            f.sex,
            cd(&expiry),
            pad(&f.nationality, 3),
            pad(&f.optional_2, 11)
        );
        let composite = format!(
            "{}{}{}{}",
            &line1[5..30],
            &line2[0..7],
            &line2[8..15],
            &line2[18..29]
        );
        line2.push(cd(&composite));
        vec![line1, line2, name_field(f, 30)]
    }

    fn assert_fields(mrz: &Mrz, f: &Fields) {
        assert_eq!(mrz.document_code(), f.code.trim_end_matches('<'));
        assert_eq!(mrz.issuing_state(), f.state);
        assert_eq!(mrz.surname(), f.surname.join(" "));
        assert_eq!(mrz.given_names(), f.given.join(" "));
        assert_eq!(mrz.expose_document_number(), f.number);
        assert_eq!(mrz.nationality(), f.nationality);
        assert_eq!(mrz.birth_date(), f.birth);
        assert_eq!(mrz.expiry_date(), f.expiry);
        let sex = match f.sex {
            'M' => Some(Sex::Male),
            'F' => Some(Sex::Female),
            _ => None,
        };
        assert_eq!(mrz.sex(), sex);
        assert_eq!(mrz.optional_data_1(), f.optional_1);
        assert_eq!(mrz.optional_data_2(), f.optional_2);
    }

    fn specimen(format: MrzFormat) -> Fields {
        Fields {
            code: if format == MrzFormat::Td3 { "P" } else { "I" }.into(),
            state: "UTO".into(),
            surname: vec!["ERIKSSON".into()],
            given: vec!["ANNA".into(), "MARIA".into()],
            number: if format == MrzFormat::Td3 {
                "L898902C3"
            } else {
                "D23145890"
            }
            .into(),
            nationality: "UTO".into(),
            birth: date(1974, 8, 12),
            sex: 'F',
            expiry: date(2012, 4, 15),
            optional_1: if format == MrzFormat::Td3 {
                "ZE184226B"
            } else {
                ""
            }
            .into(),
            optional_2: String::new(),
        }
    }

    /// The lines with the character at `line` (from 0) and `column` (from 0) replaced.
    fn altered(lines: &[&str], line: usize, column: usize, c: char) -> Vec<String> {
        let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        out[line].replace_range(column..=column, &c.to_string());
        out
    }

    #[test]
    fn the_icao_specimens_parse() {
        let td3 = Mrz::parse(&TD3, TODAY).expect("TD3 specimen");
        assert_eq!(td3.format(), MrzFormat::Td3);
        assert_fields(&td3, &specimen(MrzFormat::Td3));
        let td1 = Mrz::parse(&TD1, TODAY).expect("TD1 specimen");
        assert_eq!(td1.format(), MrzFormat::Td1);
        assert_fields(&td1, &specimen(MrzFormat::Td1));
        // The builder used by the property tests reproduces the specimens exactly.
        assert_eq!(td3_lines(&specimen(MrzFormat::Td3)), TD3);
        assert_eq!(td1_lines(&specimen(MrzFormat::Td1)), TD1);
    }

    #[test]
    fn case_spaces_and_text_are_forgiven() {
        let lower: Vec<String> = TD3
            .iter()
            .map(|l| format!("  {}\t", l.to_lowercase()))
            .collect();
        let expected = Mrz::parse(&TD3, TODAY).expect("specimen");
        assert_eq!(Mrz::parse(&lower, TODAY), Ok(expected.clone()));
        assert_eq!(
            Mrz::parse_text(&format!("\n{}\r\n{}\r\n\n", TD3[0], TD3[1]), TODAY),
            Ok(expected.clone())
        );
        assert_eq!(
            Mrz::parse(expected.expose_lines(), TODAY),
            Ok(expected.clone())
        );
        assert_eq!(
            Mrz::parse_text(&TD1.join("\n"), TODAY).map(|m| m.format()),
            Ok(MrzFormat::Td1)
        );
    }

    #[test]
    fn one_altered_character_names_its_field() {
        use MrzField::*;
        let cases: [(&[&str], usize, usize, char, MrzField); 10] = [
            (&TD3, 1, 7, 'D', DocumentNumber),
            (&TD3, 1, 18, '3', BirthDate),
            (&TD3, 1, 26, '6', ExpiryDate),
            (&TD3, 1, 35, '7', OptionalData),
            (&TD3, 1, 43, '1', Composite),
            (&TD1, 0, 12, '8', DocumentNumber),
            (&TD1, 1, 5, '3', BirthDate),
            (&TD1, 1, 13, '6', ExpiryDate),
            (&TD1, 1, 29, '7', Composite),
            (&TD1, 0, 20, '3', Composite),
            // (Not < to A there: values 10 apart weigh 0 mod 10, which 7-3-1 cannot see.)
        ];
        for (lines, line, column, c, field) in cases {
            let lines = altered(lines, line, column, c);
            assert_eq!(
                Mrz::parse(&lines, TODAY),
                Err(MrzError::CheckDigit(field)),
                "{lines:?}"
            );
        }
        // Optional data of TD1 has no check digit of its own: the composite one catches it.
        let lines = altered(&TD1, 1, 20, 'Z');
        assert_eq!(
            Mrz::parse(&lines, TODAY),
            Err(MrzError::CheckDigit(Composite))
        );
    }

    #[test]
    fn an_empty_personal_number_may_have_a_filler_or_zero_check_digit() {
        let mut f = specimen(MrzFormat::Td3);
        f.optional_1 = String::new();
        let lines = td3_lines(&f);
        assert_eq!(&lines[1][28..43], "<<<<<<<<<<<<<<<");
        assert!(Mrz::parse(&lines, TODAY).is_ok());
        // With 0 the composite digit is unchanged, since < counts as 0.
        let zero: Vec<String> = vec![lines[0].clone(), {
            let mut l = lines[1].clone();
            l.replace_range(42..43, "0");
            l
        }];
        assert!(Mrz::parse(&zero, TODAY).is_ok());
        // A personal number with a < check digit is refused.
        let filler: Vec<&str> = vec![TD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<<0"];
        assert_eq!(
            Mrz::parse(&filler, TODAY),
            Err(MrzError::CheckDigit(MrzField::OptionalData))
        );
    }

    #[test]
    fn a_long_td1_document_number_continues_in_the_optional_data() {
        let mut f = specimen(MrzFormat::Td1);
        f.number = "D23145890734".into();
        f.optional_1 = "AB12".into();
        let lines = td1_lines(&f);
        assert_eq!(
            lines[0],
            format!("I<UTOD23145890<734{}<AB12<<<<<<", cd("D23145890734"))
        );
        let mrz = Mrz::parse(&lines, TODAY).expect("long number");
        assert_fields(&mrz, &f);
        // The ICAO example of a long number.
        let example = [
            "I<UTOD23145890<7349<<<<<<<<<<<",
            "3407127M9507122UTO<<<<<<<<<<<2",
            "STEVENSON<<PETER<JOHN<<<<<<<<<",
        ];
        let mrz = Mrz::parse(&example, TODAY).expect("ICAO long-number example");
        assert_eq!(mrz.expose_document_number(), "D23145890734");
        assert_eq!(mrz.birth_date(), date(1934, 7, 12));
        // A wrong check digit of the whole number, and a missing one.
        let wrong = altered(&example, 0, 18, '8');
        assert_eq!(
            Mrz::parse(&wrong, TODAY),
            Err(MrzError::CheckDigit(MrzField::DocumentNumber))
        );
        let mut missing = f.clone();
        missing.number = "D23145890".into();
        missing.optional_1 = String::new();
        let mut lines = td1_lines(&missing);
        lines[0].replace_range(14..15, "<");
        assert_eq!(
            Mrz::parse(&lines, TODAY),
            Err(MrzError::CheckDigit(MrzField::DocumentNumber))
        );
    }

    #[test]
    fn impossible_dates_are_named() {
        let mut lines = td3_lines(&specimen(MrzFormat::Td3));
        let fix = |lines: &mut Vec<String>, at: usize, digits: &str| {
            lines[1].replace_range(at..at + 6, digits);
            let cd_at = cd(&lines[1][at..at + 6]);
            lines[1].replace_range(at + 6..at + 7, &cd_at.to_string());
            let composite = format!(
                "{}{}{}",
                &lines[1][0..10],
                &lines[1][13..20],
                &lines[1][21..43]
            );
            let c = cd(&composite);
            lines[1].replace_range(43..44, &c.to_string());
        };
        fix(&mut lines, 13, "740231");
        assert_eq!(
            Mrz::parse(&lines, TODAY),
            Err(MrzError::Date(MrzField::BirthDate))
        );
        fix(&mut lines, 13, "740812");
        fix(&mut lines, 21, "310231");
        assert_eq!(
            Mrz::parse(&lines, TODAY),
            Err(MrzError::Date(MrzField::ExpiryDate))
        );
        fix(&mut lines, 21, "311301");
        assert_eq!(
            Mrz::parse(&lines, TODAY),
            Err(MrzError::Date(MrzField::ExpiryDate))
        );
        fix(&mut lines, 21, "3112<<");
        assert_eq!(
            Mrz::parse(&lines, TODAY),
            Err(MrzError::Date(MrzField::ExpiryDate))
        );
        fix(&mut lines, 21, "311231");
        assert!(Mrz::parse(&lines, TODAY).is_ok());
    }

    #[test]
    fn the_birth_century_is_the_latest_not_after_today() {
        let mut f = specimen(MrzFormat::Td3);
        for (birth, expected) in [
            (date(2025, 1, 1), date(2025, 1, 1)),
            (date(2026, 11, 25), date(2026, 11, 25)),
            (date(2026, 11, 26), date(1926, 11, 26)),
            (date(1930, 12, 31), date(1930, 12, 31)),
            (date(2000, 2, 29), date(2000, 2, 29)),
        ] {
            f.birth = birth;
            let mrz = Mrz::parse(&td3_lines(&f), TODAY).expect("valid");
            assert_eq!(mrz.birth_date(), expected);
        }
        f.expiry = date(2099, 12, 31);
        let mrz = Mrz::parse(&td3_lines(&f), TODAY).expect("valid");
        assert_eq!(mrz.expiry_date(), date(2099, 12, 31));
    }

    #[test]
    fn wrong_shapes_are_named() {
        assert_eq!(
            Mrz::parse::<&str>(&[], TODAY),
            Err(MrzError::LineCount { found: 0 })
        );
        assert_eq!(
            Mrz::parse(&TD3[..1], TODAY),
            Err(MrzError::LineCount { found: 1 })
        );
        let four = [TD1[0], TD1[1], TD1[2], TD1[2]];
        assert_eq!(
            Mrz::parse(&four, TODAY),
            Err(MrzError::LineCount { found: 4 })
        );
        assert_eq!(
            Mrz::parse(&[TD3[0], &TD3[1][..43]], TODAY),
            Err(MrzError::LineLength {
                line: 2,
                expected: 44,
                found: 43
            })
        );
        assert_eq!(
            Mrz::parse(&[TD1[0], TD1[1], &format!("{}<", TD1[2])], TODAY),
            Err(MrzError::LineLength {
                line: 3,
                expected: 30,
                found: 31
            })
        );
        // A TD1 zone with a line missing is read as a TD3 one of the wrong length.
        assert_eq!(
            Mrz::parse(&TD1[..2], TODAY),
            Err(MrzError::LineLength {
                line: 1,
                expected: 44,
                found: 30
            })
        );
        assert_eq!(
            Mrz::parse(&altered(&TD3, 1, 9, ' '), TODAY),
            Err(MrzError::Character {
                line: 2,
                column: 10
            })
        );
        let accented = [TD1[0], TD1[1], "ÉRIKSSON<<ANNA<MARIA<<<<<<<<<<"];
        assert_eq!(
            Mrz::parse(&accented, TODAY),
            Err(MrzError::Character { line: 3, column: 1 })
        );
        assert_eq!(
            Mrz::parse(&altered(&TD3, 0, 0, 'V'), TODAY),
            Err(MrzError::DocumentCode)
        );
        assert_eq!(
            Mrz::parse(&altered(&TD1, 0, 0, 'P'), TODAY),
            Err(MrzError::DocumentCode)
        );
    }

    #[test]
    fn other_fields_are_named() {
        let f = specimen(MrzFormat::Td3);
        let mut bad = f.clone();
        bad.sex = 'Q';
        assert_eq!(Mrz::parse(&td3_lines(&bad), TODAY), Err(MrzError::Sex));
        let mut bad = f.clone();
        bad.state = "U1O".into();
        assert_eq!(
            Mrz::parse(&td3_lines(&bad), TODAY),
            Err(MrzError::IssuingState)
        );
        let mut bad = f.clone();
        bad.nationality = "<<<".into();
        assert_eq!(
            Mrz::parse(&td3_lines(&bad), TODAY),
            Err(MrzError::Nationality)
        );
        let mut bad = f.clone();
        bad.number = String::new();
        assert_eq!(
            Mrz::parse(&td3_lines(&bad), TODAY),
            Err(MrzError::DocumentNumber)
        );
        let mut bad = f.clone();
        bad.surname = vec![];
        assert_eq!(Mrz::parse(&td3_lines(&bad), TODAY), Err(MrzError::Name));
        let mut bad = f.clone();
        bad.surname = vec!["ER1KSSON".into()];
        assert_eq!(Mrz::parse(&td3_lines(&bad), TODAY), Err(MrzError::Name));
        let mut ok = f.clone();
        ok.state = "D".into();
        ok.sex = 'X';
        ok.surname = vec!["VAN".into(), "DER".into(), "BERG".into()];
        ok.given = vec![];
        let mrz = Mrz::parse(&td3_lines(&ok), TODAY).expect("valid");
        assert_fields(&mrz, &ok);
    }

    #[test]
    fn codes_no_state_issues_are_refused_by_their_part() {
        let f = specimen(MrzFormat::Td3);
        for (state, nationality, error) in [
            ("CHN", "AHN", MrzError::Nationality),
            ("HUN", "PUN", MrzError::Nationality),
            ("AHN", "CHN", MrzError::IssuingState),
            ("ZZZ", "CHN", MrzError::IssuingState),
        ] {
            let mut bad = f.clone();
            bad.state = state.into();
            bad.nationality = nationality.into();
            assert_eq!(
                Mrz::parse(&td3_lines(&bad), TODAY),
                Err(error),
                "{state} {nationality}"
            );
        }
        let mut ok = f.clone();
        ok.state = "CHN".into();
        ok.nationality = "XXA".into();
        assert!(Mrz::parse(&td3_lines(&ok), TODAY).is_ok());
    }

    #[test]
    fn a_letter_after_the_fillers_of_the_name_is_refused() {
        let f = specimen(MrzFormat::Td3);
        let name = |field: &str| {
            let mut lines = td3_lines(&f);
            lines[0].replace_range(5..44, &pad(field, 39));
            Mrz::parse(&lines, TODAY)
        };
        assert!(name("ERIKSSON<<ANNA<MARIA").is_ok());
        assert_eq!(name("ERIKSSON<<ANNA<MARIA<<<<<<X"), Err(MrzError::Name));
        assert_eq!(name("ERIKSSON<<ANNA<<MARIA"), Err(MrzError::Name));
        assert_eq!(name("ERIKSSON<<<ANNA"), Err(MrzError::Name));
        assert_eq!(name("<ERIKSSON<<ANNA"), Err(MrzError::Name));
    }

    #[test]
    fn a_card_code_with_v_second_or_a_crew_certificate_is_refused() {
        for code in ["IV", "AV", "CV", "AC"] {
            let mut f = specimen(MrzFormat::Td1);
            f.code = code.into();
            assert_eq!(
                Mrz::parse(&td1_lines(&f), TODAY),
                Err(MrzError::DocumentCode),
                "{code}"
            );
        }
        for code in ["I", "ID", "A", "C", "CR"] {
            let mut f = specimen(MrzFormat::Td1);
            f.code = code.into();
            assert!(Mrz::parse(&td1_lines(&f), TODAY).is_ok(), "{code}");
        }
    }

    #[test]
    fn debug_hides_the_number_and_the_person() {
        let mrz = Mrz::parse(&TD3, TODAY).expect("specimen");
        assert_eq!(mrz.masked_document_number(), "L******C3");
        let shown = format!("{mrz:?}");
        for secret in ["L898902C3", "ERIKSSON", "ANNA", "ZE184226B", "1974"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("L******C3"), "{shown}");
        assert_eq!(mask("AB"), "**");
    }

    #[test]
    fn every_error_has_its_own_code_and_advice() {
        use MrzField::*;
        let fields = [
            DocumentNumber,
            BirthDate,
            ExpiryDate,
            OptionalData,
            Composite,
        ];
        let mut errors = vec![
            MrzError::LineCount { found: 1 },
            MrzError::LineLength {
                line: 1,
                expected: 44,
                found: 1,
            },
            MrzError::Character { line: 1, column: 1 },
            MrzError::DocumentCode,
            MrzError::IssuingState,
            MrzError::Nationality,
            MrzError::DocumentNumber,
            MrzError::Name,
            MrzError::Sex,
        ];
        errors.extend(fields.map(MrzError::CheckDigit));
        errors.extend(fields.map(MrzError::Date));
        let codes: std::collections::HashSet<_> = errors.iter().map(MrzError::code).collect();
        assert_eq!(codes.len(), errors.len());
        for e in &errors {
            assert!(!e.advice().is_empty() && !e.to_string().is_empty());
        }
        assert_eq!(
            MrzError::CheckDigit(BirthDate).code(),
            "check_digit.birth_date"
        );
        assert_eq!(
            MrzError::CheckDigit(BirthDate).to_string(),
            "the check digit of the birth date does not match"
        );
        assert_ne!(
            MrzError::LineLength {
                line: 1,
                expected: 30,
                found: 1
            }
            .advice(),
            errors[1].advice()
        );
    }

    fn word() -> impl Strategy<Value = String> {
        "[A-Z]{1,6}"
    }

    fn day(years: std::ops::RangeInclusive<i16>) -> impl Strategy<Value = Date> {
        (years, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d))
    }

    /// Valid fields; `long` allows TD1 document numbers of up to 20 characters.
    fn fields(td1: bool) -> impl Strategy<Value = Fields> {
        // A card's second letter is never V (visas), and AC is a crew certificate.
        let code = if td1 {
            "[CI][A-UW-Z<]|A[ABD-UW-Z<]"
        } else {
            "P[A-Z<]"
        };
        let state = || {
            prop::sample::select(vec!["CHN", "ITA", "HUN", "D", "UTO", "GBD", "XXA", "UNO"])
                .prop_map(str::to_owned)
        };
        let number = if td1 {
            "[A-Z0-9]{1,20}"
        } else {
            "[A-Z0-9]{1,9}"
        };
        (
            (
                code,
                state(),
                prop::collection::vec(word(), 1..=2),
                prop::collection::vec(word(), 0..=2),
                number,
                state(),
            ),
            (
                day(1927..=2026),
                "[MFX<]",
                day(2000..=2099),
                "[A-Z0-9]{0,2}",
                "[A-Z0-9]{0,11}",
            ),
        )
            .prop_filter("born by today", |(_, (birth, ..))| *birth <= TODAY)
            .prop_map(
                move |(
                    (code, state, surname, given, number, nationality),
                    (birth, sex, expiry, optional_1, optional_2),
                )| {
                    Fields {
                        code,
                        state,
                        surname,
                        given,
                        number,
                        nationality,
                        birth,
                        sex: sex.chars().next().unwrap_or('<'),
                        expiry,
                        // TD3 has 14 places for the personal number; TD1 15 minus any overflow.
                        optional_1: if td1 {
                            optional_1
                        } else {
                            format!("{optional_1}{optional_2}")
                        },
                        optional_2: if td1 { optional_2 } else { String::new() },
                    }
                },
            )
    }

    /// Positions (line, column) of digits covered by a check digit.
    fn covered_digits(lines: &[String], td1: bool) -> Vec<(usize, usize)> {
        let ranges: &[(usize, std::ops::Range<usize>)] = if td1 {
            &[(0, 5..30), (1, 0..7), (1, 8..15), (1, 18..30)]
        } else {
            &[(1, 0..10), (1, 13..20), (1, 21..44)]
        };
        ranges
            .iter()
            .flat_map(|(line, r)| r.clone().map(move |c| (*line, c)))
            .filter(|&(line, c)| lines[line].as_bytes()[c].is_ascii_digit())
            .collect()
    }

    proptest! {
        #[test]
        fn never_panics(lines in prop::collection::vec(".{0,50}", 0..5), y in -9999i16..=9999) {
            let today = date(y, 6, 30);
            let _ = Mrz::parse(&lines, today);
            let _ = Mrz::parse_text(&lines.join("\n"), today);
        }

        #[test]
        fn never_panics_on_zone_shaped_input(
            td3 in prop::collection::vec("[A-Z0-9<]{44}", 2),
            td1 in prop::collection::vec("[A-Z0-9<]{30}", 3),
        ) {
            let _ = Mrz::parse(&td3, TODAY);
            let _ = Mrz::parse(&td1, TODAY);
        }

        #[test]
        fn a_valid_td3_parses_back(f in fields(false)) {
            let lines = td3_lines(&f);
            let mrz = Mrz::parse(&lines, TODAY).map_err(|e| TestCaseError::fail(format!("{e} {lines:?}")))?;
            assert_fields(&mrz, &f);
            prop_assert_eq!(Mrz::parse(mrz.expose_lines(), TODAY), Ok(mrz.clone()));
        }

        #[test]
        fn a_valid_td1_parses_back(f in fields(true)) {
            let lines = td1_lines(&f);
            let mrz = Mrz::parse(&lines, TODAY).map_err(|e| TestCaseError::fail(format!("{e} {lines:?}")))?;
            assert_fields(&mrz, &f);
            prop_assert_eq!(Mrz::parse(mrz.expose_lines(), TODAY), Ok(mrz.clone()));
        }

        #[test]
        fn one_changed_digit_is_always_caught(
            td1 in any::<bool>(),
            f3 in fields(false),
            f1 in fields(true),
            at in any::<prop::sample::Index>(),
            delta in 1u8..10,
        ) {
            let mut lines = if td1 { td1_lines(&f1) } else { td3_lines(&f3) };
            let positions = covered_digits(&lines, td1);
            let (line, column) = positions[at.index(positions.len())];
            let mut bytes = std::mem::take(&mut lines[line]).into_bytes();
            bytes[column] = b'0' + (bytes[column] - b'0' + delta) % 10;
            lines[line] = String::from_utf8(bytes).expect("ascii");
            let result = Mrz::parse(&lines, TODAY);
            prop_assert!(matches!(result, Err(MrzError::CheckDigit(_))), "{:?} {:?}", result, lines);
        }
    }
}
