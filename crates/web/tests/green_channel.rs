//! The green channel through the pages and the API: the applicant asks on her case's page with a
//! scan, the duty leader decides on the board, the case shows its due day and heads the queue;
//! refusals over the API for bad input, the wrong people and second requests.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, PDF, hidden_csrf, json, server};

use crate::common::RENEWAL;

/// The applicant's renewal, sent to the bureau; returns its id.
async fn submitted(b: &mut Browser, csrf: &str) -> String {
    let id = b.draft_with_materials(csrf, RENEWAL, "EE-01").await;
    let r = b
        .post_json(
            &format!("/api/v1/cases/{id}/steps"),
            r#"{"step":"submit","version":1}"#,
            Some(csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

/// The request form as a browser sends it: grounds, statement and a file.
async fn post_request(
    b: &mut Browser,
    uri: &str,
    statement: &str,
    file: (&str, &[u8]),
) -> common::Reply {
    let boundary = "----qiaoyi-green";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"ground\"\r\n\r\nbereavement\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"statement\"\r\n\r\n{statement}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        file.0
    )
    .into_bytes();
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b.send(
        Request::post(uri).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        ),
        Body::from(body),
    )
    .await
}

#[tokio::test]
async fn pages_the_applicant_asks_and_the_duty_leader_approves_on_the_board() {
    let mut applicant = server().await;
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let id = submitted(&mut applicant, &a).await;
    let page = applicant.get(&format!("/cases/{id}?lang=en")).await;
    assert!(
        page.body.contains("Ask for the green channel"),
        "{}",
        page.body
    );
    let csrf = hidden_csrf(&page.body);
    let uri = format!("/cases/{id}/green-channel?csrf={csrf}&lang=en");

    // A statement too short and a file that is not a scan: messages beside the fields.
    let bad = post_request(&mut applicant, &uri, "urgent", ("x.pdf", PDF)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#statement\""), "{}", bad.body);
    let statement = "My father died in Rome; I must travel home for the funeral next week.";
    let bad = post_request(&mut applicant, &uri, statement, ("x.pdf", b"MZ")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#evidence\""), "{}", bad.body);

    let sent = post_request(&mut applicant, &uri, statement, ("death.pdf", PDF)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = applicant.get(&format!("/cases/{id}?lang=en")).await;
    assert!(page.body.contains("Waiting for a decision"));
    assert!(
        !page.body.contains("Ask for the green channel"),
        "one request at a time"
    );

    // The duty leader's board: the request, its countdown, the evidence; approving it.
    let mut leader = applicant.another();
    leader.sign_in_staff("duty@qiaoyi.example").await;
    assert!(leader.get("/account").await.body.contains("/green-channel"));
    let board = leader.get("/green-channel?lang=en").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(
        board.body.contains("min before it escalates"),
        "{}",
        board.body
    );
    assert!(board.body.contains("My father died in Rome"));
    let request_id = board
        .body
        .split("/green-channel/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a request link")
        .to_owned();
    let file = leader
        .get(&format!("/green-channel/{request_id}/evidence/1"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, PDF);
    let csrf = hidden_csrf(&board.body);
    let decision = format!("/green-channel/{request_id}/decision?lang=en");
    let bad = leader
        .post_raw(
            &decision,
            &[("csrf", &csrf), ("decision", "approve"), ("days", "40")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Grant from 1 to 10 working days."));
    let done = leader
        .post_raw(
            &decision,
            &[("csrf", &csrf), ("decision", "approve"), ("days", "2")],
        )
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/green-channel"),
        "{}",
        done.body
    );
    let board = leader.get("/green-channel?lang=en").await;
    assert!(board.body.contains("No request is waiting."));
    assert!(board.body.contains("Due by"));

    // The case shows its due day and heads the officer's queue.
    let page = applicant.get(&format!("/cases/{id}?lang=en")).await;
    assert!(page.body.contains("Due by"), "{}", page.body);
    let mut officer = applicant.another();
    officer.api_sign_in("officer@qiaoyi.example").await;
    let queue = json(&officer.get("/api/v1/cases?view=queue").await.body);
    assert_eq!(queue["items"][0]["id"], id.as_str(), "{queue}");
    let list = officer.get("/cases?view=queue&lang=en").await;
    assert!(list.body.contains("tag green"));
}

#[tokio::test]
async fn api_requests_decisions_and_refusals() {
    let mut applicant = server().await;
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let id = submitted(&mut applicant, &a).await;
    let uri = format!("/api/v1/cases/{id}/green-channel");
    let body = r#"{"ground":"illness","statement":"My mother is in hospital in Qingtian and may not live long."}"#;
    for bad in [
        r#"{"ground":"boredom","statement":"My mother is in hospital in Qingtian."}"#,
        r#"{"ground":"illness","statement":"short"}"#,
        r#"{"ground":"illness"}"#,
    ] {
        let r = applicant.post_json(&uri, bad, Some(&a)).await;
        assert!(r.status.is_client_error(), "{bad}: {}", r.body);
    }
    // Someone with nothing to do with the case learns nothing of it.
    let mut madrid = applicant.another();
    let m = madrid.api_sign_in("station.madrid@qiaoyi.example").await;
    let r = madrid.post_json(&uri, body, Some(&m)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    let made = applicant.post_json(&uri, body, Some(&a)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let request = json(&made.body);
    let request_id = request["id"].as_str().expect("id").to_owned();
    assert_eq!(request["state"], "requested");
    let twice = applicant.post_json(&uri, body, Some(&a)).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    // Evidence as a raw body: a scan is taken, anything else refused.
    let evidence = format!("/api/v1/green-channel/{request_id}/evidence?name=letter.pdf");
    let r = applicant.upload_raw(&evidence, b"not a scan", &a).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = applicant.upload_raw(&evidence, PDF, &a).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(json(&r.body)["seq"], 1);

    // The board is the duty leaders'.
    assert_eq!(
        applicant.get("/api/v1/green-channel").await.status,
        StatusCode::FORBIDDEN
    );
    let mut leader = applicant.another();
    let l = leader.api_sign_in("duty@qiaoyi.example").await;
    let board = json(&leader.get("/api/v1/green-channel").await.body);
    assert_eq!(board["waiting"][0]["request"]["id"], request_id.as_str());
    assert!(
        board["waiting"][0]["minutes_left"]
            .as_i64()
            .expect("minutes")
            > 100
    );
    let decision = format!("/api/v1/green-channel/{request_id}/decision");
    let r = leader
        .post_json(&decision, r#"{"decision":"refuse","reason":""}"#, Some(&l))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(json(&r.body)["field"], "reason");
    let r = leader
        .post_json(&decision, r#"{"decision":"maybe"}"#, Some(&l))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = leader
        .post_json(
            &decision,
            r#"{"decision":"refuse","reason":"The letter does not show the illness is serious."}"#,
            Some(&l),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json(&r.body)["state"], "refused");
    let again = leader
        .post_json(&decision, r#"{"decision":"approve"}"#, Some(&l))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    // The applicant reads the decision and her evidence.
    let seen = json(
        &applicant
            .get(&format!("/api/v1/green-channel/{request_id}"))
            .await
            .body,
    );
    assert_eq!(
        seen["reason"],
        "The letter does not show the illness is serious."
    );
    let file = applicant
        .get(&format!("/api/v1/green-channel/{request_id}/evidence/1"))
        .await;
    assert_eq!(file.bytes, PDF);
    // The statistics count it.
    let mut auditor = applicant.another();
    auditor.api_sign_in("auditor@qiaoyi.example").await;
    let stats = json(&auditor.get("/api/v1/statistics").await.body);
    assert_eq!(stats["green_channel"]["requests"], 1, "{stats}");
    assert_eq!(stats["green_channel"]["refused"], 1, "{stats}");
}
