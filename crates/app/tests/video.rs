//! Video-check slots through the use cases, on whichever database the test store gives: published
//! in Beijing time and shown in the booker's zone, one of two concurrent bookings wins, one booking
//! per case, reminders once a day before, cancelling, no-shows, and those who may not.

use crate::common;

use common::{T0, caller, demo_app as app, session};
use qiaoyi_app::accounts::CurrentSession;
use qiaoyi_app::cases::{Case, CaseRequest};
use qiaoyi_app::{App, AppError, StoreError};

const HOUR: i64 = 3_600_000;

/// A passport renewal sent to the bureau by `who`; `request` says for whom.
async fn submitted(app: &App, who: &CurrentSession, request: CaseRequest) -> Case {
    let request = CaseRequest {
        duplicate_ok: true,
        ..request
    };
    common::submitted(app, who, &request).await
}

#[tokio::test]
async fn slots_are_booked_once_shown_in_each_zone_reminded_and_given_back() {
    let (app, store) = app().await;
    let officer = session(&app, "officer@qiaoyi.example", T0).await;
    let applicant = session(&app, "applicant@qiaoyi.example", T0).await;
    let rome = session(&app, "station.rome@qiaoyi.example", T0).await;

    // Publishing: officers only, checked, never twice at one time.
    let refused = app
        .publish_slots(&caller(&applicant, T0), "2026-06-10", "16:00", 20)
        .await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    for (date, times, minutes, field) in [
        ("2026-13-01", "16:00", 20, "date"),
        ("2026-06-10", "4pm", 20, "times"),
        ("2026-06-10", "16:00", 5, "minutes"),
        ("2026-05-01", "16:00", 20, "date"),
    ] {
        let r = app
            .publish_slots(&caller(&officer, T0), date, times, minutes)
            .await;
        assert!(
            matches!(&r, Err(AppError::Invalid { field: f, .. }) if *f == field),
            "{date} {times} {minutes}: {r:?}"
        );
    }
    let n = app
        .publish_slots(&caller(&officer, T0), "2026-06-10", "16:00 16:30 17:00", 20)
        .await
        .expect("published");
    assert_eq!(n, 3);
    let again = app
        .publish_slots(&caller(&officer, T0), "2026-06-10", "16:30", 20)
        .await;
    assert!(
        matches!(again, Err(AppError::Store(StoreError::Conflict { .. }))),
        "{again:?}"
    );

    let herself = app
        .my_persons(&caller(&applicant, T0))
        .await
        .expect("persons")
        .into_iter()
        .find(|p| p.relation.as_str() == "self")
        .expect("herself");
    let mine = submitted(
        &app,
        &applicant,
        CaseRequest {
            item: "EE-01".into(),
            person: herself.id,
            delivery: "courier".into(),
            ..CaseRequest::default()
        },
    )
    .await;
    let walk_in = submitted(
        &app,
        &rome,
        CaseRequest {
            item: "EE-01".into(),
            person_name: "王建国".into(),
            person_name_latin: "WANG JIANGUO".into(),
            birth_date: "1975-11-30".into(),
            relation: "other".into(),
            delivery: "station".into(),
            ..CaseRequest::default()
        },
    )
    .await;

    // The applicant sees the slots in Rome's summer time beside Beijing's.
    let video = app
        .case_video(&caller(&applicant, T0), &mine, "Europe/Rome")
        .await
        .expect("video")
        .expect("EE-01 needs a video check");
    assert!(video.may_book);
    assert_eq!(video.open.len(), 3);
    assert_eq!(video.open[0].local, "2026-06-10 10:00 CEST");
    assert_eq!(video.open[0].beijing, "2026-06-10 16:00 CST");
    let first = video.open[0].row.id.clone();
    let second = video.open[1].row.id.clone();

    // Two bookings of one slot at once: exactly one wins.
    let (by_her, by_rome) = (caller(&applicant, T0), caller(&rome, T0));
    let (a, b) = tokio::join!(
        app.book_video_slot(&by_her, &mine.id, &first, "Europe/Rome"),
        app.book_video_slot(&by_rome, &walk_in.id, &first, ""),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let loser = if a.is_ok() { b } else { a };
    assert!(
        matches!(loser, Err(AppError::Store(StoreError::Conflict { .. }))),
        "{loser:?}"
    );
    // Whoever lost books the next slot; a case books one slot at a time.
    let (winner_case, loser_case, loser_session) = match app
        .case_video(&caller(&applicant, T0), &mine, "")
        .await
        .expect("video")
        .expect("video")
        .booked
    {
        Some(_) => (&mine, &walk_in, &rome),
        None => (&walk_in, &mine, &applicant),
    };
    app.book_video_slot(&caller(loser_session, T0), &loser_case.id, &second, "")
        .await
        .expect("the next slot");
    let twice = app
        .book_video_slot(
            &caller(loser_session, T0),
            &loser_case.id,
            &video.open[2].row.id,
            "",
        )
        .await;
    assert!(
        matches!(twice, Err(AppError::Store(StoreError::Conflict { .. }))),
        "{twice:?}"
    );
    // The station sees its booking in Rome's time without asking: the station's zone.
    let station_view = app
        .case_video(&caller(&rome, T0), &walk_in, "")
        .await
        .expect("video")
        .expect("video");
    assert_eq!(station_view.time_zone, "Europe/Rome");
    assert!(station_view.booked.expect("booked").local.ends_with("CEST"));

    // The applicant was told, and is reminded once within the last day.
    let booked_notices = store
        .pending_messages(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template == "video-booked")
        .count();
    assert!(booked_notices >= 1, "the applicant's booking is announced");
    let starts = app
        .case_video(&caller(&applicant, T0), &mine, "")
        .await
        .expect("video")
        .expect("video")
        .booked
        .expect("booked")
        .row
        .starts_at;
    let _ = winner_case;
    assert_eq!(
        app.queue_video_reminders(starts - 25 * HOUR)
            .await
            .expect("run"),
        0
    );
    assert!(
        app.queue_video_reminders(starts - 23 * HOUR)
            .await
            .expect("run")
            >= 1
    );
    assert_eq!(
        app.queue_video_reminders(starts - 22 * HOUR)
            .await
            .expect("run"),
        0
    );

    // Someone with nothing to do with the case cannot give the slot back; the applicant can.
    let madrid = session(&app, "station.madrid@qiaoyi.example", T0).await;
    let slot_id = app
        .case_video(&caller(&applicant, T0), &mine, "")
        .await
        .expect("video")
        .expect("video")
        .booked
        .expect("booked")
        .row
        .id;
    let r = app.cancel_video_slot(&caller(&madrid, T0), &slot_id).await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    // A no-show is marked only once the check has started.
    let r = app
        .mark_video_no_show(&caller(&officer, T0), &slot_id)
        .await;
    assert!(matches!(r, Err(AppError::Invalid { .. })), "{r:?}");
    app.cancel_video_slot(&caller(&applicant, T0), &slot_id)
        .await
        .expect("cancelled");
    let after = app
        .case_video(&caller(&applicant, T0), &mine, "")
        .await
        .expect("video")
        .expect("video");
    assert!(after.booked.is_none());
    assert!(
        after.open.iter().any(|s| s.row.id == slot_id),
        "the slot is open again"
    );
    // The walk-in's check: nobody came.
    let walk_in_slot = app
        .case_video(&caller(&rome, T0), &walk_in, "")
        .await
        .expect("video")
        .expect("video")
        .booked
        .expect("booked")
        .row;
    app.mark_video_no_show(
        &caller(&officer, walk_in_slot.starts_at + 60_000),
        &walk_in_slot.id,
    )
    .await
    .expect("no-show");
    let mine_after = app.my_slots(&caller(&officer, T0)).await.expect("slots");
    assert!(mine_after.iter().any(|s| s.row.state.as_str() == "no_show"));
}
