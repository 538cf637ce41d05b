//! AWS STS `GetCallerIdentity`, as the server's stand-in for the call the real Phase server
//! makes when it replays a signed request: the SigV4 signature is verified with the secret of
//! the seeded access key, then the key's ARN is the caller.
//!
//! Written from the SigV4 specification, independently of the client's signer, so that a
//! mistake in one is not mirrored in the other. Failures are the HTTP statuses STS would answer;
//! the Phase layer turns any of them into its `401 AWS STS validation failed`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::world::identities::{Identities, hmac_sha256};

/// STS refuses requests signed more than 15 minutes away from its clock.
const STS_MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The ARN of the caller, or the status STS answers.
pub fn get_caller_identity(
    identities: &Identities,
    endpoint: &str,
    method: &str,
    headers: &Map<String, Value>,
    body: &[u8],
    now: SystemTime,
) -> Result<String, u16> {
    const MISSING_TOKEN: u16 = 403; // MissingAuthenticationToken, InvalidClientTokenId
    const BAD_SIGNATURE: u16 = 403; // SignatureDoesNotMatch
    const MALFORMED: u16 = 400; // IncompleteSignature, InvalidAction

    // Headers as the replaying HTTP library sends them: names case-insensitive, the last
    // spelling winning.
    let mut by_name: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let value = value.as_str().ok_or(MALFORMED)?.to_owned();
        let name = name.to_ascii_lowercase();
        by_name.retain(|(existing, _)| *existing != name);
        by_name.push((name, value));
    }
    let header = |name: &str| {
        by_name
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };

    let authorization = header("authorization").ok_or(MISSING_TOKEN)?;
    let fields = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or(MALFORMED)?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in fields.split(',') {
        match field.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(MALFORMED),
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(MALFORMED);
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(MALFORMED);
    };
    let key = identities.aws_key(access_key_id).ok_or(MISSING_TOKEN)?;
    if header("x-amz-security-token") != key.session_token.as_deref() {
        return Err(MISSING_TOKEN);
    }
    let amz_date = header("x-amz-date").ok_or(MALFORMED)?;
    let signed_at = parse_amz_date(amz_date).ok_or(MALFORMED)?;
    let skew = now
        .duration_since(signed_at)
        .unwrap_or_else(|e| e.duration());
    if skew > STS_MAX_SKEW {
        return Err(BAD_SIGNATURE);
    }
    let host = netloc(endpoint);
    let expected_region = region_of(&host);
    if !amz_date.starts_with(date)
        || *service != "sts"
        || expected_region.as_deref().is_some_and(|r| r != *region)
    {
        return Err(BAD_SIGNATURE);
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !names.contains(&"host") || !names.contains(&"x-amz-date") {
        return Err(BAD_SIGNATURE);
    }

    // The request STS receives is the replay to the configured endpoint: its path and query
    // are the endpoint's; the host header, if absent, is the endpoint's too.
    let mut canonical_headers = String::new();
    for name in &names {
        let value = match (*name, header(name)) {
            (_, Some(value)) => value.to_owned(),
            ("host", None) => host.clone(),
            ("content-length", None) => body.len().to_string(),
            _ => return Err(BAD_SIGNATURE),
        };
        let folded = value.split_whitespace().collect::<Vec<_>>().join(" ");
        canonical_headers.push_str(&format!("{name}:{folded}\n"));
    }
    let (path, query) = path_and_query(endpoint);
    let canonical_request = format!(
        "{}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\n{}",
        method.to_ascii_uppercase(),
        hex::encode(Sha256::digest(body))
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut signing_key = hmac_sha256(
        format!("AWS4{}", key.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [*region, *service, "aws4_request"] {
        signing_key = hmac_sha256(&signing_key, part.as_bytes());
    }
    let expected = hmac_sha256(&signing_key, string_to_sign.as_bytes());
    let given = hex::decode(signature).map_err(|_| BAD_SIGNATURE)?;
    if !constant_time_eq(&expected, &given) {
        return Err(BAD_SIGNATURE);
    }

    let action: Vec<(&str, &str)> = std::str::from_utf8(body)
        .map_err(|_| MALFORMED)?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    if !action.contains(&("Action", "GetCallerIdentity"))
        || !action.contains(&("Version", "2011-06-15"))
    {
        return Err(MALFORMED);
    }
    Ok(key.arn.clone())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `YYYYMMDDTHHMMSSZ` (a trailing `Z` optional, as the real server accepts).
pub fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let digits = text.strip_suffix('Z').unwrap_or(text);
    let (date, time) = digits.split_once('T')?;
    if date.len() != 8
        || time.len() != 6
        || !format!("{date}{time}").bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let number = |s: &str| s.parse::<i64>().ok();
    let (year, month, day) = (
        number(&date[..4])?,
        number(&date[4..6])?,
        number(&date[6..])?,
    );
    let (hour, minute, second) = (
        number(&time[..2])?,
        number(&time[2..4])?,
        number(&time[4..])?,
    );
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).ok()?))
}

/// (year, month, day) -> days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The lower-cased `host[:port]` of a URL (a missing scheme means https), like the real server's
/// `get_normalized_host`.
pub fn netloc(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].to_ascii_lowercase()
}

fn path_and_query(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let after_host = rest.find(['/', '?']).map_or("", |i| &rest[i..]);
    let (path, query) = after_host.split_once('?').unwrap_or((after_host, ""));
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    let path = if path.is_empty() { "/" } else { path };
    (path.to_owned(), pairs.join("&"))
}

/// The region an STS host serves: `sts.amazonaws.com` is `us-east-1`; other hosts (VPC
/// endpoints, ...) accept the region of the signature.
fn region_of(host: &str) -> Option<String> {
    let name = host.split(':').next().unwrap_or(host);
    if name == "sts.amazonaws.com" {
        return Some("us-east-1".to_owned());
    }
    let rest = name.strip_prefix("sts.")?;
    let region = rest
        .strip_suffix(".amazonaws.com")
        .or_else(|| rest.strip_suffix(".amazonaws.com.cn"))?;
    (!region.contains('.')).then(|| region.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::identities::AwsCredential;
    use serde_json::json;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const BODY: &[u8] = b"Action=GetCallerIdentity&Version=2011-06-15";
    const ARN: &str = "arn:aws:iam::123456789012:user/example";

    fn sts(secret: &str, session_token: Option<&str>) -> Identities {
        Identities {
            aws_credentials: vec![AwsCredential {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: secret.into(),
                session_token: session_token.map(str::to_owned),
                arn: ARN.into(),
            }],
            ..Identities::default()
        }
    }

    /// Requests signed by botocore 1.44.8 (`SigV4Auth(creds, "sts", region)`, clock fixed at
    /// 2015-08-30 12:36:00 UTC): an independent signer, so this checks the verifier alone.
    fn botocore_us_east_1() -> Map<String, Value> {
        json!({
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=6fb20d31f734d876c5682fdd2678d194cf68b862755f83b7ba1373c0874be25c",
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Host": "sts.amazonaws.com",
            "X-Amz-Date": "20150830T123600Z",
        })
        .as_object()
        .unwrap()
        .clone()
    }

    fn botocore_eu_west_1_with_token() -> Map<String, Value> {
        json!({
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=6a88e2db8c7fa59d930472605044ea98b837d69eb7109d827798969d6e89fc1f",
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "X-Amz-Date": "20150830T123600Z",
            "X-Amz-Security-Token": "session-token-example",
        })
        .as_object()
        .unwrap()
        .clone()
    }

    fn at(seconds_after: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160 + seconds_after)
    }

    const US: &str = "https://sts.amazonaws.com";
    const EU: &str = "https://sts.eu-west-1.amazonaws.com";

    #[test]
    fn verifies_signatures_made_by_botocore() {
        let check = |identities: &Identities,
                     endpoint: &str,
                     headers: &Map<String, Value>,
                     body: &[u8],
                     now| {
            get_caller_identity(identities, endpoint, "POST", headers, body, now)
        };
        // A signature STS accepts: the caller is the key's ARN.
        let accepts =
            |identities: &Identities, endpoint: &str, headers: &Map<String, Value>, now| {
                assert_eq!(
                    check(identities, endpoint, headers, BODY, now).as_deref(),
                    Ok(ARN)
                );
            };
        let plain = sts(SECRET, None);
        let headers = botocore_us_east_1();
        accepts(&plain, US, &headers, at(30));
        // The Host header may be left to the replay (it is the endpoint's).
        let mut without_host = headers.clone();
        without_host.remove("Host");
        accepts(&plain, US, &without_host, at(30));

        let tampered_body = b"Action=GetCallerIdentity&Version=2011-06-16";
        assert_eq!(check(&plain, US, &headers, tampered_body, at(30)), Err(403));
        let mut later = headers.clone();
        later.insert("X-Amz-Date".into(), json!("20150830T123601Z"));
        assert_eq!(check(&plain, US, &later, BODY, at(30)), Err(403));
        assert_eq!(
            check(&sts("another-secret", None), US, &headers, BODY, at(30)),
            Err(403)
        );
        assert_eq!(
            check(&plain, US, &headers, BODY, at(16 * 60)),
            Err(403),
            "too old for STS"
        );
        assert_eq!(
            check(&plain, EU, &headers, BODY, at(30)),
            Err(403),
            "scoped to another region"
        );
        let mut unknown = headers.clone();
        unknown.insert(
            "Authorization".into(),
            json!(
                headers["Authorization"]
                    .as_str()
                    .unwrap()
                    .replace("AKIDEXAMPLE", "AKIDOTHER")
            ),
        );
        assert_eq!(check(&plain, US, &unknown, BODY, at(30)), Err(403));

        let temporary = sts(SECRET, Some("session-token-example"));
        let headers = botocore_eu_west_1_with_token();
        accepts(&temporary, EU, &headers, at(0));
        let mut no_token = headers.clone();
        no_token.remove("X-Amz-Security-Token");
        assert_eq!(check(&temporary, EU, &no_token, BODY, at(0)), Err(403));
        assert_eq!(
            check(&plain, EU, &headers, BODY, at(0)),
            Err(403),
            "a token the key does not have"
        );
    }

    #[test]
    fn dates_hosts_and_regions() {
        let at = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(
            at.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_440_938_160
        );
        assert!(parse_amz_date("2015-08-30T12:36:00Z").is_none());
        assert_eq!(netloc("https://STS.amazonaws.com/"), "sts.amazonaws.com");
        assert_eq!(
            netloc("sts.eu-west-1.amazonaws.com"),
            "sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(region_of("sts.amazonaws.com").as_deref(), Some("us-east-1"));
        assert_eq!(
            region_of("sts.eu-west-1.amazonaws.com").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            region_of("sts.cn-north-1.amazonaws.com.cn").as_deref(),
            Some("cn-north-1")
        );
        assert_eq!(region_of("vpce-1.sts.us-east-1.vpce.amazonaws.com"), None);
        assert_eq!(
            path_and_query("https://sts.amazonaws.com"),
            ("/".into(), "".into())
        );
    }
}
