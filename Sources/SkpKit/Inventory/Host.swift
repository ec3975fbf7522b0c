/// One machine of hosts.json: where it is, what it is for, and how to reach it.
public struct Host: Sendable {
    public var name: String
    public var address: String
    /// `master`, `manager`, `worker`, `slave`… (`groups` in some copies of the guide).
    public var roles: [String]
    /// In the order written. A label is switched on by the value "enable".
    public var labels: [(key: String, value: String)]
    /// SSH settings; nil means "use the global default".
    public var user: String?
    public var port: Int?
    public var key: String?
    public var jump: String?
    /// Other string fields (box, cpus, memory…), available to tasks as `host.FIELD`.
    public var fields: [String: String]
    public var location: SourceLocation

    public func hasRole(_ role: String) -> Bool { roles.contains(role) }

    /// Labels switched on, in the order written.
    public var enabledLabels: [String] {
        labels.filter { Host.isEnabled($0.value) }.map(\.key)
    }

    public func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }

    static func isEnabled(_ value: String) -> Bool {
        ["enable", "enabled", "true", "yes", "on"].contains(value.lowercased())
    }
}
