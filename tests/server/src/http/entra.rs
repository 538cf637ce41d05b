//! `POST /_entra/{tenant}/oauth2/v2.0/token`: the stand-in for Entra ID's token endpoint, for
//! workload identity (OAuth 2.0 client credentials with a federated client assertion). Point
//! `AZURE_AUTHORITY_HOST` at `{server}/_entra/`.
//!
//! It accepts an assertion signed with the workload identity's `federated_token_key`, audience
//! `api://AzureADTokenExchange`, unexpired, and answers an access token of the tenant (HS256 with
//! its `signing_key`) for the requested resource, `oid` = the identity's object id. Errors have
//! Entra ID's OAuth shape: `{"error", "error_description"}`.

use serde_json::{Value, json};

use super::auth::percent_decode;
use super::reply::Reply;
use crate::world::World;
use crate::world::identities::{sign_hs256_jwt, verified_claims};

const PREFIX: &str = "/_entra/";
const SUFFIX: &str = "/oauth2/v2.0/token";
const EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Lifetime of issued access tokens (Entra ID's usual hour).
const ACCESS_TOKEN_SECONDS: u64 = 3600;

pub fn handles(path: &str) -> bool {
    path.starts_with(PREFIX) && path.ends_with(SUFFIX)
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": format!("{description}\r\nTrace ID: 00000000-0000-0000-0000-000000000000")}),
    )
}

pub fn token(world: &World, path: &str, body: &[u8]) -> Reply {
    let tenant_id = &path[PREFIX.len()..path.len() - SUFFIX.len()];
    let Some(tenant) = world.identities.azure_tenant(tenant_id) else {
        return oauth_error(
            400,
            "invalid_request",
            &format!("AADSTS90002: Tenant '{tenant_id}' not found."),
        );
    };
    let form = parse_form(body);
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if field("grant_type") != Some("client_credentials")
        || field("client_assertion_type") != Some(JWT_BEARER)
    {
        return oauth_error(
            400,
            "unsupported_grant_type",
            "AADSTS70003: only client_credentials with a jwt-bearer client assertion is supported here.",
        );
    }
    let (Some(client_id), Some(assertion), Some(scope)) = (
        field("client_id"),
        field("client_assertion"),
        field("scope"),
    ) else {
        return oauth_error(
            400,
            "invalid_request",
            "AADSTS900144: The request body must contain client_id, client_assertion and scope.",
        );
    };
    let Some(resource) = scope.strip_suffix(".default") else {
        return oauth_error(
            400,
            "invalid_scope",
            "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
        );
    };
    let Some(workload) = tenant
        .workload_identities
        .iter()
        .find(|w| w.client_id == client_id)
    else {
        return oauth_error(
            400,
            "unauthorized_client",
            &format!(
                "AADSTS700016: Application with identifier '{client_id}' was not found in the directory."
            ),
        );
    };
    let Some(claims) = verified_claims(&workload.federated_token_key, assertion) else {
        return oauth_error(
            401,
            "invalid_client",
            "AADSTS70021: No matching federated identity record found for presented assertion.",
        );
    };
    let now = crate::time::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == EXCHANGE_AUDIENCE,
        Some(Value::Array(list)) => list.iter().any(|a| a == EXCHANGE_AUDIENCE),
        _ => false,
    };
    if !audience_ok {
        return oauth_error(
            401,
            "invalid_client",
            "AADSTS700212: No matching federated identity record found for presented assertion audience.",
        );
    }
    if claims
        .get("exp")
        .and_then(Value::as_u64)
        .is_none_or(|exp| exp <= now)
    {
        return oauth_error(
            400,
            "invalid_client",
            "AADSTS700024: Client assertion is not within its valid time range.",
        );
    }
    let access_token = sign_hs256_jwt(
        &tenant.signing_key,
        &json!({
            "aud": resource,
            "iss": format!("https://sts.windows.net/{tenant_id}/"),
            "iat": now,
            "nbf": now,
            "exp": now + ACCESS_TOKEN_SECONDS,
            "appid": client_id,
            "oid": workload.object_id,
            "sub": workload.object_id,
            "tid": tenant_id,
            "ver": "1.0",
        }),
    );
    Reply::ok(json!({
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_SECONDS - 1,
        "ext_expires_in": ACCESS_TOKEN_SECONDS - 1,
        "access_token": access_token,
    }))
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space, `%XX` a byte).
fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (percent_decode(name), percent_decode(value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_decoded() {
        let form = parse_form(b"scope=https%3A%2F%2Fx%2F.default&a=b+c&bad=%zz&end=%4");
        assert_eq!(form[0].1, "https://x/.default");
        assert_eq!(form[1].1, "b c");
        assert_eq!(form[2].1, "%zz");
        assert_eq!(form[3].1, "%4");
    }
}
