//! The 24-hour consultation line. Anyone opens a consultation (an account, or a guest with an
//! e-mail address who is sent a link holding her key); it goes to the least-loaded consultant on
//! shift (`domain::consultations::route`), or waits with its first-response deadline set from the
//! next shift. Both sides write messages; each new message is announced to this node's chat clients
//! through [`ChatHub`] and, on PostgreSQL, to every node through `NOTIFY`
//! ([`App::spawn_chat_listener`]). Consultants see an inbox by urgency with unread counts, use
//! canned answers, hand a conversation to a colleague, link the case it led to; the person closes
//! it and rates it.
//!
//! `open` opens one, `conversation` is reading and writing in one, `desk` the consultants' inbox,
//! canned answers, hand-overs and linked cases, `rota` the shifts, `chat` the announcements.

mod chat;
mod conversation;
mod desk;
mod open;
mod rota;

pub use chat::{ChatEvent, ChatHub};
pub use conversation::ConsultationView;
pub use desk::{AnswerRequest, canned_text};
pub use open::Opened;
pub(crate) use open::new_record;
pub use rota::{Rota, Shifts};

use qiaoyi_domain::consultations::{
    ConsultationRecord, ConsultationState, TextProblem, check_message, due,
};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{NewChatMessage, NewMessage, Page};
use serde_json::{Map, Value};

use crate::accounts::random_hex;
use crate::{AppError, Caller};

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
    pub row: ConsultationRecord,
    pub lang: Lang,
    /// The deadline that orders the inbox: the first answer's, then resolution.
    pub due: i64,
    /// Messages the reader's side has not read.
    pub unread: i64,
}

impl Consultation {
    fn new(row: ConsultationRecord, side: Side) -> Consultation {
        let read = match side {
            Side::Person => row.person_read,
            Side::Consultant => row.consultant_read,
        };
        Consultation {
            lang: row.lang,
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
        self.row.state == ConsultationState::Open
    }

    pub fn overdue(&self, now: i64) -> bool {
        self.is_open() && self.due < now
    }
}

/// A message as pages and the API show it. A system message's body is a [`SystemNote`] in JSON.
pub use qiaoyi_domain::consultations::ChatMessage;

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

/// The most messages a page shows at once; older ones come with `after`.
pub const MESSAGE_PAGE: u64 = 500;

const MAX_NAME: usize = 100;

/// How many of a person's earlier consultations a consultant sees beside one.
const HISTORY: u64 = 20;

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
fn page_of(page: Page<ConsultationRecord>, side: Side) -> Page<Consultation> {
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
