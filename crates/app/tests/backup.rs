//! Backups taken while people write, restored into a new data dir: whole, consistent, and opened
//! only by the right key.

use crate::common::anonymous;
use std::path::Path;

use qiaoyi_app::config::{Config, SecretKey};
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::{App, AppError, backup};

/// 2026-05-28 in Beijing, inside the shipped working-day calendars.
const T0: i64 = 1_779_934_000_000;

fn config_in(dir: &Path) -> Config {
    Config {
        data_dir: dir.to_owned(),
        ..Config::default()
    }
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_whole_and_consistent() {
    let old = tempfile::tempdir().expect("tmp");
    let app = App::open(config_in(old.path())).await.expect("open");
    app.seed_demo(T0).await.expect("seed");
    let writer = {
        let app = app.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                app.sign_up(
                    &anonymous(T0 + i),
                    &format!("writer{i}@example.org"),
                    "Writer",
                    "a long enough passphrase",
                    Lang::En,
                )
                .await
                .expect("signed up");
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let file = old.path().join("copy.db");
    app.backup(&file).await.expect("backup");
    writer.await.expect("writer");
    assert!(matches!(
        app.backup(&file).await,
        Err(AppError::Invalid { field: "out", .. })
    ));

    // A new data dir with the original key.
    let new = tempfile::tempdir().expect("tmp");
    std::fs::copy(old.path().join("secret.key"), new.path().join("secret.key")).expect("key");
    let restored = backup::restore(&config_in(new.path()), &file, false)
        .await
        .expect("restored");
    let count = |name: &str| {
        restored
            .counts
            .iter()
            .find(|(t, _)| t == name)
            .map_or(0, |(_, n)| *n)
    };
    // A consistent snapshot: every account has its sign-up entry in the audit chain, and the chain
    // verifies from the first entry to the head.
    let app2 = App::open(config_in(new.path())).await.expect("reopened");
    let intact = app2
        .verify_audit(None, &|_| {})
        .await
        .expect("read")
        .expect("the chain is whole");
    assert_eq!(i64::try_from(intact).expect("count"), count("audit"));
    drop(app2);
    let copy =
        qiaoyi_store::Store::connect(&qiaoyi_store::DatabaseUrl::sqlite_at(&restored.database))
            .await
            .expect("copy");
    let sign_ups = copy
        .audit_search(
            &qiaoyi_app::AuditFilter {
                action: "sign_up".into(),
                ..Default::default()
            },
            0,
            1,
        )
        .await
        .expect("audit")
        .total;
    let demo_accounts = qiaoyi_app::demo::DEMO_ACCOUNTS.len() as i64;
    assert_eq!(
        i64::try_from(sign_ups).expect("count"),
        count("users") - demo_accounts,
        "each account in the copy has its audit entry, and no entry lacks its account"
    );
    assert_eq!(count("cases"), 4, "the demo's cases");
    // Whatever was written after the copy is not in it; what was before is.
    assert!(count("users") <= 9 + 40);
}

#[tokio::test]
async fn restore_refuses_what_it_cannot_trust_and_replaces_nothing() {
    let old = tempfile::tempdir().expect("tmp");
    let app = App::open(config_in(old.path())).await.expect("open");
    app.seed_demo(T0).await.expect("seed");
    let file = old.path().join("copy.db");
    app.backup(&file).await.expect("backup");

    // No key in the new data dir: none is made up.
    let new = tempfile::tempdir().expect("tmp");
    let err = backup::restore(&config_in(new.path()), &file, false)
        .await
        .expect_err("no key");
    assert!(
        matches!(
            err,
            AppError::Invalid {
                field: "secret_key",
                ..
            }
        ),
        "{err}"
    );
    assert!(!new.path().join("secret.key").exists());

    // Another key: refused, and no database appears.
    let wrong = Config {
        secret_key: Some(SecretKey("ab".repeat(32))),
        ..config_in(new.path())
    };
    let err = backup::restore(&wrong, &file, false)
        .await
        .expect_err("wrong key");
    assert!(err.to_string().contains("secret key"), "{err}");
    assert!(!new.path().join("qiaoyi.db").exists());

    // Not a database at all.
    let junk = old.path().join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a SQLite database, just some bytes......",
    )
    .expect("junk");
    std::fs::copy(old.path().join("secret.key"), new.path().join("secret.key")).expect("key");
    let err = backup::restore(&config_in(new.path()), &junk, false)
        .await
        .expect_err("junk");
    assert!(
        matches!(err, AppError::Invalid { field: "file", .. }),
        "{err}"
    );
    assert!(
        backup::restore(
            &config_in(new.path()),
            &old.path().join("missing.db"),
            false
        )
        .await
        .is_err()
    );

    // The right key: restored; a second restore needs --replace.
    backup::restore(&config_in(new.path()), &file, false)
        .await
        .expect("restored");
    let err = backup::restore(&config_in(new.path()), &file, false)
        .await
        .expect_err("exists");
    assert!(
        matches!(
            err,
            AppError::Invalid {
                field: "database",
                ..
            }
        ),
        "{err}"
    );
    backup::restore(&config_in(new.path()), &file, true)
        .await
        .expect("replaced");

    // The server itself refuses to start on a database its key does not open.
    let err = App::open(Config {
        secret_key: Some(SecretKey("cd".repeat(32))),
        ..config_in(new.path())
    })
    .await
    .expect_err("wrong key at start");
    assert!(err.to_string().contains("secret key"), "{err}");
}
