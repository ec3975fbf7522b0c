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
                report(.wrongType(what: "image \(name)", expected: "an object", found: node.typeName), at: node.location)
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
                report(.wrongType(what: "service \(name)", expected: "an object", found: node.typeName), at: node.location)
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
}
