//! The catalogue as JSON: categories, items, guides and stations.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use qiaoyi_app::domain::catalog::{Category, Guide, Item, Station};
use qiaoyi_app::domain::lang::Text;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiPath, ApiQuery};
use crate::AppState;
use crate::problem::Problem;

/// A text in every interface language.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalizedText {
    #[serde(rename = "zh-CN")]
    zh: String,
    en: String,
    it: String,
    es: String,
}

impl From<&Text> for LocalizedText {
    fn from(t: &Text) -> Self {
        LocalizedText {
            zh: t.zh.clone(),
            en: t.en.clone(),
            it: t.it.clone(),
            es: t.es.clone(),
        }
    }
}

impl From<LocalizedText> for Text {
    fn from(t: LocalizedText) -> Self {
        Text {
            zh: t.zh,
            en: t.en,
            it: t.it,
            es: t.es,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CategoryView {
    /// e.g. `exit-entry`
    code: String,
    name: LocalizedText,
    description: LocalizedText,
    /// Business items in the category.
    item_count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct MaterialView {
    name: LocalizedText,
    /// `false`: needed only in the situation the name says.
    required: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ItemView {
    /// e.g. `EE-01`
    code: String,
    category: String,
    name: LocalizedText,
    summary: LocalizedText,
    eligibility: LocalizedText,
    /// Fee in fen (1 yuan = 100 fen); 0 when free.
    fee_fen: u32,
    /// Statutory time limit in working days from acceptance.
    time_limit_days: u16,
    /// A video identity check is part of the case.
    video_check: bool,
    /// A guardian acts for applicants under 18.
    guardian_for_minors: bool,
    /// Any of `window`, `station`, `courier`, `home`.
    delivery: Vec<&'static str>,
    /// `standard` or `certificate`.
    workflow: &'static str,
    materials: Vec<MaterialView>,
}

impl From<&Item> for ItemView {
    fn from(item: &Item) -> Self {
        ItemView {
            code: item.code.to_string(),
            category: item.category.to_string(),
            name: (&item.name).into(),
            summary: (&item.summary).into(),
            eligibility: (&item.eligibility).into(),
            fee_fen: item.fee_fen,
            time_limit_days: item.time_limit_days,
            video_check: item.video_check,
            guardian_for_minors: item.guardian_for_minors,
            delivery: item.delivery.iter().map(|d| d.as_str()).collect(),
            workflow: item.workflow.as_str(),
            materials: item
                .materials
                .iter()
                .map(|m| MaterialView {
                    name: (&m.name).into(),
                    required: m.required,
                })
                .collect(),
        }
    }
}

/// A livelihood-matter guide, every text in each interface language.
#[derive(Serialize, ToSchema)]
pub struct GuideView {
    /// e.g. `G0001`
    code: String,
    topic: &'static str,
    title: LocalizedText,
    summary: LocalizedText,
    who: LocalizedText,
    materials: Vec<LocalizedText>,
    fee: LocalizedText,
    time_limit: LocalizedText,
    #[serde(rename = "where")]
    where_: LocalizedText,
    /// Codes of business items the guide is about.
    related_items: Vec<String>,
    /// Which way fits whom: this guide's, or the related items' through Qiaoyi. Present when
    /// there are related items (absent in guides imported before it existed).
    #[serde(skip_serializing_if = "Option::is_none")]
    route: Option<LocalizedText>,
}

impl From<&Guide> for GuideView {
    fn from(g: &Guide) -> Self {
        GuideView {
            code: g.code.to_string(),
            topic: g.topic.as_str(),
            title: (&g.title).into(),
            summary: (&g.summary).into(),
            who: (&g.who).into(),
            materials: g.materials.iter().map(Into::into).collect(),
            fee: (&g.fee).into(),
            time_limit: (&g.time_limit).into(),
            where_: (&g.where_).into(),
            related_items: g.related_items.iter().map(ToString::to_string).collect(),
            route: g.route.as_ref().map(Into::into),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GuidePage {
    /// Guides in the whole catalogue.
    total: u64,
    offset: u64,
    limit: u64,
    guides: Vec<GuideView>,
}

#[derive(Serialize, ToSchema)]
pub struct HoursView {
    /// `mon` … `sun`
    days: Vec<&'static str>,
    /// Local time, `HH:MM`.
    open: String,
    close: String,
}

#[derive(Serialize, ToSchema)]
pub struct StationView {
    /// e.g. `IT-ROM`
    code: String,
    name: LocalizedText,
    city: LocalizedText,
    /// ISO 3166-1 alpha-2
    country: String,
    /// IANA time zone
    time_zone: String,
    /// ISO 639-1 codes spoken at the station.
    languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    hours: Vec<HoursView>,
}

impl From<&Station> for StationView {
    fn from(s: &Station) -> Self {
        StationView {
            code: s.code.to_string(),
            name: (&s.name).into(),
            city: (&s.city).into(),
            country: s.country.clone(),
            time_zone: s.time_zone.clone(),
            languages: s.languages.clone(),
            address: s.address.clone(),
            hours: s
                .hours
                .iter()
                .map(|h| HoursView {
                    days: h.days.iter().map(|d| d.as_str()).collect(),
                    open: h.open.to_string(),
                    close: h.close.to_string(),
                })
                .collect(),
        }
    }
}

/// The categories of business items, in catalogue order.
#[utoipa::path(get, path = "/api/v1/catalog/categories", tag = "catalogue",
    responses((status = 200, body = Vec<CategoryView>)))]
pub async fn categories(State(state): State<AppState>) -> Result<Json<Vec<CategoryView>>, Problem> {
    let categories = state.app.categories().await?;
    let items = state.app.items(None).await?;
    Ok(Json(
        categories
            .iter()
            .map(|c: &Category| CategoryView {
                code: c.code.to_string(),
                name: (&c.name).into(),
                description: (&c.description).into(),
                item_count: items.iter().filter(|i| i.category == c.code).count(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemFilter {
    /// Only items of this category, e.g. `exit-entry`.
    category: Option<String>,
}

/// Business items, in catalogue order.
#[utoipa::path(get, path = "/api/v1/catalog/items", tag = "catalogue", params(ItemFilter),
    responses(
        (status = 200, body = Vec<ItemView>),
        (status = 422, description = "No such category", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn items(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<ItemFilter>,
) -> Result<Json<Vec<ItemView>>, Problem> {
    if let Some(category) = &filter.category {
        let known = state.app.categories().await?;
        if !known.iter().any(|c| c.code.as_str() == category) {
            let codes: Vec<String> = known.iter().map(|c| c.code.to_string()).collect();
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-category",
                format!(
                    "no category \"{category}\"; the categories are {}",
                    codes.join(", ")
                ),
            )
            .with_field("category"));
        }
    }
    let items = state.app.items(filter.category.as_deref()).await?;
    Ok(Json(items.iter().map(ItemView::from).collect()))
}

/// One business item with its materials, fee, time limit and delivery options.
#[utoipa::path(get, path = "/api/v1/catalog/items/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Item code, e.g. EE-01")),
    responses(
        (status = 200, body = ItemView),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn item(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<ItemView>, Problem> {
    let item = state.app.item(&code).await?;
    Ok(Json(ItemView::from(&item)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Guides to skip; default 0.
    #[serde(default)]
    offset: u64,
    /// Guides to return, 1 to 100; default 20.
    #[serde(default = "default_limit")]
    limit: u64,
}

fn default_limit() -> u64 {
    20
}

/// A page of livelihood-matter guides, with the total count.
#[utoipa::path(get, path = "/api/v1/guides", tag = "catalogue", params(PageParams),
    responses(
        (status = 200, body = GuidePage),
        (status = 400, description = "Malformed offset or limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Limit out of range", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn guides(
    State(state): State<AppState>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<GuidePage>, Problem> {
    let result = state.app.guides(page.offset, page.limit).await?;
    Ok(Json(GuidePage {
        total: result.total,
        offset: result.offset,
        limit: page.limit,
        guides: result.items.iter().map(GuideView::from).collect(),
    }))
}

/// One livelihood-matter guide.
#[utoipa::path(get, path = "/api/v1/guides/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Guide code, e.g. G0001")),
    responses(
        (status = 200, body = GuideView),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn guide(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<GuideView>, Problem> {
    let guide = state.app.guide(&code).await?;
    Ok(Json(GuideView::from(&guide)))
}

/// The overseas service stations.
#[utoipa::path(get, path = "/api/v1/stations", tag = "catalogue",
    responses((status = 200, body = Vec<StationView>)))]
pub async fn stations(State(state): State<AppState>) -> Result<Json<Vec<StationView>>, Problem> {
    let stations = state.app.stations().await?;
    Ok(Json(stations.iter().map(StationView::from).collect()))
}
