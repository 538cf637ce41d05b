//! Reference resolution through the client (`get` against the local server) on generated
//! values: text without `${` comes back unchanged, references to known secrets are replaced
//! by their values in every form, and arbitrary text resolves or fails with a reference error,
//! never a panic. Each case writes one value and reads it back, so the case count is lower
//! than the other property tests'.

mod common;

use common::Local;
use common::reference_text::{soup, without_references};
use phasekit::{AppRef, BlockingClient, ErrorCode, GetOptions, SecretUpdate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CASES: u32 = 64;

const SEED: &str = r#"{
  "apps": [
    {"name": "prop-app", "environments": ["Development", "Staging"],
     "secrets": {
       "Development": [
         {"key": "KNOWN", "value": "known value"},
         {"key": "DEEP", "value": "deep value", "path": "/a/b"},
         {"key": "PLAIN_PROBE", "value": ""},
         {"key": "KNOWN_PROBE", "value": ""},
         {"key": "ANY_PROBE", "value": ""}
       ],
       "Staging": [{"key": "OTHER", "value": "staging value"}]
     }},
    {"name": "second", "environments": ["prod"],
     "secrets": {"prod": [{"key": "FAR", "value": "far value"}]}}
  ],
  "service_accounts": [{"name": "sa", "access": {"prop-app": "*", "second": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

/// Every reference form, each with the value it must resolve to.
const KNOWN: [(&str, &str); 7] = [
    ("${KNOWN}", "known value"),
    ("${/KNOWN}", "known value"),
    ("${Development.KNOWN}", "known value"),
    ("${/a/b/DEEP}", "deep value"),
    ("${a/b//DEEP}", "deep value"),
    ("${staging.OTHER}", "staging value"),
    ("${second::prod.FAR}", "far value"),
];

/// Text dense in reference syntax and in names that exist.
fn names_soup() -> impl Strategy<Value = String> {
    soup("\\$\\{|\\}|::|\\.|/|KNOWN|DEEP|OTHER|ANY_PROBE|staging|second|prod|a|b|\\$| ")
}

fn plain() -> impl Strategy<Value = String> {
    without_references(names_soup())
}

/// Stores `value` in `key` and returns what `get` makes of it.
fn round_trip(
    client: &BlockingClient,
    key: &str,
    value: &str,
    strict: bool,
) -> phasekit::Result<String> {
    let app = AppRef::name("prop-app");
    let mut update = SecretUpdate::new(key);
    update.value = Some(value.to_owned());
    client.update(&app, "Development", &update)?;
    let options = GetOptions::new(app, "Development")
        .keys([key])
        .strict_references(strict);
    let secrets = client.get(&options)?;
    assert_eq!(secrets.len(), 1);
    Ok(secrets[0].value.expose().to_owned())
}

fn run<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config::with_cases(CASES));
    if let Err(err) = runner.run(&strategy, test) {
        panic!("{err}");
    }
}

#[test]
fn text_without_a_reference_is_returned_unchanged() {
    let local = Local::start(SEED);
    let client = local.client("sa");
    run((plain(), any::<bool>()), |(value, strict)| {
        prop_assert_eq!(
            round_trip(&client, "PLAIN_PROBE", &value, strict).unwrap(),
            value
        );
        Ok(())
    });
}

#[test]
fn references_to_known_secrets_are_replaced_by_their_values() {
    let local = Local::start(SEED);
    let client = local.client("sa");
    let strategy = (plain(), 0..KNOWN.len(), plain());
    run(strategy, |(before, which, after)| {
        let (reference, value) = KNOWN[which];
        let stored = format!("{before}{reference}{after}");
        let got = round_trip(&client, "KNOWN_PROBE", &stored, true).unwrap();
        prop_assert_eq!(got, format!("{before}{value}{after}"));
        Ok(())
    });
}

#[test]
fn arbitrary_text_resolves_or_fails_with_a_reference_error() {
    let local = Local::start(SEED);
    let client = local.client("sa");
    run((names_soup(), any::<bool>()), |(value, strict)| {
        match round_trip(&client, "ANY_PROBE", &value, strict) {
            // Lenient resolution never loses text that holds no reference.
            Ok(got) => {
                let holds_reference = value.contains("${");
                prop_assert!(holds_reference || got == value);
            }
            Err(err) => prop_assert!(
                matches!(
                    err.code(),
                    ErrorCode::ReferenceCycle | ErrorCode::ReferenceUnresolved
                ),
                "{:?}: {}",
                err.code(),
                err.message()
            ),
        }
        Ok(())
    });
}
