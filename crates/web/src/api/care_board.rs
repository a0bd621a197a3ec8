//! The care programme's board over the API: volunteers' profiles, the pairing proposal and its
//! confirmation, pairings in force with overdue visits flagged, a child's preferred volunteer,
//! micro-wishes, activities with attendance, and a parent's message to the proxy parent.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::care_board::{Activity, ActivityInput, Attendee, CareMessage, WishStep};
use qiaoyi_app::care_pairing::{
    PairChoice, Pairing, Proposal, ProposedPair, Volunteer, VolunteerInput,
};
use qiaoyi_app::domain::care::{ActivitySummary, Wish};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub struct VolunteerView {
    user_id: String,
    name: String,
    township: String,
    /// Codes such as `qingtian`, `mandarin`.
    languages: Vec<String>,
    /// Children she takes at once (1 to 10).
    capacity: i64,
    availability: String,
    /// Children paired with her now.
    load: i64,
}

impl From<Volunteer> for VolunteerView {
    fn from(v: Volunteer) -> Self {
        VolunteerView {
            user_id: v.user_id,
            name: v.name,
            township: v.township,
            languages: v.languages.iter().map(|l| (*l).to_owned()).collect(),
            capacity: v.capacity,
            availability: v.availability,
            load: v.load,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PairingView {
    id: String,
    child_id: String,
    /// The child's name (on the coordinators' board and a volunteer's own list; empty elsewhere).
    child_name: String,
    /// The child's township.
    township: String,
    /// The proxy parent.
    volunteer_id: String,
    volunteer_name: String,
    /// Milliseconds since 1970 (UTC).
    paired_at: i64,
    /// The coordinator who confirmed it.
    paired_by: String,
    /// When it ended (re-paired); absent while in force.
    ended_at: Option<i64>,
    /// The child's last home visit, `YYYY-MM-DD`.
    last_visit: Option<String>,
    /// No visit for longer than the configured number of days (in force only).
    overdue: bool,
    /// Days since the last visit or the pairing, whichever is later.
    waiting_days: i32,
    /// When the last overdue alert was queued.
    alerted_at: Option<i64>,
}

impl From<Pairing> for PairingView {
    fn from(p: Pairing) -> Self {
        let r = p.row;
        PairingView {
            id: r.id,
            child_id: r.child_id,
            child_name: p.child_name,
            township: r.township,
            volunteer_id: r.volunteer_id,
            volunteer_name: r.volunteer_name,
            paired_at: r.paired_at,
            paired_by: r.paired_by,
            ended_at: r.ended_at,
            last_visit: r.last_visit.map(|d| d.to_string()),
            overdue: p.overdue,
            waiting_days: p.waiting_days,
            alerted_at: r.alerted_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WishView {
    id: String,
    child_id: String,
    township: String,
    wish: String,
    /// `open`, `taken` or `fulfilled`.
    state: String,
    /// The volunteer who took it up, by name (empty when a donor did, or nobody yet).
    taken_by: String,
    /// The donor who took it up, by name.
    donor: String,
    note: String,
    /// Milliseconds since 1970 (UTC).
    created_at: i64,
    updated_at: i64,
}

impl From<Wish> for WishView {
    fn from(w: Wish) -> Self {
        WishView {
            id: w.id,
            child_id: w.child_id,
            township: w.township,
            wish: w.wish,
            state: w.state.as_str().into(),
            taken_by: w.taken_by_name,
            donor: w.donor,
            note: w.note,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActivityView {
    id: String,
    theme: String,
    /// `YYYY-MM-DD`.
    date: String,
    township: String,
    place: String,
    organisers: String,
    /// How many children and volunteers came.
    children: i64,
    volunteers: i64,
}

impl From<ActivitySummary> for ActivityView {
    fn from(a: ActivitySummary) -> Self {
        ActivityView {
            id: a.id,
            theme: a.theme,
            date: a.date.to_string(),
            township: a.township,
            place: a.place,
            organisers: a.organisers,
            children: a.children,
            volunteers: a.volunteers,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CareMessageView {
    from: String,
    to: String,
    body: String,
    /// Milliseconds since 1970 (UTC).
    sent_at: i64,
}

impl From<CareMessage> for CareMessageView {
    fn from(m: CareMessage) -> Self {
        CareMessageView {
            from: m.from,
            to: m.to,
            body: m.body,
            sent_at: m.sent_at,
        }
    }
}

/// Every volunteer with her load (coordinators).
#[utoipa::path(get, path = "/api/v1/care/volunteers", tag = "care",
    responses(
        (status = 200, body = Vec<VolunteerView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn volunteers(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<VolunteerView>>, Problem> {
    let list = state.app.care_volunteers(&auth).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// The signed-in coordinator's or volunteer's own volunteer profile (404 until she saves one).
#[utoipa::path(get, path = "/api/v1/care/volunteers/me", tag = "care",
    responses(
        (status = 200, body = VolunteerView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn my_profile(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<VolunteerView>, Problem> {
    let mine = state
        .app
        .my_volunteer_profile(&auth)
        .await?
        .ok_or_else(|| qiaoyi_app::AppError::NotFound("your volunteer profile".into()))?;
    Ok(Json(mine.into()))
}

/// The children the signed-in volunteer is proxy parent to, the longest without a visit first.
#[utoipa::path(get, path = "/api/v1/care/volunteers/me/children", tag = "care",
    responses(
        (status = 200, body = Vec<PairingView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn my_children(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<PairingView>>, Problem> {
    let list = state.app.my_proxy_children(&auth).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// A visit the signed-in volunteer recorded, with the child's name: hers to read again after
/// the child is paired with someone else.
#[derive(Serialize, ToSchema)]
pub struct WrittenVisitView {
    child_id: String,
    child_name: String,
    /// Whether she is the child's proxy parent still (then the child's record is hers to open).
    paired_now: bool,
    visit: super::care::VisitView,
}

/// The visits the signed-in volunteer recorded, newest first, including those to children since
/// paired with someone else. Each child's visits read are audited, and shown to her parents.
#[utoipa::path(get, path = "/api/v1/care/volunteers/me/visits", tag = "care",
    responses(
        (status = 200, body = Vec<WrittenVisitView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn my_visits(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<WrittenVisitView>>, Problem> {
    let list = state.app.my_written_visits(&auth).await?;
    Ok(Json(
        list.into_iter()
            .map(|w| WrittenVisitView {
                child_id: w.child_id,
                child_name: w.child_name,
                paired_now: w.paired_now,
                visit: w.visit.into(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerBody {
    /// One of the county's townships.
    township: String,
    /// At least one code from the care programme's languages.
    languages: Vec<String>,
    /// 1 to 10, and not fewer than the children she has now.
    capacity: u32,
    #[serde(default)]
    availability: String,
}

/// Save the signed-in coordinator's or volunteer's own volunteer profile.
#[utoipa::path(put, path = "/api/v1/care/volunteers/me", tag = "care", request_body = VolunteerBody,
    responses(
        (status = 200, body = VolunteerView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown township or language, a capacity outside 1–10 or below her load", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn save_profile(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<VolunteerBody>,
) -> Result<Json<VolunteerView>, Problem> {
    let input = VolunteerInput {
        township: body.township,
        languages: body.languages,
        capacity: body.capacity.to_string(),
        availability: body.availability,
    };
    let saved = state.app.save_volunteer_profile(&auth, &input).await?;
    Ok(Json(saved.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ProposedPairView {
    child_id: String,
    child_name: String,
    child_township: String,
    /// Absent when no place was left for her: she waits.
    volunteer_id: Option<String>,
    volunteer_name: String,
    /// Kilometres between their townships.
    km: Option<u32>,
    common_language: bool,
    /// The volunteer is the one the family asked for.
    preferred: bool,
}

impl From<ProposedPair> for ProposedPairView {
    fn from(p: ProposedPair) -> Self {
        ProposedPairView {
            child_id: p.child_id,
            child_name: p.child_name,
            child_township: p.child_township,
            volunteer_id: p.volunteer_id,
            volunteer_name: p.volunteer_name,
            km: p.km,
            common_language: p.common_language,
            preferred: p.preferred,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProposalView {
    pairs: Vec<ProposedPairView>,
    volunteers: Vec<VolunteerView>,
}

impl From<Proposal> for ProposalView {
    fn from(p: Proposal) -> Self {
        ProposalView {
            pairs: p.pairs.into_iter().map(Into::into).collect(),
            volunteers: p.volunteers.into_iter().map(Into::into).collect(),
        }
    }
}

/// The optimal pairing of every waiting child with the volunteers who have room (Kuhn–Munkres
/// over distance, language, load and the family's preference), for a coordinator to review.
#[utoipa::path(get, path = "/api/v1/care/pairings/proposal", tag = "care",
    responses(
        (status = 200, body = ProposalView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No child is waiting (`field`: children) or no volunteer has room (`field`: volunteers)", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn proposal(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<ProposalView>, Problem> {
    let proposal = state.app.propose_pairings(&auth).await?;
    Ok(Json(proposal.into()))
}

/// Every pairing in force in the coordinator's area, the longest without a visit first.
#[utoipa::path(get, path = "/api/v1/care/pairings", tag = "care",
    responses(
        (status = 200, body = Vec<PairingView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn pairings(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<PairingView>>, Problem> {
    let list = state.app.pairings_in_force(&auth).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairBody {
    child: String,
    volunteer: String,
    /// Re-pairing a child: the id of her pairing in force, which ends (a changed one is 409).
    /// Absent for a waiting child.
    #[serde(default)]
    replaces: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairingsBody {
    pairs: Vec<PairBody>,
}

#[derive(Serialize, ToSchema)]
pub struct Paired {
    paired: usize,
}

/// Confirm pairings as the coordinator adjusted them; a child already paired is re-paired and her
/// pairing before is kept in her history.
#[utoipa::path(post, path = "/api/v1/care/pairings", operation_id = "confirm_care_pairing", tag = "care", request_body = PairingsBody,
    responses(
        (status = 201, body = Paired),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A child's pairing changed meanwhile (or `replaces` does not name the one in force), or a volunteer has no room left", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No pairs, an unknown child or volunteer, a child twice, her own proxy parent again, or more children than a volunteer takes", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<PairingsBody>,
) -> Result<(StatusCode, Json<Paired>), Problem> {
    let pairs: Vec<PairChoice> = body
        .pairs
        .into_iter()
        .map(|p| PairChoice {
            child: p.child,
            volunteer: p.volunteer,
            replaces: p.replaces,
        })
        .collect();
    let paired = state.app.confirm_pairings(&auth, &pairs).await?;
    Ok((StatusCode::CREATED, Json(Paired { paired })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceBody {
    /// A volunteer's account id; empty for none.
    volunteer: String,
}

/// Record the volunteer a child's family asks for as proxy parent.
#[utoipa::path(put, path = "/api/v1/care/children/{id}/preference", tag = "care",
    params(("id" = String, Path)), request_body = PreferenceBody,
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn preference(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PreferenceBody>,
) -> Result<StatusCode, Problem> {
    state
        .app
        .set_preferred_volunteer(&auth, &id, &body.volunteer)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WishQuery {
    /// `open`, `taken` or `fulfilled`; all when absent.
    #[serde(default)]
    state: String,
    #[serde(default)]
    offset: u64,
    /// 1 to 100, 20 by default.
    limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct WishPage {
    total: u64,
    offset: u64,
    items: Vec<WishView>,
}

/// The board of micro-wishes in the coordinator's area, oldest first.
#[utoipa::path(get, path = "/api/v1/care/wishes", tag = "care", params(WishQuery),
    responses(
        (status = 200, body = WishPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn wishes(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<WishQuery>,
) -> Result<Json<WishPage>, Problem> {
    let page = state
        .app
        .care_wishes(&auth, &q.state, q.offset, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(WishPage {
        total: page.total,
        offset: page.offset,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WishBody {
    /// At most 200 characters.
    wish: String,
}

/// Record a child's micro-wish, open on the board.
#[utoipa::path(post, path = "/api/v1/care/children/{id}/wishes", tag = "care",
    params(("id" = String, Path)), request_body = WishBody,
    responses(
        (status = 201, body = WishView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn add_wish(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<WishBody>,
) -> Result<(StatusCode, Json<WishView>), Problem> {
    let wish = state.app.record_wish(&auth, &id, &body.wish).await?;
    Ok((StatusCode::CREATED, Json(wish.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WishStepBody {
    /// `taken` (from open) or `fulfilled` (from taken).
    to: String,
    /// Taking it up for a donor: her name. Empty: the signed-in volunteer takes it up.
    #[serde(default)]
    donor: String,
    /// On fulfilling, at most 200 characters.
    #[serde(default)]
    note: String,
}

/// Move a wish on: taken up, then fulfilled. A wish not in the state before `to` is 409.
#[utoipa::path(post, path = "/api/v1/care/wishes/{id}/state", tag = "care",
    params(("id" = String, Path)), request_body = WishStepBody,
    responses(
        (status = 200, body = WishView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The wish moved already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn advance_wish(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<WishStepBody>,
) -> Result<Json<WishView>, Problem> {
    let step = WishStep {
        to: &body.to,
        donor: &body.donor,
        note: &body.note,
    };
    let wish = state.app.advance_wish(&auth, &id, &step).await?;
    Ok(Json(wish.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OffsetQuery {
    #[serde(default)]
    offset: u64,
    /// 1 to 100, 20 by default.
    limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityPage {
    total: u64,
    offset: u64,
    items: Vec<ActivityView>,
}

/// Activities in the coordinator's area, the latest first.
#[utoipa::path(get, path = "/api/v1/care/activities", tag = "care", params(OffsetQuery),
    responses(
        (status = 200, body = ActivityPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn activities(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<OffsetQuery>,
) -> Result<Json<ActivityPage>, Problem> {
    let page = state
        .app
        .care_activities(&auth, q.offset, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(ActivityPage {
        total: page.total,
        offset: page.offset,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityBody {
    theme: String,
    /// `YYYY-MM-DD`, past or planned.
    date: String,
    /// One of the county's townships: its children are the ones who may be marked present.
    township: String,
    place: String,
    organisers: String,
}

/// Record an activity.
#[utoipa::path(post, path = "/api/v1/care/activities", tag = "care", request_body = ActivityBody,
    responses(
        (status = 201, body = ActivityView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn add_activity(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<ActivityBody>,
) -> Result<(StatusCode, Json<ActivityView>), Problem> {
    let input = ActivityInput {
        theme: body.theme,
        date: body.date,
        township: body.township,
        place: body.place,
        organisers: body.organisers,
    };
    let row = state.app.record_activity(&auth, &input).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[derive(Serialize, ToSchema)]
pub struct AttendeeView {
    id: String,
    name: String,
    present: bool,
}

impl From<Attendee> for AttendeeView {
    fn from(a: Attendee) -> Self {
        AttendeeView {
            id: a.id,
            name: a.name,
            present: a.present,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActivityDetail {
    activity: ActivityView,
    /// The township's children, marked present or not.
    children: Vec<AttendeeView>,
    /// Every volunteer, marked present or not.
    volunteers: Vec<AttendeeView>,
}

impl From<Activity> for ActivityDetail {
    fn from(a: Activity) -> Self {
        ActivityDetail {
            activity: a.row.into(),
            children: a.children.into_iter().map(Into::into).collect(),
            volunteers: a.volunteers.into_iter().map(Into::into).collect(),
        }
    }
}

/// An activity with who may come and who came (the read opens children's names and is audited).
#[utoipa::path(get, path = "/api/v1/care/activities/{id}", tag = "care",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ActivityDetail),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn activity(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ActivityDetail>, Problem> {
    let a = state.app.care_activity(&auth, &id).await?;
    Ok(Json(a.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    /// Children of the activity's township, by id.
    #[serde(default)]
    children: Vec<String>,
    /// Volunteers, by account id.
    #[serde(default)]
    volunteers: Vec<String>,
}

/// Record who came; the list replaces the one before.
#[utoipa::path(put, path = "/api/v1/care/activities/{id}/attendance", tag = "care",
    params(("id" = String, Path)), request_body = AttendanceBody,
    responses(
        (status = 200, body = ActivityDetail),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A child of another township, or someone not a volunteer", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn attendance(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AttendanceBody>,
) -> Result<Json<ActivityDetail>, Problem> {
    let a = state
        .app
        .record_attendance(&auth, &id, &body.children, &body.volunteers)
        .await?;
    Ok(Json(a.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CareMessageBody {
    /// At most 1,000 characters.
    message: String,
}

/// A parent abroad writes to her own child's proxy parent, who is told by her channels.
#[utoipa::path(post, path = "/api/v1/care/my-children/{id}/messages", tag = "care",
    params(("id" = String, Path)), request_body = CareMessageBody,
    responses(
        (status = 201, body = CareMessageView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not her child (audited)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long message, or no proxy parent yet", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn send_message(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CareMessageBody>,
) -> Result<(StatusCode, Json<CareMessageView>), Problem> {
    let sent = state
        .app
        .send_care_message(&auth, &id, &body.message)
        .await?;
    Ok((StatusCode::CREATED, Json(sent.into())))
}
