/// The three inventories of one invocation, loaded and checked.
public struct Inventory: Sendable {
    public var hosts: [Host]
    public var volumes: [Volume]
    public var networks: [Network]
    public var images: [Image]
    public var services: [Service]
    /// The files they came from, for messages ("no host c09 in ./hosts.json").
    public var paths: InventoryPaths

    private var hostIndex: [String: Int]

    public init(hosts: [Host], volumes: [Volume], networks: [Network], images: [Image] = [], services: [Service] = [],
                paths: InventoryPaths) {
        self.hosts = hosts
        self.volumes = volumes
        self.networks = networks
        self.images = images
        self.services = services
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
    /// "" when there is none (tests and tools that build paths by hand).
    public var images: String
    public var services: String
    /// Whether the user named each file (a flag or `$SKP_…`): a named file must exist, while
    /// a default volumes.json, networks.json, images.json or services.json may be absent.
    public var hostsNamed = false, volumesNamed = false, networksNamed = false, imagesNamed = false, servicesNamed = false
    /// Kinds no planned task uses (`volumes`, `networks`, `images`, `services`): their default
    /// files are not read, so a mistake there stops only the tasks that use them.
    public var unused: Set<String> = []

    public init(hosts: String, volumes: String, networks: String, images: String = "", services: String = "") {
        self.hosts = hosts
        self.volumes = volumes
        self.networks = networks
        self.images = images
        self.services = services
    }

    /// Flags first, then `$SKP_HOSTS` / `$SKP_VOLUMES` / `$SKP_NETWORKS`, then the three files of
    /// the inventory folder (`--inventory`, `$SKP_INVENTORY`, else the current folder).
    public static func resolve(hosts: String?, volumes: String?, networks: String?, images: String? = nil, services: String? = nil,
                               folder: String? = nil, environment: [String: String]) -> InventoryPaths {
        let base = (folder ?? environment["SKP_INVENTORY"]).map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        let hosts = hosts ?? environment["SKP_HOSTS"], volumes = volumes ?? environment["SKP_VOLUMES"]
        let networks = networks ?? environment["SKP_NETWORKS"]
        let images = images ?? environment["SKP_IMAGES"], services = services ?? environment["SKP_SERVICES"]
        var paths = InventoryPaths(hosts: hosts ?? base + "hosts.json", volumes: volumes ?? base + "volumes.json",
                                   networks: networks ?? base + "networks.json", images: images ?? base + "images.json",
                                   services: services ?? base + "services.json")
        (paths.hostsNamed, paths.volumesNamed, paths.networksNamed) = (hosts != nil, volumes != nil, networks != nil)
        (paths.imagesNamed, paths.servicesNamed) = (images != nil, services != nil)
        return paths
    }
}
