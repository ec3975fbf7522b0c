import Foundation

/// What users already keep in ~/.ssh/config: HostName, User, Port, IdentityFile, ProxyJump,
/// ServerAliveInterval, ServerAliveCountMax, per `Host` pattern. As in OpenSSH, the first value found for a key wins.
public struct SSHConfig: Sendable {
    struct Block: Sendable {
        var patterns: [String]
        var settings: [(key: String, value: String)]
    }

    var blocks: [Block] = []

    public init() {}

    public init(text: String) {
        var current = Block(patterns: ["*"], settings: [])
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" })
            guard parts.count == 2 else { continue }
            let key = parts[0].lowercased()
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: " \t=\""))
            if key == "host" {
                blocks.append(current)
                current = Block(patterns: value.split(separator: " ").map(String.init), settings: [])
            } else if key == "match" {
                blocks.append(current)
                current = Block(patterns: [], settings: []) // Match blocks are not supported: ignored
            } else {
                current.settings.append((key, value))
            }
        }
        blocks.append(current)
    }

    public static func load(path: String) -> SSHConfig {
        load(paths: [path])
    }

    /// Several files read as one, in order: the first value found for a key still wins.
    public static func load(paths: [String]) -> SSHConfig {
        var config = SSHConfig()
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            config.blocks += SSHConfig(text: String(decoding: data, as: UTF8.self)).blocks
        }
        return config
    }

    /// Settings for a host known by any of `names` (its inventory name, its address).
    public func settings(for names: [String]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for block in blocks where Self.matches(block.patterns, names) {
            for (key, value) in block.settings {
                if key == "identityfile" { result[key, default: []].append(value) }
                else if result[key] == nil { result[key] = [value] }
            }
        }
        return result
    }

    static func matches(_ patterns: [String], _ names: [String]) -> Bool {
        var matched = false
        for pattern in patterns {
            let negated = pattern.hasPrefix("!")
            let glob = negated ? String(pattern.dropFirst()) : pattern
            if names.contains(where: { fnmatch(glob, $0, 0) == 0 }) {
                if negated { return false }
                matched = true
            }
        }
        return matched
    }
}
