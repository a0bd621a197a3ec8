//! Administrators manage accounts after creating them: roles given and withdrawn, accounts
//! disabled and enabled, each audited, with the guards that keep the bureau from locking itself out.

use crate::common;

use common::{T0, anonymous, caller, demo_app, session};
use qiaoyi_app::accounts::{AccountRequest, LoginOutcome};
use qiaoyi_app::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use qiaoyi_app::domain::access::Grant;
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::role_requests::RoleDecision;
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
    assert_eq!(
        log.items[0].record.purpose,
        "duty_leader,officer:exit-entry"
    );
}

#[tokio::test]
async fn the_guards_refuse_what_would_lock_the_bureau_out() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, ADMIN, T0).await;
    let own = admin.actor.user_id.clone();
    let officer = session(&app, OFFICER, T0).await.actor.user_id;
    // Nobody changes her own roles, not even keeping her administrator role.
    assert!(matches!(
        app.set_grants(
            &caller(&admin, T0),
            &own,
            vec![grant("admin"), grant("auditor")]
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    for (id, grants, says) in [
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
        person: String::new(),
    };
    store
        .store
        .set_grants(
            &officer,
            &[("station".into(), "FR-XYZ".into())],
            &record,
            None,
        )
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

/// A second administrator, given at the command line (which needs no approval).
async fn second_admin(app: &qiaoyi_app::App) -> String {
    app.create_account(
        &anonymous(T0),
        AccountRequest {
            email: "admin2@qiaoyi.example",
            display_name: "Second administrator",
            password: DEMO_PASSWORD,
            grants: vec![grant("admin")],
            language: Lang::En,
            confirmed: true,
            totp_secret: Some(DEMO_TOTP_SECRET.into()),
        },
    )
    .await
    .expect("created at the command line")
}

/// The purposes of the audit entries of `action` on `account`, read by the auditor signing in at
/// `now` (a code is accepted once, so each read is in a 30-second step of its own).
async fn audited(app: &qiaoyi_app::App, action: &str, account: &str, now: i64) -> Vec<String> {
    let auditor = session(app, "auditor@qiaoyi.example", now).await;
    let filter = AuditFilter {
        action: action.into(),
        subject_id: account.into(),
        ..AuditFilter::default()
    };
    app.audit_log(&caller(&auditor, now), &filter, 0, 10)
        .await
        .expect("log")
        .items
        .into_iter()
        .map(|e| e.record.purpose)
        .collect()
}

#[tokio::test]
async fn far_reaching_roles_wait_for_a_second_administrator() {
    let (app, _s) = demo_app().await;
    second_admin(&app).await;
    let first = session(&app, ADMIN, T0).await;
    let second = session(&app, "admin2@qiaoyi.example", T0 + 31_000).await;
    let officer = session(&app, OFFICER, T0).await.actor.user_id;
    let officer_grants = |summary: &qiaoyi_app::admin::AccountSummary| summary.grants.clone();

    // The officer also becomes duty leader at once; administrator and care coordinator wait.
    let asked = app
        .set_grants(
            &caller(&first, T0),
            &officer,
            vec![
                grant("officer:exit-entry"),
                grant("duty_leader"),
                grant("admin"),
                grant("care_coordinator"),
            ],
        )
        .await
        .expect("asked");
    assert_eq!(
        officer_grants(&asked),
        vec!["duty_leader", "officer:exit-entry"]
    );
    let waiting = asked.awaiting.expect("waiting");
    assert_eq!(waiting.grants, vec!["admin", "care_coordinator"]);
    assert_eq!(waiting.proposed_by, first.actor.user_id);
    let listed = app
        .role_requests(&caller(&second, T0 + 31_000))
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, waiting.id);

    // Neither the administrator who asked nor anyone without the role decides it.
    for (who, now) in [
        (&first, T0),
        (&session(&app, OFFICER, T0 + 31_000).await, T0 + 31_000),
    ] {
        assert!(matches!(
            app.decide_role_request(&caller(who, now), &waiting.id, RoleDecision::Approve)
                .await,
            Err(AppError::Forbidden(_))
        ));
    }
    let approved = app
        .decide_role_request(
            &caller(&second, T0 + 31_000),
            &waiting.id,
            RoleDecision::Approve,
        )
        .await
        .expect("approved");
    assert_eq!(
        officer_grants(&approved),
        vec![
            "admin",
            "care_coordinator",
            "duty_leader",
            "officer:exit-entry"
        ]
    );
    assert!(approved.awaiting.is_none());
    // Decided once only.
    assert!(matches!(
        app.decide_role_request(
            &caller(&second, T0 + 31_000),
            &waiting.id,
            RoleDecision::Reject
        )
        .await,
        Err(AppError::Store(qiaoyi_store::StoreError::Conflict { .. }))
    ));
    assert_eq!(
        audited(&app, "roles_requested", &officer, T0 + 62_000).await,
        vec!["admin,care_coordinator"]
    );
    assert_eq!(
        audited(&app, "roles_approved", &officer, T0 + 93_000).await,
        vec!["admin,care_coordinator"]
    );

    // Withdrawing never waits.
    let withdrawn = app
        .set_grants(
            &caller(&first, T0),
            &officer,
            vec![grant("officer:exit-entry")],
        )
        .await
        .expect("withdrawn");
    assert_eq!(officer_grants(&withdrawn), vec!["officer:exit-entry"]);
    assert!(withdrawn.awaiting.is_none());
}

#[tokio::test]
async fn a_request_is_replaced_rejected_or_lapses_and_a_new_auditor_waits_with_no_role() {
    let (app, _s) = demo_app().await;
    let second_id = second_admin(&app).await;
    let first = session(&app, ADMIN, T0).await;
    let second = session(&app, "admin2@qiaoyi.example", T0 + 31_000).await;
    let officer = session(&app, OFFICER, T0).await.actor.user_id;
    let ask = |grants: Vec<Grant>| {
        let first = first.clone();
        let officer = officer.clone();
        let app = app.clone();
        async move {
            app.set_grants(&caller(&first, T0), &officer, grants)
                .await
                .expect("asked")
                .awaiting
                .expect("waiting")
                .id
        }
    };
    let replaced = ask(vec![grant("officer:exit-entry"), grant("admin")]).await;
    let newer = ask(vec![grant("officer:exit-entry"), grant("auditor")]).await;
    assert_ne!(replaced, newer);
    assert!(matches!(
        app.decide_role_request(
            &caller(&second, T0 + 31_000),
            &replaced,
            RoleDecision::Approve
        )
        .await,
        Err(AppError::Store(qiaoyi_store::StoreError::Conflict { .. }))
    ));
    let rejected = app
        .decide_role_request(&caller(&second, T0 + 31_000), &newer, RoleDecision::Reject)
        .await
        .expect("rejected");
    assert_eq!(rejected.grants, vec!["officer:exit-entry"]);
    assert!(rejected.awaiting.is_none());
    assert_eq!(
        audited(&app, "roles_rejected", &officer, T0 + 62_000).await,
        vec!["auditor"]
    );

    // A request a week old is not approved any more.
    let stale = ask(vec![grant("officer:exit-entry"), grant("care_coordinator")]).await;
    let week_later = T0 + 7 * 24 * 3600 * 1000;
    let second_later = session(&app, "admin2@qiaoyi.example", week_later).await;
    assert!(matches!(
        app.decide_role_request(
            &caller(&second_later, week_later),
            &stale,
            RoleDecision::Approve
        )
        .await,
        Err(AppError::Invalid {
            reason: qiaoyi_app::Reason::Lapsed,
            ..
        })
    ));

    // A new auditor created by an administrator has no role until a second one approves.
    let created = app
        .create_account(
            &caller(&first, T0),
            AccountRequest {
                email: "new.auditor@qiaoyi.example",
                display_name: "New auditor",
                password: "a long enough passphrase here",
                grants: vec![grant("auditor")],
                language: Lang::En,
                confirmed: true,
                totp_secret: None,
            },
        )
        .await
        .expect("created");
    let account = app
        .account(&caller(&second, T0 + 31_000), &created)
        .await
        .expect("account");
    assert!(account.grants.is_empty());
    let waiting = account.awaiting.expect("waiting");
    assert_eq!(waiting.grants, vec!["auditor"]);
    // The second administrator cannot approve roles asked for herself either.
    let for_herself = app
        .set_grants(
            &caller(&first, T0),
            &second_id,
            vec![grant("admin"), grant("care_coordinator")],
        )
        .await
        .expect("asked")
        .awaiting
        .expect("waiting");
    assert!(matches!(
        app.decide_role_request(
            &caller(&second, T0 + 31_000),
            &for_herself.id,
            RoleDecision::Approve
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    let approved = app
        .decide_role_request(
            &caller(&second, T0 + 31_000),
            &waiting.id,
            RoleDecision::Approve,
        )
        .await
        .expect("approved");
    assert_eq!(approved.grants, vec!["auditor"]);
}
