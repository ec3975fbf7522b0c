/// images.json and services.json: what runs on the cluster. Same rules as the other inventories:
/// every mistake found is reported with its file:line:column, nothing runs when one is found.
extension InventoryLoader {
    // MARK: images.json

    mutating func parseImages(_ root: JSONNode) -> [Image] {
        var images: [Image] = []
        for (name, node) in root.entries ?? [] {
            let at = node.keyLocation ?? node.location
            guard checkReference(name, what: "image name", at: at) else { continue }
            guard let fields = node.entries else {
                report("image \(name) must be an object, found \(node.typeName)", at: node.location)
                continue
            }
            var image = Image(name: name, image: name, tag: "latest", registry: "", path: "", opts: [], location: at)
            for (key, value) in fields {
                switch key {
                case "image": if let text = expandedString(value, field: key), checkReference(text, what: "image", at: value.location) { image.image = text }
                case "tag": if let text = expandedString(value, field: key), checkTag(text, at: value.location) { image.tag = text }
                case "registry": if let text = expandedString(value, field: key), checkRegistry(text, at: value.location) { image.registry = text }
                case "path": image.path = expandedString(value, field: key) ?? ""
                case "opts": image.opts = optionList(value, field: key)
                default: unknownField(key, of: "image \(name)", known: ["image", "tag", "registry", "path", "opts"], at: value.keyLocation ?? value.location)
                }
            }
            if fields.first(where: { $0.key == "registry" }) == nil {
                report("image \(name) has no registry", at: at,
                       hint: "add \"registry\": \"localhost:5000\" (the registry every node runs; see services.json registry-skp)")
            }
            if fields.first(where: { $0.key == "path" }) == nil {
                report("image \(name) has no path", at: at, hint: "add \"path\": the folder with its Dockerfile, e.g. \"images/\(name.split(separator: "/").last ?? "")\"")
            }
            images.append(image)
        }
        return images
    }

    // MARK: services.json

    mutating func parseServices(_ root: JSONNode, images: [Image]) -> [Service] {
        var services: [Service] = []
        for (name, node) in root.entries ?? [] {
            let at = node.keyLocation ?? node.location
            guard checkName(name, kind: "service", at: at) else { continue }
            guard let fields = node.entries else {
                report("service \(name) must be an object, found \(node.typeName)", at: node.location)
                continue
            }
            var service = Service(name: name, label: "", image: "", networks: [], ports: [], environment: [], mounts: [],
                                  command: [], restart: "always", location: at)
            for (key, value) in fields {
                switch key {
                case "label":
                    if let text = expandedString(value, field: key), checkName(text, kind: "label", at: value.location) { service.label = text }
                case "image":
                    guard let text = expandedString(value, field: key) else { continue }
                    if let image = images.first(where: { $0.name == text }) { service.image = image.reference }
                    else if let near = Suggest.closest(to: text, in: images.map(\.name)) {
                        // A typo of an images.json name would be pulled as is, from Docker Hub if need be.
                        report("service \(name): no image \(Printable.excerpt(text)) in images.json", at: value.location, hint: "did you mean \(near)?")
                    } else if checkReference(text, what: "image", at: value.location) { service.image = text }
                case "networks":
                    service.networks = stringList(value, field: key).filter { checkName($0, kind: "network", at: value.location) }
                case "ports":
                    service.ports = stringList(value, field: key).filter { checkPort($0, at: value.location) }
                case "environments", "environment", "env":
                    if !service.environment.isEmpty {
                        report("service \(name) has two lists of variables", at: value.keyLocation ?? value.location, hint: "merge them into \"environments\"")
                    }
                    service.environment = variables(value, field: key)
                case "volumes":
                    service.mounts = stringList(value, field: key).compactMap { mount($0, at: value.location) }
                case "cmd", "command":
                    if case .array = value.value { service.command = stringList(value, field: key) }
                    else { service.command = expandedString(value, field: key)?.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) ?? [] }
                case "restart":
                    let text = expandedString(value, field: key) ?? ""
                    let policy = text.split(separator: ":").first.map(String.init) ?? ""
                    if ["no", "always", "unless-stopped", "on-failure"].contains(policy), text.allSatisfy({ $0.isNumber || $0.isLetter || $0 == "-" || $0 == ":" }) {
                        service.restart = text
                    } else {
                        report("restart must be no, always, unless-stopped or on-failure[:N]", at: value.location)
                    }
                case "mode", "replicas", "constraints", "update", "rollback", "health", "restart_condition", "endpoint_mode":
                    break  // read below, once the mode is known
                default:
                    unknownField(key, of: "service \(name)", known: ["label", "image", "networks", "ports", "environments", "volumes", "cmd", "restart"]
                                 + Self.swarmFields, at: value.keyLocation ?? value.location)
                }
            }
            service.swarm = swarmSettings(node, service: name)
            for required in ["label", "image"] where fields.first(where: { $0.key == required }) == nil {
                report("service \(name) has no \(required)", at: at,
                       hint: required == "label" ? "add \"label\": the host label that places it, e.g. \"registry\"" : "add \"image\": an images.json name or an image reference")
            }
            services.append(service)
        }
        return services
    }

    /// `opts` are inserted into commands as written (`${raw v.opts}`): they may hold Docker options
    /// and their values, never shell syntax. Each entry is checked where it is written.
    mutating func optionList(_ node: JSONNode, field: String) -> [String] {
        stringList(node, field: field).filter { text in
            let bad = text.unicodeScalars.first { scalar in
                !(scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || " -_.,=:/@+%~".unicodeScalars.contains(scalar)))
            }
            if let bad {
                report("\(field) entry \"\(Printable.excerpt(text))\" holds \(String(bad).debugDescription.visible()), which a shell would read as syntax",
                       at: node.location, hint: "opts are Docker options and their values (letters, digits, spaces and - _ . , = : / @ + % ~); "
                           + "put anything else in a file, or in a field skp escapes")
                return false
            }
            return true
        }
    }

    static let swarmFields = ["mode", "replicas", "constraints", "update", "rollback", "health", "restart_condition", "endpoint_mode"]

    /// A Swarm service when `mode` says so; its fields are refused on a plain container.
    private mutating func swarmSettings(_ node: JSONNode, service: String) -> SwarmSettings? {
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

    private mutating func policy(_ node: JSONNode, field: String, actions: [String]) -> SwarmSettings.Policy {
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
    private mutating func number(_ node: JSONNode, field: String, range: ClosedRange<Int>) -> Int {
        if case .number(let n) = node.value, n == n.rounded(), n >= Double(range.lowerBound), n <= Double(range.upperBound) { return Int(n) }
        report("\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound)", at: node.location)
        return range.lowerBound
    }

    /// Seconds as a number (`5`, `0.5`) or Docker's text (`"5s"`, `"1m"`, `"300ms"`), up to a day.
    private mutating func seconds(_ node: JSONNode, field: String) -> Double {
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

    private mutating func choice(_ node: JSONNode, field: String, _ allowed: [String]) -> String? {
        if let text = node.string, allowed.contains(text) { return text }
        let hint = node.string.flatMap { Suggest.closest(to: $0, in: allowed) }.map { "did you mean \($0)?" }
        report("\(field) must be one of \(allowed.joined(separator: ", "))", at: node.location, hint: hint)
        return nil
    }

    /// What a service refers to must exist: a label some host enables, networks of networks.json,
    /// volumes of volumes.json present on every host the service lands on.
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
    private mutating func variables(_ node: JSONNode, field: String) -> [Service.Variable] {
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
            report("\(field) must be a list of NAME=value strings or an object, found \(node.typeName)", at: node.location)
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
            return Service.Variable(name: name, value: text, secret: SecretName.matches(name) || fromSecret)
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
    private mutating func mount(_ text: String, at location: SourceLocation) -> Service.Mount? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let allowed = { (s: String) in !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-@+".contains($0)) } }
        guard (2...3).contains(parts.count), allowed(parts[0]), allowed(parts[1]), parts[1].hasPrefix("/"), !parts[0].hasPrefix("-"),
              parts.count == 2 || ["ro", "rw"].contains(parts[2]) else {
            report("volume mount \"\(Printable.excerpt(text))\" is not VOLUME:/path[:ro] or /host/path:/path[:ro]", at: location)
            return nil
        }
        return Service.Mount(source: parts[0], target: parts[1], readOnly: parts.count == 3 && parts[2] == "ro")
    }

    private mutating func checkPort(_ text: String, at location: SourceLocation) -> Bool {
        let ok = !text.isEmpty && !text.hasPrefix("-") && text.count <= 64
            && text.allSatisfy { $0.isASCII && ($0.isNumber || ".:/[]-".contains($0) || "tcpudsP".contains($0)) }
        if !ok { report("port \"\(Printable.excerpt(text))\" is not [ip:]host:container[/tcp|udp]", at: location) }
        return ok
    }

    /// Image references and repository names as Docker takes them; never starting with '-'.
    private mutating func checkReference(_ text: String, what: String, at location: SourceLocation) -> Bool {
        let ok = !text.isEmpty && text.count <= 255 && (text.first!.isLetter || text.first!.isNumber)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._/:@-".contains($0)) }
        if !ok { report("\(what) \"\(Printable.excerpt(text))\" is not allowed", at: location, hint: "letters, digits and . _ / : @ -, as Docker names images") }
        return ok
    }

    private mutating func checkTag(_ text: String, at location: SourceLocation) -> Bool {
        let ok = !text.isEmpty && text.count <= 128 && (text.first!.isLetter || text.first!.isNumber || text.first == "_")
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        if !ok { report("tag \"\(Printable.excerpt(text))\" is not allowed", at: location, hint: "letters, digits, . _ -, at most 128") }
        return ok
    }

    private mutating func checkRegistry(_ text: String, at location: SourceLocation) -> Bool {
        let ok = !text.isEmpty && (text.first!.isLetter || text.first!.isNumber)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }
        if !ok { report("registry \"\(Printable.excerpt(text))\" is not host[:port]", at: location) }
        return ok
    }

    private mutating func unknownField(_ key: String, of owner: String, known: [String], at location: SourceLocation) {
        let hint = Suggest.closest(to: key, in: known).map { "did you mean \"\($0)\"?" } ?? "fields: " + known.joined(separator: ", ")
        report("\(owner) has no field \"\(Printable.excerpt(key))\"", at: location, hint: hint)
    }
}
