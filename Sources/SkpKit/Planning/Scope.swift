/// The names visible where an expression is evaluated, innermost first:
/// loop variables, `host`, parameters, `let` host sets, captured values, collections, `env`.
public struct Scope: Sendable {
    public var inventory: Inventory
    public var environment: SkpEnvironment
    public var source: SourceText
    public var params: [String: Value] = [:]
    public var variables: [String: Value] = [:]
    public var bindings: [String: HostSet] = [:]
    /// Captured value name → hosts it is captured on, in the order they were planned.
    public var captures: [String: [String]] = [:]
    /// The host whose steps are being planned, if any.
    public var host: Int?

    public init(inventory: Inventory, environment: SkpEnvironment, source: SourceText) {
        self.inventory = inventory
        self.environment = environment
        self.source = source
    }

    func lookup(_ name: String) -> Value? {
        if let value = variables[name] { return value }
        if name == "host" { return host.map(Value.host) }
        if let value = params[name] { return value }
        if let set = bindings[name] { return .hosts(set) }
        if let hosts = captures[name] {
            // Your own value if this host captured it, else the one host that did.
            let here = host.map { inventory.hosts[$0].name }
            if let here, hosts.contains(here) { return .captured(name + "@" + here) }
            if hosts.count == 1 { return .captured(name + "@" + hosts[0]) }
            return .list(hosts.map { .captured(name + "@" + $0) })
        }
        switch name {
        case "hosts": return .list(inventory.hosts.indices.map(Value.host))
        case "volumes": return .list(inventory.volumes.indices.map(Value.volume))
        case "networks": return .list(inventory.networks.indices.map(Value.network))
        case "images": return .list(inventory.images.indices.map(Value.image))
        case "services": return .list(inventory.services.indices.map(Value.service))
        case "env": return .environment
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: return nil
        }
    }

    var visibleNames: [String] {
        Array(variables.keys) + Array(params.keys) + Array(bindings.keys) + Array(captures.keys)
            + ["hosts", "volumes", "networks", "images", "services", "env"] + (host != nil ? ["host"] : [])
    }
}
