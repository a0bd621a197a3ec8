//! The video identity check itself through the use cases, on whichever database the test store
//! gives: who must be confirmed (the adult herself; a minor's parents or guardians), what the
//! officer records and when, the gate on "identity verified", who may enter the room, and moving a
//! booking atomically.

use crate::common;

use common::{T0, anonymous, caller, demo_app as app, session, submitted};
use qiaoyi_app::accounts::CurrentSession;
use qiaoyi_app::cases::{Case, CaseRequest, StepRequest};
use qiaoyi_app::domain::video_check::{GateError, OPENS_BEFORE_MS, legacy_number_digest};
use qiaoyi_app::video_check::{ParticipantInput, RoomRole, VerdictInput};
use qiaoyi_app::{App, AppError, Reason, StoreError};
use sqlx::Connection;

const MINUTE: i64 = 60_000;
/// 2026-05-28 11:00 in Beijing, a minute-aligned time after `T0`.
const START: i64 = 1_779_937_200_000;

fn renewal(birth_date: &str, relation: &str) -> CaseRequest {
    CaseRequest {
        item: "EE-01".into(),
        person_name: "季小雨".into(),
        person_name_latin: "JI XIAOYU".into(),
        birth_date: birth_date.into(),
        relation: relation.into(),
        delivery: "courier".into(),
        ..CaseRequest::default()
    }
}

/// Publishes 11:00 and 11:30 on 28 May (Beijing) and books the first for the case.
async fn booked(
    app: &App,
    officer: &CurrentSession,
    booker: &CurrentSession,
    case: &Case,
) -> String {
    app.publish_slots(&caller(officer, T0), "2026-05-28", "11:00 11:30", 20)
        .await
        .expect("published");
    let slot = app
        .my_slots(&caller(officer, T0))
        .await
        .expect("slots")
        .into_iter()
        .find(|s| s.row.starts_at == START)
        .expect("the 11:00 slot");
    app.book_video_slot(&caller(booker, T0), &case.id, &slot.row.id, "Europe/Rome")
        .await
        .expect("booked");
    slot.row.id
}

fn person(role: &str, name: &str, number: &str) -> ParticipantInput {
    ParticipantInput {
        role: role.into(),
        name: name.into(),
        document_type: "passport".into(),
        document_number: number.into(),
        email: String::new(),
    }
}

fn verdict(verdict: &str, number: &str) -> VerdictInput {
    VerdictInput {
        verdict: verdict.into(),
        document_type: "passport".into(),
        document_number: number.into(),
        note: String::new(),
    }
}

async fn verify(app: &App, officer: &CurrentSession, id: &str, now: i64) -> Result<Case, AppError> {
    let version = app
        .case(&caller(officer, now), id)
        .await
        .expect("read")
        .case
        .version;
    let request = StepRequest {
        step: "verify_identity".into(),
        expected_version: version,
        ..StepRequest::default()
    };
    app.step_case(&caller(officer, now), id, &request).await
}

async fn accept(app: &App, officer: &CurrentSession, case: &Case) {
    let request = StepRequest {
        step: "accept".into(),
        expected_version: case.version,
        ..StepRequest::default()
    };
    app.step_case(&caller(officer, T0), &case.id, &request)
        .await
        .expect("accepted");
}

#[tokio::test]
async fn an_adult_is_confirmed_against_her_document_before_identity_is_verified() {
    let (app, store) = app().await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let case = submitted(&app, &applicant, &renewal("1990-04-02", "self")).await;
    accept(&app, &officer, &case).await;
    let opens = START - OPENS_BEFORE_MS;

    // Nobody added: the gate names what is missing.
    let check = app
        .video_check(&caller(&applicant, T0), &case)
        .await
        .expect("check")
        .expect("EE-01 has a video check");
    assert!(check.needs && !check.guardians && check.may_edit && !check.may_record);
    assert_eq!(check.waiting, Some(GateError::NoSubject));
    let early = verify(&app, &officer, &case.id, T0).await;
    assert!(
        matches!(early, Err(AppError::Invalid { field: "video", .. })),
        "{early:?}"
    );

    // Bad participants are refused with their field; an adult's case takes no parents.
    for (input, field) in [
        (person("parent", "季父", "E12345678"), "role"),
        (person("uncle", "季某", "E12345678"), "role"),
        (person("subject", " ", "E12345678"), "name"),
        (person("subject", "季小雨", "E1"), "document_number"),
        (
            ParticipantInput {
                document_type: "visa".into(),
                ..person("subject", "季小雨", "E12345678")
            },
            "document_type",
        ),
        (
            ParticipantInput {
                email: "nobody@qiaoyi.example".into(),
                ..person("subject", "季小雨", "E12345678")
            },
            "email",
        ),
    ] {
        let refused = app
            .add_video_participant(&caller(&applicant, T0), &case.id, &input)
            .await;
        assert!(
            matches!(refused, Err(AppError::Invalid { field: f, .. }) if f == field),
            "{field}: {refused:?}"
        );
    }
    // A stranger may not add anyone and learns nothing of the case.
    let madrid = session(&app, "station.madrid@qiaoyi.example", T0).await;
    let stranger = app
        .add_video_participant(
            &caller(&madrid, T0),
            &case.id,
            &person("subject", "季小雨", "E12345678"),
        )
        .await;
    assert!(
        matches!(stranger, Err(AppError::NotFound(_))),
        "{stranger:?}"
    );

    let her = app
        .add_video_participant(
            &caller(&applicant, T0),
            &case.id,
            &person("subject", "季小雨", "e 1234-5678"),
        )
        .await
        .expect("added");
    // Kept as a keyed MAC: not the unkeyed digest anyone could recompute and try numbers against,
    // and no part of the number in clear.
    assert!(her.row.document_digest.starts_with("mac:"));
    assert_ne!(
        her.row.document_digest,
        legacy_number_digest(&case.id, "E12345678")
    );
    assert!(
        !her.row.document_digest.contains("12345678"),
        "the number is not kept"
    );
    let slot = booked(&app, &officer, &applicant, &case).await;

    // Recording: not before the room opens, only by the check's officer, confirmed only when the
    // document shown matches the one on file.
    let too_soon = app
        .record_video_verdict(
            &caller(&officer, opens - 1),
            &case.id,
            &her.row.id,
            &verdict("confirmed", "E12345678"),
        )
        .await;
    assert!(
        matches!(
            too_soon,
            Err(AppError::Invalid {
                field: "verdict",
                ..
            })
        ),
        "{too_soon:?}"
    );
    let not_hers = app
        .record_video_verdict(
            &caller(&applicant, opens),
            &case.id,
            &her.row.id,
            &verdict("confirmed", "E12345678"),
        )
        .await;
    assert!(
        matches!(not_hers, Err(AppError::Forbidden(_))),
        "{not_hers:?}"
    );
    let mismatch = app
        .record_video_verdict(
            &caller(&officer, opens),
            &case.id,
            &her.row.id,
            &verdict("confirmed", "E12345679"),
        )
        .await;
    assert!(
        matches!(
            mismatch,
            Err(AppError::Invalid {
                field: "document_number",
                reason: Reason::Mismatch,
                ..
            })
        ),
        "{mismatch:?}"
    );
    let not_confirmed = app
        .record_video_verdict(
            &caller(&officer, opens),
            &case.id,
            &her.row.id,
            &verdict("not_confirmed", "E12345679"),
        )
        .await
        .expect("recorded");
    assert_eq!(
        (
            not_confirmed.row.verdict.as_str(),
            not_confirmed.row.document_matched
        ),
        ("not_confirmed", Some(false))
    );
    let refused = verify(&app, &officer, &case.id, opens).await;
    assert!(
        matches!(refused, Err(AppError::Invalid { field: "video", ref message, .. }) if message.contains("季小雨")),
        "{refused:?}"
    );
    // Once recorded, she stays on the check.
    let removal = app
        .remove_video_participant(&caller(&applicant, opens), &case.id, &her.row.id)
        .await;
    assert!(
        matches!(removal, Err(AppError::Store(StoreError::Conflict { .. }))),
        "{removal:?}"
    );

    let confirmed = app
        .record_video_verdict(
            &caller(&officer, START + 5 * MINUTE),
            &case.id,
            &her.row.id,
            &VerdictInput {
                note: "护照原件清晰".into(),
                ..verdict("confirmed", "E12345678")
            },
        )
        .await
        .expect("confirmed");
    assert_eq!(confirmed.row.slot_id.as_deref(), Some(slot.as_str()));
    let done = verify(&app, &officer, &case.id, START + 10 * MINUTE)
        .await
        .expect("identity verified");
    assert_eq!(done.state.as_str(), "identity_verified");

    // The records are in the case's timeline and the audit chain, and the chain holds.
    let events = store.case_events(&case.id).await.expect("events");
    let checks: Vec<&str> = events
        .iter()
        .filter(|e| e.kind.as_str() == "video_check")
        .map(|e| e.note.as_str())
        .collect();
    assert_eq!(checks.len(), 2);
    assert!(
        checks[1].contains("confirmed · document matched — 护照原件清晰"),
        "{checks:?}"
    );
    assert!(events.iter().all(|e| !e.note.contains("12345678")));
    app.verify_audit(None, &|_| {})
        .await
        .expect("verify")
        .expect("chain intact");
}

#[tokio::test]
async fn a_minors_parents_are_confirmed_wherever_they_are() {
    let (app, store) = app().await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let case = submitted(&app, &applicant, &renewal("2016-09-01", "child")).await;
    accept(&app, &officer, &case).await;
    let opens = START - OPENS_BEFORE_MS;

    // The child alone does not open the gate; her parents must be added and confirmed.
    let child = app
        .add_video_participant(
            &caller(&applicant, T0),
            &case.id,
            &person("subject", "季小雨", "E00000001"),
        )
        .await
        .expect("the child may take part");
    let check = app
        .video_check(&caller(&applicant, T0), &case)
        .await
        .expect("check")
        .expect("check");
    assert!(check.guardians);
    assert_eq!(check.waiting, Some(GateError::NoGuardian));
    assert!(!check.participants[0].required, "the child is not required");
    let mother = app
        .add_video_participant(
            &caller(&applicant, T0),
            &case.id,
            &person("parent", "季美华", "E11111111"),
        )
        .await
        .expect("mother");
    // The father joins from his own account in Madrid.
    let father = app
        .add_video_participant(
            &caller(&applicant, T0),
            &case.id,
            &ParticipantInput {
                email: "mother@qiaoyi.example".into(),
                ..person("parent", "季建国", "E22222222")
            },
        )
        .await
        .expect("father");
    assert!(father.row.user_id.is_some());
    booked(&app, &officer, &applicant, &case).await;
    // The mother was declared before digests were keyed: hers is still matched, and kept keyed
    // from then on.
    let legacy = legacy_number_digest(&case.id, "E11111111");
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw connection");
    sqlx::query("UPDATE video_participants SET document_digest = $1 WHERE id = $2")
        .bind(&legacy)
        .bind(&mother.row.id)
        .execute(&mut conn)
        .await
        .expect("an old digest");
    for (who, number) in [(&mother, "E11111111"), (&child, "E00000001")] {
        app.record_video_verdict(
            &caller(&officer, opens),
            &case.id,
            &who.row.id,
            &verdict("confirmed", number),
        )
        .await
        .expect("confirmed");
    }
    app.record_video_verdict(
        &caller(&officer, opens),
        &case.id,
        &father.row.id,
        &verdict("absent", ""),
    )
    .await
    .expect("absent");
    let rekeyed = store
        .store
        .participant(&mother.row.id)
        .await
        .expect("read")
        .expect("the mother");
    assert!(rekeyed.document_digest.starts_with("mac:"), "{rekeyed:?}");
    let refused = verify(&app, &officer, &case.id, opens).await;
    assert!(
        matches!(refused, Err(AppError::Invalid { field: "video", ref message, .. }) if message.contains("季建国") && !message.contains("季美华")),
        "{refused:?}"
    );
    app.record_video_verdict(
        &caller(&officer, opens + MINUTE),
        &case.id,
        &father.row.id,
        &verdict("confirmed", "E2222-2222"),
    )
    .await
    .expect("confirmed at the second try");
    verify(&app, &officer, &case.id, opens + 2 * MINUTE)
        .await
        .expect("identity verified");
}

/// With STUN and TURN configured, each admitted browser is given the servers and TURN credentials
/// of her own (coturn's REST scheme) that end when the room closes; the secret is never given.
#[tokio::test]
async fn an_admitted_person_gets_turn_credentials_of_her_own_until_the_room_closes() {
    use qiaoyi_app::config::{Config, IcePolicy, SecretKey};
    use qiaoyi_app::domain::ice::turn_credentials;
    use qiaoyi_app::domain::video_check::STAYS_AFTER_MS;
    let secret = "a coturn shared secret";
    let (app, _store) = common::demo_app_with(Config {
        ice_servers: vec![
            "stun:turn.qiaoyi.example:3478".into(),
            "turns:turn.qiaoyi.example:443?transport=tcp".into(),
        ],
        turn_secret: Some(SecretKey(secret.into())),
        ice_transport_policy: IcePolicy::Relay,
        ..Config::default()
    })
    .await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let case = submitted(&app, &applicant, &renewal("1990-04-02", "self")).await;
    let slot = booked(&app, &officer, &applicant, &case).await;
    let opens = START - OPENS_BEFORE_MS;
    let hers = app
        .video_room(&caller(&applicant, opens), &slot, "")
        .await
        .expect("enters");
    assert_eq!(hers.ice.stun, ["stun:turn.qiaoyi.example:3478"]);
    assert_eq!(
        hers.ice.turn,
        ["turns:turn.qiaoyi.example:443?transport=tcp"]
    );
    assert_eq!(hers.ice.policy, "relay");
    let closes = (hers.slot.row.starts_at + hers.slot.row.minutes * 60_000 + STAYS_AFTER_MS) / 1000;
    let credentials = hers.ice.credentials.expect("credentials");
    assert_eq!(
        credentials,
        turn_credentials(secret.as_bytes(), &applicant.actor.user_id, closes)
    );
    assert!(!credentials.password.contains(secret));
    let his = app
        .video_room(&caller(&officer, opens), &slot, "")
        .await
        .expect("enters")
        .ice
        .credentials
        .expect("credentials");
    assert_ne!(his.username, credentials.username, "each has her own");
}

#[tokio::test]
async fn only_the_officer_and_the_participants_enter_the_room_and_only_while_it_is_open() {
    let (app, store) = app().await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let relative = session(&app, "mother@qiaoyi.example", T0).await;
    let madrid = session(&app, "station.madrid@qiaoyi.example", T0).await;
    let case = submitted(&app, &applicant, &renewal("1990-04-02", "self")).await;
    let slot = booked(&app, &officer, &applicant, &case).await;
    let opens = START - OPENS_BEFORE_MS;

    let pass = app
        .video_room(&caller(&officer, opens), &slot, "")
        .await
        .expect("the officer enters");
    assert_eq!(pass.role, RoomRole::Officer);
    assert_eq!(pass.slot.beijing, "2026-05-28 11:00 CST");
    let pass = app
        .video_room(&caller(&applicant, opens), &slot, "")
        .await
        .expect("the applicant enters");
    assert_eq!(pass.role, RoomRole::Participant);
    assert_eq!(
        pass.slot.local, "2026-05-28 05:00 CEST",
        "in the zone she booked in"
    );
    // A relative enters once she is a participant on her own account.
    let before = app.video_room(&caller(&relative, opens), &slot, "").await;
    assert!(matches!(before, Err(AppError::Forbidden(_))), "{before:?}");
    app.add_video_participant(
        &caller(&applicant, T0),
        &case.id,
        &ParticipantInput {
            email: "mother@qiaoyi.example".into(),
            ..person("subject", "季美华", "E12345678")
        },
    )
    .await
    .expect("added");
    app.video_room(&caller(&relative, opens), &slot, "")
        .await
        .expect("the participant enters");
    // Another station is refused, and the attempt is audited.
    let refused = app.video_room(&caller(&madrid, opens), &slot, "").await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    // So is the duty leader, who reads every case but takes no part in its check.
    let duty = session(&app, "duty@qiaoyi.example", opens).await;
    let refused = app.video_room(&caller(&duty, opens), &slot, "").await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    let denied = store
        .audit_search(
            &qiaoyi_app::AuditFilter {
                action: "enter_video_room".into(),
                ..Default::default()
            },
            0,
            200,
        )
        .await
        .expect("audit")
        .items
        .into_iter()
        .filter(|a| a.action == "enter_video_room" && a.outcome == "denied")
        .count();
    assert_eq!(denied, 3);
    // Outside the room's hours even the officer waits; an unknown room is not found.
    for at in [opens - 1, START + 20 * MINUTE + 60 * MINUTE + 1] {
        let closed = app.video_room(&caller(&officer, at), &slot, "").await;
        assert!(
            matches!(closed, Err(AppError::Invalid { field: "room", .. })),
            "{closed:?}"
        );
    }
    assert!(app.room_still_open(&slot, START).await.expect("open"));
    assert!(!app.room_still_open(&slot, opens - 1).await.expect("closed"));
    let unknown = app.video_room(&caller(&officer, opens), "v-none", "").await;
    assert!(matches!(unknown, Err(AppError::NotFound(_))), "{unknown:?}");
    assert!(matches!(
        app.video_room(&anonymous(opens), &slot, "").await,
        Err(AppError::Unauthenticated)
    ));
}

#[tokio::test]
async fn a_booking_moves_in_one_step_and_of_two_moves_to_one_time_one_wins() {
    let (app, store) = app().await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let rome = session(&app, "station.rome@qiaoyi.example", T0).await;
    let first = submitted(&app, &applicant, &renewal("1990-04-02", "self")).await;
    let second = submitted(
        &app,
        &rome,
        &CaseRequest {
            person_name: "周立新".into(),
            person_name_latin: "ZHOU LIXIN".into(),
            relation: "other".into(),
            delivery: "station".into(),
            ..renewal("1980-05-12", "other")
        },
    )
    .await;
    app.publish_slots(&caller(&officer, T0), "2026-05-29", "09:00 09:30 10:00", 20)
        .await
        .expect("published");
    let slots: Vec<String> = app
        .my_slots(&caller(&officer, T0))
        .await
        .expect("slots")
        .into_iter()
        .filter(|s| s.beijing.starts_with("2026-05-29"))
        .map(|s| s.row.id)
        .collect();
    let (a, b, c) = (&slots[0], &slots[1], &slots[2]);
    app.book_video_slot(&caller(&applicant, T0), &first.id, a, "")
        .await
        .expect("a");
    app.book_video_slot(&caller(&rome, T0), &second.id, b, "")
        .await
        .expect("b");

    // Moving to a taken time or to the same time is refused; nothing changes.
    let taken = app
        .reschedule_video_slot(&caller(&applicant, T0), a, b, "")
        .await;
    assert!(
        matches!(taken, Err(AppError::Store(StoreError::Conflict { .. }))),
        "{taken:?}"
    );
    let same = app
        .reschedule_video_slot(&caller(&applicant, T0), a, a, "")
        .await;
    assert!(matches!(same, Err(AppError::Invalid { .. })), "{same:?}");
    let theirs = app
        .reschedule_video_slot(&caller(&rome, T0), a, c, "")
        .await;
    assert!(matches!(theirs, Err(AppError::NotFound(_))), "{theirs:?}");
    assert_eq!(
        store
            .booked_slot_of_case(&first.id)
            .await
            .expect("slot")
            .map(|s| s.id),
        Some(a.clone())
    );

    // Both move to 10:00 at once: exactly one gets it, the other keeps her time.
    let (c1, c2) = (caller(&applicant, T0), caller(&rome, T0));
    let (x, y) = tokio::join!(
        app.reschedule_video_slot(&c1, a, c, ""),
        app.reschedule_video_slot(&c2, b, c, ""),
    );
    assert_eq!(u8::from(x.is_ok()) + u8::from(y.is_ok()), 1, "{x:?} {y:?}");
    let first_slot = store
        .booked_slot_of_case(&first.id)
        .await
        .expect("slot")
        .map(|s| s.id);
    let second_slot = store
        .booked_slot_of_case(&second.id)
        .await
        .expect("slot")
        .map(|s| s.id);
    if x.is_ok() {
        assert_eq!(
            (first_slot, second_slot),
            (Some(c.clone()), Some(b.clone()))
        );
    } else {
        assert_eq!(
            (first_slot, second_slot),
            (Some(a.clone()), Some(c.clone()))
        );
    }
}
