import Foundation
import SkpTestSupport
import Testing

extension LabSuites {
    /// `retry` and `until` on real hosts (issue 18, item 4).
    @Suite(.serialized) struct RetryTests {
        /// The journal's lines of the newest run in `dir`.
        func journal(_ dir: String) throws -> [[String: Any]] {
            let folder = dir + "/.skp/runs"
            let newest = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jsonl") }.sorted().last
            let text = try String(contentsOfFile: folder + "/" + (newest ?? ""), encoding: .utf8)
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        @Test func aCommandThatFailsTwiceThenSucceedsIsRetriedWithEachAttemptShown() throws {
            try Lab.up()
            try Lab.exec("c03", "rm -f /root/tries")
            let dir = try Binary.project([:])
            let count = "n=$(cat /root/tries 2>/dev/null || echo 0); n=$((n + 1)); echo $n > /root/tries; echo try $n; test $n -ge 3"
            let outcome = try Lab.skp(["ssh.cmd", "--limit", "c03", "--retries", "3", "-c=" + count], in: dir)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("attempt 1 of 3 failed (exit 1:"), "\(outcome.stdout)")
            #expect(outcome.stdout.contains("attempt 2 of 3 failed"), "\(outcome.stdout)")
            #expect(outcome.stdout.contains("try 3"))
            #expect(try Lab.output("c03", "cat /root/tries") == "3")
            let lines = try journal(dir)
            #expect(lines.filter { $0["event"] as? String == "retry" }.map { $0["attempt"] as? Int } == [1, 2])
            #expect(lines.contains { $0["event"] as? String == "finish" && $0["status"] as? String == "changed" })
            // Out of attempts: the step fails, after exactly that many.
            try Lab.exec("c03", "rm -f /root/tries")
            let failing = try Lab.skp(["ssh.cmd", "--limit", "c03", "--retries", "2", "-c=" + count.replacingOccurrences(of: "-ge 3", with: "-ge 9")], in: dir)
            #expect(failing.status == 1)
            #expect(try Lab.output("c03", "cat /root/tries") == "2")
            #expect(try Lab.skp(["ssh.cmd", "--retries", "0", "-c=true"], in: dir).stderr.contains("retry takes a number from 1 to 100, not '0'"))
        }

        @Test func untilWaitsForAPortABackgroundProcessOpensLater() throws {
            try Lab.up()
            let listen = #"import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 8765)); s.listen(); time.sleep(20)"#
            let probe = #"import socket; socket.create_connection(("127.0.0.1", 8765), 1)"#
            let task = """
                task wait {
                  on c02 {
                    run "(sleep 3; exec python3 -c '\(listen.replacingOccurrences(of: "\"", with: "\\\""))') >/dev/null 2>&1 &"
                    until "python3 -c '\(probe.replacingOccurrences(of: "\"", with: "\\\""))' 2>/dev/null" every 0.2 timeout 20
                  }
                }
                """
            let dir = try Binary.project(["tasks/w.skp": task])
            let start = Date()
            let outcome = try Lab.skp(["w.wait"], in: dir)
            let elapsed = Date().timeIntervalSince(start)
            defer { _ = try? Lab.exec("c02", "pkill -f 'bind((.127.0.0.1., 8765))' || true") }
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(elapsed >= 2.5, "returned after \(elapsed) s, before the port opened")
            // The port is open when skp returns, seen from outside skp.
            #expect(try Lab.exec("c02", "python3 -c \(quoted(probe))").status == 0)
        }
    }
}
