//! A system without root certificates (a container image without ca-certificates): the client
//! still sets up TLS, with Mozilla's roots bundled with phasekit and one warning, and a CA
//! bundle given to it is trusted as before. Alone in its test binary: it empties the system's
//! store through SSL_CERT_FILE and SSL_CERT_DIR before the first TLS configuration is built,
//! which happens once per process.

mod common;

use common::tls::local_ca_and_leaf;
use common::{Local, one_secret_seed};
use phasekit::logs::{self, LogLevel};
use phasekit::tls::{self, Roots};
use phasekit::{AppRef, Client, ErrorCode, GetOptions};

#[test]
fn without_system_roots_the_bundled_ones_stand_in() {
    let empty = std::env::temp_dir().join(format!("phasekit-no-roots-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    // SAFETY: the only test of this binary; no other thread reads the environment yet.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", empty.join("none.pem"));
        std::env::set_var("SSL_CERT_DIR", &empty);
    }
    logs::collect();

    assert_eq!(tls::default_roots().unwrap(), Roots::Bundled);
    let warnings: Vec<String> = logs::drain()
        .into_iter()
        .filter(|r| r.level == LogLevel::Warn)
        .map(|r| r.message)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("bundled with phasekit"),
        "{warnings:?}"
    );

    let (ca_pem, identity) = local_ca_and_leaf();
    let local = Local::start_tls(&one_secret_seed("over tls"), &identity);
    let options = GetOptions::new(AppRef::name("app"), "Development");
    let build = |builder| local.client_with("sa", builder);

    // The configuration works: the handshake runs and refuses an authority it does not know.
    let err = build(Client::builder()).get(&options).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Tls, "{err}");
    assert!(!err.message().contains("cannot set up HTTPS"), "{err}");

    // A CA bundle is trusted with an empty system store too.
    let trusted = build(Client::builder().ca_bundle_pem(ca_pem));
    assert_eq!(trusted.get(&options).unwrap()[0].value.expose(), "over tls");
    std::fs::remove_dir_all(&empty).unwrap();
}
