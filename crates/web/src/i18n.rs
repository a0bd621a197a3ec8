//! Languages and display preferences of a request, and translation through Fluent.
//!
//! The language comes from `?lang=` (which is then remembered in a cookie), else the `lang` cookie,
//! else `Accept-Language`, else Chinese. Elder mode works the same way with `?elder=1|0`.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::{Request, State};
use axum::http::header;
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

/// The first path segments that have a description of their own (`meta-…`); "" is the home page.
const DESCRIBED_AREAS: &[&str] = &[
    "",
    "account",
    "admin",
    "apply",
    "audit",
    "care",
    "cases",
    "catalog",
    "certificates",
    "consult",
    "consultations",
    "desk",
    "green-channel",
    "guides",
    "items",
    "login",
    "password",
    "people",
    "receipts",
    "search",
    "signup",
    "stations",
    "stats",
    "status",
    "verify",
    "video",
];

/// How this request wants pages shown.
#[derive(Clone, Debug)]
pub struct Prefs {
    pub lang: Lang,
    pub elder: bool,
    /// Path and query of the request, without our own `lang`/`elder` parameters.
    pub path: String,
    query: Vec<(String, String)>,
    /// The CSRF token forms must send back (set by the authentication layer).
    pub csrf: String,
    pub signed_in: bool,
    /// The signed-in person's areas of work, for the menu: (address, message).
    pub work: Vec<(&'static str, &'static str)>,
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

    /// The message `key` with two arguments.
    pub fn t2(
        &self,
        key: &str,
        (first, a): (&'static str, impl Into<FluentValue<'static>>),
        (second, b): (&'static str, impl Into<FluentValue<'static>>),
    ) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = HashMap::from([
            (Cow::Borrowed(first), a.into()),
            (Cow::Borrowed(second), b.into()),
        ]);
        LOCALES.lookup_with_args(&langid(self.lang), key, &args)
    }

    /// The message `key` with any number of arguments.
    pub fn t_with(&self, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), value.clone()))
            .collect();
        LOCALES.lookup_with_args(&langid(self.lang), key, &args)
    }

    /// The message `key`, or `fallback` when no message has that id (names of countries and
    /// languages that a newer catalogue may bring).
    pub fn t_or(&self, key: &str, fallback: &str) -> String {
        LOCALES
            .try_lookup(&langid(self.lang), key)
            .unwrap_or_else(|| fallback.to_owned())
    }

    /// A time zone as readers say it, by its city ("ora di Roma", "北京时间"): the IANA name
    /// (`Europe/Rome`) is for machines. A zone the messages do not name yet shows its city part.
    pub fn zone_name(&self, zone: &str) -> String {
        let city = zone.rsplit('/').next().unwrap_or(zone).replace('_', " ");
        self.t_or(&format!("zone-{}", zone.replace('/', "-")), &city)
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
                short: match lang {
                    Lang::Zh => "中文",
                    Lang::En => "EN",
                    Lang::It => "IT",
                    Lang::Es => "ES",
                },
                href: self.with_param("lang", lang.tag()),
                current: lang == self.lang,
            })
            .collect()
    }

    /// The stylesheet's content-hashed address.
    pub fn css_path(&self) -> String {
        crate::assets::css_path()
    }

    pub fn js_path(&self) -> String {
        crate::assets::js_path()
    }

    /// The page's description for search engines and link previews, in the page's language: one
    /// per area of the site, the area being the path's first segment (`/cases/…` is `meta-cases`).
    /// Pages with a text of their own (an item, a guide) give theirs instead.
    pub fn description(&self) -> String {
        let area = self
            .path
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or_default();
        let key = match DESCRIBED_AREAS.iter().find(|a| **a == area) {
            Some(area) => format!("meta-{}", if area.is_empty() { "home" } else { area }),
            None => "meta-default".to_owned(),
        };
        self.t(&key)
    }

    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }
}

pub struct LangLink {
    pub tag: &'static str,
    pub name: &'static str,
    /// What the header's language button shows on a phone: 中文, EN, IT, ES.
    pub short: &'static str,
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
    // Messages with placeables only resolve when given their arguments.
    let args: HashMap<Cow<'static, str>, FluentValue> = [
        "count", "days", "amount", "code", "page", "time", "minutes", "email", "item", "number",
        "months", "date", "at", "name", "version", "names", "year", "seconds", "until", "label",
        "rate", "level", "from", "to", "window",
    ]
    .into_iter()
    .map(|name| (Cow::Borrowed(name), FluentValue::from(1)))
    .collect();
    LOCALES
        .try_lookup_with_args(&langid(lang), key, &args)
        .is_some()
}

const ONE_YEAR: u32 = 365 * 24 * 3600;

/// Works out [`Prefs`] for the request, hands them to handlers, and remembers a choice made with
/// `?lang=` or `?elder=` in a cookie (`Secure` when the site is served over https), sent only when
/// it changes, so pages keep their caches and the back/forward cache.
pub async fn preferences(
    State(secure): State<SecureCookies>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let lang_cookie = crate::auth::cookie(headers, "lang").map(str::to_owned);
    let elder_cookie = crate::auth::cookie(headers, "elder").map(str::to_owned);
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
        .or_else(|| crate::auth::cookie(headers, "lang").and_then(Lang::from_tag))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Zh);
    let elder = asked_elder.unwrap_or_else(|| crate::auth::cookie(headers, "elder") == Some("1"));
    let prefs = Prefs {
        lang,
        elder,
        path: request.uri().path().to_owned(),
        query: query
            .into_iter()
            .filter(|(k, _)| k != "lang" && k != "elder")
            .collect(),
        csrf: String::new(),
        signed_in: false,
        work: Vec::new(),
    };
    request.extensions_mut().insert(prefs);
    let mut response = next.run(request).await;
    let cacheable = crate::auth::shared_cacheable(&response);
    let mut remember = |name: &str, value: &str, kept: Option<&str>| {
        if kept == Some(value) || cacheable {
            return;
        }
        let cookie = crate::auth::set_cookie(name, value, Some(i64::from(ONE_YEAR)), secure.0);
        if let Some(v) = cookie {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    };
    if let Some(lang) = asked_lang {
        remember("lang", lang.tag(), lang_cookie.as_deref());
    }
    if let Some(elder) = asked_elder {
        remember(
            "elder",
            if elder { "1" } else { "0" },
            elder_cookie.as_deref(),
        );
    }
    response
}

/// Whether cookies are marked `Secure`: the site's public address is https.
#[derive(Clone, Copy)]
pub struct SecureCookies(pub bool);

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use qiaoyi_app::domain::catalog::{Topic, Weekday};

    use super::*;

    fn crate_file(path: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path)
    }

    fn message_ids(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    /// Every Fluent file of a language, one after the other (the loader reads them all).
    fn language_files(lang: &str) -> String {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("locales")
            .map(|e| e.expect("locale file").path())
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .collect();
        paths.sort();
        assert!(paths.len() > 1, "{lang}: its files were read: {paths:?}");
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("locale file"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn every_language_has_the_same_messages() {
        let reference = message_ids(&language_files("en"));
        for lang in ["zh-CN", "it", "es"] {
            let ids = message_ids(&language_files(lang));
            let missing: Vec<_> = reference.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&reference).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    /// A Chinese term inside an English, Italian or Spanish message would be read by a screen reader
    /// in the wrong voice (the crawler fails such pages); Chinese belongs in markup marked lang="zh-CN".
    #[test]
    fn other_languages_hold_no_chinese() {
        let han = |c: char| matches!(c, '\u{3400}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}');
        for lang in ["en", "it", "es"] {
            let ftl = language_files(lang);
            let bad: Vec<_> = ftl.lines().filter(|l| l.chars().any(han)).collect();
            assert!(bad.is_empty(), "{lang}: Chinese text in {bad:?}");
        }
    }

    /// Every literal key passed to `t`, `t1` or `t_or` in templates and code, plus the keys built from
    /// enums, exists in every language.
    #[test]
    fn every_station_time_zone_is_named_by_its_city_in_every_language() {
        let stations = crate_file("../../catalog/stations.toml");
        let mut zones: BTreeSet<&str> = stations
            .lines()
            .filter_map(|l| l.trim().strip_prefix("time_zone"))
            .filter_map(|rest| rest.split('"').nth(1))
            .collect();
        zones.insert("Asia/Shanghai");
        assert!(zones.len() > 10, "the stations' zones were read: {zones:?}");
        for lang in Lang::ALL {
            for zone in &zones {
                let key = format!("zone-{}", zone.replace('/', "-"));
                assert!(has_message(lang, &key), "{lang:?} has no name for {zone}");
            }
        }
        let p = Prefs {
            lang: Lang::It,
            elder: false,
            path: "/".into(),
            query: Vec::new(),
            csrf: String::new(),
            signed_in: false,
            work: Vec::new(),
        };
        assert_eq!(p.zone_name("Europe/Rome"), "ora di Roma");
        assert_eq!(p.zone_name("America/Los_Angeles"), "Los Angeles");
    }

    #[test]
    fn every_area_is_described_in_every_language_by_its_own_text() {
        let prefs = |lang, path: &str| Prefs {
            lang,
            elder: false,
            path: path.into(),
            query: Vec::new(),
            csrf: String::new(),
            signed_in: false,
            work: Vec::new(),
        };
        for lang in Lang::ALL {
            let mut seen = BTreeSet::new();
            for area in DESCRIBED_AREAS {
                let key = format!("meta-{}", if area.is_empty() { "home" } else { area });
                assert!(has_message(lang, &key), "{lang:?} has no {key}");
                let path = if area.is_empty() {
                    "/?y=1".to_owned()
                } else {
                    format!("/{area}/x?y=1")
                };
                let text = prefs(lang, &path).description();
                assert!(
                    seen.insert(text.clone()),
                    "{lang:?}: {key} repeats another area's text"
                );
            }
            assert!(has_message(lang, "meta-default"));
        }
        let en = |path: &str| prefs(Lang::En, path).description();
        assert_eq!(en("/"), en("/?lang=en"));
        assert_ne!(en("/"), en("/cases/c-1"));
        assert_eq!(en("/cases"), en("/cases/c-1/materials"));
        assert_eq!(en("/no-such-page"), prefs(Lang::En, "/").t("meta-default"));
    }

    #[test]
    fn every_key_used_exists_in_every_language() {
        let mut sources = String::new();
        for dir in ["templates", "src", "src/pages"] {
            for entry in
                std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).expect(dir)
            {
                let path = entry.expect("entry").path();
                if path.is_file() {
                    sources.push_str(&std::fs::read_to_string(&path).expect("read"));
                }
            }
        }
        let mut keys = BTreeSet::new();
        for call in [".t(\"", ".t1(\""] {
            for piece in sources.split(call).skip(1) {
                if let Some((key, _)) = piece.split_once('"')
                    && !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                {
                    keys.insert(key.to_owned());
                }
            }
        }
        // Message ids picked at run time by the pages.
        for key in [
            "fee-free",
            "fee-amount",
            "answer-yes",
            "answer-no",
            "material-required",
            "material-sometimes",
            "delivery-window",
            "delivery-station",
            "delivery-courier",
            "delivery-home",
            "stations-open",
            "stations-closed",
            "error-not-found-title",
            "error-not-found",
            "error-invalid-title",
            "error-invalid",
            "error-unavailable-title",
            "error-unavailable",
            "error-no-catalogue",
            "error-internal-title",
            "error-internal",
            "error-forbidden-title",
            "error-forbidden",
            "error-csrf-title",
            "error-csrf",
        ] {
            keys.insert(key.to_owned());
        }
        keys.extend(Topic::ALL.iter().map(|t| format!("topic-{}", t.as_str())));
        for key in [
            "case-error-person",
            "document-resident-id",
            "document-passport",
            "document-permit",
            "person-error-relation",
            "person-error-name",
            "person-error-name-latin",
            "person-error-birth-date",
            "person-error-country",
            "person-error-city",
            "person-error-phone",
            "person-error-consent",
            "person-error-kind",
            "person-error-number",
            "person-error-expiry",
            "case-error-mrz-shape",
            "case-error-mrz-check-digit",
            "case-error-mrz-date",
            "error-rate-limited-title",
            "error-rate-limited",
            "error-conflict-title",
            "error-case-conflict",
            "error-no-calendar",
            "case-error-person-name",
            "case-error-person-name-latin",
            "case-error-birth-date",
            "case-error-relation",
            "case-error-delivery",
            "case-error-applicant-email",
            "case-error-materials",
            "case-error-reason",
            "case-error-file",
            "case-error-file-size",
            "case-error-file-state",
            "case-error-file-missing",
            "case-error-material",
            "case-error-step",
            "cases-view-mine",
            "cases-view-station",
            "cases-view-queue",
            "case-step-create",
            "case-step-video-check",
        ] {
            keys.insert(key.to_owned());
        }
        for key in [
            "search-kind-item",
            "search-kind-guide",
            "search-popular-passport",
            "search-popular-id-card",
            "search-popular-record",
            "search-popular-pension",
        ] {
            keys.insert(key.to_owned());
        }
        use qiaoyi_app::domain::mandates::MandateState;
        keys.extend(
            MandateState::ALL
                .iter()
                .map(|s| format!("mandate-state-{}", s.as_str())),
        );
        for code in [
            "not-agent",
            "not-confirmed",
            "revoked",
            "not-yet-valid",
            "expired",
            "out-of-scope",
            "other-principal",
        ] {
            keys.insert(format!("mandate-refused-{code}"));
        }
        keys.extend(
            qiaoyi_app::domain::care::LANGUAGES
                .iter()
                .map(|l| format!("care-language-{l}")),
        );
        for field in [
            "name",
            "birth-date",
            "not-a-minor",
            "township",
            "village",
            "guardian",
            "consent",
            "languages",
            "parents",
            "visit-future",
            "visit-before-birth",
            "visit-date",
            "topics",
            "notes",
            "capacity",
            "availability",
            "theme",
            "activity-date",
            "place",
            "organisers",
            "donor",
            "note",
            "children",
            "volunteers",
            "wish",
        ] {
            keys.insert(format!("care-error-{field}"));
        }
        for state in ["open", "taken", "fulfilled"] {
            keys.insert(format!("care-wish-state-{state}"));
        }
        keys.extend(
            qiaoyi_app::domain::care::Topic::ALL
                .iter()
                .map(|t| format!("care-topic-{}", t.as_str())),
        );
        use qiaoyi_app::domain::video_check::{Document, Role as VideoRole, Verdict};
        keys.extend(
            VideoRole::ALL
                .iter()
                .map(|r| format!("video-role-{}", r.as_str())),
        );
        keys.extend(
            Document::ALL
                .iter()
                .map(|d| format!("video-document-{}", d.as_str().replace('_', "-"))),
        );
        keys.extend(
            Verdict::ALL
                .iter()
                .map(|v| format!("video-verdict-{}", v.as_str().replace('_', "-"))),
        );
        use qiaoyi_app::domain::evaluation::{Level, Subject, Why};
        keys.extend(
            Level::ALL
                .iter()
                .map(|l| format!("rating-level-{}", l.as_str())),
        );
        keys.extend(
            Why::ALL
                .iter()
                .map(|w| format!("rating-why-{}", w.as_str())),
        );
        keys.extend(
            Subject::ALL
                .iter()
                .map(|s| format!("rating-subject-{}", s.as_str())),
        );
        use qiaoyi_app::domain::hall::{CallReason, Priority, TicketState};
        keys.extend(Priority::ALL.iter().flat_map(|p| {
            [
                format!("hall-priority-{}", p.as_str()),
                format!("hall-reason-{}", CallReason::Priority(*p).as_str()),
            ]
        }));
        keys.extend(
            [CallReason::Turn, CallReason::AfterPriorityRun]
                .iter()
                .map(|r| format!("hall-reason-{}", r.as_str())),
        );
        keys.extend(
            TicketState::ALL
                .iter()
                .map(|s| format!("hall-state-{}", s.as_str())),
        );
        use qiaoyi_app::domain::cases::{CaseState, Channel, Relation, Step};
        keys.extend(CaseState::ALL.iter().map(|s| crate::pages::state_key(*s)));
        keys.extend(Step::ALL.iter().map(|s| crate::pages::step_key(s.as_str())));
        keys.extend(Relation::ALL.iter().flat_map(|r| {
            [true, false].map(|to_the_applicant| crate::pages::relation_words(*r, to_the_applicant))
        }));
        keys.extend(
            Channel::ALL
                .iter()
                .map(|c| format!("channel-{}", c.as_str())),
        );
        keys.extend(
            qiaoyi_app::domain::access::Role::ALL
                .iter()
                .map(|r| format!("role-{}", r.as_str())),
        );
        keys.extend(
            (1..=7)
                .filter_map(Weekday::from_iso_number)
                .map(|d| format!("day-{}", d.as_str())),
        );
        assert!(keys.len() > 80, "the scan found the keys ({})", keys.len());
        for lang in Lang::ALL {
            let missing: Vec<_> = keys.iter().filter(|k| !has_message(lang, k)).collect();
            assert!(
                missing.is_empty(),
                "{}: no message for {missing:?}",
                lang.tag()
            );
        }
    }

    #[test]
    fn reference_countries_and_languages_are_named_everywhere() {
        let catalog = qiaoyi_app::domain::catalog::parse(&qiaoyi_app::catalog_source::reference())
            .expect("valid");
        for lang in Lang::ALL {
            for station in &catalog.stations {
                assert!(
                    has_message(lang, &format!("country-{}", station.country)),
                    "{} {}",
                    lang.tag(),
                    station.country
                );
                for spoken in &station.languages {
                    assert!(
                        has_message(lang, &format!("language-{spoken}")),
                        "{} {spoken}",
                        lang.tag()
                    );
                }
            }
        }
    }

    #[test]
    fn switcher_keeps_other_query_parameters() {
        let prefs = Prefs {
            lang: Lang::Zh,
            elder: false,
            path: "/guides".into(),
            query: vec![("page".into(), "2".into())],
            csrf: String::new(),
            signed_in: false,
            work: Vec::new(),
        };
        assert_eq!(prefs.with_param("lang", "it"), "/guides?page=2&lang=it");
        let links = prefs.switcher();
        assert_eq!(links.iter().filter(|l| l.current).count(), 1);
        assert!(links[0].current);
    }
}
