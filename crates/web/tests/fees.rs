//! Fees through the API and the pages: the charge at submission, a payment on the applicant's
//! behalf (代缴) showing on her page and the receipt, refusals of bad amounts, the officer's form.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json};

use crate::common::RENEWAL;

/// A submitted EE-01 case (fee 120 yuan) of the demo applicant; returns its id.
async fn submitted(b: &mut Browser, csrf: &str) -> String {
    let id = b.draft_with_materials(csrf, RENEWAL, "EE-01").await;
    let r = b
        .post_json(
            &format!("/api/v1/cases/{id}/steps"),
            r#"{"step":"submit","version":1}"#,
            Some(csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

#[tokio::test]
async fn api_a_fee_paid_on_behalf_shows_on_the_applicants_pages_and_receipt() {
    let mut applicant = Browser::new().await;
    let mut consultant = applicant.another();
    let mut officer = applicant.another();
    let mut madrid = applicant.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let c = consultant.api_sign_in("consultant@qiaoyi.example").await;
    let o = officer.api_sign_in("officer@qiaoyi.example").await;
    madrid.api_sign_in("station.madrid@qiaoyi.example").await;
    let id = submitted(&mut applicant, &a).await;
    let fees = format!("/api/v1/cases/{id}/fees");

    let statement = json(&applicant.get(&fees).await.body);
    assert_eq!(statement["charged_fen"], 12_000);
    assert_eq!(statement["outstanding_fen"], 12_000);
    assert_eq!(statement["may_record_payment"], false);

    // Bad input: each refused with problem JSON naming the field; nothing written.
    let bad = [
        (
            r#"{"kind":"payment","amount_fen":-100,"method":"cash_window","payer_name":"咨询员"}"#,
            "amount",
        ),
        (
            r#"{"kind":"payment","amount_fen":0,"method":"cash_window","payer_name":"咨询员"}"#,
            "amount",
        ),
        (
            r#"{"kind":"payment","amount_fen":12001,"method":"cash_window","payer_name":"咨询员"}"#,
            "amount",
        ),
        (
            r#"{"kind":"payment","amount_fen":99999999999999,"method":"cash_window","payer_name":"咨询员"}"#,
            "amount",
        ),
        (
            r#"{"kind":"charge","amount_fen":100,"method":"cash_window","payer_name":"咨询员"}"#,
            "kind",
        ),
        (
            r#"{"kind":"payment","amount_fen":100,"method":"online","payer_name":"咨询员"}"#,
            "reference",
        ),
        (
            r#"{"kind":"payment","amount_fen":100,"method":"cash_window","payer_name":"咨询员","on_behalf":true}"#,
            "payer_relation",
        ),
    ];
    for (body, field) in bad {
        let r = officer.post_json(&fees, body, Some(&o)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert_eq!(json(&r.body)["field"], field, "{body}");
    }
    // An amount beyond any integer is a readable refusal too, never a server error.
    let overflow = officer
        .post_json(
            &fees,
            r#"{"kind":"payment","amount_fen":99999999999999999999999,"method":"cash_window","payer_name":"x"}"#,
            Some(&o),
        )
        .await;
    assert!(overflow.status.is_client_error(), "{}", overflow.body);
    assert!(overflow.body.contains("amount_fen"), "{}", overflow.body);
    let own = applicant
        .post_json(
            &fees,
            r#"{"kind":"payment","amount_fen":100,"method":"cash_window","payer_name":"季美华"}"#,
            Some(&a),
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    assert_eq!(
        json(&applicant.get(&fees).await.body)["entries"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // A relative pays the whole fee for her at the window; a consultant, who did not file the
    // case, may not record it; the officer does.
    let whole = r#"{"kind":"payment","amount_fen":12000,"method":"cash_window","payer_name":"季小华","on_behalf":true,"payer_relation":"child"}"#;
    let refused = consultant.post_json(&fees, whole, Some(&c)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let paid = officer.post_json(&fees, whole, Some(&o)).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    let entry = json(&paid.body);
    let entry_id = entry["id"].as_str().expect("id").to_owned();
    assert!(
        entry["receipt_number"]
            .as_str()
            .is_some_and(|n| n.starts_with("R-"))
    );
    assert_eq!(entry["recorded_role"], "officer");

    let statement = json(&applicant.get(&fees).await.body);
    assert_eq!(statement["paid_fen"], 12_000);
    assert_eq!(statement["outstanding_fen"], 0);
    let receipt = json(
        &applicant
            .get(&format!("/api/v1/receipts/{entry_id}"))
            .await
            .body,
    );
    assert_eq!(receipt["amount_capitals"], "壹佰贰拾元整");
    assert_eq!(receipt["amount_yuan"], "120.00");
    assert_eq!(receipt["entry"]["on_behalf"], true);
    assert_eq!(receipt["person_name"], "季美华");
    let charge = statement["entries"][0]["id"]
        .as_str()
        .expect("charge")
        .to_owned();
    assert_eq!(
        applicant
            .get(&format!("/api/v1/receipts/{charge}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        madrid
            .get(&format!("/api/v1/receipts/{entry_id}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(madrid.get(&fees).await.status, StatusCode::FORBIDDEN);

    // Her case page and the printable receipt say the same, in her language and in English.
    let page = applicant.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("代缴"),
        "the page says it was paid on her behalf"
    );
    assert!(page.body.contains(&format!("/receipts/{entry_id}")));
    assert!(
        !page.body.contains(&format!("action=\"/cases/{id}/fees\"")),
        "no fee form for the applicant"
    );
    let receipt = applicant.get(&format!("/receipts/{entry_id}")).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(
        receipt.body.contains("人民币壹佰贰拾元整"),
        "{}",
        receipt.body
    );
    assert!(receipt.body.contains("¥120.00"));
    let english = applicant
        .get(&format!("/receipts/{entry_id}?lang=en"))
        .await;
    assert!(english.body.contains("On behalf of"), "{}", english.body);
    assert_eq!(
        madrid.get(&format!("/receipts/{entry_id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        applicant.get("/receipts/no-such-entry").await.status,
        StatusCode::NOT_FOUND
    );

    // The officer's own record lists what she recorded for whom, on the API and on her page.
    let mine = json(&officer.get("/api/v1/payments/recorded").await.body);
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["entry"]["id"], entry_id.as_str());
    assert_eq!(mine["items"][0]["person_name"], "季美华");
    assert_eq!(mine["items"][0]["case_id"], id.as_str());
    assert_eq!(
        json(&applicant.get("/api/v1/payments/recorded").await.body)["total"],
        0,
        "the applicant recorded nothing"
    );
    for bad in ["?limit=0", "?limit=101"] {
        let r = officer
            .get(&format!("/api/v1/payments/recorded{bad}"))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    let r = officer.get("/api/v1/payments/recorded?offset=x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let mut anyone = applicant.another();
    let r = anyone.get("/api/v1/payments/recorded").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let page = officer.get("/account/payments").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("季美华") && page.body.contains(&format!("/receipts/{entry_id}")));
    assert!(page.body.contains("¥120.00"));
    let empty = applicant.get("/account/payments?lang=en").await;
    assert!(
        empty
            .body
            .contains("You have not recorded any payment yet.")
    );
}

#[tokio::test]
async fn pages_the_officer_records_a_refund_and_bad_amounts_are_explained() {
    let mut applicant = Browser::new().await;
    let mut officer = applicant.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let id = submitted(&mut applicant, &a).await;
    officer.sign_in_staff("officer@qiaoyi.example").await;
    let page = officer.get(&format!("/cases/{id}")).await;
    assert!(
        page.body.contains(&format!("action=\"/cases/{id}/fees\"")),
        "the officer gets the form"
    );
    let csrf = hidden_csrf(&page.body);
    let uri = format!("/cases/{id}/fees");
    let form = |amount: &'static str, kind: &'static str| {
        vec![
            ("kind", kind),
            ("amount", amount),
            ("method", "cash_window"),
            ("payer_name", "季美华"),
        ]
    };

    for (amount, kind, message) in [
        ("abc", "payment", "请输入以元为单位的金额"),
        ("-5", "payment", "请输入以元为单位的金额"),
        ("1.234", "payment", "请输入以元为单位的金额"),
        ("120.01", "payment", "不超过尚欠金额"),
        ("1", "refund", "不超过尚欠金额"),
    ] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form(amount, kind));
        let r = officer.post_raw(&uri, &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
        assert!(r.body.contains(message), "{amount}: {message}");
        assert!(
            r.body.contains(&format!("value=\"{amount}\"")),
            "the form keeps what was typed"
        );
    }

    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend(form("¥120", "payment"));
    let r = officer.post_raw(&uri, &fields).await;
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/cases/{id}#fees").as_str()),
        "{}",
        r.body
    );
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend(form("20.50", "refund"));
    let r = officer.post_raw(&uri, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let statement = json(
        &applicant
            .get(&format!("/api/v1/cases/{id}/fees"))
            .await
            .body,
    );
    assert_eq!(statement["paid_fen"], 12_000);
    assert_eq!(statement["refunded_fen"], 2_050);
    assert_eq!(statement["entries"].as_array().map(Vec::len), Some(3));
    let refund = statement["entries"][2]["id"]
        .as_str()
        .expect("refund")
        .to_owned();
    let voucher = applicant.get(&format!("/receipts/{refund}")).await;
    assert!(
        voucher.body.contains("退费凭证") && voucher.body.contains("贰拾元伍角"),
        "{}",
        voucher.body
    );
}

#[tokio::test]
async fn pages_an_online_payment_names_its_provider() {
    let mut applicant = Browser::with_config(|c| {
        c.payment_providers = vec![qiaoyi_app::config::PaymentProviderConfig {
            code: "unionpay".into(),
            name: "银联 UnionPay".into(),
            reference_min: 12,
            reference_max: 21,
            reference_digits_only: true,
            confirm_url: None,
            confirm_secret: None,
        }];
    })
    .await;
    let mut officer = applicant.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let id = submitted(&mut applicant, &a).await;
    officer.sign_in_staff("officer@qiaoyi.example").await;
    let page = officer.get(&format!("/cases/{id}?lang=en")).await;
    assert!(
        page.body
            .contains("<option value=\"unionpay\">银联 UnionPay</option>")
    );
    let csrf = hidden_csrf(&page.body);
    let uri = format!("/cases/{id}/fees?lang=en");
    let fields = |provider: &'static str, reference: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("kind", "payment".to_owned()),
            ("amount", "120".to_owned()),
            ("method", "online".to_owned()),
            ("provider", provider.to_owned()),
            ("reference", reference.to_owned()),
            ("payer_name", "季美华".to_owned()),
        ]
    };
    for (provider, reference, message) in [
        ("", "123456789012", "Choose the online provider"),
        ("unionpay", "12345", "format. Check it against"),
    ] {
        let f = fields(provider, reference);
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = officer.post_raw(&uri, &f).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{provider}");
        assert!(r.body.contains(message), "{message}");
    }
    let f = fields("unionpay", "1234 5678 9012");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = officer.post_raw(&uri, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let statement = json(
        &applicant
            .get(&format!("/api/v1/cases/{id}/fees"))
            .await
            .body,
    );
    assert_eq!(statement["entries"][1]["provider"], "unionpay");
    assert_eq!(statement["entries"][1]["provider_confirmed"], false);
    assert_eq!(statement["entries"][1]["reference"], "123456789012");
    let page = applicant.get(&format!("/cases/{id}?lang=en")).await.body;
    assert!(
        page.contains("银联 UnionPay, recorded by staff, not confirmed by the provider"),
        "{page}"
    );
}
