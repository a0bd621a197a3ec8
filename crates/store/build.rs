//! Embeds the migrations of both backends in the binary, as `sqlx::migrate!` would, without
//! sqlx's macros: those build both database drivers (and SQLite's C library) a second time, for
//! the compiler, which was a minute and more of every clean build.
//!
//! Writes `$OUT_DIR/migrations.rs` with one `(version, description, sql)` table per backend;
//! `connect.rs` turns them into `Migrator`s. The file names follow sqlx's rule,
//! `<version>_<description>.sql`, and the description is sqlx's (underscores become spaces), so
//! databases migrated by earlier builds see the same versions and checksums.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../migrations");
    let mut out = String::new();
    for (constant, dir) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        let dir = root.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        out += &format!("pub(crate) const {constant}: &[(i64, &str, &str)] = &[\n");
        for (version, description, path) in migrations_in(&dir) {
            let path = path.to_str().expect("a migration's path is UTF-8");
            out += &format!("    ({version}, {description:?}, include_str!({path:?})),\n");
        }
        out += "];\n";
    }
    let target =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    fs::write(target, out).expect("OUT_DIR is writable");
}

/// The `.sql` files of `dir`, sorted by version; a name that does not follow the rule stops the
/// build rather than being skipped, so a misnamed migration cannot silently not run.
fn migrations_in(dir: &Path) -> Vec<(i64, String, PathBuf)> {
    let dir = dir
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut migrations = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a readable migrations directory").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some(stem) = name.strip_suffix(".sql") else {
            continue;
        };
        let (version, description) = stem
            .split_once('_')
            .and_then(|(v, d)| Some((v.parse::<i64>().ok()?, d.replace('_', " "))))
            .unwrap_or_else(|| panic!("{name}: a migration is named <version>_<description>.sql"));
        migrations.push((version, description, path));
    }
    migrations.sort();
    migrations
}
