//! The store contract: the same tests on SQLite and, when `QY_TEST_DATABASE_URL` names a PostgreSQL
//! server, on PostgreSQL.

use std::path::Path;

use qiaoyi_domain::catalog::{Catalog, SourceFile, parse};
use qiaoyi_store::testing::test_store;
use qiaoyi_store::{ImportOutcome, StoreError};
use sqlx::{Connection, Executor};

fn reference_files() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("items"), root.join("guides")] {
        for entry in std::fs::read_dir(&dir).expect("catalogue dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(SourceFile {
                    path: path
                        .strip_prefix(&root)
                        .expect("inside root")
                        .to_string_lossy()
                        .into_owned(),
                    text: std::fs::read_to_string(&path).expect("read"),
                });
            }
        }
    }
    files
}

fn reference() -> Catalog {
    parse(&reference_files()).expect("the reference catalogue is valid")
}

#[tokio::test]
async fn import_stores_the_whole_catalogue_in_order() {
    let store = test_store().await;
    assert_eq!(store.catalog_header().await.expect("header"), None);
    let catalog = reference();
    let outcome = store
        .import_catalog(&catalog, 1_000, &|_, _| {})
        .await
        .expect("import");
    assert_eq!(
        outcome,
        ImportOutcome::Imported {
            categories: catalog.categories.len(),
            items: catalog.items.len(),
            guides: catalog.guides.len(),
            stations: catalog.stations.len(),
        }
    );
    let header = store
        .catalog_header()
        .await
        .expect("header")
        .expect("present");
    assert_eq!(header.version, catalog.version);
    assert_eq!(header.digest, catalog.digest);
    assert_eq!(header.imported_at_ms, 1_000);
    assert_eq!(
        store.categories().await.expect("categories"),
        catalog.categories
    );
    assert_eq!(store.items(None).await.expect("items"), catalog.items);
    assert_eq!(store.stations().await.expect("stations"), catalog.stations);
    let traffic = store.items(Some("traffic")).await.expect("traffic");
    assert!(!traffic.is_empty() && traffic.iter().all(|i| i.category.as_str() == "traffic"));
    assert_eq!(store.items(Some("nothing")).await.expect("none"), vec![]);
}

#[tokio::test]
async fn importing_the_same_files_again_changes_nothing() {
    let store = test_store().await;
    let catalog = reference();
    store
        .import_catalog(&catalog, 1, &|_, _| {})
        .await
        .expect("first");
    let again = store
        .import_catalog(&catalog, 2, &|_, _| {})
        .await
        .expect("second");
    assert_eq!(again, ImportOutcome::Unchanged);
    assert_eq!(
        store
            .catalog_header()
            .await
            .expect("h")
            .map(|h| h.imported_at_ms),
        Some(1)
    );
}

#[tokio::test]
async fn a_new_version_updates_in_place_and_drops_what_it_no_longer_has() {
    let store = test_store().await;
    let catalog = reference();
    store
        .import_catalog(&catalog, 1, &|_, _| {})
        .await
        .expect("first");
    let mut next = catalog.clone();
    next.version = "next".into();
    next.digest = "different".into();
    let dropped = next.guides.pop().expect("a guide");
    next.items[0].fee_fen += 100;
    store
        .import_catalog(&next, 2, &|_, _| {})
        .await
        .expect("second");
    assert_eq!(
        store.guide(dropped.code.as_str()).await.expect("read"),
        None
    );
    let first = store
        .item(next.items[0].code.as_str())
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(first.fee_fen, catalog.items[0].fee_fen + 100);
    assert_eq!(
        store.catalog_header().await.expect("h").map(|h| h.version),
        Some("next".into())
    );
}

#[tokio::test]
async fn progress_is_reported_for_every_row() {
    let store = test_store().await;
    let catalog = reference();
    let seen = std::sync::Mutex::new(Vec::new());
    store
        .import_catalog(&catalog, 1, &|done, total| {
            seen.lock().expect("lock").push((done, total))
        })
        .await
        .expect("import");
    let seen = seen.into_inner().expect("lock");
    let total = (catalog.categories.len()
        + catalog.items.len()
        + catalog.guides.len()
        + catalog.stations.len()) as u64;
    assert_eq!(seen.len() as u64, total);
    assert_eq!(seen.last(), Some(&(total, total)));
}

#[tokio::test]
async fn guides_are_paged_with_the_total() {
    let store = test_store().await;
    let catalog = reference();
    store
        .import_catalog(&catalog, 1, &|_, _| {})
        .await
        .expect("import");
    let page = store.guides(0, 20).await.expect("page");
    assert_eq!(page.total as usize, catalog.guides.len());
    assert_eq!(page.items, catalog.guides[..20]);
    let last = store.guides(page.total - 1, 20).await.expect("last");
    assert_eq!(last.items.len(), 1);
    let beyond = store.guides(u64::MAX, 20).await.expect("beyond");
    assert!(beyond.items.is_empty());
    let code = catalog.guides[3].code.as_str();
    assert_eq!(
        store.guide(code).await.expect("one"),
        Some(catalog.guides[3].clone())
    );
    assert_eq!(store.guide("G9999").await.expect("none"), None);
    let related = store.guides_for_item("EE-01").await.expect("related");
    assert!(!related.is_empty());
    assert!(
        related
            .iter()
            .all(|g| g.related_items.iter().any(|c| c.as_str() == "EE-01"))
    );
}

#[tokio::test]
async fn a_corrupt_row_is_an_error_not_a_panic() {
    let store = test_store().await;
    store
        .import_catalog(&reference(), 1, &|_, _| {})
        .await
        .expect("import");
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw connection");
    conn.execute("UPDATE items SET data = '{\"not\": \"an item\"}' WHERE code = 'EE-01'")
        .await
        .expect("corrupt a row");
    let err = store.item("EE-01").await.expect_err("refused");
    assert!(
        matches!(err, StoreError::CorruptRow { table: "items", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("EE-01"), "{err}");
}

#[tokio::test]
async fn ping_answers() {
    let store = test_store().await;
    store.ping().await.expect("ping");
    assert_eq!(store.backend(), qiaoyi_store::testing::test_backend());
}

#[tokio::test]
async fn table_counts_cover_every_table() {
    let store = test_store().await;
    let counted: std::collections::BTreeSet<String> = store
        .table_counts()
        .await
        .expect("counts")
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let sql = match store.backend() {
        qiaoyi_store::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'"
        }
        qiaoyi_store::Backend::Postgres => {
            "SELECT CAST(tablename AS TEXT) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '_sqlx%'"
        }
    };
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw connection");
    let tables: std::collections::BTreeSet<String> = sqlx::query_scalar::<_, String>(sql)
        .fetch_all(&mut conn)
        .await
        .expect("tables")
        .into_iter()
        .collect();
    assert_eq!(counted, tables, "a backup's check counts every table");
}

/// Two nodes needing WeChat's access token at once fetch it once: on PostgreSQL the second waits on
/// the account's advisory lock and takes what the first kept. SQLite serves a single node, whose
/// transport refreshes once at a time, so there the second refresh comes after the first and
/// finds it. A refused token is retired by its hash, and the next refresh fetches again.
#[tokio::test]
async fn one_node_at_a_time_refreshes_the_wechat_token() {
    use qiaoyi_store::{Backend, SharedWechatToken, Store};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let test = test_store().await;
    let other = Store::connect(&test.url).await.expect("a second node");
    let fetched = AtomicUsize::new(0);
    let fetch = |n: usize| {
        let fetched = &fetched;
        move || async move {
            fetched.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            Ok::<_, String>(SharedWechatToken {
                sealed: format!("sealed-{n}"),
                hash: format!("hash-{n}"),
                use_until: 100_000,
            })
        }
    };
    let (a, b) = if test.backend() == Backend::Postgres {
        tokio::join!(
            test.refresh_wechat_token("wx1", 1_000, fetch(1)),
            other.refresh_wechat_token("wx1", 1_000, fetch(2)),
        )
    } else {
        let a = test.refresh_wechat_token("wx1", 1_000, fetch(1)).await;
        (a, other.refresh_wechat_token("wx1", 1_000, fetch(2)).await)
    };
    let (a, b) = (
        a.expect("db").expect("fetched"),
        b.expect("db").expect("fetched"),
    );
    assert_eq!(a, b, "both nodes use one token");
    assert_eq!(fetched.load(Ordering::SeqCst), 1);
    assert_eq!(
        test.wechat_token("wx1").await.expect("read"),
        Some(a.clone())
    );

    // Another account has a token of its own; a failed fetch keeps nothing.
    let failed = test
        .refresh_wechat_token("wx2", 1_000, || async {
            Err::<SharedWechatToken, _>("refused")
        })
        .await
        .expect("db");
    assert_eq!(failed, Err("refused"));
    assert_eq!(test.wechat_token("wx2").await.expect("read"), None);

    // Retiring another hash leaves it; retiring its own makes the next refresh fetch again.
    test.retire_wechat_token("wx1", "hash-9")
        .await
        .expect("retire");
    assert_eq!(
        test.wechat_token("wx1").await.expect("read"),
        Some(a.clone())
    );
    test.retire_wechat_token("wx1", &a.hash)
        .await
        .expect("retire");
    let again = other
        .refresh_wechat_token("wx1", 1_000, fetch(3))
        .await
        .expect("db")
        .expect("fetched");
    assert_eq!(again.hash, "hash-3");
    assert_eq!(fetched.load(Ordering::SeqCst), 2);
}
