import Foundation
import Testing
import SkpTestSupport

/// The built-in lab, brought up once per test process with `skp lab.up` and shared by the
/// serialized lab suites. Tests use their own known_hosts file so a user's is never touched.
enum Lab {
    static let knownHosts = NSTemporaryDirectory() + "skp-lab-tests-known_hosts"
    static let stateDirectory = "/tmp/skp-lab"
    static let hosts = ["c01", "c02", "c03", "c04", "c05"]

    /// Environment for every lab run of the binary.
    static var environment: [String: String] { ["SKP_KNOWN_HOSTS": knownHosts] }

    private static let upOnce: Result<Void, LabUnavailable> = {
        guard getuid() == 0 else { return .failure(LabUnavailable(reason: "the lab needs root")) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"), FileManager.default.isExecutableFile(atPath: "/usr/sbin/dockerd") else {
            return .failure(LabUnavailable(reason: "openssh-server and docker.io are not installed"))
        }
        do {
            let outcome = try Binary.run(["lab.up"], environment: environment)
            guard outcome.status == 0 else {
                return .failure(LabUnavailable(reason: "lab.up failed: \(outcome.stdout)\(outcome.stderr)"))
            }
            return .success(())
        } catch {
            return .failure(LabUnavailable(reason: "\(error)"))
        }
    }()

    struct LabUnavailable: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// True when the lab is up. Without a lab the test is skipped, except in CI where a missing
    /// capability is a failure.
    static func require() throws -> Bool {
        switch upOnce {
        case .success: return true
        case .failure(let error):
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw error }
            print("skipping lab test: \(error.reason)")
            return false
        }
    }

    /// Runs a command inside a lab host (its own namespaces, its own Docker engine), outside of skp.
    @discardableResult
    static func exec(_ host: String, _ command: String) throws -> Binary.Outcome {
        try Binary.run(["exec", host, "env", "DOCKER_HOST=unix://\(stateDirectory)/\(host)/docker.sock", "HOME=/root",
                        "sh", "-c", command], executable: Binary.root + "/lab/lab.sh")
    }

    /// Processes whose command line matches `pattern` (lab hosts share the machine's process
    /// table), after waiting up to `seconds` for them to end. Empty when none is left.
    static func leftover(_ pattern: String, within seconds: Double = 5) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let found = try Binary.run(["-f", "-a", pattern], executable: "/usr/bin/pgrep").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if found.isEmpty || Date() >= deadline { return found }
            usleep(100_000)
        }
    }

    /// The trimmed stdout of `exec`.
    static func output(_ host: String, _ command: String) throws -> String {
        try exec(host, command).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func sshdLog(_ host: String) -> String {
        (try? String(contentsOfFile: "\(stateDirectory)/\(host)/sshd.log", encoding: .utf8)) ?? ""
    }

    /// Authenticated connections so far, from the host's sshd log.
    static func logins(_ host: String) -> Int {
        sshdLog(host).components(separatedBy: "Accepted publickey for").count - 1
    }
}

/// Every suite that uses the shared lab is nested here, so they run one after another:
/// one suite's logins, labels or mounts must not land in the middle of another's checks.
@Suite(.serialized) enum LabSuites {}
