import Testing
@testable import SkpKit

/// Named checks: `check NAME(PARAM) "…"` written once, used as `unless NAME(…)` and
/// `require NAME(…) else "message"`.
struct CheckTests {
    let inventory: Inventory

    init() throws { inventory = try Fixture.inventory(hosts: Fixture.fiveHosts) }

    /// The unless command, as planned, for each step of a task.
    func checks(_ text: String, task: String = "t.t", arguments: [String: String] = [:]) throws -> [String] {
        let plan = try Fixture.plan(["t": text], [TaskRequest(task: task, arguments: arguments)], inventory: inventory)
        return plan.tasks.flatMap(\.stages).flatMap(\.hosts).flatMap(\.steps).map { $0.unless?.description ?? "-" }
    }

    @Test func aNamedCheckIsItsCommandWithTheArgumentsEscapedForTheirPlace() throws {
        let text = """
        check swarm-is(state) "test \\"$(docker info --format '{{.Swarm.LocalNodeState}}')\\" = ${state}"
        check quiet "true"
        task t {
          param want default "active"
          on c01 {
            run "a" unless swarm-is(want)
            run "b" unless swarm-is("it's odd")
            run "c" unless quiet
            run "d" unless t.quiet()
          }
        }
        """
        #expect(try checks(text) == [
            #"test "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active"#,
            #"test "$(docker info --format '{{.Swarm.LocalNodeState}}')" = 'it'\''s odd'"#,
            "true", "true",
        ])
    }

    @Test func requireFailsWithItsMessageUnlessTheCheckHolds() throws {
        let text = """
        check has(path) "test -e ${path}"
        task t {
          on c01 {
            require has("/etc/x") else "x is missing on ${host.name}"
            require "test -d /srv" else "no /srv"
          }
        }
        """
        let plan = try Fixture.plan(["t": text], [TaskRequest(task: "t.t")], inventory: inventory)
        #expect(Fixture.lines(plan) == ["t.t | c01 | fail x is missing on c01", "t.t | c01 | fail no /srv"])
        #expect(try checks(text) == ["test -e /etc/x", "test -d /srv"])
    }

    /// A check sees its own parameters and `host`, not the task's names.
    @Test func aCheckSeesItsParametersAndTheHost() throws {
        let text = """
        check named "test $(hostname) = ${host.name}"
        check leaks "echo ${want}"
        task t {
          param want default "x"
          on c02 { run "a" unless named }
        }
        task u {
          param want default "x"
          on c02 { run "a" unless leaks }
        }
        """
        #expect(try checks(text) == ["test $(hostname) = c02"])
        let error = Fixture.diagnostic { _ = try checks(text, task: "t.u") }
        #expect(error?.message.contains("unknown value want") == true, "\(String(describing: error))")
    }

    /// Secrecy travels into a check with its argument.
    @Test func aSecretArgumentStaysSecret() throws {
        let text = """
        check token-ok(token) "grep -q ${token} /etc/tokens"
        task t {
          param token secret
          on c01 { run "a" unless token-ok(token) }
        }
        """
        let plan = try Fixture.plan(["t": text], [TaskRequest(task: "t.t", arguments: ["token": "s3cr3t"])], inventory: inventory)
        let unless = try #require(plan.tasks[0].stages[0].hosts[0].steps[0].unless)
        #expect(!unless.description.contains("s3cr3t"))
        #expect(unless.secrets.map(\.revealed).contains("s3cr3t"))
    }

    @Test(arguments: [
        ("check a \"true\"\ntask t { run \"x\" unless b }", "no check named t.b", "2:25", "did you mean t.a?"),
        ("check a(x) \"true\"\ntask t { run \"x\" unless a }", "check t.a takes 1: x; 0 given", "2:25", nil),
        ("check a \"true\"\ntask t { run \"x\" unless a(1) }", "check t.a takes no arguments; 1 given", "2:25", nil),
        ("check a \"true\"\ncheck a \"false\"", "check t.a is defined twice", "2:7", nil),
        ("check a(x, x) \"true\"", "x is a parameter of a twice", "1:12", nil),
        ("check a(x) \"echo ${raw x}\"", "${raw …} takes an option list or shell code", "1:18", nil),
        ("task t { require a }", "expected 'else'", "1:20", nil),
        ("task t { run \"x\" unless 5 }", "expected a check", "1:25", nil),
    ])
    func mistakesAreFoundWhenTheFilesLoad(text: String, message: String, location: String, hint: String?) {
        let error = Fixture.diagnostic { _ = try TaskLibrary(files: [try Fixture.parse(text)]) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error.map { "\($0.location!.line + 1):\($0.location!.column + 1)" } == location)
        if let hint { #expect(error?.hint == hint) }
    }

    /// Checks are rendered once per argument list when they read only their parameters
    /// (planning speed); a check that reads `host` still renders per host, and a secret
    /// argument stays a secret in the reused command.
    @Test func aCheckRenderedOnceStillFitsEachHostAndKeepsSecrecy() throws {
        let text = """
        check same(x) "test -e ${x}"
        check mine(x) "test ${x} = ${host.name}"
        task t {
          param key secret default "s3cr3t-value"
          on c01, c02 {
            run "a" unless same("/etc/a")
            run "b" unless mine("c01")
            run "c" unless same(key)
          }
        }
        """
        // The secret shows masked, in the command of both hosts.
        #expect(try checks(text) == ["test -e /etc/a", "test c01 = c01", "test -e ***",
                                     "test -e /etc/a", "test c01 = c02", "test -e ***"])
        let plan = try Fixture.plan(["t": text], [TaskRequest(task: "t.t")], inventory: inventory)
        let secretChecks = plan.tasks.flatMap(\.stages).flatMap(\.hosts).map { $0.steps[2].unless! }
        #expect(secretChecks.count == 2 && secretChecks.allSatisfy { $0.secrets == ["s3cr3t-value"] })
    }
}
