//! API tokens as other systems and administrators meet them: made on the page (the secret shown
//! once), sent as `Authorization: Bearer` with no CSRF token, refused with RFC 6750's answer when
//! unknown or revoked, limited per token and per address, declared in the OpenAPI document.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Browser, Reply, hidden_csrf, json};

/// The secret a page shows once, in its `<code class="secret">`.
fn shown_secret(page: &str) -> Option<String> {
    let start = page.find("qyt_")?;
    Some(page[start..start + 68].to_owned())
}

async fn with_token(
    system: &mut Browser,
    method: Method,
    uri: &str,
    authorization: &str,
    body: Option<&str>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, authorization);
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    system
        .send(
            request,
            body.map_or_else(Body::empty, |b| Body::from(b.to_owned())),
        )
        .await
}

async fn make_on_page(admin: &mut Browser, fields: &[(&str, &str)]) -> Reply {
    let page = admin.get("/admin/api-tokens").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = hidden_csrf(&page.body);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    admin.post_raw("/admin/api-tokens", &all).await
}

#[tokio::test]
async fn an_administrator_makes_a_token_a_system_uses_it_and_revoking_stops_it_at_once() {
    let mut admin = Browser::new().await;
    admin.sign_in_staff("admin@qiaoyi.example").await;
    let empty = admin.get("/admin/api-tokens").await;
    assert!(
        empty.body.contains("尚未新建任何接口令牌"),
        "{}",
        empty.body
    );
    assert!(
        admin
            .get("/admin/users")
            .await
            .body
            .contains("href=\"/admin/api-tokens\""),
        "linked from the administrator's work"
    );

    // Each mistake is shown beside its field, and nothing is made.
    let bad_days = make_on_page(
        &mut admin,
        &[
            ("service", "Rome kiosk"),
            ("name", "2026"),
            ("role", "station"),
            ("scope", "IT-ROM"),
            ("days", "400"),
        ],
    )
    .await;
    assert_eq!(bad_days.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_days.body.contains("id=\"days-error\""));
    assert!(
        bad_days.body.contains("value=\"Rome kiosk\""),
        "what was typed is kept"
    );
    let admin_role = make_on_page(
        &mut admin,
        &[
            ("service", "Job"),
            ("name", "x"),
            ("role", "admin"),
            ("scope", ""),
            ("days", "30"),
        ],
    )
    .await;
    assert_eq!(admin_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(admin_role.body.contains("id=\"role-error\""));
    let no_station = make_on_page(
        &mut admin,
        &[
            ("service", "Job"),
            ("name", "x"),
            ("role", "station"),
            ("scope", "ZZ-NOP"),
            ("days", "30"),
        ],
    )
    .await;
    assert_eq!(no_station.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_station.body.contains("id=\"scope-error\""));
    assert!(shown_secret(&no_station.body).is_none());

    let made = make_on_page(
        &mut admin,
        &[
            ("service", "Rome kiosk"),
            ("name", "2026"),
            ("role", "station"),
            ("scope", "IT-ROM"),
            ("days", "30"),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let secret = shown_secret(&made.body).expect("the secret, once");
    let list = admin.get("/admin/api-tokens").await.body;
    assert!(list.contains("Rome kiosk") && list.contains("有效"));
    assert!(!list.contains(&secret), "never shown again");

    // The kiosk holds no cookie and sends no CSRF token.
    let mut kiosk = admin.another();
    kiosk.cookies.clear();
    let bearer = format!("Bearer {secret}");
    let cases = with_token(
        &mut kiosk,
        Method::GET,
        "/api/v1/cases?view=station",
        &bearer,
        None,
    )
    .await;
    assert_eq!(cases.status, StatusCode::OK, "{}", cases.body);
    assert!(json(&cases.body)["total"].as_u64().expect("total") > 0);
    assert!(
        kiosk.cookies.is_empty(),
        "a token call sets no cookie: {:?}",
        kiosk.cookies
    );
    let opened = with_token(
        &mut kiosk,
        Method::POST,
        "/api/v1/cases",
        &bearer,
        Some(
            r#"{"item":"EE-01","person_name":"季美华","person_name_latin":"JI MEIHUA","birth_date":"1950-04-02","relation":"self","delivery":"courier","duplicate_ok":true}"#,
        ),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    // Its role only: not the administrators' operations.
    let tokens = with_token(&mut kiosk, Method::GET, "/api/v1/api-tokens", &bearer, None).await;
    assert_eq!(tokens.status, StatusCode::FORBIDDEN);
    // Pages take no token: the header is not a way round the session.
    let page = with_token(&mut kiosk, Method::GET, "/admin/api-tokens", &bearer, None).await;
    assert_ne!(page.status, StatusCode::OK);

    let list = admin.get("/admin/api-tokens").await.body;
    let at = list.find("/admin/api-tokens/t-").expect("a revoke form") + "/admin/api-tokens/".len();
    let id = &list[at..at + 18];
    let csrf = hidden_csrf(&list);
    let revoked = admin
        .post_raw(
            &format!("/admin/api-tokens/{id}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        revoked.location.as_deref(),
        Some("/admin/api-tokens"),
        "{}",
        revoked.body
    );
    assert!(admin.get("/admin/api-tokens").await.body.contains("已撤销"));
    let refused = with_token(
        &mut kiosk,
        Method::GET,
        "/api/v1/cases?view=station",
        &bearer,
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused
            .headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok()),
        Some("Bearer error=\"invalid_token\"")
    );
    assert_eq!(
        json(&refused.body)["type"]
            .as_str()
            .map(|t| t.ends_with("invalid-token")),
        Some(true)
    );
}

#[tokio::test]
async fn the_api_makes_tokens_and_refuses_what_is_not_one() {
    let mut admin = Browser::new().await;
    let csrf = admin.api_sign_in("admin@qiaoyi.example").await;
    let made = admin
        .post_json(
            "/api/v1/api-tokens",
            r#"{"service":"Reporting","name":"monthly","grant":"duty_leader","days":7}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let made = json(&made.body);
    let secret = made["secret"].as_str().expect("secret").to_owned();
    assert_eq!(made["token"]["state"], "active");
    assert_eq!(made["token"]["grant"], "duty_leader");
    let listed = json(&admin.get("/api/v1/api-tokens").await.body);
    assert_eq!(listed["total"], 1);
    assert!(!listed.to_string().contains(&secret));
    let refused = admin
        .post_json(
            "/api/v1/api-tokens",
            r#"{"service":"Reporting","name":"x","grant":"auditor","days":7}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&refused.body)["field"], "grant");
    let unknown_field = admin
        .post_json(
            "/api/v1/api-tokens",
            r#"{"service":"R","name":"x","grant":"consultant","days":7,"admin":true}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut system = admin.another();
    system.cookies.clear();
    let stats = with_token(
        &mut system,
        Method::GET,
        "/api/v1/green-channel",
        &format!("Bearer {secret}"),
        None,
    )
    .await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    // A person's own account is not a token's.
    let me = with_token(
        &mut system,
        Method::GET,
        "/api/v1/me/access-log",
        &format!("Bearer {secret}"),
        None,
    )
    .await;
    assert_eq!(me.status, StatusCode::FORBIDDEN, "{}", me.body);
    let wrong_scheme = with_token(
        &mut system,
        Method::GET,
        "/api/v1/cases",
        &format!("Basic {secret}"),
        None,
    )
    .await;
    assert_eq!(wrong_scheme.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_scheme
            .headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok()),
        Some("Bearer error=\"invalid_request\"")
    );
    // A cookie session beside a token does not count: the token decides, and it is wrong.
    let forged = format!("Bearer qyt_{}", "0".repeat(64));
    let mixed = with_token(&mut admin, Method::GET, "/api/v1/api-tokens", &forged, None).await;
    assert_eq!(mixed.status, StatusCode::UNAUTHORIZED);
    // A session cookie still needs its CSRF token for a change.
    let no_csrf = admin
        .post_json(
            "/api/v1/api-tokens",
            r#"{"service":"R","name":"x","grant":"consultant","days":7}"#,
            None,
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    // Guessing is limited per address, using per token.
    let mut guesser = admin.another();
    guesser.cookies.clear();
    // Two refused already from this address above (the wrong scheme, the forged token).
    let mut statuses = Vec::new();
    for _ in 0..29 {
        statuses.push(
            with_token(&mut guesser, Method::GET, "/api/v1/cases", &forged, None)
                .await
                .status,
        );
    }
    assert!(
        statuses[..28]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED)
    );
    assert_eq!(statuses[28], StatusCode::TOO_MANY_REQUESTS);
    // 300 a minute, as a burst that refills: a little more passes while the loop runs.
    let mut passed = 2;
    loop {
        let status = with_token(
            &mut system,
            Method::GET,
            "/api/v1/catalog/categories",
            &format!("Bearer {secret}"),
            None,
        )
        .await
        .status;
        if status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        passed += 1;
        assert!(passed < 400, "the token's limit never came");
    }
    assert!(passed >= 300, "{passed}");
}

#[tokio::test]
async fn the_openapi_document_declares_both_ways_in() {
    let mut anyone = Browser::new().await;
    let doc = json(&anyone.get("/api/v1/openapi.json").await.body);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["apiToken"]["type"], "http");
    assert_eq!(schemes["apiToken"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["type"], "apiKey");
    assert_eq!(schemes["session"]["in"], "cookie");
    let cases = &doc["paths"]["/api/v1/cases"]["get"]["security"];
    assert_eq!(cases.as_array().map(Vec::len), Some(2), "{cases}");
    assert!(
        doc["paths"]["/api/v1/catalog/items"]["get"]
            .get("security")
            .is_none(),
        "open operations need neither"
    );
}
