//! Folder paths are normalised the Go SDK's way (`references::normalize_path`, used for
//! reference targets and for indexing fetched secrets): `""` is the root `/`, a missing leading
//! `/` is added, trailing slashes are removed, and nothing else changes.

use phasekit::references::{normalize_path, parse};
use proptest::prelude::*;

/// Paths made mostly of slashes and short names, where the edge cases are.
fn path() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "(/|/+|[a-z]{1,3}|\\.| ){0,8}"]
}

fn segments() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[A-Za-z0-9_-]{1,8}", 0..5)
}

proptest! {
    #[test]
    fn normalising_twice_equals_once(p in path()) {
        let once = normalize_path(&p);
        prop_assert_eq!(normalize_path(&once), once);
    }

    #[test]
    fn normal_paths_start_with_a_slash_and_end_without_one_except_the_root(p in path()) {
        let normal = normalize_path(&p);
        prop_assert!(normal.starts_with('/'));
        prop_assert!(normal == "/" || !normal.ends_with('/'));
        prop_assert_eq!(normal == "/", p.trim_end_matches('/').is_empty());
    }

    #[test]
    fn only_the_ends_change(p in path(), trailing in 0usize..4) {
        let normal = normalize_path(&p);
        prop_assert!(normal.ends_with(p.trim_end_matches('/')));
        prop_assert!(normal.len() <= p.trim_end_matches('/').len() + 1);
        prop_assert_eq!(normalize_path(&format!("{p}{}", "/".repeat(trailing))), normal.clone());
        if !p.starts_with('/') {
            prop_assert_eq!(normalize_path(&format!("/{p}")), normal);
        }
    }

    #[test]
    fn folder_names_are_joined_under_the_root(names in segments(), lead in any::<bool>(), trail in 0usize..3) {
        let joined = names.join("/");
        let input = format!("{}{joined}{}", if lead { "/" } else { "" }, "/".repeat(trail));
        prop_assert_eq!(normalize_path(&input), format!("/{joined}"));
    }

    #[test]
    fn references_carry_normal_paths(
        env in proptest::option::of("[a-z]{1,10}"),
        names in segments(),
        trail in 0usize..3,
        key in "[A-Z_][A-Z0-9_]{0,15}",
    ) {
        let folder = format!("/{}{}", names.join("/"), "/".repeat(trail));
        let body = match &env {
            Some(env) => format!("{env}.{folder}/{key}"),
            None => format!("{folder}/{key}"),
        };
        let reference = parse(&body).unwrap();
        prop_assert_eq!(reference.env, env);
        prop_assert_eq!(reference.path, format!("/{}", names.join("/")));
        prop_assert_eq!(reference.key, key);
    }
}
