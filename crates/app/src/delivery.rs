//! Transports: e-mail over SMTP (lettre), text messages as signed JSON POSTs to a gateway,
//! customer-service messages of the bureau's WeChat Official Account, and files in the data
//! directory when a channel has no transport (`messages/<id>.eml`, the e-mail SMTP
//! would have carried; `<id>.txt` for a text message), each noted by one log line without the
//! recipient or the words, which may hold a sign-in code. A transport says whether a failure is
//! worth retrying.
//!
//! Both carry the outbox id as an idempotency key (the e-mail's `Message-ID`, the gateway's
//! `Idempotency-Key` header): a message tried again after a worker died between the server's
//! acceptance and our record of it reaches the receiver with the same key, so the gateway or the
//! mail client can recognise the repeat.

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::failure::Reason;
use std::time::Duration;

use hmac::{Hmac, Mac};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use qiaoyi_domain::notify::{Channel, Notice};
use sha2::Sha256;

use crate::AppError;
use crate::config::{Config, SmtpTls};
use crate::notify::Rendered;

/// Why a send failed, and whether trying again could help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// The server is down, busy or timed out: try again later.
    Transient(String),
    /// The message cannot be delivered as it is (a refused address, a rejected request).
    Permanent(String),
}

impl SendError {
    pub fn text(&self) -> &str {
        match self {
            SendError::Transient(s) | SendError::Permanent(s) => s,
        }
    }
}

/// A rendered message on its way out.
#[derive(Debug)]
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub recipient: &'a str,
    pub language: &'a str,
    pub template: &'a str,
    pub rendered: &'a Rendered,
    /// The address that stops this kind of message, when there is one.
    pub unsubscribe: Option<&'a str>,
    /// The page the message is about, when she can open it (a WeChat template message links it).
    pub link: Option<&'a str>,
    /// When it is sent, in seconds since the Unix epoch, from the app's clock: gateways check the
    /// signature's timestamp is fresh.
    pub sent_at: i64,
}

struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The domain part of Message-IDs, and the domain DKIM signs for.
    domain: String,
    dkim: Option<lettre::message::dkim::DkimConfig>,
}

struct Gateway {
    client: reqwest::Client,
    url: String,
    secret: String,
}

/// The bureau's WeChat Official Account: customer-service messages (客服消息) sent with an access
/// token, which is fetched with the AppSecret and used until five minutes before it expires. WeChat
/// hands out one token at a time (a new one ends the old), so every node uses the one kept in the
/// database ([`SharedTokens`]); this node holds it in memory meanwhile and refreshes it once at a
/// time.
struct Wechat {
    client: reqwest::Client,
    base: String,
    app_id: String,
    secret: String,
    /// The template message that says an answer waits, when one is configured.
    template_id: Option<String>,
    /// The token held on this node: its text, its hash, and the second (Unix, the app's clock) it
    /// stops being used.
    token: tokio::sync::Mutex<Option<HeldToken>>,
}

struct HeldToken {
    token: String,
    hash: String,
    until: i64,
}

/// Where the transports keep what every node shares: the WeChat access token, sealed.
pub(crate) struct SharedTokens<'a> {
    pub store: &'a qiaoyi_store::Store,
    pub vault: &'a crate::vault::Vault,
}

/// The most characters WeChat shows of a template message's keyword.
const KEYWORD_CHARS: usize = 20;
/// What a template message's remark line carries at most.
const REMARK_CHARS: usize = 200;

/// The field-key context the access token is sealed under.
fn token_context(app_id: &str) -> String {
    format!("wechat-token:{app_id}")
}

/// What WeChat's API answers: an error code (0 or absent for success) and, from `/cgi-bin/token`,
/// the token and its lifetime in seconds.
#[derive(serde::Deserialize)]
struct WechatAnswer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    access_token: Option<String>,
    expires_in: Option<i64>,
}

/// Where messages without a transport are kept, and who an e-mail kept there is from.
struct Unsent {
    dir: std::path::PathBuf,
    from: Mailbox,
}

/// The configured transports; a channel without one keeps its messages as files (or, with no
/// directory given, as in tests, only notes them in the log).
#[derive(Clone)]
pub struct Transports {
    email: Option<std::sync::Arc<Email>>,
    sms: Option<std::sync::Arc<Gateway>>,
    wechat: Option<std::sync::Arc<Wechat>>,
    unsent: Option<std::sync::Arc<Unsent>>,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transports")
            .field("email", &self.email.is_some())
            .field("sms", &self.sms.is_some())
            .field("wechat", &self.wechat.is_some())
            .field(
                "unsent",
                &self.unsent.as_ref().map(|u| u.dir.display().to_string()),
            )
            .finish()
    }
}

impl Transports {
    pub fn from_config(config: &Config) -> Result<Transports, AppError> {
        let bad = |message: String| AppError::Invalid {
            field: "configuration",
            reason: Reason::Malformed,
            message,
        };
        let email = match &config.smtp_host {
            None => None,
            Some(host) => {
                let builder = match config.smtp_tls {
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                    SmtpTls::Starttls | SmtpTls::Tls => {
                        let params = TlsParameters::new(host.clone())
                            .map_err(|e| bad(format!("smtp_host {host}: {e}")))?;
                        let tls = if config.smtp_tls == SmtpTls::Tls {
                            Tls::Wrapper(params)
                        } else {
                            Tls::Required(params)
                        };
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).tls(tls)
                    }
                };
                let mut builder = builder
                    .port(config.smtp_port)
                    .timeout(Some(Duration::from_secs(30)));
                if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password)
                {
                    builder =
                        builder.credentials(Credentials::new(user.clone(), password.0.clone()));
                }
                let from = sender(config)?;
                let domain = from.email.domain().to_owned();
                let dkim = match (&config.dkim_selector, &config.dkim_key_file) {
                    (Some(selector), Some(file)) => {
                        Some(dkim_config(selector, &domain, file).map_err(bad)?)
                    }
                    _ => None,
                };
                Some(std::sync::Arc::new(Email {
                    transport: builder.build(),
                    from,
                    domain,
                    dkim,
                }))
            }
        };
        let sms = match (&config.sms_webhook_url, &config.sms_webhook_secret) {
            (Some(url), Some(secret)) => Some(std::sync::Arc::new(Gateway {
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(15))
                    .build()
                    .map_err(|e| bad(format!("sms_webhook_url: {e}")))?,
                url: url.clone(),
                secret: secret.0.clone(),
            })),
            _ => None,
        };
        let wechat = match (&config.wechat_app_id, &config.wechat_app_secret) {
            (Some(app_id), Some(secret)) => Some(std::sync::Arc::new(Wechat {
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(15))
                    .build()
                    .map_err(|e| bad(format!("wechat_api_base: {e}")))?,
                base: config.wechat_api_base.trim_end_matches('/').to_owned(),
                app_id: app_id.clone(),
                secret: secret.0.clone(),
                template_id: config.wechat_template_id.clone(),
                token: tokio::sync::Mutex::new(None),
            })),
            _ => None,
        };
        Ok(Transports {
            email,
            sms,
            wechat,
            unsent: None,
        })
    }

    /// The same transports, keeping messages of a channel without one as files in `dir`.
    pub fn keeping_unsent_in(
        mut self,
        dir: std::path::PathBuf,
        config: &Config,
    ) -> Result<Transports, AppError> {
        let from = sender(config)?;
        self.unsent = Some(std::sync::Arc::new(Unsent { dir, from }));
        Ok(self)
    }

    pub(crate) async fn send(
        &self,
        channel: Channel,
        out: &Outgoing<'_>,
        shared: &SharedTokens<'_>,
    ) -> Result<(), SendError> {
        match (channel, &self.email, &self.sms, &self.wechat) {
            (Channel::Email, Some(email), _, _) => email.send(out).await,
            (Channel::Sms, _, Some(gateway), _) => gateway.send(out).await,
            (Channel::Wechat, _, _, Some(wechat)) => wechat.send(out, shared).await,
            _ => self.keep_unsent(channel, out).await,
        }
    }

    /// The picture or recording someone sent the WeChat account, by its `MediaId`, with the
    /// shared access token; at most `max_bytes`. WeChat must be answered within five seconds, so
    /// this waits three at most. `None` when no account is configured.
    pub(crate) async fn wechat_media(
        &self,
        media_id: &str,
        max_bytes: usize,
        now: i64,
        shared: &SharedTokens<'_>,
    ) -> Option<Result<Vec<u8>, SendError>> {
        let wechat = self.wechat.as_ref()?;
        Some(wechat.media(media_id, max_bytes, now, shared).await)
    }

    /// A message no transport carries: kept as a file when there is a directory for it.
    async fn keep_unsent(&self, channel: Channel, out: &Outgoing<'_>) -> Result<(), SendError> {
        let Some(unsent) = &self.unsent else {
            tracing::info!(
                target: "qiaoyi::outbox",
                id = %out.id,
                channel = channel.as_str(),
                template = %out.template,
                "no transport is configured for this channel; the message is not sent"
            );
            return Ok(());
        };
        let (name, bytes) = match channel {
            Channel::Email => (
                format!("{}.eml", out.id),
                email_message(out, &unsent.from, unsent.from.email.domain())?.formatted(),
            ),
            Channel::Sms | Channel::Wechat => (
                format!("{}.txt", out.id),
                format!(
                    "To: {}\nContent-Language: {}\n\n{}\n",
                    out.recipient, out.language, out.rendered.body
                )
                .into_bytes(),
            ),
        };
        let path = unsent.dir.join(name);
        // A file written and synced off the async workers, which serve requests meanwhile.
        let written = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || write_private(&path, &bytes)).await
        };
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(SendError::Transient(format!(
                    "cannot keep the message in {}: {e}",
                    path.display()
                )));
            }
            Err(e) => return Err(SendError::Transient(format!("the writer stopped: {e}"))),
        }
        tracing::info!(
            target: "qiaoyi::outbox",
            id = %out.id,
            channel = channel.as_str(),
            template = %out.template,
            "no transport is configured for this channel; the message is kept in {}",
            path.display()
        );
        Ok(())
    }
}

/// Who e-mail is from: `mail_from`.
fn sender(config: &Config) -> Result<Mailbox, AppError> {
    config.mail_from.parse().map_err(|e| AppError::Invalid {
        field: "configuration",
        reason: Reason::Malformed,
        message: format!("mail_from: {e}"),
    })
}

/// Writes `bytes` to `path` readable by this user alone (it may hold a sign-in code), whole or not
/// at all: a reader never sees half a message.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)
}

/// The e-mail for `out`, as SMTP carries it and as a kept `.eml` file holds it.
fn email_message(out: &Outgoing<'_>, from: &Mailbox, domain: &str) -> Result<Message, SendError> {
    let to: Mailbox = out
        .recipient
        .parse()
        .map_err(|e| SendError::Permanent(format!("the recipient address is refused: {e}")))?;
    let header = |name: &'static str, value: String| {
        HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
    };
    let mut builder = Message::builder()
        .message_id(Some(format!("<{}@{domain}>", out.id)))
        .from(from.clone())
        .to(to)
        .subject(out.rendered.subject.clone())
        .raw_header(header("Content-Language", out.language.to_owned()));
    if let Some(link) = out.unsubscribe {
        // RFC 8058: a mail provider's "unsubscribe" button posts to the link itself.
        builder = builder
            .raw_header(header("List-Unsubscribe", format!("<{link}>")))
            .raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    // Plain text first, the HTML view of the same words second: a client shows the last one it
    // can.
    builder
        .multipart(MultiPart::alternative_plain_html(
            out.rendered.body.clone(),
            out.rendered.html(out.language),
        ))
        .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))
}

impl Wechat {
    /// Sends a message to the OpenID in `recipient`: a consultant's answer as a customer-service
    /// text message (客服消息), every other notice as a template message (模板消息).
    async fn send(&self, out: &Outgoing<'_>, shared: &SharedTokens<'_>) -> Result<(), SendError> {
        let (token, hash) = self.access_token(out.sent_at, shared).await?;
        if out.template != Notice::ConsultationAnswer.template() {
            let template = self.template_id.as_deref().ok_or_else(|| {
                SendError::Permanent(
                    "notices go by WeChat only as template messages: set wechat_template_id".into(),
                )
            })?;
            let what: String = out.rendered.subject.chars().take(KEYWORD_CHARS).collect();
            return self
                .send_template(
                    out,
                    template,
                    &token,
                    &hash,
                    shared,
                    &what,
                    &out.rendered.body,
                )
                .await;
        }
        self.send_answer(out, &token, &hash, shared).await
    }

    /// The answer as a text message. WeChat takes one only within 48 hours of her last message to
    /// the account; outside them it is set aside until she writes again
    /// (the callback's `WechatTaken` queues it again), and when a template is configured she is told by template
    /// message that it waits. To someone who unfollowed the account, the refusal is final.
    async fn send_answer(
        &self,
        out: &Outgoing<'_>,
        token: &str,
        hash: &str,
        shared: &SharedTokens<'_>,
    ) -> Result<(), SendError> {
        let body = serde_json::json!({
            "touser": out.recipient,
            "msgtype": "text",
            "text": { "content": out.rendered.body },
        });
        let answer = self.call("message/custom/send", token, &body).await?;
        match answer.errcode {
            0 => Ok(()),
            45015 => {
                let told = match &self.template_id {
                    Some(template) => {
                        self.send_template(
                            out,
                            template,
                            token,
                            hash,
                            shared,
                            "顾问已答复，回复任意内容查看",
                            "在公众号里回复任意内容，即可收到答复全文。",
                        )
                        .await?;
                        "; she was told by template message that an answer waits"
                    }
                    None => "",
                };
                Err(SendError::Permanent(format!(
                    "she last wrote to the account more than 48 hours ago, and WeChat takes answers only within them{told}; it is sent when she writes again"
                )))
            }
            code => Err(self.refused(code, &answer.errmsg, hash, shared).await),
        }
    }

    /// A template message: `what` and the time in its keywords (all that WeChat shows since
    /// 2023, at most 20 characters each), the subject and `more` in its first and remark lines for
    /// older clients, and a link to the page it is about when she can open it.
    #[allow(clippy::too_many_arguments)]
    async fn send_template(
        &self,
        out: &Outgoing<'_>,
        template: &str,
        token: &str,
        hash: &str,
        shared: &SharedTokens<'_>,
        what: &str,
        more: &str,
    ) -> Result<(), SendError> {
        let when = jiff::Timestamp::from_second(out.sent_at)
            .map(|t| {
                t.to_zoned(
                    jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC),
                )
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
            })
            .unwrap_or_default();
        let more: String = more.chars().take(REMARK_CHARS).collect();
        let mut body = serde_json::json!({
            "touser": out.recipient,
            "template_id": template,
            "data": {
                "first": { "value": out.rendered.subject },
                "keyword1": { "value": what },
                "keyword2": { "value": when },
                "remark": { "value": more },
            },
        });
        if let Some(link) = out.link {
            body["url"] = link.into();
        }
        let answer = self.call("message/template/send", token, &body).await?;
        match answer.errcode {
            0 => Ok(()),
            40037 => Err(SendError::Permanent(format!(
                "WeChat does not know the template ({}); check wechat_template_id",
                answer.errmsg
            ))),
            code => Err(self.refused(code, &answer.errmsg, hash, shared).await),
        }
    }

    /// `/cgi-bin/media/get`: the file's bytes, or WeChat's error as JSON (an unknown or expired
    /// `MediaId`, after three days).
    async fn media(
        &self,
        media_id: &str,
        max_bytes: usize,
        now: i64,
        shared: &SharedTokens<'_>,
    ) -> Result<Vec<u8>, SendError> {
        let (token, hash) = self.access_token(now, shared).await?;
        let mut response = self
            .client
            .get(format!("{}/cgi-bin/media/get", self.base))
            .query(&[("access_token", token.as_str()), ("media_id", media_id)])
            .timeout(Duration::from_secs(3))
            .send()
            .await
            // The address carries the access token: never in an error.
            .map_err(|e| SendError::Transient(format!("WeChat's media: {}", e.without_url())))?;
        if !response.status().is_success() {
            return Err(SendError::Transient(format!(
                "WeChat's media answered {}",
                response.status()
            )));
        }
        let json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/plain"));
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| SendError::Transient(format!("WeChat's media: {}", e.without_url())))?
        {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(SendError::Permanent(format!(
                    "the file is larger than {max_bytes} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        if json {
            let answer: WechatAnswer = serde_json::from_slice(&bytes)
                .map_err(|e| SendError::Transient(format!("WeChat's answer does not read: {e}")))?;
            return Err(self
                .refused(answer.errcode, &answer.errmsg, &hash, shared)
                .await);
        }
        Ok(bytes)
    }

    /// Posts `body` to `/cgi-bin/{path}` with the access token.
    async fn call(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> Result<WechatAnswer, SendError> {
        let response = self
            .client
            .post(format!("{}/cgi-bin/{path}", self.base))
            .query(&[("access_token", token)])
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            // The address carries the access token: never in an error.
            .map_err(|e| SendError::Transient(format!("WeChat: {}", e.without_url())))?;
        read_wechat(response).await
    }

    /// What a refusal of a customer-service message means: a token WeChat no longer takes is
    /// retired (here and for every node) and fetched anew on the next try.
    async fn refused(
        &self,
        code: i64,
        message: &str,
        hash: &str,
        shared: &SharedTokens<'_>,
    ) -> SendError {
        match code {
            40001 | 40014 | 42001 => {
                *self.token.lock().await = None;
                if let Err(e) = shared.store.retire_wechat_token(&self.app_id, hash).await {
                    return SendError::Transient(format!("the database: {e}"));
                }
                SendError::Transient(
                    "WeChat no longer takes the access token; a new one is fetched for the next try"
                        .into(),
                )
            }
            -1 | 45009 => SendError::Transient(format!(
                "WeChat is busy or over its limit ({code}): {message}"
            )),
            45015 => SendError::Permanent(
                "she last wrote to the account more than 48 hours ago, and WeChat takes messages only within them"
                    .into(),
            ),
            43004 => SendError::Permanent("she no longer follows the account".into()),
            code => SendError::Permanent(format!("WeChat refused the message ({code}): {message}")),
        }
    }

    /// The access token and its hash: this node's while it lasts, else the one every node shares,
    /// else a new one fetched (by one node at a time) and shared.
    async fn access_token(
        &self,
        now: i64,
        shared: &SharedTokens<'_>,
    ) -> Result<(String, String), SendError> {
        let mut held = self.token.lock().await;
        if let Some(h) = held.as_ref()
            && h.until > now
        {
            return Ok((h.token.clone(), h.hash.clone()));
        }
        let database =
            |e: qiaoyi_store::StoreError| SendError::Transient(format!("the database: {e}"));
        let context = token_context(&self.app_id);
        let kept = match shared
            .store
            .wechat_token(&self.app_id)
            .await
            .map_err(database)?
        {
            Some(kept) if kept.use_until > now * 1000 => kept,
            _ => shared
                .store
                .refresh_wechat_token(&self.app_id, now * 1000, || async {
                    let (token, until) = self.fetch_token(now).await?;
                    Ok::<_, SendError>(qiaoyi_store::SharedWechatToken {
                        sealed: shared.vault.seal(&context, &token),
                        hash: sha256_hex(token.as_bytes()),
                        use_until: until * 1000,
                    })
                })
                .await
                .map_err(database)??,
        };
        let token = shared.vault.open(&context, &kept.sealed).map_err(|e| {
            SendError::Transient(format!("the shared access token does not open: {e}"))
        })?;
        *held = Some(HeldToken {
            token: token.clone(),
            hash: kept.hash.clone(),
            until: kept.use_until / 1000,
        });
        Ok((token, kept.hash))
    }

    /// A new access token from WeChat and the second to stop using it.
    async fn fetch_token(&self, now: i64) -> Result<(String, i64), SendError> {
        let response = self
            .client
            .get(format!("{}/cgi-bin/token", self.base))
            .query(&[
                ("grant_type", "client_credential"),
                ("appid", self.app_id.as_str()),
                ("secret", self.secret.as_str()),
            ])
            .send()
            .await
            // The address carries the AppSecret: never in an error.
            .map_err(|e| {
                SendError::Transient(format!("WeChat's access token: {}", e.without_url()))
            })?;
        let answer = read_wechat(response).await?;
        match (answer.access_token, answer.expires_in) {
            (Some(token), Some(seconds)) if answer.errcode == 0 && !token.is_empty() => {
                Ok((token, now + seconds - 300))
            }
            // A wrong AppID or secret, or this server's address not on the account's list: an
            // operator's to fix, and the messages wait for it.
            _ => Err(SendError::Transient(format!(
                "WeChat gave no access token ({}): {}; check wechat_app_id, wechat_app_secret and the account's IP allow-list",
                answer.errcode, answer.errmsg
            ))),
        }
    }
}

/// WeChat's answer as JSON; a 5xx or an answer that is not WeChat's is worth another try.
async fn read_wechat(response: reqwest::Response) -> Result<WechatAnswer, SendError> {
    let status = response.status();
    if !status.is_success() {
        return Err(SendError::Transient(format!("WeChat answered {status}")));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| SendError::Transient(format!("WeChat's answer: {}", e.without_url())))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| SendError::Transient(format!("WeChat's answer does not read: {e}")))
}

impl Email {
    async fn send(&self, out: &Outgoing<'_>) -> Result<(), SendError> {
        let mut message = email_message(out, &self.from, &self.domain)?;
        if let Some(dkim) = &self.dkim {
            lettre::message::dkim::dkim_sign(&mut message, dkim);
        }
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(format!("SMTP: {e}"))),
            Err(e) => Err(SendError::Transient(format!("SMTP: {e}"))),
        }
    }
}

/// The headers a DKIM signature covers: who, what and when, the language, and the unsubscribe
/// headers, which RFC 8058 requires to be signed (absent ones are signed as absent, so none can
/// be added on the way). The body hash covers the MIME parts; the top `Content-Type` is not
/// signed, since lettre writes it with the body, after signing.
const DKIM_HEADERS: [&str; 9] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Language",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// DKIM signing with the key in `file`: RSA in PEM, or Ed25519 as base64 of its 32 bytes.
fn dkim_config(
    selector: &str,
    domain: &str,
    file: &std::path::Path,
) -> Result<lettre::message::dkim::DkimConfig, String> {
    use lettre::message::dkim::{
        DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
        DkimSigningKey,
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("dkim_key_file {}: {e}", file.display()))?;
    let text = text.trim();
    let algorithm = if text.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
        DkimSigningAlgorithm::Rsa
    } else {
        DkimSigningAlgorithm::Ed25519
    };
    let key = DkimSigningKey::new(text, algorithm).map_err(|e| {
        format!(
            "dkim_key_file {}: not an RSA key in PEM (BEGIN RSA PRIVATE KEY) nor an Ed25519 key as base64 of 32 bytes: {e}",
            file.display()
        )
    })?;
    Ok(DkimConfig::new(
        selector.to_owned(),
        domain.to_owned(),
        key,
        DKIM_HEADERS
            .into_iter()
            .map(lettre::message::header::HeaderName::new_from_ascii_str)
            .collect(),
        // Relaxed both ways: what relays commonly rewrap or re-case still verifies.
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    ))
}

/// The signature a gateway checks: hex HMAC-SHA256 over `"{timestamp}.{body}"`.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    qiaoyi_domain::access::audit::hex(&mac.finalize().into_bytes())
}

impl Gateway {
    async fn send(&self, out: &Outgoing<'_>) -> Result<(), SendError> {
        let body = serde_json::json!({
            "id": out.id,
            "to": out.recipient,
            "language": out.language,
            "template": out.template,
            "subject": out.rendered.subject,
            "text": out.rendered.body,
        })
        .to_string();
        let timestamp = out.sent_at;
        let signature = webhook_signature(&self.secret, timestamp, body.as_bytes());
        let response = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", out.id)
            .header("X-Qiaoyi-Timestamp", timestamp.to_string())
            .header("X-Qiaoyi-Signature", format!("sha256={signature}"))
            .body(body)
            .send()
            .await
            // Without the URL: it may carry the gateway's credentials.
            .map_err(|e| SendError::Transient(format!("gateway: {}", e.without_url())))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
            Err(SendError::Permanent(format!("gateway answered {status}")))
        } else {
            Err(SendError::Transient(format!("gateway answered {status}")))
        }
    }
}
