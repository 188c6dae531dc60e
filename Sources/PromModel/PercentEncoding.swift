/// Percent-encoding as URLs and forms use it (RFC 3986 §2.1), without Foundation.
package enum PercentEncoding {
    /// `%XX` sequences decoded to their bytes; nil when a `%` is not followed by two hex digits
    /// or the bytes are not UTF-8 (as Foundation's `removingPercentEncoding`).
    package static func decode(_ s: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
            bytes.append(h << 4 | l)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// A form value (`application/x-www-form-urlencoded`): `+` is a space, then percent-decoded.
    package static func decodeFormValue(_ s: some StringProtocol) -> String? {
        decode(String(s).replacing("+", with: " "))
    }

    /// `s` with every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) written
    /// `%XX` (upper-case hex), as a URL's query value or path segment needs.
    package static func encode(_ s: some StringProtocol, keeping extra: Set<UInt8> = []) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if unreserved(b) || extra.contains(b) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "%"
                out += Hex.byte(b, uppercase: true)
            }
        }
        return out
    }

    /// RFC 3986's unreserved characters.
    package static func unreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Hexadecimal digits of bytes.
package enum Hex {
    /// Two hex digits of `b` (`0a`, or `0A` upper-case).
    package static func byte(_ b: UInt8, uppercase: Bool = false) -> String {
        let a: UInt8 = uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")
        func digit(_ v: UInt8) -> UInt8 { v < 10 ? UInt8(ascii: "0") + v : a + v - 10 }
        return String(decoding: [digit(b >> 4), digit(b & 0x0F)], as: UTF8.self)
    }
}
