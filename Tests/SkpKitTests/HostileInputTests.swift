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
        "x\nEOF\ntouch \(marker)", "END", "\tEND", "$((1<<2))", "${x:-$(touch \(marker))}", "a#b # c", ";", "*",
        "esac", "case", "}", "))", "$'\\x27'", "\\\ntouch \(marker)",
    ]

    /// Templates as a task author writes them (shell text), what each must print for value v, and
    /// whether only bash runs them (bash syntax that dash rejects or reads otherwise).
    static let templates: [(String, (String) -> String, bashOnly: Bool)] = [
        ("printf '%s' ${v}", { $0 }, false),
        ("printf '%s' \"${v}\"", { $0 }, false),
        ("printf '%s' \"pre ${v} post\"", { "pre \($0) post" }, false),
        ("printf '%s' 'pre ${v} post'", { "pre \($0) post" }, false),
        ("printf '%s' pre${v}post", { "pre\($0)post" }, false),
        ("x=$(printf '%s.' ${v}); printf '%s' \"$x\"", { $0 + "." }, false),
        ("x=\"$(printf '%s.' \"${v}\")\"; printf '%s' \"$x\"", { $0 + "." }, false),
        ("x=`printf '%s.' ${v}`; printf '%s' \"$x\"", { $0 + "." }, false),
        ("x=\"`printf '%s.' \"${v}\"`\"; printf '%s' \"$x\"", { $0 + "." }, false),
        ("x=\"$(case a in a) printf '%s' ${v};; (b) :;; esac)\"; printf '%s' \"$x\"", { $0 }, false),
        ("x=\"$(case a in (a) printf '%s' \"${v}\";; esac; printf '%s' \"(${v})\")\"; printf '%s' \"$x\"", { "\($0)(\($0))" }, false),
        ("cat <<EOF\n${v}\nEOF", { $0 + "\n" }, false),
        ("cat <<-'END'\n\t${v} $HOME\n\tEND\nprintf '%s' ${v}", { "\($0.drop { $0 == "\t" }) $HOME\n\($0)" }, false),
        ("cat <<EOF; printf '%s' ${v}\nline ${v}\nEOF", { "line \($0)\n\($0)" }, false),
        // Issue 13 item 3: constructs the scanner once misread, and the rest of POSIX sh and bash.
        ("x=$((1<<2)); printf '%s' ${v}\nprintf '%s' ${v}", { $0 + $0 }, false),
        ("x=\"$((1<<2))\"; printf '%s' \"${v}\"\nprintf '%s' ${x}${v}", { $0 + "4" + $0 }, false),
        ("printf '%s' ${v} # it's a comment, with <<EOF\nprintf '%s' ${v}", { $0 + $0 }, false),
        ("printf '%s' a#${v} \"\"#${v} $#${v}", { "a#\($0)#\($0)0\($0)" }, false),
        ("x=abc; printf '%s' ${#x}${v}", { "3" + $0 }, false),
        ("printf '%s' ${x:-\"a b)}\"}${v} ${x#'}'}${v}", { "a b)}\($0)\($0)" }, false),
        ("x=$(cat <<EOF\n${v}\nEOF\n); printf '%s' \"$x\"", { $0 }, false),
        ("x=\"$(cat <<'EOF'\n${v} $HOME\nEOF\n)\"; printf '%s' \"$x\"", { $0 + " $HOME" }, false),
        ("x=$(printf '%s' \"$(printf '%s' ${v})\" # a ) in a comment\n); printf '%s' \"$x\"", { $0 }, false),
        ("cat <<A <<'B'\n${v}\nA\n${v}\nB", { $0 + "\n" }, false),
        ("cat <<-EOF\n\tx${v}\n\tEOF", { "x" + $0 + "\n" }, false),
        ("cat <<\\EOF\n$x ${v} `x`\nEOF", { "$x \($0) `x`\n" }, false),
        ("cat <<\"E F\"\n${v}\nE F", { $0 + "\n" }, false),
        ("case ${v} in (*) printf '%s' ${v};; esac", { $0 }, false),
        ("printf '%s' \\\n${v} \"a\\\nb${v}\"", { $0 + "ab" + $0 }, false),
        ("printf '%s' \\$${v} \"\\$${v}\"", { "$\($0)$\($0)" }, false),
        ("sh -c 'printf %s \"$1\"' sh ${v}; eval 'x=1'; printf '%s' ${v} | sh -c cat", { $0 + $0 }, false),
        ("bash -ec 'printf %s \"$1\"' - \"${v}\" && sh -c \"$(echo cat)\" < /dev/null; printf '%s' ${v}", { $0 + $0 }, false),
        ("${x:-/usr/bin}/printf '%s' ${v}; x=$(echo a) y=1 printf '%s' \"${v}\"", { $0 + $0 }, false),
        ("if true; then printf '%s' ${v}; fi; while false; do :; done; ! false && { printf '%s' ${v}; }", { $0 + $0 }, false),
        ("[[ ${v} == \"${v}\" && a < b ]] && printf '%s' ${v}", { $0 }, true),
        ("((x = 2 * 2)); printf '%s' ${v}$x", { $0 + "4" }, true),
        ("cat <(printf '%s' ${v}) <(printf '%s' \"${v}\")", { $0 + $0 }, true),
        ("cat <<< ${v}; cat <<<\"${v}\"", { "\($0)\n\($0)\n" }, true),
        ("printf '%s' $'a\\tb'${v} $\"c\"${v}", { "a\tb\($0)c\($0)" }, true),
    ]

    /// Places where no escaping keeps every value literal text, or where the shells disagree, or
    /// after a construct the scanner does not follow: planning refuses the value at its place.
    static let refusedTemplates: [String] = [
        "printf '%s' ok # ${v}",                        // a line break in the value would end the comment
        "echo $((1 + ${v}))", "echo \"$(( ${v} ))\"", "((x = ${v}))", "for ((i = ${v}; i < 2; i++)); do :; done",
        "echo $(( $(echo ${v}) ))",                     // bash evaluates the output as arithmetic
        "echo ${x:-${v}}", "echo \"${x:-${v}}\"", "echo ${x#\"${v}\"}",
        "echo $'a ${v}'", "echo $\"a ${v}\"",
        "echo $${v}", "echo \"$${v}\"", "echo $x${v}", "echo \"$x${v}\"",
        "echo \\${v}", "echo \"\\${v}\"",
        "cat <<EOF\n$(echo ${v})\nEOF", "cat <<EOF\n$(echo\n${v})\nEOF", "cat <<EOF\n`echo ${v}`\nEOF",
        "cat <<EOF\n${x:-${v}}\nEOF", "cat <<EOF\n$${v}\nEOF", "cat <<EOF\n$x${v}\nEOF", "cat <<EOF\n\\${v}\nEOF",
        "cat <<EOF\n${v}\\\nEOF\nEOF",                 // bash joins the lines, dash does not
        "cat <<${v}\nx\nEOF",
        "x=$(cat <<EOF)\n${v}\nEOF", "x=`cat <<EOF\n${v}\nEOF\n`", "cat <<EOF $(echo a\n${v}\n)\nEOF",
        "echo $[1]; echo ${v}", "x=`echo \\`echo a\\``; echo ${v}", "x=`echo $(echo \\`)`; echo ${v}",
        "((a<<2)); echo ${v}", "echo ${x:-{a}}; echo ${v}", "echo \"${x:-'a'}\"; echo ${v}",
        "echo $(( 1 ) ); echo ${v}", "cat <<$x\nEOF\n${v}",
        // eval and sh -c read their text again as shell code: escaping for one reading is not enough.
        "eval echo ${v}", "eval \"echo ${v}\"", "eval $(printf '%s' ${v})", "eval x=1 \"$(a; printf ${v})\"",
        "sh -c \"echo ${v}\"", "bash -ec 'echo ${v}'", "sudo -u x sh -c ${v}", "sh -c `echo ${v}`", "x=$(dash -xc \"a ${v}\")",
        "/bin/sh -c \"echo ${v}\"",
        // A command named by an expansion could be eval or sh -c.
        "${x:-eval} ${v}", "$SHELL -c ${v}", "\"$cmd\" ${v}", "$(echo eval) \"${v}\"", "`echo eval` ${v}", "x=1 $y ${v}",
        "/opt/$x ${v}", "$x | $y ${v}", "$x \"$(printf ${v})\"",
        // A here-document that a shell reads is a script.
        "sh <<EOF\n${v}\nEOF", "cat <<EOF | ssh h\n${v}\nEOF", "sudo bash -s <<'E'\n${v}\nE", "$x <<EOF\n${v}\nEOF",
    ]

    /// A literal `${` of the shell text (not `${v}`) is written `\${` in a task string.
    static func dsl(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "${", with: "\\${").replacingOccurrences(of: "\\${v}", with: "${v}")
    }

    static func shells(bashOnly: Bool) -> [String] { bashOnly ? ["/bin/bash"] : ["/bin/dash", "/bin/bash"] }

    /// A here-document refuses a value with a line break or one that makes a line equal to its end word.
    static func hereDocumentRefuses(_ template: String, _ value: String) -> Bool {
        let documents = template.replacingOccurrences(of: "<<<", with: "").contains("<<")
        let ends = ["EOF", "END", "A", "B", "E F"]
        return documents && (value.contains("\n") || ends.contains(String(value.drop { $0 == "\t" })))
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
        let (template, expected, bashOnly) = Self.templates[index]
        for value in Self.values {
            let command: String
            do {
                command = try Self.planned(template, value: value)
            } catch let error as Diagnostic {
                // A here-document refuses values with a line break or that form its end word.
                #expect(Self.hereDocumentRefuses(template, value), "\(template) refused \(value.debugDescription): \(error.message)")
                continue
            }
            for sh in Self.shells(bashOnly: bashOnly) {
                let printed = try Self.shell(sh, command)
                let want = expected(value)
                #expect(printed == want, "\(sh) \(template) with \(value.debugDescription): ran \(command.debugDescription)")
                #expect(!FileManager.default.fileExists(atPath: Self.marker), "\(value.debugDescription) ran a command: \(command)")
                try? FileManager.default.removeItem(atPath: Self.marker)
            }
        }
    }

    /// Issue 13 item 3: each refused place is named with its file:line:col (the value's `${`).
    @Test(arguments: 0..<refusedTemplates.count)
    func testIssue13Item3_uncertainShellContextsAreRefusedWithTheirPlace(index: Int) {
        let template = Self.refusedTemplates[index]
        let column = 7 + Self.dsl(template).range(of: "${v}")!.lowerBound.utf16Offset(in: Self.dsl(template))
        for value in ["plain", "$(touch \(Self.marker))"] {
            let d = Fixture.diagnostic { _ = try Self.planned(template, value: value) }
            #expect(d?.message.contains("skp cannot escape it there") == true || d?.message.contains("would end it early") == true,
                    "\(template.debugDescription) with \(value): \(d?.message ?? "planned")")
            #expect(d?.location?.file == "tasks/h.skp" && d?.location?.line == 2 && d?.location?.column == column,
                    "\(template.debugDescription): at \(d?.location?.description ?? "nowhere"), want 3:\(column + 1)")
        }
    }

    /// Issue 13 item 3, the three escapes found: each now plans a command that prints the value
    /// exactly and runs nothing, in dash and bash.
    @Test func testIssue13Item3_arithmeticShiftCommentAndHereDocumentInSubstitution() throws {
        let hostile = "x\nEOF\ntouch \(Self.marker)"
        // After $((1<<2)) the next line is a command, not a here-document body: the value is quoted.
        let shift = try Self.planned("x=$((1<<2)); printf '%s' ${v}\nprintf '%s' ${v}", value: hostile)
        #expect(shift.contains("'x\nEOF\ntouch"), "\(shift)")
        for sh in ["/bin/dash", "/bin/bash"] {
            #expect(try Self.shell(sh, shift) == hostile + hostile)
            #expect(!FileManager.default.fileExists(atPath: Self.marker))
        }
        // A value in a comment would end it at its line break: refused.
        #expect(Fixture.diagnostic { _ = try Self.planned("true # ${v}", value: hostile) }?.message.contains("in a comment") == true)
        // A here-document inside $(…) is a here-document: its end word in a value is refused.
        let inner = Fixture.diagnostic { _ = try Self.planned("x=$(cat <<EOF\n${v}\nEOF\n)", value: hostile) }
        #expect(inner?.message.contains("could end the here-document") == true, "\(inner?.message ?? "planned")")
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
        // The same prelude and stdin the SSH transport sends (HangupGuard).
        let reads = TransportCommand.reads(sent.secrets.enumerated().map { ($0.offset, $0.element) })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sh)
        process.arguments = ["-c", reads + sent.text]
        process.environment = ["HOME": "/home/op", "PATH": path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(sent.stdin))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: 0..<templates.count)
    func everySecretArrivesAsItsOwnTextAndNeverInTheCommandLine(index: Int) throws {
        let (template, expected, bashOnly) = Self.templates[index]
        for value in Self.values {
            let sent: TransportCommand
            do {
                sent = try Self.sent(template, secret: value)
            } catch let error as Diagnostic {
                let quoted = template.contains("<<'") || template.contains("<<-'") || template.contains("<<\\") || template.contains("<<\"")
                let refusable = value.contains("\n") || Self.hereDocumentRefuses(template, value) || quoted
                #expect(refusable, "\(template) refused secret \(value.debugDescription): \(error.message)")
                continue
            }
            #expect(value.count < 3 || template.contains(value) || !sent.text.contains(value), "the secret is in the command line: \(sent.text)")
            for sh in Self.shells(bashOnly: bashOnly) {
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
            let wrapper = sent.text.replacingOccurrences(of: "SKP_SECRETS_END", with: "")
            #expect(value.count < 3 || "printf %s| x".contains(value) || !wrapper.contains(value), "the secret is in the command line: \(sent.text)")
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
