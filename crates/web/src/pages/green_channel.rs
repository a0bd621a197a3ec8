//! The green channel on pages: the request form on a case's page (grounds, statement, evidence),
//! the duty leaders' board with each request's countdown to escalation and the decision forms,
//! and evidence downloads.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::domain::green_channel::{GreenRequest, Ground};
use qiaoyi_app::green_channel::{GreenDecisionInput, GreenRequestInput};
use qiaoyi_app::{Reason, StoreError};
use serde::Deserialize;

use super::account::{FieldError, when};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/green-channel", post(request))
        .route("/green-channel", get(board))
        .route("/green-channel/{id}/decision", post(decide))
        .route("/green-channel/{id}/evidence/{seq}", get(evidence))
}

/// A request as the case page and the board show it.
pub struct RequestLine {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub item: String,
    pub person: String,
    pub state: String,
    pub ground: String,
    pub statement: String,
    pub requested_by: String,
    pub role: String,
    pub requested_at: String,
    pub evidence: Vec<i64>,
    pub due_on: String,
    pub days: i64,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: String,
    /// Minutes left before escalation, or that it escalated; empty once decided.
    pub countdown: String,
    pub escalated: bool,
    /// On the board: the working days an approval grants unless changed.
    pub default_days: i64,
}

/// The grounds offered, in the reader's language.
pub fn grounds(p: &Prefs) -> Vec<(&'static str, String)> {
    Ground::ALL
        .iter()
        .map(|g| (g.as_str(), p.t(&format!("green-ground-{}", g.as_str()))))
        .collect()
}

pub fn request_line(p: &Prefs, g: &GreenRequest) -> RequestLine {
    let role = g.requested_role.map(|r| r.as_str()).unwrap_or_default();
    RequestLine {
        id: g.id.clone(),
        case_id: g.case_id.clone(),
        case_number: g.case_number.clone(),
        item: g.item_code.clone(),
        person: g.person_name.clone(),
        state: p.t(&format!("green-state-{}", g.state.as_str())),
        ground: p.t(&format!("green-ground-{}", g.ground.as_str())),
        statement: g.statement.clone(),
        requested_by: g.requested_by_name.clone(),
        role: p.t(&format!("role-{role}")),
        requested_at: when(g.requested_at),
        evidence: (1..=g.evidence).collect(),
        due_on: g.due_on.map(|d| d.to_string()).unwrap_or_default(),
        days: g.days.unwrap_or_default(),
        reason: g.reason.clone(),
        decided_by: g.decided_by_name.clone(),
        decided_at: g.decided_at.map(when).unwrap_or_default(),
        countdown: String::new(),
        escalated: false,
        default_days: 0,
    }
}

fn field_error(p: &Prefs, error: AppError) -> Result<FieldError, super::PageError> {
    let (field, key) = match &error {
        AppError::Invalid {
            field: "ground", ..
        } => ("ground", "green-error-ground"),
        AppError::Invalid {
            field: "statement", ..
        } => ("statement", "green-error-statement"),
        AppError::Invalid {
            field: "file",
            reason: Reason::TooLarge,
            ..
        } => ("evidence", "case-error-file-size"),
        AppError::Invalid { field: "file", .. } => ("evidence", "case-error-file"),
        AppError::Invalid { field: "case", .. } => ("ground", "green-error-case"),
        AppError::Invalid {
            field: "reason", ..
        } => ("reason", "green-error-reason"),
        AppError::Invalid { field: "days", .. } => ("days", "green-error-days"),
        AppError::Invalid {
            field: "decision", ..
        } => ("days", "green-error-days"),
        AppError::Store(StoreError::Conflict { .. }) => ("ground", "green-error-conflict"),
        _ => return Err(error).for_page(p),
    };
    Ok(FieldError {
        field,
        message: p.t(key),
    })
}

async fn request(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let mut input = GreenRequestInput::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    if let Ok(mut multipart) = multipart {
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) => match field.name() {
                    Some("ground") => input.ground = field.text().await.unwrap_or_default(),
                    Some("statement") => input.statement = field.text().await.unwrap_or_default(),
                    Some("file") => {
                        let name = field.file_name().unwrap_or_default().to_owned();
                        match field.bytes().await {
                            // A form sent without choosing a file carries an empty part.
                            Ok(bytes) if bytes.is_empty() && name.is_empty() => {}
                            Ok(bytes) => file = Some((name, bytes.to_vec())),
                            Err(_) => too_large = true,
                        }
                    }
                    _ => {}
                },
                Ok(None) => break,
                Err(_) => {
                    too_large = true;
                    break;
                }
            }
        }
    }
    if too_large {
        let error = FieldError {
            field: "evidence",
            message: p.t("case-error-file-size"),
        };
        return super::cases::case_with(&state, &p, &auth, &id, vec![error], None).await;
    }
    match state
        .app
        .request_green_channel(
            &auth,
            &id,
            &input,
            file.as_ref().map(|(n, c)| (n.as_str(), c.as_slice())),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#green-channel")).into_response()),
        Err(e) => {
            let error = field_error(&p, e)?;
            super::cases::case_with(&state, &p, &auth, &id, vec![error], None).await
        }
    }
}

#[derive(Template)]
#[template(path = "green_board.html")]
struct BoardPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    waiting: Vec<RequestLine>,
    decided: Vec<RequestLine>,
}

async fn board_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
) -> PageResult {
    let board = state.app.green_board(auth).await.for_page(p)?;
    let items = state.app.items(None).await.for_page(p)?;
    let waiting = board
        .waiting
        .iter()
        .map(|w| {
            let mut line = request_line(p, &w.request);
            line.escalated = w.escalated;
            line.countdown = if w.escalated {
                p.t("green-escalated")
            } else {
                p.t1("green-minutes-left", "count", w.minutes_left)
            };
            let item = items
                .iter()
                .find(|i| i.code.as_str() == w.request.item_code);
            if let Some(item) = item {
                line.item = format!("{} {}", item.code, item.name.get(p.lang));
            }
            line.default_days = item.map(|i| i64::from(i.green_channel_days)).unwrap_or(3);
            line
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = BoardPage {
        title: p.t("green-board-title"),
        section: "account",
        errors,
        waiting,
        decided: board.decided.iter().map(|g| request_line(p, g)).collect(),
        p,
    };
    Ok((status, render(&page)).into_response())
}

async fn board(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    board_page(&state, &p, &auth, Vec::new()).await
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> PageResult {
    let days = match form.days.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let error = FieldError {
                    field: "days",
                    message: p.t("green-error-days"),
                };
                return board_page(&state, &p, &auth, vec![error]).await;
            }
        },
    };
    let input = GreenDecisionInput {
        decision: form.decision,
        days,
        reason: form.reason,
    };
    match state.app.decide_green_channel(&auth, &id, &input).await {
        Ok(_) => Ok(Redirect::to("/green-channel").into_response()),
        Err(e) => {
            let error = field_error(&p, e)?;
            board_page(&state, &p, &auth, vec![error]).await
        }
    }
}

async fn evidence(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((id, seq)): Path<(String, i64)>,
) -> PageResult {
    let (row, content) = state
        .app
        .green_evidence(&auth, &id, seq)
        .await
        .for_page(&p)?;
    Ok(crate::api::cases::attachment(
        row.media_type.as_str(),
        &row.file_name,
        content,
    ))
}
