import Foundation

/// A service's swarm settings: replicas, placement, update and rollback policies, health check.
extension InventoryLoader {
    mutating func swarmSettings(_ node: JSONNode, service: String) -> SwarmSettings? {
        guard let modeNode = node["mode"] else {
            for key in Self.swarmFields where node[key] != nil {
                report("\(key) is for Swarm services: add \"mode\": \"replicated\" (or \"global\") to \(service)", at: node[key]!.location)
            }
            return nil
        }
        var settings = SwarmSettings(mode: .global)
        switch modeNode.string {
        case "global":
            if let replicas = node["replicas"] { report("a global service runs one task per node: drop replicas", at: replicas.location) }
        case "replicated":
            settings.mode = .replicated(node["replicas"].map { number($0, field: "replicas", range: 0...1000) } ?? 1)
        default:
            report("mode must be \"replicated\" or \"global\"", at: modeNode.location)
        }
        if let list = node["constraints"] {
            settings.constraints = stringList(list, field: "constraints").filter { text in
                let ok = !text.isEmpty && text.count <= 200 && (text.contains("==") || text.contains("!="))
                    && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-=!".contains($0)) }
                if !ok { report("constraint \"\(Printable.excerpt(text))\" is not like node.role==manager", at: list.location) }
                return ok
            }
        }
        if let update = node["update"] { settings.update = policy(update, field: "update", actions: ["pause", "continue", "rollback"]) }
        if let rollback = node["rollback"] { settings.rollback = policy(rollback, field: "rollback", actions: ["pause", "continue"]) }
        if let health = node["health"] {
            if let command = health["cmd"].flatMap({ expandedString($0, field: "cmd") }) {
                var check = SwarmSettings.Health(command: command)
                if let n = health["interval"] { check.interval = seconds(n, field: "interval") }
                if let n = health["timeout"] { check.timeout = seconds(n, field: "timeout") }
                if let n = health["retries"] { check.retries = number(n, field: "retries", range: 1...100) }
                settings.health = check
            } else {
                report("health needs \"cmd\": a command that exits 0 when the task is healthy", at: health.location)
            }
        }
        if let restart = node["restart_condition"] {
            settings.restartCondition = choice(restart, field: "restart_condition", ["any", "on-failure", "none"]) ?? "any"
        }
        if let endpoint = node["endpoint_mode"] {
            settings.endpointMode = choice(endpoint, field: "endpoint_mode", ["vip", "dnsrr"]) ?? "dnsrr"
        }
        return settings
    }

    mutating func policy(_ node: JSONNode, field: String, actions: [String]) -> SwarmSettings.Policy {
        var policy = SwarmSettings.Policy()
        guard let entries = node.entries else {
            report("\(field) must be an object such as {\"parallelism\": 1, \"delay\": 5}", at: node.location)
            return policy
        }
        for (key, value) in entries {
            switch key {
            case "parallelism": policy.parallelism = number(value, field: key, range: 0...1000)
            case "delay": policy.delay = seconds(value, field: key)
            case "monitor": policy.monitor = seconds(value, field: key)
            case "failure_action": policy.failureAction = choice(value, field: key, actions) ?? policy.failureAction
            case "order": policy.order = choice(value, field: key, ["stop-first", "start-first"]) ?? policy.order
            default: unknownField(key, of: field, known: ["parallelism", "delay", "monitor", "failure_action", "order"], at: value.keyLocation ?? value.location)
            }
        }
        return policy
    }

    /// A whole number in `range`, or the range's start after reporting.
    mutating func number(_ node: JSONNode, field: String, range: ClosedRange<Int>) -> Int {
        if case .number(let n) = node.value, n == n.rounded(), n >= Double(range.lowerBound), n <= Double(range.upperBound) { return Int(n) }
        report("\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound)", at: node.location)
        return range.lowerBound
    }

    /// Seconds as a number (`5`, `0.5`) or Docker's text (`"5s"`, `"1m"`, `"300ms"`), up to a day.
    mutating func seconds(_ node: JSONNode, field: String) -> Double {
        var value: Double?
        if case .number(let n) = node.value { value = n }
        if case .string(let text) = node.value {
            for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where text.hasSuffix(suffix) {
                if let n = Double(text.dropLast(suffix.count)) { value = n * scale; break }
            }
        }
        guard let value, value.isFinite, value >= 0, value <= 86_400 else {
            report("\(field) must be seconds from 0 to 86400 (5, 0.5 or \"5s\", \"1m\")", at: node.location)
            return 0
        }
        return value
    }

    mutating func choice(_ node: JSONNode, field: String, _ allowed: [String]) -> String? {
        if let text = node.string, allowed.contains(text) { return text }
        let hint = node.string.flatMap { Suggest.closest(to: $0, in: allowed) }.map { "did you mean \($0)?" }
        report("\(field) must be one of \(allowed.joined(separator: ", "))", at: node.location, hint: hint)
        return nil
    }

    /// What a service refers to must exist: a label some host enables, networks of networks.json,
    /// volumes of volumes.json present on every host the service lands on.
}
