//! `user add`: an account made from the command line; a staff account's TOTP secret and recovery
//! codes are printed once.

use anyhow::Context;
use qiaoyi_app::config::Config;
use qiaoyi_app::{AppError, Caller};

use super::open;
use crate::Failure;

pub(crate) async fn add_user(
    config: Config,
    email: &str,
    name: &str,
    roles: &[String],
    password_stdin: bool,
) -> Result<(), Failure> {
    use qiaoyi_app::accounts::{AccountRequest, Client, new_totp_secret, otpauth_uri, random_hex};
    use qiaoyi_app::domain::access::Grant;
    let grants = roles
        .iter()
        .map(|r| Grant::parse_text(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| Failure::BadInput(anyhow::anyhow!("--role: {m}")))?;
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        (line.trim_end_matches(['\n', '\r']).to_owned(), false)
    } else {
        (random_hex(12), true)
    };
    let staff = grants.iter().any(|g| g.role().is_staff());
    let secret = staff.then(new_totp_secret);
    let app = open(config).await?;
    let request = AccountRequest {
        email,
        display_name: name,
        password: &password,
        grants,
        language: qiaoyi_app::domain::lang::Lang::Zh,
        confirmed: true,
        totp_secret: secret.clone(),
    };
    let id = app
        .create_account(
            &Caller::anonymous(
                Client {
                    address: "cli".into(),
                },
                app.now_ms(),
            ),
            request,
        )
        .await
        .map_err(|e| match e {
            AppError::Invalid { .. } | AppError::Store(qiaoyi_app::StoreError::Conflict { .. }) => {
                Failure::BadInput(e.into())
            }
            other => Failure::Other(other.into()),
        })?;
    println!("created account {id} for {email}");
    if generated {
        println!("password (shown once): {password}");
    }
    if let Some(secret) = secret {
        let codes = app
            .issue_recovery_codes(
                &id,
                None,
                &Client {
                    address: "cli".into(),
                },
                app.now_ms(),
            )
            .await
            .map_err(|e| Failure::Other(e.into()))?;
        println!("recovery codes (shown once): {}", codes.join(" "));
        println!("TOTP secret (shown once): {secret}");
        println!("authenticator link: {}", otpauth_uri(&secret, email));
    }
    Ok(())
}
