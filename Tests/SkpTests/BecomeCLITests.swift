import Foundation
import Testing
import SkpTestSupport
import SkpKit

/// `-K` and `$SKP_BECOME_PASSWORD` through the binary: read once, only when a sudo step for a user
/// other than root needs it, one line of stdin when it is not a terminal, never printed.
@Suite struct BecomeCLITests {
    /// One host nobody listens for (port 1: refused at once), logged in to as `user`.
    static func project(user: String) throws -> String {
        try Binary.project(["hosts.json": #"{"c01": {"ipv4": "127.0.0.1", "port": "1", "user": "\#(user)", "roles": ["master"]}}"#])
    }

    /// Runs skp with `stdin` as its input, then says what skp left unread of it.
    static func run(_ arguments: [String], stdin: String, in dir: String, environment: [String: String] = [:]) throws -> Binary.Outcome {
        let skp = ([Binary.path, "--color", "never"] + arguments).map(ShellQuote.quote).joined(separator: " ")
        let script = "{ \(skp); echo \"exit $?\"; IFS= read -r left; echo \"left=$left\"; } <<'EOF'\n\(stdin)EOF\n"
        return try Binary.run(["-c", script], in: dir, environment: environment, executable: "/bin/sh")
    }

    @Test func aDryRunShowsSudoDashSAndAsksNothing() throws {
        let dir = try Self.project(user: "ops")
        let outcome = try Self.run(["--dry-run", "-K", "ssh.cmd", "-c=id", "-s"], stdin: "pw-never-read\n", in: dir)
        #expect(outcome.stdout.contains("c01  $ sudo -S -p '' sh -c id"), "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("exit 0") && outcome.stdout.contains("left=pw-never-read"))
    }

    @Test func dashKTakesOneLineOfStdinAndPrintsItNowhere() throws {
        let dir = try Self.project(user: "ops")
        let outcome = try Self.run(["-K", "--json", "ssh.cmd", "-c=id", "-s"], stdin: "pw-taken-1\nthe rest\n", in: dir)
        #expect(outcome.stdout.contains("exit 3") && outcome.stdout.contains("left=the rest"), "\(outcome.stdout)\(outcome.stderr)")
        #expect(!(outcome.stdout + outcome.stderr).contains("pw-taken-1"))
        let journals = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/.skp/runs")) ?? []
        #expect(!journals.isEmpty)
        for name in journals {
            #expect(try !String(contentsOfFile: dir + "/.skp/runs/" + name, encoding: .utf8).contains("pw-taken-1"))
        }
    }

    @Test func dashKIsNotAskedWhenNoSudoStepNeedsIt() throws {
        for (user, arguments) in [("root", ["ssh.cmd", "-c=id", "-s"]), ("ops", ["ssh.cmd", "-c=id"])] {
            let outcome = try Self.run(["-K"] + arguments, stdin: "pw-not-needed\n", in: try Self.project(user: user))
            #expect(outcome.stdout.contains("exit 3") && outcome.stdout.contains("left=pw-not-needed"), "\(user): \(outcome.stdout)\(outcome.stderr)")
        }
    }

    @Test func dashKWithNothingOnStdinIsRefusedBeforeAnyHostIsContacted() throws {
        let outcome = try Self.run(["-K", "ssh.cmd", "-c=id", "-s"], stdin: "", in: try Self.project(user: "ops"))
        #expect(outcome.stdout.contains("exit 2"), "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.contains("-K needs the become password"), "\(outcome.stderr)")
    }

    /// A line break cannot reach sudo as one line: refused (exit 2) when a step needs the
    /// password, and no concern of a run that needs none.
    @Test func aBecomePasswordWithALineBreakIsRefusedWhenASudoStepNeedsIt() throws {
        let environment = ["SKP_BECOME_PASSWORD": "first\nsecond"]
        let refused = try Self.run(["ssh.cmd", "-c=id", "-s"], stdin: "", in: try Self.project(user: "ops"), environment: environment)
        #expect(refused.stdout.contains("exit 2") && refused.stderr.contains("$SKP_BECOME_PASSWORD has a line break"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("first") && !refused.stderr.contains("second"))
        let unneeded = try Self.run(["ssh.cmd", "-c=id", "-s"], stdin: "", in: try Self.project(user: "root"), environment: environment)
        #expect(unneeded.stdout.contains("exit 3"), "\(unneeded.stdout)\(unneeded.stderr)")
    }
}
