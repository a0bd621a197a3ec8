//! What the tests that drive a real `qiaoyi demo` process share: starting it, stopping it, and
//! signing the demo applicant in over the API.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The demo applicant's passport renewal form. The tests send it again and again (and the demo has
/// her renewal under way), so each says to apply anyway rather than stop at the duplicate warning.
pub const FORM: &str = r#"{"item":"EE-01","person_name":"季美华","person_name_latin":"JI MEIHUA","birth_date":"1950-04-02","relation":"self","delivery":"courier","duplicate_ok":true}"#;

/// A running server, killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `qiaoyi demo` on `data` with `env` on a free loopback port and waits until it answers;
/// its log goes to `log` when given.
pub async fn start(data: &Path, env: &[(String, String)], log: Option<&Path>) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut command = Command::new(env!("CARGO_BIN_EXE_qiaoyi"));
    command
        .args(["demo", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .env_remove("QIAOYI_DATABASE_URL")
        .env("QIAOYI_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(match log {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("log file")),
            None => Stdio::null(),
        });
    for (k, v) in env {
        command.env(k, v);
    }
    let server = Server {
        child: command.spawn().expect("start qiaoyi demo"),
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(r) = reqwest::get(format!("{}/healthz", server.base)).await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not come up at {}", server.base);
}

/// Signs the demo applicant in; returns the `Cookie` header value and the CSRF token.
pub async fn sign_in(http: &reqwest::Client, base: &str) -> (String, String) {
    let reply = http
        .post(format!("{base}/api/v1/session"))
        .header("content-type", "application/json")
        .body(
            json!({"email": "applicant@qiaoyi.example", "password": qiaoyi_app::demo::DEMO_PASSWORD})
                .to_string(),
        )
        .send()
        .await
        .expect("sign in");
    assert!(reply.status().is_success());
    let cookie = reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("qiaoyi_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let me = reply_json(
        http.get(format!("{base}/api/v1/me"))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("me"),
    )
    .await;
    (cookie, me["csrf"].as_str().expect("csrf").to_owned())
}

pub async fn reply_json(reply: reqwest::Response) -> Value {
    serde_json::from_str(&reply.text().await.expect("body")).expect("JSON")
}
