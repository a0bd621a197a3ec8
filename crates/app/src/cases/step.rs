//! Taking a step: the domain's transition, the permission that step needs, the version the person
//! saw, a reason for returns and refusals, every required material before submission, the deadline
//! on acceptance, and the applicant's notice queued in the step's transaction.

use qiaoyi_domain::access::{Action, AuditSubject, allowing_grant};
use qiaoyi_domain::cases::{Step, transition};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::CaseStep;

use super::{Case, invalid};
use crate::calendar::beijing_today;
use crate::{App, AppError, Caller};

/// One step someone asks for, with the version of the case they saw.
#[derive(Clone, Debug, Default)]
pub struct StepRequest {
    pub step: String,
    pub expected_version: i64,
    /// Required when returning for materials or refusing; shown to the applicant.
    pub reason: String,
    /// Dispatch by courier: the carrier and tracking number; to the home: the visit day.
    pub carrier: String,
    pub tracking: String,
    pub visit_date: String,
    /// Delivery after a dispatch: the one-time code the applicant shows.
    pub code: String,
    /// Home delivery instead of the code: the recipient's signature (strokes in the text form of
    /// `domain::cases::signature`) and the name she signs with.
    pub signature: String,
    pub signer: String,
}

const MAX_REASON: usize = 1000;

fn reason_checked(step: Step, text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if step.needs_reason() && text.chars().count() < 4 {
        return Err(invalid(
            "reason",
            "say why, in words the applicant will understand (at least 4 characters)",
        ));
    }
    if text.chars().count() > MAX_REASON {
        return Err(invalid(
            "reason",
            format!("keep the reason under {MAX_REASON} characters"),
        ));
    }
    Ok(text.to_owned())
}

impl App {
    /// Takes one step. `expected_version` is the version the person saw: if someone else moved the
    /// case since, nothing is written and the answer is a conflict naming the current state.
    pub async fn step_case(
        &self,
        caller: &Caller,
        id: &str,
        request: &StepRequest,
    ) -> Result<Case, AppError> {
        let expected_version = request.expected_version;
        let step = Step::parse(request.step.trim())
            .ok_or_else(|| invalid("step", "choose one of the steps offered on the case"))?;
        let case = self.load_case(id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("this case".into()),
            other => other,
        })?;
        self.authorize_case_read(caller, &case)
            .await
            .map_err(|e| match e {
                // A person who may act on the case may also read it; others learn nothing.
                AppError::Forbidden(_) => AppError::NotFound("this case".into()),
                other => other,
            })?;
        self.authorize(caller, step.action(), &case.resource())
            .await?;
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        // Acting for the applicant (sending, withdrawing) under a mandate needs it still in force;
        // the bureau's own steps do not.
        let agent = if step.action() == Action::SubmitCase {
            self.agent_act(&case, &current.actor, caller.now).await?
        } else {
            None
        };
        if case.version != expected_version {
            return Err(AppError::CaseConflict {
                state: case.state.as_str(),
                version: case.version,
            });
        }
        let to = transition(case.workflow(), case.state, step).map_err(|e| AppError::Invalid {
            field: "step",
            reason: Reason::Malformed,
            message: e.to_string(),
        })?;
        let reason = reason_checked(step, &request.reason)?;
        if step == Step::VerifyIdentity {
            self.check_video_gate(&case, caller.now).await?;
        }
        if step == Step::Submit {
            self.check_materials(&case).await?;
        }
        let deadline = if step == Step::Accept {
            Some(
                self.deadline(beijing_today(caller.now), case.item.time_limit_days)
                    .await?,
            )
        } else {
            None
        };
        let actor = &current.actor;
        let handover = if step == Step::Dispatch {
            Some(self.dispatch_record(&case, request, caller.now)?)
        } else {
            None
        };
        let confirms_handover = if step == Step::Deliver {
            self.confirm_handover(caller, &case, actor, request).await?
        } else {
            None
        };
        let role = allowing_grant(actor, step.action(), &case.resource())
            .map(|g| g.role().as_str())
            .unwrap_or_default();
        let mut record = self.audit_record(
            Some(actor),
            step,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        if let Some(m) = &agent {
            record.purpose = crate::mandates::acting_for(m);
        }
        let mut messages = self
            .case_notices(&case, step, &reason, handover.as_ref())
            .await?;
        if agent.is_some() {
            let act = match step {
                Step::Submit | Step::Resubmit => "submit",
                other => other.as_str(),
            };
            messages.extend(self.proxy_act_messages(&case, &actor.user_id, act).await?);
        }
        let certificate = if step == Step::Issue {
            Some(self.certificate_for(&case, caller.now).await?)
        } else {
            None
        };
        let outcome = if step == Step::Close {
            Some(self.closing_outcome(&case, case.state, caller.now).await?)
        } else {
            None
        };
        let charge = if crate::fees::charges_at(step) {
            crate::fees::charge_for(&case, &actor.user_id, role, caller.now)
        } else {
            None
        };
        let written = self
            .store
            .step_case(
                &CaseStep {
                    case_id: case.id.clone(),
                    expected_version,
                    step: step.as_str().into(),
                    from_state: case.state.as_str().into(),
                    to_state: to.as_str().into(),
                    actor_id: actor.user_id.clone(),
                    role: role.into(),
                    note: reason.clone(),
                    deadline: deadline.map(|d| d.date.to_string()),
                    deadline_provisional: deadline.is_some_and(|d| d.provisional),
                    // A resubmitted case no longer shows why it was returned.
                    reason: if step.needs_reason() {
                        Some(reason)
                    } else if step == Step::Resubmit {
                        Some(String::new())
                    } else {
                        None
                    },
                    charge,
                    certificate,
                    handover,
                    confirms_handover,
                    outcome,
                },
                caller.now,
                &record,
                &messages,
            )
            .await;
        match written {
            Ok(()) => self.load_case(&case.id).await,
            Err(qiaoyi_store::StoreError::Conflict { .. }) => {
                let now_case = self.load_case(&case.id).await?;
                Err(AppError::CaseConflict {
                    state: now_case.state.as_str(),
                    version: now_case.version,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// What the applicant is told when the case takes `step`, by the channels they chose and in
    /// their language; nothing for a walk-in case without an account.
    async fn case_notices(
        &self,
        case: &Case,
        step: Step,
        reason: &str,
        handover: Option<&qiaoyi_store::HandoverRow>,
    ) -> Result<Vec<qiaoyi_store::NewMessage>, AppError> {
        let Some(notice) = Notice::for_step(step) else {
            return Ok(Vec::new());
        };
        self.applicant_messages(case, notice, |_, params| {
            if notice.params().contains(&"reason") {
                params.insert("reason".into(), reason.into());
            }
            if notice == Notice::CaseDispatched {
                let h = handover;
                params.insert("method".into(), case.delivery.as_str().into());
                params.insert(
                    "carrier".into(),
                    h.map(|h| h.carrier.clone()).unwrap_or_default().into(),
                );
                params.insert(
                    "tracking".into(),
                    h.map(|h| h.tracking.clone()).unwrap_or_default().into(),
                );
                params.insert(
                    "date".into(),
                    h.and_then(|h| h.visit_date.clone())
                        .unwrap_or_default()
                        .into(),
                );
            }
        })
        .await
    }

    /// A case goes to the bureau only with a file for every required material.
    async fn check_materials(&self, case: &Case) -> Result<(), AppError> {
        let uploaded: Vec<i64> = self
            .store
            .case_files(&case.id)
            .await?
            .iter()
            .map(|f| f.material)
            .collect();
        let missing = case.item.missing_materials(&uploaded);
        if missing.is_empty() {
            Ok(())
        } else {
            let list: Vec<String> = missing.iter().map(usize::to_string).collect();
            Err(invalid(
                "materials",
                format!(
                    "upload every required material first; still missing: {}",
                    list.join(", ")
                ),
            ))
        }
    }
}
