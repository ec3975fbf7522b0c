import Foundation
import Testing
@testable import SkpKit

/// Hostile values and inventories: each must be refused at plan time or arrive as exactly the text
/// it is. The commands skp plans are run here by real shells (dash and bash), and a marker file
/// proves that nothing else ran.
@Suite struct HostileInputTests {
    static let marker = NSTemporaryDirectory() + "skp-hostile-\(UUID().uuidString.prefix(8))"

    static let values: [String] = [
        "$(touch \(marker))", "`touch \(marker)`", "'; touch \(marker); '", "\"; touch \(marker); \"",
        "a; touch \(marker)", "x\ntouch \(marker)", "$HOME ${HOME} $((1+1))", "* ? [a] ~", "\\", "back\\slash\\",
        "'", "\"", "`", "it's \"quoted\"", "tab\there", "dollar$", "EOF", "\\$(touch \(marker))", "é ünïcødé ✓", "",
        "a | touch \(marker) &", "#not a comment", "!", "<<EOF", ")", "\")", "'`$(\"\\",
    ]

    /// Templates as a task author writes them (shell text), and what each must print for value v.
    static let templates: [(String, (String) -> String)] = [
        ("printf '%s' ${v}", { $0 }),
        ("printf '%s' \"${v}\"", { $0 }),
        ("printf '%s' \"pre ${v} post\"", { "pre \($0) post" }),
        ("printf '%s' 'pre ${v} post'", { "pre \($0) post" }),
        ("printf '%s' pre${v}post", { "pre\($0)post" }),
        ("x=$(printf '%s.' ${v}); printf '%s' \"$x\"", { $0 + "." }),
        ("x=\"$(printf '%s.' \"${v}\")\"; printf '%s' \"$x\"", { $0 + "." }),
        ("x=`printf '%s.' ${v}`; printf '%s' \"$x\"", { $0 + "." }),
        ("x=\"`printf '%s.' \"${v}\"`\"; printf '%s' \"$x\"", { $0 + "." }),
        ("printf '%s' ok # ${v}", { _ in "ok" }),
        ("x=\"$(case a in a) printf '%s' ${v};; (b) :;; esac)\"; printf '%s' \"$x\"", { $0 }),
        ("x=\"$(case a in (a) printf '%s' \"${v}\";; esac; printf '%s' \"(${v})\")\"; printf '%s' \"$x\"", { "\($0)(\($0))" }),
        ("cat <<EOF\n${v}\nEOF", { $0 + "\n" }),
        ("cat <<-'END'\n\t${v} $HOME\n\tEND\nprintf '%s' ${v}", { "\($0) $HOME\n\($0)" }),
        ("cat <<EOF; printf '%s' ${v}\nline ${v}\nEOF", { "line \($0)\n\($0)" }),
    ]

    static func dsl(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
    }

    static func planned(_ template: String, value: String) throws -> String {
        let task = "task t \"t\" {\n  param v -v \"value\"\n  run \"\(dsl(template))\"\n}\n"
        let plan = try Fixture.plan(["h": task], [TaskRequest(task: "h.t", arguments: ["v": value])],
                                    inventory: Fixture.inventory(hosts: #"{"c01": {"ipv4": "10.0.0.1"}}"#))
        guard case .run(let command) = plan.tasks[0].stages[0].hosts[0].steps[0].kind else { throw CocoaError(.featureUnsupported) }
        return command.render(captures: [:])
    }

    static func shell(_ path: String, _ command: String) throws -> String {
        try runWithSecrets(path, TransportCommand(text: command, secrets: []))
    }

    @Test(arguments: 0..<templates.count)
    func everyValueArrivesAsItsOwnTextAndRunsNothing(index: Int) throws {
        let (template, expected) = Self.templates[index]
        for value in Self.values {
            let command: String
            do {
                command = try Self.planned(template, value: value)
            } catch let error as Diagnostic {
                // A here-document refuses values with a line break or that form its end word.
                #expect(template.contains("<<") && (value.contains("\n") || ["EOF", ""].contains(value)),
                        "\(template) refused \(value.debugDescription): \(error.message)")
                continue
            }
            for sh in ["/bin/sh", "/bin/bash"] {
                let printed = try Self.shell(sh, command)
                let want = expected(value)
                #expect(printed == want, "\(sh) \(template) with \(value.debugDescription): ran \(command.debugDescription)")
                #expect(!FileManager.default.fileExists(atPath: Self.marker), "\(value.debugDescription) ran a command: \(command)")
                try? FileManager.default.removeItem(atPath: Self.marker)
            }
        }
    }

    /// A secret is planned as a reference to a shell variable; its value goes on stdin (one line),
    /// as HangupGuard's prelude reads it on the host. The command line never holds the value.
    static func sent(_ template: String, secret: String, user: String = "root") throws -> TransportCommand {
        let task = "task t \"t\" {\n  param v -v secret \"value\"\n  \(user == "root" ? "run" : "sudo") \"\(dsl(template))\"\n}\n"
        let plan = try Fixture.plan(["h": task], [TaskRequest(task: "h.t", arguments: ["v": secret])],
                                    inventory: Fixture.inventory(hosts: #"{"c01": {"ipv4": "10.0.0.1", "user": "\#(user)"}}"#))
        guard case .run(let command) = plan.tasks[0].stages[0].hosts[0].steps[0].kind else { throw CocoaError(.featureUnsupported) }
        return command.forTransport(captures: [:])
    }

    static func runWithSecrets(_ sh: String, _ sent: TransportCommand, path: String = "/usr/bin:/bin") throws -> String {
        let reads = sent.secrets.indices.map { "IFS= read -r \(TransportCommand.variable($0))\n" }.joined()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sh)
        process.arguments = ["-c", reads + sent.text]
        process.environment = ["HOME": "/home/op", "PATH": path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(sent.secrets.map { $0 + "\n" }.joined().utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: 0..<templates.count)
    func everySecretArrivesAsItsOwnTextAndNeverInTheCommandLine(index: Int) throws {
        let (template, expected) = Self.templates[index]
        for value in Self.values {
            let sent: TransportCommand
            do {
                sent = try Self.sent(template, secret: value)
            } catch let error as Diagnostic {
                let refusable = value.contains("\n") || (template.contains("<<") && value == "EOF") || template.contains("<<-'END'")
                #expect(refusable, "\(template) refused secret \(value.debugDescription): \(error.message)")
                continue
            }
            #expect(value.count < 3 || template.contains(value) || !sent.text.contains(value), "the secret is in the command line: \(sent.text)")
            for sh in ["/bin/sh", "/bin/bash"] {
                let printed = try Self.runWithSecrets(sh, sent)
                #expect(printed == expected(value), "\(sh) \(template) with secret \(value.debugDescription): ran \(sent.text.debugDescription)")
                #expect(!FileManager.default.fileExists(atPath: Self.marker), "\(value.debugDescription) ran a command: \(sent.text)")
                try? FileManager.default.removeItem(atPath: Self.marker)
            }
        }
    }

    @Test func sudoStepsReadTheirSecretsFromStdin_withStandInSudo() throws {
        // No host here has a sudo user; a stand-in `sudo` (named as such) drops -n and runs the rest.
        let bin = Fixture.folder(["sudo": "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n"])
        chmod(bin + "/sudo", 0o755)
        for value in Self.values where !value.contains("\n") {
            let sent = try Self.sent("printf '%s|' ${v} \"x${v}\"", secret: value, user: "vagrant")
            #expect(sent.text.hasPrefix("sudo -n sh -c "), "\(sent.text)")
            #expect(value.count < 3 || "printf %s| x".contains(value) || !sent.text.contains(value), "the secret is in the command line: \(sent.text)")
            let printed = try Self.runWithSecrets("/bin/sh", sent, path: bin + ":/usr/bin:/bin")
            #expect(printed == "\(value)|x\(value)|", "with \(value.debugDescription): ran \(sent.text.debugDescription)")
            #expect(!FileManager.default.fileExists(atPath: Self.marker))
        }
    }

    @Test func aMultiLineSecretCannotGoInACommand() {
        let d = Fixture.diagnostic { _ = try Self.sent("printf '%s' ${v}", secret: "line1\nline2") }
        #expect(d?.message.contains("secret with a line break") == true, "\(d?.message ?? "planned")")
    }

    @Test(arguments: ["rm ${v}", "rm \"${v}\"", "rm '${v}'", "x=$(rm ${v})", "rm -f ${v} ${v}"])
    func optionLookingValuesAreRefusedWhereTheyStartAWord(template: String) {
        let d = Fixture.diagnostic { _ = try Self.planned(template, value: "-rf") }
        #expect(d?.message.contains("would read as an option") == true, "\(template): \(d?.message ?? "planned")")
        #expect(d?.location?.line == 2)
    }

    @Test func optionLookingValuesAreFineInsideAWord() throws {
        #expect(try Self.planned("grep -e${v} f", value: "-rf") == "grep -e-rf f")
        #expect(try Self.planned("echo \"x ${v}\"", value: "-rf") == "echo \"x -rf\"")
    }

    @Test func aMultiLineValueCannotEndAHereDocument() throws {
        let d = Fixture.diagnostic { _ = try Self.planned("cat <<EOF\n${v}\nEOF", value: "x\nEOF\nrm -rf /") }
        #expect(d?.message.contains("could end the here-document") == true, "\(d?.message ?? "planned")")
        let end = Fixture.diagnostic { _ = try Self.planned("cat <<EOF\n${v}\nEOF\necho after", value: "EOF") }
        #expect(end?.message.contains("equal to the here-document's end word") == true, "\(end?.message ?? "planned")")
        #expect(try Self.planned("cat <<EOF\nx${v}\nEOF", value: "EOF") == "cat <<EOF\nxEOF\nEOF")
    }

    @Test(arguments: ["/dev/zero", "/dev/stdin", "/", "/nonexistent"])
    func readOfASpecialOrMissingFileIsAnErrorNotAHang(path: String) {
        let task = "task t \"t\" {\n  param k -k \"key\"\n  run \"echo ${read(k)}\"\n}\n"
        let d = Fixture.diagnostic {
            _ = try Fixture.plan(["h": task], [TaskRequest(task: "h.t", arguments: ["k": path])],
                                 inventory: Fixture.inventory(hosts: #"{"c01": {"ipv4": "10.0.0.1"}}"#))
        }
        #expect(d?.message.contains("cannot read \(path) on this machine") == true, "\(d?.message ?? "planned")")
    }

    /// Inventory values that reach command lines or ssh-style arguments: refused where written.
    @Test(arguments: [
        (#"{"c01": {"ipv4": "-oProxyCommand=touch /tmp/x"}}"#, "1:18", "ipv4 \"-oProxyCommand=touch /tmp/x\" is not allowed"),
        (#"{"c01": {"ipv4": "10.0.0.1; reboot"}}"#, "1:18", "is not allowed"),
        (#"{"c01": {"ipv4": "10.0.0.1\nx"}}"#, "1:18", "is not allowed"),
        (#"{"c01": {"ipv4": "10.0.0.1", "user": "root$(id)"}}"#, "1:38", "user \"root$(id)\" is not allowed"),
        (#"{"c01": {"ipv4": "10.0.0.1", "user": "-l"}}"#, "1:38", "is not allowed"),
        (#"{"c01": {"ipv4": "10.0.0.1", "jump": "root@-oProxyCommand=x"}}"#, "1:38", "jump"),
        (#"{"c01": {"ipv4": "10.0.0.1", "jump": "a@b:22,-x"}}"#, "1:38", "jump"),
        (#"{"c01": {"ipv4": "10.0.0.1", "roles": ["ok", "x;y"]}}"#, "1:46", "role name \"x;y\" is not allowed"),
        (#"{"c01": {"ipv4": "10.0.0.1", "labels": {"a b": "enable"}}}"#, "1:41", "label name \"a b\" is not allowed"),
        (#"{"-c01": {"ipv4": "10.0.0.1"}}"#, "1:2", "host name \"-c01\" is not allowed"),
        (#"{"c\n01": {"ipv4": "10.0.0.1"}}"#, "1:2", "is not allowed"),
        (#"{"c\u000001": {"ipv4": "10.0.0.1"}}"#, "1:", "NUL byte"),
        (#"{"c01": {"ipv4": "10.0.0.1", "port": "22; id"}}"#, "1:38", "port must be a number"),
        ("[1, 2]", "1:1", "must be a JSON object keyed by name"),
        ("", "1:1", "invalid JSON"),
        ("{\"c01\": {\"ipv4\": \"10.0.0.1\"}", "1:", "invalid JSON"),
        ("\u{FEFF}{}", "1:", "invalid JSON"),
        (String(repeating: "[", count: 100_000), "1:", "invalid JSON"),
        ("{\"c01\": {\"ipv4\": \"\u{1}\"}}", "1:", "invalid JSON"),
    ])
    func hostileInventoriesAreRefusedWhereTheyAreWrong(text: String, location: String, message: String) {
        let d = Fixture.diagnostic { _ = try Fixture.inventory(hosts: text) }
        #expect(d != nil, "loaded: \(text.prefix(60).debugDescription)")
        #expect(d?.location?.file.hasSuffix("hosts.json") == true)
        #expect(d.map { "\($0.location!.line + 1):\($0.location!.column + 1)" }?.hasPrefix(location) == true,
                "got \(d?.location?.description ?? "no location") for \(text.prefix(60).debugDescription)")
        #expect(d?.message.contains(message) == true, "\(d?.message ?? "no error")")
    }

    @Test func invalidUTF8InAnInventoryIsAnErrorWithItsPlace() throws {
        let dir = Fixture.folder(["volumes.json": "{}", "networks.json": "{}"])
        var bytes = Array(#"{"c01": {"ipv4": "10.0.0.1", "user": "ro"#.utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(#"t"}}"#.utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/hosts.json"))
        let d = Fixture.diagnostic {
            var loader = InventoryLoader(environment: Fixture.environment)
            _ = try loader.load(InventoryPaths(hosts: dir + "/hosts.json", volumes: dir + "/volumes.json", networks: dir + "/networks.json"))
        }
        #expect(d?.message == "invalid UTF-8 at byte 41", "\(d?.message ?? "loaded")")
        #expect(d?.location?.line == 0 && d?.location?.column == 40)
    }
}
