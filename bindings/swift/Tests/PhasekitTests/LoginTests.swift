// Cloud identity logins: loginAwsIam (the core signs STS GetCallerIdentity with the given keys;
// the local server checks the signature) and loginAzure (an Entra ID token, HS256-signed here
// with the seeded tenant's key, as the local server expects); refusals show no secret.

import Foundation
import Phasekit
import XCTest

private let TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
private let TENANT_KEY = "swift-tenant-signing-key"
private let OID = "9a0f2c3e-1111-4a5b-8c7d-000000000001"
private let AWS_KEY = "AKIASWIFTWEB00000001"
private let AWS_SECRET = "swift-web-secret/Key+1xxxxxxxxxxxxxxxxxxx"
private var IDENTITY_WORLD: [String: Any] { [
    "apps": [[
        "name": "cloud-app",
        "environments": ["Development"],
        "secrets": ["Development": [["key": "CLOUD_DB_HOST", "value": "cloud-db.swift.example"]]],
    ]],
    "service_accounts": [[
        "name": "deployer",
        "access": ["cloud-app": "*"],
        "server_side_key_management": true,
        "identities": [
            ["provider": "aws_iam", "trusted_principals": ["arn:aws:sts::123456789012:assumed-role/app-*/*"]],
            ["provider": "azure_entra", "tenant_id": TENANT, "allowed_service_principal_ids": [OID]],
        ],
    ]],
    "aws_credentials": [[
        "access_key_id": AWS_KEY,
        "secret_access_key": AWS_SECRET,
        "arn": "arn:aws:sts::123456789012:assumed-role/app-web/i-0swift",
    ]],
    "azure_tenants": [["tenant_id": TENANT, "signing_key": TENANT_KEY]],
] }

final class LoginTests: ServerTestCase {
    func testAwsAndAzureLogins() async throws {
        let state = try await server.replaceWorld(IDENTITY_WORLD)
        let accounts = state["accounts"] as? [[String: Any]] ?? []
        let account = try XCTUnwrap(accounts.first { $0["name"] as? String == "deployer" }?["id"] as? String)
        let options = ClientOptions(host: server.url)

        let aws = try await loginAwsIam(serviceAccountId: account, accessKeyId: AWS_KEY, secretAccessKey: AWS_SECRET,
                                        region: "us-east-1", ttl: 900, options: options)
        try await assertEqual(await aws.getSecret(key: "CLOUD_DB_HOST", app: "cloud-app").value, "cloud-db.swift.example")
        XCTAssertEqual(aws.host(), server.url)
        let azure = try await loginAzure(serviceAccountId: account, jwt: entraJWT(key: TENANT_KEY), options: options)
        try await assertEqual(values(await azure.get(app: "cloud-app")), ["CLOUD_DB_HOST": "cloud-db.swift.example"])
        try await assertEqual(await server.count("POST /public/identities/external/v1/aws/iam/auth/"), 1)
        try await assertEqual(await server.count("POST /public/identities/external/v1/azure/entra/auth/"), 1)

        let wrong = "swift-wrong-secret/Key+9xxxxxxxxxxxxxxxxxx"
        await expectError("unauthorized", extraSecrets: [wrong, AWS_SECRET]) {
            try await loginAwsIam(serviceAccountId: account, accessKeyId: AWS_KEY, secretAccessKey: wrong,
                                  region: "us-east-1", options: options)
        }
        let forged = entraJWT(key: "not-the-tenant-key")
        let signature = String(forged.split(separator: ".").last ?? "")
        await expectError("unauthorized", extraSecrets: [forged, signature]) {
            try await loginAzure(serviceAccountId: account, jwt: forged, options: options)
        }
    }
}

/// An Entra ID access token of the seeded tenant, HS256 as the local server expects.
private func entraJWT(key: String) -> String {
    func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
    let now = Int(Date().timeIntervalSince1970)
    let claims: [String: Any] = [
        "aud": "https://management.azure.com/", "iss": "https://sts.windows.net/\(TENANT)/",
        "iat": now - 10, "nbf": now - 10, "exp": now + 600,
        "oid": OID, "sub": OID, "tid": TENANT, "ver": "1.0",
    ]
    let body = try! JSONSerialization.data(withJSONObject: claims)
    let signingInput = encode(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + encode(body)
    return signingInput + "." + encode(Data(hmacSHA256(key: Array(key.utf8), message: Array(signingInput.utf8))))
}

/// HMAC-SHA-256 (RFC 2104): Foundation on Linux has no CryptoKit, and the suite needs nothing
/// else from a crypto library.
func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
    var block = key.count > 64 ? sha256(key) : key
    block += [UInt8](repeating: 0, count: 64 - block.count)
    let inner = sha256(block.map { $0 ^ 0x36 } + message)
    return sha256(block.map { $0 ^ 0x5c } + inner)
}

/// SHA-256 (FIPS 180-4).
func sha256(_ message: [UInt8]) -> [UInt8] {
    let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    var data = message + [0x80]
    data += [UInt8](repeating: 0, count: (56 - data.count % 64 + 64) % 64)
    let bits = UInt64(message.count) * 8
    data += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
    func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    for chunk in stride(from: 0, to: data.count, by: 64) {
        var w = [UInt32](repeating: 0, count: 64)
        for i in 0..<16 {
            w[i] = (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(data[chunk + 4 * i + $1]) }
        }
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for i in 0..<64 {
            let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
            let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() {
            h[i] = h[i] &+ v
        }
    }
    return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
}

final class HashTests: XCTestCase {
    func testSHA256AndHMACKnownAnswers() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(hex(sha256(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex(sha256(Array(String(repeating: "a", count: 1000).utf8))),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // RFC 4231, test case 2.
        XCTAssertEqual(hex(hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
