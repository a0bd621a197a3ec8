//! Mandates (代办) through the API and the pages: asking, confirming from the principal's account or
//! with her code, filing for her under the mandate, refusals with their reason as problem JSON and
//! as localized messages, and who may see a mandate.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, json};

fn body(principal: &str, items: &str, from: &str, to: &str) -> String {
    format!(
        r#"{{"principal_email":"{principal}","relation":"parent","items":{items},"valid_from":"{from}","valid_to":"{to}","evidence":"公证委托书 第 0815 号"}}"#
    )
}

fn today() -> jiff::civil::Date {
    jiff::Timestamp::from_millisecond(common::T0)
        .expect("instant")
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").expect("zone"))
        .date()
}

fn days(n: i64) -> String {
    today()
        .checked_add(jiff::Span::new().days(n))
        .expect("date")
        .to_string()
}

const RENEWAL_FOR_MOTHER: &str = r#""item":"EE-01","person_name":"陈秀英","person_name_latin":"CHEN XIUYING","birth_date":"1941-02-03","relation":"self","delivery":"courier""#;

#[tokio::test]
async fn api_a_mandate_is_asked_confirmed_used_and_revoked() {
    let mut daughter = Browser::new().await;
    let mut mother = daughter.another();
    let mut consultant = daughter.another();
    let mut madrid = daughter.another();
    let mut anonymous = daughter.another();
    let d = daughter.api_sign_in("applicant@qiaoyi.example").await;
    let m = mother.api_sign_in("mother@qiaoyi.example").await;
    let c = consultant.api_sign_in("consultant@qiaoyi.example").await;
    let mut officer = daughter.another();
    let o = officer.api_sign_in("officer@qiaoyi.example").await;
    madrid.api_sign_in("station.madrid@qiaoyi.example").await;

    // Bad input: problem JSON naming the field; nothing written.
    let (from, to) = (days(0), days(30));
    let bad = [
        (
            body("applicant@qiaoyi.example", r#"["EE-01"]"#, &from, &to),
            "principal_email",
        ),
        (
            body("nobody@example.org", r#"["EE-01"]"#, &from, &to),
            "principal_email",
        ),
        (body("mother@qiaoyi.example", "[]", &from, &to), "items"),
        (
            body("mother@qiaoyi.example", r#"["<script>"]"#, &from, &to),
            "items",
        ),
        (
            body("mother@qiaoyi.example", r#"["EE-01"]"#, &days(-1), &to),
            "valid_from",
        ),
        (
            body("mother@qiaoyi.example", r#"["EE-01"]"#, &from, &days(-3)),
            "valid_to",
        ),
        (
            body("mother@qiaoyi.example", r#"["EE-01"]"#, &from, &days(800)),
            "valid_to",
        ),
        (
            body("mother@qiaoyi.example", r#"["EE-01"]"#, "yesterday", &to),
            "valid_from",
        ),
    ];
    for (json_body, field) in &bad {
        let r = daughter
            .post_json("/api/v1/mandates", json_body, Some(&d))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{json_body}: {}",
            r.body
        );
        assert_eq!(json(&r.body)["field"], *field, "{json_body}");
    }
    let malformed = daughter.post_json("/api/v1/mandates", "{", Some(&d)).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let listed = json(&daughter.get("/api/v1/mandates").await.body);
    assert_eq!(listed["total"], 1, "only the demo's mandate: {listed}");
    assert_eq!(
        anonymous.get("/api/v1/mandates").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The daughter asks; it is pending, and the mother confirms it from her account.
    let asked = daughter
        .post_json(
            "/api/v1/mandates",
            &body("mother@qiaoyi.example", r#"["EE-01"]"#, &from, &to),
            Some(&d),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let asked = json(&asked.body);
    let id = asked["id"].as_str().expect("id").to_owned();
    assert_eq!(asked["state"], "pending");
    assert_eq!(asked["refusal"], "not-confirmed");
    let open = format!(r#"{{{RENEWAL_FOR_MOTHER},"mandate":"{id}"}}"#);
    let early = daughter.post_json("/api/v1/cases", &open, Some(&d)).await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    assert_eq!(json(&early.body)["type"], "/problems/mandate-refused");
    assert_eq!(json(&early.body)["part"], "not-confirmed");
    let mine = json(&mother.get("/api/v1/mandates").await.body);
    assert!(
        mine["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|x| x["id"] == id.as_str())
    );
    let confirmed = mother
        .post_json(&format!("/api/v1/mandates/{id}/confirm"), "{}", Some(&m))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(json(&confirmed.body)["confirmed_how"], "account");
    assert_eq!(json(&confirmed.body)["usable_today"], true);

    // Under it, the daughter files for her mother; the case is the mother's.
    let filed = daughter.post_json("/api/v1/cases", &open, Some(&d)).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let case = json(&filed.body);
    assert_eq!(case["mandate_id"], id.as_str());
    let case_id = case["id"].as_str().expect("id");
    assert_eq!(
        mother.get(&format!("/api/v1/cases/{case_id}")).await.status,
        StatusCode::OK
    );
    // Another service, or another agent: refused with the reason.
    let other_item = format!(
        r#"{{"item":"EC-01","person_name":"陈秀英","birth_date":"1941-02-03","relation":"self","delivery":"window","mandate":"{id}"}}"#
    );
    let r = daughter
        .post_json("/api/v1/cases", &other_item, Some(&d))
        .await;
    assert_eq!(json(&r.body)["part"], "out-of-scope", "{}", r.body);
    let r = consultant.post_json("/api/v1/cases", &open, Some(&c)).await;
    assert_eq!(json(&r.body)["part"], "not-agent", "{}", r.body);
    // A station that is no party to it does not see it.
    assert_eq!(
        madrid.get(&format!("/api/v1/mandates/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let detail = json(&daughter.get(&format!("/api/v1/mandates/{id}")).await.body);
    assert_eq!(detail["cases"][0]["id"], case_id);

    // The daughter pays the fee of a sent case for her under the mandate (代缴): a consultant may not
    // record it on a case she neither filed nor holds a mandate for; the officer does.
    let sent = daughter.draft_with_materials(&d, &open, "EE-01").await;
    let r = daughter
        .post_json(
            &format!("/api/v1/cases/{sent}/steps"),
            r#"{"step":"submit","version":1}"#,
            Some(&d),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pay = format!(
        r#"{{"kind":"payment","amount_fen":2000,"method":"cash_window","mandate":"{id}"}}"#
    );
    let refused = consultant
        .post_json(&format!("/api/v1/cases/{sent}/fees"), &pay, Some(&c))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let paid = officer
        .post_json(&format!("/api/v1/cases/{sent}/fees"), &pay, Some(&o))
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    assert_eq!(json(&paid.body)["mandate_id"], id.as_str());
    assert_eq!(json(&paid.body)["on_behalf"], true);
    let statement = json(&mother.get(&format!("/api/v1/cases/{sent}/fees")).await.body);
    assert_eq!(statement["paid_fen"], 2000, "{statement}");
    let detail = json(&daughter.get(&format!("/api/v1/mandates/{id}")).await.body);
    assert_eq!(detail["payments"][0]["amount_fen"], 2000);
    // Its receipt says who paid for her, under which mandate.
    let entry = json(&paid.body)["id"].as_str().expect("entry").to_owned();
    let receipt = mother.get(&format!("/receipts/{entry}?lang=en")).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(
        receipt.body.contains(&format!("under mandate {id}")),
        "{}",
        receipt.body
    );

    // Revoked with a reason, it allows nothing more.
    let revoke = format!("/api/v1/mandates/{id}/revoke");
    let r = mother
        .post_json(&revoke, r#"{"reason":""}"#, Some(&m))
        .await;
    assert_eq!(json(&r.body)["field"], "reason", "{}", r.body);
    let r = mother
        .post_json(&revoke, r#"{"reason":"I am back home"}"#, Some(&m))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json(&r.body)["state"], "revoked");
    let r = daughter.post_json("/api/v1/cases", &open, Some(&d)).await;
    assert_eq!(json(&r.body)["part"], "revoked", "{}", r.body);
}

#[tokio::test]
async fn pages_an_agent_asks_confirms_with_the_code_and_applies_for_her_mother() {
    let mut daughter = Browser::new().await;
    let mut mother = daughter.another();
    let mut madrid = daughter.another();
    daughter.sign_in("applicant@qiaoyi.example").await;
    mother.sign_in("mother@qiaoyi.example").await;
    madrid.sign_in_staff("station.madrid@qiaoyi.example").await;

    // Her list shows the demo's mandate from her mother; the account page links to it.
    assert!(
        daughter
            .get("/account")
            .await
            .body
            .contains("/account/mandates")
    );
    let list = daughter.get("/account/mandates").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("陈秀英"), "{}", list.body);

    // A request without services is refused beside the field, in her language.
    let form = daughter.get("/account/mandates/new?lang=en").await;
    assert_eq!(form.status, StatusCode::OK);
    let (from, to) = (days(0), days(60));
    let refused = daughter
        .post_form(
            "/account/mandates?lang=en",
            &[
                ("principal_email", "mother@qiaoyi.example"),
                ("relation", "parent"),
                ("valid_from", &from),
                ("valid_to", &to),
                ("evidence", "power of attorney 0815"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Choose at least one service from the list."),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("power of attorney 0815"),
        "kept what she typed"
    );

    // Two services ticked; then the code her mother was sent confirms it.
    let asked = daughter
        .post_form(
            "/account/mandates",
            &[
                ("principal_email", "mother@qiaoyi.example"),
                ("relation", "parent"),
                ("items", "EE-01"),
                ("items", "EC-01"),
                ("valid_from", &from),
                ("valid_to", &to),
                ("evidence", "power of attorney 0815"),
            ],
        )
        .await;
    let page = asked.location.expect("to the mandate");
    assert!(page.starts_with("/account/mandates/m-"), "{page}");
    let store = daughter.store.as_ref().expect("store");
    let messages = store.store.pending_messages(1000).await.expect("outbox");
    let sent = messages
        .iter()
        .rev()
        .find(|m| m.template == "mandate-requested" && m.params.contains(&page))
        .expect("sent to her mother");
    let code = json(&sent.params)["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = daughter
        .post_form(&format!("{page}/confirm?lang=en"), &[("code", wrong)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("This is not the code she was sent."),
        "{}",
        r.body
    );
    // The mother sees the request with its button; a station that is no party does not.
    let seen = mother.get(&page).await;
    assert!(
        seen.body.contains(&format!("{page}/confirm")),
        "{}",
        seen.body
    );
    assert_eq!(madrid.get(&page).await.status, StatusCode::NOT_FOUND);
    let r = daughter
        .post_form(&format!("{page}/confirm"), &[("code", &code)])
        .await;
    assert_eq!(r.location.as_deref(), Some(page.as_str()));

    // Now she applies for her mother from the mandate's page.
    let id = page.trim_start_matches("/account/mandates/");
    let shown = daughter.get(&page).await.body;
    let apply = format!("/apply/EE-01?mandate={id}");
    assert!(shown.contains(&apply.replace('&', "&amp;")), "{shown}");
    let form = daughter.get(&apply).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("mother@qiaoyi.example"), "{}", form.body);
    let opened = daughter
        .post_form(
            "/apply/EE-01",
            &[
                ("mandate", id),
                ("relation", "self"),
                ("person_name", "陈秀英"),
                ("person_name_latin", "CHEN XIUYING"),
                ("birth_date", "1941-02-03"),
                ("delivery", "courier"),
            ],
        )
        .await;
    let case = opened.location.expect("to the case");
    let case_page = mother.get(&case).await;
    assert_eq!(case_page.status, StatusCode::OK, "the case is the mother's");
    assert!(case_page.body.contains(&page), "links its mandate");

    // Outside its services, the form says why in her language.
    let r = daughter
        .post_form(
            "/apply/EE-02?lang=en",
            &[
                ("mandate", id),
                ("relation", "self"),
                ("person_name", "陈秀英"),
                ("birth_date", "1941-02-03"),
                ("delivery", "courier"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("does not cover this service"), "{}", r.body);
}

#[tokio::test]
async fn documents_are_added_to_a_mandate_on_its_page_and_over_the_api() {
    let mut daughter = Browser::new().await;
    let mut mother = daughter.another();
    let mut madrid = daughter.another();
    daughter.sign_in("applicant@qiaoyi.example").await;
    let m = mother.api_sign_in("mother@qiaoyi.example").await;
    madrid.api_sign_in("station.madrid@qiaoyi.example").await;
    let list = json(&daughter.get("/api/v1/mandates").await.body);
    let id = list["items"][0]["id"].as_str().expect("id").to_owned();

    // On the page: the form's file, then its link; a wrong kind gets the message in her language.
    let page = daughter
        .get(&format!("/account/mandates/{id}?lang=en"))
        .await;
    assert!(page.body.contains("No documents yet"));
    let csrf = common::hidden_csrf(&page.body);
    let wrong = daughter
        .post_file_form(
            &format!("/account/mandates/{id}/documents?csrf={csrf}&lang=en"),
            "notes.txt",
            b"hello",
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .body
            .contains("Only PDF, JPEG and PNG files are accepted")
    );
    let sent = daughter
        .post_file_form(
            &format!("/account/mandates/{id}/documents?csrf={csrf}"),
            "power-of-attorney.pdf",
            common::PDF,
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = daughter.get(&format!("/account/mandates/{id}")).await;
    let marker = format!("/account/mandates/{id}/documents/");
    let start = page.body.find(&marker).expect("a document link");
    let end = page.body[start..].find('"').expect("end") + start;
    let link = page.body[start..end].to_owned();
    let download = mother.get(&link).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, common::PDF);
    assert!(download.content_type.starts_with("application/pdf"));

    // Over the API: the mother adds one; both are listed; a station that is not a party learns
    // nothing.
    let added = mother
        .upload_raw(
            &format!("/api/v1/mandates/{id}/documents?name=id-page.png"),
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            &m,
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let detail = json(&mother.get(&format!("/api/v1/mandates/{id}")).await.body);
    assert_eq!(detail["documents"].as_array().map(Vec::len), Some(2));
    let doc = detail["documents"][1]["id"]
        .as_str()
        .expect("doc")
        .to_owned();
    assert_eq!(
        madrid
            .get(&format!("/api/v1/mandates/{id}/documents/{doc}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_request_whose_code_is_guessed_lapses_on_the_api_and_the_pages_say_so() {
    let mut daughter = Browser::new().await;
    let mut mother = daughter.another();
    let d = daughter.api_sign_in("applicant@qiaoyi.example").await;
    mother.sign_in("mother@qiaoyi.example").await;
    let (from, to) = (days(0), days(30));
    let asked = daughter
        .post_json(
            "/api/v1/mandates",
            &body("mother@qiaoyi.example", r#"["EE-01"]"#, &from, &to),
            Some(&d),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let id = json(&asked.body)["id"].as_str().expect("id").to_owned();
    let store = daughter.store.as_ref().expect("store").store.clone();
    let sent = || async {
        store
            .pending_messages(1000)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|m| m.template == "mandate-requested" && m.params.contains(&id))
            .map(|m| json(&m.params)["code"].as_str().expect("code").to_owned())
            .collect::<Vec<_>>()
    };

    // Fifteen wrong codes over the API: a new code after each five, then the request is cancelled.
    let mut last = serde_json::Value::Null;
    for _ in 0..15 {
        let codes = sent().await;
        let guess = (0..10)
            .map(|n| format!("{n}{n}{n}{n}{n}{n}"))
            .find(|g| !codes.contains(g))
            .expect("a wrong guess");
        let r = daughter
            .post_json(
                &format!("/api/v1/mandates/{id}/confirm"),
                &format!(r#"{{"code":"{guess}"}}"#),
                Some(&d),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        last = json(&r.body);
    }
    assert_eq!(last["reason"], "lapsed", "{last}");
    assert_eq!(sent().await.len(), 3, "three codes in all");
    let read = json(&daughter.get(&format!("/api/v1/mandates/{id}")).await.body)["mandate"].clone();
    assert_eq!(read["state"], "revoked");
    assert_eq!(read["lapsed"], true);
    assert_eq!(read["revoke_reason"], "");

    // Her mother's page says, in her language, why it was cancelled; the form to confirm is gone.
    let page = mother.get(&format!("/account/mandates/{id}?lang=it")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Annullata: il codice di conferma"),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains(&format!("/account/mandates/{id}/confirm"))
    );
    // The agent's form gives the localized refusal too, not the English message.
    let again = daughter
        .post_form(
            &format!("/account/mandates/{id}/confirm?lang=es"),
            &[("code", "123456")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!again.body.contains("too many times"), "{}", again.body);
}
