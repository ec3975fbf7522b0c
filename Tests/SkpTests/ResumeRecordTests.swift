import Foundation
import Testing
import SkpTestSupport

/// What a journal records of the command line and the inventories, and what `--resume` does with
/// it (issue 13, item 7). The task runs on the control machine only: no host is needed.
@Suite(.serialized) struct ResumeRecordTests {
    static let task = """
        task step "fails until /tmp/skp-resume-ok-ID exists" {
          param pw -p secret "a password"
          param message -m "a message"
          on local
          local "test -n ${pw} && test -e /tmp/skp-resume-ok-ID"
        }

        """

    struct Project {
        let dir: String
        let marker: String
        init() throws {
            let id = UUID().uuidString.prefix(8)
            marker = "/tmp/skp-resume-ok-\(id)"
            dir = try Binary.project(["tasks/r.skp": ResumeRecordTests.task.replacingOccurrences(of: "ID", with: String(id))])
        }
        var journal: String {
            let folder = dir + "/.skp/runs"
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            return files.last.flatMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) } ?? ""
        }
        func header() throws -> [String: Any] {
            let line = String(journal.split(separator: "\n").first ?? "")
            return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        }
        func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Binary.Outcome {
            try Binary.run(["--color", "never"] + arguments, in: dir, environment: ["SKP_LOCK_DIR": dir + "/.locks"].merging(environment) { $1 })
        }
    }

    /// The secret "01" ends the value of `--limit c01`: text matching dropped `--limit c01`, and the
    /// resume planned more hosts than the run.
    @Test func issue13Item7_argumentsAreRecordedByPositionNotByText() throws {
        let project = try Project()
        let first = try project.run(["r.step", "-p", "01", "--limit", "c01", "-m", "hello"])
        #expect(first.status == 1, "\(first.stderr)")
        let header = try project.header()
        #expect(header["arguments"] as? [String] == ["--color", "never", "r.step", "--limit", "c01", "-m", "hello"], "\(header)")
        #expect(header["command"] as? String == "skp --color never r.step -p *** --limit c01 -m hello", "\(header)")
        // Inline form: the flag is kept in the shown command, its value is not.
        let second = try project.run(["r.step", "--pw=01", "--limit", "c01"])
        #expect(second.status == 1)
        #expect(try project.header()["command"] as? String == "skp --color never r.step --pw=*** --limit c01")
        #expect(try project.header()["arguments"] as? [String] == ["--color", "never", "r.step", "--limit", "c01"])
    }

    /// A secret inside another argument is never written down; such a run is not resumed blindly.
    @Test func issue13Item7_aSecretInsideAnotherArgumentIsMaskedAndNotResumed() throws {
        let project = try Project()
        let first = try project.run(["r.step", "-p", "hunter2-value", "-m", "say hunter2-value now"])
        #expect(first.status == 1)
        #expect(!project.journal.contains("hunter2-value"), "\(project.journal)")
        #expect(try project.header()["arguments_masked"] as? Bool == true)
        let resumed = try project.run(["--resume"], environment: ["SKP_PW": "x"])
        #expect(resumed.status == 2)
        #expect(resumed.stderr.contains("a secret stood inside one of its arguments"), "\(resumed.stderr)")
    }

    @Test func issue13Item7_resumeRefusesOtherInventoriesUnlessTold() throws {
        let project = try Project()
        let first = try project.run(["r.step", "-p", "pw-value-1"])
        #expect(first.status == 1)
        let inventories = try #require(try project.header()["inventories"] as? [[String: Any]])
        #expect(inventories.map { $0["kind"] as? String } == ["hosts", "volumes", "networks", "images", "services"])
        #expect(inventories[0]["path"] as? String == URL(fileURLWithPath: project.dir + "/hosts.json").resolvingSymlinksInPath().path)

        // hosts.json edited since the run: refused, nothing run.
        let hosts = project.dir + "/hosts.json"
        let text = try String(contentsOfFile: hosts, encoding: .utf8)
        try text.replacingOccurrences(of: "\"c05\": {", with: "\"c06\": {\"ipv4\": \"192.168.56.16\"},\n  \"c05\": {")
            .write(toFile: hosts, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: project.marker, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: project.marker) }
        let refused = try project.run(["--resume", "-p", "pw-value-1"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("used other inventories: \(URL(fileURLWithPath: hosts).resolvingSymlinksInPath().path) changed since"), "\(refused.stderr)")
        // Another hosts file named on the command line: refused too.
        try text.write(toFile: project.dir + "/other.json", atomically: true, encoding: .utf8)
        let other = try project.run(["--resume", "-p", "pw-value-1", "--hosts", "other.json"])
        #expect(other.status == 2)
        #expect(other.stderr.contains("hosts was "), "\(other.stderr)")
        // Told to go ahead: the unfinished step runs, and now succeeds.
        let allowed = try project.run(["--resume", "-p", "pw-value-1", "--allow-inventory-change"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }
}
