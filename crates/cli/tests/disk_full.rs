//! A full disk under a SQLite data dir, and under a PostgreSQL cluster's tables: writes are refused
//! with 503 and a problem that says the disk is full, reads and the server carry on, nothing
//! acknowledged is lost, and writes work again once there is space. The data lives on a small
//! tmpfs mounted for the test, which needs root: a plain `cargo test` shows both as ignored, and
//! `scripts/test.sh` (as root) runs them with `--ignored`, where a missing precondition fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
use common::{FORM, start};

/// Unmounts the small filesystem however the test ends.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn mount_small(dir: &Path, megabytes: u32) -> Option<Mount> {
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| Mount(dir.to_owned()))
}

struct Applicant {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Applicant {
    async fn sign_in(base: &str) -> Applicant {
        let http = reqwest::Client::new();
        let (cookie, csrf) = common::sign_in(&http, base).await;
        Applicant {
            http,
            base: base.to_owned(),
            cookie,
            csrf,
        }
    }

    /// Opens a draft and uploads a file to it: (status, body) of the first refusal, or the case id.
    async fn write(&self, n: u64) -> Result<String, (u16, String)> {
        let reply = self
            .http
            .post(format!("{}/api/v1/cases", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header("content-type", "application/json")
            .body(FORM)
            .send()
            .await
            .expect("the server answers");
        let status = reply.status().as_u16();
        let body = reply.text().await.expect("body");
        if status != 201 {
            return Err((status, body));
        }
        let id = serde_json::from_str::<Value>(&body).expect("JSON")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let reply = self
            .http
            .post(format!(
                "{}/api/v1/cases/{id}/materials/0/files?name=scan.pdf",
                self.base
            ))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header("content-type", "application/octet-stream")
            .body(qiaoyi_store::bench::file_content(n, 0, 256 * 1024))
            .send()
            .await
            .expect("the server answers");
        let status = reply.status().as_u16();
        let body = reply.text().await.expect("body");
        if status != 201 {
            return Err((status, body));
        }
        Ok(id)
    }

    async fn case(&self, id: &str) -> Value {
        serde_json::from_str(
            &self
                .http
                .get(format!("{}/api/v1/cases/{id}", self.base))
                .header("cookie", &self.cookie)
                .send()
                .await
                .expect("case")
                .text()
                .await
                .expect("body"),
        )
        .expect("JSON")
    }
}

/// Fills the filesystem under `dir` with one file, to the last block.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).expect("filler");
    for chunk in [1 << 20, 4096, 512] {
        let block = vec![0u8; chunk];
        while file.write_all(&block).is_ok() {}
    }
    let _ = file.sync_all();
    path
}

/// Writes until the filesystem under `small` is full, checks the refusal, the reads and the
/// recovery, and that every acknowledged write survives a restart. Returns how many writes were
/// acknowledged and the refusal's detail.
async fn exercise(small: &Path, data: &Path, env: &[(String, String)]) -> (usize, String) {
    let logs = tempfile::tempdir().expect("log dir");
    let log = logs.path().join("server.log");
    let server_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let server = start(data, env, Some(&log)).await;
    let base = server.base.clone();
    let applicant = Applicant::sign_in(&base).await;
    let mut acknowledged = Vec::new();
    for n in 0..3 {
        acknowledged.push(applicant.write(n).await.expect("room to write"));
    }

    let filler = fill(small);
    let mut refusal = None;
    for n in 3..400 {
        match applicant.write(n).await {
            Ok(id) => acknowledged.push(id),
            Err(e) => {
                refusal = Some(e);
                break;
            }
        }
    }
    let (status, body) = refusal.expect("a full disk refuses writes at last");
    assert_eq!(status, 503, "{body}\n{}", server_log());
    let problem: Value = serde_json::from_str(&body).expect("problem JSON");
    assert!(
        problem["type"]
            .as_str()
            .unwrap_or("")
            .ends_with("disk-full"),
        "{problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("disk is full"),
        "{problem}"
    );
    // Reads carry on and the server stays up.
    assert_eq!(
        reqwest::get(format!("{base}/healthz"))
            .await
            .expect("up")
            .status(),
        200
    );
    for id in &acknowledged {
        assert_eq!(applicant.case(id).await["case"]["id"], id.as_str());
    }

    std::fs::remove_file(filler).expect("free the space");
    let after = applicant
        .write(1000)
        .await
        .unwrap_or_else(|e| panic!("writes work again: {e:?}\n{}", server_log()));
    acknowledged.push(after);

    drop(server);
    let server = start(data, env, Some(&logs.path().join("restarted.log"))).await;
    let base = server.base.clone();
    let applicant = Applicant::sign_in(&base).await;
    for id in &acknowledged {
        let case = applicant.case(id).await;
        assert_eq!(case["case"]["id"], id.as_str(), "{case}");
        assert_eq!(case["files"].as_array().map(Vec::len), Some(1), "{case}");
    }
    (
        acknowledged.len(),
        problem["detail"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root to mount a small tmpfs; scripts/test.sh runs it with --ignored"]
async fn a_full_disk_refuses_writes_with_503_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let _mount = mount_small(dir.path(), 48).expect(
        "mounting a small tmpfs needs root: run this test as root, as scripts/test.sh does",
    );
    let data = dir.path().join("data");
    let (acknowledged, detail) = exercise(dir.path(), &data, &[]).await;
    let store = qiaoyi_store::Store::connect(&qiaoyi_store::DatabaseUrl::sqlite_in(&data))
        .await
        .expect("open");
    assert_eq!(store.integrity_check().await.expect("check"), "ok");
    eprintln!("{acknowledged} writes acknowledged; the full disk refused with: {detail}");
}

/// A PostgreSQL cluster of the test's own, stopped however the test ends.
struct Cluster {
    pg_ctl: PathBuf,
    data: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&self.pg_ctl)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn as_postgres(program: &Path, args: &[&std::ffi::OsStr]) -> bool {
    Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The newest installed PostgreSQL's programs.
fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}

/// PostgreSQL whose tables live on a small filesystem that fills up (its write-ahead log on the
/// ordinary disk, as an installation with a separate tablespace or data volume has it): the
/// database refuses to extend a table with `disk_full`, the server answers 503 and carries on,
/// nothing acknowledged is lost, and writes work again once there is space.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root and PostgreSQL's programs; scripts/test.sh runs it with --ignored"]
async fn a_full_postgres_disk_refuses_writes_with_503_and_loses_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let bin = pg_bin().expect(
        "no PostgreSQL programs under /usr/lib/postgresql: install postgresql, as scripts/test.sh does",
    );
    let dir = tempfile::tempdir().expect("dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let small = dir.path().join("small");
    let wal = dir.path().join("wal");
    std::fs::create_dir_all(&small).expect("dir");
    std::fs::create_dir_all(&wal).expect("dir");
    let _mount = mount_small(&small, 160).expect(
        "mounting a small tmpfs needs root: run this test as root, as scripts/test.sh does",
    );
    let owned = Command::new("chown")
        .args(["-R", "postgres"])
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    assert!(owned, "the postgres user owns the cluster's directories");
    let pgdata = small.join("data");
    let initdb: Vec<&std::ffi::OsStr> = vec![
        "-D".as_ref(),
        pgdata.as_os_str(),
        "--waldir".as_ref(),
        wal.as_os_str(),
        "-U".as_ref(),
        "postgres".as_ref(),
        "--auth=trust".as_ref(),
        "-E".as_ref(),
        "UTF8".as_ref(),
        "--locale=C.UTF-8".as_ref(),
    ];
    assert!(as_postgres(&bin.join("initdb"), &initdb), "initdb");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1",
        dir.path().display()
    );
    let log = dir.path().join("postgres.log");
    let pg_ctl = bin.join("pg_ctl");
    let started: Vec<&std::ffi::OsStr> = vec![
        "-D".as_ref(),
        pgdata.as_os_str(),
        "-l".as_ref(),
        log.as_os_str(),
        "-w".as_ref(),
        "-o".as_ref(),
        options.as_ref(),
        "start".as_ref(),
    ];
    assert!(as_postgres(&pg_ctl, &started), "pg_ctl start");
    let _cluster = Cluster {
        pg_ctl,
        data: pgdata,
    };
    // The field key and the search index stay on the ordinary disk.
    let data = tempfile::tempdir().expect("data dir");
    let env = vec![(
        "QIAOYI_DATABASE_URL".to_owned(),
        format!("postgres://postgres@127.0.0.1:{port}/postgres"),
    )];
    let (acknowledged, detail) = exercise(&small, data.path(), &env).await;
    eprintln!(
        "PostgreSQL: {acknowledged} writes acknowledged; the full disk refused with: {detail}"
    );
}
