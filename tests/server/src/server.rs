//! The HTTP/1.1 server: one task per connection, fault injection before routing, request
//! counting, and a connection drop (no response at all) when a fault asks for one.

use std::collections::BTreeMap;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::faults::{FaultState, Verdict};
use crate::http::reply::{Body, Reply};
use crate::http::{self, Query, admin};
use crate::world::World;

/// Largest request body accepted (the real server's proxy limits are similar).
const MAX_BODY: usize = 16 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct Shared {
    pub world: Mutex<World>,
    pub faults: Mutex<FaultState>,
    /// "METHOD /path/" -> number of requests (admin requests are not counted).
    pub counts: Mutex<BTreeMap<String, u64>>,
}

/// A running server; dropping it (or calling `shutdown`) stops accepting connections.
pub struct RunningServer {
    pub addr: SocketAddr,
    tls: bool,
    pub shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Binds to `addr` (port 0 picks a free port) and serves `world` on the current runtime.
pub async fn serve(world: World, addr: SocketAddr) -> std::io::Result<RunningServer> {
    serve_with(world, addr, None).await
}

/// A certificate chain and its private key, both PEM, for serving HTTPS.
#[derive(Debug, Clone)]
pub struct TlsIdentity {
    pub cert_chain_pem: String,
    pub key_pem: String,
}

fn tls_acceptor(identity: &TlsIdentity) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let invalid = |e: &dyn std::fmt::Display| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
    };
    let chain = CertificateDer::pem_slice_iter(identity.cert_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(&e))?;
    let key =
        PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).map_err(|e| invalid(&e))?;
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        tokio_rustls::rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| invalid(&e))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| invalid(&e))?;
    Ok(tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config)))
}

/// Like [`serve`], over HTTPS with the given identity.
pub async fn serve_tls(
    world: World,
    addr: SocketAddr,
    identity: &TlsIdentity,
) -> std::io::Result<RunningServer> {
    serve_with(world, addr, Some(tls_acceptor(identity)?)).await
}

async fn serve_with(
    world: World,
    addr: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<RunningServer> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let tls_enabled = tls.is_some();
    let shared = Arc::new(Shared {
        world: Mutex::new(world),
        ..Default::default()
    });
    let (stop, mut stopped) = watch::channel(false);
    let accept_shared = shared.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(connection) => connection,
                    Err(_) => continue,
                },
                _ = stopped.changed() => break,
            };
            let shared = accept_shared.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| handle(shared.clone(), request));
                // Errors here are clients going away, failed handshakes or injected drops.
                match tls {
                    None => {
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            let _ = http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                    }
                }
            });
        }
    });
    Ok(RunningServer {
        addr,
        tls: tls_enabled,
        shared,
        stop,
    })
}

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(render(Reply::error(413, "Request body too large."))),
    };
    let path = http::backend_path(parts.uri.path()).to_owned();
    if path.starts_with("/_admin/") {
        return Ok(render(admin::route(&shared, &parts.method, &path, &body)));
    }
    *shared
        .counts
        .lock()
        .expect("counts lock")
        .entry(format!("{} {path}", parts.method))
        .or_default() += 1;

    let (verdict, latency) = shared.faults.lock().expect("faults lock").judge(&path);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let reply = match verdict {
        Verdict::Drop => return Err(DropConnection),
        Verdict::Fail(status) => Reply::error(status, "Injected failure."),
        Verdict::Throttle(seconds) => Reply::error(
            429,
            format!("Request was throttled. Expected available in {seconds} seconds."),
        )
        .with_header("Retry-After", seconds.to_string()),
        Verdict::Serve | Verdict::Corrupt { .. } => {
            let query = Query::parse(parts.uri.query());
            let mut world = shared.world.lock().expect("world lock");
            http::route(
                &mut world,
                &parts.method,
                &path,
                &parts.headers,
                &query,
                &body,
            )
        }
    };
    if let Verdict::Corrupt { corruption, size } = verdict {
        if let (200..=299, Body::Json(value)) = (reply.status, &reply.body) {
            let (content_type, bytes) = crate::corrupt::corrupt(value, corruption, size);
            return Ok(Response::builder()
                .status(reply.status)
                .header("Content-Type", content_type)
                .body(Full::new(bytes))
                .expect("valid response parts"));
        }
    }
    Ok(render(reply))
}

fn render(reply: Reply) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (content_type, bytes) = match reply.body {
        Body::Json(value) => (
            Some("application/json"),
            Bytes::from(serde_json::to_vec(&value).expect("JSON values serialize")),
        ),
        Body::Html(page) => (
            Some("text/html; charset=utf-8"),
            Bytes::from_static(page.as_bytes()),
        ),
        Body::Empty => (None, Bytes::new()),
    };
    let mut response = Response::builder().status(status);
    if reply.status == 401 {
        // Django REST framework names the scheme on every authentication failure.
        response = response.header("WWW-Authenticate", "Bearer");
    }
    if let Some(content_type) = content_type {
        response = response.header("Content-Type", content_type);
    }
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    response
        .body(Full::new(bytes))
        .expect("valid response parts")
}

/// Runs a server on its own thread and runtime, for blocking tests in any crate.
pub struct BackgroundServer {
    pub server: RunningServer,
    _runtime: tokio::runtime::Runtime,
}

impl BackgroundServer {
    pub fn start(world: World) -> std::io::Result<BackgroundServer> {
        Self::start_with(world, None)
    }

    /// An HTTPS server with the given certificate chain and key.
    pub fn start_tls(world: World, identity: &TlsIdentity) -> std::io::Result<BackgroundServer> {
        Self::start_with(world, Some(identity))
    }

    fn start_with(
        world: World,
        identity: Option<&TlsIdentity>,
    ) -> std::io::Result<BackgroundServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let server = match identity {
            None => runtime.block_on(serve(world, addr))?,
            Some(identity) => runtime.block_on(serve_tls(world, addr, identity))?,
        };
        Ok(BackgroundServer {
            server,
            _runtime: runtime,
        })
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Requests served so far, per "METHOD /path/".
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.server
            .shared
            .counts
            .lock()
            .expect("counts lock")
            .clone()
    }

    /// Configures fault injection (as `PUT /_admin/faults` does).
    pub fn set_faults(&self, faults: crate::faults::Faults) {
        self.set_fault_rules(vec![faults]);
    }

    /// Configures several fault rules; the first whose path matches judges a request.
    pub fn set_fault_rules(&self, rules: Vec<crate::faults::Faults>) {
        self.server
            .shared
            .faults
            .lock()
            .expect("faults lock")
            .configure(rules);
    }

    pub fn reset_request_counts(&self) {
        self.server
            .shared
            .counts
            .lock()
            .expect("counts lock")
            .clear();
    }
}
