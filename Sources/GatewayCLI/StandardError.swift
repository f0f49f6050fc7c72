#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to the process's standard error (fd 2) without touching C's shared `stderr` stream.
enum StandardError {
    /// Writes `text` followed by a newline when it has none.
    static func print(_ text: String) {
        var line = text
        if !line.hasSuffix("\n") { line += "\n" }
        line.utf8CString.withUnsafeBufferPointer { buffer in
            var offset = 0
            let length = buffer.count - 1
            while offset < length {
                let written = write(2, buffer.baseAddress! + offset, length - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
