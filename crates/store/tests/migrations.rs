//! The two migration trees, read as files: the same versions in both, the same statements but for
//! the few types each database spells its own way, and no shipped migration edited after the fact
//! (a database that ran the old text would never run the new one).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use qiaoyi_domain::access::audit::sha256_hex;

/// How SQLite writes what PostgreSQL writes otherwise; nothing else may differ.
const SQLITE_TO_POSTGRES: &[(&str, &str)] = &[
    (
        "INTEGER PRIMARY KEY AUTOINCREMENT",
        "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    ),
    ("BLOB", "BYTEA"),
];

/// Migrations whose trees must differ, each with why. Both still run the contract suite, which is
/// what shows they leave the same schema behind.
const DIFFERENT: &[(&str, &str)] = &[
    (
        "0041_wechat.sql",
        "SQLite cannot change a table's CHECK: its tree rebuilds `consultations`, PostgreSQL's alters it",
    ),
    (
        "0044_wechat_voice.sql",
        "SQLite cannot change a table's CHECK: its tree rebuilds `consultation_messages`, PostgreSQL's alters it",
    ),
];

/// The lock: one `sha256  tree/file` line per shipped migration.
const LOCK: &str = "migrations/shipped.sha256";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `file name → text` of one tree.
fn tree(name: &str) -> BTreeMap<String, String> {
    let dir = root().join("migrations").join(name);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .map(|path| {
            let file = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("UTF-8 SQL");
            (file, text)
        })
        .collect()
}

#[test]
fn both_trees_have_the_same_migrations_but_for_the_types_each_spells_its_own_way() {
    let sqlite = tree("sqlite");
    let postgres = tree("postgres");
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>(),
        "every version exists in both trees, under the same name"
    );
    assert!(sqlite.len() >= 27, "the trees were read ({})", sqlite.len());
    for (file, text) in &sqlite {
        if DIFFERENT.iter().any(|(different, _)| different == file) {
            continue;
        }
        let translated = SQLITE_TO_POSTGRES
            .iter()
            .fold(text.clone(), |t, (from, to)| t.replace(from, to));
        let other = &postgres[file];
        for (n, (a, b)) in translated.lines().zip(other.lines()).enumerate() {
            assert_eq!(a, b, "{file}, line {}: the trees differ", n + 1);
        }
        assert_eq!(
            translated.lines().count(),
            other.lines().count(),
            "{file}: the trees differ in length"
        );
    }
}

#[test]
fn no_shipped_migration_changes() {
    let lock_path = root().join(LOCK);
    let lock = std::fs::read_to_string(&lock_path).expect("the lock file");
    let locked: BTreeMap<&str, &str> = lock
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (sum, path) = l.split_once("  ").expect("`sha256  tree/file` lines");
            (path, sum)
        })
        .collect();
    let mut unlocked = Vec::new();
    for name in ["sqlite", "postgres"] {
        for (file, text) in tree(name) {
            let path = format!("{name}/{file}");
            let sum = sha256_hex(text.as_bytes());
            match locked.get(path.as_str()) {
                Some(want) => assert_eq!(
                    *want, sum,
                    "{path} was shipped and has changed since; put the change in a new migration \
                     and restore this one"
                ),
                None => unlocked.push(format!("{sum}  {path}")),
            }
        }
    }
    assert!(
        unlocked.is_empty(),
        "new migrations are not in {LOCK} yet; once they are final, add:\n{}",
        unlocked.join("\n")
    );
    for path in locked.keys() {
        assert!(
            root().join("migrations").join(path).exists(),
            "{path} is locked but gone: a shipped migration is never removed"
        );
    }
}

/// Migration 0036 renames the care programme's coordinators' role: grants held before keep it,
/// under its new name and with the whole county (an empty scope), and so do requests still
/// waiting for a second administrator.
#[tokio::test]
async fn care_worker_grants_and_waiting_requests_become_county_care_coordinators() {
    use qiaoyi_domain::access::audit::AuditRecord;
    use qiaoyi_store::{NewRoleRequest, NewUser};

    let store = qiaoyi_store::testing::store_migrated_to(35).await;
    let user = |id: &str, grants: &[(&str, &str)]| NewUser {
        id: id.into(),
        email: format!("{id}@example.org"),
        display_name: id.into(),
        password_hash: "not a hash".into(),
        language: qiaoyi_domain::lang::Lang::Zh,
        confirmed_at: Some(1),
        totp_secret: None,
        grants: grants
            .iter()
            .map(|(r, s)| ((*r).into(), (*s).into()))
            .collect(),
    };
    let record = AuditRecord {
        action: "user_created".into(),
        outcome: "ok".into(),
        ..AuditRecord::default()
    };
    store
        .create_user(&user("admin", &[("admin", "")]), 1, &record, None, None)
        .await
        .expect("an administrator");
    store
        .create_user(
            &user("coordinator", &[("care_worker", ""), ("applicant", "")]),
            2,
            &record,
            None,
            None,
        )
        .await
        .expect("a care worker, as the role was named");
    let request = NewRoleRequest {
        id: "rr-1".into(),
        account_id: "newcomer".into(),
        grants: "care_worker,auditor".into(),
        proposed_by: "admin".into(),
        proposed_at: 3,
    };
    store
        .create_user(
            &user("newcomer", &[]),
            3,
            &record,
            None,
            Some((&request, &record)),
        )
        .await
        .expect("an account waiting for the care role");

    store.migrate().await.expect("migrated to the end");

    let coordinator = store
        .user_by_id("coordinator")
        .await
        .expect("read")
        .expect("still there");
    let mut grants = coordinator.grants.clone();
    grants.sort();
    assert_eq!(
        grants,
        vec![
            ("applicant".to_owned(), String::new()),
            ("care_coordinator".to_owned(), String::new()),
        ]
    );
    let waiting = store
        .role_request("rr-1")
        .await
        .expect("read")
        .expect("still waiting");
    let grants: Vec<String> = waiting.grants.iter().map(ToString::to_string).collect();
    assert_eq!(grants, ["care_coordinator", "auditor"]);
}

/// 0041 lets a consultation's asker be a WeChat OpenID; on SQLite it rebuilds the table. A guest's
/// consultation and its messages written before stay whole, still joined (the foreign keys hold),
/// and the rule that a consultation has an asker still refuses one without any.
#[tokio::test]
async fn consultations_and_messages_stay_whole_through_the_wechat_rebuilds() {
    use sqlx::Row;

    let test = qiaoyi_store::testing::store_migrated_to(40).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(test.url.expose())
        .await
        .expect("a second connection");
    sqlx::query(
        "INSERT INTO consultations (id, guest_email, guest_name, lang, subject, state, opened_at, \
         first_response_due, resolve_due, last_message_at, message_count) \
         VALUES ('q-1', 'ana@example.org', 'Ana', 'es', 'Pasaporte', 'open', 1, 2, 3, 1, 1)",
    )
    .execute(&pool)
    .await
    .expect("a guest's consultation as 0040 kept it");
    sqlx::query(
        "INSERT INTO consultation_messages (consultation_id, seq, side, body, created_at) \
         VALUES ('q-1', 1, 'person', 'Hola', 1)",
    )
    .execute(&pool)
    .await
    .expect("its first message");
    pool.close().await;

    test.store.migrate().await.expect("migrated to the end");

    let row = test
        .store
        .consultation("q-1")
        .await
        .expect("read")
        .expect("still there");
    assert_eq!(row.guest_email.as_deref(), Some("ana@example.org"));
    assert_eq!((row.message_count, row.wechat_openid), (1, None));
    let messages = test
        .store
        .consultation_messages("q-1", 0, 10)
        .await
        .expect("its messages");
    assert_eq!(messages.len(), 1);

    let pool = sqlx::AnyPool::connect(test.url.expose())
        .await
        .expect("a second connection");
    let asker_free = sqlx::query(
        "INSERT INTO consultations (id, lang, subject, state, opened_at, first_response_due, \
         resolve_due, last_message_at) VALUES ('q-2', 'zh', 's', 'open', 1, 2, 3, 1)",
    )
    .execute(&pool)
    .await;
    assert!(
        asker_free.is_err(),
        "a consultation without an asker is refused"
    );
    sqlx::query(
        "INSERT INTO consultations (id, wechat_openid, lang, subject, state, opened_at, \
         first_response_due, resolve_due, last_message_at) VALUES ('q-3', 'o-1', 'zh', 's', 'open', 1, 2, 3, 1)",
    )
    .execute(&pool)
    .await
    .expect("a WeChat guest's consultation");
    if test.url.backend() == qiaoyi_store::Backend::Sqlite {
        let broken = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&pool)
            .await
            .expect("checked");
        assert!(broken.is_empty(), "{} broken references", broken.len());
        let fk: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&pool)
            .await
            .expect("read")
            .try_get(0)
            .expect("a number");
        assert_eq!(fk, 1, "foreign keys are enforced again");
    }
    let orphan = sqlx::query(
        "INSERT INTO consultation_messages (consultation_id, seq, side, body, created_at) \
         VALUES ('q-404', 1, 'person', 'x', 1)",
    )
    .execute(&pool)
    .await;
    assert!(orphan.is_err(), "messages still need their consultation");
    // 0044: a voice recording may be attached; other kinds still may not.
    sqlx::query("INSERT INTO case_file_blobs (sha256, content) VALUES ('a1', $1)")
        .bind(b"#!AMR\n".to_vec())
        .execute(&pool)
        .await
        .expect("a recording's bytes");
    let attach = |seq: i64, kind: &'static str| {
        sqlx::query(
            "INSERT INTO consultation_messages (consultation_id, seq, side, body, created_at, \
             file_name, media_type, file_size, file_sha256) VALUES ('q-3', $1, 'person', 'v', 1, 'v', $2, 6, 'a1')",
        )
        .bind(seq)
        .bind(kind)
        .execute(&pool)
    };
    attach(1, "audio/amr").await.expect("a recording");
    assert!(attach(2, "video/mp4").await.is_err(), "a video is refused");
}
