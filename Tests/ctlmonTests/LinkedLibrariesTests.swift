import CtlmonTestSupport
import Foundation
import Testing

/// The executable's footprint: it links FoundationEssentials, never the part of Foundation
/// that brings ICU (tens of megabytes of code and data, resident in every process).
@Suite("linked libraries")
struct LinkedLibrariesTests {
    @Test("ctlmon links no Foundation beyond FoundationEssentials, and no ICU")
    func noICU() throws {
        let binary = Command.productsDirectory.appendingPathComponent("ctlmon").path
        let out = try Components.run("/usr/bin/ldd", [binary])
        let libraries = out.split(separator: "\n").compactMap { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) }
        #expect(libraries.contains { $0.hasPrefix("libFoundationEssentials") }, "\(out)")
        for forbidden in ["libFoundation.so", "libFoundationInternationalization", "lib_FoundationICU", "libicu"] {
            #expect(!libraries.contains { $0.hasPrefix(forbidden) }, "\(forbidden) is linked:\n\(out)")
        }
    }
}
