// Reproduces the leak scripts/lsan.supp suppresses (swift-foundation, Swift 6.3.1 on Linux):
//   swiftc -sanitize=address -g scripts/sanitizers/foundation-growing-file-leak.swift -o /tmp/repro && /tmp/repro
// LeakSanitizer reports megabytes "allocated from readBytesFromFile": reading a file that another
// process is appending to leaks the buffer of a read whose size changed under it.
import Foundation

let path = NSTemporaryDirectory() + "growing-file-leak.txt"
FileManager.default.createFile(atPath: path, contents: nil)
let writer = Process()
writer.executableURL = URL(fileURLWithPath: "/bin/sh")
writer.arguments = ["-c", "for i in $(seq 1 20000); do echo line $i; done >> \(path)"]
try writer.run()
let url = URL(fileURLWithPath: path)
while writer.isRunning { _ = try? String(contentsOf: url, encoding: .utf8) }
writer.waitUntilExit()
