import Foundation
import SkpTestSupport
import Testing

/// A task reads only the inventory files it uses (issue 18, item 7).
@Suite struct LazyInventoryTests {
    @Test func aTaskThatUsesNoVolumeIsNotStoppedByTheVolumesFile() throws {
        // volumes.json names labels that other.json's hosts lack: a volume task refuses it, ssh.cmd runs.
        let dir = try Binary.project(["other.json": #"{"x1": {"ipv4": "10.9.9.9"}}"#])
        let cmd = try Binary.run(["--hosts", "other.json", "--dry-run", "ssh.cmd", "-c=uptime"], in: dir)
        #expect(cmd.status == 0, "\(cmd.stderr)")
        #expect(cmd.stdout.contains("x1  $ uptime"))
        let volumes = try Binary.run(["--hosts", "other.json", "--dry-run", "docker.volume-create"], in: dir)
        #expect(volumes.status == 2)
        #expect(volumes.stderr.contains("that no host has"), "\(volumes.stderr)")
    }

    @Test func aBrokenFileStillStopsEveryTaskThatUsesIt() throws {
        let dir = try Binary.project(["volumes.json": "{ broken", "networks.json": "[1,"])
        // Tasks that name no volume or network plan as usual.
        for task in [["ssh.cmd", "-c=true"], ["fuse.install"], ["docker.install"]] {
            #expect(try Binary.run(["--dry-run"] + task, in: dir).status == 0, "\(task)")
        }
        for task in [["docker.volume-create"], ["docker.volume-rm"], ["docker.sshfs-copy-id"]] {
            let outcome = try Binary.run(["--dry-run"] + task, in: dir)
            #expect(outcome.status == 2, "\(task)")
            #expect(outcome.stderr.contains("volumes.json:1:"), "\(task): \(outcome.stderr)")
        }
        // Through a hook: swarm-join's own body names no network, network-create does.
        let networks = try Binary.run(["--dry-run", "docker.network-create"], in: dir)
        #expect(networks.status == 2 && networks.stderr.contains("networks.json:1:"), "\(networks.stderr)")
        // A service names images, volumes and networks: its tasks read them all.
        let run = try Binary.run(["--dry-run", "docker.run"], in: dir)
        #expect(run.status == 2 && run.stderr.contains("volumes.json:1:"), "\(run.stderr)")
        // --list-hosts shows each host's volumes, so it reads them.
        #expect(try Binary.run(["--list-hosts", "all"], in: dir).status == 2)
    }
}
