//! Dispatch and handover of a finished document: the dispatch step records how it travels (and
//! makes a one-time code), the deliver step needs the code the applicant shows. A wrong code is
//! refused and audited; after `MAX_ATTEMPTS` wrong codes a new one replaces it.

use qiaoyi_domain::access::{Actor, AuditEvent, AuditSubject};
use qiaoyi_domain::cases::handover::{MAX_ATTEMPTS, code_matches, dispatch, new_code};
use qiaoyi_domain::cases::signature::Signature;
use qiaoyi_domain::catalog::Delivery;
use qiaoyi_domain::failure::Reason;
use qiaoyi_store::{HandoverProof, HandoverRow};

use crate::accounts::CurrentSession;
use crate::cases::{Case, StepRequest, beijing_today};
use crate::{App, AppError, Caller};

/// What a case's readers see of its dispatch; the code only for the person who receives it.
#[derive(Clone, Debug)]
pub struct Handover {
    pub carrier: String,
    pub tracking: String,
    pub visit_date: Option<String>,
    pub dispatched_at: i64,
    pub confirmed_at: Option<i64>,
    pub code: Option<String>,
    /// A home delivery confirmed by signature: SVG path data of the strokes, and the signer.
    pub signature_path: Option<String>,
    pub signed_by_name: String,
}

/// The longest name a signer may give.
const MAX_SIGNER: usize = 60;

fn seal_context(case_id: &str) -> String {
    format!("handover:{case_id}")
}

/// A new six-digit code from the operating system's random source (handovers, mandates).
pub(crate) fn random_code() -> String {
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
            reason: Reason::Malformed,
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
            signature: None,
            signed_by_name: String::new(),
        })
    }

    /// At a `deliver` step: how a dispatched handover is confirmed, by the applicant's code or, at
    /// a home delivery, by the recipient's signature. No dispatch record (an electronic
    /// certificate): nothing to confirm. A wrong code is refused and audited.
    pub(crate) async fn confirm_handover(
        &self,
        caller: &Caller,
        case: &Case,
        actor: &Actor,
        request: &StepRequest,
    ) -> Result<Option<HandoverProof>, AppError> {
        let Some(h) = self.store.handover(&case.id).await? else {
            return Ok(None);
        };
        if !request.signature.trim().is_empty() {
            return signed(case, request).map(Some);
        }
        let expected = self.vault.open(&seal_context(&case.id), &h.code_sealed)?;
        if code_matches(&expected, &request.code) {
            return Ok(Some(HandoverProof::Code));
        }
        let replaced = h.wrong_attempts + 1 >= MAX_ATTEMPTS;
        let replacement =
            replaced.then(|| self.vault.seal(&seal_context(&case.id), &random_code()));
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::CaseHandoverCode,
            (AuditSubject::Case, &case.id),
            "denied",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("case {}", case.number);
        self.store
            .handover_refused(&case.id, replacement.as_deref(), &record)
            .await?;
        Err(AppError::Invalid {
            field: "code",
            // A replaced code is a different situation for the officer: asking again is useless.
            reason: if replaced {
                Reason::AttemptsExhausted
            } else {
                Reason::Malformed
            },
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
        let signature_path = h
            .signature
            .as_deref()
            .and_then(|s| Signature::parse(s).ok())
            .map(|s| s.svg_path());
        Ok(Some(Handover {
            carrier: h.carrier,
            tracking: h.tracking,
            visit_date: h.visit_date,
            dispatched_at: h.dispatched_at,
            confirmed_at: h.confirmed_at,
            code,
            signature_path,
            signed_by_name: h.signed_by_name,
        }))
    }
}

/// A signature confirming a home delivery, checked; other deliveries need the code.
fn signed(case: &Case, request: &StepRequest) -> Result<HandoverProof, AppError> {
    if case.delivery != Delivery::Home {
        return Err(AppError::Invalid {
            field: "signature",
            reason: Reason::HomeDeliveryOnly,
            message: "a signature confirms only a home delivery; enter the applicant's code".into(),
        });
    }
    let strokes = Signature::parse(&request.signature).map_err(|e| AppError::Invalid {
        field: "signature",
        reason: Reason::Malformed,
        message: e.message().into(),
    })?;
    let signer = request.signer.trim();
    if signer.is_empty()
        || signer.chars().count() > MAX_SIGNER
        || signer.chars().any(char::is_control)
    {
        return Err(AppError::Invalid {
            field: "signer",
            reason: Reason::Malformed,
            message: format!(
                "write the name of the person who signed (at most {MAX_SIGNER} characters)"
            ),
        });
    }
    Ok(HandoverProof::Signature {
        strokes: strokes.to_text(),
        signer: signer.to_owned(),
    })
}
