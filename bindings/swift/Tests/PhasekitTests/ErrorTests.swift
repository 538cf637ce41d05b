// Every error code arrives in the PhaseError case of its family, with the right status, retryAfter and
// retryable, and no secret value or token part in any rendering of it.

import Foundation
import Phasekit
import XCTest

final class ErrorTests: ServerTestCase {
    static let codes = [
        "invalid_token", "unauthorized", "forbidden", "app_not_found", "env_not_found",
        "secret_not_found", "ambiguous", "conflict", "invalid_input", "rate_limited", "network",
        "timeout", "tls", "server", "protocol", "decrypt_failed", "reference_unresolved",
        "reference_cycle", "offline_unavailable",
    ]

    /// PhaseError's cases are the core's families, in its order (`caseFamily` is exhaustive,
    /// so this list is every case); which code arrives in which case is checked for each error
    /// by `expectError` below.
    func testTheCasesAreTheCoresFamilies() {
        XCTAssertEqual(errorCodes(), Self.codes)
        let e = (code: "", message: "", status: UInt16?.none, retryAfter: Double?.none, retryable: false)
        let cases: [PhaseError] = [
            .Authentication(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .PermissionDenied(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .NotFound(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Ambiguous(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Conflict(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .InvalidInput(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .RateLimit(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Network(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .RequestTimeout(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Tls(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Server(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Protocol(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Decryption(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Reference(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
            .Offline(code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter, retryable: e.retryable),
        ]
        let families = errorFamilies()
        XCTAssertEqual(cases.map(caseFamily), families.map(\.name))
        XCTAssertEqual(families.flatMap(\.codes).sorted(), Self.codes.sorted(), "each code in one family")
        XCTAssertEqual(families.first { $0.name == "RequestTimeoutError" }?.parent, "NetworkError")
    }

    func testEveryCodeArrivesAsItsCase() async throws {
        XCTAssertEqual(errorCodes(), Self.codes)
        var seen: [String: PhaseError] = [:]
        func record(_ error: PhaseError?) {
            if let error { seen[error.code()] = error }
        }
        let real = server.token("sa-token")
        let client = try server.client()
        _ = try await client.getSecret(key: "DB_HOST", app: APP) // warm: faults hit the data request
        let noRetries = try server.client("sa-token", ClientOptions(maxRetries: 0))
        _ = try await noRetries.getSecret(key: "DB_HOST", app: APP)

        record(await expectError("invalid_token", tokens: [real]) { try PhaseClient(token: "not-a-token") })
        record(await expectError("unauthorized", tokens: [server.token("sa-expired")]) {
            try await self.server.client("sa-expired").get(app: APP)
        })
        record(await expectError("forbidden") {
            try await self.server.client("reader-token").create(secrets: [NewSecret(key: "NOPE", value: "reader-value")], app: APP)
        })
        record(await expectError("app_not_found") { try await client.get(app: "no-such-app") })
        record(await expectError("env_not_found") { try await client.get(app: APP, env: "Nowhere") })
        record(await expectError("secret_not_found") { try await client.getSecret(key: "NOPE", app: APP) })
        record(await expectError("ambiguous") { try await client.get(app: "twin") })
        record(await expectError("conflict", extraSecrets: ["dup-value-xyz"]) {
            try await client.create(secrets: [NewSecret(key: "DB_HOST", value: "dup-value-xyz")], app: APP)
        })
        record(await expectError("invalid_input") { try await client.get(env: DEV) })
        try await server.faults(["throttle_next": 1, "retry_after": 120])
        record(await expectError("rate_limited") { try await client.get(app: APP) })
        let closed = try PhaseClient(token: real, options: ClientOptions(host: closedPortURL(), maxRetries: 0))
        record(await expectError("network", tokens: [real]) { try await closed.get(app: APP) })
        try await server.faults(["latency_ms": 1000])
        let impatient = try server.client("sa-token", ClientOptions(timeout: 0.2, maxRetries: 0))
        record(await expectError("timeout") { try await impatient.get(app: APP) })
        try await server.clearFaults()
        let https = try PhaseClient(token: real, options: ClientOptions(host: server.url.replacingOccurrences(of: "http://", with: "https://")))
        record(await expectError("tls", tokens: [real]) { try await https.get(app: APP) })
        try await server.faults(["fail_next": 1, "fail_status": 500])
        record(await expectError("server") { try await noRetries.get(app: APP) })
        try await server.faults(["corrupt_next": 1, "corruption": "not_json"])
        record(await expectError("protocol") { try await noRetries.get(app: APP) })
        try await server.faults(["corrupt_next": 1, "corruption": "tamper"])
        record(await expectError("decrypt_failed") { try await noRetries.get(app: APP) })
        try await server.clearFaults()
        record(await expectError("reference_unresolved") {
            try await client.get(app: REFS_APP, options: GetOptions(strict: true))
        })
        record(await expectError("reference_cycle") { try await client.get(app: REFS_APP, env: PROD) })
        let emptyCache = FileManager.default.temporaryDirectory.appendingPathComponent("phasekit-empty-\(UUID())").path
        let offline = try server.client("sa-token", ClientOptions(offlineCacheDir: emptyCache, offline: true))
        record(await expectError("offline_unavailable") { try await offline.get(app: APP) })

        XCTAssertEqual(seen.keys.sorted(), Self.codes.sorted(), "every code seen")
        func check(_ code: String, status: UInt16?, retryAfter: Double? = nil, retryable: Bool) {
            guard let error = seen[code] else { return }
            XCTAssertEqual(error.status(), status, code)
            XCTAssertEqual(error.retryAfter(), retryAfter, code)
            XCTAssertEqual(error.retryable(), retryable, code)
            XCTAssertFalse(error.message().isEmpty, code)
            // What Foundation shows (LocalizedError) is the case with its fields.
            XCTAssertEqual(error.localizedDescription, String(reflecting: error), code)
        }
        check("invalid_token", status: nil, retryable: false)
        check("unauthorized", status: 403, retryable: false)
        check("forbidden", status: 403, retryable: false)
        check("conflict", status: 409, retryable: false)
        check("rate_limited", status: 429, retryAfter: 120, retryable: true)
        check("network", status: nil, retryable: true)
        check("timeout", status: nil, retryable: true)
        check("tls", status: nil, retryable: false)
        check("server", status: 500, retryable: false)
        check("decrypt_failed", status: nil, retryable: false)
        XCTAssertTrue(seen["ambiguous"]?.message().contains("twin-alpha") == true
            && seen["ambiguous"]?.message().contains("twin-bravo") == true, "the candidates are named")
        XCTAssertTrue(seen["app_not_found"]?.message().contains("no-such-app") == true)
        // Errors are plain values: equal when their fields are, usable as Error.
        XCTAssertEqual(seen["conflict"], seen["conflict"])
        XCTAssertNotEqual(seen["conflict"], seen["forbidden"])
        let asError: Error = try XCTUnwrap(seen["server"])
        XCTAssertTrue(asError is PhaseError)
    }

    func testMalformedTokensNeverShowInTheError() async throws {
        let real = server.token("sa-token")
        let fields = real.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func joined(_ parts: [String]) -> String { parts.joined(separator: ":") }
        let shortWrapKey = String(fields[5].dropLast())
        let notHex = "zz" + String(fields[4].dropFirst(2))
        let malformed: [String] = [
            "",
            joined(Array(fields[0...4]) + [shortWrapKey]),
            joined(fields + [fields[5]]),
            joined(Array(fields[0...3]) + [notHex, fields[5]]),
            "Bearer " + real,
            joined(["pss_user", "v2"] + Array(fields[2...])),
        ]
        for bad in malformed {
            let error = await expectError("invalid_token", tokens: [real, bad]) {
                try PhaseClient(token: bad, options: ClientOptions(host: self.server.url))
            }
            XCTAssertEqual(error?.status(), nil)
        }
        // A token whose wrap key was changed while copying: the server knows its id, and the
        // error says the token was not copied whole.
        var mispasted = fields
        mispasted[5] = (fields[5].hasPrefix("0") ? "1" : "0") + String(fields[5].dropFirst())
        let client = try PhaseClient(token: mispasted.joined(separator: ":"), options: ClientOptions(host: server.url))
        let error = await expectError("invalid_token", tokens: [real, mispasted.joined(separator: ":")]) {
            try await client.get(app: APP)
        }
        XCTAssertTrue(error?.message().contains("not copied whole") == true, error?.message() ?? "")
        try await assertEqual(await server.count("GET /secrets/"), 0)
    }

    func testInvalidInputBeforeAnyRequest() async throws {
        let client = try server.client()
        await expectError("invalid_input") { try await client.getSecret(key: "DB_HOST") }
        await expectError("invalid_input") { try await client.delete(keys: ["DB_HOST"]) }
        await expectError("invalid_input") { try await client.get(app: APP, options: GetOptions(path: "/a\nb")) }
        await expectError("invalid_input") { try await client.get(app: "") }
        await expectError("invalid_input") {
            try await client.update(key: "DB_HOST", changes: SecretChanges(secretType: "vault"), app: APP)
        }
        await expectError("invalid_input") { try PhaseClient(token: self.server.token("sa-token"), options: ClientOptions(host: "not a url")) }
        await expectError("invalid_input") { try self.server.client("sa-token", ClientOptions(timeout: -1)) }
        await expectError("invalid_input") { try self.server.client("sa-token", ClientOptions(offline: true)) }
        // At most the session was fetched (some checks need it); no secret was read or written.
        try await assertEqual(await server.requests().keys.filter { $0 != "GET /secrets/tokens/" }, [])
        // Ambiguous folder: nothing is deleted.
        await expectError("ambiguous") { try await client.delete(keys: ["FEATURE_FLAG"], app: APP) }
        try await assertEqual(await client.get(app: APP, options: GetOptions(keys: ["FEATURE_FLAG"])).count, 2)
    }

    func testEnvironmentNotVisibleToTheToken() async throws {
        let stagingOnly = try server.client("staging-token")
        let error = await expectError("env_not_found") { try await stagingOnly.get(app: APP, env: DEV) }
        XCTAssertTrue(error?.message().contains(STAGING) == true, error?.message() ?? "")
        try await assertEqual(values(await stagingOnly.get(app: APP, env: STAGING)),
                       ["DB_HOST": "db.staging.internal", "DB_PORT": "5432"])
    }
}
