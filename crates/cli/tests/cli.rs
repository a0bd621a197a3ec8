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
    for sub in ["", "items", "guides"] {
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

    let verify = qiaoyi(&["audit", "verify"], &env);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(
        stdout(&verify).contains("audit chain intact: 2 entries"),
        "{}",
        stdout(&verify)
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
