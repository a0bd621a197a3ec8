//! Electronic certificates through the use cases, on whichever database the test store gives:
//! issued by the certificate workflow's `issue` step, verified by anyone, tampered and found not
//! genuine, expired, revoked; key rotation keeps old certificates verifiable.

mod common;

use common::{T0, client, demo_app as app, session};
use qiaoyi_app::AppError;
use qiaoyi_app::cases::{CaseRequest, StepRequest, Upload};
use qiaoyi_app::domain::certificates::Verdict;
use qiaoyi_app::persons::DocumentInput;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";
const DAY: i64 = 86_400_000;

#[tokio::test]
async fn a_certificate_is_issued_verified_tampered_expired_and_revoked() {
    let (app, store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let mother = app
        .my_persons(Some(&applicant), &client(), T0)
        .await
        .expect("persons")
        .into_iter()
        .find(|p| p.name == "陈秀英")
        .expect("the demo mother");
    app.add_document(
        Some(&applicant),
        &mother.id,
        &DocumentInput {
            kind: "resident_id".into(),
            number: "331121194102031231".into(),
            expires_on: String::new(),
        },
        &client(),
        T0,
    )
    .await
    .expect("resident id");
    let case = app
        .open_case(
            Some(&applicant),
            &CaseRequest {
                item: "EC-01".into(),
                person: mother.id.clone(),
                delivery: "window".into(),
                ..CaseRequest::default()
            },
            &client(),
            T0,
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
            app.upload_case_file(Some(&applicant), &case.id, &upload, &client(), T0)
                .await
                .expect("uploaded");
        }
    }
    let mut version = case.version;
    for (who, step) in [
        (&applicant, "submit"),
        (&officer, "accept"),
        (&officer, "verify_identity"),
        (&officer, "start_review"),
        (&officer, "approve"),
    ] {
        let request = StepRequest {
            step: step.into(),
            expected_version: version,
            reason: String::new(),
            ..StepRequest::default()
        };
        version = app
            .step_case(Some(who), &case.id, &request, &client(), T0)
            .await
            .unwrap_or_else(|e| panic!("{step}: {e}"))
            .version;
    }
    assert!(
        app.case_certificate(Some(&applicant), &case.id, &client(), T0)
            .await
            .expect("read")
            .is_none(),
        "nothing is issued before the issue step"
    );
    let issue = StepRequest {
        step: "issue".into(),
        expected_version: version,
        reason: String::new(),
        ..StepRequest::default()
    };
    app.step_case(Some(&officer), &case.id, &issue, &client(), T0)
        .await
        .expect("issued");

    let certificate = app
        .case_certificate(Some(&applicant), &case.id, &client(), T0)
        .await
        .expect("read")
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
    conn.execute(sqlx::AssertSqlSafe(format!(
        "UPDATE certificates SET payload = REPLACE(payload, '2036-11-28', '2026-11-28') WHERE id = '{id}'"
    )))
    .await
    .expect("restore");
    conn.close().await.expect("close");

    // Revocation: only the item's officers, with a reason, once.
    let denied = app
        .revoke_certificate(Some(&applicant), &id, "mistake", &client(), T0)
        .await;
    assert!(matches!(denied, Err(AppError::Forbidden(_))), "{denied:?}");
    let no_reason = app
        .revoke_certificate(Some(&officer), &id, "  ", &client(), T0)
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
    app.revoke_certificate(Some(&officer), &id, "签发信息有误", &client(), T0 + 60_000)
        .await
        .expect("revoked");
    match app.verify_certificate(&id, T0 + DAY).await.expect("verify") {
        Verdict::Revoked { on, reason, .. } => {
            assert_eq!(on.to_string(), "2026-05-28");
            assert_eq!(reason, "签发信息有误");
        }
        other => panic!("{other:?}"),
    }
    let again = app
        .revoke_certificate(Some(&officer), &id, "again", &client(), T0 + 60_000)
        .await;
    assert!(matches!(again, Err(AppError::Store(_))), "{again:?}");
}
