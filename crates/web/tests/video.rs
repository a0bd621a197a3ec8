//! Video-check slots through the pages and the API: an officer publishes a day's times, the
//! applicant books one from her case's page in her zone, the API shows it, a second booking of the
//! same time is refused, and times are given back.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json, server};

use crate::common::RENEWAL;

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

/// Reads an iCalendar file with Python's `icalendar` (scripts/test.sh installs it), as a
/// calendar program would: the event's start and end (UTC), summary, description, URL and its
/// reminder's trigger, as JSON.
fn read_with_icalendar(file: &str) -> serde_json::Value {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let script = r#"
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
[event] = [c for c in cal.walk('VEVENT')]
[alarm] = [c for c in event.walk('VALARM')]
print(json.dumps({
    'start': event.decoded('dtstart').isoformat(), 'end': event.decoded('dtend').isoformat(),
    'summary': str(event['summary']), 'description': str(event['description']),
    'url': str(event['url']), 'uid': str(event['uid']),
    'trigger': str(alarm.decoded('trigger')), 'version': str(cal['version'])}))
"#;
    // The Python on the path, else Debian's, where python3-icalendar installs it.
    let python = ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|python| {
            Command::new(python)
                .args(["-c", "import icalendar"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .expect("a Python with icalendar (install python3-icalendar; scripts/test.sh does)");
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(file.as_bytes())
        .expect("written");
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success(),
        "icalendar could not read the file (install python3-icalendar; scripts/test.sh does): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[tokio::test]
async fn a_booked_check_goes_into_her_calendar_as_icalendar_reads_it() {
    let mut officer = server().await;
    officer.sign_in_staff("officer@qiaoyi.example").await;
    let csrf = hidden_csrf(&officer.get("/video/slots").await.body);
    let day = in_ten_days();
    officer
        .post_raw(
            "/video/slots",
            &[
                ("csrf", &csrf),
                ("date", &day),
                ("times", "16:00"),
                ("minutes", "20"),
            ],
        )
        .await;
    let slot = json(&officer.get("/api/v1/video/slots").await.body)
        .as_array()
        .expect("slots")
        .iter()
        .find(|s| s["beijing"].as_str().is_some_and(|b| b.contains(&day)))
        .and_then(|s| s["id"].as_str())
        .expect("the slot published")
        .to_owned();

    let mut applicant = officer.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let id = submitted(&mut applicant, &a).await;
    let none = applicant
        .get(&format!("/api/v1/cases/{id}/video/calendar"))
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "nothing booked yet");
    let booked = applicant
        .post_json(
            &format!("/api/v1/cases/{id}/video"),
            &format!(r#"{{"slot":"{slot}","time_zone":"Europe/Rome"}}"#),
            Some(&a),
        )
        .await;
    assert!(booked.status.is_success(), "{}", booked.body);

    let page = applicant
        .get(&format!("/cases/{id}?tz=Europe/Rome&lang=it"))
        .await;
    assert!(
        page.body.contains("Aggiungilo al mio calendario"),
        "{}",
        page.body
    );
    let file = applicant
        .get(&format!("/cases/{id}/video.ics?tz=Europe/Rome&lang=it"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let event = read_with_icalendar(&file.body);
    // 16:00 in Beijing is 08:00 UTC, all year.
    assert_eq!(event["start"], format!("{day}T08:00:00+00:00"), "{event}");
    assert_eq!(event["end"], format!("{day}T08:20:00+00:00"));
    assert_eq!(event["trigger"], "-1 day, 23:30:00", "30 minutes before");
    assert!(
        event["summary"]
            .as_str()
            .is_some_and(|s| s.contains("Verifica")),
        "{event}"
    );
    let description = event["description"].as_str().expect("description");
    assert!(
        description.contains("16:00") && description.contains("Pechino"),
        "{description}"
    );
    assert!(
        event["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/video/room/{slot}")))
    );

    // The same over the API, for another system; others may not read it.
    let api = applicant
        .get(&format!(
            "/api/v1/cases/{id}/video/calendar?time_zone=Europe/Rome"
        ))
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(read_with_icalendar(&api.body)["uid"], event["uid"]);
    let mut stranger = officer.another();
    stranger.api_sign_in("mother@qiaoyi.example").await;
    let refused = stranger
        .get(&format!("/api/v1/cases/{id}/video/calendar"))
        .await;
    assert!(
        matches!(
            refused.status,
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ),
        "{}",
        refused.status
    );
}
