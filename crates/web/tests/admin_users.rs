//! Administrators manage accounts through the pages and the API: roles, disabling, refusals.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json};
use qiaoyi_app::demo::DEMO_PASSWORD;

/// The account id linked from the admin list for an e-mail address.
fn account_link(list: &str, email: &str) -> String {
    let at = list.find(&format!(">{email}<")).expect("listed");
    let start = list[..at].rfind("/admin/users/").expect("linked");
    list[start..at - 1].to_owned()
}

#[tokio::test]
async fn pages_an_admin_gives_and_withdraws_roles_and_disables_an_account() {
    let mut admin = Browser::new().await;
    admin.sign_in_staff("admin@qiaoyi.example").await;
    let list = admin.get("/admin/users").await.body;
    let page = account_link(&list, "consultant@qiaoyi.example");
    let view = admin.get(&page).await;
    assert_eq!(view.status, StatusCode::OK);
    let csrf = hidden_csrf(&view.body);
    let roles = format!("{page}/roles");

    let bad = admin
        .post_raw(
            &roles,
            &[("csrf", &csrf), ("role", "station"), ("scope", "FR-XYZ")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"role-error\""), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"FR-XYZ\""),
        "the scope typed is kept"
    );
    let unknown = admin
        .post_raw(&roles, &[("csrf", &csrf), ("role", "king"), ("scope", "")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    let given = admin
        .post_raw(
            &roles,
            &[("csrf", &csrf), ("role", "duty_leader"), ("scope", "")],
        )
        .await;
    assert_eq!(given.location.as_deref(), Some(page.as_str()));
    assert!(
        admin
            .get(&page)
            .await
            .body
            .contains("name=\"withdraw\" value=\"duty_leader\"")
    );
    let withdrawn = admin
        .post_raw(&roles, &[("csrf", &csrf), ("withdraw", "consultant")])
        .await;
    assert_eq!(withdrawn.location.as_deref(), Some(page.as_str()));
    let last = admin
        .post_raw(&roles, &[("csrf", &csrf), ("withdraw", "duty_leader")])
        .await;
    assert_eq!(
        last.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the last role stays"
    );

    // Disabled: the consultant's open session ends and the sign-in page says why.
    let mut consultant = admin.another();
    consultant.sign_in_staff("consultant@qiaoyi.example").await;
    assert_eq!(consultant.get("/account").await.status, StatusCode::OK);
    let off = admin
        .post_raw(
            &format!("{page}/status"),
            &[("csrf", &csrf), ("disabled", "1")],
        )
        .await;
    assert_eq!(off.location.as_deref(), Some(page.as_str()));
    assert_ne!(consultant.get("/account").await.status, StatusCode::OK);
    let refused = consultant
        .post_form(
            "/login",
            &[
                ("email", "consultant@qiaoyi.example"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("停用"), "{}", refused.body);
    assert!(admin.get("/admin/users").await.body.contains("已停用"));

    // A new account's scope that does not exist is refused in the reader's language.
    let users_csrf = hidden_csrf(&admin.get("/admin/users").await.body);
    let scoped = admin
        .post_raw(
            "/admin/users",
            &[
                ("csrf", &users_csrf),
                ("email", "clerk@qiaoyi.example"),
                ("name", "Clerk"),
                ("role", "station"),
                ("scope", "FR-XYZ"),
            ],
        )
        .await;
    assert_eq!(scoped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        scoped.body.contains("请填写存在的服务站或类别"),
        "{}",
        scoped.body
    );

    // Nobody disables themselves, and nobody else reaches these pages.
    let own = account_link(
        &admin.get("/admin/users").await.body,
        "admin@qiaoyi.example",
    );
    let myself = admin
        .post_raw(
            &format!("{own}/status"),
            &[("csrf", &csrf), ("disabled", "1")],
        )
        .await;
    assert_eq!(myself.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut officer = admin.another();
    officer.sign_in_staff("officer@qiaoyi.example").await;
    assert_eq!(officer.get(&page).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_create_list_change_roles_and_disable() {
    let mut admin = Browser::new().await;
    let csrf = admin.api_sign_in("admin@qiaoyi.example").await;
    let created = admin
        .post_json(
            "/api/v1/users",
            r#"{"email":"Clerk.Lyon@Qiaoyi.example","display_name":"林文","grants":["station:IT-ROM"]}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = json(&created.body);
    assert_eq!(created["account"]["email"], "clerk.lyon@qiaoyi.example");
    assert_eq!(created["password"].as_str().map(str::len), Some(24));
    assert!(
        created["totp_secret"].is_string(),
        "staff get an authenticator secret"
    );
    let id = created["account"]["id"].as_str().expect("id").to_owned();

    let again = admin
        .post_json(
            "/api/v1/users",
            r#"{"email":"clerk.lyon@qiaoyi.example","display_name":"x","grants":["admin"]}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    for (body, field) in [
        (
            r#"{"email":"a@b.example","display_name":"x","grants":["king"]}"#,
            "grants",
        ),
        (
            r#"{"email":"a@b.example","display_name":"x","grants":[]}"#,
            "roles",
        ),
        (
            r#"{"email":"a@b.example","display_name":"x","grants":["station:FR-XYZ"]}"#,
            "roles",
        ),
        (
            r#"{"email":"not-an-address","display_name":"x","grants":["admin"]}"#,
            "email",
        ),
        (
            r#"{"email":"a@b.example","display_name":"","grants":["admin"]}"#,
            "name",
        ),
    ] {
        let reply = admin.post_json("/api/v1/users", body, Some(&csrf)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.body
        );
        assert_eq!(json(&reply.body)["field"], field, "{}", reply.body);
    }

    let list = json(&admin.get("/api/v1/users?limit=100").await.body);
    assert!(list["total"].as_u64().is_some_and(|n| n >= 10));
    let roles = admin
        .put_json(
            &format!("/api/v1/users/{id}/roles"),
            r#"{"grants":["station:ES-MAD","consultant"]}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(roles.status, StatusCode::OK, "{}", roles.body);
    assert_eq!(
        json(&roles.body)["grants"],
        serde_json::json!(["consultant", "station:ES-MAD"])
    );
    let off = admin
        .put_json(
            &format!("/api/v1/users/{id}/status"),
            r#"{"disabled":true}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(json(&off.body)["disabled"], true);
    let shown = json(&admin.get(&format!("/api/v1/users/{id}")).await.body);
    assert_eq!(shown["disabled"], true);
    assert_eq!(
        admin.get("/api/v1/users/u-nobody").await.status,
        StatusCode::NOT_FOUND
    );

    let mut stranger = admin.another();
    assert_eq!(
        stranger
            .post_json("/api/v1/users", r#"{"grants":["king"]}"#, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "who may is settled before the body is read"
    );
    assert_eq!(
        stranger
            .post_json(
                "/api/v1/users",
                r#"{"email":"a@b.example","display_name":"x","grants":["king"]}"#,
                None
            )
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let officer_csrf = stranger.api_sign_in("officer@qiaoyi.example").await;
    assert_eq!(
        stranger.get("/api/v1/users").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        stranger
            .put_json(
                &format!("/api/v1/users/{id}/status"),
                r#"{"disabled":false}"#,
                Some(&officer_csrf)
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
