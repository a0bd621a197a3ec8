//! Proxy handling (代办) through the use cases, on whichever database the test store gives: a
//! daughter abroad asks her mother for a mandate, confirms it with the code her mother was sent,
//! files and sends a passport renewal for her, the officer records the fee paid under the mandate
//! (代缴), the mother is told of each act; out-of-scope, expired, revoked and someone else's
//! mandates are refused with their reason; bad input is refused field by field.

use crate::common;

use common::{T0, anonymous, caller, demo_app as app, session};
use qiaoyi_app::accounts::CurrentSession;
use qiaoyi_app::cases::{CaseList, CaseRequest, StepRequest, Upload};
use qiaoyi_app::domain::mandates::{MandateState, Refusal};
use qiaoyi_app::fees::FeeRequest;
use qiaoyi_app::mandates::MandateRequest;
use qiaoyi_app::{App, AppError};
use qiaoyi_store::Store;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";
const DAY: i64 = 86_400_000;

fn request(principal: &str, items: &[&str], from: &str, to: &str) -> MandateRequest {
    MandateRequest {
        principal_email: principal.into(),
        relation: "parent".into(),
        items: items.iter().map(|s| s.to_string()).collect(),
        valid_from: from.into(),
        valid_to: to.into(),
        evidence: "公证委托书 (2026) 第 0815 号".into(),
    }
}

/// What the test store's outbox holds for `template`: (recipient, params as JSON).
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

fn renewal_for_mother(mandate: &str) -> CaseRequest {
    CaseRequest {
        item: "EE-01".into(),
        person_name: "陈秀英".into(),
        person_name_latin: "CHEN XIUYING".into(),
        birth_date: "1941-02-03".into(),
        relation: "self".into(),
        delivery: "courier".into(),
        mandate: mandate.into(),
        ..CaseRequest::default()
    }
}

async fn upload_required(app: &App, who: &CurrentSession, id: &str, now: i64) {
    let detail = app.case(&caller(who, now), id).await.expect("read");
    for (i, m) in detail.case.item.materials.iter().enumerate() {
        if m.required {
            app.upload_case_file(
                &caller(who, now),
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

fn refusal(result: Result<impl std::fmt::Debug, AppError>) -> Refusal {
    match result {
        Err(AppError::Mandate(r)) => r,
        other => panic!("expected a mandate refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_agent_files_and_pays_for_her_mother_under_a_confirmed_mandate() {
    let (app, store) = app().await;
    let daughter = session(&app, "applicant@qiaoyi.example", T0).await;
    let mother = session(&app, "mother@qiaoyi.example", T0).await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    let rome = session(&app, "station.rome@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let before = queued(&store.store, "mandate-requested").await.len();

    // The daughter asks; the mother is sent the request with a code.
    let asked = app
        .request_mandate(
            &caller(&daughter, T0),
            &request(
                "mother@qiaoyi.example",
                &["EE-01"],
                "2026-05-28",
                "2026-11-27",
            ),
        )
        .await
        .expect("asked");
    assert_eq!(asked.state(), MandateState::Pending);
    assert_eq!(asked.principal.email, "mother@qiaoyi.example");
    assert_eq!(asked.agent_role.as_str(), "applicant");
    let requests = queued(&store.store, "mandate-requested").await;
    assert_eq!(requests.len(), before + 1);
    let (to, params) = requests
        .iter()
        .find(|(_, p)| p["link"].as_str().is_some_and(|l| l.contains(&asked.id)))
        .expect("the request for this mandate");
    assert_eq!(to, "mother@qiaoyi.example");
    let code = params["code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 6);

    // Nothing can be done for her before she confirms.
    let early = app
        .open_case(&caller(&daughter, T0), &renewal_for_mother(&asked.id))
        .await;
    assert_eq!(refusal(early), Refusal::NotConfirmed);

    // A wrong code is refused and audited; the right one confirms.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .confirm_mandate(&caller(&daughter, T0), &asked.id, wrong)
        .await;
    assert!(
        matches!(refused, Err(AppError::Invalid { field: "code", .. })),
        "{refused:?}"
    );
    let audited = store
        .store
        .audit_search(
            &qiaoyi_store::AuditFilter {
                action: "mandate_code".into(),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .expect("audit");
    assert_eq!(audited.total, 1);
    assert_eq!(audited.items[0].outcome, "denied");
    // Someone who is neither party learns nothing of it.
    let hidden = app.mandate(&caller(&rome, T0), &asked.id).await;
    assert!(matches!(hidden, Err(AppError::NotFound(_))), "{hidden:?}");
    let stranger = app
        .confirm_mandate(&caller(&rome, T0), &asked.id, &code)
        .await;
    assert!(
        matches!(stranger, Err(AppError::NotFound(_))),
        "{stranger:?}"
    );
    let confirmed = app
        .confirm_mandate(&caller(&daughter, T0), &asked.id, &code)
        .await
        .expect("confirmed");
    assert_eq!(confirmed.state(), MandateState::Confirmed);
    assert_eq!(confirmed.confirmed_how.as_deref(), Some("code"));
    let again = app
        .confirm_mandate(&caller(&mother, T0), &asked.id, "")
        .await;
    assert!(
        matches!(
            again,
            Err(AppError::Invalid {
                field: "mandate",
                ..
            })
        ),
        "{again:?}"
    );

    // She files the renewal for her mother: the case is the mother's, and the mother is told.
    let case = app
        .open_case(&caller(&daughter, T0), &renewal_for_mother(&asked.id))
        .await
        .expect("opened for her mother");
    assert_eq!(
        case.applicant_id.as_deref(),
        Some(mother.actor.user_id.as_str())
    );
    assert_eq!(case.filed_by, daughter.actor.user_id);
    assert_eq!(case.mandate_id.as_deref(), Some(asked.id.as_str()));
    let told = queued(&store.store, "proxy-act").await;
    let opened = told
        .iter()
        .find(|(_, p)| p["act"] == "open")
        .expect("the mother is told of the new case");
    assert_eq!(opened.0, "mother@qiaoyi.example");
    assert_eq!(opened.1["number"], case.number.as_str());
    let mothers = app
        .cases(&caller(&mother, T0), CaseList::Mine, 0, 50)
        .await
        .expect("her cases");
    assert!(mothers.items.iter().any(|c| c.id == case.id));

    // She uploads and sends it; each act is told to the mother.
    upload_required(&app, &daughter, &case.id, T0).await;
    let sent = app
        .step_case(
            &caller(&daughter, T0),
            &case.id,
            &StepRequest {
                step: "submit".into(),
                expected_version: case.version,
                ..StepRequest::default()
            },
        )
        .await
        .expect("sent");
    let acts: Vec<String> = queued(&store.store, "proxy-act")
        .await
        .iter()
        .map(|(_, p)| p["act"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        acts.contains(&"upload".to_owned()) && acts.contains(&"submit".to_owned()),
        "{acts:?}"
    );
    // Each act is recorded as done for her, under the mandate.
    for action in ["case_opened", "case_file_added", "case_submit"] {
        let entries = store
            .store
            .audit_search(
                &qiaoyi_store::AuditFilter {
                    action: action.into(),
                    actor: daughter.actor.user_id.clone(),
                    ..Default::default()
                },
                0,
                50,
            )
            .await
            .expect("audit");
        assert!(
            entries.items.iter().any(
                |e| e.purpose.contains(&asked.id) && e.purpose.contains(&mother.actor.user_id)
            ),
            "{action}: {:?}",
            entries.items
        );
    }

    // The mandate covers only the renewal, and only its own agent.
    let out_of_scope = app
        .open_case(
            &caller(&daughter, T0),
            &CaseRequest {
                item: "EC-01".into(),
                delivery: "window".into(),
                ..renewal_for_mother(&asked.id)
            },
        )
        .await;
    assert!(matches!(refusal(out_of_scope), Refusal::OutOfScope(_)));
    let not_hers = app
        .open_case(&caller(&consultant, T0), &renewal_for_mother(&asked.id))
        .await;
    assert_eq!(refusal(not_hers), Refusal::NotAgent);

    // The daughter pays the fee for her mother under the mandate (代缴) at the window; a consultant,
    // who neither filed the case nor holds a mandate for it, may not record it, the officer does;
    // both women see it.
    let by_consultant = app
        .record_fee(
            &caller(&consultant, T0),
            &sent.id,
            &FeeRequest {
                kind: "payment".into(),
                amount_fen: 5_000,
                method: "cash_window".into(),
                mandate: asked.id.clone(),
                ..FeeRequest::default()
            },
        )
        .await;
    assert!(
        matches!(by_consultant, Err(AppError::Forbidden(_))),
        "{by_consultant:?}"
    );
    let paid = app
        .record_fee(
            &caller(&officer, T0),
            &sent.id,
            &FeeRequest {
                kind: "payment".into(),
                amount_fen: 5_000,
                method: "cash_window".into(),
                mandate: asked.id.clone(),
                ..FeeRequest::default()
            },
        )
        .await
        .expect("paid under the mandate");
    assert!(paid.on_behalf);
    assert_eq!(paid.mandate_id.as_deref(), Some(asked.id.as_str()));
    assert_eq!(paid.payer_name, "季美华");
    assert_eq!(paid.payer_relation, "parent");
    let mothers_fees = app
        .case_fees(&caller(&mother, T0), &sent.id)
        .await
        .expect("her fees");
    assert!(mothers_fees.entries.iter().any(|e| e.id == paid.id));
    let detail = app
        .mandate(&caller(&daughter, T0), &asked.id)
        .await
        .expect("her mandate page");
    assert_eq!(detail.cases.len(), 1);
    assert_eq!(detail.payments.len(), 1);
    assert!(detail.is_agent && !detail.is_principal);
    assert!(
        queued(&store.store, "proxy-act")
            .await
            .iter()
            .any(|(_, p)| p["act"] == "pay")
    );
    // Staff who may read her file may read the mandate.
    app.mandate(&caller(&officer, T0), &asked.id)
        .await
        .expect("officer reads it");

    // A payment under a mandate for a case of someone else is refused.
    let other = app
        .open_case(
            &caller(&daughter, T0),
            &CaseRequest {
                mandate: String::new(),
                relation: "parent".into(),
                // Her renewal under the mandate, above, is under way.
                duplicate_ok: true,
                ..renewal_for_mother("")
            },
        )
        .await
        .expect("her own case for her mother");
    upload_required(&app, &daughter, &other.id, T0).await;
    let other = app
        .step_case(
            &caller(&daughter, T0),
            &other.id,
            &StepRequest {
                step: "submit".into(),
                expected_version: other.version,
                ..StepRequest::default()
            },
        )
        .await
        .expect("sent");
    let wrong_case = app
        .record_fee(
            &caller(&officer, T0),
            &other.id,
            &FeeRequest {
                kind: "payment".into(),
                amount_fen: 100,
                method: "cash_window".into(),
                mandate: asked.id.clone(),
                ..FeeRequest::default()
            },
        )
        .await;
    assert_eq!(refusal(wrong_case), Refusal::OtherPrincipal);

    // After its last day it allows nothing more.
    let draft = app
        .open_case(
            &caller(&daughter, T0),
            &CaseRequest {
                // A second renewal while the first is under way: she says to apply anyway.
                duplicate_ok: true,
                ..renewal_for_mother(&asked.id)
            },
        )
        .await
        .expect("another draft");
    let later = T0 + 200 * DAY;
    let expired = app
        .upload_case_file(
            &caller(&daughter, later),
            &draft.id,
            &Upload {
                material: 0,
                file_name: "scan.pdf",
                content: PDF,
            },
        )
        .await;
    assert!(matches!(refusal(expired), Refusal::Expired(_)));
    // The bureau's own steps on a case filed under it go on.
    let officer_later = session(&app, "officer@qiaoyi.example", later).await;
    let accepted = app
        .step_case(
            &caller(&officer_later, later),
            &sent.id,
            &StepRequest {
                step: "accept".into(),
                expected_version: sent.version,
                ..StepRequest::default()
            },
        )
        .await
        .expect("accepted after the mandate ended");
    assert_eq!(accepted.state.as_str(), "accepted");

    // The mother revokes it, with a reason; nothing more can be done under it.
    let no_reason = app
        .revoke_mandate(&caller(&mother, T0), &asked.id, " ")
        .await;
    assert!(
        matches!(
            no_reason,
            Err(AppError::Invalid {
                field: "reason",
                ..
            })
        ),
        "{no_reason:?}"
    );
    let revoked = app
        .revoke_mandate(&caller(&mother, T0), &asked.id, "she is back home")
        .await
        .expect("revoked");
    assert_eq!(revoked.state(), MandateState::Revoked);
    // The daughter no longer reads the case she filed under it, nor its fees; her mother does.
    let gone = app.case(&caller(&daughter, T0), &sent.id).await;
    assert!(
        matches!(gone, Err(AppError::Mandate(Refusal::Revoked))),
        "{gone:?}"
    );
    let fees = app.case_fees(&caller(&daughter, T0), &sent.id).await;
    assert!(
        matches!(fees, Err(AppError::Mandate(Refusal::Revoked))),
        "{fees:?}"
    );
    app.case(&caller(&mother, T0), &sent.id)
        .await
        .expect("the principal reads her case");
    let after = app
        .open_case(&caller(&daughter, T0), &renewal_for_mother(&asked.id))
        .await;
    assert_eq!(refusal(after), Refusal::Revoked);
    let twice = app
        .revoke_mandate(&caller(&daughter, T0), &asked.id, "once more")
        .await;
    assert!(
        matches!(
            twice,
            Err(AppError::Invalid {
                field: "mandate",
                ..
            })
        ),
        "{twice:?}"
    );
}

#[tokio::test]
async fn a_principal_confirms_from_her_account_and_bad_requests_are_refused() {
    let (app, _store) = app().await;
    let daughter = session(&app, "applicant@qiaoyi.example", T0).await;
    let mother = session(&app, "mother@qiaoyi.example", T0).await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;

    let asked = app
        .request_mandate(
            &caller(&consultant, T0),
            &MandateRequest {
                relation: "other".into(),
                ..request(
                    "mother@qiaoyi.example",
                    &["EC-01", "EE-01", "EC-01"],
                    "2026-05-28",
                    "2027-05-27",
                )
            },
        )
        .await
        .expect("asked");
    assert_eq!(asked.agent_role.as_str(), "consultant");
    assert_eq!(asked.terms.items.len(), 2, "duplicates dropped");
    // The agent cannot confirm without the code; the principal can, from her account.
    let no_code = app
        .confirm_mandate(&caller(&consultant, T0), &asked.id, "")
        .await;
    assert!(
        matches!(no_code, Err(AppError::Invalid { field: "code", .. })),
        "{no_code:?}"
    );
    let confirmed = app
        .confirm_mandate(&caller(&mother, T0), &asked.id, "")
        .await
        .expect("confirmed");
    assert_eq!(confirmed.confirmed_how.as_deref(), Some("account"));
    let listed = app
        .my_mandates(&caller(&mother, T0), 0, 20)
        .await
        .expect("her list");
    assert!(listed.items.iter().any(|m| m.id == asked.id));
    let usable = app
        .usable_mandates(&caller(&consultant, T0))
        .await
        .expect("usable");
    assert_eq!(usable.len(), 1);
    let bad_limit = app.my_mandates(&caller(&mother, T0), 0, 0).await;
    assert!(
        matches!(bad_limit, Err(AppError::Invalid { .. })),
        "{bad_limit:?}"
    );

    // Bad requests name their field, and nothing is written.
    let too_long = "2028-05-28";
    let cases = [
        (
            request(
                "applicant@qiaoyi.example",
                &["EE-01"],
                "2026-05-28",
                "2026-06-28",
            ),
            "principal_email",
        ),
        (
            request(
                "nobody@qiaoyi.example",
                &["EE-01"],
                "2026-05-28",
                "2026-06-28",
            ),
            "principal_email",
        ),
        (
            request(
                "officer@qiaoyi.example",
                &["EE-01"],
                "2026-05-28",
                "2026-06-28",
            ),
            "principal_email",
        ),
        (
            request("", &["EE-01"], "2026-05-28", "2026-06-28"),
            "principal_email",
        ),
        (
            MandateRequest {
                relation: "self".into(),
                ..request(
                    "mother@qiaoyi.example",
                    &["EE-01"],
                    "2026-05-28",
                    "2026-06-28",
                )
            },
            "relation",
        ),
        (
            request("mother@qiaoyi.example", &[], "2026-05-28", "2026-06-28"),
            "items",
        ),
        (
            request(
                "mother@qiaoyi.example",
                &["ZZ-99"],
                "2026-05-28",
                "2026-06-28",
            ),
            "items",
        ),
        (
            request(
                "mother@qiaoyi.example",
                &["EE-01"],
                "2026-05-27",
                "2026-06-28",
            ),
            "valid_from",
        ),
        (
            request(
                "mother@qiaoyi.example",
                &["EE-01"],
                "28.05.2026",
                "2026-06-28",
            ),
            "valid_from",
        ),
        (
            request(
                "mother@qiaoyi.example",
                &["EE-01"],
                "2026-06-28",
                "2026-05-28",
            ),
            "valid_to",
        ),
        (
            request("mother@qiaoyi.example", &["EE-01"], "2026-05-28", too_long),
            "valid_to",
        ),
        (
            MandateRequest {
                evidence: "ok".into(),
                ..request(
                    "mother@qiaoyi.example",
                    &["EE-01"],
                    "2026-05-28",
                    "2026-06-28",
                )
            },
            "evidence",
        ),
        (
            MandateRequest {
                evidence: "x".repeat(501),
                ..request(
                    "mother@qiaoyi.example",
                    &["EE-01"],
                    "2026-05-28",
                    "2026-06-28",
                )
            },
            "evidence",
        ),
    ];
    for (bad, field) in cases {
        let refused = app.request_mandate(&caller(&daughter, T0), &bad).await;
        match refused {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field, "{bad:?}"),
            other => panic!("{field}: {other:?}"),
        }
    }
    let still = app
        .my_mandates(&caller(&daughter, T0), 0, 20)
        .await
        .expect("list");
    // Only the demo's own mandate: none of the bad requests was written.
    assert_eq!(still.total, 1);
    // Officers do not act as agents.
    let officer_asks = app
        .request_mandate(
            &caller(&officer, T0),
            &request(
                "mother@qiaoyi.example",
                &["EE-01"],
                "2026-05-28",
                "2026-06-28",
            ),
        )
        .await;
    assert!(
        matches!(officer_asks, Err(AppError::Forbidden(_))),
        "{officer_asks:?}"
    );
    let anonymous = app
        .request_mandate(
            &anonymous(T0),
            &request(
                "mother@qiaoyi.example",
                &["EE-01"],
                "2026-05-28",
                "2026-06-28",
            ),
        )
        .await;
    assert!(
        matches!(anonymous, Err(AppError::Unauthenticated)),
        "{anonymous:?}"
    );
}

#[tokio::test]
async fn the_documents_behind_a_mandate_are_kept_and_shown_to_both_parties() {
    let (app, _db) = app().await;
    let daughter = session(&app, "applicant@qiaoyi.example", T0).await;
    let mother = session(&app, "mother@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let madrid = session(&app, "station.madrid@qiaoyi.example", T0).await;
    let id = app
        .my_mandates(&caller(&daughter, T0), 0, 10)
        .await
        .expect("hers")
        .items[0]
        .id
        .clone();
    let added = app
        .add_mandate_document(&caller(&daughter, T0), &id, "委托书.pdf", PDF)
        .await
        .expect("added");
    assert_eq!(
        (added.file_name.as_str(), added.media_type.as_str()),
        ("委托书.pdf", "application/pdf")
    );
    // The principal, the agent and staff who may read her file see it; a station does not.
    for who in [&mother, &daughter, &officer] {
        let (d, content) = app
            .mandate_document(&caller(who, T0), &id, &added.id)
            .await
            .expect("read");
        assert_eq!(
            (d.id.as_str(), content.as_slice()),
            (added.id.as_str(), PDF)
        );
    }
    assert!(matches!(
        app.mandate_document(&caller(&madrid, T0), &id, &added.id)
            .await,
        Err(AppError::NotFound(_))
    ));
    let detail = app.mandate(&caller(&mother, T0), &id).await.expect("page");
    assert_eq!(detail.documents.len(), 1);
    // Staff may read, not add; wrong kinds are refused; a revoked mandate takes no more.
    assert!(matches!(
        app.add_mandate_document(&caller(&officer, T0), &id, "x.pdf", PDF)
            .await,
        Err(AppError::Forbidden(_))
    ));
    for (name, content) in [("x.exe", PDF), ("x.png", PDF), ("x.pdf", b"".as_slice())] {
        assert!(matches!(
            app.add_mandate_document(&caller(&mother, T0), &id, name, content)
                .await,
            Err(AppError::Invalid { field: "file", .. })
        ));
    }
    app.revoke_mandate(&caller(&mother, T0), &id, "she is back home")
        .await
        .expect("revoked");
    assert!(matches!(
        app.add_mandate_document(&caller(&daughter, T0), &id, "late.pdf", PDF)
            .await,
        Err(AppError::Mandate(Refusal::Revoked))
    ));
    // A revoked agent no longer reads the power of attorney; the principal and staff still do.
    assert!(matches!(
        app.mandate_document(&caller(&daughter, T0), &id, &added.id)
            .await,
        Err(AppError::Mandate(Refusal::Revoked))
    ));
    for who in [&mother, &officer] {
        app.mandate_document(&caller(who, T0), &id, &added.id)
            .await
            .expect("still read");
    }
    assert_eq!(
        app.mandate(&caller(&mother, T0), &id)
            .await
            .expect("page")
            .documents
            .len(),
        1
    );
}

/// The daughter asks her mother for a mandate for passport renewals.
async fn ask_mother_for_renewals(
    app: &App,
    daughter: &CurrentSession,
) -> qiaoyi_app::mandates::Mandate {
    app.request_mandate(
        &caller(daughter, T0),
        &request(
            "mother@qiaoyi.example",
            &["EE-01"],
            "2026-05-28",
            "2026-11-27",
        ),
    )
    .await
    .expect("asked")
}

/// The reason a confirmation was refused for its code.
fn code_reason(result: Result<impl std::fmt::Debug, AppError>) -> qiaoyi_app::Reason {
    match result {
        Err(AppError::Invalid {
            field: "code",
            reason,
            ..
        }) => reason,
        other => panic!("expected the code refused, got {other:?}"),
    }
}

#[tokio::test]
async fn guessing_a_mandate_code_ends_after_three_codes_and_the_principal_is_told() {
    use qiaoyi_app::Reason;
    use qiaoyi_app::domain::mandates::{MAX_CODES, WRONG_CODES_PER_CODE};

    let (app, store) = app().await;
    let daughter = session(&app, "applicant@qiaoyi.example", T0).await;
    let mother = session(&app, "mother@qiaoyi.example", T0).await;
    let asked = ask_mother_for_renewals(&app, &daughter).await;
    let codes = || async {
        queued(&store.store, "mandate-requested")
            .await
            .into_iter()
            .filter(|(_, p)| p["link"].as_str().is_some_and(|l| l.contains(&asked.id)))
            .map(|(_, p)| p["code"].as_str().expect("code").to_owned())
            .collect::<Vec<_>>()
    };
    // A guess that is none of the codes sent (there are at most three).
    let wrong = || async {
        let sent = codes().await;
        (0..10)
            .map(|d| format!("{d}{d}{d}{d}{d}{d}"))
            .find(|g| !sent.contains(g))
            .expect("a wrong code")
    };

    // Each code survives five wrong tries; then a new one is sent, at most three in all.
    for sent in 1..=MAX_CODES {
        assert_eq!(codes().await.len() as i64, sent, "codes sent so far");
        for tried in 1..=WRONG_CODES_PER_CODE {
            let guess = wrong().await;
            let reason = code_reason(
                app.confirm_mandate(&caller(&daughter, T0), &asked.id, &guess)
                    .await,
            );
            let expected = match (tried == WRONG_CODES_PER_CODE, sent == MAX_CODES) {
                (false, _) => Reason::Malformed,
                (true, false) => Reason::AttemptsExhausted,
                (true, true) => Reason::Lapsed,
            };
            assert_eq!(reason, expected, "code {sent}, wrong try {tried}");
        }
    }
    assert_eq!(
        codes().await.len() as i64,
        MAX_CODES,
        "no fourth code is sent"
    );

    // The request is cancelled: even the last code sent does not confirm it now, and nothing
    // can be done under it; the principal is told once, and sees it cancelled by no one.
    let last = codes().await.pop().expect("a code");
    let late = app
        .confirm_mandate(&caller(&daughter, T0), &asked.id, &last)
        .await;
    assert!(
        matches!(
            late,
            Err(AppError::Invalid {
                field: "mandate",
                ..
            })
        ),
        "{late:?}"
    );
    let lapsed = app
        .mandate(&caller(&mother, T0), &asked.id)
        .await
        .expect("her mandate");
    assert_eq!(lapsed.mandate.state(), MandateState::Revoked);
    assert!(lapsed.mandate.lapsed);
    assert_eq!(lapsed.mandate.usable(T0), Err(Refusal::Revoked));
    let told = queued(&store.store, "mandate-lapsed").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, "mother@qiaoyi.example");
    assert!(
        told[0].1["link"]
            .as_str()
            .expect("link")
            .contains(&asked.id)
    );
    let audited = store
        .store
        .audit_search(
            &qiaoyi_store::AuditFilter {
                action: "mandate_code".into(),
                ..Default::default()
            },
            0,
            100,
        )
        .await
        .expect("audit");
    assert_eq!(audited.total as i64, WRONG_CODES_PER_CODE * MAX_CODES);
    assert!(audited.items.iter().all(|a| a.outcome == "denied"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_sent_at_once_each_use_up_a_try() {
    use qiaoyi_app::domain::mandates::{MAX_CODES, WRONG_CODES_PER_CODE};

    let (app, store) = app().await;
    let daughter = session(&app, "applicant@qiaoyi.example", T0).await;
    let asked = ask_mother_for_renewals(&app, &daughter).await;
    let code = queued(&store.store, "mandate-requested")
        .await
        .into_iter()
        .find(|(_, p)| p["link"].as_str().is_some_and(|l| l.contains(&asked.id)))
        .map(|(_, p)| p["code"].as_str().expect("code").to_owned())
        .expect("the code");
    // Twenty different wrong guesses at once: however they interleave, at most five are compared
    // with this code before it is replaced, so one code never meets more than five guesses.
    let guesses: Vec<String> = (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .filter(|g| *g != code)
        .take(20)
        .collect();
    let mut at_once = tokio::task::JoinSet::new();
    for guess in guesses {
        let app = app.clone();
        let who = caller(&daughter, T0);
        let id = asked.id.clone();
        at_once.spawn(async move { app.confirm_mandate(&who, &id, &guess).await.is_err() });
    }
    while let Some(refused) = at_once.join_next().await {
        assert!(
            refused.expect("joined"),
            "a wrong guess confirmed the mandate"
        );
    }
    let audited = store
        .store
        .audit_search(
            &qiaoyi_store::AuditFilter {
                action: "mandate_code".into(),
                ..Default::default()
            },
            0,
            100,
        )
        .await
        .expect("audit");
    // Guesses that found no try left were refused without being compared or counted: never more
    // than the three codes' fifteen tries, however many were sent.
    let counted = audited.total as i64;
    assert!(
        (WRONG_CODES_PER_CODE..=WRONG_CODES_PER_CODE * MAX_CODES).contains(&counted),
        "{} counted",
        audited.total
    );
    let sent = queued(&store.store, "mandate-requested")
        .await
        .into_iter()
        .filter(|(_, p)| p["link"].as_str().is_some_and(|l| l.contains(&asked.id)))
        .count() as i64;
    assert_eq!(
        sent,
        1 + (counted / WRONG_CODES_PER_CODE).min(MAX_CODES - 1),
        "one new code per five counted"
    );
}
