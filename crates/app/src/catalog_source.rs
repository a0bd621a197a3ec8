//! Where catalogue files come from: the reference catalogue built into the binary, or a directory.

use std::path::Path;

use include_dir::{Dir, include_dir};
use qiaoyi_domain::catalog::{Catalog, CatalogError, SourceFile};

static REFERENCE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../catalog");

/// The reference deployment's catalogue (Qingtian county), as shipped in `catalog/`.
pub fn reference() -> Vec<SourceFile> {
    let mut files = Vec::new();
    collect_embedded(&REFERENCE, &mut files);
    files
}

/// The reference catalogue parsed, once per process: it is built into the binary and never
/// changes, and every demo seeding (each test's among them) would otherwise parse it again.
pub fn reference_catalog() -> Result<&'static Catalog, CatalogError> {
    static PARSED: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    if let Some(catalog) = PARSED.get() {
        return Ok(catalog);
    }
    let catalog = qiaoyi_domain::catalog::parse(&reference())?;
    Ok(PARSED.get_or_init(|| catalog))
}

/// One file of the reference catalogue, as shipped, by its path inside `catalog/`.
pub fn reference_file(path: &str) -> Option<&'static str> {
    REFERENCE.get_file(path).and_then(|f| f.contents_utf8())
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<SourceFile>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if let (true, Some(text)) = (path.ends_with(".toml"), file.contents_utf8()) {
            out.push(SourceFile {
                path,
                text: text.to_owned(),
            });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

/// Why a catalogue directory could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ReadError {
    pub path: String,
    pub message: String,
}

/// Reads every `.toml` file of a catalogue directory and its subdirectories one level down.
pub fn read_dir(root: &Path) -> Result<Vec<SourceFile>, ReadError> {
    let mut files = Vec::new();
    read_into(root, root, 0, &mut files)?;
    Ok(files)
}

fn read_into(
    root: &Path,
    dir: &Path,
    depth: u8,
    out: &mut Vec<SourceFile>,
) -> Result<(), ReadError> {
    let fail = |path: &Path, e: std::io::Error| ReadError {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(|e| fail(dir, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(dir, e))?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() && depth == 0 {
            read_into(root, &path, depth + 1, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let bytes = std::fs::read(&path).map_err(|e| fail(&path, e))?;
            let text = String::from_utf8(bytes).map_err(|_| ReadError {
                path: path.display().to_string(),
                message: "is not UTF-8 text".into(),
            })?;
            let relative = path.strip_prefix(root).unwrap_or(&path);
            out.push(SourceFile {
                path: relative.to_string_lossy().replace('\\', "/"),
                text,
            });
        }
    }
    Ok(())
}
