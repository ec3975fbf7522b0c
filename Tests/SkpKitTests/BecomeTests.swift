import Foundation
import Testing
@testable import SkpKit

/// `sudo` steps with a become password (issue 18, item 1): planned as `sudo -S`, the password a
/// secret that reaches sudo on stdin only, and the command's own values still reach its shell.
@Suite struct BecomeTests {
    static let task = "task t \"t\" {\n  param v -v secret \"value\"\n  sudo \"printf '%s|' ${v} \\\"x${v}\\\"\"\n  run \"true\"\n}\n"

    /// A planner over `hosts` whose run-wide become password comes from `source` (nil: none).
    static func plan(hosts: String = #"{"c01": {"ipv4": "10.0.0.1", "user": "ops"}}"#, task: String = task,
                     secret: String = "inner", source: (() throws -> String?)?) throws -> Plan {
        let library = try TaskLibrary(files: [Fixture.parse(task, path: "tasks/h.skp")])
        var planner = Planner(library: library, inventory: try Fixture.inventory(hosts: hosts), environment: Fixture.environment)
        planner.become = source.map { source in BecomePassword { try source().map { Secret($0) } } }
        return try planner.plan([TaskRequest(task: "h.t", arguments: ["v": secret])])
    }

    static func command(_ plan: Plan, host: Int = 0) throws -> Command {
        guard case .run(let command) = plan.tasks[0].stages[0].hosts[host].steps[0].kind else { throw CocoaError(.featureUnsupported) }
        return command
    }

    @Test func aSudoStepForAnotherUserIsPlannedAsSudoDashSWithThePasswordMasked() throws {
        let password = "pw-\(UUID().uuidString.prefix(8))"
        let plan = try Self.plan(source: { password })
        let command = try Self.command(plan)
        #expect(command.description == "sudo -S -p '' sh -c 'printf '\\''%s|'\\'' *** \"x***\"'", "\(command.description)")
        #expect(plan.secrets.contains(Secret(password)))
        let sent = command.forTransport(captures: [:])
        #expect(!sent.text.contains(password), "\(sent.text)")
        #expect(sent.secrets.contains(Secret(password)) && sent.secrets.contains("inner"))
        #expect(PlanPrinter(style: Style(mode: .never, fileDescriptor: 1, environment: [:])).render(plan).contains("sudo -S -p ''"))
    }

    @Test func withoutAPasswordSudoStaysNonInteractiveAndRootNeedsNone() throws {
        #expect(try Self.command(Self.plan(source: nil)).description.hasPrefix("sudo -n sh -c "))
        #expect(try Self.command(Self.plan(source: { nil })).description.hasPrefix("sudo -n sh -c "))
        let root = try Self.plan(hosts: #"{"c01": {"ipv4": "10.0.0.1", "user": "root"}}"#, source: { Issue.record("asked for root"); return "x" })
        #expect(try Self.command(root).description == "printf '%s|' *** \"x***\"")
    }

    /// Asked once per run, and only when a step needs it: not for root, not for a host with its
    /// own `become_password`, not for a plan without sudo steps.
    @Test func theRunsPasswordIsAskedOnceAndOnlyWhenNeeded() throws {
        let asked = Counter()
        let hosts = #"{"c01": {"ipv4": "10.0.0.1", "user": "ops"}, "c02": {"ipv4": "10.0.0.2", "user": "ops"}, "c03": {"ipv4": "10.0.0.3", "user": "root"}}"#
        let twice = Self.task.replacingOccurrences(of: "run \"true\"", with: "sudo \"true\"")
        let plan = try Self.plan(hosts: hosts, task: twice, source: { asked.count += 1; return "run-pw" })
        #expect(asked.count == 1)
        #expect(plan.tasks[0].stages[0].hosts.flatMap(\.steps).count == 6)
        _ = try Self.plan(hosts: hosts, task: "task t \"t\" {\n  param v -v \"v\"\n  run \"true\"\n}\n", source: { asked.count += 1; return "x" })
        let own = #"{"c01": {"ipv4": "10.0.0.1", "user": "ops", "become_password": "own-pw-1"}}"#
        let mine = try Self.plan(hosts: own, source: { asked.count += 1; return "run-pw" })
        #expect(asked.count == 1)
        let sent = try Self.command(mine).forTransport(captures: [:])
        #expect(sent.secrets.contains("own-pw-1") && !sent.secrets.contains("run-pw"))
        #expect(mine.secrets.contains("own-pw-1"))
    }

    @Test(arguments: [(#""become_password": "a\nb""#, "has a line break"), (#""become_password": """#, "is empty"),
                      (#""become_password": ["x"]"#, "must be a string")])
    func aHostsBecomePasswordThatSudoCannotReadIsRefusedWhereItIsWritten(field: String, message: String) {
        let d = Fixture.diagnostic { _ = try Fixture.inventory(hosts: "{\"c01\": {\"ipv4\": \"10.0.0.1\", \(field)}}") }
        #expect(d?.message.contains(message) == true, "\(d?.message ?? "loaded")")
        #expect(d?.location?.line == 0 && d?.location?.column == 48, "\(d?.location?.description ?? "nowhere")")
        #expect(!(d?.render(color: false).contains("a\\nb") ?? true), "the value is quoted masked")
    }

    @Test(arguments: ["a\nb", "", "x\r"])
    func aRunPasswordThatSudoCannotReadIsRefusedBeforePlanning(password: String) {
        let d = Fixture.diagnostic { _ = try BecomePassword.checked(password, origin: "$SKP_BECOME_PASSWORD") }
        #expect(d?.message.hasPrefix("$SKP_BECOME_PASSWORD ") == true, "\(d?.message ?? "accepted")")
        #expect(d.map { !$0.message.contains(password) || password.isEmpty } == true)
        #expect(throws: Diagnostic.self) { try Self.plan(source: { try BecomePassword.checked(password, origin: "-K").revealed }) }
    }

    /// Counts calls from a non-escaping test closure.
    final class Counter { var count = 0 }
}
