//! The HTTP surface, in process (router) and black-box (a server on port 0).

use std::collections::HashSet;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use qiaoyi_app::App;
use qiaoyi_app::config::Config;
use qiaoyi_store::testing::{TestStore, test_store};
use serde_json::Value;
use tower::ServiceExt;

struct Server {
    router: Router,
    _store: TestStore,
}

async fn server() -> Server {
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), Config::default())
        .with_clock(qiaoyi_app::clock::Clock::starting_at(1_779_934_000_000));
    app.seed_demo(1_779_934_000_000)
        .await
        .expect("seed the demo");
    Server {
        router: qiaoyi_web::router(app),
        _store: store,
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The `Set-Cookie` header that sets `name`, if any.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl Server {
    async fn get(&self, uri: &str) -> Reply {
        self.get_with(uri, &[]).await
    }

    async fn send(&self, method: axum::http::Method, uri: &str) -> Reply {
        let request = Request::builder().method(method).uri(uri);
        self.answer(request.body(Body::empty()).expect("request"))
            .await
    }

    async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.answer(request.body(Body::empty()).expect("request"))
            .await
    }

    /// A GET as if from `peer`, which the real server knows from the connection.
    async fn get_from(&self, uri: &str, peer: [u8; 4], headers: &[(&str, &str)]) -> Reply {
        let mut request = Request::get(uri).extension(axum::extract::ConnectInfo(
            std::net::SocketAddr::from((peer, 40_000)),
        ));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.answer(request.body(Body::empty()).expect("request"))
            .await
    }

    async fn answer(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

#[tokio::test]
async fn health_and_readiness() {
    let s = server().await;
    assert_eq!(s.get("/healthz").await.status, StatusCode::OK);
    let ready = s.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    let expected = qiaoyi_store::testing::test_backend().as_str();
    assert_eq!(ready.json()["database"], expected);
}

/// A server over an empty database (no catalogue, no demo), and its app.
async fn empty_server() -> (Server, App) {
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), Config::default());
    let server = Server {
        router: qiaoyi_web::router(app.clone()),
        _store: store,
    };
    (server, app)
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let (s, app) = empty_server().await;
    app.close().await;
    assert_eq!(
        s.get("/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

/// A node of a new installation serves before its catalogue is imported, and says why it is not
/// ready, so a load balancer keeps away until it is.
#[tokio::test]
async fn readiness_waits_for_a_catalogue() {
    let (s, _app) = empty_server().await;
    let ready = s.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    let problem = ready.json();
    assert_eq!(problem["type"], "/problems/no-catalogue", "{problem}");
}

#[tokio::test]
async fn catalogue_lists_45_items_in_4_categories() {
    let s = server().await;
    let items = s.get("/api/v1/catalog/items").await.json();
    let items = items.as_array().expect("array");
    assert_eq!(items.len(), 45);
    let categories: HashSet<&str> = items
        .iter()
        .filter_map(|i| i["category"].as_str())
        .collect();
    assert_eq!(categories.len(), 4);
    let listed = s.get("/api/v1/catalog/categories").await.json();
    let counts: u64 = listed
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["item_count"].as_u64())
        .sum();
    assert_eq!(counts, 45);
    let traffic = s.get("/api/v1/catalog/items?category=traffic").await.json();
    assert!(
        traffic
            .as_array()
            .expect("array")
            .iter()
            .all(|i| i["category"] == "traffic")
    );
}

#[tokio::test]
async fn one_item_and_its_refusals() {
    let s = server().await;
    let item = s.get("/api/v1/catalog/items/EE-01").await;
    assert_eq!(item.status, StatusCode::OK);
    let item = item.json();
    assert_eq!(item["code"], "EE-01");
    assert!(item["name"]["it"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(item["materials"].as_array().is_some_and(|m| !m.is_empty()));

    let missing = s.get("/api/v1/catalog/items/ZZ-99").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.content_type(), "application/problem+json");
    assert_eq!(missing.json()["status"], 404);

    let bad = s.get("/api/v1/catalog/items?category=astrology").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "category");
}

/// A guide reads in the reader's language, on its page, in the list and through the API.
#[tokio::test]
async fn a_guide_reads_in_the_readers_language() {
    let s = server().await;
    let italian = s.get("/guides/G0001?lang=it").await;
    assert_eq!(italian.status, StatusCode::OK);
    assert!(
        italian
            .body
            .contains("estero il passaporto in scadenza</h1>"),
        "{}",
        italian.body
    );
    assert!(!italian.body.contains("scritta in cinese"));
    let spanish = s.get("/guides?lang=es").await;
    assert!(
        spanish.body.contains("Renovar en el extranjero"),
        "{}",
        spanish.body
    );
    let api = s.get("/api/v1/guides/G0001").await.json();
    assert_eq!(api["title"]["zh-CN"], "在海外如何换发即将到期的护照");
    // Which way fits whom, the consulate's or the bureau's service through Qiaoyi, linked.
    let route = api["route"]["it"].as_str().expect("a route in Italian");
    assert!(
        route.contains("Rinnovo del passaporto ordinario"),
        "{route}"
    );
    assert!(
        italian.body.contains("La strada giusta per Lei</h2>")
            && italian.body.contains(&route.replace('\'', "&#39;"))
            && italian.body.contains("href=\"/items/EE-01\""),
        "{}",
        italian.body
    );
    for lang in ["en", "it", "es"] {
        assert!(
            api["title"][lang].as_str().is_some_and(|t| !t.is_empty()),
            "{api}"
        );
        assert!(api["materials"][0][lang].as_str().is_some(), "{api}");
    }
}

/// Every page tells a search engine or a chat's link preview what it is, in the page's language:
/// an item or a guide by its own summary, other pages by their area's description.
#[tokio::test]
async fn pages_describe_themselves_in_their_language() {
    let s = server().await;
    let description = |body: &str| {
        let (_, rest) = body
            .split_once("<meta name=\"description\" content=\"")
            .unwrap_or_else(|| panic!("no description in {body}"));
        rest.split_once('"').expect("closed").0.to_owned()
    };
    let home_it = description(&s.get("/?lang=it").await.body);
    assert!(home_it.contains("passaporto"), "{home_it}");
    let home_zh = description(&s.get("/?lang=zh-CN").await.body);
    assert!(home_zh.contains("护照"), "{home_zh}");
    let stations_es = description(&s.get("/stations?lang=es").await.body);
    assert!(stations_es.contains("puntos de atención"), "{stations_es}");
    assert_ne!(stations_es, description(&s.get("/?lang=es").await.body));

    let api = s.get("/api/v1/guides/G0001").await.json();
    let guide_it = description(&s.get("/guides/G0001?lang=it").await.body);
    assert_eq!(
        guide_it,
        api["summary"]["it"]
            .as_str()
            .expect("a summary")
            .replace('\'', "&#39;")
    );
    let item = description(&s.get("/items/EE-01?lang=en").await.body);
    assert!(item.len() > 20 && item.is_ascii(), "{item}");
    let login = description(&s.get("/login?lang=en").await.body);
    assert!(login.starts_with("Sign in"), "{login}");
    let unknown = s.get("/no-such-page?lang=en").await;
    assert!(description(&unknown.body).starts_with("Qiaoyi:"));
}

#[tokio::test]
async fn guides_are_paged_with_a_total() {
    let s = server().await;
    let page = s.get("/api/v1/guides?offset=200&limit=5").await.json();
    assert!(page["total"].as_u64().is_some_and(|t| t >= 201));
    assert_eq!(page["offset"], 200);
    assert_eq!(page["guides"].as_array().map(Vec::len), Some(5));
    let first = s.get("/api/v1/guides").await.json();
    assert_eq!(first["guides"].as_array().map(Vec::len), Some(20));
    let code = first["guides"][0]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    assert_eq!(
        s.get(&format!("/api/v1/guides/{code}")).await.json()["code"],
        code.as_str()
    );

    for (query, status) in [
        ("limit=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("limit=101", StatusCode::UNPROCESSABLE_ENTITY),
        ("limit=abc", StatusCode::BAD_REQUEST),
        ("offset=-1", StatusCode::BAD_REQUEST),
    ] {
        let reply = s.get(&format!("/api/v1/guides?{query}")).await;
        assert_eq!(reply.status, status, "{query}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json", "{query}");
    }
}

#[tokio::test]
async fn stations_in_20_countries_with_valid_zones() {
    let s = server().await;
    let stations = s.get("/api/v1/stations").await.json();
    let stations = stations.as_array().expect("array");
    assert_eq!(stations.len(), 26);
    let countries: HashSet<&str> = stations
        .iter()
        .filter_map(|s| s["country"].as_str())
        .collect();
    assert_eq!(countries.len(), 20);
    for station in stations {
        let zone = station["time_zone"].as_str().expect("zone");
        assert!(jiff::tz::TimeZone::get(zone).is_ok(), "{zone}");
    }
}

#[tokio::test]
async fn openapi_document_is_3_1_and_documents_the_refusals() {
    let s = server().await;
    let doc = s.get("/api/v1/openapi.json").await.json();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let paths: HashSet<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    for route in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/openapi.json",
        "/api/v1/catalog/categories",
        "/api/v1/catalog/items",
        "/api/v1/catalog/items/{code}",
        "/api/v1/guides",
        "/api/v1/guides/{code}",
        "/api/v1/stations",
    ] {
        assert!(paths.contains(route), "{route} is not documented");
    }
    // The refusals any operation can give are documented on each (what API fuzzing checks).
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("503"), "{method} {path}: no 503");
            if op.get("requestBody").is_some() {
                for status in ["400", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
        }
    }
}

/// Every operation the OpenAPI document lists is served: asked anonymously with its path
/// parameters filled in, none falls through to the unknown-route answer or to 405. Together with
/// `api::router` building the routes and the document from one list, the document and the served
/// API cannot drift apart in either direction.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let s = server().await;
    let doc = s.get("/api/v1/openapi.json").await.json();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let uri = fill_path_parameters(path);
        for method in item.as_object().expect("item").keys() {
            let method = axum::http::Method::from_bytes(method.to_uppercase().as_bytes())
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let reply = s.send(method.clone(), &uri).await;
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not served"
            );
            let unrouted = reply.content_type() == "application/problem+json"
                && reply.json()["type"] == "/problems/no-route";
            assert!(!unrouted, "{method} {path} is documented but not served");
            operations += 1;
        }
    }
    // The document lists the whole API, not a sample of it.
    assert!(
        operations >= 90,
        "only {operations} operations are documented"
    );
}

/// A path template with each `{parameter}` replaced by a value that parses as most parameters do.
fn fill_path_parameters(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                match segment {
                    "{year}" => "2027",
                    "{token}" | "{code}" | "{item}" | "{file}" => "x",
                    _ => "1",
                }
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Without a session, every operation not open to anyone answers 401 before it reads its input:
/// a malformed path, query and body get the same 401 as good ones, so a stranger learns nothing
/// of the parameters from the refusals. The open operations are all documented ones.
#[tokio::test]
async fn anonymous_callers_are_refused_before_their_input_is_read() {
    let s = server().await;
    let doc = s.get("/api/v1/openapi.json").await.json();
    let mut refused = 0;
    let mut documented = HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let method = axum::http::Method::from_bytes(method.to_uppercase().as_bytes())
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            documented.insert((method.clone(), path.clone()));
            if qiaoyi_web::open_to_anyone(&method, path) {
                continue;
            }
            assert!(
                op["responses"].get("401").is_some(),
                "{method} {path} needs a session but does not document 401"
            );
            // A path parameter that does not parse, a query of the wrong types, a body that is
            // not JSON.
            let uri = format!(
                "{}?offset=minus&limit=x&page=-1&view=%FF&after=no",
                path.split('/')
                    .map(|segment| if segment.starts_with('{') {
                        "%FF"
                    } else {
                        segment
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            );
            let request = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{not json"))
                .expect("request");
            let reply = s.answer(request).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path}: {}",
                reply.body
            );
            assert_eq!(reply.json()["type"], "/problems/unauthenticated");
            refused += 1;
        }
    }
    assert!(refused >= 80, "only {refused} operations need a session");
    for (method, path) in qiaoyi_web::OPEN_TO_ANYONE {
        assert!(
            documented.contains(&(method.clone(), path.to_string())),
            "{method} {path} is open to anyone but not documented"
        );
    }
}

#[tokio::test]
async fn a_path_parameter_that_does_not_parse_is_problem_json() {
    let s = server().await;
    let reply = s.get("/api/v1/verify/%FF").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.content_type(), "application/problem+json");
    assert!(
        reply.json()["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("bad-path")),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn unknown_api_routes_are_problem_json_and_pages_are_localized() {
    let s = server().await;
    let api = s.get("/api/v1/nothing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.content_type(), "application/problem+json");
    assert_eq!(api.json()["type"], "/problems/no-route", "{}", api.body);
    let page = s.get_with("/nothing", &[("accept-language", "es")]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("<html lang=\"es\">"), "{}", page.body);
    let item = s
        .get_with("/items/ZZ-99", &[("accept-language", "en")])
        .await;
    assert_eq!(item.status, StatusCode::NOT_FOUND);
    assert!(item.body.contains("Page not found"));
}

#[tokio::test]
async fn language_from_query_cookie_header_or_default() {
    let s = server().await;
    let default = s.get("/").await;
    assert!(default.body.contains("<html lang=\"zh-CN\">"));
    let italian = s
        .get_with("/", &[("accept-language", "it-IT,it;q=0.9,en;q=0.5")])
        .await;
    assert!(italian.body.contains("<html lang=\"it\">"));
    assert!(italian.body.contains("Servizi"), "Italian navigation");
    let chosen = s
        .get_with("/catalog?lang=es", &[("accept-language", "it")])
        .await;
    assert!(chosen.body.contains("<html lang=\"es\">"));
    let cookie = chosen.set_cookie("lang").expect("cookie");
    assert!(
        cookie.starts_with("lang=es;") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let remembered = s
        .get_with(
            "/stations",
            &[("cookie", "lang=en"), ("accept-language", "it")],
        )
        .await;
    assert!(remembered.body.contains("<html lang=\"en\">"));
    let garbage = s.get_with("/?lang=xx", &[("accept-language", "!!")]).await;
    assert_eq!(garbage.status, StatusCode::OK);
    assert!(garbage.body.contains("<html lang=\"zh-CN\">"));
    assert!(garbage.set_cookie("lang").is_none());
    // The same choice again is not sent again: a page that changes no cookie can be cached.
    let again = s
        .get_with("/catalog?lang=es", &[("cookie", "lang=es")])
        .await;
    assert!(again.body.contains("<html lang=\"es\">"));
    assert!(again.set_cookie("lang").is_none());
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
}

/// Static files are cached by anyone for a year, so they set no cookie a shared cache could hand
/// out, whatever the request asks.
#[tokio::test]
async fn static_files_set_no_cookie() {
    let s = server().await;
    let home = s.get("/").await;
    for kind in [".css", ".js"] {
        let path = home
            .body
            .split('"')
            .find(|part| part.starts_with("/static/") && part.ends_with(kind))
            .unwrap_or_else(|| panic!("a {kind} link in {}", home.body))
            .to_owned();
        for query in ["", "?lang=it&elder=1"] {
            let reply = s.get(&format!("{path}{query}")).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            assert!(
                reply
                    .headers
                    .get("cache-control")
                    .is_some_and(|v| v.to_str().is_ok_and(|v| v.contains("public"))),
                "{path}"
            );
            assert!(
                reply.headers.get("set-cookie").is_none(),
                "{path}{query}: {:?}",
                reply.headers.get_all("set-cookie")
            );
        }
    }
    // Pages still give a first visitor the form token.
    assert!(home.set_cookie("qiaoyi_csrf").is_some());
}

/// Behind TLS every cookie is Secure, the language and elder-mode choices too.
#[tokio::test]
async fn preference_cookies_are_secure_behind_https() {
    let mut browser = crate::common::Browser::with_config(|c| {
        c.public_url = "https://qiaoyi.example.gov.cn".into();
    })
    .await;
    let reply = browser.get("/catalog?lang=it&elder=1").await;
    let cookies: Vec<String> = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    for name in ["lang=it", "elder=1"] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {cookies:?}"));
        assert!(cookie.contains("; Secure"), "{cookie}");
    }
}

#[tokio::test]
async fn every_public_page_renders_in_every_language() {
    let s = server().await;
    let pages = [
        "/",
        "/catalog",
        "/catalog/exit-entry",
        "/items/EE-01",
        "/items/EC-01",
        "/guides",
        "/guides?page=2",
        "/guides?page=999",
        "/guides?page=abc",
        "/guides/G0001",
        "/guides/G0201",
        "/stations",
    ];
    for lang in ["zh-CN", "en", "it", "es"] {
        for page in pages {
            let reply = s.get_with(page, &[("accept-language", lang)]).await;
            assert_eq!(reply.status, StatusCode::OK, "{page} in {lang}");
            assert!(
                reply.body.contains(&format!("<html lang=\"{lang}\">")),
                "{page} in {lang}"
            );
            assert!(
                !reply.body.contains("Unknown localization"),
                "{page} in {lang} misses a message"
            );
        }
    }
}

#[tokio::test]
async fn item_page_shows_the_catalogue_facts() {
    let s = server().await;
    let item = s.get("/api/v1/catalog/items/EE-01").await.json();
    let page = s
        .get_with("/items/EE-01", &[("accept-language", "it")])
        .await
        .body;
    assert!(page.contains(item["name"]["it"].as_str().expect("name")));
    let yuan = item["fee_fen"].as_u64().expect("fee") / 100;
    assert!(page.contains(&format!("{yuan} yuan")), "fee shown");
    let days = item["time_limit_days"].as_u64().expect("days");
    assert!(
        page.contains(&format!("{days} giorni lavorativi")),
        "time limit shown"
    );
}

#[tokio::test]
async fn elder_mode_is_one_tap_away_and_remembered() {
    let s = server().await;
    let normal = s.get("/").await;
    assert!(normal.body.contains("?elder=1"));
    assert!(!normal.body.contains("class=\"elder\""));
    let elder = s.get("/?elder=1").await;
    assert!(elder.body.contains("class=\"elder\""));
    let cookie = elder.set_cookie("elder").expect("cookie");
    assert!(cookie.starts_with("elder=1;"));
    let later = s.get_with("/stations", &[("cookie", "elder=1")]).await;
    assert!(later.body.contains("class=\"elder\""));
}

#[tokio::test]
async fn stylesheet_is_served_and_pages_are_compressed() {
    let s = server().await;
    // Pages link the stylesheet by a name carrying its content hash, cached for a year.
    let home = s.get("/").await.body;
    let start = home.find("/static/app.").expect("a stylesheet link");
    let href = &home[start..start + home[start..].find('"').expect("end of the link")];
    let css = s.get(href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type().starts_with("text/css"));
    assert!(
        css.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("immutable"))
    );
    assert_eq!(
        s.get("/static/app.0123456789ab.css").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.get("/static/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
    // Pages are never kept by shared caches; brotli is preferred when the browser offers it.
    let page = s.get_with("/catalog", &[("accept-encoding", "br")]).await;
    assert_eq!(
        page.headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.as_bytes()),
        Some(&b"br"[..])
    );
    assert_eq!(
        page.headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.as_bytes()),
        Some(&b"private, no-store"[..])
    );
    let page = s.get_with("/catalog", &[("accept-encoding", "gzip")]).await;
    assert_eq!(
        page.headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let s = server().await;
    s.get("/api/v1/catalog/items/EE-01").await;
    s.send(
        axum::http::Method::from_bytes(b"XYZZY").expect("a method"),
        "/",
    )
    .await;
    let metrics = s.get_from("/metrics", [127, 0, 0, 1], &[]).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        !metrics.body.contains("XYZZY") && metrics.body.contains("method=\"other\""),
        "any method a client invents is one label: {}",
        metrics.body
    );
    assert!(
        metrics.body.contains("qiaoyi_http_requests_total"),
        "{}",
        metrics.body
    );
    // Every family says what it measures, and the outbox's documented counters are there before
    // anything was sent or failed (scripts/test.sh also runs promtool over a demo's).
    for family in metrics
        .body
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
    {
        assert!(
            metrics.body.contains(&format!("# HELP {family} ")),
            "{family} has no help text"
        );
    }
    for counter in [
        "qiaoyi_outbox_sent_total{channel=\"email\"}",
        "qiaoyi_outbox_failed_total{channel=\"sms\"}",
        "qiaoyi_outbox_dead_total{channel=\"email\"}",
    ] {
        assert!(metrics.body.contains(counter), "{counter} missing");
    }
    assert!(
        metrics
            .body
            .contains("route=\"/api/v1/catalog/items/{code}\"")
    );
    assert!(
        !metrics.body.contains("EE-01"),
        "identifiers never become labels"
    );
}

#[tokio::test]
async fn serves_on_a_real_socket_and_shuts_down() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(qiaoyi_web::serve(listener, app, async {
        let _ = stopped.await;
    }));
    let mut socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
    socket
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    stop.send(()).expect("stop");
    server.await.expect("join").expect("clean shutdown");
}

fn header_of<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn pages_and_the_api_carry_the_security_headers() {
    let s = server().await;
    for uri in [
        "/",
        "/catalog",
        "/login",
        "/no-such-page",
        "/api/v1/catalog/items/EE-01",
        "/api/v1/cases",
    ] {
        let reply = s.get(uri).await;
        let csp = header_of(&reply, "content-security-policy")
            .unwrap_or_else(|| panic!("{uri}: no Content-Security-Policy"));
        for directive in [
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{uri}: {csp} lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert_eq!(
            header_of(&reply, "x-content-type-options"),
            Some("nosniff"),
            "{uri}"
        );
        assert_eq!(header_of(&reply, "x-frame-options"), Some("DENY"), "{uri}");
        assert_eq!(
            header_of(&reply, "referrer-policy"),
            Some("same-origin"),
            "{uri}"
        );
        // The default public URL is plain http: HSTS there would lock browsers out of the host.
        assert_eq!(
            header_of(&reply, "strict-transport-security"),
            None,
            "{uri}"
        );
    }
}

#[tokio::test]
async fn https_deployments_ask_for_https_only() {
    let store = test_store().await;
    let config = Config {
        public_url: "https://qiaoyi.example".into(),
        ..Config::default()
    };
    let app = App::with_store(store.store.clone(), config)
        .with_clock(qiaoyi_app::clock::Clock::starting_at(1_779_934_000_000));
    let s = Server {
        router: qiaoyi_web::router(app),
        _store: store,
    };
    let reply = s.get("/").await;
    assert_eq!(
        header_of(&reply, "strict-transport-security"),
        Some("max-age=31536000")
    );
}

/// The Content-Security-Policy refuses inline script and style; a template that used them would
/// break in the browser, so none may.
#[test]
fn no_template_has_inline_script_or_style() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the templates directory") {
        let path = entry.expect("a template").path();
        let text = std::fs::read_to_string(&path).expect("a readable template");
        let lower = text.to_lowercase();
        let inline_script = lower.match_indices("<script").any(|(at, _)| {
            let tag_end = lower[at..].find('>').map_or(lower.len(), |end| at + end);
            !lower[at..tag_end].contains("src=")
        });
        let handler = lower.match_indices(" on").any(|(at, _)| {
            lower[at + 3..]
                .split(['=', ' ', '>'])
                .next()
                .is_some_and(|name| {
                    !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_lowercase())
                        && lower[at + 3 + name.len()..].starts_with("=\"")
                })
        });
        if inline_script
            || handler
            || lower.contains("<style")
            || lower.contains(" style=")
            || lower.contains("javascript:")
        {
            offenders.push(path.display().to_string());
        }
    }
    assert!(
        offenders.is_empty(),
        "inline script or style in {offenders:?}"
    );
}

#[tokio::test]
async fn metrics_are_for_this_machine_unless_a_token_is_set() {
    let s = server().await;
    let remote = s.get_from("/metrics", [203, 0, 113, 9], &[]).await;
    assert_eq!(remote.status, StatusCode::FORBIDDEN);
    assert_eq!(remote.json()["type"], "/problems/metrics-local");
    assert!(!remote.body.contains("qiaoyi_http_requests_total"));

    let token = "scrape-token-of-the-bureau";
    let store = test_store().await;
    let config = Config {
        metrics_token: Some(qiaoyi_app::config::SecretKey(token.into())),
        ..Config::default()
    };
    let s = Server {
        router: qiaoyi_web::router(App::with_store(store.store.clone(), config)),
        _store: store,
    };
    // With a token, even this machine needs it: behind a proxy every caller looks local.
    let local = s.get_from("/metrics", [127, 0, 0, 1], &[]).await;
    assert_eq!(local.status, StatusCode::UNAUTHORIZED);
    assert_eq!(header_of(&local, "www-authenticate"), Some("Bearer"));
    let wrong = s
        .get_from(
            "/metrics",
            [203, 0, 113, 9],
            &[("authorization", "Bearer not-the-token-at-all")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let right = s
        .get_from(
            "/metrics",
            [203, 0, 113, 9],
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(right.status, StatusCode::OK);
}

/// Behind a reverse proxy the client's address comes from `X-Forwarded-For`, but only when the
/// request comes from a configured proxy: a client that forges the header itself is limited by
/// its real address.
#[tokio::test]
async fn a_forged_forwarded_for_is_limited_by_the_real_address() {
    use axum::extract::ConnectInfo;
    let browser =
        crate::common::Browser::with_config(|c| c.trusted_proxies = vec!["10.0.0.1".into()]).await;
    let check = |peer: &'static str, forwarded: String| {
        let router = browser.router.clone();
        async move {
            let addr: std::net::SocketAddr = format!("{peer}:40000").parse().expect("addr");
            let request = Request::post("/api/v1/identity/resident-id")
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-forwarded-for", forwarded)
                .extension(ConnectInfo(addr))
                .body(Body::from(r#"{"number":"11010519491231002X"}"#))
                .expect("request");
            router.oneshot(request).await.expect("infallible").status()
        }
    };
    // Straight to the server, a new forged address each time: still one client.
    for i in 0..30 {
        assert_eq!(
            check("203.0.113.9", format!("198.51.100.{i}")).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        check("203.0.113.9", "198.51.100.200".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Through the proxy, each client it forwards counts on its own.
    for i in 0..35 {
        assert_eq!(
            check("10.0.0.1", format!("192.0.2.{i}")).await,
            StatusCode::OK,
            "client {i}"
        );
    }
}
