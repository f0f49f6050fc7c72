/// JSON Merge Patch (RFC 7386): the change from one document to another as a document of its own.
///
/// A patch is an object of the members that changed: a new or changed value, `null` for a member
/// removed, and, for a member that is an object in both, the patch of that object; anything that
/// is not an object on both sides is replaced whole (arrays included). The format cannot say
/// "set this member to null": a member that becomes `null` inside an object reads as removed.
extension JSONValue {
    /// The merge patch that turns `old` into `new` (`new` itself when either is not an object).
    public static func mergePatch(from old: JSONValue, to new: JSONValue) -> JSONValue {
        guard case .object(let before) = old, case .object(let after) = new else { return new }
        var patch: [JSONMember] = []
        var previous: [String: JSONValue] = [:]
        for member in before where previous[member.key] == nil { previous[member.key] = member.value }
        var kept = Set<String>()
        for member in after where kept.insert(member.key).inserted {
            if let was = previous[member.key] {
                if was != member.value { patch.append(JSONMember(key: member.key, value: mergePatch(from: was, to: member.value))) }
            } else {
                patch.append(JSONMember(key: member.key, value: member.value))
            }
        }
        var removed = Set<String>()
        for member in before where !kept.contains(member.key) && removed.insert(member.key).inserted {
            patch.append(JSONMember(key: member.key, value: .null))
        }
        return .object(patch)
    }

    /// This document with `patch` applied (RFC 7386 §2).
    public func applying(mergePatch patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var members: [JSONMember]
        if case .object(let current) = self { members = current } else { members = [] }
        for change in changes {
            let index = members.firstIndex { $0.key == change.key }
            if change.value == .null {
                if let index { members.remove(at: index) }
            } else if let index {
                members[index].value = members[index].value.applying(mergePatch: change.value)
            } else {
                members.append(JSONMember(key: change.key, value: JSONValue.null.applying(mergePatch: change.value)))
            }
        }
        return .object(members)
    }
}
