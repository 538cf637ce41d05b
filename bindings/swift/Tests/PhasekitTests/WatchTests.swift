// Watch: `watcher.changes` as an AsyncSequence (for try await), transient errors, close(),
// and cancelling the task that iterates.

import Foundation
import Phasekit
import XCTest

final class WatchTests: ServerTestCase {
    func testChangesAsAnAsyncSequence() async throws {
        let watching = try server.client("sa-token", ClientOptions(maxRetries: 0))
        let writer = try server.client()
        let watcher = try watching.watch(app: APP, env: DEV, options: GetOptions(raw: true),
                                         watch: WatchOptions(interval: 0.1, maxBackoff: 0.3))
        try await eventually("the first poll") { try await self.server.count("GET /secrets/") >= 1 }

        try await writer.create(secrets: [NewSecret(key: "WATCHED", value: "watched-value")], app: APP)
        let added = try await within(10, "a change") { () -> Change? in
            for try await change in watcher.changes {
                return change
            }
            return nil
        }
        XCTAssertEqual(added, Change(added: ["WATCHED"], changed: [], removed: []))

        // A transient failure ends the loop with its error; iterating again goes on polling.
        try await server.faults(["path": "/secrets/", "fail_next": 1, "fail_status": 503])
        do {
            _ = try await within(10, "the failure") { () -> Change? in
                for try await change in watcher.changes {
                    return change
                }
                return nil
            }
            XCTFail("no error from the failed poll")
        } catch let error as PhaseError {
            guard case .Server(code: "server", _, _, _, _) = error else {
                return XCTFail("not a server error: \(error)")
            }
            XCTAssertTrue(error.retryable())
        }
        try await writer.update(key: "DB_HOST", changes: SecretChanges(value: "moved-host-value"), app: APP)
        _ = try await writer.delete(keys: ["WATCHED"], app: APP)
        let seen = try await within(10, "two more changes") { () -> Change in
            var seen = Change(added: [], changed: [], removed: [])
            for try await change in watcher.changes {
                seen = Change(added: seen.added + change.added, changed: seen.changed + change.changed,
                              removed: seen.removed + change.removed)
                if !seen.changed.isEmpty && !seen.removed.isEmpty {
                    break
                }
            }
            return seen
        }
        XCTAssertEqual(seen, Change(added: [], changed: ["DB_HOST"], removed: ["WATCHED"]))

        // close() from elsewhere ends a loop that waits for the next change, and the polling.
        let loop = Task { () async throws -> Int in
            var count = 0
            for try await _ in watcher.changes {
                count += 1
            }
            return count
        }
        try await sleep(seconds: 0.25)
        watcher.close()
        let changesAfterClose = try await within(5, "the loop to end") { try await loop.value }
        XCTAssertEqual(changesAfterClose, 0)
        let next = try await watcher.next()
        XCTAssertNil(next)
        let polls = try await server.count("GET /secrets/")
        try await sleep(seconds: 0.4)
        try await assertEqual(await server.count("GET /secrets/"), polls, "no polling after close()")
    }

    func testCancellingTheIteratingTaskEndsTheLoop() async throws {
        let watcher = try server.client().watch(app: APP, watch: WatchOptions(interval: 0.1))
        let loop = Task { () async throws -> Int in
            var count = 0
            for try await _ in watcher.changes {
                count += 1
            }
            return count
        }
        try await eventually("the first poll") { try await self.server.count("GET /secrets/") >= 1 }
        loop.cancel()
        do {
            let count = try await within(2, "the cancelled loop to end") { try await loop.value }
            XCTFail("the loop ended normally after \(count) changes")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        // The watch itself is still there until closed.
        watcher.close()
        let next = try await watcher.next()
        XCTAssertNil(next)
    }

    func testAnIntervalOfZeroIsInvalid() async throws {
        await expectError("invalid_input") {
            try self.server.client().watch(app: APP, watch: WatchOptions(interval: 0))
        }
    }
}
