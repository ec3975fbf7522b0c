import Foundation

/// A value as what a place needs: hosts, text, a list, a truth.
extension Evaluator {
    // MARK: conversions

    /// Hosts named by a value: a host set, a host, a list, or a host's name or address
    /// (`root@192.168.56.11` names the host with that address).
    public func hostSet(_ value: Value, at location: SourceLocation) throws -> HostSet {
        let inventory = scope.inventory
        switch value {
        case .hosts(let set): return set
        case .host(let index): return HostSet(indexes: [index])
        case .null: return HostSet(indexes: [])
        case .list(let items):
            var indexes = Set<Int>()
            for item in items { indexes.formUnion(try hostSet(item, at: location).indexes) }
            return HostSet(indexes: indexes.sorted())
        default:
            let text = try self.text(value, at: location)
            let bare = String(text.split(separator: "@").last ?? Substring(text))
            let address = bare.split(separator: ":").first.map(String.init) ?? bare
            if let index = inventory.hosts.firstIndex(where: { $0.name == address || $0.address == address }) {
                return HostSet(indexes: [index])
            }
            let shown = value.holdsSecret ? "a secret value" : Printable.excerpt(text)
            throw error("\(shown) is not a host of \(inventory.paths.hosts)", at: location,
                        hint: "skp reaches only inventory hosts; add it to the inventory")
        }
    }

    func text(_ value: Value, at location: SourceLocation) throws -> String {
        switch value {
        case .null: return ""
        case .string(let s): return s
        // A function computes with it; what it makes from a secret is a secret again (`call`).
        case .secret(let s): return s.revealed
        case .bool(let b): return b ? "true" : "false"
        case .host(let i): return scope.inventory.hosts[i].name
        case .volume(let i): return scope.inventory.volumes[i].name
        case .network(let i): return scope.inventory.networks[i].name
        case .image(let i): return scope.inventory.images[i].name
        case .service(let i): return scope.inventory.services[i].name
        case .option(let s): return s
        case .pair(let key, _): return key
        case .hosts(let set) where set.count == 1: return scope.inventory.hosts[set.indexes[0]].name
        case .captured(let name):
            throw error("\(name) is captured when the task runs; it cannot be tested while planning", at: location)
        default:
            throw error("expected a single value here, found \(value.typeName)", at: location)
        }
    }

    func list(_ value: Value, at location: SourceLocation) throws -> [Value] {
        switch value {
        case .list(let items): return items
        case .hosts(let set): return set.indexes.map(Value.host)
        case .null: return []
        default: throw error("expected a list, found \(value.typeName)", at: location)
        }
    }

    func truth(_ value: Value) throws -> Bool {
        switch value {
        case .null: false
        case .bool(let b): b
        case .string(let s): !s.isEmpty && s != "false"
        case .secret(let s): !s.isEmpty && s.revealed != "false"
        case .list(let items): !items.isEmpty
        case .hosts(let set): !set.isEmpty
        default: true
        }
    }

    func contains(_ collection: Value, _ element: String) throws -> Bool {
        switch collection {
        case .list(let items):
            return items.contains { item in
                if case .pair(let key, let value) = item { return key == element && Host.isEnabled(value) }
                return (try? text(item, at: scope.source.location)) == element
            }
        case .hosts(let set):
            return set.indexes.contains { scope.inventory.hosts[$0].name == element }
        case .string(let s): return s.contains(element)
        case .null: return false
        default:
            throw error("'in' needs a list on its right, found \(collection.typeName)", at: scope.source.location)
        }
    }
}
