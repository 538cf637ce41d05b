//! The committed generated files are what the core's declarations make now.
//! `PHASEKIT_BLESS=1` (`make surface`) rewrites them.

use std::path::Path;

#[test]
fn generated_files_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stale = Vec::new();
    for generated in phasekit_surface::all() {
        let path = root.join(generated.path);
        if std::env::var_os("PHASEKIT_BLESS").is_some() {
            std::fs::write(&path, &generated.text).expect("the generated file is writable");
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != generated.text {
            stale.push(generated.path);
        }
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; run `make surface` and commit them"
    );
}
