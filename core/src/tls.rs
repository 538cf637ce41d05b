//! The TLS configuration of every client: rustls with the platform's certificate verifier (the
//! system's roots), plus an optional bundle of extra certificate authorities.
//!
//! Loading and parsing the system's roots costs tens of milliseconds, which every new client
//! would pay again; the configuration without extra roots is therefore built once per process
//! and shared (it is plain data, so it also survives a `fork`).
//!
//! A system without any root certificate (a container image without `ca-certificates`, or
//! `SSL_CERT_FILE` pointing at nothing) still gets a working configuration: Mozilla's roots,
//! bundled with phasekit as the official SDKs bundle them (certifi, Node's own store), with one
//! warning. A CA bundle given to the client is trusted either way.

use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use rustls_platform_verifier::Verifier;

use crate::error::{Error, ErrorCode, Result};

/// Where the trusted roots of a configuration come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// The operating system's store (plus a CA bundle if given).
    Platform,
    /// The system has none: Mozilla's roots bundled with phasekit (plus a CA bundle if given).
    Bundled,
}

/// The verifying configuration, with the extra authorities of `extra_ca_pem` if given.
pub fn client_config(extra_ca_pem: Option<&[u8]>) -> Result<ClientConfig> {
    match extra_ca_pem {
        Some(pem) => build(parse_bundle(pem)?).map(|(config, _)| config),
        None => shared().map(|(config, _)| config.clone()),
    }
}

/// Where the roots of the configuration without a CA bundle come from.
pub fn default_roots() -> Result<Roots> {
    shared().map(|(_, roots)| *roots)
}

/// The configuration without a CA bundle, built once per process.
fn shared() -> Result<&'static (ClientConfig, Roots)> {
    static SHARED: OnceLock<(ClientConfig, Roots)> = OnceLock::new();
    if let Some(shared) = SHARED.get() {
        return Ok(shared);
    }
    let built = build(Vec::new())?;
    Ok(SHARED.get_or_init(|| built))
}

fn build(extra_roots: Vec<CertificateDer<'static>>) -> Result<(ClientConfig, Roots)> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let (verifier, roots) = verifier(extra_roots, &provider)?;
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(setup_error)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // HTTP/2 where the server offers it, HTTP/1.1 otherwise.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((config, roots))
}

fn verifier(
    extra_roots: Vec<CertificateDer<'static>>,
    provider: &Arc<CryptoProvider>,
) -> Result<(Arc<dyn ServerCertVerifier>, Roots)> {
    let platform = if extra_roots.is_empty() {
        Verifier::new(provider.clone())
    } else {
        Verifier::new_with_extra_roots(extra_roots.clone(), provider.clone())
    };
    let failure = match platform {
        Ok(verifier) => return Ok((Arc::new(verifier), Roots::Platform)),
        Err(failure) => failure,
    };
    // The platform verifier fails only when it finds no root at all (extra roots count): then
    // the bundled ones stand in.
    if !extra_roots.is_empty() {
        return Err(setup_error(failure));
    }
    tracing::warn!(
        "the system provides no CA certificates ({failure}); trusting the Mozilla root \
         certificates bundled with phasekit instead (install ca-certificates, set SSL_CERT_FILE, \
         or give a CA bundle to trust others)"
    );
    let mut store = RootCertStore::empty();
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
        .build()
        .map_err(|e| Error::new(ErrorCode::Tls, format!("cannot set up HTTPS: {e}")))?;
    Ok((verifier, Roots::Bundled))
}

fn setup_error(e: rustls::Error) -> Error {
    Error::new(ErrorCode::Tls, format!("cannot set up HTTPS: {e}"))
}

fn parse_bundle(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::new(
                ErrorCode::Tls,
                format!("the CA bundle is not valid PEM: {e}"),
            )
        })?;
    if certificates.is_empty() {
        return Err(Error::new(
            ErrorCode::Tls,
            "the CA bundle holds no PEM certificate",
        ));
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_configuration_is_built_once_and_offers_h2() {
        let first = client_config(None).unwrap();
        let second = client_config(None).unwrap();
        assert!(Arc::ptr_eq(
            first.crypto_provider(),
            second.crypto_provider()
        ));
        assert_eq!(first.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
    }

    #[test]
    fn a_bundle_without_certificates_is_a_tls_error() {
        for pem in [&b""[..], b"not pem at all"] {
            let error = client_config(Some(pem)).unwrap_err();
            assert_eq!(error.code(), ErrorCode::Tls);
        }
    }

    #[test]
    fn a_system_with_roots_uses_them() {
        // The machines this runs on have ca-certificates; the other path is tested in
        // tests/client_tls_without_system_roots.rs, in a process of its own.
        assert_eq!(default_roots().unwrap(), Roots::Platform);
    }
}
