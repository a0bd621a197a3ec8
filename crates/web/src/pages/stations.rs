use askama::Template;
use axum::Extension;
use axum::extract::State;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use qiaoyi_app::domain::catalog::{Station, Weekday};

use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::i18n::Prefs;

struct StationCard {
    code: String,
    name: String,
    city: String,
    country: String,
    time_zone: String,
    local_now: String,
    status: String,
    hours: Vec<String>,
    languages: String,
    address: Option<String>,
}

#[derive(Template)]
#[template(path = "stations.html")]
struct StationsPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    beijing_now: String,
    stations: Vec<StationCard>,
}

/// "Mon 14:05" in the reader's language, for an instant in a zone.
fn local_time(p: &Prefs, now: Timestamp, zone: &str) -> Option<(String, Weekday, u16)> {
    let tz = TimeZone::get(zone).ok()?;
    let local = now.to_zoned(tz);
    let weekday = Weekday::from_iso_number(local.weekday().to_monday_one_offset())?;
    let minute = u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute())).ok()?;
    let shown = format!(
        "{} {:02}:{:02}",
        p.t(&format!("day-{}", weekday.as_str())),
        local.hour(),
        local.minute()
    );
    Some((shown, weekday, minute))
}

fn card(p: &Prefs, station: &Station, now: Timestamp) -> StationCard {
    let (local_now, status) = match local_time(p, now, &station.time_zone) {
        Some((shown, day, minute)) => {
            let open = station.is_open_at(day, minute);
            (
                shown,
                p.t(if open {
                    "stations-open"
                } else {
                    "stations-closed"
                }),
            )
        }
        None => (String::new(), String::new()),
    };
    StationCard {
        code: station.code.to_string(),
        name: station.name.get(p.lang).to_owned(),
        city: station.city.get(p.lang).to_owned(),
        country: p.t_or(&format!("country-{}", station.country), &station.country),
        time_zone: station.time_zone.clone(),
        local_now,
        status,
        hours: station
            .hours
            .iter()
            .map(|h| {
                let days: Vec<String> = h
                    .days
                    .iter()
                    .map(|d| p.t(&format!("day-{}", d.as_str())))
                    .collect();
                format!(
                    "{} {}–{}",
                    days.join(p.t("list-separator").as_str()),
                    h.open,
                    h.close
                )
            })
            .collect(),
        languages: station
            .languages
            .iter()
            .map(|l| p.t_or(&format!("language-{l}"), l))
            .collect::<Vec<_>>()
            .join(p.t("list-separator").as_str()),
        address: station.address.clone(),
    }
}

pub async fn list(State(state): State<AppState>, Extension(p): Extension<Prefs>) -> PageResult {
    let stations = state.app.stations().await.for_page(&p)?;
    let now = Timestamp::from_millisecond(state.app.now_ms()).unwrap_or(Timestamp::UNIX_EPOCH);
    let beijing_now = local_time(&p, now, "Asia/Shanghai")
        .map(|(shown, _, _)| shown)
        .unwrap_or_default();
    let view = StationsPage {
        title: p.t("stations-title"),
        section: "stations",
        beijing_now,
        stations: stations.iter().map(|s| card(&p, s, now)).collect(),
        p: &p,
    };
    Ok(render(&view))
}
