import Foundation

/// Merges, per host: the inventory, skp's options, ~/.ssh/config and the environment into the
/// `Endpoint` the transport logs in to. The inventory wins, then options, then ssh config.
public struct EndpointResolver: Sendable {
    public var connection: ConnectionSettings
    public var config: SSHConfig
    public var environment: [String: String]

    public init(connection: ConnectionSettings, config: SSHConfig, environment: [String: String]) {
        self.connection = connection
        self.config = config
        self.environment = environment
    }

    public func endpoint(for host: Host, password: Secret?) -> Endpoint {
        let ssh = config.settings(for: [host.name, host.address])
        let home = environment["HOME"] ?? "/root"
        func expand(_ path: String) -> String {
            path.hasPrefix("~/") ? home + path.dropFirst(1) : path
        }
        let user = host.user ?? connection.user ?? environment["SKP_USER"] ?? ssh["user"]?.first ?? environment["USER"] ?? "root"
        let port = host.port ?? connection.port ?? ssh["port"]?.first.flatMap { Int($0) } ?? 22
        var identities: [String] = []
        if let key = host.key { identities.append(expand(key)) }
        if let key = connection.identity { identities.append(expand(key)) }
        identities += (ssh["identityfile"] ?? []).map(expand)
        var address = host.address
        // %h-style tokens are OpenSSH's; a HostName with one is not a plain address.
        if let hostName = ssh["hostname"]?.first, hostName != host.name, !hostName.contains("%") { address = hostName }
        let jump = host.jump ?? ssh["proxyjump"]?.first.flatMap { $0 == "none" ? nil : $0 } ?? environment["SKP_JUMP"]
        // ssh_config values out of skp's range (OpenSSH's `ServerAliveInterval 0`, "off") are not used.
        func configured(_ key: String, in range: ClosedRange<Int>) -> Int? {
            ssh[key]?.first.flatMap { Int($0) }.flatMap { range.contains($0) ? $0 : nil }
        }
        let interval = connection.serverAliveInterval ?? configured("serveraliveinterval", in: Endpoint.serverAliveIntervalRange)
            ?? Endpoint.defaultServerAliveInterval
        let countMax = connection.serverAliveCountMax ?? configured("serveralivecountmax", in: Endpoint.serverAliveCountMaxRange)
            ?? Endpoint.defaultServerAliveCountMax
        return Endpoint(name: host.name, address: address, port: port, user: user, identities: identities,
                        password: password, jump: jump, connectTimeout: connection.connectTimeout,
                        hostKeyPolicy: connection.hostKeyChecking,
                        knownHostsPath: environment["SKP_KNOWN_HOSTS"] ?? home + "/.ssh/known_hosts",
                        serverAliveInterval: interval, serverAliveCountMax: countMax)
    }
}
