//! The audit chain: each entry's hash covers its fields and the previous entry's hash, so editing,
//! removing or reordering any entry breaks every hash after it.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry's fields, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AuditRecord {
    pub seq: i64,
    pub at_ms: i64,
    /// User id of whoever acted; empty for the anonymous.
    pub actor: String,
    pub role: String,
    pub station: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub purpose: String,
    /// `ok`, `denied` or `failed`.
    pub outcome: String,
    pub client: String,
}

impl AuditRecord {
    /// The canonical encoding: every field as `length:bytes;` in a fixed order, so no two different
    /// records encode alike.
    fn encode_into(&self, out: &mut Vec<u8>) {
        let seq = self.seq.to_string();
        let at = self.at_ms.to_string();
        for field in [
            seq.as_str(),
            at.as_str(),
            &self.actor,
            &self.role,
            &self.station,
            &self.action,
            &self.subject_type,
            &self.subject_id,
            &self.purpose,
            &self.outcome,
            &self.client,
        ] {
            out.extend_from_slice(field.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(field.as_bytes());
            out.push(b';');
        }
    }
}

/// SHA-256 (hex) over the previous hash and the record's canonical encoding.
pub fn entry_hash(prev_hash: &str, record: &AuditRecord) -> String {
    let mut bytes = Vec::with_capacity(256);
    bytes.extend_from_slice(prev_hash.as_bytes());
    bytes.push(b'\n');
    record.encode_into(&mut bytes);
    hex(&Sha256::digest(&bytes))
}

/// SHA-256 of `bytes` as lower-case hex; also how session tokens are stored.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Where a chain stops being valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub seq: i64,
    pub reason: &'static str,
}

/// Walks stored entries `(record, prev_hash, hash)` in sequence order, carrying the expected previous
/// hash from one call to the next so long chains can be checked in batches.
#[derive(Clone, Debug)]
pub struct Verifier {
    expected_prev: String,
    expected_seq: Option<i64>,
    checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_prev: GENESIS.to_owned(),
            expected_seq: None,
            checked: 0,
        }
    }
}

impl Verifier {
    pub fn check(
        &mut self,
        record: &AuditRecord,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), Broken> {
        let broken = |reason| Broken {
            seq: record.seq,
            reason,
        };
        if let Some(expected) = self.expected_seq
            && record.seq != expected
        {
            return Err(broken("an entry is missing before this one"));
        }
        if prev_hash != self.expected_prev {
            return Err(broken(
                "its previous-hash does not match the entry before it",
            ));
        }
        if entry_hash(prev_hash, record) != hash {
            return Err(broken("its content does not match its hash"));
        }
        self.expected_prev = hash.to_owned();
        self.expected_seq = Some(record.seq + 1);
        self.checked += 1;
        Ok(())
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<(AuditRecord, String, String)> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let record = AuditRecord {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor: format!("user-{seq}"),
                    action: "login".into(),
                    outcome: "ok".into(),
                    ..AuditRecord::default()
                };
                let hash = entry_hash(&prev, &record);
                let entry = (record, prev.clone(), hash.clone());
                prev = hash;
                entry
            })
            .collect()
    }

    fn verify(entries: &[(AuditRecord, String, String)]) -> Result<u64, Broken> {
        let mut v = Verifier::default();
        for (r, p, h) in entries {
            v.check(r, p, h)?;
        }
        Ok(v.checked())
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(50)), Ok(50));
    }

    #[test]
    fn an_edit_is_found_at_its_entry() {
        let mut entries = chain(10);
        entries[6].0.actor = "someone-else".into();
        assert_eq!(verify(&entries).map_err(|b| b.seq), Err(7));
    }

    #[test]
    fn a_removed_entry_is_found() {
        let mut entries = chain(10);
        entries.remove(4);
        assert_eq!(verify(&entries).map_err(|b| b.seq), Err(6));
    }

    #[test]
    fn a_rehashed_edit_breaks_the_next_link() {
        let mut entries = chain(10);
        entries[3].0.purpose = "forged".into();
        entries[3].2 = entry_hash(&entries[3].1, &entries[3].0);
        assert_eq!(verify(&entries).map_err(|b| b.seq), Err(5));
    }

    #[test]
    fn field_boundaries_matter() {
        let a = AuditRecord {
            actor: "ab".into(),
            role: "c".into(),
            ..AuditRecord::default()
        };
        let b = AuditRecord {
            actor: "a".into(),
            role: "bc".into(),
            ..AuditRecord::default()
        };
        assert_ne!(entry_hash(GENESIS, &a), entry_hash(GENESIS, &b));
    }
}
