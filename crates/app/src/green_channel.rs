//! The green channel (绿色通道): the applicant's side, a station or an officer asks for a case to be
//! handled in a few working days, with grounds, a statement and evidence; duty leaders see the
//! board and decide with a fresh second factor; a request left undecided escalates to all of them.
//! An approved case heads every officer's queue with its own due day.

use qiaoyi_domain::access::{Action, Resource, allowing_grant, decide};
use qiaoyi_domain::access::{AuditEvent, AuditSubject, Role};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::green_channel::{
    Evidence, GreenChannelError, GreenRequest, Ground, RequestState, check_days, check_reason,
    check_statement, may_ask, minutes_left,
};
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{GreenDecision, NewGreenRequest, NewMessage, StoreError};
use serde_json::{Map, Value};

use crate::accounts::{Client, CurrentSession, random_hex};
use crate::cases::{Case, beijing_today};
use crate::{App, AppError, Caller};

/// A request as asked.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct GreenRequestInput {
    #[serde(default)]
    pub ground: String,
    #[serde(default)]
    pub statement: String,
}

/// A decision as taken.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct GreenDecisionInput {
    /// `approve` or `refuse`.
    #[serde(default)]
    pub decision: String,
    /// Working days granted; the item's default when left out.
    #[serde(default)]
    pub days: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

/// A waiting request on the board, with its countdown to escalation.
#[derive(Clone, Debug)]
pub struct BoardLine {
    pub request: GreenRequest,
    /// Whole minutes before it escalates; zero or less once it has.
    pub minutes_left: i64,
    pub escalated: bool,
}

#[derive(Clone, Debug)]
pub struct Board {
    pub waiting: Vec<BoardLine>,
    pub decided: Vec<GreenRequest>,
}

fn invalid(e: GreenChannelError) -> AppError {
    AppError::Invalid {
        field: e.field(),
        reason: e.reason(),
        message: e.to_string(),
    }
}

/// A ground's name in a notice's language.
pub fn ground_name(ground: Ground, lang: Lang) -> &'static str {
    match (ground, lang) {
        (Ground::Bereavement, Lang::Zh) => "亲属去世",
        (Ground::Bereavement, Lang::En) => "a death in the family",
        (Ground::Bereavement, Lang::It) => "un lutto in famiglia",
        (Ground::Bereavement, Lang::Es) => "un fallecimiento en la familia",
        (Ground::Illness, Lang::Zh) => "亲属病危",
        (Ground::Illness, Lang::En) => "a relative's serious illness",
        (Ground::Illness, Lang::It) => "la grave malattia di un familiare",
        (Ground::Illness, Lang::Es) => "la enfermedad grave de un familiar",
        (Ground::Deadline, Lang::Zh) => "求学或工作期限",
        (Ground::Deadline, Lang::En) => "a study or work deadline",
        (Ground::Deadline, Lang::It) => "una scadenza di studio o di lavoro",
        (Ground::Deadline, Lang::Es) => "un plazo de estudios o de trabajo",
        (Ground::Other, Lang::Zh) => "其他",
        (Ground::Other, Lang::En) => "other",
        (Ground::Other, Lang::It) => "altro",
        (Ground::Other, Lang::Es) => "otro",
    }
}

impl App {
    fn board_link(&self, lang: Lang) -> String {
        format!("{}/green-channel?lang={}", self.public_url(), lang.tag())
    }

    /// A notice to every duty leader, each in her language and channels.
    async fn to_duty_leaders(
        &self,
        notice: Notice,
        case: &Case,
        extra: &[(&str, Value)],
        ground: Ground,
    ) -> Result<Vec<NewMessage>, AppError> {
        let mut messages = Vec::new();
        for leader in self.store.users_with_role("duty_leader").await? {
            let lang = leader.language;
            let mut params = Map::new();
            params.insert("number".into(), case.number.clone().into());
            params.insert("item".into(), case.item.name.get(lang).into());
            params.insert("link".into(), self.board_link(lang).into());
            if notice == Notice::GreenChannelRequested {
                params.insert("ground".into(), ground_name(ground, lang).into());
            }
            for (k, v) in extra {
                params.insert((*k).into(), v.clone());
            }
            messages.extend(self.messages_to(&leader, notice, &params).await?);
        }
        Ok(messages)
    }

    /// The action a person asks under: the applicant's side (`SubmitCase`) or the officer's
    /// (`ProcessCase`). Refused (and audited) when neither allows it.
    pub(crate) async fn case_party(
        &self,
        caller: &Caller,
        case: &Case,
    ) -> Result<Option<Role>, AppError> {
        self.authorize(caller, Action::ReadCase, &case.resource())
            .await
            .map_err(|e| match e {
                AppError::Forbidden(_) => AppError::NotFound("this case".into()),
                other => other,
            })?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let action = if decide(actor, Action::SubmitCase, &case.resource()).is_allowed() {
            Action::SubmitCase
        } else {
            Action::ProcessCase
        };
        self.authorize(caller, action, &case.resource()).await?;
        Ok(allowing_grant(actor, action, &case.resource())
            .ok()
            .map(|g| g.role()))
    }

    /// Asks for the green channel on a case, with a first piece of evidence if given.
    pub async fn request_green_channel(
        &self,
        caller: &Caller,
        case_id: &str,
        input: &GreenRequestInput,
        evidence: Option<(&str, &[u8])>,
    ) -> Result<GreenRequest, AppError> {
        let case = self.load_case(case_id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("this case".into()),
            other => other,
        })?;
        let role = self.case_party(caller, &case).await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        if !may_ask(case.state) || case.green_due.is_some() {
            return Err(AppError::Invalid {
                field: "case",
                reason: Reason::Malformed,
                message: "the green channel is for a case with the bureau, not yet produced, and not in it already".into(),
            });
        }
        let ground = Ground::parse(input.ground.trim()).ok_or(AppError::Invalid {
            field: "ground",
            reason: Reason::Malformed,
            message: "choose the grounds: bereavement, illness, deadline or other".into(),
        })?;
        let statement = check_statement(&input.statement).map_err(invalid)?;
        let id = format!("g-{}", random_hex(12));
        let checked = match evidence {
            Some((name, content)) => Some((self.check_file(name, content)?, content)),
            None => None,
        };
        let evidence_row = checked.as_ref().map(|(f, content)| Evidence {
            request_id: id.clone(),
            seq: 1,
            file_name: f.name.clone(),
            media_type: f.media_type,
            size: content.len() as i64,
            sha256: f.sha256.clone(),
            uploaded_by: actor.user_id.clone(),
            uploaded_at: caller.now,
        });
        let row = NewGreenRequest {
            id: id.clone(),
            case_id: case.id.clone(),
            ground,
            statement,
            requested_by: actor.user_id.clone(),
            requested_role: role,
            requested_at: caller.now,
        };
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::GreenChannelRequested,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = ground.as_str().into();
        let messages = self
            .to_duty_leaders(Notice::GreenChannelRequested, &case, &[], ground)
            .await?;
        self.store
            .create_green_request(
                &row,
                evidence_row.as_ref().zip(checked.as_ref().map(|(_, c)| *c)),
                &record,
                &messages,
            )
            .await?;
        self.green_listing(&id).await
    }

    async fn green_listing(&self, id: &str) -> Result<GreenRequest, AppError> {
        self.store
            .green_request(id)
            .await?
            .ok_or_else(|| AppError::NotFound("this green-channel request".into()))
    }

    /// A request and its case, for someone who may read the case or the board.
    async fn readable_green(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(GreenRequest, Case), AppError> {
        let listing = self.green_listing(id).await?;
        let case = self.load_case(&listing.case_id).await?;
        let leader = caller.session().is_some_and(|s| {
            decide(&s.actor, Action::ReadGreenChannel, &Resource::System).is_allowed()
        });
        if !leader {
            self.authorize(caller, Action::ReadCase, &case.resource())
                .await
                .map_err(|e| match e {
                    AppError::Forbidden(_) => {
                        AppError::NotFound("this green-channel request".into())
                    }
                    other => other,
                })?;
        }
        Ok((listing, case))
    }

    /// Adds evidence to a waiting request: whoever may ask for it on the case.
    pub async fn add_green_evidence(
        &self,
        caller: &Caller,
        id: &str,
        file_name: &str,
        content: &[u8],
    ) -> Result<i64, AppError> {
        let listing = self.green_listing(id).await?;
        let case = self.load_case(&listing.case_id).await?;
        self.case_party(caller, &case).await?;
        if listing.state != RequestState::Requested {
            return Err(AppError::Invalid {
                field: "file",
                reason: Reason::Malformed,
                message: "this request has been decided; evidence can no longer be added".into(),
            });
        }
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        let f = self.check_file(file_name, content)?;
        let row = Evidence {
            request_id: id.into(),
            seq: 0,
            file_name: f.name,
            media_type: f.media_type,
            size: content.len() as i64,
            sha256: f.sha256,
            uploaded_by: actor.user_id.clone(),
            uploaded_at: caller.now,
        };
        let record = self.audit_record(
            Some(actor),
            AuditEvent::GreenChannelEvidence,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        Ok(self
            .store
            .add_green_evidence(&row, content, &record)
            .await?)
    }

    /// One piece of evidence, for whoever may read the case or the board.
    pub async fn green_evidence(
        &self,
        caller: &Caller,
        id: &str,
        seq: i64,
    ) -> Result<(Evidence, Vec<u8>), AppError> {
        let (_, case) = self.readable_green(caller, id).await?;
        self.audit_read(
            caller,
            AuditEvent::ReadGreenEvidence,
            (AuditSubject::Case, &case.id),
            case.applicant_id.as_deref(),
            format!("case {}", case.number),
        )
        .await?;
        self.store
            .green_evidence(id, seq)
            .await?
            .ok_or_else(|| AppError::NotFound("this evidence".into()))
    }

    /// A request with its evidence list.
    pub async fn green_request(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(GreenRequest, Vec<Evidence>), AppError> {
        let (listing, case) = self.readable_green(caller, id).await?;
        self.audit_read(
            caller,
            AuditEvent::ReadGreenRequest,
            (AuditSubject::Case, &case.id),
            case.applicant_id.as_deref(),
            format!("case {}", case.number),
        )
        .await?;
        let evidence = self.store.green_evidence_list(id).await?;
        Ok((listing, evidence))
    }

    /// A case's requests, newest first (for its page; the caller has read the case).
    pub async fn green_requests_of_case(
        &self,
        case_id: &str,
    ) -> Result<Vec<GreenRequest>, AppError> {
        Ok(self.store.green_requests_of_case(case_id).await?)
    }

    /// Whether the reader may ask for the green channel on this case now.
    pub fn may_request_green(&self, session: Option<&CurrentSession>, case: &Case) -> bool {
        let open = may_ask(case.state) && case.green_due.is_none();
        open && session.is_some_and(|s| {
            [Action::SubmitCase, Action::ProcessCase]
                .into_iter()
                .any(|a| decide(&s.actor, a, &case.resource()).is_allowed())
        })
    }

    /// The duty leaders' board: waiting requests oldest first with their countdown, and the
    /// latest decisions.
    pub async fn green_board(&self, caller: &Caller) -> Result<Board, AppError> {
        self.authorize(caller, Action::ReadGreenChannel, &Resource::System)
            .await?;
        let minutes = self.config.green_channel_escalate_minutes;
        let waiting = self
            .store
            .green_requests("requested", 500)
            .await?
            .into_iter()
            .map(|r| {
                let left = minutes_left(r.requested_at, minutes, caller.now);
                BoardLine {
                    escalated: r.escalated_at.is_some() || left <= 0,
                    minutes_left: left,
                    request: r,
                }
            })
            .collect();
        let mut decided = self.store.green_requests("approved", 20).await?;
        decided.extend(self.store.green_requests("refused", 20).await?);
        decided.sort_by_key(|d| std::cmp::Reverse(d.decided_at));
        decided.truncate(20);
        Ok(Board { waiting, decided })
    }

    /// Approves or refuses a waiting request (duty leaders, with a second factor passed in the
    /// last minutes). An approval sets the case's due day from the working-day calendar.
    pub async fn decide_green_channel(
        &self,
        caller: &Caller,
        id: &str,
        input: &GreenDecisionInput,
    ) -> Result<GreenRequest, AppError> {
        let listing = self.green_listing(id).await?;
        let case = self.load_case(&listing.case_id).await?;
        self.authorize(caller, Action::DecideGreenChannel, &case.resource())
            .await?;
        let actor = &caller.session().ok_or(AppError::Unauthenticated)?.actor;
        if listing.state != RequestState::Requested {
            return Err(AppError::Store(StoreError::conflict(
                "this request was decided already; reload the board".into(),
            )));
        }
        let approve = match input.decision.trim() {
            "approve" => true,
            "refuse" => false,
            _ => {
                return Err(AppError::Invalid {
                    field: "decision",
                    reason: Reason::Malformed,
                    message: "choose approve or refuse".into(),
                });
            }
        };
        let applicant = match &case.applicant_id {
            Some(id) => self.store.user_by_id(id).await?,
            None => None,
        };
        let lang = applicant
            .as_ref()
            .map(|applicant| applicant.language)
            .unwrap_or(Lang::Zh);
        let mut params = Map::new();
        params.insert("number".into(), case.number.clone().into());
        params.insert("item".into(), case.item.name.get(lang).into());
        params.insert("link".into(), self.case_link(&case.id, lang).into());
        let (decision, notice) = if approve {
            let days = check_days(input.days, case.item.green_channel_days).map_err(invalid)?;
            let due = self.deadline(beijing_today(caller.now), days).await?;
            params.insert(
                "date".into(),
                crate::notify::deadline_text(due, lang).into(),
            );
            (
                GreenDecision {
                    request_id: id.into(),
                    case_id: case.id.clone(),
                    state: "approved".into(),
                    decided_by: actor.user_id.clone(),
                    days: Some(i64::from(days)),
                    due_on: Some(due.date.to_string()),
                    due_provisional: due.provisional,
                    reason: String::new(),
                },
                Notice::GreenChannelApproved,
            )
        } else {
            let reason = check_reason(&input.reason).map_err(invalid)?;
            params.insert("reason".into(), reason.clone().into());
            (
                GreenDecision {
                    request_id: id.into(),
                    case_id: case.id.clone(),
                    state: "refused".into(),
                    decided_by: actor.user_id.clone(),
                    days: None,
                    due_on: None,
                    due_provisional: false,
                    reason,
                },
                Notice::GreenChannelRefused,
            )
        };
        let messages = match &applicant {
            Some(user) => self.messages_to(user, notice, &params).await?,
            None => Vec::new(),
        };
        let mut record = self.audit_record(
            Some(actor),
            if decision.state == "approved" {
                AuditEvent::GreenChannelApproved
            } else {
                AuditEvent::GreenChannelRefused
            },
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("request {id}");
        self.store
            .decide_green(&decision, caller.now, &record, &messages)
            .await?;
        self.green_listing(id).await
    }

    /// Escalates every request nobody decided within the configured minutes: each duty leader is
    /// told once. Run by the delivery worker every few seconds; returns how many escalated.
    pub async fn escalate_green_channels(&self, now: i64) -> Result<usize, AppError> {
        let minutes = self.config.green_channel_escalate_minutes;
        let due = self
            .store
            .green_requests_to_escalate(now - i64::from(minutes) * 60_000)
            .await?;
        let mut escalated = 0;
        for r in due {
            let case = self.load_case(&r.case_id).await?;
            let messages = self
                .to_duty_leaders(
                    Notice::GreenChannelEscalated,
                    &case,
                    &[("minutes", Value::from(minutes))],
                    r.ground,
                )
                .await?;
            let record = self.audit_record(
                None,
                AuditEvent::GreenChannelEscalated,
                (AuditSubject::Case, &case.id),
                "ok",
                &Client {
                    address: "worker".into(),
                },
                now,
            );
            if self
                .store
                .escalate_green(&r.id, now, &record, &messages)
                .await?
            {
                escalated += 1;
            }
        }
        Ok(escalated)
    }
}
