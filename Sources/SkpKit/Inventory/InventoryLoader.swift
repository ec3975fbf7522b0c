import Foundation

/// Reads hosts.json, volumes.json and networks.json, accepting the variants users paste from the
/// guide, and checks them. All mistakes found are reported together, each with file:line:column.
public struct InventoryLoader {
    public var environment: SkpEnvironment
    private var problems: [Diagnostic] = []
    private var sources: [String: SourceText] = [:]

    public init(environment: SkpEnvironment) { self.environment = environment }

    /// Loads the three files. A volumes.json or networks.json that does not exist where skp looks
    /// by default is an empty inventory; one the user named (flag or `$SKP_…`) must be there. A
    /// missing hosts.json is an error only when `requireHosts` (planning needs hosts, `--list` not).
    /// Anything else that is not a readable regular file (a folder, a FIFO, a symlink loop, a file
    /// too big) is an error, never "empty".
    public mutating func load(_ paths: InventoryPaths, requireHosts: Bool = true) throws -> Inventory {
        problems = []
        let hostsRoot = try document(at: paths.hosts, required: requireHosts || paths.hostsNamed)
        let volumesRoot = try document(at: paths.volumes, required: paths.volumesNamed)
        let networksRoot = try document(at: paths.networks, required: paths.networksNamed)
        let imagesRoot = paths.images.isEmpty ? nil : try document(at: paths.images, required: paths.imagesNamed)
        let servicesRoot = paths.services.isEmpty ? nil : try document(at: paths.services, required: paths.servicesNamed)

        let hosts = hostsRoot.map { parseHosts($0) } ?? []
        let volumes = volumesRoot.map { parseVolumes($0) } ?? []
        let networks = networksRoot.map { parseNetworks($0) } ?? []
        let images = imagesRoot.map { parseImages($0) } ?? []
        let services = servicesRoot.map { parseServices($0, images: images) } ?? []
        checkServices(services, hosts: hosts, volumes: volumes, networks: networks, paths: paths)
        // Two hosts may share an address on different SSH ports (containers, NAT), not both.
        checkUnique(hosts.map { host in (host.port.map { "\(host.address) port \($0)" } ?? host.address, host.location) },
                    what: "address", path: paths.hosts)
        for volume in volumes where !volume.labels.isEmpty {
            // A label a host lists but disables still counts: the volume is parked, not mistyped.
            let known = Set(hosts.flatMap { $0.labels.map(\.key) })
            if !volume.labels.contains(where: known.contains), !hosts.isEmpty {
                report("volume \(volume.name) has labels \(volume.labels.joined(separator: ", ")) that no host has",
                       at: volume.location, hint: "enable one of them on a host in \(paths.hosts), e.g. \"labels\": {\"\(volume.labels[0])\": \"enable\"}")
            }
        }
        if !problems.isEmpty { throw DiagnosticList(problems) }
        return Inventory(hosts: hosts, volumes: volumes, networks: networks, images: images, services: services, paths: paths)
    }

    // MARK: files

    mutating func document(at path: String, required: Bool) throws -> JSONNode? {
        let data: [UInt8]
        switch Self.readFile(path) {
        case .success(let bytes): data = bytes
        case .failure(.missing) where !required: return nil
        case .failure(.missing):
            throw Diagnostic("cannot read \(path): \(ReadProblem.missing)",
                             hint: "create it (see README, \"Inventories\"), or point SKP_HOSTS or --hosts at yours")
        case .failure(let problem):
            throw Diagnostic("cannot read \(path): \(problem)", hint: "an inventory is a regular JSON file")
        }
        let text = String(decoding: data, as: UTF8.self)
        sources[path] = SourceText(path: path, text: text)
        if let bad = Self.firstInvalidUTF8(data) {
            // Decoding would silently turn the bytes into U+FFFD: a name or path nobody wrote.
            let before = String(decoding: data[..<bad], as: UTF8.self)
            let line = before.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
            let column = before.split(separator: "\n", omittingEmptySubsequences: false).last?.count ?? 0
            throw Diagnostic("invalid UTF-8 at byte \(bad + 1)", at: SourceLocation(file: path, line: line, column: column),
                             source: sources[path], hint: "JSON files are UTF-8; re-save it as UTF-8")
        }
        let root = try JSONDocument.load(path: path, text: text)
        guard root.entries != nil else {
            throw Diagnostic("\(path) must be a JSON object keyed by name, found \(root.typeName)",
                             at: root.location, source: sources[path])
        }
        return root
    }

    /// The offset of the first byte that is not valid UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// Why a file could not be read, as the error message says it.
    enum ReadProblem: Error, Equatable, CustomStringConvertible {
        case missing
        case notAFile(String)
        case tooBig(limit: Int)
        case failed(String)

        var description: String {
            switch self {
            case .missing: "no such file"
            case .notAFile(let kind): "it is \(kind), not a regular file"
            case .tooBig(let limit): "it is larger than \(limit / 1_048_576) MiB"
            case .failed(let reason): reason
            }
        }
    }

    /// The bytes of a regular file, at most `limit` of them (nil for a missing, special or larger
    /// file). See `readFile`.
    static func read(_ path: String, limit: Int = 64 * 1_048_576) -> [UInt8]? {
        try? readFile(path, limit: limit).get()
    }

    /// The bytes of a regular file, at most `limit` of them, or why not. Opened non-blocking
    /// and checked with fstat before reading: `/dev/zero` or a FIFO must not hang or fill skp.
    /// Not FileManager.contents: on an empty file it leaks its 4 KiB buffer (found by
    /// Fuzz/InventoryFuzz with LeakSanitizer).
    static func readFile(_ path: String, limit: Int = 64 * 1_048_576) -> Result<[UInt8], ReadProblem> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            return .failure(errno == ENOENT ? .missing : .failed(String(cString: strerror(errno))))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.failed(String(cString: strerror(errno)))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.notAFile("a folder"))
        case S_IFIFO: return .failure(.notAFile("a FIFO"))
        case S_IFCHR, S_IFBLK: return .failure(.notAFile("a device"))
        case S_IFSOCK: return .failure(.notAFile("a socket"))
        default: return .failure(.notAFile("a special file"))
        }
        guard Int(info.st_size) <= limit else { return .failure(.tooBig(limit: limit)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.failed(String(cString: strerror(errno))))
            }
            if n == 0 { return .success(bytes) }
            bytes += chunk[0..<n]
        }
        return .failure(.tooBig(limit: limit))
    }

    mutating func report(_ message: String, at location: SourceLocation, hint: String? = nil) {
        problems.append(Diagnostic(message, at: location, source: sources[location.file], hint: hint))
    }

    // MARK: hosts.json

    private mutating func parseHosts(_ root: JSONNode) -> [Host] {
        var hosts: [Host] = []
        for (name, node) in root.entries ?? [] {
            let at = node.keyLocation ?? node.location
            guard checkName(name, kind: "host", at: at), let fields = node.entries else {
                if node.entries == nil { report("host \(name) must be an object, found \(node.typeName)", at: node.location) }
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
                case "jump", "proxy_jump":
                    host.jump = expandedString(value, field: key).flatMap { checkEndpoint($0, field: key, at: value.location) }
                default:
                    if let text = expandedString(value, field: key, quiet: true) { host.fields[key] = text }
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
    private mutating func labelPairs(_ node: JSONNode) -> [(key: String, value: String)] {
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

    // MARK: volumes.json

    private mutating func parseVolumes(_ root: JSONNode) -> [Volume] {
        var volumes: [Volume] = []
        for (name, node) in root.entries ?? [] {
            let at = node.keyLocation ?? node.location
            guard checkName(name, kind: "volume", at: at) else { continue }
            guard let fields = node.entries else {
                report("volume \(name) must be an object, found \(node.typeName)", at: node.location)
                continue
            }
            guard let typeNode = node["type"] else {
                report("volume \(name) has no type", at: at,
                       hint: "add \"type\": one of \(Volume.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard let kind = typeNode.string.flatMap(Volume.Kind.init(rawValue:)) else {
                let written = typeNode.string ?? typeNode.typeName
                let names = Volume.Kind.allCases.map(\.rawValue)
                let hint = Suggest.closest(to: written, in: names).map { "did you mean \"\($0)\"?" }
                    ?? "a volume type is one of \(names.joined(separator: ", "))"
                report("unknown volume type \"\(written)\" for \(name)", at: typeNode.location, hint: hint)
                continue
            }
            var volume = Volume(name: name, kind: kind, opts: [], labels: [], fields: [:], location: at)
            for (key, value) in fields {
                switch key {
                case "type": break
                case "path": volume.path = expandedString(value, field: key)
                case "opts": volume.opts = optionList(value, field: key)
                case "labels":
                    volume.labels = value.entries.map { $0.filter { Host.isEnabled($0.node.string ?? "") }.map(\.key) }
                        ?? stringList(value, field: key)
                default:
                    if let text = expandedString(value, field: key, quiet: true) { volume.fields[key] = text }
                }
            }
            var present = Set(volume.fields.keys)
            if volume.path != nil { present.insert("path") }
            // The guide's plugin form of sshfs names its remote in opts (-o sshcmd=…), not in path.
            let pluginForm = kind == .sshfs && volume.opts.contains { $0.contains("sshcmd=") }
            for field in kind.requiredFields where !present.contains(field) {
                if field == "path" && pluginForm { continue }
                report("\(kind.rawValue) volume \(name) needs \"\(field)\"", at: at)
            }
            if kind == .sshfs, volume.path == nil, !pluginForm {
                report("sshfs volume \(name) needs \"path\" (where to mount) or an -o sshcmd=… option", at: at)
            }
            volumes.append(volume)
        }
        return volumes
    }

    // MARK: networks.json

    private mutating func parseNetworks(_ root: JSONNode) -> [Network] {
        var networks: [Network] = []
        for (name, node) in root.entries ?? [] {
            let at = node.keyLocation ?? node.location
            guard checkName(name, kind: "network", at: at) else { continue }
            guard let fields = node.entries else {
                report("network \(name) must be an object, found \(node.typeName)", at: node.location)
                continue
            }
            var network = Network(name: name, opts: [], fields: [:], location: at)
            for (key, value) in fields {
                if key == "opts" { network.opts = optionList(value, field: key) }
                else if let text = expandedString(value, field: key, quiet: true) { network.fields[key] = text }
            }
            networks.append(network)
        }
        return networks
    }

    // MARK: values

    /// Names end up in commands and file paths: allow what Docker and DNS allow, nothing else.
    mutating func checkName(_ name: String, kind: String, at location: SourceLocation) -> Bool {
        let ok = !name.isEmpty && name.count <= 128 && name.first!.isASCII
            && (name.first!.isLetter || name.first!.isNumber)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        if !ok {
            report("\(kind) name \"\(name)\" is not allowed", at: location,
                   hint: "use letters, digits, '-', '_' and '.', starting with a letter or digit")
        }
        return ok
    }

    private static let endpointCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:@%[],")

    /// Addresses, users and jump hosts reach ssh-style `user@host:port` arguments (sshfs, jump
    /// hosts): no spaces, quotes, shell characters or leading '-' that a program would take for an option.
    private mutating func checkEndpoint(_ value: String, field: String, at location: SourceLocation) -> String? {
        let allowed = Self.endpointCharacters
        let words = value.split(separator: ",", omittingEmptySubsequences: false)
        let ok = !value.isEmpty && value.allSatisfy { allowed.contains($0) }
            && words.allSatisfy { word in !word.isEmpty && !word.hasPrefix("-") && !word.contains("@-") }
        if !ok {
            let what = field == "user" ? "a login name" : field.contains("jump") ? "[user@]host[:port], comma-separated" : "a host name or IP address"
            report("\(field) \"\(value.debugDescription.dropFirst().dropLast())\" is not allowed", at: location,
                   hint: "\(what): letters, digits and . - _ : @ %, not starting with '-'")
        }
        return ok ? value : nil
    }

    mutating func expandedString(_ node: JSONNode, field: String, quiet: Bool = false) -> String? {
        guard let text = node.string else {
            if !quiet { report("\(field) must be a string, found \(node.typeName)", at: node.location) }
            return nil
        }
        switch environment.expand(text) {
        case .success(let value): return value
        case .failure(let error):
            var at = node.location
            at.column += 1 + error.offset // past the opening quote
            report("$\(error.variable) is not set on this machine", at: at,
                   hint: "export \(error.variable)=… before running skp, or write $$ for a literal $")
            return nil
        }
    }

    /// A list of names (roles), each checked where it is written.
    private mutating func nameList(_ node: JSONNode, field: String, kind: String) -> [String] {
        let items: [JSONNode] = if case .array(let items) = node.value { items } else { [node] }
        return items.compactMap { item in
            expandedString(item, field: field).flatMap { checkName($0, kind: kind, at: item.location) ? $0 : nil }
        }
    }

    /// A list of strings, or a single string standing for a list of one.
    mutating func stringList(_ node: JSONNode, field: String) -> [String] {
        switch node.value {
        case .array(let items): return items.compactMap { expandedString($0, field: field) }
        case .string: return expandedString(node, field: field).map { [$0] } ?? []
        default:
            report("\(field) must be a list of strings, found \(node.typeName)", at: node.location)
            return []
        }
    }

    private mutating func checkUnique(_ values: [(String, SourceLocation)], what: String, path: String) {
        var seen: [String: SourceLocation] = [:]
        for (value, location) in values where !value.isEmpty {
            if let first = seen[value] {
                report("duplicate \(what) \(value) (first used at \(first))", at: location)
            } else {
                seen[value] = location
            }
        }
    }
}
