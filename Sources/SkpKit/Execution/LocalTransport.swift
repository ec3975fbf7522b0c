import Foundation

/// The control machine as a host: `local` steps and tasks `on local` run here through the same
/// `RemoteSession` interface as SSH hosts, so the executor has one way to run a step.
final class LocalSession: RemoteSession {
    /// Secrets go in the command's environment: other users' process lists do not show it.
    func run(_ command: String, secrets: [Secret], timeout: Double?, cancel: Cancellation,
             output: (OutputStream, [UInt8]) -> Void) throws -> CommandStatus {
        var environment = ProcessInfo.processInfo.environment
        for (i, value) in secrets.enumerated() { environment[TransportCommand.variable(i)] = value.revealed }
        return try LocalRunner.run(command, timeout: timeout, cancel: cancel, environment: environment, output: output)
    }

    func wouldChange(_ bytes: [UInt8], at path: String, mode: Int32) throws -> Bool {
        var info = stat()
        return !(stat(path, &info) == 0 && info.st_mode & 0o7777 == mode_t(mode)
                 && FileManager.default.contents(atPath: path).map { Array($0) == bytes } == true)
    }

    /// Writes `bytes` unless the file already holds them with that mode; missing folders 0700.
    func upload(_ bytes: [UInt8], to path: String, mode: Int32) throws -> Bool {
        guard try wouldChange(bytes, at: path, mode: mode) else { return false }
        let mode = mode_t(mode)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw TransportError.channel("cannot write \(path)") }
        defer { Glibc.close(fd) }
        fchmod(fd, mode)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return true
    }

    func close() {}
}
