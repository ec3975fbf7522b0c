import Foundation

/// The control machine's environment as skp sees it, with skp's own defaults filled in.
///
/// | variable | default |
/// |---|---|
/// | SKP_HOME | the current directory (where tasks/ and the inventories live) |
/// | SKP_MNT | `$HOME/mnt` |
/// | SKP_USER | `$USER`, else `root` |
public struct SkpEnvironment: Sendable {
    public var variables: [String: String]

    public init(_ base: [String: String] = ProcessInfo.processInfo.environment,
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        var vars = base
        let home = vars["HOME"] ?? "/root"
        if vars["HOME"] == nil { vars["HOME"] = home }
        if vars["SKP_HOME"] == nil { vars["SKP_HOME"] = currentDirectory }
        if vars["SKP_MNT"] == nil { vars["SKP_MNT"] = home + "/mnt" }
        if vars["SKP_USER"] == nil { vars["SKP_USER"] = vars["USER"] ?? "root" }
        variables = vars
    }

    public subscript(name: String) -> String? { variables[name] }

    /// Expands `$VAR` and `${VAR}`; `$$` is a literal `$`. An unset variable is an error
    /// (reported by the caller at the value's position) rather than a silent empty string.
    public func expand(_ text: String) -> Result<String, ExpansionError> {
        guard text.contains("$") else { return .success(text) }
        var out = ""
        var chars = text[...]
        while let dollar = chars.firstIndex(of: "$") {
            out += chars[..<dollar]
            var rest = chars[chars.index(after: dollar)...]
            if rest.first == "$" {
                out += "$"
                chars = rest.dropFirst()
                continue
            }
            let braced = rest.first == "{"
            if braced { rest = rest.dropFirst() }
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if name.isEmpty || (braced && rest.dropFirst(name.count).first != "}") {
                out += "$"
                chars = chars[chars.index(after: dollar)...]
                continue
            }
            guard let value = variables[String(name)] else {
                return .failure(ExpansionError(variable: String(name),
                                               offset: text.distance(from: text.startIndex, to: dollar)))
            }
            out += value
            chars = rest.dropFirst(name.count + (braced ? 1 : 0))
        }
        out += chars
        return .success(out)
    }

    public struct ExpansionError: Error, Sendable {
        public var variable: String
        public var offset: Int
    }
}
