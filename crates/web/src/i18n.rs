//! Languages and display preferences of a request, and translation through Fluent.
//!
//! The language comes from `?lang=` (which is then remembered in a cookie), else the `lang` cookie,
//! else `Accept-Language`, else Chinese. Elder mode works the same way with `?elder=1|0`.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use qiaoyi_app::domain::lang::Lang;
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// How this request wants pages shown.
#[derive(Clone, Debug)]
pub struct Prefs {
    pub lang: Lang,
    pub elder: bool,
    /// Path and query of the request, without our own `lang`/`elder` parameters.
    pub path: String,
    query: Vec<(String, String)>,
}

impl Prefs {
    /// The message `key` in this request's language.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&langid(self.lang), key)
    }

    /// The message `key` with one argument; numbers stay numbers so plural rules apply.
    pub fn t1(
        &self,
        key: &str,
        name: &'static str,
        value: impl Into<FluentValue<'static>>,
    ) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            HashMap::from([(Cow::Borrowed(name), value.into())]);
        LOCALES.lookup_with_args(&langid(self.lang), key, &args)
    }

    /// The message `key`, or `fallback` when no message has that id (names of countries and
    /// languages that a newer catalogue may bring).
    pub fn t_or(&self, key: &str, fallback: &str) -> String {
        LOCALES
            .try_lookup(&langid(self.lang), key)
            .unwrap_or_else(|| fallback.to_owned())
    }

    /// This page with one preference changed, for the language switcher and the elder-mode toggle.
    pub fn with_param(&self, name: &str, value: &str) -> String {
        let mut query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        query.push((name, value));
        let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
        format!("{}?{encoded}", self.path)
    }

    /// The language switcher's entries.
    pub fn switcher(&self) -> Vec<LangLink> {
        Lang::ALL
            .into_iter()
            .map(|lang| LangLink {
                tag: lang.tag(),
                name: lang.native_name(),
                href: self.with_param("lang", lang.tag()),
                current: lang == self.lang,
            })
            .collect()
    }

    /// Cache-busting stamp for the stylesheet link.
    pub fn asset_version(&self) -> &'static str {
        crate::assets::VERSION
    }

    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }
}

pub struct LangLink {
    pub tag: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

fn langid(lang: Lang) -> LanguageIdentifier {
    lang.tag()
        .parse()
        .unwrap_or_else(|_| unreachable!("our language tags are valid"))
}

/// Every message of a language, for the completeness test.
#[cfg(test)]
pub fn has_message(lang: Lang, key: &str) -> bool {
    LOCALES.try_lookup(&langid(lang), key).is_some()
}

const ONE_YEAR: u32 = 365 * 24 * 3600;

/// Works out [`Prefs`] for the request, hands them to handlers, and remembers a choice made with
/// `?lang=` or `?elder=` in a cookie.
pub async fn preferences(mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let asked_lang = param(&query, "lang").and_then(Lang::from_tag);
    let asked_elder = param(&query, "elder").and_then(|v| match v {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    });
    let lang = asked_lang
        .or_else(|| cookie(headers, "lang").and_then(Lang::from_tag))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Zh);
    let elder = asked_elder.unwrap_or_else(|| cookie(headers, "elder") == Some("1"));
    let prefs = Prefs {
        lang,
        elder,
        path: request.uri().path().to_owned(),
        query: query
            .into_iter()
            .filter(|(k, _)| k != "lang" && k != "elder")
            .collect(),
    };
    request.extensions_mut().insert(prefs);
    let mut response = next.run(request).await;
    let mut remember = |name: &str, value: &str| {
        let cookie = format!("{name}={value}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax; HttpOnly");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    };
    if let Some(lang) = asked_lang {
        remember("lang", lang.tag());
    }
    if let Some(elder) = asked_elder {
        remember("elder", if elder { "1" } else { "0" });
    }
    response
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
