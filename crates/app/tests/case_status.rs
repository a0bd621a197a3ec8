//! A case's status without signing in, on both backends: the code goes to the applicant only when
//! the number and the person's birth date match (the same answer otherwise), works once and only
//! for its case, stops after five wrong codes, at most three an hour; what it shows is the state,
//! the next step and the deadline; every ask and look is on the applicant's access log.

use crate::common::{T0, anonymous, caller, demo_app as app, session, submitted};
use qiaoyi_app::accounts::{CurrentSession, SendBy};
use qiaoyi_app::cases::{CaseRequest, StepRequest};
use qiaoyi_app::domain::cases::{CaseState, NextStep};
use qiaoyi_app::{App, AppError, Reason};
use qiaoyi_store::Store;

const HOUR: i64 = 60 * 60 * 1000;

/// The applicant's own passport renewal, sent: (id, number, her birth date).
async fn sent_case(app: &App, applicant: &CurrentSession) -> (String, String, String) {
    let me = app
        .my_persons(&caller(applicant, T0))
        .await
        .expect("persons")
        .into_iter()
        .find(|p| p.relation.as_str() == "self")
        .expect("herself");
    let request = CaseRequest {
        item: "EC-01".into(),
        person: me.id,
        delivery: "window".into(),
        duplicate_ok: true,
        ..CaseRequest::default()
    };
    let case = submitted(app, applicant, &request).await;
    (case.id, case.number, me.birth_date.to_string())
}

async fn step(app: &App, who: &CurrentSession, id: &str, name: &str) {
    let version = app
        .case(&caller(who, T0), id)
        .await
        .expect("read")
        .case
        .version;
    let request = StepRequest {
        step: name.into(),
        expected_version: version,
        ..StepRequest::default()
    };
    app.step_case(&caller(who, T0), id, &request)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// A status code as queued: its channel, recipient and code.
#[derive(Debug)]
struct Sent {
    channel: String,
    recipient: String,
    code: String,
}

/// The status codes queued, oldest first.
async fn codes(store: &Store) -> Vec<Sent> {
    store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "case-status-code")
        .map(|m| {
            let params: serde_json::Value = serde_json::from_str(&m.params).expect("JSON");
            Sent {
                channel: m.channel,
                recipient: m.recipient,
                code: params["code"].as_str().expect("a code").to_owned(),
            }
        })
        .collect()
}

fn code_of(sent: &Sent) -> String {
    sent.code.clone()
}

fn refusal<T: std::fmt::Debug>(result: Result<T, AppError>) -> (&'static str, Reason) {
    match result {
        Err(AppError::Invalid { field, reason, .. }) => (field, reason),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_code_goes_to_the_applicant_and_shows_the_status_once() {
    let (app, store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let (id, number, born) = sent_case(&app, &applicant).await;
    let anyone = anonymous(T0 + 1);

    // Malformed input is refused by its field; a wrong birth date or number is answered the same
    // as a right one, and nothing is sent.
    assert_eq!(
        refusal(
            app.request_status_code(&anyone, "case 12", &born, SendBy::Email)
                .await
        ),
        ("number", Reason::Malformed)
    );
    assert_eq!(
        refusal(
            app.request_status_code(&anyone, &number, "15/03/1958", SendBy::Email)
                .await
        ),
        ("birth_date", Reason::Malformed)
    );
    app.request_status_code(&anyone, &number, "1901-01-01", SendBy::Email)
        .await
        .expect("the same answer");
    app.request_status_code(&anyone, "QT-2026-999999", &born, SendBy::Email)
        .await
        .expect("the same answer");
    assert!(codes(&store).await.is_empty());

    app.request_status_code(&anyone, &number.to_lowercase(), &born, SendBy::Email)
        .await
        .expect("sent");
    let sent = codes(&store).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].channel.as_str(), sent[0].recipient.as_str()),
        ("email", "applicant@qiaoyi.example")
    );
    let code = code_of(&sent[0]);
    assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()));

    // The code with a wrong birth date, or another number, does not work.
    assert_eq!(
        refusal(
            app.case_status_with_code(&anyone, &number, "1901-01-01", &code)
                .await
        ),
        ("code", Reason::Mismatch)
    );
    assert_eq!(
        refusal(
            app.case_status_with_code(&anyone, "QT-2026-999999", &born, &code)
                .await
        ),
        ("code", Reason::Mismatch)
    );
    let status = app
        .case_status_with_code(&anonymous(T0 + 2), &number, &born, &code)
        .await
        .expect("the status");
    assert_eq!(status.number, number);
    assert_eq!(status.state, CaseState::Submitted);
    assert_eq!(status.next, NextStep::BureauChecks);
    assert_eq!(status.deadline, None, "not accepted yet: no deadline");
    assert_eq!(
        refusal(
            app.case_status_with_code(&anonymous(T0 + 3), &number, &born, &code)
                .await
        ),
        ("code", Reason::Mismatch),
        "a code works once"
    );

    // Accepted, the next look shows the deadline.
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    app.demo_video_check(&officer, &applicant, &id, T0)
        .await
        .expect("video check");
    step(&app, &officer, &id, "accept").await;
    app.request_status_code(&anonymous(T0 + 4), &number, &born, SendBy::Email)
        .await
        .expect("sent");
    let code = code_of(codes(&store).await.last().expect("a code"));
    let status = app
        .case_status_with_code(&anonymous(T0 + 5), &number, &born, &code)
        .await
        .expect("the status");
    assert_eq!(status.state, CaseState::Accepted);
    assert_eq!(status.next, NextStep::IdentityCheck);
    assert!(status.deadline.is_some(), "accepted: due by a day");

    // Every ask and look is on her access log; the wrong birth date shows as refused.
    let log = app
        .who_read_my_file(&caller(&applicant, T0 + 6), 0, 50)
        .await
        .expect("log");
    let lines = |action: &str, refused: bool| {
        log.items
            .iter()
            .filter(|a| a.action == action && a.refused == refused)
            .map(|a| a.count)
            .sum::<u64>()
    };
    assert_eq!(lines("case_status_code_sent", false), 2);
    assert_eq!(
        lines("case_status_code_sent", true),
        1,
        "the wrong birth date"
    );
    assert_eq!(lines("case_status_read", false), 2);
    assert!(
        lines("case_status_read", true) == 2,
        "the reused code and the wrong birth date"
    );
    let audit = store
        .audit_search(
            &qiaoyi_store::AuditFilter {
                action: "case_status_read".into(),
                ..Default::default()
            },
            0,
            50,
        )
        .await
        .expect("audit");
    assert!(
        audit
            .items
            .iter()
            .any(|r| r.outcome == "ok" && r.subject_id == id)
    );
}

#[tokio::test]
async fn codes_are_limited_and_stop_after_five_wrong() {
    let (app, store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let (_, number, born) = sent_case(&app, &applicant).await;

    // Three an hour; the fourth ask is answered the same and sends nothing.
    for i in 0..4 {
        app.request_status_code(&anonymous(T0 + i), &number, &born, SendBy::Email)
            .await
            .expect("the same answer");
    }
    let sent = codes(&store).await;
    assert_eq!(sent.len(), 3);
    // A newer code replaces the older.
    assert_eq!(
        refusal(
            app.case_status_with_code(&anonymous(T0 + 5), &number, &born, &code_of(&sent[0]))
                .await
        ),
        ("code", Reason::Mismatch)
    );

    // An hour later, a new code; five wrong ones end it, whoever types them.
    let later = T0 + HOUR + 10;
    app.request_status_code(&anonymous(later), &number, &born, SendBy::Email)
        .await
        .expect("sent");
    let code = code_of(codes(&store).await.last().expect("a code"));
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    for i in 0..5 {
        assert_eq!(
            refusal(
                app.case_status_with_code(&anonymous(later + 1 + i), &number, &born, wrong)
                    .await
            ),
            ("code", Reason::Mismatch)
        );
    }
    assert_eq!(
        refusal(
            app.case_status_with_code(&anonymous(later + 10), &number, &born, &code)
                .await
        ),
        ("code", Reason::Mismatch),
        "five wrong codes ended it"
    );
    assert_eq!(
        refusal(
            app.case_status_with_code(&anonymous(later + 11), &number, &born, "no digits")
                .await
        ),
        ("code", Reason::Malformed)
    );

    // A code older than 15 minutes no longer works.
    let much_later = later + 2 * HOUR;
    app.request_status_code(&anonymous(much_later), &number, &born, SendBy::Email)
        .await
        .expect("sent");
    let code = code_of(codes(&store).await.last().expect("a code"));
    assert_eq!(
        refusal(
            app.case_status_with_code(
                &anonymous(much_later + 15 * 60 * 1000 + 1),
                &number,
                &born,
                &code
            )
            .await
        ),
        ("code", Reason::Mismatch)
    );
}

#[tokio::test]
async fn by_text_message_only_to_the_number_on_file() {
    let (app, store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let (_, number, born) = sent_case(&app, &applicant).await;
    app.request_status_code(&anonymous(T0), &number, &born, SendBy::Sms)
        .await
        .expect("the same answer");
    assert!(codes(&store).await.is_empty(), "no number on file");
    app.save_my_notification_settings(
        &caller(&applicant, T0),
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
    app.request_status_code(&anonymous(T0 + 1), &number, &born, SendBy::Sms)
        .await
        .expect("sent");
    let sent = codes(&store).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].channel.as_str(), sent[0].recipient.as_str()),
        ("sms", "+393331234567")
    );
    let status = app
        .case_status_with_code(&anonymous(T0 + 2), &number, &born, &code_of(&sent[0]))
        .await
        .expect("the status");
    assert_eq!(status.state, CaseState::Submitted);
}
