//! A person's file: their identity numbers (sealed at rest), reading another person's file for a
//! stated purpose, finding a person, and "who read my file".

use qiaoyi_domain::access::{Action, AuditAction, AuditEvent, AuditSubject, Email, Resource};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::identity::{PassportNumber, ResidentId};
use qiaoyi_store::{IdentityRow, Page};

use crate::{App, AppError, Caller};

/// A person's identity numbers in clear, for the person themselves or staff with a purpose.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub resident_id: Option<ResidentId>,
    pub passport: Option<PassportNumber>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("resident_id", &self.resident_id)
            .field("passport", &self.passport)
            .finish()
    }
}

/// Another person's file as staff see it.
#[derive(Clone, Debug)]
pub struct PersonFile {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub identity: Identity,
}

/// One access to a person's records, as the "who read my file" page shows it: the role and station,
/// never the staff member's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The latest read of the line.
    pub at_ms: i64,
    /// The first read of the line; the same as `at_ms` for a single read.
    pub first_at_ms: i64,
    /// How many reads the line stands for: one reader reading one thing for one purpose, each
    /// within [`ACCESS_LINE_WINDOW_MS`] of the one before.
    pub count: u64,
    pub role: String,
    pub station: String,
    pub action: String,
    pub purpose: String,
    /// Tried and refused: nothing was read.
    pub refused: bool,
    /// Who read it by name, for her children's records in the care programme; empty otherwise
    /// (staff are shown by role and station).
    pub reader_name: String,
}

/// How close together repeated reads of one thing by one reader must be to show as one line.
pub const ACCESS_LINE_WINDOW_MS: i64 = 5 * 60 * 1000;

const RESIDENT_ID: &str = "resident_id";
const PASSPORT: &str = "passport";
const MAX_PURPOSE: usize = 200;

fn purpose_checked(purpose: &str) -> Result<String, AppError> {
    let purpose = purpose.trim();
    let chars = purpose.chars().count();
    if !(4..=MAX_PURPOSE).contains(&chars) {
        return Err(AppError::Invalid {
            field: "purpose",
            reason: Reason::Malformed,
            message: format!("say why you need this file, in 4 to {MAX_PURPOSE} characters"),
        });
    }
    Ok(purpose.to_owned())
}

impl App {
    fn seal_identity(&self, user_id: &str, identity: &Identity) -> IdentityRow {
        let seal = |kind: &str, value: &str| {
            (
                Some(self.vault.seal(&format!("{kind}:{user_id}"), value)),
                Some(self.vault.blind_index(kind, value)),
            )
        };
        let (resident_id_sealed, resident_id_index) = identity
            .resident_id
            .as_ref()
            .map_or((None, None), |r| seal(RESIDENT_ID, r.expose()));
        let (passport_sealed, passport_index) = identity
            .passport
            .as_ref()
            .map_or((None, None), |p| seal(PASSPORT, p.expose()));
        IdentityRow {
            resident_id_sealed,
            resident_id_index,
            passport_sealed,
            passport_index,
        }
    }

    async fn open_identity(&self, user_id: &str) -> Result<Identity, AppError> {
        let Some(row) = self.store.identity(user_id).await? else {
            return Ok(Identity::default());
        };
        let open = |kind: &str, sealed: &Option<String>| -> Result<Option<String>, AppError> {
            sealed
                .as_ref()
                .map(|s| self.vault.open(&format!("{kind}:{user_id}"), s))
                .transpose()
        };
        // A stored value that no longer parses is dropped from the view rather than shown unchecked.
        Ok(Identity {
            resident_id: open(RESIDENT_ID, &row.resident_id_sealed)?
                // Its birth date was checked against the day it was saved.
                .and_then(|v| ResidentId::parse(&v, jiff::civil::Date::MAX).ok()),
            passport: open(PASSPORT, &row.passport_sealed)?
                .and_then(|v| PassportNumber::parse(&v).ok()),
        })
    }

    /// Saves the signed-in person's own identity numbers; empty text clears a number.
    pub async fn save_my_identity(
        &self,
        caller: &Caller,
        resident_id: &str,
        passport: &str,
    ) -> Result<(), AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let resident_id = match resident_id.trim() {
            "" => None,
            text => Some(
                ResidentId::parse(text, crate::calendar::beijing_today(caller.now)).map_err(
                    |e| AppError::Invalid {
                        field: "resident_id",
                        reason: Reason::Malformed,
                        message: e.advice().into(),
                    },
                )?,
            ),
        };
        let passport = match passport.trim() {
            "" => None,
            text => Some(PassportNumber::parse(text).map_err(|m| AppError::Invalid {
                field: "passport",
                reason: Reason::Malformed,
                message: m.into(),
            })?),
        };
        let row = self.seal_identity(
            me,
            &Identity {
                resident_id,
                passport,
            },
        );
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::IdentityUpdated,
            (AuditSubject::Person, me),
            "ok",
            &caller.client,
            caller.now,
        );
        Ok(self
            .store
            .save_identity(me, &row, caller.now, &record)
            .await?)
    }

    /// The signed-in person's own numbers.
    pub async fn my_identity(&self, caller: &Caller) -> Result<Identity, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        self.open_identity(me).await
    }

    /// Finds a person by e-mail address, resident ID or passport number. Station accounts may not.
    pub async fn find_person(
        &self,
        caller: &Caller,
        query: &str,
        purpose: &str,
    ) -> Result<Option<String>, AppError> {
        self.authorize(caller, Action::ListPeople, &Resource::System)
            .await?;
        let purpose = purpose_checked(purpose)?;
        let query = query.trim();
        let found = if let Ok(email) = Email::parse(query) {
            self.store
                .user_by_email(email.as_str())
                .await?
                .map(|u| u.id)
        } else if let Ok(id) = ResidentId::parse(query, crate::calendar::beijing_today(caller.now))
        {
            self.store
                .person_by_index(&self.vault.blind_index(RESIDENT_ID, id.expose()))
                .await?
        } else if let Ok(passport) = PassportNumber::parse(query) {
            self.store
                .person_by_index(&self.vault.blind_index(PASSPORT, passport.expose()))
                .await?
        } else {
            return Err(AppError::Invalid {
                field: "query",
                reason: Reason::Malformed,
                message: "enter an e-mail address, a resident ID number or a passport number"
                    .into(),
            });
        };
        // The query itself may be an identity number: the log says a search happened, not for what.
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::FindPerson,
            (AuditSubject::Person, found.as_deref().unwrap_or("")),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = purpose;
        self.store.audit(&record).await?;
        Ok(found)
    }

    /// Another person's file, read for a stated purpose; the read is recorded where that person sees it.
    pub async fn person_file(
        &self,
        caller: &Caller,
        person: &str,
        purpose: &str,
    ) -> Result<PersonFile, AppError> {
        self.authorize(
            caller,
            Action::ReadPersonFile,
            &Resource::Person { id: person },
        )
        .await?;
        let purpose = purpose_checked(purpose)?;
        let user = self
            .store
            .user_by_id(person)
            .await?
            .ok_or_else(|| AppError::NotFound("person".into()))?;
        let identity = self.open_identity(person).await?;
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            Action::ReadPersonFile,
            (AuditSubject::Person, person),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = purpose;
        self.store.audit(&record).await?;
        Ok(PersonFile {
            id: user.id,
            display_name: user.display_name,
            email: user.email,
            identity,
        })
    }

    /// Every access by someone else to the signed-in person's records, newest first, repeated
    /// reads of one thing by one reader counted on one line, refused attempts marked.
    pub async fn who_read_my_file(
        &self,
        caller: &Caller,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Access>, AppError> {
        let me = self.authorize_own(caller, Action::ReadOwnAccessLog).await?;
        crate::check_limit(limit)?;
        let page = self
            .store
            .access_log(me, ACCESS_LINE_WINDOW_MS, offset, limit)
            .await?;
        Ok(Page {
            total: page.total,
            offset: page.offset,
            items: page
                .items
                .into_iter()
                .map(|line| Access {
                    at_ms: line.last_at,
                    first_at_ms: line.first_at,
                    count: u64::try_from(line.count).unwrap_or(1),
                    role: line.role,
                    station: line.station,
                    action: line.action,
                    purpose: line.purpose,
                    refused: line.outcome == "denied",
                    reader_name: line.reader,
                })
                .collect(),
        })
    }

    /// Records a read of data about `person` (when it is about someone with an account) by the
    /// caller, for `purpose`: it shows on that person's "who read my file". Her own reads are
    /// not recorded.
    pub(crate) async fn audit_read(
        &self,
        caller: &Caller,
        action: impl Into<AuditAction>,
        subject: (AuditSubject, &str),
        person: Option<&str>,
        purpose: String,
    ) -> Result<(), AppError> {
        let actor = caller.session().map(|s| &s.actor);
        if person.is_some_and(|p| actor.is_some_and(|a| a.user_id == p)) {
            return Ok(());
        }
        let mut record =
            self.audit_record(actor, action, subject, "ok", &caller.client, caller.now);
        record.purpose = purpose;
        record.person = person.unwrap_or_default().to_owned();
        self.store.audit(&record).await?;
        Ok(())
    }
}
