//! The `qiaoyi` binary as a user runs it: exit codes and one clear line on every refusal.

use std::path::Path;
use std::process::{Command, Output};

fn qiaoyi(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qiaoyi"));
    command
        .args(args)
        .env_remove("QIAOYI_DATABASE_URL")
        .env_remove("QIAOYI_DATA_DIR");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run qiaoyi")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The database for a test: a SQLite file in `dir`, or a fresh PostgreSQL database when the suite
/// runs on PostgreSQL.
async fn database_env(dir: &Path) -> Vec<(String, String)> {
    let mut env = vec![("QIAOYI_DATA_DIR".to_owned(), dir.display().to_string())];
    if let Ok(server) = std::env::var("QY_TEST_DATABASE_URL")
        && server.starts_with("postgres")
    {
        let url = qiaoyi_store::testing::fresh_postgres_database(&server).await;
        env.push(("QIAOYI_DATABASE_URL".to_owned(), url.expose().to_owned()));
    }
    env
}

fn borrowed(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn copy_catalogue(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    for sub in ["", "items", "guides", "calendar"] {
        std::fs::create_dir_all(to.join(sub)).expect("mkdir");
        for entry in std::fs::read_dir(from.join(sub)).expect("read catalogue") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                std::fs::copy(&path, to.join(sub).join(path.file_name().expect("name")))
                    .expect("copy");
            }
        }
    }
}

#[test]
fn config_defaults_prints_toml() {
    let output = qiaoyi(&["config", "defaults"], &[]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("listen = \"127.0.0.1:8080\""), "{text}");
    assert!(text.contains("data_dir = \"./qiaoyi-data\""), "{text}");
}

#[test]
fn unknown_database_scheme_is_refused_in_one_line() {
    let output = qiaoyi(&["migrate"], &[("QIAOYI_DATABASE_URL", "mysql://x")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("mysql") && err.contains("postgres://"),
        "{err}"
    );
}

#[test]
fn unknown_setting_and_bad_config_file_are_named() {
    let output = qiaoyi(&["migrate"], &[("QIAOYI_LISTN", "x")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("QIAOYI_LISTN"));
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("q.toml");
    std::fs::write(&file, "colour = \"red\"\n").expect("write");
    let output = qiaoyi(&["--config", file.to_str().expect("utf8"), "migrate"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("q.toml") && err.contains("colour"), "{err}");
}

#[test]
fn unreachable_postgres_is_one_line() {
    let output = qiaoyi(
        &["migrate"],
        &[("QIAOYI_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot open the database"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unusable_data_dir_is_one_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").expect("write");
    let data = file.join("data");
    let output = qiaoyi(
        &[
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--data",
            data.to_str().expect("utf8"),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("data directory"), "{err}");
}

#[test]
fn port_in_use_is_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let dir = tempfile::tempdir().expect("tmp");
    let output = qiaoyi(
        &[
            "demo",
            "--listen",
            &addr,
            "--data",
            dir.path().to_str().expect("utf8"),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot listen on") && err.contains(&addr),
        "{err}"
    );
}

#[tokio::test]
async fn import_catalog_is_all_or_nothing() {
    let data = tempfile::tempdir().expect("tmp");
    let env = database_env(data.path()).await;
    let env = borrowed(&env);
    let good = tempfile::tempdir().expect("tmp");
    copy_catalogue(good.path());
    let good_dir = good.path().to_str().expect("utf8");

    // A malformed file is refused with its name and field; nothing is imported.
    let bad = tempfile::tempdir().expect("tmp");
    copy_catalogue(bad.path());
    let traffic = bad.path().join("items/traffic.toml");
    let text = std::fs::read_to_string(&traffic).expect("read");
    std::fs::write(
        &traffic,
        text.replacen("fee_fen = ", "fee_fen = \"free\" #", 1),
    )
    .expect("write");
    let output = qiaoyi(
        &["import", "catalog", bad.path().to_str().expect("utf8")],
        &env,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("items/traffic.toml") && err.contains("fee_fen"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");

    let output = qiaoyi(&["import", "catalog", good_dir], &env);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("45 items"), "{}", stdout(&output));
    let output = qiaoyi(&["import", "catalog", good_dir], &env);
    assert!(output.status.success());
    assert!(
        stdout(&output).contains("nothing changed"),
        "{}",
        stdout(&output)
    );

    let output = qiaoyi(&["import", "catalog", "/nonexistent/catalogue"], &env);
    assert_eq!(output.status.code(), Some(2));

    // A new year's calendar is imported on its own; a bad one is refused by name.
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../catalog/calendar/2026.toml"
    );
    let output = qiaoyi(&["import", "calendar", shipped], &env);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("2026"), "{}", stdout(&output));
    let bad_year = good.path().join("2027.toml");
    let text = std::fs::read_to_string(shipped).expect("read");
    // 2027-02-17 is a Wednesday: not a weekend day that could be worked.
    std::fs::write(
        &bad_year,
        text.replace("2026", "2027")
            .replacen("date = \"2027-01-04\"", "date = \"2027-02-17\"", 1),
    )
    .expect("write");
    let output = qiaoyi(
        &["import", "calendar", bad_year.to_str().expect("utf8")],
        &env,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("nothing was imported"),
        "{}",
        stderr(&output)
    );
}

fn qiaoyi_with_stdin(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut command = Command::new(env!("CARGO_BIN_EXE_qiaoyi"));
    command
        .args(args)
        .env_remove("QIAOYI_DATABASE_URL")
        .env_remove("QIAOYI_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

#[tokio::test]
async fn user_add_and_audit_verify() {
    let data = tempfile::tempdir().expect("tmp");
    let env = database_env(data.path()).await;
    let env = borrowed(&env);
    // A role's scope must name a category of the catalogue: before any import there is none.
    let early = qiaoyi_with_stdin(
        &[
            "user",
            "add",
            "--email",
            "early@qiaoyi.example",
            "--name",
            "Early",
            "--role",
            "officer:traffic",
            "--password-stdin",
        ],
        &env,
        "a long password for officer two\n",
    );
    assert_eq!(early.status.code(), Some(2), "{}", stderr(&early));
    assert!(stderr(&early).contains("import"), "{}", stderr(&early));
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog");
    assert!(
        qiaoyi(&["import", "catalog", catalog], &env)
            .status
            .success()
    );
    let add = [
        "user",
        "add",
        "--email",
        "Officer.Two@qiaoyi.example",
        "--name",
        "Officer Two",
        "--role",
        "officer:traffic",
        "--password-stdin",
    ];
    let output = qiaoyi_with_stdin(&add, &env, "a long password for officer two\n");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("TOTP secret (shown once): "), "{text}");
    assert!(text.contains("recovery codes (shown once): "), "{text}");
    assert!(
        !text.contains("a long password"),
        "a given password is never echoed"
    );

    let again = qiaoyi_with_stdin(&add, &env, "a long password for officer two\n");
    assert_eq!(again.status.code(), Some(2), "duplicate e-mail");
    let bad_role = qiaoyi(
        &[
            "user",
            "add",
            "--email",
            "x@qiaoyi.example",
            "--name",
            "X",
            "--role",
            "officer",
        ],
        &env,
    );
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(
        stderr(&bad_role).contains("category"),
        "{}",
        stderr(&bad_role)
    );
    let short = qiaoyi_with_stdin(
        &[
            "user",
            "add",
            "--email",
            "y@qiaoyi.example",
            "--name",
            "Y",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &env,
        "short\n",
    );
    assert_eq!(short.status.code(), Some(2));
    let generated = qiaoyi(
        &[
            "user",
            "add",
            "--email",
            "z@qiaoyi.example",
            "--name",
            "Z",
            "--role",
            "applicant",
        ],
        &env,
    );
    assert!(stdout(&generated).contains("password (shown once): "));
    assert!(
        !stdout(&generated).contains("TOTP"),
        "applicants get no TOTP secret"
    );

    // The entries of the accounts above and three of the catalogue import (two calendar years and
    // the cost model's first version).
    let verify = qiaoyi(&["audit", "verify"], &env);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(
        stdout(&verify).contains("audit chain intact: 6 entries"),
        "{}",
        stdout(&verify)
    );

    // A checkpoint printed now still verifies; a wrong one is refused as bad input.
    let checkpoint = qiaoyi(&["audit", "checkpoint"], &env);
    assert!(checkpoint.status.success(), "{}", stderr(&checkpoint));
    let checkpoint = stdout(&checkpoint).trim().to_owned();
    assert!(checkpoint.starts_with("6:"), "{checkpoint}");
    let held = qiaoyi(&["audit", "verify", "--checkpoint", &checkpoint], &env);
    assert!(held.status.success(), "{}", stderr(&held));
    let malformed = qiaoyi(&["audit", "verify", "--checkpoint", "6"], &env);
    assert_eq!(malformed.status.code(), Some(2), "{}", stderr(&malformed));
    let foreign = format!("6:{}", "ab".repeat(32));
    let foreign = qiaoyi(&["audit", "verify", "--checkpoint", &foreign], &env);
    assert_eq!(foreign.status.code(), Some(1));
    assert!(
        stderr(&foreign).contains("not the one the checkpoint holds"),
        "{}",
        stderr(&foreign)
    );

    let url = env
        .iter()
        .find(|(k, _)| *k == "QIAOYI_DATABASE_URL")
        .map(|(_, v)| (*v).to_owned())
        .unwrap_or_else(|| format!("sqlite://{}/qiaoyi.db", data.path().display()));
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .expect("raw connection");
    conn.execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 2")
        .await
        .expect("edit");
    conn.close().await.expect("close");
    let broken = qiaoyi(&["audit", "verify"], &env);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).contains("broken at entry 2"),
        "{}",
        stderr(&broken)
    );
}

/// One HTTP/1.1 request over a fresh connection; returns (status line, headers, body).
fn http(addr: &str, request: &str) -> (String, Vec<String>, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let mut lines = head.lines().map(str::to_owned);
    let status = lines.next().unwrap_or_default();
    (status, lines.collect(), body.to_owned())
}

fn cookie_from(headers: &[String], name: &str) -> Option<String> {
    headers
        .iter()
        .filter_map(|h| {
            h.strip_prefix("set-cookie: ")
                .or_else(|| h.strip_prefix("Set-Cookie: "))
        })
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        })
}

fn csrf_field(body: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = body.find(marker).expect("csrf field") + marker.len();
    body[start..start + 64].to_owned()
}

fn post(addr: &str, path: &str, cookies: &str, form: &str) -> (String, Vec<String>, String) {
    http(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookies}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    )
}

fn get(addr: &str, path: &str, cookies: &str) -> (String, Vec<String>, String) {
    http(
        addr,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookies}\r\n\r\n"
        ),
    )
}

#[test]
fn logs_never_hold_passwords_tokens_or_identity_numbers() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let data = tempfile::tempdir().expect("tmp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_qiaoyi"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--data",
            data.path().to_str().expect("utf8"),
        ])
        .env_remove("QIAOYI_DATABASE_URL")
        .env("QIAOYI_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn demo");
    // Read the log as it comes, or a full pipe would stall the server.
    let mut stderr = child.stderr.take().expect("stderr");
    let log_reader = std::thread::spawn(move || {
        let mut logs = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut logs).expect("read the log");
        logs
    });
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let addr = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("Qiaoyi demo: http://")
                .map(|rest| rest.split('/').next().unwrap_or_default().to_owned())
        })
        .expect("the demo prints its address");

    let (_, headers, body) = get(&addr, "/login", "");
    let pre = cookie_from(&headers, "qiaoyi_csrf").expect("csrf cookie");
    let form = format!(
        "csrf={}&email=applicant%40qiaoyi.example&password=qiaoyi+demo+pass+2026",
        csrf_field(&body)
    );
    let (status, headers, _) = post(&addr, "/login", &format!("qiaoyi_csrf={pre}"), &form);
    assert!(status.contains("303"), "{status}");
    let token = cookie_from(&headers, "qiaoyi_session").expect("session");
    let cookies = format!("qiaoyi_session={token}");
    let (_, _, page) = get(&addr, "/account/identity", &cookies);
    let csrf = csrf_field(&page);
    let (status, _, _) = post(
        &addr,
        "/account/identity",
        &cookies,
        &format!("csrf={csrf}&resident_id=11010519491231002X&passport=E12345678"),
    );
    assert!(status.contains("303"), "{status}");
    let (status, _, _) = post(
        &addr,
        "/login",
        "",
        "email=applicant%40qiaoyi.example&password=wrong+secret+guess",
    );
    assert!(status.starts_with("HTTP/1.1 4"), "{status}");
    let _ = get(&addr, "/people?q=11010519491231002X", &cookies);

    child.kill().expect("stop the demo");
    child.wait().expect("wait");
    let logs = log_reader.join().expect("log reader");
    assert!(logs.contains("request"), "the server logged at trace level");

    // Without a configured public_url, the demo's links lead where it listens (port 0 asked for
    // any): the messages it queued while seeding carry its real address.
    let links: Vec<String> = tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let url = qiaoyi_store::DatabaseUrl::sqlite_in(data.path());
            let store = qiaoyi_store::Store::connect(&url)
                .await
                .expect("the demo's database");
            let mut params = Vec::new();
            for status in ["pending", "sent", "dead"] {
                let page = store.outbox_page(status, 0, 1000).await.expect("outbox");
                params.extend(page.items.into_iter().map(|m| m.params));
            }
            params
        })
        .into_iter()
        .filter(|p| p.contains("http://"))
        .collect();
    assert!(!links.is_empty(), "the demo queued messages with links");
    for params in &links {
        assert!(params.contains(&format!("http://{addr}/")), "{params}");
        assert!(!params.contains("127.0.0.1:8080"), "{params}");
    }
    for secret in [
        "qiaoyi demo pass 2026",
        "qiaoyi+demo+pass+2026",
        "wrong+secret+guess",
        &token,
        "11010519491231002X",
        "E12345678",
        "JBSWY3DPEHPK3PXP",
    ] {
        assert!(!logs.contains(secret), "the log holds {secret}");
    }
}

/// `qiaoyi demo > file 2>&1`, as a newcomer keeps it: plain text, one line per notice (kept as an
/// `.eml` file in the data dir, its words not in the log), and the address to open last.
#[test]
fn the_demo_log_is_plain_text_with_its_address_last() {
    let data = tempfile::tempdir().expect("tmp");
    let log_path = data.path().join("demo.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_qiaoyi"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path().join("data"))
        .env_remove("QIAOYI_DATABASE_URL")
        .env_remove("QIAOYI_LOG")
        .stdout(log.try_clone().expect("the same file"))
        .stderr(log)
        .spawn()
        .expect("spawn demo");
    let read = || std::fs::read_to_string(&log_path).expect("the log");
    let mut waited = 0;
    while !read().contains("Qiaoyi demo: http://") {
        assert!(waited < 600, "no address after 60 s:\n{}", read());
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    // Whatever the server would print right after starting.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().expect("stop the demo");
    child.wait().expect("wait");
    let text = read();
    assert!(!text.contains('\u{1b}'), "colour codes in a file:\n{text}");
    let last = text
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(
        last.starts_with("Qiaoyi demo: http://"),
        "the last line is {last:?}:\n{text}"
    );
    let kept: Vec<String> = std::fs::read_dir(data.path().join("data").join("messages"))
        .expect("the demo's notices are kept as files")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(kept.len() >= 10, "{kept:?}");
    for name in &kept {
        let id = name.strip_suffix(".eml").expect("an e-mail file");
        let lines = text.lines().filter(|l| l.contains(id)).count();
        assert_eq!(lines, 1, "one log line for {id}:\n{text}");
    }
    for field in ["subject=", "body=", "to="] {
        assert!(
            !text.contains(field),
            "a message's {field} in the log:\n{text}"
        );
    }
}

#[tokio::test]
async fn remind_queues_the_due_reminders_and_refuses_a_bad_date() {
    let data = tempfile::tempdir().expect("tmp");
    let env = database_env(data.path()).await;
    let env = borrowed(&env);
    let bad = qiaoyi(&["remind", "--today", "2026-13-01"], &env);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("YYYY-MM-DD"), "{}", stderr(&bad));
    let run = qiaoyi(&["remind", "--today", "2026-12-01"], &env);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains(
            "2026-12-01: 0 passports expire within the reminder window; 0 reminders queued"
        ),
        "{}",
        stdout(&run)
    );
}

#[test]
fn backup_and_restore_move_a_demo_to_a_new_data_dir() {
    let old = tempfile::tempdir().expect("tmp");
    let new = tempfile::tempdir().expect("tmp");
    let at = |dir: &Path| vec![("QIAOYI_DATA_DIR".to_owned(), dir.display().to_string())];
    let old_env = at(old.path());
    let new_env = at(new.path());
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog");
    let imported = qiaoyi(&["import", "catalog", catalog], &borrowed(&old_env));
    assert!(imported.status.success(), "{}", stderr(&imported));
    let file = old.path().join("backup.db");
    let file = file.to_str().expect("utf-8");
    let made = qiaoyi(&["backup", "--out", file], &borrowed(&old_env));
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(stdout(&made).contains("secret.key"), "{}", stdout(&made));
    let again = qiaoyi(&["backup", "--out", file], &borrowed(&old_env));
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));

    let keyless = qiaoyi(&["restore", file], &borrowed(&new_env));
    assert_eq!(keyless.status.code(), Some(2), "{}", stderr(&keyless));
    assert!(
        stderr(&keyless).contains("secret.key"),
        "{}",
        stderr(&keyless)
    );
    std::fs::copy(old.path().join("secret.key"), new.path().join("secret.key")).expect("key");
    let restored = qiaoyi(&["restore", file], &borrowed(&new_env));
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(stdout(&restored).contains("whole"), "{}", stdout(&restored));
    let verified = qiaoyi(&["audit", "verify"], &borrowed(&new_env));
    assert!(verified.status.success(), "{}", stderr(&verified));
    let exists = qiaoyi(&["restore", file], &borrowed(&new_env));
    assert_eq!(exists.status.code(), Some(2), "{}", stderr(&exists));
    assert!(stderr(&exists).contains("--replace"), "{}", stderr(&exists));
}

#[tokio::test]
async fn bench_reports_intake_reads_search_and_the_raw_baseline() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("bench.json");
    let mut args = vec![
        "bench",
        "--clients",
        "4",
        "--seconds",
        "1",
        "--json",
        out.to_str().expect("path"),
    ];
    // On the PostgreSQL pass intake and reads run on a fresh database too, with one and three nodes.
    let env = database_env(dir.path()).await;
    let url = env
        .iter()
        .find(|(k, _)| k == "QIAOYI_DATABASE_URL")
        .map(|(_, v)| v.clone());
    if let Some(url) = &url {
        args.extend(["--database-url", url.as_str()]);
    }
    let output = qiaoyi(&args, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("ratio intake/raw"), "{text}");
    assert!(text.contains("memory (this process"), "{text}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("JSON written")).expect("JSON");
    assert!(
        report["submissions"].as_u64().expect("submissions") > 0,
        "{report}"
    );
    assert!(
        report["raw_submissions"].as_u64().expect("raw") > 0,
        "{report}"
    );
    assert_eq!(report["writes"]["errors"], 0, "{report}");
    assert_eq!(report["reads"]["errors"], 0, "{report}");
    assert_eq!(report["search"]["errors"], 0, "{report}");
    assert!(
        report["search"]["requests"].as_u64().expect("searches") > 0,
        "{report}"
    );
    assert!(
        report["reads"]["p99_ms"].as_f64().expect("p99") > 0.0,
        "{report}"
    );
    // The baseline writes exactly one submission's rows; intake at least those.
    for (table, [intake, raw]) in report["rows_per_submission"]
        .as_object()
        .expect("rows")
        .iter()
        .map(|(t, v)| (t, [v[0].as_f64().expect("n"), v[1].as_f64().expect("n")]))
    {
        assert!(raw >= 1.0 && intake >= raw, "{table}: {intake} / {raw}");
    }
    let idle = report["memory"]["idle_mb"]
        .as_f64()
        .expect("memory once loaded");
    let peak = report["memory"]["peak_mb"]
        .as_f64()
        .expect("memory at its peak");
    assert!(idle > 1.0 && peak >= idle, "{report}");
    let ratio = report["ratio"].as_f64().expect("ratio");
    assert!(ratio > 0.0, "{report}");
    let postgres = report["postgres"].as_array().expect("postgres runs");
    if url.is_some() {
        assert!(text.contains("beside SQLite"), "{text}");
        let nodes: Vec<u64> = postgres
            .iter()
            .map(|d| d["nodes"].as_u64().expect("nodes"))
            .collect();
        assert_eq!(nodes, [1, 3], "{report}");
        for d in postgres {
            assert!(d["submissions"].as_u64().expect("n") > 0, "{report}");
            assert_eq!(d["intake"]["errors"], 0, "{report}");
            assert_eq!(d["reads"]["errors"], 0, "{report}");
        }
    } else {
        assert!(postgres.is_empty(), "{report}");
    }

    for bad in [
        ["--clients", "0"],
        ["--seconds", "0"],
        ["--database-url", "sqlite:///tmp/x.db"],
    ] {
        let output = qiaoyi(&["bench", bad[0], bad[1]], &[]);
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(bad[0]), "{err}");
    }
}

#[tokio::test]
async fn ledger_check_balances_the_demo_and_finds_a_tampered_posting() {
    let data = tempfile::tempdir().expect("dir");
    let env = database_env(data.path()).await;
    let config = qiaoyi_app::config::Config {
        data_dir: data.path().to_owned(),
        database_url: env
            .iter()
            .find(|(k, _)| k == "QIAOYI_DATABASE_URL")
            .map(|(_, v)| v.clone()),
        ..qiaoyi_app::config::Config::default()
    };
    let app = qiaoyi_app::App::open(config).await.expect("open");
    // 2026-05-28 in Beijing, inside the shipped calendars: the Rome walk-in is accepted and paid.
    app.seed_demo(1_779_934_000_000).await.expect("seed");
    drop(app);
    let env = borrowed(&env);

    let checked = qiaoyi(&["ledger", "check"], &env);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let text = stdout(&checked);
    assert!(text.contains("ledger balanced"), "{text}");
    assert!(text.contains("funds:cash_station"), "{text}");
    assert!(text.contains("12000 fen"), "{text}");

    let url = env
        .iter()
        .find(|(k, _)| *k == "QIAOYI_DATABASE_URL")
        .map(|(_, v)| (*v).to_owned())
        .unwrap_or_else(|| format!("sqlite://{}/qiaoyi.db", data.path().display()));
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .expect("raw connection");
    conn.execute("UPDATE ledger_postings SET amount_fen = amount_fen + 1 WHERE line = 0 AND account LIKE 'funds:%'")
        .await
        .expect("edit");
    conn.close().await.expect("close");
    let broken = qiaoyi(&["ledger", "check"], &env);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).contains("sum to 1 fen"),
        "{}",
        stderr(&broken)
    );
}

#[tokio::test]
async fn export_stats_writes_the_workbook_and_csv_and_refuses_bad_input() {
    let data = tempfile::tempdir().expect("dir");
    let env = database_env(data.path()).await;
    let config = qiaoyi_app::config::Config {
        data_dir: data.path().to_owned(),
        database_url: env
            .iter()
            .find(|(k, _)| k == "QIAOYI_DATABASE_URL")
            .map(|(_, v)| v.clone()),
        ..qiaoyi_app::config::Config::default()
    };
    let app = qiaoyi_app::App::open(config).await.expect("open");
    // The binary below runs on the machine's clock: the demo is seeded on it too.
    let now = app.now_ms();
    app.seed_demo(now).await.expect("seed");
    let closed = app.seed_demo_history(now).await.expect("history");
    drop(app);
    let env = borrowed(&env);
    let out = data.path().join("stats.xlsx");
    let path = out.to_str().expect("path");
    let written = qiaoyi(
        &["export", "stats", "--from", "2025-01", "--out", path],
        &env,
    );
    assert!(written.status.success(), "{}", stderr(&written));
    let bytes = std::fs::read(&out).expect("written");
    assert!(bytes.starts_with(b"PK"), "an xlsx file is a zip archive");
    let again = qiaoyi(&["export", "stats", "--out", path], &env);
    assert_eq!(again.status.code(), Some(2), "an existing file is kept");
    let csv = data.path().join("cases.csv");
    let written = qiaoyi(
        &[
            "export",
            "stats",
            "--from",
            "2025-01",
            "--table",
            "cases",
            "--out",
            csv.to_str().expect("path"),
        ],
        &env,
    );
    assert!(written.status.success(), "{}", stderr(&written));
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with("\u{feff}案件编号,"), "{text}");
    assert_eq!(text.lines().count(), closed + 1, "{text}");
    for bad in [
        vec!["--from", "2026-13", "--out", "x.xlsx"],
        vec!["--out", "x.pdf"],
        vec!["--table", "nothing", "--out", "x.csv"],
    ] {
        let mut args = vec!["export", "stats"];
        args.extend(bad.iter().copied());
        let output = qiaoyi(&args, &env);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{bad:?}: {}",
            stderr(&output)
        );
        // One line of its own (PostgreSQL may add its notices before it).
        let lines: Vec<String> = stderr(&output)
            .lines()
            .filter(|l| l.starts_with("qiaoyi: "))
            .map(str::to_owned)
            .collect();
        assert_eq!(lines.len(), 1, "{}", stderr(&output));
    }
}

#[tokio::test]
async fn bench_stats_times_the_dashboard_over_generated_cases() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("stats.json");
    let path = out.to_str().expect("path");
    let mut args = vec![
        "bench-stats",
        "--cases",
        "20000",
        "--runs",
        "2",
        "--json",
        path,
    ];
    // On the PostgreSQL pass the same bench runs on a fresh database of that server.
    let env = database_env(dir.path()).await;
    let url = env
        .iter()
        .find(|(k, _)| k == "QIAOYI_DATABASE_URL")
        .map(|(_, v)| v.clone());
    if let Some(url) = &url {
        args.extend(["--database-url", url.as_str()]);
    }
    let output = qiaoyi(&args, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("dashboard, 120 months"),
        "{}",
        stdout(&output)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("JSON")).expect("JSON");
    assert_eq!(report["handled"], 20000, "{report}");
    assert_eq!(
        report["backend"],
        if url.is_some() { "postgres" } else { "sqlite" }
    );
    assert_eq!(report["dashboard_ms"].as_array().expect("runs").len(), 2);
    for bad in [
        vec!["bench-stats", "--cases", "0"],
        vec!["bench-stats", "--database-url", "sqlite:///tmp/x.db"],
    ] {
        let output = qiaoyi(&bad, &[]);
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn bench_pairing_pairs_generated_children_and_refuses_bad_sizes() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("pairing.json");
    let path = out.to_str().expect("path");
    let output = qiaoyi(
        &[
            "bench-pairing",
            "--children",
            "60",
            "--volunteers",
            "40",
            "--runs",
            "2",
            "--json",
            path,
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("pairing 60 children with 40 volunteers"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("JSON")).expect("JSON");
    assert_eq!(report["paired"], 40, "each volunteer takes one: {report}");
    assert_eq!(report["runs"], 2);
    for bad in [
        vec!["bench-pairing", "--children", "0"],
        vec!["bench-pairing", "--volunteers", "5001"],
        vec!["bench-pairing", "--runs", "0"],
    ] {
        let output = qiaoyi(&bad, &[]);
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn bench_search_times_questions_and_names_the_slowest() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("search.json");
    let path = out.to_str().expect("path");
    let output = qiaoyi(
        &[
            "bench-search",
            "--docs",
            "500",
            "--queries",
            "64",
            "--json",
            path,
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("slowest questions: \""),
        "{}",
        stdout(&output)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("JSON")).expect("JSON");
    assert_eq!(report["queries"], 64);
    assert!(
        report["documents"].as_u64().is_some_and(|d| d >= 500),
        "{report}"
    );
    let slowest = report["slowest"].as_array().expect("the slowest questions");
    assert_eq!(slowest.len(), 3, "{report}");
    let medians: Vec<f64> = slowest
        .iter()
        .map(|q| q["p50_ms"].as_f64().expect("a median"))
        .collect();
    assert!(medians.windows(2).all(|w| w[0] >= w[1]), "{medians:?}");
    for bad in [
        vec!["bench-search", "--docs", "0"],
        vec!["bench-search", "--queries", "0"],
    ] {
        let output = qiaoyi(&bad, &[]);
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn verify_checks_a_certificate_offline_against_the_published_keys() {
    use qiaoyi_domain::certificates::{Payload, PublicKey, jwk, jws, public_hex, signing_key};
    let key = signing_key([9; 32]);
    // A certificate of the first format, Chinese only: still verified.
    let payload = Payload {
        format: 1,
        id: "0123456789abcdef0123456789abcdef".into(),
        item: "EC-01".into(),
        title: "无犯罪记录证明".into(),
        holder_name: "陈秀英".into(),
        holder_name_latin: "CHEN XIUYING".into(),
        holder_birth_date: "1941-02-03".into(),
        holder_id_masked: String::new(),
        statement: "经查，未发现有犯罪记录。".into(),
        case_number: "QT-2026-000002".into(),
        issued_on: "2026-05-28".into(),
        expires_on: "2026-11-28".into(),
        issuer: "青田县公安局".into(),
        translations: Vec::new(),
        key_id: "k9".into(),
    };
    let token = jws(&payload, &key).expect("signed");
    let public = PublicKey {
        key_id: "k9".into(),
        public_hex: public_hex(&key),
    };
    let dir = tempfile::tempdir().expect("tmp");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_str().expect("utf8").to_owned()
    };
    let keys = write(
        "jwks.json",
        &serde_json::json!({ "keys": [jwk(&public, 0, None)] }).to_string(),
    );
    // As scanned from the QR code: the address with the JWS after it.
    let scanned = write(
        "qr.txt",
        &format!("https://qiaoyi.example/verify/{}#jws={token}\n", payload.id),
    );
    let genuine = qiaoyi(&["verify", &scanned, "--keys", &keys], &[]);
    assert!(genuine.status.success(), "{}", stderr(&genuine));
    assert!(stdout(&genuine).contains("陈秀英"), "{}", stdout(&genuine));

    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = jws(
        &Payload {
            holder_name: "张三".into(),
            ..payload.clone()
        },
        &signing_key([8; 32]),
    )
    .expect("signed")
    .split('.')
    .nth(1)
    .expect("payload")
    .to_owned();
    let forged = write("forged.txt", &parts.join("."));
    let refused = qiaoyi(&["verify", &forged, "--keys", &keys], &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("not genuine"),
        "{}",
        stderr(&refused)
    );

    let not_keys = write("keys.txt", "not a key set");
    let bad = qiaoyi(&["verify", &scanned, "--keys", &not_keys], &[]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn check_ids_judges_each_line_and_names_the_part_that_fails() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("ids.jsonl");
    let zone = [
        "P<CHNJI<<MEIHUA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
        "E123456782CHN6208196F3001019<<<<<<<<<<<<<<08",
    ];
    let mistyped = [zone[0], "E123456782CHN6208186F3001019<<<<<<<<<<<<<<08"];
    let lines = [
        serde_json::json!("11010519491231002X"),
        serde_json::json!("110105194912310021"),
        serde_json::json!("810000199001011230"),
        serde_json::json!("110105203012310026"),
        serde_json::json!(zone),
        serde_json::json!(mistyped),
    ];
    let text: Vec<String> = lines.iter().map(ToString::to_string).collect();
    std::fs::write(&input, text.join("\n") + "\n\n").expect("write");
    let out = qiaoyi(
        &[
            "check-ids",
            input.to_str().expect("utf8"),
            "--today",
            "2026-12-07",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let verdicts: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON verdict"))
        .collect();
    let summary: Vec<(bool, &str)> = verdicts
        .iter()
        .map(|v| {
            (
                v["valid"].as_bool().expect("valid"),
                v["part"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (true, ""),
            (false, "check_character"),
            (true, ""),
            (false, "birth_date"),
            (true, ""),
            (false, "check_digit.birth_date"),
        ]
    );
    assert_eq!(verdicts[5]["line"], 6);

    std::fs::write(&input, "{\"number\": 1}\n").expect("write");
    let bad = qiaoyi(&["check-ids", input.to_str().expect("utf8")], &[]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("line 1"), "{}", stderr(&bad));
}
