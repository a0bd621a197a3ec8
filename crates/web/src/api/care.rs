//! The care programme over the API: coordinators record children (with a guardian's consent) and
//! read their records, every read audited; a parent abroad reads her own children.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::care::{Child, ChildRequest, ParentInput, Visit, VisitInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::care_board::{ActivityView, CareMessageView, PairingView, WishView};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub struct ChildView {
    id: String,
    name: String,
    /// `YYYY-MM-DD`.
    birth_date: String,
    age: i16,
    township: String,
    village: String,
    school: String,
    /// The guardian at home, e.g. a grandparent.
    guardian: String,
    /// Codes such as `qingtian`, `italian`.
    languages: Vec<String>,
    consent_version: i64,
    consent_by: String,
    /// `parent` or `guardian`.
    consent_relation: String,
    /// Milliseconds since 1970 (UTC).
    consented_at: i64,
    photo_allowed: bool,
    parents: Vec<ParentView>,
    /// The volunteer the family asked for as proxy parent (her account id), if any.
    preferred_volunteer: Option<String>,
    /// On a child's own record, not in lists: home visits, newest first; pairings with proxy
    /// parents, the one in force first (a parent sees only the one in force); wishes; the
    /// activities she came to; messages from her parents to the proxy parent.
    visits: Vec<VisitView>,
    pairings: Vec<PairingView>,
    wishes: Vec<WishView>,
    activities: Vec<ActivityView>,
    messages: Vec<CareMessageView>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitView {
    /// `YYYY-MM-DD`.
    date: String,
    /// `wellbeing`, `safety`, `study`, `health`.
    topics: Vec<String>,
    notes: String,
    follow_up: bool,
    /// Who visited: the proxy parent or a coordinator.
    volunteer: String,
}

impl From<Visit> for VisitView {
    fn from(v: Visit) -> Self {
        VisitView {
            date: v.date,
            topics: v.topics.iter().map(|t| t.as_str().to_owned()).collect(),
            notes: v.notes,
            follow_up: v.follow_up,
            volunteer: v.volunteer,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParentView {
    name: String,
    /// ISO 3166-1 alpha-2.
    country: String,
}

impl From<Child> for ChildView {
    fn from(c: Child) -> Self {
        ChildView {
            id: c.id,
            name: c.name,
            birth_date: c.birth_date,
            age: c.age,
            township: c.township,
            village: c.village,
            school: c.school,
            guardian: c.guardian,
            languages: c.languages.iter().map(|l| (*l).to_owned()).collect(),
            consent_version: c.consent_version,
            consent_by: c.consent_by,
            consent_relation: c.consent_relation,
            consented_at: c.consented_at,
            photo_allowed: c.photo_allowed,
            parents: c
                .parents
                .into_iter()
                .map(|p| ParentView {
                    name: p.display_name,
                    country: p.country,
                })
                .collect(),
            preferred_volunteer: c.preferred_volunteer,
            visits: c.visits.into_iter().map(Into::into).collect(),
            pairings: c.pairings.into_iter().map(Into::into).collect(),
            wishes: c.wishes.into_iter().map(Into::into).collect(),
            activities: c.activities.into_iter().map(Into::into).collect(),
            messages: c.messages.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChildPage {
    total: u64,
    offset: u64,
    items: Vec<ChildView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildrenQuery {
    /// Only this township, e.g. `仁庄镇`.
    #[serde(default)]
    township: String,
    #[serde(default)]
    offset: u64,
    /// 1 to 100, 20 by default.
    limit: Option<u64>,
}

/// The children in the programme, newest first: a coordinator's area, or a volunteer's paired children (the read is audited).
#[utoipa::path(get, path = "/api/v1/care/children", operation_id = "list_care_children", tag = "care", params(ChildrenQuery),
    responses(
        (status = 200, body = ChildPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not in the care programme (the attempt is audited)", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<ChildrenQuery>,
) -> Result<Json<ChildPage>, Problem> {
    let page = state
        .app
        .care_children(&auth, &q.township, q.offset, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(ChildPage {
        total: page.total,
        offset: page.offset,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParentBody {
    /// The e-mail address of her applicant account.
    email: String,
    /// ISO 3166-1 alpha-2, e.g. `IT`.
    country: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildBody {
    name: String,
    /// `YYYY-MM-DD`; the child is under 18.
    birth_date: String,
    /// One of the county's townships (`catalog/care/townships.toml`).
    township: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    school: String,
    guardian: String,
    /// Codes from `qingtian`, `wenzhou`, `mandarin`, `italian`, `spanish`, `french`, `english`,
    /// `german`, `portuguese`, `dutch`.
    languages: Vec<String>,
    /// The version of the consent text the guardian agreed to: the current one.
    consent_version: u32,
    consent_by: String,
    /// `parent` or `guardian`.
    consent_relation: String,
    #[serde(default)]
    photo_allowed: bool,
    /// At most two.
    #[serde(default)]
    parents: Vec<ParentBody>,
}

/// Record a child (coordinators of her township), with a parent's or guardian's consent to the current text.
#[utoipa::path(post, path = "/api/v1/care/children", operation_id = "record_care_child", tag = "care", request_body = ChildBody,
    responses(
        (status = 201, body = ChildView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a minor, a visit or consent missing, an unknown township…", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn record(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<ChildBody>,
) -> Result<(StatusCode, Json<ChildView>), Problem> {
    let request = ChildRequest {
        name: body.name,
        birth_date: body.birth_date,
        township: body.township,
        village: body.village,
        school: body.school,
        guardian: body.guardian,
        languages: body.languages,
        consent_version: body.consent_version.to_string(),
        consent_by: body.consent_by,
        consent_relation: body.consent_relation,
        photo_allowed: body.photo_allowed,
        parents: body
            .parents
            .into_iter()
            .map(|p| ParentInput {
                email: p.email,
                country: p.country,
            })
            .collect(),
    };
    let child = state.app.record_child(&auth, &request).await?;
    Ok((StatusCode::CREATED, Json(child.into())))
}

/// One child's record (coordinators of her township and her proxy parent; every read is audited, and so is every refusal).
#[utoipa::path(get, path = "/api/v1/care/children/{id}", operation_id = "show_care_child", tag = "care",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ChildView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ChildView>, Problem> {
    let child = state.app.care_child(&auth, &id).await?;
    Ok(Json(child.into()))
}

/// The signed-in parent's own children in the programme (applicants; never anyone else's).
#[utoipa::path(get, path = "/api/v1/care/my-children", operation_id = "my_care_children", tag = "care",
    responses(
        (status = 200, body = Vec<ChildView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn mine(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<ChildView>>, Problem> {
    let children = state.app.my_children(&auth).await?;
    Ok(Json(children.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitBody {
    /// `YYYY-MM-DD`: today or earlier, not before the child's birth.
    date: String,
    /// At least one of `wellbeing`, `safety`, `study`, `health`.
    topics: Vec<String>,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    follow_up: bool,
}

/// Record a home visit to a child (her proxy parent or a coordinator of her township); the notes are stored encrypted.
#[utoipa::path(post, path = "/api/v1/care/children/{id}/visits", tag = "care",
    params(("id" = String, Path)),
    request_body = VisitBody,
    responses(
        (status = 201, body = VisitView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A day in the future or before the birth, no topic, notes too long", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn add_visit(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<VisitBody>,
) -> Result<(StatusCode, Json<VisitView>), Problem> {
    let input = VisitInput {
        date: body.date,
        topics: body.topics,
        notes: body.notes,
        follow_up: body.follow_up,
    };
    let visit = state.app.record_visit(&auth, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(visit.into())))
}
