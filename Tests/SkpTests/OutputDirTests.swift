import Foundation
import Testing
import SkpTestSupport

/// `--output-dir`: per host and step, files that hold what the step printed (masked), created
/// 0600 in 0700 folders, never through someone else's symlink. `local` steps, no SSH.
@Suite struct OutputDirTests {
    static let hosts = #"{"c01": {"ipv4": "10.255.0.1"}, "c02": {"ipv4": "10.255.0.2"}}"#
    static let tasks = """
        task two "two steps" {
          param pw secret default "hunter2-secret" "a password"
          on all
          local "echo out ${host.name}; echo err ${host.name} >&2"
          local "echo the password is ${pw}; printf 'no newline'"
        }

        """

    static func project() throws -> String {
        try Binary.project(["tasks/d.skp": tasks, "hosts.json": hosts])
    }

    static func run(_ arguments: [String], in dir: String) throws -> Binary.Outcome {
        try Binary.run(arguments, in: dir, environment: ["SKP_LOCK_DIR": dir + "/.locks"])
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    static func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test func eachHostAndStepHasItsFilesMaskedAndPrivate() throws {
        let dir = try Self.project()
        let out = dir + "/runs/out"
        let outcome = try Self.run(["--output-dir", out, "d.two"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(Self.files(out) == ["c01", "c02"])
        let names = Self.files(out + "/c02")
        #expect(names.count == 4, "\(names)")
        #expect(names.allSatisfy { $0.hasPrefix("001-d.two-local-echo-out") || $0.hasPrefix("002-d.two-local-echo-the-password") }, "\(names)")
        let first = out + "/c02/" + names[0].dropLast(4)
        #expect(Self.read(first + ".out") == "out c02\n")
        #expect(Self.read(first + ".err") == "err c02\n")
        let second = out + "/c02/" + names[2].dropLast(4)
        #expect(Self.read(second + ".out") == "the password is ***\nno newline")
        #expect(Self.read(second + ".err") == "")
        for folder in [dir + "/runs", out, out + "/c01", out + "/c02"] { #expect(Self.mode(folder) == 0o700, "\(folder)") }
        for name in names { #expect(Self.mode(out + "/c02/" + name) == 0o600, "\(name)") }
        // Nothing anywhere under DIR holds the secret.
        for host in ["c01", "c02"] {
            for name in Self.files(out + "/" + host) { #expect(Self.read(out + "/" + host + "/" + name)?.contains("hunter2") == false) }
        }
        // The screen is unchanged by the files.
        #expect(outcome.stdout.contains("c01   | out c01"), "\(outcome.stdout)")
    }

    @Test func itWorksWithJSONAndARerunReplacesTheFiles() throws {
        let dir = try Self.project()
        let out = dir + "/out"
        #expect(try Self.run(["--output-dir", out, "d.two"], in: dir).status == 0)
        let outcome = try Self.run(["--json", "--output-dir", out, "d.two"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.split(separator: "\n").allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        let names = Self.files(out + "/c01")
        #expect(names.count == 4, "\(names)")
        #expect(Self.read(out + "/c01/" + names[1]) == "out c01\n")
    }

    @Test func aSymlinkPlantedInsideDIRIsNeverWrittenThrough() throws {
        let dir = try Self.project()
        let out = dir + "/out"
        #expect(try Self.run(["--output-dir", out, "d.two"], in: dir).status == 0)
        // Someone swaps c01's folder for a link elsewhere, and one of c02's files for a link to a file.
        let elsewhere = dir + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: out + "/c01")
        #expect(symlink(elsewhere, out + "/c01") == 0)
        let victim = dir + "/victim"
        try "keep me\n".write(toFile: victim, atomically: false, encoding: .utf8)
        let planted = out + "/c02/" + Self.files(out + "/c02")[1]
        try FileManager.default.removeItem(atPath: planted)
        #expect(symlink(victim, planted) == 0)
        let outcome = try Self.run(["--output-dir", out, "d.two"], in: dir)
        // The run itself goes on; the two hosts' files are refused with a warning.
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("out/c01 is not a folder of ours"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("is not a file of ours (a symlink?): refusing to write through it"), "\(outcome.stderr)")
        #expect(Self.files(elsewhere).isEmpty)
        #expect(Self.read(victim) == "keep me\n")
    }

    /// A symlink on the way to DIR that is ours is followed (a user's own layout).
    @Test func ourOwnSymlinkToDIRIsFollowed() throws {
        let dir = try Self.project()
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
        #expect(symlink(dir + "/real", dir + "/link") == 0)
        let outcome = try Self.run(["--output-dir", dir + "/link/out", "d.two"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(Self.files(dir + "/real/out") == ["c01", "c02"])
    }

    /// Another user's symlink on the way to DIR, or a DIR that is not ours: nothing runs (exit 2).
    @Test(.enabled(if: geteuid() == 0, "giving a file to another user needs root"))
    func someoneElsesSymlinkOrFolderIsRefusedBeforeAnythingRuns() throws {
        let dir = try Self.project()
        try FileManager.default.createDirectory(atPath: dir + "/target", withIntermediateDirectories: true)
        #expect(symlink(dir + "/target", dir + "/theirs") == 0)
        #expect(lchown(dir + "/theirs", 65534, 65534) == 0)
        let outcome = try Self.run(["--output-dir", dir + "/theirs/out", "d.two"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("theirs is a symlink owned by uid 65534: refusing to follow it"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("nothing was run"))
        #expect(!outcome.stdout.contains("out c01"))
        #expect(Self.files(dir + "/target").isEmpty)
        try FileManager.default.createDirectory(atPath: dir + "/given", withIntermediateDirectories: true)
        #expect(chown(dir + "/given", 65534, 65534) == 0)
        let given = try Self.run(["--output-dir", dir + "/given", "d.two"], in: dir)
        #expect(given.status == 2)
        #expect(given.stderr.contains("is not yours (owner uid 65534)"), "\(given.stderr)")
    }
}
