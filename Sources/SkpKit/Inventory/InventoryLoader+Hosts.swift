import Foundation

/// hosts.json: each host, its roles, labels and login fields.
extension InventoryLoader {
    // MARK: hosts.json

    mutating func parseHosts(_ root: JSONNode) -> [Host] {
        var hosts: [Host] = []
        for (name, node) in root.entries ?? [] {
            let at = node.keyLocation ?? node.location
            guard checkName(name, kind: "host", at: at), let fields = node.entries else {
                if node.entries == nil { report(.wrongType(what: "host \(name)", expected: "an object", found: node.typeName), at: node.location) }
                continue
            }
            var host = Host(name: name, address: "", roles: [], labels: [], fields: [:], location: at)
            var addressGiven = false
            // Fields that are spellings of one thing: two of them would leave one silently unused.
            var spelled: [String: String] = [:]
            for (key, value) in fields {
                let meaning = Self.synonyms[key] ?? key
                if let first = spelled[meaning] {
                    report("host \(name) has both \"\(first)\" and \"\(key)\"", at: value.keyLocation ?? value.location,
                           hint: "they mean the same; keep one")
                    continue
                }
                if Self.synonyms[key] != nil { spelled[meaning] = key }
                switch key {
                case "ipv4", "address", "ip", "host":
                    addressGiven = true
                    host.address = expandedString(value, field: key).flatMap { checkEndpoint($0, field: key, at: value.location) } ?? ""
                case "roles", "groups":
                    host.roles = nameList(value, field: key, kind: "role")
                case "labels":
                    host.labels = labelPairs(value)
                case "user":
                    host.user = expandedString(value, field: key).flatMap { checkEndpoint($0, field: key, at: value.location) }
                case "port":
                    if let text = value.string, let port = Int(text), (1...65535).contains(port) {
                        host.port = port
                    } else {
                        report("port must be a number from 1 to 65535", at: value.location)
                    }
                case "key", "identity_file":
                    host.key = expandedString(value, field: key)
                case "become_password":
                    // sudo's password for this host's user (a secret by its name): one line, or sudo misreads it.
                    guard let text = expandedString(value, field: key) else { break }
                    if let problem = Host.becomePasswordProblem(text) {
                        report("host \(name)'s become_password \(problem)", at: value.location, hint: "sudo reads its password as one non-empty line")
                    } else {
                        host.fields[key] = .secret(Secret(text))
                    }
                case "jump", "proxy_jump":
                    host.jump = expandedString(value, field: key).flatMap { checkEndpoint($0, field: key, at: value.location) }
                default:
                    if let text = expandedString(value, field: key, quiet: true) { host.fields[key] = FieldValue(text, name: key) }
                }
            }
            if !addressGiven {
                report("host \(name) has no address", at: at,
                       hint: "add \"ipv4\": \"192.168.56.11\" (or \"address\") to it")
            }
            hosts.append(host)
        }
        // The master is where the swarm starts and NFS is served: exactly one can be.
        let masters = hosts.filter { $0.roles.contains("master") }
        for extra in masters.dropFirst() {
            report("host \(extra.name) is a second master (the first is \(masters[0].name))", at: extra.location,
                   hint: "one host has the role master; give the others manager or worker")
        }
        return hosts
    }

    /// Host fields written in more than one way, each with what it means.
    static let synonyms = ["ipv4": "address", "address": "address", "ip": "address", "host": "address",
                           "roles": "roles", "groups": "roles", "key": "key", "identity_file": "key",
                           "jump": "jump", "proxy_jump": "jump"]

    /// Labels as an object, as an array of one-key objects, or as an array of names (enabled).
    mutating func labelPairs(_ node: JSONNode) -> [(key: String, value: String)] {
        switch node.value {
        case .object(let entries):
            return entries.compactMap { key, value in
                // Label names and values end up in docker commands: keep them plain.
                guard checkName(key, kind: "label", at: value.keyLocation ?? value.location) else { return nil }
                guard let text = value.string else {
                    report("label \(key) must be a string such as \"enable\"", at: value.location)
                    return nil
                }
                return (key, text)
            }
        case .array(let items):
            var pairs: [(key: String, value: String)] = []
            for item in items {
                if case .string(let name) = item.value {
                    if checkName(name, kind: "label", at: item.location) { pairs.append((name, "enable")) }
                    continue
                }
                pairs += labelPairs(item)
            }
            return pairs
        default:
            report("labels must be an object such as {\"pgsql\": \"enable\"}, found \(node.typeName)", at: node.location)
            return []
        }
    }
}
