//! The bureau's WeChat Official Account (服务号) as a consultation channel: WeChat posts each
//! message someone writes to the account to `/wechat/callback`, in safe mode. Her texts, pictures
//! and voice messages (the recording, with the words WeChat heard) become messages of her open
//! consultation or open a new one: her account's when her WeChat is linked (`wechat_link.rs`),
//! else a guest's known by her OpenID. Routing, shifts and deadlines are those of every
//! consultation.
//!
//! Every callback is checked before anything is read or kept: the timestamp within
//! [`WINDOW_SECS`], the signature, then the decryption (`domain::wechat`); a request whose
//! timestamp and nonce were seen before is a replay and refused. WeChat sends a message again
//! when an answer is slow; a message already taken (its `MsgId`) is answered and not kept twice.

use qiaoyi_domain::consultations::{check_message, check_subject};
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_domain::wechat::{
    Callback, Message, MessageKey, MessageKind, WechatError, asks_for_link_code, check_timestamp,
    text_reply, verify_url_signature,
};

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::cases::MediaType;
use qiaoyi_store::{ChatFile, ConflictKind, StoreError, WechatTaken};

use crate::accounts::random_hex;
use crate::config::Config;
use crate::consultations::Side;
use crate::delivery::SendError;
use crate::{App, AppError, Caller};

/// How far a callback's timestamp may be from this server's clock, in seconds.
pub const WINDOW_SECS: i64 = 300;
/// How long an answer WeChat refused (her 48 hours were over) waits for her to write again.
const ANSWERS_WAIT_MS: i64 = 30 * 24 * 3600 * 1000;
/// The subject of a consultation opened from WeChat: the start of her first message.
const SUBJECT_CHARS: usize = 40;

/// What WeChat puts in the callback's query.
#[derive(Clone, Debug, Default)]
pub struct CallbackQuery {
    pub signature: String,
    pub timestamp: String,
    pub nonce: String,
    /// Safe mode's signature over the encrypted body (POST only).
    pub msg_signature: String,
    /// The text to echo when WeChat checks the server address (GET only).
    pub echostr: String,
}

/// The account as configured, its EncodingAESKey decoded once.
#[derive(Clone)]
pub(crate) struct Account {
    app_id: String,
    token: String,
    key: MessageKey,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token and the key stay out of every log.
        f.debug_struct("Account")
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl Account {
    /// The configured account; `None` when WeChat is not set up. The configuration checked the
    /// settings when it was read; a key that still does not decode is refused here.
    pub(crate) fn from_config(config: &Config) -> Result<Option<Account>, AppError> {
        let (Some(app_id), Some(token), Some(key)) = (
            config.wechat_app_id.as_deref(),
            config.wechat_token.as_ref(),
            config.wechat_encoding_aes_key.as_ref(),
        ) else {
            return Ok(None);
        };
        Ok(Some(Account {
            app_id: app_id.to_owned(),
            token: token.0.clone(),
            key: MessageKey::from_encoding_aes_key(&key.0).map_err(AppError::Wechat)?,
        }))
    }
}

impl App {
    fn wechat_account(&self) -> Result<&Account, AppError> {
        self.wechat
            .as_ref()
            .ok_or_else(|| AppError::NotFound("a WeChat account on this server".into()))
    }

    /// WeChat checking the server address: its `echostr` back when the signature is the token's.
    pub fn wechat_check_address(
        &self,
        query: &CallbackQuery,
        now: i64,
    ) -> Result<String, AppError> {
        let account = self.wechat_account()?;
        check_timestamp(&query.timestamp, now / 1000, WINDOW_SECS).map_err(AppError::Wechat)?;
        verify_url_signature(
            &account.token,
            &query.timestamp,
            &query.nonce,
            &query.signature,
        )
        .map_err(AppError::Wechat)?;
        Ok(query.echostr.clone())
    }

    /// Takes one callback: checks, decrypts and acts on the message, and returns the body to
    /// answer with (a signed, encrypted reply, or `success` when there is nothing to say).
    pub async fn wechat_callback(
        &self,
        caller: &Caller,
        query: &CallbackQuery,
        body: &str,
    ) -> Result<String, AppError> {
        let account = self.wechat_account()?;
        let callback = Callback {
            timestamp: &query.timestamp,
            nonce: &query.nonce,
            msg_signature: &query.msg_signature,
            body,
        };
        let plain = account
            .key
            .open(
                &account.token,
                &account.app_id,
                &callback,
                caller.now / 1000,
                WINDOW_SECS,
            )
            .map_err(AppError::Wechat)?;
        let message = Message::parse(&plain).map_err(AppError::Wechat)?;
        let message_key = match message.msg_id {
            Some(id) => format!("m:{id}"),
            None => format!("m:{}:{}", message.from_user_name, message.create_time),
        };
        let request_key = format!("n:{}:{}", query.timestamp, query.nonce);
        let taken = WechatTaken {
            message: &message_key,
            request: &request_key,
            now: caller.now,
            // Forgotten once no request that old could be accepted.
            forget_before: caller.now - 2 * WINDOW_SECS * 1000,
            from: &message.from_user_name,
            answers: Notice::ConsultationAnswer.template(),
            waiting_since: caller.now - ANSWERS_WAIT_MS,
        };
        let answer = match self.wechat_message(caller, &message, &taken).await {
            Err(AppError::Store(StoreError::Conflict {
                kind: ConflictKind::Retried,
                ..
            })) => return Ok("success".into()),
            Err(AppError::Store(StoreError::Conflict {
                kind: ConflictKind::Replayed,
                ..
            })) => return Err(AppError::Wechat(WechatError::Replayed)),
            other => other?,
        };
        let Some(answer) = answer else {
            return Ok("success".into());
        };
        let reply = text_reply(
            &message.from_user_name,
            &message.to_user_name,
            caller.now / 1000,
            &answer,
        );
        let mut random = [0u8; 16];
        getrandom::fill(&mut random)
            .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
        Ok(account.key.seal(
            &account.token,
            &account.app_id,
            &reply,
            caller.now / 1000,
            &random_hex(8),
            random,
        ))
    }

    /// Acts on one message; the text to answer her with, if any: in her account's language when
    /// her WeChat is linked, else in Chinese (WeChat does not say which language she reads).
    async fn wechat_message(
        &self,
        caller: &Caller,
        message: &Message,
        taken: &WechatTaken<'_>,
    ) -> Result<Option<String>, AppError> {
        let openid = message.from_user_name.as_str();
        let asker = Asker {
            openid,
            account: match self.store.wechat_link_of_openid(openid).await? {
                Some(link) => self.store.user_by_id(&link.user_id).await?,
                None => None,
            },
        };
        let content = match &message.kind {
            MessageKind::Text { content } => content,
            MessageKind::Event { event, .. } => {
                self.store.take_wechat(taken).await?;
                if event != "subscribe" {
                    return Ok(None);
                }
                return Ok(Some(asker.say(Reply::Welcome, &[])?));
            }
            MessageKind::Image { media_id, .. } => {
                return Ok(Some(
                    self.wechat_image(caller, &asker, media_id, taken).await?,
                ));
            }
            MessageKind::Voice {
                media_id,
                format,
                recognition,
            } => {
                let heard = recognition.as_deref().filter(|r| !r.trim().is_empty());
                return Ok(Some(
                    self.wechat_voice(caller, &asker, media_id, format, heard, taken)
                        .await?,
                ));
            }
            _ => {
                self.store.take_wechat(taken).await?;
                return Ok(Some(asker.say(Reply::Unsupported, &[])?));
            }
        };
        if asks_for_link_code(content) {
            return Ok(Some(self.send_link_code(openid, taken).await?));
        }
        let Ok(body) = check_message(content) else {
            self.store.take_wechat(taken).await?;
            return Ok(Some(asker.say(Reply::TooLong, &[])?));
        };
        Ok(Some(
            self.wechat_write(caller, &asker, &body, None, taken)
                .await?,
        ))
    }

    /// Her picture, fetched from WeChat and checked by its content like any upload (JPEG or PNG,
    /// within the upload limit), as a message of her consultation. One WeChat could not give, or
    /// that is not a picture, is not kept, and she is asked to send it again.
    async fn wechat_image(
        &self,
        caller: &Caller,
        asker: &Asker<'_>,
        media_id: &str,
        taken: &WechatTaken<'_>,
    ) -> Result<String, AppError> {
        let fetched = self.wechat_media(caller, media_id).await?;
        let content = match fetched {
            Ok(content) => content,
            Err(e) => {
                tracing::warn!(
                    error = e.text(),
                    "a picture sent in WeChat could not be fetched"
                );
                // A passing failure is not taken: WeChat's own retry may fetch it.
                if matches!(e, SendError::Permanent(_)) {
                    self.store.take_wechat(taken).await?;
                }
                return asker.say(Reply::PictureMissing, &[]);
            }
        };
        let name = match MediaType::sniff(&content) {
            Some(MediaType::Png) => "微信图片.png",
            _ => "微信图片.jpg",
        };
        let Ok(checked) = self.check_file(name, &content) else {
            self.store.take_wechat(taken).await?;
            return asker.say(
                Reply::PictureRefused,
                &[("mb", self.config.max_upload_mb.to_string())],
            );
        };
        let file = ChatFile {
            name: &checked.name,
            media_type: checked.media_type.as_str(),
            sha256: &checked.sha256,
            content: &content,
        };
        self.wechat_write(caller, asker, &checked.name, Some(file), taken)
            .await
    }

    /// The file behind a `MediaId`, fetched with the shared token within the upload limit.
    async fn wechat_media(
        &self,
        caller: &Caller,
        media_id: &str,
    ) -> Result<Result<Vec<u8>, SendError>, AppError> {
        let max = usize::try_from(self.config.max_upload_mb.saturating_mul(1024 * 1024))
            .unwrap_or(usize::MAX);
        let shared = crate::delivery::SharedTokens {
            store: &self.store,
            vault: &self.vault,
        };
        self.transports
            .wechat_media(media_id, max, caller.now / 1000, &shared)
            .await
            .ok_or_else(|| AppError::NotFound("a WeChat account on this server".into()))
    }

    /// Her voice message: the recording (AMR, recognised by its content) kept as an attachment,
    /// with what WeChat's speech recognition heard as its text when the account has it on. A
    /// recording WeChat could not give, or in another format (Speex), leaves only the words heard;
    /// without them she is asked to write.
    async fn wechat_voice(
        &self,
        caller: &Caller,
        asker: &Asker<'_>,
        media_id: &str,
        format: &str,
        heard: Option<&str>,
        taken: &WechatTaken<'_>,
    ) -> Result<String, AppError> {
        let recording = match self.wechat_media(caller, media_id).await? {
            Ok(content) if MediaType::sniff(&content) == Some(MediaType::Amr) => Some(content),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(
                    error = e.text(),
                    format,
                    "a voice message sent in WeChat could not be fetched"
                );
                if matches!(e, SendError::Transient(_)) && heard.is_none() {
                    // Not taken: WeChat's own retry may fetch it.
                    return asker.say(Reply::VoiceMissing, &[]);
                }
                None
            }
        };
        let body = match heard {
            Some(words) => format!("（语音）{words}"),
            None => "（语音）".to_owned(),
        };
        let (Ok(body), true) = (check_message(&body), recording.is_some() || heard.is_some())
        else {
            self.store.take_wechat(taken).await?;
            return asker.say(Reply::VoiceRefused, &[]);
        };
        let sha256 = recording.as_deref().map(sha256_hex);
        let file = match (&recording, &sha256) {
            (Some(content), Some(sha256)) => Some(ChatFile {
                name: "微信语音.amr",
                media_type: MediaType::Amr.as_str(),
                sha256,
                content,
            }),
            _ => None,
        };
        self.wechat_write(caller, asker, &body, file, taken).await
    }

    /// Her message (a text, or a picture with its name as text): one of her open consultation,
    /// or the first of a new one; her account's when her WeChat is linked to one, else a guest's.
    async fn wechat_write(
        &self,
        caller: &Caller,
        asker: &Asker<'_>,
        body: &str,
        file: Option<ChatFile<'_>>,
        taken: &WechatTaken<'_>,
    ) -> Result<String, AppError> {
        let (openid, account) = (asker.openid, &asker.account);
        let person = account.as_ref().map(|u| u.id.as_str());
        if let Some(row) = self.store.open_wechat_consultation(openid, person).await? {
            self.write_message(caller, &row, Side::Person, body, file, Some(taken))
                .await?;
            return asker.say(Reply::Joined, &[("number", row.id.clone())]);
        }
        let id = format!("q-{}", random_hex(10));
        let subject: String = body.chars().take(SUBJECT_CHARS).collect();
        let subject = check_subject(&subject.replace(['\n', '\t'], " "))
            .map_err(|_| AppError::Internal("a checked message makes no subject".into()))?;
        let (consultant, until) = self.route_new_consultation(caller.now).await?;
        let mut row = crate::consultations::new_record(
            &id,
            asker.lang(),
            &subject,
            consultant.clone(),
            caller.now,
            until,
        );
        row.wechat_openid = Some(openid.to_owned());
        match account {
            Some(user) => {
                row.person_id = Some(user.id.clone());
                row.person_name = user.display_name.clone();
            }
            None => {
                // Her name is not WeChat's to give; messages show the channel, the same in every
                // language.
                row.guest_name = "WeChat".into();
                row.person_name = row.guest_name.clone();
            }
        }
        let first = qiaoyi_store::NewChatMessage {
            author_id: person,
            side: "person",
            body,
            at: caller.now,
            file,
        };
        self.start_consultation(
            caller,
            &row,
            &first,
            Vec::new(),
            "from WeChat, ",
            Some(taken),
        )
        .await?;
        let number = ("number", id.clone());
        match until {
            _ if consultant.is_some() => asker.say(Reply::Opened, &[number]),
            Some(minutes) => asker.say(
                Reply::OpenedWaiting,
                &[number, ("hours", minutes.div_ceil(60).max(1).to_string())],
            ),
            None => asker.say(Reply::OpenedLater, &[number]),
        }
    }
}

/// Who wrote: her OpenID, and her account when her WeChat is linked to one.
struct Asker<'a> {
    openid: &'a str,
    account: Option<qiaoyi_store::UserRow>,
}

impl Asker<'_> {
    /// The language the account answers her in: her account's, else Chinese.
    fn lang(&self) -> Lang {
        self.account.as_ref().map_or(Lang::Zh, |u| u.language)
    }

    fn say(&self, reply: Reply, args: &[(&'static str, String)]) -> Result<String, AppError> {
        crate::notify::words(self.lang(), reply.id(), args).map_err(AppError::Internal)
    }
}

/// What the account says back in WeChat (`wechat-*` in `notices/{lang}.ftl`).
#[derive(Clone, Copy, Debug)]
enum Reply {
    Welcome,
    Unsupported,
    TooLong,
    PictureMissing,
    /// `$mb`: the upload limit.
    PictureRefused,
    VoiceMissing,
    VoiceRefused,
    /// `$number`: her consultation's.
    Joined,
    Opened,
    /// `$number`, and `$hours` until someone is on shift.
    OpenedWaiting,
    OpenedLater,
}

impl Reply {
    #[cfg(test)]
    const ALL: [Reply; 11] = [
        Reply::Welcome,
        Reply::Unsupported,
        Reply::TooLong,
        Reply::PictureMissing,
        Reply::PictureRefused,
        Reply::VoiceMissing,
        Reply::VoiceRefused,
        Reply::Joined,
        Reply::Opened,
        Reply::OpenedWaiting,
        Reply::OpenedLater,
    ];

    fn id(self) -> &'static str {
        match self {
            Reply::Welcome => "wechat-welcome",
            Reply::Unsupported => "wechat-unsupported",
            Reply::TooLong => "wechat-too-long",
            Reply::PictureMissing => "wechat-picture-missing",
            Reply::PictureRefused => "wechat-picture-refused",
            Reply::VoiceMissing => "wechat-voice-missing",
            Reply::VoiceRefused => "wechat-voice-refused",
            Reply::Joined => "wechat-joined",
            Reply::Opened => "wechat-opened",
            Reply::OpenedWaiting => "wechat-opened-waiting",
            Reply::OpenedLater => "wechat-opened-later",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_is_written_in_every_language_with_its_values() {
        let args = [
            ("number", "q-0123456789abcdef0123".to_owned()),
            ("hours", "3".to_owned()),
            ("mb", "10".to_owned()),
        ];
        for lang in Lang::ALL {
            for reply in Reply::ALL {
                let text = crate::notify::words(lang, reply.id(), &args)
                    .unwrap_or_else(|e| panic!("{reply:?} in {}: {e}", lang.tag()));
                assert!(!text.trim().is_empty(), "{reply:?} in {}", lang.tag());
                if matches!(
                    reply,
                    Reply::Joined | Reply::Opened | Reply::OpenedWaiting | Reply::OpenedLater
                ) {
                    assert!(
                        text.contains("q-0123456789abcdef0123"),
                        "{reply:?} in {}: {text}",
                        lang.tag()
                    );
                }
            }
        }
        let missing = crate::notify::words(Lang::It, Reply::Joined.id(), &[]);
        assert!(missing.is_err(), "a missing value is an error, not a blank");
    }
}
