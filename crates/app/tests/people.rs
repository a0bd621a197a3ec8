//! Identity numbers sealed at rest, reading a file for a purpose, "who read my file", sign-up.

use qiaoyi_app::accounts::{Client, CurrentSession, LoginOutcome, totp_code};
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

fn client() -> Client {
    Client {
        address: "127.0.0.1".into(),
    }
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
        .login(email, DEMO_PASSWORD, &client(), T0)
        .await
        .expect("login")
    else {
        panic!("{email} cannot sign in");
    };
    let s = app.session(&token, T0).await.expect("ok").expect("session");
    if !s.is_complete() {
        let code = totp_code(DEMO_TOTP_SECRET, T0).expect("code");
        assert!(
            app.pass_second_factor(&s, &code, &client(), T0)
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
    app.save_my_identity(Some(&me), &id.to_lowercase(), "e12345678", &client(), T0)
        .await
        .expect("saved");
    let mine = app
        .my_identity(Some(&me), &client(), T0)
        .await
        .expect("read");
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
        match app
            .save_my_identity(Some(&me), rid, passport, &client(), T0)
            .await
        {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{rid}/{passport}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn staff_read_a_file_for_a_purpose_and_the_person_sees_it() {
    let (app, _s) = app().await;
    let me = session(&app, "applicant@qiaoyi.example").await;
    app.save_my_identity(Some(&me), &resident_id(), "", &client(), T0)
        .await
        .expect("saved");
    assert!(
        app.who_read_my_file(Some(&me), &client(), T0)
            .await
            .expect("log")
            .is_empty(),
        "own changes are not listed"
    );

    let officer = session(&app, "officer@qiaoyi.example").await;
    let missing = app
        .person_file(Some(&officer), &me.actor.user_id, "", &client(), T0)
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
            Some(&officer),
            &resident_id(),
            "passport renewal by phone",
            &client(),
            T0,
        )
        .await
        .expect("found");
    assert_eq!(found.as_deref(), Some(me.actor.user_id.as_str()));
    let file = app
        .person_file(
            Some(&officer),
            &me.actor.user_id,
            "passport renewal by phone",
            &client(),
            T0,
        )
        .await
        .expect("file");
    assert_eq!(
        file.identity.resident_id.map(|r| r.expose().to_owned()),
        Some(resident_id())
    );

    let log = app
        .who_read_my_file(Some(&me), &client(), T0)
        .await
        .expect("log");
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log.iter()
            .all(|a| a.role == "officer" && a.purpose == "passport renewal by phone")
    );
    assert!(log.iter().any(|a| a.action == "read_person_file"));
}

#[tokio::test]
async fn stations_and_applicants_cannot_find_or_read_people() {
    let (app, _s) = app().await;
    let me = session(&app, "applicant@qiaoyi.example").await;
    let other = session(&app, "station.rome@qiaoyi.example").await;
    for who in [&me, &other] {
        let find = app
            .find_person(
                Some(who),
                "duty@qiaoyi.example",
                "looking around",
                &client(),
                T0,
            )
            .await;
        assert!(matches!(find, Err(AppError::Forbidden(_))), "{find:?}");
    }
    let officer = session(&app, "officer@qiaoyi.example").await;
    let read = app
        .person_file(
            Some(&me),
            &officer.actor.user_id,
            "curious about it",
            &client(),
            T0,
        )
        .await;
    assert!(
        matches!(read, Err(AppError::Forbidden(_))),
        "an applicant cannot read another person's file"
    );
    let read = app
        .person_file(
            Some(&other),
            &me.actor.user_id,
            "curious about it",
            &client(),
            T0,
        )
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
            " New.Person@Example.COM ",
            "林小明",
            "my own long passphrase",
            Lang::It,
            &client(),
            T0,
        )
        .await
        .expect("signed up");
    assert_eq!(email, "new.person@example.com");
    let before = app
        .login(&email, "my own long passphrase", &client(), T0)
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
        !app.confirm_email(&email, "000000x", &client(), T0)
            .await
            .expect("ok")
    );
    assert!(
        !app.confirm_email(&email, &code, &client(), T0 + 31 * 60_000)
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
        app.confirm_email(&email, &code, &client(), T0 + 33 * 60_000)
            .await
            .expect("ok")
    );
    assert!(
        !app.confirm_email(&email, &code, &client(), T0 + 33 * 60_000)
            .await
            .expect("ok"),
        "a code works once"
    );
    let after = app
        .login(
            &email,
            "my own long passphrase",
            &client(),
            T0 + 34 * 60_000,
        )
        .await
        .expect("ok");
    assert!(matches!(after, LoginOutcome::SignedIn { .. }));
    assert_eq!(
        app.deliver_pending(T0).await.expect("delivered"),
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
            .sign_up(email, name, password, Lang::Zh, &client(), T0)
            .await
        {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{email}: {other:?}"),
        }
    }
    let taken = app
        .sign_up(
            "applicant@qiaoyi.example",
            "A",
            "my own long passphrase",
            Lang::Zh,
            &client(),
            T0,
        )
        .await;
    assert!(matches!(
        taken,
        Err(AppError::Store(qiaoyi_app::StoreError::Conflict(_)))
    ));
    for _ in 0..6 {
        assert!(
            !app.confirm_email("applicant@qiaoyi.example", "123456", &client(), T0)
                .await
                .expect("ok"),
            "confirmed accounts take no code"
        );
    }
}
