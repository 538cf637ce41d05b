// async/await: concurrent calls on one client, cancellation of a Task, the retry policy against
// the server's faults (a 503 burst retried, a write never repeated).

import Foundation
import Phasekit
import XCTest

final class AsyncTests: ServerTestCase {
    func testTwentyFourConcurrentCallsOnOneClient() async throws {
        let client = try server.client()
        // Each request takes 300 ms: one after the other, 24 calls would need over 7 s.
        try await server.faults(["latency_ms": 300])
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<24 {
                group.addTask {
                    switch i % 3 {
                    case 0:
                        let db = try await client.get(app: APP, options: GetOptions(path: "/db"))
                        return (i, values(db) == DB_VALUES ? "ok" : "get: \(db.map(\.key))")
                    case 1:
                        let host = try await client.getSecret(key: "DB_HOST", app: APP, env: PROD)
                        return (i, host.value == "db.prod.internal" ? "ok" : "getSecret")
                    default:
                        let envs = try await client.environments(app: APP)
                        return (i, envs.map(\.name) == [DEV, STAGING, PROD] ? "ok" : "environments")
                    }
                }
            }
            var all: [Int: String] = [:]
            for try await (i, outcome) in group {
                all[i] = outcome
            }
            return all
        }
        let elapsed = seconds(since: start)
        XCTAssertEqual(results.count, 24)
        XCTAssertEqual(results.values.filter { $0 != "ok" }, [])
        XCTAssertLessThan(elapsed, 4, "the calls ran concurrently")
        try await assertEqual(await server.count("GET /secrets/"), 16)
    }

    func testCancellingATaskEndsTheCallAtOnce() async throws {
        let client = try server.client()
        _ = try await client.getSecret(key: "DB_HOST", app: APP)
        try await server.faults(["latency_ms": 3000])
        let task = Task { try await client.get(app: APP, env: PROD) }
        try await eventually("the request reaching the server") {
            try await self.server.count("GET /secrets/") >= 2
        }
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        let elapsed = seconds(since: start)
        switch result {
        case .success:
            XCTFail("the cancelled call returned secrets")
        case let .failure(error):
            XCTAssertTrue(error is CancellationError, "\(type(of: error)): \(error)")
        }
        XCTAssertLessThan(elapsed, 1, "the call ended when its task was cancelled, not when the server answered")
        // The client goes on working.
        try await server.clearFaults()
        try await assertEqual(await client.getSecret(key: "DB_HOST", app: APP, env: STAGING).value, "db.staging.internal")
    }

    func testATaskCancelledBeforeTheCallSendsNothing() async throws {
        let client = try server.client()
        _ = try await client.getSecret(key: "DB_HOST", app: APP)
        try await server.resetRequests()
        let task = Task { () async throws -> [Secret] in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.get(app: APP)
        }
        do {
            _ = try await task.value
            XCTFail("a cancelled task's call returned")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        try await sleep(seconds: 0.2)
        try await assertEqual(await server.requests(), [:])
    }

    func testABurstOf503IsRetried() async throws {
        let client = try server.client()
        _ = try await client.getSecret(key: "DB_HOST", app: APP)
        try await server.resetRequests()
        try await server.faults(["fail_next": 2, "fail_status": 503])
        try await assertEqual(values(await client.get(app: APP, options: GetOptions(path: "/db"))), DB_VALUES)
        try await assertEqual(await server.requests(), ["GET /secrets/": 3], "two failures, then the answer")
        let stats = client.stats()
        XCTAssertEqual([stats.retries, stats.failures], [2, 2], "two failed attempts, both retried")
        // Without retries the same burst is a retryable server error.
        try await server.faults(["fail_next": 1, "fail_status": 503])
        let once = try server.client("sa-token", ClientOptions(maxRetries: 0))
        let error = await expectError("server") { try await once.get(app: APP) }
        XCTAssertEqual(error?.status(), 503)
        XCTAssertEqual(error?.retryable(), true)
    }

    func testAWriteIsNeverRepeated() async throws {
        let client = try server.client()
        _ = try await client.getSecret(key: "DB_HOST", app: APP)
        try await server.resetRequests()
        try await server.faults(["fail_next": 1, "fail_status": 503])
        let error = await expectError("server", extraSecrets: ["fault-new-value"]) {
            try await client.create(secrets: [NewSecret(key: "FAULT_NEW", value: "fault-new-value")], app: APP)
        }
        XCTAssertEqual(error?.status(), 503)
        try await assertEqual(await server.requests(), ["POST /secrets/": 1], "sent once")
        try await assertEqual(await client.get(app: APP, options: GetOptions(keys: ["FAULT_NEW"])), [])
    }

    func testRetryAfterShortIsWaitedForLongIsReturned() async throws {
        let client = try server.client()
        _ = try await client.getSecret(key: "DB_HOST", app: APP)
        try await server.resetRequests()
        try await server.faults(["throttle_next": 1, "retry_after": 1])
        let start = ContinuousClock.now
        try await assertEqual(await client.getSecret(key: "DB_HOST", app: APP).value, "db.dev.internal")
        XCTAssertGreaterThanOrEqual(seconds(since: start), 0.9)
        try await assertEqual(await server.requests(), ["GET /secrets/": 2])
        XCTAssertEqual(client.stats().rateLimited, 1)
        try await server.faults(["throttle_next": 1, "retry_after": 120])
        let error = await expectError("rate_limited") { try await client.get(app: APP) }
        XCTAssertEqual(error?.retryAfter(), 120)
    }

    func testADroppedConnectionIsRetriedAndADeadlineEndsACall() async throws {
        let client = try server.client()
        try await server.faults(["drop_next": 1])
        try await assertEqual(await client.getSecret(key: "DB_HOST", app: APP).value, "db.dev.internal")
        try await server.faults(["latency_ms": 2000])
        let bounded = try server.client("sa-token", ClientOptions(deadline: 0.5))
        let start = ContinuousClock.now
        let error = await expectError("timeout") { try await bounded.get(app: APP) }
        XCTAssertLessThan(seconds(since: start), 1.5)
        XCTAssertEqual(error?.message().components(separatedBy: "deadline").count, 2, error?.message() ?? "")
    }
}
