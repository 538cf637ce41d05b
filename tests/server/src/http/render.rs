//! Objects in the real server's field order (snake_case; camelCase is applied afterwards).

use std::time::Duration;

use serde_json::{Value, json};

use crate::time;
use crate::world::{DynamicSecret, Environment, EnvironmentKeyRow, Lease, StoredSecret};

/// A static secret. `viewer` is the user whose personal override is shown (user tokens only);
/// `text` maps stored ciphertexts to what is returned (identity on the E2E endpoint,
/// decryption on the public API).
pub fn secret(
    s: &StoredSecret,
    env: &Environment,
    viewer: Option<&str>,
    text: &dyn Fn(&str) -> String,
) -> Value {
    let personal = viewer.and_then(|user| s.overrides.get(user)).map(|o| {
        json!({
            "id": o.id,
            "value": text(&o.value),
            "is_active": o.is_active,
            "created_at": time::format(o.created_at),
            "updated_at": time::format(o.updated_at),
        })
    });
    json!({
        "id": s.id,
        "key": text(&s.key),
        "value": text(&s.value),
        "comment": if s.comment.is_empty() { String::new() } else { text(&s.comment) },
        "tags": s.tags,
        "override": personal,
        "type": s.secret_type,
        "lifecycle": s.lifecycle,
        "path": s.path,
        "key_digest": s.key_digest,
        "version": s.version,
        "created_at": time::format(s.created_at),
        "updated_at": time::format(s.updated_at),
        "environment": env.id,
        "folder": s.folder,
    })
}

pub fn dynamic_secret(
    d: &DynamicSecret,
    env: &Environment,
    lease: Option<&Lease>,
    text: &dyn Fn(&str) -> String,
) -> Value {
    json!({
        "id": d.id,
        "name": d.name,
        "type": "dynamic",
        "description": d.description,
        "environment": env.id,
        "folder": d.folder,
        "path": d.path,
        "default_ttl": time::drf_duration(Duration::from_secs(d.default_ttl)),
        "max_ttl": time::drf_duration(Duration::from_secs(d.max_ttl)),
        "provider": d.provider,
        "key_map": d.key_map.iter().map(|k| json!({"id": k.id, "key_name": text(&k.key_name), "key_digest": k.key_digest})).collect::<Vec<_>>(),
        "created_at": time::format(d.created_at),
        "updated_at": time::format(d.updated_at),
        "deleted_at": null,
        "lease": lease.map(|l| self::lease(l, d, text)),
    })
}

pub fn lease(l: &Lease, d: &DynamicSecret, text: &dyn Fn(&str) -> String) -> Value {
    json!({
        "id": l.id,
        "name": l.name,
        "description": "",
        "secret": d.id,
        "ttl": time::drf_duration(Duration::from_secs(l.ttl)),
        "status": l.status,
        "owner": {"type": "service_account", "data": {"id": l.owner_account}},
        "credentials": l.credentials.iter().map(|(k, v)| json!({"key": text(k), "value": text(v)})).collect::<Vec<_>>(),
        "created_at": time::format(l.created_at),
        "renewed_at": l.renewed_at.map(time::format),
        "expires_at": time::format(l.expires_at),
        "revoked_at": l.revoked_at.map(time::format),
        "deleted_at": null,
    })
}

pub fn environment_key(
    row: &EnvironmentKeyRow,
    env: &Environment,
    user: Option<&str>,
    service_account: Option<&str>,
) -> Value {
    json!({
        "id": row.id,
        "environment": {
            "id": env.id,
            "name": env.name,
            "env_type": env.env_type,
            "index": env.index,
            "created_at": time::format(env.created_at),
            "updated_at": time::format(env.updated_at),
        },
        "paths": null,
        "identity_key": env.identity_key,
        "wrapped_seed": row.wrapped_seed,
        "wrapped_salt": row.wrapped_salt,
        "created_at": time::format(row.created_at),
        "updated_at": time::format(row.created_at),
        "deleted_at": null,
        "user": user,
        "service_account": service_account,
    })
}
