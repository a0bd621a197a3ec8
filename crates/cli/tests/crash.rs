//! Killing the server with SIGKILL in the middle of many concurrent submissions loses nothing it
//! acknowledged: after a restart every acknowledged draft, file and submission is there and whole,
//! the SQLite file passes `PRAGMA integrity_check`, and `qiaoyi audit verify` passes. On
//! PostgreSQL (when the suite runs there) the server is killed, not the database. On SQLite the
//! kill lands while commits make several writers' transactions durable at once (group commit),
//! which the test reads from `/metrics` just before.
//!
//! `QY_CRASH_SUBMISSIONS` sets how many submissions start at once: 300 by default, which keeps
//! hundreds in flight at every stage when the kill lands while the suite stays within its time;
//! `scripts/prove.sh` runs 1,000 against a release build.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use qiaoyi_store::bench::file_content;
use serde_json::{Value, json};
use tokio::sync::Mutex;

mod common;
use common::{FORM, reply_json, sign_in, start};

const FILE_SIZE: usize = 8 * 1024;

/// What the server said yes to for one case.
#[derive(Default, Clone)]
struct Acknowledged {
    files: Vec<(usize, String)>,
    submitted: bool,
}

/// One submission; records each acknowledgement the moment it arrives. Errors (the server died)
/// just end it.
#[allow(clippy::too_many_arguments)]
async fn submission(
    http: reqwest::Client,
    base: String,
    session: (String, String),
    materials: Arc<Vec<usize>>,
    n: u64,
    acked: Arc<Mutex<BTreeMap<String, Acknowledged>>>,
    submitted: Arc<AtomicUsize>,
) {
    let post = |url: String| {
        http.post(url)
            .header("cookie", &session.0)
            .header("x-csrf-token", &session.1)
    };
    let Ok(reply) = post(format!("{base}/api/v1/cases"))
        .header("content-type", "application/json")
        .body(FORM)
        .send()
        .await
    else {
        return;
    };
    if reply.status().as_u16() != 201 {
        return;
    }
    let Ok(created) = reply.text().await else {
        return;
    };
    let created: Value = serde_json::from_str(&created).expect("a 201 carries the case");
    let id = created["id"].as_str().expect("id").to_owned();
    acked
        .lock()
        .await
        .insert(id.clone(), Acknowledged::default());
    for &material in materials.iter() {
        let content = file_content(n, material, FILE_SIZE);
        let sha = qiaoyi_app::domain::access::audit::sha256_hex(&content);
        let Ok(reply) = post(format!(
            "{base}/api/v1/cases/{id}/materials/{material}/files?name=scan.pdf"
        ))
        .header("content-type", "application/octet-stream")
        .body(content)
        .send()
        .await
        else {
            return;
        };
        if reply.status().as_u16() != 201 {
            return;
        }
        if let Some(a) = acked.lock().await.get_mut(&id) {
            a.files.push((material, sha));
        }
    }
    let Ok(reply) = post(format!("{base}/api/v1/cases/{id}/steps"))
        .header("content-type", "application/json")
        .body(json!({"step": "submit", "version": 1}).to_string())
        .send()
        .await
    else {
        return;
    };
    if reply.status().is_success()
        && let Some(a) = acked.lock().await.get_mut(&id)
    {
        a.submitted = true;
        submitted.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_concurrent_submissions_loses_nothing_acknowledged() {
    let total: u64 = std::env::var("QY_CRASH_SUBMISSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let mut env = Vec::new();
    if let Ok(server) = std::env::var("QY_TEST_DATABASE_URL")
        && server.starts_with("postgres")
    {
        let url = qiaoyi_store::testing::fresh_postgres_database(&server).await;
        env.push(("QIAOYI_DATABASE_URL".to_owned(), url.expose().to_owned()));
    }

    let mut server = start(&data, &env, None).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let session = sign_in(&http, &server.base).await;
    let item = reply_json(
        http.get(format!("{}/api/v1/catalog/items/EE-01", server.base))
            .send()
            .await
            .expect("item"),
    )
    .await;
    let materials: Arc<Vec<usize>> = Arc::new(
        item["materials"]
            .as_array()
            .expect("materials")
            .iter()
            .enumerate()
            .filter(|(_, m)| m["required"] == true)
            .map(|(i, _)| i)
            .collect(),
    );

    let acked = Arc::new(Mutex::new(BTreeMap::new()));
    let submitted = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..total)
        .map(|n| {
            tokio::spawn(submission(
                http.clone(),
                server.base.clone(),
                session.clone(),
                materials.clone(),
                n,
                acked.clone(),
                submitted.clone(),
            ))
        })
        .collect();
    // Kill once a tenth of the submissions went through: the others are in flight then, at every
    // stage (draft, files, submit).
    let started = Instant::now();
    while submitted.load(Ordering::Relaxed) < (total as usize) / 10
        && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // On SQLite the kill lands in the middle of write groups: commits were making several
    // writers' transactions durable at once.
    if env.is_empty() {
        let metrics = http
            .get(format!("{}/metrics", server.base))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        let value = |name: &str| -> f64 {
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0.0)
        };
        let (sum, count) = (
            value("qiaoyi_write_group_size_sum "),
            value("qiaoyi_write_group_size_count "),
        );
        assert!(
            count > 0.0 && sum > count,
            "writes were committed in groups before the kill: {sum} transactions in {count} commits"
        );
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reap");
    for task in tasks {
        task.await.expect("submission task");
    }
    let acked = acked.lock().await.clone();
    let whole = acked.values().filter(|a| a.submitted).count();
    assert!(
        whole > 0 && whole < total as usize,
        "the kill should land mid-run: {whole} of {total} submitted"
    );

    let mut server = start(&data, &env, None).await;
    let session = sign_in(&http, &server.base).await;
    for (id, ack) in &acked {
        let case = reply_json(
            http.get(format!("{}/api/v1/cases/{id}", server.base))
                .header("cookie", &session.0)
                .send()
                .await
                .expect("case"),
        )
        .await;
        assert_eq!(
            case["case"]["id"],
            id.as_str(),
            "acknowledged case {id} is gone: {case}"
        );
        if ack.submitted {
            assert_eq!(case["case"]["state"], "submitted", "{case}");
        }
        let files = case["files"].as_array().expect("files");
        for (material, sha) in &ack.files {
            let file = files
                .iter()
                .find(|f| f["material"] == *material as u64)
                .unwrap_or_else(|| panic!("acknowledged file {material} of {id} is gone"));
            let bytes = http
                .get(format!(
                    "{}/api/v1/cases/{id}/files/{}",
                    server.base,
                    file["id"].as_str().expect("file id")
                ))
                .header("cookie", &session.0)
                .send()
                .await
                .expect("download")
                .bytes()
                .await
                .expect("bytes");
            assert_eq!(
                &qiaoyi_app::domain::access::audit::sha256_hex(&bytes),
                sha,
                "file {material} of {id} is not whole"
            );
        }
    }
    server.child.kill().expect("stop");
    server.child.wait().expect("reap");

    let mut verify = Command::new(env!("CARGO_BIN_EXE_qiaoyi"));
    verify
        .args(["audit", "verify"])
        .env_remove("QIAOYI_DATABASE_URL")
        .env("QIAOYI_DATA_DIR", &data);
    for (k, v) in &env {
        verify.env(k, v);
    }
    let output = verify.output().expect("audit verify");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    if env.is_empty() {
        let store = qiaoyi_store::Store::connect(&qiaoyi_store::DatabaseUrl::sqlite_in(&data))
            .await
            .expect("open");
        assert_eq!(store.integrity_check().await.expect("check"), "ok");
    }
    eprintln!(
        "{} of {total} drafts acknowledged before the kill, {whole} submitted, {} files",
        acked.len(),
        acked.values().map(|a| a.files.len()).sum::<usize>()
    );
}
