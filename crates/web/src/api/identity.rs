//! Identity numbers checked for the forms: a resident ID number and a machine-readable zone give
//! back their fields, or a 422 naming the part that failed. Public, so rate-limited per address.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::cases::beijing_today;
use qiaoyi_app::domain::identity::{Mrz, MrzFormat, ResidentId, Sex};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;
use crate::rate_limit::{Bucket, Limits};

#[derive(Deserialize, ToSchema)]
pub struct ResidentIdBody {
    /// 18 characters; a final lower-case x is accepted.
    number: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResidentIdView {
    /// The number as it should be written (upper-case X).
    number: String,
    /// The 6-digit administrative region code.
    region: String,
    /// `YYYY-MM-DD`
    birth_date: String,
    /// `male` or `female`.
    sex: &'static str,
}

fn sex_name(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

/// Check a resident identity card number (GB 11643): region, birth date and check character.
#[utoipa::path(post, path = "/api/v1/identity/resident-id", tag = "identity", request_body = ResidentIdBody,
    responses(
        (status = 200, body = ResidentIdView),
        (status = 422, description = "Invalid; `part` names what failed: shape, region, birth_date or check_character", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many checks from this address", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn resident_id(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<ResidentIdBody>,
) -> Result<Json<ResidentIdView>, Problem> {
    if !state.limits.allow(Bucket::Identity, &auth.client.address) {
        return Err(Limits::refused());
    }
    let id = ResidentId::parse(&body.number, qiaoyi_app::cases::beijing_today(auth.now)).map_err(
        |e| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-resident-id",
                e.advice(),
            )
            .with_field("number")
            .with_part(e.code())
        },
    )?;
    Ok(Json(ResidentIdView {
        number: id.expose().to_owned(),
        region: id.expose()[..6].to_owned(),
        birth_date: id.birth_date().to_string(),
        sex: sex_name(id.sex()),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct MrzBody {
    /// The zone's lines as printed: 2 of 44 characters (TD3, passports) or 3 of 30 (TD1, cards
    /// and travel permits).
    lines: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MrzView {
    /// `TD3` or `TD1`.
    format: &'static str,
    /// e.g. `P`, `PO`, `I`, `C`.
    document_code: String,
    issuing_state: String,
    surname: String,
    given_names: String,
    document_number: String,
    nationality: String,
    /// `YYYY-MM-DD`
    birth_date: String,
    /// `male`, `female`, or absent when unspecified.
    sex: Option<&'static str>,
    /// `YYYY-MM-DD`
    expiry_date: String,
    optional_data: String,
}

/// Read a machine-readable zone (ICAO 9303), checking every check digit.
#[utoipa::path(post, path = "/api/v1/identity/mrz", tag = "identity", request_body = MrzBody,
    responses(
        (status = 200, body = MrzView),
        (status = 422, description = "Invalid; `part` names what failed, e.g. check_digit.birth_date", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many checks from this address", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn mrz(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<MrzBody>,
) -> Result<Json<MrzView>, Problem> {
    if !state.limits.allow(Bucket::Identity, &auth.client.address) {
        return Err(Limits::refused());
    }
    if body.lines.len() > 3 || body.lines.iter().any(|l| l.len() > 200) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-mrz",
            "a zone is 2 lines of 44 characters or 3 lines of 30",
        )
        .with_field("lines")
        .with_part("shape.line_count"));
    }
    let zone = Mrz::parse(&body.lines, beijing_today(auth.now)).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-mrz",
            format!("{e}: {}", e.advice()),
        )
        .with_field("lines")
        .with_part(e.code())
    })?;
    Ok(Json(MrzView {
        format: match zone.format() {
            MrzFormat::Td3 => "TD3",
            MrzFormat::Td1 => "TD1",
        },
        document_code: zone.document_code().to_owned(),
        issuing_state: zone.issuing_state().to_owned(),
        surname: zone.surname().to_owned(),
        given_names: zone.given_names().to_owned(),
        document_number: zone.expose_document_number().to_owned(),
        nationality: zone.nationality().to_owned(),
        birth_date: zone.birth_date().to_string(),
        sex: zone.sex().map(sex_name),
        expiry_date: zone.expiry_date().to_string(),
        optional_data: [zone.optional_data_1(), zone.optional_data_2()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }))
}
