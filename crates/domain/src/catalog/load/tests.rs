use super::*;
use crate::lang::Lang;

const T: &str = r#"{ zh = "中", en = "e", it = "i", es = "s" }"#;

fn minimal() -> Vec<SourceFile> {
    let file = |path: &str, text: String| SourceFile {
        path: path.into(),
        text,
    };
    vec![
        file("catalog.toml", format!("version = \"1\"\nbureau = {T}\n")),
        file(
            "categories.toml",
            format!("[[category]]\ncode = \"exit-entry\"\nname = {T}\ndescription = {T}\n"),
        ),
        file(
            "items/exit-entry.toml",
            format!(
                "[[item]]\ncode = \"EE-01\"\ncategory = \"exit-entry\"\nname = {T}\nsummary = {T}\n\
                 eligibility = {T}\nfee_fen = 12000\ntime_limit_days = 7\nvideo_check = true\n\
                 guardian_for_minors = true\ndelivery = [\"window\", \"courier\"]\nworkflow = \"standard\"\n\
                 [[item.material]]\nname = {T}\nrequired = true\n"
            ),
        ),
        file(
            "guides/a.toml",
            format!(
                "[[guide]]\ncode = \"G0001\"\ntopic = \"exit-entry\"\n\
                 title = {{ zh = \"护照\", en = \"Passport\", it = \"Passaporto\", es = \"Pasaporte\" }}\n\
                 summary = {T}\nwho = {T}\nmaterials = [{T}]\nfee = {T}\ntime_limit = {T}\n\
                 where = {T}\nrelated_items = [\"EE-01\"]\nroute = {T}\n"
            ),
        ),
        file(
            "stations.toml",
            format!(
                "[[station]]\ncode = \"IT-ROM\"\nname = {T}\ncity = {T}\ncountry = \"IT\"\n\
                 time_zone = \"Europe/Rome\"\nlanguages = [\"zh\", \"it\"]\n\
                 [[station.hours]]\ndays = [\"mon\", \"fri\"]\nopen = \"09:30\"\nclose = \"18:00\"\n"
            ),
        ),
    ]
}

fn with(path: &str, edit: impl Fn(&str) -> String) -> Vec<SourceFile> {
    let mut files = minimal();
    let file = files
        .iter_mut()
        .find(|f| f.path == path)
        .expect("file exists");
    file.text = edit(&file.text);
    files
}

fn refused(files: Vec<SourceFile>) -> CatalogError {
    parse(&files).expect_err("the catalogue should be refused")
}

#[test]
fn minimal_catalogue_loads() {
    let catalog = parse(&minimal()).expect("valid");
    assert_eq!(catalog.items.len(), 1);
    assert_eq!(catalog.items[0].fee_fen, 12000);
    assert_eq!(catalog.stations[0].hours[0].open.minutes(), 570);
    assert_eq!(catalog.digest.len(), 64);
}

#[test]
fn digest_ignores_file_order_and_follows_content() {
    let mut reversed = minimal();
    reversed.reverse();
    let a = parse(&minimal()).expect("valid");
    let b = parse(&reversed).expect("valid");
    assert_eq!(a.digest, b.digest);
    let c = parse(&with("catalog.toml", |t| t.replace("\"1\"", "\"2\""))).expect("valid");
    assert_ne!(a.digest, c.digest);
}

#[test]
fn wrong_type_names_file_line_and_field() {
    let err = refused(with("items/exit-entry.toml", |t| {
        t.replace("fee_fen = 12000", "fee_fen = \"free\"")
    }));
    assert_eq!(err.file, "items/exit-entry.toml");
    assert_eq!(err.field, "item[0].fee_fen");
    assert_eq!(err.line, Some(7));
    assert!(
        err.to_string()
            .contains("items/exit-entry.toml line 7, field item[0].fee_fen"),
        "{err}"
    );
}

#[test]
fn unknown_field_is_refused() {
    let err = refused(with("stations.toml", |t| format!("{t}colour = \"red\"\n")));
    assert_eq!(err.file, "stations.toml");
    assert!(err.message.contains("colour"), "{err}");
}

#[test]
fn broken_toml_is_refused_with_its_line() {
    let err = refused(with("guides/a.toml", |t| {
        t.replace("\nfee = {", "\nfee = \"{")
    }));
    assert_eq!(err.file, "guides/a.toml");
    assert_eq!(err.line, Some(8));
    assert!(err.message.starts_with("not valid TOML"), "{err}");
}

#[test]
fn missing_language_is_refused() {
    let err = refused(with("categories.toml", |t| {
        t.replacen(T, r#"{ zh = "中", en = "e", it = " ", es = "s" }"#, 1)
    }));
    assert_eq!(err.field, "category[0].name.it");
}

/// Every guide is read in all four languages: one missing, or blank, is refused naming the file,
/// the line, the guide and the field.
#[test]
fn a_guide_missing_a_language_is_refused() {
    let err = refused(with("guides/a.toml", |t| {
        t.replace(", es = \"Pasaporte\"", "")
    }));
    assert_eq!(err.file, "guides/a.toml");
    assert_eq!(err.field, "guide[0].title");
    assert_eq!(err.line, Some(4));
    assert!(err.message.contains("es"), "{err}");
    let err = refused(with("guides/a.toml", |t| {
        t.replace(
            &format!("materials = [{T}]"),
            r#"materials = [{ zh = "中", en = "e", it = "i", es = "" }]"#,
        )
    }));
    assert_eq!(err.field, "guide[0].materials[0].es");
    // The old form, Chinese with an English title only, is refused.
    let err = refused(with("guides/a.toml", |t| {
        t.replace(
            r#"{ zh = "护照", en = "Passport", it = "Passaporto", es = "Pasaporte" }"#,
            "\"护照\"\ntitle_en = \"Passport\"",
        )
    }));
    assert_eq!(err.field, "guide[0].title", "{err}");
}

#[test]
fn bad_codes_and_references_are_refused() {
    let err = refused(with("items/exit-entry.toml", |t| t.replace("EE-01", "E-1")));
    assert_eq!(err.field, "item[0].code");
    let err = refused(with("items/exit-entry.toml", |t| {
        t.replace("category = \"exit-entry\"", "category = \"visa\"")
    }));
    assert_eq!(err.field, "item[0].category");
    let err = refused(with("guides/a.toml", |t| {
        t.replace("[\"EE-01\"]", "[\"EE-99\"]")
    }));
    assert_eq!(err.field, "guide[0].related_items[0]");
    let err = refused(with("guides/a.toml", |t| {
        t.replace("exit-entry", "astrology")
    }));
    assert_eq!(err.field, "guide[0].topic");
}

/// A guide that links items says which way fits whom, in every language; one without items has
/// nothing to compare.
#[test]
fn a_guide_with_related_items_says_which_way_fits_whom() {
    let err = refused(with("guides/a.toml", |t| {
        t.replace(&format!("route = {T}\n"), "")
    }));
    assert_eq!(err.field, "guide[0].route", "{err}");
    assert!(err.message.contains("which way fits whom"), "{err}");
    let err = refused(with("guides/a.toml", |t| {
        t.replace(
            &format!("route = {T}"),
            r#"route = { zh = "中", en = "e", it = " ", es = "s" }"#,
        )
    }));
    assert_eq!(err.field, "guide[0].route.it", "{err}");
    let err = refused(with("guides/a.toml", |t| t.replace("[\"EE-01\"]", "[]")));
    assert_eq!(err.field, "guide[0].route", "{err}");
    let alone = with("guides/a.toml", |t| {
        t.replace("[\"EE-01\"]", "[]")
            .replace(&format!("route = {T}\n"), "")
    });
    let catalogue = parse(&alone).expect("a guide without items needs no route");
    assert_eq!(catalogue.guides[0].route, None);
    let linked = parse(&minimal()).expect("the minimal catalogue");
    assert_eq!(
        linked.guides[0].route.as_ref().map(|r| r.en.as_str()),
        Some("e")
    );
}

#[test]
fn duplicate_codes_across_files_are_refused() {
    let mut files = minimal();
    let guides = files.iter().find(|f| f.path == "guides/a.toml").cloned();
    files.extend(guides.map(|g| SourceFile {
        path: "guides/b.toml".into(),
        text: g.text,
    }));
    let err = refused(files);
    assert_eq!(err.file, "guides/b.toml");
    assert!(err.message.contains("twice"), "{err}");
}

#[test]
fn item_rules() {
    let err = refused(with("items/exit-entry.toml", |t| {
        t.replace("time_limit_days = 7", "time_limit_days = 0")
    }));
    assert_eq!(err.field, "item[0].time_limit_days");
    let err = refused(with("items/exit-entry.toml", |t| {
        t.replace("[\"window\", \"courier\"]", "[\"window\", \"window\"]")
    }));
    assert_eq!(err.field, "item[0].delivery[1]");
    let err = refused(with("items/exit-entry.toml", |t| {
        t.replace("[\"window\", \"courier\"]", "[]")
    }));
    assert_eq!(err.field, "item[0].delivery");
    let err = refused(with("items/exit-entry.toml", |t| {
        t.replace("fee_fen = 12000", "fee_fen = -1")
    }));
    assert_eq!(err.field, "item[0].fee_fen");
}

#[test]
fn a_certificate_item_says_what_it_attests_and_only_it() {
    let certificate = |t: &str| t.replace("workflow = \"standard\"", "workflow = \"certificate\"");
    let err = refused(with("items/exit-entry.toml", certificate));
    assert_eq!(err.field, "item[0].attests");
    let attests = format!("workflow = \"certificate\"\nattests = {T}");
    let loaded = parse(&with("items/exit-entry.toml", |t| {
        certificate(t).replace("workflow = \"certificate\"", &attests)
    }))
    .expect("valid");
    assert_eq!(
        loaded.items[0].attests.as_ref().map(|a| a.get(Lang::En)),
        Some("e")
    );
    let blank = format!(
        "workflow = \"certificate\"\nattests = {}",
        T.replace("\"i\"", "\"\"")
    );
    let err = refused(with("items/exit-entry.toml", |t| {
        certificate(t).replace("workflow = \"certificate\"", &blank)
    }));
    assert_eq!(err.field, "item[0].attests.it");
    let err = refused(with("items/exit-entry.toml", |t| {
        t.replace(
            "workflow = \"standard\"",
            &format!("workflow = \"standard\"\nattests = {T}"),
        )
    }));
    assert_eq!(err.field, "item[0].attests");
}

#[test]
fn station_rules() {
    let err = refused(with("stations.toml", |t| {
        t.replace("Europe/Rome", "Europe/Atlantis")
    }));
    assert_eq!(err.field, "station[0].time_zone");
    let err = refused(with("stations.toml", |t| {
        t.replace("country = \"IT\"", "country = \"ES\"")
    }));
    assert_eq!(err.field, "station[0].code");
    let err = refused(with("stations.toml", |t| {
        t.replace("country = \"IT\"", "country = \"XX\"")
    }));
    assert_eq!(err.field, "station[0].country");
    let err = refused(with("stations.toml", |t| {
        t.replace("\"18:00\"", "\"09:00\"")
    }));
    assert_eq!(err.field, "station[0].hours[0].close");
    let err = refused(with("stations.toml", |t| {
        t.replace("\"mon\", \"fri\"", "\"mon\", \"funday\"")
    }));
    assert_eq!(err.field, "station[0].hours[0].days[1]");
}

#[test]
fn missing_and_unexpected_files_are_refused() {
    let mut files = minimal();
    files.retain(|f| f.path != "stations.toml");
    assert_eq!(refused(files).file, "stations.toml");
    let mut files = minimal();
    files.push(SourceFile {
        path: "extra.toml".into(),
        text: String::new(),
    });
    assert_eq!(refused(files).file, "extra.toml");
}

proptest::proptest! {
    #[test]
    fn any_text_in_any_file_is_refused_or_loaded_without_panic(text in ".{0,300}", which in 0usize..5) {
        let mut files = minimal();
        files[which].text = text;
        let _ = parse(&files);
    }
}
