import Foundation
import Testing
@testable import SkpKit

/// Secrecy is a property of values (issue 13, item 6): what is made from a secret is a secret, it
/// is masked wherever it could be shown, and it never reaches a command line.
@Suite struct SecretTests {
    static let hosts = #"{"c01": {"ipv4": "10.0.0.1", "db_password": "hunter2-db", "api_token": "tok-123456789"}, "c02": {"ipv4": "10.0.0.2"}}"#

    static func plan(_ task: String, _ arguments: [String: String] = [:], environment: [String: String] = [:],
                     networks: String = "{}") throws -> Plan {
        let files = [try Fixture.parse(task, path: "tasks/s.skp")]
        let library = try TaskLibrary(files: files)
        let inventory = try Fixture.inventory(hosts: hosts, networks: networks)
        var variables = Fixture.environment.variables
        variables.merge(environment) { $1 }
        let planner = Planner(library: library, inventory: inventory, environment: SkpEnvironment(variables, currentDirectory: "/work"))
        return try planner.plan([TaskRequest(task: "s.t", arguments: arguments)])
    }

    static func commands(_ plan: Plan) -> [Command] {
        plan.tasks.flatMap { $0.stages.flatMap { $0.hosts.flatMap { $0.steps.compactMap { step -> Command? in
            if case .run(let command) = step.kind { return command }
            return nil
        } } } }
    }

    /// Everything a user or another user could see of a plan: its text, its JSON, the command line.
    static func expectHidden(_ plan: Plan, _ secret: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let text = PlanPrinter(style: Style(enabled: false)).render(plan)
        #expect(!text.contains(secret), "plan shows it:\n\(text)", sourceLocation: sourceLocation)
        #expect(!plan.json.contains(secret), "JSON shows it", sourceLocation: sourceLocation)
        for command in commands(plan) {
            #expect(!command.forTransport(captures: [:]).text.contains(secret), "command line holds it", sourceLocation: sourceLocation)
        }
        #expect(plan.secrets.contains { $0.revealed.contains(secret) }, "not known as a secret to mask output", sourceLocation: sourceLocation)
    }

    @Test func issue13Item6_joinOfASecretIsASecret() throws {
        // The separator is the secret: the joined text holds it.
        let plan = try Self.plan("task t \"t\" {\n  param pw -p secret \"pw\"\n  on c01\n  run \"echo ${join(hosts, pw)}\"\n}\n",
                                 ["pw": "s3cret-value"])
        Self.expectHidden(plan, "s3cret-value")
    }

    @Test func issue13Item6_secretPassedToAHookStaysSecret() throws {
        let task = """
        task inner "i" {
          param value "not declared secret"
          run "echo ${value}"
        }
        task t "t" {
          param pw -p secret "pw"
          pre inner(value = pw)
          run "true"
        }

        """
        let files = [try Fixture.parse(task, path: "tasks/s.skp")]
        let planner = Planner(library: try TaskLibrary(files: files), inventory: try Fixture.inventory(hosts: Self.hosts),
                              environment: Fixture.environment)
        let plan = try planner.plan([TaskRequest(task: "s.t", arguments: ["pw": "hook-secret-42"])])
        Self.expectHidden(plan, "hook-secret-42")
        #expect(plan.tasks[0].arguments.first { $0.name == "value" }?.secret == true)
    }

    @Test func issue13Item6_secretLookingInventoryFieldsAreSecrets() throws {
        let plan = try Self.plan("task t \"t\" {\n  on c01\n  run \"login ${host.db_password} ${host.api_token}\"\n  for n in networks { run \"use ${n.auth_token}\" }\n}\n",
                                 networks: #"{"net-a": {"opts": "--attachable", "auth_token": "net-token-777"}}"#)
        Self.expectHidden(plan, "hunter2-db")
        Self.expectHidden(plan, "tok-123456789")
        Self.expectHidden(plan, "net-token-777")
    }

    @Test func issue13Item6_secretLookingEnvironmentIsSecret() throws {
        let plan = try Self.plan("task t \"t\" {\n  run \"curl -H ${env.DEPLOY_TOKEN}\"\n}\n", environment: ["DEPLOY_TOKEN": "env-token-31337"])
        Self.expectHidden(plan, "env-token-31337")
        let fromDefault = try Self.plan("task t \"t\" {\n  param key default \"${env.REGISTRY_PASSWORD}\" \"k\"\n  run \"login ${key}\"\n}\n",
                                        environment: ["REGISTRY_PASSWORD": "reg-pass-9999"])
        Self.expectHidden(fromDefault, "reg-pass-9999")
    }

    @Test func issue13Item6_errorsDoNotQuoteSecrets() throws {
        let oneOf = Fixture.diagnostic {
            _ = try Self.plan("task t \"t\" {\n  param pw -p secret one-of hosts \"pw\"\n  run \"true\"\n}\n", ["pw": "c0l-secret"])
        }
        #expect(oneOf != nil)
        #expect(!(oneOf?.description.contains("c0l-secret") ?? true), "\(oneOf?.description ?? "")")
        let notAHost = Fixture.diagnostic {
            _ = try Self.plan("task t \"t\" {\n  param pw -p secret \"pw\"\n  on ${pw}\n  run \"true\"\n}\n", ["pw": "not-a-host-secret"])
        }
        #expect(notAHost?.description.contains("a secret value is not a host") == true, "\(notAHost?.description ?? "nil")")
        #expect(!(notAHost?.description.contains("not-a-host-secret") ?? true))
        let option = Fixture.diagnostic {
            _ = try Self.plan("task t \"t\" {\n  param pw -p secret \"pw\"\n  run \"cmd ${pw}\"\n}\n", ["pw": "-dash-secret"])
        }
        #expect(option?.description.contains("starts with -") == true)
        #expect(!(option?.description.contains("-dash-secret") ?? true))
    }

    /// A private key pasted as a value is not printed back whole in an error.
    @Test func issue13Item6_aKeyInAnErrorIsNotPrinted() throws {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----"
        let oneOf = Fixture.diagnostic {
            _ = try Self.plan("task t \"t\" {\n  param name -n one-of hosts \"n\"\n  run \"true\"\n}\n", ["name": key])
        }
        #expect(oneOf != nil)
        #expect(!(oneOf?.description.contains("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ") ?? true), "\(oneOf?.description ?? "")")
        #expect(Printable.excerpt(String(repeating: "a", count: 500)).count < 100)
    }

    @Test func issue13Item6_shortSecretsDoNotRevealThemselves() {
        let mask = SecretMask(["x"])
        #expect(mask.apply("example text") == "example text")
        #expect(mask.apply("password: x") == "password: ***")
        #expect(SecretMask(["long-enough-secret"]).apply("a=long-enough-secretZ") == "a=***Z")
    }

    @Test func issue13Item6_joinTokensAreMaskedWhateverPrintsThem() {
        let line = "    docker swarm join --token SWMTKN-1-49nj1cmql0jkz5s954yi3oex3nedyz0fb0xx14ie39trti4wxv-8vxv8rssmk743ojnwacrr2e7c 192.168.56.11:2377"
        let masked = SecretMask().apply(line)
        #expect(masked == "    docker swarm join --token SWMTKN-*** 192.168.56.11:2377")
    }

    /// Captured values (join tokens) go to the host like secrets: on stdin, never in argv, and
    /// arrive byte for byte in dash and bash, line breaks included.
    @Test(arguments: ["SWMTKN-1-abc-def", "two\nlines", "trailing\n", "\n\nblank first", "it's $(touch /tmp/skp-never) `x` \"q\""])
    func issue13Item6_capturedValuesTravelOnStdin(value: String) throws {
        let command = Command([.literal("printf '%s|' "), .captured("token@c01", quoting: .word),
                               .literal(" \"x${"), .literal("HOME}\""), .literal("; printf '%s' \"a"), .captured("token@c01", quoting: .doubleQuoted), .literal("\"")])
        let sent = command.forTransport(captures: ["token@c01": value])
        #expect(!sent.text.contains(value))
        #expect(sent.secrets == [Secret(value)])
        for sh in ["/bin/sh", "/bin/bash"] {
            let printed = try HostileInputTests.runWithSecrets(sh, sent)
            #expect(printed == "\(value)|x/home/op|a\(value)", "\(sh): \(printed.debugDescription)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/skp-never"))
        // Through sudo's inner shell (a here-document on its stdin) as well.
        let nested = Command([.literal("sudo -n sh -c "), .nested(command)]).forTransport(captures: ["token@c01": value])
        #expect(!nested.text.contains(value))
    }

    /// Secrecy is a type (issue 16): however a secret is printed by mistake it shows `***`, and
    /// an inventory's credential fields are secrets from the moment they are read.
    @Test func aSecretPrintsAsStarsHoweverItIsPrinted() throws {
        let secret = Secret("hunter2-long-value")
        var dumped = ""
        dump(secret, to: &dumped)
        for text in ["\(secret)", String(describing: secret), String(reflecting: secret), dumped,
                     "\(Value.secret(secret))", "\([secret])", "\(FieldValue.secret(secret))"] {
            #expect(!text.contains("hunter2"), "shown: \(text)")
        }
        let inventory = try Fixture.inventory(hosts: """
            {"c01": {"ipv4": "10.0.0.1", "api_token": "tok-123456789", "box": "debian"}}
            """)
        #expect(inventory.hosts[0].fields["api_token"]?.isSecret == true)
        #expect(inventory.hosts[0].fields["box"] == .plain("debian"))
        #expect(!"\(inventory.hosts[0])".contains("tok-123456789"))
    }
}
