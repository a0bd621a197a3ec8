//! Electronic certificates: issued (signed with the bureau's current key) when a certificate case
//! takes its `issue` step, verified by anyone at `/verify/{id}`, revoked with a reason by the
//! item's officers, and signed by a new key after `qiaoyi keys rotate` while old ones still verify.

use qiaoyi_domain::access::audit::hex;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject};
use qiaoyi_domain::certificates::{
    FORMAT, IssuedCertificate, Payload, PublicKey, SigningKey, Stored, TRANSLATED, Translation,
    Verdict, is_certificate_id, public_hex, sign, signing_key, verify,
};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::identity::{DocumentKind, DocumentNumber};
use qiaoyi_domain::lang::Lang;
use qiaoyi_store::SigningKeyRow;

use crate::accounts::{Client, random_hex};
use crate::cases::{Case, beijing_today};
use crate::{App, AppError, Caller};

/// How long an electronic certificate stays valid after issue.
pub const VALIDITY_MONTHS: i8 = 6;
const MAX_REASON: usize = 500;

/// A certificate with what verification says of it now.
#[derive(Clone, Debug)]
pub struct Certificate {
    pub row: IssuedCertificate,
    pub verdict: Verdict,
    /// Whether the reader may revoke it.
    pub may_revoke: bool,
}

fn seal_context(key_id: &str) -> String {
    format!("signing_key:{key_id}")
}

fn key_bytes(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

impl App {
    /// Makes a new signing key the one that signs; earlier keys are retired but still verify.
    /// Returns the new key id.
    pub async fn rotate_signing_key(&self, client: &Client, now: i64) -> Result<String, AppError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
        let key = signing_key(secret);
        let key_id = format!("k{}-{}", beijing_today(now), &random_hex(4));
        let row = SigningKeyRow {
            secret_sealed: self.vault.seal(&seal_context(&key_id), &hex(&secret)),
            public_hex: public_hex(&key),
            key_id: key_id.clone(),
            created_at: now,
            retired_at: None,
        };
        let record = self.audit_record(
            None,
            AuditEvent::SigningKeyRotate,
            (AuditSubject::SigningKey, &key_id),
            "ok",
            client,
            now,
        );
        self.store.rotate_signing_key(&row, &record).await?;
        Ok(key_id)
    }

    /// The key that signs now, made on first use.
    async fn current_key(&self, now: i64) -> Result<(String, SigningKey), AppError> {
        let keys = self.store.signing_keys().await?;
        let current = match keys.into_iter().find(|k| k.retired_at.is_none()) {
            Some(k) => k,
            None => {
                let client = Client {
                    address: "system".into(),
                };
                let key_id = self.rotate_signing_key(&client, now).await?;
                self.store
                    .signing_keys()
                    .await?
                    .into_iter()
                    .find(|k| k.key_id == key_id)
                    .ok_or_else(|| AppError::NotFound(format!("signing key {key_id}")))?
            }
        };
        let secret = self
            .vault
            .open(&seal_context(&current.key_id), &current.secret_sealed)?;
        let secret = key_bytes(&secret).ok_or_else(|| AppError::Invalid {
            field: "vault",
            reason: Reason::Malformed,
            message: format!("signing key {} is not 32 bytes", current.key_id),
        })?;
        Ok((current.key_id, signing_key(secret)))
    }

    /// The holder's resident ID with its middle hidden, when one is on file for the case's person.
    async fn masked_resident_id(&self, case_id: &str) -> Result<String, AppError> {
        let Some(person) = self
            .store
            .case_by_id(case_id)
            .await?
            .and_then(|r| r.person_id)
        else {
            return Ok(String::new());
        };
        for d in self.store.documents_of(&person).await? {
            if d.kind == DocumentKind::ResidentId {
                let number = self
                    .vault
                    .open(&format!("{}:{}", d.kind.as_str(), d.id), &d.number_sealed)?;
                // Its birth date was checked against the day it was saved.
                if let Ok(n) =
                    DocumentNumber::parse(DocumentKind::ResidentId, &number, jiff::civil::Date::MAX)
                {
                    return Ok(n.masked().to_owned());
                }
            }
        }
        Ok(String::new())
    }

    /// The signed certificate a certificate case's `issue` step writes.
    pub(crate) async fn certificate_for(
        &self,
        case: &Case,
        now: i64,
    ) -> Result<IssuedCertificate, AppError> {
        let (key_id, key) = self.current_key(now).await?;
        let issued_on = beijing_today(now);
        let expires_on = issued_on
            .checked_add(jiff::Span::new().months(VALIDITY_MONTHS))
            .map_err(|e| AppError::Invalid {
                field: "expires_on",
                reason: Reason::Malformed,
                message: e.to_string(),
            })?;
        let bureau = self.catalog_header().await?.bureau;
        let id = random_hex(16);
        let title = case.item.name.get(Lang::Zh).to_owned();
        // What it attests, in Chinese and the three other languages; a catalogue stored before
        // items said so gives the format 1 certificate, Chinese only.
        let (format, statement, translations) = match &case.item.attests {
            Some(attests) => (
                FORMAT,
                attests.get(Lang::Zh).to_owned(),
                TRANSLATED
                    .iter()
                    .map(|&lang| Translation {
                        lang: lang.tag().to_owned(),
                        title: case.item.name.get(lang).to_owned(),
                        attests: attests.get(lang).to_owned(),
                        issuer: bureau.get(lang).to_owned(),
                    })
                    .collect(),
            ),
            None => (
                1,
                format!(
                    "兹证明：{}（出生日期 {}）申请的“{}”经{}审核，予以出具本证明。",
                    case.person_name,
                    case.birth_date,
                    title,
                    bureau.get(Lang::Zh)
                ),
                Vec::new(),
            ),
        };
        let payload = Payload {
            format,
            id: id.clone(),
            item: case.item.code.to_string(),
            statement,
            title,
            holder_name: case.person_name.clone(),
            holder_name_latin: case.person_name_latin.clone(),
            holder_birth_date: case.birth_date.to_string(),
            holder_id_masked: self.masked_resident_id(&case.id).await?,
            case_number: case.number.clone(),
            issued_on: issued_on.to_string(),
            expires_on: expires_on.to_string(),
            issuer: bureau.get(Lang::Zh).to_owned(),
            translations,
            key_id: key_id.clone(),
        };
        let (payload, signature) = sign(&payload, &key);
        Ok(IssuedCertificate {
            id,
            case_id: case.id.clone(),
            payload,
            signature,
            key_id,
            issued_at: now,
            revoked_on: None,
            revoke_reason: String::new(),
        })
    }

    fn verdict(&self, row: &IssuedCertificate, keys: &[PublicKey], now: i64) -> Verdict {
        verify(
            &Stored {
                id: &row.id,
                payload_json: &row.payload,
                signature_hex: &row.signature,
                key_id: &row.key_id,
                revoked_on: row.revoked_on,
                revoke_reason: &row.revoke_reason,
            },
            keys,
            beijing_today(now),
        )
    }

    /// Every signing key's public half as a JWK Set (RFC 7517), current and retired, each with
    /// the period it signed in: what a foreign office needs to verify certificates offline.
    pub async fn published_keys(&self) -> Result<serde_json::Value, AppError> {
        let keys: Vec<serde_json::Value> = self
            .store
            .signing_keys()
            .await?
            .into_iter()
            .map(|k| {
                let public = PublicKey {
                    key_id: k.key_id,
                    public_hex: k.public_hex,
                };
                qiaoyi_domain::certificates::jwk(
                    &public,
                    k.created_at / 1000,
                    k.retired_at.map(|r| r / 1000),
                )
            })
            .collect();
        Ok(serde_json::json!({ "keys": keys }))
    }

    /// A genuine certificate as a compact JWS signed by the key that signed it, for its QR code
    /// and the verification answer; `None` for one that is not genuine.
    pub async fn certificate_jws(&self, verdict: &Verdict) -> Result<Option<String>, AppError> {
        let Some(payload) = verdict.payload() else {
            return Ok(None);
        };
        let Some(row) = self
            .store
            .signing_keys()
            .await?
            .into_iter()
            .find(|k| k.key_id == payload.key_id)
        else {
            return Ok(None);
        };
        let secret = self
            .vault
            .open(&seal_context(&row.key_id), &row.secret_sealed)?;
        let secret = key_bytes(&secret).ok_or_else(|| {
            AppError::Internal(format!("signing key {} is not 32 bytes", row.key_id))
        })?;
        qiaoyi_domain::certificates::jws(payload, &signing_key(secret))
            .map(Some)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// What a certificate's QR code carries: its verification address, and for a genuine one
    /// the certificate itself as a JWS after `#jws=` (a fragment, never sent to the server), so a
    /// phone verifies it with the published keys and no network.
    pub async fn certificate_qr(
        &self,
        verify_url: &str,
        verdict: &Verdict,
    ) -> Result<String, AppError> {
        Ok(match self.certificate_jws(verdict).await? {
            Some(token) => format!("{verify_url}#jws={token}"),
            None => verify_url.to_owned(),
        })
    }

    async fn public_keys(&self) -> Result<Vec<PublicKey>, AppError> {
        Ok(self
            .store
            .signing_keys()
            .await?
            .into_iter()
            .map(|k| PublicKey {
                key_id: k.key_id,
                public_hex: k.public_hex,
            })
            .collect())
    }

    /// What anyone may learn of a certificate from its id: the verdict and, when genuine, what
    /// the certificate itself shows. An address that cannot be a certificate's is "not found".
    pub async fn verify_certificate(&self, id: &str, now: i64) -> Result<Verdict, AppError> {
        let not_found = || AppError::NotFound("this certificate".into());
        if !is_certificate_id(id) {
            return Err(not_found());
        }
        let row = self.store.certificate(id).await?.ok_or_else(not_found)?;
        Ok(self.verdict(&row, &self.public_keys().await?, now))
    }

    /// A certificate for the readers of its case.
    pub async fn certificate(&self, caller: &Caller, id: &str) -> Result<Certificate, AppError> {
        let not_found = || AppError::NotFound("this certificate".into());
        if !is_certificate_id(id) {
            return Err(not_found());
        }
        let row = self.store.certificate(id).await?.ok_or_else(not_found)?;
        let case = self.readable_case(caller, &row.case_id).await?;
        self.audit_read(
            caller,
            AuditEvent::ReadCertificate,
            (AuditSubject::Case, &case.id),
            case.applicant_id.as_deref(),
            format!("case {}", case.number),
        )
        .await?;
        self.certificate_view(caller, row, &case).await
    }

    pub(crate) async fn certificate_view(
        &self,
        caller: &Caller,
        row: IssuedCertificate,
        case: &Case,
    ) -> Result<Certificate, AppError> {
        let verdict = self.verdict(&row, &self.public_keys().await?, caller.now);
        let may_revoke = row.revoked_on.is_none()
            && caller.session().is_some_and(|s| {
                qiaoyi_domain::access::decide(&s.actor, Action::DecideCase, &case.resource())
                    .is_allowed()
            });
        Ok(Certificate {
            row,
            verdict,
            may_revoke,
        })
    }

    /// Revokes a certificate with the reason verification will show. A decision: the item's
    /// officers, with a fresh second factor.
    pub async fn revoke_certificate(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let not_found = || AppError::NotFound("this certificate".into());
        if !is_certificate_id(id) {
            return Err(not_found());
        }
        let row = self.store.certificate(id).await?.ok_or_else(not_found)?;
        let case = self.readable_case(caller, &row.case_id).await?;
        self.authorize(caller, Action::DecideCase, &case.resource())
            .await?;
        let Some(current) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON {
            return Err(AppError::Invalid {
                field: "reason",
                reason: Reason::Malformed,
                message: format!(
                    "say why the certificate is revoked, in at most {MAX_REASON} characters"
                ),
            });
        }
        let mut record = self.audit_record(
            Some(&current.actor),
            AuditEvent::CertificateRevoke,
            (AuditSubject::Case, &case.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!("certificate {id}");
        self.store
            .revoke_certificate(
                id,
                &beijing_today(caller.now).to_string(),
                reason,
                &current.actor.user_id,
                &record,
            )
            .await?;
        Ok(())
    }
}
