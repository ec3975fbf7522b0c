import Foundation

/// volumes.json and networks.json.
extension InventoryLoader {
    // MARK: volumes.json

    mutating func parseVolumes(_ root: JSONNode) -> [Volume] {
        var volumes: [Volume] = []
        for (name, node) in root.entries ?? [] {
            let at = node.keyLocation ?? node.location
            guard checkName(name, kind: "volume", at: at) else { continue }
            guard let fields = node.entries else {
                report(.wrongType(what: "volume \(name)", expected: "an object", found: node.typeName), at: node.location)
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
                    if let text = expandedString(value, field: key, quiet: true) { volume.fields[key] = FieldValue(text, name: key) }
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

    mutating func parseNetworks(_ root: JSONNode) -> [Network] {
        var networks: [Network] = []
        for (name, node) in root.entries ?? [] {
            let at = node.keyLocation ?? node.location
            guard checkName(name, kind: "network", at: at) else { continue }
            guard let fields = node.entries else {
                report(.wrongType(what: "network \(name)", expected: "an object", found: node.typeName), at: node.location)
                continue
            }
            var network = Network(name: name, opts: [], fields: [:], location: at)
            for (key, value) in fields {
                if key == "opts" { network.opts = optionList(value, field: key) }
                else if let text = expandedString(value, field: key, quiet: true) { network.fields[key] = FieldValue(text, name: key) }
            }
            networks.append(network)
        }
        return networks
    }
}
