
/// Label names common enough in control-plane scrapes to be stored as one byte.
///
/// An encoded label set (``Labels``) writes each name either as its bytes or, for a name
/// in this table, as its number: `__name__`, `le`, `resource`, `verb` and the rest
/// recur in nearly every series, and spelling them out was a third of what a series'
/// labels cost. The table is fixed at build time (part of the encoding, never changed
/// while a process runs) and holds at most 127 names.
@usableFromInline
enum KnownLabelNames {
    /// The table, in number order: name `k` is encoded as the byte `0x80 + k`. At most 127
    /// distinct names (checked when the index is first used).
    static let names: [String] = [
        "__name__", "le", "quantile", "instance", "job",
        // kube-apiserver
        "resource", "group", "verb", "version", "scope", "subresource", "component", "dry_run",
        "operation", "type", "name", "priority_level", "flow_schema", "rejected", "kind", "phase",
        "code", "status", "url", "host", "request_kind", "result", "success", "index", "op",
        "client", "field_validation", "event", "action", "code_path", "method", "error", "reason",
        "removed_release", "error_type", "apiservice", "usage", "execute", "mark", "contentType",
        "resource_prefix", "username", "stage", "plugin", "plugin_name", "extension_point",
        "profile", "filter", "attempts", "bound", "enabled", "cidr", "request_operation",
        "stability_level", "deprecated_version", "operation_name", "hint", "call_type",
        "metric_type", "queue", "fallback", "decision", "mode", "zone", "policy", "endpoint",
        "requestKind", "storage_cluster_id", "emulation", "binary", "manager", "work",
        "cluster", "path", "execution", "reason_code", "webhook", "validation_action",
        // build info
        "major", "minor", "platform", "compiler", "go_version", "git_version", "git_tree_state",
        "git_commit", "build_date", "goVersion", "gitVersion", "gitTreeState", "gitCommit",
        "buildDate",
        // etcd
        "grpc_type", "grpc_service", "grpc_method", "grpc_code", "server_version", "server_id",
        "server_go_version", "cluster_version", "client_api_version", "To", "From", "Local",
        "Remote",
        // targets and Kubernetes service discovery
        "namespace", "pod", "container", "service", "node", "image", "uid",
    ]

    /// The number of `__name__` (the first name of the table).
    static let metricName = 0

    /// The names' bytes, back to back, in memory that lives as long as the process (the
    /// name buffers handed out point into it).
    @usableFromInline nonisolated(unsafe) static let storage: UnsafeMutablePointer<UInt8> = {
        let total = names.reduce(0) { $0 + $1.utf8.count }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
        var at = 0
        for n in names {
            for b in n.utf8 {
                unsafe p[at] = b
                at += 1
            }
        }
        return unsafe p
    }()

    /// Where each name starts in `storage`, and its length.
    @usableFromInline static let spans: [(start: Int, count: Int)] = {
        var out: [(Int, Int)] = []
        var at = 0
        for n in names {
            out.append((at, n.utf8.count))
            at += n.utf8.count
        }
        return out
    }()

    /// Name hash → number.
    private static let index: HashIndex = {
        precondition(names.count <= 127 && Set(names).count == names.count, "at most 127 distinct names")
        var index = HashIndex(capacity: names.count)
        for (k, s) in spans.enumerated() {
            unsafe index.insert(hash(UnsafeBufferPointer(start: storage + s.start, count: s.count)), k)
        }
        return index
    }()

    @inline(__always)
    private static func hash(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe LabelHasher.hashBytes(name, seed: 0x3C6E_F372_FE94_F82B)
    }

    /// The number of `name`, if it is in the table.
    static func number(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        guard name.count <= 32, let k = unsafe index.find(hash(name)) else { return nil }
        let s = spans[k]
        return unsafe bytesEqual(UnsafeBufferPointer(start: storage + s.start, count: s.count), name) ? k : nil
    }

    /// The bytes of name number `k`.
    @inline(__always)
    @inlinable
    static func name(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        let s = spans[k]
        return unsafe UnsafeBufferPointer(start: storage + s.start, count: s.count)
    }
}
