//! Administrators keep the overseas stations over the API: the body has the shape `GET
//! /api/v1/stations` returns, so a client can read a station, change it and put it back.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::AppError;
use qiaoyi_app::Reason;
use qiaoyi_app::admin::StationSave;
use qiaoyi_app::domain::access::Action;
use qiaoyi_app::domain::catalog::station::parse_day;
use qiaoyi_app::domain::catalog::{ClockTime, OpeningHours, Station};
use serde::Deserialize;
use utoipa::ToSchema;

use super::catalog::{LocalizedText, StationView};
use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    /// `mon` … `sun`
    days: Vec<String>,
    /// Local time, `HH:MM`.
    open: String,
    close: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StationBody {
    /// Optional; when given it must be the code in the path.
    #[serde(default)]
    code: Option<String>,
    name: LocalizedText,
    city: LocalizedText,
    /// ISO 3166-1 alpha-2; the code starts with it.
    country: String,
    /// IANA time zone, e.g. `Europe/Rome`.
    time_zone: String,
    /// ISO 639-1 codes spoken at the station.
    languages: Vec<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    hours: Vec<HoursBody>,
}

fn invalid(field: &'static str, message: String) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message,
    }
}

impl StationBody {
    fn into_station(self, code: &str) -> Result<Station, AppError> {
        if self.code.as_deref().is_some_and(|c| c != code) {
            return Err(invalid(
                "code",
                format!("the body names another station than the path's {code}"),
            ));
        }
        let code = code.parse().map_err(|e: String| invalid("code", e))?;
        let mut hours = Vec::with_capacity(self.hours.len());
        for (h, period) in self.hours.into_iter().enumerate() {
            let days = period
                .days
                .iter()
                .map(|d| {
                    parse_day(d).ok_or_else(|| {
                        invalid(
                            "hours",
                            format!("hours[{h}].days: \"{d}\" is not mon, tue, wed, thu, fri, sat or sun"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            let time = |t: String| {
                ClockTime::try_from(t).map_err(|e| invalid("hours", format!("hours[{h}]: {e}")))
            };
            hours.push(OpeningHours {
                days,
                open: time(period.open)?,
                close: time(period.close)?,
            });
        }
        Ok(Station {
            code,
            name: self.name.into(),
            city: self.city.into(),
            country: self.country,
            time_zone: self.time_zone,
            languages: self.languages,
            address: self.address.filter(|a| !a.trim().is_empty()),
            hours,
        })
    }
}

/// Adds or replaces a station (administrators). From then on catalogue imports leave it alone.
#[utoipa::path(put, path = "/api/v1/stations/{code}", tag = "catalogue", request_body = StationBody,
    params(("code" = String, Path, description = "e.g. `FR-LYO`")),
    responses(
        (status = 200, description = "Replaced", body = StationView),
        (status = 201, description = "Added", body = StationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn put(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(code): ApiPath<String>,
    request: Request,
) -> Result<(StatusCode, Json<StationView>), Problem> {
    // Who may write is settled before the body is judged, so strangers learn nothing from its errors.
    auth.may(&state.app, Action::ManageCatalogue).await?;
    let ApiJson(body) = ApiJson::<StationBody>::from_request(request, &()).await?;
    let station = body.into_station(&code)?;
    let created = state
        .app
        .save_station(&auth, &station, StationSave::CreateOrReplace)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(StationView::from(&station))))
}
