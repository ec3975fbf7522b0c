import Foundation
import SkpTestSupport
import Testing

/// vagrant.init writes a Vagrantfile Vagrant itself accepts; vagrant.hosts saves ssh-config.
@Suite struct VagrantTests {
    @Test(arguments: [5, 1]) func initWritesAVagrantfileThatValidates(hostCount: Int) throws {
        let hosts = "{" + (1...hostCount).map { "\"c0\($0)\": {\"ipv4\": \"192.168.56.1\($0)\"\($0 == 2 ? ", \"box\": \"ubuntu/jammy64\", \"memory\": \"4096\"" : "")}" }
            .joined(separator: ", ") + "}"
        let dir = try Binary.project(["hosts.json": hosts, "volumes.json": "{}"])
        let outcome = try Binary.run(["--color", "never", "vagrant.init", "--cpus", "1"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        let file = try String(contentsOfFile: dir + "/Vagrantfile", encoding: .utf8)
        for i in 1...hostCount {
            #expect(file.contains("config.vm.define \"c0\(i)\" do |node|"))
            #expect(file.contains("node.vm.network \"private_network\", ip: \"192.168.56.1\(i)\""))
        }
        #expect(file.components(separatedBy: "config.vm.define").count - 1 == hostCount)
        #expect(file.contains("vb.cpus = 1"))
        if hostCount > 1 {
            #expect(file.contains("node.vm.box = \"ubuntu/jammy64\"") && file.contains("vb.memory = 4096"))
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/vagrant") else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "vagrant is not installed")
            return
        }
        let validate = try Binary.run(["validate"], in: dir, executable: "/usr/bin/vagrant")
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout.contains("Vagrantfile validated successfully"))
    }

    @Test func hostsSavesRecordedSSHConfigAsSkpsSettings() throws {
        let recorded = "Host c01\n  HostName 127.0.0.1\n  User vagrant\n  Port 2222\n  IdentityFile /v/private_key\n"
        let dir = try Binary.project(["recorded.txt": recorded])
        let outcome = try Binary.run(["--color", "never", "vagrant.hosts", "--from", "recorded.txt"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stdout)")
        #expect(try String(contentsOfFile: dir + "/.skp/ssh_config", encoding: .utf8) == recorded)
        #expect(outcome.stdout.contains("local | Host c01"))
    }
}
