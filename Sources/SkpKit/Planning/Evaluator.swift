import Foundation

/// Evaluates expressions and renders templates against a `Scope`. Errors point at the
/// expression in the task file.
public struct Evaluator {
    public var scope: Scope

    public init(scope: Scope) { self.scope = scope }

    func error(_ message: String, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        error(.other(message), at: location, hint: hint)
    }

    func error(_ problem: Problem, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(problem, at: location, source: scope.source, hint: hint)
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
            return secret ? .secret(Secret(text)) : .string(text)
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
                throw error(.unknown(.value, name: name), at: location,
                            hint: "for the remote shell's variable write $\(name) (not ${\(name)}); for the control machine's, ${env.\(name)}")
            }
            let hint = Suggest.closest(to: name, in: scope.visibleNames).map { "did you mean \($0)?" }
            throw error(.unknown(.value, name: name), at: location, hint: hint)
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
            case "enabled_label_pairs":
                return .list(host.labels.filter { Host.isEnabled($0.value) }.map { .string($0.key + "=" + $0.value) })
            case "volumes": return .list(inventory.volumes.indices.filter { inventory.volumes[$0].targets(host) }.map(Value.volume))
            case "user": return .string(host.user ?? scope.environment["SKP_USER"] ?? "root")
            case "port": return .string(String(host.port ?? 22))
            case "key": return host.key.map { .secret(Secret($0)) } ?? .null
            default:
                if let hosts = scope.captures[name], hosts.contains(host.name) { return .captured(name + "@" + host.name) }
                return host.fields[name].map(Value.init) ?? .null
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
                return volume.fields[name].map(Value.init) ?? .null
            }
        case .network(let index):
            let network = inventory.networks[index]
            switch name {
            case "name": return .string(network.name)
            case "opts": return .list(network.opts.map(Value.string))
            default: return network.fields[name].map(Value.init) ?? .null
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
            case "content": return Printable.looksLikePrivateKey(labelValue) ? .secret(Secret(labelValue)) : .string(labelValue)
            case "enabled": return .bool(Host.isEnabled(labelValue))
            default: break
            }
        case .hosts(let set):
            if set.count == 1 { return try member(name, of: .host(set.indexes[0]), path: path, at: location) }
            throw error("\(path) is \(set.count) hosts, so it has no single \(name)", at: location,
                        hint: "name one host with one(…), e.g. let leader = one(role:master)")
        case .environment:
            return scope.environment[name].map { .init(FieldValue($0, name: name)) } ?? .null
        case .list(let items) where name == "length":
            return .string(String(items.count))
        default: break
        }
        throw error("\(path) is \(value.typeName) and has no field \(name)", at: location)
    }

    /// A value computed from a secret is a secret: `join(list_with_a_secret, " ")`, `integer(pw, …)`,
    /// `read(secret_path)`, whatever the function. (default and first hand back one of their
    /// arguments, which keeps its own secrecy.) An error about a secret argument never shows it.
}

extension SourceText {
    /// A placeholder location at the top of the file, for errors without a better place.
    var location: SourceLocation { SourceLocation(file: path, line: 0, column: 0) }
}
