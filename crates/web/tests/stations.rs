//! The administrator's stations through the pages and the API: add, edit, errors beside their
//! fields, and refusals for everyone else.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json};

const LYON: &str = r#"{
  "name": {"zh-CN": "里昂服务站", "en": "Lyon station", "it": "Punto di Lione", "es": "Punto de Lyon"},
  "city": {"zh-CN": "里昂", "en": "Lyon", "it": "Lione", "es": "Lyon"},
  "country": "FR", "time_zone": "Europe/Paris", "languages": ["zh", "fr"],
  "hours": [{"days": ["mon", "fri"], "open": "09:00", "close": "17:00"}]
}"#;

fn form<'a>(csrf: &'a str, hours: &'a str, time_zone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("code", "fr-lyo"),
        ("country", "FR"),
        ("name_zh", "里昂服务站"),
        ("name_en", "Lyon station"),
        ("name_it", "Punto di Lione"),
        ("name_es", "Punto de Lyon"),
        ("city_zh", "里昂"),
        ("city_en", "Lyon"),
        ("city_it", "Lione"),
        ("city_es", "Lyon"),
        ("time_zone", time_zone),
        ("languages", "zh, fr"),
        ("address", ""),
        ("hours", hours),
    ]
}

#[tokio::test]
async fn pages_an_admin_adds_a_station_after_fixing_the_errors_shown_beside_fields() {
    let mut admin = Browser::new().await;
    admin.sign_in_staff("admin@qiaoyi.example").await;
    assert!(admin.get("/account").await.body.contains("/admin/stations"));
    let list = admin.get("/admin/stations").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("IT-ROM"));
    let new = admin.get("/admin/stations/new").await;
    assert_eq!(new.status, StatusCode::OK);
    let csrf = hidden_csrf(&new.body);

    // A bad hours line: the summary links to the field and the message sits beside it, input kept.
    let bad = admin
        .post_raw(
            "/admin/stations",
            &form(&csrf, "mon-fri 09:00-17:00\nmonday 9-5", "Europe/Paris"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#hours\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"hours-error\""));
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert!(bad.body.contains("monday 9-5"), "the input is kept");
    assert!(
        bad.body.contains("第 2 行"),
        "the line is named: {}",
        bad.body
    );

    let bad = admin
        .post_raw(
            "/admin/stations",
            &form(&csrf, "mon-fri 09:00-17:00", "Europe/Lyon<script>"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"time_zone-error\""));
    assert!(!bad.body.contains("Lyon<script>"), "typed text is escaped");

    let saved = admin
        .post_raw(
            "/admin/stations",
            &form(
                &csrf,
                "mon-fri 09:00-17:00\nsat 10:00-12:00",
                "Europe/Paris",
            ),
        )
        .await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/admin/stations"),
        "{}",
        saved.body
    );
    assert!(admin.get("/stations").await.body.contains("里昂服务站"));

    // The same code again is refused beside the code field.
    let again = admin
        .post_raw("/admin/stations", &form(&csrf, "", "Europe/Paris"))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("id=\"code-error\""));

    // Editing keeps the code and country, whatever the form says.
    let edit = admin.get("/admin/stations/FR-LYO").await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("mon-fri 09:00-17:00\nsat 10:00-12:00"));
    let mut fields = form(&csrf, "tue 09:00-12:00", "Europe/Paris");
    fields.retain(|(k, _)| !["code", "country", "address"].contains(k));
    fields.push(("code", "DE-BER"));
    fields.push(("address", "2 place Bellecour"));
    let edited = admin.post_raw("/admin/stations/FR-LYO", &fields).await;
    assert_eq!(
        edited.location.as_deref(),
        Some("/admin/stations"),
        "{}",
        edited.body
    );
    let stations = json(&admin.get("/api/v1/stations").await.body);
    let lyon = stations
        .as_array()
        .and_then(|a| a.iter().find(|s| s["code"] == "FR-LYO"))
        .cloned()
        .expect("FR-LYO");
    assert_eq!(lyon["address"], "2 place Bellecour");
    assert_eq!(lyon["hours"][0]["days"], serde_json::json!(["tue"]));
    assert!(
        !stations
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s["code"] == "DE-BER"))
    );
    assert_eq!(
        admin.get("/admin/stations/FR-XYZ").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn api_put_adds_then_replaces_and_refuses_bad_bodies() {
    let mut admin = Browser::new().await;
    let csrf = admin.api_sign_in("admin@qiaoyi.example").await;
    let added = admin
        .put_json("/api/v1/stations/FR-LYO", LYON, Some(&csrf))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(json(&added.body)["name"]["zh-CN"], "里昂服务站");
    let replaced = admin
        .put_json(
            "/api/v1/stations/FR-LYO",
            &LYON.replace("Europe/Paris", "Europe/Rome"),
            Some(&csrf),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);

    for (body, field) in [
        (LYON.replace("Europe/Paris", "Mars/Olympus"), "time_zone"),
        (LYON.replace("\"mon\"", "\"funday\""), "hours"),
        (LYON.replace("\"17:00\"", "\"25:00\""), "hours"),
        (LYON.replace("\"FR\"", "\"IT\""), "code"),
        (LYON.replace("\"Lyon station\"", "\"\""), "name"),
        (LYON.replace("{\n", "{\"code\": \"IT-ROM\",\n"), "code"),
    ] {
        let reply = admin
            .put_json("/api/v1/stations/FR-LYO", &body, Some(&csrf))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.body
        );
        assert_eq!(json(&reply.body)["field"], field, "{}", reply.body);
    }
    let unknown_field = admin
        .put_json(
            "/api/v1/stations/FR-LYO",
            &LYON.replace("{\n", "{\"colour\": \"red\",\n"),
            Some(&csrf),
        )
        .await;
    assert!(unknown_field.status.is_client_error());
    let bad_code = admin
        .put_json("/api/v1/stations/lyon", LYON, Some(&csrf))
        .await;
    assert_eq!(bad_code.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_csrf = admin.put_json("/api/v1/stations/FR-LYO", LYON, None).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn only_administrators_see_or_change_stations() {
    let mut anonymous = Browser::new().await;
    assert_eq!(
        anonymous
            .put_json("/api/v1/stations/FR-LYO", "{}", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "settled before the body is read"
    );
    let mut officer = anonymous.another();
    let csrf = officer.api_sign_in("officer@qiaoyi.example").await;
    let refused = officer
        .put_json("/api/v1/stations/FR-LYO", "not even json", Some(&csrf))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    // A form sent by anyone else is refused before it is judged, valid or not.
    let officer_csrf = hidden_csrf(&officer.get("/account").await.body);
    let sent = officer
        .post_raw(
            "/admin/stations",
            &form(&officer_csrf, "nonsense", "Nowhere"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN, "{}", sent.body);
    for page in [
        "/admin/stations",
        "/admin/stations/new",
        "/admin/stations/IT-ROM",
    ] {
        assert_eq!(
            officer.get(page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    let page = anonymous.get("/admin/stations").await;
    assert!(
        page.status == StatusCode::SEE_OTHER || page.status == StatusCode::UNAUTHORIZED,
        "{}",
        page.status
    );
}
