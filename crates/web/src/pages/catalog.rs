use std::collections::HashSet;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use qiaoyi_app::domain::catalog::{Delivery, Item};

use super::{ForPage, PageResult, fee_text, render};
use crate::AppState;
use crate::i18n::Prefs;
use qiaoyi_app::cases::beijing_today;

struct CategoryCard {
    code: String,
    name: String,
    description: String,
    count: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    categories: Vec<CategoryCard>,
    item_count: usize,
    guide_count: u64,
    station_count: usize,
    country_count: usize,
    /// The question box starts empty.
    search_q: String,
}

pub async fn home(State(state): State<AppState>, Extension(p): Extension<Prefs>) -> PageResult {
    let app = &state.app;
    let categories = app.categories().await.for_page(&p)?;
    let items = app.items(None).await.for_page(&p)?;
    let stations = app.stations().await.for_page(&p)?;
    let guides = app.guides(0, 1).await.for_page(&p)?;
    let countries: HashSet<&str> = stations.iter().map(|s| s.country.as_str()).collect();
    let page = HomePage {
        search_q: String::new(),
        title: p.t("home-title"),
        section: "home",
        categories: categories
            .iter()
            .map(|c| CategoryCard {
                code: c.code.to_string(),
                name: c.name.get(p.lang).to_owned(),
                description: c.description.get(p.lang).to_owned(),
                count: p.t1(
                    "home-category-count",
                    "count",
                    items.iter().filter(|i| i.category == c.code).count(),
                ),
            })
            .collect(),
        item_count: items.len(),
        guide_count: guides.total,
        station_count: stations.len(),
        country_count: countries.len(),
        p: &p,
    };
    Ok(render(&page))
}

struct ItemRow {
    code: String,
    name: String,
    fee: String,
    time_limit: String,
    video: bool,
}

struct Group {
    code: String,
    name: String,
    description: String,
    items: Vec<ItemRow>,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    single: bool,
    groups: Vec<Group>,
}

fn item_row(p: &Prefs, item: &Item) -> ItemRow {
    ItemRow {
        code: item.code.to_string(),
        name: item.name.get(p.lang).to_owned(),
        fee: fee_text(p, item.fee_fen),
        time_limit: p.t1("time-limit-days", "days", item.time_limit_days),
        video: item.video_check,
    }
}

pub async fn all(State(state): State<AppState>, Extension(p): Extension<Prefs>) -> PageResult {
    let categories = state.app.categories().await.for_page(&p)?;
    let items = state.app.items(None).await.for_page(&p)?;
    let groups = categories
        .iter()
        .map(|c| Group {
            code: c.code.to_string(),
            name: c.name.get(p.lang).to_owned(),
            description: c.description.get(p.lang).to_owned(),
            items: items
                .iter()
                .filter(|i| i.category == c.code)
                .map(|i| item_row(&p, i))
                .collect(),
        })
        .collect();
    let page = CatalogPage {
        title: p.t("catalog-title"),
        section: "catalog",
        single: false,
        groups,
        p: &p,
    };
    Ok(render(&page))
}

pub async fn category(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Path(code): Path<String>,
) -> PageResult {
    let categories = state.app.categories().await.for_page(&p)?;
    let category = categories
        .iter()
        .find(|c| c.code.as_str() == code)
        .ok_or_else(|| qiaoyi_app::AppError::NotFound(format!("category {code}")))
        .for_page(&p)?;
    let items = state.app.items(Some(&code)).await.for_page(&p)?;
    let page = CatalogPage {
        title: category.name.get(p.lang).to_owned(),
        section: "catalog",
        single: true,
        groups: vec![Group {
            code: category.code.to_string(),
            name: category.name.get(p.lang).to_owned(),
            description: category.description.get(p.lang).to_owned(),
            items: items.iter().map(|i| item_row(&p, i)).collect(),
        }],
        p: &p,
    };
    Ok(render(&page))
}

struct MaterialRow {
    name: String,
    tag: String,
}

struct GuideLink {
    code: String,
    title: String,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    code: String,
    category_code: String,
    category_name: String,
    summary: String,
    eligibility: String,
    fee: String,
    time_limit: String,
    /// The day a case accepted today would be due, and whether that is provisional.
    due_if_today: Option<(String, bool)>,
    video: String,
    video_needed: bool,
    guardian: String,
    delivery: Vec<String>,
    materials: Vec<MaterialRow>,
    guides: Vec<GuideLink>,
}

pub async fn item(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Path(code): Path<String>,
) -> PageResult {
    let item = state.app.item(&code).await.for_page(&p)?;
    let categories = state.app.categories().await.for_page(&p)?;
    // Beyond the years the regulation is computed for the page says nothing rather than guess.
    let due_if_today = state
        .app
        .deadline(beijing_today(state.app.now_ms()), item.time_limit_days)
        .await
        .ok()
        .map(|d| (d.date.to_string(), d.provisional));
    let guides = state.app.guides_for_item(&code).await.for_page(&p)?;
    let category_name = categories
        .iter()
        .find(|c| c.code == item.category)
        .map(|c| c.name.get(p.lang).to_owned())
        .unwrap_or_default();
    let yes_no = |b: bool| p.t(if b { "answer-yes" } else { "answer-no" });
    let page = ItemPage {
        title: item.name.get(p.lang).to_owned(),
        section: "catalog",
        code: item.code.to_string(),
        category_code: item.category.to_string(),
        category_name,
        summary: item.summary.get(p.lang).to_owned(),
        eligibility: item.eligibility.get(p.lang).to_owned(),
        fee: fee_text(&p, item.fee_fen),
        time_limit: p.t1("time-limit-days", "days", item.time_limit_days),
        due_if_today,
        video: yes_no(item.video_check),
        video_needed: item.video_check,
        guardian: yes_no(item.guardian_for_minors),
        delivery: item
            .delivery
            .iter()
            .map(|d| {
                p.t(match d {
                    Delivery::Window => "delivery-window",
                    Delivery::Station => "delivery-station",
                    Delivery::Courier => "delivery-courier",
                    Delivery::Home => "delivery-home",
                })
            })
            .collect(),
        materials: item
            .materials
            .iter()
            .map(|m| MaterialRow {
                name: m.name.get(p.lang).to_owned(),
                tag: p.t(if m.required {
                    "material-required"
                } else {
                    "material-sometimes"
                }),
            })
            .collect(),
        guides: guides
            .iter()
            .map(|g| GuideLink {
                code: g.code.to_string(),
                title: g.title.get(p.lang).to_owned(),
            })
            .collect(),
        p: &p,
    };
    Ok(render(&page))
}
