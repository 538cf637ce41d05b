// Reads interop-app/Development/db from the server in PHASE_HOST with PHASE_SERVICE_TOKEN
// (tests/server/seeds/bindings.json), prints what it got (never the values) and fails unless
// it is what the seed holds.
import Foundation
import Phasekit

let client = try PhaseClient.fromEnv()
let secrets = try await client.get(app: "interop-app", env: "Development", options: GetOptions(path: "/db"))
let values = Dictionary(uniqueKeysWithValues: secrets.map { ($0.key, $0.value) })
for secret in secrets {
    print(secret)
}
let expected = ["DB_USER": "app_user", "DB_PASSWORD": "dev-Pa55w0rd!"]
do {
    _ = try await client.getSecret(key: "NOPE", app: "interop-app")
    print("consumer: NOPE was found")
    exit(1)
} catch let error as PhaseError {
    guard case .NotFound(code: "secret_not_found", _, _, _, _) = error else {
        print("consumer: unexpected \(error.code())")
        exit(1)
    }
}
guard values == expected else {
    print("consumer: got \(values.keys.sorted()), not the seeded /db secrets")
    exit(1)
}
print("consumer: read \(secrets.count) secrets of interop-app/Development/db from \(client.host())")
