import Foundation
import Testing
@testable import SkpKit

/// Rolling batches (`serial N`) and `--max-fail`, through the real executor on the fake
/// transport, and a resume from what the journal recorded.
struct SerialExecutionTests {
    let inventory: Inventory

    init() throws { inventory = try Fixture.inventory(hosts: Fixture.fiveHosts) }

    func execute(_ tasks: String, requests: [String] = ["t.t"], transport: FakeTransport, settings: RunSettings = RunSettings(),
                 resume: [String: String]? = nil, journal: Journal? = nil) throws -> RunReport {
        let plan = try Fixture.plan(["t": tasks], requests.map { TaskRequest(task: $0) }, inventory: inventory)
        let endpoints = EndpointResolver(connection: ConnectionSettings(), config: SSHConfig(), environment: ["HOME": "/nonexistent"])
        let executor = Executor(plan: plan, transport: transport, settings: settings, endpoints: endpoints, mask: SharedMask(plan.secrets))
        if let journal { executor.observe(with: journal) }
        if let resume { executor.resuming("earlier", done: resume) }
        return executor.run()
    }

    /// The most commands that were running at one moment.
    static func mostAtOnce(_ spans: [FakeTransport.Span]) -> Int {
        spans.map { span in spans.filter { $0.start < span.end && span.start < $0.end }.count }.max() ?? 0
    }

    func status(_ report: RunReport, _ host: String) -> HostReport.Status? {
        report.hosts.first { $0.name == host }?.status
    }

    @Test func batchesOfTwoRunTwoAtOnceAndEachWaitsForThePrevious() throws {
        let fake = FakeTransport { _, _ in FakeTransport.Reply(seconds: 0.2) }
        let report = try execute("task t { on all serial 2 { run \"work\" } }", transport: fake)
        #expect(report.exitCode == .ok)
        let spans = fake.spans
        #expect(spans.count == 5)
        #expect(Self.mostAtOnce(spans) == 2)
        func span(_ host: String) -> FakeTransport.Span { spans.first { $0.host == host }! }
        // Within a batch the hosts run together…
        #expect(span("c02").start < span("c01").end && span("c04").start < span("c03").end)
        // …and a batch starts only after every host of the one before ended.
        #expect(max(span("c01").end, span("c02").end) <= min(span("c03").start, span("c04").start))
        #expect(max(span("c03").end, span("c04").end) <= span("c05").start)
    }

    @Test func forksStillBoundsABatch() throws {
        let fake = FakeTransport { _, _ in FakeTransport.Reply(seconds: 0.05) }
        let report = try execute("task t { on all serial 3 { run \"work\" } }", transport: fake, settings: RunSettings(forks: 1))
        #expect(report.exitCode == .ok)
        #expect(Self.mostAtOnce(fake.spans) == 1)
        #expect(fake.spans.map(\.host) == ["c01", "c02", "c03", "c04", "c05"])
    }

    static let twoSteps = "task t { on all serial { run \"one\"\n run \"two\" } }"

    static func failingOnC03(_ fixed: Bool = false) -> FakeTransport {
        FakeTransport { host, command in FakeTransport.Reply(exitCode: host == "c03" && command == "two" && !fixed ? 1 : 0) }
    }

    @Test func withoutMaxFailAFailureStopsOnlyItsHost() throws {
        let fake = Self.failingOnC03()
        let report = try execute(Self.twoSteps, transport: fake)
        #expect(fake.commands("c05") == ["one", "two"])
        #expect(report.stoppedBy == nil && report.exitCode == .taskFailed)
    }

    /// A failure on the third host with --max-fail 20% of five: the fourth and fifth never start,
    /// the journal says so, and a resume continues from the failed step of the third host.
    @Test func maxFailStopsTheRunAndAResumeContinuesFromTheFailedStep() throws {
        let folder = Fixture.folder([:])
        let journal = try Journal(folder: folder, command: "skp t.t --max-fail 20%", arguments: ["t.t", "--max-fail", "20%"],
                                  inventory: "hosts.json", resumeOf: nil)
        let fake = Self.failingOnC03()
        let report = try execute(Self.twoSteps, transport: fake, settings: RunSettings(maxFail: .percent(20)), journal: journal)
        journal.finish(exitCode: report.exitCode.rawValue, duration: report.duration, interrupted: false)
        #expect(fake.commands("c03") == ["one", "two"])
        #expect(fake.commands("c04").isEmpty && fake.commands("c05").isEmpty)
        #expect(report.stoppedBy == "max-fail 20% reached: 1 of 5 hosts failed; c04, c05 not started")
        #expect(status(report, "c04") == .notStarted && status(report, "c05") == .notStarted)
        #expect(status(report, "c02") == .changed && status(report, "c03") == .failed)
        #expect(report.exitCode == .taskFailed)
        let summary = SummaryPrinter(style: Style(enabled: false))
        #expect(summary.render(report).contains("c05   not started"), "\(summary.render(report))")
        #expect(summary.render(report).contains("1 failed, 2 not started"))
        #expect(summary.json(report).contains(#""stopped_by":"max-fail 20% reached: 1 of 5 hosts failed; c04, c05 not started""#))
        #expect(summary.json(report).contains(#""host":"c04","status":"not started""#))

        // The journal: c04 and c05 are not done, their steps recorded as not started.
        let record = try RunHistory.load(path: journal.path)
        #expect(record.hostsFailed == ["c03", "c04", "c05"])
        #expect(record.steps.filter { $0.host == "c05" }.map(\.status) == ["not started", "not started"])
        #expect(RunHistory.list(folder: folder).first?.hostsNotDoneCount == 3)
        let plan = try Fixture.plan(["t": Self.twoSteps], [TaskRequest(task: "t.t")], inventory: inventory)
        let listing = ResumePrinter(style: Style(enabled: false)).render(plan, run: record)
        #expect(listing.contains("c04  step 1/2  run · not started"), "\(listing)")
        #expect(listing.contains("c03  step 2/2  run · failed (exit 1)"))
        #expect(!listing.contains("c03  step 1/2"))

        // Fixed: the resume runs c03's failed step and what never started; c01 and c02 are skipped.
        let fixed = Self.failingOnC03(true)
        let resumed = try execute(Self.twoSteps, transport: fixed, settings: RunSettings(maxFail: .percent(20)), resume: record.done)
        #expect(fixed.commands("c01").isEmpty && fixed.commands("c02").isEmpty)
        #expect(fixed.commands("c03") == ["two"])
        #expect(fixed.commands("c04") == ["one", "two"] && fixed.commands("c05") == ["one", "two"])
        #expect(resumed.stepsDoneEarlier == 5)
        #expect(resumed.exitCode == .ok && resumed.stoppedBy == nil)
    }

    /// In batches of two, the third host's batch-mate started with it and finishes; only the
    /// next batch never starts.
    @Test func aRunningBatchMateFinishesAndTheNextBatchNeverStarts() throws {
        let fake = Self.failingOnC03()
        let report = try execute("task t { on all serial 2 { run \"one\"\n run \"two\" } }", transport: fake,
                                 settings: RunSettings(maxFail: .percent(20)))
        #expect(fake.commands("c04") == ["one", "two"])
        #expect(fake.commands("c05").isEmpty)
        #expect(report.stoppedBy == "max-fail 20% reached: 1 of 5 hosts failed; c05 not started")
    }

    @Test func aPlainCountStopsEvenWithKeepGoingAndLaterTasksDoNotRun() throws {
        let fake = FakeTransport { host, command in
            FakeTransport.Reply(exitCode: ["c02", "c03"].contains(host) && command == "a" ? 1 : 0)
        }
        let report = try execute("task a { on all serial { run \"a\" } }\ntask b { run \"b\" }", requests: ["t.a", "t.b"], transport: fake,
                                 settings: RunSettings(keepGoing: true, maxFail: .hosts(2)))
        #expect(report.stoppedBy == "max-fail 2 reached: 2 of 5 hosts failed; c04, c05 not started")
        #expect(report.tasksNotRun == ["t.b"])
        #expect(fake.commands("c01") == ["a"])
        #expect(SummaryPrinter(style: Style(enabled: false)).render(report).contains("not run (--max-fail stopped the run): t.b"))
    }

    @Test func belowTheThresholdTheStageGoesOn() throws {
        let fake = Self.failingOnC03()
        let report = try execute(Self.twoSteps, transport: fake, settings: RunSettings(maxFail: .percent(40)))
        #expect(fake.commands("c05") == ["one", "two"])
        #expect(report.stoppedBy == nil)
    }

    /// Hosts that failed in an earlier stage count toward a later stage's threshold.
    @Test func failuresOfEarlierStagesCount() throws {
        let fake = FakeTransport { host, command in FakeTransport.Reply(exitCode: host == "c01" && command == "first" ? 1 : 0) }
        let report = try execute("task t {\n on all { run \"first\" }\n on c01|c02 { run \"second\" }\n}", transport: fake,
                                 settings: RunSettings(keepGoing: true, maxFail: .percent(50)))
        #expect(fake.commands("c02") == ["first"])
        #expect(report.stoppedBy == "max-fail 50% reached: 1 of 2 hosts failed; c02 not started")
    }
}

extension SerialExecutionTests {
    /// Each host given up is told once, with the steps it did not run (what the views and the
    /// journal show) and why.
    @Test func eachHostNotStartedIsToldWithItsStepsAndWhy() throws {
        let plan = try Fixture.plan(["t": Self.twoSteps], [TaskRequest(task: "t.t")], inventory: inventory)
        let endpoints = EndpointResolver(connection: ConnectionSettings(), config: SSHConfig(), environment: ["HOME": "/nonexistent"])
        let executor = Executor(plan: plan, transport: Self.failingOnC03(), settings: RunSettings(maxFail: .hosts(1)), endpoints: endpoints,
                                mask: SharedMask(plan.secrets))
        let recorder = RetryAndUntilTests.Recorder()
        executor.observe(with: recorder)
        _ = executor.run()
        let notStarted = recorder.all.compactMap { event -> String? in
            if case .hostNotStarted(_, let host, let steps, let reason) = event { "\(host) \(steps.count) \(reason)" } else { nil }
        }
        #expect(notStarted == ["c04 2 max-fail 1 reached", "c05 2 max-fail 1 reached"])
    }
}
