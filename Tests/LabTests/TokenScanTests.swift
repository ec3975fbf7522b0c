import Foundation
import SkpTestSupport
import Testing

extension LabSuites {
    /// Swarm join tokens are secrets (issue 13, item 6): forming the swarm in every output mode, no
    /// token may show in skp's output, its journal, or any process's arguments on the machine
    /// (sampled every 20 ms; the lab hosts share this machine's process table).
    @Suite(.serialized) struct TokenScanTests {
        @Test func issue13Item6_joinTokensNeverShowInOutputJournalOrProcessLists() throws {
            try Lab.up()
            let journals = Binary.root + "/.skp/runs"
            for mode in [[], ["--json"], ["--output", "grouped"], ["--verbose"]] {
                let leave = try Binary.run(["--color", "never", "docker.swarm-leave"], environment: Lab.environment)
                #expect(leave.status == 0, "\(leave.stdout)\(leave.stderr)")
                let before = Set((try? FileManager.default.contentsOfDirectory(atPath: journals)) ?? [])
                let skp = ([Binary.path, "--color", "never"] + mode + ["docker.swarm-init", "docker.swarm-join"])
                    .map { "'\($0)'" }.joined(separator: " ")
                let script = """
                    (while :; do ps -eo args; sleep 0.02; done) > \(Lab.scratch)/ps-tokens.txt 2>&1 & snap=$!
                    cd '\(Binary.root)'; \(skp); status=$?; kill $snap; wait $snap 2>/dev/null; echo "exit $status"
                    echo '--- ps'; cat \(Lab.scratch)/ps-tokens.txt
                    """
                let outcome = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
                #expect(outcome.stdout.contains("exit 0"), "\(mode): \(outcome.stdout.prefix(3000))\(outcome.stderr)")
                // The swarm really formed: five nodes, through the engine API join.
                let nodes = try Lab.output("c01", "docker node ls --format '{{.Hostname}}' | sort | tr '\\n' ' '")
                #expect(nodes == "c01 c02 c03 c04 c05", "\(mode): \(nodes)")
                let tokens = [try Lab.output("c01", "docker swarm join-token -q worker"),
                              try Lab.output("c01", "docker swarm join-token -q manager")]
                #expect(tokens.allSatisfy { $0.hasPrefix("SWMTKN-") })
                let journal = ((try? FileManager.default.contentsOfDirectory(atPath: journals)) ?? [])
                    .filter { !before.contains($0) }
                    .compactMap { try? String(contentsOfFile: journals + "/" + $0, encoding: .utf8) }.joined()
                #expect(!journal.isEmpty, "the run was journaled")
                let seen = outcome.stdout + outcome.stderr + journal
                // The hosts' batch shells (BatchWorker) live for the whole run: the sampler saw them.
                #expect(seen.contains("--- ps") && seen.contains("read -r skp_n"), "the sampler saw the hosts' shells")
                for token in tokens {
                    // The secret half of a token is what matters; the prefix is public.
                    let secretPart = String(token.split(separator: "-").last ?? "")
                    #expect(!seen.contains(secretPart), "\(mode): a join token showed")
                }
            }
        }
    }
}
