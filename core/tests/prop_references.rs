//! `${...}` finding and parsing (`references::find`, `references::parse`) on arbitrary text.

mod common;

use common::reference_text::{soup, without_references};
use phasekit::ErrorCode;
use phasekit::references::{find, parse};
use proptest::prelude::*;

/// Text dense in the characters the reference grammar cares about.
fn reference_soup() -> impl Strategy<Value = String> {
    soup("\\$\\{|\\$|\\{|\\}|::|\\.|/|KEY|app|env|é|日| ")
}

/// Text that cannot contain a reference.
fn plain_text() -> impl Strategy<Value = String> {
    without_references(reference_soup())
}

proptest! {
    #[test]
    fn text_without_a_dollar_brace_has_no_references(text in plain_text()) {
        prop_assert!(find(&text).is_empty());
    }

    #[test]
    fn found_references_are_in_order_and_match_their_bodies(text in reference_soup()) {
        let mut end = 0;
        for (range, body) in find(&text) {
            prop_assert!(range.start >= end);
            end = range.end;
            prop_assert_eq!(&text[range], format!("${{{body}}}"));
            let closed = !body.is_empty() && !body.contains('}');
            prop_assert!(closed, "body {:?}", body);
        }
    }

    #[test]
    fn a_reference_between_plain_text_is_found_exactly(
        before in plain_text(),
        body in "[A-Za-z0-9_./:-]{1,20}",
        after in plain_text(),
    ) {
        // `before` may end in `$`, which must not swallow the reference's own `${`.
        let text = format!("{before}${{{body}}}{after}");
        let found = find(&text);
        let start = before.len();
        prop_assert!(!found.is_empty());
        prop_assert_eq!(found[0].0.clone(), start..start + body.len() + 3);
        prop_assert_eq!(found[0].1, body.as_str());
    }

    #[test]
    fn parsing_any_body_is_a_reference_or_an_unresolved_error(text in reference_soup()) {
        match parse(&text) {
            Ok(reference) => prop_assert!(reference.path.starts_with('/')),
            Err(err) => {
                prop_assert_eq!(err.code(), ErrorCode::ReferenceUnresolved);
                prop_assert!(text.contains("::"));
            }
        }
    }
}
