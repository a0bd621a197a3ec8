//! The care programme through the use cases, on whichever database the test store gives: a care
//! worker records a child with consent (names sealed at rest), bad input is refused with its field,
//! officers, stations and applicants who are not the parent are refused and the attempt audited,
//! every read is audited, visits are checked and sealed, and a parent sees only her own child and
//! its visits.

use crate::common;

use common::{T0, anonymous, caller, demo_app as app, session};
use qiaoyi_app::AppError;
use qiaoyi_app::care::{ChildRequest, ParentInput, VisitInput};
use sqlx::{Connection, Row};

fn daughter() -> ChildRequest {
    ChildRequest {
        name: "季小雨".into(),
        birth_date: "2017-03-09".into(),
        township: "仁庄镇".into(),
        village: "仁庄村".into(),
        school: "仁庄镇中心小学".into(),
        guardian: "陈秀英（外婆）".into(),
        languages: vec!["qingtian".into(), "italian".into()],
        consent_version: "1".into(),
        consent_by: "季美华".into(),
        consent_relation: "parent".into(),
        photo_allowed: false,
        parents: vec![ParentInput {
            email: "applicant@qiaoyi.example".into(),
            country: "it".into(),
        }],
    }
}

#[tokio::test]
async fn a_care_worker_records_a_child_with_consent_and_only_care_roles_read_it() {
    let (app, store) = app().await;
    let care = session(&app, "care@qiaoyi.example", T0).await;
    let child = app
        .record_child(&caller(&care, T0), &daughter())
        .await
        .expect("recorded");
    assert_eq!((child.age, child.parents.len()), (9, 1));
    assert_eq!(child.parents[0].country, "IT");
    assert_eq!(child.languages, vec!["qingtian", "italian"]);

    // The name, village, guardian and who consented are sealed at rest.
    let mut conn = sqlx::AnyConnection::connect(store.url.expose())
        .await
        .expect("raw connection");
    let raw = sqlx::query("SELECT * FROM care_children WHERE id = $1")
        .bind(&child.id)
        .fetch_one(&mut conn)
        .await
        .expect("row");
    for column in [
        "name_sealed",
        "village_sealed",
        "guardian_sealed",
        "consent_by_sealed",
    ] {
        let value: String = raw.try_get(column).expect(column);
        assert!(
            !value.contains("季") && !value.contains("仁庄村") && !value.contains("陈秀英"),
            "{column} is sealed"
        );
    }
    let read = app
        .care_child(&caller(&care, T0), &child.id)
        .await
        .expect("read");
    assert_eq!(
        (read.name.as_str(), read.guardian.as_str()),
        ("季小雨", "陈秀英（外婆）")
    );
    let listed = app
        .care_children(&caller(&care, T0), "仁庄镇", 0, 20)
        .await
        .expect("list");
    assert_eq!(listed.total, 1);
    assert_eq!(
        app.care_children(&caller(&care, T0), "温溪镇", 0, 20)
            .await
            .expect("list")
            .total,
        0
    );

    // An officer, a station and an applicant who is not the parent are refused, each audited.
    for email in [
        "officer@qiaoyi.example",
        "station.rome@qiaoyi.example",
        "mother@qiaoyi.example",
        "consultant@qiaoyi.example",
    ] {
        let who = session(&app, email, T0).await;
        let refused = app.care_child(&caller(&who, T0), &child.id).await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{email}: {refused:?}"
        );
        let listing = app.care_children(&caller(&who, T0), "", 0, 20).await;
        assert!(
            matches!(listing, Err(AppError::Forbidden(_))),
            "{email}: {listing:?}"
        );
    }
    let mut denied = 0;
    for action in ["care_for_child", "serve_in_care"] {
        let log = store
            .audit_search(
                &qiaoyi_app::AuditFilter {
                    action: action.into(),
                    ..Default::default()
                },
                0,
                100,
            )
            .await
            .expect("audit");
        denied += log.items.iter().filter(|a| a.outcome == "denied").count();
    }
    assert_eq!(denied, 8, "every refusal is audited");
    let reads = store
        .audit_search(
            &qiaoyi_app::AuditFilter {
                action: "care_child_read".into(),
                ..Default::default()
            },
            0,
            100,
        )
        .await
        .expect("audit");
    assert_eq!(reads.total, 1, "the read is audited");
    assert_eq!(reads.items[0].subject_id, child.id);
    assert!(matches!(
        app.care_child(&anonymous(T0), &child.id).await,
        Err(AppError::Unauthenticated)
    ));
    assert!(matches!(
        app.care_child(&caller(&care, T0), "ch-none").await,
        Err(AppError::NotFound(_))
    ));

    // A home visit: checked, its notes sealed, shown on the record.
    let visit = |date: &str, topics: &[&str]| VisitInput {
        date: date.into(),
        topics: topics.iter().map(|t| (*t).to_owned()).collect(),
        notes: "作业按时完成，外婆身体好".into(),
        follow_up: true,
    };
    for (input, field) in [
        (visit("2026-05-29", &["study"]), "date"),
        (visit("2017-03-08", &["study"]), "date"),
        (visit("2026-05-20", &[]), "topics"),
        (visit("2026-05-20", &["fun"]), "topics"),
        (visit("20.05.2026", &["study"]), "date"),
    ] {
        let refused = app
            .record_visit(&caller(&care, T0), &child.id, &input)
            .await;
        assert!(
            matches!(refused, Err(AppError::Invalid { field: f, .. }) if f == field),
            "{field}: {refused:?}"
        );
    }
    app.record_visit(
        &caller(&care, T0),
        &child.id,
        &visit("2026-05-20", &["study", "health"]),
    )
    .await
    .expect("visit");
    let leader = session(&app, "duty@qiaoyi.example", T0).await;
    let refused = app
        .record_visit(
            &caller(&leader, T0),
            &child.id,
            &visit("2026-05-20", &["study"]),
        )
        .await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    let notes: String = sqlx::query_scalar("SELECT notes_sealed FROM care_visits")
        .fetch_one(&mut conn)
        .await
        .expect("visit row");
    assert!(!notes.contains("作业"), "the notes are sealed");
    let read = app
        .care_child(&caller(&care, T0), &child.id)
        .await
        .expect("read");
    assert_eq!(read.visits.len(), 1);
    assert_eq!(read.visits[0].notes, "作业按时完成，外婆身体好");
    assert_eq!(read.visits[0].volunteer, "警察妈妈");

    // The parent sees her own child; another applicant sees none; staff cannot use the parent view.
    let parent = session(&app, "applicant@qiaoyi.example", T0).await;
    let mine = app.my_children(&caller(&parent, T0)).await.expect("mine");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name, "季小雨");
    assert!(
        mine[0].parents.is_empty(),
        "the parent view lists no accounts"
    );
    let other = session(&app, "mother@qiaoyi.example", T0).await;
    assert!(
        app.my_children(&caller(&other, T0))
            .await
            .expect("none")
            .is_empty()
    );
    let refused = app.my_children(&caller(&care, T0)).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    app.verify_audit(None, &|_| {})
        .await
        .expect("verify")
        .expect("chain intact");
}

#[tokio::test]
async fn bad_records_are_refused_with_their_field_and_nothing_is_written() {
    let (app, store) = app().await;
    let care = session(&app, "care@qiaoyi.example", T0).await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let refused = app.record_child(&caller(&officer, T0), &daughter()).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    let cases: Vec<(ChildRequest, &str)> = vec![
        (
            ChildRequest {
                birth_date: "2008-05-27".into(),
                ..daughter()
            },
            "birth_date",
        ),
        (
            ChildRequest {
                birth_date: "2027-01-01".into(),
                ..daughter()
            },
            "birth_date",
        ),
        (
            ChildRequest {
                name: "".into(),
                ..daughter()
            },
            "name",
        ),
        (
            ChildRequest {
                township: "罗马".into(),
                ..daughter()
            },
            "township",
        ),
        (
            ChildRequest {
                village: "村".repeat(61),
                ..daughter()
            },
            "village",
        ),
        (
            ChildRequest {
                guardian: " ".into(),
                ..daughter()
            },
            "guardian",
        ),
        (
            ChildRequest {
                languages: vec!["klingon".into()],
                ..daughter()
            },
            "languages",
        ),
        (
            ChildRequest {
                languages: vec![],
                ..daughter()
            },
            "languages",
        ),
        (
            ChildRequest {
                consent_version: "0".into(),
                ..daughter()
            },
            "consent",
        ),
        (
            ChildRequest {
                consent_by: "".into(),
                ..daughter()
            },
            "consent",
        ),
        (
            ChildRequest {
                consent_relation: "neighbour".into(),
                ..daughter()
            },
            "consent",
        ),
        (
            ChildRequest {
                parents: vec![ParentInput {
                    email: "nobody@qiaoyi.example".into(),
                    country: "IT".into(),
                }],
                ..daughter()
            },
            "parents",
        ),
        (
            ChildRequest {
                parents: vec![ParentInput {
                    email: "applicant@qiaoyi.example".into(),
                    country: "Italy".into(),
                }],
                ..daughter()
            },
            "parents",
        ),
    ];
    for (request, field) in cases {
        let refused = app.record_child(&caller(&care, T0), &request).await;
        assert!(
            matches!(refused, Err(AppError::Invalid { field: f, .. }) if f == field),
            "{field}: {refused:?}"
        );
    }
    assert_eq!(
        store
            .children("", "", None, 0, 10)
            .await
            .expect("children")
            .total,
        0
    );
}

#[tokio::test]
async fn a_volunteer_reaches_only_the_children_she_is_paired_with_and_loses_one_re_paired_away() {
    use qiaoyi_app::care_pairing::PairChoice;
    let (app, _s) = app().await;
    app.seed_demo_care(T0)
        .await
        .expect("the demo's children and pairings");
    let care = session(&app, "care@qiaoyi.example", T0).await;
    let volunteer = session(&app, "volunteer@qiaoyi.example", T0).await;
    let v = caller(&volunteer, T0);
    let c = caller(&care, T0);
    let pairings = app.my_proxy_children(&v).await.expect("her pairings");
    let hers: std::collections::BTreeSet<String> =
        pairings.iter().map(|p| p.row.child_id.clone()).collect();
    assert!(!hers.is_empty(), "the demo pairs her with a child");
    let listed: std::collections::BTreeSet<String> = app
        .care_children(&v, "", 0, 50)
        .await
        .expect("her list")
        .items
        .into_iter()
        .map(|child| child.id)
        .collect();
    assert_eq!(listed, hers, "her list is her children");
    let mut other = daughter();
    other.name = "叶晨光".into();
    other.parents = Vec::new();
    let other = app.record_child(&c, &other).await.expect("recorded").id;

    // Another child, and the programme as a whole, are refused to her.
    let forbidden = |result: Result<(), AppError>, what: &str| {
        assert!(
            matches!(result, Err(AppError::Forbidden(_))),
            "{what}: {result:?}"
        );
    };
    forbidden(
        app.care_child(&v, &other).await.map(|_| ()),
        "another child",
    );
    let visit = VisitInput {
        date: "2026-05-20".into(),
        topics: vec!["wellbeing".into()],
        notes: String::new(),
        follow_up: false,
    };
    forbidden(
        app.record_visit(&v, &other, &visit).await.map(|_| ()),
        "a visit",
    );
    forbidden(
        app.record_wish(&v, &other, "一本字典").await.map(|_| ()),
        "a wish",
    );
    forbidden(
        app.record_child(&v, &daughter()).await.map(|_| ()),
        "recording",
    );
    forbidden(
        app.care_wishes(&v, "", 0, 20).await.map(|_| ()),
        "the wish board",
    );
    forbidden(
        app.pairings_in_force(&v).await.map(|_| ()),
        "the pairing board",
    );
    forbidden(app.propose_pairings(&v).await.map(|_| ()), "a proposal");
    forbidden(
        app.care_activities(&v, 0, 20).await.map(|_| ()),
        "activities",
    );
    // Her own child she reads and visits: the one with a parent abroad on her account.
    let mut mine = None;
    for pairing in &pairings {
        let child = app
            .care_child(&v, &pairing.row.child_id)
            .await
            .expect("hers");
        if !child.parents.is_empty() {
            mine = Some(pairing.row.clone());
        }
    }
    let mine = mine.expect("the demo's daughter is hers");
    app.record_visit(&v, &mine.child_id, &visit)
        .await
        .expect("visited");
    // Her mother, abroad, sees by name who read and visited her daughter.
    let mother = session(&app, "applicant@qiaoyi.example", T0).await;
    let log = app
        .who_read_my_file(&caller(&mother, T0), 0, 50)
        .await
        .expect("log");
    let read = log
        .items
        .iter()
        .find(|a| a.action == "care_child_read")
        .expect("her child's record read");
    assert_eq!(
        (read.reader_name.as_str(), read.role.as_str()),
        ("叶警官", "care_volunteer")
    );
    assert!(
        log.items
            .iter()
            .any(|a| a.action == "care_visit_recorded" && a.reader_name == "叶警官")
    );

    // Re-paired to the coordinator: the volunteer loses her at once.
    app.confirm_pairings(
        &c,
        &[PairChoice {
            child: mine.child_id.clone(),
            volunteer: care.actor.user_id.clone(),
            replaces: mine.id.clone(),
        }],
    )
    .await
    .expect("re-paired");
    forbidden(
        app.care_child(&v, &mine.child_id).await.map(|_| ()),
        "re-paired away",
    );
    assert!(
        app.care_children(&v, "", 0, 50)
            .await
            .expect("her list")
            .items
            .iter()
            .all(|child| child.id != mine.child_id)
    );
    // What she wrote stays hers to read: the visit and the child's name, nothing else.
    let written = app
        .my_written_visits(&caller(&volunteer, T0 + 1))
        .await
        .expect("her visits");
    let kept = written
        .iter()
        .find(|w| w.child_id == mine.child_id && w.visit.date == "2026-05-20")
        .expect("the visit she wrote before re-pairing");
    assert!(!kept.paired_now, "no longer hers");
    assert!(!kept.child_name.is_empty());
    let log = app
        .who_read_my_file(&caller(&mother, T0 + 1), 0, 50)
        .await
        .expect("log");
    assert!(
        log.items
            .iter()
            .any(|a| a.action == "care_own_visits_read" && a.reader_name == "叶警官"),
        "her mother sees the visits read again"
    );

    // Every refusal is in the audit log against the child.
    let auditor = session(&app, "auditor@qiaoyi.example", T0).await;
    let refused = app
        .audit_log(
            &caller(&auditor, T0),
            &qiaoyi_app::AuditFilter {
                action: "care_for_child".into(),
                actor: volunteer.actor.user_id.clone(),
                ..Default::default()
            },
            0,
            50,
        )
        .await
        .expect("log");
    assert!(
        refused
            .items
            .iter()
            .all(|e| e.record.outcome == "denied" && e.record.subject_type == "child")
    );
    assert_eq!(refused.total, 4, "{:?}", refused.items);
}

#[tokio::test]
async fn a_township_coordinator_reaches_the_children_of_her_township_only() {
    use qiaoyi_app::care_board::ActivityInput;
    use qiaoyi_app::care_pairing::PairChoice;
    use qiaoyi_app::domain::access::Grant;
    use qiaoyi_app::role_requests::RoleDecision;
    let (app, _s) = app().await;
    let grant = |text: &str| Grant::parse_text(text).expect("a grant");
    let county = session(&app, "care@qiaoyi.example", T0).await;
    let c = caller(&county, T0);
    let renzhuang = app
        .record_child(&c, &daughter())
        .await
        .expect("recorded")
        .id;
    let mut other = daughter();
    other.name = "叶晨光".into();
    other.township = "腊口镇".into();
    other.parents = Vec::new();
    let lakou = app.record_child(&c, &other).await.expect("recorded").id;

    // The duty leader also coordinates care in 仁庄镇: a township the county has, approved by a
    // second administrator.
    let admin = session(&app, "admin@qiaoyi.example", T0).await;
    let duty = session(&app, "duty@qiaoyi.example", T0).await.actor.user_id;
    assert!(matches!(
        app.set_grants(
            &caller(&admin, T0),
            &duty,
            vec![grant("duty_leader"), grant("care_coordinator:火星镇")],
        )
        .await,
        Err(AppError::Invalid { field: "roles", .. })
    ));
    let asked = app
        .set_grants(
            &caller(&admin, T0),
            &duty,
            vec![grant("duty_leader"), grant("care_coordinator:仁庄镇")],
        )
        .await
        .expect("asked");
    let deputy = session(&app, "deputy.admin@qiaoyi.example", T0).await;
    app.decide_role_request(
        &caller(&deputy, T0),
        &asked.awaiting.expect("waits").id,
        RoleDecision::Approve,
    )
    .await
    .expect("approved");
    let scoped = session(&app, "duty@qiaoyi.example", T0 + 31_000).await;
    let d = caller(&scoped, T0 + 31_000);

    let listed = app.care_children(&d, "", 0, 50).await.expect("her list");
    assert_eq!(
        listed
            .items
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        vec![renzhuang.as_str()]
    );
    assert_eq!(listed.total, 1);
    app.care_child(&d, &renzhuang)
        .await
        .expect("her township's child");
    let forbidden = |result: Result<(), AppError>, what: &str| {
        assert!(
            matches!(result, Err(AppError::Forbidden(_))),
            "{what}: {result:?}"
        );
    };
    forbidden(
        app.care_child(&d, &lakou).await.map(|_| ()),
        "another township's child",
    );
    forbidden(
        app.record_child(&d, &other).await.map(|_| ()),
        "recording in another township",
    );
    forbidden(
        app.set_preferred_volunteer(&d, &lakou, "").await,
        "another township's family's wish",
    );
    forbidden(
        app.record_wish(&d, &lakou, "一本字典").await.map(|_| ()),
        "another township's wish",
    );
    forbidden(
        app.record_activity(
            &d,
            &ActivityInput {
                theme: "读书会".into(),
                date: "2026-05-20".into(),
                township: "腊口镇".into(),
                place: "腊口镇文化站".into(),
                organisers: "腊口镇".into(),
            },
        )
        .await
        .map(|_| ()),
        "an activity in another township",
    );
    let volunteer = session(&app, "volunteer@qiaoyi.example", T0).await;
    app.save_volunteer_profile(
        &caller(&volunteer, T0),
        &qiaoyi_app::care_pairing::VolunteerInput {
            township: "仁庄镇".into(),
            languages: vec!["qingtian".into()],
            capacity: "3".into(),
            availability: String::new(),
        },
    )
    .await
    .expect("a volunteer");
    let proposal = app.propose_pairings(&d).await.expect("her proposal");
    assert_eq!(
        proposal
            .pairs
            .iter()
            .map(|p| p.child_id.as_str())
            .collect::<Vec<_>>(),
        vec![renzhuang.as_str()],
        "only her township's children wait on her proposal"
    );
    forbidden(
        app.confirm_pairings(
            &d,
            &[PairChoice {
                child: lakou.clone(),
                volunteer: volunteer.actor.user_id.clone(),
                replaces: String::new(),
            }],
        )
        .await
        .map(|_| ()),
        "pairing another township's child",
    );
    app.confirm_pairings(
        &c,
        &[PairChoice {
            child: lakou.clone(),
            volunteer: volunteer.actor.user_id.clone(),
            replaces: String::new(),
        }],
    )
    .await
    .expect("the county's coordinator pairs anyone");
    assert!(
        app.pairings_in_force(&d)
            .await
            .expect("her board")
            .iter()
            .all(|p| p.row.child_id != lakou),
        "her board shows her township only"
    );
    assert!(
        app.pairings_in_force(&c)
            .await
            .expect("the county's board")
            .iter()
            .any(|p| p.row.child_id == lakou)
    );
}
