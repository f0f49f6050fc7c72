/// A libnats object pointer that crosses threads: libnats objects are thread-safe, and each
/// owner documents when its handle is destroyed.
struct LibraryHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
