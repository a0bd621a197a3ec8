//! Applying for an item: the form (one page for staff filing for someone, with a station's
//! machine-readable zone read into it; for an agent under a mandate, the principal named at the
//! top), the applicant's one-question pages handed to `apply_steps`, and opening the case.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use qiaoyi_app::cases::{CaseRequest, beijing_today};
use qiaoyi_app::domain::access::Role;
use qiaoyi_app::domain::cases::Relation;
use qiaoyi_app::domain::catalog::Item;
use qiaoyi_app::domain::identity::Mrz;
use qiaoyi_app::persons::Person;
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::cases::{delivery_key, field_error, relation_key, relation_words};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new().route("/apply/{item}", get(apply_form).post(apply))
}

pub(super) struct Choice {
    pub(super) value: &'static str,
    pub(super) label: String,
    pub(super) checked: bool,
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    item_code: String,
    item_name: String,
    for_others: bool,
    form: ApplyForm,
    relations: Vec<Choice>,
    deliveries: Vec<Choice>,
    /// People on the applicant's list: (id, label, checked).
    persons: Vec<(String, String, bool)>,
    /// Filing for a principal under a mandate: the principal's name and e-mail address.
    principal: String,
}

#[derive(Deserialize, Default)]
pub struct ApplyForm {
    #[serde(default)]
    pub(super) person_name: String,
    #[serde(default)]
    pub(super) person_name_latin: String,
    #[serde(default)]
    pub(super) birth_date: String,
    #[serde(default)]
    pub(super) relation: String,
    #[serde(default)]
    pub(super) delivery: String,
    #[serde(default)]
    pub(super) applicant_email: String,
    /// The id of a person on the filer's list, or empty for someone typed in.
    #[serde(default)]
    pub(super) person: String,
    /// A station's intake: the machine-readable zone pasted or typed by a scanner.
    #[serde(default)]
    pub(super) mrz: String,
    /// `read_mrz` fills the form from the zone instead of opening the case.
    #[serde(default)]
    pub(super) action: String,
    #[serde(skip)]
    pub(super) mrz_read: bool,
    /// The applicant's one-question pages: the page this form was sent from.
    #[serde(default)]
    pub(super) stage: String,
    /// Set by the "back" button: show the page before, keeping what was typed.
    #[serde(default)]
    pub(super) back: String,
    /// An agent filing for a principal: the mandate's id.
    #[serde(default)]
    pub(super) mandate: String,
    /// Ticked after the warning that a case for the same service and person is under way.
    #[serde(default)]
    pub(super) duplicate_ok: String,
    /// That warning's cases (id, number), linked on the page.
    #[serde(skip)]
    pub(super) duplicates: Vec<(String, String)>,
}

impl ApplyForm {
    pub(super) fn request(&self, item: &str) -> CaseRequest {
        CaseRequest {
            item: item.to_owned(),
            person_name: self.person_name.clone(),
            person_name_latin: self.person_name_latin.clone(),
            birth_date: self.birth_date.clone(),
            relation: self.relation.clone(),
            delivery: self.delivery.clone(),
            applicant_email: self.applicant_email.clone(),
            person: self.person.clone(),
            mandate: self.mandate.clone(),
            duplicate_ok: !self.duplicate_ok.is_empty(),
        }
    }

    /// After `open_case` refused a possible duplicate: her cases under way for the same service
    /// and person, to link, and the message asking her to open one or tick "apply anyway".
    pub(super) async fn warn_of_duplicates(
        &mut self,
        state: &AppState,
        p: &Prefs,
        auth: &Auth,
        item: &str,
    ) -> Result<FieldError, super::PageError> {
        let cases = state
            .app
            .my_possible_duplicates(auth, &self.request(item))
            .await
            .for_page(p)?;
        self.duplicates = cases.into_iter().map(|c| (c.id, c.number)).collect();
        Ok(FieldError {
            field: "duplicate_ok",
            message: p.t("apply-error-duplicate"),
        })
    }
}

/// The people on file offered as "who is it for": (id, label, checked).
pub(super) fn person_choices(
    p: &Prefs,
    on_file: &[Person],
    form: &ApplyForm,
) -> Vec<(String, String, bool)> {
    on_file
        .iter()
        .map(|person| {
            (
                person.id.clone(),
                format!("{} ({})", person.name, p.t(&relation_key(person.relation))),
                form.person == person.id,
            )
        })
        .collect()
}

/// The relations to choose from: as the applicant says them, or, at a desk, of the visitor.
pub(super) fn relation_choices(p: &Prefs, form: &ApplyForm, at_desk: bool) -> Vec<Choice> {
    Relation::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: p.t(&relation_words(*r, !at_desk)),
            checked: form.relation == r.as_str(),
        })
        .collect()
}

/// The ways this item's result can reach the applicant.
pub(super) fn delivery_choices(p: &Prefs, item: &Item, form: &ApplyForm) -> Vec<Choice> {
    item.delivery
        .iter()
        .map(|d| Choice {
            value: d.as_str(),
            label: p.t(delivery_key(*d)),
            checked: form.delivery == d.as_str(),
        })
        .collect()
}

fn apply_page(
    p: &Prefs,
    auth: &Auth,
    item: &Item,
    form: ApplyForm,
    errors: Vec<FieldError>,
    on_file: &[Person],
    principal: String,
) -> Response {
    // For a principal, the agent's own list of people is beside the point.
    let on_file = if form.mandate.is_empty() {
        on_file
    } else {
        &[]
    };
    let persons = person_choices(p, on_file, &form);
    let for_others = !applies_for_self(auth) && form.mandate.is_empty();
    let relations = relation_choices(p, &form, for_others);
    let deliveries = delivery_choices(p, item, &form);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ApplyPage {
        title: p.t(if for_others {
            "apply-desk-title"
        } else {
            "apply-title"
        }),
        section: "cases",
        errors,
        item_code: item.code.to_string(),
        item_name: item.name.get(p.lang).to_owned(),
        for_others,
        form,
        relations,
        deliveries,
        persons,
        principal,
        p,
    };
    (status, render(&page)).into_response()
}

/// Applicants answer one question per page; staff filing for someone else (a station's intake with
/// its machine-readable zone) keep the whole form on one page.
fn applies_for_self(auth: &Auth) -> bool {
    auth.session
        .as_ref()
        .is_some_and(|s| s.actor.has(Role::Applicant))
}

#[derive(Deserialize, Default)]
pub struct ApplyQuery {
    #[serde(default)]
    mandate: String,
}

async fn apply_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(code): Path<String>,
    Query(q): Query<ApplyQuery>,
) -> PageResult {
    if auth.session.is_none() {
        return Err(AppError::Unauthenticated).for_page(&p);
    }
    let item = state.app.item(&code).await.for_page(&p)?;
    let on_file = on_file(&state, &p, &auth).await?;
    if !q.mandate.is_empty() {
        // An agent applying for her principal: one page, the principal named at the top.
        let form = ApplyForm {
            mandate: q.mandate.clone(),
            relation: "self".into(),
            ..ApplyForm::default()
        };
        let principal = principal_of(&state, &p, &auth, &q.mandate).await?;
        return Ok(apply_page(
            &p,
            &auth,
            &item,
            form,
            Vec::new(),
            &on_file,
            principal,
        ));
    }
    // Someone applying mostly for themselves starts with themselves chosen.
    let form = ApplyForm {
        person: on_file.first().map(|p| p.id.clone()).unwrap_or_default(),
        ..ApplyForm::default()
    };
    if applies_for_self(&auth) {
        return Ok(super::apply_steps::first(&p, &item, form, &on_file));
    }
    Ok(apply_page(
        &p,
        &auth,
        &item,
        form,
        Vec::new(),
        &on_file,
        String::new(),
    ))
}

/// The principal of a mandate the signed-in agent holds, as "name <e-mail>".
async fn principal_of(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    mandate: &str,
) -> Result<String, super::PageError> {
    let d = state.app.mandate(auth, mandate).await.for_page(p)?;
    Ok(format!(
        "{} <{}>",
        d.mandate.principal.name, d.mandate.principal.email
    ))
}

/// The people the signed-in account keeps on file, offered in "who is it for".
async fn on_file(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
) -> Result<Vec<Person>, super::PageError> {
    state.app.my_persons(auth).await.for_page(p)
}

async fn apply(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(code): Path<String>,
    Form(form): Form<ApplyForm>,
) -> PageResult {
    let item = state.app.item(&code).await.for_page(&p)?;
    let on_file = on_file(&state, &p, &auth).await?;
    if form.action == "read_mrz" {
        return Ok(read_mrz(&p, &auth, &item, form, &on_file));
    }
    if !form.stage.is_empty() && applies_for_self(&auth) && form.mandate.is_empty() {
        return super::apply_steps::answered(&state, &p, &auth, &item, form, &on_file).await;
    }
    let request = form.request(&code);
    let principal = if form.mandate.is_empty() {
        String::new()
    } else {
        principal_of(&state, &p, &auth, &form.mandate).await?
    };
    match state.app.open_case(&auth, &request).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response()),
        Err(AppError::Invalid {
            reason: Reason::Duplicate,
            ..
        }) => {
            let mut form = form;
            let error = form.warn_of_duplicates(&state, &p, &auth, &code).await?;
            Ok(apply_page(
                &p,
                &auth,
                &item,
                form,
                vec![error],
                &on_file,
                principal,
            ))
        }
        Err(AppError::Invalid { field, reason, .. }) => {
            let errors = vec![field_error(&p, field, reason)];
            Ok(apply_page(
                &p, &auth, &item, form, errors, &on_file, principal,
            ))
        }
        Err(AppError::Mandate(refusal)) => {
            let errors = vec![FieldError {
                field: "mandate",
                message: super::mandates::refusal_text(&p, &refusal),
            }];
            Ok(apply_page(
                &p, &auth, &item, form, errors, &on_file, principal,
            ))
        }
        Err(other) => Err(other).for_page(&p),
    }
}

/// Fills the name in Latin letters and the birth date from a pasted zone, for the clerk to check.
fn read_mrz(
    p: &Prefs,
    auth: &Auth,
    item: &Item,
    mut form: ApplyForm,
    on_file: &[Person],
) -> Response {
    match Mrz::parse_text(&form.mrz, beijing_today(auth.now)) {
        Ok(zone) => {
            form.person_name_latin = format!("{} {}", zone.surname(), zone.given_names())
                .trim()
                .to_owned();
            form.birth_date = zone.birth_date().to_string();
            form.mrz_read = true;
            // The zone describes someone typed in, not a person from the list.
            form.person.clear();
            apply_page(p, auth, item, form, Vec::new(), on_file, String::new())
        }
        Err(e) => {
            let key = match e.code().split('.').next() {
                Some("check_digit") => "case-error-mrz-check-digit",
                Some("date") => "case-error-mrz-date",
                _ => "case-error-mrz-shape",
            };
            let error = FieldError {
                field: "mrz",
                message: p.t(key),
            };
            apply_page(p, auth, item, form, vec![error], on_file, String::new())
        }
    }
}
