/// The three inventories of one invocation, loaded and checked.
public struct Inventory: Sendable {
    public var hosts: [Host]
    public var volumes: [Volume]
    public var networks: [Network]
    /// The files they came from, for messages ("no host c09 in ./hosts.json").
    public var paths: InventoryPaths

    private var hostIndex: [String: Int]

    public init(hosts: [Host], volumes: [Volume], networks: [Network], paths: InventoryPaths) {
        self.hosts = hosts
        self.volumes = volumes
        self.networks = networks
        self.paths = paths
        var index: [String: Int] = [:]
        for (i, host) in hosts.enumerated() where index[host.name] == nil { index[host.name] = i }
        hostIndex = index
    }

    public static let empty = Inventory(hosts: [], volumes: [], networks: [],
                                        paths: InventoryPaths(hosts: "hosts.json", volumes: "volumes.json",
                                                              networks: "networks.json"))

    public func host(named name: String) -> Host? { hostIndex[name].map { hosts[$0] } }

    /// Position of a host in inventory order; plans and summaries keep that order.
    public func order(of name: String) -> Int? { hostIndex[name] }

    /// The volumes `host` carries.
    public func volumes(on host: Host) -> [Volume] { volumes.filter { $0.targets(host) } }
}

public struct InventoryPaths: Sendable {
    public var hosts: String
    public var volumes: String
    public var networks: String

    public init(hosts: String, volumes: String, networks: String) {
        self.hosts = hosts
        self.volumes = volumes
        self.networks = networks
    }

    /// Flags first, then `$SKP_HOSTS` / `$SKP_VOLUMES` / `$SKP_NETWORKS`, then the three files of
    /// the inventory folder (`--inventory`, `$SKP_INVENTORY`, else the current folder).
    public static func resolve(hosts: String?, volumes: String?, networks: String?, folder: String? = nil,
                               environment: [String: String]) -> InventoryPaths {
        let base = (folder ?? environment["SKP_INVENTORY"]).map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        return InventoryPaths(hosts: hosts ?? environment["SKP_HOSTS"] ?? base + "hosts.json",
                              volumes: volumes ?? environment["SKP_VOLUMES"] ?? base + "volumes.json",
                              networks: networks ?? environment["SKP_NETWORKS"] ?? base + "networks.json")
    }
}
