//! The keyed audit chain: rewriting it without the key, cutting its end, and an older unkeyed
//! chain keyed once when the app opens, on both backends.

use crate::common::anonymous;
use qiaoyi_app::config::{Config, SecretKey};
use qiaoyi_app::domain::access::audit::{AuditRecord, Checkpoint, GENESIS, unkeyed_entry_hash};
use qiaoyi_app::{App, AppError};
use qiaoyi_store::testing::{TestStore, test_store};
use sqlx::{AnyConnection, Connection, Executor, Row};

const T0: i64 = 1_780_000_000_000;
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn config(store: &TestStore, dir: &std::path::Path) -> Config {
    Config {
        data_dir: dir.to_owned(),
        database_url: Some(store.url.expose().to_owned()),
        secret_key: Some(SecretKey(KEY.into())),
        ..Config::default()
    }
}

/// An app opened as a server opens it, with `entries` refused sign-ins in its audit log.
async fn opened_with_entries(store: &TestStore, dir: &std::path::Path, entries: i64) -> App {
    let app = App::open(config(store, dir)).await.expect("open");
    for i in 0..entries {
        app.login(&anonymous(T0 + i), "nobody@example.org", "not the password")
            .await
            .expect("refused, not failed");
    }
    app
}

async fn raw(store: &TestStore) -> AnyConnection {
    AnyConnection::connect(store.url.expose())
        .await
        .expect("raw connection")
}

async fn verify(app: &App, checkpoint: Option<Checkpoint>) -> Result<u64, i64> {
    app.verify_audit(checkpoint, &|_| {})
        .await
        .expect("read")
        .map_err(|b| b.seq)
}

/// Every entry, in order, as stored.
async fn entries(conn: &mut AnyConnection) -> Vec<AuditRecord> {
    sqlx::query(
        "SELECT seq, at, actor, role, station, action, subject_type, subject_id, purpose, \
         outcome, client, person FROM audit ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("entries")
    .iter()
    .map(|row| AuditRecord {
        seq: row.get("seq"),
        at_ms: row.get("at"),
        actor: row.get("actor"),
        role: row.get("role"),
        station: row.get("station"),
        action: row.get("action"),
        subject_type: row.get("subject_type"),
        subject_id: row.get("subject_id"),
        purpose: row.get("purpose"),
        outcome: row.get("outcome"),
        client: row.get("client"),
        person: row.get("person"),
    })
    .collect()
}

/// Rewrites the chain from entry `from` on with plain SHA-256 hashes, as anyone able to write the
/// database could, and moves the head to its new end.
async fn rehash_without_key(conn: &mut AnyConnection, from: i64) {
    let mut prev = GENESIS.to_owned();
    for entry in entries(conn).await {
        if entry.seq >= from {
            let hash = unkeyed_entry_hash(&prev, &entry);
            sqlx::query("UPDATE audit SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(entry.seq)
                .execute(&mut *conn)
                .await
                .expect("rewrite");
            prev = hash;
        } else {
            prev = sqlx::query_scalar("SELECT hash FROM audit WHERE seq = $1")
                .bind(entry.seq)
                .fetch_one(&mut *conn)
                .await
                .expect("hash");
        }
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut *conn)
        .await
        .expect("head");
}

#[tokio::test]
async fn an_entry_rewritten_without_the_key_is_found_though_every_hash_after_it_was_recomputed() {
    let store = test_store().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = opened_with_entries(&store, dir.path(), 5).await;
    assert_eq!(verify(&app, None).await, Ok(5));
    let mut conn = raw(&store).await;
    conn.execute("UPDATE audit SET outcome = 'ok' WHERE seq = 3")
        .await
        .expect("edit");
    rehash_without_key(&mut conn, 3).await;
    assert_eq!(verify(&app, None).await, Err(3));
}

#[tokio::test]
async fn entries_cut_off_the_end_are_found_by_the_head_and_by_a_checkpoint_when_the_head_is_rewound()
 {
    let store = test_store().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = opened_with_entries(&store, dir.path(), 6).await;
    let checkpoint = app
        .audit_checkpoint(&|_| {})
        .await
        .expect("read")
        .expect("whole");
    assert_eq!(checkpoint.seq, 6);
    assert_eq!(verify(&app, Some(checkpoint.clone())).await, Ok(6));

    let mut conn = raw(&store).await;
    conn.execute("DELETE FROM audit WHERE seq > 4")
        .await
        .expect("cut");
    assert_eq!(verify(&app, None).await, Err(5), "the head still counts 6");

    // Whoever cut the entries rewinds the head too: only the checkpoint kept elsewhere shows it.
    conn.execute(
        "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit WHERE seq = 4) WHERE id = 1",
    )
    .await
    .expect("rewind");
    assert_eq!(verify(&app, None).await, Ok(4));
    assert_eq!(verify(&app, Some(checkpoint)).await, Err(6));
}

#[tokio::test]
async fn an_empty_log_has_no_checkpoint_yet() {
    let store = test_store().await;
    let dir = tempfile::tempdir().expect("dir");
    let app = opened_with_entries(&store, dir.path(), 0).await;
    assert!(matches!(
        app.audit_checkpoint(&|_| {}).await,
        Err(AppError::AuditChain(_))
    ));
}

/// Turns the chain into one written before entries were keyed: plain hashes, no key recorded.
async fn make_unkeyed(store: &TestStore) {
    let mut conn = raw(store).await;
    rehash_without_key(&mut conn, 1).await;
    conn.execute("UPDATE audit_head SET key_proof = NULL WHERE id = 1")
        .await
        .expect("unkeyed");
}

async fn keyed_entries(store: &TestStore) -> Vec<String> {
    let mut conn = raw(store).await;
    entries(&mut conn)
        .await
        .into_iter()
        .filter(|e| e.action == "audit.chain_keyed")
        .map(|e| e.purpose)
        .collect()
}

#[tokio::test]
async fn an_older_unkeyed_chain_is_keyed_once_when_the_app_opens() {
    let store = test_store().await;
    let dir = tempfile::tempdir().expect("dir");
    opened_with_entries(&store, dir.path(), 4)
        .await
        .close()
        .await;
    make_unkeyed(&store).await;

    let app = App::open(config(&store, dir.path())).await.expect("keyed");
    assert_eq!(verify(&app, None).await, Ok(5), "4 entries and the keying");
    app.close().await;
    let app = App::open(config(&store, dir.path())).await.expect("again");
    assert_eq!(verify(&app, None).await, Ok(5), "keyed once only");
    assert_eq!(keyed_entries(&store).await.len(), 1);

    // Opened with another field key, the chain is not re-keyed under it.
    app.close().await;
    let mut other = config(&store, dir.path());
    other.secret_key = Some(SecretKey("f".repeat(64)));
    assert!(App::open(other).await.is_err());
}

#[tokio::test]
async fn an_older_chain_broken_before_keying_stops_the_start_until_the_operator_accepts_the_break()
{
    let store = test_store().await;
    let dir = tempfile::tempdir().expect("dir");
    opened_with_entries(&store, dir.path(), 4)
        .await
        .close()
        .await;
    make_unkeyed(&store).await;
    raw(&store)
        .await
        .execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 2")
        .await
        .expect("edit");

    let refused = App::open(config(&store, dir.path()))
        .await
        .expect_err("refused");
    match refused {
        AppError::AuditChain(message) => {
            assert!(message.contains("broken at entry 2"), "{message}");
            assert!(message.contains("--over-break 2"), "{message}");
        }
        other => panic!("expected the chain's refusal, got {other:?}"),
    }
    // Nothing was re-keyed: the break is still there to be seen.
    assert!(keyed_entries(&store).await.is_empty());

    // A break elsewhere is not accepted for this one.
    assert!(
        App::open_keying_audit_over(config(&store, dir.path()), Some(3))
            .await
            .is_err()
    );
    let app = App::open_keying_audit_over(config(&store, dir.path()), Some(2))
        .await
        .expect("keyed over the break");
    assert_eq!(verify(&app, None).await, Ok(5));
    assert_eq!(
        keyed_entries(&store).await,
        vec!["re-keyed over the break at entry 2".to_owned()]
    );
}
