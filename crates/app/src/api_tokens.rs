//! API tokens for other systems: administrators make them (a fresh second factor: a token is a
//! standing grant), list and revoke them; a request carrying one acts as its service account with
//! the token's one role, read on every request, so a revocation holds at once. Its use is noted
//! and audited at most once a minute; a revoked or expired one shown again is audited too.

use qiaoyi_domain::access::api_tokens::{self, ApiToken, TokenState};
use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::{Action, Actor, AuditEvent, AuditSubject, Grant, Resource};
use qiaoyi_store::NewApiToken;

use crate::accounts::{Client, CurrentSession, SecondFactor, random_hex};
use crate::{App, AppError, Caller, Page, check_limit};

/// How often a token's use is noted and audited, at most.
pub const USE_NOTED_EVERY_MS: i64 = 60_000;

/// A token just made: its secret, shown once and never again.
#[derive(Clone)]
pub struct IssuedToken {
    pub token: ApiToken,
    pub secret: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// What an administrator asks for.
#[derive(Clone, Debug)]
pub struct TokenRequest<'a> {
    pub service: &'a str,
    pub name: &'a str,
    pub grant: Grant,
    pub days: u32,
}

impl App {
    /// Makes a token (administrators, with a second factor passed in the last minutes).
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        request: TokenRequest<'_>,
    ) -> Result<IssuedToken, AppError> {
        self.authorize(caller, Action::ManageApiTokens, &Resource::System)
            .await?;
        let terms = api_tokens::check_terms(
            request.service,
            request.name,
            request.grant,
            request.days,
            caller.now,
        )
        .map_err(|e| AppError::Invalid {
            field: e.field(),
            reason: e.reason(),
            message: e.message(),
        })?;
        self.check_scopes(std::slice::from_ref(&terms.grant))
            .await?;
        let id = format!("t-{}", random_hex(8));
        let secret = format!("{}{}", api_tokens::PREFIX, random_hex(32));
        let actor = caller.session().map(|s| &s.actor);
        let record = self.audit_record(
            actor,
            AuditEvent::ApiTokenCreated,
            (AuditSubject::ApiToken, &id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .insert_api_token(
                &NewApiToken {
                    id: &id,
                    token_hash: &sha256_hex(secret.as_bytes()),
                    service: &terms.service,
                    name: &terms.name,
                    grant: &terms.grant,
                    created_by: actor.map(|a| a.user_id.as_str()),
                    created_at: caller.now,
                    expires_at: terms.expires_at,
                },
                &record,
            )
            .await?;
        let token = self
            .store
            .api_token(&id)
            .await?
            .ok_or_else(|| AppError::NotFound("this API token".into()))?;
        Ok(IssuedToken { token, secret })
    }

    /// Every token, the newest first (administrators).
    pub async fn api_tokens(
        &self,
        caller: &Caller,
        offset: u64,
        limit: u64,
    ) -> Result<Page<ApiToken>, AppError> {
        self.authorize(caller, Action::ManageApiTokens, &Resource::System)
            .await?;
        check_limit(limit)?;
        let page = self.store.api_tokens(offset, limit).await?;
        Ok(Page {
            total: page.total,
            offset: page.offset,
            items: page.items,
        })
    }

    /// Revokes a token at once (administrators). Revoking one revoked already changes nothing.
    pub async fn revoke_api_token(&self, caller: &Caller, id: &str) -> Result<ApiToken, AppError> {
        self.authorize(caller, Action::ManageApiTokens, &Resource::System)
            .await?;
        let session = caller.session().ok_or(AppError::Unauthenticated)?;
        if self.store.api_token(id).await?.is_none() {
            return Err(AppError::NotFound("this API token".into()));
        }
        let record = self.audit_record(
            Some(&session.actor),
            AuditEvent::ApiTokenRevoked,
            (AuditSubject::ApiToken, id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .revoke_api_token(id, &session.actor.user_id, caller.now, &record)
            .await?;
        self.store
            .api_token(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this API token".into()))
    }

    /// The session a request's `Authorization: Bearer` token stands for, if it is one of ours and
    /// in force at `now`. A revoked or expired token is refused and its use audited.
    pub async fn api_token_session(
        &self,
        secret: &str,
        client: &Client,
        now: i64,
    ) -> Result<Option<CurrentSession>, AppError> {
        if !api_tokens::is_token_shaped(secret) {
            return Ok(None);
        }
        let token_hash = sha256_hex(secret.as_bytes());
        let Some(token) = self.store.api_token_by_hash(&token_hash).await? else {
            return Ok(None);
        };
        let actor = Actor {
            user_id: token.id.clone(),
            grants: vec![token.grant.clone()],
        };
        if token.state(now) != TokenState::Active {
            let mut record = self.audit_record(
                Some(&actor),
                AuditEvent::ApiTokenRefused,
                (AuditSubject::ApiToken, &token.id),
                "denied",
                client,
                now,
            );
            // Whether it was revoked or had expired.
            record.purpose = token.state(now).as_str().to_owned();
            self.store.audit(&record).await?;
            return Ok(None);
        }
        if token
            .last_used_at
            .is_none_or(|at| now - at >= USE_NOTED_EVERY_MS)
        {
            let record = self.audit_record(
                Some(&actor),
                AuditEvent::ApiTokenUsed,
                (AuditSubject::ApiToken, &token.id),
                "ok",
                client,
                now,
            );
            self.store
                .note_api_token_use(
                    &token.id,
                    now,
                    &client.address,
                    now - USE_NOTED_EVERY_MS + 1,
                    &record,
                )
                .await?;
        }
        Ok(Some(CurrentSession {
            actor,
            email: String::new(),
            display_name: format!("{} · {}", token.service, token.name),
            language: None,
            token_hash,
            csrf: String::new(),
            created_at: token.created_at,
            second_factor: SecondFactor::Token,
            elder_mode: false,
        }))
    }
}
