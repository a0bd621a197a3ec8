//! The demo data: the reference catalogue and one account per role.

use qiaoyi_domain::access::Grant;
use qiaoyi_domain::lang::Lang;

use crate::accounts::{AccountRequest, Client};
use crate::{App, AppError, ImportOutcome, catalog_source};

/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "qiaoyi demo pass 2026";
/// Every demo staff account's TOTP secret, so the demo can be tried with any authenticator app.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A demo login: e-mail, display name, grants as (role, scope).
pub type DemoAccount = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    ("applicant@qiaoyi.example", "季美华", &[("applicant", "")]),
    (
        "station.rome@qiaoyi.example",
        "Rome station",
        &[("station", "IT-ROM")],
    ),
    (
        "station.madrid@qiaoyi.example",
        "Madrid station",
        &[("station", "ES-MAD")],
    ),
    (
        "officer@qiaoyi.example",
        "出入境民警",
        &[("officer", "exit-entry"), ("officer", "certificates")],
    ),
    ("duty@qiaoyi.example", "值班领导", &[("duty_leader", "")]),
    ("consultant@qiaoyi.example", "咨询员", &[("consultant", "")]),
    ("care@qiaoyi.example", "警察妈妈", &[("care_worker", "")]),
    ("admin@qiaoyi.example", "系统管理员", &[("admin", "")]),
    ("auditor@qiaoyi.example", "审计员", &[("auditor", "")]),
];

/// What seeding did.
#[derive(Debug, PartialEq, Eq)]
pub struct Seeded {
    pub catalogue: ImportOutcome,
    pub accounts_created: usize,
}

impl App {
    /// Brings a data dir to the demo state. Running it again changes nothing.
    pub async fn seed_demo(&self, now_ms: i64) -> Result<Seeded, AppError> {
        let catalogue = self
            .import_catalog(&catalog_source::reference(), now_ms, &|_, _| {})
            .await?;
        let mut accounts_created = 0;
        for (email, name, grants) in DEMO_ACCOUNTS {
            if self.account_exists(email).await? {
                continue;
            }
            let grants = grants
                .iter()
                .map(|(role, scope)| Grant::parse(role, scope))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| AppError::Invalid {
                    field: "roles",
                    message,
                })?;
            let staff = grants.iter().any(|g| g.role().is_staff());
            let request = AccountRequest {
                email,
                display_name: name,
                password: DEMO_PASSWORD,
                grants,
                language: Lang::Zh,
                confirmed: true,
                totp_secret: staff.then(|| DEMO_TOTP_SECRET.to_owned()),
            };
            self.create_account(
                request,
                None,
                &Client {
                    address: "demo".into(),
                },
                now_ms,
            )
            .await?;
            accounts_created += 1;
        }
        Ok(Seeded {
            catalogue,
            accounts_created,
        })
    }
}
