import Foundation
import Testing
@testable import SkpKit

/// Hosts whose files live in memory, served in small pieces as SFTP would, and who answer
/// `sha256sum -- PATH` (or, `withoutSHA256Sum`, cannot). Drives the real executor's download.
final class FileTransport: Transport, @unchecked Sendable {
    // @unchecked: every mutable field is read and written under `lock`.
    private let lock = NSLock()
    private var files: [String: (bytes: [UInt8], mode: UInt32)] = [:]
    private var read = 0
    var withoutSHA256Sum = false
    /// Fails the transfer after this many bytes (a connection that broke mid-file).
    var breakAfter: Int?

    func put(_ host: String, _ path: String, _ text: String, mode: UInt32 = 0o100644) {
        lock.withLock { files[host + ":" + path] = (Array(text.utf8), mode) }
    }

    /// Bytes served by `download` so far.
    var bytesRead: Int { lock.withLock { read } }

    func connect(to endpoint: Endpoint, cancel: Cancellation) throws -> RemoteSession { Session(host: endpoint.name, owner: self) }

    final class Session: RemoteSession {
        let host: String
        let owner: FileTransport
        init(host: String, owner: FileTransport) { self.host = host; self.owner = owner }

        func file(_ path: String) -> (bytes: [UInt8], mode: UInt32)? { owner.lock.withLock { owner.files[host + ":" + path] } }

        func run(_ command: String, secrets: [Secret], timeout: Double?, cancel: Cancellation,
                 output: (SkpKit.OutputStream, [UInt8]) -> Void) throws -> CommandStatus {
            let prefix = "sha256sum -- "
            guard !owner.withoutSHA256Sum, command.hasPrefix(prefix) else { return CommandStatus(exitCode: 127) }
            // The path arrives quoted for the shell: only known paths' quoted forms match.
            let known = owner.lock.withLock { owner.files.keys.filter { $0.hasPrefix(host + ":") } }
            guard let key = known.first(where: { command == prefix + ShellQuote.quote(String($0.dropFirst(host.count + 1))) }),
                  let entry = owner.lock.withLock({ owner.files[key] }) else { return CommandStatus(exitCode: 1) }
            output(.stdout, Array((SHA256.hex(entry.bytes) + "  whatever\n").utf8))
            return CommandStatus(exitCode: 0)
        }

        func fileInfo(_ path: String, cancel: Cancellation) throws -> RemoteFile? {
            file(path).map { RemoteFile(size: UInt64($0.bytes.count), mode: $0.mode) }
        }

        func download(_ path: String, cancel: Cancellation, chunk: (UnsafeRawBufferPointer) throws -> Void) throws -> RemoteFile {
            guard let entry = file(path) else { throw TransportError.channel("opening \(path): no such file") }
            var offset = 0
            while offset < entry.bytes.count {
                if let limit = owner.breakAfter, offset >= limit { throw TransportError.lost("lost the connection (fake)") }
                let end = min(offset + 7, entry.bytes.count)
                try entry.bytes[offset..<end].withUnsafeBytes { try chunk($0) }
                owner.lock.withLock { owner.read += end - offset }
                offset = end
            }
            return RemoteFile(size: UInt64(entry.bytes.count), mode: entry.mode)
        }

        func upload(_ bytes: [UInt8], to path: String, mode: Int32) throws -> Bool { true }
        func wouldChange(_ bytes: [UInt8], at path: String, mode: Int32) throws -> Bool { true }
        func close() {}
    }
}

@Suite(.serialized) struct DownloadRunTests {
    let inventory: Inventory
    let folder: String

    init() throws {
        inventory = try Fixture.inventory(hosts: Fixture.fiveHosts)
        folder = Fixture.folder([:])
    }

    func run(_ transport: FileTransport, check: Bool = false, hosts: String = "c01,c02", remote: String = "/etc/app.conf") throws -> RunReport {
        let source = "task t {\n on \(hosts) { download \"\(remote)\" to \"\(folder)/out/${host.name}/app.conf\" }\n}"
        let plan = try Fixture.plan(["t": source], [TaskRequest(task: "t.t")], inventory: inventory)
        var options = Options()
        options.check = check
        let endpoints = EndpointResolver(connection: options.connection, config: SSHConfig(), environment: ["HOME": "/nonexistent"])
        return Executor(plan: plan, transport: transport, settings: options.run, endpoints: endpoints, mask: SharedMask([])).run()
    }

    func status(_ report: RunReport, _ host: String) -> HostReport.Status? { report.hosts.first { $0.name == host }?.status }
    func local(_ host: String) -> String { folder + "/out/" + host + "/app.conf" }
    func text(_ path: String) -> String? { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } }
    func info(_ path: String) -> stat { var s = stat(); lstat(path, &s); return s }

    @Test func eachHostsFileLandsInItsFolderOnceAndThenIsLeftAlone() throws {
        let hosts = FileTransport()
        hosts.put("c01", "/etc/app.conf", "one\n", mode: 0o104755)
        hosts.put("c02", "/etc/app.conf", String(repeating: "two ", count: 100))
        let first = try run(hosts)
        #expect(status(first, "c01") == .changed && status(first, "c02") == .changed)
        #expect(text(local("c01")) == "one\n")
        #expect(text(local("c02")) == String(repeating: "two ", count: 100))
        // The host's mode, without setuid; folders skp made are private; no temporary file is left.
        #expect(info(local("c01")).st_mode & 0o7777 == 0o755)
        #expect(info(local("c02")).st_mode & 0o7777 == 0o644)
        #expect(info(folder + "/out/c01").st_mode & 0o7777 == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out/c02") == ["app.conf"])

        let before = (info(local("c02")).st_ino, info(local("c02")).st_mtim.tv_nsec, hosts.bytesRead)
        let second = try run(hosts)
        #expect(status(second, "c01") == .ok && status(second, "c02") == .ok)
        #expect(second.hosts.map(\.unchanged) == [1, 1])
        // Compared by the host's sha256sum: nothing was transferred, nothing rewritten.
        #expect(hosts.bytesRead == before.2)
        #expect(info(local("c02")).st_ino == before.0 && info(local("c02")).st_mtim.tv_nsec == before.1)

        // Same size, other bytes: fetched again.
        hosts.put("c02", "/etc/app.conf", String(repeating: "TWO ", count: 100))
        let third = try run(hosts)
        #expect(status(third, "c02") == .changed && status(third, "c01") == .ok)
        #expect(text(local("c02")) == String(repeating: "TWO ", count: 100))
    }

    @Test func withoutSHA256SumTheCopyIsComparedAndDroppedWhenEqual() throws {
        let hosts = FileTransport()
        hosts.withoutSHA256Sum = true
        hosts.put("c01", "/etc/app.conf", "same\n")
        _ = try run(hosts, hosts: "c01")
        let inode = info(local("c01")).st_ino
        let again = try run(hosts, hosts: "c01")
        #expect(status(again, "c01") == .ok && again.hosts.first?.unchanged == 1)
        #expect(info(local("c01")).st_ino == inode)
        #expect(hosts.bytesRead == 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out/c01") == ["app.conf"])
    }

    @Test func checkModeComparesAndWritesNothing() throws {
        let hosts = FileTransport()
        hosts.put("c01", "/etc/app.conf", "v1\n")
        let before = try run(hosts, check: true, hosts: "c01")
        #expect(status(before, "c01") == .wouldChange && before.exitCode == .drift)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
        _ = try run(hosts, hosts: "c01")
        #expect(try run(hosts, check: true, hosts: "c01").hosts.first?.unchanged == 1)
        hosts.put("c01", "/etc/app.conf", "v2\n")
        hosts.withoutSHA256Sum = true
        #expect(status(try run(hosts, check: true, hosts: "c01"), "c01") == .wouldChange)
        #expect(text(local("c01")) == "v1\n")
    }

    @Test func aSymlinkPlantedAtTheDestinationIsRefusedAndItsTargetUntouched() throws {
        let hosts = FileTransport()
        hosts.put("c01", "/etc/app.conf", "payload\n")
        let victim = folder + "/victim"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: folder + "/out/c01", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: local("c01"), withDestinationPath: victim)
        let report = try run(hosts, hosts: "c01")
        #expect(status(report, "c01") == .failed)
        #expect(report.hosts.first?.message?.contains("is a symlink: skp does not follow or replace it") == true)
        #expect(text(victim) == "precious\n")
        #expect(info(local("c01")).st_mode & S_IFMT == S_IFLNK)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give a link another owner"))
    func aFolderLinkAnotherUserPlantedIsNotFollowed() throws {
        let hosts = FileTransport()
        hosts.put("c01", "/etc/app.conf", "payload\n")
        let elsewhere = folder + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere + "/c01", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/out", withDestinationPath: elsewhere)
        #expect(lchown(folder + "/out", 4242, 4242) == 0)
        let report = try run(hosts, hosts: "c01")
        #expect(report.hosts.first?.message?.contains("is a symlink owned by uid 4242: skp does not follow it") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere + "/c01").isEmpty)
        // The user's own link (a bigger disk, say) is followed.
        #expect(lchown(folder + "/out", geteuid(), getegid()) == 0)
        #expect(status(try run(hosts, hosts: "c01"), "c01") == .changed)
        #expect(text(elsewhere + "/c01/app.conf") == "payload\n")
    }

    @Test func aBrokenTransferKeepsTheOldFileAndLeavesNoTemporaryFile() throws {
        let hosts = FileTransport()
        hosts.put("c01", "/etc/app.conf", "old\n")
        _ = try run(hosts, hosts: "c01")
        hosts.put("c01", "/etc/app.conf", String(repeating: "new ", count: 50))
        hosts.breakAfter = 20
        let report = try run(hosts, hosts: "c01")
        #expect(status(report, "c01") == .unreachable)
        #expect(text(local("c01")) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out/c01") == ["app.conf"])
    }

    @Test func missingAndNonRegularRemoteFilesFailTheHost() throws {
        let hosts = FileTransport()
        hosts.put("c01", "/dev/zero", "", mode: 0o020666)
        let missing = try run(hosts, hosts: "c01")
        #expect(missing.hosts.first?.message?.contains("/etc/app.conf does not exist on c01") == true)
        let device = try run(hosts, hosts: "c01", remote: "/dev/zero")
        #expect(device.hosts.first?.message?.contains("/dev/zero on c01 is not a regular file") == true)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/c01/app.conf"))
    }

    @Test func sha256sumsLineIsRead() {
        let hex = String(repeating: "ab", count: 32)
        #expect(HostRun.digest(fromSHA256Sum: Array("\(hex)  /etc/x\n".utf8)) == hex)
        #expect(HostRun.digest(fromSHA256Sum: Array("\\\(hex)  /etc/a\\nb\n".utf8)) == hex)
        #expect(HostRun.digest(fromSHA256Sum: Array("sha256sum: /etc/x: No such file\n".utf8)) == nil)
        #expect(HostRun.digest(fromSHA256Sum: Array(hex.utf8)) == nil)
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func keptModesDropSpecialBitsAndOthersWrite() {
        #expect(HostRun.keptMode(0o106777) == 0o755)
        #expect(HostRun.keptMode(0o100600) == 0o600)
        #expect(HostRun.keptMode(0o100664) == 0o644)
    }
}
