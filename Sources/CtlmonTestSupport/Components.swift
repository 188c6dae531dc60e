import Foundation

/// Starting the real components the sidecar tests run against, each on 127.0.0.1 with
/// ports of its own and a temporary folder, stopped by PID when the test ends.
package enum Components {
    /// A new temporary folder.
    package static func temporaryFolder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "ctlmon-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// scripts/fake-target.py serving `fixture`; returns the process and `127.0.0.1:PORT`.
    package static func fakeTarget(_ fixture: String, _ extra: [String] = []) throws -> (ManagedProcess, String) {
        let p = try ManagedProcess("python3", [packageRoot.appendingPathComponent("scripts/fake-target.py").path, "--file", fixture] + extra)
        let port = try p.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)
        return (p, "127.0.0.1:\(port)")
    }

    /// scripts/fake-alertmanager.py: records every POST to /api/v2/alerts; returns the process and its address.
    package static func fakeAlertmanager(port: Int = 0) throws -> (ManagedProcess, String) {
        let p = try ManagedProcess("python3", [packageRoot.appendingPathComponent("scripts/fake-alertmanager.py").path, "--port", "\(port)"])
        let bound = try p.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)
        return (p, "127.0.0.1:\(bound)")
    }

    /// Debian's Alertmanager 0.25 on `port`, with one receiver that sends nowhere.
    package static func alertmanager(port: Int, folder: String) throws -> ManagedProcess {
        let config = folder + "/alertmanager.yml"
        try """
            route: {receiver: nowhere, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
            receivers: [{name: nowhere}]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let p = try ManagedProcess("prometheus-alertmanager", [
            "--config.file=\(config)", "--storage.path=\(folder)/am-data", "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=",
        ])
        try waitForHTTP("http://127.0.0.1:\(port)/-/ready", process: p)
        return p
    }

    /// Debian's etcd with a 16 MiB backend quota; returns the process and its client URL.
    package static func etcd(folder: String, quota: Int = 16 << 20) throws -> (ManagedProcess, String) {
        let client = freePort()
        let peer = freePort()
        let url = "http://127.0.0.1:\(client)"
        let p = try ManagedProcess("etcd", [
            "--name", "test", "--data-dir", folder + "/etcd", "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-peer-urls", "http://127.0.0.1:\(peer)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peer)",
            "--initial-cluster", "test=http://127.0.0.1:\(peer)", "--quota-backend-bytes", "\(quota)",
        ], environment: ["ETCD_UNSUPPORTED_ARCH": "", "ETCDCTL_API": "3"])
        try waitForHTTP(url + "/health", process: p)
        return (p, url)
    }

    /// `ctlmon serve` with `config`, listening on a port of its own; waits until it is ready.
    package static func sidecar(
        ctlmon: String, config: String, storage: String, waitReady: Bool = true, arguments: [String] = [], scheme: String = "http",
        curl: [String] = []
    ) throws -> (ManagedProcess, String) {
        let port = freePort()
        let p = try ManagedProcess(ctlmon, [
            "serve", "--config", config, "--web.listen-address", "127.0.0.1:\(port)", "--storage.path", storage, "--log.level", "debug",
        ] + arguments)
        let base = "\(scheme)://127.0.0.1:\(port)"
        try waitForHTTP(base + (waitReady ? "/-/ready" : "/-/healthy"), process: p, timeout: 60, curl: curl)
        return (p, base)
    }

    /// Waits until `url` answers 200 (`curl`: curl's extra arguments, e.g. `--cacert`).
    package static func waitForHTTP(_ url: String, process: ManagedProcess, timeout: Double = 30, curl: [String] = []) throws {
        let deadline = Deadline(timeout)
        while !deadline.passed {
            if let (status, _) = try? HTTP.get(url, curl: curl), status == 200 { return }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw ProcessError("\(process.name): \(url) not answering 200 within \(timeout) s; it printed:\n\(process.printed.suffix(3000))")
    }

    /// Runs a command to its end; returns its output, throws on a non-zero exit.
    @discardableResult
    package static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let p = try ManagedProcess(executable, arguments, environment: environment)
        guard let status = p.waitForExit(timeout: 120) else { throw ProcessError("\(executable) \(arguments) did not finish") }
        guard status == 0 else { throw ProcessError("\(executable) \(arguments) exited \(status): \(p.printed)") }
        return p.printed
    }
}

/// Plain HTTP for tests (URLSession is not used: a blocking GET on a test thread is enough).
package enum HTTP {
    /// GET `url` (`curl`: curl's extra arguments): (status, body).
    package static func get(_ url: String, timeout: Double = 5, curl: [String] = []) throws -> (Int, String) {
        let out = try Components.run("curl", ["-s", "-m", "\(timeout)", "-o", "-", "-w", "\n%{http_code}"] + curl + [url])
        guard let newline = out.lastIndex(of: "\n") else { throw ProcessError("curl: no status") }
        return (Int(out[out.index(after: newline)...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, String(out[..<newline]))
    }

    /// GET `url` and parse its JSON body.
    package static func json(_ url: String) throws -> Any {
        let (status, body) = try get(url)
        guard status == 200 else { throw ProcessError("GET \(url): \(status) \(body)") }
        return try JSONSerialization.jsonObject(with: Data(body.utf8))
    }
}
