import Foundation
import Testing
import SkpTestSupport

/// `skp … | head` closes skp's stdout early: skp must finish its run and exit with its own code,
/// never crash on the write (found while testing: FileHandle.write trapped on EPIPE).
@Suite struct BrokenPipeTests {
    @Test func aClosedStdoutDoesNotCrashARun() throws {
        let dir = try Binary.project(["tasks/flood.skp": "task out \"prints a lot\" {\n  on local\n  local \"seq 200000\"\n}\n"])
        let script = "cd '\(dir)' && SKP_LOCK_DIR='\(dir)/.locks' '\(Binary.path)' --color never flood.out | head -1; echo \"skp=${PIPESTATUS[0]}\""
        let outcome = try Binary.run(["-c", script], executable: "/bin/bash")
        #expect(outcome.stdout.contains("skp=0"), "\(outcome.stdout)\(outcome.stderr.prefix(500))")
        #expect(!outcome.stderr.contains("crashed") && !outcome.stderr.contains("Fatal error"), "\(outcome.stderr.prefix(800))")
    }
}
