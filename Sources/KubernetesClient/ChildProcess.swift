import Glibc

/// A program run to completion with its output captured (an exec credential plugin such as
/// `aws eks get-token`): found on `PATH` as a shell would find it, standard input from
/// `/dev/null` (never a terminal), standard output and error read as they come so neither
/// pipe can fill and block it, each kept up to a limit, and the program killed when it runs
/// past its time. Foundation's `Process` is not used (it is in the part of Foundation that
/// links ICU).
struct ChildProcess {
    /// How the program ended and what it printed.
    struct Result {
        /// The exit status; nil when a signal ended it (``signal``).
        var status: Int32?
        /// The signal that ended it, if one did (a timeout's SIGKILL among them).
        var signal: Int32?
        /// Standard output, up to the limit.
        var output: [UInt8]
        /// Standard error, up to the limit.
        var error: [UInt8]
        /// Whether it ran past its time and was killed.
        var timedOut: Bool
    }

    /// Why the program could not be started: `ENOENT` for a command not found.
    struct LaunchFailure: Error {
        /// The `errno` of `posix_spawnp`.
        var code: Int32
    }

    /// Runs `command` with `arguments` and exactly `environment`; waits at most `timeout`
    /// seconds; keeps at most `limit` bytes of each output stream.
    static func run(
        _ command: String, _ arguments: [String], environment: [String: String], timeout: Double, limit: Int
    ) throws(LaunchFailure) -> Result {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard unsafe pipe(&outPipe) == 0 else { throw LaunchFailure(code: errno) }
        guard unsafe pipe(&errPipe) == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            throw LaunchFailure(code: errno)
        }
        // Not inherited by other programs started meanwhile (the child gets its ends by dup2).
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        unsafe posix_spawn_file_actions_init(&actions)
        defer { unsafe posix_spawn_file_actions_destroy(&actions) }
        unsafe posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        unsafe posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        unsafe posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let argv = [command] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = unsafe withCStrings(argv) { a in
            unsafe withCStrings(envp) { e in unsafe posix_spawnp(&pid, command, &actions, nil, a, e) }
        }
        close(outPipe[1])
        close(errPipe[1])
        defer {
            close(outPipe[0])
            close(errPipe[0])
        }
        guard spawned == 0 else { throw LaunchFailure(code: spawned) }

        var result = Result(status: nil, signal: nil, output: [], error: [], timedOut: false)
        var open = [outPipe[0], errPipe[0]]
        var clock = timespec()
        unsafe clock_gettime(CLOCK_MONOTONIC, &clock)
        let deadline = Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9 + timeout
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while !open.isEmpty {
            unsafe clock_gettime(CLOCK_MONOTONIC, &clock)
            let left = deadline - (Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9)
            if left <= 0 {
                result.timedOut = true
                kill(pid, SIGKILL)
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = unsafe poll(&fds, nfds_t(fds.count), Int32(min(left * 1000, 1000)) + 1)
            if ready < 0 && errno != EINTR {
                // Cannot wait for its output any more: stop it rather than wait for it unbounded.
                kill(pid, SIGKILL)
                break
            }
            for f in fds where f.revents != 0 {
                let n = unsafe buffer.withUnsafeMutableBytes { unsafe read(f.fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    open.removeAll { $0 == f.fd }
                    continue
                }
                if f.fd == outPipe[0] {
                    result.output += buffer[0..<min(n, max(0, limit - result.output.count))]
                } else {
                    result.error += buffer[0..<min(n, max(0, limit - result.error.count))]
                }
            }
        }
        var status: Int32 = 0
        while unsafe waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift's Glibc module does not import.
        if status & 0x7F == 0 {
            result.status = (status >> 8) & 0xFF
        } else {
            result.signal = status & 0x7F
        }
        return result
    }

    /// `strings` as a NULL-terminated array of C strings, for the length of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = unsafe strings.map { unsafe strdup($0) }
        pointers.append(nil)
        defer { for p in unsafe pointers { unsafe free(p) } }
        return unsafe pointers.withUnsafeBufferPointer { unsafe body($0.baseAddress!) }
    }
}
