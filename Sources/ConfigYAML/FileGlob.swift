import FoundationEssentials

/// File patterns as Go's `path/filepath` reads them (`Glob`, `Match`): Prometheus's
/// `rule_files` and promtool's test files' `rule_files` are expanded with them, so ctlmon
/// finds exactly the files they find.
///
/// A pattern is `*` (any run of characters but `/`), `?` (one character but `/`), `[…]`
/// (a class: ranges `a-z`, `^` to negate), `\` (the next character as is), anything else
/// itself; every path component may hold them. A pattern without any is the path itself,
/// when it exists. `*.yaml` with no folder is matched in the current folder, and the paths
/// come back without a `./` (as Go's). Matches are sorted by component, as Go sorts them.
package enum FileGlob {
    /// A malformed pattern (an unclosed `[`, a trailing `\`), as Go's `ErrBadPattern`.
    package struct BadPattern: Error, Sendable, CustomStringConvertible {
        /// The pattern.
        package var pattern: String
        package var description: String { "syntax error in pattern \"\(pattern)\"" }
    }

    /// The existing paths `pattern` matches, sorted; none when nothing matches.
    package static func expand(_ pattern: String) throws(BadPattern) -> [String] {
        guard hasMeta(pattern) else { return FileManager.default.fileExists(atPath: pattern) ? [pattern] : [] }
        let (dir, file) = split(pattern)
        // A meta character in the folder part: every folder it matches, then the file part in each.
        let folders: [String]
        if dir.isEmpty {
            folders = [""]
        } else if hasMeta(dir) {
            folders = try expand(dir)
        } else {
            folders = [dir]
        }
        var out: [String] = []
        for folder in folders {
            // Only folders can be listed; a file the folder part matched is passed over, as in Go.
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { continue }
            for name in names.sorted() {
                guard try matches(file, name) else { continue }
                out.append(folder.isEmpty ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name))
            }
        }
        return out
    }

    /// Whether `name` (one path component) matches `pattern` in full: Go's `filepath.Match`.
    package static func matches(_ pattern: String, _ name: String) throws(BadPattern) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let s = Array(name.unicodeScalars)
        // A malformed pattern is an error whatever the name, as in Go (since 1.16).
        var k = 0
        while k < p.count {
            if p[k] == "*" { k += 1 } else { k = try single(p, k, "a").1 }
        }
        var memo: [Int: Bool] = [:]
        // match(i, j): p[i...] matches s[j...]; memoised, so `*a*a*a…` stays polynomial.
        func match(_ i: Int, _ j: Int) throws(BadPattern) -> Bool {
            let key = i * (s.count + 1) + j
            if let known = memo[key] { return known }
            var result = false
            if i == p.count {
                result = j == s.count
            } else if p[i] == "*" {
                // Any run of non-separators.
                var k = j
                while true {
                    if try match(i + 1, k) {
                        result = true
                        break
                    }
                    if k == s.count || s[k] == "/" { break }
                    k += 1
                }
            } else if j < s.count {
                let (ok, next) = try single(p, i, s[j])
                if ok { result = try match(next, j + 1) }
            }
            memo[key] = result
            return result
        }
        return try match(0, 0)
    }

    /// Whether the pattern element at `p[i]` (not `*`) matches `c`, and where the next element starts.
    private static func single(_ p: [Unicode.Scalar], _ i: Int, _ c: Unicode.Scalar) throws(BadPattern) -> (Bool, Int) {
        let bad = BadPattern(pattern: String(String.UnicodeScalarView(p)))
        switch p[i] {
        case "?":
            return (c != "/", i + 1)
        case "\\":
            guard i + 1 < p.count else { throw bad }
            return (p[i + 1] == c, i + 2)
        case "[":
            var k = i + 1
            var negated = false
            if k < p.count && p[k] == "^" {
                negated = true
                k += 1
            }
            var matched = false
            var first = true
            while true {
                guard k < p.count else { throw bad }
                if p[k] == "]" && !first { break }
                first = false
                var lo = p[k]
                if lo == "\\" {
                    k += 1
                    guard k < p.count else { throw bad }
                    lo = p[k]
                } else if lo == "-" || lo == "]" {
                    throw bad
                }
                k += 1
                var hi = lo
                if k < p.count && p[k] == "-" {
                    k += 1
                    guard k < p.count, p[k] != "]" else { throw bad }
                    hi = p[k]
                    if hi == "\\" {
                        k += 1
                        guard k < p.count else { throw bad }
                        hi = p[k]
                    }
                    k += 1
                }
                if lo.value <= c.value && c.value <= hi.value { matched = true }
            }
            return (matched != negated && c != "/", k + 1)
        default:
            return (p[i] == c, i + 1)
        }
    }

    /// Whether `path` holds a character that makes it a pattern.
    package static func hasMeta(_ path: String) -> Bool { path.contains { "*?[\\".contains($0) } }

    /// The folder and the last component of `path` (Go's `filepath.Split`, the folder without
    /// its trailing separator unless it is the root).
    private static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        var dir = String(path[..<slash])
        if dir.isEmpty { dir = "/" }
        return (dir, String(path[path.index(after: slash)...]))
    }
}
