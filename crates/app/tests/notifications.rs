//! Notifications end to end: real mail through an SMTP server on loopback, signed posts to an SMS
//! gateway, retries and dead letters, a worker dying mid-send, two workers at once, case notices,
//! passport reminders and the choices behind them.

use crate::common;
#[path = "common/outbox.rs"]
mod outbox;

use std::collections::HashSet;

use common::{T0, anonymous, caller, demo_app, session};
use jiff::ToSpan;
use jiff::civil::Date;
use outbox::{GatewayServer, SECRET, SmtpServer, free_port, read_mails};
use qiaoyi_app::cases::{StepRequest, beijing_today};
use qiaoyi_app::config::{Config, SecretKey, SmtpTls};
use qiaoyi_app::domain::access::audit::AuditRecord;
use qiaoyi_app::domain::cases::Relation;
use qiaoyi_app::domain::identity::DocumentKind;
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::domain::notify::NotificationSettings;
use qiaoyi_app::outbox::LEASE_MS;
use qiaoyi_app::reminders::SettingsForm;
use qiaoyi_app::{App, AppError};
use qiaoyi_store::testing::test_store;
use qiaoyi_store::{DocumentRow, NewMessage, NewUser, PersonRow, Store};

fn smtp_config(port: u16) -> Config {
    Config {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: port,
        smtp_tls: SmtpTls::None,
        mail_from: "青田侨务 <noreply@qiaoyi.example>".into(),
        outbox_max_attempts: 3,
        ..Config::default()
    }
}

fn gateway_config(url: String) -> Config {
    Config {
        sms_webhook_url: Some(url),
        sms_webhook_secret: Some(SecretKey(SECRET.into())),
        ..Config::default()
    }
}

async fn status_of(store: &Store, id: &str) -> (String, i64, Option<String>) {
    for status in ["pending", "sent", "dead"] {
        let page = store.outbox_page(status, 0, 100).await.expect("outbox");
        if let Some(m) = page.items.into_iter().find(|m| m.id == id) {
            return (m.status.as_str().to_owned(), m.attempts, m.last_error);
        }
    }
    panic!("message {id} is not in the outbox");
}

async fn signed_up(app: &App, email: &str, lang: Lang) -> String {
    app.sign_up(
        &anonymous(T0),
        email,
        "Lin Hua",
        "a long enough passphrase",
        lang,
    )
    .await
    .expect("signed up")
}

/// Mail signed with DKIM verifies with dkimpy against the selector's record, for an Ed25519 key
/// and an RSA key (made by openssl), and a changed Subject does not.
#[tokio::test]
async fn mail_is_signed_with_dkim_when_a_key_is_configured() {
    let dir = tempfile::tempdir().expect("keys");
    let ed25519 = dir.path().join("ed25519.key");
    // RFC 8463's key: the base64 of 32 bytes.
    std::fs::write(&ed25519, "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n").expect("key");
    let rsa = dir.path().join("rsa.pem");
    let made = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&rsa)
        .arg("2048")
        .output()
        .expect("openssl (scripts/test.sh installs it)");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    for key in [&ed25519, &rsa] {
        let smtp = SmtpServer::start().await;
        let store = test_store().await;
        let config = Config {
            dkim_selector: Some("qiaoyi2026".into()),
            dkim_key_file: Some(key.clone()),
            ..smtp_config(smtp.port)
        };
        let app = App::with_store(store.store.clone(), config);
        signed_up(&app, "lin@example.org", Lang::En).await;
        let report = app.deliver_due("w-1", T0 + 1).await.expect("delivered");
        assert_eq!(report.sent, 1);
        assert_eq!(
            smtp.dkim_verdicts("qiaoyi2026", key),
            vec![(true, false)],
            "{key:?}"
        );
    }
    // A key that is neither is refused when the transports are made, naming the file.
    let bad = dir.path().join("bad.key");
    std::fs::write(&bad, "not a key").expect("key");
    let refused = qiaoyi_app::delivery::Transports::from_config(&Config {
        dkim_selector: Some("qiaoyi2026".into()),
        dkim_key_file: Some(bad),
        ..smtp_config(25)
    });
    assert!(
        matches!(&refused, Err(AppError::Invalid { message, .. }) if message.contains("bad.key")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn mail_reaches_a_real_smtp_server_in_each_recipients_language() {
    let smtp = SmtpServer::start().await;
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), smtp_config(smtp.port));
    signed_up(&app, "lin@example.org", Lang::En).await;
    signed_up(&app, "chen@example.org", Lang::Zh).await;
    let queued = store.store.pending_messages(10).await.expect("outbox");
    assert_eq!(queued.len(), 2);
    account(&store.store, "es", "es", true).await;
    let today = beijing_today(T0);
    passport(
        &store.store,
        "es",
        "self",
        "Ana",
        today.checked_add(2.months()).expect("date"),
    )
    .await;
    app.queue_passport_reminders(today, T0)
        .await
        .expect("reminder");

    let report = app.deliver_due("w-1", T0 + 1).await.expect("delivered");
    assert_eq!((report.sent, report.retrying, report.dead), (3, 0, 0));
    let mails = smtp.mails();
    assert_eq!(mails.len(), 3, "{mails:?}");
    let reminder = mails
        .iter()
        .find(|m| m.to == "es@example.org")
        .expect("reminder mail");
    assert!(reminder.subject.contains("caduca"), "{}", reminder.subject);
    let unsubscribe = reminder.unsubscribe.as_deref().expect("List-Unsubscribe");
    assert!(
        unsubscribe.starts_with("<http://127.0.0.1:8080/unsubscribe/es."),
        "{unsubscribe}"
    );
    assert!(reminder.body.contains("/items/EE-01"), "{}", reminder.body);
    // As mail servers and clients expect: MIME, the text and an HTML view of it in her language,
    // and the one-click unsubscribe of RFC 8058.
    assert_eq!(reminder.mime_version.as_deref(), Some("1.0"));
    assert_eq!(reminder.content_type, "multipart/alternative");
    assert_eq!(reminder.content_language.as_deref(), Some("es"));
    let html = reminder.html.as_deref().expect("an HTML part");
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(
        html.contains("<a href=\"http://127.0.0.1:8080/items/EE-01"),
        "{html}"
    );
    assert_eq!(
        reminder.unsubscribe_post.as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    for message in &queued {
        let mail = mails
            .iter()
            .find(|m| m.message_id == format!("<{}@qiaoyi.example>", message.id))
            .unwrap_or_else(|| panic!("no mail carries the id of {}", message.id));
        assert_eq!(mail.to, message.recipient);
        let code: String = serde_json::from_str::<serde_json::Value>(&message.params)
            .expect("params")["code"]
            .as_str()
            .expect("code")
            .to_owned();
        assert!(mail.body.contains(&code), "{}", mail.body);
        assert_eq!(
            mail.content_language.as_deref(),
            Some(message.language.as_str())
        );
        assert!(mail.html.as_deref().is_some_and(|h| h.contains(&code)));
        assert_eq!(
            mail.unsubscribe_post, None,
            "only reminders can be unsubscribed from"
        );
        let subject = if message.language == "en" {
            "Your Qiaoyi confirmation code"
        } else {
            "侨驿确认码"
        };
        assert_eq!(mail.subject, subject);
        assert_eq!(status_of(&store.store, &message.id).await.0, "sent");
    }
    // Nothing is sent twice.
    let again = app.deliver_due("w-1", T0 + 60_000).await.expect("ok");
    assert_eq!(again.sent, 0);
    assert_eq!(smtp.mails().len(), 3);
}

/// Without a mail server (the demo, a first installation), each message is kept in the data
/// directory as the e-mail SMTP would have carried, readable by the server's user alone, and a
/// strict mail parser reads it.
#[tokio::test]
async fn without_a_mail_server_each_message_is_kept_as_a_mail_file() {
    let dir = tempfile::tempdir().expect("data dir");
    let app = App::open(Config {
        data_dir: dir.path().to_owned(),
        mail_from: "青田侨务 <noreply@qiaoyi.example>".into(),
        ..Config::default()
    })
    .await
    .expect("opened");
    signed_up(&app, "lin@example.org", Lang::En).await;
    let report = app.deliver_due("w-1", T0 + 1).await.expect("delivered");
    assert_eq!((report.sent, report.retrying, report.dead), (1, 0, 0));

    let kept = dir.path().join("messages");
    let names: Vec<String> = std::fs::read_dir(&kept)
        .expect("messages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let id = names[0].strip_suffix(".eml").expect("an .eml file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(kept.join(&names[0]))
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "it may hold a sign-in code");
    }
    let mails = read_mails(&kept);
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, "lin@example.org");
    assert_eq!(mail.subject, "Your Qiaoyi confirmation code");
    assert_eq!(mail.message_id, format!("<{id}@qiaoyi.example>"));
    assert_eq!(mail.content_type, "multipart/alternative");
    assert_eq!(mail.content_language.as_deref(), Some("en"));
    let again = app.deliver_due("w-1", T0 + 60_000).await.expect("ok");
    assert_eq!(again.sent, 0);
    assert_eq!(std::fs::read_dir(&kept).expect("messages").count(), 1);
}

#[tokio::test]
async fn a_failing_server_means_retries_then_dead_then_an_administrator_sends_it_again() {
    let closed = free_port();
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), smtp_config(closed));
    app.seed_demo(T0).await.expect("seed");
    // The demo's own notices go first; only the new account's confirmation matters here.
    let demo_ids: HashSet<String> = store
        .store
        .pending_messages(100)
        .await
        .expect("outbox")
        .into_iter()
        .map(|m| m.id)
        .collect();
    signed_up(&app, "lin@example.org", Lang::It).await;
    let id = store
        .store
        .pending_messages(100)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| !demo_ids.contains(&m.id))
        .expect("queued")
        .id;

    let mut now = T0 + 1;
    let first = app.deliver_due("w-1", now).await.expect("ran");
    assert_eq!(first.sent, 0);
    assert!(first.retrying >= 1);
    let (status, attempts, error) = status_of(&store.store, &id).await;
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.expect("reason kept").contains("SMTP"));
    // Not due again before the first delay of 30 s…
    now += 29_000;
    app.deliver_due("w-1", now).await.expect("ran");
    assert_eq!(status_of(&store.store, &id).await.1, 1);
    // …then again after it, and after twice as long the third and last attempt.
    now += 2_000;
    app.deliver_due("w-1", now).await.expect("ran");
    assert_eq!(status_of(&store.store, &id).await.1, 2);
    now += 59_000;
    app.deliver_due("w-1", now).await.expect("ran");
    assert_eq!(status_of(&store.store, &id).await.1, 2);
    now += 2_000;
    let last = app.deliver_due("w-1", now).await.expect("ran");
    assert!(last.dead >= 1);
    assert_eq!(status_of(&store.store, &id).await.0, "dead");

    // Administrators see it; others may not look.
    let admin = session(&app, "admin@qiaoyi.example", now).await;
    let dead = app
        .outbox(&caller(&admin, now), "dead", 0, 50)
        .await
        .expect("listed");
    assert!(dead.items.iter().any(|m| m.id == id));
    let applicant = session(&app, "applicant@qiaoyi.example", now).await;
    assert!(matches!(
        app.outbox(&caller(&applicant, now), "dead", 0, 50).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.outbox(&caller(&admin, now), "lost", 0, 50).await,
        Err(AppError::Invalid {
            field: "status",
            ..
        })
    ));

    // The server is back (a worker restarted with it): the administrator puts the message back.
    let smtp = SmtpServer::start().await;
    let fixed =
        App::with_store(store.store.clone(), smtp_config(smtp.port)).with_field_key_of(&app);
    let admin = session(&fixed, "admin@qiaoyi.example", now + 31_000).await;
    fixed
        .retry_message(&caller(&admin, now + 31_000), &id)
        .await
        .expect("requeued");
    assert!(matches!(
        fixed
            .retry_message(&caller(&admin, now + 31_000), &id)
            .await,
        Err(AppError::NotFound(_))
    ));
    fixed
        .deliver_due("w-2", now + 32_000)
        .await
        .expect("delivered");
    assert_eq!(status_of(&store.store, &id).await.0, "sent");
    let mails = smtp.mails();
    let mine: Vec<_> = mails
        .iter()
        .filter(|m| m.message_id == format!("<{id}@qiaoyi.example>"))
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].subject, "Il Suo codice di conferma Qiaoyi");
    let audit = store
        .store
        .audit_search(
            &qiaoyi_app::AuditFilter {
                action: "message_retried".into(),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .expect("audit");
    assert_eq!(audit.total, 1);
}

fn sms(id: &str, user: &str) -> NewMessage {
    NewMessage {
        id: id.into(),
        channel: "sms".into(),
        recipient: "+393331234567".into(),
        language: "es".into(),
        template: "case-accepted".into(),
        params: serde_json::json!({"number": "QT-2026-000001", "item": "Renovación", "link": "http://x/cases/c"})
            .to_string(),
        user_id: Some(user.into()),
        dedupe_key: None,
    }
}

#[tokio::test]
async fn a_worker_that_dies_mid_send_loses_nothing_and_is_acknowledged_once() {
    let gateway = GatewayServer::start().await;
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), gateway_config(gateway.url("hold")));
    store
        .store
        .enqueue_messages(&[sms("m-held", "u-1")], T0)
        .await
        .expect("queued");

    let dying = {
        let app = app.clone();
        tokio::spawn(async move { app.deliver_due("w-dies", T0).await })
    };
    for _ in 0..100 {
        if !gateway.seen.lock().expect("lock").requests.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(gateway.seen.lock().expect("lock").requests.len(), 1);
    dying.abort();
    let _ = dying.await;

    // Another worker leaves it alone while the dead worker's lease lasts…
    let early = app.deliver_due("w-next", T0 + 1_000).await.expect("ran");
    assert_eq!(early.sent, 0);
    assert_eq!(status_of(&store.store, "m-held").await.0, "pending");
    // …and sends it once the lease has run out.
    let later = app
        .deliver_due("w-next", T0 + LEASE_MS + 1)
        .await
        .expect("ran");
    assert_eq!(later.sent, 1);
    let (status, attempts, _) = status_of(&store.store, "m-held").await;
    assert_eq!((status.as_str(), attempts), ("sent", 2));
    let seen = gateway.seen.lock().expect("lock");
    assert_eq!(seen.acknowledged.get("m-held"), Some(&1));
    assert!(
        seen.requests
            .iter()
            .all(|(key, valid)| key == "m-held" && *valid),
        "both tries carry the same key and a valid signature"
    );
}

#[tokio::test]
async fn a_message_whose_workers_keep_dying_is_set_aside() {
    let store = test_store().await;
    let app = App::with_store(
        store.store.clone(),
        Config {
            outbox_max_attempts: 2,
            ..Config::default()
        },
    );
    store
        .store
        .enqueue_messages(&[sms("m-crashes", "u-1")], T0)
        .await
        .expect("queued");
    // Two workers claim it and die without a word.
    let mut now = T0;
    for worker in ["w-1", "w-2"] {
        assert!(
            store
                .store
                .claim_message("m-crashes", worker, now, now + LEASE_MS)
                .await
                .expect("claim")
                .is_some()
        );
        now += LEASE_MS + 1;
    }
    let report = app.deliver_due("w-3", now).await.expect("ran");
    assert_eq!(report.dead, 1);
    let (status, _, error) = status_of(&store.store, "m-crashes").await;
    assert_eq!(status, "dead");
    assert!(error.expect("reason").contains("worker stopped"));
}

#[tokio::test]
async fn two_workers_at_once_send_every_message_exactly_once() {
    let gateway = GatewayServer::start().await;
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), gateway_config(gateway.url("ok")));
    let messages: Vec<NewMessage> = (0..40).map(|i| sms(&format!("m-{i:02}"), "u-1")).collect();
    store
        .store
        .enqueue_messages(&messages, T0)
        .await
        .expect("queued");
    let (a, b) = tokio::join!(app.deliver_due("w-a", T0), app.deliver_due("w-b", T0));
    let (a, b) = (a.expect("a ran"), b.expect("b ran"));
    assert_eq!(a.sent + b.sent, 40);
    let seen = gateway.seen.lock().expect("lock");
    assert_eq!(seen.acknowledged.len(), 40);
    assert!(seen.acknowledged.values().all(|n| *n == 1));
    assert!(seen.requests.iter().all(|(_, valid)| *valid));
    let body = &seen.bodies[0];
    assert_eq!(body["to"], "+393331234567");
    assert_eq!(body["language"], "es");
    assert!(
        body["subject"]
            .as_str()
            .expect("subject")
            .contains("admitida")
    );
}

#[tokio::test]
async fn a_refusing_gateway_kills_the_message_at_once_and_a_busy_one_is_retried() {
    let gateway = GatewayServer::start().await;
    let store = test_store().await;
    let refusing = App::with_store(store.store.clone(), gateway_config(gateway.url("refuse")));
    store
        .store
        .enqueue_messages(&[sms("m-refused", "u-1")], T0)
        .await
        .expect("queued");
    let report = refusing.deliver_due("w", T0).await.expect("ran");
    assert_eq!(report.dead, 1);
    let (status, _, error) = status_of(&store.store, "m-refused").await;
    assert_eq!(status, "dead");
    assert!(error.expect("reason").contains("400"));

    let busy = App::with_store(store.store.clone(), gateway_config(gateway.url("busy")));
    store
        .store
        .enqueue_messages(&[sms("m-busy", "u-1")], T0)
        .await
        .expect("queued");
    let report = busy.deliver_due("w", T0).await.expect("ran");
    assert_eq!(report.retrying, 1);
    assert_eq!(status_of(&store.store, "m-busy").await.0, "pending");
}

#[tokio::test]
async fn a_message_that_cannot_be_rendered_is_dead_not_retried_forever() {
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), Config::default());
    let mut broken = sms("m-broken", "u-1");
    broken.params = "{}".into();
    let mut unknown = sms("m-unknown", "u-1");
    unknown.template = "no-such-template".into();
    store
        .store
        .enqueue_messages(&[broken, unknown], T0)
        .await
        .expect("queued");
    let report = app.deliver_due("w", T0).await.expect("ran");
    assert_eq!(report.dead, 2);
    assert!(
        status_of(&store.store, "m-broken")
            .await
            .2
            .expect("reason")
            .contains("number")
    );
}

#[tokio::test]
async fn the_applicant_hears_of_each_step_that_concerns_them_in_their_language() {
    let store = test_store().await;
    let app = App::with_store(
        store.store.clone(),
        gateway_config("http://127.0.0.1:9/unused".into()),
    );
    app.seed_demo(T0).await.expect("seed");
    let pending = store.store.pending_messages(100).await.expect("outbox");
    // The demo's renewal was submitted by its applicant: she has her receipt.
    let receipt = pending
        .iter()
        .find(|m| m.template == "case-submitted" && m.params.contains("护照"))
        .expect("receipt queued");
    assert_eq!(receipt.recipient, "applicant@qiaoyi.example");
    assert_eq!(receipt.language, "zh-CN");
    let params: serde_json::Value = serde_json::from_str(&receipt.params).expect("params");
    assert!(
        params["number"]
            .as_str()
            .expect("number")
            .starts_with("QT-")
    );
    assert!(params["item"].as_str().expect("item").contains("护照"));
    // The walk-in at the Rome station has no account: nobody to tell. Every case message is
    // hers: the renewal's receipt and the four steps of her certificate that concern her.
    let case_messages: Vec<_> = pending
        .iter()
        .filter(|m| m.template.starts_with("case-"))
        .collect();
    assert!(
        case_messages
            .iter()
            .all(|m| m.recipient == "applicant@qiaoyi.example"),
        "{case_messages:?}"
    );
    assert_eq!(case_messages.len(), 5, "{case_messages:?}");

    let case_id = params["link"]
        .as_str()
        .expect("link")
        .rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .expect("id")
        .to_owned();
    assert!(
        params["link"]
            .as_str()
            .expect("link")
            .ends_with("?lang=zh-CN")
    );
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let case = app
        .case(&caller(&officer, T0), &case_id)
        .await
        .expect("case");
    app.step_case(
        &caller(&officer, T0),
        &case_id,
        &StepRequest {
            step: "return".into(),
            expected_version: case.case.version,
            reason: "照片背景不是白色".into(),
            ..StepRequest::default()
        },
    )
    .await
    .expect("returned");
    let returned = store
        .store
        .pending_messages(100)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.template == "case-returned")
        .expect("return notice queued");
    let params: serde_json::Value = serde_json::from_str(&returned.params).expect("params");
    assert_eq!(params["reason"], "照片背景不是白色");

    // An applicant who chose text messages only gets the next one by SMS.
    let applicant = session(&app, "applicant@qiaoyi.example", T0 + 31_000).await;
    app.save_my_notification_settings(
        &caller(&applicant, T0 + 31_000),
        &SettingsForm {
            email_enabled: false,
            sms_enabled: true,
            sms_number: "+39 333 123 4567".into(),
            own_reminders: true,
            family_reminders: false,
            language: String::new(),
            wechat_enabled: false,
        },
    )
    .await
    .expect("saved");
    let case = app
        .case(&caller(&applicant, T0 + 31_000), &case_id)
        .await
        .expect("case");
    app.step_case(
        &caller(&applicant, T0 + 31_000),
        &case_id,
        &StepRequest {
            step: "resubmit".into(),
            expected_version: case.case.version,
            reason: String::new(),
            ..StepRequest::default()
        },
    )
    .await
    .expect("resubmitted");
    let resubmitted: Vec<_> = store
        .store
        .pending_messages(100)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| {
            m.template == "case-submitted"
                && m.id != receipt.id
                && m.params.contains(&case.case.number)
        })
        .collect();
    assert_eq!(resubmitted.len(), 1);
    assert_eq!(
        (
            resubmitted[0].channel.as_str(),
            resubmitted[0].recipient.as_str()
        ),
        ("sms", "+393331234567")
    );
}

#[tokio::test]
async fn notification_choices_are_checked_and_audited() {
    // Without a gateway, text messages are not offered at all.
    let (plain, _plain_store) = demo_app().await;
    let someone = session(&plain, "applicant@qiaoyi.example", T0).await;
    let sms_only = SettingsForm {
        email_enabled: false,
        sms_enabled: true,
        sms_number: "+39 333 123 4567".into(),
        own_reminders: true,
        family_reminders: true,
        language: String::new(),
        wechat_enabled: false,
    };
    assert!(matches!(
        plain
            .save_my_notification_settings(&caller(&someone, T0), &sms_only)
            .await,
        Err(AppError::Invalid {
            field: "sms_enabled",
            ..
        })
    ));

    let store = test_store().await;
    let app = App::with_store(
        store.store.clone(),
        gateway_config("http://127.0.0.1:9/unused".into()),
    );
    app.seed_demo(T0).await.expect("seed");
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let form = |email: bool, sms: bool, number: &str| SettingsForm {
        email_enabled: email,
        sms_enabled: sms,
        sms_number: number.into(),
        own_reminders: true,
        family_reminders: true,
        language: String::new(),
        wechat_enabled: false,
    };
    let klingon = SettingsForm {
        language: "tlh".into(),
        ..form(true, false, "")
    };
    for (bad, field) in [
        (klingon, "language"),
        (form(true, true, ""), "sms_number"),
        (form(true, false, "0039 333"), "sms_number"),
        (form(true, false, "+39 333 abc"), "sms_number"),
        (form(false, false, ""), "email_enabled"),
        // WeChat is not offered to an account whose WeChat is not linked.
        (
            SettingsForm {
                wechat_enabled: true,
                ..form(true, false, "")
            },
            "wechat_enabled",
        ),
    ] {
        match app
            .save_my_notification_settings(&caller(&applicant, T0), &bad)
            .await
        {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{bad:?} gave {other:?}"),
        }
    }
    let before = app
        .my_notification_settings(&caller(&applicant, T0))
        .await
        .expect("read");
    assert_eq!(
        before.settings,
        NotificationSettings::defaults(&applicant.actor.user_id)
    );
    assert_eq!(before.language, Lang::Zh);
    let saved = app
        .save_my_notification_settings(
            &caller(&applicant, T0),
            &SettingsForm {
                language: "it".into(),
                ..form(true, true, "+86 139 1234 5678")
            },
        )
        .await
        .expect("saved");
    assert_eq!(saved.settings.sms_number.as_deref(), Some("+8613912345678"));
    assert_eq!(saved.language, Lang::It);
    assert!(matches!(
        app.my_notification_settings(&anonymous(T0)).await,
        Err(AppError::Unauthenticated)
    ));
    let audit = store
        .store
        .audit_search(
            &qiaoyi_app::AuditFilter {
                action: "notification_settings_changed".into(),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .expect("audit");
    assert_eq!(audit.total, 1);
}

fn record() -> AuditRecord {
    AuditRecord {
        action: "test_setup".into(),
        outcome: "ok".into(),
        ..AuditRecord::default()
    }
}

/// An applicant account that confirmed its address, created directly in the store.
async fn account(store: &Store, id: &str, language: &str, confirmed: bool) {
    store
        .create_user(
            &NewUser {
                id: id.into(),
                email: format!("{id}@example.org"),
                display_name: id.into(),
                password_hash: "not used".into(),
                language: Lang::from_tag(language).expect("a language Qiaoyi speaks"),
                confirmed_at: confirmed.then_some(T0),
                totp_secret: None,
                grants: vec![("applicant".into(), String::new())],
            },
            T0,
            &record(),
            None,
            None,
        )
        .await
        .expect("account");
}

async fn passport(store: &Store, owner: &str, relation: &str, name: &str, expires_on: Date) {
    let person = format!("p-{owner}-{name}");
    store
        .save_person(
            &PersonRow {
                id: person.clone(),
                owner_id: owner.into(),
                relation: Relation::parse(relation).expect("relation"),
                name: name.into(),
                name_latin: "X".into(),
                birth_date: Date::constant(1980, 1, 1),
                country: "IT".into(),
                city: "Prato".into(),
                phone: String::new(),
                disability_sealed: None,
                disability_consent_at: None,
                created_at: T0,
                updated_at: T0,
            },
            &record(),
        )
        .await
        .expect("person");
    store
        .add_document(
            &DocumentRow {
                id: format!("d-{person}"),
                person_id: person,
                kind: DocumentKind::Passport,
                number_sealed: "sealed".into(),
                number_index: format!("i-{owner}-{name}"),
                expires_on: Some(expires_on),
                created_at: T0,
            },
            &record(),
        )
        .await
        .expect("document");
}

async fn settings(store: &Store, user: &str, change: impl FnOnce(&mut NotificationSettings)) {
    let mut s = NotificationSettings::defaults(user);
    change(&mut s);
    store
        .save_notification_settings(&s, None, None, T0, &record())
        .await
        .expect("settings");
}

/// (recipient, channel, months) of every queued reminder.
async fn reminders(store: &Store) -> Vec<(String, String, i64)> {
    let mut out: Vec<_> = store
        .pending_messages(10_000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "passport-expiring")
        .map(|m| {
            let p: serde_json::Value = serde_json::from_str(&m.params).expect("params");
            (
                m.recipient,
                m.channel,
                p["months"].as_i64().expect("months"),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn passport_reminders_go_to_whoever_asked_for_them_once_per_threshold() {
    let store = test_store().await;
    let s = &store.store;
    let app = App::with_store(s.clone(), Config::default());
    let today = beijing_today(T0);
    let at = |months: i64, days: i64| {
        today
            .checked_add(months.months())
            .and_then(|d| d.checked_add(days.days()))
            .expect("date")
    };
    for (id, confirmed) in [
        ("own", true),
        ("family", true),
        ("no-family", true),
        ("far", true),
        ("expired", true),
        ("unconfirmed", false),
        ("both", true),
        ("opted-out", true),
    ] {
        account(s, id, "it", confirmed).await;
    }
    passport(s, "own", "self", "Lin", at(8, 0)).await;
    passport(s, "family", "child", "Bo", at(5, 0)).await;
    settings(s, "family", |x| x.family_reminders = true).await;
    passport(s, "no-family", "child", "Mei", at(5, 0)).await;
    passport(s, "far", "self", "Far", at(10, 0)).await;
    passport(s, "expired", "self", "Old", at(0, -1)).await;
    passport(s, "unconfirmed", "self", "New", at(2, 0)).await;
    passport(s, "both", "self", "Two", at(2, 0)).await;
    settings(s, "both", |x| {
        x.sms_enabled = true;
        x.sms_number = Some("+393331234567".into());
    })
    .await;
    passport(s, "opted-out", "self", "No", at(2, 0)).await;
    settings(s, "opted-out", |x| x.own_reminders = false).await;

    let run = app
        .queue_passport_reminders(today, T0)
        .await
        .expect("queued");
    assert_eq!(run.queued, 4);
    let expected = vec![
        ("+393331234567".to_owned(), "sms".to_owned(), 3),
        ("both@example.org".to_owned(), "email".to_owned(), 3),
        ("family@example.org".to_owned(), "email".to_owned(), 6),
        ("own@example.org".to_owned(), "email".to_owned(), 9),
    ];
    assert_eq!(reminders(s).await, expected);
    // Running again the same day, or the next, sends nothing new.
    for day in [today, at(0, 1)] {
        let again = app.queue_passport_reminders(day, T0).await.expect("ran");
        assert_eq!(again.queued, 0);
    }
    // Three months later the next thresholds fall due.
    let later = app
        .queue_passport_reminders(at(3, 0), T0)
        .await
        .expect("ran");
    assert_eq!(later.queued, 3, "own at 6, family at 3, far at 9");

    // Each reminder links to the renewal item and to an unsubscribe page that works once opened.
    let own = s
        .pending_messages(100)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.recipient == "own@example.org")
        .expect("own reminder");
    let params: serde_json::Value = serde_json::from_str(&own.params).expect("params");
    assert!(
        params["link"]
            .as_str()
            .expect("link")
            .ends_with("/items/EE-01?lang=it")
    );
    let link = params["unsubscribe"].as_str().expect("unsubscribe");
    assert!(link.ends_with("?lang=it"), "{link}");
    let token = link
        .rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .expect("token");
    assert_eq!(
        app.unsubscribe_address(token).await.expect("genuine"),
        "own@example.org"
    );
    let forged = format!("{}0", &token[..token.len() - 1]);
    let forged = if forged == token {
        format!("{}1", &token[..token.len() - 1])
    } else {
        forged
    };
    assert!(matches!(
        app.unsubscribe_address(&forged).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.unsubscribe(&anonymous(T0), &token.replace("own", "far"))
            .await,
        Err(AppError::NotFound(_))
    ));
    app.unsubscribe(&anonymous(T0), token)
        .await
        .expect("unsubscribed");
    assert!(
        !s.notification_settings("own")
            .await
            .expect("settings")
            .own_reminders
    );
    let after = app
        .queue_passport_reminders(at(5, 1), T0)
        .await
        .expect("ran");
    assert_eq!(
        after.queued, 1,
        "far at 6; own is at 3 months but unsubscribed"
    );
    let own: Vec<i64> = reminders(s)
        .await
        .into_iter()
        .filter(|(to, _, _)| to == "own@example.org")
        .map(|(_, _, m)| m)
        .collect();
    assert_eq!(own, vec![6, 9]);
}

#[tokio::test]
async fn weekly_runs_over_generated_people_send_each_threshold_exactly_once() {
    let store = test_store().await;
    let s = &store.store;
    let app = App::with_store(s.clone(), Config::default());
    let start = beijing_today(T0);
    let people = 60_i64;
    for i in 0..people {
        let id = format!("g{i:03}");
        account(s, &id, ["zh-CN", "en", "it", "es"][(i % 4) as usize], true).await;
        let expiry = start.checked_add((300 + i * 3).days()).expect("date");
        passport(s, &id, "self", &format!("P{i}"), expiry).await;
    }
    let mut day = start;
    let end = start.checked_add(500.days()).expect("date");
    let mut total = 0;
    while day <= end {
        total += app
            .queue_passport_reminders(day, T0)
            .await
            .expect("ran")
            .queued;
        day = day.checked_add(7.days()).expect("date");
    }
    assert_eq!(total, 3 * usize::try_from(people).expect("count"));
    let sent = reminders(s).await;
    for i in 0..people {
        let mut months: Vec<i64> = sent
            .iter()
            .filter(|(to, _, _)| *to == format!("g{i:03}@example.org"))
            .map(|(_, _, m)| *m)
            .collect();
        months.sort_unstable();
        assert_eq!(months, vec![3, 6, 9], "person {i}");
    }
    // Each is queued in its person's own language.
    let languages: HashSet<(String, String)> = s
        .pending_messages(10_000)
        .await
        .expect("outbox")
        .into_iter()
        .map(|m| (m.recipient, m.language))
        .collect();
    assert!(languages.contains(&("g000@example.org".into(), "zh-CN".into())));
    assert!(languages.contains(&("g001@example.org".into(), "en".into())));
    assert_eq!(languages.len(), usize::try_from(people).expect("count"));
}
