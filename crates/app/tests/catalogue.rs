//! The reference catalogue and its import through the application.

use std::collections::HashSet;

use qiaoyi_app::config::Config;
use qiaoyi_app::{App, AppError, ImportOutcome, catalog_source};
use qiaoyi_store::testing::{TestStore, test_store};

/// 2026-05-28, inside the shipped working-day calendars.
const T0: i64 = 1_779_934_000_000;

async fn app() -> (App, TestStore) {
    let store = test_store().await;
    (
        App::with_store(store.store.clone(), Config::default()),
        store,
    )
}

#[test]
fn reference_catalogue_has_the_deployment_figures() {
    let catalog = qiaoyi_app::domain::catalog::parse(&catalog_source::reference()).expect("valid");
    assert_eq!(catalog.categories.len(), 4);
    assert_eq!(catalog.items.len(), 45);
    let used: HashSet<&str> = catalog.items.iter().map(|i| i.category.as_str()).collect();
    assert_eq!(used.len(), 4, "every category has items");
    assert!(
        catalog.guides.len() >= 201,
        "{} guides",
        catalog.guides.len()
    );
    assert_eq!(catalog.stations.len(), 26);
    let cities: HashSet<&str> = catalog
        .stations
        .iter()
        .map(|s| s.city.en.as_str())
        .collect();
    assert_eq!(cities.len(), 26);
    let countries: HashSet<&str> = catalog
        .stations
        .iter()
        .map(|s| s.country.as_str())
        .collect();
    assert_eq!(countries.len(), 20);
}

#[test]
fn embedded_catalogue_is_the_catalog_directory() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let on_disk = catalog_source::read_dir(&dir).expect("read");
    let parse = qiaoyi_app::domain::catalog::parse;
    assert_eq!(
        parse(&on_disk).expect("disk").digest,
        parse(&catalog_source::reference())
            .expect("embedded")
            .digest
    );
}

#[tokio::test]
async fn demo_seed_is_idempotent() {
    let (app, _store) = app().await;
    let first = app.seed_demo(T0).await.expect("first");
    assert!(matches!(
        first.catalogue,
        ImportOutcome::Imported { items: 45, .. }
    ));
    assert_eq!(
        first.accounts_created,
        qiaoyi_app::demo::DEMO_ACCOUNTS.len()
    );
    let second = app.seed_demo(T0 + 1).await.expect("second");
    assert_eq!(second.catalogue, ImportOutcome::Unchanged);
    assert_eq!(second.accounts_created, 0);
    assert_eq!((first.cases_created, second.cases_created), (4, 0));
    assert_eq!(app.items(None).await.expect("items").len(), 45);
}

#[tokio::test]
async fn a_bad_catalogue_imports_nothing() {
    let (app, _store) = app().await;
    let mut files = catalog_source::reference();
    let stations = files
        .iter_mut()
        .find(|f| f.path == "stations.toml")
        .expect("stations");
    stations.text = stations.text.replacen("Europe/Rome", "Europe/Nowhere", 1);
    let err = app
        .import_catalog(&files, 1, &|_, _| {})
        .await
        .expect_err("refused");
    match err {
        AppError::Catalog(e) => {
            assert_eq!(e.file, "stations.toml");
            assert!(e.field.ends_with(".time_zone"), "{e}");
        }
        other => panic!("expected a catalogue error, got {other}"),
    }
    assert!(matches!(
        app.catalog_header().await,
        Err(AppError::NoCatalog)
    ));
    assert!(app.items(None).await.expect("items").is_empty());
}

#[tokio::test]
async fn reads_refuse_bad_input_and_unknown_codes() {
    let (app, _store) = app().await;
    app.seed_demo(T0).await.expect("seed");
    assert!(matches!(
        app.item("ZZ-99").await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.guide("nope").await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.guides(0, 0).await,
        Err(AppError::Invalid { field: "limit", .. })
    ));
    assert!(matches!(
        app.guides(0, 101).await,
        Err(AppError::Invalid { field: "limit", .. })
    ));
    assert_eq!(app.guides(0, 100).await.expect("page").items.len(), 100);
}

/// Every guide of the reference catalogue reads in English, Italian and Spanish: no Chinese outside
/// brackets (a Chinese office's name after its translation, to show at a counter) or quotation
/// marks (a menu label to find in a Chinese app).
#[test]
fn every_reference_guide_is_written_in_every_language() {
    use qiaoyi_app::domain::lang::{Lang, Text};
    let catalog = qiaoyi_app::domain::catalog::parse(&qiaoyi_app::catalog_source::reference())
        .expect("the reference catalogue");
    assert_eq!(catalog.guides.len(), 211);
    let outside_brackets = |text: &str| -> String {
        let mut depth = 0_usize;
        let mut quoted = false;
        let mut kept = String::new();
        for c in text.chars() {
            match c {
                '(' | '（' => depth += 1,
                ')' | '）' => depth = depth.saturating_sub(1),
                '“' | '«' => quoted = true,
                '”' | '»' => quoted = false,
                '"' => quoted = !quoted,
                _ if depth == 0 && !quoted => kept.push(c),
                _ => {}
            }
        }
        kept
    };
    let mut stray = Vec::new();
    for g in &catalog.guides {
        let texts: Vec<(&str, &Text)> = [
            ("title", &g.title),
            ("summary", &g.summary),
            ("who", &g.who),
            ("fee", &g.fee),
            ("time_limit", &g.time_limit),
            ("where", &g.where_),
        ]
        .into_iter()
        .chain(g.materials.iter().map(|m| ("materials", m)))
        .chain(g.route.iter().map(|r| ("route", r)))
        .collect();
        for lang in [Lang::En, Lang::It, Lang::Es] {
            for (field, text) in &texts {
                let kept = outside_brackets(text.get(lang));
                if kept.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c)) {
                    stray.push(format!(
                        "{} {field} ({}): {}",
                        g.code,
                        lang.tag(),
                        text.get(lang)
                    ));
                }
            }
        }
    }
    assert!(stray.is_empty(), "Chinese outside brackets: {stray:#?}");
}

/// Where a guide and a service speak of the same need, the guide says which way fits whom, names
/// each service as the catalogue does in every language, and any fee or time limit it quotes for
/// them is theirs.
#[test]
fn every_guide_that_links_a_service_names_it_and_agrees_with_it() {
    use qiaoyi_app::domain::lang::Lang;
    let catalog = qiaoyi_app::domain::catalog::parse(&qiaoyi_app::catalog_source::reference())
        .expect("the reference catalogue");
    let linked: Vec<_> = catalog
        .guides
        .iter()
        .filter(|g| !g.related_items.is_empty())
        .collect();
    assert!(
        linked.len() >= 100,
        "{} guides link a service",
        linked.len()
    );
    // "120 yuan" / "7 working days" as the English routes quote them.
    let quoted = |text: &str, unit: &str| -> Vec<u64> {
        let words: Vec<&str> = text.split_whitespace().collect();
        words
            .windows(2)
            .filter(|w| {
                w[1].trim_end_matches([',', '.', ';', ')'])
                    .starts_with(unit)
            })
            .filter_map(|w| w[0].trim_start_matches('(').parse().ok())
            .collect()
    };
    let mut wrong = Vec::new();
    for g in linked {
        let route = g
            .route
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no route", g.code));
        let items: Vec<_> = catalog
            .items
            .iter()
            .filter(|i| g.related_items.contains(&i.code))
            .collect();
        for lang in Lang::ALL {
            for item in &items {
                if !route.get(lang).contains(item.name.get(lang)) {
                    wrong.push(format!(
                        "{} ({}) does not name {}",
                        g.code,
                        lang.tag(),
                        item.code
                    ));
                }
            }
        }
        let fees: Vec<u64> = items.iter().map(|i| u64::from(i.fee_fen) / 100).collect();
        for yuan in quoted(&route.en, "yuan") {
            if !fees.contains(&yuan) {
                wrong.push(format!(
                    "{}: {yuan} yuan, the services cost {fees:?}",
                    g.code
                ));
            }
        }
        let days: Vec<u64> = items.iter().map(|i| u64::from(i.time_limit_days)).collect();
        for n in quoted(&route.en, "working") {
            if !days.contains(&n) {
                wrong.push(format!(
                    "{}: {n} working days, the services take {days:?}",
                    g.code
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
