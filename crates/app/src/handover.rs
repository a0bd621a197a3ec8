//! Dispatch and handover of a finished document: the dispatch step records how it travels (and
//! makes a one-time code), the deliver step needs the code the applicant shows. A wrong code is
//! refused and audited; after `MAX_ATTEMPTS` wrong codes a new one replaces it.

use qiaoyi_domain::access::Actor;
use qiaoyi_domain::cases::handover::{MAX_ATTEMPTS, code_matches, dispatch, new_code};
use qiaoyi_store::HandoverRow;

use crate::accounts::{Client, CurrentSession};
use crate::cases::{Case, StepRequest, beijing_today};
use crate::{App, AppError};

/// What a case's readers see of its dispatch; the code only for the person who receives it.
#[derive(Clone, Debug)]
pub struct Handover {
    pub carrier: String,
    pub tracking: String,
    pub visit_date: Option<String>,
    pub dispatched_at: i64,
    pub confirmed_at: Option<i64>,
    pub code: Option<String>,
}

fn seal_context(case_id: &str) -> String {
    format!("handover:{case_id}")
}

fn random_code() -> String {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes)
        .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
    new_code(u32::from_le_bytes(bytes))
}

impl App {
    /// The dispatch record of a `dispatch` step, its fields checked for the case's delivery
    /// method, with a new sealed code.
    pub(crate) fn dispatch_record(
        &self,
        case: &Case,
        request: &StepRequest,
        now: i64,
    ) -> Result<HandoverRow, AppError> {
        let d = dispatch(
            case.delivery,
            &request.carrier,
            &request.tracking,
            &request.visit_date,
            beijing_today(now),
        )
        .map_err(|e| AppError::Invalid {
            field: e.field,
            message: e.message.into(),
        })?;
        Ok(HandoverRow {
            case_id: case.id.clone(),
            carrier: d.carrier,
            tracking: d.tracking,
            visit_date: d.visit_date.map(|v| v.to_string()),
            code_sealed: self.vault.seal(&seal_context(&case.id), &random_code()),
            wrong_attempts: 0,
            dispatched_at: now,
            confirmed_at: None,
        })
    }

    /// At a `deliver` step: whether a dispatched handover is confirmed by `code`. No dispatch
    /// record (an electronic certificate): nothing to confirm. A wrong code is refused and audited.
    pub(crate) async fn confirm_code(
        &self,
        case: &Case,
        actor: &Actor,
        code: &str,
        client: &Client,
        now: i64,
    ) -> Result<bool, AppError> {
        let Some(h) = self.store.handover(&case.id).await? else {
            return Ok(false);
        };
        let expected = self.vault.open(&seal_context(&case.id), &h.code_sealed)?;
        if code_matches(&expected, code) {
            return Ok(true);
        }
        let replaced = h.wrong_attempts + 1 >= MAX_ATTEMPTS;
        let replacement =
            replaced.then(|| self.vault.seal(&seal_context(&case.id), &random_code()));
        let mut record = self.audit_record(
            Some(actor),
            "case_handover_code",
            ("case", &case.id),
            "denied",
            client,
            now,
        );
        record.purpose = format!("case {}", case.number);
        self.store
            .handover_refused(&case.id, replacement.as_deref(), &record)
            .await?;
        Err(AppError::Invalid {
            field: "code",
            message: if replaced {
                "the code was wrong too many times; the applicant now has a new code on her case page"
                    .into()
            } else {
                "this is not the applicant's handover code; ask her to read it from her case page"
                    .into()
            },
        })
    }

    /// The dispatch of a case for one of its readers.
    pub(crate) async fn handover_for(
        &self,
        session: Option<&CurrentSession>,
        case: &Case,
    ) -> Result<Option<Handover>, AppError> {
        let Some(h) = self.store.handover(&case.id).await? else {
            return Ok(None);
        };
        let reader = session
            .map(|s| s.actor.user_id.as_str())
            .unwrap_or_default();
        let receives = match &case.applicant_id {
            Some(applicant) => applicant == reader,
            None => case.filed_by == reader,
        };
        let code = if receives && h.confirmed_at.is_none() {
            Some(self.vault.open(&seal_context(&case.id), &h.code_sealed)?)
        } else {
            None
        };
        Ok(Some(Handover {
            carrier: h.carrier,
            tracking: h.tracking,
            visit_date: h.visit_date,
            dispatched_at: h.dispatched_at,
            confirmed_at: h.confirmed_at,
            code,
        }))
    }
}
