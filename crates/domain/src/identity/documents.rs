//! The identity documents a person keeps on file: the kind, the number (checked by the kind's own
//! parser) and, for passports and permits, the expiry date that reminders count down to.

use jiff::civil::Date;

use super::{PassportNumber, PermitNumber, ResidentId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    ResidentId,
    Passport,
    Permit,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::ResidentId,
        DocumentKind::Passport,
        DocumentKind::Permit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::ResidentId => "resident_id",
            DocumentKind::Passport => "passport",
            DocumentKind::Permit => "permit",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Resident ID cards issued to adults are valid for long periods and carry no number we remind
    /// about; passports and permits must say when they expire.
    pub fn needs_expiry(self) -> bool {
        self != DocumentKind::ResidentId
    }
}

/// A document number, checked and normalised by its kind's parser.
#[derive(Clone, PartialEq, Eq)]
pub struct DocumentNumber {
    kind: DocumentKind,
    number: String,
    masked: String,
}

impl DocumentNumber {
    /// Checks `text` as a number of `kind`; a resident ID's birth date may not be after `today`.
    pub fn parse(
        kind: DocumentKind,
        text: &str,
        today: jiff::civil::Date,
    ) -> Result<DocumentNumber, &'static str> {
        let (number, masked) = match kind {
            DocumentKind::ResidentId => {
                let id = ResidentId::parse(text, today).map_err(|e| e.advice())?;
                (id.expose().to_owned(), id.masked())
            }
            DocumentKind::Passport => {
                let p = PassportNumber::parse(text)?;
                (p.expose().to_owned(), p.masked())
            }
            DocumentKind::Permit => {
                let p = PermitNumber::parse(text)?;
                (p.expose().to_owned(), p.masked())
            }
        };
        Ok(DocumentNumber {
            kind,
            number,
            masked,
        })
    }

    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The full number: only for sealing and for the person it belongs to.
    pub fn expose(&self) -> &str {
        &self.number
    }

    pub fn masked(&self) -> &str {
        &self.masked
    }
}

impl std::fmt::Debug for DocumentNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DocumentNumber({}, {})", self.kind.as_str(), self.masked)
    }
}

/// Whole months from `today` until `expiry` (negative once expired), for "expires in 5 months".
pub fn months_until(today: Date, expiry: Date) -> i32 {
    let months = (i32::from(expiry.year()) - i32::from(today.year())) * 12
        + i32::from(expiry.month())
        - i32::from(today.month());
    if expiry.day() < today.day() {
        months - 1
    } else {
        months
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn each_kind_uses_its_own_parser_and_masks() {
        let p = DocumentNumber::parse(DocumentKind::Passport, " ea1234567 ", date(2026, 6, 1))
            .expect("valid");
        assert_eq!(p.expose(), "EA1234567");
        assert!(!format!("{p:?}").contains("1234567"));
        assert!(
            DocumentNumber::parse(DocumentKind::Passport, "C12345678", date(2026, 6, 1)).is_err()
        );
        assert!(DocumentNumber::parse(DocumentKind::Permit, "C12345678", date(2026, 6, 1)).is_ok());
        assert!(
            DocumentNumber::parse(
                DocumentKind::ResidentId,
                "11010519491231002x",
                date(2026, 6, 1)
            )
            .is_ok()
        );
        assert!(
            DocumentNumber::parse(
                DocumentKind::ResidentId,
                "110105194912310021",
                date(2026, 6, 1)
            )
            .is_err()
        );
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn months_until_expiry() {
        let today = date(2026, 11, 25);
        assert_eq!(months_until(today, date(2027, 5, 25)), 6);
        assert_eq!(months_until(today, date(2027, 5, 24)), 5);
        assert_eq!(months_until(today, date(2026, 11, 24)), -1);
        assert_eq!(months_until(today, date(2026, 12, 25)), 1);
    }
}
