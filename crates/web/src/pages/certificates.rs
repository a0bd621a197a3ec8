//! Electronic certificates: the public verification page (`/verify/{id}`, the address in the QR
//! code), the printable certificate for the readers of its case, and revocation by its officers.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::certificates::Certificate;
use qiaoyi_app::domain::certificates::{Payload, Verdict};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify/{id}", get(verify))
        .route("/certificates/{id}", get(show))
        .route("/certificates/{id}/revoke", post(revoke))
        .route("/certificates/{id}/pdf", get(pdf))
}

/// A verdict in the reader's language.
struct Status {
    /// `valid`, `revoked`, `expired`, `not_genuine`: also the CSS class.
    code: &'static str,
    text: String,
    /// The revocation day and reason, or the expiry day.
    detail: String,
}

fn status(p: &Prefs, verdict: &Verdict) -> Status {
    let code = verdict.as_str();
    let detail = match verdict {
        Verdict::Revoked { on, reason, .. } => {
            format!(
                "{} · {reason}",
                p.t1("verify-revoked-on", "date", on.to_string())
            )
        }
        Verdict::Expired { on, .. } => p.t1("verify-expired-on", "date", on.to_string()),
        _ => String::new(),
    };
    Status {
        code,
        text: p.t(&format!("verify-status-{}", code.replace('_', "-"))),
        detail,
    }
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    status: Status,
    certificate: Option<Payload>,
}

async fn verify(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Path(id): Path<String>,
) -> PageResult {
    let verdict = match state.app.verify_certificate(&id, state.app.now_ms()).await {
        Ok(verdict) => verdict,
        // Someone holding a paper with a mistyped or invented number is told plainly, in her
        // language, that no such certificate exists, so it is not genuine.
        Err(AppError::NotFound(_)) => {
            let page = VerifyPage {
                title: p.t("verify-title"),
                section: "",
                status: Status {
                    code: "not_genuine",
                    text: p.t("verify-status-unknown"),
                    detail: String::new(),
                },
                certificate: None,
                p: &p,
            };
            return Ok((StatusCode::NOT_FOUND, render(&page)).into_response());
        }
        Err(other) => return Err(other).for_page(&p),
    };
    let page = VerifyPage {
        title: p.t("verify-title"),
        section: "",
        status: status(&p, &verdict),
        certificate: verdict.payload().cloned(),
        p: &p,
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    id: String,
    case_id: String,
    status: Status,
    certificate: Option<Payload>,
    verify_url: String,
    qr_svg: String,
    may_revoke: bool,
}

async fn certificate_page(
    state: &AppState,
    p: &Prefs,
    c: &Certificate,
    errors: Vec<FieldError>,
) -> PageResult {
    let verify_url = format!("{}/verify/{}", state.app.public_url(), c.row.id);
    let qr_text = state
        .app
        .certificate_qr(&verify_url, &c.verdict)
        .await
        .for_page(p)?;
    let page = CertificatePage {
        title: p.t("certificate-title"),
        section: "cases",
        id: c.row.id.clone(),
        case_id: c.row.case_id.clone(),
        status: status(p, &c.verdict),
        certificate: c.verdict.payload().cloned(),
        qr_svg: super::qr_svg(&qr_text),
        verify_url,
        may_revoke: c.may_revoke,
        p,
        errors,
    };
    let code = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((code, render(&page)).into_response())
}

async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    let c = state.app.certificate(&auth, &id).await.for_page(&p)?;
    certificate_page(&state, &p, &c, Vec::new()).await
}

async fn pdf(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    let file = state
        .app
        .certificate_pdf(&auth, &id, p.lang)
        .await
        .for_page(&p)?;
    Ok(crate::api::attachment(
        "application/pdf",
        &file.file_name,
        file.bytes,
    ))
}

#[derive(Deserialize, Default)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
}

async fn revoke(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> PageResult {
    match state.app.revoke_certificate(&auth, &id, &form.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/certificates/{id}")).into_response()),
        Err(AppError::FreshSecondFactorRequired) => {
            let next = serde_urlencoded::to_string([("next", format!("/certificates/{id}"))])
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/login/second-factor?{next}")).into_response())
        }
        Err(AppError::Invalid { .. }) => {
            let c = state.app.certificate(&auth, &id).await.for_page(&p)?;
            let error = FieldError {
                field: "reason",
                message: p.t("certificate-error-reason"),
            };
            certificate_page(&state, &p, &c, vec![error]).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}
