//! `GET /api/v1/search`: items and guides for a question, as the search-as-you-type list and the
//! search page use it.

use axum::extract::State;
use axum::{Extension, Json};
use qiaoyi_app::Reason;
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::search::Hit;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::ApiQuery;
use crate::AppState;
use crate::i18n::Prefs;
use crate::problem::Problem;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for: Chinese, pinyin (`huzhao`, `hz`) or English, Italian, Spanish words; 1 to
    /// 200 characters.
    q: String,
    /// 1 to 20; 8 when left out.
    limit: Option<u64>,
    /// `zh-CN`, `en`, `it` or `es`: the language of titles and passages; else the reader's.
    lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HitView {
    /// `item` or `guide`.
    kind: &'static str,
    code: String,
    title: String,
    /// The page to open, e.g. `/guides/G0001`.
    path: String,
    /// A passage, HTML-escaped, with the words found in `<b>`.
    snippet_html: String,
    /// The language of the passage (guides are written in Chinese).
    snippet_lang: &'static str,
    score: f32,
}

impl From<&Hit> for HitView {
    fn from(h: &Hit) -> Self {
        HitView {
            kind: h.kind.as_str(),
            code: h.code.clone(),
            title: h.title.clone(),
            path: h.path(),
            snippet_html: h.snippet_html.clone(),
            snippet_lang: h.snippet_lang.tag(),
            score: h.score,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    query: String,
    results: Vec<HitView>,
}

/// Items and guides for a question, best first. No sign-in needed.
#[utoipa::path(get, path = "/api/v1/search", tag = "catalogue", params(SearchQuery),
    responses(
        (status = 200, body = SearchResults),
        (status = 422, description = "An empty or too long query (`field: q`), or a limit outside 1 to 20", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn search(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResults>, Problem> {
    let lang = match q.lang.as_deref() {
        None | Some("") => prefs.lang,
        Some(tag) => Lang::from_tag(tag).ok_or_else(|| {
            Problem::from(qiaoyi_app::AppError::Invalid {
                field: "lang",
                reason: Reason::Malformed,
                message: "give zh-CN, en, it or es".into(),
            })
        })?,
    };
    let hits = state.app.search(&q.q, lang, q.limit.unwrap_or(8)).await?;
    Ok(Json(SearchResults {
        query: q.q,
        results: hits.iter().map(HitView::from).collect(),
    }))
}
