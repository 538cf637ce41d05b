// swift-tools-version:6.0
// A package that uses phasekit the way an application on Linux does: it depends on
// bindings/swift by path, and bindings/swift's manifest finds the Rust library
// ($PHASEKIT_LIB_DIR, else target/release of the repository) and links it statically.
// `make test-swift` builds it (Swift 6 language mode, strict concurrency) and runs it against
// the local server.
import PackageDescription

let package = Package(
    name: "SecretsConsumer",
    dependencies: [
        .package(name: "Phasekit", path: "../../bindings/swift"),
    ],
    targets: [
        .executableTarget(
            name: "SecretsConsumer",
            dependencies: [.product(name: "Phasekit", package: "Phasekit")]
        ),
    ]
)
