import Foundation
import Testing
import SkpTestSupport

/// images.json and services.json (issue 14): loaded and checked like the other inventories, and
/// planned into containers on the hosts that enable each service's label. No host is contacted.
@Suite struct ServicesInventoryTests {
    static let services = try! String(contentsOfFile: Binary.root + "/services.json", encoding: .utf8)

    @Test(arguments: [
        // (file, replace, with, expected message, line:col)
        ("services.json", "\"volume-sshfs:/shared\"", "\"volume-shfs:/shared\"", "service hello-skp: no volume volume-shfs in volumes.json", "services.json:8:3"),
        ("services.json", "\"networks\": [\"host\"],\n    \"volumes\": [\"volume-sshfs", "\"networks\": [\"net-skq\"],\n    \"volumes\": [\"volume-sshfs", "no network net-skq in networks.json", "services.json:8:3"),
        ("services.json", "\"label\": \"data\",\n    \"image\": \"skp/hello\"", "\"label\": \"nowhere\",\n    \"image\": \"skp/hello\"", "no host enables label nowhere", "services.json:8:3"),
        ("services.json", "\"volume-s3fs:/objects\"", "\"volume-pgsql-skp:/objects\"", "service hello-skp runs on c02, c03, c04, c05, where volume volume-pgsql-skp is not created", "services.json:8:3"),
        ("images.json", "\"registry\": \"localhost:5000\",", "", "image skp/hello has no registry", "images.json:2:3"),
    ])
    func issue14_badInventoriesAreRefusedWithTheirPlace(file: String, replace: String, with: String, message: String, location: String) throws {
        let original = try String(contentsOfFile: Binary.root + "/" + file, encoding: .utf8)
        #expect(original.contains(replace), "the sample changed: \(replace)")
        let dir = try Binary.project([file: original.replacingOccurrences(of: replace, with: with)])
        try FileManager.default.copyItem(atPath: Binary.root + "/images", toPath: dir + "/images")
        for name in ["images.json", "services.json"] where name != file {
            try FileManager.default.copyItem(atPath: Binary.root + "/" + name, toPath: dir + "/" + name)
        }
        let outcome = try Binary.run(["docker.run"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(location + ": error"), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func issue14_containersArePlannedOnTheHostsOfTheirLabelWithTheirPlaceAmongThem() throws {
        let plan = try Binary.run(["--dry-run", "docker.run", "-n", "peers-skp"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let run = "$ docker rm -f peers-skp >/dev/null 2>&1; docker run -d --name peers-skp --restart=always --label=skp.service=peers-skp --network=host"
        #expect(plan.stdout.components(separatedBy: run).count - 1 == 4, "\(plan.stdout)")
        for host in ["c02", "c03", "c04", "c05"] {
            #expect(plan.stdout.contains("\(host)  $ i=0; until docker pull -q skp/busybox:latest >/dev/null;"), "\(plan.stdout)")
        }
        // A command the task file continues over lines with \ reads as one line here.
        let joined = plan.stdout.replacingOccurrences(of: #"\\\n\s*"#, with: "", options: .regularExpression)
        for index in 0..<4 {
            #expect(joined.contains("-e SKP_SERVICE_INDEX=\(index + 1) -e SKP_SERVICE_HOSTS=c02,c03,c04,c05 -e SKP_SERVICE_ADDRESSES=192.168.56.12,192.168.56.13,192.168.56.14,192.168.56.15 skp/busybox:latest sh -c"))
        }
        // c01 does not enable "data": its container, if any, is removed.
        #expect(plan.stdout.contains("c01  $ docker rm -f peers-skp >/dev/null"))
    }

    @Test func issue14_secretEnvironmentTravelsInAFileAndNeverShows() throws {
        for mode in [["--dry-run"], ["--dry-run", "--json"]] {
            let plan = try Binary.run(mode + ["docker.run", "-n", "hello-skp"])
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(!plan.stdout.contains("skp-lab-app-secret-0000"))
            #expect(plan.stdout.contains("--env-file=.skp/services/hello-skp/env"))
        }
        let text = try Binary.run(["--dry-run", "docker.run", "-n", "hello-skp"]).stdout
        #expect(text.contains("upload .skp/services/hello-skp/env mode 0600 via SFTP: ***"))
        #expect(text.contains("--env=GREETING=hello"), "a plain variable stays on the command line")
        #expect(text.contains("localhost:5000/skp/hello:1.0"), "an images.json name becomes registry/image:tag")
    }

    @Test func issue14_imageBuildSendsItsContextAndBuildsOnTheMaster() throws {
        let plan = try Binary.run(["--dry-run", "docker.image-build"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("c01  upload .skp/build/skp/hello/"), "\(plan.stdout)")
        #expect(plan.stdout.contains("/Dockerfile mode 0644 via SFTP"))
        #expect(plan.stdout.contains("DOCKER_BUILDKIT=0 docker build -q --build-arg greeting=hello --label skp.context="))
        #expect(plan.stdout.contains("--tag localhost:5000/skp/hello:1.0 . >/dev/null && docker push localhost:5000/skp/hello:1.0"))
        for host in ["c02", "c03", "c04", "c05"] { #expect(!plan.stdout.contains("\(host)  ")) }
    }

    /// Swarm fields are checked like any other: ranges, choices (with a suggestion), and only on
    /// entries that are Swarm services.
    @Test(arguments: [
        ("\"replicas\": 5", "\"replicas\": 1001", "replicas must be a whole number from 0 to 1000"),
        ("\"replicas\": 5", "\"replicas\": 2.5", "replicas must be a whole number from 0 to 1000"),
        ("\"mode\": \"replicated\"", "\"mode\": \"replica\"", "mode must be \"replicated\" or \"global\""),
        ("\"failure_action\": \"rollback\"", "\"failure_action\": \"rolback\"", "did you mean rollback?"),
        ("\"delay\": \"1s\"", "\"delay\": \"1x\"", "delay must be seconds from 0 to 86400"),
        ("\"delay\": \"1s\"", "\"delay\": 1e400", "invalid JSON"),
        ("\"image\": \"skp/registry:2\",", "\"image\": \"skp/registry:2\", \"replicas\": 3,", "replicas is for Swarm services"),
    ])
    func issue15_swarmFieldsAreChecked(replace: String, with: String, message: String) throws {
        let services = try String(contentsOfFile: Binary.root + "/services.json", encoding: .utf8)
        #expect(services.contains(replace), "the sample changed: \(replace)")
        let dir = try Binary.project(["services.json": services.replacingOccurrences(of: replace, with: with)])
        for item in ["images", "images.json"] { try FileManager.default.copyItem(atPath: Binary.root + "/" + item, toPath: dir + "/" + item) }
        let outcome = try Binary.run(["docker.service-create"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("services.json:"), "\(outcome.stderr)")
    }

    /// The spec sent to the Engine API: placement by label, the update policy, dnsrr; masked
    /// whole when a variable in it is a secret.
    @Test func issue15_theSwarmSpecIsPlannedAndMaskedWhenItHoldsASecret() throws {
        let plan = try Binary.run(["--dry-run", "docker.service-create", "-n", "web-skp"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("c01  $ printf '%s' *** | .skp/bin/skp-swarm apply web-skp"), "\(plan.stdout.suffix(800))")
        #expect(plan.stdout.contains("show$ .skp/bin/skp-swarm wait web-skp 300"))
        #expect(!plan.stdout.contains("skp-lab-web-token-0000"))
        let services = try String(contentsOfFile: Binary.root + "/services.json", encoding: .utf8)
        let dir = try Binary.project(["services.json": services.replacingOccurrences(of: "\"environments\": [\"WEB_TOKEN=skp-lab-web-token-0000\"],", with: "")])
        for item in ["images", "images.json"] { try FileManager.default.copyItem(atPath: Binary.root + "/" + item, toPath: dir + "/" + item) }
        let open = try Binary.run(["--dry-run", "docker.service-create", "-n", "web-skp"], in: dir)
        #expect(open.status == 0, "\(open.stderr)")
        for piece in ["\"Constraints\":[\"node.labels.registry==enable\"]", "\"Replicated\":{\"Replicas\":5}",
                      "\"UpdateConfig\":{\"Parallelism\":1,\"Delay\":1000000000,\"FailureAction\":\"rollback\"",
                      "\"Mode\":\"dnsrr\"", "\"Image\":\"localhost:5000/skp/web:1\"", "\"Test\":[\"CMD-SHELL\",\"test -s /www/index.html\"]"] {
            #expect(open.stdout.contains(piece), "\(piece) in \(open.stdout.suffix(1500))")
        }
    }
}
