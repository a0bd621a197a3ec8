//! Configuration: defaults, then an optional TOML file, then `QIAOYI_*` environment variables.
//! An unknown key in the file or an unknown `QIAOYI_` variable is an error naming it, so a typo never
//! silently falls back to a default.

use std::net::SocketAddr;
use std::path::PathBuf;

use qiaoyi_store::DatabaseUrl;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Where the SQLite database and later the search index live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; unset means `qiaoyi.db` in `data_dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// The directory holding PostgreSQL's `pg_dump` and `pg_restore`, for `qiaoyi backup` and
    /// `restore` on PostgreSQL (e.g. `/usr/lib/postgresql/17/bin`). Unset: found on the path.
    /// Their version must be the server's or newer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pg_bin_dir: Option<PathBuf>,
    /// Log filter, as `RUST_LOG` takes it (e.g. `info`, `qiaoyi=debug`).
    pub log: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// The address people use to reach the service; `https://…` marks cookies `Secure`.
    pub public_url: String,
    /// Whether `public_url` was given (in the file or the environment) rather than left at its
    /// default: `qiaoyi demo` otherwise takes it from the address it listens on.
    #[serde(skip)]
    pub public_url_given: bool,
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// A session ends this many hours after sign-in, however active.
    pub session_absolute_hours: i64,
    /// 64 hex characters: the key that seals identity numbers. Unset: `secret.key` in `data_dir`,
    /// created on first start. Several servers sharing one PostgreSQL database must share it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<SecretKey>,
    /// The letters before a case number, e.g. `QT` in `QT-2026-000123`.
    pub case_prefix: String,
    /// The largest uploaded file accepted, in megabytes.
    pub max_upload_mb: i64,
    /// The SMTP server that sends e-mail. Unset: messages are written to the server log instead
    /// (target `qiaoyi::outbox`), which suits trying Qiaoyi out and nothing else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (upgrade a plain connection, usually port 587), `tls` (TLS from the start, usually
    /// 465) or `none` (plain text; only for a relay on the same machine).
    pub smtp_tls: SmtpTls,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_password: Option<SecretKey>,
    /// The sender of e-mail, e.g. `青田县侨务服务 <noreply@example.gov.cn>`.
    pub mail_from: String,
    /// DKIM: the selector of the key published at `<selector>._domainkey.<mail_from's domain>`.
    /// Set with `dkim_key_file`, every e-mail is signed (RFC 6376), covering its unsubscribe
    /// headers as RFC 8058 asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_selector: Option<String>,
    /// DKIM: the private key, an RSA key in PEM (`-----BEGIN RSA PRIVATE KEY-----`, PKCS #1) or an
    /// Ed25519 key as the base64 of its 32 bytes (RFC 8463).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_key_file: Option<PathBuf>,
    /// The SMS or messaging gateway that receives text messages as signed JSON POSTs. Unset: text
    /// messages are written to the server log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_webhook_url: Option<String>,
    /// The shared secret the gateway checks signatures with (required with `sms_webhook_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_webhook_secret: Option<SecretKey>,
    /// A WeChat Official Account (服务号) whose message server, in safe mode (安全模式), is this
    /// server's `/wechat/callback`: its AppID (`wx` and 16 hex digits). Given with the token, the
    /// EncodingAESKey and the AppSecret, people can ask and be answered through the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat_app_id: Option<String>,
    /// The account's AppSecret, for its access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat_app_secret: Option<SecretKey>,
    /// The token entered in the account's server settings (3 to 32 letters and digits): WeChat
    /// signs every request with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat_token: Option<SecretKey>,
    /// The EncodingAESKey of the server settings (43 characters): messages are encrypted with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat_encoding_aes_key: Option<SecretKey>,
    /// WeChat's API; tests point it at a stand-in.
    pub wechat_api_base: String,
    /// The template message (模板消息) that tells someone an answer waits when it came more than
    /// 48 hours after she last wrote: its template ID, of a template whose first keywords are
    /// 事项 and 时间. Without it she receives the answer when she next writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat_template_id: Option<String>,
    /// A message that failed this many times is set aside as dead for an administrator to see.
    pub outbox_max_attempts: i64,
    /// The STUN and TURN servers video rooms use to connect across networks, e.g.
    /// `["stun:turn.example.gov.cn:3478", "turn:turn.example.gov.cn:3478?transport=udp",
    /// "turns:turn.example.gov.cn:443?transport=tcp"]`. Empty: browsers connect directly, which
    /// works on one network only.
    pub ice_servers: Vec<String>,
    /// coturn's `static-auth-secret` (at least 16 characters), required when `ice_servers` names a
    /// TURN relay: each admitted participant gets credentials made with it, valid while the room
    /// is open; the secret itself never leaves the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turn_secret: Option<SecretKey>,
    /// `all` (direct connections first, the relay when they fail) or `relay` (always through the
    /// TURN relay: hides addresses, and what a firewall that allows only the relay needs).
    pub ice_transport_policy: IcePolicy,
    /// The bearer token a Prometheus server sends for `/metrics` (at least 16 characters). Unset:
    /// `/metrics` answers only callers on this machine (a scraper beside the server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_token: Option<SecretKey>,
    /// The reverse proxies in front of this server (addresses or networks, e.g. `127.0.0.1`,
    /// `10.0.0.0/8`). Only a request that comes from one of them has its client's address read
    /// from `X-Forwarded-For` (for rate limits, the audit log and "who read my file"); from
    /// anywhere else the header is ignored.
    pub trusted_proxies: Vec<String>,
    /// Passport reminders go out this many months before expiry.
    pub reminder_months: Vec<u32>,
    /// The catalogue item a passport reminder links to.
    pub renewal_item: String,
    /// A green-channel request nobody decided within this many minutes escalates to every duty
    /// leader.
    pub green_channel_escalate_minutes: u32,
    /// A child paired with a proxy parent and not visited for more than this many days is flagged
    /// on the care board, and her proxy parent and the coordinator who paired them are told.
    pub care_alert_days: u32,
    /// The CJK OpenType font (`.otf`, `.ttf` or a `.ttc` collection) certificates are printed in.
    pub certificate_font: PathBuf,
    /// Which face of a collection: 2 is Simplified Chinese in Noto Sans CJK's `.ttc`.
    pub certificate_font_index: u32,
    /// The online payment providers staff may record payments from (`[[payment_providers]]`
    /// tables; not settable from the environment). None: online payments carry a reference only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payment_providers: Vec<PaymentProviderConfig>,
}

/// One online payment provider: how its references look and, optionally, the gateway that confirms
/// them (a signed JSON POST, see the README).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentProviderConfig {
    /// 2 to 20 lower-case letters, digits or underscores, e.g. `alipay`.
    pub code: String,
    /// As staff and receipts show it, e.g. `支付宝 Alipay`.
    pub name: String,
    #[serde(default = "default_reference_min")]
    pub reference_min: usize,
    #[serde(default = "default_reference_max")]
    pub reference_max: usize,
    #[serde(default)]
    pub reference_digits_only: bool,
    /// Where to ask whether a reference paid an amount. Unset: the payment is recorded on the
    /// staff member's word and marked so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_url: Option<String>,
    /// The key of the request signature (at least 16 characters; required with `confirm_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_secret: Option<SecretKey>,
}

fn default_reference_min() -> usize {
    6
}

fn default_reference_max() -> usize {
    64
}

impl PaymentProviderConfig {
    pub fn rule(&self) -> qiaoyi_domain::fees::ReferenceRule {
        qiaoyi_domain::fees::ReferenceRule {
            min: self.reference_min,
            max: self.reference_max,
            digits_only: self.reference_digits_only,
        }
    }
}

/// Which connections a video room's browsers may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IcePolicy {
    All,
    Relay,
}

impl IcePolicy {
    /// As `RTCPeerConnection`'s `iceTransportPolicy` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            IcePolicy::All => "all",
            IcePolicy::Relay => "relay",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

/// A key that `Debug` and logs never show.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretKey(pub String);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./qiaoyi-data"),
            database_url: None,
            pg_bin_dir: None,
            log: "info".into(),
            log_format: LogFormat::Text,
            public_url: "http://127.0.0.1:8080".into(),
            public_url_given: false,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            secret_key: None,
            case_prefix: "QT".into(),
            max_upload_mb: 10,
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            mail_from: "Qiaoyi <noreply@localhost>".into(),
            dkim_selector: None,
            dkim_key_file: None,
            sms_webhook_url: None,
            sms_webhook_secret: None,
            wechat_app_id: None,
            wechat_app_secret: None,
            wechat_token: None,
            wechat_encoding_aes_key: None,
            wechat_api_base: "https://api.weixin.qq.com".into(),
            wechat_template_id: None,
            outbox_max_attempts: 8,
            metrics_token: None,
            trusted_proxies: Vec::new(),
            ice_servers: Vec::new(),
            turn_secret: None,
            ice_transport_policy: IcePolicy::All,
            reminder_months: vec![9, 6, 3],
            renewal_item: "EE-01".into(),
            green_channel_escalate_minutes: 120,
            care_alert_days: 30,
            certificate_font: PathBuf::from(
                "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            ),
            certificate_font_index: 2,
            payment_providers: Vec::new(),
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("{var}: {message}")]
    Env { var: String, message: String },
    #[error("database_url: {0}")]
    DatabaseUrl(String),
}

/// The environment variables we read, and the key each sets.
const ENV_KEYS: [(&str, &str); 40] = [
    ("QIAOYI_SMTP_HOST", "smtp_host"),
    ("QIAOYI_SMTP_PORT", "smtp_port"),
    ("QIAOYI_SMTP_TLS", "smtp_tls"),
    ("QIAOYI_SMTP_USERNAME", "smtp_username"),
    ("QIAOYI_SMTP_PASSWORD", "smtp_password"),
    ("QIAOYI_MAIL_FROM", "mail_from"),
    ("QIAOYI_DKIM_SELECTOR", "dkim_selector"),
    ("QIAOYI_DKIM_KEY_FILE", "dkim_key_file"),
    ("QIAOYI_SMS_WEBHOOK_URL", "sms_webhook_url"),
    ("QIAOYI_SMS_WEBHOOK_SECRET", "sms_webhook_secret"),
    ("QIAOYI_WECHAT_APP_ID", "wechat_app_id"),
    ("QIAOYI_WECHAT_APP_SECRET", "wechat_app_secret"),
    ("QIAOYI_WECHAT_TOKEN", "wechat_token"),
    ("QIAOYI_WECHAT_ENCODING_AES_KEY", "wechat_encoding_aes_key"),
    ("QIAOYI_WECHAT_API_BASE", "wechat_api_base"),
    ("QIAOYI_WECHAT_TEMPLATE_ID", "wechat_template_id"),
    ("QIAOYI_OUTBOX_MAX_ATTEMPTS", "outbox_max_attempts"),
    ("QIAOYI_METRICS_TOKEN", "metrics_token"),
    ("QIAOYI_TRUSTED_PROXIES", "trusted_proxies"),
    ("QIAOYI_REMINDER_MONTHS", "reminder_months"),
    ("QIAOYI_ICE_SERVERS", "ice_servers"),
    ("QIAOYI_TURN_SECRET", "turn_secret"),
    ("QIAOYI_ICE_TRANSPORT_POLICY", "ice_transport_policy"),
    ("QIAOYI_RENEWAL_ITEM", "renewal_item"),
    (
        "QIAOYI_GREEN_CHANNEL_ESCALATE_MINUTES",
        "green_channel_escalate_minutes",
    ),
    ("QIAOYI_CARE_ALERT_DAYS", "care_alert_days"),
    ("QIAOYI_CERTIFICATE_FONT", "certificate_font"),
    ("QIAOYI_CERTIFICATE_FONT_INDEX", "certificate_font_index"),
    ("QIAOYI_CASE_PREFIX", "case_prefix"),
    ("QIAOYI_MAX_UPLOAD_MB", "max_upload_mb"),
    ("QIAOYI_SECRET_KEY", "secret_key"),
    ("QIAOYI_PUBLIC_URL", "public_url"),
    ("QIAOYI_SESSION_IDLE_MINUTES", "session_idle_minutes"),
    ("QIAOYI_SESSION_ABSOLUTE_HOURS", "session_absolute_hours"),
    ("QIAOYI_LISTEN", "listen"),
    ("QIAOYI_DATA_DIR", "data_dir"),
    ("QIAOYI_DATABASE_URL", "database_url"),
    ("QIAOYI_PG_BIN_DIR", "pg_bin_dir"),
    ("QIAOYI_LOG", "log"),
    ("QIAOYI_LOG_FORMAT", "log_format"),
];

impl Config {
    /// Builds the configuration from an optional file `(name, contents)` and the environment.
    pub fn load(
        file: Option<(&str, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table = match file {
            Some((name, text)) => text.parse::<toml::Table>().map_err(|e| ConfigError::File {
                file: name.to_owned(),
                message: e.message().to_owned(),
            })?,
            None => toml::Table::new(),
        };
        let file_name = file.map_or("configuration", |(name, _)| name);
        let file_error = |e: toml::de::Error| ConfigError::File {
            file: file_name.to_owned(),
            message: e.message().to_owned(),
        };
        // Check the file alone first, so an unknown or bad key is blamed on the file.
        Config::deserialize(toml::Value::Table(table.clone())).map_err(file_error)?;

        for (var, value) in env {
            if !var.starts_with("QIAOYI_") {
                continue;
            }
            let Some((_, key)) = ENV_KEYS.iter().find(|(name, _)| *name == var) else {
                let known: Vec<&str> = ENV_KEYS.iter().map(|(name, _)| *name).collect();
                return Err(ConfigError::Env {
                    var,
                    message: format!("unknown setting; the settings are {}", known.join(", ")),
                });
            };
            let value = env_value(key, value);
            let alone = toml::Table::from_iter([((*key).to_owned(), value.clone())]);
            Config::deserialize(toml::Value::Table(alone)).map_err(|e| ConfigError::Env {
                var: var.clone(),
                message: e.message().to_owned(),
            })?;
            table.insert((*key).to_owned(), value);
        }
        let public_url_given = table.contains_key("public_url");
        let mut config = Config::deserialize(toml::Value::Table(table)).map_err(file_error)?;
        config.public_url_given = public_url_given;
        config.database_url()?;
        if config.session_idle_minutes < 1 || config.session_absolute_hours < 1 {
            return Err(ConfigError::File {
                file: file_name.to_owned(),
                message: "session_idle_minutes and session_absolute_hours must be at least 1"
                    .into(),
            });
        }
        if qiaoyi_domain::cases::number::valid_prefix(&config.case_prefix).is_err() {
            return Err(ConfigError::File {
                file: file_name.to_owned(),
                message: "case_prefix must be 1 to 8 capital letters, e.g. QT".into(),
            });
        }
        if !(1..=100).contains(&config.max_upload_mb) {
            return Err(ConfigError::File {
                file: file_name.to_owned(),
                message: "max_upload_mb must be between 1 and 100".into(),
            });
        }
        if !(config.public_url.starts_with("http://") || config.public_url.starts_with("https://"))
        {
            return Err(ConfigError::File {
                file: file_name.to_owned(),
                message: "public_url must start with http:// or https://".into(),
            });
        }
        if config
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.0.len() < 16)
        {
            return Err(ConfigError::File {
                file: file_name.to_owned(),
                message: "metrics_token must be at least 16 characters".into(),
            });
        }
        config
            .check_delivery()
            .and_then(|()| config.check_providers())
            .map_err(|message| ConfigError::File {
                file: file_name.to_owned(),
                message,
            })?;
        Ok(config)
    }

    fn check_providers(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for p in &self.payment_providers {
            let code = &p.code;
            if !qiaoyi_domain::fees::is_provider_code(code) {
                return Err(format!(
                    "payment_providers: {code:?} is not a code; use 2 to 20 lower-case letters, digits or underscores"
                ));
            }
            if !seen.insert(code) {
                return Err(format!("payment_providers: {code} is listed twice"));
            }
            if p.name.trim().is_empty() || p.name.chars().count() > 60 {
                return Err(format!(
                    "payment_providers: {code} needs a name of at most 60 characters"
                ));
            }
            if !p.rule().is_sound() {
                return Err(format!(
                    "payment_providers: {code} needs 1 <= reference_min <= reference_max <= 64"
                ));
            }
            match (&p.confirm_url, &p.confirm_secret) {
                (None, None) => {}
                (Some(url), Some(secret))
                    if (url.starts_with("http://") || url.starts_with("https://"))
                        && secret.0.len() >= 16 => {}
                _ => {
                    return Err(format!(
                        "payment_providers: {code} needs confirm_url (http:// or https://) and a confirm_secret of at least 16 characters together"
                    ));
                }
            }
        }
        Ok(())
    }

    /// `trusted_proxies` read: each an address (a network of one) or a network.
    pub fn proxies(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .iter()
            .enumerate()
            .map(|(i, text)| {
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!(
                            "trusted_proxies[{i}]: \"{text}\" is not an address or a network such as 10.0.0.0/8"
                        )
                    })
            })
            .collect()
    }

    /// The video rooms' STUN and TURN servers: each address readable, a TURN relay only with the
    /// secret its credentials are made with.
    fn check_ice(&self) -> Result<(), String> {
        let mut relays = false;
        for (i, text) in self.ice_servers.iter().enumerate() {
            let url = qiaoyi_domain::ice::IceUrl::parse(text)
                .map_err(|e| format!("ice_servers[{i}]: {e}"))?;
            relays |= url.scheme.is_turn();
        }
        match &self.turn_secret {
            Some(secret) if secret.0.len() < 16 => {
                Err("turn_secret must be at least 16 characters".into())
            }
            None if relays => Err(
                "turn_secret: ice_servers names a TURN relay, which needs coturn's static-auth-secret here".into(),
            ),
            _ if self.ice_transport_policy == IcePolicy::Relay && !relays => Err(
                "ice_transport_policy: relay needs a turn: or turns: address in ice_servers".into(),
            ),
            _ => Ok(()),
        }
    }

    /// The WeChat account's settings come all four together, each in the form WeChat gives it.
    fn check_wechat(&self) -> Result<(), String> {
        if !(self.wechat_api_base.starts_with("http://")
            || self.wechat_api_base.starts_with("https://"))
        {
            return Err("wechat_api_base must start with http:// or https://".into());
        }
        let given = [
            self.wechat_app_id.is_some(),
            self.wechat_app_secret.is_some(),
            self.wechat_token.is_some(),
            self.wechat_encoding_aes_key.is_some(),
        ];
        if let Some(template) = &self.wechat_template_id
            && !((1..=64).contains(&template.len())
                && template
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        {
            return Err("wechat_template_id must be the template's ID as the account's template list shows it (letters, digits, - and _)".into());
        }
        if given.iter().all(|g| !g) {
            if self.wechat_template_id.is_some() {
                return Err("wechat_template_id needs the account: give wechat_app_id, wechat_app_secret, wechat_token and wechat_encoding_aes_key too".into());
            }
            return Ok(());
        }
        if !given.iter().all(|g| *g) {
            return Err("give wechat_app_id, wechat_app_secret, wechat_token and wechat_encoding_aes_key together, as the account's developer and server settings show them".into());
        }
        let app_id = self.wechat_app_id.as_deref().unwrap_or_default();
        if !(app_id.len() == 18
            && app_id.starts_with("wx")
            && app_id[2..].bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err("wechat_app_id must be the account's AppID: wx and 16 hex digits".into());
        }
        let token = self.wechat_token.as_ref().map_or("", |t| t.0.as_str());
        if !((3..=32).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return Err("wechat_token must be 3 to 32 letters and digits, as in the account's server settings".into());
        }
        if self
            .wechat_app_secret
            .as_ref()
            .is_some_and(|s| s.0.trim().is_empty())
        {
            return Err("wechat_app_secret must be the account's AppSecret".into());
        }
        let key = self
            .wechat_encoding_aes_key
            .as_ref()
            .map_or("", |k| k.0.as_str());
        qiaoyi_domain::wechat::MessageKey::from_encoding_aes_key(key)
            .map_err(|e| format!("wechat_encoding_aes_key: {e}"))?;
        Ok(())
    }

    fn check_delivery(&self) -> Result<(), String> {
        if !(1..=50).contains(&self.outbox_max_attempts) {
            return Err("outbox_max_attempts must be between 1 and 50".into());
        }
        if !(5..=10_080).contains(&self.green_channel_escalate_minutes) {
            return Err("green_channel_escalate_minutes must be from 5 to 10080 (a week)".into());
        }
        if !(1..=365).contains(&self.care_alert_days) {
            return Err("care_alert_days must be from 1 to 365".into());
        }
        self.check_ice()?;
        self.check_wechat()?;
        self.proxies()?;
        qiaoyi_domain::notify::check_thresholds(&self.reminder_months)
            .map_err(|e| format!("reminder_months: {e}"))?;
        if self
            .renewal_item
            .parse::<qiaoyi_domain::catalog::ItemCode>()
            .is_err()
        {
            return Err("renewal_item must be an item code such as EE-01".into());
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(
                "mail_from must be an address, optionally with a name: Name <noreply@example.org>"
                    .into(),
            );
        }
        if self
            .smtp_host
            .as_deref()
            .is_some_and(|h| h.trim().is_empty())
        {
            return Err(
                "smtp_host must name a host, or be left out to log messages instead".into(),
            );
        }
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Err("give smtp_username and smtp_password together".into());
        }
        if self.dkim_selector.is_some() != self.dkim_key_file.is_some() {
            return Err("give dkim_selector and dkim_key_file together".into());
        }
        if let Some(selector) = &self.dkim_selector
            && (selector.is_empty()
                || selector.len() > 63
                || !selector.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }))
        {
            return Err(
                "dkim_selector must be a DNS name of letters, digits and hyphens, e.g. qiaoyi2026"
                    .into(),
            );
        }
        if let Some(url) = &self.sms_webhook_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err("sms_webhook_url must start with http:// or https://".into());
            }
            if self
                .sms_webhook_secret
                .as_ref()
                .is_none_or(|s| s.0.len() < 16)
            {
                return Err(
                    "sms_webhook_secret of at least 16 characters is required with sms_webhook_url"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// The database to use: the configured URL, or the SQLite file in the data dir.
    pub fn database_url(&self) -> Result<DatabaseUrl, ConfigError> {
        match &self.database_url {
            Some(url) => url
                .parse()
                .map_err(|e: qiaoyi_store::StoreError| ConfigError::DatabaseUrl(e.to_string())),
            None => Ok(DatabaseUrl::sqlite_in(&self.data_dir)),
        }
    }

    /// The defaults as a TOML file one can start from.
    pub fn defaults_toml() -> String {
        let defaults = Config::default();
        let body = toml::to_string(&defaults)
            .unwrap_or_else(|e| unreachable!("default configuration as TOML: {e}"));
        format!(
            "# Qiaoyi configuration. Every key can also be set as QIAOYI_<KEY> in the environment.\n\
             {body}\
             # database_url = \"postgres://qiaoyi@localhost/qiaoyi\"  # unset: SQLite file qiaoyi.db in data_dir\n\
             # secret_key = \"<64 hex characters>\"  # unset: secret.key in data_dir, created on first start\n"
        )
    }
}

/// An environment value as the TOML value its key takes: numbers for numeric settings, a list of
/// numbers for `reminder_months` (`9,6,3`), of addresses for `ice_servers` (separated by commas
/// or spaces), text otherwise.
fn env_value(key: &str, value: String) -> toml::Value {
    if key == "ice_servers" || key == "trusted_proxies" {
        return toml::Value::Array(
            value
                .split([',', ' '])
                .filter(|u| !u.is_empty())
                .map(|u| toml::Value::String(u.to_owned()))
                .collect(),
        );
    }
    if key == "reminder_months" {
        let months: Result<Vec<toml::Value>, _> = value
            .split(',')
            .map(|m| m.trim().parse::<i64>().map(toml::Value::Integer))
            .collect();
        return months.map_or(toml::Value::String(value), toml::Value::Array);
    }
    let numeric = key.starts_with("session_")
        || key.starts_with("max_")
        || key == "smtp_port"
        || key == "outbox_max_attempts"
        || key == "green_channel_escalate_minutes"
        || key == "care_alert_days"
        || key == "certificate_font_index";
    match value.parse::<i64>() {
        Ok(n) if numeric => toml::Value::Integer(n),
        _ => toml::Value::String(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_then_file_then_env() {
        let config = Config::load(None, env(&[])).expect("defaults");
        assert_eq!(config, Config::default());
        let file = "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/q\"\n";
        let config = Config::load(
            Some(("q.toml", file)),
            env(&[("QIAOYI_LISTEN", "0.0.0.0:80")]),
        )
        .expect("layered");
        assert_eq!(config.listen.to_string(), "0.0.0.0:80");
        assert_eq!(config.data_dir, PathBuf::from("/srv/q"));
    }

    #[test]
    fn a_wechat_account_is_given_whole_and_in_wechat_s_forms() {
        let sample = [
            ("QIAOYI_WECHAT_APP_ID", "wx2c2769f8efd9abc2"),
            ("QIAOYI_WECHAT_APP_SECRET", "a sample secret"),
            ("QIAOYI_WECHAT_TOKEN", "spamtest"),
            (
                "QIAOYI_WECHAT_ENCODING_AES_KEY",
                "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            ),
        ];
        let config = Config::load(None, env(&sample)).expect("Tencent's sample account");
        assert_eq!(config.wechat_app_id.as_deref(), Some("wx2c2769f8efd9abc2"));
        // Never printed.
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("spamtest") && !shown.contains("abcdefghij"),
            "{shown}"
        );
        let refused = |change: (&str, &str), says: &str| {
            let mut pairs = sample.to_vec();
            pairs.retain(|(k, _)| *k != change.0);
            if !change.1.is_empty() {
                pairs.push(change);
            }
            let err = Config::load(None, env(&pairs)).expect_err("refused");
            assert!(err.to_string().contains(says), "{err}");
        };
        refused(("QIAOYI_WECHAT_TOKEN", ""), "together");
        refused(("QIAOYI_WECHAT_APP_ID", "wx12"), "wx and 16 hex digits");
        refused(("QIAOYI_WECHAT_TOKEN", "no spaces"), "3 to 32 letters");
        refused(
            ("QIAOYI_WECHAT_ENCODING_AES_KEY", "short"),
            "wechat_encoding_aes_key",
        );
        refused(("QIAOYI_WECHAT_API_BASE", "ftp://x"), "wechat_api_base");
        refused(
            ("QIAOYI_WECHAT_TEMPLATE_ID", "not a template id"),
            "wechat_template_id",
        );
        let with_template = [
            sample.as_slice(),
            &[(
                "QIAOYI_WECHAT_TEMPLATE_ID",
                "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY",
            )],
        ]
        .concat();
        let config = Config::load(None, env(&with_template)).expect("a template");
        assert!(config.wechat_template_id.is_some());
        let err = Config::load(None, env(&[("QIAOYI_WECHAT_TEMPLATE_ID", "abc")]))
            .expect_err("a template without the account");
        assert!(err.to_string().contains("needs the account"), "{err}");
    }

    #[test]
    fn unknown_file_key_is_named() {
        let err = Config::load(Some(("q.toml", "lisen = \"x\"\n")), env(&[])).expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("q.toml") && text.contains("lisen"), "{text}");
    }

    #[test]
    fn unknown_env_var_is_named() {
        let err = Config::load(None, env(&[("QIAOYI_LISTN", "x"), ("PATH", "/bin")]))
            .expect_err("refused");
        assert!(
            err.to_string().starts_with("QIAOYI_LISTN: unknown setting"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_are_refused_with_their_source() {
        let err =
            Config::load(None, env(&[("QIAOYI_LISTEN", "not-an-address")])).expect_err("refused");
        assert!(err.to_string().starts_with("QIAOYI_LISTEN"), "{err}");
        let err =
            Config::load(None, env(&[("QIAOYI_DATABASE_URL", "mysql://x")])).expect_err("refused");
        assert!(err.to_string().contains("\"mysql\""), "{err}");
        let err = Config::load(Some(("q.toml", "listen = 5")), env(&[])).expect_err("refused");
        assert!(err.to_string().starts_with("q.toml"), "{err}");
        let err = Config::load(Some(("q.toml", "listen = ")), env(&[])).expect_err("refused");
        assert!(err.to_string().starts_with("q.toml"), "{err}");
    }

    #[test]
    fn numeric_settings_from_the_environment() {
        let config = Config::load(None, env(&[("QIAOYI_SESSION_IDLE_MINUTES", "5")])).expect("ok");
        assert_eq!(config.session_idle_minutes, 5);
        let err = Config::load(None, env(&[("QIAOYI_SESSION_IDLE_MINUTES", "soon")]))
            .expect_err("refused");
        assert!(
            err.to_string().starts_with("QIAOYI_SESSION_IDLE_MINUTES"),
            "{err}"
        );
        assert!(Config::load(None, env(&[("QIAOYI_SESSION_IDLE_MINUTES", "0")])).is_err());
        assert!(Config::load(None, env(&[("QIAOYI_PUBLIC_URL", "ftp://x")])).is_err());
    }

    #[test]
    fn a_metrics_token_is_long_and_never_shown() {
        let token = "scrape-token-of-the-bureau";
        let config = Config::load(None, env(&[("QIAOYI_METRICS_TOKEN", token)])).expect("ok");
        assert_eq!(
            config.metrics_token.as_ref().map(|t| t.0.as_str()),
            Some(token)
        );
        assert!(!format!("{config:?}").contains(token));
        let err =
            Config::load(None, env(&[("QIAOYI_METRICS_TOKEN", "short")])).expect_err("refused");
        assert!(err.to_string().contains("metrics_token"), "{err}");
    }

    #[test]
    fn the_secret_key_is_never_shown() {
        let config = Config::load(None, env(&[("QIAOYI_SECRET_KEY", "ab12")])).expect("ok");
        assert!(!format!("{config:?}").contains("ab12"));
    }

    #[test]
    fn database_url_defaults_to_sqlite_in_data_dir() {
        let config = Config::load(None, env(&[("QIAOYI_DATA_DIR", "/tmp/q")])).expect("ok");
        let url = config.database_url().expect("url");
        assert_eq!(url.backend(), qiaoyi_store::Backend::Sqlite);
        assert_eq!(url.expose(), "sqlite:///tmp/q/qiaoyi.db");
    }

    #[test]
    fn payment_providers_are_read_and_checked() {
        let good = "[[payment_providers]]\ncode = \"alipay\"\nname = \"支付宝 Alipay\"\nreference_min = 28\nreference_max = 28\nreference_digits_only = true\nconfirm_url = \"https://pay.example/confirm\"\nconfirm_secret = \"a secret of the bureau\"\n\n[[payment_providers]]\ncode = \"card\"\nname = \"Card\"\n";
        let config = Config::load(Some(("q.toml", good)), env(&[])).expect("providers");
        assert_eq!(config.payment_providers.len(), 2);
        assert_eq!(config.payment_providers[1].reference_min, 6);
        assert!(config.payment_providers[1].confirm_url.is_none());
        for (bad, says) in [
            (
                "[[payment_providers]]\ncode = \"Ali\"\nname = \"x\"\n",
                "not a code",
            ),
            (
                "[[payment_providers]]\ncode = \"ab\"\nname = \"x\"\n[[payment_providers]]\ncode = \"ab\"\nname = \"y\"\n",
                "twice",
            ),
            (
                "[[payment_providers]]\ncode = \"ab\"\nname = \" \"\n",
                "name",
            ),
            (
                "[[payment_providers]]\ncode = \"ab\"\nname = \"x\"\nreference_min = 9\nreference_max = 8\n",
                "reference_min",
            ),
            (
                "[[payment_providers]]\ncode = \"ab\"\nname = \"x\"\nconfirm_url = \"https://p.example\"\n",
                "confirm_secret",
            ),
            (
                "[[payment_providers]]\ncode = \"ab\"\nname = \"x\"\nconfirm_url = \"ftp://p.example\"\nconfirm_secret = \"a secret of the bureau\"\n",
                "confirm_url",
            ),
            (
                "[[payment_providers]]\ncode = \"ab\"\nname = \"x\"\ncolour = \"red\"\n",
                "colour",
            ),
        ] {
            let err = Config::load(Some(("q.toml", bad)), env(&[])).expect_err(says);
            assert!(err.to_string().contains(says), "{says}: {err}");
        }
    }

    #[test]
    fn ice_servers_are_checked_at_start_with_the_key_named() {
        let good = env(&[
            (
                "QIAOYI_ICE_SERVERS",
                "stun:turn.qiaoyi.example:3478, turns:turn.qiaoyi.example:443?transport=tcp",
            ),
            ("QIAOYI_TURN_SECRET", "a coturn shared secret"),
            ("QIAOYI_ICE_TRANSPORT_POLICY", "relay"),
        ]);
        let config = Config::load(None, good).expect("ice");
        assert_eq!(config.ice_servers.len(), 2);
        assert_eq!(config.ice_transport_policy, IcePolicy::Relay);
        for (vars, says) in [
            (
                vec![("QIAOYI_ICE_SERVERS", "stun:ok.example,http://x")],
                "ice_servers[1]",
            ),
            (
                vec![("QIAOYI_ICE_SERVERS", "turn:turn.example")],
                "turn_secret",
            ),
            (
                vec![
                    ("QIAOYI_ICE_SERVERS", "turn:turn.example"),
                    ("QIAOYI_TURN_SECRET", "short"),
                ],
                "16 characters",
            ),
            (
                vec![("QIAOYI_ICE_TRANSPORT_POLICY", "relay")],
                "ice_transport_policy",
            ),
            (
                vec![("QIAOYI_ICE_TRANSPORT_POLICY", "sometimes")],
                "QIAOYI_ICE_TRANSPORT_POLICY",
            ),
        ] {
            let err = Config::load(None, env(&vars)).expect_err(says);
            assert!(err.to_string().contains(says), "{says}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let config = Config::load(
            None,
            env(&[("QIAOYI_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")]),
        )
        .expect("proxies");
        let nets = config.proxies().expect("read");
        assert_eq!(nets.len(), 3);
        assert!(nets[1].contains(&"10.2.3.4".parse::<std::net::IpAddr>().expect("ip")));
        let err = Config::load(
            None,
            env(&[("QIAOYI_TRUSTED_PROXIES", "127.0.0.1,proxy.local")]),
        )
        .expect_err("a name");
        assert!(err.to_string().contains("trusted_proxies[1]"), "{err}");
    }

    #[test]
    fn dkim_takes_a_selector_and_a_key_file_together() {
        let good = env(&[
            ("QIAOYI_DKIM_SELECTOR", "qiaoyi2026"),
            ("QIAOYI_DKIM_KEY_FILE", "/etc/qiaoyi/dkim.key"),
        ]);
        let config = Config::load(None, good).expect("dkim");
        assert_eq!(config.dkim_selector.as_deref(), Some("qiaoyi2026"));
        for (vars, says) in [
            (vec![("QIAOYI_DKIM_SELECTOR", "qiaoyi2026")], "together"),
            (vec![("QIAOYI_DKIM_KEY_FILE", "/k")], "together"),
            (
                vec![
                    ("QIAOYI_DKIM_SELECTOR", "qiaoyi 2026"),
                    ("QIAOYI_DKIM_KEY_FILE", "/k"),
                ],
                "DNS name",
            ),
            (
                vec![
                    ("QIAOYI_DKIM_SELECTOR", "a..b"),
                    ("QIAOYI_DKIM_KEY_FILE", "/k"),
                ],
                "DNS name",
            ),
        ] {
            let err = Config::load(None, env(&vars)).expect_err(says);
            assert!(err.to_string().contains(says), "{says}: {err}");
        }
    }

    #[test]
    fn defaults_toml_loads_back_to_the_defaults() {
        let text = Config::defaults_toml();
        let mut loaded = Config::load(Some(("defaults", &text)), env(&[])).expect("loads");
        assert!(loaded.public_url_given, "the file states it");
        loaded.public_url_given = false;
        assert_eq!(loaded, Config::default());
    }

    #[test]
    fn a_public_url_given_anywhere_is_known_as_given() {
        let none = Config::load(None, env(&[])).expect("defaults");
        assert!(!none.public_url_given);
        let file = Config::load(
            Some(("q.toml", "public_url = \"https://qiaoyi.example\"\n")),
            env(&[]),
        )
        .expect("a file");
        assert!(file.public_url_given);
        let var = Config::load(
            None,
            env(&[("QIAOYI_PUBLIC_URL", "https://qiaoyi.example")]),
        )
        .expect("the environment");
        assert!(var.public_url_given && var.public_url == "https://qiaoyi.example");
    }
}
