//! The WeChat Official Account's callback as WeChat uses it, with messages encrypted and signed as
//! the platform does (`domain::wechat`, itself checked against Tencent's published sample; the
//! `wechatpy` package checks the same from outside in `scripts/wechat-check.py`): a text opens a
//! guest consultation a consultant sees, the next one joins it, and the reply is sealed for her.
//! Unsigned, tampered, stale and replayed requests are refused with nothing kept; WeChat's own
//! retry of a message is answered and kept once. A consultant's answer goes back through WeChat's
//! customer-service API, stood in for by a local server that checks each call's shape.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Reply, json};
use qiaoyi_app::config::SecretKey;
use qiaoyi_domain::wechat::{MessageKey, extract_encrypt, signature, url_signature};

/// Tencent's sample account: the values its documentation publishes.
const APP_ID: &str = "wx2c2769f8efd9abc2";
const TOKEN: &str = "spamtest";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const HER: &str = "oia2TjjewbmiOUlr6X-1crbLOvLw";

async fn account() -> Browser {
    Browser::with_config(|c| {
        c.wechat_app_id = Some(APP_ID.into());
        c.wechat_app_secret = Some(SecretKey("a sample app secret".into()));
        c.wechat_token = Some(SecretKey(TOKEN.into()));
        c.wechat_encoding_aes_key = Some(SecretKey(KEY.into()));
    })
    .await
}

fn text(from: &str, msg_id: u64, content: &str, at: i64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\
         <FromUserName><![CDATA[{from}]]></FromUserName><CreateTime>{at}</CreateTime>\
         <MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>\
         <MsgId>{msg_id}</MsgId></xml>"
    )
}

/// A POST as WeChat makes it: the message encrypted, the envelope signed with the token.
async fn deliver(b: &mut Browser, plain: &str, timestamp: i64, nonce: &str) -> Reply {
    let key = MessageKey::from_encoding_aes_key(KEY).expect("the sample key");
    let encrypted = key.encrypt(plain, APP_ID, *b"0123456789abcdef");
    let msg_signature = signature(TOKEN, &timestamp.to_string(), nonce, &encrypted);
    post(b, &encrypted, timestamp, nonce, &msg_signature).await
}

async fn post(
    b: &mut Browser,
    encrypted: &str,
    timestamp: i64,
    nonce: &str,
    msg_signature: &str,
) -> Reply {
    let body = format!(
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    );
    b.send(
        Request::post(format!(
            "/wechat/callback?signature=unused&timestamp={timestamp}&nonce={nonce}&openid={HER}&encrypt_type=aes&msg_signature={msg_signature}"
        ))
        .header(header::CONTENT_TYPE, "text/xml"),
        Body::from(body),
    )
    .await
}

/// The text of a sealed reply, after checking its signature.
fn opened(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.content_type.starts_with("application/xml"));
    let encrypted = extract_encrypt(&reply.body).expect("an Encrypt element");
    let field = |name: &str| {
        let start = reply.body.find(&format!("<{name}>")).expect(name) + name.len() + 2;
        let end = reply.body.find(&format!("</{name}>")).expect(name);
        reply.body[start..end]
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .to_owned()
    };
    assert_eq!(
        field("MsgSignature"),
        signature(TOKEN, &field("TimeStamp"), &field("Nonce"), &encrypted)
    );
    let key = MessageKey::from_encoding_aes_key(KEY).expect("the sample key");
    key.decrypt(&encrypted, APP_ID)
        .expect("sealed for the account")
}

async fn consultations_of(b: &Browser) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    if let Some(row) = store(b)
        .open_wechat_consultation(HER, None)
        .await
        .expect("read")
    {
        out.push((row.id, row.message_count));
    }
    out
}

fn store(b: &Browser) -> &qiaoyi_store::Store {
    &b.store
        .as_ref()
        .expect("the first browser holds the store")
        .store
}

#[tokio::test]
async fn a_wechat_message_opens_a_consultation_the_next_joins_it_and_replies_are_sealed() {
    let mut wechat = account().await;
    let mut consultant = wechat.another();
    let now = wechat.app.now_ms() / 1000;

    let first = deliver(
        &mut wechat,
        &text(HER, 1001, "护照过期了，在意大利怎么换？", now),
        now,
        "n-1",
    )
    .await;
    let reply = opened(&first);
    assert!(
        reply.contains(&format!("<ToUserName><![CDATA[{HER}]]></ToUserName>")),
        "{reply}"
    );
    let opened_rows = consultations_of(&wechat).await;
    assert_eq!(opened_rows.len(), 1);
    let (id, count) = opened_rows[0].clone();
    assert_eq!(count, 1);
    assert!(
        reply.contains(&id),
        "the reply names her consultation: {reply}"
    );

    let second = deliver(
        &mut wechat,
        &text(HER, 1002, "我在米兰。", now + 5),
        now + 5,
        "n-2",
    )
    .await;
    assert!(opened(&second).contains(&id));
    assert_eq!(consultations_of(&wechat).await, vec![(id.clone(), 2)]);

    // The consultant reads it like any consultation: a guest from WeChat, both messages.
    consultant.api_sign_in("consultant@qiaoyi.example").await;
    let detail = json(
        &consultant
            .get(&format!("/api/v1/consultations/{id}"))
            .await
            .body,
    );
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(
        bodies,
        ["护照过期了，在意大利怎么换？", "我在米兰。"],
        "{detail}"
    );

    // Following the account is welcomed; nothing is opened.
    let follow = format!(
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oNewFollower]]></FromUserName>\
         <CreateTime>{now}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>"
    );
    assert!(opened(&deliver(&mut wechat, &follow, now, "n-3").await).contains("欢迎"));
    assert!(
        store(&wechat)
            .open_wechat_consultation("oNewFollower", None)
            .await
            .expect("read")
            .is_none()
    );
}

#[tokio::test]
async fn unsigned_tampered_stale_and_replayed_requests_are_refused_and_retries_kept_once() {
    let mut wechat = account().await;
    let now = wechat.app.now_ms() / 1000;
    let key = MessageKey::from_encoding_aes_key(KEY).expect("the sample key");
    let plain = text(HER, 2001, "你好", now);
    let encrypted = key.encrypt(&plain, APP_ID, [9; 16]);

    // A signature that is not the token's, or over another body.
    let forged = post(&mut wechat, &encrypted, now, "n-1", &"0".repeat(40)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.content_type.starts_with("application/problem+json"));
    let mut tampered = encrypted.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("base64");
    let over_other = signature(TOKEN, &now.to_string(), "n-1", &encrypted);
    assert_eq!(
        post(&mut wechat, &tampered, now, "n-1", &over_other)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Signed with the token, but an hour old, or not a number.
    let old = now - 3600;
    assert_eq!(
        deliver(&mut wechat, &text(HER, 2001, "你好", old), old, "n-1")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Not WeChat's XML at all.
    let doctype = wechat
        .send(
            Request::post(format!(
                "/wechat/callback?timestamp={now}&nonce=n&msg_signature=x"
            )),
            Body::from("<!DOCTYPE xml [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml>&e;</xml>"),
        )
        .await;
    assert!(doctype.status.is_client_error(), "{}", doctype.status);
    assert!(
        consultations_of(&wechat).await.is_empty(),
        "nothing was kept"
    );

    // The real one is taken; the same request again is a replay, refused.
    let signed = signature(TOKEN, &now.to_string(), "n-1", &encrypted);
    opened(&post(&mut wechat, &encrypted, now, "n-1", &signed).await);
    let again = post(&mut wechat, &encrypted, now, "n-1", &signed).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the same message again is answered"
    );
    let replay = deliver(&mut wechat, &text(HER, 2002, "再来", now), now, "n-1").await;
    assert_eq!(replay.status, StatusCode::FORBIDDEN, "{}", replay.body);
    // WeChat's retry of the same message under a new nonce: answered, kept once.
    let retry = deliver(&mut wechat, &plain, now + 5, "n-2").await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.body, "success");
    let rows = consultations_of(&wechat).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, 1, "one message kept");
}

/// WeChat retries a slow message; two copies reaching two nodes at once are kept once, as the
/// message's key is noted in the transaction that keeps it.
#[tokio::test]
async fn two_copies_of_a_retry_at_once_are_kept_once() {
    let wechat = account().await;
    let now = wechat.app.now_ms();
    let key = MessageKey::from_encoding_aes_key(KEY).expect("the sample key");
    let encrypted = key.encrypt(
        &text(HER, 3001, "护照过期了怎么办", now / 1000),
        APP_ID,
        [7; 16],
    );
    let body = format!("<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>");
    let copy = |nonce: &str| {
        let timestamp = (now / 1000).to_string();
        qiaoyi_app::wechat::CallbackQuery {
            msg_signature: signature(TOKEN, &timestamp, nonce, &encrypted),
            timestamp,
            nonce: nonce.into(),
            ..Default::default()
        }
    };
    let caller = || {
        qiaoyi_app::Caller::anonymous(
            qiaoyi_app::accounts::Client {
                address: "127.0.0.1".into(),
            },
            now,
        )
    };
    let (first, second) = (copy("race-1"), copy("race-2"));
    let (one, other) = (caller(), caller());
    let (a, b) = tokio::join!(
        wechat.app.wechat_callback(&one, &first, &body),
        wechat.app.wechat_callback(&other, &second, &body),
    );
    let answers = [a.expect("taken"), b.expect("taken")];
    assert_eq!(
        answers.iter().filter(|a| a.as_str() == "success").count(),
        1,
        "one copy is answered as a retry: {answers:?}"
    );
    let rows = consultations_of(&wechat).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, 1, "one message kept");
}

#[tokio::test]
async fn the_address_check_echoes_only_for_the_token_and_no_account_means_not_found() {
    let mut wechat = account().await;
    let now = wechat.app.now_ms() / 1000;
    let good = url_signature(TOKEN, &now.to_string(), "42");
    let ok = wechat
        .get(&format!(
            "/wechat/callback?signature={good}&timestamp={now}&nonce=42&echostr=hello-7"
        ))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body, "hello-7");
    let wrong = url_signature("another", &now.to_string(), "42");
    let refused = wechat
        .get(&format!(
            "/wechat/callback?signature={wrong}&timestamp={now}&nonce=42&echostr=hello-7"
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("hello-7"));

    let mut plain = Browser::new().await;
    let none = plain
        .get(&format!(
            "/wechat/callback?signature={good}&timestamp={now}&nonce=42&echostr=hello-7"
        ))
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

/// WeChat's API as the tests stand it in, at `wechat_api_base`: `/cgi-bin/token`,
/// `/cgi-bin/message/custom/send` and `/cgi-bin/message/template/send`, each call's shape checked
/// against the published API (a call of another shape gets WeChat's error code, which the test
/// then sees). The first send fails with a 500, as WeChat's servers sometimes do; while
/// `outside_window` is set, customer-service messages get 45015 (her 48 hours are over), and
/// `fail_next_template` fails one template message with a 500.
#[derive(Clone, Default)]
struct StandIn {
    tokens: Arc<Mutex<Vec<bool>>>,
    sends: Arc<AtomicUsize>,
    sent: Arc<Mutex<Vec<serde_json::Value>>>,
    outside_window: Arc<std::sync::atomic::AtomicBool>,
    templates: Arc<Mutex<Vec<serde_json::Value>>>,
    /// The next template message fails with a 500.
    fail_next_template: Arc<std::sync::atomic::AtomicBool>,
}

const SECRET: &str = "a sample app secret";
/// The start of an AMR recording, as WeChat gives a voice message.
const AMR: &[u8] = b"#!AMR\n\x3c\x48\xf5\x1f\x96\x66\x79\xe1";
/// The start of a JPEG, as WeChat gives a photo.
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";

/// The sample account, its API at `base` (the stand-in), with a template for notices or not.
fn with_api(c: &mut qiaoyi_app::config::Config, base: &str, template: Option<&str>) {
    c.wechat_app_id = Some(APP_ID.into());
    c.wechat_app_secret = Some(SecretKey(SECRET.into()));
    c.wechat_token = Some(SecretKey(TOKEN.into()));
    c.wechat_encoding_aes_key = Some(SecretKey(KEY.into()));
    c.wechat_api_base = base.to_owned();
    c.wechat_template_id = template.map(str::to_owned);
}
const TEMPLATE: &str = "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY";

async fn stand_in() -> (String, StandIn) {
    use axum::extract::{Query, State};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    use std::collections::HashMap;

    async fn token(
        State(s): State<StandIn>,
        Query(q): Query<HashMap<String, String>>,
    ) -> axum::Json<serde_json::Value> {
        let shaped = q.get("grant_type").map(String::as_str) == Some("client_credential")
            && q.get("appid").map(String::as_str) == Some(APP_ID)
            && q.get("secret").map(String::as_str) == Some(SECRET);
        s.tokens.lock().expect("lock").push(shaped);
        axum::Json(if shaped {
            serde_json::json!({"access_token": "ACCESS-1", "expires_in": 7200})
        } else {
            serde_json::json!({"errcode": 40013, "errmsg": "invalid appid"})
        })
    }
    async fn send(
        State(s): State<StandIn>,
        Query(q): Query<HashMap<String, String>>,
        body: String,
    ) -> axum::response::Response {
        let n = s.sends.fetch_add(1, Ordering::SeqCst);
        if q.get("access_token").map(String::as_str) != Some("ACCESS-1") {
            return axum::Json(
                serde_json::json!({"errcode": 40001, "errmsg": "invalid credential"}),
            )
            .into_response();
        }
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let shaped = v["touser"].as_str().is_some_and(|t| !t.is_empty())
            && v["msgtype"] == "text"
            && v["text"]["content"].as_str().is_some_and(|c| !c.is_empty());
        if !shaped {
            return axum::Json(
                serde_json::json!({"errcode": 40008, "errmsg": "invalid message type"}),
            )
            .into_response();
        }
        if s.outside_window.load(Ordering::SeqCst) {
            return axum::Json(
                serde_json::json!({"errcode": 45015, "errmsg": "response out of time limit"}),
            )
            .into_response();
        }
        if n == 0 {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        s.sent.lock().expect("lock").push(v);
        axum::Json(serde_json::json!({"errcode": 0, "errmsg": "ok"})).into_response()
    }

    async fn template(
        State(s): State<StandIn>,
        Query(q): Query<HashMap<String, String>>,
        body: String,
    ) -> axum::response::Response {
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let value = |key: &str| {
            v["data"][key]["value"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        let shaped = q.get("access_token").map(String::as_str) == Some("ACCESS-1")
            && v["touser"].as_str().is_some_and(|t| !t.is_empty())
            && v["template_id"] == TEMPLATE
            && v["url"].as_str().is_none_or(|u| u.starts_with("http"))
            // Since 2023 a keyword holds at most 20 characters.
            && ["keyword1", "keyword2"]
                .iter()
                .all(|k| (1..=20).contains(&value(k).chars().count()));
        if !shaped {
            return axum::Json(
                serde_json::json!({"errcode": 40037, "errmsg": "invalid template_id"}),
            )
            .into_response();
        }
        if s.fail_next_template.swap(false, Ordering::SeqCst) {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        s.templates.lock().expect("lock").push(v);
        axum::Json(serde_json::json!({"errcode": 0, "errmsg": "ok", "msgid": 200228332}))
            .into_response()
    }

    async fn media(Query(q): Query<HashMap<String, String>>) -> axum::response::Response {
        let json = |code: i64, message: &str| {
            axum::Json(serde_json::json!({"errcode": code, "errmsg": message})).into_response()
        };
        if q.get("access_token").map(String::as_str) != Some("ACCESS-1") {
            return json(40001, "invalid credential");
        }
        let bytes: &[u8] = match q.get("media_id").map(String::as_str) {
            Some("M-JPEG") => JPEG,
            // An executable WeChat would not hold, said to be a picture.
            Some("M-EXE") => b"MZ\x90\x00\x03\x00\x00\x00",
            Some("M-AMR") => AMR,
            // Speex as WeChat gives it: no header to recognise it by.
            Some("M-SPEEX") => b"\x1e\x9d\x4c\x03\x11\x00",
            _ => return json(40007, "invalid media_id"),
        };
        ([(header::CONTENT_TYPE, "image/jpeg")], bytes.to_vec()).into_response()
    }

    let state = StandIn::default();
    let router = axum::Router::new()
        .route("/cgi-bin/token", get(token))
        .route("/cgi-bin/media/get", get(media))
        .route("/cgi-bin/message/custom/send", post(send))
        .route("/cgi-bin/message/template/send", post(template))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}"), state)
}

#[tokio::test]
async fn a_consultant_s_answer_goes_back_through_wechat_once_though_wechat_failed_first() {
    let (base, api) = stand_in().await;
    let mut wechat = Browser::with_config(|c| with_api(c, &base, None)).await;
    let mut consultant = wechat.another();
    let now = wechat.app.now_ms() / 1000;
    opened(
        &deliver(
            &mut wechat,
            &text(HER, 3001, "护照怎么换？", now),
            now,
            "n-1",
        )
        .await,
    );
    let id = consultations_of(&wechat).await[0].0.clone();

    let csrf = consultant.api_sign_in("consultant@qiaoyi.example").await;
    let answer = "请带上旧护照，到米兰的服务站办理。";
    answer_as(&mut consultant, &csrf, &id, answer).await;

    let t = wechat.app.now_ms();
    wechat.app.deliver_due("w-test", t).await.expect("a round");
    assert!(
        api.sent.lock().expect("lock").is_empty(),
        "WeChat failed the first"
    );
    // Tried again after its delay: delivered, and once only however often the worker runs.
    retry_rounds(&wechat, t).await;
    let sent = api.sent.lock().expect("lock").clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["touser"], HER);
    let content = sent[0]["text"]["content"].as_str().expect("content");
    assert!(content.contains(answer), "the answer itself: {content}");
    assert_eq!(api.sends.load(Ordering::SeqCst), 2);
    // One access token for both tries, fetched as the API asks.
    assert_eq!(*api.tokens.lock().expect("lock"), vec![true]);
}

/// Nodes share WeChat's access token (WeChat hands out one at a time): a second node sending an
/// answer uses the token the first fetched, kept sealed in the database.
#[tokio::test]
async fn nodes_share_one_access_token_sealed_at_rest() {
    let (base, api) = stand_in().await;
    let mut wechat = Browser::with_config(|c| with_api(c, &base, None)).await;
    let mut config = qiaoyi_app::config::Config::default();
    with_api(&mut config, &base, None);
    let node_b = qiaoyi_app::App::with_store(store(&wechat).clone(), config)
        .with_field_key_of(&wechat.app)
        .with_clock(wechat.app.clock().clone());
    let mut consultant = wechat.another();
    let csrf = consultant.api_sign_in("consultant@qiaoyi.example").await;
    let now = wechat.app.now_ms() / 1000;
    let mut answer_one = async |b: &mut Browser, from: &str, msg_id: u64, nonce: &str| {
        opened(&deliver(b, &text(from, msg_id, "护照怎么换？", now), now, nonce).await);
        let id = store(b)
            .open_wechat_consultation(from, None)
            .await
            .expect("read")
            .expect("opened")
            .id;
        answer_as(&mut consultant, &csrf, &id, "请到服务站办理。").await;
    };

    // The first node: WeChat fails the first send, the retry goes with the token it fetched.
    answer_one(&mut wechat, HER, 6001, "s-1").await;
    let t = wechat.app.now_ms();
    for later in [0, 3_600_000] {
        wechat
            .app
            .deliver_due("node-a", t + later)
            .await
            .expect("a round");
    }
    assert_eq!(api.sent.lock().expect("lock").len(), 1);
    // The second node has never fetched one: it uses the first node's.
    answer_one(&mut wechat, "oSecondAsker", 6002, "s-2").await;
    node_b
        .deliver_due("node-b", t + 3_700_000)
        .await
        .expect("a round");
    assert_eq!(api.sent.lock().expect("lock").len(), 2);
    assert_eq!(
        *api.tokens.lock().expect("lock"),
        vec![true],
        "one token fetched"
    );
    let kept = store(&wechat)
        .wechat_token(APP_ID)
        .await
        .expect("read")
        .expect("kept");
    assert!(!kept.sealed.contains("ACCESS-1"), "sealed at rest");
}

/// An answer that comes after her 48 hours: WeChat refuses it, she is told by template message
/// that it waits (linked to her consultation when her account can open it), and it goes to her as
/// soon as she writes again.
#[tokio::test]
async fn an_answer_after_her_48_hours_waits_for_her_and_a_template_message_says_so() {
    let (base, api) = stand_in().await;
    let mut wechat = Browser::with_config(|c| with_api(c, &base, Some(TEMPLATE))).await;
    let mut consultant = wechat.another();
    let csrf = consultant.api_sign_in("consultant@qiaoyi.example").await;
    let now = wechat.app.now_ms() / 1000;
    opened(
        &deliver(
            &mut wechat,
            &text(HER, 7001, "护照怎么换？", now),
            now,
            "w-1",
        )
        .await,
    );
    let id = consultations_of(&wechat).await[0].0.clone();
    let answer = "请带上旧护照到服务站。";
    answer_as(&mut consultant, &csrf, &id, answer).await;

    api.outside_window.store(true, Ordering::SeqCst);
    let t = wechat.app.now_ms();
    wechat.app.deliver_due("w-test", t).await.expect("a round");
    assert!(api.sent.lock().expect("lock").is_empty());
    let templates = api.templates.lock().expect("lock").clone();
    assert_eq!(templates.len(), 1, "she is told once: {templates:?}");
    assert_eq!(templates[0]["touser"], HER);
    assert!(
        templates[0].get("url").is_none(),
        "a guest has no page to open"
    );
    let mut admin = wechat.another();
    admin.api_sign_in("admin@qiaoyi.example").await;
    let set_aside = json(&admin.get("/api/v1/outbox?status=dead").await.body);
    assert!(
        set_aside.to_string().contains("template message"),
        "{set_aside}"
    );

    // She writes again: her 48 hours open anew, and the answer goes.
    api.outside_window.store(false, Ordering::SeqCst);
    opened(
        &deliver(
            &mut wechat,
            &text(HER, 7002, "在吗？", now + 60),
            now + 60,
            "w-2",
        )
        .await,
    );
    wechat
        .app
        .deliver_due("w-test", t + 1_000)
        .await
        .expect("a round");
    let sent = api.sent.lock().expect("lock").clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0]["text"]["content"]
            .as_str()
            .is_some_and(|c| c.contains(answer))
    );

    // Linked to an account, the template message links her consultation.
    let code = code_in(&opened(
        &deliver(
            &mut wechat,
            &text(HER, 7003, "绑定", now + 61),
            now + 61,
            "w-3",
        )
        .await,
    ));
    let mut her = wechat.another();
    let her_csrf = her.api_sign_in("applicant@qiaoyi.example").await;
    let linked = her
        .put_json(
            "/api/v1/me/wechat",
            &format!(r#"{{"code":"{code}"}}"#),
            Some(&her_csrf),
        )
        .await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    answer_as(&mut consultant, &csrf, &id, "还需要一张照片。").await;
    api.outside_window.store(true, Ordering::SeqCst);
    wechat
        .app
        .deliver_due("w-test", t + 2_000)
        .await
        .expect("a round");
    let templates = api.templates.lock().expect("lock").clone();
    assert_eq!(templates.len(), 2, "{templates:?}");
    assert!(
        templates[1]["url"]
            .as_str()
            .is_some_and(|u| u.contains(&format!("/consultations/{id}"))),
        "{}",
        templates[1]
    );
}

/// She chose WeChat for her notices on the notifications page: a step of her case reaches her
/// WeChat as a template message linking the case, beside her e-mail, retried when WeChat fails
/// and sent once. Unlinked, the choice is gone.
#[tokio::test]
async fn her_notices_go_to_her_linked_wechat_as_template_messages_when_she_chose_it() {
    let (base, api) = stand_in().await;
    let mut wechat = Browser::with_config(|c| with_api(c, &base, Some(TEMPLATE))).await;
    let now = wechat.app.now_ms() / 1000;
    let mut her = wechat.another();
    her.sign_in("applicant@qiaoyi.example").await;
    // Not offered before her WeChat is linked, and refused if asked for.
    let page = her.get("/account/notifications?lang=en").await;
    assert!(!page.body.contains("name=\"wechat_enabled\""));
    let csrf = common::hidden_csrf(&page.body);
    let choose_wechat = [
        ("csrf", csrf.as_str()),
        ("email_enabled", "on"),
        ("wechat_enabled", "on"),
    ];
    let early = her
        .post_form("/account/notifications", &choose_wechat)
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);

    let code = code_in(&opened(
        &deliver(&mut wechat, &text(HER, 8001, "绑定", now), now, "t-1").await,
    ));
    let linked = her
        .post_form("/account/wechat", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER);
    let page = her.get("/account/notifications?lang=en").await;
    assert!(page.body.contains("By WeChat"), "{}", page.body);
    let saved = her
        .post_form("/account/notifications", &choose_wechat)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mine = json(&her.get("/api/v1/me/notifications").await.body);
    assert_eq!(mine["wechat_enabled"], true, "{mine}");

    // A step of her case: by e-mail and by WeChat.
    let mut api_her = wechat.another();
    let a = api_her.api_sign_in("applicant@qiaoyi.example").await;
    let id = api_her
        .draft_with_materials(&a, common::RENEWAL, "EE-01")
        .await;
    let submitted = api_her.step(&id, "submit", 1, &a).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    // WeChat fails the first try; the outbox tries again after its delay, and sends it once
    // however often it runs.
    api.fail_next_template.store(true, Ordering::SeqCst);
    let t = wechat.app.now_ms();
    wechat.app.deliver_due("w-test", t).await.expect("a round");
    assert!(
        api.templates.lock().expect("lock").is_empty(),
        "the first try failed"
    );
    retry_rounds(&wechat, t).await;
    let templates = api.templates.lock().expect("lock").clone();
    assert_eq!(templates.len(), 1, "{templates:?}");
    assert_eq!(templates[0]["touser"], HER);
    assert!(
        templates[0]["url"]
            .as_str()
            .is_some_and(|u| u.contains(&format!("/cases/{id}"))),
        "{}",
        templates[0]
    );
    assert!(
        api.sent.lock().expect("lock").is_empty(),
        "no customer-service message"
    );

    // Unlinked: the choice is gone with the link, and notices stop going to WeChat.
    let unlinked = her
        .post_form("/account/wechat/unlink", &[("csrf", &csrf)])
        .await;
    assert_eq!(unlinked.status, StatusCode::SEE_OTHER);
    let mine = json(&her.get("/api/v1/me/notifications").await.body);
    assert_eq!(mine["wechat_enabled"], false, "{mine}");
}

/// A picture she sends in WeChat is fetched with the shared access token, checked by its content
/// like any upload and kept as an attachment of her consultation, which the consultant downloads.
/// A file that is not a picture, or one WeChat no longer holds, is not kept, and she is asked again.
#[tokio::test]
async fn a_picture_she_sends_is_fetched_checked_and_kept_as_an_attachment() {
    let (base, api) = stand_in().await;
    let mut wechat = Browser::with_config(|c| with_api(c, &base, None)).await;
    let now = wechat.app.now_ms() / 1000;
    let image = |msg_id: u64, media_id: &str| {
        format!(
            "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[{HER}]]></FromUserName>\
             <CreateTime>{now}</CreateTime><MsgType><![CDATA[image]]></MsgType>\
             <PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>\
             <MsgId>{msg_id}</MsgId></xml>"
        )
    };
    let reply = opened(&deliver(&mut wechat, &image(9001, "M-JPEG"), now, "i-1").await);
    let rows = consultations_of(&wechat).await;
    assert_eq!(rows.len(), 1, "a picture opens a consultation");
    let id = rows[0].0.clone();
    assert!(reply.contains(&id), "{reply}");

    let mut consultant = wechat.another();
    consultant.api_sign_in("consultant@qiaoyi.example").await;
    let detail = json(
        &consultant
            .get(&format!("/api/v1/consultations/{id}"))
            .await
            .body,
    );
    let file = &detail["messages"][0]["file"];
    assert_eq!(file["media_type"], "image/jpeg", "{detail}");
    assert_eq!(file["size"], JPEG.len(), "{detail}");
    let seq = detail["messages"][0]["seq"].as_i64().expect("seq");
    let download = consultant
        .send(
            Request::get(format!("/api/v1/consultations/{id}/files/{seq}")),
            Body::empty(),
        )
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.content_type.starts_with("image/jpeg"));

    // Not a picture, whatever WeChat's header says; and a MediaId WeChat no longer holds.
    let refused = opened(&deliver(&mut wechat, &image(9002, "M-EXE"), now, "i-2").await);
    assert!(refused.contains("JPEG"), "{refused}");
    let gone = opened(&deliver(&mut wechat, &image(9003, "M-GONE"), now, "i-3").await);
    assert!(gone.contains("再发一次"), "{gone}");
    assert_eq!(
        consultations_of(&wechat).await,
        vec![(id, 1)],
        "neither is kept"
    );
    assert_eq!(*api.tokens.lock().expect("lock"), vec![true], "one token");
}

/// A voice message: the AMR recording is kept as an attachment with what WeChat's speech
/// recognition heard as its text; without a recording she can be heard by (Speex), the words
/// alone are kept; with neither, she is asked to write.
#[tokio::test]
async fn a_voice_message_is_kept_as_its_recording_and_the_words_heard() {
    let (base, _api) = stand_in().await;
    let mut wechat = Browser::with_config(|c| with_api(c, &base, None)).await;
    let now = wechat.app.now_ms() / 1000;
    let voice = |msg_id: u64, media_id: &str, format: &str, heard: &str| {
        let recognition = if heard.is_empty() {
            String::new()
        } else {
            format!("<Recognition><![CDATA[{heard}]]></Recognition>")
        };
        format!(
            "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[{HER}]]></FromUserName>\
             <CreateTime>{now}</CreateTime><MsgType><![CDATA[voice]]></MsgType>\
             <MediaId><![CDATA[{media_id}]]></MediaId><Format><![CDATA[{format}]]></Format>{recognition}\
             <MsgId>{msg_id}</MsgId></xml>"
        )
    };
    opened(
        &deliver(
            &mut wechat,
            &voice(9101, "M-AMR", "amr", "护照丢了怎么办"),
            now,
            "v-1",
        )
        .await,
    );
    let id = consultations_of(&wechat).await[0].0.clone();
    let mut consultant = wechat.another();
    consultant.api_sign_in("consultant@qiaoyi.example").await;
    let detail = json(
        &consultant
            .get(&format!("/api/v1/consultations/{id}"))
            .await
            .body,
    );
    let first = &detail["messages"][0];
    assert_eq!(first["body"], "（语音）护照丢了怎么办", "{detail}");
    assert_eq!(first["file"]["media_type"], "audio/amr", "{detail}");
    assert_eq!(first["file"]["size"], AMR.len());
    // The page shows the recording and the words heard.
    let page = consultant
        .get(&format!("/consultations/{id}?lang=en"))
        .await;
    assert!(page.body.contains("微信语音.amr") && page.body.contains("护照丢了怎么办"));

    // Speex with words heard: the words. Speex without: asked to write, nothing kept.
    opened(
        &deliver(
            &mut wechat,
            &voice(9102, "M-SPEEX", "speex", "我在罗马"),
            now,
            "v-2",
        )
        .await,
    );
    let refused = opened(
        &deliver(
            &mut wechat,
            &voice(9103, "M-SPEEX", "speex", ""),
            now,
            "v-3",
        )
        .await,
    );
    assert!(refused.contains("文字"), "{refused}");
    let detail = json(
        &consultant
            .get(&format!("/api/v1/consultations/{id}"))
            .await
            .body,
    );
    let messages = detail["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2, "{detail}");
    assert_eq!(messages[1]["body"], "（语音）我在罗马");
    assert!(messages[1]["file"].is_null());
}

/// The consultant (signed in over the API with `csrf`) answers consultation `id`.
async fn answer_as(consultant: &mut Browser, csrf: &str, id: &str, body: &str) {
    let posted = consultant
        .post_json(
            &format!("/api/v1/consultations/{id}/messages"),
            &serde_json::json!({ "body": body }).to_string(),
            Some(csrf),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
}

/// The outbox's rounds an hour and two hours after `t`: past a failed try's delay, and once more
/// to see nothing is sent twice.
async fn retry_rounds(b: &Browser, t: i64) {
    for later in [3_600_000, 7_200_000] {
        b.app
            .deliver_due("w-test", t + later)
            .await
            .expect("a round");
    }
}

/// The code in the account's answer to 绑定.
fn code_in(reply: &str) -> String {
    let start = reply.find("绑定码：").expect("a code in the reply") + "绑定码：".len();
    let code: String = reply[start..]
        .chars()
        .take(9)
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(code.len(), 8, "{reply}");
    code
}

async fn audited(b: &Browser, action: &str) -> Vec<qiaoyi_app::domain::access::audit::AuditRecord> {
    store(b)
        .audit_search(
            &qiaoyi_store::AuditFilter {
                action: action.into(),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .expect("audit")
        .items
}

/// She writes 绑定 in WeChat and types the code on her account's page: her open guest
/// consultation joins her account, her next message goes there, a used code is dead for anyone,
/// and after she unlinks, WeChat is a guest again. Both steps are audited.
#[tokio::test]
async fn she_links_her_wechat_with_the_code_it_sent_her_and_unlinks_it() {
    let mut wechat = account().await;
    let now = wechat.app.now_ms() / 1000;
    opened(&deliver(&mut wechat, &text(HER, 4001, "我想换护照", now), now, "l-1").await);
    let (guest_id, _) = consultations_of(&wechat).await[0].clone();
    let code = code_in(&opened(
        &deliver(&mut wechat, &text(HER, 4002, " 绑定 ", now), now, "l-2").await,
    ));
    assert_eq!(
        consultations_of(&wechat).await,
        vec![(guest_id.clone(), 1)],
        "asking for a code is not a message of her consultation"
    );

    let mut her = wechat.another();
    her.sign_in("applicant@qiaoyi.example").await;
    let account_page = her.get("/account").await;
    assert!(account_page.body.contains("href=\"/account/wechat\""));
    let page = her.get("/account/wechat?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"code\""), "{}", page.body);
    let csrf = common::hidden_csrf(&page.body);

    // Not eight digits, then eight that were not sent: both refused beside the field.
    let short = her
        .post_form("/account/wechat", &[("csrf", &csrf), ("code", "1234")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::summary_links(&short.body), ["code"]);
    let wrong = if code == "11111111" {
        "22222222"
    } else {
        "11111111"
    };
    let wrong = her
        .post_form("/account/wechat", &[("csrf", &csrf), ("code", wrong)])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("id=\"code-error\""));
    assert!(
        store(&wechat)
            .wechat_link_of_openid(HER)
            .await
            .expect("read")
            .is_none()
    );

    // The code as she reads it, with its space.
    let typed = format!("{} {}", &code[..4], &code[4..]);
    let linked = her
        .post_form("/account/wechat", &[("csrf", &csrf), ("code", &typed)])
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let shown = her.get("/account/wechat?joined=1&lang=en").await;
    assert!(
        shown
            .body
            .contains("Your open consultation from WeChat is now in your account")
    );
    assert!(shown.body.contains("action=\"/account/wechat/unlink\""));
    let me = json(&her.get("/api/v1/me/wechat").await.body);
    assert_eq!(me["linked"], true, "{me}");
    let mine = her.get("/api/v1/consultations").await;
    assert!(mine.body.contains(&guest_id), "{}", mine.body);

    // Her next message in WeChat goes to that consultation, now her account's, and the account
    // answers in her account's language.
    let italian = her
        .put_json(
            "/api/v1/me/notifications",
            r#"{"email_enabled":true,"sms_enabled":false,"own_reminders":true,"family_reminders":false,"language":"it"}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(italian.status, StatusCode::OK, "{}", italian.body);
    let next = opened(
        &deliver(
            &mut wechat,
            &text(HER, 4003, "我在罗马", now + 5),
            now + 5,
            "l-3",
        )
        .await,
    );
    assert!(
        next.contains(&format!("aggiunto alla Sua consulenza {guest_id}")),
        "{next}"
    );
    let detail = json(
        &her.get(&format!("/api/v1/consultations/{guest_id}"))
            .await
            .body,
    );
    assert_eq!(
        detail["messages"].as_array().map(Vec::len),
        Some(2),
        "{detail}"
    );

    // Another applicant: the used code is dead, and her consultation is not readable.
    let mut other = wechat.another();
    let other_csrf = other.api_sign_in("mother@qiaoyi.example").await;
    let reused = other
        .put_json(
            "/api/v1/me/wechat",
            &format!(r#"{{"code":"{code}"}}"#),
            Some(&other_csrf),
        )
        .await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reused.body
    );
    assert_eq!(json(&reused.body)["reason"], "mismatch");
    let peek = other
        .get(&format!("/api/v1/consultations/{guest_id}"))
        .await;
    assert!(
        matches!(peek.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        peek.status
    );

    let links = audited(&wechat, "wechat_linked").await;
    assert_eq!(links.len(), 1);
    assert!(
        links[0].purpose.contains("1 open consultations joined"),
        "{}",
        links[0].purpose
    );

    // Unlinked, WeChat is a guest again: a new message opens a guest consultation.
    let unlinked = her
        .post_form("/account/wechat/unlink", &[("csrf", &csrf)])
        .await;
    assert_eq!(unlinked.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&wechat, "wechat_unlinked").await.len(), 1);
    let after = opened(
        &deliver(
            &mut wechat,
            &text(HER, 4004, "还有一个问题", now + 9),
            now + 9,
            "l-4",
        )
        .await,
    );
    let (new_id, _) = consultations_of(&wechat).await[0].clone();
    assert_ne!(new_id, guest_id);
    assert!(after.contains(&new_id));
    let mine = her.get("/api/v1/consultations").await;
    assert!(
        !mine.body.contains(&new_id),
        "a guest's consultation is not hers"
    );
    let again = her
        .send(
            Request::delete("/api/v1/me/wechat").header("x-csrf-token", csrf.as_str()),
            Body::empty(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
}

/// Codes over the API: malformed and expired ones refused with their reasons, ten tries an hour
/// per account, and nobody signed in refused.
#[tokio::test]
async fn link_codes_expire_and_guessing_them_is_limited() {
    let mut wechat = account().await;
    let now = wechat.app.now_ms() / 1000;
    let code = code_in(&opened(
        &deliver(&mut wechat, &text(HER, 5001, "bind", now), now, "e-1").await,
    ));
    let mut anonymous = wechat.another();
    let refused = anonymous
        .put_json(
            "/api/v1/me/wechat",
            &format!(r#"{{"code":"{code}"}}"#),
            None,
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);

    let mut her = wechat.another();
    let csrf = her.api_sign_in("applicant@qiaoyi.example").await;
    let put = |code: String| format!(r#"{{"code":"{code}"}}"#);
    let malformed = her
        .put_json("/api/v1/me/wechat", &put("12a45678".into()), Some(&csrf))
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&malformed.body)["reason"], "malformed");

    // Ten minutes and a second later the code is dead.
    wechat.app.clock().advance(10 * 60 * 1000 + 1000);
    let expired = her
        .put_json("/api/v1/me/wechat", &put(code.clone()), Some(&csrf))
        .await;
    assert_eq!(
        expired.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        expired.body
    );
    assert_eq!(json(&expired.body)["reason"], "mismatch");

    for guess in 0..8 {
        let tried = her
            .put_json(
                "/api/v1/me/wechat",
                &put(format!("{:08}", 90_000_000 + guess)),
                Some(&csrf),
            )
            .await;
        assert_eq!(tried.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let limited = her
        .put_json("/api/v1/me/wechat", &put(code), Some(&csrf))
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let me = json(&her.get("/api/v1/me/wechat").await.body);
    assert_eq!(
        me,
        serde_json::json!({"available": true, "linked": false, "linked_at": null})
    );
}
