import Foundation

/// The functions a task file calls (`join`, `default`, `cidr24`, `read`, `files` …) and the
/// members of services and build contexts.
extension Evaluator {
    func call(_ name: String, _ args: [Value], at location: SourceLocation) throws -> Value {
        let secretArgument = args.contains(where: \.holdsSecret)
        let result: Value
        do {
            result = try compute(name, args, at: location)
        } catch let diagnostic as Diagnostic where secretArgument {
            throw error("\(name)() refused a secret argument (not shown)", at: location, hint: diagnostic.hint)
        }
        guard secretArgument, case .string(let text) = result, !["default", "first"].contains(name) else { return result }
        return .secret(Secret(text))
    }

    func compute(_ name: String, _ args: [Value], at location: SourceLocation) throws -> Value {
        switch (name, args.count) {
        case ("join", 2):
            let separator = try text(args[1], at: location)
            let items = try list(args[0], at: location).map { try text($0, at: location) }
            return .string(items.joined(separator: separator))
        case ("len", 1):
            return .string(String(try list(args[0], at: location).count))
        case ("first", 1):
            return try list(args[0], at: location).first ?? .null
        case ("is_host", 1):
            // Whether a value names an inventory host (by name, address or user@address).
            return .bool((try? hostSet(args[0], at: location)).map { !$0.isEmpty } ?? false)
        case ("cidr24", 1):
            // The /24 network around an IPv4 address: 192.168.56.11 → 192.168.56.0/24.
            let parts = try text(args[0], at: location).split(separator: ".")
            guard parts.count == 4 else { throw error("cidr24 needs an IPv4 address", at: location) }
            return .string(parts.prefix(3).joined(separator: ".") + ".0/24")
        case ("read", 1):
            // A file of the control machine, read while planning (a public key…).
            let path = try text(args[0], at: location)
            guard let data = InventoryLoader.read(path, limit: 1_048_576) else {
                throw error("cannot read \(path) on this machine (read() takes a regular file of at most 1 MiB)", at: location)
            }
            let content = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            // A private key read by mistake (or on purpose) is never shown or put on a command line.
            return Printable.looksLikePrivateKey(content) ? .secret(Secret(content)) : .string(content)
        case ("index", 2):
            // The 1-based position of an item in a list (a host among a service's hosts: its id).
            let item = try text(args[1], at: location)
            let items = try list(args[0], at: location).map { try text($0, at: location) }
            return items.firstIndex(of: item).map { .string(String($0 + 1)) } ?? .null
        case ("addresses", 1):
            return .list(try hostSet(args[0], at: location).indexes.map { .string(scope.inventory.hosts[$0].address) })
        case ("hash", _) where !args.isEmpty:
            // A short content hash of values (a spec, a build context) to tell whether it changed.
            var bytes: [UInt8] = []
            for arg in args { bytes += try flatText(arg, at: location).utf8; bytes.append(0) }
            return .string(ContentHash.of(bytes))
        case ("files", 1):
            return try files(text(args[0], at: location), at: location)
        case ("default", 2):
            // An unset field and an empty parameter both take the fallback.
            if case .null = args[0] { return args[1] }
            if case .string("") = args[0] { return args[1] }
            return args[0]
        default:
            if let value = try literalFunction(name, args, at: location) { return value }
            throw error(.unknown(.function, name: "\(name)/\(args.count)"), at: location,
                        hint: "functions: join(list, sep), len(list), first(list), default(value, fallback), cidr24(address), read(path), is_host(value), "
                            + "ruby_string(value), integer(value, min, max), index(list, item), addresses(hosts), hash(value, …), files(folder), "
                            + "basename(path)")
        }
    }

    // MARK: services and build contexts

    func serviceMember(_ name: String, of service: Service, path: String, at location: SourceLocation) throws -> Value {
        let inventory = scope.inventory
        switch name {
        case "name": return .string(service.name)
        case "label": return .string(service.label)
        case "image": return .string(service.image)
        case "networks": return .list(service.networks.map(Value.string))
        case "ports": return .list(service.ports.map(Value.string))
        // After the image docker reads no options of its own: a leading - is the command's.
        case "command": return .list(service.command.map(Value.option))
        case "restart": return .string(service.restart)
        case "hosts": return .hosts(HostSet(indexes: inventory.hosts.indices.filter { service.targets(inventory.hosts[$0]) }))
        case "volumes":
            return .list(service.mounts.compactMap { mount in inventory.volumes.firstIndex { $0.name == mount.source }.map(Value.volume) })
        // `docker run` options built from the checked fields; secret variables are not among them.
        case "options": return .list(service.runOptions.map(Value.option))
        // The secret variables as an env file's content (uploaded 0600, passed with --env-file).
        case "env_file": return service.secretEnvironment.isEmpty ? .string("") : .secret(service.secretEnvironment)
        // `--env-file=…` for that file (relative to the login folder, where uploads go), or nothing.
        case "env_option":
            return service.secretEnvironment.isEmpty ? .list([]) : .list([.option("--env-file=.skp/services/\(service.name)/env")])
        // What the container is made from: replaced when this changes. Secret when a secret is in it.
        case "spec" where service.swarm != nil:
            let hash = ContentHash.of(Array(SwarmServiceSpec(service)!.json().utf8))
            return service.secretEnvironment.isEmpty ? .string(hash) : .secret(Secret(hash))
        // Swarm services: the Engine API spec, labelled with its hash (a secret when a variable is).
        case "swarm_spec":
            guard let spec = SwarmServiceSpec(service) else { return .null }
            let json = spec.json(specHash: ContentHash.of(Array(spec.json().utf8)))
            return service.secretEnvironment.isEmpty ? .string(json) : .secret(Secret(json))
        case "swarm": return .bool(service.swarm != nil)
        case "mode":
            switch service.swarm?.mode {
            case .replicated?: return .string("replicated")
            case .global?: return .string("global")
            case nil: return .string("container")
            }
        case "replicas":
            if case .replicated(let n)? = service.swarm?.mode { return .string(String(n)) }
            return .null
        case "update":
            // The rolling-update policy, as the plan shows it.
            guard let policy = service.swarm?.update else { return .null }
            return .string("parallelism \(policy.parallelism), delay \(policy.delay) s, monitor \(policy.monitor) s, on failure \(policy.failureAction), \(policy.order)")
        case "spec":
            var bytes = Array(([service.image] + service.runOptions + ["--"] + service.command).joined(separator: "\u{0}").utf8)
            bytes += service.secretEnvironment.revealed.utf8
            let hash = ContentHash.of(bytes)
            return service.secretEnvironment.isEmpty ? .string(hash) : .secret(Secret(hash))
        default:
            throw error("\(path) is a service and has no field \(name)", at: location,
                        hint: "service fields: name label image networks ports command restart hosts volumes options env_file env_option spec swarm mode replicas update swarm_spec")
        }
    }

    /// A value's text with lists flattened (for hash()).
    func flatText(_ value: Value, at location: SourceLocation) throws -> String {
        if case .list(let items) = value { return try items.map { try flatText($0, at: location) }.joined(separator: "\u{1}") }
        if case .pair(let key, let content) = value { return key + "\u{2}" + content }
        return try text(value, at: location)
    }

    /// The files of a folder of the control machine, recursively and sorted, as (path, content)
    /// pairs: a build context sent to a host by `upload` steps. Text files only, bounded in size.
    func files(_ folder: String, at location: SourceLocation) throws -> Value {
        let base = folder.hasPrefix("/") ? folder : (scope.environment["SKP_HOME"] ?? ".") + "/" + folder
        var pairs: [(String, String)] = []
        var total = 0
        // Depth-first, without following links: a link could point anywhere on this machine.
        func walk(_ relative: String, depth: Int) throws {
            let path = relative.isEmpty ? base : base + "/" + relative
            guard depth < 16, let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                throw error("cannot read the folder \(relative.isEmpty ? folder : folder + "/" + relative)", at: location)
            }
            for name in names.sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(base + "/" + child, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: try walk(child, depth: depth + 1)
                case S_IFREG:
                    guard let bytes = InventoryLoader.read(base + "/" + child, limit: 1_048_576),
                          InventoryLoader.firstInvalidUTF8(bytes) == nil else {
                        throw error("\(folder)/\(child) is not a text file of at most 1 MiB; build contexts are sent as text", at: location)
                    }
                    total += bytes.count
                    guard total <= 8 * 1_048_576, pairs.count < 1000 else { throw error("\(folder) is over 8 MiB or 1,000 files", at: location) }
                    pairs.append((child, String(decoding: bytes, as: UTF8.self)))
                default:
                    throw error("\(folder)/\(child) is not a plain file or folder (a link?); build contexts are sent as plain files", at: location)
                }
            }
        }
        try walk("", depth: 0)
        if pairs.isEmpty { throw error("\(folder) has no files", at: location, hint: "a build context needs at least a Dockerfile") }
        return .list(pairs.map { Value.pair(key: $0.0, value: $0.1) })
    }
}
