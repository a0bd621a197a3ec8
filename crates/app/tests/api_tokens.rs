//! API tokens: made by administrators with a fresh second factor, acting with their one role,
//! refused at once when revoked or expired, never deciding, their use noted and audited.

use qiaoyi_app::accounts::{CurrentSession, SecondFactor};
use qiaoyi_app::api_tokens::{IssuedToken, TokenRequest, USE_NOTED_EVERY_MS};
use qiaoyi_app::cases::CaseList;
use qiaoyi_app::domain::access::api_tokens::TokenState;
use qiaoyi_app::domain::access::{Action, Grant, Resource};
use qiaoyi_app::{App, AppError, AuditFilter, Caller, Reason};

use crate::common::{T0, caller, client, demo_app, session};

const DAY: i64 = 86_400_000;

fn request(grant: &str, days: u32) -> TokenRequest<'static> {
    TokenRequest {
        service: "Rome station kiosk",
        name: "2026",
        grant: Grant::parse_text(grant).expect("grant"),
        days,
    }
}

async fn issue(app: &App, admin: &CurrentSession, grant: &str) -> IssuedToken {
    app.create_api_token(&caller(admin, T0), request(grant, 30))
        .await
        .expect("token")
}

async fn as_token(app: &App, secret: &str, now: i64) -> Option<Caller> {
    app.api_token_session(secret, &client(), now)
        .await
        .expect("lookup")
        .map(|s| Caller::signed_in(s, client(), now))
}

async fn audited(app: &App, auditor: &CurrentSession, action: &str, token: &str) -> u64 {
    let filter = AuditFilter {
        action: action.into(),
        subject_id: token.into(),
        ..AuditFilter::default()
    };
    app.audit_log(&caller(auditor, T0), &filter, 0, 10)
        .await
        .expect("log")
        .total
}

#[tokio::test]
async fn a_token_acts_with_its_one_role_and_nothing_of_a_person() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let auditor = session(&app, "auditor@qiaoyi.example", T0).await;
    let issued = issue(&app, &admin, "station:IT-ROM").await;
    assert!(issued.secret.starts_with("qyt_") && issued.secret.len() == 68);
    assert!(!format!("{issued:?}").contains(&issued.secret));
    assert_eq!(issued.token.expires_at, T0 + 30 * DAY);
    assert_eq!(issued.token.created_by_name, "系统管理员");
    assert_eq!(
        audited(&app, &auditor, "api_token_created", &issued.token.id).await,
        1
    );

    let kiosk = as_token(&app, &issued.secret, T0 + 1_000)
        .await
        .expect("in force");
    let session = kiosk.session().expect("session");
    assert_eq!(session.second_factor, SecondFactor::Token);
    assert_eq!(
        session.actor.grants,
        vec![Grant::parse_text("station:IT-ROM").expect("grant")]
    );
    let station = app
        .cases(&kiosk, CaseList::Station, 0, 50)
        .await
        .expect("the station's list");
    assert!(station.total > 0, "the demo's Rome cases");
    // Another station's role, an administrator's or a person's own are not the token's.
    assert!(matches!(
        app.api_tokens(&kiosk, 0, 10).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.cases(&kiosk, CaseList::Mine, 0, 10).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_token_never_decides() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let issued = issue(&app, &admin, "officer:exit-entry").await;
    let officer = as_token(&app, &issued.secret, T0).await.expect("in force");
    let ee = "exit-entry".parse().expect("category");
    let case = Resource::Case {
        id: "case-1",
        applicant: "someone",
        agent: "",
        filed_by: "someone",
        station: None,
        category: &ee,
    };
    app.authorize(&officer, Action::ProcessCase, &case)
        .await
        .expect("processing is the role's");
    assert!(matches!(
        app.authorize(&officer, Action::DecideCase, &case).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn only_an_administrator_with_a_fresh_second_factor_makes_one() {
    let (app, _s) = demo_app().await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    assert!(matches!(
        app.create_api_token(&caller(&officer, T0), request("station:IT-ROM", 30))
            .await,
        Err(AppError::Forbidden(_))
    ));
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let later = T0 + 11 * 60_000;
    assert!(matches!(
        app.create_api_token(&caller(&admin, later), request("station:IT-ROM", 30))
            .await,
        Err(AppError::FreshSecondFactorRequired)
    ));
    assert!(matches!(
        app.api_tokens(&Caller::anonymous(client(), T0), 0, 10)
            .await,
        Err(AppError::Unauthenticated)
    ));
    let now = caller(&admin, T0);
    let refused = |r: Result<IssuedToken, AppError>| match r {
        Err(AppError::Invalid { field, reason, .. }) => (field, reason),
        other => panic!("refused, not {other:?}"),
    };
    assert_eq!(
        refused(app.create_api_token(&now, request("admin", 30)).await),
        ("grant", Reason::RoleNotAllowed)
    );
    assert_eq!(
        refused(app.create_api_token(&now, request("auditor", 30)).await),
        ("grant", Reason::RoleNotAllowed)
    );
    assert_eq!(
        refused(
            app.create_api_token(&now, request("station:IT-ROM", 0))
                .await
        ),
        ("days", Reason::OutOfRange)
    );
    assert!(matches!(
        app.create_api_token(&now, request("station:ZZ-NOP", 30))
            .await,
        Err(AppError::Invalid { .. })
    ));
    let blank = TokenRequest {
        service: " ",
        ..request("station:IT-ROM", 30)
    };
    assert_eq!(
        refused(app.create_api_token(&now, blank).await),
        ("service", Reason::Malformed)
    );
    assert_eq!(app.api_tokens(&now, 0, 10).await.expect("list").total, 0);
}

#[tokio::test]
async fn a_revoked_or_expired_token_is_refused_at_once_and_audited() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let auditor = session(&app, "auditor@qiaoyi.example", T0).await;
    let issued = issue(&app, &admin, "station:IT-ROM").await;
    let id = issued.token.id.clone();
    assert!(as_token(&app, &issued.secret, T0).await.is_some());
    let revoked = app
        .revoke_api_token(&caller(&admin, T0 + 5_000), &id)
        .await
        .expect("revoked");
    assert_eq!(revoked.state(T0 + 5_000), TokenState::Revoked);
    assert!(as_token(&app, &issued.secret, T0 + 5_001).await.is_none());
    assert_eq!(audited(&app, &auditor, "api_token_revoked", &id).await, 1);
    assert_eq!(audited(&app, &auditor, "api_token_refused", &id).await, 1);
    // Revoking again changes nothing and records nothing.
    let again = app
        .revoke_api_token(&caller(&admin, T0 + 9_000), &id)
        .await
        .expect("still revoked");
    assert_eq!(again.revoked_at, Some(T0 + 5_000));
    assert_eq!(audited(&app, &auditor, "api_token_revoked", &id).await, 1);
    assert!(matches!(
        app.revoke_api_token(&caller(&admin, T0), "t-nosuchtoken")
            .await,
        Err(AppError::NotFound(_))
    ));

    let other = issue(&app, &admin, "consultant").await;
    let end = other.token.expires_at;
    assert!(as_token(&app, &other.secret, end - 1).await.is_some());
    assert!(as_token(&app, &other.secret, end).await.is_none());
    assert_eq!(
        audited(&app, &auditor, "api_token_refused", &other.token.id).await,
        1
    );
    // What is not one of ours is no one, and leaves nothing in the log.
    let forged = format!("qyt_{}", "0".repeat(64));
    assert!(as_token(&app, &forged, T0).await.is_none());
    assert!(as_token(&app, "Bearer", T0).await.is_none());
}

#[tokio::test]
async fn use_is_noted_and_audited_once_a_minute() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let auditor = session(&app, "auditor@qiaoyi.example", T0).await;
    let issued = issue(&app, &admin, "duty_leader").await;
    let id = issued.token.id.clone();
    for at in [T0, T0 + 1_000, T0 + 30_000] {
        assert!(as_token(&app, &issued.secret, at).await.is_some());
    }
    assert_eq!(audited(&app, &auditor, "api_token_used", &id).await, 1);
    assert!(
        as_token(&app, &issued.secret, T0 + USE_NOTED_EVERY_MS)
            .await
            .is_some()
    );
    assert_eq!(audited(&app, &auditor, "api_token_used", &id).await, 2);
    let listed = app
        .api_tokens(&caller(&admin, T0), 0, 10)
        .await
        .expect("list");
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].last_used_at, Some(T0 + USE_NOTED_EVERY_MS));
    assert_eq!(listed.items[0].last_used_from, "127.0.0.1");
}
