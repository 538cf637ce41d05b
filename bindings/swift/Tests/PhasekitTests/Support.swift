// The local Phase-compatible server (tests/server) the suite runs against, and helpers.
//
// `make test-swift` starts phasekit-server with tests/server/seeds/bindings.json and passes
// PHASEKIT_TEST_SERVER (the JSON file the server wrote: its URL) and PHASEKIT_TEST_SEED (the
// seed). Every test starts from the seeded world again, without faults, counters at zero.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Phasekit
import XCTest

// Names and values of tests/server/seeds/bindings.json.
let APP = "interop-app"
let E2EE_APP = "interop-e2ee"
let REFS_APP = "refs-app"
let DEV = "Development"
let STAGING = "Staging"
let PROD = "Production"
/// interop-app/Development at the root path, in seed order, references as written.
let ROOT_RAW: KeyValuePairs<String, String> = [
    "DB_HOST": "db.dev.internal",
    "DB_PORT": "5432",
    "DATABASE_URL": "postgres://${/db/DB_USER}:${/db/DB_PASSWORD}@${DB_HOST}:${DB_PORT}/app",
    "STAGING_DB_HOST": "${staging.DB_HOST}",
    "STRIPE_SECRET_KEY": "sk_test_51Interop",
    "EMPTY_VALUE": "",
    "MULTILINE_CERT": "-----BEGIN CERT-----\nMIIBinterop\n-----END CERT-----",
    "UNICODE_VALUE": "héllo wörld ✓ 日本語",
]
let DB_VALUES = ["DB_USER": "app_user", "DB_PASSWORD": "dev-Pa55w0rd!"]
let RESOLVED_DATABASE_URL = "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app"
let CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
}

/// The running phasekit-server: its URL, the tokens minted by the last reset, its world state,
/// and its admin API (tests/server/README.md, "Admin API").
final class LocalServer: @unchecked Sendable {
    let url: String
    let seed: Data
    private(set) var tokens: [String: String] = [:]
    private(set) var state: [String: Any] = [:]

    private init(url: String, seed: Data) {
        self.url = url
        self.seed = seed
    }

    /// The server named by the environment (read once per process).
    static func shared() throws -> LocalServer {
        try fromEnvironment.get()
    }

    private static let fromEnvironment = Result { () throws -> LocalServer in
        let env = ProcessInfo.processInfo.environment
        guard let info = env["PHASEKIT_TEST_SERVER"], let seedPath = env["PHASEKIT_TEST_SEED"] else {
            throw TestSetupError(description: "PHASEKIT_TEST_SERVER and PHASEKIT_TEST_SEED are not set: "
                + "run the suite with `make test-swift`, which starts the local server")
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: info)))
        guard let url = (summary as? [String: Any])?["url"] as? String else {
            throw TestSetupError(description: "no url in \(info)")
        }
        return LocalServer(url: url, seed: try Data(contentsOf: URL(fileURLWithPath: seedPath)))
    }

    /// Calls the admin API with a JSON body (an object, or encoded bytes) and returns the
    /// decoded answer.
    @discardableResult
    func admin(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any? {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body {
            request.httpBody = try (body as? Data) ?? JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, status) = try await Self.send(request)
        guard (200..<300).contains(status) else {
            throw TestSetupError(description: "\(method) \(path): HTTP \(status)")
        }
        return data.isEmpty ? nil : try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// Sends a request with URLSession (completion handler: available on every Foundation).
    static func send(_ request: URLRequest) async throws -> (Data, Int) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }.resume()
        }
    }

    /// The seeded world again: new tokens, no faults, zeroed request counters.
    func reset() async throws {
        try await replaceWorld(seed)
        try await clearFaults()
        try await resetRequests()
    }

    /// Replaces the whole world by `world` (a seed) and keeps the tokens it minted.
    @discardableResult
    func replaceWorld(_ world: Any) async throws -> [String: Any] {
        let answer = try await admin("PUT", "/_admin/world", world) as? [String: Any] ?? [:]
        tokens = answer["tokens"] as? [String: String] ?? [:]
        state = answer["state"] as? [String: Any] ?? [:]
        return state
    }

    func faults(_ config: [String: Any]) async throws {
        try await admin("PUT", "/_admin/faults", config)
    }

    func clearFaults() async throws {
        try await admin("DELETE", "/_admin/faults")
    }

    /// Requests served since the last reset, per "METHOD /path/".
    func requests() async throws -> [String: Int] {
        let answer = try await admin("GET", "/_admin/requests") as? [String: Any]
        return answer?["by_endpoint"] as? [String: Int] ?? [:]
    }

    func count(_ endpoint: String) async throws -> Int {
        try await requests()[endpoint] ?? 0
    }

    func resetRequests() async throws {
        try await admin("DELETE", "/_admin/requests")
    }

    private func appState(_ app: String) -> [String: Any] {
        let apps = state["apps"] as? [[String: Any]] ?? []
        return apps.first { $0["name"] as? String == app } ?? [:]
    }

    func appId(_ app: String) -> String {
        appState(app)["id"] as? String ?? "?"
    }

    func envId(_ app: String, _ env: String) -> String {
        (appState(app)["environments"] as? [String: String])?[env] ?? "?"
    }

    func token(_ name: String) -> String {
        tokens[name] ?? "no token named \(name)"
    }

    /// A client of the local server for the token named `name`.
    func client(_ name: String = "sa-token", _ options: ClientOptions? = nil) throws -> PhaseClient {
        try PhaseClient(token: token(name), options: withHost(options))
    }

    /// `options` with the server as host.
    func withHost(_ o: ClientOptions?) -> ClientOptions {
        ClientOptions(host: url, timeout: o?.timeout, connectTimeout: o?.connectTimeout,
                      verifySsl: o?.verifySsl, caBundle: o?.caBundle, sessionTtl: o?.sessionTtl,
                      maxRetries: o?.maxRetries, deadline: o?.deadline,
                      maxResponseBytes: o?.maxResponseBytes, cacheTtl: o?.cacheTtl,
                      cacheStaleIfError: o?.cacheStaleIfError, offlineCacheDir: o?.offlineCacheDir,
                      offline: o?.offline, offlineMaxAge: o?.offlineMaxAge, debug: o?.debug)
    }
}

/// A test against the local server, which is reset before each test.
class ServerTestCase: XCTestCase {
    var server: LocalServer!

    override func setUp() async throws {
        try await super.setUp()
        server = try LocalServer.shared()
        try await server.reset()
    }
}

// MARK: - Errors

/// The core's family (class name) of each case, written out here: the switch is exhaustive,
/// so a case added to `PhaseError` fails to compile until it is mapped, and the tests compare
/// it with what the library says (`family()`, `errorFamilies()`).
func caseFamily(_ error: PhaseError) -> String {
    switch error {
    case .Authentication: return "AuthenticationError"
    case .PermissionDenied: return "PermissionDeniedError"
    case .NotFound: return "NotFoundError"
    case .Ambiguous: return "AmbiguousError"
    case .Conflict: return "ConflictError"
    case .InvalidInput: return "InvalidInputError"
    case .RateLimit: return "RateLimitError"
    case .Network: return "NetworkError"
    case .RequestTimeout: return "RequestTimeoutError"
    case .Tls: return "TlsError"
    case .Server: return "ServerError"
    case .Protocol: return "ProtocolError"
    case .Decryption: return "DecryptionError"
    case .Reference: return "SecretReferenceError"
    case .Offline: return "OfflineError"
    }
}

/// The associated values of any case.
func fields(_ error: PhaseError) -> (code: String, message: String, status: UInt16?, retryAfter: Double?, retryable: Bool) {
    switch error {
    case let .Authentication(c, m, s, r, t), let .PermissionDenied(c, m, s, r, t), let .NotFound(c, m, s, r, t),
         let .Ambiguous(c, m, s, r, t), let .Conflict(c, m, s, r, t), let .InvalidInput(c, m, s, r, t),
         let .RateLimit(c, m, s, r, t), let .Network(c, m, s, r, t), let .RequestTimeout(c, m, s, r, t),
         let .Tls(c, m, s, r, t), let .Server(c, m, s, r, t), let .Protocol(c, m, s, r, t),
         let .Decryption(c, m, s, r, t), let .Reference(c, m, s, r, t), let .Offline(c, m, s, r, t):
        return (c, m, s, r, t)
    }
}

/// Runs `body`, which must throw a `PhaseError` of `code`, and returns that error after
/// checking that its case, its `code()` and its accessors agree and that no seeded secret
/// value, no `extraSecrets` and no secret part of `tokens` shows in any rendering of it.
@discardableResult
func expectError<T>(
    _ code: String, tokens: [String] = [], extraSecrets: [String] = [],
    file: StaticString = #filePath, line: UInt = #line,
    _ body: () async throws -> T
) async -> PhaseError? {
    let error: PhaseError
    do {
        let value = try await body()
        XCTFail("expected \(code), got a result: \(value)", file: file, line: line)
        return nil
    } catch let caught as PhaseError {
        error = caught
    } catch {
        XCTFail("expected \(code), got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
    let f = fields(error)
    XCTAssertEqual(f.code, code, "the case's code", file: file, line: line)
    XCTAssertEqual(error.code(), code, "code()", file: file, line: line)
    XCTAssertEqual(caseFamily(error), error.family(), "the case is the code's family", file: file, line: line)
    XCTAssertEqual(error.message(), f.message, file: file, line: line)
    XCTAssertEqual(error.status(), f.status, file: file, line: line)
    XCTAssertEqual(error.retryAfter(), f.retryAfter, file: file, line: line)
    XCTAssertEqual(error.retryable(), f.retryable, file: file, line: line)
    assertLeakFree(error, tokens: tokens, extraSecrets: extraSecrets, file: file, line: line)
    return error
}

/// Every secret value and personal override of the seed long enough to be telling.
let seededSecretValues: [String] = {
    guard let path = ProcessInfo.processInfo.environment["PHASEKIT_TEST_SEED"],
          let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
          let seed = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return [] }
    var found: [String] = []
    for app in seed["apps"] as? [[String: Any]] ?? [] {
        for secrets in (app["secrets"] as? [String: [[String: Any]]] ?? [:]).values {
            for secret in secrets {
                found.append(secret["value"] as? String ?? "")
                found.append(contentsOf: (secret["overrides"] as? [String: String] ?? [:]).values)
            }
        }
    }
    return found.filter { $0.count >= 6 }
}()

/// The fields of a pss_ token after its `pss_kind:vN:` prefix.
func tokenParts(_ token: String) -> [String] {
    Array(token.split(separator: ":", omittingEmptySubsequences: false).dropFirst(2).map(String.init))
        .filter { $0.count >= 6 }
}

/// Every way the error is shown: description, debug description, interpolation, the
/// localized description, the message, and a dump of the value.
func renderings(_ error: Error) -> [String] {
    var dumped = ""
    dump(error, to: &dumped)
    return [String(describing: error), String(reflecting: error), "\(error)",
            error.localizedDescription, (error as? PhaseError)?.message() ?? "", dumped]
}

func assertLeakFree(_ error: Error, tokens: [String] = [], extraSecrets: [String] = [],
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(seededSecretValues.isEmpty, "the seed's values were not loaded", file: file, line: line)
    for text in renderings(error) {
        for value in seededSecretValues + extraSecrets where text.contains(value) {
            XCTFail("a secret value shows in the error: \(caseCodeOrType(error))", file: file, line: line)
        }
        for token in tokens {
            for part in tokenParts(token) where text.contains(part) {
                XCTFail("a token part shows in the error: \(caseCodeOrType(error))", file: file, line: line)
            }
        }
    }
}

private func caseCodeOrType(_ error: Error) -> String {
    (error as? PhaseError).map { fields($0).code } ?? "\(type(of: error))"
}

// MARK: - Small helpers

/// XCTAssertEqual for a value that is awaited (XCTest's autoclosures cannot await):
/// `try await assertEqual(await client.get(...).count, 3)`.
func assertEqual<T: Equatable>(_ actual: @autoclosure () async throws -> T, _ expected: @autoclosure () -> T,
                               _ message: @autoclosure () -> String = "",
                               file: StaticString = #filePath, line: UInt = #line) async rethrows {
    let value = try await actual()
    XCTAssertEqual(value, expected(), message(), file: file, line: line)
}

/// {key: value} of secrets whose keys are unique.
func values(_ secrets: [Secret], file: StaticString = #filePath, line: UInt = #line) -> [String: String] {
    var out: [String: String] = [:]
    for secret in secrets {
        XCTAssertNil(out[secret.key], "\(secret.key) twice", file: file, line: line)
        out[secret.key] = secret.value
    }
    return out
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func sleep(seconds: Double) async throws {
    try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out: \(what)" }
}

/// `body`, failing with `TimedOut` after `limit` seconds: a call that hangs (and ignores the
/// cancellation it then gets) fails the test instead of hanging the suite. (A task group would
/// wait for its hanging child; here the body runs in a task of its own that is left behind.)
func within<T: Sendable>(_ limit: Double, _ what: String,
                         _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.set(continuation)
        let work = Task {
            do {
                outcome.resume(with: .success(try await body()))
            } catch {
                outcome.resume(with: .failure(error))
            }
        }
        Task {
            try? await sleep(seconds: limit)
            if outcome.resume(with: .failure(TimedOut(what: what))) {
                work.cancel()
            }
        }
    }
}

/// Resumes a continuation with the first outcome given, ignoring later ones.
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    private var early: Result<T, Error>?

    func set(_ continuation: CheckedContinuation<T, Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    /// Whether this outcome was the first.
    @discardableResult
    func resume(with result: Result<T, Error>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if let continuation {
            self.continuation = nil
            early = early ?? result
            continuation.resume(with: result)
            return true
        }
        if early == nil {
            early = result
            return true
        }
        return false
    }
}

/// Waits until `condition` holds (polling every 10 ms, at most `limit` seconds).
func eventually(_ what: String, _ limit: Double = 10, _ condition: () async throws -> Bool) async throws {
    let start = ContinuousClock.now
    while try await !condition() {
        if seconds(since: start) > limit {
            throw TimedOut(what: what)
        }
        try await sleep(seconds: 0.01)
    }
}

/// A URL of this host where nothing listens (a port bound and closed again).
func closedPortURL() throws -> String {
    #if os(Linux)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
            bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
        }
    }
    guard bound else { throw TestSetupError(description: "no free port") }
    return "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
}
