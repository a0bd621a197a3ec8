//! The applicant's application, one question per page: who it is for, then (for someone not on
//! file) their relation and their name and birth date, then how the result reaches them. Answers
//! travel in hidden fields, so nothing is stored before the case is opened; the case page that
//! follows is the "check your answers" step.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qiaoyi_app::cases::check_person_details;
use qiaoyi_app::domain::cases::Relation;
use qiaoyi_app::domain::catalog::Item;
use qiaoyi_app::persons::Person;
use qiaoyi_app::{AppError, Reason};

use super::account::{FieldError, FieldErrors};
use super::apply::{ApplyForm, Choice, delivery_choices, person_choices, relation_choices};
use super::cases::field_error;
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

/// One page of the application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Who,
    Relation,
    Details,
    Delivery,
}

impl Stage {
    fn parse(s: &str) -> Option<Stage> {
        [Stage::Who, Stage::Relation, Stage::Details, Stage::Delivery]
            .into_iter()
            .find(|stage| stage.as_str() == s)
    }

    fn as_str(self) -> &'static str {
        match self {
            Stage::Who => "who",
            Stage::Relation => "relation",
            Stage::Details => "details",
            Stage::Delivery => "delivery",
        }
    }

    /// The pages this application asks, in order. People on file are offered first; someone
    /// chosen from the file needs no relation or details.
    fn sequence(has_people_on_file: bool, chose_from_file: bool) -> Vec<Stage> {
        let mut stages = Vec::with_capacity(4);
        if has_people_on_file {
            stages.push(Stage::Who);
        }
        if !chose_from_file {
            stages.extend([Stage::Relation, Stage::Details]);
        }
        stages.push(Stage::Delivery);
        stages
    }

    /// The page that asks for a field the application refused.
    fn asking(field: &str) -> Stage {
        match field {
            "person" => Stage::Who,
            "relation" => Stage::Relation,
            "person_name" | "person_name_latin" | "birth_date" => Stage::Details,
            _ => Stage::Delivery,
        }
    }
}

#[derive(Template)]
#[template(path = "apply_step.html")]
struct StepPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    item_code: String,
    item_name: String,
    stage: &'static str,
    position: usize,
    count: usize,
    form: ApplyForm,
    /// The answers of the other pages, carried along.
    hidden: Vec<(&'static str, String)>,
    persons: Vec<(String, String, bool)>,
    relations: Vec<Choice>,
    deliveries: Vec<Choice>,
}

fn page(
    p: &Prefs,
    item: &Item,
    form: ApplyForm,
    on_file: &[Person],
    stage: Stage,
    errors: Vec<FieldError>,
) -> Response {
    let sequence = Stage::sequence(!on_file.is_empty(), !form.person.is_empty());
    // A refusal may name a page this sequence skips (a tampered form); show the last one then.
    let stage = if sequence.contains(&stage) {
        stage
    } else {
        Stage::Delivery
    };
    let position = sequence.iter().position(|s| *s == stage).unwrap_or(0) + 1;
    let asked: &[&str] = match stage {
        Stage::Who => &["person"],
        Stage::Relation => &["relation"],
        Stage::Details => &["person_name", "person_name_latin", "birth_date"],
        Stage::Delivery => &["delivery"],
    };
    let hidden = [
        ("person", &form.person),
        ("relation", &form.relation),
        ("person_name", &form.person_name),
        ("person_name_latin", &form.person_name_latin),
        ("birth_date", &form.birth_date),
        ("delivery", &form.delivery),
    ]
    .into_iter()
    .filter(|(name, _)| !asked.contains(name))
    .map(|(name, value)| (name, value.clone()))
    .collect();
    let title = p.t(match stage {
        Stage::Who => "apply-person",
        Stage::Relation => "apply-relation",
        Stage::Details => "apply-details",
        Stage::Delivery => "apply-delivery",
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = StepPage {
        title,
        section: "cases",
        errors,
        item_code: item.code.to_string(),
        item_name: item.name.get(p.lang).to_owned(),
        stage: stage.as_str(),
        position,
        count: sequence.len(),
        hidden,
        persons: person_choices(p, on_file, &form),
        relations: relation_choices(p, &form, false),
        deliveries: delivery_choices(p, item, &form),
        form,
        p,
    };
    (status, render(&view)).into_response()
}

/// The first page of a new application.
pub fn first(p: &Prefs, item: &Item, form: ApplyForm, on_file: &[Person]) -> Response {
    let sequence = Stage::sequence(!on_file.is_empty(), !form.person.is_empty());
    page(p, item, form, on_file, sequence[0], Vec::new())
}

/// Takes the answer to one page: the same page again with what to fix, the next page, or, after
/// the last, the case opened as a draft and its page.
pub async fn answered(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    item: &Item,
    form: ApplyForm,
    on_file: &[Person],
) -> PageResult {
    let mut form = form;
    // Someone chosen from the file who is no longer on it (removed in another tab): start again
    // with who it is for, rather than carry a choice that can never be sent.
    if !form.person.is_empty() && !on_file.iter().any(|p| p.id == form.person) {
        form.person.clear();
        if on_file.is_empty() {
            return Ok(page(p, item, form, on_file, Stage::Relation, Vec::new()));
        }
        let errors = vec![field_error(p, "person", Reason::Malformed)];
        return Ok(page(p, item, form, on_file, Stage::Who, errors));
    }
    let stage = Stage::parse(&form.stage).unwrap_or(Stage::Who);
    let sequence = Stage::sequence(!on_file.is_empty(), !form.person.is_empty());
    let at = sequence.iter().position(|s| *s == stage);
    if !form.back.is_empty() {
        let before = at
            .and_then(|i| i.checked_sub(1))
            .map_or(sequence[0], |i| sequence[i]);
        return Ok(page(p, item, form, on_file, before, Vec::new()));
    }
    if let Err(error) = check(stage, &form, &item.code.to_string(), auth.now) {
        return Ok(page(
            p,
            item,
            form,
            on_file,
            stage,
            vec![error.into_field(p)],
        ));
    }
    if let Some(next) = at.and_then(|i| sequence.get(i + 1)) {
        return Ok(page(p, item, form, on_file, *next, Vec::new()));
    }
    let request = form.request(&item.code.to_string());
    match state.app.open_case(auth, &request).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response()),
        Err(AppError::Invalid {
            reason: Reason::Duplicate,
            ..
        }) => {
            let mut form = form;
            let code = item.code.to_string();
            let error = form.warn_of_duplicates(state, p, auth, &code).await?;
            Ok(page(p, item, form, on_file, Stage::Delivery, vec![error]))
        }
        Err(AppError::Invalid { field, reason, .. }) => {
            let errors = vec![field_error(p, field, reason)];
            Ok(page(p, item, form, on_file, Stage::asking(field), errors))
        }
        Err(other) => Err(other).for_page(p),
    }
}

/// A refused answer: the field and why, localized by `field_error`.
struct Refusal {
    field: &'static str,
    reason: Reason,
}

impl Refusal {
    fn into_field(self, p: &Prefs) -> FieldError {
        field_error(p, self.field, self.reason)
    }
}

/// Checks what one page asked (who it is for was checked on arrival). The whole application is
/// checked again when the case is opened.
fn check(stage: Stage, form: &ApplyForm, item: &str, now: i64) -> Result<(), Refusal> {
    match stage {
        Stage::Relation if Relation::parse(form.relation.trim()).is_none() => Err(Refusal {
            field: "relation",
            reason: Reason::Malformed,
        }),
        Stage::Details => match check_person_details(&form.request(item), now) {
            Err(AppError::Invalid { field, reason, .. }) => Err(Refusal { field, reason }),
            _ => Ok(()),
        },
        Stage::Delivery if form.delivery.trim().is_empty() => Err(Refusal {
            field: "delivery",
            reason: Reason::Malformed,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::Stage::{self, *};

    #[test]
    fn the_pages_asked_follow_who_it_is_for() {
        assert_eq!(Stage::sequence(true, true), vec![Who, Delivery]);
        assert_eq!(
            Stage::sequence(true, false),
            vec![Who, Relation, Details, Delivery]
        );
        assert_eq!(
            Stage::sequence(false, false),
            vec![Relation, Details, Delivery]
        );
        for stage in [Who, Relation, Details, Delivery] {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        }
        assert_eq!(Stage::parse("confirm"), None);
        assert_eq!(Stage::asking("birth_date"), Details);
        assert_eq!(Stage::asking("applicant_email"), Delivery);
    }
}
