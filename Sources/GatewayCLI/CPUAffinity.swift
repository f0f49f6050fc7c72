#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many CPUs this process may run on.
enum CPUAffinity {
    /// The CPUs in this process's affinity mask (Linux: `Cpus_allowed` in /proc/self/status, which
    /// taskset and cpusets narrow), or the online CPUs when that cannot be read; at least 1.
    static func usableCPUCount() -> Int {
        if let mask = allowedMask() {
            let count = mask.reduce(0) { total, digit in total + (Int(String(digit), radix: 16) ?? 0).nonzeroBitCount }
            if count > 0 { return count }
        }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The hex digits of the `Cpus_allowed:` line, commas removed.
    private static func allowedMask() -> String? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("Cpus_allowed:") {
                return String(text.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit })
            }
        }
        return nil
    }
}
