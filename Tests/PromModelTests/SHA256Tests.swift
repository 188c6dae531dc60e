import CtlmonTestSupport
import Foundation
import PromModel
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("NIST's test vectors: empty, abc, the two-block message, a million a's")
    func nistVectors() {
        #expect(Self.hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var h = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(chunk) }
        #expect(Self.hex(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("every length from 0 to 200, fed whole or byte by byte, hashes as openssl dgst -sha256 does")
    func lengthsAgainstOpenSSL() throws {
        var generator = SeededGenerator(seed: 7)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var inputs: [[UInt8]] = []
        for n in 0...200 { inputs.append((0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        for (i, input) in inputs.enumerated() { try Data(input).write(to: folder.appendingPathComponent("\(i)")) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl", "dgst", "-sha256", "-r"] + inputs.indices.map { folder.appendingPathComponent("\($0)").path }
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let expected = out.split(separator: "\n").map { String($0.prefix(64)) }
        #expect(expected.count == inputs.count)
        for (i, input) in inputs.enumerated() where i < expected.count {
            var h = SHA256()
            for b in input { h.update([b]) }
            #expect(Self.hex(SHA256.hash(input)) == expected[i], "length \(i)")
            #expect(Self.hex(h.finalize()) == expected[i], "length \(i), byte by byte")
        }
    }

    @Test("Base64 as RFC 4648 writes it, padding included")
    func base64() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            #expect(Array(text.utf8).base64 == Data(text.utf8).base64EncodedString())
        }
        #expect(SHA256.hash(Array("abc".utf8)).base64 == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    }
}
