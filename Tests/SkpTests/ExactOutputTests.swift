import Foundation
import Testing
import SkpKit
import SkpTestSupport

/// Mistakes as a user meets them, compared byte for byte (just's style of test): the exact
/// stdout, stderr and exit status. A change to any of them is a change users see, so it shows
/// up here as one.
struct ExactOutputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var files: [String: String] = [:]
        var stdout = ""
        var stderr: String
        var status: Int32 = 2
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["docker.instal"],
             stderr: "error: no task named docker.instal\nhint: did you mean docker.install?\n"),
        Case(arguments: ["ssh.cmd", "--bogus"],
             stderr: "error: unknown flag --bogus for ssh.cmd\nhint: skp --help ssh.cmd lists its flags\n"),
        Case(arguments: ["--forks", "0", "ssh.cmd", "-c=true"],
             stderr: "error: --forks takes a number of hosts from 1 to 10000, not '0'\n"),
        Case(arguments: ["--color", "sometimes", "--list"],
             stderr: "error: --color takes auto, always or never, not 'sometimes'\n"),
        Case(arguments: ["ssh.cmd", "-c=true", "--limit", "nosuch"],
             stderr: "--limit:1:1: error: no host named nosuch in hosts.json\nhint: hosts are: c01, c02, c03, c04, c05\n"),
        Case(arguments: ["--hosts", "bad.json", "ssh.cmd", "-c=true"], files: ["bad.json": #"{"c01": {"ipv4": "10.0.0.1",}}"#],
             stderr: """
             bad.json:1:29: error: invalid JSON: string or '}' expected near '}'
               |
             1 | {"c01": {"ipv4": "10.0.0.1",}}
               |                             ^
             hint: JSON allows no comma after the last member of an object or array

             """),
        Case(arguments: ["--tasks", "mine", "x.t"], files: ["mine/x.skp": "task t {\n  run \"x\" unles \"y\"\n}\n"],
             stderr: """
             mine/x.skp:2:11: error: expected end of line, found 'unles'
               |
             2 |   run "x" unles "y"
               |           ^^^^^
             hint: did you mean 'unless'?

             """),
    ]

    @Test(arguments: cases)
    func aMistakeIsToldExactly(_ given: Case) throws {
        let dir = try Binary.project(given.files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outcome = try Binary.run(given.arguments, in: dir)
        #expect(outcome.stdout == given.stdout)
        #expect(outcome.stderr == given.stderr)
        #expect(outcome.status == given.status)
    }
}
