//! External identity login (unauthenticated): `POST /identities/external/v1/aws/iam/auth/` and
//! `…/azure/entra/auth/` (also under `/public/`), in the order of checks, statuses and bodies of
//! the real server. The two calls the real server makes to the clouds are played here: STS by
//! [`super::sts`], the tenant's signing keys by the seed's `azure_tenants`.

use std::time::{Duration, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hyper::Method;
use serde_json::{Map, Value, json};

use super::reply::Reply;
use super::sts::{self, netloc, parse_amz_date};
use crate::world::World;
use crate::world::identities::{
    Identity, IdentityProvider, fnmatch, unverified_claims, verified_claims,
};

const AWS: &str = "identities/external/v1/aws/iam/auth/";
const AZURE: &str = "identities/external/v1/azure/entra/auth/";

/// The endpoint a path names, if any (the public routes live at the root and under `/public/`).
fn endpoint(path: &str) -> Option<&'static str> {
    let rest = path
        .strip_prefix("/public/")
        .or_else(|| path.strip_prefix('/'))?;
    [AWS, AZURE].into_iter().find(|e| *e == rest)
}

pub fn handles(path: &str) -> bool {
    endpoint(path).is_some() || super::entra::handles(path)
}

pub fn route(world: &mut World, method: &Method, path: &str, body: &[u8]) -> Reply {
    if method != Method::POST {
        return Reply::error(405, format!("Method \"{method}\" not allowed."));
    }
    match endpoint(path) {
        Some(AWS) => login(world, body, aws_iam_checks, "aws-iam"),
        Some(_) => login(world, body, azure_entra_checks, "azure-entra"),
        None => super::entra::token(world, path, body),
    }
}

/// The common start of both views: the JSON object and the service account it names.
struct Request {
    payload: Map<String, Value>,
    account_id: String,
}

fn parse_request(body: &[u8]) -> Result<Request, Reply> {
    let payload = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        // `(payload or {})`: an empty body value behaves like `{}`.
        Ok(Value::Null) => Map::new(),
        Ok(_) => return Err(Reply::error(400, "Invalid JSON payload")),
        Err(_) => return Err(Reply::error(400, "Invalid JSON")),
    };
    let empty = Map::new();
    let account = match payload.get("account") {
        Some(Value::Object(account)) => account,
        None | Some(Value::Null) => &empty,
        Some(_) => return Err(Reply::internal_error()),
    };
    let account_type = match account.get("type") {
        Some(Value::String(kind)) if !kind.is_empty() => kind.to_lowercase(),
        None | Some(Value::Null) | Some(Value::String(_)) => "service".to_owned(),
        Some(_) => return Err(Reply::internal_error()),
    };
    let account_id = match account.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => String::new(),
    };
    if account_type != "service" || account_id.is_empty() {
        return Err(Reply::error(
            400,
            "Only service account authentication is supported.",
        ));
    }
    Ok(Request {
        payload,
        account_id,
    })
}

/// The identities of `provider` of a service account with server-side key management.
fn account_identities<'w>(
    world: &'w World,
    account_id: &str,
    provider: &str,
) -> Result<Vec<&'w Identity>, Reply> {
    let is_service_account = world
        .account(account_id)
        .is_some_and(|a| a.kind == phasekit::TokenKind::ServiceAccount);
    if !is_service_account {
        return Err(Reply::error(404, "Service account not found"));
    }
    let settings = world.identities.accounts.get(account_id);
    if !settings.is_some_and(|s| s.server_side_key_management) {
        return Err(Reply::error(
            403,
            "Server-side key management must be enabled",
        ));
    }
    Ok(settings
        .map(|s| {
            s.identities
                .iter()
                .filter(|i| i.provider.name() == provider)
                .collect()
        })
        .unwrap_or_default())
}

/// What a login's checks accept: the account, its identity and the token TTL asked for.
type Accepted = (String, Identity, u64);

/// A login: `checks` validates the request (account, identity, requested TTL), then a token
/// is minted for the identity (named `fallback_name` unless the identity names its tokens).
fn login(
    world: &mut World,
    body: &[u8],
    checks: fn(&World, &[u8]) -> Result<Accepted, Reply>,
    fallback_name: &str,
) -> Reply {
    match checks(world, body) {
        Ok((account_id, identity, ttl)) => mint(world, &account_id, &identity, ttl, fallback_name),
        Err(reply) => reply,
    }
}

/// The account's identity of one provider: the only one, else what `among_several` picks;
/// none is a 404 saying `none`.
fn choose_identity<'w>(
    identities: &[&'w Identity],
    none: &str,
    among_several: impl FnOnce(&[&'w Identity]) -> Result<&'w Identity, Reply>,
) -> Result<&'w Identity, Reply> {
    match identities {
        [] => Err(Reply::error(404, none)),
        [only] => Ok(only),
        several => among_several(several),
    }
}

fn aws_iam_checks(world: &World, body: &[u8]) -> Result<Accepted, Reply> {
    let request = parse_request(body)?;
    let empty = Map::new();
    let aws = match request.payload.get("awsIam") {
        Some(Value::Object(aws)) => aws,
        _ => &empty,
    };
    let invalid_encoding = || Reply::error(400, "Invalid awsIam request encoding");
    let decode = |value: Option<&Value>| -> Result<String, Reply> {
        let text = match value {
            Some(Value::String(text)) => text.as_str(),
            None | Some(Value::Null) => "",
            Some(_) => return Err(invalid_encoding()),
        };
        let bytes = STANDARD.decode(text).map_err(|_| invalid_encoding())?;
        String::from_utf8(bytes).map_err(|_| invalid_encoding())
    };
    let method = match aws.get("httpRequestMethod") {
        Some(Value::String(m)) if !m.is_empty() => m.clone(),
        _ => "POST".to_owned(),
    };
    let url = match aws.get("httpRequestUrl") {
        Some(value) => decode(Some(value))?,
        None => return Err(invalid_encoding()),
    };
    let headers = match aws.get("httpRequestHeaders") {
        Some(value) => decode(Some(value))?,
        None => return Err(invalid_encoding()),
    };
    let signed_body = decode(aws.get("httpRequestBody"))?;
    let headers = match serde_json::from_str::<Value>(&headers) {
        Ok(Value::Object(headers)) => headers,
        _ => return Err(invalid_encoding()),
    };
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };

    let amz_date = text("X-Amz-Date")
        .or_else(|| text("x-amz-date"))
        .ok_or_else(|| Reply::error(400, "Missing X-Amz-Date header"))?;
    let signed_at =
        parse_amz_date(amz_date).ok_or_else(|| Reply::error(400, "Invalid X-Amz-Date"))?;

    let identities = account_identities(world, &request.account_id, "aws_iam")?;
    let request_host = netloc(&url);
    // Several: the one whose endpoint is the request's, else the first.
    let identity = choose_identity(
        &identities,
        "No AWS IAM identity attached to this account",
        |several| {
            Ok(several
                .iter()
                .find(|i| {
                    matches!(&i.provider, IdentityProvider::AwsIam { sts_endpoint, .. }
                        if netloc(sts_endpoint) == request_host)
                })
                .unwrap_or(&several[0]))
        },
    )?;
    let IdentityProvider::AwsIam {
        sts_endpoint,
        signature_ttl_seconds,
        ..
    } = &identity.provider
    else {
        unreachable!("filtered by provider");
    };

    let now = crate::time::now();
    let skew = now
        .duration_since(signed_at)
        .unwrap_or_else(|e| e.duration());
    if skew.as_secs_f64() > *signature_ttl_seconds as f64 {
        return Err(Reply::error(401, "Signature expired"));
    }

    let configured = if sts_endpoint.contains("://") {
        sts_endpoint.clone()
    } else {
        format!("https://{sts_endpoint}")
    };
    let configured_host = netloc(&configured);
    let header_host = text("Host")
        .or_else(|| text("host"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if request_host != configured_host
        || (!header_host.is_empty() && header_host != configured_host)
    {
        return Err(Reply::json(
            400,
            json!({
                "error": "STS endpoint mismatch. Please sign the request for the configured STS endpoint.",
                "expectedEndpoint": configured,
                "receivedEndpoint": url,
            }),
        ));
    }

    let arn = sts::get_caller_identity(
        &world.identities,
        &configured,
        &method,
        &headers,
        signed_body.as_bytes(),
        now,
    )
    .map_err(|status| {
        Reply::json(
            401,
            json!({"error": "AWS STS validation failed", "status": status}),
        )
    })?;

    let trusted = identity.provider.trusted();
    if trusted.contains(&"*") {
        return Err(Reply::error(
            400,
            "Invalid trusted principal pattern '*' is not allowed",
        ));
    }
    if !trusted.iter().any(|pattern| fnmatch(&arn, pattern)) {
        return Err(Reply::error(403, "Untrusted principal"));
    }
    let ttl = requested_ttl(request.payload.get("tokenRequest"), identity)?;
    Ok((request.account_id, identity.clone(), ttl))
}

fn azure_entra_checks(world: &World, body: &[u8]) -> Result<Accepted, Reply> {
    let request = parse_request(body)?;
    let encoded = request
        .payload
        .get("azureEntra")
        .and_then(|entra| entra.get("jwt"))
        .and_then(Value::as_str)
        .filter(|jwt| !jwt.is_empty())
        .ok_or_else(|| Reply::error(400, "Missing azureEntra.jwt"))?;
    let token = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| Reply::error(400, "Invalid JWT encoding"))?;

    let identities = account_identities(world, &request.account_id, "azure_entra")?;
    // Several: the one of the token's tenant.
    let identity = choose_identity(
        &identities,
        "No Azure identity attached to this account",
        |several| {
            let claims =
                unverified_claims(&token).ok_or_else(|| Reply::error(400, "Malformed JWT"))?;
            let tid = claims
                .get("tid")
                .and_then(Value::as_str)
                .unwrap_or_default();
            several
                .iter()
                .find(|i| {
                    matches!(&i.provider, IdentityProvider::AzureEntra { tenant_id, .. }
                        if tenant_id == tid)
                })
                .copied()
                .ok_or_else(|| Reply::error(404, "No matching Azure identity for this tenant"))
        },
    )?;
    let IdentityProvider::AzureEntra {
        tenant_id,
        resource,
        ..
    } = &identity.provider
    else {
        unreachable!("filtered by provider");
    };
    if tenant_id.is_empty() || resource.is_empty() {
        return Err(Reply::error(
            500,
            "Identity misconfigured: missing tenantId or resource",
        ));
    }
    let claims = validate_entra_jwt(world, &token, tenant_id, resource)
        .ok_or_else(|| Reply::error(401, "Azure JWT validation failed"))?;
    let oid = claims
        .get("oid")
        .and_then(Value::as_str)
        .filter(|oid| !oid.is_empty())
        .ok_or_else(|| Reply::error(401, "Missing oid claim in token"))?;
    let trusted = identity.provider.trusted();
    if trusted.contains(&"*") {
        return Err(Reply::error(
            400,
            "Invalid trusted principal pattern '*' is not allowed",
        ));
    }
    if !trusted.contains(&oid) {
        return Err(Reply::error(403, "Untrusted service principal"));
    }
    let ttl = requested_ttl(request.payload.get("tokenRequest"), identity)?;
    Ok((request.account_id, identity.clone(), ttl))
}

/// What `validate_azure_jwt` checks: the tenant id's form, the signature with the tenant's
/// key, the issuer of the token's version, the audience (with or without a trailing slash),
/// `exp`/`nbf`/`iat`, the required claims and the tenant.
fn validate_entra_jwt(
    world: &World,
    token: &str,
    tenant_id: &str,
    resource: &str,
) -> Option<Map<String, Value>> {
    if !is_uuid(tenant_id) {
        return None;
    }
    let unverified = unverified_claims(token)?;
    let expected_issuer = match unverified.get("ver").and_then(Value::as_str) {
        Some("2.0") => format!("https://login.microsoftonline.com/{tenant_id}/v2.0"),
        _ => format!("https://sts.windows.net/{tenant_id}/"),
    };
    let tenant = world.identities.azure_tenant(tenant_id)?;
    let claims = verified_claims(&tenant.signing_key, token)?;
    for required in ["exp", "iss", "aud", "oid", "tid"] {
        if !claims.contains_key(required) {
            return None;
        }
    }
    let now = crate::time::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let time = |name: &str| claims.get(name).and_then(Value::as_f64);
    if time("exp").is_none_or(|exp| exp <= now) {
        return None;
    }
    if claims.contains_key("nbf") && time("nbf").is_none_or(|nbf| nbf > now) {
        return None;
    }
    if claims.contains_key("iat") && time("iat").is_none_or(|iat| iat > now) {
        return None;
    }
    if claims.get("iss").and_then(Value::as_str) != Some(expected_issuer.as_str()) {
        return None;
    }
    let normalized = resource.trim_end_matches('/');
    let accepted = [normalized.to_owned(), format!("{normalized}/")];
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => accepted.contains(aud),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|aud| accepted.iter().any(|a| a == aud)),
        _ => false,
    };
    if !audience_ok || claims.get("tid").and_then(Value::as_str) != Some(tenant_id) {
        return None;
    }
    Some(claims)
}

/// A UUID in its hyphenated form (8-4-4-4-12 hex digits), the only form a tenant id takes.
fn is_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
}

/// `int(token_req.get("ttl") or identity.default_ttl_seconds)`, then the real server's checks.
fn requested_ttl(token_request: Option<&Value>, identity: &Identity) -> Result<u64, Reply> {
    let invalid = || Reply::error(400, "Invalid TTL value");
    let value = match token_request {
        None | Some(Value::Null) => None,
        Some(Value::Object(request)) => request.get("ttl"),
        Some(_) => return Err(Reply::internal_error()),
    };
    let default = identity.default_ttl as i64;
    let requested: i64 = match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => default,
        Some(Value::Bool(true)) => 1,
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(0), _) => default,
            (Some(n), _) => n,
            (None, Some(0.0)) => default,
            (None, Some(f)) if f.is_finite() => f.trunc() as i64,
            _ => return Err(invalid()),
        },
        Some(Value::String(s)) if s.is_empty() => default,
        Some(Value::String(s)) => s.trim().parse().map_err(|_| invalid())?,
        Some(Value::Array(a)) if a.is_empty() => default,
        Some(Value::Object(o)) if o.is_empty() => default,
        Some(_) => return Err(invalid()),
    };
    if requested <= 0 {
        return Err(Reply::error(400, "TTL must be a positive integer"));
    }
    let requested = requested as u64;
    if requested > identity.max_ttl {
        return Err(Reply::error(
            400,
            format!(
                "Requested TTL ({requested}s) exceeds maximum allowed TTL ({}s)",
                identity.max_ttl
            ),
        ));
    }
    Ok(requested)
}

/// `mint_service_account_token`: a new token of the account, expiring after the TTL.
fn mint(
    world: &mut World,
    account_id: &str,
    identity: &Identity,
    ttl: u64,
    fallback: &str,
) -> Reply {
    let ttl = ttl.min(identity.max_ttl);
    let name = identity.token_name.as_deref().unwrap_or(fallback);
    let minted = world.mint_token(account_id, name, Some(Duration::from_secs(ttl)));
    let bearer = minted.token.split(':').nth(2).unwrap_or_default();
    Reply::ok(json!({"authentication": {
        "tokenType": "ServiceAccount",
        "token": minted.token,
        "bearerToken": format!("ServiceAccount {bearer}"),
        "TTL": ttl,
        "maxTTL": identity.max_ttl,
    }}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::identities::IdentityInput;

    fn identity() -> Identity {
        serde_json::from_value::<IdentityInput>(json!({
            "provider": "aws_iam", "trusted_principals": ["x"], "max_ttl": 7200}))
        .unwrap()
        .to_identity()
    }

    #[test]
    fn ttl_rules_of_the_real_server() {
        let identity = identity();
        let ttl = |value: Value| requested_ttl(Some(&json!({"ttl": value})), &identity);
        assert_eq!(ttl(json!(600)).ok(), Some(600));
        assert_eq!(
            ttl(json!(0)).ok(),
            Some(3600),
            "0 falls back to the default"
        );
        assert_eq!(ttl(json!("120")).ok(), Some(120));
        assert_eq!(ttl(json!(90.9)).ok(), Some(90));
        assert_eq!(requested_ttl(None, &identity).ok(), Some(3600));
        assert_eq!(ttl(json!(-1)).err().unwrap().status, 400);
        assert_eq!(ttl(json!("ten")).err().unwrap().status, 400);
        assert_eq!(ttl(json!(7201)).err().unwrap().status, 400);
    }

    #[test]
    fn routes_at_the_root_and_under_public() {
        assert!(handles("/identities/external/v1/aws/iam/auth/"));
        assert!(handles("/public/identities/external/v1/azure/entra/auth/"));
        assert!(handles("/_entra/t/oauth2/v2.0/token"));
        assert!(!handles("/public/identities/external/v1/aws/iam/auth"));
    }

    #[test]
    fn tenant_ids_are_hyphenated_uuids() {
        assert!(is_uuid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(is_uuid("72F988BF-86F1-41AF-91AB-2D7CD011DB47"));
        for not_one in [
            "72f988bf86f141af91ab2d7cd011db47",
            "{72f988bf-86f1-41af-91ab-2d7cd011db47}",
            "urn:uuid:72f988bf-86f1-41af-91ab-2d7cd011db47",
            "72f988bf-86f1-41af-91ab-2d7cd011db4g",
            "72f988bf-86f141af-91ab-2d7cd011db47-",
            "contoso.onmicrosoft.com",
            "",
        ] {
            assert!(!is_uuid(not_one), "{not_one}");
        }
    }
}
