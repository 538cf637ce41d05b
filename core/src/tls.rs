//! The TLS configuration of every client: rustls with the platform's certificate verifier (the
//! system's roots), plus an optional bundle of extra certificate authorities.
//!
//! Loading and parsing the system's roots costs tens of milliseconds, which every new client
//! would pay again; the configuration without extra roots is therefore built once per process
//! and shared (it is plain data, so it also survives a `fork`).

use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls_platform_verifier::Verifier;

use crate::error::{Error, ErrorCode, Result};

/// The verifying configuration, with the extra authorities of `extra_ca_pem` if given.
pub fn client_config(extra_ca_pem: Option<&[u8]>) -> Result<ClientConfig> {
    static PLATFORM: OnceLock<ClientConfig> = OnceLock::new();
    match extra_ca_pem {
        Some(pem) => build(parse_bundle(pem)?),
        None => {
            if let Some(config) = PLATFORM.get() {
                return Ok(config.clone());
            }
            let config = build(Vec::new())?;
            Ok(PLATFORM.get_or_init(|| config).clone())
        }
    }
}

fn build(extra_roots: Vec<CertificateDer<'static>>) -> Result<ClientConfig> {
    let setup = |e: rustls::Error| Error::new(ErrorCode::Tls, format!("cannot set up HTTPS: {e}"));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = if extra_roots.is_empty() {
        Verifier::new(provider.clone())
    } else {
        Verifier::new_with_extra_roots(extra_roots, provider.clone())
    }
    .map_err(setup)?;
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(setup)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // HTTP/2 where the server offers it, HTTP/1.1 otherwise.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
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
}
