// Writes: create, update (every field), delete, personal overrides; dynamic secrets and leases.

import Foundation
import Phasekit
import XCTest

final class WriteTests: ServerTestCase {
    func testCreateUpdateDelete() async throws {
        let client = try server.client()
        try await client.create(secrets: [
            NewSecret(key: "NEW_ONE", value: "first-value", comment: "made in Swift", tags: ["swift"]),
            NewSecret(key: "NEW_TWO", value: "second-value", path: "/svc", secretType: "config"),
        ], app: APP, env: DEV)
        var one = try await client.getSecret(key: "NEW_ONE", app: APP)
        XCTAssertEqual([one.value, one.comment], ["first-value", "made in Swift"])
        XCTAssertEqual(one.tags, ["swift"])
        let two = try await client.getSecret(key: "NEW_TWO", app: APP, path: "/svc")
        XCTAssertEqual([two.value, two.secretType], ["second-value", "config"])

        // Only what is given changes: an empty value is a value; comment and tags stay.
        try await client.update(key: "NEW_ONE", changes: SecretChanges(value: ""), app: APP)
        one = try await client.getSecret(key: "NEW_ONE", app: APP)
        XCTAssertEqual([one.value, one.comment], ["", "made in Swift"])
        XCTAssertEqual(one.tags, ["swift"])
        try await client.update(key: "NEW_ONE", changes: SecretChanges(comment: "changed", tags: [], newPath: "/moved"),
                                app: APP, env: DEV)
        one = try await client.getSecret(key: "NEW_ONE", app: APP, path: "/moved")
        XCTAssertEqual(one.comment, "changed")
        XCTAssertEqual(one.tags, [])
        try await client.update(key: "NEW_TWO", changes: SecretChanges(path: "/svc", value: "third", secretType: "sealed"),
                                appId: server.appId(APP))
        let sealed = try await client.getSecret(key: "NEW_TWO", app: APP, path: "/svc")
        XCTAssertEqual([sealed.value, sealed.secretType], ["third", "sealed"])

        let missing = try await client.delete(keys: ["NEW_ONE", "NEW_TWO", "NEVER_THERE"], app: APP, env: DEV)
        XCTAssertEqual(missing, ["NEVER_THERE"])
        await expectError("secret_not_found") { try await client.getSecret(key: "NEW_TWO", app: APP, path: "/svc") }
        await expectError("secret_not_found") {
            try await client.update(key: "NEVER_THERE", changes: SecretChanges(value: "x-never-value"), app: APP)
        }
        // delete at one path leaves the other folders alone
        try await assertEqual(await client.delete(keys: ["DB_USER", "DB_HOST"], app: APP, path: "/db"), ["DB_HOST"])
        try await assertEqual(await client.getSecret(key: "DB_HOST", app: APP).value, "db.dev.internal")
    }

    func testPersonalOverrides() async throws {
        let alice = try server.client("alice-pat")
        var port = try await alice.getSecret(key: "DB_PORT", app: APP)
        XCTAssertEqual(port.value, "15432")
        XCTAssertTrue(port.overridden)
        try await alice.update(key: "DB_PORT", changes: SecretChanges(toggleOverride: true), app: APP)
        port = try await alice.getSecret(key: "DB_PORT", app: APP)
        XCTAssertEqual(port.value, "5432")
        XCTAssertFalse(port.overridden)
        try await alice.update(key: "DB_HOST", changes: SecretChanges(overrideValue: "localhost"), app: APP)
        try await assertEqual(await alice.getSecret(key: "DB_HOST", app: APP).value, "localhost")
        try await alice.create(secrets: [NewSecret(key: "MINE", value: "shared", overrideValue: "personal")], app: APP)
        try await assertEqual(await alice.getSecret(key: "MINE", app: APP).value, "personal")
        // Service accounts have no personal overrides.
        await expectError("invalid_input") {
            try await self.server.client().update(key: "DB_PORT", changes: SecretChanges(overrideValue: "1"), app: APP)
        }
    }

    func testDynamicSecretsAndLeases() async throws {
        let client = try server.client()
        let plain = try await client.get(app: APP)
        XCTAssertFalse(plain.contains { $0.isDynamic }, "left out by default")
        let listed = try await client.get(app: APP, options: GetOptions(dynamic: true)).filter(\.isDynamic)
        XCTAssertEqual(listed.map(\.key), CREDENTIALS)
        for entry in listed {
            XCTAssertEqual([entry.value, entry.secretType, entry.lifecycle], ["", "dynamic", "dynamic"])
            XCTAssertEqual(entry.dynamicGroup, "aws-creds (aws)")
            XCTAssertNil(entry.leaseId)
        }
        let secretId = listed[0].id

        let leasedGet = try await client.get(app: APP, options: GetOptions(lease: true, leaseTtl: 60)).filter(\.isDynamic)
        XCTAssertEqual(leasedGet.map(\.key), CREDENTIALS)
        XCTAssertTrue(leasedGet.allSatisfy { $0.value.count == 40 && $0.leaseId != nil })
        XCTAssertEqual(Set(leasedGet.map(\.leaseId)).count, 1, "one lease")
        let expiry = try XCTUnwrap(leasedGet[0].leaseExpiresAt)
        let untilExpiry = try XCTUnwrap(parseTimestamp(expiry)).timeIntervalSinceNow
        XCTAssertTrue(untilExpiry > 0 && untilExpiry <= 61, "expires in \(untilExpiry) s")

        let leased = try await client.leaseGenerate(secretId: secretId, app: APP, env: DEV, ttl: 120)
        XCTAssertEqual(leased.map(\.key), CREDENTIALS)
        let lease = try XCTUnwrap(leased[0].leaseId)
        XCTAssertEqual(leased[1].leaseId, lease)
        XCTAssertNotEqual(leased[0].value, leasedGet[0].value, "fresh credentials per lease")
        let renewed = try await client.leaseRenew(leaseId: lease, ttl: 3600, app: APP)
        XCTAssertTrue(renewed.hasPrefix("Lease renewed successfully"), renewed)
        try await assertEqual(await client.leaseRevoke(leaseId: lease, appId: server.appId(APP)), "Lease revoked successfully")
        try await assertEqual(await client.leaseRevoke(leaseId: lease, app: APP), "Lease was already revoked")
        let revoked = await expectError("invalid_input") { try await client.leaseRenew(leaseId: lease, ttl: 60, app: APP) }
        XCTAssertEqual(revoked?.status(), 400)
        await expectError("secret_not_found") { try await client.leaseRevoke(leaseId: "no-such-lease", app: APP) }
        await expectError("invalid_input") { try await client.leaseGenerate(secretId: secretId, app: E2EE_APP) }
    }
}

/// An RFC 3339 UTC timestamp such as 2026-01-01T00:00:00.5Z.
func parseTimestamp(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) {
        return date
    }
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)
}
