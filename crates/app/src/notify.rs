//! Who is told what, and in which words: messages for an account by the channels it chose and in
//! its language, rendered from the templates in `notices/` (one Fluent file per language, no
//! fallback between languages, so a missing message is an error a test finds).

use std::sync::OnceLock;

use fluent_templates::fluent_bundle::concurrent::FluentBundle;
use fluent_templates::fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::{Channel, Notice, NotificationSettings};
use qiaoyi_store::{NewMessage, UserRow};
use serde_json::{Map, Value};

use crate::accounts::random_hex;

/// A message in words, ready for a transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

impl Rendered {
    /// The body as a simple, accessible HTML page in `lang`: the subject as its title and heading,
    /// each paragraph of the text as a paragraph, each line kept, each address a link. Everything
    /// else is escaped: the text carries what people typed (a consultation's subject).
    pub fn html(&self, lang: &str) -> String {
        let paragraphs: Vec<String> = self
            .body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let lines: Vec<String> = p.lines().map(linked).collect();
                format!("<p>{}</p>", lines.join("<br>\n"))
            })
            .collect();
        let lang = escape(lang);
        let subject = escape(&self.subject);
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\"><title>{subject}</title></head>\n\
             <body style=\"font-family: sans-serif; font-size: 16px; line-height: 1.5; max-width: 40em\">\n\
             <h1 style=\"font-size: 20px\">{subject}</h1>\n{}\n</body>\n</html>\n",
            paragraphs.join("\n")
        )
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One line escaped, its web addresses made links.
fn linked(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let end = word.trim_end_matches(['.', ',', ';', ')', '。', '，']);
            if end.starts_with("https://") || end.starts_with("http://") {
                let href = escape(end);
                format!(
                    "<a href=\"{href}\">{href}</a>{}",
                    escape(&word[end.len()..])
                )
            } else {
                escape(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Templates(Vec<(Lang, FluentBundle<FluentResource>)>);

fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => include_str!("../notices/zh-CN.ftl"),
        Lang::En => include_str!("../notices/en.ftl"),
        Lang::It => include_str!("../notices/it.ftl"),
        Lang::Es => include_str!("../notices/es.ftl"),
    }
}

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        Templates(
            Lang::ALL
                .into_iter()
                .map(|lang| {
                    let id: unic_langid::LanguageIdentifier = lang
                        .tag()
                        .parse()
                        .unwrap_or_else(|e| unreachable!("{} is a language tag: {e}", lang.tag()));
                    let resource = FluentResource::try_new(source(lang).to_owned()).unwrap_or_else(
                        |(_, e)| panic!("notices/{}.ftl does not parse: {e:?}", lang.tag()),
                    );
                    let mut bundle = FluentBundle::new_concurrent(vec![id]);
                    // Plain-text mail: no Unicode isolation marks around arguments.
                    bundle.set_use_isolating(false);
                    bundle.add_resource(resource).unwrap_or_else(|e| {
                        panic!("notices/{}.ftl repeats a message: {e:?}", lang.tag())
                    });
                    (lang, bundle)
                })
                .collect(),
        )
    })
}

/// `notice` in `lang` with `params`; an error names what is wrong (a missing parameter or message).
/// A deadline as a notice writes it: the date, marked when it rests on a year whose official
/// calendar is not imported yet.
pub fn deadline_text(deadline: qiaoyi_domain::calendar::Deadline, lang: Lang) -> String {
    if !deadline.provisional {
        return deadline.date.to_string();
    }
    let mark = match lang {
        Lang::Zh => "（暂定）",
        Lang::En => " (provisional)",
        Lang::It => " (provvisoria)",
        Lang::Es => " (provisional)",
    };
    format!("{}{mark}", deadline.date)
}

pub fn render(notice: Notice, lang: Lang, params: &Map<String, Value>) -> Result<Rendered, String> {
    if let Some(missing) = notice.params().iter().find(|p| !params.contains_key(**p)) {
        return Err(format!(
            "{} is missing its parameter {missing}",
            notice.template()
        ));
    }
    let mut args = FluentArgs::new();
    for name in notice.optional_params() {
        args.set(*name, FluentValue::from(""));
    }
    for (name, value) in params {
        let value = match value {
            Value::Number(n) => n.as_f64().map_or(FluentValue::None, FluentValue::from),
            Value::String(s) => FluentValue::from(s.clone()),
            other => FluentValue::from(other.to_string()),
        };
        args.set(name.clone(), value);
    }
    let part =
        |suffix: &str| format_message(lang, &format!("{}-{suffix}", notice.template()), &args);
    Ok(Rendered {
        subject: part("subject")?,
        body: part("body")?,
    })
}

/// One of Qiaoyi's own sentences from `notices/{lang}.ftl` by its id (the WeChat account's
/// replies), with `args`; an error names a missing message or value.
pub(crate) fn words(lang: Lang, id: &str, args: &[(&str, String)]) -> Result<String, String> {
    let mut values = FluentArgs::new();
    for (name, value) in args {
        values.set(*name, FluentValue::from(value.clone()));
    }
    format_message(lang, id, &values)
}

/// Message `id` of `notices/{lang}.ftl` with `args`; an error names a missing message or value.
fn format_message(lang: Lang, id: &str, args: &FluentArgs) -> Result<String, String> {
    let bundle = templates()
        .0
        .iter()
        .find(|(l, _)| *l == lang)
        .map(|(_, b)| b)
        .ok_or_else(|| format!("no templates in {}", lang.tag()))?;
    let pattern = bundle
        .get_message(id)
        .and_then(|m| m.value())
        .ok_or_else(|| format!("notices/{}.ftl has no message {id}", lang.tag()))?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    if errors.is_empty() {
        Ok(text.into_owned())
    } else {
        Err(format!("{id} in {}: {errors:?}", lang.tag()))
    }
}

/// Whom a message goes to.
pub(crate) struct Recipient<'a> {
    pub user_id: &'a str,
    pub email: &'a str,
    pub language: &'a str,
    pub settings: &'a NotificationSettings,
    /// Her WeChat (OpenID) when linked and chosen for notices.
    pub wechat: Option<&'a str>,
}

/// The messages telling `to` of `notice`: one per channel the account chose (security notices
/// always by e-mail). `dedupe` is the key of what must be said only once, if anything; the
/// channel is added to it.
pub(crate) fn messages_for(
    to: &Recipient<'_>,
    notice: Notice,
    params: &Map<String, Value>,
    dedupe: Option<&str>,
) -> Vec<NewMessage> {
    let settings = to.settings;
    let mut routes: Vec<(Channel, &str)> = Vec::new();
    if notice.always_by_email() || settings.email_enabled {
        routes.push((Channel::Email, to.email));
    }
    if !notice.always_by_email()
        && settings.sms_enabled
        && let Some(number) = &settings.sms_number
    {
        routes.push((Channel::Sms, number));
    }
    if !notice.always_by_email()
        && let Some(openid) = to.wechat
    {
        routes.push((Channel::Wechat, openid));
    }
    routes
        .into_iter()
        .map(|(channel, address)| NewMessage {
            id: format!("m-{}", random_hex(12)),
            channel: channel.as_str().into(),
            recipient: address.to_owned(),
            language: to.language.to_owned(),
            template: notice.template().into(),
            params: Value::Object(params.clone()).to_string(),
            user_id: Some(to.user_id.to_owned()),
            dedupe_key: dedupe.map(|key| format!("{key}:{}", channel.as_str())),
        })
        .collect()
}

impl crate::App {
    /// The messages telling the account `user` of `notice`, by the channels it chose.
    pub(crate) async fn messages_to(
        &self,
        user: &UserRow,
        notice: Notice,
        params: &Map<String, Value>,
    ) -> Result<Vec<NewMessage>, crate::AppError> {
        self.messages_keyed(user, notice, params, None).await
    }

    /// [`App::messages_to`] for what must be said only once: `dedupe` keys it in the outbox.
    pub(crate) async fn messages_keyed(
        &self,
        user: &UserRow,
        notice: Notice,
        params: &Map<String, Value>,
        dedupe: Option<&str>,
    ) -> Result<Vec<NewMessage>, crate::AppError> {
        let settings = self.store.notification_settings(&user.id).await?;
        let wechat = if self.wechat_notices_available() {
            self.store
                .wechat_link_of_user(&user.id)
                .await?
                .filter(|link| link.notices)
        } else {
            None
        };
        Ok(messages_for(
            &Recipient {
                user_id: &user.id,
                email: &user.email,
                language: user.language.tag(),
                settings: &settings,
                wechat: wechat.as_ref().map(|link| link.openid.as_str()),
            },
            notice,
            params,
            dedupe,
        ))
    }

    /// The messages telling a case's applicant of `notice`: the case's number, item and link in her
    /// language, and what `more` adds in it. None for a case filed for someone without an account.
    pub(crate) async fn applicant_messages(
        &self,
        case: &crate::cases::Case,
        notice: Notice,
        more: impl FnOnce(Lang, &mut Map<String, Value>),
    ) -> Result<Vec<NewMessage>, crate::AppError> {
        let Some(applicant) = case.applicant_id.as_deref() else {
            return Ok(Vec::new());
        };
        let Some(user) = self.store.user_by_id(applicant).await? else {
            return Ok(Vec::new());
        };
        let lang = user.language;
        let mut params = Map::new();
        params.insert("number".into(), case.number.clone().into());
        params.insert("item".into(), case.item.name.get(lang).into());
        params.insert("link".into(), self.case_link(&case.id, lang).into());
        more(lang, &mut params);
        self.messages_to(&user, notice, &params).await
    }

    /// The address of a case's page, in `lang`, for messages.
    pub(crate) fn case_link(&self, case_id: &str, lang: Lang) -> String {
        format!("{}/cases/{case_id}?lang={}", self.public_url(), lang.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_html_body_escapes_the_text_and_links_its_addresses() {
        let rendered = Rendered {
            subject: "Reply to <b>\"passport\"</b>".into(),
            body: "Hello & welcome.\nSee https://qiaoyi.example/cases/c-1.\n\n<script>x</script>"
                .into(),
        };
        let html = rendered.html("it");
        assert!(html.contains("<html lang=\"it\">"), "{html}");
        assert!(html.contains("<title>Reply to &lt;b&gt;&quot;passport&quot;&lt;/b&gt;</title>"));
        assert!(html.contains("<p>Hello &amp; welcome.<br>"));
        assert!(html.contains(
            "<a href=\"https://qiaoyi.example/cases/c-1\">https://qiaoyi.example/cases/c-1</a>."
        ));
        assert!(html.contains("<p>&lt;script&gt;x&lt;/script&gt;</p>"));
        assert!(!html.contains("<script>"));
    }

    fn sample(notice: Notice) -> Map<String, Value> {
        notice
            .params()
            .iter()
            .chain(notice.optional_params())
            .map(|p| {
                let value = match *p {
                    "minutes" | "months" | "days" => json!(3),
                    // Selectors: each of their values is rendered by its own test.
                    "act" => json!(1),
                    "method" => json!("courier"),
                    other => json!(format!("<{other}>")),
                };
                ((*p).to_owned(), value)
            })
            .collect()
    }

    #[test]
    fn every_notice_exists_in_every_language_and_uses_its_parameters() {
        for notice in Notice::ALL {
            for lang in Lang::ALL {
                let params = sample(notice);
                let rendered = render(notice, lang, &params)
                    .unwrap_or_else(|e| panic!("{} in {}: {e}", notice.template(), lang.tag()));
                assert!(!rendered.subject.trim().is_empty());
                assert!(!rendered.subject.contains('\n'), "{}", rendered.subject);
                let text = format!("{}\n{}", rendered.subject, rendered.body);
                // Selector values choose the text rather than appear in it; a dispatch by courier
                // names no visit day (its own test checks the other branches).
                let shown_sometimes = |name: &str| {
                    matches!(name, "act" | "method")
                        || (notice == Notice::CaseDispatched && name == "date")
                };
                for (name, value) in &params {
                    if shown_sometimes(name) {
                        continue;
                    }
                    if let Value::String(s) = value {
                        assert!(
                            text.contains(s.as_str()),
                            "{} in {} does not show {name}",
                            notice.template(),
                            lang.tag()
                        );
                    }
                }
                assert!(!text.contains("{ $"), "{text}");
            }
        }
    }

    #[test]
    fn a_dispatch_says_how_it_travels_in_every_language() {
        // A message queued before dispatches said how they travel still renders.
        let mut older = sample(Notice::CaseDispatched);
        for name in Notice::CaseDispatched.optional_params() {
            older.remove(*name);
        }
        for lang in Lang::ALL {
            render(Notice::CaseDispatched, lang, &older).expect("an older message renders");
            let mut params = sample(Notice::CaseDispatched);
            params.insert("method".into(), json!("home"));
            params.insert("date".into(), json!("2026-12-03"));
            let home = render(Notice::CaseDispatched, lang, &params).expect("renders");
            assert!(
                home.body.contains("2026-12-03"),
                "{}: {}",
                lang.tag(),
                home.body
            );
            assert!(!home.body.contains("<tracking>"), "{}", home.body);
            params.insert("method".into(), json!("station"));
            let station = render(Notice::CaseDispatched, lang, &params).expect("renders");
            assert!(!station.body.contains("2026-12-03"), "{}", station.body);
        }
    }

    #[test]
    fn each_proxy_act_reads_differently_in_every_language() {
        for lang in Lang::ALL {
            let mut bodies = std::collections::BTreeSet::new();
            for act in crate::mandates::ACTS {
                let mut params = sample(Notice::ProxyAct);
                params.insert("act".into(), json!(act));
                bodies.insert(
                    render(Notice::ProxyAct, lang, &params)
                        .expect("renders")
                        .body,
                );
            }
            assert_eq!(bodies.len(), crate::mandates::ACTS.len(), "{}", lang.tag());
        }
    }

    #[test]
    fn a_missing_parameter_is_an_error_not_a_blank() {
        let mut params = sample(Notice::CaseAccepted);
        params.remove("number");
        let err = render(Notice::CaseAccepted, Lang::En, &params).expect_err("refused");
        assert!(err.contains("number"), "{err}");
    }

    #[test]
    fn plurals_follow_the_language() {
        let mut params = sample(Notice::AccountLocked);
        params.insert("minutes".into(), json!(1));
        let one = render(Notice::AccountLocked, Lang::En, &params).expect("rendered");
        assert!(one.body.contains("one minute"), "{}", one.body);
        params.insert("minutes".into(), json!(15));
        let many = render(Notice::AccountLocked, Lang::It, &params).expect("rendered");
        assert!(many.body.contains("15 minuti"), "{}", many.body);
    }

    #[test]
    fn channels_follow_the_choices_but_security_always_goes_by_email_only() {
        let mut settings = NotificationSettings::defaults("u-1");
        settings.email_enabled = false;
        settings.sms_enabled = true;
        settings.sms_number = Some("+393331234567".into());
        let to = Recipient {
            user_id: "u-1",
            email: "a@example.org",
            language: "it",
            settings: &settings,
            wechat: Some("oWeChat"),
        };
        let case = messages_for(
            &to,
            Notice::CaseAccepted,
            &sample(Notice::CaseAccepted),
            None,
        );
        let routes: Vec<(&str, &str)> = case
            .iter()
            .map(|m| (m.channel.as_str(), m.recipient.as_str()))
            .collect();
        assert_eq!(routes, [("sms", "+393331234567"), ("wechat", "oWeChat")]);
        let locked = messages_for(
            &to,
            Notice::AccountLocked,
            &sample(Notice::AccountLocked),
            Some("k"),
        );
        assert_eq!(locked.len(), 1);
        assert_eq!(locked[0].channel, "email");
        assert_eq!(locked[0].dedupe_key.as_deref(), Some("k:email"));
    }
}
