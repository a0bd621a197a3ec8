//! Fees through the use cases, on whichever database the test store gives: the charge at
//! submission, payments (also on someone's behalf), refunds and write-offs by the right roles, the
//! rules against overpaying and over-refunding, receipts, and `ledger check` after many entries.

use crate::common;

use common::{T0, caller, demo_app as app, session};
use qiaoyi_app::accounts::CurrentSession;
use qiaoyi_app::cases::CaseRequest;
use qiaoyi_app::fees::FeeRequest;
use qiaoyi_app::{App, AppError};

/// A submitted EE-01 case (fee 120 yuan) of the demo applicant.
async fn submitted_case(app: &App, applicant: &CurrentSession) -> String {
    let request = CaseRequest {
        item: "EE-01".into(),
        person_name: "季美华".into(),
        person_name_latin: "JI MEIHUA".into(),
        birth_date: "1950-04-02".into(),
        relation: "self".into(),
        delivery: "courier".into(),
        // The demo has her renewal under way already.
        duplicate_ok: true,
        ..CaseRequest::default()
    };
    common::submitted(app, applicant, &request).await.id
}

fn payment(amount_fen: i64, method: &str, reference: &str) -> FeeRequest {
    FeeRequest {
        kind: "payment".into(),
        amount_fen,
        method: method.into(),
        reference: reference.into(),
        payer_name: "季美华".into(),
        ..FeeRequest::default()
    }
}

fn refused_field(result: Result<impl std::fmt::Debug, AppError>) -> &'static str {
    match result {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_fee_is_charged_paid_on_behalf_refunded_and_checked() {
    let (app, store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let consultant = session(&app, "consultant@qiaoyi.example", T0).await;
    let rome = session(&app, "station.rome@qiaoyi.example", T0).await;
    let id = submitted_case(&app, &applicant).await;

    let statement = app
        .case_fees(&caller(&applicant, T0), &id)
        .await
        .expect("fees");
    assert_eq!(statement.fee_fen, 12_000);
    assert_eq!(statement.fees.charged, 12_000);
    assert_eq!(statement.outstanding(), 12_000);
    assert_eq!(statement.pending_charge, 0);
    assert!(!statement.may_pay && !statement.may_adjust);

    // The applicant does not record their own payments; a station only for cases it filed.
    for who in [&applicant, &rome] {
        let denied = app
            .record_fee(&caller(who, T0), &id, &payment(100, "cash_window", ""))
            .await;
        assert!(matches!(denied, Err(AppError::Forbidden(_))), "{denied:?}");
    }

    // A relative pays 50 yuan at the window for the elderly applicant (代缴); the officer records it.
    let on_behalf = FeeRequest {
        payer_name: "季小华".into(),
        on_behalf: true,
        payer_relation: "child".into(),
        ..payment(5_000, "cash_window", "")
    };
    // A consultant records payments only on cases she filed or acts on under a mandate, not on an
    // applicant's own case.
    let stranger = app
        .record_fee(&caller(&consultant, T0), &id, &on_behalf)
        .await;
    assert!(
        matches!(stranger, Err(AppError::Forbidden(_))),
        "{stranger:?}"
    );
    let paid = app
        .record_fee(&caller(&officer, T0), &id, &on_behalf)
        .await
        .expect("paid on behalf");
    assert!(paid.on_behalf);
    assert_eq!(paid.recorded_role.map(|r| r.as_str()), Some("officer"));
    let receipt_number = paid.receipt_number.clone().expect("receipt number");
    assert!(receipt_number.starts_with("R-2026-"), "{receipt_number}");

    // Bad input is refused with the field it is about, and nothing is written.
    let bad = [
        (payment(7_001, "cash_window", ""), "amount"),
        (payment(0, "cash_window", ""), "amount"),
        (payment(-100, "cash_window", ""), "amount"),
        (payment(i64::MAX, "cash_window", ""), "amount"),
        (payment(100, "cheque", ""), "method"),
        (payment(100, "bank_transfer", ""), "reference"),
        (payment(100, "cash_window", &"x".repeat(101)), "reference"),
        (
            FeeRequest {
                payer_name: " ".into(),
                ..payment(100, "cash_window", "")
            },
            "payer_name",
        ),
        (
            FeeRequest {
                on_behalf: true,
                ..payment(100, "cash_window", "")
            },
            "payer_relation",
        ),
        (
            FeeRequest {
                kind: "charge".into(),
                ..payment(100, "cash_window", "")
            },
            "kind",
        ),
        (
            FeeRequest {
                kind: "gift".into(),
                ..payment(100, "cash_window", "")
            },
            "kind",
        ),
    ];
    for (request, field) in bad {
        let result = app.record_fee(&caller(&officer, T0), &id, &request).await;
        assert_eq!(refused_field(result), field, "{request:?}");
    }

    // The officer records the rest by bank transfer; nothing is owed after it.
    app.record_fee(
        &caller(&officer, T0),
        &id,
        &payment(7_000, "bank_transfer", "CN-TRX-8812"),
    )
    .await
    .expect("paid the rest");
    let statement = app
        .case_fees(&caller(&applicant, T0), &id)
        .await
        .expect("fees");
    assert_eq!(statement.outstanding(), 0);
    assert_eq!(statement.fees.paid, 12_000);
    let write_off = FeeRequest {
        kind: "write_off".into(),
        amount_fen: 100,
        note: "elderly, no means".into(),
        ..FeeRequest::default()
    };
    let nothing_owed = app.record_fee(&caller(&officer, T0), &id, &write_off).await;
    assert_eq!(refused_field(nothing_owed), "amount");

    // Refunds: never more than was paid, and only by the item's officers.
    let refund = |amount_fen| FeeRequest {
        kind: "refund".into(),
        ..payment(amount_fen, "cash_window", "")
    };
    let too_much = app
        .record_fee(&caller(&officer, T0), &id, &refund(12_001))
        .await;
    assert_eq!(refused_field(too_much), "amount");
    let denied = app
        .record_fee(&caller(&consultant, T0), &id, &refund(100))
        .await;
    assert!(matches!(denied, Err(AppError::Forbidden(_))), "{denied:?}");
    app.record_fee(&caller(&officer, T0), &id, &refund(2_000))
        .await
        .expect("refunded");

    // The receipt: the applicant reads it, with the amount in capital numerals and who paid for
    // whom; the charge has none.
    let receipt = app
        .receipt(&caller(&applicant, T0), &paid.id)
        .await
        .expect("receipt");
    assert_eq!(receipt.capitals, "伍拾元整");
    assert_eq!(receipt.case.id, id);
    assert_eq!(receipt.entry.payer_name, "季小华");
    let statement = app
        .case_fees(&caller(&officer, T0), &id)
        .await
        .expect("fees");
    assert!(statement.may_pay && statement.may_adjust);
    assert_eq!(statement.entries.len(), 4);
    let charge = &statement.entries[0];
    assert_eq!(charge.kind.as_str(), "charge");
    let no_receipt = app.receipt(&caller(&applicant, T0), &charge.id).await;
    assert!(
        matches!(no_receipt, Err(AppError::NotFound(_))),
        "{no_receipt:?}"
    );

    // Every write is in the audit log.
    let logged = |action: &str| {
        let filter = qiaoyi_store::AuditFilter {
            action: action.into(),
            subject_id: id.clone(),
            ..Default::default()
        };
        let store = store.store.clone();
        async move {
            store
                .audit_search(&filter, 0, 10)
                .await
                .expect("audit")
                .total
        }
    };
    assert_eq!(logged("fee_payment").await, 2);
    assert_eq!(logged("fee_refund").await, 1);
    let report = app.ledger_check(|_, _| {}).await.expect("check");
    assert!(report.is_sound(), "{:?}", report.problems);
    assert_eq!(report.balances[&format!("receivable:{id}")], 0);
    assert_eq!(report.balances["funds:bank_transfer"], 7_000);
    assert_eq!(report.balances["funds:cash_window"], 3_000);
}

/// A provider's confirmation gateway on loopback: it checks the signature and knows one payment,
/// reference `2026112622001477051234567890` of 120 yuan. Returns its URL.
async fn gateway() -> String {
    use axum::http::{HeaderMap, StatusCode};
    async fn confirm(headers: HeaderMap, body: String) -> (StatusCode, String) {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let timestamp: i64 = header("x-qiaoyi-timestamp").parse().unwrap_or_default();
        let expected = qiaoyi_app::delivery::webhook_signature(SECRET, timestamp, body.as_bytes());
        if header("x-qiaoyi-signature") != format!("sha256={expected}") {
            return (StatusCode::UNAUTHORIZED, String::new());
        }
        let asked: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let paid = asked["reference"] == "2026112622001477051234567890";
        (
            StatusCode::OK,
            serde_json::json!({"paid": paid, "amount_fen": 12_000}).to_string(),
        )
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/confirm", listener.local_addr().expect("addr"));
    let router = axum::Router::new().route("/confirm", axum::routing::post(confirm));
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

const SECRET: &str = "the bureau's gateway secret";

#[tokio::test]
async fn online_payments_go_through_the_configured_providers() {
    use qiaoyi_app::config::{Config, PaymentProviderConfig, SecretKey};
    let provider = |code: &str, url: Option<String>| PaymentProviderConfig {
        code: code.into(),
        name: format!("{code} pay"),
        reference_min: 28,
        reference_max: 28,
        reference_digits_only: true,
        confirm_secret: url.as_ref().map(|_| SecretKey(SECRET.into())),
        confirm_url: url,
    };
    let config = Config {
        payment_providers: vec![
            provider("alipay", Some(gateway().await)),
            provider("manual", None),
            provider("down", Some("http://127.0.0.1:9/confirm".into())),
        ],
        ..Config::default()
    };
    let (app, _store) = common::demo_app_with(config).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let case = submitted_case(&app, &applicant).await;
    const PAID: &str = "2026 1126 2200 1477 0512 3456 7890";
    let online = |provider: &str, amount: i64, reference: &str| FeeRequest {
        provider: provider.into(),
        ..payment(amount, "online", reference)
    };
    for (request, field) in [
        (online("", 12_000, PAID), "provider"),
        (online("paypal", 12_000, PAID), "provider"),
        (online("alipay", 12_000, "20261126"), "reference"),
        (
            online("alipay", 12_000, "2026112622001477051234567891"),
            "reference",
        ),
        (online("alipay", 10_000, PAID), "reference"),
        (online("down", 12_000, PAID), "provider"),
    ] {
        let result = app.record_fee(&caller(&officer, T0), &case, &request).await;
        assert_eq!(refused_field(result), field, "{request:?}");
    }
    assert_eq!(
        app.case_fees(&caller(&officer, T0), &case)
            .await
            .expect("fees")
            .fees
            .paid,
        0,
        "nothing was recorded"
    );
    let confirmed = app
        .record_fee(
            &caller(&officer, T0),
            &case,
            &online("alipay", 12_000, PAID),
        )
        .await
        .expect("confirmed by the gateway");
    assert_eq!(confirmed.reference, "2026112622001477051234567890");
    let provider = confirmed.provider.expect("provider");
    assert_eq!(
        (provider.code.as_str(), provider.confirmed),
        ("alipay", true)
    );

    // Without a gateway the payment is recorded on the staff member's word, and says so.
    let other = submitted_case(&app, &applicant).await;
    let manual = app
        .record_fee(
            &caller(&officer, T0),
            &other,
            &online("manual", 5_000, "1111 2222 3333 4444 5555 6666 7777"),
        )
        .await
        .expect("recorded");
    let provider = manual.provider.expect("provider");
    assert_eq!(
        (provider.code.as_str(), provider.confirmed),
        ("manual", false)
    );
    // Cash needs no provider; the statement reads the provider back.
    app.record_fee(
        &caller(&officer, T0),
        &other,
        &payment(1_000, "cash_window", ""),
    )
    .await
    .expect("cash");
    let entries = app
        .case_fees(&caller(&applicant, T0), &other)
        .await
        .expect("fees")
        .entries;
    let providers: Vec<Option<&str>> = entries
        .iter()
        .map(|e| e.provider.as_ref().map(|p| p.code.as_str()))
        .collect();
    assert_eq!(providers, [None, Some("manual"), None]);
}

#[tokio::test]
async fn the_ledger_checks_after_many_random_entries() {
    let (app, _store) = app().await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let mut cases = Vec::new();
    for _ in 0..3 {
        cases.push(submitted_case(&app, &applicant).await);
    }
    // A fixed linear congruential sequence: the same entries on every run and both databases.
    let mut seed: u64 = 20_261_126;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % n
    };
    let (mut written, mut refused) = (0, 0);
    for _ in 0..300 {
        let id = &cases[next(3) as usize];
        let kind = ["payment", "payment", "refund", "write_off"][next(4) as usize];
        let request = FeeRequest {
            kind: kind.into(),
            amount_fen: next(6_000) as i64 - 10,
            method: ["cash_station", "cash_window", "bank_transfer", "online"][next(4) as usize]
                .into(),
            reference: "REF-1".into(),
            payer_name: "季美华".into(),
            note: "test".into(),
            ..FeeRequest::default()
        };
        match app.record_fee(&caller(&officer, T0), id, &request).await {
            Ok(_) => written += 1,
            Err(AppError::Invalid {
                field: "amount", ..
            }) => refused += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    assert!(
        written > 20 && refused > 20,
        "{written} written, {refused} refused"
    );
    let report = app.ledger_check(|_, _| {}).await.expect("check");
    assert!(report.is_sound(), "{:?}", report.problems);
    for id in &cases {
        let statement = app
            .case_fees(&caller(&officer, T0), id)
            .await
            .expect("fees");
        assert!(statement.outstanding() >= 0 && statement.fees.refundable() >= 0);
        assert_eq!(
            report.balances[&format!("receivable:{id}")],
            i128::from(statement.outstanding())
        );
    }
}
