//! Generated text for the reference property tests (finding and parsing, resolving).

use proptest::prelude::*;
use proptest::string::string_regex;

/// Any text, or text made only of `tokens` (a regex alternation such as `\$\{|KEY| `): dense
/// in what the reference grammar cares about.
pub fn soup(tokens: &str) -> impl Strategy<Value = String> + use<> {
    let dense = string_regex(&format!("({tokens}){{0,24}}")).expect("a valid regex");
    prop_oneof![any::<String>(), dense]
}

/// The text of `strategy` with every `${` broken up (`$ {`): it keeps `$` and `{` around but
/// can hold no reference.
pub fn without_references(
    strategy: impl Strategy<Value = String>,
) -> impl Strategy<Value = String> {
    strategy.prop_map(|text| text.replace("${", "$ {"))
}
