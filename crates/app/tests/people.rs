//! Identity numbers sealed at rest, reading a file for a purpose, "who read my file", sign-up.

use crate::common::{anonymous, caller};
use qiaoyi_app::accounts::{CurrentSession, LoginOutcome, totp_code};
use qiaoyi_app::config::Config;
use qiaoyi_app::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::{App, AppError};
use qiaoyi_store::testing::{TestStore, test_store};
use sqlx::Connection;

const T0: i64 = 1_780_000_000_000;
/// A valid resident ID number of Qingtian county (331121), born 1980-03-15.
const RESIDENT_ID: &str = "331121198003151234";

async fn app() -> (App, TestStore) {
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), Config::default());
    app.seed_demo(T0).await.expect("seed");
    (app, store)
}

/// A valid ID: RESIDENT_ID's first 17 digits with the right check character.
fn resident_id() -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = RESIDENT_ID
        .bytes()
        .take(17)
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!(
        "{}{}",
        &RESIDENT_ID[..17],
        char::from(b"10X98765432"[(sum % 11) as usize])
    )
}

async fn session(app: &App, email: &str) -> CurrentSession {
    let LoginOutcome::SignedIn { token, .. } = app
        .login(&anonymous(T0), email, DEMO_PASSWORD)
        .await
        .expect("login")
    else {
        panic!("{email} cannot sign in");
    };
    let s = app.session(&token, T0).await.expect("ok").expect("session");
    if !s.is_complete() {
        let code = totp_code(DEMO_TOTP_SECRET, T0).expect("code");
        assert!(
            app.pass_second_factor(&caller(&s, T0), &code)
                .await
                .expect("ok")
        );
    }
    app.session(&token, T0).await.expect("ok").expect("session")
}

#[tokio::test]
async fn identity_numbers_are_sealed_and_read_back() {
    let (app, store) = app().await;
    let me = session(&app, "applicant@qiaoyi.example").await;
    let id = resident_id();
    app.save_my_identity(&caller(&me, T0), &id.to_lowercase(), "e12345678")
        .await
        .expect("saved");
    let mine = app.my_identity(&caller(&me, T0)).await.expect("read");
    assert_eq!(
        mine.resident_id.map(|r| r.expose().to_owned()),
        Some(id.clone())
    );
    assert_eq!(
        mine.passport.map(|p| p.expose().to_owned()),
        Some("E12345678".to_owned())
    );

    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw");
    let rows: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT resident_id_sealed, passport_sealed FROM person_identity")
            .fetch_all(&mut conn)
            .await
            .expect("rows");
    assert_eq!(rows.len(), 1);
    let everything: String = sqlx::query_scalar::<_, String>("SELECT resident_id_sealed || passport_sealed || resident_id_index || passport_index FROM person_identity")
        .fetch_one(&mut conn)
        .await
        .expect("row");
    assert!(
        !everything.contains(&id) && !everything.contains("E12345678"),
        "no identity number in clear"
    );
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT subject_id || purpose || client FROM audit")
            .fetch_all(&mut conn)
            .await
            .expect("audit");
    assert!(audit.iter().all(|a| !a.contains(&id)));
}

#[tokio::test]
async fn bad_identity_numbers_are_refused_by_field() {
    let (app, _s) = app().await;
    let me = session(&app, "applicant@qiaoyi.example").await;
    for (rid, passport, field) in [
        ("110105194912310021", "", "resident_id"),
        ("'; DROP TABLE users; --", "", "resident_id"),
        ("", "X1234", "passport"),
        ("", "<script>", "passport"),
    ] {
        match app.save_my_identity(&caller(&me, T0), rid, passport).await {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{rid}/{passport}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn staff_read_a_file_for_a_purpose_and_the_person_sees_it() {
    let (app, _s) = app().await;
    let me = session(&app, "applicant@qiaoyi.example").await;
    app.save_my_identity(&caller(&me, T0), &resident_id(), "")
        .await
        .expect("saved");
    assert!(
        app.who_read_my_file(&caller(&me, T0), 0, 50)
            .await
            .expect("log")
            .items
            .is_empty(),
        "own changes are not listed"
    );

    let officer = session(&app, "officer@qiaoyi.example").await;
    let missing = app
        .person_file(&caller(&officer, T0), &me.actor.user_id, "")
        .await;
    assert!(matches!(
        missing,
        Err(AppError::Invalid {
            field: "purpose",
            ..
        })
    ));
    let found = app
        .find_person(
            &caller(&officer, T0),
            &resident_id(),
            "passport renewal by phone",
        )
        .await
        .expect("found");
    assert_eq!(found.as_deref(), Some(me.actor.user_id.as_str()));
    let file = app
        .person_file(
            &caller(&officer, T0),
            &me.actor.user_id,
            "passport renewal by phone",
        )
        .await
        .expect("file");
    assert_eq!(
        file.identity.resident_id.map(|r| r.expose().to_owned()),
        Some(resident_id())
    );

    let log = app
        .who_read_my_file(&caller(&me, T0), 0, 50)
        .await
        .expect("log");
    assert_eq!(log.total, 2, "{:?}", log.items);
    assert!(
        log.items
            .iter()
            .all(|a| a.role == "officer" && a.purpose == "passport renewal by phone")
    );
    assert!(log.items.iter().any(|a| a.action == "read_person_file"));
    // Paged: one per page, newest first, and a limit out of range is refused.
    let first = app
        .who_read_my_file(&caller(&me, T0), 0, 1)
        .await
        .expect("page");
    let second = app
        .who_read_my_file(&caller(&me, T0), 1, 1)
        .await
        .expect("page");
    assert_eq!(
        (first.items.len(), second.items.len(), first.total),
        (1, 1, 2)
    );
    assert!(first.items[0].at_ms >= second.items[0].at_ms);
    assert!(matches!(
        app.who_read_my_file(&caller(&me, T0), 0, 0).await,
        Err(AppError::Invalid { field: "limit", .. })
    ));
}

#[tokio::test]
async fn stations_and_applicants_cannot_find_or_read_people() {
    let (app, _s) = app().await;
    let me = session(&app, "applicant@qiaoyi.example").await;
    let other = session(&app, "station.rome@qiaoyi.example").await;
    for who in [&me, &other] {
        let find = app
            .find_person(&caller(who, T0), "duty@qiaoyi.example", "looking around")
            .await;
        assert!(matches!(find, Err(AppError::Forbidden(_))), "{find:?}");
    }
    let officer = session(&app, "officer@qiaoyi.example").await;
    let read = app
        .person_file(&caller(&me, T0), &officer.actor.user_id, "curious about it")
        .await;
    assert!(
        matches!(read, Err(AppError::Forbidden(_))),
        "an applicant cannot read another person's file"
    );
    let read = app
        .person_file(&caller(&other, T0), &me.actor.user_id, "curious about it")
        .await;
    assert!(
        matches!(read, Err(AppError::Forbidden(_))),
        "a station cannot read a person's file"
    );
}

#[tokio::test]
async fn sign_up_needs_the_emailed_code() {
    let (app, store) = app().await;
    let email = app
        .sign_up(
            &anonymous(T0),
            " New.Person@Example.COM ",
            "林小明",
            "my own long passphrase",
            Lang::It,
        )
        .await
        .expect("signed up");
    assert_eq!(email, "new.person@example.com");
    let before = app
        .login(&anonymous(T0), &email, "my own long passphrase")
        .await
        .expect("ok");
    assert!(matches!(before, LoginOutcome::Unconfirmed));
    let messages = store.pending_messages(100).await.expect("outbox");
    let message = messages
        .iter()
        .find(|m| m.template == "confirm-email" && m.recipient == email)
        .expect("code sent");
    assert_eq!(message.language, "it");
    let params: serde_json::Value = serde_json::from_str(&message.params).expect("json");
    let code = params["code"].as_str().expect("code").to_owned();
    assert!(
        !app.confirm_email(&anonymous(T0), &email, "000000x")
            .await
            .expect("ok")
    );
    assert!(
        !app.confirm_email(&anonymous(T0 + 31 * 60_000), &email, &code)
            .await
            .expect("ok"),
        "expired"
    );
    app.resend_confirmation(&email, T0 + 32 * 60_000)
        .await
        .expect("resent");
    let messages = store.pending_messages(100).await.expect("outbox");
    let newest = messages
        .iter()
        .rfind(|m| m.template == "confirm-email")
        .expect("new code");
    let code: String =
        serde_json::from_str::<serde_json::Value>(&newest.params).expect("json")["code"]
            .as_str()
            .expect("code")
            .to_owned();
    assert!(
        app.confirm_email(&anonymous(T0 + 33 * 60_000), &email, &code)
            .await
            .expect("ok")
    );
    assert!(
        !app.confirm_email(&anonymous(T0 + 33 * 60_000), &email, &code)
            .await
            .expect("ok"),
        "a code works once"
    );
    let after = app
        .login(
            &anonymous(T0 + 34 * 60_000),
            &email,
            "my own long passphrase",
        )
        .await
        .expect("ok");
    assert!(matches!(after, LoginOutcome::SignedIn { .. }));
    assert_eq!(
        app.deliver_due("w-test", T0 + 3_600_000)
            .await
            .expect("delivered")
            .sent,
        messages.len()
    );
    assert!(
        store
            .pending_messages(100)
            .await
            .expect("outbox")
            .is_empty()
    );
}

#[tokio::test]
async fn sign_up_refuses_bad_input_and_repeats() {
    let (app, _s) = app().await;
    for (email, name, password, field) in [
        ("bad", "A", "my own long passphrase", "email"),
        ("a@example.com", "", "my own long passphrase", "name"),
        ("a@example.com", "A", "short", "password"),
        ("a@example.com", "A", "1qaz2wsx3edc", "password"),
    ] {
        match app
            .sign_up(&anonymous(T0), email, name, password, Lang::Zh)
            .await
        {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{email}: {other:?}"),
        }
    }
    let taken = app
        .sign_up(
            &anonymous(T0),
            "applicant@qiaoyi.example",
            "A",
            "my own long passphrase",
            Lang::Zh,
        )
        .await;
    assert!(matches!(
        taken,
        Err(AppError::Store(qiaoyi_app::StoreError::Conflict { .. }))
    ));
    for _ in 0..6 {
        assert!(
            !app.confirm_email(&anonymous(T0), "applicant@qiaoyi.example", "123456")
                .await
                .expect("ok"),
            "confirmed accounts take no code"
        );
    }
}

fn relative(relation: &str, name: &str, birth_date: &str) -> qiaoyi_app::persons::PersonInput {
    qiaoyi_app::persons::PersonInput {
        relation: relation.into(),
        name: name.into(),
        name_latin: String::new(),
        birth_date: birth_date.into(),
        country: "IT".into(),
        city: "Prato".into(),
        phone: "+39 0574 123 456".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn people_on_file_are_the_owners_alone_with_documents_sealed() {
    let (app, store) = app().await;
    let me = session(&app, "applicant@qiaoyi.example").await;
    let other = session(&app, "station.rome@qiaoyi.example").await;
    let before = app.my_persons(&caller(&me, T0)).await.expect("list").len();
    let child = app
        .save_person(
            &caller(&me, T0),
            None,
            &relative("child", "季小明", "2015-06-01"),
        )
        .await
        .expect("added");
    assert!(child.minor && !child.senior);
    let child = app
        .add_document(
            &caller(&me, T0),
            &child.id,
            &qiaoyi_app::persons::DocumentInput {
                kind: "passport".into(),
                number: "ek7654321".into(),
                expires_on: "2027-01-31".into(),
            },
        )
        .await
        .expect("document");
    let passport = &child.documents[0];
    assert_eq!(passport.masked, "E******21");
    // T0 is 2026-05-28: eight whole months to 2027-01-31.
    assert_eq!(passport.months_left, Some(8));
    assert_eq!(
        app.my_persons(&caller(&me, T0)).await.expect("list").len(),
        before + 1
    );
    // Someone else's person is not found, for reading, changing or adding documents.
    let r = app.my_person(&caller(&other, T0), &child.id).await;
    assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
    let r = app
        .save_person(
            &caller(&other, T0),
            Some(&child.id),
            &relative("child", "x", "2015-06-01"),
        )
        .await;
    assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
    let r = app
        .add_document(
            &caller(&other, T0),
            &child.id,
            &qiaoyi_app::persons::DocumentInput {
                kind: "passport".into(),
                number: "E12345678".into(),
                expires_on: "2030-01-01".into(),
            },
        )
        .await;
    assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");

    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw");
    let sealed: String = sqlx::query_scalar(
        "SELECT number_sealed || number_index FROM person_documents WHERE person_id = $1",
    )
    .bind(&child.id)
    .fetch_one(&mut conn)
    .await
    .expect("row");
    assert!(!sealed.contains("EK7654321"), "the number is sealed");

    let removed = app
        .remove_document(&caller(&me, T0), &child.id, &passport.id)
        .await
        .expect("removed");
    assert!(removed.documents.is_empty());
    let r = app
        .remove_document(&caller(&me, T0), &child.id, &passport.id)
        .await;
    assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
}

#[tokio::test]
async fn bad_people_and_documents_are_refused_by_field() {
    let (app, _store) = app().await;
    let me = session(&app, "applicant@qiaoyi.example").await;
    for (field, input) in [
        ("relation", relative("cousin", "季", "2015-06-01")),
        ("name", relative("child", " ", "2015-06-01")),
        ("birth_date", relative("child", "季", "2015-02-30")),
        ("birth_date", relative("child", "季", "2090-01-01")),
        (
            "country",
            qiaoyi_app::persons::PersonInput {
                country: "XX".into(),
                ..relative("child", "季", "2015-06-01")
            },
        ),
        (
            "phone",
            qiaoyi_app::persons::PersonInput {
                phone: "call me; DROP TABLE".into(),
                ..relative("child", "季", "2015-06-01")
            },
        ),
        (
            "disability_consent",
            qiaoyi_app::persons::PersonInput {
                disability: "wheelchair".into(),
                ..relative("child", "季", "2015-06-01")
            },
        ),
        // The demo applicant is on her list already.
        ("relation", relative("self", "季美华", "1962-08-19")),
    ] {
        let r = app.save_person(&caller(&me, T0), None, &input).await;
        assert!(
            matches!(&r, Err(AppError::Invalid { field: f, .. }) if *f == field),
            "{field}: {r:?}"
        );
    }
    let grandmother = app
        .save_person(
            &caller(&me, T0),
            None,
            &relative("grandparent", "季奶奶", "1938-01-01"),
        )
        .await
        .expect("added");
    for (field, kind, number, expiry) in [
        ("kind", "visa", "E12345678", "2030-01-01"),
        ("number", "passport", "C12345678", "2030-01-01"),
        ("number", "resident_id", "110105194912310021", ""),
        ("expires_on", "passport", "E12345678", ""),
        ("expires_on", "passport", "E12345678", "2030-02-30"),
    ] {
        let r = app
            .add_document(
                &caller(&me, T0),
                &grandmother.id,
                &qiaoyi_app::persons::DocumentInput {
                    kind: kind.into(),
                    number: number.into(),
                    expires_on: expiry.into(),
                },
            )
            .await;
        assert!(
            matches!(&r, Err(AppError::Invalid { field: f, .. }) if *f == field),
            "{field}: {r:?}"
        );
    }
    // A disability is kept with consent, and then allows home delivery below 60.
    let with_consent = qiaoyi_app::persons::PersonInput {
        disability: "uses a wheelchair".into(),
        disability_consent: true,
        ..relative("sibling", "季美玲", "1970-03-03")
    };
    let sister = app
        .save_person(&caller(&me, T0), None, &with_consent)
        .await
        .expect("added");
    assert_eq!(sister.disability.as_deref(), Some("uses a wheelchair"));
    let request = qiaoyi_app::cases::CaseRequest {
        item: "EE-01".into(),
        person: sister.id.clone(),
        delivery: "home".into(),
        ..Default::default()
    };
    let case = app
        .open_case(&caller(&me, T0), &request)
        .await
        .expect("opened");
    assert_eq!(
        (case.person_name.as_str(), case.relation.as_str()),
        ("季美玲", "sibling")
    );
    let request = qiaoyi_app::cases::CaseRequest {
        person: grandmother.id.clone(),
        ..request
    };
    // The grandmother is over 60: home delivery too.
    app.open_case(&caller(&me, T0), &request)
        .await
        .expect("opened");
    let stranger = session(&app, "station.rome@qiaoyi.example").await;
    let request = qiaoyi_app::cases::CaseRequest {
        delivery: "station".into(),
        ..request
    };
    let r = app.open_case(&caller(&stranger, T0), &request).await;
    assert!(
        matches!(
            r,
            Err(AppError::Invalid {
                field: "person",
                ..
            })
        ),
        "{r:?}"
    );
}

#[tokio::test]
async fn names_lose_the_characters_that_reorder_or_hide_text() {
    let (app, store) = app().await;
    let email = app
        .sign_up(
            &anonymous(T0),
            "spoof@example.com",
            "\u{202E}nimda\u{200B} 林",
            "my own long passphrase",
            Lang::En,
        )
        .await
        .expect("signed up");
    let user = store
        .user_by_email(&email)
        .await
        .expect("ok")
        .expect("the account");
    assert_eq!(user.display_name, "nimda 林");
    // A name that is nothing but such characters is no name.
    let empty = app
        .sign_up(
            &anonymous(T0),
            "empty@example.com",
            "\u{202E}\u{200B}",
            "my own long passphrase",
            Lang::En,
        )
        .await;
    assert!(matches!(
        empty,
        Err(AppError::Invalid { field: "name", .. })
    ));
}

#[tokio::test]
async fn staff_reads_of_her_cases_show_on_her_access_log_counted_and_refusals_marked() {
    use crate::common::{T0 as DEMO, demo_app, session as signed_in};
    use qiaoyi_app::cases::CaseList;
    const MINUTE: i64 = 60_000;
    let (app, _s) = demo_app().await;
    let me = signed_in(&app, "applicant@qiaoyi.example", DEMO).await;
    let officer = signed_in(&app, "officer@qiaoyi.example", DEMO).await;
    let madrid = signed_in(&app, "station.madrid@qiaoyi.example", DEMO).await;
    let mut with_file = None;
    let mut with_certificate = None;
    for case in app
        .cases(&caller(&me, DEMO), CaseList::Mine, 0, 50)
        .await
        .expect("mine")
        .items
        .into_iter()
        .filter(|c| c.applicant_id.as_deref() == Some(me.actor.user_id.as_str()))
    {
        let detail = app.case(&caller(&me, DEMO), &case.id).await.expect("hers");
        if let Some(file) = detail.files.first() {
            with_file = Some((case.id.clone(), file.id.clone()));
        }
        if let Some(certificate) = detail.certificate {
            with_certificate = Some(certificate.row.id.clone());
        }
    }
    let (case, file) = with_file.expect("a case of hers with a file");
    let certificate = with_certificate.expect("a certificate of hers");

    // The officer opens one file three times within a few minutes, reads the fees and the
    // certificate once; a station of another country tries to read the case and is refused.
    for i in 0..3 {
        app.case_file(&caller(&officer, DEMO + i * MINUTE), &case, &file)
            .await
            .expect("read");
    }
    app.case_fees(&caller(&officer, DEMO + 3 * MINUTE), &case)
        .await
        .expect("fees");
    app.certificate(&caller(&officer, DEMO + 3 * MINUTE), &certificate)
        .await
        .expect("certificate");
    assert!(
        app.case(&caller(&madrid, DEMO + 3 * MINUTE), &case)
            .await
            .is_err()
    );
    // Twenty minutes later the file again: a line of its own. Her own reads are not listed.
    app.case_file(&caller(&officer, DEMO + 20 * MINUTE), &case, &file)
        .await
        .expect("read");
    app.case_file(&caller(&me, DEMO + 21 * MINUTE), &case, &file)
        .await
        .expect("her own");

    let log = app
        .who_read_my_file(&caller(&me, DEMO + 22 * MINUTE), 0, 50)
        .await
        .expect("log");
    let lines = |action: &str| -> Vec<(u64, bool)> {
        log.items
            .iter()
            .filter(|a| a.action == action)
            .map(|a| (a.count, a.refused))
            .collect()
    };
    assert_eq!(
        lines("read_case_file"),
        vec![(1, false), (3, false)],
        "{:?}",
        log.items
    );
    assert_eq!(lines("read_fees"), vec![(1, false)]);
    assert_eq!(lines("read_certificate"), vec![(1, false)]);
    let refused: Vec<_> = log.items.iter().filter(|a| a.refused).collect();
    assert_eq!(refused.len(), 1, "{:?}", log.items);
    assert_eq!(refused[0].role, "station");
    let three = log
        .items
        .iter()
        .find(|a| a.action == "read_case_file" && a.count == 3)
        .expect("three reads");
    assert_eq!(three.at_ms - three.first_at_ms, 2 * MINUTE);
    assert!(log.items.iter().all(|a| a.role != "applicant"));

    // The mother's mandate read by her daughter, its agent, shows on the mother's log.
    let mother = signed_in(&app, "mother@qiaoyi.example", DEMO).await;
    let mandate = app
        .my_mandates(&caller(&me, DEMO), 0, 10)
        .await
        .expect("mandates")
        .items
        .into_iter()
        .find(|m| m.principal.id == mother.actor.user_id)
        .expect("the mother's mandate");
    app.mandate(&caller(&me, DEMO + MINUTE), &mandate.id)
        .await
        .expect("read");
    app.mandate(&caller(&mother, DEMO + MINUTE), &mandate.id)
        .await
        .expect("her own");
    let hers = app
        .who_read_my_file(&caller(&mother, DEMO + 2 * MINUTE), 0, 50)
        .await
        .expect("log");
    assert_eq!(
        hers.items
            .iter()
            .filter(|a| a.action == "read_mandate")
            .map(|a| a.count)
            .collect::<Vec<_>>(),
        vec![1]
    );
}
