/// One entry of services.json: a container that runs on every host enabling the service's label
/// (the original tool's model: `docker run -d --restart=always --name NAME …` on each of them).
public struct Service: Sendable {
    public struct Variable: Sendable {
        public var name: String
        /// Secret when named like a credential (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*KEY*`), or
        /// made from such a variable of this machine: sent in a 0600 env file, never in a command line.
        public var value: FieldValue
        public var secret: Bool { value.isSecret }
    }

    public struct Mount: Sendable {
        /// A volume of volumes.json, or an absolute folder of the host.
        public var source: String
        public var target: String
        public var readOnly: Bool
        public var isVolume: Bool { !source.hasPrefix("/") }
        public var spec: String { "\(source):\(target)" + (readOnly ? ":ro" : "") }
    }

    public var name: String
    /// Hosts whose labels enable this one run the service.
    public var label: String
    /// An images.json entry (its `registry/image:tag`) or an image reference as written.
    public var image: String
    public var networks: [String]
    /// `[ip:]host:container[/proto]`, as `docker run -p` takes them.
    public var ports: [String]
    public var environment: [Variable]
    public var mounts: [Mount]
    /// The command and its arguments (exec form; a string is split on blanks).
    public var command: [String]
    /// `docker run --restart` policy; `always` as the original ran every service.
    public var restart: String
    /// Set when the entry is a Swarm service (`"mode": "replicated"` / `"global"`).
    public var swarm: SwarmSettings?
    public var location: SourceLocation

    /// Networks Docker always has: not looked up in networks.json.
    public static let builtinNetworks: Set<String> = ["host", "bridge", "none"]

    /// Whether `host` runs this service.
    public func targets(_ host: Host) -> Bool { host.hasEnabledLabel(label) }

    /// `docker run` options skp builds from the entry (validated field by field when loaded), each
    /// one word with its value after `=`: no value can become an option of its own.
    public var runOptions: [String] {
        var options = ["--restart=\(restart)", "--label=skp.service=\(name)"]
        options += networks.map { "--network=\($0)" }
        options += ports.map { "--publish=\($0)" }
        options += mounts.map { "--volume=\($0.spec)" }
        options += environment.compactMap { variable in variable.value.plain.map { "--env=\(variable.name)=\($0)" } }
        return options
    }

    /// The env file's content for the secret variables ("" when there are none).
    public var secretEnvironment: Secret {
        Secret(environment.compactMap { variable in variable.value.secret.map { "\(variable.name)=\($0.revealed)\n" } }.joined())
    }
}
