//! Electronic certificates through the use cases, on whichever database the test store gives:
//! issued by the certificate workflow's `issue` step, verified by anyone, tampered and found not
//! genuine, expired, revoked; key rotation keeps old certificates verifiable.

use crate::common;

use common::{T0, anonymous, caller, client, demo_app as app, session};
use qiaoyi_app::AppError;
use qiaoyi_app::cases::{CaseRequest, StepRequest, Upload};
use qiaoyi_app::domain::certificates::Verdict;
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::persons::DocumentInput;

/// The characters a PDF can show: every target of its fonts' ToUnicode maps (what copying text
/// out of the PDF gives).
fn pdf_chars(pdf: &[u8]) -> std::collections::HashSet<char> {
    use std::io::Read;
    let mut chars = std::collections::HashSet::new();
    let mut rest = pdf;
    while let Some(start) = rest.windows(7).position(|w| w == b"stream\n") {
        let body = &rest[start + 7..];
        let end = body
            .windows(9)
            .position(|w| w == b"endstream")
            .unwrap_or(body.len());
        let mut text = String::new();
        if flate2::read::ZlibDecoder::new(&body[..end])
            .read_to_string(&mut text)
            .is_ok()
            && text.contains("beginbfchar")
        {
            for pair in text.split("beginbfchar").skip(1) {
                let pair = pair.split("endbfchar").next().unwrap_or_default();
                for line in pair.lines() {
                    let Some(target) = line.split_whitespace().nth(1) else {
                        continue;
                    };
                    let hex = target.trim_matches(|c| c == '<' || c == '>');
                    let units: Vec<u16> = (0..hex.len() / 4)
                        .filter_map(|i| u16::from_str_radix(&hex[i * 4..i * 4 + 4], 16).ok())
                        .collect();
                    chars.extend(char::decode_utf16(units).filter_map(Result::ok));
                }
            }
        }
        rest = body.get(end + 9..).unwrap_or_default();
    }
    chars
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";
const DAY: i64 = 86_400_000;

#[tokio::test]
async fn a_certificate_is_issued_verified_tampered_expired_and_revoked() {
    let (app, store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let mother = app
        .my_persons(&caller(&applicant, T0))
        .await
        .expect("persons")
        .into_iter()
        .find(|p| p.name == "陈秀英")
        .expect("the demo mother");
    app.add_document(
        &caller(&applicant, T0),
        &mother.id,
        &DocumentInput {
            kind: "resident_id".into(),
            number: "331121194102031231".into(),
            expires_on: String::new(),
        },
    )
    .await
    .expect("resident id");
    let case = app
        .open_case(
            &caller(&applicant, T0),
            &CaseRequest {
                item: "EC-01".into(),
                person: mother.id.clone(),
                delivery: "window".into(),
                // The demo may have one under way for her already.
                duplicate_ok: true,
                ..CaseRequest::default()
            },
        )
        .await
        .expect("opened");
    for (i, m) in case.item.materials.iter().enumerate() {
        if m.required {
            let upload = Upload {
                material: i,
                file_name: "scan.pdf",
                content: PDF,
            };
            app.upload_case_file(&caller(&applicant, T0), &case.id, &upload)
                .await
                .expect("uploaded");
        }
    }
    let mut version = case.version;
    for (who, step) in [
        (&applicant, "submit"),
        (&officer, "accept"),
        (&applicant, "video_check"),
        (&officer, "verify_identity"),
        (&officer, "start_review"),
        (&officer, "approve"),
    ] {
        if step == "video_check" {
            app.demo_video_check(&officer, who, &case.id, T0)
                .await
                .expect("video check");
            version += 1;
            continue;
        }
        let request = StepRequest {
            step: step.into(),
            expected_version: version,
            reason: String::new(),
            ..StepRequest::default()
        };
        version = app
            .step_case(&caller(who, T0), &case.id, &request)
            .await
            .unwrap_or_else(|e| panic!("{step}: {e}"))
            .version;
    }
    assert!(
        app.case(&caller(&applicant, T0), &case.id)
            .await
            .expect("read")
            .certificate
            .is_none(),
        "nothing is issued before the issue step"
    );
    let issue = StepRequest {
        step: "issue".into(),
        expected_version: version,
        reason: String::new(),
        ..StepRequest::default()
    };
    app.step_case(&caller(&officer, T0), &case.id, &issue)
        .await
        .expect("issued");

    let certificate = app
        .case(&caller(&applicant, T0), &case.id)
        .await
        .expect("read")
        .certificate
        .expect("issued with the step");
    let id = certificate.row.id.clone();
    assert!(!certificate.may_revoke, "the applicant cannot revoke");
    let Verdict::Valid(payload) = app.verify_certificate(&id, T0).await.expect("verify") else {
        panic!("a fresh certificate is valid");
    };
    assert_eq!(payload.holder_name, "陈秀英");
    assert_eq!(payload.holder_id_masked, "33**************31");
    assert_eq!(payload.case_number, case.number);
    assert_eq!(payload.issued_on, "2026-05-28");
    assert_eq!(payload.expires_on, "2026-11-28");
    // What it attests, never that something "was approved", in Chinese and the other languages.
    assert_eq!(payload.format, 2);
    assert!(
        payload
            .statement
            .contains("未发现持证人在中国境内有犯罪记录"),
        "{}",
        payload.statement
    );
    let italian = payload.in_language(Lang::It).expect("in Italian");
    assert!(
        italian.attests.contains("precedenti penali"),
        "{}",
        italian.attests
    );
    assert_eq!(italian.title, "Certificato di assenza di precedenti penali");
    assert!(payload.in_language(Lang::En).is_some() && payload.in_language(Lang::Es).is_some());

    // The PDF: for the readers of the case, in the configured CJK font; without the font, a
    // clear refusal naming what to install.
    let pdf = app
        .certificate_pdf(&caller(&applicant, T0), &id, Lang::It)
        .await
        .expect("pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let shown = pdf_chars(&pdf.bytes);
    for text in [
        "陈秀英",
        "CHEN XIUYING",
        "无犯罪记录证明",
        "青田县公安局",
        &italian.title,
        &italian.attests,
        &case.number,
        &id,
    ] {
        assert!(
            text.chars()
                .filter(|c| *c != ' ')
                .all(|c| shown.contains(&c)),
            "{text} is printed"
        );
    }
    assert!(
        pdf.bytes.len() < 300_000,
        "{} bytes: the font is subset",
        pdf.bytes.len()
    );
    assert_eq!(pdf.file_name, format!("certificate-{}.pdf", case.id));
    assert!(matches!(
        app.certificate_pdf(&anonymous(T0), &id, Lang::It).await,
        Err(AppError::Unauthenticated)
    ));
    let fontless = qiaoyi_app::App::with_store(
        store.store.clone(),
        qiaoyi_app::config::Config {
            certificate_font: "/nonexistent/NotoSansCJK.ttc".into(),
            ..Default::default()
        },
    );
    let reader = session(&fontless, "applicant@qiaoyi.example", T0).await;
    match fontless
        .certificate_pdf(&caller(&reader, T0), &id, Lang::It)
        .await
    {
        Err(e @ AppError::NoFont(_)) => {
            assert!(e.to_string().contains("fonts-noto-cjk"), "{e}");
            assert!(
                e.to_string().contains("/nonexistent/NotoSansCJK.ttc"),
                "{e}"
            );
        }
        other => panic!("a missing font is named: {other:?}"),
    }

    // Forged addresses: not a certificate's shape, or no such certificate.
    for forged in [
        "../../etc/passwd",
        "0",
        &id.to_uppercase(),
        "0123456789abcdef0123456789abcdef",
    ] {
        let r = app.verify_certificate(forged, T0).await;
        assert!(matches!(r, Err(AppError::NotFound(_))), "{forged}: {r:?}");
    }

    // After the key is rotated the certificate still verifies under its own key id.
    app.rotate_signing_key(&client(), T0 + 1)
        .await
        .expect("rotate");
    let keys = store.store.signing_keys().await.expect("keys");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys.iter().filter(|k| k.retired_at.is_none()).count(), 1);
    assert_eq!(
        app.verify_certificate(&id, T0)
            .await
            .expect("verify")
            .as_str(),
        "valid"
    );
    assert_eq!(
        app.verify_certificate(&id, T0 + 190 * DAY)
            .await
            .expect("verify")
            .as_str(),
        "expired"
    );

    // One character of the stored payload changed: not genuine; put back: valid again.
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw connection");
    conn.execute(sqlx::AssertSqlSafe(format!(
        "UPDATE certificates SET payload = REPLACE(payload, '2026-11-28', '2036-11-28') WHERE id = '{id}'"
    )))
    .await
    .expect("tamper");
    assert_eq!(
        app.verify_certificate(&id, T0).await.expect("verify"),
        Verdict::NotGenuine
    );
    let refused = app
        .certificate_pdf(&caller(&applicant, T0), &id, Lang::It)
        .await;
    assert!(
        matches!(refused, Err(AppError::Invalid { field: "id", .. })),
        "a forged certificate is not printed: {refused:?}"
    );
    conn.execute(sqlx::AssertSqlSafe(format!(
        "UPDATE certificates SET payload = REPLACE(payload, '2036-11-28', '2026-11-28') WHERE id = '{id}'"
    )))
    .await
    .expect("restore");
    conn.close().await.expect("close");

    // Revocation: only the item's officers, with a reason, once.
    let denied = app
        .revoke_certificate(&caller(&applicant, T0), &id, "mistake")
        .await;
    assert!(matches!(denied, Err(AppError::Forbidden(_))), "{denied:?}");
    let no_reason = app
        .revoke_certificate(&caller(&officer, T0), &id, "  ")
        .await;
    assert!(
        matches!(
            no_reason,
            Err(AppError::Invalid {
                field: "reason",
                ..
            })
        ),
        "{no_reason:?}"
    );
    app.revoke_certificate(&caller(&officer, T0 + 60_000), &id, "签发信息有误")
        .await
        .expect("revoked");
    match app.verify_certificate(&id, T0 + DAY).await.expect("verify") {
        Verdict::Revoked { on, reason, .. } => {
            assert_eq!(on.to_string(), "2026-05-28");
            assert_eq!(reason, "签发信息有误");
        }
        other => panic!("{other:?}"),
    }
    let revoked = app
        .certificate_pdf(&caller(&applicant, T0 + DAY), &id, Lang::It)
        .await
        .expect("a revoked certificate still prints, marked");
    let shown = pdf_chars(&revoked.bytes);
    assert!(
        "已撤销REVOKED签发信息有误"
            .chars()
            .all(|c| shown.contains(&c))
    );
    let again = app
        .revoke_certificate(&caller(&officer, T0 + 60_000), &id, "again")
        .await;
    assert!(matches!(again, Err(AppError::Store(_))), "{again:?}");
}
