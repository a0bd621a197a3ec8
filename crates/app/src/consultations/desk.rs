//! The consultants' desk: the inbox by urgency, canned answers in the four languages, handing a
//! conversation to a colleague (the one it goes to is told), and linking the case it led to.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource};
use qiaoyi_domain::consultations::{CannedAnswer, ConsultationRecord};
use qiaoyi_domain::consultations::{check_message, check_subject};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{InboxScope, NewMessage, Page};
use serde_json::Map;

use super::{Consultation, Side, SystemNote, invalid, page_of, system_note, text};
use crate::accounts::random_hex;
use crate::{App, AppError, Caller, check_limit};

/// A canned answer as a consultant writes it.
#[derive(Clone, Debug, Default)]
pub struct AnswerRequest {
    pub id: Option<String>,
    pub title: String,
    pub zh: String,
    pub en: String,
    pub it: String,
    pub es: String,
}

impl App {
    /// A consultant's inbox: her open consultations and those nobody holds (or every open one),
    /// by urgency.
    pub async fn consultation_inbox(
        &self,
        caller: &Caller,
        all: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Consultation>, AppError> {
        check_limit(limit)?;
        self.authorize(caller, Action::AnswerConsultation, &Resource::System)
            .await?;
        let me = caller
            .session()
            .map(|s| s.actor.user_id.as_str())
            .unwrap_or("");
        let scope = if all {
            InboxScope::AllOpen
        } else {
            InboxScope::Mine(me)
        };
        let page = self.store.consultation_inbox(scope, offset, limit).await?;
        Ok(page_of(page, Side::Consultant))
    }

    /// Hands an open consultation to another consultant (or takes one nobody holds).
    pub async fn transfer_consultation(
        &self,
        caller: &Caller,
        id: &str,
        to: &str,
    ) -> Result<(), AppError> {
        let row = self.consultation_row(id).await?;
        let side = self.consultation_side(caller, None, &row).await?;
        if side != Side::Consultant {
            return Err(AppError::Forbidden(
                "only consultants hand a consultation on",
            ));
        }
        let from = row.consultant_id.clone();
        self.hand_over(caller, &row, from.as_deref(), to).await
    }

    pub(super) async fn hand_over(
        &self,
        caller: &Caller,
        row: &ConsultationRecord,
        from: Option<&str>,
        to: &str,
    ) -> Result<(), AppError> {
        let target = self
            .store
            .consultants()
            .await?
            .into_iter()
            .find(|c| c.id == to)
            .ok_or_else(|| invalid("to", "choose a consultant whose account is enabled"))?;
        if from == Some(to) {
            return Err(invalid("to", "this consultant already holds it"));
        }
        let note = serde_json::to_string(&SystemNote::Transferred {
            to: target.name.clone(),
        })
        .unwrap_or_default();
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::ConsultationTransferred,
            (AuditSubject::Consultation, &row.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("to {to}");
        // Someone taking a consultation herself needs no message about it.
        let taking = caller.session().is_some_and(|s| s.actor.user_id == to);
        let messages = if taking {
            Vec::new()
        } else {
            self.assigned_messages(row, to).await?
        };
        let seq = self
            .store
            .transfer_consultation(
                &row.id,
                from,
                to,
                &system_note(caller, &note),
                &record,
                &messages,
            )
            .await?;
        self.chat.announce(&row.id, seq);
        Ok(())
    }

    /// The message telling consultant `to` that a consultation is hers to answer.
    pub(crate) async fn assigned_messages(
        &self,
        row: &ConsultationRecord,
        to: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let Some(user) = self.store.user_by_id(to).await? else {
            return Ok(Vec::new());
        };
        let lang = user.language;
        // Rows read back name the asker in `person_name`; a new row names the guest only.
        let person = if row.person_name.is_empty() {
            row.guest_name.clone()
        } else {
            row.person_name.clone()
        };
        let mut params = Map::new();
        params.insert("subject".into(), row.subject.clone().into());
        params.insert("person".into(), person.into());
        params.insert(
            "link".into(),
            self.consultation_link(&row.id, None, lang).into(),
        );
        self.messages_to(&user, Notice::ConsultationAssigned, &params)
            .await
    }

    /// Names the case a consultation led to (代办: the consultant filed it for the person under
    /// a mandate, or the person filed it herself). The case must be the asker's.
    pub async fn link_consultation_case(
        &self,
        caller: &Caller,
        id: &str,
        number: &str,
    ) -> Result<(), AppError> {
        let row = self.consultation_row(id).await?;
        let side = self.consultation_side(caller, None, &row).await?;
        if side != Side::Consultant {
            return Err(AppError::Forbidden("only consultants link a case"));
        }
        let case = self
            .store
            .case_by_number(number.trim())
            .await?
            .ok_or_else(|| {
                invalid(
                    "number",
                    "no case has this number; copy it from the case page, e.g. QT-2026-000123",
                )
            })?;
        if row.person_id.is_none() || case.applicant_id != row.person_id {
            return Err(AppError::refused(
                "number",
                Reason::OtherPerson,
                "this case is not for the person who asked; file it for her first (under her mandate)",
            ));
        }
        let note = serde_json::to_string(&SystemNote::CaseLinked {
            number: case.number.clone(),
        })
        .unwrap_or_default();
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::ConsultationCaseLinked,
            (AuditSubject::Consultation, id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("case {}", case.id);
        let seq = self
            .store
            .link_consultation_case(id, &case.id, &system_note(caller, &note), &record)
            .await?;
        self.chat.announce(id, seq);
        Ok(())
    }

    /// The canned answers (consultants).
    pub async fn canned_answers(&self, caller: &Caller) -> Result<Vec<CannedAnswer>, AppError> {
        self.authorize(caller, Action::AnswerConsultation, &Resource::System)
            .await?;
        Ok(self.store.canned_answers().await?)
    }

    /// Adds or replaces a canned answer: a title and the text in all four languages.
    pub async fn save_canned_answer(
        &self,
        caller: &Caller,
        request: &AnswerRequest,
    ) -> Result<CannedAnswer, AppError> {
        self.authorize(caller, Action::AnswerConsultation, &Resource::System)
            .await?;
        let id = match request
            .id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(id) => {
                self.store
                    .canned_answer(id)
                    .await?
                    .ok_or_else(|| AppError::NotFound("this canned answer".into()))?
                    .id
            }
            None => format!("a-{}", random_hex(8)),
        };
        let title = text("title", check_subject(&request.title))?;
        let row = CannedAnswer {
            id,
            title,
            body_zh: text("zh", check_message(&request.zh))?,
            body_en: text("en", check_message(&request.en))?,
            body_it: text("it", check_message(&request.it))?,
            body_es: text("es", check_message(&request.es))?,
            updated_by: caller
                .session()
                .map(|s| s.actor.user_id.clone())
                .unwrap_or_default(),
            updated_at: caller.now,
        };
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::CannedAnswerSaved,
            (AuditSubject::CannedAnswer, &row.id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.save_canned_answer(&row, &record).await?;
        Ok(row)
    }
}

/// A canned answer's text in `lang`.
pub fn canned_text(a: &CannedAnswer, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &a.body_zh,
        Lang::En => &a.body_en,
        Lang::It => &a.body_it,
        Lang::Es => &a.body_es,
    }
}
