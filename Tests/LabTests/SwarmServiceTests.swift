import Foundation
import SkpTestSupport
import Testing

extension LabSuites {
    /// Swarm services followed to the end (issue 15): each task returns only when the swarm has
    /// converged, or fails saying why. Checked through the engines right after skp exits.
    @Suite(.serialized) struct SwarmServiceTests {
        static let secret = "skp-lab-web-token-0000"

        func leader(_ command: String) throws -> String { try Lab.output("c01", command) }

        /// Running tasks of a service: node and image, sorted.
        func running(_ service: String) throws -> [String] {
            try leader("docker service ps \(service) --filter desired-state=running --format '{{.Node}} {{.Image}} {{.CurrentState}}'")
                .split(separator: "\n").filter { $0.contains(" Running ") }.map { String($0.split(separator: " ").prefix(2).joined(separator: " ")) }.sorted()
        }

        func changed(_ outcome: Binary.Outcome) throws -> Int {
            let line = outcome.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let summary = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return (summary["hosts"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["changed"] as? Int) ?? 0) }
        }

        func prepare() throws {
            let setup = try Lab.skp(["docker.swarm-init", "docker.swarm-join", "docker.swarm-label", "docker.network-create",
                                 "docker.run", "-n", "registry-skp", "docker.image-build"])
            #expect(setup.status == 0, "\(setup.stdout.suffix(2000))\(setup.stderr)")
        }

        @Test func issue15_createScaleUpdateRollbackEachReturnsConverged() throws {
            try Lab.up()
            try prepare()
            _ = try Lab.skp(["docker.service-rm", "-n", "web-skp"])
            let create = try Lab.skp(["docker.service-create", "-n", "web-skp", "-w", "120"])
            #expect(create.status == 0, "\(create.stdout.suffix(2000))\(create.stderr)")
            let v1 = "localhost:5000/skp/web:1"
            #expect(try running("web-skp") == Lab.hosts.map { "\($0) \(v1)" }, "one task per node, right when skp returned")
            for replicas in [2, 4] {
                let scale = try Lab.skp(["docker.service-scale", "-n", "web-skp", "-r", String(replicas)])
                #expect(scale.status == 0, "\(scale.stdout)\(scale.stderr)")
                #expect(try running("web-skp").count == replicas)
                #expect(try leader("docker service ps web-skp --filter desired-state=running --format '{{.CurrentState}}' | grep -vc '^Running'") == "0")
            }
            // Back to the inventory's spec: scaling by hand counts as a change.
            #expect(try Lab.skp(["docker.service-create", "-n", "web-skp"]).status == 0)
            #expect(try running("web-skp").count == 5)
            // A rerun with nothing changed: unchanged, no task restarted.
            let ids = try leader("docker service ps web-skp -q --filter desired-state=running | sort")
            let again = try Lab.skp(["--json", "docker.service-create", "-n", "web-skp"])
            #expect(again.status == 0)
            #expect(try changed(again) == 0, "\(again.stdout.suffix(1500))")
            #expect(try leader("docker service ps web-skp -q --filter desired-state=running | sort") == ids)

            // Rolling update, parallelism 1: never more than one task on its way at a time.
            let sampler = "while :; do docker service ps web-skp --filter desired-state=running --format '{{.CurrentState}}' | grep -vc '^Running'; sleep 0.2; done > \(Lab.scratch)/update-sample.txt 2>/dev/null"
            let background = try Binary.run(["-c", "DOCKER_HOST=unix://\(Lab.stateDirectory)/c01/docker.sock; export DOCKER_HOST; (\(sampler)) & echo $!"], executable: "/bin/sh")
            let update = try Lab.skp(["docker.service-update", "-n", "web-skp", "--image", "localhost:5000/skp/web:2"])
            _ = try Binary.run(["-c", "kill \(background.stdout.trimmingCharacters(in: .whitespacesAndNewlines))"], executable: "/bin/sh")
            #expect(update.status == 0, "\(update.stdout.suffix(2000))\(update.stderr)")
            #expect(update.stdout.contains("update policy of web-skp: parallelism 1"))
            let samples = (try? String(contentsOfFile: "\(Lab.scratch)/update-sample.txt", encoding: .utf8)) ?? ""
            let most = samples.split(separator: "\n").compactMap { Int($0) }.max() ?? -1
            #expect(most >= 0 && most <= 1, "tasks updating at once: \(most)")
            #expect(try running("web-skp") == Lab.hosts.map { "\($0) localhost:5000/skp/web:2" })

            // A version that exits at start: rolled back, skp says which tasks failed and why.
            let broken = try Lab.skp(["docker.service-update", "-n", "web-skp", "--image", "localhost:5000/skp/web:3", "-w", "180"])
            #expect(broken.status == 1, "\(broken.stdout.suffix(2000))")
            #expect(broken.stderr.contains("rolled back") || broken.stdout.contains("rolled back"), "\(broken.stdout.suffix(1500))")
            #expect(broken.stdout.contains("skp/web:3") && broken.stdout.contains("non-zero exit"), "\(broken.stdout.suffix(1500))")
            #expect(try running("web-skp") == Lab.hosts.map { "\($0) localhost:5000/skp/web:2" })
        }

        @Test func issue15_stacksConvergeOrSayWhyNot() throws {
            try Lab.up()
            try prepare()
            let deploy = try Lab.skp(["docker.stack-deploy", "-n", "demo", "-w", "120"])
            #expect(deploy.status == 0, "\(deploy.stdout.suffix(2000))\(deploy.stderr)")
            #expect(try leader("docker service ps demo_once --format '{{.CurrentState}}'").hasPrefix("Complete"))
            #expect(try running("demo_echo").count == 2)
            let again = try Lab.skp(["--json", "docker.stack-deploy", "-n", "demo"])
            #expect(try changed(again) == 0)
            // A service no node can take: non-zero within the wait, with the swarm's reason.
            let bad = try String(contentsOfFile: Binary.root + "/stacks/demo.yml", encoding: .utf8)
                .replacingOccurrences(of: "      replicas: 2\n", with: "      replicas: 2\n      placement:\n        constraints: [node.labels.nowhere==enable]\n")
            let dir = try Binary.project(["stacks/bad.yml": bad])
            let start = Date()
            let refused = try Lab.skp(["docker.stack-deploy", "-n", "bad", "-w", "5"], in: dir)
            #expect(refused.status == 1)
            #expect(Date().timeIntervalSince(start) < 60)
            #expect(refused.stdout.contains("no suitable node"), "\(refused.stdout.suffix(1500))")
            #expect(try Lab.skp(["docker.stack-rm", "-n", "bad"], in: dir).status == 0)
            #expect(try Lab.skp(["docker.stack-rm", "-n", "demo"]).status == 0)
        }

        @Test func issue15_drainMovesTasksAndTheLeaderNeedsForce() throws {
            try Lab.up()
            try prepare()
            #expect(try Lab.skp(["docker.service-create", "-n", "web-skp"]).status == 0)
            // --limit names the node drained; the steps still run on the manager.
            let drain = try Lab.skp(["docker.node-drain", "--limit", "c04"])
            #expect(drain.status == 0, "\(drain.stdout.suffix(1500))")
            #expect(try leader("docker node ps c04 --filter desired-state=running -q | wc -l") == "0")
            #expect(try running("web-skp").count == 5 && !(try running("web-skp")).contains { $0.hasPrefix("c04 ") })
            #expect(try Lab.skp(["docker.node-activate", "--limit", "c04"]).status == 0)
            #expect(try leader("docker node inspect --format '{{.Spec.Availability}}' c04") == "active")
            let leaderDrain = try Lab.skp(["docker.node-drain", "--limit", "c01"])
            #expect(leaderDrain.status == 1)
            #expect(leaderDrain.stdout.contains("c01 is the swarm's leader"), "\(leaderDrain.stdout)")
            #expect(try leader("docker node inspect --format '{{.Spec.Availability}}' c01") == "active")
        }

        @Test func issue15_secretVariablesNeverShowAndReachTheTasks() throws {
            try Lab.up()
            try prepare()
            var seen = ""
            for mode in [["--dry-run"], ["--dry-run", "--json"], ["--json"], []] {
                let line = ([Binary.path, "--color", "never"] + mode + ["docker.service-create", "-n", "web-skp"]).map { "'\($0)'" }.joined(separator: " ")
                let script = """
                    (while :; do ps -eo args; sleep 0.02; done) > \(Lab.scratch)/ps-swarm.txt 2>&1 & snap=$!
                    cd '\(Binary.root)'; \(line); status=$?; kill $snap; wait $snap 2>/dev/null; echo "exit $status"
                    echo '--- ps'; cat \(Lab.scratch)/ps-swarm.txt
                    """
                let outcome = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
                #expect(outcome.stdout.contains("exit 0"), "\(mode): \(outcome.stdout.prefix(2000))")
                seen += outcome.stdout + outcome.stderr
            }
            for file in (try? FileManager.default.contentsOfDirectory(atPath: Binary.root + "/.skp/runs")) ?? [] {
                seen += (try? String(contentsOfFile: Binary.root + "/.skp/runs/" + file, encoding: .utf8)) ?? ""
            }
            #expect(!seen.contains(Self.secret))
            let host = try leader("docker service ps web-skp --filter desired-state=running --format '{{.Node}}' | head -1")
            #expect(try Lab.output(host, "docker exec $(docker ps -q --filter label=com.docker.swarm.service.name=web-skp | head -1) sh -c 'echo $WEB_TOKEN'") == Self.secret)
        }

        @Test func issue15_aRotatedWorkerTokenNoLongerJoins() throws {
            try Lab.up()
            try prepare()
            let old = try leader("docker swarm join-token -q worker")
            #expect(try Lab.skp(["docker.swarm-rotate-token"]).status == 0)
            let new = try leader("docker swarm join-token -q worker")
            #expect(new != old && new.hasPrefix("SWMTKN-"))
            // c05 leaves, and tries both tokens through its own engine.
            try Lab.exec("c05", "docker swarm leave --force")
            _ = try leader("for i in $(seq 50); do docker node ls --format '{{.Hostname}} {{.Status}}' | grep -q '^c05 Down' && break; sleep 0.2; done; docker node rm --force c05")
            let refused = try Lab.exec("c05", "timeout 30 docker swarm join --token \(quoted(old)) 192.168.56.11:2377")
            #expect(refused.status != 0, "the old token joined: \(refused.stdout)")
            let joined = try Lab.exec("c05", "timeout 30 docker swarm join --token \(quoted(new)) 192.168.56.11:2377")
            #expect(joined.status == 0, "\(joined.stdout)\(joined.stderr)")
            #expect(try Lab.skp(["docker.swarm-label"]).status == 0)
        }
    }
}
