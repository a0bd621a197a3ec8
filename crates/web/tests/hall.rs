//! The service hall: numbers taken on a phone, at the kiosk and at reception, called to windows
//! by the hall's rules, followed on her phone, shown on the hall's screen; and the attempts of
//! those who should not.

use axum::http::StatusCode;

use crate::common::{Browser, T0, hidden_csrf, json, next_message, serve, socket, summary_links};

/// Thursday 2026-05-28, 12:06 in Rome: the Rome station is open.
const ROME_OPEN: i64 = T0 + 8 * 3_600_000;
const ROME: &str = "station.rome@qiaoyi.example";

async fn take(b: &mut Browser, group: &str, priority: &str) -> serde_json::Value {
    let reply = b
        .post_json(
            "/api/v1/halls/IT-ROM/numbers",
            &format!(r#"{{"group":"{group}","priority":"{priority}","lang":"it"}}"#),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    json(&reply.body)
}

async fn call(b: &mut Browser, csrf: &str, window: &str, groups: &str) -> (StatusCode, String) {
    let reply = b
        .post_json(
            "/api/v1/halls/IT-ROM/calls",
            &format!(r#"{{"window":"{window}","groups":[{groups}]}}"#),
            Some(csrf),
        )
        .await;
    let label = if reply.status == StatusCode::OK {
        json(&reply.body)["label"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    } else {
        String::new()
    };
    (reply.status, label)
}

async fn moved(
    b: &mut Browser,
    csrf: &str,
    id: &str,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let reply = b
        .post_json(
            &format!("/api/v1/halls/IT-ROM/numbers/{id}/moves"),
            body,
            Some(csrf),
        )
        .await;
    let value = serde_json::from_str(&reply.body).unwrap_or_default();
    (reply.status, value)
}

#[tokio::test]
async fn a_hall_morning_serves_walk_ins_and_priority_visitors_in_the_right_order_at_two_windows() {
    let mut visitor = Browser::starting_at(ROME_OPEN).await;
    let mut staff = visitor.another();
    let csrf = staff.api_sign_in(ROME).await;

    // Four visitors arrive: two walk-ins for passports, one aged over 70, one for a household
    // matter. Numbers are unique and in order of arrival; the letter names the service.
    let first = take(&mut visitor, "exit-entry", "").await;
    let second = take(&mut visitor, "exit-entry", "").await;
    let elder = take(&mut visitor, "exit-entry", "over-70").await;
    let household = take(&mut visitor, "household", "").await;
    // They wait five minutes before the first call.
    visitor.app.clock().advance(5 * 60_000);
    let labels: Vec<&str> = [&first, &second, &elder, &household]
        .iter()
        .map(|t| t["ticket"]["label"].as_str().expect("in the answer"))
        .collect();
    assert_eq!(labels, ["A001", "A002", "A003", "B004"]);

    // Her phone: two numbers before the elder's? No: she is served first, so nobody is ahead.
    let follow = |t: &serde_json::Value| {
        format!(
            "/api/v1/hall/numbers/{}",
            t["follow"].as_str().expect("in the answer")
        )
    };
    let mine = json(&visitor.get(&follow(&second)).await.body);
    assert_eq!(mine["state"], "waiting");
    assert_eq!(
        mine["ahead"], 2,
        "the elder and the first walk-in go before her"
    );
    assert_eq!(mine["near"], true);
    assert_eq!(json(&visitor.get(&follow(&elder)).await.body)["ahead"], 0);

    // Window 1 serves passports, window 2 household matters.
    assert_eq!(
        call(&mut staff, &csrf, "1", r#""exit-entry""#).await,
        (StatusCode::OK, "A003".into()),
        "the priority visitor first"
    );
    assert_eq!(
        call(&mut staff, &csrf, "2", r#""household""#).await,
        (StatusCode::OK, "B004".into())
    );
    assert_eq!(
        call(&mut staff, &csrf, "1", r#""exit-entry""#).await,
        (StatusCode::OK, "A001".into())
    );
    assert_eq!(
        call(&mut staff, &csrf, "2", r#""household""#).await.0,
        StatusCode::NO_CONTENT,
        "nobody waits for household matters"
    );
    let elder_now = json(&visitor.get(&follow(&elder)).await.body);
    assert_eq!(elder_now["state"], "called");
    assert_eq!(elder_now["window"], "1");

    // The day as staff see it records why each was called.
    let day = json(&staff.get("/api/v1/halls/IT-ROM/day").await.body);
    let reason = |label: &str| {
        day.as_array()
            .expect("in the answer")
            .iter()
            .find(|t| t["label"] == label)
            .expect("in the answer")["call_reason"]
            .clone()
    };
    assert_eq!(reason("A003"), "over-70");
    assert_eq!(reason("A001"), "turn");

    // The board: labels and windows only.
    let board = json(&visitor.get("/api/v1/halls/IT-ROM/board").await.body);
    assert_eq!(board["calls"][0]["label"], "A001");
    assert_eq!(board["open"], true);
    assert!(!board.to_string().contains("follow"));

    // Served, recalled, not come only after three calls, sent to another service.
    let id = |t: &serde_json::Value| {
        t["ticket"]["id"]
            .as_str()
            .expect("in the answer")
            .to_owned()
    };
    let (status, _) = moved(&mut staff, &csrf, &id(&elder), r#"{"do":"served"}"#).await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = moved(&mut staff, &csrf, &id(&first), r#"{"do":"no_show"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["reason"], "calls-left");
    for calls in [2, 3] {
        let (status, t) = moved(&mut staff, &csrf, &id(&first), r#"{"do":"recall"}"#).await;
        assert_eq!((status, t["calls"].as_u64()), (StatusCode::OK, Some(calls)));
    }
    let (status, refused) = moved(&mut staff, &csrf, &id(&first), r#"{"do":"recall"}"#).await;
    assert_eq!(
        (status, refused["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("attempts-exhausted"))
    );
    let (status, t) = moved(&mut staff, &csrf, &id(&first), r#"{"do":"no_show"}"#).await;
    assert_eq!(
        (status, t["state"].as_str()),
        (StatusCode::OK, Some("no_show"))
    );
    let (status, t) = moved(
        &mut staff,
        &csrf,
        &id(&household),
        r#"{"do":"transfer","group":"certificates"}"#,
    )
    .await;
    assert_eq!(
        (status, t["state"].as_str()),
        (StatusCode::OK, Some("waiting"))
    );
    assert_eq!(t["label"], "B004", "a transferred number keeps its label");

    // She gives back her number; it is then no longer called.
    let gone = visitor
        .send(
            axum::http::Request::delete(follow(&second)),
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&mut staff, &csrf, "1", r#""exit-entry""#).await.0,
        StatusCode::NO_CONTENT
    );
    // The transferred one waits for its new service, at the window of any service.
    assert_eq!(
        call(&mut staff, &csrf, "2", "").await,
        (StatusCode::OK, "B004".into())
    );

    // The statistics: numbers taken, served, not come, given back, priority calls, waits.
    let mut auditor = visitor.another();
    auditor.api_sign_in("auditor@qiaoyi.example").await;
    let stats = json(
        &auditor
            .get("/api/v1/statistics?from=2026-05&to=2026-05")
            .await
            .body,
    );
    let halls = &stats["halls"];
    assert_eq!(halls["total"]["taken"], 4, "{halls}");
    assert_eq!(halls["total"]["served"], 1);
    assert_eq!(halls["total"]["no_shows"], 1);
    assert_eq!(halls["total"]["given_back"], 1);
    assert_eq!(halls["total"]["priority_calls"], 1);
    // The server's clock runs on while the test does: a little over five minutes.
    let wait = halls["total"]["mean_wait_minutes"]
        .as_f64()
        .expect("a wait");
    assert!((5.0..5.5).contains(&wait), "{wait}");
    assert_eq!(halls["by_station"][0]["key"], "IT-ROM");
    assert_eq!(halls["by_hour"][0]["key"], "12", "taken at 12:06 in Rome");
    let services: Vec<&str> = halls["by_service"]
        .as_array()
        .expect("by service")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(services, ["certificates", "exit-entry"]);
    let page = auditor.get("/stats?from=2026-05&to=2026-05&lang=en").await;
    assert!(page.body.contains("Service halls"), "{}", page.body);
    let csv = auditor
        .get("/stats/export?from=2026-05&to=2026-05&format=csv&table=halls")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("IT-ROM") || csv.body.contains("罗马"),
        "{}",
        csv.body
    );
}

#[tokio::test]
async fn a_run_of_priority_calls_lets_a_walk_in_through_by_the_rules_an_administrator_set() {
    let mut visitor = Browser::starting_at(ROME_OPEN).await;
    let mut admin = visitor.another();
    let admin_csrf = admin.api_sign_in("admin@qiaoyi.example").await;
    let bad = admin
        .put_json(
            "/api/v1/halls/IT-ROM/rules",
            r#"{"honoured":["over-70"],"priority_run":0,"no_show_after":2}"#,
            Some(&admin_csrf),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(json(&bad.body)["field"], "priority_run");
    let saved = admin
        .put_json(
            "/api/v1/halls/IT-ROM/rules",
            r#"{"honoured":["over-70","pregnant"],"priority_run":1,"no_show_after":2}"#,
            Some(&admin_csrf),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let rules = json(&visitor.get("/api/v1/halls/IT-ROM/rules").await.body);
    assert_eq!(rules["priority_run"], 1);

    let mut staff = visitor.another();
    let csrf = staff.api_sign_in(ROME).await;
    take(&mut visitor, "exit-entry", "").await;
    take(&mut visitor, "exit-entry", "over-70").await;
    take(&mut visitor, "exit-entry", "pregnant").await;
    take(&mut visitor, "exit-entry", "disability").await;
    let mut order = Vec::new();
    for _ in 0..4 {
        order.push(call(&mut staff, &csrf, "1", "").await.1);
    }
    // One priority call at most, then the walk-in; a disability is not honoured here, so it
    // waits its turn behind the walk-in.
    assert_eq!(order, ["A002", "A001", "A003", "A004"]);

    // The change is in the audit log.
    let mut auditor = visitor.another();
    auditor.sign_in_staff("auditor@qiaoyi.example").await;
    let log = auditor.get("/audit?action=hall_rules_saved&lang=en").await;
    assert!(log.body.contains("Hall rules saved"), "{}", log.body);
}

#[tokio::test]
async fn numbers_are_refused_when_the_hall_is_closed_and_the_phone_is_limited() {
    // 04:06 in Rome: closed. Reception still gives numbers; a phone does not.
    let mut visitor = Browser::new().await;
    let closed = visitor
        .post_json(
            "/api/v1/halls/IT-ROM/numbers",
            r#"{"group":"exit-entry"}"#,
            None,
        )
        .await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&closed.body)["reason"], "not-open-yet");
    let page = visitor.get("/halls/IT-ROM?lang=en").await;
    assert!(
        page.body.contains("The hall is closed now"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<form method=\"post\" class=\"form\""));
    let mut staff = visitor.another();
    let csrf = staff.api_sign_in(ROME).await;
    let given = staff
        .post_json(
            "/api/v1/halls/IT-ROM/numbers",
            r#"{"group":"exit-entry","priority":"green-channel","via":"reception"}"#,
            Some(&csrf),
        )
        .await;
    assert_eq!(given.status, StatusCode::CREATED, "{}", given.body);

    let mut open = Browser::starting_at(ROME_OPEN).await;
    // A visitor may not claim what only staff note.
    let claimed = open
        .post_json(
            "/api/v1/halls/IT-ROM/numbers",
            r#"{"group":"exit-entry","priority":"green-channel"}"#,
            None,
        )
        .await;
    assert_eq!(claimed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&claimed.body)["field"], "priority");
    for bad in [
        r#"{"group":"weddings"}"#,
        r#"{"group":"exit-entry","via":"teleport"}"#,
        r#"{"group":"exit-entry","lang":"fr"}"#,
        r#"{"group":"exit-entry","extra":1}"#,
    ] {
        let r = open
            .post_json("/api/v1/halls/IT-ROM/numbers", bad, None)
            .await;
        assert!(
            r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::BAD_REQUEST,
            "{bad}: {} {}",
            r.status,
            r.body
        );
    }
    let unknown = open
        .post_json(
            "/api/v1/halls/XX-NOP/numbers",
            r#"{"group":"exit-entry"}"#,
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // Ten an hour from one address (the refusals above counted too), then 429.
    let mut last = StatusCode::CREATED;
    for _ in 0..10 {
        last = open
            .post_json(
                "/api/v1/halls/IT-ROM/numbers",
                r#"{"group":"household"}"#,
                None,
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn others_cannot_work_a_hall_nor_follow_a_number_without_its_secret() {
    let mut visitor = Browser::starting_at(ROME_OPEN).await;
    let taken = take(&mut visitor, "exit-entry", "").await;
    let id = taken["ticket"]["id"]
        .as_str()
        .expect("in the answer")
        .to_owned();

    // Anonymous: the staff's day, calls and moves are refused before anything is read.
    assert_eq!(
        visitor.get("/api/v1/halls/IT-ROM/day").await.status,
        StatusCode::UNAUTHORIZED
    );
    // Another station's staff, an applicant and a kiosk claim by a visitor are refused.
    for email in ["station.madrid@qiaoyi.example", "applicant@qiaoyi.example"] {
        let mut other = visitor.another();
        let csrf = other.api_sign_in(email).await;
        assert_eq!(
            call(&mut other, &csrf, "1", "").await.0,
            StatusCode::FORBIDDEN,
            "{email}"
        );
        let (status, _) = moved(&mut other, &csrf, &id, r#"{"do":"served"}"#).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        assert_eq!(
            other.get("/api/v1/halls/IT-ROM/day").await.status,
            StatusCode::FORBIDDEN
        );
        let kiosk = other
            .post_json(
                "/api/v1/halls/IT-ROM/numbers",
                r#"{"group":"exit-entry","via":"kiosk"}"#,
                Some(&csrf),
            )
            .await;
        assert_eq!(kiosk.status, StatusCode::FORBIDDEN, "{email}");
        let desk = other.get("/halls/IT-ROM/desk").await;
        assert_eq!(desk.status, StatusCode::FORBIDDEN, "{email}");
    }
    // Guessed and malformed secrets find nothing, and say nothing more than "not found".
    for secret in [
        "0123456789abcdef0123456789abcdef",
        "short",
        "../../etc/passwd",
        &id,
    ] {
        let r = visitor.get(&format!("/api/v1/hall/numbers/{secret}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{secret}");
    }
    // A number already called cannot be given back by her.
    let mut staff = visitor.another();
    let csrf = staff.api_sign_in(ROME).await;
    call(&mut staff, &csrf, "1", "").await;
    let late = visitor
        .send(
            axum::http::Request::delete(format!(
                "/api/v1/hall/numbers/{}",
                taken["follow"].as_str().expect("in the answer")
            )),
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_pages_take_follow_call_and_show_a_number_in_her_language() {
    let mut visitor = Browser::starting_at(ROME_OPEN).await;
    // No service chosen: the form comes back with its error, nothing pre-selected.
    let form = visitor.get("/halls/IT-ROM?lang=it").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains(" checked"), "no choice is made for her");
    let csrf = hidden_csrf(&form.body);
    let refused = visitor
        .post_raw(
            "/halls/IT-ROM?lang=it",
            &[("csrf", &csrf), ("priority", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&refused.body), ["group"]);
    assert!(
        refused.body.contains("Scelga il servizio"),
        "{}",
        refused.body
    );

    let taken = visitor
        .post_raw(
            "/halls/IT-ROM?lang=it",
            &[
                ("csrf", &csrf),
                ("group", "exit-entry"),
                ("priority", "pregnant"),
            ],
        )
        .await;
    let number_page = taken.location.clone().expect("to her number's page");
    assert!(number_page.starts_with("/hall/numbers/"), "{number_page}");
    let page = visitor.get(&format!("{number_page}?lang=it")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("A001"));
    assert!(page.body.contains("In attesa"), "{}", page.body);

    // Staff call it from the desk page; her page then sends her to the window.
    let mut staff = visitor.another();
    staff.sign_in_staff(ROME).await;
    let desk = staff.get("/halls/IT-ROM/desk").await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(desk.body.contains("A001"));
    let csrf = hidden_csrf(&desk.body);
    let no_window = staff
        .post_raw(
            "/halls/IT-ROM/desk/call",
            &[("csrf", &csrf), ("window", "")],
        )
        .await;
    assert_eq!(no_window.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&no_window.body), ["window"]);
    let called = staff
        .post_raw(
            "/halls/IT-ROM/desk/call",
            &[("csrf", &csrf), ("window", "3"), ("groups", "exit-entry")],
        )
        .await;
    assert_eq!(called.status, StatusCode::SEE_OTHER, "{}", called.body);
    let back = staff
        .get(called.location.as_deref().expect("in the answer"))
        .await;
    assert!(back.body.contains("A001 → 3"), "{}", back.body);
    let page = visitor.get(&format!("{number_page}?lang=it")).await;
    assert!(page.body.contains("sportello 3"), "{}", page.body);

    // The hall's screen, and its socket from this site's pages only.
    let screen = visitor.get("/halls/IT-ROM/display?lang=it").await;
    assert_eq!(screen.status, StatusCode::OK);
    assert!(screen.body.contains("A001") && screen.body.contains("<svg"));
    let host = serve(visitor.app.clone()).await;
    let mut board = socket(&host, "/ws/halls/IT-ROM", &visitor)
        .await
        .expect("socket");
    let first = next_message(&mut board).await;
    assert_eq!(first["calls"][0]["label"], "A001");
    let said: Vec<&str> = first["calls"][0]["say"]
        .as_array()
        .expect("in the answer")
        .iter()
        .map(|s| s["text"].as_str().expect("in the answer"))
        .collect();
    assert_eq!(said, ["请 A001 号到 3 号窗口", "Numero A001, sportello 3"]);
    assert_eq!(
        socket(&host, "/ws/halls/XX-NOP", &visitor).await.err(),
        Some(StatusCode::NOT_FOUND)
    );
}

#[tokio::test]
async fn the_administrators_page_sets_the_rules_and_refuses_what_is_out_of_range() {
    let mut admin = Browser::starting_at(ROME_OPEN).await;
    admin.sign_in_staff("admin@qiaoyi.example").await;
    let form = admin.get("/admin/stations/IT-ROM/hall").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = hidden_csrf(&form.body);
    let refused = admin
        .post_raw(
            "/admin/stations/IT-ROM/hall",
            &[
                ("csrf", &csrf),
                ("honoured", "over-70"),
                ("priority_run", "11"),
                ("no_show_after", "3"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(summary_links(&refused.body), ["priority_run"]);
    let saved = admin
        .post_raw(
            "/admin/stations/IT-ROM/hall",
            &[
                ("csrf", &csrf),
                ("honoured", "over-70"),
                ("priority_run", "2"),
                ("no_show_after", "3"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let rules = json(&admin.get("/api/v1/halls/IT-ROM/rules").await.body);
    assert_eq!(rules["honoured"], serde_json::json!(["over-70"]));
    // Station staff may not.
    let mut staff = admin.another();
    staff.sign_in_staff(ROME).await;
    assert_eq!(
        staff.get("/admin/stations/IT-ROM/hall").await.status,
        StatusCode::FORBIDDEN
    );
}

/// Two nodes on one database: every number is handed out once, in one sequence per hall and day,
/// and two windows calling at the same moment never get the same number.
#[tokio::test]
async fn two_nodes_hand_out_every_number_once_and_call_each_to_one_window() {
    use qiaoyi_app::accounts::{Caller, Client};
    use qiaoyi_app::domain::hall::TakenVia;
    use qiaoyi_app::hall::TakeInput;

    let mut staff_a = Browser::starting_at(ROME_OPEN).await;
    let url = staff_a
        .store
        .as_ref()
        .expect("the server's store")
        .url
        .clone();
    let node_b = qiaoyi_app::App::with_store(
        qiaoyi_store::Store::connect(&url)
            .await
            .expect("a second node"),
        qiaoyi_app::config::Config::default(),
    )
    .with_field_key_of(&staff_a.app)
    .with_clock(staff_a.app.clock().clone());

    let mut takes = tokio::task::JoinSet::new();
    for i in 0..24 {
        let app = if i % 2 == 0 {
            staff_a.app.clone()
        } else {
            node_b.clone()
        };
        takes.spawn(async move {
            let caller = Caller::anonymous(
                Client {
                    address: format!("192.0.2.{i}"),
                },
                app.now_ms(),
            );
            let input = TakeInput {
                group: "exit-entry".into(),
                ..TakeInput::default()
            };
            app.take_hall_number(&caller, "IT-ROM", TakenVia::Phone, &input)
                .await
                .expect("a number")
                .ticket
                .number
        });
    }
    let mut numbers = takes.join_all().await;
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=24).collect::<Vec<u32>>());

    let csrf = staff_a.api_sign_in(ROME).await;
    let mut staff_b = Browser {
        router: qiaoyi_web::router(node_b.clone()),
        app: node_b,
        cookies: staff_a.cookies.clone(),
        store: None,
    };
    let mut called = Vec::new();
    for _ in 0..13 {
        let (a, b) = tokio::join!(
            call(&mut staff_a, &csrf, "1", ""),
            call(&mut staff_b, &csrf, "2", "")
        );
        called.extend(
            [a, b]
                .into_iter()
                .filter(|(s, _)| *s == StatusCode::OK)
                .map(|(_, l)| l),
        );
    }
    let mut distinct = called.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(called.len(), 24, "{called:?}");
    assert_eq!(
        distinct.len(),
        24,
        "a number called to two windows: {called:?}"
    );
}
