import Foundation

/// Evaluates expressions and renders templates against a `Scope`. Errors point at the
/// expression in the task file.
public struct Evaluator {
    public var scope: Scope

    public init(scope: Scope) { self.scope = scope }

    func error(_ message: String, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(message, at: location, source: scope.source, hint: hint)
    }

    // MARK: expressions

    public func evaluate(_ expr: Expr) throws -> Value {
        switch expr {
        case .string(let template):
            let command = try render(template, quoting: false)
            if !command.capturedNames.isEmpty {
                throw error("a captured value cannot be tested at plan time", at: template.location)
            }
            let secret = !command.secrets.isEmpty
            let text = command.render(captures: [:])
            return secret ? .secret(text) : .string(text)
        case .number(let text, _):
            return .string(text)
        case .path(let parts, let location):
            return try evaluatePath(parts, at: location)
        case .call(let name, let args, let location):
            return try call(name, args.map(evaluate), at: location)
        case .equals(let a, let b):
            return .bool(try text(evaluate(a), at: a.location) == text(evaluate(b), at: b.location))
        case .notEquals(let a, let b):
            return .bool(try text(evaluate(a), at: a.location) != text(evaluate(b), at: b.location))
        case .and(let a, let b):
            return .bool(try truth(evaluate(a)) && truth(evaluate(b)))
        case .or(let a, let b):
            return .bool(try truth(evaluate(a)) || truth(evaluate(b)))
        case .not(let a):
            return .bool(try !truth(evaluate(a)))
        case .contains(let element, let collection):
            return .bool(try contains(evaluate(collection), text(evaluate(element), at: element.location)))
        }
    }

    func evaluatePath(_ parts: [String], at location: SourceLocation) throws -> Value {
        guard var value = scope.lookup(parts[0]) else {
            let name = parts[0]
            if name.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) {
                throw error("unknown value \(name)", at: location,
                            hint: "for the remote shell's variable write $\(name) (not ${\(name)}); for the control machine's, ${env.\(name)}")
            }
            let hint = Suggest.closest(to: name, in: scope.visibleNames).map { "did you mean \($0)?" }
            throw error("unknown value \(name)", at: location, hint: hint)
        }
        var path = parts[0]
        for member in parts.dropFirst() {
            value = try self.member(member, of: value, path: path, at: location)
            path += "." + member
        }
        return value
    }

    func member(_ name: String, of value: Value, path: String, at location: SourceLocation) throws -> Value {
        let inventory = scope.inventory
        switch value {
        case .host(let index):
            let host = inventory.hosts[index]
            switch name {
            case "name": return .string(host.name)
            case "address", "ipv4": return .string(host.address)
            case "roles": return .list(host.roles.map(Value.string))
            case "labels": return .list(host.labels.map { .pair(key: $0.key, value: $0.value) })
            case "enabled_labels": return .list(host.enabledLabels.map(Value.string))
            case "volumes": return .list(inventory.volumes.indices.filter { inventory.volumes[$0].targets(host) }.map(Value.volume))
            case "user": return .string(host.user ?? scope.environment["SKP_USER"] ?? "root")
            case "port": return .string(String(host.port ?? 22))
            case "key": return host.key.map(Value.secret) ?? .null
            default:
                if let hosts = scope.captures[name], hosts.contains(host.name) { return .captured(name + "@" + host.name) }
                return host.fields[name].map { SecretName.matches(name) ? .secret($0) : .string($0) } ?? .null
            }
        case .volume(let index):
            let volume = inventory.volumes[index]
            switch name {
            case "name": return .string(volume.name)
            case "type": return .string(volume.kind.rawValue)
            case "path": return volume.path.map(Value.string) ?? .null
            case "opts": return .list(volume.opts.map(Value.string))
            case "labels": return .list(volume.labels.map(Value.string))
            case "hosts": return .hosts(HostSet(indexes: inventory.hosts.indices.filter { volume.targets(inventory.hosts[$0]) }))
            default:
                guard let field = volume.fields[name] else { return .null }
                return Volume.isSecretField(name) ? .secret(field) : .string(field)
            }
        case .network(let index):
            let network = inventory.networks[index]
            switch name {
            case "name": return .string(network.name)
            case "opts": return .list(network.opts.map(Value.string))
            default: return network.fields[name].map { SecretName.matches(name) ? .secret($0) : .string($0) } ?? .null
            }
        case .image(let index):
            let image = inventory.images[index]
            switch name {
            case "name": return .string(image.name)
            case "image": return .string(image.image)
            case "tag": return .string(image.tag)
            case "registry": return .string(image.registry)
            case "reference": return .string(image.reference)
            case "path": return .string(image.path)
            case "opts": return .list(image.opts.map(Value.string))
            default: break
            }
        case .service(let index):
            return try serviceMember(name, of: inventory.services[index], path: path, at: location)
        case .pair(let key, let labelValue):
            switch name {
            case "key", "name", "path": return .string(key)
            case "value": return .string(labelValue)
            // A file of a build context: a private key in it is a secret (masked, sent by SFTP).
            case "content": return Printable.looksLikePrivateKey(labelValue) ? .secret(labelValue) : .string(labelValue)
            case "enabled": return .bool(Host.isEnabled(labelValue))
            default: break
            }
        case .hosts(let set):
            if set.count == 1 { return try member(name, of: .host(set.indexes[0]), path: path, at: location) }
            throw error("\(path) is \(set.count) hosts, so it has no single \(name)", at: location,
                        hint: "name one host with one(…), e.g. let leader = one(role:master)")
        case .environment:
            return scope.environment[name].map { SecretName.matches(name) ? .secret($0) : .string($0) } ?? .null
        case .list(let items) where name == "length":
            return .string(String(items.count))
        default: break
        }
        throw error("\(path) is \(value.typeName) and has no field \(name)", at: location)
    }

    /// A value computed from a secret is a secret: `join(list_with_a_secret, " ")`, `integer(pw, …)`,
    /// `read(secret_path)`, whatever the function. (default and first hand back one of their
    /// arguments, which keeps its own secrecy.) An error about a secret argument never shows it.
    func call(_ name: String, _ args: [Value], at location: SourceLocation) throws -> Value {
        let secretArgument = args.contains(where: \.holdsSecret)
        let result: Value
        do {
            result = try compute(name, args, at: location)
        } catch let diagnostic as Diagnostic where secretArgument {
            throw error("\(name)() refused a secret argument (not shown)", at: location, hint: diagnostic.hint)
        }
        guard secretArgument, case .string(let text) = result, !["default", "first"].contains(name) else { return result }
        return .secret(text)
    }

    private func compute(_ name: String, _ args: [Value], at location: SourceLocation) throws -> Value {
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
            return Printable.looksLikePrivateKey(content) ? .secret(content) : .string(content)
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
            return .string(InventoryFingerprint.hash(bytes))
        case ("files", 1):
            return try files(text(args[0], at: location), at: location)
        case ("default", 2):
            // An unset field and an empty parameter both take the fallback.
            if case .null = args[0] { return args[1] }
            if case .string("") = args[0] { return args[1] }
            return args[0]
        default:
            if let value = try literalFunction(name, args, at: location) { return value }
            throw error("unknown function \(name)/\(args.count)", at: location,
                        hint: "functions: join(list, sep), len(list), first(list), default(value, fallback), cidr24(address), read(path), is_host(value), "
                            + "ruby_string(value), integer(value, min, max), index(list, item), addresses(hosts), hash(value, …), files(folder)")
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
            let hash = InventoryFingerprint.hash(Array(SwarmServiceSpec(service)!.json().utf8))
            return service.secretEnvironment.isEmpty ? .string(hash) : .secret(hash)
        // Swarm services: the Engine API spec, labelled with its hash (a secret when a variable is).
        case "swarm_spec":
            guard let spec = SwarmServiceSpec(service) else { return .null }
            let json = spec.json(specHash: InventoryFingerprint.hash(Array(spec.json().utf8)))
            return service.secretEnvironment.isEmpty ? .string(json) : .secret(json)
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
            bytes += service.secretEnvironment.utf8
            let hash = InventoryFingerprint.hash(bytes)
            return service.secretEnvironment.isEmpty ? .string(hash) : .secret(hash)
        default:
            throw error("\(path) is a service and has no field \(name)", at: location,
                        hint: "service fields: name label image networks ports command restart hosts volumes options env_file env_option spec swarm mode replicas update swarm_spec")
        }
    }

    /// A value's text with lists flattened (for hash()).
    private func flatText(_ value: Value, at location: SourceLocation) throws -> String {
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

    // MARK: conversions

    /// Hosts named by a value: a host set, a host, a list, or a host's name or address
    /// (`root@192.168.56.11` names the host with that address).
    public func hostSet(_ value: Value, at location: SourceLocation) throws -> HostSet {
        let inventory = scope.inventory
        switch value {
        case .hosts(let set): return set
        case .host(let index): return HostSet(indexes: [index])
        case .null: return HostSet(indexes: [])
        case .list(let items):
            var indexes = Set<Int>()
            for item in items { indexes.formUnion(try hostSet(item, at: location).indexes) }
            return HostSet(indexes: indexes.sorted())
        default:
            let text = try self.text(value, at: location)
            let bare = String(text.split(separator: "@").last ?? Substring(text))
            let address = bare.split(separator: ":").first.map(String.init) ?? bare
            if let index = inventory.hosts.firstIndex(where: { $0.name == address || $0.address == address }) {
                return HostSet(indexes: [index])
            }
            let shown = value.holdsSecret ? "a secret value" : Printable.excerpt(text)
            throw error("\(shown) is not a host of \(inventory.paths.hosts)", at: location,
                        hint: "skp reaches only inventory hosts; add it to the inventory")
        }
    }

    func text(_ value: Value, at location: SourceLocation) throws -> String {
        switch value {
        case .null: return ""
        case .string(let s), .secret(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .host(let i): return scope.inventory.hosts[i].name
        case .volume(let i): return scope.inventory.volumes[i].name
        case .network(let i): return scope.inventory.networks[i].name
        case .image(let i): return scope.inventory.images[i].name
        case .service(let i): return scope.inventory.services[i].name
        case .option(let s): return s
        case .pair(let key, _): return key
        case .hosts(let set) where set.count == 1: return scope.inventory.hosts[set.indexes[0]].name
        case .captured(let name):
            throw error("\(name) is captured when the task runs; it cannot be tested while planning", at: location)
        default:
            throw error("expected a single value here, found \(value.typeName)", at: location)
        }
    }

    func list(_ value: Value, at location: SourceLocation) throws -> [Value] {
        switch value {
        case .list(let items): return items
        case .hosts(let set): return set.indexes.map(Value.host)
        case .null: return []
        default: throw error("expected a list, found \(value.typeName)", at: location)
        }
    }

    func truth(_ value: Value) throws -> Bool {
        switch value {
        case .null: false
        case .bool(let b): b
        case .string(let s), .secret(let s): !s.isEmpty && s != "false"
        case .list(let items): !items.isEmpty
        case .hosts(let set): !set.isEmpty
        default: true
        }
    }

    func contains(_ collection: Value, _ element: String) throws -> Bool {
        switch collection {
        case .list(let items):
            return items.contains { item in
                if case .pair(let key, let value) = item { return key == element && Host.isEnabled(value) }
                return (try? text(item, at: scope.source.location)) == element
            }
        case .hosts(let set):
            return set.indexes.contains { scope.inventory.hosts[$0].name == element }
        case .string(let s): return s.contains(element)
        case .null: return false
        default:
            throw error("'in' needs a list on its right, found \(collection.typeName)", at: scope.source.location)
        }
    }

    // MARK: templates

    /// Renders a template into command parts. With `quoting`, each value is escaped for where it
    /// stands in the shell text (ShellScanner); without, inserted as it is (file content, paths).
    public func render(_ template: Template, quoting: Bool) throws -> Command {
        var command = Command()
        var shell = ShellScanner()
        var lastValue: (Expr, SourceLocation)?
        for segment in template.segments {
            switch segment {
            case .text(let text):
                command.parts.append(.literal(text))
                shell.consume(text)
            case .value(let expr, let raw, let location):
                try append(evaluate(expr), to: &command, shell: &shell, shellQuoting: quoting && !raw, inCommand: quoting, expr: expr, at: location)
                lastValue = (expr, location)
            }
            try checkEnd(of: shell, lastValue)
        }
        shell.finish()
        try checkEnd(of: shell, lastValue)
        return command
    }

    private func checkEnd(of shell: ShellScanner, _ lastValue: (Expr, SourceLocation)?) throws {
        guard shell.valueEndsHereDocument, let (expr, location) = lastValue else { return }
        throw error("\(describe(expr)) makes a line equal to the here-document's end word (or joined to the next by a backslash), which would end it early",
                    at: location, hint: "pick an end word no value can form, such as <<'SKP_END'")
    }

    private func append(_ value: Value, to command: inout Command, shell: inout ShellScanner, shellQuoting: Bool,
                        inCommand: Bool, expr: Expr, at location: SourceLocation) throws {
        let quoting = shellQuoting ? shell.context : .none
        // Where the scanner cannot tell how the shell will read a value, nothing is guessed.
        if shellQuoting, let refusal = shell.refusal {
            throw error("\(describe(expr)) stands \(refusal.place): skp cannot escape it there", at: location, hint: refusal.hint)
        }
        switch value {
        case .null:
            throw error("\(describe(expr)) is not set", at: location,
                        hint: "set it in the inventory, or test it first: if \(describe(expr)) != \"\" { … }")
        case .secret(let s):
            if shellQuoting, s.hasPrefix("-"), shell.atWordStart, !quoting.isHereDocument {
                throw error("\(describe(expr)) is a secret that starts with -, which the command would read as an option",
                            at: location, hint: "write it after the option's = (--password=${\(describe(expr))}) or after --")
            }
            try checkHereDocument(s, quoting, expr: expr, at: location)
            if inCommand { try checkSecretDelivery(s, quoting, expr: expr, at: location) }
            command.parts.append(.secret(s, quoting: quoting))
            shell.valueWritten(quoting.apply(s))
            return
        case .captured(let name):
            if quoting.isHereDocument {
                throw error("\(describe(expr)) is captured on a host while the run goes, so it cannot be checked for a here-document",
                            at: location, hint: "pass it as a word instead, for example: printf '%s\\n' ${\(describe(expr))} > file")
            }
            command.parts.append(.captured(name, quoting: quoting))
            shell.valueWritten("\u{1}")
            return
        case .list(let items):
            for (i, item) in items.enumerated() {
                if i > 0 { command.parts.append(.literal(" ")); shell.consume(" ") }
                try append(item, to: &command, shell: &shell, shellQuoting: shellQuoting, inCommand: inCommand, expr: expr, at: location)
            }
            return
        case .hosts(let set) where set.count != 1:
            let names = set.indexes.map { scope.inventory.hosts[$0].name }
            try append(.list(names.map(Value.string)), to: &command, shell: &shell, shellQuoting: shellQuoting, inCommand: inCommand,
                       expr: expr, at: location)
            return
        case .option(let text):
            command.parts.append(.value(text, quoting: quoting))
            shell.valueWritten(quoting.apply(text))
        default:
            let text = try text(value, at: location)
            // Quoting keeps a value one word, but `rm ${path}` with path "-rf" is still an option
            // to rm: a value that would start a word with "-" is refused, never run.
            // Inside quotes too: `rm "${path}"` passes -rf to rm all the same.
            if shellQuoting, text.hasPrefix("-"), shell.atWordStart, !quoting.isHereDocument {
                throw error("\(describe(expr)) is \(ShellQuote.quote(text)), which the command would read as an option",
                            at: location, hint: "values that start with - are refused where they start a word; an option goes in the task's text, e.g. --name=${\(describe(expr))}")
            }
            try checkHereDocument(text, quoting, expr: expr, at: location)
            command.parts.append(.value(text, quoting: quoting))
            // `${raw …}` is shell text (option lists): the scanner reads it like the task's own text.
            if inCommand && !shellQuoting { shell.consume(text) } else { shell.valueWritten(quoting.apply(text)) }
        }
    }

    /// In a command a secret is a shell variable whose value arrives on one line of stdin
    /// (Command.forTransport): it cannot hold a line break, and a quoted here-document does not
    /// expand variables.
    private func checkSecretDelivery(_ text: String, _ quoting: Quoting, expr: Expr, at location: SourceLocation) throws {
        if text.contains(where: \.isNewline) {
            throw error("\(describe(expr)) is a secret with a line break, which a command cannot receive", at: location,
                        hint: "write it to a file with `upload \"${\(describe(expr))}\" to \"…\" mode 0600` and read the file")
        }
        if quoting == .hereDocument(expanding: false) {
            throw error("\(describe(expr)) is a secret in a quoted here-document (<<'EOF'), where it cannot be filled in", at: location,
                        hint: "use an unquoted end word (<<EOF), or upload it to a file")
        }
    }

    /// A line of a value could end a here-document early and run what follows as commands.
    private func checkHereDocument(_ text: String, _ quoting: Quoting, expr: Expr, at location: SourceLocation) throws {
        guard quoting.isHereDocument, text.contains(where: \.isNewline) else { return }
        throw error("\(describe(expr)) has a line break, which could end the here-document it stands in", at: location,
                    hint: "write multi-line values to a file with `upload`, or pass them as one word")
    }

    private func describe(_ expr: Expr) -> String {
        if case .path(let parts, _) = expr { return parts.joined(separator: ".") }
        return "the value"
    }
}

extension SourceText {
    /// A placeholder location at the top of the file, for errors without a better place.
    var location: SourceLocation { SourceLocation(file: path, line: 0, column: 0) }
}
