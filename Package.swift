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
        // The sidecar: HTTP, start and SIGTERM, logging.
        // No default traits: they bring swift-configuration and full Foundation (and ICU).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, each wrapped once.
        // zlib (zlib1g-dev): the parser's inflater, the sidecar's state-file checksums.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // RE2 (libre2-dev) behind a small extern "C" shim: linear-time regular expressions
        // with the syntax of Prometheus's Go regexp.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
        // Memory hints, allocator settings and a thread name as inline C: no library, nothing linked.
        .target(name: "CMemory"),
        // libcurl (libcurl4-openssl-dev): module map and typed setopt shims.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // libyaml (libyaml-dev): the YAML parser under the strict readers of rule files and configs.
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", providers: [.apt(["libyaml-dev"])]),
        // snappy (libsnappy-dev): block compression of remote-write requests.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"])]),

        // The model at the bottom (as Prometheus's model/labels): label sets and their hash,
        // valid names, Go-compatible float, duration, time and quoting formats; and the few system
        // calls ctlmon needs (files, threads, printf), so that no target needs Foundation's ICU part.
        .target(name: "PromModel", dependencies: ["CMemory"]),
        // The streaming parser core: Prometheus text 0.0.4 and OpenMetrics 1.0.
        .target(name: "PromText", dependencies: ["CZlib", "PromModel"]),
        // Label matchers (`=`, `!=`, `=~`, `!~`) and RE2 regular expressions with Go's syntax.
        .target(name: "LabelMatchers", dependencies: ["PromModel", "CRE2"]),
        // In-memory series: the store, postings, the scrape appender, retention.
        .target(name: "SeriesStorage", dependencies: ["PromModel", "LabelMatchers", "PromText", "CMemory"]),
        // PromQL: the language (lexer, parser, AST) and its evaluator over the storage.
        .target(name: "PromQL", dependencies: ["PromModel", "LabelMatchers", "SeriesStorage"]),
        // Strict YAML for rule files, test files and configs: unknown keys are errors, with lines.
        .target(name: "ConfigYAML", dependencies: ["PromModel", "CYAML"]),
        // Rule files, rule evaluation and alert states, templates, promtool-format rule tests.
        .target(
            name: "RuleEngine",
            dependencies: ["PromModel", "LabelMatchers", "SeriesStorage", "PromQL", "ConfigYAML"]),

        // A loop on a thread of its own: start, wake, stop (no polling), monotonic time.
        .target(name: "Workers", dependencies: ["PromModel"]),
        // libcurl owned once: requests, responses, one failure type, bearer-token credentials.
        .target(name: "HTTPClient", dependencies: ["CCurl", "PromModel"]),
        // The Kubernetes API: in-cluster credentials, endpoints, raw GETs of lists.
        .target(name: "KubernetesClient", dependencies: ["HTTPClient", "ConfigYAML", "PromModel"]),
        // Admission webhook configurations: the model, the reader, the audit.
        .target(name: "AdmissionWebhooks", dependencies: ["PromModel", "ConfigYAML"]),
        // Prometheus's scrape semantics over the HTTP client, into the storage.
        .target(name: "Scraper", dependencies: ["PromModel", "PromText", "SeriesStorage", "HTTPClient", "Workers"]),

        // Remote write 1.0: the buffer on disk, the protobuf encoding, snappy, the senders, SigV4.
        .target(name: "RemoteWrite", dependencies: ["PromModel", "SeriesStorage", "LabelMatchers", "HTTPClient", "Workers", "CSnappy"]),

        // The one-shot check: the pipeline from sources to a report, and the report's renderers.
        .target(
            name: "Check",
            dependencies: ["PromModel", "PromText", "SeriesStorage", "PromQL", "RuleEngine", "AdmissionWebhooks", "HTTPClient"]),
        // The sidecar (`ctlmon serve`): scrape and rule loops, the notifier, state on disk, the HTTP API.
        .target(
            name: "Sidecar",
            dependencies: [
                "PromModel", "PromText", "SeriesStorage", "PromQL", "ConfigYAML", "RuleEngine", "Workers",
                "HTTPClient", "KubernetesClient", "AdmissionWebhooks", "Scraper", "CMemory", "Check", "RemoteWrite", "LabelMatchers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command line: flags parsed, the pipelines above called.
        .executableTarget(
            name: "ctlmon",
            dependencies: [
                "PromModel", "PromText", "SeriesStorage", "PromQL", "ConfigYAML", "RuleEngine", "AdmissionWebhooks", "Check", "Sidecar",
                "CMemory", "KubernetesClient", "HTTPClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Nothing looks the executable's symbols up at run time: not exporting them (SwiftPM
            // exports them by default) spares the loader a symbol lookup per relocation and
            // 2.5 MB of symbol tables, 1.5 MB of resident memory (docs/performance.md, "Footprint").
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]
        ),
        .executableTarget(
            name: "ctlmon-bench",
            dependencies: [
                "PromModel", "PromText", "SeriesStorage", "PromQL", "Check",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ]
        ),
        // What the test targets share: the fixtures, processes, deadlines, a seeded generator.
        .target(name: "CtlmonTestSupport", dependencies: ["PromText", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")]),
        .testTarget(name: "PromModelTests", dependencies: ["PromModel", "CtlmonTestSupport"]),
        .testTarget(name: "PromTextTests", dependencies: ["PromText", "CZlib", "CtlmonTestSupport"]),
        .testTarget(name: "SeriesStorageTests", dependencies: ["SeriesStorage", "LabelMatchers", "PromModel", "PromText"]),
        // The promtool-format files and the difftest cases are read from the source tree, not
        // bundled; PromQLTests runs the PromQL files through RuleEngine's runner.
        .testTarget(
            name: "PromQLTests", dependencies: ["PromQL", "PromModel", "LabelMatchers", "SeriesStorage", "PromText", "RuleEngine", "CtlmonTestSupport"],
            exclude: ["promtool", "difftest"]),
        .testTarget(
            name: "RuleEngineTests", dependencies: ["RuleEngine", "ConfigYAML", "PromQL", "PromModel", "SeriesStorage", "CtlmonTestSupport"],
            exclude: ["promtool"]),
        .testTarget(name: "ConfigYAMLTests", dependencies: ["ConfigYAML"]),
        .testTarget(name: "WorkersTests", dependencies: ["Workers"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "Workers", "CtlmonTestSupport"]),
        .testTarget(name: "KubernetesClientTests", dependencies: ["KubernetesClient", "HTTPClient", "CtlmonTestSupport"]),
        .testTarget(name: "AdmissionWebhooksTests", dependencies: ["AdmissionWebhooks", "CtlmonTestSupport"]),
        .testTarget(
            name: "ScraperTests", dependencies: ["Scraper", "HTTPClient", "SeriesStorage", "PromQL", "PromModel", "PromText", "CtlmonTestSupport"]),
        .testTarget(
            name: "RemoteWriteTests",
            dependencies: ["RemoteWrite", "SeriesStorage", "PromModel", "HTTPClient", "LabelMatchers", "Workers", "CtlmonTestSupport"]),
        .testTarget(name: "CheckTests", dependencies: ["Check", "RuleEngine", "CtlmonTestSupport"]),
        .testTarget(
            name: "SidecarTests",
            dependencies: [
                "Sidecar", "Scraper", "HTTPClient", "KubernetesClient", "ConfigYAML", "RuleEngine", "PromQL", "PromText", "LabelMatchers", "SeriesStorage", "Workers", "AdmissionWebhooks",
                "PromModel", "CtlmonTestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        // End-to-end: runs the built executables. ctlmon-bench is not a dependency: it links
        // the malloc interposer, which would then replace malloc in the test process itself;
        // `swift build` (scripts/test) builds it beside ctlmon.
        .testTarget(name: "ctlmonTests", dependencies: ["ctlmon", "CtlmonTestSupport", "PromModel", "Sidecar"]),
    ]
)

// The fuzz targets (scripts/fuzz): one libFuzzer executable, only when CTLMON_FUZZ is set,
// because it has no main of its own (libFuzzer's is linked by --sanitize=fuzzer).
if ProcessInfo.processInfo.environment["CTLMON_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "ctlmon-fuzz",
        dependencies: ["PromModel", "PromText", "SeriesStorage", "PromQL", "RuleEngine", "Check"],
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    ))
}

// Compiler settings shared by every target, declared once.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    // Every source target is checked for memory safety: unsafe code is written `unsafe` and
    // lives in owners and primitives. (Tests feed raw buffers to the parser freely.)
    if target.type != .test { settings.append(.strictMemorySafety()) }
    target.swiftSettings = settings
}
