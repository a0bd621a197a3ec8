//! HTML pages. Handlers gather view models in the request's language; templates only lay them out.

mod account;
mod admin;
mod admin_calendar;
mod admin_stations;
mod api_tokens;
mod apply;
mod apply_steps;
mod audit;
mod care;
mod care_board;
mod case_status;
mod cases;

#[cfg(test)]
pub(crate) use cases::{relation_words, state_key, step_key};
pub(crate) use consultations::message_line;
mod catalog;
mod certificates;
mod consultations;
mod evaluations;
mod fees;
mod form;
mod grants;
mod green_channel;
mod guides;
mod hall;
mod mandates;
mod notifications;
mod password_reset;
mod people;
mod persons;
mod search;
mod signup;
mod stations;
mod stats;
pub(crate) mod video;
mod wechat_link;
pub(crate) mod work;

use askama::Template;
use axum::Extension;
use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use qiaoyi_app::{AppError, Reason};

use crate::AppState;
use crate::failure::classify;
use crate::i18n::Prefs;
use crate::problem::Problem;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalog::home))
        .route("/catalog", get(catalog::all))
        .route("/catalog/{category}", get(catalog::category))
        .route("/items/{code}", get(catalog::item))
        .route("/guides", get(guides::list))
        .route("/guides/{code}", get(guides::one))
        .route("/stations", get(stations::list))
        .merge(account::router())
        .merge(admin::router())
        .merge(api_tokens::router())
        .merge(audit::router())
        .merge(admin_stations::router())
        .merge(admin_calendar::router())
        .merge(people::router())
        .merge(apply::router())
        .merge(cases::router())
        .merge(fees::router())
        .merge(certificates::router())
        .merge(persons::router())
        .merge(search::router())
        .merge(mandates::router())
        .merge(consultations::router())
        .merge(signup::router())
        .merge(password_reset::router())
        .merge(case_status::router())
        .merge(notifications::router())
        .merge(stats::router())
        .merge(green_channel::router())
        .merge(video::router())
        .merge(care::router())
        .merge(care_board::router())
        .merge(wechat_link::router())
        .merge(hall::router())
        .merge(evaluations::router())
}

/// A page that could not be shown, rendered as a page in the reader's language.
pub struct PageError(Box<(Prefs, AppError)>);

pub type PageResult = Result<Response, PageError>;

/// Attaches the reader's preferences to an error so it can be shown in their language.
pub trait ForPage<T> {
    fn for_page(self, prefs: &Prefs) -> Result<T, PageError>;
}

impl<T> ForPage<T> for Result<T, AppError> {
    fn for_page(self, prefs: &Prefs) -> Result<T, PageError> {
        self.map_err(|error| PageError(Box::new((prefs.clone(), error))))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    message: String,
}

/// The page for a request over one of the per-address limits.
pub(crate) fn too_many(p: &Prefs) -> Response {
    message_page(
        p,
        StatusCode::TOO_MANY_REQUESTS,
        "error-rate-limited-title",
        "error-rate-limited",
    )
}

/// A page with just a title and a message, e.g. a refusal.
pub fn message_page(p: &Prefs, status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        p,
        title: p.t(title),
        section: "",
        message: p.t(message),
    };
    (status, render(&page)).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (p, error) = &*self.0;
        match error {
            AppError::Unauthenticated => {
                let next =
                    serde_urlencoded::to_string([("next", p.path.as_str())]).unwrap_or_default();
                return axum::response::Redirect::to(&format!("/login?{next}")).into_response();
            }
            AppError::SecondFactorRequired => {
                return axum::response::Redirect::to("/login/second-factor").into_response();
            }
            AppError::FreshSecondFactorRequired => {
                let next =
                    serde_urlencoded::to_string([("next", p.path.as_str())]).unwrap_or_default();
                return axum::response::Redirect::to(&format!("/login/second-factor?{next}"))
                    .into_response();
            }
            _ => {}
        }
        let failure = classify(error);
        crate::failure::log(&failure, error, "page");
        message_page(p, failure.status, failure.title_key, failure.message_key)
    }
}

/// Renders a template; a template error is logged and shown as a plain 500 rather than a panic.
fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Unknown paths: problem JSON under `/api/`, a page in the reader's language elsewhere.
pub async fn not_found(uri: Uri, Extension(prefs): Extension<Prefs>) -> Response {
    if uri.path().starts_with("/api/") {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "no-route",
            format!("no API route {}; see /api/v1/openapi.json", uri.path()),
        )
        .into_response();
    }
    PageError(Box::new((prefs, AppError::NotFound(uri.path().to_owned())))).into_response()
}

/// A page number from a link. Anything that is not a positive number shows the first page rather
/// than an error: these links get shared and mangled.
pub(crate) fn page_number(raw: Option<&str>) -> u64 {
    raw.and_then(|n| n.parse::<u64>().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1)
}

/// Fee as readers expect it: free, or yuan with fen only when there are any.
fn fee_text(p: &Prefs, fee_fen: u32) -> String {
    if fee_fen == 0 {
        return p.t("fee-free");
    }
    let amount = if fee_fen.is_multiple_of(100) {
        (fee_fen / 100).to_string()
    } else {
        format!("{}.{:02}", fee_fen / 100, fee_fen % 100)
    };
    p.t1("fee-amount", "amount", amount)
}

/// A QR code of `text` as an inline `<svg>` element (without the XML prologue), black on white.
pub(crate) fn qr_svg(text: &str) -> String {
    let svg = qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .dark_color(qrcode::render::svg::Color("#000000"))
                .light_color(qrcode::render::svg::Color("#ffffff"))
                .build()
        })
        .unwrap_or_default();
    svg.find("<svg")
        .map(|i| svg[i..].to_owned())
        .unwrap_or_default()
}

/// What a form that sends one file (field `file`) brought.
pub(crate) enum SentFile {
    File(String, Vec<u8>),
    Missing,
    TooLarge,
}

/// Reads the `file` field of a multipart form, ignoring the others.
pub(crate) async fn sent_file(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> SentFile {
    let Ok(mut multipart) = multipart else {
        return SentFile::Missing;
    };
    let mut sent = SentFile::Missing;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    // A form sent without choosing a file carries an empty part.
                    Ok(bytes) if bytes.is_empty() && name.is_empty() => {}
                    Ok(bytes) => sent = SentFile::File(name, bytes.to_vec()),
                    Err(_) => return SentFile::TooLarge,
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => return sent,
            Err(_) => return SentFile::TooLarge,
        }
    }
}

/// The message for a refused upload, in the reader's language.
pub(crate) fn upload_error(p: &Prefs, error: AppError) -> Result<account::FieldError, PageError> {
    let key = match &error {
        AppError::Invalid {
            reason: Reason::TooLarge,
            ..
        } => "case-error-file-size",
        AppError::Invalid { .. } => "case-error-file",
        _ => return Err(error).for_page(p),
    };
    Ok(account::FieldError {
        field: "file",
        message: p.t(key),
    })
}
