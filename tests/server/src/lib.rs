//! phasekit-server: an in-memory server that behaves like the Phase backend for everything the
//! SDKs use, with real cryptography: end-to-end apps hold only ciphertext, tokens carry real
//! split and wrapped keys, and errors have the real status codes and bodies.

mod corrupt;
pub mod faults;
pub mod http;
mod paths;
pub mod server;
mod time;
pub mod world;

pub use server::{BackgroundServer, RunningServer, TlsIdentity, serve, serve_tls};
pub use world::seed::Seed;
pub use world::{MintedToken, World};
