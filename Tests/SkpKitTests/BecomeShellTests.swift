import Foundation
import Testing
@testable import SkpKit

/// The become plumbing run for real in dash and bash, against a stand-in `sudo` that behaves as
/// sudo 1.9 does with `-S`: it reads the password a byte at a time up to the line break, tries
/// the next line after a wrong one (up to three), gives up at end of file, and reads nothing when
/// it needs no password (NOPASSWD, or credentials cached by an earlier call).
@Suite(.serialized) struct BecomeShellTests {
    static let standIn = #"""
        #!/bin/sh
        dir=/STANDIN
        stdin=no
        while :; do case $1 in -S) stdin=yes; shift ;; -n) shift ;; -p) shift 2 ;; *) break ;; esac; done
        need=yes
        [ "$(cat "$dir/mode")" = nopasswd ] && need=no
        [ -e "$dir/cached" ] && need=no
        if [ $need = yes ]; then
          [ $stdin = yes ] || { echo 'sudo: a password is required' >&2; exit 1; }
          tries=0
          while :; do
            if ! IFS= read -r pw; then
              echo 'sudo: no password was provided' >&2; echo "sudo: $tries incorrect password attempt" >&2; exit 1
            fi
            tries=$((tries + 1))
            printf '%s\n' "$pw" >> "$dir/read"
            [ "$pw" = "$(cat "$dir/password")" ] && break
            echo 'Sorry, try again.' >&2
            [ $tries = 3 ] && { echo 'sudo: 3 incorrect password attempts' >&2; exit 1; }
          done
          [ "$(cat "$dir/mode")" = cache ] && : > "$dir/cached"
        fi
        exec "$@"
        """#

    static let passwords = [
        "it's \"quoted\"", "$(touch \(HostileInputTests.marker))", "`touch \(HostileInputTests.marker)`", "back\\slash\\",
        "-n", "--", "  spaced  out  ", "ünïcødé ✓ 密码", "${skp_secret_1}", "SKP_SECRETS_END", "SKP_BECOME_END",
        "%s%n\\n", "*", "tab\there", "'", "\\", "inner",
    ]

    /// A folder holding the stand-in (as `sudo`), the password it wants and how it behaves.
    static func standIn(password: String, mode: String) throws -> String {
        let dir = Fixture.folder(["password": password, "mode": mode])
        try Self.standIn.replacingOccurrences(of: "/STANDIN", with: dir).write(toFile: dir + "/sudo", atomically: true, encoding: .utf8)
        chmod(dir + "/sudo", 0o755)
        return dir
    }

    /// Runs what the SSH transport would: the prelude reading the values, then the command.
    static func run(_ sh: String, _ sent: TransportCommand, path: String) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sh)
        let reads = TransportCommand.reads(sent.secrets.enumerated().map { ($0.offset, $0.element) })
        process.arguments = ["-c", reads + sent.text]
        process.environment = ["HOME": "/home/op", "PATH": path + ":/usr/bin:/bin"]
        let input = Pipe(), output = Pipe(), error = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (input, output, error)
        try process.run()
        input.fileHandleForWriting.write(Data(sent.stdin))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static func sent(password: String, secret: String) throws -> TransportCommand {
        try BecomeTests.command(BecomeTests.plan(secret: secret, source: { password })).forTransport(captures: [:])
    }

    @Test(arguments: ["needs", "cache", "nopasswd"])
    func hostilePasswordsReachSudoByteForByteAndTheCommandStillGetsItsValues(mode: String) throws {
        for password in Self.passwords {
            for sh in ["/bin/dash", "/bin/bash"] {
                let bin = try Self.standIn(password: password, mode: mode)
                // "inner" is also the command's own value: one variable serves both.
                let secret = password == "inner" ? password : "inner \"$x\" 'q' \\ \(UUID().uuidString.prefix(6))"
                let sent = try Self.sent(password: password, secret: secret)
                #expect(password.count < 8 || password.hasPrefix("SKP_") || password.hasPrefix("${skp") || !sent.text.contains(password), "the password is in the command text")
                let result = try Self.run(sh, sent, path: bin)
                #expect(result.status == 0 && result.out == "\(secret)|x\(secret)|",
                        "\(sh) \(mode) \(password.debugDescription): \(result.status) \(result.out.debugDescription) \(result.err)")
                let read = (try? String(contentsOfFile: bin + "/read", encoding: .utf8)) ?? ""
                // Checked once by the first call; the second reads it again only when not cached.
                let expected = mode == "nopasswd" ? "" : String(repeating: password + "\n", count: mode == "needs" ? 2 : 1)
                #expect(read == expected, "\(sh) \(mode): sudo read \(read.debugDescription)")
                #expect(!FileManager.default.fileExists(atPath: HostileInputTests.marker))
            }
        }
    }

    /// A wrong password fails that step at once with a plain message: sudo is given one line, so
    /// it never takes the command's values as further tries, and never waits for more input.
    @Test(arguments: ["/bin/dash", "/bin/bash"])
    func aWrongPasswordFailsAtOnceWithoutASecondTry(sh: String) throws {
        let bin = try Self.standIn(password: "the-right-one", mode: "needs")
        let sent = try Self.sent(password: "a-wrong-one", secret: "value-never-tried")
        let started = Date()
        let result = try Self.run(sh, sent, path: bin)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.status == 1 && result.out.isEmpty)
        #expect(result.err == "sudo: wrong become password on c01\n", "\(result.err.debugDescription)")
        #expect((try? String(contentsOfFile: bin + "/read", encoding: .utf8)) == "a-wrong-one\n")
    }

    /// Anything else sudo says when it refuses is passed on as it said it.
    @Test func otherRefusalsAreShownAsSudoSaidThem() throws {
        let bin = Fixture.folder(["sudo": "#!/bin/sh\necho 'ops is not in the sudoers file.' >&2\nexit 1\n"])
        chmod(bin + "/sudo", 0o755)
        let result = try Self.run("/bin/sh", Self.sent(password: "pw-1", secret: "v"), path: bin)
        #expect(result.status == 1 && result.err == "ops is not in the sudoers file.\n", "\(result.err)")
    }

    /// Sampled every 20 ms while the plumbing runs (the stand-in waits in between): no process
    /// on this machine has the password or the command's value in its arguments.
    @Test func neitherThePasswordNorTheValuesAreInAnyProcesssArguments() throws {
        let password = "become-\(UUID().uuidString.prefix(12))", secret = "value-\(UUID().uuidString.prefix(12))"
        let bin = try Self.standIn(password: password, mode: "needs")
        try Self.standIn.replacingOccurrences(of: "/STANDIN", with: bin).replacingOccurrences(of: "exec \"$@\"", with: "sleep 0.3; exec \"$@\"")
            .write(toFile: bin + "/sudo", atomically: true, encoding: .utf8)
        let sent = try BecomeTests.command(BecomeTests.plan(task: "task t \"t\" {\n  param v -v secret \"v\"\n  sudo \"sleep 0.3; printf '%s' ${v}\"\n}\n",
                                                            secret: secret, source: { password })).forTransport(captures: [:])
        let sampler = ProcessSampler()
        for sh in ["/bin/dash", "/bin/bash"] {
            let result = try Self.run(sh, sent, path: bin)
            #expect(result.status == 0 && result.out == secret, "\(sh): \(result.err)")
        }
        let seen = sampler.stop()
        #expect(seen.contains { $0.contains("skp_secret_") }, "the sampler saw the commands (\(seen.count) entries)")
        #expect(!seen.contains { $0.contains(password) || $0.contains(secret) })
    }
}

/// Every process's arguments on this machine, read from /proc every 20 ms until `stop`.
final class ProcessSampler: @unchecked Sendable { // @unchecked: `seen` and `running` only under `lock`
    private let lock = NSLock()
    private var seen = Set<String>()
    private var running = true
    private var thread: Thread?

    init() {
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                var snapshot = Set<String>()
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
                    if let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") {
                        snapshot.insert(String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self))
                    }
                }
                lock.withLock { seen.formUnion(snapshot) }
                usleep(20_000)
            }
        }
        self.thread = thread
        thread.start()
    }

    func stop() -> Set<String> {
        lock.withLock { running = false }
        usleep(40_000)
        return lock.withLock { seen }
    }
}
