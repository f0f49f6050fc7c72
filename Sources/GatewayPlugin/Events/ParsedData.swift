#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An event's data parsed as JSON once, however many pipeline steps read it.
///
/// An endpoint's pipeline runs one event through all its steps on one thread, so each thread
/// keeps the last data it parsed and its document: a `filter` on `data.level`, a `dedupe` by
/// `data.order.id` and a `throttle` per `data.symbol` cost one parse per event. A step that
/// passes the event on unchanged passes the same string storage, and comparing a string with
/// itself is one comparison of its storage; a step that rewrites the data gets a fresh parse.
/// What a thread keeps is one document: bounded by the largest event.
public enum ParsedData {
    /// The JSON document of `data`, or `nil` when it is not JSON.
    public static func document(of data: String) -> JSONValue? {
        let entry = Entry.current
        if let parsed = entry.data, parsed == data { return entry.document }
        let document = try? JSONValue.parse(data)
        entry.data = data
        entry.document = document
        return document
    }

    /// What `path` holds in `data`: read from this thread's document when it has parsed this
    /// very data (a pipeline step read it), else found by ``JSONValue/lookup(_:in:)``, which
    /// builds no document — for a reader of one field, like a channel endpoint's key.
    public static func lookup(_ path: JSONPath, in data: String) -> JSONLookup {
        let entry = Entry.current
        if let parsed = entry.data, parsed == data { return JSONLookup(path, in: entry.document) }
        return JSONValue.lookup(path, in: data)
    }

    /// One thread's last parse.
    private final class Entry {
        var data: String?
        var document: JSONValue?

        static var current: Entry {
            if let raw = pthread_getspecific(threadKey) { return Unmanaged<Entry>.fromOpaque(raw).takeUnretainedValue() }
            let entry = Entry()
            pthread_setspecific(threadKey, Unmanaged.passRetained(entry).toOpaque())
            return entry
        }
    }

    /// The thread-specific slot; a thread's entry is released when the thread ends.
    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        let result = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        precondition(result == 0, "pthread_key_create failed (\(result))")
        return key
    }()
}
