import Foundation
import Testing
@testable import SkpKit

/// A stand-in for SSH, named as one: each host answers commands from a script, in memory. It
/// drives the real Executor through failures, timeouts, cancellation, resume, captures and
/// keep-going in milliseconds and without root; the lab suites cover the real transport.
final class FakeTransport: Transport, @unchecked Sendable {
    struct Reply {
        var exitCode: Int32 = 0
        var stdout = ""
        var stderr = ""
        /// Seconds the command takes (a timeout or Ctrl-C may end it first).
        var seconds: Double = 0
    }

    private let lock = NSLock()
    private let script: @Sendable (_ host: String, _ command: String) -> Reply
    private let unreachable: Set<String>
    private var sent: [(host: String, command: String, secrets: [String])] = []
    /// When each command ran: for what ran at the same time as what.
    private var ran: [Span] = []
    struct Span { var host: String; var command: String; var start: Date; var end: Date }
    private(set) var connections: [String: Int] = [:]
    /// Called as each command starts (to cancel mid-run, say).
    var onCommand: (@Sendable (String, String) -> Void)?

    init(unreachable: Set<String> = [], _ script: @escaping @Sendable (String, String) -> Reply = { _, _ in Reply() }) {
        self.script = script
        self.unreachable = unreachable
    }

    func connect(to endpoint: Endpoint, cancel: Cancellation) throws -> RemoteSession {
        if unreachable.contains(endpoint.name) { throw TransportError.connect("connection to \(endpoint.name) refused (fake)") }
        lock.lock(); connections[endpoint.name, default: 0] += 1; lock.unlock()
        return Session(host: endpoint.name, transport: self)
    }

    /// The commands a host was sent, in order (checks included).
    func commands(_ host: String) -> [String] {
        lock.lock(); defer { lock.unlock() }
        return sent.filter { $0.host == host }.map(\.command)
    }

    /// Every command that returned, with when it started and ended.
    var spans: [Span] { lock.withLock { ran } }

    func secrets(_ host: String) -> [String] {
        lock.lock(); defer { lock.unlock() }
        return sent.filter { $0.host == host }.flatMap(\.secrets)
    }

    final class Session: RemoteSession {
        let host: String
        let transport: FakeTransport
        init(host: String, transport: FakeTransport) { self.host = host; self.transport = transport }

        func run(_ command: String, secrets: [Secret], timeout: Double?, cancel: Cancellation,
                 output: (SkpKit.OutputStream, [UInt8]) -> Void) throws -> CommandStatus {
            transport.lock.lock(); transport.sent.append((host, command, secrets.map(\.revealed))); transport.lock.unlock()
            transport.onCommand?(host, command)
            let reply = transport.script(host, command)
            let start = Date()
            while Date().timeIntervalSince(start) < reply.seconds {
                if cancel.isCancelled { throw TransportError.cancelled }
                if let timeout, Date().timeIntervalSince(start) >= timeout { return CommandStatus(exitCode: -1, signal: "TERM", timedOut: true) }
                usleep(5_000)
            }
            transport.lock.withLock { transport.ran.append(Span(host: host, command: command, start: start, end: Date())) }
            if !reply.stdout.isEmpty { output(.stdout, Array(reply.stdout.utf8)) }
            if !reply.stderr.isEmpty { output(.stderr, Array(reply.stderr.utf8)) }
            return CommandStatus(exitCode: reply.exitCode)
        }

        func upload(_ bytes: [UInt8], to path: String, mode: Int32) throws -> Bool { true }
        func wouldChange(_ bytes: [UInt8], at path: String, mode: Int32) throws -> Bool { path.hasSuffix("differs") }
        func close() {}
    }
}

struct ExecutorFakeTransportTests {
    let inventory: Inventory

    init() throws { inventory = try Fixture.inventory(hosts: Fixture.fiveHosts) }

    func execute(_ tasks: String, _ requests: [String], transport: FakeTransport, options: Options = Options(),
                 resume: [String: String]? = nil, configure: (Executor) -> Void = { _ in }) throws -> (RunReport, Plan) {
        let plan = try Fixture.plan(["t": tasks], requests.map { TaskRequest(task: $0) }, inventory: inventory)
        let mask = SharedMask(plan.secrets)
        let sink = LiveOutput(style: Style(enabled: false), layout: .grouped, json: false, hostNames: inventory.hosts.map(\.name),
                              mask: mask, progress: false)
        let endpoints = EndpointResolver(connection: options.connection, config: SSHConfig(), environment: ["HOME": "/nonexistent"])
        let executor = Executor(plan: plan, transport: transport, settings: options.run, endpoints: endpoints, mask: mask)
        executor.observe(with: sink)
        if let resume { executor.resuming("earlier", done: resume) }
        configure(executor)
        return (executor.run(), plan)
    }

    func status(_ report: RunReport, _ host: String) -> HostReport.Status? {
        report.hosts.first { $0.name == host }?.status
    }

    @Test func aFailedStepStopsThatHostOnlyAndLaterStagesSkipIt() throws {
        let fake = FakeTransport { host, command in
            FakeTransport.Reply(exitCode: host == "c02" && command == "two" ? 7 : 0, stderr: host == "c02" ? "disk full\n" : "")
        }
        let (report, _) = try execute("task t {\n on all { run \"one\"\n run \"two\"\n run \"three\" }\n on all { run \"four\" }\n}", ["t.t"],
                                      transport: fake)
        #expect(status(report, "c02") == .failed)
        #expect(report.hosts.first { $0.name == "c02" }?.exitCode == 7)
        #expect(report.hosts.first { $0.name == "c02" }?.stderrTail == ["disk full"])
        #expect(fake.commands("c02") == ["one", "two"])
        #expect(fake.commands("c01") == ["one", "two", "three", "four"])
        #expect(report.exitCode == .taskFailed)
        // One connection per host for the whole run.
        #expect(fake.connections.values.allSatisfy { $0 == 1 })
    }

    @Test func aStepPastTheTimeoutIsTimedOut() throws {
        let fake = FakeTransport { _, command in FakeTransport.Reply(seconds: command == "slow" ? 5 : 0) }
        var options = Options()
        options.commandTimeout = 0.1
        let start = Date()
        let (report, _) = try execute("task t {\n on c01 { run \"slow\"\n run \"after\" }\n on c02 { run \"fast\" }\n}", ["t.t"],
                                      transport: fake, options: options)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(status(report, "c01") == .timedOut)
        #expect(report.hosts.first { $0.name == "c01" }?.message?.contains("timed out after 0.1 s") == true)
        #expect(fake.commands("c01") == ["slow"])
        // Within the task, the other hosts go on (the run stops after the task).
        #expect(fake.commands("c02") == ["fast"])
        #expect(report.exitCode == .taskFailed)
    }

    @Test func cancellingStopsEveryHostAndSaysInterrupted() throws {
        let fake = FakeTransport { _, _ in FakeTransport.Reply(seconds: 10) }
        // Set before the run starts, read from the fan-out's threads.
        final class Held: @unchecked Sendable { var executor: Executor? }
        let held = Held()
        fake.onCommand = { _, _ in held.executor?.cancel.cancel() }
        let start = Date()
        let (report, _) = try execute("task t {\n on all { run \"long\"\n run \"never\" }\n}", ["t.t"], transport: fake) { held.executor = $0 }
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(report.interrupted && report.exitCode == .interrupted)
        for host in ["c01", "c02", "c03", "c04", "c05"] { #expect(!fake.commands(host).contains("never")) }
    }

    @Test func anUnreachableHostIsReportedAndTheOthersRun() throws {
        let fake = FakeTransport(unreachable: ["c03"])
        let (report, _) = try execute("task t { run \"x\" }", ["t.t"], transport: fake)
        #expect(status(report, "c03") == .unreachable)
        #expect(report.hosts.first { $0.name == "c03" }?.message?.contains("refused (fake)") == true)
        #expect(status(report, "c01") == .changed)
        #expect(report.exitCode == .unreachable)
    }

    @Test func aSucceedingCheckMakesTheStepUnchanged() throws {
        let fake = FakeTransport { host, command in FakeTransport.Reply(exitCode: command == "probe" && host != "c05" ? 0 : 1) }
        let (report, _) = try execute("task t { run \"change\" unless \"probe\" }", ["t.t"], transport: fake)
        #expect(fake.commands("c01") == ["probe"])
        #expect(fake.commands("c05") == ["probe", "change"])
        #expect(status(report, "c01") == .ok && status(report, "c05") == .failed)
    }

    /// A captured value reaches later commands on stdin, never in their text.
    @Test func aCapturedValueTravelsAsASecret() throws {
        let fake = FakeTransport { _, command in FakeTransport.Reply(stdout: command == "token" ? "SWMTKN-1-abc\n" : "") }
        let text = "task t {\n on c01 { capture tok = run \"token\" }\n on !c01 { run \"join ${tok}\" }\n}"
        let (report, _) = try execute(text, ["t.t"], transport: fake)
        #expect(report.exitCode == .ok)
        for host in ["c02", "c03", "c04", "c05"] {
            #expect(fake.commands(host).allSatisfy { !$0.contains("SWMTKN") })
            #expect(fake.secrets(host) == ["SWMTKN-1-abc"])
        }
    }

    @Test func withoutKeepGoingLaterTasksDoNotRunAndWithItFailedHostsSitOut() throws {
        let fake = FakeTransport { host, command in FakeTransport.Reply(exitCode: host == "c02" && command == "a" ? 1 : 0) }
        let tasks = "task a { run \"a\" }\ntask b { run \"b\" }"
        let (stopped, _) = try execute(tasks, ["t.a", "t.b"], transport: fake)
        #expect(stopped.tasksNotRun == ["t.b"])
        #expect(fake.commands("c01") == ["a"])
        var options = Options()
        options.keepGoing = true
        let going = FakeTransport { host, command in FakeTransport.Reply(exitCode: host == "c02" && command == "a" ? 1 : 0) }
        let (report, _) = try execute(tasks, ["t.a", "t.b"], transport: going, options: options)
        #expect(report.tasksNotRun.isEmpty)
        #expect(going.commands("c01") == ["a", "b"])
        #expect(going.commands("c02") == ["a"])
        #expect(report.exitCode == .taskFailed)
    }

    /// --resume: steps an earlier run finished are skipped; the rest run, in order.
    @Test func resumeSkipsWhatAnEarlierRunFinished() throws {
        let tasks = "task t {\n on all { run \"one\"\n run \"two\" }\n}"
        let plan = try Fixture.plan(["t": tasks], [TaskRequest(task: "t.t")], inventory: inventory)
        // The earlier run finished both steps on c01, and the first one on c02.
        var done: [String: String] = [:]
        let hosts = plan.tasks[0].stages[0].hosts
        for host in hosts where host.name == "c01" || host.name == "c02" {
            let keys = ResumeLedger.stepKeys(host, task: plan.tasks[0], taskIndex: 0, stage: 0)
            for key in host.name == "c01" ? keys : [keys[0]] { done[key.key] = "earlier" }
        }
        let fake = FakeTransport()
        let (report, _) = try execute(tasks, ["t.t"], transport: fake, resume: done)
        #expect(fake.commands("c01").isEmpty)
        #expect(fake.commands("c02") == ["two"])
        #expect(fake.commands("c03") == ["one", "two"])
        #expect(report.stepsDoneEarlier == 3)
        #expect(report.exitCode == .ok)
    }

    /// A capture an earlier run took is taken again when a step that still runs needs it
    /// (captured values are never written down).
    @Test func resumeTakesACaptureAgainWhenAStepNeedsIt() throws {
        let tasks = "task t {\n on c01 { capture tok = run \"token\" }\n on c02 { run \"use ${tok}\" }\n}"
        let plan = try Fixture.plan(["t": tasks], [TaskRequest(task: "t.t")], inventory: inventory)
        let capture = ResumeLedger.stepKeys(plan.tasks[0].stages[0].hosts[0], task: plan.tasks[0], taskIndex: 0, stage: 0)[0]
        let fake = FakeTransport { _, command in FakeTransport.Reply(stdout: command == "token" ? "T" : "") }
        let (report, _) = try execute(tasks, ["t.t"], transport: fake, resume: [capture.key: "earlier"])
        #expect(fake.commands("c01") == ["token"])
        #expect(fake.secrets("c02") == ["T"])
        #expect(report.exitCode == .ok)
    }
}

/// `retry N delay S` and `until "check"`, through the real executor on the fake transport.
struct RetryAndUntilTests {
    let inventory: Inventory

    init() throws { inventory = try Fixture.inventory(hosts: Fixture.fiveHosts) }

    /// Keeps every event, for what output and the journal would be told.
    final class Recorder: RunObserver, @unchecked Sendable {
        // @unchecked: `events` is only touched under `lock`.
        private let lock = NSLock()
        private var events: [RunEvent] = []
        func observe(_ event: RunEvent) { lock.withLock { events.append(event) } }
        var all: [RunEvent] { lock.withLock { events } }
        var retries: [(String, Int, Int, String)] {
            lock.withLock {
                events.compactMap { if case .stepRetried(let key, let a, let n, let m, _) = $0 { (key.host, a, n, m) } else { nil } }
            }
        }
    }

    func execute(_ tasks: String, transport: FakeTransport) throws -> (RunReport, Recorder) {
        let plan = try Fixture.plan(["t": tasks], [TaskRequest(task: "t.t")], inventory: inventory)
        let endpoints = EndpointResolver(connection: ConnectionSettings(), config: SSHConfig(), environment: ["HOME": "/nonexistent"])
        let executor = Executor(plan: plan, transport: transport, settings: RunSettings(), endpoints: endpoints, mask: SharedMask(plan.secrets))
        let recorder = Recorder()
        executor.observe(with: recorder)
        return (executor.run(), recorder)
    }

    /// Counts each host's tries of one command.
    final class Counter: @unchecked Sendable {
        // @unchecked: `counts` is only touched under `lock`.
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func next(_ host: String) -> Int { lock.withLock { counts[host, default: 0] += 1; return counts[host]! } }
    }

    @Test func aStepThatFailsTwiceThenSucceedsIsChangedWithItsAttemptsShown() throws {
        let counter = Counter()
        let fake = FakeTransport { host, command in
            command == "flaky" ? FakeTransport.Reply(exitCode: counter.next(host) < 3 ? 1 : 0, stderr: "not yet\n") : FakeTransport.Reply()
        }
        let (report, recorder) = try execute("task t { on c01 { run \"flaky\" retry 3 delay 0.01 } }", transport: fake)
        #expect(report.exitCode == .ok)
        #expect(report.hosts.first { $0.name == "c01" }?.status == .changed)
        #expect(fake.commands("c01") == ["flaky", "flaky", "flaky"])
        #expect(recorder.retries.map { "\($0.0) \($0.1)/\($0.2) \($0.3)" } == ["c01 1/3 exit 1: flaky", "c01 2/3 exit 1: flaky"])
    }

    @Test func retriesRunOutAndTheStepFails() throws {
        let fake = FakeTransport { _, _ in FakeTransport.Reply(exitCode: 4) }
        let (report, recorder) = try execute("task t { on c02 { run \"never\" retry 2 delay 0 } }", transport: fake)
        #expect(report.hosts.first { $0.name == "c02" }?.status == .failed)
        #expect(fake.commands("c02") == ["never", "never"])
        #expect(recorder.retries.count == 1)
    }

    @Test func untilPollsTheCheckUntilItHolds() throws {
        let counter = Counter()
        let fake = FakeTransport { host, _ in FakeTransport.Reply(exitCode: counter.next(host) < 4 ? 1 : 0) }
        let (report, _) = try execute("task t { on c03 { until \"nc -z localhost 8080\" every 0.1 timeout 5 } }", transport: fake)
        #expect(report.exitCode == .ok)
        #expect(fake.commands("c03") == Array(repeating: "nc -z localhost 8080", count: 4))
    }

    @Test func untilFailsAfterItsTimeout() throws {
        let fake = FakeTransport { _, _ in FakeTransport.Reply(exitCode: 1) }
        let start = Date()
        let (report, _) = try execute("task t { on c03 { until \"false\" every 0.2 timeout 1 } }", transport: fake)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(report.hosts.first { $0.name == "c03" }?.message?.contains("not true after 1 s: false") == true)
        #expect(fake.commands("c03").count >= 3)
    }

    @Test(arguments: [
        ("task t { run \"x\" retry 0 }", "retry takes a number from 1 to 100, not '0'"),
        ("task t { run \"x\" retry 101 }", "retry takes a number from 1 to 100, not '101'"),
        ("task t { run \"x\" retry 2.5 }", "retry takes a whole number of attempts"),
        ("task t { run \"x\" retry 2 delay 9999 }", "delay takes a number from 0 to 3600, not '9999'"),
        ("task t { until \"x\" every 0 }", "every takes a number from 0.1 to 3600, not '0'"),
        ("task t { until \"x\" timeout inf }", "unknown value inf"),
    ])
    func numbersAreRangeChecked(text: String, message: String) {
        let error = Fixture.diagnostic { _ = try Fixture.plan(["t": text], [TaskRequest(task: "t.t")], inventory: self.inventory) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test func thePlanShowsTheRetryAndTheWait() throws {
        let plan = try Fixture.plan(["t": "task t { on c01 { run \"x\" retry 3 delay 2\n until \"y\" every 0.5 timeout 30 } }"],
                                    [TaskRequest(task: "t.t")], inventory: inventory)
        #expect(Fixture.lines(plan) == ["t.t | c01 | $ x  (retry 3, delay 2 s)", "t.t | c01 | until$ y  (every 0.5 s, up to 30 s)"])
    }
}

/// `--check`: only probes (and reads) run; each step says whether it would change the host.
struct CheckModeTests {
    let inventory: Inventory

    init() throws { inventory = try Fixture.inventory(hosts: Fixture.fiveHosts) }

    func check(_ tasks: String, transport: FakeTransport) throws -> (RunReport, RetryAndUntilTests.Recorder) {
        let plan = try Fixture.plan(["t": tasks], [TaskRequest(task: "t.t")], inventory: inventory)
        let endpoints = EndpointResolver(connection: ConnectionSettings(), config: SSHConfig(), environment: ["HOME": "/nonexistent"])
        let executor = Executor(plan: plan, transport: transport, settings: RunSettings(check: true), endpoints: endpoints,
                                mask: SharedMask(plan.secrets))
        let recorder = RetryAndUntilTests.Recorder()
        executor.observe(with: recorder)
        return (executor.run(), recorder)
    }

    @Test func onlyProbesAndReadsRunAndEachStepSaysWhatItWouldDo() throws {
        // The label is there on c01, missing on c02.
        let fake = FakeTransport { host, command in
            FakeTransport.Reply(exitCode: command == "has-label" && host == "c02" ? 1 : 0, stdout: command == "token" ? "T" : "")
        }
        let text = """
        task t {
          on c01 | c02 {
            capture tok = run "token"
            run "add-label" unless "has-label"
            run "restart everything"
            upload "x" to "same"
            upload "y" to "differs"
            show "status"
          }
        }
        """
        let (report, recorder) = try check(text, transport: fake)
        for host in ["c01", "c02"] {
            // Nothing that changes a host was sent.
            #expect(fake.commands(host) == ["token", "has-label", "status"], "\(host): \(fake.commands(host))")
        }
        #expect(recorder.results("c01") == ["ok", "unchanged", "cannot tell", "unchanged", "would change", "ok"])
        #expect(recorder.results("c02") == ["ok", "would change", "cannot tell", "unchanged", "would change", "ok"])
        #expect(report.hosts.first { $0.name == "c02" }?.status == .wouldChange)
        #expect(report.hosts.first { $0.name == "c02" }?.wouldChange == 2)
        #expect(report.exitCode == .drift)
    }

    @Test func noDriftIsExitZeroAndAFailedRequirementIsAFailure() throws {
        let quiet = FakeTransport()
        let (clean, _) = try check("task t { on c01 { run \"x\" unless \"probe\" } }", transport: quiet)
        #expect(clean.exitCode == .ok)
        #expect(quiet.commands("c01") == ["probe"])
        let fails = FakeTransport { _, _ in FakeTransport.Reply(exitCode: 1) }
        let (failed, _) = try check("task t { on c01 { require \"in-swarm\" else \"not in the swarm\" } }", transport: fails)
        #expect(failed.exitCode == .taskFailed)
        #expect(failed.hosts.first?.message?.contains("would fail: not in the swarm") == true)
    }
}

extension RetryAndUntilTests.Recorder {
    /// Each finished step's status on a host, in order.
    func results(_ host: String) -> [String] {
        all.compactMap { if case .stepFinished(let key, _, let result, _) = $0, key.host == host { result.status } else { nil } }
    }
}
