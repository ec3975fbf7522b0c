import Testing
@testable import SkpKit

/// Keepalive settings (issue 13 item 5): `--server-alive-interval` / `--server-alive-count-max`,
/// range-checked, over ssh_config's ServerAliveInterval / ServerAliveCountMax, over the defaults.
@Suite struct KeepaliveOptionTests {
    let library: TaskLibrary

    init() throws {
        library = try TaskLibrary(files: [Fixture.parse("task cmd { run \"true\" }", path: "tasks/ssh.skp")])
    }

    func parse(_ args: [String]) throws -> Options { try CommandLineParser(library: library).parse(args).options }

    func endpoint(_ options: Options, config: String) throws -> Endpoint {
        let inventory = try Fixture.inventory(hosts: #"{"c01": {"ipv4": "192.168.56.11", "roles": ["master"]}}"#)
        let resolver = EndpointResolver(connection: options.connection, config: SSHConfig(text: config), environment: ["HOME": "/home/op"])
        return resolver.endpoint(for: inventory.hosts[0], password: nil)
    }

    @Test func testIssue13Item5_keepaliveOptionsAreParsedInEveryForm() throws {
        let options = try parse(["--server-alive-interval", "2", "ssh.cmd", "--server-alive-count-max=5"])
        #expect(options.serverAliveInterval == 2)
        #expect(options.serverAliveCountMax == 5)
        #expect(try parse(["ssh.cmd"]).serverAliveInterval == nil)
    }

    @Test(arguments: ["0", "1", "-1", "3601", "1e3", "inf", "nan", "2.5", "", "99999999999999999999", "ten"])
    func testIssue13Item5_anIntervalOutOfRangeIsRefused(value: String) {
        #expect(throws: Diagnostic.self) { try parse(["--server-alive-interval", value, "ssh.cmd"]) }
        #expect(throws: Diagnostic.self) { try parse(["--server-alive-interval=\(value)", "ssh.cmd"]) }
    }

    @Test(arguments: ["0", "-3", "101", "1.0", "x"])
    func testIssue13Item5_aCountOutOfRangeIsRefused(value: String) {
        #expect(throws: Diagnostic.self) { try parse(["--server-alive-count-max", value, "ssh.cmd"]) }
    }

    @Test func testIssue13Item5_theBoundsAreAccepted() throws {
        let low = try parse(["--server-alive-interval", "2", "--server-alive-count-max", "1", "ssh.cmd"])
        #expect(low.serverAliveInterval == 2 && low.serverAliveCountMax == 1)
        let high = try parse(["--server-alive-interval", "3600", "--server-alive-count-max", "100", "ssh.cmd"])
        #expect(high.serverAliveInterval == 3600 && high.serverAliveCountMax == 100)
    }

    @Test func testIssue13Item5_defaultsDetectALostHostWithinSixtySeconds() throws {
        let plain = try endpoint(Options(), config: "")
        #expect(plain.serverAliveInterval == 10 && plain.serverAliveCountMax == 3)
        #expect(plain.serverAliveInterval * (plain.serverAliveCountMax + 1) <= 60)
    }

    @Test func testIssue13Item5_sshConfigKeywordsAreHonouredAndOptionsWin() throws {
        let config = "Host c01\n  ServerAliveInterval 7\n  ServerAliveCountMax 2\n"
        let fromConfig = try endpoint(Options(), config: config)
        #expect(fromConfig.serverAliveInterval == 7 && fromConfig.serverAliveCountMax == 2)
        var options = Options()
        options.serverAliveInterval = 2
        options.serverAliveCountMax = 4
        let fromOptions = try endpoint(options, config: config)
        #expect(fromOptions.serverAliveInterval == 2 && fromOptions.serverAliveCountMax == 4)
        // OpenSSH's "0" (off) and nonsense are not taken: skp never runs without keepalives.
        let off = try endpoint(Options(), config: "Host *\n  ServerAliveInterval 0\n  ServerAliveCountMax -1\n")
        #expect(off.serverAliveInterval == 10 && off.serverAliveCountMax == 3)
        let one = try endpoint(Options(), config: "Host *\n  ServerAliveInterval 1\n  ServerAliveCountMax 101\n")
        #expect(one.serverAliveInterval == 10 && one.serverAliveCountMax == 3)
        #expect(off.serverAliveInterval == 10 && off.serverAliveCountMax == 3)
    }
}
