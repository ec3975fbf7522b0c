/// A set of hosts kept in inventory order, as every plan and summary shows them.
public struct HostSet: Sendable {
    /// Indexes into `Inventory.hosts`, ascending.
    public var indexes: [Int]
    /// Whether the set is the control machine (`local`) rather than inventory hosts.
    public var isLocal = false

    public init(indexes: [Int], isLocal: Bool = false) {
        self.indexes = indexes
        self.isLocal = isLocal
    }

    public func hosts(in inventory: Inventory) -> [Host] { indexes.map { inventory.hosts[$0] } }
    public var count: Int { indexes.count }
    public var isEmpty: Bool { indexes.isEmpty && !isLocal }

    func union(_ other: HostSet) -> HostSet {
        HostSet(indexes: Array(Set(indexes).union(other.indexes)).sorted(), isLocal: isLocal || other.isLocal)
    }

    func intersection(_ other: HostSet) -> HostSet {
        let keep = Set(other.indexes)
        return HostSet(indexes: indexes.filter(keep.contains), isLocal: isLocal && other.isLocal)
    }
}
