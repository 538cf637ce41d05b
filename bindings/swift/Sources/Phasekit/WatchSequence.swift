// Written by hand, not generated: `make swift` rewrites only Phasekit.swift, and
// `make test-swift` compares only the generated files. It lets a `Watcher` (generated) be
// iterated with `for try await change in watcher.changes`.

extension Watcher {
    /// The watch's changes as an `AsyncSequence`: each iteration is one `next()`. The sequence
    /// ends when the watch ends or is closed. An error thrown by `next()` ends the loop; a
    /// transient one (`retryable()`) leaves the watch polling, so iterating `changes` again
    /// goes on where it stopped.
    public var changes: WatchSequence { WatchSequence(watcher: self) }
}

/// The changes of a `Watcher` (see `Watcher.changes`).
public struct WatchSequence: AsyncSequence, Sendable {
    public typealias Element = Change

    let watcher: Watcher

    public struct AsyncIterator: AsyncIteratorProtocol {
        let watcher: Watcher

        public mutating func next() async throws -> Change? {
            try await watcher.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(watcher: watcher)
    }
}
