//! The turn of the year through the API and the pages: a renewal accepted on 28 December 2026,
//! before 2027's calendar is imported, is due on a provisional day that every view marks; the
//! administrator is warned, imports the year on her page (a file missing a statutory holiday is
//! refused, naming the day), and the deadline moves with an event in the case's timeline. Others
//! may not read or import the calendar.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, hidden_csrf, json};

/// 2026-12-28, a Monday, 10:00 in Beijing.
const DEC_28: i64 = 1_798_423_200_000;

/// A 2027 calendar shaped like a notice (not the official one): Saturday 2 January is worked.
const CALENDAR_2027: &str = include_str!("../../app/tests/fixtures/calendar/2027.toml");

use crate::common::RENEWAL;

impl Browser {
    async fn put_toml(&mut self, uri: &str, text: &str, csrf: Option<&str>) -> common::Reply {
        let mut request =
            Request::put(uri).header(header::CONTENT_TYPE, "text/plain; charset=utf-8");
        if let Some(token) = csrf {
            request = request.header("x-csrf-token", token);
        }
        self.send(request, Body::from(text.to_owned())).await
    }
}

#[tokio::test]
async fn a_provisional_deadline_is_marked_everywhere_and_moves_when_the_year_is_imported() {
    let mut applicant = Browser::starting_at(DEC_28).await;
    let mut officer = applicant.another();
    let mut admin = applicant.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let o = officer.api_sign_in("officer@qiaoyi.example").await;
    let id = applicant.draft_with_materials(&a, RENEWAL, "EE-01").await;
    let submit = applicant.step(&id, "submit", 1, &a).await;
    assert_eq!(submit.status, StatusCode::OK, "{}", submit.body);
    let accept = officer.step(&id, "accept", 2, &o).await;
    assert_eq!(accept.status, StatusCode::OK, "{}", accept.body);
    let case = json(&accept.body);
    assert_eq!(case["deadline"], "2027-01-07");
    assert_eq!(case["deadline_provisional"], true);

    // The calendar endpoint says the same of any count reaching 2027, and not of 2026's.
    let r = json(
        &officer
            .get("/api/v1/calendar/deadline?from=2026-12-28&working_days=7")
            .await
            .body,
    );
    assert_eq!(
        (r["deadline"].as_str(), r["provisional"].as_bool()),
        (Some("2027-01-07"), Some(true))
    );
    let r = json(
        &officer
            .get("/api/v1/calendar/deadline?from=2026-12-28&working_days=3")
            .await
            .body,
    );
    assert_eq!(
        (r["deadline"].as_str(), r["provisional"].as_bool()),
        (Some("2026-12-31"), Some(false))
    );

    // The case page, the queue and the item page mark it, in the reader's language.
    let page = officer.get(&format!("/cases/{id}?lang=en")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2027-01-07"), "{}", page.body);
    assert!(
        page.body.contains("tag provisional\">provisional"),
        "{}",
        page.body
    );
    assert!(page.body.contains("may still move"), "{}", page.body);
    let queue = officer.get("/cases?view=queue&lang=it").await;
    assert!(
        queue.body.contains("tag provisional\">provvisoria"),
        "{}",
        queue.body
    );
    let item = applicant.get("/items/EE-01?lang=es").await;
    assert!(
        item.body.contains("tag provisional\">provisional"),
        "{}",
        item.body
    );

    // The operator and the administrator are warned; the service stays ready.
    let ready = applicant.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    let warnings = &json(&ready.body)["warnings"];
    assert_eq!(warnings[0]["code"], "calendar-missing");
    assert_eq!(warnings[0]["year"], 2027);
    admin.sign_in_staff("admin@qiaoyi.example").await;
    let home = admin.get("/account?lang=en").await;
    assert!(
        home.body
            .contains("The official holiday calendar for 2027 has not been imported"),
        "{}",
        home.body
    );
    let other_home = officer.get("/account?lang=en").await;
    assert!(
        !other_home.body.contains("holiday calendar for 2027"),
        "only administrators"
    );
    let calendar = admin.get("/admin/calendar?lang=en").await;
    assert_eq!(calendar.status, StatusCode::OK, "{}", calendar.body);
    assert!(
        calendar.body.contains("国办发明电〔2025〕7号"),
        "2026 is official"
    );
    assert!(
        calendar.body.contains("value=\"2027\""),
        "the form offers the missing year"
    );

    // Nobody else reads or imports the calendar.
    assert_eq!(
        officer.get("/api/v1/calendar/years").await.status,
        StatusCode::FORBIDDEN
    );
    let mut stranger = applicant.another();
    assert_eq!(
        stranger.get("/api/v1/calendar/years").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = stranger
        .put_toml("/api/v1/calendar/years/2027", CALENDAR_2027, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = officer
        .put_toml("/api/v1/calendar/years/2027", CALENDAR_2027, Some(&o))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(
        applicant.get("/admin/calendar").await.status,
        StatusCode::FORBIDDEN
    );

    // Bad files are refused, naming what to change, and change nothing.
    // The administrator's page session also calls the API, with its CSRF token.
    let csrf = json(&admin.get("/api/v1/me").await.body)["csrf"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let no_eve = CALENDAR_2027.replace("from = \"2027-02-05\"", "from = \"2027-02-06\"");
    let r = admin
        .put_toml("/api/v1/calendar/years/2027", &no_eve, Some(&csrf))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(json(&r.body)["type"], "/problems/invalid-calendar");
    assert!(
        json(&r.body)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("2027-02-05")),
        "{}",
        r.body
    );
    let r = admin
        .put_toml("/api/v1/calendar/years/2028", CALENDAR_2027, Some(&csrf))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another year's file: {}",
        r.body
    );
    let r = admin
        .put_toml("/api/v1/calendar/years/twenty", CALENDAR_2027, Some(&csrf))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = admin
        .put_toml(
            "/api/v1/calendar/years/2027",
            "year = 2027\n[[holiday]\n",
            Some(&csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let form = admin.get("/admin/calendar").await.body;
    let page_csrf = hidden_csrf(&form);
    let refused = admin
        .post_raw(
            "/admin/calendar?lang=en",
            &[("csrf", &page_csrf), ("year", "2027"), ("text", &no_eve)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("nothing was imported"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("2027-02-05"), "{}", refused.body);
    let empty = admin
        .post_raw(
            "/admin/calendar?lang=en",
            &[("csrf", &page_csrf), ("year", "2027"), ("text", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let still = json(&applicant.get(&format!("/api/v1/cases/{id}")).await.body);
    assert_eq!(
        still["case"]["deadline_provisional"], true,
        "nothing changed"
    );

    // The administrator imports the year on her page: the deadline moves and the page says so.
    let done = admin
        .post_raw(
            "/admin/calendar",
            &[
                ("csrf", &page_csrf),
                ("year", "2027"),
                ("text", CALENDAR_2027),
            ],
        )
        .await;
    // The demo accepted other cases that day too: each open case reaching 2027 was recounted.
    let location = done.location.clone().unwrap_or_default();
    let counts: Vec<u64> = location
        .strip_prefix("/admin/calendar?imported=2027&recounted=")
        .unwrap_or_else(|| panic!("{location}: {}", done.body))
        .split("&moved=")
        .map(|n| n.parse().expect("a count"))
        .collect();
    assert!(
        counts[0] >= 1 && counts[1] >= 1 && counts[1] <= counts[0],
        "{location}"
    );
    let after = admin
        .get("/admin/calendar?imported=2027&recounted=1&moved=1&lang=en")
        .await;
    assert!(
        after.body.contains("The calendar of 2027 is in force."),
        "{}",
        after.body
    );
    let detail = json(&applicant.get(&format!("/api/v1/cases/{id}")).await.body);
    assert_eq!(detail["case"]["deadline"], "2027-01-06");
    assert_eq!(detail["case"]["deadline_provisional"], false);
    let last = detail["events"]
        .as_array()
        .and_then(|e| e.last())
        .expect("an event");
    assert_eq!(last["step"], "deadline_recounted");
    assert_eq!(last["note"], "2027-01-07 → 2027-01-06");
    let page = applicant.get(&format!("/cases/{id}?lang=en")).await;
    assert!(
        page.body
            .contains("Deadline recounted on the official calendar"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("tag provisional"), "{}", page.body);
    assert!(
        json(&applicant.get("/readyz").await.body)
            .get("warnings")
            .is_none()
    );

    // The same file again changes nothing; the years list it as official.
    let again = admin
        .put_toml("/api/v1/calendar/years/2027", CALENDAR_2027, Some(&csrf))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(json(&again.body)["changed"], false);
    let years = json(&admin.get("/api/v1/calendar/years").await.body);
    let y2027 = years["years"]
        .as_array()
        .and_then(|y| y.iter().find(|y| y["year"] == 2027))
        .expect("2027 listed")
        .clone();
    assert_eq!(y2027["provisional"], false);
    assert!(years["next_year_missing"].is_null());
}
