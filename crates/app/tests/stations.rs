//! Administrators keep the stations: adding and editing them by the catalogue's rules, with an
//! audit entry, and catalogue imports leaving their stations alone.

use crate::common;

use common::{T0, anonymous, caller, demo_app, session};
use qiaoyi_app::admin::StationSave;
use qiaoyi_app::domain::catalog::Station;
use qiaoyi_app::{AppError, catalog_source};
use qiaoyi_store::AuditFilter;

const ADMIN: &str = "admin@qiaoyi.example";

fn lyon() -> Station {
    serde_json::from_value(serde_json::json!({
        "code": "FR-LYO",
        "name": {"zh": "里昂服务站", "en": "Lyon station", "it": "Punto di Lione", "es": "Punto de Lyon"},
        "city": {"zh": "里昂", "en": "Lyon", "it": "Lione", "es": "Lyon"},
        "country": "FR",
        "time_zone": "Europe/Paris",
        "languages": ["zh", "fr"],
        "address": "1 rue de la République, 69001 Lyon",
        "hours": [{"days": ["mon", "tue"], "open": "09:00", "close": "17:00"}]
    }))
    .expect("station")
}

#[tokio::test]
async fn an_admin_adds_and_edits_a_station_and_it_is_audited() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, ADMIN, T0).await;
    let before = app.stations().await.expect("stations").len();
    let created = app
        .save_station(&caller(&admin, T0), &lyon(), StationSave::Create)
        .await
        .expect("saved");
    assert!(created);
    let stations = app.stations().await.expect("stations");
    assert_eq!(stations.len(), before + 1);
    assert_eq!(stations.last().map(|s| s.code.as_str()), Some("FR-LYO"));

    let again = app
        .save_station(&caller(&admin, T0), &lyon(), StationSave::Create)
        .await
        .expect_err("exists");
    assert!(
        matches!(again, AppError::Invalid { field: "code", .. }),
        "{again}"
    );

    let mut moved = lyon();
    moved.address = Some("2 place Bellecour, 69002 Lyon".into());
    assert!(
        !app.save_station(&caller(&admin, T0), &moved, StationSave::Replace)
            .await
            .expect("saved")
    );
    let read = app
        .station_for_edit(&caller(&admin, T0), "FR-LYO")
        .await
        .expect("station");
    assert_eq!(read, moved);

    let records = app
        .station_records(&caller(&admin, T0))
        .await
        .expect("records");
    let lyon_record = records.iter().find(|r| r.station.code.as_str() == "FR-LYO");
    assert!(lyon_record.is_some_and(|r| r.edited_by_admin && r.staff == 0));
    let rome = records.iter().find(|r| r.station.code.as_str() == "IT-ROM");
    assert!(
        rome.is_some_and(|r| !r.edited_by_admin && r.staff >= 1 && r.cases >= 1),
        "the demo's Rome station has its clerk and cases"
    );

    let filter = AuditFilter {
        action: "save_station".into(),
        subject_id: "FR-LYO".into(),
        ..AuditFilter::default()
    };
    let auditor = session(&app, "auditor@qiaoyi.example", T0).await;
    let log = app
        .audit_log(&caller(&auditor, T0), &filter, 0, 10)
        .await
        .expect("log");
    assert_eq!(log.total, 2);
    assert!(
        app.verify_audit(None, &|_| {})
            .await
            .expect("verify")
            .is_ok()
    );
}

/// Makes one thing about a good station wrong.
type Spoil = fn(&mut Station);

#[tokio::test]
async fn stations_are_checked_by_the_catalogue_rules() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, ADMIN, T0).await;
    let cases: [(Spoil, &str); 6] = [
        (|s| s.time_zone = "Europe/Nowhere".into(), "time_zone"),
        (|s| s.country = "DE".into(), "code"),
        (|s| s.country = "XX".into(), "country"),
        (|s| s.name.it = " ".into(), "name"),
        (|s| s.languages = vec!["French".into()], "languages"),
        (|s| s.hours[0].close = s.hours[0].open, "hours"),
    ];
    for (spoil, field) in cases {
        let mut station = lyon();
        spoil(&mut station);
        match app
            .save_station(&caller(&admin, T0), &station, StationSave::CreateOrReplace)
            .await
        {
            Err(AppError::Invalid { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{field}: expected a refusal, got {other:?}"),
        }
    }
    let missing = app
        .save_station(&caller(&admin, T0), &lyon(), StationSave::Replace)
        .await
        .expect_err("no such station");
    assert!(matches!(missing, AppError::NotFound(_)));
    assert!(matches!(
        app.station_for_edit(&caller(&admin, T0), "FR-XYZ").await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn only_administrators_keep_stations() {
    let (app, _s) = demo_app().await;
    for email in [
        "applicant@qiaoyi.example",
        "station.rome@qiaoyi.example",
        "officer@qiaoyi.example",
        "auditor@qiaoyi.example",
    ] {
        let who = session(&app, email, T0).await;
        let refused = app
            .save_station(&caller(&who, T0), &lyon(), StationSave::CreateOrReplace)
            .await
            .expect_err(email);
        assert!(
            matches!(refused, AppError::Forbidden(_)),
            "{email}: {refused}"
        );
        assert!(app.station_records(&caller(&who, T0)).await.is_err());
    }
    assert!(matches!(
        app.station_records(&anonymous(T0)).await,
        Err(AppError::Unauthenticated)
    ));
}

#[tokio::test]
async fn catalogue_imports_leave_administrators_stations_alone() {
    let (app, _s) = demo_app().await;
    let admin = session(&app, ADMIN, T0).await;
    app.save_station(&caller(&admin, T0), &lyon(), StationSave::Create)
        .await
        .expect("added");
    let mut rome = app
        .station_for_edit(&caller(&admin, T0), "IT-ROM")
        .await
        .expect("rome");
    rome.address = Some("Via Nuova 1, Roma".into());
    app.save_station(&caller(&admin, T0), &rome, StationSave::Replace)
        .await
        .expect("edited");

    // A new catalogue version that still lists Rome as it was and knows nothing of Lyon.
    let mut files = catalog_source::reference();
    let header = files
        .iter_mut()
        .find(|f| f.path == "catalog.toml")
        .expect("catalog.toml");
    header.text = header.text.replacen("version = \"", "version = \"next-", 1);
    app.import_catalog(&files, T0 + 1000, &|_, _| {})
        .await
        .expect("imported");

    let stations = app.stations().await.expect("stations");
    assert!(stations.iter().any(|s| s.code.as_str() == "FR-LYO"));
    let rome_now = stations.iter().find(|s| s.code.as_str() == "IT-ROM");
    assert_eq!(
        rome_now.and_then(|s| s.address.as_deref()),
        Some("Via Nuova 1, Roma")
    );
    let milan = stations.iter().find(|s| s.code.as_str() == "IT-MIL");
    assert!(
        milan.is_some(),
        "the catalogue's own stations are still imported"
    );
}
