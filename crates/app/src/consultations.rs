//! The 24-hour consultation line. Anyone opens a consultation (an account, or a guest with an
//! e-mail address who is sent a link holding her key); it goes to the least-loaded consultant on
//! shift (`domain::consultations::route`), or waits with its first-response deadline set from the
//! next shift. Both sides write messages; each new message is announced to this node's chat clients
//! through [`ChatHub`] and, on PostgreSQL, to every node through `NOTIFY`
//! ([`App::spawn_chat_listener`]). Consultants see an inbox by urgency with unread counts, use
//! canned answers, hand a conversation to a colleague, link the case it led to; the person closes
//! it and rates it.

use qiaoyi_domain::access::email::Email;
use qiaoyi_domain::access::{Action, Grant, Resource};
use qiaoyi_domain::cases::handover::code_matches;
use qiaoyi_domain::catalog::OpeningHours;
use qiaoyi_domain::catalog::station::{format_hours, parse_hours};
use qiaoyi_domain::consultations::{
    Candidate, RESOLUTION_MS, TextProblem, WeekMinute, check_message, check_rating, check_subject,
    due, first_response_due, gaps, minutes_until_cover, on_shift, route,
};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{
    CannedAnswerRow, ChatFile, ConsultantRow, ConsultationMessageRow, ConsultationRow, InboxScope,
    NewChatMessage, NewMessage, Page,
};
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use crate::accounts::random_hex;
use crate::{App, AppError, Caller, check_limit};

/// A new message in a consultation, as announced to chat clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatEvent {
    pub consultation: String,
    pub seq: i64,
}

/// This node's announcements of new messages. A client that misses some (a slow reader) reads
/// from its last message number, so nothing is lost, only batched.
#[derive(Clone, Debug)]
pub struct ChatHub(broadcast::Sender<ChatEvent>);

impl Default for ChatHub {
    fn default() -> Self {
        ChatHub(broadcast::channel(1024).0)
    }
}

impl ChatHub {
    pub fn subscribe(&self) -> broadcast::Receiver<ChatEvent> {
        self.0.subscribe()
    }

    pub fn announce(&self, consultation: &str, seq: i64) {
        // No receiver is not an error: nobody is watching.
        let _ = self.0.send(ChatEvent {
            consultation: consultation.to_owned(),
            seq,
        });
    }
}

/// Who is looking at a consultation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The person who asked: her account, or a guest holding the key.
    Person,
    Consultant,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Person => "person",
            Side::Consultant => "consultant",
        }
    }
}

/// What someone fills in to ask a question.
#[derive(Clone, Debug, Default)]
pub struct OpenRequest {
    pub subject: String,
    pub body: String,
    /// Only without an account: how to address her and where to write.
    pub guest_name: String,
    pub guest_email: String,
}

/// A consultation as its reader sees it.
#[derive(Clone, Debug)]
pub struct Consultation {
    pub row: ConsultationRow,
    pub lang: Lang,
    /// The deadline that orders the inbox: the first answer's, then resolution.
    pub due: i64,
    /// Messages the reader's side has not read.
    pub unread: i64,
}

impl Consultation {
    fn new(row: ConsultationRow, side: Side) -> Consultation {
        let read = match side {
            Side::Person => row.person_read,
            Side::Consultant => row.consultant_read,
        };
        Consultation {
            lang: Lang::from_tag(&row.lang).unwrap_or(Lang::Zh),
            due: due(
                row.first_response_due,
                row.first_response_at.is_some(),
                row.resolve_due,
            ),
            unread: (row.message_count - read).max(0),
            row,
        }
    }

    pub fn is_open(&self) -> bool {
        self.row.state == "open"
    }

    pub fn overdue(&self, now: i64) -> bool {
        self.is_open() && self.due < now
    }
}

/// A message as pages and the API show it. A system message's body is a [`SystemNote`] in JSON.
pub type ChatMessage = ConsultationMessageRow;

/// What a system message records; pages word it in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum SystemNote {
    Transferred { to: String },
    Closed { by: String },
    CaseLinked { number: String },
}

impl SystemNote {
    pub fn parse(body: &str) -> Option<SystemNote> {
        serde_json::from_str(body).ok()
    }
}

/// A consultation opened: what to show next.
#[derive(Clone, Debug)]
pub struct Opened {
    pub consultation: Consultation,
    /// A guest's key, to put in her link; `None` for an account.
    pub guest_key: Option<String>,
    /// When nobody is on shift: minutes until someone is (`None` if no shifts are set at all).
    pub waiting: Option<Option<u32>>,
}

/// A consultation with its messages and what the reader may do.
#[derive(Clone, Debug)]
pub struct ConsultationView {
    pub consultation: Consultation,
    pub messages: Vec<ChatMessage>,
    pub side: Side,
    /// For consultants: colleagues to hand it to, and the canned answers.
    pub consultants: Vec<ConsultantRow>,
    pub answers: Vec<CannedAnswerRow>,
    /// For consultants: the person's other consultations, newest first (at most 20).
    pub history: Vec<Consultation>,
}

/// A consultant's shifts, read.
#[derive(Clone, Debug)]
pub struct Shifts {
    pub consultant: ConsultantRow,
    pub hours: Vec<OpeningHours>,
    pub on_shift: bool,
}

/// Everyone's shifts and what they leave uncovered.
#[derive(Clone, Debug)]
pub struct Rota {
    pub consultants: Vec<Shifts>,
    /// Week minutes (Monday 00:00 Beijing = 0) nobody covers.
    pub gaps: Vec<(u32, u32)>,
}

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

/// The most messages a page shows at once; older ones come with `after`.
pub const MESSAGE_PAGE: u64 = 500;
const MAX_NAME: usize = 100;
/// How many of a person's earlier consultations a consultant sees beside one.
const HISTORY: u64 = 20;
/// A week's shifts take a few lines; this is far more than any needs.
const MAX_SHIFT_TEXT: usize = 2000;

fn invalid(field: &'static str, problem: impl ToString) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message: problem.to_string(),
    }
}

fn text(field: &'static str, checked: Result<String, TextProblem>) -> Result<String, AppError> {
    checked.map_err(|p| AppError::refused(field, p.reason(), p.to_string()))
}

fn key_context(id: &str) -> String {
    format!("consultation-key:{id}")
}

fn parse_shift_text(row: &ConsultantRow) -> Vec<OpeningHours> {
    // Stored text was checked when saved; a row that no longer parses counts as no shift.
    parse_hours(&row.hours).unwrap_or_default()
}

impl App {
    pub fn chat(&self) -> &ChatHub {
        &self.chat
    }

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
        let subject = text("subject", check_subject(&request.subject))?;
        let body = text("body", check_message(&request.body))?;
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
            None => {
                let name = request.guest_name.trim();
                if name.is_empty() || name.chars().count() > MAX_NAME {
                    return Err(invalid(
                        "guest_name",
                        "write the name we should call you by (1 to 100 characters)",
                    ));
                }
                if name.chars().any(char::is_control) {
                    return Err(invalid("guest_name", "remove the control characters"));
                }
                let email = Email::parse(&request.guest_email).map_err(|e| {
                    invalid(
                        "guest_email",
                        format!("{e}; we send the link to your conversation there"),
                    )
                })?;
                (None, Some((name.to_owned(), email)))
            }
        };
        let consultants = self.store.consultants().await?;
        let at = WeekMinute::of_instant(caller.now);
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
        let key = guest.as_ref().map(|_| random_hex(16));
        let row = ConsultationRow {
            id: id.clone(),
            person_id: person_id.clone(),
            guest_email: guest.as_ref().map(|(_, e)| e.as_str().to_owned()),
            guest_name: guest.as_ref().map(|(n, _)| n.clone()).unwrap_or_default(),
            guest_key_sealed: key.as_ref().map(|k| self.vault.seal(&key_context(&id), k)),
            lang: lang.tag().into(),
            subject: subject.clone(),
            consultant_id: consultant.clone(),
            state: "open".into(),
            opened_at: caller.now,
            first_response_due: first_response_due(caller.now, until),
            resolve_due: caller.now + RESOLUTION_MS,
            first_response_at: None,
            last_message_at: caller.now,
            message_count: 0,
            person_read: 0,
            consultant_read: 0,
            closed_at: None,
            rating: None,
            rating_comment: String::new(),
            case_id: None,
            person_name: String::new(),
            person_email: String::new(),
            consultant_name: String::new(),
            case_number: None,
        };
        let mut messages = match (&guest, &key) {
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
        if let Some(to) = &consultant {
            let mut told = row.clone();
            told.person_name = match caller.session() {
                Some(current) => current.display_name.clone(),
                None => row.guest_name.clone(),
            };
            messages.extend(self.assigned_messages(&told, to).await?);
        }
        let actor = caller.session().map(|s| &s.actor);
        let mut record = self.audit_record(
            actor,
            "consultation_opened",
            ("consultation", &id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = match &consultant {
            Some(c) => format!("routed to {c}"),
            None => "nobody on shift".into(),
        };
        let first = NewChatMessage {
            author_id: person_id.as_deref(),
            side: "person",
            body: &body,
            at: caller.now,
            file: None,
        };
        self.store
            .open_consultation(&row, &first, &record, &messages)
            .await?;
        self.chat.announce(&id, 1);
        let stored = self.consultation_row(&id).await?;
        Ok(Opened {
            consultation: Consultation::new(stored, Side::Person),
            guest_key: key,
            waiting: consultant.is_none().then_some(until),
        })
    }

    /// A consultation's row, before deciding who may see it.
    pub async fn consultation_row(&self, id: &str) -> Result<ConsultationRow, AppError> {
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
        row: &ConsultationRow,
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

    /// New messages after `after` for a chat client already admitted (no read marking, no audit).
    pub async fn chat_messages_after(
        &self,
        id: &str,
        after: i64,
    ) -> Result<Vec<ChatMessage>, AppError> {
        Ok(self
            .store
            .consultation_messages(id, after.max(0), MESSAGE_PAGE)
            .await?)
    }

    /// Marks what a chat client has shown as read.
    pub async fn mark_chat_read(&self, id: &str, side: Side, seq: i64) -> Result<(), AppError> {
        Ok(self
            .store
            .mark_consultation_read(id, side.as_str(), seq)
            .await?)
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
                let lang = Lang::from_tag(&row.lang).unwrap_or(Lang::Zh);
                canned_text(&canned, lang).to_owned()
            }
            (Some(_), Side::Person) => {
                return Err(invalid("answer", "canned answers are for consultants"));
            }
            (None, _) => text("body", check_message(body))?,
        };
        self.write_message(caller, &row, side, &body, None).await
    }

    /// An open consultation and the side the reader writes from; refused when closed.
    async fn writable_consultation(
        &self,
        caller: &Caller,
        key: Option<&str>,
        id: &str,
    ) -> Result<(ConsultationRow, Side), AppError> {
        let row = self.consultation_row(id).await?;
        let side = self.consultation_side(caller, key, &row).await?;
        if row.state != "open" {
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
        self.write_message(caller, &row, side, &checked.name, Some(file))
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
    /// own message; a consultant answering a consultation nobody holds takes it.
    #[allow(clippy::too_many_arguments)]
    async fn write_message(
        &self,
        caller: &Caller,
        row: &ConsultationRow,
        side: Side,
        body: &str,
        file: Option<ChatFile<'_>>,
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
        let follows_person = last.first().is_none_or(|m| m.side == "person");
        let messages = if side == Side::Consultant && follows_person {
            let name = caller
                .session()
                .map(|s| s.display_name.clone())
                .unwrap_or_default();
            self.reply_messages(row, &name).await?
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

    /// The message telling the person a consultant answered: to her account's channels, or to a
    /// guest's address with her link.
    async fn reply_messages(
        &self,
        row: &ConsultationRow,
        consultant: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let lang = Lang::from_tag(&row.lang).unwrap_or(Lang::Zh);
        let mut params = Map::new();
        params.insert("subject".into(), row.subject.clone().into());
        params.insert("consultant".into(), consultant.into());
        match (&row.person_id, &row.guest_email, &row.guest_key_sealed) {
            (Some(person), _, _) => {
                let Some(user) = self.store.user_by_id(person).await? else {
                    return Ok(Vec::new());
                };
                let lang = crate::notify::language_of(&user);
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

    async fn hand_over(
        &self,
        caller: &Caller,
        row: &ConsultationRow,
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
            "consultation_transferred",
            ("consultation", &row.id),
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
    async fn assigned_messages(
        &self,
        row: &ConsultationRow,
        to: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let Some(user) = self.store.user_by_id(to).await? else {
            return Ok(Vec::new());
        };
        let lang = crate::notify::language_of(&user);
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
        if row.state == "open" {
            let by = match side {
                Side::Person => "person",
                Side::Consultant => "consultant",
            };
            let note =
                serde_json::to_string(&SystemNote::Closed { by: by.into() }).unwrap_or_default();
            let record = self.audit_record(
                caller.session().map(|s| &s.actor),
                "consultation_closed",
                ("consultation", id),
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
                "consultation_rated",
                ("consultation", id),
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
            "consultation_case_linked",
            ("consultation", id),
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

    /// Everyone's shifts, who is on shift now, and the gaps (consultants and administrators).
    pub async fn rota(&self, caller: &Caller) -> Result<Rota, AppError> {
        let is_admin = caller
            .session()
            .is_some_and(|s| s.actor.grants.contains(&Grant::Admin));
        let action = if is_admin {
            Action::ManageUsers
        } else {
            Action::AnswerConsultation
        };
        self.authorize(caller, action, &Resource::System).await?;
        let at = WeekMinute::of_instant(caller.now);
        let consultants: Vec<Shifts> = self
            .store
            .consultants()
            .await?
            .into_iter()
            .map(|c| {
                let hours = parse_shift_text(&c);
                Shifts {
                    on_shift: on_shift(&hours, at),
                    hours,
                    consultant: c,
                }
            })
            .collect();
        let schedules: Vec<Vec<OpeningHours>> =
            consultants.iter().map(|s| s.hours.clone()).collect();
        Ok(Rota {
            gaps: gaps(&schedules)
                .into_iter()
                .map(|(a, b)| (a.get(), b.get()))
                .collect(),
            consultants,
        })
    }

    /// Sets a consultant's weekly shifts (administrators), written as opening hours in Beijing
    /// time, one period per line.
    pub async fn set_shifts(
        &self,
        caller: &Caller,
        consultant_id: &str,
        hours: &str,
    ) -> Result<(), AppError> {
        self.authorize(caller, Action::ManageUsers, &Resource::System)
            .await?;
        if !self
            .store
            .consultants()
            .await?
            .iter()
            .any(|c| c.id == consultant_id)
        {
            return Err(AppError::NotFound("this consultant".into()));
        }
        if hours.chars().count() > MAX_SHIFT_TEXT {
            return Err(invalid(
                "hours",
                format!("write the shifts in at most {MAX_SHIFT_TEXT} characters"),
            ));
        }
        let parsed = parse_hours(hours)
            .map_err(|e| invalid("hours", format!("line {}: {}", e.line, e.message)))?;
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            "shifts_set",
            ("account", consultant_id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .set_shifts(consultant_id, &format_hours(&parsed), caller.now, &record)
            .await?;
        Ok(())
    }

    /// The canned answers (consultants).
    pub async fn canned_answers(&self, caller: &Caller) -> Result<Vec<CannedAnswerRow>, AppError> {
        self.authorize(caller, Action::AnswerConsultation, &Resource::System)
            .await?;
        Ok(self.store.canned_answers().await?)
    }

    /// Adds or replaces a canned answer: a title and the text in all four languages.
    pub async fn save_canned_answer(
        &self,
        caller: &Caller,
        request: &AnswerRequest,
    ) -> Result<CannedAnswerRow, AppError> {
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
        let row = CannedAnswerRow {
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
            "canned_answer_saved",
            ("canned_answer", &row.id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.save_canned_answer(&row, &record).await?;
        Ok(row)
    }

    /// Listens for messages written on other nodes (PostgreSQL only) and announces them here.
    /// Reconnects after a lost connection, a second apart.
    pub fn spawn_chat_listener(&self) -> Option<tokio::task::JoinHandle<()>> {
        let url = self.config.database_url().ok()?;
        if url.backend() != qiaoyi_store::Backend::Postgres {
            return None;
        }
        let hub = self.chat.clone();
        Some(tokio::spawn(async move {
            loop {
                match qiaoyi_store::Store::chat_listener(&url).await {
                    Ok(Some(mut listener)) => loop {
                        match listener.next().await {
                            Ok((id, seq)) => hub.announce(&id, seq),
                            Err(e) => {
                                tracing::warn!(error = %e, "chat listener lost its connection");
                                break;
                            }
                        }
                    },
                    Ok(None) => return,
                    Err(e) => tracing::warn!(error = %e, "chat listener cannot connect"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }))
    }
}

/// A system message recording `note` (a [`SystemNote`] in JSON), written by the reader.
fn system_note<'a>(caller: &'a Caller, note: &'a str) -> NewChatMessage<'a> {
    NewChatMessage {
        author_id: caller.session().map(|s| s.actor.user_id.as_str()),
        side: "system",
        body: note,
        at: caller.now,
        file: None,
    }
}

/// A page of rows as one side reads them.
fn page_of(page: Page<ConsultationRow>, side: Side) -> Page<Consultation> {
    Page {
        total: page.total,
        offset: page.offset,
        items: page
            .items
            .into_iter()
            .map(|r| Consultation::new(r, side))
            .collect(),
    }
}

/// A canned answer's text in `lang`.
pub fn canned_text(a: &CannedAnswerRow, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &a.body_zh,
        Lang::En => &a.body_en,
        Lang::It => &a.body_it,
        Lang::Es => &a.body_es,
    }
}

fn comment_checked(comment: &str) -> Result<String, AppError> {
    match comment.trim() {
        "" => Ok(String::new()),
        c => text("comment", check_message(c)),
    }
}

/// A message to a guest's address (she has no account, so no channel choices).
fn guest_message(
    email: &str,
    lang: Lang,
    notice: Notice,
    params: &Map<String, Value>,
) -> NewMessage {
    NewMessage {
        id: format!("m-{}", random_hex(12)),
        channel: "email".into(),
        recipient: email.to_owned(),
        language: lang.tag().to_owned(),
        template: notice.template().into(),
        params: Value::Object(params.clone()).to_string(),
        user_id: None,
        dedupe_key: None,
    }
}
