import Foundation
import SkpTestSupport
import Testing

// Lab suites share the lab: they run one at a time, inside LabSuites.
extension LabSuites {
    /// FUSE-backed volumes on the lab: sshfs against c01, s3fs against a real S3 API (moto) on the
    /// lab bridge, and blobfs, which cannot run here, against a stand-in named as such.
    @Suite(.serialized) struct FuseVolumeTests {
        static let s3Secret = "skp-lab-s3-secret-0000"
        static let blobSecret = "skp-lab-blob-secret-0000"
        static let password = "pw-\(UUID().uuidString.prefix(8))-never-shown"

        @Test func sshfsVolumesShareOneFolderAcrossHosts() throws {
            try Lab.up()
            let outcome = try Lab.skp(["docker.volume-create", "-n", "volume-sshfs"])
            #expect(outcome.status == 0, "\(outcome.stdout)")
            let name = "through-c02-\(UUID().uuidString.prefix(6))"
            try Lab.exec("c02", "echo written-on-c02 > \(quoted("/root/mnt/volume-sshfs/" + name))")
            #expect(try Lab.output("c04", "cat \(quoted("/root/mnt/volume-sshfs/" + name))") == "written-on-c02")
            // The data lives on the conn target, c01.
            #expect(try Lab.output("c01", "cat \(quoted("/root/sshfs-export/" + name))") == "written-on-c02")
            for host in ["c02", "c03", "c04", "c05"] {
                let options = try Lab.output(host, "docker volume inspect volume-sshfs --format '{{.Options.device}} {{.Options.o}} {{.Options.type}}'")
                #expect(options == "/root/mnt/volume-sshfs bind none", "\(host): \(options)")
                #expect(try Lab.output(host, "stat -f -c %T /root/mnt/volume-sshfs") == "fuseblk" ||
                        (try Lab.output(host, "mount")).contains("on /root/mnt/volume-sshfs type fuse.sshfs"))
            }
            #expect(try Lab.exec("c01", "test -e /root/mnt/volume-sshfs").status != 0, "c01 has no data label")
        }

        @Test func s3fsVolumesAreObjectsInTheBucketAndVolumeRmUnmountsEverywhere() throws {
            try Lab.up()
            #expect(try Lab.skp(["docker.volume-create", "-n", "volume-s3fs"]).status == 0)
            let name = "object-\(UUID().uuidString.prefix(6)).txt"
            try Lab.exec("c03", "echo through-s3fs > \(quoted("/root/mnt/volume-s3fs/" + name)) && sync")
            // A signed GET, as any S3 client does (moto refuses anonymous reads of private objects).
            let object = try Binary.run(["-fs", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "skp-lab-access:x",
                                        "http://192.168.56.1:9000/skp-lab/\(name)"], executable: "/usr/bin/curl")
            #expect(object.stdout == "through-s3fs\n", "\(object.stdout)\(object.stderr)")
            // Credentials arrived as a 0600 file; the mount command names only the file.
            #expect(try Lab.output("c03", "stat -c %a /root/.skp/volumes/volume-s3fs/s3-passwd") == "600")
            #expect(try Lab.output("c03", "cat /root/.skp/volumes/volume-s3fs/s3-passwd") == "skp-lab-access:\(Self.s3Secret)")

            // A container of services.json mounts it (when docker.run ran before): removing the
            // volume is refused, naming it, and nothing is unmounted.
            try Lab.exec("c03", "docker run -d --name holds-s3fs -v volume-s3fs:/objects skp/busybox:latest sleep 600 >/dev/null")
            let refused = try Lab.skp(["docker.volume-rm", "-n", "volume-s3fs"])
            #expect(refused.status == 1)
            #expect(refused.stdout.contains("volume-s3fs is used by a container on c03; remove it first"), "\(refused.stdout)")
            #expect(try Lab.exec("c03", "mountpoint -q /root/mnt/volume-s3fs").status == 0, "unmounted under a container")
            try Lab.exec("c03", "docker rm -f holds-s3fs >/dev/null")
            #expect(try Lab.skp(["docker.rm", "-n", "hello-skp"]).status == 0)
            let removed = try Lab.skp(["docker.volume-rm", "-n", "volume-s3fs"])
            #expect(removed.status == 0, "\(removed.stdout)")
            for host in ["c02", "c03", "c04", "c05"] {
                #expect(try Lab.exec(host, "mountpoint -q /root/mnt/volume-s3fs").status != 0, "\(host) still mounted")
                #expect(try Lab.exec(host, "docker volume inspect volume-s3fs >/dev/null 2>&1").status != 0)
            }
            #expect(try Lab.skp(["docker.volume-create", "-n", "volume-s3fs"]).status == 0)
        }

        @Test func rerunningVolumeCreateChangesNothing() throws {
            try Lab.up()
            _ = try Lab.skp(["docker.swarm-init", "docker.volume-create"])
            let again = try Lab.skp(["docker.volume-create"])
            #expect(again.status == 0)
            #expect(again.stdout.contains("5 hosts: 5 ok"), "\(again.stdout)")
        }

        /// A project with a blobfs volume on c05, whose `blobfuse` is a stand-in that records its
        /// arguments: Azure cannot be reached from here.
        func blobProject() throws -> String {
            // The sample hosts, with c05 also carrying label blobtest.
            let data = try Data(contentsOf: URL(fileURLWithPath: Binary.root + "/hosts.json"))
            var hosts = try JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
            var labels = hosts["c05"]!["labels"] as! [String: String]
            labels["blobtest"] = "enable"
            hosts["c05"]!["labels"] = labels
            let text = String(decoding: try JSONSerialization.data(withJSONObject: hosts, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self)
            let volumes = """
            {"vblob": {"type": "blobfs", "labels": ["blobtest"], "path": "$SKP_MNT/vblob",
                       "opts": ["--driver local", "--opt type=none", "--opt o=bind", "--opt device=$SKP_MNT/vblob"],
                       "account_name": "skplab", "account_key": "\(Self.blobSecret)", "container_name": "skp"}}
            """
            return try Binary.project(["hosts.json": text, "volumes.json": volumes])
        }

        func withStandInBlobfuse<T>(_ body: () throws -> T) throws -> T {
            let standIns = "/tmp/skp-lab/c05/stand-ins"
            try Lab.exec("c05", """
                mkdir -p \(standIns) && printf '#!/bin/sh\\necho "$@" > /root/blobfuse-args\\n' > \(standIns)/blobfuse &&
                chmod +x \(standIns)/blobfuse && (mountpoint -q /usr/local/bin || mount --bind \(standIns) /usr/local/bin)
                """)
            defer { _ = try? Lab.exec("c05", "umount /usr/local/bin; rm -f /root/blobfuse-args") }
            return try body()
        }

        @Test func blobfsWritesAPrivateConfigAndMountsWithIt_withStandInBlobfuse() throws {
            try Lab.up()
            let dir = try blobProject()
            try withStandInBlobfuse {
                let outcome = try Lab.skp(["docker.volume-create", "-n", "vblob"], in: dir)
                #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
                #expect(!outcome.stdout.contains(Self.blobSecret))
                let config = "/root/.skp/volumes/vblob/blob-passwd"
                #expect(try Lab.output("c05", "stat -c %a \(quoted(config))") == "600")
                #expect(try Lab.exec("c05", "cat \(quoted(config))").stdout == "accountName skplab\naccountKey \(Self.blobSecret)\ncontainerName skp\n")
                #expect(try Lab.output("c05", "cat /root/blobfuse-args") ==
                        "/root/mnt/vblob --tmp-path=/root/.skp/volumes/vblob/tmp --config-file=/root/.skp/volumes/vblob/blob-passwd -o attr_timeout=240 -o entry_timeout=240 -o negative_timeout=120")
                #expect(try Lab.output("c05", "docker volume inspect vblob --format '{{.Options.device}}'") == "/root/mnt/vblob")
                #expect(try Lab.skp(["docker.volume-rm", "-n", "vblob"], in: dir).status == 0)
            }
        }
    }

    /// Secrets (volume account keys, a copy-id password) in every kind of output and in the
    /// process list while volume tasks run: none may show anywhere.
    @Suite(.serialized) struct SecretScanTests {
        @Test func noSecretAppearsInOutputOrProcessLists() throws {
            try Lab.up()
            let suite = FuseVolumeTests()
            let blob = try suite.blobProject()
            let secrets = [FuseVolumeTests.s3Secret, FuseVolumeTests.blobSecret, FuseVolumeTests.password]
            var transcripts: [String] = []
            try suite.withStandInBlobfuse {
                for (dir, volume) in [(Binary.root, "volume-s3fs"), (blob, "vblob")] {
                    for mode in [["--dry-run"], ["--dry-run", "--json"], ["--json"], ["--verbose"], []] {
                        for task in [["docker.volume-rm", "-n", volume], ["docker.volume-create", "-n", volume],
                                     ["docker.volume-create"], ["docker.sshfs-copy-id"]] {
                            // A process-list snapshot every 20 ms while skp runs, taken by the shell around it.
                            let skp = ([Binary.path, "--color", "never"] + mode + task).map { "'\($0)'" }.joined(separator: " ")
                            let script = """
                                (while :; do ps -eo args; sleep 0.02; done) > \(Lab.scratch)/ps.txt 2>&1 & snap=$!
                                cd '\(dir)'; \(skp); status=$?; kill $snap; wait $snap 2>/dev/null; echo "exit $status"
                                echo '--- ps'; cat \(Lab.scratch)/ps.txt
                                """
                            let outcome = try Binary.run(["-c", script],
                                                         environment: Lab.environment.merging(["SKP_SSH_PASSWORD": FuseVolumeTests.password]) { $1 },
                                                         executable: "/bin/sh")
                            #expect(outcome.stdout.contains("exit 0"), "\(mode) \(task): \(outcome.stdout.prefix(2000))")
                            transcripts.append(outcome.stdout + outcome.stderr)
                        }
                    }
                }
            }
            let all = transcripts.joined(separator: "\n")
            #expect(all.contains("--- ps") && all.contains("s3fs skp-lab"), "the scan saw the commands it was meant to scan")
            for secret in secrets {
                #expect(!all.contains(secret), "secret found in output or process list")
            }
            #expect(all.contains("***"))
        }
    }
}
