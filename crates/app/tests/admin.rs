//! Administrators manage accounts after creating them: roles given and withdrawn, accounts
//! disabled and enabled, each audited, with the guards that keep the bureau from locking itself out.

use crate::common;

use common::{T0, anonymous, caller, demo_app, session};
use qiaoyi_app::accounts::{AccountRequest, LoginOutcome};
use qiaoyi_app::demo::DEMO_PASSWORD;
use qiaoyi_app::domain::access::Grant;
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::{AppError, AuditFilter};

const ADMIN: &str = "admin@qiaoyi.example";
const OFFICER: &str = "officer@qiaoyi.example";

fn grant(text: &str) -> Grant {
    Grant::parse_text(text).expect("grant")
}

#[tokio::test]
async fn roles_given_and_withdrawn_take_effect_at_once_and_are_audited() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, ADMIN, T0).await;
    // The officer is signed in (no second factor yet) while the roles change.
    let LoginOutcome::SignedIn { token, .. } = app
        .login(&anonymous(T0), OFFICER, DEMO_PASSWORD)
        .await
        .expect("login")
    else {
        panic!("officer signs in");
    };
    let open = |now| app.session(&token, now);
    let officer = open(T0).await.expect("ok").expect("session");
    let id = officer.actor.user_id.clone();
    assert!(!officer.actor.grants.contains(&grant("duty_leader")));
    let changed = app
        .set_grants(
            &caller(&admin, T0),
            &id,
            vec![
                grant("officer:exit-entry"),
                grant("duty_leader"),
                grant("duty_leader"),
            ],
        )
        .await
        .expect("changed");
    assert_eq!(changed.grants, vec!["duty_leader", "officer:exit-entry"]);
    // The officer's open session carries the new role on its next request.
    let later = open(T0 + 1000).await.expect("ok").expect("session");
    assert!(later.actor.grants.contains(&grant("duty_leader")));

    let auditor = session(&app, "auditor@qiaoyi.example", T0).await;
    let filter = AuditFilter {
        action: "roles_changed".into(),
        subject_id: id.clone(),
        ..AuditFilter::default()
    };
    let log = app
        .audit_log(&caller(&auditor, T0), &filter, 0, 10)
        .await
        .expect("log");
    assert_eq!(log.total, 1);
    assert_eq!(log.items[0].purpose, "duty_leader,officer:exit-entry");
}

#[tokio::test]
async fn the_guards_refuse_what_would_lock_the_bureau_out() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, ADMIN, T0).await;
    let own = admin.actor.user_id.clone();
    let officer = session(&app, OFFICER, T0).await.actor.user_id;
    for (id, grants, says) in [
        (own.as_str(), vec![grant("auditor")], "own administrator"),
        (officer.as_str(), vec![], "at least one role"),
        (
            officer.as_str(),
            vec![grant("station:FR-XYZ")],
            "no station FR-XYZ",
        ),
        (
            officer.as_str(),
            vec![grant("officer:no-such-category")],
            "no category",
        ),
    ] {
        match app.set_grants(&caller(&admin, T0), id, grants).await {
            Err(AppError::Invalid {
                field: "roles",
                message,
                ..
            }) => {
                assert!(message.contains(says), "{message}");
            }
            other => panic!("{says}: expected a refusal, got {other:?}"),
        }
    }
    assert!(matches!(
        app.set_account_disabled(&caller(&admin, T0), &own, true)
            .await,
        Err(AppError::Invalid {
            field: "disabled",
            ..
        })
    ));
    assert!(matches!(
        app.set_grants(&caller(&admin, T0), "u-nobody", vec![grant("admin")])
            .await,
        Err(AppError::NotFound(_))
    ));
    // A new account's scopes are checked the same way.
    let request = AccountRequest {
        email: "clerk@qiaoyi.example",
        display_name: "Clerk",
        password: "a long enough passphrase here",
        grants: vec![grant("station:FR-XYZ")],
        language: Lang::Zh,
        confirmed: true,
        totp_secret: None,
    };
    assert!(matches!(
        app.create_account(&caller(&admin, T0), request).await,
        Err(AppError::Invalid { field: "roles", .. })
    ));
    // Only administrators.
    // A code is accepted once: the officer signs in again in the next 30-second step.
    let officer_session = session(&app, OFFICER, T0 + 31_000).await;
    assert!(matches!(
        app.set_account_disabled(&caller(&officer_session, T0 + 31_000), &own, true)
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.set_grants(&anonymous(T0), &officer, vec![grant("admin")])
            .await,
        Err(AppError::Unauthenticated)
    ));
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_cannot_sign_in_until_enabled() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, ADMIN, T0).await;
    let LoginOutcome::SignedIn { token, .. } = app
        .login(&anonymous(T0), OFFICER, DEMO_PASSWORD)
        .await
        .expect("login")
    else {
        panic!("officer signs in");
    };
    let id = app
        .session(&token, T0)
        .await
        .expect("ok")
        .expect("session")
        .actor
        .user_id;
    let disabled = app
        .set_account_disabled(&caller(&admin, T0), &id, true)
        .await
        .expect("disabled");
    assert!(disabled.disabled);
    assert!(app.session(&token, T0 + 1000).await.expect("ok").is_none());
    assert!(matches!(
        app.login(&anonymous(T0 + 2000), OFFICER, DEMO_PASSWORD)
            .await
            .expect("ok"),
        LoginOutcome::Disabled
    ));
    // A wrong password still reads as a wrong password: the state is not told to strangers.
    assert!(matches!(
        app.login(&anonymous(T0 + 3000), OFFICER, "not the password at all")
            .await
            .expect("ok"),
        LoginOutcome::Refused
    ));
    app.set_account_disabled(&caller(&admin, T0 + 4000), &id, false)
        .await
        .expect("enabled");
    assert!(matches!(
        app.login(&anonymous(T0 + 5000), OFFICER, DEMO_PASSWORD)
            .await
            .expect("ok"),
        LoginOutcome::SignedIn { .. }
    ));
}

#[tokio::test]
async fn a_role_for_a_station_since_removed_does_not_block_other_changes() {
    let (app, store) = demo_app().await;
    let admin = session(&app, ADMIN, T0).await;
    let officer = session(&app, OFFICER, T0).await.actor.user_id;
    // As left by a catalogue import that dropped a station the account was scoped to.
    let record = qiaoyi_app::domain::access::audit::AuditRecord {
        seq: 0,
        at_ms: T0,
        actor: String::new(),
        role: String::new(),
        station: String::new(),
        action: "test_fixture".into(),
        subject_type: "account".into(),
        subject_id: officer.clone(),
        purpose: String::new(),
        outcome: "ok".into(),
        client: String::new(),
    };
    store
        .store
        .set_grants(&officer, &[("station".into(), "FR-XYZ".into())], &record)
        .await
        .expect("fixture");
    let kept = app
        .set_grants(
            &caller(&admin, T0),
            &officer,
            vec![grant("station:FR-XYZ"), grant("duty_leader")],
        )
        .await
        .expect("the old role does not block a new one");
    assert_eq!(kept.grants, vec!["duty_leader", "station:FR-XYZ"]);
    assert!(matches!(
        app.set_grants(&caller(&admin, T0), &officer, vec![grant("station:FR-ABC")])
            .await,
        Err(AppError::Invalid { field: "roles", .. })
    ));
}
