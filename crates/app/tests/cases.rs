//! Cases through the use cases, on whichever database the test store gives: a case from draft to
//! closed (paid, sent by courier, handed over with her code), the concurrent decision, deadlines on
//! the working-day calendar, and bad input.

use crate::common;

use common::{T0, caller, demo_app as app, session};
use qiaoyi_app::accounts::CurrentSession;
use qiaoyi_app::cases::{CaseList, CaseRequest, StepRequest, Upload};
use qiaoyi_app::domain::calendar::Deadline;
use qiaoyi_app::domain::cases::CaseState;
use qiaoyi_app::green_channel::{GreenDecisionInput, GreenRequestInput};
use qiaoyi_app::{App, AppError, Reason};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";
/// Two strokes on the 600 × 200 pad.
const SIGNATURE: &str = "20,120 60,80 110,130 160,70|200,60 200,150";

fn step_request(step: &str, expected_version: i64, reason: &str) -> StepRequest {
    StepRequest {
        step: step.into(),
        expected_version,
        reason: reason.into(),
        ..StepRequest::default()
    }
}

fn passport_renewal() -> CaseRequest {
    CaseRequest {
        item: "EE-01".into(),
        person_name: "季美华".into(),
        person_name_latin: "JI MEIHUA".into(),
        birth_date: "1950-04-02".into(),
        relation: "self".into(),
        delivery: "courier".into(),
        applicant_email: String::new(),
        person: String::new(),
        mandate: String::new(),
        duplicate_ok: false,
    }
}

/// Uploads a PDF for every required material of the case.
async fn upload_required(app: &App, who: &CurrentSession, id: &str) {
    let detail = app.case(&caller(who, T0), id).await.expect("read");
    for (i, m) in detail.case.item.materials.iter().enumerate() {
        if m.required {
            app.upload_case_file(
                &caller(who, T0),
                id,
                &Upload {
                    material: i,
                    file_name: "scan.pdf",
                    content: PDF,
                },
            )
            .await
            .expect("uploaded");
        }
    }
}

#[tokio::test]
async fn a_case_goes_from_draft_to_closed_by_the_right_roles() {
    let (app, store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let case = app
        .open_case(&caller(&applicant, T0), &passport_renewal())
        .await
        .expect("opened");
    assert_eq!(case.state, CaseState::Draft);
    assert!(case.number.starts_with("QT-2026-"), "{}", case.number);

    // Submitting without the required materials is refused and changes nothing.
    let refused = app
        .step_case(
            &caller(&applicant, T0),
            &case.id,
            &step_request("submit", 1, ""),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(AppError::Invalid {
                field: "materials",
                ..
            })
        ),
        "{refused:?}"
    );
    upload_required(&app, &applicant, &case.id).await;
    let case = app
        .step_case(
            &caller(&applicant, T0),
            &case.id,
            &step_request("submit", 1, ""),
        )
        .await
        .expect("submitted");
    assert_eq!(case.state, CaseState::Submitted);

    // The applicant cannot accept their own case; the officer can, and the deadline is set.
    let denied = app
        .step_case(
            &caller(&applicant, T0),
            &case.id,
            &step_request("accept", case.version, ""),
        )
        .await;
    assert!(matches!(denied, Err(AppError::Forbidden(_))), "{denied:?}");
    let queue = app
        .cases(&caller(&officer, T0), CaseList::Queue(None), 0, 20)
        .await
        .expect("queue");
    assert!(queue.items.iter().any(|c| c.id == case.id));
    let mut case = app
        .step_case(
            &caller(&officer, T0),
            &case.id,
            &step_request("accept", case.version, ""),
        )
        .await
        .expect("accepted");
    // Accepted Thursday 2026-05-28; 7 working days: May 29, Jun 1–5, Jun 8 (a Monday).
    assert_eq!(
        case.deadline.map(|d| d.to_string()),
        Some("2026-06-08".into())
    );
    // The identity is confirmed by video before it may be recorded as verified.
    let early = app
        .step_case(
            &caller(&officer, T0),
            &case.id,
            &step_request("verify_identity", case.version, ""),
        )
        .await;
    assert!(
        matches!(early, Err(AppError::Invalid { field: "video", .. })),
        "{early:?}"
    );
    app.demo_video_check(&officer, &applicant, &case.id, T0)
        .await
        .expect("video check");
    case.version += 1;
    for step in [
        "verify_identity",
        "start_review",
        "approve",
        "start_production",
        "mark_ready",
    ] {
        case = app
            .step_case(
                &caller(&officer, T0),
                &case.id,
                &step_request(step, case.version, ""),
            )
            .await
            .unwrap_or_else(|e| panic!("{step}: {e}"));
    }
    // Paid in full at the window before it is sent.
    let paid = qiaoyi_app::fees::FeeRequest {
        kind: "payment".into(),
        amount_fen: 12_000,
        method: "cash_window".into(),
        payer_name: "季美华".into(),
        ..Default::default()
    };
    app.record_fee(&caller(&officer, T0), &case.id, &paid)
        .await
        .expect("paid");
    // A courier dispatch names the carrier and the tracking number.
    let untracked = app
        .step_case(
            &caller(&officer, T0),
            &case.id,
            &step_request("dispatch", case.version, ""),
        )
        .await;
    assert!(
        matches!(
            untracked,
            Err(AppError::Invalid {
                field: "carrier",
                ..
            })
        ),
        "{untracked:?}"
    );
    let dispatch = StepRequest {
        carrier: "EMS".into(),
        tracking: "ee123456789cn".into(),
        ..step_request("dispatch", case.version, "")
    };
    case = app
        .step_case(&caller(&officer, T0), &case.id, &dispatch)
        .await
        .expect("dispatched");
    // The applicant sees the parcel and her code; the officer sees the parcel only.
    let mine = app
        .case(&caller(&applicant, T0), &case.id)
        .await
        .expect("read")
        .handover
        .expect("dispatched");
    assert_eq!(mine.tracking, "EE123456789CN");
    // Her message says which carrier has it and under which number.
    let told = store
        .store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.template == "case-dispatched" && m.params.contains(&case.number))
        .expect("she is told of the dispatch");
    let params: serde_json::Value = serde_json::from_str(&told.params).expect("json");
    assert_eq!(
        (
            params["method"].as_str(),
            params["carrier"].as_str(),
            params["tracking"].as_str()
        ),
        (Some("courier"), Some("EMS"), Some("EE123456789CN"))
    );
    let code = mine.code.expect("her code");
    assert_eq!(code.len(), 6);
    let theirs = app
        .case(&caller(&officer, T0), &case.id)
        .await
        .expect("read")
        .handover
        .expect("dispatched");
    assert!(theirs.code.is_none());
    // A signature does not replace the code of a courier parcel.
    let signed = app
        .step_case(
            &caller(&officer, T0),
            &case.id,
            &StepRequest {
                signature: SIGNATURE.into(),
                signer: "季美华".into(),
                ..step_request("deliver", case.version, "")
            },
        )
        .await;
    assert!(
        matches!(
            signed,
            Err(AppError::Invalid {
                field: "signature",
                ..
            })
        ),
        "{signed:?}"
    );
    // A wrong code is refused and audited; the right one delivers.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .step_case(
            &caller(&officer, T0),
            &case.id,
            &StepRequest {
                code: wrong.into(),
                ..step_request("deliver", case.version, "")
            },
        )
        .await;
    assert!(
        matches!(refused, Err(AppError::Invalid { field: "code", .. })),
        "{refused:?}"
    );
    let audited = store
        .store
        .audit_search(
            &qiaoyi_store::AuditFilter {
                action: "case_handover_code".into(),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .expect("audit");
    assert_eq!(audited.total, 1);
    assert_eq!(audited.items[0].outcome, "denied");
    let shown = format!("{} {}", &code[..3], &code[3..]);
    case = app
        .step_case(
            &caller(&officer, T0),
            &case.id,
            &StepRequest {
                code: shown,
                ..step_request("deliver", case.version, "")
            },
        )
        .await
        .expect("delivered with her code");
    let delivered = app
        .case(&caller(&applicant, T0), &case.id)
        .await
        .expect("read")
        .handover
        .expect("dispatched");
    assert!(delivered.confirmed_at.is_some() && delivered.code.is_none());
    case = app
        .step_case(
            &caller(&officer, T0),
            &case.id,
            &step_request("close", case.version, ""),
        )
        .await
        .expect("closed");
    assert_eq!(case.state, CaseState::Closed);
    let fees = app
        .case_fees(&caller(&applicant, T0), &case.id)
        .await
        .expect("fees");
    assert_eq!((fees.fees.paid, fees.outstanding()), (12_000, 0));
    let detail = app
        .case(&caller(&applicant, T0), &case.id)
        .await
        .expect("read");
    let steps: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(steps.first(), Some(&"create"));
    assert_eq!(steps.last(), Some(&"close"));
    assert_eq!(detail.events.len(), 12, "eleven steps and the video check");
    assert!(detail.steps.is_empty());
    // The officer's read shows on the applicant's "who read my file".
    app.case(&caller(&officer, T0), &case.id)
        .await
        .expect("read");
    let log = app
        .who_read_my_file(&caller(&applicant, T0), 0, 50)
        .await
        .expect("log");
    assert!(
        log.items
            .iter()
            .any(|a| a.action == "read_case" && a.purpose.contains(&case.number))
    );
    app.verify_audit(None, &|_| {})
        .await
        .expect("verify")
        .expect("chain intact");
}

/// Takes a submitted case through the officer's steps to `ready`.
async fn to_ready(
    app: &App,
    officer: &CurrentSession,
    applicant: &CurrentSession,
    id: &str,
    mut version: i64,
) -> i64 {
    app.demo_video_check(officer, applicant, id, T0)
        .await
        .expect("video check");
    version += 1;
    for step in [
        "accept",
        "verify_identity",
        "start_review",
        "approve",
        "start_production",
        "mark_ready",
    ] {
        version = app
            .step_case(&caller(officer, T0), id, &step_request(step, version, ""))
            .await
            .unwrap_or_else(|e| panic!("{step}: {e}"))
            .version;
    }
    version
}

#[tokio::test]
async fn a_home_delivery_is_confirmed_by_the_recipients_signature() {
    let (app, _store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let case = app
        .open_case(
            &caller(&applicant, T0),
            &CaseRequest {
                delivery: "home".into(),
                ..passport_renewal()
            },
        )
        .await
        .expect("a person over 60 may ask for home delivery");
    upload_required(&app, &applicant, &case.id).await;
    let submitted = app
        .step_case(
            &caller(&applicant, T0),
            &case.id,
            &step_request("submit", 1, ""),
        )
        .await
        .expect("submitted");
    let version = to_ready(&app, &officer, &applicant, &case.id, submitted.version).await;
    let past = StepRequest {
        visit_date: "2026-05-27".into(),
        ..step_request("dispatch", version, "")
    };
    let refused = app.step_case(&caller(&officer, T0), &case.id, &past).await;
    assert!(
        matches!(
            refused,
            Err(AppError::Invalid {
                field: "visit_date",
                ..
            })
        ),
        "{refused:?}"
    );
    let visit = StepRequest {
        visit_date: "2026-06-02".into(),
        ..step_request("dispatch", version, "")
    };
    let version = app
        .step_case(&caller(&officer, T0), &case.id, &visit)
        .await
        .expect("dispatched")
        .version;

    // Bad signatures and a missing name are refused with the field to fix; nothing changes.
    for (signature, signer, field) in [
        ("", "", "code"),
        ("20,20 21,21", "季美华", "signature"),
        ("20,20 900,20", "季美华", "signature"),
        ("<svg/onload=alert(1)>", "季美华", "signature"),
        (SIGNATURE, " ", "signer"),
        (SIGNATURE, &"名".repeat(61), "signer"),
    ] {
        let request = StepRequest {
            signature: signature.into(),
            signer: signer.into(),
            ..step_request("deliver", version, "")
        };
        let result = app
            .step_case(&caller(&officer, T0), &case.id, &request)
            .await;
        assert!(
            matches!(&result, Err(AppError::Invalid { field: f, .. }) if *f == field),
            "{signature:?} {signer:?}: {result:?}"
        );
    }
    let signed = StepRequest {
        signature: format!(" {SIGNATURE} "),
        signer: "季美华".into(),
        ..step_request("deliver", version, "")
    };
    let delivered = app
        .step_case(&caller(&officer, T0), &case.id, &signed)
        .await
        .expect("delivered on her signature");
    assert_eq!(delivered.state, CaseState::Delivered);
    for reader in [&applicant, &officer] {
        let handover = app
            .case(&caller(reader, T0), &case.id)
            .await
            .expect("read")
            .handover
            .expect("dispatched");
        assert_eq!(handover.visit_date.as_deref(), Some("2026-06-02"));
        assert!(handover.confirmed_at.is_some() && handover.code.is_none());
        assert_eq!(handover.signed_by_name, "季美华");
        assert_eq!(
            handover.signature_path.as_deref(),
            Some("M20 120 L60 80 L110 130 L160 70 M200 60 L200 150")
        );
    }
}

#[tokio::test]
async fn two_officers_deciding_at_once_one_wins_the_other_gets_a_conflict() {
    let (app, _store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let case = app
        .open_case(&caller(&applicant, T0), &passport_renewal())
        .await
        .expect("opened");
    upload_required(&app, &applicant, &case.id).await;
    let mut case = app
        .step_case(
            &caller(&applicant, T0),
            &case.id,
            &step_request("submit", 1, ""),
        )
        .await
        .expect("submitted");
    app.demo_video_check(&officer, &applicant, &case.id, T0)
        .await
        .expect("video check");
    case.version += 1;
    for step in ["accept", "verify_identity", "start_review"] {
        case = app
            .step_case(
                &caller(&officer, T0),
                &case.id,
                &step_request(step, case.version, ""),
            )
            .await
            .expect(step);
    }
    let version = case.version;
    let by = caller(&officer, T0);
    let (approve, refuse) = (
        step_request("approve", version, ""),
        step_request("refuse", version, "材料与事实不符"),
    );
    let (a, b) = tokio::join!(
        app.step_case(&by, &case.id, &approve),
        app.step_case(&by, &case.id, &refuse),
    );
    let (won, lost) = match (&a, &b) {
        (Ok(c), Err(e)) | (Err(e), Ok(c)) => (c, e),
        _ => panic!("exactly one must win: {a:?} {b:?}"),
    };
    match lost {
        AppError::CaseConflict { state, version: v } => {
            assert_eq!(*state, won.state.as_str());
            assert_eq!(*v, version + 1);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let events = app
        .case(&caller(&officer, T0), &case.id)
        .await
        .expect("read")
        .events;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind.as_str() == "approve" || e.kind.as_str() == "refuse")
            .count(),
        1
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let (app, _store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    // The demo's own cases are there already.
    let before = app
        .cases(&caller(&applicant, T0), CaseList::Mine, 0, 20)
        .await
        .expect("list")
        .total;
    let bad = [
        (
            "item",
            CaseRequest {
                item: "XX-99".into(),
                ..passport_renewal()
            },
        ),
        (
            "birth_date",
            CaseRequest {
                birth_date: "1950-02-31".into(),
                ..passport_renewal()
            },
        ),
        (
            "birth_date",
            CaseRequest {
                birth_date: "2099-01-01".into(),
                ..passport_renewal()
            },
        ),
        (
            "person_name",
            CaseRequest {
                person_name: "  ".into(),
                ..passport_renewal()
            },
        ),
        (
            "relation",
            CaseRequest {
                relation: "cousin".into(),
                ..passport_renewal()
            },
        ),
        (
            "delivery",
            CaseRequest {
                delivery: "teleport".into(),
                ..passport_renewal()
            },
        ),
        (
            "delivery",
            CaseRequest {
                delivery: "home".into(),
                birth_date: "1990-01-01".into(),
                ..passport_renewal()
            },
        ),
    ];
    for (field, request) in bad {
        let result = app.open_case(&caller(&applicant, T0), &request).await;
        assert!(
            matches!(&result, Err(AppError::Invalid { field: f, .. }) if *f == field),
            "{field}: {result:?}"
        );
    }
    let mine = app
        .cases(&caller(&applicant, T0), CaseList::Mine, 0, 20)
        .await
        .expect("list");
    assert_eq!(mine.total, before);

    let case = app
        .open_case(&caller(&applicant, T0), &passport_renewal())
        .await
        .expect("opened");
    for (name, content) in [
        ("scan.pdf", b"MZ\x90\x00 not a pdf".as_slice()),
        ("scan.png", PDF),
        ("scan.exe", PDF),
        ("scan.pdf", b"".as_slice()),
    ] {
        let r = app
            .upload_case_file(
                &caller(&applicant, T0),
                &case.id,
                &Upload {
                    material: 0,
                    file_name: name,
                    content,
                },
            )
            .await;
        assert!(
            matches!(r, Err(AppError::Invalid { field: "file", .. })),
            "{name}: {r:?}"
        );
    }
    let big = [PDF, &vec![0u8; 10 * 1024 * 1024]].concat();
    let r = app
        .upload_case_file(
            &caller(&applicant, T0),
            &case.id,
            &Upload {
                material: 0,
                file_name: "big.pdf",
                content: &big,
            },
        )
        .await;
    assert!(
        matches!(r, Err(AppError::Invalid { field: "file", .. })),
        "{r:?}"
    );
    let r = app
        .upload_case_file(
            &caller(&applicant, T0),
            &case.id,
            &Upload {
                material: 99,
                file_name: "scan.pdf",
                content: PDF,
            },
        )
        .await;
    assert!(
        matches!(
            r,
            Err(AppError::Invalid {
                field: "material",
                ..
            })
        ),
        "{r:?}"
    );
    // A step the workflow forbids, an unknown step, a stale version.
    let r = app
        .step_case(
            &caller(&applicant, T0),
            &case.id,
            &step_request("resubmit", 1, ""),
        )
        .await;
    assert!(
        matches!(r, Err(AppError::Invalid { field: "step", .. })),
        "{r:?}"
    );
    let r = app
        .step_case(
            &caller(&applicant, T0),
            &case.id,
            &step_request("teleport", 1, ""),
        )
        .await;
    assert!(
        matches!(r, Err(AppError::Invalid { field: "step", .. })),
        "{r:?}"
    );
    let r = app
        .step_case(
            &caller(&applicant, T0),
            &case.id,
            &step_request("withdraw", 7, ""),
        )
        .await;
    assert!(
        matches!(
            r,
            Err(AppError::CaseConflict {
                state: "draft",
                version: 1
            })
        ),
        "{r:?}"
    );
    let detail = app
        .case(&caller(&applicant, T0), &case.id)
        .await
        .expect("read");
    assert_eq!(
        (detail.case.state, detail.case.version, detail.files.len()),
        (CaseState::Draft, 1, 0)
    );
}

/// Applying again for the same service and person while a case is under way is refused as a
/// possible duplicate naming her case, until she says to apply anyway; each case then names the
/// other to those who may read both, and another account's case is never named to her.
#[tokio::test]
async fn a_second_application_for_a_case_under_way_is_warned_and_both_name_each_other() {
    let (app, _store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let mother = session(&app, "mother@qiaoyi.example", T0).await;
    let rome = session(&app, "station.rome@qiaoyi.example", T0).await;
    let request = CaseRequest {
        person_name: "叶知秋".into(),
        person_name_latin: "YE ZHIQIU".into(),
        birth_date: "1948-05-06".into(),
        ..passport_renewal()
    };
    let first = app
        .open_case(&caller(&applicant, T0), &request)
        .await
        .expect("the first");
    let again = app.open_case(&caller(&applicant, T0), &request).await;
    match &again {
        Err(AppError::Invalid {
            field: "duplicate_ok",
            reason: Reason::Duplicate,
            message,
        }) => assert!(message.contains(&first.number), "{message}"),
        other => panic!("not warned: {other:?}"),
    }
    let listed = app
        .my_possible_duplicates(&caller(&applicant, T0), &request)
        .await
        .expect("her duplicates");
    assert_eq!(
        listed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [first.id.as_str()]
    );
    // Another service, or another person, is no duplicate.
    for other in [
        CaseRequest {
            item: "EE-02".into(),
            ..request.clone()
        },
        CaseRequest {
            birth_date: "1948-05-07".into(),
            ..request.clone()
        },
    ] {
        let opened = app.open_case(&caller(&applicant, T0), &other).await;
        assert!(opened.is_ok(), "{:?}: {opened:?}", other.item);
    }
    let second = app
        .open_case(
            &caller(&applicant, T0),
            &CaseRequest {
                duplicate_ok: true,
                ..request.clone()
            },
        )
        .await
        .expect("applied anyway");
    let names = |detail: qiaoyi_app::cases::CaseDetail| -> Vec<String> {
        detail
            .possible_duplicates
            .into_iter()
            .map(|c| c.number)
            .collect()
    };
    let of_first = app
        .case(&caller(&applicant, T0), &first.id)
        .await
        .expect("read");
    assert_eq!(names(of_first), [second.number.as_str()]);
    let of_second = app
        .case(&caller(&applicant, T0), &second.id)
        .await
        .expect("read");
    assert_eq!(names(of_second), [first.number.as_str()]);
    // Another account applying for a person of the same name and birth is not told of hers, and
    // a station's case for that person is not named to her either.
    let theirs = app
        .open_case(&caller(&mother, T0), &request)
        .await
        .expect("the mother's own application is not refused");
    let walk_in = CaseRequest {
        delivery: "station".into(),
        relation: "other".into(),
        ..request.clone()
    };
    let at_station = app
        .open_case(&caller(&rome, T0), &walk_in)
        .await
        .expect("the station's");
    let of_first = app
        .case(&caller(&applicant, T0), &first.id)
        .await
        .expect("read");
    let named = names(of_first);
    assert!(
        !named.contains(&theirs.number) && !named.contains(&at_station.number),
        "{named:?}"
    );
    // The station sees its own case and none of hers.
    let of_station = app
        .case(&caller(&rome, T0), &at_station.id)
        .await
        .expect("read");
    assert!(names(of_station).is_empty());
}

#[tokio::test]
async fn stations_see_only_their_cases_and_others_see_none_of_yours() {
    let (app, _store) = app().await;
    let rome = session(&app, "station.rome@qiaoyi.example", T0).await;
    let madrid = session(&app, "station.madrid@qiaoyi.example", T0).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let walk_in = CaseRequest {
        person_name: "王建国".into(),
        person_name_latin: "WANG JIANGUO".into(),
        relation: "other".into(),
        delivery: "station".into(),
        ..passport_renewal()
    };
    let case = app
        .open_case(&caller(&rome, T0), &walk_in)
        .await
        .expect("opened");
    assert_eq!(case.station.as_ref().map(|s| s.as_str()), Some("IT-ROM"));
    let rome_list = app
        .cases(&caller(&rome, T0), CaseList::Station, 0, 20)
        .await
        .expect("list");
    // The demo's walk-in and this one.
    assert_eq!(rome_list.total, 2);
    assert!(rome_list.items.iter().all(|c| c.station == case.station));
    let madrid_list = app
        .cases(&caller(&madrid, T0), CaseList::Station, 0, 20)
        .await
        .expect("list");
    assert_eq!(madrid_list.total, 0);
    for other in [&madrid, &applicant] {
        let r = app.case(&caller(other, T0), &case.id).await;
        assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    }
    // An officer's queue narrows to one of their categories, never to another's.
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let parse = |c: &str| CaseList::parse("queue", Some(c)).expect("a category");
    let certificates = app
        .cases(&caller(&officer, T0), parse("certificates"), 0, 20)
        .await
        .expect("queue");
    assert!(
        certificates
            .items
            .iter()
            .all(|c| c.item.category.as_str() == "certificates")
    );
    let r = app
        .cases(&caller(&officer, T0), parse("traffic"), 0, 20)
        .await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    assert_eq!(CaseList::parse("queue", Some("no such")), None);
    assert_eq!(CaseList::parse("mine", Some("traffic")), None);
    let r = app
        .cases(&caller(&rome, T0), CaseList::Queue(None), 0, 20)
        .await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
}

#[tokio::test]
async fn deadlines_follow_the_official_calendar() {
    let (app, _store) = app().await;
    let d = |s: &str| s.parse::<jiff::civil::Date>().expect("date");
    let official = |s: &str| Deadline {
        date: d(s),
        provisional: false,
    };
    // Accepted Thursday 2026-02-12: Feb 13 (Fri), Feb 14 (Sat, 调休 working day), then the Spring
    // Festival break Feb 15–23, then Feb 24.
    assert_eq!(
        app.deadline(d("2026-02-12"), 3).await.expect("ok"),
        official("2026-02-24")
    );
    // Accepted 2026-09-30: National Day Oct 1–7, Oct 10 (Sat) is a working day.
    assert_eq!(
        app.deadline(d("2026-09-30"), 3).await.expect("ok"),
        official("2026-10-10")
    );
    // 2027 has no file yet: counted on the regulation's holidays and weekends, and said so.
    let r = app.deadline(d("2027-03-01"), 1).await.expect("provisional");
    assert_eq!((r.date, r.provisional), (d("2027-03-02"), true));
    let r = app
        .deadline(d("2026-12-31"), 30)
        .await
        .expect("provisional");
    assert!(r.provisional && r.date.year() == 2027, "{r:?}");
    // Beyond the years the regulation is computed for, only a file will do.
    let r = app.deadline(d("2100-12-31"), 1).await;
    assert!(matches!(r, Err(AppError::NoCalendar(2101))), "{r:?}");
}

/// 2026-12-28, a Monday, 10:00 in Beijing.
const DEC_28: i64 = 1_798_423_200_000;

/// The 2027 calendar the tests import (not the official notice).
const CALENDAR_2027: &str = include_str!("fixtures/calendar/2027.toml");

#[tokio::test]
async fn a_provisional_deadline_moves_when_the_years_calendar_is_imported() {
    let (app, store) = app().await;
    let d = |s: &str| s.parse::<jiff::civil::Date>().expect("date");
    assert_eq!(
        qiaoyi_app::cases::beijing_today(DEC_28),
        d("2026-12-28"),
        "the constant is the day it says"
    );
    let applicant = session(&app, "applicant@qiaoyi.example", DEC_28).await;
    let officer = session(&app, "officer@qiaoyi.example", DEC_28).await;
    let admin = session(&app, "admin@qiaoyi.example", DEC_28).await;
    assert_eq!(
        app.calendar_missing_next_year(DEC_28).await.expect("read"),
        Some(2027)
    );
    let case = app
        .open_case(&caller(&applicant, DEC_28), &passport_renewal())
        .await
        .expect("opened");
    upload_required(&app, &applicant, &case.id).await;
    let case = app
        .step_case(
            &caller(&applicant, DEC_28),
            &case.id,
            &step_request("submit", case.version, ""),
        )
        .await
        .expect("submitted");
    // Accepting does not fail for want of 2027's file: 7 working days are Dec 29–31 and Jan 4–7
    // (Jan 1 is New Year's Day), provisional.
    let case = app
        .step_case(
            &caller(&officer, DEC_28),
            &case.id,
            &step_request("accept", case.version, ""),
        )
        .await
        .expect("accepted");
    assert_eq!(case.deadline, Some(d("2027-01-07")));
    assert!(case.deadline_provisional);

    // Through the green channel, 4 working days: Dec 29–31 and Jan 4, provisional too.
    let leader = session(&app, "duty@qiaoyi.example", DEC_28).await;
    let request = app
        .request_green_channel(
            &caller(&applicant, DEC_28),
            &case.id,
            &GreenRequestInput {
                ground: "bereavement".into(),
                statement: "我父亲在罗马去世，需要尽快回国办理后事。".into(),
            },
            None,
        )
        .await
        .expect("requested");
    app.decide_green_channel(
        &caller(&leader, DEC_28),
        &request.id,
        &GreenDecisionInput {
            decision: "approve".into(),
            days: Some(4),
            reason: String::new(),
        },
    )
    .await
    .expect("approved");
    let green = app
        .case(&caller(&applicant, DEC_28), &case.id)
        .await
        .expect("read")
        .case;
    assert_eq!(green.green_due, Some(d("2027-01-04")));
    assert!(green.green_due_provisional);
    let case = green;

    // Only an administrator imports a calendar; a refused file changes nothing.
    let denied = app
        .import_calendar(&caller(&officer, DEC_28), "2027.toml", CALENDAR_2027)
        .await;
    assert!(matches!(denied, Err(AppError::Forbidden(_))), "{denied:?}");
    let bad = CALENDAR_2027.replace("from = \"2027-02-05\"", "from = \"2027-02-06\"");
    let refused = app
        .import_calendar(&caller(&admin, DEC_28), "2027.toml", &bad)
        .await;
    assert!(
        matches!(&refused, Err(AppError::Calendar(m)) if m.contains("2027-02-05")),
        "{refused:?}"
    );

    // The official file makes Saturday 2 January a working day: the deadline moves to Jan 6.
    let later = DEC_28 + 3_600_000;
    app.import_calendar(&caller(&admin, later), "2027.toml", CALENDAR_2027)
        .await
        .expect("imported");
    let detail = app
        .case(&caller(&applicant, later), &case.id)
        .await
        .expect("read");
    assert_eq!(detail.case.deadline, Some(d("2027-01-06")));
    assert!(!detail.case.deadline_provisional);
    // The green channel's day moves with it: Dec 29–31 and Saturday Jan 2, worked.
    assert_eq!(detail.case.green_due, Some(d("2027-01-02")));
    assert!(!detail.case.green_due_provisional);
    assert_eq!(detail.case.version, case.version + 1);
    let event = detail.events.last().expect("an event");
    assert_eq!(event.kind.as_str(), "deadline_recounted");
    assert_eq!(
        event.note,
        "2027-01-07 → 2027-01-06; green channel 2027-01-04 → 2027-01-02"
    );
    assert_eq!(
        app.calendar_missing_next_year(later).await.expect("read"),
        None
    );

    // The applicant is told.
    let told: Vec<_> = store
        .store
        .pending_messages(100)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "case-deadline-moved")
        .collect();
    assert!(!told.is_empty(), "the applicant is told");
    // She is in the green channel: she hears of its day.
    assert!(
        told.iter()
            .all(|m| m.params.contains("2027-01-02") && m.params.contains("2027-01-04")),
        "{told:?}"
    );

    // Importing the same file again moves nothing and tells nobody again.
    app.import_calendar(&caller(&admin, later + 1), "2027.toml", CALENDAR_2027)
        .await
        .expect("unchanged");
    let again = app
        .case(&caller(&applicant, later + 1), &case.id)
        .await
        .expect("read");
    assert_eq!(again.case.version, detail.case.version);

    // The case's recount is in the audit chain, under the administrator who imported.
    let recounted = store
        .store
        .audit_search(
            &qiaoyi_app::AuditFilter {
                action: "case_deadline_recounted".into(),
                subject_id: case.id.clone(),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .expect("audit");
    assert_eq!(recounted.items.len(), 1);
    assert_eq!(recounted.items[0].actor, admin.actor.user_id);
}
