import Foundation
import Testing
import SkpTestSupport

/// What the binary prints never holds a credential pasted in the wrong place (issue 13, item 6).
@Suite struct SecretCLITests {
    static let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----"
    static let body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"

    @Test(arguments: [
        ["--dry-run", key], ["--dry-run", "ssh.cmd", key], ["--dry-run", "docker.volume-create", "-n", key],
        ["--dry-run", "ssh.cmd", "-c=true", "--limit", "c01," + key], ["--dry-run", "ssh.cmd", "-c=true", "--hosts", key],
    ])
    func issue13Item6_aPrivateKeyGivenByMistakeIsNotPrintedBack(arguments: [String]) throws {
        let outcome = try Binary.run(arguments)
        #expect(outcome.status == 2)
        #expect(!outcome.stderr.contains(Self.body) && !outcome.stdout.contains(Self.body), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("not shown"), "\(outcome.stderr)")
    }

    /// An inventory error on a line holding a credential quotes the line with the value masked.
    @Test func issue13Item6_inventoryErrorsMaskCredentialsOnTheQuotedLine() throws {
        let volumes = try String(contentsOfFile: Binary.root + "/volumes.json", encoding: .utf8)
            .replacingOccurrences(of: "\"account_key\": \"skp-lab-s3-secret-0000\"",
                                  with: "\"account_key\": \"skp-lab-s3-secret-0000\", \"account_key\": \"again\"")
        let dir = try Binary.project(["volumes.json": volumes])
        let outcome = try Binary.run(["--dry-run", "docker.volume-create"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("duplicate object key"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\"account_key\": \"***\""), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("skp-lab-s3-secret-0000") && !outcome.stderr.contains("again"))
    }
}
