import Foundation
import SkpTestSupport
import Testing

extension LabSuites {
    /// Rolling batches (`serial 2`) and `--max-fail` on the lab's real hosts, then `--resume`
    /// (issue 18, item 3).
    @Suite(.serialized) struct SerialTests {
        /// Two steps per host, each leaving a line with the time (ns) in the host's own log; the
        /// second fails where /root/serial-fail exists.
        static let task = """
            task roll "every host, two at a time; fails where /root/serial-fail exists" {
              on all serial 2 {
                run "echo start $(date +%s%N) >> /root/serial.log; sleep 1"
                run "test ! -e /root/serial-fail && echo done $(date +%s%N) >> /root/serial.log"
              }
            }
            """

        /// A host's log as (word, time) pairs; empty when the host never ran.
        func log(_ host: String) throws -> [(String, Int)] {
            try Lab.output(host, "cat /root/serial.log 2>/dev/null || true").split(separator: "\n").map { line in
                let parts = line.split(separator: " ")
                return (String(parts.first ?? ""), Int(parts.last ?? "") ?? 0)
            }
        }

        @Test func maxFailStopsBeforeTheNextBatchAndResumeContinuesFromTheFailedHost() throws {
            try Lab.up()
            for host in Lab.hosts { try Lab.exec(host, "rm -f /root/serial.log /root/serial-fail") }
            try Lab.exec("c03", "touch /root/serial-fail")
            let dir = try Binary.project(["tasks/s.skp": Self.task])

            let first = try Lab.skp(["s.roll", "--max-fail", "20%"], in: dir)
            #expect(first.status == 1, "\(first.stdout)\(first.stderr)")
            #expect(first.stdout.contains("max-fail 20% reached: 1 of 5 hosts failed; c05 not started"), "\(first.stdout)")
            #expect(first.stdout.contains("c05   not started"), "\(first.stdout)")
            // Batches: c01+c02, then c03+c04 (c04 starts with c03, so it runs to its end), then c05,
            // which never starts: its log does not exist.
            #expect(try log("c05").isEmpty)
            #expect(try log("c03").map(\.0) == ["start"])
            for host in ["c01", "c02", "c04"] { #expect(try log(host).map(\.0) == ["start", "done"], "\(host)") }
            // The second batch started only after both hosts of the first were done, and its two
            // hosts ran at the same time.
            let firstDone = try ["c01", "c02"].map { try log($0)[1].1 }.max()!
            let secondStart = try ["c03", "c04"].map { try log($0)[0].1 }
            #expect(secondStart.allSatisfy { $0 > firstDone }, "\(firstDone) \(secondStart)")
            #expect(abs(secondStart[0] - secondStart[1]) < 900_000_000, "\(secondStart)")

            // The cause goes away; the resume runs c03's failed step and c05, nothing else.
            try Lab.exec("c03", "rm /root/serial-fail")
            let plan = try Lab.skp(["--dry-run", "--resume"], in: dir)
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("c03  step 2/2  run · failed (exit 1)"), "\(plan.stdout)")
            #expect(plan.stdout.contains("c05  step 1/2  run · not started"), "\(plan.stdout)")
            #expect(plan.stdout.contains("3 step(s) on 2 host(s) will run"), "\(plan.stdout)")
            let resumed = try Lab.skp(["--resume"], in: dir)
            #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
            #expect(resumed.stdout.contains("7 step(s) it had finished were skipped"), "\(resumed.stdout)")
            // c03 ran its second step once more; c01, c02 and c04 ran nothing again; c05 ran both.
            for host in Lab.hosts { #expect(try log(host).map(\.0) == ["start", "done"], "\(host)") }
            for host in Lab.hosts { try Lab.exec(host, "rm -f /root/serial.log") }
        }
    }
}
