import Foundation
import Testing
import SkpTestSupport

/// The built-in lab, brought up once per test process with `skp lab.up` and shared by the
/// serialized lab suites. Tests use their own known_hosts file so a user's is never touched.
enum Lab {
    static let knownHosts = NSTemporaryDirectory() + "skp-lab-tests-known_hosts"
    static let stateDirectory = "/tmp/skp-lab"
    static let hosts = ["c01", "c02", "c03", "c04", "c05"]

    /// This test process's own folder for files tests write (outputs, process samples): never a
    /// fixed /tmp path another run or user could hold or read.
    static let scratch: String = {
        let path = NSTemporaryDirectory() + "skp-tests-\(getpid())"
        mkdir(path, 0o700)
        return path
    }()

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

    /// Whether this machine can bring the lab up: root, sshd and dockerd. In CI (`CI=true`) it
    /// is always true, so a missing capability fails the lab tests instead of skipping them.
    /// Elsewhere they are reported as skipped (with this reason), never as passed.
    static var possible: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
            || (getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
                && FileManager.default.isExecutableFile(atPath: "/usr/sbin/dockerd"))
    }

    /// Brings the lab up once per test process; throws (failing the test) when it cannot.
    static func up() throws {
        if case .failure(let error) = upOnce { throw error }
    }

    /// Runs skp on the lab (no colour, the tests' own known_hosts), from `directory`.
    static func skp(_ arguments: [String], in directory: String = Binary.root, environment: [String: String] = [:]) throws -> Binary.Outcome {
        try Binary.run(["--color", "never"] + arguments, in: directory, environment: self.environment.merging(environment) { $1 })
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
@Suite(.serialized, .enabled(if: Lab.possible, "the lab needs root, sshd and dockerd")) enum LabSuites {}
