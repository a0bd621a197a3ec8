//! A station's service hall on pages: taking a number on her phone (the address of the hall's QR
//! code) or at the hall's kiosk, the page her phone follows her number on, the staff's desk
//! (calling to a window, recalling, sending to another service, served, not come, numbers given
//! at reception), the display for the hall's screen, and the rules an administrator sets.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Router};
use qiaoyi_app::domain::access::Grant;
use qiaoyi_app::domain::evaluation::Subject;
use qiaoyi_app::domain::hall::{Priority, QueueRules, TakenVia, Ticket, TicketState};
use qiaoyi_app::hall::{CallInput, FollowedNumber, Hall, HallDay, TakeInput, TicketMove};
use qiaoyi_app::{AppError, Reason};

use super::account::{FieldError, FieldErrors};
use super::form::{pairs, status_of, value, values};
use super::{ForPage, PageResult, qr_svg, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::rate_limit::Bucket;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hall", get(my_halls))
        .route("/halls/{station}", get(take_page).post(take_on_phone))
        .route(
            "/halls/{station}/kiosk",
            get(kiosk_page).post(take_at_kiosk),
        )
        .route("/halls/{station}/display", get(display))
        .route("/halls/{station}/desk", get(desk))
        .route("/halls/{station}/desk/call", post(call_next))
        .route("/halls/{station}/desk/reception", post(take_at_reception))
        .route("/halls/{station}/desk/numbers/{id}", post(move_number))
        .route("/hall/numbers/{secret}", get(number_page))
        .route("/hall/numbers/{secret}/give-back", post(give_back))
        .route(
            "/admin/stations/{station}/hall",
            get(rules_page).post(save_rules),
        )
}

/// A service to choose, with how many wait for it.
pub struct GroupChoice {
    pub code: String,
    pub letter: char,
    pub name: String,
    pub checked: bool,
    pub waiting: usize,
}

/// A priority to choose.
pub struct PriorityChoice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

fn group_choices(
    p: &Prefs,
    hall: &Hall,
    checked: &[String],
    day: Option<&HallDay>,
) -> Vec<GroupChoice> {
    hall.groups
        .iter()
        .map(|g| GroupChoice {
            code: g.code.to_string(),
            letter: g.letter,
            name: g.name.get(p.lang).to_owned(),
            checked: checked.iter().any(|c| c == g.code.as_str()),
            waiting: day.map_or(0, |d| d.waiting().filter(|t| t.group == g.code).count()),
        })
        .collect()
}

fn priority_label(p: &Prefs, priority: Priority) -> String {
    p.t(&format!("hall-priority-{}", priority.as_str()))
}

fn priority_choices(p: &Prefs, staff: bool, checked: &str) -> Vec<PriorityChoice> {
    Priority::ALL
        .into_iter()
        .filter(|pr| staff || pr.claimable())
        .map(|pr| PriorityChoice {
            value: pr.as_str(),
            label: priority_label(p, pr),
            checked: checked == pr.as_str(),
        })
        .collect()
}

/// A time of the hall's day as the hall's clocks show it (`09:42`), in the station's zone.
fn hall_time(ms: i64, hall: &Hall) -> String {
    let zone = jiff::tz::TimeZone::get(&hall.station.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(zone).strftime("%H:%M").to_string())
        .unwrap_or_default()
}

fn group_name(p: &Prefs, hall: &Hall, ticket: &Ticket) -> String {
    hall.groups
        .iter()
        .find(|g| g.code == ticket.group)
        .map(|g| g.name.get(p.lang).to_owned())
        .unwrap_or_else(|| ticket.group.to_string())
}

#[derive(Template)]
#[template(path = "hall_take.html")]
struct TakePage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    station: String,
    open: bool,
    kiosk: bool,
    groups: Vec<GroupChoice>,
    priorities: Vec<PriorityChoice>,
    errors: Vec<FieldError>,
}

/// The form as it came back.
#[derive(Default)]
struct TakeForm {
    group: String,
    priority: String,
}

impl TakeForm {
    fn from_body(body: &[u8]) -> TakeForm {
        let pairs = pairs(body);
        TakeForm {
            group: value(&pairs, "group"),
            priority: value(&pairs, "priority"),
        }
    }
}

async fn take_form(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    station: &str,
    kiosk: bool,
    form: TakeForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let day = if kiosk {
        state.app.hall_desk(auth, station).await.for_page(p)?
    } else {
        state.app.hall_day_of(station, auth.now).await.for_page(p)?
    };
    let view = TakePage {
        title: p.t("hall-take-title"),
        section: "stations",
        station: day.hall.station.name.get(p.lang).to_owned(),
        open: kiosk || day.hall.open,
        kiosk,
        groups: group_choices(p, &day.hall, &[form.group], Some(&day)),
        priorities: priority_choices(p, false, &form.priority),
        errors,
        p,
    };
    Ok((status_of(&view.errors), render(&view)).into_response())
}

async fn take_page(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
) -> PageResult {
    take_form(
        &state,
        &p,
        &auth,
        &station,
        false,
        TakeForm::default(),
        Vec::new(),
    )
    .await
}

async fn kiosk_page(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
) -> PageResult {
    take_form(
        &state,
        &p,
        &auth,
        &station,
        true,
        TakeForm::default(),
        Vec::new(),
    )
    .await
}

/// The message for a refused number, beside its field.
fn take_error(p: &Prefs, error: AppError) -> Result<FieldError, super::PageError> {
    let (field, key) = match &error {
        AppError::Invalid { field: "group", .. } => ("group", "hall-error-group"),
        AppError::Invalid {
            field: "priority", ..
        } => ("priority", "hall-error-priority"),
        AppError::Invalid { field: "hall", .. } => ("group", "hall-closed"),
        _ => return Err(error).for_page(p),
    };
    Ok(FieldError {
        field,
        message: p.t(key),
    })
}

async fn take(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    station: &str,
    via: TakenVia,
    body: &[u8],
) -> PageResult {
    let form = TakeForm::from_body(body);
    let input = TakeInput {
        group: form.group.clone(),
        priority: form.priority.clone(),
        lang: Some(p.lang),
    };
    match state.app.take_hall_number(auth, station, via, &input).await {
        Ok(taken) => Ok(Redirect::to(&format!(
            "/hall/numbers/{}{}",
            taken.follow,
            if via == TakenVia::Kiosk {
                "?kiosk=1"
            } else {
                ""
            }
        ))
        .into_response()),
        Err(e) => {
            let error = take_error(p, e)?;
            take_form(
                state,
                p,
                auth,
                station,
                via == TakenVia::Kiosk,
                form,
                vec![error],
            )
            .await
        }
    }
}

async fn take_on_phone(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    if !state.limits.allow(Bucket::HallNumber, &auth.client.address) {
        return Ok(super::too_many(&p));
    }
    take(&state, &p, &auth, &station, TakenVia::Phone, &body).await
}

async fn take_at_kiosk(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    take(&state, &p, &auth, &station, TakenVia::Kiosk, &body).await
}

#[derive(Template)]
#[template(path = "hall_number.html")]
struct NumberPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    label: String,
    station: String,
    station_code: String,
    group: String,
    state: &'static str,
    state_text: String,
    window: String,
    ahead: Option<u32>,
    wait_minutes: i64,
    near: bool,
    priority: String,
    taken_at: String,
    secret: String,
    /// On the kiosk's screen: the QR code to follow the number on her phone.
    kiosk_qr: Option<String>,
    given_back: bool,
    /// Once served: the level she rated the visit, or the form to rate it.
    rated: Option<String>,
    rating: super::evaluations::RatingForm,
    errors: Vec<FieldError>,
}

/// What the page's address query may say.
fn flag(query: &Option<String>, name: &str) -> bool {
    query
        .as_deref()
        .is_some_and(|q| pairs(q.as_bytes()).iter().any(|(k, _)| k == name))
}

async fn number_page(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(secret): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let FollowedNumber {
        ticket,
        hall,
        ahead,
        wait_ms,
        near,
    } = state
        .app
        .follow_hall_number(&secret, auth.now)
        .await
        .for_page(&p)?;
    let follow_url = format!(
        "{}/hall/numbers/{}",
        state.app.config().public_url.trim_end_matches('/'),
        secret
    );
    let rated = match ticket.state {
        TicketState::Served => state
            .app
            .evaluation_of(Subject::HallVisit, &ticket.id)
            .await
            .for_page(&p)?
            .map(|e| super::evaluations::rating_words(&p, &e)),
        _ => None,
    };
    let view = NumberPage {
        rated,
        rating: super::evaluations::RatingForm::new(
            &p,
            format!("/hall/numbers/{secret}/evaluation"),
            &Default::default(),
        ),
        errors: Vec::new(),
        title: p.t1("hall-number-title", "label", ticket.label.clone()),
        section: "stations",
        group: group_name(&p, &hall, &ticket),
        station: hall.station.name.get(p.lang).to_owned(),
        station_code: hall.station.code.to_string(),
        state: ticket.state.as_str(),
        state_text: p.t(&format!("hall-state-{}", ticket.state.as_str())),
        window: ticket.window.clone().unwrap_or_default(),
        ahead,
        wait_minutes: wait_ms.map_or(0, |ms| (ms + 59_999) / 60_000),
        near,
        priority: ticket
            .priority
            .map(|pr| priority_label(&p, pr))
            .unwrap_or_default(),
        taken_at: hall_time(ticket.taken_at, &hall),
        kiosk_qr: flag(&query, "kiosk").then(|| qr_svg(&follow_url)),
        given_back: flag(&query, "given-back"),
        label: ticket.label,
        secret,
        p: &p,
    };
    Ok(render(&view).into_response())
}

async fn give_back(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(secret): Path<String>,
) -> PageResult {
    match state.app.give_back_hall_number(&secret, auth.now).await {
        Ok(()) | Err(AppError::Invalid { .. }) => {
            Ok(Redirect::to(&format!("/hall/numbers/{secret}?given-back=1")).into_response())
        }
        Err(e) => Err(e).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "hall_display.html")]
struct DisplayPage<'a> {
    p: &'a Prefs,
    title: String,
    station_code: String,
    station: String,
    /// The station's zone: the screen's clock shows the hall's time.
    time_zone: String,
    calls: Vec<(String, String)>,
    groups: Vec<GroupChoice>,
    take_qr: String,
}

async fn display(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
) -> PageResult {
    let day = state
        .app
        .hall_day_of(&station, auth.now)
        .await
        .for_page(&p)?;
    let take_url = format!(
        "{}/halls/{}",
        state.app.config().public_url.trim_end_matches('/'),
        day.hall.station.code
    );
    let view = DisplayPage {
        title: p.t("hall-display-title"),
        station_code: day.hall.station.code.to_string(),
        station: day.hall.station.name.get(p.lang).to_owned(),
        time_zone: day.hall.station.time_zone.clone(),
        calls: day
            .called()
            .iter()
            .take(6)
            .map(|t| (t.label.clone(), t.window.clone().unwrap_or_default()))
            .collect(),
        groups: group_choices(&p, &day.hall, &[], Some(&day)),
        take_qr: qr_svg(&take_url),
        p: &p,
    };
    Ok(render(&view).into_response())
}

/// The halls the signed-in person serves: her desk when she serves one.
async fn my_halls(Extension(p): Extension<Prefs>, Extension(auth): Extension<Auth>) -> PageResult {
    let stations: Vec<String> = auth
        .session()
        .map(|s| {
            s.actor
                .grants
                .iter()
                .filter_map(|g| match g {
                    Grant::Station(code) => Some(code.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    match stations.first() {
        Some(code) => Ok(Redirect::to(&format!("/halls/{code}/desk")).into_response()),
        None if auth.session().is_none() => Err(AppError::Unauthenticated).for_page(&p),
        None => Err(AppError::Forbidden("you serve no station's hall")).for_page(&p),
    }
}

/// A number as the desk lists it.
pub struct DeskLine {
    pub id: String,
    pub label: String,
    pub group: String,
    pub priority: String,
    pub taken_at: String,
    pub window: String,
    pub calls: u32,
    pub reason: String,
    pub may_recall: bool,
}

#[derive(Template)]
#[template(path = "hall_desk.html")]
struct DeskPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    station_code: String,
    station: String,
    window: String,
    groups: Vec<GroupChoice>,
    called: Vec<DeskLine>,
    waiting: Vec<DeskLine>,
    priorities: Vec<PriorityChoice>,
    errors: Vec<FieldError>,
    notice: String,
    /// The query that keeps her window and groups on the forms' return.
    keep: String,
    no_show_after: u8,
}

/// The window and its groups, from the desk's query or a form.
struct Window {
    name: String,
    groups: Vec<String>,
}

impl Window {
    fn from_pairs(pairs: &[(String, String)]) -> Window {
        Window {
            name: value(pairs, "window"),
            groups: values(pairs, "groups")
                .into_iter()
                .filter(|g| !g.is_empty())
                .collect(),
        }
    }

    fn query(&self) -> String {
        let mut pairs = vec![("window", self.name.as_str())];
        pairs.extend(self.groups.iter().map(|g| ("groups", g.as_str())));
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

fn desk_line(p: &Prefs, day: &HallDay, t: &Ticket) -> DeskLine {
    DeskLine {
        id: t.id.clone(),
        label: t.label.clone(),
        group: group_name(p, &day.hall, t),
        priority: t
            .priority
            .filter(|pr| day.hall.rules.honours(*pr))
            .map(|pr| priority_label(p, pr))
            .unwrap_or_default(),
        taken_at: hall_time(t.taken_at, &day.hall),
        window: t.window.clone().unwrap_or_default(),
        calls: t.calls,
        reason: t
            .call_reason
            .map(|r| p.t(&format!("hall-reason-{}", r.as_str())))
            .unwrap_or_default(),
        may_recall: day.hall.rules.may_recall(t.calls),
    }
}

async fn desk_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    station: &str,
    window: &Window,
    errors: Vec<FieldError>,
    notice: String,
) -> PageResult {
    let day = state.app.hall_desk(auth, station).await.for_page(p)?;
    let view = DeskPage {
        title: p.t("hall-desk-title"),
        section: "hall",
        station_code: day.hall.station.code.to_string(),
        station: day.hall.station.name.get(p.lang).to_owned(),
        window: window.name.clone(),
        groups: group_choices(p, &day.hall, &window.groups, Some(&day)),
        called: day.called().iter().map(|t| desk_line(p, &day, t)).collect(),
        waiting: day.waiting().map(|t| desk_line(p, &day, t)).collect(),
        priorities: priority_choices(p, true, ""),
        errors,
        notice,
        keep: window.query(),
        no_show_after: day.hall.rules.no_show_after,
        p,
    };
    Ok((status_of(&view.errors), render(&view)).into_response())
}

async fn desk(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let pairs = pairs(query.unwrap_or_default().as_bytes());
    let notice = match value(&pairs, "done").as_str() {
        "" => String::new(),
        "none" => p.t("hall-nobody-waits"),
        "taken" => p.t1("hall-taken-done", "label", value(&pairs, "label")),
        other => p.t1("hall-called-done", "label", other.to_owned()),
    };
    desk_page(
        &state,
        &p,
        &auth,
        &station,
        &Window::from_pairs(&pairs),
        Vec::new(),
        notice,
    )
    .await
}

fn desk_error(p: &Prefs, error: AppError) -> Result<FieldError, super::PageError> {
    let (field, key) = match &error {
        AppError::Invalid {
            field: "window", ..
        } => ("window", "hall-error-window"),
        AppError::Invalid {
            field: "groups", ..
        }
        | AppError::Invalid { field: "group", .. } => ("groups", "hall-error-group"),
        AppError::Invalid {
            reason: Reason::CallsLeft,
            ..
        } => ("ticket", "hall-error-calls-left"),
        AppError::Invalid {
            field: "ticket", ..
        } => ("ticket", "hall-error-moved"),
        AppError::Store(qiaoyi_app::StoreError::Conflict { .. }) => ("ticket", "hall-error-moved"),
        _ => return Err(error).for_page(p),
    };
    Ok(FieldError {
        field,
        message: p.t(key),
    })
}

/// The desk after one of its forms: back to it (keeping the window) when done, or shown again
/// with the refusal beside its field.
async fn desk_after(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    station: &str,
    window: &Window,
    done: Result<String, AppError>,
    refusal: fn(&Prefs, AppError) -> Result<FieldError, super::PageError>,
) -> PageResult {
    match done {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => {
            let error = refusal(p, e)?;
            desk_page(state, p, auth, station, window, vec![error], String::new()).await
        }
    }
}

async fn call_next(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let window = Window::from_pairs(&pairs(&body));
    let input = CallInput {
        window: window.name.clone(),
        groups: window.groups.clone(),
    };
    let done = state
        .app
        .call_next_number(&auth, &station, &input)
        .await
        .map(|called| {
            let done = called.map_or_else(|| "none".to_owned(), |t| t.label);
            format!("/halls/{station}/desk?{}&done={done}", window.query())
        });
    desk_after(&state, &p, &auth, &station, &window, done, desk_error).await
}

async fn move_number(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((station, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> PageResult {
    let pairs = pairs(&body);
    let window = Window::from_pairs(&pairs);
    let how = match value(&pairs, "do").as_str() {
        "recall" => Ok(Some(TicketMove::Recall)),
        "served" => Ok(Some(TicketMove::Served)),
        "no-show" => Ok(Some(TicketMove::NoShow)),
        "transfer" => Ok(None),
        _ => Err(AppError::malformed(
            "do",
            "recall, served, no-show or transfer",
        )),
    };
    let moved = match how {
        Ok(Some(how)) => state.app.move_hall_number(&auth, &station, &id, how).await,
        Ok(None) => {
            let group = value(&pairs, "group");
            state
                .app
                .transfer_hall_number(&auth, &station, &id, &group)
                .await
        }
        Err(e) => Err(e),
    };
    let done = moved.map(|_| format!("/halls/{station}/desk?{}", window.query()));
    desk_after(&state, &p, &auth, &station, &window, done, desk_error).await
}

/// A number refused at reception: its service is the reception form's.
fn reception_error(p: &Prefs, error: AppError) -> Result<FieldError, super::PageError> {
    let mut error = take_error(p, error)?;
    if error.field == "group" {
        error.field = "reception_group";
    }
    Ok(error)
}

async fn take_at_reception(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let pairs = pairs(&body);
    let window = Window::from_pairs(&pairs);
    let input = TakeInput {
        group: value(&pairs, "group"),
        priority: value(&pairs, "priority"),
        lang: None,
    };
    let done = state
        .app
        .take_hall_number(&auth, &station, TakenVia::Reception, &input)
        .await
        .map(|taken| {
            format!(
                "/halls/{station}/desk?{}&done=taken&label={}",
                window.query(),
                taken.ticket.label
            )
        });
    desk_after(&state, &p, &auth, &station, &window, done, reception_error).await
}

#[derive(Template)]
#[template(path = "admin_hall.html")]
struct RulesPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    station_code: String,
    station: String,
    honoured: Vec<PriorityChoice>,
    priority_run: String,
    no_show_after: String,
    errors: Vec<FieldError>,
    saved: bool,
}

async fn rules_form(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    station: &str,
    shown: Option<(Vec<String>, String, String)>,
    errors: Vec<FieldError>,
    saved: bool,
) -> PageResult {
    // Only administrators see the form: the same check as saving, before anything is shown.
    state
        .app
        .station_for_edit(auth, station)
        .await
        .for_page(p)?;
    let hall = state.app.hall(station, auth.now).await.for_page(p)?;
    let (honoured, run, no_show) = shown.unwrap_or_else(|| {
        (
            hall.rules
                .honoured
                .iter()
                .map(|h| h.as_str().to_owned())
                .collect(),
            hall.rules.priority_run.to_string(),
            hall.rules.no_show_after.to_string(),
        )
    });
    let view = RulesPage {
        title: p.t("hall-rules-title"),
        section: "admin",
        station_code: hall.station.code.to_string(),
        station: hall.station.name.get(p.lang).to_owned(),
        honoured: Priority::ALL
            .into_iter()
            .map(|pr| PriorityChoice {
                value: pr.as_str(),
                label: priority_label(p, pr),
                checked: honoured.iter().any(|h| h == pr.as_str()),
            })
            .collect(),
        priority_run: run,
        no_show_after: no_show,
        errors,
        saved,
        p,
    };
    Ok((status_of(&view.errors), render(&view)).into_response())
}

async fn rules_page(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let saved = flag(&query, "saved");
    rules_form(&state, &p, &auth, &station, None, Vec::new(), saved).await
}

async fn save_rules(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(station): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let pairs = pairs(&body);
    let honoured = values(&pairs, "honoured");
    let run = value(&pairs, "priority_run");
    let no_show = value(&pairs, "no_show_after");
    let rules = QueueRules {
        honoured: honoured.iter().filter_map(|h| Priority::parse(h)).collect(),
        priority_run: run.trim().parse().unwrap_or(0),
        no_show_after: no_show.trim().parse().unwrap_or(0),
    };
    match state.app.save_hall_rules(&auth, &station, &rules).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/admin/stations/{station}/hall?saved=1")).into_response())
        }
        Err(AppError::Invalid { field, .. }) => {
            let error = FieldError {
                field: if field == "no_show_after" {
                    "no_show_after"
                } else {
                    "priority_run"
                },
                message: p.t(if field == "no_show_after" {
                    "hall-error-no-show-after"
                } else {
                    "hall-error-priority-run"
                }),
            };
            rules_form(
                &state,
                &p,
                &auth,
                &station,
                Some((honoured, run, no_show)),
                vec![error],
                false,
            )
            .await
        }
        Err(e) => Err(e).for_page(&p),
    }
}
