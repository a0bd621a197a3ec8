//! Fees on the case page (what is due, paid, refunded, each entry with its receipt; the form staff
//! record payments, refunds and write-offs with) and the printable receipt.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::domain::fees::{EntryKind, LedgerEntry, Method, format_yuan, parse_yuan};
use qiaoyi_app::fees::{FeeRequest, FeeStatement};
use qiaoyi_app::payments::Providers;
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, when};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/fees", post(record))
        .route("/receipts/{id}", get(receipt))
        .route("/account/payments", get(recorded))
}

/// The form as sent, kept to fill it again after a refusal.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FeeForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub payer_name: String,
    #[serde(default)]
    pub on_behalf: String,
    #[serde(default)]
    pub payer_relation: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub mandate: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

pub struct FeeLine {
    pub kind: String,
    pub amount: String,
    pub method: String,
    pub payer: String,
    pub on_behalf: bool,
    pub payer_relation: String,
    pub note: String,
    pub at: String,
    pub role: String,
    /// The entry id, for payments and refunds, which have receipts.
    pub receipt: Option<(String, String)>,
    /// The online provider, and whether its gateway confirmed the payment.
    pub provider: String,
    pub provider_confirmed: bool,
}

pub struct ProviderChoice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

/// The fees part of the case page.
pub struct FeeSection {
    pub show: bool,
    pub fee: String,
    pub paid: String,
    pub refunded: String,
    pub written_off: String,
    pub outstanding: String,
    pub owes: bool,
    pub pending: bool,
    /// A draft: the fee is charged once it is sent, so nothing is owed yet.
    pub due_on_sending: bool,
    pub lines: Vec<FeeLine>,
    pub can_record: bool,
    pub kinds: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub providers: Vec<ProviderChoice>,
    pub form: FeeForm,
}

fn kind_label(p: &Prefs, kind: &str) -> String {
    p.t(&format!("fees-kind-{}", kind.replace('_', "-")))
}

fn method_label(p: &Prefs, method: &str) -> String {
    p.t(&format!("fees-method-{}", method.replace('_', "-")))
}

/// The fees part of the case page. `form` refills the form after a refusal; otherwise the payer is
/// the person the case is for.
pub fn section(
    p: &Prefs,
    s: &FeeStatement,
    person_name: &str,
    providers: &Providers,
    form: Option<FeeForm>,
) -> FeeSection {
    let mut form = form.unwrap_or_else(|| FeeForm {
        payer_name: person_name.to_owned(),
        ..FeeForm::default()
    });
    if form.kind.is_empty() {
        form.kind = if s.may_pay { "payment" } else { "refund" }.into();
    }
    let kinds = EntryKind::ALL
        .into_iter()
        .filter(|k| match k {
            EntryKind::Charge => false,
            EntryKind::Payment => s.may_pay,
            EntryKind::Refund | EntryKind::WriteOff => s.may_adjust,
        })
        .map(|k| Choice {
            value: k.as_str(),
            label: kind_label(p, k.as_str()),
            selected: form.kind == k.as_str(),
        })
        .collect();
    let methods = Method::ALL
        .into_iter()
        .map(|m| Choice {
            value: m.as_str(),
            label: method_label(p, m.as_str()),
            selected: form.method == m.as_str(),
        })
        .collect();
    let lines = s
        .entries
        .iter()
        .map(|e| FeeLine {
            kind: kind_label(p, e.kind.as_str()),
            amount: format_yuan(e.amount_fen),
            method: e
                .method
                .map(|m| method_label(p, m.as_str()))
                .unwrap_or_default(),
            payer: e.payer_name.clone(),
            on_behalf: e.on_behalf,
            payer_relation: e.payer_relation.clone(),
            note: e.note.clone(),
            at: when(e.recorded_at),
            role: e
                .recorded_role
                .map(|r| p.t(&format!("role-{}", r.as_str())))
                .unwrap_or_default(),
            receipt: e
                .receipt_number
                .clone()
                .map(|number| (e.id.clone(), number)),
            provider: provider_name(providers, e),
            provider_confirmed: e.provider.as_ref().is_some_and(|p| p.confirmed),
        })
        .collect();
    let provider_choices = providers
        .list()
        .into_iter()
        .map(|(code, name)| ProviderChoice {
            selected: form.provider == code,
            code,
            name,
        })
        .collect();
    FeeSection {
        show: !s.is_empty(),
        fee: format_yuan(s.fee_fen),
        paid: format_yuan(s.fees.paid),
        refunded: format_yuan(s.fees.refunded),
        written_off: format_yuan(s.fees.written_off),
        outstanding: format_yuan(s.outstanding()),
        owes: s.outstanding() > 0,
        pending: s.pending_charge > 0,
        due_on_sending: s.due_on_sending,
        lines,
        can_record: s.may_pay || s.may_adjust,
        kinds,
        methods,
        providers: provider_choices,
        form,
    }
}

/// The name of an entry's provider as configured, or its code if it is no longer configured.
fn provider_name(providers: &Providers, e: &LedgerEntry) -> String {
    e.provider
        .as_ref()
        .map(|r| {
            providers
                .get(&r.code)
                .map_or_else(|| r.code.clone(), |p| p.name().to_owned())
        })
        .unwrap_or_default()
}

/// A refusal from the use case, in the reader's language, beside its field.
fn field_error(p: &Prefs, field: &'static str, reason: Reason) -> FieldError {
    let key = match (field, reason) {
        ("kind", _) => "fee-error-kind",
        ("amount", _) => "fee-error-amount-limit",
        ("method", _) => "fee-error-method",
        ("provider", Reason::ProviderUnreachable) => "fee-error-provider-unreachable",
        ("provider", _) => "fee-error-provider",
        ("reference", Reason::ReferenceFormat) => "fee-error-reference-format",
        ("reference", Reason::ReferenceRefused) => "fee-error-reference-refused",
        ("reference", _) => "fee-error-reference",
        ("payer_name", _) => "fee-error-payer",
        ("payer_relation", _) => "fee-error-relation",
        ("mandate", _) => "fee-error-mandate",
        _ => "fee-error-note",
    };
    FieldError {
        field: if field == "mandate" {
            "fee-mandate"
        } else {
            field
        },
        message: p.t(key),
    }
}

async fn record(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<FeeForm>,
) -> PageResult {
    let amount_fen = match parse_yuan(&form.amount) {
        Ok(fen) => fen,
        Err(_) => {
            let error = FieldError {
                field: "amount",
                message: p.t("fee-error-amount"),
            };
            return super::cases::case_with(&state, &p, &auth, &id, vec![error], Some(form)).await;
        }
    };
    let request = FeeRequest {
        kind: form.kind.clone(),
        amount_fen,
        method: form.method.clone(),
        reference: form.reference.clone(),
        payer_name: form.payer_name.clone(),
        on_behalf: !form.on_behalf.is_empty(),
        payer_relation: form.payer_relation.clone(),
        note: form.note.clone(),
        provider: form.provider.clone(),
        mandate: form.mandate.clone(),
    };
    match state.app.record_fee(&auth, &id, &request).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#fees")).into_response()),
        Err(AppError::Invalid { field, reason, .. }) => {
            let errors = vec![field_error(&p, field, reason)];
            super::cases::case_with(&state, &p, &auth, &id, errors, Some(form)).await
        }
        Err(AppError::Mandate(refusal)) => {
            let errors = vec![FieldError {
                field: "fee-mandate",
                message: super::mandates::refusal_text(&p, &refusal),
            }];
            super::cases::case_with(&state, &p, &auth, &id, errors, Some(form)).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    bureau: String,
    bureau_zh: String,
    number: String,
    is_refund: bool,
    at: String,
    case_id: String,
    case_number: String,
    item_name: String,
    person_name: String,
    amount: String,
    capitals: String,
    payer: String,
    on_behalf: bool,
    payer_relation: String,
    /// A payment by an agent under a mandate: its number.
    mandate: String,
    method: String,
    reference: String,
    role: String,
    provider: String,
    provider_confirmed: bool,
}

async fn receipt(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    let r = state.app.receipt(&auth, &id).await.for_page(&p)?;
    let number = r.entry.receipt_number.clone().unwrap_or_default();
    let page = ReceiptPage {
        title: p.t1("receipt-title", "number", number.clone()),
        section: "cases",
        bureau: r.bureau.get(p.lang).to_owned(),
        bureau_zh: r.bureau.get(qiaoyi_app::domain::lang::Lang::Zh).to_owned(),
        number,
        is_refund: r.entry.kind == EntryKind::Refund,
        at: when(r.entry.recorded_at),
        case_id: r.case.id.clone(),
        case_number: r.case.number.clone(),
        item_name: r.case.item.name.get(p.lang).to_owned(),
        person_name: r.case.person_name.clone(),
        amount: format_yuan(r.entry.amount_fen),
        capitals: r.capitals.clone(),
        payer: r.entry.payer_name.clone(),
        on_behalf: r.entry.on_behalf,
        mandate: r.entry.mandate_id.clone().unwrap_or_default(),
        payer_relation: r.entry.payer_relation.clone(),
        method: r
            .entry
            .method
            .map(|m| method_label(&p, m.as_str()))
            .unwrap_or_default(),
        reference: r.entry.reference.clone(),
        provider: provider_name(state.app.payment_providers(), &r.entry),
        provider_confirmed: r.entry.provider.as_ref().is_some_and(|p| p.confirmed),
        role: p.t(&format!(
            "role-{}",
            r.entry
                .recorded_role
                .map(|r| r.as_str())
                .unwrap_or_default()
        )),
        p: &p,
    };
    Ok(render(&page).into_response())
}

struct RecordedLine {
    at: String,
    case_id: String,
    case_number: String,
    person: String,
    kind: String,
    method: String,
    amount: String,
    payer: String,
    on_behalf: bool,
    payer_relation: String,
    receipt: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "payments.html")]
struct RecordedPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    lines: Vec<RecordedLine>,
    page: u64,
    pages: u64,
}

const RECORDED_PER_PAGE: u64 = 50;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

/// The payments, refunds and write-offs the signed-in staff member recorded.
async fn recorded(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let page = super::page_number(q.page.as_deref());
    let entries = state
        .app
        .recorded_entries(
            &auth,
            (page - 1).saturating_mul(RECORDED_PER_PAGE),
            RECORDED_PER_PAGE,
        )
        .await
        .for_page(&p)?;
    let lines = entries
        .items
        .into_iter()
        .map(|r| {
            let e = r.entry;
            RecordedLine {
                at: when(e.recorded_at),
                kind: kind_label(&p, e.kind.as_str()),
                method: e
                    .method
                    .map(|m| method_label(&p, m.as_str()))
                    .unwrap_or_default(),
                amount: format_yuan(e.amount_fen),
                receipt: e.receipt_number.map(|n| (e.id.clone(), n)),
                case_id: e.case_id,
                case_number: r.case_number,
                person: r.person_name,
                payer: e.payer_name,
                on_behalf: e.on_behalf,
                payer_relation: e.payer_relation,
            }
        })
        .collect();
    let page = RecordedPage {
        title: p.t("payments-title"),
        section: "account",
        lines,
        page,
        pages: entries.total.div_ceil(RECORDED_PER_PAGE).max(1),
        p: &p,
    };
    Ok(render(&page).into_response())
}
