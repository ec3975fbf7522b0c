import Foundation
import Testing
@testable import SkpKit

/// The live views driven by events, no hosts: what `-o merged`, grouped, stream and JSON print.
struct LiveViewTests {
    /// What a view wrote, collected instead of printed.
    final class Printed: @unchecked Sendable {
        // @unchecked: only appended to under the screen's lock, read after the events.
        var text = ""
    }

    /// One host's stage: what it printed (stdout, stderr) and how it ended.
    struct HostPlay {
        var name: String
        var stdout = ""
        var stderr = ""
        var status = HostReport.Status.ok
    }

    static func show(_ hosts: [HostPlay], layout: LiveOutput.Layout, json: Bool = false, secrets: [String] = [],
                     finishOrder: [String]? = nil) -> String {
        let printed = Printed()
        let output = LiveOutput(style: Style(enabled: false), layout: layout, json: json, hostNames: hosts.map(\.name),
                                mask: SharedMask(secrets.map { Secret($0) }), progress: false, screen: Screen { printed.text += $0 })
        output.observe(.stageQueued(hosts: hosts.map(\.name)))
        let byName = Dictionary(uniqueKeysWithValues: hosts.map { ($0.name, $0) })
        for name in finishOrder ?? hosts.map(\.name) {
            let host = byName[name]!
            let key = StepKey(taskIndex: 0, task: "t.x", stage: 0, host: name, index: 0, count: 1, description: "$ x")
            output.observe(.stepStarted(key, description: "$ x"))
            if !host.stdout.isEmpty { output.observe(.output(task: "t.x", host: name, stream: .stdout, bytes: Array(host.stdout.utf8))) }
            if !host.stderr.isEmpty { output.observe(.output(task: "t.x", host: name, stream: .stderr, bytes: Array(host.stderr.utf8))) }
            output.observe(.stepFinished(key, description: "$ x", result: .ok, duration: 0.1))
            output.observe(.hostFinished(task: "t.x", host: name, status: host.status, duration: 0.1))
        }
        output.observe(.stageFinished)
        output.observe(.progress(nil))
        return printed.text
    }

    static func fleet(_ count: Int, _ text: String) -> [HostPlay] {
        (1...count).map { HostPlay(name: String(format: "c%02d", $0), stdout: text) }
    }

    @Test func fiftyHostsWithTheSameOutputAreOneBlock() {
        let shown = Self.show(Self.fleet(50, "active\n"), layout: .merged, finishOrder: (1...50).reversed().map { String(format: "c%02d", $0) })
        #expect(shown == "[c[01-50]] ok (50 hosts)\nactive\n")
    }

    @Test func twoDifferentOutputsAreTwoBlocksInInventoryOrder() {
        var hosts = Self.fleet(5, "v1\n")
        hosts[1].stdout = "v2\n"
        hosts[4].stdout = "v2\n"
        // c05 finishes first: the order printed still follows the inventory.
        let shown = Self.show(hosts, layout: .merged, finishOrder: ["c05", "c02", "c04", "c03", "c01"])
        #expect(shown == "[c[01,03-04]] ok (3 hosts)\nv1\n[c[02,05]] ok (2 hosts)\nv2\n")
    }

    @Test func aFailedHostIsNeverMergedWithSuccessfulOnes() {
        var hosts = Self.fleet(3, "same\n")
        hosts[1].status = .failed
        let shown = Self.show(hosts, layout: .merged)
        #expect(shown == "[c[01,03]] ok (2 hosts)\nsame\n[c02] failed\nsame\n")
    }

    /// Which stream a line came on is part of the block: the same text on stderr is different.
    @Test func theStreamIsPartOfTheBlock() {
        let hosts = [HostPlay(name: "a1", stdout: "x\n"), HostPlay(name: "a2", stderr: "x\n")]
        #expect(Self.show(hosts, layout: .merged) == "[a1] ok\nx\n[a2] ok\nx\n")
    }

    @Test func secretsAreMaskedBeforeBlocksAreCompared() {
        let hosts = [HostPlay(name: "db1", stdout: "pw hunter2\n"), HostPlay(name: "db2", stdout: "pw hunter2\n")]
        let shown = Self.show(hosts, layout: .merged, secrets: ["hunter2"])
        #expect(shown == "[db[1-2]] ok (2 hosts)\npw ***\n")
    }

    @Test func jsonGivesOneEventPerMergedGroupListingItsHosts() throws {
        var hosts = Self.fleet(4, "up\n")
        hosts[3].status = .failed
        let shown = Self.show(hosts, layout: .merged, json: true)
        let events = try shown.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let merged = events.filter { $0["event"] as? String == "merged" }
        #expect(merged.count == 2)
        #expect(merged.first?["hosts"] as? [String] == ["c01", "c02", "c03"])
        #expect(merged.first?["folded"] as? String == "c[01-03]")
        #expect(merged.first?["status"] as? String == "ok")
        #expect((merged.first?["lines"] as? [[String: String]]) == [["stream": "stdout", "line": "up"]])
        #expect(merged.last?["hosts"] as? [String] == ["c04"] && merged.last?["status"] as? String == "failed")
        // No per-line output events under merged; the step events are still there.
        #expect(!events.contains { $0["event"] as? String == "output" })
        #expect(events.filter { $0["event"] as? String == "step" }.count == 4)
    }

    /// The views that existed before the split print what they printed then.
    @Test func groupedAndStreamKeepTheirShape() {
        let hosts = [HostPlay(name: "c01", stdout: "one\ntwo", stderr: "err\n"), HostPlay(name: "web-a", stdout: "x\r\n")]
        #expect(Self.show(hosts, layout: .grouped) == "[c01] ok\none\nerr\ntwo\n[web-a] ok\nx\n")
        #expect(Self.show(hosts, layout: .stream) == "c01   | one\nc01   | err\nc01   | two\nweb-a | x\n")
        let long = String(repeating: "y", count: LineSplitter.maxLine + 10) + "\n"
        let cut = Self.show([HostPlay(name: "c01", stdout: long)], layout: .stream)
        #expect(cut == "c01   | " + String(repeating: "y", count: LineSplitter.maxLine) + " …[line cut at 64 KiB]\nc01   | yyyyyyyyyy\n")
    }

    @Test(arguments: [
        (["c01", "c02", "c03", "c05"], "c[01-03,05]"),
        (["c1", "c2", "c10"], "c[1-2,10]"),
        (["c9", "c10"], "c[9-10]"),
        (["web-a", "web-b"], "web-a,web-b"),
        (["c01", "c1"], "c[01,1]"),
        (["c01", "c02", "c1"], "c[01-02,1]"),
        (["c03", "c01", "c02"], "c[01-03]"),
        (["c01"], "c01"),
        (["web-a", "c01", "c02", "db1"], "web-a,c[01-02],db1"),
        (["c099", "c100", "c101"], "c[099-101]"),
        (["10", "11"], "10,11"),
        (["c01", "c01"], "c01"),
    ])
    func hostNamesFold(names: [String], folded: String) {
        #expect(HostList.fold(names) == folded)
    }
}

/// Names made into path components for `--output-dir`.
struct PathComponentTests {
    @Test func hostAndTaskNamesBecomeOneSafeComponent() {
        #expect(PathComponent.safe("c01") == "c01")
        #expect(PathComponent.safe("docker.swarm-init") == "docker.swarm-init")
        for hostile in ["a/b", "..", ".", "", "x\u{1B}[2J", "../../etc", "tab\there"] {
            let safe = PathComponent.safe(hostile)
            #expect(!safe.contains("/") && safe != "." && safe != ".." && !safe.isEmpty, "\(hostile) → \(safe)")
            #expect(!safe.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(safe)")
        }
        // Two names that would look alike stay apart.
        #expect(PathComponent.safe("a/b") != PathComponent.safe("a_b"))
        #expect(PathComponent.safe(String(repeating: "é", count: 300)).utf8.count <= 210)
    }

    @Test func stepsAreNamedAfterTheirCommand() {
        #expect(PathComponent.slug("local$ echo same; echo err >&2") == "local-echo-same-echo-err-2")
        #expect(PathComponent.slug("$ ../../x") == "..-..-x")
        #expect(PathComponent.slug("$ ***") == "step")
        #expect(PathComponent.slug(String(repeating: "a", count: 100)).count == 40)
    }
}
