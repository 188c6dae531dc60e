// swift-tools-version:6.2
import Foundation
import PackageDescription

let package = Package(
    name: "ctlmon",
    products: [
        .executable(name: "ctlmon", targets: ["ctlmon"]),
        .executable(name: "ctlmon-bench", targets: ["ctlmon-bench"]),
        .library(name: "PromText", targets: ["PromText"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // The sidecar: HTTP, start and SIGTERM, logging.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // zlib from the system (Debian: zlib1g-dev), wrapped once for PromText's inflater.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // RE2 from the system (Debian: libre2-dev) behind a small extern "C" shim: linear-time
        // regular expressions with the syntax of Prometheus's Go regexp.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
        // Memory hints (a prefetch) as inline C: no library, nothing linked.
        .target(name: "CMemory"),
        // The streaming parser core: Prometheus text 0.0.4 and OpenMetrics 1.0.
        // Strict memory safety: every unsafe use is marked, and they live in a few owners and primitives.
        .target(name: "PromText", dependencies: ["CZlib"], swiftSettings: [.strictMemorySafety()]),
        // PromQL: lexer, parser, series store, evaluator.
        .target(name: "PromQL", dependencies: ["PromText", "CRE2", "CMemory"]),
        // Rule files and promtool-format rule unit tests.
        .target(name: "RuleEngine", dependencies: ["PromQL", .product(name: "Yams", package: "Yams")]),
        // libcurl from the system (Debian: libcurl4-openssl-dev), wrapped once for the Scraper's HTTP.
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Scraping over HTTP(S): libcurl transfers streamed into PromText, Prometheus's scrape semantics.
        .target(name: "Scraper", dependencies: ["CCurl", "PromText", "PromQL"]),
        // The one-shot check: a scrape read into a snapshot, its straight-line history, and
        // the report (model, text, JSON); the audit of admission webhook configurations (Webhooks/).
        .target(name: "Check", dependencies: ["PromText", "PromQL", "RuleEngine", .product(name: "Yams", package: "Yams")]),
        // The sidecar (`ctlmon serve`): scrape and rule loops, the notifier, state on disk, the HTTP API.
        .target(
            name: "Sidecar",
            dependencies: [
                "PromText", "PromQL", "RuleEngine", "Scraper", "Check", "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ctlmon",
            dependencies: [
                "PromText",
                "PromQL",
                "RuleEngine",
                "Check",
                "Scraper",
                "Sidecar",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ctlmon-bench",
            dependencies: [
                "PromText",
                "PromQL",
                "Check",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ]
        ),
        // What the test targets share: the fixtures, a seeded random generator.
        .target(name: "CtlmonTestSupport", dependencies: ["PromText"]),
        .testTarget(name: "PromTextTests", dependencies: ["PromText", "CZlib", "CtlmonTestSupport"]),
        // The promtool-format files and the difftest cases are read from the source tree, not
        // bundled; PromQLTests runs the PromQL files through RuleEngine's runner.
        .testTarget(
            name: "PromQLTests", dependencies: ["PromQL", "PromText", "RuleEngine", "CtlmonTestSupport"],
            exclude: ["promtool", "difftest"]),
        .testTarget(name: "RuleEngineTests", dependencies: ["RuleEngine", "PromQL", "CtlmonTestSupport"], exclude: ["promtool"]),
        // End-to-end: runs the built executables. ctlmon-bench is not a dependency: it links
        // the malloc interposer, which would then replace malloc in the test process itself;
        // `swift build` (scripts/test) builds it beside ctlmon.
        .testTarget(name: "ctlmonTests", dependencies: ["ctlmon", "CtlmonTestSupport"]),
        .testTarget(name: "CheckTests", dependencies: ["Check", "CtlmonTestSupport"]),
        .testTarget(name: "ScraperTests", dependencies: ["Scraper", "PromQL", "PromText", "CtlmonTestSupport"]),
        .testTarget(
            name: "SidecarTests",
            dependencies: ["Sidecar", "Scraper", "RuleEngine", "PromQL", "CtlmonTestSupport", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Yams", package: "Yams")]),
    ]
)

// The fuzz targets (scripts/fuzz): one libFuzzer executable, only when CTLMON_FUZZ is set,
// because it has no main of its own (libFuzzer's is linked by --sanitize=fuzzer).
if ProcessInfo.processInfo.environment["CTLMON_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "ctlmon-fuzz",
        dependencies: ["PromText", "PromQL", "RuleEngine", "Check"],
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    ))
}

// Compiler settings shared by every target, declared once.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
