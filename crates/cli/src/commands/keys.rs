//! `keys rotate`: a new key signs certificates from now on. `verify`: a certificate checked
//! offline against the published keys.

use std::path::Path;

use anyhow::{Context, anyhow};
use qiaoyi_app::config::Config;
use qiaoyi_domain::certificates::{JwsError, verify_jws};

use super::open;
use crate::Failure;

pub(crate) async fn rotate_keys(config: Config) -> Result<(), Failure> {
    let app = open(config).await?;
    let client = qiaoyi_app::accounts::Client {
        address: "cli".into(),
    };
    let now = app.now_ms();
    let key_id = app
        .rotate_signing_key(&client, now)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    println!("certificates are now signed with key {key_id}; earlier keys still verify");
    Ok(())
}

/// `qiaoyi verify FILE --keys KEYS`: the certificate in FILE (a JWS, or its QR code's address)
/// against the JWK Set in KEYS, with no network; prints what it certifies when genuine.
pub(crate) fn verify_offline(file: &Path, keys: &Path) -> Result<(), Failure> {
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(Failure::BadInput)
    };
    let (token, keys_json) = (read(file)?, read(keys)?);
    match verify_jws(token.trim(), &keys_json) {
        Ok(c) => {
            println!("genuine: signed by key {} of {}", c.key_id, c.issuer);
            println!("certificate {} ({}), case {}", c.id, c.title, c.case_number);
            println!(
                "holder: {} {} born {}",
                c.holder_name, c.holder_name_latin, c.holder_birth_date
            );
            println!("statement: {}", c.statement);
            for t in &c.translations {
                println!("{}: {} · {} · {}", t.lang, t.title, t.attests, t.issuer);
            }
            println!("issued {}, valid until {}", c.issued_on, c.expires_on);
            println!(
                "whether it was revoked since can only be checked online, at /verify/{}",
                c.id
            );
            Ok(())
        }
        Err(e @ (JwsError::Malformed | JwsError::Keys)) => Err(Failure::BadInput(anyhow!("{e}"))),
        Err(e) => Err(Failure::Other(anyhow!("not genuine: {e}"))),
    }
}
