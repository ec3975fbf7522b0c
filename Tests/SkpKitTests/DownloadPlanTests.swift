import Testing
@testable import SkpKit

/// `download "REMOTE" to "LOCAL"`: what the parser and the planner accept, and where they point
/// when they refuse.
@Suite struct DownloadPlanTests {
    let inventory: Inventory

    init() throws { inventory = try Fixture.inventory(hosts: Fixture.fiveHosts) }

    @Test(arguments: [
        ("task a {\n  download \"/etc/x\"\n}", "tasks/t.skp:2:20", "expected 'to', found end of line"),
        ("task a {\n  download to \"out/x\"\n}", "tasks/t.skp:2:12", "the host's file to download"),
        ("task a {\n  download \"/etc/x\" to\n}", "tasks/t.skp:2:23", "where to put it on this machine"),
        ("task a {\n  download \"/etc/x\" into \"out\"\n}", "tasks/t.skp:2:21", "expected 'to'"),
        ("task a {\n  download \"/etc/x\" to \"out/x\" mode 0600\n}", "tasks/t.skp:2:32", "expected end of line, found 'mode'"),
        ("task a {\n  downlaod \"/etc/x\" to \"y\"\n}", "tasks/t.skp:2:3", "unknown step 'downlaod'"),
    ])
    func badFormsPointAtTheMistake(source: String, location: String, message: String) {
        let d = Fixture.diagnostic { _ = try Fixture.parse(source) }
        #expect(d?.location?.description == location, "\(d?.message ?? "no error")")
        #expect(d?.message.contains(message) == true, "\(d?.message ?? "no error")")
    }

    @Test func aMisspeltDownloadIsSuggested() {
        let d = Fixture.diagnostic { _ = try Fixture.parse("task a {\n  downlod \"x\" to \"y\"\n}") }
        #expect(d?.hint == "did you mean 'download'?")
    }

    func plan(_ source: String, limit: String? = nil) throws -> [String] {
        Fixture.lines(try Fixture.plan(["d": source], [TaskRequest(task: "d.t")], inventory: inventory, limit: limit))
    }

    @Test func eachHostsFileLandsInItsOwnPath() throws {
        let lines = try plan("task t {\n on role:worker { download \"/etc/docker/daemon.json\" to \"out/${host.name}/daemon.json\" }\n}")
        #expect(lines == [
            "d.t | c04 | download /etc/docker/daemon.json to out/c04/daemon.json (this machine) via SFTP",
            "d.t | c05 | download /etc/docker/daemon.json to out/c05/daemon.json (this machine) via SFTP",
        ])
    }

    @Test func limitNarrowsADownloadLikeAnyChange() throws {
        let lines = try plan("task t {\n download \"/f\" to \"out/${host.name}/f\"\n}", limit: "c03")
        #expect(lines == ["d.t | c03 | download /f to out/c03/f (this machine) via SFTP"])
    }

    @Test func basenameNamesTheFileAndRefusesFolders() throws {
        let lines = try plan("task t {\n on c01 { download \"/var/log/syslog\" to \"f/${basename(\"/var/log/syslog/\")}\" }\n}")
        #expect(lines == ["d.t | c01 | download /var/log/syslog to f/syslog (this machine) via SFTP"])
        for bad in ["/", "/var/..", ""] {
            let d = Fixture.diagnostic { _ = try self.plan("task t {\n on c01 { download \"/x\" to \"f/${basename(\"\(bad)\")}\" }\n}") }
            #expect(d?.message.contains("has no file name") == true, "\(bad): \(d?.message ?? "no error")")
        }
    }

    /// Values may not climb out of the folder the task wrote, nor hide control characters.
    @Test(arguments: [
        ("task t {\n param d default \"../up\"\n on c01 { download \"/x\" to \"${d}/f\" }\n}", "climb out of its folder", "3:28"),
        ("task t {\n param d default \"a/../../b\"\n on c01 { download \"/x\" to \"out/${d}/f\" }\n}", "climb out of its folder", "3:28"),
        ("task t {\n param d default \"..\"\n on c01 { download \"/x\" to \"out/${d}\" }\n}", "names a folder", "3:28"),
        ("task t {\n on c01 { download \"/x\" to \"out/\" }\n}", "names a folder", "2:28"),
        ("task t {\n on c01 { download \"/x\" to \"out/.\" }\n}", "names a folder", "2:28"),
        ("task t {\n param d default \"a\\nb\"\n on c01 { download \"/x\" to \"out/${d}\" }\n}", "holds control characters", "3:28"),
        ("task t {\n on c01 { download \"/x\\ty\" to \"out/f\" }\n}", "holds control characters", "2:20"),
        ("task t {\n on c01 { download \"\" to \"out/f\" }\n}", "the host's path is empty", "2:20"),
        ("task t {\n param p secret default \"s\"\n on c01 { download \"/x\" to \"out/${p}\" }\n}", "cannot hold secrets", "3:28"),
        ("task t {\n on local { download \"/x\" to \"out/f\" }\n}", "no host to fetch from", "2:22"),
    ])
    func badPathsAreRefusedWhilePlanning(source: String, message: String, location: String) {
        let d = Fixture.diagnostic { _ = try self.plan(source) }
        #expect(d?.message.contains(message) == true, "\(d?.message ?? "no error")")
        #expect(d.map { "\($0.location!.line + 1):\($0.location!.column + 1)" } == location)
    }

    /// A literal `..` is the task author's own choice; only values are held inside.
    @Test func theTaskAuthorsOwnDotDotIsKept() throws {
        let lines = try plan("task t {\n on c02 { download \"/x\" to \"../keep/${host.name}/x\" }\n}")
        #expect(lines == ["d.t | c02 | download /x to ../keep/c02/x (this machine) via SFTP"])
    }

    /// Host names reach local paths: the inventory keeps them to one plain path component.
    @Test(arguments: ["a/b", "..", ".hidden", "c\u{1b}[2J"])
    func hostNamesThatCouldNameAnotherPathAreRefused(name: String) {
        let hosts = "{ \"\(name.replacingOccurrences(of: "\u{1b}", with: "\\u001b"))\": {\"ipv4\": \"10.0.0.9\"} }"
        let d = Fixture.diagnostic { _ = try Fixture.inventory(hosts: hosts) }
        #expect(d?.message.contains("is not allowed") == true, "\(d?.message ?? "no error")")
    }
}
