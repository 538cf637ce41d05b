//! AWS IAM login: an STS `GetCallerIdentity` request, signed here and sent to Phase (which replays
//! it to STS) instead of to AWS.
//!
//! Credentials, in order: the ones given, the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the shared credentials file
//! (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`), then the config file
//! (`AWS_CONFIG_FILE` or `~/.aws/config`), for the profile given, else `AWS_PROFILE`, else
//! `default`. As in the AWS SDKs, a profile given explicitly skips the environment's keys.
//! Region: the one given, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else
//! `us-east-1`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use zeroize::Zeroizing;

use super::aws_credentials::AwsCredentials;
use super::aws_files::{self, Kind, Profile};
use super::exchange::Answer;
use super::{Env, LoginRequest, invalid, process_env, sigv4};
use crate::error::Result;

const LOGIN_PATH: &str = "/public/identities/external/v1/aws/iam/auth/";
const STS_BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const STS_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// How to sign the AWS login. `Default` takes everything from the standard AWS sources.
#[derive(Clone, Debug, Default)]
pub struct AwsIam {
    /// Credentials to use instead of the standard sources.
    pub credentials: Option<AwsCredentials>,
    /// The profile of the shared files (instead of `AWS_PROFILE`); also skips the environment's
    /// keys.
    pub profile: Option<String>,
    /// The region whose STS endpoint is signed for; it must be the identity's.
    pub region: Option<String>,
    /// An STS endpoint other than the region's (e.g. a VPC endpoint), `https://` only.
    pub sts_endpoint: Option<String>,
    /// Sign as of this instant instead of now: for tests, or a clock known to be off. Phase
    /// refuses signatures more than a minute away from its clock.
    pub signing_time: Option<SystemTime>,
}

impl AwsIam {
    /// The settings as bindings receive them: static credentials are both keys (and perhaps a
    /// session token) or none, in which case the standard AWS sources are used.
    pub fn from_parts(
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        session_token: Option<String>,
        region: Option<String>,
        profile: Option<String>,
        sts_endpoint: Option<String>,
    ) -> Result<Self> {
        let credentials = match (access_key_id, secret_access_key) {
            (Some(id), Some(secret)) => Some(AwsCredentials::new(id, secret, session_token)),
            (None, None) if session_token.is_none() => None,
            (None, None) => {
                return Err(invalid(
                    "`session_token` needs `access_key_id` and `secret_access_key`",
                ));
            }
            _ => {
                return Err(invalid(
                    "`access_key_id` and `secret_access_key` go together: give both or neither",
                ));
            }
        };
        Ok(AwsIam {
            credentials,
            profile,
            region,
            sts_endpoint,
            ..AwsIam::default()
        })
    }
}

/// Where the signed request is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// As sent to Phase, e.g. `https://sts.amazonaws.com`.
    pub url: String,
    /// The `Host` header.
    pub host: String,
    /// The canonical path (`/`).
    pub path: String,
}

/// The `awsIam` member of the login body.
#[derive(Serialize)]
struct SignedRequest {
    #[serde(rename = "httpRequestMethod")]
    method: &'static str,
    #[serde(rename = "httpRequestUrl")]
    url: String,
    #[serde(rename = "httpRequestHeaders", serialize_with = "as_str")]
    headers: Zeroizing<String>,
    #[serde(rename = "httpRequestBody")]
    body: String,
}

fn as_str<S: serde::Serializer>(
    text: &Zeroizing<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(text)
}

#[derive(Serialize)]
struct Body<'a> {
    account: super::AccountRef<'a>,
    #[serde(rename = "awsIam")]
    aws_iam: &'a SignedRequest,
    #[serde(rename = "tokenRequest", skip_serializing_if = "Option::is_none")]
    token_request: Option<super::TokenRequest>,
}

impl AwsIam {
    /// Signs with the given credentials (and the standard region sources).
    pub fn with_credentials(credentials: AwsCredentials) -> Self {
        AwsIam {
            credentials: Some(credentials),
            ..AwsIam::default()
        }
    }

    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    pub(crate) async fn login(&self, request: &LoginRequest<'_>) -> Result<(Answer, SystemTime)> {
        let env: &Env = &process_env;
        let credentials = self.resolve_credentials(env)?;
        let region = self.resolve_region(env)?;
        let endpoint = self.endpoint(&region)?;
        tracing::debug!(
            access_key_id = credentials.access_key_id(),
            region,
            endpoint = endpoint.url,
            "signing an AWS IAM login"
        );
        let secrets = [
            credentials.secret_access_key(),
            credentials.session_token().unwrap_or_default(),
        ];
        request
            .http
            .login(request.host, LOGIN_PATH, "AWS IAM login", &secrets, || {
                let at = self.signing_time.unwrap_or_else(SystemTime::now);
                let signed = sign_get_caller_identity(&credentials, &region, &endpoint, at)?;
                login_body(request.account_id, request.ttl, &signed)
            })
            .await
    }

    fn profile_name(&self, env: &Env) -> (String, bool) {
        match (&self.profile, env("AWS_PROFILE")) {
            (Some(profile), _) => (profile.trim().to_owned(), true),
            (None, Some(profile)) => (profile.trim().to_owned(), true),
            (None, None) => ("default".to_owned(), false),
        }
    }

    pub(crate) fn resolve_credentials(&self, env: &Env) -> Result<AwsCredentials> {
        if let Some(credentials) = &self.credentials {
            credentials.validate("the credentials given")?;
            return Ok(credentials.clone());
        }
        if self.profile.is_none() {
            let id = env("AWS_ACCESS_KEY_ID");
            let secret = env("AWS_SECRET_ACCESS_KEY").map(Zeroizing::new);
            match (id, secret) {
                (Some(id), Some(secret)) => {
                    let token = env("AWS_SESSION_TOKEN").or_else(|| env("AWS_SECURITY_TOKEN"));
                    let credentials = AwsCredentials::new(id, secret.as_str(), token);
                    credentials.validate("the environment")?;
                    return Ok(credentials);
                }
                (Some(_), None) => {
                    return Err(invalid(
                        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
                    ));
                }
                (None, Some(_)) => {
                    return Err(invalid(
                        "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                    ));
                }
                (None, None) => {}
            }
        }
        let (profile, named) = self.profile_name(env);
        let files = [
            (credentials_file(env), Kind::Credentials),
            (config_file(env), Kind::Config),
        ];
        let mut seen = false;
        for (path, kind) in &files {
            let Some(path) = path else { continue };
            let Some(settings) = aws_files::read_profile(path, *kind, &profile)? else {
                continue;
            };
            seen = true;
            let source = format!("profile {profile} of {}", path.display());
            if let Some(credentials) = profile_credentials(&settings, &source)? {
                tracing::debug!(source, "AWS credentials found");
                return Ok(credentials);
            }
            if let Some(unsupported) = settings.keys().find(|key| is_unsupported(key)) {
                return Err(invalid(format!(
                    "{source} uses {unsupported}, which phasekit does not support: resolve the \
                     credentials with the AWS SDK or CLI and pass them in"
                )));
            }
        }
        let where_ = files
            .iter()
            .filter_map(|(path, _)| path.as_ref().map(|p| p.display().to_string()))
            .collect::<Vec<_>>()
            .join(" or ");
        if named && !seen {
            return Err(invalid(format!(
                "the AWS profile {profile} is not in {where_}"
            )));
        }
        Err(invalid(format!(
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, add \
             profile {profile} to {where_}, or pass credentials (credentials from instance or \
             container metadata are not supported)"
        )))
    }

    pub(crate) fn resolve_region(&self, env: &Env) -> Result<String> {
        let region = match self
            .region
            .clone()
            .filter(|r| !r.trim().is_empty())
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
        {
            Some(region) => region,
            None => {
                let (profile, _) = self.profile_name(env);
                let from_config = match config_file(env) {
                    Some(path) => aws_files::read_profile(&path, Kind::Config, &profile)?
                        .and_then(|settings| settings.get("region").map(str::to_owned)),
                    None => None,
                };
                from_config.unwrap_or_else(|| "us-east-1".to_owned())
            }
        };
        let region = region.trim().to_ascii_lowercase();
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(invalid(
                "the AWS region must be a region name such as eu-west-1",
            ));
        }
        Ok(region)
    }

    /// The region's STS endpoint (`sts.amazonaws.com` for `us-east-1`, as Phase lists it), or
    /// the one given.
    pub(crate) fn endpoint(&self, region: &str) -> Result<Endpoint> {
        let url = match self.sts_endpoint.as_deref().map(str::trim) {
            Some(given) if !given.is_empty() => given.trim_end_matches('/').to_owned(),
            _ if region == "us-east-1" => "https://sts.amazonaws.com".to_owned(),
            _ if region.starts_with("cn-") => format!("https://sts.{region}.amazonaws.com.cn"),
            _ => format!("https://sts.{region}.amazonaws.com"),
        };
        let parsed = reqwest::Url::parse(&url)
            .map_err(|_| invalid("sts_endpoint must be an https:// URL"))?;
        let Some(name) = parsed.host_str() else {
            return Err(invalid("sts_endpoint must name a host"));
        };
        if parsed.scheme() != "https" || parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(invalid(
                "sts_endpoint must be an https:// URL without a query",
            ));
        }
        let path = parsed.path();
        if !path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~'))
            || path.contains("/.")
            || path.contains("//")
        {
            return Err(invalid(
                "the sts_endpoint path must be plain segments (letters, digits, -_.~)",
            ));
        }
        let host = match parsed.port() {
            Some(port) => format!("{name}:{port}"),
            None => name.to_owned(),
        };
        Ok(Endpoint {
            host,
            path: if path.is_empty() { "/" } else { path }.to_owned(),
            url,
        })
    }
}

/// Settings that name a way of getting credentials this module does not implement.
fn is_unsupported(key: &str) -> bool {
    matches!(
        key,
        "role_arn" | "credential_process" | "web_identity_token_file" | "credential_source"
    ) || key.starts_with("sso_")
}

fn profile_credentials(settings: &Profile, source: &str) -> Result<Option<AwsCredentials>> {
    match (
        settings.get("aws_access_key_id"),
        settings.get("aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => {
            let token = settings
                .get("aws_session_token")
                .or_else(|| settings.get("aws_security_token"))
                .map(str::to_owned);
            let credentials = AwsCredentials::new(id, secret, token);
            credentials.validate(source)?;
            Ok(Some(credentials))
        }
        (None, None) => Ok(None),
        _ => Err(invalid(format!(
            "{source} has only one of aws_access_key_id and aws_secret_access_key"
        ))),
    }
}

fn home(env: &Env) -> Option<String> {
    env("HOME").or_else(|| env("USERPROFILE"))
}

fn credentials_file(env: &Env) -> Option<PathBuf> {
    env("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| aws_files::default_path(home(env), "credentials"))
}

fn config_file(env: &Env) -> Option<PathBuf> {
    env("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| aws_files::default_path(home(env), "config"))
}

/// The `awsIam` request: a POST of `GetCallerIdentity` to `endpoint`, signed for `sts` in
/// `region`, with every header Phase must replay.
fn sign_get_caller_identity(
    credentials: &AwsCredentials,
    region: &str,
    endpoint: &Endpoint,
    at: SystemTime,
) -> Result<SignedRequest> {
    let signature = sigv4::sign(
        credentials,
        region,
        "sts",
        at,
        &sigv4::Request {
            method: "POST",
            host: &endpoint.host,
            path: &endpoint.path,
            query: &[],
            headers: &[("Content-Type", STS_CONTENT_TYPE)],
            body: STS_BODY.as_bytes(),
        },
    );
    let mut headers: BTreeMap<&str, &str> = BTreeMap::new();
    headers.insert("Authorization", &signature.authorization);
    headers.insert("Content-Type", STS_CONTENT_TYPE);
    headers.insert("Host", &endpoint.host);
    headers.insert("X-Amz-Date", &signature.amz_date);
    if let Some(token) = credentials.session_token() {
        headers.insert("X-Amz-Security-Token", token);
    }
    let json = super::to_json(&headers)?;
    Ok(SignedRequest {
        method: "POST",
        url: STANDARD.encode(&endpoint.url),
        headers: Zeroizing::new(STANDARD.encode(json.as_slice())),
        body: STANDARD.encode(STS_BODY),
    })
}

fn login_body(
    account_id: &str,
    ttl: Option<i64>,
    signed: &SignedRequest,
) -> Result<Zeroizing<Vec<u8>>> {
    super::to_json(&Body {
        account: super::AccountRef::service(account_id),
        aws_iam: signed,
        token_request: ttl.map(|ttl| super::TokenRequest { ttl }),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn static_credentials_are_both_keys_or_none() {
        let parts = |id: Option<&str>, secret: Option<&str>, token: Option<&str>| {
            AwsIam::from_parts(
                id.map(str::to_owned),
                secret.map(str::to_owned),
                token.map(str::to_owned),
                None,
                None,
                None,
            )
        };
        assert!(parts(None, None, None).unwrap().credentials.is_none());
        let both = parts(Some("AKIA1"), Some("s3cret"), Some("t")).unwrap();
        assert_eq!(both.credentials.unwrap().access_key_id(), "AKIA1");
        for (id, secret, token, says) in [
            (Some("AKIA1"), None, None, "go together"),
            (None, Some("s3cret"), None, "go together"),
            (None, None, Some("t"), "needs `access_key_id`"),
        ] {
            let error = parts(id, secret, token).unwrap_err();
            assert_eq!(error.code(), crate::ErrorCode::InvalidInput);
            assert!(error.message().contains(says), "{error}");
            assert!(!error.message().contains("s3cret"), "{error}");
        }
    }
    use crate::error::ErrorCode;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn decoded_headers(signed: &SignedRequest) -> BTreeMap<String, String> {
        let json = STANDARD.decode(signed.headers.as_bytes()).unwrap();
        serde_json::from_slice(&json).unwrap()
    }

    /// Cross-check with an independent implementation: botocore 1.44.8 signing the same
    /// request (`AWSRequest(method="POST", url=..., data=STS_BODY, headers={"Content-Type":
    /// STS_CONTENT_TYPE})`, `SigV4Auth(creds, "sts", region).add_auth(...)`) with its clock fixed
    /// at 2015-08-30 12:36:00 UTC.
    #[test]
    fn get_caller_identity_matches_botocore() {
        let at = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let iam = AwsIam::default();

        let credentials = AwsCredentials::new("AKIDEXAMPLE", SECRET, None);
        let endpoint = iam.endpoint("us-east-1").unwrap();
        assert_eq!(endpoint.url, "https://sts.amazonaws.com");
        let signed = sign_get_caller_identity(&credentials, "us-east-1", &endpoint, at).unwrap();
        let headers = decoded_headers(&signed);
        assert_eq!(
            headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=6fb20d31f734d876c5682fdd2678d194cf68b862755f83b7ba1373c0874be25c"
        );
        assert_eq!(
            headers.keys().collect::<Vec<_>>(),
            ["Authorization", "Content-Type", "Host", "X-Amz-Date"]
        );
        assert_eq!(headers["Host"], "sts.amazonaws.com");
        assert_eq!(headers["X-Amz-Date"], "20150830T123600Z");
        assert_eq!(
            STANDARD.decode(&signed.url).unwrap(),
            b"https://sts.amazonaws.com"
        );
        assert_eq!(STANDARD.decode(&signed.body).unwrap(), STS_BODY.as_bytes());

        let credentials =
            AwsCredentials::new("AKIDEXAMPLE", SECRET, Some("session-token-example".into()));
        let endpoint = iam.endpoint("eu-west-1").unwrap();
        let signed = sign_get_caller_identity(&credentials, "eu-west-1", &endpoint, at).unwrap();
        let headers = decoded_headers(&signed);
        assert_eq!(
            headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=6a88e2db8c7fa59d930472605044ea98b837d69eb7109d827798969d6e89fc1f"
        );
        assert_eq!(headers["X-Amz-Security-Token"], "session-token-example");
        assert_eq!(headers["Host"], "sts.eu-west-1.amazonaws.com");
    }

    #[test]
    fn the_login_body_has_the_wire_names() {
        let credentials = AwsCredentials::new("AKIDEXAMPLE", SECRET, None);
        let endpoint = AwsIam::default().endpoint("us-east-1").unwrap();
        let signed =
            sign_get_caller_identity(&credentials, "us-east-1", &endpoint, UNIX_EPOCH).unwrap();
        let body = login_body("4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21", Some(600), &signed).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            value["account"],
            serde_json::json!({"type": "service", "id": "4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21"})
        );
        assert_eq!(value["tokenRequest"], serde_json::json!({"ttl": 600}));
        assert_eq!(value["awsIam"]["httpRequestMethod"], "POST");
        for key in ["httpRequestUrl", "httpRequestHeaders", "httpRequestBody"] {
            assert!(value["awsIam"][key].is_string(), "{key}");
        }
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains(SECRET), "the secret key is never sent");
        let without = login_body("4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21", None, &signed).unwrap();
        assert!(
            !String::from_utf8(without.to_vec())
                .unwrap()
                .contains("tokenRequest")
        );
    }

    #[test]
    fn endpoints_follow_the_region() {
        let iam = AwsIam::default();
        assert_eq!(
            iam.endpoint("eu-central-1").unwrap().url,
            "https://sts.eu-central-1.amazonaws.com"
        );
        assert_eq!(
            iam.endpoint("cn-north-1").unwrap().host,
            "sts.cn-north-1.amazonaws.com.cn"
        );
        let custom = AwsIam {
            sts_endpoint: Some("https://vpce-1.sts.us-east-1.vpce.amazonaws.com:8443/".into()),
            ..AwsIam::default()
        };
        let endpoint = custom.endpoint("us-east-1").unwrap();
        assert_eq!(
            endpoint.host,
            "vpce-1.sts.us-east-1.vpce.amazonaws.com:8443"
        );
        assert_eq!(endpoint.path, "/");
        for bad in [
            "http://sts.amazonaws.com",
            "https://sts.amazonaws.com/?a=b",
            "sts",
        ] {
            let iam = AwsIam {
                sts_endpoint: Some(bad.into()),
                ..AwsIam::default()
            };
            assert!(iam.endpoint("us-east-1").is_err(), "{bad}");
        }
    }

    #[test]
    fn region_sources_in_order() {
        let iam = AwsIam::default();
        assert_eq!(iam.resolve_region(&env_of(&[])).unwrap(), "us-east-1");
        let env = env_of(&[("AWS_DEFAULT_REGION", "eu-west-2")]);
        assert_eq!(iam.resolve_region(&env).unwrap(), "eu-west-2");
        let env = env_of(&[
            ("AWS_REGION", "eu-west-3"),
            ("AWS_DEFAULT_REGION", "eu-west-2"),
        ]);
        assert_eq!(iam.resolve_region(&env).unwrap(), "eu-west-3");
        assert_eq!(
            iam.clone()
                .region("ap-south-1")
                .resolve_region(&env)
                .unwrap(),
            "ap-south-1"
        );
        let error = iam.region("eu west").resolve_region(&env).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
    }

    #[test]
    fn credential_sources_in_order() {
        let dir = std::env::temp_dir().join(format!("phasekit-aws-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("credentials");
        std::fs::write(
            &file,
            "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n\
             [other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other-secret\n\
             aws_session_token = other-token\n[sso]\nsso_start_url = https://x\n",
        )
        .unwrap();
        let config = dir.join("config");
        std::fs::write(&config, "[profile other]\nregion = eu-north-1\n").unwrap();
        let file_path = file.to_str().unwrap();
        let config_path = config.to_str().unwrap();
        let iam = AwsIam::default();

        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_SESSION_TOKEN", "env-token"),
            ("AWS_SHARED_CREDENTIALS_FILE", file_path),
            ("AWS_CONFIG_FILE", config_path),
        ]);
        let found = iam.resolve_credentials(&env).unwrap();
        assert_eq!(
            (found.access_key_id(), found.session_token()),
            ("AKIAENV", Some("env-token"))
        );
        // An explicit profile skips the environment's keys.
        let found = iam
            .clone()
            .profile("other")
            .resolve_credentials(&env)
            .unwrap();
        assert_eq!(found.access_key_id(), "AKIAOTHER");
        assert_eq!(
            iam.clone()
                .profile("other")
                .resolve_region(&env_of(&[("AWS_CONFIG_FILE", config_path)]))
                .unwrap(),
            "eu-north-1"
        );

        let files = env_of(&[
            ("AWS_SHARED_CREDENTIALS_FILE", file_path),
            ("AWS_CONFIG_FILE", config_path),
        ]);
        assert_eq!(
            iam.resolve_credentials(&files).unwrap().access_key_id(),
            "AKIAFILE"
        );
        let other = env_of(&[
            ("AWS_SHARED_CREDENTIALS_FILE", file_path),
            ("AWS_CONFIG_FILE", config_path),
            ("AWS_PROFILE", "other"),
        ]);
        assert_eq!(
            iam.resolve_credentials(&other).unwrap().session_token(),
            Some("other-token")
        );

        let missing = env_of(&[
            ("AWS_SHARED_CREDENTIALS_FILE", file_path),
            ("AWS_CONFIG_FILE", config_path),
            ("AWS_PROFILE", "nope"),
        ]);
        let error = iam.resolve_credentials(&missing).unwrap_err();
        assert!(
            error.message().contains("profile nope is not in"),
            "{error}"
        );
        let sso = iam
            .clone()
            .profile("sso")
            .resolve_credentials(&files)
            .unwrap_err();
        assert!(sso.message().contains("sso_start_url"), "{sso}");

        let partial = env_of(&[("AWS_ACCESS_KEY_ID", "AKIAENV")]);
        let error = iam.resolve_credentials(&partial).unwrap_err();
        assert!(error.message().contains("AWS_SECRET_ACCESS_KEY"), "{error}");

        let nothing = env_of(&[("HOME", dir.join("empty").to_str().unwrap())]);
        let error = iam.resolve_credentials(&nothing).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        assert!(
            error.message().contains("metadata are not supported"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();

        let given = AwsIam::with_credentials(AwsCredentials::new("AKIA GIVEN", "s", None));
        let error = given.resolve_credentials(&env).unwrap_err();
        assert!(error.message().contains("access key id"), "{error}");
    }

    #[test]
    fn debug_hides_the_secret_key_and_the_session_token() {
        let credentials =
            AwsCredentials::new("AKIAEXAMPLE", "the-secret-key", Some("the-session".into()));
        let shown = format!("{:?}", AwsIam::with_credentials(credentials));
        assert!(shown.contains("AKIAEXAMPLE"), "{shown}");
        assert!(
            !shown.contains("the-secret-key") && !shown.contains("the-session"),
            "{shown}"
        );
    }
}
