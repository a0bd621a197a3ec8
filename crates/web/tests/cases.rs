//! Cases through the API and the pages: a case from draft to closed by the right roles, the
//! concurrent decision, deadlines on the official calendar, materials, and refusals of bad input.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, PDF, hidden_csrf, json, server};

use crate::common::RENEWAL;

/// Opens EE-01 for the applicant and uploads every required material; returns the id.
async fn draft_with_materials(b: &mut Browser, csrf: &str) -> String {
    b.draft_with_materials(csrf, RENEWAL, "EE-01").await
}

#[tokio::test]
async fn api_a_case_goes_from_draft_to_closed_and_a_stale_decision_gets_409() {
    let mut applicant = server().await;
    let mut officer = applicant.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let o = officer.api_sign_in("officer@qiaoyi.example").await;
    let id = draft_with_materials(&mut applicant, &a).await;
    let r = applicant.step(&id, "submit", 1, &a).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let number = json(&r.body)["number"].as_str().expect("number").to_owned();

    let queue = json(&officer.get("/api/v1/cases?view=queue").await.body);
    assert!(
        queue["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|c| c["id"] == id.as_str())
    );
    applicant.video_checked(&a, &mut officer, &o, &id).await;
    let mut version = 3;
    for step in ["accept", "verify_identity", "start_review"] {
        let r = officer.step(&id, step, version, &o).await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.body);
        version = json(&r.body)["version"].as_i64().expect("version");
        if step == "accept" {
            assert!(
                json(&r.body)["deadline"]
                    .as_str()
                    .is_some_and(|d| d.len() == 10)
            );
        }
    }
    // Two decisions from the same version: the second is refused with the current state.
    let first = officer.step(&id, "approve", version, &o).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = officer.step(&id, "refuse", version, &o).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    let problem = json(&second.body);
    assert_eq!(problem["current_state"], "approved");
    assert_eq!(problem["current_version"], version + 1);
    version += 1;
    for step in ["start_production", "mark_ready"] {
        let r = officer.step(&number, step, version, &o).await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.body);
        version += 1;
    }
    // Sent by courier: the parcel is named, and the applicant's code confirms the handover.
    let steps = format!("/api/v1/cases/{id}/steps");
    let untracked = officer.step(&number, "dispatch", version, &o).await;
    assert_eq!(
        untracked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        untracked.body
    );
    assert_eq!(json(&untracked.body)["field"], "carrier");
    let body = format!(
        r#"{{"step":"dispatch","version":{version},"carrier":"EMS","tracking":"EE123456789CN"}}"#
    );
    let r = officer.post_json(&steps, &body, Some(&o)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    version += 1;
    let mine = json(&applicant.get(&format!("/api/v1/cases/{id}")).await.body);
    assert_eq!(mine["handover"]["tracking"], "EE123456789CN");
    let code = mine["handover"]["code"]
        .as_str()
        .expect("her code")
        .to_owned();
    let theirs = json(&officer.get(&format!("/api/v1/cases/{id}")).await.body);
    assert!(
        theirs["handover"]["code"].is_null(),
        "the officer does not see the code"
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let body = format!(r#"{{"step":"deliver","version":{version},"code":"{wrong}"}}"#);
    let r = officer.post_json(&steps, &body, Some(&o)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(json(&r.body)["field"], "code");
    // A courier parcel is not confirmed by a signature.
    let body = format!(
        r#"{{"step":"deliver","version":{version},"signature":"10,10 200,100","signer":"季美华"}}"#
    );
    let r = officer.post_json(&steps, &body, Some(&o)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(json(&r.body)["field"], "signature");
    let body = format!(r#"{{"step":"deliver","version":{version},"code":"{code}"}}"#);
    let r = officer.post_json(&steps, &body, Some(&o)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    version += 1;
    let r = officer.step(&number, "close", version, &o).await;
    assert_eq!(r.status, StatusCode::OK, "close: {}", r.body);
    let detail = json(&applicant.get(&format!("/api/v1/cases/{id}")).await.body);
    assert_eq!(detail["case"]["state"], "closed");
    assert_eq!(
        detail["events"].as_array().expect("events").len(),
        12,
        "eleven steps and the video check"
    );
    assert_eq!(detail["steps"].as_array().expect("steps").len(), 0);
    // The file comes back only as an attachment, to those who may read the case.
    let file = detail["files"][0]["id"].as_str().expect("file").to_owned();
    let uri = format!("/api/v1/cases/{id}/files/{file}");
    let download = applicant.send(Request::get(&uri), Body::empty()).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), PDF);
    let mut madrid = applicant.another();
    madrid.api_sign_in("station.madrid@qiaoyi.example").await;
    assert_eq!(madrid.get(&uri).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        madrid.get(&format!("/api/v1/cases/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn api_bad_input_is_a_clear_4xx_and_changes_nothing() {
    let mut b = server().await;
    let csrf = b.api_sign_in("applicant@qiaoyi.example").await;
    let before = json(&b.get("/api/v1/cases").await.body)["total"].clone();
    for (body, field) in [
        (RENEWAL.replace("EE-01", "XX-99"), "item"),
        (RENEWAL.replace("1950-04-02", "1950-02-31"), "birth_date"),
        (RENEWAL.replace("\"self\"", "\"cousin\""), "relation"),
        (
            RENEWAL.replace("季美华", r"<script>alert(1)</script>季美华\u0007"),
            "person_name",
        ),
    ] {
        let r = b.post_json("/api/v1/cases", &body, Some(&csrf)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(json(&r.body)["field"], field, "{}", r.body);
    }
    let r = b
        .post_json("/api/v1/cases", "{\"item\":", Some(&csrf))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = b.post_json("/api/v1/cases", RENEWAL, None).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a call with the cookie and no token"
    );
    let mine = json(&b.get("/api/v1/cases").await.body);
    assert_eq!(mine["total"], before, "no case was opened");

    let r = b.post_json("/api/v1/cases", RENEWAL, Some(&csrf)).await;
    let id = json(&r.body)["id"].as_str().expect("id").to_owned();
    let files = format!("/api/v1/cases/{id}/materials/0/files");
    let lying = b
        .upload_raw(
            &format!("{files}?name=scan.pdf"),
            b"MZ\x90\x00binary",
            &csrf,
        )
        .await;
    assert_eq!(
        lying.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        lying.body
    );
    let png_named_pdf = b
        .upload_raw(&format!("{files}?name=scan.png"), PDF, &csrf)
        .await;
    assert_eq!(png_named_pdf.status, StatusCode::UNPROCESSABLE_ENTITY);
    let big = [PDF, &vec![0u8; 10 * 1024 * 1024 + 1]].concat();
    let oversized = b
        .upload_raw(&format!("{files}?name=big.pdf"), &big, &csrf)
        .await;
    assert!(
        matches!(
            oversized.status,
            StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        oversized.status
    );
    let no_name = b.upload_raw(&files, PDF, &csrf).await;
    assert_eq!(no_name.status, StatusCode::BAD_REQUEST);
    let forbidden = b.step(&id, "approve", 1, &csrf).await;
    assert_eq!(
        forbidden.status,
        StatusCode::FORBIDDEN,
        "{}",
        forbidden.body
    );
    let not_in_workflow = b.step(&id, "resubmit", 1, &csrf).await;
    assert_eq!(
        not_in_workflow.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        not_in_workflow.body
    );
    let early = b.step(&id, "submit", 1, &csrf).await;
    assert_eq!(json(&early.body)["field"], "materials", "{}", early.body);
    let detail = json(&b.get(&format!("/api/v1/cases/{id}")).await.body);
    assert_eq!(detail["case"]["state"], "draft");
    assert_eq!(detail["case"]["version"], 1);
    assert_eq!(detail["files"].as_array().expect("files").len(), 0);
    assert_eq!(
        b.get("/api/v1/cases/c-doesnotexist").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/api/v1/cases?view=everything").await.status,
        StatusCode::BAD_REQUEST
    );
    for (query, status) in [
        ("view=queue&category=../x", StatusCode::BAD_REQUEST),
        ("view=mine&category=traffic", StatusCode::BAD_REQUEST),
        // An applicant has no queue at all.
        ("view=queue&category=traffic", StatusCode::FORBIDDEN),
    ] {
        let r = b.get(&format!("/api/v1/cases?{query}")).await;
        assert_eq!(r.status, status, "{query}: {}", r.body);
    }
}

#[tokio::test]
async fn a_station_sees_its_cases_only_and_cannot_list_people() {
    let mut rome = server().await;
    let mut madrid = rome.another();
    let r = rome.api_sign_in("station.rome@qiaoyi.example").await;
    madrid.api_sign_in("station.madrid@qiaoyi.example").await;
    // The demo's own walk-in at Rome is there already.
    let before = json(&rome.get("/api/v1/cases?view=station").await.body)["total"]
        .as_u64()
        .expect("total");
    let walk_in = RENEWAL
        .replace("\"self\"", "\"other\"")
        .replace("courier", "station");
    let reply = rome.post_json("/api/v1/cases", &walk_in, Some(&r)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let case = json(&reply.body);
    assert_eq!(case["channel"], "station");
    assert_eq!(case["station"], "IT-ROM");
    let id = case["id"].as_str().expect("id");
    assert_eq!(
        json(&rome.get("/api/v1/cases?view=station").await.body)["total"],
        before + 1
    );
    assert_eq!(
        json(&madrid.get("/api/v1/cases?view=station").await.body)["total"],
        0
    );
    assert_eq!(
        madrid.get(&format!("/api/v1/cases/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        madrid.get(&format!("/cases/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        rome.get("/api/v1/cases?view=queue").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(rome.get("/people").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deadlines_across_spring_festival_national_day_and_adjusted_weekends() {
    let mut b = server().await;
    for (from, days, due) in [
        // Feb 14 2026 is a Saturday worked (调休); Feb 15–23 is the Spring Festival break.
        ("2026-02-12", 3, "2026-02-24"),
        // 2026 National Day Oct 1–7; Saturday Oct 10 is worked.
        ("2026-09-30", 3, "2026-10-10"),
        // 2025: Sunday Sep 28 is worked, Oct 1–8 off, Saturday Oct 11 worked.
        ("2025-09-26", 2, "2025-09-29"),
        ("2025-09-27", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),
        // Spring Festival 2025: Jan 26 (Sun) worked, Jan 28–Feb 4 off, Feb 8 (Sat) worked.
        ("2025-01-24", 1, "2025-01-26"),
        ("2025-01-27", 1, "2025-02-05"),
        ("2025-02-07", 1, "2025-02-08"),
        ("2026-03-02", 0, "2026-03-02"),
    ] {
        let r = b
            .get(&format!(
                "/api/v1/calendar/deadline?from={from}&working_days={days}"
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{from}: {}", r.body);
        assert_eq!(json(&r.body)["deadline"], due, "{from} + {days}");
    }
    let r = b
        .get("/api/v1/calendar/deadline?from=2024-06-03&working_days=1")
        .await;
    // A year without a calendar is the server's to fix: 503, as on the pages.
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(json(&r.body)["type"], "/problems/no-calendar");
    assert!(
        json(&r.body)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("2024"))
    );
    for bad in [
        "from=2026-02-31&working_days=1",
        "from=tomorrow&working_days=1",
        "from=2026-03-02&working_days=-1",
        "from=2026-03-02&working_days=1000",
        "from=2026-03-02",
    ] {
        let r = b.get(&format!("/api/v1/calendar/deadline?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
}

/// Applying on the pages for the same service and person again: the last page warns before the
/// draft is made, links her case under way and asks her to tick "apply anyway"; both cases then
/// name each other on their pages and over the API.
#[tokio::test]
async fn a_second_application_is_warned_on_the_last_page_and_both_cases_name_each_other() {
    let mut applicant = server().await;
    let csrf = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let form = applicant.get("/apply/EE-01?lang=en").await;
    let page_csrf = hidden_csrf(&form.body);
    let answers = |ok: &'static str| {
        vec![
            ("csrf", page_csrf.clone()),
            ("stage", "delivery".to_owned()),
            ("person", String::new()),
            ("relation", "parent".to_owned()),
            ("person_name", "叶知秋".to_owned()),
            ("birth_date", "1948-05-06".to_owned()),
            ("delivery", "courier".to_owned()),
            ("duplicate_ok", ok.to_owned()),
        ]
    };
    let first = applicant
        .post_raw("/apply/EE-01?lang=en", &as_refs(&answers("")))
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let first_uri = first.location.expect("the first case");
    let warned = applicant
        .post_raw("/apply/EE-01?lang=en", &as_refs(&answers("")))
        .await;
    assert_eq!(warned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::summary_links(&warned.body), ["duplicate_ok"]);
    assert!(
        warned.body.contains(&format!("href=\"{first_uri}\"")),
        "her case under way is linked: {}",
        warned.body
    );
    assert!(warned.body.contains("Apply again anyway"));
    assert!(
        warned.body.contains("value=\"叶知秋\""),
        "her answers are kept"
    );
    let second = applicant
        .post_raw("/apply/EE-01?lang=en", &as_refs(&answers("1")))
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let second_uri = second.location.expect("the second case");
    let page = applicant.get(&format!("{first_uri}?lang=en")).await.body;
    assert!(page.contains("Possible duplicate"), "{page}");
    assert!(page.contains(&format!("href=\"{second_uri}\"")));
    // The API: refused with reason `duplicate`, then `duplicate_ok`; the detail lists the others.
    let body = r#"{"item":"EE-01","person_name":"叶知秋","birth_date":"1948-05-06","relation":"parent","delivery":"courier"}"#;
    let refused = applicant
        .post_json("/api/v1/cases", body, Some(&csrf))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = json(&refused.body);
    assert_eq!(problem["reason"], "duplicate");
    assert_eq!(problem["field"], "duplicate_ok");
    let id = first_uri.trim_start_matches("/cases/");
    let detail = json(&applicant.get(&format!("/api/v1/cases/{id}")).await.body);
    let others: Vec<&str> = detail["possible_duplicates"]
        .as_array()
        .expect("possible duplicates")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(others, [second_uri.trim_start_matches("/cases/")]);
}

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A multipart form as a browser sends it for the upload field of a case page.
fn multipart(material: usize, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----qiaoyi-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"material\"\r\n\r\n{material}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn pages_apply_check_answers_upload_submit_and_the_officer_accepts() {
    let mut applicant = server().await;
    applicant.sign_in("applicant@qiaoyi.example").await;
    let item = applicant.get("/items/EE-01").await.body;
    assert!(item.contains("href=\"/apply/EE-01\""));
    let form = applicant.get("/apply/EE-01").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = hidden_csrf(&form.body);
    // A wrong date: the error summary links to the field and the name typed is kept.
    let bad = applicant
        .post_raw(
            "/apply/EE-01",
            &[
                ("csrf", &csrf),
                ("relation", "self"),
                ("person_name", "季美华"),
                ("birth_date", "1950-02-31"),
                ("delivery", "courier"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#birth_date\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"季美华\""));
    let good = applicant
        .post_raw(
            "/apply/EE-01",
            &[
                ("csrf", &csrf),
                ("relation", "self"),
                ("person_name", "季美华"),
                ("birth_date", "1950-04-02"),
                ("delivery", "courier"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let case_uri = good.location.expect("to the case");
    let page = applicant.get(&case_uri).await.body;
    assert!(page.contains("id=\"file-0\""), "the draft offers uploads");
    let in_english = applicant.get(&format!("{case_uri}?lang=en")).await.body;
    assert!(
        in_english.contains("to pay once the application is sent"),
        "a draft owes nothing yet and says when the fee is due: {in_english}"
    );
    // Submitting before the materials are there is refused with a message on the case page.
    let early = applicant
        .post_raw(
            &format!("{case_uri}/steps"),
            &[("csrf", &csrf), ("step", "submit"), ("version", "1")],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("error-summary"));
    // Uploads carry the token in the form's address; without it they are refused.
    let (content_type, body) = multipart(0, "护照.pdf", PDF);
    let no_token = applicant
        .send(
            Request::post(format!("{case_uri}/files")).header(header::CONTENT_TYPE, &content_type),
            Body::from(body.clone()),
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let (content_type, lying) = multipart(0, "scan.pdf", b"GIF89a not a pdf");
    let refused = applicant
        .send(
            Request::post(format!("{case_uri}/files?csrf={csrf}"))
                .header(header::CONTENT_TYPE, &content_type),
            Body::from(lying),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The summary's link reaches the refused material's own file box, which carries the error.
    assert_eq!(common::summary_links(&refused.body), ["file"]);
    assert!(
        refused
            .body
            .contains("id=\"file\" name=\"file\" type=\"file\""),
        "the refused material's box is #file: {}",
        refused.body
    );
    assert!(refused.body.contains("aria-describedby=\"file-error\""));
    assert!(
        refused.body.contains("id=\"file-1\""),
        "the others keep theirs"
    );
    // "Upload" without choosing a file sends an empty part: she is asked to choose one, not told
    // that its type is wrong.
    let (content_type, empty) = multipart(0, "", b"");
    let nothing = applicant
        .send(
            Request::post(format!("{case_uri}/files?csrf={csrf}&lang=en"))
                .header(header::CONTENT_TYPE, &content_type),
            Body::from(empty),
        )
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nothing.body.contains("Choose a file to upload first."),
        "{}",
        nothing.body
    );
    assert!(!nothing.body.contains("Only PDF, JPEG and PNG"));
    let item = json(&applicant.get("/api/v1/catalog/items/EE-01").await.body);
    for (i, m) in item["materials"]
        .as_array()
        .expect("materials")
        .iter()
        .enumerate()
    {
        if m["required"] == true {
            let (content_type, body) = multipart(i, "护照.pdf", PDF);
            let r = applicant
                .send(
                    Request::post(format!("{case_uri}/files?csrf={csrf}"))
                        .header(header::CONTENT_TYPE, &content_type),
                    Body::from(body),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
    }
    let submitted = applicant
        .post_raw(
            &format!("{case_uri}/steps"),
            &[("csrf", &csrf), ("step", "submit"), ("version", "1")],
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let after = submitted.location.expect("back to the case");
    assert!(after.ends_with("?sent=true"), "{after}");
    let told = applicant.get(&format!("{after}&lang=en")).await.body;
    assert!(
        told.contains("Your application was sent.") && told.contains("working days"),
        "{told}"
    );
    let mine = applicant.get("/cases").await.body;
    assert!(mine.contains(&case_uri), "my cases lists it");

    let mut officer = applicant.another();
    officer.sign_in_staff("officer@qiaoyi.example").await;
    let queue = officer.get("/cases").await.body;
    // Two categories: the queue can be narrowed to either.
    assert!(queue.contains("category=certificates") && queue.contains("category=exit-entry"));
    let certificates = officer
        .get("/cases?view=queue&category=certificates")
        .await
        .body;
    assert!(
        !certificates.contains(&case_uri),
        "a passport case is not a certificate"
    );
    assert!(queue.contains(&case_uri), "the queue lists it");
    let page = officer.get(&case_uri).await.body;
    assert!(page.contains("value=\"accept\""), "the officer may accept");
    assert!(
        !page.contains("value=\"approve\""),
        "but not approve before review"
    );
    let ocsrf = hidden_csrf(&page);
    let accepted = officer
        .post_raw(
            &format!("{case_uri}/steps"),
            &[("csrf", &ocsrf), ("step", "accept"), ("version", "2")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    // The applicant's page shows the deadline now; a stale form shows the conflict.
    assert!(applicant.get(&case_uri).await.body.contains("timeline"));
    let stale = officer
        .post_raw(
            &format!("{case_uri}/steps"),
            &[("csrf", &ocsrf), ("step", "accept"), ("version", "2")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("error-summary"));
}

const TD3: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];
const TD1: [&str; 3] = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
];

fn lines_json(lines: &[&str]) -> String {
    serde_json::json!({ "lines": lines }).to_string()
}

#[tokio::test]
async fn identity_endpoints_give_fields_or_name_the_part_that_failed() {
    let mut b = server().await;
    let r = b
        .post_json(
            "/api/v1/identity/resident-id",
            r#"{"number":"11010519491231002x"}"#,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json(&r.body);
    assert_eq!(v["number"], "11010519491231002X");
    assert_eq!(v["birth_date"], "1949-12-31");
    assert_eq!(v["sex"], "female");
    for (number, part) in [
        ("110105194912310021", "check_character"),
        ("110105194902310028", "birth_date"),
        ("11010519491231", "shape"),
        ("99010519491231002X", "region"),
    ] {
        let r = b
            .post_json(
                "/api/v1/identity/resident-id",
                &format!(r#"{{"number":"{number}"}}"#),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{number}: {}",
            r.body
        );
        assert_eq!(json(&r.body)["part"], part, "{number}: {}", r.body);
    }

    let r = b
        .post_json("/api/v1/identity/mrz", &lines_json(&TD3), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json(&r.body);
    assert_eq!(
        (
            &v["format"],
            &v["surname"],
            &v["given_names"],
            &v["document_number"]
        ),
        (
            &serde_json::json!("TD3"),
            &serde_json::json!("ERIKSSON"),
            &serde_json::json!("ANNA MARIA"),
            &serde_json::json!("L898902C3")
        )
    );
    assert_eq!(v["birth_date"], "1974-08-12");
    assert_eq!(v["expiry_date"], "2012-04-15");
    let r = b
        .post_json("/api/v1/identity/mrz", &lines_json(&TD1), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json(&r.body)["format"], "TD1");
    // One altered digit per checked field names that field's check digit.
    let altered = |line: &str, at: usize, to: char| {
        let mut chars: Vec<char> = line.chars().collect();
        chars[at] = to;
        chars.into_iter().collect::<String>()
    };
    for (second, part) in [
        (altered(TD3[1], 0, 'M'), "check_digit.document_number"),
        (altered(TD3[1], 14, '9'), "check_digit.birth_date"),
        (altered(TD3[1], 22, '6'), "check_digit.expiry_date"),
        (altered(TD3[1], 43, '1'), "check_digit.composite"),
    ] {
        let r = b
            .post_json(
                "/api/v1/identity/mrz",
                &lines_json(&[TD3[0], &second]),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{second}: {}",
            r.body
        );
        assert_eq!(json(&r.body)["part"], part, "{second}: {}", r.body);
    }
    let r = b
        .post_json("/api/v1/identity/mrz", &lines_json(&[TD3[0]]), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post_json("/api/v1/identity/mrz", r#"{"lines":"P<"}"#, None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn identity_checks_are_rate_limited_per_address() {
    let mut b = server().await;
    let mut statuses = Vec::new();
    for _ in 0..35 {
        let r = b
            .post_json(
                "/api/v1/identity/resident-id",
                r#"{"number":"11010519491231002X"}"#,
                None,
            )
            .await;
        statuses.push(r.status);
    }
    assert!(
        statuses[..30].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(statuses[34], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_station_reads_the_zone_into_the_intake_form() {
    let mut rome = server().await;
    rome.sign_in_staff("station.rome@qiaoyi.example").await;
    let before = json(&rome.get("/api/v1/cases?view=station").await.body)["total"].clone();
    let form = rome.get("/apply/EE-01").await.body;
    assert!(
        form.contains("id=\"mrz\""),
        "the station's form takes a zone"
    );
    let csrf = hidden_csrf(&form);
    let zone = format!("{}\n{}", TD3[0], TD3[1]);
    let read = rome
        .post_raw(
            "/apply/EE-01",
            &[
                ("csrf", &csrf),
                ("mrz", &zone),
                ("action", "read_mrz"),
                ("person_name", "王建国"),
            ],
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert!(
        read.body.contains("value=\"ERIKSSON ANNA MARIA\""),
        "{}",
        read.body
    );
    assert!(read.body.contains("value=\"1974-08-12\""));
    assert!(
        read.body.contains("value=\"王建国\""),
        "what was typed stays"
    );
    let bad_zone = zone.replacen("7408122", "7408132", 1);
    let refused = rome
        .post_raw(
            "/apply/EE-01",
            &[("csrf", &csrf), ("mrz", &bad_zone), ("action", "read_mrz")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#mrz\""), "{}", refused.body);
    // Nothing was opened by reading zones.
    assert_eq!(
        json(&rome.get("/api/v1/cases?view=station").await.body)["total"],
        before
    );
}

#[tokio::test]
async fn people_on_file_through_the_pages_and_the_api() {
    let mut b = server().await;
    let csrf = b.api_sign_in("applicant@qiaoyi.example").await;
    // The demo applicant keeps herself and her mother; her passport shows how long it has left.
    let list = b.get("/account/people").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("季美华") && list.body.contains("陈秀英"));
    assert!(
        list.body.contains("tag warn"),
        "the passport expiring soon is flagged"
    );
    let persons = json(&b.get("/api/v1/persons").await.body);
    assert_eq!(persons[0]["relation"], "self");
    assert!(
        persons[0]["documents"][0]["masked"]
            .as_str()
            .is_some_and(|m| m.contains('*'))
    );

    // Add a child through the page: a bad date comes back with the summary and the input kept.
    let form = b.get("/account/people/new").await.body;
    let page_csrf = hidden_csrf(&form);
    let person = |date: &'static str| {
        [
            ("relation", "child"),
            ("name", "季小明"),
            ("birth_date", date),
            ("country", "IT"),
        ]
    };
    let r = b
        .post_raw(
            "/account/people",
            &[&[("csrf", page_csrf.as_str())][..], &person("2015-13-01")].concat(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#birth_date\"") && r.body.contains("value=\"季小明\""));
    let r = b
        .post_raw(
            "/account/people",
            &[&[("csrf", page_csrf.as_str())][..], &person("2015-06-01")].concat(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let person_uri = r.location.expect("to the person");
    let id = person_uri.rsplit('/').next().expect("id").to_owned();
    let r = b
        .post_raw(
            &format!("{person_uri}/documents"),
            &[
                ("csrf", &page_csrf),
                ("kind", "passport"),
                ("number", "E1234"),
                ("expires_on", "2030-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#number\""));
    let r = b
        .post_json(
            &format!("/api/v1/persons/{id}/documents"),
            r#"{"kind":"passport","number":"E12345678","expires_on":"2031-05-20"}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(json(&r.body)["documents"][0]["masked"], "E******78");
    let page = b.get(&person_uri).await.body;
    assert!(page.contains("E******78") && !page.contains("E12345678"));

    // Applying for someone on the list fills in the case from it.
    let r = b
        .post_json(
            "/api/v1/cases",
            &format!(r#"{{"item":"EE-01","person":"{id}","delivery":"courier"}}"#),
            Some(&csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let case = json(&r.body);
    assert_eq!(
        (&case["person_name"], &case["relation"]),
        (&serde_json::json!("季小明"), &serde_json::json!("child"))
    );

    // Another account sees none of it.
    let mut other = b.another();
    let other_csrf = other.api_sign_in("station.madrid@qiaoyi.example").await;
    assert_eq!(
        other.get(&format!("/api/v1/persons/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.get(&person_uri).await.status, StatusCode::NOT_FOUND);
    let r = other
        .post_json(
            "/api/v1/cases",
            &format!(r#"{{"item":"EE-01","person":"{id}","delivery":"station"}}"#),
            Some(&other_csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(json(&r.body)["field"], "person");
}

#[tokio::test]
async fn pages_an_applicant_answers_one_question_per_page_and_can_go_back() {
    let mut applicant = server().await;
    applicant.sign_in("applicant@qiaoyi.example").await;
    let who = applicant.get("/apply/EE-01").await;
    assert_eq!(who.status, StatusCode::OK);
    assert!(
        who.body.contains("name=\"stage\" value=\"who\""),
        "{}",
        who.body
    );
    assert!(!who.body.contains("id=\"birth_date\""), "one question only");
    let csrf = hidden_csrf(&who.body);
    let post = |fields: Vec<(&'static str, String)>| {
        let mut all = vec![("csrf", csrf.clone())];
        all.extend(fields);
        all
    };
    let send = async |b: &mut Browser, fields: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post_raw("/apply/EE-01", &pairs).await
    };

    // Someone no longer on file (removed in another tab): back to who it is for, with the reason.
    let gone = send(
        &mut applicant,
        post(vec![
            ("stage", "delivery".into()),
            ("person", "p-0000000000000000".into()),
            ("delivery", "courier".into()),
        ]),
    )
    .await;
    assert_eq!(gone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        gone.body.contains("name=\"stage\" value=\"who\""),
        "{}",
        gone.body
    );
    assert!(gone.body.contains("href=\"#person\""));

    // Someone not on file: the relation, then the details, each on its own page.
    let relation = send(
        &mut applicant,
        post(vec![("stage", "who".into()), ("person", String::new())]),
    )
    .await;
    assert_eq!(relation.status, StatusCode::OK);
    assert!(relation.body.contains("name=\"stage\" value=\"relation\""));
    let bad = send(
        &mut applicant,
        post(vec![
            ("stage", "relation".into()),
            ("relation", "cousin'--".into()),
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"relation-error\""));
    let details = send(
        &mut applicant,
        post(vec![
            ("stage", "relation".into()),
            ("relation", "parent".into()),
        ]),
    )
    .await;
    assert!(details.body.contains("name=\"stage\" value=\"details\""));
    assert!(
        details.body.contains("name=\"relation\" value=\"parent\""),
        "carried along"
    );
    let typed = |date: &str| {
        post(vec![
            ("stage", "details".into()),
            ("relation", "parent".into()),
            ("person_name", "季国平".into()),
            ("birth_date", date.into()),
        ])
    };
    let bad = send(&mut applicant, typed("1948-02-30")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"birth_date-error\""));
    assert!(
        bad.body.contains("value=\"季国平\""),
        "the name typed is kept"
    );
    let delivery = send(&mut applicant, typed("1948-02-03")).await;
    assert!(delivery.body.contains("name=\"stage\" value=\"delivery\""));

    // Back keeps what was typed.
    let mut back = typed("1948-02-03");
    back[1] = ("stage", "delivery".into());
    back.push(("back", "1".into()));
    let again = send(&mut applicant, back).await;
    assert!(again.body.contains("name=\"stage\" value=\"details\""));
    assert!(again.body.contains("value=\"1948-02-03\""));

    let mut last = typed("1948-02-03");
    last[1] = ("stage", "delivery".into());
    let none = send(&mut applicant, last.clone()).await;
    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a way to receive it is asked"
    );
    assert!(none.body.contains("id=\"delivery-error\""));
    last.push(("delivery", "courier".into()));
    let opened = send(&mut applicant, last).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let case = applicant
        .get(&opened.location.expect("the case page"))
        .await
        .body;
    assert!(
        case.contains("季国平"),
        "the check-your-answers page shows the answers"
    );
}

#[tokio::test]
async fn lists_show_materials_fee_and_identity_at_a_glance() {
    let mut applicant = server().await;
    let mut officer = applicant.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    officer.api_sign_in("officer@qiaoyi.example").await;
    let fee = json(&applicant.get("/api/v1/catalog/items/EE-01").await.body)["fee_fen"]
        .as_i64()
        .expect("fee");
    assert!(fee > 0, "EE-01 asks a fee");
    let id = draft_with_materials(&mut applicant, &a).await;
    let glance_of = |list: &serde_json::Value| {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|c| c["id"] == id.as_str())
            .map(|c| c["at_a_glance"].clone())
            .expect("the case is listed")
    };
    let mine = glance_of(&json(&applicant.get("/api/v1/cases").await.body));
    assert_eq!(mine["missing_materials"], serde_json::json!([]));
    assert_eq!(
        (mine["fee"].as_str(), mine["fee_owed_fen"].as_i64()),
        (Some("owed"), Some(fee))
    );
    assert_eq!(mine["identity_verified"], false);
    let r = applicant.step(&id, "submit", 1, &a).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let number = json(&r.body)["number"].as_str().expect("number").to_owned();

    let queue = json(&officer.get("/api/v1/cases?view=queue&limit=100").await.body);
    let glance = glance_of(&queue);
    assert_eq!(glance["fee"], "owed", "charged at submission, not paid");
    assert_eq!(glance["identity_verified"], false);
    // Every case in the queue says the same as its state: verification holds from its step on.
    for case in queue["items"].as_array().expect("items") {
        let verified = !matches!(
            case["state"].as_str(),
            Some("submitted" | "accepted" | "returned")
        );
        assert_eq!(case["at_a_glance"]["identity_verified"], verified, "{case}");
        assert!(
            ["none", "owed", "settled"]
                .contains(&case["at_a_glance"]["fee"].as_str().expect("fee"))
        );
    }

    // The page: three columns for staff, none for the applicant's own list.
    let page = officer.get("/cases?view=queue&lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    for heading in ["Materials", "Fee", "Identity"] {
        assert!(
            page.body
                .contains(&format!("<th scope=\"col\">{heading}</th>")),
            "{heading}"
        );
    }
    let row = page
        .body
        .split(&format!(">{number}</a>"))
        .nth(1)
        .expect("the row");
    let row = &row[..row.find("</tr>").expect("row end")];
    assert!(row.contains("<td>Complete</td>"), "{row}");
    assert!(row.contains(" owed</strong>"), "{row}");
    assert!(row.contains("Not yet verified</strong>"), "{row}");
    let own = applicant.get("/cases?lang=en").await.body;
    assert!(!own.contains("<th scope=\"col\">Materials</th>"));
}

#[tokio::test]
async fn the_desk_speaks_of_the_visitor_and_the_officer_of_the_applicant() {
    let mut rome = server().await;
    rome.sign_in_staff("station.rome@qiaoyi.example").await;
    let list = rome.get("/cases?view=station&lang=en").await.body;
    assert!(
        list.contains("<a class=\"button\" href=\"/catalog\">New case at the desk</a>"),
        "{list}"
    );
    let form = rome.get("/apply/EE-01?lang=en").await.body;
    assert!(form.contains("<h1>New case at the desk</h1>"), "{form}");
    assert!(form.contains("The visitor is the applicant."));
    assert!(
        form.contains("> The applicant&#39;s child</label>")
            || form.contains("> The applicant's child</label>"),
        "{form}"
    );
    assert!(form.contains("How should the result reach the applicant?"));
    for own in ["> Myself</label>", "> My child</label>", "reach you?"] {
        assert!(!form.contains(own), "{own} at the desk");
    }

    // An online case: its applicant reads her own answers, the officer reads of the applicant.
    let mut applicant = rome.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let id = draft_with_materials(&mut applicant, &a).await;
    assert_eq!(
        applicant.step(&id, "submit", 1, &a).await.status,
        StatusCode::OK
    );
    let hers = applicant.get(&format!("/cases/{id}?lang=en")).await.body;
    assert!(hers.contains("<dd>Myself</dd>"), "{hers}");
    assert!(hers.contains("How should the result reach you?"));
    let mut officer = rome.another();
    officer.sign_in_staff("officer@qiaoyi.example").await;
    let theirs = officer.get(&format!("/cases/{id}?lang=en")).await.body;
    assert!(
        theirs.contains("<dd>The applicant in person</dd>"),
        "{theirs}"
    );
    assert!(theirs.contains("How should the result reach the applicant?"));
    assert!(theirs.contains("answers</h2>") && !theirs.contains("Your answers"));
}
