//! Electronic certificates through the API and the pages: issued by the officer's `issue` step,
//! verified by anyone without signing in, tampered and reported not genuine, revoked and reported
//! revoked; forged addresses are refused without a server error.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, json, server};

const REQUEST: &str = r#"{"item":"EC-01","person_name":"陈秀英","person_name_latin":"CHEN XIUYING","birth_date":"1941-02-03","relation":"parent","delivery":"window"}"#;

/// An EC-01 case taken to `issue`; returns the case id.
async fn issued(applicant: &mut Browser, a: &str, officer: &mut Browser, o: &str) -> String {
    let id = applicant.draft_with_materials(a, REQUEST, "EC-01").await;
    let mut version = 1;
    for step in [
        "submit",
        "accept",
        "video_check",
        "verify_identity",
        "start_review",
        "approve",
        "issue",
    ] {
        if step == "video_check" {
            applicant.video_checked(a, officer, o, &id).await;
            version += 1;
            continue;
        }
        let (who, csrf) = if step == "submit" {
            (&mut *applicant, a)
        } else {
            (&mut *officer, o)
        };
        let r = who
            .post_json(
                &format!("/api/v1/cases/{id}/steps"),
                &format!(r#"{{"step":"{step}","version":{version}}}"#),
                Some(csrf),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.body);
        version = json(&r.body)["version"].as_i64().expect("version");
    }
    id
}

#[tokio::test]
async fn a_certificate_verifies_then_is_tampered_then_revoked() {
    let mut applicant = server().await;
    let mut officer = applicant.another();
    let mut anyone = applicant.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let o = officer.api_sign_in("officer@qiaoyi.example").await;
    let case = issued(&mut applicant, &a, &mut officer, &o).await;

    // The applicant's case page links the certificate; its page carries the QR code.
    let page = applicant.get(&format!("/cases/{case}")).await.body;
    let marker = "href=\"/certificates/";
    let start = page.find(marker).expect("a link to the certificate") + marker.len();
    let id = page[start..start + 32].to_owned();
    let printout = applicant.get(&format!("/certificates/{id}")).await;
    assert_eq!(printout.status, StatusCode::OK);
    assert!(printout.body.contains("<svg"), "the QR code");
    assert!(printout.body.contains(&format!("/verify/{id}")));
    assert!(printout.body.contains("无犯罪记录证明"));
    assert!(
        !printout.body.contains("action=\"/certificates/"),
        "the applicant cannot revoke"
    );
    let detail = json(&applicant.get(&format!("/api/v1/cases/{case}")).await.body);
    assert_eq!(detail["certificate"]["id"], id.as_str());
    assert_eq!(detail["certificate"]["status"], "valid");

    // The PDF, linked from the printout, from the page and the API alike.
    assert!(
        printout
            .body
            .contains(&format!("href=\"/certificates/{id}/pdf\""))
    );
    for uri in [
        format!("/certificates/{id}/pdf"),
        format!("/api/v1/certificates/{id}/pdf"),
    ] {
        let pdf = applicant.get(&uri).await;
        assert_eq!(pdf.status, StatusCode::OK, "{uri}: {}", pdf.body);
        assert_eq!(pdf.content_type, "application/pdf");
        assert!(pdf.bytes.starts_with(b"%PDF-"), "{uri}");
    }
    let r = anyone.get(&format!("/api/v1/certificates/{id}/pdf")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = applicant
        .get("/api/v1/certificates/0123456789abcdef0123456789abcdef/pdf")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // Anyone, signed out, verifies it: the page and the API.
    let verdict = json(&anyone.get(&format!("/api/v1/verify/{id}")).await.body);
    assert_eq!(verdict["status"], "valid");
    assert_eq!(verdict["certificate"]["holder_name"], "陈秀英");
    assert_eq!(
        verdict["certificate"]["case_number"]
            .as_str()
            .map(|n| n.starts_with("QT-")),
        Some(true)
    );
    let public = anyone.get(&format!("/verify/{id}?lang=en")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public.body.contains("Valid: this certificate is genuine"),
        "{}",
        public.body
    );
    // What it attests, as signed, in Chinese and in the reader's language; never "approved".
    let languages: Vec<&str> = verdict["certificate"]["translations"]
        .as_array()
        .expect("translations")
        .iter()
        .filter_map(|t| t["lang"].as_str())
        .collect();
    assert_eq!(languages, ["en", "it", "es"]);
    let italian = anyone.get(&format!("/verify/{id}?lang=it")).await.body;
    assert!(
        italian
            .contains("<strong lang=\"it\">Certificato di assenza di precedenti penali</strong>")
            && italian.contains("non risultano precedenti penali")
            && italian.contains("未发现持证人在中国境内有犯罪记录"),
        "{italian}"
    );
    assert!(!italian.contains("审核"), "a fact, not an approval");

    // Forged addresses are refused plainly.
    for forged in [
        "x",
        "0123456789abcdef0123456789abcdeg",
        "%2e%2e%2fetc",
        "0123456789abcdef0123456789abcdef",
    ] {
        let r = anyone.get(&format!("/api/v1/verify/{forged}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{forged}: {}", r.body);
        let page = anyone.get(&format!("/verify/{forged}?lang=it")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(
            page.body.contains("Nessun certificato con questo numero")
                && page.body.contains("non è autentico"),
            "{forged}: a plain answer in her language: {}",
            page.body
        );
    }
    // The printout is for the readers of the case: a visitor is sent to sign in.
    assert_eq!(
        anyone.get(&format!("/certificates/{id}")).await.status,
        StatusCode::SEE_OTHER
    );

    // One byte of the stored payload changed: not genuine, and its content is not shown.
    let store = applicant.store.as_ref().expect("store");
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw");
    let tamper = |from: &str, to: &str| {
        sqlx::AssertSqlSafe(format!(
            "UPDATE certificates SET payload = REPLACE(payload, '\"format\":{from}', '\"format\":{to}') WHERE id = '{id}' AND payload LIKE '%\"format\":{from}%'"
        ))
    };
    conn.execute(tamper("2", "3")).await.expect("tamper");
    let verdict = json(&anyone.get(&format!("/api/v1/verify/{id}")).await.body);
    assert_eq!(verdict["status"], "not_genuine");
    assert!(verdict["certificate"].is_null());
    assert!(
        anyone
            .get(&format!("/verify/{id}?lang=zh-CN"))
            .await
            .body
            .contains("非真实证明")
    );
    conn.execute(sqlx::AssertSqlSafe(format!(
        "UPDATE certificates SET payload = REPLACE(payload, '\"format\":3', '\"format\":2') WHERE id = '{id}'"
    )))
    .await
    .expect("restore");
    conn.close().await.expect("close");
    assert_eq!(
        json(&anyone.get(&format!("/api/v1/verify/{id}")).await.body)["status"],
        "valid"
    );

    // Revocation: refused for the applicant and without a reason; then revoked, once.
    let uri = format!("/api/v1/certificates/{id}/revoke");
    let r = applicant
        .post_json(&uri, r#"{"reason":"x"}"#, Some(&a))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = officer.post_json(&uri, r#"{"reason":" "}"#, Some(&o)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(json(&r.body)["field"], "reason");
    let r = officer
        .post_json(&uri, r#"{"reason":"签发信息有误"}"#, Some(&o))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = officer
        .post_json(&uri, r#"{"reason":"again"}"#, Some(&o))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let verdict = json(&anyone.get(&format!("/api/v1/verify/{id}")).await.body);
    assert_eq!(verdict["status"], "revoked");
    assert_eq!(verdict["revoke_reason"], "签发信息有误");
    assert!(
        verdict["revoked_on"]
            .as_str()
            .is_some_and(|d| d.len() == 10)
    );
    let public = anyone.get(&format!("/verify/{id}?lang=zh-CN")).await.body;
    assert!(
        public.contains("已撤销") && public.contains("签发信息有误"),
        "{public}"
    );
}
