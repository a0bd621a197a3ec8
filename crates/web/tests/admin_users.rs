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
        scoped.body.contains("请填写存在的服务站、类别或乡镇"),
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

/// A second administrator, given at the command line (which needs no approval).
async fn second_admin(b: &Browser) {
    let caller = qiaoyi_app::Caller::anonymous(
        qiaoyi_app::accounts::Client {
            address: "127.0.0.1".into(),
        },
        b.app.now_ms(),
    );
    b.app
        .create_account(
            &caller,
            qiaoyi_app::accounts::AccountRequest {
                email: "admin2@qiaoyi.example",
                display_name: "Second administrator",
                password: DEMO_PASSWORD,
                grants: vec![qiaoyi_app::domain::access::Grant::Admin],
                language: qiaoyi_app::domain::lang::Lang::It,
                confirmed: true,
                totp_secret: Some(qiaoyi_app::demo::DEMO_TOTP_SECRET.into()),
            },
        )
        .await
        .expect("second administrator");
}

#[tokio::test]
async fn api_an_auditor_role_waits_for_a_second_administrator() {
    let mut first = Browser::new().await;
    second_admin(&first).await;
    let csrf = first.api_sign_in("admin@qiaoyi.example").await;
    let me = json(&first.get("/api/v1/me").await.body)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let list = json(&first.get("/api/v1/users?limit=100").await.body);
    let consultant = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["email"] == "consultant@qiaoyi.example")
        .and_then(|a| a["id"].as_str())
        .expect("consultant")
        .to_owned();
    let asked = first
        .put_json(
            &format!("/api/v1/users/{consultant}/roles"),
            r#"{"grants":["consultant","auditor"]}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let asked = json(&asked.body);
    assert_eq!(asked["grants"], serde_json::json!(["consultant"]));
    assert_eq!(
        asked["awaiting_approval"]["grants"],
        serde_json::json!(["auditor"])
    );
    let request = asked["awaiting_approval"]["id"]
        .as_str()
        .expect("request id")
        .to_owned();
    let approve = format!("/api/v1/role-requests/{request}/approve");

    // Not by the administrator who asked, nor for her own roles.
    assert_eq!(
        first.post_json(&approve, "", Some(&csrf)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        first
            .put_json(
                &format!("/api/v1/users/{me}/roles"),
                r#"{"grants":["admin","care_coordinator"]}"#,
                Some(&csrf),
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Nor anyone anonymous or without the role.
    let mut stranger = first.another();
    assert_eq!(
        stranger.post_json(&approve, "", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let officer_csrf = stranger.api_sign_in("officer@qiaoyi.example").await;
    assert_eq!(
        stranger
            .post_json(&approve, "", Some(&officer_csrf))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let mut second = first.another();
    let second_csrf = second.api_sign_in("admin2@qiaoyi.example").await;
    let waiting = json(&second.get("/api/v1/role-requests").await.body);
    assert_eq!(waiting[0]["id"], request.as_str());
    assert_eq!(waiting[0]["account_email"], "consultant@qiaoyi.example");
    assert_eq!(waiting[0]["lapsed"], false);
    let approved = second.post_json(&approve, "", Some(&second_csrf)).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let approved = json(&approved.body);
    assert_eq!(
        approved["grants"],
        serde_json::json!(["auditor", "consultant"])
    );
    assert!(approved.get("awaiting_approval").is_none());
    let again = second.post_json(&approve, "", Some(&second_csrf)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(
        second
            .post_json(
                "/api/v1/role-requests/rr-nothing/reject",
                "",
                Some(&second_csrf)
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        json(&second.get("/api/v1/role-requests").await.body),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn pages_a_second_administrator_approves_a_care_worker_role_in_her_language() {
    let mut first = Browser::new().await;
    second_admin(&first).await;
    first.sign_in_staff("admin@qiaoyi.example").await;
    let list = first.get("/admin/users").await.body;
    let page = account_link(&list, "consultant@qiaoyi.example");
    let own = account_link(&list, "admin@qiaoyi.example");
    let csrf = hidden_csrf(&first.get(&page).await.body);
    let asked = first
        .post_raw(
            &format!("{page}/roles"),
            &[("csrf", &csrf), ("role", "care_coordinator"), ("scope", "")],
        )
        .await;
    assert_eq!(asked.location.as_deref(), Some(page.as_str()));
    let view = first.get(&page).await.body;
    assert!(view.contains("等待另一位管理员批准"), "{view}");
    assert!(view.contains("这些角色是您申请的"), "{view}");
    assert!(
        !view.contains("/approve"),
        "the administrator who asked sees no approve button"
    );
    assert!(!view.contains("name=\"withdraw\" value=\"care_coordinator\""));
    // Her own account's page offers no change of roles.
    let mine = first.get(&own).await.body;
    assert!(mine.contains("不能修改自己的角色"), "{mine}");
    assert!(!mine.contains("name=\"withdraw\""));

    let mut second = first.another();
    second.sign_in_staff("admin2@qiaoyi.example").await;
    second.get("/admin/users?lang=it").await;
    let listed = second.get("/admin/users").await.body;
    assert!(
        listed.contains("Ruoli in attesa di un secondo amministratore"),
        "{listed}"
    );
    let view = second.get(&page).await.body;
    assert!(view.contains("Approva questi ruoli"), "{view}");
    let approve = {
        let at = view.find("/approve\"").expect("approve form");
        let start = view[..at].rfind("/admin/role-requests/").expect("its path");
        view[start..at + "/approve".len()].to_owned()
    };
    let account = page.trim_start_matches("/admin/users/");
    let csrf = hidden_csrf(&view);
    let approved = second
        .post_raw(&approve, &[("csrf", &csrf), ("account", account)])
        .await;
    assert_eq!(approved.location.as_deref(), Some(page.as_str()));
    let after = second.get(&page).await.body;
    assert!(
        after.contains("name=\"withdraw\" value=\"care_coordinator\""),
        "{after}"
    );
    assert!(!after.contains("Approva questi ruoli"));
    // Approving it again says it was decided meanwhile, on the account's page.
    let again = second
        .post_raw(&approve, &[("csrf", &csrf), ("account", account)])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("decisa o sostituita"), "{}", again.body);
}
