//! The consultation line through the use cases, on whichever database the test store gives:
//! routing to the least-loaded consultant on shift, waiting for the next shift, guests with their
//! key, unread counts, canned answers in the asker's language, transfer, closing and rating, a
//! consultation that turns into a case filed under a mandate (代办), and bad input.

use crate::common;

use common::{T0, anonymous, caller, demo_app as app, session};
use qiaoyi_app::accounts::{AccountRequest, CurrentSession};
use qiaoyi_app::cases::CaseRequest;
use qiaoyi_app::consultations::{AnswerRequest, OpenRequest, Side, SystemNote};
use qiaoyi_app::demo::DEMO_PASSWORD;
use qiaoyi_app::domain::access::Grant;
use qiaoyi_app::domain::cases::MediaType;
use qiaoyi_app::domain::consultations::{Attachment, FIRST_RESPONSE_MS, MAX_MESSAGE_CHARS};
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::mandates::MandateRequest;
use qiaoyi_app::{App, AppError};
use qiaoyi_store::Store;

const MINUTE: i64 = 60_000;

fn question(subject: &str, body: &str) -> OpenRequest {
    OpenRequest {
        subject: subject.into(),
        body: body.into(),
        ..OpenRequest::default()
    }
}

/// A second consultant, on shift around the clock.
async fn second_consultant(app: &App) -> CurrentSession {
    let admin = session(app, "admin@qiaoyi.example", T0).await;
    let id = app
        .create_account(
            &caller(&admin, T0),
            AccountRequest {
                email: "consultant2@qiaoyi.example",
                display_name: "夜班咨询员",
                password: DEMO_PASSWORD,
                grants: vec![Grant::Consultant],
                language: Lang::Zh,
                confirmed: true,
                totp_secret: Some(qiaoyi_app::demo::DEMO_TOTP_SECRET.into()),
            },
        )
        .await
        .expect("account");
    app.set_shifts(&caller(&admin, T0), &id, "mon-sun 00:00-24:00")
        .await
        .expect("shifts");
    session(app, "consultant2@qiaoyi.example", T0).await
}

async fn queued(store: &Store, template: &str) -> Vec<(String, serde_json::Value)> {
    store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == template)
        .map(|m| (m.recipient, serde_json::from_str(&m.params).expect("json")))
        .collect()
}

fn invalid_field<T: std::fmt::Debug>(result: Result<T, AppError>) -> &'static str {
    match result {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("expected a refused field, got {other:?}"),
    }
}

#[tokio::test]
async fn a_question_goes_to_the_least_loaded_consultant_on_shift_and_is_answered() {
    let (app, db) = app().await;
    let night = second_consultant(&app).await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    let mother = session(&app, "mother@qiaoyi.example", T0).await;
    // The demo consultant holds the applicant's question; the new one holds none.
    let opened = app
        .open_consultation(
            &caller(&mother, T0),
            &question("无犯罪记录证明", "我在青田，女儿在罗马，证明要多久？"),
            Lang::Zh,
        )
        .await
        .expect("opened");
    let c = &opened.consultation;
    assert_eq!(
        c.row.consultant_id.as_deref(),
        Some(night.actor.user_id.as_str())
    );
    assert_eq!(c.row.first_response_due, T0 + FIRST_RESPONSE_MS);
    assert!(opened.waiting.is_none() && opened.guest_key.is_none());
    let id = c.row.id.clone();
    // She is told it is hers, with the asker's name and a link.
    let told = queued(&db.store, "consultation-assigned").await;
    assert!(
        told.iter().any(|(to, p)| to == "consultant2@qiaoyi.example"
            && p["person"] == "陈秀英"
            && p["link"].as_str().is_some_and(|l| l.contains(&id))),
        "{told:?}"
    );

    // In the new consultant's inbox, unread; not in the demo consultant's own inbox.
    let inbox = app
        .consultation_inbox(&caller(&night, T0), false, 0, 20)
        .await
        .expect("inbox");
    let mine = inbox.items.iter().find(|i| i.row.id == id).expect("listed");
    assert_eq!(mine.unread, 1);
    let theirs = app
        .consultation_inbox(&caller(&consultant, T0), false, 0, 20)
        .await
        .expect("inbox");
    assert!(theirs.items.iter().all(|i| i.row.id != id));

    let answer = app
        .post_consultation_message(
            &caller(&night, T0 + 5 * MINUTE),
            None,
            &id,
            "一般 5 个工作日。",
            None,
        )
        .await
        .expect("answered");
    assert_eq!((answer.seq, answer.side.as_str()), (2, "consultant"));
    // She is told once per answer that follows her message, in her channels.
    let told = queued(&db.store, "consultation-reply").await;
    assert!(
        told.iter().any(|(to, p)| to == "mother@qiaoyi.example"
            && p["link"].as_str().is_some_and(|l| l.contains(&id))),
        "{told:?}"
    );
    app.post_consultation_message(
        &caller(&night, T0 + 6 * MINUTE),
        None,
        &id,
        "还有问题请随时问。",
        None,
    )
    .await
    .expect("second answer");
    assert_eq!(
        queued(&db.store, "consultation-reply").await.len(),
        told.len()
    );

    let mine = app
        .my_consultations(&caller(&mother, T0), 0, 20)
        .await
        .expect("mine");
    let listed = mine.items.iter().find(|i| i.row.id == id).expect("hers");
    assert_eq!(listed.unread, 2);
    assert_eq!(listed.row.first_response_at, Some(T0 + 5 * MINUTE));
    let view = app
        .consultation(&caller(&mother, T0), None, &id, 0)
        .await
        .expect("read");
    assert_eq!(view.side, Side::Person);
    assert_eq!(view.messages.len(), 3);
    assert_eq!(view.consultation.unread, 0);
    assert!(view.history.is_empty(), "the history is for consultants");

    // Her next question: the consultant sees the first beside it.
    let next = app
        .open_consultation(
            &caller(&mother, T0),
            &question("又一个问题", "证明寄到哪里？"),
            Lang::Zh,
        )
        .await
        .expect("opened");
    let seen = app
        .consultation(&caller(&night, T0), None, &next.consultation.row.id, 0)
        .await
        .expect("read");
    let earlier: Vec<&str> = seen.history.iter().map(|c| c.row.id.as_str()).collect();
    assert_eq!(earlier, vec![id.as_str()]);
}

#[tokio::test]
async fn with_nobody_on_shift_the_person_is_told_when_and_anyone_may_take_it() {
    let (app, _db) = app().await;
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    // T0 is Thursday 10:06 in Beijing; the only shift starts at 20:00.
    app.set_shifts(
        &caller(&admin, T0),
        &consultant.actor.user_id,
        "mon-sun 20:00-24:00\nmon-sun 00:00-02:00",
    )
    .await
    .expect("shifts");
    let rota = app.rota(&caller(&consultant, T0)).await.expect("rota");
    assert!(!rota.consultants[0].on_shift);
    assert_eq!(rota.gaps.len(), 7, "02:00-20:00 every day");
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let opened = app
        .open_consultation(
            &caller(&applicant, T0),
            &question("驾照换证", "国外驾照怎么换国内驾照？"),
            Lang::Zh,
        )
        .await
        .expect("opened");
    let wait = 9 * 60 + 54;
    assert_eq!(opened.waiting, Some(Some(wait)));
    assert_eq!(opened.consultation.row.consultant_id, None);
    assert_eq!(
        opened.consultation.row.first_response_due,
        T0 + i64::from(wait) * MINUTE + FIRST_RESPONSE_MS
    );
    let id = opened.consultation.row.id.clone();
    // Nobody holds it: it is in the consultant's inbox, and answering takes it.
    let inbox = app
        .consultation_inbox(&caller(&consultant, T0), false, 0, 20)
        .await
        .expect("inbox");
    assert!(inbox.items.iter().any(|i| i.row.id == id));
    app.post_consultation_message(&caller(&consultant, T0 + MINUTE), None, &id, "您好", None)
        .await
        .expect("answered");
    let view = app
        .consultation(&caller(&consultant, T0 + MINUTE), None, &id, 0)
        .await
        .expect("read");
    assert_eq!(
        view.consultation.row.consultant_id.as_deref(),
        Some(consultant.actor.user_id.as_str())
    );
    assert_eq!(
        SystemNote::parse(&view.messages[2].body),
        Some(SystemNote::Transferred {
            to: "咨询员".into()
        })
    );

    // With no shifts at all, nobody can say when.
    app.set_shifts(&caller(&admin, T0), &consultant.actor.user_id, "")
        .await
        .expect("no shifts");
    let opened = app
        .open_consultation(
            &caller(&applicant, T0),
            &question("护照", "在吗？"),
            Lang::Zh,
        )
        .await
        .expect("opened");
    assert_eq!(opened.waiting, Some(None));
}

#[tokio::test]
async fn a_guest_asks_with_her_address_and_comes_back_with_her_key() {
    let (app, db) = app().await;
    let guest = OpenRequest {
        subject: "Rinnovo passaporto".into(),
        body: "<script>alert(1)</script> Posso rinnovare a Milano? 🙂 𠮷".into(),
        guest_name: "Lucia Chen".into(),
        guest_email: "Lucia.Chen@Example.org".into(),
    };
    let opened = app
        .open_consultation(&anonymous(T0), &guest, Lang::It)
        .await
        .expect("opened");
    let key = opened.guest_key.clone().expect("a key");
    let id = opened.consultation.row.id.clone();
    let sent = queued(&db.store, "consultation-opened").await;
    let (to, params) = sent.last().expect("her link");
    assert_eq!(to, "lucia.chen@example.org");
    assert!(params["link"].as_str().expect("link").contains(&key));

    // Her key opens it; no key or a wrong one is "not found"; a stranger's account is refused
    // and the refusal audited.
    let view = app
        .consultation(&anonymous(T0), Some(&key), &id, 0)
        .await
        .expect("with her key");
    assert_eq!(view.side, Side::Person);
    assert_eq!(
        view.messages[0].body, guest.body,
        "kept as written; pages escape it"
    );
    assert_eq!(view.messages[0].author_name, "Lucia Chen");
    for wrong in [None, Some("0".repeat(32))] {
        assert!(matches!(
            app.consultation(&anonymous(T0), wrong.as_deref(), &id, 0)
                .await,
            Err(AppError::NotFound(_))
        ));
    }
    let stranger = session(&app, "applicant@qiaoyi.example", T0).await;
    assert!(matches!(
        app.post_consultation_message(&caller(&stranger, T0), None, &id, "hi", None)
            .await,
        Err(AppError::Forbidden(_))
    ));
    let filter = qiaoyi_store::AuditFilter {
        subject_id: id.clone(),
        ..Default::default()
    };
    let entries = db.store.audit_search(&filter, 0, 50).await.expect("audit");
    assert!(entries.items.iter().any(|e| e.outcome == "denied"));

    // A canned answer arrives in Italian, and she is told at her address, with her key.
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    let answers = app
        .canned_answers(&caller(&consultant, T0))
        .await
        .expect("answers");
    let greeting = answers
        .iter()
        .find(|a| a.title == "问候")
        .expect("greeting");
    let reply = app
        .post_consultation_message(
            &caller(&consultant, T0 + MINUTE),
            None,
            &id,
            "",
            Some(&greeting.id),
        )
        .await
        .expect("canned");
    assert_eq!(reply.body, greeting.body_it);
    let told = queued(&db.store, "consultation-reply").await;
    assert!(told.iter().any(|(to, p)| to == "lucia.chen@example.org"
        && p["link"].as_str().is_some_and(|l| l.contains(&key))));
    app.post_consultation_message(
        &anonymous(T0 + 2 * MINUTE),
        Some(&key),
        &id,
        "Grazie!",
        None,
    )
    .await
    .expect("she replies");
    assert!(matches!(
        app.post_consultation_message(&anonymous(T0), Some(&key), &id, "", Some(&greeting.id))
            .await,
        Err(AppError::Invalid {
            field: "answer",
            ..
        })
    ));
}

#[tokio::test]
async fn a_consultation_is_handed_on_closed_and_rated_once() {
    let (app, db) = app().await;
    let night = second_consultant(&app).await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let mine = app
        .my_consultations(&caller(&applicant, T0), 0, 10)
        .await
        .expect("mine");
    let id = mine.items[0].row.id.clone();
    assert_eq!(
        mine.items[0].row.consultant_id.as_deref(),
        Some(consultant.actor.user_id.as_str())
    );
    // Only consultants hand on; the holder hands to a colleague.
    assert!(matches!(
        app.transfer_consultation(&caller(&applicant, T0), &id, &night.actor.user_id)
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(
        invalid_field(
            app.transfer_consultation(&caller(&consultant, T0), &id, "nobody")
                .await
        ),
        "to"
    );
    let to_night = |told: Vec<(String, serde_json::Value)>| {
        told.into_iter()
            .filter(|(to, p)| {
                to == "consultant2@qiaoyi.example" && p["subject"] == "护照快到期了，在罗马怎么换？"
            })
            .count()
    };
    assert_eq!(
        to_night(queued(&db.store, "consultation-assigned").await),
        0
    );
    app.transfer_consultation(&caller(&consultant, T0), &id, &night.actor.user_id)
        .await
        .expect("handed on");
    assert_eq!(
        to_night(queued(&db.store, "consultation-assigned").await),
        1
    );
    let inbox = app
        .consultation_inbox(&caller(&night, T0), false, 0, 10)
        .await
        .expect("inbox");
    assert!(inbox.items.iter().any(|i| i.row.id == id));

    // A consultant does not rate; the person closes and rates once; nothing is written after.
    assert_eq!(
        invalid_field(
            app.close_consultation(&caller(&night, T0), None, &id, Some(5), "")
                .await
        ),
        "rating"
    );
    for bad in [0, 6] {
        assert_eq!(
            invalid_field(
                app.close_consultation(&caller(&applicant, T0), None, &id, Some(bad), "")
                    .await
            ),
            "rating"
        );
    }
    app.close_consultation(&caller(&applicant, T0), None, &id, Some(5), "很及时")
        .await
        .expect("closed");
    let view = app
        .consultation(&caller(&applicant, T0), None, &id, 0)
        .await
        .expect("read");
    assert!(!view.consultation.is_open());
    assert_eq!(view.consultation.row.rating, Some(5));
    assert!(matches!(
        app.close_consultation(&caller(&applicant, T0), None, &id, Some(4), "")
            .await,
        Err(AppError::Store(qiaoyi_store::StoreError::Conflict { .. }))
    ));
    assert!(matches!(
        app.post_consultation_message(&caller(&applicant, T0), None, &id, "再问一句", None)
            .await,
        Err(AppError::Store(qiaoyi_store::StoreError::Conflict { .. }))
    ));
    let inbox = app
        .consultation_inbox(&caller(&night, T0), false, 0, 10)
        .await
        .expect("inbox");
    assert!(
        inbox.items.iter().all(|i| i.row.id != id),
        "closed ones leave the inbox"
    );
}

#[tokio::test]
async fn a_consultation_turns_into_a_case_filed_under_a_mandate() {
    let (app, _db) = app().await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    let mother = session(&app, "mother@qiaoyi.example", T0).await;
    let opened = app
        .open_consultation(
            &caller(&mother, T0),
            &question("帮我办无犯罪记录证明", "我不会用手机，能帮我办吗？"),
            Lang::Zh,
        )
        .await
        .expect("opened");
    let id = opened.consultation.row.id.clone();
    // The consultant asks for a mandate; she confirms it from her account.
    let today = qiaoyi_app::cases::beijing_today(T0).to_string();
    let mandate = app
        .request_mandate(
            &caller(&consultant, T0),
            &MandateRequest {
                principal_email: "mother@qiaoyi.example".into(),
                relation: "other".into(),
                items: vec!["EC-01".into()],
                valid_from: today.clone(),
                valid_to: "2026-12-31".into(),
                evidence: "咨询 q 中本人同意，电话核实".into(),
            },
        )
        .await
        .expect("asked");
    app.confirm_mandate(&caller(&mother, T0), &mandate.id, "")
        .await
        .expect("confirmed");
    let case = app
        .open_case(
            &caller(&consultant, T0),
            &CaseRequest {
                item: "EC-01".into(),
                person_name: "陈秀英".into(),
                birth_date: "1941-02-03".into(),
                relation: "self".into(),
                delivery: "window".into(),
                mandate: mandate.id.clone(),
                ..CaseRequest::default()
            },
        )
        .await
        .expect("filed for her");
    // Someone else's case cannot be linked; hers can, and the chat says so.
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let others = app
        .my_consultations(&caller(&applicant, T0), 0, 1)
        .await
        .expect("theirs");
    assert_eq!(
        invalid_field(
            app.link_consultation_case(
                &caller(&consultant, T0),
                &others.items[0].row.id,
                &case.number
            )
            .await
        ),
        "number"
    );
    assert_eq!(
        invalid_field(
            app.link_consultation_case(&caller(&consultant, T0), &id, "QT-1999-000001")
                .await
        ),
        "number"
    );
    assert!(matches!(
        app.link_consultation_case(&caller(&mother, T0), &id, &case.number)
            .await,
        Err(AppError::Forbidden(_))
    ));
    app.link_consultation_case(&caller(&consultant, T0), &id, &format!(" {} ", case.number))
        .await
        .expect("linked");
    let view = app
        .consultation(&caller(&mother, T0), None, &id, 0)
        .await
        .expect("read");
    assert_eq!(
        view.consultation.row.case_number.as_deref(),
        Some(case.number.as_str())
    );
    assert_eq!(
        SystemNote::parse(&view.messages.last().expect("note").body),
        Some(SystemNote::CaseLinked {
            number: case.number.clone()
        })
    );
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field() {
    let (app, _db) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let ask = |subject: &str, body: &str| question(subject, body);
    for (request, field) in [
        (ask("", "body"), "subject"),
        (ask("a\u{7}b", "body"), "subject"),
        (ask(&"题".repeat(121), "body"), "subject"),
        (ask("subject", " \n "), "body"),
        (ask("subject", &"x".repeat(100 * 1024)), "body"),
        (ask("subject", "nul\u{0}"), "body"),
    ] {
        assert_eq!(
            invalid_field(
                app.open_consultation(&caller(&applicant, T0), &request, Lang::Zh)
                    .await
            ),
            field
        );
    }
    // The longest message is kept whole.
    app.open_consultation(
        &caller(&applicant, T0),
        &ask("长消息", &"字".repeat(MAX_MESSAGE_CHARS)),
        Lang::Zh,
    )
    .await
    .expect("at the limit");
    for (name, email, field) in [
        ("", "a@example.org", "guest_name"),
        ("Ana", "not-an-address", "guest_email"),
        ("Ana", "", "guest_email"),
    ] {
        let guest = OpenRequest {
            guest_name: name.into(),
            guest_email: email.into(),
            ..ask("Pasaporte", "Hola")
        };
        assert_eq!(
            invalid_field(
                app.open_consultation(&anonymous(T0), &guest, Lang::Es)
                    .await
            ),
            field
        );
    }
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    for hours in [
        "mon-sun 25:00-26:00",
        "someday 09:00-10:00",
        "mon 10:00-09:00",
    ] {
        assert_eq!(
            invalid_field(
                app.set_shifts(&caller(&admin, T0), &consultant.actor.user_id, hours)
                    .await
            ),
            "hours"
        );
    }
    assert!(matches!(
        app.set_shifts(
            &caller(&consultant, T0),
            &consultant.actor.user_id,
            "mon 09:00-10:00"
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.set_shifts(
            &caller(&admin, T0),
            &applicant.actor.user_id,
            "mon 09:00-10:00"
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    let mut answer = AnswerRequest {
        title: "材料".into(),
        zh: "请上传护照首页。".into(),
        en: "Please upload the passport's data page.".into(),
        it: "Carichi la pagina dei dati del passaporto.".into(),
        es: String::new(),
        ..AnswerRequest::default()
    };
    assert_eq!(
        invalid_field(
            app.save_canned_answer(&caller(&consultant, T0), &answer)
                .await
        ),
        "es"
    );
    answer.es = "Suba la página de datos del pasaporte.".into();
    assert!(matches!(
        app.save_canned_answer(&caller(&applicant, T0), &answer)
            .await,
        Err(AppError::Forbidden(_))
    ));
    app.save_canned_answer(&caller(&consultant, T0), &answer)
        .await
        .expect("saved");
    assert!(matches!(
        app.consultation_inbox(&caller(&applicant, T0), false, 0, 10)
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.consultation(&caller(&applicant, T0), None, "q-missing", 0)
            .await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn documents_are_attached_as_in_cases_and_read_only_by_those_in_the_conversation() {
    let (app, _db) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    let mother = session(&app, "mother@qiaoyi.example", T0).await;
    let id = app
        .my_consultations(&caller(&applicant, T0), 0, 1)
        .await
        .expect("hers")
        .items[0]
        .row
        .id
        .clone();
    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";
    let sent = app
        .attach_to_consultation(&caller(&applicant, T0), None, &id, "../护照 首页.pdf", PDF)
        .await
        .expect("attached");
    assert_eq!(
        sent.file,
        Some(Attachment {
            file_name: "护照 首页.pdf".into(),
            media_type: MediaType::Pdf,
            size: PDF.len() as i64
        })
    );
    assert_eq!(sent.body, "护照 首页.pdf");
    // Both sides read it back byte for byte; someone else is refused.
    for who in [&applicant, &consultant] {
        let (name, kind, content) = app
            .consultation_file(&caller(who, T0), None, &id, sent.seq)
            .await
            .expect("read");
        assert_eq!(
            (name.as_str(), kind.as_str(), content.as_slice()),
            ("护照 首页.pdf", "application/pdf", PDF)
        );
    }
    assert!(matches!(
        app.consultation_file(&caller(&mother, T0), None, &id, sent.seq)
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.consultation_file(&caller(&applicant, T0), None, &id, 1)
            .await,
        Err(AppError::NotFound(_))
    ));
    // Wrong kinds, mismatched content and empty files are refused; nothing is written.
    for (name, content) in [
        ("virus.exe", PDF),
        ("photo.png", PDF),
        ("scan.pdf", b"MZ\x90\x00".as_slice()),
        ("scan.pdf", b"".as_slice()),
    ] {
        assert_eq!(
            invalid_field(
                app.attach_to_consultation(&caller(&applicant, T0), None, &id, name, content)
                    .await
            ),
            "file"
        );
    }
    let view = app
        .consultation(&caller(&applicant, T0), None, &id, 0)
        .await
        .expect("read");
    assert_eq!(view.messages.iter().filter(|m| m.file.is_some()).count(), 1);
}
