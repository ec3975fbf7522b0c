import Foundation
import Testing
@testable import SkpKit

/// Issue 13, items 4, 8 and 10, at the level of the parts: depth limits, the status board on
/// odd terminals, inventory fields that contradict each other, journal summaries and pruning.
@Suite struct Issue13InputUnitTests {
    // MARK: item 4

    @Test func issue13Item4_nestingUpToTheLimitParsesAndOneMoreIsRefused() throws {
        let limit = Parser.maxNesting
        // One level is the selector itself; each ( adds one.
        _ = try Parser.parseSelector(String(repeating: "(", count: limit - 1) + "all" + String(repeating: ")", count: limit - 1))
        let deeper = String(repeating: "(", count: limit) + "all" + String(repeating: ")", count: limit)
        let diagnostic = Fixture.diagnostic { _ = try Parser.parseSelector(deeper) }
        #expect(diagnostic?.message == "nested too deeply (more than \(limit) levels)")
        #expect(diagnostic?.location?.description == "--limit:1:\(limit + 1)")
    }

    @Test func issue13Item4_interpolationsInsideStringsCountTowardTheLimit() throws {
        // "${"${"…"}"}": each string inside ${} is parsed by a parser of its own.
        var expr = "x"
        for _ in 0..<300 { expr = "len(\"${\(expr)}\")" }
        let diagnostic = Fixture.diagnostic { _ = try Fixture.parse("task t {\n  echo \"${\(expr)}\"\n}\n") }
        #expect(diagnostic != nil)
    }

    @Test func issue13Item4_hookChainAtTheLimitIsAcceptedAndLongerRefused() throws {
        func chain(_ length: Int) throws -> TaskFile {
            var text = ""
            for i in 0..<length - 1 { text += "task t\(i) {\n  pre t\(i + 1)\n}\n" }
            text += "task t\(length - 1) {\n  echo \"end\"\n}\n"
            return try Fixture.parse(text)
        }
        _ = try TaskLibrary(files: [try chain(TaskLibrary.maxHookChain)])
        let diagnostic = Fixture.diagnostic { _ = try TaskLibrary(files: [try chain(TaskLibrary.maxHookChain + 1)]) }
        #expect(diagnostic?.message.contains("starting at t.t0 is longer than 200 tasks") == true)
        // A chain reached in the middle, through a task already explored, is measured from its start.
        var text = "task a {\n  pre b\n}\ntask b {\n  pre t0\n}\n"
        for i in 0..<199 { text += "task t\(i) {\n  pre t\(i + 1)\n}\n" }
        text += "task t199 {\n  echo \"end\"\n}\n"
        let reached = Fixture.diagnostic { _ = try TaskLibrary(files: [try Fixture.parse(text)]) }
        #expect(reached?.message.contains("starting at t.a") == true, "\(String(describing: reached))")
    }

    @Test(arguments: [(0, 0), (1, 1), (2, 1), (24, 1), (1, 80), (65535, 65535), (-5, -5)])
    func issue13Item4_statusBoardDrawsOnAnyTerminalSize(rows: Int, columns: Int) {
        var board = StatusBoard()
        let hosts = (0..<50).map { "host-with-a-long-name-\($0)" }
        board.reset(hosts)
        board.set(hosts[0], .running(1, 3))
        board.set(hosts[1], .done(.failed))
        let lines = board.lines(rows: rows, columns: columns, style: Style(mode: .never, fileDescriptor: 1, environment: [:]))
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.count <= StatusBoard.columnRange.upperBound })
    }

    // MARK: item 8

    @Test(arguments: [
        (#"{"c01": {"ipv4": "10.0.0.1", "address": "10.0.0.2"}}"#, #"host c01 has both "ipv4" and "address""#, "1:30"),
        (#"{"c01": {"ipv4": "10.0.0.1", "roles": ["worker"], "groups": ["master"]}}"#, #"host c01 has both "roles" and "groups""#, "1:51"),
        ("{\"c01\": {\"ipv4\": \"10.0.0.1\", \"roles\": [\"master\"]},\n \"c02\": {\"ipv4\": \"10.0.0.2\", \"roles\": [\"master\"]}}",
         "host c02 is a second master (the first is c01)", "2:2"),
    ])
    func issue13Item8_contradictoryInventoryFieldsAreErrors(hosts: String, message: String, location: String) throws {
        let diagnostic = Fixture.diagnostic { _ = try Fixture.inventory(hosts: hosts) }
        #expect(diagnostic?.message == message)
        #expect(diagnostic?.location?.description.hasSuffix("hosts.json:" + location) == true, "\(String(describing: diagnostic))")
    }

    @Test func issue13Item8_onlyAnAbsentDefaultFileIsEmpty() throws {
        let dir = Fixture.folder(["hosts.json": #"{"c01": {"ipv4": "10.0.0.1"}}"#])
        var paths = InventoryPaths.resolve(hosts: nil, volumes: nil, networks: nil, folder: dir, environment: [:])
        var loader = InventoryLoader(environment: Fixture.environment)
        #expect(try loader.load(paths).volumes.isEmpty)
        paths = InventoryPaths.resolve(hosts: nil, volumes: dir + "/volumes.json", networks: nil, folder: dir, environment: [:])
        #expect(Fixture.diagnostic { _ = try loader.load(paths) }?.message.contains("no such file") == true)
        paths = InventoryPaths.resolve(hosts: nil, volumes: nil, networks: nil, folder: dir, environment: ["SKP_NETWORKS": dir + "/n.json"])
        #expect(Fixture.diagnostic { _ = try loader.load(paths) }?.message.contains("no such file") == true)
    }

    // MARK: item 10

    @Test func issue13Item10_locatingIsLinearOnOneLine() throws {
        // 20,000 values on one line: positions are still exact, and found in one pass.
        let items = (0..<20_000).map { #""k\#($0)": "é\#($0)""# }
        let text = "{" + items.joined(separator: ", ") + "}"
        let start = Date()
        let root = try JSONDocument.load(path: "x.json", text: text)
        let elapsed = Date().timeIntervalSince(start)
        let last = root["k19999"]!
        let column = text.distance(from: text.startIndex, to: text.range(of: "\"é19999\"")!.lowerBound)
        #expect(last.location.line == 0 && last.location.column == column)
        #expect(elapsed < 20, "took \(elapsed) s")
    }

    static func journal(_ folder: String, _ id: String, lines: [String]) {
        let header = #"{"event":"run","id":"\#(id)","started":"2026-01-01T00:00:00Z","command":"skp x","arguments":["x"],"inventory":"hosts.json","resume_of":null}"#
        _ = FileManager.default.createFile(atPath: "\(folder)/\(id).jsonl", contents: Data(([header] + lines).joined(separator: "\n").utf8 + [10]))
    }

    @Test func issue13Item10_listingReadsOnlyTheHeaderAndTheEnd() throws {
        let folder = Fixture.folder([:])
        // Steps in the middle that listing must not need (a real run has thousands).
        var steps: [String] = []
        for i in 0..<2_000 {
            steps.append(#"{"event":"start","key":"0:x/0/h\#(i % 7)/\#(i):k","task":"x","host":"h\#(i % 7)","step":"1","of":"1","command":"c","at":"t"}"#)
        }
        Self.journal(folder, "20260101-000000-1", lines: steps + [#"{"event":"end","exit_code":1,"duration_ms":5,"interrupted":false,"at":"t","hosts":7,"hosts_not_done":7}"#])
        let runs = RunHistory.list(folder: folder)
        #expect(runs.count == 1)
        #expect(runs[0].steps.isEmpty, "the steps were parsed")
        #expect(runs[0].hostCount == 7 && runs[0].hostsNotDoneCount == 7 && runs[0].exitCode == 1)
        // Showing one run, or resuming it, still reads it whole.
        let run = try RunHistory.find("2026", folder: folder)
        #expect(run.steps.count == 2_000 && run.hostsFailed.count == 7)
        // A journal cut off before its end is read whole to count its hosts.
        Self.journal(folder, "20260102-000000-1", lines: Array(steps.prefix(3)))
        let cut = RunHistory.list(folder: folder)[0]
        #expect(cut.id == "20260102-000000-1" && cut.exitCode == nil && cut.hostCount == 3)
    }

    @Test func issue13Item10_journalEndCountsHosts() throws {
        let folder = Fixture.folder([:])
        let journal = try Journal(folder: folder, command: "skp x", arguments: ["x"], inventory: "hosts.json", resumeOf: nil)
        let a = StepKey(taskIndex: 0, task: "x", stage: 0, host: "a", index: 0, count: 1, description: "c")
        let b = StepKey(taskIndex: 0, task: "x", stage: 0, host: "b", index: 0, count: 1, description: "c")
        journal.stepStarted(a, description: "c")
        journal.stepFinished(a, status: "ok", exitCode: 0, duration: 0.1, message: nil)
        journal.stepStarted(b, description: "c")
        journal.stepFinished(b, status: "failed", exitCode: 1, duration: 0.1, message: nil)
        journal.finish(exitCode: 1, duration: 0.2, interrupted: false)
        let listed = RunHistory.list(folder: folder)[0]
        #expect(listed.steps.isEmpty && listed.hostCount == 2 && listed.hostsNotDoneCount == 1)
    }

    @Test func issue13Item10_pruningKeepsTheNewestAndTheResumedRun() throws {
        let folder = Fixture.folder([:])
        let now = Date()
        for day in 0..<10 {
            let id = "202601\(String(format: "%02d", 20 - day))-000000-1"
            Self.journal(folder, id, lines: [])
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-Double(day) * 86_400 - 60)],
                                                  ofItemAtPath: "\(folder)/\(id).jsonl")
        }
        _ = FileManager.default.createFile(atPath: folder + "/notes.txt", contents: Data())
        // Keep 6 (this run's included: 5 left), none older than 3 days, spare the oldest.
        RunRetention(keep: 6, days: 3).prune(folder: folder, sparing: "20260111-000000-1", now: now)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left == ["20260118-000000-1.jsonl", "20260119-000000-1.jsonl", "20260120-000000-1.jsonl",
                         "20260111-000000-1.jsonl", "notes.txt"].sorted())
        RunRetention(keep: 2, days: 30).prune(folder: folder, sparing: nil, now: now)
        #expect(RunHistory.ids(folder: folder) == ["20260120-000000-1"])
        #expect(throws: Diagnostic.self) { try RunRetention(environment: ["SKP_KEEP_RUNS": "0"]) }
        #expect(throws: Diagnostic.self) { try RunRetention(environment: ["SKP_KEEP_RUNS_DAYS": "1e9"]) }
        #expect(try RunRetention(environment: ["SKP_KEEP_RUNS": "7"]).keep == 7)
    }
}
