import Foundation
import SkpTestSupport
import Testing

/// Completion, driven through a real bash with the script skp prints.
@Suite struct CompletionTests {
    /// What bash offers for `line` (the cursor at its end).
    func complete(_ line: String) throws -> [String] {
        let script = try Binary.run(["--completion", "bash"]).stdout
        let path = NSTemporaryDirectory() + "skp-completion-\(UUID().uuidString).bash"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map { "'\($0)'" }.joined(separator: " ")
        let driver = """
            source \(path)
            COMP_WORDS=(\(words)); COMP_WORDS[0]='\(Binary.path)'
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            _skp
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        return try Binary.run(["-c", driver], executable: "/bin/bash").stdout.split(separator: "\n").map(String.init)
    }

    @Test func completesTaskNames() throws {
        #expect(try complete("skp docker.vol") == ["docker.volume-create", "docker.volume-rm", "docker.volume-ls"])
        #expect(try complete("skp ssh.c") == ["ssh.cmd", "ssh.copy-id"])
    }

    @Test func offersTheTasksFlags() throws {
        let flags = try complete("skp docker.volume-create -")
        #expect(flags.contains("--name") && flags.contains("-n") && flags.contains("--dry-run"))
        #expect(try complete("skp --dry-run ssh.cmd --com") == ["--command", "--completion"])
    }

    @Test func zshAndFishScriptsAreOffered() throws {
        #expect(try Binary.run(["--completion", "zsh"]).stdout.contains("compdef _skp skp"))
        #expect(try Binary.run(["--completion", "fish"]).stdout.contains("complete -c skp"))
        #expect(try Binary.run(["--completion", "tcsh"]).status == 2)
    }
}
