//! The people an account applies for — the holder and family members — with their identity
//! documents on file. Numbers and any recorded disability are sealed at rest; the lists show them
//! masked. Only the account that keeps them may read or change them.

use jiff::civil::Date;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject};
use qiaoyi_domain::cases::{Relation, is_minor, is_senior};
use qiaoyi_domain::country::is_iso_alpha2;
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::identity::{DocumentKind, DocumentNumber, months_until};
use qiaoyi_store::{DocumentRow, PersonRow};

use crate::accounts::random_hex;
use crate::calendar::beijing_today;
use crate::{App, AppError, Caller};

/// What a person fills in about someone they apply for.
#[derive(Clone, Debug, Default)]
pub struct PersonInput {
    pub relation: String,
    pub name: String,
    pub name_latin: String,
    pub birth_date: String,
    pub country: String,
    pub city: String,
    pub phone: String,
    /// A disability, e.g. for home delivery; kept only when `disability_consent` is given.
    pub disability: String,
    pub disability_consent: bool,
}

/// A document someone adds: the kind, the number as typed, and the expiry date as typed.
#[derive(Clone, Debug, Default)]
pub struct DocumentInput {
    pub kind: String,
    pub number: String,
    pub expires_on: String,
}

/// A document on file, as its owner sees it.
#[derive(Clone, Debug)]
pub struct Document {
    pub id: String,
    pub kind: DocumentKind,
    pub masked: String,
    pub expires_on: Option<Date>,
    /// Whole months left; negative once expired.
    pub months_left: Option<i32>,
}

/// A person on file.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub relation: Relation,
    pub name: String,
    pub name_latin: String,
    pub birth_date: Date,
    pub country: String,
    pub city: String,
    pub phone: String,
    pub disability: Option<String>,
    pub minor: bool,
    pub senior: bool,
    pub documents: Vec<Document>,
}

const DISABILITY: &str = "disability";
const MAX_TEXT: usize = 100;

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message: message.into(),
    }
}

fn text_checked(field: &'static str, text: &str, required: bool) -> Result<String, AppError> {
    let text = qiaoyi_domain::text::without_invisible(text);
    let text = text.trim();
    if required && text.is_empty() {
        return Err(invalid(field, "fill this in"));
    }
    if text.chars().count() > MAX_TEXT || text.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("at most {MAX_TEXT} characters, without line breaks"),
        ));
    }
    Ok(text.to_owned())
}

/// Checks everything about a person that does not need the database.
fn checked(input: &PersonInput, today: Date) -> Result<PersonRow, AppError> {
    let relation = Relation::parse(input.relation.trim())
        .ok_or_else(|| invalid("relation", "say who this person is to you"))?;
    let birth_date: Date = input
        .birth_date
        .trim()
        .parse()
        .map_err(|_| invalid("birth_date", "enter a real date as YYYY-MM-DD"))?;
    if birth_date > today || birth_date.year() < 1900 {
        return Err(invalid(
            "birth_date",
            "the birth date cannot be in the future or before 1900",
        ));
    }
    let country = input.country.trim().to_ascii_uppercase();
    if !is_iso_alpha2(&country) {
        return Err(invalid(
            "country",
            "choose the country where the person lives",
        ));
    }
    let phone = input.phone.trim();
    if phone.len() > 30
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c))
    {
        return Err(invalid(
            "phone",
            "a telephone number has digits, spaces, + - ( ) and at most 30 characters",
        ));
    }
    if !input.disability.trim().is_empty() && !input.disability_consent {
        return Err(invalid(
            "disability_consent",
            "a disability is recorded only with the person's consent; tick the box or leave it empty",
        ));
    }
    Ok(PersonRow {
        id: String::new(),
        owner_id: String::new(),
        relation,
        name: text_checked("name", &input.name, true)?,
        name_latin: text_checked("name_latin", &input.name_latin, false)?,
        birth_date,
        country,
        city: text_checked("city", &input.city, false)?,
        phone: phone.to_owned(),
        disability_sealed: None,
        disability_consent_at: None,
        created_at: 0,
        updated_at: 0,
    })
}

impl App {
    fn open_person(
        &self,
        row: PersonRow,
        documents: Vec<DocumentRow>,
        today: Date,
    ) -> Result<Person, AppError> {
        let disability = row
            .disability_sealed
            .as_ref()
            .map(|s| self.vault.open(&format!("{DISABILITY}:{}", row.id), s))
            .transpose()?;
        let mut docs = Vec::with_capacity(documents.len());
        for d in documents {
            let number = self
                .vault
                .open(&format!("{}:{}", d.kind.as_str(), d.id), &d.number_sealed)?;
            // A stored number that no longer parses is shown as such rather than trusted; its birth
            // date was checked against the day it was saved.
            let masked = DocumentNumber::parse(d.kind, &number, jiff::civil::Date::MAX)
                .map(|n| n.masked().to_owned())
                .unwrap_or_else(|_| "?".into());
            docs.push(Document {
                id: d.id,
                kind: d.kind,
                masked,
                months_left: d.expires_on.map(|e| months_until(today, e)),
                expires_on: d.expires_on,
            });
        }
        Ok(Person {
            relation: row.relation,
            minor: is_minor(row.birth_date, today),
            senior: is_senior(row.birth_date, today),
            birth_date: row.birth_date,
            id: row.id,
            name: row.name,
            name_latin: row.name_latin,
            country: row.country,
            city: row.city,
            phone: row.phone,
            disability,
            documents: docs,
        })
    }

    /// One person the signed-in account keeps; anyone else's is "not found".
    pub async fn my_person(&self, caller: &Caller, id: &str) -> Result<Person, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let row = self
            .store
            .person(id)
            .await?
            .filter(|p| p.owner_id == me)
            .ok_or_else(|| AppError::NotFound("this person".into()))?;
        let documents = self.store.documents_of(&row.id).await?;
        self.open_person(row, documents, beijing_today(caller.now))
    }

    /// Everyone the signed-in account applies for.
    pub async fn my_persons(&self, caller: &Caller) -> Result<Vec<Person>, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let mut persons = Vec::new();
        for row in self.store.persons_of(me).await? {
            let documents = self.store.documents_of(&row.id).await?;
            persons.push(self.open_person(row, documents, beijing_today(caller.now))?);
        }
        Ok(persons)
    }

    /// Adds a person (`id` `None`) or changes one the account keeps.
    pub async fn save_person(
        &self,
        caller: &Caller,
        id: Option<&str>,
        input: &PersonInput,
    ) -> Result<Person, AppError> {
        let me = self
            .authorize_own(caller, Action::ManageOwnAccount)
            .await?
            .to_owned();
        let mut row = checked(input, beijing_today(caller.now))?;
        let existing = match id {
            Some(id) => Some(
                self.store
                    .person(id)
                    .await?
                    .filter(|p| p.owner_id == me)
                    .ok_or_else(|| AppError::NotFound("this person".into()))?,
            ),
            None => None,
        };
        if row.relation == Relation::Myself {
            let others = self.store.persons_of(&me).await?;
            if others
                .iter()
                .any(|p| p.relation == Relation::Myself && Some(p.id.as_str()) != id)
            {
                return Err(invalid("relation", "you are on your list already"));
            }
        }
        row.id = existing
            .as_ref()
            .map_or_else(|| format!("p-{}", random_hex(12)), |p| p.id.clone());
        row.owner_id = me.clone();
        row.created_at = existing.as_ref().map_or(caller.now, |p| p.created_at);
        row.updated_at = caller.now;
        let disability = input.disability.trim();
        if !disability.is_empty() {
            row.disability_sealed = Some(
                self.vault
                    .seal(&format!("{DISABILITY}:{}", row.id), disability),
            );
            row.disability_consent_at = existing
                .as_ref()
                .and_then(|p| p.disability_consent_at)
                .or(Some(caller.now));
        }
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            if existing.is_some() {
                AuditEvent::PersonUpdated
            } else {
                AuditEvent::PersonAdded
            },
            (AuditSubject::Person, &row.id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.save_person(&row, &record).await?;
        let id = row.id.clone();
        self.my_person(caller, &id).await
    }

    /// Adds an identity document to a person the account keeps.
    pub async fn add_document(
        &self,
        caller: &Caller,
        person_id: &str,
        input: &DocumentInput,
    ) -> Result<Person, AppError> {
        let person = self.my_person(caller, person_id).await?;
        let kind = DocumentKind::parse(input.kind.trim())
            .ok_or_else(|| invalid("kind", "choose the kind of document"))?;
        let number = DocumentNumber::parse(
            kind,
            &input.number,
            crate::calendar::beijing_today(caller.now),
        )
        .map_err(|m| invalid("number", m))?;
        let expires_on = match input.expires_on.trim() {
            "" if kind.needs_expiry() => {
                return Err(invalid(
                    "expires_on",
                    "enter the expiry date printed on the document, as YYYY-MM-DD",
                ));
            }
            "" => None,
            text => Some(
                text.parse::<Date>()
                    .map_err(|_| invalid("expires_on", "enter a real date as YYYY-MM-DD"))?,
            ),
        };
        let id = format!("d-{}", random_hex(12));
        let document = DocumentRow {
            number_sealed: self
                .vault
                .seal(&format!("{}:{id}", kind.as_str()), number.expose()),
            number_index: self.vault.blind_index(kind.as_str(), number.expose()),
            id,
            person_id: person.id.clone(),
            kind,
            expires_on,
            created_at: caller.now,
        };
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::DocumentAdded,
            (AuditSubject::Person, &person.id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.add_document(&document, &record).await?;
        self.my_person(caller, &person.id).await
    }

    pub async fn remove_document(
        &self,
        caller: &Caller,
        person_id: &str,
        document_id: &str,
    ) -> Result<Person, AppError> {
        let person = self.my_person(caller, person_id).await?;
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::DocumentRemoved,
            (AuditSubject::Person, &person.id),
            "ok",
            &caller.client,
            caller.now,
        );
        if !self
            .store
            .remove_document(&person.id, document_id, &record)
            .await?
        {
            return Err(AppError::NotFound("this document".into()));
        }
        self.my_person(caller, &person.id).await
    }
}
