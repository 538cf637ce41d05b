//! AWS Signature Version 4 (header signing), as far as an STS `GetCallerIdentity` request needs
//! it: any method, an already canonical path, query parameters, signed headers and a body held in
//! memory. The intermediate keys are wiped after use.

use std::time::SystemTime;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::aws_credentials::AwsCredentials;
use crate::utc::UtcTime;

type HmacSha256 = Hmac<Sha256>;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// A request to sign. `path` must already be in canonical form (`/` for STS); the query is
/// given as raw pairs and encoded here.
pub(crate) struct Request<'a> {
    pub method: &'a str,
    /// The `Host` header: host name, with the port when it is not the scheme's default.
    pub host: &'a str,
    pub path: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    /// Headers to sign besides `host`, `x-amz-date` and `x-amz-security-token`.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// The headers a signature adds to a request.
pub(crate) struct Signature {
    /// `X-Amz-Date`: `YYYYMMDD'T'HHMMSS'Z'`.
    pub amz_date: String,
    /// `Authorization`: `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
    pub authorization: String,
}

/// Signs `request` for `service` in `region` as of `at`.
pub(crate) fn sign(
    credentials: &AwsCredentials,
    region: &str,
    service: &str,
    at: SystemTime,
    request: &Request<'_>,
) -> Signature {
    let amz_date = amz_date(at);
    let date = &amz_date[..8];
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let (canonical, signed_headers) =
        canonical_request(request, &amz_date, credentials.session_token());
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = signing_key(credentials.secret_access_key(), date, region, service);
    let signature = hex::encode(hmac(&key[..], string_to_sign.as_bytes()));
    Signature {
        authorization: format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id()
        ),
        amz_date,
    }
}

/// The canonical request and the list of signed header names (`a;b;c`).
pub(crate) fn canonical_request(
    request: &Request<'_>,
    amz_date: &str,
    session_token: Option<&str>,
) -> (String, String) {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), canonical_value(value)))
        .collect();
    headers.push(("host".to_owned(), canonical_value(request.host)));
    headers.push(("x-amz-date".to_owned(), amz_date.to_owned()));
    if let Some(token) = session_token {
        headers.push(("x-amz-security-token".to_owned(), canonical_value(token)));
    }
    // A stable sort keeps repeated headers in their order; their values are then joined by
    // commas, as the specification asks.
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(String, String)> = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        match merged.last_mut() {
            Some((last, values)) if *last == name => {
                values.push(',');
                values.push_str(&value);
            }
            _ => merged.push((name, value)),
        }
    }
    let canonical_headers: String = merged
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let signed_headers = merged
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");

    let mut query: Vec<(String, String)> = request
        .query
        .iter()
        .map(|(name, value)| (crate::percent::encode(name), crate::percent::encode(value)))
        .collect();
    query.sort();
    let canonical_query = query
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");

    let canonical = format!(
        "{}\n{}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{}",
        request.method,
        request.path,
        hex::encode(Sha256::digest(request.body))
    );
    (canonical, signed_headers)
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub(crate) fn signing_key(
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
) -> Zeroizing<[u8; 32]> {
    let secret = Zeroizing::new(format!("AWS4{secret}"));
    let mut key = hmac(secret.as_bytes(), date.as_bytes());
    for part in [region, service, "aws4_request"] {
        let next = hmac(&key[..], part.as_bytes());
        key = next;
    }
    key
}

fn hmac(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

/// Trims a header value and folds runs of spaces into one.
fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
pub(crate) fn amz_date(at: SystemTime) -> String {
    let t = UtcTime::from_system_time(at);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

#[cfg(test)]
mod tests {
    //! Known answers. Two published sources and one independent implementation:
    //! - the AWS Signature Version 4 test suite (`aws4_testsuite`, published with the AWS
    //!   General Reference): credentials `AKIDEXAMPLE` / `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`,
    //!   `20150830T123600Z`, `us-east-1`, service `service`, host `example.amazonaws.com`;
    //! - the IAM `ListUsers` example of the AWS documentation ("Create a signed AWS API
    //!   request"), which also publishes the canonical-request hash and the signing key;
    //! - STS `GetCallerIdentity` requests exactly as this module builds them, signed by botocore
    //!   1.44.8 (`botocore.auth.SigV4Auth`, clock fixed at 2015-08-30 12:36:00 UTC) in a
    //!   throwaway virtualenv.

    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    /// The session token of the test suite's `post-sts-header-before` case.
    const SUITE_SESSION_TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    /// 2015-08-30T12:36:00Z.
    fn example_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    fn credentials(token: Option<&str>) -> AwsCredentials {
        AwsCredentials::new("AKIDEXAMPLE", SECRET, token.map(str::to_owned))
    }

    fn suite(
        method: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: &str,
        token: Option<&str>,
    ) -> String {
        let request = Request {
            method,
            host: "example.amazonaws.com",
            path: "/",
            query,
            headers,
            body: body.as_bytes(),
        };
        sign(
            &credentials(token),
            "us-east-1",
            "service",
            example_time(),
            &request,
        )
        .authorization
    }

    fn expected(signed: &str, signature: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={signed}, Signature={signature}"
        )
    }

    #[test]
    fn the_date_is_formatted_in_utc() {
        assert_eq!(amz_date(example_time()), "20150830T123600Z");
        assert_eq!(
            amz_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "20000229T000000Z"
        );
    }

    #[test]
    fn aws_test_suite_get_and_post_vanilla() {
        assert_eq!(
            suite("GET", &[], &[], "", None),
            expected(
                "host;x-amz-date",
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
            )
        );
        assert_eq!(
            suite("POST", &[], &[], "", None),
            expected(
                "host;x-amz-date",
                "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
            )
        );
        assert_eq!(
            suite("POST", &[("Param1", "value1")], &[], "", None),
            expected(
                "host;x-amz-date",
                "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"
            )
        );
    }

    #[test]
    fn aws_test_suite_form_bodies() {
        assert_eq!(
            suite(
                "POST",
                &[],
                &[("Content-Type", "application/x-www-form-urlencoded")],
                "Param1=value1",
                None
            ),
            expected(
                "content-type;host;x-amz-date",
                "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
            )
        );
        assert_eq!(
            suite(
                "POST",
                &[],
                &[(
                    "Content-Type",
                    "application/x-www-form-urlencoded; charset=utf8"
                )],
                "Param1=value1",
                None
            ),
            expected(
                "content-type;host;x-amz-date",
                "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"
            )
        );
    }

    #[test]
    fn aws_test_suite_session_token_and_header_rules() {
        assert_eq!(
            suite("POST", &[], &[], "", Some(SUITE_SESSION_TOKEN)),
            expected(
                "host;x-amz-date;x-amz-security-token",
                "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
            )
        );
        // get-header-value-trim: values trimmed, inner runs of spaces folded.
        assert_eq!(
            suite(
                "GET",
                &[],
                &[("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
                "",
                None
            ),
            expected(
                "host;my-header1;my-header2;x-amz-date",
                "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
            )
        );
        // get-header-value-order: repeated headers keep their order, joined by commas.
        assert_eq!(
            suite(
                "GET",
                &[],
                &[
                    ("My-Header1", "value4"),
                    ("My-Header1", "value1"),
                    ("My-Header1", "value3"),
                    ("My-Header1", "value2")
                ],
                "",
                None
            ),
            expected(
                "host;my-header1;x-amz-date",
                "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"
            )
        );
        // get-vanilla-query-order-key-case: parameters sorted by name.
        assert_eq!(
            suite(
                "GET",
                &[("Param2", "value2"), ("Param1", "value1")],
                &[],
                "",
                None
            ),
            expected(
                "host;x-amz-date",
                "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
            )
        );
    }

    #[test]
    fn aws_documentation_iam_list_users_example() {
        let request = Request {
            method: "GET",
            host: "iam.amazonaws.com",
            path: "/",
            query: &[("Action", "ListUsers"), ("Version", "2010-05-08")],
            headers: &[(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            body: b"",
        };
        let (canonical, signed) = canonical_request(&request, "20150830T123600Z", None);
        assert_eq!(signed, "content-type;host;x-amz-date");
        assert_eq!(
            hex::encode(Sha256::digest(canonical.as_bytes())),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
        assert_eq!(
            hex::encode(&signing_key(SECRET, "20150830", "us-east-1", "iam")[..]),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        let signature = sign(
            &credentials(None),
            "us-east-1",
            "iam",
            example_time(),
            &request,
        );
        assert_eq!(signature.amz_date, "20150830T123600Z");
        assert_eq!(
            signature.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    #[test]
    fn uri_encoding_keeps_only_unreserved_characters() {
        assert_eq!(
            crate::percent::encode("a b/c=d~e_f.g-h"),
            "a%20b%2Fc%3Dd~e_f.g-h"
        );
        assert_eq!(crate::percent::encode("ሴ"), "%E1%88%B4");
    }
}
