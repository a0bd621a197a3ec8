//! Storage of Qiaoyi over SQLite or PostgreSQL with one SQL body.
//!
//! [`Store`] wraps a sqlx `Any` pool: every query is written once with `$1` placeholders and runs on both
//! backends; the few statements that must differ are chosen by [`Backend`]. Each public method is a
//! whole use case: a write happens in one transaction or not at all.

mod accounts;
mod api_tokens;
mod audit;
mod backup;
pub mod bench;
mod care;
mod care_board;
mod case_status;
mod cases;
mod catalog;
mod certificates;
mod connect;
mod consultations;
mod decode;
mod error;
mod evaluations;
mod green_channel;
mod hall;
mod handover;
mod ledger;
mod mandates;
mod outbox;
mod password_resets;
mod people;
mod persons;
mod role_requests;
mod stats;
pub mod testing;
mod video;
mod video_check;
mod wechat;
mod writer;
pub use wechat::{SharedWechatToken, WechatLinkRow, WechatLinking, WechatTaken};
pub use writer::GROUP_SIZE;

pub use accounts::{
    NewUser, PasswordAttempt, SecondFactorFailure, SecondFactorLimits, SessionRow, UserRow,
};
pub use api_tokens::NewApiToken;
pub use audit::{AccessGroup, AuditFilter, AuditHead, AuditListing, ChainKeying};
pub use care::{ChildRow, NewPairing, VisitRow, VolunteerRow};
pub use care_board::{CareMessageRow, WishMove};
pub use case_status::NewStatusCode;
pub use cases::{
    CalendarImport, CaseRow, CaseScope, CaseStep, DeadlineChange, GlanceFacts, NewCase,
};
pub use catalog::{ImportOutcome, Page};
pub use certificates::SigningKeyRow;
pub use connect::{Backend, DatabaseUrl};
pub use consultations::{CHAT_CHANNEL, ChatFile, ChatListener, InboxScope, NewChatMessage};
pub use error::{ConflictKind, StoreError};
pub use evaluations::{EvaluationCount, NewEvaluation};
pub use green_channel::{GreenDecision, NewGreenRequest};
pub use hall::{HallBy, HallCall, NewHallTicket};
pub use handover::{HandoverProof, HandoverRow};
pub use ledger::NewLedgerEntry;
pub use mandates::{MandateListing, MandateRow, WrongCodeWrite};
pub use outbox::{NewMessage, ReminderCandidate};
pub use password_resets::{NewPasswordReset, PasswordResetRow, ResetUse};
pub use people::IdentityRow;
pub use persons::{DocumentRow, PersonRow};
pub use role_requests::{NewRoleRequest, RoleRequestRow};
pub use stats::{StatsBy, StatsFilter};
pub use video::Booking;
pub use video_check::VerdictWrite;

use qiaoyi_domain::access::audit::ChainKey;
use sqlx::AnyPool;
pub(crate) use writer::WriteTx;

/// The database, whichever backend it is.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// SQLite's one writing connection (`writer.rs`); None on PostgreSQL.
    writer: Option<std::sync::Arc<writer::Writer>>,
    backend: Backend,
    /// What the audit chain's entries are keyed with; given by whoever holds the field key.
    audit_key: Option<ChainKey>,
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers only when the database does; used by the readiness probe.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a transaction that will write: on SQLite a savepoint on the one writing connection,
    /// in arrival order, committed with its group (`writer.rs`); on PostgreSQL a pool transaction.
    async fn write_tx(&self) -> Result<WriteTx, StoreError> {
        Ok(match &self.writer {
            Some(writer) => writer.begin().await?,
            None => WriteTx::Pooled(self.pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}
