//! Receivers for delivery tests: a real SMTP server (Python's aiosmtpd, writing a Maildir) and an
//! SMS gateway on loopback that checks signatures and can be told to hang or refuse.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One e-mail as the SMTP server received it, decoded by Python's `email` package in strict
/// mode (any defect in the message fails the parse).
#[derive(Debug, serde::Deserialize)]
pub struct Mail {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    /// The text/plain part.
    pub body: String,
    /// The text/html part, if there is one.
    pub html: Option<String>,
    pub content_type: String,
    pub mime_version: Option<String>,
    pub content_language: Option<String>,
    pub unsubscribe: Option<String>,
    pub unsubscribe_post: Option<String>,
}

/// A Python that has aiosmtpd: the one on the path, else Debian's (where python3-aiosmtpd
/// installs it when the path leads to another Python).
fn python() -> &'static str {
    python_with("aiosmtpd")
        .expect("a Python with aiosmtpd (install python3-aiosmtpd; scripts/test.sh does)")
}

/// The Python on the path, else Debian's, that can import `modules`.
fn python_with(modules: &str) -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", &format!("import {modules}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts aiosmtpd on a free loopback port; `scripts/test.sh` installs python3-aiosmtpd. Each
    /// message is kept exactly as it arrived (not re-serialised by Python), in a Maildir's `new`.
    pub async fn start() -> SmtpServer {
        let port = free_port();
        let dir = tempfile::tempdir().expect("maildir");
        std::fs::create_dir_all(dir.path().join("mail").join("new")).expect("maildir");
        std::fs::write(
            dir.path().join("rawbox.py"),
            "import os, uuid\n\
             class RawMaildir:\n\
             \x20   def __init__(self, path):\n\
             \x20       self.path = os.path.join(path, 'new')\n\
             \x20   async def handle_DATA(self, server, session, envelope):\n\
             \x20       name = os.path.join(self.path, str(uuid.uuid1()))\n\
             \x20       with open(name, 'wb') as f:\n\
             \x20           f.write(envelope.original_content)\n\
             \x20       return '250 OK'\n\
             \x20   @classmethod\n\
             \x20   def from_cli(cls, parser, *args):\n\
             \x20       return cls(*args)\n",
        )
        .expect("handler");
        let mut child = Command::new(python())
            .env("PYTHONPATH", dir.path())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "rawbox.RawMaildir"])
            .arg(dir.path().join("mail"))
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return SmtpServer { child, port, dir };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start listening on port {port}");
    }

    /// Every mail received so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        read_mails(&self.dir.path().join("mail").join("new"))
    }
}

/// Every mail file in `dir`, in the order of their names, read by Python's mail parser with its
/// strict policy (a receiving client's view, not ours).
pub fn read_mails(dir: &std::path::Path) -> Vec<Mail> {
    let script = r#"
import email, json, os, sys
from email import policy
d = sys.argv[1]
out = []
for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    with open(os.path.join(d, f), 'rb') as fh:
        m = email.message_from_binary_file(fh, policy=policy.strict)
    header = lambda name: m[name] and str(m[name])
    html = m.get_body(preferencelist=('html',))
    out.append({'message_id': str(m['message-id']), 'to': str(m['to']), 'subject': str(m['subject']),
                'body': m.get_body(preferencelist=('plain',)).get_content(),
                'html': html.get_content() if html is not None and html.get_content_type() == 'text/html' else None,
                'content_type': m.get_content_type(), 'mime_version': header('mime-version'),
                'content_language': header('content-language'),
                'unsubscribe': header('list-unsubscribe'), 'unsubscribe_post': header('list-unsubscribe-post')})
print(json.dumps(out))
"#;
    python_json(Command::new(python()).args(["-c", script]).arg(dir))
}

/// What a Python script printed as JSON; its error output when it failed.
fn python_json<T: serde::de::DeserializeOwned>(command: &mut Command) -> T {
    let output = command.output().expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("its output as JSON")
}

impl SmtpServer {
    /// Each mail received so far checked with dkimpy as a receiving server would, the selector's
    /// DNS record made from `key_file` (an RSA key in PEM, its public half by openssl; an Ed25519
    /// key as base64, by PyNaCl): `(verified, verified once its Subject is changed)` per mail.
    pub fn dkim_verdicts(&self, selector: &str, key_file: &std::path::Path) -> Vec<(bool, bool)> {
        let script = r#"
import base64, dkim, json, os, subprocess, sys
maildir, selector, key_file = sys.argv[1:4]
key = open(key_file).read().strip()
if key.startswith('-----BEGIN RSA PRIVATE KEY-----'):
    der = subprocess.run(['openssl', 'rsa', '-in', key_file, '-pubout', '-outform', 'DER'],
                         check=True, capture_output=True).stdout
    record = b'v=DKIM1; k=rsa; p=' + base64.b64encode(der)
else:
    import nacl.signing
    public = nacl.signing.SigningKey(base64.b64decode(key)).verify_key.encode()
    record = b'v=DKIM1; k=ed25519; p=' + base64.b64encode(public)
def dns(name, timeout=5):
    return record if name.decode().rstrip('.').startswith(selector + '._domainkey.') else None
d = os.path.join(maildir, 'new')
out = []
for f in sorted(os.listdir(d)):
    raw = open(os.path.join(d, f), 'rb').read()
    tampered = raw.replace(b'\nSubject:', b'\nSubject: Re:', 1)
    out.append([dkim.verify(raw, dnsfunc=dns), dkim.verify(tampered, dnsfunc=dns)])
print(json.dumps(out))
"#;
        let python = python_with("dkim, nacl")
            .expect("a Python with dkimpy and PyNaCl (python3-dkim, python3-nacl; scripts/test.sh installs them)");
        python_json(
            Command::new(python)
                .args(["-c", script])
                .arg(self.dir.path().join("mail"))
                .arg(selector)
                .arg(key_file),
        )
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the gateway saw: every request's idempotency key and whether its signature checked out,
/// and how many times each key was acknowledged with 200.
#[derive(Default)]
pub struct Seen {
    pub requests: Vec<(String, bool)>,
    pub acknowledged: HashMap<String, usize>,
    pub bodies: Vec<serde_json::Value>,
}

#[derive(Clone)]
struct Gateway {
    secret: String,
    seen: Arc<Mutex<Seen>>,
    /// The first request to `/hold` never gets an answer (the worker dies waiting).
    held_once: Arc<Mutex<bool>>,
}

pub struct GatewayServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Seen>>,
}

pub const SECRET: &str = "a shared secret for the gateway";

fn signature_ok(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(timestamp), Some(signature)) =
        (header("x-qiaoyi-timestamp"), header("x-qiaoyi-signature"))
    else {
        return false;
    };
    let Ok(seconds) = timestamp.parse::<i64>() else {
        return false;
    };
    // The apps of these tests run on the machine's clock, as a gateway does.
    if (qiaoyi_app::clock::Clock::system().now_seconds() - seconds).abs() > 300 {
        return false;
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    signature == format!("sha256={expected}")
}

async fn receive(
    State(gateway): State<Gateway>,
    axum::extract::Path(mode): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let valid = signature_ok(&gateway.secret, &headers, &body);
    {
        let mut seen = gateway.seen.lock().expect("lock");
        seen.requests.push((key.clone(), valid));
        seen.bodies
            .push(serde_json::from_slice(&body).unwrap_or_default());
    }
    let status = match mode.as_str() {
        "refuse" => StatusCode::BAD_REQUEST,
        "busy" => StatusCode::SERVICE_UNAVAILABLE,
        "hold" => {
            let first = {
                let mut held = gateway.held_once.lock().expect("lock");
                !std::mem::replace(&mut *held, true)
            };
            if first {
                std::future::pending::<()>().await;
            }
            StatusCode::OK
        }
        _ if !valid => StatusCode::UNAUTHORIZED,
        _ => StatusCode::OK,
    };
    if status == StatusCode::OK {
        *gateway
            .seen
            .lock()
            .expect("lock")
            .acknowledged
            .entry(key)
            .or_default() += 1;
    }
    status
}

impl GatewayServer {
    pub async fn start() -> GatewayServer {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let gateway = Gateway {
            secret: SECRET.into(),
            seen: seen.clone(),
            held_once: Arc::new(Mutex::new(false)),
        };
        let app = Router::new()
            .route("/{mode}", post(receive))
            .with_state(gateway);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        GatewayServer { addr, seen }
    }

    pub fn url(&self, mode: &str) -> String {
        format!("http://{}/{mode}", self.addr)
    }
}
