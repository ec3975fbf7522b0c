import Testing
@testable import SkpKit

@Suite struct LexerParserTests {
    @Test func parsesATaskWithEveryKindOfItem() throws {
        let file = try Fixture.parse("""
        namespace demo "A demo"
        task deploy "Deploy it" {
          param name -n required "Which one"
          param force flag
          pre prepare(name = name), other
          post cleanup
          let leader = one(role:master)
          on leader {
            capture token = run "make-token"
          }
          on role:worker & !leader serial
          for v in volumes where v.type == "fs" and not (v.name == "x") {
            run "mkdir -p ${v.path}" unless "test -d ${v.path}"
            upload "secret ${v.key}" to "/etc/x" mode 0600
          }
          if force { echo "forced" } else { fail "no" }
          sudo "id"
          local "date"
        }
        """)
        #expect(file.namespace == "demo")
        #expect(file.help == "A demo")
        let task = try #require(file.tasks.first)
        #expect(task.name == "deploy")
        #expect(task.help == "Deploy it")
        #expect(task.params.map(\.name) == ["name", "force"])
        #expect(task.params[0].short == "n" && task.params[0].required)
        #expect(task.params[1].isFlag)
        #expect(task.pre.map(\.task) == ["prepare", "other"])
        #expect(task.pre[0].arguments.map(\.name) == ["name"])
        #expect(task.post.map(\.task) == ["cleanup"])
        #expect(task.body.count == 7)
        guard case .stage(let selector, nil, let body, _) = task.body[1] else { Issue.record("expected a stage"); return }
        #expect(selector.description == "leader")
        guard case .step(let step) = body[0], case .capture("token", _) = step.action else { Issue.record("expected capture"); return }
        guard case .target(let target, .hosts(1)?, _) = task.body[2] else { Issue.record("expected a target"); return }
        #expect(target.description == "role:worker&!leader")
    }

    @Test func namespaceDefaultsToFileName() throws {
        let file = try Fixture.parse("task a { run \"true\" }", path: "tasks/ops.skp")
        #expect(file.namespace == "ops")
    }

    @Test func templatesSplitInterpolationsAndKeepPositions() throws {
        let file = try Fixture.parse("task a {\n  run \"echo ${host.name} ${raw v.opts} \\${HOME} $USER\"\n}")
        guard case .step(let step) = file.tasks[0].body[0], case .run(let template) = step.action else {
            Issue.record("expected run"); return
        }
        var rendered: [String] = []
        for segment in template.segments {
            switch segment {
            case .text(let t): rendered.append("text:" + t)
            case .value(let expr, let raw, let location):
                if case .path(let parts, _) = expr { rendered.append("\(raw ? "raw" : "value"):" + parts.joined(separator: ".")) }
                if rendered.count == 2 { #expect(location.line == 1 && location.column == 12) }
            }
        }
        #expect(rendered == ["text:echo ", "value:host.name", "text: ", "raw:v.opts", "text: ${HOME} $USER"])
    }

    @Test func blockStringsDropSharedIndentation() throws {
        let file = try Fixture.parse("task a {\n  upload \"\"\"\n    line one\n      line two\n    \"\"\" to \"/x\"\n}")
        guard case .step(let step) = file.tasks[0].body[0], case .upload(let content, _, _) = step.action else {
            Issue.record("expected upload"); return
        }
        #expect(content.literalText == "line one\n  line two\n")
    }

    /// Invalid programs: each reports the exact line and column (1-based in the message).
    @Test(arguments: [
        ("task a {\n  run \"echo\n}", "tasks/t.skp:2:7", "unterminated string"),
        ("task a {\n  rnu \"x\"\n}", "tasks/t.skp:2:3", "unknown step 'rnu'"),
        ("task a {\n  run \"x\"\n", "tasks/t.skp:3:1", "expected '}'"),
        ("task a {\n  run \"${host.name\"\n}", "tasks/t.skp:2:7", "unterminated string"),
        ("task a {\n  on role: { run \"x\" }\n}", "tasks/t.skp:2:12", "expected a name"),
        ("task a {\n  if x = \"y\" { }\n}", "tasks/t.skp:2:8", "'=' assigns"),
        ("task a.b { }", "tasks/t.skp:1:6", "has no '.'"),
        ("task a {\n  upload \"x\" to \"/y\" mode 999\n}", "tasks/t.skp:2:27", "octal file mode"),
        ("job a { }", "tasks/t.skp:1:1", "expected 'task'"),
        ("task a {\n  for v in volumes {\n    param x\n  }\n}", "tasks/t.skp:3:5", "belongs at the top of a task"),
        ("task a {\n  run \"a \\q\"\n}", "tasks/t.skp:2:10", "unknown escape"),
    ])
    func invalidProgramsPointAtTheMistake(source: String, location: String, message: String) {
        let d = Fixture.diagnostic { _ = try Fixture.parse(source) }
        #expect(d?.location?.description == location)
        #expect(d?.message.contains(message) == true, "\(d?.message ?? "no error")")
        #expect(d?.render(color: false).contains("^") == true)
    }

    @Test func typoInAStepKeywordSuggestsTheRightOne() {
        let d = Fixture.diagnostic { _ = try Fixture.parse("task a {\n  captur x = run \"y\"\n}") }
        #expect(d?.hint == "did you mean 'capture'?")
    }
}
