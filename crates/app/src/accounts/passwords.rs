//! Password hashes: argon2id at the standard cost on every server (the cheapest parameters only in
//! tests), hashed and verified off the async threads, and a dummy hash that makes a wrong address
//! take as long as a wrong password.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use qiaoyi_domain::access::Password;

use crate::AppError;

/// How much work a new password hash takes. Verifying reads the cost from the stored hash, so
/// hashes of either cost are checked correctly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PasswordCost {
    /// argon2id's recommended parameters (19 MiB, 2 passes): every server.
    Standard,
    /// The smallest parameters argon2 accepts, for tests only ([`App::with_store`]).
    Minimal,
}

impl PasswordCost {
    fn hasher(self) -> Result<Argon2<'static>, AppError> {
        let params = match self {
            PasswordCost::Standard => argon2::Params::default(),
            PasswordCost::Minimal => argon2::Params::new(
                argon2::Params::MIN_M_COST,
                argon2::Params::MIN_T_COST,
                argon2::Params::MIN_P_COST,
                None,
            )
            .map_err(|e| AppError::Internal(format!("argon2 parameters: {e}")))?,
        };
        Ok(Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }
}

pub(crate) async fn hash_password(
    cost: PasswordCost,
    password: Password,
) -> Result<String, AppError> {
    let hasher = cost.hasher()?;
    tokio::task::spawn_blocking(move || {
        hasher
            .hash_password(password.expose().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("cannot hash a password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("password hashing stopped: {e}")))?
}

pub(super) async fn password_matches(stored: String, given: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|hash| {
                Argon2::default()
                    .verify_password(given.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A valid argon2id hash of a random password: verifying against it when the e-mail address is
/// unknown makes a wrong address take as long as a wrong password.
pub(super) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7l2hpa0DgfaCFE2a7PRaFEDhgl7ekXUjXHQ+PAnM0Zk";

#[cfg(test)]
mod tests {
    use super::*;

    /// Servers hash with argon2id's recommended cost; a cheap test hash is still verified by the
    /// cost written into it.
    #[tokio::test]
    async fn servers_hash_at_the_standard_cost_and_any_cost_verifies() {
        let passphrase = "violet harbour lantern 1987 tide";
        for (cost, written) in [
            (PasswordCost::Standard, "$argon2id$v=19$m=19456,t=2,p=1$"),
            (PasswordCost::Minimal, "$argon2id$v=19$m=8,t=1,p=1$"),
        ] {
            let hash = hash_password(cost, Password::new(passphrase).expect("ok"))
                .await
                .expect("hash");
            assert!(hash.starts_with(written), "{cost:?}: {hash}");
            assert!(password_matches(hash.clone(), passphrase.into()).await);
            assert!(!password_matches(hash, "violet harbour lantern 1987 tidE".into()).await);
        }
    }

    #[test]
    fn dummy_hash_is_a_valid_hash() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
