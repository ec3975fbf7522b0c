import Foundation
import SkpTestSupport
import Testing

// Lab suites share the lab: they run one at a time, inside LabSuites.
extension LabSuites {
    /// Every command of the README's shell blocks, run as written from the project folder, in
    /// order, on the lab. Lines saying "not run by the tests" (VirtualBox, minutes-long
    /// benchmarks) and the test command itself are the only ones left out.
    @Suite(.serialized) struct ReadmeTests {
        static func commands() throws -> [String] {
            let readme = try String(contentsOfFile: Binary.root + "/README.md", encoding: .utf8)
            var commands: [String] = []
            var inBlock = false
            for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("```") { inBlock = line == "```sh"; continue }
                guard inBlock, !line.isEmpty, !line.contains("not run by the tests"), line != "swift test" else { continue }
                commands.append(String(line))
            }
            return commands
        }

        @Test func readmeCommandsRunAsWritten() throws {
            try Lab.up()
            let commands = try Self.commands()
            #expect(commands.count >= 20, "\(commands)")
            #expect(commands.first?.hasPrefix("./skp lab.up docker.swarm-init") == true)
            for command in commands {
                let outcome = try Binary.run(["-c", command], executable: "/bin/bash")
                // The tour shows one failing command on purpose, and says so with `|| echo`.
                #expect(outcome.status == 0, "\(command)\n\(outcome.stdout.suffix(4000))\(outcome.stderr.suffix(1500))")
            }
            // The README took the lab down and up again: new host keys. Record them where the
            // other lab tests look, and check the lab answers.
            #expect(try Binary.run(["lab.up"], environment: Lab.environment).status == 0)
            #expect(try Binary.run(["ssh.cmd", "-c=true"], environment: Lab.environment).status == 0)
        }
    }
}
