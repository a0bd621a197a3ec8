//! Search through the API and the page: results with highlighted passages in the reader's language,
//! pinyin, refusals as problem JSON and as a localized message, and typed text shown as text.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, json};

fn encode(q: &str) -> String {
    serde_urlencoded::to_string([("q", q)]).expect("query")
}

#[tokio::test]
async fn api_search_answers_chinese_pinyin_and_english_and_refuses_bad_queries() {
    let mut b = Browser::new().await;
    let r = b
        .get(&format!(
            "/api/v1/search?{}&limit=3",
            encode("护照过期了怎么办")
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = json(&r.body);
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    assert!(results.iter().any(|h| {
        h["snippet_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<b>")
    }));
    assert!(results[0]["path"].as_str().expect("path").starts_with('/'));

    let r = b.get("/api/v1/search?q=huzhao&limit=5").await;
    let titles: Vec<String> = json(&r.body)["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|h| h["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(titles.iter().any(|t| t.contains("护照")), "{titles:?}");
    let r = b.get("/api/v1/search?q=pasport&lang=en&limit=5").await;
    assert!(r.body.to_lowercase().contains("passport"), "{}", r.body);

    for (uri, field) in [
        ("/api/v1/search?q=", "q"),
        ("/api/v1/search?q=%20%20", "q"),
        (
            &*format!("/api/v1/search?{}", encode(&"长".repeat(201))),
            "q",
        ),
        ("/api/v1/search?q=a&limit=0", "limit"),
        ("/api/v1/search?q=a&limit=500", "limit"),
        ("/api/v1/search?q=a&lang=fr", "lang"),
    ] {
        let r = b.get(uri).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            r.body
        );
        assert_eq!(json(&r.body)["field"], field, "{uri}");
    }
    assert_eq!(
        b.get("/api/v1/search").await.status,
        StatusCode::BAD_REQUEST
    );
    for odd in ["𠮷", "🙂", "\"(", "护照 OR"] {
        let r = b.get(&format!("/api/v1/search?{}", encode(odd))).await;
        assert_eq!(r.status, StatusCode::OK, "{odd}: {}", r.body);
    }
}

#[tokio::test]
async fn pages_search_shows_passages_and_explains_refusals() {
    let mut b = Browser::new().await;
    let home = b.get("/").await.body;
    assert!(
        home.contains("action=\"/search\""),
        "the home page asks a question"
    );

    let r = b.get(&format!("/search?{}", encode("护照丢了"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<b>护照</b>"), "{}", r.body);
    assert!(r.body.contains("href=\"/guides/G"), "{}", r.body);

    // In English, a guide's passage is marked as Chinese.
    let r = b
        .get(&format!("/search?lang=en&{}", encode("passport")))
        .await;
    assert!(r.body.contains("lang=\"zh-CN\""), "{}", r.body);

    let empty = b.get("/search?lang=en").await;
    assert!(
        empty.body.contains("Questions people often ask"),
        "{}",
        empty.body
    );

    let long = b
        .get(&format!("/search?lang=en&{}", encode(&"长".repeat(201))))
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        long.body.contains("at most 200 characters"),
        "{}",
        long.body
    );

    let script = b
        .get(&format!("/search?{}", encode("<script>alert(1)</script>")))
        .await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(
        !script.body.contains("<script>alert(1)"),
        "typed text is shown as text"
    );
    assert!(
        script.body.contains("&#60;script&#62;alert(1)"),
        "{}",
        script.body
    );
}
