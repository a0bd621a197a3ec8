//! A case's status without signing in, for a relative or an elder without her password: whoever
//! knows the case's number and its person's birth date asks for a code, which goes to the case's
//! applicant by e-mail or text message (the answer is the same whether or not anything matched),
//! and with the code sees where the case stands, what comes next and by when; nothing else.
//! Each ask and each look is audited and shows on the applicant's "who read my file"; a case gets
//! at most [`CODES_PER_HOUR`] codes an hour, and its codes stop working after [`CODE_ATTEMPTS`]
//! wrong ones.

use jiff::civil::Date;
use qiaoyi_domain::access::audit::{AuditRecord, sha256_hex};
use qiaoyi_domain::access::{AuditEvent, AuditSubject};
use qiaoyi_domain::cases::{CaseNumber, CaseState, NextStep, status::deadline_matters};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{CaseRow, NewMessage, NewStatusCode};
use serde_json::{Map, Value};

use crate::accounts::{SendBy, new_sms_code, random_hex};
use crate::{App, AppError, Caller};

/// How long a code works.
pub const STATUS_CODE_VALID_MS: i64 = 15 * 60 * 1000;
/// Codes sent for one case within an hour; more asks are answered the same and send nothing.
const CODES_PER_HOUR: i64 = 3;
/// Wrong codes typed for one case before its codes stop working, from whatever client.
const CODE_ATTEMPTS: i64 = 5;

/// What a case's status shows to someone who checked it with a code: nothing about the person,
/// the service's materials or the people working on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseStatus {
    pub number: String,
    pub state: CaseState,
    pub next: NextStep,
    /// The day the bureau is due to decide, while that still lies ahead of the case.
    pub deadline: Option<Date>,
    /// The deadline counts days of a year without its official calendar.
    pub deadline_provisional: bool,
}

impl CaseStatus {
    fn of(row: &CaseRow) -> CaseStatus {
        let deadline = row.deadline.filter(|_| deadline_matters(row.state));
        CaseStatus {
            number: row.number.clone(),
            state: row.state,
            next: NextStep::of(row.state, row.workflow, row.delivery),
            deadline,
            deadline_provisional: deadline.is_some() && row.deadline_provisional,
        }
    }
}

fn number_checked(text: &str) -> Result<CaseNumber, AppError> {
    CaseNumber::parse(text).map_err(|e| AppError::malformed("number", e.to_string()))
}

fn birth_date_checked(text: &str) -> Result<Date, AppError> {
    text.trim().parse().map_err(|_| {
        AppError::malformed(
            "birth_date",
            "enter the birth date as YYYY-MM-DD, e.g. 1958-03-15",
        )
    })
}

/// A code's hash, bound to its case so equal codes of two cases differ.
fn code_hash(case_id: &str, code: &str) -> String {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    sha256_hex(format!("case-status:{case_id}:{digits}").as_bytes())
}

/// The one answer to a number, birth date or code that does not match: which one is not said.
fn mismatch() -> AppError {
    AppError::refused(
        "code",
        Reason::Mismatch,
        "the case number, the birth date or the code is not right, or the code no longer works: check them, or ask for a new code",
    )
}

impl App {
    /// Sends a code to see the status of case `number` to its applicant (by `by`), if the
    /// person it is for was born on `birth_date` and the applicant has an account in use. The
    /// answer is the same either way; only a malformed number or date is refused.
    pub async fn request_status_code(
        &self,
        caller: &Caller,
        number: &str,
        birth_date: &str,
        by: SendBy,
    ) -> Result<(), AppError> {
        let number = number_checked(number);
        let birth_date = birth_date_checked(birth_date);
        let (number, birth_date) = (number?, birth_date?);
        let audit = |case: Option<&CaseRow>, outcome: &str| {
            self.status_audit(caller, AuditEvent::CaseStatusCodeSent, case, outcome)
        };
        let Some(case) = self.store.case_by_number(number.as_str()).await? else {
            self.store.audit(&audit(None, "failed")).await?;
            return Ok(());
        };
        if case.person_birth_date != birth_date {
            // Shown to the applicant as a refused attempt: someone is guessing.
            self.store.audit(&audit(Some(&case), "denied")).await?;
            return Ok(());
        }
        let applicant = match &case.applicant_id {
            Some(id) => self
                .store
                .user_by_id(id)
                .await?
                .filter(|u| u.disabled_at.is_none() && u.confirmed_at.is_some()),
            None => None,
        };
        let Some(applicant) = applicant else {
            self.store.audit(&audit(Some(&case), "failed")).await?;
            return Ok(());
        };
        let sent = self
            .store
            .status_codes_since(&case.id, caller.now - 60 * 60 * 1000)
            .await?;
        if sent >= CODES_PER_HOUR {
            self.store.audit(&audit(Some(&case), "denied")).await?;
            return Ok(());
        }
        let code = new_sms_code();
        let mut params = Map::new();
        params.insert("number".into(), Value::from(case.number.clone()));
        params.insert("code".into(), Value::from(code.clone()));
        params.insert("minutes".into(), Value::from(STATUS_CODE_VALID_MS / 60_000));
        let message = match by {
            SendBy::Email => self
                .messages_to(&applicant, Notice::CaseStatusCode, &params)
                .await?
                .into_iter()
                .find(|m| m.channel == "email"),
            SendBy::Sms => self
                .store
                .notification_settings(&applicant.id)
                .await?
                .sms_number
                .filter(|n| !n.is_empty())
                .map(|number| NewMessage {
                    id: format!("m-{}", random_hex(12)),
                    channel: "sms".into(),
                    recipient: number,
                    language: applicant.language.tag().to_owned(),
                    template: Notice::CaseStatusCode.template().into(),
                    params: Value::Object(params).to_string(),
                    user_id: Some(applicant.id.clone()),
                    dedupe_key: None,
                }),
        };
        let Some(message) = message else {
            self.store.audit(&audit(Some(&case), "failed")).await?;
            return Ok(());
        };
        self.store
            .insert_status_code(
                &NewStatusCode {
                    code_hash: &code_hash(&case.id, &code),
                    case_id: &case.id,
                    channel: by.channel(),
                    created_at: caller.now,
                    expires_at: caller.now + STATUS_CODE_VALID_MS,
                },
                &message,
                &audit(Some(&case), "ok"),
            )
            .await?;
        Ok(())
    }

    /// The status of case `number` with a code sent to its applicant: once, within its time. A
    /// wrong number, birth date or code gets one answer; a wrong birth date or code counts against
    /// the case's codes.
    pub async fn case_status_with_code(
        &self,
        caller: &Caller,
        number: &str,
        birth_date: &str,
        code: &str,
    ) -> Result<CaseStatus, AppError> {
        let number = number_checked(number);
        let birth_date = birth_date_checked(birth_date);
        let (number, birth_date) = (number?, birth_date?);
        if !code.chars().any(|c| c.is_ascii_digit()) {
            return Err(AppError::malformed(
                "code",
                "type the eight digits of the code sent to the applicant",
            ));
        }
        let Some(case) = self.store.case_by_number(number.as_str()).await? else {
            let record = self.status_audit(caller, AuditEvent::CaseStatusRead, None, "failed");
            self.store.audit(&record).await?;
            return Err(mismatch());
        };
        if case.person_birth_date == birth_date {
            let read = self.status_audit(caller, AuditEvent::CaseStatusRead, Some(&case), "ok");
            let hash = code_hash(&case.id, code);
            if self
                .store
                .use_status_code(&case.id, &hash, caller.now, &read)
                .await?
            {
                return Ok(CaseStatus::of(&case));
            }
        }
        // A wrong birth date counts as a wrong code: both are someone guessing.
        let refused = self.status_audit(caller, AuditEvent::CaseStatusRead, Some(&case), "denied");
        self.store
            .status_code_failed(&case.id, caller.now, CODE_ATTEMPTS, &refused)
            .await?;
        Err(mismatch())
    }

    /// An entry about a status ask or look, on the applicant's "who read my file" when it names
    /// a case of hers.
    fn status_audit(
        &self,
        caller: &Caller,
        event: AuditEvent,
        case: Option<&CaseRow>,
        outcome: &str,
    ) -> AuditRecord {
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            event,
            (
                AuditSubject::Case,
                case.map(|c| c.id.as_str()).unwrap_or_default(),
            ),
            outcome,
            &caller.client,
            caller.now,
        );
        record.person = case
            .and_then(|c| c.applicant_id.clone())
            .unwrap_or_default();
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_typed_and_belong_to_one_case() {
        assert_eq!(code_hash("c-1", "1234 5678"), code_hash("c-1", "12345678"));
        assert_ne!(code_hash("c-1", "12345678"), code_hash("c-2", "12345678"));
        assert!(birth_date_checked("1958-03-15").is_ok());
        assert!(birth_date_checked("15/03/1958").is_err());
        assert!(number_checked("not a number").is_err());
    }
}
