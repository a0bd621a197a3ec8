//! Public evaluation (好差评): a served hall visit and a closed case rated on five levels, a poor
//! rating followed up by its station's staff (or the bureau's duty leaders) to its call-back,
//! the public satisfaction rates; and the attempts of those who should not.

use axum::http::StatusCode;

use crate::common::{Browser, T0, hidden_csrf, json, summary_links};

/// Thursday 2026-05-28, 12:06 in Rome: the Rome station is open.
const ROME_OPEN: i64 = T0 + 8 * 3_600_000;
const ROME: &str = "station.rome@qiaoyi.example";

/// A number taken on her phone and served at window 1; its secret.
async fn served_visit(visitor: &mut Browser) -> String {
    let taken = visitor
        .post_json(
            "/api/v1/halls/IT-ROM/numbers",
            r#"{"group":"exit-entry"}"#,
            None,
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let taken = json(&taken.body);
    let mut staff = visitor.another();
    let csrf = staff.api_sign_in(ROME).await;
    let called = staff
        .post_json(
            "/api/v1/halls/IT-ROM/calls",
            r#"{"window":"1","groups":["exit-entry"]}"#,
            Some(&csrf),
        )
        .await;
    let id = json(&called.body)["id"]
        .as_str()
        .expect("called")
        .to_owned();
    let served = staff
        .post_json(
            &format!("/api/v1/halls/IT-ROM/numbers/{id}/moves"),
            r#"{"do":"served"}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);
    taken["follow"].as_str().expect("secret").to_owned()
}

#[tokio::test]
async fn a_poor_rating_of_a_hall_visit_is_followed_up_to_its_call_back() {
    let mut visitor = Browser::starting_at(ROME_OPEN).await;
    // Not yet served: nothing to rate.
    let waiting = json(
        &visitor
            .post_json(
                "/api/v1/halls/IT-ROM/numbers",
                r#"{"group":"household"}"#,
                None,
            )
            .await
            .body,
    );
    let early = visitor
        .post_json(
            &format!(
                "/api/v1/hall/numbers/{}/evaluation",
                waiting["follow"].as_str().expect("secret")
            ),
            r#"{"level":"satisfied"}"#,
            None,
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&early.body)["reason"], "wrong-state");

    let secret = served_visit(&mut visitor).await;
    let rate = format!("/api/v1/hall/numbers/{secret}/evaluation");
    for bad in [
        r#"{"level":"great"}"#,
        r#"{"level":"fair","reasons":["bribe"]}"#,
        r#"{"level":"fair","reasons":["fast","fast"]}"#,
    ] {
        let r = visitor.post_json(&rate, bad, None).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    let long = format!(r#"{{"level":"fair","comment":"{}"}}"#, "字".repeat(1001));
    let r = visitor.post_json(&rate, &long, None).await;
    assert_eq!(json(&r.body)["field"], "comment");
    let guessed = visitor
        .post_json(
            "/api/v1/hall/numbers/0123456789abcdef0123456789abcdef/evaluation",
            r#"{"level":"satisfied"}"#,
            None,
        )
        .await;
    assert_eq!(guessed.status, StatusCode::NOT_FOUND);

    let given = visitor
        .post_json(
            &rate,
            r#"{"level":"very-dissatisfied","reasons":["waited-long","not-solved"],"comment":"等了两个小时还没办成"}"#,
            None,
        )
        .await;
    assert_eq!(given.status, StatusCode::CREATED, "{}", given.body);
    let given = json(&given.body);
    assert_eq!(given["station"], "IT-ROM");
    assert_eq!(given["service"], "exit-entry");
    // Rated on Thursday 2026-05-28 (Beijing): the 15th working day after is Thursday 18 June,
    // the day before the Dragon Boat Festival.
    assert_eq!(given["follow_up"]["due_on"], "2026-06-18");
    assert_eq!(given["follow_up"]["provisional"], false);
    let again = visitor
        .post_json(&rate, r#"{"level":"satisfied"}"#, None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "rated once");
    let id = given["id"].as_str().expect("id").to_owned();

    // Another station's staff neither see nor close it; an applicant may not look.
    let mut madrid = visitor.another();
    let csrf = madrid.api_sign_in("station.madrid@qiaoyi.example").await;
    let theirs = json(&madrid.get("/api/v1/evaluations/follow-ups").await.body);
    assert_eq!(theirs, serde_json::json!([]));
    let refused = madrid
        .post_json(
            &format!("/api/v1/evaluations/{id}/call-back"),
            r#"{"note":"I called her and explained everything."}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut applicant = visitor.another();
    applicant.api_sign_in("applicant@qiaoyi.example").await;
    assert_eq!(
        applicant.get("/api/v1/evaluations/follow-ups").await.status,
        StatusCode::FORBIDDEN
    );

    // Rome's staff see it on their board and call her back (a new code from the authenticator:
    // each is taken once).
    visitor.app.clock().advance(30_000);
    let mut rome = visitor.another();
    rome.sign_in_staff(ROME).await;
    let board = rome.get("/evaluations?lang=en").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(
        board.body.contains("等了两个小时还没办成"),
        "{}",
        board.body
    );
    assert!(board.body.contains("Very dissatisfied"));
    let csrf = hidden_csrf(&board.body);
    let short = rome
        .post_raw(
            &format!("/evaluations/{id}/call-back?lang=en"),
            &[("csrf", &csrf), ("note", "ok")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&short.body), ["note"]);
    let closed = rome
        .post_raw(
            &format!("/evaluations/{id}/call-back"),
            &[
                ("csrf", &csrf),
                (
                    "note",
                    "已电话回访：护照材料缺照片，已约定周五来补，当面致歉。",
                ),
            ],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let twice = rome
        .post_raw(
            &format!("/evaluations/{id}/call-back"),
            &[("csrf", &csrf), ("note", "第二次回访记录，不应被接受。")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The bureau's duty leader sees every follow-up, this one closed with its note.
    let mut duty = visitor.another();
    duty.api_sign_in("duty@qiaoyi.example").await;
    let all = json(&duty.get("/api/v1/evaluations/follow-ups").await.body);
    assert_eq!(all[0]["id"], id.as_str());
    assert!(all[0]["follow_up"]["closed_at"].is_i64());
    assert!(
        all[0]["follow_up"]["note"]
            .as_str()
            .is_some_and(|n| n.contains("约定周五来补"))
    );

    // The public figures: one rating, poor, no name anywhere.
    let figures = json(&visitor.get("/api/v1/satisfaction").await.body);
    assert_eq!(figures["all"]["total"], 1);
    assert_eq!(figures["all"]["very_dissatisfied"], 1);
    assert_eq!(figures["all"]["satisfaction_permille"], 0);
    assert_eq!(figures["by_station"][0]["key"], "IT-ROM");
    let page = visitor.get("/satisfaction?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Rome overseas service station"));
    assert!(page.body.contains("0.0%"));
    assert!(!page.body.contains("等了两个小时"));

    // The audit log has the rating and the call-back.
    let mut auditor = visitor.another();
    auditor.sign_in_staff("auditor@qiaoyi.example").await;
    let log = auditor.get("/audit?action=follow_up_closed&lang=en").await;
    assert!(log.body.contains("Poor rating called back"), "{}", log.body);
}

#[tokio::test]
async fn her_number_page_offers_the_rating_once_served_and_thanks_her_after() {
    let mut visitor = Browser::starting_at(ROME_OPEN).await;
    let secret = served_visit(&mut visitor).await;
    let page = visitor
        .get(&format!("/hall/numbers/{secret}?lang=it"))
        .await;
    assert!(
        page.body.contains("Valuti questo servizio"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(" checked"), "nothing chosen for her");
    let csrf = hidden_csrf(&page.body);
    let refused = visitor
        .post_raw(
            &format!("/hall/numbers/{secret}/evaluation?lang=it"),
            &[("csrf", &csrf), ("comment", "bene")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&refused.body), ["level"]);
    assert!(refused.body.contains("bene"), "what she typed comes back");
    let rated = visitor
        .post_raw(
            &format!("/hall/numbers/{secret}/evaluation"),
            &[
                ("csrf", &csrf),
                ("level", "very-satisfied"),
                ("reasons", "fast"),
                ("reasons", "friendly"),
            ],
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    let after = visitor
        .get(&format!("/hall/numbers/{secret}?lang=it"))
        .await;
    assert!(after.body.contains("Molto soddisfatto"), "{}", after.body);
    assert!(!after.body.contains("name=\"level\""));
    let figures = json(&visitor.get("/api/v1/satisfaction").await.body);
    assert_eq!(figures["all"]["satisfaction_permille"], 1000);
}

#[tokio::test]
async fn she_rates_her_own_closed_case_and_nobody_else_can() {
    let mut applicant = Browser::new().await;
    let csrf = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let cases = json(&applicant.get("/api/v1/cases?limit=100").await.body);
    let items = cases["items"].as_array().expect("cases");
    // Her certificate, ready: the officer delivers it and closes the case.
    let ready = items
        .iter()
        .find(|c| c["state"] == "ready")
        .unwrap_or_else(|| panic!("a ready case of hers: {cases}"));
    let closed = ready["id"].as_str().expect("id").to_owned();
    let mut officer = applicant.another();
    let officer_csrf = officer.api_sign_in("officer@qiaoyi.example").await;
    let mut version = ready["version"].as_i64().expect("version");
    for step in ["deliver", "close"] {
        let r = officer.step(&closed, step, version, &officer_csrf).await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.body);
        version = json(&r.body)["version"].as_i64().expect("version");
    }
    let open = items
        .iter()
        .find(|c| c["state"] == "submitted")
        .expect("a case under way")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let not_yet = applicant
        .post_json(
            &format!("/api/v1/cases/{open}/evaluation"),
            r#"{"level":"satisfied"}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(not_yet.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&not_yet.body)["field"], "case");

    // Not hers: a station clerk and another applicant find nothing to rate.
    let mut clerk = applicant.another();
    let clerk_csrf = clerk.api_sign_in(ROME).await;
    let theirs = clerk
        .post_json(
            &format!("/api/v1/cases/{closed}/evaluation"),
            r#"{"level":"very-satisfied"}"#,
            Some(&clerk_csrf),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let mut anonymous = applicant.another();
    let nobody = anonymous
        .post_json(
            &format!("/api/v1/cases/{closed}/evaluation"),
            r#"{"level":"very-satisfied"}"#,
            None,
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);

    // Her case page offers the form; she rates it fairly satisfied: no follow-up.
    applicant.sign_in("applicant@qiaoyi.example").await;
    let page = applicant.get(&format!("/cases/{closed}?lang=en")).await;
    assert!(page.body.contains("Rate this service"), "{}", page.body);
    let page_csrf = hidden_csrf(&page.body);
    let rated = applicant
        .post_raw(
            &format!("/cases/{closed}/evaluation"),
            &[
                ("csrf", &page_csrf),
                ("level", "fair"),
                ("reasons", "repeated-trips"),
            ],
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    let after = applicant.get(&format!("/cases/{closed}?lang=en")).await;
    assert!(
        after.body.contains("You rated this: Fairly satisfied"),
        "{}",
        after.body
    );
    let mut duty = applicant.another();
    duty.api_sign_in("duty@qiaoyi.example").await;
    assert_eq!(
        json(&duty.get("/api/v1/evaluations/follow-ups").await.body),
        serde_json::json!([])
    );
    let figures = json(&applicant.get("/api/v1/satisfaction").await.body);
    assert_eq!(figures["all"]["fair"], 1);
    assert_eq!(figures["by_service"][0]["key"], "certificates");
}
