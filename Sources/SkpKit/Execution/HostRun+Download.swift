import Foundation

/// `download "REMOTE" to "LOCAL"`: a host's file to this machine over SFTP, streamed (bounded
/// memory whatever its size), written beside the destination and renamed into place.
///
/// Idempotent by size and SHA-256. The host hashes its own file with `sha256sum` on an exec
/// channel: reading 1 GB from its disk costs the host a few seconds and the network 64 bytes,
/// where hashing by reading over SFTP would move the whole file again just to find it equal.
/// A host without `sha256sum` (or where it fails) still works: the file is streamed, hashed on
/// the way, and the new copy is dropped when it equals the old, so the local file is untouched.
extension HostRun {
    /// Files at least this large show their progress on the status board.
    static let progressFrom: UInt64 = 8 << 20

    func download(_ remote: String, to local: String, checkOnly: Bool) throws -> StepResult {
        do {
            return try fetch(remote, to: local, checkOnly: checkOnly)
        } catch let failure as StepFailure {
            throw failure
        } catch TransportError.lost(let message) {
            throw StepFailure(status: .unreachable, message: message, cutOff: true)
        } catch TransportError.cancelled {
            throw StepFailure(status: .cancelled, message: "interrupted")
        } catch let error as TransportError {
            throw StepFailure(status: .failed, message: "download of \(remote.visible()) failed: \(error.description)")
        } catch let problem as LocalDestination.Problem {
            throw StepFailure(status: .failed, message: "download of \(remote.visible()): \(problem.description)")
        }
    }

    private func fetch(_ remote: String, to local: String, checkOnly: Bool) throws -> StepResult {
        let session = try context.connection(for: host, password: password)
        guard let file = try session.fileInfo(remote, cancel: context.cancel) else {
            throw StepFailure(status: .failed, message: "\(remote.visible()) does not exist on \(host.name)")
        }
        guard file.isRegular else {
            throw StepFailure(status: .failed, message: "\(remote.visible()) on \(host.name) is not a regular file")
        }
        let mode = Self.keptMode(file.mode)
        guard let destination = try LocalDestination.open(local, create: !checkOnly) else { return .wouldChange }
        let existing = try destination.existing()
        // Set when the file here has the host's size but the host could not hash its own.
        var unverified: String?
        if let existing, existing.size == file.size {
            let localDigest = try destination.sha256()
            var hostDigest = try hostDigest(remote)
            if hostDigest == nil && checkOnly {
                hostDigest = try stream(remote, size: file.size, from: session, into: { _ in })
            }
            if hostDigest == localDigest {
                if existing.mode == mode { return .unchanged }
                if checkOnly { return .wouldChange }
                try destination.setMode(mode)
                return .changed
            }
            if hostDigest == nil { unverified = localDigest }
        }
        if checkOnly { return .wouldChange }
        let replaced = try destination.replace(mode: mode) { write in
            // Put in place unless it is, after all, the file already here (see `unverified`).
            try stream(remote, size: file.size, from: session, into: write) != unverified
        }
        if replaced { return .changed }
        if existing?.mode == mode { return .unchanged }
        try destination.setMode(mode)
        return .changed
    }

    /// Reads the host's file through the hash and into `write`; shows how far it is.
    private func stream(_ remote: String, size: UInt64, from session: RemoteSession,
                        into write: (UnsafeRawBufferPointer) throws -> Void) throws -> String {
        let hasher = SHA256()
        var received: UInt64 = 0
        var shown = Date()
        let total = Self.bytes(size)
        _ = try session.download(remote, cancel: context.cancel) { bytes in
            hasher.update(bytes)
            try write(bytes)
            received += UInt64(bytes.count)
            if size >= Self.progressFrom, Date().timeIntervalSince(shown) >= 0.5 {
                shown = Date()
                let percent = min(100, received * 100 / max(size, 1))
                context.send(.stepProgress(task: task.name, host: host.name, text: "download \(percent)% of \(total)"))
            }
        }
        return hasher.finish()
    }

    /// The host's SHA-256 of `remote`, from `sha256sum` there; nil when it cannot tell.
    func hostDigest(_ remote: String) throws -> String? {
        // `--` and one quoted word: a path starting with '-' or holding spaces stays a path.
        let command = Command(literal: "sha256sum -- " + ShellQuote.quote(remote))
        let result = try execute(command, onControl: isLocal, quiet: true, captureStdout: true)
        guard result.status.exitCode == 0 else { return nil }
        return Self.digest(fromSHA256Sum: result.stdout)
    }

    /// The hash at the start of sha256sum's line (which starts with `\` for names it escaped).
    static func digest(fromSHA256Sum output: [UInt8]) -> String? {
        var text = Substring(String(decoding: output.prefix(256), as: UTF8.self))
        if text.hasPrefix("\\") { text = text.dropFirst() }
        let hex = text.prefix(64)
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && $0.isASCII }), text.dropFirst(64).first == " " else { return nil }
        return hex.lowercased()
    }

    /// The host's permissions, kept deliberately, but never setuid, setgid or sticky, and never
    /// writable by group or others here: nobody else on this machine may alter what was fetched.
    static func keptMode(_ remote: UInt32) -> mode_t {
        mode_t(remote & 0o755)
    }

    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
