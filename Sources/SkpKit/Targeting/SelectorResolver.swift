/// Turns a `Selector` into the hosts it names, in inventory order.
public struct SelectorResolver {
    public let inventory: Inventory
    /// Host sets named with `let` in the task being planned.
    public var bindings: [String: HostSet] = [:]
    /// Where the selector was written, for error messages.
    public var source: SourceText?
    /// Evaluates `${…}` atoms to host sets; nil where expressions are not allowed (--limit).
    public var evaluate: ((Expr) throws -> HostSet)?

    /// Roles the guide defines; any other role must appear in hosts.json (catches `role:manger`).
    static let wellKnownRoles: Set<String> = ["master", "slave", "manager", "worker"]

    public init(inventory: Inventory, source: SourceText? = nil) {
        self.inventory = inventory
        self.source = source
    }

    public func resolve(_ selector: Selector) throws -> HostSet {
        let all = HostSet(indexes: Array(inventory.hosts.indices))
        switch selector {
        case .all:
            return all
        case .local:
            return HostSet(indexes: [], isLocal: true)
        case .name(let name, let location):
            if let bound = bindings[name] { return bound }
            if let index = inventory.order(of: name) { return HostSet(indexes: [index]) }
            let hint = Suggest.closest(to: name, in: inventory.hosts.map(\.name) + bindings.keys)
                .map { "did you mean \($0)?" } ?? "hosts are: " + inventory.hosts.map(\.name).joined(separator: ", ")
            throw Diagnostic(.unknown(.host, name: name, within: "in " + inventory.paths.hosts), at: location, source: source,
                             hint: hint, width: name.count)
        case .role(let role, let location):
            let matching = inventory.hosts.indices.filter { inventory.hosts[$0].hasRole(role) }
            if matching.isEmpty, !Self.wellKnownRoles.contains(role) {
                let roles = Set(inventory.hosts.flatMap(\.roles)).union(Self.wellKnownRoles).sorted()
                let hint = Suggest.closest(to: role, in: roles).map { "did you mean role:\($0)?" }
                throw Diagnostic(.unknown(.role, name: role), at: location, source: source, hint: hint)
            }
            return HostSet(indexes: matching)
        case .label(let key, let value, _):
            return HostSet(indexes: inventory.hosts.indices.filter { index in
                let host = inventory.hosts[index]
                if let value { return host.label(key) == value }
                return host.hasEnabledLabel(key)
            })
        case .union(let parts):
            return try parts.reduce(HostSet(indexes: [])) { $0.union(try resolve($1)) }
        case .intersection(let parts):
            var result = try resolve(parts[0])
            for part in parts.dropFirst() { result = result.intersection(try resolve(part)) }
            return result
        case .exclusion(let inner):
            let excluded = Set(try resolve(inner).indexes)
            return HostSet(indexes: all.indexes.filter { !excluded.contains($0) })
        case .expression(let expr, let text):
            guard let evaluate else {
                throw Diagnostic("${\(text)} is only allowed in task files", at: expr.location, source: source)
            }
            return try evaluate(expr)
        case .one(let inner):
            let set = try resolve(inner)
            return HostSet(indexes: Array(set.indexes.prefix(1)), isLocal: set.isLocal)
        }
    }
}
