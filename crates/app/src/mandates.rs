//! Proxy handling (代办). An agent (a relative, a station, a consultant) asks a principal for a
//! mandate; the principal confirms it from her account, or gives the agent the code she was sent.
//! Under a confirmed mandate the agent files and runs cases and pays fees for her: every such act
//! is checked against the mandate (`domain::mandates::permits`), recorded with the mandate's id and
//! told to the principal.

use qiaoyi_domain::access::{
    Action, Actor, AuditEvent, AuditSubject, Grant, Resource, Role, decide,
};
use qiaoyi_domain::cases::Relation;
use qiaoyi_domain::cases::handover::code_matches;
use qiaoyi_domain::catalog::{Item, ItemCode};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::fees::LedgerEntry;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::mandates::{
    MandateDocument, MandateState, Refusal, Terms, WRONG_CODES_PER_CODE, WrongCode,
    after_wrong_code, check_terms, in_force, permits,
};
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{MandateListing, MandateRow, NewMessage, Page, WrongCodeWrite};

use crate::accounts::random_hex;
use crate::cases::{Case, beijing_today};
use crate::{App, AppError, Caller};

/// The acts a principal is told of, as the `proxy-act` notice names them.
pub const ACTS: [&str; 4] = ["open", "submit", "upload", "pay"];

/// The purpose an audit entry of an act under `mandate` states: for whom, under which mandate.
pub(crate) fn acting_for(mandate: &Mandate) -> String {
    format!("for {} under mandate {}", mandate.principal.id, mandate.id)
}

/// Stands for a case's number in a message made before the number is given out.
pub(crate) const NUMBER_SLOT: &str = "\u{1}case-number\u{1}";

/// `messages` with the case number put in its slot.
pub(crate) fn fill_number(messages: &[NewMessage], number: &str) -> Vec<NewMessage> {
    let slot = serde_json::Value::from(NUMBER_SLOT).to_string();
    let value = serde_json::Value::from(number).to_string();
    messages
        .iter()
        .map(|m| NewMessage {
            params: m.params.replace(&slot, &value),
            ..m.clone()
        })
        .collect()
}

const MAX_EVIDENCE: usize = 500;
const MAX_REASON: usize = 500;

/// What an agent fills in to ask for a mandate.
#[derive(Clone, Debug, Default)]
pub struct MandateRequest {
    /// The e-mail address of the principal's account.
    pub principal_email: String,
    /// What the principal is to the agent (`parent`, `spouse`, … or `other`).
    pub relation: String,
    pub items: Vec<String>,
    pub valid_from: String,
    pub valid_to: String,
    /// What the agent holds, e.g. a notarised power of attorney and its number.
    pub evidence: String,
}

/// One side of a mandate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    pub id: String,
    pub email: String,
    pub name: String,
}

/// A mandate, parsed, as one of its readers sees it.
#[derive(Clone, Debug)]
pub struct Mandate {
    pub id: String,
    pub principal: Party,
    pub agent: Party,
    pub agent_role: Role,
    pub relation: Relation,
    pub terms: Terms,
    pub evidence: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    /// `account` or `code`.
    pub confirmed_how: Option<String>,
    pub revoked_at: Option<i64>,
    pub revoke_reason: String,
    /// Revoked by no one: the request ran out of confirmation codes (see
    /// `domain::mandates::after_wrong_code`).
    pub lapsed: bool,
}

impl Mandate {
    pub fn state(&self) -> MandateState {
        self.terms.state
    }

    /// Whether it is in force today (confirmed, not revoked, within its period); why not otherwise.
    pub fn usable(&self, now: i64) -> Result<(), Refusal> {
        in_force(&self.terms, beijing_today(now))
    }
}

/// A mandate with what was done under it.
#[derive(Clone, Debug)]
pub struct MandateDetail {
    pub mandate: Mandate,
    pub cases: Vec<Case>,
    pub payments: Vec<LedgerEntry>,
    /// The documents behind it (a notarised power of attorney …), oldest first.
    pub documents: Vec<MandateDocument>,
    /// The reader is the principal, who may confirm (while pending) and revoke.
    pub is_principal: bool,
    /// The reader is the agent, who may confirm with the code and revoke.
    pub is_agent: bool,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message: message.into(),
    }
}

fn replaced_refusal() -> AppError {
    AppError::refused(
        "code",
        Reason::AttemptsExhausted,
        "the code was wrong too many times; the principal was sent a new one",
    )
}

fn lapsed_refusal() -> AppError {
    AppError::refused(
        "code",
        Reason::Lapsed,
        "the code was wrong too many times and this request is cancelled; the principal was told. \
         Ask her again with a new request",
    )
}

fn seal_context(id: &str) -> String {
    format!("mandate:{id}")
}

/// A mandate from its listing (whose role, relation, items, period and state the store has read).
fn mandate_of(listing: MandateListing) -> Mandate {
    let row = listing.mandate;
    Mandate {
        terms: Terms {
            state: row.state,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            items: row.items,
        },
        agent_role: row.agent_role,
        relation: row.relation,
        principal: Party {
            id: row.principal_id,
            email: listing.principal_email,
            name: listing.principal_name,
        },
        agent: Party {
            id: row.agent_id,
            email: listing.agent_email,
            name: listing.agent_name,
        },
        id: row.id,
        evidence: row.evidence,
        created_at: row.created_at,
        confirmed_at: row.confirmed_at,
        confirmed_how: row.confirmed_how,
        lapsed: row.state == MandateState::Revoked && row.revoked_by.is_none(),
        revoked_at: row.revoked_at,
        revoke_reason: row.revoke_reason,
    }
}

/// The role an agent acts in: a station or consultant grant wins over being a relative.
fn agent_role(actor: &Actor) -> Role {
    if actor.grants.iter().any(|g| matches!(g, Grant::Station(_))) {
        Role::Station
    } else if actor.has(Role::Consultant) {
        Role::Consultant
    } else {
        Role::Applicant
    }
}

impl App {
    pub(crate) async fn load_mandate(&self, id: &str) -> Result<(Mandate, MandateRow), AppError> {
        let listing = self
            .store
            .mandate(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this mandate".into()))?;
        let row = listing.mandate.clone();
        Ok((mandate_of(listing), row))
    }

    /// The agent asks a principal (an applicant account, named by its e-mail address) for a
    /// mandate. It is pending until she confirms it; she is sent the request with a code.
    pub async fn request_mandate(
        &self,
        caller: &Caller,
        request: &MandateRequest,
    ) -> Result<Mandate, AppError> {
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let actor = &current.actor;
        let email = request.principal_email.trim();
        let principal = match email {
            "" => None,
            email => self.store.user_by_email(email).await?,
        }
        .filter(|u| u.disabled_at.is_none())
        .filter(|u| u.grants.iter().any(|(role, _)| role == "applicant"))
        .ok_or_else(|| {
            invalid(
                "principal_email",
                "no applicant account has this e-mail address; the principal signs up first",
            )
        })?;
        if principal.id == actor.user_id {
            return Err(AppError::refused(
                "principal_email",
                Reason::SelfNotAllowed,
                "a mandate is for acting for someone else",
            ));
        }
        self.authorize(
            caller,
            Action::ActAsAgent,
            &Resource::Person { id: &principal.id },
        )
        .await?;
        let known: Vec<ItemCode> = self
            .items(None)
            .await?
            .into_iter()
            .map(|i| i.code)
            .collect();
        let (relation, items, from, to) = check_terms(
            &request.relation,
            &request.items,
            &known,
            &request.valid_from,
            &request.valid_to,
            beijing_today(caller.now),
        )
        .map_err(|e| AppError::refused(e.field, e.reason, e.message))?;
        let evidence = request.evidence.trim();
        if evidence.chars().count() < 4 || evidence.chars().count() > MAX_EVIDENCE {
            return Err(invalid(
                "evidence",
                "say what shows you may act for her, e.g. a notarised power of attorney and its number (4 to 500 characters)",
            ));
        }
        if evidence.chars().any(|c| c.is_control() && c != '\n') {
            return Err(invalid("evidence", "remove the control characters"));
        }
        let id = format!("m-{}", random_hex(12));
        let code = crate::handover::random_code();
        let row = MandateRow {
            id: id.clone(),
            principal_id: principal.id.clone(),
            agent_id: actor.user_id.clone(),
            agent_role: agent_role(actor),
            relation,
            items,
            valid_from: from,
            valid_to: to,
            evidence: evidence.to_owned(),
            state: MandateState::Pending,
            code_sealed: self.vault.seal(&seal_context(&id), &code),
            wrong_attempts: 0,
            codes_sent: 1,
            created_at: caller.now,
            confirmed_at: None,
            confirmed_how: None,
            revoked_at: None,
            revoked_by: None,
            revoke_reason: String::new(),
        };
        let agent_name = self.display_name(&actor.user_id).await?;
        let messages = self
            .mandate_request_messages(&row, &agent_name, &code)
            .await?;
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::MandateRequested,
            (AuditSubject::Person, &principal.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("mandate {id}");
        self.store.create_mandate(&row, &record, &messages).await?;
        Ok(self.load_mandate(&id).await?.0)
    }

    async fn display_name(&self, user_id: &str) -> Result<String, AppError> {
        Ok(self
            .store
            .user_by_id(user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default())
    }

    /// The message asking the principal to confirm, with the code, in her language.
    async fn mandate_request_messages(
        &self,
        row: &MandateRow,
        agent_name: &str,
        code: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let Some(user) = self.store.user_by_id(&row.principal_id).await? else {
            return Ok(Vec::new());
        };
        let lang = user.language;
        let catalogue = self.items(None).await?;
        let names: Vec<&str> = row
            .items
            .iter()
            .map(|code| {
                catalogue
                    .iter()
                    .find(|i| i.code == *code)
                    .map_or(code.as_str(), |i| i.name.get(lang))
            })
            .collect();
        let mut params = serde_json::Map::new();
        params.insert("agent".into(), agent_name.into());
        params.insert("items".into(), names.join(", ").into());
        params.insert("from".into(), row.valid_from.to_string().into());
        params.insert("to".into(), row.valid_to.to_string().into());
        params.insert("code".into(), code.into());
        params.insert("link".into(), self.mandate_link(&row.id, lang).into());
        self.messages_to(&user, Notice::MandateRequested, &params)
            .await
    }

    /// Confirms a pending mandate: the principal from her own account (no code), or the agent
    /// with the code the principal gives her. Each code the agent sends uses up a try before it is
    /// compared; a wrong one is refused and audited, and leads where
    /// `domain::mandates::after_wrong_code` says: a new code for the principal, or the request
    /// cancelled and the principal told.
    pub async fn confirm_mandate(
        &self,
        caller: &Caller,
        id: &str,
        code: &str,
    ) -> Result<Mandate, AppError> {
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let actor = &current.actor;
        let (mandate, row) = self.readable_mandate(caller, id).await?;
        let is_principal = mandate.principal.id == actor.user_id;
        let is_agent = mandate.agent.id == actor.user_id;
        if mandate.state() != MandateState::Pending {
            return Err(invalid(
                "mandate",
                "this mandate is no longer waiting for confirmation",
            ));
        }
        let how = if is_principal {
            "account"
        } else if is_agent {
            let Some((tries, codes_sent)) = self
                .store
                .take_mandate_code_try(id, WRONG_CODES_PER_CODE)
                .await?
            else {
                return Err(self.no_code_tries_left(id).await?);
            };
            let expected = self.vault.open(&seal_context(id), &row.code_sealed)?;
            if !code_matches(&expected, code) {
                let outcome = after_wrong_code(tries, codes_sent);
                return Err(self
                    .mandate_code_refused(caller, &row, actor, outcome)
                    .await?);
            }
            "code"
        } else {
            return Err(AppError::Forbidden(
                "only the principal or the agent confirms a mandate",
            ));
        };
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::MandateConfirmed,
            (AuditSubject::Person, &mandate.principal.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("mandate {id} by {how}");
        self.store
            .confirm_mandate(id, how, caller.now, &record)
            .await
            .map_err(|e| match e {
                qiaoyi_store::StoreError::Conflict { message: m, .. } => invalid("mandate", m),
                other => other.into(),
            })?;
        Ok(self.load_mandate(id).await?.0)
    }

    /// Why no try was left: the request lapsed meanwhile, or a new code is on its way.
    async fn no_code_tries_left(&self, id: &str) -> Result<AppError, AppError> {
        let (now, _) = self.load_mandate(id).await?;
        Ok(if now.lapsed {
            lapsed_refusal()
        } else if now.state() != MandateState::Pending {
            invalid(
                "mandate",
                "this mandate is no longer waiting for confirmation",
            )
        } else {
            replaced_refusal()
        })
    }

    /// Records a wrong code (audited as denied) and what it led to; the error to give back.
    async fn mandate_code_refused(
        &self,
        caller: &Caller,
        row: &MandateRow,
        actor: &Actor,
        outcome: WrongCode,
    ) -> Result<AppError, AppError> {
        let (sealed, messages) = match outcome {
            WrongCode::Counted => (None, Vec::new()),
            WrongCode::Replaced => {
                let code = crate::handover::random_code();
                let agent_name = self.display_name(&row.agent_id).await?;
                let messages = self
                    .mandate_request_messages(row, &agent_name, &code)
                    .await?;
                (
                    Some(self.vault.seal(&seal_context(&row.id), &code)),
                    messages,
                )
            }
            WrongCode::Lapsed => {
                let agent_name = self.display_name(&row.agent_id).await?;
                (None, self.mandate_lapsed_messages(row, &agent_name).await?)
            }
        };
        let write = match (outcome, &sealed) {
            (WrongCode::Replaced, Some(code_sealed)) => WrongCodeWrite::Replaced { code_sealed },
            (WrongCode::Lapsed, _) => WrongCodeWrite::Lapsed { now: caller.now },
            _ => WrongCodeWrite::Counted,
        };
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::MandateCode,
            (AuditSubject::Person, &row.principal_id),
            "denied",
            &caller.client,
            caller.now,
        );
        record.purpose = match outcome {
            WrongCode::Counted => format!("mandate {}", row.id),
            WrongCode::Replaced => format!("mandate {}: new code sent", row.id),
            WrongCode::Lapsed => format!("mandate {}: lapsed, principal told", row.id),
        };
        self.store
            .mandate_code_refused(&row.id, &write, &record, &messages)
            .await?;
        Ok(match outcome {
            WrongCode::Counted => AppError::refused(
                "code",
                Reason::Malformed,
                "this is not the code the principal was sent; ask her to read it again",
            ),
            WrongCode::Replaced => replaced_refusal(),
            WrongCode::Lapsed => lapsed_refusal(),
        })
    }

    /// The address of a mandate's page, in the reader's language.
    fn mandate_link(&self, id: &str, lang: Lang) -> String {
        format!(
            "{}/account/mandates/{id}?lang={}",
            self.public_url(),
            lang.tag()
        )
    }

    /// The message telling the principal a request to act for her lapsed, in her language.
    async fn mandate_lapsed_messages(
        &self,
        row: &MandateRow,
        agent_name: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let Some(user) = self.store.user_by_id(&row.principal_id).await? else {
            return Ok(Vec::new());
        };
        let lang = user.language;
        let mut params = serde_json::Map::new();
        params.insert("agent".into(), agent_name.into());
        params.insert("link".into(), self.mandate_link(&row.id, lang).into());
        self.messages_to(&user, Notice::MandateLapsed, &params)
            .await
    }

    /// Revokes a mandate: the principal or the agent, with a reason. What was done under it
    /// stays; nothing more can be.
    pub async fn revoke_mandate(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<Mandate, AppError> {
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let actor = &current.actor;
        let (mandate, _) = self.readable_mandate(caller, id).await?;
        if mandate.principal.id != actor.user_id && mandate.agent.id != actor.user_id {
            return Err(AppError::Forbidden(
                "only the principal or the agent revokes a mandate",
            ));
        }
        let reason = reason.trim();
        if reason.chars().count() < 4 || reason.chars().count() > MAX_REASON {
            return Err(invalid(
                "reason",
                "say why, in a few words (4 to 500 characters)",
            ));
        }
        if reason.chars().any(char::is_control) {
            return Err(invalid("reason", "remove the line breaks"));
        }
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::MandateRevoked,
            (AuditSubject::Person, &mandate.principal.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("mandate {id}");
        self.store
            .revoke_mandate(id, &actor.user_id, reason, caller.now, &record)
            .await
            .map_err(|e| match e {
                qiaoyi_store::StoreError::Conflict { message: m, .. } => invalid("mandate", m),
                other => other.into(),
            })?;
        Ok(self.load_mandate(id).await?.0)
    }

    /// A mandate for its principal, its agent, or staff who may read the principal's file (that
    /// read is audited as such). Anyone else is refused.
    async fn readable_mandate(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(Mandate, MandateRow), AppError> {
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let (mandate, row) = self.load_mandate(id).await?;
        let me = current.actor.user_id.as_str();
        if mandate.principal.id != me && mandate.agent.id != me {
            self.authorize(
                caller,
                Action::ReadPersonFile,
                &Resource::Person {
                    id: &mandate.principal.id,
                },
            )
            .await
            .map_err(|e| match e {
                AppError::Forbidden(_) => AppError::NotFound("this mandate".into()),
                other => other,
            })?;
        }
        Ok((mandate, row))
    }

    /// Adds a document behind a mandate (PDF, JPEG or PNG, recognised by its content): its
    /// principal or agent, until it is revoked. The other party sees it on the mandate's page.
    pub async fn add_mandate_document(
        &self,
        caller: &Caller,
        id: &str,
        file_name: &str,
        content: &[u8],
    ) -> Result<MandateDocument, AppError> {
        let (mandate, _) = self.readable_mandate(caller, id).await?;
        let me = caller
            .session()
            .map(|s| s.actor.user_id.as_str())
            .unwrap_or("");
        if mandate.principal.id != me && mandate.agent.id != me {
            return Err(AppError::Forbidden(
                "only the principal and the agent add documents to a mandate",
            ));
        }
        if mandate.state() == MandateState::Revoked {
            return Err(AppError::Mandate(Refusal::Revoked));
        }
        let checked = self.check_file(file_name, content)?;
        let document = MandateDocument {
            id: format!("d-{}", random_hex(12)),
            mandate_id: id.to_owned(),
            file_name: checked.name,
            media_type: checked.media_type,
            size: content.len() as i64,
            sha256: checked.sha256,
            uploaded_by: me.to_owned(),
            uploaded_at: caller.now,
        };
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::MandateDocumentAdded,
            (AuditSubject::Person, &mandate.principal.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("mandate {id}");
        self.store
            .add_mandate_document(&document, content, &record)
            .await?;
        Ok(document)
    }

    /// A document behind a mandate with its bytes, for those who may read the mandate.
    pub async fn mandate_document(
        &self,
        caller: &Caller,
        id: &str,
        document: &str,
    ) -> Result<(MandateDocument, Vec<u8>), AppError> {
        let (mandate, _) = self.readable_mandate(caller, id).await?;
        // The agent keeps the documents of a mandate being set up, not of one revoked or over.
        let me = caller.session().map_or("", |s| s.actor.user_id.as_str());
        if me == mandate.agent.id
            && me != mandate.principal.id
            && let Err(refusal @ (Refusal::Revoked | Refusal::Expired(_))) =
                mandate.usable(caller.now)
        {
            return Err(AppError::Mandate(refusal));
        }
        self.audit_read(
            caller,
            AuditEvent::ReadMandateDocument,
            (AuditSubject::Mandate, id),
            Some(&mandate.principal.id),
            format!("mandate {id}"),
        )
        .await?;
        self.store
            .mandate_document(id, document)
            .await?
            .ok_or_else(|| AppError::NotFound("this document".into()))
    }

    /// A mandate with the cases filed and the payments made under it.
    pub async fn mandate(&self, caller: &Caller, id: &str) -> Result<MandateDetail, AppError> {
        let (mandate, _) = self.readable_mandate(caller, id).await?;
        self.audit_read(
            caller,
            AuditEvent::ReadMandate,
            (AuditSubject::Mandate, id),
            Some(&mandate.principal.id),
            format!("mandate {id}"),
        )
        .await?;
        let me = caller
            .session()
            .map(|s| s.actor.user_id.as_str())
            .unwrap_or_default();
        let cases = self
            .cases_from_rows(self.store.cases_under_mandate(id, 100).await?)
            .await?;
        Ok(MandateDetail {
            payments: self.store.entries_under_mandate(id, 100).await?,
            documents: self.store.mandate_documents(id).await?,
            cases,
            is_principal: mandate.principal.id == me,
            is_agent: mandate.agent.id == me,
            mandate,
        })
    }

    /// The mandates the signed-in person granted or holds, newest first.
    pub async fn my_mandates(
        &self,
        caller: &Caller,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Mandate>, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        crate::check_limit(limit)?;
        let page = self.store.mandates_of(me, offset, limit).await?;
        Ok(Page {
            total: page.total,
            offset: page.offset,
            items: page.items.into_iter().map(mandate_of).collect(),
        })
    }

    /// The mandates under which the signed-in person may act today, for the forms that offer them.
    pub async fn usable_mandates(&self, caller: &Caller) -> Result<Vec<Mandate>, AppError> {
        let me = caller
            .session()
            .map(|s| s.actor.user_id.clone())
            .unwrap_or_default();
        Ok(self
            .my_mandates(caller, 0, 100)
            .await?
            .items
            .into_iter()
            .filter(|m| m.agent.id == me && m.usable(caller.now).is_ok())
            .collect())
    }

    /// The mandate `id` if `actor` is its agent and it allows acting for `principal` (when given)
    /// on `item` today; the refusal with its reason otherwise.
    pub(crate) async fn mandate_for_act(
        &self,
        actor: &Actor,
        id: &str,
        principal: Option<&str>,
        item: &ItemCode,
        now: i64,
    ) -> Result<Mandate, AppError> {
        let (mandate, _) = self.load_mandate(id.trim()).await.map_err(|e| match e {
            AppError::NotFound(_) => invalid("mandate", "choose one of your mandates"),
            other => other,
        })?;
        if mandate.agent.id != actor.user_id {
            return Err(AppError::Mandate(Refusal::NotAgent));
        }
        self.mandate_covers(&mandate, principal, item, now)?;
        Ok(mandate)
    }

    /// Whether `mandate` allows acting for `principal` on `item` today.
    pub(crate) fn mandate_covers(
        &self,
        mandate: &Mandate,
        principal: Option<&str>,
        item: &ItemCode,
        now: i64,
    ) -> Result<(), AppError> {
        if principal.is_some_and(|p| p != mandate.principal.id) {
            return Err(AppError::Mandate(Refusal::OtherPrincipal));
        }
        permits(&mandate.terms, item, beijing_today(now)).map_err(AppError::Mandate)
    }

    /// [`App::authorize`] for reading a case, and when the reader may read it only as the agent who
    /// filed it under a mandate (a relative abroad), only while that mandate is in force: a revoked
    /// or expired mandate ends her reading as it ends her acting.
    pub(crate) async fn authorize_case_read(
        &self,
        caller: &Caller,
        case: &Case,
    ) -> Result<(), AppError> {
        let resource = case.resource();
        self.authorize(caller, Action::ReadCase, &resource).await?;
        let (Some(session), Resource::Case { agent, .. }) = (caller.session(), resource) else {
            return Ok(());
        };
        let as_agent_only = agent == session.actor.user_id && {
            let mut without_mandate = case.resource();
            if let Resource::Case { agent, .. } = &mut without_mandate {
                *agent = "";
            }
            !decide(&session.actor, Action::ReadCase, &without_mandate).is_allowed()
        };
        if as_agent_only {
            self.agent_act(case, &session.actor, caller.now).await?;
        }
        Ok(())
    }

    /// When someone other than the applicant acts for her on a case filed under a mandate (adds a
    /// file, sends, withdraws): the mandate must still allow it, whoever of the agent's side acts
    /// (a colleague at the same station, say). `None` when the applicant acts herself or the case
    /// has no mandate.
    pub(crate) async fn agent_act(
        &self,
        case: &Case,
        actor: &Actor,
        now: i64,
    ) -> Result<Option<Mandate>, AppError> {
        let Some(mandate_id) = &case.mandate_id else {
            return Ok(None);
        };
        if case.applicant_id.as_deref() == Some(actor.user_id.as_str()) {
            return Ok(None);
        }
        let (mandate, _) = self.load_mandate(mandate_id).await?;
        self.mandate_covers(&mandate, case.applicant_id.as_deref(), &case.item.code, now)?;
        Ok(Some(mandate))
    }

    /// The message telling the principal of a case what her agent did (`act`, one of [`ACTS`]).
    pub(crate) async fn proxy_act_messages(
        &self,
        case: &Case,
        agent_id: &str,
        act: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let Some(principal) = case.applicant_id.as_deref() else {
            return Ok(Vec::new());
        };
        self.proxy_act_messages_for(principal, &case.id, &case.number, &case.item, agent_id, act)
            .await
    }

    pub(crate) async fn proxy_act_messages_for(
        &self,
        principal: &str,
        case_id: &str,
        number: &str,
        item: &Item,
        agent_id: &str,
        act: &str,
    ) -> Result<Vec<NewMessage>, AppError> {
        let Some(user) = self.store.user_by_id(principal).await? else {
            return Ok(Vec::new());
        };
        let lang = user.language;
        let mut params = serde_json::Map::new();
        params.insert("agent".into(), self.display_name(agent_id).await?.into());
        params.insert("act".into(), act.into());
        params.insert("number".into(), number.into());
        params.insert("item".into(), item.name.get(lang).into());
        params.insert("link".into(), self.case_link(case_id, lang).into());
        self.messages_to(&user, Notice::ProxyAct, &params).await
    }
}
