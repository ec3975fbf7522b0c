import Testing
@testable import SkpKit

@Suite struct InventoryTests {
    @Test func acceptsTheGuidesVariants() throws {
        let inventory = try Fixture.inventory(hosts: """
        {
          "c01": {"ipv4": "10.0.0.1", "groups": ["master"], "labels": [{"spark-worker": "enable"}, {"pgsql": "disable"}]},
          "c02": {"address": "10.0.0.2", "roles": "worker", "labels": ["web"], "user": "vagrant", "port": 2222, "box": "debian/bookworm64"}
        }
        """)
        #expect(inventory.hosts.map(\.name) == ["c01", "c02"])
        #expect(inventory.hosts[0].roles == ["master"])
        #expect(inventory.hosts[0].enabledLabels == ["spark-worker"])
        #expect(inventory.hosts[1].roles == ["worker"])
        #expect(inventory.hosts[1].enabledLabels == ["web"])
        #expect(inventory.hosts[1].user == "vagrant" && inventory.hosts[1].port == 2222)
        #expect(inventory.hosts[1].fields["box"] == .plain("debian/bookworm64"))
    }

    @Test func keepsTheOrderWritten() throws {
        let inventory = try Fixture.inventory(hosts: #"{"zz": {"ipv4": "10.0.0.9"}, "aa": {"ipv4": "10.0.0.1"}, "mm": {"ipv4": "10.0.0.5"}}"#)
        #expect(inventory.hosts.map(\.name) == ["zz", "aa", "mm"])
    }

    @Test func expandsVariablesOnTheControlMachine() throws {
        let inventory = try Fixture.inventory(hosts: Fixture.fiveHosts, volumes: """
        {"v": {"type": "fs", "path": "$SKP_MNT/v", "opts": ["--opt device=${SKP_MNT}/v"], "note": "cost=$$5"}}
        """)
        #expect(inventory.volumes[0].path == "/home/op/mnt/v")
        #expect(inventory.volumes[0].opts == ["--opt device=/home/op/mnt/v"])
        #expect(inventory.volumes[0].fields["note"] == .plain("cost=$5"))
    }

    /// Each broken inventory fails with the exact place of the mistake.
    @Test(arguments: [
        // The guide's own typo: ';' for ':'.
        ("hosts", "{\n  \"c01\": {\n    \"path\" ; \"x\"\n  }\n}", "3:12", "':' expected"),
        ("hosts", "{\n  \"c01\": {\"ipv4\": \"10.0.0.1\"},\n}", "3:1", "invalid JSON"),
        ("hosts", "{\"c01\": {\"ipv4\": \"10.0.0.1\"}, \"c01\": {\"ipv4\": \"10.0.0.2\"}}", "1:", "duplicate object key"),
        ("hosts", "{\n  \"c01\": {\"roles\": [\"worker\"]}\n}", "2:3", "has no address"),
        ("hosts", "{\n  \"c01\": {\"ipv4\": \"10.0.0.1\"},\n  \"c02\": {\"ipv4\": \"10.0.0.1\"}\n}", "3:3", "duplicate address 10.0.0.1"),
        ("hosts", "{\n  \"c;01\": {\"ipv4\": \"10.0.0.1\"}\n}", "2:3", "host name \"c;01\" is not allowed"),
        ("hosts", "{\"c01\": {\"ipv4\": \"10.0.0.1\", \"port\": \"ssh\"}}", "1:38", "port must be a number"),
        ("volumes", "{\n  \"v\": {\"type\": \"xfs\", \"path\": \"/x\"}\n}", "2:17", "unknown volume type \"xfs\""),
        ("volumes", "{\n  \"v\": {\"type\": \"s3fs\", \"path\": \"/x\", \"account_id\": \"a\", \"account_key\": \"k\"}\n}", "2:3", "s3fs volume v needs \"bucket\""),
        ("volumes", "{\n  \"v\": {\"type\": \"fs\", \"path\": \"/x\", \"labels\": [\"gpu\"]}\n}", "2:3", "that no host has"),
        ("volumes", "{\n  \"v\": {\"type\": \"fs\", \"path\": \"$NOPE/x\"}\n}", "2:32", "$NOPE is not set"),
        ("networks", "{\"n\": [\"--driver overlay\"]}", "1:7", "network n must be an object"),
    ])
    func brokenInventoriesPointAtTheMistake(file: String, text: String, location: String, message: String) {
        let d = Fixture.diagnostic {
            switch file {
            case "hosts": _ = try Fixture.inventory(hosts: text)
            case "volumes": _ = try Fixture.inventory(hosts: Fixture.fiveHosts, volumes: text)
            default: _ = try Fixture.inventory(hosts: Fixture.fiveHosts, networks: text)
            }
        }
        #expect(d?.location?.file.hasSuffix("\(file).json") == true)
        #expect(d.map { "\($0.location!.line + 1):\($0.location!.column + 1)" }?.hasPrefix(location) == true,
                "got \(d?.location?.description ?? "no error")")
        #expect(d?.message.contains(message) == true, "\(d?.message ?? "no error")")
    }

    @Test func theGuidesTypoShowsTheLineAndACaret() {
        let d = Fixture.diagnostic { _ = try Fixture.inventory(hosts: "{\n  \"c01\": {\n    \"path\" ; \"x\"\n  }\n}") }
        let text = d?.render(color: false) ?? ""
        #expect(text.contains("3 |     \"path\" ; \"x\""))
        #expect(text.contains("^"))
        #expect(text.contains("hint: an object member is written \"key\": value"))
    }

    @Test func reportsEveryMistakeAtOnce() {
        do {
            _ = try Fixture.inventory(hosts: #"{"a": {}, "b": {}}"#)
            Issue.record("expected errors")
        } catch let list as DiagnosticList {
            #expect(list.diagnostics.count == 2)
        } catch { Issue.record("\(error)") }
    }

    @Test func volumeTargetsFollowLabels() throws {
        let inventory = try Fixture.inventory(hosts: Fixture.fiveHosts, volumes: """
        {"web-data": {"type": "fs", "path": "/d", "labels": ["web"]}, "shared": {"type": "nfs", "path": "/s"}}
        """)
        #expect(inventory.hosts.filter { inventory.volumes[0].targets($0) }.map(\.name) == ["c02", "c04"])
        #expect(inventory.hosts.filter { inventory.volumes[1].targets($0) }.count == 5)
    }
}
