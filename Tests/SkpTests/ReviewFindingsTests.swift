import Foundation
import Testing
import SkpTestSupport

/// What an adversarial pass over issues 13–15 found (dry runs and local-only runs), each kept
/// fixed here. No host is contacted.
@Suite struct ReviewFindingsTests {
    static func project(_ files: [String: String] = [:]) throws -> String {
        let dir = try Binary.project(files)
        for item in ["images", "images.json", "services.json", "stacks", "lib"] where files[item] == nil {
            try? FileManager.default.copyItem(atPath: Binary.root + "/" + item, toPath: dir + "/" + item)
        }
        return dir
    }

    /// A secret's text never lands in the journal, however it reached a command (integer() lost
    /// secrecy; a plain flag with the same text was journaled as is).
    @Test func issue13Item6_theJournalIsMaskedByValue() throws {
        let task = "task loc \"l\" {\n  param pw -p secret \"pw\"\n  param m -m \"m\"\n  on local\n  local \"echo ${integer(pw, 0, 99999999999)}\"\n  local \"echo ${m} SWMTKN-1-abcdef0123-xyz\"\n}\n"
        let dir = try Self.project(["tasks/t.skp": task])
        let outcome = try Binary.run(["t.loc", "-p", "123456789", "-m", "123456789"], in: dir, environment: ["SKP_LOCK_DIR": dir + "/.locks"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let folder = dir + "/.skp/runs"
        let journal = try FileManager.default.contentsOfDirectory(atPath: folder).map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined()
        #expect(!journal.isEmpty)
        #expect(!journal.contains("123456789"), "\(journal)")
        #expect(!journal.contains("abcdef0123"), "\(journal)")
        #expect(!outcome.stdout.contains("123456789"))
        let plan = try Binary.run(["--dry-run", "t.loc", "-p", "123456789", "-m", "123456789"], in: dir)
        #expect(!plan.stdout.contains("123456789"), "\(plan.stdout)")
        let bad = try Binary.run(["--dry-run", "t.loc", "-p", "SECRETVALUE123", "-m", "x"], in: dir)
        #expect(bad.status == 2)
        #expect(!bad.stderr.contains("SECRETVALUE123"), "\(bad.stderr)")
    }

    @Test(arguments: [
        (["docker.stack-deploy", "-n", "demo", "-w", "PATH[$(touch /tmp/skp-pwn)]"], "is not a whole number from 1 to 86400"),
        (["docker.stack-deploy", "-n", "demo", "-w", "1e308"], "is not a whole number from 1 to 86400"),
        (["docker.stack-deploy", "-n", "../../../etc/cron.d/evil"], "is not a Docker name"),
        (["docker.stack-deploy", "-n", "x;id"], "is not a Docker name"),
        (["docker.service-scale", "-n", "web-skp", "-r", "1; id"], "is not a whole number from 0 to 1000"),
        (["docker.logs", "-n", "hello-skp", "-t", "$(id)"], "is not a whole number from 0 to 1000000"),
    ])
    func issue15_flagsThatReachTheSwarmHelperAreChecked(arguments: [String], message: String) throws {
        let outcome = try Binary.run(["--dry-run"] + arguments, in: try Self.project())
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test func issue15_theSwarmHelperChecksItsSecondsBeforeAnyArithmetic() throws {
        let marker = NSTemporaryDirectory() + "skp-helper-pwn-\(UUID().uuidString.prefix(6))"
        for mode in ["stack", "drain", "wait"] {
            let outcome = try Binary.run([Binary.root + "/lib/skp-swarm.sh", mode, "demo", "PATH[$(touch \(marker))]"], executable: "/bin/bash")
            #expect(outcome.status == 2, "\(mode)")
            #expect(outcome.stderr.contains("wait takes whole seconds"))
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test(arguments: [
        ("services.json", "\"APP_PASSWORD=skp-lab-app-secret-0000\"", "\"APP_PASSWORD=pw\\nLD_PRELOAD=/tmp/evil.so\"", "holds a line break"),
        ("services.json", "\"GREETING=hello\", ", "\"GREETING=hello\", \"GREETING=again\", ", "GREETING is given twice"),
        ("services.json", "\"GREETING=hello\", ", "\"SKP_SERVICE_INDEX=9\", ", "is set by skp for every container"),
        ("services.json", "\"image\": \"skp/hello\"", "\"image\": \"skp/helo\"", "did you mean skp/hello?"),
        ("volumes.json", "\"--opt o=bind\", \"--opt device=$SKP_MNT/volume-skp\"", "\"--opt o=bind; touch /tmp/skp-pwn #\"", "which a shell would read as syntax"),
        ("networks.json", "--attachable --driver overlay", "--attachable $(touch /tmp/skp-pwn)", "which a shell would read as syntax"),
    ])
    func issue14_inventoryValuesThatWouldChangeACommandAreRefused(file: String, replace: String, with: String, message: String) throws {
        let original = try String(contentsOfFile: Binary.root + "/" + file, encoding: .utf8)
        #expect(original.contains(replace), "the sample changed: \(replace)")
        let dir = try Self.project([file: original.replacingOccurrences(of: replace, with: with)])
        let outcome = try Binary.run(["--dry-run", "docker.run"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\(file):"), "\(outcome.stderr)")
    }

    @Test func issue13Item6_aSecretWrittenMysqlStyleIsNotEchoed() throws {
        let outcome = try Binary.run(["--dry-run", "ssh.copy-id", "-pLONGSECRET99"])
        #expect(outcome.status == 2)
        #expect(!outcome.stderr.contains("LONGSECRET99"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("takes a secret"))
    }

    /// A key given where a compose file or a public key was expected is never printed.
    @Test func issue13Item6_aPrivateKeyReadByATaskIsASecret() throws {
        let dir = try Self.project(["stacks/leak.yml": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"])
        for mode in [["--dry-run"], ["--dry-run", "--json"]] {
            let outcome = try Binary.run(mode + ["docker.stack-deploy", "-n", "leak"], in: dir)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(!outcome.stdout.contains("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"), "\(outcome.stdout.suffix(600))")
        }
    }

    /// Swarm services are not containers: docker.run leaves them to service-create.
    @Test func issue15_containerTasksLeaveSwarmServicesAlone() throws {
        let plan = try Binary.run(["--dry-run", "docker.run"])
        #expect(plan.status == 0)
        #expect(!plan.stdout.contains("web-skp"))
    }
}
