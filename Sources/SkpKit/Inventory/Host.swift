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
    public var fields: [String: FieldValue]
    public var location: SourceLocation

    public func hasRole(_ role: String) -> Bool { roles.contains(role) }

    /// Labels switched on, in the order written.
    public var enabledLabels: [String] {
        labels.filter { Host.isEnabled($0.value) }.map(\.key)
    }

    public func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }

    /// Whether the label `key` is switched on: asked per host for every volume and service when
    /// planning, so it looks at that one label instead of building `enabledLabels`.
    public func hasEnabledLabel(_ key: String) -> Bool {
        labels.contains { $0.key == key && Host.isEnabled($0.value) }
    }

    /// Why `password` cannot be given to sudo (`become_password`, `-K`, `$SKP_BECOME_PASSWORD`),
    /// or nil. sudo reads one line; and an empty line is how skp tells sudo's input from the
    /// command's (Planning/Become.swift), so the password cannot be empty.
    public static func becomePasswordProblem(_ password: String) -> String? {
        if password.isEmpty { return "is empty" }
        if password.contains(where: \.isNewline) { return "has a line break" }
        return nil
    }

    static func isEnabled(_ value: String) -> Bool {
        // Short words only: nothing longer can match, and lowercasing is the expensive part.
        value.utf8.count <= 7 && ["enable", "enabled", "true", "yes", "on"].contains(value.lowercased())
    }
}
