//! Opening a consultation: an account asks under her session, a guest gives a name and an
//! e-mail address and is sent a link holding her key (sealed, so that later messages can carry
//! it); the consultation is routed to the least-loaded consultant on shift, who is told, or waits
//! with its first-response deadline set from the next shift.

use qiaoyi_domain::access::email::Email;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource};
use qiaoyi_domain::catalog::OpeningHours;
use qiaoyi_domain::consultations::{
    Candidate, RESOLUTION_MS, WeekMinute, check_message, check_subject, first_response_due,
    minutes_until_cover, on_shift, route,
};
use qiaoyi_domain::consultations::{ConsultationRecord, ConsultationState};
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{NewChatMessage, NewMessage, WechatTaken};
use serde_json::Map;

use super::rota::parse_shift_text;
use super::{Consultation, MAX_NAME, OpenRequest, Side, guest_message, invalid, key_context, text};
use crate::accounts::random_hex;
use crate::{App, AppError, Caller};

/// A consultation opened: what to show next.
#[derive(Clone, Debug)]
pub struct Opened {
    pub consultation: Consultation,
    /// A guest's key, to put in her link; `None` for an account.
    pub guest_key: Option<String>,
    /// When nobody is on shift: minutes until someone is (`None` if no shifts are set at all).
    pub waiting: Option<Option<u32>>,
}

impl App {
    /// The link that opens a consultation: with the key for a guest.
    pub fn consultation_link(&self, id: &str, key: Option<&str>, lang: Lang) -> String {
        match key {
            Some(key) => format!(
                "{}/consultations/{id}?key={key}&lang={}",
                self.public_url(),
                lang.tag()
            ),
            None => format!(
                "{}/consultations/{id}?lang={}",
                self.public_url(),
                lang.tag()
            ),
        }
    }

    /// Opens a consultation with its first message. Without a session the asker is a guest and
    /// must give a name and an e-mail address (callers limit how often an address may do this).
    pub async fn open_consultation(
        &self,
        caller: &Caller,
        request: &OpenRequest,
        lang: Lang,
    ) -> Result<Opened, AppError> {
        let id = format!("q-{}", random_hex(10));
        // Every field is checked before any is refused, in the form's order (a guest's name and
        // address come first), so one answer names every mistake.
        let mut problems = Vec::new();
        let guest = if caller.session().is_none() {
            let name = AppError::keep(&mut problems, guest_name(&request.guest_name))?;
            let email = AppError::keep(
                &mut problems,
                Email::parse(&request.guest_email).map_err(|e| {
                    invalid(
                        "guest_email",
                        format!("{e}; we send the link to your conversation there"),
                    )
                }),
            )?;
            name.zip(email)
        } else {
            None
        };
        let subject = AppError::keep(
            &mut problems,
            text("subject", check_subject(&request.subject)),
        )?;
        let body = AppError::keep(&mut problems, text("body", check_message(&request.body)))?;
        AppError::fields(problems)?;
        let (Some(subject), Some(body)) = (subject, body) else {
            return Err(AppError::Internal("a checked field has no value".into()));
        };
        let (person_id, guest) = match caller.session() {
            Some(current) => {
                self.authorize(
                    caller,
                    Action::Consult,
                    &Resource::Consultation {
                        id: &id,
                        person: &current.actor.user_id,
                    },
                )
                .await?;
                (Some(current.actor.user_id.clone()), None)
            }
            None => match guest {
                Some(guest) => (None, Some(guest)),
                None => return Err(AppError::Internal("a checked guest has no name".into())),
            },
        };
        let (consultant, until) = self.route_new_consultation(caller.now).await?;
        let key = guest.as_ref().map(|_| random_hex(16));
        let mut row = new_record(&id, lang, &subject, consultant.clone(), caller.now, until);
        row.person_id = person_id.clone();
        row.guest_email = guest.as_ref().map(|(_, e)| e.as_str().to_owned());
        row.guest_name = guest.as_ref().map(|(n, _)| n.clone()).unwrap_or_default();
        row.guest_key_sealed = key.as_ref().map(|k| self.vault.seal(&key_context(&id), k));
        let messages = match (&guest, &key) {
            (Some((_, email)), Some(key)) => {
                let mut params = Map::new();
                params.insert("subject".into(), subject.clone().into());
                params.insert(
                    "link".into(),
                    self.consultation_link(&id, Some(key), lang).into(),
                );
                vec![guest_message(
                    email.as_str(),
                    lang,
                    Notice::ConsultationOpened,
                    &params,
                )]
            }
            _ => Vec::new(),
        };
        row.person_name = match caller.session() {
            Some(current) => current.display_name.clone(),
            None => row.guest_name.clone(),
        };
        let first = NewChatMessage {
            author_id: person_id.as_deref(),
            side: "person",
            body: &body,
            at: caller.now,
            file: None,
        };
        self.start_consultation(caller, &row, &first, messages, "", None)
            .await?;
        let stored = self.consultation_row(&id).await?;
        Ok(Opened {
            consultation: Consultation::new(stored, Side::Person),
            guest_key: key,
            waiting: consultant.is_none().then_some(until),
        })
    }

    /// Writes a consultation opened with its first message, with the notices it brings
    /// (`messages`, and the consultant's when it was routed to one) and its audit entry, and
    /// tells those watching the inbox. `via` begins the entry's purpose (where it came from);
    /// `wechat`, the callback that brought it, is noted in the same transaction.
    pub(crate) async fn start_consultation(
        &self,
        caller: &Caller,
        row: &ConsultationRecord,
        first: &NewChatMessage<'_>,
        mut messages: Vec<NewMessage>,
        via: &str,
        wechat: Option<&WechatTaken<'_>>,
    ) -> Result<(), AppError> {
        if let Some(to) = &row.consultant_id {
            messages.extend(self.assigned_messages(row, to).await?);
        }
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::ConsultationOpened,
            (AuditSubject::Consultation, &row.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = match &row.consultant_id {
            Some(c) => format!("{via}routed to {c}"),
            None => format!("{via}nobody on shift"),
        };
        self.store
            .open_consultation(row, first, &record, &messages, wechat)
            .await?;
        self.chat.announce(&row.id, 1);
        Ok(())
    }

    /// The consultant a new consultation goes to (the least loaded on shift), and when nobody
    /// is on shift, the minutes until someone is.
    pub(crate) async fn route_new_consultation(
        &self,
        now: i64,
    ) -> Result<(Option<String>, Option<u32>), AppError> {
        let consultants = self.store.consultants().await?;
        let at = WeekMinute::of_instant(now);
        let schedules: Vec<Vec<OpeningHours>> = consultants.iter().map(parse_shift_text).collect();
        let candidates: Vec<Candidate> = consultants
            .iter()
            .zip(&schedules)
            .map(|(c, hours)| Candidate {
                id: c.id.clone(),
                on_shift: on_shift(hours, at),
                open: u32::try_from(c.open).unwrap_or(u32::MAX),
            })
            .collect();
        let consultant = route(&candidates).map(str::to_owned);
        let until = minutes_until_cover(&schedules, at);
        Ok((consultant, until))
    }
}

/// A consultation opened now, routed to `consultant`, before its asker is filled in.
pub(crate) fn new_record(
    id: &str,
    lang: Lang,
    subject: &str,
    consultant: Option<String>,
    now: i64,
    until: Option<u32>,
) -> ConsultationRecord {
    ConsultationRecord {
        id: id.to_owned(),
        person_id: None,
        guest_email: None,
        guest_name: String::new(),
        guest_key_sealed: None,
        lang,
        subject: subject.to_owned(),
        consultant_id: consultant,
        state: ConsultationState::Open,
        opened_at: now,
        first_response_due: first_response_due(now, until),
        resolve_due: now + RESOLUTION_MS,
        first_response_at: None,
        last_message_at: now,
        message_count: 0,
        person_read: 0,
        consultant_read: 0,
        closed_at: None,
        rating: None,
        rating_comment: String::new(),
        case_id: None,
        wechat_openid: None,
        person_name: String::new(),
        person_email: String::new(),
        consultant_name: String::new(),
        case_number: None,
    }
}

/// A guest's name as she wants to be called: 1 to 100 characters, no control characters.
fn guest_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(invalid(
            "guest_name",
            "write the name we should call you by (1 to 100 characters)",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("guest_name", "remove the control characters"));
    }
    Ok(name.to_owned())
}
