//! Reading a catalogue directory: TOML in, a [`Catalog`] or one precise [`CatalogError`] out.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::model::*;
use crate::lang::Text;

/// One file of a catalogue directory, with its path relative to the directory (`items/traffic.toml`).
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// Why a catalogue was refused: the file, where in it, and what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogError {
    pub file: String,
    pub line: Option<usize>,
    /// Path of the offending field, e.g. `item[3].fee_fen`; empty when the file as a whole is wrong.
    pub field: String,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if !self.field.is_empty() {
            write!(f, ", field {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CatalogError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    version: String,
    bureau: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesFile {
    category: Vec<Category>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsFile {
    item: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GuidesFile {
    guide: Vec<Guide>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StationsFile {
    station: Vec<Station>,
}

const EXPECTED: &str = "a catalogue holds catalog.toml, categories.toml, stations.toml, items/*.toml and guides/*.toml";

/// Parses and validates a whole catalogue. Either every file is right and cross-references resolve,
/// or the first problem found is returned; there is no partial result.
pub fn parse(files: &[SourceFile]) -> Result<Catalog, CatalogError> {
    let mut header = None;
    let mut categories = None;
    let mut stations = None;
    let mut items: Vec<(&str, usize, Item)> = Vec::new();
    let mut guides: Vec<(&str, usize, Guide)> = Vec::new();

    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for file in &sorted {
        let path = file.path.as_str();
        match path {
            "catalog.toml" => header = Some((path, deserialize::<CatalogFile>(file)?)),
            "categories.toml" => categories = Some((path, deserialize::<CategoriesFile>(file)?)),
            "stations.toml" => stations = Some((path, deserialize::<StationsFile>(file)?)),
            _ if is_toml_in(path, "items/") => {
                let parsed: ItemsFile = deserialize(file)?;
                items.extend(
                    parsed
                        .item
                        .into_iter()
                        .enumerate()
                        .map(|(i, it)| (path, i, it)),
                );
            }
            _ if is_toml_in(path, "guides/") => {
                let parsed: GuidesFile = deserialize(file)?;
                guides.extend(
                    parsed
                        .guide
                        .into_iter()
                        .enumerate()
                        .map(|(i, g)| (path, i, g)),
                );
            }
            // Working-day calendars sit beside the catalogue but are imported year by year
            // (see `crate::calendar`), so a new year never changes the catalogue's digest.
            _ if is_toml_in(path, "calendar/") => {}
            // The cost of a trip home, for the statistics: its first version is taken from here,
            // later ones are the administrators' (see `crate::stats`).
            "costs.toml" => {}
            // The townships' positions, for the care programme's pairing by distance (see
            // `crate::care`).
            "care/townships.toml" => {}
            _ => return Err(whole_file(path, format!("unexpected file; {EXPECTED}"))),
        }
    }

    let missing = |name: &str| whole_file(name, format!("file is missing; {EXPECTED}"));
    let (header_path, header) = header.ok_or_else(|| missing("catalog.toml"))?;
    let (categories_path, categories) = categories.ok_or_else(|| missing("categories.toml"))?;
    let (stations_path, stations) = stations.ok_or_else(|| missing("stations.toml"))?;
    if items.is_empty() {
        return Err(missing("items/*.toml"));
    }
    if guides.is_empty() {
        return Err(missing("guides/*.toml"));
    }

    let at = |file: &str, field: String, message: String| CatalogError {
        file: file.to_owned(),
        line: None,
        field,
        message,
    };

    let version = header.version.trim();
    if version.is_empty() || version.len() > 64 {
        return Err(at(
            header_path,
            "version".into(),
            "give a version of 1 to 64 characters, e.g. \"2026.11\"".into(),
        ));
    }
    check_text(&header.bureau, "bureau").map_err(|(f, m)| at(header_path, f, m))?;

    let mut category_codes = HashSet::new();
    for (i, c) in categories.category.iter().enumerate() {
        let field = |name: &str| format!("category[{i}].{name}");
        if !category_codes.insert(c.code.as_str()) {
            return Err(at(
                categories_path,
                field("code"),
                format!("category {} appears twice", c.code),
            ));
        }
        check_text(&c.name, &field("name")).map_err(|(f, m)| at(categories_path, f, m))?;
        check_text(&c.description, &field("description"))
            .map_err(|(f, m)| at(categories_path, f, m))?;
    }

    let mut item_codes = HashSet::new();
    for (file, i, item) in &items {
        check_item(item, *i, &category_codes).map_err(|(f, m)| at(file, f, m))?;
        if !item_codes.insert(item.code.as_str()) {
            return Err(at(
                file,
                format!("item[{i}].code"),
                format!("item {} appears twice in the catalogue", item.code),
            ));
        }
    }

    let mut guide_codes = HashSet::new();
    for (file, i, guide) in &guides {
        check_guide(guide, *i, &item_codes).map_err(|(f, m)| at(file, f, m))?;
        if !guide_codes.insert(guide.code.as_str()) {
            return Err(at(
                file,
                format!("guide[{i}].code"),
                format!("guide {} appears twice in the catalogue", guide.code),
            ));
        }
    }

    let mut station_codes = HashSet::new();
    for (i, station) in stations.station.iter().enumerate() {
        super::station::check_station(station)
            .map_err(|p| at(stations_path, format!("station[{i}].{}", p.path), p.message))?;
        if !station_codes.insert(station.code.as_str()) {
            return Err(at(
                stations_path,
                format!("station[{i}].code"),
                format!("station {} appears twice", station.code),
            ));
        }
    }

    Ok(Catalog {
        version: version.to_owned(),
        bureau: header.bureau,
        digest: digest(&sorted),
        categories: categories.category,
        items: items.into_iter().map(|(_, _, it)| it).collect(),
        guides: guides.into_iter().map(|(_, _, g)| g).collect(),
        stations: stations.station,
    })
}

fn is_toml_in(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| !rest.contains('/') && rest.ends_with(".toml"))
}

fn whole_file(path: &str, message: String) -> CatalogError {
    CatalogError {
        file: path.to_owned(),
        line: None,
        field: String::new(),
        message,
    }
}

fn deserialize<T: DeserializeOwned>(file: &SourceFile) -> Result<T, CatalogError> {
    deserialize_toml(&file.path, &file.text)
}

/// Reads one TOML file into `T`; a refusal names the file, the line and the field, as every
/// file of the catalogue directory (the working-day calendars included) is refused.
pub(crate) fn deserialize_toml<T: DeserializeOwned>(
    path: &str,
    text: &str,
) -> Result<T, CatalogError> {
    let line_of = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
    };
    let de = toml::Deserializer::parse(text).map_err(|e| CatalogError {
        file: path.to_owned(),
        line: line_of(e.span()),
        field: String::new(),
        message: format!("not valid TOML: {}", e.message()),
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        CatalogError {
            file: path.to_owned(),
            line: line_of(inner.span()),
            field: if field == "." { String::new() } else { field },
            message: inner.message().to_owned(),
        }
    })
}

type FieldError = (String, String);

fn check_text(text: &Text, field: &str) -> Result<(), FieldError> {
    match text.first_blank() {
        Some(lang) => Err((
            format!("{field}.{}", lang_key(lang)),
            "is empty; every text needs zh, en, it and es".into(),
        )),
        None => Ok(()),
    }
}

pub(crate) fn lang_key(lang: crate::lang::Lang) -> &'static str {
    match lang {
        crate::lang::Lang::Zh => "zh",
        other => other.tag(),
    }
}

fn check_item(item: &Item, i: usize, categories: &HashSet<&str>) -> Result<(), FieldError> {
    let field = |name: &str| format!("item[{i}].{name}");
    if !categories.contains(item.category.as_str()) {
        return Err((
            field("category"),
            format!("no category \"{}\" in categories.toml", item.category),
        ));
    }
    check_text(&item.name, &field("name"))?;
    check_text(&item.summary, &field("summary"))?;
    check_text(&item.eligibility, &field("eligibility"))?;
    match (&item.attests, item.workflow) {
        (Some(attests), Workflow::Certificate) => check_text(attests, &field("attests"))?,
        (None, Workflow::Certificate) => {
            return Err((
                field("attests"),
                "a certificate item says what its certificate attests, in zh, en, it and es".into(),
            ));
        }
        (Some(_), _) => {
            return Err((
                field("attests"),
                "only a certificate item (workflow = \"certificate\") attests something".into(),
            ));
        }
        (None, _) => {}
    }
    if !(1..=60).contains(&item.time_limit_days) {
        return Err((
            field("time_limit_days"),
            format!(
                "{} is out of range; give 1 to 60 working days",
                item.time_limit_days
            ),
        ));
    }
    if !(1..=crate::green_channel::MAX_DAYS).contains(&item.green_channel_days) {
        return Err((
            field("green_channel_days"),
            format!(
                "{} is out of range; give 1 to {} working days",
                item.green_channel_days,
                crate::green_channel::MAX_DAYS
            ),
        ));
    }
    if item.delivery.is_empty() {
        return Err((
            field("delivery"),
            "name at least one of window, station, courier, home".into(),
        ));
    }
    for (d, method) in item.delivery.iter().enumerate() {
        if item.delivery[..d].contains(method) {
            return Err((
                format!("item[{i}].delivery[{d}]"),
                format!("\"{}\" is listed twice", method.as_str()),
            ));
        }
    }
    if item.materials.is_empty() {
        return Err((field("material"), "list at least one material".into()));
    }
    for (m, material) in item.materials.iter().enumerate() {
        check_text(&material.name, &format!("item[{i}].material[{m}].name"))?;
    }
    Ok(())
}

fn check_guide(guide: &Guide, i: usize, items: &HashSet<&str>) -> Result<(), FieldError> {
    let field = |name: &str| format!("guide[{i}].{name}");
    for (name, value) in [
        ("title", &guide.title),
        ("summary", &guide.summary),
        ("who", &guide.who),
        ("fee", &guide.fee),
        ("time_limit", &guide.time_limit),
        ("where", &guide.where_),
    ] {
        check_text(value, &field(name))?;
    }
    for (m, material) in guide.materials.iter().enumerate() {
        check_text(material, &field(&format!("materials[{m}]")))?;
    }
    for (r, code) in guide.related_items.iter().enumerate() {
        if !items.contains(code.as_str()) {
            return Err((
                format!("guide[{i}].related_items[{r}]"),
                format!("no item {code} in items/*.toml"),
            ));
        }
    }
    match (&guide.route, guide.related_items.is_empty()) {
        (Some(route), false) => check_text(route, &field("route")),
        (None, true) => Ok(()),
        (None, false) => Err((
            field("route"),
            "is missing: a guide with related items says which way fits whom, this guide's or the items' through Qiaoyi".into(),
        )),
        (Some(_), true) => Err((
            field("route"),
            "compares this guide's way with its related items, but related_items is empty".into(),
        )),
    }
}

fn digest(files: &[&SourceFile]) -> String {
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.path.as_bytes());
        hasher.update([0]);
        hasher.update(file.text.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests;
