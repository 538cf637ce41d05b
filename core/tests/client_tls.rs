//! TLS: verification is on, a certificate from an unknown authority is a `tls` error, an extra
//! CA bundle makes it work, and switching verification off works only when asked for.

mod common;

use common::tls::local_ca_and_leaf;
use common::{Local, client_at, one_secret_seed};
use phasekit::{AppRef, Client, ErrorCode, GetOptions};

#[test]
fn unknown_authorities_are_refused_unless_trusted_or_verification_is_off() {
    let (ca_pem, identity) = local_ca_and_leaf();
    let local = Local::start_tls(&one_secret_seed("over tls"), &identity);
    assert!(local.server.url().starts_with("https://"));
    let options = GetOptions::new(AppRef::name("app"), "Development");
    let build = |builder| local.client_with("sa", builder);

    let err = build(Client::builder()).get(&options).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Tls, "{err}");
    assert!(!err.retryable());

    let trusted = build(Client::builder().ca_bundle_pem(ca_pem.clone()));
    assert_eq!(trusted.get(&options).unwrap()[0].value.expose(), "over tls");

    let unverified = build(Client::builder().danger_disable_tls_verification());
    assert_eq!(
        unverified.get(&options).unwrap()[0].value.expose(),
        "over tls"
    );

    let err = Client::builder()
        .token(&local.tokens["sa"])
        .ca_bundle_pem("not pem")
        .build()
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Tls);
}

#[test]
fn https_to_a_port_that_speaks_plain_http_is_a_tls_error() {
    // A common mistake with self-hosted servers: the scheme does not match what the port
    // serves. The failure is the TLS handshake's, and it says so.
    let local = Local::start(&one_secret_seed("over tls"));
    let https = local.server.url().replacen("http://", "https://", 1);
    let client = client_at(&local.tokens["sa"], https);
    let err = client
        .get(&GetOptions::new(AppRef::name("app"), "Development"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Tls, "{err}");
    assert!(!err.retryable(), "{err}");
    assert!(
        err.message().contains("is the host an http:// address?"),
        "{err}"
    );
}
