import Foundation
import Testing
import SkpTestSupport

/// `-o merged` through the binary, with `local` steps run on this machine for each host (no SSH).
@Suite struct MergedOutputTests {
    static let hosts = #"{"c01": {"ipv4": "10.255.0.1"}, "c02": {"ipv4": "10.255.0.2"}, "c03": {"ipv4": "10.255.0.3"}, "web-a": {"ipv4": "10.255.0.4"}}"#
    static let tasks = """
        task same "the same on every host" {
          on all
          local "echo same; echo warn >&2"
        }

        task odd "c02 fails, web-a answers differently" {
          on all
          local "if [ ${host.name} = web-a ]; then echo other; else echo same; fi; [ ${host.name} != c02 ]"
        }

        """

    static func run(_ arguments: [String]) throws -> Binary.Outcome {
        let dir = try Binary.project(["tasks/m.skp": tasks, "hosts.json": hosts])
        return try Binary.run(arguments, in: dir, environment: ["SKP_LOCK_DIR": dir + "/.locks"])
    }

    @Test func identicalHostsAreOneBlock() throws {
        let outcome = try Self.run(["-o", "merged", "m.same"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let blocks = outcome.stdout.components(separatedBy: "\n\nSummary")[0]
        #expect(blocks == "==> m.same\n[c[01-03],web-a] changed (4 hosts)\nsame\nwarn", "\(outcome.stdout)")
    }

    @Test func aFailedHostAndADifferentAnswerAreTheirOwnBlocks() throws {
        let outcome = try Self.run(["-o", "merged", "m.odd"])
        #expect(outcome.status == 1)
        let blocks = outcome.stdout.components(separatedBy: "\n\nSummary")[0].split(separator: "\n").map(String.init)
        #expect(blocks.first == "==> m.odd")
        #expect(blocks.contains("[c[01,03]] changed (2 hosts)"), "\(outcome.stdout)")
        #expect(blocks.contains("[c02] failed"), "\(outcome.stdout)")
        #expect(blocks.contains("[web-a] changed"), "\(outcome.stdout)")
        #expect(blocks.filter { $0.hasPrefix("[") }.count == 3)
    }

    @Test func jsonWithMergedIsOneEventPerGroup() throws {
        let outcome = try Self.run(["--json", "-o", "merged", "m.same"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let events = outcome.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let merged = events.filter { $0["event"] as? String == "merged" }
        #expect(merged.count == 1, "\(outcome.stdout)")
        #expect(merged.first?["hosts"] as? [String] == ["c01", "c02", "c03", "web-a"])
        #expect(merged.first?["folded"] as? String == "c[01-03],web-a")
        #expect(events.contains { $0["event"] as? String == "summary" })
    }

    @Test func anUnknownOutputModeIsRefused() throws {
        let outcome = try Self.run(["-o", "mergd", "m.same"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("takes stream, grouped or merged"), "\(outcome.stderr)")
    }
}
