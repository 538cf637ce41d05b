//! TLS: verification is on, a certificate from an unknown authority is a `tls` error, an extra
//! CA bundle makes it work, and switching verification off works only when asked for.

use phasekit::{AppRef, BlockingClient, Client, ErrorCode, GetOptions};
use phasekit_server::{BackgroundServer, Seed, TlsIdentity, World};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

const SEED: &str = r#"{
  "apps": [{"name": "app", "environments": ["Development"],
            "secrets": {"Development": [{"key": "K", "value": "over tls"}]}}],
  "service_accounts": [{"name": "sa", "access": {"app": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

/// A local certificate authority and a leaf for 127.0.0.1 and localhost that it signed
/// (rustls refuses a self-signed certificate used directly as the server's).
fn local_ca_and_leaf() -> (String, TlsIdentity) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "phasekit test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let mut leaf_params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    let leaf_key = KeyPair::generate().unwrap();
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    (
        ca_cert.pem(),
        TlsIdentity {
            cert_chain_pem: leaf.pem(),
            key_pem: leaf_key.serialize_pem(),
        },
    )
}

#[test]
fn unknown_authorities_are_refused_unless_trusted_or_verification_is_off() {
    let (ca_pem, identity) = local_ca_and_leaf();
    let (world, tokens) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    let server = BackgroundServer::start_tls(world, &identity).unwrap();
    assert!(server.url().starts_with("https://"));
    let token = tokens["sa"].token.clone();
    let options = GetOptions::new(AppRef::name("app"), "Development");
    let build = |builder: phasekit::ClientBuilder| -> BlockingClient {
        builder
            .token(&token)
            .host(server.url())
            .build()
            .unwrap()
            .into()
    };

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
        .token(&token)
        .ca_bundle_pem("not pem")
        .build()
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Tls);
}

#[test]
fn https_to_a_port_that_speaks_plain_http_is_a_tls_error() {
    // A common mistake with self-hosted servers: the scheme does not match what the port
    // serves. The failure is the TLS handshake's, and it says so.
    let (world, tokens) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    let server = BackgroundServer::start(world).unwrap();
    let https = server.url().replacen("http://", "https://", 1);
    let client: BlockingClient = Client::builder()
        .token(&tokens["sa"].token)
        .host(https)
        .build()
        .unwrap()
        .into();
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
