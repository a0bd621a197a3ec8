//! What the web tests share: a browser with a cookie jar in front of the router.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use qiaoyi_app::App;
use qiaoyi_app::accounts::totp_code;
use qiaoyi_app::clock::Clock;
use qiaoyi_app::config::Config;
use qiaoyi_app::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use qiaoyi_store::testing::{TestStore, test_store};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tower::ServiceExt;

/// 2026-05-28, a Thursday, 10:06 in Beijing: where every test server's clock starts, inside the
/// shipped working-day calendars.
pub const T0: i64 = 1_779_934_000_000;

/// A browser: a cookie jar in front of the router.
pub struct Browser {
    pub router: Router,
    /// The application behind the router, for what only happens in the background (deliveries,
    /// reminder runs).
    pub app: App,
    pub cookies: Vec<(String, String)>,
    /// The database, held by the browser that created it; others share its router.
    pub store: Option<TestStore>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub location: Option<String>,
    pub body: String,
    pub bytes: Vec<u8>,
    pub content_type: String,
}

impl Browser {
    pub async fn new() -> Browser {
        Browser::with_config(|_| {}).await
    }

    /// A browser on a fresh seeded server whose configuration `change` adjusts.
    pub async fn with_config(change: impl FnOnce(&mut Config)) -> Browser {
        Browser::on_server(change, T0).await
    }

    /// A browser on a fresh server seeded at `start_ms`, where its clock starts.
    pub async fn starting_at(start_ms: i64) -> Browser {
        Browser::on_server(|_| {}, start_ms).await
    }

    async fn on_server(change: impl FnOnce(&mut Config), start_ms: i64) -> Browser {
        let store = test_store().await;
        // Text messages are offered only with a gateway; this one is never reached.
        let mut config = Config {
            sms_webhook_url: Some("http://127.0.0.1:9/gateway".into()),
            sms_webhook_secret: Some(qiaoyi_app::config::SecretKey(
                "a secret for the test gateway".into(),
            )),
            ..Config::default()
        };
        change(&mut config);
        // The server's clock starts on a fixed day, whatever day the tests run.
        let app =
            App::with_store(store.store.clone(), config).with_clock(Clock::starting_at(start_ms));
        app.seed_demo(start_ms).await.expect("seed");
        Browser {
            router: qiaoyi_web::router(app.clone()),
            app,
            cookies: Vec::new(),
            store: Some(store),
        }
    }

    /// Another browser on the same server.
    pub fn another(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            app: self.app.clone(),
            cookies: Vec::new(),
            store: None,
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Reply {
        let mut request = request;
        if !self.cookies.is_empty() {
            let header_value: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(header::COOKIE, header_value.join("; "));
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("request"))
            .await
            .expect("infallible");
        for value in response.headers().get_all(header::SET_COOKIE) {
            let value = value.to_str().expect("ascii");
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (name, v) = pair.split_once('=').expect("name=value");
            self.cookies.retain(|(k, _)| k != name);
            if !attributes.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), v.to_owned()));
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            headers,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
            content_type,
        }
    }

    pub async fn get(&mut self, uri: &str) -> Reply {
        self.send(Request::get(uri), Body::empty()).await
    }

    /// Posts a form the way a page does, with the CSRF token from the page's hidden field.
    pub async fn post_form(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let page = self.get("/login").await.body;
        let csrf = hidden_csrf(&page);
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(uri, &all).await
    }

    pub async fn post_raw(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).expect("form");
        self.send(
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    pub async fn post_json(&mut self, uri: &str, json: &str, csrf: Option<&str>) -> Reply {
        let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = csrf {
            request = request.header("x-csrf-token", token);
        }
        self.send(request, Body::from(json.to_owned())).await
    }

    pub async fn sign_in(&mut self, email: &str) -> Reply {
        self.post_form("/login", &[("email", email), ("password", DEMO_PASSWORD)])
            .await
    }
}

pub fn hidden_csrf(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a CSRF field") + marker.len();
    page[start..start + 64].to_owned()
}

/// The fields a page's error summary links to, in order, each checked to exist on the page: a
/// link to a missing id takes the reader nowhere.
pub fn summary_links(page: &str) -> Vec<String> {
    let start = page.find("id=\"error-summary\"").expect("an error summary");
    let end = page[start..].find("</div>").expect("the summary's end") + start;
    let links: Vec<String> = page[start..end]
        .split("href=\"#")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(id, _)| id.to_owned()))
        .collect();
    for id in &links {
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "the summary links to #{id}, which the page does not have"
        );
    }
    links
}

pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

impl Browser {
    /// Signs in over the API (passing the second factor for staff); returns the CSRF token.
    pub async fn api_sign_in(&mut self, email: &str) -> String {
        let body = format!(r#"{{"email":"{email}","password":"{DEMO_PASSWORD}"}}"#);
        let reply = self.post_json("/api/v1/session", &body, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let csrf = json(&self.get("/api/v1/me").await.body)["csrf"]
            .as_str()
            .expect("csrf")
            .to_owned();
        if json(&reply.body)["second_factor"] == "challenge" {
            let code = totp_code(DEMO_TOTP_SECRET, self.app.now_ms()).expect("code");
            let r = self
                .post_json(
                    "/api/v1/session/second-factor",
                    &format!(r#"{{"code":"{code}"}}"#),
                    Some(&csrf),
                )
                .await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        }
        csrf
    }

    pub async fn put_json(&mut self, uri: &str, json: &str, csrf: Option<&str>) -> Reply {
        let mut request = Request::put(uri).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = csrf {
            request = request.header("x-csrf-token", token);
        }
        self.send(request, Body::from(json.to_owned())).await
    }

    /// Signs in a demo staff account and passes the second factor.
    pub async fn sign_in_staff(&mut self, email: &str) {
        let reply = self.sign_in(email).await;
        assert_eq!(
            reply.location.as_deref(),
            Some("/login/second-factor"),
            "{email}"
        );
        let form = self.get("/login/second-factor").await.body;
        let csrf = hidden_csrf(&form);
        let code = totp_code(DEMO_TOTP_SECRET, self.app.now_ms()).expect("code");
        let done = self
            .post_raw("/login/second-factor", &[("csrf", &csrf), ("code", &code)])
            .await;
        // Staff start on their work (the case queue, the board, the inbox…), never back at the door.
        let to = done.location.as_deref().unwrap_or_default();
        assert!(
            to.starts_with('/') && !to.starts_with("/login"),
            "{email} landed on {to:?}"
        );
    }
}

/// A browser on a fresh demo server.
pub async fn server() -> Browser {
    Browser::new().await
}

impl Browser {
    /// Takes a step on a case over the API from `version`, with a reason for the steps that need one.
    pub async fn step(&mut self, id: &str, step: &str, version: i64, csrf: &str) -> Reply {
        self.post_json(
            &format!("/api/v1/cases/{id}/steps"),
            &format!(r#"{{"step":"{step}","version":{version},"reason":"材料需要补正说明"}}"#),
            Some(csrf),
        )
        .await
    }
}

/// A passport renewal (EE-01) for the demo applicant herself, as the API takes a new case.
pub const RENEWAL: &str = r#"{"item":"EE-01","person_name":"季美华","person_name_latin":"JI MEIHUA","birth_date":"1950-04-02","relation":"self","delivery":"courier"}"#;

/// A PDF every material accepts.
pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";

impl Browser {
    /// Sends raw bytes as a file, the way the API takes uploads.
    pub async fn upload_raw(&mut self, uri: &str, content: &[u8], csrf: &str) -> Reply {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header("x-csrf-token", csrf),
            Body::from(content.to_vec()),
        )
        .await
    }

    /// Opens a case from the JSON `body` (for item `item`) and uploads a PDF for every required
    /// material; returns the case id.
    pub async fn draft_with_materials(&mut self, csrf: &str, body: &str, item: &str) -> String {
        // A case to work with: the demo has cases under way for its people, so the warning of a
        // possible duplicate is acknowledged (tests of that warning call the API themselves).
        let mut body = json(body);
        body["duplicate_ok"] = serde_json::Value::Bool(true);
        let reply = self
            .post_json("/api/v1/cases", &body.to_string(), Some(csrf))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let id = json(&reply.body)["id"].as_str().expect("id").to_owned();
        let item = json(
            &self
                .get(&format!("/api/v1/catalog/items/{item}"))
                .await
                .body,
        );
        for (i, m) in item["materials"]
            .as_array()
            .expect("materials")
            .iter()
            .enumerate()
        {
            if m["required"] == true {
                let uri = format!("/api/v1/cases/{id}/materials/{i}/files?name=scan.pdf");
                let r = self.upload_raw(&uri, PDF, csrf).await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            }
        }
        id
    }
}

impl Browser {
    /// Sends one file as the `file` field of a multipart form, as a browser does for a page's
    /// upload form (the CSRF token travels in `uri`).
    pub async fn post_file_form(&mut self, uri: &str, file_name: &str, content: &[u8]) -> Reply {
        let boundary = "----qiaoyi-test-file";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(uri).header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            ),
            Body::from(body),
        )
        .await
    }
}

impl Browser {
    /// Holds the case's video identity check through the API: the officer (`officer`, signed in
    /// with `o`) publishes a time starting within the minute, this applicant books it and adds the
    /// person on file, and the officer records her confirmed. The case's version moves on by one.
    pub async fn video_checked(&mut self, a: &str, officer: &mut Browser, o: &str, id: &str) {
        let beijing = jiff::tz::TimeZone::get("Asia/Shanghai").expect("zone");
        let mut start = (officer.app.now_ms() / 60_000 + 1) * 60_000;
        loop {
            let at = jiff::Timestamp::from_millisecond(start)
                .expect("instant")
                .to_zoned(beijing.clone());
            let r = officer
                .post_json(
                    "/api/v1/video/slots",
                    &format!(
                        r#"{{"date":"{}","times":"{}","minutes":20}}"#,
                        at.date(),
                        at.strftime("%H:%M")
                    ),
                    Some(o),
                )
                .await;
            if r.status == StatusCode::CREATED {
                break;
            }
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
            start += 60_000;
        }
        let open = json(&self.get(&format!("/api/v1/cases/{id}/video")).await.body);
        let slot = open["open"]
            .as_array()
            .expect("open")
            .iter()
            .find(|s| s["starts_at"] == start)
            .expect("the new time")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let r = self
            .post_json(
                &format!("/api/v1/cases/{id}/video"),
                &format!(r#"{{"slot":"{slot}"}}"#),
                Some(a),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = self
            .post_json(
                &format!("/api/v1/cases/{id}/video/participants"),
                r#"{"role":"subject","name":"季美华","document_type":"passport","document_number":"E12345678"}"#,
                Some(a),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let participant = json(&r.body)["id"].as_str().expect("id").to_owned();
        let r = officer
            .post_json(
                &format!("/api/v1/cases/{id}/video/participants/{participant}/verdict"),
                r#"{"verdict":"confirmed","document_type":"passport","document_number":"E12345678"}"#,
                Some(o),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

// Websockets against a server on a loopback port.

/// Serves `app` on a loopback port; the server stops with the test.
pub async fn serve(app: App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(qiaoyi_web::serve(listener, app, std::future::pending()));
    format!("127.0.0.1:{}", address.port())
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the conversation's socket as `browser` (its cookies), from the page's origin.
pub async fn socket(host: &str, path: &str, browser: &Browser) -> Result<Socket, StatusCode> {
    let mut request = format!("ws://{host}{path}")
        .into_client_request()
        .expect("request");
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let headers = request.headers_mut();
    if !cookies.is_empty() {
        headers.insert("cookie", cookies.join("; ").parse().expect("cookie"));
    }
    headers.insert("origin", format!("http://{host}").parse().expect("origin"));
    match tokio_tungstenite::connect_async(request).await {
        Ok((s, _)) => Ok(s),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            Err(StatusCode::from_u16(r.status().as_u16()).expect("status"))
        }
        Err(e) => panic!("socket: {e}"),
    }
}

/// The next message frame (skipping pings), within five seconds.
pub async fn next_message(s: &mut Socket) -> serde_json::Value {
    loop {
        let frame = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            futures_util::StreamExt::next(s),
        )
        .await
        .expect("a frame within 5 s")
        .expect("open")
        .expect("frame");
        if let Message::Text(text) = frame {
            return json(text.as_str());
        }
    }
}
