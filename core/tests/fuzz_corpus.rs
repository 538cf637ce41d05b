//! The fuzz targets' smoke run in `make test`: every committed input of fuzz/corpus/<target>/
//! goes through the same check the libFuzzer target runs (fuzz/src/lib.rs), in the ordinary
//! test build, so the checks cannot rot and every target's seed inputs stay clean. The long,
//! coverage-guided runs are `make fuzz` (fuzz/README.md).

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        // Also every prefix: truncated inputs are what a fuzzer tries first.
        for end in (0..=data.len()).step_by((data.len() / 16).max(1)) {
            check(&data[..end]);
        }
        check(&data);
        inputs += 1;
    }
    assert!(inputs >= 3, "{target}: only {inputs} corpus inputs");
}

/// One test per fuzz target, named `<target>_corpus`, replaying fuzz/corpus/<target>/ through
/// the check of the same name.
macro_rules! corpus_tests {
    ($($target:ident => $test:ident),+ $(,)?) => {$(
        #[test]
        fn $test() {
            replay(stringify!($target), checks::$target);
        }
    )+};
}

corpus_tests! {
    token_parse => token_parse_corpus,
    ph_decrypt => ph_decrypt_corpus,
    wire_json => wire_json_corpus,
    references => references_corpus,
}
