//! Setting a forgotten password on the pages and over the API: the link from the sign-in page,
//! the same answer for every address, the link's page before and after use, a desk code made by
//! a station clerk and used on its page (every missing answer at once), and an administrator
//! resetting an authenticator.

use crate::common;

use axum::http::StatusCode;
use common::{hidden_csrf, json, server};

const NEW: &str = "violet harbour lantern 1987";

/// The token of the newest reset link queued for `email`.
async fn newest_token(store: &qiaoyi_store::Store, email: &str) -> String {
    let link = store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "password-reset" && m.recipient == email)
        .map(|m| json(&m.params)["link"].as_str().expect("link").to_owned())
        .next_back()
        .expect("a link was sent");
    link.rsplit('/')
        .next()
        .and_then(|t| t.split('?').next())
        .expect("token")
        .to_owned()
}

#[tokio::test]
async fn a_forgotten_password_is_set_again_by_the_link_on_the_pages() {
    let mut web = server().await;
    let login = web.get("/login?lang=es").await;
    assert!(login.body.contains("href=\"/password/forgot\""));
    assert!(login.body.contains("¿Ha olvidado su contraseña?"));

    let unknown = web
        .post_form("/password/forgot", &[("email", "nobody@qiaoyi.example")])
        .await;
    let known = web
        .post_form(
            "/password/forgot",
            &[("email", "applicant@qiaoyi.example"), ("by", "email")],
        )
        .await;
    assert_eq!(
        (unknown.status, known.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(
        unknown.body.replace("nobody@qiaoyi.example", "X"),
        known.body.replace("applicant@qiaoyi.example", "X"),
        "the same answer whether or not an account has the address"
    );
    let bad = web
        .post_form("/password/forgot", &[("email", "not an address")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#email\""), "{}", bad.body);

    let store = web.store.as_ref().expect("the test store").store.clone();
    let token = newest_token(&store, "applicant@qiaoyi.example").await;
    let form = web.get(&format!("/password/reset/{token}?lang=it")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Scelga una nuova password"));
    let csrf = hidden_csrf(&form.body);
    let weak = web
        .post_raw(
            &format!("/password/reset/{token}"),
            &[("csrf", &csrf), ("new_password", "aaaaaaaaaaaa")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("href=\"#new_password\""));
    let set = web
        .post_raw(
            &format!("/password/reset/{token}"),
            &[("csrf", &csrf), ("new_password", NEW)],
        )
        .await;
    assert_eq!(
        set.location.as_deref(),
        Some("/login?reset=true"),
        "{}",
        set.body
    );
    assert!(
        web.get("/login?reset=true&lang=en")
            .await
            .body
            .contains("Your new password is set")
    );
    let again = web.get(&format!("/password/reset/{token}?lang=en")).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains("This link no longer works"));
    let signed_in = web
        .post_form(
            "/login",
            &[("email", "applicant@qiaoyi.example"), ("password", NEW)],
        )
        .await;
    assert_eq!(signed_in.location.as_deref(), Some("/account"));
}

#[tokio::test]
async fn a_clerk_hands_a_desk_code_and_the_visitor_sets_her_password_with_it() {
    let mut clerk = server().await;
    clerk.sign_in_staff("station.rome@qiaoyi.example").await;
    assert!(
        clerk
            .get("/account?lang=en")
            .await
            .body
            .contains("href=\"/desk/password-reset\"")
    );
    let page = clerk.get("/desk/password-reset?lang=zh-CN").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden_csrf(&page.body);
    let missing = clerk
        .post_raw("/desk/password-reset", &[("csrf", &csrf)])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#email\"") && missing.body.contains("href=\"#check\""));
    let staff = clerk
        .post_raw(
            "/desk/password-reset",
            &[
                ("csrf", &csrf),
                ("email", "officer@qiaoyi.example"),
                ("check", "in_person"),
            ],
        )
        .await;
    assert_eq!(staff.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(staff.body.contains("工作人员账户由管理员重置"));
    let made = clerk
        .post_raw(
            "/desk/password-reset",
            &[
                ("csrf", &csrf),
                ("email", "applicant@qiaoyi.example"),
                ("check", "video"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK);
    let marker = "<p class=\"code\" lang=\"en\"><strong>";
    let start = made.body.find(marker).expect("the code is shown") + marker.len();
    let code = made.body[start..start + 11].to_owned();

    let mut visitor = clerk.another();
    let empty = visitor.post_form("/password/code", &[]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["email", "code", "new_password"] {
        assert!(
            empty.body.contains(&format!("href=\"#{field}\"")),
            "every missing answer at once: {field}"
        );
    }
    let set = visitor
        .post_form(
            "/password/code",
            &[
                ("email", "applicant@qiaoyi.example"),
                ("code", &code),
                ("new_password", NEW),
            ],
        )
        .await;
    assert_eq!(
        set.location.as_deref(),
        Some("/login?reset=true"),
        "{}",
        set.body
    );

    // An applicant has no desk.
    let mut applicant = clerk.another();
    applicant
        .post_form(
            "/login",
            &[
                ("email", "mother@qiaoyi.example"),
                ("password", qiaoyi_app::demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        applicant.get("/desk/password-reset").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_api_resets_by_link_code_and_administrator() {
    let mut web = server().await;
    let sent = web
        .post_json(
            "/api/v1/password/forgot",
            r#"{"email":"nobody@qiaoyi.example"}"#,
            None,
        )
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let by_sms = web
        .post_json(
            "/api/v1/password/forgot",
            r#"{"email":"applicant@qiaoyi.example","by":"sms"}"#,
            None,
        )
        .await;
    assert_eq!(by_sms.status, StatusCode::ACCEPTED, "{}", by_sms.body);
    let by_fax = web
        .post_json(
            "/api/v1/password/forgot",
            r#"{"email":"applicant@qiaoyi.example","by":"fax"}"#,
            None,
        )
        .await;
    assert_eq!(by_fax.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&by_fax.body)["field"], "by");
    let lapsed = web
        .post_json(
            "/api/v1/password/reset",
            &format!(r#"{{"token":"00ff","new_password":"{NEW}"}}"#),
            None,
        )
        .await;
    assert_eq!(lapsed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (
            json(&lapsed.body)["field"].as_str(),
            json(&lapsed.body)["reason"].as_str()
        ),
        (Some("token"), Some("lapsed"))
    );
    let anonymous = web
        .post_json(
            "/api/v1/password/reset-codes",
            r#"{"email":"applicant@qiaoyi.example","check":"in_person"}"#,
            None,
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let mut officer = web.another();
    let o = officer.api_sign_in("officer@qiaoyi.example").await;
    let issued = officer
        .post_json(
            "/api/v1/password/reset-codes",
            r#"{"email":"applicant@qiaoyi.example","check":"in_person"}"#,
            Some(&o),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let code = json(&issued.body)["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let set = web
        .post_json(
            "/api/v1/password/reset-with-code",
            &format!(
                r#"{{"email":"applicant@qiaoyi.example","code":"{code}","new_password":"{NEW}"}}"#
            ),
            None,
        )
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);

    let mut admin = web.another();
    let a = admin.api_sign_in("admin@qiaoyi.example").await;
    let officer_id = json(&officer.get("/api/v1/me").await.body)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let no_reason = admin
        .post_json(
            &format!("/api/v1/users/{officer_id}/second-factor/reset"),
            r#"{"reason":""}"#,
            Some(&a),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reset = admin
        .post_json(
            &format!("/api/v1/users/{officer_id}/second-factor/reset"),
            r#"{"reason":"lost her phone; seen in person"}"#,
            Some(&a),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.body);
    assert_eq!(
        officer.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED,
        "her session ended"
    );
}
