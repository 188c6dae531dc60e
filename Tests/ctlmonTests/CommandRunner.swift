import CtlmonTestSupport
import Foundation
import Testing

/// Runs the package's executables (built beside the test bundle) and captures their output.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Whether the process ended by a signal (a crash), not an exit.
    var signalled = false
    /// Whether the runner had to kill it: it ran past the timeout (a hang).
    var timedOut = false
}

enum Command {
    /// The folder holding the built products: the test bundle's own folder.
    /// Linux only (the package declares no other platform): the test executable sits beside
    /// the products it tests.
    static let productsDirectory: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent()

    static func fixture(_ relative: String) -> String { Fixture.path(relative) }

    /// A scrape time after every fixture's process start (2027-01-15T08:00:00Z): `ctlmon check`
    /// in tests always runs with a pinned clock, so no test depends on today's date.
    static let checkTime = "1800000000"

    /// Runs `ctlmon check` with `arguments`, at ``checkTime`` unless they give `--time`.
    static func check(_ arguments: [String], stdin: Data? = nil) throws -> CommandResult {
        try run("ctlmon", ["check"] + arguments + (arguments.contains("--time") ? [] : ["--time", checkTime]), stdin: stdin)
    }

    /// Runs `tool` (a product's name, or an absolute path) with `arguments`, feeding `stdin` when given; kills it after `timeout`
    /// seconds (a hang is a failure, never a stuck suite).
    /// `directory`: the working directory (default: the test process's). `stdoutPath`: a file
    /// or device standard output goes to instead of being captured (`/dev/full`).
    static func run(
        _ tool: String, _ arguments: [String], stdin: Data? = nil, timeout: Double = 60, directory: String? = nil, stdoutPath: String? = nil
    ) throws -> CommandResult {
        let process = Process()
        // A product by name; another program by its absolute path (kubectl through /usr/bin/env).
        process.executableURL = tool.hasPrefix("/") ? URL(fileURLWithPath: tool) : productsDirectory.appendingPathComponent(tool)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["CTLMON_BENCH_PRELOADED"] = nil
        // ctlmon-bench preloads its malloc interposer, which cannot share the process with
        // another preloaded allocator hook (libfaketime, when the suite runs under faketime to
        // show it does not depend on the date: the bench reads no date).
        if tool == "ctlmon-bench" { env["LD_PRELOAD"] = nil }
        process.environment = env
        // Files, not pipes: no deadlock whatever the output size.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout")
        let errURL = dir.appendingPathComponent("stderr")
        let inURL = dir.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())
        let out = try FileHandle(forWritingTo: stdoutPath.map { URL(fileURLWithPath: $0) } ?? outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // A monotonic clock: the timeout must not depend on the date either.
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int(timeout * 1000)))
        var timedOut = false
        while process.isRunning {
            if clock.now > deadline {
                timedOut = true
                process.terminate()
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(2000)
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        try input.close()
        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
            signalled: process.terminationReason == .uncaughtSignal, timedOut: timedOut)
    }

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}
