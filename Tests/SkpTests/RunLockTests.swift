import Foundation
import Testing
import SkpTestSupport
@testable import SkpKit

/// The run lock, attacked as a local user would (issue 13, item 1): skp runs as root, and the lock
/// folder lives where other users can create files. Each case runs the real binary as root.
@Suite(.serialized) struct RunLockTests {
    /// A project whose task runs one local command: a run takes the lock and touches no host.
    static func project() throws -> String {
        try Binary.project(["tasks/probe.skp": "task local-true \"takes the lock, runs true here\" {\n  on local\n  local \"true\"\n}\n"])
    }

    static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "skp-lock-\(name)-" + UUID().uuidString
        return path
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    /// The lock file's name for a project's hosts.json, as skp computes it.
    static func lockName(_ project: String) -> String {
        ContentHash.of(URL(fileURLWithPath: project + "/hosts.json").resolvingSymlinksInPath().path.utf8) + ".lock"
    }

    @Test func issue13Item1_freshLockFolderIsPrivate() throws {
        let dir = try Self.project()
        let folder = Self.scratch("fresh")
        let outcome = try Binary.run(["local-true"], in: dir, environment: ["SKP_LOCK_DIR": folder])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(Self.mode(folder) == 0o700)
        #expect(Self.mode(folder + "/" + Self.lockName(dir)) == 0o600)
    }

    @Test func issue13Item1_worldWritableFolderIsRefusedAndLeftAlone() throws {
        let dir = try Self.project()
        let folder = Self.scratch("1777")
        #expect(mkdir(folder, 0o700) == 0)
        chmod(folder, 0o1777)
        let outcome = try Binary.run(["local-true"], in: dir, environment: ["SKP_LOCK_DIR": folder])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("refusing the run lock folder \(folder): others can write to it"), "\(outcome.stderr)")
        #expect(Self.mode(folder) == 0o1777, "skp must not chmod a folder it did not create")
        #expect((try FileManager.default.contentsOfDirectory(atPath: folder)).isEmpty)
    }

    @Test func issue13Item1_folderOfAnotherUserIsRefused() throws {
        let dir = try Self.project()
        let folder = Self.scratch("nobody")
        #expect(mkdir(folder, 0o700) == 0)
        #expect(chown(folder, 65534, 65534) == 0)
        let outcome = try Binary.run(["local-true"], in: dir, environment: ["SKP_LOCK_DIR": folder])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("it belongs to uid 65534"), "\(outcome.stderr)")
        #expect(Self.mode(folder) == 0o700)
    }

    @Test func issue13Item1_symlinkedFolderIsRefused() throws {
        let dir = try Self.project()
        let target = Self.scratch("target")
        #expect(mkdir(target, 0o755) == 0)
        let folder = Self.scratch("link")
        #expect(symlink(target, folder) == 0)
        let outcome = try Binary.run(["local-true"], in: dir, environment: ["SKP_LOCK_DIR": folder])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("refusing the run lock folder"), "\(outcome.stderr)")
        #expect(Self.mode(target) == 0o755)
        #expect((try FileManager.default.contentsOfDirectory(atPath: target)).isEmpty)
    }

    /// A symlink planted as the lock file would have made root truncate and overwrite its target.
    @Test func issue13Item1_symlinkedLockFileIsRefusedAndTargetUnchanged() throws {
        let dir = try Self.project()
        let folder = Self.scratch("planted")
        #expect(mkdir(folder, 0o700) == 0)
        let victim = Self.scratch("victim")
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        chmod(victim, 0o644)
        #expect(symlink(victim, folder + "/" + Self.lockName(dir)) == 0)
        let outcome = try Binary.run(["local-true"], in: dir, environment: ["SKP_LOCK_DIR": folder])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("it is a symbolic link"), "\(outcome.stderr)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(Self.mode(victim) == 0o644)
        // A dangling link would have created a root-owned file wherever it pointed.
        let nowhere = Self.scratch("nowhere")
        unlink(folder + "/" + Self.lockName(dir))
        #expect(symlink(nowhere, folder + "/" + Self.lockName(dir)) == 0)
        let second = try Binary.run(["local-true"], in: dir, environment: ["SKP_LOCK_DIR": folder])
        #expect(second.status == 2)
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }

    /// A hard link to another file (a lock file with two links) is not ours to write.
    @Test func issue13Item1_hardLinkedLockFileIsRefused() throws {
        let dir = try Self.project()
        let folder = Self.scratch("hard")
        #expect(mkdir(folder, 0o700) == 0)
        let victim = folder + "/victim"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        #expect(link(victim, folder + "/" + Self.lockName(dir)) == 0)
        let outcome = try Binary.run(["local-true"], in: dir, environment: ["SKP_LOCK_DIR": folder])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("one link"), "\(outcome.stderr)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }

    /// The holder's text comes from a file: it is shown with its control characters escaped, so it
    /// cannot clear the screen or write a fake message on the waiting user's terminal.
    @Test func issue13Item1_holderTextIsShownEscaped() throws {
        let dir = try Self.project()
        let folder = Self.scratch("held")
        #expect(mkdir(folder, 0o700) == 0)
        let file = folder + "/" + Self.lockName(dir)
        try "\u{1b}[2J\u{1b}]0;pwned\u{07}all good, nothing to see\r\n".write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, 0o600)
        // Another process holds the lock (util-linux flock) while skp is asked not to wait.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-x", file, "sleep", "2"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        usleep(300_000)
        let outcome = try Binary.run(["--no-wait", "local-true"], in: dir, environment: ["SKP_LOCK_DIR": folder])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("another skp run holds this inventory: \\x1b[2J\\x1b]0;pwned\\x07all good"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("\u{1b}"))
        #expect(!outcome.stderr.contains("\u{07}"))
    }
}
