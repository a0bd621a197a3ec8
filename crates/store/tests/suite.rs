//! Every integration test of the store, built as one binary: each file beside this one is a module,
//! so the crate and its dependencies are linked once instead of once per file.

mod contract;
mod migrations;

/// A crate with `autotests = false` builds only `tests/suite.rs`, so a test file it does not declare
/// would never be built or run. This keeps every such suite whole.
#[test]
fn every_test_file_is_part_of_its_suite() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    for krate in std::fs::read_dir(&crates).expect("crates directory") {
        let krate = krate.expect("crate").path();
        let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap_or_default();
        if !manifest.contains("autotests = false") {
            continue;
        }
        let suite = std::fs::read_to_string(krate.join("tests/suite.rs")).expect("tests/suite.rs");
        for entry in std::fs::read_dir(krate.join("tests")).expect("tests directory") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "suite") {
                assert!(
                    suite.contains(&format!("\nmod {module};\n")),
                    "{}/tests/{name} is not declared in its tests/suite.rs, so it would not run",
                    krate.display()
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 30,
        "only {checked} test files found: is the layout still crates/*/tests?"
    );
}
