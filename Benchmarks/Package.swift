// swift-tools-version:6.1
import PackageDescription

// The parent package (llmlog) by path. SwiftPM names a path dependency by its folder's name, which is
// whatever the repository was cloned as, so the identity is worked out from where this manifest lives.
let parentPackage: String = {
    let components = Context.packageDirectory.split(separator: "/")
    return components.count >= 2 ? String(components[components.count - 2]).lowercased() : "main"
}()

let package = Package(
    name: "pgclient-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQBench",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "CBench",
            dependencies: ["CLibPQBench"]
        ),
        .executableTarget(
            name: "pgclient-bench",
            dependencies: [
                "CBench",
                .product(name: "PGClient", package: parentPackage),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
