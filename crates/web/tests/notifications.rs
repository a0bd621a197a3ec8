//! Notifications through the pages and the API: a person's choices, the unsubscribe link of a
//! passport reminder, and the administrators' view of undelivered messages.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json};
use qiaoyi_app::cases::beijing_today;
use qiaoyi_store::NewMessage;

/// The test servers' clock starts here.
fn now() -> i64 {
    common::T0
}

#[tokio::test]
async fn pages_a_person_chooses_channels_and_a_bad_number_is_explained_in_place() {
    let mut b = Browser::new().await;
    b.sign_in("applicant@qiaoyi.example").await;
    let account = b.get("/account").await.body;
    assert!(account.contains("href=\"/account/notifications\""));
    let page = b.get("/account/notifications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("name=\"email_enabled\" value=\"on\" checked")
    );
    let csrf = hidden_csrf(&page.body);

    let bad = b
        .post_raw(
            "/account/notifications",
            &[
                ("csrf", &csrf),
                ("email_enabled", "on"),
                ("sms_enabled", "on"),
                ("sms_number", "333 123"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"sms_number-error\""), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"333 123\""),
        "what was typed stays"
    );
    assert!(
        bad.body.contains("国家代码"),
        "explained in the reader's language"
    );
    let none = b
        .post_raw("/account/notifications?lang=en", &[("csrf", &csrf)])
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("at least one way"), "{}", none.body);

    let saved = b
        .post_raw(
            "/account/notifications",
            &[
                ("csrf", &csrf),
                ("sms_enabled", "on"),
                ("sms_number", "+39 333 123 4567"),
                ("family_reminders", "on"),
                ("language", "es"),
            ],
        )
        .await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/account/notifications?saved=1")
    );
    let page = b.get("/account/notifications?saved=1").await.body;
    assert!(page.contains("value=\"+393331234567\""));
    assert!(page.contains("name=\"family_reminders\" value=\"on\" checked"));
    assert!(!page.contains("name=\"email_enabled\" value=\"on\" checked"));
    assert!(page.contains("<option value=\"es\" lang=\"es\" selected>"));

    let mut stranger = b.another();
    let refused = stranger.get("/account/notifications").await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn api_choices_are_read_and_replaced_and_bad_bodies_refused() {
    let mut b = Browser::new().await;
    let anonymous = b.get("/api/v1/me/notifications").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let csrf = b.api_sign_in("applicant@qiaoyi.example").await;
    let current = json(&b.get("/api/v1/me/notifications").await.body);
    assert_eq!(current["email_enabled"], true);
    assert_eq!(current["own_reminders"], true);
    assert_eq!(current["family_reminders"], false);
    assert_eq!(current["language"], "zh-CN");

    for (body, field) in [
        (
            r#"{"email_enabled":true,"sms_enabled":true,"own_reminders":true,"family_reminders":false}"#,
            "sms_number",
        ),
        (
            r#"{"email_enabled":false,"sms_enabled":false,"own_reminders":true,"family_reminders":false}"#,
            "email_enabled",
        ),
        (
            r#"{"email_enabled":true,"sms_enabled":false,"sms_number":"+39 abc","own_reminders":true,"family_reminders":false}"#,
            "sms_number",
        ),
        (
            r#"{"email_enabled":true,"sms_enabled":false,"own_reminders":true,"family_reminders":false,"language":"xx"}"#,
            "language",
        ),
    ] {
        let reply = b
            .put_json("/api/v1/me/notifications", body, Some(&csrf))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(json(&reply.body)["field"], field, "{body}");
    }
    let unknown = b
        .put_json(
            "/api/v1/me/notifications",
            r#"{"email_enabled":true,"sms_enabled":false,"own_reminders":true,"family_reminders":false,"fax":true}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_csrf = b
        .put_json(
            "/api/v1/me/notifications",
            r#"{"email_enabled":true,"sms_enabled":false,"own_reminders":false,"family_reminders":false}"#,
            None,
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    let saved = b
        .put_json(
            "/api/v1/me/notifications",
            r#"{"email_enabled":true,"sms_enabled":true,"sms_number":"+86 139 1234 5678","own_reminders":false,"family_reminders":true,"language":"it"}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let saved = json(&saved.body);
    assert_eq!(saved["sms_number"], "+8613912345678");
    assert_eq!(saved["language"], "it");
    assert_eq!(
        json(&b.get("/api/v1/me/notifications").await.body)["own_reminders"],
        false
    );
}

#[tokio::test]
async fn the_reminder_link_stops_reminders_without_signing_in_and_forged_links_fail() {
    let b = Browser::new().await;
    let store = &b.store.as_ref().expect("store").store;
    // The demo applicant's passport runs out in five months: the six-month reminder is due.
    let run = b
        .app
        .queue_passport_reminders(beijing_today(now()), now())
        .await
        .expect("reminders");
    assert_eq!(run.queued, 1);
    let reminder = store
        .pending_messages(100)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.template == "passport-expiring")
        .expect("queued");
    let params = json(&reminder.params);
    assert_eq!(params["months"], 6);
    let link = params["unsubscribe"].as_str().expect("link");
    assert!(link.ends_with("?lang=zh-CN"), "{link}");
    let path = &link[link.find("/unsubscribe/").expect("path")..link.find('?').expect("query")];

    let mut reader = b.another();
    let page = reader.get(&format!("{path}?lang=it")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("applicant@qiaoyi.example"));
    assert!(
        page.body.contains("Interrompi i promemoria"),
        "{}",
        page.body
    );
    let csrf = hidden_csrf(&page.body);
    let done = reader.post_raw(path, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("role=\"status\""));

    let mut applicant = b.another();
    applicant.api_sign_in("applicant@qiaoyi.example").await;
    let choices = json(&applicant.get("/api/v1/me/notifications").await.body);
    assert_eq!(choices["own_reminders"], false);

    let forged = format!("{}x", &path[..path.len() - 1]);
    assert_eq!(reader.get(&forged).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reader.get("/unsubscribe/nothing").await.status,
        StatusCode::NOT_FOUND
    );
    let no_csrf = reader.post_raw(path, &[]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    // The one-click form of RFC 8058 is what a mail provider posts, with no cookie or token;
    // only to an unsubscribe link.
    let mut provider = b.another();
    let one_click = provider
        .post_raw(path, &[("List-Unsubscribe", "One-Click")])
        .await;
    assert_eq!(one_click.status, StatusCode::OK, "{}", one_click.body);
    let elsewhere = provider
        .post_raw(
            "/account/notifications",
            &[("List-Unsubscribe", "One-Click")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn administrators_see_undelivered_messages_and_send_them_again() {
    let mut admin = Browser::new().await;
    let store = admin.store.as_ref().expect("store").store.clone();
    store
        .enqueue_messages(
            &[NewMessage {
                id: "m-broken".into(),
                channel: "email".into(),
                recipient: "someone@example.org".into(),
                language: "en".into(),
                template: "no-such-template".into(),
                params: "{}".into(),
                user_id: None,
                dedupe_key: None,
            }],
            now(),
        )
        .await
        .expect("queued");
    let report = admin.app.deliver_due("w-test", now()).await.expect("ran");
    assert!(report.dead >= 1);

    let mut applicant = admin.another();
    applicant.sign_in("applicant@qiaoyi.example").await;
    assert_eq!(
        applicant.get("/admin/outbox").await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = hidden_csrf(&applicant.get("/account").await.body);
    assert_eq!(
        applicant.get("/api/v1/outbox").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        applicant
            .post_json("/api/v1/outbox/m-broken/retry", "", Some(&csrf))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    admin.sign_in_staff("admin@qiaoyi.example").await;
    assert!(
        admin
            .get("/account")
            .await
            .body
            .contains("href=\"/admin/outbox\"")
    );
    let page = admin.get("/admin/outbox?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("no template is called no-such-template"));
    assert!(page.body.contains("/admin/outbox/m-broken/retry"));
    let empty = admin.get("/admin/outbox?status=pending&lang=en").await.body;
    assert!(empty.contains("No messages in this state."), "{empty}");
    let csrf = hidden_csrf(&page.body);
    let retried = admin
        .post_raw("/admin/outbox/m-broken/retry", &[("csrf", &csrf)])
        .await;
    assert_eq!(
        retried.location.as_deref(),
        Some("/admin/outbox?status=dead&retried=1")
    );
    let again = admin
        .post_raw("/admin/outbox/m-broken/retry", &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // The API answers the same session, with the page's token in the header.
    let pending = json(&admin.get("/api/v1/outbox?status=pending").await.body);
    let items = pending["items"].as_array().expect("items");
    let message = items
        .iter()
        .find(|m| m["id"] == "m-broken")
        .expect("queued again");
    assert_eq!(message["attempts"], 0);
    assert!(message.get("params").is_none(), "codes are not shown");
    let bad = admin.get("/api/v1/outbox?status=lost").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&bad.body)["field"], "status");
    let bad_limit = admin.get("/api/v1/outbox?limit=0").await;
    assert_eq!(bad_limit.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = admin
        .post_json("/api/v1/outbox/m-nothing/retry", "", Some(&csrf))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
