import Foundation

/// Checks shared by every inventory: names, endpoints, ${VAR} expansion, lists, uniqueness.
extension InventoryLoader {
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

    static let endpointCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:@%[],")

    /// Addresses, users and jump hosts reach ssh-style `user@host:port` arguments (sshfs, jump
    /// hosts): no spaces, quotes, shell characters or leading '-' that a program would take for an option.
    mutating func checkEndpoint(_ value: String, field: String, at location: SourceLocation) -> String? {
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
            if !quiet { report(.wrongType(what: field, expected: "a string", found: node.typeName), at: node.location) }
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
    mutating func nameList(_ node: JSONNode, field: String, kind: String) -> [String] {
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
            report(.wrongType(what: field, expected: "a list of strings", found: node.typeName), at: node.location)
            return []
        }
    }

    mutating func checkUnique(_ values: [(String, SourceLocation)], what: String, path: String) {
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
