// Reads: get with its options, getSecret, getResult with the caches, export, apps,
// environments, refresh/close/host/stats, fromEnv, and secrets that never print their value.

import Foundation
import Phasekit
import XCTest

final class ReadTests: ServerTestCase {
    func testGetReturnsEveryFolderWithReferencesResolved() async throws {
        let secrets = try await server.client().get(app: APP, env: DEV)
        let pathKeys = secrets.map { "\($0.path) \($0.key)" }.sorted()
        let expected = (ROOT_RAW.map { "/ \($0.key)" } + ["/db DB_USER", "/db DB_PASSWORD",
                        "/one FEATURE_FLAG", "/two FEATURE_FLAG"]).sorted()
        XCTAssertEqual(pathKeys, expected)
        let found = Dictionary(uniqueKeysWithValues: secrets.map { ("\($0.path) \($0.key)", $0) })
        XCTAssertEqual(found["/ DATABASE_URL"]?.value, RESOLVED_DATABASE_URL)
        XCTAssertEqual(found["/ STAGING_DB_HOST"]?.value, "db.staging.internal")
        XCTAssertEqual(found["/one FEATURE_FLAG"]?.value, "flag-one-value")
        XCTAssertEqual(found["/two FEATURE_FLAG"]?.value, "flag-two-value")
        XCTAssertEqual(found["/ MULTILINE_CERT"]?.value, "-----BEGIN CERT-----\nMIIBinterop\n-----END CERT-----")
        XCTAssertEqual(found["/ UNICODE_VALUE"]?.value, "héllo wörld ✓ 日本語")
        XCTAssertEqual(found["/ EMPTY_VALUE"]?.value, "")
        let password = try XCTUnwrap(found["/db DB_PASSWORD"])
        XCTAssertEqual(password.value, "dev-Pa55w0rd!")
        XCTAssertEqual(password.comment, "rotated monthly")
        XCTAssertEqual(password.tags, ["database"])
        XCTAssertEqual(found["/ DB_HOST"]?.comment, "primary database host")
        for secret in secrets {
            XCTAssertEqual([secret.app, secret.env, secret.secretType, secret.lifecycle],
                           [APP, DEV, "secret", "static"])
            XCTAssertEqual(secret.version, 1)
            // As the server writes them (ISO 8601, UTC); never changed since created.
            let created = try XCTUnwrap(secret.createdAt), updated = try XCTUnwrap(secret.updatedAt)
            XCTAssertTrue(created.hasPrefix("20") && created.hasSuffix("Z"), created)
            XCTAssertGreaterThanOrEqual(updated, created)
            XCTAssertFalse(secret.overridden || secret.isDynamic)
            XCTAssertNil(secret.dynamicGroup ?? secret.leaseId ?? secret.leaseExpiresAt)
        }
        XCTAssertEqual(Set(secrets.map(\.id)).count, secrets.count, "ids are unique")
    }

    func testGetOptions() async throws {
        let client = try server.client()
        let db = try await client.get(app: APP, env: DEV, options: GetOptions(path: "/db"))
        XCTAssertEqual(values(db), DB_VALUES)
        let raw = try await client.get(app: APP, env: DEV, options: GetOptions(path: "/", raw: true))
        XCTAssertEqual(raw.map(\.key), ROOT_RAW.map(\.key), "seed order")
        XCTAssertEqual(raw.map(\.value), ROOT_RAW.map(\.value), "references as written")
        let some = try await client.get(app: APP, env: DEV, options: GetOptions(keys: ["DB_HOST", "DATABASE_URL"]))
        XCTAssertEqual(values(some), ["DB_HOST": "db.dev.internal", "DATABASE_URL": RESOLVED_DATABASE_URL])
        let tagged = try await client.get(app: APP, env: DEV, options: GetOptions(tag: "PAY"))
        XCTAssertEqual(tagged.map(\.key), ["STRIPE_SECRET_KEY"])
        let nowhere = try await client.get(app: APP, env: DEV, options: GetOptions(path: "/nowhere"))
        XCTAssertEqual(nowhere, [])
        // The app by id, the environment by name; another environment's values.
        let production = try await client.get(env: PROD, appId: server.appId(APP))
        XCTAssertEqual(values(production), ["DB_HOST": "db.prod.internal", "DB_PORT": "6432"])
        // The default environment is Development.
        try await assertEqual(await client.get(app: REFS_APP).count, 3)
    }

    func testGetSecret() async throws {
        let client = try server.client()
        let password = try await client.getSecret(key: "DB_PASSWORD", app: APP, path: "/db")
        XCTAssertEqual([password.key, password.value, password.path, password.comment],
                       ["DB_PASSWORD", "dev-Pa55w0rd!", "/db", "rotated monthly"])
        let port = try await client.getSecret(key: "DB_PORT", app: APP, env: PROD)
        XCTAssertEqual([port.value, port.comment], ["6432", "pgbouncer"])
        let url = try await client.getSecret(key: "DATABASE_URL", appId: server.appId(APP))
        XCTAssertEqual(url.value, RESOLVED_DATABASE_URL)
        await expectError("secret_not_found") { try await client.getSecret(key: "DB_PASSWORD", app: APP) }
    }

    func testGetResultFromNetworkMemoryAndTheOfflineCache() async throws {
        let cached = try server.client("sa-token", ClientOptions(cacheTtl: 60))
        let first = try await cached.getResult(app: APP, env: DEV, options: GetOptions(path: "/db"))
        try await server.resetRequests()
        let second = try await cached.getResult(app: APP, env: DEV, options: GetOptions(path: "/db"))
        XCTAssertEqual(first.source, .network)
        XCTAssertEqual(second.source, .memory)
        XCTAssertEqual(values(second.secrets), DB_VALUES)
        try await assertEqual(await server.requests(), [:], "served from memory")
        let stats = cached.stats()
        XCTAssertEqual([stats.cacheHits, stats.cacheMisses, stats.failures, stats.retries], [1, 1, 0, 0])
        XCTAssertGreaterThanOrEqual(stats.requests, 2)
        XCTAssertGreaterThan(stats.decryptedFields, 0)
        XCTAssertGreaterThan(stats.decryptTime, 0)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("phasekit-offline-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let online = try server.client("sa-token", ClientOptions(offlineCacheDir: dir))
        try await server.resetRequests()
        _ = try await online.get(app: APP, env: DEV)
        let answers = try await server.requests().values.reduce(0, +) // session, secrets, Staging's
        try await server.resetRequests()
        let offline = try server.client("sa-token", ClientOptions(offlineCacheDir: dir, offline: true))
        let result = try await offline.getResult(app: APP, env: DEV)
        XCTAssertEqual(result.source, .offline)
        XCTAssertEqual(values(result.secrets.filter { $0.path == "/db" }), DB_VALUES)
        XCTAssertEqual(result.secrets.first { $0.key == "DATABASE_URL" }?.value, RESOLVED_DATABASE_URL)
        XCTAssertEqual(offline.stats().offlineServed, UInt64(answers), "each answer again, from the cache")
        await expectError("offline_unavailable") {
            try await offline.create(secrets: [NewSecret(key: "NEW", value: "offline-write-value")], app: APP)
        }
        await expectError("offline_unavailable") { try await offline.get(app: APP, env: PROD) }
        try await assertEqual(await server.requests(), [:], "offline: no request at all")
        XCTAssertEqual(offline.stats().requests, 0)
    }

    func testExport() async throws {
        let client = try server.client()
        let dotenv = try await client.export(app: APP, env: DEV, path: "/db")
        XCTAssertEqual(dotenv, "DB_USER=\"app_user\"\nDB_PASSWORD=\"dev-Pa55w0rd!\"\n")
        let json = try await client.export(app: APP, format: "json")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        XCTAssertEqual(object["DATABASE_URL"], RESOLVED_DATABASE_URL)
        XCTAssertEqual(object["UNICODE_VALUE"], "héllo wörld ✓ 日本語")
        let yaml = try await client.export(app: APP, env: PROD, format: "yaml", appId: nil)
        XCTAssertTrue(yaml.contains("DB_HOST") && yaml.contains("db.prod.internal"), yaml)
        await expectError("invalid_input") { try await client.export(app: APP, format: "docx") }
    }

    func testAppsAndEnvironments() async throws {
        let client = try server.client()
        let apps = try await client.apps()
        XCTAssertEqual(Set(apps.map(\.name)), [APP, E2EE_APP, REFS_APP, "twin-alpha", "twin-bravo"])
        let app = try XCTUnwrap(apps.first { $0.name == APP })
        XCTAssertEqual(app.id, server.appId(APP))
        XCTAssertEqual(app.encryption, "SSE")
        XCTAssertEqual(apps.first { $0.name == E2EE_APP }?.encryption, "E2E")
        XCTAssertEqual(app.environments.map(\.name), [DEV, STAGING, PROD])
        let environments = try await client.environments(app: APP)
        XCTAssertEqual(environments.map(\.name), [DEV, STAGING, PROD])
        for environment in environments {
            XCTAssertEqual(environment.id, server.envId(APP, environment.name))
            XCTAssertFalse(environment.envType.isEmpty)
        }
        let stagingOnly = try server.client("staging-token")
        let visible = try await stagingOnly.environments(appId: server.appId(APP))
        XCTAssertEqual(visible.map(\.name), [STAGING])
    }

    func testRefreshCloseHostAndRequests() async throws {
        let client = try server.client()
        XCTAssertEqual(client.host(), server.url)
        // A cold call fetches the session first; a warm one only the secrets.
        for expected in [2, 1, 1] {
            _ = try await client.get(app: APP, options: GetOptions(path: "/db"))
            try await assertEqual(await server.requests().values.reduce(0, +), expected)
            try await server.resetRequests()
        }
        try await client.refresh()
        _ = try await client.get(app: APP, options: GetOptions(path: "/db"))
        try await assertEqual(await server.requests(), ["GET /secrets/tokens/": 1, "GET /secrets/": 1])
        try await server.resetRequests()
        // close() drops the session; the client still works and fetches a new one.
        try await client.close()
        try await assertEqual(values(await client.get(app: APP, options: GetOptions(path: "/db"))), DB_VALUES)
        try await assertEqual(await server.requests(), ["GET /secrets/tokens/": 1, "GET /secrets/": 1])
    }

    func testFromEnvironment() async throws {
        setenv("PHASE_SERVICE_TOKEN", server.token("reader-token"), 1)
        setenv("PHASE_HOST", server.url, 1)
        defer {
            unsetenv("PHASE_SERVICE_TOKEN")
            unsetenv("PHASE_HOST")
        }
        let client = try PhaseClient.fromEnv()
        XCTAssertEqual(client.host(), server.url)
        try await assertEqual(await client.getSecret(key: "DB_HOST", app: APP).value, "db.dev.internal")
        unsetenv("PHASE_SERVICE_TOKEN")
        await expectError("invalid_token") { try PhaseClient.fromEnv() }
    }

    func testASecretNeverPrintsItsValue() async throws {
        let client = try server.client()
        let secret = try await client.getSecret(key: "STRIPE_SECRET_KEY", app: APP)
        XCTAssertEqual(secret.value, "sk_test_51Interop")
        let shown = [secret.description, secret.debugDescription, "\(secret)", String(describing: secret),
                     String(reflecting: secret), "\([secret])", "\(["k": secret])", "\(Optional(secret) as Any)"]
        for text in shown {
            XCTAssertFalse(text.contains("sk_test_51Interop"), "the value shows in \(text)")
            XCTAssertTrue(text.contains("STRIPE_SECRET_KEY") && text.contains("redacted"), text)
        }
    }

    func testDebugLogsNameRequestsButNoSecrets() async throws {
        _ = drainLogs()
        let client = try server.client("sa-token", ClientOptions(debug: true))
        _ = try await client.get(app: APP)
        let logs = drainLogs()
        let requestLines = logs.filter { $0.target == "phasekit::transport" && $0.message.hasPrefix("phase request ") }
        let served = try await server.requests().values.reduce(0, +)
        XCTAssertEqual(requestLines.count, served, "one line per request")
        XCTAssertTrue(requestLines.contains { $0.message.contains("/secrets/") }, "\(logs.map(\.message))")
        let text = logs.map { "\($0.level) \($0.target) \($0.message)" }.joined(separator: "\n")
        for value in seededSecretValues {
            XCTAssertFalse(text.contains(value), "a secret value in the logs")
        }
        for part in tokenParts(server.token("sa-token")) {
            XCTAssertFalse(text.contains(part), "a token part in the logs")
        }
        XCTAssertEqual(drainLogs(), [], "drained")
    }
}
