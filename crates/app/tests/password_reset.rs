//! Setting a forgotten password, on both backends: a link by e-mail (the same answer for every
//! address, once, within 30 minutes), a code handed over at a desk after an identity check (by
//! the roles that may, audited and on the person's access log), and an administrator resetting a
//! lost authenticator.

use crate::common::{T0, anonymous, caller, demo_app as app, session};
use qiaoyi_app::accounts::{LoginOutcome, RESET_LINK_VALID_MS, SecondFactor, SendBy};
use qiaoyi_app::demo::DEMO_PASSWORD;
use qiaoyi_app::{App, AppError, Reason};
use qiaoyi_store::Store;

const NEW: &str = "violet harbour lantern 1987";

/// The reset links queued for `email`, newest last.
async fn links(store: &Store, email: &str) -> Vec<String> {
    store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "password-reset" && m.recipient == email)
        .map(|m| {
            let params: serde_json::Value = serde_json::from_str(&m.params).expect("JSON");
            params["link"].as_str().expect("a link").to_owned()
        })
        .collect()
}

fn token_of(link: &str) -> String {
    link.rsplit('/')
        .next()
        .and_then(|t| t.split('?').next())
        .expect("a token")
        .to_owned()
}

fn refusal<T: std::fmt::Debug>(result: Result<T, AppError>) -> (&'static str, Reason) {
    match result {
        Err(AppError::Invalid { field, reason, .. }) => (field, reason),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A new session's token for a demo account (before any second factor).
async fn token(app: &App, email: &str, now: i64) -> String {
    match app
        .login(&anonymous(now), email, DEMO_PASSWORD)
        .await
        .expect("ok")
    {
        LoginOutcome::SignedIn { token, .. } => token,
        other => panic!("{other:?}"),
    }
}

async fn signs_in_with(app: &App, email: &str, password: &str, now: i64) -> bool {
    matches!(
        app.login(&anonymous(now), email, password)
            .await
            .expect("ok"),
        LoginOutcome::SignedIn { .. }
    )
}

#[tokio::test]
async fn a_link_by_e_mail_sets_a_new_password_once_within_its_time() {
    let (app, store) = app().await;
    const ME: &str = "applicant@qiaoyi.example";
    let elsewhere = token(&app, ME, T0).await;

    // An unknown address gets the same answer, and nothing is sent.
    app.request_password_reset(&anonymous(T0), "nobody@qiaoyi.example", SendBy::Email)
        .await
        .expect("the same answer");
    assert_eq!(
        refusal(
            app.request_password_reset(&anonymous(T0), "not an address", SendBy::Email)
                .await
        ),
        ("email", Reason::Malformed)
    );
    app.request_password_reset(&anonymous(T0), " Applicant@Qiaoyi.example ", SendBy::Email)
        .await
        .expect("sent");
    let sent = links(&store, ME).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("/password/reset/"), "{}", sent[0]);
    let token = token_of(&sent[0]);
    assert!(app.reset_link_works(&token, T0 + 1).await.expect("ok"));
    assert!(!app.reset_link_works("0123abcd", T0 + 1).await.expect("ok"));

    assert_eq!(
        refusal(
            app.reset_password_with_link(&anonymous(T0 + 1), &token, "aaaaaaaaaaaa")
                .await
        ),
        ("new_password", Reason::TooWeak)
    );
    app.reset_password_with_link(&anonymous(T0 + 2), &token, NEW)
        .await
        .expect("set");
    assert!(signs_in_with(&app, ME, NEW, T0 + 3).await);
    assert!(!signs_in_with(&app, ME, DEMO_PASSWORD, T0 + 4).await);
    assert!(
        app.session(&elsewhere, T0 + 3).await.expect("ok").is_none(),
        "every session ended"
    );
    assert_eq!(
        refusal(
            app.reset_password_with_link(&anonymous(T0 + 5), &token, "another good passphrase 42")
                .await
        ),
        ("token", Reason::Lapsed),
        "a link works once"
    );

    // A newer link replaces the older; links older than 30 minutes no longer work.
    app.request_password_reset(&anonymous(T0 + 10), ME, SendBy::Email)
        .await
        .expect("sent");
    app.request_password_reset(&anonymous(T0 + 11), ME, SendBy::Email)
        .await
        .expect("sent");
    let sent = links(&store, ME).await;
    let (older, newer) = (token_of(&sent[1]), token_of(&sent[2]));
    assert!(!app.reset_link_works(&older, T0 + 12).await.expect("ok"));
    assert!(
        !app.reset_link_works(&newer, T0 + 11 + RESET_LINK_VALID_MS)
            .await
            .expect("ok")
    );
    assert_eq!(
        refusal(
            app.reset_password_with_link(&anonymous(T0 + 11 + RESET_LINK_VALID_MS), &newer, NEW)
                .await
        ),
        ("token", Reason::Lapsed)
    );

    // Three links an hour: a fourth ask is answered the same and sends nothing.
    app.request_password_reset(&anonymous(T0 + 20), ME, SendBy::Email)
        .await
        .expect("the same answer");
    assert_eq!(links(&store, ME).await.len(), 3);
}

#[tokio::test]
async fn a_desk_code_is_made_by_who_may_after_an_identity_check_and_shown_to_her() {
    let (app, _s) = app().await;
    const ME: &str = "applicant@qiaoyi.example";
    let clerk = session(&app, "station.rome@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let applicant = session(&app, ME, T0).await;

    assert_eq!(
        refusal(
            app.issue_reset_code(&caller(&clerk, T0), ME, "by phone")
                .await
        ),
        ("check", Reason::Malformed)
    );
    assert_eq!(
        refusal(
            app.issue_reset_code(&caller(&clerk, T0), "nobody@qiaoyi.example", "in_person")
                .await
        ),
        ("email", Reason::Malformed)
    );
    // Not for staff accounts at a desk, not for people's by an administrator, never by an
    // applicant, never one's own.
    for (who, email) in [
        (&clerk, "officer@qiaoyi.example"),
        (&admin, ME),
        (&applicant, "mother@qiaoyi.example"),
        (&officer, "officer@qiaoyi.example"),
    ] {
        assert!(
            matches!(
                app.issue_reset_code(&caller(who, T0), email, "in_person")
                    .await,
                Err(AppError::Forbidden(_))
            ),
            "{email}"
        );
    }
    let issued = app
        .issue_reset_code(&caller(&clerk, T0 + 1), ME, "in_person")
        .await
        .expect("made");
    assert_eq!(issued.code.len(), 11);
    app.issue_reset_code(&caller(&admin, T0 + 1), "officer@qiaoyi.example", "video")
        .await
        .expect("an administrator resets staff");

    // Wrong codes are refused like wrong passwords; the right one works once, typed any way.
    assert_eq!(
        refusal(
            app.reset_password_with_code(&anonymous(T0 + 2), ME, "AAAAA-AAAAA", NEW)
                .await
        ),
        ("code", Reason::Mismatch)
    );
    let typed = issued.code.to_lowercase().replace('-', " ");
    app.reset_password_with_code(&anonymous(T0 + 3), ME, &typed, NEW)
        .await
        .expect("set");
    assert!(signs_in_with(&app, ME, NEW, T0 + 4).await);
    assert_eq!(
        refusal(
            app.reset_password_with_code(&anonymous(T0 + 5), ME, &issued.code, NEW)
                .await
        ),
        ("code", Reason::Mismatch)
    );

    // She sees who made it, and how her identity was checked.
    let LoginOutcome::SignedIn { token: mine, .. } =
        app.login(&anonymous(T0 + 6), ME, NEW).await.expect("ok")
    else {
        panic!("signs in with the new password");
    };
    let me = app
        .session(&mine, T0 + 6)
        .await
        .expect("ok")
        .expect("her session");
    let log = app
        .who_read_my_file(&caller(&me, T0 + 6), 0, 50)
        .await
        .expect("log");
    let line = log
        .items
        .iter()
        .find(|a| a.action == "password_reset_code_issued")
        .expect("on her access log");
    assert_eq!(
        (line.role.as_str(), line.purpose.as_str()),
        ("station", "in_person")
    );
}

#[tokio::test]
async fn wrong_desk_codes_lock_the_address_from_this_client() {
    let (app, _s) = app().await;
    const ME: &str = "applicant@qiaoyi.example";
    let mut last = None;
    for n in 0..8 {
        last = Some(refusal(
            app.reset_password_with_code(&anonymous(T0 + n), ME, "AAAAA-AAAAA", NEW)
                .await,
        ));
        if last == Some(("code", Reason::AttemptsExhausted)) {
            break;
        }
    }
    assert_eq!(last, Some(("code", Reason::AttemptsExhausted)));
}

#[tokio::test]
async fn an_administrator_resets_a_lost_authenticator_with_a_reason() {
    let (app, store) = app().await;
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let officer_token = token(&app, "officer@qiaoyi.example", T0).await;
    let id = officer.actor.user_id.clone();
    assert_eq!(
        refusal(
            app.reset_second_factor(&caller(&admin, T0), &id, "  ")
                .await
        ),
        ("reason", Reason::Malformed)
    );
    for (who, account) in [(&officer, &id), (&admin, &admin.actor.user_id)] {
        assert!(matches!(
            app.reset_second_factor(&caller(who, T0), account, "lost her phone")
                .await,
            Err(AppError::Forbidden(_))
        ));
    }
    app.reset_second_factor(
        &caller(&admin, T0 + 1),
        &id,
        "lost her phone; seen in person with her badge",
    )
    .await
    .expect("reset");
    assert!(
        app.session(&officer_token, T0 + 2)
            .await
            .expect("ok")
            .is_none(),
        "her sessions ended"
    );
    match app
        .login(&anonymous(T0 + 3), "officer@qiaoyi.example", DEMO_PASSWORD)
        .await
        .expect("ok")
    {
        LoginOutcome::SignedIn { second_factor, .. } => {
            assert_eq!(second_factor, SecondFactor::Enrol)
        }
        other => panic!("{other:?}"),
    }
    let told = store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "second-factor-reset" && m.recipient == "officer@qiaoyi.example")
        .count();
    assert_eq!(told, 1);
}

#[tokio::test]
async fn a_code_by_text_message_goes_to_the_number_on_file_only_and_stops_after_five_wrong() {
    let (app, store) = app().await;
    const ME: &str = "applicant@qiaoyi.example";
    let sms = |store: &qiaoyi_store::Store| {
        let store = store.clone();
        async move {
            store
                .pending_messages(1000)
                .await
                .expect("outbox")
                .into_iter()
                .filter(|m| m.template == "password-reset-code")
                .collect::<Vec<_>>()
        }
    };
    // No number on file: the same answer, nothing sent.
    app.request_password_reset(&anonymous(T0), ME, SendBy::Sms)
        .await
        .expect("the same answer");
    assert!(sms(&store).await.is_empty());

    let me = session(&app, ME, T0).await;
    app.save_my_notification_settings(
        &caller(&me, T0),
        &qiaoyi_app::reminders::SettingsForm {
            email_enabled: true,
            sms_enabled: false,
            sms_number: "+393331234567".into(),
            own_reminders: true,
            family_reminders: true,
            language: String::new(),
            wechat_enabled: false,
        },
    )
    .await
    .expect("saved");
    app.request_password_reset(&anonymous(T0 + 1), ME, SendBy::Sms)
        .await
        .expect("sent");
    let sent = sms(&store).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].channel.as_str(), sent[0].recipient.as_str()),
        ("sms", "+393331234567")
    );
    let params: serde_json::Value = serde_json::from_str(&sent[0].params).expect("JSON");
    let code = params["code"].as_str().expect("a code").to_owned();

    // Five wrong codes, from anywhere, end it: the right one no longer works.
    for n in 0..5 {
        let from = qiaoyi_app::Caller::anonymous(
            qiaoyi_app::accounts::Client {
                address: format!("203.0.113.{n}"),
            },
            T0 + 2 + n,
        );
        assert_eq!(
            refusal(
                app.reset_password_with_code(&from, ME, "00000000", NEW)
                    .await
            ),
            ("code", Reason::Mismatch)
        );
    }
    assert_eq!(
        refusal(
            app.reset_password_with_code(&anonymous(T0 + 10), ME, &code, NEW)
                .await
        ),
        ("code", Reason::Mismatch)
    );

    // A new one works, once.
    app.request_password_reset(&anonymous(T0 + 11), ME, SendBy::Sms)
        .await
        .expect("sent");
    let sent = sms(&store).await;
    let params: serde_json::Value = serde_json::from_str(&sent[1].params).expect("JSON");
    let code = params["code"].as_str().expect("a code").to_owned();
    app.reset_password_with_code(&anonymous(T0 + 12), ME, &code, NEW)
        .await
        .expect("set");
    assert!(signs_in_with(&app, ME, NEW, T0 + 13).await);
}
