//! The video identity check through the pages, the API and the room's websocket: participants
//! added on the case page (bad input answered in the reader's language), "identity verified"
//! refused until they are confirmed, the officer recording in the room without leaving it, the
//! signalling between the officer and the applicant, strangers refused at the page, the API and
//! the socket, and moving a booking.

use crate::common;

use axum::http::StatusCode;
use common::{Browser, hidden_csrf, json, next_message, serve, server, socket};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

use crate::common::RENEWAL;

async fn step(b: &mut Browser, csrf: &str, id: &str, step: &str) -> common::Reply {
    let version = json(&b.get(&format!("/api/v1/cases/{id}")).await.body)["case"]["version"]
        .as_i64()
        .expect("version");
    b.post_json(
        &format!("/api/v1/cases/{id}/steps"),
        &format!(r#"{{"step":"{step}","version":{version}}}"#),
        Some(csrf),
    )
    .await
}

/// Publishes times starting in one and two minutes; returns their ids, soonest first.
async fn publish_soon(officer: &mut Browser, o: &str) -> (String, String) {
    let beijing = jiff::tz::TimeZone::get("Asia/Shanghai").expect("zone");
    let start = (officer.app.now_ms() / 60_000 + 2) * 60_000;
    let times: Vec<String> = [start, start + 60_000]
        .iter()
        .map(|at| {
            jiff::Timestamp::from_millisecond(*at)
                .expect("instant")
                .to_zoned(beijing.clone())
                .strftime("%H:%M")
                .to_string()
        })
        .collect();
    let day = jiff::Timestamp::from_millisecond(start)
        .expect("instant")
        .to_zoned(beijing.clone())
        .date();
    // Around midnight in Beijing the second time falls on the next day; keep to one day.
    let times = if times[1] < times[0] {
        times[0].clone()
    } else {
        times.join(" ")
    };
    let r = officer
        .post_json(
            "/api/v1/video/slots",
            &format!(r#"{{"date":"{day}","times":"{times}","minutes":20}}"#),
            Some(o),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mine = json(&officer.get("/api/v1/video/slots").await.body);
    let ids: Vec<String> = mine
        .as_array()
        .expect("slots")
        .iter()
        .filter(|s| s["starts_at"].as_i64().expect("start") >= start)
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect();
    (ids[0].clone(), ids.get(1).cloned().unwrap_or_default())
}

#[tokio::test]
async fn the_check_is_held_in_the_room_recorded_and_opens_the_way_to_identity_verified() {
    let mut applicant = server().await;
    let mut officer = applicant.another();
    let mut stranger = applicant.another();
    let a = applicant.api_sign_in("applicant@qiaoyi.example").await;
    let o = officer.api_sign_in("officer@qiaoyi.example").await;
    stranger.api_sign_in("station.madrid@qiaoyi.example").await;
    let id = applicant.draft_with_materials(&a, RENEWAL, "EE-01").await;
    for (who, csrf, name) in [(&mut applicant, &a, "submit"), (&mut officer, &o, "accept")] {
        let r = step(who, csrf, &id, name).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
    }
    let (slot, later) = publish_soon(&mut officer, &o).await;
    let r = applicant
        .post_json(
            &format!("/api/v1/cases/{id}/video"),
            &format!(r#"{{"slot":"{slot}","time_zone":"Europe/Rome"}}"#),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Identity cannot be recorded as verified yet; the API says why.
    let early = step(&mut officer, &o, &id, "verify_identity").await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    assert_eq!(json(&early.body)["field"], "video");
    let view = json(
        &applicant
            .get(&format!("/api/v1/cases/{id}/video/participants"))
            .await
            .body,
    );
    assert_eq!(view["waiting"], "no_subject");
    assert_eq!(view["room"], slot.as_str(), "the room is open");

    // The case page: the section, a refused form in the reader's language, then the participant.
    let page = applicant.get(&format!("/cases/{id}?lang=en")).await;
    assert!(page.body.contains("Who takes part"), "{}", page.body);
    assert!(page.body.contains("has not been added yet"));
    assert!(page.body.contains(&format!("/video/room/{slot}")));
    let csrf = hidden_csrf(&page.body);
    let bad = applicant
        .post_raw(
            &format!("/cases/{id}/video/participants?lang=en"),
            &[
                ("csrf", &csrf),
                ("role", "subject"),
                ("name", "季美华"),
                ("document_type", "passport"),
                ("document_number", "E1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("5 to 20 letters and digits"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("href=\"#video_check\""));
    let added = applicant
        .post_raw(
            &format!("/cases/{id}/video/participants"),
            &[
                ("csrf", &csrf),
                ("role", "subject"),
                ("name", "季美华"),
                ("document_type", "passport"),
                ("document_number", "E 1234 5678"),
            ],
        )
        .await;
    assert_eq!(
        added.location.as_deref(),
        Some(format!("/cases/{id}#video-check").as_str()),
        "{}",
        added.body
    );
    // Over the API, bad input is problem JSON naming the field.
    let bad = applicant
        .post_json(
            &format!("/api/v1/cases/{id}/video/participants"),
            r#"{"role":"parent","name":"季父","document_type":"passport","document_number":"E12345678"}"#,
            Some(&a),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(json(&bad.body)["field"], "role");
    let view = json(
        &applicant
            .get(&format!("/api/v1/cases/{id}/video/participants"))
            .await
            .body,
    );
    let her = view["participants"][0].clone();
    // No part of the number is given back: it is kept only as a keyed digest.
    assert!(her.get("document_tail").is_none(), "{her}");
    assert!(
        her.as_object()
            .expect("object")
            .values()
            .all(|v| v != "678"),
        "{her}"
    );
    assert_eq!(her["required"], true);
    assert_eq!(view["waiting"], "not_confirmed");
    let pid = her["id"].as_str().expect("id").to_owned();

    // Strangers are refused at the room's page, the API and the socket; the others get in.
    assert_eq!(
        stranger.get(&format!("/video/room/{slot}")).await.status,
        StatusCode::FORBIDDEN
    );
    let refused = stranger.get(&format!("/api/v1/video/rooms/{slot}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let room = json(
        &applicant
            .get(&format!("/api/v1/video/rooms/{slot}"))
            .await
            .body,
    );
    assert_eq!(room["role"], "participant");
    assert_eq!(room["socket"], format!("/ws/video/{slot}"));
    let host = serve(applicant.app.clone()).await;
    let path = format!("/ws/video/{slot}");
    assert_eq!(
        socket(&host, &path, &stranger).await.err(),
        Some(StatusCode::FORBIDDEN)
    );
    assert_eq!(
        socket(&host, "/ws/video/v-none", &applicant).await.err(),
        Some(StatusCode::NOT_FOUND)
    );
    let mut hers = socket(&host, &path, &applicant).await.expect("applicant");
    let welcome = next_message(&mut hers).await;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(welcome["peers"].as_array().expect("peers").len(), 0);
    // No STUN or TURN server is configured here: direct connections only, no credentials.
    assert_eq!(welcome["ice"]["iceServers"], serde_json::json!([]));
    assert_eq!(welcome["ice"]["iceTransportPolicy"], "all");
    let her_id = welcome["id"].as_u64().expect("id");
    let mut his = socket(&host, &path, &officer).await.expect("officer");
    let welcome = next_message(&mut his).await;
    assert_eq!(welcome["peers"][0]["id"], her_id);
    assert_eq!(welcome["peers"][0]["name"], "季美华");
    let his_id = welcome["id"].as_u64().expect("id");
    let joined = next_message(&mut hers).await;
    assert_eq!(
        (joined["type"].as_str(), joined["officer"].as_bool()),
        (Some("joined"), Some(true))
    );
    // An offer goes from him to her, an answer back, and nothing else is relayed.
    his.send(Message::Text(
        format!(
            r#"{{"type":"signal","to":{her_id},"data":{{"sdp":{{"type":"offer","sdp":"v=0"}}}}}}"#
        )
        .into(),
    ))
    .await
    .expect("send");
    let offer = next_message(&mut hers).await;
    assert_eq!(
        (offer["type"].as_str(), offer["from"].as_u64()),
        (Some("signal"), Some(his_id))
    );
    assert_eq!(offer["data"]["sdp"]["type"], "offer");
    hers.send(Message::Text(
        format!(
            r#"{{"type":"signal","to":{his_id},"data":{{"sdp":{{"type":"answer","sdp":"v=0"}}}}}}"#
        )
        .into(),
    ))
    .await
    .expect("send");
    assert_eq!(
        next_message(&mut his).await["data"]["sdp"]["type"],
        "answer"
    );
    hers.send(Message::Text("not a signal".into()))
        .await
        .expect("send");
    let left = next_message(&mut his).await;
    assert_eq!(
        (left["type"].as_str(), left["id"].as_u64()),
        (Some("left"), Some(her_id))
    );

    // The officer records in the room: a mismatch is refused there, then the confirmation.
    let room_page = officer.get(&format!("/video/room/{slot}?lang=en")).await;
    assert_eq!(room_page.status, StatusCode::OK);
    assert!(room_page.body.contains("Nothing is recorded"));
    assert!(
        room_page
            .body
            .contains(&format!("/video/participants/{pid}/record"))
    );
    let csrf = hidden_csrf(&room_page.body);
    let record = format!("/cases/{id}/video/participants/{pid}/record");
    let mismatch = officer
        .post_raw(
            &format!("{record}?lang=en"),
            &[
                ("csrf", &csrf),
                ("room", &slot),
                ("verdict", "confirmed"),
                ("document_type", "passport"),
                ("document_number", "E12345679"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("does not match the one on file"));
    assert!(
        mismatch.body.contains("id=\"room\""),
        "the room page comes back"
    );
    let done = officer
        .post_raw(
            &record,
            &[
                ("csrf", &csrf),
                ("room", &slot),
                ("verdict", "confirmed"),
                ("document_type", "passport"),
                ("document_number", "e12345678"),
                ("note", "护照原件清晰"),
            ],
        )
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/video/room/{slot}#video-check").as_str()),
        "{}",
        done.body
    );
    // Once recorded she stays on the check; identity may now be verified.
    let removal = applicant
        .send(
            axum::http::Request::delete(format!("/api/v1/cases/{id}/video/participants/{pid}"))
                .header("x-csrf-token", a.as_str()),
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(removal.status, StatusCode::CONFLICT, "{}", removal.body);
    let verified = step(&mut officer, &o, &id, "verify_identity").await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let page = applicant.get(&format!("/cases/{id}?lang=en")).await;
    assert!(page.body.contains("Video identity check recorded"));
    assert!(page.body.contains("护照原件清晰"));
    assert!(!page.body.contains("12345678"), "the number is never shown");

    // Moving the booking: to the later time, then back is refused once that is taken.
    if !later.is_empty() {
        let moved = applicant
            .post_json(
                &format!("/api/v1/video/slots/{slot}/reschedule"),
                &format!(r#"{{"slot":"{later}"}}"#),
                Some(&a),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert_eq!(json(&moved.body)["id"], later.as_str());
        let again = applicant
            .post_json(
                &format!("/api/v1/video/slots/{later}/reschedule"),
                &format!(r#"{{"slot":"{later}"}}"#),
                Some(&a),
            )
            .await;
        assert_eq!(
            again.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            again.body
        );
    }
}
