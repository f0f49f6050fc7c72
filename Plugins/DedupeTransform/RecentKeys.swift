/// A bounded set of recently seen keys, least recently seen evicted first, each with the time it
/// was admitted.
///
/// A doubly linked list threaded through preallocated arrays plus a dictionary from key to
/// slot: O(1) lookup, touch and eviction, and memory bounded by `capacity` whatever the input.
struct RecentKeys<Key: Hashable, Instant> {
    private struct Slot {
        var key: Key
        var admitted: Instant
        var newer: Int
        var older: Int
    }

    let capacity: Int
    private var slots: [Slot] = []
    private var index: [Key: Int] = [:]
    /// Most recently seen slot, or -1.
    private var newest = -1
    /// Least recently seen slot, or -1.
    private var oldest = -1

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        index.reserveCapacity(min(capacity, 1 << 16))
    }

    var count: Int { index.count }

    /// When `key` was admitted, marking it most recently seen; `nil` when it is not held.
    mutating func touch(_ key: Key) -> Instant? {
        guard let slot = index[key] else { return nil }
        moveToNewest(slot)
        return slots[slot].admitted
    }

    /// Holds `key` as admitted at `instant`, evicting the least recently seen key when full.
    mutating func admit(_ key: Key, at instant: Instant) {
        if let slot = index[key] {
            slots[slot].admitted = instant
            moveToNewest(slot)
            return
        }
        let slot: Int
        if slots.count < capacity {
            slot = slots.count
            slots.append(Slot(key: key, admitted: instant, newer: -1, older: -1))
        } else {
            slot = oldest
            unlink(slot)
            index[slots[slot].key] = nil
            slots[slot] = Slot(key: key, admitted: instant, newer: -1, older: -1)
        }
        index[key] = slot
        linkAsNewest(slot)
    }

    private mutating func moveToNewest(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot].newer
        let older = slots[slot].older
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = -1
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
