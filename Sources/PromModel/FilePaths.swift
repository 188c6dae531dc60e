/// Path arithmetic on `/`-separated text, as `NSString`'s path methods do it, without
/// Foundation: a rule file named relative to its test file, a TLS key relative to the web
/// config, a report's input named by its file.
package enum FilePaths {
    /// The folder part (`/etc/ctlmon/rules.yml` → `/etc/ctlmon`, `rules.yml` → empty,
    /// `/rules.yml` → `/`); trailing slashes are ignored.
    package static func directory(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return trimmingTrailingSlashes(String(trimmed[..<slash]))
    }

    /// The last component (`/etc/ctlmon/rules.yml` → `rules.yml`); trailing slashes are ignored.
    package static func lastComponent(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let last = String(trimmed[trimmed.index(after: slash)...])
        return last.isEmpty ? "/" : last
    }

    /// `component` appended to `folder` with one `/` between (just `component` when `folder` is empty).
    package static func join(_ folder: String, _ component: String) -> String {
        if folder.isEmpty { return component }
        return trimmingTrailingSlashes(folder) + (folder.allSatisfy { $0 == "/" } ? "" : "/") + component
    }

    /// Go's `filepath.Clean`: the shortest path naming the same file by lexical processing
    /// alone (repeated slashes collapsed, `.` dropped, `x/..` removed, `..` at the root
    /// dropped; `.` for an empty result). promtool names rule files by `filepath.Join`, which
    /// cleans, so `rules/../a.yaml` and `a.yaml` are one file to it.
    package static func clean(_ path: String) -> String {
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !rooted {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var s = Substring(path)
        while s.count > 1, s.last == "/" { s.removeLast() }
        return String(s)
    }
}
