import CMemory
import PromModel

/// Whether everything a command printed reached standard output. `print` writes through
/// C's buffered `stdout`, whose failures (`ENOSPC` on a full disk, `EIO`) are only kept in
/// the stream's error flag: without this check a report written to `/dev/full` exited 0.
enum OutputCheck {
    /// Flushes standard output; nil when every byte was written, else the exit-2 failure
    /// naming why (the C library's words for the error).
    static func unwritten() -> CommandFailure? {
        let error = ctlmon_flush_standard_output()
        guard error != 0 else { return nil }
        return .badInput("cannot write the output to standard output: \(FileContents.failure(error))")
    }
}
