//! A case's status without signing in, on the pages and over the API, as a relative would: the
//! number and the birth date, the code from the applicant's e-mail, the state, the next step and
//! the deadline in words and nothing else; every mistake shown at once; the same answer whether
//! or not the number and date match; the applicant sees it on "who read my file"; the address is
//! rate limited.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json, server};

use crate::common::RENEWAL;
const BORN: &str = "1950-04-02";

/// The applicant's renewal, sent: its number.
async fn sent_case(web: &mut Browser) -> String {
    let csrf = web.api_sign_in("applicant@qiaoyi.example").await;
    let id = web.draft_with_materials(&csrf, RENEWAL, "EE-01").await;
    let submit = web.step(&id, "submit", 1, &csrf).await;
    assert_eq!(submit.status, StatusCode::OK, "{}", submit.body);
    json(&submit.body)["number"]
        .as_str()
        .expect("number")
        .to_owned()
}

/// The newest status code queued.
async fn newest_code(web: &Browser) -> String {
    let store = &web.store.as_ref().expect("the test store").store;
    let m = store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .rfind(|m| m.template == "case-status-code")
        .expect("a code was sent");
    assert_eq!(m.recipient, "applicant@qiaoyi.example");
    json(&m.params)["code"].as_str().expect("code").to_owned()
}

#[tokio::test]
async fn a_relative_checks_a_case_over_the_api_and_sees_only_its_status() {
    let mut web = server().await;
    let number = sent_case(&mut web).await;
    let mut relative = web.another();

    let ask = |number: &str, born: &str| {
        format!(r#"{{"number":"{number}","birth_date":"{born}","by":"email"}}"#)
    };
    let bad = relative
        .post_json("/api/v1/case-status/codes", &ask("12", BORN), None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&bad.body)["field"], "number");
    let bad = relative
        .post_json("/api/v1/case-status/codes", &ask(&number, "2.4.1950"), None)
        .await;
    assert_eq!(json(&bad.body)["field"], "birth_date");
    let wrong = relative
        .post_json(
            "/api/v1/case-status/codes",
            &ask(&number, "1951-04-02"),
            None,
        )
        .await;
    let right = relative
        .post_json("/api/v1/case-status/codes", &ask(&number, BORN), None)
        .await;
    assert_eq!(
        (wrong.status, wrong.body.as_str()),
        (right.status, right.body.as_str()),
        "the same answer whether or not the birth date matches"
    );
    assert_eq!(right.status, StatusCode::ACCEPTED);
    let code = newest_code(&web).await;

    let check =
        |code: &str| format!(r#"{{"number":"{number}","birth_date":"{BORN}","code":"{code}"}}"#);
    let status = relative
        .post_json("/api/v1/case-status", &check(&code), None)
        .await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    let shown = json(&status.body);
    assert_eq!(shown["state"], "submitted");
    assert_eq!(shown["next_step"], "bureau_checks");
    let mut keys: Vec<_> = shown.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "deadline",
            "deadline_provisional",
            "next_step",
            "number",
            "state"
        ],
        "nothing else about the case"
    );
    assert!(!status.body.contains("季美华") && !status.body.contains("JI MEIHUA"));

    let again = relative
        .post_json("/api/v1/case-status", &check(&code), None)
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&again.body)["reason"], "mismatch");

    // The applicant sees both on her access log, and the wrong birth date as refused.
    let log = web.get("/api/v1/me/access-log").await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let log = json(&log.body);
    let items = log["items"].as_array().expect("items");
    let has = |action: &str, refused: bool| {
        items
            .iter()
            .any(|a| a["action"] == action && a["refused"] == refused)
    };
    assert!(has("case_status_code_sent", false), "{log}");
    assert!(has("case_status_code_sent", true), "{log}");
    assert!(has("case_status_read", false), "{log}");
    assert!(has("case_status_read", true), "{log}");
}

#[tokio::test]
async fn an_elder_checks_her_case_on_the_pages_in_her_language() {
    let mut web = server().await;
    let number = sent_case(&mut web).await;
    let mut elder = web.another();

    let login = elder.get("/login?lang=zh-CN").await;
    assert!(login.body.contains("href=\"/status\""));
    let form = elder.get("/status").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("不登录查看申请进度"), "{}", form.body);
    assert_eq!(
        form.body.matches(" checked").count(),
        1,
        "one way to send the code is offered first, as on the password form"
    );

    // Both mistakes at once, each linking to its field.
    let bad = elder
        .post_form(
            "/status",
            &[("number", "QT 12"), ("birth_date", "1950/4/2")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#number\""), "{}", bad.body);
    assert!(bad.body.contains("href=\"#birth_date\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"birth_date\""));

    let wrong = elder
        .post_form(
            "/status",
            &[("number", &number), ("birth_date", "1951-04-02")],
        )
        .await;
    let asked = elder
        .post_form("/status", &[("number", &number), ("birth_date", BORN)])
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(
        wrong.body.replace("1951-04-02", "X"),
        asked.body.replace(BORN, "X"),
        "the same page whether or not the birth date matches"
    );
    assert!(asked.body.contains("action=\"/status/check\""));
    let code = newest_code(&web).await;

    let mistyped = elder
        .post_form(
            "/status/check",
            &[("number", &number), ("birth_date", BORN), ("code", "12")],
        )
        .await;
    assert_eq!(mistyped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        mistyped.body.contains("href=\"#code\""),
        "{}",
        mistyped.body
    );
    let shown = elder
        .post_form(
            "/status/check",
            &[("number", &number), ("birth_date", BORN), ("code", &code)],
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("已提交，等待受理"), "{}", shown.body);
    assert!(
        shown.body.contains("主管部门审核材料"),
        "the next step in words"
    );
    assert!(!shown.body.contains("季美华") && !shown.body.contains("bureau_checks"));

    let log = web.get("/account/access-log?lang=en").await;
    assert!(
        log.body
            .contains("Checked your case&#39;s status with a code")
            || log.body.contains("Checked your case's status with a code"),
        "{}",
        log.body
    );
    // The form keeps the CSRF check: a post without its token is refused.
    let forged = elder
        .post_raw("/status", &[("number", &number), ("birth_date", BORN)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!hidden_csrf(&elder.get("/status").await.body).is_empty());
}

#[tokio::test]
async fn asking_again_and_again_from_one_address_is_stopped() {
    let web = server().await;
    let mut guesser = web.another();
    let body = r#"{"number":"QT-2026-000001","birth_date":"1950-01-01"}"#;
    let mut statuses = Vec::new();
    for _ in 0..21 {
        statuses.push(
            guesser
                .post_json("/api/v1/case-status/codes", body, None)
                .await
                .status,
        );
    }
    assert!(statuses[..20].iter().all(|s| *s == StatusCode::ACCEPTED));
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
    let page = guesser
        .post_form(
            "/status/check",
            &[
                ("number", "QT-2026-000001"),
                ("birth_date", "1950-01-01"),
                ("code", "12345678"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}
