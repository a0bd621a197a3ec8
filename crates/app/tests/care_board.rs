//! Proxy parents, alerts, wishes, activities and parents' messages through the use cases, on
//! whichever database the test store gives: pairing refused without volunteers, proposed
//! optimally, adjusted and confirmed within capacity, re-paired with its history kept; the visit
//! alert queued once per overdue spell to the proxy parent and the coordinator; a wish moved on
//! only from the state before; attendance only of the activity's township; a parent's message
//! sealed and sent only to her own child's proxy parent.

use crate::common;

use common::{T0, caller, demo_app as app, demo_app_with, session};
use qiaoyi_app::AppError;
use qiaoyi_app::care::{ChildRequest, VisitInput};
use qiaoyi_app::care_board::{ActivityInput, WishStep};
use qiaoyi_app::care_pairing::{PairChoice, VolunteerInput};
use qiaoyi_app::config::Config;
use qiaoyi_store::StoreError;
use sqlx::{Connection, Row};

const DAY: i64 = 86_400_000;

fn child(name: &str, township: &str, parent: Option<&str>) -> ChildRequest {
    ChildRequest {
        name: name.into(),
        birth_date: "2016-04-02".into(),
        township: township.into(),
        village: String::new(),
        school: String::new(),
        guardian: "祖母".into(),
        languages: vec!["qingtian".into()],
        consent_version: "1".into(),
        consent_by: "家长".into(),
        consent_relation: "parent".into(),
        photo_allowed: false,
        parents: parent
            .map(|email| qiaoyi_app::care::ParentInput {
                email: email.into(),
                country: "IT".into(),
            })
            .into_iter()
            .collect(),
    }
}

fn profile(township: &str, capacity: &str) -> VolunteerInput {
    VolunteerInput {
        township: township.into(),
        languages: vec!["qingtian".into(), "mandarin".into()],
        capacity: capacity.into(),
        availability: "周末".into(),
    }
}

fn field(e: AppError) -> &'static str {
    match e {
        AppError::Invalid { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_coordinator_pairs_children_with_volunteers_and_re_pairing_keeps_history() {
    let (app, _store) = app().await;
    let coordinator = session(&app, "care@qiaoyi.example", T0).await;
    let volunteer = session(&app, "volunteer@qiaoyi.example", T0).await;
    let near_volunteer = app
        .record_child(&caller(&coordinator, T0), &child("叶一", "温溪镇", None))
        .await
        .expect("recorded")
        .id;
    let near_coordinator = app
        .record_child(&caller(&coordinator, T0), &child("王二", "鹤城街道", None))
        .await
        .expect("recorded")
        .id;

    // Pairing with no volunteers is refused.
    let refused = app
        .propose_pairings(&caller(&coordinator, T0))
        .await
        .expect_err("no volunteers");
    assert_eq!(field(refused), "volunteers");

    // Bad profiles are refused with their field.
    for (input, expected) in [
        (profile("不存在镇", "1"), "township"),
        (profile("温溪镇", "0"), "capacity"),
        (profile("温溪镇", "11"), "capacity"),
        (
            VolunteerInput {
                languages: vec!["klingon".into()],
                ..profile("温溪镇", "1")
            },
            "languages",
        ),
    ] {
        let e = app
            .save_volunteer_profile(&caller(&volunteer, T0), &input)
            .await
            .expect_err("refused");
        assert_eq!(field(e), expected);
    }
    app.save_volunteer_profile(&caller(&volunteer, T0), &profile("温溪镇", "1"))
        .await
        .expect("saved");
    app.save_volunteer_profile(&caller(&coordinator, T0), &profile("鹤城街道", "1"))
        .await
        .expect("saved");

    // The proposal pairs each child with the volunteer nearest her.
    let proposal = app
        .propose_pairings(&caller(&coordinator, T0))
        .await
        .expect("proposal");
    let proposed = |child: &str| {
        proposal
            .pairs
            .iter()
            .find(|p| p.child_id == child)
            .and_then(|p| p.volunteer_id.clone())
            .expect("paired")
    };
    assert_eq!(proposed(&near_volunteer), volunteer.actor.user_id);
    assert_eq!(proposed(&near_coordinator), coordinator.actor.user_id);
    assert!(!proposal.pairs[0].child_name.is_empty());

    // Bad confirmations write nothing.
    let pair = |c: &str, v: &str| PairChoice {
        child: c.to_owned(),
        volunteer: v.to_owned(),
        replaces: String::new(),
    };
    for pairs in [
        vec![],
        vec![pair(&near_volunteer, "u-nobody")],
        vec![pair("ch-nobody", &volunteer.actor.user_id)],
        vec![
            pair(&near_volunteer, &volunteer.actor.user_id),
            pair(&near_volunteer, &coordinator.actor.user_id),
        ],
        // Both with the volunteer, who takes one.
        vec![
            pair(&near_volunteer, &volunteer.actor.user_id),
            pair(&near_coordinator, &volunteer.actor.user_id),
        ],
    ] {
        let e = app
            .confirm_pairings(&caller(&coordinator, T0), &pairs)
            .await
            .expect_err("refused");
        assert_eq!(field(e), "pairs");
    }
    assert!(
        app.pairings_in_force(&caller(&coordinator, T0))
            .await
            .expect("board")
            .is_empty()
    );

    // The coordinator adjusts the proposal (swaps them) and confirms.
    let confirmed = app
        .confirm_pairings(
            &caller(&coordinator, T0),
            &[
                pair(&near_volunteer, &coordinator.actor.user_id),
                pair(&near_coordinator, &volunteer.actor.user_id),
            ],
        )
        .await
        .expect("confirmed");
    assert_eq!(confirmed, 2);
    let waiting = app
        .propose_pairings(&caller(&coordinator, T0))
        .await
        .expect_err("nobody waits");
    assert_eq!(field(waiting), "children");

    // A volunteer cannot go below the children she has.
    let e = app
        .save_volunteer_profile(&caller(&volunteer, T0), &profile("温溪镇", "0"))
        .await
        .expect_err("refused");
    assert_eq!(field(e), "capacity");

    // Re-pairing names the pairing it replaces: without it (a form made before she was paired)
    // it is a conflict; to her own proxy parent is refused; to a full volunteer is refused; once
    // the volunteer has room, the old pairing ends and stays in the history.
    let current = app
        .care_child(&caller(&coordinator, T0 + 1), &near_volunteer)
        .await
        .expect("record")
        .proxy_parent()
        .map(|p| p.row.id.clone())
        .expect("paired");
    let repair = |c: &str, v: &str| PairChoice {
        replaces: current.clone(),
        ..pair(c, v)
    };
    let stale = app
        .confirm_pairings(
            &caller(&coordinator, T0 + 1),
            &[pair(&near_volunteer, &volunteer.actor.user_id)],
        )
        .await
        .expect_err("she is paired already");
    assert!(matches!(
        stale,
        AppError::Store(StoreError::Conflict { .. })
    ));
    let again = app
        .confirm_pairings(
            &caller(&coordinator, T0 + 1),
            &[repair(&near_volunteer, &coordinator.actor.user_id)],
        )
        .await
        .expect_err("already hers");
    assert_eq!(field(again), "pairs");
    let full = app
        .confirm_pairings(
            &caller(&coordinator, T0 + 1),
            &[repair(&near_volunteer, &volunteer.actor.user_id)],
        )
        .await
        .expect_err("full");
    assert_eq!(field(full), "pairs");
    app.save_volunteer_profile(&caller(&volunteer, T0 + 1), &profile("温溪镇", "2"))
        .await
        .expect("raised");
    app.confirm_pairings(
        &caller(&coordinator, T0 + 2),
        &[repair(&near_volunteer, &volunteer.actor.user_id)],
    )
    .await
    .expect("re-paired");
    let replayed = app
        .confirm_pairings(
            &caller(&coordinator, T0 + 2),
            &[repair(&near_volunteer, &coordinator.actor.user_id)],
        )
        .await
        .expect_err("the pairing it replaces has ended");
    assert!(matches!(
        replayed,
        AppError::Store(StoreError::Conflict { .. })
    ));
    let record = app
        .care_child(&caller(&coordinator, T0 + 3), &near_volunteer)
        .await
        .expect("record");
    assert_eq!(record.pairings.len(), 2, "the history is kept");
    assert_eq!(
        record.proxy_parent().map(|p| p.row.volunteer_id.as_str()),
        Some(volunteer.actor.user_id.as_str())
    );
    assert_eq!(record.pairings[1].row.ended_at, Some(T0 + 2));
    let volunteers = app
        .care_volunteers(&caller(&coordinator, T0 + 3))
        .await
        .expect("volunteers");
    let load = |id: &str| volunteers.iter().find(|v| v.user_id == id).map(|v| v.load);
    assert_eq!(load(&volunteer.actor.user_id), Some(2));
    assert_eq!(load(&coordinator.actor.user_id), Some(0));

    // Other roles are refused and the refusal audited.
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    assert!(matches!(
        app.propose_pairings(&caller(&officer, T0)).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.confirm_pairings(
            &caller(&officer, T0),
            &[pair(&near_volunteer, &coordinator.actor.user_id)]
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_child_without_a_visit_is_flagged_and_told_once_per_spell() {
    let (app, store) = demo_app_with(Config {
        care_alert_days: 30,
        ..Config::default()
    })
    .await;
    let coordinator = session(&app, "care@qiaoyi.example", T0).await;
    let volunteer = session(&app, "volunteer@qiaoyi.example", T0).await;
    let id = app
        .record_child(&caller(&coordinator, T0), &child("叶一", "温溪镇", None))
        .await
        .expect("recorded")
        .id;
    app.save_volunteer_profile(&caller(&volunteer, T0), &profile("温溪镇", "3"))
        .await
        .expect("saved");
    app.confirm_pairings(
        &caller(&coordinator, T0),
        &[PairChoice {
            child: id.clone(),
            volunteer: volunteer.actor.user_id.clone(),
            replaces: String::new(),
        }],
    )
    .await
    .expect("paired");

    let alerts = || async {
        let mut conn = sqlx::AnyConnection::connect(store.url.expose())
            .await
            .expect("raw connection");
        sqlx::query("SELECT recipient, params FROM outbox WHERE template = 'care-visit-overdue'")
            .fetch_all(&mut conn)
            .await
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    r.try_get::<String, _>("recipient").expect("recipient"),
                    r.try_get::<String, _>("params").expect("params"),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(app.queue_care_alerts(T0 + 30 * DAY).await.expect("run"), 0);
    let board = app
        .pairings_in_force(&caller(&coordinator, T0 + 30 * DAY))
        .await
        .expect("board");
    assert!(!board[0].overdue, "30 days is not yet overdue");

    let day31 = T0 + 31 * DAY;
    assert_eq!(app.queue_care_alerts(day31).await.expect("run"), 2);
    let sent = alerts().await;
    let mut recipients: Vec<&str> = sent.iter().map(|(r, _)| r.as_str()).collect();
    recipients.sort_unstable();
    assert_eq!(
        recipients,
        ["care@qiaoyi.example", "volunteer@qiaoyi.example"],
        "the proxy parent and the coordinator who paired them"
    );
    assert!(
        sent.iter().all(|(_, p)| !p.contains("叶一")),
        "no child is named in a message"
    );
    assert_eq!(app.queue_care_alerts(day31 + DAY).await.expect("run"), 0);
    let board = app
        .pairings_in_force(&caller(&coordinator, day31))
        .await
        .expect("board");
    assert!(board[0].overdue);
    assert_eq!(board[0].row.alerted_at, Some(day31));

    // A visit ends the spell; the next one is told again.
    app.record_visit(
        &caller(&volunteer, day31 + DAY),
        &id,
        &VisitInput {
            date: qiaoyi_app::cases::beijing_today(day31 + DAY).to_string(),
            topics: vec!["safety".into()],
            notes: String::new(),
            follow_up: false,
        },
    )
    .await
    .expect("visited");
    let board = app
        .pairings_in_force(&caller(&coordinator, day31 + DAY))
        .await
        .expect("board");
    assert!(!board[0].overdue);
    assert_eq!(
        app.queue_care_alerts(day31 + 20 * DAY).await.expect("run"),
        0
    );
    assert_eq!(
        app.queue_care_alerts(day31 + 33 * DAY).await.expect("run"),
        2
    );
    assert_eq!(alerts().await.len(), 4);
}

#[tokio::test]
async fn wishes_move_forward_once_and_activities_count_who_came() {
    let (app, _store) = app().await;
    let care = session(&app, "care@qiaoyi.example", T0).await;
    let volunteer = session(&app, "volunteer@qiaoyi.example", T0).await;
    let renzhuang = app
        .record_child(&caller(&care, T0), &child("季一", "仁庄镇", None))
        .await
        .expect("recorded")
        .id;
    let wenxi = app
        .record_child(&caller(&care, T0), &child("叶一", "温溪镇", None))
        .await
        .expect("recorded")
        .id;

    // Wishes.
    for bad in ["", &"书".repeat(201)] {
        let e = app
            .record_wish(&caller(&care, T0), &renzhuang, bad)
            .await
            .expect_err("refused");
        assert_eq!(field(e), "wish");
    }
    let wish = app
        .record_wish(&caller(&care, T0), &renzhuang, "一套绘本")
        .await
        .expect("recorded");
    let open = app
        .care_wishes(&caller(&care, T0), "open", 0, 20)
        .await
        .expect("board");
    assert_eq!((open.total, open.items[0].township.as_str()), (1, "仁庄镇"));
    let e = app
        .advance_wish(
            &caller(&care, T0),
            &wish.id,
            &WishStep {
                to: "fulfilled",
                donor: "",
                note: "",
            },
        )
        .await
        .expect_err("an open wish is taken first");
    assert!(matches!(e, AppError::Store(StoreError::Conflict { .. })));
    let taken = app
        .advance_wish(
            &caller(&care, T0),
            &wish.id,
            &WishStep {
                to: "taken",
                donor: "青田华侨商会",
                note: "",
            },
        )
        .await
        .expect("taken by a donor");
    assert_eq!(
        (taken.state.as_str(), taken.donor.as_str()),
        ("taken", "青田华侨商会")
    );
    let twice = app
        .advance_wish(
            &caller(&care, T0),
            &wish.id,
            &WishStep {
                to: "taken",
                donor: "",
                note: "",
            },
        )
        .await
        .expect_err("the same form sent twice");
    assert!(matches!(
        twice,
        AppError::Store(StoreError::Conflict { .. })
    ));
    let e = app
        .advance_wish(
            &caller(&care, T0),
            &wish.id,
            &WishStep {
                to: "fulfilled",
                donor: "",
                note: &"字".repeat(201),
            },
        )
        .await
        .expect_err("note too long");
    assert_eq!(field(e), "note");
    let done = app
        .advance_wish(
            &caller(&care, T0),
            &wish.id,
            &WishStep {
                to: "fulfilled",
                donor: "",
                note: "六一前送到",
            },
        )
        .await
        .expect("fulfilled");
    assert_eq!(
        (done.state.as_str(), done.note.as_str()),
        ("fulfilled", "六一前送到")
    );
    let e = app
        .care_wishes(&caller(&care, T0), "granted", 0, 20)
        .await
        .expect_err("unknown state");
    assert_eq!(field(e), "state");

    // Activities.
    for (input, expected) in [
        (ActivityInput::default(), "theme"),
        (
            ActivityInput {
                theme: "读书会".into(),
                date: "next week".into(),
                ..ActivityInput::default()
            },
            "date",
        ),
        (
            ActivityInput {
                theme: "读书会".into(),
                date: "2026-06-01".into(),
                township: "不存在镇".into(),
                place: "礼堂".into(),
                organisers: "派出所".into(),
            },
            "township",
        ),
    ] {
        let e = app
            .record_activity(&caller(&care, T0), &input)
            .await
            .expect_err("refused");
        assert_eq!(field(e), expected);
    }
    let activity = app
        .record_activity(
            &caller(&care, T0),
            &ActivityInput {
                theme: "读书会".into(),
                date: "2026-06-01".into(),
                township: "仁庄镇".into(),
                place: "仁庄镇文化礼堂".into(),
                organisers: "仁庄派出所".into(),
            },
        )
        .await
        .expect("recorded");
    app.save_volunteer_profile(&caller(&volunteer, T0), &profile("仁庄镇", "2"))
        .await
        .expect("saved");
    let page = app
        .care_activity(&caller(&care, T0), &activity.id)
        .await
        .expect("activity");
    assert_eq!(
        page.children.len(),
        1,
        "only the township's children are listed"
    );
    let e = app
        .record_attendance(
            &caller(&care, T0),
            &activity.id,
            std::slice::from_ref(&wenxi),
            &[],
        )
        .await
        .expect_err("another township's child");
    assert_eq!(field(e), "children");
    let done = app
        .record_attendance(
            &caller(&care, T0),
            &activity.id,
            &[renzhuang.clone(), renzhuang.clone()],
            std::slice::from_ref(&volunteer.actor.user_id),
        )
        .await
        .expect("recorded");
    assert_eq!((done.row.children, done.row.volunteers), (1, 1));
    let record = app
        .care_child(&caller(&care, T0), &renzhuang)
        .await
        .expect("record");
    assert_eq!(record.activities.len(), 1);
    assert_eq!(record.wishes.len(), 1);

    let station = session(&app, "station.rome@qiaoyi.example", T0).await;
    assert!(matches!(
        app.care_wishes(&caller(&station, T0), "", 0, 20).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.care_activity(&caller(&station, T0), &activity.id).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_parent_writes_to_her_own_childs_proxy_parent_only() {
    let (app, store) = app().await;
    let care = session(&app, "care@qiaoyi.example", T0).await;
    let volunteer = session(&app, "volunteer@qiaoyi.example", T0).await;
    let parent = session(&app, "applicant@qiaoyi.example", T0).await;
    let other = session(&app, "mother@qiaoyi.example", T0).await;
    let id = app
        .record_child(
            &caller(&care, T0),
            &child("季一", "仁庄镇", Some("applicant@qiaoyi.example")),
        )
        .await
        .expect("recorded")
        .id;

    let e = app
        .send_care_message(&caller(&parent, T0), &id, "您好")
        .await
        .expect_err("no proxy parent yet");
    assert_eq!(field(e), "message");
    app.save_volunteer_profile(&caller(&volunteer, T0), &profile("仁庄镇", "2"))
        .await
        .expect("saved");
    app.confirm_pairings(
        &caller(&care, T0),
        &[PairChoice {
            child: id.clone(),
            volunteer: volunteer.actor.user_id.clone(),
            replaces: String::new(),
        }],
    )
    .await
    .expect("paired");
    for bad in ["  ", &"字".repeat(1_001)] {
        let e = app
            .send_care_message(&caller(&parent, T0), &id, bad)
            .await
            .expect_err("refused");
        assert_eq!(field(e), "message");
    }
    let sent = app
        .send_care_message(&caller(&parent, T0), &id, "谢谢您照顾小雨")
        .await
        .expect("sent");
    assert_eq!(sent.to, "叶警官");

    // Someone else's child is refused, and the attempt audited.
    for s in [&other, &care] {
        assert!(matches!(
            app.send_care_message(&caller(s, T0), &id, "您好").await,
            Err(AppError::Forbidden(_))
        ));
    }
    let denied = store
        .audit_search(
            &qiaoyi_app::AuditFilter {
                action: "follow_own_child".into(),
                ..Default::default()
            },
            0,
            100,
        )
        .await
        .expect("audit");
    assert_eq!(
        denied
            .items
            .iter()
            .filter(|a| a.outcome == "denied")
            .count(),
        2
    );

    // The message is sealed at rest, told to the proxy parent, and read on the child's record.
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw connection");
    let raw: String = sqlx::query("SELECT body_sealed FROM care_messages")
        .fetch_one(&mut conn)
        .await
        .expect("row")
        .try_get("body_sealed")
        .expect("column");
    assert!(!raw.contains("小雨"));
    let told: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM outbox WHERE template = 'care-message' AND recipient = 'volunteer@qiaoyi.example'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("row")
    .try_get("n")
    .expect("n");
    assert_eq!(told, 1);
    // The coordinator who paired them hears of it too, in words of her own.
    let coordinator_told: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM outbox WHERE template = 'care-message-coordinator' AND recipient = 'care@qiaoyi.example'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("row")
    .try_get("n")
    .expect("n");
    assert_eq!(coordinator_told, 1);
    let record = app
        .care_child(&caller(&volunteer, T0), &id)
        .await
        .expect("record");
    assert_eq!(record.messages[0].body, "谢谢您照顾小雨");

    // The parent sees her child's proxy parent and the message, not the pairing history.
    let mine = app.my_children(&caller(&parent, T0)).await.expect("mine");
    assert_eq!(
        mine[0]
            .proxy_parent()
            .map(|p| p.row.volunteer_name.as_str()),
        Some("叶警官")
    );
    assert_eq!(mine[0].messages.len(), 1);

    // Ten messages a day about one child; the eleventh waits for the next day.
    for n in 2..=10 {
        app.send_care_message(&caller(&parent, T0 + n), &id, &format!("第{n}条"))
            .await
            .expect("sent");
    }
    let e = app
        .send_care_message(&caller(&parent, T0 + 11), &id, "第11条")
        .await
        .expect_err("too many today");
    assert_eq!(field(e), "message");
    app.send_care_message(&caller(&parent, T0 + 86_400_001), &id, "第二天")
        .await
        .expect("the next day");

    // Two parents of one child each see their own messages only, and not who paired them.
    let mut both = child("季二", "仁庄镇", Some("applicant@qiaoyi.example"));
    both.parents.push(qiaoyi_app::care::ParentInput {
        email: "mother@qiaoyi.example".into(),
        country: "CN".into(),
    });
    let second = app
        .record_child(&caller(&care, T0), &both)
        .await
        .expect("recorded")
        .id;
    app.confirm_pairings(
        &caller(&care, T0),
        &[PairChoice {
            child: second.clone(),
            volunteer: volunteer.actor.user_id.clone(),
            replaces: String::new(),
        }],
    )
    .await
    .expect("paired");
    app.send_care_message(&caller(&other, T0), &second, "外婆的话")
        .await
        .expect("the other parent writes");
    let mine = app.my_children(&caller(&parent, T0)).await.expect("mine");
    let seen = mine
        .iter()
        .find(|c| c.id == second)
        .expect("her second child");
    assert!(seen.messages.is_empty(), "not the other parent's message");
    assert_eq!(
        seen.proxy_parent().map(|p| p.row.paired_by.as_str()),
        Some("")
    );
    let theirs = app.my_children(&caller(&other, T0)).await.expect("theirs");
    assert_eq!(theirs[0].messages.len(), 1);
}

#[tokio::test]
async fn two_coordinators_pairing_one_child_at_once_make_one_pairing() {
    let (app, _store) = app().await;
    let care = session(&app, "care@qiaoyi.example", T0).await;
    // A second coordinator, given at the command line.
    app.create_account(
        &common::anonymous(T0),
        qiaoyi_app::accounts::AccountRequest {
            email: "care2@qiaoyi.example",
            display_name: "Second coordinator",
            password: qiaoyi_app::demo::DEMO_PASSWORD,
            grants: vec![qiaoyi_app::domain::access::Grant::CareCoordinator(
                qiaoyi_app::domain::access::CareArea::County,
            )],
            language: qiaoyi_app::domain::lang::Lang::Zh,
            confirmed: true,
            totp_secret: Some(qiaoyi_app::demo::DEMO_TOTP_SECRET.into()),
        },
    )
    .await
    .expect("second coordinator");
    let volunteer = session(&app, "care2@qiaoyi.example", T0).await;
    let id = app
        .record_child(&caller(&care, T0), &child("叶一", "温溪镇", None))
        .await
        .expect("recorded")
        .id;
    for s in [&care, &volunteer] {
        app.save_volunteer_profile(&caller(s, T0), &profile("温溪镇", "1"))
            .await
            .expect("saved");
    }
    let choose = |v: &str| {
        [PairChoice {
            child: id.clone(),
            volunteer: v.to_owned(),
            replaces: String::new(),
        }]
    };
    let (a, b) = (
        choose(&care.actor.user_id),
        choose(&volunteer.actor.user_id),
    );
    let (by_care, by_volunteer) = (caller(&care, T0), caller(&volunteer, T0));
    let (first, second) = tokio::join!(
        app.confirm_pairings(&by_care, &a),
        app.confirm_pairings(&by_volunteer, &b),
    );
    let outcomes = [first, second];
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Err(AppError::Store(StoreError::Conflict { .. })))),
        "the other is told someone changed it: {outcomes:?}"
    );
    let record = app
        .care_child(&caller(&care, T0), &id)
        .await
        .expect("record");
    assert_eq!(record.pairings.len(), 1);
}
