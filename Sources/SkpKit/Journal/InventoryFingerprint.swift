import Foundation

/// Which inventory files a run used and what they held, so `--resume` can refuse to rerun a run
/// against other hosts, volumes or networks than the ones it was planned on.
public struct InventoryFingerprint: Sendable, Equatable {
    public var kind: String
    /// The absolute path, symlinks resolved.
    public var path: String
    /// FNV-1a 64 of the bytes ("absent" for a missing default file): it detects edits; it is not
    /// a defence against someone forging a file on purpose.
    public var hash: String

    public static func of(_ paths: InventoryPaths) -> [InventoryFingerprint] {
        [("hosts", paths.hosts), ("volumes", paths.volumes), ("networks", paths.networks),
         ("images", paths.images), ("services", paths.services)].map { kind, path in
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let hash = InventoryLoader.read(real, limit: 64 << 20).map(ContentHash.of) ?? "absent"
            return InventoryFingerprint(kind: kind, path: real, hash: hash)
        }
    }

    var json: String {
        JSONWriter.object([("kind", JSONWriter.string(kind)), ("path", JSONWriter.string(path)), ("hash", JSONWriter.string(hash))])
    }

    /// What differs between the run's inventories and today's, one phrase each.
    public static func differences(recorded: [InventoryFingerprint], now: [InventoryFingerprint]) -> [String] {
        recorded.compactMap { old in
            guard let new = now.first(where: { $0.kind == old.kind }) else { return nil }
            if new.path != old.path { return "\(old.kind) was \(old.path), now \(new.path)" }
            if new.hash != old.hash { return "\(old.path) changed since" }
            return nil
        }
    }
}
