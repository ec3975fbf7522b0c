import Foundation
import SkpTestSupport
import Testing

/// Ctrl-C where skp waits on something other than a host: the secret prompt, a local command.
@Suite(.serialized) struct InterruptTests {
    static let tasks = """
        task ask "asks for a secret" {
          param pass -p secret prompt "a password"
          on local
          run "test -n ${pass}"
        }

        task stubborn "a local command that ignores TERM" {
          on local
          run "trap '' TERM; sleep 30"
        }
        """

    func tmux(_ arguments: [String]) throws -> Binary.Outcome {
        try Binary.run(arguments, executable: "/usr/bin/tmux")
    }

    @Test func testIssue13Also_ctrlCAtTheSecretPromptLeavesTheTerminalEchoing() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("tmux is not installed") }
            return
        }
        let dir = try Binary.project(["tasks/t.skp": Self.tasks])
        let session = "skp-prompt-\(getpid())"
        let report = dir + "/report"
        // A shell in a real terminal; skp runs in it, and after Ctrl-C the same shell reports
        // skp's exit status and the terminal's settings.
        #expect(try tmux(["new-session", "-d", "-s", session, "-x", "100", "-y", "30", "env -i PATH=/usr/bin:/bin TERM=xterm HOME=/tmp sh"]).status == 0)
        defer { _ = try? tmux(["kill-session", "-t", session]) }
        try tmux(["send-keys", "-t", session, "cd '\(dir)' && '\(Binary.path)' t.ask; echo exit=$? > '\(report).exit'", "Enter"])
        var screen = ""
        for _ in 0..<100 where !screen.contains("a password") {
            usleep(100_000)
            screen = try tmux(["capture-pane", "-p", "-t", session]).stdout
        }
        #expect(screen.contains("a password"), "no prompt on the screen:\n\(screen)")
        usleep(200_000)
        try tmux(["send-keys", "-t", session, "C-c"])
        usleep(500_000)
        // The shell has its terminal back: what are its settings now?
        try tmux(["send-keys", "-t", session, "stty -a > '\(report).stty'", "Enter"])
        var text = ""
        for _ in 0..<50 where !text.contains("speed") {
            usleep(100_000)
            text = (try? String(contentsOfFile: report + ".stty", encoding: .utf8)) ?? ""
        }
        let flags = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" })
        #expect(flags.contains("echo") && !flags.contains("-echo"), "echo is off after Ctrl-C:\n\(text)")
        let exit = (try? String(contentsOfFile: report + ".exit", encoding: .utf8)) ?? ""
        #expect(exit == "exit=130\n", "\(exit)")
    }

    @Test func testIssue13Item5_ctrlCStopsALocalCommandThatIgnoresTERM() throws {
        let dir = try Binary.project(["tasks/t.skp": Self.tasks])
        let script = """
            cd '\(dir)'; '\(Binary.path)' --color never t.stubborn > out 2>&1 & pid=$!
            sleep 1; t0=$(date +%s%N); kill -INT $pid; wait $pid; status=$?; t1=$(date +%s%N)
            echo "exit=$status ms=$(( (t1 - t0) / 1000000 ))"
            """
        let outcome = try Binary.run(["-c", script], executable: "/bin/sh")
        #expect(outcome.stdout.contains("exit=130"), "\(outcome.stdout)")
        let ms = Int(outcome.stdout.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? .max
        // TERM is ignored: one second's grace, then KILL.
        #expect(ms < 2000, "Ctrl-C took \(ms) ms to end the run")
        #expect(try Binary.run(["-f", "-a", "trap '' TERM; sleep 30"], executable: "/usr/bin/pgrep").stdout.isEmpty)
    }
}
