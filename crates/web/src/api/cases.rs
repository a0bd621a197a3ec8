//! Cases over the API: open one, list them, read one with its timeline, take a step, add and fetch
//! material files; and the working-day deadline the item pages quote.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use qiaoyi_app::cases::{
    Case, CaseAtAGlance, CaseDetail, CaseList, CaseRequest, FeeGlance, StepRequest, Upload,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Deserialize, ToSchema)]
pub struct NewCaseBody {
    /// Item code, e.g. `EE-01`.
    item: String,
    /// The name of the person the case is for, as on their identity document.
    #[serde(default)]
    person_name: String,
    /// The same name in Latin letters (pinyin or passport spelling).
    #[serde(default)]
    person_name_latin: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    birth_date: String,
    /// `self`, `child`, `parent`, `spouse`, `grandparent`, `grandchild`, `sibling` or `other`.
    #[serde(default)]
    relation: String,
    /// One of the item's delivery methods: `window`, `station`, `courier`, `home`.
    delivery: String,
    /// Stations and consultants: the e-mail address of the person's account, if they have one.
    #[serde(default)]
    applicant_email: String,
    /// The id of a person on your list (`GET /api/v1/persons`); their name, birth date and relation
    /// are then taken from the list and the fields above may be left empty.
    #[serde(default)]
    person: String,
    /// An agent filing for a principal (代办): the id of a confirmed mandate she holds that covers
    /// the item today (`GET /api/v1/mandates`). The case becomes the principal's, and she is told.
    #[serde(default)]
    mandate: String,
    /// Send `true` to apply although the caller has a case for the same service and person under
    /// way (the request without it is refused with `reason` `duplicate` naming that case).
    #[serde(default)]
    duplicate_ok: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CaseView {
    id: String,
    /// e.g. `QT-2026-000123`.
    number: String,
    item: String,
    category: String,
    /// `standard` or `certificate`.
    workflow: &'static str,
    state: &'static str,
    /// Send this with the next step; it changes with every step.
    version: i64,
    /// `online`, `station` or `window`.
    channel: &'static str,
    station: Option<String>,
    person_name: String,
    person_name_latin: String,
    birth_date: String,
    relation: &'static str,
    delivery: &'static str,
    /// Instants in milliseconds since 1970 (UTC).
    created_at: i64,
    submitted_at: Option<i64>,
    accepted_at: Option<i64>,
    /// The working day (Beijing) by which the bureau must decide; set at acceptance.
    deadline: Option<String>,
    /// True when the deadline counts days of a year whose official holiday calendar is not
    /// imported yet: it was counted on the statutory holidays and weekends, and may still move.
    deadline_provisional: bool,
    /// An approved green-channel request's due day (`YYYY-MM-DD`): the case heads the queues.
    green_due: Option<String>,
    /// True when the green-channel due day is provisional, as `deadline_provisional`.
    green_due_provisional: bool,
    /// Why the case was returned or refused.
    reason: String,
    /// Filed by an agent for the applicant under this mandate (代办).
    mandate_id: Option<String>,
    /// In lists: where the case stands at a glance; null elsewhere.
    at_a_glance: Option<GlanceView>,
}

/// What a list shows of a case at a glance.
#[derive(Serialize, ToSchema)]
pub struct GlanceView {
    /// Required materials without a file, numbered from 1 as the item lists them.
    missing_materials: Vec<usize>,
    /// `none` (the item asks no fee), `owed` or `settled` (paid or written off in full).
    fee: &'static str,
    /// What is still owed, in fen; 0 unless `fee` is `owed`.
    fee_owed_fen: i64,
    /// The person's identity was verified on the case's way to its state.
    identity_verified: bool,
}

impl From<&CaseAtAGlance> for CaseView {
    fn from(g: &CaseAtAGlance) -> Self {
        let (fee, fee_owed_fen) = match g.fee {
            FeeGlance::NoFee => ("none", 0),
            FeeGlance::Owed(fen) => ("owed", fen),
            FeeGlance::Settled => ("settled", 0),
        };
        CaseView {
            at_a_glance: Some(GlanceView {
                missing_materials: g.missing_materials.clone(),
                fee,
                fee_owed_fen,
                identity_verified: g.identity_verified,
            }),
            ..CaseView::from(&g.case)
        }
    }
}

impl From<&Case> for CaseView {
    fn from(c: &Case) -> Self {
        CaseView {
            id: c.id.clone(),
            number: c.number.clone(),
            item: c.item.code.to_string(),
            category: c.item.category.to_string(),
            workflow: c.workflow().as_str(),
            state: c.state.as_str(),
            version: c.version,
            channel: c.channel.as_str(),
            station: c.station.as_ref().map(ToString::to_string),
            person_name: c.person_name.clone(),
            person_name_latin: c.person_name_latin.clone(),
            birth_date: c.birth_date.to_string(),
            relation: c.relation.as_str(),
            delivery: c.delivery.as_str(),
            created_at: c.created_at,
            submitted_at: c.submitted_at,
            accepted_at: c.accepted_at,
            deadline: c.deadline.map(|d| d.to_string()),
            deadline_provisional: c.deadline_provisional,
            green_due: c.green_due.map(|d| d.to_string()),
            green_due_provisional: c.green_due_provisional,
            reason: c.reason.clone(),
            mandate_id: c.mandate_id.clone(),
            at_a_glance: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    at: i64,
    /// The role the step was taken in (never the staff member's name).
    role: String,
    step: String,
    from_state: String,
    to_state: String,
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct FileView {
    id: String,
    /// Index of the item's material (from 0).
    material: i64,
    file_name: String,
    media_type: String,
    size: i64,
    sha256: String,
    uploaded_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct HandoverView {
    carrier: String,
    tracking: String,
    /// `YYYY-MM-DD` of a home visit.
    visit_date: Option<String>,
    dispatched_at: i64,
    confirmed_at: Option<i64>,
    /// Only for the person who receives the document, until it is handed over.
    code: Option<String>,
    /// A home delivery confirmed by signature: the strokes as SVG path data on a `0 0 600 200`
    /// view box, and the name the signer gave.
    signature_path: Option<String>,
    signed_by_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetailView {
    case: CaseView,
    events: Vec<EventView>,
    files: Vec<FileView>,
    /// The steps the caller may take now.
    steps: Vec<&'static str>,
    /// How the document was sent, once it was.
    handover: Option<HandoverView>,
    /// The electronic certificate the case issued: its id (for `/api/v1/verify/{id}` and
    /// `/api/v1/certificates/{id}/pdf`) and its status now.
    certificate: Option<CertificateRef>,
    /// Other cases under way for the same service and person that the caller may read:
    /// possible duplicates, oldest first.
    possible_duplicates: Vec<CaseRef>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseRef {
    id: String,
    number: String,
    state: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct CertificateRef {
    id: String,
    /// `valid`, `revoked`, `expired` or `not_genuine`.
    status: &'static str,
}

impl From<&CaseDetail> for CaseDetailView {
    fn from(d: &CaseDetail) -> Self {
        CaseDetailView {
            case: CaseView::from(&d.case),
            events: d
                .events
                .iter()
                .map(|e| EventView {
                    at: e.at,
                    role: e.role.map(|r| r.as_str()).unwrap_or_default().into(),
                    step: e.kind.as_str().into(),
                    from_state: e.from_state.map(|s| s.as_str()).unwrap_or_default().into(),
                    to_state: e.to_state.as_str().into(),
                    note: e.note.clone(),
                })
                .collect(),
            files: d
                .files
                .iter()
                .map(|f| FileView {
                    id: f.id.clone(),
                    material: f.material,
                    file_name: f.file_name.clone(),
                    media_type: f.media_type.as_str().into(),
                    size: f.size,
                    sha256: f.sha256.clone(),
                    uploaded_at: f.uploaded_at,
                })
                .collect(),
            steps: d.steps.iter().map(|s| s.as_str()).collect(),
            possible_duplicates: d
                .possible_duplicates
                .iter()
                .map(|c| CaseRef {
                    id: c.id.clone(),
                    number: c.number.clone(),
                    state: c.state.as_str(),
                })
                .collect(),
            handover: d.handover.as_ref().map(|h| HandoverView {
                carrier: h.carrier.clone(),
                tracking: h.tracking.clone(),
                visit_date: h.visit_date.clone(),
                dispatched_at: h.dispatched_at,
                confirmed_at: h.confirmed_at,
                code: h.code.clone(),
                signature_path: h.signature_path.clone(),
                signed_by_name: h.signed_by_name.clone(),
            }),
            certificate: d.certificate.as_ref().map(|c| CertificateRef {
                id: c.row.id.clone(),
                status: c.verdict.as_str(),
            }),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `mine` (default), `station` or `queue`.
    view: Option<String>,
    /// With `view=queue`: only this category, e.g. `exit-entry`.
    category: Option<String>,
    #[serde(default)]
    offset: u64,
    limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct CasePage {
    total: u64,
    offset: u64,
    items: Vec<CaseView>,
}

#[derive(Deserialize, ToSchema)]
pub struct StepBody {
    /// e.g. `submit`, `accept`, `approve`, `refuse`; the case lists the steps open to you.
    step: String,
    /// The case's version as you last read it.
    version: i64,
    /// Required for `return` and `refuse`: shown to the applicant.
    #[serde(default)]
    reason: String,
    /// `dispatch` of a courier delivery: the courier company.
    #[serde(default)]
    carrier: String,
    /// `dispatch` of a courier delivery: the tracking number (4 to 40 letters, digits, hyphens).
    #[serde(default)]
    tracking: String,
    /// `dispatch` of a home delivery: the day of the visit, `YYYY-MM-DD`.
    #[serde(default)]
    visit_date: String,
    /// `deliver` after a dispatch: the one-time code the applicant shows.
    #[serde(default)]
    code: String,
    /// `deliver` of a home delivery, instead of the code: the recipient's signature as strokes on
    /// a 600 × 200 pad, `x,y` points separated by spaces, strokes by `|`.
    #[serde(default)]
    signature: String,
    /// With `signature`: the name of the person who signed.
    #[serde(default)]
    signer: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// The file's name; its extension must match its content (pdf, jpg, jpeg, png).
    name: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// Day of acceptance, `YYYY-MM-DD` (it does not count).
    from: String,
    /// Working days allowed.
    working_days: u16,
}

#[derive(Serialize, ToSchema)]
pub struct Deadline {
    /// `YYYY-MM-DD`
    deadline: String,
    /// True when the count reaches a year whose official holiday calendar is not imported yet.
    provisional: bool,
}

/// Open a draft case for an item.
#[utoipa::path(post, path = "/api/v1/cases", operation_id = "open_case", tag = "cases", request_body = NewCaseBody,
    responses(
        (status = 201, body = CaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn open(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<NewCaseBody>,
) -> Result<(StatusCode, Json<CaseView>), Problem> {
    let request = CaseRequest {
        item: body.item,
        person_name: body.person_name,
        person_name_latin: body.person_name_latin,
        birth_date: body.birth_date,
        relation: body.relation,
        delivery: body.delivery,
        applicant_email: body.applicant_email,
        person: body.person,
        mandate: body.mandate,
        duplicate_ok: body.duplicate_ok,
    };
    let case = state.app.open_case(&auth, &request).await?;
    Ok((StatusCode::CREATED, Json(CaseView::from(&case))))
}

/// Cases: your own (`mine`), your station's (`station`), or the bureau's queue by deadline (`queue`).
#[utoipa::path(get, path = "/api/v1/cases", operation_id = "list_cases", tag = "cases", params(ListQuery),
    responses(
        (status = 200, body = CasePage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CasePage>, Problem> {
    let view = q.view.as_deref().unwrap_or("mine");
    let list = CaseList::parse(view, q.category.as_deref()).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-query",
            "view must be mine, station or queue; a category goes only with the queue and is a category code",
        )
        .with_field("view")
    })?;
    let page = state
        .app
        .cases_at_a_glance(&auth, list, q.offset, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(CasePage {
        total: page.total,
        offset: page.offset,
        items: page.items.iter().map(CaseView::from).collect(),
    }))
}

/// One case with its timeline, its files and the steps open to you.
#[utoipa::path(get, path = "/api/v1/cases/{id}", operation_id = "show_case", tag = "cases",
    params(("id" = String, Path, description = "Case id or number")),
    responses(
        (status = 200, body = CaseDetailView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CaseDetailView>, Problem> {
    let id = resolve(&state, &id).await?;
    let detail = state.app.case(&auth, &id).await?;
    Ok(Json(CaseDetailView::from(&detail)))
}

/// A case number (`QT-2026-000123`) or an id.
pub(super) async fn resolve(state: &AppState, id: &str) -> Result<String, Problem> {
    if id.contains('-') && !id.starts_with("c-") {
        Ok(state.app.case_id_by_number(id).await?)
    } else {
        Ok(id.to_owned())
    }
}

/// Take a step. A stale `version` is refused with 409 and the case's current state and version.
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases", request_body = StepBody,
    params(("id" = String, Path, description = "Case id or number")),
    responses(
        (status = 200, body = CaseView),
        (status = 401, description = "Signed out, or a decision needs a fresh second factor", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone moved the case first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The workflow does not allow the step, a reason or dispatch detail is missing, or the handover code is wrong", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn step(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StepBody>,
) -> Result<Json<CaseView>, Problem> {
    let id = resolve(&state, &id).await?;
    let request = StepRequest {
        step: body.step,
        expected_version: body.version,
        reason: body.reason,
        carrier: body.carrier,
        tracking: body.tracking,
        visit_date: body.visit_date,
        code: body.code,
        signature: body.signature,
        signer: body.signer,
    };
    let case = state.app.step_case(&auth, &id, &request).await?;
    Ok(Json(CaseView::from(&case)))
}

/// Add a file for one of the item's materials: the raw bytes as the body (PDF, JPEG or PNG,
/// recognised by content), while the case is a draft or returned.
#[utoipa::path(post, path = "/api/v1/cases/{id}/materials/{material}/files", tag = "cases",
    params(("id" = String, Path, description = "Case id or number"),
           ("material" = usize, Path, description = "Index of the item's material, from 0"),
           FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = FileView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, too large, not PDF/JPEG/PNG, or not what its name says", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn upload(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((id, material)): ApiPath<(String, usize)>,
    ApiQuery(q): ApiQuery<FileQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<FileView>), Problem> {
    let id = resolve(&state, &id).await?;
    let upload = Upload {
        material,
        file_name: &q.name,
        content: &body,
    };
    let f = state.app.upload_case_file(&auth, &id, &upload).await?;
    Ok((
        StatusCode::CREATED,
        Json(FileView {
            id: f.id,
            material: f.material,
            file_name: f.file_name,
            media_type: f.media_type.as_str().into(),
            size: f.size,
            sha256: f.sha256,
            uploaded_at: f.uploaded_at,
        }),
    ))
}

/// Download a material file, as an attachment, if you may read the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/files/{file}", operation_id = "download_case_file", tag = "cases",
    params(("id" = String, Path, description = "Case id or number"), ("file" = String, Path)),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn download(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((id, file)): ApiPath<(String, String)>,
) -> Result<Response, Problem> {
    let id = resolve(&state, &id).await?;
    let f = state.app.case_file(&auth, &id, &file).await?;
    Ok(attachment(
        f.file.media_type.as_str(),
        &f.file.file_name,
        f.content,
    ))
}

/// A download that browsers save rather than render, so an uploaded file never runs as a page.
pub fn attachment(media_type: &str, file_name: &str, content: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        content,
    )
        .into_response()
}

/// The deadline of a case accepted on `from` with a limit of `working_days`, on China's official
/// calendar (weekends, public holidays and adjusted working days). In a year whose calendar is not
/// imported yet, the statutory holidays of the national regulation and weekends count, and the
/// answer says it is provisional.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "cases", params(DeadlineQuery),
    responses(
        (status = 200, body = Deadline),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The count reaches a year before 2025 or after 2100 without a calendar", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn deadline(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> Result<Json<Deadline>, Problem> {
    let from: jiff::civil::Date = q.from.trim().parse().map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-query",
            "from must be a real date as YYYY-MM-DD",
        )
        .with_field("from")
    })?;
    if q.working_days > 365 {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-query",
            "working_days must be between 0 and 365",
        )
        .with_field("working_days"));
    }
    let deadline = state.app.deadline(from, q.working_days).await?;
    Ok(Json(Deadline {
        deadline: deadline.date.to_string(),
        provisional: deadline.provisional,
    }))
}
