//! A system without root certificates (a container image without ca-certificates): the client
//! still sets up TLS, with Mozilla's roots bundled with phasekit and one warning, and a CA
//! bundle given to it is trusted as before. Alone in its test binary: it empties the system's
//! store through SSL_CERT_FILE and SSL_CERT_DIR before the first TLS configuration is built,
//! which happens once per process.

use phasekit::logs::{self, LogLevel};
use phasekit::tls::{self, Roots};
use phasekit::{AppRef, BlockingClient, Client, ClientBuilder, ErrorCode, GetOptions};
use phasekit_server::{BackgroundServer, Seed, TlsIdentity, World};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

const SEED: &str = r#"{
  "apps": [{"name": "app", "environments": ["Development"],
            "secrets": {"Development": [{"key": "K", "value": "over tls"}]}}],
  "service_accounts": [{"name": "sa", "access": {"app": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

fn local_ca_and_leaf() -> (String, TlsIdentity) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "phasekit test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let mut leaf_params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = leaf_params
        .signed_by(&leaf_key, &Issuer::from_params(&ca_params, &ca_key))
        .unwrap();
    (
        ca_cert.pem(),
        TlsIdentity {
            cert_chain_pem: leaf.pem(),
            key_pem: leaf_key.serialize_pem(),
        },
    )
}

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
    let (world, tokens) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    let server = BackgroundServer::start_tls(world, &identity).unwrap();
    let options = GetOptions::new(AppRef::name("app"), "Development");
    let build = |builder: ClientBuilder| -> BlockingClient {
        builder
            .token(&tokens["sa"].token)
            .host(server.url())
            .build()
            .unwrap()
            .into()
    };

    // The configuration works: the handshake runs and refuses an authority it does not know.
    let err = build(Client::builder()).get(&options).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Tls, "{err}");
    assert!(!err.message().contains("cannot set up HTTPS"), "{err}");

    // A CA bundle is trusted with an empty system store too.
    let trusted = build(Client::builder().ca_bundle_pem(ca_pem));
    assert_eq!(trusted.get(&options).unwrap()[0].value.expose(), "over tls");
    std::fs::remove_dir_all(&empty).unwrap();
}
