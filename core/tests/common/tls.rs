//! A local certificate authority for the TLS tests.

use phasekit_server::TlsIdentity;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// A local certificate authority's PEM and a leaf for 127.0.0.1 and localhost that it signed
/// (rustls refuses a self-signed certificate used directly as the server's).
pub fn local_ca_and_leaf() -> (String, TlsIdentity) {
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
