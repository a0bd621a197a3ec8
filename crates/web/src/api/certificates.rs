//! Electronic certificates over the API: public verification (no sign-in) and revocation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::domain::certificates::{Payload, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

/// What the certificate itself shows; nothing more is revealed.
#[derive(Serialize, ToSchema)]
pub struct CertificateFacts {
    id: String,
    item: String,
    title: String,
    holder_name: String,
    holder_name_latin: String,
    holder_birth_date: String,
    /// The resident ID with all but two characters at each end hidden; empty when none.
    holder_id_masked: String,
    statement: String,
    case_number: String,
    issued_on: String,
    expires_on: String,
    issuer: String,
    /// The title, what it attests and the issuer in English, Italian and Spanish, as signed
    /// (empty for certificates issued before they were translated).
    translations: Vec<CertificateTranslation>,
    key_id: String,
}

/// A certificate's facts in one more language, as signed.
#[derive(Serialize, ToSchema)]
pub struct CertificateTranslation {
    /// `en`, `it` or `es`.
    lang: String,
    title: String,
    /// What the certificate attests (for a certificate of no criminal record: that none was found).
    attests: String,
    issuer: String,
}

impl From<&Payload> for CertificateFacts {
    fn from(p: &Payload) -> Self {
        CertificateFacts {
            id: p.id.clone(),
            item: p.item.clone(),
            title: p.title.clone(),
            holder_name: p.holder_name.clone(),
            holder_name_latin: p.holder_name_latin.clone(),
            holder_birth_date: p.holder_birth_date.clone(),
            holder_id_masked: p.holder_id_masked.clone(),
            statement: p.statement.clone(),
            case_number: p.case_number.clone(),
            issued_on: p.issued_on.clone(),
            expires_on: p.expires_on.clone(),
            issuer: p.issuer.clone(),
            translations: p
                .translations
                .iter()
                .map(|t| CertificateTranslation {
                    lang: t.lang.clone(),
                    title: t.title.clone(),
                    attests: t.attests.clone(),
                    issuer: t.issuer.clone(),
                })
                .collect(),
            key_id: p.key_id.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VerificationView {
    /// `valid`, `revoked`, `expired` or `not_genuine` (the signature does not match: the record
    /// was altered or the certificate is forged).
    status: &'static str,
    /// For `revoked`: the day (Beijing) and the reason.
    revoked_on: Option<String>,
    revoke_reason: Option<String>,
    /// The certificate's content, when it is genuine.
    certificate: Option<CertificateFacts>,
    /// The genuine certificate as a compact JWS (EdDSA, RFC 8037), the same its QR code carries:
    /// verify it offline with the keys at `/.well-known/jwks.json` and any JOSE library.
    jws: Option<String>,
}

impl From<&Verdict> for VerificationView {
    fn from(v: &Verdict) -> Self {
        let (revoked_on, revoke_reason) = match v {
            Verdict::Revoked { on, reason, .. } => (Some(on.to_string()), Some(reason.clone())),
            _ => (None, None),
        };
        VerificationView {
            status: v.as_str(),
            revoked_on,
            revoke_reason,
            certificate: v.payload().map(CertificateFacts::from),
            jws: None,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RevokeBody {
    /// Why, shown to everyone who verifies it (at most 500 characters).
    reason: String,
}

/// Verify a certificate: anyone may ask, without signing in. The id is the last part of the
/// address in the certificate's QR code.
#[utoipa::path(get, path = "/api/v1/verify/{id}", tag = "certificates",
    params(("id" = String, Path, description = "The certificate's id: 32 lower-case hex characters")),
    responses(
        (status = 200, body = VerificationView),
        (status = 404, description = "No certificate has this id, or the address is not a certificate's", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn verify(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<VerificationView>, Problem> {
    let verdict = state
        .app
        .verify_certificate(&id, state.app.now_ms())
        .await?;
    let mut view = VerificationView::from(&verdict);
    view.jws = state.app.certificate_jws(&verdict).await?;
    Ok(Json(view))
}

/// The certificate-signing keys, current and retired, as a JWK Set (RFC 7517; `OKP` Ed25519
/// keys, RFC 8037), each with `created` and, once replaced, `retired` (Unix seconds): with them
/// a certificate's JWS is verified offline.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "certificates",
    responses((status = 200, description = "The JWK Set", content_type = "application/jwk-set+json")))]
pub async fn jwks(State(state): State<AppState>) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let keys = state.app.published_keys().await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/jwk-set+json")],
        keys.to_string(),
    )
        .into_response())
}

/// The certificate as a PDF (A4, bilingual labels, with the QR code of its verification address),
/// for the readers of its case.
#[utoipa::path(get, path = "/api/v1/certificates/{id}/pdf", tag = "certificates",
    params(("id" = String, Path, description = "The certificate's id")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The certificate is not genuine, so it is not printed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The certificate font is not installed on the server", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn pdf(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Extension(p): Extension<crate::i18n::Prefs>,
    ApiPath(id): ApiPath<String>,
) -> Result<axum::response::Response, Problem> {
    let file = state.app.certificate_pdf(&auth, &id, p.lang).await?;
    Ok(super::cases::attachment(
        "application/pdf",
        &file.file_name,
        file.bytes,
    ))
}

/// Revoke a certificate, with the reason verification will show. The item's officers, with a
/// fresh second factor.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/revoke", operation_id = "revoke_certificate", tag = "certificates", request_body = RevokeBody,
    params(("id" = String, Path, description = "The certificate's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Signed out, or the decision needs a fresh second factor", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<StatusCode, Problem> {
    state
        .app
        .revoke_certificate(&auth, &id, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
