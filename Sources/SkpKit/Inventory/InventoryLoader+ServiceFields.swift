import Foundation

/// Cross-checks of services against the other inventories, and the fields of a service.
extension InventoryLoader {
    mutating func checkServices(_ services: [Service], hosts: [Host], volumes: [Volume], networks: [Network], paths: InventoryPaths) {
        for service in services where !service.label.isEmpty {
            let targets = hosts.filter(service.targets)
            if targets.isEmpty, !hosts.isEmpty {
                let enabled = Set(hosts.flatMap(\.enabledLabels)).sorted()
                let hint = Suggest.closest(to: service.label, in: enabled).map { "did you mean \($0)?" }
                    ?? "enable it on a host in \(paths.hosts): \"labels\": {\"\(service.label)\": \"enable\"}"
                report("service \(service.name): no host enables label \(service.label)", at: service.location, hint: hint)
            }
            for network in service.networks where !Service.builtinNetworks.contains(network) && !networks.contains(where: { $0.name == network }) {
                let hint = Suggest.closest(to: network, in: networks.map(\.name)).map { "did you mean \($0)?" }
                    ?? "add it to \(paths.networks), or use host, bridge or none"
                report("service \(service.name): no network \(network) in \(paths.networks)", at: service.location, hint: hint)
            }
            for mount in service.mounts where mount.isVolume {
                guard let volume = volumes.first(where: { $0.name == mount.source }) else {
                    let hint = Suggest.closest(to: mount.source, in: volumes.map(\.name)).map { "did you mean \($0)?" }
                        ?? "add it to \(paths.volumes), or mount a host folder with an absolute path"
                    report("service \(service.name): no volume \(mount.source) in \(paths.volumes)", at: service.location, hint: hint)
                    continue
                }
                let missing = targets.filter { !volume.targets($0) }.map(\.name)
                if !missing.isEmpty {
                    report("service \(service.name) runs on \(missing.joined(separator: ", ")), where volume \(volume.name) is not created",
                           at: service.location, hint: "give \(volume.name) a label those hosts enable (its labels: \(volume.labels.joined(separator: ", ")))")
                }
            }
        }
    }

    // MARK: fields

    /// `["K=V", …]` or `{"K": "V"}`; a name is checked, a value is any text (it is escaped where used).
    mutating func variables(_ node: JSONNode, field: String) -> [Service.Variable] {
        var pairs: [(String, JSONNode)] = []
        switch node.value {
        case .object(let entries): pairs = entries.map { ($0.key, $0.node) }
        case .array(let items):
            for item in items {
                guard let text = item.string, let equals = text.firstIndex(of: "=") else {
                    report("\(field) entries are NAME=value strings", at: item.location)
                    continue
                }
                pairs.append((String(text[..<equals]), JSONNode(value: .string(String(text[text.index(after: equals)...])), location: item.location)))
            }
        default:
            report(.wrongType(what: field, expected: "a list of NAME=value strings or an object", found: node.typeName), at: node.location)
        }
        var seen = Set<String>()
        return pairs.compactMap { name, value in
            guard seen.insert(name).inserted else {
                report("variable \(Printable.excerpt(name)) is given twice", at: value.location)
                return nil
            }
            if name.hasPrefix("SKP_SERVICE_") {
                report("\(name) is set by skp for every container (its place among the service's hosts)", at: value.location)
                return nil
            }
            guard let first = name.first, first.isASCII, first.isLetter || first == "_",
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                report("environment name \"\(Printable.excerpt(name))\" is not allowed", at: value.location, hint: "letters, digits and _, not starting with a digit")
                return nil
            }
            guard let raw = value.string, let text = expandedString(value, field: name) else { return nil }
            // One variable per line of an env file: a line break would add variables nobody wrote.
            if text.contains(where: \.isNewline) || text.contains("\u{0}") {
                report("variable \(name) holds a line break or NUL, which a container's environment cannot carry", at: value.location,
                       hint: "put multi-line values (keys, certificates) in a file on a volume and point the variable at it")
                return nil
            }
            // A value made from this machine's $DB_PASSWORD is as secret as the variable.
            let fromSecret = Self.variablesReferenced(in: raw).contains(where: SecretName.matches)
            return Service.Variable(name: name, value: SecretName.matches(name) || fromSecret ? .secret(Secret(text)) : .plain(text))
        }
    }

    /// The names of `$NAME` and `${NAME}` in an inventory string.
    static func variablesReferenced(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let dollar = rest.firstIndex(of: "$") {
            rest = rest[rest.index(after: dollar)...]
            let name = rest.drop { $0 == "{" }.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            if !name.isEmpty { names.append(String(name)) }
        }
        return names
    }

    /// `volume:/path[:ro]` or `/host/path:/path[:ro]`.
    mutating func mount(_ text: String, at location: SourceLocation) -> Service.Mount? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let allowed = { (s: String) in !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-@+".contains($0)) } }
        guard (2...3).contains(parts.count), allowed(parts[0]), allowed(parts[1]), parts[1].hasPrefix("/"), !parts[0].hasPrefix("-"),
              parts.count == 2 || ["ro", "rw"].contains(parts[2]) else {
            report("volume mount \"\(Printable.excerpt(text))\" is not VOLUME:/path[:ro] or /host/path:/path[:ro]", at: location)
            return nil
        }
        return Service.Mount(source: parts[0], target: parts[1], readOnly: parts.count == 3 && parts[2] == "ro")
    }

    mutating func checkPort(_ text: String, at location: SourceLocation) -> Bool {
        let ok = !text.isEmpty && !text.hasPrefix("-") && text.count <= 64
            && text.allSatisfy { $0.isASCII && ($0.isNumber || ".:/[]-".contains($0) || "tcpudsP".contains($0)) }
        if !ok { report("port \"\(Printable.excerpt(text))\" is not [ip:]host:container[/tcp|udp]", at: location) }
        return ok
    }

    /// Image references and repository names as Docker takes them; never starting with '-'.
    mutating func checkReference(_ text: String, what: String, at location: SourceLocation) -> Bool {
        let ok = !text.isEmpty && text.count <= 255 && (text.first!.isLetter || text.first!.isNumber)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._/:@-".contains($0)) }
        if !ok { report("\(what) \"\(Printable.excerpt(text))\" is not allowed", at: location, hint: "letters, digits and . _ / : @ -, as Docker names images") }
        return ok
    }

    mutating func checkTag(_ text: String, at location: SourceLocation) -> Bool {
        let ok = !text.isEmpty && text.count <= 128 && (text.first!.isLetter || text.first!.isNumber || text.first == "_")
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        if !ok { report("tag \"\(Printable.excerpt(text))\" is not allowed", at: location, hint: "letters, digits, . _ -, at most 128") }
        return ok
    }

    mutating func checkRegistry(_ text: String, at location: SourceLocation) -> Bool {
        let ok = !text.isEmpty && (text.first!.isLetter || text.first!.isNumber)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }
        if !ok { report("registry \"\(Printable.excerpt(text))\" is not host[:port]", at: location) }
        return ok
    }

    mutating func unknownField(_ key: String, of owner: String, known: [String], at location: SourceLocation) {
        let hint = Suggest.closest(to: key, in: known).map { "did you mean \"\($0)\"?" } ?? "fields: " + known.joined(separator: ", ")
        report("\(owner) has no field \"\(Printable.excerpt(key))\"", at: location, hint: hint)
    }
}
