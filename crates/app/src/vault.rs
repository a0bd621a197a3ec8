//! Encryption of sensitive fields at rest (XChaCha20-Poly1305) and keyed blind indexes (HMAC-SHA256)
//! for exact look-up without decrypting. The key never leaves this module and is never printed.

use qiaoyi_domain::failure::Reason;
use std::fmt;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::AppError;

/// Name of the key file created in the data dir when no key is configured.
pub const KEY_FILE: &str = "secret.key";
const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
    index_key: [u8; 32],
    chain_key: [u8; 32],
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault(***)")
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn decode_key(hex: &str) -> Result<[u8; 32], AppError> {
    let hex = hex.trim();
    let bad = || AppError::Invalid {
        field: "secret_key",
        reason: Reason::Malformed,
        message: "the secret key must be 64 hexadecimal characters (32 bytes)".into(),
    };
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).map_err(|_| bad())?;
    }
    Ok(key)
}

impl Vault {
    pub fn from_hex(hex: &str) -> Result<Vault, AppError> {
        let master = decode_key(hex)?;
        Ok(Vault {
            cipher: XChaCha20Poly1305::new(&Key::from(derive(
                &master,
                b"qiaoyi field encryption v1",
            ))),
            index_key: derive(&master, b"qiaoyi blind index v1"),
            chain_key: derive(&master, b"qiaoyi audit chain v1"),
        })
    }

    /// The key from `data_dir/secret.key`, created with a fresh random key (mode 0600) when missing.
    pub fn open_or_create(data_dir: &Path) -> Result<Vault, AppError> {
        let path = data_dir.join(KEY_FILE);
        let fail = |e: std::io::Error| AppError::DataDir(format!("{}: {e}", path.display()));
        if !path.exists() {
            std::fs::create_dir_all(data_dir).map_err(fail)?;
            let key = crate::accounts::random_hex(32);
            write_private(&path, &key).map_err(fail)?;
        }
        Vault::from_hex(&std::fs::read_to_string(&path).map_err(fail)?)
    }

    /// Encrypts `plain`, bound to `context` (e.g. the field and the row it belongs to), so a
    /// ciphertext moved to another row does not decrypt.
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .unwrap_or_else(|_| unreachable!("encryption of a short field cannot fail"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        qiaoyi_domain::access::audit::hex(&out)
    }

    /// What `seal` sealed for `context`. A sealed field that does not open (another key or
    /// context, or text `seal` never made) is refused as one error, whichever step failed.
    pub fn open(&self, context: &str, sealed: &str) -> Result<String, AppError> {
        self.unseal(context, sealed)
            .ok_or_else(|| AppError::Invalid {
                field: "vault",
                reason: Reason::Malformed,
                message: "a sealed field cannot be opened with this key".into(),
            })
    }

    fn unseal(&self, context: &str, sealed: &str) -> Option<String> {
        let bytes: Vec<u8> = (0..sealed.len() / 2)
            .map(|i| {
                sealed
                    .get(i * 2..i * 2 + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<_>>()?;
        if bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// The key the audit chain's entries are hashed with: derived from the field key, so it is
    /// kept where that key is, apart from the database and its backups.
    pub fn audit_chain_key(&self) -> qiaoyi_domain::access::audit::ChainKey {
        qiaoyi_domain::access::audit::ChainKey::new(self.chain_key)
    }

    /// A keyed hash of `value` for exact look-up: equal values give equal indexes, and without the
    /// key an index says nothing about its value.
    pub fn blind_index(&self, kind: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        qiaoyi_domain::access::audit::hex(&mac.finalize().into_bytes())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::from_hex(&"ab".repeat(32)).expect("key")
    }

    #[test]
    fn sealed_fields_open_only_in_their_context() {
        let v = vault();
        let sealed = v.seal("resident_id:u-1", "33112119800315123X");
        // Eight digits of the number: four (a random nonce's hex spells "3311" one time in a
        // few hundred) made this assertion fail by chance.
        assert!(!sealed.contains("19800315"));
        assert_eq!(
            v.open("resident_id:u-1", &sealed).expect("opens"),
            "33112119800315123X"
        );
        assert!(v.open("resident_id:u-2", &sealed).is_err());
        assert!(v.open("resident_id:u-1", "zz").is_err());
        assert!(v.open("resident_id:u-1", "").is_err());
        let other = Vault::from_hex(&"cd".repeat(32)).expect("key");
        assert!(other.open("resident_id:u-1", &sealed).is_err());
        assert_ne!(
            v.seal("c", "same"),
            v.seal("c", "same"),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn blind_indexes_match_equal_values_only() {
        let v = vault();
        assert_eq!(
            v.blind_index("resident_id", "1"),
            v.blind_index("resident_id", "1")
        );
        assert_ne!(
            v.blind_index("resident_id", "1"),
            v.blind_index("passport", "1")
        );
        assert_ne!(
            v.blind_index("resident_id", "1"),
            v.blind_index("resident_id", "2")
        );
    }

    #[test]
    fn keys_must_be_64_hex_characters() {
        assert!(Vault::from_hex("short").is_err());
        assert!(Vault::from_hex(&"zz".repeat(32)).is_err());
        assert!(format!("{:?}", vault()) == "Vault(***)");
    }

    #[test]
    fn a_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = Vault::open_or_create(dir.path()).expect("created");
        let sealed = a.seal("x", "secret");
        let b = Vault::open_or_create(dir.path()).expect("reused");
        assert_eq!(b.open("x", &sealed).expect("same key"), "secret");
    }
}
