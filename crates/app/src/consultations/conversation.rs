//! One conversation: who reads it (the asking account, a guest with her key, or a consultant),
//! its messages (typed, canned, or a file checked as cases' materials are), the person told of an
//! answer that follows her message, closing and rating, and the person's own list.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource};
use qiaoyi_domain::cases::handover::code_matches;
use qiaoyi_domain::consultations::{
    Author, CannedAnswer, Consultant, ConsultationRecord, ConsultationState, check_message,
    check_rating,
};
use qiaoyi_domain::notify::{Channel, Notice};
use qiaoyi_store::{ChatFile, NewChatMessage, NewMessage, Page, WechatTaken};
use serde_json::Map;

use super::{
    ChatMessage, Consultation, HISTORY, MESSAGE_PAGE, Side, SystemNote, canned_text,
    comment_checked, guest_message, invalid, key_context, page_of, system_note, text,
};
use crate::{App, AppError, Caller, check_limit};

/// A consultation with its messages and what the reader may do.
#[derive(Clone, Debug)]
pub struct ConsultationView {
    pub consultation: Consultation,
    pub messages: Vec<ChatMessage>,
    pub side: Side,
    /// For consultants: colleagues to hand it to, and the canned answers.
    pub consultants: Vec<Consultant>,
    pub answers: Vec<CannedAnswer>,
    /// For consultants: the person's other consultations, newest first (at most 20).
    pub history: Vec<Consultation>,
}

impl App {
    /// A consultation's row, before deciding who may see it.
    pub async fn consultation_row(&self, id: &str) -> Result<ConsultationRecord, AppError> {
        self.store
            .consultation(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this consultation".into()))
    }

    /// Which side the reader is on: the asking account or a guest with the right key, or a
    /// consultant. Anyone else is refused (and, when signed in, the refusal is audited).
    pub async fn consultation_side(
        &self,
        caller: &Caller,
        key: Option<&str>,
        row: &ConsultationRecord,
    ) -> Result<Side, AppError> {
        if let (Some(key), Some(sealed)) = (key, &row.guest_key_sealed) {
            let expected = self.vault.open(&key_context(&row.id), sealed)?;
            if code_matches(&expected, key) {
                return Ok(Side::Person);
            }
        }
        let Some(current) = caller.session() else {
            // A guest without the right key learns nothing, not even that it exists.
            return Err(AppError::NotFound("this consultation".into()));
        };
        let person = row.person_id.as_deref().unwrap_or("");
        if person == current.actor.user_id {
            self.authorize(
                caller,
                Action::Consult,
                &Resource::Consultation {
                    id: &row.id,
                    person,
                },
            )
            .await?;
            return Ok(Side::Person);
        }
        self.authorize(
            caller,
            Action::AnswerConsultation,
            &Resource::Consultation {
                id: &row.id,
                person,
            },
        )
        .await?;
        Ok(Side::Consultant)
    }

    /// A consultation with its messages after `after`; what the reader has now seen is marked read.
    pub async fn consultation(
        &self,
        caller: &Caller,
        key: Option<&str>,
        id: &str,
        after: i64,
    ) -> Result<ConsultationView, AppError> {
        let mut row = self.consultation_row(id).await?;
        let side = self.consultation_side(caller, key, &row).await?;
        let messages = self
            .store
            .consultation_messages(id, after.max(0), MESSAGE_PAGE)
            .await?;
        if let Some(last) = messages.last() {
            self.store
                .mark_consultation_read(id, side.as_str(), last.seq)
                .await?;
            // As the store just recorded, without reading the row again.
            let read = match side {
                Side::Person => &mut row.person_read,
                Side::Consultant => &mut row.consultant_read,
            };
            *read = (*read).max(last.seq);
        }
        let (consultants, answers, history) = if side == Side::Consultant {
            let history = self
                .store
                .consultation_history(
                    row.person_id.as_deref(),
                    row.guest_email.as_deref(),
                    row.wechat_openid.as_deref(),
                    HISTORY + 1,
                )
                .await?
                .into_iter()
                .filter(|c| c.id != row.id)
                .take(HISTORY as usize)
                .map(|c| Consultation::new(c, Side::Consultant))
                .collect();
            (
                self.store.consultants().await?,
                self.store.canned_answers().await?,
                history,
            )
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        Ok(ConsultationView {
            consultation: Consultation::new(row, side),
            messages,
            side,
            consultants,
            answers,
            history,
        })
    }

    /// Writes a message: typed, or a canned answer (`answer`) in the consultation's language. A
    /// consultant answering a consultation nobody holds takes it. The person is told of a
    /// consultant's answer when it follows her own message.
    #[allow(clippy::too_many_arguments)]
    pub async fn post_consultation_message(
        &self,
        caller: &Caller,
        key: Option<&str>,
        id: &str,
        body: &str,
        answer: Option<&str>,
    ) -> Result<ChatMessage, AppError> {
        let (row, side) = self.writable_consultation(caller, key, id).await?;
        let body = match (answer.filter(|a| !a.is_empty()), side) {
            (Some(answer), Side::Consultant) => {
                let canned = self
                    .store
                    .canned_answer(answer)
                    .await?
                    .ok_or_else(|| invalid("answer", "this canned answer no longer exists"))?;
                canned_text(&canned, row.lang).to_owned()
            }
            (Some(_), Side::Person) => {
                return Err(invalid("answer", "canned answers are for consultants"));
            }
            (None, _) => text("body", check_message(body))?,
        };
        self.write_message(caller, &row, side, &body, None, None)
            .await
    }

    /// An open consultation and the side the reader writes from; refused when closed.
    async fn writable_consultation(
        &self,
        caller: &Caller,
        key: Option<&str>,
        id: &str,
    ) -> Result<(ConsultationRecord, Side), AppError> {
        let row = self.consultation_row(id).await?;
        let side = self.consultation_side(caller, key, &row).await?;
        if row.state != ConsultationState::Open {
            return Err(AppError::Store(qiaoyi_store::StoreError::conflict(
                "this consultation is closed; open a new one to ask again".into(),
            )));
        }
        Ok((row, side))
    }

    /// Attaches a file (PDF, JPEG or PNG, recognised by its content, within the upload limit) to a
    /// consultation as a message of its own, with the file's name as its text.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach_to_consultation(
        &self,
        caller: &Caller,
        key: Option<&str>,
        id: &str,
        file_name: &str,
        content: &[u8],
    ) -> Result<ChatMessage, AppError> {
        let (row, side) = self.writable_consultation(caller, key, id).await?;
        let checked = self.check_file(file_name, content)?;
        let file = ChatFile {
            name: &checked.name,
            media_type: checked.media_type.as_str(),
            sha256: &checked.sha256,
            content,
        };
        self.write_message(caller, &row, side, &checked.name, Some(file), None)
            .await
    }

    /// A file attached to message `seq`, for those who may read the consultation.
    #[allow(clippy::too_many_arguments)]
    pub async fn consultation_file(
        &self,
        caller: &Caller,
        key: Option<&str>,
        id: &str,
        seq: i64,
    ) -> Result<(String, String, Vec<u8>), AppError> {
        let row = self.consultation_row(id).await?;
        self.consultation_side(caller, key, &row).await?;
        self.store
            .consultation_file(id, seq)
            .await?
            .ok_or_else(|| AppError::NotFound("this file".into()))
    }

    /// Writes a checked message: the person is told of a consultant's answer that follows her
    /// own message; a consultant answering a consultation nobody holds takes it. `wechat`, the
    /// callback that brought the message, is noted in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn write_message(
        &self,
        caller: &Caller,
        row: &ConsultationRecord,
        side: Side,
        body: &str,
        file: Option<ChatFile<'_>>,
        wechat: Option<&WechatTaken<'_>>,
    ) -> Result<ChatMessage, AppError> {
        let id = row.id.as_str();
        // A guest writes without an account.
        let author = match side {
            Side::Person if row.person_id.is_none() => None,
            _ => caller.session().map(|s| s.actor.user_id.as_str()),
        };
        let last = self
            .store
            .consultation_messages(id, row.message_count - 1, 1)
            .await?;
        let follows_person = last.first().is_none_or(|m| m.side == Author::Person);
        let messages = if side == Side::Consultant && follows_person {
            let name = caller
                .session()
                .map(|s| s.display_name.clone())
                .unwrap_or_default();
            self.reply_messages(row, &name, body).await?
        } else {
            Vec::new()
        };
        let seq = self
            .store
            .post_consultation_message(
                id,
                &NewChatMessage {
                    author_id: author,
                    side: side.as_str(),
                    body,
                    at: caller.now,
                    file,
                },
                &messages,
                wechat,
            )
            .await?;
        self.chat.announce(id, seq);
        if side == Side::Consultant
            && row.consultant_id.is_none()
            && let Some(current) = caller.session()
        {
            let me = current.actor.user_id.clone();
            self.hand_over(caller, row, None, &me).await?;
        }
        self.store
            .consultation_messages(id, seq - 1, 1)
            .await?
            .pop()
            .ok_or_else(|| AppError::NotFound("the message just written".into()))
    }

    /// The messages telling the person a consultant answered: to her account's channels, to a
    /// guest's address with her link; and the answer itself to her WeChat when she wrote from
    /// there and it is still hers (a guest's, or linked to her account).
    async fn reply_messages(
        &self,
        row: &ConsultationRecord,
        consultant: &str,
        answer: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let mut messages = Vec::new();
        if let Some(openid) = &row.wechat_openid {
            let reached = match &row.person_id {
                None => true,
                Some(person) => self
                    .store
                    .wechat_link_of_user(person)
                    .await?
                    .is_some_and(|link| &link.openid == openid),
            };
            if reached {
                let mut params = Map::new();
                params.insert("consultant".into(), consultant.into());
                params.insert("answer".into(), answer.into());
                if row.person_id.is_some() {
                    // Her account can open it: a template message saying it waits links it.
                    params.insert(
                        "link".into(),
                        self.consultation_link(&row.id, None, row.lang).into(),
                    );
                }
                messages.push(NewMessage {
                    id: format!("m-{}", crate::accounts::random_hex(12)),
                    channel: Channel::Wechat.as_str().into(),
                    recipient: openid.clone(),
                    language: row.lang.tag().to_owned(),
                    template: Notice::ConsultationAnswer.template().into(),
                    params: serde_json::Value::Object(params).to_string(),
                    user_id: row.person_id.clone(),
                    dedupe_key: None,
                });
            }
        }
        let answered_in_wechat = !messages.is_empty();
        let wechat = Channel::Wechat.as_str();
        // The answer itself went to her WeChat: a notice of it there too would say it twice.
        messages.extend(
            self.reply_notices(row, consultant)
                .await?
                .into_iter()
                .filter(|m| !(answered_in_wechat && m.channel == wechat)),
        );
        Ok(messages)
    }

    /// The notice of an answer to an account's channels, or to a guest's address with her link.
    async fn reply_notices(
        &self,
        row: &ConsultationRecord,
        consultant: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let lang = row.lang;
        let mut params = Map::new();
        params.insert("subject".into(), row.subject.clone().into());
        params.insert("consultant".into(), consultant.into());
        match (&row.person_id, &row.guest_email, &row.guest_key_sealed) {
            (Some(person), _, _) => {
                let Some(user) = self.store.user_by_id(person).await? else {
                    return Ok(Vec::new());
                };
                let lang = user.language;
                params.insert(
                    "link".into(),
                    self.consultation_link(&row.id, None, lang).into(),
                );
                self.messages_to(&user, Notice::ConsultationReply, &params)
                    .await
            }
            (None, Some(email), Some(sealed)) => {
                let key = self.vault.open(&key_context(&row.id), sealed)?;
                params.insert(
                    "link".into(),
                    self.consultation_link(&row.id, Some(&key), lang).into(),
                );
                Ok(vec![guest_message(
                    email,
                    lang,
                    Notice::ConsultationReply,
                    &params,
                )])
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Closes a consultation (either side), and records the asker's rating if she gives one.
    #[allow(clippy::too_many_arguments)]
    pub async fn close_consultation(
        &self,
        caller: &Caller,
        key: Option<&str>,
        id: &str,
        rating: Option<i64>,
        comment: &str,
    ) -> Result<(), AppError> {
        let row = self.consultation_row(id).await?;
        let side = self.consultation_side(caller, key, &row).await?;
        let rating = match rating {
            Some(r) if side == Side::Person => {
                Some(check_rating(r).map_err(|e| invalid("rating", e))?)
            }
            Some(_) => return Err(invalid("rating", "only the person who asked rates it")),
            None => None,
        };
        let comment = comment_checked(comment)?;
        if row.state == ConsultationState::Open {
            let by = match side {
                Side::Person => "person",
                Side::Consultant => "consultant",
            };
            let note =
                serde_json::to_string(&SystemNote::Closed { by: by.into() }).unwrap_or_default();
            let record = self.audit_record(
                caller.session().map(|s| &s.actor),
                AuditEvent::ConsultationClosed,
                (AuditSubject::Consultation, id),
                "ok",
                &caller.client,
                caller.now,
            );
            let seq = self
                .store
                .close_consultation(id, &system_note(caller, &note), &record)
                .await?;
            self.chat.announce(id, seq);
        } else if rating.is_none() {
            return Err(AppError::Store(qiaoyi_store::StoreError::conflict(
                "this consultation is already closed".into(),
            )));
        }
        if let Some(rating) = rating {
            let mut record = self.audit_record(
                caller.session().map(|s| &s.actor),
                AuditEvent::ConsultationRated,
                (AuditSubject::Consultation, id),
                "ok",
                &caller.client,
                caller.now,
            );
            record.purpose = format!("rating {rating}");
            self.store
                .rate_consultation(id, i64::from(rating), &comment, &record)
                .await?;
        }
        Ok(())
    }

    /// The signed-in person's consultations, the latest first.
    pub async fn my_consultations(
        &self,
        caller: &Caller,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Consultation>, AppError> {
        check_limit(limit)?;
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let me = &current.actor.user_id;
        self.authorize(
            caller,
            Action::Consult,
            &Resource::Consultation { id: "", person: me },
        )
        .await?;
        let page = self.store.consultations_of(me, offset, limit).await?;
        Ok(page_of(page, Side::Person))
    }
}
