//! Static files, built into the binary: no CDN, no front-end build step. Each is served under a name
//! that carries a hash of its content, so browsers far away keep it for a year and never ask again
//! until it changes.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use qiaoyi_app::domain::access::audit::sha256_hex;

use crate::AppState;

const APP_CSS: &str = include_str!("../static/app.css");
const APP_JS: &str = include_str!("../static/app.js");

/// `app.<first 12 hex digits of SHA-256>.<extension>`
fn hashed(content: &str, extension: &str) -> String {
    format!("app.{}.{extension}", &sha256_hex(content.as_bytes())[..12])
}

static CSS_NAME: LazyLock<String> = LazyLock::new(|| hashed(APP_CSS, "css"));
static JS_NAME: LazyLock<String> = LazyLock::new(|| hashed(APP_JS, "js"));

/// The stylesheet's address, as pages link it.
pub fn css_path() -> String {
    format!("/static/{}", *CSS_NAME)
}

/// The script's address, as pages load it.
pub fn js_path() -> String {
    format!("/static/{}", *JS_NAME)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    let found = if file == *CSS_NAME {
        Some(("text/css; charset=utf-8", APP_CSS))
    } else if file == *JS_NAME {
        Some(("text/javascript; charset=utf-8", APP_JS))
    } else {
        None
    };
    if let Some((media_type, content)) = found {
        (
            [
                (header::CONTENT_TYPE, media_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            content,
        )
            .into_response()
    } else {
        // An old name after an upgrade, or a guess: nothing else is served from here.
        StatusCode::NOT_FOUND.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_follows_the_content() {
        let path = css_path();
        assert!(
            path.starts_with("/static/app.") && path.ends_with(".css"),
            "{path}"
        );
        assert_eq!(path.len(), "/static/app..css".len() + 12);
        assert!(js_path().ends_with(".js") && js_path() != path);
    }
}
