//! The green channel through the use cases, on whichever database the test store gives: a request
//! with evidence from a case's page to a delivered case, escalation when the clock passes the
//! limit (an injected clock, never a sleep), decisions by duty leaders with a fresh second factor,
//! refusals without reasons, evidence of the wrong type, people who may not ask or decide.

use crate::common;

use common::{PDF, T0, caller, demo_app as app, session};
use qiaoyi_app::AppError;
use qiaoyi_app::accounts::CurrentSession;
use qiaoyi_app::cases::{Case, CaseList, CaseRequest, StepRequest};
use qiaoyi_app::domain::access::Role;
use qiaoyi_app::domain::green_channel::RequestState;
use qiaoyi_app::green_channel::{GreenDecisionInput, GreenRequestInput};
use qiaoyi_app::{App, StoreError};

const MINUTE: i64 = 60_000;

/// The applicant's passport renewal, sent to the bureau.
async fn submitted_case(app: &App, applicant: &CurrentSession) -> Case {
    let person = app
        .my_persons(&caller(applicant, T0))
        .await
        .expect("persons")
        .into_iter()
        .find(|p| p.relation.as_str() == "self")
        .expect("herself");
    let request = CaseRequest {
        item: "EC-01".into(),
        person: person.id,
        delivery: "window".into(),
        // The demo may have one under way for her already.
        duplicate_ok: true,
        ..CaseRequest::default()
    };
    common::submitted(app, applicant, &request).await
}

async fn step(app: &App, who: &CurrentSession, id: &str, name: &str, now: i64) -> Case {
    let version = app
        .case(&caller(who, now), id)
        .await
        .expect("read")
        .case
        .version;
    let request = StepRequest {
        step: name.into(),
        expected_version: version,
        reason: String::new(),
        ..StepRequest::default()
    };
    app.step_case(&caller(who, now), id, &request)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn bereavement() -> GreenRequestInput {
    GreenRequestInput {
        ground: "bereavement".into(),
        statement: "我父亲在罗马去世，需要尽快回国办理后事。".into(),
    }
}

#[tokio::test]
async fn a_request_escalates_is_approved_heads_the_queue_and_its_case_is_delivered() {
    let (app, store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let case = submitted_case(&app, &applicant).await;

    // Evidence of the wrong type and a statement too short are refused; nothing is written.
    let refused = app
        .request_green_channel(
            &caller(&applicant, T0),
            &case.id,
            &bereavement(),
            Some(("death.pdf", b"MZ not a pdf".as_slice())),
        )
        .await;
    assert!(
        matches!(refused, Err(AppError::Invalid { field: "file", .. })),
        "{refused:?}"
    );
    let short = GreenRequestInput {
        ground: "bereavement".into(),
        statement: "urgent".into(),
    };
    let refused = app
        .request_green_channel(&caller(&applicant, T0), &case.id, &short, None)
        .await;
    assert!(matches!(
        refused,
        Err(AppError::Invalid {
            field: "statement",
            ..
        })
    ));
    assert!(
        app.green_requests_of_case(&case.id)
            .await
            .expect("list")
            .is_empty()
    );

    let request = app
        .request_green_channel(
            &caller(&applicant, T0),
            &case.id,
            &bereavement(),
            Some(("death-certificate.pdf", PDF)),
        )
        .await
        .expect("requested");
    assert_eq!(request.evidence, 1);
    assert_eq!(request.requested_role, Some(Role::Applicant));
    // One open request per case.
    let twice = app
        .request_green_channel(&caller(&applicant, T0), &case.id, &bereavement(), None)
        .await;
    assert!(
        matches!(twice, Err(AppError::Store(StoreError::Conflict { .. }))),
        "{twice:?}"
    );
    // The duty leader was told, in her language.
    let told = |template: &'static str| {
        let store = &store;
        async move {
            store
                .pending_messages(1000)
                .await
                .expect("outbox")
                .into_iter()
                .filter(|m| m.template == template && m.recipient == "duty@qiaoyi.example")
                .count()
        }
    };
    assert_eq!(told("green-channel-requested").await, 1);

    // Not yet due: nothing escalates one minute before the limit; after it, once.
    assert_eq!(
        app.escalate_green_channels(T0 + 119 * MINUTE)
            .await
            .expect("run"),
        0
    );
    let leader = session(&app, "duty@qiaoyi.example", T0 + 119 * MINUTE).await;
    let board = app
        .green_board(&caller(&leader, T0 + 119 * MINUTE))
        .await
        .expect("board");
    assert_eq!(board.waiting.len(), 1);
    assert_eq!(board.waiting[0].minutes_left, 1);
    assert!(!board.waiting[0].escalated);
    assert_eq!(
        app.escalate_green_channels(T0 + 121 * MINUTE)
            .await
            .expect("run"),
        1
    );
    assert_eq!(
        app.escalate_green_channels(T0 + 122 * MINUTE)
            .await
            .expect("run"),
        0
    );
    assert_eq!(told("green-channel-escalated").await, 1);
    let board = app
        .green_board(&caller(&leader, T0 + 122 * MINUTE))
        .await
        .expect("board");
    assert!(board.waiting[0].escalated, "the board marks it red");

    // Deciding needs a second factor passed minutes ago, and a refusal needs its reason.
    let approve = GreenDecisionInput {
        decision: "approve".into(),
        days: None,
        reason: String::new(),
    };
    let stale = app
        .decide_green_channel(&caller(&leader, T0 + 140 * MINUTE), &request.id, &approve)
        .await;
    assert!(
        matches!(stale, Err(AppError::FreshSecondFactorRequired)),
        "{stale:?}"
    );
    let now = T0 + 141 * MINUTE;
    let leader = session(&app, "duty@qiaoyi.example", now).await;
    let no_reason = GreenDecisionInput {
        decision: "refuse".into(),
        days: None,
        reason: " ".into(),
    };
    let r = app
        .decide_green_channel(&caller(&leader, now), &request.id, &no_reason)
        .await;
    assert!(
        matches!(
            r,
            Err(AppError::Invalid {
                field: "reason",
                ..
            })
        ),
        "{r:?}"
    );
    let too_long = GreenDecisionInput {
        days: Some(30),
        ..approve.clone()
    };
    let r = app
        .decide_green_channel(&caller(&leader, now), &request.id, &too_long)
        .await;
    assert!(
        matches!(r, Err(AppError::Invalid { field: "days", .. })),
        "{r:?}"
    );
    // Not a duty leader: refused, even an officer of the case's category.
    let officer = session(&app, "officer@qiaoyi.example", now).await;
    let r = app
        .decide_green_channel(&caller(&officer, now), &request.id, &approve)
        .await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");

    let decided = app
        .decide_green_channel(&caller(&leader, now), &request.id, &approve)
        .await
        .expect("approved");
    assert_eq!(decided.state, RequestState::Approved);
    assert_eq!(decided.days, Some(3), "the item's default");
    let due = decided.due_on.expect("due day");
    assert_eq!(told("green-channel-requested").await, 1);
    let to_applicant = store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "green-channel-approved")
        .count();
    assert_eq!(to_applicant, 1);
    let again = app
        .decide_green_channel(&caller(&leader, now), &request.id, &approve)
        .await;
    assert!(matches!(
        again,
        Err(AppError::Store(StoreError::Conflict { .. }))
    ));

    // It heads the officer's queue, with its due day, before older cases due earlier.
    let queue = app
        .cases(&caller(&officer, now), CaseList::Queue(None), 0, 50)
        .await
        .expect("queue");
    assert_eq!(queue.items[0].id, case.id, "green-channel cases come first");
    assert_eq!(queue.items[0].green_due, Some(due));

    // To delivery and closing; the statistics count the request, its decision and completion.
    app.demo_video_check(&officer, &applicant, &case.id, now)
        .await
        .expect("video check");
    for name in [
        "accept",
        "verify_identity",
        "start_review",
        "approve",
        "issue",
        "deliver",
        "close",
    ] {
        step(&app, &officer, &case.id, name, now + MINUTE).await;
    }
    let stats = store
        .green_stats(T0 - MINUTE, now + 10 * MINUTE)
        .await
        .expect("stats");
    assert_eq!((stats.requests, stats.approved, stats.refused), (1, 1, 0));
    assert_eq!(stats.decision_ms, 141 * MINUTE);
    assert_eq!(stats.completed, 1);
    assert_eq!(stats.completion_ms, MINUTE);
}

#[tokio::test]
async fn only_those_on_the_case_ask_and_only_duty_leaders_see_the_board() {
    let (app, _store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let case = submitted_case(&app, &applicant).await;
    for email in ["station.madrid@qiaoyi.example", "auditor@qiaoyi.example"] {
        let other = session(&app, email, T0).await;
        let r = app
            .request_green_channel(&caller(&other, T0), &case.id, &bereavement(), None)
            .await;
        assert!(matches!(r, Err(AppError::NotFound(_))), "{email}: {r:?}");
        let board = app.green_board(&caller(&other, T0)).await;
        assert!(matches!(board, Err(AppError::Forbidden(_))), "{email}");
    }
    let bad = GreenRequestInput {
        ground: "boredom".into(),
        ..bereavement()
    };
    let r = app
        .request_green_channel(&caller(&applicant, T0), &case.id, &bad, None)
        .await;
    assert!(
        matches!(
            r,
            Err(AppError::Invalid {
                field: "ground",
                ..
            })
        ),
        "{r:?}"
    );
    // An officer of the case's category asks for it too; the request says so.
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let asked = app
        .request_green_channel(&caller(&officer, T0), &case.id, &bereavement(), None)
        .await
        .expect("an officer asks");
    assert_eq!(asked.requested_role, Some(Role::Officer));
    // A refusal reaches the applicant with its reason, and the case stays in the normal queue.
    let leader = session(&app, "duty@qiaoyi.example", T0).await;
    let refuse = GreenDecisionInput {
        decision: "refuse".into(),
        days: None,
        reason: "所附材料不能证明紧急情况。".into(),
    };
    let decided = app
        .decide_green_channel(&caller(&leader, T0), &asked.id, &refuse)
        .await
        .expect("refused");
    assert_eq!(decided.reason, "所附材料不能证明紧急情况。");
    let case = app
        .case(&caller(&applicant, T0), &case.id)
        .await
        .expect("read")
        .case;
    assert_eq!(case.green_due, None);
    // Evidence is read by those who may read the case or the board, not by others.
    let evidence = app.green_evidence(&caller(&leader, T0), &asked.id, 1).await;
    assert!(
        matches!(evidence, Err(AppError::NotFound(_))),
        "no evidence was sent"
    );
}
