import Testing
@testable import SkpKit

/// `vagrant ssh-config` output, recorded from Vagrant 2.3 for a 1-machine and a 5-machine lab,
/// read as skp's SSH settings (what `vagrant.hosts` saves to .skp/ssh_config).
@Suite struct VagrantSSHConfigTests {
    static func machine(_ name: String, port: Int) -> String {
        """
        Host \(name)
          HostName 127.0.0.1
          User vagrant
          Port \(port)
          UserKnownHostsFile /dev/null
          StrictHostKeyChecking no
          PasswordAuthentication no
          IdentityFile /home/op/lab/.vagrant/machines/\(name)/virtualbox/private_key
          IdentitiesOnly yes
          LogLevel FATAL

        """
    }

    static let one = machine("c01", port: 2222)
    static let five = (1...5).map { machine("c0\($0)", port: 2221 + $0) }.joined()

    func endpoints(_ config: String, hosts: String) throws -> [Endpoint] {
        let inventory = try Fixture.inventory(hosts: hosts)
        var options = Options()
        options.user = nil
        let resolver = EndpointResolver(connection: options.connection, config: SSHConfig(text: config + "\nHost *\n  User nobody\n"),
                                        environment: ["HOME": "/home/op", "USER": "op"])
        return inventory.hosts.map { resolver.endpoint(for: $0, password: nil) }
    }

    @Test func oneMachine() throws {
        let endpoints = try endpoints(Self.one, hosts: #"{"c01": {"ipv4": "192.168.56.11", "roles": ["master"]}}"#)
        #expect(endpoints.count == 1)
        #expect(endpoints[0].address == "127.0.0.1")
        #expect(endpoints[0].port == 2222)
        #expect(endpoints[0].user == "vagrant")
        #expect(endpoints[0].identities == ["/home/op/lab/.vagrant/machines/c01/virtualbox/private_key"])
        // Vagrant's "StrictHostKeyChecking no" is not taken: skp checks host keys anyway.
        #expect(endpoints[0].hostKeyPolicy == .acceptNew)
    }

    @Test func fiveMachines() throws {
        let endpoints = try endpoints(Self.five, hosts: Fixture.fiveHosts.replacingOccurrences(of: "10.0.0.", with: "192.168.56.1"))
        #expect(endpoints.map(\.port) == [2222, 2223, 2224, 2225, 2226])
        #expect(endpoints.allSatisfy { $0.user == "vagrant" && $0.address == "127.0.0.1" })
        #expect(endpoints.map { $0.identities.first ?? "" } == (1...5).map { "/home/op/lab/.vagrant/machines/c0\($0)/virtualbox/private_key" })
    }

    @Test func inventorySettingsWinOverSSHConfig() throws {
        let endpoints = try endpoints(Self.one, hosts: #"{"c01": {"ipv4": "192.168.56.11", "user": "root", "port": 22, "key": "~/.ssh/lab"}}"#)
        #expect(endpoints[0].user == "root" && endpoints[0].port == 22)
        #expect(endpoints[0].identities.first == "/home/op/.ssh/lab")
    }
}
