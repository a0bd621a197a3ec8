//! Signing in through the pages and the API: CSRF, the second factor, sessions, refusals.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, hidden_csrf, json};
use qiaoyi_app::accounts::totp_code;
use qiaoyi_app::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};

#[tokio::test]
async fn applicant_signs_in_sees_the_account_and_signs_out() {
    let mut b = Browser::new().await;
    let reply = b.sign_in("applicant@qiaoyi.example").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location.as_deref(), Some("/account"));
    assert!(b.cookie("qiaoyi_session").is_some());
    let account = b.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("applicant@qiaoyi.example"));
    let csrf = hidden_csrf(&account.body);
    let out = b.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(b.cookie("qiaoyi_session").is_none());
    let after = b.get("/account").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(after.location.is_some_and(|l| l.starts_with("/login")));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let mut b = Browser::new().await;
    b.get("/login").await;
    let reply = b
        .post_raw(
            "/login",
            &[
                ("email", "applicant@qiaoyi.example"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let forged = b
        .post_raw(
            "/login",
            &[
                ("csrf", &"a".repeat(64)),
                ("email", "applicant@qiaoyi.example"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(b.cookie("qiaoyi_session").is_none());
}

#[tokio::test]
async fn a_wrong_password_shows_the_error_summary_and_keeps_the_address() {
    let mut b = Browser::new().await;
    let reply = b
        .post_form(
            "/login",
            &[
                ("email", "applicant@qiaoyi.example"),
                ("password", "<script>x</script>"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("class=\"error-summary\""));
    assert!(reply.body.contains("href=\"#email\""));
    // The same message stands beside the field, which is tied to it for screen readers.
    assert!(
        reply
            .body
            .contains("<p class=\"field-error\" id=\"email-error\">")
    );
    assert!(
        reply
            .body
            .contains("aria-invalid=\"true\" aria-describedby=\"email-error\"")
    );
    assert!(reply.body.contains("value=\"applicant@qiaoyi.example\""));
    let empty = b
        .post_form("/login", &[("email", ""), ("password", "")])
        .await;
    assert!(empty.body.contains("href=\"#password\""));
    let html = b
        .post_form(
            "/login",
            &[("email", "\"><script>alert(1)</script>"), ("password", "x")],
        )
        .await;
    assert!(
        !html.body.contains("<script>alert(1)</script>"),
        "input is escaped"
    );
}

#[tokio::test]
async fn staff_pass_the_second_factor_before_anything_else() {
    let mut b = Browser::new().await;
    let reply = b.sign_in("officer@qiaoyi.example").await;
    assert_eq!(reply.location.as_deref(), Some("/login/second-factor"));
    let account = b.get("/account").await;
    assert_eq!(account.location.as_deref(), Some("/login/second-factor"));
    let form = b.get("/login/second-factor").await.body;
    let csrf = hidden_csrf(&form);
    let wrong = b
        .post_raw("/login/second-factor", &[("csrf", &csrf), ("code", "abc")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = totp_code(DEMO_TOTP_SECRET, b.app.now_ms()).expect("code");
    let right = b
        .post_raw("/login/second-factor", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(
        right.location.as_deref(),
        Some("/cases"),
        "an officer starts on her case queue"
    );
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn forged_and_expired_cookies_are_anonymous() {
    let mut b = Browser::new().await;
    for forged in ["", "abc", &"f".repeat(64), "../../etc/passwd"] {
        b.cookies = vec![("qiaoyi_session".into(), forged.to_owned())];
        let reply = b.get("/account").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{forged}");
    }
}

#[tokio::test]
async fn api_sign_in_me_and_sign_out() {
    let mut b = Browser::new().await;
    let anonymous = b.get("/api/v1/me").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let login = b
        .post_json(
            "/api/v1/session",
            r#"{"email":"applicant@qiaoyi.example","password":"qiaoyi demo pass 2026"}"#,
            None,
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert!(login.body.contains("not_required"));
    let me = b.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let me: serde_json::Value = serde_json::from_str(&me.body).expect("json");
    assert_eq!(me["roles"][0], "applicant");
    let csrf = me["csrf"].as_str().expect("csrf").to_owned();
    let without = b
        .send(Request::delete("/api/v1/session"), Body::empty())
        .await;
    assert_eq!(
        without.status,
        StatusCode::FORBIDDEN,
        "a cookie call without the token is refused"
    );
    let out = b
        .send(
            Request::delete("/api/v1/session").header("x-csrf-token", csrf),
            Body::empty(),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_refusals_are_problem_json() {
    let mut b = Browser::new().await;
    let wrong = b
        .post_json(
            "/api/v1/session",
            r#"{"email":"applicant@qiaoyi.example","password":"nope nope nope"}"#,
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("\"status\":401"));
    let malformed = b.post_json("/api/v1/session", "{not json", None).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.body.contains("\"status\":400"));
    let missing = b
        .post_json("/api/v1/session", r#"{"email":"x"}"#, None)
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = b
        .post_json(
            "/api/v1/session/second-factor",
            r#"{"code":"123456"}"#,
            None,
        )
        .await;
    assert_eq!(code.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn six_wrong_passwords_lock_the_account() {
    let mut b = Browser::new().await;
    for _ in 0..5 {
        b.post_form(
            "/login",
            &[
                ("email", "consultant@qiaoyi.example"),
                ("password", "not the password"),
            ],
        )
        .await;
    }
    let sixth = b.sign_in("consultant@qiaoyi.example").await;
    assert_eq!(sixth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.cookie("qiaoyi_session").is_none());
}

#[tokio::test]
async fn spraying_passwords_over_many_addresses_is_answered_with_a_wait() {
    use qiaoyi_app::domain::access::spraying::{FREE_ADDRESSES, delay_ms};
    let mut b = Browser::new().await;
    // Six more addresses than go unslowed, each after the wait the ones before it earned: the
    // next wait is then a minute, longer than this test takes to read it back.
    for i in 0..FREE_ADDRESSES + 6 {
        if i >= FREE_ADDRESSES {
            b.app.clock().advance(delay_ms(i));
        }
        let refused = b
            .post_json(
                "/api/v1/session",
                &format!(r#"{{"email":"person{i}@example.org","password":"Summer2026!!"}}"#),
                None,
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    }
    let waits = b
        .post_json(
            "/api/v1/session",
            r#"{"email":"applicant@qiaoyi.example","password":"qiaoyi demo pass 2026"}"#,
            None,
        )
        .await;
    assert_eq!(
        waits.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        waits.body
    );
    assert!(waits.content_type.starts_with("application/problem+json"));
    assert!(waits.body.contains("sign-in-throttled"), "{}", waits.body);
    let seconds: u64 = waits.headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((50..=64).contains(&seconds), "{seconds}");
    assert!(b.cookie("qiaoyi_session").is_none());

    // The sign-in page says so in the person's language, keeping what she typed.
    b.get("/login?lang=it").await;
    let page = b.sign_in("applicant@qiaoyi.example").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key(header::RETRY_AFTER));
    assert!(
        page.body
            .contains("Troppi accessi non riusciti dalla Sua rete"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"applicant@qiaoyi.example\""));
}

#[tokio::test]
async fn openapi_documents_the_account_routes() {
    let mut b = Browser::new().await;
    let doc = b.get("/api/v1/openapi.json").await.body;
    for route in [
        "\"/api/v1/session\"",
        "\"/api/v1/session/second-factor\"",
        "\"/api/v1/me\"",
    ] {
        assert!(doc.contains(route), "{route}");
    }
}

#[tokio::test]
async fn an_admin_creates_a_staff_account_and_others_cannot() {
    let mut admin = Browser::new().await;
    admin.sign_in_staff("admin@qiaoyi.example").await;
    let page = admin.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("officer@qiaoyi.example"));
    let csrf = hidden_csrf(&page.body);
    let bad = admin
        .post_raw(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "new@qiaoyi.example"),
                ("name", "New"),
                ("role", "officer"),
                ("scope", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#role\""));
    assert!(
        bad.body.contains("value=\"new@qiaoyi.example\""),
        "input kept"
    );
    let taken = admin
        .post_raw(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "duty@qiaoyi.example"),
                ("name", "Dup"),
                ("role", "auditor"),
                ("scope", ""),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let good = admin
        .post_raw(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "New.Officer@qiaoyi.example"),
                ("name", "<i>New</i>"),
                ("role", "officer"),
                ("scope", "traffic"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.body);
    assert!(good.body.contains("new.officer@qiaoyi.example"));
    assert!(
        !good.body.contains("<i>New") && good.body.contains("i&#62;New"),
        "names are escaped"
    );

    let mut officer = Browser::new().await;
    officer.sign_in_staff("officer@qiaoyi.example").await;
    assert_eq!(
        officer.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(officer.get("/audit").await.status, StatusCode::FORBIDDEN);
    let mut anonymous = Browser::new().await;
    let reply = anonymous.get("/admin/users").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.location.as_deref(),
        Some("/login?next=%2Fadmin%2Fusers")
    );
}

#[tokio::test]
async fn the_auditor_reads_and_filters_the_audit_log_in_words() {
    let mut b = Browser::new().await;
    b.sign_in_staff("auditor@qiaoyi.example").await;
    let all = b.get("/audit?lang=en").await;
    assert_eq!(all.status, StatusCode::OK);
    // The demo's history in words: what was done, by whom by name, about which case by number.
    assert!(
        all.body.contains("<td>Account created</td>"),
        "{}",
        all.body
    );
    assert!(all.body.contains("<td>Sign-in</td>"));
    assert!(all.body.contains(">Case QT-"), "cases by number");
    for code in [
        "<td>account_created</td>",
        "<td>login</td>",
        ">case ",
        ">u-",
    ] {
        let at = all.body.find(code);
        assert!(
            at.is_none(),
            "{code} shown: {}",
            &all.body[at.unwrap_or(0).saturating_sub(200)..][..300]
        );
    }
    // Narrowed to one person by her e-mail address, then to one case by its number.
    let officer = b.get("/audit?actor=officer%40qiaoyi.example").await;
    assert_eq!(officer.status, StatusCode::OK);
    let rows = officer.body.matches("<tr><td>").count();
    assert!(rows > 0, "{}", officer.body);
    assert_eq!(
        officer.body.matches(">出入境民警</a>").count(),
        rows,
        "only hers"
    );
    let number = format!(
        "QT-{}",
        &all.body.split(">Case QT-").nth(1).expect("a case")[..11]
    );
    let about = b.get(&format!("/audit?subject_id={number}")).await;
    let rows = about.body.matches("<tr><td>").count();
    assert!(rows > 0, "{number}: {}", about.body);
    assert_eq!(
        about.body.matches(&format!(">Case {number}</a>")).count(),
        rows
    );
    // The lists offer words; a code they do not offer is refused at its field.
    assert!(
        all.body
            .contains("<option value=\"login\">Sign-in</option>")
    );
    let bad = b.get("/audit?action=drop_tables").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#action\""));
    let bad = b.get("/audit?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#from\""));
    let future = b.get("/audit?from=2999-01-01").await;
    assert!(future.body.contains("class=\"empty\""));
}

#[tokio::test]
async fn an_applicant_signs_up_confirms_and_signs_in() {
    let mut b = Browser::new().await;
    let page = b.get("/signup?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden_csrf(&page.body);
    let weak = b
        .post_raw(
            "/signup",
            &[
                ("csrf", &csrf),
                ("name", "Lin"),
                ("email", "lin@example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.body.contains("href=\"#password\"") && weak.body.contains("value=\"lin@example.com\"")
    );
    assert!(weak.body.contains("id=\"password-error\""));
    // Twelve characters are not enough when they are easy to guess.
    let guessable = b
        .post_raw(
            "/signup",
            &[
                ("csrf", &csrf),
                ("name", "Lin"),
                ("email", "lin@example.com"),
                ("password", "qwertyuiopasdf"),
            ],
        )
        .await;
    assert_eq!(guessable.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        guessable.body.contains("easy to guess"),
        "{}",
        guessable.body
    );
    let done = b
        .post_raw(
            "/signup",
            &[
                ("csrf", &csrf),
                ("name", "Lin"),
                ("email", "lin@example.com"),
                ("password", "a long passphrase of mine"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        done.location.as_deref(),
        Some("/signup/confirm?email=lin%40example.com")
    );
    let early = b
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", "lin@example.com"),
                ("password", "a long passphrase of mine"),
            ],
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not before confirming"
    );

    let messages = b
        .store
        .as_ref()
        .expect("own store")
        .pending_messages(100)
        .await
        .expect("outbox");
    let message = messages
        .iter()
        .find(|m| m.recipient == "lin@example.com")
        .expect("code sent");
    let code = serde_json::from_str::<serde_json::Value>(&message.params).expect("json")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let wrong = b
        .post_raw(
            "/signup/confirm",
            &[
                ("csrf", &csrf),
                ("email", "lin@example.com"),
                ("code", "999999x"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let right = b
        .post_raw(
            "/signup/confirm",
            &[
                ("csrf", &csrf),
                ("email", "lin@example.com"),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(right.location.as_deref(), Some("/login?confirmed=1"));
    let login = b
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", "lin@example.com"),
                ("password", "a long passphrase of mine"),
            ],
        )
        .await;
    assert_eq!(login.location.as_deref(), Some("/account"));
}

#[tokio::test]
async fn a_read_of_my_file_shows_on_my_access_log_page() {
    let mut me = Browser::new().await;
    me.sign_in("applicant@qiaoyi.example").await;
    let form = me.get("/account/identity").await;
    let csrf = hidden_csrf(&form.body);
    let bad = me
        .post_raw(
            "/account/identity",
            &[("csrf", &csrf), ("resident_id", "123"), ("passport", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#resident_id\""));
    let saved = me
        .post_raw(
            "/account/identity",
            &[
                ("csrf", &csrf),
                ("resident_id", "11010519491231002X"),
                ("passport", "E12345678"),
            ],
        )
        .await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/account/identity?saved=true")
    );
    let shown = me.get("/account/identity").await.body;
    assert!(
        shown.contains("11**************2X") && !shown.contains("11010519491231002X"),
        "masked on the page"
    );
    let empty = me.get("/account/access-log?lang=en").await.body;
    assert!(empty.contains("Nobody else has read your file"));

    // Same router and database, another browser: the officer.
    let mut officer = me.another();
    officer.sign_in_staff("officer@qiaoyi.example").await;
    let search = officer.get("/people").await;
    assert_eq!(search.status, StatusCode::OK);
    let csrf = hidden_csrf(&search.body);
    let found = officer
        .post_raw(
            "/people",
            &[
                ("csrf", &csrf),
                ("q", "11010519491231002X"),
                ("purpose", "phone enquiry about renewal"),
            ],
        )
        .await;
    assert_eq!(found.status, StatusCode::OK);
    let link_start = found
        .body
        .find("href=\"/people/")
        .expect("a link to the file")
        + 6;
    let link = found.body[link_start..]
        .split('"')
        .next()
        .expect("href")
        .replace("&amp;", "&");
    let file = officer.get(&link).await;
    assert_eq!(file.status, StatusCode::OK, "{link}");
    assert!(file.body.contains("11010519491231002X"));
    let no_purpose = officer.get(link.split('?').next().expect("path")).await;
    assert_eq!(no_purpose.status, StatusCode::SEE_OTHER);

    // The officer opens the file twice more for the same purpose: one line, counted.
    officer.get(&link).await;
    officer.get(&link).await;
    let log = me.get("/account/access-log?lang=en").await.body;
    assert!(log.contains("phone enquiry about renewal"), "{log}");
    assert!(
        log.contains("Read your file <span class=\"count\">(3 times)</span>"),
        "{log}"
    );
    assert!(log.contains("Officer"));
    assert!(
        !log.contains("出入境民警"),
        "the staff member's name is not shown"
    );
    // The same over the API, paged; a limit out of range is a 422 problem.
    let api: serde_json::Value =
        serde_json::from_str(&me.get("/api/v1/me/access-log?limit=1").await.body).expect("json");
    assert_eq!(api["items"].as_array().map(Vec::len), Some(1), "{api}");
    assert!(api["total"].as_u64().is_some_and(|n| n >= 1));
    assert_eq!(api["items"][0]["role"], "officer");
    assert_eq!(api["items"][0]["count"], 3);
    assert_eq!(api["items"][0]["refused"], false);
    assert!(api["items"][0].get("actor").is_none());
    assert_eq!(
        me.get("/api/v1/me/access-log?limit=0").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let mut station = me.another();
    station.sign_in_staff("station.rome@qiaoyi.example").await;
    assert_eq!(station.get("/people").await.status, StatusCode::FORBIDDEN);
    let csrf = hidden_csrf(&station.get("/account").await.body);
    let refused = station
        .post_raw(
            "/people",
            &[
                ("csrf", &csrf),
                ("q", "11010519491231002X"),
                ("purpose", "just looking"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn elder_mode_follows_the_account_to_a_new_browser() {
    let mut phone = Browser::new().await;
    phone.sign_in("applicant@qiaoyi.example").await;
    assert!(!phone.get("/").await.body.contains("class=\"elder\""));
    assert!(
        phone
            .get("/?elder=1")
            .await
            .body
            .contains("class=\"elder\"")
    );

    let mut tablet = phone.another();
    tablet.sign_in("applicant@qiaoyi.example").await;
    assert!(
        tablet.get("/").await.body.contains("class=\"elder\""),
        "remembered with the account"
    );
    let mut anonymous = phone.another();
    assert!(
        !anonymous.get("/").await.body.contains("class=\"elder\""),
        "not for other people"
    );

    tablet.get("/?elder=0").await;
    let mut laptop = phone.another();
    laptop.sign_in("applicant@qiaoyi.example").await;
    assert!(!laptop.get("/").await.body.contains("class=\"elder\""));
}

#[tokio::test]
async fn five_wrong_codes_end_the_sign_in_and_say_so() {
    let mut b = Browser::new().await;
    b.sign_in("officer@qiaoyi.example").await;
    let form = b.get("/login/second-factor?lang=en").await.body;
    let csrf = hidden_csrf(&form);
    let right = totp_code(DEMO_TOTP_SECRET, b.app.now_ms()).expect("code");
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..4 {
        let reply = b
            .post_raw("/login/second-factor", &[("csrf", &csrf), ("code", wrong)])
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("not right"), "{}", reply.body);
    }
    let ended = b
        .post_raw("/login/second-factor", &[("csrf", &csrf), ("code", wrong)])
        .await;
    assert_eq!(ended.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        ended.body.contains("Too many wrong codes") && ended.body.contains("id=\"password\""),
        "the password is asked again: {}",
        ended.body
    );
    // The right code no longer helps: that sign-in is over.
    let late = b
        .post_raw("/login/second-factor", &[("csrf", &csrf), ("code", &right)])
        .await;
    assert_ne!(late.location.as_deref(), Some("/cases"));
    assert_ne!(b.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_login_form_from_elsewhere_signs_no_one_in() {
    // Login CSRF: another site's page posts its owner's credentials, so the victim's browser would
    // work in the attacker's account. Without the token of a page of ours, nothing happens.
    let mut b = Browser::new().await;
    let reply = b
        .post_raw(
            "/login",
            &[
                ("email", "applicant@qiaoyi.example"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(b.cookie("qiaoyi_session").is_none());
    assert_ne!(b.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn forms_sent_from_another_site_are_refused_even_with_the_token() {
    let mut b = Browser::new().await;
    let page = b.get("/login").await.body;
    let csrf = hidden_csrf(&page);
    let fields = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("email", "applicant@qiaoyi.example"),
        ("password", DEMO_PASSWORD),
    ])
    .expect("form");
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ] {
        let reply = b
            .send(
                axum::http::Request::post("/login")
                    .header(
                        axum::http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .header(name, value),
                axum::body::Body::from(fields.clone()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}: {value}");
    }
    // The same form from our own page goes through.
    let reply = b
        .send(
            axum::http::Request::post("/login")
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .header("sec-fetch-site", "same-origin"),
            axum::body::Body::from(fields),
        )
        .await;
    assert_eq!(reply.location.as_deref(), Some("/account"));
}

async fn change_password_on_the_page(
    b: &mut Browser,
    csrf: &str,
    current: &str,
    new: &str,
) -> common::Reply {
    b.post_raw(
        "/account/password",
        &[
            ("csrf", csrf),
            ("current_password", current),
            ("new_password", new),
        ],
    )
    .await
}

#[tokio::test]
async fn a_person_changes_her_password_on_the_page_in_her_language_and_over_the_api() {
    let mut me = Browser::new().await;
    me.sign_in("applicant@qiaoyi.example").await;
    me.get("/account?lang=it").await;
    assert!(
        me.get("/account")
            .await
            .body
            .contains("href=\"/account/password\"")
    );
    let form = me.get("/account/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Password attuale"), "{}", form.body);
    assert!(form.body.contains("autocomplete=\"new-password\""));
    let csrf = hidden_csrf(&form.body);
    let wrong = change_password_on_the_page(
        &mut me,
        &csrf,
        "not it at all",
        "violet harbour lantern 1987",
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("La password attuale non è corretta"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("id=\"current_password-error\""));
    let weak = change_password_on_the_page(&mut me, &csrf, DEMO_PASSWORD, "aaaaaaaaaaaa").await;
    assert!(weak.body.contains("facile da indovinare"), "{}", weak.body);
    assert!(weak.body.contains("id=\"new_password-error\""));
    let done =
        change_password_on_the_page(&mut me, &csrf, DEMO_PASSWORD, "violet harbour lantern 1987")
            .await;
    let to = done.location.expect("back to the account");
    assert_eq!(to, "/account?password_changed=0");
    assert!(me.get(&to).await.body.contains("La password è cambiata."));

    // Over the API, as her mother.
    let mut api = me.another();
    assert_eq!(
        api.put_json(
            "/api/v1/me/password",
            r#"{"current_password":"x","new_password":"y"}"#,
            None
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    let csrf = api.api_sign_in("mother@qiaoyi.example").await;
    let wrong = api
        .put_json(
            "/api/v1/me/password",
            r#"{"current_password":"not it at all","new_password":"violet harbour lantern 1987"}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = json(&wrong.body);
    assert_eq!(
        (wrong["field"].as_str(), wrong["reason"].as_str()),
        (Some("current_password"), Some("mismatch"))
    );
    let changed = api
        .put_json(
            "/api/v1/me/password",
            &format!(
                r#"{{"current_password":"{DEMO_PASSWORD}","new_password":"violet harbour lantern 1987"}}"#
            ),
            Some(&csrf),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(json(&changed.body)["other_sessions_ended"], 0);
}
