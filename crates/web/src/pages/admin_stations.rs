//! The administrator's stations: the list with what depends on each station, and the form that adds
//! or edits one. Stations saved here are the administrators' own: catalogue imports leave them alone.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Extension, Form, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::admin::StationSave;
use qiaoyi_app::domain::access::Action;
use qiaoyi_app::domain::catalog::Station;
use qiaoyi_app::domain::catalog::station::{format_hours, parse_hours};
use qiaoyi_app::domain::lang::Text;
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/stations", get(list).post(create))
        .route("/admin/stations/new", get(new_form))
        .route("/admin/stations/{code}", get(edit_form).post(replace))
}

struct StationLine {
    code: String,
    name: String,
    place: String,
    staff: i64,
    cases: i64,
    edited_here: bool,
}

#[derive(Template)]
#[template(path = "admin_stations.html")]
struct ListPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    stations: Vec<StationLine>,
}

async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let records = state.app.station_records(&auth).await.for_page(&p)?;
    let view = ListPage {
        title: p.t("admin-stations-title"),
        section: "account",
        stations: records
            .into_iter()
            .map(|r| StationLine {
                code: r.station.code.to_string(),
                name: r.station.name.get(p.lang).to_owned(),
                place: format!(
                    "{}, {}",
                    r.station.city.get(p.lang),
                    p.t_or(
                        &format!("country-{}", r.station.country),
                        &r.station.country
                    )
                ),
                staff: r.staff,
                cases: r.cases,
                edited_here: r.edited_by_admin,
            })
            .collect(),
        p: &p,
    };
    Ok(render(&view).into_response())
}

/// The form as typed: every field is text so that nothing typed is lost when it is sent back.
#[derive(Deserialize, Default, Clone)]
pub struct StationForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_it: String,
    #[serde(default)]
    name_es: String,
    #[serde(default)]
    city_zh: String,
    #[serde(default)]
    city_en: String,
    #[serde(default)]
    city_it: String,
    #[serde(default)]
    city_es: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    hours: String,
}

impl StationForm {
    fn from_station(s: &Station) -> Self {
        StationForm {
            code: s.code.to_string(),
            country: s.country.clone(),
            name_zh: s.name.zh.clone(),
            name_en: s.name.en.clone(),
            name_it: s.name.it.clone(),
            name_es: s.name.es.clone(),
            city_zh: s.city.zh.clone(),
            city_en: s.city.en.clone(),
            city_it: s.city.it.clone(),
            city_es: s.city.es.clone(),
            time_zone: s.time_zone.clone(),
            languages: s.languages.join(", "),
            address: s.address.clone().unwrap_or_default(),
            hours: format_hours(&s.hours),
        }
    }

    /// The station the form describes, or the first field a person must fix.
    fn station(&self, p: &Prefs) -> Result<Station, FieldError> {
        let code = self
            .code
            .trim()
            .to_uppercase()
            .parse()
            .map_err(|_: String| field_error(p, "code"))?;
        let hours = parse_hours(&self.hours).map_err(|e| FieldError {
            field: "hours",
            message: p.t1("station-error-hours-line", "number", e.line as i64),
        })?;
        let text = |zh: &str, en: &str, it: &str, es: &str| Text {
            zh: zh.trim().to_owned(),
            en: en.trim().to_owned(),
            it: it.trim().to_owned(),
            es: es.trim().to_owned(),
        };
        Ok(Station {
            code,
            name: text(&self.name_zh, &self.name_en, &self.name_it, &self.name_es),
            city: text(&self.city_zh, &self.city_en, &self.city_it, &self.city_es),
            country: self.country.trim().to_uppercase(),
            time_zone: self.time_zone.trim().to_owned(),
            languages: self
                .languages
                .split([',', ' ', '，'])
                .map(|l| l.trim().to_lowercase())
                .filter(|l| !l.is_empty())
                .collect(),
            address: Some(self.address.trim().to_owned()).filter(|a| !a.is_empty()),
            hours,
        })
    }
}

fn field_error(p: &Prefs, field: &'static str) -> FieldError {
    let key = match field {
        "code" => "station-error-code",
        "country" => "station-error-country",
        "name" => "station-error-name",
        "city" => "station-error-city",
        "time_zone" => "station-error-time-zone",
        "languages" => "station-error-languages",
        "address" => "station-error-address",
        _ => "station-error-hours",
    };
    // The form has one input per language; the summary links to the first.
    let field = match field {
        "name" => "name_zh",
        "city" => "city_zh",
        other => other,
    };
    FieldError {
        field,
        message: p.t(key),
    }
}

#[derive(Template)]
#[template(path = "admin_station.html")]
struct FormPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    /// Empty for a new station.
    code: String,
    form: StationForm,
    errors: Vec<FieldError>,
}

fn form_page(p: &Prefs, code: &str, form: StationForm, errors: Vec<FieldError>) -> PageResult {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = FormPage {
        title: if code.is_empty() {
            p.t("admin-station-new")
        } else {
            p.t1("admin-station-edit", "code", code.to_owned())
        },
        section: "account",
        code: code.to_owned(),
        form,
        errors,
        p,
    };
    Ok((status, render(&view)).into_response())
}

async fn new_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    // The same permission as saving: nobody else is shown an empty form they cannot send.
    auth.may(&state.app, Action::ManageCatalogue)
        .await
        .for_page(&p)?;
    form_page(&p, "", StationForm::default(), Vec::new())
}

async fn edit_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(code): Path<String>,
) -> PageResult {
    let station = state
        .app
        .station_for_edit(&auth, &code)
        .await
        .for_page(&p)?;
    form_page(&p, &code, StationForm::from_station(&station), Vec::new())
}

async fn save(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    code: &str,
    form: StationForm,
) -> PageResult {
    let mode = if code.is_empty() {
        StationSave::Create
    } else {
        StationSave::Replace
    };
    let station = match form.station(p) {
        Ok(station) => station,
        Err(error) => return form_page(p, code, form, vec![error]),
    };
    match state.app.save_station(auth, &station, mode).await {
        Ok(_) => Ok(Redirect::to("/admin/stations").into_response()),
        Err(AppError::Invalid { field, .. }) => {
            form_page(p, code, form, vec![field_error(p, field)])
        }
        Err(other) => Err(other).for_page(p),
    }
}

async fn create(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<StationForm>,
) -> PageResult {
    // Who may add a station is settled before the form is judged.
    auth.may(&state.app, Action::ManageCatalogue)
        .await
        .for_page(&p)?;
    save(&state, &p, &auth, "", form).await
}

async fn replace(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(code): Path<String>,
    Form(mut form): Form<StationForm>,
) -> PageResult {
    // The code and country of an existing station are not the form's to change.
    let station = state
        .app
        .station_for_edit(&auth, &code)
        .await
        .for_page(&p)?;
    form.code = station.code.to_string();
    form.country = station.country;
    save(&state, &p, &auth, &code, form).await
}
