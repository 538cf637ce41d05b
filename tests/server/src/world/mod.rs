//! The server's in-memory state, shaped like the Phase backend's models.
//!
//! Two kinds of key material live here, kept apart on purpose:
//! - `console`: what the Phase web console holds client-side for the organisation's owner (the
//!   environments' seeds and salts). Only seeding and the admin API use it, to wrap keys for
//!   new accounts and to encrypt seeded secrets, as the console does in a browser.
//! - `server_keys` of apps with server-side encryption (SSE): what the real server holds
//!   to serve plaintext on the public `/v1/` API. Request handlers of end-to-end apps never
//!   see any key: they store and return ciphertext only.

pub mod identities;
mod mint;
mod model;
pub mod seed;

pub use mint::MintedToken;
pub use model::*;
