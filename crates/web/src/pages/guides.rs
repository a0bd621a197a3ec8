use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use qiaoyi_app::domain::catalog::{Guide, Topic};
use qiaoyi_app::domain::lang::Lang;
use serde::Deserialize;

use super::{ForPage, PageResult, page_number, render};
use crate::AppState;
use crate::i18n::Prefs;

const PER_PAGE: u64 = 20;

struct GuideRow {
    code: String,
    title: String,
    /// The Chinese title, shown beside a translated one.
    original: Option<String>,
    topic: String,
}

#[derive(Template)]
#[template(path = "guides.html")]
struct GuidesPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    total: u64,
    page: u64,
    pages: u64,
    guides: Vec<GuideRow>,
    /// The question box starts empty.
    search_q: String,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

fn topic_key(topic: Topic) -> String {
    format!("topic-{}", topic.as_str())
}

/// The title in the reader's language where we have it (Chinese, English), and the Chinese original
/// beside a translation.
fn titles(p: &Prefs, guide: &Guide) -> (String, Option<String>) {
    if p.lang == Lang::Zh {
        (guide.title.clone(), None)
    } else {
        (guide.title_en.clone(), Some(guide.title.clone()))
    }
}

pub async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let page = page_number(query.page.as_deref());
    let offset = (page - 1).saturating_mul(PER_PAGE);
    let result = state.app.guides(offset, PER_PAGE).await.for_page(&p)?;
    let pages = result.total.div_ceil(PER_PAGE).max(1);
    let view = GuidesPage {
        search_q: String::new(),
        title: p.t("guides-title"),
        section: "guides",
        total: result.total,
        page,
        pages,
        guides: result
            .items
            .iter()
            .map(|g| {
                let (title, original) = titles(&p, g);
                GuideRow {
                    code: g.code.to_string(),
                    title,
                    original,
                    topic: p.t(&topic_key(g.topic)),
                }
            })
            .collect(),
        p: &p,
    };
    Ok(render(&view))
}

struct ItemLink {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    original: Option<String>,
    guide: Guide,
    related: Vec<ItemLink>,
}

pub async fn one(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Path(code): Path<String>,
) -> PageResult {
    let guide = state.app.guide(&code).await.for_page(&p)?;
    let items = state.app.items(None).await.for_page(&p)?;
    let related = items
        .iter()
        .filter(|item| guide.related_items.contains(&item.code))
        .map(|item| ItemLink {
            code: item.code.to_string(),
            name: item.name.get(p.lang).to_owned(),
        })
        .collect();
    let (title, original) = titles(&p, &guide);
    let view = GuidePage {
        title,
        section: "guides",
        original,
        guide,
        related,
        p: &p,
    };
    Ok(render(&view))
}
