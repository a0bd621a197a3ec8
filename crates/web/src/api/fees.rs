//! Fees over the API: a case's statement, recording payments (also on someone's behalf), refunds
//! and write-offs, and receipts. Amounts are integer fen.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::domain::fees::{LedgerEntry, format_yuan};
use qiaoyi_app::fees::{FeeRequest, FeeStatement, Receipt};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::resolve;
use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub struct EntryView {
    id: String,
    /// `charge`, `payment`, `refund` or `write_off`.
    kind: String,
    amount_fen: i64,
    /// For payments and refunds: `cash_station`, `cash_window`, `bank_transfer` or `online`.
    method: Option<String>,
    /// The bank's or online provider's reference.
    reference: String,
    payer_name: String,
    /// Paid by someone for the applicant (代缴).
    on_behalf: bool,
    /// Who the payer is to the applicant, when paying on their behalf.
    payer_relation: String,
    note: String,
    /// The role it was recorded in (never the staff member's name).
    recorded_role: String,
    /// Milliseconds since 1970 (UTC).
    recorded_at: i64,
    /// Payments and refunds: `R-2026-000001`; see `GET /api/v1/receipts/{id}`.
    receipt_number: Option<String>,
    /// Online payments and refunds: the provider's code, when providers are configured.
    provider: Option<String>,
    /// Whether the provider's gateway confirmed the reference and amount (otherwise recorded on
    /// the staff member's word).
    provider_confirmed: bool,
    /// A payment made under this mandate (代缴).
    mandate_id: Option<String>,
}

impl From<&LedgerEntry> for EntryView {
    fn from(e: &LedgerEntry) -> Self {
        EntryView {
            id: e.id.clone(),
            kind: e.kind.as_str().into(),
            amount_fen: e.amount_fen,
            method: e.method.map(|m| m.as_str().into()),
            reference: e.reference.clone(),
            payer_name: e.payer_name.clone(),
            on_behalf: e.on_behalf,
            payer_relation: e.payer_relation.clone(),
            note: e.note.clone(),
            recorded_role: e
                .recorded_role
                .map(|r| r.as_str())
                .unwrap_or_default()
                .into(),
            recorded_at: e.recorded_at,
            receipt_number: e.receipt_number.clone(),
            provider: e.provider.as_ref().map(|p| p.code.clone()),
            provider_confirmed: e.provider.as_ref().is_some_and(|p| p.confirmed),
            mandate_id: e.mandate_id.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StatementView {
    /// The item's fee in the catalogue.
    fee_fen: i64,
    charged_fen: i64,
    paid_fen: i64,
    refunded_fen: i64,
    written_off_fen: i64,
    /// Still owed.
    outstanding_fen: i64,
    /// Oldest first.
    entries: Vec<EntryView>,
    /// Whether you may record a payment; refunds and write-offs.
    may_record_payment: bool,
    may_adjust: bool,
}

impl From<&FeeStatement> for StatementView {
    fn from(s: &FeeStatement) -> Self {
        StatementView {
            fee_fen: s.fee_fen,
            charged_fen: s.fees.charged,
            paid_fen: s.fees.paid,
            refunded_fen: s.fees.refunded,
            written_off_fen: s.fees.written_off,
            outstanding_fen: s.outstanding(),
            entries: s.entries.iter().map(EntryView::from).collect(),
            may_record_payment: s.may_pay,
            may_adjust: s.may_adjust,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct FeeBody {
    /// `payment`, `refund` or `write_off` (the fee itself is charged at submission).
    kind: String,
    /// More than 0, at most 99999999999; a payment or write-off at most what is owed, a refund at
    /// most what was paid and not yet refunded.
    amount_fen: i64,
    /// Payments and refunds: `cash_station`, `cash_window`, `bank_transfer` or `online`.
    #[serde(default)]
    method: String,
    /// Required for `bank_transfer` and `online`.
    #[serde(default)]
    reference: String,
    /// Required for payments and refunds: the name printed on the receipt.
    #[serde(default)]
    payer_name: String,
    /// Someone pays for the applicant (代缴); then `payer_relation` is required.
    #[serde(default)]
    on_behalf: bool,
    #[serde(default)]
    payer_relation: String,
    /// Required for write-offs: why.
    #[serde(default)]
    note: String,
    /// `online` payments and refunds when the bureau configured providers: the provider's code
    /// (see the fee form or the configuration). A provider with a gateway is asked to confirm the
    /// reference paid the amount before the payment is recorded.
    #[serde(default)]
    provider: String,
    /// A payment by an agent for the applicant (代缴): the id of the mandate the applicant gave
    /// her. It must cover this case's item today; `payer_name` and `payer_relation` default to the
    /// agent's name and relation.
    #[serde(default)]
    mandate: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptView {
    entry: EntryView,
    case_id: String,
    case_number: String,
    item: String,
    item_name: String,
    /// The bureau's name in Chinese.
    bureau: String,
    /// e.g. `1,234.50`.
    amount_yuan: String,
    /// The amount in capital numerals (大写), e.g. `壹仟贰佰叁拾肆元伍角`.
    amount_capitals: String,
    /// The person the case is for.
    person_name: String,
}

impl From<&Receipt> for ReceiptView {
    fn from(r: &Receipt) -> Self {
        use qiaoyi_app::domain::lang::Lang;
        ReceiptView {
            entry: EntryView::from(&r.entry),
            case_id: r.case.id.clone(),
            case_number: r.case.number.clone(),
            item: r.case.item.code.to_string(),
            item_name: r.case.item.name.get(Lang::Zh).to_owned(),
            bureau: r.bureau.get(Lang::Zh).to_owned(),
            amount_yuan: format_yuan(r.entry.amount_fen),
            amount_capitals: r.capitals.clone(),
            person_name: r.case.person_name.clone(),
        }
    }
}

/// A case's fees: what is due, paid, refunded and written off, with every entry.
#[utoipa::path(get, path = "/api/v1/cases/{id}/fees", tag = "fees",
    params(("id" = String, Path, description = "Case id or number")),
    responses(
        (status = 200, body = StatementView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn statement(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<StatementView>, Problem> {
    let id = resolve(&state, &id).await?;
    let statement = state.app.case_fees(&auth, &id).await?;
    Ok(Json(StatementView::from(&statement)))
}

/// Record a payment (station for its own cases, the item's officers, consultants), or a refund or
/// write-off (the item's officers). Overpaying and over-refunding are refused.
#[utoipa::path(post, path = "/api/v1/cases/{id}/fees", operation_id = "record_fee_entry", tag = "fees", request_body = FeeBody,
    params(("id" = String, Path, description = "Case id or number")),
    responses(
        (status = 201, body = EntryView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn record(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<FeeBody>,
) -> Result<(StatusCode, Json<EntryView>), Problem> {
    let id = resolve(&state, &id).await?;
    let request = FeeRequest {
        kind: body.kind,
        amount_fen: body.amount_fen,
        method: body.method,
        reference: body.reference,
        payer_name: body.payer_name,
        on_behalf: body.on_behalf,
        payer_relation: body.payer_relation,
        note: body.note,
        provider: body.provider,
        mandate: body.mandate,
    };
    let entry = state.app.record_fee(&auth, &id, &request).await?;
    Ok((StatusCode::CREATED, Json(EntryView::from(&entry))))
}

/// The receipt of a payment or refund, for whoever may read its case.
#[utoipa::path(get, path = "/api/v1/receipts/{id}", tag = "fees",
    params(("id" = String, Path, description = "The entry's id")),
    responses(
        (status = 200, body = ReceiptView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn receipt(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ReceiptView>, Problem> {
    let receipt = state.app.receipt(&auth, &id).await?;
    Ok(Json(ReceiptView::from(&receipt)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordedQuery {
    #[serde(default)]
    offset: u64,
    /// 1 to 100; 20 when left out.
    limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct RecordedView {
    case_id: String,
    case_number: String,
    /// The person the case is for.
    person_name: String,
    entry: EntryView,
}

#[derive(Serialize, ToSchema)]
pub struct RecordedPage {
    total: u64,
    offset: u64,
    items: Vec<RecordedView>,
}

/// The payments, refunds and write-offs you recorded, newest first: a station's or consultant's
/// own record of what it took or paid for others (代缴).
#[utoipa::path(get, path = "/api/v1/payments/recorded", tag = "fees", params(RecordedQuery),
    responses(
        (status = 200, body = RecordedPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The limit is outside 1 to 100", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn recorded(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    super::extract::ApiQuery(q): super::extract::ApiQuery<RecordedQuery>,
) -> Result<Json<RecordedPage>, Problem> {
    let page = state
        .app
        .recorded_entries(&auth, q.offset, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(RecordedPage {
        total: page.total,
        offset: page.offset,
        items: page
            .items
            .iter()
            .map(|r| RecordedView {
                case_id: r.entry.case_id.clone(),
                case_number: r.case_number.clone(),
                person_name: r.person_name.clone(),
                entry: EntryView::from(&r.entry),
            })
            .collect(),
    }))
}
