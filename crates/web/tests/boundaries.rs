//! The web crate works with read models (`qiaoyi_domain`) and the app's own views, never with the
//! store's rows: nothing under `src/` or `templates/` names the store crate or a type it exports,
//! except the failures and inputs the app re-exports on purpose, and the app re-exports nothing
//! else of the store. Plain reading of the sources: no database, no network.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What `qiaoyi_app` re-exports from the store on purpose (its `lib.rs` says why): the failures
/// the one classifier maps, and inputs that are not table rows.
const ALLOWED: [&str; 6] = [
    "AuditFilter",
    "Backend",
    "ConflictKind",
    "ImportOutcome",
    "Page",
    "StoreError",
];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crates directory")
        .to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, in a stable order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// The identifiers of `text` that can name a type: not those after `Type::`, which name a variant
/// or an associated item (`ConfigError::DatabaseUrl` is not the store's `DatabaseUrl`).
fn type_names(text: &str) -> impl Iterator<Item = &str> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let part_of_word = c.is_alphanumeric() || c == '_';
        match (start, part_of_word) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let before = text[..s].strip_suffix("::").map(|b| {
                    let segment = b
                        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("");
                    segment.starts_with(|c: char| c.is_ascii_uppercase())
                });
                if before != Some(true) {
                    words.push(&text[s..i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    words
        .into_iter()
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// The names a `pub use <prefix>…;` statement brings in, for every such statement in `text`.
fn reexported<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let statement = &rest[at + prefix.len()..];
        let end = statement.find(';').expect("a `pub use` ends with `;`");
        let body = &statement[..end];
        // `a::{B, C}` brings in B and C; `a::B` brings in B.
        let listed = match body.find('{') {
            Some(open) => &body[open..],
            None => body.rsplit("::").next().unwrap_or(body),
        };
        names.extend(identifiers(listed).filter(|w| *w != "self"));
        rest = &statement[end..];
    }
    names
}

#[test]
fn web_names_no_type_of_the_store() {
    let store = read(&crates_dir().join("store/src/lib.rs"));
    let exported: BTreeSet<&str> = reexported(&store, "pub use ").into_iter().collect();
    assert!(
        exported.contains("CaseRow") && exported.contains("StoreError"),
        "the store's exports were not read: {exported:?}"
    );
    let web = crates_dir().join("web");
    let mut found = Vec::new();
    for file in files(&web.join("src"))
        .into_iter()
        .chain(files(&web.join("templates")))
    {
        let text = read(&file);
        let shown = file
            .strip_prefix(&web)
            .unwrap_or(&file)
            .display()
            .to_string();
        if text.contains("qiaoyi_store") {
            found.push(format!("{shown}: names the store crate"));
        }
        let named: BTreeSet<&str> = type_names(&text)
            .filter(|w| exported.contains(w) && !ALLOWED.contains(w))
            .collect();
        for name in named {
            found.push(format!("{shown}: {name}"));
        }
    }
    assert!(
        found.is_empty(),
        "web must use read models from qiaoyi_domain or the app's views, not the store's types:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_app_reexports_only_failures_and_inputs_of_the_store() {
    let app = read(&crates_dir().join("app/src/lib.rs"));
    let names = reexported(&app, "pub use qiaoyi_store::");
    assert!(
        !names.is_empty(),
        "the app's re-export of the store was not found"
    );
    let extra: Vec<&str> = names.into_iter().filter(|n| !ALLOWED.contains(n)).collect();
    assert!(
        extra.is_empty(),
        "qiaoyi_app re-exports store types that are neither failures nor inputs: {extra:?}; \
         give the web a read model in qiaoyi_domain instead"
    );
}
