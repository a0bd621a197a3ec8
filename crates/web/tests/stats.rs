//! Statistics through the API, the pages and the exports: the dashboard, the Excel workbook and a
//! direct count over the cases agree; refusals for those who may not read them; bad periods;
//! the cost model's versions.

use crate::common;

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use common::{Browser, hidden_csrf, json};
use qiaoyi_app::domain::stats::{CostModel, CountryCost, Month};
use qiaoyi_app::stats::month_start_ms;
use sqlx::{Connection, Row};

/// A demo server with its closed cases, as `qiaoyi demo` makes it.
async fn with_history() -> Browser {
    let b = Browser::new().await;
    let closed = b
        .app
        .seed_demo_history(b.app.now_ms())
        .await
        .expect("history");
    assert!(closed > 0, "this year's calendar is in the catalogue");
    b
}

fn this_month() -> Month {
    Month::of(qiaoyi_app::cases::beijing_today(common::T0))
}

/// A sheet of an exported workbook, as rows of cells.
fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx workbook");
    let range = book.worksheet_range(name).expect("the sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[tokio::test]
async fn the_dashboard_the_export_and_a_direct_count_agree() {
    let mut officer = with_history().await;
    officer.api_sign_in("officer@qiaoyi.example").await;
    let (from, to) = ("2025-01".parse::<Month>().expect("month"), this_month());
    let period = format!("from={from}&to={to}");

    // The dashboard, over the API.
    let d = json(
        &officer
            .get(&format!("/api/v1/statistics?{period}"))
            .await
            .body,
    );
    let handled = d["total"]["handled"].as_i64().expect("handled");
    let money = d["total"]["money_saved_fen"].as_i64().expect("money");
    let days = d["total"]["working_days_saved"].as_i64().expect("days");
    assert!(handled > 0, "the demo closes cases: {d}");
    assert!(money > 0);
    let by_month: i64 = d["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m["handled"].as_i64().expect("n"))
        .sum();
    assert_eq!(by_month, handled);
    let by_station: i64 = d["stations"]
        .as_array()
        .expect("stations")
        .iter()
        .map(|m| m["money_saved_fen"].as_i64().expect("n"))
        .sum();
    assert_eq!(by_station, money);

    // The page shows the same totals (the API's session serves pages too).
    let page = officer.get(&format!("/stats?{period}&lang=en")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("id=\"total-handled\">{handled}<")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<svg"),
        "the charts are drawn on the page"
    );

    // The workbook, read back.
    let export = officer
        .get(&format!("/api/v1/statistics/export?{period}&format=xlsx"))
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let summary = sheet(&export.bytes, "汇总");
    let row = |label: &str| {
        summary
            .iter()
            .find(|r| r[0] == Data::String(label.into()))
            .unwrap_or_else(|| panic!("{label} in the summary"))[1]
            .clone()
    };
    assert_eq!(number(&row("办结件数")) as i64, handled);
    assert_eq!(
        (number(&row("节省金额（元）")) * 100.0).round() as i64,
        money
    );
    assert_eq!(number(&row("节省工作日")) as i64, days);
    let cases = sheet(&export.bytes, "案件清单");
    assert_eq!(cases[0][0], Data::String("案件编号".into()));
    assert_eq!(cases.len() as i64 - 1, handled);
    let months = sheet(&export.bytes, "按月份");
    let months_total: f64 = months.iter().skip(1).map(|r| number(&r[1])).sum();
    assert_eq!(months_total as i64, handled);
    // A spreadsheet computes with what it reads: averages are numbers, days and months dates.
    assert!(
        matches!(row("平均办理天数"), Data::Float(_)),
        "{:?}",
        row("平均办理天数")
    );
    assert!(
        months
            .iter()
            .skip(1)
            .all(|r| matches!(r[0], Data::DateTime(_))),
        "{:?}",
        months[1]
    );
    let closed_on = cases[0]
        .iter()
        .position(|h| *h == Data::String("办结日期".into()))
        .expect("a closing day column");
    assert!(
        cases
            .iter()
            .skip(1)
            .all(|r| matches!(r[closed_on], Data::DateTime(_))),
        "{:?}",
        cases[1]
    );

    // A direct count over the cases and their close events, priced here from the cost model.
    let model = json(&officer.get("/api/v1/cost-model").await.body);
    let model: Vec<CountryCost> =
        serde_json::from_value(model["countries"].clone()).expect("countries");
    let model = CostModel {
        note: String::new(),
        countries: model,
    };
    let store = officer.store.as_ref().expect("store");
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw");
    let rows = sqlx::query(
        "SELECT c.channel, c.mandate_id, e.from_state, COALESCE(s.country, p.country, '') AS country \
         FROM cases c JOIN case_events e ON e.case_id = c.id AND e.step = 'close' \
         LEFT JOIN stations s ON s.code = c.station LEFT JOIN persons p ON p.id = c.person_id \
         WHERE c.state = 'closed' AND e.at >= $1 AND e.at < $2",
    )
    .bind(month_start_ms(from))
    .bind(month_start_ms(to.next()))
    .fetch_all(&mut conn)
    .await
    .expect("direct count");
    assert_eq!(rows.len() as i64, handled);
    let mut priced = 0;
    for r in &rows {
        let channel: String = r.get("channel");
        let mandate: Option<String> = r.get("mandate_id");
        let from_state: String = r.get("from_state");
        let country: String = r.get("country");
        let travelled = channel == "window" && mandate.is_none();
        if from_state == "delivered" && !travelled {
            priced += model.country(&country).map(|c| c.trip_fen()).unwrap_or(0);
        }
    }
    assert_eq!(priced, money);

    // Sums kept as cases closed equal sums rebuilt from every case's figures.
    officer.app.rebuild_stats().await.expect("rebuild");
    let again = json(
        &officer
            .get(&format!("/api/v1/statistics?{period}"))
            .await
            .body,
    );
    assert_eq!(again, d);
}

#[tokio::test]
async fn cases_closed_before_statistics_existed_get_their_figures_once() {
    let mut officer = with_history().await;
    officer.api_sign_in("officer@qiaoyi.example").await;
    let period = format!("from=2025-01&to={}", this_month());
    let before = json(
        &officer
            .get(&format!("/api/v1/statistics?{period}"))
            .await
            .body,
    );
    let store = officer.store.as_ref().expect("store");
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw");
    for table in ["case_stats", "case_outcomes"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut conn)
            .await
            .expect("delete");
    }
    let now = officer.app.now_ms();
    let n = officer.app.backfill_outcomes(now).await.expect("backfill");
    assert_eq!(n as i64, before["total"]["handled"].as_i64().expect("n"));
    assert_eq!(officer.app.backfill_outcomes(now).await.expect("again"), 0);
    let after = json(
        &officer
            .get(&format!("/api/v1/statistics?{period}"))
            .await
            .body,
    );
    assert_eq!(after, before);
}

#[tokio::test]
async fn only_staff_who_report_read_statistics_and_bad_periods_are_refused() {
    let mut b = Browser::new().await;
    for email in ["applicant@qiaoyi.example", "station.rome@qiaoyi.example"] {
        let mut other = b.another();
        other.api_sign_in(email).await;
        let r = other.get("/api/v1/statistics").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}: {}", r.body);
        let r = other.get("/api/v1/statistics/export?format=xlsx").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}");
    }
    let mut applicant = b.another();
    applicant.sign_in("applicant@qiaoyi.example").await;
    assert_eq!(applicant.get("/stats").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        b.get("/api/v1/statistics").await.status,
        StatusCode::UNAUTHORIZED
    );

    b.api_sign_in("auditor@qiaoyi.example").await;
    for (query, field) in [
        ("from=2026-13", "from"),
        ("from=2026-05&to=2026-01", "to"),
        ("from=2020-01&to=2031-01", "to"),
        ("station=FR-NOP", "station"),
        ("category=nothing", "category"),
    ] {
        let r = b.get(&format!("/api/v1/statistics?{query}")).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.body
        );
        assert_eq!(json(&r.body)["field"], field, "{query}");
    }
    // A future period counts nothing yet; a period across years lists every month in order.
    let future = json(
        &b.get("/api/v1/statistics?from=2031-01&to=2031-12")
            .await
            .body,
    );
    assert_eq!(future["total"]["handled"], 0);
    assert_eq!(future["months"].as_array().expect("months").len(), 12);
    let across = json(
        &b.get("/api/v1/statistics?from=2025-11&to=2026-02")
            .await
            .body,
    );
    let keys: Vec<&str> = across["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m["key"].as_str().expect("key"))
        .collect();
    assert_eq!(keys, ["2025-11", "2025-12", "2026-01", "2026-02"]);
    // Exports: an unknown format or table is refused; a CSV table is CSV with Chinese headers.
    let r = b.get("/api/v1/statistics/export?format=pdf").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b.get("/api/v1/statistics/export?format=csv").await;
    assert_eq!(json(&r.body)["field"], "table");
    let csv = b
        .get("/api/v1/statistics/export?format=csv&table=months&from=2031-01&to=2031-02")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.body.starts_with("\u{feff}月份,办结件数"),
        "{}",
        csv.body
    );
    assert_eq!(csv.body.lines().count(), 3);

    // On the page: the message beside the field, in the reader's language, and an empty period.
    let auditor = &mut b;
    let bad = auditor.get("/stats?from=2026-5&lang=en").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#from\""));
    assert!(bad.body.contains("Enter a month as year and month"));
    let empty = auditor.get("/stats?from=2031-01&to=2031-03&lang=en").await;
    assert!(empty.body.contains("No case closed in this period."));
    // The exports as links on the page work for the same reader.
    let file = auditor
        .get("/stats/export?from=2031-01&to=2031-03&format=csv&table=durations")
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.contains("≤1天"));
}

#[tokio::test]
async fn administrators_version_the_cost_model_and_closed_cases_keep_theirs() {
    let mut admin = with_history().await;
    let csrf = admin.api_sign_in("admin@qiaoyi.example").await;
    let model = json(&admin.get("/api/v1/cost-model").await.body);
    assert_eq!(
        model["version"], 1,
        "the catalogue's costs.toml is version 1"
    );
    let it = model["countries"]
        .as_array()
        .expect("countries")
        .iter()
        .find(|c| c["country"] == "IT")
        .expect("Italy")
        .clone();
    assert!(it["airfare_yuan"].as_i64().expect("airfare") > 0);

    let body = |version: i64, country: &str, airfare: i64| {
        format!(
            r#"{{"expected_version":{version},"note":"fares up","countries":[{{"country":"{country}","airfare_yuan":{airfare},"nights":7,"night_yuan":200,"working_days":9,"daily_income_yuan":500}}]}}"#
        )
    };
    let saved = admin
        .put_json("/api/v1/cost-model", &body(1, "it", 7000), Some(&csrf))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let saved = json(&saved.body);
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["countries"][0]["country"], "IT");
    let stale = admin
        .put_json("/api/v1/cost-model", &body(1, "IT", 7100), Some(&csrf))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    for bad in [body(2, "XX", 7000), body(2, "IT", 900_000)] {
        let r = admin
            .put_json("/api/v1/cost-model", &bad, Some(&csrf))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    let negative = body(2, "IT", -5);
    let r = admin
        .put_json("/api/v1/cost-model", &negative, Some(&csrf))
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);

    // Cases closed before the change keep the version they were priced with.
    let closed = json(
        &admin
            .get(&format!(
                "/api/v1/statistics/cases?from=2025-01&to={}",
                this_month()
            ))
            .await
            .body,
    );
    let closed = closed.as_array().expect("cases");
    assert!(!closed.is_empty());
    assert!(
        closed
            .iter()
            .all(|c| c["cost_model_version"].is_null() || c["cost_model_version"] == 1)
    );
    assert!(closed.iter().all(|c| c.get("person_name").is_none()));

    // Auditors read the model but cannot change it.
    let mut auditor = admin.another();
    let auditor_csrf = auditor.api_sign_in("auditor@qiaoyi.example").await;
    assert_eq!(
        json(&auditor.get("/api/v1/cost-model").await.body)["version"],
        2
    );
    let refused = auditor
        .put_json("/api/v1/cost-model", &body(2, "IT", 1), Some(&auditor_csrf))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The page: a form for the administrator, the history for everyone who reads statistics.
    let page = &mut admin;
    let form = page.get("/stats/costs?lang=en").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"airfare_0\""));
    assert!(form.body.contains("fares up"));
    let csrf = hidden_csrf(&form.body);
    let typed = [
        ("csrf", csrf.as_str()),
        ("version", "2"),
        ("note", "two countries"),
        ("country_0", "IT"),
        ("airfare_0", "abc"),
        ("nights_0", "7"),
        ("night_0", "200"),
        ("days_0", "9"),
        ("income_0", "500"),
    ];
    let bad = page.post_raw("/stats/costs?lang=en", &typed).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("amounts are whole yuan"), "{}", bad.body);
    let mut good = typed.to_vec();
    good[4] = ("airfare_0", "6900");
    good.extend([
        ("country_1", "es"),
        ("airfare_1", "6500"),
        ("nights_1", "7"),
        ("night_1", "200"),
        ("days_1", "9"),
        ("income_1", "450"),
    ]);
    let done = page.post_raw("/stats/costs", &good).await;
    assert_eq!(
        done.location.as_deref(),
        Some("/stats/costs"),
        "{}",
        done.body
    );
    let now = json(&page.get("/api/v1/cost-model").await.body);
    assert_eq!(now["version"], 3);
    assert_eq!(now["countries"].as_array().expect("countries").len(), 2);
    let view = auditor.get("/stats/costs").await;
    assert!(!view.body.contains("name=\"airfare_0\""));
    assert!(view.body.contains("two countries"));
}
