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

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var s = Substring(path)
        while s.count > 1, s.last == "/" { s.removeLast() }
        return String(s)
    }
}
