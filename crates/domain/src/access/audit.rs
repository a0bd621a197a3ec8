//! The audit chain: each entry's hash is an HMAC, under a key kept outside the database, of its
//! fields and the previous entry's hash, so editing, removing or reordering any entry breaks every
//! hash after it, and no one without the key can compute a chain that verifies. Cutting entries off
//! the end is found against the stored head, and against a [`Checkpoint`] kept elsewhere when the
//! head was rewound too.

use std::fmt;

use hmac::{Hmac, Mac};
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
    /// The person whose data this entry is about, whose "who read my file" lists it; empty when
    /// it is about no one in particular.
    pub person: String,
}

impl AuditRecord {
    /// The canonical encoding: every field as `length:bytes;` in a fixed order, so no two different
    /// records encode alike. `person` comes last and only when set, so entries written before
    /// it existed encode (and verify) as they did.
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
        ]
        .into_iter()
        .chain((!self.person.is_empty()).then_some(self.person.as_str()))
        {
            out.extend_from_slice(field.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(field.as_bytes());
            out.push(b';');
        }
    }
}

/// The secret the chain's hashes are keyed with. It is derived from the field key, so it lives
/// where that key lives and never in the database.
#[derive(Clone)]
pub struct ChainKey([u8; 32]);

impl ChainKey {
    pub fn new(bytes: [u8; 32]) -> ChainKey {
        ChainKey(bytes)
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// A value that shows which key a database's chain is keyed with, without revealing the key.
    pub fn proof(&self) -> String {
        let mut mac = self.mac();
        mac.update(b"qiaoyi audit chain key proof");
        hex(&mac.finalize().into_bytes())
    }
}

impl fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainKey(***)")
    }
}

/// HMAC-SHA-256 (hex) under `key` over the previous hash and the record's canonical encoding.
pub fn entry_hash(key: &ChainKey, prev_hash: &str, record: &AuditRecord) -> String {
    let mut mac = key.mac();
    mac.update(&chained_bytes(prev_hash, record));
    hex(&mac.finalize().into_bytes())
}

/// How entries were hashed before the chain was keyed: plain SHA-256 over the same bytes. Only
/// read when an older database's chain is checked once and re-keyed.
pub fn unkeyed_entry_hash(prev_hash: &str, record: &AuditRecord) -> String {
    hex(&Sha256::digest(chained_bytes(prev_hash, record)))
}

fn chained_bytes(prev_hash: &str, record: &AuditRecord) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(256);
    bytes.extend_from_slice(prev_hash.as_bytes());
    bytes.push(b'\n');
    record.encode_into(&mut bytes);
    bytes
}

/// An entry's sequence number and hash, printed by `qiaoyi audit checkpoint` to be kept where
/// the database's administrators cannot change it, and checked by `audit verify --checkpoint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

impl Checkpoint {
    /// `SEQ:HASH`, as [`Checkpoint`]'s `Display` writes it.
    pub fn parse(text: &str) -> Result<Checkpoint, &'static str> {
        const MALFORMED: &str = "a checkpoint is SEQ:HASH as `qiaoyi audit checkpoint` prints it, \
                                 e.g. 1234:3fa1… with 64 hexadecimal characters after the colon";
        let (seq, hash) = text.trim().split_once(':').ok_or(MALFORMED)?;
        let seq: i64 = seq.parse().map_err(|_| MALFORMED)?;
        let hash = hash.to_ascii_lowercase();
        if seq < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(MALFORMED);
        }
        Ok(Checkpoint { seq, hash })
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
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
/// hash from one call to the next so long chains can be checked in batches, then [`Verifier::finish`]
/// holds the end of the chain to the stored head and to a checkpoint.
#[derive(Clone, Debug)]
pub struct Verifier {
    key: ChainKey,
    expected_prev: String,
    expected_seq: Option<i64>,
    checked: u64,
    /// The checkpoint to meet on the way, and whether it was met.
    checkpoint: Option<(Checkpoint, bool)>,
}

impl Verifier {
    pub fn new(key: ChainKey, checkpoint: Option<Checkpoint>) -> Verifier {
        Verifier {
            key,
            expected_prev: GENESIS.to_owned(),
            expected_seq: None,
            checked: 0,
            checkpoint: checkpoint.map(|c| (c, false)),
        }
    }

    /// Checks one entry, in sequence order after the last one checked.
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
        if entry_hash(&self.key, prev_hash, record) != hash {
            return Err(broken(
                "its content does not match its hash under this installation's key",
            ));
        }
        if let Some((checkpoint, met)) = &mut self.checkpoint
            && checkpoint.seq == record.seq
        {
            if checkpoint.hash != hash {
                return Err(broken("its hash is not the one the checkpoint holds"));
            }
            *met = true;
        }
        self.expected_prev = hash.to_owned();
        self.expected_seq = Some(record.seq + 1);
        self.checked += 1;
        Ok(())
    }

    /// After the last entry: the chain must end where the stored head says (so entries cut off the
    /// end show), and must have passed the checkpoint (so a head rewound with them shows too).
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<u64, Broken> {
        let last_seq = self.expected_seq.map_or(0, |next| next - 1);
        if head_seq != last_seq || head_hash != self.expected_prev {
            return Err(Broken {
                seq: last_seq + 1,
                reason: "the chain ends before its stored head: entries were removed from its end",
            });
        }
        if let Some((checkpoint, false)) = &self.checkpoint {
            return Err(Broken {
                seq: checkpoint.seq,
                reason: "the checkpoint's entry is not in the chain: entries were removed from its end",
            });
        }
        Ok(self.checked)
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ChainKey {
        ChainKey::new([7; 32])
    }

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
                let hash = entry_hash(&key(), &prev, &record);
                let entry = (record, prev.clone(), hash.clone());
                prev = hash;
                entry
            })
            .collect()
    }

    fn verify(entries: &[(AuditRecord, String, String)]) -> Result<u64, Broken> {
        let (head_seq, head_hash) = head(entries);
        verify_against(entries, None, head_seq, &head_hash)
    }

    /// The head as the store keeps it for `entries`: the last entry's sequence number and hash.
    fn head(entries: &[(AuditRecord, String, String)]) -> (i64, String) {
        entries
            .last()
            .map_or((0, GENESIS.to_owned()), |(r, _, h)| (r.seq, h.clone()))
    }

    fn verify_against(
        entries: &[(AuditRecord, String, String)],
        checkpoint: Option<Checkpoint>,
        head_seq: i64,
        head_hash: &str,
    ) -> Result<u64, Broken> {
        let mut v = Verifier::new(key(), checkpoint);
        for (r, p, h) in entries {
            v.check(r, p, h)?;
        }
        v.finish(head_seq, head_hash)
    }

    fn checkpoint_at(entries: &[(AuditRecord, String, String)], seq: i64) -> Checkpoint {
        let (r, _, h) = &entries[usize::try_from(seq - 1).expect("seq from 1")];
        Checkpoint {
            seq: r.seq,
            hash: h.clone(),
        }
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
        entries[3].2 = entry_hash(&key(), &entries[3].1, &entries[3].0);
        assert_eq!(verify(&entries).map_err(|b| b.seq), Err(5));
    }

    #[test]
    fn a_chain_rewritten_without_the_key_does_not_verify() {
        // Whoever can write the database edits an entry and recomputes every hash after it, with
        // the plain hash or under a key of her own: the first rewritten entry is refused.
        for forge in [
            |prev: &str, r: &AuditRecord| unkeyed_entry_hash(prev, r),
            |prev: &str, r: &AuditRecord| entry_hash(&ChainKey::new([8; 32]), prev, r),
        ] {
            let mut entries = chain(10);
            entries[3].0.purpose = "forged".into();
            let mut prev = entries[2].2.clone();
            for entry in &mut entries[3..] {
                entry.1 = prev.clone();
                entry.2 = forge(&prev, &entry.0);
                prev = entry.2.clone();
            }
            assert_eq!(verify(&entries).map_err(|b| b.seq), Err(4));
        }
    }

    #[test]
    fn entries_cut_off_the_end_are_found_against_the_stored_head() {
        let entries = chain(10);
        let (head_seq, head_hash) = head(&entries);
        let broken = verify_against(&entries[..7], None, head_seq, &head_hash);
        assert_eq!(broken.map_err(|b| b.seq), Err(8));
        // An empty chain under a head that counted entries is cut too.
        let broken = verify_against(&[], None, head_seq, &head_hash);
        assert_eq!(broken.map_err(|b| b.seq), Err(1));
    }

    #[test]
    fn a_head_rewound_with_the_cut_is_found_against_a_checkpoint() {
        let entries = chain(10);
        let checkpoint = checkpoint_at(&entries, 9);
        let cut = &entries[..7];
        let (rewound_seq, rewound_hash) = head(cut);
        assert_eq!(
            verify(cut),
            Ok(7),
            "without a checkpoint the cut cannot show"
        );
        let broken = verify_against(cut, Some(checkpoint.clone()), rewound_seq, &rewound_hash);
        assert_eq!(broken.map_err(|b| b.seq), Err(9));
        let (head_seq, head_hash) = head(&entries);
        assert_eq!(
            verify_against(&entries, Some(checkpoint), head_seq, &head_hash),
            Ok(10)
        );
    }

    #[test]
    fn a_checkpoint_from_another_chain_does_not_verify() {
        let entries = chain(10);
        let (head_seq, head_hash) = head(&entries);
        let other = Checkpoint {
            seq: 5,
            hash: "ab".repeat(32),
        };
        let broken = verify_against(&entries, Some(other), head_seq, &head_hash);
        assert_eq!(broken.map_err(|b| b.seq), Err(5));
    }

    #[test]
    fn checkpoints_read_back_what_they_print() {
        let checkpoint = Checkpoint {
            seq: 1234,
            hash: "3f".repeat(32),
        };
        assert_eq!(Checkpoint::parse(&checkpoint.to_string()), Ok(checkpoint));
        assert_eq!(
            Checkpoint::parse(&format!(" 7:{} \n", "AB".repeat(32))).map(|c| c.hash),
            Ok("ab".repeat(32))
        );
        for bad in [
            "",
            "7",
            "7:",
            "x:ab",
            "-1:ab",
            &format!("0:{GENESIS}"),
            &format!("7:{}", "g".repeat(64)),
        ] {
            assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_key_proof_tells_keys_apart_and_is_not_the_key() {
        assert_eq!(key().proof(), key().proof());
        assert_ne!(key().proof(), ChainKey::new([8; 32]).proof());
        assert!(!key().proof().contains(&hex(&[7; 32])));
    }

    /// An entry as written before entries named the person they are about.
    fn older_entry() -> AuditRecord {
        AuditRecord {
            seq: 7,
            at_ms: 1_780_000_000_000,
            actor: "u-1".into(),
            role: "officer".into(),
            action: "read_case".into(),
            subject_type: "case".into(),
            subject_id: "c-1".into(),
            purpose: "case QT-2026-000001".into(),
            outcome: "ok".into(),
            client: "127.0.0.1".into(),
            ..AuditRecord::default()
        }
    }

    #[test]
    fn entries_that_name_no_person_hash_as_they_always_did() {
        assert_eq!(
            unkeyed_entry_hash(GENESIS, &older_entry()),
            "309c6df52838d7c3507f0a2160e58ab1f50262d33d1f5a6fd9e2ca81df1708fe",
            "an older chain must still verify"
        );
    }

    #[test]
    fn the_person_an_entry_is_about_is_covered_by_its_hash() {
        let about_her = AuditRecord {
            person: "u-2".into(),
            ..older_entry()
        };
        let about_another = AuditRecord {
            person: "u-3".into(),
            ..older_entry()
        };
        let hashes =
            [older_entry(), about_her, about_another].map(|r| entry_hash(&key(), GENESIS, &r));
        assert_ne!(hashes[0], hashes[1]);
        assert_ne!(hashes[1], hashes[2]);
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
        assert_ne!(
            entry_hash(&key(), GENESIS, &a),
            entry_hash(&key(), GENESIS, &b)
        );
    }
}
