import Testing
@testable import SkpKit

@Suite struct PlannerTests {
    let inventory: Inventory

    init() throws {
        inventory = try Fixture.inventory(hosts: Fixture.fiveHosts, volumes: """
        {
          "web-data": {"type": "fs", "path": "/d/web", "labels": ["web"], "opts": ["--driver local", "--opt o=bind"]},
          "shared": {"type": "nfs", "path": "/d/shared"},
          "bucket": {"type": "s3fs", "path": "/d/b", "bucket": "b1", "account_id": "id", "account_key": "TOPSECRET"}
        }
        """, networks: #"{"net-a": {"opts": ["--driver overlay"]}, "net-b": {}}"#)
    }

    @Test func hooksRunOncePerInvocationInInvokesOrder() throws {
        let tasks = ["h": """
        task a { on one(all)
          run "a" }
        task b { pre a
          on one(all)
          run "b" }
        task c { pre a, b
          post d
          on one(all)
          run "c" }
        task d { on one(all)
          run "d" }
        """]
        let plan = try Fixture.plan(tasks, [TaskRequest(task: "h.c"), TaskRequest(task: "h.a"), TaskRequest(task: "h.d")],
                                    inventory: inventory)
        #expect(plan.tasks.map(\.name) == ["h.a", "h.b", "h.c", "h.d"])
        #expect(plan.tasks.map(\.reason) == ["pre of h.c", "pre of h.c", nil, "post of h.c"])
    }

    @Test func hooksWithDifferentArgumentsRunForEach() throws {
        let tasks = ["h": """
        task mk { param name -n
          on one(all)
          run "mk ${name}" }
        task both { pre mk(name = "x"), mk(name = "y"), mk(name = "x")
          on one(all)
          run "both" }
        """]
        let plan = try Fixture.plan(tasks, [TaskRequest(task: "h.both"), TaskRequest(task: "h.mk", arguments: ["name": "y"])],
                                    inventory: inventory)
        #expect(Fixture.lines(plan) == ["h.mk | c01 | $ mk x", "h.mk | c01 | $ mk y", "h.both | c01 | $ both"])
    }

    @Test func hookCyclesAreReportedWhole() {
        let d = Fixture.diagnostic {
            _ = try Fixture.plan(["h": "task a { pre b }\ntask b { pre c }\ntask c { pre a }"], [], inventory: inventory)
        }
        #expect(d?.message == "hooks form a cycle: h.a -> h.b -> h.c -> h.a")
        #expect(d?.location?.line == 2)
    }

    @Test func unknownHookSuggestsATask() {
        let d = Fixture.diagnostic { _ = try Fixture.plan(["h": "task init { }\ntask b { pre int }"], [], inventory: inventory) }
        #expect(d?.hint == "did you mean h.init?")
    }

    @Test func loopsFilterAndFollowVolumeTargets() throws {
        let tasks = ["v": """
        task create {
          param name -n one-of volumes
          for v in host.volumes where v.type == "fs" or v.type == "nfs" {
            if name == "" or v.name == name {
              run "docker volume create --name ${v.name} ${raw v.opts}"
            }
          }
        }
        """]
        let all = try Fixture.plan(tasks, [TaskRequest(task: "v.create")], inventory: inventory)
        #expect(Fixture.lines(all) == [
            "v.create | c01 | $ docker volume create --name shared ",
            "v.create | c02 | $ docker volume create --name web-data --driver local --opt o=bind",
            "v.create | c02 | $ docker volume create --name shared ",
            "v.create | c03 | $ docker volume create --name shared ",
            "v.create | c04 | $ docker volume create --name web-data --driver local --opt o=bind",
            "v.create | c04 | $ docker volume create --name shared ",
            "v.create | c05 | $ docker volume create --name shared ",
        ])
        let one = try Fixture.plan(tasks, [TaskRequest(task: "v.create", arguments: ["name": "web-data"])], inventory: inventory)
        #expect(one.tasks[0].stages[0].hosts.map(\.name) == ["c02", "c04"])
        let typo = Fixture.diagnostic {
            _ = try Fixture.plan(tasks, [TaskRequest(task: "v.create", arguments: ["name": "web-dat"])], inventory: self.inventory)
        }
        #expect(typo?.hint == "did you mean web-data?")
    }

    @Test func taskLevelLoopsOpenAStagePerItem() throws {
        let tasks = ["n": """
        task create {
          for n in networks {
            on one(role:master) { run "create ${n.name}" }
          }
        }
        """]
        let plan = try Fixture.plan(tasks, [TaskRequest(task: "n.create")], inventory: inventory)
        #expect(plan.tasks[0].stages.count == 2)
        #expect(Fixture.lines(plan) == ["n.create | c01 | $ create net-a", "n.create | c01 | $ create net-b"])
    }

    @Test func capturedValuesFlowToLaterStagesOnOtherHosts() throws {
        let tasks = ["s": """
        task join {
          let leader = one(role:master)
          on leader { capture token = run "get-token" }
          on role:manager & !leader serial { run "join ${token} ${leader.address}" }
          on ${leader} { run "done" }
        }
        """]
        let plan = try Fixture.plan(tasks, [TaskRequest(task: "s.join")], inventory: inventory)
        #expect(plan.tasks[0].stages.map(\.serial) == [nil, .hosts(1), nil])
        #expect(Fixture.lines(plan) == [
            "s.join | c01 | token <- $ get-token",
            "s.join | c02 | $ join {{token@c01}} 10.0.0.1",
            "s.join | c03 | $ join {{token@c01}} 10.0.0.1",
            "s.join | c01 | $ done",
        ])
        guard case .run(let command) = plan.tasks[0].stages[1].hosts[0].steps[0].kind else { Issue.record("run"); return }
        #expect(command.render(captures: ["token@c01": "SWMTKN-1 x"]) == "join 'SWMTKN-1 x' 10.0.0.1")
    }

    @Test func valuesCapturedOnSeveralHostsAreReachedThroughTheHost() throws {
        let tasks = ["k": """
        task keys {
          on role:worker { capture pub = run "cat key.pub" }
          on one(role:master) {
            for h in hosts where "worker" in h.roles { run "add ${h.pub}" }
          }
        }
        """]
        let plan = try Fixture.plan(tasks, [TaskRequest(task: "k.keys")], inventory: inventory)
        #expect(Fixture.lines(plan).suffix(2) == ["k.keys | c01 | $ add {{pub@c04}}", "k.keys | c01 | $ add {{pub@c05}}"])
    }

    @Test func interpolationQuotesValuesAndMasksSecrets() throws {
        let tasks = ["q": """
        task q {
          param msg -m shell
          param pw secret
          on one(all)
          run "echo ${msg} ${raw msg} $HOME"
          run "login ${pw}"
          for v in volumes where v.type == "s3fs" {
            upload "${v.account_id}:${v.account_key}" to "/x/${v.name}" mode 0600
          }
        }
        """]
        let plan = try Fixture.plan(tasks, [TaskRequest(task: "q.q", arguments: ["msg": "it's; rm -rf /", "pw": "hunter2"])],
                                    inventory: inventory)
        #expect(Fixture.lines(plan) == [
            "q.q | c01 | $ echo 'it'\\''s; rm -rf /' it's; rm -rf / $HOME",
            "q.q | c01 | $ login ***",
            "q.q | c01 | upload /x/bucket mode 0600 via SFTP: id:***",
        ])
        #expect(plan.secrets.contains("hunter2") && plan.secrets.contains("TOPSECRET"))
        let json = plan.json
        #expect(!json.contains("hunter2") && !json.contains("TOPSECRET"))
    }

    @Test func sudoWrapsOnlyForNonRootUsers() throws {
        let hosts = try Fixture.inventory(hosts: #"{"a": {"ipv4": "10.0.0.1"}, "b": {"ipv4": "10.0.0.2", "user": "vagrant"}}"#)
        let plan = try Fixture.plan(["s": "task s { sudo \"apt-get install -y x\" }"], [TaskRequest(task: "s.s")], inventory: hosts)
        #expect(Fixture.lines(plan) == ["s.s | a | $ apt-get install -y x", "s.s | b | $ sudo -n sh -c 'apt-get install -y x'"])
    }

    @Test func limitNarrowsChangesButNotValueReads() throws {
        let tasks = ["s": """
        task join {
          on one(role:master) { capture token = run "t" }
          on !role:master { run "join ${token}" }
        }
        """]
        let plan = try Fixture.plan(tasks, [TaskRequest(task: "s.join")], inventory: inventory, limit: "c04")
        #expect(Fixture.lines(plan) == ["s.join | c01 | token <- $ t", "s.join | c04 | $ join {{token@c01}}"])
    }

    /// `param … limit`: --limit names the host acted on (a node drained from a manager); the
    /// task's own stages and its hooks' stages still run where they say.
    @Test func limitCanNameTheHostATaskActsOn() throws {
        let tasks = ["s": """
        task prepare { on role:master { run "prepare" } }
        task drain {
          param node -n required one-of hosts limit "the node"
          pre prepare
          on one(role:master) { run "drain ${node}" }
        }
        task other { run "other" }
        """]
        let plan = try Fixture.plan(tasks, [TaskRequest(task: "s.drain"), TaskRequest(task: "s.other")], inventory: inventory, limit: "c04")
        #expect(Fixture.lines(plan) == ["s.prepare | c01 | $ prepare", "s.drain | c01 | $ drain c04", "s.other | c04 | $ other"])
        // -n wins over the limit, which still does not narrow the task.
        let given = try Fixture.plan(tasks, [TaskRequest(task: "s.drain", arguments: ["node": "c03"])], inventory: inventory, limit: "c04")
        #expect(Fixture.lines(given) == ["s.prepare | c01 | $ prepare", "s.drain | c01 | $ drain c03"])
        let several = Fixture.diagnostic { _ = try Fixture.plan(tasks, [TaskRequest(task: "s.drain")], inventory: self.inventory, limit: "c03 | c04") }
        #expect(several?.message.contains("acts on one host at a time, and --limit names 2 (c03, c04)") == true, "\(several?.message ?? "no error")")
    }

    /// Semantic mistakes are found while planning, before any host is touched.
    @Test(arguments: [
        ("task t { run \"echo ${nme}\" }", "unknown value nme", "1:22"),
        ("task t { run \"echo ${HOME}\" }", "unknown value HOME", "1:22"),
        ("task t { on c09 { run \"x\" } }", "no host named c09", "1:13"),
        ("task t { for v in volumes { run \"echo ${v.nope}\" } }", "v.nope is not set", "1:39"),
        ("task t { run \"${host.volumes.name}\" }", "has no field name", "1:17"),
        ("task t { on all { for h in hosts { on all { run \"x\" } } } }", "cannot be used inside", "1:36"),
        ("task t { let m = role:manager\n on all { run \"${m.address}\" } }", "m is 3 hosts", "2:18"),
    ])
    func semanticErrorsPointAtTheirSource(source: String, message: String, location: String) {
        let d = Fixture.diagnostic { _ = try Fixture.plan(["e": source], [TaskRequest(task: "e.t")], inventory: self.inventory) }
        #expect(d?.message.contains(message) == true, "\(d?.message ?? "no error")")
        #expect(d.map { "\($0.location!.line + 1):\($0.location!.column + 1)" } == location)
    }

    @Test func requiredParametersAreEnforced() {
        let d = Fixture.diagnostic {
            _ = try Fixture.plan(["c": "task cmd { param command -c required shell\n run \"${raw command}\" }"],
                                 [TaskRequest(task: "c.cmd")], inventory: self.inventory)
        }
        #expect(d?.message == "c.cmd needs --command")
        #expect(d?.hint == "give it as --command=VALUE or -c VALUE")
    }
}
