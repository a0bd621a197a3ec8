//! The message crypto of a WeChat Official Account (服务号) server in safe mode (安全模式), as
//! Tencent's WXBizMsgCrypt specifies it (消息加解密), so that the callback endpoint can tell what
//! WeChat sent from what anyone else posts, read it, and answer in kind.
//!
//! In safe mode WeChat posts `<xml><ToUserName>…</ToUserName><Encrypt>…</Encrypt></xml>` with
//! `timestamp`, `nonce` and `msg_signature` in the query. `msg_signature` is the SHA-1 of the
//! sorted token, timestamp, nonce and `Encrypt`; `Encrypt` is the base64 of AES-256-CBC under the
//! account's EncodingAESKey (the IV being the key's first 16 bytes) of 16 random bytes, the
//! message's length as 4 big-endian bytes, the message (XML) and the AppID, padded PKCS#7-style to
//! a multiple of 32 bytes. A reply travels the same way back inside a signed envelope.
//!
//! CBC carries no integrity of its own, so the order is: freshness ([`check_timestamp`]), then the
//! signature ([`verify_signature`]), and only then decryption; [`MessageKey::open`] does the three
//! in that order. Whoever lacks the token then cannot probe the padding and framing checks with
//! altered ciphertexts. Replays inside the window are the caller's to refuse: it keeps the
//! `(timestamp, nonce)` pairs, or the `MsgId`s, it has seen for as long as the window lasts.
//!
//! The module is pure: the random bytes of an encryption and the current time come in as
//! arguments. The XML read here is refused when it is over [`MAX_BODY`] bytes or declares a
//! DOCTYPE, and entities other than XML's five and character references are never expanded.

use std::collections::BTreeMap;

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use quick_xml::Reader;
use quick_xml::events::Event;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use crate::access::audit::hex;

/// The largest callback body (and `Encrypt` text) read. WeChat's messages are a few kilobytes at
/// most; anything much larger is not from WeChat and is refused before any parsing or decryption.
pub const MAX_BODY: usize = 64 * 1024;

/// WeChat's padding block. Not AES's 16: Tencent's samples pad to 32, and pad bytes run 1..=32.
const PAD_BLOCK: usize = 32;
const AES_BLOCK: usize = 16;
/// 16 random bytes and the 4-byte length come before the message.
const HEADER: usize = 20;

/// The EncodingAESKey is 43 characters of base64 for 32 bytes, so its last character carries two
/// bits beyond them; WeChat's own keys (the sample's ends in `G`) leave those bits set, which the
/// strict standard engine refuses.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// What is wrong with a request, a key or a message. The messages name the fault and what to do;
/// none carries the key, the token or any part of a plaintext.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WechatError {
    #[error(
        "the EncodingAESKey is not 43 characters of base64; copy it again from the account's server settings (服务器配置)"
    )]
    BadKey,
    #[error(
        "the signature does not match; refuse the request, and if WeChat's own requests fail, check the token against the server settings"
    )]
    BadSignature,
    #[error("the timestamp is not a whole number of seconds; refuse the request")]
    BadTimestamp,
    #[error(
        "the timestamp is {off_by} seconds from now, outside the window; refuse the request, and check this server's clock if WeChat's own requests fail"
    )]
    Stale { off_by: u64 },
    #[error(
        "the encrypted text {0}; refuse it, and if WeChat's own messages fail, check the EncodingAESKey against the server settings"
    )]
    Undecryptable(&'static str),
    #[error(
        "the message is addressed to another AppID; check the AppID configured for this account"
    )]
    WrongAppId,
    #[error("the body is {0} bytes, over the {MAX_BODY} a WeChat message may have; refuse it")]
    TooLarge(usize),
    #[error(
        "the XML declares a DOCTYPE, which WeChat never sends; refuse it (its entities are not expanded)"
    )]
    Doctype,
    #[error("the XML is not a WeChat message: {0}; refuse it")]
    Malformed(&'static str),
    #[error("the message has no {0} element; refuse it")]
    Missing(&'static str),
    #[error(
        "this request (its timestamp and nonce) was taken before; a replay is refused, and WeChat sends each request with a nonce of its own"
    )]
    Replayed,
}

/// The account's EncodingAESKey, decoded: the AES-256 key, whose first 16 bytes are also the IV.
#[derive(Clone)]
pub struct MessageKey {
    key: [u8; 32],
}

impl std::fmt::Debug for MessageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MessageKey(…)")
    }
}

impl MessageKey {
    /// Reads the 43-character EncodingAESKey of the account's server settings.
    pub fn from_encoding_aes_key(encoding_aes_key: &str) -> Result<MessageKey, WechatError> {
        // Length and alphabet first: the decoder would otherwise take padding or a shorter key.
        if encoding_aes_key.len() != 43
            || !encoding_aes_key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        {
            return Err(WechatError::BadKey);
        }
        let bytes = KEY_BASE64
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| WechatError::BadKey)?;
        let key = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| WechatError::BadKey)?;
        Ok(MessageKey { key })
    }

    fn iv(&self) -> [u8; AES_BLOCK] {
        let mut iv = [0; AES_BLOCK];
        iv.copy_from_slice(&self.key[..AES_BLOCK]);
        iv
    }

    /// AES-256-CBC over the whole blocks of `buf`, in place (callers give whole blocks only).
    fn cbc_encrypt(&self, buf: &mut [u8]) {
        let mut cipher = cbc::Encryptor::<Aes256>::new(&self.key.into(), &self.iv().into());
        let (blocks, _) = buf.as_chunks_mut::<AES_BLOCK>();
        for block in blocks {
            cipher.encrypt_block_mut(block.into());
        }
    }

    fn cbc_decrypt(&self, buf: &mut [u8]) {
        let mut cipher = cbc::Decryptor::<Aes256>::new(&self.key.into(), &self.iv().into());
        let (blocks, _) = buf.as_chunks_mut::<AES_BLOCK>();
        for block in blocks {
            cipher.decrypt_block_mut(block.into());
        }
    }

    /// The message inside an `Encrypt` text, once its trailing AppID is found to be `app_id`.
    /// Verify the signature first (see the module's documentation).
    pub fn decrypt(&self, encrypted_base64: &str, app_id: &str) -> Result<String, WechatError> {
        if encrypted_base64.len() > MAX_BODY {
            return Err(WechatError::TooLarge(encrypted_base64.len()));
        }
        let mut buf = STANDARD
            .decode(encrypted_base64)
            .map_err(|_| WechatError::Undecryptable("is not base64"))?;
        if buf.is_empty() || buf.len() % AES_BLOCK != 0 {
            return Err(WechatError::Undecryptable(
                "is not a whole number of AES blocks",
            ));
        }
        self.cbc_decrypt(&mut buf);

        let pad = buf.last().map_or(0, |&b| usize::from(b));
        let Some(unpadded) = buf.len().checked_sub(pad) else {
            return Err(WechatError::Undecryptable("has invalid padding"));
        };
        if !(1..=PAD_BLOCK).contains(&pad) || buf[unpadded..].iter().any(|&b| usize::from(b) != pad)
        {
            return Err(WechatError::Undecryptable("has invalid padding"));
        }
        let plain = &buf[..unpadded];

        let framing = WechatError::Undecryptable("does not frame a message");
        let length = plain
            .get(AES_BLOCK..HEADER)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .ok_or(framing)?;
        let length = usize::try_from(u32::from_be_bytes(length)).map_err(|_| framing)?;
        let rest = &plain[HEADER..];
        if length > rest.len() {
            return Err(framing);
        }
        let (message, trailing_app_id) = rest.split_at(length);
        let message = std::str::from_utf8(message)
            .map_err(|_| WechatError::Undecryptable("holds a message that is not UTF-8"))?;
        // The AppID binds the message to this account: another account's ciphertext under a
        // shared key must not pass.
        if trailing_app_id != app_id.as_bytes() {
            return Err(WechatError::WrongAppId);
        }
        Ok(message.to_owned())
    }

    /// The `Encrypt` text (base64) of `message` for `app_id`, with `random16` as the 16 random
    /// bytes Tencent's framing starts with (the caller draws them from a secure source).
    ///
    /// # Panics
    /// If `message` is 4 GiB or longer, which its 4-byte length cannot say.
    pub fn encrypt(&self, message: &str, app_id: &str, random16: [u8; 16]) -> String {
        let length = u32::try_from(message.len())
            .unwrap_or_else(|_| unreachable!("a WeChat reply is far below 4 GiB"));
        let mut buf = Vec::with_capacity(HEADER + message.len() + app_id.len() + PAD_BLOCK);
        buf.extend_from_slice(&random16);
        buf.extend_from_slice(&length.to_be_bytes());
        buf.extend_from_slice(message.as_bytes());
        buf.extend_from_slice(app_id.as_bytes());
        // Always 1..=32 bytes, a whole block of them when the text already fills its blocks, so
        // the last byte always says how many to remove.
        let pad = PAD_BLOCK - buf.len() % PAD_BLOCK;
        buf.resize(buf.len() + pad, pad as u8);
        self.cbc_encrypt(&mut buf);
        STANDARD.encode(buf)
    }

    /// The plaintext XML of a callback, checked in the order that keeps the decryption out of
    /// reach of anyone without the token: the timestamp within `window_secs` of `now_unix`, the
    /// signature over the body's `Encrypt`, then the decryption and the AppID.
    pub fn open(
        &self,
        token: &str,
        app_id: &str,
        callback: &Callback<'_>,
        now_unix: i64,
        window_secs: i64,
    ) -> Result<String, WechatError> {
        check_timestamp(callback.timestamp, now_unix, window_secs)?;
        let encrypted = extract_encrypt(callback.body)?;
        verify_signature(
            token,
            callback.timestamp,
            callback.nonce,
            &encrypted,
            callback.msg_signature,
        )?;
        self.decrypt(&encrypted, app_id)
    }

    /// The signed, encrypted envelope that answers a callback with `message` (a reply's XML, e.g.
    /// from [`text_reply`]); `timestamp` is now, `nonce` and `random16` fresh random values.
    pub fn seal(
        &self,
        token: &str,
        app_id: &str,
        message: &str,
        timestamp: i64,
        nonce: &str,
        random16: [u8; 16],
    ) -> String {
        let encrypted = self.encrypt(message, app_id, random16);
        let msg_signature = signature(token, &timestamp.to_string(), nonce, &encrypted);
        reply_envelope(&encrypted, &msg_signature, timestamp, nonce)
    }
}

/// What a safe-mode callback brings: the query's `timestamp`, `nonce` and `msg_signature`, and the
/// body posted.
#[derive(Clone, Copy, Debug)]
pub struct Callback<'a> {
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub msg_signature: &'a str,
    pub body: &'a str,
}

/// Lower-case hex SHA-1 of the parts sorted and joined, as every WeChat signature is made.
fn sorted_sha1(parts: &mut [&str]) -> String {
    // Byte order of UTF-8 is code-point order, which is what Tencent's samples sort by.
    parts.sort_unstable();
    let mut sha = Sha1::new();
    for part in parts.iter() {
        sha.update(part.as_bytes());
    }
    hex(&sha.finalize())
}

/// The `msg_signature` of a safe-mode message: over the token, timestamp, nonce and `Encrypt`.
pub fn signature(token: &str, timestamp: &str, nonce: &str, encrypted: &str) -> String {
    sorted_sha1(&mut [token, timestamp, nonce, encrypted])
}

/// The `signature` of a plain request, the server-address check (`echostr`) among them: over the
/// token, timestamp and nonce.
pub fn url_signature(token: &str, timestamp: &str, nonce: &str) -> String {
    sorted_sha1(&mut [token, timestamp, nonce])
}

/// Whether `given` is `expected`, compared in constant time so that timing tells nothing of how
/// much of a guess was right.
pub fn signature_matches(expected: &str, given: &str) -> bool {
    expected.as_bytes().ct_eq(given.as_bytes()).into()
}

/// Checks a safe-mode message's `msg_signature`.
pub fn verify_signature(
    token: &str,
    timestamp: &str,
    nonce: &str,
    encrypted: &str,
    msg_signature: &str,
) -> Result<(), WechatError> {
    let expected = signature(token, timestamp, nonce, encrypted);
    if signature_matches(&expected, msg_signature) {
        Ok(())
    } else {
        Err(WechatError::BadSignature)
    }
}

/// Checks a plain request's `signature` (the server-address check among them).
pub fn verify_url_signature(
    token: &str,
    timestamp: &str,
    nonce: &str,
    given: &str,
) -> Result<(), WechatError> {
    if signature_matches(&url_signature(token, timestamp, nonce), given) {
        Ok(())
    } else {
        Err(WechatError::BadSignature)
    }
}

/// The request's timestamp (seconds since 1970), if it is within `window_secs` of `now_unix`
/// either way; WeChat's clock and ours may differ a little in both directions.
pub fn check_timestamp(
    timestamp: &str,
    now_unix: i64,
    window_secs: i64,
) -> Result<i64, WechatError> {
    // Digits only: no sign, space or `+` that `parse` would take, and few enough to fit.
    if timestamp.is_empty()
        || timestamp.len() > 18
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(WechatError::BadTimestamp);
    }
    let ts: i64 = timestamp.parse().map_err(|_| WechatError::BadTimestamp)?;
    let off_by = now_unix.abs_diff(ts);
    if off_by > u64::try_from(window_secs).unwrap_or(0) {
        return Err(WechatError::Stale { off_by });
    }
    Ok(ts)
}

/// The direct children of the `<xml>` root and their text (CDATA, text, the five predefined
/// entities and character references); children that hold elements keep only their own text.
fn fields(body: &str) -> Result<BTreeMap<String, String>, WechatError> {
    const NOT_XML: WechatError = WechatError::Malformed("it is not well-formed XML");
    if body.len() > MAX_BODY {
        return Err(WechatError::TooLarge(body.len()));
    }
    let mut reader = Reader::from_str(body);
    let mut fields = BTreeMap::new();
    // 0 outside the root, 1 in it, 2 in one of its children, more inside those.
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut current: Option<(String, String)> = None;

    let push = |fields: &mut BTreeMap<String, String>, name: String, value: String| {
        if fields.insert(name, value).is_some() {
            Err(WechatError::Malformed("an element appears twice"))
        } else {
            Ok(())
        }
    };

    loop {
        let event = reader.read_event().map_err(|_| NOT_XML)?;
        // The text an event adds, where it adds it.
        let text = match event {
            Event::DocType(_) => return Err(WechatError::Doctype),
            Event::Decl(_) | Event::Comment(_) => continue,
            Event::PI(_) => {
                return Err(WechatError::Malformed("it has a processing instruction"));
            }
            Event::Start(element) | Event::Empty(element)
                if depth == 0 && (seen_root || element.name().as_ref() != b"xml") =>
            {
                return Err(WechatError::Malformed("its root is not a single <xml>"));
            }
            Event::Start(element) => {
                if depth == 0 {
                    seen_root = true;
                } else if depth == 1 {
                    let name = std::str::from_utf8(element.name().as_ref())
                        .map_err(|_| NOT_XML)?
                        .to_owned();
                    current = Some((name, String::new()));
                }
                depth += 1;
                continue;
            }
            Event::Empty(element) => {
                if depth == 0 {
                    seen_root = true;
                } else if depth == 1 {
                    let name = std::str::from_utf8(element.name().as_ref())
                        .map_err(|_| NOT_XML)?
                        .to_owned();
                    push(&mut fields, name, String::new())?;
                }
                continue;
            }
            Event::End(_) => {
                depth = depth.checked_sub(1).ok_or(NOT_XML)?;
                if depth == 1
                    && let Some((name, value)) = current.take()
                {
                    push(&mut fields, name, value)?;
                }
                continue;
            }
            Event::Text(text) => text.decode().map_err(|_| NOT_XML)?.into_owned(),
            Event::CData(cdata) => cdata.decode().map_err(|_| NOT_XML)?.into_owned(),
            Event::GeneralRef(reference) => {
                match reference.resolve_char_ref().map_err(|_| NOT_XML)? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = reference.decode().map_err(|_| NOT_XML)?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or(WechatError::Malformed(
                                "it refers to an entity XML does not predefine",
                            ))?
                            .to_owned()
                    }
                }
            }
            Event::Eof => break,
        };
        match depth {
            2 => {
                if let Some((_, value)) = current.as_mut() {
                    value.push_str(&text);
                }
            }
            0 | 1 if !text.trim().is_empty() => {
                return Err(WechatError::Malformed("it has text outside the elements"));
            }
            _ => {}
        }
    }
    if !seen_root || depth != 0 {
        return Err(NOT_XML);
    }
    Ok(fields)
}

/// The `Encrypt` text of a safe-mode callback body.
pub fn extract_encrypt(body: &str) -> Result<String, WechatError> {
    let fields = fields(body)?;
    // Base64 has no whitespace; a pretty-printed envelope may put some around the CDATA.
    match fields.get("Encrypt").map(|s| s.trim()) {
        Some(encrypted) if !encrypted.is_empty() => Ok(encrypted.to_owned()),
        _ => Err(WechatError::Missing("Encrypt")),
    }
}

/// Drops the characters XML 1.0 cannot carry at all (control characters but tab, line feed and
/// carriage return; U+FFFE and U+FFFF), which WeChat's parser would refuse the whole reply for.
fn xml_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|&c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    })
}

/// `text` as CDATA. A `]]>` in it would end the section, so the section is closed after `]]` and
/// a new one opened for the `>`: the text read back is the same.
fn cdata(text: &str) -> String {
    let text: String = xml_chars(text).collect();
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// The envelope of an encrypted reply.
pub fn reply_envelope(encrypted: &str, msg_signature: &str, timestamp: i64, nonce: &str) -> String {
    format!(
        "<xml><Encrypt>{}</Encrypt><MsgSignature>{}</MsgSignature><TimeStamp>{timestamp}</TimeStamp><Nonce>{}</Nonce></xml>",
        cdata(encrypted),
        cdata(msg_signature),
        cdata(nonce),
    )
}

/// A passive reply of text to the user who wrote (`to_user_name` is the message's
/// `FromUserName`, `from_user_name` its `ToUserName`).
pub fn text_reply(
    to_user_name: &str,
    from_user_name: &str,
    create_time: i64,
    content: &str,
) -> String {
    format!(
        "<xml><ToUserName>{}</ToUserName><FromUserName>{}</FromUserName><CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>{}</Content></xml>",
        cdata(to_user_name),
        cdata(from_user_name),
        cdata(content),
    )
}

/// A message or event from a user, as WeChat posts it (decrypted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The account's original ID (`gh_…`).
    pub to_user_name: String,
    /// The user's OpenID.
    pub from_user_name: String,
    /// Seconds since 1970.
    pub create_time: i64,
    /// What WeChat retries a message with, so what repeats are recognised by; events have none.
    pub msg_id: Option<u64>,
    pub kind: MessageKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Text {
        content: String,
    },
    Image {
        pic_url: String,
        media_id: String,
    },
    Voice {
        media_id: String,
        format: String,
        /// WeChat's speech recognition, when the account has it on.
        recognition: Option<String>,
    },
    /// `subscribe`, `unsubscribe`, `SCAN`, `CLICK`, … with the key of the menu entry or scene.
    Event {
        event: String,
        event_key: Option<String>,
    },
    /// Video, location, link and the rest, which the platform does not read; kept by type so
    /// that they can still be answered.
    Other {
        msg_type: String,
    },
}

impl Message {
    /// Reads a decrypted message (or a plain-mode body).
    pub fn parse(xml: &str) -> Result<Message, WechatError> {
        let mut fields = fields(xml)?;
        let mut take = |name: &'static str| fields.remove(name).ok_or(WechatError::Missing(name));
        let to_user_name = take("ToUserName")?;
        let from_user_name = take("FromUserName")?;
        let create_time = take("CreateTime")?
            .trim()
            .parse()
            .map_err(|_| WechatError::Malformed("its CreateTime is not a number"))?;
        let msg_type = take("MsgType")?;
        // Ordinary messages say `MsgId`; the mass-send and template job events say `MsgID`.
        let msg_id = match take("MsgId").or_else(|_| take("MsgID")) {
            Ok(id) => Some(
                id.trim()
                    .parse()
                    .map_err(|_| WechatError::Malformed("its MsgId is not a number"))?,
            ),
            Err(_) => None,
        };
        let kind = match msg_type.trim() {
            "text" => MessageKind::Text {
                content: take("Content")?,
            },
            "image" => MessageKind::Image {
                pic_url: take("PicUrl")?,
                media_id: take("MediaId")?,
            },
            "voice" => MessageKind::Voice {
                media_id: take("MediaId")?,
                format: take("Format")?,
                recognition: take("Recognition").ok(),
            },
            "event" => MessageKind::Event {
                event: take("Event")?,
                event_key: take("EventKey").ok(),
            },
            other => MessageKind::Other {
                msg_type: other.to_owned(),
            },
        };
        Ok(Message {
            to_user_name,
            from_user_name,
            create_time,
            msg_id,
            kind,
        })
    }

    pub fn msg_type(&self) -> &str {
        match &self.kind {
            MessageKind::Text { .. } => "text",
            MessageKind::Image { .. } => "image",
            MessageKind::Voice { .. } => "voice",
            MessageKind::Event { .. } => "event",
            MessageKind::Other { msg_type } => msg_type,
        }
    }
}

/// The words that ask the account for a code to link her WeChat to her Qiaoyi account.
const LINK_WORDS: [&str; 4] = ["绑定", "綁定", "bind", "link"];
/// How many digits a link code has: one guess in 10⁸ per code alive.
pub const LINK_CODE_DIGITS: usize = 8;
/// How long a link code can be used, in milliseconds.
pub const LINK_CODE_MS: i64 = 10 * 60 * 1000;

/// Whether her text asks for a link code: one of [`LINK_WORDS`], in any case, with spaces around.
pub fn asks_for_link_code(text: &str) -> bool {
    let word = text.trim().to_lowercase();
    LINK_WORDS.contains(&word.as_str())
}

/// A link code as she types it: its digits, spaces and dashes between them allowed (`1234 5678`,
/// `1234-5678`, full-width digits as a Chinese keyboard gives them); `None` when it is not eight
/// digits.
pub fn link_code_digits(typed: &str) -> Option<String> {
    let mut digits = String::new();
    for c in typed.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => digits.push(char::from(b'0' + (u32::from(c) - u32::from('０')) as u8)),
            ' ' | '-' | '\u{3000}' => {}
            _ => return None,
        }
    }
    (digits.len() == LINK_CODE_DIGITS).then_some(digits)
}

/// An eight-digit link code from eight random bytes' worth of number (the caller draws them).
pub fn link_code(random: u64) -> String {
    format!("{:08}", random % 100_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Tencent's published sample for Official Account message encryption (the Python, PHP, Java
    // and C# WXBizMsgCrypt samples' Sample.py and their kin), reproduced in the test suites of
    // wechatpy and other SDKs.
    const TOKEN: &str = "spamtest";
    const ENCODING_AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    const APP_ID: &str = "wx2c2769f8efd9abc2";
    const TIMESTAMP: &str = "1409735669";
    const NONCE: &str = "1320562132";
    const MSG_SIGNATURE: &str = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";
    const ENCRYPT: &str = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";
    /// The sample's `from_xml`, the body WeChat posts.
    const FROM_XML: &str = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>";
    /// What the sample's `Encrypt` decrypts to, line breaks included, as SDK tests expect it.
    const PLAIN_XML: &str = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>";

    fn key() -> MessageKey {
        MessageKey::from_encoding_aes_key(ENCODING_AES_KEY).expect("the sample key")
    }

    fn sample_callback(body: &str) -> Callback<'_> {
        Callback {
            timestamp: TIMESTAMP,
            nonce: NONCE,
            msg_signature: MSG_SIGNATURE,
            body,
        }
    }

    const SAMPLE_NOW: i64 = 1_409_735_669 + 10;

    #[test]
    fn tencent_sample_verifies_and_decrypts() {
        assert_eq!(extract_encrypt(FROM_XML).as_deref(), Ok(ENCRYPT));
        assert_eq!(signature(TOKEN, TIMESTAMP, NONCE, ENCRYPT), MSG_SIGNATURE);
        assert_eq!(
            verify_signature(TOKEN, TIMESTAMP, NONCE, ENCRYPT, MSG_SIGNATURE),
            Ok(())
        );
        assert_eq!(key().decrypt(ENCRYPT, APP_ID).as_deref(), Ok(PLAIN_XML));
        assert_eq!(
            key()
                .open(TOKEN, APP_ID, &sample_callback(FROM_XML), SAMPLE_NOW, 300)
                .as_deref(),
            Ok(PLAIN_XML)
        );

        let message = Message::parse(PLAIN_XML).expect("the sample's message");
        assert_eq!(
            message,
            Message {
                to_user_name: "gh_10f6c3c3ac5a".into(),
                from_user_name: "oyORnuP8q7ou2gfYjqLzSIWZf0rs".into(),
                create_time: 1_409_735_668,
                msg_id: Some(6_054_768_590_064_713_728),
                kind: MessageKind::Text {
                    content: "abcdteT".into()
                },
            }
        );
        assert_eq!(message.msg_type(), "text");
    }

    #[test]
    fn tencent_java_sample_encrypts_to_the_published_text() {
        // Tencent's Java sample's WXBizMsgCryptTest (testAesEncrypt), also in WxJava's
        // WxCryptUtilTest: a fixed random string makes the ciphertext known.
        let encrypted = key().encrypt(
            "我是中文abcd123",
            "wxb11529c136998cb6",
            *b"aaaabbbbccccdddd",
        );
        assert_eq!(
            encrypted,
            "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
        );
        assert_eq!(
            key().decrypt(&encrypted, "wxb11529c136998cb6").as_deref(),
            Ok("我是中文abcd123")
        );
    }

    #[test]
    fn url_signature_is_over_three_parts() {
        // As `python3 -c "import hashlib; print(hashlib.sha1(''.join(sorted(['spamtest',
        // '1409735669', '1320562132'])).encode()).hexdigest())"` gives it.
        let expected = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a";
        assert_eq!(url_signature(TOKEN, TIMESTAMP, NONCE), expected);
        assert_eq!(
            verify_url_signature(TOKEN, TIMESTAMP, NONCE, expected),
            Ok(())
        );
        assert_eq!(
            verify_url_signature("other", TIMESTAMP, NONCE, expected),
            Err(WechatError::BadSignature)
        );
    }

    #[test]
    fn key_debug_hides_the_key() {
        let shown = format!("{:?}", key());
        assert_eq!(shown, "MessageKey(…)");
    }

    #[test]
    fn bad_keys_are_refused() {
        for bad in [
            "",
            &ENCODING_AES_KEY[..42],
            &format!("{ENCODING_AES_KEY}H"),
            &format!("{}=", &ENCODING_AES_KEY[..42]),
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF!",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF-",
            "абвгдеёжзийклмнопрстуфхц",
        ] {
            assert_eq!(
                MessageKey::from_encoding_aes_key(bad).map(|_| ()),
                Err(WechatError::BadKey),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn wrong_app_id_is_refused() {
        assert_eq!(
            key().decrypt(ENCRYPT, "wx0000000000000000"),
            Err(WechatError::WrongAppId)
        );
        assert_eq!(key().decrypt(ENCRYPT, ""), Err(WechatError::WrongAppId));
        assert_eq!(
            key().open(
                TOKEN,
                "wx0000000000000000",
                &sample_callback(FROM_XML),
                SAMPLE_NOW,
                300
            ),
            Err(WechatError::WrongAppId)
        );
    }

    fn flip(encrypted: &str, at: usize, mask: u8) -> String {
        let mut bytes = STANDARD.decode(encrypted).expect("base64");
        bytes[at] ^= mask;
        STANDARD.encode(bytes)
    }

    #[test]
    fn tampered_ciphertext_is_refused() {
        let len = STANDARD.decode(ENCRYPT).expect("base64").len();
        // CBC: flipping a bit of one block flips the same bit of the next block's plaintext.
        // The last plaintext byte is the pad count; xor-ing it with itself and 0x40 makes it 0x40+.
        let last_pad = {
            let mut bytes = STANDARD.decode(ENCRYPT).expect("base64");
            key().cbc_decrypt(&mut bytes);
            bytes[len - 1]
        };
        let bad_padding = flip(ENCRYPT, len - 1 - AES_BLOCK, last_pad ^ 0x40);
        assert_eq!(
            key().decrypt(&bad_padding, APP_ID),
            Err(WechatError::Undecryptable("has invalid padding"))
        );
        // The length's top byte, in the second block: the length now runs past the end.
        let bad_length = flip(ENCRYPT, 0, 0x80);
        assert_eq!(
            key().decrypt(&bad_length, APP_ID),
            Err(WechatError::Undecryptable("does not frame a message"))
        );
        // Any change in the last block garbles it; whatever it garbles to is refused.
        for at in len - AES_BLOCK..len {
            assert!(key().decrypt(&flip(ENCRYPT, at, 1), APP_ID).is_err());
        }
        // And none of it gets as far as decryption when the signature is checked first.
        let tampered = FROM_XML.replace(ENCRYPT, &bad_length);
        assert_eq!(
            key().open(TOKEN, APP_ID, &sample_callback(&tampered), SAMPLE_NOW, 300),
            Err(WechatError::BadSignature)
        );

        for (bad, why) in [
            ("", "is not a whole number of AES blocks"),
            ("not base64!", "is not base64"),
            ("AAAA", "is not a whole number of AES blocks"),
        ] {
            assert_eq!(
                key().decrypt(bad, APP_ID),
                Err(WechatError::Undecryptable(why))
            );
        }
    }

    /// Encrypts `plain` as is, padding and all, to reach the checks after the padding.
    fn raw(plain: &[u8]) -> String {
        let mut buf = plain.to_vec();
        key().cbc_encrypt(&mut buf);
        STANDARD.encode(buf)
    }

    #[test]
    fn padding_and_framing_are_checked() {
        let mut plain = vec![0u8; 64];
        for pad in [0u8, 33, 255] {
            plain[63] = pad;
            assert_eq!(
                key().decrypt(&raw(&plain), APP_ID),
                Err(WechatError::Undecryptable("has invalid padding")),
                "{pad}"
            );
        }
        // Pad bytes that disagree with the count.
        plain[60..].copy_from_slice(&[4, 4, 3, 4]);
        assert_eq!(
            key().decrypt(&raw(&plain), APP_ID),
            Err(WechatError::Undecryptable("has invalid padding"))
        );
        // Too short for the header once unpadded: 16 bytes, then a whole block of padding.
        let mut short = [32u8; 48];
        short[..16].copy_from_slice(b"0123456789abcdef");
        assert_eq!(
            key().decrypt(&raw(&short), APP_ID),
            Err(WechatError::Undecryptable("does not frame a message"))
        );
        // A message that is not UTF-8.
        let mut frame = Vec::new();
        frame.extend_from_slice(&[0; 16]);
        frame.extend_from_slice(&2u32.to_be_bytes());
        frame.extend_from_slice(&[0xff, 0xfe]);
        frame.extend_from_slice(APP_ID.as_bytes());
        let pad = PAD_BLOCK - frame.len() % PAD_BLOCK;
        frame.resize(frame.len() + pad, pad as u8);
        assert_eq!(
            key().decrypt(&raw(&frame), APP_ID),
            Err(WechatError::Undecryptable(
                "holds a message that is not UTF-8"
            ))
        );
    }

    #[test]
    fn padding_fills_a_whole_block_when_the_text_does() {
        // 16 + 4 + 12 bytes = one 32-byte block, so 32 bytes of padding follow it.
        let encrypted = key().encrypt("", "wx0123456789", [7; 16]);
        let mut bytes = STANDARD.decode(&encrypted).expect("base64");
        assert_eq!(bytes.len(), 64);
        key().cbc_decrypt(&mut bytes);
        assert!(bytes[32..].iter().all(|&b| b == 32));
        assert_eq!(key().decrypt(&encrypted, "wx0123456789").as_deref(), Ok(""));
    }

    #[test]
    fn round_trip_and_sealed_reply() {
        let reply = text_reply(
            "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
            "gh_10f6c3c3ac5a",
            1_409_735_670,
            "你好",
        );
        let encrypted = key().encrypt(&reply, APP_ID, [42; 16]);
        assert_eq!(
            key().decrypt(&encrypted, APP_ID).as_deref(),
            Ok(reply.as_str())
        );

        let envelope = key().seal(TOKEN, APP_ID, &reply, 1_409_735_670, "998877", [1; 16]);
        assert!(envelope.starts_with("<xml><Encrypt><![CDATA["));
        assert!(
            envelope.contains(
                "<TimeStamp>1409735670</TimeStamp><Nonce><![CDATA[998877]]></Nonce></xml>"
            )
        );
        let fields = fields(&envelope).expect("the envelope");
        let callback = Callback {
            timestamp: "1409735670",
            nonce: "998877",
            msg_signature: &fields["MsgSignature"],
            body: &envelope,
        };
        let opened = key()
            .open(TOKEN, APP_ID, &callback, 1_409_735_670, 300)
            .expect("the sealed reply");
        assert_eq!(opened, reply);
        let message = Message::parse(&opened).expect("the reply");
        assert_eq!(
            message.kind,
            MessageKind::Text {
                content: "你好".into()
            }
        );
    }

    #[test]
    fn timestamps_outside_the_window_or_not_numbers_are_refused() {
        assert_eq!(
            check_timestamp("1409735669", SAMPLE_NOW, 300),
            Ok(1_409_735_669)
        );
        assert_eq!(
            check_timestamp("1409735969", 1_409_735_669, 300),
            Ok(1_409_735_969)
        );
        assert_eq!(
            check_timestamp("1409735669", 1_409_735_669 + 301, 300),
            Err(WechatError::Stale { off_by: 301 })
        );
        assert_eq!(
            check_timestamp("1409735669", 1_409_735_669 - 301, 300),
            Err(WechatError::Stale { off_by: 301 })
        );
        assert_eq!(
            check_timestamp("0", i64::MAX, 300),
            Err(WechatError::Stale {
                off_by: i64::MAX as u64
            })
        );
        assert_eq!(
            check_timestamp("1409735669", 1_409_735_669 + 1, -5),
            Err(WechatError::Stale { off_by: 1 })
        );
        for bad in [
            "",
            "abc",
            "-1",
            "+1409735669",
            " 1409735669",
            "1409735669 ",
            "1.5",
            "99999999999999999999",
            "１２３",
        ] {
            assert_eq!(
                check_timestamp(bad, SAMPLE_NOW, 300),
                Err(WechatError::BadTimestamp),
                "{bad:?}"
            );
        }
        assert_eq!(
            key().open(
                TOKEN,
                APP_ID,
                &sample_callback(FROM_XML),
                SAMPLE_NOW + 3600,
                300
            ),
            Err(WechatError::Stale { off_by: 3610 })
        );
    }

    #[test]
    fn a_signature_off_by_one_character_is_refused() {
        let mut off = MSG_SIGNATURE.to_owned();
        off.pop();
        off.push('b');
        assert_eq!(
            verify_signature(TOKEN, TIMESTAMP, NONCE, ENCRYPT, &off),
            Err(WechatError::BadSignature)
        );
        for bad in [
            &MSG_SIGNATURE[..39],
            "",
            &MSG_SIGNATURE.to_uppercase(),
            &format!("{MSG_SIGNATURE}0"),
        ] {
            assert_eq!(
                verify_signature(TOKEN, TIMESTAMP, NONCE, ENCRYPT, bad),
                Err(WechatError::BadSignature)
            );
        }
        let callback = Callback {
            msg_signature: &off,
            ..sample_callback(FROM_XML)
        };
        assert_eq!(
            key().open(TOKEN, APP_ID, &callback, SAMPLE_NOW, 300),
            Err(WechatError::BadSignature)
        );
    }

    #[test]
    fn doctype_and_entities_are_refused() {
        let xxe = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><Encrypt>&xxe;</Encrypt></xml>";
        assert_eq!(extract_encrypt(xxe), Err(WechatError::Doctype));
        assert_eq!(Message::parse(xxe), Err(WechatError::Doctype));
        assert_eq!(
            extract_encrypt("<xml><Encrypt>&xxe;</Encrypt></xml>"),
            Err(WechatError::Malformed(
                "it refers to an entity XML does not predefine"
            ))
        );
        // The five and character references are text.
        assert_eq!(
            extract_encrypt("<xml><Encrypt>a&amp;b&#x41;&#66;&lt;</Encrypt></xml>").as_deref(),
            Ok("a&bAB<")
        );
    }

    #[test]
    fn oversized_bodies_are_refused() {
        let body = format!(
            "<xml><Encrypt><![CDATA[{}]]></Encrypt></xml>",
            "A".repeat(MAX_BODY)
        );
        assert_eq!(
            extract_encrypt(&body),
            Err(WechatError::TooLarge(body.len()))
        );
        assert_eq!(
            Message::parse(&body),
            Err(WechatError::TooLarge(body.len()))
        );
        let long = "A".repeat(MAX_BODY + 4);
        assert_eq!(
            key().decrypt(&long, APP_ID),
            Err(WechatError::TooLarge(MAX_BODY + 4))
        );
    }

    #[test]
    fn envelopes_that_are_not_wechat_xml_are_refused() {
        for (bad, error) in [
            ("", WechatError::Malformed("it is not well-formed XML")),
            ("<xml>", WechatError::Malformed("it is not well-formed XML")),
            (
                "<xml><Encrypt>x</Encrypt>",
                WechatError::Malformed("it is not well-formed XML"),
            ),
            (
                "<xml><Encrypt>x</Other></xml>",
                WechatError::Malformed("it is not well-formed XML"),
            ),
            (
                "<root><Encrypt>x</Encrypt></root>",
                WechatError::Malformed("its root is not a single <xml>"),
            ),
            (
                "<xml/><xml/>",
                WechatError::Malformed("its root is not a single <xml>"),
            ),
            (
                "<xml><Encrypt>x</Encrypt><Encrypt>y</Encrypt></xml>",
                WechatError::Malformed("an element appears twice"),
            ),
            (
                "<xml>loose<Encrypt>x</Encrypt></xml>",
                WechatError::Malformed("it has text outside the elements"),
            ),
            (
                "<xml><?php x?><Encrypt>x</Encrypt></xml>",
                WechatError::Malformed("it has a processing instruction"),
            ),
            (
                "<xml><ToUserName>a</ToUserName></xml>",
                WechatError::Missing("Encrypt"),
            ),
            ("<xml><Encrypt/></xml>", WechatError::Missing("Encrypt")),
        ] {
            assert_eq!(extract_encrypt(bad), Err(error), "{bad:?}");
        }
        // Pretty-printed envelopes and nested elements are fine.
        assert_eq!(
            extract_encrypt("<?xml version=\"1.0\"?>\n<xml>\n  <!-- c -->\n  <Encrypt>\n    <![CDATA[abc=]]>\n  </Encrypt>\n  <Info><Encrypt>no</Encrypt></Info>\n</xml>\n").as_deref(),
            Ok("abc=")
        );
    }

    #[test]
    fn messages_of_each_kind_are_read() {
        let head = "<ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName><CreateTime>1700000000</CreateTime>";
        let parse = |rest: &str| Message::parse(&format!("<xml>{head}{rest}</xml>"));
        assert_eq!(
            parse("<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz/x]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>1</MsgId>")
                .map(|m| (m.kind, m.msg_id)),
            Ok((
                MessageKind::Image {
                    pic_url: "http://mmbiz/x".into(),
                    media_id: "m1".into()
                },
                Some(1)
            ))
        );
        assert_eq!(
            parse("<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[你好]]></Recognition><MsgId>2</MsgId>")
                .map(|m| m.kind),
            Ok(MessageKind::Voice {
                media_id: "m2".into(),
                format: "amr".into(),
                recognition: Some("你好".into())
            })
        );
        assert_eq!(
            parse("<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[speex]]></Format>")
                .map(|m| m.kind),
            Ok(MessageKind::Voice {
                media_id: "m2".into(),
                format: "speex".into(),
                recognition: None
            })
        );
        let subscribe = parse("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123]]></EventKey>")
            .expect("a subscribe event");
        assert_eq!(subscribe.msg_id, None);
        assert_eq!(subscribe.msg_type(), "event");
        assert_eq!(
            subscribe.kind,
            MessageKind::Event {
                event: "subscribe".into(),
                event_key: Some("qrscene_123".into())
            }
        );
        assert_eq!(
            parse("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event>")
                .map(|m| m.kind),
            Ok(MessageKind::Event {
                event: "unsubscribe".into(),
                event_key: None
            })
        );
        assert_eq!(
            parse("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163836</MsgID>")
                .map(|m| m.msg_id),
            Ok(Some(200_163_836))
        );
        let location = parse(
            "<MsgType><![CDATA[location]]></MsgType><Location_X>23.1</Location_X><MsgId>3</MsgId>",
        )
        .expect("a location");
        assert_eq!(location.msg_type(), "location");

        for (rest, error) in [
            (
                "<MsgType><![CDATA[text]]></MsgType>",
                WechatError::Missing("Content"),
            ),
            (
                "<MsgType><![CDATA[image]]></MsgType><MediaId>m</MediaId>",
                WechatError::Missing("PicUrl"),
            ),
            (
                "<MsgType><![CDATA[voice]]></MsgType><MediaId>m</MediaId>",
                WechatError::Missing("Format"),
            ),
            (
                "<MsgType><![CDATA[event]]></MsgType>",
                WechatError::Missing("Event"),
            ),
            ("<Content>x</Content>", WechatError::Missing("MsgType")),
            (
                "<MsgType>text</MsgType><Content>x</Content><MsgId>x1</MsgId>",
                WechatError::Malformed("its MsgId is not a number"),
            ),
        ] {
            assert_eq!(parse(rest), Err(error), "{rest:?}");
        }
        assert_eq!(
            Message::parse("<xml><FromUserName>o</FromUserName></xml>"),
            Err(WechatError::Missing("ToUserName"))
        );
        assert_eq!(
            Message::parse(
                "<xml><ToUserName>a</ToUserName><FromUserName>o</FromUserName><CreateTime>soon</CreateTime><MsgType>text</MsgType></xml>"
            ),
            Err(WechatError::Malformed("its CreateTime is not a number"))
        );
    }

    #[test]
    fn a_text_reply_carries_cdata_terminators_intact() {
        let content = "a]]>b ]]]]> <![CDATA[ & < 中文 ]]";
        let reply = text_reply("o_user", "gh_1", 1_700_000_000, content);
        assert!(reply.contains("<MsgType><![CDATA[text]]></MsgType>"));
        assert!(reply.contains("a]]]]><![CDATA[>b"));
        let message = Message::parse(&reply).expect("the reply");
        assert_eq!(message.to_user_name, "o_user");
        assert_eq!(message.from_user_name, "gh_1");
        assert_eq!(message.create_time, 1_700_000_000);
        assert_eq!(
            message.kind,
            MessageKind::Text {
                content: content.into()
            }
        );
        // Characters XML cannot carry are left out rather than break the reply.
        let message = Message::parse(&text_reply("o", "g", 1, "a\u{0}b\u{1b}c\td\u{ffff}"))
            .expect("the reply");
        assert_eq!(
            message.kind,
            MessageKind::Text {
                content: "abc\td".into()
            }
        );
    }

    #[test]
    fn errors_never_carry_the_plaintext() {
        let plain = "<xml><Content>secret-words</Content></xml>";
        let encrypted = key().encrypt(plain, APP_ID, [3; 16]);
        let error = key()
            .decrypt(&encrypted, "wx_other")
            .expect_err("wrong AppID");
        assert!(!error.to_string().contains("secret-words"));
        let error = Message::parse(plain).expect_err("no ToUserName");
        assert!(!error.to_string().contains("secret-words"));
        let error = extract_encrypt("<xml><secret-words>x</other></xml>").expect_err("ill-formed");
        assert!(!error.to_string().contains("secret-words"));
    }

    fn xml_text() -> impl Strategy<Value = String> {
        any::<String>().prop_map(|s| xml_chars(&s).collect())
    }

    proptest! {
        #[test]
        fn encrypt_then_decrypt_is_the_message(
            message in any::<String>(),
            app_id in "[a-z0-9]{0,24}",
            random in any::<[u8; 16]>(),
        ) {
            let encrypted = key().encrypt(&message, &app_id, random);
            prop_assert_eq!(key().decrypt(&encrypted, &app_id), Ok(message));
        }

        #[test]
        fn decrypt_never_panics(text in any::<String>(), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = key().decrypt(&text, APP_ID);
            let _ = key().decrypt(&STANDARD.encode(&bytes), APP_ID);
            // Whole blocks with a plausible pad byte, to reach the framing.
            let mut blocks = bytes;
            blocks.resize(blocks.len().div_ceil(32).max(1) * 32, 0);
            let last = blocks.len() - 1;
            blocks[last] = (blocks[0] % 32) + 1;
            let _ = key().decrypt(&raw(&blocks), APP_ID);
        }

        #[test]
        fn parsing_never_panics(text in any::<String>(), bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = extract_encrypt(&text);
            let _ = Message::parse(&text);
            let lossy = String::from_utf8_lossy(&bytes);
            let _ = extract_encrypt(&lossy);
            let _ = Message::parse(&lossy);
            let _ = Message::parse(&format!("<xml>{text}</xml>"));
            let _ = check_timestamp(&text, 0, 300);
            let _ = MessageKey::from_encoding_aes_key(&text);
        }

        #[test]
        fn text_replies_read_back(content in xml_text(), to in xml_text(), created in any::<i64>()) {
            let message = Message::parse(&text_reply(&to, "gh_1", created, &content))
                .expect("a reply reads back");
            prop_assert_eq!(message.to_user_name, to);
            prop_assert_eq!(message.create_time, created);
            prop_assert_eq!(message.kind, MessageKind::Text { content });
        }
    }
    #[test]
    fn link_words_are_recognised_and_nothing_else() {
        for yes in ["绑定", " 绑定 ", "綁定", "BIND", "Link"] {
            assert!(asks_for_link_code(yes), "{yes}");
        }
        for no in ["绑定账号", "", "unbind", "我想绑定", "护照"] {
            assert!(!asks_for_link_code(no), "{no}");
        }
    }

    #[test]
    fn link_codes_are_read_as_typed_and_refused_otherwise() {
        assert_eq!(link_code_digits("12345678").as_deref(), Some("12345678"));
        assert_eq!(link_code_digits(" 1234 5678 ").as_deref(), Some("12345678"));
        assert_eq!(link_code_digits("1234-5678").as_deref(), Some("12345678"));
        assert_eq!(
            link_code_digits("１２３４５６７８").as_deref(),
            Some("12345678")
        );
        for bad in [
            "1234567",
            "123456789",
            "1234567a",
            "",
            "12345678\u{0}",
            "１２３４",
        ] {
            assert_eq!(link_code_digits(bad), None, "{bad:?}");
        }
        assert_eq!(link_code(7), "00000007");
        assert_eq!(link_code(u64::MAX).len(), LINK_CODE_DIGITS);
    }

    proptest! {
        #[test]
        fn every_code_made_is_read_back(random in any::<u64>()) {
            let code = link_code(random);
            prop_assert_eq!(link_code_digits(&code), Some(code.clone()));
            let spaced = format!("{} {}", &code[..4], &code[4..]);
            prop_assert_eq!(link_code_digits(&spaced), Some(code));
        }

        #[test]
        fn reading_a_code_never_panics(typed in ".{0,40}") {
            let _ = link_code_digits(&typed);
            let _ = asks_for_link_code(&typed);
        }
    }
}
