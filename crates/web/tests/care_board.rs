//! The care programme's board through the pages and the API: volunteers' profiles, the pairing
//! proposal confirmed on the page and re-pairing over the API, micro-wishes taken up and
//! fulfilled (a form sent twice is a conflict), an activity's attendance, and a parent's message
//! to the proxy parent. Bad input is answered in the reader's language on pages and as problem
//! JSON naming the field on the API; other roles get 403.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json, server};

async fn csrf_of(browser: &mut Browser, page: &str) -> String {
    hidden_csrf(&browser.get(page).await.body)
}

#[tokio::test]
async fn volunteers_are_paired_wishes_fulfilled_activities_attended_and_parents_write() {
    let mut care = server().await;
    let mut volunteer = care.another();
    let mut parent = care.another();
    let mut station = care.another();
    let c = care.api_sign_in("care@qiaoyi.example").await;
    let v = volunteer.api_sign_in("volunteer@qiaoyi.example").await;
    let pc = parent.api_sign_in("applicant@qiaoyi.example").await;
    station.api_sign_in("station.rome@qiaoyi.example").await;

    let child = json(
        &care
            .post_json(
                "/api/v1/care/children",
                r#"{"name":"季小雨","birth_date":"2017-03-09","township":"仁庄镇","guardian":"陈秀英","languages":["qingtian"],"consent_version":1,"consent_by":"季美华","consent_relation":"parent","parents":[{"email":"applicant@qiaoyi.example","country":"IT"}]}"#,
                Some(&c),
            )
            .await
            .body,
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Nobody has volunteered yet: the page says so, the API names the field.
    let board = care.get("/care/pairing?lang=en").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(
        board.body.contains("No volunteer has room"),
        "{}",
        board.body
    );
    let none = care.get("/api/v1/care/pairings/proposal").await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&none.body)["field"], "volunteers");

    // Profiles: on the page and over the API, bad input first.
    let csrf = csrf_of(&mut volunteer, "/care/volunteer?lang=en").await;
    let profile = |capacity: &'static str| {
        vec![
            ("township", "仁庄镇"),
            ("languages", "qingtian"),
            ("languages", "mandarin"),
            ("capacity", capacity),
            ("availability", "周末"),
        ]
    };
    let mut bad = vec![("csrf", csrf.as_str())];
    bad.extend(profile("0"));
    let refused = volunteer.post_raw("/care/volunteer?lang=en", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Choose from 1 to 10 children."));
    let mut good = vec![("csrf", csrf.as_str())];
    good.extend(profile("2"));
    let saved = volunteer.post_raw("/care/volunteer", &good).await;
    assert_eq!(saved.location.as_deref(), Some("/care/pairing"));
    let me = json(&volunteer.get("/api/v1/care/volunteers/me").await.body);
    assert_eq!(
        (me["capacity"].as_i64(), me["load"].as_i64()),
        (Some(2), Some(0))
    );
    let volunteer_id = me["user_id"].as_str().expect("id").to_owned();
    let bad = care
        .put_json(
            "/api/v1/care/volunteers/me",
            r#"{"township":"巴黎","languages":["qingtian"],"capacity":1}"#,
            Some(&c),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&bad.body)["field"], "township");
    let ok = care
        .put_json(
            "/api/v1/care/volunteers/me",
            r#"{"township":"鹤城街道","languages":["mandarin"],"capacity":3,"availability":"工作日晚上"}"#,
            Some(&c),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let care_id = json(&ok.body)["user_id"].as_str().expect("id").to_owned();

    // The proposal on the page: confirming with nobody chosen is refused, then as proposed.
    let board = care.get("/care/pairing?lang=en").await;
    assert!(board.body.contains("季小雨"), "{}", board.body);
    assert!(
        board
            .body
            .contains(&format!("value=\"{volunteer_id}\" selected>")),
        "the nearer volunteer who speaks her dialect is proposed: {}",
        board.body
    );
    let csrf = hidden_csrf(&board.body);
    let field = format!("volunteer_{child}");
    let refused = care
        .post_raw(
            "/care/pairing?lang=en",
            &[("csrf", &csrf), ("child", &child), (&field, "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Choose a volunteer for at least one child")
    );
    let done = care
        .post_raw(
            "/care/pairing",
            &[("csrf", &csrf), ("child", &child), (&field, &volunteer_id)],
        )
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/care/pairing"),
        "{}",
        done.body
    );
    let board = care.get("/care/pairing?lang=en").await;
    assert!(board.body.contains("Every child has a proxy parent."));
    assert!(board.body.contains("叶警官"));
    // The board names the child beside her proxy parent, on the page and over the API.
    let on_board = board.body.split("id=\"board\"").nth(1).expect("the board");
    assert!(
        on_board.contains("<span data-user-text>季小雨</span>"),
        "{on_board}"
    );
    let pairings = json(&care.get("/api/v1/care/pairings").await.body);
    assert_eq!(pairings[0]["overdue"], false);
    assert_eq!(pairings[0]["child_name"], "季小雨");
    let own = json(
        &volunteer
            .get("/api/v1/care/volunteers/me/children")
            .await
            .body,
    );
    assert_eq!(own[0]["child_id"], child.as_str());
    let own_page = volunteer.get("/care/volunteer?lang=en").await;
    assert!(own_page.body.contains("You are proxy parent to 1 child."));
    assert!(own_page.body.contains(&format!("/care/children/{child}")));

    // Re-pairing: to the same volunteer on the child's page is refused; over the API to another.
    let page = format!("/care/children/{child}");
    let body = care.get(&page).await.body;
    let csrf = hidden_csrf(&body);
    let marker = "name=\"replaces\" value=\"";
    let at = body
        .find(marker)
        .expect("the form names the pairing it replaces")
        + marker.len();
    let replaces = body[at..].split('"').next().expect("value").to_owned();
    let same = care
        .post_raw(
            &format!("{page}/pairing?lang=en"),
            &[
                ("csrf", &csrf),
                ("replaces", &replaces),
                ("volunteer", &volunteer_id),
            ],
        )
        .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(same.body.contains("already paired with this volunteer"));
    let stale = care
        .post_json(
            "/api/v1/care/pairings",
            &format!(r#"{{"pairs":[{{"child":"{child}","volunteer":"{care_id}"}}]}}"#),
            Some(&c),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::CONFLICT,
        "re-pairing names what it replaces"
    );
    let current = pairings[0]["id"].as_str().expect("id");
    let repaired = care
        .post_json(
            "/api/v1/care/pairings",
            &format!(
                r#"{{"pairs":[{{"child":"{child}","volunteer":"{care_id}","replaces":"{current}"}}]}}"#
            ),
            Some(&c),
        )
        .await;
    assert_eq!(repaired.status, StatusCode::CREATED, "{}", repaired.body);
    let record = json(
        &care
            .get(&format!("/api/v1/care/children/{child}"))
            .await
            .body,
    );
    assert_eq!(record["pairings"].as_array().map(Vec::len), Some(2));
    assert_eq!(record["pairings"][0]["volunteer_id"], care_id.as_str());
    assert!(record["pairings"][1]["ended_at"].is_i64());
    let page_body = care.get(&format!("{page}?lang=en")).await.body;
    assert!(page_body.contains("Earlier proxy parents") && page_body.contains("叶警官"));

    // Wishes: recorded on the child's page, taken up on the board, fulfilled over the API.
    let refused = care
        .post_raw(
            &format!("{page}/wishes?lang=en"),
            &[("csrf", &csrf), ("wish", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Write the wish"));
    let recorded = care
        .post_raw(
            &format!("{page}/wishes"),
            &[("csrf", &csrf), ("wish", "一套彩色绘本")],
        )
        .await;
    assert!(recorded.location.is_some(), "{}", recorded.body);
    let open = json(&care.get("/api/v1/care/wishes?state=open").await.body);
    assert_eq!(open["total"], 1);
    let wish = open["items"][0]["id"].as_str().expect("id").to_owned();
    // The wish board is the coordinators' (the volunteer was re-paired away above).
    assert_eq!(
        volunteer.get("/care/wishes").await.status,
        StatusCode::FORBIDDEN
    );
    let board = care.get("/care/wishes?lang=en").await;
    assert!(board.body.contains("一套彩色绘本"));
    let csrf_v = hidden_csrf(&board.body);
    let long = "捐".repeat(41);
    let refused = care
        .post_raw(
            &format!("/care/wishes/{wish}?lang=en"),
            &[("csrf", &csrf_v), ("to", "taken"), ("donor", &long)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("in at most 40 characters, or leave it empty")
    );
    let take = [("csrf", csrf_v.as_str()), ("to", "taken"), ("donor", "")];
    let taken = care.post_raw(&format!("/care/wishes/{wish}"), &take).await;
    assert_eq!(taken.location.as_deref(), Some("/care/wishes?state=taken"));
    let twice = care.post_raw(&format!("/care/wishes/{wish}"), &take).await;
    assert_eq!(
        twice.status,
        StatusCode::CONFLICT,
        "the same form sent twice"
    );
    let fulfilled = care
        .post_json(
            &format!("/api/v1/care/wishes/{wish}/state"),
            r#"{"to":"fulfilled","note":"六一前送到"}"#,
            Some(&c),
        )
        .await;
    assert_eq!(fulfilled.status, StatusCode::OK, "{}", fulfilled.body);
    assert_eq!(json(&fulfilled.body)["taken_by"], "警察妈妈");
    let again = care
        .post_json(
            &format!("/api/v1/care/wishes/{wish}/state"),
            r#"{"to":"fulfilled"}"#,
            Some(&c),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // An activity, and who came.
    let csrf = csrf_of(&mut care, "/care/activities").await;
    let refused = care
        .post_raw(
            "/care/activities?lang=en",
            &[("csrf", &csrf), ("theme", ""), ("date", "2026-06-01")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Write the theme"));
    let made = care
        .post_raw(
            "/care/activities",
            &[
                ("csrf", &csrf),
                ("theme", "周末读书会"),
                ("date", "2026-06-01"),
                ("township", "仁庄镇"),
                ("place", "仁庄镇文化礼堂"),
                ("organisers", "仁庄派出所"),
            ],
        )
        .await;
    let activity = made.location.clone().expect("redirect");
    let form = care.get(&format!("{activity}?lang=en")).await;
    assert!(
        form.body.contains("季小雨"),
        "the township's children are listed"
    );
    let attended = care
        .post_raw(
            &activity,
            &[
                ("csrf", &hidden_csrf(&form.body)),
                ("children", &child),
                ("volunteers", &volunteer_id),
            ],
        )
        .await;
    assert_eq!(attended.location.as_deref(), Some(activity.as_str()));
    let id = activity.trim_start_matches("/care/activities/");
    let detail = json(
        &care
            .get(&format!("/api/v1/care/activities/{id}"))
            .await
            .body,
    );
    assert_eq!(
        (
            detail["activity"]["children"].as_i64(),
            detail["activity"]["volunteers"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let refused = care
        .put_json(
            &format!("/api/v1/care/activities/{id}/attendance"),
            r#"{"children":["ch-nobody"]}"#,
            Some(&c),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&refused.body)["field"], "children");

    // The parent sees the proxy parent, the wish and the activity, and writes.
    let mine = parent.get("/account/children?lang=en").await;
    assert!(mine.body.contains("警察妈妈"), "{}", mine.body);
    assert!(mine.body.contains("一套彩色绘本") && mine.body.contains("周末读书会"));
    let csrf = hidden_csrf(&mine.body);
    let messages = format!("/account/children/{child}/messages");
    let refused = parent
        .post_raw(
            &format!("{messages}?lang=en"),
            &[("csrf", &csrf), ("message", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Write your message"));
    let sent = parent
        .post_raw(&messages, &[("csrf", &csrf), ("message", "谢谢您照顾小雨")])
        .await;
    assert!(sent.location.is_some(), "{}", sent.body);
    let api = parent
        .post_json(
            &format!("/api/v1/care/my-children/{child}/messages"),
            r#"{"message":"她最近数学有点吃力"}"#,
            Some(&pc),
        )
        .await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    assert_eq!(json(&api.body)["to"], "警察妈妈");
    let read = care.get(&format!("{page}?lang=en")).await;
    assert!(read.body.contains("谢谢您照顾小雨") && read.body.contains("她最近数学有点吃力"));

    // Other roles are refused.
    for path in [
        "/care/pairing",
        "/care/wishes",
        "/care/activities",
        "/care/volunteer",
    ] {
        assert_eq!(
            station.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for path in [
        "/api/v1/care/pairings",
        "/api/v1/care/wishes",
        "/api/v1/care/volunteers",
    ] {
        assert_eq!(
            station.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let csrf_s = json(&station.get("/api/v1/me").await.body)["csrf"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let refused = station
        .post_json(
            &format!("/api/v1/care/my-children/{child}/messages"),
            r#"{"message":"您好"}"#,
            Some(&csrf_s),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = volunteer
        .post_json(
            &format!("/api/v1/care/my-children/{child}/messages"),
            r#"{"message":"您好"}"#,
            Some(&v),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
