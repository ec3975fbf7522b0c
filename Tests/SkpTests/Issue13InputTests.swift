import Foundation
import Testing
import SkpTestSupport

/// Issue 13, items 4, 8 and 10, end to end: hostile or careless input gets an error status
/// (1-3) and a message, never a signal, a silent misreading or a cost that grows wrong.
@Suite struct Issue13InputTests {
    /// A small project whose only task runs locally, so a real (recorded) run needs no host.
    static func localProject(_ extra: [String: String] = [:]) throws -> String {
        try Binary.project(["tasks/t.skp": "task hi {\n  on local\n  local \"true\"\n}\n", "hosts.json": #"{"h": {"ipv4": "10.0.0.1"}}"#,
                            "volumes.json": "{}", "networks.json": "{}"]
            .merging(extra) { $1 })
    }

    static func expectError(_ outcome: Binary.Outcome, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect((1...3).contains(outcome.status), "exit \(outcome.status): \(outcome.stderr.prefix(300))", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr.prefix(600))", sourceLocation: sourceLocation)
    }

    // MARK: item 4: crashes

    @Test(arguments: ["!", "(", "!("])
    func issue13Item4_deepLimitIsAnErrorNotACrash(prefix: String) throws {
        let selector = String(repeating: prefix, count: 5_000) + "all"
        Self.expectError(try Binary.run(["--dry-run", "--limit", selector, "docker.node-ls"]), "--limit:1:")
        Self.expectError(try Binary.run(["--list-hosts", selector]), "nested too deeply (more than 200 levels)")
    }

    @Test(arguments: [
        ("if", String(repeating: "if x {\n", count: 3_000) + String(repeating: "}\n", count: 3_000)),
        ("for", String(repeating: "for v in volumes {\n", count: 3_000) + String(repeating: "}\n", count: 3_000)),
        ("not", "if " + String(repeating: "not ", count: 5_000) + "x {\n}\n"),
        ("parentheses", "if " + String(repeating: "(", count: 5_000) + "x" + String(repeating: ")", count: 5_000) + " {\n}\n"),
        ("calls", "if " + String(repeating: "len(", count: 5_000) + "x" + String(repeating: ")", count: 5_000) + " {\n}\n"),
        ("or chain", "if " + Array(repeating: "x", count: 5_000).joined(separator: " or ") + " {\n}\n"),
        ("else if", "if x {\n}" + String(repeating: " else if x {\n}", count: 3_000) + "\n"),
        ("on blocks", String(repeating: "on all {\n", count: 3_000) + String(repeating: "}\n", count: 3_000)),
    ])
    func issue13Item4_deeplyNestedTaskFileIsAnError(kind: String, body: String) throws {
        let dir = try Binary.project(["tasks/deep.skp": "task t {\n" + body + "}\n"])
        let outcome = try Binary.run(["--dry-run", "deep.t"], in: dir)
        Self.expectError(outcome, "nested too deeply (more than 200 levels)")
        #expect(outcome.stderr.contains("tasks/deep.skp:"), "\(kind): \(outcome.stderr.prefix(300))")
    }

    @Test func issue13Item4_longHookChainIsRefusedAtItsStart() throws {
        var text = ""
        for i in 0..<5_000 { text += "task t\(i) {\n  pre t\(i + 1)\n}\n" }
        text += "task t5000 {\n  on local\n  local \"true\"\n}\n"
        let dir = try Binary.project(["tasks/chain.skp": text])
        let outcome = try Binary.run(["--dry-run", "chain.t0"], in: dir)
        Self.expectError(outcome, "a chain of pre/post hooks starting at chain.t0 is longer than 200 tasks")
        #expect(outcome.stderr.contains("tasks/chain.skp:1:6"))
    }

    @Test func issue13Item4_versionAndHelpWorkWithABrokenTaskFile() throws {
        let dir = try Binary.project(["tasks/broken.skp": "task oops {\n  run \"echo hi\n}\n"])
        let version = try Binary.run(["--version"], in: dir)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("skp "))
        let help = try Binary.run(["--help"], in: dir)
        #expect(help.status == 0)
        #expect(help.stdout.contains("Usage: skp"))
        #expect(help.stderr.contains("have errors"))
        // Anything that needs the tasks still reports the file, with its place.
        Self.expectError(try Binary.run(["--list"], in: dir), "tasks/broken.skp:2:7: error: unterminated string")
    }

    @Test func issue13Item4_unreadableTaskFileIsAnError() throws {
        let dir = try Binary.project([:])
        try FileManager.default.createDirectory(atPath: dir + "/tasks/folder.skp", withIntermediateDirectories: true)
        Self.expectError(try Binary.run(["--list"], in: dir), "cannot read the task file tasks/folder.skp: it is a folder")
    }

    @Test(arguments: [
        ("--connect-timeout", "2200000"), ("--connect-timeout", "inf"), ("--connect-timeout", "nan"), ("--connect-timeout", "1e400"),
        ("--connect-timeout", "-0"), ("--connect-timeout", "0"), ("--timeout", "2200000"), ("--timeout", "inf"), ("--timeout", "-inf"),
        ("--timeout", "nan"), ("--timeout", "1e400"), ("--timeout", "-0"), ("--forks", "0"), ("--forks", "1e400"), ("--forks", "2.5"),
        ("--forks", "99999999999999999999"), ("--port", "0"), ("--port", "65536"), ("--port", "-0"), ("--port", "nan"),
    ])
    func issue13Item4_numericOptionsOutOfRangeAreErrors(flag: String, value: String) throws {
        let dir = try Self.localProject()
        let outcome = try Binary.run([flag, value, "t.hi"], in: dir, environment: ["SKP_STATE": dir + "/state"])
        Self.expectError(outcome, "\(flag) takes")
        #expect(outcome.stderr.contains(" to "), "the error names the range: \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/state/runs"), "nothing ran")
    }

    @Test func issue13Item4_numericOptionsInRangeStillWork() throws {
        let dir = try Self.localProject()
        let outcome = try Binary.run(["--connect-timeout", "3600", "--timeout", "0.5", "--forks", "10000", "--port", "65535", "t.hi"],
                                     in: dir, environment: ["SKP_STATE": dir + "/state"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }

    // MARK: item 8: inputs silently misread

    @Test(arguments: ["--volumes", "--networks", "--hosts"])
    func issue13Item8_namedInventoryThatIsNotAFileIsAnError(flag: String) throws {
        let dir = try Binary.project([:])
        try FileManager.default.createDirectory(atPath: dir + "/afolder", withIntermediateDirectories: true)
        #expect(mkfifo(dir + "/afifo", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop1", withDestinationPath: dir + "/loop2")
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop2", withDestinationPath: dir + "/loop1")
        _ = FileManager.default.createFile(atPath: dir + "/huge.json", contents: nil)
        let huge = FileHandle(forWritingAtPath: dir + "/huge.json")!
        try huge.truncate(atOffset: 65 * 1_048_576)
        try huge.close()
        let cases = [("afolder", "it is a folder"), ("afifo", "it is a FIFO"), ("loop1", "Too many levels of symbolic links"),
                     ("missing.json", "no such file"), ("huge.json", "it is larger than 64 MiB")]
        for (name, reason) in cases {
            let outcome = try Binary.run(["--dry-run", flag, name, "docker.network-ls"], in: dir)
            Self.expectError(outcome, "cannot read \(name): \(reason)")
            #expect(outcome.stdout.isEmpty)
        }
        // The same through the environment.
        let variable = ["--volumes": "SKP_VOLUMES", "--networks": "SKP_NETWORKS", "--hosts": "SKP_HOSTS"][flag]!
        Self.expectError(try Binary.run(["--dry-run", "docker.network-ls"], in: dir, environment: [variable: "missing.json"]),
                         "cannot read missing.json: no such file")
    }

    @Test func issue13Item8_unreadableNamedInventoryIsAnError() throws {
        guard getuid() != 0 else { return } // root reads a mode-000 file; the folder, FIFO and loop cases cover root
        let dir = try Binary.project([:])
        chmod(dir + "/volumes.json", 0)
        Self.expectError(try Binary.run(["--dry-run", "--volumes", "volumes.json", "docker.network-ls"], in: dir), "Permission denied")
    }

    @Test func issue13Item8_absentDefaultVolumesAndNetworksAreStillEmpty() throws {
        let dir = try Binary.project([:])
        try FileManager.default.removeItem(atPath: dir + "/volumes.json")
        try FileManager.default.removeItem(atPath: dir + "/networks.json")
        let outcome = try Binary.run(["--dry-run", "docker.network-ls"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        // But a default that is a folder is not "absent" for a task that uses volumes (a task that
        // uses none does not read the file: issue 18).
        try FileManager.default.createDirectory(atPath: dir + "/volumes.json", withIntermediateDirectories: true)
        Self.expectError(try Binary.run(["--dry-run", "docker.volume-create"], in: dir), "cannot read volumes.json: it is a folder")
        #expect(try Binary.run(["--dry-run", "docker.network-ls"], in: dir).status == 0)
    }

    @Test(arguments: ["no", "0", "False", "OFF", "false"])
    func issue13Item8_falseBooleanValuesTurnAFlagOff(value: String) throws {
        let dir = try Binary.project(["tasks/f.skp": "task t {\n  param loud flag\n  on local\n  if loud {\n    local \"echo LOUD\"\n  } else {\n    local \"echo quiet\"\n  }\n}\n"])
        let off = try Binary.run(["--dry-run", "f.t", "--loud=\(value)"], in: dir)
        #expect(off.status == 0, "\(off.stderr)")
        #expect(off.stdout.contains("echo quiet") && !off.stdout.contains("echo LOUD"), "\(off.stdout)")
        let on = try Binary.run(["--dry-run", "f.t", "--loud=\(value == "no" ? "YES" : "1")"], in: dir)
        #expect(on.stdout.contains("echo LOUD"), "\(on.stdout)")
        let dryRunOff = try Binary.run(["--dry-run=\(value)", "t.hi"], in: try Self.localProject(),
                                       environment: ["SKP_STATE": dir + "/state"])
        #expect(dryRunOff.status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/state/runs"), "--dry-run=\(value) ran for real, as it says")
    }

    @Test func issue13Item8_otherBooleanValuesAreRefused() throws {
        let dir = try Binary.project(["tasks/f.skp": "task t {\n  param loud flag\n  on local\n  local \"true\"\n}\n"])
        Self.expectError(try Binary.run(["--dry-run", "f.t", "--loud=nope"], in: dir), "--loud takes true or false")
        Self.expectError(try Binary.run(["--dry-run", "f.t", "--keep-going=maybe"], in: dir), "--keep-going takes true or false")
        Self.expectError(try Binary.run(["--dry-run=", "f.t"], in: dir), "--dry-run takes true or false")
    }

    @Test func issue13Item8_repeatedTaskFlagIsAnError() throws {
        let outcome = try Binary.run(["--dry-run", "docker.network-create", "-n", "a", "-n", "b"])
        Self.expectError(outcome, "-n is given twice for docker.network-create")
        Self.expectError(try Binary.run(["--dry-run", "docker.network-create", "-n", "a", "--name=b"]), "given twice")
    }

    @Test func issue13Item8_crlfTaskFilesAreRead() throws {
        let text = "namespace w \"windows\"\r\ntask hi \"says hi\" {\r\n  on local\r\n  local \"echo hi\"\r\n}\r\n"
        let dir = try Binary.project(["tasks/w.skp": text])
        let outcome = try Binary.run(["--dry-run", "w.hi"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("echo hi"))
        // A carriage return that ends no line is still a mistake, with its place.
        let lone = try Binary.project(["tasks/w.skp": "task hi {\n  on local \r local \"echo hi\"\n}\n"])
        Self.expectError(try Binary.run(["--dry-run", "w.hi"], in: lone), "tasks/w.skp:2:12: error: a carriage return")
    }

    @Test func issue13Item8_invalidUTF8TaskFileIsRefusedWithItsPlace() throws {
        let dir = try Binary.project([:])
        let bytes = Array("task hi {\n  on local\n  local \"echo h".utf8) + [0xC3, 0x28] + Array("\"\n}\n".utf8)
        _ = FileManager.default.createFile(atPath: dir + "/tasks/bad.skp", contents: Data(bytes))
        Self.expectError(try Binary.run(["--dry-run", "bad.hi"], in: dir), "tasks/bad.skp:3:16: error: invalid UTF-8 at byte")
    }

    // MARK: item 10: cost that grows wrong

    @Test func issue13Item10_oneLineHostsJsonOfTenThousandHostsLoadsInLinearTime() throws {
        var hosts: [String] = []
        for i in 0..<10_000 {
            let roles = i == 0 ? #"["master","manager"]"# : #"["worker"]"#
            hosts.append(#""h\#(i)":{"ipv4":"10.\#(i / 65536).\#(i / 256 % 256).\#(i % 256)","roles":\#(roles),"labels":{"l1":"enable"}}"#)
        }
        let dir = try Binary.project(["hosts.json": "{" + hosts.joined(separator: ",") + "}", "volumes.json": "{}", "networks.json": "{}"])
        let (outcome, seconds) = try Binary.timed(["--list-hosts", "all"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr.prefix(300))")
        #expect(outcome.stdout.contains("10000 hosts match all"))
        // Quadratic locating took minutes on this file; linear takes well under a second.
        #expect(seconds < 20, "took \(seconds) s")
    }

    @Test func issue13Item10_runsListsFromHeadersAndOldJournalsArePruned() throws {
        let dir = try Self.localProject()
        let state = dir + "/state", runs = state + "/runs"
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        // 5 old runs (a year ago) and 4 recent ones, by id; the oldest is the one resumed.
        func journal(_ id: String, age days: Double) {
            let path = "\(runs)/\(id).jsonl"
            let text = #"{"event":"run","id":"\#(id)","started":"2025-01-01T00:00:00Z","command":"skp t.hi","arguments":["t.hi"],"inventory":"hosts.json","resume_of":null}"# + "\n"
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            let when = Date().addingTimeInterval(-days * 86_400)
            try? FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: path)
        }
        for i in 0..<5 { journal("20250101-00000\(i)-1", age: 365) }
        for i in 0..<4 { journal("20261101-00000\(i)-1", age: 1) }
        let outcome = try Binary.run(["--resume", "20250101-000000-1"], in: dir,
                                     environment: ["SKP_STATE": state, "SKP_KEEP_RUNS": "3"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: runs).sorted()
        // Kept: the resumed run, the new run and the 2 newest before it (3 newest in all, the resumed one spared).
        #expect(left.count == 4, "\(left)")
        #expect(left.contains("20250101-000000-1.jsonl"))
        #expect(left.contains("20261101-000003-1.jsonl") && left.contains("20261101-000002-1.jsonl"))
        #expect(!left.contains("20261101-000001-1.jsonl") && !left.contains("20250101-000004-1.jsonl"))
        // A bad setting is refused before anything runs.
        Self.expectError(try Binary.run(["t.hi"], in: dir, environment: ["SKP_STATE": state, "SKP_KEEP_RUNS_DAYS": "0"]),
                         "$SKP_KEEP_RUNS_DAYS takes a whole number from 1 to 36500")
        Self.expectError(try Binary.run(["t.hi"], in: dir, environment: ["SKP_STATE": state, "SKP_KEEP_RUNS": "lots"]),
                         "$SKP_KEEP_RUNS takes")
        #expect(try FileManager.default.contentsOfDirectory(atPath: runs).count == 4)
        // The new run's end line counts its hosts, so the listing reads no steps.
        let list = try Binary.run(["runs"], in: dir, environment: ["SKP_STATE": state])
        #expect(list.status == 0)
        #expect(list.stdout.contains("skp t.hi"))
    }
}
