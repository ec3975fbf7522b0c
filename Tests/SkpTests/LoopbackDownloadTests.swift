import Foundation
import SkpTestSupport
import Testing

/// `ssh.get` through skp's real SSH transport against an sshd of the test's own on 127.0.0.1 and
/// 127.0.0.2: no lab needed. Opt-in, since it listens on a port: `SKP_TEST_SSHD_PORT=40077`
/// (and root, for the root login the sample inventories use). The sshd is stopped at the end.
@Suite(.serialized, .enabled(if: LoopbackSSHD.port != nil && getuid() == 0
                             && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"),
                             "set SKP_TEST_SSHD_PORT (1024-65535), as root with openssh-server installed"))
struct LoopbackDownloadTests {
    @Test func filesComeBackPerHostAndAreLeftAloneTheSecondTime() throws {
        let sshd = try LoopbackSSHD()
        defer { sshd.stop() }
        let remote = sshd.folder + "/remote.bin"
        var bytes = [UInt8](repeating: 0, count: 3_000_000)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        FileManager.default.createFile(atPath: remote, contents: Data(bytes))
        chmod(remote, 0o4750)
        let dir = try Binary.project(["hosts.json": sshd.hostsJSON, "volumes.json": "{}", "networks.json": "{}"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = sshd.environment
        let first = try Binary.run(["--color", "never", "ssh.get", "-r", remote, "-d", "out"], in: dir, environment: env)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        var inodes: [UInt64] = []
        for host in ["l1", "l2"] {
            let local = dir + "/out/\(host)/remote.bin"
            #expect(FileManager.default.contents(atPath: local) == Data(bytes))
            var info = stat()
            #expect(lstat(local, &info) == 0 && info.st_mode & 0o7777 == 0o750, "setuid dropped, the rest kept")
            inodes.append(UInt64(info.st_ino))
        }
        let second = try Binary.run(["--color", "never", "ssh.get", "-r", remote, "-d", "out"], in: dir, environment: env)
        #expect(second.status == 0 && second.stdout.contains("2 hosts: 2 ok"), "\(second.stdout)")
        for (host, inode) in zip(["l1", "l2"], inodes) {
            var info = stat()
            lstat(dir + "/out/\(host)/remote.bin", &info)
            #expect(UInt64(info.st_ino) == inode, "\(host)'s copy was rewritten")
        }
        // The host's file changes: --check says so and writes nothing; a run fetches it.
        bytes[0] ^= 0xff
        FileManager.default.createFile(atPath: remote, contents: Data(bytes))
        let check = try Binary.run(["--color", "never", "--check", "ssh.get", "-r", remote, "-d", "out"], in: dir, environment: env)
        #expect(check.status == 4, "\(check.stdout)")
        #expect(FileManager.default.contents(atPath: dir + "/out/l1/remote.bin") != Data(bytes))
        let third = try Binary.run(["--color", "never", "ssh.get", "-r", remote, "-d", "out", "--limit", "l2"], in: dir, environment: env)
        #expect(third.status == 0 && third.stdout.contains("1 host: 1 changed"), "\(third.stdout)")
        #expect(FileManager.default.contents(atPath: dir + "/out/l2/remote.bin") == Data(bytes))
        let missing = try Binary.run(["--color", "never", "ssh.get", "-r", sshd.folder + "/nothing", "--limit", "l1"], in: dir, environment: env)
        #expect(missing.status == 1 && missing.stdout.contains("does not exist on l1"), "\(missing.stdout)")
    }
}

/// An sshd of the test's own, in a private folder: its host key, one client key, root by key only.
final class LoopbackSSHD {
    static var port: Int? {
        ProcessInfo.processInfo.environment["SKP_TEST_SSHD_PORT"].flatMap(Int.init).flatMap { (1024...65535).contains($0) ? $0 : nil }
    }

    let folder: String
    let port: Int
    private let process = Process()

    init() throws {
        guard let port = Self.port else { throw CocoaError(.featureUnsupported) }
        self.port = port
        folder = NSTemporaryDirectory() + "skp-sshd-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for key in ["host", "client"] {
            _ = try Binary.run(["-q", "-t", "ed25519", "-N", "", "-f", folder + "/" + key], executable: "/usr/bin/ssh-keygen")
        }
        try FileManager.default.copyItem(atPath: folder + "/client.pub", toPath: folder + "/authorized_keys")
        let config = """
            ListenAddress 127.0.0.1
            ListenAddress 127.0.0.2
            HostKey \(folder)/host
            AuthorizedKeysFile \(folder)/authorized_keys
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PidFile none
            Subsystem sftp internal-sftp

            """
        try config.write(toFile: folder + "/sshd_config", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/sshd")
        process.arguments = ["-D", "-f", folder + "/sshd_config", "-p", String(port), "-E", folder + "/sshd.log"]
        try process.run()
        // Listening once a connection is accepted; a port someone else holds fails here.
        let deadline = Date().addingTimeInterval(5)
        while !Self.accepts(port) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "sshd did not start on port \(port)"])
            }
            usleep(50_000)
        }
    }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    var hostsJSON: String {
        """
        { "l1": {"ipv4": "127.0.0.1", "port": \(port), "user": "root", "key": "\(folder)/client", "roles": ["master", "manager"]},
          "l2": {"ipv4": "127.0.0.2", "port": \(port), "user": "root", "key": "\(folder)/client", "roles": ["worker"]} }
        """
    }

    var environment: [String: String] {
        ["SKP_KNOWN_HOSTS": folder + "/known_hosts", "SKP_STATE": folder + "/state", "SKP_LOCK_DIR": folder + "/lock",
         "SSH_AUTH_SOCK": ""]
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
