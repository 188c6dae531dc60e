import Foundation
import PromText

/// The shipped fixtures (`Tests/Fixtures`), found from this file's place in the package
/// wherever the tests run from.
package enum Fixture {
    /// `Tests/Fixtures`, three folders up from this source file.
    package static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures")

    /// The URL of a fixture, given relative to ``root`` (`apiserver/….txt.gz`).
    package static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// The file path of a fixture, given relative to ``root``.
    package static func path(_ relative: String) -> String { url(relative).path }

    /// The text of a fixture, inflated when stored gzipped.
    package static func text(_ relative: String) throws -> [UInt8] {
        let raw = try bytes(relative)
        return Gzip.isGzip(raw) ? try Gzip.decompress(raw) : raw
    }

    /// A fixture's bytes as stored, gzipped or not (``text(_:)`` inflates them).
    package static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relative)))
    }

    /// The files of a fixture folder with this suffix, as relative paths, sorted.
    package static func files(in folder: String, suffix: String = ".txt.gz") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url(folder).path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder + "/" + $0 }
    }

    /// Every real scrape: kube-apiserver, etcd, scheduler, controller-manager.
    package static let scrapes: [String] =
        files(in: "apiserver") + files(in: "etcd") + files(in: "scheduler") + files(in: "controller-manager")
}
