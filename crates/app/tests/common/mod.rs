//! What the use-case tests share: a seeded demo on the test store and signing in as a demo account.

use qiaoyi_app::accounts::{Client, CurrentSession, LoginOutcome, totp_code};
use qiaoyi_app::cases::{Case, CaseRequest, StepRequest, Upload};
use qiaoyi_app::config::Config;
use qiaoyi_app::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use qiaoyi_app::{App, Caller};
use qiaoyi_store::testing::{TestStore, test_store};

/// 2026-05-28, a Thursday, 10:06 in Beijing: inside the shipped working-day calendars.
pub const T0: i64 = 1_779_934_000_000;

/// The demo, seeded at `T0`. Keep the `TestStore`: dropping it removes the database.
pub async fn demo_app() -> (App, TestStore) {
    demo_app_with(Config::default()).await
}

/// The demo under another configuration.
pub async fn demo_app_with(config: Config) -> (App, TestStore) {
    let store = test_store().await;
    let app = App::with_store(store.store.clone(), config);
    app.seed_demo(T0).await.expect("seed");
    (app, store)
}

pub fn client() -> Client {
    Client {
        address: "127.0.0.1".into(),
    }
}

/// `who` calling a use case at `now`, from the test's address.
pub fn caller(who: &CurrentSession, now: i64) -> Caller {
    Caller::signed_in(who.clone(), client(), now)
}

/// Someone not signed in calling a use case at `now`, from the test's address.
pub fn anonymous(now: i64) -> Caller {
    Caller::anonymous(client(), now)
}

/// Signs a demo account in, past the second factor when its roles need one.
pub async fn session(app: &App, email: &str, now: i64) -> CurrentSession {
    let LoginOutcome::SignedIn { token, .. } = app
        .login(&anonymous(now), email, DEMO_PASSWORD)
        .await
        .expect("login")
    else {
        panic!("{email} cannot sign in");
    };
    let s = app
        .session(&token, now)
        .await
        .expect("ok")
        .expect("session");
    if !s.is_complete() {
        let code = totp_code(DEMO_TOTP_SECRET, now).expect("code");
        assert!(
            app.pass_second_factor(&caller(&s, now), &code)
                .await
                .expect("ok")
        );
    }
    app.session(&token, now)
        .await
        .expect("ok")
        .expect("session")
}

/// A PDF every material accepts.
pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";

/// Opens `request` as `who` at `T0`, uploads a PDF for each required material and sends it to
/// the bureau.
pub async fn submitted(app: &App, who: &CurrentSession, request: &CaseRequest) -> Case {
    let case = app
        .open_case(&caller(who, T0), request)
        .await
        .expect("opened");
    for (i, m) in case.item.materials.iter().enumerate() {
        if m.required {
            let upload = Upload {
                material: i,
                file_name: "scan.pdf",
                content: PDF,
            };
            app.upload_case_file(&caller(who, T0), &case.id, &upload)
                .await
                .expect("uploaded");
        }
    }
    let step = StepRequest {
        step: "submit".into(),
        expected_version: case.version,
        ..StepRequest::default()
    };
    app.step_case(&caller(who, T0), &case.id, &step)
        .await
        .expect("submitted")
}
