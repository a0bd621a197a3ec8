//! Video-check slots through the pages and the API: an officer publishes a day's times, the
//! applicant books one from her case's page in her zone, the API shows it, a second booking of the
//! same time is refused, and times are given back.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json, server};

const RENEWAL: &str = r#"{"item":"EE-01","person_name":"季美华","person_name_latin":"JI MEIHUA","birth_date":"1950-04-02","relation":"self","delivery":"courier"}"#;

/// A day ten days from now in Beijing, `YYYY-MM-DD`.
fn in_ten_days() -> String {
    qiaoyi_app::cases::beijing_today(common::T0)
        .checked_add(jiff::Span::new().days(10))
        .expect("date")
        .to_string()
}

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

#[tokio::test]
async fn an_officer_publishes_and_the_applicant_books_on_her_case_page() {
    let mut officer = server().await;
    officer.sign_in_staff("officer@qiaoyi.example").await;
    assert!(officer.get("/account").await.body.contains("/video/slots"));
    let page = officer.get("/video/slots?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    // The demo's own certificate was checked by video when it was seeded, a moment ago.
    assert!(page.body.contains("Booked"), "{}", page.body);
    let csrf = hidden_csrf(&page.body);
    let day = in_ten_days();
    let bad = officer
        .post_raw(
            "/video/slots?lang=en",
            &[
                ("csrf", &csrf),
                ("date", &day),
                ("times", "9am"),
                ("minutes", "20"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#times\""), "{}", bad.body);
    assert!(bad.body.contains("9am"), "what was typed is kept");
    let done = officer
        .post_raw(
            "/video/slots",
            &[
                ("csrf", &csrf),
                ("date", &day),
                ("times", "16:00 16:30"),
                ("minutes", "20"),
            ],
        )
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/video/slots"),
        "{}",
        done.body
    );
    let list = officer.get("/video/slots?lang=en").await;
    assert!(
        list.body.contains(&format!("{day} 16:00 CST")),
        "{}",
        list.body
    );

    let mut applicant = officer.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let id = submitted(&mut applicant, &a).await;
    let page = applicant
        .get(&format!("/cases/{id}?tz=America/New_York&lang=en"))
        .await;
    assert!(page.body.contains("Book this time"), "{}", page.body);
    assert!(page.body.contains("Beijing time"));
    assert!(page.body.contains("ET") || page.body.contains("EST") || page.body.contains("EDT"));
    let slot = page
        .body
        .split("name=\"slot\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an open slot")
        .to_owned();
    assert!(
        !page.body.contains("checked>"),
        "no time is chosen for her: tapping the button books nothing unasked"
    );
    let csrf = hidden_csrf(&page.body);
    let unchosen = applicant
        .post_raw(
            &format!("/cases/{id}/video"),
            &[("csrf", &csrf), ("time_zone", "America/New_York")],
        )
        .await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unchosen.body.contains("href=\"#slot\""),
        "{}",
        unchosen.body
    );
    assert!(unchosen.body.contains("Choose one of the open times."));
    let booked = applicant
        .post_raw(
            &format!("/cases/{id}/video"),
            &[
                ("csrf", &csrf),
                ("slot", &slot),
                ("time_zone", "America/New_York"),
            ],
        )
        .await;
    assert_eq!(
        booked.location.as_deref(),
        Some(format!("/cases/{id}#video").as_str())
    );
    let page = applicant.get(&format!("/cases/{id}?lang=en")).await;
    assert!(page.body.contains("Booked for"), "{}", page.body);

    // Over the API: the booking, a second one refused, another case cannot take the same time.
    let video = json(
        &applicant
            .get(&format!("/api/v1/cases/{id}/video"))
            .await
            .body,
    );
    assert_eq!(video["booked"]["id"], slot.as_str(), "{video}");
    let other = json(&officer.get("/api/v1/video/slots").await.body)
        .as_array()
        .expect("slots")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .find(|s| *s != slot)
        .expect("another slot");
    let twice = applicant
        .post_json(
            &format!("/api/v1/cases/{id}/video"),
            &format!(r#"{{"slot":"{other}"}}"#),
            Some(&a),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    let second_case = submitted(&mut applicant, &a).await;
    let taken = applicant
        .post_json(
            &format!("/api/v1/cases/{second_case}/video"),
            &format!(r#"{{"slot":"{slot}"}}"#),
            Some(&a),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    let bad = applicant
        .post_json(
            &format!("/api/v1/cases/{second_case}/video"),
            r#"{"slot":"v-nothing"}"#,
            Some(&a),
        )
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND, "{}", bad.body);
    // Someone with nothing to do with the case cannot see or book it.
    let mut madrid = applicant.another();
    let m = madrid.api_sign_in("station.madrid@qiaoyi.example").await;
    let r = madrid
        .post_json(
            &format!("/api/v1/cases/{second_case}/video"),
            &format!(r#"{{"slot":"{other}"}}"#),
            Some(&m),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = madrid
        .post_json(
            &format!("/api/v1/video/slots/{slot}/cancel"),
            "{}",
            Some(&m),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Given back, the time is open again.
    let r = applicant
        .post_json(
            &format!("/api/v1/video/slots/{slot}/cancel"),
            "{}",
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let video = json(
        &applicant
            .get(&format!("/api/v1/cases/{id}/video"))
            .await
            .body,
    );
    assert!(video["booked"].is_null());
    assert!(
        video["open"]
            .as_array()
            .expect("open")
            .iter()
            .any(|s| s["id"] == slot.as_str())
    );
    // Publishing is for officers.
    let r = applicant
        .post_json(
            "/api/v1/video/slots",
            &format!(
                r#"{{"date":"{}","times":"10:00","minutes":20}}"#,
                in_ten_days()
            ),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
