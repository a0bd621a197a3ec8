//! Sessions: the one a cookie's token names (idle and absolute expiry; roles read on every request,
//! so a change takes effect at once), whether one read earlier still stands, signing out here or
//! everywhere else, the list of one's sessions, and the remembered elder mode.

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::{Action, Actor, AuditEvent, AuditSubject};

use super::{CurrentSession, SecondFactor, grants_of};
use crate::{App, AppError, Caller};

/// One of the account's sessions as its owner sees it: since when, last seen, from where, and
/// whether it is the one asking. Never its token or CSRF value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    /// Milliseconds since 1970 (UTC).
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The client's address and browser, as the session recorded it.
    pub client: String,
    /// The session this request is made in.
    pub current: bool,
}

impl App {
    /// Whether a session read earlier still stands: not signed out, not expired, its account
    /// enabled. Long-lived connections (chat sockets) ask before acting on it.
    pub async fn session_is_live(
        &self,
        session: &CurrentSession,
        now: i64,
    ) -> Result<bool, AppError> {
        let Some(row) = self.store.session(&session.token_hash).await? else {
            return Ok(false);
        };
        let idle = self.config.session_idle_minutes.saturating_mul(60_000);
        let absolute = self.config.session_absolute_hours.saturating_mul(3_600_000);
        if now - row.last_seen_at > idle || now - row.created_at > absolute {
            return Ok(false);
        }
        Ok(self
            .store
            .user_by_id(&row.user_id)
            .await?
            .is_some_and(|u| u.disabled_at.is_none()))
    }

    /// The session a cookie's token names, if it exists and has not expired. Expired sessions are
    /// removed when found.
    pub async fn session(&self, token: &str, now: i64) -> Result<Option<CurrentSession>, AppError> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let token_hash = sha256_hex(token.as_bytes());
        let Some(row) = self.store.session(&token_hash).await? else {
            return Ok(None);
        };
        let idle = self.config.session_idle_minutes.saturating_mul(60_000);
        let absolute = self.config.session_absolute_hours.saturating_mul(3_600_000);
        if now - row.last_seen_at > idle || now - row.created_at > absolute {
            self.store.end_session(&token_hash, None).await?;
            return Ok(None);
        }
        let Some(user) = self.store.user_by_id(&row.user_id).await? else {
            return Ok(None);
        };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        if now - row.last_seen_at > 60_000 {
            self.store.touch_session(&token_hash, now).await?;
        }
        let actor = Actor {
            user_id: user.id.clone(),
            grants: grants_of(&user),
        };
        let second_factor = match (row.second_factor_at, &user.totp_secret, actor.is_staff()) {
            (Some(at), _, _) => SecondFactor::Passed(at),
            (None, Some(_), _) => SecondFactor::Challenge,
            (None, None, true) => SecondFactor::Enrol,
            (None, None, false) => SecondFactor::NotRequired,
        };
        Ok(Some(CurrentSession {
            actor,
            email: user.email,
            display_name: user.display_name,
            language: Some(user.language),
            token_hash,
            csrf: row.csrf,
            created_at: row.created_at,
            second_factor,
            elder_mode: user.elder_mode,
        }))
    }

    /// Remembers elder mode for the signed-in account.
    pub async fn set_elder_mode(&self, session: &CurrentSession, on: bool) -> Result<(), AppError> {
        if session.elder_mode != on {
            self.store
                .set_elder_mode(&session.actor.user_id, on)
                .await?;
        }
        Ok(())
    }

    pub async fn logout(&self, caller: &Caller) -> Result<(), AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let record = self.audit_record(
            Some(&session.actor),
            AuditEvent::Logout,
            (AuditSubject::Account, &session.actor.user_id),
            "ok",
            &caller.client,
            caller.now,
        );
        Ok(self
            .store
            .end_session(&session.token_hash, Some(&record))
            .await?)
    }

    pub async fn logout_other_sessions(&self, caller: &Caller) -> Result<u64, AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let record = self.audit_record(
            Some(&session.actor),
            AuditEvent::LogoutOthers,
            (AuditSubject::Account, &session.actor.user_id),
            "ok",
            &caller.client,
            caller.now,
        );
        Ok(self
            .store
            .end_other_sessions(&session.actor.user_id, &session.token_hash, &record)
            .await?)
    }

    pub async fn sessions(
        &self,
        session: &CurrentSession,
    ) -> Result<Vec<SessionSummary>, AppError> {
        let rows = self.store.sessions_of(&session.actor.user_id).await?;
        Ok(rows
            .into_iter()
            .map(|s| SessionSummary {
                current: s.token_hash == session.token_hash,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                client: s.client,
            })
            .collect())
    }
}
