//! The committed C header (go/include/phasekit.h, inside the Go module that includes it) is
//! exactly what cbindgen makes of the crate's
//! `extern "C"` functions (src/c/). `PHASEKIT_BLESS=1` rewrites it (`make ffi-header`).

use std::path::Path;

#[test]
fn header_is_current() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_src(crate_dir.join("src/lib.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen parses the crate")
        .write(&mut generated);
    let path = crate_dir.join("../../go/include/phasekit.h");
    if std::env::var_os("PHASEKIT_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("go/include/phasekit.h is writable");
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "go/include/phasekit.h is out of date: run `make ffi-header`\n--- generated ---\n{}",
        String::from_utf8_lossy(&generated)
    );
}
