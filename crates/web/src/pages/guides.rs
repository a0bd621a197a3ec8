use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use qiaoyi_app::domain::catalog::Topic;
use serde::Deserialize;

use super::{ForPage, PageResult, page_number, render};
use crate::AppState;
use crate::i18n::Prefs;

const PER_PAGE: u64 = 20;

struct GuideRow {
    code: String,
    title: String,
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
            .map(|g| GuideRow {
                code: g.code.to_string(),
                title: g.title.get(p.lang).to_owned(),
                topic: p.t(&topic_key(g.topic)),
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
    summary: String,
    who: String,
    fee: String,
    time_limit: String,
    where_: String,
    materials: Vec<String>,
    related: Vec<ItemLink>,
    /// Which way fits whom, this guide's or the related services'.
    route: Option<String>,
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
    // Every text in the reader's language.
    let view = GuidePage {
        title: guide.title.get(p.lang).to_owned(),
        section: "guides",
        summary: guide.summary.get(p.lang).to_owned(),
        who: guide.who.get(p.lang).to_owned(),
        fee: guide.fee.get(p.lang).to_owned(),
        time_limit: guide.time_limit.get(p.lang).to_owned(),
        where_: guide.where_.get(p.lang).to_owned(),
        materials: guide
            .materials
            .iter()
            .map(|m| m.get(p.lang).to_owned())
            .collect(),
        related,
        route: guide.route.as_ref().map(|r| r.get(p.lang).to_owned()),
        p: &p,
    };
    Ok(render(&view))
}
