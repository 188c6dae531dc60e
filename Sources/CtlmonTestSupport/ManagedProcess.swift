import Foundation

/// A real component a test starts (a fake target, etcd, Alertmanager, Prometheus, ctlmon
/// itself) on 127.0.0.1, and stops by PID — when the test ends, also when it fails
/// (``stop()`` in a `defer`, and again in `deinit`).
package final class ManagedProcess: @unchecked Sendable {
    // Sendable: `output` is only touched with `lock` held; the rest is set in init.
    private let process = Process()
    private let lock = NSLock()
    private var output = ""
    /// Signalled when the output pipe reaches its end (every writer closed it).
    private let drained = DispatchSemaphore(value: 0)
    /// The executable's file name, for failure messages.
    package let name: String

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`.
    package init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil) throws {
        name = (executable as NSString).lastPathComponent
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        // Never the in-cluster settings of a CI runner inside Kubernetes: a sidecar under test
        // would otherwise discover and scrape the real cluster's API servers.
        let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KUBERNETES_") }
        process.environment = inherited.merging(environment ?? [:]) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // A reader thread of its own, to the pipe's end: everything a short command printed is
        // in ``printed`` once ``waitForExit(timeout:)`` returns (a readability handler could
        // still be delivering the last chunk then).
        let handle = pipe.fileHandleForReading
        Thread { [weak self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                guard let self else { continue }
                self.lock.lock()
                self.output += String(decoding: data, as: UTF8.self)
                self.lock.unlock()
            }
            // Closed here, at its end: a Pipe lives as long as the Process that holds it, and
            // a suite that starts hundreds of components would otherwise keep hundreds of
            // descriptors (Foundation's spawn walks them all, and has a bug past ~1,300).
            try? handle.close()
            self?.drained.signal()
        }.start()
    }

    deinit { stop() }

    /// The process ID, which ``stop(grace:)`` and ``killHard()`` signal.
    package var pid: Int32 { process.processIdentifier }
    /// Whether the process has not exited yet.
    package var isRunning: Bool { process.isRunning }

    /// Everything the process printed so far (stdout and stderr).
    package var printed: String {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    /// Waits until the output has a line starting with `prefix`; returns the rest of it.
    package func waitForLine(startingWith prefix: String, timeout: Double = 20) throws -> String {
        let deadline = Deadline(timeout)
        while !deadline.passed {
            for line in printed.split(separator: "\n") where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count))
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ProcessError("\(name) did not print \"\(prefix)\" within \(timeout) s; it printed:\n\(printed)")
    }

    /// Stops the process: SIGTERM, then SIGKILL after `grace` seconds.
    package func stop(grace: Double = 5) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Deadline(grace)
        while process.isRunning && !deadline.passed { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERM, and nothing more (``waitForExit(timeout:)`` tells whether it was enough).
    package func terminate() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
    }

    /// SIGKILL, now (a crash, as `kill -9` makes one).
    package func killHard() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the process to exit by itself and for the rest of its output (at most 5 s
    /// more, should a child it left behind hold the pipe); returns its status, or nil on timeout.
    package func waitForExit(timeout: Double) -> Int32? {
        let deadline = Deadline(timeout)
        while process.isRunning && !deadline.passed { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { return nil }
        if drained.wait(timeout: .now() + 5) == .success { drained.signal() }
        return process.terminationStatus
    }
}

/// A component that did not start or answer as expected.
package struct ProcessError: Error, CustomStringConvertible {
    /// What went wrong, with what the component printed when that explains it.
    package let description: String
    /// A failure that reads `description`.
    package init(_ description: String) { self.description = description }
}

/// A free TCP port on 127.0.0.1 (bound, read, closed: a tiny window for a race).
package func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = unsafe inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = unsafe withUnsafeMutablePointer(to: &addr) { p in
        unsafe p.withMemoryRebound(to: sockaddr.self, capacity: 1) { unsafe bind(fd, $0, len) }
    }
    _ = unsafe withUnsafeMutablePointer(to: &addr) { p in
        unsafe p.withMemoryRebound(to: sockaddr.self, capacity: 1) { unsafe getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// The package's root folder (for scripts/ and Rules/).
package let packageRoot: URL = Fixture.root.deletingLastPathComponent().deletingLastPathComponent()
