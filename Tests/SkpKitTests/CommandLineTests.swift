import Testing
@testable import SkpKit

@Suite struct CommandLineTests {
    let library: TaskLibrary

    init() throws {
        library = try TaskLibrary(files: [Fixture.parse("""
        task volume-create { param name -n
          param force flag
          run "x" }
        task cmd { param command -c required shell
          run "${raw command}" }
        """, path: "tasks/docker.skp")])
    }

    func parse(_ args: [String]) throws -> CommandLineParser.Result { try CommandLineParser(library: library).parse(args) }

    @Test(arguments: [["-n", "volume-skp"], ["-n=volume-skp"], ["--name", "volume-skp"], ["--name=volume-skp"]])
    func everyFlagFormGivesTheSameRequest(flags: [String]) throws {
        let result = try parse(["docker.volume-create"] + flags)
        #expect(result.requests.count == 1)
        #expect(result.requests[0].arguments == ["name": "volume-skp"])
    }

    @Test func quotedValuesAndSeveralTasks() throws {
        // The shell turns -c="sudo apt-key adv" into -c=sudo apt-key adv.
        let result = try parse(["--dry-run", "docker.cmd", "-c=sudo apt-key adv --recv-keys 7EA0", "docker.volume-create", "--force", "--limit", "c02"])
        #expect(result.options.dryRun)
        #expect(result.options.limit == "c02")
        #expect(result.requests.map(\.task) == ["docker.cmd", "docker.volume-create"])
        #expect(result.requests[0].arguments["command"] == "sudo apt-key adv --recv-keys 7EA0")
        #expect(result.requests[1].arguments["force"] == "true")
    }

    @Test func valuesThatLookLikeFlagsAreTakenAsValues() throws {
        let result = try parse(["docker.cmd", "-c", "-rf"])
        #expect(result.requests[0].arguments["command"] == "-rf")
    }

    @Test func shortNamesAndUnderscoresAreAccepted() throws {
        #expect(try parse(["cmd", "-c", "x"]).requests[0].task == "docker.cmd")
        #expect(try parse(["docker.volume_create"]).requests[0].task == "docker.volume-create")
    }

    @Test func mistypedTaskSuggestsTheClosest() {
        let d = Fixture.diagnostic { _ = try self.parse(["docker.volume-crate"]) }
        #expect(d?.message == "no task named docker.volume-crate")
        #expect(d?.hint == "did you mean docker.volume-create?")
    }

    @Test func unknownFlagNamesTheTask() {
        let d = Fixture.diagnostic { _ = try self.parse(["docker.volume-create", "--nmae", "x"]) }
        #expect(d?.message == "unknown flag --nmae for docker.volume-create")
        #expect(d?.hint == "did you mean --name?")
    }

    @Test func missingValueIsAnError() {
        #expect(Fixture.diagnostic { _ = try self.parse(["docker.volume-create", "-n"]) }?.message == "-n needs a value")
    }
}
