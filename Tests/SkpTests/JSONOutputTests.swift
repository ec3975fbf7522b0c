import Foundation
import Testing
import SkpTestSupport

/// Under --json, a command's output line that is a JSON object is also given as an object (what
/// docker.ps prints there), and tasks can tell the view from ${env.SKP_OUTPUT}.
@Suite struct JSONOutputTests {
    @Test func issue14_jsonLinesOfOutputAreObjects() throws {
        let task = """
            task rows "r" {
              on local
              if env.SKP_OUTPUT == "json" {
                local "printf '%s\\\\n' '{\\"Names\\":\\"web\\",\\"State\\":\\"running\\"}' '{not json}'"
              } else {
                local "echo table"
              }
            }

            """
        let dir = try Binary.project(["tasks/j.skp": task])
        let outcome = try Binary.run(["--json", "j.rows"], in: dir, environment: ["SKP_LOCK_DIR": dir + "/.locks"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let events = outcome.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let output = events.filter { $0["event"] as? String == "output" }
        #expect(output.count == 2, "\(outcome.stdout)")
        #expect((output.first?["object"] as? [String: Any])?["Names"] as? String == "web")
        #expect(output.last?["object"] == nil && output.last?["line"] as? String == "{not json}")
        let text = try Binary.run(["j.rows"], in: dir, environment: ["SKP_LOCK_DIR": dir + "/.locks"])
        #expect(text.stdout.contains("table"), "\(text.stdout)")
    }
}

/// `TASK … -- COMMAND WORDS`: the rest of the line is the task's command, as with ssh.
@Suite struct CommandAfterDashDashTests {
    @Test func issue14_theRestAfterDashDashIsTheCommand() throws {
        let plan = try Binary.run(["--dry-run", "docker.exec", "-n", "hello-skp", "--limit", "c02", "--", "ls", "-l", "/shared"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("c02  $ printf '%s\\n' 'ls -l /shared' | docker exec -i hello-skp sh"), "\(plan.stdout)")
        let twice = try Binary.run(["--dry-run", "docker.exec", "-n", "hello-skp", "-c", "id", "--", "ls"])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("given twice"))
    }
}

/// `--list --json`: the task list as one JSON document (issue 18, item 7).
@Suite struct ListJSONTests {
    @Test func theTaskListIsJSONWithEveryTaskAndItsFlags() throws {
        let outcome = try Binary.run(["--list", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let tasks = try #require(document["tasks"] as? [[String: Any]])
        let text = try Binary.run(["--list"]).stdout
        // The same tasks as the text list, in its order.
        let listed = text.split(separator: "\n").compactMap { line -> String? in
            let word = line.split(separator: " ").first.map(String.init) ?? ""
            return line.hasPrefix("  ") && word.contains(".") ? word : nil
        }
        #expect(tasks.compactMap { $0["name"] as? String } == listed)
        let cmd = try #require(tasks.first { $0["name"] as? String == "ssh.cmd" })
        let params = try #require(cmd["params"] as? [[String: Any]])
        #expect(params.contains { $0["name"] as? String == "command" && $0["short"] as? String == "c" && $0["required"] as? Bool == true })
        #expect(params.contains { $0["name"] as? String == "retries" && $0["default"] as? String == "1" })
        let join = try #require(tasks.first { $0["name"] as? String == "docker.swarm-join" })
        #expect(join["pre"] as? [String] == ["docker.swarm-init"])
    }
}
