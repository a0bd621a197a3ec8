//! `/search`: items and guides for a question, with the passages that match; without a question,
//! questions people often ask.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::domain::lang::Lang;
use serde::Deserialize;

use super::account::FieldError;
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

pub(super) struct HitLine {
    pub path: String,
    pub title: String,
    /// The language of the title: guides have titles in Chinese and English only.
    pub title_lang: &'static str,
    pub kind: String,
    pub snippet_html: String,
    pub snippet_lang: &'static str,
}

/// A search result as pages show it.
pub(super) fn hit_line(p: &Prefs, h: &qiaoyi_app::search::Hit) -> HitLine {
    HitLine {
        path: h.path(),
        title: h.title.clone(),
        title_lang: match (h.kind, p.lang) {
            (qiaoyi_app::search::HitKind::Guide, Lang::Zh) => "zh-CN",
            (qiaoyi_app::search::HitKind::Guide, _) => "en",
            _ => p.lang.tag(),
        },
        kind: p.t(&format!("search-kind-{}", h.kind.as_str())),
        snippet_html: h.snippet_html.clone(),
        snippet_lang: h.snippet_lang.tag(),
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    search_q: String,
    hits: Vec<HitLine>,
    /// Questions offered before one is typed, each searched as it reads.
    popular: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The questions offered on an empty search page, in the reader's language.
const POPULAR: [&str; 4] = [
    "search-popular-passport",
    "search-popular-id-card",
    "search-popular-record",
    "search-popular-pension",
];

async fn search(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let mut errors = Vec::new();
    let mut hits = Vec::new();
    if !q.q.trim().is_empty() {
        match state.app.search(&q.q, p.lang, 20).await {
            Ok(found) => {
                hits = found.iter().map(|h| hit_line(&p, h)).collect();
            }
            Err(AppError::Invalid { field, .. }) => errors.push(FieldError {
                field,
                message: p.t("search-error-q"),
            }),
            Err(other) => return Err(other).for_page(&p),
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SearchPage {
        title: p.t("search-title"),
        section: "search",
        search_q: q.q.trim().to_owned(),
        popular: POPULAR.iter().map(|key| p.t(key)).collect(),
        errors,
        hits,
        p: &p,
    };
    Ok((status, render(&page)).into_response())
}
