//! The care programme's board on pages: a coordinator's or volunteer's own profile, the pairing board
//! (pairings in force with overdue children first, and the proposal for waiting children, which
//! the coordinator adjusts and confirms), the board of micro-wishes, and activities with their
//! attendance.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Router};
use qiaoyi_app::care_board::{ActivityInput, WishStep};
use qiaoyi_app::care_pairing::{PairChoice, Pairing, Proposal, VolunteerInput};
use qiaoyi_app::domain::care::LANGUAGES;
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::care::{
    ActivityLine, ProxyLine, WishLine, activity_line, field_error, proxy_line, wish_line,
};
use super::form::{pairs, status_of, value, values};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

const PAGE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care/volunteer", get(volunteer).post(save_volunteer))
        .route("/care/visits", get(written_visits))
        .route("/care/pairing", get(pairing).post(confirm))
        .route("/care/wishes", get(wishes))
        .route("/care/wishes/{id}", post(advance))
        .route("/care/activities", get(activities).post(new_activity))
        .route("/care/activities/{id}", get(activity).post(attendance))
}

#[derive(Template)]
#[template(path = "care_volunteer.html")]
struct VolunteerPage<'a> {
    /// The care tabs show the coordinators' boards.
    coordinator: bool,
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    township: String,
    capacity: String,
    availability: String,
    load: i64,
    townships: Vec<String>,
    languages: Vec<(&'static str, String, bool)>,
    /// The children she is proxy parent to.
    mine: Vec<BoardLine>,
}

async fn volunteer_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    input: VolunteerInput,
    errors: Vec<FieldError>,
) -> PageResult {
    let mine: Vec<BoardLine> = state
        .app
        .my_proxy_children(auth)
        .await
        .for_page(p)?
        .iter()
        .map(|pairing| board_line(p, pairing))
        .collect();
    let page = VolunteerPage {
        coordinator: coordinator(state, auth),
        load: i64::try_from(mine.len()).unwrap_or(i64::MAX),
        mine,
        title: p.t("care-volunteer-title"),
        section: "account",
        townships: state
            .app
            .townships()
            .iter()
            .map(|t| t.name.clone())
            .collect(),
        languages: LANGUAGES
            .iter()
            .map(|l| {
                (
                    *l,
                    p.t(&format!("care-language-{l}")),
                    input.languages.iter().any(|x| x == l),
                )
            })
            .collect(),
        township: input.township,
        capacity: input.capacity,
        availability: input.availability,
        p,
        errors,
    };
    Ok((status_of(&page.errors), render(&page)).into_response())
}

async fn volunteer(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let mine = state.app.my_volunteer_profile(&auth).await.for_page(&p)?;
    let input = match mine {
        Some(v) => VolunteerInput {
            township: v.township,
            languages: v.languages.iter().map(|l| (*l).to_owned()).collect(),
            capacity: v.capacity.to_string(),
            availability: v.availability,
        },
        None => VolunteerInput {
            capacity: "1".into(),
            ..VolunteerInput::default()
        },
    };
    volunteer_page(&state, &p, &auth, input, Vec::new()).await
}

async fn save_volunteer(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = pairs(&body);
    let input = VolunteerInput {
        township: value(&form, "township"),
        languages: values(&form, "languages"),
        capacity: value(&form, "capacity"),
        availability: value(&form, "availability"),
    };
    match state.app.save_volunteer_profile(&auth, &input).await {
        Ok(_) => Ok(Redirect::to("/care/pairing").into_response()),
        Err(AppError::Invalid { field, reason, .. }) => {
            let error = if field == "capacity" && reason == Reason::BelowCurrentLoad {
                FieldError {
                    field,
                    message: p.t("care-error-capacity-below-load"),
                }
            } else {
                field_error(&p, field)
            };
            volunteer_page(&state, &p, &auth, input, vec![error]).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

/// A visit the signed-in volunteer recorded, on the page of her visits.
pub struct WrittenLine {
    child_id: String,
    child_name: String,
    paired_now: bool,
    visit: super::care::VisitLine,
}

#[derive(Template)]
#[template(path = "care_written.html")]
struct WrittenPage<'a> {
    /// The care tabs show the coordinators' boards.
    coordinator: bool,
    p: &'a Prefs,
    title: String,
    section: &'static str,
    visits: Vec<WrittenLine>,
}

/// The visits the signed-in volunteer recorded, kept after re-pairing.
async fn written_visits(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let visits = state
        .app
        .my_written_visits(&auth)
        .await
        .for_page(&p)?
        .into_iter()
        .map(|w| WrittenLine {
            child_id: w.child_id,
            child_name: w.child_name,
            paired_now: w.paired_now,
            visit: super::care::visit_line(&p, w.visit),
        })
        .collect();
    let page = WrittenPage {
        coordinator: coordinator(&state, &auth),
        title: p.t("care-written-title"),
        section: "account",
        visits,
        p: &p,
    };
    Ok(render(&page).into_response())
}

/// A line of the proposal as the page shows it.
pub struct ProposalLine {
    child_id: String,
    child_name: String,
    township: String,
    volunteer_id: String,
    volunteer_name: String,
    reason: String,
}

/// A pairing in force on the board.
pub struct BoardLine {
    child_id: String,
    child_name: String,
    township: String,
    proxy: ProxyLine,
}

fn board_line(p: &Prefs, pairing: &Pairing) -> BoardLine {
    BoardLine {
        child_id: pairing.row.child_id.clone(),
        child_name: pairing.child_name.clone(),
        township: pairing.row.township.clone(),
        proxy: proxy_line(p, pairing),
    }
}

#[derive(Template)]
#[template(path = "care_pairing.html")]
struct PairingPage<'a> {
    /// The care tabs show the coordinators' boards.
    coordinator: bool,
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    board: Vec<BoardLine>,
    overdue: usize,
    proposal: Vec<ProposalLine>,
    /// Why there is no proposal: no child waits, or no volunteer has room.
    no_proposal: Option<String>,
    volunteers: Vec<(String, String, String, i64)>,
}

fn proposal_lines(p: &Prefs, proposal: Proposal) -> Vec<ProposalLine> {
    proposal
        .pairs
        .into_iter()
        .map(|pair| {
            let mut reason = Vec::new();
            if let Some(km) = pair.km {
                reason.push(p.t1("care-km", "count", km));
            }
            if pair.volunteer_id.is_some() && !pair.common_language {
                reason.push(p.t("care-no-common-language"));
            }
            if pair.preferred {
                reason.push(p.t("care-family-preferred"));
            }
            ProposalLine {
                child_id: pair.child_id,
                child_name: pair.child_name,
                township: pair.child_township,
                volunteer_id: pair.volunteer_id.unwrap_or_default(),
                volunteer_name: pair.volunteer_name,
                reason: reason.join(" · "),
            }
        })
        .collect()
}

async fn pairing_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
) -> PageResult {
    let pairings = state.app.pairings_in_force(auth).await.for_page(p)?;
    let board: Vec<BoardLine> = pairings.iter().map(|x| board_line(p, x)).collect();
    let (proposal, no_proposal, volunteers) = match state.app.propose_pairings(auth).await {
        Ok(proposal) => {
            let volunteers = proposal
                .volunteers
                .iter()
                .map(|v| {
                    (
                        v.user_id.clone(),
                        v.name.clone(),
                        v.township.clone(),
                        v.capacity - v.load,
                    )
                })
                .collect();
            (proposal_lines(p, proposal), None, volunteers)
        }
        Err(AppError::Invalid { field, .. }) => (
            Vec::new(),
            Some(p.t(if field == "children" {
                "care-nobody-waiting"
            } else {
                "care-no-volunteers"
            })),
            Vec::new(),
        ),
        Err(other) => return Err(other).for_page(p),
    };
    let page = PairingPage {
        coordinator: true,
        title: p.t("care-pairing-title"),
        section: "account",
        overdue: pairings.iter().filter(|x| x.overdue).count(),
        board,
        proposal,
        no_proposal,
        volunteers,
        p,
        errors,
    };
    Ok((status_of(&page.errors), render(&page)).into_response())
}

async fn pairing(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    pairing_page(&state, &p, &auth, Vec::new()).await
}

/// Confirms the proposal as adjusted: one `child` field and one `volunteer_{child}` field per
/// line; a line left without a volunteer waits.
async fn confirm(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = pairs(&body);
    let chosen: Vec<PairChoice> = values(&form, "child")
        .into_iter()
        .map(|child| PairChoice {
            volunteer: value(&form, &format!("volunteer_{child}")),
            child,
            replaces: String::new(),
        })
        .filter(|choice| !choice.volunteer.is_empty())
        .collect();
    match state.app.confirm_pairings(&auth, &chosen).await {
        Ok(_) => Ok(Redirect::to("/care/pairing").into_response()),
        Err(AppError::Invalid { reason, .. }) => {
            let key = if reason == Reason::Full {
                "care-error-full"
            } else if chosen.is_empty() {
                "care-error-pairs"
            } else if reason == Reason::AlreadyPaired {
                "care-error-same-proxy"
            } else {
                "care-error-volunteer"
            };
            let error = FieldError {
                field: "pairs",
                message: p.t(key),
            };
            pairing_page(&state, &p, &auth, vec![error]).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "care_wishes.html")]
struct WishesPage<'a> {
    /// The care tabs show the coordinators' boards.
    coordinator: bool,
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    state: String,
    states: Vec<(&'static str, String)>,
    wishes: Vec<WishLine>,
    /// The wish the errors belong to.
    error_wish: String,
    total: u64,
    previous: Option<u64>,
    next: Option<u64>,
}

#[derive(Deserialize, Default)]
pub struct WishQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    offset: u64,
}

async fn wishes_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    q: WishQuery,
    errors: Vec<FieldError>,
    error_wish: String,
) -> PageResult {
    let wanted = q.state.unwrap_or_else(|| "open".into());
    let page = state
        .app
        .care_wishes(auth, &wanted, q.offset, PAGE)
        .await
        .for_page(p)?;
    let next = q.offset.saturating_add(PAGE);
    let view = WishesPage {
        coordinator: true,
        title: p.t("care-wishes-title"),
        section: "account",
        states: ["open", "taken", "fulfilled", ""]
            .into_iter()
            .map(|s| {
                let key = if s.is_empty() {
                    "care-wish-state-all".to_owned()
                } else {
                    format!("care-wish-state-{s}")
                };
                (s, p.t(&key))
            })
            .collect(),
        previous: q.offset.checked_sub(PAGE).or((q.offset > 0).then_some(0)),
        next: (next < page.total).then_some(next),
        total: page.total,
        wishes: page.items.into_iter().map(|w| wish_line(p, w)).collect(),
        state: wanted,
        error_wish,
        errors,
        p,
    };
    Ok((status_of(&view.errors), render(&view)).into_response())
}

async fn wishes(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<WishQuery>,
) -> PageResult {
    wishes_page(&state, &p, &auth, q, Vec::new(), String::new()).await
}

/// Takes a wish up (by the signed-in volunteer or a named donor) or records it fulfilled.
async fn advance(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = pairs(&body);
    let to = value(&form, "to");
    let step = WishStep {
        to: &to,
        donor: &value(&form, "donor"),
        note: &value(&form, "note"),
    };
    let from = if to == "taken" { "open" } else { "taken" };
    match state.app.advance_wish(&auth, &id, &step).await {
        Ok(w) => {
            Ok(Redirect::to(&format!("/care/wishes?state={}", w.state.as_str())).into_response())
        }
        Err(AppError::Invalid { field, .. }) => {
            let q = WishQuery {
                state: Some(from.into()),
                offset: 0,
            };
            let field = if field == "note" { "note" } else { "donor" };
            wishes_page(&state, &p, &auth, q, vec![field_error(&p, field)], id).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "care_activities.html")]
struct ActivitiesPage<'a> {
    /// The care tabs show the coordinators' boards.
    coordinator: bool,
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    activities: Vec<ActivityLine>,
    form: ActivityInput,
    townships: Vec<String>,
    total: u64,
    previous: Option<u64>,
    next: Option<u64>,
}

#[derive(Deserialize, Default)]
pub struct OffsetQuery {
    #[serde(default)]
    offset: u64,
}

async fn activities_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    offset: u64,
    form: ActivityInput,
    errors: Vec<FieldError>,
) -> PageResult {
    let page = state
        .app
        .care_activities(auth, offset, PAGE)
        .await
        .for_page(p)?;
    let next = offset.saturating_add(PAGE);
    let view = ActivitiesPage {
        coordinator: true,
        title: p.t("care-activities-title"),
        section: "account",
        previous: offset.checked_sub(PAGE).or((offset > 0).then_some(0)),
        next: (next < page.total).then_some(next),
        total: page.total,
        activities: page
            .items
            .into_iter()
            .map(|a| activity_line(p, a))
            .collect(),
        townships: state
            .app
            .townships()
            .iter()
            .map(|t| t.name.clone())
            .collect(),
        form,
        errors,
        p,
    };
    Ok((status_of(&view.errors), render(&view)).into_response())
}

async fn activities(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<OffsetQuery>,
) -> PageResult {
    activities_page(
        &state,
        &p,
        &auth,
        q.offset,
        ActivityInput::default(),
        Vec::new(),
    )
    .await
}

async fn new_activity(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = pairs(&body);
    let input = ActivityInput {
        theme: value(&form, "theme"),
        date: value(&form, "date"),
        township: value(&form, "township"),
        place: value(&form, "place"),
        organisers: value(&form, "organisers"),
    };
    match state.app.record_activity(&auth, &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/care/activities/{}", a.id)).into_response()),
        Err(AppError::Invalid { field, .. }) => {
            let field = if field == "date" {
                "activity_date"
            } else {
                field
            };
            activities_page(&state, &p, &auth, 0, input, vec![field_error(&p, field)]).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "care_activity.html")]
struct ActivityPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    activity: ActivityLine,
    children: Vec<qiaoyi_app::care_board::Attendee>,
    volunteers: Vec<qiaoyi_app::care_board::Attendee>,
}

async fn activity_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    errors: Vec<FieldError>,
) -> PageResult {
    let a = state.app.care_activity(auth, id).await.for_page(p)?;
    let view = ActivityPage {
        title: a.row.theme.clone(),
        section: "account",
        activity: activity_line(p, a.row),
        children: a.children,
        volunteers: a.volunteers,
        errors,
        p,
    };
    Ok((status_of(&view.errors), render(&view)).into_response())
}

async fn activity(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    activity_page(&state, &p, &auth, &id, Vec::new()).await
}

async fn attendance(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = pairs(&body);
    match state
        .app
        .record_attendance(
            &auth,
            &id,
            &values(&form, "children"),
            &values(&form, "volunteers"),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/care/activities/{id}")).into_response()),
        Err(AppError::Invalid { field, .. }) => {
            let field = if field == "children" {
                "children"
            } else {
                "volunteers"
            };
            activity_page(&state, &p, &auth, &id, vec![field_error(&p, field)]).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

/// Whether the signed-in user coordinates the care programme (the tabs of its boards are hers).
pub(super) fn coordinator(state: &AppState, auth: &Auth) -> bool {
    auth.session
        .as_ref()
        .is_some_and(|s| state.app.coordinates_care(&s.actor))
}
