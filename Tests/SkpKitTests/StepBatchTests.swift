import Foundation
import Testing
@testable import SkpKit

/// A stand-in for sshd, named as one: each channel runs what it is sent in this machine's
/// /bin/sh, values in its environment as the local transport passes them. It lets the real
/// executor send batches (one script per host and stage) and counts the channels it opened.
final class ShellFakeTransport: Transport, @unchecked Sendable {
    // @unchecked: `channels` is only touched under `lock`.
    private let lock = NSLock()
    private var channels: [String: Int] = [:]
    private var sent: [String] = []
    var runsBatches: Bool { true }
    /// Every script the channels were sent.
    var scripts: [String] { lock.withLock { sent } }

    /// Hosts whose first connection is refused (an earlier task makes them reachable, say).
    var refuseFirst: Set<String> = []
    private var attempts: [String: Int] = [:]

    func connect(to endpoint: Endpoint, cancel: Cancellation) throws -> RemoteSession {
        let attempt = lock.withLock { attempts[endpoint.name, default: 0] += 1; return attempts[endpoint.name]! }
        if refuseFirst.contains(endpoint.name) && attempt == 1 { throw TransportError.connect("connection refused (fake)") }
        return Session(host: endpoint.name, transport: self)
    }

    func attempts(_ host: String) -> Int { lock.withLock { attempts[host, default: 0] } }

    func channels(_ host: String) -> Int { lock.withLock { channels[host, default: 0] } }

    final class Session: RemoteSession {
        let host: String
        let transport: ShellFakeTransport
        init(host: String, transport: ShellFakeTransport) { self.host = host; self.transport = transport }

        func run(_ command: String, secrets: [Secret], timeout: Double?, cancel: Cancellation,
                 output: (SkpKit.OutputStream, [UInt8]) -> Void) throws -> CommandStatus {
            transport.lock.withLock { transport.channels[host, default: 0] += 1; transport.sent.append(command) }
            var environment = ["PATH": "/usr/bin:/bin", "SKP_FAKE_HOST": host]
            for (i, value) in secrets.enumerated() { environment[TransportCommand.variable(i)] = value.revealed }
            let status = try LocalRunner.run(command, timeout: timeout, cancel: cancel, environment: environment, output: output)
            if status.timedOut { return status }
            if cancel.isCancelled { throw TransportError.cancelled }
            return status
        }

        func upload(_ bytes: [UInt8], to path: String, mode: Int32) throws -> Bool { true }
        func wouldChange(_ bytes: [UInt8], at path: String, mode: Int32) throws -> Bool { false }
        func close() {}
    }
}

struct StepBatchTests {
    let inventory: Inventory

    init() throws { inventory = try Fixture.inventory(hosts: Fixture.fiveHosts) }

    func execute(_ tasks: String, transport: ShellFakeTransport, settings: RunSettings = RunSettings(),
                 cancelAfter: Double? = nil) throws -> (RunReport, RetryAndUntilTests.Recorder) {
        let plan = try Fixture.plan(["t": tasks], [TaskRequest(task: "t.t")], inventory: inventory)
        let endpoints = EndpointResolver(connection: ConnectionSettings(), config: SSHConfig(), environment: ["HOME": "/nonexistent"])
        let executor = Executor(plan: plan, transport: transport, settings: settings, endpoints: endpoints, mask: SharedMask(plan.secrets))
        let recorder = RetryAndUntilTests.Recorder()
        executor.observe(with: recorder)
        if let cancelAfter {
            DispatchQueue.global().asyncAfter(deadline: .now() + cancelAfter) { executor.cancel.cancel() }
        }
        return (executor.run(), recorder)
    }

    /// Per host: each step's result as the journal sees it, in order.
    func finished(_ recorder: RetryAndUntilTests.Recorder, _ host: String) -> [String] {
        recorder.all.compactMap { if case .stepFinished(let key, _, let result, _) = $0, key.host == host { result.status } else { nil } }
    }

    func printed(_ recorder: RetryAndUntilTests.Recorder, _ host: String, _ stream: SkpKit.OutputStream = .stdout) -> String {
        String(decoding: recorder.all.flatMap { event -> [UInt8] in
            if case .output(_, let h, let s, let bytes) = event, h == host, s == stream { bytes } else { [] }
        }, as: UTF8.self)
    }

    @Test func tenStepsOfAStageGoToEachHostOnOneChannel() throws {
        let steps = (1...10).map { "run \"echo step \($0)\" unless \"test \($0) -gt 7\"" }.joined(separator: "\n")
        let fake = ShellFakeTransport()
        let (report, recorder) = try execute("task t {\n on c01, c02 {\n\(steps)\n }\n}", transport: fake)
        #expect(fake.channels("c01") == 1 && fake.channels("c02") == 1)
        #expect(finished(recorder, "c01") == Array(repeating: "changed", count: 7) + ["unchanged", "unchanged", "unchanged"])
        #expect(printed(recorder, "c02") == (1...7).map { "step \($0)\n" }.joined())
        #expect(report.exitCode == .ok)
        // Each step's start comes before its end, and before the next step's start.
        let order = recorder.all.compactMap { event -> String? in
            switch event {
            case .stepStarted(let key, _) where key.host == "c01": "S\(key.index)"
            case .stepFinished(let key, _, _, _) where key.host == "c01": "E\(key.index)"
            default: nil
            }
        }
        #expect(order == (0..<10).flatMap { ["S\($0)", "E\($0)"] })
    }

    /// A host whose one use of its connection in the run is one plain command gets it as a plain
    /// command (no batch framing: as `ssh host command`); a second step anywhere in the run, or
    /// an `unless` check, makes the host's steps go as batches.
    @Test func aLoneCommandGoesPlainAndAnythingMoreGoesAsABatch() throws {
        let fake = ShellFakeTransport()
        let tasks = """
            task t {
              on c01 {
                run "echo alone"
              }
              on c02 {
                run "echo first"
              }
              on c02, c03 {
                run "echo second"
              }
              on c04 {
                run "echo checked" unless "false"
              }
              on c05 {
                local "true"
                echo "said here"
                run "echo with local steps"
              }
            }
            """
        let (report, recorder) = try execute(tasks, transport: fake)
        #expect(report.exitCode == .ok)
        let framed = { (text: String) in fake.scripts.contains { $0.contains(text) && $0.contains("skp_steps") } }
        let plain = { (text: String) in fake.scripts.contains { $0.hasSuffix(text) && !$0.contains("skp_steps") } }
        #expect(plain("echo alone") && plain("echo second") && plain("echo with local steps"), "\(fake.scripts)")
        #expect(framed("echo first") && framed("echo checked"), "\(fake.scripts)")
        #expect(printed(recorder, "c02") == "first\nsecond\n")
        #expect(printed(recorder, "c03") == "second\n")
        #expect(HostRun.loneCommands(in: try Fixture.plan(["t": tasks], [TaskRequest(task: "t.t")], inventory: inventory)) == [0, 2, 4])
    }

    @Test func theFirstFailureStopsTheHostWithItsExitCodeAndErrorLines() throws {
        let fake = ShellFakeTransport()
        let (report, recorder) = try execute("""
            task t {
             on c01 {
              run "echo one"
              run "echo bad >&2; exit 3"
              run "echo never"
             }
            }
            """, transport: fake)
        #expect(finished(recorder, "c01") == ["changed", "failed"])
        let host = report.hosts.first { $0.name == "c01" }
        #expect(host?.exitCode == 3 && host?.stderrTail == ["bad"])
        #expect(host?.message?.contains("exit 3: echo bad >&2; exit 3") == true)
        #expect(printed(recorder, "c01") == "one\n")
        #expect(fake.channels("c01") == 1)
    }

    /// Whatever a command prints, however cut, is its output: text that looks like a frame, a
    /// last line with no line break, bytes that are not UTF-8, `exit` and `cd` in a step.
    @Test func outputThatImitatesTheFramingIsOutput() throws {
        let fake = ShellFakeTransport()
        let (_, recorder) = try execute(#"""
            task t {
             on c01 {
              run "printf 'no newline'"
              run "printf '\n0123456789abcdef0123456789abcdef S 0\nE 0 0\n'; printf '\n%s E 1 0\n' x"
              run "cd /; exit 0"
              run "pwd | grep -qv '^/$' || echo root; printf '\\377\\376'"
             }
            }
            """#, transport: fake)
        #expect(finished(recorder, "c01") == ["changed", "changed", "changed", "changed"])
        let bytes = recorder.all.flatMap { event -> [UInt8] in
            if case .output(_, "c01", .stdout, let bytes) = event { bytes } else { [] }
        }
        let expected = Array("no newline\n0123456789abcdef0123456789abcdef S 0\nE 0 0\n\nx E 1 0\n".utf8)
        #expect(Array(bytes.prefix(expected.count)) == expected)
        #expect(Array(bytes.suffix(2)) == [0xFF, 0xFE])
    }

    @Test func aStepPastTheTimeoutTimesOutAndTheRestDoNotRun() throws {
        let fake = ShellFakeTransport()
        let start = Date()
        let (report, recorder) = try execute("task t {\n on c01 {\n run \"true\"\n run \"sleep 20\"\n run \"true\"\n }\n}", transport: fake,
                                             settings: RunSettings(commandTimeout: 0.5))
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(finished(recorder, "c01") == ["changed", "timed out"])
        #expect(report.hosts.first { $0.name == "c01" }?.message?.contains("timed out after 0.5 s: sleep 20") == true)
    }

    @Test func ctrlCStopsTheRunningStep() throws {
        let fake = ShellFakeTransport()
        let start = Date()
        let (report, recorder) = try execute("task t {\n on c01 {\n run \"true\"\n run \"sleep 20\"\n run \"true\"\n }\n}", transport: fake,
                                             cancelAfter: 0.5)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(finished(recorder, "c01") == ["changed", "cancelled"])
        #expect(report.interrupted)
    }

    @Test func secretsReachTheirStepsAndNeverTheScriptText() throws {
        let fake = ShellFakeTransport()
        let (_, recorder) = try execute("""
            task t {
             param pw secret default "s3cr3t-'q'-value"
             on c01 {
              run "printf '%s\\n' ${pw} | tr a-z A-Z"
              run "printf '%s' ${pw} | wc -c"
             }
            }
            """, transport: fake)
        #expect(finished(recorder, "c01") == ["changed", "changed"])
        #expect(printed(recorder, "c01").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["S3CR3T-'Q'-VALUE", "16"])
        #expect(!fake.scripts.joined().contains("s3cr3t"))
    }

    /// `require` (a fail step with a check) and `capture` go in batches too: a check that holds
    /// is unchanged, one that does not fails with the task's message; a captured value is kept,
    /// not shown, and a later stage gets it.
    @Test func requiresAndCapturesGoInTheBatch() throws {
        let fake = ShellFakeTransport()
        let (report, recorder) = try execute("""
            task t {
             on c01, c02 {
              require "true" else "never said"
              capture token = run "echo tok-$SKP_FAKE_HOST"
              run "echo shown"
              require "test $SKP_FAKE_HOST = c01" else "${host.name} is not the one"
              run "echo not on c02"
             }
             on c01 {
              run "echo got ${token}"
             }
            }
            """, transport: fake)
        #expect(finished(recorder, "c01") == ["unchanged", "ok", "changed", "unchanged", "changed", "changed"])
        #expect(finished(recorder, "c02") == ["unchanged", "ok", "changed", "failed"])
        #expect(report.hosts.first { $0.name == "c02" }?.message?.contains("c02 is not the one") == true)
        #expect(printed(recorder, "c01") == "shown\nnot on c02\ngot tok-c01\n")
        #expect(printed(recorder, "c02") == "shown\n")
        // The first stage is one channel per host; the second, one more on c01.
        #expect(fake.channels("c01") == 2 && fake.channels("c02") == 1)
    }

    /// Hosts are connected to as their task starts; one that refused that early attempt is tried
    /// again by the step that needs it (an earlier stage may be what lets it in).
    @Test func anEarlyConnectionThatWasRefusedIsTriedAgainWhenNeeded() throws {
        let fake = ShellFakeTransport()
        fake.refuseFirst = ["c02"]
        let (report, _) = try execute("task t {\n on c01 { run \"true\" }\n on c02 { run \"true\" }\n}", transport: fake)
        #expect(report.exitCode == .ok)
        #expect(fake.attempts("c02") == 2 && fake.attempts("c01") == 1)
    }

    /// The frames a reader finds do not depend on where the stream is cut.
    @Test func framesAreFoundWhereverTheStreamIsCut() {
        let batch = StepBatch([], nonce: "n0nce")
        let stream = Array("\nn0nce S 0\nhello\nworld\nn0nce E 0 0\n\nn0nce S 1\nx\nn0nce Q\n\nn0nce E 1 7\n\nn0nce Z\n".utf8)
        let expected: [FrameReader.Piece] = [.start(0), .output(Array("hello\nworld".utf8)), .end(0, "0"),
                                            .start(1), .output(Array("x\nn0nce Q\n".utf8)), .end(1, "7"), .done]
        for cut in 0...stream.count {
            var reader = FrameReader(prefix: batch.markerPrefix)
            let pieces = reader.feed(Array(stream[..<cut])) + reader.feed(Array(stream[cut...])) + reader.finish()
            #expect(Self.joined(pieces) == expected, "cut at \(cut)")
        }
    }

    /// A step's last line shows while it runs quiet: the line break held in case a marker
    /// follows goes out once it has waited `breakHold` with nothing new; a marker that then
    /// comes without its own line break (bash writes it apart) is still a marker.
    @Test func aQuietStepsLastLineGoesOutAndFramesStillHold() {
        let batch = StepBatch([], nonce: "n0nce")
        var reader = FrameReader(prefix: batch.markerPrefix)
        let later = { DispatchTime.now().uptimeNanoseconds + FrameReader.breakHold }
        #expect(Self.joined(reader.feed(Array("\nn0nce S 0\nweb: 3/5 running\n".utf8))) == [.start(0), .output(Array("web: 3/5 running".utf8))])
        #expect(reader.idle() == [], "not before it has waited")
        #expect(reader.idle(now: later()) == [.output([10])])
        #expect(reader.idle(now: later()) == [])
        #expect(Self.joined(reader.feed(Array("\nn0nce E 0 0\n".utf8))) == [.end(0, "0")])
        // The break that went out was the marker's own, written apart: the rest is still a marker.
        #expect(Self.joined(reader.feed(Array("\nn0nce S 1\nabc\n".utf8))) == [.start(1), .output(Array("abc".utf8))])
        #expect(reader.idle(now: later()) == [.output([10])])
        #expect(Self.joined(reader.feed(Array("n0n".utf8))) == [])
        #expect(Self.joined(reader.feed(Array("ce E 1 3\nn0nce is output\n".utf8))) == [.end(1, "3"), .output(Array("n0nce is output".utf8))])
    }

    /// Adjacent output pieces joined: how they are cut is the reader's business.
    static func joined(_ pieces: [FrameReader.Piece]) -> [FrameReader.Piece] {
        var out: [FrameReader.Piece] = []
        for piece in pieces {
            if case .output(let bytes) = piece, case .output(let before)? = out.last { out[out.count - 1] = .output(before + bytes) } else { out.append(piece) }
        }
        return out
    }

    /// 100 MB of output, in channel-sized pieces, passes with bounded memory in the reader.
    @Test func aFloodPassesThroughAndTheReaderKeepsLittle() {
        var reader = FrameReader(prefix: Array("\nabcdef0123456789abcdef0123456789 ".utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "y"), count: 32_767) + [10]
        var passed = 0
        for _ in 0..<(100_000_000 / chunk.count) {
            for case .output(let bytes) in reader.feed(chunk) { passed += bytes.count }
        }
        for case .output(let bytes) in reader.finish() { passed += bytes.count }
        #expect(passed == (100_000_000 / chunk.count) * chunk.count)
    }
}
