//! The care programme through the pages and the API: a coordinator records a child on the form
//! (a missing consent answered in the reader's language) and over the API (bad input is problem
//! JSON naming the field), records a home visit, others are refused, and the parent reads her own
//! child and its visits.

use crate::common;

use axum::http::StatusCode;
use common::{hidden_csrf, json, server};

#[tokio::test]
async fn a_child_is_recorded_on_the_form_read_by_care_workers_and_followed_by_her_parent() {
    let mut care = server().await;
    let mut officer = care.another();
    let mut parent = care.another();
    let c = care.api_sign_in("care@qiaoyi.example").await;
    officer.api_sign_in("officer@qiaoyi.example").await;
    parent.api_sign_in("applicant@qiaoyi.example").await;

    assert!(
        care.get("/account?lang=en")
            .await
            .body
            .contains("href=\"/care\"")
    );
    let list = care.get("/care?lang=en").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("No child has been recorded here yet."),
        "{}",
        list.body
    );
    let form = care.get("/care/children/new?lang=en").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Consent text, version 1"));
    let csrf = hidden_csrf(&form.body);
    let fields = [
        ("csrf", csrf.as_str()),
        ("consent_version", "1"),
        ("name", "季小雨"),
        ("birth_date", "2017-03-09"),
        ("township", "仁庄镇"),
        ("guardian", "陈秀英（外婆）"),
        ("languages", "qingtian"),
        ("languages", "italian"),
        ("parent_email", "applicant@qiaoyi.example"),
        ("parent_country", "IT"),
        ("consent_by", "季美华"),
        ("consent_relation", "parent"),
    ];
    let refused = care.post_raw("/care/children/new?lang=en", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("only with a parent"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("季小雨"), "what was typed is kept");
    // A form wrong in many places names every mistake at once, each linked to its field, with the
    // missing consent among them.
    let wrong = care
        .post_raw(
            "/care/children/new?lang=en",
            &[
                ("csrf", csrf.as_str()),
                ("consent_version", "1"),
                ("name", ""),
                ("birth_date", "2000-01-01"),
                ("township", "无此镇"),
                ("guardian", ""),
                ("parent_email", "nobody@example.org"),
                ("parent_country", "IT"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        common::summary_links(&wrong.body),
        [
            "name",
            "birth_date",
            "township",
            "guardian",
            "languages",
            "parent_email",
            "consent"
        ],
        "every mistake, in the form's order"
    );
    assert!(wrong.body.contains("children under 18"), "{}", wrong.body);
    assert!(wrong.body.contains("Choose the township from the list."));
    let mut given = fields.to_vec();
    given.push(("consent_given", "yes"));
    let done = care.post_raw("/care/children/new", &given).await;
    let location = done.location.clone().expect("redirect");
    assert!(location.starts_with("/care/children/ch-"), "{location}");
    let page = care.get(&format!("{location}?lang=en")).await;
    assert!(page.body.contains("季小雨") && page.body.contains("Italian"));
    let id = location.trim_start_matches("/care/children/").to_owned();

    // Over the API: the list, and a young adult refused with its field.
    let listed = json(&care.get("/api/v1/care/children").await.body);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["township"], "仁庄镇");
    let bad = care
        .post_json(
            "/api/v1/care/children",
            r#"{"name":"叶晨阳","birth_date":"2001-01-01","township":"温溪镇","guardian":"叶爷爷","languages":["qingtian"],"consent_version":1,"consent_by":"叶海燕","consent_relation":"parent"}"#,
            Some(&c),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(json(&bad.body)["field"], "birth_date");

    // An officer is refused at the page and the API.
    assert_eq!(officer.get("/care").await.status, StatusCode::FORBIDDEN);
    let refused = officer.get(&format!("/api/v1/care/children/{id}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(!refused.body.contains("季小雨"));

    // A home visit on the child's page: a day in the future is refused in the reader's language.
    let child_page = care.get(&format!("{location}?lang=en")).await;
    let csrf = hidden_csrf(&child_page.body);
    let visits = format!("{location}/visits");
    let tomorrow = qiaoyi_app::cases::beijing_today(care.app.now_ms())
        .checked_add(jiff::Span::new().days(2))
        .expect("date")
        .to_string();
    let refused = care
        .post_raw(
            &format!("{visits}?lang=en"),
            &[("csrf", &csrf), ("date", &tomorrow), ("topics", "study")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("before it happens"),
        "{}",
        refused.body
    );
    let today = qiaoyi_app::cases::beijing_today(care.app.now_ms()).to_string();
    let done = care
        .post_raw(
            &visits,
            &[
                ("csrf", &csrf),
                ("date", &today),
                ("topics", "study"),
                ("topics", "health"),
                ("notes", "作业按时完成"),
                ("follow_up", "yes"),
            ],
        )
        .await;
    assert!(done.location.is_some(), "{}", done.body);
    let api = care
        .post_json(
            &format!("/api/v1/care/children/{id}/visits"),
            r#"{"date":"2000-01-01","topics":["safety"]}"#,
            Some(&c),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert_eq!(json(&api.body)["field"], "date");
    let record = json(&care.get(&format!("/api/v1/care/children/{id}")).await.body);
    assert_eq!(
        record["visits"][0]["topics"],
        serde_json::json!(["study", "health"])
    );
    assert_eq!(record["visits"][0]["notes"], "作业按时完成");

    // The parent sees her daughter and the visit on her own page and over the API.
    let mine = parent.get("/account/children?lang=en").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("季小雨"), "{}", mine.body);
    assert!(mine.body.contains("作业按时完成") && mine.body.contains("Study"));
    let api = json(&parent.get("/api/v1/care/my-children").await.body);
    assert_eq!(api.as_array().expect("children").len(), 1);
    assert_eq!(parent.get("/care").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_volunteer_sees_only_her_children_on_the_pages_and_the_api() {
    let mut care = server().await;
    care.app
        .seed_demo_care(care.app.now_ms())
        .await
        .expect("the demo's children and pairings");
    let c = care.api_sign_in("care@qiaoyi.example").await;
    let other = care
        .post_json(
            "/api/v1/care/children",
            r#"{"name":"叶晨光","birth_date":"2016-04-02","township":"仁庄镇","guardian":"叶奶奶","languages":["qingtian"],"consent_version":1,"consent_by":"叶海燕","consent_relation":"parent","parents":[]}"#,
            Some(&c),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    let other = json(&other.body)["id"].as_str().expect("id").to_owned();

    let mut volunteer = care.another();
    volunteer.sign_in_staff("volunteer@qiaoyi.example").await;
    assert!(
        volunteer
            .get("/account?lang=en")
            .await
            .body
            .contains("href=\"/care\"")
    );
    let list = volunteer.get("/care?lang=en").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("季小雨"), "{}", list.body);
    assert!(!list.body.contains("叶晨光"), "another child is not listed");
    assert!(!list.body.contains("/care/children/new"));
    assert!(!list.body.contains("href=\"/care/pairing\""));
    for path in [
        format!("/care/children/{other}"),
        "/care/children/new".to_owned(),
        "/care/pairing".to_owned(),
        "/care/wishes".to_owned(),
    ] {
        assert_eq!(
            volunteer.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let v = json(&volunteer.get("/api/v1/me").await.body)["csrf"]
        .as_str()
        .expect("csrf")
        .to_owned();
    assert_eq!(
        volunteer
            .get(&format!("/api/v1/care/children/{other}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let visit = volunteer
        .post_json(
            &format!("/api/v1/care/children/{other}/visits"),
            r#"{"date":"2026-05-20","topics":["wellbeing"],"notes":"","follow_up":false}"#,
            Some(&v),
        )
        .await;
    assert_eq!(visit.status, StatusCode::FORBIDDEN, "{}", visit.body);
    let hers = json(&volunteer.get("/api/v1/care/children?limit=50").await.body);
    let names: Vec<&str> = hers["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        names.contains(&"季小雨") && !names.contains(&"叶晨光"),
        "{names:?}"
    );

    // The visits she records are listed as hers, on the page and the API.
    let mine = hers["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["name"] == "季小雨")
        .and_then(|c| c["id"].as_str())
        .expect("her child")
        .to_owned();
    let visit = volunteer
        .post_json(
            &format!("/api/v1/care/children/{mine}/visits"),
            r#"{"date":"2026-05-20","topics":["study"],"notes":"作业写完了","follow_up":false}"#,
            Some(&v),
        )
        .await;
    assert_eq!(visit.status, StatusCode::CREATED, "{}", visit.body);
    let written = json(
        &volunteer
            .get("/api/v1/care/volunteers/me/visits")
            .await
            .body,
    );
    let listed = written
        .as_array()
        .expect("a list")
        .iter()
        .find(|w| w["visit"]["notes"] == "作业写完了")
        .expect("the visit she wrote");
    assert_eq!(
        (
            listed["child_name"].as_str(),
            listed["paired_now"].as_bool()
        ),
        (Some("季小雨"), Some(true))
    );
    let page = volunteer.get("/care/visits?lang=it").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("作业写完了"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/care/children/{mine}\""))
    );
    assert!(page.body.contains("Le visite che ha registrato"));
}

#[tokio::test]
async fn a_township_coordinator_is_refused_another_townships_children_on_the_pages_and_the_api() {
    let mut care = server().await;
    care.app
        .seed_demo_care(care.app.now_ms())
        .await
        .expect("the demo's children and pairings");
    let c = care.api_sign_in("care@qiaoyi.example").await;
    let recorded = care
        .post_json(
            "/api/v1/care/children",
            r#"{"name":"叶晨光","birth_date":"2016-04-02","township":"腊口镇","guardian":"叶奶奶","languages":["qingtian"],"consent_version":1,"consent_by":"叶海燕","consent_relation":"parent","parents":[]}"#,
            Some(&c),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let lakou = json(&recorded.body)["id"].as_str().expect("id").to_owned();
    let all = json(&care.get("/api/v1/care/children?limit=50").await.body);
    let elsewhere: Vec<String> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["township"] != "腊口镇")
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!elsewhere.is_empty(), "the demo has children elsewhere");

    // The duty leader coordinates care in 腊口镇 too (granted as two administrators would).
    let store = care.store.as_ref().expect("the test store");
    let duty = store
        .user_by_email("duty@qiaoyi.example")
        .await
        .expect("read")
        .expect("the demo's duty leader");
    store
        .set_grants(
            &duty.id,
            &[
                ("duty_leader".into(), String::new()),
                ("care_coordinator".into(), "腊口镇".into()),
            ],
            &qiaoyi_app::domain::access::audit::AuditRecord {
                action: "roles_changed".into(),
                outcome: "ok".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("granted");
    let mut scoped = care.another();
    scoped.sign_in_staff("duty@qiaoyi.example").await;
    let hers = json(&scoped.get("/api/v1/care/children?limit=50").await.body);
    let ids: Vec<&str> = hers["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, vec![lakou.as_str()]);
    let list = scoped.get("/care?lang=en").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("叶晨光"));
    assert_eq!(
        scoped.get(&format!("/care/children/{lakou}")).await.status,
        StatusCode::OK
    );
    for id in &elsewhere {
        assert_eq!(
            scoped.get(&format!("/care/children/{id}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            scoped
                .get(&format!("/api/v1/care/children/{id}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}
