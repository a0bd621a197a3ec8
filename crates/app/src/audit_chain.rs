//! The audit chain kept whole: keyed when the app opens, verified against its stored head and an
//! operator's checkpoint, and the checkpoint itself printed for keeping elsewhere.

use qiaoyi_domain::access::AuditEvent;
use qiaoyi_domain::access::audit::{AuditRecord, Broken, Checkpoint, Verifier};
use qiaoyi_store::{ChainKeying, Store};

use crate::vault::Vault;

use crate::{App, AppError};

/// Entries read per batch while verifying.
const BATCH: i64 = 10_000;

impl App {
    /// Makes sure the chain is keyed with this installation's key; called by [`App::open`]. An
    /// older chain is re-keyed once when whole; a broken one stops the start so its evidence is
    /// not overwritten, and a chain keyed with another key means another field key.
    pub(crate) async fn key_audit_chain(&self, over_break: Option<i64>) -> Result<(), AppError> {
        let purpose = match over_break {
            Some(seq) => format!("re-keyed over the break at entry {seq}"),
            None => "re-keyed the chain written before entries were keyed".to_owned(),
        };
        let keyed = AuditRecord {
            at_ms: self.now_ms(),
            role: "system".into(),
            action: AuditEvent::AuditChainKeyed.as_str().into(),
            subject_type: "audit".into(),
            purpose,
            outcome: "ok".into(),
            ..AuditRecord::default()
        };
        match self.store.key_audit_chain(over_break, &keyed).await? {
            ChainKeying::Keyed => Ok(()),
            ChainKeying::Rekeyed { entries } => {
                tracing::warn!(
                    entries,
                    "keyed the audit chain written before entries were keyed"
                );
                Ok(())
            }
            ChainKeying::OtherKey => Err(AppError::AuditChain(
                "the audit chain is keyed with another key: use the secret key this database was \
                 created with (secret.key from its data dir, or QIAOYI_SECRET_KEY)"
                    .into(),
            )),
            ChainKeying::Broken(broken) => Err(AppError::AuditChain(format!(
                "the audit chain written before entries were keyed is broken at entry {} ({}), so \
                 it was not keyed. Keep a copy of the database as evidence, then run `qiaoyi audit \
                 rekey --over-break {}` to key it as it stands",
                broken.seq, broken.reason, broken.seq
            ))),
        }
    }

    /// Walks the chain up to its stored head and holds its end to that head and to `checkpoint`;
    /// `progress` is told how many entries were checked so far.
    pub async fn verify_audit(
        &self,
        checkpoint: Option<Checkpoint>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Result<u64, Broken>, AppError> {
        verify_chain(&self.store, &self.vault, checkpoint, progress).await
    }

    /// The chain's head, once the chain up to it verifies, to be kept where the database's own
    /// administrators cannot change it.
    pub async fn audit_checkpoint(
        &self,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Result<Checkpoint, Broken>, AppError> {
        let head = self.store.audit_head().await?;
        match self.verify_audit(None, progress).await? {
            Err(broken) => Ok(Err(broken)),
            // An empty chain has nothing to hold on to yet.
            Ok(0) => Err(AppError::AuditChain(
                "the audit log is empty: there is no entry to keep a checkpoint of yet".into(),
            )),
            Ok(_) => Ok(Ok(Checkpoint {
                seq: head.seq,
                hash: head.hash,
            })),
        }
    }
}

/// Walks the chain of `store` up to its stored head with `vault`'s chain key (for
/// [`App::verify_audit`], and for a restored backup before it is put in place).
pub(crate) async fn verify_chain(
    store: &Store,
    vault: &Vault,
    checkpoint: Option<Checkpoint>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Result<u64, Broken>, AppError> {
    // The head first: entries appended while the walk runs are after it and left for later.
    let head = store.audit_head().await?;
    let mut verifier = Verifier::new(vault.audit_chain_key(), checkpoint);
    let mut after = 0;
    loop {
        let batch = store.audit_chain(after, head.seq, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.0.seq;
        for (record, prev, hash) in &batch {
            if let Err(broken) = verifier.check(record, prev, hash) {
                return Ok(Err(broken));
            }
        }
        progress(verifier.checked());
    }
    Ok(verifier.finish(head.seq, &head.hash))
}
