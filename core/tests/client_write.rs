//! create, update and delete against the local server: what changes and what stays, request
//! counts, personal overrides, and typed errors.

mod common;

use common::Local;
use phasekit::{AppRef, BlockingClient, ErrorCode, GetOptions, NewSecret, Secret, SecretUpdate};
use phasekit_server::BackgroundServer;

const SEED: &str = r#"{
  "apps": [{"name": "app", "environments": ["Development"],
            "secrets": {"Development": [
              {"key": "KEPT", "value": "v1", "comment": "keep me", "tags": ["a", "b"]},
              {"key": "TWIN", "value": "root"},
              {"key": "TWIN", "value": "nested", "path": "/nested"}
            ]}}],
  "service_accounts": [{"name": "sa", "access": {"app": "*"}, "tokens": [{"name": "sa"}]}],
  "users": [{"name": "alice", "access": {"app": "*"}, "tokens": [{"name": "alice"}]}]
}"#;

struct Fixture {
    server: BackgroundServer,
    sa: BlockingClient,
    alice: BlockingClient,
}

fn start() -> Fixture {
    let local = Local::start(SEED);
    Fixture {
        sa: local.client("sa"),
        alice: local.client("alice"),
        server: local.server,
    }
}

fn app() -> AppRef {
    AppRef::name("app")
}

fn read(client: &BlockingClient, key: &str) -> Vec<Secret> {
    client
        .get(&GetOptions::new(app(), "Development").keys([key]).raw(true))
        .unwrap()
}

fn one(client: &BlockingClient, key: &str) -> Secret {
    let mut found = read(client, key);
    assert_eq!(found.len(), 1, "{key}");
    found.remove(0)
}

#[test]
fn created_secrets_read_back_with_every_field() {
    let fx = start();
    let mut secret = NewSecret::new("NEW_KEY", "multi\nline ✓");
    secret.comment = Some("a comment".into());
    secret.tags = vec!["payments".into()];
    secret.path = Some("/svc".into());
    secret.secret_type = Some("config".into());
    fx.sa
        .create(
            &app(),
            "Development",
            &[secret, NewSecret::new("lower_case", "")],
        )
        .unwrap();
    let got = one(&fx.sa, "NEW_KEY");
    assert_eq!(
        (got.value.expose(), got.comment.as_str(), got.path.as_str()),
        ("multi\nline ✓", "a comment", "/svc")
    );
    assert_eq!(
        (got.tags.clone(), got.secret_type.as_str()),
        (vec!["payments".to_owned()], "config")
    );
    // Keys are stored as given, and found by the digest of exactly that name.
    assert_eq!(one(&fx.sa, "lower_case").value.expose(), "");

    let err = fx
        .sa
        .create(&app(), "Development", &[NewSecret::new("KEPT", "again")])
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (ErrorCode::Conflict, Some(409)));
    let mut bad = NewSecret::new("T", "v");
    bad.secret_type = Some("weird".into());
    assert_eq!(
        fx.sa
            .create(&app(), "Development", &[bad])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        fx.sa
            .create(&app(), "Development", &[NewSecret::new(" ", "v")])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn updates_change_only_what_they_are_given() {
    let fx = start();
    fx.sa.get(&GetOptions::new(app(), "Development")).unwrap(); // warm the session
    fx.server.reset_request_counts();
    let mut update = SecretUpdate::new("KEPT");
    update.value = Some(String::new());
    fx.sa.update(&app(), "Development", &update).unwrap();
    let counts = fx.server.request_counts();
    assert_eq!(
        (counts.get("GET /secrets/"), counts.get("PUT /secrets/")),
        (Some(&1), Some(&1)),
        "a digest lookup and the PUT"
    );
    let kept = one(&fx.sa, "KEPT");
    assert_eq!(kept.value.expose(), "", "an empty value is a value");
    assert_eq!(
        (kept.comment.as_str(), kept.tags.len()),
        ("keep me", 2),
        "comment and tags stay"
    );

    let mut update = SecretUpdate::new("KEPT");
    update.tags = Some(vec![]);
    update.comment = Some("new".into());
    update.new_path = Some("/moved".into());
    fx.sa.update(&app(), "Development", &update).unwrap();
    let moved = one(&fx.sa, "KEPT");
    assert_eq!(
        (
            moved.path.as_str(),
            moved.comment.as_str(),
            moved.tags.len()
        ),
        ("/moved", "new", 0)
    );

    let err = fx
        .sa
        .update(&app(), "Development", &SecretUpdate::new("TWIN"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Ambiguous);
    assert!(err.message().contains("/nested"), "{err}");
    let mut update = SecretUpdate::new("TWIN");
    update.path = Some("/nested".into());
    update.value = Some("changed".into());
    fx.sa.update(&app(), "Development", &update).unwrap();
    let twins = read(&fx.sa, "TWIN");
    let nested = twins.iter().find(|s| s.path == "/nested").unwrap();
    assert_eq!(nested.value.expose(), "changed");
    assert_eq!(
        fx.sa
            .update(&app(), "Development", &SecretUpdate::new("NOPE"))
            .unwrap_err()
            .code(),
        ErrorCode::SecretNotFound
    );
}

#[test]
fn deletes_report_the_keys_not_found() {
    let fx = start();
    let not_found = fx
        .sa
        .delete(&app(), "Development", &["KEPT".into(), "NOPE".into()], None)
        .unwrap();
    assert_eq!(not_found, ["NOPE"]);
    assert!(read(&fx.sa, "KEPT").is_empty());
    assert_eq!(
        fx.sa
            .delete(&app(), "Development", &["TWIN".into()], None)
            .unwrap_err()
            .code(),
        ErrorCode::Ambiguous
    );
    assert!(
        fx.sa
            .delete(&app(), "Development", &["TWIN".into()], Some("/"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(read(&fx.sa, "TWIN").len(), 1);
}

#[test]
fn personal_overrides_are_set_toggled_and_private() {
    let fx = start();
    let mut update = SecretUpdate::new("KEPT");
    update.override_value = Some("mine".into());
    fx.alice.update(&app(), "Development", &update).unwrap();
    let mine = one(&fx.alice, "KEPT");
    assert!(mine.overridden);
    assert_eq!(mine.value.expose(), "mine");
    assert_eq!(
        one(&fx.sa, "KEPT").value.expose(),
        "v1",
        "others see the shared value"
    );

    let mut toggle = SecretUpdate::new("KEPT");
    toggle.toggle_override = true;
    fx.alice.update(&app(), "Development", &toggle).unwrap();
    let off = one(&fx.alice, "KEPT");
    assert!(!off.overridden);
    assert_eq!(off.value.expose(), "v1");

    let mut created = NewSecret::new("ALICE_ONLY", "shared");
    created.override_value = Some("personal".into());
    fx.alice
        .create(&app(), "Development", &[created.clone()])
        .unwrap();
    assert_eq!(one(&fx.alice, "ALICE_ONLY").value.expose(), "personal");

    let err = fx.sa.update(&app(), "Development", &update).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("personal access token"), "{err}");
    let err = fx.alice.update(&app(), "Development", &{
        let mut t = SecretUpdate::new("TWIN");
        t.path = Some("/".into());
        t.toggle_override = true;
        t
    });
    assert_eq!(
        err.unwrap_err().code(),
        ErrorCode::InvalidInput,
        "nothing to toggle"
    );
}
