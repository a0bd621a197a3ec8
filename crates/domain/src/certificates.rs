//! Electronic certificates (电子证明): what a certificate says (`Payload`), its canonical JSON, the
//! Ed25519 signature over it, and the verdict anyone can get without signing in: valid, revoked,
//! expired or not genuine. Keys are identified by a key id written into the payload, so a
//! certificate still verifies after the bureau's key is rotated.

pub use ed25519_dalek::SigningKey;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::audit::hex;
use crate::lang::Lang;

/// The format of [`Payload`] written now; a reader refuses formats it does not know. Format 1
/// (Chinese only, a generic statement) still verifies; format 2 adds [`Payload::translations`]
/// and states what the certificate attests.
pub const FORMAT: u8 = 2;

/// Whether a payload's format is one this version reads, with the parts that format has: a
/// format 2 certificate carries the three other languages, a format 1 certificate none.
fn format_known(payload: &Payload) -> bool {
    match payload.format {
        1 => payload.translations.is_empty(),
        2 => {
            payload
                .translations
                .iter()
                .map(|t| t.lang.as_str())
                .collect::<Vec<_>>()
                == TRANSLATED.map(Lang::tag)
        }
        _ => false,
    }
}

/// The languages a certificate is translated into beside Chinese, in the signed order.
pub const TRANSLATED: [Lang; 3] = [Lang::En, Lang::It, Lang::Es];

/// A certificate's facts in one more language, as signed: what it is, what it attests, who
/// issued it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// `en`, `it` or `es`.
    pub lang: String,
    pub title: String,
    pub attests: String,
    pub issuer: String,
}

/// What a certificate certifies. Field order is the signed order: the canonical JSON is this struct
/// serialised without spaces, and a stored payload is genuine only if it reads back to the same
/// bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    pub format: u8,
    /// The certificate's id, also the last part of its verification address.
    pub id: String,
    /// The catalogue item it was issued for, e.g. `EC-01`.
    pub item: String,
    /// What is certified, in Chinese as issued (e.g. 无犯罪记录证明).
    pub title: String,
    pub holder_name: String,
    pub holder_name_latin: String,
    pub holder_birth_date: String,
    /// The holder's resident ID with all but two characters at each end hidden (`33**************1X`); empty when none is
    /// on file.
    pub holder_id_masked: String,
    /// The facts certified, one statement.
    pub statement: String,
    pub case_number: String,
    pub issued_on: String,
    pub expires_on: String,
    pub issuer: String,
    /// Format 2: the title, the attestation and the issuer in English, Italian and Spanish, in
    /// that order (absent from format 1, so its signed bytes are as they were).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<Translation>,
    pub key_id: String,
}

impl Payload {
    /// The facts in `lang`, when the certificate carries them (Chinese is the payload itself).
    pub fn in_language(&self, lang: Lang) -> Option<&Translation> {
        self.translations.iter().find(|t| t.lang == lang.tag())
    }

    /// The bytes that are signed.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| unreachable!("a payload of strings serialises: {e}"))
    }
}

/// A key pair's public half as stored, and its id.
#[derive(Clone, Debug)]
pub struct PublicKey {
    pub key_id: String,
    /// 32 bytes, hex.
    pub public_hex: String,
}

/// Makes a signing key from 32 random bytes (the caller draws them).
pub fn signing_key(secret: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&secret)
}

pub fn public_hex(key: &SigningKey) -> String {
    hex(key.verifying_key().as_bytes())
}

/// Signs the canonical payload; the signature as hex.
pub fn sign(payload: &Payload, key: &SigningKey) -> (String, String) {
    let canonical = payload.canonical();
    let signature = key.sign(canonical.as_bytes());
    (canonical, hex(&signature.to_bytes()))
}

/// What verification tells anyone who asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid(Payload),
    Revoked {
        payload: Payload,
        on: Date,
        reason: String,
    },
    Expired {
        payload: Payload,
        on: Date,
    },
    /// The signature does not match, the key is unknown, or the stored payload was altered.
    NotGenuine,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Valid(_) => "valid",
            Verdict::Revoked { .. } => "revoked",
            Verdict::Expired { .. } => "expired",
            Verdict::NotGenuine => "not_genuine",
        }
    }

    /// The payload, only when it is genuine.
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Verdict::Valid(p)
            | Verdict::Revoked { payload: p, .. }
            | Verdict::Expired { payload: p, .. } => Some(p),
            Verdict::NotGenuine => None,
        }
    }
}

fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != N * 2 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

/// A certificate as issued and kept: its canonical payload, the signature over it, the key that
/// signed it, and its revocation, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCertificate {
    pub id: String,
    pub case_id: String,
    /// The payload's canonical JSON, exactly the bytes signed.
    pub payload: String,
    /// The Ed25519 signature, in hex.
    pub signature: String,
    pub key_id: String,
    /// Milliseconds since 1970 (UTC).
    pub issued_at: i64,
    pub revoked_on: Option<Date>,
    pub revoke_reason: String,
}

/// The stored facts about one certificate, as verification reads them.
#[derive(Clone, Debug)]
pub struct Stored<'a> {
    pub id: &'a str,
    pub payload_json: &'a str,
    pub signature_hex: &'a str,
    pub key_id: &'a str,
    pub revoked_on: Option<Date>,
    pub revoke_reason: &'a str,
}

/// Checks a stored certificate: genuine first (the key named exists, the payload is canonical, names
/// this certificate and that key, and the signature matches), then revoked, then expired.
pub fn verify(stored: &Stored, keys: &[PublicKey], today: Date) -> Verdict {
    let Some(key) = keys.iter().find(|k| k.key_id == stored.key_id) else {
        return Verdict::NotGenuine;
    };
    let (Some(public), Some(signature)) = (
        from_hex::<32>(&key.public_hex),
        from_hex::<64>(stored.signature_hex),
    ) else {
        return Verdict::NotGenuine;
    };
    let Ok(public) = VerifyingKey::from_bytes(&public) else {
        return Verdict::NotGenuine;
    };
    let signature = Signature::from_bytes(&signature);
    if public
        .verify(stored.payload_json.as_bytes(), &signature)
        .is_err()
    {
        return Verdict::NotGenuine;
    }
    let Ok(payload) = serde_json::from_str::<Payload>(stored.payload_json) else {
        return Verdict::NotGenuine;
    };
    if payload.canonical() != stored.payload_json
        || !format_known(&payload)
        || payload.id != stored.id
        || payload.key_id != stored.key_id
    {
        return Verdict::NotGenuine;
    }
    if let Some(on) = stored.revoked_on {
        return Verdict::Revoked {
            payload,
            on,
            reason: stored.revoke_reason.to_owned(),
        };
    }
    match payload.expires_on.parse::<Date>() {
        Ok(expiry) if today <= expiry => Verdict::Valid(payload),
        Ok(on) => Verdict::Expired { payload, on },
        Err(_) => Verdict::NotGenuine,
    }
}

/// Why a certificate carried as a JWS could not be checked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("the signing key could not be used: {0}")]
    Key(String),
    #[error("this is not a certificate in compact JWS form")]
    Malformed,
    #[error("the keys are not a JWK Set (as published at /.well-known/jwks.json)")]
    Keys,
    #[error("no published key has the id this certificate names")]
    UnknownKey,
    #[error("the signature does not match the content: the certificate is not genuine")]
    NotGenuine,
}

/// The certificate as a compact JWS (RFC 7515) signed with EdDSA (RFC 8037): the payload is the
/// canonical JSON, the header names the key, so anyone holding the published keys verifies it
/// with any JOSE library and no network. Carried in the QR code beside the verification address.
pub fn jws(payload: &Payload, key: &SigningKey) -> Result<String, JwsError> {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let der = key
        .to_pkcs8_der()
        .map_err(|e| JwsError::Key(e.to_string()))?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(payload.key_id.clone());
    jsonwebtoken::encode(&header, payload, &EncodingKey::from_ed_der(der.as_bytes()))
        .map_err(|e| JwsError::Key(e.to_string()))
}

/// A public key as a JWK (RFC 8037: `OKP`, `Ed25519`), with the period it signed in: `created`
/// and, once another key replaced it, `retired` (Unix seconds), members a JOSE library passes over.
pub fn jwk(key: &PublicKey, created: i64, retired: Option<i64>) -> serde_json::Value {
    use base64::Engine;
    let raw = from_hex::<32>(&key.public_hex).unwrap_or([0; 32]);
    let mut jwk = serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw),
        "kid": key.key_id,
        "use": "sig",
        "alg": "EdDSA",
        "created": created,
    });
    if let Some(retired) = retired {
        jwk["retired"] = serde_json::json!(retired);
    }
    jwk
}

/// Checks a certificate carried as a compact JWS (alone, or after `#jws=` in its QR code's
/// address) against a JWK Set as published at `/.well-known/jwks.json` (its JSON), offline: the key
/// it names must be in the set and the signature must match; the payload must read as a
/// certificate. Revocation can only be learnt online.
pub fn verify_jws(token: &str, keys_json: &str) -> Result<Payload, JwsError> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let keys: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(keys_json).map_err(|_| JwsError::Keys)?;
    let token = token.rsplit_once("#jws=").map_or(token, |(_, t)| t);
    let header = jsonwebtoken::decode_header(token.trim()).map_err(|_| JwsError::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(JwsError::Malformed);
    }
    let kid = header.kid.ok_or(JwsError::UnknownKey)?;
    let jwk = keys.find(&kid).ok_or(JwsError::UnknownKey)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| JwsError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    // A certificate's term is its `expires_on` day, not a JWT's `exp`.
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let data =
        jsonwebtoken::decode::<Payload>(token.trim(), &key, &validation).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => JwsError::NotGenuine,
                _ => JwsError::Malformed,
            }
        })?;
    if data.claims.key_id != kid || !format_known(&data.claims) {
        return Err(JwsError::NotGenuine);
    }
    Ok(data.claims)
}

/// Whether `text` can be a certificate id: 32 lower-case hex characters. Anything else in a
/// verification address is refused before the database is asked.
pub fn is_certificate_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    fn payload(key_id: &str) -> Payload {
        Payload {
            format: FORMAT,
            id: ID.into(),
            item: "EC-01".into(),
            title: "无犯罪记录证明".into(),
            holder_name: "陈秀英".into(),
            holder_name_latin: "CHEN XIUYING".into(),
            holder_birth_date: "1941-02-03".into(),
            holder_id_masked: "3311**********0022".into(),
            statement: "经查，未发现有犯罪记录。".into(),
            case_number: "QT-2026-000002".into(),
            issued_on: "2026-05-28".into(),
            expires_on: "2026-11-28".into(),
            issuer: "青田县公安局".into(),
            translations: TRANSLATED
                .iter()
                .map(|lang| Translation {
                    lang: lang.tag().into(),
                    title: format!("title {}", lang.tag()),
                    attests: format!("attests {}", lang.tag()),
                    issuer: format!("issuer {}", lang.tag()),
                })
                .collect(),
            key_id: key_id.into(),
        }
    }

    #[test]
    fn a_format_1_certificate_still_verifies_and_each_format_has_its_parts() {
        let key = signing_key([9; 32]);
        let public = PublicKey {
            key_id: "k9".into(),
            public_hex: public_hex(&key),
        };
        let verdict = |p: &Payload| {
            let (json, signature) = sign(p, &key);
            verify(
                &stored(&json, &signature, "k9"),
                std::slice::from_ref(&public),
                day("2026-06-01"),
            )
        };
        let mut old = payload("k9");
        old.format = 1;
        old.translations.clear();
        let (json, _) = sign(&old, &key);
        assert!(
            !json.contains("translations"),
            "format 1's signed bytes: {json}"
        );
        assert!(matches!(verdict(&old), Verdict::Valid(_)));
        assert!(matches!(verdict(&payload("k9")), Verdict::Valid(_)));
        assert_eq!(
            payload("k9")
                .in_language(Lang::It)
                .map(|t| t.attests.as_str()),
            Some("attests it")
        );
        assert_eq!(payload("k9").in_language(Lang::Zh), None);

        let mut untranslated = payload("k9");
        untranslated.translations.pop();
        assert_eq!(verdict(&untranslated), Verdict::NotGenuine);
        let mut reordered = payload("k9");
        reordered.translations.reverse();
        assert_eq!(verdict(&reordered), Verdict::NotGenuine);
        let mut translated_old = payload("k9");
        translated_old.format = 1;
        assert_eq!(verdict(&translated_old), Verdict::NotGenuine);
        let mut future = payload("k9");
        future.format = 3;
        assert_eq!(verdict(&future), Verdict::NotGenuine);
    }

    fn issued(seed: u8) -> (String, String, PublicKey) {
        let key = signing_key([seed; 32]);
        let key_id = format!("k{seed}");
        let (json, signature) = sign(&payload(&key_id), &key);
        (
            json,
            signature,
            PublicKey {
                key_id,
                public_hex: public_hex(&key),
            },
        )
    }

    fn stored<'a>(json: &'a str, signature: &'a str, key_id: &'a str) -> Stored<'a> {
        Stored {
            id: ID,
            payload_json: json,
            signature_hex: signature,
            key_id,
            revoked_on: None,
            revoke_reason: "",
        }
    }

    fn day(s: &str) -> Date {
        s.parse().expect("date")
    }

    #[test]
    fn a_jws_verifies_offline_against_the_published_keys_only() {
        let key = signing_key([5; 32]);
        let public = PublicKey {
            key_id: "k5".into(),
            public_hex: public_hex(&key),
        };
        let certificate = payload("k5");
        let token = jws(&certificate, &key).expect("signed");
        assert_eq!(token.split('.').count(), 3);
        let set = serde_json::json!({ "keys": [jwk(&public, 1_779_934_000, None)] }).to_string();
        assert_eq!(verify_jws(&token, &set), Ok(certificate.clone()));

        // Another key's set does not know it; a changed payload or signature is not genuine.
        let other = PublicKey {
            key_id: "k5".into(),
            public_hex: public_hex(&signing_key([6; 32])),
        };
        let wrong = serde_json::json!({ "keys": [jwk(&other, 0, Some(1))] }).to_string();
        assert_eq!(verify_jws(&token, &wrong), Err(JwsError::NotGenuine));
        let parts: Vec<&str> = token.split('.').collect();
        let mut forged = certificate;
        forged.holder_name = "张三".into();
        let forged_payload = jws(&forged, &signing_key([6; 32]))
            .expect("signed")
            .split('.')
            .nth(1)
            .expect("payload")
            .to_owned();
        let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert_eq!(verify_jws(&tampered, &set), Err(JwsError::NotGenuine));
        assert_eq!(verify_jws("not a token", &set), Err(JwsError::Malformed));
        assert_eq!(
            verify_jws(&token, r#"{"keys":[]}"#),
            Err(JwsError::UnknownKey)
        );
        assert_eq!(verify_jws(&token, "[]"), Err(JwsError::Keys));
        let in_a_link = format!("https://qiaoyi.example/verify/{ID}#jws={token}");
        assert!(
            verify_jws(&in_a_link, &set).is_ok(),
            "as its QR code carries it"
        );
    }

    #[test]
    fn a_signed_certificate_is_valid_until_it_expires_or_is_revoked() {
        let (json, signature, key) = issued(7);
        let keys = [key];
        let s = stored(&json, &signature, "k7");
        assert!(matches!(
            verify(&s, &keys, day("2026-06-01")),
            Verdict::Valid(_)
        ));
        assert!(matches!(
            verify(&s, &keys, day("2026-11-28")),
            Verdict::Valid(_)
        ));
        assert!(matches!(
            verify(&s, &keys, day("2026-11-29")),
            Verdict::Expired { .. }
        ));
        let revoked = Stored {
            revoked_on: Some(day("2026-06-02")),
            revoke_reason: "issued in error",
            ..s.clone()
        };
        let verdict = verify(&revoked, &keys, day("2026-06-03"));
        assert_eq!(verdict.as_str(), "revoked");
        assert_eq!(
            verdict.payload().map(|p| p.holder_name.as_str()),
            Some("陈秀英")
        );
    }

    #[test]
    fn an_old_key_still_verifies_after_rotation_and_a_wrong_key_does_not() {
        let (json, signature, old) = issued(1);
        let (_, _, new) = issued(2);
        let keys = [old, new.clone()];
        assert_eq!(
            verify(&stored(&json, &signature, "k1"), &keys, day("2026-06-01")).as_str(),
            "valid"
        );
        // The same signature claimed under the new key, or a key nobody knows.
        assert_eq!(
            verify(&stored(&json, &signature, "k2"), &keys, day("2026-06-01")),
            Verdict::NotGenuine
        );
        assert_eq!(
            verify(&stored(&json, &signature, "k9"), &[new], day("2026-06-01")),
            Verdict::NotGenuine
        );
    }

    #[test]
    fn a_payload_that_is_not_canonical_or_names_another_certificate_is_not_genuine() {
        let key = signing_key([3; 32]);
        let keys = [PublicKey {
            key_id: "k3".into(),
            public_hex: public_hex(&key),
        }];
        // Signed, but with spaces: a second spelling of the same facts is refused.
        let spaced = payload("k3").canonical().replace(",\"", ", \"");
        let signature = hex(&key.sign(spaced.as_bytes()).to_bytes());
        assert_eq!(
            verify(&stored(&spaced, &signature, "k3"), &keys, day("2026-06-01")),
            Verdict::NotGenuine
        );
        // A genuine payload presented under another certificate's id.
        let (json, signature) = sign(&payload("k3"), &key);
        let elsewhere = Stored {
            id: "ffffffffffffffffffffffffffffffff",
            ..stored(&json, &signature, "k3")
        };
        assert_eq!(
            verify(&elsewhere, &keys, day("2026-06-01")),
            Verdict::NotGenuine
        );
        assert_eq!(
            verify(&stored(&json, "zz", "k3"), &keys, day("2026-06-01")),
            Verdict::NotGenuine
        );
    }

    #[test]
    fn ids_in_addresses_are_checked() {
        assert!(is_certificate_id(ID));
        for bad in [
            "",
            "0123",
            &ID.to_uppercase(),
            &format!("{ID}0"),
            "../../etc/passwd0123456789abcdef",
        ] {
            assert!(!is_certificate_id(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn changing_any_byte_of_the_payload_is_detected(index in 0usize..400, byte in any::<u8>()) {
            let (json, signature, key) = issued(5);
            let mut bytes = json.clone().into_bytes();
            let i = index % bytes.len();
            prop_assume!(bytes[i] != byte);
            bytes[i] = byte;
            let Ok(tampered) = String::from_utf8(bytes) else { return Ok(()) };
            prop_assert_eq!(
                verify(&stored(&tampered, &signature, "k5"), &[key], day("2026-06-01")),
                Verdict::NotGenuine
            );
        }
    }
}
