//! Accounts, sessions, lockout, the second factor, permissions and the audit chain, on both backends.

use crate::common::{anonymous, caller, session};
use qiaoyi_app::accounts::{AccountRequest, LoginOutcome, SecondFactor, totp_code};
use qiaoyi_app::config::Config;
use qiaoyi_app::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use qiaoyi_app::domain::access::{Action, Grant, Resource};
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::{App, AppError};
use qiaoyi_store::testing::{TestStore, test_store};
use sqlx::{Connection, Executor};

const T0: i64 = 1_780_000_000_000;

async fn app() -> (App, TestStore) {
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), Config::default());
    app.seed_demo(T0).await.expect("seed");
    (app, store)
}

async fn sign_in(app: &App, email: &str, now: i64) -> (String, SecondFactor) {
    match app
        .login(&anonymous(now), email, DEMO_PASSWORD)
        .await
        .expect("login")
    {
        LoginOutcome::SignedIn {
            token,
            second_factor,
        } => (token, second_factor),
        other => panic!("expected to sign in, got {other:?}"),
    }
}

#[tokio::test]
async fn applicant_signs_in_and_out() {
    let (app, _s) = app().await;
    let (token, second) = sign_in(&app, "Applicant@Qiaoyi.example ", T0).await;
    assert_eq!(second, SecondFactor::NotRequired);
    let session = app
        .session(&token, T0 + 1000)
        .await
        .expect("ok")
        .expect("session");
    assert!(session.is_complete());
    assert_eq!(session.email, "applicant@qiaoyi.example");
    app.logout(&caller(&session, T0 + 2000))
        .await
        .expect("logout");
    assert!(app.session(&token, T0 + 3000).await.expect("ok").is_none());
}

#[tokio::test]
async fn wrong_and_unknown_credentials_are_refused_alike() {
    let (app, _s) = app().await;
    for (email, password) in [
        ("applicant@qiaoyi.example", "wrong password here"),
        ("nobody@qiaoyi.example", DEMO_PASSWORD),
        ("not an address", DEMO_PASSWORD),
        ("'; DROP TABLE users; --", "<script>alert(1)</script>"),
        ("", ""),
    ] {
        assert!(
            matches!(
                app.login(&anonymous(T0), email, password)
                    .await
                    .expect("ok"),
                LoginOutcome::Refused
            ),
            "{email}"
        );
    }
}

#[tokio::test]
async fn five_failures_lock_the_account_and_tell_the_owner() {
    let (app, store) = app().await;
    for i in 0..4 {
        let outcome = app
            .login(
                &anonymous(T0 + i),
                "applicant@qiaoyi.example",
                "wrong password here",
            )
            .await
            .expect("ok");
        assert!(matches!(outcome, LoginOutcome::Refused), "attempt {i}");
    }
    let fifth = app
        .login(
            &anonymous(T0 + 10),
            "applicant@qiaoyi.example",
            "wrong password here",
        )
        .await
        .expect("ok");
    assert!(matches!(fifth, LoginOutcome::Locked { .. }));
    let sixth = app
        .login(
            &anonymous(T0 + 20),
            "applicant@qiaoyi.example",
            DEMO_PASSWORD,
        )
        .await
        .expect("ok");
    assert!(
        matches!(sixth, LoginOutcome::Locked { .. }),
        "the right password does not open a locked account"
    );
    let messages = store.pending_messages(10).await.expect("outbox");
    assert!(
        messages
            .iter()
            .any(|m| m.template == "account-locked" && m.recipient == "applicant@qiaoyi.example")
    );
    let later = T0 + 16 * 60 * 1000;
    assert!(matches!(
        app.login(&anonymous(later), "applicant@qiaoyi.example", DEMO_PASSWORD)
            .await
            .expect("ok"),
        LoginOutcome::SignedIn { .. }
    ));
}

#[tokio::test]
async fn failures_outside_the_window_do_not_lock() {
    let (app, _s) = app().await;
    for i in 0..6 {
        let at = T0 + i * 4 * 60 * 1000;
        let outcome = app
            .login(
                &anonymous(at),
                "applicant@qiaoyi.example",
                "wrong password here",
            )
            .await
            .expect("ok");
        assert!(matches!(outcome, LoginOutcome::Refused), "attempt {i}");
    }
}

#[tokio::test]
async fn staff_need_the_second_factor_and_codes_work_once() {
    let (app, _s) = app().await;
    let (token, second) = sign_in(&app, "officer@qiaoyi.example", T0).await;
    assert_eq!(second, SecondFactor::Challenge);
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let err = app
        .authorize(&caller(&session, T0), Action::ListPeople, &Resource::System)
        .await;
    assert!(matches!(err, Err(AppError::SecondFactorRequired)));
    assert!(
        !app.pass_second_factor(&caller(&session, T0), "000000")
            .await
            .expect("ok")
            || totp_code(DEMO_TOTP_SECRET, T0).expect("code") == "000000"
    );
    let code = totp_code(DEMO_TOTP_SECRET, T0).expect("code");
    assert!(
        app.pass_second_factor(&caller(&session, T0), &code)
            .await
            .expect("ok")
    );
    let session = app
        .session(&token, T0 + 1000)
        .await
        .expect("ok")
        .expect("session");
    assert!(session.is_complete());
    app.authorize(&caller(&session, T0), Action::ListPeople, &Resource::System)
        .await
        .expect("allowed");

    // The same code in another session is a replay.
    let (other, _) = sign_in(&app, "officer@qiaoyi.example", T0 + 2000).await;
    let other = app
        .session(&other, T0 + 2000)
        .await
        .expect("ok")
        .expect("session");
    assert!(
        !app.pass_second_factor(&caller(&other, T0 + 2000), &code)
            .await
            .expect("ok")
    );
}

#[tokio::test]
async fn staff_without_totp_must_enrol() {
    let (app, _s) = app().await;
    let request = AccountRequest {
        email: "new.officer@qiaoyi.example",
        display_name: "New officer",
        password: "a long new password",
        grants: vec![Grant::Officer("traffic".parse().expect("category"))],
        language: Lang::It,
        confirmed: true,
        totp_secret: None,
    };
    app.create_account(&anonymous(T0), request)
        .await
        .expect("created");
    let (token, second) = match app
        .login(
            &anonymous(T0),
            "new.officer@qiaoyi.example",
            "a long new password",
        )
        .await
        .expect("ok")
    {
        LoginOutcome::SignedIn {
            token,
            second_factor,
        } => (token, second_factor),
        other => panic!("{other:?}"),
    };
    assert_eq!(second, SecondFactor::Enrol);
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let secret = qiaoyi_app::accounts::new_totp_secret();
    assert!(
        app.enrol_second_factor(&caller(&session, T0), &secret, "123456x")
            .await
            .expect("ok")
            .is_none()
    );
    let code = totp_code(&secret, T0).expect("code");
    let recovery = app
        .enrol_second_factor(&caller(&session, T0), &secret, &code)
        .await
        .expect("ok")
        .expect("enrolled, with recovery codes");
    assert_eq!(recovery.len(), 10);
    let (token, second) = match app
        .login(
            &anonymous(T0 + 60_000),
            "new.officer@qiaoyi.example",
            "a long new password",
        )
        .await
        .expect("ok")
    {
        LoginOutcome::SignedIn {
            token,
            second_factor,
        } => (token, second_factor),
        other => panic!("{other:?}"),
    };
    assert_eq!(second, SecondFactor::Challenge);
    assert!(!token.is_empty());
}

#[tokio::test]
async fn sessions_expire_when_idle_or_old() {
    let (app, _s) = app().await;
    let (token, _) = sign_in(&app, "applicant@qiaoyi.example", T0).await;
    assert!(
        app.session(&token, T0 + 29 * 60_000)
            .await
            .expect("ok")
            .is_some()
    );
    assert!(
        app.session(&token, T0 + 29 * 60_000 + 31 * 60_000)
            .await
            .expect("ok")
            .is_none(),
        "idle for 31 minutes"
    );
    let (token, _) = sign_in(&app, "applicant@qiaoyi.example", T0).await;
    let mut now = T0;
    while now < T0 + 12 * 3_600_000 {
        now += 20 * 60_000;
        let alive = app.session(&token, now).await.expect("ok").is_some();
        assert_eq!(
            alive,
            now - T0 <= 12 * 3_600_000,
            "at {} minutes",
            (now - T0) / 60_000
        );
    }
    for forged in [
        "",
        "abc",
        &"0".repeat(64),
        &"g".repeat(64),
        "'; DROP TABLE sessions; --",
    ] {
        assert!(app.session(forged, T0).await.expect("ok").is_none());
    }
}

#[tokio::test]
async fn log_out_other_sessions_keeps_this_one() {
    let (app, _s) = app().await;
    let (a, _) = sign_in(&app, "applicant@qiaoyi.example", T0).await;
    let (b, _) = sign_in(&app, "applicant@qiaoyi.example", T0 + 1).await;
    let (c, _) = sign_in(&app, "applicant@qiaoyi.example", T0 + 2).await;
    let session = app.session(&b, T0 + 3).await.expect("ok").expect("b");
    assert_eq!(
        app.logout_other_sessions(&caller(&session, T0 + 4))
            .await
            .expect("ok"),
        2
    );
    assert!(app.session(&a, T0 + 5).await.expect("ok").is_none());
    assert!(app.session(&b, T0 + 5).await.expect("ok").is_some());
    assert!(app.session(&c, T0 + 5).await.expect("ok").is_none());
}

#[tokio::test]
async fn account_rules_refuse_bad_input() {
    let (app, _s) = app().await;
    let base = AccountRequest {
        email: "x@qiaoyi.example",
        display_name: "X",
        password: "a long new password",
        grants: vec![Grant::Applicant],
        language: Lang::Zh,
        confirmed: true,
        totp_secret: None,
    };
    let long = "y".repeat(129);
    for (change, field) in [
        (
            AccountRequest {
                password: "short",
                ..base.clone()
            },
            "password",
        ),
        (
            AccountRequest {
                password: "",
                ..base.clone()
            },
            "password",
        ),
        (
            AccountRequest {
                password: &long,
                ..base.clone()
            },
            "password",
        ),
        (
            AccountRequest {
                password: "1qaz2wsx3edc",
                ..base.clone()
            },
            "password",
        ),
        (
            AccountRequest {
                email: "not-an-address",
                ..base.clone()
            },
            "email",
        ),
        (
            AccountRequest {
                display_name: "  ",
                ..base.clone()
            },
            "name",
        ),
        (
            AccountRequest {
                grants: vec![],
                ..base.clone()
            },
            "roles",
        ),
    ] {
        match app.create_account(&anonymous(T0), change).await {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected {field} to be refused, got {other:?}"),
        }
    }
    let html = AccountRequest {
        display_name: "<b>'; DROP TABLE users;--</b>",
        ..base.clone()
    };
    app.create_account(&anonymous(T0), html)
        .await
        .expect("any text is a name");
    let again = app.create_account(&anonymous(T0), base.clone()).await;
    assert!(
        matches!(
            again,
            Err(AppError::Store(qiaoyi_app::StoreError::Conflict { .. }))
        ),
        "{again:?}"
    );
}

#[tokio::test]
async fn permission_checks_deny_and_audit() {
    let (app, store) = app().await;
    assert!(matches!(
        app.authorize(&anonymous(T0), Action::ManageUsers, &Resource::System)
            .await,
        Err(AppError::Unauthenticated)
    ));
    let (token, _) = sign_in(&app, "station.rome@qiaoyi.example", T0).await;
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let code = totp_code(DEMO_TOTP_SECRET, T0).expect("code");
    assert!(
        app.pass_second_factor(&caller(&session, T0), &code)
            .await
            .expect("ok")
    );
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let denied = app
        .authorize(&caller(&session, T0), Action::ListPeople, &Resource::System)
        .await;
    assert!(matches!(denied, Err(AppError::Forbidden(_))));
    let log = store
        .audit_search(
            &qiaoyi_store::AuditFilter {
                action: "list_people".into(),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .expect("audit");
    assert_eq!(log.total, 1);
    assert_eq!(log.items[0].outcome, "denied");
    assert_eq!(log.items[0].station, "IT-ROM");
}

#[tokio::test]
async fn audit_chain_verifies_and_a_raw_edit_is_found() {
    let (app, store) = app().await;
    sign_in(&app, "applicant@qiaoyi.example", T0).await;
    app.login(
        &anonymous(T0),
        "applicant@qiaoyi.example",
        "wrong password here",
    )
    .await
    .expect("ok");
    let whole = app
        .verify_audit(None, &|_| {})
        .await
        .expect("ok")
        .unwrap_or_else(|b| panic!("broken at {} ({})", b.seq, b.reason));
    assert!(whole >= qiaoyi_app::demo::DEMO_ACCOUNTS.len() as u64 + 2);
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw");
    conn.execute("UPDATE audit SET outcome = 'denied' WHERE seq = 3")
        .await
        .expect("edit");
    let broken = app
        .verify_audit(None, &|_| {})
        .await
        .expect("ok")
        .expect_err("broken");
    assert_eq!(broken.seq, 3);
}

#[tokio::test]
async fn no_password_or_secret_is_stored_in_clear() {
    let (app, store) = app().await;
    sign_in(&app, "applicant@qiaoyi.example", T0).await;
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw");
    let hashes: Vec<String> = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_all(&mut conn)
        .await
        .expect("rows");
    assert!(
        hashes
            .iter()
            .all(|h| h.starts_with("$argon2id$") && !h.contains(DEMO_PASSWORD))
    );
    let tokens: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&mut conn)
        .await
        .expect("rows");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].len(), 64);
}

#[tokio::test]
async fn a_recovery_code_replaces_the_authenticator_once() {
    let (app, _s) = app().await;
    let (token, _) = sign_in(&app, "care@qiaoyi.example", T0).await;
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let code = totp_code(DEMO_TOTP_SECRET, T0).expect("code");
    assert!(
        app.pass_second_factor(&caller(&session, T0), &code)
            .await
            .expect("ok")
    );
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let codes = app
        .renew_recovery_codes(&caller(&session, T0))
        .await
        .expect("codes");

    let (token, _) = sign_in(&app, "care@qiaoyi.example", T0 + 60_000).await;
    let later = app
        .session(&token, T0 + 60_000)
        .await
        .expect("ok")
        .expect("session");
    assert!(
        !app.pass_second_factor(&caller(&later, T0 + 60_000), "abcd-efgh")
            .await
            .expect("ok")
    );
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert!(
        app.pass_second_factor(&caller(&later, T0 + 60_000), &typed)
            .await
            .expect("ok")
    );
    assert!(
        app.session(&token, T0 + 60_000)
            .await
            .expect("ok")
            .expect("session")
            .is_complete()
    );

    let (token, _) = sign_in(&app, "care@qiaoyi.example", T0 + 120_000).await;
    let again = app
        .session(&token, T0 + 120_000)
        .await
        .expect("ok")
        .expect("session");
    assert!(
        !app.pass_second_factor(&caller(&again, T0 + 120_000), &codes[3])
            .await
            .expect("ok"),
        "spent"
    );
    assert!(
        app.pass_second_factor(&caller(&again, T0 + 120_000), &codes[4])
            .await
            .expect("ok")
    );
}

#[tokio::test]
async fn deciding_actions_ask_again_after_ten_minutes() {
    let (app, _s) = app().await;
    let (token, _) = sign_in(&app, "officer@qiaoyi.example", T0).await;
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let code = totp_code(DEMO_TOTP_SECRET, T0).expect("code");
    assert!(
        app.pass_second_factor(&caller(&session, T0), &code)
            .await
            .expect("ok")
    );
    let ee: qiaoyi_app::domain::catalog::CategoryCode = "exit-entry".parse().expect("category");
    let case = Resource::Case {
        id: "case-1",
        applicant: "someone",
        agent: "",
        filed_by: "someone",
        station: None,
        category: &ee,
    };
    let soon = T0 + 5 * 60_000;
    let s = app
        .session(&token, soon)
        .await
        .expect("ok")
        .expect("session");
    app.authorize(&caller(&s, soon), Action::DecideCase, &case)
        .await
        .expect("fresh enough");
    let later = T0 + 11 * 60_000;
    let s = app
        .session(&token, later)
        .await
        .expect("ok")
        .expect("session");
    assert!(matches!(
        app.authorize(&caller(&s, later), Action::DecideCase, &case)
            .await,
        Err(AppError::FreshSecondFactorRequired)
    ));
    app.authorize(&caller(&s, later), Action::ListPeople, &Resource::System)
        .await
        .expect("other actions need no fresh code");
    let code = totp_code(DEMO_TOTP_SECRET, later).expect("code");
    assert!(
        app.pass_second_factor(&caller(&s, later), &code)
            .await
            .expect("ok")
    );
    let s = app
        .session(&token, later)
        .await
        .expect("ok")
        .expect("session");
    app.authorize(&caller(&s, later), Action::DecideCase, &case)
        .await
        .expect("fresh again");
}

/// Whether `result` is the refusal that ends a sign-in after too many wrong codes.
fn exhausted(result: Result<bool, AppError>) -> bool {
    matches!(
        result,
        Err(AppError::Invalid {
            field: "code",
            reason: qiaoyi_app::Reason::AttemptsExhausted,
            ..
        })
    )
}

#[tokio::test]
async fn guessing_the_second_factor_locks_the_account_after_five() {
    let (app, store) = app().await;
    let (token, _) = sign_in(&app, "officer@qiaoyi.example", T0).await;
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let right = totp_code(DEMO_TOTP_SECRET, T0).expect("code");
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for n in 1..5 {
        let at = T0 + n * 10;
        let attempt = app.pass_second_factor(&caller(&session, at), wrong).await;
        assert!(matches!(attempt, Ok(false)), "wrong code {n}: {attempt:?}");
    }
    assert!(exhausted(
        app.pass_second_factor(&caller(&session, T0 + 50), wrong)
            .await
    ));
    assert!(
        app.session(&token, T0 + 60).await.expect("ok").is_none(),
        "the half-signed-in session ended"
    );
    // The password alone no longer opens a session, and the owner is told.
    assert!(matches!(
        app.login(&anonymous(T0 + 70), "officer@qiaoyi.example", DEMO_PASSWORD)
            .await
            .expect("ok"),
        LoginOutcome::Locked { .. }
    ));
    let messages = store.pending_messages(20).await.expect("outbox");
    assert!(
        messages
            .iter()
            .any(|m| m.template == "account-locked" && m.recipient == "officer@qiaoyi.example")
    );
    // After the lock the right code works again in a new sign-in.
    let later = T0 + 16 * 60 * 1000;
    let (token, _) = sign_in(&app, "officer@qiaoyi.example", later).await;
    let session = app
        .session(&token, later)
        .await
        .expect("ok")
        .expect("session");
    let code = totp_code(DEMO_TOTP_SECRET, later).expect("code");
    assert!(
        app.pass_second_factor(&caller(&session, later), &code)
            .await
            .expect("ok")
    );
}

#[tokio::test]
async fn slow_second_factor_guessing_ends_the_session_and_signing_in_again_does_not_reset_it() {
    let (app, _s) = app().await;
    let minute = 60 * 1000;
    let (token, _) = sign_in(&app, "officer@qiaoyi.example", T0).await;
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    // Recovery codes are guessed and counted the same way as app codes.
    for n in 0..4 {
        let at = T0 + n * 5 * minute;
        let attempt = app
            .pass_second_factor(&caller(&session, at), "abcd-efgh")
            .await;
        assert!(matches!(attempt, Ok(false)), "wrong code {n}: {attempt:?}");
    }
    // The fifth wrong code on the session ends it, though the account's window holds fewer.
    assert!(exhausted(
        app.pass_second_factor(&caller(&session, T0 + 20 * minute), "abcd-efgh")
            .await
    ));
    assert!(
        app.session(&token, T0 + 20 * minute + 1)
            .await
            .expect("ok")
            .is_none()
    );
    // A new sign-in by password works, but the failures within the window still count: two more
    // wrong codes reach five on the account and lock it.
    let at = T0 + 21 * minute;
    let (token, _) = sign_in(&app, "officer@qiaoyi.example", at).await;
    let session = app.session(&token, at).await.expect("ok").expect("session");
    assert!(matches!(
        app.pass_second_factor(&caller(&session, at), "abcd-efgh")
            .await,
        Ok(false)
    ));
    assert!(exhausted(
        app.pass_second_factor(&caller(&session, at + 1), "abcd-efgh")
            .await
    ));
    assert!(matches!(
        app.login(&anonymous(at + 2), "officer@qiaoyi.example", DEMO_PASSWORD)
            .await
            .expect("ok"),
        LoginOutcome::Locked { .. }
    ));
}

fn from(address: &str, now: i64) -> qiaoyi_app::Caller {
    qiaoyi_app::Caller::anonymous(
        qiaoyi_app::accounts::Client {
            address: address.into(),
        },
        now,
    )
}

/// What five wrong passwords in a row answer, as the names of the outcomes.
async fn five_wrong(app: &App, email: &str, address: &str) -> Vec<&'static str> {
    let mut answers = Vec::new();
    for i in 0..5 {
        let outcome = app
            .login(&from(address, T0 + i), email, "wrong password here")
            .await
            .expect("ok");
        answers.push(match outcome {
            LoginOutcome::Refused => "refused",
            LoginOutcome::Locked { .. } => "locked",
            other => panic!("{email}: {other:?}"),
        });
    }
    answers
}

#[tokio::test]
async fn an_address_without_an_account_answers_as_one_with_an_account() {
    let (app, _s) = app().await;
    let known = five_wrong(&app, "duty@qiaoyi.example", "198.51.100.7").await;
    let unknown = five_wrong(&app, "nobody@qiaoyi.example", "198.51.100.7").await;
    assert_eq!(
        known,
        ["refused", "refused", "refused", "refused", "locked"]
    );
    assert_eq!(
        known, unknown,
        "the answers tell no one which address has an account"
    );
    // And the sixth attempt, locked, answers alike too.
    for email in ["duty@qiaoyi.example", "nobody@qiaoyi.example"] {
        assert!(matches!(
            app.login(&from("198.51.100.7", T0 + 10), email, DEMO_PASSWORD)
                .await
                .expect("ok"),
            LoginOutcome::Locked { .. }
        ));
    }
}

#[tokio::test]
async fn a_strangers_guesses_do_not_lock_the_owner_out() {
    let (app, _s) = app().await;
    let answers = five_wrong(&app, "duty@qiaoyi.example", "203.0.113.9").await;
    assert_eq!(answers.last(), Some(&"locked"));
    // The duty leader, at her own desk, signs in as usual.
    assert!(matches!(
        app.login(
            &from("10.0.0.5", T0 + 100),
            "duty@qiaoyi.example",
            DEMO_PASSWORD
        )
        .await
        .expect("ok"),
        LoginOutcome::SignedIn { .. }
    ));
    // The stranger stays locked out until the window has passed.
    assert!(matches!(
        app.login(
            &from("203.0.113.9", T0 + 100),
            "duty@qiaoyi.example",
            DEMO_PASSWORD
        )
        .await
        .expect("ok"),
        LoginOutcome::Locked { .. }
    ));
}

#[tokio::test]
async fn spraying_many_addresses_from_one_client_is_slowed_and_others_are_not() {
    use qiaoyi_app::domain::access::spraying::{FREE_ADDRESSES, delay_ms};
    let (app, _s) = app().await;
    let sprayer = "203.0.113.50";
    // One wrong password on each of as many addresses as go unslowed, accounts or not.
    for i in 0..FREE_ADDRESSES {
        let outcome = app
            .login(
                &from(sprayer, T0 + i),
                &format!("person{i}@example.org"),
                "Summer2026!!",
            )
            .await
            .expect("ok");
        assert!(matches!(outcome, LoginOutcome::Refused), "{i}: {outcome:?}");
    }
    let last = T0 + FREE_ADDRESSES - 1;
    // The next attempt, even with a right password, waits; it says nothing of the account.
    for email in ["applicant@qiaoyi.example", "nobody@example.org"] {
        let outcome = app
            .login(&from(sprayer, last + 10), email, DEMO_PASSWORD)
            .await
            .expect("ok");
        match outcome {
            LoginOutcome::Throttled { until_ms } => {
                assert_eq!(until_ms, last + delay_ms(FREE_ADDRESSES));
            }
            other => panic!("{email}: expected to wait, got {other:?}"),
        }
    }
    // Another client (another station's network) signs in as usual meanwhile.
    assert!(matches!(
        app.login(
            &from("198.51.100.20", last + 10),
            "applicant@qiaoyi.example",
            DEMO_PASSWORD
        )
        .await
        .expect("ok"),
        LoginOutcome::SignedIn { .. }
    ));
    // After the wait, a right password signs in; one more wrong address doubles the wait.
    let after = last + delay_ms(FREE_ADDRESSES);
    assert!(matches!(
        app.login(
            &from(sprayer, after),
            "applicant@qiaoyi.example",
            DEMO_PASSWORD
        )
        .await
        .expect("ok"),
        LoginOutcome::SignedIn { .. }
    ));
    assert!(matches!(
        app.login(
            &from(sprayer, after + 1),
            "another@example.org",
            "Summer2026!!"
        )
        .await
        .expect("ok"),
        LoginOutcome::Refused
    ));
    match app
        .login(
            &from(sprayer, after + 2),
            "applicant@qiaoyi.example",
            DEMO_PASSWORD,
        )
        .await
        .expect("ok")
    {
        LoginOutcome::Throttled { until_ms } => {
            assert_eq!(until_ms, after + 1 + delay_ms(FREE_ADDRESSES + 1));
        }
        other => panic!("expected to wait longer, got {other:?}"),
    }
    // The waits are in the audit log as refusals of the client, not failures of the accounts.
    let log = app
        .audit_log(
            &caller(
                &session(&app, "auditor@qiaoyi.example", after + 3).await,
                after + 3,
            ),
            &qiaoyi_store::AuditFilter {
                action: "login_throttled".into(),
                ..Default::default()
            },
            0,
            50,
        )
        .await
        .expect("log");
    assert_eq!(log.total, 3);
}

#[tokio::test]
async fn many_people_signing_in_behind_one_address_are_not_slowed() {
    use qiaoyi_app::domain::access::spraying::FREE_ADDRESSES;
    let (app, _s) = app().await;
    // A station's NAT: everyone signs in from one address, a few mistype once first.
    let station = "192.0.2.80";
    for (i, (email, _, _)) in qiaoyi_app::demo::DEMO_ACCOUNTS.iter().enumerate() {
        let now = T0 + i64::try_from(i).expect("few") * 10;
        if i64::try_from(i).expect("few") < FREE_ADDRESSES - 1 {
            assert!(matches!(
                app.login(&from(station, now), email, "a mistyped password")
                    .await
                    .expect("ok"),
                LoginOutcome::Refused
            ));
        }
        let outcome = app
            .login(&from(station, now + 1), email, DEMO_PASSWORD)
            .await
            .expect("ok");
        assert!(
            matches!(outcome, LoginOutcome::SignedIn { .. }),
            "{email}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn totp_secrets_are_sealed_at_rest_and_old_clear_ones_are_sealed_at_start() {
    let (app, store) = app().await;
    let officer = store
        .user_by_email("officer@qiaoyi.example")
        .await
        .expect("ok")
        .expect("officer");
    let stored = officer.totp_secret.clone().expect("enrolled");
    assert_ne!(stored, DEMO_TOTP_SECRET);
    assert!(!stored.contains(DEMO_TOTP_SECRET), "a backup would hold it");
    assert_eq!(app.seal_clear_totp_secrets().await.expect("ok"), 0);

    // A secret written in clear by an older version is sealed, and its codes still work.
    store
        .replace_totp_secret(&officer.id, DEMO_TOTP_SECRET)
        .await
        .expect("written in clear");
    assert_eq!(app.seal_clear_totp_secrets().await.expect("ok"), 1);
    let resealed = store
        .user_by_id(&officer.id)
        .await
        .expect("ok")
        .expect("officer")
        .totp_secret
        .expect("enrolled");
    assert!(!resealed.contains(DEMO_TOTP_SECRET));
    let (token, _) = sign_in(&app, "officer@qiaoyi.example", T0).await;
    let session = app.session(&token, T0).await.expect("ok").expect("session");
    let code = totp_code(DEMO_TOTP_SECRET, T0).expect("code");
    assert!(
        app.pass_second_factor(&caller(&session, T0), &code)
            .await
            .expect("ok")
    );
}

#[tokio::test]
async fn a_person_changes_her_password_with_the_current_one_and_her_other_sessions_end() {
    use qiaoyi_app::Reason;
    let (app, store) = app().await;
    const NEW: &str = "violet harbour lantern 1987";
    let (here, _) = sign_in(&app, "applicant@qiaoyi.example", T0).await;
    let (elsewhere, _) = sign_in(&app, "applicant@qiaoyi.example", T0 + 1).await;
    let session = app
        .session(&here, T0 + 2)
        .await
        .expect("ok")
        .expect("session");
    let me = caller(&session, T0 + 2);
    let refused = |result: Result<u64, AppError>| match result {
        Err(AppError::Invalid { field, reason, .. }) => (field, reason),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refused(
            app.change_password(&me, "not my password at all", NEW)
                .await
        ),
        ("current_password", Reason::Mismatch)
    );
    assert_eq!(
        refused(app.change_password(&me, DEMO_PASSWORD, DEMO_PASSWORD).await),
        ("new_password", Reason::Duplicate)
    );
    assert_eq!(
        refused(
            app.change_password(&me, DEMO_PASSWORD, "aaaaaaaaaaaa")
                .await
        ),
        ("new_password", Reason::TooWeak)
    );
    assert_eq!(
        refused(app.change_password(&me, DEMO_PASSWORD, "short").await),
        ("new_password", Reason::TooShort)
    );
    assert_eq!(
        app.change_password(&me, DEMO_PASSWORD, NEW)
            .await
            .expect("changed"),
        1
    );
    // This session goes on; the other one has ended; only the new password signs in.
    assert!(app.session(&here, T0 + 3).await.expect("ok").is_some());
    assert!(app.session(&elsewhere, T0 + 3).await.expect("ok").is_none());
    assert!(matches!(
        app.login(
            &anonymous(T0 + 4),
            "applicant@qiaoyi.example",
            DEMO_PASSWORD
        )
        .await
        .expect("ok"),
        LoginOutcome::Refused
    ));
    assert!(matches!(
        app.login(&anonymous(T0 + 5), "applicant@qiaoyi.example", NEW)
            .await
            .expect("ok"),
        LoginOutcome::SignedIn { .. }
    ));
    // She is told by e-mail, whatever channels she chose.
    let told: Vec<_> = store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "password-changed")
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(
        (told[0].channel.as_str(), told[0].recipient.as_str()),
        ("email", "applicant@qiaoyi.example")
    );

    // Someone with her session guessing the current password is stopped as at sign-in: wrong
    // passwords here and at sign-in count together, and once locked even the right one waits.
    let mut guesses = 0;
    loop {
        match refused(
            app.change_password(&caller(&session, T0 + 10 + guesses), "a guess at it", "x")
                .await,
        ) {
            ("current_password", Reason::Mismatch) => guesses += 1,
            ("current_password", Reason::AttemptsExhausted) => break,
            other => panic!("{other:?}"),
        }
        assert!(
            guesses <= qiaoyi_app::accounts::LOCK_THRESHOLD,
            "never stopped"
        );
    }
    assert_eq!(
        refused(
            app.change_password(
                &caller(&session, T0 + 20),
                NEW,
                "another long passphrase here"
            )
            .await
        ),
        ("current_password", Reason::AttemptsExhausted)
    );
}
