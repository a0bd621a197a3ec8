//! The auditor's audit-log viewer. Every entry reads in words: who by name, role and station; what
//! was done; which record, by the case's number or the account's name. Its filters take words
//! too: a name or e-mail address, an action and a kind of record chosen from lists, a case number.
//! The codes stay in the chain (they are what its hashes cover) and in the links that narrow the
//! log to one actor or one record.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use qiaoyi_app::AuditFilter;
use qiaoyi_app::admin::AuditEntry;
use qiaoyi_app::domain::access::{AuditAction, AuditSubject};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, page_number, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::pages::grants::GrantNames;

const PER_PAGE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit_log))
}

/// An action's words in the reader's language; a code no version of this program wrote (a
/// hand-edited entry, say) is named as such rather than shown.
fn action_words(p: &Prefs, action: Option<AuditAction>) -> String {
    match action {
        Some(action) => p.t(&action_key(action)),
        None => p.t("audit-do-other"),
    }
}

fn action_key(action: AuditAction) -> String {
    format!("audit-do-{}", action.code().replace(['_', '.'], "-"))
}

fn subject_key(subject: AuditSubject) -> String {
    format!("audit-about-{}", subject.as_str().replace('_', "-"))
}

struct AuditLine {
    seq: i64,
    at: String,
    /// The actor's name, or that no one was signed in.
    actor: String,
    /// The log narrowed to this actor's entries; `None` for the anonymous.
    actor_href: Option<String>,
    role: String,
    station: String,
    action: String,
    /// The kind of record, with the case's number or the account's name when it has one.
    subject: String,
    /// The log narrowed to entries about this record.
    subject_href: Option<String>,
    purpose: String,
    outcome: String,
    refused: bool,
    client: String,
}

impl AuditLine {
    fn new(p: &Prefs, names: &GrantNames, e: AuditEntry) -> AuditLine {
        let r = e.record;
        // Read once: the words and whether the purpose shows both follow from it.
        let action = AuditAction::parse(&r.action);
        let kind = AuditSubject::parse(&r.subject_type)
            .map_or_else(|| p.t("audit-about-other"), |s| p.t(&subject_key(s)));
        let named = [e.case_number, e.subject_name]
            .into_iter()
            .find(|n| !n.is_empty());
        let subject = match named {
            Some(name) => format!("{kind} {name}"),
            None => kind,
        };
        let narrow = |pairs: &[(&str, &str)]| {
            Some(format!(
                "/audit?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            ))
        };
        AuditLine {
            seq: r.seq,
            at: when(r.at_ms),
            actor: if r.actor.is_empty() {
                p.t("audit-actor-none")
            } else if e.actor_name.is_empty() {
                p.t("audit-actor-unknown")
            } else {
                e.actor_name
            },
            actor_href: if r.actor.is_empty() {
                None
            } else {
                narrow(&[("actor", &r.actor)])
            },
            role: r
                .role
                .split(',')
                .filter(|role| !role.is_empty())
                .map(|role| names.role(p, role, ""))
                .collect::<Vec<_>>()
                .join(p.t("list-separator").as_str()),
            station: names.scope(&r.station).to_owned(),
            action: action_words(p, action),
            subject,
            subject_href: if r.subject_id.is_empty() {
                None
            } else {
                narrow(&[
                    ("subject_type", &r.subject_type),
                    ("subject_id", &r.subject_id),
                ])
            },
            // What a person typed is shown as typed; what the program noted for itself is not.
            purpose: if action.is_some_and(AuditAction::purpose_is_typed) {
                r.purpose
            } else {
                String::new()
            },
            outcome: p.t_or(&format!("audit-outcome-{}", r.outcome), &r.outcome),
            refused: r.outcome != "ok",
            client: r.client,
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject_type: String,
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    q: AuditQuery,
    /// Some filter is set: the filters show open.
    filtering: bool,
    errors: Vec<FieldError>,
    /// The actions to choose from: (code, words), by their words.
    actions: Vec<(String, String)>,
    /// The kinds of record to choose from, likewise.
    subjects: Vec<(&'static str, String)>,
    lines: Vec<AuditLine>,
    total: u64,
    page: u64,
    pages: u64,
    /// The filters as a query string, for the pager's links.
    filters: String,
}

/// Midnight in Beijing at the start (or, with `end`, the end) of a `YYYY-MM-DD` day.
fn beijing_day(s: &str, end: bool) -> Result<Option<i64>, ()> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let date: jiff::civil::Date = s.trim().parse().map_err(|_| ())?;
    let date = if end {
        date.tomorrow().map_err(|_| ())?
    } else {
        date
    };
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").map_err(|_| ())?;
    let start = date
        .to_zoned(tz)
        .map_err(|_| ())?
        .timestamp()
        .as_millisecond();
    Ok(Some(if end { start - 1 } else { start }))
}

async fn audit_log(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let mut errors = Vec::new();
    let from = beijing_day(&q.from, false).unwrap_or_else(|()| {
        errors.push(FieldError {
            field: "from",
            message: p.t("audit-bad-date"),
        });
        None
    });
    let to = beijing_day(&q.to, true).unwrap_or_else(|()| {
        errors.push(FieldError {
            field: "to",
            message: p.t("audit-bad-date"),
        });
        None
    });
    // The lists offer every code there is: anything else came from an edited address.
    let action = q.action.trim();
    if !action.is_empty() && AuditAction::parse(action).is_none() {
        errors.push(FieldError {
            field: "action",
            message: p.t("audit-bad-choice"),
        });
    }
    let subject_type = q.subject_type.trim();
    if !subject_type.is_empty() && AuditSubject::parse(subject_type).is_none() {
        errors.push(FieldError {
            field: "subject_type",
            message: p.t("audit-bad-choice"),
        });
    }
    let filter = AuditFilter {
        actor: q.actor.trim().to_owned(),
        action: action.to_owned(),
        subject_type: subject_type.to_owned(),
        subject_id: q.subject_id.trim().to_owned(),
        from_ms: from,
        to_ms: to,
        not_actor: String::new(),
    };
    let page = page_number(q.page.as_deref());
    let result = state
        .app
        .audit_log(
            &auth,
            &filter,
            (page - 1).saturating_mul(PER_PAGE),
            PER_PAGE,
        )
        .await
        .for_page(&p)?;
    let names = GrantNames::load(&state, &p).await;
    let filters = serde_urlencoded::to_string([
        ("actor", q.actor.as_str()),
        ("action", q.action.as_str()),
        ("subject_type", q.subject_type.as_str()),
        ("subject_id", q.subject_id.as_str()),
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
    ])
    .unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut actions: Vec<(String, String)> = AuditAction::all()
        .map(|a| (a.code().into_owned(), p.t(&action_key(a))))
        .collect();
    actions.sort_by(|a, b| a.1.cmp(&b.1));
    let mut subjects: Vec<(&'static str, String)> = AuditSubject::ALL
        .into_iter()
        .map(|s| (s.as_str(), p.t(&subject_key(s))))
        .collect();
    subjects.sort_by(|a, b| a.1.cmp(&b.1));
    let filtering = [
        &q.actor,
        &q.action,
        &q.subject_type,
        &q.subject_id,
        &q.from,
        &q.to,
    ]
    .iter()
    .any(|f| !f.trim().is_empty());
    let view = AuditPage {
        title: p.t("audit-title"),
        section: "account",
        filtering,
        q,
        errors,
        actions,
        subjects,
        total: result.total,
        pages: result.total.div_ceil(PER_PAGE).max(1),
        lines: result
            .items
            .into_iter()
            .map(|e| AuditLine::new(&p, &names, e))
            .collect(),
        page,
        filters,
        p: &p,
    };
    Ok((status, render(&view)).into_response())
}

#[cfg(test)]
mod tests {
    use qiaoyi_app::domain::lang::Lang;

    use super::*;
    use crate::i18n::has_message;

    /// Every action an entry can carry, and every kind of record, has words in every language:
    /// a new event without them fails here, not on an auditor's screen.
    #[test]
    fn every_action_and_record_kind_has_words_in_every_language() {
        for lang in Lang::ALL {
            for action in AuditAction::all() {
                let key = action_key(action);
                assert!(has_message(lang, &key), "{lang:?} has no {key}");
            }
            for subject in AuditSubject::ALL {
                let key = subject_key(subject);
                assert!(has_message(lang, &key), "{lang:?} has no {key}");
            }
        }
    }
}
